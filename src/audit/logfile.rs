//! The log file: opening it without being led elsewhere, and appending one sealed line under a
//! lock.
//!
//! Opening trusts nothing the log's writer could have arranged. The log's own directory is
//! opened with `O_NOFOLLOW`, must be a real directory of the caller's, and is created (0700,
//! with any missing parents) when absent; directories above it are the user's choice and may
//! be symbolic links (a dotfiles repository, another disk). The file is then opened inside that
//! directory with `openat` and `O_NOFOLLOW`, so a symbolic link in its place is refused, not
//! followed; it must be a regular file of the caller's with no other name (a hard link would
//! make every append change another file). A new log is created with `O_EXCL` and set to 0600
//! on the descriptor guard just made; an existing one's mode is never changed.
//!
//! Appending takes an exclusive `flock`, reads the last line and writes with one `write` call
//! on an `O_APPEND` descriptor before letting go. Holding the lock across the read and the
//! write is what keeps parallel guards from forking the chain; `O_APPEND` and the single write
//! keep a line whole even beside a writer that ignores the lock.

use std::ffi::OsStr;
use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::os::unix::fs::{DirBuilderExt, MetadataExt, PermissionsExt};
use std::path::Path;

use nix::errno::Errno;
use nix::fcntl::OFlag;
use nix::sys::stat::Mode;
use sha2::{Digest, Sha256};

use super::chain::{self, GENESIS};
use super::entry::Entry;
use super::AuditError;

/// What one append wrote.
#[derive(Debug)]
pub struct Appended {
    /// The entry's line, without its newline.
    pub line: String,
    /// Things worth telling the user that did not stop the entry being recorded.
    pub warnings: Vec<String>,
}

/// Append `entry` to the log at `path`, creating the file and its directory as needed (see the
/// module's notes).
pub fn append(path: &Path, entry: &mut Entry) -> Result<Appended, AuditError> {
    let Opened { mut file, created } = open(path)?;
    file.lock().map_err(|e| AuditError::io("lock", path, e))?;
    // The lock is released when `file` is closed, on every path out of here.
    let meta = file.metadata().map_err(|e| AuditError::io("inspect", path, e))?;
    let mut warnings = Vec::new();
    let mode = meta.permissions().mode() & 0o777;
    if !created && mode & 0o077 != 0 {
        warnings.push(format!(
            "the audit log {} is open to other users (mode {mode:04o}), and it records every command \
             run; guard leaves the mode of a file it did not create alone: run `chmod 600 {}` unless \
             that is on purpose",
            path.display(),
            path.display()
        ));
    }
    let len = meta.len();
    let (last, ends_with_newline) = last_line(&mut file, len).map_err(|e| AuditError::io("read", path, e))?;
    let prev = match &last {
        None => GENESIS.to_string(),
        // A damaged last line still gets linked to, by the hash of its bytes; `verify` reports it.
        Some(line) => chain::hash_of_line(line).unwrap_or_else(|| chain::hex(&Sha256::digest(line))),
    };
    let line = chain::seal(entry, &prev);
    let mut buf = Vec::with_capacity(line.len() + 2);
    if !ends_with_newline {
        buf.push(b'\n');
    }
    buf.extend_from_slice(line.as_bytes());
    buf.push(b'\n');
    match file.write(&buf) {
        Ok(n) if n == buf.len() => Ok(Appended { line, warnings }),
        Ok(n) => {
            // Leave no half line behind for the next writer to chain onto.
            let _ = file.set_len(len);
            Err(AuditError::ShortWrite { path: path.to_path_buf(), written: n, expected: buf.len() })
        }
        Err(e) => {
            let _ = file.set_len(len);
            Err(AuditError::io("write to", path, e))
        }
    }
}

/// The log, open for reading and appending.
pub(crate) struct Opened {
    pub file: File,
    /// guard made the file just now.
    pub created: bool,
}

/// Open the log at `path` for appending, creating it and its directory when absent; refuses a
/// symbolic link as the file or its directory, a directory or file of another user, a file
/// that is not a regular file, and one with other names (see the module's notes).
pub(crate) fn open(path: &Path) -> Result<Opened, AuditError> {
    let Some(name) = path.file_name() else {
        return Err(AuditError::io("open", path, io::Error::from(io::ErrorKind::InvalidInput)));
    };
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let dir = open_dir(dir, path)?;
    open_in(&dir, name, path)
}

/// The log's directory, opened without following a symbolic link in its last component, made
/// when missing; it must belong to the caller.
fn open_dir(dir: &Path, log: &Path) -> Result<File, AuditError> {
    let flags = OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC;
    let open = || nix::fcntl::open(dir, flags, Mode::empty());
    let fd = match open() {
        Ok(fd) => fd,
        Err(Errno::ENOENT) => {
            std::fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(dir)
                .map_err(|e| AuditError::io("create the directory of", log, e))?;
            open().map_err(|e| dir_error(dir, log, e))?
        }
        Err(e) => return Err(dir_error(dir, log, e)),
    };
    let dir_file = File::from(fd);
    let meta = dir_file.metadata().map_err(|e| AuditError::io("inspect the directory of", log, e))?;
    if meta.uid() != nix::unistd::getuid().as_raw() {
        return Err(AuditError::NotOwned { path: dir.to_path_buf(), owner: meta.uid(), dir: true });
    }
    Ok(dir_file)
}

