//! `guard pending`, `guard approve`, `guard deny` with the real binary, in a fresh HOME. The
//! prompt is driven in a real pseudo-terminal, made the child's controlling terminal the way a
//! login does (new session, TIOCSCTTY), since the prompt reads `/dev/tty` and nothing else.

#![allow(clippy::unwrap_used)] // a test fails loudly on what it did not expect

use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use guard::approval::{Request, RequestSummary, State, Store};

mod sandbox;

/// A command the built-in policy asks about (pushing to `main` it denies, and a denied command is
/// never approvable).
const CMD: &str = "git push --force origin feature";

struct Home {
    tmp: tempfile::TempDir,
}

impl Home {
    fn new() -> Home {
        Home { tmp: tempfile::tempdir().unwrap() }
    }

    fn path(&self) -> &Path {
        self.tmp.path()
    }

    fn store(&self) -> Store {
        Store::open_dir(&self.path().join("state/guard/approvals"), Duration::from_secs(600)).unwrap()
    }

    fn request(&self) -> Request {
        let summary = RequestSummary {
            rules: vec!["git.force-push".into()],
            messages: vec!["rewrites history on the remote".into()],
            agent: "claude".into(),
        };
        self.store().request(CMD, "/work/proj", summary).unwrap()
    }

    /// A request for `command` in `cwd` that says whatever `rules`, `messages` and `agent` say,
    /// as a requester can write one.
    fn request_saying(&self, command: &str, cwd: &str, rules: &[&str], messages: &[&str], agent: &str) -> Request {
        let summary = RequestSummary {
            rules: rules.iter().map(|r| r.to_string()).collect(),
            messages: messages.iter().map(|m| m.to_string()).collect(),
            agent: agent.into(),
        };
        self.store().request(command, cwd, summary).unwrap()
    }

    /// A policy file of the user's, `$XDG_CONFIG_HOME/guard/NAME`.
    fn policy(&self, name: &str, text: &str) {
        let dir = self.path().join("config/guard");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(name), text).unwrap();
    }

    fn decision(&self, id: &str) -> Option<serde_json::Value> {
        let text = std::fs::read_to_string(self.path().join(format!("state/guard/approvals/{id}.json"))).ok()?;
        Some(serde_json::from_str(&text).unwrap())
    }

    fn guard(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_guard"));
        cmd.args(args)
            .current_dir(self.path())
            .env("HOME", self.path())
            .env("XDG_STATE_HOME", self.path().join("state"))
            .env("XDG_CONFIG_HOME", self.path().join("config"))
            .env("XDG_DATA_HOME", self.path().join("data"))
            .env("TERM", "dumb")
            .env_remove("GUARD_ACTIVE")
            .env_remove("GUARD_SESSION");
        cmd
    }

    fn audit_lines(&self) -> Vec<serde_json::Value> {
        let text = std::fs::read_to_string(self.path().join("state/guard/audit.jsonl")).unwrap_or_default();
        text.lines().map(|l| serde_json::from_str(l).unwrap()).collect()
    }
}

/// Run without any controlling terminal: a new session, and pipes for standard streams.
fn without_terminal(cmd: &mut Command) -> std::process::Output {
    unsafe {
        cmd.pre_exec(|| nix::unistd::setsid().map(|_| ()).map_err(std::io::Error::from));
    }
    cmd.stdin(Stdio::piped()).output().unwrap()
}

/// Run `cmd` on a new pseudo-terminal; once `prompt` is on its screen, type `keys`. Returns the
/// exit code and everything it wrote.
fn in_terminal(cmd: Command, prompt: &str, keys: &[u8]) -> (i32, String) {
    in_terminal_typed_ahead(cmd, b"", prompt, keys)
}

