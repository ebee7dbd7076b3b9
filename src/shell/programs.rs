//! Programs that run other programs or code: wrappers (`sudo`, `env`, `timeout`, `xargs`,
//! `find -exec`, …), shells given code (`bash -c`, `eval`, a heredoc fed to `sh`) and
//! interpreters given code (`python -c`, `perl -e`, `awk '…'`). Each gets just enough
//! knowledge of its options to find where the inner command or code starts.

use super::env::Env;
use super::expand;
use super::lexer::{self, Mode};
use super::vars::Vars;
use crate::plan::{Assignment, Code, CodeSource, Invocation, Part, Span, Value, Via, Word};

/// What a command reads on stdin.
#[derive(Debug, Clone)]
pub enum Stdin {
    /// Whatever guard's caller connected (a terminal, the agent's pipe).
    Inherited,
    /// Text known from the command line: a heredoc or here-string (`piped: false`), or the
    /// output of `echo`/`printf`/`cat <<EOF` in the previous pipeline stage (`piped: true`).
    Text { text: Word, piped: bool },
    /// Produced at run time by this source.
    From(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VarScope {
    /// The code runs in the same shell (`eval`, `source`, `trap`): variables carry over.
    Shared,
    /// The code runs in a new shell process: only exported variables carry over.
    Fresh,
    /// The code runs on another machine: nothing about its environment is known.
    Remote,
}

/// Where a wrapper runs what it wraps, when not where the wrapper itself runs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Chdir {
    #[default]
    Stay,
    /// This directory (a relative one is taken from where the wrapper runs): `env -C DIR`.
    To(Word),
    /// This user's home directory (`sudo -i`).
    HomeOf(String),
    /// A directory guard cannot know (`find -execdir`, `unshare -R` without `--wd`).
    Unknown,
}

pub enum Derived {
    /// The command runs this argv.
    Run { argv: Vec<Word>, via: Via, assignments: Vec<Assignment>, chdir: Chdir },
    /// The command is given this code; shell code that should be parsed carries how it is
    /// reached, and where it runs.
    Code { code: Code, parse: Option<(Via, VarScope)>, chdir: Chdir },
}

const SHELLS: &[&str] = &[
    "sh",
    "bash",
    "zsh",
    "dash",
    "ksh",
    "mksh",
    "ash",
    "yash",
    "posh",
    "rbash",
    "fish",
    "tcsh",
    "csh",
    "busybox-sh",
    // guard takes bash's own arguments and hands them to bash.
    "guard",
];

/// guard's own options in front of the shell's or the program's arguments (`guard --dry-run
/// -c …`): flags, and options that take a value (`--policy FILE`, `--mode=observe`). The
/// runner reads its command line with these too.
pub const GUARD_FLAGS: &[&str] = &["--dry-run", "--record"];
pub const GUARD_VALUED: &[&str] = &["--policy", "--mode"];

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

/// guard's subcommands that run nothing (they judge, show, or change guard's own state, which
/// rules see for themselves).
const GUARD_JUDGES_ONLY: &[&str] = &[
    "check",
    "explain",
    "rules",
    "log",
    "install",
    "init",
    "doctor",
    "pending",
    "approve",
    "deny",
    "completions",
    "help",
    "--help",
    "-h",
    "--version",
    "-V",
];

pub fn is_shell(name: &str) -> bool {
    SHELLS.contains(&name)
}

/// The interpreter language a program name stands for, if any (`python3.12` → python).
pub fn interpreter_language(name: &str) -> Option<&'static str> {
    let base = name.trim_end_matches(|c: char| c.is_ascii_digit() || c == '.');
    Some(match base {
        "python" | "pypy" => "python",
        "perl" => "perl",
        "ruby" | "irb" => "ruby",
        "node" | "nodejs" | "bun" | "deno" => "javascript",
        "php" => "php",
        "lua" | "luajit" => "lua",
        "Rscript" => "r",
        "osascript" => "applescript",
        "awk" | "gawk" | "mawk" | "nawk" | "busybox-awk" => "awk",
        "expect" => "expect",
        "pwsh" | "powershell" => "powershell",
        "tclsh" | "wish" => "tcl",
        "jshell" => "java",
        _ => return None,
    })
}

/// Options scanned from an argv: `(name, value)` pairs and the index of the first operand.
struct Scanned {
    opts: Vec<(String, Option<Word>)>,
    operand: Option<usize>,
}

impl Scanned {
    fn has(&self, names: &[&str]) -> bool {
        self.opts.iter().any(|(n, _)| names.contains(&n.as_str()))
    }
    fn value(&self, names: &[&str]) -> Option<&Word> {
        self.opts.iter().rev().find(|(n, _)| names.contains(&n.as_str())).and_then(|(_, v)| v.as_ref())
    }
}

