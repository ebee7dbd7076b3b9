//! Assignments (`NAME=value`, `NAME+=…`, arrays) and declaration builtins (`export`, `local`,
//! `declare`, `unset`): what the variables hold from here on, and which are exported.

use tree_sitter::Node;

use super::tree::{node_text, opaque_ranges};
use super::{Builder, Walk};
use crate::plan::*;
use crate::shell::expand;
use crate::shell::lexer::{self, Mode};

impl Builder<'_, '_> {
    pub(super) fn declaration<'t>(&mut self, w: &mut Walk<'t, '_>, n: Node<'t>, ctx: usize) {
        let keyword = n.child(0).map(|k| k.kind().to_string()).unwrap_or_default();
        let mut words = vec![Word::literal(keyword.clone(), self.map(w.job, n.start_byte(), n.end_byte()))];
        for i in 0..n.named_child_count() {
            let Some(c) = n.named_child(i as u32) else { continue };
            match c.kind() {
                "variable_assignment" => {
                    let span = self.map(w.job, c.start_byte(), c.end_byte());
                    if let Some(a) = self.assignment(w, c, ctx, keyword != "local") {
                        let value = match &a.value.value {
                            Value::Literal(v) => Value::Literal(format!("{}={}", a.name, v)),
                            Value::Dynamic(parts) => {
                                let mut p = vec![Part::Text(format!("{}=", a.name))];
                                p.extend(parts.iter().cloned());
                                Value::Dynamic(p)
                            }
                        };
                        words.push(Word { value, glob: false, span });
                    }
                }
                "variable_name" if keyword == "unset" => {
                    let name = node_text(&w.job.text, c).to_string();
                    let definite = !w.ctxs[ctx].uncertain;
                    self.vars.assign(&name, Some(String::new()), definite);
                    words.push(Word::literal(name, self.map(w.job, c.start_byte(), c.end_byte())));
                }
                "comment" => {}
                _ => words.extend(self.words(w.job, c)),
            }
        }
        // `export NAME` and `declare -x NAME` hand the variable to child processes.
        let exports = keyword == "export"
            || (matches!(keyword.as_str(), "declare" | "typeset")
                && words.iter().any(|w| w.as_literal().is_some_and(|t| t.starts_with('-') && t.contains('x'))));
        if exports {
            for word in &words[1..] {
                let text = word.known_prefix();
                let name = text.split('=').next().unwrap_or_default();
                if lexer::is_name(name) {
                    self.vars.export(name);
                }
            }
        }
        let span = self.map(w.job, n.start_byte(), n.end_byte());
        self.push_substitutions(w, n, ctx);
        let redirects = w.ctxs[ctx].redirects.clone();
        self.emit(w, ctx, span, words, Vec::new(), redirects);
    }

    /// `NAME=value` (or `NAME+=value`, `NAME=(a b)`): resolve the value and, for standalone
    /// assignments, remember it.
    pub(super) fn assignment<'t>(
        &mut self,
        w: &mut Walk<'t, '_>,
        n: Node<'t>,
        ctx: usize,
        standalone: bool,
    ) -> Option<Assignment> {
        let name_node = n.child_by_field_name("name")?;
        let name = node_text(&w.job.text, name_node).to_string();
        // `BASH_ALIASES[x]=…` defines an alias guard does not follow.
        if name == "BASH_ALIASES" || name.starts_with("BASH_ALIASES[") {
            let span = self.map(w.job, n.start_byte(), n.end_byte());
            self.issue(
                IssueKind::RunTime,
                span,
                "an alias set through BASH_ALIASES, which guard does not follow".into(),
            );
        }
        let appending = n.child(1).is_some_and(|op| op.kind() == "+=");
        let value = match n.child_by_field_name("value") {
            Some(v) if v.kind() == "array" => Word::unknown(
                node_text(&w.job.text, v).to_string(),
                "array value",
                self.map(w.job, v.start_byte(), v.end_byte()),
            ),
            Some(v) => {
                let lexed =
                    lexer::lex(&w.job.text, v.start_byte(), v.end_byte(), Mode::Word, &opaque_ranges(&w.job.text, v));
                expand::expand_single(
                    lexed,
                    &self.vars,
                    self.env,
                    self.map(w.job, v.start_byte(), v.end_byte()),
                    expand::ASSIGNMENT,
                )
            }
            None => Word::literal("", self.map(w.job, n.end_byte(), n.end_byte())),
        };
        let name = name.split('[').next().unwrap_or_default().to_string();
        if standalone {
            let definite = !w.ctxs[ctx].uncertain;
            if appending {
                let joined = match (self.vars.known(&name), value.as_literal()) {
                    (Some(old), Some(v)) => Some(format!("{old}{v}")),
                    _ => None,
                };
                self.vars.assign(&name, joined, definite);
            } else {
                self.vars.assign(&name, value.as_literal().map(str::to_string), definite);
            }
        }
        Some(Assignment { name, value })
    }
}

#[cfg(test)]
mod tests {
    use crate::plan::IssueKind;
    use crate::shell::testing::{issues, runs};

    #[test]
    fn later_words_see_what_assignments_set() {
        for (text, want) in [
            ("a=rm; $a -rf x", vec!["rm -rf x"]),
            ("a=x; a+=y; echo $a", vec!["echo xy"]),
            ("unset a; echo \"$a\"", vec!["unset a", "echo ''"]),
            ("a=(1 2); echo $a", vec!["echo ‹$a›"]),
            ("if c; then a=rm; fi; $a x", vec!["c @if/case branch", "‹$a› x"]),
            ("local v=1 w", vec!["local v=1 w"]),
        ] {
            assert_eq!(runs(text), want, "{text}");
        }
    }

    /// Only exported variables reach a new shell.
    #[test]
    fn exported_variables_reach_child_shells() {
        for (text, want) in [
            ("export A=1; bash -c 'echo $A'", "echo 1 @bash -c"),
            ("declare -x A=1; bash -c 'echo $A'", "echo 1 @bash -c"),
            ("A=1; bash -c 'echo $A'", "echo ‹$A› @bash -c"),
        ] {
            assert_eq!(runs(text).last().unwrap(), want, "{text}");
        }
    }

    #[test]
    fn an_alias_set_through_bash_aliases_is_reported() {
        assert_eq!(issues("BASH_ALIASES[x]=y"), [IssueKind::RunTime]);
    }
}
