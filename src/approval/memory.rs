//! Remembered answers on disk: "this session" patterns in the approval store's root, one file
//! per terminal session (0600); "always" patterns in `$XDG_CONFIG_HOME/guard/remembered.yaml`, a
//! list a person can read and edit (the policy loader does not read it as policy).
//!
//! A remembered answer counts only for the store's owner, and only from a file that belongs to
//! that owner, is not a link and nobody else can write; a session's answers only in the
//! terminal session, and for the user, they were given in. An agent asking through a person's
//! store never benefits from what that person remembered.

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::remember::{rememberable, Pattern};
use super::store::{read_trusted, stamp, Store};
use super::{ApprovalConfig, Error};
use crate::host::Host;
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

/// A session's answers, with the user and session they were given in; read back only by the
/// same user in the same session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct SessionFile {
    uid: u32,
    session: String,
    entries: Vec<Remembered>,
}

const HEADER: &str = "\
# Commands guard runs without asking, because you answered \"always\" at its prompt.
# Each entry covers commands matching `command` (shell words; a `*` stands for any text
# within one path component) and answers only the rules listed under `rules`.
# To forget an entry, delete its lines, from its \"- command:\" to the next one.
# To forget them all, delete this file.
";

/// What the kernel says about the terminal session a process is in.
#[derive(Debug, Clone, PartialEq, Eq)]
struct SessionFacts {
    uid: u32,
    /// This boot (`/proc/sys/kernel/random/boot_id`), as process start times restart with it.
    boot: String,
    /// The session leader's pid, and its start time in clock ticks since boot, so a reused pid
    /// is a new session.
    leader: i32,
    leader_start: u64,
    /// The controlling terminal's device number (0: none).
    tty: u64,
    /// `GUARD_SESSION`, which can only split a session further, never join another.
    narrow: Option<String>,
}

/// The session key: a digest of every fact, so it names one user's session on one terminal
/// and nothing a process can choose picks out another one.
fn key_of(f: &SessionFacts) -> String {
    use sha2::Digest;
    let text = format!(
        "guard session\0{}\0{}\0{}\0{}\0{}\0{}",
        f.uid,
        f.boot,
        f.leader,
        f.leader_start,
        f.tty,
        f.narrow.as_deref().map(|n| format!("+{n}")).unwrap_or_default()
    );
    sha2::Sha256::digest(text.as_bytes())[..16].iter().map(|b| format!("{b:02x}")).collect()
}

/// Fields 3 onwards of `/proc/PID/stat` (the command name, field 2, may hold spaces and
/// parentheses: counted from its last `)`), so index `n - 3` is field `n`.
fn stat_fields(pid: &str) -> Option<Vec<String>> {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    Some(stat.rsplit_once(')')?.1.split_whitespace().map(str::to_string).collect())
}

/// The key of this process's terminal session, from `/proc`; `None` when the session cannot be
/// told apart (no `/proc`, or a leader outside this pid namespace).
pub fn session_key(host: &Host) -> Option<String> {
    let me = stat_fields("self")?;
    let leader: i32 = me.get(3)?.parse().ok().filter(|&sid| sid > 0)?;
    let tty = me.get(4)?.parse().ok()?;
    let leader_start = stat_fields(&leader.to_string())?.get(19)?.parse().ok()?;
    let boot = fs::read_to_string("/proc/sys/kernel/random/boot_id").unwrap_or_default().trim().to_string();
    let narrow = host.var("GUARD_SESSION").filter(|s| !s.is_empty()).map(str::to_string);
    Some(key_of(&SessionFacts { uid: nix::unistd::geteuid().as_raw(), boot, leader, leader_start, tty, narrow }))
}

/// `$XDG_CONFIG_HOME/guard/remembered.yaml`.
pub fn always_path(host: &Host) -> Option<PathBuf> {
    host.config_dir().map(|d| d.join("remembered.yaml"))
}

fn session_path(store: &Store, key: &str) -> PathBuf {
    store.dir().join(format!("session-{key}.json"))
}

/// Remembering is for the store's owner alone (see [`remembered`]).
fn owner_only(store: &Store) -> Result<(), Error> {
    let uid = nix::unistd::geteuid().as_raw();
    if uid != store.owner() {
        return Err(Error::NotOwner { path: store.dir().to_path_buf(), owner: store.owner(), uid });
    }
    Ok(())
}

