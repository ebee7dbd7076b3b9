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
    if mentions_user_home(text) {
        if let Ok(passwd) = std::fs::read_to_string("/etc/passwd") {
            for line in passwd.lines() {
                let fields: Vec<&str> = line.split(':').collect();
                if let (Some(user), Some(dir)) = (fields.first(), fields.get(5)) {
                    env.user_homes.insert((*user).to_string(), (*dir).to_string());
                }
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
