//! `stdin:` — where standard input comes from: `{from: [network, secret]}`, through the
//! pipeline or substitutions before the command (or, for a secret, read from a file with `<`).

use serde::{Deserialize, Serialize};

use super::super::items::OneOrMany;
use super::super::matcher::{Culprit, Subject};
use super::super::names::Gate;
use super::super::paths::Classes;
use super::kit::{Found, GateCx, Lint};
use crate::plan::RedirectOp;

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FlowSpec {
    /// `network`, `secret`, `dynamic`.
    pub(crate) from: OneOrMany,
}

pub(crate) type Spec = FlowSpec;

const FROM: &[&str] = &["network", "secret"];

pub(crate) fn lint(f: &Spec, cx: &mut Lint) {
    cx.items(&f.from, FROM, "stdin source");
}

pub(crate) fn gate(_: &Spec, _: &mut GateCx, _: &mut Gate) {}

pub(crate) fn eval(f: &Spec, s: &Subject, found: &mut Found) -> Option<()> {
    let want = s.items(&f.from);
    let upstream = s.flow.upstream_has(s.inv.id, |facts| {
        want.iter().any(|w| match w.as_str() {
            "network" => facts.network,
            "secret" => facts.secret.is_some(),
            _ => false,
        })
    });
    let direct_secret = want.iter().any(|w| w == "secret")
        && s.inv.redirects.iter().any(|r| {
            r.op == RedirectOp::Read && r.target.as_literal().is_some_and(|t| s.path_classes(t).has(Classes::SECRET))
        });
    match upstream {
        Some(i) => {
            let src = &s.plan.invocations[i];
            let span = s.flow.facts[i].secret.filter(|_| want.iter().any(|w| w == "secret")).unwrap_or(src.span);
            found.point(Culprit { span, text: s.plan.text(span).to_string() });
            Some(())
        }
        None if direct_secret => Some(()),
        None => None,
    }
}