/// The same, with `ahead` typed into the terminal before the command starts.
fn in_terminal_typed_ahead(cmd: Command, ahead: &[u8], prompt: &str, keys: &[u8]) -> (i32, String) {
    sandbox::in_terminal(cmd, ahead, &[(prompt, keys)])
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn pending_lists_waiting_requests() {
    let home = Home::new();
    let out = home.guard(&["pending"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "No requests are waiting for approval.\n");

    let req = home.request();
    let out = home.guard(&["pending"]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", stderr(&out));
    let first = text.lines().next().unwrap();
    assert!(first.starts_with(&req.id) && first.contains("claude") && first.ends_with("in /work/proj"), "{text}");
    assert!(text.contains(&format!("    {CMD}\n")), "{text}");
    assert!(text.contains("your policy: ask (git.force-push)"), "{text}");

    let out = home.guard(&["pending", "--json"]).output().unwrap();
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["id"], req.id.as_str());
    assert_eq!(list[0]["command"], CMD);
    assert_eq!(list[0]["cwd"], "/work/proj");
    assert_eq!(list[0]["rules"][0], "git.force-push");
    assert!(list[0]["age_seconds"].as_u64().is_some(), "{list}");
}

#[test]
fn approve_without_a_terminal_refuses_and_leaves_the_request_waiting() {
    let home = Home::new();
    let req = home.request();
    for verb in ["approve", "deny"] {
        let out = without_terminal(&mut home.guard(&[verb, &req.id]));
        assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
        assert!(stderr(&out).contains("needs you at a terminal"), "{}", stderr(&out));
    }
    assert_eq!(home.store().get(&req.id).unwrap().state, State::Pending);
    assert_eq!(home.store().consume(CMD, "/work/proj").unwrap(), None);
    assert!(home.audit_lines().is_empty(), "nothing was decided, so nothing was logged");
}

#[test]
fn approve_inside_a_guarded_command_refuses() {
    let home = Home::new();
    let req = home.request();
    // Given a terminal, and still refused.
    let mut cmd = home.guard(&["approve", &req.id]);
    cmd.env("GUARD_ACTIVE", "1");
    let (code, screen) = in_terminal(cmd, "GUARD_ACTIVE", b"");
    assert_eq!(code, 2, "{screen}");
    assert!(!screen.contains("Approve it?"), "{screen}");
    assert_eq!(home.store().get(&req.id).unwrap().state, State::Pending);
}

#[test]
fn approve_of_an_unknown_request_says_how_to_find_one() {
    let home = Home::new();
    for id in ["0badc0de", "../../etc/passwd"] {
        let out = without_terminal(&mut home.guard(&["approve", id]));
        assert_eq!(out.status.code(), Some(2));
        assert!(stderr(&out).contains("guard pending"), "{}", stderr(&out));
    }
}

#[test]
fn typing_y_at_the_terminal_approves_once() {
    let home = Home::new();
    let req = home.request();
    let (code, screen) = in_terminal(home.guard(&["approve", &req.id]), "Approve it? [y/N]", b"y");
    assert_eq!(code, 0, "{screen}");
    assert!(screen.contains(CMD) && screen.contains("git.force-push"), "the request is shown: {screen}");
    assert!(screen.contains("approved"), "{screen}");
    assert_eq!(home.store().get(&req.id).unwrap().state, State::Approved);
    // It ends when the approver's expiry says, whatever the expiry of whoever uses it.
    let decision = home.decision(&req.id).unwrap();
    let (given, ends) = (decision["decided"].as_str().unwrap(), decision["expires"].as_str().unwrap());
    let lasts = ends.parse::<jiff::Timestamp>().unwrap().duration_since(given.parse().unwrap());
    assert_eq!(lasts, jiff::SignedDuration::from_mins(10), "{decision}");
    assert_eq!(home.store().consume(CMD, "/elsewhere").unwrap(), None);
    let used = home.store().consume(CMD, "/work/proj").unwrap().expect("the approval is there");
    assert_eq!(used.id, req.id);
    assert_eq!(home.store().consume(CMD, "/work/proj").unwrap(), None, "and is used once");
    let log = home.audit_lines();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0]["action"], "approved");
    assert_eq!(log[0]["face"], "approve");
    assert_eq!(log[0]["approval_id"], req.id.as_str());
    assert_eq!(log[0]["command"], CMD);
    assert_eq!(log[0]["cwd"], "/work/proj");
}

#[test]
fn typing_n_at_the_terminal_denies() {
    let home = Home::new();
    let req = home.request();
    let (code, screen) = in_terminal(home.guard(&["approve", &req.id]), "Approve it? [y/N]", b"n");
    assert_eq!(code, 1, "{screen}");
    assert_eq!(home.store().get(&req.id).unwrap().state, State::Denied);
    assert_eq!(home.store().consume(CMD, "/work/proj").unwrap(), None);
    let log = home.audit_lines();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0]["action"], "denied-by-human");
    // A decided request cannot be decided again.
    let out = without_terminal(&mut home.guard(&["approve", &req.id]));
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("already denied"), "{}", stderr(&out));
}

