//! One run of guard as a shell or a prefix: read what would run, judge it, then run it, ask a
//! human, or refuse — and record the decision.

use std::io::{IsTerminal, Read};
use std::path::PathBuf;
use std::process::{Command, ExitCode, Stdio};
use std::time::Instant;

use super::args::{self, Face, Globals, ShellArgs};
use super::outcome::{self, Refusal};
use super::{pty, shell, spawn, Passthrough, REFUSED};
use crate::audit::{self, Action, AuditConfig, Entry};
use crate::context::{agent_from_env, LiveContext};
use crate::plan::Plan;
use crate::policy::{Decision, Verdict};
use crate::{judge, shell as parser};

/// Set in the environment of everything guard runs: a guarded command cannot answer guard's
/// own prompts or approve its own requests.
pub const ACTIVE_VAR: &str = "GUARD_ACTIVE";

/// `guard [GLOBALS] <bash arguments>` or `guard [GLOBALS] -- PROGRAM ARGS…`.
pub fn main(argv: &[String]) -> ExitCode {
    let (globals, face) = match args::parse(argv) {
        Ok(x) => x,
        Err(e) => {
            eprintln!("guard: {e}");
            return ExitCode::from(2);
        }
    };
    let code = match face {
        Face::Shell(s) => run_shell(&globals, s),
        Face::Prefix(argv) => run_prefix(&globals, argv),
    };
    ExitCode::from(code.clamp(0, 255) as u8)
}

/// What will run, as judged and as handed to the child.
struct Job {
    face: &'static str,
    plan: Plan,
    verdict: Verdict,
    command: Command,
    /// Bytes to feed the child's stdin (a script guard had to read to judge).
    feed: Option<Vec<u8>>,
}

fn run_shell(g: &Globals, s: ShellArgs) -> i32 {
    let real = match shell::real_shell() {
        Ok(p) => p,
        Err(e) => {
            eprintln!("guard: {e}");
            return 127;
        }
    };
    let stdin_tty = std::io::stdin().is_terminal();
    if s.command.is_none() && s.script.is_none() && stdin_tty {
        return interactive(&real, &s);
    }
    let mut feed = None;
    let text = if let Some(c) = &s.command {
        c.clone()
    } else if let Some(script) = &s.script {
        // An unreadable script is the real shell's to report; there is nothing to judge.
        std::fs::read(script).map(|b| String::from_utf8_lossy(&b).into_owned()).unwrap_or_default()
    } else {
        let mut buf = Vec::new();
        if let Err(e) = std::io::stdin().read_to_end(&mut buf) {
            eprintln!("guard: cannot read the commands on standard input: {e}");
            return 2;
        }
        let text = String::from_utf8_lossy(&buf).into_owned();
        feed = Some(buf);
        text
    };
    let mut command = Command::new(&real);
    command.args(&s.argv);
    if feed.is_some() {
        command.stdin(Stdio::piped());
    }
    let policy = judge::load_policy_with(&g.policy);
    let ctx = LiveContext::from_process();
    let (plan, verdict) = judge::judge_text(policy, &ctx, &text, false);
    act(g, Job { face: "shell", plan, verdict, command, feed })
}

fn run_prefix(g: &Globals, argv: Vec<String>) -> i32 {
    let policy = judge::load_policy_with(&g.policy);
    let ctx = LiveContext::from_process();
    let (plan, verdict) = judge::judge_argv(policy, &ctx, &argv);
    let mut command = Command::new(&argv[0]);
    command.args(&argv[1..]);
    act(g, Job { face: "prefix", plan, verdict, command, feed: None })
}

