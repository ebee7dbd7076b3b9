//! What the approval prompt shows, as text: the command with its offending parts marked, the
//! reasons, and the choices. Pure, so every look can be tested without a terminal.

use std::time::Duration;

use crossterm::style::{Attribute, Color, ContentStyle, Stylize};

use super::question::{Answer, PromptInfo, Question};
use crate::plan::Span;
use crate::policy::Decision;
pub use crate::visible::{inert_json, push_visible, shown, terminal_acts_on};

/// How much styling the terminal gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Look {
    /// Colours, bold and underline.
    Color,
    /// Bold and underline only (`NO_COLOR`).
    Mono,
    /// Plain text, offending parts marked with `^` on the line below (`TERM=dumb`).
    Plain,
}

impl Look {
    pub fn from_env(term: Option<&str>, no_color: Option<std::ffi::OsString>) -> Look {
        match term {
            None | Some("") | Some("dumb") => Look::Plain,
            _ if no_color.is_some_and(|v| !v.is_empty()) => Look::Mono,
            _ => Look::Color,
        }
    }

    fn paint(self, text: &str, style: ContentStyle) -> String {
        let style = match self {
            Look::Plain => return text.to_string(),
            Look::Mono => ContentStyle { foreground_color: None, background_color: None, ..style },
            Look::Color => style,
        };
        style.apply(text).to_string()
    }
}

fn bold() -> ContentStyle {
    ContentStyle::new().bold()
}

fn decision_style(d: Decision) -> ContentStyle {
    let color = match d {
        Decision::Deny => Color::Red,
        Decision::Ask => Color::Yellow,
        Decision::Allow => Color::Green,
    };
    ContentStyle::new().with(color).bold()
}

fn offending() -> ContentStyle {
    ContentStyle::new().with(Color::Red).bold().attribute(Attribute::Underlined)
}

const INDENT: &str = "  ";

/// Everything above the question line.
pub fn screen(info: &PromptInfo, look: Look, width: usize) -> String {
    let width = width.clamp(40, 160);
    let text_width = width - INDENT.len();
    let mut out = String::new();
    let heading = match &info.question {
        Question::Run { .. } => "guard: this command needs your approval".to_string(),
        Question::Approve { id, .. } => format!("guard: request {} is waiting for your approval", shown(id, NAME)),
        Question::Deny { id } => format!("guard: deny request {}?", shown(id, NAME)),
        Question::Override { .. } => "guard: your policy denies this command".to_string(),
    };
    out.push_str(&look.paint(&heading, bold()));
    out.push('\n');

    let spans: Vec<Span> = info.reasons.iter().filter_map(|r| r.span).collect();
    let (line, marks) = command_line(&info.command, &spans, text_width);
    out.push_str(INDENT);
    for (piece, hit) in line {
        if hit && look != Look::Plain {
            out.push_str(&look.paint(&piece, offending()));
        } else {
            out.push_str(&piece);
        }
    }
    out.push('\n');
    if look == Look::Plain && marks.contains('^') {
        out.push_str(INDENT);
        out.push_str(marks.trim_end());
        out.push('\n');
    }
    let mut whence = Vec::new();
    if let Some(cwd) = &info.cwd {
        whence.push(format!("in {}", clip_middle(&shown(cwd, PATH), text_width.saturating_sub(20))));
    }
    if let Some(agent) = &info.agent {
        whence.push(format!("asked by {}", shown(agent, PATH)));
    }
    if !whence.is_empty() {
        out.push_str(INDENT);
        out.push_str(&whence.join(", "));
        out.push('\n');
    }

    out.push('\n');
    if matches!(info.question, Question::Approve { .. } | Question::Deny { .. }) {
        // Not what the request says: guard's own judgement, under the policy of whoever decides.
        let said = if info.reasons.is_empty() {
            "Your policy allows it there, without asking."
        } else {
            "Your policy, where it would run:"
        };
        out.push_str(INDENT);
        out.push_str(&clip_end(said, text_width));
        out.push('\n');
    }
    for r in &info.reasons {
        let mark = if r.decision == Decision::Deny { "✗" } else { "?" };
        out.push_str(INDENT);
        out.push_str(&look.paint(mark, decision_style(r.decision)));
        out.push(' ');
        out.push_str(&look.paint(&shown(&r.rule, NAME), bold()));
        out.push_str(&format!(" ({})", look.paint(r.decision.as_str(), decision_style(r.decision))));
        out.push('\n');
        for l in wrap(&shown(&r.message.trim().replace('\n', " "), MESSAGE), text_width - 2) {
            out.push_str(INDENT);
            out.push_str("  ");
            out.push_str(&l);
            out.push('\n');
        }
        if let Some(span) = r.span {
            let part = info.command.get(span.start..span.end).unwrap_or("");
            if !part.is_empty() && part.trim() != info.command.trim() {
                out.push_str(&format!("{INDENT}  at: {}\n", one_line(&clip_middle(part, text_width - 6))));
            }
        }
    }
    out.push('\n');
    for (key, what) in choices(&info.question) {
        out.push_str(INDENT);
        out.push_str(&look.paint(key, bold()));
        out.push_str("  ");
        out.push_str(&clip_end(&what, text_width - key.len() - 2));
        out.push('\n');
    }
    out
}

