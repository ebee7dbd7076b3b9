//! Agent hook adapters. An agent (Claude Code, Codex, Gemini CLI, Cursor) describes the shell
//! command it is about to run in its own JSON; guard judges the command and answers in that
//! agent's format.
//!
//! [`answer`] is pure — host JSON in, a judge function in the middle, the host's reply out — so
//! each adapter is golden-tested without a policy; [`run`] is the I/O around it. Every path
//! fails closed: these hosts run the command when a hook crashes, exits 1 or prints something
//! they do not understand, so input guard cannot read is refused in the host's own format.

pub mod claude;
pub mod codex;
pub mod contained;
pub mod cursor;
pub mod gemini;
pub mod gemini_session;
pub mod message;
pub mod run;

use serde_json::Value;

use crate::policy::{Decision, Verdict};

/// Hook input larger than this is refused unread: no real tool call comes near it.
pub const MAX_INPUT: usize = 1 << 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Host {
    Claude,
    Codex,
    Gemini,
    Cursor,
}

impl Host {
    /// The name on the command line and in the audit log.
    pub fn name(self) -> &'static str {
        match self {
            Host::Claude => "claude",
            Host::Codex => "codex",
            Host::Gemini => "gemini",
            Host::Cursor => "cursor",
        }
    }

    /// The product's own name, for messages.
    pub fn title(self) -> &'static str {
        match self {
            Host::Claude => "Claude Code",
            Host::Codex => "Codex",
            Host::Gemini => "Gemini CLI",
            Host::Cursor => "Cursor",
        }
    }

    fn parse(self, v: &Value) -> Request {
        match self {
            Host::Claude | Host::Codex => claude::parse(v),
            Host::Gemini => gemini::parse(v),
            Host::Cursor => cursor::parse(v),
        }
    }

    fn render(self, event: &Event, outcome: &Outcome) -> String {
        match self {
            Host::Claude => claude::render(event, outcome),
            Host::Codex => codex::render(event, outcome),
            Host::Gemini => gemini::render(outcome),
            Host::Cursor => cursor::render(outcome),
        }
    }

    /// The longest command the host hands a hook whole, where its documentation gives one.
    fn string_limit(self) -> Option<usize> {
        match self {
            Host::Claude => Some(claude::STRING_LIMIT),
            Host::Codex | Host::Gemini | Host::Cursor => None,
        }
    }

    /// Whether an answer can hand the decision to a person. A permission request is itself
    /// the host asking its user, so saying nothing there is the ask. Gemini CLI's ask forces its
    /// confirmation prompt, which only an interactive session has (`interactive` says, asked
    /// only then).
    fn can_ask(self, event: &Event, interactive: impl FnOnce() -> bool) -> bool {
        *event == Event::PermissionRequest
            || matches!(self, Host::Claude | Host::Cursor)
            || (self == Host::Gemini && interactive())
    }

    /// The host whose input this is. `gemini hooks migrate --from-claude` copies Claude Code's
    /// hook, command and all, into Gemini CLI: `guard hook claude` then gets Gemini CLI's
    /// `BeforeTool` input, and must answer in Gemini CLI's words (it would take Claude Code's
    /// for an allow).
    pub fn reading(self, input: &Value) -> Host {
        let event = input.get("hook_event_name").and_then(Value::as_str);
        match (self, event) {
            (Host::Claude, Some("BeforeTool")) => Host::Gemini,
            _ => self,
        }
    }
}

/// Which of the host's hook events the input is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// Before a tool runs: `PreToolUse`, `BeforeTool`, `beforeShellExecution`.
    BeforeTool,
    /// A permission prompt is about to be shown (Claude Code, Codex).
    PermissionRequest,
    /// An event guard does not handle: the hook is wired to the wrong place.
    Other(String),
}

/// What an adapter read from the host's JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub event: Event,
    pub session_id: Option<String>,
    pub tool_use_id: Option<String>,
    /// Where the command will run, as the host says; `None` when it does not say.
    pub cwd: Option<String>,
    /// The shell command; `Ok(None)` when the tool is not a shell, `Err` says what is missing.
    pub command: Result<Option<String>, String>,
}

/// What guard tells the host, before it is put in the host's words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Leave the decision to the host's own rules.
    NoOpinion,
    Allow,
    /// Allowed, to run as this tool input instead (the command rewritten to run contained).
    AllowAs(Value),
    /// A person must approve; the text is shown to them.
    Ask(String),
    /// Refused; the text is written for the model (and shown to the person).
    Deny(String),
}

