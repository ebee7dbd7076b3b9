//! guard's own settings, from the `settings:` section of policy files: the shell that runs what
//! is allowed, where output is masked, session recording, the audit log and approvals. The
//! system layer is read first, then the user layer (and `--policy` files), each key overriding
//! the one before. A repository's `.guard.yaml` cannot change them: a cloned project must not
//! move your audit log or lengthen your approvals.

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::rule::SettingsSpec;

/// Where secrets in a command's output are masked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MaskOutput {
    /// Where a matching rule says `mask_output`, and in every agent session.
    #[default]
    Agents,
    /// Only where a matching rule says so.
    Rules,
    Always,
    Never,
}

impl MaskOutput {
    pub fn parse(s: &str) -> Option<MaskOutput> {
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

/// The settings in force. `Default` is guard's built-in behaviour.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// The real shell; `None` means `bash` on PATH.
    pub shell: Option<PathBuf>,
    pub mask_output: MaskOutput,
    pub record: bool,
    /// The audit log; `None` means `$XDG_STATE_HOME/guard/audit.jsonl`.
    pub audit_path: Option<PathBuf>,
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
        }
    }
}

const FACILITIES: &[&str] = &["authpriv", "user"];

/// Every problem in a `settings:` section, as messages that say what to write instead.
pub fn check(spec: &SettingsSpec) -> Vec<String> {
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
    if let Some(a) = &spec.approvals {
        for (key, v) in [("expiry", &a.expiry), ("prompt_timeout", &a.prompt_timeout)] {
            if let Some(v) = v {
                if let Err(e) = duration(v) {
                    out.push(format!("settings.approvals.{key}: {e}"));
                }
            }
        }
    }
    out
}

/// `10m`, `90s`, `1h 30m`: a positive length of time.
pub fn duration(text: &str) -> Result<Duration, String> {
    let d: jiff::SignedDuration =
        text.trim().parse().map_err(|_| format!("`{text}` is not a length of time such as 90s, 10m or 2h"))?;
    Duration::try_from(d).ok().filter(|d| !d.is_zero()).ok_or_else(|| format!("`{text}` must be more than zero"))
}

impl Settings {
    /// Lay one file's settings over these. The section has passed [`check`]; `home` expands
    /// a leading `~/`.
    pub fn apply(&mut self, spec: &SettingsSpec, home: Option<&Path>) {
        let path = |p: &str| match (p.strip_prefix("~/"), home) {
            (Some(rest), Some(h)) => Some(h.join(rest)),
            (Some(_), None) => None,
            (None, _) => Some(PathBuf::from(p)),
        };
        if let Some(s) = &spec.shell {
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
            if let Some(f) = &a.syslog_facility {
                self.syslog_facility = Some(f.clone());
            }
            if let Some(of) = &a.on_failure {
                if let Some(v) = &of.allowed {
                    self.unrecorded_allowed_runs = v == "run";
                }
                if let Some(v) = &of.asked {
                    self.unrecorded_asked_runs = v == "run";
                }
            }
        }
        if let Some(a) = &spec.approvals {
            if let Some(d) = a.expiry.as_deref().and_then(|v| duration(v).ok()) {
                self.approval_expiry = Some(d);
            }
            if let Some(d) = a.prompt_timeout.as_deref().and_then(|v| duration(v).ok()) {
                self.prompt_timeout = Some(d);
            }
        }
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
        );
        s.apply(
            &spec("mask_output: rules\naudit: {path: ~/log/audit.jsonl}\napprovals: {prompt_timeout: 90s}\n"),
            Some(Path::new("/home/u")),
        );
        assert_eq!(s.shell, Some(PathBuf::from("/bin/bash")));
        assert_eq!(s.mask_output, MaskOutput::Rules);
        assert_eq!(s.audit_path, Some(PathBuf::from("/home/u/log/audit.jsonl")));
        assert!(s.syslog);
        assert_eq!(s.approval_expiry, Some(Duration::from_secs(300)));
        assert_eq!(s.prompt_timeout, Some(Duration::from_secs(90)));
        assert!(s.unrecorded_allowed_runs && !s.unrecorded_asked_runs);
        s.apply(&spec("audit: {on_failure: {allowed: refuse, asked: run}}\n"), None);
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
        ];
        for (yaml, says) in table {
            let problems = check(&spec(yaml));
            assert_eq!(problems.len(), 1, "{yaml}: {problems:?}");
            assert!(problems[0].contains(says), "{yaml}: {problems:?}");
        }
        assert!(check(&spec("shell: /bin/zsh\napprovals: {expiry: 1h 30m}\n")).is_empty());
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
