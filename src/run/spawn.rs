//! Running without a terminal: the child inherits guard's stdin, stdout and stderr, so bytes,
//! EOF and binary data pass exactly; when its output is masked or recorded, stdout and stderr
//! come through pipes and guard copies them on (a contained command's stderr too), until the
//! command ends: what it leaves running and still holding them is copied on by a process guard
//! leaves behind ([`hand_over`]). guard waits to record the exit status, and passes on the
//! signals other processes send it (an agent cancelling a command sends SIGTERM or SIGINT to
//! guard); a Ctrl-C typed at a terminal already reaches the child, so that one is not repeated.
//!
//! The passing on needs no thread and no wake-up pipe: the signal handler itself sends the
//! signal on to the child (`kill` may be called from a handler), and guard simply waits.

use std::io::{Read, Write};
use std::os::fd::{AsFd, BorrowedFd};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicI32, AtomicU64, Ordering};

use libc::{SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2};

use super::error::RunError;
use super::OutputFilter;

/// The signals passed on to the command when a process sends them to guard.
const FORWARDED: [libc::c_int; 6] = [SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2];

/// The command signals are passed on to: 0 before it starts, -1 once it has ended.
static CHILD: AtomicI32 = AtomicI32::new(0);
/// Signals sent to guard and not yet passed on, one bit per signal number.
static PENDING: AtomicU64 = AtomicU64::new(0);

/// Run `cmd` to completion; the status to exit with (N for exit N, 128+S for signal S).
/// With a filter for stdout or stderr, the child's output on that stream passes through it on
/// its way to guard's own; otherwise the child writes to it directly. With `input` (a script
/// guard read from its stdin to judge it), that is written to the command's stdin instead of
/// guard's own.
pub fn run(
    mut cmd: Command,
    arg0: Option<std::ffi::OsString>,
    filters: [Option<Box<dyn OutputFilter + Send>>; 2],
    input: Option<Vec<u8>>,
    scope: Option<crate::contain::kernel::Prepared>,
    hand_off: bool,
) -> Result<i32, RunError> {
    let [out, err] = filters;
    let program = cmd.get_program().to_owned();
    let start = |e: std::io::Error| RunError::Start { program: program.clone(), source: e };
    // Before the child starts, so a signal sent meanwhile is held and passed on once it has.
    forward_signals().map_err(RunError::setup("pass signals on to the command"))?;
    let pipes = [input.is_some(), out.is_some(), err.is_some()];
    let mut child = match scope {
        None => {
            let piped = |p: bool| if p { Stdio::piped() } else { Stdio::inherit() };
            cmd.stdin(piped(pipes[0])).stdout(piped(pipes[1])).stderr(piped(pipes[2]));
            Running::of(cmd.spawn().map_err(start)?)
        }
        // Started by a child that enters the scope before it execs; guard stays outside it.
        Some(scope) => {
            use crate::contain::start;
            let launch = start::Launch::of(&cmd, arg0.as_deref()).map_err(start)?;
            let pipe = |p: bool| if p { nix::unistd::pipe2(nix::fcntl::OFlag::O_CLOEXEC).map(Some) } else { Ok(None) };
            let [stdin, stdout, stderr] = pipes.map(pipe);
            let pipes_failed = || RunError::setup_errno("make the command's pipes");
            let (stdin, stdout, stderr) =
                (stdin.map_err(pipes_failed())?, stdout.map_err(pipes_failed())?, stderr.map_err(pipes_failed())?);
            let theirs = [
                stdin.as_ref().map(|p| p.0.as_fd()),
                stdout.as_ref().map(|p| p.1.as_fd()),
                stderr.as_ref().map(|p| p.1.as_fd()),
            ];
            let pid = start::start(&launch, theirs, scope).map_err(start)?;
            Running {
                pid,
                stdin: stdin.map(|p| p.1.into()),
                stdout: stdout.map(|p| p.0.into()),
                stderr: stderr.map(|p| p.0.into()),
            }
        }
    };
    CHILD.store(child.pid, Ordering::SeqCst);
    pass_on_pending();
    let mut feeding = None;
    if let (Some(bytes), Some(mut stdin)) = (input, child.stdin.take()) {
        // Not joined: a command that stops reading (or a process it left holding the pipe)
        // must not keep guard from reporting its exit.
        feeding = Some(std::thread::spawn(move || {
            let _ = stdin.write_all(&bytes);
        }));
    }
    // The copying ends with the command: what it left running (`server &`) may hold the pipes
    // for as long as it runs, and guard's caller waits for guard's exit status, not for that.
    let ended = if hand_off { pidfd(child.pid) } else { None };
    let mut copiers = Vec::new();
    let stderr = child.stderr.take().zip(err);
    if let Some((stdout, out)) = child.stdout.take().zip(out) {
        let ended = ended.as_ref().and_then(|e| e.try_clone().ok());
        copiers.push(std::thread::spawn(move || copy(stdout, Raw::of(libc::STDOUT_FILENO), out, ended.as_ref())));
    }
    // Output first: the child may be gone while what it wrote is still on its way. stderr is
    // copied by this thread, which has nothing else to do until then (a thread fewer to start
    // and tear down for a contained command, whose stderr alone passes through guard).
    let mut left = Vec::new();
    if let Some((stderr, err)) = stderr {
        left.extend(copy(stderr, Raw::of(libc::STDERR_FILENO), err, ended.as_ref()));
    }
    for c in copiers {
        left.extend(c.join().ok().flatten());
    }
    if !left.is_empty() {
        // Joined once finished, so no thread of guard's is on its way out when it forks.
        let feeding = match feeding {
            Some(f) if f.is_finished() => {
                let _ = f.join();
                None
            }
            other => other,
        };
        hand_over(left, feeding.is_some());
    }
    // Once the child has ended, and before its pid is free to be reused, signals are no
    // longer passed on: wait for the end without reaping it, stop forwarding, then reap.
    use nix::sys::wait::{waitid, Id, WaitPidFlag};
    let pid = nix::unistd::Pid::from_raw(child.pid);
    while waitid(Id::Pid(pid), WaitPidFlag::WEXITED | WaitPidFlag::WNOWAIT) == Err(nix::errno::Errno::EINTR) {}
    CHILD.store(-1, Ordering::SeqCst);
    let status = child.wait().map_err(|e| RunError::Lost { what: e.to_string() })?;
    Ok(super::exit_code(status))
}

