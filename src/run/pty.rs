//! Running a command on a pseudo-terminal owned by guard, when a person is at a terminal: the
//! child gets its own session with the pty as controlling terminal; guard puts the real
//! terminal in raw mode and copies bytes both ways, passes window size changes on, forwards
//! signals sent to guard to the child's process group, follows the child when it is suspended,
//! and restores the terminal on every way out. It touches the terminal only while its job is in
//! the foreground: a job in the background that changes the terminal's modes or reads from it
//! is stopped by the kernel (SIGTTOU, SIGTTIN).

use std::cell::Cell;
use std::fs::File;
use std::io::{ErrorKind, Read, Write};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};
use std::os::unix::net::UnixStream;
use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
use nix::pty::{openpty, Winsize};
use nix::sys::termios::{self, SetArg, Termios};
use nix::sys::wait::{waitpid, WaitPidFlag, WaitStatus};
use nix::unistd::Pid;
use signal_hook::consts::{SIGCHLD, SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGTSTP, SIGWINCH};

use super::error::RunError;
use super::OutputFilter;

nix::ioctl_read_bad!(get_winsize, libc::TIOCGWINSZ, Winsize);
nix::ioctl_write_ptr_bad!(set_winsize, libc::TIOCSWINSZ, Winsize);

/// Puts the terminal back as it was when dropped, whatever the way out.
struct RawMode<'a> {
    fd: BorrowedFd<'a>,
    saved: Termios,
    /// Whether the terminal is in raw mode now; only then is there anything to put back (and
    /// a job in the background must not touch the modes).
    active: Cell<bool>,
}

impl<'a> RawMode<'a> {
    fn enter(fd: BorrowedFd<'a>) -> nix::Result<RawMode<'a>> {
        let saved = termios::tcgetattr(fd)?;
        let mut raw = saved.clone();
        termios::cfmakeraw(&mut raw);
        termios::tcsetattr(fd, SetArg::TCSADRAIN, &raw)?;
        Ok(RawMode { fd, saved, active: Cell::new(true) })
    }

    fn restore(&self) {
        if self.active.replace(false) {
            let _ = termios::tcsetattr(self.fd, SetArg::TCSADRAIN, &self.saved);
        }
    }

    fn reenter(&self) {
        let mut raw = self.saved.clone();
        termios::cfmakeraw(&mut raw);
        let _ = termios::tcsetattr(self.fd, SetArg::TCSADRAIN, &raw);
        self.active.set(true);
    }
}

impl Drop for RawMode<'_> {
    fn drop(&mut self) {
        self.restore();
    }
}

/// Whether guard's job is the terminal's foreground job. A terminal that is not guard's
/// controlling terminal has no jobs, and counts as foreground. Started in the background
/// (`guard -c … &`), guard must not take the terminal: raw mode would stop it at once.
pub fn in_foreground(tty: BorrowedFd) -> bool {
    nix::unistd::tcgetpgrp(tty).map_or(true, |pg| pg == nix::unistd::getpgrp())
}

fn window_size(fd: BorrowedFd) -> Option<Winsize> {
    let mut ws = Winsize { ws_row: 0, ws_col: 0, ws_xpixel: 0, ws_ypixel: 0 };
    // SAFETY: TIOCGWINSZ fills a Winsize.
    unsafe { get_winsize(fd.as_raw_fd(), &mut ws) }.ok().map(|_| ws)
}

