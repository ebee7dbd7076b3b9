//! Whether Codex runs guard's hook. Codex runs a hook only once a person has reviewed it in its
//! TUI (`/hooks`); until then `codex exec` runs every command with no hook at all. Codex records
//! a review in the user's `config.toml` (`$CODEX_HOME/config.toml`):
//!
//! ```toml
//! [hooks.state."/home/u/.codex/config.toml:pre_tool_use:0:0"]
//! trusted_hash = "sha256:178d2f75…"
//! ```
//!
//! The key is the file the hook is in, the event, the group's and the handler's positions; the
//! hash is SHA-256 over the hook's normalised entry as compact JSON with sorted keys
//! (`command_hook_hash` and `version_for_toml` in Codex 0.171). A hash that differs means the
//! entry changed since its review, which Codex treats as not reviewed; `enabled = false` turns
//! it off. Pure: settings texts in, findings out.

use std::path::Path;

use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

/// One guard hook in a Codex hooks file, as Codex identifies it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hook {
    /// `FILE:EVENT:GROUP:HANDLER`, the key of its review in `[hooks.state]`.
    pub key: String,
    /// The hash Codex gives the entry; `None` when the entry holds more than guard knows how to
    /// hash (a status message, another handler field), so only its review's presence is known.
    pub hash: Option<String>,
}

/// What Codex's record says of one hook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Trust {
    /// Reviewed, and unchanged since: Codex runs it.
    Trusted,
    /// Reviewed; guard cannot tell whether the entry changed since.
    Reviewed,
    /// Never reviewed: Codex does not run it.
    Untrusted,
    /// Changed since its review: Codex does not run it until it is reviewed again.
    Modified,
    /// Turned off (`enabled = false`).
    Disabled,
}

/// Codex's name for an event in hook keys; the events guard hooks.
fn event_label(event: &str) -> Option<&'static str> {
    match event {
        "PreToolUse" => Some("pre_tool_use"),
        "PermissionRequest" => Some("permission_request"),
        _ => None,
    }
}

/// guard's hooks (those `is_guard` says run guard) in a Codex hooks file at `path`: `config.toml`
/// (its `[hooks]` table) or `hooks.json` (its `"hooks"` object).
pub fn guard_hooks(path: &Path, text: &str, is_guard: impl Fn(&str) -> bool) -> Result<Vec<Hook>, String> {
    let events = if path.extension().is_some_and(|e| e == "toml") {
        let doc: toml_edit::DocumentMut =
            text.parse().map_err(|e: toml_edit::TomlError| format!("not valid TOML ({})", e.message()))?;
        let Some(hooks) = doc.get("hooks") else { return Ok(Vec::new()) };
        toml_to_json(hooks.clone().into_value().map_err(|_| "a `hooks` entry that is not a table".to_string())?)
    } else {
        let v: Value = serde_json::from_str(text).map_err(|e| format!("not valid JSON ({e})"))?;
        v.get("hooks").cloned().unwrap_or(Value::Null)
    };
    let mut out = Vec::new();
    let Value::Object(events) = events else { return Ok(out) };
    for (event, groups) in &events {
        let Some(label) = event_label(event) else { continue };
        for (g, group) in groups.as_array().into_iter().flatten().enumerate() {
            for (h, handler) in group.get("hooks").and_then(Value::as_array).into_iter().flatten().enumerate() {
                let command = handler.get("command").and_then(Value::as_str).unwrap_or_default();
                if !is_guard(command) {
                    continue;
                }
                let key = format!("{}:{label}:{g}:{h}", path.display());
                out.push(Hook { key, hash: hash(label, group.get("matcher"), handler) });
            }
        }
    }
    Ok(out)
}

