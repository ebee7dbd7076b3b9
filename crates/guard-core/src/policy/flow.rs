//! Data flow through a Plan: which commands fetch from or send to the network, which read
//! secrets, what feeds each command (earlier pipeline stages, `$(…)` and `<(…)` in its words),
//! and where code handed to a shell or interpreter comes from.

use std::collections::HashSet;

use super::cmdline::{Cmdline, FlagValue, ProgramDb};
use super::paths::{self, Classes, Classifier};
use crate::plan::{CodeSource, Invocation, Part, Plan, RedirectOp, Span, Value, Via, Word};

#[derive(Debug, Clone, Default)]
pub(crate) struct InvFacts {
    /// Talks to the network (fetches or sends).
    pub(crate) network: bool,
    /// Reads a secret; the span of the word naming it.
    pub(crate) secret: Option<Span>,
    /// Commands whose output reaches this one: earlier pipeline stages, substitutions in its words.
    pub(crate) inputs: Vec<usize>,
    /// Where its code comes from, for shells and interpreters: `network`, `dynamic`, …
    pub(crate) code_from: Vec<&'static str>,
}

#[derive(Debug, Default)]
pub(crate) struct Flow {
    pub(crate) facts: Vec<InvFacts>,
}

/// Candidate file paths inside an argument: `@file`, `name=@file`, `--opt=file`, `host:path`.
pub(crate) fn path_candidates(text: &str) -> Vec<&str> {
    let mut out = vec![text];
    if let Some((_, v)) = text.split_once('=') {
        out.push(v);
    }
    let more: Vec<&str> = out.iter().filter_map(|t| t.strip_prefix('@').or_else(|| t.strip_prefix('<'))).collect();
    out.extend(more);
    out.retain(|s| !s.is_empty() && !s.contains("://"));
    out
}

pub(crate) fn is_url(text: &str) -> bool {
    if let Some((scheme, _)) = text.split_once("://") {
        // A `file://` URL names a file here.
        return !scheme.eq_ignore_ascii_case("file");
    }
    // scp/rsync remote: user@host:path or host:path (not a Windows drive, not a time).
    if let Some((host, _)) = text.split_once(':') {
        return !host.is_empty()
            && !host.contains('/')
            && host.len() > 1
            && host.chars().all(|c| c.is_ascii_alphanumeric() || "@.-_".contains(c))
            && host.chars().any(|c| c.is_ascii_alphabetic());
    }
    false
}

/// Invocations ordered by where their text starts, to find those inside a stretch of text.
struct ByStart(Vec<(Span, usize)>);

impl ByStart {
    fn of<'p>(invs: impl Iterator<Item = &'p Invocation>) -> ByStart {
        let mut v: Vec<(Span, usize)> = invs.map(|i| (i.span, i.id)).collect();
        v.sort_by_key(|(s, id)| (s.start, *id));
        ByStart(v)
    }

    /// Those starting in `from..to`.
    fn between(&self, from: usize, to: usize) -> impl Iterator<Item = usize> + '_ {
        let first = self.0.partition_point(|(s, _)| s.start < from);
        self.0[first..].iter().take_while(move |(s, _)| s.start < to).map(|(_, id)| *id)
    }

    /// Those whose text lies inside `outer` (and is not all of it).
    fn within(&self, outer: Span) -> impl Iterator<Item = usize> + '_ {
        let first = self.0.partition_point(|(s, _)| s.start < outer.start);
        self.0[first..]
            .iter()
            .take_while(move |(s, _)| s.start <= outer.end)
            .filter(move |(s, _)| within(*s, outer))
            .map(|(_, id)| *id)
    }
}

/// Whether a word expands a variable whose name says it holds a secret (`$AWS_SECRET_ACCESS_KEY`,
/// `${GITHUB_TOKEN}`, `$DB_PASSWORD`).
pub(crate) fn expands_secret(w: &Word) -> bool {
    let Value::Dynamic(parts) = &w.value else { return false };
    parts.iter().any(|p| match p {
        Part::Unknown { what, .. } => names_secret_variable(what),
        Part::Text(_) => false,
    })
}

