//! `guard log` as a user runs it, over logs written through the library.

#![allow(clippy::unwrap_used)] // a test fails loudly on what it did not expect

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
        let mut e = Entry::new(
            "shell",
            agent,
            &guard::host::Host::new("/w".into(), Default::default()),
            &plan,
            &verdict,
            action,
        );
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
    let re =
        regex_lite::Regex::new(r"^[0-9a-f]{8}  \d{4}-\d\d-\d\d \d\d:\d\d:\d\d  (\S+)\s+(\S+)\s+(\S+)  (.*)$").unwrap();
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
    // The first column is the start of each entry's hash, which `guard log show` takes.
    let stored = std::fs::read_to_string(home.log()).unwrap();
    for (line, stored) in lines.iter().zip(stored.lines()) {
        let v: serde_json::Value = serde_json::from_str(stored).unwrap();
        assert_eq!(&line[..8], &v["hash"].as_str().unwrap()[..8]);
    }
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
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        format!("line 2: its content does not match its hash: the line was edited\n3 entries, 1 break, head {head}\n")
    );
}

/// Replace `"exit":0` with `"exit":1` on line `n` of the log at `path`.
fn edit_exit(path: &std::path::Path, n: usize) {
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    assert!(lines[n - 1].contains("\"exit\":0"), "{}", lines[n - 1]);
    lines[n - 1] = lines[n - 1].replace("\"exit\":0", "\"exit\":1");
    std::fs::write(path, lines.join("\n") + "\n").unwrap();
}

#[test]
fn verify_lists_every_break_and_goes_on_after_each() {
    let home = Home::new();
    for i in 0..6 {
        home.record_with("claude", &format!("echo {i}"), Decision::Allow, Action::Ran, |e| e.exit = Some(0));
    }
    edit_exit(&home.log(), 2);
    edit_exit(&home.log(), 5);
    let out = home.run(&["log", "verify"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "{text}");
    assert!(lines[0].starts_with("line 2: its content does not match its hash"), "{text}");
    assert!(lines[1].starts_with("line 5: its content does not match its hash"), "{text}");
    assert!(lines[2].starts_with("6 entries, 2 breaks, head "), "{text}");
}

#[test]
fn verify_head_checks_the_log_still_reaches_a_saved_head() {
    let home = Home::new();
    home.three();
    let saved = home.record("claude", "make", Decision::Allow, Action::Ran);
    home.record("claude", "make test", Decision::Allow, Action::Ran);
    let verify_head = |head: &str| home.run(&["log", "verify", "--head", head]);
    for head in [saved.clone(), saved[..12].to_string(), saved.to_ascii_uppercase()] {
        let out = verify_head(&head);
        assert_eq!(out.status.code(), Some(0), "{head}: {}{}", stdout(&out), stderr(&out));
        let text = stdout(&out);
        assert!(text.contains(&format!("reached head {saved} at line 4; every line after it chains on")), "{text}");
    }
    // The last two lines cut off: what is left verifies, but no longer reaches the head.
    let text = std::fs::read_to_string(home.log()).unwrap();
    let kept: Vec<&str> = text.lines().take(3).collect();
    std::fs::write(home.log(), kept.join("\n") + "\n").unwrap();
    let out = verify_head(&saved);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("3 entries, chain intact"), "{text}");
    assert!(text.contains(&format!("head {saved} not reached: no line in its place carries it")), "{text}");
    // A hash the log never had.
    let unknown = if saved.starts_with("ab") { "cd".repeat(32) } else { "ab".repeat(32) };
    let out = verify_head(&unknown);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stdout(&out).contains(&format!("head {unknown} not reached")), "{}", stdout(&out));
    // Too short, or not hex: a usage error.
    for bad in [&saved[..11], "not-a-hash-at-all"] {
        let out = verify_head(bad);
        assert_eq!(out.status.code(), Some(2), "{bad}: {}", stdout(&out));
        assert!(stderr(&out).contains("at least the first 12"), "{}", stderr(&out));
    }
}

