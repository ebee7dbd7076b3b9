//! Builds the parser's [`Env`] from the world guard runs in (the imperative side).

use crate::host::Host;
use crate::shell::Env;

/// The variables the parser may expand statically: where home and the working directory are.
pub fn for_parser(host: &Host, text: &str) -> Env {
    let mut env = Env::new(&host.home_text(), &host.cwd_text());
    if let Some(old) = host.var("OLDPWD") {
        env.vars.insert("OLDPWD".into(), old.to_string());
    }
    // Where guard's own files and the user's configuration live: what `$XDG_CONFIG_HOME/guard`
    // names is as knowable as what `~/.config/guard` does.
    for name in ["XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME"] {
        if let Some(v) = host.var(name).filter(|v| v.starts_with('/')) {
            env.vars.insert(name.into(), v.to_string());
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
    if let Some(name) = account(uid) {
        return name;
    }
    match std::env::var("USER") {
        Ok(u) if !u.is_empty() => u,
        _ => uid.to_string(),
    }
}

/// The account name of `uid` in `/etc/passwd`, if it has one.
pub fn account(uid: u32) -> Option<String> {
    let id = uid.to_string();
    passwd().into_iter().find(|f| f.get(2) == Some(&id)).map(|f| f[0].clone())
}

/// The uid a policy names as `name_or_uid`: a number is a uid as it stands, anything else is an
/// account name looked up in `/etc/passwd` (never through NSS, as above). `None` when there is
/// no such account.
pub fn uid_of(name_or_uid: &str) -> Option<u32> {
    if let Ok(uid) = name_or_uid.parse() {
        return Some(uid);
    }
    uid_in(&std::fs::read_to_string("/etc/passwd").unwrap_or_default(), name_or_uid)
}

/// The uid of account `name` in the text of a passwd file.
fn uid_in(passwd: &str, name: &str) -> Option<u32> {
    passwd.lines().map(|l| l.split(':').collect::<Vec<_>>()).find(|f| f[0] == name)?.get(2)?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_owner_is_a_uid_or_an_account_in_passwd() {
        let passwd = "root:x:0:0:root:/root:/bin/bash\n#comment\nalice:x:1000:1000::/home/alice:/bin/sh\n\
                      broken:x:notanumber:1\nshort\n";
        assert_eq!(uid_in(passwd, "alice"), Some(1000));
        assert_eq!(uid_in(passwd, "root"), Some(0));
        assert_eq!(uid_in(passwd, "bob"), None);
        assert_eq!(uid_in(passwd, "broken"), None);
        assert_eq!(uid_in(passwd, "short"), None);
        assert_eq!(uid_in(passwd, "x"), None, "a field other than the name is not a name");
        assert_eq!(uid_of("4242"), Some(4242));
        assert_eq!(uid_of("root"), Some(0), "read from the real /etc/passwd");
        assert_eq!(uid_of("no-such-user-guard-test"), None);
    }
}
