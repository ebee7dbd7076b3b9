//! The text the masking benchmark pushes through: a deterministic mix of the output a coding
//! agent's commands produce.

pub const SIZE: usize = 16 << 20;

/// A deterministic mix of the output a coding agent's commands produce.
pub fn realistic_text() -> Vec<u8> {
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    // Ordinary words, with the few that also trigger detectors at about the rate they turn up.
    let words = [
        "the",
        "request",
        "failed",
        "after",
        "retry",
        "build",
        "cache",
        "module",
        "value",
        "index",
        "user",
        "server",
        "returned",
        "queue",
        "worker",
        "started",
        "finished",
        "config",
        "loaded",
        "from",
        "file",
        "not",
        "found",
        "with",
        "for",
        "and",
        "error",
        "warning",
        "compiling",
        "version",
        "update",
        "check",
        "running",
        "test",
        "result",
        "ok",
        "handler",
        "connection",
        "closed",
        "timeout",
        "response",
        "body",
        "header",
        "status",
        "message",
        "event",
        "stream",
        "buffer",
        "read",
        "write",
        "open",
        "path",
        "directory",
        "created",
        "deleted",
        "skipped",
        "upstream",
        "branch",
        "commit",
        "merge",
        "tree",
        "node",
        "pod",
        "service",
        "deployment",
        "image",
        "layer",
        "pull",
        "push",
        "tag",
        "release",
        "debug",
        "trace",
        "span",
        "metric",
        "count",
        "total",
        "elapsed",
        "passed",
        "tokens",
        "keys",
        "session",
        "login",
        "account",
        "schema",
        "table",
        "column",
        "query",
        "row",
    ];
    let mut out = Vec::with_capacity(SIZE + 4096);
    let mut n = 0u64;
    while out.len() < SIZE {
        n += 1;
        let r = next();
        let w = |i: u64| words[(i % words.len() as u64) as usize];
        let line = match r % 100 {
            0..=34 => format!(
                "2024-05-01T12:{:02}:{:02}.{:03}Z INFO  request_id={:016x} method=GET path=/api/v1/items/{} status=200 duration_ms={}\n",
                r % 60, (r >> 8) % 60, (r >> 16) % 1000, next(), r % 10_000, r % 500
            ),
            35..=54 => format!("    let {} = {}(&{}, {})?; // {} {}\n", w(r), w(r >> 5), w(r >> 10), r % 100, w(r >> 15), w(r >> 20)),
            55..=69 => format!(
                "{{\"id\": {}, \"name\": \"{}-{}\", \"tags\": [\"{}\", \"{}\"], \"created\": \"2024-05-01\"}}\n",
                r % 100_000, w(r), r % 1000, w(r >> 7), w(r >> 13)
            ),
            70..=84 => {
                let mut s = String::new();
                for i in 0..12 {
                    s.push_str(w(r >> (i * 4)));
                    s.push(' ');
                }
                s.push_str("done.\n");
                s
            }
            85..=92 => format!("commit {:016x}{:016x}{:08x}\nAuthor: Dev <dev@example.com>\n", next(), next(), r as u32),
            93..=98 => format!("  fetched https://registry.example.com/pkg/{}/{}.tar.gz ({} KiB)\n", w(r), r % 1000, r % 4096),
            _ if n.is_multiple_of(7) => format!("export SERVICE_TOKEN=tok{:016x}\n", next()),
            _ => format!("PATH=/usr/local/bin:/usr/bin HOME=/home/dev PWD=/home/dev/src/{}\n", w(r)),
        };
        out.extend_from_slice(line.as_bytes());
    }
    out
}
