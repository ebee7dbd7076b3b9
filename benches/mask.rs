//! Masking throughput against plain passthrough, through the loop the runner uses: read a
//! pipe in 64 KiB chunks, (mask,) write to an output file. The same 16 MiB of realistic
//! output (logs, code, JSON, prose, URLs, the odd env dump and secret) goes through both.

#![allow(clippy::unwrap_used)] // a test fails loudly on what it did not expect

use std::fs::File;
use std::io::{Read, Write};
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use guard::mask::Masker;

#[path = "support/text.rs"]
mod text;
use text::realistic_text;

const CHUNK: usize = 64 << 10;

/// Reads everything the writer thread pushes into a pipe and writes it to /dev/null,
/// masking each chunk first when given a masker.
fn pump(text: &'static [u8], mut masker: Option<Masker<'_>>) -> usize {
    let (mut reader, mut writer) = std::io::pipe().expect("a pipe");
    let feeder = std::thread::spawn(move || {
        writer.write_all(text).expect("the reader drains the pipe");
    });
    let mut sink = File::create("/dev/null").expect("/dev/null opens");
    let mut buf = vec![0u8; CHUNK];
    let mut out = Vec::with_capacity(CHUNK * 2);
    let mut total = 0;
    loop {
        let n = reader.read(&mut buf).expect("the pipe reads");
        if n == 0 {
            break;
        }
        total += n;
        match masker.as_mut() {
            None => sink.write_all(&buf[..n]).expect("/dev/null takes everything"),
            Some(m) => {
                out.clear();
                m.feed(&buf[..n], &mut out);
                sink.write_all(&out).expect("/dev/null takes everything");
            }
        }
    }
    if let Some(m) = masker {
        out.clear();
        m.finish(&mut out);
        sink.write_all(&out).expect("/dev/null takes everything");
    }
    feeder.join().expect("the feeder finishes");
    total
}

fn bench(c: &mut Criterion) {
    let text: &'static [u8] = Box::leak(realistic_text().into_boxed_slice());
    let detectors = guard_rules::detectors();
    Masker::new(detectors); // compile outside the measurement
    let mut g = c.benchmark_group("mask 16 MiB");
    g.throughput(Throughput::Bytes(text.len() as u64));
    g.sample_size(20).measurement_time(Duration::from_secs(15));
    g.bench_function("passthrough", |b| b.iter(|| pump(text, None)));
    g.bench_function("masked", |b| b.iter(|| pump(text, Some(Masker::new(detectors)))));
    g.finish();

    // Where the time goes, without the pipe: copying each chunk, and masking it.
    let mut g = c.benchmark_group("mask 16 MiB in memory");
    g.throughput(Throughput::Bytes(text.len() as u64));
    g.sample_size(20).measurement_time(Duration::from_secs(10));
    let mut out = Vec::with_capacity(CHUNK * 2);
    g.bench_function("copy", |b| {
        b.iter(|| {
            for chunk in text.chunks(CHUNK) {
                out.clear();
                out.extend_from_slice(chunk);
                std::hint::black_box(&out);
            }
        })
    });
    g.bench_function("masked", |b| {
        b.iter(|| {
            let mut m = Masker::new(detectors);
            for chunk in text.chunks(CHUNK) {
                out.clear();
                m.feed(chunk, &mut out);
                std::hint::black_box(&out);
            }
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
