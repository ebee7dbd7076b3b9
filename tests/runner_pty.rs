//! guard at a terminal: each test opens a pseudo-terminal, starts guard (or an interactive bash
//! to start it as a job) in a session of its own with the pty's slave as its controlling
//! terminal and stdin, stdout and stderr, and plays the person at the other end through the
//! master: reading the screen, typing, Ctrl-C and Ctrl-Z, resizing the window, sending signals.
//! guard must then run the command on a pty of its own, pass all of that on, and leave the
//! terminal's modes as it found them.
//!
//! HOME, the XDG directories and the working directory are in a fresh temporary directory and
//! the environment is cleared down to PATH. Every wait is for an event (text on the screen, a
//! process ending) with a generous limit; nothing sleeps for a fixed time.

#![allow(clippy::unwrap_used)] // a test fails loudly on what it did not expect

use std::fs::File;
use std::io::{Read, Write};
use std::os::fd::{AsFd, AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{mpsc, Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use nix::pty::{grantpt, posix_openpt, ptsname_r, unlockpt, Winsize};
use nix::sys::termios::{tcgetattr, LocalFlags, Termios};

mod sandbox;
use sandbox::GUARD;
/// How long any one wait may take before the test fails; generous, for a busy machine.
const WAIT: Duration = Duration::from_secs(90);

nix::ioctl_write_ptr_bad!(set_winsize, libc::TIOCSWINSZ, Winsize);

/// `program ARGS` with HOME, the XDG directories and the working directory under `home`.
fn sandboxed(home: &std::path::Path, program: &str, args: &[&str]) -> Command {
    let mut c = sandbox::isolated(home, program);
    c.args(args).env("TERM", "dumb");
    c
}

/// What has come out of the terminal so far, and whether it has closed.
#[derive(Default)]
struct Screen {
    state: Mutex<(Vec<u8>, bool)>,
    changed: Condvar,
}

/// guard (or a shell that starts it) running at a terminal this test holds the other end of.
struct Terminal {
    home: tempfile::TempDir,
    master: Arc<File>,
    /// The terminal's modes before guard started.
    before: Termios,
    /// The name of the terminal guard was started on.
    outer: String,
    child: Option<Child>,
    screen: Arc<Screen>,
}

impl Terminal {
    /// `guard ARGS` on a new `rows`×`cols` terminal.
    fn start(args: &[&str], rows: u16, cols: u16) -> Terminal {
        Terminal::start_in(new_home(), GUARD, args, rows, cols)
    }

    /// `program ARGS` on a new terminal, with HOME and the working directory in `home`.
    fn start_in(home: tempfile::TempDir, program: &str, args: &[&str], rows: u16, cols: u16) -> Terminal {
        let h = home.path();
        let (master, slave, outer) = open_pty();
        let size = Winsize { ws_row: rows, ws_col: cols, ws_xpixel: 0, ws_ypixel: 0 };
        // SAFETY: TIOCSWINSZ reads one Winsize.
        unsafe { set_winsize(master.as_raw_fd(), &size) }.expect("sizing the terminal");
        let before = tcgetattr(&master).expect("the terminal's modes");
        let mut c = sandboxed(h, program, args);
        c.stdin(Stdio::from(slave.try_clone().unwrap()))
            .stdout(Stdio::from(slave.try_clone().unwrap()))
            .stderr(Stdio::from(slave));
        // SAFETY: only async-signal-safe calls between fork and exec.
        unsafe {
            c.pre_exec(|| {
                if libc::setsid() < 0 || libc::ioctl(0, libc::TIOCSCTTY as _, 0) < 0 {
                    return Err(std::io::Error::last_os_error());
                }
                // guard starts with stdin, stdout and stderr only, whatever this process was
                // given, so any other descriptor its command holds came from guard. (Kernels
                // before 5.11 refuse the flag; then inherited ones stay.)
                libc::syscall(libc::SYS_close_range, 3u32, u32::MAX, libc::CLOSE_RANGE_CLOEXEC);
                Ok(())
            });
        }
        let child = c.spawn().expect("guard starts");
        // Only guard holds the slave now, so the master reads end when guard has gone.
        drop(c);
        let master = Arc::new(master);
        let screen = Arc::new(Screen::default());
        let (m, s) = (master.clone(), screen.clone());
        std::thread::spawn(move || {
            let mut buf = [0u8; 1 << 16];
            loop {
                let n = match (&*m).read(&mut buf) {
                    Ok(n) => n,
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                    // EIO: the last holder of the slave has closed it.
                    Err(_) => 0,
                };
                // A test that failed while holding the lock has already said why.
                let Ok(mut st) = s.state.lock() else { break };
                if n == 0 {
                    st.1 = true;
                } else {
                    st.0.extend_from_slice(&buf[..n]);
                }
                s.changed.notify_all();
                if n == 0 {
                    break;
                }
            }
        });
        Terminal { home, master, before, outer, child: Some(child), screen }
    }

    fn pid(&self) -> i32 {
        self.child.as_ref().expect("guard is running").id() as i32
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.screen.state.lock().unwrap().0).into_owned()
    }

    /// Wait until the screen says `what`.
    fn wait_for(&self, what: &str) {
        self.wait_until(what, |text, _| text.contains(what));
    }

    fn wait_until(&self, what: &str, done: impl Fn(&str, bool) -> bool) {
        let deadline = Instant::now() + WAIT;
        let mut st = self.screen.state.lock().unwrap();
        loop {
            let text = String::from_utf8_lossy(&st.0);
            if done(&text, st.1) {
                return;
            }
            assert!(!st.1, "waited for {what:?}, but the terminal closed; the screen shows:\n{text}");
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(!left.is_zero(), "waited {WAIT:?} for {what:?}; the screen shows:\n{text}");
            st = self.screen.changed.wait_timeout(st, left).unwrap().0;
        }
    }

    fn type_bytes(&self, bytes: &[u8]) {
        (&*self.master).write_all(bytes).expect("typing at the terminal");
    }

    fn signal(&self, signal: i32) {
        // SAFETY: kill(2) on the guard this test started.
        assert_eq!(unsafe { libc::kill(self.pid(), signal) }, 0);
    }

    fn modes(&self) -> Termios {
        tcgetattr(self.master.as_fd()).expect("the terminal's modes")
    }

    /// Wait for guard to exit and the terminal to close; check guard put the terminal's modes
    /// back. Returns guard's status and everything it showed.
    fn finish(&mut self) -> (ExitStatus, String) {
        let mut child = self.child.take().expect("it is running");
        let pid = child.id() as i32;
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let _ = tx.send(child.wait());
        });
        let Ok(status) = rx.recv_timeout(WAIT) else {
            // SAFETY: guard leads the session this test started.
            unsafe { libc::kill(-pid, libc::SIGKILL) };
            panic!("the program did not exit within {WAIT:?}; the screen shows:\n{}", self.text());
        };
        let status = status.expect("waiting for guard");
        self.wait_until("the terminal to close", |_, closed| closed);
        assert!(self.modes() == self.before, "guard left the terminal's modes changed");
        (status, self.text())
    }
}

