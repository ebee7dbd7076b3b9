//! Containment through an agent's hook: Claude Code and Codex let a `PreToolUse` hook answer
//! allow with the tool's input replaced (`updatedInput`). With `settings.contain.hooks`, guard
//! answers an allowed shell command that way, rewritten to run under `guard --contain -c '…'`,
//! so commands the agent runs itself get the same kernel scope as those guard runs.
//!
//! As the hosts apply it (verified against Claude Code 2.1.197 and Codex 0.171.0): Claude
//! Code replaces the whole tool input with `updatedInput` and checks it against the tool's
//! schema, so the rest of the input (`description`, `timeout`, `run_in_background`) is sent
//! back as it came; Codex takes only its string `command`, and accepts `allow` only with it.

use serde_json::Value;

use crate::shell::shell_quote;

/// The command that runs `command` exactly as the agent sent it, contained: its text is one
/// single-quoted word, which keeps every byte (quotes, `$`, newlines, a heredoc) as it is.
pub fn rewrite(guard: &str, command: &str) -> String {
    format!("{} --contain -c {}", shell_quote(guard), quote(command))
}

/// `text` in single quotes, always (even a plain word), each `'` as `'\''`.
fn quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

/// The tool input to answer with: the host's own, with `command` replaced.
pub fn updated_input(tool_input: Option<&Value>, command: String) -> Value {
    let mut input = match tool_input {
        Some(Value::Object(m)) => Value::Object(m.clone()),
        _ => Value::Object(Default::default()),
    };
    input["command"] = Value::String(command);
    input
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A command holding every kind of quote, `$`, backslashes, newlines and a heredoc runs
    /// exactly as sent when the rewritten command is read by bash: what reaches `guard -c` is
    /// the original text, byte for byte.
    #[test]
    fn the_rewritten_command_hands_guard_the_text_exactly() {
        let original = "printf '%s\\n' \"it's\" '\"q\"' `echo b` $HOME \\$x 'a'\\''b'\ncat <<'EOF'\n$PATH 'single' \"double\"\n\tEOF\nEOF\necho done; echo ''";
        let rewritten = rewrite("/opt/my guard/guard", original);
        assert!(rewritten.starts_with("'/opt/my guard/guard' --contain -c '"), "{rewritten}");
        // bash reads the rewritten command; `printf '%s\0'` shows each word it would pass.
        let out = std::process::Command::new("bash")
            .arg("-c")
            .arg(format!("set -- {}; printf '%s\\0' \"$@\"", rewritten.replacen("'/opt/my guard/guard'", "", 1)))
            .output()
            .expect("bash runs");
        let words: Vec<&[u8]> = out.stdout.split(|b| *b == 0).collect();
        assert_eq!(words[0], b"--contain");
        assert_eq!(words[1], b"-c");
        assert_eq!(words[2], original.as_bytes());
    }

    #[test]
    fn the_rest_of_the_hosts_input_is_sent_back_as_it_came() {
        let input =
            serde_json::json!({"command": "ls", "description": "list", "timeout": 5000, "run_in_background": false});
        let v = updated_input(Some(&input), "guard --contain -c 'ls'".into());
        assert_eq!(
            v,
            serde_json::json!({"command": "guard --contain -c 'ls'", "description": "list", "timeout": 5000, "run_in_background": false})
        );
        assert_eq!(updated_input(None, "x".into()), serde_json::json!({"command": "x"}));
    }
}
