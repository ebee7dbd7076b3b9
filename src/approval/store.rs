//! The out-of-band approval store, for requesters without a terminal (an agent's hook, a
//! pipeline). A command judged `ask` leaves a request here; a human lists requests with
//! `guard pending` and decides with `guard approve ID` or `guard deny ID` at a terminal; the
//! next attempt of the *same command text in the same directory*, by the user who asked, finds
//! the approval and uses it up.
//!
//! Layout, so that a decision counts only from a file the store's owner wrote, in a directory
//! only the owner can write, while another user (an agent's account) can still ask:
//!
//! ```text
//! ROOT/               owner's; nobody else may write (0700 private, 0750 shared)
//!   ID.json           a decision: the request as the owner saw it, approved or denied
//!   session-KEY.json  "this session" answers (0600 always; see `memory`)
//!   requests/         owner's; shared with the asking group as 3770 (sticky: each keeps its own)
//!     ID.json         a request, written by whoever asks
//!     ID.used         the approval ID was used: created exclusively, so one attempt wins
//! ```
//!
//! The store's owner is the caller for the private store under `$XDG_STATE_HOME`, and the user
//! named in the system settings for a shared one; a directory that belongs to anyone else, is
//! a symbolic link, or can be written by others is refused, never trusted because of who owns
//! it. A request file can ask and be listed, and nothing more: its claimed state is ignored, a
//! decision copies what the owner was shown, and what it claims about who asked is replaced by
//! the owner of the file.

use std::fs::{self, File, OpenOptions};
use std::io::{Read, Write};
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

/// What a requester says about its request: the rules that asked, their messages, and who
/// asks. Whoever decides is shown their own guard's findings instead (see `judged`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestSummary {
    pub rules: Vec<String>,
    pub messages: Vec<String>,
    pub agent: String,
}

impl RequestSummary {
    /// The rules that asked (or denied) in `verdict` and their messages, for `agent`.
    pub fn of(verdict: &Verdict, agent: &str) -> RequestSummary {
        let Findings { rules, messages } = Findings::of(verdict);
        RequestSummary { rules, messages, agent: agent.to_string() }
    }
}

/// The rules that asked or denied in a verdict, each once, and their messages: what a decision
/// records of the judgement it was made on.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Findings {
    pub rules: Vec<String>,
    pub messages: Vec<String>,
}

impl Findings {
    pub fn of(verdict: &Verdict) -> Findings {
        let mut s = Findings::default();
        for f in verdict.findings.iter().filter(|f| f.decision != Decision::Allow) {
            if !s.rules.contains(&f.rule) {
                s.rules.push(f.rule.clone());
                s.messages.push(f.message.clone());
            }
        }
        s
    }
}

/// One request, as stored in `requests/ID.json`, and, decided, in `ID.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Request {
    pub id: String,
    /// The exact command text; an approval is good for this text only.
    pub command: String,
    /// The directory it runs in; an approval is good there only.
    pub cwd: String,
    /// RFC 3339, UTC.
    pub created: String,
    /// The agent, as the requester names it.
    pub agent: String,
    /// In a request: what the requester says asked, and why. In a decision: what the deciding
    /// person's own guard found.
    pub rules: Vec<String>,
    pub messages: Vec<String>,
    pub state: State,
    /// When it was approved or denied (RFC 3339, UTC); an approval lasts the expiry from then.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decided: Option<String>,
    /// Until when an approval may be used (RFC 3339, UTC): when it was given plus the expiry of
    /// whoever gave it, so that how long it lasts is the approver's to say. Whoever uses it
    /// honours this or its own expiry from `decided`, whichever ends first. `None` in decisions
    /// written before it was recorded (their own expiry alone counts then), and in requests.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approver: Option<String>,
    /// Who asked: the owner of the request file, whatever the file says. An approval is good
    /// for that user only. `None` in decisions written before it was recorded: the store's
    /// owner's then.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requester_uid: Option<u32>,
}

/// An approval that was just used up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Approval {
    pub id: String,
    pub approver: String,
}

/// Files are removed this long after the last time they could matter (a decision: after it
/// expired), whenever the store is listed or written.
const KEEP: Duration = Duration::from_secs(24 * 60 * 60);

/// Clocks may disagree a little between the processes that write and read a stamp.
const SKEW: SignedDuration = SignedDuration::from_secs(60);

/// The most guard reads of one file in the store; a request is a command line and a few words.
const MAX_FILE: u64 = 1 << 20;

/// The directory under the root where requests are filed and approvals marked used.
pub const REQUESTS: &str = "requests";

/// How long the store's lock is waited for: others hold it for a moment each; anything holding
/// it longer is stuck or hostile, and a prompt must not hang behind it.
pub(crate) const LOCK_WAIT: Duration = Duration::from_secs(2);

pub struct Store {
    /// The root: the owner's, holding decisions and session answers.
    dir: PathBuf,
    /// `requests/` under the root.
    requests: PathBuf,
    expiry: Duration,
    /// A fixed "now", for tests and tools; the clock otherwise.
    now: Option<Timestamp>,
    owner: u32,
    /// The mode of decisions: 0600 in a private root, 0644 where the root lets others in
    /// (the root's own mode then says who can reach them).
    file_mode: u32,
    /// The mode of requests and used-markers, by the same rule for `requests/`.
    request_mode: u32,
}

/// What kind of thing a path is, as `lstat` sees it (a link is never followed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Dir,
    File,
    Symlink,
    Other,
}

impl Kind {
    pub(crate) fn of(t: fs::FileType) -> Kind {
        if t.is_symlink() {
            Kind::Symlink
        } else if t.is_dir() {
            Kind::Dir
        } else if t.is_file() {
            Kind::File
        } else {
            Kind::Other
        }
    }
}

/// Which directory of the store is judged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Root,
    Requests,
}