/// The command running: its pid and guard's ends of the pipes to it.
struct Running {
    pid: libc::pid_t,
    stdin: Option<std::fs::File>,
    stdout: Option<std::fs::File>,
    stderr: Option<std::fs::File>,
}

impl Running {
    /// One std started; reaped by [`Running::wait`] (dropping std's handle neither waits nor
    /// kills).
    fn of(mut child: std::process::Child) -> Running {
        let file = |fd: std::os::fd::OwnedFd| std::fs::File::from(fd);
        Running {
            pid: child.id() as libc::pid_t,
            stdin: child.stdin.take().map(|s| file(s.into())),
            stdout: child.stdout.take().map(|s| file(s.into())),
            stderr: child.stderr.take().map(|s| file(s.into())),
        }
    }

    /// Reaps it: how it ended.
    fn wait(&self) -> std::io::Result<std::process::ExitStatus> {
        use std::os::unix::process::ExitStatusExt;
        loop {
            let mut status = 0;
            // SAFETY: waits for guard's own child, not yet reaped.
            if unsafe { libc::waitpid(self.pid, &mut status, 0) } == self.pid {
                return Ok(std::process::ExitStatus::from_raw(status));
            }
            let e = std::io::Error::last_os_error();
            if e.kind() != std::io::ErrorKind::Interrupted {
                return Err(e);
            }
        }
    }
}