/// Getopt-style scan: short options in `short_val` and long options in `long_val` take a value
/// (attached or as the next word); everything else is a flag; `--` or the first operand ends it.
fn scan(args: &[Word], short_val: &str, long_val: &[&str]) -> Scanned {
    let mut opts = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let a = &args[i];
        let text = a.known_prefix();
        if a.as_literal() == Some("--") {
            return Scanned { opts, operand: (i + 1 < args.len()).then_some(i + 1) };
        }
        if let Some(long) = text.strip_prefix("--") {
            if let Some((name, value)) = long.split_once('=') {
                opts.push((name.to_string(), Some(Word::literal(value, a.span))));
                i += 1;
            } else if long_val.contains(&long) {
                opts.push((long.to_string(), args.get(i + 1).cloned()));
                i += 2;
            } else {
                opts.push((long.to_string(), None));
                i += 1;
            }
            continue;
        }
        if text.len() > 1 && text.starts_with('-') {
            let cluster = &text[1..];
            let mut consumed_next = false;
            for (k, ch) in cluster.char_indices() {
                if short_val.contains(ch) {
                    let rest = &cluster[k + ch.len_utf8()..];
                    let value = if rest.is_empty() {
                        consumed_next = true;
                        args.get(i + 1).cloned()
                    } else if a.as_literal().is_some() {
                        Some(Word::literal(rest, a.span))
                    } else {
                        Some(strip_word_prefix(a, 1 + k + ch.len_utf8()))
                    };
                    opts.push((ch.to_string(), value));
                    break;
                }
                opts.push((ch.to_string(), None));
            }
            i += if consumed_next { 2 } else { 1 };
            continue;
        }
        return Scanned { opts, operand: Some(i) };
    }
    Scanned { opts, operand: None }
}

/// A word without its first `n` known bytes (`-c'code'` → `code`).
fn strip_word_prefix(w: &Word, n: usize) -> Word {
    match &w.value {
        Value::Literal(s) => Word::literal(s.get(n..).unwrap_or(""), w.span),
        Value::Dynamic(parts) => {
            let mut parts = parts.clone();
            if let Some(Part::Text(t)) = parts.first_mut() {
                *t = t.get(n..).unwrap_or("").to_string();
            }
            Word { value: Value::Dynamic(parts), glob: w.glob, span: w.span }
        }
    }
}

/// Join words with a separator into one word (for `eval a b`, `ssh host a b`, `watch a b`).
pub fn join_words(words: &[Word], sep: &str, span: Span) -> Word {
    let mut parts: Vec<Part> = Vec::new();
    for (i, w) in words.iter().enumerate() {
        if i > 0 {
            push_text(&mut parts, sep);
        }
        match &w.value {
            Value::Literal(s) => push_text(&mut parts, s),
            Value::Dynamic(ps) => {
                for p in ps {
                    match p {
                        Part::Text(t) => push_text(&mut parts, t),
                        u => parts.push(u.clone()),
                    }
                }
            }
        }
    }
    let value = match parts.as_slice() {
        [] => Value::Literal(String::new()),
        [Part::Text(t)] => Value::Literal(t.clone()),
        _ => Value::Dynamic(parts),
    };
    Word { value, glob: false, span }
}

fn push_text(parts: &mut Vec<Part>, s: &str) {
    match parts.last_mut() {
        Some(Part::Text(t)) => t.push_str(s),
        _ => parts.push(Part::Text(s.to_string())),
    }
}

fn run(args: &[Word], via: Via) -> Vec<Derived> {
    run_in(args, via, Chdir::Stay)
}

fn run_in(args: &[Word], via: Via, chdir: Chdir) -> Vec<Derived> {
    if args.is_empty() {
        return Vec::new();
    }
    vec![Derived::Run { argv: args.to_vec(), via, assignments: Vec::new(), chdir }]
}

/// The home directory of the user a word names (`default` when none is given).
fn home_of(user: Option<&Word>, default: &str) -> Chdir {
    match user {
        None => Chdir::HomeOf(default.to_string()),
        Some(w) => match w.as_literal() {
            // `#UID` names a user by number.
            Some(u) if !u.is_empty() && !u.starts_with('#') => Chdir::HomeOf(u.to_string()),
            _ => Chdir::Unknown,
        },
    }
}

fn wrapper(name: &str) -> Via {
    Via::Wrapper { program: name.to_string() }
}

fn shell_code(language: &str, text: Word, via: Via, scope: VarScope) -> Vec<Derived> {
    vec![Derived::Code {
        code: Code { language: language.to_string(), source: CodeSource::Argument, text },
        parse: Some((via, scope)),
        chdir: Chdir::Stay,
    }]
}

fn login_shell(span: Span, why: &str) -> Word {
    Word::unknown("$SHELL", why.to_string(), span)
}

