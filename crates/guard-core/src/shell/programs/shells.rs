//! Shells given code: `bash -c`, a script, stdin (a heredoc, a pipe, `/dev/stdin`), `eval`,
//! `source`, `trap`, `ssh HOST CMD`. The code is handed back to be parsed as shell, with how
//! it is reached and whose variables it sees.

use super::getopt::scan_spec;
use super::knowledge::{SHELLS, SSH};
use super::output::{pipeline_text, shell_text};
use super::words::join_words;
use super::{shell_code, Chdir, Derived, Stdin, VarScope};
use crate::plan::{Code, CodeSource, Invocation, Span, Value, Via, Word};

/// Whether `name` (a program name, not a path) is a shell guard reads code for: `sh`, `bash`,
/// `zsh`, `dash`, …
pub fn is_shell(name: &str) -> bool {
    SHELLS.contains(&name)
}

pub(super) fn shell(
    name: &str,
    lang: &str,
    args: &[Word],
    stdin: &Stdin,
    inv: &Invocation,
    here: &Here,
) -> Vec<Derived> {
    let mut i = 0;
    let mut has_c = false;
    let mut read_stdin = false;
    while i < args.len() {
        let t = args[i].known_prefix();
        match t {
            "--" | "-" => {
                i += 1;
                break;
            }
            "--rcfile" | "--init-file" => i += 2,
            _ if t.starts_with("--") => i += 1,
            _ if (t.starts_with('-') || t.starts_with('+')) && t.len() > 1 => {
                has_c |= t[1..].contains('c');
                read_stdin |= t[1..].contains('s');
                // Each `o` or `O` in a cluster takes the next argument (`-eo pipefail`,
                // `-co pipefail CODE`); every other letter is a flag (`-C` is noclobber).
                i += 1 + t[1..].chars().filter(|c| matches!(c, 'o' | 'O')).count();
            }
            _ => break,
        }
    }
    if has_c {
        return match args.get(i) {
            Some(code) => shell_code(lang, code.clone(), Via::ShellString { shell: name.into() }, VarScope::Fresh),
            None => Vec::new(),
        };
    }
    if let (Some(file), false) = (args.get(i), read_stdin) {
        // A script that names the shell's own stdin (`bash /dev/stdin <<<CODE`) is that code.
        if let Some(fd) = names_descriptor(file, here) {
            return descriptor_code(name, lang, inv, fd, stdin, VarScope::Fresh);
        }
        let code = Code { language: lang.into(), source: CodeSource::File, text: file.clone(), read: None };
        return match procsub_output(file) {
            Some((text, decoded)) => vec![Derived::Code {
                code: Code { text, ..code },
                parse: Some((Via::ShellString { shell: name.into() }, VarScope::Fresh)),
                chdir: Chdir::Stay,
                decoded,
            }],
            None => vec![Derived::Code { code, parse: None, chdir: Chdir::Stay, decoded: None }],
        };
    }
    stdin_code(lang, stdin, Some(name))
}

pub(super) fn stdin_code(lang: &str, stdin: &Stdin, shell: Option<&str>) -> Vec<Derived> {
    match stdin {
        Stdin::Inherited => Vec::new(),
        Stdin::Text { text, .. } if !shell_text(text) => {
            stdin_code(lang, &Stdin::From("text with a NUL byte, which shells read each their own way".into()), shell)
        }
        Stdin::Text { text, piped, decoded } => {
            let parse = shell.map(|s| {
                let via =
                    if *piped { Via::PipeToShell { shell: s.into() } } else { Via::HeredocToShell { shell: s.into() } };
                (via, VarScope::Fresh)
            });
            vec![Derived::Code {
                code: Code { language: lang.into(), source: CodeSource::Stdin, text: text.clone(), read: None },
                parse,
                chdir: Chdir::Stay,
                decoded: decoded.clone(),
            }]
        }
        Stdin::From(what) => vec![Derived::Code {
            code: Code {
                language: lang.into(),
                source: CodeSource::Stdin,
                text: Word::unknown(what.clone(), "code read from stdin at run time", Span::default()),
                read: None,
            },
            parse: None,
            chdir: Chdir::Stay,
            decoded: None,
        }],
    }
}

