//! Compiled detectors and what they do to one line: a pure function of the line and of the
//! state carried from earlier lines (inside a private-key block, inside a `data:` section).

use regex::bytes::Regex;

use super::detector::{compile, Detector, MaskError};
use super::gate::Gate;

/// A detector's regex, compiled the first time a line reaches it: output from most commands
/// holds few triggers, so most regexes are never needed. Every regex compiled here was checked
/// when its detector was made (user detectors) or by the tests (built-in ones).
#[derive(Debug)]
struct Lazy {
    source: String,
    re: std::sync::OnceLock<Regex>,
}

impl Lazy {
    fn new(source: &str) -> Result<Lazy, String> {
        Ok(Lazy { source: source.to_string(), re: std::sync::OnceLock::new() })
    }
}

impl std::ops::Deref for Lazy {
    type Target = Regex;
    fn deref(&self) -> &Regex {
        self.re.get_or_init(|| compile(&self.source).expect("detector regexes are checked before use"))
    }
}

/// One compiled detector.
#[derive(Debug)]
struct Compiled {
    placeholder: String,
    /// Run only on lines the prefilter lets through.
    gated: bool,
    pattern: Option<Lazy>,
    allow: Vec<Lazy>,
    /// Index into [`Engine::requires`].
    requires: Option<usize>,
    section: Option<(Lazy, Lazy)>,
    block: Option<Block>,
}

#[derive(Debug)]
struct Block {
    begin: Lazy,
    end: Lazy,
    body: Lazy,
}

/// All detectors, compiled, with the prefilter over their triggers.
#[derive(Debug)]
pub(crate) struct Engine {
    detectors: Vec<Compiled>,
    /// The triggers of the gated detectors (none if they have none).
    gate: Option<Gate>,
    /// Some detector runs on every line, so no line can be skipped.
    ungated: bool,
    /// The distinct `requires` regexes.
    requires: Vec<Required>,
}

/// A `requires` regex, with the bytes one of which ends every match of it (when there are at
/// most three): see [`last_bytes`].
#[derive(Debug)]
struct Required {
    re: Lazy,
    last: Option<Vec<u8>>,
    /// The regex read backwards, built the first time it is needed (`None` if it cannot be).
    source: String,
    reverse: std::sync::OnceLock<Option<ReverseDfa>>,
}

impl Required {
    /// Whether the regex matches `line`. Every match ends in one of `last`, so the regex read
    /// backwards is tried, anchored, from each of those bytes in the line: `key: ` in `max_tokens: 5`
    /// is rejected after a few bytes, where the forward search reads the whole line.
    fn is_match(&self, line: &[u8], caches: &mut Vec<Option<ReverseCache>>, me: usize) -> bool {
        let Some(last) = &self.last else { return self.re.is_match(line) };
        let Some(rev) = self.reverse.get_or_init(|| ReverseDfa::new(&self.source)) else {
            return holds_any(line, last) && self.re.is_match(line);
        };
        if caches.len() <= me {
            caches.resize_with(me + 1, || None);
        }
        let cache = caches[me].get_or_insert_with(|| rev.0.create_cache());
        let mut at = 0;
        while let Some(i) = find_any(&line[at..], last) {
            let end = at + i + 1;
            let input = regex_automata::Input::new(line).range(..end).anchored(regex_automata::Anchored::Yes);
            match rev.0.try_search_rev(cache, &input) {
                Ok(Some(_)) => return true,
                Ok(None) => {}
                // The lazy DFA gave up (it never does on these small regexes): ask the regex.
                Err(_) => return self.re.is_match(line),
            }
            at = end;
        }
        false
    }
}

/// A regex read backwards, as a lazy DFA that reports every match (`MatchKind::All`).
#[derive(Debug)]
struct ReverseDfa(regex_automata::hybrid::dfa::DFA);

/// Its working memory, one per masker.
pub(crate) type ReverseCache = regex_automata::hybrid::dfa::Cache;

impl ReverseDfa {
    fn new(pattern: &str) -> Option<ReverseDfa> {
        use regex_automata::hybrid::dfa::DFA;
        use regex_automata::nfa::thompson;
        use regex_automata::util::syntax;
        DFA::builder()
            .configure(DFA::config().match_kind(regex_automata::MatchKind::All))
            .syntax(syntax::Config::new().unicode(false).utf8(false))
            .thompson(thompson::Config::new().reverse(true))
            .build(pattern)
            .ok()
            .map(ReverseDfa)
    }
}

