//! What containment costs, side by side in one run with every case interleaved (run 1 of each,
//! then run 2 of each…), CPU time beside wall time:
//!
//! - `guard -c true` contained and not (nothing starts: guard completes `true` itself, so there
//!   is nothing to contain);
//! - `guard -c 'cat /dev/null'` contained and not (guard execs `cat`: the scope is worked out,
//!   opened and applied);
//! - a small build, `cc` compiling and linking a C file, contained and not.
//!
//! "Not contained" is a user policy with `settings.contain.when: off`; "contained" is
//! `--contain`. Each home's temporary directory is its own (`settings.contain.temp`).
//! Each guard runs with HOME, the XDG directories and the working directory in a fresh
//! temporary directory (a git work tree, the project), with the environment cleared down to
//! PATH. CPU time is user plus system time of the process and its children, from `wait4`.
//! `cargo bench --bench contain`; `GUARD_BENCH_RUNS` sets the runs per case (default 200).

#![allow(clippy::unwrap_used)] // a benchmark fails loudly on what it did not expect

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const GUARD: &str = env!("CARGO_BIN_EXE_guard");

struct Case {
    label: &'static str,
    args: Vec<&'static str>,
    home: PathBuf,
    cpu: Vec<Duration>,
    wall: Vec<Duration>,
}

fn time(t: libc::timeval) -> Duration {
    Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000)
}

impl Case {
    fn run(&mut self, guard: &Path) {
        let mut c = Command::new(guard);
        c.args(&self.args)
            .env_clear()
            .env("PATH", "/usr/bin:/bin")
            .env("HOME", &self.home)
            .env("XDG_CONFIG_HOME", self.home.join("config"))
            .env("XDG_STATE_HOME", self.home.join("state"))
            .env("TMPDIR", self.home.join("tmp"))
            .current_dir(self.home.join("work"))
            .stdin(Stdio::null())
            .stdout(Stdio::null());
        let start = Instant::now();
        // Reaped by wait4 below, which also reports the child's resource usage.
        #[allow(clippy::zombie_processes)]
        let child = c.spawn().unwrap();
        let mut status = 0;
        // SAFETY: rusage is plain data filled in by the kernel.
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        // SAFETY: waits for the child just spawned.
        let pid = unsafe { libc::wait4(child.id() as libc::pid_t, &mut status, 0, &mut usage) };
        let wall = start.elapsed();
        assert_eq!(pid, child.id() as libc::pid_t);
        assert!(libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0, "{}: status {status:#x}", self.label);
        self.cpu.push(time(usage.ru_utime) + time(usage.ru_stime));
        self.wall.push(wall);
    }
}

fn median(v: &[Duration]) -> Duration {
    let mut v = v.to_vec();
    v.sort();
    v[v.len() / 2]
}

fn home(root: &Path, name: &str, contain: bool) -> PathBuf {
    let h = root.join(name);
    std::fs::create_dir_all(h.join("work/.git")).unwrap();
    std::fs::create_dir_all(h.join("config/guard")).unwrap();
    std::fs::create_dir_all(h.join(".ssh")).unwrap();
    std::fs::write(h.join(".ssh/id_ed25519"), "k\n").unwrap();
    std::fs::write(h.join(".bashrc"), "# rc\n").unwrap();
    // Both have a policy file of the same size, so reading it costs both the same; the
    // temporary directory is the home's own, wherever the build is.
    let when = if contain { "agents" } else { "off   " };
    let temp = h.join("tmp");
    std::fs::create_dir_all(&temp).unwrap();
    std::fs::write(
        h.join("config/guard/contain.yaml"),
        format!("settings:\n  contain:\n    when: {when}\n    temp: [{}]\n", temp.display()),
    )
    .unwrap();
    std::fs::write(h.join("work/hello.c"), "#include <stdio.h>\nint main(void) { puts(\"hi\"); return 0; }\n").unwrap();
    h
}

fn main() {
    if guard::contain::kernel::abi() < guard::contain::kernel::MIN_ABI {
        eprintln!("SKIPPED: this kernel cannot contain (Landlock ABI {})", guard::contain::kernel::abi());
        return;
    }
    let runs: usize = std::env::var("GUARD_BENCH_RUNS").ok().and_then(|r| r.parse().ok()).unwrap_or(200);
    // The build's own temporary directory: what containment costs grows with the entries of
    // each directory on the way to the home (read access is granted around its secret stores),
    // and /tmp on a busy machine holds hundreds where /home holds a few.
    let root = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    // A copy, as an installed guard is (a file just written by the linker starts slower).
    let guard = root.path().join("guard");
    std::fs::copy(GUARD, &guard).unwrap();
    let plain = home(root.path(), "plain", false);
    let contained = home(root.path(), "contained", true);
    let has_cc = Command::new("sh").args(["-c", "command -v cc"]).output().is_ok_and(|o| o.status.success());
    let mut cases = vec![
        Case { label: "guard -c true", args: vec!["-c", "true"], home: plain.clone(), cpu: vec![], wall: vec![] },
        Case {
            label: "guard --contain -c true",
            args: vec!["--contain", "-c", "true"],
            home: contained.clone(),
            cpu: vec![],
            wall: vec![],
        },
        Case {
            label: "guard -c 'cat /dev/null'",
            args: vec!["-c", "cat /dev/null"],
            home: plain.clone(),
            cpu: vec![],
            wall: vec![],
        },
        Case {
            label: "guard --contain -c 'cat /dev/null'",
            args: vec!["--contain", "-c", "cat /dev/null"],
            home: contained.clone(),
            cpu: vec![],
            wall: vec![],
        },
    ];
    if has_cc {
        cases.push(Case {
            label: "guard -c 'cc -o hello hello.c'",
            args: vec!["-c", "cc -o hello hello.c"],
            home: plain,
            cpu: vec![],
            wall: vec![],
        });
        cases.push(Case {
            label: "guard --contain -c 'cc -o hello hello.c'",
            args: vec!["--contain", "-c", "cc -o hello hello.c"],
            home: contained,
            cpu: vec![],
            wall: vec![],
        });
    }
    for c in cases.iter_mut() {
        c.run(&guard); // warm-up
        c.cpu.clear();
        c.wall.clear();
    }
    for i in 0..runs {
        // Builds cost much more: a tenth as many runs of them.
        for c in cases.iter_mut().filter(|c| !c.label.contains("cc ") || i % 10 == 0) {
            c.run(&guard);
        }
    }
    println!("{:<44} {:>6} {:>12} {:>12}", "case", "runs", "wall median", "CPU median");
    for pair in cases.chunks(2) {
        for c in pair {
            println!(
                "{:<44} {:>6} {:>9.3} ms {:>9.3} ms",
                c.label,
                c.wall.len(),
                ms(median(&c.wall)),
                ms(median(&c.cpu))
            );
        }
        let (a, b) = (&pair[0], &pair[1]);
        println!(
            "{:<44} {:>6} {:>+9.3} ms {:>+9.3} ms\n",
            "  added by containment",
            "",
            ms(median(&b.wall)) - ms(median(&a.wall)),
            ms(median(&b.cpu)) - ms(median(&a.cpu))
        );
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}
