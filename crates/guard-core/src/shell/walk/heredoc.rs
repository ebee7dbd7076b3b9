//! Heredocs: the body as the command's stdin, and the rest of the first line after the
//! delimiter (`cat <<EOF | sh`), which the grammar nests inside the redirect and sometimes
//! misreads: it is queued as a text of its own that joins the pipeline it continues.

use tree_sitter::Node;

use super::tree::{node_text, opaque_ranges};
use super::{Base, Builder, Ctx, Job, Walk};
use crate::plan::*;
use crate::shell::cwd;
use crate::shell::expand;
use crate::shell::lexer::{self, Mode};

/// The rest of a heredoc's first line (`cat <<EOF | sh`, `cat <<EOF && rm x`), which the
/// grammar nests inside the redirect and sometimes misreads; it is parsed again on its own.
pub(super) struct Tail {
    pub(super) text: String,
    pub(super) offset: usize,
    pub(super) pipe: bool,
    pub(super) conditional: bool,
    /// It starts with words, not an operator: they belong to the command before it.
    pub(super) words: bool,
}

impl Tail {
    fn new(src: &str, start: usize, end: usize) -> Tail {
        let raw = &src[start..end];
        let trimmed = raw.trim_start();
        let mut offset = start + (raw.len() - trimmed.len());
        let mut pipe = false;
        let mut conditional = false;
        let mut words = true;
        for op in ["&&", "||", "|&", "|", ";", "&", "\n", "#"] {
            if src[offset..end].starts_with(op) {
                pipe = op.starts_with('|') && op != "||";
                conditional = op == "&&" || op == "||";
                words = false;
                if op != "#" {
                    offset += op.len();
                }
                break;
            }
        }
        words &= !src[offset..end].trim().is_empty();
        let text = src[offset..end].trim_end_matches('\n').to_string();
        Tail { text, offset, pipe, conditional, words }
    }
}

/// `<<-` strips leading tabs from every line.
fn strip(body: &str, tabs: bool) -> String {
    if !tabs {
        return body.to_string();
    }
    body.split_inclusive('\n').map(|l| l.trim_start_matches('\t')).collect()
}

