//! The `guard` binary as a user runs it: `explain`, completions, and the man page.

#![allow(clippy::unwrap_used)] // a test fails loudly on what it did not expect

use std::path::Path;
use std::process::Command;

fn guard() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_guard"));
    let home = std::env::temp_dir().join("guard-cli-test-home");
    std::fs::create_dir_all(&home).unwrap();
    c.env("HOME", &home)
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("XDG_STATE_HOME", home.join(".local/state"))
        .current_dir(&home);
    c
}

#[test]
fn man_pages_match_the_cli_definitions_and_name_only_pages_that_exist() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("man");
    let fresh = guard::cli::man_pages();
    if std::env::var_os("GUARD_UPDATE_MAN").is_some() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            std::fs::remove_file(entry.unwrap().path()).unwrap();
        }
        for (name, text) in &fresh {
            std::fs::write(dir.join(name), text).unwrap();
        }
    }
    let stale = "run `GUARD_UPDATE_MAN=1 cargo test --test cli man_pages` and commit man/";
    let mut committed: Vec<String> =
        std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    committed.sort();
    let names: Vec<String> = fresh.iter().map(|(n, _)| n.clone()).collect();
    assert_eq!(committed, names, "man/ holds other pages than the CLI defines: {stale}");
    for (name, text) in &fresh {
        assert!(std::fs::read(dir.join(name)).unwrap_or_default() == *text, "man/{name} is stale: {stale}");
        // Every guard page a page names (`guard\-check(1)`) is there.
        let text = String::from_utf8_lossy(text).replace("\\-", "-");
        for (at, _) in text.match_indices("(1)") {
            let start = text[..at].rfind(|c: char| !(c.is_alphanumeric() || c == '-')).map_or(0, |i| i + 1);
            let page = &text[start..at];
            if page.starts_with("guard") {
                assert!(names.contains(&format!("{page}.1")), "man/{name} names {page}(1), which does not exist");
            }
        }
    }
}

#[test]
fn completions_are_generated_for_each_shell() {
    for (shell, marker) in [("bash", "complete -F"), ("zsh", "#compdef guard"), ("fish", "complete -c guard")] {
        let out = guard().args(["completions", shell]).output().unwrap();
        assert!(out.status.success(), "{shell}: {}", String::from_utf8_lossy(&out.stderr));
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(text.contains(marker), "{shell} completion lacks {marker:?}");
        assert!(text.contains("explain"), "{shell} completion lacks the explain subcommand");
    }
}

#[test]
fn explain_shows_the_command_hidden_behind_a_wrapper_and_nested_shell() {
    let out = guard().args(["explain", "sudo bash -c 'r\"m\" -rf /tmp/x'"]).output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("#2  rm -rf /tmp/x"), "{text}");
    assert!(text.contains("run by sudo › bash -c"), "{text}");
}

#[test]
fn explain_json_is_the_plan() {
    let out = guard().args(["explain", "--json", "a=rm; $a -rf \"$DIR\"/*"]).output().unwrap();
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let inv = &v["invocations"][0];
    assert_eq!(inv["program"]["value"]["literal"], "rm");
    let parts = &inv["args"][1]["value"]["dynamic"];
    assert_eq!(parts[0]["unknown"]["what"], "$DIR");
    assert_eq!(parts[1]["text"], "/*");
    assert_eq!(inv["args"][1]["glob"], true);
}

#[test]
fn explain_reads_a_script_file_and_stdin() {
    let dir = std::env::temp_dir().join(format!("guard-cli-script-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let script = dir.join("s.sh");
    std::fs::write(&script, "cd /tmp\nfind . -name '*.o' -delete\n").unwrap();
    let out = guard().args(["explain", "--file"]).arg(&script).output().unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("find . -name '*.o' -delete"));

    let mut child = guard()
        .args(["explain", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child.stdin.take().unwrap().write_all(b"echo hi | xargs rm").unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("rm hi"));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn explain_of_a_missing_file_says_what_to_do() {
    let out = guard().args(["explain", "--file", "/nonexistent/guard-script.sh"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("cannot read /nonexistent/guard-script.sh") && err.contains("check the path"), "{err}");
}
