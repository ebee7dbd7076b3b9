//! Builtins that change what later words mean: `cd`/`pushd`/`popd` move the shell, `read` and
//! friends set variables, `alias` defines aliases, `set -e` stops at a failed `cd`, `hash -p`
//! makes a name run another program.

use super::{Builder, Ctx};
use crate::plan::*;
use crate::shell::cwd::{self, Target};
use crate::shell::lexer;

/// The words of a builtin run through `builtin`, `command` or `time` (`command cd /x` moves
/// the shell as `cd /x` does); `command -v cd` runs nothing.
fn builtin_words(inv: &Invocation) -> Vec<&Word> {
    let mut words: Vec<&Word> = inv.argv().collect();
    loop {
        match words.first().and_then(|w| w.as_literal()) {
            Some("builtin") => {
                words.remove(0);
            }
            Some("command" | "time") => {
                words.remove(0);
                while matches!(words.first().and_then(|w| w.as_literal()), Some("-p" | "--")) {
                    words.remove(0);
                }
                if words.first().is_some_and(|w| w.known_prefix().starts_with('-')) {
                    return Vec::new();
                }
            }
            _ => return words,
        }
    }
}

/// The flags and the operands of a builtin's arguments (`cd -P dir`, `pushd -n dir`). A word
/// after `--` is an operand; so is `-` alone, and `+N`/`-N` (stack positions).
fn split_options(args: &[Word], known: &str) -> (Vec<char>, Vec<Word>) {
    let mut flags = Vec::new();
    let mut i = 0;
    while let Some(a) = args.get(i) {
        let Some(t) = a.as_literal() else { break };
        if t == "--" {
            i += 1;
            break;
        }
        if t.len() < 2 || !t.starts_with('-') || t[1..].bytes().all(|b| b.is_ascii_digit()) {
            break;
        }
        flags.extend(t[1..].chars().filter(|c| known.contains(*c)));
        i += 1;
    }
    (flags, args[i.min(args.len())..].to_vec())
}

/// `+N` or `-N`: a position in the directory stack.
fn rotates(w: &Word) -> bool {
    w.as_literal().is_some_and(|t| {
        t.len() > 1 && (t.starts_with('+') || t.starts_with('-')) && t[1..].bytes().all(|b| b.is_ascii_digit())
    })
}

