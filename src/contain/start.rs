//! Starting a command inside its scope without a thread: a `vfork`-style clone whose child
//! enters the scope (Landlock, `no_new_privs`, the seccomp filter: all a thread's own) and
//! execs the command, while guard stays outside it.
//!
//! std's `Command` can start a command cheaply (`posix_spawn`) only when nothing is to run in
//! the child first, and otherwise forks all of guard; a thread made to enter the scope and
//! `posix_spawn` from there costs about as much as the rest of containment's start together
//! (creating it, and every later change to guard's memory then reaching two threads). The
//! child here shares guard's memory until it execs, as `posix_spawn`'s does, and so does only
//! what such a child may: system calls on what the parent prepared, no allocation, no lock.

use std::ffi::{CString, OsStr};
use std::os::fd::{AsRawFd, BorrowedFd, RawFd};
use std::os::unix::ffi::OsStrExt;
use std::process::Command;
use std::sync::atomic::{AtomicI32, Ordering};

use super::kernel::Prepared;

/// What the child execs, made ready before it starts (it may not allocate).
pub struct Launch {
    program: CString,
    argv: Vec<CString>,
    envp: Vec<CString>,
}

impl Launch {
    /// `cmd` as std's `Command::spawn` would run it: a bare program name found on guard's
    /// PATH, `arg0` (std cannot tell it back) or the program as the first argument, and
    /// guard's environment with `cmd`'s changes.
    pub fn of(cmd: &Command, arg0: Option<&OsStr>) -> std::io::Result<Launch> {
        let program = cmd.get_program();
        let found = if program.as_bytes().contains(&b'/') {
            std::path::PathBuf::from(program)
        } else {
            crate::run::shell::find_in(std::path::Path::new(program), std::env::var_os("PATH").as_deref())
                .ok_or_else(|| std::io::Error::from_raw_os_error(libc::ENOENT))?
        };
        let first = arg0.unwrap_or(program);
        let argv = std::iter::once(first).chain(cmd.get_args()).map(c_string).collect::<std::io::Result<_>>()?;
        // As std makes it: one value per name (the last), then the command's changes.
        let mut env: std::collections::BTreeMap<std::ffi::OsString, std::ffi::OsString> = std::env::vars_os().collect();
        for (k, v) in cmd.get_envs() {
            match v {
                Some(v) => env.insert(k.to_owned(), v.to_owned()),
                None => env.remove(k),
            };
        }
        let envp = env.iter().map(|(k, v)| pair(k, v)).collect::<std::io::Result<_>>()?;
        Ok(Launch { program: c_string(found.as_os_str())?, argv, envp })
    }
}

fn c_string(s: &OsStr) -> std::io::Result<CString> {
    CString::new(s.as_bytes()).map_err(|_| std::io::Error::new(std::io::ErrorKind::InvalidInput, "a NUL byte"))
}

fn pair(k: &OsStr, v: &OsStr) -> std::io::Result<CString> {
    let mut bytes = k.as_bytes().to_vec();
    bytes.push(b'=');
    bytes.extend_from_slice(v.as_bytes());
    CString::new(bytes).map_err(|_| std::io::Error::new(std::io::ErrorKind::InvalidInput, "a NUL byte"))
}

/// What the child reads (everything made before it starts) and the one thing it writes.
struct ChildArgs {
    program: *const libc::c_char,
    argv: *const *const libc::c_char,
    envp: *const *const libc::c_char,
    /// The descriptor to put in place of 0, 1 and 2 (`-1`: the one guard has).
    stdio: [RawFd; 3],
    ruleset: Prepared,
    /// The errno of what failed in the child; 0 when it exec'd.
    failed: AtomicI32,
}

/// The stack the child runs on until it execs: its own function and a few system calls.
const STACK: usize = 64 << 10;

/// Starts `launch` inside the scope `ruleset`, with `stdio` in place of guard's standard input,
/// output and error where given; returns the child's pid once it has exec'd (or the error
/// that kept it from it, the child then reaped).
pub fn start(launch: &Launch, stdio: [Option<BorrowedFd>; 3], ruleset: Prepared) -> std::io::Result<libc::pid_t> {
    let argv: Vec<*const libc::c_char> =
        launch.argv.iter().map(|a| a.as_ptr()).chain(std::iter::once(std::ptr::null())).collect();
    let envp: Vec<*const libc::c_char> =
        launch.envp.iter().map(|e| e.as_ptr()).chain(std::iter::once(std::ptr::null())).collect();
    let args = ChildArgs {
        program: launch.program.as_ptr(),
        argv: argv.as_ptr(),
        envp: envp.as_ptr(),
        stdio: stdio.map(|f| f.map_or(-1, |f| f.as_raw_fd())),
        ruleset,
        failed: AtomicI32::new(0),
    };
    let mut stack = vec![0u8; STACK];
    // SAFETY: all signals are held while the child shares guard's memory (a handler of guard's
    // must not run there) and given back after; the child runs `child` on its own stack with
    // `args`, both alive until it has exec'd or exited (CLONE_VFORK suspends guard until then).
    let pid = unsafe {
        let mut all: libc::sigset_t = std::mem::zeroed();
        let mut before: libc::sigset_t = std::mem::zeroed();
        libc::sigfillset(&mut all);
        libc::pthread_sigmask(libc::SIG_SETMASK, &all, &mut before);
        // The stack grows down from its (16-byte aligned) end.
        let top = (stack.as_mut_ptr().add(STACK) as usize & !15) as *mut libc::c_void;
        let pid = libc::clone(
            child,
            top,
            libc::CLONE_VM | libc::CLONE_VFORK | libc::SIGCHLD,
            (&args as *const ChildArgs).cast_mut().cast(),
        );
        let error = std::io::Error::last_os_error();
        libc::pthread_sigmask(libc::SIG_SETMASK, &before, std::ptr::null_mut());
        if pid < 0 {
            return Err(error);
        }
        pid
    };
    match args.failed.load(Ordering::SeqCst) {
        0 => Ok(pid),
        errno => {
            // SAFETY: reaps the child just started, which has exited.
            unsafe { libc::waitpid(pid, std::ptr::null_mut(), 0) };
            Err(std::io::Error::from_raw_os_error(errno))
        }
    }
}

