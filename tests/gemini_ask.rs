//! Gemini CLI's `ask`, through the real binary: guard asks when Gemini CLI's process is at a
//! terminal and was given no prompt to run headless, and refuses otherwise. The "Gemini CLI"
//! here is a copy of bash named `gemini`, started the ways Gemini CLI is (on a terminal, or with
//! `-p`), which runs `guard hook gemini` as Gemini CLI does, with its `BeforeTool` input on stdin.
//! HOME, the XDG directories and the working directory are in a fresh temporary directory.

#![allow(clippy::unwrap_used)] // a test fails loudly on what it did not expect

use std::path::Path;

use serde_json::{json, Value};

mod sandbox;
use sandbox::{Sandbox, GUARD};

/// What Gemini CLI 0.61 sends a `BeforeTool` hook (`createBaseInput`, `fireBeforeToolEvent`) for
/// its shell tool.
fn before_tool(cwd: &Path, command: &str) -> String {
    json!({
        "session_id": "6d1f0c2e-1b7a-4c55-9a43-2f8e0d9c1a11",
        "transcript_path": "/home/u/.gemini/tmp/0a1b/chats/session-2026-12-03T08-00-6d1f0c2e.json",
        "cwd": cwd,
        "hook_event_name": "BeforeTool",
        "timestamp": "2026-12-03T08:00:00.000Z",
        "tool_name": "run_shell_command",
        "tool_input": {"command": command, "description": "Discard local changes."}
    })
    .to_string()
}

/// The answer `guard hook HOST` gives when a `gemini` process started with `args` runs it, on a
/// terminal or not.
fn answer(sb: &Sandbox, host: &str, args: &[&str], terminal: bool, command: &str) -> Value {
    let gemini = sb.home().join("gemini");
    if !gemini.exists() {
        std::fs::copy("/bin/bash", &gemini).unwrap();
    }
    std::fs::write(sb.home().join("in.json"), before_tool(&sb.work(), command)).unwrap();
    let out = sb.home().join("out.json");
    let _ = std::fs::remove_file(&out);
    // `; true` keeps the shell there as guard's parent, as Gemini CLI's node process is.
    let script = format!("'{GUARD}' hook {host} < ../in.json > ../out.json; true");
    let mut cmd = sb.command(&gemini.to_string_lossy());
    cmd.args(args).args(["-c", &script]);
    if terminal {
        let (code, screen) = sandbox::in_terminal(cmd, b"", &[]);
        assert_eq!(code, 0, "{screen}");
    } else {
        let out = sandbox::without_terminal(&mut cmd).output().unwrap();
        assert!(out.status.success(), "{}", sandbox::describe(&out));
    }
    serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap()
}

#[test]
fn gemini_cli_at_a_terminal_is_asked_and_a_headless_run_is_refused() {
    let sb = Sandbox::new();
    // The built-in policy asks about this one.
    let command = "git reset --hard";
    let cases: &[(&str, &[&str], bool, &str)] = &[
        ("an interactive session", &[], true, "ask"),
        ("a headless run with -p", &["-p"], true, "deny"),
        ("no terminal", &[], false, "deny"),
    ];
    for (what, args, terminal, want) in cases {
        for host in ["gemini", "claude"] {
            let out = answer(&sb, host, args, *terminal, command);
            assert_eq!(out["decision"], *want, "{what}, guard hook {host}: {out}");
            let reason = out["reason"].as_str().unwrap();
            assert!(reason.contains("[rule git.reset-hard]"), "{what}: {reason}");
            if *want == "ask" {
                assert_eq!(out["systemMessage"], reason, "{what}: Gemini CLI's prompt shows it");
            } else {
                assert!(reason.contains("no one can approve it in this Gemini CLI session"), "{what}: {reason}");
            }
        }
    }
    // What needs no person is answered the same either way.
    assert_eq!(answer(&sb, "gemini", &[], true, "git status")["decision"], "allow");
    assert_eq!(answer(&sb, "claude", &["-p"], false, "rm -rf ~")["decision"], "deny");
}
