//! Choosing and rendering entries for `guard log`. Pure: the clock and time zone come in as
//! arguments.

use jiff::tz::TimeZone;
use jiff::{Span, SpanTotal, Timestamp, Unit};

use super::entry::{Entry, Line, Recovery};
use crate::explain::clip;
use crate::policy::Decision;

/// Which entries to show; every condition given must hold.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub decision: Option<Decision>,
    /// Exact, ignoring case.
    pub agent: Option<String>,
    pub since: Option<Timestamp>,
    /// A substring of the command, a program or a rule id (case matters, as with grep).
    pub grep: Option<String>,
}

impl Filter {
    pub fn matches(&self, e: &Entry) -> bool {
        if self.decision.is_some_and(|d| d != e.decision) {
            return false;
        }
        if self.agent.as_ref().is_some_and(|a| !a.eq_ignore_ascii_case(&e.agent)) {
            return false;
        }
        if !self.recent(&e.time) {
            return false;
        }
        if let Some(g) = &self.grep {
            let hit = e.command.contains(g.as_str())
                || e.plan.programs.iter().any(|p| p.contains(g.as_str()))
                || e.rules.iter().any(|r| r.contains(g.as_str()));
            if !hit {
                return false;
            }
        }
        true
    }

    /// Whether a line of the log passes. A recovery line has no decision, agent or command, so
    /// it is shown unless one of those is asked for.
    pub fn matches_line(&self, line: &Line) -> bool {
        match line {
            Line::Entry(e) => self.matches(e),
            Line::Recovery(r) => {
                self.decision.is_none() && self.agent.is_none() && self.grep.is_none() && self.recent(&r.time)
            }
        }
    }

    /// Whether `time` is not before `since`; a time that cannot be read is shown rather than hidden.
    fn recent(&self, time: &str) -> bool {
        self.since.is_none_or(|since| !time.parse::<Timestamp>().is_ok_and(|t| t < since))
    }
}

/// `--since`: an RFC 3339 time (`2026-04-01T09:00:00Z`, `…+02:00`) or a time ago (`90s`,
/// `15m`, `2h`, `3d`, `1w`, `2 hours 30 minutes`); days and weeks count as 24 hours and 7 days.
pub fn parse_since(text: &str, now: Timestamp) -> Result<Timestamp, String> {
    let text = text.trim();
    if let Ok(t) = text.parse::<Timestamp>() {
        return Ok(t);
    }
    let bad = || {
        format!(
            "--since {text:?} is neither a time ago (15m, 2h, 3d, 1w) nor an RFC 3339 time \
             (2026-04-01T09:00:00Z); give one of those"
        )
    };
    let span: Span = text.parse().map_err(|_| bad())?;
    let seconds = span.total(SpanTotal::from(Unit::Second).days_are_24_hours()).map_err(|_| bad())?;
    if !seconds.is_finite() || seconds < 0.0 {
        return Err(bad());
    }
    now.checked_sub(jiff::SignedDuration::from_secs_f64(seconds)).map_err(|_| bad())
}

/// How many hex digits of an entry's hash `guard log` shows to name it (`guard log show`
/// takes any unique start of at least six).
pub const SHORT_HASH: usize = 8;

/// The start of `hash` that names its entry to a person.
pub fn short_hash(hash: &str) -> &str {
    hash.get(..SHORT_HASH).unwrap_or(hash)
}

/// One line of the log for a person, entry or recovery.
pub fn render(line: &Line, tz: &TimeZone) -> String {
    match line {
        Line::Entry(e) => render_line(e, tz),
        Line::Recovery(r) => render_recovery(r, tz),
    }
}

fn local_time(time: &str, tz: &TimeZone) -> String {
    match time.parse::<Timestamp>() {
        Ok(t) => t.to_zoned_datetime(tz.clone()).strftime("%Y-%m-%d %H:%M:%S").to_string(),
        Err(_) => clip(time, 19),
    }
}

/// A recovery line in the columns of an entry: `recovery` as the outcome, `guard` as the
/// agent, and what it sealed off in place of the command.
pub fn render_recovery(r: &Recovery, tz: &TimeZone) -> String {
    let what = if r.torn.cut_short { "was cut short" } else { "was not a sealed entry" };
    format!(
        "{:<SHORT_HASH$}  {}  {:<21} {:<8} {:>4}  (the line before {what}, {} bytes; sealed off here)",
        short_hash(&r.hash),
        local_time(&r.time, tz),
        "recovery",
        "guard",
        "-",
        r.torn.bytes
    )
}

