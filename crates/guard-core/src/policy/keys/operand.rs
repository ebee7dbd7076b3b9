//! `operand:` — at least one operand (a non-option word past the subcommand) is like this.

use super::super::matcher::{Culprit, Subject};
use super::super::names::Gate;
use super::kit::{Found, GateCx, Lint};
use super::value::{self, ValueSpec};

pub(crate) type Spec = ValueSpec;

pub(crate) fn lint(v: &Spec, cx: &mut Lint) {
    value::lint(v, cx);
}

pub(crate) fn gate(_: &Spec, _: &mut GateCx, _: &mut Gate) {}

pub(crate) fn eval(spec: &Spec, s: &Subject, found: &mut Found) -> Option<()> {
    let w = s.cmd.positionals.iter().skip(found.subcommand_words).find(|w| value::matches(s, spec, w))?;
    found.point(Culprit { span: w.span, text: w.display() });
    Some(())
}
