//! Facts about where a command runs that rules may ask about. The policy core only sees this
//! trait; reading files and the environment is done by an implementation outside it
//! (`guard::context::LiveContext` in the `guard` binary), and tests use [`FakeContext`].

use std::collections::HashMap;

use super::paths::OwnPaths;

/// Facts about where a command runs, as rules ask about them.
pub trait Context {
    /// The user's home directory, absolute.
    fn home(&self) -> &str;
    /// The working directory the command is judged in, absolute.
    fn cwd(&self) -> &str;
    /// The branch checked out in the working directory's repository.
    fn git_branch(&self) -> Option<String>;
    /// The current kube context from the kubeconfig.
    fn kube_context(&self) -> Option<String>;
    /// The namespace of the current kube context.
    fn kube_namespace(&self) -> Option<String>;
    /// The environment variable `name` the command would see; `None` when unset.
    fn env(&self, name: &str) -> Option<String>;
    /// A human terminal is attached.
    fn tty(&self) -> bool;
    /// The agent calling guard (`claude`, `codex`, `gemini`, `cursor`), or `human`.
    fn agent(&self) -> String;
    /// Where guard keeps its own policy and state, and its binary (before what the policy's
    /// settings add).
    fn own_paths(&self) -> OwnPaths {
        OwnPaths::usual(self.home(), None, None)
    }
    /// Whether something exists at this absolute path (to tell editing a file from creating it).
    fn exists(&self, path: &str) -> bool;
    /// Whether the shell start-up file at this absolute path loads guard's integration.
    fn loads_guard(&self, path: &str) -> bool;
}

/// Fixed facts, for tests and for judging a corpus reproducibly.
#[derive(Debug, Clone)]
pub struct FakeContext {
    /// [`Context::home`]; `/home/u` by default.
    pub home: String,
    /// [`Context::cwd`]; `/home/u/proj` by default.
    pub cwd: String,
    /// [`Context::git_branch`]; `feature/x` by default.
    pub git_branch: Option<String>,
    /// [`Context::kube_context`]; `kind-dev` by default.
    pub kube_context: Option<String>,
    /// [`Context::kube_namespace`]; `default` by default.
    pub kube_namespace: Option<String>,
    /// The variables [`Context::env`] finds; none by default.
    pub env: HashMap<String, String>,
    /// [`Context::tty`]; `true` by default.
    pub tty: bool,
    /// [`Context::agent`]; `human` by default.
    pub agent: String,
    /// Paths that exist.
    pub existing: Vec<String>,
    /// Start-up files that load guard's integration.
    pub loading_guard: Vec<String>,
}

impl Default for FakeContext {
    fn default() -> Self {
        FakeContext {
            home: "/home/u".into(),
            cwd: "/home/u/proj".into(),
            git_branch: Some("feature/x".into()),
            kube_context: Some("kind-dev".into()),
            kube_namespace: Some("default".into()),
            env: HashMap::new(),
            tty: true,
            agent: "human".into(),
            // A project with a policy file of its own.
            existing: vec!["/home/u/proj/.guard.yaml".into()],
            loading_guard: Vec::new(),
        }
    }
}

impl Context for FakeContext {
    fn home(&self) -> &str {
        &self.home
    }
    fn cwd(&self) -> &str {
        &self.cwd
    }
    fn git_branch(&self) -> Option<String> {
        self.git_branch.clone()
    }
    fn kube_context(&self) -> Option<String> {
        self.kube_context.clone()
    }
    fn kube_namespace(&self) -> Option<String> {
        self.kube_namespace.clone()
    }
    fn env(&self, name: &str) -> Option<String> {
        self.env.get(name).cloned()
    }
    fn tty(&self) -> bool {
        self.tty
    }
    fn agent(&self) -> String {
        self.agent.clone()
    }
    fn exists(&self, path: &str) -> bool {
        self.existing.iter().any(|p| p == path)
    }
    fn loads_guard(&self, path: &str) -> bool {
        self.loading_guard.iter().any(|p| p == path)
    }
}
