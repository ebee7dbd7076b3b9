//! A recording being made: what the command showed, as it was shown, with the time since the
//! start. A recording never stops the command: the first write that fails ends the recording,
//! and the problem is kept for the caller to report once, after the command (a warning in the
//! middle of a raw-mode terminal would only garble the screen).

use std::fs::File;
use std::io::LineWriter;
use std::path::{Path, PathBuf};
use std::time::Instant;

use super::asciicast::{Header, Writer};

/// How the output's line ends are written down.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineEnds {
    /// As they came: a terminal's output already ends lines with CR LF.
    AsShown,
    /// A bare LF becomes CR LF, as a terminal would have shown a pipe's output; players write
    /// events to a terminal in raw mode, where LF alone only moves down.
    Terminal,
}

/// Writes one cast file while the command runs.
#[derive(Debug)]
pub struct Recorder {
    /// `None` once writing has failed: nothing more is recorded.
    writer: Option<Writer<LineWriter<File>>>,
    started: Instant,
    path: PathBuf,
    line_ends: LineEnds,
    /// The last byte of the previous output was a CR (a CR LF split between reads).
    after_cr: bool,
    /// The terminal's size as last recorded: a resize to the same size is not news.
    size: (u32, u32),
    problem: Option<String>,
}

/// What a finished recording left behind.
#[derive(Debug)]
pub struct Finished {
    pub path: PathBuf,
    /// Why the recording is incomplete, if it is.
    pub problem: Option<String>,
}

impl Recorder {
    /// Starts recording into `file` (at `path`): writes the header. The clock starts now.
    pub fn start(file: File, path: &Path, header: &Header, line_ends: LineEnds) -> Result<Recorder, String> {
        // One write per event: every event is one line, and JSON escapes the newlines in it.
        let writer = Writer::new(LineWriter::new(file), header)
            .map_err(|e| format!("cannot write the recording {}: {e}", path.display()))?;
        Ok(Recorder {
            writer: Some(writer),
            started: Instant::now(),
            path: path.to_path_buf(),
            line_ends,
            after_cr: false,
            size: (header.width, header.height),
            problem: None,
        })
    }

    /// Records bytes the terminal was shown (already masked).
    pub fn output(&mut self, shown: &[u8]) {
        if shown.is_empty() {
            return;
        }
        let at = self.started.elapsed();
        let converted;
        let bytes = match self.line_ends {
            LineEnds::AsShown => shown,
            LineEnds::Terminal => {
                converted = crlf(shown, &mut self.after_cr);
                &converted
            }
        };
        self.write(|w| w.output(at, bytes));
    }

    /// Records that the terminal became `cols`×`rows`.
    pub fn resize(&mut self, cols: u16, rows: u16) {
        let size = (cols.into(), rows.into());
        if size == self.size {
            return;
        }
        self.size = size;
        let at = self.started.elapsed();
        self.write(|w| w.resize(at, size.0, size.1));
    }

    /// Ends the recording and says where it is and whether it is whole.
    pub fn finish(&mut self) -> Finished {
        if let Some(w) = self.writer.take() {
            let at = self.started.elapsed();
            if let Err(e) = w.finish(at) {
                self.fail(e);
            }
        }
        Finished { path: self.path.clone(), problem: self.problem.clone() }
    }

    fn write(&mut self, event: impl FnOnce(&mut Writer<LineWriter<File>>) -> std::io::Result<()>) {
        let Some(w) = self.writer.as_mut() else { return };
        if let Err(e) = event(w) {
            self.writer = None;
            self.fail(e);
        }
    }

    fn fail(&mut self, e: std::io::Error) {
        self.problem.get_or_insert_with(|| {
            format!(
                "recording to {} stopped: {e}; what was written before is kept (check free disk space)",
                self.path.display()
            )
        });
    }
}

/// `bytes` with every LF not already after a CR turned into CR LF; `after_cr` carries whether
/// the previous chunk ended with a CR.
fn crlf(bytes: &[u8], after_cr: &mut bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len() + bytes.len() / 16);
    for &b in bytes {
        if b == b'\n' && !*after_cr {
            out.push(b'\r');
        }
        out.push(b);
        *after_cr = b == b'\r';
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bare_line_feeds_become_crlf_once() {
        let table: &[(&[&str], &str)] = &[
            (&["a\nb\n"], "a\r\nb\r\n"),
            (&["a\r\nb"], "a\r\nb"),
            (&["a\r", "\nb"], "a\r\nb"),
            (&["a\n", "\n"], "a\r\n\r\n"),
            (&["\r\r\n\n"], "\r\r\n\r\n"),
            (&["no newline"], "no newline"),
        ];
        for (chunks, want) in table {
            let mut after_cr = false;
            let got: Vec<u8> = chunks.iter().flat_map(|c| crlf(c.as_bytes(), &mut after_cr)).collect();
            assert_eq!(String::from_utf8(got).unwrap(), *want, "{chunks:?}");
        }
    }

    #[test]
    fn a_recording_reads_back_with_times_in_order() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("r.cast");
        let file = File::create(&path).unwrap();
        let mut r = Recorder::start(file, &path, &Header::new(100, 30, "make"), LineEnds::Terminal).unwrap();
        r.output(b"one\n");
        r.resize(100, 30);
        r.resize(120, 40);
        r.resize(120, 40);
        r.output(b"");
        r.output(b"two\n");
        let done = r.finish();
        assert_eq!((done.path.as_path(), done.problem), (path.as_path(), None));
        let cast = super::super::asciicast::parse(&std::fs::read_to_string(&path).unwrap()).unwrap();
        assert_eq!((cast.header.width, cast.header.height), (100, 30));
        let events: Vec<(&str, &str)> = cast.events.iter().map(|e| (e.kind.code(), e.data.as_str())).collect();
        assert_eq!(events, [("o", "one\r\n"), ("r", "120x40"), ("o", "two\r\n")]);
        assert!(cast.events.windows(2).all(|w| w[0].time <= w[1].time));
    }

    #[test]
    fn a_failed_write_ends_the_recording_and_is_reported_once() {
        // A pipe whose reader goes away after the header: every later write fails (EPIPE).
        let (reader, writer) = nix::unistd::pipe().unwrap();
        let path = Path::new("/pipe");
        let mut r = Recorder::start(File::from(writer), path, &Header::new(80, 24, "x"), LineEnds::AsShown).unwrap();
        drop(reader);
        r.output(b"a\n");
        r.output(b"b\n");
        r.resize(1, 1);
        let done = r.finish();
        let problem = done.problem.expect("the failure is reported");
        assert!(problem.starts_with("recording to /pipe stopped:"), "{problem}");
        assert!(r.writer.is_none(), "nothing more is tried");
    }
}
