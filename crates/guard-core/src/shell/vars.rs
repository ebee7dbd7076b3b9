//! Shell variables known at a point in the text: seeded from the passed-in environment and
//! updated by literal assignments (`a=rm; $a -rf /`). An assignment guard cannot be sure
//! happened exactly once, in order (inside a branch, loop, subshell or pipeline), makes the
//! variable unknown from then on rather than guessed.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use super::env::Env;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum VarVal {
    Known(String),
    /// Not known statically. `what` replaces the variable's spelling in displays (used for
    /// run-time values carried into nested code, such as `$(date)`).
    Unknown {
        why: Cow<'static, str>,
        what: Option<String>,
    },
}

impl VarVal {
    pub(crate) fn unknown(why: &'static str) -> VarVal {
        VarVal::Unknown { why: Cow::Borrowed(why), what: None }
    }
}

#[derive(Debug, Clone, Default)]
pub(crate) struct Vars {
    map: HashMap<String, VarVal>,
    /// Names a child process inherits (everything from the environment, plus `export`ed names).
    exported: HashSet<String>,
}

impl Vars {
    /// A fresh shell: only what the environment tells us.
    pub(crate) fn from_env(env: &Env) -> Vars {
        let map = env.vars.iter().map(|(k, v)| (k.clone(), VarVal::Known(v.clone()))).collect();
        let exported = env.vars.keys().cloned().collect();
        Vars { map, exported }
    }

    /// What a child process started here sees: the exported variables, as they are now.
    pub(crate) fn for_child(&self) -> Vars {
        let map =
            self.map.iter().filter(|(k, _)| self.exported.contains(*k)).map(|(k, v)| (k.clone(), v.clone())).collect();
        Vars { map, exported: self.exported.clone() }
    }

    pub(crate) fn get(&self, name: &str) -> VarVal {
        match self.map.get(name) {
            Some(v) => v.clone(),
            None => VarVal::unknown("variable not set in this text; its value comes from the environment at run time"),
        }
    }

    /// The text (or the environment guard was given) set this variable.
    pub(crate) fn is_set(&self, name: &str) -> bool {
        self.map.contains_key(name)
    }

    /// The value of `name` when the text set and exported it (what a child process is given).
    pub(crate) fn exported(&self, name: &str) -> Option<&VarVal> {
        self.map.get(name).filter(|_| self.exported.contains(name))
    }

    /// The names the text exported.
    pub(crate) fn exported_names(&self) -> impl Iterator<Item = &str> {
        self.exported.iter().map(String::as_str)
    }

    pub(crate) fn known(&self, name: &str) -> Option<&str> {
        match self.map.get(name) {
            Some(VarVal::Known(v)) => Some(v),
            _ => None,
        }
    }

    /// Record `name=value`. `definite` is false when the assignment may or may not run, or runs
    /// in another process (subshell, pipeline stage, loop, branch).
    pub(crate) fn assign(&mut self, name: &str, value: Option<String>, definite: bool) {
        let val = match (value, definite) {
            (Some(v), true) => VarVal::Known(v),
            (Some(v), false) if self.known(name) == Some(v.as_str()) => VarVal::Known(v),
            (_, false) => VarVal::unknown("assigned conditionally, in a loop or in a subshell"),
            (None, true) => VarVal::unknown("assigned a value only known at run time"),
        };
        self.map.insert(name.to_string(), val);
    }

    /// The field separators in force: bash's default unless the text set IFS. An IFS set to
    /// something unknown is taken as the default (the words it makes are judged either way).
    pub(crate) fn ifs(&self) -> &str {
        match self.map.get("IFS") {
            Some(VarVal::Known(v)) => v,
            _ => " \t\n",
        }
    }

    pub(crate) fn set(&mut self, name: &str, val: VarVal) {
        self.map.insert(name.to_string(), val);
    }

    pub(crate) fn export(&mut self, name: &str) {
        self.exported.insert(name.to_string());
    }

    pub(crate) fn forget(&mut self, name: &str, why: &'static str) {
        self.map.insert(name.to_string(), VarVal::unknown(why));
    }
}
