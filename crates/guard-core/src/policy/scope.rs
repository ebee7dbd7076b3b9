//! The scope a contained command runs in: where it may write, what it may never write whatever
//! the settings say, and which secret stores it may not read. Pure: the places arrive as
//! values, and the one thing that needs the filesystem, listing a directory, is the caller's.
//!
//! A kernel scope (Landlock) can only grant: a path inside a granted directory cannot be taken
//! back out. So a directory that holds a protected path is never granted whole; its entries
//! are granted one by one instead, descending only along the way to each protected path, and
//! the protected path itself (and the directories on the way to it) are left out. What can be
//! written in place stays writable there; nothing new can be made, removed or renamed directly
//! in a directory on the way. An agent working in its home directory (or a dotfiles repository
//! there) gets exactly that: its files, never its start-up files, keys or guard's own.

use super::paths::{self, OwnPaths};

/// Why a directory is writable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Why {
    /// The project root: the enclosing git work tree, else the working directory.
    Project,
    /// A temporary directory.
    Temp,
    /// A cache or tool home from `settings.contain.caches`.
    Cache,
    /// A directory from `settings.contain.writable`.
    Setting,
    /// A device every program writes to (`/dev/null`, a terminal).
    Device,
}

impl Why {
    /// How a person reads it.
    pub fn describe(self) -> &'static str {
        match self {
            Why::Project => "the project",
            Why::Temp => "a temporary directory",
            Why::Cache => "a cache (settings.contain.caches)",
            Why::Setting => "settings.contain.writable",
            Why::Device => "a device",
        }
    }
}

/// What kind of entry a listed name is. Only directories and regular files are ever granted:
/// a symbolic link would grant whatever it points to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A directory (granted with everything beneath it).
    Dir,
    /// A regular file (granted alone).
    File,
    /// Anything else: a symbolic link, a socket, a device. Never granted.
    Other,
}

/// Lists a directory: each entry's name and kind, or `None` when it cannot be read.
pub type Lister<'a> = dyn FnMut(&str) -> Option<Vec<(String, Kind)>> + 'a;

/// One place a rule grants, and whether it is a directory or a single file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    /// Absolute path.
    pub path: String,
    /// [`Kind::Dir`] or [`Kind::File`].
    pub kind: Kind,
}

/// The most single grants one scope is built from: a directory with more entries than this on
/// the way to a protected path is granted only up to it (less is writable, never more).
pub const MAX_GRANTS: usize = 4096;

/// Directories that are never a writable root, whatever asks for it: the system's own (`/etc`,
/// `/usr`…) and everything under them. A project there is judged, not contained in place.
const SYSTEM_TREES: &[&str] =
    &["/etc", "/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/boot", "/proc", "/sys", "/dev"];

/// The system's temporary directories, always writable (`$TMPDIR` is added where it is set).
pub const TEMP_DIRS: &[&str] = &["/tmp", "/var/tmp", "/dev/shm"];

/// Devices every program writes to; granted one by one, never `/dev` itself.
pub const DEVICES: &[(&str, Kind)] = &[
    ("/dev/null", Kind::File),
    ("/dev/zero", Kind::File),
    ("/dev/full", Kind::File),
    ("/dev/random", Kind::File),
    ("/dev/urandom", Kind::File),
    ("/dev/tty", Kind::File),
    ("/dev/ptmx", Kind::File),
    ("/dev/pts", Kind::Dir),
];

/// Secret stores that tools read on every run whatever they are asked to do (npm reads
/// `~/.npmrc`, docker its `config.json`, cargo its credentials with its configuration): left
/// readable, or containment would break everyday builds. Reading them is still judged.
const READ_EVERY_RUN: &[&str] =
    &[".npmrc", ".yarnrc", ".docker/config.json", ".cargo/credentials", ".cargo/credentials.toml"];

/// Where clients that read their own credentials keep caches they write on every run (tokens
/// exchanged, discovery, logs): writable for a command a rule opens the secret stores for
/// (`effects: [open_secrets]`). Only these: the stores' configuration (`~/.kube/config`,
/// `~/.aws/config`) can name commands to run later, and stays never writable.
pub const CREDENTIAL_CACHES: &[&str] = &[
    ".kube/cache",
    ".kube/http-cache",
    ".aws/cli/cache",
    ".aws/sso/cache",
    ".config/gcloud/logs",
    ".azure/logs",
    ".azure/telemetry",
];

