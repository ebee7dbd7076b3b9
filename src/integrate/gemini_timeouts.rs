//! Gemini CLI reads a hook's `timeout` in milliseconds and runs the command when the hook times
//! out. `gemini hooks migrate --from-claude` copies Claude Code's `timeout: 30` (seconds) as it
//! is, which gives guard 30 ms — less than it may take. Pure: a settings text in, findings out.

use serde_json::Value;

/// Below this a guard hook's timeout is taken for seconds written where milliseconds are read.
pub const SHORTEST_MS: u64 = 1000;

/// `(command, timeout)` of each guard hook (as `is_guard` tells) in Gemini CLI settings whose
/// timeout is under [`SHORTEST_MS`].
pub fn too_short(text: &str, is_guard: impl Fn(&str) -> bool) -> Result<Vec<(String, u64)>, String> {
    let v: Value = serde_json::from_str(text).map_err(|e| format!("not valid JSON ({e})"))?;
    let mut out = Vec::new();
    let events = v.get("hooks").and_then(Value::as_object);
    for groups in events.into_iter().flat_map(|e| e.values()) {
        for group in groups.as_array().into_iter().flatten() {
            for hook in group.get("hooks").and_then(Value::as_array).into_iter().flatten() {
                let command = hook.get("command").and_then(Value::as_str).unwrap_or_default();
                // A timeout that is not a whole number is Gemini CLI's to reject, not this check's.
                let timeout = hook.get("timeout").and_then(Value::as_f64);
                if let Some(t) = timeout.filter(|t| *t < SHORTEST_MS as f64 && is_guard(command)) {
                    out.push((command.to_string(), t.max(0.0) as u64));
                }
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_guard_hooks_with_a_timeout_in_seconds() {
        let is_guard = crate::doctor::text_runs_guard_hook;
        // What `gemini hooks migrate --from-claude` (Gemini CLI 0.61) makes of guard's Claude Code hook.
        let migrated = r#"{"hooks":{"BeforeTool":[{"matcher":"run_shell_command","hooks":[
            {"command":"/usr/local/bin/guard hook claude","type":"command","timeout":30}]}]}}"#;
        let table: &[(&str, Vec<(String, u64)>)] = &[
            (migrated, vec![("/usr/local/bin/guard hook claude".into(), 30)]),
            (
                r#"{"hooks":{"BeforeTool":[{"matcher":"run_shell_command","hooks":[{"name":"guard","type":"command","command":"guard hook gemini","timeout":30000}]}]}}"#,
                vec![],
            ),
            (r#"{"hooks":{"BeforeTool":[{"hooks":[{"type":"command","command":"guard hook gemini"}]}]}}"#, vec![]),
            (r#"{"hooks":{"BeforeTool":[{"hooks":[{"type":"command","command":"lint.sh","timeout":5}]}]}}"#, vec![]),
            (
                r#"{"hooks":{"BeforeTool":[{"hooks":[{"command":"guard hook gemini","timeout":999.5}]}]}}"#,
                vec![("guard hook gemini".into(), 999)],
            ),
            (r#"{"theme":"dark"}"#, vec![]),
            (r#"{"hooks":{"enabled":true}}"#, vec![]),
        ];
        for (text, want) in table {
            assert_eq!(too_short(text, is_guard).as_ref(), Ok(want), "{text}");
        }
        assert!(too_short("{", is_guard).is_err());
    }
}
