//! The places a contained command's scope is made of, found on this machine: the project
//! root, the temporary directories, the caches and what settings add, around what guard
//! protects. The rules for what is protected and how a directory holding it is granted are the
//! core's ([`guard_core::policy::scope`]); this module only looks at the filesystem.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use guard_core::policy::paths::OwnPaths;
use guard_core::policy::scope::{self, Grant, Kind, Protected, Why};
use guard_core::policy::settings::Contain;

use nix::errno::Errno;

use crate::host::Host;

/// A scope, worked out: what to grant, and what to say about it.
#[derive(Debug, Default)]
pub struct Scope {
    /// The writable places asked for (before splitting), with why.
    pub writable: Vec<(String, Why)>,
    /// What is granted for writing.
    pub write: Vec<Grant>,
    /// What is granted for reading; `None` when every file may be read.
    pub read: Option<Vec<Grant>>,
    /// What may never be written.
    pub protected: Vec<Protected>,
    /// What may not be read.
    pub secret: Vec<Protected>,
    /// TCP ports connections may go to; `None` for any.
    pub ports: Option<Vec<u16>>,
    /// Places asked for and not granted, and why, for `explain` and `doctor`.
    pub left_out: Vec<(String, String)>,
}

/// The home directories guard protects for this user: the account's (from the password
/// database) and `$HOME` when it names another (anything guard runs can set `$HOME`).
pub fn homes(host: &Host) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(h) = crate::environment::home_of(nix::unistd::getuid().as_raw()) {
        out.push(h);
    }
    if let Some(h) = host.home().filter(|h| h.is_absolute()) {
        out.push(text(&h));
    }
    let canonical: Vec<String> = out.iter().filter_map(|h| real(Path::new(h))).collect();
    out.extend(canonical);
    out.retain(|h| h != "/");
    dedup(&mut out);
    out
}

/// `path` with every symbolic link on the way resolved, as `realpath(3)` gives it, or `None`
/// when it is not there. Most paths guard asks about have no link on the way: one `openat2`
/// that refuses to follow any tells so (the path, absolute and normalised, is then its own
/// real path), where `realpath` reads every component as a link in turn. Only a path with a
/// link on the way is walked that way.
pub fn real(path: &Path) -> Option<String> {
    if let Some(t) = path.to_str().filter(|t| is_normal(t)) {
        match without_links(t) {
            Ok(()) => return Some(t.to_string()),
            Err(Errno::ENOENT | Errno::ENOTDIR) => return None,
            Err(_) => {}
        }
    }
    std::fs::canonicalize(path).ok().map(|r| text(&r))
}

/// Opens `path` (absolute and normalised) as a path only, refusing every symbolic link on the
/// way: `ELOOP` when there is one, `ENOENT` or `ENOTDIR` where the path stops.
fn without_links(path: &str) -> Result<(), Errno> {
    use nix::fcntl::{OFlag, OpenHow, ResolveFlag};
    let how = OpenHow::new().flags(OFlag::O_PATH | OFlag::O_CLOEXEC).resolve(ResolveFlag::RESOLVE_NO_SYMLINKS);
    nix::fcntl::openat2(nix::fcntl::AT_FDCWD, path, how).map(drop)
}

/// Where `path` really is, whether or not it is there yet, and the symbolic links on the way
/// there (each where it really is): what is made at `path` later is made at the end of them,
/// and replacing any one of them moves `path`, so all of them are as much `path` as its end.
/// Walked a component at a time, as the kernel walks it, following at most as many links as
/// it would (40); `None` beyond that (the kernel then refuses the path altogether).
pub fn resolve(path: &str) -> Option<(String, Vec<String>)> {
    // Most are plain: refusing every link, the path either opens or stops where nothing is
    // yet, and either way it is where it says.
    if is_normal(path) && matches!(without_links(path), Ok(()) | Err(Errno::ENOENT | Errno::ENOTDIR)) {
        return Some((path.to_string(), Vec::new()));
    }
    let parts = |p: &str| p.split('/').filter(|c| !c.is_empty()).map(str::to_string).collect::<Vec<_>>();
    let mut links = Vec::new();
    let mut done = String::from("/");
    let mut rest: std::collections::VecDeque<String> = parts(path).into();
    let mut followed = 0;
    while let Some(c) = rest.pop_front() {
        match c.as_str() {
            "." => continue,
            ".." => {
                done = Path::new(&done).parent().map_or("/".to_string(), text);
                continue;
            }
            _ => {}
        }
        let next = format!("{}/{c}", done.trim_end_matches('/'));
        match std::fs::read_link(&next) {
            Ok(to) => {
                followed += 1;
                if followed > 40 {
                    return None;
                }
                links.push(next);
                let to = text(&to);
                if to.starts_with('/') {
                    done = "/".to_string();
                }
                for part in parts(&to).into_iter().rev() {
                    rest.push_front(part);
                }
            }
            Err(_) => done = next,
        }
    }
    Some((done, links))
}