/// Variables that point a credential client at other configuration, plugins or programs to run:
/// set on the command, or in the environment to a place a contained command could write, they
/// keep the secret stores closed. `PATH` is checked on its own (no directory on it may
/// be one a contained command can write).
pub const CONFIG_VARIABLES: &[&str] = &[
    "KUBECONFIG",
    "AWS_CONFIG_FILE",
    "AWS_SHARED_CREDENTIALS_FILE",
    "CLOUDSDK_CONFIG",
    "AZURE_CONFIG_DIR",
    "AZURE_EXTENSION_DIR",
    "GH_CONFIG_DIR",
    "GLAB_CONFIG_DIR",
    "HELM_PLUGINS",
    "HELM_CONFIG_HOME",
    "XDG_CONFIG_HOME",
    "XDG_DATA_HOME",
    "OCI_CLI_CONFIG_FILE",
    "DIGITALOCEAN_CONFIG",
    "SSH_ASKPASS",
    "GNUPGHOME",
    "HELM_DATA_HOME",
    "HELM_CACHE_HOME",
    "CLOUDSDK_PYTHON",
    "CLOUDSDK_GSUTIL_PYTHON",
    "CLOUDSDK_BQ_PYTHON",
    "PYTHONHOME",
    "PYTHONUSERBASE",
];

/// Variables that name a program a client may start (an editor, a pager, a diff tool, a
/// browser, the shell ssh runs its proxy through): the program, found on PATH when it is a
/// bare name, must lie outside every place a contained command can write.
pub const PROGRAM_VARIABLES: &[&str] = &[
    "SHELL",
    "EDITOR",
    "VISUAL",
    "PAGER",
    "BROWSER",
    "KUBE_EDITOR",
    "KUBECTL_EXTERNAL_DIFF",
    "GH_EDITOR",
    "GH_BROWSER",
    "GH_PAGER",
    "GLAB_EDITOR",
    "AWS_PAGER",
    "GIT_EDITOR",
];

/// Variables that load code into whatever runs (any value keeps the secret stores closed).
pub const CODE_VARIABLES: &[&str] =
    &["LD_PRELOAD", "LD_LIBRARY_PATH", "LD_AUDIT", "PYTHONPATH", "PYTHONSTARTUP", "NODE_OPTIONS", "BASH_ENV", "ENV"];

/// Beyond the path classes: `~/.local/bin` is on PATH, so a program put there replaces one
/// a person runs later.
const RUN_LATER_HOME: &[&str] = &[".local/bin"];

/// A protected path and the class it belongs to, for messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Protected {
    /// Absolute path (it need not exist: it must not be created either).
    pub path: String,
    /// What it is, for a person: "a shell start-up file", "guard's own state"…
    pub class: &'static str,
}

/// Everything a contained command may never write, for a user whose home directories are
/// `homes` (the account's, and `$HOME` when it differs): guard's own places (`own`), the agents'
/// hook settings, shell start-up files and what else runs later by itself, keys and credentials,
/// and the system's configuration.
pub fn never_writable(homes: &[&str], own: &OwnPaths) -> Vec<Protected> {
    let mut out = Vec::new();
    // A few hundred paths: looked up by hash, not compared with every one before.
    let mut seen = std::collections::HashSet::new();
    let mut add = |path: String, class: &'static str| {
        if path.starts_with('/') && seen.insert(path.clone()) {
            out.push(Protected { path, class });
        }
    };
    add("/etc".into(), "the system's configuration (/etc)");
    for d in &own.dirs {
        add(d.clone(), "guard's own policy or state");
    }
    for f in &own.files {
        add(f.clone(), "guard's own file");
    }
    for home in homes.iter().filter(|h| h.starts_with('/') && **h != "/") {
        let home = home.trim_end_matches('/');
        for s in paths::AGENT_SETTINGS {
            add(format!("{home}/{s}"), "an agent's hook settings");
        }
        for s in paths::SHELL_RC_HOME {
            add(format!("{home}/{s}"), "a shell start-up file");
        }
        for s in paths::PERSISTENCE_HOME.iter().chain(RUN_LATER_HOME) {
            add(format!("{home}/{s}"), "something that runs later by itself");
        }
        for s in paths::HOME_SECRETS {
            add(format!("{home}/{s}"), "keys or credentials");
        }
    }
    for s in paths::SYSTEM_SECRETS {
        add(s.to_string(), "keys or credentials");
    }
    for s in paths::PERSISTENCE_SYSTEM.iter().chain(paths::SHELL_RC_SYSTEM) {
        add(s.to_string(), "something that runs later by itself");
    }
    out
}