/// Where a command runs, for reading the paths it is given: every directory guard can name
/// (absolute), and whether it may run somewhere else.
#[derive(Debug, Clone, Default)]
pub(crate) struct Here {
    pub(crate) dirs: Vec<String>,
    pub(crate) unknown: bool,
}

/// The descriptor an absolute path opens when it is one of the process's own: `/dev/stdin`,
/// `/dev/fd/N`, `/proc/self/fd/N`.
fn descriptor_path(abs: &str) -> Option<u32> {
    match abs {
        "/dev/stdin" => return Some(0),
        "/dev/stdout" => return Some(1),
        "/dev/stderr" => return Some(2),
        _ => {}
    }
    ["/dev/fd/", "/proc/self/fd/", "/proc/thread-self/fd/"]
        .iter()
        .find_map(|p| abs.strip_prefix(p))
        .and_then(|n| n.parse().ok())
}

/// The descriptor a script operand names when it is one of the shell's own open files
/// (`bash /dev/stdin`, `source /dev/fd/0`, `sh ../../dev/stdin`). A relative path is read from
/// each directory the command may run in; from a directory guard cannot name, any path
/// ending in `stdin` or `fd/N` may be one.
pub(crate) fn names_descriptor(file: &Word, here: &Here) -> Option<u32> {
    let path = file.as_literal()?;
    if path.starts_with('/') {
        return descriptor_path(&crate::shell::normalize_path(path));
    }
    for d in &here.dirs {
        if let Some(fd) = descriptor_path(&crate::shell::normalize_path(&format!("{d}/{path}"))) {
            return Some(fd);
        }
    }
    if !here.unknown {
        return None;
    }
    let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty() && *p != ".").collect();
    match parts.as_slice() {
        [.., "stdin"] => Some(0),
        [.., "stdout"] => Some(1),
        [.., "stderr"] => Some(2),
        [.., "fd", n] => n.parse().ok(),
        _ => None,
    }
}

/// Code read from descriptor `fd` by `name`: standard input for 0, else what the command's
/// own redirection of that descriptor holds (`bash /dev/fd/3 3<<<CODE`).
pub(super) fn descriptor_code(
    name: &str,
    lang: &str,
    inv: &Invocation,
    fd: u32,
    stdin: &Stdin,
    scope: VarScope,
) -> Vec<Derived> {
    let from = if fd == 0 {
        stdin.clone()
    } else {
        match inv.redirects.iter().rev().find(|r| r.fd == Some(fd)) {
            Some(r) if r.stdin_text().is_some() => Stdin::Text { text: r.target.clone(), piped: false, decoded: None },
            Some(r) => Stdin::From(format!("descriptor {fd} ({}{})", r.op.symbol(), r.target.display())),
            None => Stdin::From(format!("descriptor {fd}, as guard's caller left it")),
        }
    };
    let mut out = stdin_code(lang, &from, Some(name));
    for d in &mut out {
        if let Derived::Code { parse: Some((_, s)), .. } = d {
            *s = scope;
        }
    }
    if out.is_empty() && scope == VarScope::Shared {
        // `source /dev/stdin` reading guard's caller's stdin: code guard cannot see.
        out.push(Derived::Code {
            code: Code {
                language: lang.into(),
                source: CodeSource::Stdin,
                text: Word::unknown("stdin", "code read from the caller's stdin at run time", inv.span),
                read: None,
            },
            parse: None,
            chdir: Chdir::Stay,
            decoded: None,
        });
    }
    out
}

pub(super) fn ssh(args: &[Word], span: Span) -> Vec<Derived> {
    let s = scan_spec(args, &SSH);
    let Some(i) = s.operand else { return Vec::new() };
    let host = args[i].display();
    // ssh reads options right after the destination too (`ssh host -t cmd`).
    let Some(k) = scan_spec(&args[i + 1..], &SSH).operand else { return Vec::new() };
    shell_code("sh", join_words(&args[i + 1 + k..], " ", span), Via::Remote { host }, VarScope::Remote)
}

pub(super) fn eval(args: &[Word], span: Span) -> Vec<Derived> {
    // bash's eval takes no options but accepts `--` before the code.
    let args = if args.first().and_then(|a| a.as_literal()) == Some("--") { &args[1..] } else { args };
    if args.is_empty() {
        return Vec::new();
    }
    shell_code("bash", join_words(args, " ", span), Via::Eval, VarScope::Shared)
}