impl Drop for Terminal {
    fn drop(&mut self) {
        if let Some(child) = &mut self.child {
            // SAFETY: guard leads the session this test started; a failed test leaves nothing.
            unsafe { libc::kill(-(child.id() as i32), libc::SIGKILL) };
            let _ = child.wait();
        }
    }
}

/// A new pseudo-terminal: master, slave and the slave's name. Both ends are opened close-on-exec
/// in one step (not openpty(3), which leaves them inheritable): tests run in parallel threads,
/// and a guard started by one must not inherit another's terminal, or that one never closes.
fn open_pty() -> (File, OwnedFd, String) {
    use nix::fcntl::OFlag;
    let flags = OFlag::O_RDWR | OFlag::O_NOCTTY | OFlag::O_CLOEXEC;
    let master = posix_openpt(flags).expect("a pseudo-terminal");
    grantpt(&master).and_then(|_| unlockpt(&master)).expect("unlocking the pseudo-terminal");
    let name = ptsname_r(&master).expect("the pseudo-terminal's name");
    let slave = nix::fcntl::open(name.as_str(), flags, nix::sys::stat::Mode::empty()).expect("its slave side");
    (File::from(OwnedFd::from(master)), slave, name)
}

/// A fresh home with a working directory `work` inside it.
fn new_home() -> tempfile::TempDir {
    let home = tempfile::tempdir().expect("a temporary directory");
    std::fs::create_dir(home.path().join("work")).unwrap();
    home
}

