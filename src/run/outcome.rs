//! What guard says when it does not run a command: what was refused, which rule, why, and what
//! the person or agent can do about it. Written for a model to act on as much as for a person.

use std::fmt::Write as _;

use crate::explain::clip;
use crate::plan::Plan;
use crate::policy::{Decision, Verdict};

/// Why a command was not run.
pub enum Refusal {
    /// Policy denies it.
    Denied,
    /// It needs a human's approval and none could be asked here; `approve` is the request id.
    Unattended { id: Option<String>, store_error: Option<String> },
    /// A human was asked and said no.
    DeclinedByHuman,
    /// A human was asked and did not answer in time.
    TimedOut,
    /// The audit trail could not be written, and policy does not run ask/deny paths unrecorded.
    Unrecorded(String),
}

pub fn render(plan: &Plan, v: &Verdict, why: &Refusal) -> String {
    let mut out = String::new();
    let head = match why {
        Refusal::Denied => "refused",
        Refusal::Unattended { .. } => "needs a human's approval; not run",
        Refusal::DeclinedByHuman => "refused by you",
        Refusal::TimedOut => "no answer in time; not run",
        Refusal::Unrecorded(_) => "not run",
    };
    let _ = writeln!(out, "guard: {head}: {}", clip(&plan.source, 200));
    for f in v.findings.iter().filter(|f| f.decision != Decision::Allow) {
        let mark = if f.decision == Decision::Deny { "✗" } else { "?" };
        let _ = writeln!(out, "  {mark} {} ({}): {}", f.rule, f.decision.as_str(), f.message);
        let _ = writeln!(out, "      offending part: {}", clip(plan.text(f.span), 120));
    }
    match why {
        Refusal::Denied => {
            let _ = writeln!(
                out,
                "Nothing was run. Policy forbids this; do not retry it in another form. If it is really \
                 needed, ask the user to run it themselves or to change the policy (`guard rules show {}`).",
                v.findings.iter().find(|f| f.decision == Decision::Deny).map(|f| f.rule.as_str()).unwrap_or("ID")
            );
        }
        Refusal::Unattended { id: Some(id), .. } => {
            let _ = writeln!(
                out,
                "Nothing was run. Ask the user to approve it by running, in their own terminal:\n    guard approve {id}\n\
                 then run exactly the same command again from the same directory. The approval is used once \
                 and expires after a few minutes."
            );
        }
        Refusal::Unattended { id: None, store_error } => {
            let _ = writeln!(
                out,
                "Nothing was run: no one at a terminal could approve it{}. Ask the user to run it themselves.",
                store_error.as_ref().map(|e| format!(" ({e})")).unwrap_or_default()
            );
        }
        Refusal::DeclinedByHuman | Refusal::TimedOut => {
            let _ = writeln!(out, "Nothing was run.");
        }
        Refusal::Unrecorded(e) => {
            let _ = writeln!(out, "Nothing was run: {e}");
        }
    }
    out
}
