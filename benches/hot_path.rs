//! The hot path: what guard costs on the calls made before every command, each beside what it
//! stands in for, in one run with every case interleaved (run 1 of each, then run 2 of each…),
//! CPU time beside wall time:
//!
//! - `guard check 'git status'` (the shell integrations) against `/bin/true`;
//! - `guard hook claude` with a small PreToolUse call on stdin (the agents) against `/bin/true`;
//! - `guard -- /bin/true` (guard as a prefix, which runs the program) against
//!   `bash -c /bin/true`.
//!
//! With `GUARD_BASELINE=/path/to/another/guard`, that binary runs the same cases in the same
//! rounds, to compare two versions. Each process starts with an environment cleared down to
//! `PATH=/usr/bin:/bin` and `HOME`, and HOME and the working directory in a fresh temporary
//! directory (each guard binary has its own HOME, so its own audit log). Each guard binary is
//! copied there first and the copy is run: a file the linker has just written in place starts
//! measurably slower than a copy of the same bytes (on ext4, 30–40% more CPU per call), and
//! an installed guard is a copy.
//!
//! CPU time is the process's user plus system time (its children included) as `wait4` reports
//! it, from the spawn to the exit; wall time is from before the spawn to after the wait. When
//! perf is installed, a second interleaved pass runs each case under `perf stat -e task-clock`,
//! which counts from the `exec` on (so less of the kernel's work of starting a program).
//! Medians, and the ratio of each median to its reference's. Then, when valgrind is installed,
//! the instructions each guard case executes (callgrind's count; guard alone, not the program
//! it runs), which do not depend on the machine's load.
//!
//! `cargo bench --bench hot_path`; `GUARD_BENCH_RUNS` sets the runs per case (default 200),
//! `GUARD_BENCH_PERF=0` and `GUARD_BENCH_CALLGRIND=0` skip the perf and callgrind passes.

#![allow(clippy::unwrap_used)] // a benchmark fails loudly on what it did not expect

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const GUARD: &str = env!("CARGO_BIN_EXE_guard");

/// One process to time, and the row it is compared with.
struct Case {
    label: String,
    program: String,
    args: Vec<String>,
    home: PathBuf,
    /// A file for its standard input (else /dev/null).
    stdin: Option<PathBuf>,
    /// The index of the case it stands in for.
    reference: Option<usize>,
    /// Whether it is a guard (counted under callgrind).
    guard: bool,
    cpu: Vec<Duration>,
    wall: Vec<Duration>,
    /// perf's task-clock, one per run.
    task: Vec<Duration>,
}

impl Case {
    fn command(&self, program: &str, work: &Path) -> Command {
        let mut c = Command::new(program);
        c.env_clear().env("PATH", "/usr/bin:/bin").env("HOME", &self.home).current_dir(work);
        let stdin = match &self.stdin {
            Some(f) => Stdio::from(std::fs::File::open(f).unwrap()),
            None => Stdio::null(),
        };
        c.stdin(stdin).stdout(Stdio::null()).stderr(Stdio::null());
        c
    }

    /// One run: its CPU time and wall time.
    fn run_once(&mut self, work: &Path) {
        let mut c = self.command(&self.program, work);
        c.args(&self.args);
        let start = Instant::now();
        // Reaped by wait4 below, which also reports the child's resource usage.
        #[allow(clippy::zombie_processes)]
        let child = c.spawn().unwrap_or_else(|e| panic!("{}: {e}", self.label));
        let mut status = 0;
        // SAFETY: an all-zero rusage is valid; wait4 fills it in for the child just started.
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        // SAFETY: wait4 on our own child, with pointers to locals.
        let pid = unsafe { libc::wait4(child.id() as libc::pid_t, &mut status, 0, &mut usage) };
        let wall = start.elapsed();
        assert_eq!(pid, child.id() as libc::pid_t, "{}: wait4 failed", self.label);
        assert!(libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0, "{}: status {status:#x}", self.label);
        let time = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
        self.cpu.push(time(usage.ru_utime) + time(usage.ru_stime));
        self.wall.push(wall);
    }

    /// One run under `perf stat`: its task-clock, or why there is none.
    fn run_perf(&mut self, work: &Path, out: &Path) -> Result<(), String> {
        let mut c = self.command("perf", work);
        c.args(["stat", "-x,", "-e", "task-clock", "-o"]).arg(out).arg("--").arg(&self.program).args(&self.args);
        let status = c.status().map_err(|e| format!("perf: {e}"))?;
        let text = std::fs::read_to_string(out).unwrap_or_default();
        // `1.23,msec,task-clock,…`
        let msec =
            text.lines().find(|l| l.contains("task-clock")).and_then(|l| l.split(',').next()?.parse::<f64>().ok());
        match msec {
            Some(ms) if status.success() => {
                self.task.push(Duration::from_secs_f64(ms / 1e3));
                Ok(())
            }
            _ => Err(format!("perf stat gave no task-clock ({status}): {}", text.trim())),
        }
    }

    /// Instructions executed by the process itself, as callgrind counts them.
    fn instructions(&self, work: &Path) -> Option<u64> {
        let mut c = self.command("valgrind", work);
        c.args(["--tool=callgrind", "--callgrind-out-file=/dev/null", &self.program]).args(&self.args);
        let out = c.stderr(Stdio::piped()).output().ok()?;
        let text = String::from_utf8_lossy(&out.stderr);
        let line = text.lines().find(|l| l.contains("Collected :"))?;
        line.rsplit(':').next()?.trim().parse().ok()
    }
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort_unstable();
    v[v.len() / 2]
}

fn micros(d: Duration) -> String {
    format!("{:.0} µs", d.as_secs_f64() * 1e6)
}

