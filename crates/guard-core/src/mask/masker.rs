//! The streaming masker: bytes in, masked bytes out, holding back at most the current line.

use memchr::{memchr, memrchr};

use super::detectors::Detectors;
use super::engine::{Edit, Engine, Scratch, State};

/// The longest stretch without a newline that is held back by default: a longer line is masked
/// and emitted in pieces of this size.
pub(crate) const LINE_CAP: usize = 64 * 1024;

/// Masks one output stream. Feed it what the child writes, in chunks of any size; write what it
/// appends to `out`. See the [module documentation](super) for what is held back and when.
#[derive(Debug)]
pub struct Masker<'d> {
    engine: &'d Engine,
    state: State,
    /// The current, incomplete line (never more than `cap` bytes).
    line: Vec<u8>,
    /// How much of `line` [`Masker::flush`] has already written.
    emitted: usize,
    /// Where the last placeholder written for `line` began, so one flushed early is not
    /// written twice.
    placed: Option<usize>,
    edits: Vec<Edit>,
    /// Which detectors the current line's triggers let run.
    on: Vec<bool>,
    scratch: Scratch,
    cap: usize,
}

impl<'d> Masker<'d> {
    /// A masker using `detectors` (compiled now, if this is their first use).
    pub fn new(detectors: &'d Detectors) -> Self {
        let engine = detectors.engine();
        Masker {
            engine,
            on: Vec::new(),
            scratch: Scratch::default(),
            state: State::default(),
            line: Vec::new(),
            emitted: 0,
            placed: None,
            edits: Vec::new(),
            cap: LINE_CAP,
        }
    }

    /// Holds back at most `cap` bytes of a line instead of [`LINE_CAP`] (at least 1).
    #[cfg(test)]
    pub(crate) fn with_line_cap(mut self, cap: usize) -> Self {
        self.cap = cap.max(1);
        self
    }

    /// Masks `input` and appends to `out` every complete line of it; the incomplete last line
    /// waits for more input, [`Masker::flush`] or [`Masker::finish`]. The output is the same
    /// however the stream is cut into chunks.
    pub fn feed(&mut self, mut input: &[u8], out: &mut Vec<u8>) {
        if !self.line.is_empty() {
            let window = &input[..input.len().min(self.cap - self.line.len())];
            let take = memchr(b'\n', window).map_or(window.len(), |i| i + 1);
            self.line.extend_from_slice(&input[..take]);
            input = &input[take..];
            if self.line.last() != Some(&b'\n') && self.line.len() < self.cap {
                return;
            }
            self.end_line(out);
        }
        let mut pos = 0;
        while pos < input.len() {
            if self.state.is_open() || self.engine.gate().is_none() {
                let Some(end) = self.segment_end(input, pos) else { break };
                self.segment(&input[pos..end], out);
                pos = end;
            } else {
                let (to, done) = self.skim(input, pos, out);
                pos = to;
                if done {
                    break;
                }
            }
        }
        self.line.extend_from_slice(&input[pos..]);
    }

