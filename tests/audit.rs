//! The audit log on disk: parallel writers, permissions, what guard refuses to write through
//! (symbolic links, hard links, other users' files), a torn last line sealed off, failures, the
//! syslog copy.

#![allow(clippy::unwrap_used)] // a test fails loudly on what it did not expect

use std::collections::HashSet;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::os::unix::net::UnixDatagram;
use std::path::{Path, PathBuf};

use guard::audit::{self, Action, AuditConfig, Entry};
use guard::policy::{Decision, Verdict};
use guard::shell::{analyze, Env};

fn entry(command: &str, decision: Decision, action: Action) -> Entry {
    let plan = analyze(command, &Env::new("/home/u", "/work"));
    let mut verdict = Verdict::allow();
    verdict.decision = decision;
    Entry::new("shell", "claude", &guard::host::Host::new("/w".into(), Default::default()), &plan, &verdict, action)
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
    let intact = audit::verify(&path, None).unwrap();
    assert_eq!(intact.entries, WRITERS * EACH);
}

#[test]
fn the_log_and_its_directories_are_private() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state/guard/audit.jsonl");
    let recorded = audit::append(&config(&path), entry("ls", Decision::Allow, Action::Ran)).unwrap();
    assert!(recorded.warnings.is_empty(), "{:?}", recorded.warnings);
    assert_eq!(mode(&path), 0o600);
    assert_eq!(mode(&dir.path().join("state/guard")), 0o700);
    assert_eq!(mode(&dir.path().join("state")), 0o700);
}

#[test]
fn a_log_open_to_others_is_appended_to_and_left_as_it_is_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.jsonl");
    audit::append(&config(&path), entry("ls", Decision::Allow, Action::Ran)).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    let recorded = audit::append(&config(&path), entry("pwd", Decision::Allow, Action::Ran)).unwrap();
    assert_eq!(mode(&path), 0o644, "guard did not create it, so it does not change its mode");
    assert_eq!(recorded.warnings.len(), 1, "{:?}", recorded.warnings);
    let w = &recorded.warnings[0];
    assert!(w.contains("mode 0644") && w.contains(&format!("chmod 600 {}", path.display())), "{w}");
    assert_eq!(audit::verify(&path, None).unwrap().entries, 2);
}

/// A file elsewhere that someone would like guard to write to or chmod, with its content and
/// mode, to check that neither changed.
struct Target {
    path: PathBuf,
}

impl Target {
    fn new(dir: &Path) -> Target {
        let path = dir.join("elsewhere/precious");
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, "precious\n").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        Target { path }
    }

    fn assert_untouched(&self) {
        assert_eq!(std::fs::read_to_string(&self.path).unwrap(), "precious\n");
        assert_eq!(mode(&self.path), 0o644);
    }
}

#[test]
fn a_symlink_planted_as_the_log_is_not_written_through() {
    let dir = tempfile::tempdir().unwrap();
    let target = Target::new(dir.path());
    let path = dir.path().join("state/guard/audit.jsonl");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::os::unix::fs::symlink(&target.path, &path).unwrap();
    for result in [
        audit::append(&config(&path), entry("ls", Decision::Allow, Action::Ran)).map(drop),
        audit::writable(&config(&path)),
    ] {
        let msg = result.unwrap_err().to_string();
        assert!(msg.contains(&format!("the audit log {} is a symbolic link", path.display())), "{msg}");
        assert!(msg.contains("remove the link"), "{msg}");
    }
    target.assert_untouched();
    // A dangling link is not followed to create a file either.
    let gone = dir.path().join("elsewhere/not-yet");
    std::fs::remove_file(&path).unwrap();
    std::os::unix::fs::symlink(&gone, &path).unwrap();
    assert!(audit::append(&config(&path), entry("ls", Decision::Allow, Action::Ran)).is_err());
    assert!(!gone.exists());
}

