//! Remembered answers on disk: "this session" patterns in the approval store, one file per
//! terminal session; "always" patterns in `$XDG_CONFIG_HOME/guard/remembered.yaml`, a list a
//! person can read and edit.
//!
//! Like approvals, a remembered answer counts only from a file that belongs to the owner of the
//! approval store and that nobody else can write.

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::remember::{rememberable, Pattern};
use super::store::{stamp, Store};
use super::{xdg_dir, ApprovalConfig, Error};
use crate::plan::Plan;
use crate::policy::Verdict;
use crate::shell::Env;

/// One remembered answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Remembered {
    /// The command pattern (shell text; `*` stands for any text within one path component).
    pub command: String,
    /// The rules whose asks it answers.
    pub rules: Vec<String>,
    /// When it was added: a date for "always", a time for "this session".
    pub added: String,
}

const HEADER: &str = "\
# Commands guard runs without asking, because you answered \"always\" at its prompt.
# Each entry covers commands matching `command` (shell words; a `*` stands for any text
# within one path component) and answers only the rules listed under `rules`.
# To forget an entry, delete its lines, from its \"- command:\" to the next one.
# To forget them all, delete this file.
";

/// The name of this terminal session: `GUARD_SESSION` when set, else the session leader's
/// process id and start time (so a reused process id is a new session).
pub fn session_id() -> String {
    if let Some(s) = std::env::var("GUARD_SESSION").ok().filter(|s| !s.is_empty()) {
        let clean = s.len() <= 64 && s.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
        return if clean {
            s
        } else {
            use sha2::Digest;
            sha2::Sha256::digest(s.as_bytes())[..8].iter().map(|b| format!("{b:02x}")).collect()
        };
    }
    let sid = nix::unistd::getsid(None).map(|p| p.as_raw()).unwrap_or(0);
    match leader_start(sid) {
        Some(start) => format!("{sid}-{start}"),
        None => sid.to_string(),
    }
}

/// The start time of process `pid`, in clock ticks since boot (field 22 of `/proc/PID/stat`).
fn leader_start(pid: i32) -> Option<u64> {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (field 2) may hold spaces and parentheses: count from its last `)`.
    stat.rsplit_once(')')?.1.split_whitespace().nth(19)?.parse().ok()
}

/// `$XDG_CONFIG_HOME/guard/remembered.yaml`.
pub fn always_path() -> Option<PathBuf> {
    xdg_dir("XDG_CONFIG_HOME", ".config").map(|d| d.join("guard/remembered.yaml"))
}

fn session_path(store: &Store) -> PathBuf {
    store.dir().join(format!("session-{}.json", session_id()))
}

/// Allow commands matching `pattern` without asking, for the rest of this terminal session.
pub fn remember_session(pattern: &Pattern, cfg: &ApprovalConfig) -> Result<(), Error> {
    let store = Store::open(cfg)?;
    add_to_session(&store, &session_path(&store), pattern)
}

/// Allow commands matching `pattern` without asking, from now on. Returns the file it went to.
pub fn remember_always(pattern: &Pattern, _cfg: &ApprovalConfig) -> Result<PathBuf, Error> {
    let path = always_path().ok_or(Error::NoPlace)?;
    let today = jiff::Timestamp::now().to_zoned_datetime(jiff::tz::TimeZone::system()).strftime("%Y-%m-%d").to_string();
    add_always(&path, pattern, &today)?;
    Ok(path)
}

/// The remembered pattern that answers every ask of `verdict` on `plan`, if there is one.
/// Any trouble reading what was remembered means nothing was: the human is asked.
pub fn remembered(plan: &Plan, verdict: &Verdict, cfg: &ApprovalConfig) -> Option<String> {
    let store = Store::open(cfg).ok()?;
    let always = always_path();
    find(plan, verdict, &store, &session_path(&store), always.as_deref(), &|text| {
        crate::environment::from_process(text)
    })
}

fn find(
    plan: &Plan,
    verdict: &Verdict,
    store: &Store,
    session: &Path,
    always: Option<&Path>,
    env: &dyn Fn(&str) -> Env,
) -> Option<String> {
    let (_, rules) = rememberable(plan, verdict)?;
    let mut entries =
        trusted(store, session).and_then(|t| serde_json::from_str::<Vec<Remembered>>(&t).ok()).unwrap_or_default();
    if let Some(list) =
        always.and_then(|p| trusted(store, p)).and_then(|t| serde_saphyr::from_str::<Option<Vec<Remembered>>>(&t).ok())
    {
        entries.extend(list.unwrap_or_default());
    }
    entries
        .into_iter()
        .find(|e| {
            rules.iter().all(|r| e.rules.contains(r))
                && Pattern { text: e.command.clone(), rules: e.rules.clone() }.matches(plan, &env(&e.command))
        })
        .map(|e| e.command)
}