/// The hash Codex gives a command handler: its identity `{event_name, matcher, hooks: [handler]}`,
/// the handler normalised (`timeout` defaulting to 600 and at least 1, `async` defaulting to
/// false), as compact JSON with sorted keys.
fn hash(label: &str, matcher: Option<&Value>, handler: &Value) -> Option<String> {
    let known = ["type", "command", "timeout", "async"];
    let fields = handler.as_object()?;
    if fields.keys().any(|k| !known.contains(&k.as_str())) || fields.get("type")? != "command" {
        return None;
    }
    let timeout = match fields.get("timeout") {
        None => 600,
        Some(t) => t.as_u64()?.max(1),
    };
    let is_async = match fields.get("async") {
        None => false,
        Some(a) => a.as_bool()?,
    };
    // Keys inserted in sorted order: serde_json keeps insertion order here.
    let mut h = Map::new();
    h.insert("async".into(), Value::Bool(is_async));
    h.insert("command".into(), fields.get("command")?.clone());
    h.insert("timeout".into(), Value::from(timeout));
    h.insert("type".into(), Value::from("command"));
    let mut identity = Map::new();
    identity.insert("event_name".into(), Value::from(label));
    identity.insert("hooks".into(), Value::Array(vec![Value::Object(h)]));
    match matcher {
        None => {}
        // Codex reads these as "every tool", which guard does not reproduce.
        Some(Value::String(m)) if !m.is_empty() && m != "*" => {
            identity.insert("matcher".into(), Value::from(m.as_str()));
        }
        Some(_) => return None,
    }
    let digest = Sha256::digest(Value::Object(identity).to_string().as_bytes());
    Some(format!("sha256:{}", crate::audit::entry::hex(&digest)))
}

/// What the user's `config.toml` (`None`: there is none) records of `hook`.
pub fn trust(hook: &Hook, user_config: Option<&str>) -> Result<Trust, String> {
    let doc: Option<toml_edit::DocumentMut> = user_config
        .map(|t| t.parse().map_err(|e: toml_edit::TomlError| format!("not valid TOML ({})", e.message())))
        .transpose()?;
    // Codex trims the key it reads.
    let state = doc.as_ref().and_then(|d| {
        let states = d.get("hooks")?.get("state")?.as_table_like()?;
        states.iter().find(|(k, _)| k.trim() == hook.key).map(|(_, v)| v.clone())
    });
    let field = |name: &str| state.as_ref().and_then(|s| s.get(name)).and_then(|v| v.as_value().cloned());
    if field("enabled").and_then(|v| v.as_bool()) == Some(false) {
        return Ok(Trust::Disabled);
    }
    Ok(match (field("trusted_hash").as_ref().and_then(|v| v.as_str()), &hook.hash) {
        (None, _) => Trust::Untrusted,
        (Some(t), Some(h)) if t == h => Trust::Trusted,
        (Some(_), Some(_)) => Trust::Modified,
        (Some(_), None) => Trust::Reviewed,
    })
}

