//! asciicast v2, the terminal-recording format asciinema plays: one JSON object of metadata on
//! the first line, then one JSON array `[seconds, code, data]` per event (`"o"` output, `"i"`
//! input, `"r"` resize, `"m"` marker).
//!
//! The writer takes raw terminal bytes and the time since the recording started (it reads no
//! clock, so callers and tests decide time). JSON strings hold text, so a UTF-8 sequence cut
//! between two reads is held back until its end arrives, and bytes that are not UTF-8 become
//! U+FFFD: a replay shows what a terminal would have shown.

use std::collections::BTreeMap;
use std::fmt;
use std::io::{self, BufRead, Write};
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// The first line of a cast.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Header {
    /// Always 2.
    pub version: u32,
    pub width: u32,
    pub height: u32,
    /// Unix time the recording started, in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<u64>,
    /// Total length in seconds, if known when the header is written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idle_time_limit: Option<f64>,
    /// The command that was recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Environment worth replaying with, usually `SHELL` and `TERM`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub env: BTreeMap<String, String>,
}

impl Header {
    /// A header for a `width`×`height` terminal recording `command`.
    pub fn new(width: u32, height: u32, command: &str) -> Self {
        Header {
            version: 2,
            width,
            height,
            timestamp: None,
            duration: None,
            idle_time_limit: None,
            command: Some(command.to_string()),
            title: None,
            env: BTreeMap::new(),
        }
    }
}

/// What an event is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventKind {
    Output,
    Input,
    /// Data is `COLSxROWS`.
    Resize,
    Marker,
    /// A code this reader does not know; players skip these.
    Other(String),
}

impl EventKind {
    /// The code in the cast file: `o`, `i`, `r`, `m` or another.
    pub fn code(&self) -> &str {
        match self {
            EventKind::Output => "o",
            EventKind::Input => "i",
            EventKind::Resize => "r",
            EventKind::Marker => "m",
            EventKind::Other(code) => code,
        }
    }

    fn from_code(code: &str) -> Self {
        match code {
            "o" => EventKind::Output,
            "i" => EventKind::Input,
            "r" => EventKind::Resize,
            "m" => EventKind::Marker,
            other => EventKind::Other(other.to_string()),
        }
    }
}

/// One event line.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// Seconds since the recording started.
    pub time: f64,
    pub kind: EventKind,
    pub data: String,
}

/// A whole cast, as read back.
#[derive(Debug, Clone, PartialEq)]
pub struct Cast {
    pub header: Header,
    pub events: Vec<Event>,
}

/// Writes a cast as it happens, one line per event.
#[derive(Debug)]
pub struct Writer<W: Write> {
    out: W,
    /// Bytes of an incomplete UTF-8 sequence at the end of the last output, and of input.
    held_output: Vec<u8>,
    held_input: Vec<u8>,
}

impl<W: Write> Writer<W> {
    /// Starts a cast: writes the header line.
    pub fn new(mut out: W, header: &Header) -> io::Result<Self> {
        let line = serde_json::to_string(header).map_err(io::Error::other)?;
        writeln!(out, "{line}")?;
        Ok(Writer { out, held_output: Vec::new(), held_input: Vec::new() })
    }

    /// Records what the command printed (already masked), `at` after the start.
    pub fn output(&mut self, at: Duration, data: &[u8]) -> io::Result<()> {
        let text = take_text(&mut self.held_output, data);
        self.event(at, "o", &text)
    }

    /// Records what was typed, `at` after the start.
    pub fn input(&mut self, at: Duration, data: &[u8]) -> io::Result<()> {
        let text = take_text(&mut self.held_input, data);
        self.event(at, "i", &text)
    }

    /// Records that the terminal became `width`×`height`.
    pub fn resize(&mut self, at: Duration, width: u32, height: u32) -> io::Result<()> {
        self.event(at, "r", &format!("{width}x{height}"))
    }

    /// Records a marker (a point a player can jump to), e.g. where an approval was asked.
    pub fn marker(&mut self, at: Duration, label: &str) -> io::Result<()> {
        self.write_event(at, "m", label)
    }

    /// Ends the cast: bytes still held (a sequence that never completed) are written as
    /// U+FFFD, and the writer is handed back.
    pub fn finish(mut self, at: Duration) -> io::Result<W> {
        if !self.held_output.is_empty() {
            let text = String::from_utf8_lossy(&std::mem::take(&mut self.held_output)).into_owned();
            self.event(at, "o", &text)?;
        }
        if !self.held_input.is_empty() {
            let text = String::from_utf8_lossy(&std::mem::take(&mut self.held_input)).into_owned();
            self.event(at, "i", &text)?;
        }
        self.out.flush()?;
        Ok(self.out)
    }

