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
    /// The file's name under `rules/` (`git.yaml`).
    pub file: &'static str,
    /// The file's text.
    pub yaml: &'static str,
    /// Its `pack:` name, if it gives one.
    pub pack: Option<&'static str>,
    /// Its `description:`, if any.
    pub description: Option<&'static str>,
    /// Its rules, in the file's order.
    pub rules: &'static [EmbeddedRule],
}

/// What the built-in packs together embed: lists and program knowledge merged over the packs
/// and the index of their rules by program, all sorted by name for binary search.
#[derive(Debug)]
pub struct Tables {
    /// How many rules the built-in packs hold; the index refers to them by position.
    pub rules: usize,
    /// Every list of the packs: name → its parts as JSON arrays of strings, in pack order;
    /// sorted by name.
    pub lists: BuiltinLists,
    /// The packs' `programs:`: name → each pack's knowledge of it as JSON, in pack order;
    /// sorted by name.
    pub programs: BuiltinPrograms,
    /// Program name → the positions of the rules that may concern it; sorted by name.
    pub index: &'static [(&'static str, &'static [u16])],
    /// The positions of the rules that cannot be indexed by program name (tried on every
    /// invocation).
    pub generic: &'static [u16],
}

/// A built-in rule as parsed at build time: what loading needs at hand, the rest as JSON.
pub struct EmbeddedRule {
    /// The rule's id.
    pub id: &'static str,
    /// Its decision.
    pub decision: Decision,
    /// The id of the rule it replaces, if any.
    pub overrides: Option<&'static str>,
    /// Why it replaces that rule.
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