/// What running `inv` runs in turn.
pub fn derive(inv: &Invocation, stdin: &Stdin) -> Vec<Derived> {
    let Some(name) = inv.program_name() else { return Vec::new() };
    let args = inv.args.as_slice();
    let span = inv.span;
    match name {
        "sudo" => {
            let s = scan(
                args,
                "ugChpDrtTUR",
                &[
                    "user",
                    "group",
                    "host",
                    "prompt",
                    "close-from",
                    "chdir",
                    "role",
                    "type",
                    "command-timeout",
                    "other-user",
                    "chroot",
                ],
            );
            if s.has(&[
                "e",
                "edit",
                "l",
                "list",
                "v",
                "validate",
                "k",
                "K",
                "reset-timestamp",
                "remove-timestamp",
                "V",
                "version",
            ]) {
                return Vec::new();
            }
            // `-D DIR` runs the command there; `-i` in the target user's home.
            let chdir = match s.value(&["D", "chdir"]) {
                Some(d) => Chdir::To(d.clone()),
                None if s.has(&["i", "login"]) => home_of(s.value(&["u", "user"]), "root"),
                None => Chdir::Stay,
            };
            match s.operand {
                Some(i) => run_with_assignments(&args[i..], wrapper(name), chdir),
                None if s.has(&["s", "shell", "i", "login"]) => {
                    run_in(&[login_shell(span, "sudo -s/-i starts the target user's shell")], wrapper(name), chdir)
                }
                None => Vec::new(),
            }
        }
        "doas" => {
            let s = scan(args, "uC", &[]);
            if s.has(&["C"]) {
                return Vec::new();
            }
            match s.operand {
                Some(i) => run(&args[i..], wrapper(name)),
                None if s.has(&["s"]) => {
                    run(&[login_shell(span, "doas -s starts the target user's shell")], wrapper(name))
                }
                None => Vec::new(),
            }
        }
        "env" => env_command(args),
        "command" => {
            let s = scan(args, "", &[]);
            if s.has(&["v", "V"]) {
                return Vec::new();
            }
            s.operand.map(|i| run(&args[i..], wrapper(name))).unwrap_or_default()
        }
        "builtin" | "nohup" | "busybox" | "catchsegv" | "proxychains" | "proxychains4" | "torsocks" | "tsocks"
        | "firejail" | "strace" | "ltrace" | "valgrind" | "gdbserver" | "unbuffer" | "faketime"
            if !args.is_empty() =>
        {
            let (short, long): (&str, &[&str]) = match name {
                "strace" => ("eoOpPsSuXEaIb", &["output", "signal", "trace", "attach", "user", "env"]),
                "ltrace" => ("eoupsnaAlLD", &["output", "library"]),
                "proxychains" | "proxychains4" => ("f", &[]),
                _ => ("", &[]),
            };
            let s = scan(args, short, long);
            let mut inner = s.operand.map(|i| &args[i..]).unwrap_or(&[]);
            if name == "faketime" && !inner.is_empty() {
                inner = &inner[1..];
            }
            run(inner, wrapper(name))
        }
        // `coproc [NAME] command`: the command runs asynchronously.
        "coproc" => {
            let start = if args.len() > 1
                && args[0].as_literal().is_some_and(lexer::is_name)
                && matches!(args[1].as_literal(), Some("{" | "("))
            {
                2
            } else {
                0
            };
            run(&args[start..], Via::Background)
        }
        "exec" => {
            let s = scan(args, "a", &[]);
            s.operand.map(|i| run(&args[i..], wrapper(name))).unwrap_or_default()
        }
        "setsid" | "nocache" | "chronic" | "ifne" | "sem" => {
            let s = scan(args, "", &[]);
            s.operand.map(|i| run(&args[i..], wrapper(name))).unwrap_or_default()
        }
        "stdbuf" => {
            let s = scan(args, "ioe", &["input", "output", "error"]);
            s.operand.map(|i| run(&args[i..], wrapper(name))).unwrap_or_default()
        }
        "nice" => {
            let s = scan(args, "n", &["adjustment"]);
            s.operand.map(|i| run(&args[i..], wrapper(name))).unwrap_or_default()
        }
        "ionice" => {
            let s = scan(args, "cnpPu", &["class", "classdata", "pid", "pgid", "uid"]);
            if s.has(&["p", "P", "u", "pid", "pgid", "uid"]) {
                return Vec::new();
            }
            s.operand.map(|i| run(&args[i..], wrapper(name))).unwrap_or_default()
        }
        "time" => {
            let mut rest = args;
            while rest.first().and_then(|w| w.as_literal()) == Some("!") {
                rest = &rest[1..];
            }
            let s = scan(rest, "fo", &["format", "output"]);
            s.operand.map(|i| run(&rest[i..], wrapper(name))).unwrap_or_default()
        }
        "timeout" | "gtimeout" => {
            let s = scan(args, "sk", &["signal", "kill-after"]);
            s.operand.map(|i| run(&args[(i + 1).min(args.len())..], wrapper(name))).unwrap_or_default()
        }
        "chroot" => {
            let s = scan(args, "", &["userspec", "groups"]);
            // chroot enters the new root's `/`: from outside, the new root itself.
            let chdir = match s.operand {
                Some(i) if !s.has(&["skip-chdir"]) => Chdir::To(args[i].clone()),
                _ => Chdir::Stay,
            };
            match s.operand {
                Some(i) if i + 1 < args.len() => run_in(&args[i + 1..], wrapper(name), chdir),
                Some(_) => run_in(&[login_shell(span, "chroot with no command starts a shell")], wrapper(name), chdir),
                None => Vec::new(),
            }
        }
        "unshare" | "nsenter" => {
            let s = scan(
                args,
                "SGRwtp",
                &[
                    "setuid",
                    "setgid",
                    "root",
                    "wd",
                    "target",
                    "map-user",
                    "map-group",
                    "map-users",
                    "map-groups",
                    "propagation",
                ],
            );
            let chdir = match s.value(&["w", "wd"]) {
                Some(d) => Chdir::To(d.clone()),
                // A new root without `--wd`: where the command starts is not the caller's directory.
                None if s.has(&["R", "root"]) => Chdir::Unknown,
                None => Chdir::Stay,
            };
            match s.operand {
                Some(i) => run_in(&args[i..], wrapper(name), chdir),
                None if name == "unshare" => {
                    run_in(&[login_shell(span, "unshare with no command starts a shell")], wrapper(name), chdir)
                }
                None => Vec::new(),
            }
        }
        "flock" => {
            let s = scan(args, "wEc", &["timeout", "wait", "conflict-exit-code", "command"]);
            // `flock FILE -c CODE`: the code option may follow the lock file.
            let all = scan_all(args, "wEc", &["timeout", "wait", "conflict-exit-code", "command"]);
            if let Some(code) = all.value(&["c", "command"]) {
                return shell_code("sh", code.clone(), Via::ShellString { shell: "flock".into() }, VarScope::Fresh);
            }
            match s.operand {
                Some(i) if i + 1 < args.len() => run(&args[i + 1..], wrapper(name)),
                _ => Vec::new(),
            }
        }
        "watch" => {
            let s = scan(args, "n", &["interval"]);
            let Some(i) = s.operand else { return Vec::new() };
            if s.has(&["x", "exec"]) {
                run(&args[i..], wrapper(name))
            } else {
                shell_code(
                    "sh",
                    join_words(&args[i..], " ", span),
                    Via::ShellString { shell: "watch".into() },
                    VarScope::Fresh,
                )
            }
        }
        "xargs" => xargs(args, stdin, span),
        "find" => find(args),
        "parallel" => parallel(args, stdin, span),
        "ssh" => {
            let s = scan(args, "BbcDEeFIiJLlmOopQRSWw", &[]);
            let Some(i) = s.operand else { return Vec::new() };
            let host = args[i].display();
            if i + 1 >= args.len() {
                return Vec::new();
            }
            shell_code("sh", join_words(&args[i + 1..], " ", span), Via::Remote { host }, VarScope::Remote)
        }
        "su" | "runuser" => {
            let long = &["command", "session-command", "shell", "group", "supp-group", "user", "whitelist-environment"];
            let s = scan(args, "csgGuw", long);
            // `su bob -c CODE`: su takes its options anywhere.
            if let Some(code) = scan_all(args, "csgGuw", long).value(&["c", "command", "session-command"]) {
                return shell_code("sh", code.clone(), Via::ShellString { shell: name.into() }, VarScope::Fresh);
            }
            if name == "runuser" {
                if let Some(i) = s.operand {
                    return run(&args[i..], wrapper(name));
                }
            }
            Vec::new()
        }
        "script" => {
            let s = scan(
                args,
                "cEIOBTmo",
                &["command", "echo", "log-in", "log-out", "log-io", "log-timing", "logging-format", "output-limit"],
            );
            match s.value(&["c", "command"]) {
                Some(code) => {
                    shell_code("sh", code.clone(), Via::ShellString { shell: "script".into() }, VarScope::Fresh)
                }
                None => Vec::new(),
            }
        }
        "eval" => {
            // bash's eval takes no options but accepts `--` before the code.
            let args = if args.first().and_then(|a| a.as_literal()) == Some("--") { &args[1..] } else { args };
            if args.is_empty() {
                return Vec::new();
            }
            shell_code("bash", join_words(args, " ", span), Via::Eval, VarScope::Shared)
        }
        "source" | "." => {
            let Some(file) = args.first() else { return Vec::new() };
            let code = Code { language: "bash".into(), source: CodeSource::File, text: file.clone() };
            match procsub_output(file) {
                Some(text) => {
                    vec![Derived::Code {
                        code: Code { text, ..code },
                        parse: Some((Via::Source, VarScope::Shared)),
                        chdir: Chdir::Stay,
                    }]
                }
                None => vec![Derived::Code { code, parse: None, chdir: Chdir::Stay }],
            }
        }
        "trap" => {
            let ops: Vec<&Word> = args.iter().skip_while(|a| matches!(a.as_literal(), Some("--"))).collect();
            match ops.as_slice() {
                [code, _signal, ..] if !matches!(code.as_literal(), Some("-" | "-p" | "-l" | "-P")) => {
                    shell_code("bash", (*code).clone(), Via::Trap, VarScope::Shared)
                }
                _ => Vec::new(),
            }
        }
        "guard" => guard(args, stdin),
        _ if is_shell(name) => shell(name, name, args, stdin),
        _ => match interpreter_language(name) {
            Some(lang) => interpreter(name, lang, args, stdin),
            None => Vec::new(),
        },
    }
}

