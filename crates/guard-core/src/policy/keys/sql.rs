//! `sql:` — SQL statement classes found in the SQL a database client is given: `drop`,
//! `truncate`, `delete_all`, `update_all`, `delete`, `update`, `alter`, `grant`, `write`,
//! `unparsed`.

use super::super::cmdline::FlagValue;
use super::super::items::OneOrMany;
use super::super::matcher::{Culprit, Subject};
use super::super::names::Gate;
use super::super::sql;
use super::kit::{Found, GateCx, Lint};
use crate::plan::Span;

pub(crate) type Spec = OneOrMany;

pub(crate) fn lint(v: &Spec, cx: &mut Lint) {
    cx.items(v, sql::CLASSES, "SQL class");
}

pub(crate) fn gate(_: &Spec, _: &mut GateCx, _: &mut Gate) {}

pub(crate) fn eval(classes: &Spec, s: &Subject, found: &mut Found) -> Option<()> {
    let want = s.items(classes);
    let (text, span) = sql_text(s)?;
    let got = sql::classify(s.inv.program_name().unwrap_or(""), &text);
    let hit = got.iter().find(|g| want.iter().any(|w| w == *g))?;
    found.point(Culprit { span, text: format!("{hit}: {}", crate::explain::clip(&text, 60)) });
    Some(())
}

/// The SQL a database client is given: `-c`/`-e`/`-q`/`--command`/`--execute`/`--query`, the
/// statement after the database for sqlite3, or its heredoc/here-string.
fn sql_text(s: &Subject) -> Option<(String, Span)> {
    let name = s.inv.program_name().unwrap_or("");
    let mut parts = Vec::new();
    let mut span: Option<Span> = None;
    for f in &s.cmd.flags {
        if matches!(
            f.spelling.as_str(),
            "-c" | "--command" | "-e" | "--execute" | "-q" | "-Q" | "--query" | "--eval" | "-cmd"
        ) {
            match &f.value {
                Some(FlagValue::Word(w)) => {
                    parts.push(w.display());
                    span = Some(w.span);
                }
                Some(FlagValue::Attached(t)) => {
                    parts.push(t.clone());
                    span = Some(f.word.span);
                }
                None => {}
            }
        }
    }
    // `bq query 'SQL'`: the words after the subcommand.
    let skip = match name {
        n if n.starts_with("sqlite") || n == "duckdb" => Some(1),
        "bq" if s.cmd.positionals.first().and_then(|w| w.as_literal()) == Some("query") => Some(1),
        _ => None,
    };
    if let Some(skip) = skip {
        for w in s.cmd.positionals.iter().skip(skip) {
            parts.push(w.display());
            span.get_or_insert(w.span);
        }
    }
    for r in &s.inv.redirects {
        if let Some(t) = r.stdin_text() {
            parts.push(t.display());
            span.get_or_insert(r.span);
        }
    }
    // SQL piped in from echo/printf/cat <<EOF.
    for up in s.plan.upstream(s.inv) {
        let stdin = up.redirects.iter().find_map(|r| r.stdin_text());
        if let Some(w) = crate::shell::programs::literal_output(up, stdin) {
            parts.push(w.display());
            span.get_or_insert(up.span);
        }
    }
    if parts.is_empty() {
        return None;
    }
    Some((parts.join(";\n"), span.unwrap_or(s.inv.span)))
}