/// What earlier lines left open.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct State {
    /// Inside a block: its detector and whether its placeholder line is out yet.
    block: Option<(usize, bool)>,
    /// Inside a section: its detector and the indentation of its header line.
    section: Option<(usize, usize)>,
}

impl State {
    pub(crate) fn is_open(&self) -> bool {
        self.block.is_some() || self.section.is_some()
    }
}

/// Replace `line[start..end]` with the placeholder of `detector`, or with nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Edit {
    pub(crate) start: usize,
    pub(crate) end: usize,
    pub(crate) detector: Option<usize>,
}

/// Buffers [`Engine::evaluate`] reuses from line to line.
#[derive(Debug, Default)]
pub(crate) struct Scratch {
    found: Vec<(usize, usize, usize)>,
    required: Vec<Option<bool>>,
    scanned: Vec<bool>,
    reverse: Vec<Option<ReverseCache>>,
}

impl Engine {
    pub(crate) fn compile(list: &[Detector]) -> Result<Engine, MaskError> {
        let re = |d: &Detector, s: &str| Lazy::new(s).map_err(|message| MaskError { id: d.id.clone(), message });
        let mut detectors = Vec::with_capacity(list.len());
        let mut requires: Vec<(&str, Required)> = Vec::new();
        let mut triggers: Vec<&str> = Vec::new();
        let mut owners: Vec<Vec<usize>> = Vec::new();
        for (i, d) in list.iter().enumerate() {
            for t in &d.triggers {
                match triggers.iter().position(|have| have == t) {
                    Some(at) => owners[at].push(i),
                    None => {
                        triggers.push(t);
                        owners.push(vec![i]);
                    }
                }
            }
            let required = match d.requires.as_deref() {
                None => None,
                Some(r) => Some(match requires.iter().position(|(have, _)| *have == r) {
                    Some(at) => at,
                    None => {
                        requires.push((
                            r,
                            Required {
                                re: re(d, r)?,
                                last: last_bytes(r),
                                source: r.to_string(),
                                reverse: std::sync::OnceLock::new(),
                            },
                        ));
                        requires.len() - 1
                    }
                }),
            };
            detectors.push(Compiled {
                requires: required,
                placeholder: format!("[masked:{}]", d.kind),
                gated: !d.triggers.is_empty(),
                pattern: d.pattern.as_deref().map(|p| re(d, p)).transpose()?,
                allow: d.allow.iter().map(|a| re(d, a)).collect::<Result<_, _>>()?,
                section: match &d.section {
                    Some(s) => Some((re(d, &s.start)?, re(d, &s.entry)?)),
                    None => None,
                },
                block: match &d.block {
                    Some(b) => Some(Block { begin: re(d, &b.begin)?, end: re(d, &b.end)?, body: re(d, &b.body)? }),
                    None => None,
                },
            });
        }
        let gate = if triggers.is_empty() {
            None
        } else {
            let err = |e: aho_corasick::BuildError| MaskError { id: "triggers".into(), message: e.to_string() };
            Some(Gate::new(&triggers, owners).map_err(err)?)
        };
        let ungated = detectors.iter().any(|d| !d.gated);
        let requires = requires.into_iter().map(|(_, r)| r).collect();
        Ok(Engine { detectors, gate, ungated, requires })
    }

    /// The trigger prefilter, if lines without a trigger can be skipped.
    pub(crate) fn gate(&self) -> Option<&Gate> {
        self.gate.as_ref().filter(|_| !self.ungated)
    }

    pub(crate) fn detector_count(&self) -> usize {
        self.detectors.len()
    }

