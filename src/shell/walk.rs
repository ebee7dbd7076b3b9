//! Walks the syntax tree (iteratively: an explicit stack, never the Rust call stack) and
//! builds the Plan. Nested code found along the way (`bash -c '…'`, `eval`, heredocs fed to
//! a shell) is queued as a new source and parsed in turn, up to the depth limit.

use std::collections::{HashMap, HashSet, VecDeque};
use std::ops::ControlFlow;
use std::time::Instant;

use tree_sitter::{Node, ParseOptions, Parser, Tree};

use super::continuation::{self, OffsetMap};
use super::env::Env;
use super::expand;
use super::lexer::{self, Mode};
use super::programs::{self, Derived, Stdin, VarScope};
use super::vars::{VarVal, Vars};
use super::Limits;
use crate::plan::*;

/// Where a source's spans point in the original text.
#[derive(Debug, Clone, Copy)]
enum Base {
    /// A contiguous slice of the original text starting at this offset.
    Offset(usize),
    /// Code that only exists after expansion (`bash -c '…'`): everything maps to the outer word.
    Fixed(Span),
}

/// A piece of text to parse: the original input or code found inside it.
struct Job {
    text: String,
    base: Base,
    ctx: Ctx,
    /// Variables as the code sees them when it starts; `None` continues the current state.
    vars: Option<Vars>,
    /// Join the first statement onto this pipeline as its next stage (`cat <<EOF | sh`).
    join_pipe: Option<usize>,
}

/// What holds for everything under a node.
#[derive(Debug, Clone, Default)]
struct Ctx {
    via: Vec<Via>,
    depth: u32,
    parent: Option<usize>,
    pipe: Option<(usize, usize)>,
    /// Code here may run zero or many times, or in another process: assignments are not definite.
    uncertain: bool,
    /// Redirections of an enclosing compound command (`{ …; } > f`, `while …; done < f`).
    redirects: Vec<Redirect>,
    /// Redirections written after a pipeline: they belong to its last stage only.
    last_stage_redirects: Vec<Redirect>,
    /// Code in a new shell process: functions of the outer text are not defined here.
    fresh_shell: bool,
}

