//! The hash chain that makes the log tamper-evident. Pure: no I/O.
//!
//! Each line is the canonical JSON of an entry (object keys sorted, no whitespace), carrying
//! `prev`, the `hash` of the line before, and `hash`, the SHA-256 of the line's canonical JSON
//! without `hash`. Editing, deleting, inserting or reordering lines breaks the chain at the
//! lines affected; [`Verifier`] reports each break and goes on. Cutting lines off the end
//! leaves a shorter chain that is still intact; only a copy of the head hash kept elsewhere
//! (checked with [`Verifier::seeking`]) or the lines shipped to syslog show that.
//!
//! A line found damaged at the end of the log when guard appends (a write cut short) is sealed
//! off by a [`Recovery`] line: it carries the damaged bytes' length and SHA-256, and links to
//! the last line before them that carries a hash. The verifier reports the damaged line once,
//! as recovered, and the chain runs on through the recovery line.
//!
//! The hash is computed over a generic JSON value, not the [`Entry`] struct, so lines written by
//! a guard that knows more fields still verify, and an added field still breaks the hash.

use std::collections::HashMap;
use std::ops::Range;

use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

pub use super::entry::hex;
use super::entry::{Entry, Recovery, Torn};

/// `prev` of the first line.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The entry as a line (without the newline) following the line whose hash is `prev`; `entry`
/// gets its `prev` and `hash`.
pub fn seal(entry: &mut Entry, prev: &str) -> String {
    entry.prev = prev.to_string();
    let (line, hash) = seal_value(&*entry);
    entry.hash = hash;
    line
}

/// The recovery as a line following the line whose hash is `prev`; `recovery` gets its `prev`
/// and `hash`.
pub fn seal_recovery(recovery: &mut Recovery, prev: &str) -> String {
    recovery.prev = prev.to_string();
    let (line, hash) = seal_value(&*recovery);
    recovery.hash = hash;
    line
}