/// Has the signals in [`FORWARDED`] passed on to [`CHILD`] when a process sends them to guard,
/// from now on (after the command has ended they are dropped). A signal guard's caller left
/// ignored stays ignored, by guard and by the command, as a shell leaves it. guard needs its
/// child's exit status: an inherited ignored `SIGCHLD` (which has the kernel reap children
/// unasked) gets its default back, as bash gives it.
fn forward_signals() -> std::io::Result<()> {
    let check = |r: libc::c_int| if r == 0 { Ok(()) } else { Err(std::io::Error::last_os_error()) };
    CHILD.store(0, Ordering::SeqCst);
    PENDING.store(0, Ordering::SeqCst);
    // SAFETY: sigaction structures are plain data, filled in here or by the kernel; the handler
    // does only what a signal handler may (atomics, kill, errno).
    unsafe {
        let mut action: libc::sigaction = std::mem::zeroed();
        action.sa_sigaction = on_signal as *const () as libc::sighandler_t;
        // SA_RESTART: the reads and writes of the threads copying output carry on.
        action.sa_flags = libc::SA_SIGINFO | libc::SA_RESTART;
        check(libc::sigemptyset(&mut action.sa_mask))?;
        for signal in FORWARDED {
            let mut before: libc::sigaction = std::mem::zeroed();
            check(libc::sigaction(signal, &action, &mut before))?;
            if before.sa_sigaction == libc::SIG_IGN {
                check(libc::sigaction(signal, &before, std::ptr::null_mut()))?;
            }
        }
        let mut chld: libc::sigaction = std::mem::zeroed();
        check(libc::sigaction(libc::SIGCHLD, std::ptr::null(), &mut chld))?;
        if chld.sa_sigaction == libc::SIG_IGN {
            chld.sa_sigaction = libc::SIG_DFL;
            check(libc::sigaction(libc::SIGCHLD, &chld, std::ptr::null_mut()))?;
        }
    }
    Ok(())
}

/// The handler for [`FORWARDED`]: a signal a process sent (not one the terminal generated,
/// which reaches the child too) is noted and, once the child runs, passed on.
extern "C" fn on_signal(signal: libc::c_int, info: *mut libc::siginfo_t, _: *mut libc::c_void) {
    let errno = nix::errno::Errno::last_raw();
    // SAFETY: the kernel hands an SA_SIGINFO handler a valid siginfo_t.
    let code = unsafe { (*info).si_code };
    if sent_by_a_process(code) && (0..64).contains(&signal) {
        PENDING.fetch_or(1 << signal, Ordering::SeqCst);
        pass_on_pending();
    }
    nix::errno::Errno::set_raw(errno);
}

/// Sends the child every pending signal, once it runs. Called both by the handler and after
/// the child starts, whichever comes second passes a signal on; each is sent once.
fn pass_on_pending() {
    let pid = CHILD.load(Ordering::SeqCst);
    if pid <= 0 {
        return;
    }
    let mut bits = PENDING.swap(0, Ordering::SeqCst);
    while bits != 0 {
        let signal = bits.trailing_zeros() as libc::c_int;
        bits &= bits - 1;
        // SAFETY: kill(2) on the child guard started and has not yet reaped.
        unsafe { libc::kill(pid, signal) };
    }
}

/// Whether a signal's `si_code` says a process sent it (kill, tkill, sigqueue, a message queue)
/// rather than the kernel, as the terminal's Ctrl-C is.
fn sent_by_a_process(code: libc::c_int) -> bool {
    matches!(code, libc::SI_USER | libc::SI_TKILL | libc::SI_QUEUE | libc::SI_MESGQ)
}

/// guard's own stdout or stderr, written with plain `write` calls: each chunk goes out whole,
/// rather than through std's line buffering (a write up to the last newline, then another for
/// the rest) and its lock. Only the copying thread writes to it while the command runs.
struct Raw(std::mem::ManuallyDrop<std::fs::File>);

impl Raw {
    fn of(fd: std::os::fd::RawFd) -> Raw {
        use std::os::fd::FromRawFd;
        // SAFETY: 0, 1 and 2 are open for the life of the process; ManuallyDrop never closes it.
        Raw(std::mem::ManuallyDrop::new(unsafe { std::fs::File::from_raw_fd(fd) }))
    }
}

impl Write for Raw {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        (&*self.0).write(buf)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl AsFd for Raw {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.0.as_fd()
    }
}

/// How much is read at a time.
const CHUNK: usize = 256 * 1024;
/// After this much output, the pipes on either side of guard grow to [`LONG_STREAM_PIPE`].
const LONG_STREAM: usize = 1 << 20;
/// The most Linux lets any user give a pipe by default (`/proc/sys/fs/pipe-max-size`, which an
/// administrator may lower: then the pipes stay as they are).
const LONG_STREAM_PIPE: usize = 1 << 20;

