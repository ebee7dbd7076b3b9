//! Human approval of commands judged `ask`: the terminal prompt, the out-of-band approval store
//! for requesters without a terminal, and remembered answers ("this session", "always").
//!
//! The channel is one the requester cannot drive: the prompt reads `/dev/tty`, never standard
//! input, and refuses to appear inside a command guard runs (`GUARD_ACTIVE`); out-of-band
//! approvals are given with `guard approve` at a terminal. A decision or a remembered answer
//! counts only from a file written by the owner of the approval store, in a directory only that
//! owner can write; the owner is the caller for the private store and the user the system
//! policy names for a shared one, so an agent running as another user can ask through a shared
//! store but cannot forge an answer there (see `store` and the README).

pub mod cli;
pub mod judged;
pub mod memory;
pub mod prompt;
pub mod question;
pub mod remember;
pub mod render;
pub mod store;

use std::path::{Path, PathBuf};
use std::time::Duration;

pub use memory::{remember_always, remember_session, remembered};
pub use prompt::{ask, PromptOptions};
pub use question::{Answer, PromptInfo, Question, Reason};
pub use remember::{generalise, Pattern};
pub use render::shown;
pub use store::{Approval, Findings, Request, RequestSummary, State, Store};

/// Where approvals are kept and how long they last. The policy settings fill this in;
/// `Default` is the built-in choice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApprovalConfig {
    /// A shared store directory the system policy names; `None` means the caller's own,
    /// `default_dir`.
    pub dir: Option<PathBuf>,
    /// The caller's own store, `guard/approvals` in the state directory, when there is one.
    pub default_dir: Option<PathBuf>,
    /// Whose store `dir` is: a user name or uid (required with `dir`).
    pub owner: Option<String>,
    /// How long a request waits for a decision, and how long an approval stays usable.
    pub expiry: Duration,
    /// How long the terminal prompt waits for a key before it counts as a refusal.
    pub prompt_timeout: Duration,
}

impl Default for ApprovalConfig {
    fn default() -> Self {
        ApprovalConfig {
            dir: None,
            default_dir: None,
            owner: None,
            expiry: Duration::from_secs(10 * 60),
            prompt_timeout: Duration::from_secs(60),
        }
    }
}

impl ApprovalConfig {
    /// The configuration the policy settings ask for.
    pub fn from_settings(s: &crate::policy::settings::Settings, host: &crate::host::Host) -> ApprovalConfig {
        let d = ApprovalConfig::default();
        ApprovalConfig {
            dir: s.approvals_dir.clone(),
            default_dir: host.state_dir().map(|d| d.join("approvals")),
            owner: s.approvals_owner.clone(),
            expiry: s.approval_expiry.unwrap_or(d.expiry),
            prompt_timeout: s.prompt_timeout.unwrap_or(d.prompt_timeout),
        }
    }

    /// The store directory this configuration uses.
    pub fn store_dir(&self) -> Result<PathBuf, Error> {
        if let Some(d) = &self.dir {
            return Ok(d.clone());
        }
        self.default_dir.clone().ok_or(Error::NoPlace)
    }

    /// The uid whose store this is, whose files alone are trusted and who alone decides: the
    /// configured owner of a shared store, else the caller (by effective uid, as files are
    /// owned).
    pub fn store_owner(&self) -> Result<u32, Error> {
        match (&self.dir, &self.owner) {
            (None, _) => Ok(nix::unistd::geteuid().as_raw()),
            (Some(dir), Some(o)) => {
                crate::environment::uid_of(o).ok_or_else(|| Error::NoOwner { dir: dir.clone(), named: Some(o.clone()) })
            }
            (Some(dir), None) => Err(Error::NoOwner { dir: dir.clone(), named: None }),
        }
    }

    /// Answers remembered for the caller can count: the caller is the store's owner. An agent
    /// asking through a person's store never benefits from that person's remembered answers.
    pub fn remembers(&self) -> bool {
        self.store_owner().is_ok_and(|o| o == nix::unistd::geteuid().as_raw())
    }
}

/// Something went wrong with approvals; every message says what happened and what to do.
#[derive(Debug)]
pub enum Error {
    /// Neither `XDG_STATE_HOME` nor `HOME` is set.
    NoPlace,
    Io {
        doing: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },
    /// A store directory others could change under its owner.
    Unsafe {
        path: PathBuf,
        why: &'static str,
        fix: &'static str,
    },
    /// A store directory is a symbolic link.
    Symlink {
        path: PathBuf,
    },
    /// A store directory belongs to someone other than the store's owner.
    WrongOwner {
        path: PathBuf,
        found: u32,
        expected: u32,
    },
    /// The shared store named in the settings is not set up.
    Missing {
        path: PathBuf,
        dir: PathBuf,
        owner: u32,
    },
    /// A shared store without an owner that exists (`named`: what the settings said).
    NoOwner {
        dir: PathBuf,
        named: Option<String>,
    },
    /// The request on file is not what the person was shown.
    Changed {
        id: String,
    },
    /// This terminal session cannot be told apart from others.
    NoSession,
    /// Only the owner of the store may decide.
    NotOwner {
        path: PathBuf,
        owner: u32,
        uid: u32,
    },
    NotFound {
        id: String,
    },
    AlreadyDecided {
        id: String,
        state: State,
    },
    Expired {
        id: String,
    },
    Corrupt {
        path: PathBuf,
        why: String,
    },
}

