//! Which real shell runs what guard allows: `$GUARD_SHELL`, else the policy's `settings.shell`,
//! else `bash` on PATH — never guard itself, even when guard is installed as `bash` or set as
//! `$SHELL`.

use std::path::{Path, PathBuf};

/// The shell to hand commands to, or why there is none.
pub fn real_shell(configured: Option<&Path>) -> Result<PathBuf, String> {
    let me = std::env::current_exe().ok().and_then(|p| p.canonicalize().ok());
    let is_me = |p: &Path| me.as_deref().is_some_and(|m| p.canonicalize().ok().as_deref() == Some(m));
    let chosen = std::env::var_os("GUARD_SHELL")
        .filter(|s| !s.is_empty())
        .map(|s| ("GUARD_SHELL", PathBuf::from(s)))
        .or_else(|| configured.map(|p| ("settings.shell in the policy", p.to_path_buf())));
    if let Some((whence, s)) = chosen {
        let p = find(&s).ok_or_else(|| {
            format!("{whence} is `{}`, which is not an executable; set it to a shell such as /bin/bash", s.display())
        })?;
        if is_me(&p) {
            return Err(format!("{whence} names guard itself; set it to the real shell, such as /bin/bash"));
        }
        return Ok(p);
    }
    let path = std::env::var_os("PATH").unwrap_or_else(|| "/usr/local/bin:/usr/bin:/bin".into());
    std::env::split_paths(&path)
        .chain([PathBuf::from("/bin"), PathBuf::from("/usr/bin")])
        .map(|d| d.join("bash"))
        .find(|p| is_executable(p) && !is_me(p))
        .ok_or_else(|| "no bash found on PATH to run commands; install bash or set GUARD_SHELL".into())
}

/// `name` as a path to an executable: as given when it has a slash, else found on PATH.
pub fn find(name: &Path) -> Option<PathBuf> {
    find_in(name, std::env::var_os("PATH").as_deref())
}

/// [`find`] with the search path given (an empty entry is the working directory, as a
/// relative path).
pub fn find_in(name: &Path, path_var: Option<&std::ffi::OsStr>) -> Option<PathBuf> {
    if name.components().count() > 1 || name.is_absolute() {
        return is_executable(name).then(|| name.to_path_buf());
    }
    std::env::split_paths(path_var?).map(|d| d.join(name)).find(|p| is_executable(p))
}

fn is_executable(p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}
