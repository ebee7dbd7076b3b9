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
    /// This user's home directory (`sudo -i`, `su -`, `pkexec`).
    HomeOf(String),
    /// The home directory of the user running the wrapper (`systemd-run --user`).
    OwnHome,
    /// A directory guard cannot know (`find -execdir`, `nsenter -w` with no directory).
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

/// What a program's options look like, for a getopt-style reading.
#[derive(Debug, Clone, Copy, Default)]
struct Spec<'a> {
    /// Short options that take a value, attached (`-uBOB`) or as the next word (`-u BOB`).
    short_val: &'a str,
    /// Short options whose value is optional: only an attached one is theirs (`-w/dir`).
    short_opt: &'a str,
    /// Long options that take a value (`--user=BOB`, `--user BOB`).
    long_val: &'a [&'a str],
    /// Long options known to take no separate value (flags, and `--name[=VALUE]`). Needed only
    /// where one is also the start of a valued name (`--wd` and `--wdns`).
    long_flag: &'a [&'a str],
}

/// One step of a getopt-style reading.
enum Step {
    /// The options in the word at the index (several in a cluster) and the index after them.
    Opts(Vec<(String, Option<Word>)>, usize),
    /// The first operand.
    Operand(usize),
    /// `--` at the index before this one; operands start here.
    DashDash(usize),
    End,
}

/// A long option as getopt_long reads it: an exact name, else an unambiguous start of a known
/// one (`--spl` is `--split-string`). A start of a valued name is taken as valued even when it
/// is ambiguous (the program then refuses to run, so nothing is hidden). Returns the name and
/// whether it takes a value.
fn long_name(spec: &Spec, given: &str) -> (String, bool) {
    if spec.long_val.contains(&given) {
        return (given.to_string(), true);
    }
    if spec.long_flag.contains(&given) {
        return (given.to_string(), false);
    }
    let vals: Vec<&&str> = spec.long_val.iter().filter(|n| !given.is_empty() && n.starts_with(given)).collect();
    let flags: Vec<&&str> = spec.long_flag.iter().filter(|n| !given.is_empty() && n.starts_with(given)).collect();
    match (vals.as_slice(), flags.as_slice()) {
        ([one], []) => (one.to_string(), true),
        ([_, ..], _) => (given.to_string(), true),
        ([], [one]) => (one.to_string(), false),
        _ => (given.to_string(), false),
    }
}

fn step(args: &[Word], i: usize, spec: &Spec) -> Step {
    let Some(a) = args.get(i) else { return Step::End };
    let text = a.known_prefix();
    if a.as_literal() == Some("--") {
        return Step::DashDash(i + 1);
    }
    if let Some(long) = text.strip_prefix("--") {
        if let Some((name, _)) = long.split_once('=') {
            let (full, _) = long_name(spec, name);
            return Step::Opts(vec![(full, Some(strip_word_prefix(a, 2 + name.len() + 1)))], i + 1);
        }
        if a.is_dynamic() {
            // `--$X`: an option guard cannot name; its value, if any, is not taken.
            return Step::Opts(vec![(long.to_string(), None)], i + 1);
        }
        let (full, valued) = long_name(spec, long);
        return if valued {
            Step::Opts(vec![(full, args.get(i + 1).cloned())], i + 2)
        } else {
            Step::Opts(vec![(full, None)], i + 1)
        };
    }
    if text.len() > 1 && text.starts_with('-') {
        let cluster = &text[1..];
        let mut opts = Vec::new();
        let mut next = i + 1;
        for (k, ch) in cluster.char_indices() {
            let valued = spec.short_val.contains(ch);
            if valued || spec.short_opt.contains(ch) {
                let at = 1 + k + ch.len_utf8();
                let rest_empty = at >= text.len() && a.as_literal().is_some();
                let value = if rest_empty && valued {
                    next = i + 2;
                    args.get(i + 1).cloned()
                } else if rest_empty {
                    None
                } else if a.as_literal().is_some() {
                    Some(Word::literal(&text[at..], a.span))
                } else {
                    Some(strip_word_prefix(a, at))
                };
                opts.push((ch.to_string(), value));
                return Step::Opts(opts, next);
            }
            opts.push((ch.to_string(), None));
        }
        return Step::Opts(opts, next);
    }
    Step::Operand(i)
}

/// Getopt-style scan (options first, as with `+` in getopt's option string): every option
/// with its value, and the index of the first operand (after `--` if there is one).
fn scan_spec(args: &[Word], spec: &Spec) -> Scanned {
    let mut opts = Vec::new();
    let mut i = 0;
    loop {
        match step(args, i, spec) {
            Step::Opts(o, next) => {
                opts.extend(o);
                i = next;
            }
            Step::Operand(k) => return Scanned { opts, operand: Some(k) },
            Step::DashDash(k) => return Scanned { opts, operand: (k < args.len()).then_some(k) },
            Step::End => return Scanned { opts, operand: None },
        }
    }
}

/// [`scan_spec`] for programs whose short and long options with values are all it needs.
fn scan(args: &[Word], short_val: &str, long_val: &[&str]) -> Scanned {
    scan_spec(args, &Spec { short_val, long_val, ..Spec::default() })
}

