//! `guard doctor`: is guard set up, and what to fix. [`gather`] reads the machine (environment,
//! shell and agent configuration files, policy, the audit log's directory); [`assess`] turns
//! those facts into a report without any I/O.

use std::fmt::Write as _;
use std::io::Write as _;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use crate::host::Host;
use crate::policy::Policy;
use crate::policy_files::{self, Locations};

/// How one finding reads in the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Ok,
    /// Worth knowing; nothing is broken.
    Note,
    /// Needs fixing; makes doctor exit 1.
    Fix,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub status: Status,
    pub subject: String,
    pub detail: String,
}

/// What the interactive-shell integration in the calling shell said about itself.
#[derive(Debug, Clone, Default)]
pub struct ShellFacts {
    /// `GUARD_SHELL_INTEGRATION` (`bash`, `zsh`, `fish`).
    pub integration: Option<String>,
    /// `GUARD_SHELL_INTEGRATION_PID`: the shell that loaded it.
    pub integration_pid: Option<u32>,
    /// The process that started doctor.
    pub parent_pid: u32,
    pub disabled: bool,
    /// `$SHELL`'s file name.
    pub login_shell: Option<String>,
    /// Start-up files found, per shell, and whether each loads guard.
    pub rc_files: Vec<(&'static str, PathBuf, bool)>,
}

/// One agent configuration file that exists.
#[derive(Debug, Clone)]
pub struct AgentFile {
    pub agent: &'static str,
    pub path: PathBuf,
    /// Whether it configures a `guard hook` command, or why it could not be read.
    pub hooked: Result<bool, String>,
    /// What else is known of guard's hook there: whether Codex will run it, whether Gemini CLI
    /// gives it time enough.
    pub findings: Vec<(Status, String)>,
}

#[derive(Debug, Clone)]
pub struct Facts {
    pub version: &'static str,
    pub running: Option<PathBuf>,
    /// The first `guard` on PATH, and whether it is the running binary.
    pub on_path: Option<(PathBuf, bool)>,
    pub shell: ShellFacts,
    pub agents: Vec<AgentFile>,
    /// Policy files per layer: (layer name, where, files found).
    pub policy_layers: Vec<(&'static str, String, usize)>,
    /// `guard rules lint` on the policy in effect: its report and whether it found problems.
    pub lint: (String, bool),
    /// guard's own policy files (or directories) that are there and cannot be read.
    pub unread: Vec<String>,
    pub audit_log: PathBuf,
    /// Whether guard can write the audit log (creating its directory if needed), or why not.
    pub audit_writable: Result<(), String>,
    /// The Landlock ABI the kernel offers (0: none), the containment settings, and the scope
    /// a command run here would get, described.
    pub containment: (u32, guard_core::policy::settings::Contain, String),
}

/// Agents guard can be hooked into: name, configuration directory (in home and in the project),
/// the variable that moves the per-user one, and the files there that can configure hooks.
const AGENTS: &[(&str, &str, Option<&str>, &[&str])] = &[
    ("Claude Code", ".claude", Some("CLAUDE_CONFIG_DIR"), &["settings.json", "settings.local.json"]),
    ("Codex", ".codex", Some("CODEX_HOME"), &["config.toml", "hooks.json"]),
    ("Gemini CLI", ".gemini", None, &["settings.json"]),
    ("Cursor", ".cursor", None, &["hooks.json"]),
];

pub fn run(host: &Host, own: &Policy) -> u8 {
    let items = assess(&gather(host, own));
    let (text, healthy) = render(&items);
    // A closed pipe (`guard doctor | head`) is no reason to fail.
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
    if healthy {
        0
    } else {
        1
    }
}

/// Read everything doctor reports on.
pub fn gather(host: &Host, own: &Policy) -> Facts {
    let home = host.home().unwrap_or_default();
    let cwd = host.cwd().to_path_buf();
    let var = |n: &str| host.var(n).filter(|v| !v.is_empty()).map(str::to_string);
    let running = std::env::current_exe().ok();
    let on_path = crate::run::shell::find_in(Path::new("guard"), host.var_os("PATH")).map(|p| {
        let same = running.as_deref().is_some_and(|r| same_file(r, &p));
        (p, same)
    });

    let config_home = var("XDG_CONFIG_HOME").map(PathBuf::from).unwrap_or_else(|| home.join(".config"));
    let zdotdir = var("ZDOTDIR").map(PathBuf::from).unwrap_or_else(|| home.clone());
    let mut rc_candidates: Vec<(&'static str, PathBuf)> = vec![
        ("bash", home.join(".bashrc")),
        ("bash", home.join(".bash_profile")),
        ("zsh", zdotdir.join(".zshrc")),
        ("fish", config_home.join("fish/config.fish")),
    ];
    rc_candidates.extend(files_with_ext(&config_home.join("fish/conf.d"), "fish").into_iter().map(|p| ("fish", p)));
    let rc_files = rc_candidates
        .into_iter()
        .filter_map(|(shell, path)| {
            let text = std::fs::read_to_string(&path).ok()?;
            let loads = loads_guard(&text, shell);
            Some((shell, path, loads))
        })
        .collect();
    let shell = ShellFacts {
        integration: var("GUARD_SHELL_INTEGRATION"),
        integration_pid: var("GUARD_SHELL_INTEGRATION_PID").and_then(|p| p.parse().ok()),
        parent_pid: std::os::unix::process::parent_id(),
        disabled: var("GUARD_DISABLE").as_deref() == Some("1"),
        login_shell: var("SHELL").map(|s| s.rsplit('/').next().unwrap_or(&s).to_string()),
        rc_files,
    };

    let mut agents = Vec::new();
    // Codex records which hooks a person reviewed in the user's own config.toml.
    let codex_user_config =
        var("CODEX_HOME").map(PathBuf::from).unwrap_or_else(|| home.join(".codex")).join("config.toml");
    let codex_reviews = std::fs::read_to_string(&codex_user_config).ok();
    for (agent, dir, moved_by, files) in AGENTS {
        let user_dir = moved_by.and_then(var).map(PathBuf::from).unwrap_or_else(|| home.join(dir));
        let mut dirs = vec![user_dir];
        dirs.extend(cwd.ancestors().map(|a| a.join(dir)).filter(|d| *d != home.join(dir)));
        for d in dirs {
            for f in *files {
                let path = d.join(f);
                let Ok(text) = std::fs::read_to_string(&path) else { continue };
                let hooked =
                    if f.ends_with(".json") { json_runs_guard_hook(&text) } else { Ok(text_runs_guard_hook(&text)) };
                if !agents.iter().any(|a: &AgentFile| a.path == path) {
                    let findings = match (*agent, &hooked) {
                        ("Codex", Ok(true)) => {
                            codex_findings(&path, &text, &codex_user_config, codex_reviews.as_deref())
                        }
                        ("Gemini CLI", Ok(true)) => gemini_findings(&path, &text),
                        ("Claude Code", Ok(true)) => claude_findings(&path, &text),
                        _ => Vec::new(),
                    };
                    agents.push(AgentFile { agent, path, hooked, findings });
                }
            }
        }
    }

    let loc = Locations::of(host);
    let mut policy_layers =
        vec![("system", loc.system.display().to_string(), policy_files::files_in(&loc.system).len())];
    if let Some(u) = &loc.user {
        policy_layers.push(("user", u.display().to_string(), policy_files::files_in(u).len()));
    }
    for p in &loc.project {
        policy_layers.push(("project", p.display().to_string(), 1));
    }
    let (lint_text, lint_code) = crate::rules_cmd::lint(host, own, &[]);

    // The log the settings name, checked as guard checks it before each append (a planted link,
    // another user's file or a hard link is refused there, so it is reported here).
    let audit = crate::audit::AuditConfig::from_settings(&own.settings, host);
    let (audit_log, audit_writable) = match audit.log_path() {
        Ok(p) => {
            let why = |e: crate::audit::AuditError| {
                let e = e.to_string();
                e.strip_prefix("cannot record this decision: ").map(str::to_string).unwrap_or(e)
            };
            (p.clone(), crate::audit::writable(&audit).map_err(why))
        }
        Err(e) => (home.join(".local/state/guard/audit.jsonl"), Err(e.to_string())),
    };

    Facts {
        version: env!("CARGO_PKG_VERSION"),
        running,
        on_path,
        shell,
        agents,
        policy_layers,
        lint: (lint_text, lint_code != 0),
        unread: own.unread.clone(),
        audit_log,
        audit_writable,
        containment: (
            crate::contain::kernel::abi(),
            own.settings.contain.clone(),
            crate::contain::describe(
                host,
                &own.settings.contain,
                &own.own_paths(&crate::context::LiveContext::new(host)),
                false,
                &[],
            ),
        ),
    }
}

/// Turn facts into findings, most basic first.
pub fn assess(f: &Facts) -> Vec<Item> {
    let mut out = Vec::new();
    let mut item = |status, subject: &str, detail: String| {
        out.push(Item { status, subject: subject.to_string(), detail });
    };
    let running = f.running.as_ref().map(|p| p.display().to_string()).unwrap_or_else(|| "(unknown path)".into());

    match &f.on_path {
        Some((_, true)) => item(Status::Ok, "binary", format!("guard {} at {running}, the guard on PATH", f.version)),
        Some((p, false)) => item(
            Status::Note,
            "binary",
            format!(
                "running guard {} at {running}, but PATH finds {} first; hooks and shells that call `guard` get that one",
                f.version,
                p.display()
            ),
        ),
        None => item(
            Status::Fix,
            "binary",
            format!(
                "guard {} at {running} is not on PATH; agent hooks run `guard hook …` and will not find it: \
                 install it (`cargo install --locked --path .`) or add its directory to PATH",
                f.version
            ),
        ),
    }

    let mut faces = 0;
    let s = &f.shell;
    match (&s.integration, s.integration_pid) {
        (Some(sh), Some(pid)) if pid == s.parent_pid => {
            faces += 1;
            item(Status::Ok, "shell", format!("{sh} integration active in this shell (pid {pid})"));
        }
        (Some(sh), pid) => {
            faces += 1;
            let from = pid.map(|p| format!(" (pid {p})")).unwrap_or_default();
            item(
                Status::Note,
                "shell",
                format!(
                    "{sh} integration was loaded by an outer shell{from}, not by the process that ran doctor; \
                     run `guard doctor` straight from your prompt to check that shell"
                ),
            );
        }
        (None, _) => {}
    }
    if s.disabled {
        item(Status::Note, "shell", "GUARD_DISABLE=1 is set: the shell integration lets every line through".into());
    }
    for (shell, path, loads) in &s.rc_files {
        if *loads {
            faces += 1;
            item(Status::Ok, shell, format!("{} loads the guard integration", path.display()));
        }
    }
    if s.integration.is_none() {
        let login = s.login_shell.as_deref().filter(|l| matches!(*l, "bash" | "zsh" | "fish"));
        let configured = s.rc_files.iter().any(|(sh, _, loads)| *loads && Some(*sh) == login);
        match login {
            Some(l) if configured => item(
                Status::Note,
                "shell",
                format!("not active in the shell that ran doctor; {l} loads it at start-up, so open a new {l}"),
            ),
            Some(l) => item(Status::Note, "shell", format!("commands typed into {l} are not checked; to fix: {}", setup_line(l))),
            None => item(
                Status::Note,
                "shell",
                "no shell integration in the shell that ran doctor (bash, zsh and fish are supported: `guard init --help`)"
                    .into(),
            ),
        }
    }

    for (agent, ..) in AGENTS {
        let files: Vec<&AgentFile> = f.agents.iter().filter(|a| a.agent == *agent).collect();
        let hooked: Vec<String> =
            files.iter().filter(|a| a.hooked == Ok(true)).map(|a| a.path.display().to_string()).collect();
        for a in files.iter().filter(|a| a.hooked.is_err()) {
            let why = a.hooked.as_ref().err().map(String::as_str).unwrap_or_default();
            item(Status::Note, agent, format!("cannot read {}: {why}", a.path.display()));
        }
        if !hooked.is_empty() {
            faces += 1;
            item(Status::Ok, agent, format!("runs `guard hook` ({})", hooked.join(", ")));
            for (status, text) in files.iter().flat_map(|a| &a.findings) {
                item(*status, agent, text.clone());
            }
        } else if !files.is_empty() {
            item(Status::Note, agent, "configured here, but its commands do not go through `guard hook`".into());
        }
    }
    if faces == 0 {
        item(
            Status::Fix,
            "coverage",
            "guard is not checking anything yet: no shell integration and no agent hook is set up; \
             start with the line for your shell, e.g. `eval \"$(guard init bash)\"` in ~/.bashrc"
                .into(),
        );
    }

    let layers: Vec<String> = f
        .policy_layers
        .iter()
        .map(|(layer, at, n)| match n {
            0 => format!("{layer} {at} (none)"),
            1 if *layer == "project" => format!("{layer} {at}"),
            n => format!("{layer} {at} ({n} file{})", if *n == 1 { "" } else { "s" }),
        })
        .collect();
    let summary = f.lint.0.lines().last().unwrap_or_default();
    if !f.unread.is_empty() {
        item(
            Status::Fix,
            "policy",
            format!(
                "guard cannot read its own policy ({}): every command is asked until it can; {}",
                f.unread.join(", "),
                crate::policy::checks::POLICY_UNREAD_FIX
            ),
        );
    }
    if f.lint.1 {
        let problems: Vec<&str> = f.lint.0.lines().filter(|l| *l != summary).collect();
        item(
            Status::Fix,
            "policy",
            format!(
                "{summary}; broken files are ignored and the built-in rules apply (guard's own files that cannot \
                 be read have every command asked); fix these (`guard rules lint` checks again):\n{}",
                problems.iter().map(|l| format!("      {l}")).collect::<Vec<_>>().join("\n")
            ),
        );
    } else {
        item(Status::Ok, "policy", format!("built-in packs, {}; {summary}", layers.join(", ")));
    }

    match &f.audit_writable {
        Ok(()) => item(Status::Ok, "audit log", format!("{} (writable)", f.audit_log.display())),
        Err(why) => item(
            Status::Fix,
            "audit log",
            format!(
                "{}: {why}; make the directory writable or set XDG_STATE_HOME to a writable place",
                f.audit_log.display()
            ),
        ),
    }
    let (abi, contain, scope) = &f.containment;
    match crate::contain::unavailable(*abi, contain.network.is_some()) {
        None => {
            // The scope's lines (past the kernel's, said here), under the item as other details are.
            let lines: Vec<String> = scope.lines().skip(1).map(|l| format!("    {l}")).collect();
            item(
                Status::Ok,
                "containment",
                format!("Landlock ABI {abi}; what guard runs for agents is contained:\n{}", lines.join("\n")),
            )
        }
        Some(why) if contain.required => item(
            Status::Fix,
            "containment",
            format!("{why}; settings.contain says it is required, so commands that should be contained are refused"),
        ),
        Some(why) => item(
            Status::Note,
            "containment",
            format!("{why}; commands run for agents are judged only (settings.contain: required would refuse them)"),
        ),
    }
    out
}

/// The report as text, and whether everything is healthy.
pub fn render(items: &[Item]) -> (String, bool) {
    let mut out = String::new();
    for i in items {
        let mark = match i.status {
            Status::Ok => "✓",
            Status::Note => "·",
            Status::Fix => "✗",
        };
        let _ = writeln!(out, "{mark} {:<12} {}", i.subject, i.detail);
    }
    let fixes = items.iter().filter(|i| i.status == Status::Fix).count();
    if fixes == 0 {
        out.push_str("\nguard is set up.\n");
    } else {
        let _ = writeln!(out, "\n{fixes} thing{} to fix (marked ✗).", if fixes == 1 { "" } else { "s" });
    }
    (out, fixes == 0)
}

/// Whether Codex will run guard's hooks in the hooks file `path` (text `text`), from its record of
/// reviewed hooks in `user_config` (text `reviews`).
fn codex_findings(path: &Path, text: &str, user_config: &Path, reviews: Option<&str>) -> Vec<(Status, String)> {
    use crate::integrate::codex_trust::{guard_hooks, trust, Trust};
    let record = user_config.display();
    let hooks = match guard_hooks(path, text, text_runs_guard_hook) {
        Ok(h) => h,
        Err(e) => return vec![(Status::Note, format!("cannot read guard's hook in {}: {e}", path.display()))],
    };
    let review =
        "a person must review it once in Codex's TUI (`codex`, then `/hooks`); until then Codex, `codex exec` \
                  included, runs every command with no hook (unless started with `--dangerously-bypass-hook-trust`)";
    hooks
        .iter()
        .map(|h| match trust(h, reviews) {
            Ok(Trust::Trusted) => (Status::Ok, format!("Codex has reviewed guard's hook {} and runs it", h.key)),
            Ok(Trust::Reviewed) => (
                Status::Note,
                format!(
                    "Codex has reviewed guard's hook {} once; its entry holds fields guard does not hash, so whether it \
                     changed since is not checked (Codex's `/hooks` shows it)",
                    h.key
                ),
            ),
            Ok(Trust::Untrusted) => {
                (Status::Fix, format!("Codex has not reviewed guard's hook {} (no trusted_hash in {record}): {review}", h.key))
            }
            Ok(Trust::Modified) => (
                Status::Fix,
                format!("guard's hook {} changed since Codex's review (trusted_hash in {record}): {review}", h.key),
            ),
            Ok(Trust::Disabled) => (
                Status::Fix,
                format!(
                    "guard's hook {} is turned off in Codex (`enabled = false` in {record}): Codex runs every command \
                     with no hook until it is turned on in `/hooks`",
                    h.key
                ),
            ),
            Err(e) => (Status::Note, format!("cannot read Codex's record of reviewed hooks, {record}: {e}")),
        })
        .collect()
}

/// Claude Code's shell tools that guard's hooks in its settings do not match.
fn claude_findings(path: &Path, text: &str) -> Vec<(Status, String)> {
    let missed = crate::integrate::claude_matchers::uncovered(text, text_runs_guard_hook);
    missed
        .iter()
        .map(|tool| {
            (
                Status::Note,
                format!(
                    "guard's PreToolUse hook in {} does not match Claude Code's `{tool}` tool, which runs shell \
                     commands too: make its matcher `Bash|Monitor`",
                    path.display()
                ),
            )
        })
        .collect()
}

/// Guard hooks in Gemini CLI settings whose timeout is seconds read as milliseconds.
fn gemini_findings(path: &Path, text: &str) -> Vec<(Status, String)> {
    let short = crate::integrate::gemini_timeouts::too_short(text, text_runs_guard_hook).unwrap_or_default();
    short
        .into_iter()
        .map(|(command, ms)| {
            (
                Status::Fix,
                format!(
                    "the hook `{command}` in {} has `timeout: {ms}`, which Gemini CLI reads as {ms} ms (`gemini hooks migrate \
                     --from-claude` copies Claude Code's seconds): past it, Gemini CLI runs the command unchecked; set \
                     it to 30000",
                    path.display()
                ),
            )
        })
        .collect()
}

fn setup_line(shell: &str) -> &'static str {
    match shell {
        "zsh" => "add `eval \"$(guard init zsh)\"` to ~/.zshrc",
        "fish" => "add `guard init fish | source` to ~/.config/fish/config.fish",
        _ => "add `eval \"$(guard init bash)\"` to ~/.bashrc",
    }
}

/// A start-up file loads the integration: a line, not commented out, runs `guard init SHELL`.
pub fn loads_guard(text: &str, shell: &str) -> bool {
    let needle = format!("init {shell}");
    text.lines().map(str::trim_start).filter(|l| !l.starts_with('#')).any(|l| {
        l.find(&needle).is_some_and(|at| {
            l[..at].trim_end().rsplit(|c: char| c.is_whitespace() || c == '(').next().is_some_and(is_guard)
        })
    })
}

/// Some command in a JSON configuration (any string in it) runs `guard hook`.
pub fn json_runs_guard_hook(text: &str) -> Result<bool, String> {
    fn walk(v: &serde_json::Value) -> bool {
        match v {
            serde_json::Value::String(s) => text_runs_guard_hook(s),
            serde_json::Value::Array(a) => a.iter().any(walk),
            serde_json::Value::Object(o) => o.values().any(walk),
            _ => false,
        }
    }
    serde_json::from_str::<serde_json::Value>(text).map(|v| walk(&v)).map_err(|e| format!("not valid JSON ({e})"))
}

/// A word naming the guard binary is followed by `hook` (comment lines aside).
pub fn text_runs_guard_hook(text: &str) -> bool {
    text.lines().filter(|l| !l.trim_start().starts_with('#')).any(|l| {
        let words: Vec<&str> = l
            .split(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '[' | ']' | ',' | '='))
            .filter(|w| !w.is_empty())
            .collect();
        words.windows(2).any(|w| is_guard(w[0]) && w[1] == "hook")
    })
}