/// Whether text holds `$NAME` or `${NAME…}` for a NAME that says it holds a secret.
pub(crate) fn names_secret_variable(text: &str) -> bool {
    const SAYS: &[&str] =
        &["SECRET", "TOKEN", "PASSWORD", "PASSWD", "PRIVATE_KEY", "API_KEY", "APIKEY", "ACCESS_KEY", "CREDENTIAL"];
    text.split('$').skip(1).any(|after| {
        let name: String =
            after.trim_start_matches('{').chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
        let upper = name.to_ascii_uppercase();
        !name.is_empty() && SAYS.iter().any(|s| upper.contains(s))
    })
}

fn within(inner: Span, outer: Span) -> bool {
    inner.start >= outer.start && inner.end <= outer.end && inner != outer
}

fn is_substitution(inv: &Invocation) -> bool {
    matches!(inv.via.last(), Some(Via::CommandSubstitution | Via::ProcessSubstitution))
}

impl Flow {
    /// The flow through `plan` run in `cwd`, with paths classified by `classifier` (the judgement's).
    pub(crate) fn new(plan: &Plan, db: &ProgramDb, classifier: &Classifier, cwd: &str) -> Flow {
        let home = classifier.home();
        let n = plan.invocations.len();
        let mut facts = vec![InvFacts::default(); n];
        let mut downloaded: HashSet<String> = HashSet::new();
        for inv in &plan.invocations {
            let f = &mut facts[inv.id];
            let name = inv.program_name().unwrap_or("");
            let cmd = Cmdline::parse(inv, db);
            f.network = db.has_role(name, "network")
                || inv.redirects.iter().any(|r| {
                    r.op != RedirectOp::Heredoc
                        && r.op != RedirectOp::HereString
                        && r.target.as_literal().is_some_and(|t| classifier.classes(t, cwd).has(Classes::NET_DEVICE))
                });
            // Secrets read: operands, option values and input redirections naming a secret.
            let mut words: Vec<&Word> = cmd.positionals.clone();
            for fl in &cmd.flags {
                if let Some(FlagValue::Word(w)) = &fl.value {
                    words.push(w);
                }
                if let Some(FlagValue::Attached(_)) = &fl.value {
                    words.push(fl.word);
                }
            }
            for r in &inv.redirects {
                if matches!(r.op, RedirectOp::Read | RedirectOp::ReadWrite) {
                    words.push(&r.target);
                }
            }
            for w in words {
                if let Some(t) = w.as_literal() {
                    if path_candidates(t).iter().any(|p| classifier.classes(p, cwd).has(Classes::SECRET)) {
                        f.secret = Some(w.span);
                        break;
                    }
                }
            }
            if f.secret.is_none() && db.has_role(name, "secret_source") {
                // `printenv`, `env`: every variable, or the one named (`printenv GITHUB_TOKEN`).
                let named = cmd
                    .positionals
                    .iter()
                    .find(|w| w.as_literal().is_some_and(|t| names_secret_variable(&format!("${t}"))));
                if cmd.positionals.is_empty() || named.is_some() {
                    f.secret = Some(named.map_or(inv.span, |w| w.span));
                }
            }
            // A variable named for a secret, expanded into the command (`echo $GITHUB_TOKEN`).
            if f.secret.is_none() {
                if let Some(w) = inv.argv().chain(inv.redirects.iter().map(|r| &r.target)).find(|w| expands_secret(w)) {
                    f.secret = Some(w.span);
                }
            }
            if f.network {
                for fl in &cmd.flags {
                    if matches!(fl.spelling.as_str(), "-o" | "-O" | "--output" | "--output-document") {
                        let v = match &fl.value {
                            Some(FlagValue::Word(w)) => w.as_literal().map(str::to_string),
                            Some(FlagValue::Attached(s)) => Some(s.clone()),
                            None => None,
                        };
                        if let Some(v) = v.filter(|v| v != "-") {
                            downloaded.insert(paths::normalize(&v, home, cwd));
                        }
                    }
                }
                for r in &inv.redirects {
                    if r.op.writes() {
                        if let Some(t) = r.target.as_literal() {
                            downloaded.insert(paths::normalize(t, home, cwd));
                        }
                    }
                }
            }
        }
        // Inputs: earlier stages of the pipeline, and substitutions inside the words. Found
        // through indexes by position, so a long script costs in proportion to its length.
        let subs = ByStart::of(plan.invocations.iter().filter(|i| is_substitution(i)));
        let piped = ByStart::of(plan.invocations.iter().filter(|i| i.pipeline.is_some()));
        for inv in &plan.invocations {
            let mut inputs = Vec::new();
            if let Some(pos) = inv.pipeline {
                if let Some(p) = plan.pipelines.get(pos.pipeline) {
                    for stage in p.stages.iter().take(pos.stage) {
                        inputs.extend(stage.iter().copied().filter(|&i| i != inv.id));
                    }
                    // `a | b 2>&1 | c` can come out as a pipeline nested in the first stage of
                    // another; everything of an inner pipeline before this command feeds it.
                    if pos.stage > 0 {
                        for other in piped.between(p.span.start, inv.span.start).map(|i| &plan.invocations[i]) {
                            let Some(q) = other.pipeline else { continue };
                            if q.pipeline != pos.pipeline
                                && other.id != inv.id
                                && other.span.end <= inv.span.start
                                && plan
                                    .pipelines
                                    .get(q.pipeline)
                                    .is_some_and(|qp| within(qp.span, p.span) || qp.span == p.span)
                                && !inputs.contains(&other.id)
                            {
                                inputs.push(other.id);
                            }
                        }
                    }
                }
            }
            let mut spans: Vec<Span> = inv.argv().map(|w| w.span).collect();
            spans.extend(inv.redirects.iter().map(|r| r.target.span));
            let mut found: Vec<usize> = spans.iter().flat_map(|s| subs.within(*s)).filter(|&o| o != inv.id).collect();
            found.sort_unstable();
            found.dedup();
            inputs.extend(found);
            facts[inv.id].inputs = inputs;
        }
        // Where code comes from.
        for inv in &plan.invocations {
            let Some(code) = &inv.code else { continue };
            // A process substitution (`bash <(…)`) is a file whose code is made at run time.
            let made_at_run_time = code.source == CodeSource::File
                && code.text.unknown_reason().is_some_and(|(what, _)| what.starts_with("<("));
            let mut from: Vec<&'static str> = vec![match code.source {
                CodeSource::Argument => "argument",
                CodeSource::Stdin => "stdin",
                CodeSource::File if made_at_run_time => "substitution",
                CodeSource::File => "file",
            }];
            if code.text.is_dynamic() {
                from.push("dynamic");
            }
            let feeding: Vec<usize> = match code.source {
                CodeSource::Stdin => facts[inv.id].inputs.clone(),
                _ => subs.within(code.text.span).filter(|&o| o != inv.id).collect(),
            };
            let mut seen = HashSet::new();
            let mut stack = feeding;
            let mut network = false;
            while let Some(i) = stack.pop() {
                if !seen.insert(i) {
                    continue;
                }
                network |= facts[i].network;
                stack.extend(facts[i].inputs.iter().copied());
            }
            let file_downloaded = match code.source {
                CodeSource::File => {
                    code.text.as_literal().is_some_and(|t| downloaded.contains(&paths::normalize(t, home, cwd)))
                }
                _ => false,
            } || inv
                .program
                .as_literal()
                .is_some_and(|p| p.contains('/') && downloaded.contains(&paths::normalize(p, home, cwd)));
            if network || file_downloaded {
                from.push("network");
            }
            facts[inv.id].code_from = from;
        }
        // A program that is itself a downloaded file runs downloaded code.
        for inv in &plan.invocations {
            if inv.code.is_none()
                && inv
                    .program
                    .as_literal()
                    .is_some_and(|p| p.contains('/') && downloaded.contains(&paths::normalize(p, home, cwd)))
            {
                facts[inv.id].code_from = vec!["file", "network"];
            }
        }
        Flow { facts }
    }

    /// Facts of everything that feeds `id`, transitively.
    pub(crate) fn upstream_has(&self, id: usize, pred: impl Fn(&InvFacts) -> bool) -> Option<usize> {
        let mut seen = HashSet::new();
        let mut stack = self.facts.get(id).map(|f| f.inputs.clone()).unwrap_or_default();
        while let Some(i) = stack.pop() {
            if !seen.insert(i) {
                continue;
            }
            if pred(&self.facts[i]) {
                return Some(i);
            }
            stack.extend(self.facts[i].inputs.iter().copied());
        }
        None
    }
}
