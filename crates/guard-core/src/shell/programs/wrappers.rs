//! Wrappers that set something up and run the command after their options: `env`, `command`,
//! `nohup`, `exec`, `setsid`, `time`, `timeout`, `flock`, `watch`, `fakeroot`, the dynamic
//! loader, tracers, and programs that start a session bus or agent first.

use super::getopt::{scan_all, scan_spec, step, Spec, Step};
use super::knowledge::{wrapper_options, DYNAMIC_LOADER, ENV, EXEC, FAKEROOT, FLOCK, TIME, TIMEOUT, WATCH};
use super::words::{join_words, split_string, strip_word_prefix};
use super::{login_shell, run, run_operand, run_unless, shell_code, wrapper, Chdir, Derived, VarScope};
use crate::plan::{Assignment, Span, Via, Word};
use crate::shell::lexer;

pub(super) fn env_command(args: &[Word]) -> Vec<Derived> {
    let mut argv = args.to_vec();
    let mut i = 0;
    let mut chdir = Chdir::Stay;
    let mut splits = 0;
    loop {
        match step(&argv, i, &ENV) {
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
pub(super) fn run_with_assignments(argv: &[Word], via: Via, chdir: Chdir) -> Vec<Derived> {
    let mut assignments = Vec::new();
    let mut i = 0;
    while let Some(a) = argv.get(i) {
        let text = a.known_prefix();
        match text.split_once('=') {
            // env takes any word with a `=` in it as an assignment, whatever the name
            // (`env 'BASH_FUNC_ls%%=() { …; }' bash`).
            Some((name, _)) if !name.is_empty() => {
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

pub(super) fn command(name: &str, args: &[Word]) -> Vec<Derived> {
    let s = scan_spec(args, &Spec::NONE);
    run_unless(&s, args, name, &["v", "V"])
}

pub(super) fn plain_wrapper(name: &str, args: &[Word]) -> Vec<Derived> {
    let s = scan_spec(args, wrapper_options(name));
    let mut inner = s.operand.map(|i| &args[i..]).unwrap_or(&[]);
    if name == "faketime" && !inner.is_empty() {
        inner = &inner[1..];
    }
    run(inner, wrapper(name))
}

/// `coproc [NAME] command`: the command runs asynchronously.
pub(super) fn coproc(args: &[Word]) -> Vec<Derived> {
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

pub(super) fn exec(name: &str, args: &[Word]) -> Vec<Derived> {
    let s = scan_spec(args, &EXEC);
    run_operand(&s, args, name, Chdir::Stay)
}

pub(super) fn setsid(name: &str, args: &[Word]) -> Vec<Derived> {
    let s = scan_spec(args, &Spec::NONE);
    run_operand(&s, args, name, Chdir::Stay)
}

pub(super) fn time(name: &str, args: &[Word]) -> Vec<Derived> {
    let mut rest = args;
    while rest.first().and_then(|w| w.as_literal()) == Some("!") {
        rest = &rest[1..];
    }
    let s = scan_spec(rest, &TIME);
    s.operand.map(|i| run(&rest[i..], wrapper(name))).unwrap_or_default()
}

pub(super) fn timeout(name: &str, args: &[Word]) -> Vec<Derived> {
    let s = scan_spec(args, &TIMEOUT);
    s.operand.map(|i| run(&args[(i + 1).min(args.len())..], wrapper(name))).unwrap_or_default()
}

/// Programs that run the command they are given, once they have set something up.
pub(super) fn sets_up_then_runs(name: &str, args: &[Word]) -> Vec<Derived> {
    let s = scan_spec(args, wrapper_options(name));
    run_operand(&s, args, name, Chdir::Stay)
}

/// The dynamic loader runs the program named after its options.
pub(super) fn dynamic_loader(name: &str, args: &[Word]) -> Vec<Derived> {
    let s = scan_spec(args, &DYNAMIC_LOADER);
    run_operand(&s, args, name, Chdir::Stay)
}

pub(super) fn fakeroot(name: &str, args: &[Word], span: Span) -> Vec<Derived> {
    let s = scan_spec(args, &FAKEROOT);
    if s.has(&["h", "help", "v", "version"]) {
        return Vec::new();
    }
    match s.operand {
        Some(i) => run(&args[i..], wrapper(name)),
        None => run(&[login_shell(span, "fakeroot with no command starts a shell")], wrapper(name)),
    }
}

pub(super) fn flock(name: &str, args: &[Word]) -> Vec<Derived> {
    let s = scan_spec(args, &FLOCK);
    // `flock FILE -c CODE`: the code option may follow the lock file.
    let all = scan_all(args, &FLOCK);
    if let Some(code) = all.value(&["c", "command"]) {
        return shell_code("sh", code.clone(), Via::ShellString { shell: "flock".into() }, VarScope::Fresh);
    }
    match s.operand {
        Some(i) if i + 1 < args.len() => run(&args[i + 1..], wrapper(name)),
        _ => Vec::new(),
    }
}

pub(super) fn watch(name: &str, args: &[Word], span: Span) -> Vec<Derived> {
    let s = scan_spec(args, &WATCH);
    let Some(i) = s.operand else { return Vec::new() };
    if s.has(&["x", "exec"]) {
        run(&args[i..], wrapper(name))
    } else {
        shell_code("sh", join_words(&args[i..], " ", span), Via::ShellString { shell: "watch".into() }, VarScope::Fresh)
    }
}

/// `uv run`, `poetry run`, `pipenv run`, `pdm run`, `rye run`, `hatch run`: the command after
/// `run` (and the runner's own options) runs in the project's environment.
pub(super) fn project_runner(name: &str, args: &[Word]) -> Vec<Derived> {
    const VALUED: &[&str] = &[
        "--with",
        "--with-requirements",
        "--with-editable",
        "--python",
        "-p",
        "--env-file",
        "--directory",
        "--project",
        "--package",
        "--extra",
        "--group",
        "--index",
        "--index-url",
        "--extra-index-url",
        "--from",
        "-e",
        "--env",
        "--cache-dir",
        "--config-file",
        "-C",
    ];
    let Some(at) = args.iter().position(|a| a.as_literal() == Some("run")) else { return Vec::new() };
    // Options before `run` belong to the runner; `run` must be its subcommand.
    if args[..at].iter().any(|a| !a.known_prefix().starts_with('-')) {
        return Vec::new();
    }
    let mut i = at + 1;
    while let Some(a) = args.get(i) {
        let t = a.known_prefix();
        if t == "--" {
            i += 1;
            break;
        }
        if !t.starts_with('-') {
            break;
        }
        i += if VALUED.contains(&t) { 2 } else { 1 };
    }
    match args.get(i..) {
        Some(rest) if !rest.is_empty() => run(rest, wrapper(name)),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use crate::shell::testing::{cwds, runs};

    #[test]
    fn each_runs_what_follows_its_options() {
        for (text, want) in [
            ("env -i A=1 rm x", vec!["env -i A=1 rm x", "rm x @run by env"]),
            ("command -v rm", vec!["command -v rm"]),
            ("command rm x", vec!["command rm x", "rm x @run by command"]),
            ("nohup rm x", vec!["nohup rm x", "rm x @run by nohup"]),
            ("strace -o log -e trace=all rm x", vec!["strace -o log -e trace=all rm x", "rm x @run by strace"]),
            ("faketime '2020-01-01' rm x", vec!["faketime 2020-01-01 rm x", "rm x @run by faketime"]),
            ("exec -a name rm x", vec!["exec -a name rm x", "rm x @run by exec"]),
            ("time -p rm x", vec!["time -p rm x", "rm x @run by time"]),
            ("timeout -s KILL 5 rm x", vec!["timeout -s KILL 5 rm x", "rm x @run by timeout"]),
            ("xvfb-run -a rm x", vec!["xvfb-run -a rm x", "rm x @run by xvfb-run"]),
            (
                "ld-linux-x86-64.so.2 --preload lib.so /bin/rm x",
                vec!["ld-linux-x86-64.so.2 --preload lib.so /bin/rm x", "/bin/rm x @run by ld-linux-x86-64.so.2"],
            ),
            ("fakeroot -- rm x", vec!["fakeroot -- rm x", "rm x @run by fakeroot"]),
            ("flock /tmp/lock rm x", vec!["flock /tmp/lock rm x", "rm x @run by flock"]),
            ("flock /tmp/lock -c 'rm x'", vec!["flock /tmp/lock -c 'rm x'", "rm x @flock -c"]),
            ("watch -n 1 rm x", vec!["watch -n 1 rm x", "rm x @watch -c"]),
            ("watch -x rm x", vec!["watch -x rm x", "rm x @run by watch"]),
            ("openvt -c 2 -- rm x", vec!["openvt -c 2 -- rm x", "rm x @run by openvt"]),
            ("rlwrap -pblack -H h rm x", vec!["rlwrap -pblack -H h rm x", "rm x @run by rlwrap"]),
            ("aa-exec -p unconfined -- rm x", vec!["aa-exec -p unconfined -- rm x", "rm x @run by aa-exec"]),
            ("cpulimit -l 50 -- rm x", vec!["cpulimit -l 50 -- rm x", "rm x @run by cpulimit"]),
            ("cpulimit -p 1234 -l 25", vec!["cpulimit -p 1234 -l 25"]),
            ("cpulimit -e program -l 25", vec!["cpulimit -e program -l 25"]),
        ] {
            assert_eq!(runs(text), want, "{text}");
        }
    }

    /// `env -S` splits its string into words that take its place, options included.
    #[test]
    fn env_runs_the_command_where_it_is_told() {
        for (text, want) in [
            ("env -C /tmp rm x", vec!["env /work/proj", "rm /tmp"]),
            ("env -S '-C /srv rm x'", vec!["env /work/proj", "rm /srv"]),
        ] {
            assert_eq!(cwds(text), want, "{text}");
        }
    }
}
