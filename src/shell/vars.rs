//! Shell variables known at a point in the text: seeded from the passed-in environment and
//! updated by literal assignments (`a=rm; $a -rf /`). An assignment guard cannot be sure
//! happened exactly once, in order (inside a branch, loop, subshell or pipeline), makes the
//! variable unknown from then on rather than guessed.

use std::collections::HashMap;

use super::env::Env;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VarVal {
    Known(String),
    Unknown(&'static str),
}

#[derive(Debug, Clone, Default)]
pub struct Vars {
    map: HashMap<String, VarVal>,
}

impl Vars {
    /// A fresh shell: only what the environment tells us.
    pub fn from_env(env: &Env) -> Vars {
        let map = env.vars.iter().map(|(k, v)| (k.clone(), VarVal::Known(v.clone()))).collect();
        Vars { map }
    }

    pub fn get(&self, name: &str) -> VarVal {
        match self.map.get(name) {
            Some(v) => v.clone(),
            None => VarVal::Unknown("variable not set in this text; its value comes from the environment at run time"),
        }
    }

    pub fn known(&self, name: &str) -> Option<&str> {
        match self.map.get(name) {
            Some(VarVal::Known(v)) => Some(v),
            _ => None,
        }
    }

    /// Record `name=value`. `definite` is false when the assignment may or may not run, or runs
    /// in another process (subshell, pipeline stage, loop, branch).
    pub fn assign(&mut self, name: &str, value: Option<String>, definite: bool) {
        let val = match (value, definite) {
            (Some(v), true) => VarVal::Known(v),
            (Some(v), false) if self.known(name) == Some(v.as_str()) => VarVal::Known(v),
            (_, false) => VarVal::Unknown("assigned conditionally, in a loop or in a subshell"),
            (None, true) => VarVal::Unknown("assigned a value only known at run time"),
        };
        self.map.insert(name.to_string(), val);
    }

    pub fn forget(&mut self, name: &str, why: &'static str) {
        self.map.insert(name.to_string(), VarVal::Unknown(why));
    }
}
