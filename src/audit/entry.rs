//! One audit record: who asked guard to run what, how it was judged and what happened.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use crate::host::Host;
use crate::plan::{Invocation, Plan};
use crate::policy::{Decision, Verdict};

/// What finally happened to the command.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    /// guard ran it (allowed, or approved and then run).
    Ran,
    /// Policy denied it and guard did not run it.
    Refused,
    /// A human approved it (the entry for running it may follow).
    Approved,
    /// A human was asked and said no.
    DeniedByHuman,
    /// A human was asked and did not answer in time.
    TimedOut,
    /// guard answered an agent's hook; the agent acts on the answer.
    Answered,
    /// guard only saw it (a command that already ran, or an audit-only mode).
    Observed,
    /// Policy denied it and a person at their own terminal ran it once anyway (`guard once`),
    /// after typing the confirmation (the entry for running it follows).
    Overridden,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Ran => "ran",
            Action::Refused => "refused",
            Action::Approved => "approved",
            Action::DeniedByHuman => "denied-by-human",
            Action::TimedOut => "timed-out",
            Action::Answered => "answered",
            Action::Observed => "observed",
            Action::Overridden => "overridden",
        }
    }
}

/// What the Plan said the command would run, small enough to keep for every command.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanSummary {
    /// Distinct programs in order of appearance, with the word after the program when it reads
    /// like a subcommand (`git push`, `kubectl delete`). A plain lowercase operand reads the same
    /// (`cat notes`); the whole command is in the entry anyway.
    pub programs: Vec<String>,
    /// Every invocation, nested ones included.
    pub commands: usize,
    /// Invocations reached by re-reading text as code (`bash -c`, `eval`, …).
    pub nested: usize,
    /// Invocations with a word only known at run time.
    pub dynamic: usize,
    /// Parts of the text guard could not read completely.
    pub issues: usize,
}

/// More programs than this are counted but not listed.
const MAX_PROGRAMS: usize = 32;

impl PlanSummary {
    pub fn of(plan: &Plan) -> PlanSummary {
        // A wrapper's first argument is the program it runs, not a subcommand.
        let wrappers: HashSet<usize> = plan
            .invocations
            .iter()
            .filter(|i| matches!(i.via.last(), Some(crate::plan::Via::Wrapper { .. })))
            .filter_map(|i| i.parent)
            .collect();
        let mut programs: Vec<String> = Vec::new();
        for inv in &plan.invocations {
            let label = label(inv, wrappers.contains(&inv.id));
            if programs.len() < MAX_PROGRAMS && !programs.contains(&label) {
                programs.push(label);
            }
        }
        PlanSummary {
            programs,
            commands: plan.invocations.len(),
            nested: plan.invocations.iter().filter(|i| i.depth > 0).count(),
            dynamic: plan.invocations.iter().filter(|i| i.argv().any(|w| w.is_dynamic())).count(),
            issues: plan.issues.len(),
        }
    }
}

fn label(inv: &Invocation, is_wrapper: bool) -> String {
    let name = inv.program_name().map(str::to_string).unwrap_or_else(|| inv.program.display());
    match inv.args.first().and_then(|w| w.as_literal()) {
        Some(sub) if !is_wrapper && looks_like_subcommand(sub) => format!("{name} {sub}"),
        _ => name,
    }
}

