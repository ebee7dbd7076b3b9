//! `guard log` as a user runs it, over logs written through the library.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

use guard::audit::{self, Action, AuditConfig, Entry};
use guard::policy::{Decision, Verdict};
use guard::shell::{analyze, Env};

/// A fresh home; guard finds its log under `XDG_STATE_HOME` there.
struct Home {
    dir: tempfile::TempDir,
}

impl Home {
    fn new() -> Home {
        Home { dir: tempfile::tempdir().unwrap() }
    }

    fn log(&self) -> PathBuf {
        self.dir.path().join("state/guard/audit.jsonl")
    }

    fn record(&self, agent: &str, command: &str, decision: Decision, action: Action) -> String {
        self.record_with(agent, command, decision, action, |_| ())
    }

    fn record_with(
        &self,
        agent: &str,
        command: &str,
        decision: Decision,
        action: Action,
        edit: impl FnOnce(&mut Entry),
    ) -> String {
        let plan = analyze(command, &Env::new("/home/u", "/work"));
        let mut verdict = Verdict::allow();
        verdict.decision = decision;
        let mut e = Entry::new("shell", agent, &plan, &verdict, action);
        edit(&mut e);
        let cfg = AuditConfig { path: Some(self.log()), ..AuditConfig::default() };
        audit::append(&cfg, e).unwrap().hash
    }

    fn guard(&self) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_guard"));
        let home = self.dir.path();
        c.env("HOME", home)
            .env("XDG_CONFIG_HOME", home.join("config"))
            .env("XDG_STATE_HOME", home.join("state"))
            .env("TZ", "UTC")
            .current_dir(home);
        c
    }

    fn run(&self, args: &[&str]) -> Output {
        self.guard().args(args).output().unwrap()
    }

    /// Three entries from three agents.
    fn three(&self) -> String {
        self.record("claude", "ls -la", Decision::Allow, Action::Ran);
        self.record("codex", "git push --force origin main", Decision::Deny, Action::Refused);
        self.record_with("human", "rm -rf build", Decision::Ask, Action::Approved, |e| e.exit = Some(0))
    }
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