/// The keys and what each does.
fn choices(q: &Question) -> Vec<(&'static str, String)> {
    match q {
        Question::Run { remember } => {
            let mut c = vec![("y", "run it once".to_string()), ("n", "refuse (also Enter, Esc, Ctrl-C)".to_string())];
            if let Some(p) = remember {
                c.push(("s", format!("allow for this session: {}", one_line(p))));
                c.push(("a", format!("always allow: {}", one_line(p))));
            }
            c
        }
        Question::Approve { expiry, .. } => vec![
            ("y", format!("approve: it may run once, as written, in that directory, within {}", minutes(*expiry))),
            ("n", "deny it (also Enter, Esc, Ctrl-C)".to_string()),
        ],
        Question::Deny { .. } => {
            vec![("y", "deny it".to_string()), ("n", "leave it waiting (also Enter, Esc, Ctrl-C)".to_string())]
        }
        Question::Override { word } => vec![
            (
                "type",
                format!(
                    "{} and Enter: run it this once, as written; the audit log records it as overridden",
                    shown(word, NAME)
                ),
            ),
            ("else", "refuse (Enter alone, Esc, Ctrl-C, anything else typed)".to_string()),
        ],
    }
}

/// The line that waits for the key.
pub fn question(info: &PromptInfo, look: Look, timeout: Duration) -> String {
    let (ask, keys) = match &info.question {
        Question::Run { remember: Some(_) } => ("Run it?", "[y/N/s/a]"),
        Question::Run { remember: None } => ("Run it?", "[y/N]"),
        Question::Approve { .. } => ("Approve it?", "[y/N]"),
        Question::Deny { .. } => ("Deny it?", "[y/N]"),
        Question::Override { word } => {
            let ask = format!("Type {} to run it once:", shown(word, NAME));
            return format!("{} ({} s) ", look.paint(&ask, bold()), timeout.as_secs());
        }
    };
    format!("{} {keys} ({} s) ", look.paint(ask, bold()), timeout.as_secs())
}

/// What is echoed after the key, ending the question line.
pub fn outcome(q: &Question, answer: Answer, timeout: Duration) -> String {
    let word = match (q, answer) {
        (_, Answer::TimedOut) => format!("no answer within {} s: nothing done", timeout.as_secs()),
        (_, Answer::Interrupted) => "interrupted: nothing done".to_string(),
        (_, Answer::NoTerminal) => "the terminal failed: nothing done".to_string(),
        (_, Answer::NotTyped) => {
            "refused: the confirmation came in faster than anyone types (pasted, or sent by a program); type it \
             key by key"
                .to_string()
        }
        (Question::Override { .. }, Answer::Yes) => "confirmed: running it once".to_string(),
        (Question::Override { .. }, _) => "refused: nothing run".to_string(),
        (Question::Run { .. }, Answer::Yes) => "yes, once".to_string(),
        (Question::Run { .. }, Answer::No) => "refused".to_string(),
        (_, Answer::Session) => "yes, and for this session".to_string(),
        (_, Answer::Always) => "yes, and always".to_string(),
        (Question::Approve { .. }, Answer::Yes) => "approved".to_string(),
        (Question::Approve { .. }, Answer::No) => "denied".to_string(),
        (Question::Deny { .. }, Answer::Yes) => "denied".to_string(),
        (Question::Deny { .. }, Answer::No) => "left waiting".to_string(),
    };
    format!("{word}\n")
}

fn minutes(d: Duration) -> String {
    let s = d.as_secs();
    if s >= 120 && s.is_multiple_of(60) {
        format!("{} minutes", s / 60)
    } else {
        format!("{s} seconds")
    }
}

