//! `redirect:` — a redirection of the command: `{op: [write], target: {path: [system]}}`.
//! Copying a descriptor (`2>&1`, `>&-`) and here-documents are not redirections to a file.

use serde::{Deserialize, Serialize};

use super::super::items::OneOrMany;
use super::super::matcher::{Culprit, Subject};
use super::super::names::{Gate, NEEDS_REDIRECT};
use super::kit::{Found, GateCx, Lint};
use super::value::{self, ValueSpec};
use crate::plan::RedirectOp;

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RedirectSpec {
    /// `write` (opens for writing), `truncate`, `append`, `read`.
    pub(crate) op: Option<OneOrMany>,
    pub(crate) target: Option<ValueSpec>,
}

pub(crate) type Spec = RedirectSpec;

const OPS: &[&str] = &["write", "truncate", "append", "read"];

pub(crate) fn lint(r: &Spec, cx: &mut Lint) {
    if let Some(op) = &r.op {
        cx.items(op, OPS, "redirect op");
    }
    if let Some(t) = &r.target {
        value::lint(t, cx);
    }
}

pub(crate) fn gate(_: &Spec, _: &mut GateCx, g: &mut Gate) {
    g.needs |= NEEDS_REDIRECT;
}

pub(crate) fn eval(r: &Spec, s: &Subject, found: &mut Found) -> Option<()> {
    let ops = r.op.as_ref().map(|o| s.items(o));
    let hit = s.inv.redirects.iter().find(|rd| {
        if matches!(rd.op, RedirectOp::Heredoc | RedirectOp::HereString) {
            return false;
        }
        if rd.op == RedirectOp::DupOut
            && rd.target.as_literal().is_some_and(|t| t.chars().all(|c| c.is_ascii_digit() || c == '-'))
        {
            return false;
        }
        let op_ok = ops.as_ref().is_none_or(|ops| {
            ops.iter().any(|o| match o.as_str() {
                "write" => rd.op.writes(),
                "truncate" => rd.op.truncates(),
                "append" => matches!(rd.op, RedirectOp::Append | RedirectOp::AppendAll),
                "read" => matches!(rd.op, RedirectOp::Read | RedirectOp::ReadWrite),
                _ => false,
            })
        });
        op_ok && r.target.as_ref().is_none_or(|t| value::matches(s, t, &rd.target))
    })?;
    found.point(Culprit { span: hit.span, text: s.plan.text(hit.span).to_string() });
    Some(())
}
