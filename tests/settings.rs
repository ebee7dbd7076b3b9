//! `settings:` in policy files, read by the real binary: where the audit log goes, what a log
//! that cannot be written means, which shell runs commands, where output is masked, how long
//! approvals last — and that a repository's `.guard.yaml` cannot change any of it, while a
//! broken settings section is reported with its location and changes nothing.
//!
//! Every run has HOME, the XDG directories and the working directory in a fresh temporary
//! directory and an environment cleared down to PATH.

#![allow(clippy::unwrap_used)] // a test fails loudly on what it did not expect

mod sandbox;

use std::process::Output;

use sandbox::{describe, text, write_executable, Sandbox};

/// A fake AWS key pair, as `aws configure export-credentials` would print it.
const SECRET_LINE: &str = "aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

trait SettingsFile {
    fn settings(&self, yaml: &str);
    fn run(&self, args: &[&str]) -> Output;
}

impl SettingsFile for Sandbox {
    fn settings(&self, yaml: &str) {
        self.user_policy("settings.yaml", yaml);
    }

    fn run(&self, args: &[&str]) -> Output {
        self.guard(args).output().expect("guard runs")
    }
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
    assert!(!sb.log().exists(), "nothing went to the default place");
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
    write_executable(&shell, "#!/bin/sh\necho \"via myshell\" >&2\nexec bash \"$@\"\n");
    sb.settings(&format!("settings:\n  shell: {}\n", shell.display()));
    let o = sb.run(&["-c", "echo a; echo b"]);
    assert_eq!(text(&o.stdout), "a\nb\n", "{}", describe(&o));
    assert_eq!(text(&o.stderr), "via myshell\n", "{}", describe(&o));
    // GUARD_SHELL may name the configured shell, but choosing another is a person's choice at
    // their own terminal: from a process without one it is refused and nothing runs.
    let o = sb.guard(&["-c", "echo a"]).env("GUARD_SHELL", &shell).output().unwrap();
    assert_eq!(text(&o.stdout), "a\n", "{}", describe(&o));
    let o = sb.guard(&["-c", "touch other-shell-ran"]).env("GUARD_SHELL", "bash").output().unwrap();
    assert_eq!(o.status.code(), Some(126), "{}", describe(&o));
    assert!(text(&o.stderr).contains("refused: GUARD_SHELL"), "{}", describe(&o));
    assert!(!sb.work().join("other-shell-ran").exists());
}

#[test]
fn a_settings_shell_that_is_not_there_falls_back_to_bash() {
    let sb = Sandbox::new();
    sb.settings("settings:\n  shell: /nonexistent/bash\n");
    let o = sb.run(&["-c", "echo a; echo b"]);
    assert_eq!(text(&o.stdout), "a\nb\n", "never a locked-out shell: {}", describe(&o));
    assert!(
        text(&o.stderr).contains("settings.shell `/nonexistent/bash` is not an executable file"),
        "{}",
        describe(&o)
    );
    let o = sb.run(&["rules", "lint"]);
    assert!(!o.status.success(), "{}", describe(&o));
    assert!(
        text(&o.stdout).contains("settings.shell `/nonexistent/bash` is not an executable file"),
        "{}",
        describe(&o)
    );
    let o = sb.run(&["doctor"]);
    assert!(!o.status.success() && text(&o.stdout).contains("/nonexistent/bash"), "{}", describe(&o));
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
    assert!(text(&o.stderr).contains("cannot change guard's settings"), "{}", describe(&o));
    assert!(sb.log().exists(), "the log stayed where it was");
}

#[test]
fn a_bad_settings_value_is_located_and_only_it_is_left_out() {
    let sb = Sandbox::new();
    sb.settings(
        "settings:\n  audit:\n    path: ~/moved.jsonl\n    syslog_facility: local9\n  approvals:\n    expiry: soon\n",
    );
    let o = sb.run(&["-c", "true"]);
    assert!(o.status.success(), "a broken file never locks anyone out: {}", describe(&o));
    let err = text(&o.stderr);
    assert!(err.contains("settings.yaml:2:") && err.contains("`soon` is not a length of time"), "{err}");
    assert!(err.contains("`local9`") && err.contains("that value is ignored"), "{err}");
    // The file's good values still count: one typo does not undo a whole section.
    assert!(!sb.log().exists() && sb.home().join("moved.jsonl").exists(), "{err}");
    let o = sb.run(&["rules", "lint"]);
    assert!(!o.status.success() && text(&o.stdout).contains("soon"), "{}", describe(&o));
}

