//! What guard tells the model, or the person at the agent, when it stops a command: what was
//! stopped (the offending part), why (rule id and message), and what to do instead. Texts stay
//! far below the hosts' string limits.

use std::fmt::Write as _;

use super::Host;
use crate::explain::clip;
use crate::policy::{Finding, Verdict};

/// At most this many findings are spelled out; the rest are counted.
const SHOWN: usize = 3;

const INSTEAD: &str = "Do not retry it or look for a way around this check. If the user really wants it done, \
ask them to run it in their own terminal.";

/// The findings that set the verdict's decision, strictest first.
pub fn strictest(v: &Verdict) -> impl Iterator<Item = &Finding> {
    v.findings.iter().filter(move |f| f.decision == v.decision)
}

/// A refused command, for the model.
pub fn deny(v: &Verdict, command: &str) -> String {
    format!("guard blocked this command.\n{}{INSTEAD}", reasons(v, command))
}

/// A command a person must approve, for that person.
pub fn ask(v: &Verdict, command: &str) -> String {
    format!("guard: this command needs your approval.\n{}", reasons(v, command).trim_end())
}

/// A command a person must approve, where the host cannot ask one: refused, for the model.
pub fn ask_refused(host: Host, v: &Verdict, command: &str) -> String {
    let why = match host {
        // Gemini CLI asks only in an interactive session.
        Host::Gemini => "no one can approve it in this Gemini CLI session (it runs headless)".to_string(),
        _ => format!("{} hooks cannot ask for it", host.title()),
    };
    format!("guard blocked this command: it needs a person's approval, and {why}.\n{}{INSTEAD}", reasons(v, command))
}

/// The hook input could not be read as JSON.
pub fn malformed(host: Host, problem: &str) -> String {
    format!(
        "guard could not check this command, so it is blocked: the hook input {problem}. This is a problem with \
the hook setup, not with the command: ask the user to check the guard hook in the {} settings (`guard install {} \
--dry-run` shows what it should be).",
        host.title(),
        host.name()
    )
}

/// A field the adapter needs is missing or of the wrong type.
pub fn unreadable(host: Host, missing: &str) -> String {
    malformed(host, &format!("does not say which command to check: {missing}"))
}

pub fn too_large() -> String {
    format!(
        "guard blocked this command: the hook input is over {} MiB, more than guard reads, so it could not be \
checked. Split the work into shorter commands.",
        super::MAX_INPUT >> 20
    )
}

pub fn too_long(host: Host, chars: usize, limit: usize) -> String {
    format!(
        "guard blocked this command: it is {chars} characters long, and {} cuts hook strings near {limit} \
characters, so guard cannot be sure it saw all of it. Split it into shorter commands.",
        host.title()
    )
}

pub fn too_slow(seconds: u64) -> String {
    format!(
        "guard could not finish checking this command within {seconds} s, so it is blocked (the agent would run \
it if the hook timed out). Ask the user to run `guard check` on it in their terminal; a slow policy rule or a \
stuck audit log is the likely cause."
    )
}

pub fn crashed() -> String {
    "guard failed while checking this command, so it is blocked. Ask the user to run `guard check` on it in their \
terminal and to report the failure."
        .to_string()
}

/// For stderr when the hook is wired to an event guard does not answer.
pub fn wrong_event(host: Host, event: &str) -> String {
    let expected = match host {
        Host::Claude | Host::Codex => "PreToolUse or PermissionRequest",
        Host::Gemini => "BeforeTool",
        Host::Cursor => "beforeShellExecution",
    };
    format!(
        "guard hook {}: the hook input is for the {event:?} event, but guard answers {expected} only, so it \
blocks; fix the hook settings (`guard install {} --print` shows the right entry).\n",
        host.name(),
        host.name()
    )
}

/// One line per finding that set the decision: the offending part, the rule's message, the rule.
fn reasons(v: &Verdict, command: &str) -> String {
    let mut out = String::new();
    let mut seen: Vec<(&str, &str)> = Vec::new();
    let mut extra = 0;
    for f in strictest(v) {
        // The part as the model wrote it (`~`, not the home directory it stands for).
        let part = command.get(f.span.start..f.span.end).filter(|p| !p.trim().is_empty()).unwrap_or(&f.text);
        if seen.contains(&(f.rule.as_str(), part)) {
            continue;
        }
        if seen.len() == SHOWN {
            extra += 1;
            continue;
        }
        seen.push((&f.rule, part));
        let _ = write!(out, "- ");
        if !part.trim().is_empty() {
            let _ = write!(out, "`{}`: ", clip(part, 80));
        }
        let _ = writeln!(out, "{} [rule {}]", clip(&f.message, 300), f.rule);
    }
    if extra > 0 {
        let _ = writeln!(out, "- and {extra} more (`guard explain` shows them all)");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::Span;
    use crate::policy::{Decision, Severity};

    fn finding(rule: &str, decision: Decision, text: &str) -> Finding {
        Finding {
            rule: rule.into(),
            decision,
            severity: Severity::High,
            message: format!("{rule} says no"),
            span: Span::new(0, text.len()),
            text: text.into(),
            invocation: Some(0),
            tags: Vec::new(),
        }
    }

    fn verdict(findings: Vec<Finding>) -> Verdict {
        let mut v = Verdict::allow();
        for f in findings {
            v.add(f);
        }
        v
    }

    #[test]
    fn reasons_name_the_part_the_rule_and_its_message_for_the_strictest_findings_only() {
        let v = verdict(vec![finding("a.ask", Decision::Ask, "--force"), finding("b.deny", Decision::Deny, "main")]);
        let text = deny(&v, "main");
        assert!(text.starts_with("guard blocked this command.\n- `main`: b.deny says no [rule b.deny]\n"), "{text}");
        assert!(!text.contains("a.ask"), "{text}");
        assert!(text.ends_with(INSTEAD), "{text}");
    }

    #[test]
    fn the_offending_part_is_quoted_as_written_when_the_span_points_into_the_command() {
        let mut f = finding("fs.home", Decision::Deny, "/home/u");
        f.span = Span::new(7, 8);
        let v = verdict(vec![f]);
        assert!(deny(&v, "rm -rf ~").contains("- `~`: fs.home says no"), "{}", deny(&v, "rm -rf ~"));
        assert!(deny(&v, "short").contains("- `/home/u`: fs.home says no"), "{}", deny(&v, "short"));
    }

    #[test]
    fn many_findings_are_counted_not_listed() {
        let v = verdict((0..5).map(|i| finding(&format!("r{i}"), Decision::Deny, "x")).collect());
        let text = deny(&v, "x");
        assert_eq!(text.matches("[rule r").count(), SHOWN, "{text}");
        assert!(text.contains("- and 2 more"), "{text}");
    }

    #[test]
    fn an_empty_offending_part_is_left_out_and_long_ones_are_clipped() {
        let long = "y".repeat(500);
        let v = verdict(vec![finding("e", Decision::Ask, ""), finding("l", Decision::Ask, &long)]);
        let text = ask(&v, "");
        assert!(text.contains("\n- e says no [rule e]"), "{text}");
        assert!(text.contains(&format!("`{}…`", "y".repeat(79))), "{text}");
        assert!(text.len() < 1000);
    }
}