/// Wait for process `pid` to end (pidfd: an event, not a poll loop).
fn wait_gone(pid: i32) {
    // SAFETY: pidfd_open(2) returns a new descriptor or -1.
    let fd = unsafe { libc::syscall(libc::SYS_pidfd_open, pid, 0) };
    if fd < 0 {
        let e = std::io::Error::last_os_error();
        assert_eq!(e.raw_os_error(), Some(libc::ESRCH), "pidfd_open({pid}): {e}");
        return;
    }
    // SAFETY: a descriptor pidfd_open just returned, owned from here on.
    let fd = unsafe { OwnedFd::from_raw_fd(fd as i32) };
    let mut p = libc::pollfd { fd: fd.as_raw_fd(), events: libc::POLLIN, revents: 0 };
    // SAFETY: one valid pollfd.
    let ready = unsafe { libc::poll(&mut p, 1, WAIT.as_millis() as i32) };
    assert_eq!(ready, 1, "process {pid} still runs");
}

/// A line of the screen that starts with `prefix`, without it.
fn line_after(text: &str, prefix: &str) -> String {
    let line = text.lines().find_map(|l| l.trim_end_matches('\r').strip_prefix(prefix));
    line.unwrap_or_else(|| panic!("no line starting {prefix:?} in:\n{text}")).to_string()
}

#[test]
fn the_command_runs_on_a_terminal_of_its_own() {
    let mut t = Terminal::start(
        &["-c", "tty; test -t 0 && test -t 1 && test -t 2 && echo all-terminals; echo \"size $(stty size)\""],
        24,
        80,
    );
    let (status, text) = t.finish();
    assert_eq!(status.code(), Some(0), "{text}");
    let inner = line_after(&text, "/dev/pts/");
    assert!(inner.parse::<u32>().is_ok(), "tty printed a pty: {text}");
    assert_ne!(format!("/dev/pts/{inner}"), t.outer, "the command has a pty of guard's, not guard's own");
    assert!(text.contains("all-terminals"), "{text}");
    assert_eq!(line_after(&text, "size "), "24 80", "the window size is passed on");
}

/// A person at their own terminal may run in observe mode: what policy would stop runs and is
/// recorded as observed. The same request from inside a command guard runs is refused.
#[test]
fn observe_mode_is_a_persons_choice_at_their_terminal() {
    let home_with_victim = || {
        let home = new_home();
        std::fs::create_dir(home.path().join("work/victim")).unwrap();
        std::fs::create_dir_all(home.path().join("config/guard")).unwrap();
        std::fs::write(home.path().join("config/guard/deny.yaml"), include_str!("fixtures/deny-victim.yaml")).unwrap();
        home
    };
    let home = home_with_victim();
    let h = home.path().to_path_buf();
    let mut t = Terminal::start_in(home, GUARD, &["--mode", "observe", "-c", "rm -rf ./victim; exit 5"], 24, 80);
    let (status, text) = t.finish();
    assert_eq!(status.code(), Some(5), "{text}");
    assert!(!h.join("work/victim").exists(), "observe mode ran the command");
    let e = last_entry(&h);
    assert_eq!((e.decision.as_str(), e.action.as_str(), e.exit), ("deny", "observed", Some(5)));

    let home = home_with_victim();
    let h = home.path().to_path_buf();
    let args = ["GUARD_ACTIVE=1", GUARD, "--mode", "observe", "-c", "rm -rf ./victim"];
    let mut t = Terminal::start_in(home, "env", &args, 24, 80);
    let (status, text) = t.finish();
    assert_eq!(status.code(), Some(126), "{text}");
    assert!(text.contains("only a person at their own terminal"), "{text}");
    assert!(h.join("work/victim").exists(), "a guard inside a guarded command ran in observe mode");
}