enum Frame<'t> {
    Node(Node<'t>, usize),
    /// Only look for substitutions under this node: its commands were already taken.
    SubstOnly(Node<'t>, usize),
    /// Loose text in a syntax-error region, read with the plain splitter.
    Recovered {
        start: usize,
        end: usize,
        ctx: usize,
    },
    /// Set a loop variable for one pass over the body (`None`: unknown after the loop).
    LoopVar(String, Option<String>),
}

pub struct Builder<'e, 'p> {
    env: &'e Env,
    parser: &'p mut Parser,
    limits: Limits,
    plan: Plan,
    vars: Vars,
    functions: HashSet<String>,
    /// Functions callable in the code being walked, with where each is first defined (a new
    /// shell process starts with none).
    scope_functions: HashMap<String, usize>,
    jobs: VecDeque<Job>,
    jobs_run: usize,
    deadline: Instant,
    too_many: bool,
    /// Maps positions in the continuation-joined top-level text back to the original.
    cont: OffsetMap,
}

const STATEMENTS: &[&str] = &[
    "command",
    "pipeline",
    "list",
    "redirected_statement",
    "subshell",
    "compound_statement",
    "if_statement",
    "case_statement",
    "for_statement",
    "c_style_for_statement",
    "while_statement",
    "function_definition",
    "negated_command",
    "variable_assignment",
    "variable_assignments",
    "declaration_command",
    "unset_command",
    "test_command",
];

/// Subshells, substitutions, loops and branches nested deeper than this are not walked (and
/// the plan says so): real scripts stay far below it, and it bounds the work on hostile input.
const MAX_NESTING: usize = 100;

/// Reserved words that can't start a command; the grammar sometimes reads a stray one as one.
const RESERVED_AS_COMMAND: &[&str] = &["then", "else", "elif", "fi", "do", "done", "esac", "}", "in", ";;"];

const KEYWORDS: &[&str] = &[
    "if", "then", "else", "elif", "fi", "do", "done", "while", "until", "for", "in", "case", "esac", "(", ")", "}",
    "{", "!", "function", ";;", "((", "))", "[[", "]]",
];

impl<'e, 'p> Builder<'e, 'p> {
    pub fn new(env: &'e Env, limits: Limits, parser: &'p mut Parser) -> Self {
        let deadline = Instant::now() + limits.timeout;
        Builder {
            env,
            parser,
            limits,
            plan: Plan::default(),
            vars: Vars::from_env(env),
            functions: HashSet::new(),
            scope_functions: HashMap::new(),
            jobs: VecDeque::new(),
            jobs_run: 0,
            deadline,
            too_many: false,
            cont: OffsetMap::default(),
        }
    }

    pub fn run(mut self, text: &str) -> Plan {
        let mut text = text;
        if text.len() > self.limits.max_bytes {
            let mut cut = self.limits.max_bytes;
            while !text.is_char_boundary(cut) {
                cut -= 1;
            }
            self.issue(
                IssueKind::TooLarge,
                Span::new(cut, text.len()),
                format!("input is {} bytes; only the first {} were read", text.len(), cut),
            );
            text = &text[..cut];
        }
        self.plan.source = text.to_string();
        let joined = match continuation::join(text) {
            Some((joined, map)) => {
                self.cont = map;
                joined
            }
            None => text.to_string(),
        };
        self.jobs.push_back(Job {
            text: joined,
            base: Base::Offset(0),
            ctx: Ctx::default(),
            vars: None,
            join_pipe: None,
        });
        while let Some(job) = self.jobs.pop_front() {
            self.jobs_run += 1;
            self.source(job);
        }
        self.order_by_parent();
        for p in &self.plan.pipelines {
            for (stage, ids) in p.stages.iter().enumerate() {
                for &id in ids {
                    if let Some(inv) = self.plan.invocations.get_mut(id) {
                        inv.pipeline = Some(PipePos { pipeline: p.id, stage, stages: p.stages.len() });
                    }
                }
            }
        }
        let mut fns: Vec<String> = self.functions.into_iter().collect();
        fns.sort();
        self.plan.functions = fns;
        self.plan
    }

    /// Nested code is parsed after the text around it; list what a command runs right after
    /// it (a wrapper, then what it wraps, then the code that runs in it) and renumber.
    fn order_by_parent(&mut self) {
        let n = self.plan.invocations.len();
        let mut children: Vec<Vec<usize>> = vec![Vec::new(); n];
        let mut roots = Vec::new();
        for inv in &self.plan.invocations {
            match inv.parent {
                Some(p) if p < n && p != inv.id => children[p].push(inv.id),
                _ => roots.push(inv.id),
            }
        }
        let mut order = Vec::with_capacity(n);
        let mut stack: Vec<usize> = roots.into_iter().rev().collect();
        while let Some(id) = stack.pop() {
            order.push(id);
            stack.extend(children[id].iter().rev());
        }
        if order.len() != n || order.iter().enumerate().all(|(i, &id)| i == id) {
            return;
        }
        let mut new_id = vec![0; n];
        for (i, &old) in order.iter().enumerate() {
            new_id[old] = i;
        }
        let mut old: Vec<Option<Invocation>> =
            std::mem::take(&mut self.plan.invocations).into_iter().map(Some).collect();
        for &o in &order {
            let mut inv = old[o].take().expect("each invocation is ordered once");
            inv.id = new_id[o];
            inv.parent = inv.parent.map(|p| new_id[p]);
            self.plan.invocations.push(inv);
        }
        for p in &mut self.plan.pipelines {
            for stage in &mut p.stages {
                for id in stage.iter_mut() {
                    *id = new_id[*id];
                }
            }
        }
    }

    fn issue(&mut self, kind: IssueKind, span: Span, message: String) {
        if self.plan.issues.len() < 200 && !self.plan.issues.iter().any(|i| i.kind == kind && i.span == span) {
            self.plan.issues.push(Issue { kind, span, message });
        }
    }

    fn source(&mut self, mut job: Job) {
        let job_vars = job.vars.take();
        if let Base::Fixed(_) = job.base {
            if let Some((joined, _)) = continuation::join(&job.text) {
                job.text = joined;
            }
        }
        let text = job.text.as_str();
        let parse_text = ascii_for_parsing(text);
        let bytes = parse_text.as_bytes();
        let deadline = self.deadline;
        let mut progress = |_: &tree_sitter::ParseState| {
            if Instant::now() > deadline {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        };
        let options = ParseOptions::new().progress_callback(&mut progress);
        let tree: Option<Tree> = self.parser.parse_with_options(
            &mut |i, _| if i < bytes.len() { &bytes[i..] } else { &[] },
            None,
            Some(options),
        );
        let span_all = self.map(&job, 0, text.len());
        let Some(tree) = tree else {
            self.parser.reset();
            self.issue(IssueKind::Timeout, span_all, "parsing took too long; the text was not analysed".into());
            return;
        };
        let saved_vars = job_vars.map(|v| std::mem::replace(&mut self.vars, v));
        let root = tree.root_node();
        if root.has_error() {
            self.collect_errors(&job, root);
        }
        let mut w = Walk {
            job: &job,
            ctxs: vec![job.ctx.clone()],
            stack: Vec::new(),
            recovered: Vec::new(),
            missed: Vec::new(),
            gaps: Vec::new(),
        };
        if let Some(pid) = job.join_pipe {
            self.join_pipeline(&mut w, root, pid);
        } else {
            self.push_children(&mut w, root, 0);
        }
        // Text the grammar silently skipped (it drops a leading `-` before `a=1`, for one) is
        // still something bash would run: flag it and read it with the plain splitter.
        let (skipped, defined) = scan_tree(root, text);
        self.functions.extend(defined.iter().map(|(name, _)| name.clone()));
        let defined: HashMap<String, usize> =
            defined.into_iter().rev().map(|(name, at)| (name, self.map(&job, at, at).start)).collect();
        let saved_functions = if job.ctx.fresh_shell {
            Some(std::mem::replace(&mut self.scope_functions, defined))
        } else {
            for (name, at) in defined {
                self.scope_functions.entry(name).or_insert(at);
            }
            None
        };
        for gap in skipped {
            let (start, end) = (gap.start, gap.end);
            // Plain words the grammar dropped inside a command are read as bash would read them;
            // anything with operators in it is flagged too.
            let plain = !text[start..end].contains(['<', '>', '|', '&', ';', '(', ')', '`', '$']);
            if gap.in_command {
                w.gaps.push((start, end));
                if plain {
                    continue;
                }
            }
            let span = self.map(&job, start, end);
            self.issue(
                IssueKind::SyntaxError,
                span,
                format!("text the parser skipped: `{}`", crate::explain::clip(&text[start..end], 40)),
            );
            if gap.in_command {
                continue;
            }
            let line_end = text[start..].find('\n').map(|p| start + p).unwrap_or(text.len());
            if let Some(first) = lexer::split_commands(text, start, line_end).into_iter().next() {
                let rec = self.derive_ctx(&mut w, 0, |x| x.via.push(Via::SyntaxErrorRecovery));
                w.stack.push(Frame::Recovered { start: first[0].0, end: first[first.len() - 1].1, ctx: rec });
            }
        }
        let mut steps = 0u32;
        while let Some(frame) = w.stack.pop() {
            steps = steps.wrapping_add(1);
            if steps.is_multiple_of(1024) && Instant::now() > self.deadline {
                self.issue(IssueKind::Timeout, span_all, "analysis ran out of time; the rest was not read".into());
                break;
            }
            if self.plan.invocations.len() >= self.limits.max_invocations {
                if !self.too_many {
                    self.too_many = true;
                    self.issue(
                        IssueKind::TooMany,
                        span_all,
                        format!("more than {} commands; the rest were not listed", self.limits.max_invocations),
                    );
                }
                break;
            }
            match frame {
                Frame::Node(n, c) => self.node(&mut w, n, c),
                Frame::SubstOnly(n, c) => self.subst_only(&mut w, n, c),
                Frame::Recovered { start, end, ctx } => self.recovered(&mut w, start, end, ctx),
                Frame::LoopVar(name, Some(value)) => self.vars.assign(&name, Some(value), true),
                Frame::LoopVar(name, None) => self.vars.forget(&name, "loop variable"),
            }
        }
        for (start, end) in std::mem::take(&mut w.gaps) {
            let span = self.map(&job, start, end);
            self.issue(
                IssueKind::SyntaxError,
                span,
                format!("text the parser skipped: `{}`", crate::explain::clip(&text[start..end], 40)),
            );
        }
        if let Some(saved) = saved_vars {
            self.vars = saved;
        }
        if let Some(saved) = saved_functions {
            self.scope_functions = saved;
        }
    }

    fn map(&self, job: &Job, start: usize, end: usize) -> Span {
        match job.base {
            Base::Offset(o) => Span::new(self.cont.original(start + o), self.cont.original(end + o)),
            Base::Fixed(s) => s,
        }
    }

    fn collect_errors(&mut self, job: &Job, root: Node) {
        let mut found = Vec::new();
        preorder(root, |n| {
            if (n.is_error() || n.is_missing()) && found.len() <= 100 {
                found.push(n);
            }
            n.has_error() && !n.is_error()
        });
        for n in found {
            let span = self.map(job, n.start_byte(), n.end_byte());
            if n.is_missing() {
                self.issue(IssueKind::Missing, span, format!("the shell would expect `{}` here", n.kind()));
            } else {
                let snippet: String = node_text(&job.text, n).chars().take(40).collect();
                self.issue(
                    IssueKind::SyntaxError,
                    span,
                    format!("bash syntax the parser could not read: `{}`", snippet.replace('\n', "⏎")),
                );
            }
        }
    }

    fn derive_ctx(&self, w: &mut Walk, parent: usize, f: impl FnOnce(&mut Ctx)) -> usize {
        let mut c = w.ctxs[parent].clone();
        f(&mut c);
        w.ctxs.push(c);
        w.ctxs.len() - 1
    }

    fn with_via(&self, w: &mut Walk, parent: usize, via: Via) -> usize {
        self.derive_ctx(w, parent, |c| {
            // A subshell, loop or branch that is a pipeline stage still reads that stage's
            // stdin; substitutions and function bodies are their own stream.
            if !matches!(via, Via::Subshell | Via::Loop | Via::Branch) {
                c.pipe = None;
            }
            c.via.push(via);
            c.uncertain = true;
            c.last_stage_redirects.clear();
        })
    }

    /// Push the named children of `n` in source order; a statement followed by `&` runs in the background.
    fn push_children<'t>(&self, w: &mut Walk<'t, '_>, n: Node<'t>, ctx: usize) {
        let count = n.child_count() as usize;
        let mut frames: Vec<Frame<'t>> = Vec::with_capacity(count);
        let mut bg_ctx = None;
        let mut i = 0;
        while i < count {
            let Some(c) = n.child(i as u32) else { break };
            i += 1;
            if !c.is_named() || c.kind() == "comment" {
                continue;
            }
            let background = n.child(i as u32).is_some_and(|s| !s.is_named() && s.kind() == "&");
            let cctx =
                if background { *bg_ctx.get_or_insert_with(|| self.with_via(w, ctx, Via::Background)) } else { ctx };
            // A syntax error and the commands touching it on the same line, with no separator
            // between, are one command to bash (`1% x`, `a ==`): read them together.
            if matches!(c.kind(), "ERROR" | "command" | "variable_assignment" | "variable_assignments")
                && !has_statement_error(c)
            {
                let mut run = vec![c];
                while let Some(next) = n.child((i + run.len() - 1) as u32) {
                    let prev = run[run.len() - 1];
                    let joinable = next.is_named()
                        && next.kind() != "comment"
                        && !has_statement_error(next)
                        && next.start_byte() >= prev.end_byte()
                        && w.job.text[prev.end_byte()..next.start_byte()].bytes().all(|b| b == b' ' || b == b'\t');
                    if !joinable {
                        break;
                    }
                    run.push(next);
                }
                if run.len() > 1 && run.iter().any(|x| x.is_error()) {
                    let rec = self.with_via(w, cctx, Via::SyntaxErrorRecovery);
                    frames.push(Frame::Recovered {
                        start: c.start_byte(),
                        end: run[run.len() - 1].end_byte(),
                        ctx: rec,
                    });
                    for x in &run {
                        frames.push(Frame::SubstOnly(*x, rec));
                    }
                    i += run.len() - 1;
                    continue;
                }
            }
            frames.push(Frame::Node(c, cctx));
        }
        for f in frames.into_iter().rev() {
            w.stack.push(f);
        }
    }

    fn node<'t>(&mut self, w: &mut Walk<'t, '_>, n: Node<'t>, ctx: usize) {
        if w.ctxs[ctx].via.len() > MAX_NESTING {
            let span = self.map(w.job, n.start_byte(), n.end_byte());
            self.issue(
                IssueKind::TooDeep,
                span,
                format!("constructs nested more than {MAX_NESTING} deep were not read"),
            );
            return;
        }
        self.node_kind(w, n, ctx);
        if !w.missed.is_empty() {
            for (start, end) in std::mem::take(&mut w.missed) {
                let mut c = w.ctxs[ctx].clone();
                c.via.push(Via::CommandSubstitution);
                c.uncertain = true;
                c.pipe = None;
                c.redirects.clear();
                let base = match w.job.base {
                    Base::Offset(o) => Base::Offset(o + start),
                    fixed => fixed,
                };
                self.jobs.push_back(Job {
                    text: w.job.text[start..end].to_string(),
                    base,
                    ctx: c,
                    vars: None,
                    join_pipe: None,
                });
            }
        }
    }

    fn node_kind<'t>(&mut self, w: &mut Walk<'t, '_>, n: Node<'t>, ctx: usize) {
        match n.kind() {
            "command" => self.command(w, n, ctx),
            "redirected_statement" => self.redirected(w, n, ctx),
            "pipeline" => self.pipeline(w, n, ctx, None),
            "list" => {
                // `a && b`, `a || b`: the right side may not run.
                let mut kids = Vec::new();
                let mut seen_op = false;
                for i in 0..n.child_count() {
                    let Some(c) = n.child(i) else { continue };
                    if !c.is_named() {
                        seen_op = true;
                        continue;
                    }
                    if c.kind() == "comment" {
                        continue;
                    }
                    let cctx = if seen_op { self.derive_ctx(w, ctx, |x| x.uncertain = true) } else { ctx };
                    kids.push((c, cctx));
                }
                for (c, cctx) in kids.into_iter().rev() {
                    w.stack.push(Frame::Node(c, cctx));
                }
            }
            "subshell" => {
                let c = self.with_via(w, ctx, Via::Subshell);
                self.push_children(w, n, c);
            }
            "command_substitution" => {
                let c = self.with_via(w, ctx, Via::CommandSubstitution);
                self.push_children(w, n, c);
            }
            "process_substitution" => {
                let c = self.with_via(w, ctx, Via::ProcessSubstitution);
                self.push_children(w, n, c);
            }
            "for_statement" if self.literal_loop(w, n, ctx) => {}
            "for_statement" | "c_style_for_statement" | "while_statement" => {
                if let Some(var) = n.child_by_field_name("variable") {
                    let name = node_text(&w.job.text, var).to_string();
                    self.vars.forget(&name, "loop variable");
                }
                let c = self.with_via(w, ctx, Via::Loop);
                self.push_children(w, n, c);
            }
            "if_statement" | "case_statement" => {
                let c = self.with_via(w, ctx, Via::Branch);
                self.push_children(w, n, c);
            }
            "function_definition" => {
                let name =
                    n.child_by_field_name("name").map(|x| node_text(&w.job.text, x).to_string()).unwrap_or_default();
                self.functions.insert(name.clone());
                let c = self.with_via(w, ctx, Via::FunctionBody { name });
                if let Some(body) = n.child_by_field_name("body") {
                    w.stack.push(Frame::Node(body, c));
                }
            }
            "variable_assignment" | "variable_assignments" | "declaration_command" | "unset_command"
                if n.has_error() =>
            {
                let rec = self.derive_ctx(w, ctx, |x| x.via.push(Via::SyntaxErrorRecovery));
                w.stack.push(Frame::SubstOnly(n, rec));
                w.stack.push(Frame::Recovered { start: n.start_byte(), end: n.end_byte(), ctx: rec });
            }
            "variable_assignment" => {
                self.assignment(w, n, ctx, true);
                self.push_children(w, n, ctx);
            }
            "declaration_command" | "unset_command" => self.declaration(w, n, ctx),
            // Heredocs met outside a command (after grammar recovery): walk their substitutions.
            "heredoc_redirect" => w.stack.push(Frame::SubstOnly(n, ctx)),
            // `[ … ]` is a command (the `test` builtin); `[[ … ]]` is syntax.
            "test_command"
                if node_text(&w.job.text, n).starts_with('[') && !node_text(&w.job.text, n).starts_with("[[") =>
            {
                w.stack.push(Frame::SubstOnly(n, ctx));
                w.stack.push(Frame::Recovered { start: n.start_byte(), end: n.end_byte(), ctx });
            }
            "ERROR" => self.error_region(w, n, ctx),
            "comment"
            | "word"
            | "raw_string"
            | "ansi_c_string"
            | "number"
            | "variable_name"
            | "string_content"
            | "heredoc_content"
            | "heredoc_start"
            | "heredoc_end"
            | "test_operator"
            | "regex"
            | "extglob_pattern"
            | "special_variable_name"
            | "file_descriptor" => {}
            _ => self.push_children(w, n, ctx),
        }
    }

    /// `for x in a b c; do …; done` over literal words: walk the body once per value, as bash
    /// runs it, so `for d in /; do rm -rf $d; done` is seen for what it is. Returns false (and
    /// does nothing) when the list is not literal or is long.
    fn literal_loop<'t>(&mut self, w: &mut Walk<'t, '_>, n: Node<'t>, ctx: usize) -> bool {
        const MAX_PASSES: usize = 16;
        let (Some(var), Some(body)) = (n.child_by_field_name("variable"), n.child_by_field_name("body")) else {
            return false;
        };
        let mut values = Vec::new();
        for i in 0..n.child_count() {
            if n.field_name_for_child(i) == Some("value") {
                let Some(v) = n.child(i) else { return false };
                for word in self.words(w.job, v) {
                    match word.as_literal() {
                        Some(text) if !word.glob => values.push(text.to_string()),
                        _ => return false,
                    }
                }
            }
        }
        if values.is_empty() || values.len() > MAX_PASSES {
            return false;
        }
        let name = node_text(&w.job.text, var).to_string();
        let c = self.with_via(w, ctx, Via::Loop);
        w.stack.push(Frame::LoopVar(name.clone(), None));
        for value in values.into_iter().rev() {
            w.stack.push(Frame::Node(body, c));
            w.stack.push(Frame::LoopVar(name.clone(), Some(value)));
        }
        true
    }

    fn subst_only<'t>(&mut self, w: &mut Walk<'t, '_>, n: Node<'t>, ctx: usize) {
        match n.kind() {
            "command_substitution" | "process_substitution" => self.node(w, n, ctx),
            _ => {
                for i in (0..n.named_child_count()).rev() {
                    if let Some(c) = n.named_child(i as u32) {
                        w.stack.push(Frame::SubstOnly(c, ctx));
                    }
                }
            }
        }
    }

    fn pipeline<'t>(&mut self, w: &mut Walk<'t, '_>, n: Node<'t>, ctx: usize, join: Option<usize>) {
        // The grammar nests `a | b 2>&1 | c` as ((a | b) 2>&1) | c: flatten it back into one
        // pipeline, the redirect belonging to `b`.
        let mut stages: Vec<(Node<'t>, Vec<Node<'t>>)> = Vec::new();
        let mut stderr = Vec::new();
        for item in flatten_pipeline(n) {
            match item {
                PipeItem::Stage(node, redirects) => stages.push((node, redirects)),
                PipeItem::Pipe { stderr: both } => stderr.push(both),
            }
        }
        let (pid, offset) = match join {
            Some(pid) => {
                let p = &mut self.plan.pipelines[pid];
                p.stages.extend(stages.iter().map(|_| Vec::new()));
                p.stderr_piped.extend(stderr);
                (pid, p.stages.len() - stages.len())
            }
            None => {
                let pid = self.plan.pipelines.len();
                let span = self.map(w.job, n.start_byte(), n.end_byte());
                self.plan.pipelines.push(Pipeline {
                    id: pid,
                    span,
                    stages: vec![Vec::new(); stages.len()],
                    stderr_piped: stderr,
                });
                (pid, 0)
            }
        };
        let last = stages.len().saturating_sub(1);
        for (k, (s, redirect_nodes)) in stages.into_iter().enumerate().rev() {
            let mut own = Vec::new();
            let mut tails = Vec::new();
            for r in redirect_nodes {
                self.redirect(w, r, &mut own, &mut tails);
                self.stray_destinations(w, r);
                w.stack.push(Frame::SubstOnly(r, ctx));
            }
            for t in tails {
                self.queue_tail(w, t, ctx, None);
            }
            let c = self.derive_ctx(w, ctx, |x| {
                x.pipe = Some((pid, k + offset));
                x.uncertain = true;
                let tail = std::mem::take(&mut x.last_stage_redirects);
                if k == last {
                    x.redirects.extend(tail);
                }
                x.redirects.extend(own);
            });
            w.stack.push(Frame::Node(s, c));
        }
    }

    /// The text after a heredoc's `<<EOF | sh` continues the statement (`cat <<EOF | sh`).
    fn join_pipeline<'t>(&mut self, w: &mut Walk<'t, '_>, root: Node<'t>, pid: usize) {
        let mut first = None;
        let mut rest = Vec::new();
        for i in 0..root.named_child_count() {
            let Some(c) = root.named_child(i as u32) else { continue };
            if c.kind() == "comment" {
                continue;
            }
            if first.is_none() {
                first = Some(c);
            } else {
                rest.push(c);
            }
        }
        for c in rest.into_iter().rev() {
            w.stack.push(Frame::Node(c, 0));
        }
        let Some(first) = first else { return };
        if first.kind() == "pipeline" {
            self.pipeline(w, first, 0, Some(pid));
        } else {
            let p = &mut self.plan.pipelines[pid];
            p.stages.push(Vec::new());
            p.stderr_piped.push(false);
            let stage = p.stages.len() - 1;
            let c = self.derive_ctx(w, 0, |x| {
                x.pipe = Some((pid, stage));
                x.uncertain = true;
            });
            w.stack.push(Frame::Node(first, c));
        }
    }

    fn redirected<'t>(&mut self, w: &mut Walk<'t, '_>, n: Node<'t>, ctx: usize) {
        let mut redirects = Vec::new();
        let mut tails = Vec::new();
        let mut body = None;
        // Words after a redirection's target (`rm 2>/dev/null x`): more words of a simple
        // command, in order; anywhere else, not understood.
        let mut more = Vec::new();
        let is_command = (0..n.named_child_count())
            .filter_map(|i| n.named_child(i as u32))
            .find(|c| !matches!(c.kind(), "file_redirect" | "heredoc_redirect" | "herestring_redirect" | "comment"))
            .is_some_and(|c| c.kind() == "command");
        for i in 0..n.named_child_count() {
            let Some(c) = n.named_child(i as u32) else { continue };
            match c.kind() {
                "file_redirect" | "heredoc_redirect" | "herestring_redirect" => {
                    self.redirect(w, c, &mut redirects, &mut tails);
                    if is_command {
                        more.extend(extra_destinations(c));
                    } else {
                        self.stray_destinations(w, c);
                    }
                    w.stack.push(Frame::SubstOnly(c, ctx));
                }
                "comment" => {}
                _ if body.is_none() => body = Some(c),
                _ => w.stack.push(Frame::Node(c, ctx)),
            }
        }
        let Some(body) = body else {
            if !redirects.is_empty() {
                let span = self.map(w.job, n.start_byte(), n.end_byte());
                self.emit_bare_redirect(w, ctx, span, redirects, tails);
            }
            return;
        };
        if body.kind() == "command" {
            let outer = Outer { redirects, tails, more, statement: (n.start_byte(), n.end_byte()) };
            self.command_with(w, body, ctx, outer);
        } else {
            // `{ cat; } <<EOF | sh`, `a && cat <<EOF | sh`: the grammar hangs the heredoc (and the
            // `| sh` after it) on the whole statement. What the statement prints is the next
            // stage's stdin: its commands make the first stage (a pipeline's own stages are
            // their own, so only "the output of the previous stage" is known there).
            let piped = tails.iter().any(|t| t.pipe).then(|| {
                let pid = self.plan.pipelines.len();
                let span = self.map(w.job, n.start_byte(), n.end_byte());
                self.plan.pipelines.push(Pipeline {
                    id: pid,
                    span,
                    stages: vec![Vec::new()],
                    stderr_piped: Vec::new(),
                });
                pid
            });
            let is_pipeline = body.kind() == "pipeline";
            let c = self.derive_ctx(w, ctx, |x| {
                if is_pipeline {
                    x.last_stage_redirects = redirects;
                } else {
                    x.redirects.extend(redirects);
                    if let Some(pid) = piped {
                        x.pipe = Some((pid, 0));
                    }
                }
            });
            w.stack.push(Frame::Node(body, c));
            for t in tails {
                let join = if t.pipe { piped } else { None };
                self.queue_tail(w, t, ctx, join);
            }
        }
    }

    fn command<'t>(&mut self, w: &mut Walk<'t, '_>, n: Node<'t>, ctx: usize) {
        let outer = Outer {
            redirects: Vec::new(),
            tails: Vec::new(),
            more: Vec::new(),
            statement: (n.start_byte(), n.end_byte()),
        };
        self.command_with(w, n, ctx, outer);
    }

    fn command_with<'t>(&mut self, w: &mut Walk<'t, '_>, n: Node<'t>, ctx: usize, outer: Outer<'t>) {
        let Outer { mut redirects, mut tails, more, statement } = outer;
        // Where the grammar lost track inside the command (a separator read as an ERROR
        // argument, an operator token as an argument), bash's own word splitting decides.
        // A lone `$` token right before a string is the `$"…"` (translated string) spelling,
        // which the lexer reads itself.
        let dollar_string = |i: u32| {
            n.child(i).is_some_and(|c| c.kind() == "$")
                && n.child(i + 1)
                    .is_some_and(|x| x.start_byte() == n.child(i).map_or(0, |c| c.end_byte()) && x.kind() == "string")
        };
        let garbled = n.has_error()
            || (0..n.child_count()).any(|i| {
                n.child(i).is_some_and(|c| !c.is_named() && n.field_name_for_child(i) == Some("argument"))
                    && !dollar_string(i)
            });
        if garbled {
            for i in 0..n.named_child_count() {
                if let Some(c) = n.named_child(i as u32) {
                    if matches!(c.kind(), "file_redirect" | "heredoc_redirect" | "herestring_redirect") {
                        self.redirect(w, c, &mut redirects, &mut tails);
                    }
                }
            }
            let rec = self.derive_ctx(w, ctx, |x| {
                x.via.push(Via::SyntaxErrorRecovery);
                x.redirects.extend(redirects);
            });
            w.stack.push(Frame::SubstOnly(n, rec));
            w.stack.push(Frame::Recovered { start: n.start_byte(), end: n.end_byte(), ctx: rec });
            for t in tails {
                self.queue_tail(w, t, ctx, None);
            }
            return;
        }
        let mut assignments = Vec::new();
        // Word nodes, grouped when they touch: the grammar sometimes splits one bash word in
        // two (`'a'\_`), and bash would read them as one.
        let mut groups: Vec<Vec<Node<'t>>> = Vec::new();
        let mut last_end: Option<usize> = None;
        for i in 0..n.child_count() {
            let Some(c) = n.child(i) else { continue };
            if !c.is_named() && !dollar_string(i) {
                continue;
            }
            match c.kind() {
                "variable_assignment" => {
                    if let Some(a) = self.assignment(w, c, ctx, false) {
                        assignments.push(a);
                    }
                    last_end = None;
                }
                "file_redirect" | "heredoc_redirect" | "herestring_redirect" => {
                    self.redirect(w, c, &mut redirects, &mut tails);
                    // bash reads the words after a redirection's target as more words of the
                    // command (`rm 2>/dev/null x` removes x); the grammar files them under the
                    // redirection.
                    groups.extend(extra_destinations(c).into_iter().map(|d| vec![d]));
                    last_end = None;
                }
                "comment" => last_end = None,
                _ => {
                    let touches = last_end == Some(c.start_byte()) && word_range(&w.job.text, c).0 == c.start_byte();
                    match groups.last_mut() {
                        Some(g) if touches => g.push(c),
                        _ => groups.push(vec![c]),
                    }
                    last_end = Some(c.end_byte());
                }
            }
        }
        groups.extend(more.into_iter().map(|d| vec![d]));
        // Text the grammar skipped inside this statement is more words of it, in place.
        let mut extra: Vec<(usize, usize)> = Vec::new();
        w.gaps.retain(|&(s, e)| {
            let inside = s >= statement.0 && e <= statement.1;
            if inside {
                extra.extend(lexer::split_commands(&w.job.text, s, e).into_iter().flatten());
            }
            !inside
        });
        let mut words = Vec::new();
        let mut extra = extra.into_iter().peekable();
        for g in &groups {
            while let Some((s, e)) = extra.next_if(|&(s, _)| s < g[0].start_byte()) {
                words.extend(self.plain_word(w.job, s, e));
            }
            words.extend(self.words_of(w.job, g));
        }
        for (s, e) in extra {
            words.extend(self.plain_word(w.job, s, e));
        }
        let span = self.map(w.job, n.start_byte(), n.end_byte());
        // Substitutions inside the words run before the command.
        w.stack.push(Frame::SubstOnly(n, ctx));
        if words.is_empty() {
            if !redirects.is_empty() {
                self.emit_bare_redirect(w, ctx, span, redirects, tails);
            }
            return;
        }
        let mut all_redirects = w.ctxs[ctx].redirects.clone();
        all_redirects.extend(redirects);
        let id = self.emit(w, ctx, span, words, assignments, all_redirects);
        self.note_builtin_effects(id, &w.ctxs[ctx]);
        let pipe_out = tails.iter().any(|t| t.pipe);
        if pipe_out {
            let pid = self.plan.pipelines.len();
            self.plan.pipelines.push(Pipeline { id: pid, span, stages: vec![vec![id]], stderr_piped: Vec::new() });
            self.plan.invocations[id].pipeline = Some(PipePos { pipeline: pid, stage: 0, stages: 1 });
            for t in tails {
                let join = t.pipe.then_some(pid);
                self.queue_tail(w, t, ctx, join);
            }
        } else {
            for t in tails {
                self.queue_tail(w, t, ctx, None);
            }
        }
    }

    fn emit_bare_redirect(&mut self, w: &mut Walk, ctx: usize, span: Span, redirects: Vec<Redirect>, tails: Vec<Tail>) {
        let words = vec![Word::literal("", span)];
        let mut all = w.ctxs[ctx].redirects.clone();
        all.extend(redirects);
        self.emit(w, ctx, span, words, Vec::new(), all);
        for t in tails {
            self.queue_tail(w, t, ctx, None);
        }
    }

    /// Create an invocation from resolved words and unwrap what it runs.
    fn emit(
        &mut self,
        w: &mut Walk,
        ctx: usize,
        span: Span,
        mut words: Vec<Word>,
        assignments: Vec<Assignment>,
        redirects: Vec<Redirect>,
    ) -> usize {
        let c = &w.ctxs[ctx];
        let program = words.remove(0);
        // A function runs if it was defined before this point, or this is inside a function
        // body (which only runs when called, later).
        let in_function = c.via.iter().any(|v| matches!(v, Via::FunctionBody { .. }));
        let calls_function = program
            .as_literal()
            .and_then(|p| self.scope_functions.get(p))
            .is_some_and(|&at| at <= span.start || in_function);
        if let Some(p) = program.as_literal() {
            if RESERVED_AS_COMMAND.contains(&p) && !c.via.contains(&Via::SyntaxErrorRecovery) {
                self.issue(
                    IssueKind::SyntaxError,
                    span,
                    format!("`{p}` where bash expects a command: the line is not valid bash"),
                );
            }
        }
        let id = self.plan.invocations.len();
        let inv = Invocation {
            id,
            program,
            args: words,
            assignments,
            redirects,
            span,
            via: c.via.clone(),
            depth: c.depth,
            parent: c.parent,
            pipeline: None,
            code: None,
            calls_function,
        };
        self.plan.invocations.push(inv);
        if let Some((pid, stage)) = c.pipe {
            if let Some(s) = self.plan.pipelines.get_mut(pid).and_then(|p| p.stages.get_mut(stage)) {
                s.push(id);
            }
        }
        self.unwrap(w, ctx, id);
        id
    }

    /// Follow wrappers (`sudo`, `env`, `xargs`, …) and code arguments (`bash -c`, `eval`).
    fn unwrap(&mut self, w: &mut Walk, ctx: usize, first: usize) {
        let pipe = w.ctxs[ctx].pipe;
        let stdin = self.stdin_of(first, pipe);
        let mut queue = vec![first];
        let mut steps = 0;
        while let Some(id) = queue.pop() {
            steps += 1;
            if steps > 64 || self.plan.invocations[id].calls_function {
                break;
            }
            let derived = programs::derive(&self.plan.invocations[id], &stdin);
            for d in derived {
                match d {
                    Derived::Run { mut argv, via, assignments } => {
                        if argv.is_empty() {
                            continue;
                        }
                        let parent = &self.plan.invocations[id];
                        let program = argv.remove(0);
                        let new_id = self.plan.invocations.len();
                        let mut via_chain = parent.via.clone();
                        let runs_functions = matches!(&via, Via::Wrapper { program } if program == "time");
                        via_chain.push(via);
                        let inv = Invocation {
                            id: new_id,
                            // Only the `time` keyword runs a shell function; other wrappers exec a program.
                            calls_function: runs_functions
                                && program.as_literal().is_some_and(|p| self.scope_functions.contains_key(p)),
                            program,
                            args: argv,
                            assignments,
                            redirects: parent.redirects.clone(),
                            span: parent.span,
                            via: via_chain,
                            depth: parent.depth,
                            parent: Some(id),
                            pipeline: None,
                            code: None,
                        };
                        self.plan.invocations.push(inv);
                        if let Some((pid, stage)) = pipe {
                            if let Some(s) = self.plan.pipelines.get_mut(pid).and_then(|p| p.stages.get_mut(stage)) {
                                s.push(new_id);
                            }
                        }
                        queue.push(new_id);
                    }
                    Derived::Code { code, parse } => {
                        let inv = &self.plan.invocations[id];
                        let (depth, span, mut via_chain) = (inv.depth, inv.span, inv.via.clone());
                        if let Some((via, scope)) = parse {
                            let (text, placeholders) = render_code(&code.text);
                            via_chain.push(via);
                            if depth + 1 > self.limits.max_depth {
                                self.issue(
                                    IssueKind::TooDeep,
                                    span,
                                    format!("code nested more than {} levels deep was not read", self.limits.max_depth),
                                );
                            } else if self.jobs_run + self.jobs.len() >= self.limits.max_sources {
                                self.issue(
                                    IssueKind::TooMany,
                                    span,
                                    "too many pieces of nested code; the rest were not read".into(),
                                );
                            } else if !text.trim().is_empty() {
                                // The same shell (`eval`) goes on with its own variables; a new
                                // shell starts from what it inherits.
                                let mut vars = match scope {
                                    VarScope::Shared => None,
                                    VarScope::Fresh => Some(self.child_vars(id)),
                                    VarScope::Remote => Some(Vars::default()),
                                };
                                for (name, val) in placeholders {
                                    vars.as_mut().unwrap_or(&mut self.vars).set(&name, val);
                                }
                                let uncertain = scope == VarScope::Shared && w.ctxs[ctx].uncertain;
                                let ctx = Ctx {
                                    via: via_chain,
                                    depth: depth + 1,
                                    parent: Some(id),
                                    uncertain,
                                    fresh_shell: scope != VarScope::Shared,
                                    ..Ctx::default()
                                };
                                // Read the code now, so what it assigns (`eval 'a=rm'`) is known to the
                                // words after it, and its commands are listed in order.
                                self.jobs_run += 1;
                                self.source(Job { text, base: Base::Fixed(span), ctx, vars, join_pipe: None });
                            }
                        }
                        let inv = &mut self.plan.invocations[id];
                        if inv.code.is_none() {
                            inv.code = Some(code);
                        }
                    }
                }
            }
        }
    }

    /// The variables a child shell started by invocation `id` sees: exported ones, plus the
    /// assignments given to it and to the wrappers that started it (`a=1 sudo -E bash -c …`).
    fn child_vars(&self, id: usize) -> Vars {
        let mut vars = self.vars.for_child();
        let mut chain = vec![id];
        let mut cur = self.plan.invocations[id].parent;
        while let Some(p) = cur {
            let inv = &self.plan.invocations[p];
            if inv.span != self.plan.invocations[id].span || chain.len() > 64 {
                break;
            }
            chain.push(p);
            cur = inv.parent;
        }
        for &i in chain.iter().rev() {
            for a in &self.plan.invocations[i].assignments {
                match a.value.as_literal() {
                    Some(v) => vars.set(&a.name, VarVal::Known(v.to_string())),
                    None => vars.set(&a.name, VarVal::unknown("assigned a value only known at run time")),
                }
                vars.export(&a.name);
            }
        }
        vars
    }

    /// What a command reads on stdin: its own heredoc/here-string/`<` file, else the previous
    /// pipeline stage's output, else whatever guard's caller connected.
    fn stdin_of(&self, id: usize, pipe: Option<(usize, usize)>) -> Stdin {
        let inv = &self.plan.invocations[id];
        for r in inv.redirects.iter().rev() {
            if r.fd.is_some_and(|fd| fd != 0) {
                continue;
            }
            match r.op {
                RedirectOp::Heredoc | RedirectOp::HereString => {
                    return Stdin::Text { text: r.target.clone(), piped: false }
                }
                RedirectOp::Read | RedirectOp::ReadWrite => {
                    return Stdin::From(format!("the file {}", r.target.display()))
                }
                RedirectOp::DupIn => return Stdin::From(format!("descriptor {}", r.target.display())),
                _ => {}
            }
        }
        if let Some((p, stage)) = pipe.and_then(|(pid, stage)| self.plan.pipelines.get(pid).map(|p| (p, stage))) {
            if stage > 0 {
                let prev = &p.stages[stage - 1];
                let leaves: Vec<&Invocation> = prev
                    .iter()
                    .filter(|&&i| !prev.iter().any(|&j| self.plan.invocations[j].parent == Some(i)))
                    .map(|&i| &self.plan.invocations[i])
                    .collect();
                if let [leaf] = leaves.as_slice() {
                    let leaf_stdin = self.own_stdin(leaf);
                    if let Some(text) = programs::literal_output(leaf, leaf_stdin.as_ref()) {
                        return Stdin::Text { text, piped: true };
                    }
                    return Stdin::From(format!("the output of `{}`", leaf.display()));
                }
                return Stdin::From("the output of the previous pipeline stage".into());
            }
        }
        Stdin::Inherited
    }

    fn own_stdin(&self, inv: &Invocation) -> Option<Word> {
        inv.redirects.iter().rev().find_map(|r| r.stdin_text().cloned())
    }

    /// Builtins that change what later words mean: `cd` changes `$PWD`, `read` sets variables.
    fn note_builtin_effects(&mut self, id: usize, ctx: &Ctx) {
        let inv = &self.plan.invocations[id];
        let Some(name) = inv.program.as_literal() else { return };
        match name {
            "cd" | "pushd" | "popd" => {
                let target =
                    inv.args.iter().find(|a| !a.known_prefix().starts_with('-') || a.as_literal() == Some("-"));
                let new = match target.and_then(|t| t.as_literal()) {
                    Some(t) if t.starts_with('/') && name == "cd" && !ctx.uncertain => Some(super::normalize_path(t)),
                    Some(t) if t != "-" && name == "cd" && !ctx.uncertain => {
                        self.vars.known("PWD").map(|p| super::normalize_path(&format!("{p}/{t}")))
                    }
                    None if name == "cd" && !ctx.uncertain && inv.args.is_empty() => {
                        self.vars.known("HOME").map(str::to_string)
                    }
                    _ => None,
                };
                match new {
                    Some(dir) => self.vars.assign("PWD", Some(dir), true),
                    None => self.vars.forget("PWD", "changed by cd to a directory guard cannot know"),
                }
            }
            "read" | "mapfile" | "readarray" | "getopts" | "printf" | "let" => {
                let args: Vec<String> = inv
                    .args
                    .iter()
                    .filter_map(|a| a.as_literal())
                    .filter(|a| lexer::is_name(a))
                    .map(str::to_string)
                    .collect();
                for a in args {
                    self.vars.forget(&a, "set by a builtin at run time");
                }
            }
            _ => {}
        }
    }

    fn declaration<'t>(&mut self, w: &mut Walk<'t, '_>, n: Node<'t>, ctx: usize) {
        let keyword = n.child(0).map(|k| k.kind().to_string()).unwrap_or_default();
        let mut words = vec![Word::literal(keyword.clone(), self.map(w.job, n.start_byte(), n.end_byte()))];
        for i in 0..n.named_child_count() {
            let Some(c) = n.named_child(i as u32) else { continue };
            match c.kind() {
                "variable_assignment" => {
                    let span = self.map(w.job, c.start_byte(), c.end_byte());
                    if let Some(a) = self.assignment(w, c, ctx, keyword != "local") {
                        let value = match &a.value.value {
                            Value::Literal(v) => Value::Literal(format!("{}={}", a.name, v)),
                            Value::Dynamic(parts) => {
                                let mut p = vec![Part::Text(format!("{}=", a.name))];
                                p.extend(parts.iter().cloned());
                                Value::Dynamic(p)
                            }
                        };
                        words.push(Word { value, glob: false, span });
                    }
                }
                "variable_name" if keyword == "unset" => {
                    let name = node_text(&w.job.text, c).to_string();
                    let definite = !w.ctxs[ctx].uncertain;
                    self.vars.assign(&name, Some(String::new()), definite);
                    words.push(Word::literal(name, self.map(w.job, c.start_byte(), c.end_byte())));
                }
                "comment" => {}
                _ => words.extend(self.words(w.job, c)),
            }
        }
        // `export NAME` and `declare -x NAME` hand the variable to child processes.
        let exports = keyword == "export"
            || (matches!(keyword.as_str(), "declare" | "typeset")
                && words.iter().any(|w| w.as_literal().is_some_and(|t| t.starts_with('-') && t.contains('x'))));
        if exports {
            for word in &words[1..] {
                let text = word.known_prefix();
                let name = text.split('=').next().unwrap_or_default();
                if lexer::is_name(name) {
                    self.vars.export(name);
                }
            }
        }
        let span = self.map(w.job, n.start_byte(), n.end_byte());
        w.stack.push(Frame::SubstOnly(n, ctx));
        let redirects = w.ctxs[ctx].redirects.clone();
        self.emit(w, ctx, span, words, Vec::new(), redirects);
    }

    /// `NAME=value` (or `NAME+=value`, `NAME=(a b)`): resolve the value and, for standalone
    /// assignments, remember it.
    fn assignment<'t>(
        &mut self,
        w: &mut Walk<'t, '_>,
        n: Node<'t>,
        ctx: usize,
        standalone: bool,
    ) -> Option<Assignment> {
        let name_node = n.child_by_field_name("name")?;
        let name = node_text(&w.job.text, name_node).to_string();
        let appending = n.child(1).is_some_and(|op| op.kind() == "+=");
        let value = match n.child_by_field_name("value") {
            Some(v) if v.kind() == "array" => Word::unknown(
                node_text(&w.job.text, v).to_string(),
                "array value",
                self.map(w.job, v.start_byte(), v.end_byte()),
            ),
            Some(v) => {
                let lexed =
                    lexer::lex(&w.job.text, v.start_byte(), v.end_byte(), Mode::Word, &opaque_ranges(&w.job.text, v));
                expand::expand_single(
                    lexed,
                    &self.vars,
                    self.env,
                    self.map(w.job, v.start_byte(), v.end_byte()),
                    expand::ASSIGNMENT,
                )
            }
            None => Word::literal("", self.map(w.job, n.end_byte(), n.end_byte())),
        };
        let name = name.split('[').next().unwrap_or_default().to_string();
        if standalone {
            let definite = !w.ctxs[ctx].uncertain;
            if appending {
                let joined = match (self.vars.known(&name), value.as_literal()) {
                    (Some(old), Some(v)) => Some(format!("{old}{v}")),
                    _ => None,
                };
                self.vars.assign(&name, joined, definite);
            } else {
                self.vars.assign(&name, value.as_literal().map(str::to_string), definite);
            }
        }
        Some(Assignment { name, value })
    }

    /// Resolve the argv words one syntax node stands for (brace expansion may give several).
    fn words(&self, job: &Job, n: Node) -> Vec<Word> {
        self.words_of(job, &[n])
    }

    /// Resolve a word from raw text, without a syntax node.
    fn plain_word(&self, job: &Job, start: usize, end: usize) -> Vec<Word> {
        let lexed = lexer::lex(&job.text, start, end, Mode::Word, &[]);
        expand::expand(lexed, &self.vars, self.env, self.map(job, start, end), expand::WORD)
    }

    /// Resolve touching word nodes as one bash word.
    fn words_of(&self, job: &Job, nodes: &[Node]) -> Vec<Word> {
        let (Some(first), Some(last)) = (nodes.first(), nodes.last()) else { return Vec::new() };
        let (start, end) = (word_range(&job.text, *first).0, last.end_byte());
        let mut opaque: Vec<(usize, usize)> = nodes.iter().flat_map(|n| opaque_ranges(&job.text, *n)).collect();
        opaque.sort_unstable();
        let lexed = lexer::lex(&job.text, start, end, Mode::Word, &opaque);
        let mut words = expand::expand(lexed, &self.vars, self.env, self.map(job, start, end), expand::WORD);
        if words.len() > expand::MAX_BRACE_WORDS {
            words.truncate(expand::MAX_BRACE_WORDS);
        }
        words
    }

    /// Words after a redirection's target outside a simple command (`{ …; } >f x`): bash
    /// rejects them, guard cannot place them, so they are recorded as not understood.
    fn stray_destinations(&mut self, w: &Walk, n: Node) {
        if let Some(d) = extra_destinations(n).first() {
            let span = self.map(w.job, d.start_byte(), n.end_byte());
            self.issue(IssueKind::SyntaxError, span, "words after a redirection's target, outside a command".into());
        }
    }

    fn redirect<'t>(&mut self, w: &mut Walk<'t, '_>, n: Node<'t>, out: &mut Vec<Redirect>, tails: &mut Vec<Tail>) {
        let text = &w.job.text;
        let span = self.map(w.job, n.start_byte(), n.end_byte());
        let fd = n.child_by_field_name("descriptor").and_then(|d| node_text(text, d).parse().ok());
        match n.kind() {
            "heredoc_redirect" => {
                let mut start_node = None;
                let mut body_node = None;
                let mut tail_nodes = Vec::new();
                let mut strip_tabs = false;
                for i in 0..n.child_count() {
                    let Some(c) = n.child(i) else { continue };
                    match c.kind() {
                        "<<-" => strip_tabs = true,
                        "<<" => {}
                        "heredoc_start" => start_node = Some(c),
                        "heredoc_body" => body_node = Some(c),
                        "heredoc_end" => {}
                        _ if start_node.is_some() && body_node.is_none() => tail_nodes.push(c),
                        _ => {}
                    }
                }
                let delim = start_node.map(|s| node_text(text, s)).unwrap_or("");
                let quoted = delim.contains(['\'', '"', '\\']);
                let target = match body_node {
                    Some(b) if quoted => Word::literal(
                        strip(node_text(text, b), strip_tabs),
                        self.map(w.job, b.start_byte(), b.end_byte()),
                    ),
                    Some(b) => {
                        let lexed =
                            lexer::lex(text, b.start_byte(), b.end_byte(), Mode::HeredocBody, &opaque_ranges(text, b));
                        w.missed.extend(lexed.missed.iter().copied());
                        let mut word = expand::expand_single(
                            lexed,
                            &self.vars,
                            self.env,
                            self.map(w.job, b.start_byte(), b.end_byte()),
                            expand::SINGLE,
                        );
                        if strip_tabs {
                            if let Value::Literal(s) = &word.value {
                                word.value = Value::Literal(strip(s, true));
                            }
                        }
                        word
                    }
                    None => Word::literal("", span),
                };
                out.push(Redirect { fd, op: RedirectOp::Heredoc, target, span });
                if let (Some(first), Some(last)) = (tail_nodes.first(), tail_nodes.last()) {
                    let only_redirects =
                        tail_nodes.iter().all(|t| matches!(t.kind(), "file_redirect" | "herestring_redirect"));
                    if only_redirects {
                        for t in tail_nodes.clone() {
                            let mut nested_tails = Vec::new();
                            self.redirect(w, t, out, &mut nested_tails);
                        }
                    } else {
                        let end = body_node.map(|b| b.start_byte()).unwrap_or(last.end_byte()).max(last.end_byte());
                        let start = start_node.map(|s| s.end_byte()).unwrap_or(first.start_byte());
                        let tail = Tail::new(text, start, end);
                        if tail.words {
                            // bash reads words right after the delimiter (`rm <<EOF x`) as more
                            // words of this command; guard lists them as a command of their own.
                            let at = self.map(w.job, first.start_byte(), last.end_byte());
                            self.issue(
                                IssueKind::SyntaxError,
                                at,
                                "words after a heredoc's delimiter, which bash gives to the command".into(),
                            );
                        }
                        tails.push(tail);
                    }
                }
            }
            "herestring_redirect" => {
                let target = match n.named_children(&mut n.walk()).last() {
                    Some(v) => {
                        let mut word =
                            self.words(w.job, v).into_iter().next().unwrap_or_else(|| Word::literal("", span));
                        match &mut word.value {
                            Value::Literal(s) => s.push('\n'),
                            Value::Dynamic(parts) => parts.push(Part::Text("\n".into())),
                        }
                        word
                    }
                    None => Word::literal("\n", span),
                };
                out.push(Redirect { fd, op: RedirectOp::HereString, target, span });
            }
            _ => {
                let mut op = RedirectOp::Write;
                for i in 0..n.child_count() {
                    let Some(c) = n.child(i) else { continue };
                    if c.is_named() {
                        continue;
                    }
                    op = match c.kind() {
                        "<" => RedirectOp::Read,
                        ">" => RedirectOp::Write,
                        ">>" => RedirectOp::Append,
                        ">|" => RedirectOp::Clobber,
                        "<>" => RedirectOp::ReadWrite,
                        "&>" => RedirectOp::WriteAll,
                        "&>>" => RedirectOp::AppendAll,
                        ">&" | ">&-" => RedirectOp::DupOut,
                        "<&" | "<&-" => RedirectOp::DupIn,
                        _ => op,
                    };
                }
                let target = match n.child_by_field_name("destination").filter(|_| !closes(n)) {
                    Some(d) => {
                        let (s, e) = word_range(text, d);
                        let lexed = lexer::lex(text, s, e, Mode::Word, &opaque_ranges(text, d));
                        expand::expand_single(lexed, &self.vars, self.env, self.map(w.job, s, e), expand::SINGLE)
                    }
                    None => Word::literal("-", span),
                };
                out.push(Redirect { fd, op, target, span });
            }
        }
    }

    fn queue_tail(&mut self, w: &Walk, t: Tail, ctx: usize, join: Option<usize>) {
        let Base::Offset(off) = w.job.base else {
            // Nested code has no byte mapping: read the tail as its own text.
            let c = w.ctxs[ctx].clone();
            self.jobs.push_back(Job {
                text: t.text,
                base: w.job.base,
                ctx: Ctx { uncertain: true, ..c },
                vars: None,
                join_pipe: join,
            });
            return;
        };
        let mut c = w.ctxs[ctx].clone();
        c.uncertain |= t.conditional;
        c.pipe = None;
        self.jobs.push_back(Job {
            text: t.text,
            base: Base::Offset(off + t.offset),
            ctx: c,
            vars: None,
            join_pipe: join,
        });
    }

    /// A region the grammar could not parse. Statements it still recognised inside are walked;
    /// runs of loose words between separators are read as commands by a plain shell splitter
    /// (`{rm,-rf,/}` is a brace word bash runs, which the grammar rejects).
    fn error_region<'t>(&mut self, w: &mut Walk<'t, '_>, n: Node<'t>, ctx: usize) {
        let rec = self.with_via(w, ctx, Via::SyntaxErrorRecovery);
        let mut run: Vec<Node<'t>> = Vec::new();
        let mut frames: Vec<Frame<'t>> = Vec::new();
        let count = n.child_count();
        let mut i = 0;
        while i < count {
            let Some(c) = n.child(i) else { break };
            i += 1;
            let kind = c.kind();
            if !c.is_named() && matches!(kind, ";" | "&" | "&&" | "||" | "|" | "|&" | "\n" | ";;" | ";&" | ";;&") {
                self.flush_run(&mut run, rec, &mut frames);
                continue;
            }
            if kind == "{" && !c.is_named() {
                if let Some(next) = n.child(i) {
                    if next.start_byte() == c.end_byte() && next.is_named() {
                        // `{a,b}` read as a group opener followed by a command: one brace word.
                        run.push(c);
                        run.push(next);
                        i += 1;
                        continue;
                    }
                }
                self.flush_run(&mut run, rec, &mut frames);
                continue;
            }
            if c.is_named() && (STATEMENTS.contains(&kind) || kind == "ERROR") {
                self.flush_run(&mut run, rec, &mut frames);
                frames.push(Frame::Node(c, ctx));
                continue;
            }
            if kind == "comment" || kind == "heredoc_body" {
                self.flush_run(&mut run, rec, &mut frames);
                frames.push(Frame::SubstOnly(c, ctx));
                continue;
            }
            run.push(c);
        }
        self.flush_run(&mut run, rec, &mut frames);
        for f in frames.into_iter().rev() {
            w.stack.push(f);
        }
    }

    fn flush_run<'t>(&mut self, run: &mut Vec<Node<'t>>, ctx: usize, frames: &mut Vec<Frame<'t>>) {
        while run.first().is_some_and(|c| {
            !c.is_named()
                && KEYWORDS.contains(&c.kind())
                && !(c.kind() == "{" && run.get(1).is_some_and(|n| n.start_byte() == c.end_byte()))
        }) {
            run.remove(0);
        }
        let (Some(first), Some(last)) = (run.first(), run.last()) else {
            run.clear();
            return;
        };
        let (start, end) = (first.start_byte(), last.end_byte());
        frames.push(Frame::Recovered { start, end, ctx });
        for c in run.iter() {
            frames.push(Frame::SubstOnly(*c, ctx));
        }
        run.clear();
    }

    fn recovered(&mut self, w: &mut Walk, start: usize, end: usize, ctx: usize) {
        if w.recovered.iter().any(|&(s, e)| s <= start && end <= e) {
            return;
        }
        w.recovered.push((start, end));
        let text = w.job.text.clone();
        for cmd in lexer::split_commands(&text, start, end) {
            let mut words = Vec::new();
            for (s, e) in &cmd {
                let lexed = lexer::lex(&text, *s, *e, Mode::Word, &[]);
                words.extend(expand::expand(lexed, &self.vars, self.env, self.map(w.job, *s, *e), expand::WORD));
            }
            let words: Vec<Word> =
                words.into_iter().skip_while(|w| w.as_literal().is_some_and(|t| KEYWORDS.contains(&t))).collect();
            if words.is_empty() {
                continue;
            }
            let span = self.map(w.job, cmd[0].0, cmd[cmd.len() - 1].1);
            let redirects = w.ctxs[ctx].redirects.clone();
            self.emit(w, ctx, span, words, Vec::new(), redirects);
        }
    }
}