    /// Masks `input` from `pos` (where a line or piece starts) with the trigger prefilter: the
    /// pieces without a trigger are copied as they are, those with one are evaluated. Returns
    /// where it stopped, and whether that is because only an incomplete piece is left (rather
    /// than because a line opened a block or section, or the search must start again).
    fn skim(&mut self, input: &[u8], mut pos: usize, out: &mut Vec<u8>) -> (usize, bool) {
        let gate = self.engine.gate().expect("skim runs only with a gate");
        let mut hits = gate.find_iter(input, pos).peekable();
        while let Some(hit) = hits.next() {
            // The piece the trigger starts in: its line, or the part of a long line that
            // holds it (pieces are `cap` long from the start of the line).
            let line = memrchr(b'\n', &input[pos..hit.start]).map_or(pos, |i| pos + i + 1);
            let start = line + (hit.start - line) / self.cap * self.cap;
            let Some(end) = self.segment_end(input, start) else {
                out.extend_from_slice(&input[pos..start]);
                return (start, true);
            };
            out.extend_from_slice(&input[pos..start]);
            self.on.clear();
            self.on.resize(self.engine.detector_count(), false);
            // A trigger cut by the end of a piece belongs to neither piece, and the search
            // went on past it: start it again after this piece.
            let mut restart = hit.end > end;
            gate.mark(&hit, input, end, &mut self.on);
            while let Some(next) = hits.next_if(|h| h.start < end) {
                restart |= next.end > end;
                gate.mark(&next, input, end, &mut self.on);
            }
            let seg = &input[start..end];
            self.engine.evaluate(&mut self.state, seg, Some(&self.on), &mut self.scratch, &mut self.edits);
            emit(self.engine, seg, &self.edits, 0, &mut None, out);
            pos = end;
            if restart || self.state.is_open() {
                return (pos, false);
            }
        }
        // No trigger left: copy every complete line, and every full-size piece of a long last
        // line, as it is.
        let rest = &input[pos..];
        let tail = memrchr(b'\n', rest).map_or(0, |i| i + 1);
        let cut = pos + tail + (rest.len() - tail) / self.cap * self.cap;
        out.extend_from_slice(&input[pos..cut]);
        (cut, true)
    }

    /// Writes the incomplete line as it stands, masked, for a child that has gone quiet (a
    /// prompt, echo of a typed key). The line is still kept, so what completes it is masked in
    /// the context of the whole line; only a secret cut by the pause can show its first part.
    pub fn flush(&mut self, out: &mut Vec<u8>) {
        if self.line.len() > self.emitted {
            let mut state = self.state.clone();
            self.engine.evaluate(&mut state, &self.line, None, &mut self.scratch, &mut self.edits);
            emit(self.engine, &self.line, &self.edits, self.emitted, &mut self.placed, out);
            self.emitted = self.line.len();
        }
    }

    /// Writes everything still held, masked, at the end of the stream.
    pub fn finish(mut self, out: &mut Vec<u8>) {
        if !self.line.is_empty() {
            self.end_line(out);
        }
    }

    /// Bytes currently held back.
    pub fn held(&self) -> usize {
        self.line.len() - self.emitted
    }

    /// Where the piece starting at `pos` ends: after its newline, or `cap` bytes on; `None` if
    /// `input` ends first.
    fn segment_end(&self, input: &[u8], pos: usize) -> Option<usize> {
        let window = &input[pos..input.len().min(pos + self.cap)];
        match memchr(b'\n', window) {
            Some(i) => Some(pos + i + 1),
            None if window.len() == self.cap => Some(pos + self.cap),
            None => None,
        }
    }

    fn segment(&mut self, seg: &[u8], out: &mut Vec<u8>) {
        self.engine.evaluate(&mut self.state, seg, None, &mut self.scratch, &mut self.edits);
        let mut placed = None;
        emit(self.engine, seg, &self.edits, 0, &mut placed, out);
    }

    fn end_line(&mut self, out: &mut Vec<u8>) {
        self.engine.evaluate(&mut self.state, &self.line, None, &mut self.scratch, &mut self.edits);
        emit(self.engine, &self.line, &self.edits, self.emitted, &mut self.placed, out);
        self.line.clear();
        self.emitted = 0;
        self.placed = None;
    }
}

/// Appends `line[from..]` with `edits` applied. An edit that began before `from` was either
/// written by an earlier flush (its placeholder starts at `placed`) or not found then; in the
/// second case its placeholder goes out now, after the part that already went.
fn emit(engine: &Engine, line: &[u8], edits: &[Edit], from: usize, placed: &mut Option<usize>, out: &mut Vec<u8>) {
    let mut pos = from;
    for e in edits {
        if e.start < from && e.end <= from {
            continue;
        }
        if e.start >= pos {
            out.extend_from_slice(&line[pos..e.start]);
            out.extend_from_slice(engine.replacement(e).as_bytes());
        } else if *placed != Some(e.start) {
            out.extend_from_slice(engine.replacement(e).as_bytes());
        }
        *placed = Some(e.start);
        pos = e.end;
    }
    out.extend_from_slice(&line[pos.min(line.len())..]);
}
