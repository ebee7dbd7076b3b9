//! One run of guard as a shell or a prefix: read what would run, judge it, then run it, ask a
//! human, or refuse — and record the decision.

use std::ffi::OsString;
use std::io::{IsTerminal, Read};
use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

use super::approve::{self, Channel};
use super::args::{self, Face, Globals, ShellArgs};
use super::claude_wrapper;
use super::direct::{self, Direct};
use super::once;
use super::outcome::{self, Reader, Refusal};
use super::recording::{self, Tap};
use super::{pty, shell, spawn, Masking, OutputFilter, Passthrough, REFUSED};
use crate::approval::ApprovalConfig;
use crate::audit::{self, Action, AuditConfig, Entry};
use crate::contain;
use crate::context::LiveContext;
use crate::host::{Host, ACTIVE_VAR};
use crate::mask::Masker;
use crate::plan::Plan;
use crate::policy::engine::OPEN_SECRETS;
use crate::policy::paths::OwnPaths;
use crate::policy::settings::Settings;
use crate::policy::{Decision, Verdict};
use crate::{judge, shell as parser};

/// `guard [GLOBALS] <bash arguments>` or `guard [GLOBALS] -- PROGRAM ARGS…`. `argv` is read
/// (lossily, as text); `raw`, the same arguments as given, is what the child receives.
pub fn main(host: &Host, argv: &[String], raw: &[OsString]) -> u8 {
    let (globals, face) = match args::parse(argv) {
        Ok(x) => x,
        Err(e) => {
            eprintln!("guard: {e}");
            return 2;
        }
    };
    // What follows guard's own options is a tail of the arguments, in both forms.
    let tail = |n: usize| &raw[raw.len() - n..];
    let code = match face {
        Face::Shell(s) => {
            let raw = tail(s.argv.len());
            // `guard 'STRING'` from Claude Code's shell prefix runs as `guard -c 'STRING'`.
            let s = args::command_string_form(s, |_| raw.first().is_some_and(|w| args::names_script(w)));
            let raw: Vec<OsString> = if s.argv.len() == raw.len() {
                raw.to_vec()
            } else {
                ["-c".into()].into_iter().chain(raw.to_vec()).collect()
            };
            run_shell(host, &globals, s, &raw, false)
        }
        Face::Prefix(argv) => {
            let raw = tail(argv.len());
            run_prefix(host, &globals, argv, raw, false)
        }
    };
    code.clamp(0, 255) as u8
}

/// `guard once 'COMMAND'` or `guard once -- PROGRAM ARGS…` (`args` are what follows `once`):
/// judged and run as `guard -c` and `guard --` would, except that a denial may be overridden
/// this once by the person at the terminal (see [`once`]).
pub fn once_main(host: &Host, args: &[OsString]) -> u8 {
    let raw = match once::runner_args(args) {
        Ok(r) => r,
        Err(usage) => {
            eprintln!("guard once: {usage}");
            return 2;
        }
    };
    let argv: Vec<String> = raw.iter().map(|a| a.to_string_lossy().into_owned()).collect();
    let code = match args::parse(&argv) {
        Ok((g, Face::Shell(s))) => run_shell(host, &g, s, &raw, true),
        Ok((g, Face::Prefix(p))) => run_prefix(host, &g, p, &raw[1..], true),
        Err(e) => {
            eprintln!("guard once: {e}");
            return 2;
        }
    };
    code.clamp(0, 255) as u8
}

/// What will run, as judged and as handed to the child.
struct Job<'a> {
    face: &'static str,
    plan: Plan,
    verdict: Verdict,
    command: Command,
    /// The command's `argv[0]`, when not its program (std cannot tell it back).
    arg0: Option<OsString>,
    /// The status of a no-op builtin, when nothing needs to start at all.
    status: Option<i32>,
    /// Bytes to feed the child's stdin (a script guard had to read to judge).
    feed: Option<Vec<u8>>,
    settings: &'a Settings,
    /// guard's own places, which a contained command may never write.
    own: OwnPaths,
    /// `guard once`: a denial may be overridden by the person at the terminal.
    once: bool,
}

