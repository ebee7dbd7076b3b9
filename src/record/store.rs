//! Where recordings are kept and how one is asked for: `--record` or `GUARD_RECORD=1`, files in
//! `$XDG_STATE_HOME/guard/recordings/` (`~/.local/state/guard/recordings/`), directory 0700,
//! each file 0600 and created new, never through a symlink someone left in the way.

use std::fs::{File, OpenOptions};
use std::io;
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// The environment variable that turns recording on for every guarded command, so it can be set
/// once for an agent's whole session.
pub const ENV_VAR: &str = "GUARD_RECORD";

/// Whether this run records what the command shows: `--record` was given, `GUARD_RECORD` says
/// so, or the policy's `settings.record` does. Any one of them turns recording on.
pub fn requested(flag: bool, configured: bool, host: &crate::host::Host) -> bool {
    flag || configured || env_says_on(host.var(ENV_VAR))
}

/// `GUARD_RECORD`'s value read as a switch: unset, empty, `0`, `false`, `no` and `off` (in any
/// case) are off; anything else is on, so a typo leans towards keeping a record.
fn env_says_on(value: Option<&str>) -> bool {
    match value.map(str::trim) {
        None | Some("") => false,
        Some(v) => !["0", "false", "no", "off"].iter().any(|off| v.eq_ignore_ascii_case(off)),
    }
}

/// `$XDG_STATE_HOME/guard/recordings`, else `$HOME/.local/state/guard/recordings`.
pub fn dir(host: &crate::host::Host) -> Option<PathBuf> {
    host.state_dir().map(|d| d.join("recordings"))
}

/// A file name that sorts by time and does not repeat: `20260420T091502.123Z-4242-9f3a.cast`
/// for a recording started at that time by process 4242 (`nonce` tells apart two started in
/// the same millisecond by processes that reused a pid).
pub fn file_name(started: jiff::Timestamp, pid: u32, nonce: u16) -> String {
    format!("{}-{pid}-{nonce:04x}.cast", started.strftime("%Y%m%dT%H%M%S%.3fZ"))
}

/// A new recording file `name` in `dir`: the directory is made (0700) if need be and must be a
/// real directory of this user's; the file is created 0600 and must not exist yet, which also
/// means a symlink in its place is not followed.
pub fn create(dir: &Path, name: &str) -> Result<(PathBuf, File), String> {
    let fail = |doing: &str, path: &Path, e: io::Error| format!("cannot {doing} {}: {e}", path.display());
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(|e| fail("create the recordings directory", dir, e))?;
    let meta = std::fs::symlink_metadata(dir).map_err(|e| fail("inspect the recordings directory", dir, e))?;
    if !meta.is_dir() {
        return Err(format!("{} is not a directory (a symlink?); remove it or make it one", dir.display()));
    }
    if meta.uid() != nix::unistd::getuid().as_raw() {
        return Err(format!("{} belongs to another user; remove it so guard can make its own", dir.display()));
    }
    if meta.permissions().mode() & 0o077 != 0 {
        // Recordings hold whatever commands showed: others have no business in here.
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
            .map_err(|e| fail("restrict the permissions of", dir, e))?;
    }
    let path = dir.join(name);
    let file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC)
        .open(&path)
        .map_err(|e| fail("create the recording", &path, e))?;
    Ok((path, file))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_environment_switch() {
        for (value, on) in [
            (None, false),
            (Some(""), false),
            (Some("0"), false),
            (Some("false"), false),
            (Some("No"), false),
            (Some(" OFF "), false),
            (Some("1"), true),
            (Some("yes"), true),
            (Some("true"), true),
            (Some("on"), true),
            (Some("y"), true),
        ] {
            assert_eq!(env_says_on(value), on, "{value:?}");
        }
    }

    #[test]
    fn file_names_sort_by_time() {
        let t = |s: &str| s.parse::<jiff::Timestamp>().unwrap();
        let a = file_name(t("2026-04-20T09:15:02.123Z"), 4242, 0x9f3a);
        assert_eq!(a, "20260420T091502.123Z-4242-9f3a.cast");
        let b = file_name(t("2026-04-20T10:00:00Z"), 7, 1);
        assert_eq!(b, "20260420T100000.000Z-7-0001.cast");
        assert!(a < b);
    }

    #[test]
    fn files_are_private_new_and_never_through_a_symlink() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("state/guard/recordings");
        let (path, _) = create(&dir, "a.cast").unwrap();
        assert_eq!(path, dir.join("a.cast"));
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!((mode(&dir), mode(&path)), (0o700, 0o600));
        // The same name again is refused rather than overwritten.
        assert!(create(&dir, "a.cast").unwrap_err().contains("cannot create the recording"));
        // A symlink where the file would go is not followed.
        let target = tmp.path().join("elsewhere");
        std::os::unix::fs::symlink(&target, dir.join("b.cast")).unwrap();
        assert!(create(&dir, "b.cast").is_err());
        assert!(!target.exists());
        // A loosened directory is closed again.
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        create(&dir, "c.cast").unwrap();
        assert_eq!(mode(&dir), 0o700);
        // A symlink as the directory is refused.
        let link = tmp.path().join("link");
        std::os::unix::fs::symlink(&dir, &link).unwrap();
        assert!(create(&link, "d.cast").unwrap_err().contains("not a directory"));
    }
}