#[test]
fn deny_asks_before_denying() {
    let home = Home::new();
    let req = home.request();
    let (code, screen) = in_terminal(home.guard(&["deny", &req.id]), "Deny it? [y/N]", b"\r");
    assert_eq!(code, 1, "Enter keeps it waiting: {screen}");
    assert_eq!(home.store().get(&req.id).unwrap().state, State::Pending);
    let (code, screen) = in_terminal(home.guard(&["deny", &req.id]), "Deny it? [y/N]", b"y");
    assert_eq!(code, 0, "{screen}");
    assert_eq!(home.store().get(&req.id).unwrap().state, State::Denied);
}

#[test]
fn keys_typed_before_the_question_do_not_answer_it() {
    let home = Home::new();
    let req = home.request();
    // "y" is waiting in the terminal before guard even starts; only the "n" typed once the
    // question is on screen answers it.
    let (code, screen) = in_terminal_typed_ahead(home.guard(&["approve", &req.id]), b"y", "Approve it? [y/N]", b"n");
    assert_eq!(code, 1, "{screen}");
    assert_eq!(home.store().get(&req.id).unwrap().state, State::Denied);
}

/// Nothing in `text` that a terminal would act on rather than show: no escape or other control
/// character but line ends (a pseudo-terminal writes `\r\n` for each), no character that
/// reorders or hides text. Otherwise, what is wrong and where.
fn inert(text: &str) -> Result<(), String> {
    let chars: Vec<char> = text.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        let line_end = c == '\n' || (c == '\r' && chars.get(i + 1) == Some(&'\n'));
        let reorders = matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}');
        if (c.is_control() && !line_end) || reorders {
            let at: String = chars[i.saturating_sub(20)..chars.len().min(i + 20)].iter().collect();
            return Err(format!("{c:?} at character {i}, in {at:?}"));
        }
    }
    Ok(())
}

/// A request as a hostile requester writes it: every field holds escape sequences that, printed
/// raw, would erase the dangerous part of the line (`\r\x1b[2K`), move up and overwrite what
/// was shown above (`\x1b[3A`), set the window title, or reverse the text that follows.
const HOSTILE: &str = "git push --force origin feature\r\x1b[2Kgit status";
const HOSTILE_CWD: &str = "/work/proj\x1b[1A\x1b[2K\u{9b}2K";

fn hostile(home: &Home) -> Request {
    home.request_saying(
        HOSTILE,
        HOSTILE_CWD,
        &["note.fine\x1b[32m"],
        &["harmless\x1b[3A\x1b[2K\r\x7f"],
        "claude\x1b]0;pwned\x07\u{202e}",
    )
}

