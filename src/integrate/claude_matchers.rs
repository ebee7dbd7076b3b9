//! Which of Claude Code's shell tools a guard hook's matcher covers. Claude Code runs shell
//! commands from its `Bash` tool and its `Monitor` tool; a hook sees a tool only when its group's
//! matcher names it. Claude Code 2.1 reads a matcher as every tool when it is empty or `*`, as a
//! list of names when it holds only letters, digits, `_` and `|`, and as a regular expression
//! otherwise. Pure: a settings text in, findings out.

use serde_json::Value;

/// The tools that run shell commands.
pub const SHELL_TOOLS: &[&str] = &["Bash", "Monitor"];

/// Whether `matcher` selects `tool`, as Claude Code reads it.
pub fn covers(matcher: Option<&str>, tool: &str) -> bool {
    let Some(m) = matcher.filter(|m| !m.is_empty() && *m != "*") else { return true };
    if m.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '|') {
        return m.split('|').any(|n| n.trim() == tool);
    }
    regex_lite::Regex::new(m).is_ok_and(|r| r.is_match(tool))
}

/// The shell tools no `PreToolUse` guard hook (as `is_guard` tells) in Claude Code settings
/// covers, when there is one at all.
pub fn uncovered(text: &str, is_guard: impl Fn(&str) -> bool) -> Vec<&'static str> {
    let Ok(v) = serde_json::from_str::<Value>(text) else { return Vec::new() };
    let groups = v.get("hooks").and_then(|h| h.get("PreToolUse")).and_then(Value::as_array);
    let matchers: Vec<Option<&str>> = groups
        .into_iter()
        .flatten()
        .filter(|g| {
            let hooks = g.get("hooks").and_then(Value::as_array);
            hooks.into_iter().flatten().any(|h| h.get("command").and_then(Value::as_str).is_some_and(&is_guard))
        })
        .map(|g| g.get("matcher").and_then(Value::as_str))
        .collect();
    if matchers.is_empty() {
        return Vec::new();
    }
    SHELL_TOOLS.iter().copied().filter(|t| !matchers.iter().any(|m| covers(*m, t))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matchers_read_as_claude_code_reads_them() {
        let table: &[(Option<&str>, &str, bool)] = &[
            (None, "Monitor", true),
            (Some(""), "Monitor", true),
            (Some("*"), "Monitor", true),
            (Some("Bash"), "Bash", true),
            (Some("Bash"), "Monitor", false),
            (Some("Bash|Monitor"), "Monitor", true),
            (Some("Monitor|Bash"), "Bash", true),
            (Some("Bas"), "Bash", false),
            (Some("^Bash$"), "Bash", true),
            (Some("^Bash$"), "Monitor", false),
            (Some("Bash|Mon.*"), "Monitor", true),
            (Some("("), "Bash", false),
        ];
        for (matcher, tool, want) in table {
            assert_eq!(covers(*matcher, tool), *want, "{matcher:?} {tool}");
        }
    }

    #[test]
    fn finds_shell_tools_guards_hooks_miss() {
        let is_guard = crate::doctor::text_runs_guard_hook;
        let hook = |m: &str| {
            format!(
                r#"{{"hooks":{{"PreToolUse":[{{"matcher":"{m}","hooks":[{{"type":"command","command":"guard hook claude"}}]}}]}}}}"#
            )
        };
        assert_eq!(uncovered(&hook("Bash"), is_guard), ["Monitor"]);
        assert_eq!(uncovered(&hook("Bash|Monitor"), is_guard), Vec::<&str>::new());
        assert_eq!(uncovered(&hook("Edit"), is_guard), ["Bash", "Monitor"]);
        let two = r#"{"hooks":{"PreToolUse":[{"matcher":"Bash","hooks":[{"command":"guard hook claude"}]},
            {"matcher":"Monitor","hooks":[{"command":"guard hook claude"}]}]}}"#;
        assert_eq!(uncovered(two, is_guard), Vec::<&str>::new());
        let others = r#"{"hooks":{"PreToolUse":[{"matcher":"Bash","hooks":[{"command":"lint"}]}]}}"#;
        assert_eq!(uncovered(others, is_guard), Vec::<&str>::new(), "no guard hook, nothing to say");
    }
}
