//! `guard doctor` run as a user runs it, in a temporary HOME with real configuration files.

#![allow(clippy::unwrap_used)] // a test fails loudly on what it did not expect

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const GUARD: &str = env!("CARGO_BIN_EXE_guard");

struct Home {
    _tmp: tempfile::TempDir,
    root: PathBuf,
    home: PathBuf,
}

impl Home {
    fn new() -> Home {
        let tmp = tempfile::Builder::new().prefix("guard-doctor-").tempdir().unwrap();
        let root = tmp.path().to_path_buf();
        let home = root.join("home");
        std::fs::create_dir_all(home.join("project")).unwrap();
        Home { _tmp: tmp, root, home }
    }

    fn write(&self, rel: &str, text: &str) {
        let path = self.home.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    /// A PATH directory holding `guard` (a link to the binary under test).
    fn guard_on_path(&self) -> PathBuf {
        let bin = self.root.join("bin");
        std::fs::create_dir_all(&bin).unwrap();
        std::os::unix::fs::symlink(GUARD, bin.join("guard")).unwrap();
        bin
    }

    fn doctor(&self, path: &Path, extra: &[(&str, &str)]) -> (Output, String) {
        let out = Command::new(GUARD)
            .arg("doctor")
            .env_clear()
            .env("HOME", &self.home)
            .env("PATH", path)
            .env("XDG_CONFIG_HOME", self.home.join(".config"))
            .env("XDG_STATE_HOME", self.home.join(".local/state"))
            .env("SHELL", "/bin/bash")
            .envs(extra.iter().copied())
            .current_dir(self.home.join("project"))
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        (out, text)
    }
}

#[test]
fn a_bare_machine_needs_fixing() {
    let h = Home::new();
    let (out, text) = h.doctor(Path::new("/usr/bin:/bin"), &[]);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("is not on PATH"), "{text}");
    assert!(text.contains("guard is not checking anything yet"), "{text}");
    assert!(text.contains("eval \"$(guard init bash)\""), "{text}");
}

#[test]
fn a_set_up_machine_is_healthy() {
    let h = Home::new();
    let bin = h.guard_on_path();
    h.write(".bashrc", "export EDITOR=vi\neval \"$(guard init bash)\"\n");
    h.write(
        "project/.claude/settings.json",
        r#"{"hooks":{"PreToolUse":[{"matcher":"Bash","hooks":[{"type":"command","command":"guard hook claude"}]}]}}"#,
    );
    h.write(".cursor/hooks.json", r#"{"version":1,"hooks":{}}"#);
    let (out, text) = h.doctor(&bin, &[]);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("the guard on PATH"), "{text}");
    assert!(text.contains(".bashrc loads the guard integration"), "{text}");
    assert!(text.contains("project/.claude/settings.json"), "{text}");
    // Written before guard matched `Monitor` too: a note, not a fault.
    assert!(text.contains("does not match Claude Code's `Monitor` tool"), "{text}");
    assert!(text.contains("Cursor") && text.contains("do not go through `guard hook`"), "{text}");
    assert!(text.contains("audit.jsonl (writable)"), "{text}");
    assert!(text.contains("guard is set up."), "{text}");
}

#[test]
fn reports_the_shell_integration_of_the_calling_shell() {
    let h = Home::new();
    let bin = h.guard_on_path();
    // doctor's parent is this test process, so a pid that is not it means an outer shell.
    let me = std::process::id().to_string();
    let (out, text) =
        h.doctor(&bin, &[("GUARD_SHELL_INTEGRATION", "zsh"), ("GUARD_SHELL_INTEGRATION_PID", me.as_str())]);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains(&format!("zsh integration active in this shell (pid {me})")), "{text}");
    let (_, text) = h.doctor(&bin, &[("GUARD_SHELL_INTEGRATION", "zsh"), ("GUARD_SHELL_INTEGRATION_PID", "1")]);
    assert!(text.contains("loaded by an outer shell (pid 1)"), "{text}");
}

#[test]
fn a_broken_policy_file_and_an_unwritable_audit_log_need_fixing() {
    let h = Home::new();
    let bin = h.guard_on_path();
    h.write(".bashrc", "eval \"$(guard init bash)\"\n");
    h.write(".config/guard/mine.yaml", "rules:\n  - id: x\n    mach: {program: rm}\n");
    // The state directory would have to be made inside a file.
    h.write("state-file", "");
    let state = h.home.join("state-file/state");
    let (out, text) = h.doctor(&bin, &[("XDG_STATE_HOME", state.to_str().unwrap())]);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("mine.yaml:3:"), "the problem is located: {text}");
    assert!(text.contains("state-file/state/guard/audit.jsonl") && text.contains("Not a directory"), "{text}");
    assert!(text.contains("2 things to fix"), "{text}");
}

