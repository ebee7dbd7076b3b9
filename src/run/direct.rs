//! A lone plain command runs without starting the real shell. Given `-c 'git status'`, bash
//! would only exec `git` (and for `true`, `false` and `:` do nothing at all), so guard does that
//! itself and saves a shell start on the commands agents run most. "Plain" is deliberately
//! narrow: one command, words of ordinary characters or simple quotes, nothing bash would
//! expand, no redirection, no shell option or start-up file that could change what happens.
//! Anything else goes to the real shell as before. Pure, except [`resolve`] and [`environment`].

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};

use crate::host::Host;
use crate::plan::Plan;

/// What guard does instead of starting the shell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Direct {
    /// A builtin that only sets the exit status (`true`, `false`, `:`).
    Status(i32),
    /// An external program and its arguments, exactly as bash would pass them.
    Program(Vec<String>),
}

/// bash's builtins and reserved words: these never run a file of the same name.
const BASH_NAMES: &[&str] = &[
    ".",
    ":",
    "[",
    "alias",
    "bg",
    "bind",
    "break",
    "builtin",
    "caller",
    "cd",
    "command",
    "compgen",
    "complete",
    "compopt",
    "continue",
    "declare",
    "dirs",
    "disown",
    "echo",
    "enable",
    "eval",
    "exec",
    "exit",
    "export",
    "false",
    "fc",
    "fg",
    "getopts",
    "hash",
    "help",
    "history",
    "jobs",
    "kill",
    "let",
    "local",
    "logout",
    "mapfile",
    "popd",
    "printf",
    "pushd",
    "pwd",
    "read",
    "readarray",
    "readonly",
    "return",
    "set",
    "shift",
    "shopt",
    "source",
    "suspend",
    "test",
    "times",
    "trap",
    "true",
    "type",
    "typeset",
    "ulimit",
    "umask",
    "unalias",
    "unset",
    "wait",
    "if",
    "then",
    "else",
    "elif",
    "fi",
    "case",
    "esac",
    "for",
    "select",
    "while",
    "until",
    "do",
    "done",
    "in",
    "function",
    "time",
    "{",
    "}",
    "!",
    "[[",
    "]]",
    "coproc",
];

/// What to do for `text`, judged into `plan`, when it is a single plain command.
pub fn direct(text: &str, plan: &Plan) -> Option<Direct> {
    let words = plain_words(text)?;
    let first = words.first()?;
    // `NAME=value cmd` is an assignment, not a program.
    if first.contains('=') || !plan.issues.is_empty() || !plan.functions.is_empty() {
        return None;
    }
    // The parser must have read the same single command: a cross-check, not a second opinion.
    let [inv] = plan.invocations.as_slice() else { return None };
    let simple = inv.via.is_empty() && inv.redirects.is_empty() && inv.assignments.is_empty() && !inv.calls_function;
    let same = inv.argv().map(|w| w.as_literal()).eq(words.iter().map(|w| Some(w.as_str())));
    if !simple || !same || inv.argv().any(|w| w.glob) {
        return None;
    }
    match first.as_str() {
        "true" | ":" => Some(Direct::Status(0)),
        "false" => Some(Direct::Status(1)),
        name if BASH_NAMES.contains(&name) => None,
        _ => Some(Direct::Program(words)),
    }
}

/// The words of `text` when it is one command made only of ordinary characters, `'…'`, and
/// `"…"` without `$`, `` ` `` or `\` — text whose words bash passes on exactly as written.
pub fn plain_words(text: &str) -> Option<Vec<String>> {
    let ordinary = |c: char| c.is_ascii_alphanumeric() || "-_./:=@%+,".contains(c);
    let mut words = Vec::new();
    let mut word: Option<String> = None;
    let mut chars = text.trim_end_matches('\n').chars();
    while let Some(c) = chars.next() {
        match c {
            ' ' | '\t' => words.extend(word.take()),
            '\'' | '"' => {
                let w = word.get_or_insert_with(String::new);
                loop {
                    match chars.next()? {
                        q if q == c => break,
                        '$' | '`' | '\\' if c == '"' => return None,
                        inner => w.push(inner),
                    }
                }
            }
            c if ordinary(c) => word.get_or_insert_with(String::new).push(c),
            _ => return None,
        }
    }
    words.extend(word);
    (!words.is_empty()).then_some(words)
}

