//! `guard pending`, `guard approve`, `guard deny` with the real binary, in a fresh HOME. The
//! prompt is driven in a real pseudo-terminal, made the child's controlling terminal the way a
//! login does (new session, TIOCSCTTY), since the prompt reads `/dev/tty` and nothing else.

use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use guard::approval::{Request, RequestSummary, State, Store};

mod sandbox;

const CMD: &str = "git push --force origin main";

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
    assert!(text.contains("rules: git.force-push"), "{text}");

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
