//! The hash chain that makes the log tamper-evident. Pure: no I/O.
//!
//! Each line is the canonical JSON of an entry (object keys sorted, no whitespace), carrying
//! `prev`, the `hash` of the line before, and `hash`, the SHA-256 of the line's canonical JSON
//! without `hash`. Editing, deleting, inserting or reordering lines breaks the chain at the first
//! line affected. Cutting lines off the end leaves a shorter chain that is still intact; only a
//! copy of the head hash kept elsewhere (or the lines shipped to syslog) shows that.
//!
//! The hash is computed over a generic JSON value, not the [`Entry`] struct, so lines written by
//! a guard that knows more fields still verify, and an added field still breaks the hash.

use std::ops::Range;

use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use super::entry::Entry;

/// `prev` of the first line.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The entry as a line (without the newline) following the line whose hash is `prev`; `entry`
/// gets its `prev` and `hash`.
pub fn seal(entry: &mut Entry, prev: &str) -> String {
    entry.prev = prev.to_string();
    let Value::Object(mut map) = serde_json::to_value(&*entry).expect("an Entry always serialises") else {
        unreachable!("an Entry serialises as an object")
    };
    map.remove("hash");
    let mut unsealed = Vec::new();
    write_object(&map, &mut unsealed, None);
    entry.hash = hex(&Sha256::digest(&unsealed));
    map.insert("hash".into(), Value::String(entry.hash.clone()));
    canonical(&Value::Object(map))
}

pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[(b >> 4) as usize] as char);
        s.push(DIGITS[(b & 15) as usize] as char);
    }
    s
}

/// Compact JSON with object keys in byte order. Written here rather than left to `serde_json`,
/// whose key order depends on a crate feature any other dependency may switch on.
pub fn canonical(v: &Value) -> String {
    let mut out = Vec::new();
    write_value(v, &mut out);
    String::from_utf8(out).expect("JSON text is UTF-8")
}

fn write_value(v: &Value, out: &mut Vec<u8>) {
    match v {
        Value::Object(m) => write_object(m, out, None),
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_value(item, out);
            }
            out.push(b']');
        }
        // Strings, numbers, booleans and null: serde_json's compact form.
        scalar => serde_json::to_writer(&mut *out, scalar).expect("writing JSON to memory cannot fail"),
    }
}

/// Write an object; when `hash_member` is given, it receives the byte range of the `hash`
/// member together with the comma joining it to a neighbour, so that cutting that range out
/// leaves the canonical JSON of the object without `hash`.
fn write_object(m: &Map<String, Value>, out: &mut Vec<u8>, mut hash_member: Option<&mut Option<Range<usize>>>) {
    let mut fields: Vec<(&String, &Value)> = m.iter().collect();
    fields.sort_unstable_by(|a, b| a.0.cmp(b.0));
    out.push(b'{');
    let last = fields.len().saturating_sub(1);
    for (i, (k, v)) in fields.into_iter().enumerate() {
        let start = out.len();
        if i > 0 {
            out.push(b',');
        }
        serde_json::to_writer(&mut *out, k).expect("writing JSON to memory cannot fail");
        out.push(b':');
        write_value(v, out);
        if k == "hash" {
            if let Some(slot) = hash_member.as_deref_mut() {
                // The first member takes the comma that follows it.
                let end = if i == 0 && i < last { out.len() + 1 } else { out.len() };
                *slot = Some(start..end);
            }
        }
    }
    out.push(b'}');
}

/// The `hash` a line carries, when it is a readable entry; used to link a new line to it.
pub fn hash_of_line(line: &[u8]) -> Option<String> {
    let v: Value = serde_json::from_slice(line).ok()?;
    let h = v.get("hash")?.as_str()?;
    is_hash(h).then(|| h.to_string())
}

fn is_hash(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// The chain so far, fed one line at a time.
#[derive(Debug)]
pub struct Verifier {
    line: usize,
    head: String,
    /// Hash → line number, to say where a misplaced line links to.
    seen: std::collections::HashMap<String, usize>,
}

/// A chain that verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Intact {
    pub entries: usize,
    /// The last line's hash (the genesis value for an empty log).
    pub head: String,
}

