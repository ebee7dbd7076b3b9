//! Wrappers that run the command with a priority, CPU set, memory policy, buffering or
//! limits: `nice`, `ionice`, `chrt`, `taskset`, `numactl`, `prlimit`, `cgexec`, `stdbuf`.

use super::getopt::{scan_spec, Spec};
use super::knowledge::{CGEXEC, CHRT, IONICE, NICE, NUMACTL, PRLIMIT, STDBUF};
use super::{run, run_operand, run_unless, wrapper, Chdir, Derived};
use crate::plan::Word;

pub(super) fn stdbuf(name: &str, args: &[Word]) -> Vec<Derived> {
    let s = scan_spec(args, &STDBUF);
    run_operand(&s, args, name, Chdir::Stay)
}

pub(super) fn nice(name: &str, args: &[Word]) -> Vec<Derived> {
    let s = scan_spec(args, &NICE);
    run_operand(&s, args, name, Chdir::Stay)
}

pub(super) fn ionice(name: &str, args: &[Word]) -> Vec<Derived> {
    let s = scan_spec(args, &IONICE);
    run_unless(&s, args, name, &["p", "P", "u", "pid", "pgid", "uid"])
}

pub(super) fn taskset(name: &str, args: &[Word]) -> Vec<Derived> {
    let s = scan_spec(args, &Spec::NONE);
    if s.has(&["p", "pid", "h", "help", "V", "version"]) {
        return Vec::new();
    }
    // The mask (or CPU list) comes first, then the command.
    s.operand.map(|i| run(&args[(i + 1).min(args.len())..], wrapper(name))).unwrap_or_default()
}

pub(super) fn chrt(name: &str, args: &[Word]) -> Vec<Derived> {
    let s = scan_spec(args, &CHRT);
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

pub(super) fn prlimit(name: &str, args: &[Word]) -> Vec<Derived> {
    let s = scan_spec(args, &PRLIMIT);
    run_unless(&s, args, name, &["p", "pid", "h", "help", "V", "version"])
}

pub(super) fn numactl(name: &str, args: &[Word]) -> Vec<Derived> {
    let s = scan_spec(args, &NUMACTL);
    run_unless(&s, args, name, &["H", "hardware", "s", "show", "h", "help"])
}

pub(super) fn cgexec(name: &str, args: &[Word]) -> Vec<Derived> {
    let s = scan_spec(args, &CGEXEC);
    run_unless(&s, args, name, &["h", "help"])
}

#[cfg(test)]
mod tests {
    use crate::shell::testing::runs;

    #[test]
    fn each_runs_what_follows_its_options() {
        for (text, want) in [
            ("nice -n 5 rm x", vec!["nice -n 5 rm x", "rm x @run by nice"]),
            ("ionice -c 3 rm x", vec!["ionice -c 3 rm x", "rm x @run by ionice"]),
            ("ionice -p 1", vec!["ionice -p 1"]),
            ("chrt -f 10 rm x", vec!["chrt -f 10 rm x", "rm x @run by chrt"]),
            ("taskset -c 0 rm x", vec!["taskset -c 0 rm x", "rm x @run by taskset"]),
            ("numactl --membind=0 rm x", vec!["numactl --membind=0 rm x", "rm x @run by numactl"]),
            ("prlimit --nofile=8 rm x", vec!["prlimit --nofile=8 rm x", "rm x @run by prlimit"]),
            ("cgexec -g cpu:grp rm x", vec!["cgexec -g cpu:grp rm x", "rm x @run by cgexec"]),
            ("stdbuf -oL rm x", vec!["stdbuf -oL rm x", "rm x @run by stdbuf"]),
        ] {
            assert_eq!(runs(text), want, "{text}");
        }
    }
}
