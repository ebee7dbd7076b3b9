//! Pipelines and `&&`/`||` lists: the stages of a pipeline (flattened where the grammar nests
//! them), each run from where the pipeline starts; the right side of a list that may not run,
//! and the `cd` whose success it implies (`cd DIR && cmd`, `cd DIR || exit`).

use tree_sitter::Node;

use super::tree::node_text;
use super::{Builder, Frame, Restore, Walk};
use crate::plan::*;

/// The node of the `cd` whose success the rest of a `&&` chain implies: the statement itself
/// when it is a simple command (possibly redirected), else the last command of a `&&` list.
fn cd_tail(n: Node) -> Option<usize> {
    match n.kind() {
        "command" => Some(n.id()),
        "redirected_statement" => n.child_by_field_name("body").filter(|b| b.kind() == "command").map(|b| b.id()),
        "list" => {
            let and = (0..n.child_count() as u32).filter_map(|i| n.child(i)).any(|c| !c.is_named() && c.kind() == "&&");
            let last =
                (0..n.named_child_count()).filter_map(|i| n.named_child(i as u32)).rfind(|c| c.kind() != "comment")?;
            and.then(|| cd_tail(last)).flatten()
        }
        _ => None,
    }
}

/// A statement that ends the shell (or the function) when it runs: `exit`, `return`, or a
/// group `{ …; exit 1; }` ending in one.
fn exits(text: &str, n: Node) -> bool {
    match n.kind() {
        "command" => n.child_by_field_name("name").is_some_and(|c| matches!(node_text(text, c), "exit" | "return")),
        "redirected_statement" => n.child_by_field_name("body").is_some_and(|b| exits(text, b)),
        "compound_statement" => (0..n.named_child_count())
            .filter_map(|i| n.named_child(i as u32))
            .rfind(|c| c.kind() != "comment")
            .is_some_and(|c| exits(text, c)),
        _ => false,
    }
}

enum PipeItem<'t> {
    /// A stage, with redirections the grammar attached to an enclosing node.
    Stage(Node<'t>, Vec<Node<'t>>),
    /// `|` (or `|&` when `stderr`) between two stages.
    Pipe { stderr: bool },
}

/// The stages of a pipeline in order, with nested pipelines (which the grammar makes of
/// `a | b 2>&1 | c`) flattened. Iterative, so no input can exhaust the stack.
fn flatten_pipeline(n: Node) -> Vec<PipeItem> {
    enum Work<'t> {
        Expand(Node<'t>, Vec<Node<'t>>),
        Emit(PipeItem<'t>),
    }
    let mut out = Vec::new();
    let mut work = vec![Work::Expand(n, Vec::new())];
    while let Some(job) = work.pop() {
        let (p, redirects) = match job {
            Work::Emit(item) => {
                out.push(item);
                continue;
            }
            Work::Expand(p, r) => (p, r),
        };
        let mut items: Vec<Work> = Vec::new();
        for i in 0..p.child_count() as u32 {
            let Some(c) = p.child(i) else { continue };
            if c.is_named() && c.kind() != "comment" {
                let body = c
                    .child_by_field_name("body")
                    .filter(|b| c.kind() == "redirected_statement" && b.kind() == "pipeline");
                if c.kind() == "pipeline" {
                    items.push(Work::Expand(c, Vec::new()));
                } else if let Some(body) = body {
                    let r = (0..c.named_child_count())
                        .filter_map(|k| c.named_child(k as u32))
                        .filter(|x| matches!(x.kind(), "file_redirect" | "heredoc_redirect" | "herestring_redirect"))
                        .collect();
                    items.push(Work::Expand(body, r));
                } else {
                    items.push(Work::Emit(PipeItem::Stage(c, Vec::new())));
                }
            } else if c.kind() == "|" || c.kind() == "|&" {
                items.push(Work::Emit(PipeItem::Pipe { stderr: c.kind() == "|&" }));
            }
        }
        // Redirections written after this pipeline belong to its last stage.
        if let Some(last) = items.iter_mut().rev().find(|w| !matches!(w, Work::Emit(PipeItem::Pipe { .. }))) {
            match last {
                Work::Expand(_, r) | Work::Emit(PipeItem::Stage(_, r)) => r.extend(redirects),
                Work::Emit(PipeItem::Pipe { .. }) => {}
            }
        }
        work.extend(items.into_iter().rev());
    }
    out
}

