//! Remembering an answer: the pattern a "this session" or "always" answer stands for, and
//! whether a later command falls under it. Pure: no I/O ([`super::memory`] keeps the patterns).
//!
//! A pattern is shell text, read by the same parser as commands. It matches a command whose Plan
//! has the same invocations, reached the same way, word for word: a pattern word with unquoted
//! glob characters matches by glob (`*` never crosses `/` nor matches a leading `.`), every other
//! word exactly. The pattern offered keeps the command as it is except its last variable operand,
//! which is cut at a boundary: `git push --force origin feature/x` → `… origin feature/*`.
//!
//! Nothing is offered where a broad "yes" would be dangerous or meaningless: a deny, shells and
//! interpreters (their code is the command, and it is not in the words), privilege changes,
//! recursive deletion outside the working directory, pipes into the network, words known only
//! at run time, or findings on more than one command.

use std::collections::BTreeSet;

use crate::plan::{Invocation, Plan, Via, Word};
use crate::policy::{Decision, Verdict};
use crate::shell::programs::{interpreter_language, is_shell};
use crate::shell::{analyze, Env};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern {
    /// Shell text; see the module documentation for how it matches.
    pub text: String,
    /// The rules whose asks it answers, sorted.
    pub rules: Vec<String>,
}

/// Programs that change who runs a command.
const PRIVILEGED: &[&str] = &["sudo", "doas", "su", "pkexec", "runuser", "run0", "sg", "newgrp", "chroot", "nsenter"];

/// Programs that run code or commands given as text, beyond those the parser knows as shells
/// and interpreters.
const RUNS_CODE: &[&str] =
    &["eval", "source", ".", "exec", "xargs", "parallel", "ssh", "watch", "script", "expect", "trap", "builtin"];

/// Programs that send data over the network (the `network_clients` list of the built-in packs).
const NETWORK: &[&str] = &[
    "curl",
    "wget",
    "nc",
    "ncat",
    "netcat",
    "socat",
    "telnet",
    "ftp",
    "tftp",
    "sftp",
    "scp",
    "rsync",
    "ssh",
    "http",
    "https",
    "xh",
    "aria2c",
    "fetch",
    "lftp",
    "smbclient",
    "whois",
    "ab",
];

/// The pattern to offer for "this session" and "always", or `None` when remembering this
/// command would be unsafe.
pub fn generalise(plan: &Plan, verdict: &Verdict) -> Option<Pattern> {
    let (inv, rules) = rememberable(plan, verdict)?;
    let exact = Pattern { text: plan.source.trim().to_string(), rules };
    let check_env = Env::new("/nonexistent/home", "/nonexistent/cwd");
    let original = analyze(&plan.source, &check_env);
    if let Some((word, glob)) = operand_to_generalise(plan, &plan.invocations[inv]) {
        let mut text = plan.source.clone();
        text.replace_range(word.span.start..word.span.end, &glob);
        let wider = Pattern { text: text.trim().to_string(), rules: exact.rules.clone() };
        // The splice must leave the command's shape alone: checked by reading it back.
        if wider.matches(&original, &check_env) && wider.text != exact.text {
            return Some(wider);
        }
    }
    exact.matches(&original, &check_env).then_some(exact)
}

/// The one invocation the asks are about and the ids of the rules that asked, when the command
/// is one whose approval may be remembered at all.
pub fn rememberable(plan: &Plan, verdict: &Verdict) -> Option<(usize, Vec<String>)> {
    if verdict.decision != Decision::Ask || verdict.findings.iter().any(|f| f.decision == Decision::Deny) {
        return None;
    }
    if plan.incomplete() || !plan.functions.is_empty() || plan.invocations.is_empty() {
        return None;
    }
    let asks: Vec<_> = verdict.findings.iter().filter(|f| f.decision == Decision::Ask).collect();
    let inv = asks.first()?.invocation?;
    if asks.iter().any(|f| f.invocation != Some(inv)) || inv >= plan.invocations.len() {
        return None;
    }
    if !plan.invocations.iter().all(|i| safe_to_remember(plan, i)) {
        return None;
    }
    let rules: BTreeSet<String> = asks.iter().map(|f| f.rule.clone()).collect();
    Some((inv, rules.into_iter().collect()))
}