/// One line for a person: short hash, local time, decision/action, agent, exit status, command.
pub fn render_line(e: &Entry, tz: &TimeZone) -> String {
    let time = local_time(&e.time, tz);
    let outcome = format!("{}/{}", e.decision.as_str(), e.action.as_str());
    let exit = e.exit.map_or_else(|| "-".to_string(), |c| c.to_string());
    format!(
        "{:<SHORT_HASH$}  {time}  {outcome:<21} {:<8} {exit:>4}  {}",
        short_hash(&e.hash),
        clip(&e.agent, 8),
        clip(&e.command, 100)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::entry::{Action, PlanSummary};

    fn entry() -> Entry {
        Entry {
            time: "2026-03-01T12:00:00.000Z".into(),
            user: "u".into(),
            uid: 1,
            user_claimed: None,
            host: "h".into(),
            pid: 1,
            cwd: "/".into(),
            agent: "claude".into(),
            session_id: None,
            tool_use_id: None,
            face: "hook:claude".into(),
            command: "git push --force origin main".into(),
            command_bytes: None,
            plan: PlanSummary { programs: vec!["git push".into()], commands: 1, ..Default::default() },
            decision: Decision::Deny,
            action: Action::Refused,
            rules: vec!["git.force-push-protected".into()],
            approval_id: None,
            approver: None,
            exit: None,
            duration_ms: None,
            recording: None,
            contained: None,
            out_of_scope: Vec::new(),
            prev: String::new(),
            hash: String::new(),
        }
    }

    #[test]
    fn filters() {
        let t = |s: &str| s.parse::<Timestamp>().unwrap();
        let e = entry();
        for (filter, want) in [
            (Filter::default(), true),
            (Filter { decision: Some(Decision::Deny), ..Default::default() }, true),
            (Filter { decision: Some(Decision::Allow), ..Default::default() }, false),
            (Filter { agent: Some("Claude".into()), ..Default::default() }, true),
            (Filter { agent: Some("codex".into()), ..Default::default() }, false),
            (Filter { since: Some(t("2026-03-01T11:59:59Z")), ..Default::default() }, true),
            (Filter { since: Some(t("2026-03-01T12:00:00Z")), ..Default::default() }, true),
            (Filter { since: Some(t("2026-03-01T12:00:01Z")), ..Default::default() }, false),
            (Filter { grep: Some("--force".into()), ..Default::default() }, true),
            (Filter { grep: Some("force-push".into()), ..Default::default() }, true),
            (Filter { grep: Some("FORCE".into()), ..Default::default() }, false),
            (Filter { grep: Some("force".into()), agent: Some("codex".into()), ..Default::default() }, false),
        ] {
            assert_eq!(filter.matches(&e), want, "{filter:?}");
        }
    }

    #[test]
    fn since_takes_a_time_or_a_time_ago() {
        let now: Timestamp = "2026-03-10T12:00:00Z".parse().unwrap();
        for (text, want) in [
            ("90s", "2026-03-10T11:58:30Z"),
            ("15m", "2026-03-10T11:45:00Z"),
            ("2h", "2026-03-10T10:00:00Z"),
            ("3d", "2026-03-07T12:00:00Z"),
            ("1w", "2026-03-03T12:00:00Z"),
            ("2 hours 30 minutes", "2026-03-10T09:30:00Z"),
            ("2026-03-01T09:00:00Z", "2026-03-01T09:00:00Z"),
            ("2026-03-01T09:00:00+02:00", "2026-03-01T07:00:00Z"),
        ] {
            assert_eq!(parse_since(text, now), Ok(want.parse().unwrap()), "{text}");
        }
        for bad in ["", "yesterday", "2 months", "-3h", "2026-13-01"] {
            let err = parse_since(bad, now).unwrap_err();
            assert!(err.contains("give one of those"), "{bad}: {err}");
        }
    }

    #[test]
    fn a_rendered_line_has_time_outcome_agent_status_and_command() {
        let mut e = entry();
        e.hash = "5be0c1f2".repeat(8);
        let line = render_line(&e, &TimeZone::UTC);
        assert_eq!(
            line,
            "5be0c1f2  2026-03-01 12:00:00  deny/refused          claude      -  git push --force origin main"
        );
        e.exit = Some(130);
        e.command = format!("echo {}\nls", "x".repeat(200));
        let line = render_line(&e, &TimeZone::UTC);
        assert!(line.contains(" 130  echo xxx"), "{line}");
        assert!(line.ends_with('…') && !line.contains('\n'), "{line}");
    }

    #[test]
    fn a_recovery_line_shows_in_the_columns_and_only_when_no_entry_field_is_asked_for() {
        let mut r = Recovery::of(b"{\"act", false);
        r.time = "2026-03-01T12:00:00.000Z".into();
        r.hash = "0a1b2c3d".repeat(8);
        let line = Line::Recovery(r);
        assert_eq!(
            render(&line, &TimeZone::UTC),
            "0a1b2c3d  2026-03-01 12:00:00  recovery              guard       -  (the line before was cut short, 5 \
             bytes; sealed off here)"
        );
        let t = |s: &str| s.parse::<Timestamp>().unwrap();
        for (filter, want) in [
            (Filter::default(), true),
            (Filter { since: Some(t("2026-03-01T11:00:00Z")), ..Default::default() }, true),
            (Filter { since: Some(t("2026-03-01T13:00:00Z")), ..Default::default() }, false),
            (Filter { decision: Some(Decision::Deny), ..Default::default() }, false),
            (Filter { agent: Some("guard".into()), ..Default::default() }, false),
            (Filter { grep: Some("cut".into()), ..Default::default() }, false),
        ] {
            assert_eq!(filter.matches_line(&line), want, "{filter:?}");
        }
        assert!(Filter::default().matches_line(&Line::Entry(Box::new(entry()))));
    }
}
