//! `guard rules list | show | lint | test`.

use std::fmt::Write as _;
use std::path::PathBuf;

use crate::policy::engine::{LayerKind, LoadedPack, Policy};
use crate::policy::layers::{self, Locations};
use crate::policy::testing::{self, Report};
use crate::policy::FakeContext;

fn policy() -> &'static Policy {
    crate::judge::load_policy()
}

pub fn list(json: bool) -> (String, u8) {
    let p = policy();
    let mut out = String::new();
    if json {
        let rows: Vec<serde_json::Value> = p
            .rules
            .iter()
            .map(|r| {
                serde_json::json!({
                    "id": r.id(), "pack": r.pack, "decision": r.spec.decision, "severity": r.spec.severity,
                    "layer": r.layer.name(), "location": r.location(), "disabled": r.disabled,
                    "description": r.spec.description, "tags": r.spec.tags,
                })
            })
            .collect();
        out = serde_json::to_string_pretty(&rows).expect("JSON values serialise") + "\n";
    } else {
        for r in &p.rules {
            let _ = writeln!(
                out,
                "{:<40} {:<5} {:<8} {:<13} {}{}",
                r.id(),
                r.spec.decision.as_str(),
                serde_json::to_value(r.spec.severity)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default(),
                r.pack,
                r.spec.description.as_deref().unwrap_or(&r.spec.message),
                r.disabled.as_ref().map(|d| format!("  [disabled: {d}]")).unwrap_or_default()
            );
        }
        let _ = writeln!(out, "critical.breaker (built into guard, cannot be disabled): recursive delete or wipe of /, a home directory, a top-level system directory or a disk");
    }
    (out, 0)
}

pub fn show(id: &str) -> (String, u8) {
    let p = policy();
    let Some(r) = p.rule(id) else {
        return (format!("no rule `{id}`; `guard rules list` shows them all\n"), 2);
    };
    let mut out = String::new();
    let _ = writeln!(out, "{}  ({} layer, {})", r.id(), r.layer.name(), r.location());
    if let Some(d) = &r.spec.description {
        let _ = writeln!(out, "  {d}");
    }
    let _ = writeln!(out, "  decision  {}", r.spec.decision.as_str());
    let _ = writeln!(out, "  message   {}", r.spec.message);
    if let Some(d) = &r.disabled {
        let _ = writeln!(out, "  DISABLED  {d}");
    }
    if !r.spec.tags.is_empty() {
        let _ = writeln!(out, "  tags      {}", r.spec.tags.join(", "));
    }
    if !r.spec.effects.is_empty() {
        let _ = writeln!(out, "  effects   {}", r.spec.effects.join(", "));
    }
    // The source text of the rule, from its file.
    let text = if let Some(name) = r.file.strip_prefix("builtin:") {
        layers::BUILTIN.iter().find(|e| e.file == name).map(|e| e.yaml.to_string())
    } else {
        std::fs::read_to_string(&r.file).ok()
    };
    if let Some(text) = text {
        let start = r.line_col().0.saturating_sub(1) as usize;
        let lines: Vec<&str> = text.lines().collect();
        let _ = writeln!(out, "\n  source:");
        let first = start;
        for (i, l) in lines.iter().enumerate().skip(first) {
            if i > first && l.trim_start().starts_with("- id:") {
                break;
            }
            let _ = writeln!(out, "    {l}");
        }
    }
    (out, 0)
}

pub fn lint(files: &[PathBuf]) -> (String, u8) {
    let mut out = String::new();
    let mut problems = Vec::new();
    let builtin = layers::builtin_packs();
    let targets: Vec<(String, String)> = if files.is_empty() {
        let cwd = std::env::current_dir().unwrap_or_else(|_| "/".into());
        let loc = Locations::from_env(&cwd);
        let mut fs: Vec<PathBuf> = layers::files_in(&loc.system);
        if let Some(u) = &loc.user {
            fs.extend(layers::files_in(u));
        }
        fs.extend(loc.project.clone());
        let mut t: Vec<(String, String)> =
            layers::BUILTIN.iter().map(|e| (format!("builtin:{}", e.file), e.yaml.to_string())).collect();
        t.extend(fs.iter().map(|f| (f.display().to_string(), std::fs::read_to_string(f).unwrap_or_default())));
        t
    } else {
        let mut t = Vec::new();
        for f in files {
            match std::fs::read_to_string(f) {
                Ok(s) => t.push((f.display().to_string(), s)),
                Err(e) => problems.push(format!("{}: cannot read: {e}", f.display())),
            }
        }
        t
    };
    let mut checked = 0;
    for (name, text) in &targets {
        checked += 1;
        match layers::parse(name, text) {
            Ok(spec) => {
                let earlier: &[LoadedPack] = if name.starts_with("builtin:") { &[] } else { &builtin };
                let mut lists_from = Vec::new();
                if name.starts_with("builtin:") {
                    lists_from = layers::builtin_packs();
                }
                let ctx: &[LoadedPack] = if name.starts_with("builtin:") { &lists_from } else { earlier };
                problems.extend(layers::lint_pack(name, &spec, ctx).iter().map(|p| p.to_string()));
            }
            Err(p) => problems.push(p.to_string()),
        }
    }
    for p in &problems {
        let _ = writeln!(out, "{p}");
    }
    let _ = writeln!(out, "{checked} file(s) checked, {} problem(s)", problems.len());
    (out, if problems.is_empty() { 0 } else { 1 })
}

pub fn test(files: &[PathBuf]) -> (String, u8) {
    let cwd = std::env::current_dir().unwrap_or_else(|_| "/".into());
    let p = layers::load_over(&Locations::from_env(&cwd), layers::builtin_packs_from_yaml());
    for w in &p.warnings {
        eprintln!("guard: warning: {w}");
    }
    let ctx = FakeContext::default();
    let mut report = Report::default();
    report.run(&p, &ctx, &testing::example_cases(&p));
    let mut out = String::new();
    let mut failed = false;
    for f in files {
        let text = match std::fs::read_to_string(f) {
            Ok(t) => t,
            Err(e) => {
                let _ = writeln!(out, "{}: cannot read: {e}", f.display());
                failed = true;
                continue;
            }
        };
        match testing::corpus_cases(&f.display().to_string(), &text) {
            Ok(cases) => report.run(&p, &ctx, &cases),
            Err(e) => {
                let _ = writeln!(out, "{e}");
                failed = true;
            }
        }
    }
    let _ = LayerKind::Builtin;
    out.push_str(&report.render());
    (out, if failed || !report.failures.is_empty() { 1 } else { 0 })
}