struct Walk<'t, 'j> {
    job: &'j Job,
    /// Ranges already read by the plain splitter, so overlapping recoveries don't repeat.
    recovered: Vec<(usize, usize)>,
    /// Command substitutions the lexer found without a syntax node (backticks in heredocs).
    missed: Vec<(usize, usize)>,
    /// Skipped text inside simple commands, taken as words by the command that holds it.
    gaps: Vec<(usize, usize)>,
    ctxs: Vec<Ctx>,
    stack: Vec<Frame<'t>>,
}

/// The rest of a heredoc's first line (`cat <<EOF | sh`, `cat <<EOF && rm x`), which the
/// grammar nests inside the redirect and sometimes misreads; it is parsed again on its own.
/// What a redirected statement gives the simple command in it: its redirections, heredoc
/// tails, the words after a redirection's target, and the statement's bytes.
struct Outer<'t> {
    redirects: Vec<Redirect>,
    tails: Vec<Tail>,
    more: Vec<Node<'t>>,
    statement: (usize, usize),
}

struct Tail {
    text: String,
    offset: usize,
    pipe: bool,
    conditional: bool,
    /// It starts with words, not an operator: they belong to the command before it.
    words: bool,
}

impl Tail {
    fn new(src: &str, start: usize, end: usize) -> Tail {
        let raw = &src[start..end];
        let trimmed = raw.trim_start();
        let mut offset = start + (raw.len() - trimmed.len());
        let mut pipe = false;
        let mut conditional = false;
        let mut words = true;
        for op in ["&&", "||", "|&", "|", ";", "&", "\n", "#"] {
            if src[offset..end].starts_with(op) {
                pipe = op.starts_with('|') && op != "||";
                conditional = op == "&&" || op == "||";
                words = false;
                if op != "#" {
                    offset += op.len();
                }
                break;
            }
        }
        words &= !src[offset..end].trim().is_empty();
        let text = src[offset..end].trim_end_matches('\n').to_string();
        Tail { text, offset, pipe, conditional, words }
    }
}

