//! `guard log`: show recent entries, follow new ones, verify the chain.

use std::io::{IsTerminal, Read, Seek, SeekFrom, Write};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::{Args, Subcommand};
use jiff::tz::TimeZone;
use jiff::Timestamp;

use super::entry::Line;
use super::query::{self, Filter};
use super::{AuditConfig, Reached};
use crate::policy::testing::parse_decision;
use crate::record::{asciicast, replay};

#[derive(Debug, Args)]
#[command(
    after_help = "Exit status: 0 success, 1 the chain is broken or the --head not reached (verify), 2 usage or read \
                  error."
)]
pub struct LogArgs {
    #[command(subcommand)]
    pub action: Option<LogAction>,
    /// Show the last N matching entries.
    #[arg(short = 'n', long = "lines", value_name = "N", default_value_t = 20)]
    pub lines: usize,
    /// Print the entries as they are stored: one JSON object per line.
    #[arg(long)]
    pub json: bool,
    /// Only entries with this decision.
    #[arg(long, value_parser = ["allow", "ask", "deny"])]
    pub decision: Option<String>,
    /// Only entries from this agent (`claude`, `codex`, `human`, …).
    #[arg(long, value_name = "NAME")]
    pub agent: Option<String>,
    /// Only entries from this long ago (`15m`, `2h`, `3d`) or since this RFC 3339 time.
    #[arg(long, value_name = "WHEN")]
    pub since: Option<String>,
    /// Only entries whose command, programs or rule ids contain TEXT.
    #[arg(long, value_name = "TEXT")]
    pub grep: Option<String>,
    /// Keep printing entries as they are appended (until interrupted or the reader goes away).
    #[arg(short = 'f', long)]
    pub follow: bool,
    /// Read this log instead of the one guard writes.
    #[arg(long, value_name = "PATH", global = true)]
    pub file: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum LogAction {
    /// Check the hash chain of every line: print each break (its line and why), then the entry
    /// count and the head hash. A break does not stop the check, so later ones are found too.
    ///
    /// Lines cut off the end cannot be detected by the chain alone: keep the head hash
    /// elsewhere and check with --head that the log still reaches it, or send entries to
    /// syslog.
    Verify(VerifyArgs),
    /// Show one entry in full, and replay what its command showed when it was recorded
    /// (`--record`, `GUARD_RECORD=1`).
    ///
    /// At a terminal the recording plays with its timing; with --print, or when the output is
    /// not a terminal, the recorded output is printed at once.
    Show(ShowArgs),
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// Also check that the log still reaches HASH, a head printed by an earlier verify: a line
    /// in its place carries it and every line after chains on from it. Fails when lines were
    /// cut off the end or the log was replaced. A unique start of at least 12 hex digits will
    /// do.
    #[arg(long, value_name = "HASH", value_parser = head_hash)]
    pub head: Option<String>,
}

/// The fewest hex digits `--head` takes: enough that no forged line could match by chance.
const MIN_HEAD: usize = 12;

fn head_hash(text: &str) -> Result<String, String> {
    let hash = text.trim().to_ascii_lowercase();
    if (MIN_HEAD..=64).contains(&hash.len()) && hash.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(hash)
    } else {
        Err(format!(
            "{text:?} is not a head hash: give the 64 hex digits `guard log verify` printed, or at least \
             the first {MIN_HEAD}"
        ))
    }
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The entry: at least six hex digits from the start of its hash (the first column of
    /// `guard log`).
    pub id: String,
    /// Print the recorded output without its timing, even at a terminal.
    #[arg(long)]
    pub print: bool,
    /// Replay this many times faster (0.5 is half speed).
    #[arg(long, value_name = "X", default_value_t = 1.0, value_parser = positive)]
    pub speed: f64,
    /// Shorten every pause in the replay to at most this many seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 2.0, value_parser = positive)]
    pub idle_limit: f64,
    /// Print one JSON object: `entry` (every field as read from the log; `guard log --json`
    /// prints the stored lines themselves), and `recorded_output` (the text the command showed,
    /// or null when nothing was recorded) with `recorded_size` (`COLSxROWS`).
    #[arg(long, conflicts_with_all = ["print", "speed", "idle_limit"])]
    pub json: bool,
}

fn positive(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(v) if v.is_finite() && v > 0.0 => Ok(v),
        _ => Err(format!("{text:?} is not a positive number")),
    }
}

