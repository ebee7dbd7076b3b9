//! Recording a run (`--record`, `GUARD_RECORD=1`): starting a cast file for the job, and the
//! output filter that copies into it what the terminal or pipe was shown — always masked: after
//! the masking filter when the output is masked, else through a masker of its own, since a
//! recording is made to be shared. Typed input never passes through here, so passwords typed
//! at a prompt are not recorded.

use std::sync::{Arc, Mutex, MutexGuard};

use super::OutputFilter;
use crate::host::Host;
use crate::record::asciicast::Header;
use crate::record::{store, Finished, LineEnds, Recorder};

/// A recording the output filters of one run share (stdout and stderr in pipe mode).
#[derive(Debug, Clone)]
pub struct Shared(Arc<Mutex<Recorder>>);

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Recorder> {
        // A copier thread that panicked leaves the recorder as usable as it was.
        self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Ends the recording; where it is, and why it is incomplete if it is.
    pub fn finish(&self) -> Finished {
        self.lock().finish()
    }
}

/// Window size recorded for output that went to no terminal.
const PIPE_SIZE: (u16, u16) = (80, 24);

/// Starts recording `command`. `size` is the terminal's (columns, rows) when the command runs
/// on a pty; `None` means its output goes to pipes or files. When no recording can be started,
/// says why once and returns `None`: the command runs anyway.
pub fn begin(host: &Host, command: &str, size: Option<(u16, u16)>) -> Option<Shared> {
    match start(host, command, size) {
        Ok(r) => Some(Shared(Arc::new(Mutex::new(r)))),
        Err(e) => {
            eprintln!("guard: warning: not recording this command: {e}");
            None
        }
    }
}

fn start(host: &Host, command: &str, size: Option<(u16, u16)>) -> Result<Recorder, String> {
    let dir = store::dir(host).ok_or(
        "neither XDG_STATE_HOME nor HOME is set (as an absolute path), so there is no place for \
         recordings; set HOME",
    )?;
    let now = jiff::Timestamp::now();
    let nonce = getrandom::u32().map(|n| n as u16).unwrap_or_default();
    let (path, file) = store::create(&dir, &store::file_name(now, std::process::id(), nonce))?;
    // The header names the command: masked and clipped as in the audit log.
    let (text, _) = crate::audit::entry::clip_bytes(guard_rules::mask(command), crate::audit::entry::MAX_COMMAND);
    let (cols, rows) = size.unwrap_or(PIPE_SIZE);
    let mut header = Header::new(cols.into(), rows.into(), &text);
    header.timestamp = u64::try_from(now.as_second()).ok();
    for var in ["SHELL", "TERM"] {
        if let Some(v) = host.var(var) {
            header.env.insert(var.to_string(), v.to_string());
        }
    }
    let line_ends = if size.is_some() { LineEnds::AsShown } else { LineEnds::Terminal };
    Recorder::start(file, &path, &header, line_ends)
}

/// Shows what `inner` lets out, and records the same bytes — through `mask` first, when the
/// output shown is not masked already.
pub struct Tap {
    inner: Box<dyn OutputFilter + Send>,
    recording: Shared,
    mask: Option<Box<dyn OutputFilter + Send>>,
    masked: Vec<u8>,
}

impl Tap {
    pub fn new(
        inner: Box<dyn OutputFilter + Send>,
        recording: &Shared,
        mask: Option<Box<dyn OutputFilter + Send>>,
    ) -> Tap {
        Tap { inner, recording: recording.clone(), mask, masked: Vec::new() }
    }

    fn record(&mut self, shown: &[u8], flush: bool) {
        match &mut self.mask {
            None => self.recording.lock().output(shown),
            Some(m) => {
                self.masked.clear();
                m.feed(shown, &mut self.masked);
                if flush {
                    m.flush(&mut self.masked);
                }
                self.recording.lock().output(&self.masked);
            }
        }
    }
}

impl OutputFilter for Tap {
    fn feed(&mut self, input: &[u8], out: &mut Vec<u8>) {
        let from = out.len();
        self.inner.feed(input, out);
        self.record(&out[from..], false);
    }

    fn flush(&mut self, out: &mut Vec<u8>) {
        let from = out.len();
        self.inner.flush(out);
        self.record(&out[from..], true);
    }

    fn holding(&self) -> bool {
        self.inner.holding() || self.mask.as_ref().is_some_and(|m| m.holding())
    }

    fn resized(&mut self, cols: u16, rows: u16) {
        self.recording.lock().resize(cols, rows);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::asciicast;

    /// Holds everything back until flushed, like masking waiting for the end of a line.
    struct UpperUntilFlush(Vec<u8>);

    impl OutputFilter for UpperUntilFlush {
        fn feed(&mut self, input: &[u8], _out: &mut Vec<u8>) {
            self.0.extend(input.iter().map(u8::to_ascii_uppercase));
        }
        fn flush(&mut self, out: &mut Vec<u8>) {
            out.append(&mut self.0);
        }
        fn holding(&self) -> bool {
            !self.0.is_empty()
        }
    }

    /// A recording into a fresh file: its directory (kept while the test runs), path and handle.
    fn recording() -> (tempfile::TempDir, std::path::PathBuf, Shared) {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("t.cast");
        let file = std::fs::File::create(&path).unwrap();
        let r = Recorder::start(file, &path, &Header::new(80, 24, "t"), LineEnds::AsShown).unwrap();
        (tmp, path, Shared(Arc::new(Mutex::new(r))))
    }

    #[test]
    fn what_is_recorded_is_what_the_filter_let_out() {
        let (_tmp, path, shared) = recording();
        let mut tap = Tap::new(Box::new(UpperUntilFlush(Vec::new())), &shared, None);
        let mut shown = b"already there|".to_vec();
        tap.feed(b"secret-ish\r\n", &mut shown);
        assert!(tap.holding(), "holding is the inner filter's");
        tap.resized(132, 50);
        tap.flush(&mut shown);
        assert_eq!(shown, b"already there|SECRET-ISH\r\n");
        assert!(shared.finish().problem.is_none());
        let cast = asciicast::parse(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let events: Vec<(&str, &str)> = cast.events.iter().map(|e| (e.kind.code(), e.data.as_str())).collect();
        assert_eq!(events, [("r", "132x50"), ("o", "SECRET-ISH\r\n")]);
    }

    #[test]
    fn output_shown_unmasked_is_recorded_masked() {
        let (_tmp, path, shared) = recording();
        let masker = crate::mask::Masker::new(guard_rules::detectors());
        let mut tap =
            Tap::new(Box::new(super::super::Passthrough), &shared, Some(Box::new(super::super::Masking(masker))));
        let secret = "ghp_0123456789abcdefghijABCDEFGHIJ012345";
        let mut shown = Vec::new();
        tap.feed(format!("token: {secret}").as_bytes(), &mut shown);
        assert!(tap.holding(), "the recording's masker waits for the end of the line");
        tap.flush(&mut shown);
        assert_eq!(shown, format!("token: {secret}").as_bytes(), "the terminal sees the output as it is");
        assert!(shared.finish().problem.is_none());
        let cast = std::fs::read_to_string(&path).unwrap();
        assert!(!cast.contains(secret) && cast.contains("[masked:"), "{cast}");
    }
}
