#![no_main]

use std::io::{Read, Write};

use clap::Parser;
use guard::cli::{Cli, Command, RulesAction};
use guard::context::LiveContext;
use guard::host::Host;
use guard::policy::verdict::exit_code;
use guard::{explain, judge, rules_cmd};

// guard starts without std's runtime start-up (`no_main`): on every call that costs a read of
// /proc/self/maps, an alternate signal stack and a dozen system calls (about a tenth of a
// `guard hook`), only to print a message on a stack overflow. What of it guard needs is in
// `main` below. Arguments still come through std (glibc hands them over before `main`).
#[no_mangle]
extern "C" fn main(_argc: std::ffi::c_int, _argv: *const *const std::ffi::c_char) -> std::ffi::c_int {
    guard::process_start::as_std_would();
    // A panic is caught here rather than unwound out of `main`, which would abort; 101 is the
    // status std gives it.
    let code = std::panic::catch_unwind(guard_main).unwrap_or(101);
    // `exit` flushes standard output as returning from std's `main` would.
    std::process::exit(code.into())
}

fn guard_main() -> u8 {
    // `guard -c 'CMD'`, `guard -lc …`, `guard -- PROG ARGS…`, plain `guard`: guard stands in for
    // the shell. Anything else is a subcommand.
    // Arguments need not be UTF-8 (file names in other encodings): guard reads them lossily
    // and hands the real shell or program the bytes exactly as given.
    let raw: Vec<std::ffi::OsString> = std::env::args_os().skip(1).collect();
    let args: Vec<String> = raw.iter().map(|a| a.to_string_lossy().into_owned()).collect();
    // The world as guard finds it, once; everything below is handed it. Like the policy, it
    // lasts until the process exits, and is not freed just before.
    let host = std::mem::ManuallyDrop::new(Host::from_process());
    if guard::run::args::is_runner_invocation(&args, &raw) {
        return guard::run::session::main(&host, &args, &raw);
    }
    // `guard once -- PROG ARGS…`: read here, as clap would take its `--` away.
    if raw.first().is_some_and(|a| a == "once") && !raw.get(1).is_some_and(|a| a == "--help" || a == "-h") {
        return guard::run::session::once_main(&host, &raw[1..]);
    }
    // The subcommands called before every command are read without building clap's parser.
    let command = guard::cli::parse_hot(&raw).unwrap_or_else(|| Cli::parse().command);
    match command {
        Command::Explain { json, file, command } => {
            let text = match read_command(file, &command) {
                Ok(t) => t,
                Err(e) => {
                    eprintln!("guard explain: {e}");
                    return 2;
                }
            };
            let policy = judge::load_policy(&host);
            let ctx = LiveContext::new(&host);
            let (plan, verdict) = judge::judge_text(&policy, &ctx, &text, true);
            // The scope this command would run in, were it run for an agent here.
            let opened = verdict.effects.iter().any(|e| e == guard::policy::engine::OPEN_SECRETS);
            let open = guard::contain::opens_secrets(&plan, &host, opened);
            let programs = guard::contain::programs(&plan);
            let scope =
                guard::contain::describe(&host, &policy.settings.contain, &policy.own_paths(&ctx), open, &programs);
            let out = if json {
                let mut v = serde_json::to_value(&plan).expect("a Plan always serialises");
                v["verdict"] = serde_json::to_value(&verdict).expect("a Verdict always serialises");
                v["containment"] = serde_json::Value::String(scope);
                serde_json::to_string_pretty(&v).expect("JSON values serialise") + "\n"
            } else {
                let mut s = explain::render_plan(&plan);
                s.push_str("\nVerdict: ");
                s.push_str(&judge::render_verdict(&plan, &verdict));
                s.push_str(&judge::render_trace(&verdict));
                s.push_str("\nContainment (when run for an agent):\n");
                s.push_str(&scope);
                s
            };
            write_stdout(out.as_bytes())
        }
        Command::Check { json, null, file, command, interactive } => {
            let policy = judge::load_policy(&host);
            if file.is_none() && command.is_empty() {
                return match judge::batch(&policy, &host, json, null) {
                    Ok(d) => exit_code(d),
                    Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => 0,
                    Err(e) => {
                        eprintln!("guard check: {e}");
                        2
                    }
                };
            }
            let text = match read_command(file, &command) {
                Ok(t) => t,
                Err(e) => {
                    eprintln!("guard check: {e}");
                    return 2;
                }
            };
            let ctx = LiveContext::new(&host);
            let (plan, verdict) = judge::judge_text(&policy, &ctx, &text, false);
            if interactive {
                return guard::run::session::check_interactive(&host, &plan, &verdict, &policy.settings);
            }
            let out = if json {
                serde_json::to_string(&judge::verdict_json(&plan, &verdict)).expect("JSON values serialise") + "\n"
            } else {
                judge::render_verdict(&plan, &verdict)
            };
            let code = write_stdout(out.as_bytes());
            if code != 0 {
                return code;
            }
            exit_code(verdict.decision)
        }
        Command::Rules { action } => {
            let (out, code) = match action {
                RulesAction::List { json } => rules_cmd::list(&judge::load_policy(&host), json),
                RulesAction::Show { id } => rules_cmd::show(&judge::load_policy(&host), &id),
                RulesAction::Lint { files } => rules_cmd::lint(&host, &judge::load_policy(&host), &files),
                RulesAction::Test { files } => rules_cmd::test(&host, &files),
            };
            let w = write_stdout(out.as_bytes());
            if w != 0 {
                return w;
            }
            code
        }
        Command::Log(args) => guard::audit::cli::run(&host, &args, &mut std::io::stdout().lock()),
        Command::Hook { host: agent } => guard::integrate::hooks::run::run(&host, agent),
        Command::Install(args) => guard::integrate::install::run(&host, &args),
        Command::Init { shell } => write_stdout(guard::integrate::shell_init::for_this_binary(shell).as_bytes()),
        Command::Doctor => guard::doctor::run(&host, &judge::load_policy(&host)),
        Command::Pending { json } => guard::approval::cli::pending(&host, &judge::load_policy(&host), json),
        Command::Approve { id } => guard::approval::cli::approve(&host, &judge::load_policy(&host), &id),
        Command::Deny { id } => guard::approval::cli::deny(&host, &judge::load_policy(&host), &id),
        Command::Completions { shell } => write_stdout(&guard::cli::completions(shell)),
        Command::Once { args } => {
            let args: Vec<std::ffi::OsString> = args.into_iter().map(Into::into).collect();
            guard::run::session::once_main(&host, &args)
        }
    }
}

