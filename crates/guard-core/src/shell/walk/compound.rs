//! Compound commands whose body is walked in a context of its own: loops (a literal `for`
//! list walked once per value) and function definitions (walked where written, run when
//! called).

use tree_sitter::Node;

use super::tree::node_text;
use super::{Builder, Frame, Restore, Walk};
use crate::plan::*;

impl Builder<'_, '_> {
    /// `for x in a b c; do …; done` over literal words: walk the body once per value, as bash
    /// runs it, so `for d in /; do rm -rf $d; done` is seen for what it is. Returns false (and
    /// does nothing) when the list is not literal or is long.
    pub(super) fn literal_loop<'t>(&mut self, w: &mut Walk<'t, '_>, n: Node<'t>, ctx: usize) -> bool {
        const MAX_PASSES: usize = 16;
        let (Some(var), Some(body)) = (n.child_by_field_name("variable"), n.child_by_field_name("body")) else {
            return false;
        };
        let mut values = Vec::new();
        for i in 0..n.child_count() as u32 {
            if n.field_name_for_child(i) == Some("value") {
                let Some(v) = n.child(i) else { return false };
                for word in self.words(w.job, v) {
                    match word.as_literal() {
                        Some(text) if !word.glob => values.push(text.to_string()),
                        _ => return false,
                    }
                }
            }
        }
        if values.is_empty() || values.len() > MAX_PASSES {
            return false;
        }
        let name = node_text(&w.job.text, var).to_string();
        let c = self.with_via(w, ctx, Via::Loop);
        w.stack.push(Frame::LoopVar(name.clone(), None));
        for value in values.into_iter().rev() {
            w.stack.push(Frame::Node(body, c));
            w.stack.push(Frame::LoopVar(name.clone(), Some(value)));
        }
        true
    }

    pub(super) fn loop_statement<'t>(&mut self, w: &mut Walk<'t, '_>, n: Node<'t>, ctx: usize) {
        if let Some(var) = n.child_by_field_name("variable") {
            let name = node_text(&w.job.text, var).to_string();
            self.vars.forget(&name, "loop variable");
        }
        // The body is walked once but may run many times: a directory change in it
        // moves every later pass (and what comes before it in the body) somewhere else.
        if self.may_change_dir(node_text(&w.job.text, n)) {
            self.state.cwd.mark_unknown();
        }
        let c = self.with_via(w, ctx, Via::Loop);
        self.push_children(w, n, c);
    }

    pub(super) fn function_definition<'t>(&mut self, w: &mut Walk<'t, '_>, n: Node<'t>, ctx: usize) {
        let name = n.child_by_field_name("name").map(|x| node_text(&w.job.text, x).to_string()).unwrap_or_default();
        self.functions.insert(name.clone());
        let c = self.with_via(w, ctx, Via::FunctionBody { name });
        if let Some(body) = n.child_by_field_name("body") {
            w.stack.push(Frame::Restore(Restore::FunctionBody));
            w.stack.push(Frame::Node(body, c));
            w.stack.push(Frame::Save { errexit: true });
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::shell::testing::{cwds, plan, runs};

    #[test]
    fn loops_and_functions_are_walked_in_their_own_context() {
        for (text, want) in [
            // A literal list is walked once per value.
            ("for d in a b; do rm $d; done", vec!["rm a @loop", "rm b @loop"]),
            ("for d in $X; do rm $d; done", vec!["rm ‹$d› @loop"]),
            // The loop variable is unknown after a loop over words only known at run time.
            ("for x in $(ls); do :; done; echo $x", vec!["ls @loop > $(…)", ": @loop", "echo ‹$x›"]),
            ("while true; do rm x; done", vec!["true @loop", "rm x @loop"]),
            ("f() { rm x; }", vec!["rm x @function f"]),
        ] {
            assert_eq!(runs(text), want, "{text}");
        }
        assert_eq!(plan("f() { rm x; }").functions, ["f"]);
    }

    /// A body walked once may run many times: a `cd` in it leaves every pass somewhere unknown.
    #[test]
    fn a_loop_that_changes_directory_leaves_the_directory_unknown() {
        assert_eq!(cwds("while c; do cd ..; done; rm x").last().unwrap(), "rm /work|/work/proj|?");
    }
}
