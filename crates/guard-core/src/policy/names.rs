//! Which programs a rule's match can concern, so rules can be indexed by program. The same
//! code runs at build time (for the built-in packs, see `build.rs`) and at load time.

use std::borrow::Cow;

/// Whether an index keyed by exact program name can hold a rule naming `names`.
pub fn indexable(names: &[String]) -> bool {
    !names.is_empty() && !names.iter().any(|n| n.contains(['*', '?', '/']))
}

/// What an invocation must have for a match to hold, as bits.
pub(crate) const NEEDS_REDIRECT: u8 = 1;
pub(crate) const NEEDS_CODE: u8 = 2;
pub(crate) const NEEDS_VIA: u8 = 4;
/// A redirection, or a program with known effects on files.
pub(crate) const NEEDS_EFFECT: u8 = 8;

/// Strings a gate holds: borrowed when embedded at build time, owned when worked out at load.
pub(crate) type Strs = Cow<'static, [Cow<'static, str>]>;

/// Cheap necessary conditions of a match, checked before the rule is decoded: most rules
/// concern a few programs or need a redirect, code or a telling argument, and most commands
/// have none of those. Built-in rules' gates are worked out at build time and embedded as Rust
/// data. Every test here only rules out what the full match would rule out too. Each key of a
/// match says what it adds (see [`keys`](super::keys), where `Gate::of` is).
#[derive(Debug, Clone, Default)]
pub struct Gate {
    /// The program is one of these (name, glob or path), when not empty.
    pub programs: Strs,
    /// The program and subcommand words are one of these, when not empty.
    pub commands: Strs,
    /// Some argument contains one of these, when not empty.
    pub arg_contains: Strs,
    /// What else the invocation must have, as bits: 1 a redirection, 2 code, 4 a `via`, 8 a
    /// redirection or a program with known effects on files.
    pub needs: u8,
    /// One of these holds too, when not empty.
    pub any: Cow<'static, [Gate]>,
}

impl Gate {
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
