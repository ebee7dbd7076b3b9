//! Programs that run other programs or code: wrappers (`sudo`, `env`, `timeout`, `xargs`,
//! `find -exec`, …), shells given code (`bash -c`, `eval`, a heredoc fed to `sh`) and
//! interpreters given code (`python -c`, `perl -e`, `awk '…'`). Each gets just enough
//! knowledge of its options to find where the inner command or code starts.

mod carriers;
mod containers;
mod daemontools;
mod debugger;
mod decoders;
mod find;
mod getopt;
mod guard;
mod interpreters;
mod isolation;
mod knowledge;
mod output;
mod privilege;
mod project_files;
mod resources;
mod sessions;
mod shells;
mod words;
mod wrappers;
mod xargs;

pub(crate) use carriers::{from_env as env_carriers, is_env_carrier, Given, GivenFrom};
pub use guard::guard_options;
pub use interpreters::interpreter_language;
pub use knowledge::{rules_lists, rules_programs, RulesProgram, GUARD_SUBCOMMANDS};
pub(crate) use output::decodes;
pub use output::literal_output;
pub(crate) use output::pipeline_text;
pub(crate) use project_files::{code_in, project_files};
pub use shells::is_shell;

/// Whether `program` is a builtin the shell runs itself, starting no program (`cd`, `export`).
pub fn runs_in_shell(program: &str) -> bool {
    carriers::IN_SHELL.contains(&program)
}
pub(crate) use shells::Here;
pub(crate) use words::join_words;

use crate::plan::{Assignment, Code, CodeSource, Invocation, Span, Via, Word};
use daemontools::{chpst, daemonize, envdir, softlimit};
use debugger::gdb;
use find::find;
use getopt::{scan_spec, Scanned};
use guard::guard;
use interpreters::interpreter;
use isolation::{bwrap, chroot, nsenter, systemd_run, unshare};
use knowledge::wrapper_options;
use privilege::{doas, pkexec, setpriv, sg, su, sudo};
use resources::{cgexec, chrt, ionice, nice, numactl, prlimit, stdbuf, taskset};
use sessions::{at, screen, script, tmux};
use shells::{eval, shell, source, ssh, trap};
use wrappers::{
    command, coproc, dynamic_loader, env_command, exec, fakeroot, flock, plain_wrapper, project_runner,
    sets_up_then_runs, setsid, time, timeout, watch,
};
use xargs::{parallel, xargs};

