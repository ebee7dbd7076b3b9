//! `guard pending`, `guard approve ID`, `guard deny ID`: deciding out-of-band requests.
//!
//! Deciding needs a person at a terminal: the request is shown and confirmed through the same
//! `/dev/tty` prompt as any other approval, so a requester holding only pipes (or running
//! inside a guarded command) cannot approve its own request.
//!
//! What a request file says about the rules that asked is the requester's word; what is shown,
//! acted on and recorded is what the deciding person's own guard finds (see `judged`). A
//! command that guard denies is never approved.

use std::io::Write;
use std::time::Duration;

use super::judged::Judge;
use super::prompt::{self, PromptOptions};
use super::question::{Answer, PromptInfo, Question};
use super::render::{self, inert_json, shown};
use super::store::{Findings, Request, Store};
use super::{ApprovalConfig, Error};
use crate::audit::{self, Action, AuditConfig, Entry};
use crate::host::Host;
use crate::plan::Plan;
use crate::policy::{Decision, Policy, Verdict};

/// `guard pending [--json]`.
pub fn pending(host: &Host, own: &Policy, json: bool) -> u8 {
    let store = match Store::open(&ApprovalConfig::from_settings(&own.settings, host)) {
        Ok(s) => s,
        Err(e) => return fail("pending", &e.to_string()),
    };
    let requests = match store.pending() {
        Ok(r) => r,
        Err(e) => return fail("pending", &e.to_string()),
    };
    let mut judge = Judge::new(own, host);
    let text = if json {
        let list: Vec<serde_json::Value> = requests
            .iter()
            .map(|r| {
                let mut v = serde_json::to_value(r).expect("a request always serialises");
                let age = store.age(&r.created);
                v["age_seconds"] = age.map(|a| a.as_secs()).into();
                v["expires_in_seconds"] = age.map(|a| store.expiry().saturating_sub(a).as_secs()).into();
                // `rules` and `messages` are the request's word; this is the caller's guard's.
                let (_, verdict) = judge.judge(r);
                let found = Findings::of(&verdict);
                v["judged"] = serde_json::json!({
                    "decision": verdict.decision.as_str(),
                    "rules": found.rules,
                    "messages": found.messages,
                });
                v
            })
            .collect();
        inert_json(&serde_json::to_string_pretty(&list).expect("JSON values serialise")) + "\n"
    } else if requests.is_empty() {
        "No requests are waiting for approval.\n".to_string()
    } else {
        let mut out = String::new();
        for r in &requests {
            let age = store.age(&r.created).map(short_age).unwrap_or_else(|| "?".into());
            let cwd = shown(&r.cwd, render::PATH);
            out.push_str(&format!("{}  {age} ago  {}  in {cwd}\n", shown(&r.id, render::NAME), asker(&store, r)));
            out.push_str(&format!("    {}\n", shown(r.command.trim(), render::COMMAND)));
            out.push_str(&format!("    {}\n", judgement(&judge.judge(r).1)));
        }
        out.push_str("Decide with `guard approve ID` or `guard deny ID`.\n");
        out
    };
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(text.as_bytes()).and_then(|()| stdout.flush()) {
        Ok(()) => 0,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => 0,
        Err(e) => fail("pending", &format!("cannot write output: {e}")),
    }
}

/// `guard approve ID`.
pub fn approve(host: &Host, own: &Policy, id: &str) -> u8 {
    decide(host, own, id, true)
}

/// `guard deny ID`.
pub fn deny(host: &Host, own: &Policy, id: &str) -> u8 {
    decide(host, own, id, false)
}

