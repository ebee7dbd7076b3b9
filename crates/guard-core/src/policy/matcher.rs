//! What a rule's `match` is judged against: the [`Subject`] (one invocation and what is known
//! about it), and what the keys share to judge it: regexes (compiled on first use and cached,
//! so a command only pays for the rules that can concern it), globs, program and command names,
//! and whether an invocation passes a rule's [`Gate`]. The keys themselves are in
//! [`keys`](super::keys).

use std::cell::{OnceCell, RefCell};
use std::collections::HashMap;

use std::borrow::Cow;

use regex_lite::Regex;

use super::cmdline::{Cmdline, ProgramDb};
use super::context::Context;
use super::flow::Flow;
use super::items::OneOrMany;
use super::lists::Lists;
use super::names::{self, Gate};
use super::paths::{self, Classes, Classifier, OwnPaths};
use crate::plan::{Invocation, Plan, Span, Word};

thread_local! {
    static REGEXES: RefCell<HashMap<String, Option<Regex>>> = RefCell::new(HashMap::new());
}

/// Compile a policy regex. Policy regexes run over short, named fields (an operand, a branch,
/// a namespace), on every command, so they use regex-lite: it compiles several times faster
/// than `regex`, and compiling is most of what a regex costs here. Its classes and case
/// folding are ASCII-only.
pub(crate) fn compile_regex(pattern: &str) -> Result<Regex, String> {
    // A rule's regex runs over a command's words on every command: one that compiles to a huge
    // program (`(a|aa)*{100}{100}`) would make judging take minutes, and an agent's hook that
    // times out lets the command run. Real rules are far below this.
    regex_lite::RegexBuilder::new(pattern)
        .size_limit(REGEX_SIZE_LIMIT)
        .nest_limit(50)
        .build()
        .map_err(|e| e.to_string().lines().last().unwrap_or("").trim().to_string())
}

/// The most a compiled policy regex may take, in bytes.
pub(crate) const REGEX_SIZE_LIMIT: usize = 64 << 10;

/// Test a regex, compiling it once. An invalid regex (caught by lint) never matches.
pub(crate) fn regex_is_match(pattern: &str, text: &str) -> bool {
    REGEXES.with(|cache| {
        if let Some(re) = cache.borrow().get(pattern) {
            return re.as_ref().is_some_and(|r| r.is_match(text));
        }
        let re = compile_regex(pattern).ok();
        let hit = re.as_ref().is_some_and(|r| r.is_match(text));
        cache.borrow_mut().insert(pattern.to_string(), re);
        hit
    })
}

/// Shell-style glob: `*` any run, `?` one character, no classes.
pub(crate) fn glob_match(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let (mut pi, mut ti, mut star, mut mark) = (0, 0, None, 0);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == '*' {
        pi += 1;
    }
    pi == p.len()
}

/// Everything a rule may look at for one invocation.
pub(crate) struct Subject<'a> {
    pub(crate) plan: &'a Plan,
    pub(crate) inv: &'a Invocation,
    pub(crate) cmd: Cmdline<'a>,
    pub(crate) flow: &'a Flow,
    pub(crate) ctx: &'a dyn Context,
    pub(crate) db: &'a ProgramDb,
    /// The program the invocation's program is another name of, when it is an alias (`k`).
    pub(crate) same_as: Option<&'a str>,
    pub(crate) lists: &'a Lists,
    /// Path classes (and whether a text names guard's own places) of the texts seen in this
    /// judgement, each worked out once per directory.
    pub(crate) paths: &'a Classifier<'a>,
    /// The directories the command may run in (after `cd`, `env -C`…; the first is where it
    /// runs if nothing fails): a relative path is judged in each.
    pub(crate) dirs: Vec<&'a str>,
    /// Inside an odd number of `not:`: what a pattern word could expand to must then not count
    /// (an exception must hold for the word as it is, or a pattern would loosen a rule).
    pub(crate) negated: std::cell::Cell<bool>,
    /// guard's own places, worked out the first time a rule asks about them.
    pub(crate) own: &'a OnceCell<OwnPaths>,
    pub(crate) own_init: &'a dyn Fn() -> OwnPaths,
}

