//! Masking's cost, side by side in one run: 100 MB of the masking benchmark's text through a
//! pipe, `guard -c 'cat text' | cat` unmasked (`cat` writes to the pipe itself) and masked
//! (guard reads, masks and writes every byte), beside `cat text | cat`, in interleaved rounds;
//! then the masker alone, in memory. With `GUARD_BASELINE=/path/to/guard` another build runs in
//! the same rounds, for a before and after.
//!
//! Each case is one `sh -c` pipeline; its wall time is timed, and its CPU time (user + system of
//! every process in it) taken from `getrusage(RUSAGE_CHILDREN)` around it. Medians are printed,
//! with each case's throughput as a share of unmasked guard's.
//! `cargo bench --bench mask_pipe` (`GUARD_BENCH_ROUNDS`, default 7; `GUARD_BENCH_PIPE=0` for
//! the masker alone, as for a profile).

#![allow(clippy::unwrap_used)] // a benchmark fails loudly on what it did not expect

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use guard::mask::Masker;

#[path = "support/text.rs"]
mod text;

const GUARD: &str = env!("CARGO_BIN_EXE_guard");
const TOTAL: usize = 100_000_000;

/// CPU time (user + system) of every child waited for so far.
fn children_cpu() -> Duration {
    // SAFETY: getrusage fills in the struct it is given.
    let mut u: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut u) };
    let t = |tv: libc::timeval| Duration::new(tv.tv_sec as u64, tv.tv_usec as u32 * 1000);
    t(u.ru_utime) + t(u.ru_stime)
}

/// Runs `pipeline` with `sh` in `home`; its wall and CPU time.
fn time(pipeline: &str, home: &Path) -> (Duration, Duration) {
    let cpu = children_cpu();
    let start = Instant::now();
    let st = Command::new("sh")
        .arg("-c")
        .arg(pipeline)
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_STATE_HOME", home.join("state"))
        .current_dir(home)
        .stdin(Stdio::null())
        .status()
        .unwrap();
    let wall = start.elapsed();
    assert!(st.success(), "{pipeline}: {st}");
    (wall, children_cpu() - cpu)
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() {
    // `cargo bench` passes `--bench`; anything else (as `cargo test --benches` does) only checks it starts.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let rounds: usize = std::env::var("GUARD_BENCH_ROUNDS").ok().and_then(|r| r.parse().ok()).unwrap_or(7);
    let home = tempfile::tempdir().unwrap();
    let home = home.path();
    let sample = text::realistic_text();
    let mut big = Vec::with_capacity(TOTAL + sample.len());
    while big.len() < TOTAL {
        big.extend_from_slice(&sample);
    }
    big.truncate(TOTAL);
    if std::env::var("GUARD_BENCH_PIPE").as_deref() != Ok("0") {
        pipes(&big, home, rounds);
    }
    in_memory(&big, rounds);
}

/// The pipelines, interleaved, with and without masking.
fn pipes(big: &[u8], home: &Path, rounds: usize) {
    std::fs::write(home.join("text"), big).unwrap();
    // Copies, as an installed guard is one (a file the linker just wrote starts slower).
    std::fs::copy(GUARD, home.join("guard")).unwrap();
    let mut cases: Vec<(String, String)> = vec![
        ("cat text | cat".into(), "cat text | cat >/dev/null".into()),
        ("guard, unmasked".into(), "GUARD_MASK=never ./guard -c 'cat text' | cat >/dev/null".into()),
        ("guard, masked".into(), "GUARD_MASK=always ./guard -c 'cat text' | cat >/dev/null".into()),
    ];
    if let Some(base) = std::env::var_os("GUARD_BASELINE") {
        std::fs::copy(base, home.join("base")).unwrap();
        cases.push(("baseline, unmasked".into(), "GUARD_MASK=never ./base -c 'cat text' | cat >/dev/null".into()));
        cases.push(("baseline, masked".into(), "GUARD_MASK=always ./base -c 'cat text' | cat >/dev/null".into()));
    }
    // One warm-up of each (the file into the page cache, the binaries into memory).
    for (_, p) in &cases {
        time(p, home);
    }
    let mut walls = vec![Vec::new(); cases.len()];
    let mut cpus = vec![Vec::new(); cases.len()];
    for _ in 0..rounds {
        for (i, (_, p)) in cases.iter().enumerate() {
            let (w, c) = time(p, home);
            walls[i].push(w);
            cpus[i].push(c);
        }
    }
    let mb = big.len() as f64 / 1e6;
    let walls: Vec<Duration> = walls.into_iter().map(median).collect();
    let cpus: Vec<Duration> = cpus.into_iter().map(median).collect();
    println!("{} MB through a pipe, {rounds} interleaved rounds, medians:", mb.round());
    println!("{:<22} {:>9} {:>9} {:>9} {:>15}", "case", "wall s", "CPU s", "MB/s", "× unmasked guard");
    for (i, (name, _)) in cases.iter().enumerate() {
        let reference = if name.starts_with("baseline") { walls[3] } else { walls[1] };
        println!(
            "{name:<22} {:>9.3} {:>9.3} {:>9.0} {:>15.2}",
            walls[i].as_secs_f64(),
            cpus[i].as_secs_f64(),
            mb / walls[i].as_secs_f64(),
            reference.as_secs_f64() / walls[i].as_secs_f64()
        );
    }
}

/// The masker alone: the runner's chunks, in memory.
fn in_memory(big: &[u8], rounds: usize) {
    let mb = big.len() as f64 / 1e6;
    let detectors = guard_rules::detectors();
    Masker::new(detectors);
    let mut out = Vec::with_capacity((256 << 10) * 2);
    let mut times = Vec::new();
    for _ in 0..rounds {
        let start = Instant::now();
        let mut m = Masker::new(detectors);
        for chunk in big.chunks(256 << 10) {
            out.clear();
            m.feed(chunk, &mut out);
            std::hint::black_box(&out);
        }
        times.push(start.elapsed());
    }
    let t = median(times);
    println!(
        "masker in memory: {:.2} GiB/s ({} MB in {:.3} s, median of {rounds})",
        big.len() as f64 / t.as_secs_f64() / (1u64 << 30) as f64,
        mb.round(),
        t.as_secs_f64()
    );
}