#[test]
fn a_symlink_as_the_logs_directory_is_not_followed() {
    let dir = tempfile::tempdir().unwrap();
    let elsewhere = dir.path().join("elsewhere");
    std::fs::create_dir(&elsewhere).unwrap();
    std::fs::create_dir(dir.path().join("state")).unwrap();
    std::os::unix::fs::symlink(&elsewhere, dir.path().join("state/guard")).unwrap();
    let path = dir.path().join("state/guard/audit.jsonl");
    for result in [
        audit::append(&config(&path), entry("ls", Decision::Allow, Action::Ran)).map(drop),
        audit::writable(&config(&path)),
    ] {
        let msg = result.unwrap_err().to_string();
        let want = format!("the audit log's directory {} is a symbolic link", dir.path().join("state/guard").display());
        assert!(msg.contains(&want), "{msg}");
    }
    assert_eq!(std::fs::read_dir(&elsewhere).unwrap().count(), 0, "nothing written at the target");
}

#[test]
fn a_symlink_above_the_logs_directory_is_the_users_choice() {
    // `~/.local` kept in a dotfiles repository, say.
    let dir = tempfile::tempdir().unwrap();
    let real = dir.path().join("dotfiles/state");
    std::fs::create_dir_all(&real).unwrap();
    std::os::unix::fs::symlink(&real, dir.path().join("state")).unwrap();
    let path = dir.path().join("state/guard/audit.jsonl");
    audit::append(&config(&path), entry("ls", Decision::Allow, Action::Ran)).unwrap();
    assert_eq!(mode(&real.join("guard")), 0o700);
    assert_eq!(audit::verify(&real.join("guard/audit.jsonl"), None).unwrap().entries, 1);
}

#[test]
fn a_log_with_another_name_is_not_appended_to() {
    let dir = tempfile::tempdir().unwrap();
    let target = Target::new(dir.path());
    let path = dir.path().join("audit.jsonl");
    std::fs::hard_link(&target.path, &path).unwrap();
    let msg = audit::append(&config(&path), entry("ls", Decision::Allow, Action::Ran)).unwrap_err().to_string();
    assert!(msg.contains("has 2 names (hard links)") && msg.contains("-samefile"), "{msg}");
    target.assert_untouched();
}

#[test]
fn a_directory_of_another_user_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    // Root may give a directory away; anyone else meets one root owns.
    let theirs = if nix::unistd::getuid().is_root() {
        let d = dir.path().join("theirs");
        std::fs::create_dir(&d).unwrap();
        std::os::unix::fs::chown(&d, Some(65534), Some(65534)).unwrap();
        d
    } else {
        PathBuf::from("/")
    };
    let owner = std::fs::metadata(&theirs).unwrap().uid();
    let path = theirs.join("guard-test-audit.jsonl");
    let msg = audit::writable(&config(&path)).unwrap_err().to_string();
    assert!(msg.contains(&format!("{} belongs to uid {owner}, not to you", theirs.display())), "{msg}");
    assert!(!path.exists());
}

#[test]
fn a_log_that_cannot_be_written_is_an_error_that_says_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("plain-file");
    std::fs::write(&file, "").unwrap();
    let fifo = dir.path().join("fifo");
    nix::unistd::mkfifo(&fifo, nix::sys::stat::Mode::S_IRWXU).unwrap();
    let cases: Vec<(PathBuf, &str)> =
        vec![(file.join("audit.jsonl"), "fix the path"), (fifo.clone(), "is not a regular file")];
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

/// The lines of the log at `path`.
fn lines(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path).unwrap().lines().map(str::to_string).collect()
}

fn json(line: &str) -> serde_json::Value {
    serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"))
}