/// The command on one line, at most `width` columns, as pieces marked offending or not, plus a
/// line of `^` under the offending columns. A long command is cut around the first offending
/// part, with `…` where text was left out.
fn command_line(command: &str, spans: &[Span], width: usize) -> (Vec<(String, bool)>, String) {
    let mut cells: Vec<(char, bool)> = Vec::new();
    let mut piece = String::new();
    for (i, c) in command.trim_end().char_indices() {
        let hit = spans.iter().any(|s| s.start <= i && i < s.end);
        piece.clear();
        push_visible(&mut piece, c);
        cells.extend(piece.chars().map(|v| (v, hit)));
    }
    let n = cells.len();
    let first = cells.iter().position(|&(_, hit)| hit).unwrap_or(0);
    let (start, end, left, right) = if n <= width {
        (0, n, false, false)
    } else {
        let start = first.saturating_sub(width / 3);
        if start == 0 {
            (0, width - 1, false, true)
        } else if start + width > n {
            (n - (width - 1), n, true, false)
        } else {
            (start, start + width - 2, true, true)
        }
    };
    let mut shown: Vec<(char, bool)> = Vec::new();
    if left {
        shown.push(('…', false));
    }
    shown.extend_from_slice(&cells[start..end]);
    if right {
        shown.push(('…', false));
    }
    let marks: String = shown.iter().map(|&(_, hit)| if hit { '^' } else { ' ' }).collect();
    let mut pieces: Vec<(String, bool)> = Vec::new();
    for (c, hit) in shown {
        match pieces.last_mut() {
            Some((s, h)) if *h == hit => s.push(c),
            _ => pieces.push((c.to_string(), hit)),
        }
    }
    (pieces, marks)
}

/// How long each kind of field may be when shown: enough for any honest one.
pub const NAME: usize = 100;
pub const PATH: usize = 400;
pub const MESSAGE: usize = 600;
pub const COMMAND: usize = 4000;

fn one_line(s: &str) -> String {
    shown(s.trim(), COMMAND)
}

/// At most `width` characters, the middle left out.
fn clip_middle(s: &str, width: usize) -> String {
    let chars: Vec<char> = s.chars().collect();
    if chars.len() <= width || width < 5 {
        return s.to_string();
    }
    let head = (width - 1) / 2;
    let tail = width - 1 - head;
    let mut out: String = chars[..head].iter().collect();
    out.push('…');
    out.extend(&chars[chars.len() - tail..]);
    out
}