/// Whether `p` is absolute and normalised: no empty, `.` or `..` component, no trailing `/`.
fn is_normal(p: &str) -> bool {
    p == "/" || (p.starts_with('/') && p[1..].split('/').all(|c| !c.is_empty() && c != "." && c != ".."))
}

/// The project root: the nearest directory at or above `cwd` that holds `.git` (a git work
/// tree, or a worktree's `.git` file), else `cwd` itself.
pub fn project_root(cwd: &Path) -> PathBuf {
    cwd.ancestors().find(|d| d.join(".git").symlink_metadata().is_ok()).unwrap_or(cwd).to_path_buf()
}

/// Work out the scope for a command run in `host`'s working directory. `programs` are the
/// programs it runs (the shell's builtins aside), by name; `open_secrets` says a rule opened the
/// secret stores for all of them.
pub fn scope(host: &Host, settings: &Contain, own: &OwnPaths, open_secrets: bool, programs: &[String]) -> Scope {
    let homes = homes(host);
    let home_refs: Vec<&str> = homes.iter().map(String::as_str).collect();
    let mut own = own.clone();
    // guard's usual places under every home it protects, not only `$HOME`'s.
    for h in &homes {
        own.dirs.extend(OwnPaths::usual(h, None, None).dirs);
    }
    own.dirs.sort();
    own.dirs.dedup();
    own.files.sort();
    own.files.dedup();
    // Where guard's places really are is guard's too, and so is every link on the way there:
    // through a symbolic link, or a path written oddly (`$XDG_CONFIG_HOME` is the caller's to
    // set), and before they are made.
    let (mut dirs, mut files) = (Vec::new(), Vec::new());
    for (p, dir) in own.dirs.iter().map(|p| (p, true)).chain(own.files.iter().map(|p| (p, false))) {
        let Some((end, links)) = resolve(p) else { continue };
        // A file in one of guard's directories may itself be a link, to where guard reads it
        // from: a policy file kept in a dotfiles repository the agent works in.
        if dir {
            for entry in std::fs::read_dir(&end).into_iter().flatten().flatten() {
                if entry.file_type().is_ok_and(|t| t.is_symlink()) {
                    if let Some((to, through)) = resolve(&text(&entry.path())) {
                        files.push(to);
                        files.extend(through);
                    }
                }
            }
        }
        if end != *p {
            if dir { &mut dirs } else { &mut files }.push(end);
        }
        files.extend(links);
    }
    own.dirs.extend(dirs);
    own.files.extend(files);
    let mut protected = scope::never_writable(&home_refs, &own);
    let mut secret = scope::unreadable(&home_refs);
    let home = host.home().map(|h| text(&h));
    let expand = |p: &str| match (p.strip_prefix("~/"), &home) {
        (Some(rest), Some(h)) => Some(format!("{}/{rest}", h.trim_end_matches('/'))),
        (Some(_), None) => None,
        (None, _) => Some(p.to_string()),
    };
    let mut asked: Vec<(String, Why)> = vec![(text(&project_root(host.cwd())), Why::Project)];
    let path_from_tmpdir = match &settings.temp {
        Some(_) => None,
        None => host.absolute("TMPDIR").and_then(|t| real(&t)),
    };
    if let Some(t) = &path_from_tmpdir {
        asked.push((t.clone(), Why::Temp));
    }
    match &settings.temp {
        Some(list) => asked.extend(list.iter().map(|t| (t.clone(), Why::Temp))),
        None => asked.extend(scope::TEMP_DIRS.iter().map(|t| (t.to_string(), Why::Temp))),
    }
    asked.extend(settings.caches.iter().filter_map(|c| expand(c)).map(|c| (c, Why::Cache)));
    asked.extend(settings.writable.iter().filter_map(|c| expand(c)).map(|c| (c, Why::Setting)));
    let open_secrets = open_secrets && clients_outside_reach(host, &asked, programs);
    if open_secrets {
        // A command a rule opens the secret stores for may read them, and write the caches its
        // clients keep inside them; their configuration stays never writable.
        secret.clear();
        for h in &homes {
            asked.extend(scope::CREDENTIAL_CACHES.iter().map(|c| (format!("{h}/{c}"), Why::Cache)));
        }
    }
    // Each directory is listed once, however many places ask about it.
    let mut listed: HashMap<String, Option<Vec<(String, Kind)>>> = HashMap::new();
    let mut list = |dir: &str| listed.entry(dir.to_string()).or_insert_with(|| entries(dir)).clone();
    // One listing of each home tells which of the seventy-odd places guard knows there can be
    // there at all (most homes hold a few), before looking for each. A home that cannot be
    // listed may still hold any of them.
    let tops: Vec<(String, Option<Vec<String>>)> =
        homes.iter().map(|h| (h.clone(), list(h).map(|l| l.into_iter().map(|(n, _)| n).collect()))).collect();
    let may_exist = |p: &str| may_be_there(&tops, p);
    // A protected place in a home may really be elsewhere: `~/.bashrc` a link into a dotfiles
    // repository the agent works in. Where it leads, and every link on the way, is protected
    // too (only where the home holds its first component at all: a place that is not there
    // can only be made there).
    let elsewhere: Vec<Protected> = protected
        .iter()
        .filter(|p| homes.iter().any(|h| scope::within(&p.path, h) && p.path != *h) && may_exist(&p.path))
        .filter_map(|p| Some((p.class, resolve(&p.path)?, &p.path)))
        .flat_map(|(class, (end, links), path)| {
            let end = (end != *path).then_some(end);
            end.into_iter().chain(links).map(move |path| Protected { path, class })
        })
        .collect();
    protected.extend(elsewhere);
    let mut out = Scope { protected, ports: settings.network.clone(), ..Default::default() };
    let avoid: Vec<&str> = out.protected.iter().map(|p| p.path.as_str()).collect();
    let mut budget = scope::MAX_GRANTS;
    for (path, why) in asked {
        let Some(real) = may_exist(&path).then(|| real(Path::new(&path))).flatten() else { continue };
        if let Some(reason) = scope::refused_root(&real, &home_refs) {
            out.left_out.push((real, format!("not writable: {reason}")));
            continue;
        }
        if out.writable.iter().any(|(w, _)| scope::within(&real, w)) {
            continue;
        }
        let before = budget;
        // A credential cache lies inside a protected store: the store does not stop it, only
        // what is protected inside the cache itself would.
        let inside: Vec<&str>;
        let avoid = if out.protected.iter().any(|p| scope::within(&real, &p.path)) && why == Why::Cache {
            inside = avoid.iter().copied().filter(|a| !scope::within(&real, a)).collect();
            if !scope::CREDENTIAL_CACHES.iter().any(|c| real.ends_with(c)) {
                out.left_out.push((real, "not writable: it is protected".into()));
                continue;
            }
            &inside
        } else {
            &avoid
        };
        let grants = scope::grants(&real, avoid, &mut list, &mut budget);
        let whole = grants.len() == 1 && grants[0].path == real;
        // `$TMPDIR` counts only as a temporary directory: one that holds protected paths is
        // not taken apart for it.
        if path_from_tmpdir.as_deref() == Some(real.as_str()) && !whole {
            out.left_out.push((real, "ignored as $TMPDIR: it holds protected paths".into()));
            continue;
        }
        if !whole {
            out.left_out.push((
                real.clone(),
                if grants.is_empty() {
                    "not writable: it is protected or holds only protected paths".to_string()
                } else {
                    format!("granted entry by entry ({} grants): it holds protected paths", before - budget)
                },
            ));
        }
        out.write.extend(grants);
        out.writable.push((real, why));
    }
    // A device that is not there is left out when the rules are made.
    out.write.extend(scope::DEVICES.iter().map(|(path, kind)| Grant { path: path.to_string(), kind: *kind }));
    if !secret.is_empty() {
        // Only a store that is there needs keeping out of reach: granting around one costs a
        // rule per entry of every directory above it. Whether this user may read it now does
        // not count: its permissions are the user's to change from inside the scope (a store
        // made unlistable still gives up a file whose name is known).
        let mut present: Vec<String> = Vec::new();
        for p in secret.clone().iter().filter(|p| may_exist(&p.path)) {
            if let Some(r) = real(Path::new(&p.path)) {
                present.push(p.path.clone());
                if r != p.path {
                    present.push(r.clone());
                    secret.push(Protected { path: r, class: p.class });
                }
            }
        }
        let present: Vec<&str> = present.iter().map(String::as_str).collect();
        let mut budget = scope::MAX_GRANTS;
        out.read = Some(scope::grants("/", &present, &mut list, &mut budget));
    }
    out.secret = secret;
    out
}

