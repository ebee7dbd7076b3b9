//! Cursor: the `beforeShellExecution` hook. The command is a top-level `command` field; output is
//! `{"permission": "allow" | "deny" | "ask", "user_message": …, "agent_message": …}`.

use serde_json::{json, Value};

use super::{json_line, text, Event, Outcome, Request};

pub fn parse(v: &Value) -> Request {
    let event = match v.get("hook_event_name").and_then(Value::as_str) {
        None | Some("beforeShellExecution") => Event::BeforeTool,
        Some(other) => Event::Other(other.to_string()),
    };
    let command = match v.get("command") {
        Some(Value::String(c)) => Ok(Some(c.clone())),
        Some(_) => Err("`command` is not a string".to_string()),
        None => Err("`command` is missing".to_string()),
    };
    // Cursor may leave `cwd` empty; the command then runs in the first workspace root.
    let cwd = text(v, "cwd")
        .filter(|c| !c.is_empty())
        .or_else(|| v.get("workspace_roots").and_then(|r| r.get(0)).and_then(Value::as_str).map(str::to_string));
    Request { event, session_id: text(v, "conversation_id"), tool_use_id: text(v, "generation_id"), cwd, command }
}

pub fn render(outcome: &Outcome) -> String {
    match outcome {
        // Every call is a shell command, so guard always has an opinion; `{}` would leave it to Cursor.
        Outcome::NoOpinion => json_line(&json!({})),
        Outcome::Allow | Outcome::AllowAs(_) => json_line(&json!({"permission": "allow"})),
        Outcome::Ask(reason) => {
            json_line(&json!({"permission": "ask", "user_message": reason, "agent_message": reason}))
        }
        Outcome::Deny(reason) => {
            json_line(&json!({"permission": "deny", "user_message": reason, "agent_message": reason}))
        }
    }
}