#[test]
fn ctrl_c_interrupts_the_command() {
    let mut t = Terminal::start(&["-c", "echo ready; sleep 1000"], 24, 80);
    t.wait_for("ready");
    // While it runs, guard has the terminal in raw mode, so Ctrl-C is a byte it passes on.
    let running = t.modes();
    assert!(!running.local_flags.contains(LocalFlags::ISIG), "raw mode while the command runs");
    t.type_bytes(&[0x03]);
    let (status, text) = t.finish();
    assert_eq!(status.code(), Some(130), "{text}");
}

#[test]
fn a_window_resize_reaches_the_command() {
    let script = "trap 'echo \"size $(stty size)\"' WINCH; echo \"start $(stty size)\"; \
                  sleep 1000 & while :; do wait $!; done";
    let mut t = Terminal::start(&["-c", script], 24, 80);
    t.wait_for("start 24 80");
    let size = Winsize { ws_row: 50, ws_col: 132, ws_xpixel: 0, ws_ypixel: 0 };
    // SAFETY: TIOCSWINSZ reads one Winsize. The kernel signals guard's process group, as a
    // terminal emulator's resize does; the explicit signal is a second, harmless notice.
    unsafe { set_winsize(t.master.as_raw_fd(), &size) }.expect("resizing the terminal");
    t.signal(libc::SIGWINCH);
    t.wait_for("size 50 132");
    t.signal(libc::SIGTERM);
    let (status, text) = t.finish();
    assert_eq!(status.code(), Some(143), "{text}");
}

#[test]
fn sigterm_reaches_the_commands_whole_process_group() {
    // A background job that records the signals it gets. guard's exit also hangs up the
    // command's terminal, which alone would end the job, so it notes that and leaves too: a
    // missing `term` then means guard's SIGTERM did not reach it.
    let script = "sh -c 'trap \"echo term >> signals; exit 0\" TERM; trap \"echo hup >> signals; hup=1\" HUP; \
                  echo bg-ready; while [ -z \"$hup\" ]; do sleep 1; done' & echo \"bg $!\"; wait";
    let mut t = Terminal::start(&["-c", script], 24, 80);
    t.wait_for("bg-ready");
    // A whole line: one still arriving may hold part of the number.
    let whole = |l: &str| l.ends_with('\n') && l.starts_with("bg ") && !l.starts_with("bg-");
    t.wait_until("the background job's pid", |text, _| text.split_inclusive('\n').any(whole));
    let bg: i32 = line_after(&t.text(), "bg ").parse().expect("a pid");
    t.signal(libc::SIGTERM);
    let (status, text) = t.finish();
    assert_eq!(status.code(), Some(143), "{text}");
    wait_gone(bg);
    let recorded = std::fs::read_to_string(t.home.path().join("work/signals")).unwrap_or_default();
    assert!(recorded.lines().any(|l| l == "term"), "the background job got no SIGTERM, only {recorded:?}");
}