/// Run `guard log`, writing to `out`; returns the exit status.
pub fn run(host: &crate::host::Host, args: &LogArgs, out: &mut dyn Write) -> u8 {
    let path = match &args.file {
        Some(p) => p.clone(),
        None => match AuditConfig::from_settings(&crate::judge::load_policy(host).settings, host).log_path() {
            Ok(p) => p,
            Err(e) => {
                eprintln!("guard log: {e}");
                return 2;
            }
        },
    };
    match &args.action {
        Some(LogAction::Verify(v)) => return verify(&path, v.head.as_deref(), out),
        Some(LogAction::Show(show)) => return show_entry(show, &path, out),
        None => {}
    }
    let filter = match filter(args) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("guard log: {e}");
            return 2;
        }
    };
    let result = show(args, &filter, &path, out);
    match result {
        Ok(()) => 0,
        // The reader went away (`guard log | head`): nothing more to do.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => 0,
        Err(e) => {
            eprintln!(
                "guard log: cannot read or print the audit log {}: {e}; check the path and permissions",
                path.display()
            );
            2
        }
    }
}

/// `guard log verify`: every break, one line each, then the count and head, then whether
/// `head` was reached. 0 when all is well, 1 when anything is broken or not reached.
fn verify(path: &Path, head: Option<&str>, out: &mut dyn Write) -> u8 {
    let report = match super::verify(path, head) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("guard log verify: {e}");
            return 2;
        }
    };
    let noun = if report.entries == 1 { "entry" } else { "entries" };
    let state = match report.breaks.len() {
        0 => "chain intact".to_string(),
        1 => "1 break".to_string(),
        n => format!("{n} breaks"),
    };
    let mut text = String::new();
    for b in &report.breaks {
        text.push_str(&format!("{b}\n"));
    }
    text.push_str(&format!("{} {noun}, {state}, head {}\n", report.entries, report.head));
    let mut code = if report.breaks.is_empty() { 0 } else { 1 };
    match (&report.reached, head) {
        (Some(Reached::Yes { line: 0, hash }), _) => {
            text.push_str(&format!("reached head {hash}: the start of the log, and no break since\n"))
        }
        (Some(Reached::Yes { line, hash }), _) => {
            text.push_str(&format!("reached head {hash} at line {line}; every line after it chains on from it\n"))
        }
        (Some(Reached::Missing), Some(want)) => {
            code = 1;
            text.push_str(&format!(
                "head {want} not reached: no line in its place carries it; lines were cut off the end, or \
                 the log was replaced\n"
            ));
        }
        (Some(Reached::CutAfter { line, hash, at }), _) => {
            code = 1;
            text.push_str(&format!(
                "head {hash} not reached: line {line} carries it, but the chain is cut after it, at line {at}\n"
            ));
        }
        (Some(Reached::Ambiguous(hashes)), Some(want)) => {
            eprintln!(
                "guard log verify: the hashes of {} lines start with {want} ({}); give more digits",
                hashes.len(),
                hashes.join(", ")
            );
            return 2;
        }
        _ => {}
    }
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => code,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => code,
        Err(e) => {
            eprintln!("guard log verify: cannot print: {e}");
            2
        }
    }
}