/// What is wrong with a store directory, judged from its `lstat` alone.
#[derive(Debug, Clone, PartialEq, Eq)]
enum DirProblem {
    Symlink,
    NotADirectory,
    Owner { found: u32 },
    Writable { why: &'static str, fix: &'static str },
}

/// A store directory is a real directory owned by the store's owner that nobody else can
/// write; `requests/` may be shared with a group, only with the sticky bit, so that the group's
/// members cannot remove or replace each other's (or the owner's) files.
fn dir_problem(kind: Kind, uid: u32, mode: u32, owner: u32, role: Role) -> Option<DirProblem> {
    match kind {
        Kind::Symlink => return Some(DirProblem::Symlink),
        Kind::Dir => {}
        _ => return Some(DirProblem::NotADirectory),
    }
    if uid != owner {
        return Some(DirProblem::Owner { found: uid });
    }
    match role {
        Role::Root if mode & 0o022 != 0 => {
            Some(DirProblem::Writable { why: "can be written by its group or by others", fix: "chmod go-w" })
        }
        Role::Requests if mode & 0o002 != 0 => {
            Some(DirProblem::Writable { why: "can be written by every user", fix: "chmod o-w" })
        }
        Role::Requests if mode & 0o020 != 0 && mode & 0o1000 == 0 => Some(DirProblem::Writable {
            why: "is shared with its group without the sticky bit, so one member could remove or replace \
                  another's requests",
            fix: "chmod +t",
        }),
        _ => None,
    }
}

/// A file's content counts only if the store's owner wrote it and nobody else can change it:
/// a regular file (never a link), owned by `owner`, not writable by group or others.
pub(crate) fn trusted(kind: Kind, uid: u32, mode: u32, owner: u32) -> bool {
    kind == Kind::File && uid == owner && mode & 0o022 == 0
}

/// Check the store directory `path` (without following a link) for `role`.
fn check_dir(path: &Path, owner: u32, role: Role) -> Result<fs::Metadata, Error> {
    let meta = fs::symlink_metadata(path).map_err(|e| Error::io("read the approval store", path, e))?;
    let problem = dir_problem(Kind::of(meta.file_type()), meta.uid(), meta.mode(), owner, role);
    let path = path.to_path_buf();
    match problem {
        None => Ok(meta),
        Some(DirProblem::Symlink) => Err(Error::Symlink { path }),
        Some(DirProblem::NotADirectory) => {
            Err(Error::io("use the approval store", &path, std::io::ErrorKind::NotADirectory.into()))
        }
        Some(DirProblem::Owner { found }) => Err(Error::WrongOwner { path, found, expected: owner }),
        Some(DirProblem::Writable { why, fix }) => Err(Error::Unsafe { path, why, fix }),
    }
}

/// The mode of files in a directory of mode `dir_mode`: private unless the directory lets
/// others in, and then readable by those it lets in.
fn file_mode_in(dir_mode: u32) -> u32 {
    if dir_mode & 0o077 == 0 {
        0o600
    } else {
        0o644
    }
}

/// Open `path` for reading without following a link, with the metadata of what was opened:
/// `None` for anything but a regular file, so a link, a FIFO or a device planted by another
/// user can neither point guard elsewhere nor stall it.
fn open_regular(path: &Path) -> std::io::Result<Option<(File, fs::Metadata)>> {
    let file = match OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_NOCTTY)
        .open(path)
    {
        Ok(f) => f,
        Err(e) if e.raw_os_error() == Some(libc::ELOOP) => return Ok(None),
        Err(e) => return Err(e),
    };
    let meta = file.metadata()?;
    Ok(meta.file_type().is_file().then_some((file, meta)))
}

/// The bytes of the regular file `path` (at most [`MAX_FILE`]), with its metadata.
fn read_regular(path: &Path) -> std::io::Result<Option<(Vec<u8>, fs::Metadata)>> {
    let Some((file, meta)) = open_regular(path)? else { return Ok(None) };
    if meta.len() > MAX_FILE {
        return Ok(None);
    }
    let mut bytes = Vec::new();
    file.take(MAX_FILE).read_to_end(&mut bytes)?;
    Ok(Some((bytes, meta)))
}

/// The text of `path` if it is a file `owner` wrote and nobody else can change (see [`trusted`]).
pub(crate) fn read_trusted(path: &Path, owner: u32) -> Option<String> {
    let (bytes, meta) = read_regular(path).ok()??;
    trusted(Kind::File, meta.uid(), meta.mode(), owner).then(|| String::from_utf8(bytes).ok())?
}

fn euid() -> u32 {
    nix::unistd::geteuid().as_raw()
}

impl Store {
    /// The store `cfg` names: the shared one from the system settings (set up beforehand; see
    /// the README), else the caller's private one, made when missing.
    pub fn open(cfg: &ApprovalConfig) -> Result<Store, Error> {
        match &cfg.dir {
            Some(dir) => {
                let owner = cfg.store_owner()?;
                for d in [dir.clone(), dir.join(REQUESTS)] {
                    if fs::symlink_metadata(&d).is_err_and(|e| e.kind() == std::io::ErrorKind::NotFound) {
                        return Err(Error::Missing { path: d, dir: dir.clone(), owner });
                    }
                }
                Store::open_owned(dir, owner, cfg.expiry)
            }
            None => Store::open_dir(&cfg.store_dir()?, cfg.expiry),
        }
    }

    /// The caller's private store in `dir`: made (0700, with `requests/` 0700) when missing, and
    /// refused when it is there but someone else's.
    pub fn open_dir(dir: &Path, expiry: Duration) -> Result<Store, Error> {
        let owner = euid();
        fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .map_err(|e| Error::io("create the approval store", dir, e))?;
        check_dir(dir, owner, Role::Root)?;
        let requests = dir.join(REQUESTS);
        match fs::DirBuilder::new().mode(0o700).create(&requests) {
            Err(e) if e.kind() != std::io::ErrorKind::AlreadyExists => {
                return Err(Error::io("create the approval store", &requests, e))
            }
            _ => {}
        }
        Store::open_owned(dir, owner, expiry)
    }

