//! Redirections: each as a [`Redirect`] of its command, including the descriptor the grammar
//! sometimes reads as a word (`bash 0<<<CODE`), a redirected compound statement, and words
//! written after a redirection's target.

use tree_sitter::Node;

use super::command::Outer;
use super::heredoc::Tail;
use super::tree::{node_text, opaque_ranges, word_range};
use super::{Builder, Frame, Walk};
use crate::plan::*;
use crate::shell::expand;
use crate::shell::lexer::{self, Mode};

/// The destination words of a redirection after its target: the grammar puts the words that
/// follow a redirection (`>f a b`) under it.
pub(super) fn extra_destinations(n: Node<'_>) -> Vec<Node<'_>> {
    let mut cursor = n.walk();
    // `<&-` and `>&-` close a descriptor and have no target of their own.
    let target = usize::from(!closes(n));
    n.children_by_field_name("destination", &mut cursor).skip(target).collect()
}

/// A redirection that closes a descriptor (`<&-`, `>&-`).
fn closes(n: Node<'_>) -> bool {
    (0..n.child_count() as u32).filter_map(|i| n.child(i)).any(|c| matches!(c.kind(), "<&-" | ">&-"))
}

impl Builder<'_, '_> {
    pub(super) fn redirected<'t>(&mut self, w: &mut Walk<'t, '_>, n: Node<'t>, ctx: usize) {
        let mut redirects = Vec::new();
        let mut tails = Vec::new();
        let mut body = None;
        // Words after a redirection's target (`rm 2>/dev/null x`): more words of a simple
        // command, in order; anywhere else, not understood.
        let mut more = Vec::new();
        let is_command = (0..n.named_child_count())
            .filter_map(|i| n.named_child(i as u32))
            .find(|c| !matches!(c.kind(), "file_redirect" | "heredoc_redirect" | "herestring_redirect" | "comment"))
            .is_some_and(|c| c.kind() == "command");
        for i in 0..n.named_child_count() {
            let Some(c) = n.named_child(i as u32) else { continue };
            match c.kind() {
                "file_redirect" | "heredoc_redirect" | "herestring_redirect" => {
                    self.redirect(w, c, &mut redirects, &mut tails);
                    if is_command {
                        more.extend(extra_destinations(c));
                    } else {
                        self.stray_destinations(w, c);
                    }
                    self.push_substitutions(w, c, ctx);
                }
                "comment" => {}
                _ if body.is_none() => body = Some(c),
                _ => w.stack.push(Frame::Node(c, ctx)),
            }
        }
        let Some(body) = body else {
            if !redirects.is_empty() {
                let span = self.map(w.job, n.start_byte(), n.end_byte());
                self.emit_bare_redirect(w, ctx, span, redirects, tails);
            }
            return;
        };
        if body.kind() == "command" {
            let outer = Outer { redirects, tails, more, statement: (n.start_byte(), n.end_byte()) };
            self.command_with(w, body, ctx, outer);
        } else {
            // `{ cat; } <<EOF | sh`, `a && cat <<EOF | sh`: the grammar hangs the heredoc (and the
            // `| sh` after it) on the whole statement. What the statement prints is the next
            // stage's stdin: its commands make the first stage (a pipeline's own stages are
            // their own, so only "the output of the previous stage" is known there).
            let piped = tails.iter().any(|t| t.pipe).then(|| {
                let pid = self.plan.pipelines.len();
                let span = self.map(w.job, n.start_byte(), n.end_byte());
                self.plan.pipelines.push(Pipeline {
                    id: pid,
                    span,
                    stages: vec![Vec::new()],
                    stderr_piped: Vec::new(),
                });
                pid
            });
            let is_pipeline = body.kind() == "pipeline";
            let c = self.derive_ctx(w, ctx, |x| {
                if is_pipeline {
                    x.last_stage_redirects = redirects;
                } else {
                    x.redirects.extend(redirects);
                    if let Some(pid) = piped {
                        x.pipe = Some((pid, 0));
                    }
                }
            });
            w.stack.push(Frame::Node(body, c));
            for t in tails {
                let join = if t.pipe { piped } else { None };
                self.queue_tail(w, t, ctx, join);
            }
        }
    }

    /// Words after a redirection's target outside a simple command (`{ …; } >f x`): bash
    /// rejects them, guard cannot place them, so they are recorded as not understood.
    pub(super) fn stray_destinations(&mut self, w: &Walk, n: Node) {
        if let Some(d) = extra_destinations(n).first() {
            let span = self.map(w.job, d.start_byte(), n.end_byte());
            self.issue(IssueKind::SyntaxError, span, "words after a redirection's target, outside a command".into());
        }
    }

    pub(super) fn redirect<'t>(
        &mut self,
        w: &mut Walk<'t, '_>,
        n: Node<'t>,
        out: &mut Vec<Redirect>,
        tails: &mut Vec<Tail>,
    ) {
        let text = &w.job.text;
        let span = self.map(w.job, n.start_byte(), n.end_byte());
        let mut fd = n.child_by_field_name("descriptor").and_then(|d| node_text(text, d).parse().ok());
        // Digits right before the operator are its descriptor, though the grammar makes them a
        // word of the command (for `<<<` and some `<`): `bash 0<<<CODE` reads CODE on stdin.
        if fd.is_none() {
            let start = n.start_byte();
            let before = &text.as_bytes()[..start];
            let digits = before.iter().rev().take_while(|b| b.is_ascii_digit()).count();
            let lead = start - digits;
            if digits > 0 && (lead == 0 || matches!(before[lead - 1], b' ' | b'\t' | b'\n' | b';' | b'&' | b'|' | b'('))
            {
                fd = text[lead..start].parse().ok();
                self.descriptor_words.insert((lead, start));
            }
        }
        match n.kind() {
            "heredoc_redirect" => self.heredoc(w, n, fd, span, out, tails),
            "herestring_redirect" => {
                let target = match n.named_children(&mut n.walk()).last() {
                    Some(v) => {
                        let mut word =
                            self.words(w.job, v).into_iter().next().unwrap_or_else(|| Word::literal("", span));
                        match &mut word.value {
                            Value::Literal(s) => s.push('\n'),
                            Value::Dynamic(parts) => parts.push(Part::Text("\n".into())),
                        }
                        word
                    }
                    None => Word::literal("\n", span),
                };
                out.push(Redirect { fd, op: RedirectOp::HereString, target, span });
            }
            _ => {
                let mut op = RedirectOp::Write;
                for i in 0..n.child_count() as u32 {
                    let Some(c) = n.child(i) else { continue };
                    if c.is_named() {
                        continue;
                    }
                    op = match c.kind() {
                        "<" => RedirectOp::Read,
                        ">" => RedirectOp::Write,
                        ">>" => RedirectOp::Append,
                        ">|" => RedirectOp::Clobber,
                        "<>" => RedirectOp::ReadWrite,
                        "&>" => RedirectOp::WriteAll,
                        "&>>" => RedirectOp::AppendAll,
                        ">&" | ">&-" => RedirectOp::DupOut,
                        "<&" | "<&-" => RedirectOp::DupIn,
                        _ => op,
                    };
                }
                let target = match n.child_by_field_name("destination").filter(|_| !closes(n)) {
                    Some(d) => {
                        let (s, e) = word_range(text, d);
                        let lexed = lexer::lex(text, s, e, Mode::Word, &opaque_ranges(text, d));
                        expand::expand_single(lexed, &self.vars, self.env, self.map(w.job, s, e), expand::SINGLE)
                    }
                    None => Word::literal("-", span),
                };
                out.push(Redirect { fd, op, target, span });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::plan::IssueKind;
    use crate::shell::testing::{code, issues, redirects, runs};

    #[test]
    fn each_redirection_belongs_to_its_command() {
        for (text, want) in [
            ("echo x > f 2>>g <h", vec!["echo - > f", "echo 2 >> g", "echo - < h"]),
            ("cat <&-", vec!["cat - <& -"]),
            ("a 2>&1", vec!["a 2 >& 1"]),
            ("{ ls; } > f", vec!["ls - > f"]),
            ("while read l; do rm $l; done < list", vec!["read - < list", "rm - < list"]),
        ] {
            assert_eq!(redirects(text), want, "{text}");
        }
    }

    /// Digits right before `<<<` are its descriptor, not a word of the command.
    #[test]
    fn a_descriptor_the_grammar_reads_as_a_word_is_the_redirections() {
        assert_eq!(runs("bash 0<<<'rm x'"), ["bash", "rm x @heredoc to bash"]);
        assert_eq!(
            code("bash 0<<<'rm x'"),
            [r"bash bash Stdin rm x
"]
        );
    }

    #[test]
    fn words_after_a_target_outside_a_command_are_reported() {
        assert_eq!(issues("{ ls; } > f x"), [IssueKind::SyntaxError]);
        assert_eq!(issues("ls > f x"), []);
    }
}
