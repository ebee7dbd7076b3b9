//! Aliases defined earlier in the text: a command named by one runs the alias's text
//! followed by its other words, read again as shell code.

use std::collections::HashMap;

use super::nested::Enclosing;
use super::{Builder, Ctx, Walk};
use crate::plan::*;
use crate::shell::programs::{self, Chdir, VarScope};

/// A name bash accepts for an alias.
fn alias_name(name: &str) -> bool {
    !name.is_empty() && !name.chars().any(|c| "/$`=\\'\" \t\n|&;()<>".contains(c))
}

/// An alias's text followed by the command's other words, as shell text. Words only partly
/// known keep their unknown parts (read back as placeholders); an alias ending in a blank
/// makes the next word an alias too, as in bash.
fn alias_text(
    value: &str,
    rest: &[Word],
    aliases: &HashMap<String, Vec<Option<String>>>,
    used: &[String],
    span: Span,
) -> Word {
    let mut parts = vec![Part::Text(value.to_string())];
    let mut rest = rest;
    let mut last = value.to_string();
    let mut used: Vec<String> = used.to_vec();
    while last.ends_with([' ', '\t']) && used.len() < 16 {
        let Some(next) = rest.first().and_then(|w| w.as_literal()) else { break };
        let Some([Some(v)]) = aliases.get(next).map(Vec::as_slice) else { break };
        if used.iter().any(|u| u == next) {
            break;
        }
        used.push(next.to_string());
        parts.push(Part::Text(v.clone()));
        last = v.clone();
        rest = &rest[1..];
    }
    for w in rest {
        parts.push(Part::Text(" ".into()));
        match &w.value {
            Value::Literal(t)
                if w.glob && !t.contains(|c: char| c.is_whitespace() || "'\"\\$`;&|<>(){}".contains(c)) =>
            {
                parts.push(Part::Text(t.clone()))
            }
            Value::Literal(t) => parts.push(Part::Text(crate::shell::shell_quote(t))),
            Value::Dynamic(ps) => {
                parts.push(Part::Text("\"".into()));
                for p in ps {
                    match p {
                        Part::Text(t) => {
                            let mut q = String::new();
                            for c in t.chars() {
                                if matches!(c, '\\' | '"' | '$' | '`') {
                                    q.push('\\');
                                }
                                q.push(c);
                            }
                            parts.push(Part::Text(q));
                        }
                        u => parts.push(u.clone()),
                    }
                }
                parts.push(Part::Text("\"".into()));
            }
        }
    }
    let words: Vec<Word> = parts
        .into_iter()
        .map(|p| match p {
            Part::Text(t) => Word::literal(t, span),
            Part::Unknown { what, why } => Word::unknown(what, why, span),
        })
        .collect();
    programs::join_words(&words, "", span)
}

impl Builder<'_, '_> {
    /// `alias NAME=VALUE…`: remember each definition. One made where it may not happen (a
    /// branch, a loop, a subshell, a function) adds a possible value instead of replacing.
    pub(super) fn define_aliases(&mut self, args: &[Word], ctx: &Ctx, span: Span) {
        for a in args {
            if matches!(a.as_literal(), Some("-p" | "--")) {
                continue;
            }
            match a.known_prefix().split_once('=') {
                Some((name, _)) if alias_name(name) => {
                    let value = a.as_literal().map(|t| t[name.len() + 1..].to_string());
                    let values = self.aliases.entry(name.to_string()).or_default();
                    if !ctx.uncertain {
                        values.clear();
                    }
                    if !values.contains(&value) && values.len() < 8 {
                        values.push(value);
                    }
                }
                Some(_) => {}
                None if a.is_dynamic() => self.issue(
                    IssueKind::RunTime,
                    span,
                    format!(
                        "`alias {}` defines an alias whose name is only known at run time; it may change what later \
                         commands run",
                        a.display()
                    ),
                ),
                None => {}
            }
        }
    }

    /// A command whose first word is an alias defined earlier runs the alias's text followed by
    /// its other words, read again as shell code (bash does this only with `expand_aliases` and
    /// on lines read after the definition; guard assumes it always does).
    pub(super) fn expand_alias(&mut self, w: &mut Walk, ctx: usize, id: usize) {
        let inv = &self.plan.invocations[id];
        let Some(name) = inv.program.as_literal() else { return };
        if w.ctxs[ctx].aliasing.iter().any(|a| a == name) {
            return;
        }
        let Some(values) = self.aliases.get(name).cloned() else { return };
        let name = name.to_string();
        let rest = inv.args.clone();
        let span = inv.span;
        let uncertain = w.ctxs[ctx].uncertain;
        let pipe = w.ctxs[ctx].pipe;
        let mut aliasing = w.ctxs[ctx].aliasing.clone();
        aliasing.push(name.clone());
        for value in values {
            let via = Via::Alias { name: name.clone() };
            match value {
                Some(v) => {
                    let text = alias_text(&v, &rest, &self.aliases, &aliasing, span);
                    let outer = Enclosing { uncertain, pipe, aliasing: aliasing.clone() };
                    self.nested(id, &text, via, VarScope::Shared, &Chdir::Stay, outer);
                }
                None => {
                    let span = self.plan.invocations[id].program.span;
                    let program =
                        Word::unknown(format!("alias {name}"), "an alias whose value is only known at run time", span);
                    let cwd = self.inv_cwd[id].clone();
                    self.derived(id, program, rest.clone(), Vec::new(), via, cwd, pipe);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::plan::IssueKind;
    use crate::shell::testing::{issues, runs};

    #[test]
    fn a_command_named_by_an_alias_runs_its_text() {
        for (text, want) in [
            ("alias r='rm -rf'; r /", vec!["alias 'r=rm -rf'", "r /", "rm -rf / @alias r"]),
            // An alias ending in a blank makes the next word an alias too.
            (
                "alias a='b '; alias b=c; a x",
                vec!["alias 'a=b '", "alias b=c", "a x", "b x @alias a", "c x @alias a > alias b"],
            ),
            ("alias r='rm'; unalias r; r x", vec!["alias r=rm", "unalias r", "r x"]),
            ("alias ls='ls -l'; ls", vec!["alias 'ls=ls -l'", "ls", "ls -l @alias ls"]),
        ] {
            assert_eq!(runs(text), want, "{text}");
        }
    }

    #[test]
    fn an_alias_named_at_run_time_is_reported() {
        assert_eq!(issues("alias $n=x"), [IssueKind::RunTime]);
    }
}
