//! What the approval prompt asks and what the answer can be: plain data, shown by
//! [`render`](super::render) and asked on the terminal by [`prompt`](super::prompt).

use std::time::Duration;

use super::Pattern;
use crate::plan::{Plan, Span};
use crate::policy::{Decision, Verdict};

/// What is asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Question {
    /// Run this command? With the pattern a "session" or "always" answer would remember, when
    /// remembering it is safe.
    Run { remember: Option<String> },
    /// Approve a waiting request (`guard approve`); "no" denies it.
    Approve { id: String, expiry: Duration },
    /// Deny a waiting request (`guard deny`); "no" leaves it waiting.
    Deny { id: String },
    /// Run a command policy denies, once (`guard once`): only `word`, typed key by key and
    /// followed by Enter, says yes.
    Override { word: String },
}

/// Why the command is asked about: one matched rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reason {
    pub rule: String,
    pub decision: Decision,
    pub message: String,
    /// The offending part of the command text, when known.
    pub span: Option<Span>,
}

/// What the prompt shows. Every string in it may come from outside guard (a command an agent
/// typed, a request file), and is shown written out where a terminal would act on it (see
/// [`render::shown`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PromptInfo {
    pub question: Question,
    pub command: String,
    pub cwd: Option<String>,
    pub agent: Option<String>,
    /// Guard's own findings, under the policy of whoever is asked: for a waiting request, never
    /// what the request says.
    pub reasons: Vec<Reason>,
}

impl PromptInfo {
    /// The question for a command judged `ask`: its findings (allow-level ones left out) and,
    /// when given, the pattern to offer for remembering.
    pub fn for_verdict(
        plan: &Plan,
        verdict: &Verdict,
        cwd: &str,
        agent: &str,
        remember: Option<&Pattern>,
    ) -> PromptInfo {
        let reasons = verdict
            .findings
            .iter()
            .filter(|f| f.decision != Decision::Allow)
            .map(|f| Reason {
                rule: f.rule.clone(),
                decision: f.decision,
                message: f.message.clone(),
                span: (f.span.end <= plan.source.len() && f.span.start < f.span.end).then_some(f.span),
            })
            .collect();
        PromptInfo {
            question: Question::Run { remember: remember.map(|p| p.text.clone()) },
            command: plan.source.clone(),
            cwd: Some(cwd.to_string()),
            agent: Some(agent.to_string()),
            reasons,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// `y`: run it once (or: approve / deny the request, for those questions).
    Yes,
    /// `n`, Enter, Esc, Ctrl-C, Ctrl-D: refuse.
    No,
    /// `s`: allow this and commands matching the pattern for this session.
    Session,
    /// `a`: always allow commands matching the pattern.
    Always,
    /// No key within the timeout; counts as a refusal.
    TimedOut,
    /// A signal asked guard to stop while it waited; counts as a refusal.
    Interrupted,
    /// No terminal to ask on (none, a background job, inside a guarded command, or it failed).
    NoTerminal,
    /// A typed confirmation came in faster than a person types (pasted, or sent by a program);
    /// counts as a refusal.
    NotTyped,
}

impl Answer {
    /// The human said yes, in one of its forms.
    pub fn approved(self) -> bool {
        matches!(self, Answer::Yes | Answer::Session | Answer::Always)
    }
}