fn env_command(args: &[Word]) -> Vec<Derived> {
    let s = scan(
        args,
        "uCSPa",
        &["unset", "chdir", "split-string", "argv0", "default-signal", "ignore-signal", "block-signal"],
    );
    let mut argv: Vec<Word> = s.value(&["S", "split-string"]).map(split_string).unwrap_or_default();
    argv.extend_from_slice(s.operand.map(|i| &args[i..]).unwrap_or(&[]));
    let chdir = s.value(&["C", "chdir"]).map(|d| Chdir::To(d.clone())).unwrap_or_default();
    run_with_assignments(&argv, wrapper("env"), chdir)
}

/// Leading `NAME=value` words become the command's environment (`env A=1 cmd`, `sudo A=1 cmd`).
fn run_with_assignments(argv: &[Word], via: Via, chdir: Chdir) -> Vec<Derived> {
    let mut assignments = Vec::new();
    let mut i = 0;
    while let Some(a) = argv.get(i) {
        let text = a.known_prefix();
        match text.split_once('=') {
            Some((name, _)) if lexer::is_name(name) => {
                assignments.push(Assignment { name: name.to_string(), value: strip_word_prefix(a, name.len() + 1) });
                i += 1;
            }
            _ => break,
        }
    }
    if i >= argv.len() {
        return Vec::new();
    }
    vec![Derived::Run { argv: argv[i..].to_vec(), via, assignments, chdir }]
}

/// Options anywhere among the arguments (GNU getopt permutes): every `(name, value)` found.
fn scan_all(args: &[Word], short_val: &str, long_val: &[&str]) -> Scanned {
    let mut opts = Vec::new();
    let mut i = 0;
    while i < args.len() {
        if args[i].as_literal() == Some("--") {
            break;
        }
        let s = scan(&args[i..], short_val, long_val);
        opts.extend(s.opts);
        match s.operand {
            // An operand after `--` ends option processing.
            Some(k) if k > 0 && args[i + k - 1].as_literal() == Some("--") => break,
            Some(k) => i += k + 1,
            None => break,
        }
    }
    Scanned { opts, operand: None }
}

