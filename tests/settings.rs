//! `settings:` in policy files, read by the real binary: where the audit log goes, what a log
//! that cannot be written means, which shell runs commands, where output is masked, how long
//! approvals last — and that a repository's `.guard.yaml` cannot change any of it, while a
//! broken settings section is reported with its location and changes nothing.
//!
//! Every run has HOME, the XDG directories and the working directory in a fresh temporary
//! directory and an environment cleared down to PATH.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const GUARD: &str = env!("CARGO_BIN_EXE_guard");

/// A fake AWS key pair, as `aws configure export-credentials` would print it.
const SECRET_LINE: &str = "aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

struct Sandbox {
    tmp: tempfile::TempDir,
}

impl Sandbox {
    fn new() -> Sandbox {
        let tmp = tempfile::tempdir().expect("a temporary directory");
        std::fs::create_dir(tmp.path().join("work")).unwrap();
        Sandbox { tmp }
    }

    fn home(&self) -> &Path {
        self.tmp.path()
    }

    fn work(&self) -> PathBuf {
        self.home().join("work")
    }

    fn settings(&self, yaml: &str) {
        let dir = self.home().join("config/guard");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("settings.yaml"), yaml).unwrap();
    }

    fn guard(&self, args: &[&str]) -> Command {
        let home = self.home();
        let mut c = Command::new(GUARD);
        c.args(args)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_else(|| "/usr/bin:/bin".into()))
            .env("HOME", home)
            .env("XDG_CONFIG_HOME", home.join("config"))
            .env("XDG_STATE_HOME", home.join("state"))
            .env("XDG_CACHE_HOME", home.join("cache"))
            .env("LC_ALL", "C")
            .current_dir(self.work())
            .stdin(Stdio::null());
        c
    }

    fn run(&self, args: &[&str]) -> Output {
        self.guard(args).output().expect("guard runs")
    }

    fn default_log(&self) -> PathBuf {
        self.home().join("state/guard/audit.jsonl")
    }
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn describe(o: &Output) -> String {
    format!("status {:?}\nstdout: {}\nstderr: {}", o.status, text(&o.stdout), text(&o.stderr))
}

#[test]
fn the_audit_log_goes_where_the_settings_say_and_guard_log_reads_it_there() {
    let sb = Sandbox::new();
    sb.settings("settings:\n  audit:\n    path: ~/logs/decisions.jsonl\n");
    let o = sb.run(&["-c", "true && echo ran"]);
    assert_eq!(text(&o.stdout), "ran\n", "{}", describe(&o));
    let log = sb.home().join("logs/decisions.jsonl");
    let lines = std::fs::read_to_string(&log).expect("the configured log was written");
    assert_eq!(lines.lines().count(), 1);
    assert!(lines.contains("true && echo ran"));
    assert!(!sb.default_log().exists(), "nothing went to the default place");
    let o = sb.run(&["log", "--json"]);
    assert!(text(&o.stdout).contains("true && echo ran"), "{}", describe(&o));
    let o = sb.run(&["log", "verify"]);
    assert!(o.status.success(), "{}", describe(&o));
}

#[test]
fn an_unwritable_log_stops_allowed_commands_only_when_the_settings_say_so() {
    let sb = Sandbox::new();
    // A log under a regular file can never be created.
    std::fs::write(sb.home().join("blocker"), "").unwrap();
    let marker = sb.work().join("marker");
    let command = "touch marker && echo ran";

    sb.settings("settings:\n  audit:\n    path: ~/blocker/audit.jsonl\n");
    let o = sb.run(&["-c", command]);
    assert!(o.status.success(), "by default an allowed command runs: {}", describe(&o));
    assert!(text(&o.stderr).contains("warning"), "{}", describe(&o));
    assert!(marker.exists());
    std::fs::remove_file(&marker).unwrap();

    sb.settings("settings:\n  audit:\n    path: ~/blocker/audit.jsonl\n    on_failure: { allowed: refuse }\n");
    let o = sb.run(&["-c", command]);
    assert_eq!(o.status.code(), Some(126), "{}", describe(&o));
    assert!(!marker.exists(), "a refused command did not run");
    assert!(text(&o.stderr).contains("audit"), "the refusal says why: {}", describe(&o));
}