/// A TOML value as JSON (what Codex hashes goes through the same conversion).
fn toml_to_json(v: toml_edit::Value) -> Value {
    use toml_edit::Value as T;
    match v {
        T::String(s) => Value::from(s.into_value()),
        T::Integer(i) => Value::from(i.into_value()),
        T::Float(f) => serde_json::Number::from_f64(f.into_value()).map_or(Value::Null, Value::Number),
        T::Boolean(b) => Value::from(b.into_value()),
        T::Datetime(d) => Value::from(d.into_value().to_string()),
        T::Array(a) => Value::Array(a.into_iter().map(toml_to_json).collect()),
        T::InlineTable(t) => Value::Object(t.into_iter().map(|(k, v)| (k.to_string(), toml_to_json(v))).collect()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn is_guard(c: &str) -> bool {
        crate::integrate::install::is_guard_command(c, crate::integrate::hooks::Host::Codex)
    }

    /// Keys and hashes as Codex 0.171.0 reports them (`codex app-server`, `hooks/list`) for
    /// these very files: what `guard install codex` writes, and a `hooks.json` with guard's hook
    /// second in its group.
    #[test]
    fn keys_and_hashes_are_codexs_own() {
        let toml = "[[hooks.PreToolUse]]\nmatcher = \"^Bash$\"\n\n[[hooks.PreToolUse.hooks]]\ntype = \"command\"\n\
                    command = \"/usr/local/bin/guard hook codex\"\ntimeout = 30\n";
        let hooks = guard_hooks(Path::new("/tmp/cxhome/config.toml"), toml, is_guard).unwrap();
        assert_eq!(
            hooks,
            [Hook {
                key: "/tmp/cxhome/config.toml:pre_tool_use:0:0".into(),
                hash: Some("sha256:178d2f75fc2eda33cb757480a0bac87dd0be0be10484608c0118e784bd038329".into()),
            }]
        );
        let json = r#"{"hooks":{"PreToolUse":[{"matcher":"Read","hooks":[{"type":"command","command":"x"}]},
            {"matcher":"^Bash$","hooks":[{"type":"command","command":"echo a"},
            {"type":"command","command":"guard hook codex","timeout":5}]}]}}"#;
        let hooks = guard_hooks(Path::new("/tmp/cxhome2/hooks.json"), json, is_guard).unwrap();
        assert_eq!(
            hooks,
            [Hook {
                key: "/tmp/cxhome2/hooks.json:pre_tool_use:1:1".into(),
                hash: Some("sha256:c9d461b305f3ce23cd35274bb145762b5b8f46b2702b9505f5637aa283066ea0".into()),
            }]
        );
        // Another handler, with Codex's defaults (timeout 600, not async).
        let other = r#"{"matcher":"Read","hooks":[{"type":"command","command":"x"}]}"#;
        let other: Value = serde_json::from_str(other).unwrap();
        assert_eq!(
            hash("pre_tool_use", other.get("matcher"), &other["hooks"][0]).as_deref(),
            Some("sha256:81321dbe17adf36f8984847cc89a32ff89cbf0cd7fd950595529375aae88845a")
        );
    }

    #[test]
    fn entries_guard_cannot_hash_are_only_looked_up() {
        for handler in [
            r#"{"type":"command","command":"guard hook codex","statusMessage":"checking"}"#,
            r#"{"type":"command","command":"guard hook codex","timeout":"30"}"#,
        ] {
            let v: Value = serde_json::from_str(handler).unwrap();
            assert_eq!(hash("pre_tool_use", Some(&Value::from("^Bash$")), &v), None, "{handler}");
        }
        let v: Value = serde_json::from_str(r#"{"type":"command","command":"guard hook codex"}"#).unwrap();
        assert_eq!(hash("pre_tool_use", Some(&Value::from("*")), &v), None);
        assert!(hash("pre_tool_use", None, &v).is_some());
    }

    #[test]
    fn what_codexs_record_says() {
        let hook = Hook { key: "/h/.codex/config.toml:pre_tool_use:0:0".into(), hash: Some("sha256:aa".into()) };
        let state = |body: &str| {
            format!("model = \"o3\"\n\n[hooks.state.\"/h/.codex/config.toml:pre_tool_use:0:0\"]\n{body}\n")
        };
        let table: &[(Option<String>, Trust)] = &[
            (None, Trust::Untrusted),
            (Some("model = \"o3\"\n".into()), Trust::Untrusted),
            (Some(state("trusted_hash = \"sha256:aa\"")), Trust::Trusted),
            (Some(state("trusted_hash = \"sha256:bb\"")), Trust::Modified),
            (Some(state("trusted_hash = \"sha256:aa\"\nenabled = false")), Trust::Disabled),
            (Some(state("enabled = true")), Trust::Untrusted),
            // Another hook's review is not this one's.
            (Some(state("trusted_hash = \"sha256:aa\"").replace(":0:0", ":1:0")), Trust::Untrusted),
        ];
        for (config, want) in table {
            assert_eq!(trust(&hook, config.as_deref()), Ok(want.clone()), "{config:?}");
        }
        let unhashed = Hook { hash: None, ..hook.clone() };
        assert_eq!(trust(&unhashed, Some(&state("trusted_hash = \"sha256:aa\""))), Ok(Trust::Reviewed));
        assert!(trust(&hook, Some("[[")).is_err());
    }

    #[test]
    fn only_guards_hooks_on_the_events_it_answers() {
        let toml = "[[hooks.SessionStart]]\n[[hooks.SessionStart.hooks]]\ntype = \"command\"\ncommand = \"guard hook codex\"\n\n\
                    [[hooks.PermissionRequest]]\nmatcher = \"^Bash$\"\n[[hooks.PermissionRequest.hooks]]\ntype = \"command\"\n\
                    command = \"echo hi\"\n[[hooks.PermissionRequest.hooks]]\ntype = \"command\"\ncommand = \"guard hook codex\"\n";
        let hooks = guard_hooks(Path::new("/c/config.toml"), toml, is_guard).unwrap();
        assert_eq!(hooks.iter().map(|h| h.key.as_str()).collect::<Vec<_>>(), ["/c/config.toml:permission_request:0:1"]);
        assert_eq!(guard_hooks(Path::new("/c/config.toml"), "model = \"o3\"\n", is_guard), Ok(Vec::new()));
        assert!(guard_hooks(Path::new("/c/hooks.json"), "{", is_guard).is_err());
    }
}