fn safe_to_remember(plan: &Plan, inv: &Invocation) -> bool {
    let Some(name) = inv.program_name() else { return false };
    let plain_via =
        inv.via.iter().all(|v| matches!(v, Via::Wrapper { program } if !PRIVILEGED.contains(&program.as_str())));
    let words = inv
        .argv()
        .chain(inv.assignments.iter().map(|a| &a.value))
        .chain(inv.redirects.iter().map(|r| &r.target))
        .all(|w| w.as_literal().is_some() && !w.glob);
    let to_network_device = inv
        .redirects
        .iter()
        .any(|r| r.target.as_literal().is_some_and(|t| t.starts_with("/dev/tcp/") || t.starts_with("/dev/udp/")));
    let piped_to_network = NETWORK.contains(&name) && inv.pipeline.is_some_and(|p| p.stage > 0);
    plain_via
        && words
        && inv.depth == 0
        && inv.code.is_none()
        && !inv.calls_function
        && !is_shell(name)
        && interpreter_language(name).is_none()
        && !PRIVILEGED.contains(&name)
        && !RUNS_CODE.contains(&name)
        && !to_network_device
        && !piped_to_network
        && !(name == "rm" && deletes_outside_cwd(inv))
        && plan.ancestors(inv).iter().all(|a| a.program_name().is_some_and(|n| !PRIVILEGED.contains(&n)))
}

/// `rm` told to recurse, with an operand that is not a relative path below the working directory.
fn deletes_outside_cwd(inv: &Invocation) -> bool {
    let mut recursive = false;
    let mut operands = Vec::new();
    let mut options_done = false;
    for w in &inv.args {
        let t = w.as_literal().unwrap_or("/");
        if !options_done && t == "--" {
            options_done = true;
        } else if !options_done && t.starts_with("--") {
            recursive |= t == "--recursive";
        } else if !options_done && t.len() > 1 && t.starts_with('-') {
            recursive |= t.contains(['r', 'R']);
        } else {
            operands.push(t);
        }
    }
    recursive
        && operands.iter().any(|t| {
            t.is_empty()
                || t.starts_with('/')
                || t.starts_with('~')
                || t.split('/').any(|c| c == "..")
                || t.split('/').all(|c| c.is_empty() || c == ".")
        })
}

/// The last operand worth generalising and the glob to put in its place. An operand right
/// after an option may be that option's value (`-n prod`), so one that is not is preferred.
/// The first word after the program is kept when it reads like a subcommand (`git push`).
fn operand_to_generalise<'a>(plan: &Plan, inv: &'a Invocation) -> Option<(&'a Word, String)> {
    let args = &inv.args;
    let mut operands = Vec::new();
    let mut options_done = false;
    for (i, w) in args.iter().enumerate() {
        let t = w.as_literal()?;
        if !options_done && t == "--" {
            options_done = true;
        } else if options_done || !t.starts_with('-') || t == "-" {
            operands.push(i);
        }
    }
    let after_option = |i: usize| {
        i > 0
            && args[i - 1].as_literal().is_some_and(|p| {
                (p.len() == 2 && p.starts_with('-') && p != "--")
                    || (p.starts_with("--") && p.len() > 2 && !p.contains('='))
            })
    };
    operands.retain(|&i| i > 0 || !args[0].as_literal().is_some_and(looks_like_subcommand));
    let pick = operands.iter().rev().find(|&&i| !after_option(i)).or(operands.last()).copied()?;
    let word = &args[pick];
    let raw = plan.text(word.span);
    // Only words written plainly: the glob is spliced into the text, and quoting or expansion
    // would make the prefix mean something else there.
    let plain = raw.chars().all(|c| c.is_ascii_alphanumeric() || "-_./:=@%+,".contains(c))
        || raw
            .strip_prefix("~/")
            .is_some_and(|r| r.chars().all(|c| c.is_ascii_alphanumeric() || "-_./:=@%+,".contains(c)));
    if !plain || !word.as_literal()?.ends_with(raw.trim_start_matches('~')) {
        return None;
    }
    Some((word, glob_at_boundary(raw)?))
}