/// `env -S 'a b c'` splits its string into words (with quotes) itself.
fn split_string(w: &Word) -> Vec<Word> {
    let Some(text) = w.as_literal() else { return vec![w.clone()] };
    split_args(text, w.span)
}

/// Split text into words with shell-like quoting, without any expansions.
pub fn split_args(text: &str, span: Span) -> Vec<Word> {
    // `~` maps to itself: the words are taken as written, not expanded.
    let env = Env::new("~", ".");
    let vars = Vars::default();
    let mut out = Vec::new();
    for cmd in lexer::split_commands(text, 0, text.len()) {
        for (s, e) in cmd {
            let lexed = lexer::lex(text, s, e, Mode::Word, &[]);
            out.extend(expand::expand(lexed, &vars, &env, span, expand::SINGLE));
        }
    }
    out
}

/// `guard …` inside a command is a wrapper like `bash -c` or `sudo`: what it would run is judged
/// here, whatever the nested guard would make of it (its own options cannot loosen what the
/// guard judging this command decides).
fn guard(args: &[Word], stdin: &Stdin) -> Vec<Derived> {
    let words: Vec<Option<&str>> = args.iter().map(Word::as_literal).collect();
    let (i, dry_run) = guard_options(&words);
    let rest = &args[i..];
    if dry_run {
        return Vec::new();
    }
    match rest.first().and_then(Word::as_literal) {
        Some("--") => run(&rest[1..], wrapper("guard")),
        Some("hook") => hook_payload(stdin),
        Some(sub) if GUARD_JUDGES_ONLY.contains(&sub) => Vec::new(),
        _ => shell("guard", "bash", rest, stdin),
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
            },
            parse: None,
            chdir: Chdir::Stay,
        }],
    }
}

fn shell(name: &str, lang: &str, args: &[Word], stdin: &Stdin) -> Vec<Derived> {
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
        let code = Code { language: lang.into(), source: CodeSource::File, text: file.clone() };
        return match procsub_output(file) {
            Some(text) => vec![Derived::Code {
                code: Code { text, ..code },
                parse: Some((Via::ShellString { shell: name.into() }, VarScope::Fresh)),
                chdir: Chdir::Stay,
            }],
            None => vec![Derived::Code { code, parse: None, chdir: Chdir::Stay }],
        };
    }
    stdin_code(lang, stdin, Some(name))
}

fn stdin_code(lang: &str, stdin: &Stdin, shell: Option<&str>) -> Vec<Derived> {
    match stdin {
        Stdin::Inherited => Vec::new(),
        Stdin::Text { text, piped } => {
            let parse = shell.map(|s| {
                let via =
                    if *piped { Via::PipeToShell { shell: s.into() } } else { Via::HeredocToShell { shell: s.into() } };
                (via, VarScope::Fresh)
            });
            vec![Derived::Code {
                code: Code { language: lang.into(), source: CodeSource::Stdin, text: text.clone() },
                parse,
                chdir: Chdir::Stay,
            }]
        }
        Stdin::From(what) => vec![Derived::Code {
            code: Code {
                language: lang.into(),
                source: CodeSource::Stdin,
                text: Word::unknown(what.clone(), "code read from stdin at run time", Span::default()),
            },
            parse: None,
            chdir: Chdir::Stay,
        }],
    }
}

fn interpreter(name: &str, lang: &str, args: &[Word], stdin: &Stdin) -> Vec<Derived> {
    let code_arg = |text: Word| {
        vec![Derived::Code {
            code: Code { language: lang.into(), source: CodeSource::Argument, text },
            parse: None,
            chdir: Chdir::Stay,
        }]
    };
    let file_arg = |text: Word| {
        vec![Derived::Code {
            code: Code { language: lang.into(), source: CodeSource::File, text },
            parse: None,
            chdir: Chdir::Stay,
        }]
    };
    let base = name.trim_end_matches(|c: char| c.is_ascii_digit() || c == '.');
    let (short_val, long_val, code_opts): (&str, &[&str], &[&str]) = match lang {
        "python" => ("cmWXQ", &["check-hash-based-pycs"], &["c"]),
        "perl" => ("eEIMmxl0", &[], &["e", "E"]),
        "ruby" => ("eIrEFCTW", &["encoding"], &["e"]),
        "javascript" if base == "deno" => ("", &[], &[]),
        "javascript" => {
            ("eprC", &["eval", "print", "require", "import", "conditions", "input-type"], &["e", "p", "eval", "print"])
        }
        "php" => ("rfBREcdz", &[], &["r", "B", "R", "E"]),
        "lua" => ("el", &[], &["e"]),
        "r" | "applescript" => ("e", &[], &["e"]),
        "awk" => ("Ffvei", &["field-separator", "file", "assign", "source", "include"], &["e", "source"]),
        "expect" => ("cfb", &[], &["c"]),
        "powershell" => {
            ("cCfFe", &["command", "file", "encodedcommand"], &["c", "C", "command", "e", "encodedcommand"])
        }
        _ => ("", &[], &[]),
    };
    if lang == "javascript" && base == "deno" {
        if args.first().and_then(|w| w.as_literal()) == Some("eval") {
            if let Some(code) = args.iter().skip(1).find(|a| !a.known_prefix().starts_with('-')) {
                return code_arg(code.clone());
            }
        }
        return Vec::new();
    }
    let s = scan(args, short_val, long_val);
    let codes: Vec<Word> =
        s.opts.iter().filter(|(n, _)| code_opts.contains(&n.as_str())).filter_map(|(_, v)| v.clone()).collect();
    if !codes.is_empty() {
        return code_arg(join_words(&codes, "\n", codes[0].span));
    }
    if lang == "python" && s.has(&["m"]) {
        return Vec::new();
    }
    if lang == "awk" {
        if s.has(&["f", "file"]) {
            return s
                .opts
                .iter()
                .filter(|(n, _)| n == "f" || n == "file")
                .filter_map(|(_, v)| v.clone())
                .flat_map(file_arg)
                .collect();
        }
        return s.operand.map(|i| code_arg(args[i].clone())).unwrap_or_default();
    }
    match s.operand {
        Some(i) if args[i].as_literal() != Some("-") => file_arg(args[i].clone()),
        _ => stdin_code(lang, stdin, None),
    }
}

