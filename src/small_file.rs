//! Reading a small file that the guarded side may have made: a policy file, `.git/HEAD`, a
//! kubeconfig, a remembered-answers list. Such a path can be a FIFO (opening it would wait for
//! a writer forever, hanging every command and letting agent hooks time out), a device, or a
//! file of gigabytes. So the file is opened without blocking, must be a regular file, and is
//! read only up to a cap.

use std::io::Read;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

/// Why a small file could not be read.
#[derive(Debug)]
pub enum Error {
    Io(std::io::Error),
    /// A FIFO, socket, device or directory: never read.
    NotRegular(&'static str),
    TooLarge {
        cap: u64,
    },
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::Io(e) => write!(f, "{e}"),
            Error::NotRegular(kind) => write!(f, "it is {kind}, not a regular file"),
            Error::TooLarge { cap } => write!(f, "it is larger than {} KiB", cap / 1024),
        }
    }
}

impl Error {
    /// The file is simply not there (or a path component is missing).
    pub fn is_missing(&self) -> bool {
        matches!(self, Error::Io(e) if matches!(e.kind(), std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory))
    }
}

/// The bytes of the regular file at `path`, if it holds at most `cap` bytes.
pub fn read(path: &Path, cap: u64) -> Result<Vec<u8>, Error> {
    read_with_metadata(path, cap).map(|(bytes, _)| bytes)
}

/// [`read`], with the metadata of the very file read (its owner, say), not of whatever the
/// path names a moment later.
pub fn read_with_metadata(path: &Path, cap: u64) -> Result<(Vec<u8>, std::fs::Metadata), Error> {
    // O_NONBLOCK: opening a FIFO for reading returns at once instead of waiting for a writer.
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY)
        .open(path)
        .map_err(Error::Io)?;
    let meta = file.metadata().map_err(Error::Io)?;
    let kind = meta.file_type();
    if !kind.is_file() {
        use std::os::unix::fs::FileTypeExt;
        let what = if kind.is_fifo() {
            "a FIFO"
        } else if kind.is_dir() {
            "a directory"
        } else if kind.is_socket() {
            "a socket"
        } else if kind.is_char_device() || kind.is_block_device() {
            "a device"
        } else {
            "not a regular file"
        };
        return Err(Error::NotRegular(what));
    }
    if meta.len() > cap {
        return Err(Error::TooLarge { cap });
    }
    let mut out = Vec::with_capacity(meta.len() as usize);
    // The file may grow between the size check and the read: never read past the cap.
    file.take(cap + 1).read_to_end(&mut out).map_err(Error::Io)?;
    if out.len() as u64 > cap {
        return Err(Error::TooLarge { cap });
    }
    Ok((out, meta))
}

/// [`read`] as text (invalid UTF-8 replaced).
pub fn read_text(path: &Path, cap: u64) -> Result<String, Error> {
    read(path, cap).map(text)
}

/// Bytes as text, invalid UTF-8 replaced.
pub fn text(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// At most `cap` + 1 bytes of a file someone named on purpose (`--file`, a script): a pipe or a
/// FIFO is read as it comes, a file larger than `cap` is cut just past it (so the reader can
/// tell it was), and a directory or device is refused.
pub fn read_named(path: &Path, cap: u64) -> Result<Vec<u8>, Error> {
    let file = std::fs::File::open(path).map_err(Error::Io)?;
    let meta = file.metadata().map_err(Error::Io)?;
    let kind = meta.file_type();
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_dir() {
            return Err(Error::NotRegular("a directory"));
        }
        if kind.is_block_device() {
            return Err(Error::NotRegular("a device"));
        }
    }
    // A regular file's size lets it be read in one go rather than in doubling chunks.
    let mut out = Vec::with_capacity(meta.len().min(cap + 1) as usize);
    file.take(cap + 1).read_to_end(&mut out).map_err(Error::Io)?;
    Ok(out)
}

/// Take `file`'s lock (exclusive or shared), waiting at most `limit`: the lock of a file the
/// guarded side can open can be held by it forever, and guard must answer (an agent's hook
/// that times out lets the command run). Gives `ErrorKind::TimedOut` when it waited in vain.
pub fn lock_within(file: &std::fs::File, exclusive: bool, limit: std::time::Duration) -> std::io::Result<()> {
    let start = std::time::Instant::now();
    let mut pause = std::time::Duration::from_millis(1);
    loop {
        let taken = if exclusive { file.try_lock() } else { file.try_lock_shared() };
        match taken {
            Ok(()) => return Ok(()),
            Err(std::fs::TryLockError::WouldBlock) if start.elapsed() < limit => {
                std::thread::sleep(pause);
                pause = (pause * 2).min(std::time::Duration::from_millis(50));
            }
            Err(std::fs::TryLockError::WouldBlock) => {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::TimedOut,
                    format!("another process has held its lock for over {} s", limit.as_secs()),
                ))
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fifo_is_refused_at_once_and_a_large_file_by_its_size() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo");
        nix::unistd::mkfifo(&fifo, nix::sys::stat::Mode::from_bits_truncate(0o600)).unwrap();
        assert!(matches!(read(&fifo, 1024), Err(Error::NotRegular("a FIFO"))));
        assert!(matches!(read(dir.path(), 1024), Err(Error::NotRegular("a directory"))));
        assert!(matches!(read(Path::new("/dev/zero"), 1024), Err(Error::NotRegular("a device"))));
        let big = dir.path().join("big");
        std::fs::write(&big, vec![b'x'; 2048]).unwrap();
        assert!(matches!(read(&big, 1024), Err(Error::TooLarge { cap: 1024 })));
        assert_eq!(read(&big, 2048).unwrap().len(), 2048);
        assert!(read(&dir.path().join("none"), 10).unwrap_err().is_missing());
    }

    #[test]
    fn a_lock_held_elsewhere_is_waited_for_only_so_long() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        std::fs::write(&path, "").unwrap();
        let holder = std::fs::File::open(&path).unwrap();
        holder.lock().unwrap();
        let other = std::fs::File::open(&path).unwrap();
        let e = lock_within(&other, true, std::time::Duration::from_millis(50)).unwrap_err();
        assert_eq!(e.kind(), std::io::ErrorKind::TimedOut);
        holder.unlock().unwrap();
        lock_within(&other, false, std::time::Duration::from_millis(50)).unwrap();
    }
}
