//! Running the policy for the CLI: loading the layers for this process, judging one command,
//! a script or a stream of commands, and rendering verdicts as text or JSON.

use std::fmt::Write as _;
use std::io::{BufRead, Write};
use std::panic::{catch_unwind, AssertUnwindSafe};

use crate::context::LiveContext;
use crate::explain::clip;
use crate::host::Host;
use crate::plan::{Plan, Span};
use crate::policy::rule::Decision;
use crate::policy::verdict::Finding;
use crate::policy::{Policy, Severity, Verdict};
use crate::policy_files::{self, Locations};
use crate::{environment, shell};

/// A policy loaded for the rest of the process. It is never freed: guard ends soon after
/// judging, and freeing the thousands of small pieces of a policy just before the process exits
/// would cost a tenth of a `guard check`.
pub type Loaded = std::mem::ManuallyDrop<Policy>;

/// The policy in effect where `host` is; problems in policy files go to stderr. Loaded once
/// per run, by whoever starts the work, and passed down.
pub fn load_policy(host: &Host) -> Loaded {
    load_policy_with(host, &[], false)
}

/// [`load_policy`] with extra policy files (`--policy FILE`) read last: as the user layer when
/// `trusted` (a person at a terminal named them), else as files that may only tighten.
pub fn load_policy_with(host: &Host, extra: &[std::path::PathBuf], trusted: bool) -> Loaded {
    let mut loc = Locations::of(host);
    loc.extra = extra.to_vec();
    loc.extra_trusted = trusted;
    let policy = policy_files::load(&loc);
    for w in &policy.warnings {
        eprintln!("guard: warning: {w}");
    }
    Loaded::new(policy)
}

/// Judge text; a panic anywhere in parsing or judging becomes a deny.
pub fn judge_text(policy: &Policy, ctx: &LiveContext, text: &str, trace: bool) -> (Plan, Verdict) {
    guarded(policy, ctx, text, trace, |env| shell::analyze(text, env))
}

/// Judge an argv (`guard -- prog args`), which no shell re-reads; a panic becomes a deny.
pub fn judge_argv(policy: &Policy, ctx: &LiveContext, argv: &[String]) -> (Plan, Verdict) {
    let text = shell::shell_quote_argv(argv);
    guarded(policy, ctx, &text, false, |env| shell::analyze(&text, env))
}

fn guarded(
    policy: &Policy,
    ctx: &LiveContext,
    text: &str,
    trace: bool,
    parse: impl FnOnce(&crate::shell::Env) -> Plan,
) -> (Plan, Verdict) {
    let result = catch_unwind(AssertUnwindSafe(|| {
        let env = environment::for_parser(ctx.host(), text);
        let plan = parse(&env);
        let verdict = policy.judge_traced(&plan, ctx, trace);
        (plan, verdict)
    }));
    result.unwrap_or_else(|_| {
        let plan = Plan { source: text.to_string(), ..Plan::default() };
        let mut v = Verdict::allow();
        v.add(Finding {
            rule: crate::policy::checks::INTERNAL_ERROR.into(),
            decision: Decision::Deny,
            severity: Severity::High,
            message: "guard failed while judging this command, so it is refused".into(),
            span: Span::new(0, text.len()),
            text: clip(text, 60),
            invocation: None,
            tags: vec!["fail-safe".into()],
        });
        (plan, v)
    })
}

pub fn verdict_json(plan: &Plan, v: &Verdict) -> serde_json::Value {
    let mut j = serde_json::to_value(v).expect("a Verdict always serialises");
    j["command"] = serde_json::Value::String(plan.source.clone());
    j
}

pub fn render_verdict(plan: &Plan, v: &Verdict) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}: {}", v.decision.as_str(), clip(&plan.source, 100));
    for f in &v.findings {
        let mark = match f.decision {
            Decision::Deny => "✗",
            Decision::Ask => "?",
            Decision::Allow => "✓",
        };
        let sev =
            serde_json::to_value(f.severity).ok().and_then(|s| s.as_str().map(str::to_string)).unwrap_or_default();
        let _ = writeln!(out, "  {mark} {} [{}, {sev}] {}", f.rule, f.decision.as_str(), f.message);
        let _ = writeln!(out, "      at bytes {}..{}: {}", f.span.start, f.span.end, clip(plan.text(f.span), 80));
    }
    if !v.effects.is_empty() {
        let _ = writeln!(out, "  effects: {}", v.effects.join(", "));
    }
    out
}

pub fn render_trace(v: &Verdict) -> String {
    let mut out = String::from("\nRules:\n");
    for t in &v.trace {
        let _ = writeln!(out, "  #{} {}", t.invocation, clip(&t.command, 80));
        let _ = writeln!(out, "      considered {}: {}", t.considered.len(), clip(&t.considered.join(" "), 200));
        if t.matched.is_empty() {
            let _ = writeln!(out, "      matched    none");
        } else {
            let _ = writeln!(out, "      matched    {}", t.matched.join(" "));
        }
    }
    out
}

/// Judge commands from stdin, one per line (or NUL-separated), one result per input.
/// Returns the strictest decision seen.
pub fn batch(policy: &Policy, host: &Host, json: bool, null: bool) -> std::io::Result<Decision> {
    let ctx = LiveContext::new(host);
    let stdin = std::io::stdin();
    let mut input = stdin.lock();
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let mut worst = Decision::Allow;
    let mut buf = Vec::new();
    let sep = if null { 0 } else { b'\n' };
    loop {
        buf.clear();
        if input.read_until(sep, &mut buf)? == 0 {
            break;
        }
        if buf.last() == Some(&sep) {
            buf.pop();
        }
        if !null && buf.last() == Some(&b'\r') {
            buf.pop();
        }
        let text = String::from_utf8_lossy(&buf);
        let (plan, v) = judge_text(policy, &ctx, &text, false);
        worst = worst.max(v.decision);
        if json {
            serde_json::to_writer(&mut out, &verdict_json(&plan, &v))?;
            out.write_all(b"\n")?;
        } else {
            let rules: Vec<&str> =
                v.findings.iter().filter(|f| f.decision == v.decision).map(|f| f.rule.as_str()).collect();
            let rules = if rules.is_empty() { "-".to_string() } else { rules.join(",") };
            writeln!(out, "{}\t{}\t{}", v.decision.as_str(), rules, text.replace(['\n', '\t'], " "))?;
        }
    }
    out.flush()?;
    Ok(worst)
}