/// The policy for this run, or why the run is refused: what could loosen guard (observe mode,
/// `--policy` as one's own layer) counts only from a person at their own terminal, and never
/// against a locked system policy.
fn policy_for(host: &Host, g: &Globals) -> Result<judge::Loaded, String> {
    let person = || host.person_at_terminal();
    let policy = judge::load_policy_with(host, &g.policy, !g.policy.is_empty() && person());
    if g.observe && !g.dry_run {
        if policy.settings.locked {
            return Err("refused: --mode observe would run what policy refuses, and the system policy (/etc/guard) is locked; run it \
                 without --mode observe"
                .into());
        }
        if !person() {
            return Err(
                "refused: --mode observe would run what policy refuses, and only a person at their own terminal \
                 may ask for it (not a command guard runs, nor an agent, nor a process without a terminal); run it \
                 without --mode observe"
                    .into(),
            );
        }
    }
    Ok(policy)
}

fn run_shell(host: &Host, g: &Globals, s: ShellArgs, raw: &[OsString], once: bool) -> i32 {
    let policy = match policy_for(host, g) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("guard: {e}");
            return REFUSED as i32;
        }
    };
    let person = || !policy.settings.locked && host.person_at_terminal();
    let real = match shell::real_shell(host, policy.settings.shell.as_deref(), &person) {
        Ok((p, warnings)) => {
            warnings.iter().for_each(|w| eprintln!("guard: warning: {w}"));
            p
        }
        Err(e) => {
            eprintln!("guard: {e}");
            return if e.starts_with("refused") { REFUSED as i32 } else { 127 };
        }
    };
    let stdin_tty = std::io::stdin().is_terminal();
    if s.command.is_none() && s.script.is_none() && stdin_tty {
        return interactive(&real, &s);
    }
    let mut feed = None;
    let mut args: Vec<OsString> = raw.to_vec();
    let text = if let Some(c) = &s.command {
        c.clone()
    } else if s.script.is_some() {
        let path = std::path::Path::new(&raw[s.operands]);
        let cap = parser::Limits::default().max_bytes as u64;
        let bytes = match crate::small_file::read_named(path, cap) {
            Ok(b) => b,
            // What cannot be read cannot be judged, and must not be left for the shell to open.
            Err(e) => {
                eprintln!("guard: {}: cannot read the script to judge it ({e}); nothing was run", path.display());
                return if e.is_missing() { 127 } else { REFUSED as i32 };
            }
        };
        if bytes.len() as u64 > cap {
            eprintln!(
                "guard: refused: the script {} holds more than {} KiB, more than guard judges; nothing was run",
                path.display(),
                cap / 1024
            );
            return REFUSED as i32;
        }
        match judged_script(path, &bytes) {
            Ok(Script::Stdin) => {
                // A pipe or FIFO (`guard <(…)`) gives its text once: the shell reads what was
                // judged on its standard input.
                args[s.operands] = "/dev/stdin".into();
                feed = Some(bytes.clone());
            }
            // A file could change between guard's reading and the shell's: the shell runs the
            // bytes judged, with the script's name as `$0` and its arguments as `$1…`.
            Ok(Script::Code(code)) => {
                args.splice(s.operands..s.operands, ["-c".into(), code]);
            }
            Err(e) => {
                eprintln!("guard: {}: {e}; nothing was run", path.display());
                return REFUSED as i32;
            }
        }
        String::from_utf8_lossy(&bytes).into_owned()
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
    // As a shell started by name sees itself: `bash: line 1: …` in its messages, not a path.
    let mut arg0 = real.file_name().unwrap_or(real.as_os_str()).to_owned();
    std::os::unix::process::CommandExt::arg0(&mut command, &arg0);
    command.args(&args);
    // Text that was not UTF-8 was read lossily: only the shell gets its exact bytes.
    let exact = raw.iter().all(|a| a.to_str().is_some());
    // Claude Code's wrapper runs whole, but what is judged, shown and approved is the model's
    // command inside it: the rest is Claude Code's, and names a new file on every call. Text
    // read lossily is judged whole.
    let wrapped = s.command.as_deref().filter(|c| exact && s.argv.len() == s.operands + 1 && claude_wrapper::may_be(c));
    let wrapped = wrapped.and_then(|c| {
        claude_wrapper::recognise(
            c,
            &claude_wrapper::Places::from_vars(nix::unistd::getuid().as_raw(), |n| host.var(n).map(str::to_string)),
        )
    });
    let text = wrapped.as_ref().map_or(text, |w| w.command.clone());
    let ctx = LiveContext::new(host);
    let (plan, verdict) = judge::judge_text(&policy, &ctx, &text, false);
    let mut status = None;
    // Nor is a wrapper's command run on its own.
    let direct = exact && wrapped.is_none();
    match s.command.as_deref().filter(|_| direct).and_then(|t| plain(host, &real, &s, t, &plan)) {
        Some(Direct::Status(n)) => status = Some(n),
        Some(Direct::Program(words)) => {
            if let Some(file) = direct::resolve(&words[0], host.var_os("PATH")) {
                use std::os::unix::process::CommandExt;
                command = Command::new(&file);
                command.arg0(&words[0]).args(&words[1..]).envs(direct::environment(host, &file));
                arg0 = words[0].clone().into();
            }
        }
        None => {}
    }
    let own = policy.own_paths(&ctx);
    let face = if once { "once" } else { "shell" };
    let arg0 = Some(arg0);
    act(host, g, Job { face, plan, verdict, command, arg0, status, feed, settings: &policy.settings, own, once })
}

