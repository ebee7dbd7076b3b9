//! Golden tests of the agent hook adapters, through the real binary and the built-in policy.
//!
//! `tests/hooks/HOST/CASE.in.json` is what the agent sends on standard input; `CASE.out.json`
//! holds what guard must give back: the exit status, stdout as JSON (`null` for nothing) and
//! stderr. `@CWD@` stands for the agent's working directory and `@HOME@` for HOME, both fresh
//! temporary directories. Cases whose input is too big to keep as a file have only an
//! `.out.json`; their input is built below. After a deliberate change of wording,
//! `GUARD_UPDATE_GOLDEN=1 cargo test --test hooks` rewrites the `.out.json` files; review the diff.

#![allow(clippy::unwrap_used)] // a test fails loudly on what it did not expect

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::{json, Value};

struct Sandbox {
    _root: tempfile::TempDir,
    home: PathBuf,
    /// The agent's working directory.
    cwd: PathBuf,
    /// Where the hook process itself starts, somewhere else.
    elsewhere: PathBuf,
}

fn sandbox() -> Sandbox {
    let root = tempfile::tempdir().unwrap();
    let home = root.path().join("home");
    let cwd = root.path().join("project");
    let elsewhere = root.path().join("elsewhere");
    for d in [&home, &cwd.join("src"), &elsewhere] {
        std::fs::create_dir_all(d).unwrap();
    }
    Sandbox { _root: root, home, cwd, elsewhere }
}

struct Ran {
    exit: i32,
    stdout: String,
    stderr: String,
}

fn run_hook(host: &str, input: &[u8], sb: &Sandbox) -> Ran {
    let mut child = hook_command(host, sb)
        .env("XDG_DATA_HOME", sb.home.join(".local/share"))
        .env("XDG_CACHE_HOME", sb.home.join(".cache"))
        .spawn()
        .unwrap();
    // guard stops reading past its limit; a closed pipe here is expected then.
    let _ = child.stdin.take().unwrap().write_all(input);
    let out = child.wait_with_output().unwrap();
    Ran {
        exit: out.status.code().expect("guard exits, it is not killed by a signal"),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

fn placeholders(text: &str, sb: &Sandbox) -> String {
    text.replace(&sb.cwd.to_string_lossy().into_owned(), "@CWD@")
        .replace(&sb.home.to_string_lossy().into_owned(), "@HOME@")
}

/// Run one case; `None` when guard answered as the `.out.json` says, else what differs.
fn check(host: &str, case: &str, input: Option<&[u8]>) -> Option<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/hooks").join(host);
    let sb = sandbox();
    let input = match input {
        Some(bytes) => bytes.to_vec(),
        None => {
            let text = std::fs::read_to_string(dir.join(format!("{case}.in.json"))).unwrap();
            let cwd = serde_json::to_string(&sb.cwd).unwrap();
            text.replace("@CWD@", &cwd[1..cwd.len() - 1]).into_bytes()
        }
    };
    let ran = run_hook(host, &input, &sb);
    let stdout = placeholders(&ran.stdout, &sb);
    let stdout: Value = if stdout.is_empty() {
        Value::Null
    } else {
        match serde_json::from_str(&stdout) {
            Ok(v) => v,
            Err(e) => return Some(format!("{host}/{case}: stdout is not JSON ({e}): {stdout}")),
        }
    };
    let got = json!({"exit": ran.exit, "stdout": stdout, "stderr": placeholders(&ran.stderr, &sb)});
    let out_path = dir.join(format!("{case}.out.json"));
    if std::env::var_os("GUARD_UPDATE_GOLDEN").is_some() {
        std::fs::write(&out_path, serde_json::to_string_pretty(&got).unwrap() + "\n").unwrap();
    }
    let want: Value = match std::fs::read_to_string(&out_path) {
        Ok(t) => serde_json::from_str(&t).unwrap(),
        Err(e) => return Some(format!("{host}/{case}: cannot read {} ({e})", out_path.display())),
    };
    (got != want).then(|| {
        format!(
            "{host}/{case}:\n  want {}\n  got  {}",
            serde_json::to_string(&want).unwrap(),
            serde_json::to_string(&got).unwrap()
        )
    })
}

/// Every `.in.json` case of a host; returns how many ran.
fn golden(host: &str) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/hooks").join(host);
    let mut cases: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.unwrap().file_name().to_str()?.strip_suffix(".in.json").map(str::to_string))
        .collect();
    cases.sort();
    assert!(cases.len() >= 8, "{host}: only {} cases in {}", cases.len(), dir.display());
    let failures: Vec<String> = cases.iter().filter_map(|c| check(host, c, None)).collect();
    assert!(failures.is_empty(), "{} of {} cases differ:\n{}", failures.len(), cases.len(), failures.join("\n"));
}