fn xargs(args: &[Word], stdin: &Stdin, span: Span) -> Vec<Derived> {
    let s = scan(
        args,
        "adEILnPs",
        &["arg-file", "delimiter", "eof", "max-args", "max-procs", "max-chars", "process-slot-var"],
    );
    let mut replace: Option<String> = s.value(&["I"]).and_then(|w| w.as_literal()).map(str::to_string);
    for (n, v) in &s.opts {
        if n == "i" || n == "replace" {
            replace = Some(v.as_ref().and_then(|w| w.as_literal()).unwrap_or("{}").to_string());
        }
    }
    let mut template: Vec<Word> = s.operand.map(|i| args[i..].to_vec()).unwrap_or_default();
    if template.is_empty() {
        template.push(Word::literal("echo", span));
    }
    let items: Result<Vec<String>, String> = if let Some(file) = s.value(&["a", "arg-file"]) {
        Err(format!("the file {}", file.display()))
    } else {
        match stdin {
            Stdin::Text { text: Word { value: Value::Literal(t), .. }, .. } => {
                if s.has(&["0", "null"]) {
                    Ok(t.split('\0').filter(|x| !x.is_empty()).map(str::to_string).collect())
                } else if let Some(d) = s.value(&["d", "delimiter"]).and_then(|w| w.as_literal()) {
                    let d = d.chars().next().unwrap_or('\n');
                    Ok(t.split(d).filter(|x| !x.is_empty()).map(str::to_string).collect())
                } else if replace.is_some() || s.has(&["L", "l"]) {
                    Ok(t.lines().map(str::trim).filter(|x| !x.is_empty()).map(str::to_string).collect())
                } else {
                    Ok(split_args(t, span).iter().map(|w| w.display()).collect())
                }
            }
            Stdin::Text { .. } => Err("partly dynamic text".into()),
            Stdin::From(what) => Err(what.clone()),
            Stdin::Inherited => Err("the caller's stdin".into()),
        }
    };
    let mut out = Vec::new();
    match (items, replace) {
        (Ok(items), Some(r)) => {
            for item in items.iter().take(64) {
                let argv =
                    template.iter().map(|w| replace_in_word(w, &r, &Word::literal(item.as_str(), span))).collect();
                out.push(Derived::Run { argv, via: Via::Xargs, assignments: Vec::new(), chdir: Chdir::Stay });
            }
        }
        (Ok(items), None) => {
            // `-n N` / `-L N` run the command once per batch of N items.
            let batch = s
                .value(&["n", "max-args", "L", "max-lines"])
                .and_then(|w| w.as_literal())
                .and_then(|n| n.parse::<usize>().ok())
                .filter(|&n| n > 0)
                .unwrap_or(usize::MAX);
            let items: Vec<Word> = items.into_iter().map(|i| Word::literal(i, span)).collect();
            let batches: Vec<&[Word]> =
                if items.is_empty() { vec![&[]] } else { items.chunks(batch.min(items.len())).collect() };
            for chunk in batches.into_iter().take(64) {
                let mut argv = template.clone();
                argv.extend_from_slice(chunk);
                out.push(Derived::Run { argv, via: Via::Xargs, assignments: Vec::new(), chdir: Chdir::Stay });
            }
        }
        (Err(from), Some(r)) => {
            let unknown = Word::unknown(r.clone(), format!("each item xargs reads from {from}"), span);
            let argv = template.iter().map(|w| replace_in_word(w, &r, &unknown)).collect();
            out.push(Derived::Run { argv, via: Via::Xargs, assignments: Vec::new(), chdir: Chdir::Stay });
        }
        (Err(from), None) => {
            let mut argv = template;
            argv.push(Word::unknown("…", format!("arguments xargs reads from {from}"), span));
            out.push(Derived::Run { argv, via: Via::Xargs, assignments: Vec::new(), chdir: Chdir::Stay });
        }
    }
    out
}

/// Replace every occurrence of `pat` in a word's known text with `with`.
fn replace_in_word(w: &Word, pat: &str, with: &Word) -> Word {
    let Some(text) = w.as_literal() else { return w.clone() };
    if pat.is_empty() || !text.contains(pat) {
        return w.clone();
    }
    let pieces: Vec<&str> = text.split(pat).collect();
    let mut words = Vec::new();
    for (i, p) in pieces.iter().enumerate() {
        if i > 0 {
            words.push(with.clone());
        }
        words.push(Word::literal(*p, w.span));
    }
    let mut joined = join_words(&words, "", w.span);
    joined.glob = w.glob;
    joined
}

