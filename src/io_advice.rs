//! What to do about a failed file operation, so every message that reports one also says how to
//! get past it. One place, so the same failure reads the same wherever guard meets it.

use std::io::{Error, ErrorKind};

/// A short piece of advice for `e`, to follow what failed: "cannot write X (…); ADVICE".
pub fn advice(e: &Error) -> &'static str {
    match e.kind() {
        ErrorKind::NotFound => "check that the path exists",
        ErrorKind::PermissionDenied => "check the permissions and owner of the file and its directory",
        ErrorKind::ReadOnlyFilesystem => "the file system is read-only; choose a writable place",
        ErrorKind::StorageFull | ErrorKind::QuotaExceeded => "the disk or quota is full; free some space",
        ErrorKind::IsADirectory => "it is a directory; name a file",
        ErrorKind::NotADirectory => "a part of the path is not a directory; check the path",
        ErrorKind::AlreadyExists => "something is already there; move it aside",
        ErrorKind::InvalidData => "it is not text guard can read; check its contents",
        ErrorKind::WouldBlock => "it is not a regular file (a FIFO or device); name a regular file",
        ErrorKind::FileTooLarge => "it is too large; name a smaller file",
        _ => "check the path and its permissions",
    }
}

/// `what (error); advice`, the usual tail of a message about a failed file operation.
pub fn explain(what: &str, e: &Error) -> String {
    format!("{what} ({e}); {}", advice(e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_common_failure_gets_its_own_advice() {
        let table: &[(ErrorKind, &str)] = &[
            (ErrorKind::NotFound, "exists"),
            (ErrorKind::PermissionDenied, "permissions"),
            (ErrorKind::StorageFull, "free some space"),
            (ErrorKind::ReadOnlyFilesystem, "read-only"),
            (ErrorKind::Other, "check the path"),
        ];
        for (kind, want) in table {
            assert!(advice(&Error::from(*kind)).contains(want), "{kind:?}");
        }
        let real = std::fs::read("/nonexistent/guard-io-advice").unwrap_err();
        assert!(explain("cannot read /nonexistent/guard-io-advice", &real).ends_with("; check that the path exists"));
    }
}
