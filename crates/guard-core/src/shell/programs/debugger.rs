//! `gdb`: `--args PROG …` runs PROG; `-ex 'shell CMD'` (and `!CMD`, `pipe … | CMD`) runs
//! shell code.

use super::knowledge::GDB_VALUED;
use super::words::strip_word_prefix;
use super::{run_in, shell_code, with_chdir, wrapper, Chdir, Derived, VarScope};
use crate::plan::{Via, Word};

/// `gdb [OPTIONS] --args PROG ARG…` runs PROG; `-ex 'shell CMD'` (or `!CMD`, `pipe … | CMD`)
/// runs shell code. gdb reads long options with one dash or two.
pub(super) fn gdb(args: &[Word]) -> Vec<Derived> {
    let mut out = Vec::new();
    let mut chdir = Chdir::Stay;
    let mut i = 0;
    while let Some(a) = args.get(i) {
        let t = a.known_prefix();
        if matches!(t, "--args" | "-args") {
            out.extend(run_in(&args[i + 1..], wrapper("gdb"), chdir.clone()));
            break;
        }
        if !t.starts_with('-') || t == "-" || t == "--" {
            i += 1;
            continue;
        }
        let body = t.trim_start_matches('-');
        let (name, value, next) = match body.split_once('=') {
            Some((n, _)) => (n, Some(strip_word_prefix(a, t.len() - body.len() + n.len() + 1)), i + 1),
            None if GDB_VALUED.contains(&body) && !a.is_dynamic() => (body, args.get(i + 1).cloned(), i + 2),
            None => (body, None, i + 1),
        };
        match (name, value) {
            ("cd", Some(d)) => chdir = Chdir::To(d),
            ("ex" | "eval-command" | "iex" | "init-eval-command", Some(cmd)) => {
                if let Some(code) = gdb_shell_command(&cmd) {
                    out.extend(shell_code("sh", code, Via::ShellString { shell: "gdb".into() }, VarScope::Fresh));
                }
            }
            _ => {}
        }
        i = next;
    }
    with_chdir(out, &chdir)
}

/// The shell command in a gdb command: `shell CMD`, `!CMD`, `pipe GDBCMD | CMD`, `| GDBCMD | CMD`.
fn gdb_shell_command(cmd: &Word) -> Option<Word> {
    let text = cmd.known_prefix().trim_start();
    let skip = cmd.known_prefix().len() - text.len();
    if let Some(rest) = text.strip_prefix("shell").filter(|r| r.starts_with([' ', '\t'])) {
        return Some(strip_word_prefix(cmd, skip + text.len() - rest.trim_start().len()));
    }
    if let Some(rest) = text.strip_prefix('!') {
        return Some(strip_word_prefix(cmd, skip + text.len() - rest.trim_start().len()));
    }
    let piped = text.strip_prefix("pipe").filter(|r| r.starts_with([' ', '\t'])).or_else(|| text.strip_prefix('|'))?;
    let bar = piped.find('|')?;
    let after = &piped[bar + 1..];
    let at = skip + text.len() - after.trim_start().len();
    Some(strip_word_prefix(cmd, at))
}

#[cfg(test)]
mod tests {
    use crate::shell::testing::{cwds, runs};

    #[test]
    fn gdb_runs_its_program_and_shell_commands() {
        for (text, want) in [
            (
                "gdb -ex 'shell rm x' --args prog a",
                vec!["gdb -ex 'shell rm x' --args prog a", "rm x @gdb -c", "prog a @run by gdb"],
            ),
            ("gdb -batch -ex '!rm x'", vec!["gdb -batch -ex '!rm x'", "rm x @gdb -c"]),
            ("gdb -ex 'pipe bt | rm x'", vec!["gdb -ex 'pipe bt | rm x'", "rm x @gdb -c"]),
            ("gdb -ex bt prog", vec!["gdb -ex bt prog"]),
        ] {
            assert_eq!(runs(text), want, "{text}");
        }
    }

    #[test]
    fn gdb_cd_is_where_they_run() {
        for (text, want) in [
            ("gdb --cd=/srv -batch -ex '!rm x'", vec!["gdb /work/proj", "rm /srv"]),
            ("gdb -batch -ex '!rm x'", vec!["gdb /work/proj", "rm /work/proj"]),
        ] {
            assert_eq!(cwds(text), want, "{text}");
        }
    }
}