/// One pass over the tree: byte ranges holding more than blanks and line continuations that no
/// syntax node covers, and the names of the functions the text defines.
/// What one pass over a tree finds: skipped byte ranges, and functions with where each is defined.
type TreeScan = (Vec<Gap>, Vec<(String, usize)>);

/// Text no syntax node covers. `in_command`: it lies inside a simple command's statement, so
/// bash reads it as more words of that command (`python3 - <<EOF` loses its `-`).
#[derive(Debug, Clone, Copy)]
struct Gap {
    start: usize,
    end: usize,
    in_command: bool,
}

fn scan_tree(root: Node, text: &str) -> TreeScan {
    let mut gaps = Vec::new();
    let mut functions = Vec::new();
    let mut covered = 0usize;
    let check = |from: usize, to: usize, gaps: &mut Vec<Gap>| {
        if to > from {
            let gap = text.get(from..to).unwrap_or_default();
            if !gap.replace("\\\n", "").trim().is_empty() {
                let mut node = root.descendant_for_byte_range(from, to);
                let mut in_command = false;
                while let Some(n) = node {
                    if matches!(n.kind(), "command" | "redirected_statement") {
                        in_command = true;
                        break;
                    }
                    node = n.parent();
                }
                gaps.push(Gap { start: from, end: to, in_command });
            }
        }
    };
    preorder(root, |n| {
        if n.kind() == "function_definition" {
            if let Some(name) = n.child_by_field_name("name") {
                functions.push((node_text(text, name).to_string(), n.start_byte()));
            }
        }
        // Inside these only `$(…)` can run anything, and those are parsed nodes of their own.
        let opaque = matches!(
            n.kind(),
            "heredoc_body"
                | "string_content"
                | "comment"
                | "string"
                | "raw_string"
                | "ansi_c_string"
                | "translated_string"
                | "expansion"
                | "arithmetic_expansion"
                | "regex"
                | "test_command"
        );
        if n.child_count() == 0 || opaque {
            if n.start_byte() > covered {
                check(covered, n.start_byte(), &mut gaps);
            }
            covered = covered.max(n.end_byte());
            return false;
        }
        true
    });
    check(covered, text.len(), &mut gaps);
    gaps.truncate(20);
    (gaps, functions)
}

