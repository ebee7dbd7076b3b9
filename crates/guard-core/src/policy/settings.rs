//! guard's own settings, from the `settings:` section of policy files: the shell that runs what
//! is allowed, where output is masked, session recording, the audit log and approvals. The
//! system layer is read first, then the user layer (and `--policy` files), each key overriding
//! the one before. A repository's `.guard.yaml` cannot change them: a cloned project must not
//! move your audit log or lengthen your approvals. Where approvals are kept and whose they are
//! (`approvals.dir`, `approvals.owner`) come from the system layer alone: the approval store is
//! what a person's decisions are trusted from, so nothing the guarded user can write may move it.

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::rule::{ContainMapSpec, ContainSpec, SettingsSpec};
use super::trust::LayerKind;

/// Where secrets in a command's output are masked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MaskOutput {
    /// Where a matching rule says `mask_output`, and in every agent session.
    #[default]
    Agents,
    /// Only where a matching rule says so.
    Rules,
    /// In the output of every command.
    Always,
    /// Nowhere, whatever the rules say.
    Never,
}

impl MaskOutput {
    pub(crate) fn parse(s: &str) -> Option<MaskOutput> {
        Some(match s {
            "agents" => MaskOutput::Agents,
            "rules" => MaskOutput::Rules,
            "always" => MaskOutput::Always,
            "never" => MaskOutput::Never,
            _ => return None,
        })
    }

    /// Whether to mask, given whether a matching rule asked for it and who is calling.
    pub fn applies(self, rule_says: bool, agent: bool) -> bool {
        match self {
            MaskOutput::Agents => rule_says || agent,
            MaskOutput::Rules => rule_says,
            MaskOutput::Always => true,
            MaskOutput::Never => false,
        }
    }
}

/// When the commands guard runs are contained (run in a kernel-enforced scope).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ContainWhen {
    /// Whenever guard runs a command for anyone but a person at their own terminal: an agent,
    /// a program, a command guard itself runs.
    #[default]
    Agents,
    /// Every command guard runs.
    Always,
    /// Never (unless `--contain` asks for it).
    Off,
}

/// `settings.contain`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contain {
    /// When to contain.
    pub when: ContainWhen,
    /// Refuse to run, rather than run judged only, when the kernel cannot contain.
    pub required: bool,
    /// More writable places (absolute, or `~/…`).
    pub writable: Vec<String>,
    /// Caches and tool homes (absolute, or `~/…`), writable.
    pub caches: Vec<String>,
    /// The temporary directories, writable; `None` means `$TMPDIR`, `/tmp`, `/var/tmp` and
    /// `/dev/shm`.
    pub temp: Option<Vec<String>>,
    /// TCP ports contained commands may connect to; `None` leaves the network alone.
    pub network: Option<Vec<u16>>,
    /// Agents' hooks answer allow with the command rewritten to run contained.
    pub hooks: bool,
}

/// Caches builds write to, by default (under the home directory). Only the caches: not the
/// parts of tool homes that run later by themselves (`~/.cargo/bin` and `~/.cargo/env`, which
/// a start-up file sources; version managers' shims and toolchains), which a contained command
/// could otherwise use to run outside its scope the next time a person opens a shell.
pub const DEFAULT_CACHES: &[&str] = &[
    "~/.cache",
    "~/.cargo/registry",
    "~/.cargo/git",
    "~/.npm",
    "~/.pnpm-store",
    "~/.local/share/pnpm/store",
    "~/.yarn/berry/cache",
    "~/.bun/install/cache",
    "~/go/pkg/mod",
    "~/.gradle/caches",
    "~/.m2/repository",
    "~/.nuget/packages",
];

impl Default for Contain {
    fn default() -> Self {
        Contain {
            when: ContainWhen::Agents,
            required: false,
            writable: Vec::new(),
            caches: DEFAULT_CACHES.iter().map(|c| c.to_string()).collect(),
            temp: None,
            network: None,
            hooks: false,
        }
    }
}