/// The secret stores a contained command may not read (unless a rule opens them for it).
pub fn unreadable(homes: &[&str]) -> Vec<Protected> {
    let mut out: Vec<Protected> = Vec::new();
    for home in homes.iter().filter(|h| h.starts_with('/') && **h != "/") {
        let home = home.trim_end_matches('/');
        for s in paths::HOME_SECRETS.iter().filter(|s| !READ_EVERY_RUN.contains(s)) {
            out.push(Protected { path: format!("{home}/{s}"), class: "a secret store" });
        }
    }
    // Of the system's, those outside /etc (a pod's service account token in /run/secrets).
    // What only root can read in /etc (`/etc/shadow`) is the system's to keep; keeping it
    // from a command run as root would cost a rule for every entry of /etc, and root can read
    // every other user's files anyway.
    for s in paths::SYSTEM_SECRETS.iter().filter(|s| !within(s, "/etc")) {
        out.push(Protected { path: s.to_string(), class: "a secret store" });
    }
    out.dedup_by(|a, b| a.path == b.path);
    out
}

/// Whether `path` is `dir` or beneath it (both absolute and normalised).
pub use super::paths::under as within;

/// Why `root` (absolute, canonical) may not be a writable root at all, or `None` when it may:
/// `/`, a system directory or anything in one, or a directory that holds home directories.
/// `homes` may themselves be roots (an agent working in its home is split around what it
/// protects).
pub fn refused_root(root: &str, homes: &[&str]) -> Option<&'static str> {
    if homes.contains(&root) || TEMP_DIRS.contains(&root) {
        return None;
    }
    if root == "/" {
        return Some("it is the root directory");
    }
    if SYSTEM_TREES.iter().any(|t| within(root, t)) {
        return Some("it is a system directory");
    }
    let top = root.trim_start_matches('/');
    if !top.contains('/') && paths::SYSTEM_TOP_DIRS.contains(&top) {
        return Some("it is a system directory");
    }
    if homes.iter().any(|h| within(h, root)) {
        return Some("it holds home directories");
    }
    None
}

/// What to grant so that everything under `root` is granted except `avoid` (and what is
/// beneath each): `root` itself when nothing avoided is inside it, nothing when it is itself
/// avoided, else its entries one by one (from `list`, which gives a directory's entries, or
/// `None` when it cannot be read: then none of it is granted). At most `budget` grants are
/// made; the budget left says whether any were left out.
pub fn grants(root: &str, avoid: &[&str], list: &mut Lister, budget: &mut usize) -> Vec<Grant> {
    let mut out = Vec::new();
    walk(root, Kind::Dir, avoid, list, budget, &mut out);
    out
}

fn walk(path: &str, kind: Kind, avoid: &[&str], list: &mut Lister, budget: &mut usize, out: &mut Vec<Grant>) {
    if kind == Kind::Other || *budget == 0 || avoid.iter().any(|a| within(path, a)) {
        return;
    }
    let holds_avoided = avoid.iter().any(|a| within(a, path));
    if !holds_avoided || kind == Kind::File {
        *budget -= 1;
        out.push(Grant { path: path.to_string(), kind });
        return;
    }
    let Some(mut entries) = list(path) else { return };
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    let base = path.trim_end_matches('/');
    for (name, kind) in entries {
        if name.is_empty() || name == "." || name == ".." || name.contains('/') {
            continue;
        }
        walk(&format!("{base}/{name}"), kind, avoid, list, budget, out);
    }
}

