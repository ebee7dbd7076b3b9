//! What guard says when it does not run a command: what was refused, which rule, why, and what
//! whoever is at the keyboard can do about it. An agent (a model) is told to stop and ask the
//! user; a person at their own prompt is told what they themselves can do.

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

/// Who reads the refusal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reader {
    /// An agent, or a program: whatever it is, it is told to stop and ask the user.
    Agent,
    /// A person at their own terminal. `once` is the `guard once …` line that would run a
    /// denied command this once, where guard would offer that.
    Person { once: Option<String> },
}

impl Reader {
    /// Who reads it: a person when `person` (as far as guard can tell, see
    /// [`Host::person_at_terminal`](crate::host::Host::person_at_terminal)), else an agent;
    /// `locked` is the system policy's lock, which keeps `guard once` from being offered.
    pub fn of(host: &crate::host::Host, person: bool, plan: &Plan, v: &Verdict, locked: bool) -> Reader {
        if !person {
            return Reader::Agent;
        }
        let mut facts = super::once::Facts::of(host, locked);
        // The `guard once` typed at that prompt will have the terminal on its standard input.
        facts.terminal |= person;
        let offered = super::once::refused(facts, v).is_none();
        Reader::Person { once: offered.then(|| super::once::suggestion(&plan.source)) }
    }
}

pub fn render(plan: &Plan, v: &Verdict, why: &Refusal, reader: &Reader) -> String {
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
    let denying = v.findings.iter().find(|f| f.decision == Decision::Deny).map(|f| f.rule.as_str()).unwrap_or("ID");
    match (why, reader) {
        (Refusal::Denied, Reader::Agent) => {
            let _ = writeln!(
                out,
                "Nothing was run. Policy forbids this; do not retry it in another form. If it is really \
                 needed, ask the user to run it themselves or to change the policy (`guard rules show {denying}`)."
            );
        }
        (Refusal::Denied, Reader::Person { once }) => {
            let _ = write!(
                out,
                "Nothing was run: your policy denies this (`guard rules show {denying}` says what it covers)."
            );
            match once {
                Some(line) => {
                    let _ = writeln!(
                        out,
                        " To run it anyway, this once, type\n    {line}\nand confirm by typing the rule's id; the audit \
                         log records it as overridden. To allow it for good, change your policy."
                    );
                }
                None if v.findings.iter().any(|f| super::once::critical(&f.rule)) => {
                    let _ = writeln!(out, " It is never run: no policy, approval or `guard once` can allow it.");
                }
                None => {
                    let _ = writeln!(out, " Only whoever writes the policy can allow it.");
                }
            }
        }
        (Refusal::Unattended { id: None, store_error }, Reader::Person { .. }) => {
            let _ = writeln!(
                out,
                "Nothing was run: guard could not put the question to you on this terminal{}. Run it again in the \
                 foreground of your terminal to be asked.",
                store_error.as_ref().map(|e| format!(" ({e})")).unwrap_or_default()
            );
        }
        (Refusal::Unattended { id: Some(id), .. }, _) => {
            let _ = writeln!(
                out,
                "Nothing was run. Ask the user to approve it by running, in their own terminal:\n    guard approve {id}\n\
                 then run exactly the same command again from the same directory. The approval is used once \
                 and expires after a few minutes."
            );
        }
        (Refusal::Unattended { id: None, store_error }, Reader::Agent) => {
            let _ = writeln!(
                out,
                "Nothing was run: no one at a terminal could approve it{}. Ask the user to run it themselves.",
                store_error.as_ref().map(|e| format!(" ({e})")).unwrap_or_default()
            );
        }
        (Refusal::DeclinedByHuman | Refusal::TimedOut, _) => {
            let _ = writeln!(out, "Nothing was run.");
        }
        (Refusal::Unrecorded(e), _) => {
            let _ = writeln!(out, "Nothing was run: {e}");
        }
    }
    out
}