#[test]
fn what_a_request_file_says_is_shown_to_the_approver_never_acted_on() {
    let home = Home::new();
    let req = hostile(&home);
    let out = home.guard(&["pending"]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", stderr(&out));
    inert(&text).unwrap_or_else(|e| panic!("guard pending: {e}\n{text:?}"));
    assert!(text.contains(r"git push --force origin feature\r\x1b[2Kgit status"), "shown, written out: {text}");
    assert!(text.contains(r"\x1b]0;pwned\x07"), "{text}");

    // JSON keeps every character, each a terminal could act on written as an escape.
    let out = home.guard(&["pending", "--json"]).output().unwrap();
    let json = String::from_utf8(out.stdout).unwrap();
    inert(&json).unwrap_or_else(|e| panic!("guard pending --json: {e}\n{json:?}"));
    let list: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(list[0]["command"], HOSTILE);
    assert_eq!(list[0]["cwd"], HOSTILE_CWD);
    assert_eq!(list[0]["agent"], "claude\x1b]0;pwned\x07\u{202e}");

    // The prompt shows the request written out, and nothing of it reaches the terminal raw.
    let (code, screen) = in_terminal(home.guard(&["approve", &req.id]), "Approve it? [y/N]", b"n");
    assert_eq!(code, 1, "{screen}");
    inert(&screen).unwrap_or_else(|e| panic!("guard approve: {e}\n{screen:?}"));
    // A pseudo-terminal without a size is taken to be 40 columns wide: the line is cut there.
    assert!(screen.contains(r"git push --force origin feature\r\x1b"), "{screen}");
    assert!(screen.contains(r"\u{9b}2K") && screen.contains(r"claude\x1b]0;pwned\x07"), "{screen}");
}

#[test]
fn error_messages_show_what_came_from_outside_written_out() {
    let home = Home::new();
    let store = home.path().join("state/guard/approvals");
    home.store();
    // A request file whose state no guard wrote: the parser's complaint quotes it.
    let filed = serde_json::json!({
        "id": "0badc0de", "command": CMD, "cwd": "/work/proj", "created": "2026-01-01T00:00:00Z",
        "agent": "claude", "rules": [], "messages": [], "state": "\x1b[2K\x1b[1Aapproved",
    });
    std::fs::write(store.join("requests/0badc0de.json"), serde_json::to_vec(&filed).unwrap()).unwrap();
    for id in ["0badc0de", "\x1b[2K\x1b[1A0badc0de"] {
        let out = without_terminal(&mut home.guard(&["approve", id]));
        assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
        inert(&stderr(&out)).unwrap_or_else(|e| panic!("guard approve {id:?}: {e}\n{:?}", stderr(&out)));
        assert!(stderr(&out).contains(r"\x1b[2K"), "{}", stderr(&out));
    }
}

#[test]
fn the_reasons_shown_and_recorded_are_the_approvers_guards_not_the_requests() {
    let home = Home::new();
    let req = home.request_saying(CMD, "/work/proj", &["note.harmless"], &["only reads the status"], "claude");
    let (code, screen) = in_terminal(home.guard(&["approve", &req.id]), "Approve it? [y/N]", b"y");
    assert_eq!(code, 0, "{screen}");
    assert!(screen.contains("git.force-push (ask)") && screen.contains("force-push overwrites remote"), "{screen}");
    assert!(!screen.contains("note.harmless") && !screen.contains("only reads the status"), "{screen}");
    let decision = home.decision(&req.id).expect("the decision is written");
    assert_eq!(decision["rules"], serde_json::json!(["git.force-push"]), "{decision}");
    assert!(!decision.to_string().contains("only reads the status"), "{decision}");
    let log = home.audit_lines();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0]["rules"], serde_json::json!(["git.force-push"]), "{:?}", log[0]);
    assert_eq!(log[0]["decision"], "ask");

    // guard pending says what the caller's policy finds, too.
    let req = home.request_saying("make deploy", "/work/proj", &["note.harmless"], &["only reads"], "claude");
    home.policy("mine.yaml", ASK_DEPLOY);
    let out = home.guard(&["pending"]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("local.ask-deploy") && !text.contains("note.harmless"), "{text}");
    let out = home.guard(&["pending", "--json"]).output().unwrap();
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(list[0]["id"], req.id.as_str());
    assert_eq!(list[0]["judged"]["decision"], "ask", "{list}");
    assert_eq!(list[0]["judged"]["rules"], serde_json::json!(["local.ask-deploy"]), "{list}");
}

const ASK_DEPLOY: &str = "rules:\n  - id: local.ask-deploy\n    match: { command: make deploy }\n    \
                          decision: ask\n    message: deploys go to production\n    \
                          examples: { ask: [make deploy], allow: [make] }\n";

const DENY_DEPLOY: &str = "rules:\n  - id: local.no-deploy\n    match: { command: make deploy }\n    \
                           decision: deny\n    message: deploys are done by CI\n    \
                           examples: { deny: [make deploy], allow: [make] }\n";