/// An ERROR node holding whole statements is handled by `error_region`, not joined.
fn has_statement_error(n: Node) -> bool {
    n.is_error() && has_statement(n)
}

fn has_statement(n: Node) -> bool {
    (0..n.named_child_count()).filter_map(|i| n.named_child(i as u32)).any(|c| STATEMENTS.contains(&c.kind()))
}

enum PipeItem<'t> {
    /// A stage, with redirections the grammar attached to an enclosing node.
    Stage(Node<'t>, Vec<Node<'t>>),
    /// `|` (or `|&` when `stderr`) between two stages.
    Pipe { stderr: bool },
}

/// The stages of a pipeline in order, with nested pipelines (which the grammar makes of
/// `a | b 2>&1 | c`) flattened. Iterative, so no input can exhaust the stack.
fn flatten_pipeline(n: Node) -> Vec<PipeItem> {
    enum Work<'t> {
        Expand(Node<'t>, Vec<Node<'t>>),
        Emit(PipeItem<'t>),
    }
    let mut out = Vec::new();
    let mut work = vec![Work::Expand(n, Vec::new())];
    while let Some(job) = work.pop() {
        let (p, redirects) = match job {
            Work::Emit(item) => {
                out.push(item);
                continue;
            }
            Work::Expand(p, r) => (p, r),
        };
        let mut items: Vec<Work> = Vec::new();
        for i in 0..p.child_count() {
            let Some(c) = p.child(i) else { continue };
            if c.is_named() && c.kind() != "comment" {
                let body = c
                    .child_by_field_name("body")
                    .filter(|b| c.kind() == "redirected_statement" && b.kind() == "pipeline");
                if c.kind() == "pipeline" {
                    items.push(Work::Expand(c, Vec::new()));
                } else if let Some(body) = body {
                    let r = (0..c.named_child_count())
                        .filter_map(|k| c.named_child(k as u32))
                        .filter(|x| matches!(x.kind(), "file_redirect" | "heredoc_redirect" | "herestring_redirect"))
                        .collect();
                    items.push(Work::Expand(body, r));
                } else {
                    items.push(Work::Emit(PipeItem::Stage(c, Vec::new())));
                }
            } else if c.kind() == "|" || c.kind() == "|&" {
                items.push(Work::Emit(PipeItem::Pipe { stderr: c.kind() == "|&" }));
            }
        }
        // Redirections written after this pipeline belong to its last stage.
        if let Some(last) = items.iter_mut().rev().find(|w| !matches!(w, Work::Emit(PipeItem::Pipe { .. }))) {
            match last {
                Work::Expand(_, r) | Work::Emit(PipeItem::Stage(_, r)) => r.extend(redirects),
                Work::Emit(PipeItem::Pipe { .. }) => {}
            }
        }
        work.extend(items.into_iter().rev());
    }
    out
}

