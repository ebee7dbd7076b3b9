//! Evaluating a rule's `match` against one invocation. Regexes compile on first use and are
//! cached, so a command only pays for the rules that can concern it.

use std::cell::{OnceCell, RefCell};
use std::collections::HashMap;

use std::borrow::Cow;

use regex_lite::Regex;

use super::cmdline::{Cmdline, FlagValue, ProgramDb};
use super::context::Context;
use super::flow::{self, Flow};
use super::lists::Lists;
use super::names::{self, Gate};
use super::paths::{self, Classes, OwnPaths};
use super::rule::{CodeSpec, ContextSpec, MatchSpec, OneOrMany, ValueSpec};
use super::sql;
use crate::plan::{Invocation, Plan, RedirectOp, Span, Via, Word};

thread_local! {
    static REGEXES: RefCell<HashMap<String, Option<Regex>>> = RefCell::new(HashMap::new());
}

/// Compile a policy regex. Policy regexes run over short, named fields (an operand, a branch,
/// a namespace), on every command, so they use regex-lite: it compiles several times faster
/// than `regex`, and compiling is most of what a regex costs here. Its classes and case
/// folding are ASCII-only.
pub fn compile_regex(pattern: &str) -> Result<Regex, String> {
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
pub const REGEX_SIZE_LIMIT: usize = 64 << 10;

/// Test a regex, compiling it once. An invalid regex (caught by lint) never matches.
pub fn regex_is_match(pattern: &str, text: &str) -> bool {
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
pub fn glob_match(pattern: &str, text: &str) -> bool {
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
pub struct Subject<'a> {
    pub plan: &'a Plan,
    pub inv: &'a Invocation,
    pub cmd: Cmdline<'a>,
    pub flow: &'a Flow,
    pub ctx: &'a dyn Context,
    pub db: &'a ProgramDb,
    pub lists: &'a Lists,
    /// Path classes of the words seen so far.
    pub paths: &'a paths::Classifier<'a>,
    /// The directories the command may run in (after `cd`, `env -C`…; the first is where it
    /// runs if nothing fails): a relative path is judged in each.
    pub dirs: Vec<&'a str>,
    /// Inside an odd number of `not:`: what a pattern word could expand to must then not count
    /// (an exception must hold for the word as it is, or a pattern would loosen a rule).
    pub negated: std::cell::Cell<bool>,
    /// guard's own places, worked out the first time a rule asks about them.
    pub own: &'a OnceCell<OwnPaths>,
    pub own_init: &'a dyn Fn() -> OwnPaths,
}

/// What made a rule match: the span and text to point at.
#[derive(Debug, Clone)]
pub struct Culprit {
    pub span: Span,
    pub text: String,
}

impl Subject<'_> {
    /// Expand `$list` references.
    pub fn items(&self, v: &OneOrMany) -> Vec<String> {
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

    fn whole(&self) -> Culprit {
        Culprit { span: self.inv.span, text: self.inv.display() }
    }
}

pub fn expand(lists: &Lists, v: &OneOrMany) -> Vec<String> {
    super::names::expand(v, &|n| lists.get(n), &mut Vec::new())
}

pub fn program_matches(item: &str, inv: &Invocation) -> bool {
    let Some(path) = inv.program.as_literal() else { return false };
    let base = crate::plan::basename(path);
    if item.contains('/') {
        return path == item;
    }
    if item.contains('*') || item.contains('?') {
        return glob_match(item, base);
    }
    base == item
}

/// The number of subcommand words a matching `command` consumed, or None.
fn command_matches<S: AsRef<str>>(s: &Subject, commands: &[S]) -> Option<usize> {
    for c in commands {
        let mut words = c.as_ref().split_whitespace();
        let Some(prog) = words.next() else { continue };
        if !program_matches(prog, s.inv) {
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
pub fn admits(s: &Subject, g: &Gate) -> bool {
    let inv = s.inv;
    (g.needs & names::NEEDS_REDIRECT == 0 || !inv.redirects.is_empty())
        && (g.needs & names::NEEDS_CODE == 0 || inv.code.is_some())
        && (g.needs & names::NEEDS_VIA == 0 || !inv.via.is_empty())
        && (g.needs & names::NEEDS_EFFECT == 0
            || !inv.redirects.is_empty()
            || s.db.get(&s.cmd.name).is_some_and(|p| !p.effects.is_empty()))
        && (g.programs.is_empty() || g.programs.iter().any(|p| program_matches(p, inv)))
        && (g.commands.is_empty() || g.commands.iter().any(|c| command_matches(s, std::slice::from_ref(c)).is_some()))
        && (g.arg_contains.is_empty() || inv.args.iter().any(|w| word_contains(w, w.as_literal(), &g.arg_contains)))
        && (g.any.is_empty() || g.any.iter().any(|a| admits(s, a)))
}

/// The word (its known text, when partly known) contains one of `needles`.
fn word_contains<S: AsRef<str>>(w: &Word, lit: Option<&str>, needles: &[S]) -> bool {
    let text: Cow<str> = lit.map(Cow::Borrowed).unwrap_or_else(|| Cow::Owned(w.display()));
    needles.iter().any(|x| text.contains(x.as_ref()))
}

pub fn value_matches(s: &Subject, spec: &ValueSpec, w: &Word) -> bool {
    value_matches_text(s, spec, w, w.as_literal())
}

fn value_matches_text(s: &Subject, spec: &ValueSpec, w: &Word, lit: Option<&str>) -> bool {
    if let Some(d) = spec.dynamic {
        if w.is_dynamic() != d {
            return false;
        }
    }
    if let Some(g) = spec.glob_chars {
        if w.glob != g {
            return false;
        }
    }
    if let Some(c) = &spec.contains {
        if !word_contains(w, lit, &s.items(c)) {
            return false;
        }
    }
    if let Some(e) = &spec.equals {
        let Some(t) = lit else { return false };
        // A pattern the shell expands equals whatever it could expand to (`rm vic*`).
        let bare = |x: &str| x.strip_prefix("./").unwrap_or(x).to_string();
        let expands = w.glob && !s.negated.get();
        let equal = |x: &String| x == t || (expands && paths::pattern_match(&bare(t), &bare(x)));
        if !s.items(e).iter().any(equal) {
            return false;
        }
    }
    if let Some(g) = &spec.glob {
        let Some(t) = lit else { return false };
        if !s.items(g).iter().any(|x| glob_match(x, t)) {
            return false;
        }
    }
    if let Some(r) = &spec.regex {
        let text = lit.map(str::to_string).unwrap_or_else(|| w.display());
        if !regex_is_match(&r.value, &text) {
            return false;
        }
    }
    if let Some(u) = spec.url {
        let is = lit.is_some_and(flow::is_url);
        if is != u {
            return false;
        }
    }
    if let Some(p) = &spec.path {
        let want = classes_of(&s.items(p));
        let mut got = word_classes(s, w, lit);
        if want.has(Classes(Classes::GUARD_STATE.0 | Classes::PROJECT_POLICY.0)) {
            got = got.union(own_classes(s, w, lit, got));
        }
        if !got.has(want) {
            return false;
        }
    }
    true
}

/// Whether a word names guard's own state, or a project policy file that exists (these need
/// facts beyond the text, so they are worked out only for rules that ask). A partly known word
/// counts by the directory its known start names.
fn own_classes(s: &Subject, w: &Word, lit: Option<&str>, classes: Classes) -> Classes {
    s.in_dirs(|cwd| own_classes_in(s, w, lit, classes, cwd))
}

fn own_classes_in(s: &Subject, w: &Word, lit: Option<&str>, classes: Classes, cwd: &str) -> Classes {
    let home = s.ctx.home();
    let n = match lit {
        Some(t) if !t.is_empty() => paths::resolve(t, home, cwd),
        _ => match w.known_prefix().rsplit_once('/') {
            Some((dir, _)) if !dir.is_empty() => paths::resolve(dir, home, cwd),
            _ => return Classes::default(),
        },
    };
    let own = s.own.get_or_init(s.own_init);
    let home_n = paths::normalize(home, "/", "/");
    let mut c = Classes::default();
    let is_own = if w.glob && !s.negated.get() {
        paths::could_be_own(&n, &home_n, own)
    } else {
        paths::is_own(&n, &home_n, own)
    };
    if is_own || (classes.has(Classes::SHELL_RC) && s.ctx.loads_guard(&n)) {
        c = c.union(Classes::GUARD_STATE);
    }
    if lit.is_some() && n.rsplit('/').next() == Some(".guard.yaml") && s.ctx.exists(&n) {
        c = c.union(Classes::PROJECT_POLICY);
    }
    c
}

pub fn classes_of(names: &[String]) -> Classes {
    names.iter().filter_map(|n| Classes::parse(n)).fold(Classes::default(), Classes::union)
}

/// Path classes of a word. A partly known word is classed by the directory its known start
/// names: `/etc/$X` is somewhere under `/etc`.
pub fn word_classes(s: &Subject, w: &Word, lit: Option<&str>) -> Classes {
    if let Some(t) = lit {
        let glob = w.glob && !s.negated.get();
        return s.in_dirs(|d| s.paths.word(t, glob, d));
    }
    let prefix = w.known_prefix();
    match prefix.rfind('/') {
        Some(i) if i > 0 => {
            let dir = s.in_dirs(|d| s.paths.classes(&prefix[..i], d));
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

/// Evaluate a match; `Some(culprit)` when every condition holds.
pub fn eval(s: &Subject, m: &MatchSpec) -> Option<Culprit> {
    let mut culprit: Option<Culprit> = None;
    let mut set = |c: Culprit| {
        culprit.get_or_insert(c);
    };
    if let Some(p) = &m.program {
        if !s.items(p).iter().any(|i| program_matches(i, s.inv)) {
            return None;
        }
    }
    let mut skip = 0;
    if let Some(c) = &m.command {
        skip = command_matches(s, &s.items(c))?;
    }
    let program = s.inv.program_name();
    // A flag is the least telling culprit: used only when nothing else points anywhere.
    let mut flag_culprit: Option<Culprit> = None;
    if let Some(f) = &m.flags {
        let found = |name: &String| s.cmd.has_flag(&s.db.spellings(program, name)).map(|f| f.word);
        if !f.all.is_empty() {
            for name in &f.all {
                let w = found(name)?;
                flag_culprit.get_or_insert(Culprit { span: w.span, text: w.display() });
            }
        }
        if !f.any.is_empty() {
            let w = f.any.iter().find_map(found)?;
            flag_culprit.get_or_insert(Culprit { span: w.span, text: w.display() });
        }
        if f.none.iter().any(|n| found(n).is_some()) {
            return None;
        }
    }
    if let Some(o) = &m.option {
        let names = s.items(&o.name);
        let mut hit = None;
        for fl in &s.cmd.flags {
            if !names.iter().any(|n| s.db.spellings(program, n).contains(&fl.spelling)) {
                continue;
            }
            let ok = match (&o.value, &fl.value) {
                (None, _) => true,
                (Some(_), None) => false,
                (Some(spec), Some(FlagValue::Word(w))) => value_matches(s, spec, w),
                (Some(spec), Some(FlagValue::Attached(t))) => value_matches_text(s, spec, fl.word, Some(t)),
            };
            if ok {
                let w = fl.value.as_ref().and_then(|v| v.word()).unwrap_or(fl.word);
                hit = Some(Culprit {
                    span: fl.word.span.cover(w.span),
                    text: format!("{} {}", fl.word.display(), w.display()),
                });
                break;
            }
        }
        set(hit?);
    }
    let operands = || s.cmd.positionals.iter().skip(skip).copied();
    if let Some(no) = m.no_operands {
        if (operands().count() == 0) != no {
            return None;
        }
    }
    if let Some(max) = m.max_operands {
        if operands().count() > max {
            return None;
        }
    }
    if let Some(spec) = &m.operand {
        let w = operands().find(|w| value_matches(s, spec, w))?;
        set(Culprit { span: w.span, text: w.display() });
    }
    if let Some(spec) = &m.arg {
        let w = s.inv.args.iter().find(|w| value_matches(s, spec, w))?;
        set(Culprit { span: w.span, text: w.display() });
    }
    if let Some(r) = &m.redirect {
        let ops = r.op.as_ref().map(|o| s.items(o));
        let hit = s.inv.redirects.iter().find(|rd| {
            if matches!(rd.op, RedirectOp::Heredoc | RedirectOp::HereString) {
                return false;
            }
            if rd.op == RedirectOp::DupOut
                && rd.target.as_literal().is_some_and(|t| t.chars().all(|c| c.is_ascii_digit() || c == '-'))
            {
                return false;
            }
            let op_ok = ops.as_ref().is_none_or(|ops| {
                ops.iter().any(|o| match o.as_str() {
                    "write" => rd.op.writes(),
                    "truncate" => rd.op.truncates(),
                    "append" => matches!(rd.op, RedirectOp::Append | RedirectOp::AppendAll),
                    "read" => matches!(rd.op, RedirectOp::Read | RedirectOp::ReadWrite),
                    _ => false,
                })
            });
            op_ok && r.target.as_ref().is_none_or(|t| value_matches(s, t, &rd.target))
        })?;
        set(Culprit { span: hit.span, text: s.plan.text(hit.span).to_string() });
    }
    if let Some(f) = &m.stdin {
        let want = s.items(&f.from);
        let found = s.flow.upstream_has(s.inv.id, |facts| {
            want.iter().any(|w| match w.as_str() {
                "network" => facts.network,
                "secret" => facts.secret.is_some(),
                _ => false,
            })
        });
        let direct_secret = want.iter().any(|w| w == "secret")
            && s.inv.redirects.iter().any(|r| {
                r.op == RedirectOp::Read
                    && r.target.as_literal().is_some_and(|t| s.in_dirs(|d| s.paths.classes(t, d)).has(Classes::SECRET))
            });
        match found {
            Some(i) => {
                let src = &s.plan.invocations[i];
                let span = s.flow.facts[i].secret.filter(|_| want.iter().any(|w| w == "secret")).unwrap_or(src.span);
                set(Culprit { span, text: s.plan.text(span).to_string() });
            }
            None if direct_secret => {}
            None => return None,
        }
    }
    if let Some(o) = &m.stdout {
        let want = s.items(&o.to);
        let hit = s.plan.invocations.iter().find(|other| {
            other.id != s.inv.id
                && s.flow.facts[other.id].inputs.contains(&s.inv.id)
                && other.pipeline.is_some()
                && want.iter().any(|w| w == "network" && s.flow.facts[other.id].network)
        })?;
        set(Culprit { span: hit.span, text: hit.display() });
    }
    if let Some(c) = &m.code {
        set(code_matches(s, c)?);
    }
    if let Some(classes) = &m.sql {
        let want = s.items(classes);
        let (text, span) = sql_text(s)?;
        let got = sql::classify(s.inv.program_name().unwrap_or(""), &text);
        let hit = got.iter().find(|g| want.iter().any(|w| w == *g))?;
        set(Culprit { span, text: format!("{hit}: {}", crate::explain::clip(&text, 60)) });
    }
    if let Some(spec) = &m.upload {
        // Keys and certificates named for authentication are used, not sent.
        let auth: Vec<Span> = s
            .cmd
            .flags
            .iter()
            .filter(|f| {
                matches!(
                    f.spelling.as_str(),
                    "-i" | "--key" | "--cert" | "-E" | "--cacert" | "--netrc-file" | "--proxy-key"
                )
            })
            .flat_map(|f| [Some(f.word.span), f.value.as_ref().and_then(|v| v.word()).map(|w| w.span)])
            .flatten()
            .collect();
        let hit = s.inv.args.iter().filter(|w| !auth.contains(&w.span)).find(|w| {
            let Some(t) = w.as_literal() else { return false };
            flow::path_candidates(t).into_iter().any(|p| value_matches_text(s, spec, w, Some(p)))
        })?;
        set(Culprit { span: hit.span, text: hit.display() });
    }
    if let Some(e) = &m.effect {
        let kinds = s.items(&e.kind);
        let hit = super::effects::of(s.inv, &s.cmd, s.db).into_iter().find(|ef| {
            kinds.iter().any(|k| k == ef.kind)
                && e.target
                    .as_ref()
                    .is_none_or(|t| value_matches_text(s, t, ef.word, ef.text.as_deref().or(ef.word.as_literal())))
        })?;
        set(Culprit { span: hit.word.span, text: hit.text.unwrap_or_else(|| hit.word.display()) });
    }
    if let Some(v) = &m.via {
        let want = s.items(v);
        let ok = s.inv.via.iter().any(|via| {
            let name = match via {
                Via::Remote { .. } => "remote",
                Via::Xargs => "xargs",
                Via::FindExec => "find_exec",
                Via::CommandSubstitution | Via::ProcessSubstitution => "substitution",
                Via::Wrapper { .. } => "wrapper",
                Via::ShellString { .. }
                | Via::Eval
                | Via::Source
                | Via::HeredocToShell { .. }
                | Via::PipeToShell { .. } => "nested_code",
                _ => "",
            };
            want.iter().any(|w| w == name)
        });
        if !ok {
            return None;
        }
    }
    if let Some(c) = &m.context {
        if !context_matches(s, c) {
            return None;
        }
    }
    if let Some(alts) = &m.any {
        let hit = alts.iter().find_map(|a| eval(s, a))?;
        set(hit);
    }
    if let Some(n) = &m.not {
        s.negated.set(!s.negated.get());
        let hit = eval(s, n).is_some();
        s.negated.set(!s.negated.get());
        if hit {
            return None;
        }
    }
    Some(culprit.or(flag_culprit).unwrap_or_else(|| s.whole()))
}

fn code_matches(s: &Subject, c: &CodeSpec) -> Option<Culprit> {
    let code = s.inv.code.as_ref()?;
    if let Some(l) = &c.language {
        let langs = s.items(l);
        let is_shell = crate::shell::programs::is_shell(&code.language) || code.language == "sh";
        if !langs.iter().any(|x| x == &code.language || (x == "shell" && is_shell) || (x == "interpreter" && !is_shell))
        {
            return None;
        }
    }
    if let Some(f) = &c.from {
        let want = s.items(f);
        let from = &s.flow.facts[s.inv.id].code_from;
        if !want.iter().any(|w| from.iter().any(|g| g == w)) {
            return None;
        }
    }
    if let Some(calls) = &c.calls {
        let text = code.text.as_literal().map(str::to_string).unwrap_or_else(|| code.text.display());
        let pat = s.items(calls);
        let p = pat.iter().find(|p| regex_is_match(p, &text))?;
        let _ = p;
    }
    Some(Culprit { span: code.text.span, text: crate::explain::clip(&code.text.display(), 80) })
}

/// The SQL a database client is given: `-c`/`-e`/`-q`/`--command`/`--execute`/`--query`, the
/// statement after the database for sqlite3, or its heredoc/here-string.
fn sql_text(s: &Subject) -> Option<(String, Span)> {
    let name = s.inv.program_name().unwrap_or("");
    let mut parts = Vec::new();
    let mut span: Option<Span> = None;
    for f in &s.cmd.flags {
        if matches!(f.spelling.as_str(), "-c" | "--command" | "-e" | "--execute" | "-q" | "--query" | "--eval" | "-cmd")
        {
            match &f.value {
                Some(FlagValue::Word(w)) => {
                    parts.push(w.display());
                    span = Some(w.span);
                }
                Some(FlagValue::Attached(t)) => {
                    parts.push(t.clone());
                    span = Some(f.word.span);
                }
                None => {}
            }
        }
    }
    if name.starts_with("sqlite") || name == "duckdb" {
        for w in s.cmd.positionals.iter().skip(1) {
            parts.push(w.display());
            span.get_or_insert(w.span);
        }
    }
    for r in &s.inv.redirects {
        if let Some(t) = r.stdin_text() {
            parts.push(t.display());
            span.get_or_insert(r.span);
        }
    }
    // SQL piped in from echo/printf/cat <<EOF.
    for up in s.plan.upstream(s.inv) {
        let stdin = up.redirects.iter().find_map(|r| r.stdin_text());
        if let Some(w) = crate::shell::programs::literal_output(up, stdin) {
            parts.push(w.display());
            span.get_or_insert(up.span);
        }
    }
    if parts.is_empty() {
        return None;
    }
    Some((parts.join(";\n"), span.unwrap_or(s.inv.span)))
}

fn context_matches(s: &Subject, c: &ContextSpec) -> bool {
    if let Some(g) = &c.git_branch {
        let Some(b) = s.ctx.git_branch() else { return false };
        if !s.items(g).iter().any(|p| glob_match(p, &b)) {
            return false;
        }
    }
    let option_value = |names: &[&str]| -> Option<String> {
        s.cmd.flags.iter().find(|f| names.contains(&f.spelling.as_str())).and_then(|f| match &f.value {
            Some(FlagValue::Word(w)) => Some(w.display()),
            Some(FlagValue::Attached(t)) => Some(t.clone()),
            None => None,
        })
    };
    if let Some(r) = &c.kube_context {
        let v = option_value(&["--context", "--kube-context"]).or_else(|| s.ctx.kube_context());
        if !v.is_some_and(|v| regex_is_match(r, &v)) {
            return false;
        }
    }
    if let Some(r) = &c.kube_namespace {
        let v =
            option_value(&["-n", "--namespace"]).or_else(|| s.ctx.kube_namespace()).unwrap_or_else(|| "default".into());
        if !regex_is_match(r, &v) {
            return false;
        }
    }
    if let Some(env) = &c.env {
        for (name, r) in env {
            let v = s
                .inv
                .assignments
                .iter()
                .find(|a| &a.name == name)
                .map(|a| a.value.display())
                .or_else(|| s.ctx.env(name));
            if !v.is_some_and(|v| regex_is_match(r, &v)) {
                return false;
            }
        }
    }
    if let Some(g) = &c.cwd {
        if !s.items(g).iter().any(|p| glob_match(p, s.ctx.cwd())) {
            return false;
        }
    }
    if let Some(t) = c.tty {
        if s.ctx.tty() != t {
            return false;
        }
    }
    if let Some(a) = &c.agent {
        let agent = s.ctx.agent();
        if !s.items(a).contains(&agent) {
            return false;
        }
    }
    true
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
