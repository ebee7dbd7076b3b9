//! `upload:` — a file or stream this network command sends: `curl -d @f`, `scp f host:`. Keys
//! and certificates named for authentication are used, not sent.

use super::super::flow;
use super::super::matcher::{Culprit, Subject};
use super::super::names::Gate;
use super::kit::{Found, GateCx, Lint};
use super::value::{self, ValueSpec};
use crate::plan::Span;

pub(crate) type Spec = ValueSpec;

pub(crate) fn lint(v: &Spec, cx: &mut Lint) {
    value::lint(v, cx);
}

pub(crate) fn gate(_: &Spec, _: &mut GateCx, _: &mut Gate) {}

pub(crate) fn eval(spec: &Spec, s: &Subject, found: &mut Found) -> Option<()> {
    let auth: Vec<Span> = s
        .cmd
        .flags
        .iter()
        .filter(|f| {
            matches!(
                f.spelling.as_str(),
                "-i" | "--key" | "--cert" | "-E" | "--cacert" | "--netrc-file" | "--proxy-key"
            )
        })
        .flat_map(|f| [Some(f.word.span), f.value.as_ref().and_then(|v| v.word()).map(|w| w.span)])
        .flatten()
        .collect();
    let hit = s.inv.args.iter().filter(|w| !auth.contains(&w.span)).find(|w| {
        let Some(t) = w.as_literal() else { return false };
        flow::path_candidates(t).into_iter().any(|p| value::matches_text(s, spec, w, Some(p)))
    })?;
    found.point(Culprit { span: hit.span, text: hit.display() });
    Some(())
}
