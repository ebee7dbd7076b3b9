//! daemontools' and runit's chain-loading tools (`chpst`, `softlimit`, `envdir`, `setuidgid`,
//! `setlock`, `pgrphack`) and `daemonize`: each runs what follows its own arguments.

use super::getopt::{scan_spec, Spec};
use super::knowledge::{CHPST, DAEMONIZE, SOFTLIMIT};
use super::{run, run_operand, wrapper, Chdir, Derived};
use crate::plan::{Span, Word};

/// runit's chpst and its personalities.
pub(super) fn chpst(name: &str, args: &[Word]) -> Vec<Derived> {
    let s = scan_spec(args, &CHPST);
    let chdir = match (s.value(&["C"]), s.has(&["/"])) {
        (Some(d), _) => Chdir::To(d.clone()),
        (None, true) => Chdir::Unknown,
        (None, false) => Chdir::Stay,
    };
    run_operand(&s, args, name, chdir)
}

pub(super) fn softlimit(name: &str, args: &[Word]) -> Vec<Derived> {
    let s = scan_spec(args, &SOFTLIMIT);
    run_operand(&s, args, name, Chdir::Stay)
}

/// `envdir DIR cmd`, `setuidgid USER cmd`, `setlock FILE cmd`: one operand, then the command.
pub(super) fn envdir(name: &str, args: &[Word]) -> Vec<Derived> {
    let s = scan_spec(args, &Spec::NONE);
    s.operand.map(|i| run(&args[(i + 1).min(args.len())..], wrapper(name))).unwrap_or_default()
}

pub(super) fn daemonize(name: &str, args: &[Word], span: Span) -> Vec<Derived> {
    let s = scan_spec(args, &DAEMONIZE);
    // daemonize runs the program in `/` unless told otherwise.
    let chdir = Chdir::To(s.value(&["c"]).cloned().unwrap_or_else(|| Word::literal("/", span)));
    run_operand(&s, args, name, chdir)
}

#[cfg(test)]
mod tests {
    use crate::shell::testing::{cwds, runs};

    #[test]
    fn each_runs_what_follows_its_arguments() {
        for (text, want) in [
            ("softlimit -m 100 rm x", vec!["softlimit -m 100 rm x", "rm x @run by softlimit"]),
            ("envdir ./env rm x", vec!["envdir ./env rm x", "rm x @run by envdir"]),
            ("setuidgid bob rm x", vec!["setuidgid bob rm x", "rm x @run by setuidgid"]),
            ("pgrphack rm x", vec!["pgrphack rm x", "rm x @run by pgrphack"]),
        ] {
            assert_eq!(runs(text), want, "{text}");
        }
    }

    #[test]
    fn chpst_and_daemonize_say_where_it_runs() {
        for (text, want) in [
            ("chpst -u bob -C /srv rm x", vec!["chpst /work/proj", "rm /srv"]),
            ("daemonize -c /srv /bin/rm x", vec!["daemonize /work/proj", "/bin/rm /srv"]),
            ("daemonize /bin/rm x", vec!["daemonize /work/proj", "/bin/rm /"]),
        ] {
            assert_eq!(cwds(text), want, "{text}");
        }
    }
}