/// Whether bash started with `argv` (its arguments, `-c STRING` among them) would run a plain
/// command string as written: only options that cannot change that (`-e`, `-u`, pipefail, no
/// start-up files). `-l` and `-i` read start-up files; `-x`, `-v` print; others are left to bash.
pub fn plain_options(argv: &[String]) -> bool {
    let mut args = argv.iter();
    while let Some(a) = args.next() {
        match a.as_str() {
            "--norc" | "--noprofile" => {}
            "-o" => {
                if !matches!(args.next().map(String::as_str), Some("pipefail" | "errexit" | "nounset")) {
                    return false;
                }
            }
            a if a.starts_with('-') && a.len() > 1 && a[1..].chars().all(|c| "ceu".contains(c)) => {
                if a.contains('c') {
                    // The command string follows; what comes after it is $0, $1…, which a
                    // plain command does not read.
                    return args.next().is_some();
                }
            }
            _ => return false,
        }
    }
    false
}

/// Whether the environment lets bash start as a blank slate: no `BASH_ENV` start-up file, no
/// exported functions (which could shadow any program), no exported shell options.
pub fn plain_environment<'a>(vars: impl IntoIterator<Item = (&'a OsStr, &'a OsStr)>) -> bool {
    vars.into_iter().all(|(k, v)| {
        let k = k.to_string_lossy();
        !(k.starts_with("BASH_FUNC_") || k == "SHELLOPTS" || k == "BASHOPTS" || (k == "BASH_ENV" && !v.is_empty()))
    })
}

/// The file bash would run for `name`, when it would run one without complaint: a path as
/// given, else the first executable on PATH; and only a file the kernel runs itself (`#!` or
/// ELF), since bash runs other executables as scripts.
pub fn resolve(name: &str, path_var: Option<&std::ffi::OsStr>) -> Option<PathBuf> {
    super::shell::find_in(Path::new(name), path_var).filter(|file| runs_natively(file))
}

fn runs_natively(p: &Path) -> bool {
    use std::io::Read;
    let mut head = [0u8; 4];
    std::fs::File::open(p).and_then(|mut f| f.read_exact(&mut head)).is_ok()
        && (head.starts_with(b"#!") || head == *b"\x7fELF")
}