fn read_command(file: Option<std::path::PathBuf>, words: &[String]) -> Result<String, String> {
    if let Some(path) = file {
        // The parser judges at most its input limit; reading past it would only cost time.
        let cap = guard::shell::Limits::default().max_bytes as u64;
        let bytes = guard::small_file::read_named(&path, cap)
            .map_err(|e| format!("cannot read {}: {e}; check the path and permissions", path.display()))?;
        if bytes.len() as u64 > cap {
            return Err(format!(
                "the script {} holds more than {} KiB, more than guard judges; judge it in parts",
                path.display(),
                cap / 1024
            ));
        }
        return Ok(String::from_utf8_lossy(&bytes).into_owned());
    }
    if words.len() == 1 && words[0] == "-" {
        let mut buf = Vec::new();
        std::io::stdin().read_to_end(&mut buf).map_err(|e| format!("cannot read standard input: {e}"))?;
        return Ok(String::from_utf8_lossy(&buf).into_owned());
    }
    Ok(words.join(" "))
}

fn write_stdout(bytes: &[u8]) -> u8 {
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|_| out.flush()) {
        Ok(()) => 0,
        // A closed pipe (`guard explain … | head`) is not an error worth reporting.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => 0,
        Err(e) => {
            eprintln!("guard: cannot write output: {e}");
            2
        }
    }
}
