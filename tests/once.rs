//! `guard once` without a person at a terminal: refused, recorded, nothing run — for no
//! terminal, an agent, a nested guard and the breaker — and seen through by every guard that
//! judges a command holding it. (With a terminal, `tests/shell_integration.rs` types the
//! confirmation.) Each runs with HOME, the XDG directories and the working directory in a fresh
//! temporary directory, under a policy that denies deleting `./victim`.

#![allow(clippy::unwrap_used)] // a test fails loudly on what it did not expect

use std::io::Write as _;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

const GUARD: &str = env!("CARGO_BIN_EXE_guard");
const POLICY: &str = include_str!("fixtures/deny-victim.yaml");

struct Sandbox {
    _tmp: tempfile::TempDir,
    home: PathBuf,
    work: PathBuf,
}

impl Sandbox {
    fn new() -> Sandbox {
        let tmp = tempfile::tempdir().unwrap();
        let home = tmp.path().join("home");
        let work = home.join("work");
        std::fs::create_dir_all(work.join("victim")).unwrap();
        std::fs::create_dir_all(home.join(".config/guard")).unwrap();
        std::fs::write(home.join(".config/guard/test.yaml"), POLICY).unwrap();
        Sandbox { _tmp: tmp, home, work }
    }

    fn guard(&self, args: &[&str], env: &[(&str, &str)], stdin: Option<&str>) -> Output {
        let mut c = Command::new(GUARD);
        c.args(args)
            .env_clear()
            .env("PATH", "/usr/bin:/bin")
            .env("HOME", &self.home)
            .env("XDG_CONFIG_HOME", self.home.join(".config"))
            .env("XDG_STATE_HOME", self.home.join(".local/state"))
            .envs(env.iter().copied())
            .current_dir(&self.work)
            .stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = c.spawn().unwrap();
        if let Some(text) = stdin {
            child.stdin.take().unwrap().write_all(text.as_bytes()).unwrap();
        }
        child.wait_with_output().unwrap()
    }

    fn audit(&self) -> String {
        std::fs::read_to_string(self.home.join(".local/state/guard/audit.jsonl")).unwrap_or_default()
    }
}

fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

#[test]
fn refused_without_a_person_at_a_terminal_and_recorded() {
    type Case = (&'static str, &'static [(&'static str, &'static str)], &'static str);
    let table: &[Case] = &[
        ("rm -rf ./victim", &[], "there is no terminal here"),
        ("rm -rf ./victim", &[("CLAUDECODE", "1")], "claude is calling guard"),
        ("rm -rf ./victim", &[("GUARD_ACTIVE", "1")], "inside a command guard runs"),
        ("rm -rf ~", &[], "critical.breaker denies it"),
    ];
    for (command, env, says) in table {
        let sb = Sandbox::new();
        let out = sb.guard(&["once", command], env, Some("test.rm-victim\n"));
        assert_eq!(out.status.code(), Some(126), "{command} {env:?}: {}", text(&out));
        assert!(text(&out).contains(says), "{command} {env:?}: {}", text(&out));
        assert!(!text(&out).contains("Type test.rm-victim"), "{command} {env:?}: asked without a terminal");
        assert!(sb.work.join("victim").is_dir() && sb.home.join(".config/guard/test.yaml").exists());
        let log = sb.audit();
        assert!(log.contains(r#""face":"once""#) && log.contains(r#""action":"refused""#), "{command}: {log}");
        assert!(!log.contains("overridden"), "{log}");
    }
}

#[test]
fn what_policy_allows_runs_and_a_usage_error_is_said() {
    let sb = Sandbox::new();
    let out = sb.guard(&["once", "touch made"], &[], None);
    assert!(out.status.success(), "{}", text(&out));
    assert!(sb.work.join("made").exists());
    let out = sb.guard(&["once", "--", "touch", "made-too"], &[], None);
    assert!(out.status.success() && sb.work.join("made-too").exists(), "{}", text(&out));
    for args in [&["once"][..], &["once", "a", "b"], &["once", "--"]] {
        let out = sb.guard(args, &[], None);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", text(&out));
        assert!(text(&out).contains("usage: guard once"), "{args:?}: {}", text(&out));
    }
}

#[test]
fn a_guard_judging_a_command_sees_through_guard_once() {
    let sb = Sandbox::new();
    // As an agent's shell, as a prefix, in a hook's input, and as judged alone.
    let hook = r#"{"hook_event_name":"PreToolUse","tool_name":"Bash","tool_input":{"command":"guard once 'rm -rf ./victim'"},"cwd":"."}"#;
    for (args, stdin, says) in [
        (vec!["-c", "guard once 'rm -rf ./victim'"], None, "test.rm-victim"),
        (vec!["--", "guard", "once", "--", "rm", "-rf", "./victim"], None, "test.rm-victim"),
        (vec!["hook", "claude"], Some(hook), "test.rm-victim"),
        (vec!["check", "guard once 'rm -rf ./victim'"], None, "deny:"),
    ] {
        let out = sb.guard(&args, &[], stdin);
        assert!(text(&out).contains(says), "{args:?}: {}", text(&out));
        assert!(sb.work.join("victim").is_dir(), "{args:?}");
    }
    // An agent is told to ask the user, and is not offered the override.
    let out = sb.guard(&["-c", "rm -rf ./victim"], &[("CLAUDECODE", "1")], None);
    assert!(text(&out).contains("ask the user") && !text(&out).contains("guard once"), "{}", text(&out));
}
