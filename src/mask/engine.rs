//! Compiled detectors and what they do to one line: a pure function of the line and of the
//! state carried from earlier lines (inside a private-key block, inside a `data:` section).

use aho_corasick::{AhoCorasick, MatchKind};
use regex::bytes::Regex;

use super::detectors::{Detector, MaskError};

/// One compiled detector.
#[derive(Debug)]
struct Compiled {
    placeholder: String,
    /// Run only on lines the prefilter lets through.
    gated: bool,
    pattern: Option<Regex>,
    allow: Vec<Regex>,
    section: Option<(Regex, Regex)>,
    block: Option<Block>,
}

#[derive(Debug)]
struct Block {
    begin: Regex,
    end: Regex,
    body: Regex,
}

/// All detectors, compiled, with the prefilter over their triggers.
#[derive(Debug)]
pub(crate) struct Engine {
    detectors: Vec<Compiled>,
    /// Any trigger of any gated detector. `None` when no detector has triggers.
    gate: Option<AhoCorasick>,
    /// Some detector runs on every line, so no line can be skipped.
    ungated: bool,
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

impl Engine {
    pub(crate) fn compile(list: &[Detector]) -> Result<Engine, MaskError> {
        let re = |d: &Detector, s: &str| {
            Regex::new(s).map_err(|e| MaskError { id: d.id.clone(), message: format!("invalid regex: {e}") })
        };
        let mut detectors = Vec::with_capacity(list.len());
        let mut triggers: Vec<&str> = Vec::new();
        for d in list {
            for t in &d.triggers {
                if !triggers.contains(&t.as_str()) {
                    triggers.push(t);
                }
            }
            detectors.push(Compiled {
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
        let gate = if triggers.is_empty() {
            None
        } else {
            Some(
                AhoCorasick::builder()
                    .match_kind(MatchKind::LeftmostFirst)
                    .build(&triggers)
                    .map_err(|e| MaskError { id: "triggers".into(), message: e.to_string() })?,
            )
        };
        let ungated = detectors.iter().any(|d| !d.gated);
        Ok(Engine { detectors, gate, ungated })
    }

    /// Where the next trigger starts in `text`, if lines can be skipped at all; `Some(None)`
    /// means no line in `text` needs a detector. `None`: every line must be evaluated.
    pub(crate) fn next_candidate(&self, text: &[u8]) -> Option<Option<usize>> {
        if self.ungated {
            return None;
        }
        match &self.gate {
            Some(gate) => Some(gate.find(text).map(|m| m.start())),
            None => Some(None),
        }
    }

    /// The edits for one line (`seg`, with its `\n` if it has one), advancing `state`.
    pub(crate) fn evaluate(&self, state: &mut State, seg: &[u8], edits: &mut Vec<Edit>) {
        edits.clear();
        let content = seg.strip_suffix(b"\n").unwrap_or(seg);
        if let Some((i, placed)) = state.block {
            let block = self.detectors[i].block.as_ref().expect("a block state belongs to a block detector");
            if block.end.is_match(content) {
                state.block = None;
            } else if block.body.is_match(content) {
                if placed {
                    // Later body lines vanish, their newline with them.
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

        let mut found: Vec<(usize, usize, usize)> = Vec::new(); // (start, end, detector)
        if let Some((i, header_indent)) = state.section {
            if content.iter().all(u8::is_ascii_whitespace) {
                // Blank lines neither belong to a section nor end it.
            } else if indent(content) <= header_indent {
                state.section = None;
            } else {
                let (_, entry) =
                    self.detectors[i].section.as_ref().expect("a section state belongs to a section detector");
                self.find(i, entry, content, &mut found);
            }
        }

        let triggered = match &self.gate {
            Some(gate) => gate.is_match(content),
            None => false,
        };
        for (i, d) in self.detectors.iter().enumerate() {
            if d.gated && !triggered {
                continue;
            }
            if let Some(p) = &d.pattern {
                self.find(i, p, content, &mut found);
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
        for (start, end, i) in found {
            match edits.last_mut() {
                Some(last) if start < last.end => last.end = last.end.max(end),
                _ => edits.push(Edit { start, end, detector: Some(i) }),
            }
        }
    }

    /// Every secret `re` finds in `content` that no allow-regex of detector `i` excuses.
    fn find(&self, i: usize, re: &Regex, content: &[u8], found: &mut Vec<(usize, usize, usize)>) {
        let d = &self.detectors[i];
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

fn indent(line: &[u8]) -> usize {
    line.iter().take_while(|b| **b == b' ' || **b == b'\t').count()
}
