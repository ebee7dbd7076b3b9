//! guard standing in for a shell (`guard -c …`, `-lc`, `-e`, `-s`, a script file) and as a
//! prefix (`guard -- prog args`), run for real without a terminal: exit statuses, byte-exact
//! stdio, refusals that leave the world untouched, unattended asks, dry runs, observe mode and
//! the audit trail.
//!
//! Every run has HOME, the XDG directories and the working directory in a fresh temporary
//! directory, an environment cleared down to PATH, and its own session (`setsid`), so it has no
//! controlling terminal: nothing can reach a real home, the repository or a person's terminal.
//! Waits are for events (a line of output, a process ending), never for a fixed time.

#![allow(clippy::unwrap_used)] // a test fails loudly on what it did not expect

use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use sandbox::GUARD;
/// How long any one wait may take before the test fails; generous, for a busy machine.
const WAIT: Duration = Duration::from_secs(90);

/// A user policy that denies deleting `./victim`, which the built-in rules allow.
const DENY_VICTIM: &str = include_str!("fixtures/deny-victim.yaml");

/// A policy for `--policy FILE`: denies `touch ./marker`.
const DENY_MARKER: &str = r#"pack: extra
rules:
  - id: extra.touch-marker
    match:
      program: touch
      operand: { equals: [./marker] }
    decision: deny
    message: "touches the marker {match}"
    examples:
      deny: ["touch ./marker"]
      allow: ["touch ./other"]
"#;

mod sandbox;

use sandbox::{describe, text, write_executable};

/// guard's sandbox (a fresh home, an environment cleared down to PATH), and a session of its
/// own for everything run in it.
struct Sandbox(sandbox::Sandbox);

impl std::ops::Deref for Sandbox {
    type Target = sandbox::Sandbox;
    fn deref(&self) -> &sandbox::Sandbox {
        &self.0
    }
}

impl Sandbox {
    fn new() -> Sandbox {
        Sandbox(sandbox::Sandbox::new())
    }

    /// `program` in the sandbox, in a session of its own: no controlling terminal.
    fn command(&self, program: &str) -> Command {
        let mut c = self.0.command(program);
        // SAFETY: setsid(2) is async-signal-safe.
        unsafe {
            c.pre_exec(|| {
                if libc::setsid() < 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        c
    }

    fn guard(&self, args: &[&str]) -> Command {
        let mut c = self.command(GUARD);
        c.args(args);
        c
    }

    fn run(&self, args: &[&str]) -> Output {
        output(self.guard(args))
    }

    fn run_with_stdin(&self, args: &[&str], stdin: &[u8]) -> Output {
        let mut c = self.guard(args);
        c.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
        let mut child = c.spawn().expect("guard starts");
        let mut input = child.stdin.take().unwrap();
        let bytes = stdin.to_vec();
        // guard may exit without reading it all (a refusal); a broken pipe is then expected.
        let writer = std::thread::spawn(move || {
            let _ = input.write_all(&bytes);
        });
        let out = wait_output(child);
        writer.join().unwrap();
        out
    }

    /// The verdict `guard check` gives in this sandbox: 0 allow, 10 ask, 20 deny.
    fn check(&self, command: &str) -> i32 {
        let out = self.run(&["check", command]);
        out.status.code().expect("guard check exits")
    }

    fn write_user_policy(&self, text: &str) {
        self.user_policy("test.yaml", text);
    }

    fn entries(&self) -> Vec<serde_json::Value> {
        let text = std::fs::read_to_string(self.log()).unwrap_or_default();
        text.lines().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"))).collect()
    }

    fn last_entry(&self) -> serde_json::Value {
        self.entries().pop().expect("an audit entry")
    }
}

/// Run to completion, with stdout and stderr captured, failing the test if it takes too long.
fn output(mut c: Command) -> Output {
    c.stdout(Stdio::piped()).stderr(Stdio::piped());
    wait_output(c.spawn().expect("the program starts"))
}

fn wait_output(child: Child) -> Output {
    let pid = child.id();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    match rx.recv_timeout(WAIT) {
        Ok(out) => out.expect("waiting for the program"),
        Err(_) => {
            // SAFETY: kill(2) on a process this test started; it is its session's leader.
            unsafe { libc::kill(-(pid as i32), libc::SIGKILL) };
            panic!("process {pid} did not finish within {WAIT:?}");
        }
    }
}

fn wait_status(mut child: Child) -> ExitStatus {
    let pid = child.id();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait());
    });
    match rx.recv_timeout(WAIT) {
        Ok(st) => st.expect("waiting for the program"),
        Err(_) => {
            // SAFETY: as above.
            unsafe { libc::kill(-(pid as i32), libc::SIGKILL) };
            panic!("process {pid} did not finish within {WAIT:?}");
        }
    }
}

fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or_else(|| panic!("guard was killed by signal {:?}", o.status.signal()))
}

// ---------------------------------------------------------------- exit statuses

#[test]
fn exit_status_is_the_childs() {
    let sb = Sandbox::new();
    for (command, want) in [
        ("true", 0),
        ("exit 0", 0),
        ("false", 1),
        ("exit 7", 7),
        ("no-such-command-anywhere", 127),
        ("kill -INT $$", 130),
        // A child killed by SIGINT: the shell exits with its status, or was replaced by it.
        ("sh -c 'kill -INT $$'; exit $?", 130),
        ("sh -c 'kill -INT $$'", 130),
        ("kill -TERM $$", 143),
    ] {
        let o = sb.run(&["-c", command]);
        assert_eq!(code(&o), want, "guard -c {command:?}\n{}", describe(&o));
    }
    // The prefix form: the program's own status, and 127 for one that does not exist.
    for (argv, want) in [(&["sh", "-c", "exit 9"][..], 9), (&["no-such-command-anywhere"], 127)] {
        let mut args = vec!["--"];
        args.extend_from_slice(argv);
        let o = sb.run(&args);
        assert_eq!(code(&o), want, "guard -- {argv:?}\n{}", describe(&o));
    }
}

