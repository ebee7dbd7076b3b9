//! `max_operands:` — the command has at most this many operands past the subcommand.

use super::super::matcher::Subject;
use super::super::names::Gate;
use super::kit::{Found, GateCx, Lint};

pub(crate) type Spec = usize;

pub(crate) fn lint(_: &Spec, _: &mut Lint) {}

pub(crate) fn gate(_: &Spec, _: &mut GateCx, _: &mut Gate) {}

pub(crate) fn eval(max: &Spec, s: &Subject, found: &mut Found) -> Option<()> {
    (s.cmd.positionals.len().saturating_sub(found.subcommand_words) <= *max).then_some(())
}
