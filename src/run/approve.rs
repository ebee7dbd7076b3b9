//! Getting a human's decision on a command that needs one.

use super::outcome::Refusal;
use crate::audit::Action;
use crate::plan::Plan;
use crate::policy::Verdict;

/// An approval (id, approver) for running the command, or why it is not run.
pub fn resolve(_plan: &Plan, _verdict: &Verdict, _agent: &str) -> Result<(String, String), (Action, Refusal<'static>)> {
    Err((Action::Refused, Refusal::Unattended { id: None, store_error: None }))
}
