//! Simple commands: their words (touching word nodes read as one bash word, skipped text taken
//! in place), assignments and redirections gathered into one invocation, which is then
//! unwrapped (`sudo …`, `bash -c …`) and alias-expanded.

use tree_sitter::Node;

use super::heredoc::Tail;
use super::redirects::extra_destinations;
use super::tree::{opaque_ranges, word_range};
use super::{Builder, Frame, Job, Walk};
use crate::plan::*;
use crate::shell::expand;
use crate::shell::lexer::{self, Mode};

/// Reserved words that can't start a command; the grammar sometimes reads a stray one as one.
const RESERVED_AS_COMMAND: &[&str] = &["then", "else", "elif", "fi", "do", "done", "esac", "}", "in", ";;"];

/// What a redirected statement gives the simple command in it: its redirections, heredoc
/// tails, the words after a redirection's target, and the statement's bytes.
pub(super) struct Outer<'t> {
    pub(super) redirects: Vec<Redirect>,
    pub(super) tails: Vec<Tail>,
    pub(super) more: Vec<Node<'t>>,
    pub(super) statement: (usize, usize),
}

impl Builder<'_, '_> {
    pub(super) fn command<'t>(&mut self, w: &mut Walk<'t, '_>, n: Node<'t>, ctx: usize) {
        let outer = Outer {
            redirects: Vec::new(),
            tails: Vec::new(),
            more: Vec::new(),
            statement: (n.start_byte(), n.end_byte()),
        };
        self.command_with(w, n, ctx, outer);
    }

    pub(super) fn command_with<'t>(&mut self, w: &mut Walk<'t, '_>, n: Node<'t>, ctx: usize, outer: Outer<'t>) {
        let Outer { mut redirects, mut tails, more, statement } = outer;
        // Where the grammar lost track inside the command (a separator read as an ERROR
        // argument, an operator token as an argument), bash's own word splitting decides.
        // A lone `$` token right before a string is the `$"…"` (translated string) spelling,
        // which the lexer reads itself.
        let dollar_string = |i: u32| {
            n.child(i).is_some_and(|c| c.kind() == "$")
                && n.child(i + 1)
                    .is_some_and(|x| x.start_byte() == n.child(i).map_or(0, |c| c.end_byte()) && x.kind() == "string")
        };
        let garbled = n.has_error()
            || (0..n.child_count() as u32).any(|i| {
                n.child(i).is_some_and(|c| !c.is_named() && n.field_name_for_child(i) == Some("argument"))
                    && !dollar_string(i)
            });
        if garbled {
            for i in 0..n.named_child_count() {
                if let Some(c) = n.named_child(i as u32) {
                    if matches!(c.kind(), "file_redirect" | "heredoc_redirect" | "herestring_redirect") {
                        self.redirect(w, c, &mut redirects, &mut tails);
                    }
                }
            }
            let rec = self.derive_ctx(w, ctx, |x| {
                x.via.push(Via::SyntaxErrorRecovery);
                x.redirects.extend(redirects);
            });
            w.stack.push(Frame::SubstOnly(n, rec));
            w.stack.push(Frame::Recovered { start: n.start_byte(), end: n.end_byte(), ctx: rec });
            for t in tails {
                self.queue_tail(w, t, ctx, None);
            }
            return;
        }
        let mut assignments = Vec::new();
        // Word nodes, grouped when they touch: the grammar sometimes splits one bash word in
        // two (`'a'\_`), and bash would read them as one.
        let mut groups: Vec<Vec<Node<'t>>> = Vec::new();
        let mut last_end: Option<usize> = None;
        for i in 0..n.child_count() as u32 {
            let Some(c) = n.child(i) else { continue };
            if !c.is_named() && !dollar_string(i) {
                continue;
            }
            match c.kind() {
                "variable_assignment" => {
                    if let Some(a) = self.assignment(w, c, ctx, false) {
                        assignments.push(a);
                    }
                    last_end = None;
                }
                "file_redirect" | "heredoc_redirect" | "herestring_redirect" => {
                    self.redirect(w, c, &mut redirects, &mut tails);
                    // bash reads the words after a redirection's target as more words of the
                    // command (`rm 2>/dev/null x` removes x); the grammar files them under the
                    // redirection.
                    groups.extend(extra_destinations(c).into_iter().map(|d| vec![d]));
                    last_end = None;
                }
                "comment" => last_end = None,
                _ => {
                    let touches = last_end == Some(c.start_byte()) && word_range(&w.job.text, c).0 == c.start_byte();
                    match groups.last_mut() {
                        Some(g) if touches => g.push(c),
                        _ => groups.push(vec![c]),
                    }
                    last_end = Some(c.end_byte());
                }
            }
        }
        groups.extend(more.into_iter().map(|d| vec![d]));
        groups.retain(
            |g| !matches!(g.as_slice(), [d] if self.descriptor_words.contains(&(d.start_byte(), d.end_byte()))),
        );
        // Text the grammar skipped inside this statement is more words of it, in place.
        let mut extra: Vec<(usize, usize)> = Vec::new();
        w.gaps.retain(|&(s, e)| {
            let inside = s >= statement.0 && e <= statement.1;
            if inside {
                extra.extend(lexer::split_commands(&w.job.text, s, e).into_iter().flatten());
            }
            !inside
        });
        let mut words = Vec::new();
        let mut extra = extra.into_iter().peekable();
        for g in &groups {
            while let Some((s, e)) = extra.next_if(|&(s, _)| s < g[0].start_byte()) {
                words.extend(self.plain_word(w.job, s, e));
            }
            words.extend(self.words_of(w.job, g));
        }
        for (s, e) in extra {
            words.extend(self.plain_word(w.job, s, e));
        }
        let span = self.map(w.job, n.start_byte(), n.end_byte());
        // Substitutions inside the words run before the command.
        self.push_substitutions(w, n, ctx);
        if words.is_empty() {
            if !redirects.is_empty() {
                self.emit_bare_redirect(w, ctx, span, redirects, tails);
            }
            return;
        }
        let mut all_redirects = w.ctxs[ctx].redirects.clone();
        all_redirects.extend(redirects);
        let id = self.emit(w, ctx, span, words, assignments, all_redirects);
        self.note_builtin_effects(id, &w.ctxs[ctx], w.serial, Some(n.id()));
        let pipe_out = tails.iter().any(|t| t.pipe);
        if pipe_out {
            let pid = self.plan.pipelines.len();
            self.plan.pipelines.push(Pipeline { id: pid, span, stages: vec![vec![id]], stderr_piped: Vec::new() });
            self.plan.invocations[id].pipeline = Some(PipePos { pipeline: pid, stage: 0, stages: 1 });
            for t in tails {
                let join = t.pipe.then_some(pid);
                self.queue_tail(w, t, ctx, join);
            }
        } else {
            for t in tails {
                self.queue_tail(w, t, ctx, None);
            }
        }
    }

    pub(super) fn emit_bare_redirect(
        &mut self,
        w: &mut Walk,
        ctx: usize,
        span: Span,
        redirects: Vec<Redirect>,
        tails: Vec<Tail>,
    ) {
        let words = vec![Word::literal("", span)];
        let mut all = w.ctxs[ctx].redirects.clone();
        all.extend(redirects);
        self.emit(w, ctx, span, words, Vec::new(), all);
        for t in tails {
            self.queue_tail(w, t, ctx, None);
        }
    }

    /// Create an invocation from resolved words and unwrap what it runs.
    pub(super) fn emit(
        &mut self,
        w: &mut Walk,
        ctx: usize,
        span: Span,
        mut words: Vec<Word>,
        assignments: Vec<Assignment>,
        redirects: Vec<Redirect>,
    ) -> usize {
        let c = &w.ctxs[ctx];
        let program = words.remove(0);
        // A function runs if it was defined before this point, or this is inside a function
        // body (which only runs when called, later).
        let in_function = c.via.iter().any(|v| matches!(v, Via::FunctionBody { .. }));
        let calls_function = program
            .as_literal()
            .and_then(|p| self.scope_functions.get(p))
            .is_some_and(|&at| at <= span.start || in_function);
        if let Some(p) = program.as_literal() {
            if RESERVED_AS_COMMAND.contains(&p) && !c.via.contains(&Via::SyntaxErrorRecovery) {
                self.issue(
                    IssueKind::SyntaxError,
                    span,
                    format!("`{p}` where bash expects a command: the line is not valid bash"),
                );
            }
        }
        let id = self.plan.invocations.len();
        let mut inv = Invocation {
            id,
            program,
            args: words,
            assignments,
            redirects,
            span,
            via: c.via.clone(),
            depth: c.depth,
            parent: c.parent,
            pipeline: None,
            code: None,
            calls_function,
            cwd: None,
            cwd_alternatives: Vec::new(),
            cwd_unknown: false,
        };
        self.state.cwd.fill(&mut inv, self.start());
        self.plan.invocations.push(inv);
        self.inv_cwd.push(self.state.cwd.clone());
        if let Some((pid, stage)) = c.pipe {
            if let Some(s) = self.plan.pipelines.get_mut(pid).and_then(|p| p.stages.get_mut(stage)) {
                s.push(id);
            }
        }
        self.unwrap(w, ctx, id);
        self.expand_alias(w, ctx, id);
        // A function of the text that changes directory may have moved the shell.
        if calls_function && self.fn_changes_dir {
            self.state.cwd.mark_unknown();
        }
        id
    }

    /// Resolve the argv words one syntax node stands for (brace expansion may give several).
    pub(super) fn words(&self, job: &Job, n: Node) -> Vec<Word> {
        self.words_of(job, &[n])
    }

    /// Resolve a word from raw text, without a syntax node.
    fn plain_word(&self, job: &Job, start: usize, end: usize) -> Vec<Word> {
        let lexed = lexer::lex(&job.text, start, end, Mode::Word, &[]);
        expand::expand(lexed, &self.vars, self.env, self.map(job, start, end), expand::WORD)
    }

    /// Resolve touching word nodes as one bash word.
    fn words_of(&self, job: &Job, nodes: &[Node]) -> Vec<Word> {
        let (Some(first), Some(last)) = (nodes.first(), nodes.last()) else { return Vec::new() };
        let (start, end) = (word_range(&job.text, *first).0, last.end_byte());
        let mut opaque: Vec<(usize, usize)> = nodes.iter().flat_map(|n| opaque_ranges(&job.text, *n)).collect();
        opaque.sort_unstable();
        let lexed = lexer::lex(&job.text, start, end, Mode::Word, &opaque);
        let mut words = expand::expand(lexed, &self.vars, self.env, self.map(job, start, end), expand::WORD);
        if words.len() > expand::MAX_BRACE_WORDS {
            words.truncate(expand::MAX_BRACE_WORDS);
        }
        words
    }
}

