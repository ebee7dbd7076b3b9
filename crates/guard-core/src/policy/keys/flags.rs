//! `flags:` — named flags (a spelling, or a name under the program's `flags:`) given or not:
//! `{any: [force], all: [-r], none: [--dry-run]}`.

use serde::{Deserialize, Serialize};

use super::super::matcher::{Culprit, Subject};
use super::super::names::Gate;
use super::kit::{Found, GateCx, Lint};

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FlagsSpec {
    #[serde(default)]
    pub(crate) any: Vec<String>,
    #[serde(default)]
    pub(crate) all: Vec<String>,
    #[serde(default)]
    pub(crate) none: Vec<String>,
}

pub(crate) type Spec = FlagsSpec;

pub(crate) fn lint(_: &Spec, _: &mut Lint) {}

pub(crate) fn gate(_: &Spec, _: &mut GateCx, _: &mut Gate) {}

pub(crate) fn eval(f: &Spec, s: &Subject, found: &mut Found) -> Option<()> {
    let program = s.inv.program_name();
    let given = |name: &String| s.cmd.has_flag(&s.db.spellings(program, name)).map(|f| f.word);
    for name in &f.all {
        let w = given(name)?;
        found.point_at_flag(Culprit { span: w.span, text: w.display() });
    }
    if !f.any.is_empty() {
        let w = f.any.iter().find_map(given)?;
        found.point_at_flag(Culprit { span: w.span, text: w.display() });
    }
    if f.none.iter().any(|n| given(n).is_some()) {
        return None;
    }
    Some(())
}
