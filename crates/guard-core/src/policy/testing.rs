//! Checking policy against labelled commands: every rule's inline examples, and corpus files
//! (`expect<TAB>command` tables, or `.sh` files of blank-line separated commands under
//! `# expect: deny|ask|allow` headers). Results are summarised as a confusion matrix.

use super::context::{Context, FakeContext};
use super::engine::Policy;
use super::rule::Decision;
use crate::shell::{analyze, Env};

/// A command and the decision it should get, with where it comes from.
#[derive(Debug, Clone)]
pub struct Case {
    pub(crate) origin: String,
    pub(crate) command: String,
    pub(crate) expect: Decision,
    /// The calling agent, when not the one the context says.
    pub(crate) agent: Option<String>,
}

/// A case judged otherwise than expected: what it got, and the findings behind that.
#[derive(Debug, Clone)]
pub struct Failure {
    pub(crate) case: Case,
    pub(crate) got: Decision,
    pub(crate) rules: Vec<String>,
}

/// The results of judging cases: expected against got as a confusion matrix, and every case
/// judged wrong.
#[derive(Debug, Default)]
pub struct Report {
    /// `matrix[expected][got]`, in allow, ask, deny order.
    pub(crate) matrix: [[usize; 3]; 3],
    /// The cases judged otherwise than expected, in the order they ran.
    pub failures: Vec<Failure>,
}

fn idx(d: Decision) -> usize {
    match d {
        Decision::Allow => 0,
        Decision::Ask => 1,
        Decision::Deny => 2,
    }
}

/// `allow`, `ask` or `deny` (surrounding space ignored); `None` for anything else.
pub fn parse_decision(s: &str) -> Option<Decision> {
    match s.trim() {
        "allow" => Some(Decision::Allow),
        "ask" => Some(Decision::Ask),
        "deny" => Some(Decision::Deny),
        _ => None,
    }
}

/// Judge a command with fixed, reproducible facts.
pub fn judge_with(policy: &Policy, ctx: &FakeContext, command: &str) -> super::Verdict {
    let env = Env::new(ctx.home(), ctx.cwd());
    let plan = analyze(command, &env);
    policy.judge(&plan, ctx)
}

impl Report {
    /// Judge `cases` with the facts of `ctx` and add the results. A case that names an agent is
    /// judged as that agent calling, with no terminal.
    pub fn run(&mut self, policy: &Policy, ctx: &FakeContext, cases: &[Case]) {
        for c in cases {
            let v = match &c.agent {
                Some(a) => judge_with(policy, &FakeContext { agent: a.clone(), tty: false, ..ctx.clone() }, &c.command),
                None => judge_with(policy, ctx, &c.command),
            };
            self.matrix[idx(c.expect)][idx(v.decision)] += 1;
            if v.decision != c.expect {
                self.failures.push(Failure {
                    case: c.clone(),
                    got: v.decision,
                    rules: v.findings.iter().map(|f| format!("{}: {}", f.rule, f.message)).collect(),
                });
            }
        }
    }

    /// How many cases were judged.
    pub fn total(&self) -> usize {
        self.matrix.iter().flatten().sum()
    }

    /// The matrix, the totals, and each failure with its findings, as text for a terminal.
    pub fn render(&self) -> String {
        let mut out = String::from("expected \\ got   allow    ask   deny\n");
        for (i, name) in ["allow", "ask", "deny"].iter().enumerate() {
            let r = self.matrix[i];
            out.push_str(&format!("{name:<15} {:>6} {:>6} {:>6}\n", r[0], r[1], r[2]));
        }
        out.push_str(&format!("{} cases, {} wrong\n", self.total(), self.failures.len()));
        for f in &self.failures {
            out.push_str(&format!(
                "  {}: expected {}, got {}: {}\n",
                f.case.origin,
                f.case.expect.as_str(),
                f.got.as_str(),
                crate::explain::clip(&f.case.command, 100)
            ));
            for r in &f.rules {
                out.push_str(&format!("      {r}\n"));
            }
        }
        out
    }
}

/// The inline examples of every enabled rule.
pub fn example_cases(policy: &Policy) -> Vec<Case> {
    let mut out = Vec::new();
    for r in policy.rules.iter().filter(|r| r.disabled.is_none()) {
        for (list, d) in [
            (&r.spec.examples.deny, Decision::Deny),
            (&r.spec.examples.ask, Decision::Ask),
            (&r.spec.examples.allow, Decision::Allow),
        ] {
            for cmd in list {
                out.push(Case {
                    origin: format!("{} ({})", r.id(), r.location()),
                    command: cmd.clone(),
                    expect: d,
                    agent: r.spec.examples.agent.clone(),
                });
            }
        }
    }
    out
}

/// Read a corpus file: a `.tsv` table of `expect<TAB>command` (`\n` in the command stands for a
/// newline), or a `.sh` file of blank-line separated commands under `# expect:` headers.
pub fn corpus_cases(name: &str, text: &str) -> Result<Vec<Case>, String> {
    let mut out = Vec::new();
    if name.ends_with(".tsv") {
        for (n, line) in text.lines().enumerate() {
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            let (d, cmd) =
                line.split_once('\t').ok_or_else(|| format!("{name}:{}: expected `decision<TAB>command`", n + 1))?;
            let expect = parse_decision(d).ok_or_else(|| format!("{name}:{}: unknown decision `{d}`", n + 1))?;
            out.push(Case {
                origin: format!("{name}:{}", n + 1),
                command: cmd.replace("\\n", "\n"),
                expect,
                agent: None,
            });
        }
        return Ok(out);
    }
    let mut expect: Option<Decision> = None;
    let mut block: Vec<&str> = Vec::new();
    let mut start = 0;
    let mut flush = |block: &mut Vec<&str>, start: usize, expect: Option<Decision>| -> Result<(), String> {
        if block.is_empty() {
            return Ok(());
        }
        let e = expect.ok_or_else(|| format!("{name}:{start}: command before any `# expect:` line"))?;
        out.push(Case { origin: format!("{name}:{start}"), command: block.join("\n"), expect: e, agent: None });
        block.clear();
        Ok(())
    };
    for (n, line) in text.lines().enumerate() {
        if let Some(d) = line.trim().strip_prefix("# expect:") {
            flush(&mut block, start, expect)?;
            expect =
                Some(parse_decision(d).ok_or_else(|| format!("{name}:{}: unknown decision `{}`", n + 1, d.trim()))?);
        } else if line.trim().is_empty() {
            flush(&mut block, start, expect)?;
        } else if block.is_empty() && line.trim_start().starts_with('#') {
            continue;
        } else {
            if block.is_empty() {
                start = n + 1;
            }
            block.push(line);
        }
    }
    flush(&mut block, start, expect)?;
    Ok(out)
}