pub(super) fn source(name: &str, args: &[Word], stdin: &Stdin, inv: &Invocation, here: &Here) -> Vec<Derived> {
    let args = if args.first().and_then(|a| a.as_literal()) == Some("--") { &args[1..] } else { args };
    let Some(file) = args.first() else { return Vec::new() };
    if let Some(fd) = names_descriptor(file, here) {
        return descriptor_code(name, "bash", inv, fd, stdin, VarScope::Shared);
    }
    let code = Code { language: "bash".into(), source: CodeSource::File, text: file.clone(), read: None };
    match procsub_output(file) {
        Some((text, decoded)) => vec![Derived::Code {
            code: Code { text, ..code },
            parse: Some((Via::Source, VarScope::Shared)),
            chdir: Chdir::Stay,
            decoded,
        }],
        None => vec![Derived::Code { code, parse: None, chdir: Chdir::Stay, decoded: None }],
    }
}

pub(super) fn trap(args: &[Word]) -> Vec<Derived> {
    let ops: Vec<&Word> = args.iter().skip_while(|a| matches!(a.as_literal(), Some("--"))).collect();
    match ops.as_slice() {
        [code, _signal, ..] if !matches!(code.as_literal(), Some("-" | "-p" | "-l" | "-P")) => {
            shell_code("bash", (*code).clone(), Via::Trap, VarScope::Shared)
        }
        _ => Vec::new(),
    }
}

/// When `file` is a process substitution (`<(echo …)`) whose commands print literal text,
/// possibly decoded on the way (`<(echo … | base64 -d)`), that text and the decoders.
fn procsub_output(file: &Word) -> Option<(Word, Option<String>)> {
    let (what, _) = file.unknown_reason()?;
    if !what.starts_with("<(") || file.known_prefix() != "" || matches!(&file.value, Value::Dynamic(p) if p.len() != 1)
    {
        return None;
    }
    // The substitution's own commands are walked after this one; its text is re-read here.
    let body = what.strip_prefix("<(")?.strip_suffix(')')?;
    pipeline_text(body, file.span)
}

#[cfg(test)]
mod tests {
    use crate::shell::testing::{code, cwds, runs};

    #[test]
    fn shell_code_is_read_as_shell() {
        for (text, want) in [
            ("bash -c 'rm x'", vec!["bash -c 'rm x'", "rm x @bash -c"]),
            ("sh -eo pipefail -c 'rm x'", vec!["sh -eo pipefail -c 'rm x'", "rm x @sh -c"]),
            ("bash /dev/stdin <<< 'rm x'", vec!["bash /dev/stdin", "rm x @heredoc to bash"]),
            ("eval -- rm x", vec!["eval -- rm x", "rm x @eval"]),
            ("source <(echo rm x)", vec!["source '‹<(echo rm x)›'", "rm x @source", "echo rm x @<(…)"]),
            ("trap 'rm x' EXIT", vec!["trap 'rm x' EXIT", "rm x @trap handler"]),
            ("trap - EXIT", vec!["trap - EXIT"]),
            ("ssh -p 22 host 'rm x'", vec!["ssh -p 22 host 'rm x'", "rm x @ssh host"]),
            ("ssh host -t -- rm x", vec!["ssh host -t -- rm x", "rm x @ssh host"]),
        ] {
            assert_eq!(runs(text), want, "{text}");
        }
    }

    #[test]
    fn a_script_guard_cannot_read_is_code_from_a_file() {
        for (text, want) in [
            ("bash script.sh", vec!["bash bash File script.sh"]),
            ("source ./env.sh", vec!["source bash File ./env.sh"]),
        ] {
            assert_eq!(code(text), want, "{text}");
        }
    }

    #[test]
    fn code_on_another_machine_runs_somewhere_unknown() {
        for (text, want) in [
            ("ssh host rm x", vec!["ssh /work/proj", "rm /work/proj|?"]),
            ("bash -c 'rm x'", vec!["bash /work/proj", "rm /work/proj"]),
        ] {
            assert_eq!(cwds(text), want, "{text}");
        }
    }
}