fn is_guard(word: &str) -> bool {
    word.rsplit('/').next() == Some("guard")
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (std::fs::metadata(a), std::fs::metadata(b)) {
        (Ok(x), Ok(y)) => x.dev() == y.dev() && x.ino() == y.ino(),
        _ => false,
    }
}

fn files_with_ext(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.extension().is_some_and(|x| x == ext)).collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_a_guard_hook_command_in_agent_settings() {
        let cases: &[(&str, bool)] = &[
            (
                r#"{"hooks":{"PreToolUse":[{"matcher":"Bash","hooks":[{"type":"command","command":"guard hook claude"}]}]}}"#,
                true,
            ),
            (r#"{"hooks":{"beforeShellExecution":[{"command":"/usr/local/bin/guard hook cursor"}]}}"#, true),
            (r#"{"hooks":{"PreToolUse":[{"hooks":[{"command":"my-guard hook"}]}]}}"#, false),
            (r#"{"theme":"dark","note":"guard is great"}"#, false),
        ];
        for (text, want) in cases {
            assert_eq!(json_runs_guard_hook(text), Ok(*want), "{text}");
        }
        assert!(json_runs_guard_hook("{ not json").is_err());
    }

    #[test]
    fn finds_a_guard_hook_command_in_toml() {
        let cases: &[(&str, bool)] = &[
            ("[[hooks.PreToolUse]]\ncommand = [\"guard\", \"hook\", \"codex\"]\n", true),
            ("[hooks]\npre_tool_use = \"/opt/bin/guard hook codex\"\n", true),
            ("# command = \"guard hook codex\"\nmodel = \"o3\"\n", false),
            ("model = \"o3\"\n", false),
        ];
        for (text, want) in cases {
            assert_eq!(text_runs_guard_hook(text), *want, "{text}");
        }
    }

    #[test]
    fn sees_which_start_up_files_load_the_integration() {
        let cases: &[(&str, &str, bool)] = &[
            ("eval \"$(guard init bash)\"\n", "bash", true),
            ("eval \"$(/home/me/.cargo/bin/guard init zsh)\"\n", "zsh", true),
            ("guard init fish | source\n", "fish", true),
            ("# eval \"$(guard init bash)\"\n", "bash", false),
            ("eval \"$(guard init zsh)\"\n", "bash", false),
            ("eval \"$(starship init bash)\"\n", "bash", false),
        ];
        for (text, shell, want) in cases {
            assert_eq!(loads_guard(text, shell), *want, "{shell}: {text}");
        }
    }

    fn facts() -> Facts {
        Facts {
            version: "0.1.0",
            running: Some("/usr/bin/guard".into()),
            on_path: Some(("/usr/bin/guard".into(), true)),
            shell: ShellFacts {
                integration: Some("bash".into()),
                integration_pid: Some(40),
                parent_pid: 40,
                disabled: false,
                login_shell: Some("bash".into()),
                rc_files: vec![("bash", "/home/u/.bashrc".into(), true)],
            },
            agents: Vec::new(),
            policy_layers: vec![("system", "/etc/guard".into(), 0), ("user", "/home/u/.config/guard".into(), 1)],
            lint: ("14 file(s) checked, 0 problem(s)\n".into(), false),
            unread: Vec::new(),
            audit_log: "/home/u/.local/state/guard/audit.jsonl".into(),
            audit_writable: Ok(()),
            containment: (7, Default::default(), "  writable: /home/u/p (the project)\n".into()),
        }
    }

    /// (what changes, the subject expected to be flagged, its status, whether doctor is healthy)
    #[test]
    fn judges_each_fact() {
        type Change = fn(&mut Facts);
        let cases: &[(&str, Change, &str, Status, bool)] = &[
            ("all well", |_| {}, "shell", Status::Ok, true),
            ("not on PATH", |f| f.on_path = None, "binary", Status::Fix, false),
            ("another guard on PATH", |f| f.on_path = Some(("/opt/guard".into(), false)), "binary", Status::Note, true),
            ("inherited integration", |f| f.shell.parent_pid = 41, "shell", Status::Note, true),
            (
                "nothing set up",
                |f| {
                    f.shell.integration = None;
                    f.shell.rc_files.clear();
                },
                "coverage",
                Status::Fix,
                false,
            ),
            (
                "only an agent hook",
                |f| {
                    f.shell.integration = None;
                    f.shell.rc_files.clear();
                    f.agents.push(AgentFile {
                        agent: "Claude Code",
                        path: "/p/.claude/settings.json".into(),
                        hooked: Ok(true),
                        findings: Vec::new(),
                    });
                },
                "Claude Code",
                Status::Ok,
                true,
            ),
            (
                "agent without the hook",
                |f| {
                    f.agents.push(AgentFile {
                        agent: "Cursor",
                        path: "/h/.cursor/hooks.json".into(),
                        hooked: Ok(false),
                        findings: Vec::new(),
                    })
                },
                "Cursor",
                Status::Note,
                true,
            ),
            (
                "broken policy",
                |f| f.lint = ("x.yaml:3:1: bad\n2 file(s) checked, 1 problem(s)\n".into(), true),
                "policy",
                Status::Fix,
                false,
            ),
            ("audit dir read-only", |f| f.audit_writable = Err("read-only".into()), "audit log", Status::Fix, false),
            ("no Landlock", |f| f.containment.0 = 0, "containment", Status::Note, true),
            ("Landlock too old", |f| f.containment.0 = 2, "containment", Status::Note, true),
            (
                "containment required without Landlock",
                |f| {
                    f.containment.0 = 0;
                    f.containment.1.required = true;
                },
                "containment",
                Status::Fix,
                false,
            ),
            (
                "network scope on a kernel that cannot",
                |f| {
                    f.containment.0 = 3;
                    f.containment.1.network = Some(vec![443]);
                },
                "containment",
                Status::Note,
                true,
            ),
            ("Landlock", |_| {}, "containment", Status::Ok, true),
            ("disabled", |f| f.shell.disabled = true, "shell", Status::Note, true),
        ];
        for (what, change, subject, status, healthy) in cases {
            let mut f = facts();
            change(&mut f);
            let items = assess(&f);
            assert!(
                items.iter().any(|i| i.subject == *subject && i.status == *status),
                "{what}: no {status:?} for {subject} in {items:#?}"
            );
            assert_eq!(render(&items).1, *healthy, "{what}: {items:#?}");
        }
    }

    #[test]
    fn policy_problems_are_listed_with_their_location() {
        let mut f = facts();
        f.lint = ("/u/guard/a.yaml:3:7: unknown field `mach`\n15 file(s) checked, 1 problem(s)\n".into(), true);
        let items = assess(&f);
        let policy = items.iter().find(|i| i.subject == "policy").unwrap();
        assert!(policy.detail.contains("/u/guard/a.yaml:3:7: unknown field `mach`"), "{}", policy.detail);
    }
}