/// Why the log's directory did not open. With `O_NOFOLLOW` and `O_DIRECTORY` a symbolic link
/// fails as "not a directory" (or "too many links"), so `lstat` tells the two apart.
fn dir_error(dir: &Path, log: &Path, e: Errno) -> AuditError {
    match std::fs::symlink_metadata(dir) {
        Ok(m) if m.file_type().is_symlink() => AuditError::Symlink { path: dir.to_path_buf(), dir: true },
        _ => AuditError::io("open the directory of", log, e.into()),
    }
}

/// Open (or create) the file `name` in `dir` without following a symbolic link, and check
/// what it is.
fn open_in(dir: &File, name: &OsStr, path: &Path) -> Result<Opened, AuditError> {
    let flags = OFlag::O_RDWR | OFlag::O_APPEND | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC;
    let failed = |e: Errno| match e {
        Errno::ELOOP => AuditError::Symlink { path: path.to_path_buf(), dir: false },
        e => AuditError::io("open", path, e.into()),
    };
    // Another guard may create the file between the two attempts; then open what it made.
    for _ in 0..3 {
        match nix::fcntl::openat(dir, name, flags, Mode::empty()) {
            Ok(fd) => return checked(File::from(fd), path, false),
            Err(Errno::ENOENT) => {}
            Err(e) => return Err(failed(e)),
        }
        match nix::fcntl::openat(dir, name, flags | OFlag::O_CREAT | OFlag::O_EXCL, Mode::from_bits_truncate(0o600)) {
            Ok(fd) => {
                let file = File::from(fd);
                // Exactly 0600, whatever the umask took away.
                file.set_permissions(std::fs::Permissions::from_mode(0o600))
                    .map_err(|e| AuditError::io("set the permissions of", path, e))?;
                return checked(file, path, true);
            }
            Err(Errno::EEXIST) => {}
            Err(e) => return Err(failed(e)),
        }
    }
    Err(AuditError::io("open", path, io::Error::other("it kept appearing and disappearing while guard opened it")))
}

/// `file`, once it proves to be a regular file of the caller's with no other name.
fn checked(file: File, path: &Path, created: bool) -> Result<Opened, AuditError> {
    let meta = file.metadata().map_err(|e| AuditError::io("inspect", path, e))?;
    if !meta.file_type().is_file() {
        return Err(AuditError::NotAFile { path: path.to_path_buf() });
    }
    if meta.uid() != nix::unistd::getuid().as_raw() {
        return Err(AuditError::NotOwned { path: path.to_path_buf(), owner: meta.uid(), dir: false });
    }
    if meta.nlink() > 1 {
        return Err(AuditError::HardLinked { path: path.to_path_buf(), links: meta.nlink() });
    }
    Ok(Opened { file, created })
}

/// The last line of a file `len` bytes long (without its newline), and whether the file ends
/// with a newline (true for an empty file). Reads backwards, so the cost does not grow with the
/// log.
fn last_line(file: &mut File, len: u64) -> std::io::Result<(Option<Vec<u8>>, bool)> {
    if len == 0 {
        return Ok((None, true));
    }
    const CHUNK: u64 = 4096;
    let mut tail: Vec<u8> = Vec::new();
    let mut pos = len;
    let mut ends_with_newline = None;
    loop {
        let start = pos.saturating_sub(CHUNK);
        let mut chunk = vec![0; (pos - start) as usize];
        file.seek(SeekFrom::Start(start))?;
        file.read_exact(&mut chunk)?;
        chunk.extend_from_slice(&tail);
        tail = chunk;
        let newline = *ends_with_newline.get_or_insert(tail.last() == Some(&b'\n'));
        let body = if newline { &tail[..tail.len() - 1] } else { &tail[..] };
        if let Some(i) = body.iter().rposition(|&b| b == b'\n') {
            return Ok((Some(body[i + 1..].to_vec()), newline));
        }
        if start == 0 {
            return Ok((Some(body.to_vec()), newline));
        }
        pos = start;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn last_line_is_found_across_chunk_boundaries() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        let long = "x".repeat(10_000);
        for (content, want, newline) in [
            ("".to_string(), None, true),
            ("a\n".to_string(), Some("a".to_string()), true),
            ("a\nb\n".to_string(), Some("b".to_string()), true),
            ("a\nb".to_string(), Some("b".to_string()), false),
            (format!("a\n{long}\n"), Some(long.clone()), true),
            (format!("{long}\n{long}b"), Some(format!("{long}b")), false),
            (long.clone(), Some(long.clone()), false),
            ("\n".to_string(), Some(String::new()), true),
        ] {
            std::fs::write(&path, &content).unwrap();
            let mut f = File::open(&path).unwrap();
            let (line, nl) = last_line(&mut f, content.len() as u64).unwrap();
            assert_eq!(line.map(|l| String::from_utf8(l).unwrap()), want, "{:?}", &content[..content.len().min(20)]);
            assert_eq!(nl, newline);
        }
    }
}