#[test]
fn claude_code_cases() {
    golden("claude");
}

#[test]
fn codex_cases() {
    golden("codex");
}

#[test]
fn gemini_cli_cases() {
    golden("gemini");
}

#[test]
fn cursor_cases() {
    golden("cursor");
}

#[test]
fn input_over_a_mebibyte_is_refused_by_every_host() {
    let command = "x".repeat(1 << 20);
    let inputs = [
        ("claude", json!({"tool_name": "Bash", "tool_input": {"command": command}})),
        ("codex", json!({"tool_name": "Bash", "tool_input": {"command": command}})),
        ("gemini", json!({"tool_name": "run_shell_command", "tool_input": {"command": command}})),
        ("cursor", json!({"command": command})),
    ];
    let failures: Vec<String> = inputs
        .iter()
        .filter_map(|(host, input)| check(host, "input-too-large", Some(input.to_string().as_bytes())))
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn a_command_claude_code_may_have_cut_is_refused() {
    let input =
        json!({"cwd": "/", "tool_name": "Bash", "tool_input": {"command": format!("echo {}", "a".repeat(9_995))}});
    assert_eq!(check("claude", "command-too-long", Some(input.to_string().as_bytes())), None);
}

#[test]
fn the_policy_of_the_agents_directory_applies() {
    let sb = sandbox();
    std::fs::write(
        sb.cwd.join(".guard.yaml"),
        "rules:\n  - id: project.no-make\n    match: { program: make }\n    decision: deny\n    message: this project builds with just\n    examples: { deny: [\"make all\"] }\n",
    )
    .unwrap();
    let input =
        |cwd: &Path| json!({"cwd": cwd, "tool_name": "Bash", "tool_input": {"command": "make all"}}).to_string();
    let here = run_hook("claude", input(&sb.cwd).as_bytes(), &sb);
    assert!(here.stdout.contains("\"deny\"") && here.stdout.contains("project.no-make"), "{}", here.stdout);
    let there = run_hook("claude", input(&sb.elsewhere).as_bytes(), &sb);
    assert!(there.stdout.contains("\"allow\""), "{}{}", there.stdout, there.stderr);
}

/// Each hook answer is one audit line carrying the agent, its session and tool-use ids, the
/// command and what the agent was told; the chain verifies.
#[test]
fn hook_answers_are_recorded_in_the_audit_log() {
    let sb = sandbox();
    let call = |command: &str, id: &str| {
        let input = serde_json::json!({
            "session_id": "s-1", "transcript_path": "/dev/null", "cwd": sb.cwd, "permission_mode": "default",
            "hook_event_name": "PreToolUse", "tool_name": "Bash", "tool_input": {"command": command}, "tool_use_id": id,
        });
        run_hook("claude", input.to_string().as_bytes(), &sb)
    };
    assert_eq!(call("git status", "t-1").exit, 0);
    assert_eq!(call("rm -rf ~", "t-2").exit, 0);
    assert_eq!(run_hook("claude", b"{not json", &sb).exit, 0);
    let log = std::fs::read_to_string(sb.home.join(".local/state/guard/audit.jsonl")).unwrap();
    let lines: Vec<serde_json::Value> = log.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 3, "{log}");
    assert_eq!(lines[0]["face"], "hook:claude");
    assert_eq!(lines[0]["session_id"], "s-1");
    assert_eq!(lines[0]["tool_use_id"], "t-1");
    assert_eq!(lines[0]["decision"], "allow");
    assert_eq!(lines[0]["cwd"], sb.cwd.to_string_lossy().as_ref());
    assert_eq!(lines[1]["command"], "rm -rf ~");
    assert_eq!(lines[1]["decision"], "deny");
    assert!(lines[1]["rules"].as_array().unwrap().iter().any(|r| r == "critical.breaker"));
    assert_eq!(lines[2]["decision"], "deny", "unreadable input is refused, and recorded");
    let verify = Command::new(env!("CARGO_BIN_EXE_guard"))
        .args(["log", "verify", "--file"])
        .arg(sb.home.join(".local/state/guard/audit.jsonl"))
        .output()
        .unwrap();
    assert!(verify.status.success(), "{}", String::from_utf8_lossy(&verify.stdout));
}

