//! Hook entries in JSON settings: Claude Code's and Gemini CLI's `settings.json`, Cursor's and
//! Codex's `hooks.json`. Keys keep their order and the file keeps its indentation; everything
//! else in it, other hooks included, is left as it was.

use serde_json::{json, Map, Value};

use super::is_guard_command;
use crate::integrate::hooks::Host;

/// How long a host waits for the hook before giving up (Claude Code and Codex count seconds,
/// Gemini CLI milliseconds). Judging takes milliseconds; the margin covers a cold start.
const TIMEOUT_SECONDS: u64 = 30;

/// The event guard hooks and the entry that goes in its list.
fn entry(host: Host, command: &str) -> (&'static str, Value) {
    match host {
        Host::Claude => (
            "PreToolUse",
            json!({"matcher": "Bash|Monitor", "hooks": [{"type": "command", "command": command, "timeout": TIMEOUT_SECONDS}]}),
        ),
        Host::Codex => (
            "PreToolUse",
            json!({"matcher": "^Bash$", "hooks": [{"type": "command", "command": command, "timeout": TIMEOUT_SECONDS}]}),
        ),
        Host::Gemini => (
            "BeforeTool",
            json!({"matcher": "run_shell_command", "hooks": [
                {"name": "guard", "type": "command", "command": command, "timeout": TIMEOUT_SECONDS * 1000}
            ]}),
        ),
        Host::Cursor => ("beforeShellExecution", json!({"command": command})),
    }
}

/// `old` (the file's text, if any) with guard's hook added, or `None` when it is already there.
pub fn edit(host: Host, old: Option<&str>, command: &str) -> Result<Option<String>, String> {
    let text = old.unwrap_or("");
    let mut root: Value = if text.trim().is_empty() {
        Value::Object(Map::new())
    } else {
        serde_json::from_str(text).map_err(|e| format!("is not valid JSON ({e})"))?
    };
    let obj = root.as_object_mut().ok_or("does not hold a JSON object")?;
    if host == Host::Cursor && !obj.contains_key("version") {
        obj.insert("version".into(), json!(1));
    }
    let hooks = obj.entry("hooks").or_insert_with(|| json!({}));
    let hooks = hooks.as_object_mut().ok_or("has a `hooks` entry that is not an object")?;
    let (event, new) = entry(host, command);
    let list = hooks.entry(event).or_insert_with(|| json!([]));
    let list = list.as_array_mut().ok_or_else(|| format!("has a `hooks.{event}` entry that is not a list"))?;
    if list.iter().any(|e| holds_guard(e, host)) {
        return Ok(None);
    }
    list.push(new);
    Ok(Some(render(&root, &indent_of(text))))
}

/// The part of the settings to merge by hand.
pub fn snippet(host: Host, command: &str) -> String {
    let (event, new) = entry(host, command);
    let mut root = json!({"hooks": {event: [new]}});
    if host == Host::Cursor {
        root = json!({"version": 1, "hooks": root["hooks"].take()});
    }
    render(&root, b"  ")
}

/// Whether a hook entry (a matcher group or, for Cursor, a single hook) runs guard's hook.
fn holds_guard(entry: &Value, host: Host) -> bool {
    let runs = |h: &Value| h.get("command").and_then(Value::as_str).is_some_and(|c| is_guard_command(c, host));
    runs(entry) || entry.get("hooks").and_then(Value::as_array).is_some_and(|hs| hs.iter().any(runs))
}

/// The indentation of the first indented line, so a rewrite looks like the original.
fn indent_of(text: &str) -> Vec<u8> {
    text.lines()
        .map(|l| &l[..l.len() - l.trim_start().len()])
        .find(|ws| !ws.is_empty())
        .map(|ws| ws.as_bytes().to_vec())
        .unwrap_or_else(|| b"  ".to_vec())
}

fn render(v: &Value, indent: &[u8]) -> String {
    let mut out = Vec::new();
    let mut ser =
        serde_json::Serializer::with_formatter(&mut out, serde_json::ser::PrettyFormatter::with_indent(indent));
    serde::Serialize::serialize(v, &mut ser).expect("JSON values serialise");
    out.push(b'\n');
    String::from_utf8(out).expect("serde_json writes UTF-8")
}