    /// The edits for one line (`seg`, with its `\n` if it has one), advancing `state`.
    /// `known`: which detectors the line's triggers let run, if the caller has worked it out.
    pub(crate) fn evaluate(
        &self,
        state: &mut State,
        seg: &[u8],
        known: Option<&[bool]>,
        scratch: &mut Scratch,
        edits: &mut Vec<Edit>,
    ) {
        let Scratch { found, required, scanned, reverse } = scratch;
        edits.clear();
        let content = seg.strip_suffix(b"\n").unwrap_or(seg);
        if let Some((i, placed)) = state.block {
            let block = self.detectors[i].block.as_ref().expect("a block state belongs to a block detector");
            if block.end.is_match(content) {
                state.block = None;
            } else if block.body.is_match(content) {
                if placed || content.iter().all(u8::is_ascii_whitespace) {
                    // Later body lines vanish, their newline with them, and so do blank lines
                    // before the first one (PGP armour starts with one).
                    edits.push(Edit { start: 0, end: seg.len(), detector: None });
                } else {
                    // The first one becomes the placeholder, keeping indentation and line ending.
                    let start = indent(content);
                    let end = content.strip_suffix(b"\r").unwrap_or(content).len().max(start);
                    edits.push(Edit { start, end, detector: Some(i) });
                    state.block = Some((i, true));
                }
                return;
            } else {
                state.block = None;
            }
        }

        found.clear(); // (start, end, detector)
        if let Some((i, header_indent)) = state.section {
            if content.iter().all(u8::is_ascii_whitespace) {
                // Blank lines neither belong to a section nor end it.
            } else if indent(content) <= header_indent {
                state.section = None;
            } else {
                let (_, entry) =
                    self.detectors[i].section.as_ref().expect("a section state belongs to a section detector");
                self.find(i, entry, content, found);
            }
        }

        // Which detectors this line's triggers let run.
        let on = match known {
            Some(on) => on,
            None => {
                scanned.clear();
                scanned.resize(self.detectors.len(), false);
                if let Some(gate) = &self.gate {
                    gate.mark_line(content, scanned);
                }
                &scanned[..]
            }
        };
        required.clear();
        required.resize(self.requires.len(), None);
        for (i, d) in self.detectors.iter().enumerate() {
            if d.gated && !on[i] {
                continue;
            }
            if let Some(p) = &d.pattern {
                let ok = match d.requires {
                    None => true,
                    Some(r) => *required[r].get_or_insert_with(|| self.requires[r].is_match(content, reverse, r)),
                };
                if ok {
                    self.find(i, p, content, found);
                }
            }
            if let Some((start, _)) = &d.section {
                if start.is_match(content) {
                    state.section = Some((i, indent(content)));
                }
            }
            if let Some(b) = &d.block {
                if state.block.is_none() && b.begin.is_match(content) {
                    state.block = Some((i, false));
                }
            }
        }
        if found.is_empty() {
            return;
        }
        // Earliest first, then the detector listed first; overlapping finds merge into one
        // placeholder of the first one's kind, so nothing of either leaks.
        found.sort_unstable();
        for &(start, end, i) in found.iter() {
            match edits.last_mut() {
                Some(last) if start < last.end => last.end = last.end.max(end),
                _ => edits.push(Edit { start, end, detector: Some(i) }),
            }
        }
    }

    /// Every secret `re` finds in `content` that no allow-regex of detector `i` excuses.
    fn find(&self, i: usize, re: &Regex, content: &[u8], found: &mut Vec<(usize, usize, usize)>) {
        let d = &self.detectors[i];
        if !re.is_match(content) {
            return;
        }
        for caps in re.captures_iter(content) {
            let whole = caps.get(0).expect("group 0 always participates");
            let secret = re
                .capture_names()
                .enumerate()
                .filter(|(_, name)| name.is_some_and(|n| n.starts_with("secret")))
                .find_map(|(g, _)| caps.get(g))
                .unwrap_or(whole);
            if secret.is_empty() || d.allow.iter().any(|a| a.is_match(secret.as_bytes())) {
                continue;
            }
            found.push((secret.start(), secret.end(), i));
        }
    }

    /// What an edit puts in place of the text it covers.
    pub(crate) fn replacement(&self, edit: &Edit) -> &str {
        edit.detector.map_or("", |i| &self.detectors[i].placeholder)
    }
}

