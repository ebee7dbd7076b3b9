//! guard as Claude Code's `CLAUDE_CODE_SHELL_PREFIX`, run the way Claude Code runs it: `bash -c
//! "'PREFIX' 'STRING'"` (or `'guard' -c 'STRING'` for a prefix with a flag), where STRING is Claude
//! Code's wrapper — its shell snapshot sourced, extglob off, the model's command `eval`'d, the final
//! directory written to a fresh `$TMPDIR/claude-XXXX-cwd`. HOME, TMPDIR, the XDG directories and
//! the working directory are in a fresh temporary directory.

#![allow(clippy::unwrap_used)] // a test fails loudly on what it did not expect

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use guard::approval::Store;

mod sandbox;
use sandbox::{describe, text, Sandbox, GUARD};

/// A word as Claude Code quotes it (`Qa` in its code): plain, or in single quotes with `'"'"'`.
fn qa(s: &str) -> String {
    if !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || "_./:=@+,-".contains(c)) {
        return s.to_string();
    }
    format!("'{}'", s.replace('\'', r#"'"'"'"#))
}

struct Claude {
    sandbox: Sandbox,
}

impl Claude {
    fn new() -> Claude {
        let sandbox = Sandbox::new();
        let snapshots = sandbox.home().join(".claude/shell-snapshots");
        std::fs::create_dir_all(&snapshots).unwrap();
        std::fs::create_dir_all(sandbox.home().join("tmp")).unwrap();
        std::fs::write(snapshots.join("snapshot-bash-1764745000000-a1b2c3.sh"), "export FROM_SNAPSHOT=loaded\n")
            .unwrap();
        Claude { sandbox }
    }

    fn home(&self) -> &Path {
        self.sandbox.home()
    }

    fn cwd_file(&self, id: &str) -> PathBuf {
        self.home().join(format!("tmp/claude-{id}-cwd"))
    }

    /// The string Claude Code hands its prefix for `command`, as its bash provider builds it.
    fn wrapper(&self, command: &str, id: &str) -> String {
        let snapshot = self.home().join(".claude/shell-snapshots/snapshot-bash-1764745000000-a1b2c3.sh");
        format!(
            "source {} 2>/dev/null || true && {{ shopt -u extglob || setopt NO_EXTENDED_GLOB NO_BARE_GLOB_QUAL; }} \
             >/dev/null 2>&1 || true && eval {} < /dev/null && pwd -P >| {}",
            qa(&snapshot.to_string_lossy()),
            qa(command),
            qa(&self.cwd_file(id).to_string_lossy())
        )
    }

    /// `bash -c "'guard' 'STRING'"`, or with `flag` `'guard' FLAG 'STRING'`, with Claude Code's
    /// variables and its temporary directory, and no terminal.
    fn run(&self, string: &str, flag: Option<&str>) -> Output {
        let line = match flag {
            Some(f) => format!("{} {f} {}", qa(GUARD), qa(string)),
            None => format!("{} {}", qa(GUARD), qa(string)),
        };
        let mut cmd = self.sandbox.command("bash");
        cmd.args(["-c", &line])
            .env("CLAUDECODE", "1")
            .env("CLAUDE_CODE_SHELL_PREFIX", GUARD)
            .env("TMPDIR", self.home().join("tmp"));
        sandbox::without_terminal(&mut cmd).output().unwrap()
    }

    fn audit(&self) -> Vec<serde_json::Value> {
        let log = std::fs::read_to_string(self.sandbox.log()).unwrap_or_default();
        log.lines().map(|l| serde_json::from_str(l).unwrap()).collect()
    }
}

#[test]
fn the_wrapper_runs_whole_and_the_models_command_is_what_is_judged() {
    let c = Claude::new();
    for (flag, id) in [(None, "3f9a"), (Some("-c"), "0b1c")] {
        let command = r#"echo "it's $FROM_SNAPSHOT" | cat"#;
        let out = c.run(&c.wrapper(command, id), flag);
        assert_eq!(out.status.code(), Some(0), "{flag:?}: {}", describe(&out));
        assert_eq!(text(&out.stdout), "it's loaded\n", "{flag:?}: the snapshot was sourced and the command ran");
        // Claude Code's part ran too: the directory file holds the working directory.
        let cwd = std::fs::read_to_string(c.cwd_file(id)).unwrap();
        assert_eq!(cwd.trim_end(), c.sandbox.work().canonicalize().unwrap().to_string_lossy(), "{flag:?}");
        let last = c.audit().pop().unwrap();
        assert_eq!(last["command"], command, "{flag:?}: the audit names the model's command, not the wrapper");
        assert_eq!(last["agent"], "claude");
    }
}

#[test]
fn a_refusal_shows_the_models_command_not_the_wrapper() {
    let c = Claude::new();
    std::fs::write(c.home().join("keep"), "").unwrap();
    let out = c.run(&c.wrapper("rm -rf ~", "ab12"), None);
    assert_eq!(out.status.code(), Some(126), "{}", describe(&out));
    let err = text(&out.stderr);
    assert!(err.contains("rm -rf ~"), "{err}");
    assert!(err.contains("critical.breaker"), "{err}");
    assert!(!err.contains("shell-snapshots") && !err.contains("claude-ab12-cwd"), "the wrapper is not shown: {err}");
    assert!(c.home().join("keep").exists(), "nothing was removed");
    assert!(!c.cwd_file("ab12").exists(), "nothing of the wrapper ran either");
    assert_eq!(c.audit().pop().unwrap()["command"], "rm -rf ~");
}

/// A command that needs approval is refused with a request; once approved, Claude Code's retry —
/// the same command in a wrapper naming another directory file — runs.
#[test]
fn an_approval_matches_the_retry_whatever_its_directory_file() {
    let c = Claude::new();
    // Asked about by the built-in policy, and harmless here: there is no repository to push.
    let command = "git push --force origin feature";
    let out = c.run(&c.wrapper(command, "1111"), None);
    assert_eq!(out.status.code(), Some(126), "{}", describe(&out));
    let err = text(&out.stderr);
    let store = Store::open_dir(&c.home().join("state/guard/approvals"), Duration::from_secs(600)).unwrap();
    let pending = store.pending().unwrap();
    assert_eq!(pending.len(), 1, "{err}");
    assert_eq!(pending[0].command, command, "the request is for the model's command");
    assert!(err.contains(&pending[0].id), "the refusal names the request: {err}");
    assert!(!c.cwd_file("1111").exists());

    store.approve(&pending[0].id, "tester").unwrap();
    let out = c.run(&c.wrapper(command, "2222"), None);
    assert_ne!(out.status.code(), Some(126), "the approved retry ran: {}", describe(&out));
    assert!(text(&out.stderr).contains("not a git repository"), "{}", describe(&out));
    let last = c.audit().pop().unwrap();
    assert_eq!((last["command"].as_str(), last["approval_id"].as_str()), (Some(command), Some(pending[0].id.as_str())));
    let cwd = c.sandbox.work().to_string_lossy().into_owned();
    assert_eq!(store.consume(command, &cwd).unwrap(), None, "the approval was used up");
    let out = c.run(&c.wrapper(command, "3333"), None);
    assert_eq!(out.status.code(), Some(126), "and counts once: {}", describe(&out));
}

/// Text that only looks like the wrapper is judged as written, every part of it.
#[test]
fn a_look_alike_wrapper_hides_nothing() {
    let c = Claude::new();
    std::fs::write(c.home().join("keep"), "").unwrap();
    let outside = c.home().join("tmp/snapshot-bash-1-a.sh");
    std::fs::write(&outside, "").unwrap();
    let cases = [
        ("a command after the directory file", format!("{} && rm -rf ~", c.wrapper("true", "aaaa"))),
        (
            "a snapshot outside Claude Code's directory",
            c.wrapper("true", "bbbb").replace(
                &qa(&c.home().join(".claude/shell-snapshots/snapshot-bash-1764745000000-a1b2c3.sh").to_string_lossy()),
                &qa(&outside.to_string_lossy()),
            ) + "; rm -rf ~",
        ),
        ("the directory written elsewhere", c.wrapper("true", "cccc").replace("claude-cccc-cwd", "x") + "\nrm -rf ~"),
    ];
    for (what, string) in cases {
        let out = c.run(&string, None);
        assert_eq!(out.status.code(), Some(126), "{what}: {}", describe(&out));
        assert!(text(&out.stderr).contains("critical.breaker"), "{what}: {}", describe(&out));
        assert!(c.home().join("keep").exists(), "{what}");
        assert_eq!(c.audit().pop().unwrap()["command"], string.as_str(), "{what}: judged whole");
    }
}

/// Claude Code starts hook commands and MCP servers the same way: `PREFIX 'COMMAND LINE'`.
#[test]
fn a_lone_command_line_runs_as_a_command() {
    let c = Claude::new();
    let out = c.run("echo mcp server started", None);
    assert_eq!(
        (out.status.code(), text(&out.stdout).as_str()),
        (Some(0), "mcp server started\n"),
        "{}",
        describe(&out)
    );
    // A script is still a script, and a typo is still a typo.
    sandbox::write_executable(&c.sandbox.work().join("run me.sh"), "echo from the script\n");
    let out = c.run("run me.sh", None);
    assert_eq!(text(&out.stdout), "from the script\n", "{}", describe(&out));
    let out = Command::new(GUARD).arg("chek").output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
}
