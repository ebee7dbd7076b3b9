//! The built-in packs in the form `guard-rules`'s `build.rs` embeds them: each pack's text, its
//! rules with their gates worked out at build time, and the tables the packs share.

use super::cmdline::BuiltinPrograms;
use super::lists::BuiltinLists;
use super::names::Gate;
use super::rule::Decision;

/// A built-in pack as parsed at build time (see `guard-rules`'s `build.rs`): its YAML text (for lint, `rules
/// show` and locations), lists and program knowledge as JSON to decode on demand, and its rules
/// with the program names they concern already worked out.
pub struct EmbeddedPack {
    pub file: &'static str,
    pub yaml: &'static str,
    pub pack: Option<&'static str>,
    pub description: Option<&'static str>,
    pub rules: &'static [EmbeddedRule],
}

/// What the built-in packs together embed: lists and program knowledge merged over the packs
/// and the index of their rules by program, all sorted by name for binary search.
#[derive(Debug)]
pub struct Tables {
    /// How many rules the built-in packs hold; the index refers to them by position.
    pub rules: usize,
    pub lists: BuiltinLists,
    pub programs: BuiltinPrograms,
    pub index: &'static [(&'static str, &'static [u16])],
    pub generic: &'static [u16],
}

pub struct EmbeddedRule {
    pub id: &'static str,
    pub decision: Decision,
    pub overrides: Option<&'static str>,
    pub reason: Option<&'static str>,
    /// What an invocation must be for the rule to concern it, with lists resolved through the
    /// built-in lists.
    pub gate: Gate,
    /// The lists the gate came through; if a policy file extends one, it is worked out again.
    pub lists: &'static [&'static str],
    /// The whole rule, decoded the first time it is judged.
    pub json: &'static str,
}

/// Where the rule `id` is defined (line, column) in a built-in pack's text.
pub(crate) fn location_in(yaml: &str, id: &str) -> Option<(u64, u64)> {
    let needle = format!("- id: {id}");
    yaml.lines().enumerate().find_map(|(i, l)| {
        let col = l.find(&needle)?;
        (l[col + needle.len()..].trim().is_empty()).then_some((i as u64 + 1, col as u64 + 3))
    })
}
