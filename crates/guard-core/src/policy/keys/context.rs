//! `context:` — where and by whom the command runs: the git branch, the kube context and
//! namespace in effect, environment variables, the working directory, a terminal, the agent.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::super::cmdline::FlagValue;
use super::super::items::OneOrMany;
use super::super::matcher::{glob_match, regex_is_match, Subject};
use super::super::names::Gate;
use super::kit::{Found, GateCx, Lint};

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ContextSpec {
    /// Globs over the current git branch: `main`, `release/*`.
    pub(crate) git_branch: Option<OneOrMany>,
    /// Regex over the kube context in effect (`--context` on the command, else kubeconfig).
    pub(crate) kube_context: Option<String>,
    /// Regex over the namespace in effect (`-n` on the command, else kubeconfig).
    pub(crate) kube_namespace: Option<String>,
    /// Regex per environment variable: `{AWS_PROFILE: prod}`.
    pub(crate) env: Option<BTreeMap<String, String>>,
    /// Globs over the working directory.
    pub(crate) cwd: Option<OneOrMany>,
    /// A human terminal is attached.
    pub(crate) tty: Option<bool>,
    /// The calling agent: `claude`, `codex`, `gemini`, `cursor`, `human`.
    pub(crate) agent: Option<OneOrMany>,
}

pub(crate) type Spec = ContextSpec;

pub(crate) fn lint(c: &Spec, cx: &mut Lint) {
    let regexes =
        [&c.kube_context, &c.kube_namespace].into_iter().flatten().chain(c.env.iter().flat_map(|e| e.values()));
    for r in regexes {
        if let Err(e) = cx.regex(r) {
            cx.problem(format!("invalid regex `{r}`: {e}"));
        }
    }
}

pub(crate) fn gate(_: &Spec, _: &mut GateCx, _: &mut Gate) {}

pub(crate) fn eval(c: &Spec, s: &Subject, _: &mut Found) -> Option<()> {
    holds(c, s).then_some(())
}

fn holds(c: &Spec, s: &Subject) -> bool {
    if let Some(g) = &c.git_branch {
        let Some(b) = s.ctx.git_branch() else { return false };
        if !s.items(g).iter().any(|p| glob_match(p, &b)) {
            return false;
        }
    }
    let option_value = |names: &[&str]| -> Option<String> {
        s.cmd.flags.iter().find(|f| names.contains(&f.spelling.as_str())).and_then(|f| match &f.value {
            Some(FlagValue::Word(w)) => Some(w.display()),
            Some(FlagValue::Attached(t)) => Some(t.clone()),
            None => None,
        })
    };
    if let Some(r) = &c.kube_context {
        let v = option_value(&["--context", "--kube-context"]).or_else(|| s.ctx.kube_context());
        if !v.is_some_and(|v| regex_is_match(r, &v)) {
            return false;
        }
    }
    if let Some(r) = &c.kube_namespace {
        let v =
            option_value(&["-n", "--namespace"]).or_else(|| s.ctx.kube_namespace()).unwrap_or_else(|| "default".into());
        if !regex_is_match(r, &v) {
            return false;
        }
    }
    if let Some(env) = &c.env {
        for (name, r) in env {
            let v = s
                .inv
                .assignments
                .iter()
                .find(|a| &a.name == name)
                .map(|a| a.value.display())
                .or_else(|| s.ctx.env(name));
            if !v.is_some_and(|v| regex_is_match(r, &v)) {
                return false;
            }
        }
    }
    if let Some(g) = &c.cwd {
        if !s.items(g).iter().any(|p| glob_match(p, s.ctx.cwd())) {
            return false;
        }
    }
    if let Some(t) = c.tty {
        if s.ctx.tty() != t {
            return false;
        }
    }
    if let Some(a) = &c.agent {
        let agent = s.ctx.agent();
        if !s.items(a).contains(&agent) {
            return false;
        }
    }
    true
}