/// Whether the clients a rule opened the secret stores for are out of the command's reach:
/// found on PATH (which the agent sets) outside every place it could write (`asked`), with no
/// such place on PATH (a client's plugins are found there too: `kubectl NAME` runs
/// `kubectl-NAME`), and no variable pointing a client at configuration or a program there.
fn clients_outside_reach(host: &Host, asked: &[(String, Why)], programs: &[String]) -> bool {
    let writable: Vec<String> = asked.iter().filter_map(|(p, _)| real(Path::new(p))).collect();
    let writable_here = |p: &Path| real(p).is_none_or(|r| writable.iter().any(|w| scope::within(&r, w)));
    let on_path = |name: &str| crate::run::shell::find_in(Path::new(name), host.var_os("PATH"));
    let config_elsewhere = scope::CONFIG_VARIABLES.iter().all(|v| {
        host.var_os(v).is_none_or(|val| std::env::split_paths(val).all(|p| p.is_absolute() && !writable_here(&p)))
    });
    let program_elsewhere = |value: &std::ffi::OsStr| {
        let text = value.to_string_lossy();
        match text.split_whitespace().next() {
            None => true,
            Some(first) if first.contains('/') => Path::new(first).is_absolute() && !writable_here(Path::new(first)),
            Some(first) => on_path(first).is_none_or(|f| !writable_here(&f)),
        }
    };
    config_elsewhere
        && scope::PROGRAM_VARIABLES.iter().all(|v| host.var_os(v).is_none_or(program_elsewhere))
        && std::env::split_paths(&host.var_os("PATH").unwrap_or_default())
            .all(|d| d.is_absolute() && (!d.exists() || !writable_here(&d)))
        && programs.iter().all(|name| on_path(name).is_some_and(|f| !writable_here(&f)))
}