/// The settings in force. `Default` is guard's built-in behaviour.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// The real shell; `None` means `bash` on PATH.
    pub shell: Option<PathBuf>,
    /// Where secrets in output are masked.
    pub mask_output: MaskOutput,
    /// Record terminal sessions (asciicast v2, linked from the audit log).
    pub record: bool,
    /// The audit log; `None` means `$XDG_STATE_HOME/guard/audit.jsonl`.
    pub audit_path: Option<PathBuf>,
    /// Also send each audit entry to the system log.
    pub syslog: bool,
    /// `authpriv` or `user`; `None` means the audit trail's default.
    pub syslog_facility: Option<String>,
    /// Run an allowed command when its audit line cannot be written (with a warning).
    pub unrecorded_allowed_runs: bool,
    /// Run an approved (or observed) command when its audit line cannot be written.
    pub unrecorded_asked_runs: bool,
    /// How long an approval request lasts; `None` means the approval store's default.
    pub approval_expiry: Option<Duration>,
    /// How long the terminal prompt waits; `None` means the prompt's default.
    pub prompt_timeout: Option<Duration>,
    /// The system layer locked policy: the user's files may only tighten, and nothing from the
    /// environment may loosen (`GUARD_MASK=never`, `GUARD_SHELL`).
    pub locked: bool,
    /// A shared approval store, from the system layer; `None` means the caller's private one.
    pub approvals_dir: Option<PathBuf>,
    /// Whose store `approvals_dir` is (a user name or uid, resolved when the store is opened).
    pub approvals_owner: Option<String>,
    /// Containment of the commands guard runs.
    pub contain: Contain,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            shell: None,
            mask_output: MaskOutput::default(),
            record: false,
            audit_path: None,
            syslog: false,
            syslog_facility: None,
            unrecorded_allowed_runs: true,
            unrecorded_asked_runs: false,
            approval_expiry: None,
            prompt_timeout: None,
            locked: false,
            approvals_dir: None,
            approvals_owner: None,
            contain: Contain::default(),
        }
    }
}

/// The mapping a `contain:` word stands for, or why it stands for none.
fn contain_map(spec: &ContainSpec) -> Result<ContainMapSpec, String> {
    match spec {
        ContainSpec::Map(m) => Ok(m.clone()),
        ContainSpec::Word(w) => match w.as_str() {
            "agents" | "always" | "off" => Ok(ContainMapSpec { when: Some(w.clone()), ..Default::default() }),
            "required" => Ok(ContainMapSpec { required: Some(true), ..Default::default() }),
            _ => Err(format!(
                "settings.contain `{w}` is not one of agents, always, off, required (or a mapping with when, \
                 required, writable, caches, temp, network, hooks)"
            )),
        },
    }
}

fn contain_when(w: &str) -> Option<ContainWhen> {
    Some(match w {
        "agents" => ContainWhen::Agents,
        "always" => ContainWhen::Always,
        "off" => ContainWhen::Off,
        _ => return None,
    })
}

/// A place in a setting: absolute, or `~/…`.
fn is_place(p: &str) -> bool {
    Path::new(p).is_absolute() || p.starts_with("~/")
}

const FACILITIES: &[&str] = &["authpriv", "user"];

/// Every problem in a `settings:` section, as messages that say what to write instead.
pub(crate) fn check(spec: &SettingsSpec) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(s) = &spec.shell {
        if !Path::new(s).is_absolute() {
            out.push(format!("settings.shell `{s}` must be an absolute path, such as /bin/bash"));
        }
    }
    if let Some(m) = &spec.mask_output {
        if MaskOutput::parse(m).is_none() {
            out.push(format!("settings.mask_output `{m}` is not one of agents, rules, always, never"));
        }
    }
    if let Some(a) = &spec.audit {
        if let Some(p) = &a.path {
            if !(Path::new(p).is_absolute() || p.starts_with("~/")) {
                out.push(format!("settings.audit.path `{p}` must be absolute or start with ~/"));
            }
        }
        if let Some(f) = &a.syslog_facility {
            if !FACILITIES.contains(&f.as_str()) {
                out.push(format!("settings.audit.syslog_facility `{f}` is not one of {}", FACILITIES.join(", ")));
            }
        }
        if let Some(of) = &a.on_failure {
            for (key, v) in [("allowed", &of.allowed), ("asked", &of.asked)] {
                if let Some(v) = v.as_deref().filter(|v| !matches!(*v, "run" | "refuse")) {
                    out.push(format!("settings.audit.on_failure.{key} `{v}` is not `run` or `refuse`"));
                }
            }
        }
    }
    if let Some(c) = &spec.contain {
        match contain_map(c) {
            Err(e) => out.push(e),
            Ok(m) => {
                if let Some(w) = m.when.as_deref().filter(|w| contain_when(w).is_none()) {
                    out.push(format!("settings.contain.when `{w}` is not one of agents, always, off"));
                }
                for (key, list) in [("writable", &m.writable), ("caches", &m.caches)] {
                    for p in list.iter().flatten().filter(|p| !is_place(p)) {
                        out.push(format!("settings.contain.{key} `{p}` must be absolute or start with ~/"));
                    }
                }
                for p in m.temp.iter().flatten().filter(|p| !Path::new(p).is_absolute()) {
                    out.push(format!("settings.contain.temp `{p}` must be an absolute path, such as /tmp"));
                }
                if m.network.as_ref().is_some_and(|n| n.contains(&0)) {
                    out.push(
                        "settings.contain.network lists port 0; list the TCP ports to allow, such as [443, 80]".into(),
                    );
                }
            }
        }
    }
    if let Some(a) = &spec.approvals {
        for (key, v) in [("expiry", &a.expiry), ("prompt_timeout", &a.prompt_timeout)] {
            if let Some(v) = v {
                if let Err(e) = duration(v) {
                    out.push(format!("settings.approvals.{key}: {e}"));
                }
            }
        }
        if let Some(d) = a.dir.as_deref().filter(|d| !Path::new(d).is_absolute()) {
            out.push(format!("settings.approvals.dir `{d}` must be an absolute path, such as /srv/guard-approvals"));
        }
        if let Some(o) = a.owner.as_deref().filter(|o| !is_user(o)) {
            out.push(format!("settings.approvals.owner `{o}` is not a user name or a uid"));
        }
        match (&a.dir, &a.owner) {
            (Some(_), None) => out.push(
                "settings.approvals.dir needs settings.approvals.owner: the user (name or uid) whose store it \
                 is, whose decisions alone count"
                    .to_string(),
            ),
            (None, Some(_)) => out.push(
                "settings.approvals.owner names the owner of a shared store, and there is no \
                 settings.approvals.dir; add the directory or remove the owner"
                    .to_string(),
            ),
            _ => {}
        }
    }
    out
}

