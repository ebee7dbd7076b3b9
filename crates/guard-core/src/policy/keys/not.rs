//! `not:` — a whole match that must not hold. Inside it, what a pattern word could expand to
//! does not count (see [`Subject::negated`]).

use super::super::matcher::Subject;
use super::super::names::Gate;
use super::kit::{Conditions, Found, GateCx, Lint};

pub(crate) fn lint<M: Conditions>(m: &M, cx: &mut Lint) {
    m.lint(cx);
}

pub(crate) fn gate<M: Conditions>(_: &M, _: &mut GateCx, _: &mut Gate) {}

pub(crate) fn eval<M: Conditions>(m: &M, s: &Subject, _: &mut Found) -> Option<()> {
    s.negated.set(!s.negated.get());
    let hit = m.eval(s).is_some();
    s.negated.set(!s.negated.get());
    (!hit).then_some(())
}