/// Why a path a contained command was refused lies outside its scope, for the message after
/// it ends: the protected class it is in, or that it is outside every writable place. `None`
/// when the path is inside the scope (the refusal was the system's, not containment's).
pub fn why_refused(
    path: &str,
    writable: &[(String, Why)],
    protected: &[Protected],
    secret: &[Protected],
) -> Option<String> {
    if let Some(p) = secret.iter().find(|p| within(path, &p.path)) {
        return Some(format!(
            "{path} is {}: a contained command can read it only when it is one client a rule opens the stores \
             for (`effects: [open_secrets]`)",
            p.class
        ));
    }
    if let Some(p) = protected.iter().find(|p| within(path, &p.path)) {
        return Some(format!("{path} is {}, which a contained command may never write", p.class));
    }
    if writable.iter().any(|(w, _)| within(path, w)) {
        return None;
    }
    Some(format!(
        "{path} is outside the places a contained command may write (the project, the temporary directories and \
         the caches); add it to settings.contain.writable to open it"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn tree(entries: &[(&str, &[(&str, Kind)])]) -> HashMap<String, Vec<(String, Kind)>> {
        entries.iter().map(|(d, es)| (d.to_string(), es.iter().map(|(n, k)| (n.to_string(), *k)).collect())).collect()
    }

    fn granted(root: &str, avoid: &[&str], fs: &HashMap<String, Vec<(String, Kind)>>, budget: usize) -> Vec<String> {
        let mut b = budget;
        grants(root, avoid, &mut |d| fs.get(d).cloned(), &mut b)
            .into_iter()
            .map(|g| format!("{}{}", g.path, if g.kind == Kind::Dir { "/" } else { "" }))
            .collect()
    }

    #[test]
    fn a_directory_holding_nothing_protected_is_granted_whole() {
        let fs = tree(&[]);
        assert_eq!(granted("/home/u/proj", &["/home/u/.bashrc", "/etc"], &fs, 10), ["/home/u/proj/"]);
    }

    #[test]
    fn a_directory_holding_protected_paths_is_granted_entry_by_entry_around_them() {
        use Kind::*;
        let fs = tree(&[
            (
                "/home/u",
                &[
                    ("proj", Dir),
                    (".bashrc", File),
                    (".ssh", Dir),
                    (".config", Dir),
                    ("notes.txt", File),
                    ("link", Other),
                ],
            ),
            ("/home/u/.config", &[("guard", Dir), ("git", Dir), ("app.toml", File)]),
        ]);
        let avoid = ["/home/u/.bashrc", "/home/u/.ssh", "/home/u/.config/guard", "/home/u/.zshrc"];
        assert_eq!(
            granted("/home/u", &avoid, &fs, 100),
            ["/home/u/.config/app.toml", "/home/u/.config/git/", "/home/u/notes.txt", "/home/u/proj/"],
            "the home and .config are never granted whole; the symbolic link is not granted at all"
        );
    }

    #[test]
    fn a_protected_root_or_one_inside_a_protected_tree_grants_nothing() {
        let fs = tree(&[]);
        assert!(granted("/home/u/.ssh", &["/home/u/.ssh"], &fs, 10).is_empty());
        assert!(granted("/home/u/.config/guard/x", &["/home/u/.config/guard"], &fs, 10).is_empty());
        assert!(granted("/etc/nginx", &["/etc"], &fs, 10).is_empty());
    }

    #[test]
    fn an_unreadable_directory_on_the_way_grants_nothing_beneath_it() {
        let fs = tree(&[]);
        assert!(granted("/home/u", &["/home/u/.bashrc"], &fs, 10).is_empty());
    }

    #[test]
    fn the_budget_leaves_out_rather_than_grants_more() {
        use Kind::*;
        let fs = tree(&[("/t", &[("a", Dir), ("b", Dir), ("c", Dir), ("p", Dir)])]);
        let mut budget = 2;
        let got = grants("/t", &["/t/p"], &mut |d| fs.get(d).cloned(), &mut budget);
        assert_eq!(got.len(), 2);
        assert_eq!(budget, 0);
    }

    #[test]
    fn system_directories_and_what_holds_homes_are_never_roots() {
        let homes = ["/home/u", "/root"];
        let table: &[(&str, Option<&str>)] = &[
            ("/", Some("root directory")),
            ("/etc", Some("system directory")),
            ("/etc/nginx", Some("system directory")),
            ("/usr/local/src/x", Some("system directory")),
            ("/var", Some("system directory")),
            ("/home", Some("system directory")),
            ("/srv", Some("system directory")),
            ("/data", None),
            ("/var/www/site", None),
            ("/home/u", None),
            ("/root", None),
            ("/home/u/proj", None),
            ("/tmp", None),
            ("/dev/shm", None),
            ("/dev", Some("system directory")),
            ("/mnt/disk", None),
        ];
        for (root, want) in table {
            let got = refused_root(root, &homes);
            assert_eq!(got.is_some(), want.is_some(), "{root}: {got:?}");
            if let (Some(g), Some(w)) = (got, want) {
                assert!(g.contains(w), "{root}: {g}");
            }
        }
        assert_eq!(refused_root("/data", &["/data/users/u"]), Some("it holds home directories"));
    }

    #[test]
    fn what_is_never_writable_covers_guard_the_agents_start_up_files_keys_and_etc() {
        let own = OwnPaths::usual("/home/u", Some("/x/config"), None);
        let p = never_writable(&["/home/u"], &own);
        let class = |path: &str| p.iter().find(|x| within(path, &x.path)).map(|x| x.class);
        assert_eq!(class("/home/u/.config/guard/policy.yaml"), Some("guard's own policy or state"));
        assert_eq!(class("/x/config/guard/a.yaml"), Some("guard's own policy or state"));
        assert_eq!(class("/home/u/.local/state/guard/audit.jsonl"), Some("guard's own policy or state"));
        assert_eq!(class("/home/u/.claude/settings.json"), Some("an agent's hook settings"));
        assert_eq!(class("/home/u/.bashrc"), Some("a shell start-up file"));
        assert_eq!(class("/home/u/.ssh/authorized_keys"), Some("something that runs later by itself"));
        assert_eq!(class("/home/u/.ssh/id_ed25519"), Some("keys or credentials"));
        assert_eq!(class("/home/u/.gnupg/pubring.kbx"), Some("keys or credentials"));
        assert_eq!(class("/home/u/.local/bin/ls"), Some("something that runs later by itself"));
        assert_eq!(class("/etc/passwd"), Some("the system's configuration (/etc)"));
        assert_eq!(class("/home/u/proj/src/main.rs"), None);
    }

    #[test]
    fn secret_stores_are_unreadable_except_those_tools_read_on_every_run() {
        let s = unreadable(&["/home/u"]);
        let has = |p: &str| s.iter().any(|x| within(p, &x.path));
        assert!(has("/home/u/.ssh/id_rsa") && has("/home/u/.aws/credentials") && has("/home/u/.kube/config"));
        assert!(has("/run/secrets/kubernetes.io/serviceaccount/token"));
        assert!(!has("/etc/shadow"), "the system keeps it from everyone but root");
        assert!(!has("/home/u/.npmrc") && !has("/home/u/.docker/config.json") && !has("/home/u/.gitconfig"));
    }

    #[test]
    fn a_refusal_is_explained_by_the_class_of_its_path() {
        let own = OwnPaths::usual("/home/u", None, None);
        let protected = never_writable(&["/home/u"], &own);
        let secret = unreadable(&["/home/u"]);
        let writable = vec![("/home/u/proj".to_string(), Why::Project), ("/tmp".to_string(), Why::Temp)];
        let why = |p: &str| why_refused(p, &writable, &protected, &secret);
        assert!(why("/home/u/.bashrc").unwrap().contains("a shell start-up file"));
        assert!(why("/home/u/.ssh/id_rsa").unwrap().contains("open_secrets"));
        assert!(why("/home/u/other/x").unwrap().contains("settings.contain.writable"));
        assert_eq!(why("/home/u/proj/x"), None);
        assert_eq!(why("/tmp/x"), None);
    }
}