/// What `guard install codex` writes, naming guard as installed at /usr/local/bin.
const CODEX_HOOK: &str =
    "[[hooks.PreToolUse]]\nmatcher = \"^Bash$\"\n\n[[hooks.PreToolUse.hooks]]\ntype = \"command\"\n\
                          command = \"/usr/local/bin/guard hook codex\"\ntimeout = 30\n";
/// The hash Codex 0.171.0 gives that entry (`codex app-server`, `hooks/list`).
const CODEX_HOOK_HASH: &str = "sha256:178d2f75fc2eda33cb757480a0bac87dd0be0be10484608c0118e784bd038329";

/// Codex runs no hook a person has not reviewed in its TUI; its record of reviews is
/// `[hooks.state."FILE:EVENT:GROUP:HANDLER"]` in the user's config.toml.
#[test]
fn a_codex_hook_runs_only_once_codex_has_a_review_of_it() {
    let key = |h: &Home| format!("{}:pre_tool_use:0:0", h.home.join(".codex/config.toml").display());
    // (what, the review recorded, the timeout now, doctor's status, what it says)
    let reviewed = format!("trusted_hash = \"{CODEX_HOOK_HASH}\"");
    let off = format!("{reviewed}\nenabled = false");
    type Case<'a> = (&'a str, Option<&'a str>, &'a str, Option<i32>, &'a str);
    let cases: &[Case] = &[
        ("never reviewed", None, "30", Some(1), "Codex has not reviewed guard's hook"),
        ("reviewed", Some(&reviewed), "30", Some(0), "Codex has reviewed guard's hook"),
        ("changed since its review", Some(&reviewed), "60", Some(1), "changed since Codex's review"),
        ("turned off", Some(&off), "30", Some(1), "is turned off in Codex"),
    ];
    for (what, review, timeout, code, says) in cases {
        let h = Home::new();
        let bin = h.guard_on_path();
        h.write(".bashrc", "eval \"$(guard init bash)\"\n");
        let mut config = CODEX_HOOK.replace("timeout = 30", &format!("timeout = {timeout}"));
        if let Some(body) = review {
            config.push_str(&format!("\n[hooks.state.\"{}\"]\n{body}\n", key(&h)));
        }
        h.write(".codex/config.toml", &config);
        let (out, text) = h.doctor(&bin, &[]);
        assert_eq!(out.status.code(), *code, "{what}: {text}");
        assert!(text.contains(says), "{what}: {text}");
        assert!(text.contains(&key(&h)), "{what}: the hook is named as Codex names it: {text}");
        if *code == Some(1) {
            assert!(text.contains("/hooks") && text.contains("runs every command with no hook"), "{what}: {text}");
        }
    }
    // A project's hook is reviewed in the user's record too.
    let h = Home::new();
    let bin = h.guard_on_path();
    h.write("project/.codex/hooks.json", r#"{"hooks":{"PreToolUse":[{"matcher":"^Bash$","hooks":[{"type":"command","command":"guard hook codex","timeout":5}]}]}}"#);
    let project_key = format!("{}:pre_tool_use:0:0", h.home.join("project/.codex/hooks.json").display());
    let (out, text) = h.doctor(&bin, &[]);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains(&format!("Codex has not reviewed guard's hook {project_key}")), "{text}");
    h.write(
        ".codex/config.toml",
        &format!(
            "[hooks.state.\"{project_key}\"]\ntrusted_hash = \"sha256:c9d461b305f3ce23cd35274bb145762b5b8f46b2702b9505f5637aa283066ea0\"\n"
        ),
    );
    let (_, text) = h.doctor(&bin, &[]);
    assert!(text.contains(&format!("Codex has reviewed guard's hook {project_key}")), "{text}");
}

/// `gemini hooks migrate --from-claude` copies Claude Code's hook with its `timeout: 30`, which
/// Gemini CLI reads as 30 ms.
#[test]
fn a_gemini_hook_with_a_timeout_in_seconds_needs_fixing() {
    let migrated = r#"{"hooks":{"BeforeTool":[{"matcher":"run_shell_command","hooks":[
        {"command":"/usr/local/bin/guard hook claude","type":"command","timeout":30}]}]}}"#;
    for (rel, settings, code) in [
        (".gemini/settings.json", migrated.to_string(), 1),
        ("project/.gemini/settings.json", migrated.to_string(), 1),
        (".gemini/settings.json", migrated.replace("30}", "30000}"), 0),
    ] {
        let h = Home::new();
        let bin = h.guard_on_path();
        h.write(rel, &settings);
        let (out, text) = h.doctor(&bin, &[]);
        assert_eq!(out.status.code(), Some(code), "{rel}: {text}");
        let warned = text.contains("has `timeout: 30`, which Gemini CLI reads as 30 ms");
        assert_eq!(warned, code == 1, "{rel}: {text}");
        if warned {
            assert!(
                text.contains(&h.home.join(rel).display().to_string()) && text.contains("set it to 30000"),
                "{text}"
            );
        }
    }
}
