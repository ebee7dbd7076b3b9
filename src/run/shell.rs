//! Which real shell runs what guard allows: the policy's `settings.shell`, else `bash` on PATH
//! — never guard itself, even when guard is installed as `bash` or set as `$SHELL`.
//! `$GUARD_SHELL` picks another only for a person at their own terminal: a different shell
//! can run something other than what guard judged, so from anyone else it is refused.

use std::path::{Path, PathBuf};

use crate::host::Host;

/// The shell to hand commands to, with warnings to show; or why there is none. `env_allowed`:
/// whether the caller's environment (`host`) may choose the shell (`$GUARD_SHELL`, and bash's
/// place on `$PATH`): a person at their own terminal ([`Host::person_at_terminal`]).
pub fn real_shell(
    host: &Host,
    configured: Option<&Path>,
    env_allowed: &dyn Fn() -> bool,
) -> Result<(PathBuf, Vec<String>), String> {
    let find = |name: &Path| find_in(name, host.var_os("PATH"));
    let me = std::env::current_exe().ok().and_then(|p| p.canonicalize().ok());
    let is_me = |p: &Path| me.as_deref().is_some_and(|m| p.canonicalize().ok().as_deref() == Some(m));
    let mut warnings = Vec::new();
    // A bad settings.shell must not lock anyone out: say so and use bash.
    let from_settings = configured.and_then(|s| match find(s) {
        Some(p) if !is_me(&p) => Some(p),
        Some(_) => {
            warnings.push(format!(
                "settings.shell `{}` names guard itself; using bash from PATH (set it to the real shell, such as \
                 /bin/bash)",
                s.display()
            ));
            None
        }
        None => {
            warnings.push(format!(
                "settings.shell `{}` is not an executable file; using bash from PATH (fix it in the policy \
                 settings; `guard doctor` checks it)",
                s.display()
            ));
            None
        }
    });
    let default = || -> Result<PathBuf, String> {
        if let Some(p) = &from_settings {
            return Ok(p.clone());
        }
        // PATH is the caller's: unless a person at their terminal chose it, the system's bash
        // wins over another one found first on PATH, which the guarded side could have put there.
        let first = |dirs: &mut dyn Iterator<Item = PathBuf>| {
            dirs.map(|d| d.join("bash")).find(|p| is_executable(p) && !is_me(p))
        };
        let path = host.var_os("PATH").unwrap_or("/usr/local/bin:/usr/bin:/bin".as_ref());
        let on_path = first(&mut std::env::split_paths(path));
        let system = first(&mut ["/bin", "/usr/bin"].into_iter().map(PathBuf::from));
        let same = |a: &PathBuf, b: &PathBuf| a.canonicalize().ok() == b.canonicalize().ok();
        match (on_path, system) {
            (Some(p), Some(s)) if !same(&p, &s) && !env_allowed() => Ok(s),
            (Some(p), _) => Ok(p),
            (None, Some(s)) => Ok(s),
            (None, None) => Err("no bash found on PATH to run commands; install bash or set settings.shell".into()),
        }
    };
    let Some(asked) = host.var_os("GUARD_SHELL").filter(|s| !s.is_empty()).map(PathBuf::from) else {
        return default().map(|p| (p, warnings));
    };
    let p = find(&asked).ok_or_else(|| {
        format!("GUARD_SHELL is `{}`, which is not an executable; set it to a shell such as /bin/bash", asked.display())
    })?;
    if is_me(&p) {
        return Err("GUARD_SHELL names guard itself; set it to the real shell, such as /bin/bash".into());
    }
    if env_allowed() {
        return Ok((p, warnings));
    }
    let usual = default()?;
    if p.canonicalize().ok() == usual.canonicalize().ok() {
        return Ok((usual, warnings));
    }
    Err(format!(
        "refused: GUARD_SHELL asks for `{}` instead of `{}`, and only a person at their own terminal (not a command \
         guard runs, nor an agent) may choose another shell, which could run something other than what guard \
         judged; unset GUARD_SHELL, or set settings.shell in your policy",
        p.display(),
        usual.display()
    ))
}

/// `name` as a path to an executable: as given when it has a slash, else found on the search
/// path `path_var` (an empty entry is the working directory, as a relative path).
pub fn find_in(name: &Path, path_var: Option<&std::ffi::OsStr>) -> Option<PathBuf> {
    if name.components().count() > 1 || name.is_absolute() {
        return is_executable(name).then(|| name.to_path_buf());
    }
    std::env::split_paths(path_var?).map(|d| d.join(name)).find(|p| is_executable(p))
}

/// A regular file with an execute bit.
pub fn is_executable(p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}
