//! The outcome of judging a Plan: a decision and the findings that led to it.

use serde::Serialize;

use super::rule::{Decision, Severity};
use crate::plan::Span;

#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    pub rule: String,
    pub decision: Decision,
    pub severity: Severity,
    pub message: String,
    /// The offending part of the command text.
    pub span: Span,
    pub text: String,
    /// The invocation in the Plan the rule matched.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invocation: Option<usize>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Verdict {
    pub decision: Decision,
    pub findings: Vec<Finding>,
    /// Effects to apply if the command runs: `mask_output`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub effects: Vec<String>,
    /// Rules considered for each invocation (filled when a trace is asked for).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub trace: Vec<TraceEntry>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TraceEntry {
    pub invocation: usize,
    pub command: String,
    pub considered: Vec<String>,
    pub matched: Vec<String>,
}

impl Verdict {
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
