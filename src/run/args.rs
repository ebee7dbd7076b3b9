//! guard's own command line when it stands in for a shell: bash's invocation forms
//! (`-c STRING [ARG0 ARGS…]`, `-lc`, `-e`, `-o pipefail`, `--login`, a script file, stdin),
//! guard's global options in front of them, and `guard -- PROGRAM ARGS…`. Pure: no I/O, except
//! that telling `guard SCRIPT` from `guard SUBCOMMAND` asks whether the word names a file.

use std::path::PathBuf;

/// Options guard takes before the shell's or the program's arguments.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Globals {
    /// Extra policy files, judged as a user layer.
    pub policy: Vec<PathBuf>,
    /// Judge and print; never run.
    pub dry_run: bool,
    /// Observe: log what would have been asked or denied, run anyway.
    pub observe: bool,
    /// Record what the command shows (`--record`); see [`crate::record::requested`].
    pub record: bool,
    /// Run the command contained (`--contain`), and refuse when the kernel cannot.
    pub contain: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Face {
    /// bash's own arguments, to hand to the real shell unchanged.
    Shell(ShellArgs),
    /// `guard -- PROGRAM ARGS…`: an argv, run without a shell.
    Prefix(Vec<String>),
}

/// What a bash invocation will run.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ShellArgs {
    /// The arguments as given, passed to the real shell verbatim.
    pub argv: Vec<String>,
    /// Where in `argv` the command string or the script is (its length when there is none).
    pub operands: usize,
    /// `-c STRING`.
    pub command: Option<String>,
    /// `bash FILE`: the script to run.
    pub script: Option<String>,
    /// `-i`, or no command and no script (the shell reads commands, from a terminal or stdin).
    pub interactive: bool,
    /// `-s`, or no command and no script: commands come from standard input.
    pub stdin: bool,
    pub login: bool,
}

/// bash options that take the next argument.
const TAKES_VALUE: &[&str] = &["-o", "+o", "-O", "+O", "--rcfile", "--init-file"];
/// bash long options without a value.
const LONG_FLAGS: &[&str] = &[
    "--login",
    "--noprofile",
    "--norc",
    "--posix",
    "--noediting",
    "--restricted",
    "--verbose",
    "--debugger",
    "--dump-strings",
    "--dump-po-strings",
    "--protected",
    "--pretty-print",
];
/// Single-letter bash options (clusters like `-lc`, `-ex`).
const SHORT: &str = "abcefhiklmnprstuvxBCDEHPT";

#[derive(Debug, Clone, PartialEq)]
pub enum ArgsError {
    Missing(String),
    Unknown(String),
}

impl std::fmt::Display for ArgsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ArgsError::Missing(what) => write!(f, "{what} needs an argument"),
            ArgsError::Unknown(o) => write!(f, "unknown option `{o}` (guard takes bash's options; see `guard --help`)"),
        }
    }
}

/// Whether guard's arguments are a shell or prefix invocation rather than a subcommand. `raw`
/// holds the same arguments as given (a script's name need not be UTF-8).
pub fn is_runner_invocation(args: &[String], raw: &[std::ffi::OsString]) -> bool {
    let script = raw.len().checked_sub(skip_globals(args).len()).and_then(|i| raw.get(i));
    is_runner_invocation_with(args, |_| script.is_some_and(|s| names_script(s)))
}

/// Whether a word names a script: a file, or a pipe named by path (`guard <(…)` gives
/// `/dev/fd/63`).
pub fn names_script(word: &std::ffi::OsStr) -> bool {
    let p = std::path::Path::new(word);
    p.is_file() || (p.as_os_str().as_encoded_bytes().contains(&b'/') && p.metadata().is_ok_and(|m| !m.is_dir()))
}

