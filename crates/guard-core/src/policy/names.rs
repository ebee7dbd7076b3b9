//! Which programs a rule's match can concern, so rules can be indexed by program. The same
//! code runs at build time (for the built-in packs, see `build.rs`) and at load time.

use std::borrow::Cow;

use super::rule::{MatchSpec, OneOrMany};

/// `v`'s items with `$list` references expanded by `list`; each list name used is pushed to
/// `used` (an unknown list stays as the literal `$name`, which lint reports).
pub fn expand<'l>(v: &OneOrMany, list: &dyn Fn(&str) -> Option<&'l [String]>, used: &mut Vec<String>) -> Vec<String> {
    let mut out = Vec::new();
    for item in v.items() {
        match item.strip_prefix('$').and_then(|n| list(n).map(|l| (n, l))) {
            Some((name, items)) => {
                used.push(name.to_string());
                out.extend(items.iter().cloned());
            }
            None => out.push(item),
        }
    }
    out
}

/// Whether an index keyed by exact program name can hold a rule naming `names`.
pub fn indexable(names: &[String]) -> bool {
    !names.is_empty() && !names.iter().any(|n| n.contains(['*', '?', '/']))
}

/// What an invocation must have for a match to hold, as bits.
pub const NEEDS_REDIRECT: u8 = 1;
pub const NEEDS_CODE: u8 = 2;
pub const NEEDS_VIA: u8 = 4;
/// A redirection, or a program with known effects on files.
pub const NEEDS_EFFECT: u8 = 8;

type Strs = Cow<'static, [Cow<'static, str>]>;

/// Cheap necessary conditions of a match, checked before the rule is decoded: most rules
/// concern a few programs or need a redirect, code or a telling argument, and most commands
/// have none of those. Built-in rules' gates are worked out at build time and embedded as Rust
/// data. Every test here only rules out what the full match would rule out too.
#[derive(Debug, Clone, Default)]
pub struct Gate {
    /// The program is one of these (name, glob or path), when not empty.
    pub programs: Strs,
    /// The program and subcommand words are one of these, when not empty.
    pub commands: Strs,
    /// Some argument contains one of these, when not empty.
    pub arg_contains: Strs,
    /// [`NEEDS_REDIRECT`]-style bits.
    pub needs: u8,
    /// One of these holds too, when not empty.
    pub any: Cow<'static, [Gate]>,
}

impl Gate {
    /// The gate of `m`, with `$list` references expanded by `list` (names used pushed to `used`).
    pub fn of<'l>(m: &MatchSpec, list: &dyn Fn(&str) -> Option<&'l [String]>, used: &mut Vec<String>) -> Gate {
        let owned = |v: Vec<String>| -> Strs { v.into_iter().map(Cow::Owned).collect::<Vec<_>>().into() };
        let mut g = Gate::default();
        if let Some(p) = &m.program {
            g.programs = owned(expand(p, list, used));
        }
        if let Some(c) = &m.command {
            g.commands = owned(expand(c, list, used));
        }
        if let Some(c) = m.arg.as_ref().and_then(|a| a.contains.as_ref()) {
            g.arg_contains = owned(expand(c, list, used));
        }
        if m.redirect.is_some() {
            g.needs |= NEEDS_REDIRECT;
        }
        if m.code.is_some() {
            g.needs |= NEEDS_CODE;
        }
        if m.via.is_some() {
            g.needs |= NEEDS_VIA;
        }
        if m.effect.is_some() {
            g.needs |= NEEDS_EFFECT;
        }
        if let Some(alts) = m.any.as_deref().filter(|a| !a.is_empty()) {
            g.any = alts.iter().map(|a| Gate::of(a, list, used)).collect::<Vec<_>>().into();
        }
        g
    }

    /// The programs the gate admits by name (none: it may admit any program): the index of
    /// rules by program is built from these.
    pub fn program_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self.programs.iter().map(|p| p.to_string()).collect();
        names.extend(self.commands.iter().filter_map(|c| c.split_whitespace().next().map(str::to_string)));
        if names.is_empty() {
            for a in self.any.iter() {
                let n = a.program_names();
                if n.is_empty() {
                    return Vec::new();
                }
                names.extend(n);
            }
        }
        names
    }

    /// The gate as a Rust expression (for `guard-rules`'s `build.rs`).
    pub fn to_rust(&self) -> String {
        let strs = |v: &Strs| {
            let items: Vec<String> = v.iter().map(|s| format!("Cow::Borrowed({s:?})")).collect();
            format!("Cow::Borrowed(&[{}])", items.join(", "))
        };
        let any: Vec<String> = self.any.iter().map(Gate::to_rust).collect();
        format!(
            "Gate {{ programs: {}, commands: {}, arg_contains: {}, needs: {}, any: Cow::Borrowed(&[{}]) }}",
            strs(&self.programs),
            strs(&self.commands),
            strs(&self.arg_contains),
            self.needs,
            any.join(", ")
        )
    }
}
