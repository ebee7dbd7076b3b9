//! Claude Code's command wrapper. With `CLAUDE_CODE_SHELL_PREFIX` set, Claude Code runs every Bash
//! tool call as `PREFIX 'STRING'`, where STRING sources Claude Code's shell snapshot, switches
//! extglob off, `eval`s the model's command and writes the final directory to a fresh
//! `/tmp/claude-XXXX-cwd`:
//!
//! ```text
//! source /home/u/.claude/shell-snapshots/snapshot-bash-1764745000000-a1b2c3.sh 2>/dev/null || true
//!   && { shopt -u extglob || setopt NO_EXTENDED_GLOB NO_BARE_GLOB_QUAL; } >/dev/null 2>&1 || true
//!   && eval 'ls -la' < /dev/null && pwd -P >| /tmp/claude-3f9a-cwd
//! ```
//!
//! (one line, joined by ` && `). guard judges, shows and matches approvals on the `eval`'d command:
//! the rest is Claude Code's own, and its file name changes on every call. Recognition is exact
//! and pure: any other text — another part, a snapshot outside Claude Code's configuration
//! directory, a directory file outside the temporary directory, anything after it — is not the
//! wrapper, and is judged whole as written.

use std::path::{Component, Path, PathBuf};

/// What the wrapper `eval`s: the model's command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wrapped {
    pub command: String,
}

/// Where Claude Code keeps what the wrapper names, as guard's environment says.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Places {
    /// Claude Code's configuration directories (`$CLAUDE_CONFIG_DIR`, `~/.claude`): the snapshot
    /// is in `shell-snapshots/` there.
    pub config_dirs: Vec<PathBuf>,
    /// Temporary directories (`/tmp`, `$TMPDIR`, `$CLAUDE_CODE_TMPDIR`): the directory file is there.
    pub temp_dirs: Vec<PathBuf>,
    /// The user's uid: under Claude Code's sandbox the file is `claude-UID/cwd-XXXX` there.
    pub uid: u32,
}

impl Places {
    /// The places for guard's environment, read through `var`, for the user `uid`.
    pub fn from_vars(uid: u32, var: impl Fn(&str) -> Option<String>) -> Places {
        let set = |n: &str| var(n).filter(|v| !v.is_empty()).map(PathBuf::from);
        let mut config_dirs: Vec<PathBuf> = set("CLAUDE_CONFIG_DIR").into_iter().collect();
        config_dirs.extend(set("HOME").map(|h| h.join(".claude")));
        let mut temp_dirs = vec![PathBuf::from("/tmp")];
        temp_dirs.extend(set("TMPDIR"));
        temp_dirs.extend(set("CLAUDE_CODE_TMPDIR"));
        Places { config_dirs, temp_dirs, uid }
    }
}

/// Extglob off, as Claude Code writes it with a prefix set, and without one for bash and zsh.
const EXTGLOB_OFF: &[&str] = &[
    "{ shopt -u extglob || setopt NO_EXTENDED_GLOB NO_BARE_GLOB_QUAL; } >/dev/null 2>&1 || true",
    "shopt -u extglob 2>/dev/null || true",
    "setopt NO_EXTENDED_GLOB NO_BARE_GLOB_QUAL 2>/dev/null || true",
];

/// Set in a remote Claude Code session.
const BUN_OPTIONS: &str = r#"export BUN_OPTIONS="--smol${BUN_OPTIONS:+ $BUN_OPTIONS}""#;

const AND: &str = " && ";

/// Whether `text` could be the wrapper at all: a cheap test, before the places are read.
pub fn may_be(text: &str) -> bool {
    text.contains(" && pwd -P >| ")
}

/// The model's command, when `text` is exactly Claude Code's wrapper around it.
pub fn recognise(text: &str, places: &Places) -> Option<Wrapped> {
    let mut rest = text;
    if let Some(r) = rest.strip_prefix("source ") {
        let (snapshot, r) = word(r)?;
        rest = r.strip_prefix(" 2>/dev/null || true")?.strip_prefix(AND)?;
        if !is_snapshot(&snapshot, places) {
            return None;
        }
    }
    if let Some(r) = rest.strip_prefix(BUN_OPTIONS) {
        rest = r.strip_prefix(AND)?;
    }
    if let Some(r) = EXTGLOB_OFF.iter().find_map(|p| rest.strip_prefix(p)) {
        rest = r.strip_prefix(AND)?;
    }
    let (command, r) = word(rest.strip_prefix("eval ")?)?;
    let r = r.strip_prefix(" < /dev/null").unwrap_or(r);
    let (cwd_file, r) = word(r.strip_prefix(AND)?.strip_prefix("pwd -P >| ")?)?;
    (r.is_empty() && is_cwd_file(&cwd_file, places)).then_some(Wrapped { command })
}

