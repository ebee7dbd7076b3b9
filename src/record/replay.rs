//! Showing a recording again: with its timing on a terminal (faster or slower, long pauses
//! shortened), or as plain output for a pipe or a file.

use std::io::{self, Write};
use std::time::Duration;

use super::asciicast::{Cast, EventKind};

/// One step of a replay: wait, then show `data`.
#[derive(Debug, Clone, PartialEq)]
pub struct Step<'a> {
    pub wait: Duration,
    pub data: &'a str,
}

/// The output events of `cast` with the waits between them: each gap divided by `speed`, and
/// none longer than `idle_limit` seconds (taken before the speed applies, as asciinema does).
/// `speed` must be positive; times that go back count as no wait.
pub fn schedule(cast: &Cast, speed: f64, idle_limit: Option<f64>) -> Vec<Step<'_>> {
    let mut steps = Vec::new();
    let mut last = 0.0;
    for e in cast.events.iter().filter(|e| e.kind == EventKind::Output) {
        let mut gap = (e.time - last).max(0.0);
        if let Some(limit) = idle_limit {
            gap = gap.min(limit);
        }
        last = e.time.max(last);
        let wait = Duration::try_from_secs_f64(gap / speed).unwrap_or(Duration::ZERO);
        steps.push(Step { wait, data: &e.data });
    }
    steps
}

/// Everything the recording showed, without timing.
pub fn output_text(cast: &Cast) -> String {
    cast.events.iter().filter(|e| e.kind == EventKind::Output).map(|e| e.data.as_str()).collect()
}

/// How long a replay of these steps takes.
pub fn length(steps: &[Step]) -> Duration {
    steps.iter().map(|s| s.wait).sum()
}

/// Plays `steps` to `out` in real time.
pub fn play(steps: &[Step], out: &mut dyn Write) -> io::Result<()> {
    for s in steps {
        if !s.wait.is_zero() {
            std::thread::sleep(s.wait);
        }
        out.write_all(s.data.as_bytes())?;
        out.flush()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::asciicast::parse;
    use super::*;

    const CAST: &str = "{\"version\": 2, \"width\": 80, \"height\": 24}\n\
        [0.5, \"o\", \"a\"]\n\
        [1.0, \"r\", \"100x30\"]\n\
        [1.5, \"o\", \"b\"]\n\
        [11.5, \"i\", \"typed\"]\n\
        [12.0, \"o\", \"c\"]\n\
        [11.0, \"o\", \"d\"]\n";

    #[test]
    fn waits_follow_speed_and_idle_limit() {
        let cast = parse(CAST).unwrap();
        let ms = |v: &[u64]| v.iter().map(|&n| Duration::from_millis(n)).collect::<Vec<_>>();
        for (speed, limit, want) in [
            (1.0, None, ms(&[500, 1000, 10_500, 0])),
            (2.0, None, ms(&[250, 500, 5_250, 0])),
            (1.0, Some(2.0), ms(&[500, 1000, 2_000, 0])),
            (4.0, Some(2.0), ms(&[125, 250, 500, 0])),
        ] {
            let steps = schedule(&cast, speed, limit);
            let waits: Vec<Duration> = steps.iter().map(|s| s.wait).collect();
            assert_eq!(waits, want, "speed {speed} limit {limit:?}");
            let data: Vec<&str> = steps.iter().map(|s| s.data).collect();
            assert_eq!(data, ["a", "b", "c", "d"], "only output, in file order");
            assert_eq!(length(&steps), want.iter().sum());
        }
    }

    #[test]
    fn printed_output_is_every_output_event_and_nothing_else() {
        let cast = parse(CAST).unwrap();
        assert_eq!(output_text(&cast), "abcd");
        let mut out = Vec::new();
        play(&schedule(&cast, 1000.0, Some(0.001)), &mut out).unwrap();
        assert_eq!(out, b"abcd");
    }
}