    /// Writes an event unless it carries no text (all of it held back).
    fn event(&mut self, at: Duration, code: &str, text: &str) -> io::Result<()> {
        if text.is_empty() {
            return Ok(());
        }
        self.write_event(at, code, text)
    }

    fn write_event(&mut self, at: Duration, code: &str, text: &str) -> io::Result<()> {
        // Microseconds are what asciinema records; more digits only make files longer.
        let seconds = at.as_micros() as f64 / 1e6;
        let line = serde_json::to_string(&(seconds, code, text)).map_err(io::Error::other)?;
        writeln!(self.out, "{line}")
    }
}

/// The text in `held` + `data`, leaving in `held` an incomplete UTF-8 sequence at its end.
/// Bytes that can never be UTF-8 become U+FFFD.
fn take_text(held: &mut Vec<u8>, data: &[u8]) -> String {
    held.extend_from_slice(data);
    let mut text = String::with_capacity(held.len());
    let mut rest: &[u8] = held;
    loop {
        match std::str::from_utf8(rest) {
            Ok(valid) => {
                text.push_str(valid);
                rest = &[];
                break;
            }
            Err(e) => {
                let (valid, after) = rest.split_at(e.valid_up_to());
                text.push_str(std::str::from_utf8(valid).expect("checked valid up to here"));
                match e.error_len() {
                    Some(bad) => {
                        text.push(char::REPLACEMENT_CHARACTER);
                        rest = &after[bad..];
                    }
                    // The input ends inside a sequence that may still complete.
                    None => {
                        rest = after;
                        break;
                    }
                }
            }
        }
    }
    let keep = rest.len();
    held.drain(..held.len() - keep);
    text
}

/// A cast that cannot be read, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CastError {
    /// 1-based line number.
    pub line: usize,
    pub message: String,
}

impl fmt::Display for CastError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "asciicast line {}: {}", self.line, self.message)
    }
}

impl std::error::Error for CastError {}

/// Reads a whole cast from text.
pub fn parse(text: &str) -> Result<Cast, CastError> {
    read(text.as_bytes())
}