/// What made a rule match: the span and text to point at.
#[derive(Debug, Clone)]
pub(crate) struct Culprit {
    pub(crate) span: Span,
    pub(crate) text: String,
}

impl Subject<'_> {
    /// Expand `$list` references.
    pub(crate) fn items(&self, v: &OneOrMany) -> Vec<String> {
        expand(self.lists, v)
    }

    /// Classes a word has in the directories the command may run in: in any of them for what a
    /// rule asks, in every one of them for an exception (`not:`), so a directory guard is not
    /// sure of never loosens a rule.
    fn in_dirs(&self, classes: impl Fn(&str) -> Classes) -> Classes {
        let mut each = self.dirs.iter().map(|d| classes(d));
        let first = each.next().unwrap_or_default();
        if self.negated.get() {
            each.fold(first, |a, c| Classes(a.0 & c.0))
        } else {
            each.fold(first, Classes::union)
        }
    }

    /// What to point at when nothing in particular made a rule match: the whole invocation.
    pub(crate) fn whole(&self) -> Culprit {
        Culprit { span: self.inv.span, text: self.inv.display() }
    }

    /// Path classes of the text `t` (not a pattern) where the command may run.
    pub(crate) fn path_classes(&self, t: &str) -> Classes {
        self.in_dirs(|d| self.paths.classes(t, d))
    }

    /// Path classes of a word (taken as `lit`, when given). A partly known word is classed by
    /// the directory its known start names: `/etc/$X` is somewhere under `/etc`.
    pub(crate) fn word_classes(&self, w: &Word, lit: Option<&str>) -> Classes {
        if let Some(t) = lit {
            let glob = w.glob && !self.negated.get();
            return self.in_dirs(|d| self.paths.word(t, glob, d));
        }
        let prefix = w.known_prefix();
        match prefix.rfind('/') {
            Some(i) if i > 0 => {
                let dir = self.path_classes(&prefix[..i]);
                let mut c = Classes::OTHER;
                if dir.has(Classes(Classes::SYSTEM_TOP.0 | Classes::SYSTEM.0)) {
                    c = c.union(Classes::SYSTEM);
                }
                if dir.has(Classes::SECRET) {
                    c = c.union(Classes::SECRET);
                }
                if dir.has(Classes::TMP) || prefix.starts_with("/tmp/") {
                    c = c.union(Classes::TMP);
                }
                if dir.has(Classes::BUILD_OUTPUT) {
                    c = c.union(Classes::BUILD_OUTPUT);
                }
                c
            }
            _ => Classes::OTHER,
        }
    }

    /// Whether a word names guard's own state, or a project policy file that exists (these need
    /// facts beyond the text, so they are worked out only for rules that ask); `classes` are the
    /// word's path classes. A partly known word counts by the directory its known start names.
    pub(crate) fn own_classes(&self, w: &Word, lit: Option<&str>, classes: Classes) -> Classes {
        self.in_dirs(|cwd| self.own_classes_in(w, lit, classes, cwd))
    }

    fn own_classes_in(&self, w: &Word, lit: Option<&str>, classes: Classes, cwd: &str) -> Classes {
        let raw = match lit {
            Some(t) if !t.is_empty() => t,
            _ => match w.known_prefix().rsplit_once('/') {
                Some((dir, _)) if !dir.is_empty() => dir,
                _ => return Classes::default(),
            },
        };
        let expands = w.glob && !self.negated.get();
        let shell_rc = classes.has(Classes::SHELL_RC);
        // What the answer depends on besides the text and the directory, as the question asked.
        let question = Classifier::OWN + u8::from(expands) + 2 * u8::from(shell_rc) + 4 * u8::from(lit.is_some());
        self.paths.remember(raw, cwd, question, || {
            let home = self.ctx.home();
            let n = paths::resolve(raw, home, cwd);
            let own = self.own.get_or_init(self.own_init);
            let home_n = paths::normalize(home, "/", "/");
            let mut c = Classes::default();
            let is_own = if expands { paths::could_be_own(&n, &home_n, own) } else { paths::is_own(&n, &home_n, own) };
            if is_own || (shell_rc && self.ctx.loads_guard(&n)) {
                c = c.union(Classes::GUARD_STATE);
            }
            if lit.is_some() && n.rsplit('/').next() == Some(".guard.yaml") && self.ctx.exists(&n) {
                c = c.union(Classes::PROJECT_POLICY);
            }
            c
        })
    }
}

