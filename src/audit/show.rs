//! `guard log show ID`: finding one line of the log (an entry, or a recovery line) by the start
//! of its hash, and printing all of it for a person. Pure: the log's bytes and the time zone
//! come in as arguments.

use std::fmt::Write;

use jiff::tz::TimeZone;
use jiff::Timestamp;

use super::entry::{Entry, Line, Recovery};
use super::query;

/// The fewest hex digits of a hash accepted as an entry's id.
pub const MIN_PREFIX: usize = 6;

/// Why no single entry was found.
#[derive(Debug, Clone, PartialEq)]
pub enum FindError {
    /// Too short, or not hex.
    BadId(String),
    NotFound(String),
    /// Several lines' hashes start with the id (in log order).
    Ambiguous(String, Vec<Line>),
}

impl FindError {
    /// The message for a person: what happened and what to do.
    pub fn message(&self, tz: &TimeZone) -> String {
        match self {
            FindError::BadId(id) => format!(
                "{id:?} is not an entry id: give at least {MIN_PREFIX} hex digits of the entry's hash, as \
                 the first column of `guard log` shows"
            ),
            FindError::NotFound(id) => format!(
                "no entry's hash starts with {id}; `guard log` lists entries with their hashes (use \
                 --grep, --since or -n to find older ones)"
            ),
            FindError::Ambiguous(id, candidates) => {
                let mut s = format!("{} entries have a hash starting with {id}; give more digits:", candidates.len());
                for line in candidates {
                    let _ = write!(s, "\n  {}", query::render(line, tz));
                }
                s
            }
        }
    }
}

/// The one line in `log` (the log file's bytes) whose hash starts with `id`, in any case.
/// Lines that cannot be read are passed over (`guard log verify` is the place to report them).
pub fn find(log: &[u8], id: &str) -> Result<Line, FindError> {
    let prefix = id.trim().to_ascii_lowercase();
    if prefix.len() < MIN_PREFIX || !prefix.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(FindError::BadId(id.to_string()));
    }
    let mut found: Vec<Line> = log
        .split(|&b| b == b'\n')
        // A cheap look before parsing: the hash is in every line as text.
        .filter(|line| memchr::memmem::find(line, prefix.as_bytes()).is_some())
        .filter_map(|line| Line::parse(line).ok())
        .filter(|l| l.hash().starts_with(&prefix))
        .collect();
    match found.len() {
        0 => Err(FindError::NotFound(prefix)),
        1 => Ok(found.remove(0)),
        _ => Err(FindError::Ambiguous(prefix, found)),
    }
}

/// Every field of `line` that has a value, one per line, times in `tz`.
pub fn render(line: &Line, tz: &TimeZone) -> String {
    match line {
        Line::Entry(e) => render_entry(e, tz),
        Line::Recovery(r) => render_recovery(r, tz),
    }
}

fn local_time(time: &str, tz: &TimeZone) -> String {
    match time.parse::<Timestamp>() {
        Ok(t) => t.to_zoned_datetime(tz.clone()).strftime("%Y-%m-%d %H:%M:%S%.3f %:z").to_string(),
        Err(_) => time.to_string(),
    }
}

/// A recovery line, as a note on what it sealed off.
fn render_recovery(r: &Recovery, tz: &TimeZone) -> String {
    let found = if r.torn.cut_short {
        "was cut short (a crash, a killed writer or a full disk)"
    } else {
        "was not a sealed entry (garbage appended, or the line edited)"
    };
    let rows = [
        ("entry", r.hash.clone()),
        ("time", local_time(&r.time, tz)),
        (
            "recovery",
            format!(
                "the line before this one {found} when guard next wrote: {} bytes, SHA-256 {}; this \
                 entry seals it off and links the chain past it",
                r.torn.bytes, r.torn.sha256
            ),
        ),
        ("pid", r.pid.to_string()),
        ("prev", r.prev.clone()),
    ];
    table(&rows)
}

