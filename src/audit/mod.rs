//! The audit trail: one JSON line per decision guard makes, hash-chained so that editing,
//! deleting, inserting or reordering lines is detected by [`verify`].
//!
//! The log lives at `$XDG_STATE_HOME/guard/audit.jsonl` (`~/.local/state/guard/audit.jsonl`)
//! unless [`AuditConfig::path`] says otherwise; a new file is 0600, a new directory 0700.
//! Parallel guards append safely, a symbolic link or hard link planted at the log is refused,
//! and a line torn by a crash is sealed off at the next append (see [`logfile`]).
//!
//! What the chain cannot show: lines cut off the *end*. What is left is a shorter chain that
//! verifies. To notice that, keep the head hash `guard log verify` prints somewhere the log's
//! writer cannot change (a ticket, another machine) and check with `--head` that the log still
//! reaches it, or turn on [`AuditConfig::syslog`] so every line, hash included, also goes to
//! the system log (journald, rsyslog, and from there off the machine). Nor can it stop someone
//! who can write the file from rewriting every line after an edit with fresh hashes: the chain
//! is not keyed. The same anchors catch that too. Same-user logging is a record, not a vault.

pub mod chain;
pub mod cli;
pub mod entry;
pub mod logfile;
pub mod query;
pub mod show;
pub mod syslog;

use std::path::{Path, PathBuf};

pub use chain::{Break, Reached, Report, GENESIS};
pub use entry::{Action, Entry, Line, PlanSummary, Recovery};
pub use syslog::Facility;

/// Where and how to record. The policy settings fill this in; `Default` is the built-in choice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditConfig {
    /// The log file; `None` when there is no place for one (neither the settings nor the
    /// environment name one).
    pub path: Option<PathBuf>,
    /// Also send every entry to the local syslog socket.
    pub syslog: bool,
    pub syslog_socket: PathBuf,
    pub syslog_facility: Facility,
}

impl Default for AuditConfig {
    fn default() -> Self {
        AuditConfig {
            path: None,
            syslog: false,
            syslog_socket: PathBuf::from("/dev/log"),
            syslog_facility: Facility::default(),
        }
    }
}

impl AuditConfig {
    /// The configuration the policy settings ask for; the log is `guard/audit.jsonl` in the
    /// state directory (`$XDG_STATE_HOME`, else `~/.local/state`) unless they name one.
    pub fn from_settings(s: &crate::policy::settings::Settings, host: &crate::host::Host) -> AuditConfig {
        let facility = match s.syslog_facility.as_deref() {
            Some("user") => Facility::User,
            Some(_) => Facility::Authpriv,
            None => Facility::default(),
        };
        AuditConfig {
            path: s.audit_path.clone().or_else(|| host.state_dir().map(|d| d.join("audit.jsonl"))),
            syslog: s.syslog,
            syslog_facility: facility,
            ..AuditConfig::default()
        }
    }

    /// The log file this configuration writes to.
    pub fn log_path(&self) -> Result<PathBuf, AuditError> {
        self.path.clone().ok_or(AuditError::NoPath)
    }
}

