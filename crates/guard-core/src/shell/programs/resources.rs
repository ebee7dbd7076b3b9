//! Wrappers that run the command with a priority, CPU set, memory policy, buffering or
//! limits: `nice`, `ionice`, `chrt`, `taskset`, `numactl`, `prlimit`, `cgexec`, `stdbuf`.

use super::getopt::{scan, scan_spec, Spec};
use super::{run, run_operand, wrapper, Chdir, Derived};
use crate::plan::Word;

pub(super) fn stdbuf(name: &str, args: &[Word]) -> Vec<Derived> {
    let s = scan(args, "ioe", &["input", "output", "error"]);
    s.operand.map(|i| run(&args[i..], wrapper(name))).unwrap_or_default()
}

pub(super) fn nice(name: &str, args: &[Word]) -> Vec<Derived> {
    let s = scan(args, "n", &["adjustment"]);
    s.operand.map(|i| run(&args[i..], wrapper(name))).unwrap_or_default()
}

pub(super) fn ionice(name: &str, args: &[Word]) -> Vec<Derived> {
    let s = scan(args, "cnpPu", &["class", "classdata", "pid", "pgid", "uid"]);
    if s.has(&["p", "P", "u", "pid", "pgid", "uid"]) {
        return Vec::new();
    }
    s.operand.map(|i| run(&args[i..], wrapper(name))).unwrap_or_default()
}

pub(super) fn taskset(name: &str, args: &[Word]) -> Vec<Derived> {
    let s = scan(args, "", &[]);
    if s.has(&["p", "pid", "h", "help", "V", "version"]) {
        return Vec::new();
    }
    // The mask (or CPU list) comes first, then the command.
    s.operand.map(|i| run(&args[(i + 1).min(args.len())..], wrapper(name))).unwrap_or_default()
}

pub(super) fn chrt(name: &str, args: &[Word]) -> Vec<Derived> {
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

pub(super) fn prlimit(name: &str, args: &[Word]) -> Vec<Derived> {
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

pub(super) fn numactl(name: &str, args: &[Word]) -> Vec<Derived> {
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

pub(super) fn cgexec(name: &str, args: &[Word]) -> Vec<Derived> {
    let s = scan(args, "g", &[]);
    if s.has(&["h", "help"]) {
        return Vec::new();
    }
    run_operand(&s, args, name, Chdir::Stay)
}