fn looks_like_subcommand(word: &str) -> bool {
    (1..=24).contains(&word.len())
        && word.starts_with(|c: char| c.is_ascii_lowercase())
        && word.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// One line of the audit log. `prev` and `hash` are filled in when the entry is appended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// When the decision was made: RFC 3339, UTC, milliseconds.
    pub time: String,
    /// The account name of `uid` (see [`crate::environment::User`]).
    pub user: String,
    pub uid: u32,
    /// `$USER` when it is not the account recorded in `user`: what the environment claimed,
    /// unconfirmed (anything guard runs can set it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_claimed: Option<String>,
    pub host: String,
    pub pid: u32,
    pub cwd: String,
    /// Who asked: `claude`, `codex`, `human`, …
    pub agent: String,
    /// The agent's session and tool call, when its hook supplies them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool_use_id: Option<String>,
    /// How guard was called: `shell`, `prefix`, `hook:claude`, `interactive-bash`, …
    pub face: String,
    /// The command text, secrets masked, clipped to [`MAX_COMMAND`] bytes.
    pub command: String,
    /// The length in bytes of the whole command, when `command` was clipped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command_bytes: Option<usize>,
    pub plan: PlanSummary,
    pub decision: Decision,
    pub action: Action,
    /// Ids of the rules that matched.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approval_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approver: Option<String>,
    /// The command's exit status (128 + N when killed by signal N).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exit: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_ms: Option<u64>,
    /// Where what the command showed was recorded (an asciicast file), when it was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recording: Option<String>,
    /// The kernel scope the command ran in (`landlock ABI 7`), when it was contained.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contained: Option<String>,
    /// Refusals the contained command met outside its scope, as read from its messages.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub out_of_scope: Vec<String>,
    /// `hash` of the line before (the genesis value on the first line).
    #[serde(default)]
    pub prev: String,
    /// SHA-256 of this line's canonical JSON without `hash`.
    #[serde(default)]
    pub hash: String,
}

/// The line guard appends after a damaged last line (a write cut short by a crash, a killed
/// writer or a full disk) before its next entry. It names the damaged bytes, so `guard log
/// verify` can tie the two together, and links the chain past them: its `prev` is the hash of
/// the last line before them that carries one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recovery {
    /// When guard found the damage: RFC 3339, UTC, milliseconds.
    pub time: String,
    /// The guard that found it.
    pub pid: u32,
    pub torn: Torn,
    #[serde(default)]
    pub prev: String,
    #[serde(default)]
    pub hash: String,
}

/// The damaged line a [`Recovery`] seals off.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Torn {
    /// Its length in bytes, without the newline guard put after it.
    pub bytes: u64,
    /// The SHA-256 of those bytes.
    pub sha256: String,
    /// True when it had no newline (a write cut short); false when it was a whole line that is
    /// not a sealed entry (garbage appended, or the last line edited).
    pub cut_short: bool,
}

impl Recovery {
    /// A recovery for `damaged`, a last line found without or with (`newline`) its newline.
    pub fn of(damaged: &[u8], newline: bool) -> Recovery {
        use sha2::Digest;
        Recovery {
            time: now_rfc3339(),
            pid: std::process::id(),
            torn: Torn {
                bytes: damaged.len() as u64,
                sha256: hex(&sha2::Sha256::digest(damaged)),
                cut_short: !newline,
            },
            prev: String::new(),
            hash: String::new(),
        }
    }
}

/// A line of the log as `guard log` reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Line {
    Entry(Box<Entry>),
    Recovery(Recovery),
}

impl Line {
    /// Read one line (without its newline). The error is the one for an entry, the usual kind.
    pub fn parse(line: &[u8]) -> Result<Line, serde_json::Error> {
        match serde_json::from_slice::<Entry>(line) {
            Ok(e) => Ok(Line::Entry(Box::new(e))),
            Err(err) => serde_json::from_slice::<Recovery>(line).map(Line::Recovery).map_err(|_| err),
        }
    }

    pub fn hash(&self) -> &str {
        match self {
            Line::Entry(e) => &e.hash,
            Line::Recovery(r) => &r.hash,
        }
    }

    /// The recording of what the entry's command showed, when there is one.
    pub fn recording(&self) -> Option<&str> {
        match self {
            Line::Entry(e) => e.recording.as_deref(),
            Line::Recovery(_) => None,
        }
    }
}

/// Longer commands are clipped in the log (a pasted script can be megabytes).
pub const MAX_COMMAND: usize = 64 * 1024;