/// An agent cannot answer guard's approval requests through its own shell tool.
#[test]
fn an_agent_cannot_approve_its_own_requests() {
    let sb = sandbox();
    let input = serde_json::json!({
        "session_id": "s", "cwd": sb.cwd, "hook_event_name": "PreToolUse", "tool_name": "Bash",
        "tool_input": {"command": "guard approve 1a2b3c4d"}, "tool_use_id": "t",
    });
    let ran = run_hook("claude", input.to_string().as_bytes(), &sb);
    let out: serde_json::Value = serde_json::from_str(&ran.stdout).unwrap();
    assert_eq!(out["hookSpecificOutput"]["permissionDecision"], "deny", "{}", ran.stdout);
    assert!(out["hookSpecificOutput"]["permissionDecisionReason"]
        .as_str()
        .unwrap()
        .contains("sys.agent-self-approval"));
}

fn hook_command(host: &str, sb: &Sandbox) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_guard"));
    c.args(["hook", host])
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", &sb.home)
        .env("XDG_CONFIG_HOME", sb.home.join(".config"))
        .env("XDG_STATE_HOME", sb.home.join(".local/state"))
        .current_dir(&sb.elsewhere)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    c
}

/// The agents run the command when a hook times out, so guard answers within its own budget
/// whatever holds it up: here the audit log's lock, held by something else for good. The
/// answer comes at once, and recording it gives up after a moment, saying so.
#[test]
fn a_held_audit_log_lock_does_not_hold_back_the_answer() {
    let sb = sandbox();
    let log = sb.home.join(".local/state/guard/audit.jsonl");
    std::fs::create_dir_all(log.parent().unwrap()).unwrap();
    std::fs::write(&log, "").unwrap();
    let holder = std::fs::File::open(&log).unwrap();
    holder.lock().unwrap();
    let input = json!({"session_id": "s", "hook_event_name": "PreToolUse", "tool_name": "Bash",
        "tool_input": {"command": "rm -rf ~"}, "cwd": sb.cwd});
    let start = std::time::Instant::now();
    let ran = run_hook("claude", input.to_string().as_bytes(), &sb);
    assert!(start.elapsed() < std::time::Duration::from_secs(8), "took {:?}", start.elapsed());
    let out: Value = serde_json::from_str(&ran.stdout).expect("an answer");
    assert_eq!(out["hookSpecificOutput"]["permissionDecision"], "deny", "{}", ran.stdout);
    assert!(ran.stderr.contains("held its lock"), "{}", ran.stderr);
    assert_eq!(std::fs::read_to_string(&log).unwrap(), "", "nothing was written past the lock");
}

/// A host that never finishes writing the hook's input (nor closes it) gets a refusal when
/// guard's budget runs out, not a hook that hangs until the host gives up and runs the command.
#[test]
fn a_hook_that_cannot_finish_in_time_refuses() {
    cannot_finish_in_time(false);
}

/// The same when whoever started guard had the timer's signal blocked and ignored (both are
/// inherited across exec).
#[test]
fn a_hook_that_cannot_finish_in_time_refuses_whatever_signals_it_inherits() {
    cannot_finish_in_time(true);
}

fn cannot_finish_in_time(block_alarm: bool) {
    let sb = sandbox();
    let mut c = hook_command("claude", &sb);
    if block_alarm {
        use std::os::unix::process::CommandExt;
        // SAFETY: signal(2) and sigprocmask(2) are async-signal-safe.
        unsafe {
            c.pre_exec(|| {
                libc::signal(libc::SIGALRM, libc::SIG_IGN);
                let mut set: libc::sigset_t = std::mem::zeroed();
                libc::sigemptyset(&mut set);
                libc::sigaddset(&mut set, libc::SIGALRM);
                libc::sigprocmask(libc::SIG_BLOCK, &set, std::ptr::null_mut());
                Ok(())
            });
        }
    }
    let mut child = c.spawn().unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(br#"{"session_id": "s", "tool_input": {"command": "rm -rf ~"#).unwrap();
    let start = std::time::Instant::now();
    let out = child.wait_with_output().unwrap();
    drop(stdin);
    let waited = start.elapsed();
    assert!(waited >= std::time::Duration::from_secs(9) && waited < std::time::Duration::from_secs(30), "{waited:?}");
    let text = String::from_utf8_lossy(&out.stdout);
    let answer: Value = serde_json::from_str(&text).expect("an answer");
    assert_eq!(answer["hookSpecificOutput"]["permissionDecision"], "deny", "{text}");
    assert!(text.contains("within 10 s"), "{text}");
}