fn main() {
    // `cargo bench` passes `--bench`; a filter is not supported, nor needed.
    let runs: usize = std::env::var("GUARD_BENCH_RUNS").ok().and_then(|v| v.parse().ok()).unwrap_or(200);
    let tmp = tempfile::tempdir().unwrap();
    let work = tmp.path().join("work");
    std::fs::create_dir_all(&work).unwrap();
    let hook_input = tmp.path().join("hook.json");
    let call = serde_json::json!({
        "session_id": "s",
        "transcript_path": "/tmp/t",
        "cwd": work,
        "hook_event_name": "PreToolUse",
        "tool_name": "Bash",
        "tool_input": {"command": "git status"},
    });
    std::fs::write(&hook_input, call.to_string()).unwrap();

    let mut guards = vec![("this".to_string(), PathBuf::from(GUARD))];
    if let Some(b) = std::env::var_os("GUARD_BASELINE") {
        guards.push(("baseline".to_string(), PathBuf::from(b)));
    }
    for (name, path) in &mut guards {
        let copy = tmp.path().join(format!("guard-{name}"));
        std::fs::copy(&*path, &copy).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        *path = copy;
    }
    let case = |label: String, program: &str, args: &[&str], home: &Path| Case {
        label,
        program: program.to_string(),
        args: args.iter().map(|a| a.to_string()).collect(),
        home: home.to_path_buf(),
        stdin: None,
        reference: None,
        guard: false,
        cpu: Vec::new(),
        wall: Vec::new(),
        task: Vec::new(),
    };
    let plain_home = tmp.path().join("home");
    let mut cases = vec![
        case("/bin/true".into(), "/bin/true", &[], &plain_home),
        case("bash -c /bin/true".into(), "bash", &["-c", "/bin/true"], &plain_home),
    ];
    for (name, path) in &guards {
        let home = tmp.path().join(format!("home-{name}"));
        let program = path.to_str().unwrap();
        let mut add = |what: &str, args: &[&str], reference: usize, stdin: Option<&Path>| {
            let mut c = case(format!("guard {what} [{name}]"), program, args, &home);
            c.reference = Some(reference);
            c.stdin = stdin.map(Path::to_path_buf);
            c.guard = true;
            cases.push(c);
        };
        add("check 'git status'", &["check", "git status"], 0, None);
        add("hook claude", &["hook", "claude"], 0, Some(&hook_input));
        add("-- /bin/true", &["--", "/bin/true"], 1, None);
    }
    for c in &cases {
        std::fs::create_dir_all(&c.home).unwrap();
    }

    // A few runs of each first, so every binary is in the page cache.
    for _ in 0..3 {
        cases.iter_mut().for_each(|c| c.run_once(&work));
    }
    cases.iter_mut().for_each(|c| {
        c.cpu.clear();
        c.wall.clear();
    });
    let n = cases.len();
    for round in 0..runs {
        // Each round starts at a different case, so none always follows the same one.
        for i in 0..n {
            cases[(round + i) % n].run_once(&work);
        }
    }

    let perf = std::env::var("GUARD_BENCH_PERF").map_or(true, |v| v != "0");
    let perf_out = tmp.path().join("perf.csv");
    let mut perf_problem = (!perf).then(|| "GUARD_BENCH_PERF=0".to_string());
    'perf: for round in 0..runs {
        for i in 0..n {
            if perf_problem.is_some() {
                break 'perf;
            }
            perf_problem = cases[(round + i) % n].run_perf(&work, &perf_out).err();
        }
    }

    let medians: Vec<[Option<Duration>; 3]> = cases
        .iter()
        .map(|c| [&c.cpu, &c.task, &c.wall].map(|v| (v.len() == runs).then(|| median(v.clone()))))
        .collect();
    println!("hot path: {runs} runs of each case, interleaved; medians, and each as a multiple of its reference");
    println!(
        "{:<36} {:>9} {:>11} {:>9}   {:>7} {:>11} {:>7}",
        "", "CPU", "task-clock", "wall", "CPU ×", "task-clk ×", "wall ×"
    );
    let show = |d: Option<Duration>| d.map_or("-".to_string(), micros);
    for (i, c) in cases.iter().enumerate() {
        let m = medians[i];
        let ratios = match c.reference {
            Some(r) => {
                let ratio = |k: usize| match (m[k], medians[r][k]) {
                    (Some(a), Some(b)) => format!("{:.2}", a.as_secs_f64() / b.as_secs_f64()),
                    _ => "-".to_string(),
                };
                format!("{:>7} {:>11} {:>7}", ratio(0), ratio(1), ratio(2))
            }
            None => format!("{:>7} {:>11} {:>7}", "ref", "ref", "ref"),
        };
        println!("{:<36} {:>9} {:>11} {:>9}   {ratios}", c.label, show(m[0]), show(m[1]), show(m[2]));
    }
    if let Some(why) = perf_problem {
        eprintln!("SKIPPED: task-clock ({why})");
    }

    let callgrind = std::env::var("GUARD_BENCH_CALLGRIND").map_or(true, |v| v != "0");
    if !callgrind || Command::new("valgrind").arg("--version").output().is_err() {
        eprintln!("SKIPPED: instruction counts (valgrind is not installed, or GUARD_BENCH_CALLGRIND=0)");
        return;
    }
    println!("\ninstructions executed by guard itself (callgrind)");
    for c in cases.iter().filter(|c| c.guard) {
        match c.instructions(&work) {
            Some(n) => println!("{:<40} {:>12}", c.label, n),
            None => println!("{:<40} {:>12}", c.label, "(failed)"),
        }
    }
}