fn find(args: &[Word]) -> Vec<Derived> {
    let mut i = 0;
    while i < args.len() && matches!(args[i].as_literal(), Some("-H" | "-L" | "-P")) {
        i += 1;
    }
    let mut roots = Vec::new();
    while i < args.len() {
        let t = args[i].known_prefix();
        if t.starts_with('-') || matches!(t, "(" | "!" | ")" | ",") {
            break;
        }
        roots.push(args[i].display());
        i += 1;
    }
    if roots.is_empty() {
        roots.push(".".into());
    }
    let found = Word::unknown("{}", format!("each path find matches under {}", roots.join(" ")), Span::default());
    let mut out = Vec::new();
    while i < args.len() {
        if matches!(args[i].as_literal(), Some("-exec" | "-execdir" | "-ok" | "-okdir")) {
            let start = i + 1;
            let mut end = start;
            while end < args.len() {
                match args[end].as_literal() {
                    Some(";") => break,
                    Some("+") if end > start && args[end - 1].as_literal() == Some("{}") => break,
                    _ => end += 1,
                }
            }
            let argv: Vec<Word> = args[start..end]
                .iter()
                .map(|w| {
                    let mut f = found.clone();
                    f.span = w.span;
                    replace_in_word(w, "{}", &f)
                })
                .collect();
            // `-execdir` and `-okdir` run the command in each match's own directory.
            let chdir = match args[i].as_literal() {
                Some("-execdir" | "-okdir") => Chdir::Unknown,
                _ => Chdir::Stay,
            };
            if !argv.is_empty() {
                out.push(Derived::Run { argv, via: Via::FindExec, assignments: Vec::new(), chdir });
            }
            i = end + 1;
        } else {
            i += 1;
        }
    }
    out
}

fn parallel(args: &[Word], stdin: &Stdin, span: Span) -> Vec<Derived> {
    const VALUED: &[&str] = &[
        "-j",
        "--jobs",
        "-S",
        "--sshlogin",
        "-a",
        "--arg-file",
        "-d",
        "--delimiter",
        "--colsep",
        "-C",
        "--timeout",
        "--delay",
        "--results",
        "--joblog",
        "--tmpdir",
        "--workdir",
        "--env",
        "--tag-string",
        "--halt",
        "--retries",
        "--memfree",
        "--load",
        "--nice",
        "--basefile",
        "--return",
        "--sshloginfile",
        "-n",
        "--max-args",
        "-N",
        "-L",
        "--max-lines",
        "-I",
        "-E",
        "--eof",
        "--block",
        "--termseq",
        "--shuf-seed",
        "--tee-file",
    ];
    let mut i = 0;
    while i < args.len() {
        let t = args[i].known_prefix();
        if t.starts_with(":::") || !t.starts_with('-') || t == "-" {
            break;
        }
        i += if VALUED.contains(&t) { 2 } else { 1 };
    }
    let mut template = Vec::new();
    while i < args.len() && !args[i].known_prefix().starts_with(":::") {
        template.push(args[i].clone());
        i += 1;
    }
    // Each `:::` starts an input source; parallel runs every combination of their values.
    let mut sources: Vec<Vec<Word>> = Vec::new();
    let mut dynamic_source: Option<String> = None;
    while i < args.len() {
        let sep = args[i].known_prefix().to_string();
        i += 1;
        let mut values = Vec::new();
        while i < args.len() && !args[i].known_prefix().starts_with(":::") {
            if sep.starts_with("::::") {
                dynamic_source = Some(format!("the file {}", args[i].display()));
            } else {
                values.push(args[i].clone());
            }
            i += 1;
        }
        if !values.is_empty() {
            sources.push(values);
        }
    }
    if sources.is_empty() && dynamic_source.is_none() {
        match stdin {
            Stdin::Text { text: Word { value: Value::Literal(t), .. }, .. } => {
                sources.push(t.lines().filter(|l| !l.is_empty()).map(|l| Word::literal(l, span)).collect())
            }
            Stdin::Text { .. } => dynamic_source = Some("partly dynamic text".into()),
            Stdin::From(w) => dynamic_source = Some(w.clone()),
            Stdin::Inherited => dynamic_source = Some("the caller's stdin".into()),
        }
    }
    if let Some(from) = dynamic_source {
        sources.push(vec![Word::unknown("{}", format!("each input parallel reads from {from}"), span)]);
    }
    let mut combos: Vec<Vec<Word>> = vec![Vec::new()];
    for source in &sources {
        let mut next = Vec::new();
        for c in &combos {
            for v in source {
                if next.len() >= 64 {
                    break;
                }
                let mut c = c.clone();
                c.push(v.clone());
                next.push(c);
            }
        }
        combos = next;
    }
    let mut out = Vec::new();
    for combo in combos.iter().filter(|c| !c.is_empty()) {
        let all = join_words(combo, " ", span);
        let line = if template.is_empty() {
            all
        } else {
            let mut positional = false;
            let mut words: Vec<Word> = template
                .iter()
                .map(|w| {
                    let mut w = w.clone();
                    for (k, v) in combo.iter().enumerate() {
                        let pat = format!("{{{}}}", k + 1);
                        if w.known_prefix().contains(&pat) {
                            positional = true;
                            w = replace_in_word(&w, &pat, v);
                        }
                    }
                    w
                })
                .collect();
            if words.iter().any(|w| w.known_prefix().contains("{}") || w.known_suffix().contains("{}")) {
                words = words.iter().map(|w| replace_in_word(w, "{}", &all)).collect();
            } else if !positional {
                words.push(all);
            }
            join_words(&words, " ", span)
        };
        out.extend(shell_code("sh", line, Via::Parallel, VarScope::Fresh));
    }
    out
}

