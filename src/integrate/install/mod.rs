//! `guard install HOST`: add guard's hook to an agent's settings file without disturbing what is
//! there. Where the file lives and the entry it needs are pure ([`target`], [`edit`],
//! [`snippet`]); [`run`] reads, backs up and writes — atomically, so an agent starting at the
//! same moment never reads half a file.

pub mod json_settings;
pub mod toml_settings;

use std::ffi::OsString;
use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::cli::InstallArgs;
use crate::integrate::hooks::Host;
use crate::io_advice;

/// Why `guard install` changed nothing; each says what to do.
#[derive(Debug)]
pub enum InstallError {
    /// `HOME` is unset, so the user's settings cannot be found.
    NoHome,
    /// The settings file could not be read.
    Read { path: PathBuf, source: std::io::Error },
    /// The settings file is not what the agent reads (bad JSON or TOML, an unexpected shape).
    Unusable { path: PathBuf, problem: String, print: String },
    /// The copy of the file as it was could not be made.
    Backup { path: PathBuf, source: std::io::Error },
    /// A hundred backups of the same file within one second.
    TooManyBackups { path: PathBuf },
    /// The new settings could not be written.
    Write { path: PathBuf, source: std::io::Error },
}

impl fmt::Display for InstallError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InstallError::NoHome => {
                write!(f, "HOME is not set, so your settings cannot be found; set HOME or use --project")
            }
            InstallError::Read { path, source } => {
                write!(f, "{}", io_advice::explain(&format!("cannot read {}", path.display()), source))
            }
            InstallError::Unusable { path, problem, print } => write!(
                f,
                "{} {problem}, so guard changed nothing. Fix the file, or add the entry by hand (`{print}` shows it).",
                path.display()
            ),
            InstallError::Backup { path, source } => write!(
                f,
                "{}; nothing was changed",
                io_advice::explain(&format!("cannot write the backup {}", path.display()), source)
            ),
            InstallError::TooManyBackups { path } => {
                write!(f, "too many backups of {} this second; nothing was changed, try again", path.display())
            }
            InstallError::Write { path, source } => write!(
                f,
                "{}; nothing was changed",
                io_advice::explain(&format!("cannot write {}", path.display()), source)
            ),
        }
    }
}

impl std::error::Error for InstallError {}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// The person's own settings, for every project.
    User,
    /// The settings of the project in the current directory, shared through the repository.
    Project,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    /// Codex's `config.toml`, edited in place so comments and layout survive.
    Toml,
}

/// Where `host` keeps its hook settings. `exists` tells whether a file is there: Codex reads
/// hooks from `hooks.json` or `config.toml`, and guard adds to the one already in use.
pub fn target(
    host: Host,
    scope: Scope,
    cwd: &Path,
    var: impl Fn(&str) -> Option<OsString>,
    exists: impl Fn(&Path) -> bool,
) -> Result<PathBuf, InstallError> {
    let home = || var("HOME").filter(|h| !h.is_empty()).map(PathBuf::from).ok_or(InstallError::NoHome);
    let dir = match (host, scope) {
        (Host::Claude, Scope::User) => match var("CLAUDE_CONFIG_DIR").filter(|d| !d.is_empty()) {
            Some(d) => PathBuf::from(d),
            None => home()?.join(".claude"),
        },
        (Host::Codex, Scope::User) => match var("CODEX_HOME").filter(|d| !d.is_empty()) {
            Some(d) => PathBuf::from(d),
            None => home()?.join(".codex"),
        },
        (Host::Gemini, Scope::User) => home()?.join(".gemini"),
        (Host::Cursor, Scope::User) => home()?.join(".cursor"),
        (_, Scope::Project) => cwd.join(format!(".{}", host.name())),
    };
    Ok(match host {
        Host::Claude | Host::Gemini => dir.join("settings.json"),
        Host::Cursor => dir.join("hooks.json"),
        Host::Codex if exists(&dir.join("hooks.json")) => dir.join("hooks.json"),
        Host::Codex => dir.join("config.toml"),
    })
}

pub fn format_of(path: &Path) -> Format {
    if path.extension().is_some_and(|e| e == "toml") {
        Format::Toml
    } else {
        Format::Json
    }
}

/// The command the hook runs. A user's own settings name this very binary, so the hook works
/// whatever PATH the agent gives it (a missing hook program lets every command through); a
/// project's settings are shared between machines, so they name `guard` and rely on PATH.
pub fn hook_command(host: Host, scope: Scope, exe: Option<&Path>) -> String {
    let program = match (scope, exe) {
        (Scope::User, Some(exe)) => shell_quote(&exe.to_string_lossy()),
        _ => "guard".to_string(),
    };
    format!("{program} hook {}", host.name())
}

/// Whether a configured hook command is guard's hook for `host`, however guard is named.
pub fn is_guard_command(command: &str, host: Host) -> bool {
    let Some(rest) = command.trim().strip_suffix(host.name()) else { return false };
    let Some(rest) = rest.strip_suffix(char::is_whitespace).map(str::trim_end) else { return false };
    let Some(program) = rest.strip_suffix("hook") else { return false };
    if !program.ends_with(char::is_whitespace) {
        return false;
    }
    let program = program.trim().trim_matches(|c| c == '\'' || c == '"');
    Path::new(program).file_name().is_some_and(|n| n == "guard")
}