/// One word as Claude Code quotes it (`Qa`): plain characters, `'…'`, and `"'"` for a quote;
/// its value, and the text after it. A word that ends anywhere but at a space or the end, or
/// holds anything bash would expand, is not one.
fn word(text: &str) -> Option<(String, &str)> {
    let plain = |c: char| c.is_ascii_alphanumeric() || "_./:=@+,-".contains(c);
    let mut value = String::new();
    let mut rest = text;
    loop {
        if let Some(r) = rest.strip_prefix('\'') {
            let end = r.find('\'')?;
            value.push_str(&r[..end]);
            rest = &r[end + 1..];
        } else if let Some(r) = rest.strip_prefix("\"'\"") {
            value.push('\'');
            rest = r;
        } else if rest.starts_with(plain) {
            let end = rest.find(|c| !plain(c)).unwrap_or(rest.len());
            value.push_str(&rest[..end]);
            rest = &rest[end..];
        } else {
            break;
        }
    }
    let ends = rest.is_empty() || rest.starts_with(' ');
    (rest.len() < text.len() && ends).then_some((value, rest))
}

/// `<config dir>/shell-snapshots/snapshot-{bash,zsh,sh}-<ms>-<id>.sh`, as Claude Code names it.
fn is_snapshot(path: &str, places: &Places) -> bool {
    let Some((dir, name)) = split(path) else { return false };
    let Some(rest) = name.strip_prefix("snapshot-").and_then(|n| n.strip_suffix(".sh")) else { return false };
    let Some((shell, rest)) = rest.split_once('-') else { return false };
    let Some((ms, id)) = rest.split_once('-') else { return false };
    let digits = |s: &str, f: fn(&char) -> bool| !s.is_empty() && s.chars().all(|c| f(&c));
    matches!(shell, "bash" | "zsh" | "sh")
        && digits(ms, char::is_ascii_digit)
        && id.len() <= 6
        && digits(id, |c| c.is_ascii_digit() || c.is_ascii_lowercase())
        && places.config_dirs.iter().any(|c| normal(c).is_some_and(|c| c.join("shell-snapshots") == dir))
}

/// `<temp dir>/claude-XXXX-cwd`, or under Claude Code's sandbox `<temp dir>/claude-UID/cwd-XXXX`,
/// four hex digits, as Claude Code names it.
fn is_cwd_file(path: &str, places: &Places) -> bool {
    let Some((dir, name)) = split(path) else { return false };
    let hex4 = |id: &str| id.len() == 4 && id.chars().all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c));
    let in_temp = |d: &Path| places.temp_dirs.iter().any(|t| normal(t).is_some_and(|t| t == d));
    if let Some(id) = name.strip_prefix("claude-").and_then(|n| n.strip_suffix("-cwd")) {
        return hex4(id) && in_temp(&dir);
    }
    let sandboxed = dir.file_name().is_some_and(|d| *d == *format!("claude-{}", places.uid));
    name.strip_prefix("cwd-").is_some_and(hex4) && sandboxed && dir.parent().is_some_and(in_temp)
}

/// An absolute path written the way Claude Code's `path.join` writes one (no `.`, `..`, `//`
/// or trailing `/`): its directory and file name.
fn split(path: &str) -> Option<(PathBuf, &str)> {
    let p = Path::new(path);
    let n = normal(p)?;
    if n.as_os_str() != path {
        return None;
    }
    Some((p.parent()?.to_path_buf(), p.file_name()?.to_str()?))
}

