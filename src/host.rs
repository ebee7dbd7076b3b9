//! One snapshot of the world guard runs in — working directory, home, environment, calling
//! agent, and (asked lazily, once) whether a person is at their own terminal — taken once in
//! `main` and passed down as a value. Nothing below `main` reads the process's environment or
//! working directory for itself, so what guard judges and where it looks for policy always
//! agree, and a hook judges in the agent's directory by saying so ([`Host::in_dir`]).

use std::cell::OnceCell;
use std::collections::HashMap;
use std::ffi::{OsStr, OsString};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use crate::environment::User;

/// Set in the environment of everything guard runs: a guarded command cannot answer guard's
/// own prompts or approve its own requests, and a guard it starts knows it is nested.
pub const ACTIVE_VAR: &str = "GUARD_ACTIVE";

#[derive(Debug, Clone)]
pub struct Host {
    cwd: PathBuf,
    vars: HashMap<OsString, OsString>,
    agent: String,
    /// Whether a person is at their own terminal: decided once, the first time it matters.
    person: OnceCell<bool>,
    /// Who this process runs as: looked up once, the first time it is asked.
    user: OnceCell<User>,
}

impl Host {
    /// The world as this process finds it. Only `main` (and tests) call this.
    pub fn from_process() -> Host {
        let vars: HashMap<OsString, OsString> = std::env::vars_os().collect();
        // A working directory that is gone leaves `$PWD` as the best account of where we are.
        let cwd = std::env::current_dir()
            .ok()
            .or_else(|| vars.get(OsStr::new("PWD")).map(PathBuf::from).filter(|p| p.is_absolute()))
            .unwrap_or_else(|| PathBuf::from("/"));
        Host::new(cwd, vars)
    }

    /// A world with this working directory and environment.
    pub fn new(cwd: PathBuf, vars: HashMap<OsString, OsString>) -> Host {
        let agent = agent_from(&vars);
        Host { cwd, vars, agent, person: OnceCell::new(), user: OnceCell::new() }
    }

    /// The same world, seen from `dir` (the directory an agent says its command runs in;
    /// relative to this one when relative).
    pub fn in_dir(&self, dir: &Path) -> Host {
        // An agent that names no directory runs where guard was started.
        if dir.as_os_str().is_empty() {
            return self.clone();
        }
        self.at(self.cwd.join(dir))
    }

    /// The same world with exactly `cwd` as its working directory (a request's directory as
    /// recorded, even when it is not absolute).
    pub fn at(&self, cwd: PathBuf) -> Host {
        Host { cwd, ..self.clone() }
    }

    pub fn cwd(&self) -> &Path {
        &self.cwd
    }

    /// The working directory as text (lossily, for rules and the audit log).
    pub fn cwd_text(&self) -> String {
        self.cwd.to_string_lossy().into_owned()
    }

    /// `$HOME`, when set.
    pub fn home(&self) -> Option<PathBuf> {
        self.var_os("HOME").filter(|h| !h.is_empty()).map(PathBuf::from)
    }

    /// `$HOME` as text, empty when unset.
    pub fn home_text(&self) -> String {
        self.var("HOME").unwrap_or_default().to_string()
    }

    /// A variable of the environment guard started in, when set and valid UTF-8.
    pub fn var(&self, name: &str) -> Option<&str> {
        self.vars.get(OsStr::new(name)).and_then(|v| v.to_str())
    }

    pub fn var_os(&self, name: &str) -> Option<&OsStr> {
        self.vars.get(OsStr::new(name)).map(OsString::as_os_str)
    }

    /// A variable that is set and not empty.
    pub fn set(&self, name: &str) -> bool {
        self.var_os(name).is_some_and(|v| !v.is_empty())
    }

    /// An absolute path a variable names (`XDG_CONFIG_HOME`…); the XDG spec says a relative one
    /// is to be ignored.
    pub fn absolute(&self, name: &str) -> Option<PathBuf> {
        self.var_os(name).map(PathBuf::from).filter(|p| p.is_absolute())
    }

    /// guard's state (audit log, approvals, recordings): `$XDG_STATE_HOME/guard`, else
    /// `$HOME/.local/state/guard`.
    pub fn state_dir(&self) -> Option<PathBuf> {
        self.xdg("XDG_STATE_HOME", ".local/state").map(|d| d.join("guard"))
    }

    /// guard's configuration (the user's policy layer, remembered answers):
    /// `$XDG_CONFIG_HOME/guard`, else `$HOME/.config/guard`.
    pub fn config_dir(&self) -> Option<PathBuf> {
        self.xdg("XDG_CONFIG_HOME", ".config").map(|d| d.join("guard"))
    }

    /// `$var` when it is an absolute path, else `$HOME/fallback` when HOME is absolute. The
    /// XDG spec says relative values are to be ignored.
    fn xdg(&self, var: &str, fallback: &str) -> Option<PathBuf> {
        self.absolute(var).or_else(|| self.absolute("HOME").map(|h| h.join(fallback)))
    }

    pub fn vars(&self) -> impl Iterator<Item = (&OsStr, &OsStr)> {
        self.vars.iter().map(|(k, v)| (k.as_os_str(), v.as_os_str()))
    }

