//! The audit log on disk: parallel writers, permissions, failures, the syslog copy.

use std::collections::HashSet;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::net::UnixDatagram;
use std::path::{Path, PathBuf};

use guard::audit::{self, Action, AuditConfig, Entry};
use guard::policy::{Decision, Verdict};
use guard::shell::{analyze, Env};

fn entry(command: &str, decision: Decision, action: Action) -> Entry {
    let plan = analyze(command, &Env::new("/home/u", "/work"));
    let mut verdict = Verdict::allow();
    verdict.decision = decision;
    Entry::new("shell", "claude", &plan, &verdict, action)
}

fn config(path: &Path) -> AuditConfig {
    AuditConfig { path: Some(path.to_path_buf()), ..AuditConfig::default() }
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn parallel_writers_neither_interleave_nor_lose_lines_nor_fork_the_chain() {
    const WRITERS: usize = 8;
    const EACH: usize = 200;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.jsonl");
    let threads: Vec<_> = (0..WRITERS)
        .map(|w| {
            let cfg = config(&path);
            std::thread::spawn(move || {
                // A long command makes a torn or interleaved write more likely to show.
                let pad = "x".repeat(3000 + w * 500);
                for i in 0..EACH {
                    audit::append(&cfg, entry(&format!("echo w{w} n{i} {pad}"), Decision::Allow, Action::Ran)).unwrap();
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    let text = std::fs::read_to_string(&path).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), WRITERS * EACH);
    let mut seen = HashSet::new();
    for line in &lines {
        let e: Entry = serde_json::from_str(line).unwrap_or_else(|err| panic!("{err}: {line}"));
        let mut words = e.command.split(' ');
        assert_eq!(words.next(), Some("echo"));
        seen.insert((words.next().unwrap().to_string(), words.next().unwrap().to_string()));
    }
    assert_eq!(seen.len(), WRITERS * EACH, "every entry once");
    let intact = audit::verify(&path).unwrap();
    assert_eq!(intact.entries, WRITERS * EACH);
}

#[test]
fn the_log_and_its_directories_are_private() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state/guard/audit.jsonl");
    audit::append(&config(&path), entry("ls", Decision::Allow, Action::Ran)).unwrap();
    assert_eq!(mode(&path), 0o600);
    assert_eq!(mode(&dir.path().join("state/guard")), 0o700);
    assert_eq!(mode(&dir.path().join("state")), 0o700);
    // A log someone opened up is closed again on the next write.
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    audit::append(&config(&path), entry("ls", Decision::Allow, Action::Ran)).unwrap();
    assert_eq!(mode(&path), 0o600);
    assert_eq!(audit::verify(&path).unwrap().entries, 2);
}

#[test]
fn a_log_that_cannot_be_written_is_an_error_that_says_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("plain-file");
    std::fs::write(&file, "").unwrap();
    let cases: Vec<(PathBuf, &str)> = vec![
        (file.join("audit.jsonl"), "fix the path"),
        // A write to /dev/full fails as on a full disk.
        (PathBuf::from("/dev/full"), "free some disk space"),
    ];
    for (path, advice) in cases {
        let err = audit::append(&config(&path), entry("ls", Decision::Allow, Action::Ran)).unwrap_err();
        let msg = err.to_string();
        assert!(msg.starts_with("cannot record this decision:"), "{msg}");
        assert!(msg.contains(&path.display().to_string()) && msg.contains(advice), "{msg}");
    }
}

#[test]
fn long_commands_are_clipped_and_their_length_kept() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.jsonl");
    let long = format!("echo {}", "é".repeat(40_000));
    audit::append(&config(&path), entry(&long, Decision::Allow, Action::Ran)).unwrap();
    let e: Entry = serde_json::from_str(std::fs::read_to_string(&path).unwrap().trim_end()).unwrap();
    assert_eq!(e.command_bytes, Some(long.len()));
    assert!(e.command.len() <= audit::entry::MAX_COMMAND && long.starts_with(&e.command));
}

#[test]
fn a_damaged_last_line_is_chained_onto_and_reported_by_verify() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.jsonl");
    audit::append(&config(&path), entry("ls", Decision::Allow, Action::Ran)).unwrap();
    // A crash mid-line, as far as the file can tell.
    let mut bytes = std::fs::read(&path).unwrap();
    bytes.extend_from_slice(b"{\"action\":\"ran\",\"ag");
    std::fs::write(&path, &bytes).unwrap();
    audit::append(&config(&path), entry("pwd", Decision::Allow, Action::Ran)).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    assert_eq!(text.lines().count(), 3, "{text}");
    assert!(text.lines().nth(2).unwrap().contains("\"command\":\"pwd\""));
    match audit::verify(&path) {
        Err(audit::VerifyError::Broken(b)) => assert_eq!(b.line, 2, "{b}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn entries_are_copied_to_syslog_when_asked() {
    let dir = tempfile::tempdir().unwrap();
    let socket = dir.path().join("log.sock");
    let listener = UnixDatagram::bind(&socket).unwrap();
    let path = dir.path().join("audit.jsonl");
    let cfg = AuditConfig { syslog: true, syslog_socket: socket.clone(), ..config(&path) };
    let recorded = audit::append(&cfg, entry("git push --force origin main", Decision::Deny, Action::Refused)).unwrap();
    assert!(recorded.warnings.is_empty(), "{:?}", recorded.warnings);
    let mut buf = vec![0; 65536];
    let n = listener.recv(&mut buf).unwrap();
    let msg = String::from_utf8(buf[..n].to_vec()).unwrap();
    // authpriv.warning for a deny.
    assert!(msg.starts_with("<84>"), "{msg}");
    let (head, line) = msg.split_once(": ").unwrap();
    assert!(head.ends_with(&format!(" guard[{}]", std::process::id())), "{msg}");
    assert_eq!(format!("{line}\n"), std::fs::read_to_string(&path).unwrap());
    assert!(line.contains(&recorded.hash));

    // Nobody listening: the entry is still recorded, with a warning.
    drop(listener);
    std::fs::remove_file(&socket).unwrap();
    let recorded = audit::append(&cfg, entry("ls", Decision::Allow, Action::Ran)).unwrap();
    assert_eq!(recorded.warnings.len(), 1);
    assert!(recorded.warnings[0].contains(&socket.display().to_string()), "{:?}", recorded.warnings);
    assert_eq!(audit::verify(&path).unwrap().entries, 2);
}

#[test]
fn an_entry_records_who_where_and_what() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.jsonl");
    let mut e = entry("git push origin main && rm -rf target", Decision::Ask, Action::Approved);
    e.session_id = Some("sess-1".into());
    e.tool_use_id = Some("toolu_1".into());
    e.approval_id = Some("a-7".into());
    e.approver = Some("alice".into());
    e.exit = Some(0);
    e.duration_ms = Some(12);
    let recorded = audit::append(&config(&path), e).unwrap();
    let v: serde_json::Value = serde_json::from_str(std::fs::read_to_string(&path).unwrap().trim_end()).unwrap();
    assert_eq!(v["pid"], std::process::id());
    assert_eq!(v["cwd"], std::env::current_dir().unwrap().to_string_lossy().as_ref());
    assert_eq!(v["prev"], audit::GENESIS);
    assert_eq!(v["hash"], recorded.hash.as_str());
    assert_eq!(v["plan"]["programs"], serde_json::json!(["git push", "rm"]));
    assert_eq!(v["plan"]["commands"], 2);
    for (field, want) in [
        ("decision", "ask"),
        ("action", "approved"),
        ("agent", "claude"),
        ("face", "shell"),
        ("session_id", "sess-1"),
        ("tool_use_id", "toolu_1"),
        ("approval_id", "a-7"),
        ("approver", "alice"),
    ] {
        assert_eq!(v[field], want, "{field}");
    }
    assert!(!v["user"].as_str().unwrap().is_empty() && !v["host"].as_str().unwrap().is_empty());
}
