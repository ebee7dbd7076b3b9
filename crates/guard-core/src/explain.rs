//! Human-readable rendering of a Plan for `guard explain`.

use std::fmt::Write;

use crate::plan::{CodeSource, Invocation, Plan, RedirectOp, Value, Via};

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

/// The Plan as `guard explain` prints it: each invocation (how it is reached, where it runs,
/// its argv, redirections, code and pipeline), then what could not be read.
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
    if let Some(line) = cwd_line(plan, inv) {
        let _ = writeln!(out, "    cwd       {line}");
    }
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
        if let Some(read) = code.read {
            let found: Vec<String> = plan
                .invocations
                .iter()
                .filter(|i| i.parent == Some(inv.id) && matches!(i.via.last(), Some(Via::Code { .. })))
                .map(|i| format!("#{}", i.id))
                .collect();
            let what = if found.is_empty() { "nothing".to_string() } else { found.join(" ") };
            let whole = if read.complete {
                format!("all of it, with the {} grammar", code.language)
            } else {
                format!("in part, with the {} grammar: some of it is only known at run time", code.language)
            };
            let _ = writeln!(out, "    read      {whole}; what it runs or changes: {what}");
            if read.forks_without_end {
                let _ = writeln!(out, "    forks     copies of itself in a loop that never ends");
            }
        }
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

/// Where an invocation runs, when that is not simply the directory guard was asked about:
/// `/usr (after cd)`, `/srv (set by env)`, `/x (after cd); or /work/proj`, `… or a directory
/// guard cannot know`.
fn cwd_line(plan: &Plan, inv: &Invocation) -> Option<String> {
    if inv.cwd.is_none() && inv.cwd_alternatives.is_empty() && !inv.cwd_unknown {
        return None;
    }
    let parent = inv.parent.and_then(|p| plan.invocations.get(p));
    let set_by = parent
        .filter(|p| (&p.cwd, &p.cwd_alternatives, p.cwd_unknown) != (&inv.cwd, &inv.cwd_alternatives, inv.cwd_unknown));
    let why = if let Some(p) = set_by {
        format!("set by {}", p.program_name().unwrap_or("the command that runs it"))
    } else if inv.has_via(|v| matches!(v, Via::FunctionBody { .. } | Via::Trap)) {
        "a function or trap runs wherever the shell is when it is called".to_string()
    } else {
        "after cd".to_string()
    };
    if inv.is_remote() {
        return Some("unknown (on another machine)".into());
    }
    let mut line = match &inv.cwd {
        Some(dir) => format!("{dir} ({why})"),
        None => format!("where guard was asked about ({why})"),
    };
    for alt in &inv.cwd_alternatives {
        let _ = write!(line, "; or {alt}");
    }
    if inv.cwd_unknown {
        line.push_str("; or a directory guard cannot know");
    }
    Some(line)
}

#[cfg(test)]
mod tests {
    use crate::shell::{analyze, Env};

    fn explain(text: &str) -> String {
        super::render_plan(&analyze(text, &Env::new("/home/u", "/w")))
    }

    #[test]
    fn each_command_shows_where_it_runs_when_that_is_not_where_guard_was_asked() {
        let out = explain("cd /usr && rm -rf lib");
        assert!(out.contains("    cwd       /usr (after cd)\n"), "{out}");
        assert_eq!(out.matches("    cwd ").count(), 1, "the cd itself runs where guard was asked: {out}");
        let out = explain("env -C /srv ls");
        assert!(out.contains("    cwd       /srv (set by env)\n"), "{out}");
        let out = explain("cd /x; rm y");
        assert!(out.contains("    cwd       /x (after cd); or /w\n"), "{out}");
        let out = explain(r#"cd "$X"; rm y"#);
        assert!(out.contains("where guard was asked about (after cd); or a directory guard cannot know"), "{out}");
        let out = explain("ssh host rm x");
        assert!(out.contains("    cwd       unknown (on another machine)\n"), "{out}");
        assert!(!explain("ls").contains("cwd"));
    }

    #[test]
    fn the_plan_json_carries_the_directory_only_when_it_says_something() {
        let plan = analyze("cd /x; rm y; ls", &Env::new("/home/u", "/w"));
        let json = serde_json::to_value(&plan).unwrap();
        let invs = json["invocations"].as_array().unwrap();
        assert!(invs[0].get("cwd").is_none() && invs[0].get("cwd_unknown").is_none());
        assert_eq!(invs[1]["cwd"], "/x");
        assert_eq!(invs[1]["cwd_alternatives"], serde_json::json!(["/w"]));
        assert!(invs[1].get("cwd_unknown").is_none());
        let plan = analyze(r#"cd "$X" && ls"#, &Env::new("/home/u", "/w"));
        let json = serde_json::to_value(&plan).unwrap();
        assert_eq!(json["invocations"][1]["cwd_unknown"], true);
        assert!(json["invocations"][1].get("cwd").is_none());
    }
}