#[test]
fn output_written_just_before_exit_arrives() {
    let mut t = Terminal::start(&["-c", "seq 1 20000"], 24, 80);
    let (status, text) = t.finish();
    assert_eq!(status.code(), Some(0));
    let lines: Vec<&str> = text.split('\n').map(|l| l.trim_end_matches('\r')).filter(|l| !l.is_empty()).collect();
    let want: Vec<String> = (1..=20000).map(|n| n.to_string()).collect();
    assert_eq!(lines.len(), want.len(), "every line arrived");
    assert!(lines.iter().zip(&want).all(|(a, b)| a == b), "in order and intact");
}

#[test]
fn a_refusal_at_a_terminal_leaves_the_terminal_as_it_was() {
    let home = new_home();
    // `rm -rf ~` with HOME in the temporary directory is a built-in deny; confirm it first.
    let check = sandboxed(home.path(), GUARD, &["check", "rm -rf ~"]).output().expect("guard check runs");
    assert_eq!(check.status.code(), Some(20), "{}", String::from_utf8_lossy(&check.stdout));
    let mut t = Terminal::start_in(home, GUARD, &["-c", "touch ran; rm -rf ~"], 24, 80);
    let (status, text) = t.finish();
    assert_eq!(status.code(), Some(126), "{text}");
    assert!(text.contains("Nothing was run"), "{text}");
    assert!(!t.home.path().join("work/ran").exists());
}

#[test]
fn the_command_holds_nothing_of_guards_but_its_terminal() {
    let mut t = Terminal::start(&["-c", "echo \"pid $$\"; exec sleep 1000"], 24, 80);
    t.wait_until("the command's pid", |text, _| {
        text.split_inclusive('\n').any(|l| l.starts_with("pid ") && l.ends_with('\n'))
    });
    let pid = line_after(&t.text(), "pid ");
    let mut fds: Vec<(String, String)> = std::fs::read_dir(format!("/proc/{pid}/fd"))
        .expect("the command's open files")
        .map(|e| {
            let e = e.unwrap();
            let target = std::fs::read_link(e.path()).map(|p| p.display().to_string()).unwrap_or_default();
            (e.file_name().to_string_lossy().into_owned(), target)
        })
        .collect();
    fds.sort();
    let names: Vec<&str> = fds.iter().map(|(n, _)| n.as_str()).collect();
    // guard's side of the pty in the command would keep its terminal from ever hanging up.
    assert_eq!(names, ["0", "1", "2"], "only stdin, stdout and stderr: {fds:?}");
    assert!(fds.iter().all(|(_, target)| target.starts_with("/dev/pts/") && *target != t.outer), "{fds:?}");
    t.type_bytes(&[0x03]);
    let (status, text) = t.finish();
    assert_eq!(status.code(), Some(130), "{text}");
}

#[test]
fn what_is_typed_reaches_the_command() {
    let mut t = Terminal::start(&["-c", "echo ready; read -r line; echo \"got [$line]\""], 24, 80);
    t.wait_for("ready");
    t.type_bytes(b"hello there\r");
    let (status, text) = t.finish();
    assert_eq!(status.code(), Some(0), "{text}");
    assert!(text.contains("got [hello there]"), "{text}");
}

#[test]
fn signals_sent_to_guard_at_a_terminal_reach_the_command() {
    for (signal, want) in [(libc::SIGINT, 130), (libc::SIGHUP, 129), (libc::SIGTERM, 143)] {
        let mut t = Terminal::start(&["-c", "echo ready; exec sleep 1000"], 24, 80);
        t.wait_for("ready");
        t.signal(signal);
        let (status, text) = t.finish();
        assert_eq!(status.code(), Some(want), "signal {signal}\n{text}");
    }
}

/// An interactive bash with job control on a new terminal, its prompt `$ `, to start guard from.
fn job_control_shell() -> Terminal {
    let home = new_home();
    let rc = home.path().join("rc.bash");
    std::fs::write(&rc, "PS1='$ '\n").unwrap();
    let rc = rc.to_str().unwrap().to_string();
    let t = Terminal::start_in(home, "bash", &["--noprofile", "--rcfile", &rc, "-i"], 24, 200);
    t.wait_for("$ ");
    t
}