/// `guard log show`: the entry, then its recording if it has one.
fn show_entry(args: &ShowArgs, path: &Path, out: &mut dyn Write) -> u8 {
    let tz = TimeZone::system();
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            eprintln!("guard log show: nothing recorded yet ({} does not exist)", path.display());
            return 2;
        }
        Err(e) => {
            eprintln!("guard log show: cannot read the audit log {}: {e}; check its permissions", path.display());
            return 2;
        }
    };
    let entry = match super::show::find(&bytes, &args.id) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("guard log show: {}", e.message(&tz));
            return 2;
        }
    };
    if args.json {
        return match show_json(&entry, out) {
            Ok(code) => code,
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => 0,
            Err(e) => {
                eprintln!("guard log show: cannot print: {e}");
                2
            }
        };
    }
    let result = (|| -> std::io::Result<u8> {
        out.write_all(super::show::render(&entry, &tz).as_bytes())?;
        out.flush()?;
        match entry.recording() {
            Some(recording) => replay(args, Path::new(recording), out),
            None => Ok(0),
        }
    })();
    match result {
        Ok(code) => code,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => 0,
        Err(e) => {
            eprintln!("guard log show: cannot print: {e}");
            2
        }
    }
}

/// `guard log show --json`: the entry and what its recording showed, as one object. A
/// recording that cannot be read is reported as in the text form, with null output; a
/// recovery line has none.
fn show_json(entry: &Line, out: &mut dyn Write) -> std::io::Result<u8> {
    let cast = entry.recording().map(|p| load_cast(Path::new(p)));
    let (output, size) = match &cast {
        Some(Some(c)) => (Some(replay::output_text(c)), Some(format!("{}x{}", c.header.width, c.header.height))),
        _ => (None, None),
    };
    let object = serde_json::json!({ "entry": entry, "recorded_output": output, "recorded_size": size });
    writeln!(out, "{object}")?;
    out.flush()?;
    Ok(if matches!(cast, Some(None)) { 2 } else { 0 })
}

/// The recording at `path`, or `None` after saying on stderr why it cannot be had.
fn load_cast(path: &Path) -> Option<asciicast::Cast> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            eprintln!(
                "guard log show: the recording {} is missing (moved or deleted since); the entry is all \
                 there is",
                path.display()
            );
            return None;
        }
        Err(e) => {
            eprintln!("guard log show: cannot read the recording {}: {e}; check its permissions", path.display());
            return None;
        }
    };
    match asciicast::parse(&text) {
        Ok(c) => Some(c),
        Err(e) => {
            eprintln!(
                "guard log show: the recording {} cannot be read ({e}); it may have been cut short",
                path.display()
            );
            None
        }
    }
}

/// Play the recording at `path` to a terminal, or print what it showed.
fn replay(args: &ShowArgs, path: &Path, out: &mut dyn Write) -> std::io::Result<u8> {
    let Some(cast) = load_cast(path) else { return Ok(2) };
    let size = format!("{}x{}", cast.header.width, cast.header.height);
    let shown = replay::output_text(&cast);
    if args.print || !std::io::stdout().is_terminal() {
        writeln!(out, "--- recorded output ({size}) ---")?;
        out.write_all(shown.as_bytes())?;
    } else {
        let steps = replay::schedule(&cast, args.speed, Some(args.idle_limit));
        let secs = replay::length(&steps).as_secs_f64();
        writeln!(out, "--- replaying {secs:.1} s recorded at {size} (Ctrl-C stops) ---")?;
        out.flush()?;
        replay::play(&steps, out)?;
        // Whatever colours the recording left set end with it.
        write!(out, "\x1b[0m")?;
    }
    if !shown.ends_with('\n') {
        writeln!(out)?;
    }
    writeln!(out, "--- end of recording ---")?;
    out.flush()?;
    Ok(0)
}

