//! `guard install` through the real binary, on settings files in a fresh temporary HOME and
//! project directory.

#![allow(clippy::unwrap_used)] // a test fails loudly on what it did not expect

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::{json, Value};

struct Sandbox {
    _root: tempfile::TempDir,
    home: PathBuf,
    project: PathBuf,
}

impl Sandbox {
    fn new() -> Sandbox {
        let root = tempfile::tempdir().unwrap();
        let home = root.path().join("home");
        let project = root.path().join("project");
        std::fs::create_dir_all(&home).unwrap();
        std::fs::create_dir_all(&project).unwrap();
        Sandbox { _root: root, home, project }
    }

    fn guard(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_guard"))
            .args(args)
            .env_remove("CLAUDE_CONFIG_DIR")
            .env_remove("CODEX_HOME")
            .env("HOME", &self.home)
            .env("XDG_CONFIG_HOME", self.home.join(".config"))
            .env("XDG_STATE_HOME", self.home.join(".local/state"))
            .current_dir(&self.project)
            .output()
            .unwrap()
    }

    fn write(&self, path: &Path, text: &str) {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    /// The files next to `path` whose names start with its name and `.guard-backup-`.
    fn backups(&self, path: &Path) -> Vec<PathBuf> {
        let prefix = format!("{}.guard-backup-", path.file_name().unwrap().to_string_lossy());
        let mut found: Vec<PathBuf> = std::fs::read_dir(path.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with(&prefix))
            .collect();
        found.sort();
        found
    }
}

fn ok(out: &Output) -> String {
    assert!(out.status.success(), "status {:?}: {}", out.status, String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout.clone()).unwrap()
}

fn json_file(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The command a user-scope install writes: this very binary.
fn this_guard(host: &str) -> String {
    let exe = std::fs::canonicalize(env!("CARGO_BIN_EXE_guard")).unwrap();
    format!("{} hook {host}", exe.display())
}

#[test]
fn a_missing_settings_file_is_created_with_the_hook() {
    let sb = Sandbox::new();
    let report = ok(&sb.guard(&["install", "claude"]));
    let path = sb.home.join(".claude/settings.json");
    assert!(report.contains(&path.display().to_string()), "{report}");
    assert_eq!(
        json_file(&path),
        json!({"hooks": {"PreToolUse": [
            {"matcher": "Bash|Monitor", "hooks": [{"type": "command", "command": this_guard("claude"), "timeout": 30}]}
        ]}})
    );
    assert!(sb.backups(&path).is_empty(), "nothing existed to back up");
}

#[test]
fn existing_settings_and_other_hooks_are_kept_and_a_backup_made() {
    let sb = Sandbox::new();
    let path = sb.home.join(".gemini/settings.json");
    let old = r#"{
  "theme": "Dracula",
  "hooks": {
    "BeforeTool": [
      {"matcher": "write_file", "hooks": [{"type": "command", "command": "./lint.sh"}]}
    ],
    "SessionStart": [{"hooks": [{"type": "command", "command": "./hello.sh"}]}]
  }
}
"#;
    sb.write(&path, old);
    ok(&sb.guard(&["install", "gemini"]));
    let v = json_file(&path);
    assert_eq!(v["theme"], "Dracula");
    assert_eq!(v["hooks"]["SessionStart"][0]["hooks"][0]["command"], "./hello.sh");
    assert_eq!(v["hooks"]["BeforeTool"][0]["hooks"][0]["command"], "./lint.sh");
    assert_eq!(
        v["hooks"]["BeforeTool"][1],
        json!({"matcher": "run_shell_command", "hooks": [
            {"name": "guard", "type": "command", "command": this_guard("gemini"), "timeout": 30000}
        ]})
    );
    let backups = sb.backups(&path);
    assert_eq!(backups.len(), 1, "{backups:?}");
    assert_eq!(std::fs::read_to_string(&backups[0]).unwrap(), old);
}

#[test]
fn installing_twice_changes_nothing() {
    let sb = Sandbox::new();
    for (host, file) in [
        ("claude", ".claude/settings.json"),
        ("codex", ".codex/config.toml"),
        ("gemini", ".gemini/settings.json"),
        ("cursor", ".cursor/hooks.json"),
    ] {
        let path = sb.home.join(file);
        ok(&sb.guard(&["install", host]));
        let first = std::fs::read(&path).unwrap();
        let report = ok(&sb.guard(&["install", host]));
        assert!(report.contains("already"), "{host}: {report}");
        assert_eq!(std::fs::read(&path).unwrap(), first, "{host}");
        assert!(sb.backups(&path).is_empty(), "{host}: no write, no backup");
        // The project's entry names `guard` from PATH, and counts as installed too.
        ok(&sb.guard(&["install", host, "--project"]));
        let project_file = sb.project.join(file);
        let before = std::fs::read(&project_file).unwrap();
        assert!(ok(&sb.guard(&["install", host, "--project"])).contains("already"));
        assert_eq!(std::fs::read(&project_file).unwrap(), before);
    }
}

#[test]
fn invalid_settings_are_left_alone_with_a_clear_error() {
    let sb = Sandbox::new();
    let path = sb.project.join(".claude/settings.json");
    let broken = "{\"permissions\": {\"allow\": [\"Bash(ls)\"],}\n";
    sb.write(&path, broken);
    let out = sb.guard(&["install", "claude", "--project"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("is not valid JSON") && err.contains("changed nothing"), "{err}");
    assert!(err.contains("guard install claude --project --print"), "{err}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), broken);
    assert!(sb.backups(&path).is_empty());

    let toml = sb.home.join(".codex/config.toml");
    sb.write(&toml, "model = \n");
    let out = sb.guard(&["install", "codex"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is not valid TOML"));
    assert_eq!(std::fs::read_to_string(&toml).unwrap(), "model = \n");
}

#[test]
fn codex_toml_keeps_comments_and_layout() {
    let sb = Sandbox::new();
    let path = sb.home.join(".codex/config.toml");
    let old = "# personal settings\nmodel = \"gpt-5-codex\"  # the default\n\n[projects.\"/src/app\"]\ntrust_level = \"trusted\"\n";
    sb.write(&path, old);
    let said = ok(&sb.guard(&["install", "codex"]));
    assert!(said.contains("review guard's hook") && said.contains("`codex exec` included"), "{said}");
    let again = ok(&sb.guard(&["install", "codex"]));
    assert!(again.contains("already in") && again.contains("open `/hooks`"), "{again}");
    let new = std::fs::read_to_string(&path).unwrap();
    let want = format!(
        "{old}\n[[hooks.PreToolUse]]\nmatcher = \"^Bash$\"\n\n[[hooks.PreToolUse.hooks]]\ntype = \"command\"\ncommand = {}\ntimeout = 30\n",
        toml_string(&this_guard("codex"))
    );
    assert_eq!(new, want);
    assert_eq!(std::fs::read_to_string(&sb.backups(&path)[0]).unwrap(), old);
}

/// `s` as a TOML basic string.
fn toml_string(s: &str) -> String {
    serde_json::to_string(s).unwrap()
}

#[test]
fn codex_hooks_json_is_used_when_it_is_already_there() {
    let sb = Sandbox::new();
    let dir = sb.project.join(".codex");
    sb.write(&dir.join("hooks.json"), "{\"hooks\": {\"Stop\": []}}\n");
    ok(&sb.guard(&["install", "codex", "--project"]));
    assert!(!dir.join("config.toml").exists());
    let v = json_file(&dir.join("hooks.json"));
    assert_eq!(v["hooks"]["Stop"], json!([]));
    assert_eq!(v["hooks"]["PreToolUse"][0]["hooks"][0]["command"], "guard hook codex");
}

#[test]
fn dry_run_shows_the_change_and_writes_nothing() {
    let sb = Sandbox::new();
    let path = sb.project.join(".cursor/hooks.json");
    let out = ok(&sb.guard(&["install", "cursor", "--project", "--dry-run"]));
    assert!(out.contains("+++ ") && out.contains("+    \"beforeShellExecution\": ["), "{out}");
    assert!(out.contains("dry run"), "{out}");
    assert!(!path.exists());
    assert!(!sb.project.join(".cursor").exists());

    sb.write(&path, "{\"version\": 1, \"hooks\": {}}\n");
    let out = ok(&sb.guard(&["install", "cursor", "--project", "--dry-run"]));
    assert!(out.contains("-{\"version\": 1, \"hooks\": {}}"), "{out}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "{\"version\": 1, \"hooks\": {}}\n");
    assert!(sb.backups(&path).is_empty());
}

#[test]
fn print_gives_the_entry_for_manual_setup() {
    let sb = Sandbox::new();
    let out = ok(&sb.guard(&["install", "--print", "cursor", "--project"]));
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v, json!({"version": 1, "hooks": {"beforeShellExecution": [{"command": "guard hook cursor"}]}}));
    let out = ok(&sb.guard(&["install", "--print", "codex"]));
    assert!(out.starts_with("[[hooks.PreToolUse]]\n"), "{out}");
    assert!(out.contains(&toml_string(&this_guard("codex"))), "{out}");
    assert!(!sb.home.join(".codex").exists(), "--print writes nothing");
}

#[cfg(unix)]
#[test]
fn a_symlinked_settings_file_stays_a_symlink() {
    let sb = Sandbox::new();
    let real = sb.home.join("dotfiles/claude-settings.json");
    sb.write(&real, "{\"model\": \"sonnet\"}\n");
    let link = sb.home.join(".claude/settings.json");
    std::fs::create_dir_all(link.parent().unwrap()).unwrap();
    std::os::unix::fs::symlink(&real, &link).unwrap();
    ok(&sb.guard(&["install", "claude"]));
    assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
    let v = json_file(&real);
    assert_eq!(v["model"], "sonnet");
    assert_eq!(v["hooks"]["PreToolUse"][0]["matcher"], "Bash|Monitor");
    assert_eq!(sb.backups(&real).len(), 1);
}

#[test]
fn an_empty_settings_file_is_filled() {
    let sb = Sandbox::new();
    let path = sb.home.join(".cursor/hooks.json");
    sb.write(&path, "");
    ok(&sb.guard(&["install", "cursor"]));
    assert_eq!(
        json_file(&path),
        json!({"version": 1, "hooks": {"beforeShellExecution": [{"command": this_guard("cursor")}]}})
    );
    assert_eq!(std::fs::read_to_string(&sb.backups(&path)[0]).unwrap(), "");
}

/// The README's manual snippets are exactly what `--print` gives for a project.
#[test]
fn the_readme_snippets_are_the_printed_entries() {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let blocks = |lang: &str| -> Vec<String> {
        let fence = format!("```{lang}\n");
        readme.split(&fence).skip(1).map(|b| b.split("```").next().unwrap().to_string()).collect()
    };
    let json_blocks: Vec<Value> = blocks("json").iter().filter_map(|b| serde_json::from_str(b).ok()).collect();
    let sb = Sandbox::new();
    for host in ["claude", "gemini", "cursor"] {
        let printed: Value = serde_json::from_str(&ok(&sb.guard(&["install", host, "--project", "--print"]))).unwrap();
        assert!(json_blocks.contains(&printed), "README lacks the {host} entry: {printed}");
    }
    let printed = ok(&sb.guard(&["install", "codex", "--project", "--print"]));
    assert!(blocks("toml").contains(&printed), "README lacks the codex entry:\n{printed}");
}
