//! Programs that run the command in another root, namespace, sandbox or service: `chroot`,
//! `unshare`, `nsenter`, `bwrap`, `systemd-run`. Where the command starts is theirs to say.

use super::getopt::scan_spec;
use super::knowledge::{BWRAP_VALUES, CHROOT, NSENTER, SYSTEMD_RUN, UNSHARE};
use super::words::strip_word_prefix;
use super::{home_of, login_shell, run_in, wrapper, Chdir, Derived};
use crate::plan::{Span, Word};

pub(super) fn chroot(name: &str, args: &[Word], span: Span) -> Vec<Derived> {
    let s = scan_spec(args, &CHROOT);
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

pub(super) fn unshare(name: &str, args: &[Word], span: Span) -> Vec<Derived> {
    let s = scan_spec(args, &UNSHARE);
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

pub(super) fn nsenter(name: &str, args: &[Word], span: Span) -> Vec<Derived> {
    let s = scan_spec(args, &NSENTER);
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

/// `systemd-run [OPTIONS] CMD…`: a transient service runs in `/` (the user's home for
/// `--user`) unless `--scope`, `--same-dir` or a working directory says otherwise.
pub(super) fn systemd_run(args: &[Word], span: Span) -> Vec<Derived> {
    let spec = SYSTEMD_RUN;
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

/// `bwrap [OPTIONS] CMD…`: bubblewrap reads its options by exact name, many with one or more
/// values; `--chdir DIR` is where the command starts.
pub(super) fn bwrap(args: &[Word], span: Span) -> Vec<Derived> {
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
        i += 1 + BWRAP_VALUES.iter().find(|(o, _)| *o == t).map_or(0, |(_, n)| *n);
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

#[cfg(test)]
mod tests {
    use crate::shell::testing::{cwds, runs};

    /// With no command, chroot starts a shell.
    #[test]
    fn each_runs_what_follows_its_options() {
        for (text, want) in [
            ("chroot /jail rm x", vec!["chroot /jail rm x", "rm x @run by chroot"]),
            ("chroot /jail", vec!["chroot /jail", "‹$SHELL› @run by chroot"]),
            ("nsenter -t 1 -m rm x", vec!["nsenter -t 1 -m rm x", "rm x @run by nsenter"]),
            ("bwrap --bind / / --chdir /srv rm x", vec!["bwrap --bind / / --chdir /srv rm x", "rm x @run by bwrap"]),
            ("systemd-run --scope rm x", vec!["systemd-run --scope rm x", "rm x @run by systemd-run"]),
        ] {
            assert_eq!(runs(text), want, "{text}");
        }
    }

    #[test]
    fn where_the_command_starts_is_theirs_to_say() {
        for (text, want) in [
            ("chroot /jail rm x", vec!["chroot /work/proj", "rm /jail"]),
            ("unshare -r --wd=/tmp rm x", vec!["unshare /work/proj", "rm /tmp"]),
            ("nsenter -t 1 -w/srv rm x", vec!["nsenter /work/proj", "rm /srv"]),
            ("bwrap --bind / / --chdir /srv rm x", vec!["bwrap /work/proj", "rm /srv"]),
            ("systemd-run --user rm x", vec!["systemd-run /work/proj", "rm /home/u"]),
            ("systemd-run -p WorkingDirectory=/srv rm x", vec!["systemd-run /work/proj", "rm /srv"]),
            ("systemd-run rm x", vec!["systemd-run /work/proj", "rm /"]),
        ] {
            assert_eq!(cwds(text), want, "{text}");
        }
    }
}