#[test]
fn a_plain_command_runs_as_bash_would_run_it() {
    // guard runs a lone plain command without starting bash; everything bash would do
    // differently (a start-up file, exported functions, a script without `#!`, a missing
    // program, an odd environment) must still come out as bash's.
    let sb = Sandbox::new();
    let bare = sb.work().join("bare");
    write_executable(&bare, "echo \"run by $0\"\n");
    let rc = sb.home().join("rc");
    std::fs::write(&rc, "echo from BASH_ENV\n").unwrap();
    let rc = rc.to_str().unwrap();
    let table: &[(&str, &[(&str, &str)])] = &[
        ("env", &[]),
        ("env", &[("SHLVL", "4"), ("PWD", "/"), ("_", "/somewhere")]),
        ("env", &[("SHLVL", "x")]),
        ("true --version", &[]),
        ("false", &[]),
        ("sh -c 'echo \"$0\" \"$PWD\"; exit 3'", &[]),
        ("printf '%s|' a \"b c\" ''", &[]),
        ("./bare", &[]),
        ("no-such-command-anywhere", &[]),
        ("./no-such-file", &[]),
        ("ls", &[("BASH_FUNC_ls%%", "() {  echo exported function; }")]),
        ("true", &[("BASH_ENV", rc)]),
        ("env", &[("SHELLOPTS", "xtrace")]),
    ];
    for (command, env) in table {
        let mut bash = sb.command("bash");
        bash.args(["-c", command]).envs(env.iter().copied());
        let mut guard = sb.guard(&["-c", command]);
        guard.envs(env.iter().copied());
        let (want, got) = (output(bash), output(guard));
        // The order of the environment is bash's hash order, which means nothing.
        let strip = |b: &[u8]| {
            let mut lines: Vec<String> = text(b).lines().filter(|l| *l != "GUARD_ACTIVE=1").map(String::from).collect();
            lines.sort();
            lines
        };
        assert_eq!(code(&got), code(&want), "{command:?} {env:?}\n{}", describe(&got));
        assert_eq!(strip(&got.stdout), strip(&want.stdout), "{command:?} {env:?}");
        assert_eq!(text(&got.stderr), text(&want.stderr), "{command:?} {env:?}");
    }
}