/// How the shell gets a script's judged bytes.
enum Script {
    /// On its standard input, as `/dev/stdin`.
    Stdin,
    /// As `-c CODE`: the text itself, or for a long script (over what one argument may hold)
    /// `. /dev/fd/N`, a sealed in-memory copy the shell inherits.
    Code(OsString),
}

/// The longest `-c` text passed as it is (Linux caps one argument at 128 KiB).
const MAX_CODE_ARGUMENT: usize = 120 << 10;

fn judged_script(path: &std::path::Path, bytes: &[u8]) -> Result<Script, String> {
    use std::os::unix::ffi::OsStringExt;
    if std::fs::metadata(path).is_ok_and(|m| !m.is_file()) {
        return Ok(Script::Stdin);
    }
    if bytes.len() <= MAX_CODE_ARGUMENT && !bytes.contains(&0) {
        return Ok(Script::Code(OsString::from_vec(bytes.to_vec())));
    }
    use nix::sys::memfd::{memfd_create, MFdFlags};
    use std::io::Write;
    let fd = memfd_create(c"guard-script", MFdFlags::MFD_ALLOW_SEALING)
        .map_err(|e| format!("cannot keep a copy of the script to run ({e})"))?;
    let mut file = std::fs::File::from(fd);
    file.write_all(bytes).map_err(|e| format!("cannot keep a copy of the script to run ({e})"))?;
    let seals = libc::F_SEAL_SEAL | libc::F_SEAL_SHRINK | libc::F_SEAL_GROW | libc::F_SEAL_WRITE;
    // SAFETY: fcntl on a descriptor this function owns.
    unsafe { libc::fcntl(std::os::fd::AsRawFd::as_raw_fd(&file), libc::F_ADD_SEALS, seals) };
    // Left open, without close-on-exec, for the shell to read; guard execs or waits, so it lives
    // as long as needed.
    let n = std::os::fd::IntoRawFd::into_raw_fd(file);
    // SAFETY: clearing FD_CLOEXEC on the descriptor just taken over.
    unsafe { libc::fcntl(n, libc::F_SETFD, 0) };
    Ok(Script::Code(format!(". /dev/fd/{n}").into()))
}

/// What to do instead of starting bash, when bash would only exec a plain command.
fn plain(host: &Host, real: &std::path::Path, s: &ShellArgs, text: &str, plan: &Plan) -> Option<Direct> {
    let is_bash = real.file_name().is_some_and(|n| n.to_string_lossy().starts_with("bash"));
    let ok = is_bash && direct::plain_options(&s.argv) && direct::plain_environment(host.vars());
    ok.then(|| direct::direct(text, plan)).flatten()
}

fn run_prefix(host: &Host, g: &Globals, argv: Vec<String>, raw: &[OsString], once: bool) -> i32 {
    let policy = match policy_for(host, g) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("guard: {e}");
            return REFUSED as i32;
        }
    };
    let ctx = LiveContext::new(host);
    let (plan, verdict) = judge::judge_argv(&policy, &ctx, &argv);
    let mut command = Command::new(&raw[0]);
    command.args(&raw[1..]);
    let own = policy.own_paths(&ctx);
    let face = if once { "once" } else { "prefix" };
    let settings = &policy.settings;
    act(host, g, Job { face, plan, verdict, command, arg0: None, status: None, feed: None, settings, own, once })
}