/// The canonical line for `value` (an object with its `prev` set), and its hash. The line is
/// written once, with a placeholder for the hash, which is hashed around and then filled in.
fn seal_value(value: &impl serde::Serialize) -> (String, String) {
    let Value::Object(mut map) = serde_json::to_value(value).expect("a log line always serialises") else {
        unreachable!("a log line serialises as an object")
    };
    map.insert("hash".into(), Value::String(GENESIS.into()));
    let mut line = Vec::new();
    let mut member = None;
    write_object(&map, &mut line, Some(&mut member));
    let member = member.expect("the object has a `hash` member");
    let mut sha = Sha256::new();
    sha.update(&line[..member.start]);
    sha.update(&line[member.end..]);
    let hash = hex(&sha.finalize());
    // The member is `"hash":"…"` with the comma that joins it, before or after.
    let at = member.start + usize::from(line[member.start] == b',') + br#""hash":""#.len();
    line[at..at + hash.len()].copy_from_slice(hash.as_bytes());
    (String::from_utf8(line).expect("JSON text is UTF-8"), hash)
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

/// The `hash` a line carries, when it is a readable entry: what a new line is linked to, and
/// where [`Verifier`] takes the chain up again after a damaged line.
pub fn hash_of_line(line: &[u8]) -> Option<String> {
    let v: Value = serde_json::from_slice(line).ok()?;
    let h = v.get("hash")?.as_str()?;
    is_hash(h).then(|| h.to_string())
}

fn is_hash(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// One line judged on its own, apart from its place in the chain.
#[derive(Debug)]
enum Checked {
    /// Its hash covers its content, written exactly as guard writes lines. `torn` is set on a
    /// recovery line.
    Sealed { hash: String, prev: String, torn: Option<Torn> },
    /// Anything else; `claimed` is the hash it carries, when it carries a well-formed one.
    Damaged { reason: String, claimed: Option<String> },
}

fn check(line: &[u8]) -> Checked {
    let damaged = |reason: String| Checked::Damaged { reason, claimed: hash_of_line(line) };
    let value: Value = match serde_json::from_slice(line) {
        Ok(v) => v,
        Err(e) if line.is_empty() => return damaged(format!("empty line ({e})")),
        Err(e) => return damaged(format!("not a JSON entry ({e}): the line was damaged or edited")),
    };
    let Value::Object(map) = value else { return damaged("not a JSON object".into()) };
    let mut hash_member = None;
    let mut written = Vec::with_capacity(line.len());
    write_object(&map, &mut written, Some(&mut hash_member));
    if written != line {
        return damaged("not written the way guard writes lines (key order or spacing differs): edited".into());
    }
    let (Some(Value::String(hash)), Some(Value::String(prev)), Some(member)) =
        (map.get("hash"), map.get("prev"), hash_member)
    else {
        return damaged("no `hash` or `prev` field: not a guard audit entry".into());
    };
    let mut sha = Sha256::new();
    sha.update(&line[..member.start]);
    sha.update(&line[member.end..]);
    if hex(&sha.finalize()) != *hash {
        return damaged("its content does not match its hash: the line was edited".into());
    }
    let torn = map.get("torn").and_then(|t| serde_json::from_value::<Torn>(t.clone()).ok());
    Checked::Sealed { hash: hash.clone(), prev: prev.clone(), torn }
}

/// The hash of `line` when its hash covers its content: appending chains onto a last line like
/// that; anything else at the end (a write cut short, an edit) is sealed off with a
/// [`Recovery`] first. This is the test of every append, so it reads the line's bytes where
/// they are rather than decoding it; whether the line is also written exactly as guard writes
/// lines is for [`Verifier`] to say.
pub fn sealed_hash(line: &[u8]) -> Option<String> {
    // A JSON text, whole: nothing else has top-level members to find.
    serde_json::from_slice::<serde::de::IgnoredAny>(line).ok()?;
    let members = top_level_members(line)?;
    let find = |key: &[u8]| members.iter().find(|m| &line[m.key.clone()] == key);
    let (hash, prev) = (find(br#""hash""#)?, find(br#""prev""#)?);
    let string = |m: &Member| line[m.value.clone()].strip_prefix(b"\"").and_then(|v| v.strip_suffix(b"\""));
    let claimed = std::str::from_utf8(string(hash)?).ok().filter(|h| is_hash(h))?;
    string(prev)?;
    // The bytes hashed are the line without the member and the comma that joins it.
    let at = members.iter().position(|m| std::ptr::eq(m, hash))?;
    let cut = match (members.get(at + 1), at.checked_sub(1).map(|i| &members[i])) {
        (Some(next), _) if at == 0 => hash.key.start..next.key.start,
        (_, Some(before)) => before.value.end..hash.value.end,
        _ => hash.key.start..hash.value.end,
    };
    let mut sha = Sha256::new();
    sha.update(&line[..cut.start]);
    sha.update(&line[cut.end..]);
    (hex(&sha.finalize()) == claimed).then(|| claimed.to_string())
}

/// Where one member of an object sits in its text: its key with the quotes, its value.
struct Member {
    key: Range<usize>,
    value: Range<usize>,
}

/// The members of the object `text` is, found by its quotes and brackets alone; `None` when
/// `text` is not an object written as guard writes one at its top level: no whitespace outside
/// strings, each key once and in order. Only for text already known to be JSON.
fn top_level_members(text: &[u8]) -> Option<Vec<Member>> {
    let (start, end) = (0, text.len().checked_sub(1)?);
    if text[start] != b'{' || text[end] != b'}' {
        return None;
    }
    let mut members = Vec::new();
    // Where the current member's key and value start, at depth 1.
    let (mut key, mut colon): (Option<Range<usize>>, Option<usize>) = (None, None);
    let (mut depth, mut in_string, mut escaped, mut string_start) = (0usize, false, false, 0);
    for (i, &b) in text.iter().enumerate().take(end + 1).skip(start) {
        if in_string {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => {
                    in_string = false;
                    if depth == 1 && colon.is_none() && key.is_none() {
                        key = Some(string_start..i + 1);
                    }
                }
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => {
                in_string = true;
                string_start = i;
            }
            b'{' | b'[' => depth += 1,
            b'}' | b']' if depth == 1 => {
                if let (Some(k), Some(c)) = (key.take(), colon.take()) {
                    members.push(Member { key: k, value: c + 1..i });
                }
                depth -= 1;
            }
            b'}' | b']' => depth -= 1,
            b':' if depth == 1 && colon.is_none() => colon = Some(i),
            b if b.is_ascii_whitespace() => return None,
            b',' if depth == 1 => {
                let (k, c) = (key.take()?, colon.take()?);
                members.push(Member { key: k, value: c + 1..i });
            }
            _ => {}
        }
    }
    // Keys in strictly rising order: sorted, none twice (a second `hash` could say otherwise).
    members.windows(2).all(|w| text[w[0].key.clone()] < text[w[1].key.clone()]).then_some(members)
}

/// Checks a log one line at a time and reports every break, going on after each: a line that
/// breaks the chain is passed over by taking the chain up again from the hash it carries (or,
/// when the next line links past it, from the line before it), so a later, independent break
/// is found too, and one edited, inserted or deleted line is one break.
#[derive(Debug)]
pub struct Verifier {
    line: usize,
    /// The hash the next line must name as its `prev`, and the line that carries it (0 for
    /// the genesis value).
    head: String,
    head_line: usize,
    /// Hash → the first line carrying it, to say where a misplaced line links to.
    seen: HashMap<String, usize>,
    /// The line before, when damaged: held back one line, as the next one may be the recovery
    /// entry that seals it off.
    held: Option<Held>,
    breaks: Vec<Break>,
    /// Lines where the chain itself is cut: every break but a damaged line sealed off by its
    /// recovery entry and a last line whole but for its newline.
    cuts: Vec<usize>,
    /// A head saved earlier, or the start of one (lower case), to look for.
    seek: Option<String>,
    /// Sealed lines in their place (and the genesis value, as line 0) whose hash starts with
    /// `seek`.
    found: Vec<(usize, String)>,
}

#[derive(Debug)]
struct Held {
    line: usize,
    bytes: u64,
    sha256: String,
    reason: String,
    /// `head` and `head_line` as they were before this line.
    head: String,
    head_line: usize,
}

/// What [`Verifier`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// Lines read.
    pub entries: usize,
    /// The hash of the last line still on the chain (the genesis value for an empty log): the
    /// `prev` of the next line guard appends.
    pub head: String,
    /// Every break, in line order.
    pub breaks: Vec<Break>,
    /// Whether the head looked for was reached; `None` when none was looked for.
    pub reached: Option<Reached>,
}

impl Report {
    /// No break, and the head looked for, if any, reached.
    pub fn intact(&self) -> bool {
        self.breaks.is_empty() && self.reached.as_ref().is_none_or(|r| matches!(r, Reached::Yes { .. }))
    }
}

/// Whether a log still reaches a head hash saved earlier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reached {
    /// Line `line` (0 for the genesis value, the head of an empty log) carries that hash, and
    /// every line after it chains on from it.
    Yes { line: usize, hash: String },
    /// No sealed line in its place carries that hash: lines were cut off the end, or the log
    /// was replaced.
    Missing,
    /// Line `line` carries that hash, but the chain is cut after it, at line `at`.
    CutAfter { line: usize, hash: String, at: usize },
    /// The hashes of several lines start with the digits given.
    Ambiguous(Vec<String>),
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
        Verifier {
            line: 0,
            head: GENESIS.to_string(),
            head_line: 0,
            seen: HashMap::new(),
            held: None,
            breaks: Vec::new(),
            cuts: Vec::new(),
            seek: None,
            found: Vec::new(),
        }
    }
}

impl Verifier {
    /// Also look for `head`, a hash saved earlier or the start of one: [`Report::reached`].
    pub fn seeking(mut self, head: &str) -> Verifier {
        let head = head.to_ascii_lowercase();
        if GENESIS.starts_with(&head) {
            self.found.push((0, GENESIS.to_string()));
        }
        self.seek = Some(head);
        self
    }

    /// Check the next line (without its newline).
    pub fn push(&mut self, line: &[u8]) {
        self.line += 1;
        let n = self.line;
        let held = self.held.take();
        match check(line) {
            Checked::Damaged { reason, claimed } => {
                if let Some(h) = held {
                    self.cut(h.line, h.reason);
                }
                self.held = Some(Held {
                    line: n,
                    bytes: line.len() as u64,
                    sha256: hex(&Sha256::digest(line)),
                    reason,
                    head: self.head.clone(),
                    head_line: self.head_line,
                });
                // If only its content was changed, the next line names the hash it carries.
                if let Some(c) = claimed {
                    self.seen.entry(c.clone()).or_insert(n);
                    self.head = c;
                    self.head_line = n;
                }
            }
            Checked::Sealed { hash, prev, torn: Some(torn) } => match held {
                Some(h) if h.sha256 == torn.sha256 && h.bytes == torn.bytes => {
                    let reason = if torn.cut_short {
                        format!(
                            "a torn write ({} bytes cut short: a crash, a killed writer or a full disk), \
                             recovered at line {n}",
                            h.bytes
                        )
                    } else {
                        format!(
                            "{}; it was the last line, and is sealed off by the recovery entry at line {n}",
                            h.reason
                        )
                    };
                    self.breaks.push(Break { line: h.line, reason });
                    // The recovery links to the chain as it was before the damaged line.
                    self.head = h.head;
                    self.head_line = h.head_line;
                    self.link(n, hash, &prev);
                }
                held => {
                    if let Some(h) = held {
                        self.cut(h.line, h.reason);
                    }
                    self.cut(
                        n,
                        "a recovery entry that does not follow the line it seals off: that line was \
                         changed or removed since, or this entry was moved"
                            .into(),
                    );
                    self.seen.entry(hash.clone()).or_insert(n);
                    self.head = hash;
                    self.head_line = n;
                }
            },
            Checked::Sealed { hash, prev, torn: None } => {
                if let Some(h) = held {
                    // A damaged line that was inserted: the line after it links past it.
                    if prev == h.head {
                        self.head = h.head;
                        self.head_line = h.head_line;
                    }
                    self.cut(h.line, h.reason);
                }
                self.link(n, hash, &prev);
            }
        }
    }

    /// Line `n`, sealed, with `hash` and `prev`: is it where it belongs?
    fn link(&mut self, n: usize, hash: String, prev: &str) {
        let misplaced = match self.seen.get(&hash) {
            Some(&k) => Some(format!("it repeats line {k}: a copied line")),
            None if prev != self.head => Some(self.misplaced(n, prev)),
            None => None,
        };
        match misplaced {
            Some(reason) => self.cut(n, reason),
            None => {
                if self.seek.as_ref().is_some_and(|s| hash.starts_with(s.as_str())) {
                    self.found.push((n, hash.clone()));
                }
            }
        }
        self.seen.entry(hash.clone()).or_insert(n);
        self.head = hash;
        self.head_line = n;
    }

    /// Why line `n`, naming `prev`, does not follow the chain so far.
    fn misplaced(&self, n: usize, prev: &str) -> String {
        let m = self.head_line;
        if m == 0 {
            return if n == 1 {
                "the first line does not start a chain: lines before it were cut off (or this is the \
                 continuation of a rotated log)"
                    .into()
            } else {
                "it does not start a chain, and no line before it carries a hash: lines before it were \
                 cut off"
                    .into()
            };
        }
        if prev == GENESIS {
            return "it claims to be the first line: a forged or moved line".into();
        }
        match self.seen.get(prev) {
            Some(&k) if k + 1 == m && m + 1 == n => {
                format!("it follows line {k}, not line {m}: line {m} was inserted, or lines were reordered")
            }
            Some(&k) => format!("it follows line {k}, not line {m}: lines were inserted or reordered before it"),
            None => "it follows a line that is not before it: a line before it was deleted, or lines were \
                     reordered"
                .into(),
        }
    }

    fn cut(&mut self, line: usize, reason: String) {
        self.breaks.push(Break { line, reason });
        self.cuts.push(line);
    }

    /// Everything found; `complete` is false when the log did not end with a newline.
    pub fn finish(mut self, complete: bool) -> Report {
        if let Some(h) = self.held.take() {
            let reason = if complete {
                h.reason
            } else {
                format!(
                    "cut short: {} bytes without a newline (a crash, a killed writer or a full disk); the \
                     next entry guard appends seals it off",
                    h.bytes
                )
            };
            // The chain's head is the line before it, which the next entry links to.
            self.head = h.head;
            self.head_line = h.head_line;
            self.cut(h.line, reason);
        } else if !complete && self.line > 0 {
            self.breaks.push(Break {
                line: self.line,
                reason: "it has no newline, though otherwise whole: a write was interrupted just before \
                         its end; the next entry guard appends completes it"
                    .into(),
            });
        }
        let reached = self.seek.is_some().then(|| {
            let mut hashes: Vec<&str> = self.found.iter().map(|(_, h)| h.as_str()).collect();
            hashes.sort_unstable();
            hashes.dedup();
            match hashes[..] {
                [] => Reached::Missing,
                [_] => {
                    let (line, hash) = self.found.last().expect("one hash found").clone();
                    match self.cuts.iter().find(|&&c| c > line) {
                        Some(&at) => Reached::CutAfter { line, hash, at },
                        None => Reached::Yes { line, hash },
                    }
                }
                _ => Reached::Ambiguous(hashes.iter().map(|h| h.to_string()).collect()),
            }
        });
        Report { entries: self.line, head: self.head, breaks: self.breaks, reached }
    }
}

/// Verify a whole log held in memory, looking for `head` (a hash saved earlier, or the start
/// of one) when given.
pub fn verify_bytes(bytes: &[u8], head: Option<&str>) -> Report {
    let mut v = Verifier::default();
    if let Some(h) = head {
        v = v.seeking(h);
    }
    if bytes.is_empty() {
        return v.finish(true);
    }
    let complete = bytes.ends_with(b"\n");
    let body = if complete { &bytes[..bytes.len() - 1] } else { bytes };
    for line in body.split(|&b| b == b'\n') {
        v.push(line);
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
            user_claimed: None,
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
            contained: None,
            out_of_scope: Vec::new(),
            prev: String::new(),
            hash: String::new(),
        }
    }

    /// A log of `n` lines, as lines without newlines.
    fn log(n: usize) -> Vec<String> {
        let mut lines = Vec::new();
        extend(&mut lines, n);
        lines
    }

    /// `n` more entries, chained onto the last line.
    fn extend(lines: &mut Vec<String>, n: usize) {
        let mut prev = lines.last().map_or(GENESIS.to_string(), |l| hash_of_line(l.as_bytes()).unwrap());
        for i in lines.len()..lines.len() + n {
            let mut e = entry(i);
            lines.push(seal(&mut e, &prev));
            prev = e.hash;
        }
    }

    /// What appending does to a log whose last line is damaged: seal it off with a recovery
    /// line linked to the last line before it.
    fn seal_off(lines: &mut Vec<String>, cut_short: bool) {
        let damaged = lines.last().unwrap().clone();
        let before = lines[..lines.len() - 1]
            .iter()
            .rev()
            .find_map(|l| hash_of_line(l.as_bytes()))
            .unwrap_or(GENESIS.to_string());
        let mut r = Recovery::of(damaged.as_bytes(), !cut_short);
        lines.push(seal_recovery(&mut r, &before));
    }

    fn join(lines: &[String]) -> Vec<u8> {
        lines.iter().flat_map(|l| format!("{l}\n").into_bytes()).collect()
    }

    /// The line of each break, and the reasons.
    fn breaks(bytes: &[u8]) -> (Vec<usize>, Vec<String>) {
        let report = verify_bytes(bytes, None);
        report.breaks.into_iter().map(|b| (b.line, b.reason)).unzip()
    }

    fn edit(line: &mut String) {
        assert!(line.contains("\"exit\":0"), "{line}");
        *line = line.replace("\"exit\":0", "\"exit\":1");
    }

    #[test]
    fn a_sealed_log_verifies_and_reports_its_head() {
        let lines = log(5);
        let report = verify_bytes(&join(&lines), None);
        assert!(report.intact(), "{report:?}");
        assert_eq!(report.entries, 5);
        assert_eq!(Some(report.head), hash_of_line(lines[4].as_bytes()));
        let empty = verify_bytes(b"", None);
        assert_eq!(empty, Report { entries: 0, head: GENESIS.into(), breaks: vec![], reached: None });
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

    #[test]
    fn the_append_check_finds_every_sealed_line_and_nothing_cut_or_edited() {
        let mut lines = log(3);
        edit(lines.last_mut().unwrap());
        seal_off(&mut lines, false);
        extend(&mut lines, 1);
        // The hash member first, in the middle and followed by nested objects and strings full
        // of quotes, brackets and escapes.
        for v in [
            serde_json::json!({"prev": GENESIS}),
            serde_json::json!({"prev": GENESIS, "z": {"hash": "x", "s": "}\",\"hash\":\"{["}}),
            serde_json::json!({"a": ["\\\"", {"b": "]"}], "prev": GENESIS, "q": "\u{1}é"}),
        ] {
            lines.push(seal_value(&v).0);
        }
        for line in &lines {
            let bytes = line.as_bytes();
            let full = match check(bytes) {
                Checked::Sealed { hash, .. } => Some(hash),
                Checked::Damaged { .. } => None,
            };
            assert_eq!(sealed_hash(bytes), full, "{line}");
            if full.is_none() {
                continue;
            }
            for cut in 0..bytes.len() {
                assert_eq!(sealed_hash(&bytes[..cut]), None, "cut at {cut}: {line}");
            }
            for at in 0..bytes.len() {
                let mut edited = bytes.to_vec();
                edited[at] = match edited[at] {
                    b'0' => b'1',
                    b if b.is_ascii_alphanumeric() => b'0',
                    _ => continue,
                };
                assert_eq!(sealed_hash(&edited), None, "byte {at} edited: {}", String::from_utf8_lossy(&edited));
            }
        }
        // Whitespace guard does not write is content the hash does not cover.
        let padded = format!(" {} ", lines[0]);
        assert_eq!(sealed_hash(padded.as_bytes()), None);
        // Spacing or keys guard does not write: not chained onto, whatever the hash says.
        let spaced = lines[0].replacen(",\"hash\"", ", \"hash\"", 1);
        assert_ne!(spaced, lines[0]);
        assert_eq!(sealed_hash(spaced.as_bytes()), None);
        let twice = lines[0].replacen("{", &format!("{{\"hash\":\"{}\",", "0".repeat(64)), 1);
        assert_eq!(sealed_hash(twice.as_bytes()), None);
        for not_an_entry in ["", "[]", "{}", "\"x\"", r#"{"hash":"h","prev":"p"}"#, r#"{"hash":1,"prev":"p"}"#] {
            assert_eq!(sealed_hash(not_an_entry.as_bytes()), None, "{not_an_entry}");
        }
    }

    /// Each kind of tampering, applied to a 6-line log: the lines where it must be caught, and
    /// a word of the first reason. One edited, inserted or deleted line is one break.
    #[test]
    fn tampering_is_caught_at_the_lines_affected_and_only_there() {
        type Tamper = fn(&mut Vec<String>);
        let cases: Vec<(&str, Tamper, &[usize], &str)> = vec![
            ("edit a field", |l| edit(&mut l[2]), &[3], "edited"),
            ("edit the command", |l| l[0] = l[0].replace("echo 0", "echo 9"), &[1], "edited"),
            ("point at another recording", |l| l[3] = l[3].replace("/3.cast", "/4.cast"), &[4], "edited"),
            (
                "drop the recording",
                |l| l[1] = l[1].replace(",\"recording\":\"/s/guard/recordings/1.cast\"", ""),
                &[2],
                "edited",
            ),
            ("add a field", |l| l[3] = l[3].replacen('{', "{\"a\":1,", 1), &[4], "edited"),
            ("reformat a line", |l| l[1] = l[1].replacen(',', ", ", 1), &[2], "edited"),
            ("duplicate a key", |l| l[1] = l[1].replacen('{', "{\"action\":\"refused\",", 1), &[2], "edited"),
            ("edit the last line", |l| edit(&mut l[5]), &[6], "edited"),
            ("delete a line", |l| drop(l.remove(2)), &[3], "deleted"),
            ("delete the first line", |l| drop(l.remove(0)), &[1], "cut off"),
            ("swap two lines", |l| l.swap(3, 4), &[4, 5, 6], "reordered"),
            (
                "move a line to the end",
                |l| {
                    let x = l.remove(1);
                    l.push(x)
                },
                &[2, 6],
                "deleted",
            ),
            (
                "insert a line with a made-up hash",
                |l| {
                    let fake = l[2].replace(&hash_of_line(l[2].as_bytes()).unwrap(), &"ab".repeat(32));
                    l.insert(3, fake)
                },
                &[4],
                "edited",
            ),
            (
                "insert a self-consistent forged line",
                |l| {
                    let mut e = entry(99);
                    e.command = "rm -rf /".into();
                    let forged = seal(&mut e, &hash_of_line(l[2].as_bytes()).unwrap());
                    l.insert(3, forged)
                },
                &[5],
                "line 4 was inserted",
            ),
            ("insert a garbage line", |l| l.insert(2, "hello".into()), &[3], "not a JSON entry"),
            ("insert an empty line", |l| l.insert(5, String::new()), &[6], "empty line"),
            (
                "copy a line next to itself",
                |l| {
                    let x = l[2].clone();
                    l.insert(3, x)
                },
                &[4],
                "repeats line 3",
            ),
            (
                "replay the first line at the end",
                |l| {
                    let x = l[0].clone();
                    l.push(x)
                },
                &[7],
                "repeats line 1",
            ),
        ];
        for (what, tamper, want, word) in cases {
            let mut lines = log(6);
            tamper(&mut lines);
            let (at, reasons) = breaks(&join(&lines));
            assert_eq!(at, want, "{what}: {reasons:?}");
            assert!(reasons[0].contains(word), "{what}: {reasons:?}");
        }
    }

    #[test]
    fn independent_breaks_are_each_found() {
        let mut lines = log(8);
        edit(&mut lines[1]);
        edit(&mut lines[5]);
        assert_eq!(breaks(&join(&lines)).0, [2, 6]);

        let mut lines = log(8);
        lines.remove(1);
        edit(&mut lines[4]);
        lines.insert(6, "garbage".into());
        let (at, reasons) = breaks(&join(&lines));
        assert_eq!(at, [2, 5, 7], "{reasons:?}");
        assert!(reasons[0].contains("deleted") && reasons[1].contains("edited"), "{reasons:?}");
        assert!(reasons[2].contains("not a JSON entry"), "{reasons:?}");
    }

    #[test]
    fn a_torn_line_sealed_off_by_its_recovery_is_one_break() {
        let mut lines = log(3);
        let whole = log(4).pop().unwrap();
        lines.push(whole[..whole.len() / 2].to_string());
        seal_off(&mut lines, true);
        extend(&mut lines, 2);
        let report = verify_bytes(&join(&lines), None);
        assert_eq!(report.breaks.len(), 1, "{report:?}");
        assert_eq!(report.breaks[0].line, 4);
        let reason = &report.breaks[0].reason;
        assert!(reason.contains("a torn write") && reason.contains("recovered at line 5"), "{reason}");
        assert!(reason.contains(&format!("{} bytes", whole.len() / 2)), "{reason}");
        assert_eq!((report.entries, Some(report.head)), (7, hash_of_line(lines[6].as_bytes())));

        // A break after the recovery is found too.
        edit(&mut lines[5]);
        let (at, reasons) = breaks(&join(&lines));
        assert_eq!(at, [4, 6], "{reasons:?}");
        assert!(reasons[1].contains("edited"), "{reasons:?}");

        // A log that is nothing but a torn line: the recovery starts the chain.
        let mut lines = vec!["{\"action\":\"ran\",\"ag".to_string()];
        seal_off(&mut lines, true);
        extend(&mut lines, 1);
        let (at, reasons) = breaks(&join(&lines));
        assert_eq!(at, [1], "{reasons:?}");
        assert!(reasons[0].contains("recovered at line 2"), "{reasons:?}");

        // Torn twice in a row: the second recovery links past both.
        let mut lines = log(2);
        lines.push("{\"act".into());
        lines.push("{\"action\":\"r".into());
        seal_off(&mut lines, true);
        extend(&mut lines, 1);
        let (at, reasons) = breaks(&join(&lines));
        assert_eq!(at, [3, 4], "{reasons:?}");
        assert!(reasons[0].contains("not a JSON entry") && reasons[1].contains("recovered at line 5"), "{reasons:?}");
    }

    #[test]
    fn a_whole_last_line_that_is_not_sealed_is_sealed_off_with_its_reason() {
        let mut lines = log(3);
        edit(&mut lines[2]);
        seal_off(&mut lines, false);
        extend(&mut lines, 1);
        let (at, reasons) = breaks(&join(&lines));
        assert_eq!(at, [3], "{reasons:?}");
        assert!(reasons[0].contains("edited") && reasons[0].contains("recovery entry at line 4"), "{reasons:?}");
    }

    #[test]
    fn a_recovery_that_does_not_match_the_line_before_it_is_a_break() {
        let torn_log = || {
            let mut lines = log(3);
            lines.push("{\"action\":\"ran\",\"ag".into());
            seal_off(&mut lines, true);
            extend(&mut lines, 1);
            lines
        };
        // The torn bytes changed after they were sealed off.
        let mut lines = torn_log();
        lines[3].push('x');
        let (at, reasons) = breaks(&join(&lines));
        assert_eq!(at, [4, 5], "{reasons:?}");
        assert!(reasons[0].contains("not a JSON entry"), "{reasons:?}");
        assert!(reasons[1].contains("does not follow the line it seals off"), "{reasons:?}");
        // The torn line removed: the recovery follows a sealed line.
        let mut lines = torn_log();
        lines.remove(3);
        let (at, reasons) = breaks(&join(&lines));
        assert_eq!(at, [4], "{reasons:?}");
        assert!(reasons[0].contains("does not follow the line it seals off"), "{reasons:?}");
    }

    #[test]
    fn a_cut_short_last_line_is_reported() {
        let lines = log(3);
        let mut bytes = join(&lines);
        bytes.truncate(bytes.len() - 10);
        let report = verify_bytes(&bytes, None);
        assert_eq!(report.breaks.len(), 1, "{report:?}");
        assert_eq!(report.breaks[0].line, 3);
        assert!(report.breaks[0].reason.contains("cut short"), "{report:?}");
        // The head is the line before it, which the next entry will link to.
        assert_eq!(Some(report.head), hash_of_line(lines[1].as_bytes()));
        // Without its newline but otherwise whole: still not a complete log.
        let mut bytes = join(&lines);
        bytes.pop();
        let report = verify_bytes(&bytes, None);
        assert_eq!(report.breaks.len(), 1, "{report:?}");
        assert!(report.breaks[0].reason.contains("no newline"), "{report:?}");
        assert_eq!(Some(report.head), hash_of_line(lines[2].as_bytes()));
    }

    #[test]
    fn truncating_whole_lines_off_the_end_still_verifies_but_misses_a_saved_head() {
        // The honest limit of a pure chain: documented, and the head hash shows it.
        let lines = log(5);
        let full = verify_bytes(&join(&lines), None);
        let cut = verify_bytes(&join(&lines[..3]), Some(&full.head));
        assert_eq!((cut.entries, cut.breaks.len()), (3, 0));
        assert_ne!(cut.head, full.head);
        assert_eq!(cut.reached, Some(Reached::Missing));
        assert!(!cut.intact());
    }

    #[test]
    fn a_saved_head_is_reached_when_the_chain_runs_on_from_it() {
        let lines = log(5);
        let hash = |i: usize| hash_of_line(lines[i - 1].as_bytes()).unwrap();
        let reached = |bytes: &[u8], head: &str| verify_bytes(bytes, Some(head)).reached.unwrap();
        let bytes = join(&lines);
        for head in [hash(3), hash(3)[..12].to_string(), hash(3).to_ascii_uppercase()] {
            assert_eq!(reached(&bytes, &head), Reached::Yes { line: 3, hash: hash(3) }, "{head}");
        }
        assert!(verify_bytes(&bytes, Some(&hash(5))).intact());
        assert_eq!(reached(&bytes, &"ab".repeat(32)), Reached::Missing);
        // The empty log's head is the start of every chain.
        assert_eq!(reached(&bytes, GENESIS), Reached::Yes { line: 0, hash: GENESIS.into() });
        assert_eq!(reached(b"", GENESIS), Reached::Yes { line: 0, hash: GENESIS.into() });

        // Cut after it: not reached. A head after the break is.
        let mut edited = lines.clone();
        edit(&mut edited[3]);
        let bytes = join(&edited);
        assert_eq!(reached(&bytes, &hash(3)), Reached::CutAfter { line: 3, hash: hash(3), at: 4 });
        assert_eq!(reached(&bytes, GENESIS), Reached::CutAfter { line: 0, hash: GENESIS.into(), at: 4 });
        assert_eq!(reached(&bytes, &hash(5)), Reached::Yes { line: 5, hash: hash(5) });
        // The edited line itself is no longer a head anyone can reach.
        assert_eq!(reached(&bytes, &hash(4)), Reached::Missing);

        // A torn write after it, sealed off, does not cut the chain.
        let mut torn = lines.clone();
        torn.push("{\"act".into());
        seal_off(&mut torn, true);
        extend(&mut torn, 1);
        let report = verify_bytes(&join(&torn), Some(&hash(5)));
        assert_eq!(report.reached, Some(Reached::Yes { line: 5, hash: hash(5) }));
        assert_eq!(report.breaks.len(), 1);

        // Too few digits to name one line.
        let mut v = Verifier::default().seeking("");
        for l in &lines[..2] {
            v.push(l.as_bytes());
        }
        assert!(matches!(v.finish(true).reached, Some(Reached::Ambiguous(h)) if h.len() == 3));
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
