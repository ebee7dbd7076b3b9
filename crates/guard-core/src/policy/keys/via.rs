//! `via:` — how the command is reached: `remote`, `xargs`, `find_exec`, `substitution`,
//! `wrapper`, `nested_code`.

use super::super::items::OneOrMany;
use super::super::matcher::Subject;
use super::super::names::{Gate, NEEDS_VIA};
use super::kit::{Found, GateCx, Lint};
use crate::plan::Via;

pub(crate) type Spec = OneOrMany;

const VIA: &[&str] = &["remote", "xargs", "find_exec", "substitution", "wrapper", "nested_code"];

pub(crate) fn lint(v: &Spec, cx: &mut Lint) {
    cx.items(v, VIA, "via");
}

pub(crate) fn gate(_: &Spec, _: &mut GateCx, g: &mut Gate) {
    g.needs |= NEEDS_VIA;
}

pub(crate) fn eval(v: &Spec, s: &Subject, _: &mut Found) -> Option<()> {
    let want = s.items(v);
    s.inv
        .via
        .iter()
        .any(|via| {
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
                | Via::PipeToShell { .. }
                | Via::WrittenScript { .. }
                | Via::Code { .. }
                | Via::Decoded { .. }
                | Via::Carrier { .. } => "nested_code",
                _ => "",
            };
            want.iter().any(|w| w == name)
        })
        .then_some(())
}