/// The audit log could not be written. The caller decides what that means for the command
/// (refuse what needed asking, run what was allowed with a warning). The last four are what
/// guard will not write to: a log or (`dir`) log directory that is a symbolic link or another
/// user's, a log that is not a regular file, or one with other names (hard links).
#[derive(Debug)]
pub enum AuditError {
    NoPath,
    Io { doing: &'static str, path: PathBuf, source: std::io::Error },
    ShortWrite { path: PathBuf, written: usize, expected: usize },
    Symlink { path: PathBuf, dir: bool },
    NotOwned { path: PathBuf, owner: u32, dir: bool },
    NotAFile { path: PathBuf },
    HardLinked { path: PathBuf, links: u64 },
}

impl AuditError {
    fn io(doing: &'static str, path: &Path, source: std::io::Error) -> AuditError {
        AuditError::Io { doing, path: path.to_path_buf(), source }
    }
}

impl std::fmt::Display for AuditError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AuditError::NoPath => write!(
                f,
                "cannot record this decision: neither XDG_STATE_HOME nor HOME is set (as an absolute \
                 path), so there is no place for the audit log; set HOME, or set an audit path in \
                 the policy settings"
            ),
            AuditError::Io { doing, path, source } => {
                use std::io::ErrorKind as K;
                let advice = match source.kind() {
                    K::PermissionDenied | K::ReadOnlyFilesystem => {
                        "check that you own the file and its directory and can write to them \
                         (chmod 700 the directory, 600 the file), or set another audit path"
                    }
                    K::StorageFull | K::QuotaExceeded => "free some disk space",
                    K::TimedOut => "find what holds the log open (`fuser -v` on it) and stop it",
                    K::NotADirectory | K::IsADirectory => "a path component is not what it should be; fix the path",
                    _ => "check the path, its permissions and free disk space",
                };
                write!(
                    f,
                    "cannot record this decision: cannot {doing} the audit log {}: {source}; {advice}",
                    path.display()
                )
            }
            AuditError::ShortWrite { path, written, expected } => write!(
                f,
                "cannot record this decision: only {written} of {expected} bytes reached the audit log \
                 {} (the partial line was removed); the disk is probably full: free some space",
                path.display()
            ),
            AuditError::Symlink { path, dir: false } => write!(
                f,
                "cannot record this decision: the audit log {0} is a symbolic link, and guard never \
                 writes through one (it could point at any of your files); see where it points with \
                 `ls -l {0}`, then remove the link so guard starts a new log there, or set \
                 settings.audit.path to the real file",
                path.display()
            ),
            AuditError::Symlink { path, dir: true } => write!(
                f,
                "cannot record this decision: the audit log's directory {0} is a symbolic link, and \
                 guard does not follow one there (it could lead the log anywhere); see where it points \
                 with `ls -l {0}`, then replace the link with a directory (`mkdir -m 700`), or set \
                 settings.audit.path to a file in the directory it points to",
                path.display()
            ),
            AuditError::NotOwned { path, owner, dir } => write!(
                f,
                "cannot record this decision: the audit log{} {} belongs to uid {owner}, not to you \
                 (uid {}), so its owner could change what guard records; set settings.audit.path to a \
                 log in a directory of your own",
                if *dir { "'s directory" } else { "" },
                path.display(),
                nix::unistd::getuid()
            ),
            AuditError::NotAFile { path } => write!(
                f,
                "cannot record this decision: the audit log {0} is not a regular file (a FIFO, a \
                 socket, a device or a directory); move it aside (`mv {0} {0}.odd`) so guard can start \
                 a new log",
                path.display()
            ),
            AuditError::HardLinked { path, links } => write!(
                f,
                "cannot record this decision: the audit log {0} has {links} names (hard links), so \
                 appending to it would change another file too; find the others with `find / -xdev \
                 -samefile {0}`, then move the log aside (`mv {0} {0}.linked`) so guard starts a new one",
                path.display()
            ),
        }
    }
}

impl std::error::Error for AuditError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            AuditError::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// A recorded entry.
#[derive(Debug, Clone)]
pub struct Recorded {
    /// The new head of the chain.
    pub hash: String,
    /// Problems that did not stop the entry being recorded (the syslog copy failed, the log is
    /// open to other users, a damaged last line was sealed off); show them.
    pub warnings: Vec<String>,
}

/// Record one entry: mask secrets in the command, chain it onto the log and, when configured,
/// copy it to syslog (a recovery line written before it too, so the copy chains as well).
pub fn append(config: &AuditConfig, mut entry: Entry) -> Result<Recorded, AuditError> {
    let path = config.log_path()?;
    let (command, clipped) = entry::clip_bytes(redact(&entry.command), entry::MAX_COMMAND);
    entry.command = command;
    entry.command_bytes = clipped.or(entry.command_bytes);
    entry.plan.programs = entry.plan.programs.iter().map(|p| redact(p)).collect();
    let appended = logfile::append(&path, &mut entry)?;
    let mut warnings = appended.warnings;
    if config.syslog {
        let time = syslog::local_time();
        let mut messages = Vec::new();
        if let Some(r) = &appended.recovery {
            messages.push(syslog::recovery_message(config.syslog_facility, &time, entry.pid, r));
        }
        messages.push(syslog::message(config.syslog_facility, entry.decision, &time, entry.pid, &appended.line));
        // One warning is enough when the socket is not there.
        if let Some(w) = messages.iter().find_map(|m| syslog::send(&config.syslog_socket, m).err()) {
            warnings.push(w);
        }
    }
    Ok(Recorded { hash: entry.hash, warnings })
}

/// Whether an entry could be appended now: the log can be opened for appending, with the same
/// checks as [`append`] (creating it and its directory when missing). For deciding, before a
/// command runs, what a log that cannot be written means.
pub fn writable(config: &AuditConfig) -> Result<(), AuditError> {
    let path = config.log_path()?;
    logfile::open(&path).map(drop)
}