/// Decide, then run or refuse, and record it.
fn act(host: &Host, g: &Globals, mut job: Job) -> i32 {
    if g.dry_run {
        eprint!("{}", judge::render_verdict(&job.plan, &job.verdict));
        return crate::policy::verdict::exit_code(job.verdict.decision) as i32;
    }
    let agent = host.agent();
    let cwd = host.cwd_text();
    let audit_cfg = AuditConfig::from_settings(job.settings, host);
    let entry = |job: &Job, action: Action| Entry::new(job.face, agent, host, &job.plan, &job.verdict, action);
    let reader = || Reader::of(host, host.person_at_terminal(), &job.plan, &job.verdict, job.settings.locked);
    let mut approval: Option<(Option<String>, String)> = None;
    let mut overridden = false;
    // Containment is worked out before anyone is asked: a run that must be contained and
    // cannot be is refused before a person spends an answer on it. (A denial `guard once`
    // overrides runs too.)
    let mut contained = None;
    if (job.verdict.decision != Decision::Deny || job.once)
        && job.status.is_none()
        && contain::wanted(host, &job.settings.contain, g.contain)
    {
        let open = contain::opens_secrets(&job.plan, host, job.verdict.effects.iter().any(|e| e == OPEN_SECRETS));
        match contain::prepare(host, &job.settings.contain, &job.own, open, &contain::programs(&job.plan)) {
            Ok(active) => contained = Some(active),
            Err(why) if g.contain || job.settings.contain.required => {
                record(&audit_cfg, entry(&job, Action::Refused));
                let asked = if g.contain { "--contain asks" } else { "settings.contain says it is required" };
                eprintln!(
                    "guard: refused: this command is to run contained ({asked}), and it cannot be: {why}. Nothing \
                     was run. Run it where the kernel has Landlock, or without containment."
                );
                return REFUSED as i32;
            }
            Err(why) => contain::warn_once(host, &why),
        }
    }
    let action = match job.verdict.decision {
        Decision::Allow => Action::Ran,
        _ if g.observe => Action::Observed,
        Decision::Deny if job.once => {
            let cfg = ApprovalConfig::from_settings(job.settings, host);
            match once::confirm(host, &job.plan, &job.verdict, job.settings.locked, &cfg) {
                Ok(who) => {
                    approval = Some((None, who));
                    overridden = true;
                    Action::Ran
                }
                Err((action, why)) => {
                    record(&audit_cfg, entry(&job, action));
                    // Never the `guard once` line again: it was just refused.
                    let r = match reader() {
                        Reader::Agent => Reader::Agent,
                        Reader::Person { .. } => Reader::Person { once: None },
                    };
                    eprint!("{}{why}", outcome::render(&job.plan, &job.verdict, &Refusal::Denied, &r));
                    return REFUSED as i32;
                }
            }
        }
        Decision::Deny => {
            record(&audit_cfg, entry(&job, Action::Refused));
            eprint!("{}", outcome::render(&job.plan, &job.verdict, &Refusal::Denied, &reader()));
            return REFUSED as i32;
        }
        Decision::Ask => match approve::resolve(
            host,
            &job.plan,
            &job.verdict,
            agent,
            &cwd,
            Channel::Any,
            &ApprovalConfig::from_settings(job.settings, host),
        ) {
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
                eprint!("{}", outcome::render(&job.plan, &job.verdict, &why, &reader()));
                return REFUSED as i32;
            }
        },
    };
    let mut before = entry(&job, action);
    before.contained = contained.as_ref().map(contain::Active::label);
    if let Some((id, who)) = &approval {
        before.approval_id = id.clone();
        before.approver = Some(who.clone());
    }
    // A decision that cannot be recorded: by default what is allowed runs with a warning (its
    // line is written when it ends); what needed approval, or runs only because of observe
    // mode, is recorded before it runs, and not run if that fails. `settings.audit.on_failure`
    // can turn either way round.
    if job.verdict.decision != Decision::Allow {
        let mut first = before.clone();
        first.action = if overridden {
            Action::Overridden
        } else if approval.is_some() {
            Action::Approved
        } else {
            Action::Observed
        };
        match audit::append(&audit_cfg, first) {
            Ok(r) => r.warnings.iter().for_each(|w| eprintln!("guard: warning: {w}")),
            Err(e) => {
                // An override that cannot be recorded is not made, whatever the settings say.
                if overridden || !job.settings.unrecorded_asked_runs {
                    let why = Refusal::Unrecorded(e.to_string());
                    eprint!("{}", outcome::render(&job.plan, &job.verdict, &why, &reader()));
                    return REFUSED as i32;
                }
                eprintln!("guard: warning: {e}; running anyway, as settings.audit.on_failure.asked says");
            }
        }
    } else if !job.settings.unrecorded_allowed_runs {
        if let Err(e) = audit::writable(&audit_cfg) {
            let why = Refusal::Unrecorded(e.to_string());
            eprint!("{}", outcome::render(&job.plan, &job.verdict, &why, &reader()));
            return REFUSED as i32;
        }
    }
    let started = Instant::now();
    let mask = masking(host, &job.verdict, job.settings);
    let record_output = crate::record::requested(g.record, job.settings.record, host);
    let (code, recording, watching) = run(host, &mut job, mask, record_output, contained);
    let mut after = before;
    after.exit = Some(code);
    after.duration_ms = Some(started.elapsed().as_millis() as u64);
    after.recording = recording;
    // What a command says about refusals is its own word: read only from a command that
    // failed, and told as what it reported.
    if let Some(w) = watching.filter(|_| code != 0) {
        after.out_of_scope = w.out_of_scope();
        if !after.out_of_scope.is_empty() {
            for why in &after.out_of_scope {
                eprintln!("guard: contained: the command reported a refusal: {why}");
            }
            eprintln!(
                "guard: that was containment refusing, not a fault in the command; `guard explain` shows the scope, \
                 and settings.contain in your policy file changes it"
            );
        }
    }
    record(&audit_cfg, after);
    code
}

