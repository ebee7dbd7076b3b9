//! Finding and reading the policy files of each layer — system (`/etc/guard/`), user
//! (`$XDG_CONFIG_HOME/guard/`), every `.guard.yaml` from the working directory up, `--policy` —
//! for `guard_core::policy::layers::assemble`, which decides what each may do.

use std::path::{Path, PathBuf};

use crate::host::Host;
use crate::policy::engine::LoadedPack;
use crate::policy::layers::{self, Circumstances, Source};
use crate::policy::{LayerKind, Policy};

/// Policy files of one layer directory: `*.yaml`/`*.yml`, sorted. `remembered.yaml` is not
/// policy: it is where "always" answers at the prompt are kept (see `approval::memory`).
pub fn files_in(dir: &Path) -> Vec<PathBuf> {
    listing(dir).unwrap_or_default()
}

/// The policy files in `dir`, sorted: none when it is not there, an error when it is there and
/// cannot be listed.
fn listing(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut out: Vec<PathBuf> = match std::fs::read_dir(dir) {
        Ok(rd) => rd
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "yaml" || x == "yml"))
            .filter(|p| p.file_name().is_some_and(|n| n != "remembered.yaml"))
            .collect(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(e) => return Err(e),
    };
    out.sort();
    Ok(out)
}

/// A policy file larger than this is not read: no real policy comes near it.
pub const MAX_POLICY_FILE: u64 = 1 << 20;

/// Where each layer lives, given the environment.
pub struct Locations {
    pub system: PathBuf,
    pub user: Option<PathBuf>,
    /// Every `.guard.yaml` in the working directory and its ancestors, outermost first. All of
    /// them count: a nearer one cannot hide a farther one's rules, since none may loosen.
    pub project: Vec<PathBuf>,
    /// Files named on the command line (`--policy FILE`), read last.
    pub extra: Vec<PathBuf>,
    /// Whether a person at a terminal named the `--policy` files: then they count as the user
    /// layer; otherwise (a command guard runs, an agent) they may only tighten.
    pub extra_trusted: bool,
    /// This guard runs inside a command a guard runs (`GUARD_ACTIVE`): what chose `user` may be
    /// the guarded command itself, so the user layer may only tighten.
    pub nested: bool,
    /// The home directory `~` in settings stands for.
    pub home: Option<PathBuf>,
    /// The working directory. A project file of the user's above its project (the one a
    /// contained command may write: the git work tree holding it, else itself) is out of the
    /// command's reach but for its mode, and counts as the user's own.
    pub cwd: Option<PathBuf>,
}

impl Locations {
    /// The layers for a command run where `host` is.
    pub fn of(host: &Host) -> Locations {
        let home = host.home();
        let user = host.config_dir();
        // One above the project that cannot be looked at (a directory there lost its search
        // bit) may be there.
        let mut project: Vec<PathBuf> = host
            .cwd()
            .ancestors()
            .map(|d| d.join(".guard.yaml"))
            .filter(|p| match p.symlink_metadata() {
                Ok(_) => true,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => false,
                Err(_) => above_project(p, Some(host.cwd())),
            })
            .collect();
        project.reverse();
        let nested = host.nested();
        Locations {
            system: PathBuf::from("/etc/guard"),
            user,
            project,
            extra: Vec::new(),
            extra_trusted: false,
            nested,
            home,
            cwd: Some(host.cwd().to_path_buf()),
        }
    }

    /// Every policy file, in load order, with its layer; a system or user directory that is
    /// there and cannot be listed comes as itself, with why.
    pub fn files(&self) -> Vec<(PathBuf, LayerKind, Option<String>)> {
        let mut files = Vec::new();
        for (dir, layer) in
            std::iter::once((&self.system, LayerKind::System)).chain(self.user.iter().map(|u| (u, LayerKind::User)))
        {
            match listing(dir) {
                Ok(found) => files.extend(found.into_iter().map(|p| (p, layer, None))),
                Err(e) => files.push((dir.clone(), layer, Some(format!("cannot list the directory ({e})")))),
            }
        }
        files.extend(self.project.iter().map(|p| (p.clone(), LayerKind::Project, None)));
        files.extend(self.extra.iter().map(|p| (p.clone(), LayerKind::CommandLine, None)));
        files
    }
}

