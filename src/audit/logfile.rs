//! The log file: appending one sealed line under a lock, and reading it back.
//!
//! Appending opens the file with `O_APPEND`, takes an exclusive `flock`, reads the last line's
//! hash, and writes the new line with one `write` call before letting go. Holding the lock across
//! the read and the write is what keeps parallel guards from forking the chain; `O_APPEND` and
//! the single write keep a line whole even beside a writer that ignores the lock.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::Path;

use sha2::{Digest, Sha256};

use super::chain::{self, GENESIS};
use super::entry::Entry;
use super::AuditError;

/// Append `entry` to the log at `path`, creating the file (0600) and its directories (0700) as
/// needed. Returns the sealed line, without its newline.
pub fn append(path: &Path, entry: &mut Entry) -> Result<String, AuditError> {
    let mut file = open_for_append(path)?;
    file.lock().map_err(|e| AuditError::io("lock", path, e))?;
    // The lock is released when `file` is closed, on every path out of here.
    let meta = file.metadata().map_err(|e| AuditError::io("inspect", path, e))?;
    if meta.is_file() && meta.permissions().mode() & 0o077 != 0 {
        // Someone loosened it; the log holds every command run, so close it again.
        file.set_permissions(std::fs::Permissions::from_mode(0o600))
            .map_err(|e| AuditError::io("restrict the permissions of", path, e))?;
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
        Ok(n) if n == buf.len() => Ok(line),
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

pub(crate) fn open_for_append(path: &Path) -> Result<File, AuditError> {
    let open = || OpenOptions::new().read(true).append(true).create(true).mode(0o600).open(path);
    match open() {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if let Some(dir) = path.parent() {
                std::fs::DirBuilder::new()
                    .recursive(true)
                    .mode(0o700)
                    .create(dir)
                    .map_err(|e| AuditError::io("create the directory of", path, e))?;
            }
            open().map_err(|e| AuditError::io("open", path, e))
        }
        r => r.map_err(|e| AuditError::io("open", path, e)),
    }
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
