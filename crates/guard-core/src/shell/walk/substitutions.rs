//! Command and process substitutions inside a command's words: walked after the command is
//! listed but in the shell state from before it (they run first), and those the lexer found
//! with no syntax node (backticks in a heredoc) read as texts of their own.

use tree_sitter::Node;

use super::tree::node_text;
use super::{Base, Builder, Frame, Job, Restore, Walk};
use crate::plan::*;

impl Builder<'_, '_> {
    /// Walk the substitutions under `n` after the command it belongs to is listed, in the shell
    /// state from before that command (they run first, so its `cd` does not move them).
    pub(super) fn push_substitutions<'t>(&self, w: &mut Walk<'t, '_>, n: Node<'t>, ctx: usize) {
        let text = node_text(&w.job.text, n);
        if !text.contains(['`', '(']) {
            w.stack.push(Frame::SubstOnly(n, ctx));
            return;
        }
        w.stack.push(Frame::Restore(Restore::Plain));
        w.stack.push(Frame::SubstOnly(n, ctx));
        w.stack.push(Frame::Enter(Box::new(self.state.clone())));
    }

    pub(super) fn subst_only<'t>(&mut self, w: &mut Walk<'t, '_>, n: Node<'t>, ctx: usize) {
        match n.kind() {
            "command_substitution" | "process_substitution" => self.node(w, n, ctx),
            _ => {
                for i in (0..n.named_child_count()).rev() {
                    if let Some(c) = n.named_child(i as u32) {
                        w.stack.push(Frame::SubstOnly(c, ctx));
                    }
                }
            }
        }
    }

    /// Command substitutions the lexer found with no syntax node of their own (backticks in a
    /// heredoc body): each is read as a text of its own, queued after this one.
    pub(super) fn queue_missed(&mut self, w: &mut Walk, ctx: usize) {
        if !w.missed.is_empty() {
            for (start, end) in std::mem::take(&mut w.missed) {
                let mut c = w.ctxs[ctx].clone();
                c.via.push(Via::CommandSubstitution);
                c.uncertain = true;
                c.pipe = None;
                c.redirects.clear();
                let base = match w.job.base {
                    Base::Offset(o) => Base::Offset(o + start),
                    fixed => fixed,
                };
                self.jobs.push_back(Job {
                    text: w.job.text[start..end].to_string(),
                    base,
                    ctx: c,
                    vars: None,
                    join_pipe: None,
                    state: Some(self.state.clone()),
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::shell::testing::{cwds, runs};

    #[test]
    fn substitutions_are_listed_after_their_command() {
        for (text, want) in [
            ("echo $(rm x)", vec!["echo '‹$(rm x)›'", "rm x @$(…)"]),
            ("echo <(rm x) >(tee y)", vec!["echo '‹<(rm x)›' '‹>(tee y)›'", "rm x @<(…)", "tee y @<(…)"]),
            // Backticks in a heredoc body have no syntax node of their own.
            ("cat <<EOF\n`rm x`\nEOF", vec!["cat", "rm x @$(…)"]),
        ] {
            assert_eq!(runs(text), want, "{text}");
        }
    }

    /// A substitution runs before its command: the command's `cd` has not moved it.
    #[test]
    fn substitutions_run_where_the_shell_was_before_the_command() {
        assert_eq!(cwds("cd /srv \"$(rm x)\""), ["cd /work/proj", "rm /work/proj"]);
        assert_eq!(cwds("cd /srv; echo $(rm x)"), ["cd /work/proj", "echo /srv|/work/proj", "rm /srv|/work/proj"]);
    }
}
