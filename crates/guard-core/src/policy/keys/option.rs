//! `option:` — an option with a value: `{name: [-n, --namespace], value: {regex: prod}}`.

use serde::{Deserialize, Serialize};

use super::super::cmdline::FlagValue;
use super::super::items::OneOrMany;
use super::super::matcher::{Culprit, Subject};
use super::super::names::Gate;
use super::kit::{Found, GateCx, Lint};
use super::value::{self, ValueSpec};

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct OptionSpec {
    pub(crate) name: OneOrMany,
    #[serde(default)]
    pub(crate) value: Option<ValueSpec>,
}

pub(crate) type Spec = OptionSpec;

pub(crate) fn lint(o: &Spec, cx: &mut Lint) {
    if let Some(v) = &o.value {
        value::lint(v, cx);
    }
}

pub(crate) fn gate(_: &Spec, _: &mut GateCx, _: &mut Gate) {}

pub(crate) fn eval(o: &Spec, s: &Subject, found: &mut Found) -> Option<()> {
    let program = s.inv.program_name();
    let names = s.items(&o.name);
    for fl in &s.cmd.flags {
        if !names.iter().any(|n| s.db.spellings(program, n).contains(&fl.spelling)) {
            continue;
        }
        let ok = match (&o.value, &fl.value) {
            (None, _) => true,
            (Some(_), None) => false,
            (Some(spec), Some(FlagValue::Word(w))) => value::matches(s, spec, w),
            (Some(spec), Some(FlagValue::Attached(t))) => value::matches_text(s, spec, fl.word, Some(t)),
        };
        if ok {
            let w = fl.value.as_ref().and_then(|v| v.word()).unwrap_or(fl.word);
            found.point(Culprit {
                span: fl.word.span.cover(w.span),
                text: format!("{} {}", fl.word.display(), w.display()),
            });
            return Some(());
        }
    }
    None
}
