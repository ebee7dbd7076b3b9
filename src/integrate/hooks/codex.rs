//! Codex CLI: the same `PreToolUse` and `PermissionRequest` input as Claude Code (its shell tool
//! is also `Bash`), but its output schema is strict and an output it rejects lets the command
//! run. `PreToolUse` honours only `deny` (`allow` without a rewritten input and `ask` are
//! rejected), so guard says nothing for an allow and refuses what needs a person.

use super::{claude, Event, Outcome};

pub fn render(event: &Event, outcome: &Outcome) -> String {
    match (event, outcome) {
        (Event::PermissionRequest, Outcome::Deny(reason)) => claude::permission_denied(reason),
        (Event::PermissionRequest, _) | (_, Outcome::NoOpinion | Outcome::Allow) => String::new(),
        // Codex takes only the rewritten `command` (a string) from the input.
        (_, Outcome::AllowAs(input)) => {
            claude::allow_as(&serde_json::json!({ "command": input.get("command").cloned().unwrap_or_default() }))
        }
        // `ask` is never chosen for Codex; should it be, refusing is the safe reading.
        (_, Outcome::Ask(reason) | Outcome::Deny(reason)) => claude::pre_tool_use("deny", Some(reason)),
    }
}