/// The settings text with guard's hook added, or `None` when it is already there.
pub fn edit(host: Host, format: Format, old: Option<&str>, command: &str) -> Result<Option<String>, String> {
    match format {
        Format::Json => json_settings::edit(host, old, command),
        Format::Toml => toml_settings::edit(host, old, command),
    }
}

/// The entry to add by hand.
pub fn snippet(host: Host, format: Format, command: &str) -> String {
    match format {
        Format::Json => json_settings::snippet(host, command),
        Format::Toml => toml_settings::snippet(command),
    }
}

pub fn run(world: &crate::host::Host, args: &InstallArgs) -> u8 {
    match install(world, args) {
        Ok(report) => {
            print!("{report}");
            0
        }
        Err(e) => {
            eprintln!("guard install: {e}");
            2
        }
    }
}

fn install(world: &crate::host::Host, args: &InstallArgs) -> Result<String, InstallError> {
    let host = args.host;
    let scope = if args.project { Scope::Project } else { Scope::User };
    let path = target(host, scope, world.cwd(), |n| world.var_os(n).map(Into::into), |p| p.is_file())?;
    let format = format_of(&path);
    let exe = std::env::current_exe().ok();
    let command = hook_command(host, scope, exe.as_deref());
    if args.print {
        return Ok(snippet(host, format, &command));
    }
    let shown = path.display().to_string();
    // Write through a symlink (dotfile managers) to the file it names, not over the link.
    let real = std::fs::canonicalize(&path).unwrap_or_else(|_| path.clone());
    let old = match std::fs::read_to_string(&real) {
        Ok(text) => Some(text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(source) => return Err(InstallError::Read { path, source }),
    };
    let new = edit(host, format, old.as_deref(), &command).map_err(|problem| InstallError::Unusable {
        path: path.clone(),
        problem,
        print: format!(
            "guard install {}{} --print",
            host.name(),
            if scope == Scope::Project { " --project" } else { "" }
        ),
    })?;
    let Some(new) = new else {
        return Ok(format!("guard's hook is already in {shown}; nothing changed.\n{}", after_install(host)));
    };
    if args.dry_run {
        let diff = similar::TextDiff::from_lines(old.as_deref().unwrap_or(""), &new)
            .unified_diff()
            .header(if old.is_some() { &shown } else { "/dev/null" }, &shown)
            .to_string();
        return Ok(format!("{diff}(dry run: {shown} is unchanged)\n"));
    }
    let backup = match &old {
        Some(text) => Some(backup(&real, text.as_bytes())?),
        None => None,
    };
    write_atomic(&real, new.as_bytes()).map_err(|source| InstallError::Write { path: path.clone(), source })?;
    let mut report = format!("Added guard's hook to {shown}.\n");
    if let Some(b) = backup {
        report.push_str(&format!("The previous version is in {}.\n", b.display()));
    }
    report.push_str(&format!("Start a new {} session for it to take effect.\n", host.title()));
    report.push_str(after_install(host));
    Ok(report)
}

/// What must still happen before the host runs the hook.
fn after_install(host: Host) -> &'static str {
    match host {
        Host::Codex => {
            "Codex runs a hook only once a person has reviewed it: start `codex`, open `/hooks` and review guard's \
             hook. Until then Codex, `codex exec` included, runs every command with no hook (`guard doctor` checks \
             this).\n"
        }
        Host::Claude | Host::Gemini | Host::Cursor => "",
    }
}

