//! What the parser may know about the environment. The parser never reads the process
//! environment itself; the caller passes this in, so analysis stays pure and testable.

use std::collections::HashMap;

/// The variables and home directories the parser may expand; anything else is unknown to it.
#[derive(Debug, Clone)]
pub struct Env {
    /// Variables whose values are trusted to expand statically (`HOME`, `PWD`, …).
    pub vars: HashMap<String, String>,
    /// Home directories for `~user`.
    pub user_homes: HashMap<String, String>,
}

impl Default for Env {
    fn default() -> Self {
        Env::new("/home/user", "/home/user")
    }
}

impl Env {
    /// Only `HOME` and `PWD` set, and `~root` at `/root`.
    pub fn new(home: &str, pwd: &str) -> Env {
        let mut vars = HashMap::new();
        vars.insert("HOME".to_string(), home.to_string());
        vars.insert("PWD".to_string(), pwd.to_string());
        let mut user_homes = HashMap::new();
        user_homes.insert("root".to_string(), "/root".to_string());
        Env { vars, user_homes }
    }

    /// The same, with `~user` expanding to `home`.
    pub fn with_user_home(mut self, user: &str, home: &str) -> Env {
        self.user_homes.insert(user.to_string(), home.to_string());
        self
    }

    pub(crate) fn pwd(&self) -> Option<&str> {
        self.vars.get("PWD").map(String::as_str)
    }
}