/// At most `width` characters, the end left out.
fn clip_end(s: &str, width: usize) -> String {
    if s.chars().count() <= width {
        return s.to_string();
    }
    let mut out: String = s.chars().take(width.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// Words filled into lines of at most `width` characters; a longer word is cut.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let word = clip_end(word, width);
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(&word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::approval::question::Reason;

    fn info(command: &str, spans: &[(usize, usize)], remember: Option<&str>) -> PromptInfo {
        PromptInfo {
            question: Question::Run { remember: remember.map(str::to_string) },
            command: command.into(),
            cwd: Some("/home/u/proj".into()),
            agent: Some("claude".into()),
            reasons: spans
                .iter()
                .map(|&(s, e)| Reason {
                    rule: "git.force-push".into(),
                    decision: Decision::Ask,
                    message: "rewrites history on the remote, which can lose other people's commits".into(),
                    span: Some(Span::new(s, e)),
                })
                .collect(),
        }
    }

    fn columns(s: &str) -> usize {
        s.lines().map(|l| l.chars().count()).max().unwrap_or(0)
    }

    #[test]
    fn plain_marks_the_offending_part_under_the_command() {
        let text = screen(&info("git push --force origin main", &[(9, 16)], None), Look::Plain, 80);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[1], "  git push --force origin main");
        assert_eq!(lines[2], "           ^^^^^^^");
        assert_eq!(lines[3], "  in /home/u/proj, asked by claude");
        assert!(text.contains("? git.force-push (ask)"), "{text}");
        assert!(text.contains("  at: --force"), "{text}");
        assert!(!text.contains('\x1b'), "no escape sequences at all: {text:?}");
        assert!(text.contains("y  run it once") && text.contains("n  refuse"), "{text}");
        assert!(!text.contains("s  allow"), "nothing to remember, so no s: {text}");
    }

    #[test]
    fn no_color_keeps_emphasis_but_no_colours() {
        let text = screen(&info("git push --force origin main", &[(9, 16)], None), Look::Mono, 80);
        assert!(text.contains('\x1b'), "bold and underline are kept");
        for colour in ["\x1b[38;5;", "\x1b[31m", "\x1b[33m", "\x1b[91m", "\x1b[38;2;"] {
            assert!(!text.contains(colour), "{colour:?} in {text:?}");
        }
        assert!(!text.contains("^^^"), "underlined rather than marked");
        let colour = screen(&info("git push --force origin main", &[(9, 16)], None), Look::Color, 80);
        assert_ne!(text, colour);
    }

    #[test]
    fn remembering_is_offered_with_the_pattern() {
        let i = info("git push --force origin feature/x", &[(9, 16)], Some("git push --force origin feature/*"));
        let text = screen(&i, Look::Plain, 80);
        assert!(text.contains("s  allow for this session: git push --force origin feature/*"), "{text}");
        assert!(text.contains("a  always allow: git push --force origin feature/*"), "{text}");
        assert_eq!(question(&i, Look::Plain, Duration::from_secs(60)), "Run it? [y/N/s/a] (60 s) ");
    }

    #[test]
    fn a_long_command_is_cut_around_the_offending_part_and_fits_80_columns() {
        let command = format!("{} && rm -rf ~/projects/old && {}", "echo start ".repeat(20), "echo done ".repeat(20));
        let start = command.find("rm -rf").unwrap();
        let text = screen(&info(&command, &[(start, start + 25)], Some(&"x".repeat(200))), Look::Plain, 80);
        assert!(columns(&text) <= 80, "{text}");
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[1].contains("rm -rf ~/projects/old"), "{text}");
        assert!(lines[1].starts_with("  …") && lines[1].ends_with('…'), "{text}");
        let column = |line: &str, pat: &str| line.char_indices().position(|(i, _)| line[i..].starts_with(pat));
        assert_eq!(column(lines[2], "^"), column(lines[1], "rm -rf"), "{text}");
    }

    #[test]
    fn several_lines_show_as_one() {
        let text = screen(&info("cd /srv\nmake deploy", &[(8, 19)], None), Look::Plain, 80);
        assert!(text.lines().nth(1).unwrap().contains("cd /srv⏎make deploy"), "{text}");
    }

    #[test]
    fn messages_wrap() {
        for w in [40, 60, 80] {
            assert!(wrap("a b c ".repeat(40).as_str(), w).iter().all(|l| l.chars().count() <= w));
        }
        assert_eq!(wrap("one two three", 7), ["one two", "three"]);
        assert_eq!(wrap(&"x".repeat(12), 5), ["xxxx…"]);
    }

    #[test]
    fn dumb_and_missing_terms_are_plain_and_no_color_is_mono() {
        for (term, no_color, look) in [
            (Some("dumb"), None, Look::Plain),
            (None, None, Look::Plain),
            (Some("xterm-256color"), None, Look::Color),
            (Some("xterm-256color"), Some("1"), Look::Mono),
            (Some("xterm-256color"), Some(""), Look::Color),
            (Some("dumb"), Some("1"), Look::Plain),
        ] {
            assert_eq!(Look::from_env(term, no_color.map(Into::into)), look, "{term:?} {no_color:?}");
        }
    }

    #[test]
    fn shown_writes_out_what_a_terminal_would_act_on_and_clips_with_a_note() {
        assert_eq!(shown("git status", 100), "git status");
        assert_eq!(shown("héllo ✓ 日本 ⏎", 100), "héllo ✓ 日本 ⏎", "what a terminal shows is kept");
        assert_eq!(shown("rm -rf ~/work\r\x1b[2Kgit status", 100), r"rm -rf ~/work\r\x1b[2Kgit status");
        assert_eq!(shown("a\tb\nc\x00\x07\x7f", 100), r"a\tb⏎c\x00\x07\x7f");
        assert_eq!(
            shown("\u{9b}2K\u{85}\u{202e}txt.exe\u{2066}\u{200b}\u{feff}", 100),
            r"\u{9b}2K\u{85}\u{202e}txt.exe\u{2066}\u{200b}\u{feff}"
        );
        assert_eq!(shown("\u{e0041}", 100), r"\u{e0041}", "tag characters");
        assert_eq!(shown(&"x".repeat(10), 4), "xxxx… (6 more characters)");
        assert_eq!(shown("ab\x1b[2K", 4), "ab… (4 more characters)", "an escape is never cut in two");
        assert_eq!(shown("abc", 2), "ab… (1 more character)");
        let once = shown("a\x1b\r\n\u{202e}b", 100);
        assert_eq!(shown(&once, 100), once, "what is shown shows as itself");
    }

    #[test]
    fn json_is_kept_whole_and_inert() {
        let value = serde_json::json!({"command": "a\u{9b}2K\u{202e}b\x7f\x1b[2K\u{e0041}\r\n", "n": 1});
        let json = inert_json(&serde_json::to_string_pretty(&value).unwrap());
        assert!(!json.chars().any(|c| terminal_acts_on(c) && c != '\n'), "{json:?}");
        assert!(json.contains(r"\u009b") && json.contains(r"\udb40\udc41"), "{json}");
        assert_eq!(serde_json::from_str::<serde_json::Value>(&json).unwrap(), value);
    }

    /// The text with guard's own styling (SGR sequences, `ESC [ … m`) taken out.
    fn unstyled(text: &str) -> String {
        let mut out = String::new();
        let mut rest = text;
        while let Some(i) = rest.find("\x1b[") {
            out.push_str(&rest[..i]);
            let after = &rest[i + 2..];
            match after.find(|c: char| !(c.is_ascii_digit() || c == ';')) {
                Some(j) if after[j..].starts_with('m') => rest = &after[j + 1..],
                _ => {
                    out.push_str(&rest[i..i + 2]);
                    rest = after;
                }
            }
        }
        out.push_str(rest);
        out
    }

    #[test]
    fn what_came_from_outside_is_shown_written_out_and_never_acts_on_the_terminal() {
        let hostile = PromptInfo {
            question: Question::Approve { id: "1234abcd".into(), expiry: Duration::from_secs(600) },
            command: "git push --force origin feature\r\x1b[2Kgit status".into(),
            cwd: Some("/w\x1b[1A\x1b[2K\u{9b}2K/elsewhere".into()),
            agent: Some("claude\x1b]0;title\x07\u{202e}gnp".into()),
            reasons: vec![Reason {
                rule: "note.fine\x1b[31m".into(),
                decision: Decision::Ask,
                message: "harmless\x1b[3A\x1b[2K\r\x7f".into(),
                span: Some(Span::new(9, 16)),
            }],
        };
        for look in [Look::Plain, Look::Mono, Look::Color] {
            let text = unstyled(&screen(&hostile, look, 80));
            let bad: Vec<char> = text
                .chars()
                .filter(|&c| (c.is_control() && c != '\n') || ('\u{202a}'..='\u{202e}').contains(&c))
                .collect();
            assert!(bad.is_empty(), "{look:?}: {bad:?} in {text:?}");
            for shown in [
                r"git push --force origin feature\r\x1b[2Kgit status",
                r"/w\x1b[1A\x1b[2K\u{9b}2K/elsewhere",
                r"claude\x1b]0;title\x07\u{202e}gnp",
                r"note.fine\x1b[31m",
                r"harmless\x1b[3A\x1b[2K\r\x7f",
            ] {
                assert!(text.contains(shown), "{look:?}: {shown} is not in {text}");
            }
        }
    }

    #[test]
    fn approve_and_deny_say_what_each_key_does() {
        let mut i = info("make deploy", &[], None);
        i.question = Question::Approve { id: "1234abcd".into(), expiry: Duration::from_secs(600) };
        let text = screen(&i, Look::Plain, 80);
        assert!(text.starts_with("guard: request 1234abcd is waiting for your approval"), "{text}");
        assert!(text.contains("within 10 minutes"), "{text}");
        assert!(text.contains("n  deny it"), "{text}");
        assert!(text.contains("Your policy allows it there, without asking."), "{text}");
        let mut asked = info("make deploy", &[(0, 4)], None);
        asked.question = i.question.clone();
        let text = screen(&asked, Look::Plain, 80);
        assert!(text.contains("Your policy, where it would run:\n  ? git.force-push (ask)"), "{text}");
        assert!(!screen(&info("make deploy", &[(0, 4)], None), Look::Plain, 80).contains("Your policy"));
        assert_eq!(outcome(&i.question, Answer::No, Duration::from_secs(60)), "denied\n");
        i.question = Question::Deny { id: "1234abcd".into() };
        assert!(screen(&i, Look::Plain, 80).contains("n  leave it waiting"));
        assert_eq!(
            outcome(&i.question, Answer::TimedOut, Duration::from_secs(60)),
            "no answer within 60 s: nothing done\n"
        );
    }
}