impl Builder<'_, '_> {
    /// `<<EOF` (or `<<-EOF`): the body is the command's stdin (expanded unless the delimiter is
    /// quoted); the rest of the first line after the delimiter is a tail, read again on its own.
    pub(super) fn heredoc<'t>(
        &mut self,
        w: &mut Walk<'t, '_>,
        n: Node<'t>,
        fd: Option<u32>,
        span: Span,
        out: &mut Vec<Redirect>,
        tails: &mut Vec<Tail>,
    ) {
        let text = &w.job.text;
        let mut start_node = None;
        let mut body_node = None;
        let mut tail_nodes = Vec::new();
        let mut strip_tabs = false;
        for i in 0..n.child_count() as u32 {
            let Some(c) = n.child(i) else { continue };
            match c.kind() {
                "<<-" => strip_tabs = true,
                "<<" => {}
                "heredoc_start" => start_node = Some(c),
                "heredoc_body" => body_node = Some(c),
                "heredoc_end" => {}
                _ if start_node.is_some() && body_node.is_none() => tail_nodes.push(c),
                _ => {}
            }
        }
        let delim = start_node.map(|s| node_text(text, s)).unwrap_or("");
        let quoted = delim.contains(['\'', '"', '\\']);
        let target = match body_node {
            Some(b) if quoted => {
                Word::literal(strip(node_text(text, b), strip_tabs), self.map(w.job, b.start_byte(), b.end_byte()))
            }
            Some(b) => {
                let lexed = lexer::lex(text, b.start_byte(), b.end_byte(), Mode::HeredocBody, &opaque_ranges(text, b));
                w.missed.extend(lexed.missed.iter().copied());
                let mut word = expand::expand_single(
                    lexed,
                    &self.vars,
                    self.env,
                    self.map(w.job, b.start_byte(), b.end_byte()),
                    expand::SINGLE,
                );
                if strip_tabs {
                    if let Value::Literal(s) = &word.value {
                        word.value = Value::Literal(strip(s, true));
                    }
                }
                word
            }
            None => Word::literal("", span),
        };
        out.push(Redirect { fd, op: RedirectOp::Heredoc, target, span });
        if let (Some(first), Some(last)) = (tail_nodes.first(), tail_nodes.last()) {
            let only_redirects = tail_nodes.iter().all(|t| matches!(t.kind(), "file_redirect" | "herestring_redirect"));
            if only_redirects {
                for t in tail_nodes.clone() {
                    let mut nested_tails = Vec::new();
                    self.redirect(w, t, out, &mut nested_tails);
                }
            } else {
                let end = body_node.map(|b| b.start_byte()).unwrap_or(last.end_byte()).max(last.end_byte());
                let start = start_node.map(|s| s.end_byte()).unwrap_or(first.start_byte());
                let tail = Tail::new(text, start, end);
                if tail.words {
                    // bash reads words right after the delimiter (`rm <<EOF x`) as more
                    // words of this command; guard lists them as a command of their own.
                    let at = self.map(w.job, first.start_byte(), last.end_byte());
                    self.issue(
                        IssueKind::SyntaxError,
                        at,
                        "words after a heredoc's delimiter, which bash gives to the command".into(),
                    );
                }
                tails.push(tail);
            }
        }
    }

    pub(super) fn queue_tail(&mut self, w: &Walk, t: Tail, ctx: usize, join: Option<usize>) {
        // The tail is read after the rest of the text, though it runs right here: it starts
        // where the shell is now, and a directory change in it leaves the rest uncertain.
        let state = Some(self.state.clone());
        if cwd::mentions_dir_change(&t.text) {
            self.state.cwd.mark_unknown();
            self.dir_changed = true;
        }
        let Base::Offset(off) = w.job.base else {
            // Nested code has no byte mapping: read the tail as its own text.
            let c = w.ctxs[ctx].clone();
            self.jobs.push_back(Job {
                text: t.text,
                base: w.job.base,
                ctx: Ctx { uncertain: true, ..c },
                vars: None,
                join_pipe: join,
                state,
            });
            return;
        };
        let mut c = w.ctxs[ctx].clone();
        c.uncertain |= t.conditional;
        c.pipe = None;
        self.jobs.push_back(Job {
            text: t.text,
            base: Base::Offset(off + t.offset),
            ctx: c,
            vars: None,
            join_pipe: join,
            state,
        });
    }
}

#[cfg(test)]
mod tests {
    use crate::plan::IssueKind;
    use crate::shell::testing::{code, issues, redirects, runs};

    #[test]
    fn a_heredoc_is_its_commands_stdin() {
        for (text, want) in [
            ("cat <<EOF\nhi $HOME\nEOF", "cat - << hi /home/u\n"),
            // A quoted delimiter: the body is taken as written.
            ("cat <<'EOF'\nhi $HOME\nEOF", "cat - << hi $HOME\n"),
            // `<<-` strips leading tabs.
            ("cat <<-EOF\n\t\ttabbed\n\tEOF", "cat - << tabbed\n"),
        ] {
            assert_eq!(redirects(text), [want], "{text}");
        }
    }

    /// The rest of the delimiter's line continues the statement: `| sh` reads the body.
    #[test]
    fn the_rest_of_the_first_line_is_read_again() {
        for (text, want) in [
            ("cat <<EOF | sh\nrm x\nEOF", vec!["cat", "sh", "rm x @piped into sh"]),
            ("cat <<EOF && rm y\nx\nEOF", vec!["cat", "rm y"]),
            ("sh <<EOF\nrm x\nEOF", vec!["sh", "rm x @heredoc to sh"]),
        ] {
            assert_eq!(runs(text), want, "{text}");
        }
        assert_eq!(code("cat <<EOF | sh\nrm x\nEOF"), ["sh sh Stdin rm x\n"]);
    }

    #[test]
    fn words_after_the_delimiter_are_reported() {
        assert_eq!(runs("rm <<EOF x\nEOF"), ["rm", "x"]);
        assert_eq!(issues("rm <<EOF x\nEOF"), [IssueKind::SyntaxError]);
    }
}
