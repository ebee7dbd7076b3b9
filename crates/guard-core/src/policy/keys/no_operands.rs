//! `no_operands:` — the command has no operands past the subcommand (or, `false`, has some).

use super::super::matcher::Subject;
use super::super::names::Gate;
use super::kit::{Found, GateCx, Lint};

pub(crate) type Spec = bool;

pub(crate) fn lint(_: &Spec, _: &mut Lint) {}

pub(crate) fn gate(_: &Spec, _: &mut GateCx, _: &mut Gate) {}

pub(crate) fn eval(no: &Spec, s: &Subject, found: &mut Found) -> Option<()> {
    let none = s.cmd.positionals.len() <= found.subcommand_words;
    (none == *no).then_some(())
}