pub fn record(cfg: &AuditConfig, e: Entry) {
    match audit::append(cfg, e) {
        Ok(r) => r.warnings.iter().for_each(|w| eprintln!("guard: warning: {w}")),
        Err(e) => eprintln!("guard: warning: {e}"),
    }
}

/// Whether secrets in the output are masked: as `settings.mask_output` says — by default when
/// a matching rule says `mask_output`, and whenever an agent is calling (what it sees goes to
/// a model provider). `GUARD_MASK=always|never` overrides for one run.
/// `GUARD_MASK=never` unmasks only for a person at their own terminal, and not under a locked
/// system policy: an agent must not be able to turn masking off for itself.
fn masking(host: &Host, v: &Verdict, settings: &Settings) -> bool {
    let by_policy = settings.mask_output.applies(v.effects.iter().any(|e| e == "mask_output"), host.agent() != "human");
    match host.var("GUARD_MASK") {
        Some("always") => true,
        Some("never") if !settings.locked && host.person_at_terminal() => false,
        Some("never") if by_policy => {
            eprintln!(
                "guard: warning: GUARD_MASK=never is ignored here: only a person at their own terminal may turn \
                 masking off"
            );
            true
        }
        _ => by_policy,
    }
}

fn masker() -> Box<dyn OutputFilter + Send> {
    Box::new(Masking(Masker::new(guard_rules::detectors())))
}