impl Entry {
    /// An entry for a decision this process makes now: time, user, host, pid and working
    /// directory are filled in; the command, decision, rule ids and plan summary come from the
    /// judged plan. Set the optional fields (session, approval, exit status, …) afterwards.
    /// `at` is the world the command was judged in: its working directory and who guard runs as.
    pub fn new(face: &str, agent: &str, at: &Host, plan: &Plan, verdict: &Verdict, action: Action) -> Entry {
        let mut rules: Vec<String> = Vec::new();
        for f in &verdict.findings {
            if !rules.contains(&f.rule) {
                rules.push(f.rule.clone());
            }
        }
        let uid = nix::unistd::getuid().as_raw();
        let user = at.user().clone();
        Entry {
            time: now_rfc3339(),
            user: user.name,
            uid,
            user_claimed: user.claimed,
            host: nix::unistd::gethostname().map(|h| h.to_string_lossy().into_owned()).unwrap_or_default(),
            pid: std::process::id(),
            cwd: at.cwd_text(),
            agent: agent.to_string(),
            session_id: None,
            tool_use_id: None,
            face: face.to_string(),
            command: plan.source.clone(),
            command_bytes: None,
            plan: PlanSummary::of(plan),
            decision: verdict.decision,
            action,
            rules,
            approval_id: None,
            approver: None,
            exit: None,
            duration_ms: None,
            recording: None,
            contained: None,
            out_of_scope: Vec::new(),
            prev: String::new(),
            hash: String::new(),
        }
    }
}

/// Now, as RFC 3339 in UTC with milliseconds: `2026-04-20T09:15:02.123Z`.
pub fn now_rfc3339() -> String {
    jiff::Timestamp::now().strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// `text` cut to at most `max` bytes on a character boundary, and the original length when cut.
pub fn clip_bytes(text: String, max: usize) -> (String, Option<usize>) {
    if text.len() <= max {
        return (text, None);
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let len = text.len();
    let mut clipped = text;
    clipped.truncate(end);
    (clipped, Some(len))
}

/// Bytes as lower-case hexadecimal (the form hashes take in the log).
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[(b >> 4) as usize] as char);
        s.push(DIGITS[(b & 15) as usize] as char);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shell::{analyze, Env};

    #[test]
    fn plan_summaries() {
        let env = Env::new("/home/u", "/work");
        for (text, programs, commands, nested, dynamic) in [
            ("git push origin main && rm -rf target", vec!["git push", "rm"], 2, 0, 0),
            ("sudo rm -rf /tmp/x", vec!["sudo", "rm"], 2, 0, 0),
            ("bash -c 'kubectl delete ns prod'", vec!["bash", "kubectl delete"], 2, 1, 0),
            ("$EDITOR notes.txt; ls -l /", vec!["‹$EDITOR›", "ls"], 2, 0, 1),
            ("git status; git status; git log", vec!["git status", "git log"], 3, 0, 0),
            ("cp ./a /b", vec!["cp"], 1, 0, 0),
        ] {
            let s = PlanSummary::of(&analyze(text, &env));
            assert_eq!(s.programs, programs, "{text}");
            assert_eq!((s.commands, s.nested, s.dynamic), (commands, nested, dynamic), "{text}");
        }
    }

    #[test]
    fn clipping_keeps_whole_characters() {
        for (text, max, kept, len) in [
            ("short", 10, "short", None),
            ("abcdef", 3, "abc", Some(6)),
            ("aéb", 2, "a", Some(4)),
            ("aéb", 3, "aé", Some(4)),
        ] {
            assert_eq!(clip_bytes(text.to_string(), max), (kept.to_string(), len), "{text} {max}");
        }
    }

    #[test]
    fn time_is_rfc3339_utc_with_milliseconds() {
        let t = now_rfc3339();
        let re = regex_lite::Regex::new(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$").unwrap();
        assert!(re.is_match(&t), "{t}");
        assert!(t.parse::<jiff::Timestamp>().is_ok(), "{t}");
    }

    #[test]
    fn actions_serialise_as_their_names() {
        for a in [
            Action::Ran,
            Action::Refused,
            Action::Approved,
            Action::DeniedByHuman,
            Action::TimedOut,
            Action::Answered,
            Action::Observed,
            Action::Overridden,
        ] {
            assert_eq!(serde_json::to_value(a).unwrap(), a.as_str());
        }
    }
}