/// The shape of a user name (as `useradd` accepts it) or a uid.
fn is_user(s: &str) -> bool {
    let name = s.strip_suffix('$').unwrap_or(s);
    !name.is_empty()
        && s.len() <= 32
        && !name.starts_with('-')
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
}

/// `10m`, `90s`, `1h 30m`: a positive length of time.
pub(crate) fn duration(text: &str) -> Result<Duration, String> {
    let d: jiff::SignedDuration =
        text.trim().parse().map_err(|_| format!("`{text}` is not a length of time such as 90s, 10m or 2h"))?;
    Duration::try_from(d).ok().filter(|d| !d.is_zero()).ok_or_else(|| format!("`{text}` must be more than zero"))
}

impl Settings {
    /// Lay one file's settings over these. The section has passed [`check`]; `home` expands
    /// a leading `~/`; `layer` is where the file is from. Returns warnings about what was
    /// ignored, for the caller to show with the file's name.
    pub(crate) fn apply(&mut self, spec: &SettingsSpec, home: Option<&Path>, layer: LayerKind) -> Vec<String> {
        // Each value [`check`] would reject is left out on its own: one bad value costs the file
        // that value, not its other settings (a system file's `locked` above all).
        let mut warnings = Vec::new();
        let path = |p: &str| match (p.strip_prefix("~/"), home) {
            (Some(rest), Some(h)) => Some(h.join(rest)),
            (Some(_), None) => None,
            (None, _) => Some(PathBuf::from(p)).filter(|p| p.is_absolute()),
        };
        if let Some(s) = spec.shell.as_deref().filter(|s| Path::new(s).is_absolute()) {
            self.shell = Some(PathBuf::from(s));
        }
        if let Some(m) = spec.mask_output.as_deref().and_then(MaskOutput::parse) {
            self.mask_output = m;
        }
        if let Some(r) = spec.record {
            self.record = r;
        }
        if let Some(a) = &spec.audit {
            if let Some(p) = a.path.as_deref().and_then(path) {
                self.audit_path = Some(p);
            }
            if let Some(s) = a.syslog {
                self.syslog = s;
            }
            if let Some(f) = a.syslog_facility.as_ref().filter(|f| FACILITIES.contains(&f.as_str())) {
                self.syslog_facility = Some(f.clone());
            }
            if let Some(of) = &a.on_failure {
                let choice =
                    |v: &Option<String>| v.as_deref().filter(|v| matches!(*v, "run" | "refuse")).map(|v| v == "run");
                if let Some(run) = choice(&of.allowed) {
                    self.unrecorded_allowed_runs = run;
                }
                if let Some(run) = choice(&of.asked) {
                    self.unrecorded_asked_runs = run;
                }
            }
        }
        if let Some(m) = spec.contain.as_ref().and_then(|c| contain_map(c).ok()) {
            let c = &mut self.contain;
            if let Some(w) = m.when.as_deref().and_then(contain_when) {
                c.when = w;
            }
            if let Some(r) = m.required {
                c.required = r;
            }
            let places = |l: &Vec<String>| l.iter().filter(|p| is_place(p)).cloned().collect::<Vec<_>>();
            if let Some(l) = &m.writable {
                c.writable = places(l);
            }
            if let Some(l) = &m.caches {
                c.caches = places(l);
            }
            if let Some(l) = &m.temp {
                c.temp = Some(l.iter().filter(|p| Path::new(p).is_absolute()).cloned().collect());
            }
            if let Some(n) = &m.network {
                c.network = Some(n.iter().copied().filter(|p| *p != 0).collect());
            }
            if let Some(h) = m.hooks {
                c.hooks = h;
            }
        }
        if let Some(a) = &spec.approvals {
            if let Some(d) = a.expiry.as_deref().and_then(|v| duration(v).ok()) {
                self.approval_expiry = Some(d);
            }
            if let Some(d) = a.prompt_timeout.as_deref().and_then(|v| duration(v).ok()) {
                self.prompt_timeout = Some(d);
            }
            if a.dir.is_some() || a.owner.is_some() {
                if layer == LayerKind::System {
                    let dir = a.dir.as_deref().filter(|d| Path::new(d).is_absolute());
                    if let (Some(dir), Some(owner)) = (dir, a.owner.as_deref().filter(|o| is_user(o))) {
                        self.approvals_dir = Some(PathBuf::from(dir));
                        self.approvals_owner = Some(owner.to_string());
                    }
                } else {
                    warnings.push(
                        "settings.approvals.dir and settings.approvals.owner are ignored here: only the system \
                         policy may say where approvals are kept and whose they are; put them in a file in \
                         /etc/guard/"
                            .to_string(),
                    );
                }
            }
        }
        warnings
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(yaml: &str) -> SettingsSpec {
        serde_saphyr::from_str(yaml).unwrap()
    }

    #[test]
    fn each_key_of_a_later_file_overrides_the_one_before() {
        let mut s = Settings::default();
        s.apply(
            &spec(
                "shell: /bin/bash\nmask_output: always\naudit: {path: /var/log/guard.jsonl, syslog: true}\n\
                 approvals: {expiry: 5m}\n",
            ),
            None,
            LayerKind::System,
        );
        s.apply(
            &spec("mask_output: rules\naudit: {path: ~/log/audit.jsonl}\napprovals: {prompt_timeout: 90s}\n"),
            Some(Path::new("/home/u")),
            LayerKind::User,
        );
        assert_eq!(s.shell, Some(PathBuf::from("/bin/bash")));
        assert_eq!(s.mask_output, MaskOutput::Rules);
        assert_eq!(s.audit_path, Some(PathBuf::from("/home/u/log/audit.jsonl")));
        assert!(s.syslog);
        assert_eq!(s.approval_expiry, Some(Duration::from_secs(300)));
        assert_eq!(s.prompt_timeout, Some(Duration::from_secs(90)));
        assert!(s.unrecorded_allowed_runs && !s.unrecorded_asked_runs);
        s.apply(&spec("audit: {on_failure: {allowed: refuse, asked: run}}\n"), None, LayerKind::User);
        assert!(!s.unrecorded_allowed_runs && s.unrecorded_asked_runs);
    }

    #[test]
    fn bad_values_are_named_with_what_to_write_instead() {
        let table: &[(&str, &str)] = &[
            ("shell: bash", "absolute path"),
            ("mask_output: sometimes", "agents, rules, always, never"),
            ("audit: {path: logs/a.jsonl}", "absolute or start with ~/"),
            ("audit: {syslog_facility: local9}", "authpriv, user"),
            ("audit: {on_failure: {allowed: maybe}}", "`run` or `refuse`"),
            ("approvals: {expiry: soon}", "such as 90s"),
            ("approvals: {prompt_timeout: 0s}", "more than zero"),
            ("approvals: {dir: /srv/guard-approvals}", "needs settings.approvals.owner"),
            ("approvals: {owner: alice}", "there is no settings.approvals.dir"),
            ("approvals: {dir: srv/approvals, owner: alice}", "must be an absolute path"),
            ("approvals: {dir: /srv/a, owner: 'a:b'}", "not a user name or a uid"),
            ("approvals: {dir: /srv/a, owner: ''}", "not a user name or a uid"),
            ("approvals: {dir: /srv/a, owner: -rf}", "not a user name or a uid"),
        ];
        for (yaml, says) in table {
            let problems = check(&spec(yaml));
            assert_eq!(problems.len(), 1, "{yaml}: {problems:?}");
            assert!(problems[0].contains(says), "{yaml}: {problems:?}");
        }
        assert!(check(&spec("shell: /bin/zsh\napprovals: {expiry: 1h 30m}\n")).is_empty());
        assert!(check(&spec("approvals: {dir: /srv/a, owner: alice}\n")).is_empty());
        assert!(check(&spec("approvals: {dir: /srv/a, owner: 1000}\n")).is_empty());
        assert!(check(&spec("approvals: {dir: /srv/a, owner: machine$}\n")).is_empty());
    }

    #[test]
    fn the_approval_store_and_its_owner_come_from_the_system_layer_only() {
        let shared = spec("approvals: {dir: /srv/guard-approvals, owner: 1000}\n");
        let mut s = Settings::default();
        assert!(s.apply(&shared, None, LayerKind::System).is_empty());
        assert_eq!(s.approvals_dir, Some(PathBuf::from("/srv/guard-approvals")));
        assert_eq!(s.approvals_owner.as_deref(), Some("1000"), "a number in YAML is read as the uid");

        // A user file cannot move it, nor give it to someone else, and the rest of the file
        // still applies.
        let theirs = spec("approvals: {dir: /home/agent/fake, owner: agent, expiry: 1h}\nrecord: true\n");
        for layer in [LayerKind::User, LayerKind::Project] {
            let mut t = s.clone();
            let warnings = t.apply(&theirs, None, layer);
            assert_eq!(warnings.len(), 1, "{warnings:?}");
            assert!(
                warnings[0].contains("only the system policy") && warnings[0].contains("/etc/guard/"),
                "{warnings:?}"
            );
            assert_eq!(t.approvals_dir, Some(PathBuf::from("/srv/guard-approvals")));
            assert_eq!(t.approvals_owner.as_deref(), Some("1000"));
            assert_eq!(t.approval_expiry, Some(Duration::from_secs(3600)));
            assert!(t.record);
        }
        let mut fresh = Settings::default();
        fresh.apply(&theirs, None, LayerKind::User);
        assert_eq!((fresh.approvals_dir, fresh.approvals_owner), (None, None));
    }

    #[test]
    fn containment_is_a_word_or_a_mapping() {
        let mut s = Settings::default();
        assert_eq!(s.contain.when, ContainWhen::Agents);
        assert!(s.contain.caches.iter().any(|c| c == "~/.cargo/registry"));
        s.apply(&spec("contain: required\n"), None, LayerKind::User);
        assert!(s.contain.required);
        assert_eq!(s.contain.when, ContainWhen::Agents);
        s.apply(
            &spec("contain: {when: always, writable: [~/.m2x, /srv/out], network: [443, 80], hooks: true}\n"),
            None,
            LayerKind::User,
        );
        assert_eq!(s.contain.when, ContainWhen::Always);
        assert_eq!(s.contain.writable, ["~/.m2x", "/srv/out"]);
        assert_eq!(s.contain.network, Some(vec![443, 80]));
        assert!(s.contain.hooks && s.contain.required);
        s.apply(&spec("contain: off\n"), None, LayerKind::User);
        assert_eq!(s.contain.when, ContainWhen::Off);
        s.apply(&spec("contain: {when: off}\n"), None, LayerKind::User);
        assert_eq!(s.contain.when, ContainWhen::Off, "a bare `off` is read as false by YAML");
        let table: &[(&str, &str)] = &[
            ("contain: sometimes", "not one of agents, always, off, required"),
            ("contain: {when: never}", "not one of agents, always, off"),
            ("contain: {writable: [out]}", "must be absolute or start with ~/"),
            ("contain: {network: [0]}", "port 0"),
            ("contain: {temp: [tmp]}", "must be an absolute path"),
        ];
        for (yaml, says) in table {
            let problems = check(&spec(yaml));
            assert_eq!(problems.len(), 1, "{yaml}: {problems:?}");
            assert!(problems[0].contains(says), "{yaml}: {problems:?}");
        }
        assert!(serde_saphyr::from_str::<SettingsSpec>("contain: {whenn: always}\n").is_err());
    }

    #[test]
    fn masking_applies_where_the_setting_says() {
        use MaskOutput::*;
        let table = [
            (Agents, false, false, false),
            (Agents, true, false, true),
            (Agents, false, true, true),
            (Rules, false, true, false),
            (Rules, true, false, true),
            (Always, false, false, true),
            (Never, true, true, false),
        ];
        for (m, rule, agent, want) in table {
            assert_eq!(m.applies(rule, agent), want, "{m:?} rule={rule} agent={agent}");
        }
    }
}