/// What is left to copy once the command has ended while something it left running still holds
/// the pipe.
struct Left {
    from: std::fs::File,
    to: Raw,
    filter: Box<dyn OutputFilter + Send>,
}

/// How long guard goes on copying after the command's end before what still holds the pipe
/// counts as left running: a process that is itself ending closes it within this.
const GRACE: std::time::Duration = std::time::Duration::from_millis(50);

/// Copy `from` to `to` through `filter`, chunk by chunk, never holding the whole stream. With
/// `ended` (readable once the command has ended), copying goes on for at most [`GRACE`] after
/// the end; a pipe still open then is returned, for [`hand_over`], after what the filter holds
/// back has been let out (output has paused: the same as when it goes quiet on a terminal).
fn copy(
    mut from: std::fs::File,
    mut to: Raw,
    mut filter: Box<dyn OutputFilter + Send>,
    ended: Option<&std::os::fd::OwnedFd>,
) -> Option<Left> {
    let mut buf = vec![0u8; CHUNK];
    let mut out = Vec::with_capacity(buf.len() + 256);
    let mut passed = 0;
    // The reader went away: what comes is drained, so nothing is blocked on a full pipe.
    let mut gone = false;
    // When copying stops if the pipe is still open: set once the command has ended.
    let mut until = None;
    loop {
        if let Some(ended) = ended {
            if !readable(&from, ended, &mut until) {
                if gone {
                    // Nobody reads what is left: it is dropped with the pipe.
                    return None;
                }
                out.clear();
                filter.flush(&mut out);
                let _ = to.write_all(&out);
                return Some(Left { from, to, filter });
            }
        }
        let n = match from.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        if gone {
            continue;
        }
        if passed < LONG_STREAM && passed + n >= LONG_STREAM {
            grow_pipe(from.as_fd());
            grow_pipe(to.as_fd());
        }
        passed += n;
        out.clear();
        filter.feed(&buf[..n], &mut out);
        if to.write_all(&out).and_then(|_| to.flush()).is_err() {
            gone = true;
        }
    }
    if !gone {
        out.clear();
        filter.flush(&mut out);
        let _ = to.write_all(&out).and_then(|_| to.flush());
    }
    None
}

/// Waits until `from` has something to read or is closed (`true`), or `until` has passed
/// (`false`, whatever is still coming); `until` is set to [`GRACE`] after the command's end
/// when `ended` first shows it.
fn readable(from: &std::fs::File, ended: &std::os::fd::OwnedFd, until: &mut Option<std::time::Instant>) -> bool {
    use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
    loop {
        let left = until.map(|u| u.saturating_duration_since(std::time::Instant::now()));
        // Past it, what is left goes on elsewhere, however much more is coming.
        if left.is_some_and(|d| d.is_zero()) {
            return false;
        }
        let mut fds = [PollFd::new(from.as_fd(), PollFlags::POLLIN), PollFd::new(ended.as_fd(), PollFlags::POLLIN)];
        let watched = if until.is_some() { &mut fds[..1] } else { &mut fds[..] };
        let timeout = match left {
            None => PollTimeout::NONE,
            Some(d) => PollTimeout::try_from(d).unwrap_or(PollTimeout::MAX),
        };
        match poll(watched, timeout) {
            Err(nix::errno::Errno::EINTR) => continue,
            // Copying as before: a read that blocks.
            Err(_) => return true,
            Ok(_) => {}
        }
        if fds[0].any().unwrap_or(true) {
            return true;
        }
        if until.is_none() && fds[1].any().unwrap_or(false) {
            *until = Some(std::time::Instant::now() + GRACE);
        }
    }
}

/// Closes every descriptor but the pipes in `left` and the ends they are copied to.
fn keep_only(left: &[Left]) {
    use std::os::fd::AsRawFd;
    let mut keep: Vec<u32> =
        left.iter().flat_map(|l| [l.from.as_raw_fd(), l.to.0.as_raw_fd()]).map(|fd| fd as u32).collect();
    keep.sort_unstable();
    keep.dedup();
    let mut next = 0u32;
    for fd in keep.into_iter().chain(std::iter::once(u32::MAX)) {
        if fd > next {
            // SAFETY: close_range(2) on descriptors of this process that nothing here uses.
            unsafe { libc::syscall(libc::SYS_close_range, next, fd - 1, 0u32) };
        }
        next = fd.saturating_add(1);
    }
}