/// When `file` is a process substitution (`<(echo …)`) whose single command prints literal
/// text, that text.
fn procsub_output(file: &Word) -> Option<Word> {
    let (what, _) = file.unknown_reason()?;
    if !what.starts_with("<(") || file.known_prefix() != "" || matches!(&file.value, Value::Dynamic(p) if p.len() != 1)
    {
        return None;
    }
    // The substitution's own commands are walked after this one; its text is re-read here.
    let body = what.strip_prefix("<(")?.strip_suffix(')')?;
    // Only a single simple command can be judged by its arguments alone.
    let commands = lexer::split_commands(body, 0, body.len());
    if commands.len() != 1 || body.contains(['>', '<', '`']) || body.contains("$(") {
        return None;
    }
    let words = split_args(body, file.span);
    let (prog, rest) = words.split_first()?;
    let fake = Invocation {
        id: 0,
        program: prog.clone(),
        args: rest.to_vec(),
        assignments: Vec::new(),
        redirects: Vec::new(),
        span: file.span,
        via: Vec::new(),
        depth: 0,
        parent: None,
        pipeline: None,
        code: None,
        calls_function: false,
        cwd: None,
        cwd_alternatives: Vec::new(),
        cwd_unknown: false,
    };
    literal_output(&fake, None)
}

/// The exact stdout of a command that only prints its literal arguments: `echo`, `printf`,
/// and `cat` of a heredoc or here-string.
pub fn literal_output(inv: &Invocation, stdin: Option<&Word>) -> Option<Word> {
    let name = inv.program_name()?;
    let args: Option<Vec<&str>> = inv.args.iter().map(|a| a.as_literal()).collect();
    match name {
        "echo" => {
            let args = args?;
            let mut newline = true;
            let mut escapes = false;
            let mut k = 0;
            while k < args.len() {
                let a = args[k];
                if a.len() > 1 && a.starts_with('-') && a[1..].chars().all(|c| "neE".contains(c)) {
                    for c in a[1..].chars() {
                        match c {
                            'n' => newline = false,
                            'e' => escapes = true,
                            _ => escapes = false,
                        }
                    }
                    k += 1;
                } else {
                    break;
                }
            }
            let mut text = args[k..].join(" ");
            if escapes {
                let (t, stop) = backslash_escapes(&text);
                text = t;
                if stop {
                    newline = false;
                }
            }
            if newline {
                text.push('\n');
            }
            Some(Word::literal(text, inv.span))
        }
        "printf" => {
            let args = args?;
            let (fmt, rest) = args.split_first()?;
            if fmt.starts_with('-') {
                return None;
            }
            Some(Word::literal(printf(fmt, rest), inv.span))
        }
        "cat" => {
            if inv.args.iter().all(|a| a.as_literal() == Some("-")) {
                stdin.cloned()
            } else {
                None
            }
        }
        _ => None,
    }
}

/// `echo -e` / `printf %b` escapes. Returns the text and whether `\c` stopped output.
fn backslash_escapes(s: &str) -> (String, bool) {
    let mut out = String::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('a') => out.push('\x07'),
            Some('b') => out.push('\x08'),
            Some('e') | Some('E') => out.push('\x1b'),
            Some('f') => out.push('\x0c'),
            Some('v') => out.push('\x0b'),
            Some('\\') => out.push('\\'),
            Some('c') => return (out, true),
            Some('0') => {
                let mut v = 0u32;
                for _ in 0..3 {
                    match chars.peek().and_then(|d| d.to_digit(8)) {
                        Some(d) => {
                            v = v * 8 + d;
                            chars.next();
                        }
                        None => break,
                    }
                }
                out.push(char::from_u32(v).unwrap_or('\u{FFFD}'));
            }
            Some('x') => {
                let mut v = 0u32;
                let mut n = 0;
                while n < 2 {
                    match chars.peek().and_then(|d| d.to_digit(16)) {
                        Some(d) => {
                            v = v * 16 + d;
                            chars.next();
                            n += 1;
                        }
                        None => break,
                    }
                }
                if n == 0 {
                    out.push_str("\\x");
                } else {
                    out.push(char::from_u32(v).unwrap_or('\u{FFFD}'));
                }
            }
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    (out, false)
}

/// A small printf: `%s`, `%b`, `%d`, `%%`, and escapes; the format is reused while arguments remain.
fn printf(fmt: &str, args: &[&str]) -> String {
    let (fmt, _) = backslash_escapes(fmt);
    let mut out = String::new();
    let mut idx = 0;
    loop {
        let mut consumed = false;
        let mut chars = fmt.chars().peekable();
        while let Some(c) = chars.next() {
            if c != '%' {
                out.push(c);
                continue;
            }
            let mut spec = String::new();
            while let Some(&d) = chars.peek() {
                if d.is_ascii_digit() || "-+ #.".contains(d) {
                    spec.push(d);
                    chars.next();
                } else {
                    break;
                }
            }
            match chars.next() {
                Some('%') => out.push('%'),
                Some(conv) => {
                    let arg = args.get(idx).copied().unwrap_or("");
                    idx += 1;
                    consumed = true;
                    match conv {
                        'b' => out.push_str(&backslash_escapes(arg).0),
                        'q' => out.push_str(arg),
                        _ => out.push_str(arg),
                    }
                }
                None => out.push('%'),
            }
        }
        if !consumed || idx >= args.len() {
            break;
        }
    }
    out
}
