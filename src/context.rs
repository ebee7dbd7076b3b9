//! The live [`Context`]: facts about where guard runs, each read only when a rule asks for it
//! (the git branch from `.git/HEAD`, the kube context from the kubeconfig; nothing is spawned).

use std::cell::OnceCell;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use crate::host::Host;
use crate::policy::paths::OwnPaths;
use crate::policy::Context;

pub struct LiveContext<'h> {
    host: &'h Host,
    home: String,
    cwd: String,
    /// The agent named by the caller (a hook host), in place of guessing from the environment.
    agent: Option<String>,
    branch: OnceCell<Option<String>>,
    kube: OnceCell<(Option<String>, Option<String>)>,
    tty: OnceCell<bool>,
}

impl<'h> LiveContext<'h> {
    /// The context of a command run where `host` is.
    pub fn new(host: &'h Host) -> LiveContext<'h> {
        LiveContext {
            host,
            home: host.home_text(),
            cwd: host.cwd_text(),
            agent: None,
            branch: OnceCell::new(),
            kube: OnceCell::new(),
            tty: OnceCell::new(),
        }
    }

    /// The context of a command an agent's hook (or an approval) asks about: it runs where
    /// `host` is (the agent's directory, not guard's), for `agent`, and no terminal is attached
    /// that guard could prompt on.
    pub fn for_agent(host: &'h Host, agent: &str) -> LiveContext<'h> {
        let mut ctx = LiveContext::new(host);
        ctx.agent = Some(agent.to_string());
        ctx.tty = OnceCell::from(false);
        ctx
    }

    /// The world this context was taken from.
    pub fn host(&self) -> &'h Host {
        self.host
    }

    fn kube(&self) -> &(Option<String>, Option<String>) {
        self.kube.get_or_init(|| {
            let path = self
                .host
                .var_os("KUBECONFIG")
                .and_then(|v| std::env::split_paths(v).next())
                .unwrap_or_else(|| PathBuf::from(&self.home).join(".kube/config"));
            crate::small_file::read_text(&path, 8 << 20).map(|t| kube_current(&t)).unwrap_or((None, None))
        })
    }
}

/// The branch checked out in the repository containing `dir`.
pub fn git_branch(dir: &Path) -> Option<String> {
    for d in dir.ancestors() {
        let dotgit = d.join(".git");
        let gitdir = if dotgit.is_dir() {
            dotgit
        } else if dotgit.is_file() {
            let text = crate::small_file::read_text(&dotgit, 64 << 10).ok()?;
            let p = PathBuf::from(text.trim().strip_prefix("gitdir:")?.trim());
            if p.is_absolute() {
                p
            } else {
                d.join(p)
            }
        } else {
            continue;
        };
        let head = crate::small_file::read_text(&gitdir.join("HEAD"), 64 << 10).ok()?;
        return head.trim().strip_prefix("ref: refs/heads/").map(str::to_string);
    }
    None
}

/// `current-context` and its namespace from kubeconfig text.
pub fn kube_current(text: &str) -> (Option<String>, Option<String>) {
    #[derive(serde::Deserialize)]
    struct Kc {
        #[serde(rename = "current-context", default)]
        current: Option<String>,
        #[serde(default)]
        contexts: Vec<Named>,
    }
    #[derive(serde::Deserialize)]
    struct Named {
        name: String,
        #[serde(default)]
        context: Option<Inner>,
    }
    #[derive(serde::Deserialize)]
    struct Inner {
        #[serde(default)]
        namespace: Option<String>,
    }
    match serde_saphyr::from_str::<serde_json::Value>(text) {
        Ok(v) => {
            let kc: Option<Kc> = serde_json::from_value(v).ok();
            match kc {
                Some(kc) => {
                    let ns = kc
                        .current
                        .as_ref()
                        .and_then(|c| kc.contexts.iter().find(|n| &n.name == c))
                        .and_then(|n| n.context.as_ref())
                        .and_then(|c| c.namespace.clone());
                    (kc.current, ns)
                }
                None => (None, None),
            }
        }
        Err(_) => (None, None),
    }
}

impl Context for LiveContext<'_> {
    fn home(&self) -> &str {
        &self.home
    }
    fn cwd(&self) -> &str {
        &self.cwd
    }
    fn git_branch(&self) -> Option<String> {
        self.branch.get_or_init(|| git_branch(Path::new(&self.cwd))).clone()
    }
    fn kube_context(&self) -> Option<String> {
        self.kube().0.clone()
    }
    fn kube_namespace(&self) -> Option<String> {
        self.kube().1.clone()
    }
    fn env(&self, name: &str) -> Option<String> {
        self.host.var(name).map(str::to_string)
    }
    fn tty(&self) -> bool {
        *self.tty.get_or_init(|| std::io::stdin().is_terminal() || std::fs::File::open("/dev/tty").is_ok())
    }
    fn agent(&self) -> String {
        self.agent.clone().unwrap_or_else(|| self.host.agent().to_string())
    }
    fn own_paths(&self) -> OwnPaths {
        let var = |n: &str| self.host.var(n).filter(|v| v.starts_with('/')).map(str::to_string);
        let mut own = OwnPaths::usual(&self.home, var("XDG_CONFIG_HOME").as_deref(), var("XDG_STATE_HOME").as_deref());
        // The binary judging this, as started and as it really is.
        if let Ok(exe) = std::env::current_exe() {
            if let Ok(real) = exe.canonicalize() {
                own.files.push(real.to_string_lossy().into_owned());
            }
            own.files.push(exe.to_string_lossy().into_owned());
        }
        // Agents' settings moved by their own variables.
        if let Some(d) = var("CLAUDE_CONFIG_DIR") {
            own.files.extend(["settings.json", "settings.local.json"].map(|f| format!("{d}/{f}")));
        }
        if let Some(d) = var("CODEX_HOME") {
            own.files.extend(["config.toml", "hooks.json"].map(|f| format!("{d}/{f}")));
        }
        own
    }
    fn exists(&self, path: &str) -> bool {
        std::fs::symlink_metadata(path).is_ok()
    }
    fn loads_guard(&self, path: &str) -> bool {
        // `eval "$(guard init bash)"`, `/path/to/guard init zsh`, `guard init fish | source`.
        crate::small_file::read_text(Path::new(path), 1 << 20).is_ok_and(|t| {
            t.lines().any(|l| l.contains("guard") && l.contains(" init ") && !l.trim_start().starts_with('#'))
        })
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn reads_current_context_and_namespace() {
        let text = "apiVersion: v1\ncurrent-context: prod-eu\ncontexts:\n- name: dev\n  context: {cluster: d}\n- name: prod-eu\n  context:\n    cluster: p\n    namespace: payments\n";
        assert_eq!(super::kube_current(text), (Some("prod-eu".into()), Some("payments".into())));
    }
}