impl Builder<'_, '_> {
    pub(super) fn list<'t>(&mut self, w: &mut Walk<'t, '_>, n: Node<'t>, ctx: usize) {
        // `a && b`, `a || b`: the right side may not run.
        let mut kids = Vec::new();
        let mut seen_op = false;
        let mut op = "";
        for i in 0..n.child_count() as u32 {
            let Some(c) = n.child(i) else { continue };
            if !c.is_named() {
                if !seen_op {
                    op = c.kind();
                }
                seen_op = true;
                continue;
            }
            if c.kind() == "comment" {
                continue;
            }
            let cctx = if seen_op { self.derive_ctx(w, ctx, |x| x.uncertain = true) } else { ctx };
            kids.push((c, cctx));
        }
        if let [(left, lctx), (right, rctx)] = kids.as_slice() {
            // `cd DIR && cmd` runs cmd in DIR; after `cd DIR || exit` the shell is in DIR.
            let and_tail = if op == "&&" { cd_tail(*left) } else { None };
            let or_exit_tail = if op == "||" && exits(&w.job.text, *right) { cd_tail(*left) } else { None };
            w.stack.push(Frame::RightEnd { or_exit_tail });
            w.stack.push(Frame::Node(*right, *rctx));
            w.stack.push(Frame::RightBegin { and_tail });
            w.stack.push(Frame::Node(*left, *lctx));
        } else {
            for (c, cctx) in kids.into_iter().rev() {
                w.stack.push(Frame::Node(c, cctx));
            }
        }
    }

    pub(super) fn pipeline<'t>(&mut self, w: &mut Walk<'t, '_>, n: Node<'t>, ctx: usize, join: Option<usize>) {
        // The grammar nests `a | b 2>&1 | c` as ((a | b) 2>&1) | c: flatten it back into one
        // pipeline, the redirect belonging to `b`.
        let mut stages: Vec<(Node<'t>, Vec<Node<'t>>)> = Vec::new();
        let mut stderr = Vec::new();
        for item in flatten_pipeline(n) {
            match item {
                PipeItem::Stage(node, redirects) => stages.push((node, redirects)),
                PipeItem::Pipe { stderr: both } => stderr.push(both),
            }
        }
        let (pid, offset) = match join {
            Some(pid) => {
                let p = &mut self.plan.pipelines[pid];
                p.stages.extend(stages.iter().map(|_| Vec::new()));
                p.stderr_piped.extend(stderr);
                (pid, p.stages.len() - stages.len())
            }
            None => {
                let pid = self.plan.pipelines.len();
                let span = self.map(w.job, n.start_byte(), n.end_byte());
                self.plan.pipelines.push(Pipeline {
                    id: pid,
                    span,
                    stages: vec![Vec::new(); stages.len()],
                    stderr_piped: stderr,
                });
                (pid, 0)
            }
        };
        let last = stages.len().saturating_sub(1);
        for (k, (s, redirect_nodes)) in stages.into_iter().enumerate().rev() {
            let mut own = Vec::new();
            let mut tails = Vec::new();
            for r in redirect_nodes {
                self.redirect(w, r, &mut own, &mut tails);
                self.stray_destinations(w, r);
                w.stack.push(Frame::SubstOnly(r, ctx));
            }
            for t in tails {
                self.queue_tail(w, t, ctx, None);
            }
            let c = self.derive_ctx(w, ctx, |x| {
                x.pipe = Some((pid, k + offset));
                x.uncertain = true;
                let tail = std::mem::take(&mut x.last_stage_redirects);
                if k == last {
                    x.redirects.extend(tail);
                }
                x.redirects.extend(own);
            });
            // Each stage runs in a subshell of its own, from where the pipeline starts.
            w.stack.push(Frame::Restore(Restore::Plain));
            w.stack.push(Frame::Node(s, c));
            w.stack.push(Frame::Save { errexit: true });
        }
    }

    /// The text after a heredoc's `<<EOF | sh` continues the statement (`cat <<EOF | sh`).
    pub(super) fn join_pipeline<'t>(&mut self, w: &mut Walk<'t, '_>, root: Node<'t>, pid: usize) {
        let mut first = None;
        let mut rest = Vec::new();
        for i in 0..root.named_child_count() {
            let Some(c) = root.named_child(i as u32) else { continue };
            if c.kind() == "comment" {
                continue;
            }
            if first.is_none() {
                first = Some(c);
            } else {
                rest.push(c);
            }
        }
        for c in rest.into_iter().rev() {
            w.stack.push(Frame::Node(c, 0));
        }
        let Some(first) = first else { return };
        if first.kind() == "pipeline" {
            self.pipeline(w, first, 0, Some(pid));
        } else {
            let p = &mut self.plan.pipelines[pid];
            p.stages.push(Vec::new());
            p.stderr_piped.push(false);
            let stage = p.stages.len() - 1;
            let c = self.derive_ctx(w, 0, |x| {
                x.pipe = Some((pid, stage));
                x.uncertain = true;
            });
            w.stack.push(Frame::Node(first, c));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::shell::testing::{cwds, plan, runs};

    #[test]
    fn pipelines_list_their_stages_in_order() {
        for (text, stages, stderr) in [
            ("a | b | c", vec![vec!["a"], vec!["b"], vec!["c"]], vec![false, false]),
            ("a |& b", vec![vec!["a"], vec!["b"]], vec![true]),
            // The grammar nests `a | b 2>&1 | c`; it is one pipeline of three stages.
            ("a | b 2>&1 | c", vec![vec!["a"], vec!["b"], vec!["c"]], vec![false, false]),
            ("sudo rm x | tee y", vec![vec!["sudo", "rm"], vec!["tee"]], vec![false]),
        ] {
            let plan = plan(text);
            let [p] = plan.pipelines.as_slice() else { panic!("{text}: {:?}", plan.pipelines) };
            let got: Vec<Vec<String>> =
                p.stages.iter().map(|s| s.iter().map(|&i| plan.invocations[i].program.display()).collect()).collect();
            assert_eq!(got, stages, "{text}");
            assert_eq!(p.stderr_piped, stderr, "{text}");
        }
    }

    /// The right side of `&&` runs where a `cd` on the left took the shell; after `cd DIR || exit`
    /// the shell is in DIR.
    #[test]
    fn lists_carry_the_directory_a_cd_implies() {
        for (text, want) in [
            ("cd /tmp && rm x", vec!["cd /work/proj", "rm /tmp"]),
            ("cd /x || exit; rm y", vec!["cd /work/proj", "exit /x|/work/proj", "rm /x"]),
            ("cd /x || true; rm y", vec!["cd /work/proj", "true /x|/work/proj", "rm /x|/work/proj"]),
        ] {
            assert_eq!(cwds(text), want, "{text}");
        }
        assert_eq!(runs("false || rm x"), ["false", "rm x"]);
    }
}
