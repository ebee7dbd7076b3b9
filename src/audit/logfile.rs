//! The log file: opening it without being led elsewhere, appending one sealed line under a
//! lock, sealing off a damaged last line, and reading lines back from the end.
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

use super::chain::{self, GENESIS};
use super::entry::{Entry, Recovery};
use super::AuditError;

/// What one append wrote.
#[derive(Debug)]
pub struct Appended {
    /// The recovery line that sealed off a damaged last line, when there was one; each without
    /// its newline.
    pub recovery: Option<String>,
    /// The entry's line.
    pub line: String,
    /// Things worth telling the user that did not stop the entry being recorded.
    pub warnings: Vec<String>,
}

/// How long an append waits for the log's lock: parallel guards hold it for a moment each;
/// anything holding it longer is stuck or hostile, and guard must not hang behind it.
pub const LOCK_WAIT: std::time::Duration = std::time::Duration::from_secs(2);

/// Append `entry` to the log at `path`, creating the file and its directory as needed (see the
/// module's notes). A damaged last line is first sealed off by a [`Recovery`] line.
pub fn append(path: &Path, entry: &mut Entry) -> Result<Appended, AuditError> {
    let Opened { mut file, created } = open(path)?;
    crate::small_file::lock_within(&file, true, LOCK_WAIT).map_err(|e| AuditError::io("lock", path, e))?;
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
    let mut buf = Vec::new();
    let mut recovery = None;
    let prev = {
        let (mut back, newline) = Backwards::new(&mut file, len).map_err(|e| AuditError::io("read", path, e))?;
        let last = back.next_line().map_err(|e| AuditError::io("read", path, e))?;
        if !newline {
            buf.push(b'\n');
        }
        let last = last.map(|line| (chain::sealed_hash(&line), line));
        match last {
            None => GENESIS.to_string(),
            // Whole, perhaps but for its newline: nothing was lost.
            Some((Some(hash), _)) => hash,
            Some((None, damaged)) => {
                // The chain goes on from the last line before it that carries a hash, as
                // `chain::Verifier` expects.
                let mut before = GENESIS.to_string();
                while let Some(line) = back.next_line().map_err(|e| AuditError::io("read", path, e))? {
                    if let Some(h) = chain::hash_of_line(&line) {
                        before = h;
                        break;
                    }
                }
                let mut r = Recovery::of(&damaged, newline);
                let sealed = chain::seal_recovery(&mut r, &before);
                warnings.push(format!(
                    "the last line of the audit log {} was {} ({} bytes); guard sealed it off with a \
                     recovery entry, which `guard log verify` reports",
                    path.display(),
                    if newline { "not a sealed entry" } else { "cut short" },
                    damaged.len()
                ));
                buf.extend_from_slice(sealed.as_bytes());
                buf.push(b'\n');
                recovery = Some(sealed);
                r.hash
            }
        }
    };
    let line = chain::seal(entry, &prev);
    buf.extend_from_slice(line.as_bytes());
    buf.push(b'\n');
    match file.write(&buf) {
        Ok(n) if n == buf.len() => Ok(Appended { recovery, line, warnings }),
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

/// A file's lines from the last backwards, each without its newline; a final newline ends the
/// last line rather than starting an empty one. Reads in growing chunks, so finding the last
/// line costs the same however long the log is.
struct Backwards<'f> {
    file: &'f mut File,
    /// Where the bytes in `tail` start.
    start: u64,
    /// The part of the file not yet returned that has been read.
    tail: Vec<u8>,
    done: bool,
}

impl<'f> Backwards<'f> {
    /// Lines of `file`, `len` bytes long, and whether it ends with a newline (true when empty).
    fn new(file: &'f mut File, len: u64) -> io::Result<(Backwards<'f>, bool)> {
        let mut back = Backwards { file, start: len, tail: Vec::new(), done: len == 0 };
        if len == 0 {
            return Ok((back, true));
        }
        back.read_more()?;
        let newline = back.tail.last() == Some(&b'\n');
        if newline {
            back.tail.pop();
        }
        Ok((back, newline))
    }

    /// Read the chunk before `start` into `tail`, doubling the chunk for long lines.
    fn read_more(&mut self) -> io::Result<()> {
        let chunk = (self.tail.len() as u64).max(4096);
        let from = self.start.saturating_sub(chunk);
        let mut bytes = vec![0; (self.start - from) as usize];
        self.file.seek(SeekFrom::Start(from))?;
        self.file.read_exact(&mut bytes)?;
        bytes.extend_from_slice(&self.tail);
        self.tail = bytes;
        self.start = from;
        Ok(())
    }

    fn next_line(&mut self) -> io::Result<Option<Vec<u8>>> {
        if self.done {
            return Ok(None);
        }
        loop {
            // A plain scan: the last line is a few hundred bytes away, and `memchr`'s first call
            // would probe the CPU (a dozen CPUID instructions, each a trip to the hypervisor
            // in a VM) on every append.
            if let Some(i) = self.tail.iter().rposition(|&b| b == b'\n') {
                let line = self.tail.split_off(i + 1);
                self.tail.pop();
                return Ok(Some(line));
            }
            if self.start == 0 {
                self.done = true;
                return Ok(Some(std::mem::take(&mut self.tail)));
            }
            self.read_more()?;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_read_backwards_across_chunk_boundaries() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        let long = "x".repeat(10_000);
        let longer = "y".repeat(70_000);
        for (content, want, newline) in [
            (String::new(), vec![], true),
            ("a\n".to_string(), vec!["a"], true),
            ("a\nb\n".to_string(), vec!["b", "a"], true),
            ("a\nb".to_string(), vec!["b", "a"], false),
            (format!("a\n{long}\n"), vec![long.as_str(), "a"], true),
            (format!("{long}\n{long}b"), vec![&format!("{long}b"), long.as_str()], false),
            (long.clone(), vec![long.as_str()], false),
            (format!("{longer}\n\n{long}\n"), vec![long.as_str(), "", longer.as_str()], true),
            ("\n".to_string(), vec![""], true),
            ("\n\n".to_string(), vec!["", ""], true),
        ] {
            std::fs::write(&path, &content).unwrap();
            let mut f = File::open(&path).unwrap();
            let (mut back, nl) = Backwards::new(&mut f, content.len() as u64).unwrap();
            let mut got = Vec::new();
            while let Some(line) = back.next_line().unwrap() {
                got.push(String::from_utf8(line).unwrap());
            }
            assert_eq!(got, want, "{:?}", &content[..content.len().min(20)]);
            assert_eq!(nl, newline, "{:?}", &content[..content.len().min(20)]);
        }
    }
}