impl Outcome {
    fn decision(&self) -> Option<Decision> {
        match self {
            Outcome::NoOpinion => None,
            Outcome::Allow | Outcome::AllowAs(_) => Some(Decision::Allow),
            Outcome::Ask(_) => Some(Decision::Ask),
            Outcome::Deny(_) => Some(Decision::Deny),
        }
    }
}

/// What the audit log needs about one hook call.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Audit {
    pub agent: &'static str,
    pub session_id: Option<String>,
    pub tool_use_id: Option<String>,
    pub command: Option<String>,
    /// What guard concluded: the verdict, or deny where the host cannot ask or the call could
    /// not be read. `None` when the call was not guard's to judge (another tool). The host's
    /// format may say less: Codex hears nothing for an allow.
    pub decision: Option<Decision>,
    /// The rules behind the decision, strictest first.
    pub rules: Vec<String>,
}

/// Everything the hook process does on the way out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HookAnswer {
    pub stdout: String,
    pub stderr: String,
    pub exit_code: i32,
    pub audit: Audit,
}

/// Answer one hook call. `judge(host, command, cwd)` is only called for a readable shell
/// command, with the host whose input it is; `cwd` is empty when the host did not say.
/// `interactive` says whether someone can answer Gemini CLI's confirmation prompt.
pub fn answer(
    host: Host,
    input: &[u8],
    interactive: impl FnOnce() -> bool,
    judge: impl FnOnce(Host, &str, &str) -> Verdict,
) -> HookAnswer {
    answer_with(host, input, interactive, |h, c, d| (judge(h, c, d), None))
}

/// [`answer`], where the judge also says whether an allowed command is to run contained: with
/// `Some(guard)` (the guard binary to run it), a host that can replace the command it runs
/// (Claude Code, Codex) is answered allow with the command rewritten to run under
/// `guard --contain -c`.
pub fn answer_with(
    host: Host,
    input: &[u8],
    interactive: impl FnOnce() -> bool,
    judge: impl FnOnce(Host, &str, &str) -> (Verdict, Option<String>),
) -> HookAnswer {
    let mut audit = Audit { agent: host.name(), ..Audit::default() };
    if input.len() > MAX_INPUT {
        return finish(host, &Event::BeforeTool, Outcome::Deny(message::too_large()), audit);
    }
    let value = match serde_json::from_slice::<Value>(input) {
        Ok(v) if v.is_object() => v,
        Ok(_) => return refuse(host, audit, "is JSON but not an object"),
        Err(e) => return refuse(host, audit, &format!("is not valid JSON ({e})")),
    };
    let host = host.reading(&value);
    audit.agent = host.name();
    let req = host.parse(&value);
    audit.session_id = req.session_id;
    audit.tool_use_id = req.tool_use_id;
    if let Event::Other(name) = &req.event {
        audit.decision = Some(Decision::Deny);
        // Exit 2 is every host's plain block, whatever the event: safer than guessing a format.
        return HookAnswer { stdout: String::new(), stderr: message::wrong_event(host, name), exit_code: 2, audit };
    }
    let command = match req.command {
        Err(missing) => return finish(host, &req.event, Outcome::Deny(message::unreadable(host, &missing)), audit),
        Ok(None) => return finish(host, &req.event, Outcome::NoOpinion, audit),
        Ok(Some(c)) => c,
    };
    audit.command = Some(command.clone());
    if let Some(limit) = host.string_limit() {
        let chars = command.chars().count();
        if chars >= limit {
            return finish(host, &req.event, Outcome::Deny(message::too_long(host, chars, limit)), audit);
        }
    }
    let (verdict, contain_with) = judge(host, &command, req.cwd.as_deref().unwrap_or(""));
    audit.rules = message::strictest(&verdict).map(|f| f.rule.clone()).collect();
    let outcome = match verdict.decision {
        Decision::Allow => match contain_with {
            Some(guard) if matches!(host, Host::Claude | Host::Codex) && req.event == Event::BeforeTool => {
                let run = contained::rewrite(&guard, &command);
                Outcome::AllowAs(contained::updated_input(value.get("tool_input"), run))
            }
            _ => Outcome::Allow,
        },
        Decision::Ask if host.can_ask(&req.event, interactive) => Outcome::Ask(message::ask(&verdict, &command)),
        Decision::Ask => Outcome::Deny(message::ask_refused(host, &verdict, &command)),
        Decision::Deny => Outcome::Deny(message::deny(&verdict, &command)),
    };
    finish(host, &req.event, outcome, audit)
}

