//! Programs that run shell text in a session of their own, now or later: `screen`, `tmux`,
//! `script`, `at`/`batch`.

use super::getopt::{permuted, scan_spec};
use super::knowledge::{AT, SCREEN, SCRIPT, TMUX, TMUX_RUNS};
use super::shells::stdin_code;
use super::words::join_words;
use super::{login_shell, run, shell_code, wrapper, Chdir, Derived, Stdin, VarScope};
use crate::plan::{Code, CodeSource, Span, Via, Word};

/// `screen -dm CMD ARGS`: a detached session running CMD (with no command, a shell).
pub(super) fn screen(name: &str, args: &[Word], span: Span) -> Vec<Derived> {
    // Whole-word options that run nothing: listing, reattaching, wiping, a version.
    let lists = |a: &Word| matches!(a.as_literal(), Some("-ls" | "-list" | "-wipe" | "-version" | "-v"));
    if args.iter().any(lists) {
        return Vec::new();
    }
    let s = scan_spec(args, &SCREEN);
    if s.has(&["r", "R", "x", "Q", "X"]) {
        return Vec::new();
    }
    match s.operand {
        Some(i) => run(&args[i..], wrapper(name)),
        None => run(&[login_shell(span, "screen with no command starts a shell")], wrapper(name)),
    }
}

/// `at`/`batch` read the commands to run later on stdin (or `-f FILE`).
pub(super) fn at(name: &str, args: &[Word], stdin: &Stdin) -> Vec<Derived> {
    let s = scan_spec(args, &AT);
    if s.has(&["l", "d", "r", "c", "V"]) {
        return Vec::new();
    }
    match s.value(&["f"]) {
        Some(file) => {
            let code = Code { language: "sh".into(), source: CodeSource::File, text: file.clone(), read: None };
            vec![Derived::Code { code, parse: None, chdir: Chdir::Stay, decoded: None }]
        }
        None => stdin_code("sh", stdin, Some(name)),
    }
}

pub(super) fn script(name: &str, args: &[Word], span: Span, stdin: &Stdin) -> Vec<Derived> {
    let spec = SCRIPT;
    // util-linux script takes its options anywhere (`script -q /dev/null -c CODE`).
    let (s, _) = permuted(args, &spec);
    if s.has(&["h", "help", "V", "version"]) {
        return Vec::new();
    }
    match s.value(&["c", "command"]) {
        Some(code) => shell_code("sh", code.clone(), Via::ShellString { shell: "script".into() }, VarScope::Fresh),
        // Without a command it starts the user's shell, which reads script's stdin.
        None => {
            let mut out = run(&[login_shell(span, "script with no command starts the user's shell")], wrapper(name));
            out.extend(stdin_code("sh", stdin, Some("script")));
            out
        }
    }
}

/// tmux subcommands that run shell text: `new-session`/`new`, `new-window`/`neww`,
/// `split-window`/`splitw`, `respawn-pane`, `run-shell`/`run`; the text is their last operand
/// (tmux hands it to a shell). `send-keys` types into a pane: what it types is unknown code.
pub(super) fn tmux(args: &[Word], span: Span) -> Vec<Derived> {
    let s = scan_spec(args, &TMUX);
    // `tmux -c CMD` runs CMD with the default shell, as a login shell would.
    if let Some(code) = s.value(&["c"]) {
        return shell_code("sh", code.clone(), Via::ShellString { shell: "tmux".into() }, VarScope::Fresh);
    }
    let Some(i) = s.operand else { return Vec::new() };
    let rest = &args[i..];
    let sub = rest.first().and_then(Word::as_literal).unwrap_or("");
    let runs = matches!(
        sub,
        "new-session"
            | "new"
            | "new-window"
            | "neww"
            | "split-window"
            | "splitw"
            | "respawn-pane"
            | "respawnp"
            | "respawn-window"
            | "respawnw"
            | "run-shell"
            | "run"
            | "display-popup"
            | "popup"
    );
    if runs {
        // Options with a value, then the command (all remaining words, joined as tmux does).
        let o = scan_spec(&rest[1..], &TMUX_RUNS);
        return match o.operand {
            Some(j) => shell_code(
                "sh",
                join_words(&rest[1 + j..], " ", span),
                Via::ShellString { shell: "tmux".into() },
                VarScope::Fresh,
            ),
            None => Vec::new(),
        };
    }
    if matches!(sub, "send-keys" | "send") && rest.len() > 1 {
        let code = Code {
            language: "sh".into(),
            source: CodeSource::Argument,
            text: Word::unknown("keys", "keys typed into a terminal pane, to whatever runs there", span),
            read: None,
        };
        return vec![Derived::Code { code, parse: None, chdir: Chdir::Stay, decoded: None }];
    }
    Vec::new()
}

#[cfg(test)]
mod tests {
    use crate::shell::testing::{code, runs};

    #[test]
    fn shell_text_run_in_a_session_is_read() {
        for (text, want) in [
            ("screen -dmS s rm x", vec!["screen -dmS s rm x", "rm x @run by screen"]),
            ("screen -ls", vec!["screen -ls"]),
            ("tmux new-session -d 'rm x'", vec!["tmux new-session -d 'rm x'", "rm x @tmux -c"]),
            ("tmux -c 'rm x'", vec!["tmux -c 'rm x'", "rm x @tmux -c"]),
            ("script -q /dev/null -c 'rm x'", vec!["script -q /dev/null -c 'rm x'", "rm x @script -c"]),
            ("at now <<< 'rm x'", vec!["at now", "rm x @heredoc to at"]),
        ] {
            assert_eq!(runs(text), want, "{text}");
        }
    }

    /// Keys typed into a pane, and a job file, are code guard does not see.
    #[test]
    fn what_cannot_be_read_is_code_of_its_own() {
        for (text, want) in [
            ("tmux send-keys 'rm x' Enter", vec!["tmux sh Argument ‹keys›"]),
            ("at -f job.sh now", vec!["at sh File job.sh"]),
        ] {
            assert_eq!(code(text), want, "{text}");
        }
    }
}
