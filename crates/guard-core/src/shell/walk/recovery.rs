//! Grammar repairs: a region tree-sitter could not parse is still bash that runs. Statements
//! it recognised inside are walked; loose words between separators are read by the plain
//! shell splitter (`{rm,-rf,/}` is a brace word bash runs, which the grammar rejects).

use tree_sitter::Node;

use super::{Builder, Frame, Walk};
use crate::plan::*;
use crate::shell::expand;
use crate::shell::lexer::{self, Mode};

const STATEMENTS: &[&str] = &[
    "command",
    "pipeline",
    "list",
    "redirected_statement",
    "subshell",
    "compound_statement",
    "if_statement",
    "case_statement",
    "for_statement",
    "c_style_for_statement",
    "while_statement",
    "function_definition",
    "negated_command",
    "variable_assignment",
    "variable_assignments",
    "declaration_command",
    "unset_command",
    "test_command",
];

const KEYWORDS: &[&str] = &[
    "if", "then", "else", "elif", "fi", "do", "done", "while", "until", "for", "in", "case", "esac", "(", ")", "}",
    "{", "!", "function", ";;", "((", "))", "[[", "]]",
];

/// An ERROR node holding whole statements is handled by `error_region`, not joined.
pub(super) fn has_statement_error(n: Node) -> bool {
    n.is_error() && has_statement(n)
}

fn has_statement(n: Node) -> bool {
    (0..n.named_child_count()).filter_map(|i| n.named_child(i as u32)).any(|c| STATEMENTS.contains(&c.kind()))
}

impl Builder<'_, '_> {
    /// A region the grammar could not parse. Statements it still recognised inside are walked;
    /// runs of loose words between separators are read as commands by a plain shell splitter
    /// (`{rm,-rf,/}` is a brace word bash runs, which the grammar rejects).
    pub(super) fn error_region<'t>(&mut self, w: &mut Walk<'t, '_>, n: Node<'t>, ctx: usize) {
        let rec = self.with_via(w, ctx, Via::SyntaxErrorRecovery);
        let mut run: Vec<Node<'t>> = Vec::new();
        let mut frames: Vec<Frame<'t>> = Vec::new();
        let count = n.child_count() as u32;
        let mut i = 0;
        while i < count {
            let Some(c) = n.child(i) else { break };
            i += 1;
            let kind = c.kind();
            if !c.is_named() && matches!(kind, ";" | "&" | "&&" | "||" | "|" | "|&" | "\n" | ";;" | ";&" | ";;&") {
                self.flush_run(&mut run, rec, &mut frames);
                continue;
            }
            if kind == "{" && !c.is_named() {
                if let Some(next) = n.child(i) {
                    if next.start_byte() == c.end_byte() && next.is_named() {
                        // `{a,b}` read as a group opener followed by a command: one brace word.
                        run.push(c);
                        run.push(next);
                        i += 1;
                        continue;
                    }
                }
                self.flush_run(&mut run, rec, &mut frames);
                continue;
            }
            if c.is_named() && (STATEMENTS.contains(&kind) || kind == "ERROR") {
                self.flush_run(&mut run, rec, &mut frames);
                frames.push(Frame::Node(c, ctx));
                continue;
            }
            if kind == "comment" || kind == "heredoc_body" {
                self.flush_run(&mut run, rec, &mut frames);
                frames.push(Frame::SubstOnly(c, ctx));
                continue;
            }
            run.push(c);
        }
        self.flush_run(&mut run, rec, &mut frames);
        for f in frames.into_iter().rev() {
            w.stack.push(f);
        }
    }

    fn flush_run<'t>(&mut self, run: &mut Vec<Node<'t>>, ctx: usize, frames: &mut Vec<Frame<'t>>) {
        while run.first().is_some_and(|c| {
            !c.is_named()
                && KEYWORDS.contains(&c.kind())
                && !(c.kind() == "{" && run.get(1).is_some_and(|n| n.start_byte() == c.end_byte()))
        }) {
            run.remove(0);
        }
        let (Some(first), Some(last)) = (run.first(), run.last()) else {
            run.clear();
            return;
        };
        let (start, end) = (first.start_byte(), last.end_byte());
        frames.push(Frame::Recovered { start, end, ctx });
        for c in run.iter() {
            frames.push(Frame::SubstOnly(*c, ctx));
        }
        run.clear();
    }

    pub(super) fn recovered(&mut self, w: &mut Walk, start: usize, end: usize, ctx: usize) {
        if w.recovered.iter().any(|&(s, e)| s <= start && end <= e) {
            return;
        }
        w.recovered.push((start, end));
        let text = w.job.text.clone();
        for cmd in lexer::split_commands(&text, start, end) {
            let mut words = Vec::new();
            for (s, e) in &cmd {
                let lexed = lexer::lex(&text, *s, *e, Mode::Word, &[]);
                words.extend(expand::expand(lexed, &self.vars, self.env, self.map(w.job, *s, *e), expand::WORD));
            }
            let words: Vec<Word> =
                words.into_iter().skip_while(|w| w.as_literal().is_some_and(|t| KEYWORDS.contains(&t))).collect();
            if words.is_empty() {
                continue;
            }
            let span = self.map(w.job, cmd[0].0, cmd[cmd.len() - 1].1);
            let redirects = w.ctxs[ctx].redirects.clone();
            let id = self.emit(w, ctx, span, words, Vec::new(), redirects);
            // `{cd,/}` still moves the shell.
            self.note_builtin_effects(id, &w.ctxs[ctx], w.serial, None);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::shell::testing::runs;

    /// What bash would run in a region the grammar rejects is read with the plain splitter.
    #[test]
    fn loose_words_in_a_syntax_error_are_still_commands() {
        for (text, want) in [
            ("{rm,-rf,/}", vec!["rm -rf / @recovered from syntax error"]),
            ("echo ) ; rm x", vec!["echo @recovered from syntax error", "rm x"]),
            ("a ==", vec!["a == @recovered from syntax error"]),
            ("{cd,/}; rm x", vec!["cd / @recovered from syntax error", "rm x"]),
        ] {
            assert_eq!(runs(text), want, "{text}");
        }
    }
}
