//! The out-of-band approval store, for requesters without a terminal (an agent's hook, a
//! pipeline). A command judged `ask` leaves a request here; a human lists requests with
//! `guard pending` and decides with `guard approve ID` or `guard deny ID` at a terminal; the
//! next attempt of the *same command text in the same directory* finds the approval and uses it
//! up. One JSON file per request, `ID.json`; a used approval is renamed to `ID.used`.
//!
//! Trust rests on file ownership: a decision counts only when its file belongs to the owner of
//! the store directory. With the usual private directory (0700) that is simply you; with a
//! directory shared with an agent's account it is the human who owns it, so the agent can make
//! requests but not forge approvals.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use super::{ApprovalConfig, Error};
use crate::policy::{Decision, Verdict};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    Pending,
    Approved,
    Denied,
}

impl State {
    pub fn as_str(self) -> &'static str {
        match self {
            State::Pending => "pending",
            State::Approved => "approved",
            State::Denied => "denied",
        }
    }
}

/// What a human needs to judge a request: the rules that asked, their messages, and who asks.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestSummary {
    pub rules: Vec<String>,
    pub messages: Vec<String>,
    pub agent: String,
}

impl RequestSummary {
    /// The rules that asked (or denied) in `verdict` and their messages, for `agent`.
    pub fn of(verdict: &Verdict, agent: &str) -> RequestSummary {
        let mut s = RequestSummary { agent: agent.to_string(), ..RequestSummary::default() };
        for f in verdict.findings.iter().filter(|f| f.decision != Decision::Allow) {
            if !s.rules.contains(&f.rule) {
                s.rules.push(f.rule.clone());
                s.messages.push(f.message.clone());
            }
        }
        s
    }
}

/// One request, as stored in `ID.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Request {
    pub id: String,
    /// The exact command text; an approval is good for this text only.
    pub command: String,
    /// The directory it runs in; an approval is good there only.
    pub cwd: String,
    /// RFC 3339, UTC.
    pub created: String,
    pub agent: String,
    pub rules: Vec<String>,
    pub messages: Vec<String>,
    pub state: State,
    /// When it was approved or denied (RFC 3339, UTC); an approval lasts the expiry from then.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decided: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approver: Option<String>,
}

/// An approval that was just used up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Approval {
    pub id: String,
    pub approver: String,
}

/// Files older than this are removed whenever the store is listed or written.
const KEEP: Duration = Duration::from_secs(24 * 60 * 60);

/// Clocks may disagree a little between the processes that write and read a stamp.
const SKEW: SignedDuration = SignedDuration::from_secs(60);

pub struct Store {
    dir: PathBuf,
    expiry: Duration,
    /// A fixed "now", for tests and tools; the clock otherwise.
    now: Option<Timestamp>,
    owner: u32,
    file_mode: u32,
}

impl Store {
    /// The store `cfg` names, created (0700) when missing.
    pub fn open(cfg: &ApprovalConfig) -> Result<Store, Error> {
        Store::open_dir(&cfg.store_dir()?, cfg.expiry)
    }

    pub fn open_dir(dir: &Path, expiry: Duration) -> Result<Store, Error> {
        fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .map_err(|e| Error::io("create the approval store", dir, e))?;
        let meta = fs::metadata(dir).map_err(|e| Error::io("read the approval store", dir, e))?;
        if !meta.is_dir() {
            return Err(Error::io("use the approval store", dir, std::io::ErrorKind::NotADirectory.into()));
        }
        if meta.mode() & 0o002 != 0 {
            return Err(Error::Unsafe { path: dir.to_path_buf() });
        }
        // A directory shared with a group (the agent's account) gets files that group can read.
        let file_mode = if meta.mode() & 0o070 != 0 { 0o640 } else { 0o600 };
        Ok(Store { dir: dir.to_path_buf(), expiry, now: None, owner: meta.uid(), file_mode })
    }

