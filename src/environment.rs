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
    let file = passwd_file();
    let text = String::from_utf8_lossy(&file);
    text.lines().map(|l| l.split(':').map(str::to_string).collect()).collect()
}

/// The text of `/etc/passwd`, read again only when the file has changed (one `stat` instead of
/// opening and reading it): who the user is, their home and the homes containment protects are
/// all asked of it in one run.
fn passwd_file() -> std::sync::Arc<Vec<u8>> {
    use std::os::unix::fs::MetadataExt;
    use std::sync::{Arc, Mutex};
    type Seen = (u64, u64, i64, i64, u64);
    static CACHE: Mutex<Option<(Seen, Arc<Vec<u8>>)>> = Mutex::new(None);
    let Ok(m) = std::fs::metadata("/etc/passwd") else { return Arc::default() };
    let seen = (m.dev(), m.ino(), m.mtime(), m.mtime_nsec(), m.size());
    let mut cache = CACHE.lock().unwrap_or_else(|e| e.into_inner());
    match &*cache {
        Some((s, text)) if *s == seen => text.clone(),
        _ => {
            let text = Arc::new(std::fs::read("/etc/passwd").unwrap_or_default());
            *cache = Some((seen, text.clone()));
            text
        }
    }
}

/// Who a uid is, for the audit log and approvals.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    /// The account name: `$USER` (else `$LOGNAME`) when the account of that name has this uid,
    /// else the first account with this uid in `/etc/passwd`; the uid itself, as a number, when
    /// no account has it.
    pub name: String,
    /// `$USER` (else `$LOGNAME`) when it is not [`User::name`]: what the environment says,
    /// which anything guard runs can set, so it is kept apart and never taken for the account.
    pub claimed: Option<String>,
}

/// Who `uid` is, given the name the environment claims (`$USER`, else `$LOGNAME`). That is a
/// claim (an agent can set it), so the name written down is always one `/etc/passwd` gives
/// this uid: the claimed name is taken only when its account has this uid, which costs nothing
/// more than the lookup itself, one pass over the file without splitting it up.
pub fn user(uid: u32, claim: Option<&str>) -> User {
    user_in(&passwd_file(), uid, claim.map(str::to_string))
}

/// [`user`], given the text of a passwd file and the claimed name.
fn user_in(passwd: &[u8], uid: u32, claim: Option<String>) -> User {
    let name = match account_in(passwd, uid, claim.as_deref()) {
        Some(n) => String::from_utf8_lossy(n).into_owned(),
        None => uid.to_string(),
    };
    User { claimed: claim.filter(|c| *c != name), name }
}

/// The name of an account with `uid` in the text of a passwd file: `preferred` when its
/// account has `uid`, else the first. Comment lines are not accounts.
fn account_in<'a>(passwd: &'a [u8], uid: u32, preferred: Option<&str>) -> Option<&'a [u8]> {
    let id = uid.to_string();
    let mut first = None;
    for line in passwd.split(|&b| b == b'\n') {
        let mut fields = line.splitn(4, |&b| b == b':');
        let (Some(name), Some(_), Some(line_uid)) = (fields.next(), fields.next(), fields.next()) else { continue };
        if line_uid != id.as_bytes() || name.is_empty() || name.starts_with(b"#") {
            continue;
        }
        if preferred.is_some_and(|p| p.as_bytes() == name) {
            return Some(name);
        }
        first = first.or(Some(name));
    }
    first
}

/// The account name of `uid` in `/etc/passwd`, if it has one.
pub fn account(uid: u32) -> Option<String> {
    account_in(&passwd_file(), uid, None).map(|n| String::from_utf8_lossy(n).into_owned())
}

/// The home directory of the first account with `uid` in `/etc/passwd` (never through NSS,
/// which a static binary would have to load).
pub fn home_of(uid: u32) -> Option<String> {
    home_in(&passwd_file(), uid)
}

fn home_in(passwd: &[u8], uid: u32) -> Option<String> {
    let id = uid.to_string();
    passwd.split(|&b| b == b'\n').find_map(|line| {
        let f: Vec<&[u8]> = line.split(|&b| b == b':').collect();
        (f.len() >= 6 && f[2] == id.as_bytes() && !f[0].starts_with(b"#") && f[5].starts_with(b"/"))
            .then(|| String::from_utf8_lossy(f[5]).into_owned())
    })
}

/// The uid a policy names as `name_or_uid`: a number is a uid as it stands, anything else is an
/// account name looked up in `/etc/passwd` (never through NSS, as above). `None` when there is
/// no such account.
pub fn uid_of(name_or_uid: &str) -> Option<u32> {
    if let Ok(uid) = name_or_uid.parse() {
        return Some(uid);
    }
    uid_in(&String::from_utf8_lossy(&passwd_file()), name_or_uid)
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

    #[test]
    fn a_home_is_the_sixth_field_of_the_accounts_line() {
        let passwd = b"#x:x:1000:1:c:/nope:/bin/sh\nroot:x:0:0:root:/root:/bin/bash\nalice:x:1000:1000::/home/alice:/bin/sh\nodd:x:1001\n";
        assert_eq!(home_in(passwd, 0).as_deref(), Some("/root"));
        assert_eq!(home_in(passwd, 1000).as_deref(), Some("/home/alice"));
        assert_eq!(home_in(passwd, 1001), None);
        assert_eq!(home_in(passwd, 4242), None);
    }

    #[test]
    fn a_claimed_user_name_counts_only_when_its_account_has_the_uid() {
        let passwd = b"root:x:0:0:root:/root:/bin/bash\ntoor:x:0:0::/root:/bin/sh\n#c:x:1000\n\
                       alice:x:1000:1000::/home/alice:/bin/sh\nbob:x:1001:1001::/home/bob:/bin/sh\nodd:x:1002\n";
        let user = |uid, claim: Option<&str>| user_in(passwd, uid, claim.map(str::to_string));
        let named =
            |name: &str, claimed: Option<&str>| User { name: name.into(), claimed: claimed.map(str::to_string) };
        assert_eq!(user(1000, Some("alice")), named("alice", None));
        assert_eq!(user(1000, None), named("alice", None));
        assert_eq!(user(0, Some("toor")), named("toor", None), "another account of the same uid");
        assert_eq!(user(0, None), named("root", None));
        assert_eq!(user(1002, None), named("odd", None));
        // A claim the file does not bear out is kept apart, never recorded as the name.
        assert_eq!(user(1000, Some("bob")), named("alice", Some("bob")));
        assert_eq!(user(1000, Some("root")), named("alice", Some("root")));
        assert_eq!(user(4242, Some("alice")), named("4242", Some("alice")));
        assert_eq!(user(4242, None), named("4242", None));
        assert_eq!(user(1000, Some("#c")), named("alice", Some("#c")), "a comment is not an account");
        assert_eq!(user(1000, Some("alice:x")), named("alice", Some("alice:x")));
        assert_eq!(user_in(b"", 0, Some("root".into())), named("0", Some("root")));
    }
}
