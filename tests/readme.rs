//! The README's examples, run as written: the policy file it shows loads without a problem and
//! its examples pass, and every transcript marked `<!-- readme-test: run … -->` (a ```text block
//! of `$ command` lines, each followed by what it prints) prints exactly that. Each runs with
//! `sh -c`, the guard under test first on PATH, and HOME, the XDG directories and the working
//! directory in a fresh temporary directory; the home's path is shown as `~`. The commands that
//! install or change the machine (`cargo install`, `guard install`, crontab lines) are not run;
//! the install line is checked to build from `Cargo.lock`.

#![allow(clippy::unwrap_used)] // a test fails loudly on what it did not expect

use std::io::Write as _;
use std::path::Path;
use std::process::Command;

const GUARD: &str = env!("CARGO_BIN_EXE_guard");

fn readme() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap()
}

/// The fenced blocks that follow `<!-- readme-test: KIND… -->`, as (the words after the colon,
/// the block's text).
fn marked(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find("<!-- readme-test:") {
        rest = &rest[at + "<!-- readme-test:".len()..];
        let end = rest.find("-->").unwrap();
        let kind = rest[..end].trim().to_string();
        let fence = rest.find("```").unwrap();
        let body_start = fence + rest[fence..].find('\n').unwrap() + 1;
        let close = body_start + rest[body_start..].find("```").unwrap();
        // Up to the closing fence's line, whose indentation is not the block's.
        let body_end = rest[..close].rfind('\n').map_or(close, |i| i + 1).max(body_start);
        // A block in a list item is indented as its fence is.
        let indent = fence - rest[..fence].rfind('\n').map_or(0, |i| i + 1);
        let body: String = rest[body_start..body_end]
            .lines()
            .map(|l| format!("{}\n", l.get(indent..).unwrap_or(l.trim_start())))
            .collect();
        out.push((kind, body));
        rest = &rest[close..];
    }
    out
}

fn block(blocks: &[(String, String)], kind: &str) -> String {
    blocks.iter().find(|(k, _)| k == kind).unwrap_or_else(|| panic!("no block marked {kind}")).1.clone()
}

fn on_path(program: &str) -> bool {
    std::env::var_os("PATH").is_some_and(|p| std::env::split_paths(&p).any(|d| d.join(program).is_file()))
}

/// `text` as one word for `sh`.
fn quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

/// A transcript's commands and what each prints.
fn steps(transcript: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for line in transcript.lines() {
        match line.strip_prefix("$ ") {
            Some(cmd) => out.push((cmd.to_string(), String::new())),
            None => {
                let (_, expected) = out.last_mut().expect("a transcript starts with a command");
                expected.push_str(line);
                expected.push('\n');
            }
        }
    }
    out
}

#[test]
fn the_readme_s_transcripts_print_what_it_says() {
    let text = readme();
    let blocks = marked(&text);
    let runs: Vec<&(String, String)> = blocks.iter().filter(|(k, _)| k.starts_with("run")).collect();
    assert!(runs.len() >= 3, "the README's transcripts are marked for this test");
    for (kind, transcript) in runs {
        let tmp = tempfile::tempdir().unwrap();
        let home = tmp.path().join("home");
        let work = home.join("work");
        let bin = tmp.path().join("bin");
        for d in [&work, &home.join(".config/guard"), &bin] {
            std::fs::create_dir_all(d).unwrap();
        }
        std::os::unix::fs::symlink(GUARD, bin.join("guard")).unwrap();
        if kind.contains("with-policy") {
            std::fs::write(home.join(".config/guard/mine.yaml"), block(&blocks, "policy")).unwrap();
        }
        if kind.contains("with-broken-policy") {
            std::fs::write(work.join("broken.yaml"), block(&blocks, "broken")).unwrap();
        }
        // A person at a terminal: `script` gives the command one.
        let tty = kind.contains("at-a-terminal");
        if tty && !on_path("script") {
            let _ = writeln!(
                std::io::stderr(),
                "SKIPPED: `script` is not installed; the README's terminal transcript did not run"
            );
            continue;
        }
        for (cmd, expected) in steps(transcript) {
            let cmd = if tty { format!("script -qec {} /dev/null", quote(&cmd)) } else { cmd };
            let out = Command::new("sh")
                .arg("-c")
                .arg(format!("{cmd} 2>&1"))
                .env_clear()
                .env("PATH", format!("{}:/usr/bin:/bin", bin.display()))
                .env("HOME", &home)
                .env("XDG_CONFIG_HOME", home.join(".config"))
                .env("XDG_STATE_HOME", home.join(".local/state"))
                .current_dir(&work)
                .output()
                .unwrap();
            let got = String::from_utf8_lossy(&out.stdout).replace(home.to_str().unwrap(), "~").replace("\r\n", "\n");
            assert_eq!(got, expected, "README, `{cmd}` ({kind})");
        }
    }
}

#[test]
fn the_readme_s_policy_file_loads_and_its_examples_pass() {
    let blocks = marked(&readme());
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("config/guard");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("mine.yaml");
    std::fs::write(&file, block(&blocks, "policy")).unwrap();
    // Lint the file; test every rule in effect, its own among them.
    for (args, says) in
        [(vec!["lint", file.to_str().unwrap()], "1 file(s) checked, 0 problem(s)"), (vec!["test"], " 0 wrong")]
    {
        let out = Command::new(GUARD)
            .arg("rules")
            .args(&args)
            .env("HOME", tmp.path())
            .env("XDG_CONFIG_HOME", tmp.path().join("config"))
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        let problems = String::from_utf8_lossy(&out.stderr);
        assert!(
            out.status.success() && text.contains(says) && problems.is_empty(),
            "guard rules {args:?}: {text}{problems}"
        );
    }
}

#[test]
fn the_readme_installs_from_the_lock_file() {
    let text = readme();
    let installs: Vec<&str> = text.lines().filter(|l| l.trim_start().starts_with("cargo install")).collect();
    assert!(!installs.is_empty());
    for l in installs {
        assert!(l.contains("--locked"), "without --locked, cargo install ignores Cargo.lock: {l}");
    }
}

#[test]
fn every_rule_id_guard_prints_has_a_page() {
    // The checks in code, which findings name as rules, and a rule from a pack.
    for id in ["critical.breaker", "critical.fork-bomb", "guard.incomplete", "guard.nul-byte", "git.force-push"] {
        let out = Command::new(GUARD).args(["rules", "show", id]).env("HOME", "/nonexistent").output().unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success() && text.starts_with(id), "guard rules show {id}: {text}");
    }
    let out = Command::new(GUARD).args(["rules", "show", "critical.breaker"]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("rm -r") && text.contains("mkfs") && text.contains("guard once"), "{text}");
}

#[test]
fn help_leads_with_the_everyday_forms() {
    let out = Command::new(GUARD).arg("--help").output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let usage = text.find("Usage:").unwrap();
    for form in ["guard -c 'CMD'", "guard -- PROGRAM", "guard check 'CMD'", "guard explain 'CMD'", "guard once 'CMD'"] {
        assert!(text[..usage].contains(form), "`guard --help` does not lead with {form}:\n{text}");
    }
}
