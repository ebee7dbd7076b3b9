//! Why a command guard let through did not run to its end, as a type: the exit status a shell
//! would give follows from what went wrong, not from the wording of a message.

use std::ffi::OsString;
use std::fmt;
use std::io;

use crate::io_advice;

#[derive(Debug)]
pub enum RunError {
    /// The program could not be started (`exec` failed).
    Start { program: OsString, source: io::Error },
    /// What guard sets up around the command (a pseudo-terminal, raw mode, pipes, signal
    /// forwarding) failed before or as it started.
    Setup { what: &'static str, source: io::Error },
    /// guard could not tell how the command ended.
    Lost { what: String },
}

impl RunError {
    /// `what` failed while setting up around the command.
    pub fn setup(what: &'static str) -> impl FnOnce(io::Error) -> RunError {
        move |source| RunError::Setup { what, source }
    }

    /// [`RunError::setup`] for a system call's error number.
    pub fn setup_errno(what: &'static str) -> impl FnOnce(nix::errno::Errno) -> RunError {
        move |e| RunError::Setup { what, source: io::Error::from(e) }
    }

    /// The status a shell gives when a command cannot run: 127 when the program is not there,
    /// 126 when it is there but cannot be run, or guard failed around it.
    pub fn exit_code(&self) -> i32 {
        match self {
            RunError::Start { source, .. } if source.kind() == io::ErrorKind::NotFound => 127,
            _ => 126,
        }
    }
}

impl fmt::Display for RunError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RunError::Start { program, source } if source.kind() == io::ErrorKind::NotFound => write!(
                f,
                "cannot start {}: no such program ({source}); check its name and PATH",
                program.to_string_lossy()
            ),
            RunError::Start { program, source } => {
                write!(f, "{}", io_advice::explain(&format!("cannot start {}", program.to_string_lossy()), source))
            }
            RunError::Setup { what, source } => {
                write!(f, "cannot {what} ({source}); the command was not run as asked, try again")
            }
            RunError::Lost { what } => write!(f, "lost track of the command ({what}); its exit status is unknown"),
        }
    }
}

impl std::error::Error for RunError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_exit_status_follows_what_went_wrong() {
        let start = |kind| RunError::Start { program: "prog".into(), source: io::Error::from(kind) };
        assert_eq!(start(io::ErrorKind::NotFound).exit_code(), 127);
        assert_eq!(start(io::ErrorKind::PermissionDenied).exit_code(), 126);
        assert_eq!(RunError::setup("open a pseudo-terminal")(io::Error::other("x")).exit_code(), 126);
        assert_eq!(RunError::Lost { what: "x".into() }.exit_code(), 126);
        assert!(start(io::ErrorKind::NotFound).to_string().contains("check its name and PATH"));
        assert!(start(io::ErrorKind::PermissionDenied).to_string().contains("permissions"));
    }
}