/// Whether `path` may be there, given the names at the top of each home (`None` for a home that
/// could not be listed): a path in a home whose first component is not among them is not.
fn may_be_there(tops: &[(String, Option<Vec<String>>)], path: &str) -> bool {
    tops.iter().all(|(home, names)| match (path.strip_prefix(home.as_str()).and_then(|r| r.strip_prefix('/')), names) {
        (Some(rest), Some(names)) => names.iter().any(|n| n == rest.split('/').next().unwrap_or(rest)),
        _ => true,
    })
}

/// A directory's entries and what each is (from the directory itself: no `stat` per entry).
fn entries(dir: &str) -> Option<Vec<(String, Kind)>> {
    let entries = std::fs::read_dir(dir).ok()?;
    Some(
        entries
            .filter_map(Result::ok)
            .map(|e| {
                let kind = match e.file_type() {
                    Ok(t) if t.is_dir() => Kind::Dir,
                    Ok(t) if t.is_file() => Kind::File,
                    _ => Kind::Other,
                };
                (e.file_name().to_string_lossy().into_owned(), kind)
            })
            .collect(),
    )
}

fn text(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}

fn dedup(v: &mut Vec<String>) {
    let mut seen = std::collections::HashSet::new();
    v.retain(|x| seen.insert(x.clone()));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_paths_are_what_realpath_gives() {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let base = std::fs::canonicalize(dir.path()).expect("it is there");
        let plain = base.join("plain");
        std::fs::create_dir(&plain).expect("a directory");
        std::os::unix::fs::symlink(&plain, base.join("link")).expect("a link");
        std::fs::write(plain.join("file"), "x").expect("a file");
        let text = |p: &Path| p.to_string_lossy().into_owned();
        // No link on the way: the path itself.
        assert_eq!(real(&plain.join("file")), Some(text(&plain.join("file"))));
        // A link on the way, or last: resolved.
        assert_eq!(real(&base.join("link/file")), Some(text(&plain.join("file"))));
        assert_eq!(real(&base.join("link")), Some(text(&plain)));
        // Not normalised: resolved as realpath would.
        assert_eq!(real(&base.join("plain/../plain/./file")), Some(text(&plain.join("file"))));
        assert_eq!(real(Path::new(&format!("{}/", text(&plain)))), Some(text(&plain)));
        // Not there, or a file taken for a directory.
        assert_eq!(real(&base.join("missing")), None);
        assert_eq!(real(&plain.join("file/below")), None);
        assert_eq!(real(&base.join("link/missing")), None);
        for p in [base.join("link/file"), base.join("plain/../link"), plain.join("file")] {
            assert_eq!(real(&p), std::fs::canonicalize(&p).ok().map(|r| text(&r)), "{}", p.display());
        }
    }

    #[test]
    fn a_path_resolves_to_where_its_links_lead_and_names_each_link() {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let base = std::fs::canonicalize(dir.path()).expect("it is there").to_string_lossy().into_owned();
        let at = |p: &str| format!("{base}/{p}");
        for d in ["files", "links", "real"] {
            std::fs::create_dir(at(d)).expect("a directory");
        }
        std::fs::write(at("files/rc"), "x").expect("a file");
        std::os::unix::fs::symlink(at("files/rc"), at("links/rc")).expect("a link");
        std::os::unix::fs::symlink("../links/rc", at("real/rc")).expect("a relative link");
        std::os::unix::fs::symlink(at("real"), at("dirlink")).expect("a link to a directory");
        // Plain: itself, no links.
        assert_eq!(resolve(&at("files/rc")), Some((at("files/rc"), vec![])));
        assert_eq!(resolve(&at("files/not-yet/deeper")), Some((at("files/not-yet/deeper"), vec![])));
        // A chain: the end, and every link on the way where it really is.
        assert_eq!(
            resolve(&at("dirlink/rc")),
            Some((at("files/rc"), vec![at("dirlink"), at("real/rc"), at("links/rc")]))
        );
        // Not there yet, far below a link: where it will be made, however deep.
        let deep: String = (0..60).map(|i| format!("/d{i}")).collect();
        let (end, links) = resolve(&format!("{}{deep}/rc", at("dirlink"))).expect("resolved");
        assert_eq!((end, links), (format!("{}{deep}/rc", at("real")), vec![at("dirlink")]));
        // A link leading where nothing is yet, spelled oddly on the way.
        std::os::unix::fs::symlink(at("files/later"), at("dangling")).expect("a dangling link");
        assert_eq!(resolve(&format!("{base}/./links/..//dangling")), Some((at("files/later"), vec![at("dangling")])));
        // Links leading to each other without end: the kernel refuses such a path too.
        std::os::unix::fs::symlink(at("loop-b"), at("loop-a")).expect("a link");
        std::os::unix::fs::symlink(at("loop-a"), at("loop-b")).expect("a link");
        assert_eq!(resolve(&at("loop-a/x")), None);
    }

    #[test]
    fn a_home_that_cannot_be_listed_may_hold_anything() {
        let listed = |names: &[&str]| Some(names.iter().map(|n| n.to_string()).collect::<Vec<_>>());
        let tops = vec![("/home/a".to_string(), listed(&[".ssh", "work"])), ("/home/b".to_string(), None)];
        assert!(may_be_there(&tops, "/home/a/.ssh/id_ed25519"));
        assert!(may_be_there(&tops, "/home/a/work"));
        assert!(!may_be_there(&tops, "/home/a/.aws/credentials"));
        assert!(!may_be_there(&tops, "/home/a/.cache"));
        // Not listed: anything may be there.
        assert!(may_be_there(&tops, "/home/b/.aws/credentials"));
        // Outside every home, or the home itself, or a home whose name only begins the same.
        assert!(may_be_there(&tops, "/run/secrets"));
        assert!(may_be_there(&tops, "/home/a"));
        assert!(may_be_there(&tops, "/home/ab/.aws"));
    }
}
