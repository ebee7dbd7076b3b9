//! Compiled detectors and what they do to one line: a pure function of the line and of the
//! state carried from earlier lines (inside a private-key block, inside a `data:` section).

use aho_corasick::{AhoCorasick, AhoCorasickKind, Input, MatchKind};
use regex::bytes::{Regex, RegexBuilder};

use super::detectors::{Detector, MaskError};

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
    /// The triggers of all gated detectors, in groups, for scanning whole chunks; see
    /// [`gate_groups`].
    gate: Vec<Group>,
    /// The same triggers, finding all of them (overlapping) in one line.
    each: Option<AhoCorasick>,
    /// For each trigger, the detectors it lets run.
    owners: Vec<Vec<usize>>,
    /// Some detector runs on every line, so no line can be skipped.
    ungated: bool,
    /// The distinct `requires` regexes.
    requires: Vec<Lazy>,
}

/// One group of triggers searched together, and for each of them (by its index in the group)
/// the detectors to run where it is found: its own, and those of any trigger a match of it
/// could hide from a non-overlapping search.
#[derive(Debug)]
struct Group {
    ac: AhoCorasick,
    owners: Vec<Vec<usize>>,
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
    pub start: usize,
    pub end: usize,
    pub detector: Option<usize>,
}

/// Buffers [`Engine::evaluate`] reuses from line to line.
#[derive(Debug, Default)]
pub(crate) struct Scratch {
    found: Vec<(usize, usize, usize)>,
    required: Vec<Option<bool>>,
    scanned: Vec<bool>,
}

impl Engine {
    pub(crate) fn compile(list: &[Detector]) -> Result<Engine, MaskError> {
        let re = |d: &Detector, s: &str| Lazy::new(s).map_err(|message| MaskError { id: d.id.clone(), message });
        let mut detectors = Vec::with_capacity(list.len());
        let mut requires: Vec<(&str, Lazy)> = Vec::new();
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
                        requires.push((r, re(d, r)?));
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
        // Leftmost-first lets aho-corasick use its SIMD (Teddy) searcher; which trigger is found
        // does not matter, only whether one is.
        let err = |e: aho_corasick::BuildError| MaskError { id: "triggers".into(), message: e.to_string() };
        let owners_of = |t: &str| &owners[triggers.iter().position(|have| *have == t).expect("grouped from triggers")];
        let mut gate = Vec::new();
        for group in gate_groups(&triggers) {
            let ac = AhoCorasick::builder().match_kind(MatchKind::LeftmostFirst).build(&group).map_err(err)?;
            let owners = group
                .iter()
                .map(|a| {
                    let mut run = owners_of(a).clone();
                    for b in group.iter().filter(|b| *b != a && can_hide(a, b)) {
                        run.extend(owners_of(b));
                    }
                    run
                })
                .collect();
            gate.push(Group { ac, owners });
        }
        let each = if triggers.is_empty() {
            None
        } else {
            // Lines are short and few; a DFA finds overlapping triggers fastest.
            let b = AhoCorasick::builder().kind(Some(AhoCorasickKind::DFA)).build(&triggers).map_err(err)?;
            Some(b)
        };
        let ungated = detectors.iter().any(|d| !d.gated);
        let requires = requires.into_iter().map(|(_, r)| r).collect();
        Ok(Engine { detectors, gate, each, owners, ungated, requires })
    }

    /// Memory for a search for triggers through chunks of input.
    pub(crate) fn candidates(&self) -> Candidates {
        Candidates { next: vec![0; self.gate.len()], searched: vec![false; self.gate.len()] }
    }

    /// Where the next trigger at or after `from` starts in `text`: `Some(None)` if none does,
    /// `None` if every line must be evaluated anyway (a detector without triggers).
    pub(crate) fn next_candidate(&self, c: &mut Candidates, text: &[u8], from: usize) -> Option<Option<usize>> {
        if self.ungated {
            return None;
        }
        let mut first = usize::MAX;
        for (g, group) in self.gate.iter().enumerate() {
            // A group's next hit stays valid until the scan passes it.
            if !c.searched[g] || c.next[g] < from {
                c.next[g] = group.ac.find(Input::new(text).span(from..text.len())).map_or(usize::MAX, |m| m.start());
                c.searched[g] = true;
            }
            first = first.min(c.next[g]);
        }
        Some((first != usize::MAX).then_some(first))
    }

