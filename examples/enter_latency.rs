//! How long the shell integration adds between pressing Enter and the command starting.
//!
//!     cargo build --release && cargo run --release --example enter_latency [-- bash zsh fish]
//!
//! Each shell runs in tmux in a throw-away HOME, once without and once with the integration.
//! The typed line records the time the command starts (`$EPOCHREALTIME` in bash and zsh,
//! `date` in fish, the same in both runs); the time Enter is sent is taken just before
//! `tmux send-keys`. The figures include tmux's own delay, which is the same in both runs, so
//! the difference of the medians is what the integration costs.

#![allow(clippy::unwrap_used)] // a test fails loudly on what it did not expect

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

const RUNS: usize = 41;
const PROMPT: &str = "latency> ";

fn main() {
    let guard = std::env::current_exe()
        .ok()
        .and_then(|e| Some(e.parent()?.parent()?.join("guard")))
        .filter(|g| g.is_file())
        .expect("no guard binary next to this example: run `cargo build --release` first");
    let shells: Vec<String> = std::env::args().skip(1).collect();
    let shells = if shells.is_empty() { vec!["bash".into(), "zsh".into(), "fish".into()] } else { shells };
    println!("Enter → command start, median (p90) of {RUNS} runs, guard at {}", guard.display());
    for shell in &shells {
        let without = measure(shell, &guard, false);
        let with = measure(shell, &guard, true);
        let (m0, m1) = (percentile(&without, 50), percentile(&with, 50));
        println!(
            "{shell:5}  without {:6.2} ms ({:6.2})   with {:6.2} ms ({:6.2})   added {:6.2} ms",
            m0,
            percentile(&without, 90),
            m1,
            percentile(&with, 90),
            m1 - m0
        );
    }
}

fn percentile(samples: &[f64], p: usize) -> f64 {
    let mut s = samples.to_vec();
    s.sort_by(f64::total_cmp);
    s[(s.len() - 1) * p / 100]
}

/// Milliseconds from Enter to the command's start, `RUNS` times.
fn measure(shell: &str, guard: &Path, integrated: bool) -> Vec<f64> {
    let tmp = std::env::temp_dir().join(format!("guard-latency-{}-{shell}-{integrated}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir_all(tmp.join("config/fish")).unwrap();
    let times = tmp.join("times");
    let load = if integrated {
        let out = Command::new(guard).args(["init", shell]).output().unwrap();
        let hook = tmp.join("hook");
        std::fs::write(&hook, out.stdout).unwrap();
        format!("source '{}'\n", hook.display())
    } else {
        String::new()
    };
    let (argv, line): (Vec<String>, String) = match shell {
        "bash" => {
            std::fs::write(tmp.join("rc"), format!("PS1='{PROMPT}'\n{load}")).unwrap();
            let rc = tmp.join("rc").display().to_string();
            (
                vec!["bash".into(), "--noprofile".into(), "--rcfile".into(), rc, "-i".into()],
                format!("echo $EPOCHREALTIME >> {}", times.display()),
            )
        }
        "zsh" => {
            let rc = format!("PS1='{PROMPT}'\nbindkey -e\nzmodload zsh/datetime\n{load}");
            std::fs::write(tmp.join(".zshrc"), rc).unwrap();
            (vec!["zsh".into(), "-i".into()], format!("echo $EPOCHREALTIME >> {}", times.display()))
        }
        "fish" => {
            let rc = format!("function fish_prompt; echo -n '{PROMPT}'; end\nfunction fish_greeting; end\n{load}");
            std::fs::write(tmp.join("config/fish/config.fish"), rc).unwrap();
            (vec!["fish".into(), "-i".into()], format!("date +%s.%N >> {}", times.display()))
        }
        other => panic!("unknown shell {other}: use bash, zsh or fish"),
    };
    let env: Vec<(&str, OsString)> = vec![
        ("HOME", tmp.clone().into_os_string()),
        ("PATH", "/usr/local/bin:/usr/bin:/bin".into()),
        ("XDG_CONFIG_HOME", tmp.join("config").into_os_string()),
        ("XDG_STATE_HOME", tmp.join("state").into_os_string()),
        ("XDG_DATA_HOME", tmp.join("data").into_os_string()),
        ("ZDOTDIR", tmp.clone().into_os_string()),
        ("SHELL", "/bin/sh".into()),
        ("TERM", "xterm-256color".into()),
        ("LANG", "C.UTF-8".into()),
    ];
    let t = Tmux { socket: tmp.join("sock"), env };
    let mut args = vec!["-f", "/dev/null", "new-session", "-d", "-x", "250", "-y", "50", "-c"];
    let dir = tmp.display().to_string();
    args.push(&dir);
    args.extend(argv.iter().map(String::as_str));
    t.run(&args);
    wait(|| t.screen().contains(PROMPT));
    let mut samples = Vec::new();
    for i in 0..RUNS {
        t.run(&["send-keys", "-l", &line]);
        wait(|| t.screen().trim_end().ends_with(line.as_str()));
        let sent = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs_f64();
        t.run(&["send-keys", "Enter"]);
        wait(|| std::fs::read_to_string(&times).is_ok_and(|s| s.lines().count() > i));
        let text = std::fs::read_to_string(&times).unwrap();
        let started: f64 = text.lines().nth(i).unwrap().trim().parse().unwrap();
        samples.push((started - sent) * 1000.0);
    }
    t.run(&["kill-server"]);
    let _ = std::fs::remove_dir_all(&tmp);
    samples
}

struct Tmux {
    socket: PathBuf,
    env: Vec<(&'static str, OsString)>,
}

impl Tmux {
    fn run(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .env_clear()
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .arg("-S")
            .arg(&self.socket)
            .args(args)
            .output()
            .expect("tmux is needed to drive the shells");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn screen(&self) -> String {
        self.run(&["capture-pane", "-p", "-J"])
    }
}

fn wait(done: impl Fn() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(start.elapsed() < Duration::from_secs(30), "the shell stopped responding");
        std::thread::sleep(Duration::from_millis(2));
    }
}