/// Allow commands matching `pattern` without asking, for the rest of this terminal session.
pub fn remember_session(host: &Host, pattern: &Pattern, cfg: &ApprovalConfig) -> Result<(), Error> {
    let store = Store::open(cfg)?;
    owner_only(&store)?;
    let key = session_key(host).ok_or(Error::NoSession)?;
    add_to_session(&store, nix::unistd::geteuid().as_raw(), &key, pattern)
}

/// Allow commands matching `pattern` without asking, from now on. Returns the file it went to.
pub fn remember_always(host: &Host, pattern: &Pattern, cfg: &ApprovalConfig) -> Result<PathBuf, Error> {
    owner_only(&Store::open(cfg)?)?;
    let path = always_path(host).ok_or(Error::NoPlace)?;
    let today = jiff::Timestamp::now().to_zoned_datetime(jiff::tz::TimeZone::system()).strftime("%Y-%m-%d").to_string();
    add_always(&path, pattern, &today)?;
    Ok(path)
}

/// The remembered pattern that answers every ask of `verdict` on `plan`, if there is one.
/// Any trouble reading what was remembered means nothing was: the human is asked.
pub fn remembered(host: &Host, plan: &Plan, verdict: &Verdict, cfg: &ApprovalConfig) -> Option<String> {
    let store = Store::open(cfg).ok()?;
    let caller = Caller { uid: nix::unistd::geteuid().as_raw(), session: session_key(host) };
    find(plan, verdict, &store, &caller, always_path(host).as_deref(), &|text| {
        crate::environment::for_parser(host, text)
    })
}

/// Who is looking for a remembered answer.
struct Caller {
    uid: u32,
    /// Their session's key, if it could be worked out.
    session: Option<String>,
}