/// A descriptor that becomes readable when process `pid` ends (`pidfd_open(2)`, Linux 5.3), or
/// `None` where there is none: then copying lasts until every holder of the pipe closes it.
fn pidfd(pid: libc::pid_t) -> Option<std::os::fd::OwnedFd> {
    use std::os::fd::FromRawFd;
    // SAFETY: pidfd_open takes plain numbers and returns a new descriptor or -1.
    let fd = unsafe { libc::syscall(libc::SYS_pidfd_open, pid, 0) };
    // SAFETY: a descriptor just returned to this process, owned from here on.
    (fd >= 0).then(|| unsafe { std::os::fd::OwnedFd::from_raw_fd(fd as std::os::fd::RawFd) })
}

/// Hands what is left to copy to a process of its own, so guard can report the command's end
/// while what it left running still writes: that process copies on (through the same filters)
/// until every holder of the pipes has closed them, as the caller's own pipe would have taken
/// it had guard not stood between. Where guard cannot fork safely (another of its threads still
/// feeds the command its input), or the fork fails, guard copies on itself, as it did before.
fn hand_over(left: Vec<Left>, busy: bool) {
    // The command has ended (not yet reaped): nothing more is passed on to it, from here or
    // from the process that copies on.
    CHILD.store(-1, Ordering::SeqCst);
    let finish = |left: Vec<Left>| {
        let mut threads = Vec::new();
        let mut rest = left.into_iter();
        let first = rest.next();
        for l in rest {
            threads.push(std::thread::spawn(move || copy(l.from, l.to, l.filter, None)));
        }
        if let Some(l) = first {
            copy(l.from, l.to, l.filter, None);
        }
        threads.into_iter().for_each(|t| {
            let _ = t.join();
        });
    };
    if busy {
        return finish(left);
    }
    // SAFETY: guard has one thread here (the copying threads have been joined, and the one
    // feeding input has finished), so the child may run ordinary code.
    match unsafe { libc::fork() } {
        0 => {
            // It lasts as long as what it serves, and no longer than that holds the pipes: the
            // signals guard passed on are ignored, as a background job of a shell ignores
            // Ctrl-C, and it holds only the pipes it copies and where it copies them to (not
            // guard's stdin, nor a stdout or stderr it has nothing for).
            for signal in FORWARDED {
                // SAFETY: signal(2) on this process's own dispositions.
                unsafe { libc::signal(signal, libc::SIG_IGN) };
            }
            keep_only(&left);
            finish(left);
            // SAFETY: ends this process without running guard's exit handlers a second time.
            unsafe { libc::_exit(0) }
        }
        -1 => finish(left),
        // guard's copies of the pipes close here; the other process has its own.
        _ => drop(left),
    }
}

/// Gives a pipe more room, for a stream that has turned out long. With guard reading one pipe
/// and writing the next, a 64 KiB pipe on either side makes the writer before guard, guard and
/// the reader after it take turns a chunk at a time; with 1 MiB each runs while the others do.
/// Pipe memory counts against the user's allowance (`/proc/sys/fs/pipe-user-pages-soft`, 64 MiB
/// by default): a long stream takes 2 MiB of it while it lasts, short outputs (nearly all)
/// none. Anything that is not a pipe, a pipe already as large, or one the system will not grow
/// is left as it is.
fn grow_pipe(fd: BorrowedFd) {
    #[cfg(any(target_os = "linux", target_os = "android"))]
    if nix::sys::stat::fstat(fd).is_ok_and(|st| st.st_mode & libc::S_IFMT == libc::S_IFIFO) {
        use nix::fcntl::{fcntl, FcntlArg};
        let size = LONG_STREAM_PIPE as libc::c_int;
        // Never shrink a pipe someone made larger.
        if fcntl(fd, FcntlArg::F_GETPIPE_SZ).is_ok_and(|have| have < size) {
            let _ = fcntl(fd, FcntlArg::F_SETPIPE_SZ(size));
        }
    }
}