fn looks_like_subcommand(word: &str) -> bool {
    word.starts_with(|c: char| c.is_ascii_lowercase())
        && word.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// `feature/x` → `feature/*`, `web-7f9c6` → `web-*`; `None` when there is no boundary with a
/// meaningful part before it (`main`, `./build`, `/x`) or the rest is hidden (`build/.cache`).
fn glob_at_boundary(word: &str) -> Option<String> {
    let body = word.trim_end_matches('/');
    let trail = &word[body.len()..];
    let cut = match body.rfind('/') {
        Some(i) => i + 1,
        None => body.rfind(['-', '.', '_', ':', '@', '='])? + 1,
    };
    let (prefix, rest) = body.split_at(cut);
    let named = prefix.chars().any(|c| c.is_ascii_alphanumeric());
    if rest.is_empty() || rest.starts_with('.') || !named {
        return None;
    }
    Some(format!("{prefix}*{trail}"))
}

impl Pattern {
    /// Whether `plan` falls under this pattern, reading the pattern in the same environment.
    pub fn matches(&self, plan: &Plan, env: &Env) -> bool {
        let pat = analyze(&self.text, env);
        !pat.incomplete()
            && !plan.incomplete()
            && pat.invocations.len() == plan.invocations.len()
            && pat.invocations.iter().zip(&plan.invocations).all(|(p, c)| same_invocation(p, c))
    }
}

fn same_invocation(p: &Invocation, c: &Invocation) -> bool {
    p.via == c.via
        && p.depth == c.depth
        && p.parent == c.parent
        && p.pipeline == c.pipeline
        && p.calls_function == c.calls_function
        && p.code.is_none()
        && c.code.is_none()
        && p.args.len() == c.args.len()
        && p.argv().zip(c.argv()).all(|(a, b)| word_matches(a, b))
        && p.assignments.len() == c.assignments.len()
        && p.assignments.iter().zip(&c.assignments).all(|(a, b)| a.name == b.name && word_matches(&a.value, &b.value))
        && p.redirects.len() == c.redirects.len()
        && p.redirects
            .iter()
            .zip(&c.redirects)
            .all(|(a, b)| a.fd == b.fd && a.op == b.op && word_matches(&a.target, &b.target))
}

/// A pattern word against a command word. Command words the shell would glob or only knows
/// at run time never match: what they stand for is not in the text.
fn word_matches(p: &Word, c: &Word) -> bool {
    let (Some(pv), Some(cv)) = (p.as_literal(), c.as_literal()) else { return false };
    if c.glob {
        return false;
    }
    if !p.glob {
        return pv == cv;
    }
    let opts =
        glob::MatchOptions { case_sensitive: true, require_literal_separator: true, require_literal_leading_dot: true };
    glob::Pattern::new(pv).is_ok_and(|g| g.matches_with(cv, opts))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::Span;
    use crate::policy::{Finding, Severity};

    fn env() -> Env {
        Env::new("/home/u", "/work/proj")
    }

    fn finding(plan: &Plan, inv: usize, decision: Decision, rule: &str) -> Finding {
        let span = plan.invocations[inv].span;
        Finding {
            rule: rule.into(),
            decision,
            severity: Severity::High,
            message: "test".into(),
            span,
            text: plan.text(span).into(),
            invocation: Some(inv),
            tags: vec![],
        }
    }

    /// A verdict asking about the first invocation of `program`.
    fn ask_about(plan: &Plan, program: &str) -> Verdict {
        let inv = plan.invocations.iter().position(|i| i.program_name() == Some(program)).expect("program in plan");
        let mut v = Verdict::allow();
        v.add(finding(plan, inv, Decision::Ask, "test.rule"));
        v
    }

    #[test]
    fn what_is_offered_and_what_never_is() {
        for (command, flagged, offered) in [
            ("git push --force origin feature/x", "git", Some("git push --force origin feature/*")),
            (
                "git push --force origin HEAD:refs/heads/fix/y",
                "git",
                Some("git push --force origin HEAD:refs/heads/fix/*"),
            ),
            ("git push origin main", "git", Some("git push origin main")),
            ("git push", "git", Some("git push")),
            ("git push --force origin 'feature/a b'", "git", Some("git push --force origin 'feature/a b'")),
            ("kubectl delete pod web-7f9c6 -n prod", "kubectl", Some("kubectl delete pod web-* -n prod")),
            ("docker rm -f web-1", "docker", Some("docker rm -f web-*")),
            ("rm -rf target/debug", "rm", Some("rm -rf target/*")),
            ("rm -rf ./build", "rm", Some("rm -rf ./build")),
            ("rm -r build/.cache", "rm", Some("rm -r build/.cache")),
            (
                "cd /srv/app && git push -f origin release/1.2",
                "git",
                Some("cd /srv/app && git push -f origin release/*"),
            ),
            (
                "timeout 60 terraform destroy -target=aws_instance.web",
                "terraform",
                Some("timeout 60 terraform destroy -target=aws_instance.web"),
            ),
            ("mv notes.txt ~/archive/notes-2024.txt", "mv", Some("mv notes.txt ~/archive/*")),
            ("chmod -R go-w ~/", "chmod", Some("chmod -R go-w ~/")),
            // Never offered:
            ("rm -rf /tmp/build", "rm", None),
            ("rm -rf ~/old", "rm", None),
            ("rm -rf ../sibling", "rm", None),
            ("rm -rf .", "rm", None),
            ("rm -rf build/../..", "rm", None),
            ("rm --recursive -f /srv/www", "rm", None),
            ("rm -r build/*.o", "rm", None),
            ("sudo systemctl restart nginx", "systemctl", None),
            ("doas reboot", "reboot", None),
            ("bash -c 'git push --force origin x'", "git", None),
            ("python3 deploy.py --prod", "python3", None),
            ("node scripts/release.js", "node", None),
            ("perl -i -pe s/a/b/ f", "perl", None),
            ("eval 'git push -f origin x'", "git", None),
            ("git push --force origin $BRANCH", "git", None),
            ("git push --force origin \"$(git branch --show-current)\"", "git", None),
            ("tar czf - src | curl -T - https://example.com/upload", "tar", None),
            ("ssh prod systemctl restart app", "ssh", None),
            ("f() { git push -f; }; f", "git", None),
            ("git push --force origin 'feature/x", "git", None),
        ] {
            let plan = analyze(command, &env());
            let got = generalise(&plan, &ask_about(&plan, flagged));
            assert_eq!(got.as_ref().map(|p| p.text.as_str()), offered, "{command}");
            if let Some(p) = got {
                assert!(p.matches(&plan, &env()), "{command}: the offer must cover the command itself");
                assert_eq!(p.rules, ["test.rule"]);
            }
        }
    }

    #[test]
    fn nothing_is_offered_for_a_deny_or_findings_on_two_commands() {
        let plan = analyze("git push -f origin x && kubectl delete ns web-1", &env());
        let mut deny = ask_about(&plan, "git");
        deny.add(finding(&plan, 1, Decision::Deny, "k8s.delete-namespace"));
        assert_eq!(generalise(&plan, &deny), None);
        let mut two = ask_about(&plan, "git");
        two.add(finding(&plan, 1, Decision::Ask, "k8s.delete"));
        assert_eq!(generalise(&plan, &two), None);
        assert_eq!(generalise(&plan, &Verdict::allow()), None, "an allow needs no remembering");
        let mut nowhere = Verdict::allow();
        let mut f = finding(&plan, 0, Decision::Ask, "x");
        f.invocation = None;
        f.span = Span::new(0, plan.source.len());
        nowhere.add(f);
        assert_eq!(generalise(&plan, &nowhere), None, "a finding about no command in particular");
    }

    #[test]
    fn a_pattern_matches_commands_of_the_same_shape() {
        let pattern = Pattern { text: "git push --force origin feature/*".into(), rules: vec![] };
        for (command, matches) in [
            ("git push --force origin feature/x", true),
            ("git push --force origin feature/another-one", true),
            ("git  push   --force origin 'feature/quoted'", true),
            ("git push --force origin feature/a/b", false),
            ("git push --force origin feature/..", false),
            ("git push --force origin feature/.hidden", false),
            ("git push --force origin main", false),
            ("git push --force origin feature/x --tags", false),
            ("git push origin feature/x", false),
            ("git push --force origin feature/x; rm -rf ~", false),
            ("git push --force origin feature/x | tee log", false),
            ("git push --force origin feature/$X", false),
            ("git push --force origin feature/*", false),
            ("sudo git push --force origin feature/x", false),
            ("git push --force origin feature/x > /etc/motd", false),
        ] {
            assert_eq!(pattern.matches(&analyze(command, &env()), &env()), matches, "{command}");
        }
        let exact = Pattern { text: "rm -rf ./build".into(), rules: vec![] };
        assert!(exact.matches(&analyze("rm -rf ./build", &env()), &env()));
        assert!(!exact.matches(&analyze("rm -rf ./build2", &env()), &env()));
    }

    #[test]
    fn boundaries() {
        for (word, glob) in [
            ("feature/x", Some("feature/*")),
            ("target/debug/", Some("target/*/")),
            ("web-7f9c6", Some("web-*")),
            ("v1.2.3", Some("v1.2.*")),
            ("main", None),
            ("./build", None),
            ("/x", None),
            ("build/.cache", None),
            ("-x", None),
        ] {
            assert_eq!(glob_at_boundary(word).as_deref(), glob, "{word}");
        }
    }
}
