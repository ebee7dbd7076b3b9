//! `any:` — alternatives, each a whole match: holds when one of them does (the first that does
//! is pointed at). The gate admits what one alternative's gate admits.

use super::super::matcher::Subject;
use super::super::names::Gate;
use super::kit::{Conditions, Found, GateCx, Lint};

pub(crate) fn lint<M: Conditions>(alts: &[M], cx: &mut Lint) {
    for a in alts {
        a.lint(cx);
    }
}

pub(crate) fn gate<M: Conditions>(alts: &[M], cx: &mut GateCx, g: &mut Gate) {
    if !alts.is_empty() {
        g.any = alts.iter().map(|a| a.gate(cx)).collect::<Vec<_>>().into();
    }
}

pub(crate) fn eval<M: Conditions>(alts: &[M], s: &Subject, found: &mut Found) -> Option<()> {
    found.point(alts.iter().find_map(|a| a.eval(s))?);
    Some(())
}
