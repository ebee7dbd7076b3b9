//! What every key's file works with: the lint context, the gate being worked out, and what a
//! match has found so far.

use std::borrow::Cow;

use super::super::items::{self, OneOrMany};
use super::super::lists::Lists;
use super::super::matcher::{self, Culprit, Subject};
use super::super::names::{Gate, Strs};

/// A whole `match:` (or one alternative of `any:`, the condition of `not:`), for the keys that
/// hold conditions of their own.
pub(crate) trait Conditions {
    fn lint(&self, cx: &mut Lint);
    fn gate(&self, cx: &mut GateCx) -> Gate;
    fn eval(&self, s: &Subject) -> Option<Culprit>;
}

impl<M: Conditions> Conditions for Box<M> {
    fn lint(&self, cx: &mut Lint) {
        M::lint(self, cx)
    }
    fn gate(&self, cx: &mut GateCx) -> Gate {
        M::gate(self, cx)
    }
    fn eval(&self, s: &Subject) -> Option<Culprit> {
        M::eval(self, s)
    }
}

/// Problems found in a `match:`: `(line, column, message)`, where line 0 means the `match:`
/// itself (a value without a location of its own).
pub(crate) struct Lint<'a> {
    pub(crate) lists: &'a Lists,
    pub(crate) out: &'a mut Vec<(u64, u64, String)>,
}

impl Lint<'_> {
    /// A problem located at the `match:`.
    pub(crate) fn problem(&mut self, message: String) {
        self.out.push((0, 0, message));
    }

    /// Every `$list` named exists, and (when `known` is not empty) every other item is one of
    /// `known`.
    pub(crate) fn items(&mut self, v: &OneOrMany, known: &[&str], what: &str) {
        for item in v.items() {
            if let Some(name) = item.strip_prefix('$') {
                if !self.lists.contains(name) {
                    self.problem(format!("unknown list `${name}`"));
                }
                continue;
            }
            if !known.is_empty() && !known.contains(&item.as_str()) {
                self.problem(format!("unknown {what} `{item}` (known: {})", known.join(", ")));
            }
        }
    }

    /// `v` with its `$list` references expanded.
    pub(crate) fn expand(&self, v: &OneOrMany) -> Vec<String> {
        matcher::expand(self.lists, v)
    }

    /// The regex compiles (within the size policy regexes are held to), or the error.
    pub(crate) fn regex(&self, pattern: &str) -> Result<(), String> {
        matcher::compile_regex(pattern).map(|_| ())
    }
}

/// What working out a gate needs: how to expand `$list` references, and where to note each list
/// name used (a gate worked out at build time is worked out again when a file extends one).
pub(crate) struct GateCx<'a, 'l> {
    pub(crate) list: &'a dyn Fn(&str) -> Option<&'l [String]>,
    pub(crate) used: &'a mut Vec<String>,
}

impl GateCx<'_, '_> {
    /// `v`'s items, `$list` references expanded, as a gate holds them.
    pub(crate) fn strs(&mut self, v: &OneOrMany) -> Strs {
        items::expand(v, self.list, self.used).into_iter().map(Cow::Owned).collect::<Vec<_>>().into()
    }
}

/// What the keys evaluated so far found, for the keys after them and for the culprit.
#[derive(Default)]
pub(crate) struct Found {
    /// How many positional words the `command:` matched took (the subcommand words): operands
    /// start after them.
    pub(crate) subcommand_words: usize,
    culprit: Option<Culprit>,
    flag: Option<Culprit>,
}

impl Found {
    /// Point at what made a key hold (the first key to point wins).
    pub(crate) fn point(&mut self, c: Culprit) {
        self.culprit.get_or_insert(c);
    }

    /// Point at a flag: the least telling culprit, used only when nothing else points anywhere.
    pub(crate) fn point_at_flag(&mut self, c: Culprit) {
        self.flag.get_or_insert(c);
    }

    /// What to point at for the whole match.
    pub(crate) fn culprit(self, s: &Subject) -> Culprit {
        self.culprit.or(self.flag).unwrap_or_else(|| s.whole())
    }
}