/// Every field of `e` that has a value.
fn render_entry(e: &Entry, tz: &TimeZone) -> String {
    let mut rows: Vec<(&str, String)> = Vec::new();
    rows.push(("entry", e.hash.clone()));
    rows.push(("time", local_time(&e.time, tz)));
    let mut command = e.command.clone();
    if let Some(n) = e.command_bytes {
        let _ = write!(command, "… (clipped; {n} bytes in all)");
    }
    rows.push(("command", command));
    rows.push(("decision", format!("{}, {}", e.decision.as_str(), e.action.as_str())));
    if !e.rules.is_empty() {
        rows.push(("rules", e.rules.join(", ")));
    }
    let mut agent = e.agent.clone();
    if let Some(s) = &e.session_id {
        let _ = write!(agent, ", session {s}");
    }
    if let Some(t) = &e.tool_use_id {
        let _ = write!(agent, ", tool call {t}");
    }
    rows.push(("agent", agent));
    rows.push(("face", e.face.clone()));
    let claimed = e.user_claimed.as_ref().map(|c| format!("; $USER said {c}, unconfirmed")).unwrap_or_default();
    rows.push(("user", format!("{} (uid {}{claimed}) on {}, pid {}", e.user, e.uid, e.host, e.pid)));
    rows.push(("cwd", e.cwd.clone()));
    let p = &e.plan;
    rows.push((
        "programs",
        format!(
            "{} (commands {}, nested {}, dynamic {}, unreadable parts {})",
            p.programs.join(", "),
            p.commands,
            p.nested,
            p.dynamic,
            p.issues
        ),
    ));
    match (&e.approval_id, &e.approver) {
        (None, None) => {}
        (id, who) => rows.push((
            "approval",
            format!("{} by {}", id.as_deref().unwrap_or("at the terminal"), who.as_deref().unwrap_or("nobody")),
        )),
    }
    match (e.exit, e.duration_ms) {
        (None, None) => {}
        (exit, ms) => rows.push((
            "exit",
            format!(
                "{}{}",
                exit.map_or_else(|| "-".to_string(), |c| c.to_string()),
                ms.map_or_else(String::new, |ms| format!(" after {}.{:03} s", ms / 1000, ms % 1000))
            ),
        )),
    }
    if let Some(r) = &e.recording {
        rows.push(("recording", r.clone()));
    }
    rows.push(("prev", e.prev.clone()));
    table(&rows)
}

