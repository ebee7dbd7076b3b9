//! What guard costs as a whole process, each figure beside what it stands in for:
//!
//! - `bash -c CMD` against `guard -c CMD` (parse, judge, audit, then run): for `true`, which
//!   guard completes itself as bash would; `cat /dev/null`, which guard execs without a shell;
//!   and `true && cat /dev/null`, which still needs bash;
//! - `/bin/true` against `guard check 'git status'` (start-up plus a judgement, nothing run);
//! - 100 MB of realistic output (the masking benchmark's text) through a pipe:
//!   `cat text | cat`, against guard running `cat text` into the same `| cat` unmasked (the
//!   child writes to the pipe itself) and masked (guard reads, masks and writes every byte);
//! - 100 MB of output through a terminal: `script -qec 'cat big' /dev/null` against
//!   `script -qec "guard -c 'cat big'" /dev/null`, where guard adds its own pty in between, and
//!   the masking benchmark's text shown as it is against guard masking it.
//!
//! guard runs with HOME and the XDG directories in a temporary directory, so its audit log and
//! policy are fresh. `cargo bench --bench runner`; medians are in
//! `target/criterion/runner*/*/new/estimates.json`.

#![allow(clippy::unwrap_used)] // a test fails loudly on what it did not expect

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, SamplingMode};

#[path = "support/text.rs"]
mod text;

const GUARD: &str = env!("CARGO_BIN_EXE_guard");

/// Run to completion with no output shown; a failure stops the benchmark.
fn run(cmd: &mut Command) {
    let st = cmd.stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::null()).status().expect("it starts");
    assert!(st.success(), "{cmd:?} failed: {st}");
}

/// `program` with HOME, the XDG directories and the working directory in `home`.
fn sandboxed(program: &str, home: &Path) -> Command {
    let mut c = Command::new(program);
    c.env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_STATE_HOME", home.join("state"))
        .env("XDG_CACHE_HOME", home.join("cache"))
        .current_dir(home);
    c
}

fn on_path(program: &str) -> bool {
    std::env::var_os("PATH").is_some_and(|p| std::env::split_paths(&p).any(|d| d.join(program).is_file()))
}

fn bench(c: &mut Criterion) {
    let home = tempfile::tempdir().unwrap();
    let home = home.path();

    // Each iteration is a process or two: flat sampling, and time enough for 100 samples.
    let mut group = c.benchmark_group("runner: start-up");
    group.sampling_mode(SamplingMode::Flat).measurement_time(Duration::from_secs(10));
    // A plain command guard runs itself, one it execs without bash, and one that needs bash.
    for command in ["true", "cat /dev/null", "true && cat /dev/null"] {
        group.bench_function(format!("bash -c '{command}'"), |b| {
            b.iter(|| run(sandboxed("bash", home).args(["-c", command])))
        });
        group.bench_function(format!("guard -c '{command}'"), |b| {
            b.iter(|| run(sandboxed(GUARD, home).args(["-c", command])))
        });
    }
    group.finish();

    let mut group = c.benchmark_group("runner: judge only");
    group.sampling_mode(SamplingMode::Flat).measurement_time(Duration::from_secs(10));
    group.bench_function("/bin/true", |b| b.iter(|| run(&mut sandboxed("/bin/true", home))));
    group.bench_function("guard check 'git status'", |b| {
        b.iter(|| run(sandboxed(GUARD, home).args(["check", "git status"])))
    });
    group.finish();

    // The masking benchmark's text, repeated to 100 MB.
    let sample = text::realistic_text();
    let mut text = Vec::with_capacity(100 << 20);
    while text.len() < 100 << 20 {
        text.extend_from_slice(&sample[..sample.len().min((100 << 20) - text.len())]);
    }
    std::fs::write(home.join("text"), &text).unwrap();
    drop((sample, text));
    let mut group = c.benchmark_group("runner: 100 MB through a pipe");
    group.sample_size(10).sampling_mode(SamplingMode::Flat).measurement_time(Duration::from_secs(20));
    group.bench_function("cat text | cat", |b| b.iter(|| run(sandboxed("bash", home).args(["-c", "cat text | cat"]))));
    for mask in ["never", "always"] {
        let through_guard = format!("GUARD_MASK={mask} '{GUARD}' -c 'cat text' | cat");
        group.bench_function(format!("GUARD_MASK={mask} guard -c 'cat text' | cat"), |b| {
            b.iter(|| run(sandboxed("bash", home).args(["-c", &through_guard])))
        });
    }
    group.finish();

    if !on_path("script") {
        eprintln!("SKIPPED: script(1) (util-linux) is not installed, so the pty throughput was not measured");
        return;
    }
    // 100 MB of text lines, as a build log or a test run would print.
    let big = home.join("big");
    let line = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ .,;:-=+*/ output line\n";
    let mut text = String::with_capacity(100 << 20);
    while text.len() + line.len() <= 100 << 20 {
        text.push_str(line);
    }
    std::fs::write(&big, text).unwrap();
    let mut group = c.benchmark_group("runner: 100 MB through a pty");
    group.sample_size(10).sampling_mode(SamplingMode::Flat).measurement_time(Duration::from_secs(20));
    group.bench_function("script -qec 'cat big'", |b| {
        b.iter(|| run(sandboxed("script", home).args(["-qec", "cat big", "/dev/null"])))
    });
    let through_guard = format!("'{GUARD}' -c 'cat big'");
    group.bench_function("script -qec \"guard -c 'cat big'\"", |b| {
        b.iter(|| run(sandboxed("script", home).args(["-qec", &through_guard, "/dev/null"])))
    });
    // The masking benchmark's text, shown at a terminal as it is and masked.
    group.bench_function("script -qec 'cat text'", |b| {
        b.iter(|| run(sandboxed("script", home).args(["-qec", "cat text", "/dev/null"])))
    });
    let masked = format!("GUARD_MASK=always '{GUARD}' -c 'cat text'");
    group.bench_function("script -qec \"GUARD_MASK=always guard -c 'cat text'\"", |b| {
        b.iter(|| run(sandboxed("script", home).args(["-qec", &masked, "/dev/null"])))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
