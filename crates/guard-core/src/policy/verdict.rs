//! The outcome of judging a Plan: a decision and the findings that led to it.

use serde::Serialize;

use super::rule::{Decision, Severity};
use crate::plan::Span;

/// One rule that matched, or one of guard's own fail-safe checks (`guard.incomplete`, …).
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    /// The id of the rule or check.
    pub rule: String,
    /// What it says to do.
    pub decision: Decision,
    /// How serious it is.
    pub severity: Severity,
    /// The rule's message with its placeholders filled in, for the person asked.
    pub message: String,
    /// The offending part of the command text.
    pub span: Span,
    /// What matched, as shown to people (unknown parts of a word as `‹what›`).
    pub text: String,
    /// The invocation in the Plan the rule matched.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invocation: Option<usize>,
    /// The rule's tags; guard's own checks carry `fail-safe` (the breaker: `critical`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
}

/// What to do with a whole command line, and why.
#[derive(Debug, Clone, Serialize)]
pub struct Verdict {
    /// The strictest decision among the findings; `allow` when there are none.
    pub decision: Decision,
    /// What matched, strictest and most severe first.
    pub findings: Vec<Finding>,
    /// Effects to apply if the command runs: `mask_output`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub effects: Vec<String>,
    /// Rules considered for each invocation (filled when a trace is asked for).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub trace: Vec<TraceEntry>,
}

/// The rules tried on one invocation, as `guard explain` shows them.
#[derive(Debug, Clone, Serialize)]
pub struct TraceEntry {
    /// The invocation's id in the Plan.
    pub invocation: usize,
    /// Its argv on one line.
    pub command: String,
    /// Ids of the enabled rules whose gate let the invocation through to be evaluated.
    pub considered: Vec<String>,
    /// Ids of those whose `match:` held.
    pub matched: Vec<String>,
}

impl Verdict {
    /// A verdict with no findings: allow.
    pub fn allow() -> Verdict {
        Verdict { decision: Decision::Allow, findings: Vec::new(), effects: Vec::new(), trace: Vec::new() }
    }

    /// Add a finding. The same rule at the same place is listed once, and the stricter of the
    /// two stands: two rules of one id (from two layers) can never soften each other.
    pub fn add(&mut self, f: Finding) {
        self.decision = self.decision.max(f.decision);
        match self.findings.iter_mut().find(|g| g.rule == f.rule && g.span == f.span && g.invocation == f.invocation) {
            Some(g) if f.decision > g.decision => *g = f,
            Some(_) => {}
            None => self.findings.push(f),
        }
    }

    /// Findings ordered strictest first.
    pub(crate) fn sort(&mut self) {
        self.findings.sort_by(|a, b| b.decision.cmp(&a.decision).then(b.severity.cmp(&a.severity)));
    }
}

/// Process exit codes of `guard check`.
pub fn exit_code(d: Decision) -> u8 {
    match d {
        Decision::Allow => 0,
        Decision::Ask => 10,
        Decision::Deny => 20,
    }
}