/// [`is_runner_invocation`], asking `is_file` whether the first word after guard's own
/// options names a script.
fn is_runner_invocation_with(args: &[String], is_file: impl Fn(&str) -> bool) -> bool {
    let rest = skip_globals(args);
    match rest.first().map(String::as_str) {
        // Plain `guard`: an interactive shell.
        None => true,
        Some("--") => true,
        Some("-h" | "--help" | "-V" | "--version") => false,
        Some(a) if (a.starts_with('-') || a.starts_with('+')) && a.len() > 1 => true,
        // `$SHELL script.sh args`, as programs run scripts. A subcommand name wins over a file
        // of that name (`guard ./check` runs the file); a word that is neither is left to the
        // subcommand parser, which explains the mistake.
        // Claude Code's shell prefix: one argument holding a whole command line.
        Some(a) => !is_subcommand(a) && (is_file(a) || (rest.len() == 1 && is_command_string(a))),
    }
}

/// Whether a lone operand is a command line rather than a script's name: it holds white space.
/// `CLAUDE_CODE_SHELL_PREFIX=guard` makes Claude Code run `guard 'STRING'` (its Bash commands,
/// hook commands and MCP servers); bash would take STRING for a script, so a word of that shape
/// that names no file was an error before, and nothing that ran changes meaning.
pub fn is_command_string(word: &str) -> bool {
    word.contains(char::is_whitespace)
}

/// `guard 'STRING'` with STRING no file's name: the shell runs it as `-c STRING`. Anything else
/// is returned as it came.
pub fn command_string_form(s: ShellArgs, is_file: impl Fn(&str) -> bool) -> ShellArgs {
    match (&s.script, s.argv.as_slice()) {
        (Some(w), [only]) if only == w && is_command_string(w) && !is_file(w) => ShellArgs {
            argv: vec!["-c".into(), w.clone()],
            operands: 1,
            command: Some(w.clone()),
            ..ShellArgs::default()
        },
        _ => s,
    }
}

fn is_subcommand(word: &str) -> bool {
    crate::cli::SUBCOMMANDS.contains(&word)
}

fn skip_globals(args: &[String]) -> &[String] {
    let words: Vec<Option<&str>> = args.iter().map(|a| Some(a.as_str())).collect();
    &args[crate::shell::programs::guard_options(&words).0..]
}

/// Parse guard's arguments (without the program name) in runner form.
pub fn parse(args: &[String]) -> Result<(Globals, Face), ArgsError> {
    let mut g = Globals::default();
    let mut i = 0;
    while i < args.len() {
        let a = args[i].as_str();
        let (name, inline) = match a.split_once('=') {
            Some((n, v)) if n == "--policy" || n == "--mode" => (n, Some(v.to_string())),
            _ => (a, None),
        };
        let value = |i: &mut usize| -> Result<String, ArgsError> {
            if let Some(v) = &inline {
                return Ok(v.clone());
            }
            *i += 1;
            args.get(*i).cloned().ok_or_else(|| ArgsError::Missing(name.to_string()))
        };
        match name {
            "--dry-run" => g.dry_run = true,
            "--record" => g.record = true,
            "--contain" => g.contain = true,
            "--policy" => g.policy.push(PathBuf::from(value(&mut i)?)),
            "--mode" => match value(&mut i)?.as_str() {
                "enforce" => g.observe = false,
                "observe" => g.observe = true,
                other => return Err(ArgsError::Unknown(format!("--mode {other} (use enforce or observe)"))),
            },
            _ => break,
        }
        i += 1;
    }
    let rest = &args[i..];
    if rest.first().map(String::as_str) == Some("--") {
        if rest.len() < 2 {
            return Err(ArgsError::Missing("`guard --`".into()));
        }
        return Ok((g, Face::Prefix(rest[1..].to_vec())));
    }
    Ok((g, Face::Shell(parse_shell(rest)?)))
}

