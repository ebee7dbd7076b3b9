//! `guard rules list | show | lint | test`.

use std::fmt::Write as _;
use std::path::PathBuf;

use crate::host::Host;
use crate::policy::checks;
use crate::policy::engine::{LayerKind, Policy};
use crate::policy::testing::{self, Report};
use crate::policy::trust::{self, Trust};
use crate::policy::FakeContext;
use crate::policy_files::{self, Locations};

pub fn list(p: &Policy, json: bool) -> (String, u8) {
    let mut out = String::new();
    if json {
        let rows: Vec<serde_json::Value> = p
            .rules
            .iter()
            .map(|r| {
                serde_json::json!({
                    "id": r.id(), "pack": &*r.pack, "decision": r.spec.decision, "severity": r.spec.severity,
                    "layer": r.layer.name(), "location": r.location(), "disabled": r.disabled,
                    "description": r.spec.description, "tags": r.spec.tags,
                })
            })
            .chain(checks::CHECKS.iter().map(|c| {
                serde_json::json!({
                    "id": c.id, "pack": null, "decision": c.decision, "severity": null, "layer": "code",
                    "location": null, "disabled": null, "description": c.summary, "tags": [],
                })
            }))
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
        for c in checks::CHECKS {
            let _ =
                writeln!(out, "{:<40} {:<5} {:<8} {:<13} {}", c.id, c.decision.as_str(), "", "(in code)", c.summary);
        }
    }
    (out, 0)
}

pub fn show(p: &Policy, id: &str) -> (String, u8) {
    if let Some(c) = checks::check(id) {
        return (show_check(c), 0);
    }
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
        guard_rules::PACKS.iter().find(|e| e.file == name).map(|e| e.yaml.to_string())
    } else {
        std::fs::read_to_string(&*r.file).ok()
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

/// A check written in code: what it decides and covers. No policy file can change it.
fn show_check(c: &checks::Check) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}  (built into guard, in code: no policy file can disable or override it)", c.id);
    let _ = writeln!(out, "  {}", c.summary);
    let _ = writeln!(out, "  decision  {}", c.decision.as_str());
    let _ = writeln!(out, "\n  covers:");
    for l in c.covers.lines() {
        let _ = writeln!(out, "    {l}");
    }
    out
}

/// The layer a policy file named on the command line would be read as: a `.guard.yaml` is a
/// project's, a file in the system directory the system's, anything else the user's.
fn layer_of(path: &std::path::Path, system: &std::path::Path) -> LayerKind {
    if path.file_name().is_some_and(|n| n == ".guard.yaml") {
        LayerKind::Project
    } else if path.starts_with(system) {
        LayerKind::System
    } else {
        LayerKind::User
    }
}

pub fn lint(host: &Host, own: &Policy, files: &[PathBuf]) -> (String, u8) {
    let mut out = String::new();
    let mut problems = Vec::new();
    let builtin = guard_rules::BUILTIN.packs();
    let loc = Locations::of(host);
    let targets: Vec<(String, String, LayerKind)> = if files.is_empty() {
        let fs = loc.files();
        let mut t: Vec<(String, String, LayerKind)> = guard_rules::PACKS
            .iter()
            .map(|e| (format!("builtin:{}", e.file), e.yaml.to_string(), LayerKind::Builtin))
            .collect();
        for (f, layer, unlisted) in fs {
            if let Some(why) = unlisted {
                problems.push(format!("{}: {why}", f.display()));
                continue;
            }
            match crate::small_file::read_text(&f, policy_files::MAX_POLICY_FILE) {
                Ok(s) => t.push((f.display().to_string(), s, layer)),
                Err(e) => problems.push(format!("{}: cannot read: {e}", f.display())),
            }
        }
        t
    } else {
        let mut t = Vec::new();
        for f in files {
            match crate::small_file::read_text(f, policy_files::MAX_POLICY_FILE) {
                Ok(s) => t.push((f.display().to_string(), s, layer_of(f, &loc.system))),
                Err(e) => problems.push(format!("{}: cannot read: {e}", f.display())),
            }
        }
        t
    };
    // What a file may do depends on its layer, and on whether the system policy locked the rest.
    let locked = own.settings.locked;
    // What a file is checked against: the layers before it (a user file cannot redefine a rule
    // the system layer locked, a project file cannot reuse an id the user layer defined).
    let below = |layer: LayerKind| -> Policy {
        let mut loc = Locations { project: Vec::new(), extra: Vec::new(), ..Locations::of(host) };
        match layer {
            LayerKind::Builtin | LayerKind::System => Policy::from_packs(guard_rules::BUILTIN.packs()),
            LayerKind::User | LayerKind::CommandLine => {
                loc.user = None;
                policy_files::load(&loc)
            }
            LayerKind::Project => policy_files::load(&loc),
        }
    };
    let mut earlier: std::collections::HashMap<LayerKind, Policy> = std::collections::HashMap::new();
    let mut checked = 0;
    for (name, text, layer) in &targets {
        checked += 1;
        match guard_core::policy::layers::parse(name, text) {
            Ok(mut spec) => {
                problems
                    .extend(guard_core::policy::layers::lint_pack(name, &spec, &builtin).iter().map(|p| p.to_string()));
                problems
                    .extend(guard_core::policy::layers::settings_problems(name, &spec).iter().map(|p| p.to_string()));
                if let Some(s) = &spec.settings {
                    let shell = s.value.shell.as_deref().map(std::path::Path::new);
                    if let Some(sh) = shell.filter(|p| p.is_absolute() && !crate::run::shell::is_executable(p)) {
                        let (line, col) = (s.referenced.line(), s.referenced.column());
                        problems.push(format!(
                            "{name}:{line}:{col}: settings.shell `{}` is not an executable file (guard falls back to \
                             bash on PATH and warns on every command); install it or fix the path",
                            sh.display()
                        ));
                    }
                }
                let standing = trust::Standing { locked, extra_from_person: true, nested: loc.nested };
                let trust = Trust::for_layer(*layer, standing);
                let earlier = earlier.entry(*layer).or_insert_with(|| below(*layer));
                for r in trust::restrict(&mut spec, trust, trust::describe(*layer, trust), &*earlier) {
                    let at = if r.line == 0 { name.clone() } else { format!("{name}:{}:{}", r.line, r.column) };
                    problems.push(format!("{at}: {}", r.message));
                }
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

pub fn test(host: &Host, files: &[PathBuf]) -> (String, u8) {
    let p = policy_files::load_over(&Locations::of(host), guard_rules::BUILTIN.packs_from_yaml());
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
    out.push_str(&report.render());
    (out, if failed || !report.failures.is_empty() { 1 } else { 0 })
}