#[cfg(test)]
mod tests {
    use crate::plan::IssueKind;
    use crate::shell::testing::{issues, plan, runs};

    #[test]
    fn a_simple_command_is_its_words() {
        for (text, want) in [
            ("rm -rf x", vec!["rm -rf x"]),
            // Words after a redirection's target are more words of the command.
            ("rm 2>/dev/null x", vec!["rm x"]),
            // Word nodes that touch are one bash word.
            (r"'a'\_b", vec!["a_b"]),
            ("A=1 B=$x cmd arg", vec!["cmd arg"]),
            ("echo {a,b}c", vec!["echo ac bc"]),
        ] {
            assert_eq!(runs(text), want, "{text}");
        }
    }

    #[test]
    fn assignments_before_a_command_are_its_environment() {
        let plan = plan("A=1 B=$x cmd arg");
        let got: Vec<String> =
            plan.invocations[0].assignments.iter().map(|a| format!("{}={}", a.name, a.value.display())).collect();
        assert_eq!(got, ["A=1", "B=‹$x›"]);
    }

    #[test]
    fn a_reserved_word_where_a_command_should_be_is_reported() {
        assert_eq!(issues("fi"), [IssueKind::SyntaxError]);
        assert_eq!(issues("if a; then b; fi"), []);
    }
}