/// Read bash's arguments the way bash does: options first, then the command string (with
/// `-c`) or the script, then the positional parameters.
pub fn parse_shell(args: &[String]) -> Result<ShellArgs, ArgsError> {
    let mut s = ShellArgs { argv: args.to_vec(), ..ShellArgs::default() };
    let mut wants_command = false;
    let mut i = 0;
    while i < args.len() {
        let a = args[i].as_str();
        if a == "--" || a == "-" {
            i += 1;
            break;
        }
        if TAKES_VALUE.contains(&a) {
            if i + 1 >= args.len() {
                return Err(ArgsError::Missing(a.to_string()));
            }
            i += 2;
            continue;
        }
        if a.starts_with("--") {
            if !LONG_FLAGS.contains(&a) && !a.starts_with("--rcfile=") && !a.starts_with("--init-file=") {
                return Err(ArgsError::Unknown(a.to_string()));
            }
            s.login |= a == "--login";
            i += 1;
            continue;
        }
        let Some(cluster) = a.strip_prefix('-').or_else(|| a.strip_prefix('+')) else { break };
        if cluster.is_empty() {
            break;
        }
        for (k, c) in cluster.chars().enumerate() {
            if !SHORT.contains(c) && c != 'o' && c != 'O' {
                return Err(ArgsError::Unknown(format!("-{c}")));
            }
            match c {
                'c' => wants_command = true,
                'l' => s.login = true,
                'i' => s.interactive = true,
                's' => s.stdin = true,
                // `-eo pipefail`: the option name is the next argument.
                'o' | 'O' => {
                    if k + 1 != cluster.len() || i + 1 >= args.len() {
                        return Err(ArgsError::Missing(format!("-{c}")));
                    }
                    i += 1;
                }
                _ => {}
            }
        }
        i += 1;
    }
    s.operands = i.min(args.len());
    let operands = &args[s.operands..];
    if wants_command {
        let Some(cmd) = operands.first() else { return Err(ArgsError::Missing("-c".into())) };
        s.command = Some(cmd.clone());
    } else if !s.stdin {
        match operands.first() {
            Some(script) => s.script = Some(script.clone()),
            None => {
                s.stdin = true;
                s.interactive = true;
            }
        }
    }
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(args: &[&str]) -> Vec<String> {
        args.iter().map(|s| s.to_string()).collect()
    }

    fn os(args: &[&str]) -> Vec<std::ffi::OsString> {
        args.iter().map(|s| s.into()).collect()
    }

    #[test]
    fn bash_forms() {
        // args, command, script, login, stdin
        type Case = (&'static [&'static str], Option<&'static str>, Option<&'static str>, bool, bool);
        let cases: &[Case] = &[
            (&["-c", "ls"], Some("ls"), None, false, false),
            (&["-lc", "ls"], Some("ls"), None, true, false),
            (&["-l", "-c", "ls", "arg0", "a1"], Some("ls"), None, true, false),
            (&["-ic", "ls"], Some("ls"), None, false, false),
            (&["-e", "-c", "false; true"], Some("false; true"), None, false, false),
            (&["-o", "pipefail", "-c", "a | b"], Some("a | b"), None, false, false),
            (&["-eo", "pipefail", "-c", "a | b"], Some("a | b"), None, false, false),
            (&["--login", "--noprofile", "--norc", "-c", "x"], Some("x"), None, true, false),
            // Like bash, options go on after `-c`; the command is the first operand after them.
            (&["-c", "-e", "x"], Some("x"), None, false, false),
            (&["-c", "--", "x"], Some("x"), None, false, false),
            (&["-c", "x", "-e"], Some("x"), None, false, false),
            (&["script.sh", "a"], None, Some("script.sh"), false, false),
            (&["-e", "script.sh"], None, Some("script.sh"), false, false),
            (&["-s"], None, None, false, true),
            (&["-s", "a", "b"], None, None, false, true),
            (&["-", "script.sh"], None, Some("script.sh"), false, false),
        ];
        for (args, command, script, login, stdin) in cases {
            let s = parse_shell(&v(args)).unwrap_or_else(|e| panic!("{args:?}: {e}"));
            assert_eq!(s.command.as_deref(), *command, "{args:?}");
            assert_eq!(s.script.as_deref(), *script, "{args:?}");
            assert_eq!(s.login, *login, "{args:?}");
            assert_eq!(s.stdin, *stdin, "{args:?}");
            assert_eq!(s.argv, v(args), "passed on unchanged");
        }
    }

    #[test]
    fn errors_say_what_is_wrong() {
        assert_eq!(parse_shell(&v(&["-c"])), Err(ArgsError::Missing("-c".into())));
        assert_eq!(parse_shell(&v(&["-c", "-e"])), Err(ArgsError::Missing("-c".into())));
        assert_eq!(parse_shell(&v(&["-o"])), Err(ArgsError::Missing("-o".into())));
        assert_eq!(parse_shell(&v(&["-Z", "x"])), Err(ArgsError::Unknown("-Z".into())));
        assert_eq!(parse_shell(&v(&["--bogus"])), Err(ArgsError::Unknown("--bogus".into())));
    }

    #[test]
    fn globals_and_prefix() {
        let (g, f) = parse(&v(&["--dry-run", "--policy", "p.yaml", "--mode=observe", "-c", "ls"])).unwrap();
        assert!(g.dry_run && g.observe && !g.record);
        assert_eq!(g.policy, vec![PathBuf::from("p.yaml")]);
        assert!(matches!(f, Face::Shell(s) if s.command.as_deref() == Some("ls")));
        let (g, f) = parse(&v(&["--record", "--", "rm", "-rf", "x y"])).unwrap();
        assert!(g.record && !g.dry_run);
        assert_eq!(f, Face::Prefix(v(&["rm", "-rf", "x y"])));
        assert!(parse(&v(&["--mode", "loose", "-c", "x"])).is_err());
    }

    #[test]
    fn which_invocations_are_the_runner() {
        for yes in [
            &[][..],
            &["-c", "x"],
            &["-lc", "x"],
            &["--", "ls"],
            &["--dry-run", "-c", "x"],
            &["--record", "--", "ls"],
            &["--login"],
            &["+o", "x"],
        ] {
            assert!(is_runner_invocation(&v(yes), &os(yes)), "{yes:?}");
        }
        for no in [&["check", "x"][..], &["--help"], &["-V"], &["--version"], &["explain", "-c"]] {
            assert!(!is_runner_invocation(&v(no), &os(no)), "{no:?}");
        }
    }

    #[test]
    fn a_lone_command_line_runs_as_dash_c_unless_it_names_a_file() {
        let no_files = |_: &str| false;
        let s = command_string_form(parse_shell(&v(&["ls -la"])).unwrap(), no_files);
        assert_eq!((s.command.as_deref(), s.script, s.argv), (Some("ls -la"), None, v(&["-c", "ls -la"])));
        let s = command_string_form(parse_shell(&v(&["my script.sh"])).unwrap(), |_| true);
        assert_eq!((s.command, s.script.as_deref()), (None, Some("my script.sh")));
        for args in [&["script.sh"][..], &["a b", "arg"], &["-e", "a b"], &["-c", "a b"]] {
            let s = parse_shell(&v(args)).unwrap();
            assert_eq!(command_string_form(s.clone(), no_files), s, "{args:?}");
        }
    }

    #[test]
    fn a_script_file_is_run_but_a_subcommand_name_wins() {
        // Every word names a file here, so only the subcommand rule can say no.
        let all_files = |_: &str| true;
        let no_files = |_: &str| false;
        for (args, is_file, runner) in [
            (&["script.sh", "a"][..], &all_files as &dyn Fn(&str) -> bool, true),
            (&["./check"], &all_files, true),
            (&["--dry-run", "s.sh"], &all_files, true),
            (&["check", "ls"], &all_files, false),
            (&["log"], &all_files, false),
            (&["help"], &all_files, false),
            (&["chek", "ls"], &no_files, false),
            (&["script.sh"], &no_files, false),
            // Claude Code's prefix form: a lone command line that names no file.
            (&["eval 'ls' && pwd -P >| /tmp/claude-3f9a-cwd"], &no_files, true),
            (&["--dry-run", "npx -y server"], &no_files, true),
            (&["a b", "c"], &no_files, false),
            (&["check x"], &no_files, true),
        ] {
            assert_eq!(is_runner_invocation_with(&v(args), is_file), runner, "{args:?}");
        }
    }
}