/// A refusal for when guard itself failed (a panic, unreadable standard input).
pub fn failure(host: Host, text: String) -> HookAnswer {
    finish(host, &Event::BeforeTool, Outcome::Deny(text), Audit { agent: host.name(), ..Audit::default() })
}

fn refuse(host: Host, audit: Audit, problem: &str) -> HookAnswer {
    finish(host, &Event::BeforeTool, Outcome::Deny(message::malformed(host, problem)), audit)
}

fn finish(host: Host, event: &Event, outcome: Outcome, mut audit: Audit) -> HookAnswer {
    audit.decision = outcome.decision();
    HookAnswer { stdout: host.render(event, &outcome), stderr: String::new(), exit_code: 0, audit }
}

/// A string field of the host's JSON.
fn text(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(str::to_string)
}

/// The shell command of a tool call: `tool_input.command` when `tool_name` is `shell_tool`.
fn tool_command(v: &Value, shell_tool: &str) -> Result<Option<String>, String> {
    match v.get("tool_name") {
        Some(Value::String(t)) if t == shell_tool => match v.get("tool_input").and_then(|i| i.get("command")) {
            Some(Value::String(c)) => Ok(Some(c.clone())),
            Some(_) => Err("`tool_input.command` is not a string".into()),
            None => Err("`tool_input.command` is missing".into()),
        },
        Some(Value::String(_)) => Ok(None),
        Some(_) => Err("`tool_name` is not a string".into()),
        None => Err("`tool_name` is missing".into()),
    }
}