/// Visit nodes in document order; `visit` returns whether to go into the node's children.
fn preorder<'t>(root: Node<'t>, mut visit: impl FnMut(Node<'t>) -> bool) {
    let mut cursor = root.walk();
    'outer: loop {
        if visit(cursor.node()) && cursor.goto_first_child() {
            continue;
        }
        loop {
            if cursor.goto_next_sibling() {
                continue 'outer;
            }
            if !cursor.goto_parent() {
                break 'outer;
            }
        }
    }
}

/// The text of a node. Never panics: a range off a character boundary yields "".
fn node_text<'a>(text: &'a str, n: Node) -> &'a str {
    text.get(n.byte_range()).unwrap_or_default()
}

/// The text tree-sitter parses: the same bytes with every non-ASCII byte replaced by `a`.
/// Bash treats any non-ASCII character as an ordinary word character, and byte offsets stay
/// identical; it also keeps multi-byte code points away from the grammar's C scanner, which
/// passes them to `isdigit`/`iswspace` (undefined behaviour for values above 255 — it crashes).
fn ascii_for_parsing(text: &str) -> std::borrow::Cow<'_, str> {
    if text.is_ascii() {
        return std::borrow::Cow::Borrowed(text);
    }
    let bytes: Vec<u8> = text.bytes().map(|b| if b.is_ascii() { b } else { b'a' }).collect();
    std::borrow::Cow::Owned(String::from_utf8(bytes).expect("ASCII bytes are UTF-8"))
}

