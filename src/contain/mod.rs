//! Containment: what guard runs for an agent (or for anyone, when asked) runs with everything
//! it starts inside a Landlock scope, so that what judging could not see through (a script, a
//! compiled program, a package's install step) still cannot write where it must not: guard's
//! own files, the agents' hook settings, start-up files, keys, `/etc`, anything outside the
//! project, the temporary directories and the caches. Secret stores are unreadable unless the
//! command is one client a rule opens them for. guard itself stays outside the scope (it has
//! the audit log to write).
//!
//! When the kernel cannot contain, guard says so and runs what it judged, or with
//! `settings.contain: required` (and `--contain`) refuses: it never pretends.

pub mod kernel;
pub mod places;
pub mod refusals;
pub mod seccomp;
pub mod start;

use guard_core::policy::paths::OwnPaths;
use guard_core::policy::scope;
use guard_core::policy::settings::{Contain, ContainWhen};

use crate::host::Host;

/// Whether what guard runs now is to be contained: asked for (`--contain`), always by
/// settings, or by default for anyone but a person at their own terminal (an agent, a program,
/// a command a guard runs).
pub fn wanted(host: &Host, settings: &Contain, asked: bool) -> bool {
    asked
        || match settings.when {
            ContainWhen::Always => true,
            ContainWhen::Agents => !host.person_at_terminal(),
            ContainWhen::Off => false,
        }
}

/// A scope ready to apply to the command, and what is needed to explain refusals afterwards.
pub struct Active {
    pub abi: u32,
    pub scope: places::Scope,
    prepared: kernel::Prepared,
    pub seen: refusals::Seen,
    home: Option<String>,
    cwd: String,
}

/// Why the kernel cannot contain here, or `None` when it can (with `ports` asked for: limiting
/// the network too).
pub fn unavailable(abi: u32, ports: bool) -> Option<String> {
    match abi {
        0 => Some("this kernel has no Landlock (it is not built in, or not enabled at boot: add `landlock` to the lsm= boot parameter)".into()),
        a if a < kernel::MIN_ABI => Some(format!(
            "this kernel's Landlock (ABI {a}) cannot keep a command from truncating files; containment needs ABI {} (Linux 6.2 or later)",
            kernel::MIN_ABI
        )),
        a if ports && a < kernel::NET_ABI => Some(format!(
            "this kernel's Landlock (ABI {a}) cannot limit TCP connections, which settings.contain.network asks for; that needs ABI {} (Linux 6.7 or later)",
            kernel::NET_ABI
        )),
        _ => None,
    }
}

/// Work out the scope and build the kernel's ruleset for it.
pub fn prepare(
    host: &Host,
    settings: &Contain,
    own: &OwnPaths,
    open_secrets: bool,
    programs: &[String],
) -> Result<Active, String> {
    let abi = kernel::abi();
    if let Some(why) = unavailable(abi, settings.network.is_some()) {
        return Err(why);
    }
    let scope = places::scope(host, settings, own, open_secrets, programs);
    let prepared = kernel::prepare(&kernel::Rules {
        write: &scope.write,
        read: scope.read.as_deref(),
        ports: scope.ports.as_deref(),
    })?;
    Ok(Active {
        abi,
        scope,
        prepared,
        seen: Default::default(),
        home: host.home().map(|h| h.to_string_lossy().into_owned()),
        cwd: host.cwd_text(),
    })
}

impl Active {
    /// How the audit log names the scope.
    pub fn label(&self) -> String {
        format!("landlock ABI {}", self.abi)
    }

    /// Has `cmd` run inside the scope, entered between fork and exec; returns what watches for
    /// refusals.
    pub fn apply_to(self, cmd: &mut std::process::Command) -> Watching {
        let (prepared, watching) = self.split();
        prepared.apply_to(cmd);
        watching
    }

    /// The ruleset, to be entered by the child that starts the command, and what watches for
    /// refusals.
    pub fn split(self) -> (kernel::Prepared, Watching) {
        (self.prepared, Watching { scope: self.scope, seen: self.seen, home: self.home, cwd: self.cwd })
    }
}

/// A contained command on its way, and what its messages said about refusals.
pub struct Watching {
    scope: places::Scope,
    pub seen: refusals::Seen,
    home: Option<String>,
    cwd: String,
}

impl Watching {
    /// Once the command has ended: each path its messages said it was refused that lies
    /// outside the scope, with the class it is in and what would open it.
    pub fn out_of_scope(&self) -> Vec<String> {
        let lines = self.seen.lock().map(|l| l.clone()).unwrap_or_default();
        let mut out = Vec::new();
        for line in lines {
            for path in refusals::paths_in(&line, &self.cwd, self.home.as_deref()) {
                if let Some(why) =
                    scope::why_refused(&path, &self.scope.writable, &self.scope.protected, &self.scope.secret)
                {
                    if !out.contains(&why) {
                        out.push(why);
                    }
                }
            }
        }
        out
    }
}