fn show(args: &LogArgs, filter: &Filter, path: &Path, out: &mut dyn Write) -> std::io::Result<()> {
    let tz = TimeZone::system();
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && args.follow => Vec::new(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            eprintln!("guard log: nothing recorded yet ({} does not exist)", path.display());
            return Ok(());
        }
        Err(e) => return Err(e),
    };
    // Only whole lines; a line still being written is picked up by --follow.
    let whole = bytes.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    let mut picked: Vec<(usize, &[u8])> = Vec::new();
    if args.lines > 0 {
        let lines: Vec<&[u8]> = bytes[..whole].split(|&b| b == b'\n').collect();
        // The last element is the empty remainder after the final newline.
        for (i, line) in lines.iter().enumerate().rev().skip(1) {
            if keep(line, i + 1, filter) {
                picked.push((i + 1, line));
                if picked.len() == args.lines {
                    break;
                }
            }
        }
    }
    for (n, line) in picked.into_iter().rev() {
        print(out, line, n, args.json, &tz)?;
    }
    out.flush()?;
    if args.follow {
        let first_line = bytes[..whole].iter().filter(|&&b| b == b'\n').count() + 1;
        follow(path, whole as u64, first_line, filter, args.json, &tz, out)?;
    }
    Ok(())
}

fn filter(args: &LogArgs) -> Result<Filter, String> {
    Ok(Filter {
        decision: args.decision.as_deref().and_then(parse_decision),
        agent: args.agent.clone(),
        since: args.since.as_deref().map(|s| query::parse_since(s, Timestamp::now())).transpose()?,
        grep: args.grep.clone(),
    })
}

/// Whether line `n` passes the filter; a line that cannot be read is reported and skipped.
fn keep(line: &[u8], n: usize, filter: &Filter) -> bool {
    match Line::parse(line) {
        Ok(l) => filter.matches_line(&l),
        Err(e) => {
            eprintln!("guard log: line {n} is not a readable entry ({e}); `guard log verify` checks the log");
            false
        }
    }
}

fn print(out: &mut dyn Write, line: &[u8], n: usize, json: bool, tz: &TimeZone) -> std::io::Result<()> {
    if json {
        out.write_all(line)?;
        return out.write_all(b"\n");
    }
    match Line::parse(line) {
        Ok(l) => writeln!(out, "{}", query::render(&l, tz)),
        Err(_) => writeln!(out, "(line {n} unreadable)"),
    }
}

/// How often `--follow` looks for new lines.
const POLL: Duration = Duration::from_millis(200);

/// Print lines appended after byte `offset` (line `n`) until the reader goes away. A log that
/// shrinks or is replaced (rotation) is read again from its start.
fn follow(
    path: &Path,
    mut offset: u64,
    mut n: usize,
    filter: &Filter,
    json: bool,
    tz: &TimeZone,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let mut identity = std::fs::metadata(path).ok().map(|m| (m.dev(), m.ino()));
    let mut pending: Vec<u8> = Vec::new();
    loop {
        if reader_gone() {
            return Ok(());
        }
        std::thread::sleep(POLL);
        let Ok(meta) = std::fs::metadata(path) else { continue };
        let id = Some((meta.dev(), meta.ino()));
        if id != identity || meta.len() < offset {
            identity = id;
            offset = 0;
            n = 1;
            pending.clear();
        }
        if meta.len() == offset {
            continue;
        }
        let mut f = std::fs::File::open(path)?;
        f.seek(SeekFrom::Start(offset))?;
        let read = f.take(meta.len() - offset).read_to_end(&mut pending)?;
        offset += read as u64;
        let whole = pending.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        if whole > 0 {
            for line in pending[..whole - 1].split(|&b| b == b'\n') {
                if keep(line, n, filter) {
                    print(out, line, n, json, tz)?;
                }
                n += 1;
            }
            pending.drain(..whole);
        }
        out.flush()?;
    }
}

/// True when standard output is a pipe whose reader has closed it: there is no one left to
/// print for, even when no new line has come to make a write fail.
fn reader_gone() -> bool {
    use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
    let stdout = std::io::stdout();
    let mut fds = [PollFd::new(std::os::fd::AsFd::as_fd(&stdout), PollFlags::empty())];
    matches!(poll(&mut fds, PollTimeout::ZERO), Ok(n) if n > 0)
        && fds[0].revents().is_some_and(|r| r.intersects(PollFlags::POLLERR | PollFlags::POLLHUP))
}