/// Where and why the chain breaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Break {
    /// 1-based.
    pub line: usize,
    pub reason: String,
}

impl std::fmt::Display for Break {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.reason)
    }
}

impl Default for Verifier {
    fn default() -> Self {
        Verifier { line: 0, head: GENESIS.to_string(), seen: Default::default() }
    }
}

impl Verifier {
    /// Check the next line (without its newline).
    pub fn push(&mut self, line: &[u8]) -> Result<(), Break> {
        self.line += 1;
        let n = self.line;
        let broken = |reason: String| Err(Break { line: n, reason });
        let value: Value = match serde_json::from_slice(line) {
            Ok(v) => v,
            Err(e) if line.is_empty() => return broken(format!("empty line ({e})")),
            Err(e) => return broken(format!("not a JSON entry ({e}): the line was damaged or edited")),
        };
        let Value::Object(map) = value else { return broken("not a JSON object".into()) };
        let mut hash_member = None;
        let mut written = Vec::with_capacity(line.len());
        write_object(&map, &mut written, Some(&mut hash_member));
        if written != line {
            return broken("not written the way guard writes lines (key order or spacing differs): edited".into());
        }
        let (Some(Value::String(hash)), Some(Value::String(prev)), Some(member)) =
            (map.get("hash"), map.get("prev"), hash_member)
        else {
            return broken("no `hash` or `prev` field: not a guard audit entry".into());
        };
        let mut sha = Sha256::new();
        sha.update(&line[..member.start]);
        sha.update(&line[member.end..]);
        if hex(&sha.finalize()) != *hash {
            return broken("its content does not match its hash: the line was edited".into());
        }
        if *prev != self.head {
            let reason = if n == 1 {
                "the first line does not start a chain: lines before it were cut off (or this is the \
                 continuation of a rotated log)"
                    .to_string()
            } else {
                match self.seen.get(prev) {
                    Some(&k) if k + 2 == n => format!(
                        "it follows line {k}, not line {}: line {} was inserted, or lines were reordered",
                        n - 1,
                        n - 1
                    ),
                    Some(&k) => {
                        format!("it follows line {k}, not line {}: lines were inserted or reordered before it", n - 1)
                    }
                    None if prev == GENESIS => "it claims to be the first line: a forged or moved line".into(),
                    None => "it follows a line that is not before it: a line before it was deleted, or \
                             lines were reordered"
                        .into(),
                }
            };
            return broken(reason);
        }
        self.seen.insert(hash.clone(), n);
        self.head = hash.clone();
        Ok(())
    }

    /// The verified chain; `complete` is false when the file did not end with a newline.
    pub fn finish(self, complete: bool) -> Result<Intact, Break> {
        if !complete {
            return Err(Break {
                line: self.line,
                reason: "the last line has no newline: a write was cut short (disk full or a crash)".into(),
            });
        }
        Ok(Intact { entries: self.line, head: self.head })
    }
}