/// guard quoted for the shell.
fn guard_word() -> String {
    format!("'{}'", GUARD.replace('\'', r"'\''"))
}

#[test]
fn a_job_started_in_the_background_runs_on() {
    let mut t = job_control_shell();
    // Had guard taken the terminal from the background, the kernel would have stopped it.
    t.type_bytes(format!("{} -c 'echo bg-done' & wait $!; echo \"status $?\"\r", guard_word()).as_bytes());
    t.wait_for("status ");
    t.wait_until("the prompt", |text, _| text.ends_with("$ "));
    t.type_bytes(b"exit\r");
    let (_, text) = t.finish();
    assert!(text.contains("bg-done") && text.contains("status 0"), "{text}");
}

/// In the background guard leaves the terminal alone, but what the command shows still passes
/// through guard: masked, and recorded.
#[test]
fn a_background_job_is_still_masked_and_recorded() {
    let mut t = job_control_shell();
    t.type_bytes(
        format!(
            "GUARD_MASK=always {} --record -c 'echo \"bg key={SECRET}\"' & wait $!; echo \"status $?\"\r",
            guard_word()
        )
        .as_bytes(),
    );
    t.wait_for("status ");
    t.wait_until("the prompt", |text, _| text.ends_with("$ "));
    t.type_bytes(b"exit\r");
    let (_, screen) = t.finish();
    assert!(screen.contains("bg key=[masked:aws_access_key_id]") && screen.contains("status 0"), "{screen}");
    // The typed line shows the key; what the command printed must not.
    assert!(!screen.lines().any(|l| l.starts_with("bg key=AKIA")), "masked on the screen: {screen}");
    let home = t.home.path();
    let (cast, _) = recording_of(home, &last_entry(home));
    let output = guard::record::replay::output_text(&cast);
    assert_eq!(output, "bg key=[masked:aws_access_key_id]\r\n");
}

#[test]
fn ctrl_z_suspends_the_command_and_fg_and_bg_bring_it_back() {
    let mut t = job_control_shell();
    // The screen shows the typed line too: what the command prints must not be in it.
    let command = format!("{} -c 'echo \"rea\"\"dy\"; read -r x; echo \"got [$x]\"'", guard_word());
    // Suspended, then resumed straight into the foreground.
    t.type_bytes(format!("{command}\r").as_bytes());
    t.wait_for("ready");
    t.type_bytes(&[0x1a]);
    t.wait_for("Stopped");
    t.type_bytes(b"fg\r");
    t.type_bytes(b"first\r");
    t.wait_for("got [first]");
    // Keys typed while guard runs go to the command, as with any pty in between (ssh, script):
    // wait for the prompt.
    t.wait_until("the prompt", |text, _| text.ends_with("$ "));
    // Suspended, left running in the background, then brought back.
    t.type_bytes(format!("{command}\r").as_bytes());
    t.wait_until("a second ready", |text, _| text.matches("ready").count() >= 2);
    t.type_bytes(&[0x1a]);
    t.wait_until("a second stop", |text, _| text.matches("Stopped").count() >= 2);
    t.type_bytes(b"bg; jobs; echo listed\r");
    t.wait_for("listed");
    t.type_bytes(b"fg\r");
    t.type_bytes(b"second\r");
    t.wait_for("got [second]");
    t.wait_until("the prompt", |text, _| text.ends_with("$ "));
    t.type_bytes(b"exit\r");
    let (status, text) = t.finish();
    assert_eq!(status.code(), Some(0), "{text}");
    assert!(text.contains("Running"), "bg let it run: {text}");
}

/// A made-up AWS access key id, which output masking knows.
const SECRET: &str = "AKIAQ7XK2M4PZ9B3T6WR";

