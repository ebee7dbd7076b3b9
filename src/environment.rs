//! Builds the parser's [`Env`] from the real process environment (the imperative side).

use crate::shell::Env;

/// The variables the parser may expand statically: where home and the working directory are.
pub fn from_process(text: &str) -> Env {
    let home = std::env::var("HOME").unwrap_or_default();
    let pwd = std::env::current_dir()
        .map(|p| p.to_string_lossy().into_owned())
        .or_else(|_| std::env::var("PWD"))
        .unwrap_or_default();
    let mut env = Env::new(&home, &pwd);
    if let Ok(old) = std::env::var("OLDPWD") {
        env.vars.insert("OLDPWD".into(), old);
    }
    // Where guard's own files and the user's configuration live: what `$XDG_CONFIG_HOME/guard`
    // names is as knowable as what `~/.config/guard` does.
    for name in ["XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME"] {
        if let Some(v) = std::env::var(name).ok().filter(|v| v.starts_with('/')) {
            env.vars.insert(name.into(), v);
        }
    }
    if mentions_user_home(text) {
        for fields in passwd() {
            if let (Some(user), Some(dir)) = (fields.first(), fields.get(5)) {
                env.user_homes.insert(user.clone(), dir.clone());
            }
        }
    }
    env
}

/// `~name` appears, so home directories of other users are worth looking up.
fn mentions_user_home(text: &str) -> bool {
    text.match_indices('~')
        .any(|(i, _)| text[i + 1..].chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_'))
}

/// The fields of each line of `/etc/passwd`. guard is linked statically, where glibc cannot
/// load NSS modules reliably, so accounts are read from the file rather than `getpwuid`.
fn passwd() -> Vec<Vec<String>> {
    let text = std::fs::read_to_string("/etc/passwd").unwrap_or_default();
    text.lines().map(|l| l.split(':').map(str::to_string).collect()).collect()
}

/// The account name of `uid`: from `/etc/passwd`, else `$USER`, else
/// the number.
pub fn user_name(uid: u32) -> String {
    let id = uid.to_string();
    if let Some(f) = passwd().into_iter().find(|f| f.get(2) == Some(&id)) {
        return f[0].clone();
    }
    match std::env::var("USER") {
        Ok(u) if !u.is_empty() => u,
        _ => id,
    }
}
