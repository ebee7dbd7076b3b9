//! guard inside a command (`guard -c …`, `guard -- cmd`, `guard hook HOST`) is a wrapper: what
//! it would run is judged here, whatever the nested guard would make of it.

use super::knowledge::{GUARD_FLAGS, GUARD_SUBCOMMANDS, GUARD_VALUED};
use super::shells::{shell, stdin_code, Here};
use super::{run, shell_code, wrapper, Chdir, Derived, Stdin, VarScope};
use crate::plan::{Code, CodeSource, Invocation, Via, Word};

/// How many leading `words` are guard's own options, and whether `--dry-run` is among them. A
/// word only known at run time (`None`) ends them: it is left for the shell's reading, which
/// finds any `-c` after it.
pub fn guard_options(words: &[Option<&str>]) -> (usize, bool) {
    let (mut i, mut dry_run) = (0, false);
    while let Some(Some(t)) = words.get(i) {
        if GUARD_FLAGS.contains(t) {
            dry_run |= *t == "--dry-run";
            i += 1;
        } else if GUARD_VALUED.contains(t) {
            i += 2;
        } else if GUARD_VALUED.iter().any(|v| t.strip_prefix(v).is_some_and(|r| r.starts_with('='))) {
            i += 1;
        } else {
            break;
        }
    }
    (i.min(words.len()), dry_run)
}

/// guard's own ways of saying only what it is; like its subcommands but `hook`, they run
/// nothing (they judge, show, or change guard's own state, which rules see for themselves).
const GUARD_SAYS_ONLY: &[&str] = &["--help", "-h", "--version", "-V"];

/// `guard …` inside a command is a wrapper like `bash -c` or `sudo`: what it would run is judged
/// here, whatever the nested guard would make of it (its own options cannot loosen what the
/// guard judging this command decides).
pub(super) fn guard(args: &[Word], stdin: &Stdin, inv: &Invocation, here: &Here) -> Vec<Derived> {
    let words: Vec<Option<&str>> = args.iter().map(Word::as_literal).collect();
    let (i, dry_run) = guard_options(&words);
    let rest = &args[i..];
    if dry_run {
        return Vec::new();
    }
    match rest.first().and_then(Word::as_literal) {
        Some("--") => run(&rest[1..], wrapper("guard")),
        Some("hook") => hook_payload(stdin),
        // `guard once` runs a denied command after a person confirms it: what it would run is
        // judged here as it stands, so an override is never something a command can ask for.
        Some("once") => match rest.get(1).map(|w| (w, w.as_literal())) {
            Some((_, Some("--"))) => run(&rest[2..], wrapper("guard once")),
            Some((text, _)) => {
                shell_code("bash", text.clone(), Via::ShellString { shell: "guard once".into() }, VarScope::Fresh)
            }
            None => Vec::new(),
        },
        Some(sub) if GUARD_SUBCOMMANDS.contains(&sub) || GUARD_SAYS_ONLY.contains(&sub) => Vec::new(),
        // A lone operand holding white space is a command line (Claude Code's shell prefix calls
        // `guard 'STRING'`): guard runs it as `-c`. Were it a file's name, the guard started
        // would judge that file before running it.
        Some(line) if rest.len() == 1 && line.contains(char::is_whitespace) => {
            shell_code("bash", rest[0].clone(), Via::ShellString { shell: "guard".into() }, VarScope::Fresh)
        }
        _ => shell("guard", "bash", rest, stdin, inv, here),
    }
}

/// The command in an agent's hook JSON fed to `guard hook HOST` on stdin (`tool_input.command`,
/// or Cursor's `command`), judged as if it ran; unknown input is code of unknown content.
fn hook_payload(stdin: &Stdin) -> Vec<Derived> {
    let Stdin::Text { text, .. } = stdin else { return stdin_code("bash", stdin, None) };
    let command = text.as_literal().and_then(|t| {
        let v: serde_json::Value = serde_json::from_str(t).ok()?;
        let c = v.get("tool_input").and_then(|i| i.get("command")).or_else(|| v.get("command"))?;
        c.as_str().map(str::to_string)
    });
    match command {
        Some(c) => shell_code(
            "bash",
            Word::literal(&c, text.span),
            Via::ShellString { shell: "guard hook".into() },
            VarScope::Fresh,
        ),
        None => vec![Derived::Code {
            code: Code {
                language: "bash".into(),
                source: CodeSource::Stdin,
                text: Word::unknown("hook input", "a hook input guard could not read", text.span),
                read: None,
            },
            parse: None,
            chdir: Chdir::Stay,
            decoded: None,
        }],
    }
}

#[cfg(test)]
mod tests {
    use super::guard_options;
    use crate::shell::testing::runs;

    #[test]
    fn guards_own_options_come_first() {
        for (words, want) in [
            (vec![Some("--dry-run"), Some("-c"), Some("x")], (1, true)),
            (vec![Some("--policy"), Some("p.yaml"), Some("-c")], (2, false)),
            (vec![Some("--mode=observe"), None, Some("-c")], (1, false)),
            (vec![Some("-c"), Some("x")], (0, false)),
        ] {
            assert_eq!(guard_options(&words), want, "{words:?}");
        }
    }

    /// What a nested guard would run is judged here; a dry run or a subcommand that only judges runs nothing.
    #[test]
    fn guard_in_a_command_is_a_wrapper() {
        for (text, want) in [
            ("guard -c 'rm x'", vec!["guard -c 'rm x'", "rm x @guard -c"]),
            ("guard -- rm x", vec!["guard -- rm x", "rm x @run by guard"]),
            ("guard --policy p.yaml -c 'rm x'", vec!["guard --policy p.yaml -c 'rm x'", "rm x @guard -c"]),
            ("guard --dry-run -c 'rm x'", vec!["guard --dry-run -c 'rm x'"]),
            ("guard check 'rm x'", vec!["guard check 'rm x'"]),
            ("guard 'rm x'", vec!["guard 'rm x'", "rm x @guard -c"]),
            ("guard once 'rm x'", vec!["guard once 'rm x'", "rm x @guard once -c"]),
            ("guard once -- rm x", vec!["guard once -- rm x", "rm x @run by guard once"]),
            (
                r#"guard 'eval '"'"'rm x'"'"' && pwd -P >| /tmp/claude-3f9a-cwd'"#,
                vec![
                    "guard 'eval 'rm x' && pwd -P >| /tmp/claude-3f9a-cwd'",
                    "eval 'rm x' @guard -c",
                    "rm x @guard -c > eval",
                    "pwd -P @guard -c",
                ],
            ),
        ] {
            assert_eq!(runs(text), want, "{text}");
        }
    }
}