#[test]
fn a_closed_pipe_stops_the_command_as_it_would_without_guard() {
    // guard ignores SIGPIPE for itself (Rust does); the command must get the default back, or
    // `yes` would loop on write errors instead of dying.
    let sb = Sandbox::new();
    let o = sb.run(&["-c", r#"yes | head -n1; echo "${PIPESTATUS[*]}""#]);
    assert_eq!(text(&o.stdout), "y\n141 0\n", "{}", describe(&o));
}

#[test]
fn a_command_not_found_is_reported_by_the_shell() {
    let sb = Sandbox::new();
    let o = sb.run(&["-c", "no-such-command-anywhere"]);
    assert_eq!(code(&o), 127);
    assert!(text(&o.stderr).contains("no-such-command-anywhere: command not found"), "{}", describe(&o));
}

/// Starts guard running `script` (as `-c SCRIPT`, or with `-s` as a script on its stdin) with
/// stdout piped, and waits for the script's first line, `ready`.
fn start_ready(sb: &Sandbox, from_stdin: bool, script: &str) -> (Child, BufReader<std::process::ChildStdout>) {
    let mut c = if from_stdin { sb.guard(&["-s"]) } else { sb.guard(&["-c", script]) };
    c.stdout(Stdio::piped()).stderr(Stdio::piped());
    if from_stdin {
        c.stdin(Stdio::piped());
    }
    let mut child = c.spawn().expect("guard starts");
    if let Some(mut stdin) = child.stdin.take() {
        stdin.write_all(format!("{script}\n").as_bytes()).unwrap();
    }
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    out.read_line(&mut line).unwrap();
    assert_eq!(line, "ready\n", "the command started");
    (child, out)
}

#[test]
fn signals_sent_to_guard_reach_the_command() {
    let sb = Sandbox::new();
    for from_stdin in [false, true] {
        for (signal, want) in [(libc::SIGTERM, 143), (libc::SIGINT, 130), (libc::SIGHUP, 129)] {
            let (child, _out) = start_ready(&sb, from_stdin, "echo ready; exec sleep 1000");
            // SAFETY: kill(2) on the guard this test started.
            unsafe { libc::kill(child.id() as i32, signal) };
            let st = wait_status(child);
            assert_eq!(st.code(), Some(want), "signal {signal}, -s {from_stdin}: guard exits as the command did");
        }
        // A command that handles the signal decides what happens.
        let script = "trap 'echo got-term; kill $!; exit 3' TERM; sleep 1000 >/dev/null & echo ready; wait";
        let (child, mut out) = start_ready(&sb, from_stdin, script);
        // SAFETY: as above.
        unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
        let st = wait_status(child);
        let mut rest = String::new();
        out.read_to_string(&mut rest).unwrap();
        assert_eq!((st.code(), rest.as_str()), (Some(3), "got-term\n"), "-s {from_stdin}");
        let e = sb.last_entry();
        assert_eq!((e["action"].as_str(), e["exit"].as_i64()), (Some("ran"), Some(3)), "recorded: {e}");
    }
}

#[test]
fn signals_reach_the_command_in_the_prefix_form_and_through_masking() {
    let sb = Sandbox::new();
    for (mask, signal, want) in
        [("never", libc::SIGTERM, 143), ("always", libc::SIGTERM, 143), ("always", libc::SIGUSR1, 138)]
    {
        let mut c = sb.guard(&["--", "sh", "-c", "echo ready; exec sleep 1000"]);
        c.env("GUARD_MASK", mask).stdout(Stdio::piped()).stderr(Stdio::piped());
        let mut child = c.spawn().expect("guard starts");
        let mut out = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        out.read_line(&mut line).unwrap();
        assert_eq!(line, "ready\n", "the command started");
        // SAFETY: kill(2) on the guard this test started.
        unsafe { libc::kill(child.id() as i32, signal) };
        let st = wait_status(child);
        assert_eq!(st.code(), Some(want), "GUARD_MASK={mask}, signal {signal}: guard exits as the command did");
    }
}

#[test]
fn the_status_is_kept_when_guard_is_started_with_sigchld_ignored() {
    // An ignored SIGCHLD is inherited across exec, and would have the kernel reap the command
    // before guard could read how it ended.
    let sb = Sandbox::new();
    for args in [&["--", "sh", "-c", "exit 3"][..], &["-c", "sh -c 'exit 3'"], &["-c", "sh -c 'exit 3'; exit $?"]] {
        let mut c = sb.guard(args);
        // SAFETY: signal(2) is async-signal-safe.
        unsafe {
            c.pre_exec(|| {
                libc::signal(libc::SIGCHLD, libc::SIG_IGN);
                Ok(())
            });
        }
        let out = output(c);
        assert_eq!(code(&out), 3, "{args:?}: {}", text(&out.stderr));
    }
}

#[test]
fn a_signal_ignored_by_guards_caller_stays_ignored_for_the_command() {
    // As `nohup` leaves SIGHUP, and a shell SIGINT for a command run in the background.
    let sb = Sandbox::new();
    for args in [&["--", "grep", "SigIgn", "/proc/self/status"][..], &["-c", "grep SigIgn /proc/self/status"]] {
        let mut c = sb.guard(args);
        // SAFETY: signal(2) is async-signal-safe.
        unsafe {
            c.pre_exec(|| {
                libc::signal(libc::SIGHUP, libc::SIG_IGN);
                Ok(())
            });
        }
        let out = output(c);
        assert_eq!(code(&out), 0, "{args:?}: {}", text(&out.stderr));
        let mask = text(&out.stdout);
        let bits = u64::from_str_radix(mask.trim().trim_start_matches("SigIgn:").trim(), 16).unwrap();
        assert_ne!(bits & 1 << (libc::SIGHUP - 1), 0, "{args:?}: SIGHUP is still ignored: {mask}");
        assert_eq!(bits & 1 << (libc::SIGTERM - 1), 0, "{args:?}: SIGTERM is not: {mask}");
    }
}

#[test]
fn the_command_gets_sigpipe_at_its_default_though_guard_ignores_it() {
    // guard ignores SIGPIPE for itself (a closed pipe is an error it reports); a command that
    // inherited that would loop on EPIPE where it should die (`yes | head`).
    let sb = Sandbox::new();
    for args in [&["--", "grep", "SigIgn", "/proc/self/status"][..], &["-c", "grep SigIgn /proc/self/status"]] {
        let out = sb.run(args);
        assert_eq!(code(&out), 0, "{args:?}: {}", text(&out.stderr));
        let mask = text(&out.stdout);
        let bits = u64::from_str_radix(mask.trim().trim_start_matches("SigIgn:").trim(), 16).unwrap();
        assert_eq!(bits & 1 << (libc::SIGPIPE - 1), 0, "{args:?}: SIGPIPE is not ignored: {mask}");
    }
    let out = sb.run(&["-c", "yes | head -n 2"]);
    assert_eq!((code(&out), text(&out.stdout).as_str()), (0, "y\ny\n"), "{}", text(&out.stderr));
}

#[test]
fn a_closed_standard_stream_is_not_taken_by_the_audit_log() {
    // Started with fd 1 closed, guard must not open the log (or anything) as fd 1 and then
    // write the command's output or its own into it.
    let sb = Sandbox::new();
    for fd in [0, 1, 2] {
        let mut c = sb.guard(&["-c", "printf 'to-%s\\n' stdout; printf 'to-%s\\n' stderr >&2"]);
        // SAFETY: close(2) is async-signal-safe.
        unsafe {
            c.pre_exec(move || {
                libc::close(fd);
                Ok(())
            });
        }
        let out = output(c);
        assert_eq!(code(&out), 0, "fd {fd} closed: {}", text(&out.stderr));
        let log = std::fs::read_to_string(sb.log()).unwrap();
        assert!(
            !log.contains("to-stdout") && !log.contains("to-stderr"),
            "fd {fd} closed: output went into the log:\n{log}"
        );
        assert_eq!(sb.entries().len(), fd as usize + 1, "fd {fd} closed: one entry per run");
    }
    let verify = sb.run(&["log", "verify"]);
    assert_eq!(code(&verify), 0, "{}{}", text(&verify.stdout), text(&verify.stderr));
}

// ---------------------------------------------------------------- standard streams

/// Every byte value, NULs in runs, and byte sequences that are not UTF-8.
fn awkward_bytes() -> Vec<u8> {
    let mut b: Vec<u8> = (0..=255u8).collect();
    b.extend_from_slice(b"\0\0\0\xff\xfe\xc3\x28\xe2\x82\n\r\n\x1b[31m\xf0\x9f\x98");
    b.extend((0..=255u8).rev());
    b.extend_from_slice(b"no newline at the end\0");
    b
}

#[test]
fn stdin_stdout_and_stderr_pass_byte_for_byte() {
    let sb = Sandbox::new();
    let data = awkward_bytes();
    let o = sb.run_with_stdin(&["-c", "cat"], &data);
    assert_eq!((code(&o), &o.stdout, &o.stderr), (0, &data, &Vec::new()), "stdin to stdout");
    let o = sb.run_with_stdin(&["-c", "cat >&2"], &data);
    assert_eq!((code(&o), &o.stdout, &o.stderr), (0, &Vec::new(), &data), "stdin to stderr");
    let o = sb.run_with_stdin(&["--", "cat"], &data);
    assert_eq!((code(&o), &o.stdout), (0, &data), "prefix form");
    // Bytes from the command itself, not copied from stdin.
    let o = sb.run(&["-c", r"printf 'a\000b\377\376c\n'; printf '\000\200' >&2"]);
    assert_eq!((o.stdout.as_slice(), o.stderr.as_slice()), (&b"a\0b\xff\xfec\n"[..], &b"\0\x80"[..]));
}

/// A reproducible stream of pseudo-random bytes (xorshift), so the reader checks every byte
/// against a second copy of the generator instead of holding what was sent: length and content
/// are both compared, with no second copy in memory.
struct Stream(u64);

impl Stream {
    fn fill(&mut self, buf: &mut [u8]) {
        for chunk in buf.chunks_mut(8) {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            chunk.copy_from_slice(&self.0.to_le_bytes()[..chunk.len()]);
        }
    }
}

#[test]
fn a_hundred_megabytes_pass_through_unchanged() {
    const TOTAL: usize = 100 << 20;
    const CHUNK: usize = 1 << 16;
    const SEED: u64 = 0x9e37_79b9_7f4a_7c15;
    let sb = Sandbox::new();
    let mut c = sb.guard(&["-c", "cat"]);
    c.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = c.spawn().expect("guard starts");
    let mut input = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || {
        let mut gen = Stream(SEED);
        let mut buf = vec![0u8; CHUNK];
        for _ in (0..TOTAL).step_by(CHUNK) {
            gen.fill(&mut buf);
            input.write_all(&buf).expect("guard takes all of stdin");
        }
    });
    let mut stderr = child.stderr.take().unwrap();
    let errs = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = stderr.read_to_end(&mut s);
        s
    });
    let mut output = child.stdout.take().unwrap();
    let mut expect = Stream(SEED);
    let (mut got, mut want) = (vec![0u8; CHUNK], vec![0u8; CHUNK]);
    for offset in (0..TOTAL).step_by(CHUNK) {
        output.read_exact(&mut got).unwrap_or_else(|e| panic!("the output ended early, near byte {offset}: {e}"));
        expect.fill(&mut want);
        assert!(got == want, "bytes differ between offsets {offset} and {}", offset + CHUNK);
    }
    let extra = output.read(&mut got).unwrap();
    assert_eq!(extra, 0, "more bytes came out than went in");
    writer.join().unwrap();
    let st = wait_status(child);
    assert_eq!(st.code(), Some(0), "stderr: {}", text(&errs.join().unwrap()));
}