    /// The same store with the clock stopped at `now`.
    pub fn at(mut self, now: Timestamp) -> Store {
        self.now = Some(now);
        self
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The uid whose files are trusted: the owner of the store directory.
    pub fn owner(&self) -> u32 {
        self.owner
    }

    pub fn expiry(&self) -> Duration {
        self.expiry
    }

    pub fn now(&self) -> Timestamp {
        self.now.unwrap_or_else(Timestamp::now)
    }

    /// Ask for approval of `command` in `cwd`. A request for the same command and directory that
    /// is still waiting is returned instead of making a second one.
    pub fn request(&self, command: &str, cwd: &str, summary: RequestSummary) -> Result<Request, Error> {
        let _lock = self.lock()?;
        self.cleanup();
        if let Some(r) = self
            .requests()?
            .into_iter()
            .map(|(_, r, _)| r)
            .find(|r| r.state == State::Pending && r.command == command && r.cwd == cwd && self.live(&r.created))
        {
            return Ok(r);
        }
        let mut last = None;
        for _ in 0..16 {
            let id = new_id().map_err(|e| Error::io("draw a random id for", &self.dir, e))?;
            if self.path(&id, "used").exists() {
                continue;
            }
            let req = Request {
                id: id.clone(),
                command: command.to_string(),
                cwd: cwd.to_string(),
                created: stamp(self.now()),
                agent: summary.agent.clone(),
                rules: summary.rules.clone(),
                messages: summary.messages.clone(),
                state: State::Pending,
                decided: None,
                approver: None,
            };
            match self.write(&self.path(&id, "json"), &req, false) {
                Ok(()) => return Ok(req),
                Err(Error::Io { source, .. }) if source.kind() == std::io::ErrorKind::AlreadyExists => {
                    last = Some(source)
                }
                Err(e) => return Err(e),
            }
        }
        let e = last.unwrap_or_else(|| std::io::ErrorKind::AlreadyExists.into());
        Err(Error::io("find a free request id in", &self.dir, e))
    }

    /// The request `id`, in whatever state.
    pub fn get(&self, id: &str) -> Result<Request, Error> {
        if !is_id(id) {
            return Err(Error::NotFound { id: id.to_string() });
        }
        read(&self.path(id, "json")).map(|(r, _)| r)
    }

    /// Approve a waiting request; the approval can be used once, within the expiry from now.
    pub fn approve(&self, id: &str, approver: &str) -> Result<Request, Error> {
        self.decide(id, approver, State::Approved)
    }

    /// Deny a waiting request; a denied request never lets its command through.
    pub fn deny(&self, id: &str, approver: &str) -> Result<Request, Error> {
        self.decide(id, approver, State::Denied)
    }

    fn decide(&self, id: &str, approver: &str, to: State) -> Result<Request, Error> {
        let uid = nix::unistd::geteuid().as_raw();
        if uid != self.owner {
            return Err(Error::NotOwner { path: self.dir.clone(), owner: self.owner, uid });
        }
        if !is_id(id) {
            return Err(Error::NotFound { id: id.to_string() });
        }
        let _lock = self.lock()?;
        let path = self.path(id, "json");
        let (mut req, _) = read(&path)?;
        if req.state != State::Pending {
            return Err(Error::AlreadyDecided { id: id.to_string(), state: req.state });
        }
        if !self.live(&req.created) {
            return Err(Error::Expired { id: id.to_string() });
        }
        req.state = to;
        req.decided = Some(stamp(self.now()));
        req.approver = Some(approver.to_string());
        self.write(&path, &req, true)?;
        Ok(req)
    }

    /// Use up an approval of exactly `command` in exactly `cwd`, if there is a live one. Renaming
    /// the file is the commitment: of several guards racing for the same approval, only the one
    /// whose rename succeeds gets it.
    pub fn consume(&self, command: &str, cwd: &str) -> Result<Option<Approval>, Error> {
        for (path, req, meta) in self.requests()? {
            if req.state != State::Approved || req.command != command || req.cwd != cwd {
                continue;
            }
            if meta.uid() != self.owner || !req.decided.as_deref().is_some_and(|d| self.live(d)) {
                continue;
            }
            match fs::rename(&path, self.path(&req.id, "used")) {
                Ok(()) => return Ok(Some(Approval { id: req.id, approver: req.approver.unwrap_or_default() })),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => return Err(Error::io("use up the approval", &path, e)),
            }
        }
        Ok(None)
    }

    /// Requests waiting for a decision, oldest first.
    pub fn pending(&self) -> Result<Vec<Request>, Error> {
        self.cleanup();
        let mut out: Vec<Request> = self
            .requests()?
            .into_iter()
            .map(|(_, r, _)| r)
            .filter(|r| r.state == State::Pending && self.live(&r.created))
            .collect();
        out.sort_by(|a, b| a.created.cmp(&b.created));
        Ok(out)
    }

    /// How long ago `when` was, for display.
    pub fn age(&self, when: &str) -> Option<Duration> {
        let t: Timestamp = when.parse().ok()?;
        self.now().duration_since(t).try_into().ok()
    }

    /// True while a stamp is younger than the expiry (a stamp from the future beyond the clock
    /// skew is not trusted).
    fn live(&self, when: &str) -> bool {
        let Ok(t) = when.parse::<Timestamp>() else { return false };
        let Ok(expiry) = SignedDuration::try_from(self.expiry) else { return false };
        let age = self.now().duration_since(t);
        age > -SKEW && age < expiry
    }

    fn path(&self, id: &str, ext: &str) -> PathBuf {
        self.dir.join(format!("{id}.{ext}"))
    }

    /// Every readable request file, with its metadata. Unreadable files are skipped: a request
    /// that cannot be read cannot be approved or used either.
    fn requests(&self) -> Result<Vec<(PathBuf, Request, fs::Metadata)>, Error> {
        let entries = fs::read_dir(&self.dir).map_err(|e| Error::io("list the approval store", &self.dir, e))?;
        let mut out = Vec::new();
        for entry in entries.flatten() {
            let name = entry.file_name();
            let Some(id) = name.to_str().and_then(|n| n.strip_suffix(".json")) else { continue };
            if !is_id(id) {
                continue;
            }
            if let Ok((req, meta)) = read(&entry.path()) {
                if req.id == id {
                    out.push((entry.path(), req, meta));
                }
            }
        }
        Ok(out)
    }

    /// Hold the store's lock (an exclusive `flock` on the directory) until the file is dropped.
    pub(crate) fn lock(&self) -> Result<File, Error> {
        let dir = File::open(&self.dir).map_err(|e| Error::io("open the approval store", &self.dir, e))?;
        dir.lock().map_err(|e| Error::io("lock the approval store", &self.dir, e))?;
        Ok(dir)
    }

    /// Write `value` as JSON to `path` whole: into a temporary file first, then moved into place
    /// (`replace`) or linked there only if nothing is (`!replace`, fails with `AlreadyExists`).
    pub(crate) fn write(&self, path: &Path, value: &impl Serialize, replace: bool) -> Result<(), Error> {
        let bytes = serde_json::to_vec_pretty(value).expect("approval records always serialise");
        let tag = new_id().map_err(|e| Error::io("draw a random name in", &self.dir, e))?;
        let tmp = self.dir.join(format!(".tmp-{}-{tag}", std::process::id()));
        let result = (|| {
            let mut f = OpenOptions::new().write(true).create_new(true).mode(self.file_mode).open(&tmp)?;
            // The mode given to open is cut by the umask; set it exactly.
            f.set_permissions(fs::Permissions::from_mode(self.file_mode))?;
            f.write_all(&bytes)?;
            f.write_all(b"\n")?;
            f.sync_all()?;
            if replace {
                fs::rename(&tmp, path)
            } else {
                fs::hard_link(&tmp, path)
            }
        })();
        let _ = fs::remove_file(&tmp);
        result.map_err(|e| Error::io("write", path, e))
    }

    /// Remove what this store wrote more than a day ago. Best effort: a file that cannot be
    /// removed now will be tried again next time.
    pub(crate) fn cleanup(&self) {
        let Ok(entries) = fs::read_dir(&self.dir) else { return };
        let Some(cutoff) = SystemTime::now().checked_sub(KEEP) else { return };
        for entry in entries.flatten() {
            let name = entry.file_name();
            let Some(name) = name.to_str() else { continue };
            let ours = name.starts_with(".tmp-")
                || name.starts_with("session-")
                || name.rsplit_once('.').is_some_and(|(id, ext)| is_id(id) && (ext == "json" || ext == "used"));
            if ours && entry.metadata().and_then(|m| m.modified()).is_ok_and(|t| t < cutoff) {
                let _ = fs::remove_file(entry.path());
            }
        }
    }
}

fn read(path: &Path) -> Result<(Request, fs::Metadata), Error> {
    let text = fs::read(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => {
            Error::NotFound { id: path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default() }
        }
        _ => Error::io("read", path, e),
    })?;
    let meta = fs::metadata(path).map_err(|e| Error::io("read", path, e))?;
    let req =
        serde_json::from_slice(&text).map_err(|e| Error::Corrupt { path: path.to_path_buf(), why: e.to_string() })?;
    Ok((req, meta))
}

