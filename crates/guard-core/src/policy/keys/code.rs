//! `code:` — code the command hands a shell or interpreter: its language, where it comes from,
//! and regexes over its text.

use serde::{Deserialize, Serialize};

use super::super::items::OneOrMany;
use super::super::matcher::{regex_is_match, Culprit, Subject};
use super::super::names::{Gate, NEEDS_CODE};
use super::kit::{Found, GateCx, Lint};

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct CodeSpec {
    /// `sh`, `python`, `javascript`, …; `shell` for any shell, `interpreter` for any other.
    pub(crate) language: Option<OneOrMany>,
    /// Where the code comes from: `argument`, `stdin`, `file`, `substitution` (a file made at
    /// run time by `<(…)`), `network`, `dynamic`.
    pub(crate) from: Option<OneOrMany>,
    /// Regexes over the code text (the code is a named field, not the raw line).
    pub(crate) calls: Option<OneOrMany>,
    /// `true`: guard read the whole code with its language's grammar, so what it runs and
    /// changes is judged as commands of their own; `false`: it did not (or not all of it).
    pub(crate) read: Option<bool>,
    /// `true`: the code (read with its grammar) chooses at run time what it calls, or hands a
    /// function that runs commands or deletes files to other code.
    pub(crate) chooses_calls: Option<bool>,
}

pub(crate) type Spec = CodeSpec;

const FROM: &[&str] = &["argument", "stdin", "file", "substitution", "network", "dynamic"];

pub(crate) fn lint(c: &Spec, cx: &mut Lint) {
    if let Some(f) = &c.from {
        cx.items(f, FROM, "code source");
    }
    if let Some(calls) = &c.calls {
        for p in cx.expand(calls) {
            if let Err(e) = cx.regex(&p) {
                cx.problem(format!("invalid regex `{p}` in code.calls: {e}"));
            }
        }
    }
}

pub(crate) fn gate(_: &Spec, _: &mut GateCx, g: &mut Gate) {
    g.needs |= NEEDS_CODE;
}

pub(crate) fn eval(c: &Spec, s: &Subject, found: &mut Found) -> Option<()> {
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
    if let Some(want) = c.read {
        if code.read.is_some_and(|r| r.complete) != want {
            return None;
        }
    }
    if let Some(want) = c.chooses_calls {
        if code.read.is_some_and(|r| r.chooses_calls) != want {
            return None;
        }
    }
    if let Some(calls) = &c.calls {
        let text = code.text.as_literal().map(str::to_string).unwrap_or_else(|| code.text.display());
        if !s.items(calls).iter().any(|p| regex_is_match(p, &text)) {
            return None;
        }
    }
    found.point(Culprit { span: code.text.span, text: crate::explain::clip(&code.text.display(), 80) });
    Some(())
}
