//! Human approval of commands judged `ask`: the terminal prompt, the out-of-band approval store
//! for requesters without a terminal, and remembered answers ("this session", "always").
//!
//! The channel is one the requester cannot drive: the prompt reads `/dev/tty`, never standard
//! input, and refuses to appear inside a command guard runs (`GUARD_ACTIVE`); out-of-band
//! approvals are given with `guard approve` at a terminal. An approval, given either way,
//! counts only when written by the owner of the approval store, so a store shared with an
//! agent running as another user cannot be forged by that agent (see the README).

pub mod cli;
pub mod memory;
pub mod prompt;
pub mod remember;
pub mod render;
pub mod store;

use std::path::{Path, PathBuf};
use std::time::Duration;

pub use memory::{remember_always, remember_session, remembered};
pub use prompt::{ask, Answer, PromptInfo, PromptOptions, Question, Reason};
pub use remember::{generalise, Pattern};
pub use store::{Approval, Request, RequestSummary, State, Store};

/// Where approvals are kept and how long they last. The policy settings fill this in;
/// `Default` is the built-in choice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApprovalConfig {
    /// The store directory; `None` means `$XDG_STATE_HOME/guard/approvals`.
    pub dir: Option<PathBuf>,
    /// How long a request waits for a decision, and how long an approval stays usable.
    pub expiry: Duration,
    /// How long the terminal prompt waits for a key before it counts as a refusal.
    pub prompt_timeout: Duration,
}

impl Default for ApprovalConfig {
    fn default() -> Self {
        ApprovalConfig { dir: None, expiry: Duration::from_secs(10 * 60), prompt_timeout: Duration::from_secs(60) }
    }
}

impl ApprovalConfig {
    /// The configuration the policy settings ask for.
    pub fn from_settings(s: &crate::policy::settings::Settings) -> ApprovalConfig {
        let d = ApprovalConfig::default();
        ApprovalConfig {
            dir: None,
            expiry: s.approval_expiry.unwrap_or(d.expiry),
            prompt_timeout: s.prompt_timeout.unwrap_or(d.prompt_timeout),
        }
    }

    /// The store directory this configuration uses.
    pub fn store_dir(&self) -> Result<PathBuf, Error> {
        if let Some(d) = &self.dir {
            return Ok(d.clone());
        }
        xdg_dir("XDG_STATE_HOME", ".local/state").map(|d| d.join("guard/approvals")).ok_or(Error::NoPlace)
    }
}

/// `$VAR` when it is an absolute path, else `$HOME/fallback`. The XDG spec says relative
/// values are to be ignored.
pub(crate) fn xdg_dir(var: &str, fallback: &str) -> Option<PathBuf> {
    let absolute = |v: Option<std::ffi::OsString>| v.map(PathBuf::from).filter(|p| p.is_absolute());
    absolute(std::env::var_os(var)).or_else(|| absolute(std::env::var_os("HOME")).map(|h| h.join(fallback)))
}

/// True inside a command that guard runs: the runner sets `GUARD_ACTIVE` in its children, and
/// nothing there may answer a prompt or approve a request, least of all its own.
pub fn under_guard() -> bool {
    std::env::var_os("GUARD_ACTIVE").is_some_and(|v| !v.is_empty())
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
    /// The store directory can be written by anyone.
    Unsafe {
        path: PathBuf,
    },
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
            Error::Unsafe { path } => write!(
                f,
                "the approval store {} can be written by every user, so approvals in it cannot be trusted; \
                 run `chmod o-w {}` (or `chmod 700` if it is yours alone)",
                path.display(),
                path.display()
            ),
            Error::NotOwner { path, owner, uid } => write!(
                f,
                "only the owner of the approval store {} (uid {owner}) can decide requests, and you are uid \
                 {uid}; run this as that user",
                path.display()
            ),
            Error::NotFound { id } => write!(
                f,
                "there is no request {id}: it may have been used, have expired or never existed; \
                 `guard pending` lists the requests waiting"
            ),
            Error::AlreadyDecided { id, state } => write!(
                f,
                "request {id} was already {}; nothing changed (a new attempt of the command makes a new request)",
                state.as_str()
            ),
            Error::Expired { id } => write!(
                f,
                "request {id} expired before it was decided; nothing changed (run the command again to make \
                 a new request)"
            ),
            Error::Corrupt { path, why } => write!(
                f,
                "cannot read {}: {why}; delete the file (the request it held is lost and the command must be \
                 asked for again)",
                path.display()
            ),
        }
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
