//! Telling a containment refusal from a bug: what a contained command says on its way out
//! ("Permission denied", "EACCES", "Operation not permitted") is watched as it passes,
//! unchanged, and the paths those lines name are checked against the scope once it has ended.

use std::sync::{Arc, Mutex};

use crate::run::OutputFilter;

/// The most lines kept: the first refusals are the ones that explain the rest.
const MAX_LINES: usize = 16;
/// The longest line kept whole.
const MAX_LINE: usize = 4096;

/// What the kernel's refusals look like in programs' messages.
const SIGNS: &[&str] =
    &["Permission denied", "permission denied", "EACCES", "Operation not permitted", "EPERM", "Read-only file system"];

/// Lines that told of a refusal, shared between the filter and whoever reads them afterwards.
pub type Seen = Arc<Mutex<Vec<String>>>;

/// An output filter that passes everything on and keeps the lines that tell of a refusal.
pub struct Watch {
    inner: Box<dyn OutputFilter + Send>,
    line: Vec<u8>,
    seen: Seen,
}

impl Watch {
    pub fn new(inner: Box<dyn OutputFilter + Send>, seen: Seen) -> Watch {
        Watch { inner, line: Vec::new(), seen }
    }

    fn end_line(&mut self) {
        if self.line.is_empty() {
            return;
        }
        let text = String::from_utf8_lossy(&self.line);
        if SIGNS.iter().any(|s| text.contains(s)) {
            if let Ok(mut seen) = self.seen.lock() {
                if seen.len() < MAX_LINES {
                    seen.push(text.trim_end().to_string());
                }
            }
        }
        self.line.clear();
    }
}

impl OutputFilter for Watch {
    fn feed(&mut self, input: &[u8], out: &mut Vec<u8>) {
        let full = self.seen.lock().map(|s| s.len() >= MAX_LINES).unwrap_or(true);
        if !full {
            for part in input.split_inclusive(|b| *b == b'\n' || *b == b'\r') {
                if self.line.len() < MAX_LINE {
                    self.line.extend_from_slice(&part[..part.len().min(MAX_LINE - self.line.len())]);
                }
                if part.ends_with(b"\n") || part.ends_with(b"\r") {
                    self.end_line();
                }
            }
        }
        self.inner.feed(input, out);
    }
    fn flush(&mut self, out: &mut Vec<u8>) {
        self.end_line();
        self.inner.flush(out);
    }
    fn holding(&self) -> bool {
        self.inner.holding()
    }
    fn resized(&mut self, cols: u16, rows: u16) {
        self.inner.resized(cols, rows);
    }
}

/// The paths a refusal line names: quoted words, and words that look like paths (absolute,
/// `~/…`, `./…`, `../…`), made absolute against `cwd`.
pub fn paths_in(line: &str, cwd: &str, home: Option<&str>) -> Vec<String> {
    let mut words: Vec<&str> = Vec::new();
    for (open, close) in [('\'', '\''), ('"', '"'), ('‘', '’'), ('`', '\'')] {
        let mut rest = line;
        while let Some(i) = rest.find(open) {
            let after = &rest[i + open.len_utf8()..];
            let Some(j) = after.find(close) else { break };
            words.push(&after[..j]);
            rest = &after[j + close.len_utf8()..];
        }
    }
    for w in line.split(|c: char| c.is_whitespace() || c == ',' || c == '(' || c == ')') {
        let w = w.trim_end_matches(':').trim_matches(|c| c == '\'' || c == '"' || c == '`');
        if w.starts_with('/') || w.starts_with("~/") || w.starts_with("./") || w.starts_with("../") {
            words.push(w);
        }
    }
    let mut out = Vec::new();
    for w in words {
        let w = w.trim();
        if w.is_empty() || w.contains('\n') || w.len() > MAX_LINE {
            continue;
        }
        let abs = match (w.strip_prefix("~/"), home) {
            (Some(rest), Some(h)) => format!("{}/{rest}", h.trim_end_matches('/')),
            _ if w.starts_with('/') => w.to_string(),
            // A bare word in quotes is a path only when it looks like one.
            _ if w.contains('/') || w.starts_with('.') => format!("{}/{w}", cwd.trim_end_matches('/')),
            _ => continue,
        };
        let n = normal(&abs);
        if !out.contains(&n) {
            out.push(n);
        }
    }
    out
}

/// `a/./b/../c` as `a/c`, without looking at the filesystem.
fn normal(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for p in path.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    format!("/{}", parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_read_from_what_programs_say_when_refused() {
        let table: &[(&str, &[&str])] = &[
            ("bash: /home/u/.bashrc: Permission denied", &["/home/u/.bashrc"]),
            ("cp: cannot create regular file '/etc/x': Permission denied", &["/etc/x"]),
            ("touch: cannot touch '../other/x': Permission denied", &["/w/other/x"]),
            (
                "PermissionError: [Errno 13] Permission denied: '/home/u/.ssh/authorized_keys'",
                &["/home/u/.ssh/authorized_keys"],
            ),
            ("Error: EACCES: permission denied, open '/home/u/.bashrc'", &["/home/u/.bashrc"]),
            ("mv: cannot move 'a' to '/srv/b': Permission denied", &["/srv/b"]),
            ("ln: failed to create symbolic link '~/.profile': Permission denied", &["/home/u/.profile"]),
            ("truncate: cannot open 'notes' for writing: Permission denied", &[]),
            ("sh: 1: cannot create ./out/x: Permission denied", &["/w/p/out/x"]),
            ("error: Permission denied (os error 13)", &[]),
        ];
        for (line, want) in table {
            assert_eq!(paths_in(line, "/w/p", Some("/home/u")), *want, "{line}");
        }
    }

    #[test]
    fn refusal_lines_are_kept_and_the_output_passes_unchanged() {
        let seen = Seen::default();
        let mut w = Watch::new(Box::new(crate::run::Passthrough), seen.clone());
        let mut out = Vec::new();
        w.feed(b"building\ncp: cannot create regular file '/etc/x': Perm", &mut out);
        w.feed(b"ission denied\ndone", &mut out);
        w.flush(&mut out);
        assert_eq!(out, b"building\ncp: cannot create regular file '/etc/x': Permission denied\ndone");
        assert_eq!(*seen.lock().unwrap(), ["cp: cannot create regular file '/etc/x': Permission denied"]);
    }
}
