//! One secret detector: what it looks for, the regex dialect its patterns are written in, and
//! the checks that make it usable. A set of them is [`Detectors`](super::Detectors).

use std::fmt;

use regex::bytes::{Regex, RegexBuilder};
use serde::Deserialize;

/// One detector: how to find one kind of secret. The built-in ones come from
/// `rules/mask/secrets.yaml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Detector {
    /// Unique name, e.g. `github-token`.
    pub(crate) id: String,
    /// What the placeholder says: `[masked:KIND]`. Lower-case letters, digits and `_`.
    pub kind: String,
    /// What the detector finds, in words for people reading the file.
    #[serde(default)]
    #[allow(dead_code, reason = "documentation carried in the data; no code reads it")]
    pub(crate) description: String,
    /// Literal strings one of which every line this detector can match contains. Empty: the
    /// detector runs on every line.
    #[serde(default)]
    pub(crate) triggers: Vec<String>,
    /// Regex run on each line. The group `secret` (or any group whose name starts with
    /// `secret`) marks what is replaced; without one the whole match is.
    #[serde(default)]
    pub(crate) pattern: Option<String>,
    /// Regexes; a found secret matching any of them is kept (placeholders such as `${VAR}`).
    #[serde(default)]
    pub(crate) allow: Vec<String>,
    /// A cheap regex every line `pattern` can match also matches, tried first. Detectors that
    /// share one (the key=value family) try it once per line between them.
    #[serde(default)]
    pub(crate) requires: Option<String>,
    /// Lines under a header, e.g. the values under `data:` of a Kubernetes Secret.
    #[serde(default)]
    pub(crate) section: Option<SectionSpec>,
    /// A block of lines, e.g. a PEM private key.
    #[serde(default)]
    pub(crate) block: Option<BlockSpec>,
    /// Texts the detector must mask and must keep, checked by the tests.
    #[serde(default)]
    #[allow(dead_code, reason = "only the tests read the examples")]
    pub(crate) examples: Examples,
}

/// Lines opened by `start`; closed by the first non-blank line indented no deeper than it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SectionSpec {
    pub(crate) start: String,
    /// Run on each line inside; its `secret` group is replaced.
    pub(crate) entry: String,
}

/// Lines from `begin` to `end`; the `body` lines between become one placeholder line.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct BlockSpec {
    pub(crate) begin: String,
    pub(crate) end: String,
    pub(crate) body: String,
}

/// Texts that document and test a detector.
#[derive(Debug, Clone, Default, Deserialize)]
#[allow(dead_code, reason = "only the tests read the examples")]
#[serde(deny_unknown_fields)]
pub(crate) struct Examples {
    /// Each is masked, and the placeholder says this detector's kind.
    #[serde(default)]
    pub(crate) mask: Vec<String>,
    /// Each comes out byte-identical.
    #[serde(default)]
    pub(crate) keep: Vec<String>,
}

/// A detector that cannot be used, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct MaskError {
    pub(crate) id: String,
    pub(crate) message: String,
}

impl fmt::Display for MaskError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "secret detector {}: {}", self.id, self.message)
    }
}

impl std::error::Error for MaskError {}

impl Detector {
    /// A user-defined detector: `pattern` is a regex (with an optional `secret` group) and the
    /// placeholder says `[masked:ID]` (`-` in the id becomes `_`). It runs on every line unless
    /// [`Detector::with_triggers`] narrows it. Fails if the pattern does not compile.
    #[cfg(test)]
    pub(crate) fn custom(id: &str, pattern: &str) -> Result<Detector, MaskError> {
        let d = Detector {
            id: id.to_string(),
            kind: id.to_ascii_lowercase().replace('-', "_"),
            description: String::new(),
            triggers: Vec::new(),
            pattern: Some(pattern.to_string()),
            allow: Vec::new(),
            requires: None,
            section: None,
            block: None,
            examples: Examples::default(),
        };
        d.validate()?;
        Ok(d)
    }

    /// Literal strings one of which every match contains; lines without any are skipped cheaply.
    #[cfg(test)]
    pub(crate) fn with_triggers(mut self, triggers: &[&str]) -> Self {
        self.triggers = triggers.iter().map(|t| t.to_string()).collect();
        self
    }

    /// Texts that must be masked and texts that must be kept; see [`Detectors::check_examples`](super::Detectors::check_examples).
    #[cfg(test)]
    pub(crate) fn with_examples(mut self, mask: &[&str], keep: &[&str]) -> Self {
        self.examples.mask = mask.iter().map(|t| t.to_string()).collect();
        self.examples.keep = keep.iter().map(|t| t.to_string()).collect();
        self
    }

    /// Every regex of this detector, for compiling and error messages.
    #[cfg(test)]
    pub(crate) fn regexes(&self) -> Vec<&str> {
        let mut all: Vec<&str> = self.pattern.iter().map(String::as_str).collect();
        all.extend(self.allow.iter().map(String::as_str));
        all.extend(self.requires.as_deref());
        if let Some(s) = &self.section {
            all.extend([s.start.as_str(), s.entry.as_str()]);
        }
        if let Some(b) = &self.block {
            all.extend([b.begin.as_str(), b.end.as_str(), b.body.as_str()]);
        }
        all
    }

    #[cfg(test)]
    pub(crate) fn validate(&self) -> Result<(), MaskError> {
        self.validate_shape()?;
        for re in self.regexes() {
            compile(re).map_err(|message| MaskError { id: self.id.clone(), message })?;
        }
        Ok(())
    }

    /// Whether the detector is usable, short of compiling its regexes: the built-in detectors'
    /// regexes are compiled by the tests, and at run time only when masking is used.
    pub(crate) fn validate_shape(&self) -> Result<(), MaskError> {
        let err = |message: String| MaskError { id: self.id.clone(), message };
        if self.id.is_empty() {
            return Err(err("the id is empty; give the detector a name".into()));
        }
        if self.kind.is_empty() || !self.kind.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        {
            return Err(err(format!(
                "kind {:?} must be lower-case letters, digits and `_` (it is shown as [masked:KIND])",
                self.kind
            )));
        }
        if self.pattern.is_none() && self.section.is_none() && self.block.is_none() {
            return Err(err("it has no pattern, section or block; add a `pattern` regex".into()));
        }
        if self.triggers.iter().any(String::is_empty) {
            return Err(err("a trigger is empty; remove it or leave `triggers` out".into()));
        }
        Ok(())
    }
}

/// Detectors' regexes see bytes: classes, `\b` and case folding are ASCII (which keeps the
/// automata small and fast) and `.` matches any byte but `\n`, so invalid UTF-8 never hides a
/// secret next to it. `(?u:…)` turns Unicode back on for a part of a pattern.
pub(crate) fn compile(pattern: &str) -> Result<Regex, String> {
    RegexBuilder::new(pattern).unicode(false).build().map_err(|e| format!("invalid regex: {e}"))
}