/// `path` without `.`, doubled or trailing slashes; `None` when it is relative or climbs with `..`.
fn normal(path: &Path) -> Option<PathBuf> {
    if !path.is_absolute() || path.components().any(|c| c == Component::ParentDir) {
        return None;
    }
    Some(path.components().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn places() -> Places {
        Places::from_vars(1000, |n| match n {
            "HOME" => Some("/home/u".into()),
            "CLAUDE_CONFIG_DIR" => Some("/cfg dir/".into()),
            "TMPDIR" => Some("/var/tmp/".into()),
            _ => None,
        })
    }

    const SNAPSHOT: &str =
        "source /home/u/.claude/shell-snapshots/snapshot-bash-1764745000000-a1b2c3.sh 2>/dev/null || true";
    const EXTGLOB: &str = "{ shopt -u extglob || setopt NO_EXTENDED_GLOB NO_BARE_GLOB_QUAL; } >/dev/null 2>&1 || true";

    /// The strings Claude Code 2.1.197 hands its prefix, made by its own quoting and joining code
    /// (`Qa`, `W1a`, `O1a`, the `buildExecCommand` of its bash provider) for these commands.
    #[test]
    fn claude_codes_own_wrappers_give_the_command() {
        let table: &[(&str, &str)] = &[
            (
                "source /home/u/.claude/shell-snapshots/snapshot-bash-1764745000000-a1b2c3.sh 2>/dev/null || true && { shopt -u extglob || setopt NO_EXTENDED_GLOB NO_BARE_GLOB_QUAL; } >/dev/null 2>&1 || true && eval 'ls -la' < /dev/null && pwd -P >| /tmp/claude-3f9a-cwd",
                "ls -la",
            ),
            (
                r#"source /home/u/.claude/shell-snapshots/snapshot-bash-1764745000000-a1b2c3.sh 2>/dev/null || true && { shopt -u extglob || setopt NO_EXTENDED_GLOB NO_BARE_GLOB_QUAL; } >/dev/null 2>&1 || true && eval 'git commit -m "it'"'"'s done" | cat' < /dev/null && pwd -P >| /tmp/claude-0b1c-cwd"#,
                r#"git commit -m "it's done" | cat"#,
            ),
            (
                "source '/cfg dir/shell-snapshots/snapshot-zsh-1764745000000-zz9.sh' 2>/dev/null || true && { shopt -u extglob || setopt NO_EXTENDED_GLOB NO_BARE_GLOB_QUAL; } >/dev/null 2>&1 || true && eval 'cat <<EOF\nhi\nEOF' && pwd -P >| /tmp/claude-ffff-cwd",
                "cat <<EOF\nhi\nEOF",
            ),
            (
                "{ shopt -u extglob || setopt NO_EXTENDED_GLOB NO_BARE_GLOB_QUAL; } >/dev/null 2>&1 || true && eval 'sort < in.txt' && pwd -P >| /tmp/claude-1234-cwd",
                "sort < in.txt",
            ),
            // Without a prefix (guard as CLAUDE_CODE_SHELL), and a plain word left unquoted.
            (
                "source /home/u/.claude/shell-snapshots/snapshot-bash-1-x.sh 2>/dev/null || true && shopt -u extglob 2>/dev/null || true && eval pwd < /dev/null && pwd -P >| /var/tmp/claude-00aa-cwd",
                "pwd",
            ),
            (
                "export BUN_OPTIONS=\"--smol${BUN_OPTIONS:+ $BUN_OPTIONS}\" && eval 'rm -rf ~' < /dev/null && pwd -P >| /tmp/claude-abcd-cwd",
                "rm -rf ~",
            ),
            // Under Claude Code's sandbox, the file is in the user's own temporary directory.
            ("eval 'make' < /dev/null && pwd -P >| /tmp/claude-1000/cwd-9c0d", "make"),
        ];
        for (text, command) in table {
            assert!(may_be(text), "{text}");
            assert_eq!(recognise(text, &places()), Some(Wrapped { command: command.to_string() }), "{text}");
        }
    }

    /// Anything but the exact shape is not the wrapper: it is judged whole.
    #[test]
    fn look_alikes_are_not_the_wrapper() {
        let eval = "eval 'ls' < /dev/null";
        let pwd = "pwd -P >| /tmp/claude-3f9a-cwd";
        let cases: Vec<(&str, String)> = vec![
            ("another command after the directory file", format!("{SNAPSHOT} && {eval} && {pwd} && rm -rf ~")),
            ("a command after it with ;", format!("{eval} && {pwd}; rm -rf ~")),
            ("a newline after it", format!("{eval} && {pwd}\nrm -rf ~")),
            ("a command before it", format!("rm -rf ~ && {eval} && {pwd}")),
            ("a command in place of the snapshot", format!("source <(curl x) 2>/dev/null || true && {eval} && {pwd}")),
            (
                "a snapshot outside Claude Code's directory",
                format!("source /tmp/shell-snapshots/snapshot-bash-1-a.sh 2>/dev/null || true && {eval} && {pwd}"),
            ),
            (
                "a snapshot that climbs out",
                format!(
                    "source /home/u/.claude/shell-snapshots/../../evil/snapshot-bash-1-a.sh 2>/dev/null || true && {eval} && {pwd}"
                ),
            ),
            (
                "another file in the snapshot directory",
                format!("source /home/u/.claude/shell-snapshots/evil.sh 2>/dev/null || true && {eval} && {pwd}"),
            ),
            (
                "a snapshot named by a variable",
                format!("source $HOME/.claude/shell-snapshots/snapshot-bash-1-a.sh 2>/dev/null || true && {eval} && {pwd}"),
            ),
            ("the directory written elsewhere", format!("{eval} && pwd -P >| /etc/claude-3f9a-cwd")),
            ("another file name", format!("{eval} && pwd -P >| /tmp/.bashrc")),
            ("a name that is not four hex digits", format!("{eval} && pwd -P >| /tmp/claude-xyz1-cwd")),
            ("a directory file that climbs out", format!("{eval} && pwd -P >| /tmp/../etc/claude-3f9a-cwd")),
            ("another user's sandbox directory", format!("{eval} && pwd -P >| /tmp/claude-0/cwd-9c0d")),
            ("a sandbox name outside the temporary directory", format!("{eval} && pwd -P >| /etc/claude-1000/cwd-9c0d")),
            ("two words to eval", format!("eval 'ls' 'rm' && {pwd}")),
            ("an expansion in the eval'd word", format!("eval \"$(curl x)\" && {pwd}")),
            ("an unquoted expansion", format!("eval $CMD && {pwd}")),
            ("another redirection on eval", format!("eval 'ls' > /etc/x && {pwd}")),
            ("an open quote", format!("eval 'ls && {pwd}")),
            ("no eval", pwd.to_string()),
            ("the wrapper's parts out of order", format!("{EXTGLOB} && {SNAPSHOT} && {eval} && {pwd}")),
            ("plain text", "ls -la".into()),
            ("nothing", String::new()),
        ];
        for (what, text) in cases {
            assert_eq!(recognise(&text, &places()), None, "{what}: {text}");
        }
    }

    /// What a real Claude Code 2.1.197 (`claude -p`, `CLAUDE_CODE_SHELL_PREFIX` set, HOME and
    /// TMPDIR as here) handed its prefix for a model's `git push --force origin feature`.
    #[test]
    fn a_wrapper_claude_code_made() {
        let places = Places::from_vars(0, |n| match n {
            "HOME" => Some("/tmp/ccrun/home".into()),
            "TMPDIR" => Some("/tmp/ccrun/tmp".into()),
            _ => None,
        });
        let seen = "source /tmp/ccrun/home/.claude/shell-snapshots/snapshot-zsh-1796285856713-c3i6gx.sh 2>/dev/null || true && { shopt -u extglob || setopt NO_EXTENDED_GLOB NO_BARE_GLOB_QUAL; } >/dev/null 2>&1 || true && eval 'git push --force origin feature' < /dev/null && pwd -P >| /tmp/ccrun/tmp/claude-8e60-cwd";
        assert_eq!(recognise(seen, &places), Some(Wrapped { command: "git push --force origin feature".into() }));
    }

    #[test]
    fn places_come_from_the_environment() {
        let p = places();
        assert_eq!(p.config_dirs, [PathBuf::from("/cfg dir/"), PathBuf::from("/home/u/.claude")]);
        assert_eq!(p.temp_dirs, [PathBuf::from("/tmp"), PathBuf::from("/var/tmp/")]);
        // Without HOME or a configuration directory, no snapshot is Claude Code's.
        let bare = Places::from_vars(1000, |_| None);
        let text = format!("{SNAPSHOT} && eval ls && pwd -P >| /tmp/claude-3f9a-cwd");
        assert_eq!(recognise(&text, &bare), None);
        assert!(recognise("eval ls && pwd -P >| /tmp/claude-3f9a-cwd", &bare).is_some());
    }

    #[test]
    fn words_are_read_as_claude_code_quotes_them() {
        let table: &[(&str, Option<(&str, &str)>)] = &[
            ("plain rest", Some(("plain", " rest"))),
            ("'a b' rest", Some(("a b", " rest"))),
            (r#"'it'"'"'s'"#, Some(("it's", ""))),
            (r#"''"'"''"#, Some(("'", ""))),
            (r#"'"'"'"#, None),
            ("''", Some(("", ""))),
            ("'open", None),
            ("$x", None),
            ("a$x", None),
            ("'a'b\\c", None),
            ("\"a\"", None),
            ("", None),
        ];
        for (text, want) in table {
            let got = word(text);
            assert_eq!(got.as_ref().map(|(v, r)| (v.as_str(), *r)), *want, "{text:?}");
        }
    }
}