/// Run `cmd` on a new pty; the status to exit with (N for exit N, 128+S for signal S). Only for
/// a guard [`in_foreground`] at its terminal.
pub fn run(mut cmd: Command, filter: &mut dyn OutputFilter) -> Result<i32, RunError> {
    let stdin = std::io::stdin();
    let tty = stdin.as_fd();
    let size = window_size(std::io::stdout().as_fd()).or_else(|| window_size(tty));
    let pty = openpty(size.as_ref(), None).map_err(RunError::setup_errno("open a pseudo-terminal"))?;
    // openpty(3) leaves both ends inheritable. The command must not hold the master: guard's
    // exit would then not hang up its terminal, and a process it leaves behind would never get
    // SIGHUP. It gets the slave as stdin, stdout and stderr only.
    for fd in [pty.master.as_fd(), pty.slave.as_fd()] {
        nix::fcntl::fcntl(fd, nix::fcntl::FcntlArg::F_SETFD(nix::fcntl::FdFlag::FD_CLOEXEC))
            .map_err(RunError::setup_errno("set up the pseudo-terminal"))?;
    }
    let slave: OwnedFd = pty.slave;
    let master = File::from(pty.master);
    cmd.stdin(Stdio::from(slave.try_clone().map_err(RunError::setup("set up the pseudo-terminal"))?))
        .stdout(Stdio::from(slave.try_clone().map_err(RunError::setup("set up the pseudo-terminal"))?))
        .stderr(Stdio::from(slave));
    // SAFETY: only async-signal-safe calls between fork and exec.
    unsafe {
        cmd.pre_exec(|| {
            if libc::setsid() < 0 || libc::ioctl(0, libc::TIOCSCTTY as _, 0) < 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }

    // Signals reach the loop through flags and a wake-up pipe.
    let signals = "pass signals on to the command";
    let (wake_rx, wake_tx) = UnixStream::pair().map_err(RunError::setup(signals))?;
    wake_rx.set_nonblocking(true).map_err(RunError::setup(signals))?;
    let sigs = [SIGWINCH, SIGCHLD, SIGTERM, SIGHUP, SIGINT, SIGQUIT, SIGTSTP];
    let flags: Vec<Arc<AtomicBool>> = sigs.iter().map(|_| Arc::new(AtomicBool::new(false))).collect();
    for (s, f) in sigs.iter().zip(&flags) {
        signal_hook::flag::register(*s, f.clone()).map_err(RunError::setup(signals))?;
        signal_hook::low_level::pipe::register(*s, wake_tx.try_clone().map_err(RunError::setup(signals))?)
            .map_err(RunError::setup(signals))?;
    }
    let taken = |s: i32| flags[sigs.iter().position(|x| *x == s).expect("registered")].swap(false, Ordering::SeqCst);

    let child = cmd.spawn().map_err(|source| RunError::Start { program: cmd.get_program().to_owned(), source })?;
    let pid = Pid::from_raw(child.id() as i32);
    drop(cmd);
    let raw = RawMode::enter(tty).map_err(RunError::setup_errno("put the terminal in raw mode"))?;
    nix::fcntl::fcntl(&master, nix::fcntl::FcntlArg::F_SETFL(nix::fcntl::OFlag::O_NONBLOCK))
        .map_err(RunError::setup_errno("set up the pseudo-terminal"))?;

    // Straight to fd 1: std's stdout is line-buffered, which would split and copy every chunk.
    let stdout_fd = std::io::stdout();
    let mut stdout =
        File::from(stdout_fd.as_fd().try_clone_to_owned().map_err(RunError::setup("write to the terminal"))?);
    let mut input_open = true;
    // Continued in the background (`bg`): no raw mode and no reading the terminal until `fg`.
    let mut background = false;
    let mut pending: Vec<u8> = Vec::new();
    let mut buf = vec![0u8; 64 * 1024];
    let mut out = Vec::with_capacity(64 * 1024);
    let mut master_r = &master;
    let mut status: Option<i32> = None;
    loop {
        let mut fds = vec![
            PollFd::new(
                master.as_fd(),
                if pending.is_empty() { PollFlags::POLLIN } else { PollFlags::POLLIN | PollFlags::POLLOUT },
            ),
            PollFd::new(wake_rx.as_fd(), PollFlags::POLLIN),
        ];
        if input_open && !background && pending.len() < 1 << 20 {
            fds.push(PollFd::new(tty, PollFlags::POLLIN));
        }
        // Idle output waits a moment in the filter (a secret may be split across reads); it is
        // let out when nothing more comes. In the background, look now and then for `fg`,
        // which gives guard the terminal back without a signal when its job is running.
        let timeout = if filter.holding() {
            PollTimeout::from(20u8)
        } else if background {
            PollTimeout::from(250u8)
        } else {
            PollTimeout::NONE
        };
        match poll(&mut fds, timeout) {
            Ok(0) if background && in_foreground(tty) => {
                background = false;
                raw.reenter();
                resize(&master, filter);
                continue;
            }
            Ok(0) => {
                out.clear();
                filter.flush(&mut out);
                write_out(&mut stdout, &out);
                continue;
            }
            Ok(_) => {}
            Err(nix::errno::Errno::EINTR) => continue,
            Err(e) => return Err(RunError::Lost { what: format!("waiting on the terminal failed: {e}") }),
        }
        let ready = |i: usize| fds.get(i).and_then(|f| f.revents()).unwrap_or(PollFlags::empty());
        let (m, w, t) = (ready(0), ready(1), ready(2));
        if w.contains(PollFlags::POLLIN) {
            let mut sink = [0u8; 64];
            while (&wake_rx).read(&mut sink).is_ok_and(|n| n > 0) {}
        }
        if !m.is_empty() {
            match master_r.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => {
                    out.clear();
                    filter.feed(&buf[..n], &mut out);
                    write_out(&mut stdout, &out);
                }
                Err(e) if e.kind() == ErrorKind::WouldBlock || e.kind() == ErrorKind::Interrupted => {}
                // EIO: every holder of the pty's other side has gone.
                Err(_) => break,
            }
            if m.contains(PollFlags::POLLOUT) && !pending.is_empty() {
                match (&master).write(&pending) {
                    Ok(n) => {
                        pending.drain(..n);
                    }
                    Err(e) if e.kind() == ErrorKind::WouldBlock => {}
                    Err(_) => pending.clear(),
                }
            }
        }
        if !t.is_empty() {
            match nix::unistd::read(tty, &mut buf) {
                Ok(0) => input_open = false,
                Ok(n) => match suspend_key(&master).and_then(|k| buf[..n].iter().position(|b| *b == k)) {
                    Some(at) => {
                        pending.extend_from_slice(&buf[..at]);
                        pending.extend_from_slice(&buf[at + 1..n]);
                        let _ = nix::sys::signal::killpg(pid, nix::sys::signal::Signal::SIGSTOP);
                    }
                    None => pending.extend_from_slice(&buf[..n]),
                },
                Err(nix::errno::Errno::EINTR | nix::errno::Errno::EAGAIN) => {}
                Err(_) => input_open = false,
            }
            if !pending.is_empty() {
                if let Ok(n) = (&master).write(&pending) {
                    pending.drain(..n);
                }
            }
        }
        if taken(SIGWINCH) {
            if let Some(ws) = window_size(std::io::stdout().as_fd()).or_else(|| window_size(tty)) {
                // SAFETY: TIOCSWINSZ reads a Winsize; the kernel then signals the pty's
                // foreground process group.
                let _ = unsafe { set_winsize(master.as_raw_fd(), &ws) };
                filter.resized(ws.ws_col, ws.ws_row);
            }
        }
        for s in [SIGTERM, SIGHUP, SIGINT, SIGQUIT] {
            if taken(s) {
                let _ = nix::sys::signal::killpg(pid, nix::sys::signal::Signal::try_from(s).ok());
            }
        }
        // The kernel drops SIGTSTP for the command (see `suspend_key`): stop it outright.
        if taken(SIGTSTP) {
            let _ = nix::sys::signal::killpg(pid, nix::sys::signal::Signal::SIGSTOP);
        }
        if taken(SIGCHLD) {
            match waitpid(pid, Some(WaitPidFlag::WNOHANG | WaitPidFlag::WUNTRACED)) {
                Ok(WaitStatus::Exited(_, code)) => {
                    status = Some(code);
                    break;
                }
                Ok(WaitStatus::Signaled(_, sig, _)) => {
                    status = Some(128 + sig as i32);
                    break;
                }
                Ok(WaitStatus::Stopped(..)) => {
                    // The child was suspended (Ctrl-Z reaches it through the pty): suspend
                    // guard too, with the terminal as it was; carry on together when resumed.
                    raw.restore();
                    let _ = nix::sys::signal::raise(nix::sys::signal::Signal::SIGSTOP);
                    // Continued by `fg`, or by `bg` to run on away from the terminal.
                    background = !in_foreground(tty);
                    if !background {
                        raw.reenter();
                        resize(&master, filter);
                    }
                    let _ = nix::sys::signal::killpg(pid, nix::sys::signal::Signal::SIGCONT);
                }
                _ => {}
            }
        }
    }
    // Whatever the child wrote before it went is still in the pty: let it all out.
    loop {
        match master_r.read(&mut buf) {
            Ok(n) if n > 0 => {
                out.clear();
                filter.feed(&buf[..n], &mut out);
                write_out(&mut stdout, &out);
            }
            _ => break,
        }
    }
    out.clear();
    filter.flush(&mut out);
    write_out(&mut stdout, &out);
    let code = match status {
        Some(c) => c,
        None => match waitpid(pid, None) {
            Ok(WaitStatus::Exited(_, code)) => code,
            Ok(WaitStatus::Signaled(_, sig, _)) => 128 + sig as i32,
            other => return Err(RunError::Lost { what: format!("{other:?}") }),
        },
    };
    drop(raw);
    Ok(code)
}

/// The key that suspends the command (Ctrl-Z), when its terminal turns keys into signals. Its
/// SIGTSTP would be dropped: the command's process group has no parent in its own session
/// (guard is outside it), and the kernel does not stop such a group for a terminal. So guard
/// takes the key and stops the command itself; the loop then suspends guard too.
fn suspend_key(master: &File) -> Option<u8> {
    let modes = termios::tcgetattr(master).ok()?;
    let key = modes.control_chars[termios::SpecialCharacterIndices::VSUSP as usize];
    // A zero character means the key is switched off.
    (modes.local_flags.contains(termios::LocalFlags::ISIG) && key != 0).then_some(key)
}

/// Give the command's pty the size of guard's terminal.
fn resize(master: &File, filter: &mut dyn OutputFilter) {
    if let Some(ws) = window_size(std::io::stdout().as_fd()) {
        // SAFETY: TIOCSWINSZ reads a Winsize.
        let _ = unsafe { set_winsize(master.as_raw_fd(), &ws) };
        filter.resized(ws.ws_col, ws.ws_row);
    }
}

/// The (columns, rows) of the terminal guard runs at, which the command's pty starts with.
pub fn terminal_size() -> Option<(u16, u16)> {
    let ws = window_size(std::io::stdout().as_fd()).or_else(|| window_size(std::io::stdin().as_fd()))?;
    Some((ws.ws_col, ws.ws_row))
}

fn write_out(stdout: &mut File, bytes: &[u8]) {
    if !bytes.is_empty() {
        let _ = stdout.write_all(bytes);
    }
}