/// Run the job: on a pty when a person is at the terminal (and guard is its foreground job),
/// else with guard's own stdio. With `record`, what it shows is recorded too (its output then
/// passes through guard even without a terminal); returns the exit status and where the
/// recording is. A no-op builtin shows nothing, so there is nothing to record.
fn run(
    host: &Host,
    job: &mut Job,
    mask: bool,
    record: bool,
    contained: Option<contain::Active>,
) -> (i32, Option<String>, Option<contain::Watching>) {
    if let Some(code) = job.status {
        return (code, None, None);
    }
    job.command.env(ACTIVE_VAR, "1");
    // In the background at a terminal, guard leaves it to the foreground job and runs on its
    // own stdio, still masking and recording what passes.
    let on_pty = job.feed.is_none()
        && std::io::stdin().is_terminal()
        && std::io::stdout().is_terminal()
        && pty::in_foreground(std::os::fd::AsFd::as_fd(&std::io::stdin()));
    let size = on_pty.then(|| pty::terminal_size().unwrap_or((80, 24)));
    // On a pty the command is started by a fork that sets up its terminal: it enters the scope
    // there too. Otherwise a child that enters it and execs starts the command.
    let (scope, watching) = match contained {
        Some(a) if on_pty => (None, Some(a.apply_to(&mut job.command))),
        Some(a) => {
            let (prepared, watching) = a.split();
            (Some(prepared), Some(watching))
        }
        None => (None, None),
    };
    let seen = watching.as_ref().map(|w| w.seen.clone());
    // A contained command's messages pass a watch for refusals on their way.
    let watched = |f: Box<dyn OutputFilter + Send>| -> Box<dyn OutputFilter + Send> {
        match &seen {
            Some(s) => Box::new(contain::refusals::Watch::new(f, s.clone())),
            None => f,
        }
    };
    let rec = if record { recording::begin(host, &job.plan.source, size) } else { None };
    let filter = || -> Box<dyn OutputFilter + Send> {
        let shown: Box<dyn OutputFilter + Send> = if mask { masker() } else { Box::new(Passthrough) };
        match &rec {
            Some(r) => Box::new(Tap::new(shown, r, (!mask).then(masker))),
            None => shown,
        }
    };
    let cmd = std::mem::replace(&mut job.command, Command::new("true"));
    let result = if on_pty {
        pty::run(cmd, &mut *watched(filter()))
    } else {
        // A script read from stdin to be judged goes to the shell through a pipe.
        let through = mask || rec.is_some();
        let filters = [through.then(filter), (through || seen.is_some()).then(|| watched(filter()))];
        // With a recording, what is left running is still waited for: the recording ends when
        // guard does.
        spawn::run(cmd, job.arg0.take(), filters, job.feed.take(), scope, rec.is_none())
    };
    let link = rec.map(|r| {
        let done = r.finish();
        if let Some(problem) = done.problem {
            eprintln!("guard: warning: {problem}");
        }
        done.path.to_string_lossy().into_owned()
    });
    let code = match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("guard: {e}");
            e.exit_code()
        }
    };
    (code, link, watching)
}

/// Plain `guard` at a terminal: the real shell, interactive, with guard's integration loaded.
fn interactive(real: &std::path::Path, s: &ShellArgs) -> i32 {
    let me = std::env::current_exe().unwrap_or_else(|_| PathBuf::from("guard"));
    let mut cmd = Command::new(real);
    let rc = std::env::temp_dir().join(format!("guard-rc-{}.bash", std::process::id()));
    let text = format!(
        "[ -f /etc/bash.bashrc ] && . /etc/bash.bashrc\n[ -f ~/.bashrc ] && . ~/.bashrc\n\
         eval \"$({} init bash)\"\nrm -f {}\n\
         [ -n \"${{__guard_bash_hooked-}}\" ] && printf '%s\\n' \
         'guard: active: every line you type is judged before bash runs it; type exit (or Ctrl-D) to leave' >&2\n",
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

/// `guard check --interactive`, for the shell integrations: a line typed at a prompt. An ask is
/// put to the person at the terminal; the exit status says whether the shell may run the line
/// (0) or not (20). Every answer is recorded.
pub fn check_interactive(host: &Host, plan: &Plan, verdict: &Verdict, settings: &Settings) -> u8 {
    use crate::policy::verdict::exit_code;
    let face = host.var("GUARD_FACE").unwrap_or("check");
    let agent = host.agent();
    let cwd = host.cwd_text();
    let cfg = AuditConfig::from_settings(settings, host);
    let mut e = Entry::new(face, agent, host, plan, verdict, Action::Answered);
    // A shell's line editor may give guard no terminal on stdin (zsh's widgets read /dev/null):
    // at a prompt, the controlling terminal is the person's.
    let person = once::at_a_prompt(host);
    let reader = || Reader::of(host, person, plan, verdict, settings.locked);
    let code = match verdict.decision {
        // `guard once …` typed by a person: it asks for the confirmation itself, and records it.
        Decision::Deny if person && !settings.locked && once::typed_at_prompt(plan, verdict) => 0,
        Decision::Ask => match approve::resolve(
            host,
            plan,
            verdict,
            agent,
            &cwd,
            Channel::Terminal,
            &ApprovalConfig::from_settings(settings, host),
        ) {
            Ok((id, who)) => {
                e.action = Action::Approved;
                e.approval_id = id;
                e.approver = Some(who);
                0
            }
            Err((action, why)) => {
                e.action = action;
                eprint!("{}", outcome::render(plan, verdict, &why, &reader()));
                exit_code(Decision::Deny)
            }
        },
        Decision::Deny => {
            eprint!("{}", outcome::render(plan, verdict, &Refusal::Denied, &reader()));
            exit_code(Decision::Deny)
        }
        Decision::Allow => 0,
    };
    record(&cfg, e);
    code
}