/// The byte range of a word node, without the whitespace the grammar sometimes folds into
/// the front of a substitution token.
/// The destination words of a redirection after its target: the grammar puts the words that
/// follow a redirection (`>f a b`) under it.
fn extra_destinations(n: Node<'_>) -> Vec<Node<'_>> {
    let mut cursor = n.walk();
    // `<&-` and `>&-` close a descriptor and have no target of their own.
    let target = usize::from(!closes(n));
    n.children_by_field_name("destination", &mut cursor).skip(target).collect()
}

/// A redirection that closes a descriptor (`<&-`, `>&-`).
fn closes(n: Node<'_>) -> bool {
    (0..n.child_count()).filter_map(|i| n.child(i)).any(|c| matches!(c.kind(), "<&-" | ">&-"))
}

fn word_range(src: &str, n: Node) -> (usize, usize) {
    let (mut s, e) = (n.start_byte(), n.end_byte());
    while s < e && matches!(src.as_bytes()[s], b' ' | b'\t') {
        s += 1;
    }
    (s, e)
}

/// Substitutions under `n` whose extent the lexer should take from the tree.
fn opaque_ranges(src: &str, n: Node) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    if n.named_child_count() == 0 {
        return out;
    }
    let mut stack = vec![n];
    while let Some(x) = stack.pop() {
        match x.kind() {
            "command_substitution" | "process_substitution" => {
                let (s, e) = word_range(src, x);
                out.push((s, e));
            }
            _ => {
                for i in 0..x.named_child_count() {
                    if let Some(c) = x.named_child(i as u32) {
                        stack.push(c);
                    }
                }
            }
        }
    }
    out.sort_unstable();
    out
}

/// `<<-` strips leading tabs from every line.
fn strip(body: &str, tabs: bool) -> String {
    if !tabs {
        return body.to_string();
    }
    body.split_inclusive('\n').map(|l| l.trim_start_matches('\t')).collect()
}

/// Code text to parse: known parts verbatim. Unknown parts become placeholder variables whose
/// value is unknown for the same reason, so the nested parse marks them dynamic without
/// re-reading (and listing twice) a substitution that already ran in the outer text.
fn render_code(w: &Word) -> (String, Vec<(String, VarVal)>) {
    match &w.value {
        Value::Literal(s) => (s.clone(), Vec::new()),
        Value::Dynamic(parts) => {
            let mut text = String::new();
            let mut vars = Vec::new();
            for p in parts {
                match p {
                    Part::Text(t) => text.push_str(t),
                    Part::Unknown { what, why } => {
                        let name = format!("__guard_unknown_{}", vars.len());
                        text.push_str(&format!("${{{name}}}"));
                        vars.push((name, VarVal::Unknown { why: why.clone().into(), what: Some(what.clone()) }));
                    }
                }
            }
            (text, vars)
        }
    }
}