/// The last entry of the audit log under `home`.
fn last_entry(home: &std::path::Path) -> guard::audit::Entry {
    let log = std::fs::read_to_string(home.join("state/guard/audit.jsonl")).expect("an audit log");
    serde_json::from_str(log.lines().last().expect("an entry")).expect("a readable entry")
}

/// The recording an entry links to, read back with guard's own reader, and its file's text.
fn recording_of(home: &std::path::Path, e: &guard::audit::Entry) -> (guard::record::asciicast::Cast, String) {
    let path = std::path::PathBuf::from(e.recording.as_deref().expect("the entry links a recording"));
    assert_eq!(path.parent(), Some(home.join("state/guard/recordings").as_path()), "{}", path.display());
    let mode = |p: &std::path::Path| {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(p).unwrap().permissions().mode() & 0o777
    };
    assert_eq!((mode(path.parent().unwrap()), mode(&path)), (0o700, 0o600), "private directory and file");
    let text = std::fs::read_to_string(&path).expect("the recording is there");
    (guard::record::asciicast::parse(&text).expect("a valid asciicast v2 file"), text)
}

#[test]
fn a_recorded_session_is_what_the_terminal_showed_masked_with_its_resizes() {
    let script = format!(
        "trap 'echo \"size $(stty size)\"' WINCH; echo \"start key={SECRET}\"; sleep 1000 & while :; do wait $!; done"
    );
    let mut t = Terminal::start_in(new_home(), "env", &["GUARD_MASK=always", GUARD, "--record", "-c", &script], 24, 80);
    t.wait_for("start key=[masked:");
    let size = Winsize { ws_row: 50, ws_col: 132, ws_xpixel: 0, ws_ypixel: 0 };
    // SAFETY: TIOCSWINSZ reads one Winsize; the signal is the notice a terminal emulator sends.
    unsafe { set_winsize(t.master.as_raw_fd(), &size) }.expect("resizing the terminal");
    t.signal(libc::SIGWINCH);
    t.wait_for("size 50 132");
    t.signal(libc::SIGTERM);
    let (status, screen) = t.finish();
    assert_eq!(status.code(), Some(143), "{screen}");
    assert!(!screen.contains(SECRET), "masked on the screen: {screen}");

    let home = t.home.path();
    let entry = last_entry(home);
    assert_eq!(entry.exit, Some(143));
    let (cast, text) = recording_of(home, &entry);
    assert!(!text.contains(SECRET), "nothing in the recording holds the secret, the header included:\n{text}");
    assert_eq!((cast.header.width, cast.header.height), (80, 24), "the window size at the start");
    let output = guard::record::replay::output_text(&cast);
    assert!(output.contains("start key=[masked:aws_access_key_id]\r\n"), "{output:?}");
    assert!(output.contains("size 50 132"), "{output:?}");
    assert!(screen.contains(&output), "the recording is exactly what the screen showed:\n{output:?}\n{screen:?}");
    let codes: Vec<&str> = cast.events.iter().map(|e| e.kind.code()).collect();
    assert!(codes.iter().all(|c| *c == "o" || *c == "r"), "only output and resizes: {codes:?}");
    let resize = cast.events.iter().find(|e| e.kind.code() == "r").expect("the resize was recorded");
    assert_eq!(resize.data, "132x50");
    assert!(cast.events.windows(2).all(|w| w[0].time <= w[1].time), "time never goes back");

    // `guard log show` finds it by the short hash `guard log` prints, and prints what it showed.
    let listing = sandboxed(home, GUARD, &["log"]).output().unwrap();
    let listing = String::from_utf8(listing.stdout).unwrap();
    let short = listing.lines().last().and_then(|l| l.split_whitespace().next()).expect("a listed entry");
    assert!(entry.hash.starts_with(short), "{short} names {}", entry.hash);
    let shown = sandboxed(home, GUARD, &["log", "show", short]).output().unwrap();
    let out = String::from_utf8_lossy(&shown.stdout);
    assert_eq!(shown.status.code(), Some(0), "{out}{}", String::from_utf8_lossy(&shown.stderr));
    assert!(out.contains(&format!("entry      {}", entry.hash)), "{out}");
    assert!(out.contains("start key=[masked:aws_access_key_id]") && out.contains("size 50 132"), "{out}");
}

