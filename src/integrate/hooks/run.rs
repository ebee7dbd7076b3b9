//! `guard hook HOST`: read the host's JSON from standard input, judge the command with the policy
//! in effect where the agent runs it, and write the answer. A panic anywhere, an unreadable
//! input or a failed write still ends in a refusal the host understands — never exit 1, which
//! these hosts take as "run it".

use std::io::{Read, Write};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::sync::OnceLock;
use std::time::Duration;

use super::{answer_with, failure, message, HookAnswer, Host, MAX_INPUT};
use crate::audit;
use crate::context::LiveContext;
use crate::host::Host as World;
use crate::judge;
use crate::plan::Plan;
use crate::policy::Verdict;

/// How long guard may take to answer. The hosts give a hook 30 s (as `guard install` writes)
/// and run the command when it times out; past this, guard answers deny itself.
pub const BUDGET: Duration = Duration::from_secs(10);

pub fn run(world: &World, host: Host) -> u8 {
    // Whoever answers first — the judging below, or the watchdog when the budget runs out — is
    // the only one to write an answer.
    // Past the budget the process ends either way: an answer already written stands (its exit
    // code in `CODE`), and recording it is given up.
    start_watchdog(host);
    let mut input = Vec::new();
    let read = std::io::stdin().lock().take(MAX_INPUT as u64 + 1).read_to_end(&mut input);
    let mut judged: Option<Judged> = None;
    let result = match read {
        Err(e) => failure(host, format!("guard could not read the hook input ({e}), so the command is blocked.")),
        Ok(_) => catch_unwind(AssertUnwindSafe(|| {
            let interactive = || {
                let process = super::gemini_session::host_process();
                super::gemini_session::interactive(|n| world.var(n).map(str::to_string), process.as_ref())
            };
            answer_with(host, &input, interactive, |host, command, cwd| {
                let here = world.in_dir(Path::new(cwd));
                let (plan, verdict, policy) = judge_in(&here, host, command);
                let contain_with = contain_with(&policy.settings.contain);
                judged = Some(Judged { plan, verdict: verdict.clone(), here, policy });
                (verdict, contain_with)
            })
        }))
        .unwrap_or_else(|_| failure(host, message::crashed())),
    };
    // The answer goes out first; recording it must not hold it back. From here the watchdog
    // only ends guard, with this answer's status. (When it has answered, guard is gone.)
    CODE.store(u8::try_from(result.exit_code).unwrap_or(2), Ordering::SeqCst);
    ANSWERED.store(true, Ordering::SeqCst);
    let code = emit(&result);
    record(world, host, &result, judged);
    code
}

/// Set by whoever writes the answer first: the judging, or the watchdog.
static ANSWERED: AtomicBool = AtomicBool::new(false);
/// The exit status of the answer written, for the watchdog to exit with.
static CODE: AtomicU8 = AtomicU8::new(2);
/// The watchdog's refusal, made before anything can hold guard up: its bytes and exit status.
static TOO_SLOW: OnceLock<(Vec<u8>, Vec<u8>, i32)> = OnceLock::new();

/// Ends guard when the budget runs out: with the refusal, unless an answer was written, then
/// with that answer's status. A timer signal rather than a thread: its handler only writes
/// bytes made beforehand and exits, which a signal handler may do, and it costs guard a few
/// system calls instead of a thread's start.
fn start_watchdog(host: Host) {
    let refusal = failure(host, message::too_slow(BUDGET.as_secs()));
    let _ = TOO_SLOW.set((refusal.stdout.into_bytes(), refusal.stderr.into_bytes(), refusal.exit_code));
    // SAFETY: installs a handler that does only what a signal handler may (atomics, write,
    // _exit), makes sure the signal is not blocked (a mask is inherited from whoever started
    // guard), then starts the process's timer.
    unsafe {
        let mut action: libc::sigaction = std::mem::zeroed();
        action.sa_sigaction = out_of_time as *const () as libc::sighandler_t;
        libc::sigemptyset(&mut action.sa_mask);
        libc::sigaction(libc::SIGALRM, &action, std::ptr::null_mut());
        let mut alarm: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut alarm);
        libc::sigaddset(&mut alarm, libc::SIGALRM);
        libc::pthread_sigmask(libc::SIG_UNBLOCK, &alarm, std::ptr::null_mut());
        libc::alarm(BUDGET.as_secs() as libc::c_uint);
    }
}