/// A GNU getopt reading that permutes (options may follow operands, up to `--`): every option,
/// and the index of every operand in order.
fn permuted(args: &[Word], spec: &Spec) -> (Scanned, Vec<usize>) {
    let mut opts = Vec::new();
    let mut operands = Vec::new();
    let mut i = 0;
    loop {
        match step(args, i, spec) {
            Step::Opts(o, next) => {
                opts.extend(o);
                i = next;
            }
            Step::Operand(k) => {
                operands.push(k);
                i = k + 1;
            }
            Step::DashDash(k) => {
                operands.extend(k..args.len());
                break;
            }
            Step::End => break,
        }
    }
    (Scanned { opts, operand: None }, operands)
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

/// The operand after index `i` onwards, run by `name` (the common shape: options, then the
/// command).
fn run_operand(s: &Scanned, args: &[Word], name: &str, chdir: Chdir) -> Vec<Derived> {
    s.operand.map(|i| run_in(&args[i..], wrapper(name), chdir)).unwrap_or_default()
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

/// Where a command runs, for reading the paths it is given: every directory guard can name
/// (absolute), and whether it may run somewhere else.
#[derive(Debug, Clone, Default)]
pub struct Here {
    pub dirs: Vec<String>,
    pub unknown: bool,
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
pub fn names_descriptor(file: &Word, here: &Here) -> Option<u32> {
    let path = file.as_literal()?;
    if path.starts_with('/') {
        return descriptor_path(&super::normalize_path(path));
    }
    for d in &here.dirs {
        if let Some(fd) = descriptor_path(&super::normalize_path(&format!("{d}/{path}"))) {
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
fn descriptor_code(name: &str, lang: &str, inv: &Invocation, fd: u32, stdin: &Stdin, scope: VarScope) -> Vec<Derived> {
    let from = if fd == 0 {
        stdin.clone()
    } else {
        match inv.redirects.iter().rev().find(|r| r.fd == Some(fd)) {
            Some(r) if r.stdin_text().is_some() => Stdin::Text { text: r.target.clone(), piped: false },
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
            },
            parse: None,
            chdir: Chdir::Stay,
        });
    }
    out
}

/// What running `inv` runs in turn. `here` is where it runs.
pub fn derive(inv: &Invocation, stdin: &Stdin, here: &Here) -> Vec<Derived> {
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
            let s = scan_spec(
                args,
                &Spec { long_val: &["userspec", "groups"], long_flag: &["skip-chdir"], ..Spec::default() },
            );
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
        "unshare" => {
            let s = scan_spec(
                args,
                &Spec {
                    short_val: "RwSG",
                    long_val: &[
                        "root",
                        "wd",
                        "setuid",
                        "setgid",
                        "propagation",
                        "setgroups",
                        "map-user",
                        "map-group",
                        "map-users",
                        "map-groups",
                        "monotonic",
                        "boottime",
                        "load-interp",
                    ],
                    // The namespace options take a file only as `--mount=FILE`.
                    long_flag: &[
                        "mount",
                        "uts",
                        "ipc",
                        "net",
                        "pid",
                        "user",
                        "cgroup",
                        "time",
                        "fork",
                        "kill-child",
                        "mount-proc",
                        "map-root-user",
                        "map-current-user",
                        "map-auto",
                        "keep-caps",
                    ],
                    ..Spec::default()
                },
            );
            let chdir = match s.value(&["w", "wd"]) {
                Some(d) => Chdir::To(d.clone()),
                // A new root without `--wd`: where the command starts is not the caller's directory.
                None if s.has(&["R", "root"]) => Chdir::Unknown,
                None => Chdir::Stay,
            };
            match s.operand {
                Some(i) => run_in(&args[i..], wrapper(name), chdir),
                None => run_in(&[login_shell(span, "unshare with no command starts a shell")], wrapper(name), chdir),
            }
        }
        "nsenter" => {
            let s = scan_spec(
                args,
                &Spec {
                    short_val: "tSGW",
                    // `-w[DIR]`, `-r[DIR]` and the namespace options take a value only attached.
                    short_opt: "muinpCUTrw",
                    long_val: &["target", "setuid", "setgid", "wdns"],
                    long_flag: &[
                        "all",
                        "mount",
                        "uts",
                        "ipc",
                        "net",
                        "pid",
                        "cgroup",
                        "user",
                        "time",
                        "root",
                        "wd",
                        "preserve-credentials",
                        "no-fork",
                        "follow-context",
                        "join-cgroup",
                        "user-parent",
                        "keep-caps",
                        "env",
                    ],
                },
            );
            let chdir = if let Some(d) = s.value(&["W", "wdns"]) {
                Chdir::To(d.clone())
            } else if s.has(&["w", "wd"]) {
                // With no directory: the target process's working directory.
                s.value(&["w", "wd"]).map(|d| Chdir::To(d.clone())).unwrap_or(Chdir::Unknown)
            } else if s.has(&["r", "root"]) {
                Chdir::Unknown
            } else {
                Chdir::Stay
            };
            match s.operand {
                Some(i) => run_in(&args[i..], wrapper(name), chdir),
                None => run_in(&[login_shell(span, "nsenter with no command starts a shell")], wrapper(name), chdir),
            }
        }
        "taskset" => {
            let s = scan(args, "", &[]);
            if s.has(&["p", "pid", "h", "help", "V", "version"]) {
                return Vec::new();
            }
            // The mask (or CPU list) comes first, then the command.
            s.operand.map(|i| run(&args[(i + 1).min(args.len())..], wrapper(name))).unwrap_or_default()
        }
        "chrt" => {
            let s = scan(args, "TPD", &["sched-runtime", "sched-period", "sched-deadline"]);
            if s.has(&["p", "pid", "m", "max", "h", "help", "V", "version"]) {
                return Vec::new();
            }
            let Some(i) = s.operand else { return Vec::new() };
            // The priority comes first; newer chrt lets the policies without one leave it out.
            let start = match args[i].as_literal() {
                Some(p) if p.parse::<i64>().is_ok() => i + 1,
                Some(_) => i,
                None if i + 1 < args.len() => i + 1,
                None => i,
            };
            run(&args[start..], wrapper(name))
        }
        "setpriv" => {
            let s = scan_spec(
                args,
                &Spec {
                    long_val: &[
                        "ambient-caps",
                        "inh-caps",
                        "bounding-set",
                        "ruid",
                        "euid",
                        "rgid",
                        "egid",
                        "reuid",
                        "regid",
                        "groups",
                        "securebits",
                        "pdeathsig",
                        "selinux-label",
                        "apparmor-profile",
                        "landlock-access",
                        "landlock-rule",
                        "seccomp-filter",
                        "ptracer",
                    ],
                    long_flag: &[
                        "dump",
                        "nnp",
                        "no-new-privs",
                        "clear-groups",
                        "keep-groups",
                        "init-groups",
                        "reset-env",
                    ],
                    ..Spec::default()
                },
            );
            if s.has(&["d", "dump", "h", "help", "V", "version"]) {
                return Vec::new();
            }
            run_operand(&s, args, name, Chdir::Stay)
        }
        // Programs that run the command they are given, once they have set something up.
        "ssh-agent" | "dbus-run-session" | "xvfb-run" | "systemd-inhibit" | "dbus-launch" => {
            let (short, long): (&str, &[&str]) = match name {
                "ssh-agent" => ("aEOPt", &[]),
                "dbus-run-session" => ("", &["config-file", "dbus-daemon"]),
                "xvfb-run" => {
                    ("nsefpw", &["server-num", "server-args", "error-file", "auth-file", "xauth-protocol", "wait"])
                }
                "systemd-inhibit" => ("", &["what", "who", "why", "mode"]),
                _ => ("", &[]),
            };
            let s = scan(args, short, long);
            s.operand.map(|i| run(&args[i..], wrapper(name))).unwrap_or_default()
        }
        // The dynamic loader runs the program named after its options.
        n if n.starts_with("ld-linux") || n.starts_with("ld.so") || n.starts_with("ld64.so") => {
            let s = scan(args, "", &["library-path", "preload", "argv0", "audit", "inhibit-rpath"]);
            s.operand.map(|i| run(&args[i..], wrapper(name))).unwrap_or_default()
        }
        // `screen -dm CMD ARGS`: a detached session running CMD (with no command, a shell).
        "screen" => {
            // Whole-word options that run nothing: listing, reattaching, wiping, a version.
            let lists = |a: &Word| matches!(a.as_literal(), Some("-ls" | "-list" | "-wipe" | "-version" | "-v"));
            if args.iter().any(lists) {
                return Vec::new();
            }
            let s = scan(args, "cehpsSTX", &[]);
            if s.has(&["r", "R", "x", "Q", "X"]) {
                return Vec::new();
            }
            match s.operand {
                Some(i) => run(&args[i..], wrapper(name)),
                None => run(&[login_shell(span, "screen with no command starts a shell")], wrapper(name)),
            }
        }
        // `tmux new-session [-d] [opts] [SHELL-COMMAND]`, `tmux new-window …`, `tmux run-shell …`,
        // `tmux send-keys … Enter` to a pane: shell text run in a session.
        "tmux" => tmux(args, span),
        // `at`/`batch` read the commands to run later on stdin (or `-f FILE`).
        "at" | "batch" => {
            let s = scan(args, "qfmMtb", &[]);
            if s.has(&["l", "d", "r", "c", "V"]) {
                return Vec::new();
            }
            match s.value(&["f"]) {
                Some(file) => {
                    let code = Code { language: "sh".into(), source: CodeSource::File, text: file.clone() };
                    vec![Derived::Code { code, parse: None, chdir: Chdir::Stay }]
                }
                None => stdin_code("sh", stdin, Some(name)),
            }
        }
        "fakeroot" => {
            let s = scan(args, "lisb", &["lib", "faked", "fd-base"]);
            if s.has(&["h", "help", "v", "version"]) {
                return Vec::new();
            }
            match s.operand {
                Some(i) => run(&args[i..], wrapper(name)),
                None => run(&[login_shell(span, "fakeroot with no command starts a shell")], wrapper(name)),
            }
        }
        "prlimit" => {
            let s = scan_spec(
                args,
                &Spec {
                    short_val: "po",
                    // Each resource takes its limits only attached (`--nofile=8`, `-n8`).
                    short_opt: "cdefilmnqrstuvxy",
                    long_val: &["pid", "output"],
                    long_flag: &[
                        "noheadings",
                        "raw",
                        "verbose",
                        "core",
                        "data",
                        "nice",
                        "fsize",
                        "sigpending",
                        "memlock",
                        "rss",
                        "nofile",
                        "msgqueue",
                        "rtprio",
                        "stack",
                        "cpu",
                        "nproc",
                        "as",
                        "locks",
                        "rttime",
                    ],
                },
            );
            if s.has(&["p", "pid", "h", "help", "V", "version"]) {
                return Vec::new();
            }
            run_operand(&s, args, name, Chdir::Stay)
        }
        "systemd-run" => systemd_run(args, span),
        "pkexec" => {
            let (mut i, mut user, mut keep) = (0, None, false);
            while let Some(t) = args.get(i).and_then(|a| a.as_literal()) {
                match t {
                    "--user" => {
                        user = args.get(i + 1);
                        i += 2;
                    }
                    "--keep-cwd" => {
                        keep = true;
                        i += 1;
                    }
                    "--disable-internal-agent" => i += 1,
                    "--help" | "--version" => return Vec::new(),
                    "--" => {
                        i += 1;
                        break;
                    }
                    _ => break,
                }
            }
            // pkexec runs the program in the target user's home directory.
            let chdir = if keep { Chdir::Stay } else { home_of(user, "root") };
            match args.get(i..).filter(|r| !r.is_empty()) {
                Some(rest) => run_in(rest, wrapper(name), chdir),
                None => run_in(&[login_shell(span, "pkexec with no program starts a shell")], wrapper(name), chdir),
            }
        }
        "numactl" => {
            let s = scan_spec(
                args,
                &Spec {
                    short_val: "wISfoLMiPpmNCc",
                    long_val: &[
                        "interleave",
                        "weighted-interleave",
                        "preferred",
                        "preferred-many",
                        "cpubind",
                        "cpunodebind",
                        "physcpubind",
                        "membind",
                        "shm",
                        "file",
                        "offset",
                        "length",
                        "shmmode",
                        "shmid",
                    ],
                    ..Spec::default()
                },
            );
            if s.has(&["H", "hardware", "s", "show", "h", "help"]) {
                return Vec::new();
            }
            run_operand(&s, args, name, Chdir::Stay)
        }
        "cgexec" => {
            let s = scan(args, "g", &[]);
            if s.has(&["h", "help"]) {
                return Vec::new();
            }
            run_operand(&s, args, name, Chdir::Stay)
        }
        // `sg GROUP [-c] CODE [ARG…]` runs `sh -c CODE ARG…`; with no code, a shell reading stdin.
        "sg" => {
            let mut i = usize::from(args.first().and_then(|a| a.as_literal()) == Some("-")) + 1;
            let group_given = args.len() >= i;
            let dash_c = args.get(i).and_then(|a| a.as_literal()) == Some("-c");
            if dash_c {
                i += 1;
            }
            match args.get(i) {
                Some(code) => shell_code("sh", code.clone(), Via::ShellString { shell: "sg".into() }, VarScope::Fresh),
                None if group_given && !dash_c => {
                    let mut out = run(&[login_shell(span, "sg with no command starts a shell")], wrapper(name));
                    out.extend(stdin_code("sh", stdin, Some("sg")));
                    out
                }
                None => Vec::new(),
            }
        }
        // runit's chpst and its personalities.
        "chpst" => {
            let s = scan(args, "uUbe/CnlLmdopfcrt", &[]);
            let chdir = match (s.value(&["C"]), s.has(&["/"])) {
                (Some(d), _) => Chdir::To(d.clone()),
                (None, true) => Chdir::Unknown,
                (None, false) => Chdir::Stay,
            };
            run_operand(&s, args, name, chdir)
        }
        "softlimit" => {
            let s = scan(args, "adfmoprtcls", &[]);
            run_operand(&s, args, name, Chdir::Stay)
        }
        "pgrphack" => run(args, wrapper(name)),
        // `envdir DIR cmd`, `setuidgid USER cmd`, `setlock FILE cmd`: one operand, then the command.
        "envdir" | "setuidgid" | "envuidgid" | "setlock" => {
            let s = scan(args, "", &[]);
            s.operand.map(|i| run(&args[(i + 1).min(args.len())..], wrapper(name))).unwrap_or_default()
        }
        "daemonize" => {
            let s = scan(args, "ceopluE", &[]);
            // daemonize runs the program in `/` unless told otherwise.
            let chdir = Chdir::To(s.value(&["c"]).cloned().unwrap_or_else(|| Word::literal("/", span)));
            run_operand(&s, args, name, chdir)
        }
        "gdb" => gdb(args),
        "bwrap" => bwrap(args, span),
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
        "su" | "runuser" => su(name, args, stdin, inv, here),
        "script" => {
            let spec = Spec {
                short_val: "cEIOBTmo",
                short_opt: "t",
                long_val: &[
                    "command",
                    "echo",
                    "log-in",
                    "log-out",
                    "log-io",
                    "log-timing",
                    "logging-format",
                    "output-limit",
                ],
                long_flag: &["timing", "append", "return", "flush", "force", "quiet", "help", "version"],
            };
            // util-linux script takes its options anywhere (`script -q /dev/null -c CODE`).
            let (s, _) = permuted(args, &spec);
            if s.has(&["h", "help", "V", "version"]) {
                return Vec::new();
            }
            match s.value(&["c", "command"]) {
                Some(code) => {
                    shell_code("sh", code.clone(), Via::ShellString { shell: "script".into() }, VarScope::Fresh)
                }
                // Without a command it starts the user's shell, which reads script's stdin.
                None => {
                    let mut out =
                        run(&[login_shell(span, "script with no command starts the user's shell")], wrapper(name));
                    out.extend(stdin_code("sh", stdin, Some("script")));
                    out
                }
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
            let args = if args.first().and_then(|a| a.as_literal()) == Some("--") { &args[1..] } else { args };
            let Some(file) = args.first() else { return Vec::new() };
            if let Some(fd) = names_descriptor(file, here) {
                return descriptor_code(name, "bash", inv, fd, stdin, VarScope::Shared);
            }
            let code = Code { language: "bash".into(), source: CodeSource::File, text: file.clone() };
            match procsub_output(file) {
                Some(text) => vec![Derived::Code {
                    code: Code { text, ..code },
                    parse: Some((Via::Source, VarScope::Shared)),
                    chdir: Chdir::Stay,
                }],
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
        "guard" => guard(args, stdin, inv, here),
        _ if is_shell(name) => shell(name, name, args, stdin, inv, here),
        _ => match interpreter_language(name) {
            Some(lang) => interpreter(name, lang, args, stdin, inv, here),
            None => Vec::new(),
        },
    }
}

fn env_command(args: &[Word]) -> Vec<Derived> {
    const SPEC: Spec<'static> = Spec {
        short_val: "uCSPa",
        short_opt: "",
        long_val: &["unset", "chdir", "split-string", "argv0"],
        // The signal options take a value only as `--default-signal=SIG`.
        long_flag: &[
            "ignore-environment",
            "null",
            "debug",
            "block-signal",
            "default-signal",
            "ignore-signal",
            "list-signal-handling",
            "help",
            "version",
        ],
    };
    let mut argv = args.to_vec();
    let mut i = 0;
    let mut chdir = Chdir::Stay;
    let mut splits = 0;
    loop {
        match step(&argv, i, &SPEC) {
            Step::Opts(opts, next) => {
                i = next;
                for (name, value) in opts {
                    match (name.as_str(), value) {
                        ("C" | "chdir", Some(dir)) => chdir = Chdir::To(dir),
                        // `-S STRING` is split into words that take its place, options included
                        // (`env -S '-C /tmp rm x'`).
                        ("S" | "split-string", Some(text)) if splits < 16 => {
                            splits += 1;
                            argv.splice(i..i, split_string(&text));
                        }
                        ("help" | "version", _) => return Vec::new(),
                        _ => {}
                    }
                }
            }
            Step::Operand(k) | Step::DashDash(k) => {
                i = k;
                break;
            }
            Step::End => return Vec::new(),
        }
    }
    // A lone `-` means `-i`.
    if argv.get(i).and_then(|w| w.as_literal()) == Some("-") {
        i += 1;
    }
    run_with_assignments(argv.get(i..).unwrap_or(&[]), wrapper("env"), chdir)
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

/// Every derived command or code, run in `chdir`.
fn with_chdir(mut out: Vec<Derived>, chdir: &Chdir) -> Vec<Derived> {
    for d in &mut out {
        match d {
            Derived::Run { chdir: c, .. } | Derived::Code { chdir: c, .. } => *c = chdir.clone(),
        }
    }
    out
}

/// `su [-] [USER [ARG…]]` and `runuser`: `-c CODE` (anywhere: su permutes its options), the
/// arguments after the user (given to the target user's shell: `su bob -- -c CODE`), or a
/// shell that reads stdin; `runuser -u USER CMD…` runs the command itself. A login (`-`, `-l`)
/// starts in the target user's home.
fn su(name: &str, args: &[Word], stdin: &Stdin, inv: &Invocation, here: &Here) -> Vec<Derived> {
    let spec = Spec {
        short_val: "csgGuw",
        short_opt: "",
        long_val: &["command", "session-command", "shell", "group", "supp-group", "user", "whitelist-environment"],
        long_flag: &["login", "preserve-environment", "pty", "fast", "help", "version"],
    };
    let (s, operands) = permuted(args, &spec);
    if s.has(&["h", "help", "V", "version"]) {
        return Vec::new();
    }
    let mut ops = operands.as_slice();
    let mut login = s.has(&["l", "login"]);
    if ops.first().is_some_and(|&k| args[k].as_literal() == Some("-")) {
        login = true;
        ops = &ops[1..];
    }
    if name == "runuser" {
        if let Some(user) = s.value(&["u", "user"]) {
            let chdir = if login { home_of(Some(user), "root") } else { Chdir::Stay };
            let argv: Vec<Word> = ops.iter().map(|&k| args[k].clone()).collect();
            return run_in(&argv, wrapper(name), chdir);
        }
    }
    let user = ops.first().map(|&k| &args[k]);
    let chdir = if login { home_of(user, "root") } else { Chdir::Stay };
    let out = if let Some(code) = s.value(&["c", "command", "session-command"]) {
        shell_code("sh", code.clone(), Via::ShellString { shell: name.into() }, VarScope::Fresh)
    } else {
        let rest: Vec<Word> = ops.iter().skip(1).map(|&k| args[k].clone()).collect();
        if rest.is_empty() {
            let why = format!("{name} with no command starts the target user's shell");
            let mut out = run(&[login_shell(inv.span, &why)], wrapper(name));
            out.extend(stdin_code("sh", stdin, Some(name)));
            out
        } else {
            shell(name, "sh", &rest, stdin, inv, here)
        }
    };
    with_chdir(out, &chdir)
}

/// `systemd-run [OPTIONS] CMD…`: a transient service runs in `/` (the user's home for
/// `--user`) unless `--scope`, `--same-dir` or a working directory says otherwise.
fn systemd_run(args: &[Word], span: Span) -> Vec<Derived> {
    let spec = Spec {
        short_val: "HMupEC",
        short_opt: "",
        long_val: &[
            "host",
            "machine",
            "unit",
            "property",
            "description",
            "slice",
            "service-type",
            "uid",
            "gid",
            "nice",
            "working-directory",
            "setenv",
            "path-property",
            "socket-property",
            "timer-property",
            "on-active",
            "on-boot",
            "on-startup",
            "on-unit-active",
            "on-unit-inactive",
            "on-calendar",
            "expand-environment",
            "json",
            "background",
            "capsule",
        ],
        long_flag: &[
            "no-ask-password",
            "user",
            "system",
            "scope",
            "slice-inherit",
            "no-block",
            "remain-after-exit",
            "wait",
            "send-sighup",
            "same-dir",
            "pty",
            "pty-late",
            "pipe",
            "quiet",
            "collect",
            "shell",
            "on-timezone-change",
            "on-clock-change",
            "ignore-failure",
            "verbose",
            "help",
            "version",
        ],
    };
    let s = scan_spec(args, &spec);
    if s.has(&["h", "help", "version"]) {
        return Vec::new();
    }
    let user = s.has(&["user"]);
    let service_home = || if user { Chdir::OwnHome } else { home_of(s.value(&["uid"]), "root") };
    let property_dir = s
        .opts
        .iter()
        .filter(|(n, _)| n == "p" || n == "property")
        .filter_map(|(_, v)| v.as_ref())
        .filter(|v| v.known_prefix().starts_with("WorkingDirectory="))
        .map(|v| strip_word_prefix(v, "WorkingDirectory=".len()))
        .next_back();
    let chdir = if s.has(&["H", "host", "M", "machine", "C", "capsule"]) {
        Chdir::Unknown
    } else if let Some(dir) = s.value(&["working-directory"]) {
        Chdir::To(dir.clone())
    } else if let Some(dir) = property_dir {
        // `-` in front means "ignore if missing"; `~` is the service user's home.
        match dir.as_literal().map(|d| d.trim_start_matches('-')) {
            Some("~") => service_home(),
            Some(d) => Chdir::To(Word::literal(d, dir.span)),
            None => Chdir::Unknown,
        }
    } else if s.has(&["scope", "d", "same-dir", "S", "shell"]) {
        Chdir::Stay
    } else if user {
        Chdir::OwnHome
    } else {
        Chdir::To(Word::literal("/", span))
    };
    match s.operand {
        Some(i) => run_in(&args[i..], wrapper("systemd-run"), chdir),
        None if s.has(&["S", "shell"]) => {
            run_in(&[login_shell(span, "systemd-run --shell starts the user's shell")], wrapper("systemd-run"), chdir)
        }
        None => Vec::new(),
    }
}

/// `gdb [OPTIONS] --args PROG ARG…` runs PROG; `-ex 'shell CMD'` (or `!CMD`, `pipe … | CMD`)
/// runs shell code. gdb reads long options with one dash or two.
fn gdb(args: &[Word]) -> Vec<Derived> {
    const VALUED: &[&str] = &[
        "ex",
        "eval-command",
        "iex",
        "init-eval-command",
        "x",
        "command",
        "ix",
        "init-command",
        "p",
        "pid",
        "c",
        "core",
        "cd",
        "d",
        "directory",
        "s",
        "symbols",
        "e",
        "exec",
        "se",
        "b",
        "l",
        "tty",
        "i",
        "interpreter",
        "D",
        "data-directory",
    ];
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
            None if VALUED.contains(&body) && !a.is_dynamic() => (body, args.get(i + 1).cloned(), i + 2),
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

/// `bwrap [OPTIONS] CMD…`: bubblewrap reads its options by exact name, many with one or more
/// values; `--chdir DIR` is where the command starts.
fn bwrap(args: &[Word], span: Span) -> Vec<Derived> {
    const VALUES: &[(&str, usize)] = &[
        ("--args", 1),
        ("--argv0", 1),
        ("--userns", 1),
        ("--userns2", 1),
        ("--pidns", 1),
        ("--uid", 1),
        ("--gid", 1),
        ("--hostname", 1),
        ("--chdir", 1),
        ("--setenv", 2),
        ("--unsetenv", 1),
        ("--lock-file", 1),
        ("--sync-fd", 1),
        ("--bind", 2),
        ("--bind-try", 2),
        ("--dev-bind", 2),
        ("--dev-bind-try", 2),
        ("--ro-bind", 2),
        ("--ro-bind-try", 2),
        ("--bind-fd", 2),
        ("--ro-bind-fd", 2),
        ("--remount-ro", 1),
        ("--exec-label", 1),
        ("--file-label", 1),
        ("--proc", 1),
        ("--dev", 1),
        ("--tmpfs", 1),
        ("--mqueue", 1),
        ("--dir", 1),
        ("--file", 2),
        ("--bind-data", 2),
        ("--ro-bind-data", 2),
        ("--symlink", 2),
        ("--seccomp", 1),
        ("--add-seccomp-fd", 1),
        ("--block-fd", 1),
        ("--userns-block-fd", 1),
        ("--info-fd", 1),
        ("--json-status-fd", 1),
        ("--cap-add", 1),
        ("--cap-drop", 1),
        ("--perms", 1),
        ("--size", 1),
        ("--chmod", 2),
        ("--overlay-src", 1),
        ("--overlay", 3),
        ("--tmp-overlay", 1),
        ("--ro-overlay", 1),
    ];
    let mut i = 0;
    let mut chdir = Chdir::Stay;
    let mut from_fd = false;
    while let Some(a) = args.get(i) {
        let t = a.known_prefix();
        if a.as_literal() == Some("--") {
            i += 1;
            break;
        }
        if !t.starts_with("--") {
            break;
        }
        if t == "--chdir" {
            if let Some(d) = args.get(i + 1) {
                chdir = Chdir::To(d.clone());
            }
        }
        from_fd |= t == "--args";
        i += 1 + VALUES.iter().find(|(o, _)| *o == t).map_or(0, |(_, n)| *n);
    }
    match args.get(i..).filter(|r| !r.is_empty()) {
        Some(rest) => run_in(rest, wrapper("bwrap"), chdir),
        // `--args FD` reads more arguments, the command among them, from a descriptor.
        None if from_fd => run_in(
            &[Word::unknown("…", "a command bwrap reads from a descriptor (--args)", span)],
            wrapper("bwrap"),
            chdir,
        ),
        None => Vec::new(),
    }
}

/// Options anywhere among the arguments (GNU getopt permutes): every `(name, value)` found.
fn scan_all(args: &[Word], short_val: &str, long_val: &[&str]) -> Scanned {
    permuted(args, &Spec { short_val, long_val, ..Spec::default() }).0
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

/// tmux subcommands that run shell text: `new-session`/`new`, `new-window`/`neww`,
/// `split-window`/`splitw`, `respawn-pane`, `run-shell`/`run`; the text is their last operand
/// (tmux hands it to a shell). `send-keys` types into a pane: what it types is unknown code.
fn tmux(args: &[Word], span: Span) -> Vec<Derived> {
    let s = scan(args, "LSf", &[]);
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
        let o = scan(&rest[1..], "censtFxyTw", &[]);
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
        };
        return vec![Derived::Code { code, parse: None, chdir: Chdir::Stay }];
    }
    Vec::new()
}

/// `guard …` inside a command is a wrapper like `bash -c` or `sudo`: what it would run is judged
/// here, whatever the nested guard would make of it (its own options cannot loosen what the
/// guard judging this command decides).
fn guard(args: &[Word], stdin: &Stdin, inv: &Invocation, here: &Here) -> Vec<Derived> {
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
            },
            parse: None,
            chdir: Chdir::Stay,
        }],
    }
}

fn shell(name: &str, lang: &str, args: &[Word], stdin: &Stdin, inv: &Invocation, here: &Here) -> Vec<Derived> {
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

fn interpreter(name: &str, lang: &str, args: &[Word], stdin: &Stdin, inv: &Invocation, here: &Here) -> Vec<Derived> {
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
        // A script path naming a descriptor (`python3 /dev/stdin <<EOF`) is the code it holds.
        Some(i) if args[i].as_literal() == Some("-") => stdin_code(lang, stdin, None),
        Some(i) => match names_descriptor(&args[i], here) {
            Some(fd) => {
                let mut out = descriptor_code(name, lang, inv, fd, stdin, VarScope::Fresh);
                for d in &mut out {
                    if let Derived::Code { parse, .. } = d {
                        *parse = None;
                    }
                }
                out
            }
            None => file_arg(args[i].clone()),
        },
        None => stdin_code(lang, stdin, None),
    }
}

fn xargs(args: &[Word], stdin: &Stdin, span: Span) -> Vec<Derived> {
    let s = scan_spec(
        args,
        &Spec {
            short_val: "adEILnPs",
            // `-e[EOF]`, `-i[R]`, `-l[N]` (and their long forms) take a value only attached.
            short_opt: "eil",
            long_val: &["arg-file", "delimiter", "max-args", "max-procs", "max-chars", "process-slot-var"],
            long_flag: &[
                "null",
                "eof",
                "replace",
                "max-lines",
                "interactive",
                "no-run-if-empty",
                "open-tty",
                "exit",
                "verbose",
                "show-limits",
            ],
        },
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
    // `-L N` (`-l`, `--max-lines`) runs the command once per N lines, each line's words its
    // arguments; otherwise each item is one argument.
    let by_lines = replace.is_none() && s.has(&["L", "l", "max-lines"]);
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
            // `-n N` / `-L N` run the command once per batch of N items (or lines).
            let names: &[&str] = if by_lines { &["L", "l", "max-lines"] } else { &["n", "max-args"] };
            let batch = s
                .value(names)
                .and_then(|w| w.as_literal())
                .and_then(|n| n.parse::<usize>().ok())
                .filter(|&n| n > 0)
                .unwrap_or(if by_lines { 1 } else { usize::MAX });
            let units: Vec<Vec<Word>> = items
                .into_iter()
                .map(|i| if by_lines { split_args(&i, span) } else { vec![Word::literal(i, span)] })
                .collect();
            let batches: Vec<&[Vec<Word>]> =
                if units.is_empty() { vec![&[]] } else { units.chunks(batch.min(units.len())).collect() };
            for chunk in batches.into_iter().take(64) {
                let mut argv = template.clone();
                argv.extend(chunk.iter().flatten().cloned());
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
    let plain = Word::unknown("{}", format!("each path find matches under {}", roots.join(" ")), Span::default());
    let mut found = plain.clone();
    // With one start point known, what find hands over is somewhere beneath it: the word keeps
    // that directory as its known start, so rules can place it (`find ~/.x -exec rm {} +`).
    if let [root] = roots.as_slice() {
        if !root.contains('‹') && !root.is_empty() {
            let dir = if root.ends_with('/') { root.clone() } else { format!("{root}/") };
            found.value = Value::Dynamic(vec![
                Part::Text(dir),
                Part::Unknown { what: "{}".into(), why: format!("each path find matches under {root}") },
            ]);
        }
    }
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
            // `-execdir` hands over `./NAME` in the match's own directory, not the full path.
            let each = if matches!(args[i].as_literal(), Some("-execdir" | "-okdir")) { &plain } else { &found };
            let argv: Vec<Word> = args[start..end]
                .iter()
                .map(|w| {
                    let mut f = each.clone();
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
                let (t, stop) = backslash_escapes(&text)?;
                text = t;
                if stop {
                    newline = false;
                }
            } else if text.contains('\\') {
                // With `shopt -s xpg_echo` echo reads escapes unasked: which it is, is unknown.
                return None;
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
            Some(Word::literal(printf(fmt, rest)?, inv.span))
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

/// `echo -e` / `printf %b` escapes (octal as `\0NNN`). Returns the text and whether `\c`
/// stopped output; `None` for what is not modelled here (`\u`, `\U`), rather than a guess.
fn backslash_escapes(s: &str) -> Option<(String, bool)> {
    escapes(s, false)
}

/// The escapes of printf's own format: octal as `\NNN` (one to three digits), not `\0NNN`.
fn format_escapes(s: &str) -> Option<String> {
    escapes(s, true).map(|(t, _)| t)
}

fn escapes(s: &str, format: bool) -> Option<(String, bool)> {
    let mut out = String::new();
    let mut chars = s.chars().peekable();
    let digits = |chars: &mut std::iter::Peekable<std::str::Chars>, radix: u32, max: usize| {
        let mut v = 0u32;
        let mut n = 0;
        while n < max {
            match chars.peek().and_then(|d| d.to_digit(radix)) {
                Some(d) => {
                    v = v * radix + d;
                    chars.next();
                    n += 1;
                }
                None => break,
            }
        }
        (v, n)
    };
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
            Some('c') if !format => return Some((out, true)),
            Some('0') if !format => {
                let (v, _) = digits(&mut chars, 8, 3);
                out.push(char::from_u32(v).unwrap_or('\u{FFFD}'));
            }
            Some(d) if format && d.is_digit(8) => {
                let (rest, n) = digits(&mut chars, 8, 2);
                let v = d.to_digit(8).unwrap_or(0) * 8u32.pow(n as u32) + rest;
                out.push(char::from_u32(v).unwrap_or('\u{FFFD}'));
            }
            Some('x') => {
                let (v, n) = digits(&mut chars, 16, 2);
                if n == 0 {
                    out.push_str("\\x");
                } else {
                    out.push(char::from_u32(v).unwrap_or('\u{FFFD}'));
                }
            }
            // Unicode escapes and anything else bash might read its own way: not guessed at.
            Some('u') | Some('U') => return None,
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    Some((out, false))
}

/// A small printf: `%s`, `%b`, `%c`, `%d`/`%i` of a plain number and `%%`, with the format
/// reused while arguments remain. Anything else (widths, precisions, flags, other
/// conversions) gives `None`: output guard cannot be sure of is unknown, never a guess.
fn printf(fmt: &str, args: &[&str]) -> Option<String> {
    let fmt = format_escapes(fmt)?;
    let mut out = String::new();
    let mut idx = 0;
    loop {
        let mut consumed = false;
        let mut chars = fmt.chars();
        while let Some(c) = chars.next() {
            if c != '%' {
                out.push(c);
                continue;
            }
            match chars.next()? {
                '%' => out.push('%'),
                conv => {
                    let arg = args.get(idx).copied().unwrap_or("");
                    idx += 1;
                    consumed = true;
                    match conv {
                        's' => out.push_str(arg),
                        'b' => {
                            let (t, stop) = backslash_escapes(arg)?;
                            out.push_str(&t);
                            if stop {
                                return Some(out);
                            }
                        }
                        'c' => out.extend(arg.chars().next()),
                        'd' | 'i' if arg.is_empty() => out.push('0'),
                        'd' | 'i' => out.push_str(&arg.parse::<i64>().ok()?.to_string()),
                        _ => return None,
                    }
                }
            }
        }
        if !consumed || idx >= args.len() {
            break;
        }
    }
    Some(out)
}
