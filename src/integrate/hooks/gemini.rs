//! Gemini CLI: the `BeforeTool` hook on its `run_shell_command` tool. Output is
//! `{"decision": "allow" | "ask" | "deny", "reason": …}`. An ask forces Gemini CLI's own
//! confirmation prompt, even in YOLO mode, and shows the hook's `systemMessage` there; a headless
//! session has no prompt, so there what needs a person is refused (see [`super::gemini_session`]).
//! The command runs in `tool_input.dir_path` (relative to the session's directory) when the model
//! gives one.

use std::path::Path;

use serde_json::{json, Value};

use super::{json_line, text, tool_command, Event, Outcome, Request};

pub const SHELL_TOOL: &str = "run_shell_command";

pub fn parse(v: &Value) -> Request {
    let event = match v.get("hook_event_name").and_then(Value::as_str) {
        None | Some("BeforeTool") => Event::BeforeTool,
        Some(other) => Event::Other(other.to_string()),
    };
    let input = v.get("tool_input");
    // `directory` is the parameter's older name.
    let dir = input.and_then(|i| i.get("dir_path").or_else(|| i.get("directory"))).and_then(Value::as_str);
    let cwd = match (text(v, "cwd"), dir) {
        (Some(cwd), Some(dir)) if !dir.is_empty() => Some(Path::new(&cwd).join(dir).to_string_lossy().into_owned()),
        (cwd, _) => cwd,
    };
    Request { event, session_id: text(v, "session_id"), tool_use_id: None, cwd, command: tool_command(v, SHELL_TOOL) }
}

pub fn render(outcome: &Outcome) -> String {
    match outcome {
        Outcome::NoOpinion => json_line(&json!({})),
        Outcome::Allow | Outcome::AllowAs(_) => json_line(&json!({"decision": "allow"})),
        Outcome::Ask(reason) => json_line(&json!({"decision": "ask", "reason": reason, "systemMessage": reason})),
        Outcome::Deny(reason) => json_line(&json!({"decision": "deny", "reason": reason})),
    }
}