/// Reads a whole cast: the header line, then every event line (blank lines are skipped).
pub fn read(input: impl BufRead) -> Result<Cast, CastError> {
    let mut lines = input.lines().enumerate();
    let err = |line: usize, message: String| CastError { line: line + 1, message };
    let (n, first) =
        lines.next().ok_or_else(|| err(0, "the file is empty; a cast starts with a header line".into()))?;
    let first = first.map_err(|e| err(n, format!("cannot read: {e}")))?;
    let header: Header = serde_json::from_str(&first).map_err(|e| err(n, format!("not an asciicast header ({e})")))?;
    if header.version != 2 {
        return Err(err(n, format!("version {} is not supported; only asciicast v2 is", header.version)));
    }
    let mut events = Vec::new();
    for (n, line) in lines {
        let line = line.map_err(|e| err(n, format!("cannot read: {e}")))?;
        if line.trim().is_empty() {
            continue;
        }
        let (time, code, data): (f64, String, String) =
            serde_json::from_str(&line).map_err(|e| err(n, format!("not an event [seconds, code, data] ({e})")))?;
        events.push(Event { time, kind: EventKind::from_code(&code), data });
    }
    Ok(Cast { header, events })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    fn header() -> Header {
        let mut h = Header::new(80, 24, "cargo test");
        h.timestamp = Some(1_714_564_800);
        h.env.insert("SHELL".into(), "/bin/bash".into());
        h.env.insert("TERM".into(), "xterm-256color".into());
        h
    }

    fn record(steps: impl FnOnce(&mut Writer<Vec<u8>>) -> io::Result<()>) -> String {
        let mut w = Writer::new(Vec::new(), &header()).unwrap();
        steps(&mut w).unwrap();
        String::from_utf8(w.finish(ms(9_999)).unwrap()).expect("casts are UTF-8")
    }

    #[test]
    fn a_written_cast_reads_back() {
        let text = record(|w| {
            w.output(ms(0), b"$ cargo test\r\n")?;
            w.input(ms(500), b"q")?;
            w.resize(ms(750), 120, 40)?;
            w.marker(ms(800), "approval asked")?;
            w.output(ms(1_234), "\u{1b}[32mok\u{1b}[0m \"quoted\" \\ tab\t é\n".as_bytes())
        });
        let cast = parse(&text).unwrap();
        assert_eq!(cast.header, header());
        let got: Vec<(f64, EventKind, &str)> =
            cast.events.iter().map(|e| (e.time, e.kind.clone(), e.data.as_str())).collect();
        assert_eq!(
            got,
            vec![
                (0.0, EventKind::Output, "$ cargo test\r\n"),
                (0.5, EventKind::Input, "q"),
                (0.75, EventKind::Resize, "120x40"),
                (0.8, EventKind::Marker, "approval asked"),
                (1.234, EventKind::Output, "\u{1b}[32mok\u{1b}[0m \"quoted\" \\ tab\t é\n"),
            ]
        );
    }

    /// What asciinema expects: a JSON object with version 2 and the terminal size first, then
    /// one JSON array `[number, string, string]` per line, times never going back.
    #[test]
    fn every_line_is_asciicast_v2_json() {
        let text = record(|w| {
            for i in 0..20u64 {
                w.output(ms(i * 37), format!("line {i}\r\n").as_bytes())?;
            }
            Ok(())
        });
        let mut lines = text.lines();
        let head: serde_json::Value = serde_json::from_str(lines.next().unwrap()).unwrap();
        assert_eq!(head["version"], 2);
        assert_eq!((head["width"].as_u64(), head["height"].as_u64()), (Some(80), Some(24)));
        assert_eq!(head["env"]["TERM"], "xterm-256color");
        assert_eq!(head["command"], "cargo test");
        let mut last = 0.0;
        let mut count = 0;
        for line in lines {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            let a = v.as_array().unwrap();
            assert_eq!(a.len(), 3, "{line}");
            let t = a[0].as_f64().unwrap();
            assert!(t >= last, "time went back in {line}");
            last = t;
            assert!(a[1].is_string() && a[2].is_string(), "{line}");
            count += 1;
        }
        assert_eq!(count, 20);
    }

    #[test]
    fn utf8_cut_between_reads_is_held_until_complete() {
        let euro = "€".as_bytes(); // three bytes
        let text = record(|w| {
            w.output(ms(1), &[b'a', euro[0]])?;
            w.output(ms(2), &euro[1..2])?; // still incomplete: no event
            w.output(ms(3), &[euro[2], b'b'])
        });
        let cast = parse(&text).unwrap();
        let data: Vec<&str> = cast.events.iter().map(|e| e.data.as_str()).collect();
        assert_eq!(data, ["a", "€b"]);
        assert_eq!(cast.events[1].time, 0.003);
    }

    #[test]
    fn bytes_that_are_not_utf8_become_replacement_characters() {
        let table: &[(&[&[u8]], &[&str])] = &[
            (&[b"\xff\xfeok"], &["\u{fffd}\u{fffd}ok"]),
            (&[b"a\xc3(b"], &["a\u{fffd}(b"]),
            (&[b"\x00bin\x01"], &["\u{0}bin\u{1}"]),
            // Never completed: written as a replacement at the end.
            (&[b"x\xe2\x82"], &["x", "\u{fffd}"]),
        ];
        for (chunks, want) in table {
            let text = record(|w| chunks.iter().try_for_each(|c| w.output(ms(1), c)));
            let cast = parse(&text).unwrap();
            let data: Vec<&str> = cast.events.iter().map(|e| e.data.as_str()).collect();
            assert_eq!(&data, want, "chunks {chunks:?}");
        }
    }

    #[test]
    fn input_and_output_hold_their_own_partial_sequences() {
        let text = record(|w| {
            w.output(ms(1), &"é".as_bytes()[..1])?;
            w.input(ms(2), "ü".as_bytes())?;
            w.output(ms(3), &"é".as_bytes()[1..])
        });
        let cast = parse(&text).unwrap();
        let got: Vec<(EventKind, &str)> = cast.events.iter().map(|e| (e.kind.clone(), e.data.as_str())).collect();
        assert_eq!(got, vec![(EventKind::Input, "ü"), (EventKind::Output, "é")]);
    }

    #[test]
    fn unreadable_casts_say_which_line_and_why() {
        let table: &[(&str, usize, &str)] = &[
            ("", 1, "empty"),
            ("not json\n", 1, "not an asciicast header"),
            ("{\"version\": 1, \"width\": 80, \"height\": 24}\n", 1, "only asciicast v2"),
            ("{\"version\": 2, \"width\": 80, \"height\": 24}\n[0.1, \"o\", \"a\"]\n[0.2, \"o\"]\n", 3, "not an event"),
        ];
        for (text, line, want) in table {
            let e = parse(text).unwrap_err();
            assert_eq!(e.line, *line, "{text:?}");
            assert!(e.to_string().contains(want), "{e} should mention {want}");
        }
        // Unknown event codes and blank lines are not errors.
        let cast = parse("{\"version\": 2, \"width\": 1, \"height\": 1}\n\n[0.5, \"x\", \"?\"]\n").unwrap();
        assert_eq!(cast.events[0].kind, EventKind::Other("x".into()));
    }
}