/// `value` as compact JSON on one line, as the hosts read it.
fn json_line(value: &Value) -> String {
    let mut s = value.to_string();
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;

    use serde_json::json;

    use super::*;
    use crate::plan::Span;
    use crate::policy::{Finding, Severity};

    /// No one can answer a prompt (for Gemini CLI: a headless session).
    fn no_one() -> bool {
        false
    }

    fn verdict(d: Decision) -> Verdict {
        let mut v = Verdict::allow();
        if d != Decision::Allow {
            v.add(Finding {
                rule: "t.rule".into(),
                decision: d,
                severity: Severity::High,
                message: "it is risky".into(),
                span: Span::new(0, 2),
                text: "rm".into(),
                invocation: Some(0),
                tags: Vec::new(),
            });
        }
        v
    }

    fn shell_input(host: Host, event: &str) -> Vec<u8> {
        let v = match host {
            Host::Claude | Host::Codex => json!({"hook_event_name": event, "session_id": "s", "tool_use_id": "t",
                "cwd": "/p", "tool_name": "Bash", "tool_input": {"command": "rm x"}}),
            Host::Gemini => json!({"hook_event_name": "BeforeTool", "session_id": "s", "cwd": "/p",
                "tool_name": "run_shell_command", "tool_input": {"command": "rm x"}}),
            Host::Cursor => json!({"hook_event_name": "beforeShellExecution", "conversation_id": "s",
                "generation_id": "t", "cwd": "/p", "command": "rm x"}),
        };
        v.to_string().into_bytes()
    }

    /// The decision word a host reads from an answer; "" for an empty stdout.
    fn wire(host: Host, stdout: &str) -> String {
        if stdout.is_empty() {
            return String::new();
        }
        let v: Value = serde_json::from_str(stdout).unwrap();
        let word = match host {
            Host::Claude | Host::Codex => v["hookSpecificOutput"]
                .get("permissionDecision")
                .or_else(|| v["hookSpecificOutput"]["decision"].get("behavior"))
                .cloned(),
            Host::Gemini => v.get("decision").cloned(),
            Host::Cursor => v.get("permission").cloned(),
        };
        word.and_then(|w| w.as_str().map(str::to_string)).unwrap_or_else(|| "{}".into())
    }

    #[test]
    fn decisions_in_each_hosts_words() {
        use Decision::*;
        let table: &[(Host, &str, Decision, &str)] = &[
            (Host::Claude, "PreToolUse", Allow, "allow"),
            (Host::Claude, "PreToolUse", Ask, "ask"),
            (Host::Claude, "PreToolUse", Deny, "deny"),
            (Host::Claude, "PermissionRequest", Allow, ""),
            (Host::Claude, "PermissionRequest", Ask, ""),
            (Host::Claude, "PermissionRequest", Deny, "deny"),
            (Host::Codex, "PreToolUse", Allow, ""),
            (Host::Codex, "PreToolUse", Ask, "deny"),
            (Host::Codex, "PreToolUse", Deny, "deny"),
            (Host::Codex, "PermissionRequest", Allow, ""),
            (Host::Codex, "PermissionRequest", Ask, ""),
            (Host::Codex, "PermissionRequest", Deny, "deny"),
            (Host::Gemini, "BeforeTool", Allow, "allow"),
            (Host::Gemini, "BeforeTool", Ask, "deny"), // headless; see gemini_cli_asks_only_…
            (Host::Gemini, "BeforeTool", Deny, "deny"),
            (Host::Cursor, "beforeShellExecution", Allow, "allow"),
            (Host::Cursor, "beforeShellExecution", Ask, "ask"),
            (Host::Cursor, "beforeShellExecution", Deny, "deny"),
        ];
        for (host, event, decision, want) in table {
            let a = answer(*host, &shell_input(*host, event), no_one, |_, _, _| verdict(*decision));
            assert_eq!(wire(*host, &a.stdout), *want, "{host:?} {event} {decision:?}: {}", a.stdout);
            assert_eq!(a.exit_code, 0);
            let concluded = if *want == "deny" { Deny } else { *decision };
            assert_eq!(a.audit.decision, Some(concluded), "{host:?} {event} {decision:?}");
        }
    }

    /// Gemini CLI's ask forces its confirmation prompt; where there is none (headless), a
    /// command that needs a person is refused. Whether there is one is asked only for an ask.
    #[test]
    fn gemini_cli_asks_only_where_someone_can_answer() {
        let input = shell_input(Host::Gemini, "BeforeTool");
        for (interactive, want) in [(true, "ask"), (false, "deny")] {
            let a = answer(Host::Gemini, &input, || interactive, |_, _, _| verdict(Decision::Ask));
            assert_eq!(wire(Host::Gemini, &a.stdout), want, "{}", a.stdout);
            let out: Value = serde_json::from_str(&a.stdout).unwrap();
            let reason = out["reason"].as_str().unwrap();
            assert!(reason.contains("`rm`: it is risky [rule t.rule]"), "{reason}");
            if interactive {
                assert_eq!(out["systemMessage"], reason, "the prompt shows the reason");
                assert!(reason.starts_with("guard: this command needs your approval."), "{reason}");
            } else {
                assert!(reason.contains("no one can approve it in this Gemini CLI session"), "{reason}");
            }
        }
        for d in [Decision::Allow, Decision::Deny] {
            let a = answer(Host::Gemini, &input, || panic!("only an ask asks"), |_, _, _| verdict(d));
            assert_eq!(a.audit.decision, Some(d));
        }
    }

    /// `gemini hooks migrate --from-claude` keeps the command `guard hook claude`; Gemini CLI's
    /// input then gets Gemini CLI's answer (it reads `decision`, and would allow on Claude Code's).
    #[test]
    fn guard_hook_claude_answers_gemini_clis_input_in_its_words() {
        // The shape Gemini CLI 0.61 sends (`createBaseInput` and `fireBeforeToolEvent`).
        let input = json!({"session_id": "g", "transcript_path": "/h/.gemini/tmp/chats/g.json", "cwd": "/p",
            "hook_event_name": "BeforeTool", "timestamp": "2026-12-03T08:00:00.000Z", "tool_name": "run_shell_command",
            "tool_input": {"command": "rm x", "description": "remove x", "dir_path": "sub"}});
        let input = input.to_string().into_bytes();
        for (decision, want) in [(Decision::Allow, "allow"), (Decision::Deny, "deny"), (Decision::Ask, "ask")] {
            let seen = RefCell::new(None);
            let a = answer(
                Host::Claude,
                &input,
                || true,
                |host, c, d| {
                    *seen.borrow_mut() = Some((host, c.to_string(), d.to_string()));
                    verdict(decision)
                },
            );
            assert_eq!(wire(Host::Gemini, &a.stdout), want, "{}", a.stdout);
            assert!(!a.stdout.contains("hookSpecificOutput"), "{}", a.stdout);
            assert_eq!(seen.into_inner(), Some((Host::Gemini, "rm x".into(), "/p/sub".into())));
            assert_eq!(a.audit.agent, "gemini");
        }
        // Claude Code's own input is still Claude Code's.
        let a =
            answer(Host::Claude, &shell_input(Host::Claude, "PreToolUse"), no_one, |_, _, _| verdict(Decision::Allow));
        assert_eq!((wire(Host::Claude, &a.stdout).as_str(), a.audit.agent), ("allow", "claude"));
        // A Gemini CLI event guard does not answer is refused as any wrong event is.
        let a =
            answer(Host::Claude, br#"{"hook_event_name": "AfterTool"}"#, no_one, |_, _, _| verdict(Decision::Allow));
        assert_eq!(a.exit_code, 2, "{}", a.stderr);
    }

    #[test]
    fn the_judge_sees_the_command_and_the_hosts_directory_and_the_audit_names_the_call() {
        for host in [Host::Claude, Host::Codex, Host::Gemini, Host::Cursor] {
            let seen = RefCell::new(None);
            let a = answer(host, &shell_input(host, "PreToolUse"), no_one, |_, c, d| {
                *seen.borrow_mut() = Some((c.to_string(), d.to_string()));
                verdict(Decision::Deny)
            });
            assert_eq!(seen.into_inner(), Some(("rm x".to_string(), "/p".to_string())), "{host:?}");
            assert_eq!(a.audit.agent, host.name());
            assert_eq!(a.audit.session_id.as_deref(), Some("s"));
            let tool_use = if host == Host::Gemini { None } else { Some("t") };
            assert_eq!(a.audit.tool_use_id.as_deref(), tool_use, "{host:?}");
            assert_eq!(a.audit.command.as_deref(), Some("rm x"));
            assert_eq!(a.audit.rules, ["t.rule"]);
            assert!(a.stdout.contains("`rm`: it is risky [rule t.rule]"), "{host:?}: {}", a.stdout);
        }
    }

    #[test]
    fn unreadable_input_is_refused_without_judging() {
        let never = |_: Host, _: &str, _: &str| -> Verdict { panic!("the judge must not run") };
        let cases: &[(&[u8], &str)] = &[
            (b"", "not valid JSON"),
            (b"{\"tool_name\": ", "not valid JSON"),
            (b"\xff\xfe", "not valid JSON"),
            (b"[1]", "not an object"),
            (b"{\"tool_input\": {\"command\": \"ls\"}}", "`tool_name` is missing"),
            (b"{\"tool_name\": \"Bash\"}", "`tool_input.command` is missing"),
            (
                b"{\"tool_name\": \"Bash\", \"tool_input\": {\"command\": [\"ls\"]}}",
                "`tool_input.command` is not a string",
            ),
            (b"{\"tool_name\": 7, \"tool_input\": {\"command\": \"ls\"}}", "`tool_name` is not a string"),
        ];
        for (input, want) in cases {
            let a = answer(Host::Claude, input, no_one, never);
            assert_eq!(wire(Host::Claude, &a.stdout), "deny", "{input:?}");
            assert!(a.stdout.contains(want), "{input:?}: {}", a.stdout);
            assert_eq!(a.audit.decision, Some(Decision::Deny));
        }
        let huge = vec![b' '; MAX_INPUT + 1];
        let a = answer(Host::Cursor, &huge, no_one, never);
        assert_eq!(wire(Host::Cursor, &a.stdout), "deny");
        let a = answer(Host::Cursor, br#"{"hook_event_name": "beforeShellExecution"}"#, no_one, never);
        assert!(a.stdout.contains("`command` is missing"), "{}", a.stdout);
    }

    #[test]
    fn other_tools_and_other_events_are_not_judged() {
        let never = |_: Host, _: &str, _: &str| -> Verdict { panic!("the judge must not run") };
        let a = answer(
            Host::Claude,
            br#"{"tool_name": "Read", "tool_input": {"file_path": "/etc/passwd"}}"#,
            no_one,
            never,
        );
        assert_eq!((a.stdout.as_str(), a.exit_code, a.audit.decision), ("", 0, None));
        let a = answer(
            Host::Codex,
            br#"{"tool_name": "apply_patch", "tool_input": {"command": "rm -rf /"}}"#,
            no_one,
            never,
        );
        assert_eq!((a.stdout.as_str(), a.exit_code), ("", 0));
        let a = answer(Host::Gemini, br#"{"tool_name": "read_file", "tool_input": {}}"#, no_one, never);
        assert_eq!(a.stdout, "{}\n");
        let a = answer(
            Host::Gemini,
            br#"{"hook_event_name": "AfterTool", "tool_name": "run_shell_command"}"#,
            no_one,
            never,
        );
        assert_eq!((a.stdout.as_str(), a.exit_code), ("", 2));
        assert!(a.stderr.contains("\"AfterTool\""), "{}", a.stderr);
    }

    /// Claude Code's `Monitor` tool runs a shell command too (its `MonitorInput` in
    /// `sdk-tools.d.ts`, Claude Code 2.1.197); watching a WebSocket runs nothing.
    #[test]
    fn claude_codes_monitor_command_is_judged_like_bash() {
        let monitor = json!({"hook_event_name": "PreToolUse", "tool_name": "Monitor", "cwd": "/p", "tool_input":
            {"description": "tail the build log", "timeout_ms": 300000, "persistent": false, "command": "tail -f build.log"}});
        let seen = RefCell::new(None);
        let a = answer(Host::Claude, monitor.to_string().as_bytes(), no_one, |_, c, _| {
            *seen.borrow_mut() = Some(c.to_string());
            verdict(Decision::Deny)
        });
        assert_eq!(
            (wire(Host::Claude, &a.stdout).as_str(), seen.into_inner().as_deref()),
            ("deny", Some("tail -f build.log"))
        );
        let ws = json!({"tool_name": "Monitor", "tool_input": {"description": "d", "timeout_ms": 1, "persistent": true,
            "ws": {"url": "wss://example.test/events"}}});
        let a = answer(Host::Claude, ws.to_string().as_bytes(), no_one, |_, _, _| panic!("nothing to judge"));
        assert_eq!((a.stdout.as_str(), a.audit.decision), ("", None));
        let bad = json!({"tool_name": "Monitor", "tool_input": {"command": 7}});
        let a = answer(Host::Claude, bad.to_string().as_bytes(), no_one, |_, _, _| panic!("nothing to judge"));
        assert_eq!(wire(Host::Claude, &a.stdout), "deny", "{}", a.stdout);
    }

    #[test]
    fn a_failure_of_guard_itself_is_a_refusal_in_each_hosts_format() {
        for host in [Host::Claude, Host::Codex, Host::Gemini, Host::Cursor] {
            let a = failure(host, message::crashed());
            assert_eq!((wire(host, &a.stdout).as_str(), a.exit_code), ("deny", 0), "{host:?}");
            assert!(a.stdout.contains("guard failed while checking this command"), "{host:?}");
            assert_eq!(a.audit.decision, Some(Decision::Deny));
        }
    }

    #[test]
    fn commands_past_claudes_string_cap_are_refused_unjudged() {
        let never = |_: Host, _: &str, _: &str| -> Verdict { panic!("the judge must not run") };
        let long = json!({"tool_name": "Bash", "tool_input": {"command": "x".repeat(claude::STRING_LIMIT)}});
        let a = answer(Host::Claude, long.to_string().as_bytes(), no_one, never);
        assert_eq!(wire(Host::Claude, &a.stdout), "deny");
        assert!(a.stdout.contains("10000 characters long"), "{}", a.stdout);
        let fits = json!({"tool_name": "Bash", "tool_input": {"command": "x".repeat(claude::STRING_LIMIT - 1)}});
        let a = answer(Host::Claude, fits.to_string().as_bytes(), no_one, |_, _, _| verdict(Decision::Allow));
        assert_eq!(wire(Host::Claude, &a.stdout), "allow");
    }

    #[test]
    fn where_gemini_and_cursor_commands_run() {
        let table: &[(Value, Option<&str>)] = &[
            (json!({"cwd": "/p", "tool_input": {"dir_path": "sub/dir"}}), Some("/p/sub/dir")),
            (json!({"cwd": "/p", "tool_input": {"dir_path": "/elsewhere"}}), Some("/elsewhere")),
            (json!({"cwd": "/p", "tool_input": {"directory": "old"}}), Some("/p/old")),
            (json!({"cwd": "/p", "tool_input": {"dir_path": ""}}), Some("/p")),
            (json!({"tool_input": {}}), None),
        ];
        for (v, want) in table {
            assert_eq!(gemini::parse(v).cwd.as_deref(), *want, "{v}");
        }
        let table: &[(Value, Option<&str>)] = &[
            (json!({"cwd": "/p", "workspace_roots": ["/w"]}), Some("/p")),
            (json!({"cwd": "", "workspace_roots": ["/w", "/v"]}), Some("/w")),
            (json!({"workspace_roots": []}), None),
        ];
        for (v, want) in table {
            assert_eq!(cursor::parse(v).cwd.as_deref(), *want, "{v}");
        }
    }
}
