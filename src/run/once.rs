//! `guard once 'COMMAND'` (or `guard once -- PROGRAM ARGS…`): a person at their own terminal runs
//! a command their policy denies, this once, after typing the id of the rule that denies it on
//! `/dev/tty`. It is recorded in the audit log as `overridden` before it runs, and not run if
//! that cannot be recorded.
//!
//! Never for the breaker or the fork-bomb check (`critical.*`), never for an agent, never inside
//! a command guard runs, never without a terminal, never under a locked system policy. What a
//! command would run through `guard once` is judged like `bash -c` by any guard judging that
//! command (see guard-core's `shell/programs/guard.rs`), so an agent's hook, `guard -c` and the
//! shell integrations all deny `guard once 'X'` as they deny X; only a person's own prompt lets
//! the line through (see [`typed_at_prompt`]), and then this process does every check again.

use std::ffi::OsString;
use std::io::IsTerminal;

use crate::approval::question::{Answer, PromptInfo, Question};
use crate::approval::{prompt, ApprovalConfig, PromptOptions};
use crate::audit::Action;
use crate::host::Host;
use crate::plan::Plan;
use crate::policy::checks;
use crate::policy::{Decision, Verdict};

/// How `guard once` is called.
pub const USAGE: &str = "usage: guard once 'COMMAND'   or   guard once -- PROGRAM ARGS…";

/// What decides whether `guard once` may run a denied command here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Facts {
    /// The calling agent, or `human`.
    pub agent: String,
    /// Inside a command a guard runs.
    pub nested: bool,
    /// A terminal on standard input and a controlling terminal.
    pub terminal: bool,
    /// The system policy is locked.
    pub locked: bool,
}

impl Facts {
    pub fn of(host: &Host, locked: bool) -> Facts {
        Facts {
            agent: host.agent().to_string(),
            nested: host.nested(),
            terminal: std::io::stdin().is_terminal()
                && std::fs::OpenOptions::new().read(true).write(true).open("/dev/tty").is_ok(),
            locked,
        }
    }
}

/// Whether a line typed at a shell integration's prompt comes from a person, as far as guard can
/// tell: no agent's variables, not inside a command guard runs, and a controlling terminal.
/// Standard input is not asked: a line editor may run guard on /dev/null (zsh's widgets do).
pub fn at_a_prompt(host: &Host) -> bool {
    host.agent() == "human"
        && !host.nested()
        && std::fs::OpenOptions::new().read(true).write(true).open("/dev/tty").is_ok()
}

/// Whether a finding comes from a check that nothing may run past.
pub fn critical(rule: &str) -> bool {
    checks::is_critical(rule)
}

/// Why `guard once` may not run this denied command here, or `None` when it may ask.
pub fn refused(f: Facts, v: &Verdict) -> Option<String> {
    if let Some(c) = v.findings.iter().find(|x| x.decision == Decision::Deny && critical(&x.rule)) {
        return Some(format!("{} denies it, and nothing runs what it denies", c.rule));
    }
    if f.locked {
        return Some("the system policy (/etc/guard) is locked, so only its administrator can allow this".into());
    }
    if f.nested {
        return Some("this runs inside a command guard runs; run it at your own prompt".into());
    }
    if f.agent != "human" {
        return Some(format!(
            "{} is calling guard; only a person at their own terminal may override a denial",
            f.agent
        ));
    }
    if !f.terminal {
        return Some("there is no terminal here to type the confirmation on; run it at your own prompt".into());
    }
    None
}

/// The line that would run `command` once.
pub fn suggestion(command: &str) -> String {
    format!("guard once {}", crate::shell::shell_quote(command))
}

/// The arguments `guard once` hands guard's runner, in bash's form, from its own (`TEXT`, or
/// `-- PROGRAM ARGS…`).
pub fn runner_args(args: &[OsString]) -> Result<Vec<OsString>, &'static str> {
    match args {
        [first, ..] if first == "--" && args.len() > 1 => Ok(args.to_vec()),
        [text] if !text.is_empty() && text != "--" => Ok(vec!["-c".into(), text.clone()]),
        _ => Err(USAGE),
    }
}