#[cfg(test)]
mod tests {
    use super::*;

    const CMD: &str = "guard hook claude";

    fn parsed(s: &str) -> Value {
        serde_json::from_str(s).unwrap()
    }

    #[test]
    fn adds_to_an_empty_or_missing_file() {
        for old in [None, Some(""), Some("  \n")] {
            let new = edit(Host::Claude, old, CMD).unwrap().unwrap();
            assert_eq!(
                parsed(&new),
                json!({"hooks": {"PreToolUse": [
                    {"matcher": "Bash|Monitor", "hooks": [{"type": "command", "command": CMD, "timeout": 30}]}
                ]}})
            );
        }
    }

    #[test]
    fn keeps_other_settings_other_hooks_key_order_and_indentation() {
        let old = "{\n    \"model\": \"opus\",\n    \"hooks\": {\n        \"PreToolUse\": [\n            {\"matcher\": \"Edit\", \"hooks\": [{\"type\": \"command\", \"command\": \"fmt\"}]}\n        ],\n        \"Stop\": []\n    },\n    \"env\": {\"A\": \"1\"}\n}\n";
        let new = edit(Host::Claude, Some(old), CMD).unwrap().unwrap();
        let v = parsed(&new);
        assert_eq!(v["model"], "opus");
        assert_eq!(v["env"], json!({"A": "1"}));
        assert_eq!(v["hooks"]["Stop"], json!([]));
        assert_eq!(v["hooks"]["PreToolUse"][0]["hooks"][0]["command"], "fmt");
        assert_eq!(v["hooks"]["PreToolUse"][1]["hooks"][0]["command"], CMD);
        let keys: Vec<&String> = v.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["model", "hooks", "env"]);
        assert!(new.starts_with("{\n    \"model\""), "{new}");
    }

    #[test]
    fn already_installed_changes_nothing() {
        for host in [Host::Claude, Host::Codex, Host::Gemini, Host::Cursor] {
            let command = format!("/usr/local/bin/guard hook {}", host.name());
            let once = edit(host, None, &command).unwrap().unwrap();
            assert_eq!(edit(host, Some(&once), &command).unwrap(), None, "{host:?}");
            // Another path to guard counts too: no second entry.
            assert_eq!(edit(host, Some(&once), &format!("guard hook {}", host.name())).unwrap(), None, "{host:?}");
        }
    }

    #[test]
    fn entry_shapes_per_host() {
        let v = parsed(&edit(Host::Gemini, None, "guard hook gemini").unwrap().unwrap());
        assert_eq!(
            v,
            json!({"hooks": {"BeforeTool": [{"matcher": "run_shell_command", "hooks": [
                {"name": "guard", "type": "command", "command": "guard hook gemini", "timeout": 30000}
            ]}]}})
        );
        let v = parsed(&edit(Host::Cursor, None, "guard hook cursor").unwrap().unwrap());
        assert_eq!(v, json!({"version": 1, "hooks": {"beforeShellExecution": [{"command": "guard hook cursor"}]}}));
        let v =
            parsed(&edit(Host::Cursor, Some(r#"{"version": 2, "hooks": {}}"#), "guard hook cursor").unwrap().unwrap());
        assert_eq!(v["version"], 2);
        assert_eq!(
            parsed(&snippet(Host::Cursor, "guard hook cursor")),
            json!({"version": 1, "hooks": {"beforeShellExecution": [{"command": "guard hook cursor"}]}})
        );
    }

    #[test]
    fn refuses_what_it_cannot_edit_safely() {
        let table: &[(&str, &str)] = &[
            ("{\"hooks\": ", "is not valid JSON"),
            ("// comment\n{}", "is not valid JSON"),
            ("[1, 2]", "does not hold a JSON object"),
            ("{\"hooks\": []}", "`hooks` entry that is not an object"),
            ("{\"hooks\": {\"PreToolUse\": {}}}", "`hooks.PreToolUse` entry that is not a list"),
        ];
        for (old, want) in table {
            let err = edit(Host::Claude, Some(old), CMD).unwrap_err();
            assert!(err.contains(want), "{old:?}: {err}");
        }
    }
}