/// `v`'s items with `$list` references expanded through `lists`.
pub(crate) fn expand(lists: &Lists, v: &OneOrMany) -> Vec<String> {
    super::items::expand(v, &|n| lists.get(n), &mut Vec::new())
}

pub(crate) fn program_matches(item: &str, inv: &Invocation, same_as: Option<&str>) -> bool {
    let Some(path) = inv.program.as_literal() else { return false };
    let base = crate::plan::basename(path);
    if item.contains('/') {
        return path == item;
    }
    if item.contains('*') || item.contains('?') {
        return glob_match(item, base);
    }
    // Another name of the same program (`k`, `kubecolor`, `oc` for kubectl; podman for docker)
    // is that program to the rules that name it.
    base == item || same_as == Some(item)
}

/// The number of subcommand words a matching `command` consumed, or None.
pub(crate) fn command_matches<S: AsRef<str>>(s: &Subject, commands: &[S]) -> Option<usize> {
    for c in commands {
        let mut words = c.as_ref().split_whitespace();
        let Some(prog) = words.next() else { continue };
        if !program_matches(prog, s.inv, s.same_as) {
            continue;
        }
        let sub: Vec<&str> = words.collect();
        if sub.len() <= s.cmd.positionals.len()
            && sub.iter().zip(&s.cmd.positionals).all(|(want, w)| w.as_literal() == Some(*want))
        {
            return Some(sub.len());
        }
    }
    None
}

/// Whether the invocation passes a rule's [`Gate`]; when it does not, the rule cannot match.
pub(crate) fn admits(s: &Subject, g: &Gate) -> bool {
    let inv = s.inv;
    (g.needs & names::NEEDS_REDIRECT == 0 || !inv.redirects.is_empty())
        && (g.needs & names::NEEDS_CODE == 0 || inv.code.is_some())
        && (g.needs & names::NEEDS_VIA == 0 || !inv.via.is_empty())
        && (g.needs & names::NEEDS_EFFECT == 0
            || !inv.redirects.is_empty()
            || s.db.get(&s.cmd.name).is_some_and(|p| !p.effects.is_empty()))
        && (g.programs.is_empty() || g.programs.iter().any(|p| program_matches(p, inv, s.same_as)))
        && (g.commands.is_empty() || g.commands.iter().any(|c| command_matches(s, std::slice::from_ref(c)).is_some()))
        && (g.arg_contains.is_empty() || inv.args.iter().any(|w| word_contains(w, w.as_literal(), &g.arg_contains)))
        && (g.any.is_empty() || g.any.iter().any(|a| admits(s, a)))
}

/// The word (its known text, when partly known) contains one of `needles`.
pub(crate) fn word_contains<S: AsRef<str>>(w: &Word, lit: Option<&str>, needles: &[S]) -> bool {
    let text: Cow<str> = lit.map(Cow::Borrowed).unwrap_or_else(|| Cow::Owned(w.display()));
    needles.iter().any(|x| text.contains(x.as_ref()))
}

#[cfg(test)]
mod tests {
    use super::glob_match;

    #[test]
    fn globs() {
        assert!(glob_match("release/*", "release/1.2"));
        assert!(glob_match("main", "main"));
        assert!(!glob_match("main", "mainline"));
        assert!(glob_match("*prod*", "gke-prod-1"));
        assert!(glob_match("python*", "python3"));
    }
}