impl Error {
    pub(crate) fn io(doing: &'static str, path: &Path, source: std::io::Error) -> Error {
        Error::Io { doing, path: path.to_path_buf(), source }
    }
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::NoPlace => write!(
                f,
                "there is no place for the approval store: neither XDG_STATE_HOME nor HOME is set (as an \
                 absolute path); set HOME, or set an approvals directory in the policy settings"
            ),
            Error::Io { doing, path, source } => {
                use std::io::ErrorKind as K;
                let advice = match source.kind() {
                    K::PermissionDenied | K::ReadOnlyFilesystem => {
                        "check that you own it and can write to it (chmod 700 the directory, 600 its files)"
                    }
                    K::StorageFull | K::QuotaExceeded => "free some disk space",
                    K::NotADirectory | K::IsADirectory => "a path component is not what it should be; fix the path",
                    _ => "check the path, its permissions and free disk space",
                };
                write!(f, "cannot {doing} {}: {source}; {advice}", path.display())
            }
            Error::Unsafe { path, why, fix } => write!(
                f,
                "the approval store directory {} {why}, so nothing in it can be trusted; run `{fix} {}` \
                 (or `chmod 700` if it is yours alone)",
                path.display(),
                path.display()
            ),
            Error::Symlink { path } => write!(
                f,
                "the approval store directory {} is a symbolic link, and guard does not follow links there \
                 (whoever can change the link would choose the store); replace it with the directory itself, \
                 or name the real directory in the settings",
                path.display()
            ),
            Error::WrongOwner { path, found, expected } => {
                let (who, owner) = (user(*found), user(*expected));
                let expected = crate::environment::account(*expected).unwrap_or_else(|| expected.to_string());
                write!(
                    f,
                    "the approval store directory {} belongs to {who}, but this store is {owner}'s, and guard \
                     trusts nothing in a directory someone else controls; if it is meant to be {owner}'s, run \
                     `sudo chown {} {}`; otherwise move it away (a private store is made again), or point guard \
                     at {owner}'s own store (settings.approvals.dir in /etc/guard/, or XDG_STATE_HOME)",
                    path.display(),
                    expected,
                    path.display()
                )
            }
            Error::Missing { path, dir, owner } => write!(
                f,
                "{} does not exist, and the approval store set in settings.approvals.dir must be set up \
                 before use; as root run `install -d -o {o} -g AGENT_GROUP -m 0750 {d}` and \
                 `install -d -o {o} -g AGENT_GROUP -m 3770 {d}/requests` (AGENT_GROUP: the group of the \
                 users who may ask; see the README)",
                path.display(),
                o = crate::environment::account(*owner).unwrap_or_else(|| owner.to_string()),
                d = dir.display()
            ),
            Error::NoOwner { dir, named: Some(name) } => write!(
                f,
                "settings.approvals.owner `{name}` is not an account in /etc/passwd, so the approval store {} \
                 has no owner to trust and nothing in it counts; correct the owner in /etc/guard/",
                dir.display()
            ),
            Error::NoOwner { dir, named: None } => write!(
                f,
                "the approval store {} has no owner set, so nothing in it counts; add settings.approvals.owner \
                 to the system policy in /etc/guard/",
                dir.display()
            ),
            Error::Changed { id } => write!(
                f,
                "request {} changed on disk while it was shown to you; nothing was decided; look at it again \
                 (`guard pending`) before you decide, and ask who can write the store's requests why",
                shown(id, render::NAME)
            ),
            Error::NoSession => write!(
                f,
                "this terminal session cannot be identified (no /proc, or its session leader is outside this \
                 process namespace), so an answer cannot be kept for it; answer `y` each time instead"
            ),
            Error::NotOwner { path, owner, uid } => write!(
                f,
                "only the owner of the approval store {} (uid {owner}) can decide requests, and you are uid \
                 {uid}; run this as that user",
                path.display()
            ),
            Error::NotFound { id } => write!(
                f,
                "there is no request {}: it may have been used, have expired or never existed; \
                 `guard pending` lists the requests waiting",
                shown(id, render::NAME)
            ),
            Error::AlreadyDecided { id, state } => write!(
                f,
                "request {} was already {}; nothing changed (a new attempt of the command makes a new request)",
                shown(id, render::NAME),
                state.as_str()
            ),
            Error::Expired { id } => write!(
                f,
                "request {} expired before it was decided; nothing changed (run the command again to make \
                 a new request)",
                shown(id, render::NAME)
            ),
            // What is wrong with a file may quote it (serde names a value it did not expect).
            Error::Corrupt { path, why } => write!(
                f,
                "cannot read {}: {}; delete the file (the request it held is lost and the command must be \
                 asked for again)",
                path.display(),
                shown(why, render::MESSAGE)
            ),
        }
    }
}

/// `name (uid N)`, or `uid N` for a uid without an account, for messages.
fn user(uid: u32) -> String {
    match crate::environment::account(uid) {
        Some(name) => format!("{name} (uid {uid})"),
        None => format!("uid {uid}"),
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}