#[test]
fn shows_recent_entries_one_line_each() {
    let home = Home::new();
    home.three();
    let out = home.run(&["log"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "{text}");
    let re = regex_lite::Regex::new(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d  (\S+)\s+(\S+)\s+(\S+)  (.*)$").unwrap();
    let rows: Vec<Vec<&str>> = lines
        .iter()
        .map(|l| {
            let c = re.captures(l).unwrap_or_else(|| panic!("{l:?}"));
            (1..=4).map(|i| c.get(i).unwrap().as_str()).collect()
        })
        .collect();
    assert_eq!(
        rows,
        vec![
            vec!["allow/ran", "claude", "-", "ls -la"],
            vec!["deny/refused", "codex", "-", "git push --force origin main"],
            vec!["ask/approved", "human", "0", "rm -rf build"],
        ]
    );
}

#[test]
fn filters_select_entries() {
    let home = Home::new();
    home.three();
    home.record_with("claude", "make old", Decision::Allow, Action::Ran, |e| {
        e.time = "2020-01-01T00:00:00.000Z".into()
    });
    let commands = |args: &[&str]| -> Vec<String> {
        let out = home.run(args);
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        stdout(&out).lines().map(|l| l.rsplit("  ").next().unwrap().to_string()).collect()
    };
    for (args, want) in [
        (vec!["log", "-n", "2"], vec!["rm -rf build", "make old"]),
        (vec!["log", "--decision", "deny"], vec!["git push --force origin main"]),
        (vec!["log", "--agent", "claude"], vec!["ls -la", "make old"]),
        (vec!["log", "--agent", "claude", "-n", "1"], vec!["make old"]),
        (vec!["log", "--grep", "push"], vec!["git push --force origin main"]),
        (vec!["log", "--since", "1d"], vec!["ls -la", "git push --force origin main", "rm -rf build"]),
        (
            vec!["log", "--since", "2019-12-31T23:00:00-02:00"],
            vec!["ls -la", "git push --force origin main", "rm -rf build"],
        ),
        (
            vec!["log", "--since", "2019-12-31T23:00:00Z"],
            vec!["ls -la", "git push --force origin main", "rm -rf build", "make old"],
        ),
        (vec!["log", "--decision", "ask", "--agent", "claude"], vec![]),
    ] {
        assert_eq!(commands(&args), want, "{args:?}");
    }
}

#[test]
fn json_prints_the_stored_lines() {
    let home = Home::new();
    let head = home.three();
    let out = home.run(&["log", "--json", "-n", "1"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let stored = std::fs::read_to_string(home.log()).unwrap();
    assert_eq!(stdout(&out), format!("{}\n", stored.lines().last().unwrap()));
    let v: serde_json::Value = serde_json::from_str(stdout(&out).trim_end()).unwrap();
    assert_eq!(v["hash"], head.as_str());
}

#[test]
fn verify_reports_the_head_or_the_break() {
    let home = Home::new();
    let head = home.three();
    let out = home.run(&["log", "verify"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stdout(&out), format!("3 entries, chain intact, head {head}\n"));

    // The same log read through --file, before or after the subcommand.
    let copy = home.dir.path().join("copy.jsonl");
    std::fs::copy(home.log(), &copy).unwrap();
    let before = home.guard().args(["log", "verify", "--file"]).arg(&copy).output().unwrap();
    let after = home.guard().args(["log", "--file"]).arg(&copy).arg("verify").output().unwrap();
    for out in [before, after] {
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        assert!(stdout(&out).ends_with(&format!("head {head}\n")));
    }

    // Turn the refusal into a success after the fact.
    let text = std::fs::read_to_string(home.log()).unwrap();
    std::fs::write(home.log(), text.replace("\"action\":\"refused\"", "\"action\":\"ran\"")).unwrap();
    let out = home.run(&["log", "verify"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).is_empty());
    assert!(stderr(&out).contains("chain broken at line 2: its content does not match its hash"), "{}", stderr(&out));
}

#[test]
fn missing_logs_and_bad_arguments_are_explained() {
    let home = Home::new();
    let out = home.run(&["log"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(stderr(&out).contains("nothing recorded yet"), "{}", stderr(&out));
    let out = home.run(&["log", "verify"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("cannot read the audit log"), "{}", stderr(&out));
    home.three();
    let out = home.run(&["log", "--since", "last tuesday"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("give one of those"), "{}", stderr(&out));
    let out = home.run(&["log", "--decision", "maybe"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn an_unreadable_line_is_skipped_with_a_note() {
    let home = Home::new();
    home.three();
    let mut text = std::fs::read_to_string(home.log()).unwrap();
    text.insert_str(0, "garbage\n");
    std::fs::write(home.log(), text).unwrap();
    let out = home.run(&["log"]);
    assert!(out.status.success());
    assert_eq!(stdout(&out).lines().count(), 3);
    assert!(stderr(&out).contains("line 1 is not a readable entry"), "{}", stderr(&out));
}

#[test]
fn follow_prints_new_entries_and_stops_when_the_reader_goes() {
    let home = Home::new();
    home.record("claude", "echo before", Decision::Allow, Action::Ran);
    let mut child = home
        .guard()
        .args(["log", "--follow", "-n", "1", "--agent", "claude"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    assert!(lines.next().unwrap().unwrap().ends_with("echo before"));
    home.record("codex", "echo filtered-out", Decision::Allow, Action::Ran);
    home.record("claude", "echo after", Decision::Allow, Action::Ran);
    assert!(lines.next().unwrap().unwrap().ends_with("echo after"));
    // Closing the pipe ends it, with no new line needed to notice.
    drop(lines);
    let status = wait_up_to(&mut child, 60);
    assert!(status.success(), "{}", {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut s).unwrap();
        s
    });
}

/// Wait for `child`; kill it and fail if it is still running after `secs` seconds (a guard
/// against hanging the suite, not a measurement).
fn wait_up_to(child: &mut std::process::Child, secs: u64) -> std::process::ExitStatus {
    for _ in 0..secs * 10 {
        if let Some(s) = child.try_wait().unwrap() {
            return s;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    child.kill().unwrap();
    panic!("guard log --follow did not stop after its reader went away");
}