/// The variables bash itself sets in the environment of a program it execs: `_` (the file
/// run), `PWD` when the inherited one does not name the working directory, and `SHLVL` (bash
/// counts itself in and out again before an exec, so only a missing or bad value changes).
pub fn environment(host: &Host, file: &Path) -> Vec<(&'static str, OsString)> {
    use std::os::unix::fs::MetadataExt;
    let mut set = vec![("_", file.as_os_str().to_owned())];
    let same = |a: &std::fs::Metadata, b: &std::fs::Metadata| a.dev() == b.dev() && a.ino() == b.ino();
    let pwd_ok = host
        .var_os("PWD")
        .filter(|p| Path::new(p).is_absolute())
        .and_then(|p| std::fs::metadata(p).ok())
        .zip(std::fs::metadata(".").ok())
        .is_some_and(|(a, b)| same(&a, &b));
    if !pwd_ok {
        set.push(("PWD", host.cwd().as_os_str().to_owned()));
    }
    let level = host.var("SHLVL").and_then(|s| s.trim().parse::<i64>().ok());
    if level.is_none() {
        set.push(("SHLVL", "0".into()));
    }
    set
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shell::{analyze, Env};

    fn words(s: &str) -> Option<Vec<&str>> {
        plain_words(s).map(|w| w.leak().iter().map(|s| s.as_str()).collect())
    }

    #[test]
    fn plain_words_are_read_as_bash_would_pass_them() {
        let table: &[(&str, Option<&[&str]>)] = &[
            ("true", Some(&["true"])),
            ("  git   status \n", Some(&["git", "status"])),
            (
                "git commit -m 'fix: it' --author=\"A B <a@b>\"",
                Some(&["git", "commit", "-m", "fix: it", "--author=A B <a@b>"]),
            ),
            ("git commit -m 'fix: it'", Some(&["git", "commit", "-m", "fix: it"])),
            ("echo \"a b\"'c'd", Some(&["echo", "a bcd"])),
            ("echo ''", Some(&["echo", ""])),
            (
                "ls -la ./src/main.rs a,b x=1 %1 @host",
                Some(&["ls", "-la", "./src/main.rs", "a,b", "x=1", "%1", "@host"]),
            ),
            ("", None),
            ("   \n", None),
            ("echo $HOME", None),
            ("echo \"$HOME\"", None),
            ("echo \"a\\\"b\"", None),
            ("echo `id`", None),
            ("ls *", None),
            ("ls ~", None),
            ("echo {a,b}", None),
            ("true; rm -rf x", None),
            ("true && false", None),
            ("true | cat", None),
            ("! true", None),
            ("true # comment", None),
            ("echo hi > f", None),
            ("(true)", None),
            ("true\nfalse", None),
            ("echo 'unclosed", None),
            ("echo \"unclosed", None),
            ("echo a\\ b", None),
        ];
        for (text, want) in table {
            assert_eq!(words(text).as_deref(), *want, "{text:?}");
        }
    }

    #[test]
    fn only_a_lone_plain_external_command_or_no_op_builtin_runs_directly() {
        let p = |s: &str| Some(Direct::Program(s.split(' ').map(String::from).collect()));
        let table: &[(&str, Option<Direct>)] = &[
            ("true", Some(Direct::Status(0))),
            ("true --help", Some(Direct::Status(0))),
            (": anything", Some(Direct::Status(0))),
            ("false", Some(Direct::Status(1))),
            ("git status", p("git status")),
            ("/usr/bin/env", p("/usr/bin/env")),
            ("echo hi", None),
            ("cd /tmp", None),
            ("exit 3", None),
            ("exec ls", None),
            ("time ls", None),
            ("type ls", None),
            ("FOO=1 make", None),
            ("sudo ls", None),
            ("xargs rm", None),
            ("bash -c ls", None),
            ("if true", None),
        ];
        for (text, want) in table {
            let plan = analyze(text, &Env::default());
            assert_eq!(&direct(text, &plan), want, "{text:?}");
        }
    }

    #[test]
    fn options_that_could_change_a_plain_command_keep_the_shell() {
        let s = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let table: &[(&[&str], bool)] = &[
            (&["-c", "ls"], true),
            (&["-c", "ls", "sh", "a", "b"], true),
            (&["-ec", "ls"], true),
            (&["-e", "-u", "-o", "pipefail", "-c", "ls"], true),
            (&["--norc", "--noprofile", "-c", "ls"], true),
            (&["-lc", "ls"], false),
            (&["-l", "-c", "ls"], false),
            (&["--login", "-c", "ls"], false),
            (&["-ic", "ls"], false),
            (&["-xc", "ls"], false),
            (&["-o", "xtrace", "-c", "ls"], false),
            (&["-O", "extglob", "-c", "ls"], false),
            (&["-c"], false),
            (&["script.sh"], false),
            (&[], false),
        ];
        for (argv, want) in table {
            assert_eq!(plain_options(&s(argv)), *want, "{argv:?}");
        }
    }

    #[test]
    fn start_up_files_and_exported_functions_keep_the_shell() {
        let env = |v: &[(&'static str, &'static str)]| {
            v.iter().map(|(k, v)| (OsStr::new(*k), OsStr::new(*v))).collect::<Vec<_>>()
        };
        assert!(plain_environment(env(&[("PATH", "/bin"), ("BASH_ENV", "")])));
        assert!(!plain_environment(env(&[("BASH_ENV", "/etc/rc")])));
        assert!(!plain_environment(env(&[("BASH_FUNC_ls%%", "() { rm -rf /; }")])));
        assert!(!plain_environment(env(&[("SHELLOPTS", "xtrace")])));
    }

    #[test]
    fn programs_resolve_as_bash_finds_them() {
        let dir = std::env::temp_dir().join(format!("guard-direct-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let write = |name: &str, body: &str, mode: u32| {
            use std::os::unix::fs::PermissionsExt;
            let p = dir.join(name);
            std::fs::write(&p, body).unwrap();
            std::fs::set_permissions(&p, std::fs::Permissions::from_mode(mode)).unwrap();
            p
        };
        let script = write("tool", "#!/bin/sh\nexit 0\n", 0o755);
        write("bare", "exit 0\n", 0o755);
        write("data", "#!/bin/sh\n", 0o644);
        let path = std::env::join_paths(["/nonexistent", dir.to_str().unwrap()]).unwrap();
        assert_eq!(resolve("tool", Some(&path)), Some(script.clone()));
        assert_eq!(resolve(script.to_str().unwrap(), None), Some(script));
        // bash runs a file without `#!` as a script of its own: that is the shell's to do.
        assert_eq!(resolve("bare", Some(&path)), None);
        assert_eq!(resolve("data", Some(&path)), None);
        assert_eq!(resolve("missing", Some(&path)), None);
        assert_eq!(resolve("tool", None), None);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