impl Builder<'_, '_> {
    /// Builtins that change what later words mean: `cd` moves the shell (and `$PWD`), `read`
    /// sets variables, `alias` defines aliases, `set -e` stops at a failed `cd`. `node` is the
    /// simple command's syntax node in text number `walk`.
    pub(super) fn note_builtin_effects(&mut self, id: usize, ctx: &Ctx, walk: usize, node: Option<usize>) {
        let inv = &self.plan.invocations[id];
        let words = builtin_words(inv);
        let Some(name) = words.first().and_then(|w| w.as_literal()) else { return };
        let args: Vec<Word> = words[1..].iter().map(|w| (*w).clone()).collect();
        match name {
            // `hash -p PATH NAME`: NAME now runs PATH, which guard does not follow.
            "hash"
                if args.iter().any(|a| {
                    a.as_literal().is_some_and(|t| !t.starts_with("--") && t.starts_with('-') && t.contains('p'))
                }) =>
            {
                let span = self.plan.invocations[id].span;
                self.issue(IssueKind::RunTime, span, "hash -p makes a name run another program".into());
            }
            "cd" => {
                let (_, operands) = split_options(&args, "");
                let targets = match operands.as_slice() {
                    [] => vec![self.vars.known("HOME").map(cwd::target).unwrap_or(Target::Unknown)],
                    [w] => match w.as_literal() {
                        // `cd ''` stays where it is.
                        Some("") => return,
                        Some("-") => vec![self.vars.known("OLDPWD").map(cwd::target).unwrap_or(Target::Unknown)],
                        Some(t) => self.cd_targets(t),
                        None => vec![Target::Unknown],
                    },
                    // `cd a b` fails: too many arguments.
                    _ => return,
                };
                let cannot_fail = match operands.first().and_then(|w| w.as_literal()) {
                    Some(t) => cwd::cannot_fail(t),
                    None => false,
                };
                let success = self.state.cwd.change(&targets, false, self.start());
                self.move_to(success, cannot_fail, ctx, walk, node);
            }
            "pushd" => {
                let (flags, operands) = split_options(&args, "n");
                if operands.iter().any(rotates) {
                    self.lost_track(ctx);
                    return;
                }
                let no_cd = flags.contains(&'n');
                match (operands.as_slice(), no_cd) {
                    // `pushd` swaps the top two directories.
                    ([], _) => {
                        if let Some(top) = self.state.stack.pop() {
                            let here = self.state.cwd.clone();
                            self.state.stack.push(here);
                            self.move_to(top, false, ctx, walk, node);
                        }
                    }
                    ([w], no_cd) => {
                        let targets = match w.as_literal() {
                            Some(t) => self.cd_targets(t),
                            None => vec![Target::Unknown],
                        };
                        let success = self.state.cwd.change(&targets, false, self.start());
                        if no_cd {
                            // `pushd -n DIR` only adds DIR under the top of the stack.
                            self.state.stack.push(success);
                        } else {
                            let here = self.state.cwd.clone();
                            self.state.stack.push(here);
                            let cannot_fail = w.as_literal().is_some_and(cwd::cannot_fail);
                            self.move_to(success, cannot_fail, ctx, walk, node);
                        }
                    }
                    _ => {}
                }
            }
            "popd" => {
                let (flags, operands) = split_options(&args, "n");
                if operands.iter().any(rotates) {
                    self.lost_track(ctx);
                    return;
                }
                if flags.contains(&'n') {
                    self.state.stack.pop();
                    return;
                }
                match self.state.stack.pop() {
                    Some(top) => self.move_to(top, false, ctx, walk, node),
                    // Past what the text pushed: the shell's own stack, which guard cannot see.
                    None => {
                        let success = self.state.cwd.change(&[Target::Unknown], false, self.start());
                        self.move_to(success, false, ctx, walk, node);
                    }
                }
            }
            "alias" => self.define_aliases(&args, ctx, inv.span),
            "unalias" if !ctx.uncertain => {
                for a in &args {
                    match a.as_literal() {
                        Some("-a") => self.aliases.clear(),
                        Some(n) => {
                            self.aliases.remove(n);
                        }
                        None => {}
                    }
                }
            }
            "set" if !ctx.uncertain => {
                let mut k = 0;
                while let Some(a) = args.get(k).and_then(|a| a.as_literal()) {
                    let on = a.starts_with('-');
                    if a == "--" || a == "-" || !(on || a.starts_with('+')) {
                        break;
                    }
                    if a[1..].contains('e') {
                        self.state.errexit = on;
                    }
                    if a[1..].contains('o') {
                        k += 1;
                        if args.get(k).and_then(|v| v.as_literal()) == Some("errexit") {
                            self.state.errexit = on;
                        }
                    }
                    k += 1;
                }
            }
            "read" | "mapfile" | "readarray" | "getopts" | "printf" | "let" => {
                let args: Vec<String> = args
                    .iter()
                    .filter_map(|a| a.as_literal())
                    .filter(|a| lexer::is_name(a))
                    .map(str::to_string)
                    .collect();
                for a in args {
                    self.vars.forget(&a, "set by a builtin at run time");
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::plan::IssueKind;
    use crate::shell::testing::{cwds, issues, runs};

    #[test]
    fn builtins_change_what_later_commands_mean() {
        for (text, want) in [
            ("cd /tmp; rm x", vec!["cd /work/proj", "rm /tmp|/work/proj"]),
            // With `set -e` a failed `cd` stops the shell: the command after it runs there.
            ("set -e; cd /x; rm y", vec!["set /work/proj", "cd /work/proj", "rm /x"]),
            ("command cd /x && rm y", vec!["command /work/proj", "cd /work/proj", "rm /x"]),
            ("cd; rm y", vec!["cd /work/proj", "rm /home/u|/work/proj"]),
            ("pushd /a; popd; rm z", vec!["pushd /work/proj", "popd /a|/work/proj", "rm /work/proj|/a"]),
        ] {
            assert_eq!(cwds(text), want, "{text}");
        }
        assert_eq!(runs("read a; rm $a"), ["read a", "rm ‹$a›"]);
    }

    #[test]
    fn hash_p_is_reported() {
        assert_eq!(issues("hash -p /bin/rm ls"), [IssueKind::RunTime]);
        assert_eq!(issues("hash -r"), []);
    }
}