#[test]
fn typed_input_is_not_recorded() {
    // GUARD_RECORD turns recording on as --record does. A password read without echo never
    // reaches the screen, so it must not reach the recording either. (Echo goes off before
    // `ready`: keys typed while it is still on would be shown, and so recorded.)
    let script = "stty -echo; echo ready; read -r pw; stty echo; echo \"got ${#pw} characters\"";
    let mut t = Terminal::start_in(new_home(), "env", &["GUARD_RECORD=1", GUARD, "-c", script], 24, 80);
    t.wait_for("ready");
    t.type_bytes(b"hunter2-typed\r");
    let (status, screen) = t.finish();
    assert_eq!(status.code(), Some(0), "{screen}");
    let (cast, text) = recording_of(t.home.path(), &last_entry(t.home.path()));
    assert!(guard::record::replay::output_text(&cast).contains("got 13 characters"), "{text}");
    assert!(!text.contains("hunter2"), "{text}");
    assert!(cast.events.iter().all(|e| e.kind.code() != "i"), "no input events: {text}");
}

#[test]
fn log_show_replays_a_recording_at_a_terminal_and_prints_it_when_asked() {
    use guard::record::asciicast::{Header, Writer};
    let home = new_home();
    let cast = home.path().join("state/run.cast");
    std::fs::create_dir_all(cast.parent().unwrap()).unwrap();
    let mut w = Writer::new(std::fs::File::create(&cast).unwrap(), &Header::new(80, 24, "make")).unwrap();
    // A long pause in the middle: the idle limit keeps the replay short.
    w.output(Duration::from_millis(10), b"first part\r\n").unwrap();
    w.output(Duration::from_secs(3600), b"second part\r\n").unwrap();
    w.finish(Duration::from_secs(3601)).unwrap();
    let plan = guard::shell::analyze("make", &guard::shell::Env::new("/h", "/w"));
    let mut e = guard::audit::Entry::new(
        "shell",
        "human",
        &guard::host::Host::new("/w".into(), Default::default()),
        &plan,
        &guard::policy::Verdict::allow(),
        guard::audit::Action::Ran,
    );
    e.recording = Some(cast.display().to_string());
    let cfg = guard::audit::AuditConfig {
        path: Some(home.path().join("state/guard/audit.jsonl")),
        ..guard::audit::AuditConfig::default()
    };
    let hash = guard::audit::append(&cfg, e).unwrap().hash;
    let id = &hash[..8];
    // Both in one terminal, one after the other.
    let script = format!("{g} log show {id} --speed 50 --idle-limit 0.5; {g} log show {id} --print", g = guard_word());
    let mut t = Terminal::start_in(home, "sh", &["-c", &script], 24, 80);
    let (status, screen) = t.finish();
    assert_eq!(status.code(), Some(0), "{screen}");
    let replayed = screen.find("--- replaying").unwrap_or_else(|| panic!("a replay at a terminal:\n{screen}"));
    let printed = screen.find("--- recorded output (80x24) ---").unwrap_or_else(|| panic!("--print:\n{screen}"));
    assert!(replayed < printed, "{screen}");
    for part in [&screen[replayed..printed], &screen[printed..]] {
        // The terminal adds a CR of its own before each line feed; only the text matters here.
        let part = part.replace('\r', "");
        assert!(part.contains("first part\nsecond part\n"), "{part:?}");
        assert!(part.contains("--- end of recording ---"), "{part:?}");
    }
}