#[test]
fn recording_can_be_turned_on_in_the_settings() {
    let sb = Sandbox::new();
    let o = sb.run(&["-c", "echo hello; true"]);
    assert!(!text(&std::fs::read(sb.log()).unwrap()).contains("\"recording\""), "off by default");
    sb.settings("settings:\n  record: true\n");
    let o2 = sb.run(&["-c", "echo hello; true"]);
    assert_eq!(text(&o2.stdout), text(&o.stdout), "{}", describe(&o2));
    let log = std::fs::read_to_string(sb.log()).unwrap();
    let last: serde_json::Value = serde_json::from_str(log.lines().last().unwrap()).unwrap();
    let cast = last["recording"].as_str().expect("the entry links a recording");
    assert!(std::fs::read_to_string(cast).unwrap().contains("hello"));
}

/// A rule of the user's own, to see that a file is read.
const SHRED_RULE: &str = "rules:\n  - id: local.no-shred\n    match: { program: shred }\n    decision: deny\n    \
                          message: shred destroys files\n    examples: { deny: [shred x], allow: [ls] }\n";

#[test]
fn the_approval_store_and_its_owner_in_a_user_file_are_ignored_with_a_warning_and_the_rest_applies() {
    let sb = Sandbox::new();
    let elsewhere = sb.home().join("elsewhere");
    sb.settings(&format!(
        "settings:\n  approvals:\n    dir: {}\n    owner: 0\n    expiry: 2h\n{SHRED_RULE}",
        elsewhere.display()
    ));
    let o = sb.run(&["-c", "git push --force origin feature"]);
    assert_eq!(o.status.code(), Some(126), "{}", describe(&o));
    let err = text(&o.stderr);
    assert!(
        err.contains("settings.yaml: settings.approvals.dir and settings.approvals.owner are ignored here")
            && err.contains("/etc/guard/"),
        "{err}"
    );
    assert!(!elsewhere.exists(), "the store did not move");
    let filed = std::fs::read_dir(sb.home().join("state/guard/approvals/requests")).expect("the private store").count();
    assert_eq!(filed, 1, "the request went to the private store");
    let o = sb.run(&["pending", "--json"]);
    let list: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    let left = list[0]["expires_in_seconds"].as_u64().expect("a waiting request");
    assert!(left > 3600, "the file's other settings apply: {}", describe(&o));
    let o = sb.run(&["check", "shred x"]);
    assert_eq!(o.status.code(), Some(20), "and its rules: {}", describe(&o));
}

#[test]
fn remembered_answers_are_not_read_as_policy() {
    let sb = Sandbox::new();
    // As the prompt writes it when "always" is answered.
    sb.user_policy(
        "remembered.yaml",
        "# Commands guard runs without asking\n- command: docker rm -f web-*\n  rules:\n  - docker.rm\n  added: 2026-04-20\n",
    );
    let o = sb.run(&["-c", "true"]);
    assert!(o.status.success(), "{}", describe(&o));
    assert_eq!(text(&o.stderr), "", "no warning about remembered.yaml: {}", describe(&o));
    let o = sb.run(&["rules", "lint"]);
    assert!(o.status.success(), "{}", describe(&o));
}

/// `guard rules lint` says what a project's file may not do, as loading it would leave it out.
#[test]
fn lint_reports_what_a_project_file_may_not_do() {
    let sb = Sandbox::new();
    std::fs::write(
        sb.work().join(".guard.yaml"),
        "programs:\n  rm: {takes_value: [-rf]}\nrules:\n  - {id: rce.download-and-run, match: {program: bash}, decision: ask, message: m, examples: {ask: [bash]}}\n",
    )
    .unwrap();
    let o = sb.run(&["rules", "lint"]);
    assert_eq!(o.status.code(), Some(1), "{}", describe(&o));
    let out = text(&o.stdout);
    assert!(out.contains("cannot change what guard knows of programs (rm)"), "{out}");
    assert!(out.contains("`rce.download-and-run` is already a rule"), "{out}");
}