/// The scope as a person reads it, for `guard explain` and `guard doctor`.
pub fn describe(host: &Host, settings: &Contain, own: &OwnPaths, open_secrets: bool, programs: &[String]) -> String {
    use std::fmt::Write;
    let abi = kernel::abi();
    let mut s = String::new();
    let when = match settings.when {
        ContainWhen::Agents => "for agents and programs (anyone but a person at their own terminal)",
        ContainWhen::Always => "always",
        ContainWhen::Off => "off (only with --contain)",
    };
    let _ = writeln!(s, "  kernel: Landlock ABI {abi}{}", if abi == 0 { " (none)" } else { "" });
    let _ = writeln!(s, "  when: {when}{}", if settings.required { "; required" } else { "" });
    if let Some(why) = unavailable(abi, settings.network.is_some()) {
        let then = if settings.required {
            "commands that should be contained are refused"
        } else {
            "commands run judged only"
        };
        let _ = writeln!(s, "  cannot contain here: {why}; {then}");
        return s;
    }
    let scope = places::scope(host, settings, own, open_secrets, programs);
    for (path, why) in &scope.writable {
        let _ = writeln!(s, "  writable: {path} ({})", why.describe());
    }
    for (path, why) in &scope.left_out {
        let _ = writeln!(s, "  note: {path}: {why}");
    }
    let _ = writeln!(
        s,
        "  never writable: guard's own files, agents' hook settings, shell start-up files, keys and credentials, /etc ({} paths)",
        scope.protected.len()
    );
    match &scope.read {
        None => {
            let _ = writeln!(s, "  readable: everything (a rule opened the secret stores)");
        }
        Some(_) => {
            let _ = writeln!(
                s,
                "  unreadable: secret stores ({} paths), unless the command is one client a rule opens them for \
                 (`effects: [open_secrets]`)",
                scope.secret.len()
            );
        }
    }
    match &scope.ports {
        None => {
            let _ = writeln!(s, "  network: not limited");
        }
        Some(p) => {
            let _ = writeln!(s, "  network: TCP connections to ports {p:?} only");
        }
    }
    let _ = writeln!(s, "  rules: {} grants", scope.write.len() + scope.read.as_ref().map_or(0, Vec::len));
    s
}

/// The programs `plan` runs, by name (the shell's builtins aside): what opening the secret
/// stores is checked against.
pub fn programs(plan: &crate::plan::Plan) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for inv in plan.invocations.iter().filter(|i| !i.is_remote()) {
        if let Some(p) = inv.program_name() {
            if !crate::shell::programs::runs_in_shell(p) && !out.iter().any(|o| o == p) {
                out.push(p.to_string());
            }
        }
    }
    out
}

/// Whether the secret stores a rule opened for `plan` may stay open: only for a command that is
/// one client and nothing else — one invocation of a program named by a bare word, every word
/// known before it runs, no variable set on it, no redirection, no shell around it (the shell
/// running a line would read what the line asks with the stores open: `gh "$(< ~/.aws/…)"`) —
/// and not when a variable that loads code is set in guard's environment. (Where variables
/// that point a client elsewhere lead is checked against the scope when it is worked out.)
pub fn opens_secrets(plan: &crate::plan::Plan, host: &Host, opened: bool) -> bool {
    let [inv] = plan.invocations.as_slice() else { return false };
    let literal = |w: &crate::plan::Word| w.as_literal().is_some() && !w.glob;
    opened
        && plan.issues.is_empty()
        && plan.functions.is_empty()
        && inv.via.is_empty()
        && inv.assignments.is_empty()
        && inv.redirects.is_empty()
        && !inv.calls_function
        && inv.code.is_none()
        && inv.program.as_literal().is_some_and(|p| !p.contains('/'))
        && inv.args.iter().all(literal)
        && !scope::CODE_VARIABLES.iter().any(|v| host.var_os(v).is_some())
}

/// Says once (per kernel and reason, noted in guard's state directory) that what should have
/// been contained runs judged only.
pub fn warn_once(host: &Host, why: &str) {
    let release = nix::sys::utsname::uname().map(|u| u.release().to_string_lossy().into_owned()).unwrap_or_default();
    let note = format!("{release}\n{why}\n");
    let marker = host.state_dir().map(|d| d.join("containment-unavailable"));
    if let Some(m) = &marker {
        if std::fs::read_to_string(m).is_ok_and(|t| t == note) {
            return;
        }
    }
    eprintln!(
        "guard: warning: commands run for agents are not contained here: {why}. They run judged only; \
         `settings.contain: required` refuses them instead. (Said once for this kernel.)"
    );
    if let Some(m) = marker {
        let _ = m.parent().map(std::fs::create_dir_all);
        let _ = std::fs::write(m, note);
    }
}
