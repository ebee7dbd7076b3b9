//! Where the shell is: a `cd` that may fail or not run leaves every place it may be, `&&`
//! and `|| exit` tell which, and parts that keep their own state (subshells, function
//! bodies) give it back when they end.

use super::{Builder, Ctx, LastCd, Restore};
use crate::plan::*;
use crate::shell::cwd::{self, Cwd, Dir, Target};

impl Builder<'_, '_> {
    /// Where `cd t` may go: `t`, or with `CDPATH` set in the text, each of its directories
    /// first (for a name that does not start with `/`, `.` or `..`).
    pub(super) fn cd_targets(&self, t: &str) -> Vec<Target> {
        let searched = !t.starts_with('/') && t != "." && t != ".." && !t.starts_with("./") && !t.starts_with("../");
        if !searched || !self.vars.is_set("CDPATH") {
            return vec![cwd::target(t)];
        }
        let mut out: Vec<Target> = match self.vars.known("CDPATH") {
            Some(path) => path
                .split(':')
                .map(|d| if d.is_empty() { cwd::target(t) } else { cwd::target(&format!("{d}/{t}")) })
                .collect(),
            None => vec![Target::Unknown],
        };
        out.push(cwd::target(t));
        out
    }

    /// The shell moves to `success` (where it is if the change succeeds). The change may fail
    /// or not run at all, leaving it where it was, unless it cannot fail (`cd /`, `cd ..`) or
    /// `set -e` stops the shell when it does, and it certainly runs.
    pub(super) fn move_to(&mut self, success: Cwd, cannot_fail: bool, ctx: &Ctx, walk: usize, node: Option<usize>) {
        let certain = !ctx.uncertain && (cannot_fail || self.state.errexit);
        let mut after = success.clone();
        if !certain {
            after.merge(&self.state.cwd);
        }
        let before = std::mem::replace(&mut self.state.cwd, after);
        self.dir_changed = true;
        if ctx.via.iter().any(|v| matches!(v, Via::FunctionBody { .. })) {
            self.fn_changes_dir = true;
        }
        if let Some(node) = node {
            self.last_cd = Some(LastCd { walk, node, success });
        }
        if ctx.uncertain {
            self.vars.forget("PWD", "changed by cd to a directory guard cannot know");
            self.vars.forget("OLDPWD", "changed by cd to a directory guard cannot know");
            return;
        }
        let path = |c: &Cwd, start: Option<&str>| match &c.main {
            Some(Dir::Path(p)) => Some(p.clone()),
            Some(Dir::Start) => start.map(str::to_string),
            None => None,
        };
        match path(&self.state.cwd, self.start()) {
            Some(p) => self.vars.assign("PWD", Some(p), true),
            None => self.vars.forget("PWD", "changed by cd to a directory guard cannot know"),
        }
        match path(&before, self.start()) {
            Some(p) => self.vars.assign("OLDPWD", Some(p), true),
            None => self.vars.forget("OLDPWD", "changed by cd to a directory guard cannot know"),
        }
    }

    /// `pushd +N`, `popd -N`: the stack turns in ways guard does not follow.
    pub(super) fn lost_track(&mut self, ctx: &Ctx) {
        self.state.stack.clear();
        let success = self.state.cwd.change(&[Target::Unknown], false, self.start());
        self.move_to(success, false, ctx, 0, None);
    }

    /// Where the shell is if the `cd` at syntax node `node` of text `walk` succeeded, when that
    /// was the last `cd` walked.
    pub(super) fn cd_succeeded(&self, walk: usize, node: Option<usize>) -> Option<Cwd> {
        let lc = self.last_cd.as_ref()?;
        (lc.walk == walk && Some(lc.node) == node).then(|| lc.success.clone())
    }

    pub(super) fn restore(&mut self, kind: Restore) {
        let Some(saved) = self.saved.pop() else { return };
        let moved = saved.cwd != self.state.cwd || saved.stack != self.state.stack;
        if moved && kind == Restore::FunctionBody {
            self.fn_changes_dir = true;
        }
        self.state = saved;
    }

    /// Code that may change directory: it names `cd`, `pushd` or `popd`, or calls a function of
    /// the text while one of them changes directory.
    pub(super) fn may_change_dir(&self, text: &str) -> bool {
        cwd::mentions_dir_change(text)
            || (self.fn_changes_dir && self.scope_functions.keys().any(|f| cwd::mentions_word(text, f)))
    }
}

#[cfg(test)]
mod tests {
    use crate::shell::testing::cwds;

    /// Every directory the shell may be in is kept; parts that keep their own state give it back.
    #[test]
    fn where_the_shell_may_be() {
        for (text, want) in [
            ("if c; then cd /a; fi; rm x", vec!["c /work/proj", "cd /work/proj", "rm /a|/work/proj"]),
            ("( cd /x ); rm y", vec!["cd /work/proj", "rm /work/proj"]),
            ("cd /x & rm y", vec!["cd /work/proj", "rm /work/proj"]),
            // A function that changes directory may have moved the shell once called.
            ("f() { cd /x; }; f; rm y", vec!["cd /work/proj|?", "f /work/proj", "rm /work/proj|?"]),
            ("cd / ; rm y", vec!["cd /work/proj", "rm /"]),
        ] {
            assert_eq!(cwds(text), want, "{text}");
        }
    }
}
