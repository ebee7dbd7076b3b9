//! Tests on one word's value (`{path: [secret]}`, `{regex: prod}`): what `operand:`, `arg:`,
//! `upload:`, an `option:`'s `value:`, a `redirect:`'s and an `effect:`'s `target:` take. Not a
//! key itself.

use serde::{Deserialize, Serialize};
use serde_saphyr::Spanned;

use super::super::flow;
use super::super::items::OneOrMany;
use super::super::matcher::{glob_match, regex_is_match, word_contains, Subject};
use super::super::paths::{self, Classes};
use super::kit::Lint;
use crate::plan::Word;

/// Tests on one word's value. All given tests must hold; a list holds when one item does.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ValueSpec {
    pub(crate) equals: Option<OneOrMany>,
    /// Shell-style patterns: `*.sql`, `release/*`.
    pub(crate) glob: Option<OneOrMany>,
    /// Contains one of these substrings (cheap; checked before `regex`).
    pub(crate) contains: Option<OneOrMany>,
    pub(crate) regex: Option<Spanned<String>>,
    /// Path classes: root, system_top, system, home, home_top, home_dotfile, secret,
    /// shell_rc, cwd, cwd_ancestor, build_output, tmp, block_device, device_special,
    /// net_device, git_dir, public_key, guard_state, project_policy, persistence, secret_store,
    /// other.
    pub(crate) path: Option<OneOrMany>,
    /// Path classes the word has none of: `{not_path: [build_output, tmp]}` is a path that is
    /// not regenerable.
    pub(crate) not_path: Option<OneOrMany>,
    /// The word is only partly known until run time.
    pub(crate) dynamic: Option<bool>,
    /// The word holds an unquoted glob.
    pub(crate) glob_chars: Option<bool>,
    /// The word is a URL (or `host:path` remote for scp/rsync).
    pub(crate) url: Option<bool>,
}

pub(crate) fn lint(v: &ValueSpec, cx: &mut Lint) {
    for p in [&v.path, &v.not_path].into_iter().flatten() {
        let known: Vec<&str> = Classes::NAMES.iter().map(|(n, _)| *n).collect();
        cx.items(p, &known, "path class");
    }
    if let Some(r) = &v.regex {
        if let Err(msg) = cx.regex(&r.value) {
            cx.out.push((r.referenced.line(), r.referenced.column(), format!("invalid regex `{}`: {msg}", r.value)));
        }
    }
    for x in [&v.equals, &v.glob].into_iter().flatten() {
        cx.items(x, &[], "");
    }
}

/// Whether the word `w` is like `spec`.
pub(crate) fn matches(s: &Subject, spec: &ValueSpec, w: &Word) -> bool {
    matches_text(s, spec, w, w.as_literal())
}

/// Whether the word `w`, taken as the text `lit` (part of it: an option's attached value, a
/// file named after `@`), is like `spec`.
pub(crate) fn matches_text(s: &Subject, spec: &ValueSpec, w: &Word, lit: Option<&str>) -> bool {
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
        let mut got = s.word_classes(w, lit);
        if want.has(Classes(Classes::GUARD_STATE.0 | Classes::PROJECT_POLICY.0)) {
            got = got.union(s.own_classes(w, lit, got));
        }
        if !got.has(want) {
            return false;
        }
    }
    if let Some(p) = &spec.not_path {
        if s.word_classes(w, lit).has(classes_of(&s.items(p))) {
            return false;
        }
    }
    true
}

fn classes_of(names: &[String]) -> Classes {
    names.iter().filter_map(|n| Classes::parse(n)).fold(Classes::default(), Classes::union)
}
