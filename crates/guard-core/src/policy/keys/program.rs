//! `program:` — the program by name (`rm`, `python*`) or path (`/usr/bin/rm`); `$list` for a
//! list. Rules are indexed by the names it gives.

use super::super::items::OneOrMany;
use super::super::matcher::{program_matches, Subject};
use super::super::names::Gate;
use super::kit::{Found, GateCx, Lint};

pub(crate) type Spec = OneOrMany;

pub(crate) fn lint(v: &Spec, cx: &mut Lint) {
    cx.items(v, &[], "");
}

pub(crate) fn gate(v: &Spec, cx: &mut GateCx, g: &mut Gate) {
    g.programs = cx.strs(v);
}

pub(crate) fn eval(v: &Spec, s: &Subject, _: &mut Found) -> Option<()> {
    s.items(v).iter().any(|i| program_matches(i, s.inv, s.same_as)).then_some(())
}