#[test]
fn a_recovery_line_is_listed_printed_and_shown_as_a_note() {
    let home = Home::new();
    home.record("claude", "ls -la", Decision::Allow, Action::Ran);
    let mut bytes = std::fs::read(home.log()).unwrap();
    bytes.extend_from_slice(b"{\"action\":\"ran\",\"ag");
    std::fs::write(home.log(), &bytes).unwrap();
    home.record("claude", "make", Decision::Allow, Action::Ran);
    let stored: Vec<String> = std::fs::read_to_string(home.log()).unwrap().lines().map(str::to_string).collect();
    assert_eq!(stored.len(), 4, "{stored:?}");
    let recovery: serde_json::Value = serde_json::from_str(&stored[2]).unwrap();
    let id = recovery["hash"].as_str().unwrap().to_string();

    let out = home.run(&["log"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    let rows: Vec<&str> = text.lines().collect();
    assert_eq!(rows.len(), 3, "{text}");
    assert!(rows[0].ends_with("ls -la") && rows[2].ends_with("make"), "{text}");
    assert!(rows[1].starts_with(&format!("{}  ", &id[..8])), "{text}");
    assert!(rows[1].contains("recovery") && rows[1].contains("(the line before was cut short, 19 bytes"), "{text}");
    assert!(stderr(&out).contains("line 2 is not a readable entry"), "{}", stderr(&out));
    // Asking for entries of an agent or decision leaves it out.
    let out = home.run(&["log", "--agent", "claude"]);
    assert_eq!(stdout(&out).lines().count(), 2, "{}", stdout(&out));

    let out = home.run(&["log", "--json", "-n", "2"]);
    assert_eq!(stdout(&out), format!("{}\n{}\n", stored[2], stored[3]));

    let out = home.run(&["log", "show", &id[..8]]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains(&format!("entry      {id}\n")), "{text}");
    assert!(text.contains("recovery   the line before this one was cut short"), "{text}");
    let out = home.run(&["log", "show", &id[..8], "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("one JSON object");
    assert_eq!(v["entry"], recovery);
    assert_eq!(v["recorded_output"], serde_json::Value::Null);

    let out = home.run(&["log", "verify"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).starts_with("line 2: a torn write (19 bytes"), "{}", stdout(&out));
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

/// A cast file at `path` that showed `lines`, written with guard's own writer.
fn write_cast(path: &std::path::Path, lines: &[&str]) {
    use guard::record::asciicast::{Header, Writer};
    let file = std::fs::File::create(path).unwrap();
    let mut w = Writer::new(file, &Header::new(100, 30, "make test")).unwrap();
    for (i, line) in lines.iter().enumerate() {
        w.output(std::time::Duration::from_millis(100 * i as u64), format!("{line}\r\n").as_bytes()).unwrap();
    }
    w.finish(std::time::Duration::from_secs(1)).unwrap();
}

#[test]
fn show_prints_an_entry_and_its_recorded_output() {
    let home = Home::new();
    home.three();
    let cast = home.dir.path().join("run.cast");
    write_cast(&cast, &["compiling", "test result: ok"]);
    let hash = home.record_with("claude", "make test", Decision::Allow, Action::Ran, |e| {
        e.exit = Some(0);
        e.recording = Some(cast.display().to_string());
    });
    // Not a terminal: the output is printed at once, with or without --print.
    for args in [vec!["log", "show", &hash[..6]], vec!["log", "show", &hash[..10], "--print"]] {
        let out = home.run(&args);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", stderr(&out));
        let text = stdout(&out);
        for want in [
            format!("entry      {hash}\n"),
            "command    make test\n".to_string(),
            "decision   allow, ran\n".to_string(),
            format!("recording  {}\n", cast.display()),
            "--- recorded output (100x30) ---\ncompiling\r\ntest result: ok\r\n--- end of recording ---\n".to_string(),
        ] {
            assert!(text.contains(&want), "{args:?}: {want:?} in\n{text}");
        }
    }
    // An entry without a recording is shown alone.
    let plain = home.record("claude", "ls", Decision::Allow, Action::Ran);
    let out = home.run(&["log", "show", &plain[..8]]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("command    ls\n") && !stdout(&out).contains("recording"), "{}", stdout(&out));
}

/// `--json`: one object with the entry as stored and what the recording showed, for tools.
#[test]
fn show_json_gives_the_entry_and_the_recorded_output() {
    let home = Home::new();
    let cast = home.dir.path().join("run.cast");
    write_cast(&cast, &["compiling", "test result: ok"]);
    let hash = home.record_with("claude", "make test", Decision::Allow, Action::Ran, |e| {
        e.exit = Some(0);
        e.recording = Some(cast.display().to_string());
    });
    let plain = home.record("codex", "ls", Decision::Allow, Action::Ran);
    let stored: Vec<serde_json::Value> =
        std::fs::read_to_string(home.log()).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();

    let out = home.run(&["log", "show", &hash[..8], "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("one JSON object");
    assert_eq!(v["entry"], stored[0]);
    assert_eq!(v["recorded_output"], "compiling\r\ntest result: ok\r\n");
    assert_eq!(v["recorded_size"], "100x30");

    let out = home.run(&["log", "show", &plain[..8], "--json"]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("one JSON object");
    assert_eq!((v["entry"].clone(), v["recorded_output"].clone()), (stored[1].clone(), serde_json::Value::Null));

    // A recording gone since: the entry still comes out, the reason goes to stderr, status 2.
    std::fs::remove_file(&cast).unwrap();
    let out = home.run(&["log", "show", &hash[..8], "--json"]);
    assert_eq!(out.status.code(), Some(2));
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("one JSON object");
    assert_eq!((v["entry"].clone(), v["recorded_output"].clone()), (stored[0].clone(), serde_json::Value::Null));
    assert!(stderr(&out).contains("is missing"), "{}", stderr(&out));
    // It does not mix with the replay options.
    let out = home.run(&["log", "show", &hash[..8], "--json", "--print"]);
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
}

#[test]
fn show_explains_ids_that_name_no_single_entry() {
    let home = Home::new();
    let first = home.record("claude", "ls -la", Decision::Allow, Action::Ran);
    let second = home.record("codex", "make", Decision::Allow, Action::Ran);
    // A log where two hashes start alike (the chain does not matter to finding an entry).
    let twins = home.dir.path().join("twins.jsonl");
    std::fs::write(&twins, std::fs::read_to_string(home.log()).unwrap().replace(&second[..12], &first[..12])).unwrap();
    let absent = if first.starts_with("0000000") || second.starts_with("0000000") { "fffffff" } else { "0000000" };
    let log = home.log().display().to_string();
    let twins = twins.display().to_string();
    for (args, want) in [
        (vec!["log", "show", absent], "no entry's hash starts with"),
        (vec!["log", "show", &first[..5]], "at least 6 hex digits"),
        (vec!["log", "show", "not-hex-at-all"], "at least 6 hex digits"),
        (vec!["log", "--file", &twins, "show", &first[..8]], "2 entries have a hash starting with"),
        (vec!["log", "--file", &log, "show", &first[..8], "--speed", "0"], "not a positive number"),
    ] {
        let out = home.run(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stdout(&out));
        assert!(stderr(&out).contains(want), "{args:?}: {}", stderr(&out));
        assert!(stdout(&out).is_empty(), "{args:?}: {}", stdout(&out));
    }
    // The candidates are listed, each with its short hash and command.
    let out = home.run(&["log", "--file", &twins, "show", &first[..8]]);
    let err = stderr(&out);
    assert!(err.contains(&format!("  {}  ", &first[..8])), "{err}");
    assert!(err.contains("ls -la") && err.contains("make"), "{err}");
    // Given more digits, it is one entry again.
    let out = home.run(&["log", "--file", &twins, "show", &second]);
    assert_eq!(out.status.code(), Some(2), "the full hash was rewritten: {}", stdout(&out));
    let out = home.run(&["log", "--file", &twins, "show", &first]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn show_says_when_the_recording_is_gone() {
    let home = Home::new();
    let cast = home.dir.path().join("gone.cast");
    let hash = home.record_with("claude", "make", Decision::Allow, Action::Ran, |e| {
        e.recording = Some(cast.display().to_string())
    });
    let out = home.run(&["log", "show", &hash[..8]]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stdout(&out).contains("command    make"), "the entry is still shown: {}", stdout(&out));
    let err = stderr(&out);
    assert!(err.contains(&format!("the recording {} is missing", cast.display())), "{err}");
    // One that is there but cut short is reported too.
    std::fs::write(&cast, "{\"version\": 2, \"width\": 80, \"height\": 24}\n[0.1, \"o\"").unwrap();
    let out = home.run(&["log", "show", &hash[..8]]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("cannot be read (asciicast line 2"), "{}", stderr(&out));
}