/// Decide, then run or refuse, and record it.
fn act(g: &Globals, mut job: Job) -> i32 {
    if g.dry_run {
        eprint!("{}", judge::render_verdict(&job.plan, &job.verdict));
        return crate::policy::verdict::exit_code(job.verdict.decision) as i32;
    }
    let agent = agent_from_env();
    let audit_cfg = AuditConfig::default();
    let entry = |job: &Job, action: Action| Entry::new(job.face, &agent, &job.plan, &job.verdict, action);
    let mut approval: Option<(String, String)> = None;
    let action = match job.verdict.decision {
        Decision::Allow => Action::Ran,
        _ if g.observe => Action::Observed,
        Decision::Deny => {
            record(&audit_cfg, entry(&job, Action::Refused));
            eprint!("{}", outcome::render(&job.plan, &job.verdict, Refusal::Denied));
            return REFUSED as i32;
        }
        Decision::Ask => match super::approve::resolve(&job.plan, &job.verdict, &agent) {
            Ok(a) => {
                approval = Some(a);
                Action::Ran
            }
            Err((action, why)) => {
                let mut e = entry(&job, action);
                if let Refusal::Unattended { id: Some(id), .. } = &why {
                    e.approval_id = Some(id.to_string());
                }
                record(&audit_cfg, e);
                eprint!("{}", outcome::render(&job.plan, &job.verdict, why));
                return REFUSED as i32;
            }
        },
    };
    // A decision that cannot be recorded: run what is allowed with a warning; do not run what
    // needed approval or policy forbids.
    let mut before = entry(&job, action);
    if let Some((id, who)) = &approval {
        before.approval_id = Some(id.clone());
        before.approver = Some(who.clone());
    }
    let started = Instant::now();
    let code = run(&mut job);
    let mut after = before;
    after.exit = Some(code);
    after.duration_ms = Some(started.elapsed().as_millis() as u64);
    if let Err(e) = audit::append(&audit_cfg, after) {
        eprintln!("guard: warning: {e}");
    }
    code
}

fn record(cfg: &AuditConfig, e: Entry) {
    match audit::append(cfg, e) {
        Ok(r) => r.warnings.iter().for_each(|w| eprintln!("guard: warning: {w}")),
        Err(e) => eprintln!("guard: warning: {e}"),
    }
}

/// Run the job: on a pty when a person is at the terminal, else with guard's own stdio.
fn run(job: &mut Job) -> i32 {
    job.command.env(ACTIVE_VAR, "1");
    let result = if job.feed.is_none() && std::io::stdin().is_terminal() && std::io::stdout().is_terminal() {
        let cmd = std::mem::replace(&mut job.command, Command::new("true"));
        pty::run(cmd, &mut Passthrough)
    } else if let Some(bytes) = job.feed.take() {
        feed_and_wait(&mut job.command, bytes)
    } else {
        let cmd = std::mem::replace(&mut job.command, Command::new("true"));
        spawn::run(cmd)
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("guard: {e}");
            if e.contains("No such file") || e.contains("not found") {
                127
            } else {
                126
            }
        }
    }
}

/// A script read from stdin to be judged is handed to the shell through a pipe, with signals
/// passed on as for any other command.
fn feed_and_wait(cmd: &mut Command, bytes: Vec<u8>) -> Result<i32, String> {
    spawn::run_feeding(std::mem::replace(cmd, Command::new("true")), Some(bytes))
}

/// Plain `guard` at a terminal: the real shell, interactive, with guard's integration loaded.
fn interactive(real: &std::path::Path, s: &ShellArgs) -> i32 {
    let me = std::env::current_exe().unwrap_or_else(|_| PathBuf::from("guard"));
    let mut cmd = Command::new(real);
    let rc = std::env::temp_dir().join(format!("guard-rc-{}.bash", std::process::id()));
    let text = format!(
        "[ -f /etc/bash.bashrc ] && . /etc/bash.bashrc\n[ -f ~/.bashrc ] && . ~/.bashrc\n\
         eval \"$({} init bash)\"\nrm -f {}\n",
        parser::shell_quote(&me.to_string_lossy()),
        parser::shell_quote(&rc.to_string_lossy())
    );
    if let Err(e) = std::fs::write(&rc, text) {
        eprintln!("guard: cannot write the shell start-up file {}: {e}", rc.display());
        return 2;
    }
    cmd.arg("--rcfile").arg(&rc).arg("-i").args(&s.argv);
    match cmd.status() {
        Ok(st) => super::exit_code(st),
        Err(e) => {
            eprintln!("guard: cannot start {}: {e}", real.display());
            127
        }
    }
}
