//! `guard hook HOST`: read the host's JSON from standard input, judge the command with the policy
//! in effect where the agent runs it, and write the answer. A panic anywhere, an unreadable
//! input or a failed write still ends in a refusal the host understands — never exit 1, which
//! these hosts take as "run it".

use std::io::{Read, Write};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::time::Duration;

use super::{answer, failure, message, HookAnswer, Host, MAX_INPUT};
use crate::audit;
use crate::context::LiveContext;
use crate::host::Host as World;
use crate::judge;
use crate::plan::Plan;
use crate::policy::settings::Settings;
use crate::policy::Verdict;

/// How long guard may take to answer. The hosts give a hook 30 s (as `guard install` writes)
/// and run the command when it times out; past this, guard answers deny itself.
pub const BUDGET: Duration = Duration::from_secs(10);

pub fn run(world: &World, host: Host) -> ExitCode {
    // Whoever answers first — the judging below, or the watchdog when the budget runs out — is
    // the only one to write an answer.
    // Past the budget the process ends either way: an answer already written stands (its exit
    // code in `CODE`), and recording it is given up.
    static ANSWERED: AtomicBool = AtomicBool::new(false);
    static CODE: AtomicU8 = AtomicU8::new(2);
    std::thread::spawn(move || {
        std::thread::sleep(BUDGET);
        if !ANSWERED.swap(true, Ordering::SeqCst) {
            let code = emit(&failure(host, message::too_slow(BUDGET.as_secs())));
            let _ = std::io::stdout().flush();
            std::process::exit(if code == ExitCode::SUCCESS { 0 } else { 2 });
        }
        eprintln!("guard: warning: recording this answer took too long; it was not recorded");
        std::process::exit(i32::from(CODE.load(Ordering::SeqCst)));
    });
    let mut input = Vec::new();
    let read = std::io::stdin().lock().take(MAX_INPUT as u64 + 1).read_to_end(&mut input);
    let mut judged: Option<Judged> = None;
    let result = match read {
        Err(e) => failure(host, format!("guard could not read the hook input ({e}), so the command is blocked.")),
        Ok(_) => catch_unwind(AssertUnwindSafe(|| {
            answer(host, &input, |command, cwd| {
                let here = world.in_dir(Path::new(cwd));
                let (plan, verdict, settings) = judge_in(&here, host, command);
                judged = Some(Judged { plan, verdict: verdict.clone(), here, settings });
                verdict
            })
        }))
        .unwrap_or_else(|_| failure(host, message::crashed())),
    };
    if ANSWERED.swap(true, Ordering::SeqCst) {
        // The watchdog answered (and is exiting): say nothing more.
        std::thread::sleep(BUDGET);
    }
    // The answer goes out first; recording it must not hold it back.
    CODE.store(u8::try_from(result.exit_code).unwrap_or(2), Ordering::SeqCst);
    let code = emit(&result);
    record(world, host, &result, judged);
    code
}

/// One audit line per hook call guard judged or refused to read.
fn record(world: &World, host: Host, result: &HookAnswer, judged: Option<Judged>) {
    let a = &result.audit;
    let Some(decision) = a.decision else { return };
    // The settings judging loaded are reused; the policy is loaded here only when nothing was.
    let Judged { plan, mut verdict, here, settings } = judged.unwrap_or_else(|| Judged {
        plan: Plan { source: a.command.clone().unwrap_or_default(), ..Plan::default() },
        verdict: Verdict::allow(),
        here: world.clone(),
        settings: judge::load_policy(world).settings,
    });
    // What the agent was told: where the host cannot ask, an ask was answered as deny.
    verdict.decision = decision;
    let face = format!("hook:{}", host.name());
    let mut e = audit::Entry::new(&face, a.agent, &here.cwd_text(), &plan, &verdict, audit::Action::Answered);
    e.session_id = a.session_id.clone();
    e.tool_use_id = a.tool_use_id.clone();
    match audit::append(&audit::AuditConfig::from_settings(&settings, &here), e) {
        Ok(r) => r.warnings.iter().for_each(|w| eprintln!("guard: warning: {w}")),
        Err(err) => eprintln!("guard: warning: {err}"),
    }
}

/// Judge `command` as it will run: in the agent's directory (`here`), under the policy found
/// from there. When that directory is gone, the rules still see the path the agent named.
fn judge_in(here: &World, host: Host, command: &str) -> (Plan, Verdict, Settings) {
    let policy = judge::load_policy(here);
    let ctx = LiveContext::for_agent(here, host.name());
    let (plan, verdict) = judge::judge_text(&policy, &ctx, command, false);
    (plan, verdict, policy.settings)
}

/// What was judged, where, and the settings in effect there (which say where the log is).
struct Judged {
    plan: Plan,
    verdict: Verdict,
    here: World,
    settings: Settings,
}

fn emit(a: &HookAnswer) -> ExitCode {
    if !a.stderr.is_empty() {
        eprint!("{}", a.stderr);
    }
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_all(a.stdout.as_bytes()).and_then(|_| out.flush()) {
        // Exit 2 with a reason on stderr is the block every host understands.
        eprintln!("guard: cannot write the hook answer ({e}), so the command is blocked");
        return ExitCode::from(2);
    }
    ExitCode::from(u8::try_from(a.exit_code).unwrap_or(2))
}
