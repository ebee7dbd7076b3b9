//! `arg:` — at least one argument word, option or operand, is like this. Its `contains:` is
//! also a gate: a command with no such argument is not looked at further.

use super::super::matcher::{Culprit, Subject};
use super::super::names::Gate;
use super::kit::{Found, GateCx, Lint};
use super::value::{self, ValueSpec};

pub(crate) type Spec = ValueSpec;

pub(crate) fn lint(v: &Spec, cx: &mut Lint) {
    value::lint(v, cx);
}

pub(crate) fn gate(v: &Spec, cx: &mut GateCx, g: &mut Gate) {
    if let Some(c) = &v.contains {
        g.arg_contains = cx.strs(c);
    }
}

pub(crate) fn eval(spec: &Spec, s: &Subject, found: &mut Found) -> Option<()> {
    let w = s.inv.args.iter().find(|w| value::matches(s, spec, w))?;
    found.point(Culprit { span: w.span, text: w.display() });
    Some(())
}