extern "C" fn out_of_time(_: libc::c_int) {
    let exit = |code: i32| -> ! {
        // SAFETY: _exit(2) may be called from a signal handler.
        unsafe { libc::_exit(code) }
    };
    if !ANSWERED.swap(true, Ordering::SeqCst) {
        let Some((stdout, stderr, code)) = TOO_SLOW.get() else { exit(2) };
        write_raw(2, stderr);
        // Exit 2 with a reason on stderr is the block every host understands.
        exit(if write_raw(1, stdout) { *code } else { 2 });
    }
    write_raw(2, b"guard: warning: recording this answer took too long; it was not recorded\n");
    exit(i32::from(CODE.load(Ordering::SeqCst)));
}

/// Writes all of `bytes` to `fd` with write(2) alone (no lock, no allocation), as a signal
/// handler may; whether it all went.
fn write_raw(fd: libc::c_int, mut bytes: &[u8]) -> bool {
    while !bytes.is_empty() {
        // SAFETY: write(2) from a live slice.
        let n = unsafe { libc::write(fd, bytes.as_ptr().cast(), bytes.len()) };
        if n < 0 && nix::errno::Errno::last() == nix::errno::Errno::EINTR {
            continue;
        }
        if n <= 0 {
            return false;
        }
        bytes = &bytes[n as usize..];
    }
    true
}

/// One audit line per hook call guard judged or refused to read.
fn record(world: &World, host: Host, result: &HookAnswer, judged: Option<Judged>) {
    let a = &result.audit;
    let Some(decision) = a.decision else { return };
    // The policy judging loaded is reused; it is loaded here only when nothing was judged.
    let Judged { plan, mut verdict, here, policy } = judged.unwrap_or_else(|| Judged {
        plan: Plan { source: a.command.clone().unwrap_or_default(), ..Plan::default() },
        verdict: Verdict::allow(),
        here: world.clone(),
        policy: judge::load_policy(world),
    });
    // What the agent was told: where the host cannot ask, an ask was answered as deny.
    verdict.decision = decision;
    let face = format!("hook:{}", host.name());
    let mut e = audit::Entry::new(&face, a.agent, &here, &plan, &verdict, audit::Action::Answered);
    e.session_id = a.session_id.clone();
    e.tool_use_id = a.tool_use_id.clone();
    match audit::append(&audit::AuditConfig::from_settings(&policy.settings, &here), e) {
        Ok(r) => r.warnings.iter().for_each(|w| eprintln!("guard: warning: {w}")),
        Err(err) => eprintln!("guard: warning: {err}"),
    }
}

/// Judge `command` as it will run: in the agent's directory (`here`), under the policy found
/// from there. When that directory is gone, the rules still see the path the agent named.
fn judge_in(here: &World, host: Host, command: &str) -> (Plan, Verdict, judge::Loaded) {
    let policy = judge::load_policy(here);
    let ctx = LiveContext::for_agent(here, host.name());
    let (plan, verdict) = judge::judge_text(&policy, &ctx, command, false);
    (plan, verdict, policy)
}

/// The guard to run an allowed command under, contained, when `settings.contain.hooks` asks
/// for it and this kernel can contain (else the command is allowed as it is: containment is
/// never pretended).
fn contain_with(settings: &crate::policy::settings::Contain) -> Option<String> {
    if !settings.hooks
        || crate::contain::unavailable(crate::contain::kernel::abi(), settings.network.is_some()).is_some()
    {
        return None;
    }
    std::env::current_exe().ok().map(|p| p.to_string_lossy().into_owned())
}

/// What was judged, where, and the policy in effect there (whose settings say where the log is).
struct Judged {
    plan: Plan,
    verdict: Verdict,
    here: World,
    policy: judge::Loaded,
}

fn emit(a: &HookAnswer) -> u8 {
    if !a.stderr.is_empty() {
        eprint!("{}", a.stderr);
    }
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_all(a.stdout.as_bytes()).and_then(|_| out.flush()) {
        // Exit 2 with a reason on stderr is the block every host understands.
        eprintln!("guard: cannot write the hook answer ({e}), so the command is blocked");
        return 2;
    }
    u8::try_from(a.exit_code).unwrap_or(2)
}
