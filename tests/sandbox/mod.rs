//! A fresh home for one test, so a bug in guard can never touch a real home, `/` or the
//! repository: HOME, the XDG directories and a working directory `work` inside a temporary
//! directory, and programs run there with an environment cleared down to PATH.

#![allow(dead_code)]

use std::io::{Read, Write};
use std::os::fd::AsFd;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

pub const GUARD: &str = env!("CARGO_BIN_EXE_guard");

pub struct Sandbox {
    tmp: tempfile::TempDir,
}

impl Sandbox {
    pub fn new() -> Sandbox {
        let tmp = tempfile::tempdir().expect("a temporary directory");
        std::fs::create_dir(tmp.path().join("work")).expect("the working directory is made");
        Sandbox { tmp }
    }

    pub fn home(&self) -> &Path {
        self.tmp.path()
    }

    pub fn work(&self) -> PathBuf {
        self.home().join("work")
    }

    /// The audit log guard writes here by default.
    pub fn log(&self) -> PathBuf {
        self.home().join("state/guard/audit.jsonl")
    }

    /// `program`, isolated in this sandbox, with stdin from /dev/null.
    pub fn command(&self, program: &str) -> Command {
        let mut c = isolated(self.home(), program);
        c.stdin(Stdio::null());
        c
    }

    /// `guard ARGS`, isolated in this sandbox.
    pub fn guard(&self, args: &[&str]) -> Command {
        let mut c = self.command(GUARD);
        c.args(args);
        c
    }

    /// Write a user policy file (`$XDG_CONFIG_HOME/guard/NAME`).
    pub fn user_policy(&self, name: &str, text: &str) {
        let dir = self.home().join("config/guard");
        std::fs::create_dir_all(&dir).expect("the policy directory is made");
        std::fs::write(dir.join(name), text).expect("the policy file is written");
    }
}

/// `program` with HOME, the XDG directories and the working directory (`work`) under `home`,
/// and no environment but PATH and `LC_ALL=C`.
pub fn isolated(home: &Path, program: &str) -> Command {
    let mut c = Command::new(program);
    c.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_else(|| "/usr/bin:/bin".into()))
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_STATE_HOME", home.join("state"))
        .env("XDG_CACHE_HOME", home.join("cache"))
        .env("LC_ALL", "C")
        .current_dir(home.join("work"));
    c
}

/// Bytes as text, for messages and comparisons.
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A finished run, for a failed assertion's message.
pub fn describe(o: &Output) -> String {
    format!("status {:?}\nstdout: {}\nstderr: {}", o.status, text(&o.stdout), text(&o.stderr))
}

/// Writes an executable file (a script with its `#!` line, or without one on purpose).
pub fn write_executable(path: &Path, content: &str) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::write(path, content).expect("the file is written");
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).expect("the file is made executable");
}

/// `cmd` in a session of its own, so it has no controlling terminal: as an agent's hook, a
/// pipeline or a service runs guard, and so that nothing can reach the terminal running the
/// tests.
pub fn without_terminal(cmd: &mut Command) -> &mut Command {
    // SAFETY: setsid(2) is async-signal-safe.
    unsafe {
        cmd.pre_exec(|| {
            if libc::setsid() < 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    cmd
}

/// Run `cmd` with `stdin` written to it, capturing its output; `None` (after killing it) when it
/// has not finished within `limit`, which is how a hang shows.
pub fn finish_within(mut cmd: Command, stdin: &[u8], limit: Duration) -> Option<Output> {
    cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("the program starts");
    let mut input = child.stdin.take().expect("stdin is piped");
    let bytes = stdin.to_vec();
    // The program may exit without reading it all; a broken pipe is then expected.
    let writer = std::thread::spawn(move || {
        let _ = input.write_all(&bytes);
    });
    let pid = child.id() as i32;
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    let out = match rx.recv_timeout(limit) {
        Ok(out) => Some(out.expect("waiting for the program")),
        Err(_) => {
            // SAFETY: kill(2) on the process (and the session, when it leads one) this test started.
            unsafe {
                libc::kill(-pid, libc::SIGKILL);
                libc::kill(pid, libc::SIGKILL);
            }
            let _ = rx.recv();
            None
        }
    };
    let _ = writer.join();
    out
}

/// Run `cmd` as the leader of a new session on a new pseudo-terminal, its controlling terminal,
/// with `ahead` typed before it starts; each time the next of `answers`' prompts is on screen,
/// type its keys. Returns the exit code and the screen.
pub fn in_terminal(mut cmd: Command, ahead: &[u8], answers: &[(&str, &[u8])]) -> (i32, String) {
    let pty = nix::pty::openpty(None, None).unwrap();
    let slave = std::fs::File::from(pty.slave);
    let mut master = std::fs::File::from(pty.master);
    master.write_all(ahead).unwrap();
    cmd.stdin(slave.try_clone().unwrap()).stdout(slave.try_clone().unwrap()).stderr(slave.try_clone().unwrap());
    unsafe {
        cmd.pre_exec(|| {
            nix::unistd::setsid()?;
            // Standard input is the terminal's other end by now; make it the controlling one.
            if nix::libc::ioctl(0, nix::libc::TIOCSCTTY as _, 0) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let mut child = cmd.spawn().unwrap();
    drop(cmd);
    drop(slave);
    let mut screen = String::new();
    let mut seen = 0;
    for (prompt, keys) in answers {
        let found = read_until(&mut master, &mut screen, seen, Some(prompt));
        assert!(found.is_some(), "the prompt {prompt:?} never appeared; the screen was:\n{screen}");
        seen = found.unwrap();
        master.write_all(keys).unwrap();
    }
    read_until(&mut master, &mut screen, seen, None);
    let status = child.wait().unwrap();
    (status.code().unwrap_or(-1), screen)
}

/// Read what the terminal shows until `want` appears after byte `from` (returns where it ends)
/// or the other side closes. The time limit only keeps a broken build from hanging the suite.
pub fn read_until(master: &mut std::fs::File, screen: &mut String, from: usize, want: Option<&str>) -> Option<usize> {
    let limit = Instant::now() + Duration::from_secs(120);
    let mut buf = [0u8; 4096];
    let found = |screen: &str| want.and_then(|w| screen.get(from..)?.find(w).map(|i| from + i + w.len()));
    while Instant::now() < limit {
        if let Some(end) = found(screen) {
            return Some(end);
        }
        let mut fds = [nix::poll::PollFd::new(master.as_fd(), nix::poll::PollFlags::POLLIN)];
        match nix::poll::poll(&mut fds, nix::poll::PollTimeout::from(1000u16)) {
            Ok(0) | Err(nix::errno::Errno::EINTR) => continue,
            Ok(_) => {}
            Err(_) => return None,
        }
        match master.read(&mut buf) {
            Ok(0) | Err(_) => return found(screen),
            Ok(n) => screen.push_str(&String::from_utf8_lossy(&buf[..n])),
        }
    }
    None
}