/// Masked output of several megabytes (past the point where guard gives the pipes on either
/// side more room) comes out exactly as masked, whether guard writes to a pipe or a file.
#[test]
fn a_long_masked_stream_comes_out_whole_into_a_pipe_or_a_file() {
    let sb = Sandbox::new();
    let (mut input, mut want) = (String::new(), String::new());
    for i in 0..120_000 {
        let (line, masked) = match i % 997 {
            0 => (
                "export GITHUB_TOKEN=ghp_u8jzPde0IgxLd6GncfBAepfJBd0Kh8oOOL8d\n".to_string(),
                "export GITHUB_TOKEN=[masked:github_token]\n".to_string(),
            ),
            500 => (format!("password: hunter2-{i}\n"), "password: [masked:secret]\n".to_string()),
            _ => {
                let l = format!("{i:>6} the request passed with status=200 after {} ms\n", i % 913);
                (l.clone(), l)
            }
        };
        input.push_str(&line);
        want.push_str(&masked);
    }
    assert!(input.len() > 6 << 20);
    std::fs::write(sb.work().join("big.txt"), &input).unwrap();

    let mut c = sb.guard(&["-c", "cat big.txt"]);
    c.env("GUARD_MASK", "always");
    let o = output(c);
    assert_eq!(code(&o), 0, "{}", describe(&o));
    let first_difference = |got: &[u8]| {
        let got = String::from_utf8_lossy(got);
        let at = got.lines().zip(want.lines()).position(|(g, w)| g != w);
        format!(
            "{} lines of {}; first difference at line {at:?}: {:?}",
            got.lines().count(),
            want.lines().count(),
            at.map(|i| (got.lines().nth(i), want.lines().nth(i)))
        )
    };
    assert!(o.stdout == want.as_bytes(), "through a pipe: {}", first_difference(&o.stdout));

    let to_file = sb.work().join("out.txt");
    let mut c = sb.guard(&["-c", "cat big.txt"]);
    c.env("GUARD_MASK", "always").stdout(std::fs::File::create(&to_file).unwrap()).stderr(Stdio::piped());
    let o = wait_output(c.spawn().expect("guard starts"));
    assert_eq!(code(&o), 0, "{}", describe(&o));
    let got = std::fs::read(&to_file).unwrap();
    assert!(got == want.as_bytes(), "into a file: {}", first_difference(&got));
}

/// Past 1 MiB of masked output guard gives the pipe it writes to 1 MiB of room, and leaves a
/// pipe that already has more as it is.
#[test]
fn a_long_stream_grows_the_pipe_guard_writes_to_and_never_shrinks_one() {
    use nix::fcntl::{fcntl, FcntlArg};
    let sb = Sandbox::new();
    std::fs::write(sb.work().join("big.txt"), "a line of output\n".repeat(200_000)).unwrap();
    for start in [64 << 10, 4 << 20] {
        // Close-on-exec, so commands other tests start meanwhile do not hold it open.
        let (r, w) = nix::unistd::pipe2(nix::fcntl::OFlag::O_CLOEXEC).unwrap();
        if fcntl(&w, FcntlArg::F_SETPIPE_SZ(start)).is_err() {
            // Above /proc/sys/fs/pipe-max-size only with CAP_SYS_RESOURCE.
            eprintln!("SKIPPED: this user cannot make a pipe of {start} bytes");
            continue;
        }
        let before = fcntl(&r, FcntlArg::F_GETPIPE_SZ).unwrap();
        let mut c = sb.guard(&["-c", "cat big.txt"]);
        c.env("GUARD_MASK", "always").stdout(Stdio::from(w)).stderr(Stdio::null());
        let child = c.spawn().expect("guard starts");
        drop(c);
        let reader = std::thread::spawn(move || {
            let mut r = std::fs::File::from(r);
            let mut all = Vec::new();
            r.read_to_end(&mut all).unwrap();
            (r, all.len())
        });
        assert_eq!(wait_status(child).code(), Some(0));
        let (r, len) = reader.join().unwrap();
        assert_eq!(len, 17 * 200_000);
        let after = fcntl(&r, FcntlArg::F_GETPIPE_SZ).unwrap();
        assert_eq!(after, before.max(1 << 20), "a pipe of {before} bytes");
    }
}

#[test]
fn end_of_input_reaches_the_command() {
    let sb = Sandbox::new();
    // stdin closed outright (/dev/null), and a pipe whose writer has finished.
    let o = sb.run(&["-c", "cat; echo after"]);
    assert_eq!((code(&o), text(&o.stdout)), (0, "after\n".into()));
    let o = sb.run_with_stdin(&["-c", "cat; echo after"], b"some input");
    assert_eq!((code(&o), text(&o.stdout)), (0, "some inputafter\n".into()));
    let o = sb.run_with_stdin(&["-c", "read -r a; read -r b || echo eof; echo \"[$a]\""], b"one\n");
    assert_eq!(text(&o.stdout), "eof\n[one]\n");
}

// ---------------------------------------------------------------- bash's invocation forms