/// What a command reads on stdin.
#[derive(Debug, Clone)]
pub(crate) enum Stdin {
    /// Whatever guard's caller connected (a terminal, the agent's pipe).
    Inherited,
    /// Text known from the command line: a heredoc or here-string (`piped: false`), or the
    /// output of `echo`/`printf`/`cat <<EOF` in the previous pipeline stage (`piped: true`),
    /// possibly decoded on the way by the commands `decoded` names (`base64 -d | rev`).
    Text { text: Word, piped: bool, decoded: Option<String> },
    /// Produced at run time by this source.
    From(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum VarScope {
    /// The code runs in the same shell (`eval`, `source`, `trap`): variables carry over.
    Shared,
    /// The code runs in a new shell process: only exported variables carry over.
    Fresh,
    /// The code runs on another machine: nothing about its environment is known.
    Remote,
}

/// Where a wrapper runs what it wraps, when not where the wrapper itself runs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) enum Chdir {
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

pub(crate) enum Derived {
    /// The command runs this argv.
    Run { argv: Vec<Word>, via: Via, assignments: Vec<Assignment>, chdir: Chdir },
    /// The command is given this code; shell code that should be parsed carries how it is
    /// reached, and where it runs. `decoded`: the text was decoded from a literal on the line
    /// by these commands (`base64 -d`), which the commands read from it are listed as reached by.
    Code { code: Code, parse: Option<(Via, VarScope)>, chdir: Chdir, decoded: Option<String> },
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

/// What a plain wrapper runs: its operand and what follows, where it is, unless one of the
/// `inert` options (help, version, acting on a process by pid) means it runs nothing.
fn run_unless(s: &Scanned, args: &[Word], name: &str, inert: &[&str]) -> Vec<Derived> {
    if s.has(inert) {
        return Vec::new();
    }
    run_operand(s, args, name, Chdir::Stay)
}

fn wrapper(name: &str) -> Via {
    Via::Wrapper { program: name.to_string() }
}

fn shell_code(language: &str, text: Word, via: Via, scope: VarScope) -> Vec<Derived> {
    vec![Derived::Code {
        code: Code { language: language.to_string(), source: CodeSource::Argument, text, read: None },
        parse: Some((via, scope)),
        chdir: Chdir::Stay,
        decoded: None,
    }]
}

fn login_shell(span: Span, why: &str) -> Word {
    Word::unknown("$SHELL", why.to_string(), span)
}

/// What running `inv` runs in turn: what it runs as a wrapper, shell or interpreter, then
/// what its options that hold commands run (see [`carriers`]). `here` is where it runs.
pub(crate) fn derive(inv: &Invocation, stdin: &Stdin, here: &Here) -> Vec<Derived> {
    let Some(name) = inv.program_name() else { return Vec::new() };
    let mut out = runs(name, inv, stdin, here);
    out.extend(carriers::options(name, inv, stdin));
    out
}

/// What `inv`, named `name`, runs as a wrapper, shell or interpreter.
fn runs(name: &str, inv: &Invocation, stdin: &Stdin, here: &Here) -> Vec<Derived> {
    let args = inv.args.as_slice();
    let span = inv.span;
    match name {
        "sudo" => sudo(name, args, span),
        "doas" => doas(name, args, span),
        "env" => env_command(args),
        "command" => command(name, args),
        "builtin" | "nohup" | "busybox" | "catchsegv" | "proxychains" | "proxychains4" | "torsocks" | "tsocks"
        | "firejail" | "strace" | "ltrace" | "valgrind" | "gdbserver" | "unbuffer" | "faketime"
            if !args.is_empty() =>
        {
            plain_wrapper(name, args)
        }
        "coproc" => coproc(args),
        "exec" => exec(name, args),
        "setsid" | "nocache" | "chronic" | "ifne" | "sem" => setsid(name, args),
        "stdbuf" => stdbuf(name, args),
        "nice" => nice(name, args),
        "ionice" => ionice(name, args),
        "time" => time(name, args),
        "timeout" | "gtimeout" => timeout(name, args),
        "chroot" => chroot(name, args, span),
        "unshare" => unshare(name, args, span),
        "nsenter" => nsenter(name, args, span),
        "taskset" => taskset(name, args),
        "chrt" => chrt(name, args),
        "setpriv" => setpriv(name, args),
        "uv" | "poetry" | "pipenv" | "pdm" | "rye" | "hatch" => project_runner(name, args),
        "ssh-agent" | "dbus-run-session" | "xvfb-run" | "systemd-inhibit" | "dbus-launch" => {
            sets_up_then_runs(name, args)
        }
        n if n.starts_with("ld-linux") || n.starts_with("ld.so") || n.starts_with("ld64.so") => {
            dynamic_loader(name, args)
        }
        "screen" => screen(name, args, span),
        // `tmux new-session [-d] [opts] [SHELL-COMMAND]`, `tmux new-window …`, `tmux run-shell …`,
        // `tmux send-keys … Enter` to a pane: shell text run in a session.
        "tmux" => tmux(args, span),
        "at" | "batch" => at(name, args, stdin),
        "fakeroot" => fakeroot(name, args, span),
        "prlimit" => prlimit(name, args),
        "systemd-run" => systemd_run(args, span),
        "pkexec" => pkexec(name, args, span),
        "numactl" => numactl(name, args),
        "cgexec" => cgexec(name, args),
        "openvt" | "aa-exec" => {
            run_unless(&scan_spec(args, wrapper_options(name)), args, name, &["h", "help", "V", "version"])
        }
        "rlwrap" => run_unless(&scan_spec(args, wrapper_options(name)), args, name, &["h", "help", "v", "version"]),
        // `cpulimit -p PID`, `-e EXE`, `-P PATH` limit a process already running.
        "cpulimit" => run_unless(
            &scan_spec(args, wrapper_options(name)),
            args,
            name,
            &["p", "pid", "e", "exe", "P", "path", "h", "help"],
        ),
        "sg" => sg(name, args, span, stdin),
        "chpst" => chpst(name, args),
        "softlimit" => softlimit(name, args),
        "pgrphack" => run(args, wrapper(name)),
        "envdir" | "setuidgid" | "envuidgid" | "setlock" => envdir(name, args),
        "daemonize" => daemonize(name, args, span),
        "docker" | "podman" | "nerdctl" => containers::docker_exec(name, args, stdin),
        "kubectl" | "oc" | "kubecolor" => containers::kubectl_exec(name, args, stdin),
        "docker-compose" | "podman-compose" => containers::compose(name, args, stdin),
        "lxc" | "incus" => containers::lxc_exec(name, args, stdin),
        "pct" => containers::pct_exec(args, stdin),
        "machinectl" => containers::machinectl_shell(args, stdin),
        "vagrant" => containers::vagrant_ssh(args),
        "gdb" => gdb(args),
        "bwrap" => bwrap(args, span),
        "flock" => flock(name, args),
        "watch" => watch(name, args, span),
        "xargs" => xargs(args, stdin, span),
        "find" => find(args),
        "parallel" => parallel(args, stdin, span),
        "ssh" => ssh(args, span),
        "su" | "runuser" => su(name, args, stdin, inv, here),
        "script" => script(name, args, span, stdin),
        "eval" => eval(args, span),
        "source" | "." => source(name, args, stdin, inv, here),
        "trap" => trap(args),
        "guard" => guard(args, stdin, inv, here),
        _ if is_shell(name) => shell(name, name, args, stdin, inv, here),
        _ => match interpreter_language(name) {
            Some(lang) => interpreter(name, lang, args, stdin, inv, here),
            None => Vec::new(),
        },
    }
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

#[cfg(test)]
mod tests {
    use crate::shell::testing::runs;

    /// A program is known by its name, wherever it is run from; what guard knows nothing of
    /// runs nothing further.
    #[test]
    fn programs_are_dispatched_by_name() {
        for (text, want) in [
            ("/usr/bin/sudo rm x", vec!["/usr/bin/sudo rm x", "rm x @run by sudo"]),
            ("ls -l", vec!["ls -l"]),
            ("nohup", vec!["nohup"]),
            ("uv run --with rich python x.py", vec!["uv run --with rich python x.py", "python x.py @run by uv"]),
            ("poetry run pytest -x", vec!["poetry run pytest -x", "pytest -x @run by poetry"]),
            ("uv pip install x", vec!["uv pip install x"]),
            ("\\sudo rm x", vec!["sudo rm x", "rm x @run by sudo"]),
            ("service ../../bin/sh", vec!["service ../../bin/sh", "/bin/sh @run by service"]),
            ("service nginx restart", vec!["service nginx restart"]),
        ] {
            assert_eq!(runs(text), want, "{text}");
        }
    }
}