/// Rows of name and value, the names in a column.
fn table(rows: &[(&str, String)]) -> String {
    let mut out = String::new();
    for (name, value) in rows {
        // A multi-line command stays under its column; what a terminal would act on (the
        // agent's command is the agent's text) is written out.
        let mut shown = String::with_capacity(value.len());
        for c in value.chars() {
            match c {
                '\n' => shown.push_str("\n           "),
                c => crate::visible::push_visible(&mut shown, c),
            }
        }
        let value = shown;
        let _ = writeln!(out, "{name:<10} {value}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::chain::{seal, GENESIS};
    use crate::audit::entry::{Action, PlanSummary};
    use crate::policy::Decision;

    fn entry(command: &str) -> Entry {
        Entry {
            time: "2026-03-01T12:00:00.250Z".into(),
            user: "me".into(),
            uid: 1000,
            user_claimed: None,
            host: "box".into(),
            pid: 4242,
            cwd: "/home/me/shop".into(),
            agent: "claude".into(),
            session_id: Some("s-1".into()),
            tool_use_id: None,
            face: "shell".into(),
            command: command.into(),
            command_bytes: None,
            plan: PlanSummary { programs: vec!["git push".into()], commands: 1, ..Default::default() },
            decision: Decision::Ask,
            action: Action::Ran,
            rules: vec!["git.force-push".into()],
            approval_id: Some("3f9a1c2e".into()),
            approver: Some("me".into()),
            exit: Some(0),
            duration_ms: Some(1234),
            recording: Some("/s/guard/recordings/x.cast".into()),
            contained: None,
            out_of_scope: Vec::new(),
            prev: String::new(),
            hash: String::new(),
        }
    }

    /// A sealed log of entries for these commands, and their hashes.
    fn log(commands: &[&str]) -> (Vec<u8>, Vec<String>) {
        let mut prev = GENESIS.to_string();
        let mut bytes = Vec::new();
        let mut hashes = Vec::new();
        for c in commands {
            let mut e = entry(c);
            bytes.extend_from_slice(seal(&mut e, &prev).as_bytes());
            bytes.push(b'\n');
            prev = e.hash.clone();
            hashes.push(e.hash);
        }
        (bytes, hashes)
    }

    #[test]
    fn an_entry_is_found_by_the_start_of_its_hash() {
        let (mut bytes, hashes) = log(&["ls", "make", "git push"]);
        bytes.extend_from_slice(b"not an entry\n");
        for (i, h) in hashes.iter().enumerate() {
            for id in [&h[..MIN_PREFIX], &h[..12], h.as_str(), &h[..8].to_ascii_uppercase()] {
                assert_eq!(find(&bytes, id).map(|l| l.hash().to_string()), Ok(h.clone()), "entry {i} by {id}");
            }
        }
    }

    #[test]
    fn ids_that_name_no_single_entry_are_errors() {
        let (bytes, hashes) = log(&["ls", "make"]);
        // Hashes forged to share a start: the lookup reads the hash field, not the chain.
        let twins = String::from_utf8(bytes.clone()).unwrap().replace(&hashes[1][..8], &hashes[0][..8]);
        let absent = if hashes.iter().any(|h| h.starts_with("000000")) { "ffffff" } else { "000000" };
        let cases: Vec<(&[u8], &str, &str)> = vec![
            (&bytes, "abc", "at least 6 hex digits"),
            (&bytes, "xyzxyzxyz", "at least 6 hex digits"),
            (&bytes, absent, "no entry's hash starts with"),
            (b"", &hashes[0][..8], "no entry's hash starts with"),
            (twins.as_bytes(), &hashes[0][..8], "2 entries have a hash starting with"),
        ];
        for (log, id, want) in cases {
            let err = find(log, id).unwrap_err();
            let msg = err.message(&TimeZone::UTC);
            assert!(msg.contains(want), "{id}: {msg}");
            if let FindError::Ambiguous(_, candidates) = &err {
                let commands: Vec<&str> = candidates
                    .iter()
                    .map(|l| match l {
                        Line::Entry(e) => e.command.as_str(),
                        Line::Recovery(_) => "a recovery",
                    })
                    .collect();
                assert_eq!(commands, ["ls", "make"]);
                assert!(msg.contains("  ls") && msg.contains("  make"), "candidates are listed: {msg}");
            }
        }
    }

    #[test]
    fn rendering_shows_every_field_that_has_a_value() {
        let mut e = entry("git push --force \\\n  origin main");
        e.hash = "ab".repeat(32);
        let text = render(&Line::Entry(Box::new(e.clone())), &TimeZone::UTC);
        for want in [
            &format!("entry      {}", "ab".repeat(32)),
            "time       2026-03-01 12:00:00.250 +00:00",
            "command    git push --force \\\n             origin main",
            "decision   ask, ran",
            "rules      git.force-push",
            "agent      claude, session s-1",
            "user       me (uid 1000) on box, pid 4242",
            "cwd        /home/me/shop",
            "programs   git push (commands 1, nested 0,",
            "approval   3f9a1c2e by me",
            "exit       0 after 1.234 s",
            "recording  /s/guard/recordings/x.cast",
        ] {
            assert!(text.contains(want), "{want:?} in\n{text}");
        }
        e.recording = None;
        e.approval_id = None;
        e.approver = None;
        e.rules.clear();
        let text = render(&Line::Entry(Box::new(e)), &TimeZone::UTC);
        for absent in ["recording", "approval", "rules"] {
            assert!(!text.contains(absent), "{absent} in\n{text}");
        }
    }

    #[test]
    fn a_recovery_line_is_found_and_shown_as_a_note() {
        let (mut bytes, hashes) = log(&["ls"]);
        bytes.extend_from_slice(b"{\"action\":\"ran\",\"ag\n");
        let mut r = Recovery::of(b"{\"action\":\"ran\",\"ag", false);
        bytes.extend_from_slice(crate::audit::chain::seal_recovery(&mut r, &hashes[0]).as_bytes());
        bytes.push(b'\n');
        let found = find(&bytes, &r.hash[..8]).unwrap();
        assert_eq!(found, Line::Recovery(r.clone()));
        let text = render(&found, &TimeZone::UTC);
        for want in [
            format!("entry      {}\n", r.hash),
            "recovery   the line before this one was cut short".to_string(),
            format!("19 bytes, SHA-256 {}", r.torn.sha256),
            format!("prev       {}\n", hashes[0]),
        ] {
            assert!(text.contains(&want), "{want:?} in\n{text}");
        }
        assert!(!text.contains("command"), "{text}");
    }
}