/// Load every layer over the built-in packs. A file that cannot be read, does not parse or
/// lint is left out with a warning; the built-in packs always stay, so a broken file never
/// means allow-all.
pub fn load(loc: &Locations) -> Policy {
    load_over(loc, guard_rules::BUILTIN.packs())
}

/// Like [`load`], over the given built-in packs (the YAML-parsed ones keep their examples).
pub fn load_over(loc: &Locations, builtin: Vec<LoadedPack>) -> Policy {
    let sources = loc
        .files()
        .into_iter()
        .filter_map(|(path, layer, unlisted)| {
            let text = match unlisted {
                Some(why) => Err(why),
                // A file gone since its directory was listed (an editor saving it) is not one
                // that cannot be read.
                None => match read_policy(&path, layer) {
                    Err(Unreadable::Gone) => return None,
                    Err(Unreadable::Because(why)) => Err(why),
                    Ok(t) => Ok(t),
                },
            };
            // Only asked of a file that could not be read: what it says is used either way.
            let own = match layer {
                LayerKind::System | LayerKind::User => true,
                LayerKind::Project => text.is_err() && above_project(&path, loc.cwd.as_deref()),
                _ => false,
            };
            Some(Source { name: path.display().to_string(), layer, text, own })
        })
        .collect();
    let how = Circumstances { extra_trusted: loc.extra_trusted, nested: loc.nested, home: loc.home.clone() };
    layers::assemble(builtin, sources, &how)
}

/// The text of a policy file, or why it is skipped. Never blocks (a FIFO is skipped, not
/// opened for good) and never reads more than [`MAX_POLICY_FILE`]; a project's file counts
/// only when it belongs to you or to root, so another user cannot plant one above your work.
fn read_policy(path: &Path, layer: LayerKind) -> Result<String, Unreadable> {
    use std::os::unix::fs::MetadataExt;
    let (bytes, meta) = crate::small_file::read_with_metadata(path, MAX_POLICY_FILE).map_err(|e| match e {
        // Gone since its directory was listed; a link to nothing is there, and is not read.
        crate::small_file::Error::Io(e) if e.kind() == std::io::ErrorKind::NotFound => match path.symlink_metadata() {
            Ok(_) => Unreadable::Because("cannot read (a link to nothing)".into()),
            Err(_) => Unreadable::Gone,
        },
        crate::small_file::Error::Io(e) => Unreadable::Because(format!("cannot read ({e})")),
        other => Unreadable::Because(format!("skipped: {other}")),
    })?;
    let owner = meta.uid();
    if layer == LayerKind::Project && owner != nix::unistd::geteuid().as_raw() && owner != 0 {
        return Err(Unreadable::Because(format!(
            "skipped: it belongs to uid {owner}, not to you or root (remove it, or take it over with chown if it \
             is yours)"
        )));
    }
    Ok(crate::small_file::text(bytes))
}

/// Whether `path` is a project file of the caller's in a directory above the project of `cwd`
/// (none inside it counts: the project is a contained command's to write). Worked out only for
/// a file that cannot be read or looked at, off the path every command takes.
fn above_project(path: &Path, cwd: Option<&Path>) -> bool {
    use std::os::unix::fs::MetadataExt;
    let (Some(dir), Some(cwd)) = (path.parent(), cwd) else { return false };
    let root = crate::contain::places::project_root(cwd);
    // One that cannot be looked at is below a directory that lost its search bit since guard
    // entered it, which only its owner (or root) can take away.
    root != dir
        && root.starts_with(dir)
        && match path.symlink_metadata() {
            Ok(m) => m.uid() == nix::unistd::geteuid().as_raw(),
            Err(e) => e.kind() != std::io::ErrorKind::NotFound,
        }
}

/// Why a policy file's text is not used.
enum Unreadable {
    /// It is no longer there.
    Gone,
    /// It is there, and this is why it is not read.
    Because(String),
}