    /// The store in `dir` that belongs to `owner`, as it is: both of its directories must be
    /// `owner`'s, real directories, and safe (see [`dir_problem`]).
    pub fn open_owned(dir: &Path, owner: u32, expiry: Duration) -> Result<Store, Error> {
        let root = check_dir(dir, owner, Role::Root)?;
        let requests = dir.join(REQUESTS);
        let shared = check_dir(&requests, owner, Role::Requests)?;
        Ok(Store {
            dir: dir.to_path_buf(),
            requests,
            expiry,
            now: None,
            owner,
            file_mode: file_mode_in(root.mode()),
            request_mode: file_mode_in(shared.mode()),
        })
    }

    /// The same store with the clock stopped at `now`.
    pub fn at(mut self, now: Timestamp) -> Store {
        self.now = Some(now);
        self
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The uid whose files are trusted, and who alone may decide.
    pub fn owner(&self) -> u32 {
        self.owner
    }

    /// The caller is the store's owner.
    pub fn is_owner(&self) -> bool {
        euid() == self.owner
    }

    pub fn expiry(&self) -> Duration {
        self.expiry
    }

    pub fn now(&self) -> Timestamp {
        self.now.unwrap_or_else(Timestamp::now)
    }

    /// Ask for approval of `command` in `cwd`. A request of the caller's for the same command
    /// and directory that is still waiting is returned instead of making a second one.
    pub fn request(&self, command: &str, cwd: &str, summary: RequestSummary) -> Result<Request, Error> {
        let me = euid();
        if let Some(r) =
            self.pending()?.into_iter().find(|r| r.command == command && r.cwd == cwd && r.requester_uid == Some(me))
        {
            return Ok(r);
        }
        let mut last = None;
        for _ in 0..16 {
            let id = new_id().map_err(|e| Error::io("draw a random id for", &self.dir, e))?;
            if self.used(&id) || fs::symlink_metadata(self.decision_path(&id)).is_ok() {
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
                expires: None,
                approver: None,
                requester_uid: Some(me),
            };
            match self.write(&self.request_path(&id), &req, self.request_mode, false) {
                Ok(()) => return Ok(req),
                Err(Error::Io { source, .. }) if source.kind() == std::io::ErrorKind::AlreadyExists => {
                    last = Some(source)
                }
                Err(e) => return Err(e),
            }
        }
        let e = last.unwrap_or_else(|| std::io::ErrorKind::AlreadyExists.into());
        Err(Error::io("find a free request id in", &self.requests, e))
    }

    /// The request `id`: decided, as the owner decided it; else waiting, as filed. A used or
    /// unknown id is not found.
    pub fn get(&self, id: &str) -> Result<Request, Error> {
        if !is_id(id) || self.used(id) {
            return Err(Error::NotFound { id: id.to_string() });
        }
        if let Some(d) = self.decision(id) {
            return Ok(d);
        }
        self.filed(id)?.ok_or_else(|| Error::NotFound { id: id.to_string() })
    }

    /// Approve the waiting request `id`, as it stands now, recording no findings; the approval
    /// can be used once, within the expiry from now. (`guard approve` judges the command first
    /// and records what it found: see [`Store::decide`].)
    pub fn approve(&self, id: &str, approver: &str) -> Result<Request, Error> {
        self.decide(&self.get(id)?, State::Approved, approver, &Findings::default())
    }

    /// Deny the waiting request `id`; a denied request never lets its command through.
    pub fn deny(&self, id: &str, approver: &str) -> Result<Request, Error> {
        self.decide(&self.get(id)?, State::Denied, approver, &Findings::default())
    }

    /// Decide the request that was shown to the person: the decision is written from `shown`,
    /// and only while the request on file still says exactly that, so a requester rewriting
    /// its file while the person reads it gets nothing. It records `found`, what the person's
    /// own guard found in the command, in place of what the request says.
    pub fn decide(&self, shown: &Request, to: State, approver: &str, found: &Findings) -> Result<Request, Error> {
        let uid = euid();
        if uid != self.owner {
            return Err(Error::NotOwner { path: self.dir.clone(), owner: self.owner, uid });
        }
        let id = shown.id.as_str();
        if !is_id(id) || self.used(id) {
            return Err(Error::NotFound { id: id.to_string() });
        }
        if let Some(d) = self.decision(id) {
            return Err(Error::AlreadyDecided { id: id.to_string(), state: d.state });
        }
        let filed = self.filed(id)?.ok_or_else(|| Error::NotFound { id: id.to_string() })?;
        if filed != *shown {
            return Err(Error::Changed { id: id.to_string() });
        }
        if !self.live(&filed.created) {
            return Err(Error::Expired { id: id.to_string() });
        }
        let mut d = filed;
        let now = self.now();
        d.state = to;
        d.decided = Some(stamp(now));
        if to == State::Approved {
            let lasts = SignedDuration::try_from(self.expiry).unwrap_or(SignedDuration::MAX);
            d.expires = Some(stamp(now.checked_add(lasts).unwrap_or(Timestamp::MAX)));
        }
        d.approver = Some(approver.to_string());
        d.rules = found.rules.clone();
        d.messages = found.messages.clone();
        // Linked into place, never over a file: of two decisions at once, the first stands.
        match self.write(&self.decision_path(id), &d, self.file_mode, false) {
            Ok(()) => Ok(d),
            Err(Error::Io { source, .. }) if source.kind() == std::io::ErrorKind::AlreadyExists => {
                match self.decision(id) {
                    Some(other) => Err(Error::AlreadyDecided { id: id.to_string(), state: other.state }),
                    None => Err(Error::Corrupt {
                        path: self.decision_path(id),
                        why: "it is in the way of the decision, and it is not one the store's owner wrote".into(),
                    }),
                }
            }
            Err(e) => Err(e),
        }
    }

    /// Use up an approval of exactly `command` in exactly `cwd`, given to the caller, if there is
    /// a live one. Creating the used-marker (exclusively) is the commitment: of several guards
    /// racing for the same approval, only the one that creates it gets it.
    pub fn consume(&self, command: &str, cwd: &str) -> Result<Option<Approval>, Error> {
        let me = euid();
        for d in self.decisions()? {
            if d.state != State::Approved || d.command != command || d.cwd != cwd {
                continue;
            }
            if d.requester_uid.unwrap_or(self.owner) != me || !self.usable(&d) {
                continue;
            }
            if self.used(&d.id) {
                continue;
            }
            let marker = self.used_path(&d.id);
            let created = OpenOptions::new()
                .write(true)
                .create_new(true)
                .custom_flags(libc::O_NOFOLLOW)
                .mode(self.request_mode)
                .open(&marker)
                .and_then(|f| f.set_permissions(fs::Permissions::from_mode(self.request_mode)));
            match created {
                Ok(()) => return Ok(Some(Approval { id: d.id, approver: d.approver.unwrap_or_default() })),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(Error::io("use up the approval", &marker, e)),
            }
        }
        Ok(None)
    }

    /// Requests waiting for a decision, oldest first.
    pub fn pending(&self) -> Result<Vec<Request>, Error> {
        self.cleanup();
        let entries =
            fs::read_dir(&self.requests).map_err(|e| Error::io("list the approval requests", &self.requests, e))?;
        let mut out = Vec::new();
        for entry in entries.flatten() {
            let name = entry.file_name();
            let Some(id) = name.to_str().and_then(|n| n.strip_suffix(".json")).filter(|id| is_id(id)) else {
                continue;
            };
            if self.used(id) || fs::symlink_metadata(self.decision_path(id)).is_ok() {
                continue;
            }
            if let Ok(Some(r)) = self.filed(id) {
                if self.live(&r.created) {
                    out.push(r);
                }
            }
        }
        out.sort_by(|a, b| a.created.cmp(&b.created));
        Ok(out)
    }

    /// An approval may still be used: within this store's expiry from when it was given, and
    /// before the time the approver set, if the decision says one.
    fn usable(&self, d: &Request) -> bool {
        let before = |t: &str| t.parse::<Timestamp>().is_ok_and(|t| self.now() < t);
        d.decided.as_deref().is_some_and(|t| self.live(t)) && d.expires.as_deref().is_none_or(before)
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

    fn decision_path(&self, id: &str) -> PathBuf {
        self.dir.join(format!("{id}.json"))
    }

    fn request_path(&self, id: &str) -> PathBuf {
        self.requests.join(format!("{id}.json"))
    }

    fn used_path(&self, id: &str) -> PathBuf {
        self.requests.join(format!("{id}.used"))
    }

    /// `id` was used: its marker exists (or, from before markers, its decision was renamed).
    fn used(&self, id: &str) -> bool {
        fs::symlink_metadata(self.used_path(id)).is_ok()
            || fs::symlink_metadata(self.dir.join(format!("{id}.used"))).is_ok()
    }

    /// The request `id` as filed, waiting: whatever state the file claims is ignored, and who
    /// asked is the file's owner. `None` when there is no such regular file.
    fn filed(&self, id: &str) -> Result<Option<Request>, Error> {
        let path = self.request_path(id);
        let (bytes, meta) = match read_regular(&path) {
            Ok(Some(r)) => r,
            Ok(None) => return Ok(None),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(Error::io("read", &path, e)),
        };
        let mut req: Request =
            serde_json::from_slice(&bytes).map_err(|e| Error::Corrupt { path: path.clone(), why: e.to_string() })?;
        if req.id != id {
            return Ok(None);
        }
        req.state = State::Pending;
        req.decided = None;
        req.expires = None;
        req.approver = None;
        req.requester_uid = Some(meta.uid());
        Ok(Some(req))
    }

    /// The owner's decision on `id`, if there is one that counts (see [`trusted`]).
    fn decision(&self, id: &str) -> Option<Request> {
        let text = read_trusted(&self.decision_path(id), self.owner)?;
        let d: Request = serde_json::from_str(&text).ok()?;
        (d.id == id && d.state != State::Pending).then_some(d)
    }

    /// Every decision that counts.
    fn decisions(&self) -> Result<Vec<Request>, Error> {
        let entries = fs::read_dir(&self.dir).map_err(|e| Error::io("list the approval store", &self.dir, e))?;
        Ok(entries
            .flatten()
            .filter_map(|e| {
                let name = e.file_name();
                let id = name.to_str()?.strip_suffix(".json").filter(|id| is_id(id))?.to_string();
                self.decision(&id)
            })
            .collect())
    }

    /// Hold the store's lock until the file is dropped: an exclusive `flock` on `.lock` in the
    /// root, a file only the owner can open, so another user cannot hold it.
    pub(crate) fn lock(&self) -> Result<File, Error> {
        let path = self.dir.join(".lock");
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .mode(0o600)
            .custom_flags(libc::O_NOFOLLOW)
            .open(&path)
            .map_err(|e| Error::io("open the lock of", &path, e))?;
        crate::small_file::lock_within(&file, true, LOCK_WAIT).map_err(|e| Error::io("lock", &path, e))?;
        Ok(file)
    }

    /// Write `value` as JSON to `path` whole, with `mode`: into a temporary file beside it
    /// first, then moved into place (`replace`) or linked there only if nothing is (`!replace`,
    /// fails with `AlreadyExists`).
    pub(crate) fn write(&self, path: &Path, value: &impl Serialize, mode: u32, replace: bool) -> Result<(), Error> {
        let bytes = serde_json::to_vec_pretty(value).expect("approval records always serialise");
        let dir = path.parent().unwrap_or(&self.dir);
        let tag = new_id().map_err(|e| Error::io("draw a random name in", dir, e))?;
        let tmp = dir.join(format!(".tmp-{}-{tag}", std::process::id()));
        let result = (|| {
            let mut f = OpenOptions::new().write(true).create_new(true).mode(mode).open(&tmp)?;
            // The mode given to open is cut by the umask; set it exactly.
            f.set_permissions(fs::Permissions::from_mode(mode))?;
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

    /// Remove what the store holds that can no longer matter. Best effort: what cannot be
    /// removed now (another user's file, for one) is tried again next time. A used-marker goes
    /// only once its decision has, so an approval is never usable again.
    pub(crate) fn cleanup(&self) {
        let Some(cutoff) = SystemTime::now().checked_sub(KEEP + self.expiry) else { return };
        let old = |e: &fs::DirEntry| e.metadata().and_then(|m| m.modified()).is_ok_and(|t| t < cutoff);
        let ours = |name: &str, exts: &[&str]| {
            name.starts_with(".tmp-") || name.rsplit_once('.').is_some_and(|(id, ext)| is_id(id) && exts.contains(&ext))
        };
        for entry in fs::read_dir(&self.dir).into_iter().flatten().flatten() {
            let name = entry.file_name();
            let Some(name) = name.to_str() else { continue };
            if (ours(name, &["json", "used"]) || name.starts_with("session-")) && old(&entry) {
                let _ = fs::remove_file(entry.path());
            }
        }
        for entry in fs::read_dir(&self.requests).into_iter().flatten().flatten() {
            let name = entry.file_name();
            let Some(name) = name.to_str() else { continue };
            let decided =
                name.strip_suffix(".used").is_some_and(|id| fs::symlink_metadata(self.decision_path(id)).is_ok());
            if ours(name, &["json", "used"]) && !decided && old(&entry) {
                let _ = fs::remove_file(entry.path());
            }
        }
    }
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
    fn an_approval_lasts_no_longer_than_the_approver_said_whatever_the_consumer_says() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("approvals");
        // The person decides with ten minutes; the asker's own settings say a hundred hours.
        let approver = store(tmp.path());
        let r = approver.request(CMD, "/w", summary()).unwrap();
        approver.approve(&r.id, "alice").unwrap();
        let asker =
            |mins, expiry: Duration| Store::open_dir(&dir, expiry).unwrap().at(t0() + SignedDuration::from_mins(mins));
        let hundred_hours = Duration::from_secs(100 * 3600);
        assert_eq!(asker(11, hundred_hours).consume(CMD, "/w").unwrap(), None, "past the approver's ten minutes");
        // And a shorter expiry of the asker's own still counts: the earlier of the two.
        assert_eq!(asker(6, Duration::from_secs(300)).consume(CMD, "/w").unwrap(), None);
        assert!(asker(9, hundred_hours).consume(CMD, "/w").unwrap().is_some());
    }

    #[test]
    fn a_request_is_approvable_for_as_long_as_the_approver_says() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("approvals");
        let asker = Store::open_dir(&dir, Duration::from_secs(100 * 3600)).unwrap().at(t0());
        let r = asker.request(CMD, "/w", summary()).unwrap();
        let approver = store(tmp.path()).at(t0() + SignedDuration::from_mins(11));
        assert!(approver.pending().unwrap().is_empty(), "expired, as the approver counts");
        assert!(matches!(approver.approve(&r.id, "alice"), Err(Error::Expired { .. })));
    }

    #[test]
    fn the_time_an_approval_ends_is_the_approvers_and_an_older_decision_without_one_keeps_its_rule() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("approvals");
        let s = store(tmp.path());
        let r = s.request(CMD, "/w", summary()).unwrap();
        // A request that names an end of its own names nothing.
        let claimed = Request { expires: Some("2999-01-01T00:00:00Z".into()), ..r.clone() };
        fs::write(s.dir().join(format!("requests/{}.json", r.id)), serde_json::to_vec(&claimed).unwrap()).unwrap();
        let filed = s.get(&r.id).unwrap();
        assert_eq!(filed.expires, None);
        let d = s.decide(&filed, State::Approved, "alice", &Findings::default()).unwrap();
        assert_eq!(d.expires.as_deref(), Some("2026-04-20T09:10:00.000Z"));
        // Written by a guard from before `expires`: the consumer's own expiry alone.
        let old = Request { expires: None, ..d.clone() };
        s.write(&s.dir().join(format!("{}.json", r.id)), &old, 0o600, true).unwrap();
        let asker = Store::open_dir(&dir, Duration::from_secs(100 * 3600)).unwrap();
        assert!(asker.at(t0() + SignedDuration::from_hours(50)).consume(CMD, "/w").unwrap().is_some());
        // One whose end cannot be read is not used.
        let r = s.request("make deploy", "/w", summary()).unwrap();
        let d = s.approve(&r.id, "alice").unwrap();
        let garbled = Request { expires: Some("soon".into()), ..d };
        s.write(&s.dir().join(format!("{}.json", r.id)), &garbled, 0o600, true).unwrap();
        assert_eq!(s.consume("make deploy", "/w").unwrap(), None);
        s.write(&s.dir().join(format!("{}.json", r.id)), &Request { expires: None, ..garbled }, 0o600, true).unwrap();
        assert!(s.consume("make deploy", "/w").unwrap().is_some());
    }

    #[test]
    fn the_store_is_private() {
        let tmp = tempfile::tempdir().unwrap();
        let s = store(tmp.path());
        let r = s.request(CMD, "/w", summary()).unwrap();
        let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o7777;
        assert_eq!(mode(s.dir()), 0o700);
        assert_eq!(mode(&s.dir().join("requests")), 0o700);
        assert_eq!(mode(&s.dir().join(format!("requests/{}.json", r.id))), 0o600);
        s.approve(&r.id, "alice").unwrap();
        assert_eq!(mode(&s.dir().join(format!("{}.json", r.id))), 0o600);
        s.consume(CMD, "/w").unwrap().unwrap();
        assert_eq!(mode(&s.dir().join(format!("requests/{}.used", r.id))), 0o600);
    }

    #[test]
    fn a_store_anyone_can_write_is_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("approvals");
        fs::create_dir(&dir).unwrap();
        fs::set_permissions(&dir, fs::Permissions::from_mode(0o777)).unwrap();
        let err = Store::open_dir(&dir, Duration::from_secs(600)).err().expect("refused");
        assert!(err.to_string().contains("chmod go-w"), "{err}");
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
        let path = s.dir().join(format!("requests/{}.json", r.id));
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

    fn me() -> u32 {
        nix::unistd::geteuid().as_raw()
    }

    fn mode(p: &Path) -> u32 {
        fs::symlink_metadata(p).unwrap().permissions().mode() & 0o7777
    }

    /// A store laid out as the README sets one up for an agent's group: root 0750, requests 3770.
    fn shared(tmp: &Path) -> Store {
        let root = tmp.join("shared");
        fs::create_dir_all(root.join("requests")).unwrap();
        fs::set_permissions(&root, fs::Permissions::from_mode(0o750)).unwrap();
        fs::set_permissions(root.join("requests"), fs::Permissions::from_mode(0o3770)).unwrap();
        Store::open_owned(&root, me(), Duration::from_secs(600)).unwrap().at(t0())
    }

    #[test]
    fn a_store_directory_must_be_a_real_directory_of_the_owner_that_nobody_else_can_write() {
        use Kind::{Dir, File, Other};
        use Role::{Requests, Root};
        // What is wrong, in short: the fix for a mode, or the kind of problem.
        let short = |p: Option<DirProblem>| match p {
            None => "ok".to_string(),
            Some(DirProblem::Writable { fix, .. }) => fix.to_string(),
            Some(DirProblem::Owner { found }) => format!("owner {found}"),
            Some(other) => format!("{other:?}"),
        };
        let table: &[(Kind, u32, u32, Role, &str)] = &[
            (Dir, 1000, 0o700, Root, "ok"),
            (Dir, 1000, 0o750, Root, "ok"),
            (Dir, 1000, 0o755, Root, "ok"),
            (Dir, 1000, 0o2750, Root, "ok"),
            (Dir, 1000, 0o770, Root, "chmod go-w"),
            (Dir, 1000, 0o2770, Root, "chmod go-w"),
            (Dir, 1000, 0o1777, Root, "chmod go-w"),
            (Dir, 1000, 0o700, Requests, "ok"),
            (Dir, 1000, 0o3770, Requests, "ok"),
            (Dir, 1000, 0o1770, Requests, "ok"),
            (Dir, 1000, 0o2770, Requests, "chmod +t"),
            (Dir, 1000, 0o770, Requests, "chmod +t"),
            (Dir, 1000, 0o1777, Requests, "chmod o-w"),
            (Dir, 1001, 0o700, Root, "owner 1001"),
            (Dir, 0, 0o755, Requests, "owner 0"),
            (Kind::Symlink, 1000, 0o777, Root, "Symlink"),
            (Kind::Symlink, 1000, 0o777, Requests, "Symlink"),
            (File, 1000, 0o700, Root, "NotADirectory"),
            (Other, 1000, 0o700, Requests, "NotADirectory"),
        ];
        for (kind, uid, mode, role, want) in table {
            let got = short(dir_problem(*kind, *uid, *mode, 1000, *role));
            assert_eq!(&got, want, "{kind:?} uid {uid} {mode:o} {role:?}");
        }
    }

    #[test]
    fn a_file_counts_only_when_the_owner_wrote_it_and_nobody_else_can_change_it() {
        assert!(trusted(Kind::File, 1000, 0o100600, 1000));
        assert!(trusted(Kind::File, 1000, 0o100644, 1000));
        assert!(trusted(Kind::File, 1000, 0o100400, 1000));
        assert!(!trusted(Kind::File, 1001, 0o100600, 1000), "another user's");
        assert!(!trusted(Kind::File, 0, 0o100600, 1000), "not even root's");
        assert!(!trusted(Kind::File, 1000, 0o100620, 1000), "group-writable");
        assert!(!trusted(Kind::File, 1000, 0o100602, 1000), "writable by others");
        assert!(!trusted(Kind::Symlink, 1000, 0o120777, 1000));
        assert!(!trusted(Kind::Other, 1000, 0o010600, 1000), "a FIFO");
        assert!(!trusted(Kind::Dir, 1000, 0o040700, 1000));
    }

    #[test]
    fn a_store_that_is_a_link_or_someone_elses_is_refused_with_what_to_do() {
        let tmp = tempfile::tempdir().unwrap();
        let real = tmp.path().join("real");
        let s = Store::open_dir(&real, Duration::from_secs(600)).unwrap();
        s.request(CMD, "/w", summary()).unwrap();
        let link = tmp.path().join("link");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        let err = Store::open_dir(&link, Duration::from_secs(600)).err().expect("a link is refused");
        assert!(matches!(err, Error::Symlink { .. }), "{err}");
        assert!(err.to_string().contains("is a symbolic link") && err.to_string().contains("replace it"), "{err}");

        // Whoever owns the directory, the store is the expected owner's: here someone else's.
        let err = Store::open_owned(&real, me().wrapping_add(1), Duration::from_secs(600)).err().expect("refused");
        let other = me().wrapping_add(1);
        assert!(matches!(err, Error::WrongOwner { found, expected, .. } if found == me() && expected == other));
        assert!(err.to_string().contains("belongs to") && err.to_string().contains("sudo chown"), "{err}");

        // requests/ is judged the same way.
        fs::rename(real.join("requests"), tmp.path().join("requests-elsewhere")).unwrap();
        std::os::unix::fs::symlink(tmp.path().join("requests-elsewhere"), real.join("requests")).unwrap();
        let err = Store::open_dir(&real, Duration::from_secs(600)).err().expect("a linked requests/ is refused");
        assert!(matches!(err, Error::Symlink { ref path } if path.ends_with("requests")), "{err}");
    }

    #[test]
    fn a_shared_store_that_is_not_set_up_or_has_no_owner_is_refused_with_what_to_do() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("srv");
        let cfg = |owner: Option<&str>| ApprovalConfig {
            dir: Some(dir.clone()),
            owner: owner.map(str::to_string),
            ..ApprovalConfig::default()
        };
        let err = Store::open(&cfg(Some(&me().to_string()))).err().expect("missing");
        assert!(err.to_string().contains("install -d") && err.to_string().contains("-m 3770"), "{err}");
        assert!(!dir.exists(), "a shared store is never made by guard");
        fs::create_dir(&dir).unwrap();
        let err = Store::open(&cfg(Some(&me().to_string()))).err().expect("requests/ missing");
        assert!(matches!(err, Error::Missing { ref path, .. } if path.ends_with("requests")), "{err}");
        fs::create_dir(dir.join("requests")).unwrap();
        assert!(Store::open(&cfg(Some(&me().to_string()))).is_ok());
        let err = Store::open(&cfg(Some("no-such-user-guard-test"))).err().expect("unknown owner");
        assert!(err.to_string().contains("not an account in /etc/passwd"), "{err}");
        let err = Store::open(&cfg(None)).err().expect("no owner");
        assert!(err.to_string().contains("add settings.approvals.owner"), "{err}");
    }

    #[test]
    fn a_shared_store_has_private_directories_and_files_only_its_directories_let_others_reach() {
        let tmp = tempfile::tempdir().unwrap();
        let s = shared(tmp.path());
        let r = s.request(CMD, "/w", summary()).unwrap();
        assert_eq!(mode(&s.dir().join(format!("requests/{}.json", r.id))), 0o644);
        s.approve(&r.id, "alice").unwrap();
        assert_eq!(mode(&s.dir().join(format!("{}.json", r.id))), 0o644);
        s.consume(CMD, "/w").unwrap().unwrap();
        assert_eq!(mode(&s.dir().join(format!("requests/{}.used", r.id))), 0o644);
        assert_eq!(mode(s.dir()), 0o750, "guard changes no directory's mode");
        assert_eq!(mode(&s.dir().join("requests")), 0o3770);
    }

    #[test]
    fn a_request_file_can_ask_and_nothing_more() {
        let tmp = tempfile::tempdir().unwrap();
        let s = store(tmp.path());
        let r = s.request(CMD, "/w", summary()).unwrap();
        let path = s.dir().join(format!("requests/{}.json", r.id));
        // A requester rewrites its own request to say it was approved, by someone, for someone.
        let forged = Request {
            state: State::Approved,
            decided: Some(stamp(t0())),
            approver: Some("alice".into()),
            requester_uid: Some(12345),
            ..r.clone()
        };
        fs::write(&path, serde_json::to_vec(&forged).unwrap()).unwrap();
        assert_eq!(s.consume(CMD, "/w").unwrap(), None, "a request file never makes a decision");
        let seen = s.get(&r.id).unwrap();
        assert_eq!(seen.state, State::Pending);
        assert_eq!((seen.decided, seen.approver), (None, None));
        assert_eq!(seen.requester_uid, Some(me()), "who asked is the file's owner, not what it says");
        assert_eq!(s.pending().unwrap().len(), 1);
        // Nor does the copy of a real decision put where requests go.
        let other = s.request("make deploy", "/w", summary()).unwrap();
        let decided = s.approve(&other.id, "alice").unwrap();
        fs::rename(s.dir().join(format!("{}.json", other.id)), tmp.path().join("kept.json")).unwrap();
        fs::write(s.dir().join(format!("requests/{}.json", other.id)), serde_json::to_vec(&decided).unwrap()).unwrap();
        assert_eq!(s.consume("make deploy", "/w").unwrap(), None);
    }

    #[test]
    fn a_decision_that_is_a_link_or_writable_by_others_does_not_count() {
        let tmp = tempfile::tempdir().unwrap();
        let s = store(tmp.path());
        let r = s.request(CMD, "/w", summary()).unwrap();
        s.approve(&r.id, "alice").unwrap();
        let decision = s.dir().join(format!("{}.json", r.id));
        let real = tmp.path().join("decision.json");
        fs::rename(&decision, &real).unwrap();
        std::os::unix::fs::symlink(&real, &decision).unwrap();
        assert_eq!(s.consume(CMD, "/w").unwrap(), None, "a link");
        fs::remove_file(&decision).unwrap();
        fs::rename(&real, &decision).unwrap();
        fs::set_permissions(&decision, fs::Permissions::from_mode(0o660)).unwrap();
        assert_eq!(s.consume(CMD, "/w").unwrap(), None, "group-writable");
        fs::set_permissions(&decision, fs::Permissions::from_mode(0o600)).unwrap();
        assert!(s.consume(CMD, "/w").unwrap().is_some(), "and the same file, safe, counts");
    }

    #[test]
    fn an_approval_is_good_only_for_the_user_who_asked() {
        let tmp = tempfile::tempdir().unwrap();
        let s = store(tmp.path());
        let r = s.request(CMD, "/w", summary()).unwrap();
        let mut d = s.approve(&r.id, "alice").unwrap();
        assert_eq!(d.requester_uid, Some(me()));
        d.requester_uid = Some(me().wrapping_add(1));
        s.write(&s.dir().join(format!("{}.json", r.id)), &d, 0o600, true).unwrap();
        assert_eq!(s.consume(CMD, "/w").unwrap(), None, "asked for by another user");
        // A decision from before requesters were recorded is the owner's.
        d.requester_uid = None;
        s.write(&s.dir().join(format!("{}.json", r.id)), &d, 0o600, true).unwrap();
        assert!(s.consume(CMD, "/w").unwrap().is_some());
    }

    #[test]
    fn a_decision_records_what_was_found_not_what_the_request_says() {
        let tmp = tempfile::tempdir().unwrap();
        let s = store(tmp.path());
        let r = s.request(CMD, "/w", summary()).unwrap();
        let found = Findings { rules: vec!["git.force-push-protected".into()], messages: vec!["to main".into()] };
        let d = s.decide(&r, State::Approved, "alice", &found).unwrap();
        assert_eq!((d.rules, d.messages), (found.rules.clone(), found.messages.clone()));
        let on_file = s.get(&r.id).unwrap();
        assert_eq!((on_file.rules, on_file.messages), (found.rules, found.messages));
    }

    #[test]
    fn a_decision_is_of_what_was_shown() {
        let tmp = tempfile::tempdir().unwrap();
        let s = store(tmp.path());
        let shown = s.request(CMD, "/w", summary()).unwrap();
        let path = s.dir().join(format!("requests/{}.json", shown.id));
        let swapped = Request { command: "git push --force origin main; rm -rf ~".into(), ..shown.clone() };
        fs::write(&path, serde_json::to_vec(&swapped).unwrap()).unwrap();
        let err = s.decide(&shown, State::Approved, "alice", &Findings::default()).expect_err("refused");
        assert!(matches!(err, Error::Changed { .. }), "{err}");
        assert!(err.to_string().contains("nothing was decided"), "{err}");
        assert!(!s.dir().join(format!("{}.json", shown.id)).exists());
        assert_eq!(s.consume(&swapped.command, "/w").unwrap(), None);
        assert_eq!(s.consume(CMD, "/w").unwrap(), None);
    }

    #[test]
    fn a_used_marker_outlives_its_decision_and_an_old_layout_still_counts() {
        let tmp = tempfile::tempdir().unwrap();
        let s = store(tmp.path());
        let r = s.request(CMD, "/w", summary()).unwrap();
        s.approve(&r.id, "alice").unwrap();
        s.consume(CMD, "/w").unwrap().unwrap();
        let marker = s.dir().join(format!("requests/{}.used", r.id));
        let decision = s.dir().join(format!("{}.json", r.id));
        let two_days_ago = SystemTime::now() - Duration::from_secs(2 * 24 * 3600);
        File::options().write(true).open(&marker).unwrap().set_modified(two_days_ago).unwrap();
        s.cleanup();
        assert!(marker.exists(), "kept while its decision is there");
        File::options().write(true).open(&decision).unwrap().set_modified(two_days_ago).unwrap();
        s.cleanup();
        assert!(!decision.exists() && !marker.exists());

        // Before requests/ existed, a decision was made in place and renamed to ID.used once used.
        let old = Request {
            id: "0badc0de".into(),
            command: "make deploy".into(),
            cwd: "/w".into(),
            created: stamp(t0()),
            agent: "claude".into(),
            rules: vec![],
            messages: vec![],
            state: State::Approved,
            decided: Some(stamp(t0())),
            expires: None,
            approver: Some("alice".into()),
            requester_uid: None,
        };
        s.write(&s.dir().join("0badc0de.used"), &old, 0o600, true).unwrap();
        s.write(&s.dir().join("0badc0de.json"), &old, 0o600, true).unwrap();
        assert_eq!(s.consume("make deploy", "/w").unwrap(), None, "used under the old layout");
        fs::remove_file(s.dir().join("0badc0de.used")).unwrap();
        assert!(s.consume("make deploy", "/w").unwrap().is_some(), "an old approval still counts once");
        assert_eq!(s.consume("make deploy", "/w").unwrap(), None);
    }

    #[test]
    fn what_is_planted_among_the_requests_cannot_stall_or_redirect_guard() {
        let tmp = tempfile::tempdir().unwrap();
        let s = shared(tmp.path());
        let requests = s.dir().join("requests");
        nix::unistd::mkfifo(&requests.join("00000f1f.json"), nix::sys::stat::Mode::from_bits_truncate(0o644)).unwrap();
        let elsewhere = tmp.path().join("outside.json");
        let r = s.request(CMD, "/w", summary()).unwrap();
        fs::copy(requests.join(format!("{}.json", r.id)), &elsewhere).unwrap();
        std::os::unix::fs::symlink(&elsewhere, requests.join("0000abcd.json")).unwrap();
        fs::write(requests.join("0000beef.json"), vec![b' '; (MAX_FILE + 1) as usize]).unwrap();
        let listed: Vec<String> = s.pending().unwrap().into_iter().map(|r| r.id).collect();
        assert_eq!(listed, [r.id], "only the real request is listed");
        assert!(matches!(s.get("00000f1f"), Err(Error::NotFound { .. })));
        assert!(matches!(s.get("0000abcd"), Err(Error::NotFound { .. })));
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
            (Error::Symlink { path: "/s".into() }, "replace it with the directory itself"),
            (Error::WrongOwner { path: "/s".into(), found: 0, expected: 0 }, "sudo chown root /s"),
            (Error::Unsafe { path: "/s".into(), why: "w", fix: "chmod go-w" }, "run `chmod go-w /s`"),
            (Error::Missing { path: "/s".into(), dir: "/s".into(), owner: 0 }, "install -d -o root"),
            (Error::NoOwner { dir: "/s".into(), named: None }, "add settings.approvals.owner"),
            (Error::Changed { id: "1234abcd".into() }, "look at it again"),
            (Error::NoSession, "answer `y` each time"),
        ] {
            assert!(e.to_string().contains(want), "{e}");
        }
    }
}
