//! `command:` — program and subcommand words: `git push`, `aws s3 rm`, `kubectl delete`. The
//! subcommand words matched are not operands. Rules are indexed by the programs it names.

use super::super::items::OneOrMany;
use super::super::matcher::{command_matches, Subject};
use super::super::names::Gate;
use super::kit::{Found, GateCx, Lint};

pub(crate) type Spec = OneOrMany;

pub(crate) fn lint(v: &Spec, cx: &mut Lint) {
    cx.items(v, &[], "");
}

pub(crate) fn gate(v: &Spec, cx: &mut GateCx, g: &mut Gate) {
    g.commands = cx.strs(v);
}

pub(crate) fn eval(v: &Spec, s: &Subject, found: &mut Found) -> Option<()> {
    found.subcommand_words = command_matches(s, &s.items(v))?;
    Some(())
}