    /// The agent calling guard (`claude`, `codex`, `gemini`, `cursor`), or `human`.
    pub fn agent(&self) -> &str {
        &self.agent
    }

    /// Who guard runs as (its real uid): the account `/etc/passwd` gives it, and what
    /// `$USER` (else `$LOGNAME`) claims when that is not the same.
    pub fn user(&self) -> &User {
        self.user.get_or_init(|| {
            let claim = ["USER", "LOGNAME"].into_iter().find_map(|v| self.var(v).filter(|n| !n.is_empty()));
            crate::environment::user(nix::unistd::getuid().as_raw(), claim)
        })
    }

    /// This guard runs inside a command a guard runs.
    pub fn nested(&self) -> bool {
        self.set(ACTIVE_VAR)
    }

    /// Whether guard was started by a person at their own terminal, who may loosen it for one
    /// run (`--mode observe`, `--policy` as their own layer, `GUARD_SHELL`, `GUARD_MASK=never`).
    /// Not inside a command guard runs, not for a calling agent, and not without a terminal on
    /// standard input and a controlling terminal: whatever started guard then is itself
    /// something guard judges, and its requests are inputs, not authority.
    pub fn person_at_terminal(&self) -> bool {
        *self.person.get_or_init(|| {
            !self.nested()
                && self.agent == "human"
                && std::io::stdin().is_terminal()
                && std::fs::OpenOptions::new().read(true).open("/dev/tty").is_ok()
        })
    }
}

/// The agent calling guard, from the variables each sets.
fn agent_from(vars: &HashMap<OsString, OsString>) -> String {
    let has = |n: &str| vars.get(OsStr::new(n)).is_some_and(|v| !v.is_empty());
    if has("CLAUDECODE") || has("CLAUDE_CODE_ENTRYPOINT") {
        "claude".into()
    } else if vars.keys().any(|k| k.to_string_lossy().starts_with("CODEX_")) {
        "codex".into()
    } else if has("GEMINI_CLI") {
        "gemini".into()
    } else if has("CURSOR_AGENT") || has("CURSOR_TRACE_ID") {
        "cursor".into()
    } else {
        "human".into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn host(vars: &[(&str, &str)]) -> Host {
        Host::new("/w".into(), vars.iter().map(|(k, v)| (k.into(), v.into())).collect())
    }

    #[test]
    fn the_agent_is_told_by_its_own_variables() {
        let table: &[(&[(&str, &str)], &str)] = &[
            (&[], "human"),
            (&[("CLAUDECODE", "1")], "claude"),
            (&[("CLAUDECODE", "")], "human"),
            (&[("CODEX_SANDBOX", "seatbelt")], "codex"),
            (&[("GEMINI_CLI", "1")], "gemini"),
            (&[("CURSOR_TRACE_ID", "x")], "cursor"),
        ];
        for (vars, want) in table {
            assert_eq!(host(vars).agent(), *want, "{vars:?}");
        }
    }

    #[test]
    fn a_nested_guard_or_an_agent_is_never_a_person() {
        assert!(!host(&[(ACTIVE_VAR, "1")]).person_at_terminal());
        assert!(!host(&[("CLAUDECODE", "1")]).person_at_terminal());
    }

    #[test]
    fn another_directory_is_taken_relative_to_this_one() {
        let h = host(&[("HOME", "/home/u"), ("XDG_CONFIG_HOME", "rel")]);
        assert_eq!(h.in_dir(Path::new("sub")).cwd(), Path::new("/w/sub"));
        assert_eq!(h.in_dir(Path::new("")).cwd_text(), "/w", "no directory named: where guard is");
        assert_eq!(h.in_dir(Path::new("/abs")).cwd(), Path::new("/abs"));
        assert_eq!(h.in_dir(Path::new("/abs")).home(), Some(PathBuf::from("/home/u")));
        assert_eq!(h.absolute("XDG_CONFIG_HOME"), None, "a relative XDG directory is ignored");
    }

    #[test]
    fn guard_keeps_its_files_where_the_xdg_variables_say() {
        type Row<'a> = (&'a [(&'a str, &'a str)], Option<&'a str>, Option<&'a str>);
        let table: &[Row] = &[
            (&[("HOME", "/h")], Some("/h/.local/state/guard"), Some("/h/.config/guard")),
            (
                &[("HOME", "/h"), ("XDG_STATE_HOME", "/s"), ("XDG_CONFIG_HOME", "/c")],
                Some("/s/guard"),
                Some("/c/guard"),
            ),
            (
                &[("HOME", "/h"), ("XDG_STATE_HOME", "rel"), ("XDG_CONFIG_HOME", "")],
                Some("/h/.local/state/guard"),
                Some("/h/.config/guard"),
            ),
            (&[("HOME", "rel")], None, None),
            (&[], None, None),
        ];
        for (vars, state, config) in table {
            let h = host(vars);
            assert_eq!(h.state_dir(), state.map(PathBuf::from), "{vars:?}");
            assert_eq!(h.config_dir(), config.map(PathBuf::from), "{vars:?}");
        }
    }
}
