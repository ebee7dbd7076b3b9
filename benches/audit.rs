//! Audit cost: building an entry and appending it (paid on every decision), parallel writers
//! contending for the lock, and verifying a long log.

#![allow(clippy::unwrap_used)] // a test fails loudly on what it did not expect

use std::hint::black_box;
use std::path::Path;

use criterion::{criterion_group, criterion_main, Criterion};
use guard::audit::{self, Action, AuditConfig, Entry};
use guard::policy::Verdict;
use guard::shell::{analyze, Env};

fn config(path: &Path) -> AuditConfig {
    AuditConfig { path: Some(path.to_path_buf()), ..AuditConfig::default() }
}

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let plan = analyze("cargo build --release 2>&1 | tail -20", &Env::new("/home/u", "/home/u/proj"));
    let verdict = Verdict::allow();
    let entry = || {
        Entry::new(
            "shell",
            "claude",
            &guard::host::Host::new("/w".into(), Default::default()),
            &plan,
            &verdict,
            Action::Ran,
        )
    };
    // User name, host name, working directory, time and plan summary.
    c.bench_function("audit: build an entry", |b| b.iter(|| black_box(entry())));

    let cfg = config(&dir.path().join("one.jsonl"));
    let e = entry();
    c.bench_function("audit: append one entry", |b| b.iter(|| audit::append(&cfg, e.clone()).unwrap()));

    let mut group = c.benchmark_group("audit: 8 writers x 200 entries");
    group.sample_size(10);
    let cfg = config(&dir.path().join("parallel.jsonl"));
    group.bench_function("append", |b| {
        b.iter(|| {
            std::thread::scope(|s| {
                for _ in 0..8 {
                    s.spawn(|| {
                        for _ in 0..200 {
                            audit::append(&cfg, e.clone()).unwrap();
                        }
                    });
                }
            })
        })
    });
    group.finish();

    let path = dir.path().join("verify.jsonl");
    let cfg = config(&path);
    for _ in 0..10_000 {
        audit::append(&cfg, e.clone()).unwrap();
    }
    let mut group = c.benchmark_group("audit: verify");
    group.sample_size(10);
    group.bench_function("10000 entries", |b| b.iter(|| black_box(audit::verify(&path, None).unwrap())));
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