    /// Marks in `on` the detectors whose triggers are in `text[start..end]`, a line that
    /// [`Engine::next_candidate`] has searched up to. Only groups with a hit before `end` look.
    pub(crate) fn triggers_in(&self, c: &Candidates, text: &[u8], start: usize, end: usize, on: &mut Vec<bool>) {
        on.clear();
        on.resize(self.detectors.len(), false);
        for (g, group) in self.gate.iter().enumerate() {
            if c.searched[g] && c.next[g] < end {
                for m in group.ac.find_iter(Input::new(text).span(c.next[g].max(start)..end)) {
                    for &i in &group.owners[m.pattern().as_usize()] {
                        on[i] = true;
                    }
                }
            }
        }
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
        let Scratch { found, required, scanned } = scratch;
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
                if let Some(each) = &self.each {
                    for m in each.find_overlapping_iter(content) {
                        for &i in &self.owners[m.pattern().as_usize()] {
                            scanned[i] = true;
                        }
                    }
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
                    Some(r) => *required[r].get_or_insert_with(|| self.requires[r].is_match(content)),
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

/// Where [`Engine::next_candidate`] remembers each group's next hit in the current chunk.
#[derive(Debug)]
pub(crate) struct Candidates {
    next: Vec<usize>,
    searched: Vec<bool>,
}

impl Candidates {
    /// Forgets the hits: the next chunk is new text.
    pub(crate) fn reset(&mut self) {
        self.searched.iter_mut().for_each(|s| *s = false);
    }
}

/// Splits triggers into groups searched one after another. aho-corasick's SIMD searcher
/// (Teddy) tests the first three bytes of every trigger in a group at once, pooling them into a
/// few buckets; pooled plain words (`pass`, `oken`) with prefixes such as `ghp_` or `AKIA` let
/// most English trigrams through and the scan slows from gigabytes to hundreds of megabytes a
/// second. Three groups measured fastest on realistic output: lower-case words with the
/// triggers that start with punctuation, lower-case prefixes holding punctuation or digits, and
/// those that start upper-case.
fn gate_groups<'t>(triggers: &[&'t str]) -> Vec<Vec<&'t str>> {
    let class = |t: &str| {
        let b = t.as_bytes()[0];
        if b.is_ascii_uppercase() {
            2
        } else if b.is_ascii_lowercase() && !t.bytes().all(|b| b.is_ascii_lowercase()) {
            1
        } else {
            0
        }
    };
    let mut groups: Vec<Vec<&str>> = vec![Vec::new(); 3];
    for t in triggers {
        groups[class(t)].push(t);
    }
    groups.retain(|g| !g.is_empty());
    groups
}

/// Whether a leftmost-first search that finds trigger `a` can skip an occurrence of `b`: `b`
/// starts where `a` does (one is a prefix of the other) or inside it (a suffix of `a` begins
/// `b`, or `b` lies within `a`).
fn can_hide(a: &str, b: &str) -> bool {
    a.starts_with(b) || b.starts_with(a) || a.contains(b) || (1..a.len()).any(|k| b.starts_with(&a[k..]))
}

/// Detectors' regexes see bytes: classes, `\b` and case folding are ASCII (which keeps the
/// automata small and fast) and `.` matches any byte but `\n`, so invalid UTF-8 never hides a
/// secret next to it. `(?u:…)` turns Unicode back on for a part of a pattern.
pub(crate) fn compile(pattern: &str) -> Result<Regex, String> {
    RegexBuilder::new(pattern).unicode(false).build().map_err(|e| format!("invalid regex: {e}"))
}

fn indent(line: &[u8]) -> usize {
    line.iter().take_while(|b| **b == b' ' || **b == b'\t').count()
}