/// Exit status: 0 decided, 1 the person said no or did not answer (nothing changed, except that
/// "no" to an approval denies it), 2 it could not be asked or done.
fn decide(host: &Host, own: &Policy, id: &str, approving: bool) -> u8 {
    let verb = if approving { "approve" } else { "deny" };
    if host.nested() {
        return fail(
            verb,
            "refusing: this runs inside a command guard is running (GUARD_ACTIVE is set), and a guarded \
             command must not decide requests; run it yourself, in your own terminal",
        );
    }
    let cfg = ApprovalConfig::from_settings(&own.settings, host);
    let store = match Store::open(&cfg) {
        Ok(s) => s,
        Err(e) => return fail(verb, &e.to_string()),
    };
    if !store.is_owner() {
        let uid = nix::unistd::geteuid().as_raw();
        return fail(verb, &Error::NotOwner { path: store.dir().to_path_buf(), owner: store.owner(), uid }.to_string());
    }
    let req = match store.get(id) {
        Ok(r) if r.state != super::State::Pending => {
            return fail(verb, &Error::AlreadyDecided { id: r.id, state: r.state }.to_string())
        }
        Ok(r) => r,
        Err(e) => return fail(verb, &e.to_string()),
    };
    // What the person's own guard makes of the command, where it would run; what the request
    // says about it counts for nothing.
    let (plan, verdict) = Judge::new(own, host).judge(&req);
    if approving && verdict.decision == Decision::Deny {
        return fail(
            verb,
            &format!(
                "refusing: your policy denies this command ({}), and a command guard denies cannot be \
                 approved; nothing changed (`guard deny {}` turns the request down)",
                denials(&verdict),
                req.id
            ),
        );
    }
    let mut info = PromptInfo::for_verdict(&plan, &verdict, &req.cwd, &asker(&store, &req), None);
    info.question = if approving {
        Question::Approve { id: req.id.clone(), expiry: cfg.expiry }
    } else {
        Question::Deny { id: req.id.clone() }
    };
    let found = Findings::of(&verdict);
    let approver = host.user().name.clone();
    let record = |action| record(host, own, &req, &plan, &verdict, action, &approver);
    let answer = prompt::ask(host, &info, &PromptOptions::from(&cfg));
    match (answer, approving) {
        (Answer::NoTerminal, _) => fail(
            verb,
            "refusing: deciding a request needs you at a terminal (there is no /dev/tty here, or this runs \
             in the background); run it in your own terminal; the request is still waiting",
        ),
        (Answer::TimedOut | Answer::Interrupted, _) => {
            eprintln!("guard {verb}: no answer; request {} is still waiting", req.id);
            1
        }
        (Answer::No, false) => {
            eprintln!("guard deny: request {} is still waiting", req.id);
            1
        }
        (Answer::Yes | Answer::Session | Answer::Always, true) => {
            // Recorded before it takes effect: an approval that cannot be logged is not given.
            if let Err(e) = record(Action::Approved) {
                return fail(verb, &format!("{e}; request {} is still waiting", req.id));
            }
            match store.decide(&req, super::State::Approved, &approver, &found) {
                Ok(_) => {
                    eprintln!(
                        "guard approve: approved {}: the command may run once, exactly as written, in {}, within {}",
                        req.id,
                        shown(&req.cwd, render::PATH),
                        short_age(cfg.expiry)
                    );
                    0
                }
                Err(e) => fail(verb, &e.to_string()),
            }
        }
        // "No" to an approval, or "yes" to a denial.
        _ => match store.decide(&req, super::State::Denied, &approver, &found) {
            Ok(_) => {
                if let Err(e) = record(Action::DeniedByHuman) {
                    eprintln!("guard {verb}: warning: the denial stands but was not logged: {e}");
                }
                eprintln!("guard {verb}: denied {}", req.id);
                if approving {
                    1
                } else {
                    0
                }
            }
            Err(e) => fail(verb, &e.to_string()),
        },
    }
}

/// Write the decision to the audit log, with the judgement it was made on.
fn record(
    host: &Host,
    own: &Policy,
    req: &Request,
    plan: &Plan,
    verdict: &Verdict,
    action: Action,
    approver: &str,
) -> Result<(), audit::AuditError> {
    let mut entry = Entry::new("approve", &req.agent, &host.at(req.cwd.clone().into()), plan, verdict, action);
    entry.approval_id = Some(req.id.clone());
    entry.approver = Some(approver.to_string());
    let recorded = audit::append(&AuditConfig::from_settings(&own.settings, host), entry)?;
    for w in recorded.warnings {
        eprintln!("guard: warning: {w}");
    }
    Ok(())
}

/// One line on what the caller's policy makes of a request, for `guard pending`.
fn judgement(verdict: &Verdict) -> String {
    let rules = || {
        let found = Findings::of(verdict);
        found.rules.iter().map(|r| shown(r, render::NAME)).collect::<Vec<_>>().join(", ")
    };
    match verdict.decision {
        Decision::Allow => "your policy: allow".to_string(),
        Decision::Ask => format!("your policy: ask ({})", rules()),
        Decision::Deny => format!("your policy: deny ({}); it cannot be approved", rules()),
    }
}

/// The rules that deny in `verdict`, with their messages.
fn denials(verdict: &Verdict) -> String {
    let found: Vec<String> = verdict
        .findings
        .iter()
        .filter(|f| f.decision == Decision::Deny)
        .map(|f| format!("{}: {}", shown(&f.rule, render::NAME), shown(f.message.trim(), render::MESSAGE)))
        .collect();
    let mut unique = Vec::new();
    for f in found {
        if !unique.contains(&f) {
            unique.push(f);
        }
    }
    unique.join("; ")
}

/// Who asks, for display: the agent the request names, and the account that filed it when that
/// is not the store's owner (an agent's own user), as the file's owner says rather than the file.
fn asker(store: &Store, r: &Request) -> String {
    let agent = shown(&r.agent, render::NAME);
    match r.requester_uid.filter(|&u| u != store.owner()) {
        Some(uid) => {
            let account = crate::environment::account(uid).unwrap_or_else(|| format!("uid {uid}"));
            format!("{agent} (user {})", shown(&account, render::NAME))
        }
        None => agent,
    }
}

/// Say why nothing was done, and exit 2. The message may quote a request: it is shown like one.
fn fail(verb: &str, message: &str) -> u8 {
    eprintln!("guard {verb}: {}", shown(message, 2 * render::COMMAND));
    2
}

/// `45s`, `3m`, `2h`, `1d`.
fn short_age(d: Duration) -> String {
    let s = d.as_secs();
    match s {
        0..=119 => format!("{s}s"),
        120..=7199 => format!("{}m", s / 60),
        7200..=172_799 => format!("{}h", s / 3600),
        _ => format!("{}d", s / 86_400),
    }
}

#[cfg(test)]
mod tests {
    use super::short_age;
    use std::time::Duration;

    #[test]
    fn ages_are_short() {
        for (s, want) in [(0, "0s"), (59, "59s"), (150, "2m"), (600, "10m"), (7200, "2h"), (200_000, "2d")] {
            assert_eq!(short_age(Duration::from_secs(s)), want);
        }
    }
}
