//! Parse + resolve speed: per command over the tldr-pages corpus (or a built-in sample when the
//! corpus is absent), and for the largest real script at several sizes to show it scales
//! linearly. Run with `cargo bench --bench parse`.

#![allow(clippy::unwrap_used)] // a test fails loudly on what it did not expect

use std::path::Path;
use std::time::Instant;

use criterion::{criterion_group, BenchmarkId, Criterion, Throughput};
use guard::shell::{Analyzer, Env};

const SAMPLE: &[&str] = &[
    "git status",
    "ls -la ~/src",
    "cargo build --release",
    "rm -rf target/",
    "kubectl -n prod get pods -o wide",
    "find . -name '*.o' -exec rm {} +",
    "curl -fsSL https://example.com/install.sh | sh",
    "sudo -u postgres psql -c 'DROP TABLE users'",
    "tar -czf backup.tar.gz \"$HOME/Documents\"",
    "for f in *.txt; do wc -l \"$f\"; done",
];

fn corpus() -> Vec<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/tldr.tsv");
    match std::fs::read_to_string(&path) {
        Ok(text) => text.lines().skip(1).filter_map(|l| l.split('\t').nth(3)).map(str::to_string).collect(),
        Err(_) => {
            eprintln!("note: {} not found; using a built-in sample", path.display());
            SAMPLE.iter().map(|s| s.to_string()).collect()
        }
    }
}

fn largest_script() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/scripts/nvm/nvm.sh");
    std::fs::read_to_string(path).unwrap_or_else(|_| SAMPLE.join("\n").repeat(500))
}

/// Every command timed on its own: the distribution a user sees per command.
fn print_distribution(commands: &[String]) {
    let env = Env::new("/home/u", "/home/u/src");
    let mut analyzer = Analyzer::default();
    for c in commands.iter().take(2000) {
        analyzer.analyze(c, &env);
    }
    let mut times: Vec<f64> = Vec::with_capacity(commands.len());
    for c in commands {
        let t = Instant::now();
        let plan = analyzer.analyze(c, &env);
        times.push(t.elapsed().as_secs_f64() * 1e6);
        std::hint::black_box(plan);
    }
    times.sort_by(|a, b| a.total_cmp(b));
    let q = |p: f64| times[((times.len() - 1) as f64 * p) as usize];
    let total: f64 = times.iter().sum();
    eprintln!(
        "per command over {} commands: median {:.1} µs, p90 {:.1} µs, p99 {:.1} µs, max {:.1} µs; {:.0} commands/s on one core",
        times.len(),
        q(0.5),
        q(0.9),
        q(0.99),
        q(1.0),
        times.len() as f64 / (total / 1e6)
    );
}

fn bench_commands(c: &mut Criterion, commands: &[String]) {
    let env = Env::new("/home/u", "/home/u/src");
    let mut analyzer = Analyzer::default();
    let sample: Vec<&String> = commands.iter().step_by((commands.len() / 1000).max(1)).collect();
    let mut group = c.benchmark_group("commands");
    group.throughput(Throughput::Elements(sample.len() as u64));
    group.bench_function(BenchmarkId::new("tldr_sample", sample.len()), |b| {
        b.iter(|| {
            for cmd in &sample {
                std::hint::black_box(analyzer.analyze(cmd, &env));
            }
        })
    });
    for cmd in ["git status", "sudo -u deploy bash -c 'cd /srv/app && git pull && systemctl restart app'"] {
        group.throughput(Throughput::Elements(1));
        group.bench_with_input(BenchmarkId::new("one", cmd), cmd, |b, cmd| b.iter(|| analyzer.analyze(cmd, &env)));
    }
    group.finish();
}

fn bench_script(c: &mut Criterion) {
    let env = Env::new("/home/u", "/home/u/src");
    let mut analyzer = Analyzer::default();
    let script = largest_script();
    let mut group = c.benchmark_group("script");
    group.sample_size(20);
    for quarter in [1usize, 2, 4] {
        let mut cut = script.len() * quarter / 4;
        while cut < script.len() && !script.is_char_boundary(cut) {
            cut += 1;
        }
        let cut = script[..cut].rfind('\n').map(|p| p + 1).unwrap_or(cut);
        let part = &script[..cut];
        group.throughput(Throughput::Bytes(part.len() as u64));
        group.bench_with_input(BenchmarkId::new("nvm.sh_bytes", part.len()), part, |b, part| {
            b.iter(|| analyzer.analyze(part, &env))
        });
    }
    group.finish();
}

fn benches(c: &mut Criterion) {
    let commands = corpus();
    print_distribution(&commands);
    bench_commands(c, &commands);
    bench_script(c);
}

criterion_group!(parse, benches);

fn main() {
    parse();
    Criterion::default().configure_from_args().final_summary();
}