#[test]
fn the_configured_shell_runs_what_needs_a_shell() {
    let sb = Sandbox::new();
    let shell = sb.home().join("myshell");
    std::fs::write(&shell, "#!/bin/sh\necho \"via myshell\" >&2\nexec bash \"$@\"\n").unwrap();
    std::fs::set_permissions(&shell, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    sb.settings(&format!("settings:\n  shell: {}\n", shell.display()));
    let o = sb.run(&["-c", "echo a; echo b"]);
    assert_eq!(text(&o.stdout), "a\nb\n", "{}", describe(&o));
    assert_eq!(text(&o.stderr), "via myshell\n", "{}", describe(&o));
    // GUARD_SHELL still wins.
    let o = sb.guard(&["-c", "echo a; echo b"]).env("GUARD_SHELL", "bash").output().unwrap();
    assert_eq!(text(&o.stderr), "", "{}", describe(&o));
}

#[test]
fn masking_follows_the_setting() {
    let sb = Sandbox::new();
    let command = format!("echo {SECRET_LINE}; true");
    let masked = |o: &Output| !text(&o.stdout).contains("wJalrXUtnFEMI") && text(&o.stdout).contains("[masked:");
    let as_agent = |sb: &Sandbox| sb.guard(&["-c", &command]).env("CLAUDECODE", "1").output().unwrap();
    // The default: agent sessions are masked, a person's are not.
    assert!(masked(&as_agent(&sb)));
    assert!(!masked(&sb.run(&["-c", &command])));
    sb.settings("settings:\n  mask_output: always\n");
    assert!(masked(&sb.run(&["-c", &command])));
    sb.settings("settings:\n  mask_output: rules\n");
    assert!(!masked(&as_agent(&sb)));
}

#[test]
fn approvals_last_as_long_as_the_settings_say() {
    let sb = Sandbox::new();
    sb.settings("settings:\n  approvals:\n    expiry: 2h\n");
    let o = sb.run(&["-c", "git push --force origin feature"]);
    assert_eq!(o.status.code(), Some(126), "an unattended ask is refused: {}", describe(&o));
    let o = sb.run(&["pending", "--json"]);
    let list: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    let left = list[0]["expires_in_seconds"].as_u64().expect("a waiting request");
    assert!(left > 3600 && left <= 7200, "expires in {left} s: {}", describe(&o));
}

#[test]
fn a_project_cannot_change_settings() {
    let sb = Sandbox::new();
    std::fs::write(
        sb.work().join(".guard.yaml"),
        "settings:\n  audit:\n    path: /tmp/elsewhere.jsonl\n  mask_output: never\n",
    )
    .unwrap();
    let o = sb.run(&["-c", "true"]);
    assert!(o.status.success(), "{}", describe(&o));
    assert!(text(&o.stderr).contains("`settings:` in a project's policy is ignored"), "{}", describe(&o));
    assert!(sb.default_log().exists(), "the log stayed where it was");
}

#[test]
fn a_broken_settings_section_is_located_and_changes_nothing() {
    let sb = Sandbox::new();
    sb.settings("settings:\n  audit:\n    path: ~/moved.jsonl\n  approvals:\n    expiry: soon\n");
    let o = sb.run(&["-c", "true"]);
    assert!(o.status.success(), "a broken file never locks anyone out: {}", describe(&o));
    let err = text(&o.stderr);
    assert!(err.contains("settings.yaml:2:") && err.contains("`soon` is not a length of time"), "{err}");
    assert!(sb.default_log().exists() && !sb.home().join("moved.jsonl").exists(), "{err}");
    let o = sb.run(&["rules", "lint"]);
    assert!(!o.status.success() && text(&o.stdout).contains("soon"), "{}", describe(&o));
}

#[test]
fn recording_can_be_turned_on_in_the_settings() {
    let sb = Sandbox::new();
    let o = sb.run(&["-c", "echo hello; true"]);
    assert!(!text(&std::fs::read(sb.default_log()).unwrap()).contains("\"recording\""), "off by default");
    sb.settings("settings:\n  record: true\n");
    let o2 = sb.run(&["-c", "echo hello; true"]);
    assert_eq!(text(&o2.stdout), text(&o.stdout), "{}", describe(&o2));
    let log = std::fs::read_to_string(sb.default_log()).unwrap();
    let last: serde_json::Value = serde_json::from_str(log.lines().last().unwrap()).unwrap();
    let cast = last["recording"].as_str().expect("the entry links a recording");
    assert!(std::fs::read_to_string(cast).unwrap().contains("hello"));
}