#[test]
fn a_command_the_approvers_policy_denies_cannot_be_approved() {
    let home = Home::new();
    home.policy("mine.yaml", &format!("settings:\n  approvals:\n    prompt_timeout: 5s\n{DENY_DEPLOY}"));
    let req = home.request_saying("make deploy", "/work/proj", &["local.ask-deploy"], &["asks"], "claude");
    let (code, screen) = in_terminal(home.guard(&["approve", &req.id]), "cannot be approved", b"");
    assert_eq!(code, 2, "{screen}");
    assert!(screen.contains("local.no-deploy") && screen.contains("deploys are done by CI"), "{screen}");
    assert!(!screen.contains("Approve it?"), "{screen}");
    assert_eq!(home.store().get(&req.id).unwrap().state, State::Pending, "nothing changed");
    assert!(home.decision(&req.id).is_none());
    assert!(home.audit_lines().is_empty(), "{:?}", home.audit_lines());
    let out = home.guard(&["pending"]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("local.no-deploy") && text.contains("cannot be approved"), "{text}");

    // Turning it down is another matter.
    let (code, screen) = in_terminal(home.guard(&["deny", &req.id]), "Deny it? [y/N]", b"y");
    assert_eq!(code, 0, "{screen}");
    assert_eq!(home.store().get(&req.id).unwrap().state, State::Denied);
}

#[test]
fn a_request_is_judged_as_if_it_ran_in_its_directory() {
    let home = Home::new();
    // A project's own policy file where the command runs, not where the person decides.
    let proj = home.path().join("proj");
    std::fs::create_dir(&proj).unwrap();
    std::fs::write(proj.join(".guard.yaml"), DENY_DEPLOY).unwrap();
    let cwd = proj.to_str().unwrap();
    let req = home.request_saying("make deploy", cwd, &[], &[], "claude");
    let out = without_terminal(&mut home.guard(&["approve", &req.id]));
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("local.no-deploy") && stderr(&out).contains("cannot be approved"),
        "{}",
        stderr(&out)
    );

    // Relative paths are the request's directory's: `..` from `proj` is the home directory.
    let req = home.request_saying("rm -rf ..", cwd, &[], &[], "claude");
    let out = without_terminal(&mut home.guard(&["approve", &req.id]));
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("cannot be approved"), "{}", stderr(&out));
    assert_eq!(home.store().get(&req.id).unwrap().state, State::Pending);
}

#[test]
fn pending_and_approve_neither_follow_nor_wait_on_what_is_planted_in_the_store() {
    let home = Home::new();
    let req = home.request();
    let store = home.path().join("state/guard/approvals");
    let fifo = nix::sys::stat::Mode::from_bits_truncate(0o600);
    nix::unistd::mkfifo(&store.join("requests/0000f1f0.json"), fifo).unwrap();
    let outside = home.path().join("outside.json");
    let mut copy: serde_json::Value =
        serde_json::from_slice(&std::fs::read(store.join(format!("requests/{}.json", req.id))).unwrap()).unwrap();
    copy["id"] = "0000abcd".into();
    std::fs::write(&outside, serde_json::to_vec(&copy).unwrap()).unwrap();
    std::os::unix::fs::symlink(&outside, store.join("requests/0000abcd.json")).unwrap();
    // In the root too, where decisions go: a FIFO and a link in place of the request's decision.
    nix::unistd::mkfifo(&store.join("0000f1f0.json"), fifo).unwrap();
    std::os::unix::fs::symlink(&outside, store.join("0000abcd.json")).unwrap();

    let limit = Duration::from_secs(20);
    let run = |args: &[&str]| {
        let mut cmd = home.guard(args);
        sandbox::without_terminal(&mut cmd);
        sandbox::finish_within(cmd, b"", limit).unwrap_or_else(|| panic!("guard {args:?} hangs"))
    };
    let out = run(&["pending", "--json"]);
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let ids: Vec<&str> = list.as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(ids, [req.id.as_str()], "{}", stderr(&out));
    for id in ["0000f1f0", "0000abcd"] {
        let out = run(&["approve", id]);
        assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
        assert!(stderr(&out).contains("there is no request"), "{}", stderr(&out));
    }

    // Judging a request reads where it runs, which is the requester's: a FIFO as its policy
    // file or as its repository's HEAD stalls nothing.
    let proj = home.path().join("proj");
    std::fs::create_dir_all(proj.join(".git")).unwrap();
    nix::unistd::mkfifo(&proj.join(".guard.yaml"), fifo).unwrap();
    nix::unistd::mkfifo(&proj.join(".git/HEAD"), fifo).unwrap();
    let req = home.request_saying("git push --force", proj.to_str().unwrap(), &[], &[], "claude");
    let out = run(&["pending"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("git push --force"), "{}", stderr(&out));
    let out = run(&["approve", &req.id]);
    assert!(stderr(&out).contains("needs you at a terminal"), "{}", stderr(&out));
}