fn find(
    plan: &Plan,
    verdict: &Verdict,
    store: &Store,
    caller: &Caller,
    always: Option<&Path>,
    env: &dyn Fn(&str) -> Env,
) -> Option<String> {
    if caller.uid != store.owner() {
        return None;
    }
    let (_, rules) = rememberable(plan, verdict)?;
    let mut entries = caller
        .session
        .as_deref()
        .and_then(|key| {
            let text = read_trusted(&session_path(store, key), store.owner())?;
            let file: SessionFile = serde_json::from_str(&text).ok()?;
            (file.uid == caller.uid && file.session == key).then_some(file.entries)
        })
        .unwrap_or_default();
    if let Some(list) = always
        .and_then(|p| read_trusted(p, store.owner()))
        .and_then(|t| serde_saphyr::from_str::<Option<Vec<Remembered>>>(&t).ok())
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

/// Add `pattern` to the answers of session `key` for `uid`, in a file only the owner can read.
fn add_to_session(store: &Store, uid: u32, key: &str, pattern: &Pattern) -> Result<(), Error> {
    let _lock = store.lock()?;
    let path = session_path(store, key);
    let mut file = read_trusted(&path, store.owner())
        .and_then(|t| serde_json::from_str::<SessionFile>(&t).ok())
        .filter(|f| f.uid == uid && f.session == key)
        .unwrap_or(SessionFile { uid, session: key.to_string(), entries: Vec::new() });
    if !file.entries.iter().any(|e| e.command == pattern.text && e.rules == pattern.rules) {
        file.entries.push(Remembered {
            command: pattern.text.clone(),
            rules: pattern.rules.clone(),
            added: stamp(store.now()),
        });
    }
    store.write(&path, &file, 0o600, true)
}

/// Append one entry, keeping whatever a person wrote in the file; a new file starts with a
/// comment saying how to remove entries.
fn add_always(path: &Path, pattern: &Pattern, date: &str) -> Result<(), Error> {
    if let Some(dir) = path.parent() {
        fs::DirBuilder::new().recursive(true).mode(0o700).create(dir).map_err(|e| Error::io("create", dir, e))?;
    }
    let mut file = OpenOptions::new()
        .append(true)
        .create(true)
        .mode(0o600)
        .custom_flags(libc::O_NOFOLLOW)
        .open(path)
        .map_err(|e| Error::io("open", path, e))?;
    crate::small_file::lock_within(&file, true, super::store::LOCK_WAIT).map_err(|e| Error::io("lock", path, e))?;
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
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
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

    fn me() -> u32 {
        nix::unistd::geteuid().as_raw()
    }

    const KEY: &str = "0123456789abcdef0123456789abcdef";

    struct Place {
        _tmp: tempfile::TempDir,
        store: Store,
        caller: Caller,
        always: PathBuf,
    }

    impl Place {
        fn session(&self) -> PathBuf {
            session_path(&self.store, KEY)
        }
    }

    fn place() -> Place {
        let tmp = tempfile::tempdir().unwrap();
        let store = Store::open_dir(&tmp.path().join("state/approvals"), Duration::from_secs(600)).unwrap();
        let always = tmp.path().join("config/guard/remembered.yaml");
        Place { _tmp: tmp, store, caller: Caller { uid: me(), session: Some(KEY.into()) }, always }
    }

    fn lookup_as(p: &Place, caller: &Caller, command: &str, rule: &str) -> Option<String> {
        let (plan, v) = judged(command, rule);
        find(&plan, &v, &p.store, caller, Some(&p.always), &env)
    }

    fn lookup(p: &Place, command: &str, rule: &str) -> Option<String> {
        lookup_as(p, &p.caller, command, rule)
    }

    fn remember(p: &Place, text: &str, rule: &str) {
        add_to_session(&p.store, me(), KEY, &pattern(text, rule)).unwrap();
    }

    #[test]
    fn a_session_pattern_answers_matching_commands_for_its_rules() {
        let p = place();
        assert_eq!(lookup(&p, "git push --force origin feature/y", "git.force-push"), None);
        remember(&p, "git push --force origin feature/*", "git.force-push");
        remember(&p, "git push --force origin feature/*", "git.force-push");
        let saved: SessionFile = serde_json::from_str(&fs::read_to_string(p.session()).unwrap()).unwrap();
        assert_eq!(saved.entries.len(), 1, "remembered once");
        assert_eq!((saved.uid, saved.session.as_str()), (me(), KEY), "the file says whose session it is");
        assert_eq!(
            lookup(&p, "git push --force origin feature/y", "git.force-push").as_deref(),
            Some("git push --force origin feature/*")
        );
        assert_eq!(lookup(&p, "git push --force origin main", "git.force-push"), None);
        assert_eq!(lookup(&p, "git push --force origin feature/y", "git.other-rule"), None);
        assert_eq!(lookup(&p, "sudo git push --force origin feature/y", "git.force-push"), None);
    }

    #[test]
    fn session_answers_are_private_even_in_a_shared_store() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("shared");
        fs::create_dir_all(root.join("requests")).unwrap();
        fs::set_permissions(&root, fs::Permissions::from_mode(0o750)).unwrap();
        fs::set_permissions(root.join("requests"), fs::Permissions::from_mode(0o3770)).unwrap();
        let store = Store::open_owned(&root, me(), Duration::from_secs(600)).unwrap();
        add_to_session(&store, me(), KEY, &pattern("make deploy", "x")).unwrap();
        let meta = fs::metadata(session_path(&store, KEY)).unwrap();
        assert_eq!(meta.mode() & 0o777, 0o600);
        assert_eq!(meta.uid(), me());
    }

    #[test]
    fn a_session_answer_counts_only_in_its_session_for_its_user() {
        let p = place();
        remember(&p, "make deploy", "x");
        assert!(lookup(&p, "make deploy", "x").is_some());
        // Another session of the same user, or none that can be told apart.
        let other = Caller { uid: me(), session: Some("f".repeat(32)) };
        assert_eq!(lookup_as(&p, &other, "make deploy", "x"), None);
        assert_eq!(lookup_as(&p, &Caller { uid: me(), session: None }, "make deploy", "x"), None);
        // Another user, even one holding the right key (as an agent sharing the store would).
        let agent = Caller { uid: me().wrapping_add(1), session: Some(KEY.into()) };
        assert_eq!(lookup_as(&p, &agent, "make deploy", "x"), None);
        // A file whose contents name another user or session, put under this session's name.
        for (uid, session) in [(me().wrapping_add(1), KEY.to_string()), (me(), "f".repeat(32))] {
            let file = SessionFile { uid, session, entries: vec![] };
            let mut text: serde_json::Value = serde_json::to_value(&file).unwrap();
            text["entries"] = serde_json::json!([{"command": "make deploy", "rules": ["x"], "added": "t"}]);
            p.store.write(&p.session(), &text, 0o600, true).unwrap();
            assert_eq!(lookup(&p, "make deploy", "x"), None, "uid {uid}");
        }
    }

    #[test]
    fn a_session_file_that_is_a_link_or_writable_by_others_is_not_trusted() {
        let p = place();
        remember(&p, "make deploy", "x");
        let real = p.store.dir().join("elsewhere.json");
        fs::rename(p.session(), &real).unwrap();
        std::os::unix::fs::symlink(&real, p.session()).unwrap();
        assert_eq!(lookup(&p, "make deploy", "x"), None, "a link");
        fs::remove_file(p.session()).unwrap();
        fs::rename(&real, p.session()).unwrap();
        assert!(lookup(&p, "make deploy", "x").is_some());
        fs::set_permissions(p.session(), fs::Permissions::from_mode(0o620)).unwrap();
        assert_eq!(lookup(&p, "make deploy", "x"), None, "group-writable");
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
    fn always_answers_count_only_for_the_store_owner_from_a_file_only_they_can_write() {
        let p = place();
        add_always(&p.always, &pattern("docker rm -f web-*", "docker.rm"), "2026-04-20").unwrap();
        assert!(lookup(&p, "docker rm -f web-2", "docker.rm").is_some());
        let agent = Caller { uid: me().wrapping_add(1), session: None };
        assert_eq!(lookup_as(&p, &agent, "docker rm -f web-2", "docker.rm"), None, "not the store's owner");
        fs::set_permissions(&p.always, fs::Permissions::from_mode(0o666)).unwrap();
        assert_eq!(lookup(&p, "docker rm -f web-2", "docker.rm"), None, "writable by others");
        fs::set_permissions(&p.always, fs::Permissions::from_mode(0o600)).unwrap();
        let real = p.always.with_file_name("real.yaml");
        fs::rename(&p.always, &real).unwrap();
        std::os::unix::fs::symlink(&real, &p.always).unwrap();
        assert_eq!(lookup(&p, "docker rm -f web-2", "docker.rm"), None, "a link");
        assert!(add_always(&p.always, &pattern("x *", "x"), "2026-04-20").is_err(), "nor is a link written through");
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
        assert_eq!(find(&plan, &v, &p.store, &p.caller, Some(&p.always), &env), None);
    }

    fn facts() -> SessionFacts {
        SessionFacts {
            uid: 1000,
            boot: "b8e1c0de-0000-4000-8000-000000000001".into(),
            leader: 4242,
            leader_start: 987_654,
            tty: 34816,
            narrow: None,
        }
    }

    #[test]
    fn a_session_key_changes_with_every_fact_of_the_session() {
        let base = key_of(&facts());
        assert_eq!(base, key_of(&facts()), "the same session has the same key");
        assert!(base.len() == 32 && base.bytes().all(|b| b.is_ascii_hexdigit()), "{base}");
        let changed: Vec<SessionFacts> = vec![
            SessionFacts { uid: 1001, ..facts() },
            SessionFacts { boot: "another boot".into(), ..facts() },
            SessionFacts { leader: 4243, ..facts() },
            SessionFacts { leader_start: 987_655, ..facts() },
            SessionFacts { tty: 0, ..facts() },
            SessionFacts { narrow: Some("work".into()), ..facts() },
        ];
        for f in &changed {
            assert_ne!(key_of(f), base, "{f:?}");
        }
        // GUARD_SESSION narrows: whatever it is set to, it never names a session it is not in,
        // not even by repeating another session's key or facts.
        let other = key_of(&SessionFacts { leader: 5000, ..facts() });
        for narrow in [other.as_str(), "", "4242", "1000\0b8e1c0de"] {
            let f = SessionFacts { narrow: Some(narrow.into()), ..facts() };
            assert_ne!(key_of(&f), other, "{narrow:?}");
            assert_ne!(key_of(&f), base, "{narrow:?}");
        }
    }

    #[test]
    fn this_process_has_a_session_key_from_proc() {
        let sid = nix::unistd::getsid(None).unwrap().as_raw();
        let me = stat_fields("self").expect("/proc/self/stat");
        assert_eq!(me.get(3).and_then(|s| s.parse::<i32>().ok()), Some(sid));
        if sid == 0 {
            // The session leader is outside this pid namespace: no session can be named.
            assert_eq!(session_key(&Host::from_process()), None);
            return;
        }
        let host = Host::from_process();
        let key = session_key(&host).expect("a session here");
        assert_eq!(session_key(&host), Some(key), "stable within a process");
    }
}