/// A request id: eight lowercase hex digits. Anything else is never a file name in the store,
/// so an id from the command line cannot point outside it.
pub fn is_id(s: &str) -> bool {
    s.len() == 8 && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

fn new_id() -> std::io::Result<String> {
    let n = getrandom::u32().map_err(|e| std::io::Error::other(e.to_string()))?;
    Ok(format!("{n:08x}"))
}

/// RFC 3339 in UTC with milliseconds, as the audit log writes times.
pub fn stamp(t: Timestamp) -> String {
    t.strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn summary() -> RequestSummary {
        RequestSummary {
            rules: vec!["git.force-push".into()],
            messages: vec!["rewrites history on the remote".into()],
            agent: "claude".into(),
        }
    }

    fn t0() -> Timestamp {
        "2026-04-20T09:00:00Z".parse().unwrap()
    }

    fn store(dir: &Path) -> Store {
        Store::open_dir(&dir.join("approvals"), Duration::from_secs(600)).unwrap().at(t0())
    }

    const CMD: &str = "git push --force origin main";

    #[test]
    fn a_second_request_for_the_same_command_and_directory_is_the_first() {
        let tmp = tempfile::tempdir().unwrap();
        let s = store(tmp.path());
        let a = s.request(CMD, "/w", summary()).unwrap();
        let b = s.request(CMD, "/w", summary()).unwrap();
        let c = s.request(CMD, "/elsewhere", summary()).unwrap();
        let d = s.request("git push origin main", "/w", summary()).unwrap();
        assert_eq!(a.id, b.id);
        assert!(is_id(&a.id), "{}", a.id);
        assert_ne!(a.id, c.id);
        assert_ne!(a.id, d.id);
        assert_eq!(s.pending().unwrap().len(), 3);
        // Once the first has expired, asking again makes a new request.
        let later = store(tmp.path()).at(t0() + SignedDuration::from_mins(11));
        let e = later.request(CMD, "/w", summary()).unwrap();
        assert_ne!(a.id, e.id);
    }

    #[test]
    fn an_approval_is_used_exactly_once() {
        let tmp = tempfile::tempdir().unwrap();
        let s = store(tmp.path());
        let r = s.request(CMD, "/w", summary()).unwrap();
        assert_eq!(s.consume(CMD, "/w").unwrap(), None, "a pending request lets nothing through");
        let approved = s.approve(&r.id, "alice").unwrap();
        assert_eq!(approved.state, State::Approved);
        assert_eq!(s.consume(CMD, "/w").unwrap(), Some(Approval { id: r.id.clone(), approver: "alice".into() }));
        assert_eq!(s.consume(CMD, "/w").unwrap(), None);
        assert!(s.pending().unwrap().is_empty());
        assert!(matches!(s.get(&r.id), Err(Error::NotFound { .. })));
    }

    #[test]
    fn a_denied_request_never_lets_its_command_through() {
        let tmp = tempfile::tempdir().unwrap();
        let s = store(tmp.path());
        let r = s.request(CMD, "/w", summary()).unwrap();
        s.deny(&r.id, "alice").unwrap();
        assert_eq!(s.consume(CMD, "/w").unwrap(), None);
        assert!(matches!(s.approve(&r.id, "alice"), Err(Error::AlreadyDecided { state: State::Denied, .. })));
        assert_eq!(s.consume(CMD, "/w").unwrap(), None);
        assert!(s.pending().unwrap().is_empty(), "a denied request is no longer waiting");
    }

    #[test]
    fn only_the_exact_command_text_in_the_same_directory_uses_an_approval() {
        let tmp = tempfile::tempdir().unwrap();
        let s = store(tmp.path());
        let r = s.request(CMD, "/w", summary()).unwrap();
        s.approve(&r.id, "alice").unwrap();
        for (cmd, cwd) in [
            (CMD, "/w/"),
            (CMD, "/other"),
            ("git push --force origin main ", "/w"),
            ("git push --force  origin main", "/w"),
            ("git push -f origin main", "/w"),
            ("git push --force origin main; rm -rf ~", "/w"),
        ] {
            assert_eq!(s.consume(cmd, cwd).unwrap(), None, "{cmd:?} in {cwd}");
        }
        assert!(s.consume(CMD, "/w").unwrap().is_some());
    }

    #[test]
    fn requests_and_approvals_expire() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        let s = store(dir);
        let old = s.request(CMD, "/w", summary()).unwrap();
        let eleven = store(dir).at(t0() + SignedDuration::from_mins(11));
        assert!(eleven.pending().unwrap().iter().all(|r| r.id != old.id), "an old request is not listed");
        assert!(matches!(eleven.approve(&old.id, "alice"), Err(Error::Expired { .. })));

        let r = s.request("make deploy", "/w", summary()).unwrap();
        let five = store(dir).at(t0() + SignedDuration::from_mins(5));
        five.approve(&r.id, "alice").unwrap();
        // Ten minutes from the approval, not from the request.
        let fourteen = store(dir).at(t0() + SignedDuration::from_mins(14));
        let sixteen = store(dir).at(t0() + SignedDuration::from_mins(16));
        assert_eq!(sixteen.consume("make deploy", "/w").unwrap(), None);
        assert!(fourteen.consume("make deploy", "/w").unwrap().is_some());
    }

    #[test]
    fn the_store_is_private() {
        let tmp = tempfile::tempdir().unwrap();
        let s = store(tmp.path());
        let r = s.request(CMD, "/w", summary()).unwrap();
        let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(s.dir()), 0o700);
        assert_eq!(mode(&s.dir().join(format!("{}.json", r.id))), 0o600);
        s.approve(&r.id, "alice").unwrap();
        assert_eq!(mode(&s.dir().join(format!("{}.json", r.id))), 0o600);
    }

    #[test]
    fn a_store_anyone_can_write_is_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("approvals");
        fs::create_dir(&dir).unwrap();
        fs::set_permissions(&dir, fs::Permissions::from_mode(0o777)).unwrap();
        let err = Store::open_dir(&dir, Duration::from_secs(600)).err().expect("refused");
        assert!(err.to_string().contains("chmod o-w"), "{err}");
    }

    #[test]
    fn ids_from_outside_never_name_other_files() {
        let tmp = tempfile::tempdir().unwrap();
        let s = store(tmp.path());
        fs::write(tmp.path().join("x.json"), "{}").unwrap();
        for id in ["../x", "", "ABCDEF12", "1234567", "123456789", "../approvals/1234abcd"] {
            assert!(matches!(s.get(id), Err(Error::NotFound { .. })), "{id}");
            assert!(matches!(s.approve(id, "alice"), Err(Error::NotFound { .. })), "{id}");
        }
    }

    #[test]
    fn a_decision_in_a_file_someone_else_wrote_does_not_count() {
        // Only root can give a file to another owner, so this plays the other side: the store's
        // owner is taken to be someone else, as it is for an agent sharing a human's store.
        let tmp = tempfile::tempdir().unwrap();
        let mut s = store(tmp.path());
        let r = s.request(CMD, "/w", summary()).unwrap();
        s.approve(&r.id, "alice").unwrap();
        s.owner = s.owner.wrapping_add(1);
        assert_eq!(s.consume(CMD, "/w").unwrap(), None);
        assert!(matches!(s.deny(&r.id, "mallory"), Err(Error::NotOwner { .. })));
    }

    #[test]
    fn of_sixteen_racing_guards_exactly_one_uses_the_approval() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("approvals");
        let s = store(tmp.path());
        let r = s.request(CMD, "/w", summary()).unwrap();
        s.approve(&r.id, "alice").unwrap();
        let barrier = std::sync::Barrier::new(16);
        let wins: usize = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..16)
                .map(|_| {
                    scope.spawn(|| {
                        let s = Store::open_dir(&dir, Duration::from_secs(600)).unwrap().at(t0());
                        barrier.wait();
                        s.consume(CMD, "/w").unwrap().is_some() as usize
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).sum()
        });
        assert_eq!(wins, 1);
    }

    #[test]
    fn old_files_are_cleaned_up() {
        let tmp = tempfile::tempdir().unwrap();
        let s = store(tmp.path());
        let r = s.request(CMD, "/w", summary()).unwrap();
        let path = s.dir().join(format!("{}.json", r.id));
        let keep = s.dir().join("notes.txt");
        fs::write(&keep, "mine").unwrap();
        let two_days_ago = SystemTime::now() - Duration::from_secs(2 * 24 * 3600);
        for p in [&path, &keep] {
            File::options().write(true).open(p).unwrap().set_modified(two_days_ago).unwrap();
        }
        s.pending().unwrap();
        assert!(!path.exists());
        assert!(keep.exists(), "files guard did not write are left alone");
    }

    #[test]
    fn a_summary_keeps_each_rule_that_asked_once() {
        use crate::policy::{Finding, Severity};
        let f = |rule: &str, decision, message: &str| Finding {
            rule: rule.into(),
            decision,
            severity: Severity::High,
            message: message.into(),
            span: crate::plan::Span::new(0, 1),
            text: String::new(),
            invocation: Some(0),
            tags: vec![],
        };
        let mut v = Verdict::allow();
        v.add(f("git.force-push", Decision::Ask, "rewrites history"));
        v.add(Finding { span: crate::plan::Span::new(1, 2), ..f("git.force-push", Decision::Ask, "rewrites history") });
        v.add(f("note.only", Decision::Allow, "fine"));
        v.add(f("k8s.delete", Decision::Ask, "deletes"));
        let s = RequestSummary::of(&v, "codex");
        assert_eq!(s.rules, ["git.force-push", "k8s.delete"]);
        assert_eq!(s.messages, ["rewrites history", "deletes"]);
        assert_eq!(s.agent, "codex");
    }

    #[test]
    fn errors_say_what_to_do() {
        for (e, want) in [
            (Error::NotFound { id: "1234abcd".into() }, "guard pending"),
            (Error::Expired { id: "1234abcd".into() }, "run the command again"),
            (Error::AlreadyDecided { id: "1234abcd".into(), state: State::Denied }, "already denied"),
            (Error::NoPlace, "set HOME"),
            (Error::io("write", Path::new("/s/x"), std::io::ErrorKind::PermissionDenied.into()), "chmod 700"),
        ] {
            assert!(e.to_string().contains(want), "{e}");
        }
    }
}
