//! What the deciding person's own guard makes of a request. A request file is written by
//! whoever asks — in the two-user setup, the agent — so the rules and messages in it are only
//! what the requester says. `guard pending`, `guard approve` and `guard deny` judge the command
//! again, with the caller's own policy (the layers `guard check` loads, with the project files
//! of the request's directory) as if it ran in that directory, and show, record and act on that.

use std::collections::HashMap;
use std::os::unix::fs::MetadataExt;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

use super::render::{self, shown};
use super::store::Request;
use crate::context::LiveContext;
use crate::host::Host;
use crate::plan::{Plan, Span};
use crate::policy::verdict::Finding;
use crate::policy::{Decision, Policy, Severity, Verdict};
use crate::policy_files::{self, Locations};

/// Judges requests with the caller's policy, loading it once for each set of project files.
pub struct Judge {
    /// The caller's world.
    host: Host,
    /// Warnings about policy files already printed (by the caller's own loading, or here).
    printed: Vec<String>,
    policies: HashMap<Vec<PathBuf>, Policy>,
}

impl Judge {
    /// `own` is the policy the caller already loaded (and warned about).
    pub fn new(own: &Policy, host: &Host) -> Judge {
        Judge { host: host.clone(), printed: own.warnings.clone(), policies: HashMap::new() }
    }

    /// The command of `req` judged with the caller's policy, as if it ran in the request's
    /// directory for the agent it names. A failure inside guard is a deny.
    pub fn judge(&mut self, req: &Request) -> (Plan, Verdict) {
        let here = self.host.at(PathBuf::from(&req.cwd));
        let loc = locations(&here);
        if !self.policies.contains_key(&loc.project) {
            let policy = policy_files::load(&loc);
            for w in &policy.warnings {
                if !self.printed.contains(w) {
                    // A project file's path is the request's directory.
                    eprintln!("guard: warning: {}", shown(w, render::MESSAGE));
                    self.printed.push(w.clone());
                }
            }
            self.policies.insert(loc.project.clone(), policy);
        }
        judge_in(&self.policies[&loc.project], &here, req)
    }
}

/// Where the caller's policy is: the system's and the caller's own files, and the project files
/// of the request's directory and its parents that a policy load there would count — regular
/// files, not links, of the caller's or root's. A directory that is not absolute has none.
fn locations(here: &Host) -> Locations {
    let dir = here.cwd();
    let mut loc = Locations::of(here);
    let me = nix::unistd::geteuid().as_raw();
    loc.project.retain(|p| {
        dir.is_absolute()
            && std::fs::symlink_metadata(p).is_ok_and(|m| m.file_type().is_file() && (m.uid() == me || m.uid() == 0))
    });
    loc
}

fn judge_in(policy: &Policy, here: &Host, req: &Request) -> (Plan, Verdict) {
    let judged = catch_unwind(AssertUnwindSafe(|| {
        let ctx = LiveContext::for_agent(here, &req.agent);
        let mut env = crate::environment::for_parser(here, &req.command);
        // Where it runs, not where the person decides; where that was is unknown.
        env.vars.remove("OLDPWD");
        if Path::new(&req.cwd).is_absolute() {
            env.vars.insert("PWD".into(), req.cwd.clone());
        } else {
            env.vars.remove("PWD");
        }
        let plan = crate::shell::analyze(&req.command, &env);
        let verdict = policy.judge(&plan, &ctx);
        (plan, verdict)
    }));
    judged.unwrap_or_else(|_| {
        let plan = Plan { source: req.command.clone(), ..Plan::default() };
        let mut v = Verdict::allow();
        v.add(Finding {
            rule: "guard.internal-error".into(),
            decision: Decision::Deny,
            severity: Severity::High,
            message: "guard failed while judging this command, so it cannot be approved".into(),
            span: Span::new(0, req.command.len()),
            text: crate::explain::clip(&req.command, 60),
            invocation: None,
            tags: vec!["fail-safe".into()],
        });
        (plan, v)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::approval::store::State;

    fn request(command: &str, cwd: &str) -> Request {
        Request {
            id: "1234abcd".into(),
            command: command.into(),
            cwd: cwd.into(),
            created: "2026-04-20T09:00:00Z".into(),
            agent: "claude".into(),
            rules: vec!["note.harmless".into()],
            messages: vec!["only reads".into()],
            state: State::Pending,
            decided: None,
            expires: None,
            approver: None,
            requester_uid: None,
        }
    }

    fn rules(v: &Verdict) -> Vec<&str> {
        v.findings.iter().filter(|f| f.decision != Decision::Allow).map(|f| f.rule.as_str()).collect()
    }

    #[test]
    fn the_command_is_judged_where_it_runs_and_what_the_request_says_counts_for_nothing() {
        let own = Policy::from_packs(guard_rules::BUILTIN.packs());
        let mut judge = Judge::new(&own, &Host::from_process());
        let (_, v) = judge.judge(&request("git push --force origin feature", "/home/u/proj"));
        assert_eq!(v.decision, Decision::Ask);
        assert!(rules(&v).contains(&"git.force-push") && !rules(&v).contains(&"note.harmless"), "{v:?}");
        let (_, v) = judge.judge(&request("git status", "/home/u/proj"));
        assert_eq!(v.decision, Decision::Allow, "{v:?}");
        // `..` is the parent of the request's directory, `/`, not of the directory the tests run in.
        let (plan, v) = judge.judge(&request("rm -rf ..", "/home"));
        assert_eq!(plan.source, "rm -rf ..");
        assert_eq!(v.decision, Decision::Deny, "{v:?}");
    }

    #[test]
    fn project_files_count_only_as_a_policy_load_there_would_count_them_and_never_through_a_link() {
        let tmp = tempfile::tempdir().unwrap();
        let proj = tmp.path().join("proj");
        std::fs::create_dir(&proj).unwrap();
        let cwd = proj.to_str().unwrap();
        assert!(locations(&Host::from_process().at(cwd.into())).project.is_empty());
        std::fs::write(proj.join(".guard.yaml"), "rules: []\n").unwrap();
        assert_eq!(locations(&Host::from_process().at(cwd.into())).project, [proj.join(".guard.yaml")]);
        std::fs::rename(proj.join(".guard.yaml"), tmp.path().join("elsewhere.yaml")).unwrap();
        std::os::unix::fs::symlink(tmp.path().join("elsewhere.yaml"), proj.join(".guard.yaml")).unwrap();
        assert!(locations(&Host::from_process().at(cwd.into())).project.is_empty(), "a link");
        std::fs::remove_file(proj.join(".guard.yaml")).unwrap();
        nix::unistd::mkfifo(&proj.join(".guard.yaml"), nix::sys::stat::Mode::from_bits_truncate(0o644)).unwrap();
        assert!(locations(&Host::from_process().at(cwd.into())).project.is_empty(), "a FIFO");
        assert!(
            locations(&Host::from_process().at("proj".into())).project.is_empty(),
            "a directory that is not absolute"
        );
    }
}
