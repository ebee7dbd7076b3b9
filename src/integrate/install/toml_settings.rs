//! Codex's hooks in `config.toml`: a `[[hooks.PreToolUse]]` matcher group with one
//! `[[hooks.PreToolUse.hooks]]` command. Edited with `toml_edit`, so the person's comments,
//! order and layout stay as they were.

use toml_edit::{value, ArrayOfTables, DocumentMut, InlineTable, Item, Table, Value};

use super::is_guard_command;
use crate::integrate::hooks::Host;

const EVENT: &str = "PreToolUse";
const MATCHER: &str = "^Bash$";
const TIMEOUT_SECONDS: i64 = 30;

/// `old` (the file's text, if any) with guard's hook added, or `None` when it is already there.
pub fn edit(host: Host, old: Option<&str>, command: &str) -> Result<Option<String>, String> {
    let mut doc: DocumentMut =
        old.unwrap_or("").parse().map_err(|e: toml_edit::TomlError| format!("is not valid TOML ({})", e.message()))?;
    let hooks = doc.entry("hooks").or_insert_with(|| {
        // `[[hooks.PreToolUse]]` alone, without an empty `[hooks]` header above it.
        let mut t = Table::new();
        t.set_implicit(true);
        Item::Table(t)
    });
    let hooks = hooks.as_table_like_mut().ok_or("has a `hooks` entry that is not a table")?;
    let groups = hooks.entry(EVENT).or_insert(Item::ArrayOfTables(ArrayOfTables::new()));
    match groups {
        Item::ArrayOfTables(groups) => {
            if groups.iter().any(|g| holds_guard(g.get("hooks"), host)) {
                return Ok(None);
            }
            groups.push(group(command));
        }
        Item::Value(Value::Array(groups)) => {
            let installed = groups
                .iter()
                .filter_map(Value::as_inline_table)
                .any(|g| g.get("hooks").is_some_and(|h| holds_guard_value(h, host)));
            if installed {
                return Ok(None);
            }
            groups.push(group(command).into_inline_table());
        }
        _ => return Err(format!("has a `hooks.{EVENT}` entry that is not a list of tables")),
    }
    Ok(Some(doc.to_string()))
}

/// The entry to add by hand.
pub fn snippet(command: &str) -> String {
    let mut doc = DocumentMut::new();
    let mut hooks = Table::new();
    hooks.set_implicit(true);
    let mut groups = ArrayOfTables::new();
    groups.push(group(command));
    hooks.insert(EVENT, Item::ArrayOfTables(groups));
    doc.insert("hooks", Item::Table(hooks));
    doc.to_string()
}

fn group(command: &str) -> Table {
    let mut hook = Table::new();
    hook["type"] = value("command");
    hook["command"] = value(command);
    hook["timeout"] = value(TIMEOUT_SECONDS);
    let mut hooks = ArrayOfTables::new();
    hooks.push(hook);
    let mut group = Table::new();
    group["matcher"] = value(MATCHER);
    group.insert("hooks", Item::ArrayOfTables(hooks));
    group
}

/// Whether a group's `hooks` (tables or inline tables) runs guard's hook.
fn holds_guard(hooks: Option<&Item>, host: Host) -> bool {
    match hooks {
        Some(Item::ArrayOfTables(hs)) => {
            hs.iter().any(|h| h.get("command").and_then(Item::as_str).is_some_and(|c| is_guard_command(c, host)))
        }
        Some(Item::Value(v)) => holds_guard_value(v, host),
        _ => false,
    }
}

fn holds_guard_value(hooks: &Value, host: Host) -> bool {
    let runs = |h: &InlineTable| h.get("command").and_then(Value::as_str).is_some_and(|c| is_guard_command(c, host));
    hooks.as_array().is_some_and(|hs| hs.iter().filter_map(Value::as_inline_table).any(runs))
}

#[cfg(test)]
mod tests {
    use super::*;

    const CMD: &str = "guard hook codex";

    #[test]
    fn adds_a_matcher_group_to_a_missing_or_empty_file() {
        let want = "[[hooks.PreToolUse]]\nmatcher = \"^Bash$\"\n\n[[hooks.PreToolUse.hooks]]\ntype = \"command\"\ncommand = \"guard hook codex\"\ntimeout = 30\n";
        assert_eq!(edit(Host::Codex, None, CMD).unwrap().unwrap(), want);
        assert_eq!(edit(Host::Codex, Some(""), CMD).unwrap().unwrap(), want);
        assert_eq!(snippet(CMD), want);
    }

    #[test]
    fn keeps_comments_settings_and_other_hooks() {
        let old = "# my settings\nmodel = \"o3\" # the best\n\n[[hooks.PreToolUse]]\nmatcher = \"apply_patch\"\n\n[[hooks.PreToolUse.hooks]]\ntype = \"command\"\ncommand = \"lint\"\n\n[sandbox]\nmode = \"workspace-write\"\n";
        let new = edit(Host::Codex, Some(old), CMD).unwrap().unwrap();
        assert!(new.starts_with("# my settings\nmodel = \"o3\" # the best\n"), "{new}");
        assert!(new.contains("[sandbox]\nmode = \"workspace-write\"\n"), "{new}");
        let doc: DocumentMut = new.parse().unwrap();
        let groups = doc["hooks"]["PreToolUse"].as_array_of_tables().unwrap();
        assert_eq!(groups.len(), 2);
        assert_eq!(groups.get(0).unwrap()["hooks"][0]["command"].as_str(), Some("lint"));
        assert_eq!(groups.get(1).unwrap()["matcher"].as_str(), Some(MATCHER));
        assert_eq!(groups.get(1).unwrap()["hooks"][0]["command"].as_str(), Some(CMD));
        assert_eq!(edit(Host::Codex, Some(&new), CMD).unwrap(), None, "a second run changes nothing");
    }

    #[test]
    fn inline_forms_are_read_and_extended() {
        let old = "hooks = { PreToolUse = [{ matcher = \"x\", hooks = [{ type = \"command\", command = \"/bin/guard hook codex\" }] }] }\n";
        assert_eq!(edit(Host::Codex, Some(old), CMD).unwrap(), None);
        let other =
            "[hooks]\nPreToolUse = [{ matcher = \"x\", hooks = [{ type = \"command\", command = \"lint\" }] }]\n";
        let new = edit(Host::Codex, Some(other), CMD).unwrap().unwrap();
        let doc: DocumentMut = new.parse().unwrap();
        let groups = doc["hooks"]["PreToolUse"].as_array().unwrap();
        assert_eq!(groups.len(), 2, "{new}");
        assert_eq!(edit(Host::Codex, Some(&new), CMD).unwrap(), None, "{new}");
    }

    #[test]
    fn refuses_what_it_cannot_edit_safely() {
        let table: &[(&str, &str)] = &[
            ("model = ", "is not valid TOML"),
            ("hooks = 3\n", "`hooks` entry that is not a table"),
            ("[hooks]\nPreToolUse = \"x\"\n", "`hooks.PreToolUse` entry that is not a list of tables"),
        ];
        for (old, want) in table {
            let err = edit(Host::Codex, Some(old), CMD).unwrap_err();
            assert!(err.contains(want), "{old:?}: {err}");
        }
    }
}