/// The child: signals back to their defaults (a handler of guard's must not run in memory it
/// shares with guard; SIGPIPE, which guard ignores, as std's `Command` gives it back), the
/// standard descriptors in place, the scope entered, the signal mask emptied, then exec.
extern "C" fn child(arg: *mut libc::c_void) -> libc::c_int {
    // SAFETY: `arg` is the parent's `ChildArgs`, alive and untouched until this child has
    // exec'd or exited; only system calls follow, on what it points to.
    unsafe {
        let a = &*arg.cast::<ChildArgs>();
        let fail = |a: &ChildArgs| -> libc::c_int {
            a.failed.store((*libc::__errno_location()).max(1), Ordering::SeqCst);
            libc::_exit(127)
        };
        let mut default: libc::sigaction = std::mem::zeroed();
        default.sa_sigaction = libc::SIG_DFL;
        for signal in 1..=libc::SIGRTMAX() {
            let mut now: libc::sigaction = std::mem::zeroed();
            if libc::sigaction(signal, std::ptr::null(), &mut now) == 0
                && (signal == libc::SIGPIPE || (now.sa_sigaction != libc::SIG_DFL && now.sa_sigaction != libc::SIG_IGN))
            {
                libc::sigaction(signal, &default, std::ptr::null_mut());
            }
        }
        for (to, from) in a.stdio.iter().enumerate() {
            if *from >= 0 && libc::dup2(*from, to as libc::c_int) < 0 {
                return fail(a);
            }
        }
        if a.ruleset.enter().is_err() {
            return fail(a);
        }
        let mut none: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut none);
        libc::sigprocmask(libc::SIG_SETMASK, &none, std::ptr::null_mut());
        libc::execve(a.program, a.argv, a.envp);
        fail(a)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn the_launch_is_what_std_would_run() {
        let mut cmd = Command::new("sh");
        cmd.args(["-c", "exit 3"]).env("GUARD_LAUNCH_TEST", "set").env_remove("PATH");
        let launch = Launch::of(&cmd, Some(OsStr::new("custom-name"))).expect("sh is on PATH");
        assert!(launch.program.as_bytes().starts_with(b"/"), "found on guard's PATH: {:?}", launch.program);
        let argv: Vec<&[u8]> = launch.argv.iter().map(|a| a.as_bytes()).collect();
        assert_eq!(argv, [&b"custom-name"[..], b"-c", b"exit 3"]);
        let envp: Vec<&[u8]> = launch.envp.iter().map(|e| e.as_bytes()).collect();
        assert!(envp.contains(&&b"GUARD_LAUNCH_TEST=set"[..]));
        assert!(!envp.iter().any(|e| e.starts_with(b"PATH=")), "removed");
        let plain = Launch::of(&Command::new("/bin/sh"), None).expect("a path is taken as it is");
        assert_eq!(plain.argv[0].as_bytes(), b"/bin/sh");
        let missing = Launch::of(&Command::new("no-such-program-anywhere"), None).err().map(|e| e.raw_os_error());
        assert_eq!(missing, Some(Some(libc::ENOENT)));
    }

    /// A scope that refuses every write: the command runs, its output comes through the pipe
    /// given, its exit status is its own, and it cannot create a file.
    #[test]
    fn a_command_starts_inside_the_scope_with_the_descriptors_given() {
        if super::super::kernel::abi() < super::super::kernel::MIN_ABI {
            eprintln!("SKIPPED: this kernel cannot contain");
            assert!(std::env::var_os("CI").is_none(), "CI runs on a kernel with Landlock");
            return;
        }
        let dir = tempfile::tempdir().expect("a temporary directory");
        let target = dir.path().join("made");
        let rules = super::super::kernel::Rules { write: &[], read: None, ports: None };
        let script = format!("echo out; true > '{}' || exit 5", target.display());
        let launch = Launch::of(Command::new("/bin/sh").args(["-c", &script]), None).expect("a launch");
        let (read, write) = nix::unistd::pipe2(nix::fcntl::OFlag::O_CLOEXEC).expect("a pipe");
        let ruleset = super::super::kernel::prepare(&rules).expect("a ruleset");
        let pid = start(&launch, [None, Some(std::os::fd::AsFd::as_fd(&write)), None], ruleset).expect("started");
        drop(write);
        let mut out = String::new();
        std::fs::File::from(read).read_to_string(&mut out).expect("its output");
        let mut status = 0;
        // SAFETY: waits for the child just started.
        assert_eq!(unsafe { libc::waitpid(pid, &mut status, 0) }, pid);
        assert_eq!(out, "out\n");
        assert!(libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 5, "status {status:#x}");
        assert!(!target.exists(), "the write was refused");
        let gone = Launch { program: CString::new("/no/such/program").unwrap(), argv: vec![], envp: vec![] };
        let ruleset = super::super::kernel::prepare(&rules).expect("a ruleset");
        let failed = start(&gone, [None, None, None], ruleset).err().and_then(|e| e.raw_os_error());
        assert_eq!(failed, Some(libc::ENOENT));
    }
}
