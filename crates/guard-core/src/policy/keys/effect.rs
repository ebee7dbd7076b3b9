//! `effect:` — something the command does to a file, by program knowledge (`programs:` …
//! `effects:`) or a redirection: `{kind: [write, delete], target: {path: [guard_state]}}`.

use serde::{Deserialize, Serialize};

use super::super::effects;
use super::super::items::OneOrMany;
use super::super::matcher::{Culprit, Subject};
use super::super::names::{Gate, NEEDS_EFFECT};
use super::kit::{Found, GateCx, Lint};
use super::value::{self, ValueSpec};

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct EffectMatchSpec {
    /// One of the kinds of [`EffectSpec`](super::super::programs::EffectSpec).
    pub(crate) kind: OneOrMany,
    /// The file it is done to.
    #[serde(default)]
    pub(crate) target: Option<ValueSpec>,
}

pub(crate) type Spec = EffectMatchSpec;

pub(crate) fn lint(e: &Spec, cx: &mut Lint) {
    cx.items(&e.kind, effects::KINDS, "effect kind");
    if let Some(t) = &e.target {
        value::lint(t, cx);
    }
}

pub(crate) fn gate(_: &Spec, _: &mut GateCx, g: &mut Gate) {
    g.needs |= NEEDS_EFFECT;
}

pub(crate) fn eval(e: &Spec, s: &Subject, found: &mut Found) -> Option<()> {
    let kinds = s.items(&e.kind);
    let hit = effects::of(s.inv, &s.cmd, s.db).into_iter().find(|ef| {
        kinds.iter().any(|k| k == ef.kind)
            && e.target
                .as_ref()
                .is_none_or(|t| value::matches_text(s, t, ef.word, ef.text.as_deref().or(ef.word.as_literal())))
    })?;
    found.point(Culprit { span: hit.word.span, text: hit.text.unwrap_or_else(|| hit.word.display()) });
    Some(())
}
