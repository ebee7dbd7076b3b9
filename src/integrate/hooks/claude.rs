//! Claude Code: `PreToolUse` and `PermissionRequest` hooks on its `Bash` tool, and on its
//! `Monitor` tool, which runs a shell command too.
//!
//! `PreToolUse` answers `allow`, `ask` or `deny` in `hookSpecificOutput`; an empty stdout is no
//! opinion. `PermissionRequest` fires when Claude Code is about to prompt its user: guard only
//! ever refuses there — the prompt already is the ask, and an allow would override the user's
//! own ask rules, which guard's `PreToolUse` allow does not.

use serde_json::{json, Value};

use super::{json_line, text, tool_command, Event, Outcome, Request};

/// Claude Code caps hook string fields near this many characters; a longer command may not
/// have reached guard whole.
pub const STRING_LIMIT: usize = 10_000;

pub const SHELL_TOOL: &str = "Bash";

/// Claude Code's `Monitor` tool runs a shell command in the background and streams its output
/// (`tool_input.command`), or watches a WebSocket (`tool_input.ws`, no command).
pub const MONITOR_TOOL: &str = "Monitor";

pub fn parse(v: &Value) -> Request {
    let event = match v.get("hook_event_name").and_then(Value::as_str) {
        None | Some("PreToolUse") => Event::BeforeTool,
        Some("PermissionRequest") => Event::PermissionRequest,
        Some(other) => Event::Other(other.to_string()),
    };
    Request {
        event,
        session_id: text(v, "session_id"),
        tool_use_id: text(v, "tool_use_id"),
        cwd: text(v, "cwd"),
        command: match v.get("tool_name").and_then(Value::as_str) {
            Some(MONITOR_TOOL) => match v.get("tool_input").and_then(|i| i.get("command")) {
                None => Ok(None),
                Some(_) => tool_command(v, MONITOR_TOOL),
            },
            _ => tool_command(v, SHELL_TOOL),
        },
    }
}

pub fn render(event: &Event, outcome: &Outcome) -> String {
    match (event, outcome) {
        (Event::PermissionRequest, Outcome::Deny(reason)) => permission_denied(reason),
        (Event::PermissionRequest, _) | (_, Outcome::NoOpinion) => String::new(),
        (_, Outcome::Allow) => pre_tool_use("allow", None),
        (_, Outcome::AllowAs(input)) => allow_as(input),
        (_, Outcome::Ask(reason)) => pre_tool_use("ask", Some(reason)),
        (_, Outcome::Deny(reason)) => pre_tool_use("deny", Some(reason)),
    }
}

/// A `PreToolUse` answer (Codex reads the same shape).
pub fn pre_tool_use(decision: &str, reason: Option<&str>) -> String {
    let mut out = json!({"hookEventName": "PreToolUse", "permissionDecision": decision});
    if let Some(r) = reason {
        out["permissionDecisionReason"] = Value::String(r.to_string());
    }
    json_line(&json!({ "hookSpecificOutput": out }))
}

/// A `PreToolUse` allow that runs `input` instead of the tool's own (Codex reads the same
/// shape, and of it only `command`).
pub fn allow_as(input: &Value) -> String {
    json_line(&json!({
        "hookSpecificOutput": {
            "hookEventName": "PreToolUse",
            "permissionDecision": "allow",
            "updatedInput": input,
        }
    }))
}

/// A `PermissionRequest` refusal (Codex reads the same shape).
pub fn permission_denied(message: &str) -> String {
    json_line(&json!({
        "hookSpecificOutput": {
            "hookEventName": "PermissionRequest",
            "decision": {"behavior": "deny", "message": message}
        }
    }))
}
