//! `stdout:` — where standard output goes (later pipeline stages): `{to: [network]}`.

use serde::{Deserialize, Serialize};

use super::super::items::OneOrMany;
use super::super::matcher::{Culprit, Subject};
use super::super::names::Gate;
use super::kit::{Found, GateCx, Lint};

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct StdoutSpec {
    /// `network`.
    pub(crate) to: OneOrMany,
}

pub(crate) type Spec = StdoutSpec;

pub(crate) fn lint(o: &Spec, cx: &mut Lint) {
    cx.items(&o.to, &["network"], "stdout sink");
}

pub(crate) fn gate(_: &Spec, _: &mut GateCx, _: &mut Gate) {}

pub(crate) fn eval(o: &Spec, s: &Subject, found: &mut Found) -> Option<()> {
    let want = s.items(&o.to);
    let hit = s.plan.invocations.iter().find(|other| {
        other.id != s.inv.id
            && s.flow.facts[other.id].inputs.contains(&s.inv.id)
            && other.pipeline.is_some()
            && want.iter().any(|w| w == "network" && s.flow.facts[other.id].network)
    })?;
    found.point(Culprit { span: hit.span, text: hit.display() });
    Some(())
}
