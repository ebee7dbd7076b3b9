//! `guard hook HOST`: read the host's JSON from standard input, judge the command with the policy
//! in effect where the agent runs it, and write the answer. A panic anywhere, an unreadable
//! input or a failed write still ends in a refusal the host understands — never exit 1, which
//! these hosts take as "run it".

use std::io::{Read, Write};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::process::ExitCode;

use super::{answer, failure, message, HookAnswer, Host, MAX_INPUT};
use crate::context::LiveContext;
use crate::judge;
use crate::policy::Verdict;

pub fn run(host: Host) -> ExitCode {
    let mut input = Vec::new();
    let read = std::io::stdin().lock().take(MAX_INPUT as u64 + 1).read_to_end(&mut input);
    let result = match read {
        Err(e) => failure(host, format!("guard could not read the hook input ({e}), so the command is blocked.")),
        Ok(_) => catch_unwind(AssertUnwindSafe(|| answer(host, &input, |command, cwd| judge_in(host, command, cwd))))
            .unwrap_or_else(|_| failure(host, message::crashed())),
    };
    // The audit log takes `result.audit` once it exists.
    emit(&result)
}

/// Judge `command` as it will run: in the agent's directory, under the policy found from there.
fn judge_in(host: Host, command: &str, cwd: &str) -> Verdict {
    let here = std::env::current_dir().unwrap_or_else(|_| "/".into());
    let dir = if cwd.is_empty() { here } else { here.join(cwd) };
    // The parser reads `$PWD` and the policy loader finds `.guard.yaml` from the process's
    // directory; when the agent's is gone, the rules still see the path it named.
    let _ = std::env::set_current_dir(&dir);
    let policy = judge::load_policy();
    let ctx = LiveContext::for_cwd(&dir.to_string_lossy(), host.name());
    judge::judge_text(policy, &ctx, command, false).1
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
