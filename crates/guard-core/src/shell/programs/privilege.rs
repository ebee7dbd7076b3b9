//! Running as another user or group: `sudo`, `doas`, `su`/`runuser`, `pkexec`, `sg`,
//! `setpriv`. A login runs the command in the target user's home; with no command, the
//! target user's shell.

use super::getopt::{permuted, scan_spec};
use super::knowledge::{DOAS, SETPRIV, SU, SUDO};
use super::shells::{shell, stdin_code, Here};
use super::wrappers::run_with_assignments;
use super::{
    home_of, login_shell, run, run_in, run_unless, shell_code, with_chdir, wrapper, Chdir, Derived, Stdin, VarScope,
};
use crate::plan::{Invocation, Span, Via, Word};

pub(super) fn sudo(name: &str, args: &[Word], span: Span) -> Vec<Derived> {
    let s = scan_spec(args, &SUDO);
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

pub(super) fn doas(name: &str, args: &[Word], span: Span) -> Vec<Derived> {
    let s = scan_spec(args, &DOAS);
    if s.has(&["C"]) {
        return Vec::new();
    }
    match s.operand {
        Some(i) => run(&args[i..], wrapper(name)),
        None if s.has(&["s"]) => run(&[login_shell(span, "doas -s starts the target user's shell")], wrapper(name)),
        None => Vec::new(),
    }
}

/// `su [-] [USER [ARG…]]` and `runuser`: `-c CODE` (anywhere: su permutes its options), the
/// arguments after the user (given to the target user's shell: `su bob -- -c CODE`), or a
/// shell that reads stdin; `runuser -u USER CMD…` runs the command itself. A login (`-`, `-l`)
/// starts in the target user's home.
pub(super) fn su(name: &str, args: &[Word], stdin: &Stdin, inv: &Invocation, here: &Here) -> Vec<Derived> {
    let spec = SU;
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

pub(super) fn pkexec(name: &str, args: &[Word], span: Span) -> Vec<Derived> {
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

/// `sg GROUP [-c] CODE [ARG…]` runs `sh -c CODE ARG…`; with no code, a shell reading stdin.
pub(super) fn sg(name: &str, args: &[Word], span: Span, stdin: &Stdin) -> Vec<Derived> {
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

pub(super) fn setpriv(name: &str, args: &[Word]) -> Vec<Derived> {
    let s = scan_spec(args, &SETPRIV);
    run_unless(&s, args, name, &["d", "dump", "h", "help", "V", "version"])
}

#[cfg(test)]
mod tests {
    use crate::shell::testing::{cwds, runs};

    #[test]
    fn each_runs_what_follows_its_options() {
        for (text, want) in [
            ("sudo A=1 rm x", vec!["sudo A=1 rm x", "rm x @run by sudo"]),
            ("sudo -s", vec!["sudo -s", "‹$SHELL› @run by sudo"]),
            ("sudo -l rm x", vec!["sudo -l rm x"]),
            ("doas -u bob rm x", vec!["doas -u bob rm x", "rm x @run by doas"]),
            ("su -c 'rm x' bob", vec!["su -c 'rm x' bob", "rm x @su -c"]),
            ("su bob -- -c 'rm x'", vec!["su bob -- -c 'rm x'", "rm x @su -c"]),
            ("runuser -u bob -- rm x", vec!["runuser -u bob -- rm x", "rm x @run by runuser"]),
            ("sg wheel -c 'rm x'", vec!["sg wheel -c 'rm x'", "rm x @sg -c"]),
            (
                "setpriv --reuid=1000 --init-groups rm x",
                vec!["setpriv --reuid=1000 --init-groups rm x", "rm x @run by setpriv"],
            ),
        ] {
            assert_eq!(runs(text), want, "{text}");
        }
    }

    #[test]
    fn a_login_runs_in_the_target_users_home() {
        for (text, want) in [
            ("sudo -u bob -i", vec!["sudo /work/proj", "‹$SHELL› /srv/bob"]),
            ("su - bob", vec!["su /work/proj", "‹$SHELL› /srv/bob"]),
            ("pkexec rm x", vec!["pkexec /work/proj", "rm /root"]),
            ("pkexec --user bob rm x", vec!["pkexec /work/proj", "rm /srv/bob"]),
            ("pkexec --keep-cwd rm x", vec!["pkexec /work/proj", "rm /work/proj"]),
        ] {
            assert_eq!(cwds(text), want, "{text}");
        }
    }
}