/// Every piece of command text on its way into the log passes through here, and only here:
/// secrets in it (tokens, passwords in URLs, `KEY=value` credentials) become `[masked:KIND]`.
fn redact(command: &str) -> String {
    guard_rules::mask(command)
}

/// Why a log could not be verified.
#[derive(Debug)]
pub enum VerifyError {
    Read(PathBuf, std::io::Error),
}

impl std::fmt::Display for VerifyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            VerifyError::Read(p, e) if e.kind() == std::io::ErrorKind::NotFound => write!(
                f,
                "cannot read the audit log {}: there is none (nothing recorded yet, or the wrong path)",
                p.display()
            ),
            VerifyError::Read(p, e) => {
                write!(f, "cannot read the audit log {}: {e}; check the path and its permissions", p.display())
            }
        }
    }
}

impl std::error::Error for VerifyError {}

/// Walk the log at `path`, check every link of the chain and, when `head` (a hash saved
/// earlier, or the start of one) is given, whether the log still reaches it. Read under a
/// shared lock, so a line being appended is never seen half written.
pub fn verify(path: &Path, head: Option<&str>) -> Result<Report, VerifyError> {
    use std::io::Read;
    let failed = |e| VerifyError::Read(path.to_path_buf(), e);
    let mut file = std::fs::File::open(path).map_err(failed)?;
    crate::small_file::lock_within(&file, false, logfile::LOCK_WAIT).map_err(failed)?;
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes).map_err(failed)?;
    Ok(chain::verify_bytes(&bytes, head))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_log_is_where_the_settings_say_else_in_the_state_directory() {
        let host = |vars: &[(&str, &str)]| {
            crate::host::Host::new("/w".into(), vars.iter().map(|(k, v)| (k.into(), v.into())).collect())
        };
        let plain = crate::policy::settings::Settings::default();
        let named = crate::policy::settings::Settings { audit_path: Some("/var/log/g.jsonl".into()), ..plain.clone() };
        let path = |s: &crate::policy::settings::Settings, vars: &[(&str, &str)]| {
            AuditConfig::from_settings(s, &host(vars)).log_path().ok()
        };
        assert_eq!(path(&plain, &[("HOME", "/h")]), Some("/h/.local/state/guard/audit.jsonl".into()));
        assert_eq!(path(&plain, &[("HOME", "/h"), ("XDG_STATE_HOME", "/s")]), Some("/s/guard/audit.jsonl".into()));
        assert_eq!(path(&plain, &[("HOME", "rel")]), None);
        assert_eq!(path(&named, &[]), Some("/var/log/g.jsonl".into()));
    }

    #[test]
    fn errors_say_what_happened_and_what_to_do() {
        let denied =
            AuditError::io("open", Path::new("/x/a"), std::io::Error::from(std::io::ErrorKind::PermissionDenied));
        let full = AuditError::io("write to", Path::new("/x/a"), std::io::Error::from(std::io::ErrorKind::StorageFull));
        let short = AuditError::ShortWrite { path: "/x/a".into(), written: 3, expected: 9 };
        let link = AuditError::Symlink { path: "/x/a".into(), dir: false };
        let dir_link = AuditError::Symlink { path: "/x".into(), dir: true };
        let theirs = AuditError::NotOwned { path: "/x".into(), owner: 4242, dir: true };
        let fifo = AuditError::NotAFile { path: "/x/a".into() };
        let linked = AuditError::HardLinked { path: "/x/a".into(), links: 2 };
        for (e, what, todo) in [
            (&denied, "cannot open the audit log /x/a", "chmod 700"),
            (&full, "cannot write to the audit log /x/a", "free some disk space"),
            (&short, "only 3 of 9 bytes", "free some space"),
            (&AuditError::NoPath, "neither XDG_STATE_HOME nor HOME", "set HOME"),
            (&link, "the audit log /x/a is a symbolic link", "remove the link"),
            (&dir_link, "the audit log's directory /x is a symbolic link", "replace the link with a directory"),
            (&theirs, "the audit log's directory /x belongs to uid 4242", "set settings.audit.path"),
            (&fifo, "/x/a is not a regular file", "move it aside"),
            (&linked, "/x/a has 2 names (hard links)", "-samefile /x/a"),
        ] {
            let s = e.to_string();
            assert!(s.contains(what) && s.contains(todo), "{s}");
        }
    }
}