/// The text of a file that belongs to the store's owner and only they can write.
fn trusted(store: &Store, path: &Path) -> Option<String> {
    let meta = fs::metadata(path).ok()?;
    if meta.uid() != store.owner() || meta.mode() & 0o022 != 0 {
        return None;
    }
    fs::read_to_string(path).ok()
}

fn add_to_session(store: &Store, path: &Path, pattern: &Pattern) -> Result<(), Error> {
    let _lock = store.lock()?;
    let mut entries: Vec<Remembered> =
        fs::read_to_string(path).ok().and_then(|t| serde_json::from_str(&t).ok()).unwrap_or_default();
    if !entries.iter().any(|e| e.command == pattern.text && e.rules == pattern.rules) {
        entries.push(Remembered {
            command: pattern.text.clone(),
            rules: pattern.rules.clone(),
            added: stamp(store.now()),
        });
    }
    store.write(path, &entries, true)
}

/// Append one entry, keeping whatever a person wrote in the file; a new file starts with a
/// comment saying how to remove entries.
fn add_always(path: &Path, pattern: &Pattern, date: &str) -> Result<(), Error> {
    if let Some(dir) = path.parent() {
        fs::DirBuilder::new().recursive(true).mode(0o700).create(dir).map_err(|e| Error::io("create", dir, e))?;
    }
    let mut file =
        OpenOptions::new().append(true).create(true).mode(0o600).open(path).map_err(|e| Error::io("open", path, e))?;
    file.lock().map_err(|e| Error::io("lock", path, e))?;
    let len = file.metadata().map_err(|e| Error::io("read", path, e))?.len();
    let entry = Remembered { command: pattern.text.clone(), rules: pattern.rules.clone(), added: date.to_string() };
    let yaml = serde_saphyr::to_string(&vec![entry])
        .map_err(|e| Error::Corrupt { path: path.to_path_buf(), why: e.to_string() })?;
    let mut text = if len == 0 { HEADER.to_string() } else { String::new() };
    text.push_str(&yaml);
    if !text.ends_with('\n') {
        text.push('\n');
    }
    file.write_all(text.as_bytes()).map_err(|e| Error::io("write to", path, e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::Span;
    use crate::policy::{Decision, Finding, Severity};
    use crate::shell::analyze;
    use std::os::unix::fs::PermissionsExt;
    use std::time::Duration;

    fn env(_: &str) -> Env {
        Env::new("/home/u", "/work/proj")
    }

    fn judged(command: &str, rule: &str) -> (Plan, Verdict) {
        let plan = analyze(command, &env(command));
        let mut v = Verdict::allow();
        let inv = plan.invocations.len() - 1;
        v.add(Finding {
            rule: rule.into(),
            decision: Decision::Ask,
            severity: Severity::High,
            message: "m".into(),
            span: Span::new(0, command.len()),
            text: command.into(),
            invocation: Some(inv),
            tags: vec![],
        });
        (plan, v)
    }

    fn pattern(text: &str, rule: &str) -> Pattern {
        Pattern { text: text.into(), rules: vec![rule.into()] }
    }

    struct Place {
        _tmp: tempfile::TempDir,
        store: Store,
        session: PathBuf,
        always: PathBuf,
    }

    fn place() -> Place {
        let tmp = tempfile::tempdir().unwrap();
        let store = Store::open_dir(&tmp.path().join("state/approvals"), Duration::from_secs(600)).unwrap();
        let session = store.dir().join("session-test.json");
        let always = tmp.path().join("config/guard/remembered.yaml");
        Place { _tmp: tmp, store, session, always }
    }

    fn lookup(p: &Place, command: &str, rule: &str) -> Option<String> {
        let (plan, v) = judged(command, rule);
        find(&plan, &v, &p.store, &p.session, Some(&p.always), &env)
    }

    #[test]
    fn a_session_pattern_answers_matching_commands_for_its_rules() {
        let p = place();
        assert_eq!(lookup(&p, "git push --force origin feature/y", "git.force-push"), None);
        add_to_session(&p.store, &p.session, &pattern("git push --force origin feature/*", "git.force-push")).unwrap();
        add_to_session(&p.store, &p.session, &pattern("git push --force origin feature/*", "git.force-push")).unwrap();
        let saved: Vec<Remembered> = serde_json::from_str(&fs::read_to_string(&p.session).unwrap()).unwrap();
        assert_eq!(saved.len(), 1, "remembered once");
        assert_eq!(
            lookup(&p, "git push --force origin feature/y", "git.force-push").as_deref(),
            Some("git push --force origin feature/*")
        );
        assert_eq!(lookup(&p, "git push --force origin main", "git.force-push"), None);
        assert_eq!(lookup(&p, "git push --force origin feature/y", "git.other-rule"), None);
        assert_eq!(lookup(&p, "sudo git push --force origin feature/y", "git.force-push"), None);
    }

    #[test]
    fn always_patterns_go_to_a_readable_file_that_keeps_edits() {
        let p = place();
        add_always(&p.always, &pattern("kubectl delete pod web-*", "k8s.delete"), "2026-04-20").unwrap();
        let mut text = fs::read_to_string(&p.always).unwrap();
        assert!(text.starts_with("# Commands guard runs without asking"), "{text}");
        assert!(text.contains("To forget an entry, delete its lines"), "{text}");
        text.push_str("# my note\n");
        fs::write(&p.always, &text).unwrap();
        add_always(&p.always, &pattern("docker rm -f web-*", "docker.rm"), "2026-04-21").unwrap();
        let text = fs::read_to_string(&p.always).unwrap();
        assert!(text.contains("# my note"), "{text}");
        assert_eq!(text.matches("# Commands guard").count(), 1, "{text}");
        let list: Vec<Remembered> = serde_saphyr::from_str(&text).unwrap();
        assert_eq!(list.len(), 2);
        assert_eq!(
            list[0],
            Remembered {
                command: "kubectl delete pod web-*".into(),
                rules: vec!["k8s.delete".into()],
                added: "2026-04-20".into()
            }
        );
        assert_eq!(fs::metadata(&p.always).unwrap().permissions().mode() & 0o777, 0o600);
        assert_eq!(lookup(&p, "docker rm -f web-2", "docker.rm").as_deref(), Some("docker rm -f web-*"));
        assert_eq!(lookup(&p, "kubectl delete pod web-3", "k8s.delete").as_deref(), Some("kubectl delete pod web-*"));
        assert_eq!(lookup(&p, "kubectl delete pod db-3", "k8s.delete"), None);
    }

    #[test]
    fn a_file_others_can_write_is_not_trusted() {
        let p = place();
        add_always(&p.always, &pattern("docker rm -f web-*", "docker.rm"), "2026-04-20").unwrap();
        fs::set_permissions(&p.always, fs::Permissions::from_mode(0o666)).unwrap();
        assert_eq!(lookup(&p, "docker rm -f web-2", "docker.rm"), None);
    }

    #[test]
    fn a_broken_file_remembers_nothing() {
        let p = place();
        fs::create_dir_all(p.always.parent().unwrap()).unwrap();
        fs::write(&p.always, "- command: [unclosed\n").unwrap();
        fs::set_permissions(&p.always, fs::Permissions::from_mode(0o600)).unwrap();
        assert_eq!(lookup(&p, "docker rm -f web-2", "docker.rm"), None);
    }

    #[test]
    fn a_remembered_pattern_never_answers_a_deny_or_a_shell() {
        let p = place();
        add_always(&p.always, &pattern("bash -c *", "x"), "2026-04-20").unwrap();
        add_always(&p.always, &pattern("git push --force origin feature/*", "x"), "2026-04-20").unwrap();
        assert_eq!(lookup(&p, "bash -c ls", "x"), None);
        let (plan, mut v) = judged("git push --force origin feature/z", "x");
        v.add(Finding { decision: Decision::Deny, rule: "y".into(), ..v.findings[0].clone() });
        assert_eq!(find(&plan, &v, &p.store, &p.session, Some(&p.always), &env), None);
    }

    #[test]
    fn session_ids_are_safe_file_names() {
        // Only the shape is checked: GUARD_SESSION is read from this process's environment.
        let id = session_id();
        assert!(!id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c)), "{id}");
        assert!(leader_start(std::process::id() as i32).is_some_and(|t| t > 0));
    }
}