/// Copy `bytes` (the file as it was) next to `path`, named with the time, never over an
/// earlier backup.
fn backup(path: &Path, bytes: &[u8]) -> Result<PathBuf, InstallError> {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let base = path.with_file_name(format!("{name}.guard-backup-{}", stamp(jiff::Timestamp::now())));
    for n in 0..100 {
        let candidate = if n == 0 { base.clone() } else { PathBuf::from(format!("{}-{n}", base.to_string_lossy())) };
        let file = std::fs::OpenOptions::new().write(true).create_new(true).open(&candidate);
        match file {
            Ok(mut f) => {
                f.write_all(bytes)
                    .and_then(|_| f.sync_all())
                    .and_then(|_| std::fs::metadata(path).and_then(|m| f.set_permissions(m.permissions())))
                    .map_err(|source| InstallError::Backup { path: candidate.clone(), source })?;
                return Ok(candidate);
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(source) => return Err(InstallError::Backup { path: candidate, source }),
        }
    }
    Err(InstallError::TooManyBackups { path: path.to_path_buf() })
}

/// Replace `path` with `bytes` through a temporary file in the same directory and a rename.
fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let mut tmp = tempfile::Builder::new().prefix(".guard-install-").tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    match std::fs::metadata(path) {
        Ok(meta) => tmp.as_file().set_permissions(meta.permissions())?,
        // A temporary file is private; a new settings file is as readable as any other.
        #[cfg(unix)]
        Err(_) => {
            use std::os::unix::fs::PermissionsExt;
            tmp.as_file().set_permissions(std::fs::Permissions::from_mode(0o644))?
        }
        #[cfg(not(unix))]
        Err(_) => {}
    }
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// `s` as one shell word.
fn shell_quote(s: &str) -> String {
    let plain = !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || "/._-+:@%,=".contains(c));
    if plain {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

/// UTC time as `20240131T235959Z`, for backup names that sort by age.
fn stamp(t: jiff::Timestamp) -> String {
    t.strftime("%Y%m%dT%H%M%SZ").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamps_are_utc_calendar_times() {
        let table: &[(u64, &str)] = &[
            (0, "19700101T000000Z"),
            (951_782_400, "20000229T000000Z"),
            (951_868_799, "20000229T235959Z"),
            (1_709_251_199, "20240229T235959Z"),
            (1_709_251_200, "20240301T000000Z"),
            (4_102_444_800, "21000101T000000Z"),
        ];
        for (secs, want) in table {
            assert_eq!(stamp(jiff::Timestamp::from_second(*secs as i64).unwrap()), *want, "{secs}");
        }
    }

    #[test]
    fn recognises_guard_hook_commands_however_guard_is_named() {
        let table: &[(&str, Host, bool)] = &[
            ("guard hook claude", Host::Claude, true),
            ("/home/u/.cargo/bin/guard hook claude", Host::Claude, true),
            ("'/opt/my tools/guard' hook codex", Host::Codex, true),
            ("  guard   hook  gemini ", Host::Gemini, true),
            ("guard hook claude", Host::Codex, false),
            ("notguard hook claude", Host::Claude, false),
            ("guardhook claude", Host::Claude, false),
            ("guard hookclaude", Host::Claude, false),
            ("python3 check.py", Host::Claude, false),
            ("guard check", Host::Claude, false),
        ];
        for (command, host, want) in table {
            assert_eq!(is_guard_command(command, *host), *want, "{command:?} for {host:?}");
        }
    }

    #[test]
    fn user_settings_name_this_binary_and_project_settings_rely_on_path() {
        let exe = Path::new("/opt/my tools/guard");
        assert_eq!(hook_command(Host::Claude, Scope::User, Some(exe)), "'/opt/my tools/guard' hook claude");
        assert_eq!(
            hook_command(Host::Cursor, Scope::User, Some(Path::new("/usr/bin/guard"))),
            "/usr/bin/guard hook cursor"
        );
        assert_eq!(hook_command(Host::Codex, Scope::Project, Some(exe)), "guard hook codex");
        assert!(is_guard_command(&hook_command(Host::Gemini, Scope::User, Some(exe)), Host::Gemini));
    }

    #[test]
    fn settings_files_per_host_and_scope() {
        let vars = |n: &str| match n {
            "HOME" => Some(OsString::from("/home/u")),
            _ => None,
        };
        let none = |_: &Path| false;
        let cwd = Path::new("/work/p");
        let table: &[(Host, Scope, &str)] = &[
            (Host::Claude, Scope::User, "/home/u/.claude/settings.json"),
            (Host::Claude, Scope::Project, "/work/p/.claude/settings.json"),
            (Host::Codex, Scope::User, "/home/u/.codex/config.toml"),
            (Host::Codex, Scope::Project, "/work/p/.codex/config.toml"),
            (Host::Gemini, Scope::User, "/home/u/.gemini/settings.json"),
            (Host::Gemini, Scope::Project, "/work/p/.gemini/settings.json"),
            (Host::Cursor, Scope::User, "/home/u/.cursor/hooks.json"),
            (Host::Cursor, Scope::Project, "/work/p/.cursor/hooks.json"),
        ];
        for (host, scope, want) in table {
            assert_eq!(target(*host, *scope, cwd, vars, none).unwrap(), PathBuf::from(want), "{host:?} {scope:?}");
        }
        let relocated = |n: &str| match n {
            "CLAUDE_CONFIG_DIR" => Some(OsString::from("/cfg/claude")),
            "CODEX_HOME" => Some(OsString::from("/cfg/codex")),
            _ => None,
        };
        let has_hooks_json = |p: &Path| p.ends_with("hooks.json");
        assert_eq!(
            target(Host::Claude, Scope::User, cwd, relocated, none).unwrap(),
            Path::new("/cfg/claude/settings.json")
        );
        assert_eq!(
            target(Host::Codex, Scope::User, cwd, relocated, has_hooks_json).unwrap(),
            Path::new("/cfg/codex/hooks.json")
        );
        let err = target(Host::Gemini, Scope::User, cwd, |_| None, none).unwrap_err();
        assert!(matches!(err, InstallError::NoHome), "{err}");
        assert!(err.to_string().contains("HOME is not set"), "{err}");
        assert_eq!(format_of(Path::new("/x/config.toml")), Format::Toml);
        assert_eq!(format_of(Path::new("/x/hooks.json")), Format::Json);
    }
}