/// Verify a whole log held in memory.
pub fn verify_bytes(bytes: &[u8]) -> Result<Intact, Break> {
    let mut v = Verifier::default();
    if bytes.is_empty() {
        return v.finish(true);
    }
    let complete = bytes.ends_with(b"\n");
    let body = if complete { &bytes[..bytes.len() - 1] } else { bytes };
    for line in body.split(|&b| b == b'\n') {
        v.push(line)?;
    }
    v.finish(complete)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::entry::{Action, PlanSummary};
    use crate::policy::Decision;

    fn entry(i: usize) -> Entry {
        Entry {
            time: format!("2026-01-01T00:00:{:02}.000Z", i % 60),
            user: "u".into(),
            uid: 1000,
            host: "h".into(),
            pid: 42,
            cwd: "/w".into(),
            agent: "claude".into(),
            session_id: Some("s".into()),
            tool_use_id: None,
            face: "hook:claude".into(),
            command: format!("echo {i} \"quoted\" é\ttab"),
            command_bytes: None,
            plan: PlanSummary { programs: vec!["echo".into()], commands: 1, ..Default::default() },
            decision: Decision::Allow,
            action: Action::Ran,
            rules: vec![],
            approval_id: None,
            approver: None,
            exit: Some(0),
            duration_ms: Some(3),
            recording: (i % 2 == 1).then(|| format!("/s/guard/recordings/{i}.cast")),
            prev: String::new(),
            hash: String::new(),
        }
    }

    /// A log of `n` lines, as lines without newlines.
    fn log(n: usize) -> Vec<String> {
        let mut prev = GENESIS.to_string();
        (0..n)
            .map(|i| {
                let mut e = entry(i);
                let line = seal(&mut e, &prev);
                prev = e.hash;
                line
            })
            .collect()
    }

    fn join(lines: &[String]) -> Vec<u8> {
        lines.iter().flat_map(|l| format!("{l}\n").into_bytes()).collect()
    }

    #[test]
    fn a_sealed_log_verifies_and_reports_its_head() {
        let lines = log(5);
        let intact = verify_bytes(&join(&lines)).unwrap();
        assert_eq!(intact.entries, 5);
        assert_eq!(Some(intact.head), hash_of_line(lines[4].as_bytes()));
        assert_eq!(verify_bytes(b"").unwrap(), Intact { entries: 0, head: GENESIS.into() });
    }

    #[test]
    fn lines_are_canonical_and_read_back_as_the_entry() {
        let mut e = entry(1);
        let line = seal(&mut e, GENESIS);
        let back: Entry = serde_json::from_str(&line).unwrap();
        assert_eq!(back, e);
        assert_eq!(canonical(&serde_json::from_str(&line).unwrap()), line);
        assert!(line.starts_with("{\"action\":\"ran\",\"agent\":\"claude\","), "{line}");
    }

    #[test]
    fn canonical_json_sorts_keys_at_every_level() {
        for (input, want) in [
            (r#"{"b":1,"a":{"d":[{"z":1,"y":2}],"c":null}}"#, r#"{"a":{"c":null,"d":[{"y":2,"z":1}]},"b":1}"#),
            (r#"{ "é" : "x\n" , "e" : true }"#, r#"{"e":true,"é":"x\n"}"#),
            (r#"[3, "a\u0001"]"#, r#"[3,"a\u0001"]"#),
        ] {
            assert_eq!(canonical(&serde_json::from_str(input).unwrap()), want, "{input}");
        }
    }

    #[test]
    fn cutting_the_hash_member_leaves_the_object_without_it() {
        for input in [
            r#"{"a":1,"hash":"h","z":2}"#,
            r#"{"hash":"h","z":2}"#,
            r#"{"a":1,"hash":"h"}"#,
            r#"{"hash":"h"}"#,
            r#"{"a":{"hash":"nested"},"hash":"h"}"#,
        ] {
            let Value::Object(mut map) = serde_json::from_str(input).unwrap() else { unreachable!() };
            let mut member = None;
            let mut full = Vec::new();
            write_object(&map, &mut full, Some(&mut member));
            let member = member.unwrap();
            let cut = [&full[..member.start], &full[member.end..]].concat();
            map.remove("hash");
            assert_eq!(String::from_utf8(cut).unwrap(), canonical(&Value::Object(map)), "{input}");
        }
    }

    /// Each kind of tampering, applied to a 6-line log, and the line where it must be caught.
    #[test]
    fn tampering_is_caught_at_the_first_affected_line() {
        let forged_with_chain = |lines: &[String], after: usize| {
            let prev = hash_of_line(lines[after].as_bytes()).unwrap();
            let mut e = entry(99);
            e.command = "rm -rf /".into();
            seal(&mut e, &prev)
        };
        type Tamper = fn(&mut Vec<String>);
        let cases: Vec<(&str, Tamper, usize, &str)> = vec![
            ("edit a field", |l| l[2] = l[2].replace("\"exit\":0", "\"exit\":1"), 3, "edited"),
            ("edit the command", |l| l[0] = l[0].replace("echo 0", "echo 9"), 1, "edited"),
            ("point at another recording", |l| l[3] = l[3].replace("/3.cast", "/4.cast"), 4, "edited"),
            (
                "drop the recording",
                |l| l[1] = l[1].replace(",\"recording\":\"/s/guard/recordings/1.cast\"", ""),
                2,
                "edited",
            ),
            ("add a field", |l| l[3] = l[3].replacen('{', "{\"a\":1,", 1), 4, "edited"),
            ("reformat a line", |l| l[1] = l[1].replacen(',', ", ", 1), 2, "edited"),
            ("duplicate a key", |l| l[1] = l[1].replacen('{', "{\"action\":\"refused\",", 1), 2, "edited"),
            ("delete a line", |l| drop(l.remove(2)), 3, "deleted"),
            ("delete the first line", |l| drop(l.remove(0)), 1, "cut off"),
            ("swap two lines", |l| l.swap(3, 4), 4, "reordered"),
            (
                "move a line to the end",
                |l| {
                    let x = l.remove(1);
                    l.push(x)
                },
                2,
                "deleted",
            ),
            (
                "insert a line with a made-up hash",
                |l| {
                    let fake = l[2].replace(&hash_of_line(l[2].as_bytes()).unwrap(), &"ab".repeat(32));
                    l.insert(3, fake)
                },
                4,
                "edited",
            ),
            ("insert a garbage line", |l| l.insert(2, "hello".into()), 3, "not a JSON entry"),
            ("insert an empty line", |l| l.insert(5, String::new()), 6, "empty line"),
            (
                "replay the first line at the end",
                |l| {
                    let x = l[0].clone();
                    l.push(x)
                },
                7,
                "first line",
            ),
        ];
        for (what, tamper, line, word) in cases {
            let mut lines = log(6);
            tamper(&mut lines);
            let err = verify_bytes(&join(&lines)).expect_err(what);
            assert_eq!(err.line, line, "{what}: {err}");
            assert!(err.reason.contains(word), "{what}: {err}");
        }
        // A forged line that carries a correct hash and links to the line before it is
        // self-consistent; the chain breaks at the line after it.
        let mut lines = log(6);
        let forged = forged_with_chain(&lines, 2);
        lines.insert(3, forged);
        let err = verify_bytes(&join(&lines)).unwrap_err();
        assert_eq!(err.line, 5, "{err}");
        assert!(err.reason.contains("line 4 was inserted"), "{err}");
    }

    #[test]
    fn a_cut_short_last_line_is_reported() {
        let lines = log(3);
        let mut bytes = join(&lines);
        bytes.truncate(bytes.len() - 10);
        let err = verify_bytes(&bytes).unwrap_err();
        assert_eq!(err.line, 3, "{err}");
        // Without its newline but otherwise whole: still not a complete log.
        let mut bytes = join(&lines);
        bytes.pop();
        let err = verify_bytes(&bytes).unwrap_err();
        assert!(err.reason.contains("no newline"), "{err}");
    }

    #[test]
    fn truncating_whole_lines_off_the_end_still_verifies() {
        // The honest limit of a pure chain: documented, and the head hash shows it.
        let lines = log(5);
        let full = verify_bytes(&join(&lines)).unwrap();
        let cut = verify_bytes(&join(&lines[..3])).unwrap();
        assert_eq!(cut.entries, 3);
        assert_ne!(cut.head, full.head);
    }

    #[test]
    fn hash_of_line_reads_only_well_formed_hashes() {
        let lines = log(1);
        assert_eq!(hash_of_line(lines[0].as_bytes()).map(|h| h.len()), Some(64));
        for bad in ["", "{}", "{\"hash\":\"xyz\"}", "{\"hash\":1}", "not json"] {
            assert_eq!(hash_of_line(bad.as_bytes()), None, "{bad}");
        }
    }
}