#[test]
fn positional_parameters_follow_the_command() {
    let sb = Sandbox::new();
    let o = sb.run(&["-c", r#"printf '%s|' "$0" "$@" "$#""#, "name", "a b", "", "c'd"]);
    assert_eq!(text(&o.stdout), "name|a b||c'd|3|", "{}", describe(&o));
    let o = sb.run(&["-c", r#"printf '%s|' "$#""#]);
    assert_eq!(text(&o.stdout), "0|");
}

#[test]
fn a_login_shell_reads_the_profile_in_home() {
    let sb = Sandbox::new();
    std::fs::write(sb.home().join(".bash_profile"), "export FROM_PROFILE=read-by-login\n").unwrap();
    for args in [&["-lc"][..], &["-l", "-c"], &["--login", "-c"]] {
        let mut a = args.to_vec();
        a.push("echo \"[$FROM_PROFILE]\"");
        let o = sb.run(&a);
        assert_eq!(text(&o.stdout), "[read-by-login]\n", "{args:?}\n{}", describe(&o));
    }
    let o = sb.run(&["-c", "echo \"[$FROM_PROFILE]\""]);
    assert_eq!(text(&o.stdout), "[]\n", "not a login shell: the profile is not read");
}

#[test]
fn shell_options_apply() {
    let sb = Sandbox::new();
    for (args, stdout, status) in [
        (&["-e", "-c", "echo one; false; echo two"][..], "one\n", 1),
        (&["-c", "echo one; false; echo two"], "one\ntwo\n", 0),
        (&["-o", "pipefail", "-c", "false | true"], "", 1),
        (&["-c", "false | true"], "", 0),
        (&["-eo", "pipefail", "-c", "false | true; echo not-reached"], "", 1),
        (&["-e", "-o", "pipefail", "-c", "true | true; echo reached"], "reached\n", 0),
        (&["-c", "-e", "false; echo not-reached"], "", 1),
        (&["--noprofile", "--norc", "-c", "echo plain"], "plain\n", 0),
    ] {
        let o = sb.run(args);
        assert_eq!((text(&o.stdout).as_str(), code(&o)), (stdout, status), "guard {args:?}\n{}", describe(&o));
    }
}

#[test]
fn a_script_on_stdin_runs_with_its_arguments() {
    let sb = Sandbox::new();
    let o = sb.run_with_stdin(&["-s", "x", "y z"], b"echo \"from stdin [$1] [$2]\"\nexit 3\n");
    assert_eq!((code(&o), text(&o.stdout)), (3, "from stdin [x] [y z]\n".into()), "{}", describe(&o));
    // No arguments at all and no terminal: bash reads the commands from stdin too.
    let o = sb.run_with_stdin(&[], b"echo piped\n");
    assert_eq!((code(&o), text(&o.stdout)), (0, "piped\n".into()), "{}", describe(&o));
}

#[test]
fn a_script_file_runs_with_its_arguments() {
    let sb = Sandbox::new();
    std::fs::write(sb.work().join("s.sh"), "printf '%s|' \"$0\" \"$@\"; exit 4\n").unwrap();
    for args in [&["s.sh", "p", "q r"][..], &["./s.sh", "p", "q r"], &["-e", "s.sh", "p", "q r"]] {
        let o = sb.run(args);
        let script = args.iter().find(|a| a.ends_with("s.sh")).unwrap();
        assert_eq!((code(&o), text(&o.stdout)), (4, format!("{script}|p|q r|")), "guard {args:?}\n{}", describe(&o));
    }
    // A subcommand name is still the subcommand, even with a file of that name present.
    std::fs::write(sb.work().join("check"), "echo ran-the-file\n").unwrap();
    let o = sb.run(&["check", "ls"]);
    assert_eq!((code(&o), text(&o.stdout).starts_with("allow")), (0, true), "{}", describe(&o));
}

/// guard runs the script it judged, not the file as it is when the shell gets to it: a script
/// that writes more commands into itself, or a file swapped after judging, runs only what was
/// judged; `$0` and the arguments are as given. A script too long for one argument is handed
/// over as a sealed copy; one that cannot be read is not run at all.
#[test]
fn a_script_runs_as_it_was_judged() {
    let sb = Sandbox::new();
    let grow = "printf '%s|%s|' \"$0\" \"$1\"\necho 'touch appended-ran' >> \"$0\"\n";
    std::fs::write(sb.work().join("grow.sh"), grow).unwrap();
    let o = sb.run(&["grow.sh", "a1"]);
    assert_eq!((code(&o), text(&o.stdout)), (0, "grow.sh|a1|".into()), "{}", describe(&o));
    assert!(std::fs::read_to_string(sb.work().join("grow.sh")).unwrap().contains("appended-ran"));
    assert!(!sb.work().join("appended-ran").exists(), "a line the script added to itself ran");

    let mut long = format!("# {}\n", "padding ".repeat(90)).repeat(200);
    long.push_str("printf '%s|%s|' \"$0\" \"$1\"; touch long-ran\n");
    std::fs::write(sb.work().join("long.sh"), &long).unwrap();
    assert!(long.len() > 128 << 10);
    let o = sb.run(&["long.sh", "b1"]);
    assert_eq!((code(&o), text(&o.stdout)), (0, "long.sh|b1|".into()), "{}", describe(&o));
    assert!(sb.work().join("long-ran").exists());

    // A script that cannot be opened (a socket, even for root): refused, not left to the shell.
    let _socket = std::os::unix::net::UnixListener::bind(sb.work().join("sock.sh")).unwrap();
    let o = sb.run(&["./sock.sh"]);
    assert_eq!(code(&o), 126, "{}", describe(&o));
    assert!(text(&o.stderr).contains("cannot read the script to judge it"), "{}", describe(&o));
}

#[test]
fn the_prefix_form_passes_argv_exactly() {
    let sb = Sandbox::new();
    let o = sb.run(&["--", "printf", r"%s\n", "a b", "c'd", "$HOME", "*", "", "x;y"]);
    assert_eq!(text(&o.stdout), "a b\nc'd\n$HOME\n*\n\nx;y\n", "{}", describe(&o));
}

#[test]
fn arguments_that_are_not_utf8_reach_the_command_exactly() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;
    let sb = Sandbox::new();
    let latin1 = OsStr::from_bytes(b"caf\xe9");
    // The shell form, plain and not: the command string and $1 keep their bytes.
    for script in [&b"printf '%s|' caf\xe9"[..], b"printf '%s|' caf\xe9 \"$1\""] {
        let mut c = sb.command(GUARD);
        c.arg("-c").arg(OsStr::from_bytes(script)).arg("name").arg(latin1);
        let o = output(c);
        let want: &[u8] = if script.ends_with(b"\"") { b"caf\xe9|caf\xe9|" } else { b"caf\xe9|" };
        assert_eq!(o.stdout, want, "{}", describe(&o));
    }
    // The prefix form.
    let mut c = sb.command(GUARD);
    c.args(["--", "printf", "%s|"]).arg(latin1);
    let o = output(c);
    assert_eq!(o.stdout, b"caf\xe9|", "{}", describe(&o));
    // A script whose name is not UTF-8 is read and judged, not waved through unread.
    sb.write_user_policy(DENY_VICTIM);
    std::fs::create_dir(sb.work().join("victim")).unwrap();
    let script = sb.work().join(OsStr::from_bytes(b"clean-\xe9.sh"));
    std::fs::write(&script, "rm -rf ./victim\n").unwrap();
    let mut c = sb.command(GUARD);
    c.arg(&script);
    let o = output(c);
    assert_eq!(code(&o), 126, "{}", describe(&o));
    assert!(sb.work().join("victim").is_dir(), "the denied script did not run");
}

#[test]
fn working_directory_environment_and_umask_are_kept() {
    let sb = Sandbox::new();
    let sub = sb.work().join("deeper dir");
    std::fs::create_dir(&sub).unwrap();
    let mut c = sb.guard(&["-c", r#"pwd; printf '[%s]\n' "$FOO" "$GUARD_ACTIVE"; umask"#]);
    c.current_dir(&sub).env("FOO", "a b\nc");
    // SAFETY: umask(2) is async-signal-safe; this hook runs after the sandbox's setsid.
    unsafe {
        c.pre_exec(|| {
            libc::umask(0o027);
            Ok(())
        });
    }
    let o = output(c);
    let want = format!("{}\n[a b\nc]\n[1]\n0027\n", sub.canonicalize().unwrap().display());
    assert_eq!(text(&o.stdout), want, "{}", describe(&o));
    // The prefix form too.
    let mut c = sb.guard(&["--", "sh", "-c", "pwd; echo $FOO; umask"]);
    c.current_dir(&sub).env("FOO", "bar");
    // SAFETY: as above.
    unsafe {
        c.pre_exec(|| {
            libc::umask(0o077);
            Ok(())
        });
    }
    let o = output(c);
    assert_eq!(text(&o.stdout), format!("{}\nbar\n0077\n", sub.canonicalize().unwrap().display()));
}

// ---------------------------------------------------------------- refusals

#[test]
fn a_denied_command_is_not_run_and_says_why() {
    let sb = Sandbox::new();
    sb.write_user_policy(DENY_VICTIM);
    let victim = sb.work().join("victim");
    std::fs::create_dir(&victim).unwrap();
    std::fs::write(victim.join("precious"), "keep me").unwrap();
    assert_eq!(sb.check("rm -rf ./victim"), 20, "the user policy denies it");
    for args in [&["-c", "rm -rf ./victim"][..], &["--", "rm", "-rf", "./victim"], &["-lc", "rm -rf ./victim"]] {
        let o = sb.run(args);
        assert_eq!(code(&o), 126, "guard {args:?}\n{}", describe(&o));
        assert!(victim.join("precious").is_file(), "guard {args:?} deleted the victim");
        let err = text(&o.stderr);
        assert!(err.contains("test.rm-victim") && err.contains("deletes the test victim"), "{err}");
        assert!(err.contains("Nothing was run"), "{err}");
        assert!(o.stdout.is_empty());
        let e = sb.last_entry();
        assert_eq!((e["decision"].as_str(), e["action"].as_str()), (Some("deny"), Some("refused")), "{e}");
        assert!(e.get("exit").is_none(), "nothing ran, so there is no exit status: {e}");
    }
    // Without the user policy the same command runs.
    std::fs::remove_file(sb.home().join("config/guard/test.yaml")).unwrap();
    let o = sb.run(&["-c", "rm -rf ./victim"]);
    assert_eq!(code(&o), 0, "{}", describe(&o));
    assert!(!victim.exists());
}

#[test]
fn nothing_runs_when_any_part_is_denied() {
    let sb = Sandbox::new();
    // `rm -rf ~` with HOME in the sandbox is a built-in deny; confirm before feeding it to guard.
    assert_eq!(sb.check("rm -rf ~"), 20, "the built-in rules deny this");
    assert_eq!(sb.check("touch a"), 0);
    let o = sb.run(&["-c", "touch a; rm -rf ~"]);
    assert_eq!(code(&o), 126, "{}", describe(&o));
    assert!(!sb.work().join("a").exists(), "the allowed first part ran");
    assert!(sb.work().is_dir() && sb.home().is_dir());
    assert!(text(&o.stderr).contains("fs.rm-recursive-home"), "{}", describe(&o));
    // The same from a script on stdin and from a script file.
    let o = sb.run_with_stdin(&["-s"], b"touch a\nrm -rf ~\n");
    assert_eq!(code(&o), 126, "{}", describe(&o));
    std::fs::write(sb.work().join("wipe.sh"), "touch a\nrm -rf ~\n").unwrap();
    let o = sb.run(&["wipe.sh"]);
    assert_eq!(code(&o), 126, "{}", describe(&o));
    assert!(!sb.work().join("a").exists());
}

#[test]
fn an_unattended_ask_is_refused() {
    let sb = Sandbox::new();
    // Runs have no controlling terminal, so no one can be asked.
    let mut tty = sb.command("sh");
    tty.args(["-c", ": </dev/tty"]);
    let o = output(tty);
    assert_ne!(code(&o), 0, "/dev/tty must not open in the sandbox");
    assert_eq!(sb.check("git reset --hard"), 10, "the built-in rules ask about this");
    let o = sb.run(&["-c", "git reset --hard; touch ran"]);
    assert_eq!(code(&o), 126, "{}", describe(&o));
    assert!(!sb.work().join("ran").exists());
    let err = text(&o.stderr);
    assert!(err.contains("git.reset-hard") && err.contains("Nothing was run"), "{err}");
    let e = sb.last_entry();
    assert_eq!((e["decision"].as_str(), e["action"].as_str()), (Some("ask"), Some("refused")), "{e}");
}

#[test]
fn an_approval_cannot_come_from_stdin() {
    let sb = Sandbox::new();
    let mut yes = Command::new("yes").stdout(Stdio::piped()).spawn().expect("yes(1) starts");
    let mut c = sb.guard(&["-c", "git reset --hard; touch ran"]);
    c.stdin(yes.stdout.take().unwrap());
    let o = output(c);
    // guard is gone, so yes gets SIGPIPE; make sure of it either way.
    let _ = yes.kill();
    let _ = yes.wait();
    assert_eq!(code(&o), 126, "{}", describe(&o));
    assert!(!sb.work().join("ran").exists());
    // Nor from a tidy single answer.
    let o = sb.run_with_stdin(&["-c", "git reset --hard; touch ran"], b"y\n");
    assert_eq!(code(&o), 126, "{}", describe(&o));
    assert!(!sb.work().join("ran").exists());
}

#[test]
fn dry_run_judges_and_never_runs() {
    let sb = Sandbox::new();
    for (command, status, verdict) in [
        ("touch allowed", 0, "allow"),
        ("touch asked; git reset --hard", 10, "ask: "),
        ("touch denied; rm -rf ~", 20, "deny: "),
    ] {
        let o = sb.run(&["--dry-run", "-c", command]);
        assert_eq!(code(&o), status, "{command}\n{}", describe(&o));
        assert!(text(&o.stderr).starts_with(verdict), "{command}\n{}", describe(&o));
        let file = command.split(';').next().unwrap().trim_start_matches("touch ");
        assert!(!sb.work().join(file).exists(), "--dry-run ran {command:?}");
    }
    let o = sb.run(&["--dry-run", "--", "touch", "prefix"]);
    assert_eq!(code(&o), 0);
    assert!(!sb.work().join("prefix").exists());
}

/// Observe mode runs what policy refuses, so only a person at their own terminal may ask for
/// it (tests/runner_pty.rs shows it working there): here, with no terminal, and inside a
/// command guard runs, it is refused and nothing runs.
#[test]
fn observe_mode_is_refused_without_a_person_at_a_terminal() {
    let sb = Sandbox::new();
    sb.write_user_policy(DENY_VICTIM);
    std::fs::create_dir(sb.work().join("victim")).unwrap();
    for args in
        [&["--mode", "observe", "-c", "rm -rf ./victim; touch ran"][..], &["--mode=observe", "--", "touch", "ran"]]
    {
        let o = sb.run(args);
        assert_eq!(code(&o), 126, "{args:?}\n{}", describe(&o));
        assert!(text(&o.stderr).contains("only a person at their own terminal"), "{}", describe(&o));
        assert!(sb.work().join("victim").exists() && !sb.work().join("ran").exists(), "{args:?} ran");
    }
    // Judging only is harmless: --dry-run with observe still judges.
    let o = sb.run(&["--mode", "observe", "--dry-run", "-c", "rm -rf ./victim"]);
    assert_eq!(code(&o), 20, "{}", describe(&o));
    assert!(sb.work().join("victim").exists());
}

#[test]
fn an_extra_policy_file_applies() {
    let sb = Sandbox::new();
    let policy = sb.home().join("extra policy.yaml");
    std::fs::write(&policy, DENY_MARKER).unwrap();
    let policy = policy.to_str().unwrap();
    let inline = format!("--policy={policy}");
    for args in [&["--policy", policy, "-c", "touch ./marker"][..], &[inline.as_str(), "--", "touch", "./marker"]] {
        let o = sb.run(args);
        assert_eq!(code(&o), 126, "guard {args:?}\n{}", describe(&o));
        assert!(text(&o.stderr).contains("extra.touch-marker"), "{}", describe(&o));
        assert!(!sb.work().join("marker").exists());
    }
    let o = sb.run(&["-c", "touch ./marker"]);
    assert_eq!(code(&o), 0, "without --policy it runs\n{}", describe(&o));
    assert!(sb.work().join("marker").exists());
}

// ---------------------------------------------------------------- the audit trail

#[test]
fn each_run_is_recorded_with_its_status_and_duration() {
    let sb = Sandbox::new();
    sb.run(&["-c", "exit 3"]);
    sb.run(&["--", "sh", "-c", "exit 4"]);
    let entries = sb.entries();
    assert_eq!(entries.len(), 2);
    for (e, face, exit, command) in [(&entries[0], "shell", 3, "exit 3"), (&entries[1], "prefix", 4, "sh -c 'exit 4'")]
    {
        assert_eq!(e["face"].as_str(), Some(face), "{e}");
        assert_eq!(e["action"].as_str(), Some("ran"), "{e}");
        assert_eq!(e["exit"].as_i64(), Some(exit), "{e}");
        assert_eq!(e["command"].as_str(), Some(command), "{e}");
        assert!(e["duration_ms"].is_u64(), "{e}");
        assert_eq!(e["cwd"].as_str(), Some(sb.work().canonicalize().unwrap().to_str().unwrap()), "{e}");
    }
}

#[test]
fn the_user_recorded_is_the_account_of_the_uid_whatever_user_says() {
    let sb = Sandbox::new();
    // SAFETY: getuid(2) cannot fail.
    let uid = unsafe { libc::getuid() };
    let passwd = std::fs::read_to_string("/etc/passwd").unwrap_or_default();
    let account = passwd
        .lines()
        .map(|l| l.split(':').collect::<Vec<_>>())
        .find(|f| f.len() > 2 && f[2] == uid.to_string() && !f[0].starts_with('#'))
        .map(|f| f[0].to_string())
        .unwrap_or_else(|| uid.to_string());
    for (user, claimed) in [
        (None, None),
        (Some(account.as_str()), None),
        (Some("guard-test-not-an-account"), Some("guard-test-not-an-account")),
    ] {
        let mut c = sb.guard(&["-c", "true"]);
        if let Some(u) = user {
            c.env("USER", u);
        }
        assert_eq!(code(&output(c)), 0);
        let e = sb.last_entry();
        assert_eq!(e["user"].as_str(), Some(account.as_str()), "USER={user:?}: {e}");
        assert_eq!(e["uid"].as_u64(), Some(u64::from(uid)), "{e}");
        assert_eq!(e["user_claimed"].as_str(), claimed, "USER={user:?}: {e}");
    }
}

#[test]
fn parallel_runs_keep_the_log_whole_and_an_edit_is_caught() {
    const N: usize = 200;
    let sb = Sandbox::new();
    let children: Vec<Child> = (0..N)
        .map(|i| {
            let mut c = sb.guard(&["-c", "true", &format!("run-{i}")]);
            c.stdout(Stdio::null()).stderr(Stdio::piped());
            c.spawn().expect("guard starts")
        })
        .collect();
    for child in children {
        let o = wait_output(child);
        assert_eq!(code(&o), 0, "{}", describe(&o));
        assert!(o.stderr.is_empty(), "{}", describe(&o));
    }
    let entries = sb.entries();
    assert_eq!(entries.len(), N);
    let mut pids: Vec<u64> = entries.iter().map(|e| e["pid"].as_u64().unwrap()).collect();
    pids.sort();
    pids.dedup();
    assert_eq!(pids.len(), N, "one entry for each guard");
    for e in &entries {
        assert_eq!((e["action"].as_str(), e["exit"].as_i64()), (Some("ran"), Some(0)), "{e}");
        assert!(e["duration_ms"].is_u64(), "{e}");
    }
    let o = sb.run(&["log", "verify"]);
    assert_eq!(code(&o), 0, "{}", describe(&o));
    assert!(text(&o.stdout).contains(&format!("{N} entries, chain intact")), "{}", describe(&o));

    // Change one recorded exit status.
    let log = std::fs::read_to_string(sb.log()).unwrap();
    let mut lines: Vec<String> = log.lines().map(str::to_string).collect();
    let edited = 57;
    assert!(lines[edited - 1].contains("\"exit\":0"), "{}", lines[edited - 1]);
    lines[edited - 1] = lines[edited - 1].replace("\"exit\":0", "\"exit\":1");
    std::fs::write(sb.log(), lines.join("\n") + "\n").unwrap();
    let o = sb.run(&["log", "verify"]);
    assert_eq!(code(&o), 1, "{}", describe(&o));
    let said = text(&o.stdout) + &text(&o.stderr);
    assert!(said.contains(&format!("line {edited}")) && said.contains("edited"), "{said}");
}

/// A file elsewhere with mode 0644, that a symlink planted as the log points at.
fn precious(sb: &Sandbox) -> std::path::PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let target = sb.home().join("precious");
    std::fs::write(&target, "precious\n").unwrap();
    std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o644)).unwrap();
    target
}

fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn a_symlink_planted_as_the_log_is_refused_and_its_target_left_alone() {
    let sb = Sandbox::new();
    let target = precious(&sb);
    std::fs::create_dir_all(sb.log().parent().unwrap()).unwrap();
    std::os::unix::fs::symlink(&target, sb.log()).unwrap();
    // By default an allowed command still runs, with a warning that says what happened.
    let o = sb.run(&["-c", "echo ran"]);
    assert_eq!((code(&o), o.stdout.as_slice()), (0, &b"ran\n"[..]), "{}", describe(&o));
    let err = text(&o.stderr);
    assert!(err.contains(&format!("the audit log {} is a symbolic link", sb.log().display())), "{err}");
    // Told to refuse what cannot be recorded, it refuses before running.
    sb.write_user_policy("settings:\n  audit:\n    on_failure: { allowed: refuse }\n");
    let o = sb.run(&["-c", "touch ./ran"]);
    assert_eq!(code(&o), 126, "{}", describe(&o));
    assert!(text(&o.stderr).contains("is a symbolic link"), "{}", describe(&o));
    assert!(!sb.work().join("ran").exists());
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "precious\n");
    assert_eq!(mode(&target), 0o644);
    assert!(
        std::fs::symlink_metadata(sb.log()).unwrap().file_type().is_symlink(),
        "the link is left for a person to see"
    );
}

#[test]
fn a_symlink_as_the_logs_directory_is_refused_and_nothing_written_there() {
    let sb = Sandbox::new();
    let elsewhere = sb.home().join("elsewhere");
    std::fs::create_dir_all(&elsewhere).unwrap();
    std::fs::create_dir_all(sb.home().join("state")).unwrap();
    std::os::unix::fs::symlink(&elsewhere, sb.home().join("state/guard")).unwrap();
    let o = sb.run(&["-c", "true"]);
    assert_eq!(code(&o), 0, "{}", describe(&o));
    assert!(
        text(&o.stderr).contains("directory") && text(&o.stderr).contains("is a symbolic link"),
        "{}",
        describe(&o)
    );
    assert_eq!(std::fs::read_dir(&elsewhere).unwrap().count(), 0, "nothing written at the target");
}

#[test]
fn a_log_open_to_others_keeps_its_mode_and_guard_says_so() {
    use std::os::unix::fs::PermissionsExt;
    let sb = Sandbox::new();
    sb.run(&["-c", "true"]);
    assert_eq!(mode(&sb.log()), 0o600);
    std::fs::set_permissions(sb.log(), std::fs::Permissions::from_mode(0o644)).unwrap();
    let o = sb.run(&["-c", "true"]);
    assert_eq!(code(&o), 0, "{}", describe(&o));
    assert_eq!(sb.entries().len(), 2, "appended to");
    assert_eq!(mode(&sb.log()), 0o644);
    let err = text(&o.stderr);
    assert_eq!(err.matches("warning: the audit log").count(), 1, "{err}");
    assert!(err.contains("mode 0644") && err.contains("chmod 600"), "{err}");
}

#[test]
fn a_new_log_is_0600_whatever_the_umask() {
    let sb = Sandbox::new();
    std::fs::create_dir_all(sb.log().parent().unwrap()).unwrap();
    let mut c = sb.guard(&["-c", "true"]);
    // SAFETY: umask(2) is async-signal-safe.
    unsafe {
        c.pre_exec(|| {
            libc::umask(0o377);
            Ok(())
        });
    }
    let o = output(c);
    assert_eq!(code(&o), 0, "{}", describe(&o));
    assert_eq!(mode(&sb.log()), 0o600, "not 0400, as the umask alone would leave it");
}

/// A writer killed mid-line: the next guard seals the torn line off, and `guard log verify`
/// names that line alone, then still finds an edit made after it.
#[test]
fn a_torn_line_is_sealed_off_by_the_next_guard_and_verify_goes_on_past_it() {
    let sb = Sandbox::new();
    for i in 0..3 {
        assert_eq!(code(&sb.run(&["-c", "true", &format!("run-{i}")])), 0);
    }
    let bytes = std::fs::read(sb.log()).unwrap();
    let third = bytes[..bytes.len() - 1].iter().rposition(|&b| b == b'\n').unwrap() + 1;
    std::fs::write(sb.log(), &bytes[..third + 40]).unwrap();
    let o = sb.run(&["-c", "true", "after"]);
    assert_eq!(code(&o), 0, "{}", describe(&o));
    assert!(text(&o.stderr).contains("was cut short (40 bytes)"), "{}", describe(&o));
    let o = sb.run(&["-c", "true", "later"]);
    assert!(o.stderr.is_empty(), "recovered once: {}", describe(&o));

    let log = std::fs::read_to_string(sb.log()).unwrap();
    let lines: Vec<&str> = log.lines().collect();
    assert_eq!(lines.len(), 6, "{log}");
    assert_eq!(lines[2].len(), 40, "the torn bytes, ended by a newline");
    assert!(lines[3].contains("\"torn\":{\"bytes\":40,"), "{}", lines[3]);
    let o = sb.run(&["log", "verify"]);
    assert_eq!(code(&o), 1, "{}", describe(&o));
    let out = text(&o.stdout);
    let reported: Vec<&str> = out.lines().collect();
    assert_eq!(reported.len(), 2, "{out}");
    assert!(
        reported[0].starts_with("line 3: a torn write (40 bytes") && reported[0].ends_with("recovered at line 4"),
        "{out}"
    );
    assert!(reported[1].starts_with("6 entries, 1 break, head "), "{out}");

    // An edit after the recovery is found as well.
    let mut edited: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
    assert!(edited[4].contains("\"exit\":0"), "{}", edited[4]);
    edited[4] = edited[4].replace("\"exit\":0", "\"exit\":1");
    std::fs::write(sb.log(), edited.join("\n") + "\n").unwrap();
    let o = sb.run(&["log", "verify"]);
    assert_eq!(code(&o), 1, "{}", describe(&o));
    let out = text(&o.stdout);
    let reported: Vec<&str> = out.lines().collect();
    assert_eq!(reported.len(), 3, "{out}");
    assert!(reported[0].starts_with("line 3: a torn write"), "{out}");
    assert!(reported[1].starts_with("line 5: its content does not match its hash"), "{out}");
    assert!(reported[2].starts_with("6 entries, 2 breaks, head "), "{out}");
}

/// Without a terminal, `--record` records stdout and stderr as a terminal would have shown them
/// (line feeds as CR LF), while the caller still gets the bytes exactly.
#[test]
fn a_recording_without_a_terminal_holds_the_output() {
    let sb = Sandbox::new();
    let out = sb.run(&["--record", "-c", "printf 'one\\ntwo\\n'; echo three >&2"]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    assert_eq!(out.stdout, b"one\ntwo\n");
    assert_eq!(out.stderr, b"three\n", "nothing said about the recording: {}", describe(&out));
    let entry = sb.last_entry();
    let path = entry["recording"].as_str().expect("the entry links the recording");
    assert!(Path::new(path).starts_with(sb.home().join("state/guard/recordings")), "{path}");
    let cast = guard::record::asciicast::parse(&std::fs::read_to_string(path).unwrap()).expect("a valid cast");
    let output = guard::record::replay::output_text(&cast);
    // stdout and stderr come through two pipes (and bash may write a line at a time), so only
    // each one's own order is certain.
    let lines: Vec<&str> = output.split_inclusive("\r\n").collect();
    let stdout: Vec<&str> = lines.iter().copied().filter(|l| *l != "three\r\n").collect();
    assert_eq!(stdout, ["one\r\n", "two\r\n"], "{output:?}");
    assert_eq!(lines.len(), 3, "{output:?}");
}

#[test]
fn recording_is_off_unless_asked_for() {
    let sb = Sandbox::new();
    for (args, env) in [(&["-c", "echo a"][..], None), (&["-c", "echo b"], Some("0")), (&["-c", "echo c"], Some("off"))]
    {
        let mut c = sb.guard(args);
        if let Some(v) = env {
            c.env("GUARD_RECORD", v);
        }
        let out = output(c);
        assert_eq!(code(&out), 0, "{}", describe(&out));
        assert!(sb.last_entry().get("recording").is_none(), "{args:?} {env:?}");
    }
    assert!(!sb.home().join("state/guard/recordings").exists());
}

#[test]
fn a_recording_that_cannot_be_made_does_not_stop_the_command() {
    let sb = Sandbox::new();
    // A file where the recordings directory would be.
    std::fs::create_dir_all(sb.home().join("state/guard")).unwrap();
    std::fs::write(sb.home().join("state/guard/recordings"), "").unwrap();
    let mut c = sb.guard(&["-c", "echo ran"]);
    c.env("GUARD_RECORD", "1");
    let out = output(c);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    assert_eq!(out.stdout, b"ran\n");
    let err = text(&out.stderr);
    assert_eq!(err.matches("warning: not recording this command").count(), 1, "warned once: {err}");
    assert!(err.contains("recordings"), "says where: {err}");
    let entry = sb.last_entry();
    assert_eq!(entry["exit"], 0);
    assert!(entry.get("recording").is_none(), "{entry}");
}