/// The bytes one of which ends every match of `pattern`, when there are one to three of them.
/// Most lines a trigger lets through hold no secret (`max_tokens`, `passed`), and a `requires`
/// regex that must end in `:` or `=` is answered for a line without either by `memchr`, which
/// is several times faster than running the regex over the line.
fn last_bytes(pattern: &str) -> Option<Vec<u8>> {
    use regex_syntax::hir::literal::{ExtractKind, Extractor};
    let hir = regex_syntax::ParserBuilder::new().unicode(false).utf8(false).build().parse(pattern).ok()?;
    let suffixes = Extractor::new().kind(ExtractKind::Suffix).extract(&hir);
    let mut bytes: Vec<u8> = Vec::new();
    for lit in suffixes.literals()? {
        let b = *lit.as_bytes().last()?;
        if !bytes.contains(&b) {
            bytes.push(b);
        }
    }
    (1..=3).contains(&bytes.len()).then_some(bytes)
}

/// Whether `line` holds any of `bytes` (one to three).
fn holds_any(line: &[u8], bytes: &[u8]) -> bool {
    bytes.len() > 3 || find_any(line, bytes).is_some()
}

/// Where the first of `bytes` (one to three) is in `line`.
fn find_any(line: &[u8], bytes: &[u8]) -> Option<usize> {
    match *bytes {
        [a] => memchr::memchr(a, line),
        [a, b] => memchr::memchr2(a, b, line),
        [a, b, c] => memchr::memchr3(a, b, c, line),
        _ => None,
    }
}

fn indent(line: &[u8]) -> usize {
    line.iter().take_while(|b| **b == b' ' || **b == b'\t').count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bytes_that_end_every_match() {
        let table: &[(&str, Option<&[u8]>)] = &[
            ("@", Some(b"@")),
            (r#"(?i:word|pass|token|key)["']?\s*[:=]"#, Some(b":=")),
            ("ab|cd", Some(b"bd")),
            // Too many to be worth it, or none: the regex decides alone.
            (r"--[a-z]*(?:word|key)\s|curl|wget", None),
            ("a[a-z]", None),
            ("a?", None),
            ("x*", None),
        ];
        for (pattern, want) in table {
            let mut got = last_bytes(pattern);
            if let Some(g) = got.as_mut() {
                g.sort_unstable();
            }
            assert_eq!(got.as_deref(), *want, "{pattern}");
        }
    }

    /// Read backwards from each byte a match may end with, a `requires` regex says what the
    /// regex itself says, on every example line and on lines made to come close.
    #[test]
    fn the_backward_reading_agrees_with_the_regex() {
        let mut lines: Vec<String> = Vec::new();
        for d in crate::testdata::detectors().iter() {
            for text in d.examples.mask.iter().chain(&d.examples.keep) {
                lines.extend(text.lines().map(str::to_string));
            }
        }
        lines.extend(
            [
                "max_tokens: 5",
                "let x = f(&tokens, 3)?;",
                "token=",
                "\"password\" : x",
                "PaSsWoRd   =",
                "key=value key: x",
                "passed = 3; tokens: 4; secret =1",
                "x@y",
                "no separator at all",
                "=:=:",
                "",
            ]
            .map(str::to_string),
        );
        let mut caches = Vec::new();
        for r in [
            "@",
            "{{keyend}}"
                .replace("{{keyend}}", r#"(?i:word|wd|phrase|pass|secret|token|key|base|credentials?)["']?\s*[:=]"#)
                .as_str(),
        ] {
            let req = Required {
                re: Lazy::new(r).unwrap(),
                last: last_bytes(r),
                source: r.to_string(),
                reverse: std::sync::OnceLock::new(),
            };
            assert!(req.last.is_some(), "{r}");
            for line in &lines {
                let want = compile(r).unwrap().is_match(line.as_bytes());
                assert_eq!(req.is_match(line.as_bytes(), &mut caches, 0), want, "{r} on {line:?}");
            }
            caches.clear();
        }
    }

    #[test]
    fn a_line_without_those_bytes_never_matches() {
        for d in crate::testdata::detectors().iter() {
            let Some(r) = d.requires.as_deref() else { continue };
            let Some(last) = last_bytes(r) else { continue };
            let re = compile(r).unwrap();
            for text in d.examples.mask.iter().chain(&d.examples.keep) {
                for line in text.lines() {
                    if re.is_match(line.as_bytes()) {
                        assert!(holds_any(line.as_bytes(), &last), "{}: {line}", d.id);
                    }
                }
            }
        }
    }
}
