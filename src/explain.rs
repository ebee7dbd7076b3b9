//! Human-readable rendering of a Plan for `guard explain`.

use std::fmt::Write;

use crate::plan::{CodeSource, Invocation, Plan, RedirectOp, Value};

/// Shorten long text for one line of output.
pub fn clip(s: &str, max: usize) -> String {
    // On one line, with what a terminal would act on written out (`\x1b`): the text is the
    // guarded side's, and must not rewrite what is shown around it.
    let mut flat = String::with_capacity(s.len());
    s.chars().for_each(|c| crate::visible::push_visible(&mut flat, c));
    if flat.chars().count() <= max {
        flat
    } else {
        let mut out: String = flat.chars().take(max.saturating_sub(1)).collect();
        out.push('…');
        out
    }
}

pub fn render_plan(plan: &Plan) -> String {
    let mut out = String::new();
    let n = plan.invocations.len();
    let _ = writeln!(out, "{} command{} would run", n, if n == 1 { "" } else { "s" });
    for inv in &plan.invocations {
        out.push('\n');
        render_invocation(&mut out, plan, inv);
    }
    if !plan.issues.is_empty() {
        out.push('\n');
        let _ = writeln!(out, "Not fully understood:");
        for issue in &plan.issues {
            let _ = writeln!(out, "  ! {} (bytes {}..{})", issue.message, issue.span.start, issue.span.end);
        }
    }
    out
}

fn render_invocation(out: &mut String, plan: &Plan, inv: &Invocation) {
    let _ = writeln!(out, "#{}  {}", inv.id, clip(&inv.display(), 100));
    let reached = if inv.via.is_empty() {
        "top level".to_string()
    } else {
        inv.via.iter().map(|v| v.describe()).collect::<Vec<_>>().join(" › ")
    };
    let depth = if inv.depth > 0 { format!(" (code depth {})", inv.depth) } else { String::new() };
    let parent = inv.parent.map(|p| format!(", from #{p}")).unwrap_or_default();
    let _ = writeln!(out, "    reached   {reached}{depth}{parent}");
    let _ =
        writeln!(out, "    text      bytes {}..{}: {}", inv.span.start, inv.span.end, clip(plan.text(inv.span), 80));
    if inv.calls_function {
        let _ = writeln!(out, "    program   calls a function defined in this text (its body is listed separately)");
    }
    let words: Vec<String> = inv.argv().map(|w| format!("[{}]", clip(&w.display(), 60))).collect();
    let _ = writeln!(out, "    argv      {}", words.join(" "));
    for (i, w) in inv.argv().enumerate() {
        if let Value::Dynamic(_) = w.value {
            if let Some((what, why)) = w.unknown_reason() {
                let _ = writeln!(
                    out,
                    "    dynamic   argv[{i}] {}: {} is unknown ({why})",
                    clip(&w.display(), 40),
                    clip(what, 40)
                );
            }
        }
        if w.glob {
            let _ =
                writeln!(out, "    glob      argv[{i}] {} is expanded against the filesystem", clip(&w.display(), 40));
        }
    }
    for a in &inv.assignments {
        let _ = writeln!(out, "    env       {}={}", a.name, clip(&a.value.display(), 60));
    }
    for r in &inv.redirects {
        let fd = r.fd.map(|f| f.to_string()).unwrap_or_default();
        match r.op {
            RedirectOp::Heredoc | RedirectOp::HereString => {
                let kind = if r.op == RedirectOp::Heredoc { "heredoc" } else { "here-string" };
                let _ = writeln!(out, "    stdin     {kind}: {}", clip(&r.target.display(), 70));
            }
            op => {
                let _ = writeln!(out, "    redirect  {fd}{} {}", op.symbol(), clip(&r.target.display(), 60));
            }
        }
    }
    if let Some(code) = &inv.code {
        let source = match code.source {
            CodeSource::Argument => "argument",
            CodeSource::Stdin => "stdin",
            CodeSource::File => "file",
        };
        let _ = writeln!(out, "    code      {} from {source}: {}", code.language, clip(&code.text.display(), 70));
    }
    if let Some(p) = inv.pipeline {
        let up: Vec<String> = plan.upstream(inv).iter().map(|i| format!("#{}", i.id)).collect();
        let down: Vec<String> = plan.downstream(inv).iter().map(|i| format!("#{}", i.id)).collect();
        let mut line = format!("pipeline {} stage {} of {}", p.pipeline, p.stage + 1, p.stages);
        if !up.is_empty() {
            let _ = write!(line, "; stdin from {}", up.join(" "));
        }
        if !down.is_empty() {
            let _ = write!(line, "; stdout to {}", down.join(" "));
        }
        let _ = writeln!(out, "    pipe      {line}");
    }
}