/// Whether a line typed at a person's prompt is `guard once …` and nothing else, over a denial
/// it could be asked to run: the shell integration then lets the line through, and the `guard
/// once` it starts asks for the confirmation. Any finding about the line itself (a redirection,
/// a variable set for it, text guard could not read) or from the breaker keeps it refused.
pub fn typed_at_prompt(plan: &Plan, v: &Verdict) -> bool {
    let mut top = plan.invocations.iter().filter(|i| i.via.is_empty());
    let (Some(inv), None) = (top.next(), top.next()) else { return false };
    let is_once = inv.program_name() == Some("guard")
        && inv.args.first().and_then(|w| w.as_literal()) == Some("once")
        && inv.redirects.is_empty()
        && inv.assignments.is_empty()
        && inv.pipeline.is_none();
    is_once
        && v.decision == Decision::Deny
        && v.findings.iter().all(|f| !critical(&f.rule) && f.invocation.is_some_and(|i| i != inv.id))
}

/// Ask the person at the terminal to type the denying rule's id. `Ok` names who confirmed;
/// `Err` is what to record and say instead.
pub fn confirm(
    host: &Host,
    plan: &Plan,
    v: &Verdict,
    locked: bool,
    cfg: &ApprovalConfig,
) -> Result<String, (Action, String)> {
    if let Some(why) = refused(Facts::of(host, locked), v) {
        return Err((Action::Refused, format!("guard once: refused: {why}; nothing was run\n")));
    }
    let word = v.findings.iter().find(|f| f.decision == Decision::Deny).map(|f| f.rule.clone()).unwrap_or_default();
    let mut info = PromptInfo::for_verdict(plan, v, &host.cwd_text(), host.agent(), None);
    info.question = Question::Override { word };
    match prompt::ask(host, &info, &PromptOptions::from(cfg)) {
        Answer::Yes => Ok(format!("{} at the terminal, typing the confirmation (guard once)", host.user().name)),
        Answer::TimedOut | Answer::Interrupted => Err((Action::TimedOut, "guard once: no confirmation; nothing was run\n".into())),
        Answer::NoTerminal => Err((
            Action::Refused,
            "guard once: refused: the confirmation could not be asked on this terminal (it must be in the foreground); \
             nothing was run\n"
                .into(),
        )),
        _ => Err((Action::DeniedByHuman, "guard once: not confirmed; nothing was run\n".into())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::Span;
    use crate::policy::{Finding, Severity};

    fn facts(agent: &str, nested: bool, terminal: bool, locked: bool) -> Facts {
        Facts { agent: agent.into(), nested, terminal, locked }
    }

    fn denied_by(rule: &str) -> Verdict {
        let mut v = Verdict::allow();
        v.add(Finding {
            rule: rule.into(),
            decision: Decision::Deny,
            severity: Severity::High,
            message: "no".into(),
            span: Span::new(0, 1),
            text: "x".into(),
            invocation: Some(1),
            tags: Vec::new(),
        });
        v
    }

    #[test]
    fn only_a_person_at_their_own_terminal_may_override_and_never_the_breaker() {
        let person = facts("human", false, true, false);
        let table: &[(Facts, &str, Option<&str>)] = &[
            (person.clone(), "git.force-push-protected", None),
            (person.clone(), "critical.breaker", Some("critical.breaker denies it")),
            (person.clone(), "critical.fork-bomb", Some("critical.fork-bomb denies it")),
            (facts("claude", false, true, false), "git.x", Some("claude is calling guard")),
            (facts("human", true, true, false), "git.x", Some("inside a command guard runs")),
            (facts("human", false, false, false), "git.x", Some("no terminal")),
            (facts("human", false, true, true), "git.x", Some("is locked")),
        ];
        for (f, rule, want) in table {
            let got = refused(f.clone(), &denied_by(rule));
            match (want, &got) {
                (None, None) => {}
                (Some(w), Some(g)) if g.contains(w) => {}
                _ => panic!("{f:?} {rule}: got {got:?}, want {want:?}"),
            }
        }
    }

    #[test]
    fn the_runner_gets_bash_arguments() {
        let os = |v: &[&str]| v.iter().map(OsString::from).collect::<Vec<_>>();
        assert_eq!(runner_args(&os(&["rm -rf x"])), Ok(os(&["-c", "rm -rf x"])));
        assert_eq!(runner_args(&os(&["--", "rm", "-rf", "x"])), Ok(os(&["--", "rm", "-rf", "x"])));
        for bad in [&[][..], &["--"], &["a", "b"], &[""]] {
            assert_eq!(runner_args(&os(bad)), Err(USAGE), "{bad:?}");
        }
    }

    #[test]
    fn the_suggestion_quotes_the_command() {
        assert_eq!(suggestion("rm -rf ./victim"), "guard once 'rm -rf ./victim'");
        assert_eq!(suggestion("echo 'a'"), r#"guard once 'echo '\''a'\'''"#);
    }
}
