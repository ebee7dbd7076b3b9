//! Containment through the agents' hooks (`settings.contain.hooks`): `guard hook claude|codex`
//! answers an allowed command with it rewritten to run under `guard --contain -c`, and the
//! rewritten command, run as the host runs it (`bash -c`), does exactly what the agent sent.
//! HOME, the XDG directories and the working directory are fresh temporary directories.

#![allow(clippy::unwrap_used)] // a test fails loudly on what it did not expect

mod sandbox;

use std::io::Write;
use std::process::Stdio;

use sandbox::{describe, text, Sandbox, GUARD};
use serde_json::{json, Value};

/// Every kind of quote, `$`, backslashes, newlines, a heredoc and a tab: all data, nothing
/// that asks.
const COMMAND: &str = "printf '%s|' \"it's\" '\"q\"' \"$HOME\" '$HOME' \\$x 'a'\\''b' \"back\\\\slash\"; echo\n\
cat <<'EOF'\n$PATH 'single' \"double\" `tick`\n\ttab\nEOF\necho \"done: $(echo nested)\"";

fn hook(sb: &Sandbox, host: &str, input: &Value) -> Value {
    let mut c = sb.guard(&["hook", host]);
    c.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = c.spawn().unwrap();
    child.stdin.take().unwrap().write_all(input.to_string().as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    serde_json::from_slice(&out.stdout).unwrap_or(Value::Null)
}

fn bash(sb: &Sandbox, script: &str) -> std::process::Output {
    let mut c = sb.command("bash");
    c.arg("-c").arg(script);
    sandbox::without_terminal(&mut c);
    c.output().unwrap()
}

fn claude_input(sb: &Sandbox, command: &str) -> Value {
    json!({"session_id": "s", "transcript_path": "/t", "cwd": sb.work(), "permission_mode": "default",
        "hook_event_name": "PreToolUse", "tool_name": "Bash", "tool_use_id": "t1",
        "tool_input": {"command": command, "description": "print things", "timeout": 120000, "run_in_background": false}})
}

#[test]
fn an_allowed_command_is_rewritten_to_run_contained_exactly_as_sent() {
    if guard::contain::kernel::abi() < guard::contain::kernel::MIN_ABI {
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!("CI's kernel must have Landlock ABI 3 or later");
        }
        eprintln!("SKIPPED an_allowed_command_is_rewritten…: this kernel cannot contain, so guard does not rewrite");
        return;
    }
    let sb = Sandbox::new();
    sb.user_policy("contain.yaml", "settings:\n  contain:\n    hooks: true\n");
    let out = hook(&sb, "claude", &claude_input(&sb, COMMAND));
    let specific = &out["hookSpecificOutput"];
    assert_eq!(specific["hookEventName"], "PreToolUse", "{out}");
    assert_eq!(specific["permissionDecision"], "allow", "{out}");
    let input = &specific["updatedInput"];
    // The rest of Claude Code's input comes back as it was: the host replaces the whole input.
    assert_eq!(input["description"], "print things");
    assert_eq!(input["timeout"], 120000);
    assert_eq!(input["run_in_background"], false);
    let rewritten = input["command"].as_str().unwrap();
    assert!(rewritten.contains(" --contain -c '"), "{rewritten}");

    // Run both as the host would, in the same directory: the same output, and the rewritten
    // one ran contained (its audit entry says so).
    let direct = bash(&sb, COMMAND);
    let contained = bash(&sb, rewritten);
    assert!(direct.status.success(), "{}", describe(&direct));
    assert_eq!(text(&contained.stdout), text(&direct.stdout), "{}", describe(&contained));
    assert_eq!(contained.status.code(), Some(0), "{}", describe(&contained));
    let log = std::fs::read_to_string(sb.log()).unwrap();
    let last: Value = serde_json::from_str(log.lines().last().unwrap()).unwrap();
    assert_eq!(last["command"], COMMAND, "guard -c was handed the command byte for byte");
    assert!(last["contained"].as_str().unwrap().starts_with("landlock ABI"), "{last}");
    assert!(rewritten.starts_with(&format!("'{GUARD}'")) || rewritten.starts_with(GUARD), "{rewritten}");

    // Codex takes only the command from the rewritten input.
    let out = hook(&sb, "codex", &claude_input(&sb, "ls"));
    assert_eq!(out["hookSpecificOutput"]["permissionDecision"], "allow", "{out}");
    assert_eq!(out["hookSpecificOutput"]["updatedInput"].as_object().unwrap().len(), 1, "{out}");
    assert!(out["hookSpecificOutput"]["updatedInput"]["command"].as_str().unwrap().ends_with(" --contain -c 'ls'"));
}

#[test]
fn without_the_setting_nothing_is_rewritten_and_what_asks_is_never_rewritten() {
    let sb = Sandbox::new();
    let out = hook(&sb, "claude", &claude_input(&sb, "ls"));
    assert_eq!(out["hookSpecificOutput"]["permissionDecision"], "allow", "{out}");
    assert!(out["hookSpecificOutput"].get("updatedInput").is_none(), "{out}");
    let out = hook(&sb, "codex", &claude_input(&sb, "ls"));
    assert_eq!(out, Value::Null, "Codex hears nothing for a plain allow");

    sb.user_policy("contain.yaml", "settings:\n  contain:\n    hooks: true\n");
    let out = hook(&sb, "claude", &claude_input(&sb, "git push --force origin main"));
    assert_ne!(out["hookSpecificOutput"]["permissionDecision"], "allow", "{out}");
    assert!(out["hookSpecificOutput"].get("updatedInput").is_none(), "{out}");
}

/// What the rewritten command runs is judged again inside: a rewrite cannot be used to carry a
/// command past guard.
#[test]
fn the_contained_run_judges_the_command_again() {
    let sb = Sandbox::new();
    let quoted = format!("'{GUARD}' --contain -c 'rm -rf ~'");
    let o = bash(&sb, &quoted);
    assert_eq!(o.status.code(), Some(126), "{}", describe(&o));
    assert!(sb.home().join("work").exists());
}
