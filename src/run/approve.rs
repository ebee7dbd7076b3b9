//! Getting a human's decision on a command judged `ask`, in this order: an answer remembered
//! for commands like it; the person at the controlling terminal (never stdin); an approval
//! given out of band with `guard approve ID`; otherwise a new request for one, and a refusal.

use super::outcome::Refusal;
use crate::approval::prompt;
use crate::approval::question::{Answer, PromptInfo};
use crate::approval::store::{RequestSummary, Store};
use crate::approval::{memory, remember, ApprovalConfig};
use crate::audit::Action;
use crate::host::Host;
use crate::plan::Plan;
use crate::policy::Verdict;

/// Where an approval may come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    /// Remembered answers, the terminal, then the out-of-band store (guard as a shell).
    Any,
    /// Remembered answers and the terminal only (a line typed at an interactive shell).
    Terminal,
}

/// Who approved, as (approval id, approver); or what happened instead.
pub type Resolution = Result<(Option<String>, String), (Action, Refusal)>;

pub fn resolve(
    host: &Host,
    plan: &Plan,
    verdict: &Verdict,
    agent: &str,
    cwd: &str,
    channel: Channel,
    cfg: &ApprovalConfig,
) -> Resolution {
    if let Some(pattern) = memory::remembered(host, plan, verdict, cfg) {
        return Ok((None, format!("remembered: {pattern}")));
    }
    // Offered only where a remembered answer would count: to the store's owner.
    let offer = if cfg.remembers() { remember::generalise(plan, verdict) } else { None };
    let info = PromptInfo::for_verdict(plan, verdict, cwd, agent, offer.as_ref());
    let who = || format!("{} at the terminal", host.user().name);
    match prompt::ask(host, &info, &cfg.into()) {
        Answer::Yes => return Ok((None, who())),
        a @ (Answer::Session | Answer::Always) => {
            if let Some(p) = &offer {
                let saved = if a == Answer::Session {
                    memory::remember_session(host, p, cfg).map(|_| ())
                } else {
                    memory::remember_always(host, p, cfg).map(|_| ())
                };
                if let Err(e) = saved {
                    eprintln!("guard: warning: the answer could not be remembered: {e}");
                }
            }
            return Ok((None, who()));
        }
        Answer::No | Answer::NotTyped => return Err((Action::DeniedByHuman, Refusal::DeclinedByHuman)),
        Answer::TimedOut | Answer::Interrupted => return Err((Action::TimedOut, Refusal::TimedOut)),
        Answer::NoTerminal => {}
    }
    if channel == Channel::Terminal {
        return Err((Action::Refused, Refusal::Unattended { id: None, store_error: None }));
    }
    let store = match Store::open(cfg) {
        Ok(s) => s,
        Err(e) => return Err((Action::Refused, Refusal::Unattended { id: None, store_error: Some(e.to_string()) })),
    };
    match store.consume(&plan.source, cwd) {
        Ok(Some(a)) => return Ok((Some(a.id), a.approver)),
        Ok(None) => {}
        Err(e) => eprintln!("guard: warning: approvals could not be read: {e}"),
    }
    match store.request(&plan.source, cwd, RequestSummary::of(verdict, agent)) {
        Ok(r) => Err((Action::Refused, Refusal::Unattended { id: Some(r.id), store_error: None })),
        Err(e) => Err((Action::Refused, Refusal::Unattended { id: None, store_error: Some(e.to_string()) })),
    }
}
