//! The keys of a rule's `match:`. Each key is one file here that holds all of it: the YAML it
//! takes (`Spec`), what lint checks of it (`lint`), what it adds to the rule's [`Gate`] (`gate`)
//! and how it is judged against one invocation (`eval`, `None` when it does not hold). This
//! file only lists them: a new key is its file, its `mod` line and its line in `keys!`
//! below, whose order is the order keys are judged (and linted) in. Keys that point at what
//! matched (`Found::point`) should stay in the order they are: the first to point wins.

mod kit;
mod value;

mod any;
mod arg;
mod code;
mod command;
mod context;
mod effect;
mod flags;
mod max_operands;
mod no_operands;
mod not;
mod operand;
mod option;
mod program;
mod redirect;
mod sql;
mod stdin;
mod stdout;
mod upload;
mod via;

use serde::{Deserialize, Serialize};

pub(crate) use kit::Conditions;
use kit::{Found, GateCx, Lint};

use super::lists::Lists;
use super::matcher::{Culprit, Subject};
use super::names::Gate;

/// `MatchSpec` with a field per key (in YAML, a key's name is its field's), and the calls into
/// each key's file.
macro_rules! keys {
    ($($(#[$doc:meta])* $key:ident: $spec:ty,)*) => {
        /// Conditions on one command. Every condition given must hold; `any` holds when one of
        /// its alternatives does; `not` when its condition does not.
        #[derive(Debug, Clone, Default, Deserialize, Serialize)]
        #[serde(deny_unknown_fields)]
        pub struct MatchSpec {
            $($(#[$doc])* pub(crate) $key: Option<Box<$spec>>,)*
        }

        impl Conditions for MatchSpec {
            fn lint(&self, cx: &mut Lint) {
                $(if let Some(v) = &self.$key {
                    $key::lint(v, cx);
                })*
            }

            fn gate(&self, cx: &mut GateCx) -> Gate {
                let mut g = Gate::default();
                $(if let Some(v) = &self.$key {
                    $key::gate(v, cx, &mut g);
                })*
                g
            }

            fn eval(&self, s: &Subject) -> Option<Culprit> {
                let mut found = Found::default();
                $(if let Some(v) = &self.$key {
                    $key::eval(v, s, &mut found)?;
                })*
                Some(found.culprit(s))
            }
        }
    };
}

keys! {
    /// The program by name (`rm`, `python*`) or path (`/usr/bin/rm`); `$list` for a list.
    program: program::Spec,
    /// Program and subcommand words: `git push`, `aws s3 rm`, `kubectl delete`.
    command: command::Spec,
    flags: flags::Spec,
    /// An option with a value: `{name: [-n, --namespace], value: {regex: prod}}`.
    option: option::Spec,
    /// At least one operand (a non-option word past the subcommand) is like this.
    operand: operand::Spec,
    /// The command has no operands past the subcommand.
    no_operands: no_operands::Spec,
    /// The command has at most this many operands past the subcommand.
    max_operands: max_operands::Spec,
    /// At least one argument word, option or operand, is like this.
    arg: arg::Spec,
    redirect: redirect::Spec,
    /// Where standard input comes from: `network`, `secret`, `dynamic`.
    stdin: stdin::Spec,
    /// Where standard output goes (later pipeline stages): `network`.
    stdout: stdout::Spec,
    code: code::Spec,
    /// SQL statement classes found in the command's SQL: `drop`, `truncate`,
    /// `delete_all`, `update_all`, `delete`, `update`, `alter`, `grant`, `write`, `unparsed`.
    sql: sql::Spec,
    /// A file or stream this network command sends: `curl -d @f`, `scp f host:`.
    upload: upload::Spec,
    /// How the command is reached: `remote`, `xargs`, `find_exec`, `substitution`, `wrapper`.
    via: via::Spec,
    /// Something the command does to a file, by program knowledge or a redirection:
    /// `{kind: [write, delete], target: {path: [guard_state]}}`.
    effect: effect::Spec,
    context: context::Spec,
    any: Vec<MatchSpec>,
    not: MatchSpec,
}

/// Evaluate a match against one invocation; `Some(culprit)` when every condition holds.
pub(crate) fn eval(s: &Subject, m: &MatchSpec) -> Option<Culprit> {
    m.eval(s)
}

/// Every problem in a match: `(line, column, message)`, line 0 for the match itself.
pub(crate) fn lint(m: &MatchSpec, lists: &Lists, out: &mut Vec<(u64, u64, String)>) {
    m.lint(&mut Lint { lists, out });
}

// The gate is worked out here, from the keys, and used where rules are indexed and judged.
impl Gate {
    /// The gate of `m`, with `$list` references expanded by `list` (names used pushed to `used`).
    pub fn of<'l>(m: &MatchSpec, list: &dyn Fn(&str) -> Option<&'l [String]>, used: &mut Vec<String>) -> Gate {
        m.gate(&mut GateCx { list, used })
    }
}