#[test]
fn a_torn_last_line_is_sealed_off_by_a_recovery_line() {
    use sha2::Digest;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.jsonl");
    let first = audit::append(&config(&path), entry("ls", Decision::Allow, Action::Ran)).unwrap();
    // A writer killed mid-line, as far as the file can tell.
    let torn = b"{\"action\":\"ran\",\"ag";
    let mut bytes = std::fs::read(&path).unwrap();
    bytes.extend_from_slice(torn);
    std::fs::write(&path, &bytes).unwrap();
    let recorded = audit::append(&config(&path), entry("pwd", Decision::Allow, Action::Ran)).unwrap();
    assert_eq!(recorded.warnings.len(), 1, "{:?}", recorded.warnings);
    assert!(recorded.warnings[0].contains("was cut short (19 bytes)"), "{:?}", recorded.warnings);

    let lines = lines(&path);
    assert_eq!(lines.len(), 4, "{lines:?}");
    assert_eq!(lines[1].as_bytes(), torn, "the torn bytes stay, ended by a newline");
    let recovery = json(&lines[2]);
    assert_eq!(recovery["prev"], first.hash.as_str(), "linked past the torn line");
    assert_eq!(recovery["torn"]["bytes"], torn.len());
    assert_eq!(recovery["torn"]["sha256"], guard::audit::chain::hex(&sha2::Sha256::digest(torn)));
    assert_eq!(recovery["torn"]["cut_short"], true);
    assert_eq!(recovery["pid"], std::process::id());
    let after = json(&lines[3]);
    assert_eq!((after["command"].as_str(), &after["prev"]), (Some("pwd"), &recovery["hash"]));
    assert_eq!(after["hash"], recorded.hash.as_str());

    let report = audit::verify(&path, None).unwrap();
    assert_eq!(report.breaks.len(), 1, "{report:?}");
    assert_eq!(report.breaks[0].line, 2);
    assert!(report.breaks[0].reason.contains("a torn write (19 bytes"), "{report:?}");
    assert!(report.breaks[0].reason.contains("recovered at line 3"), "{report:?}");
    assert_eq!(report.head, recorded.hash);

    // The next append finds a sealed last line: nothing more to recover.
    let recorded = audit::append(&config(&path), entry("id", Decision::Allow, Action::Ran)).unwrap();
    assert!(recorded.warnings.is_empty(), "{:?}", recorded.warnings);
    assert_eq!(audit::verify(&path, None).unwrap().breaks.len(), 1);
}

#[test]
fn a_whole_last_line_that_is_not_an_entry_is_sealed_off_too() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.jsonl");
    let first = audit::append(&config(&path), entry("ls", Decision::Allow, Action::Ran)).unwrap();
    let mut text = std::fs::read_to_string(&path).unwrap();
    text.push_str("hello\n");
    std::fs::write(&path, &text).unwrap();
    audit::append(&config(&path), entry("pwd", Decision::Allow, Action::Ran)).unwrap();
    let lines = lines(&path);
    assert_eq!(lines.len(), 4, "{lines:?}");
    let recovery = json(&lines[2]);
    assert_eq!((recovery["prev"].as_str(), &recovery["torn"]["cut_short"]), (Some(first.hash.as_str()), &false.into()));
    let report = audit::verify(&path, None).unwrap();
    let reasons: Vec<String> = report.breaks.iter().map(|b| b.to_string()).collect();
    assert_eq!(reasons.len(), 1, "{reasons:?}");
    assert!(reasons[0].starts_with("line 2: not a JSON entry"), "{reasons:?}");
    assert!(reasons[0].contains("sealed off by the recovery entry at line 3"), "{reasons:?}");
}

#[test]
fn a_last_line_missing_only_its_newline_is_completed_not_sealed_off() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.jsonl");
    audit::append(&config(&path), entry("ls", Decision::Allow, Action::Ran)).unwrap();
    let mut bytes = std::fs::read(&path).unwrap();
    bytes.pop();
    std::fs::write(&path, &bytes).unwrap();
    let recorded = audit::append(&config(&path), entry("pwd", Decision::Allow, Action::Ran)).unwrap();
    assert!(recorded.warnings.is_empty(), "{:?}", recorded.warnings);
    assert_eq!(lines(&path).len(), 2);
    assert!(audit::verify(&path, None).unwrap().intact());
}

#[test]
fn a_recovery_line_goes_to_syslog_before_the_entry() {
    let dir = tempfile::tempdir().unwrap();
    let socket = dir.path().join("log.sock");
    let listener = UnixDatagram::bind(&socket).unwrap();
    let path = dir.path().join("audit.jsonl");
    std::fs::write(&path, "{\"act").unwrap();
    let cfg = AuditConfig { syslog: true, syslog_socket: socket.clone(), ..config(&path) };
    audit::append(&cfg, entry("ls", Decision::Allow, Action::Ran)).unwrap();
    let mut buf = vec![0; 65536];
    let mut sent = Vec::new();
    for _ in 0..2 {
        let n = listener.recv(&mut buf).unwrap();
        let msg = String::from_utf8(buf[..n].to_vec()).unwrap();
        sent.push(msg.split_once(": ").unwrap().1.to_string());
    }
    assert_eq!(sent, lines(&path)[1..], "every line after the torn one, in order");
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
    assert_eq!(audit::verify(&path, None).unwrap().entries, 2);
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
    assert_eq!(v["cwd"], "/w", "where the caller says the command ran");
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
