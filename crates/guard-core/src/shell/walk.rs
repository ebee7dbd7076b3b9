//! Walks the syntax tree (iteratively: an explicit stack, never the Rust call stack) and
//! builds the Plan. Nested code found along the way (`bash -c '…'`, `eval`, heredocs fed to
//! a shell) is queued as a new source and parsed in turn, up to the depth limit.

use std::collections::{HashMap, HashSet, VecDeque};
use std::ops::ControlFlow;
use std::time::Instant;

use tree_sitter::{Node, ParseOptions, Parser, Tree};

use super::continuation::{self, OffsetMap};
use super::cwd::{self, Cwd, Dir, Target};
use super::env::Env;
use super::expand;
use super::lexer::{self, Mode};
use super::programs::{self, Chdir, Derived, Here, Stdin, VarScope};
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
    /// The shell's state when the code starts; `None` continues the current state.
    state: Option<ShellState>,
}

/// What the shell carries from one command to the next besides variables: its directory, its
/// directory stack (`pushd`/`popd`), and whether `set -e` stops it at a failed command.
#[derive(Debug, Clone, Default)]
struct ShellState {
    cwd: Cwd,
    stack: Vec<Cwd>,
    errexit: bool,
}

/// The last `cd` walked: the syntax node it came from, and where the shell is if it succeeded
/// (for `cd DIR && …` and `cd DIR || exit`).
#[derive(Debug, Clone)]
struct LastCd {
    walk: usize,
    node: usize,
    success: Cwd,
}

/// What ends a part of the text that keeps its own shell state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Restore {
    /// A subshell, pipeline stage, background job or substitution: its moves stay inside.
    Plain,
    /// A function body, walked where it is defined but run when called.
    FunctionBody,
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
    /// Aliases whose text this is (an alias is not expanded inside its own text).
    aliasing: Vec<String>,
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
    /// Remember the shell state before a part that keeps its own (`errexit`: whether `set -e`
    /// holds inside; bash turns it off in command substitutions).
    Save {
        errexit: bool,
    },
    /// Remember the shell state and continue from this one.
    Enter(Box<ShellState>),
    /// Return to the state remembered last.
    Restore(Restore),
    /// After the left side of `&&` or `||`: the right side may not run. `and_tail` is the
    /// node of a `cd` whose success the right side of `&&` implies.
    RightBegin {
        and_tail: Option<usize>,
    },
    /// After the right side. `or_exit_tail`: the `cd` of `cd DIR || exit`, which succeeded if
    /// the shell goes on.
    RightEnd {
        or_exit_tail: Option<usize>,
    },
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
    /// The shell state at the point being walked, and what parts that keep their own saved.
    state: ShellState,
    saved: Vec<ShellState>,
    /// The directories each `&&`/`||` right side being walked started from.
    pending: Vec<Cwd>,
    /// The directories each invocation runs in, by id (before renumbering).
    inv_cwd: Vec<Cwd>,
    last_cd: Option<LastCd>,
    /// The text changes the shell's directory somewhere.
    dir_changed: bool,
    /// A function body in the text changes directory (calling any function may move the shell).
    fn_changes_dir: bool,
    /// Texts walked so far (each has its own syntax tree).
    walks: usize,
    /// Aliases defined so far: every value each may have (`None`: a value only known at run time).
    aliases: HashMap<String, Vec<Option<String>>>,
    /// Digit words the grammar read as words but bash reads as a redirection's descriptor
    /// (`0<<<code`, `0< <(…)`), by byte range: they are not arguments.
    descriptor_words: HashSet<(usize, usize)>,
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
            state: ShellState::default(),
            saved: Vec::new(),
            pending: Vec::new(),
            inv_cwd: Vec::new(),
            last_cd: None,
            dir_changed: false,
            fn_changes_dir: false,
            walks: 0,
            aliases: HashMap::new(),
            descriptor_words: HashSet::new(),
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
            state: None,
        });
        while let Some(job) = self.jobs.pop_front() {
            self.jobs_run += 1;
            self.source(job);
        }
        // A function body or trap handler runs when it is called or triggered, not where it is
        // written: once the text moves the shell anywhere, where that is cannot be known.
        if self.dir_changed {
            for inv in &mut self.plan.invocations {
                if inv.has_via(|v| matches!(v, Via::FunctionBody { .. } | Via::Trap)) {
                    inv.cwd_unknown = true;
                }
            }
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
        if let Some(state) = job.state.take() {
            self.state = state;
        }
        self.walks += 1;
        let serial = self.walks;
        // A walk cut short (out of time, too many commands) leaves no saved state behind.
        let (saved_len, pending_len) = (self.saved.len(), self.pending.len());
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
            serial,
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
                Frame::Save { errexit } => {
                    self.saved.push(self.state.clone());
                    self.state.errexit &= errexit;
                }
                Frame::Enter(state) => {
                    self.saved.push(std::mem::replace(&mut self.state, *state));
                }
                Frame::Restore(kind) => self.restore(kind),
                // Where the shell is when a `cd` succeeded has the same main directory as where
                // it may be after it: only the alternatives differ, so `$PWD` stays as it is.
                Frame::RightBegin { and_tail } => {
                    self.pending.push(self.state.cwd.clone());
                    if let Some(success) = self.cd_succeeded(w.serial, and_tail) {
                        self.state.cwd = success;
                    }
                }
                Frame::RightEnd { or_exit_tail } => {
                    if let Some(before) = self.pending.pop() {
                        self.state.cwd.merge(&before);
                    }
                    if let Some(success) = self.cd_succeeded(w.serial, or_exit_tail) {
                        self.state.cwd = success;
                    }
                }
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
        self.saved.truncate(saved_len);
        self.pending.truncate(pending_len);
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
            if background {
                // A background job is a process of its own: its `cd` stays inside.
                frames.push(Frame::Save { errexit: true });
                frames.push(Frame::Node(c, cctx));
                frames.push(Frame::Restore(Restore::Plain));
            } else {
                frames.push(Frame::Node(c, cctx));
            }
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
        self.queue_missed(w, ctx);
    }

    fn node_kind<'t>(&mut self, w: &mut Walk<'t, '_>, n: Node<'t>, ctx: usize) {
        match n.kind() {
            "command" => self.command(w, n, ctx),
            "redirected_statement" => self.redirected(w, n, ctx),
            "pipeline" => self.pipeline(w, n, ctx, None),
            "list" => self.list(w, n, ctx),
            // These run in a process of their own: a `cd` inside stays inside.
            "subshell" => {
                let c = self.with_via(w, ctx, Via::Subshell);
                w.stack.push(Frame::Restore(Restore::Plain));
                self.push_children(w, n, c);
                w.stack.push(Frame::Save { errexit: true });
            }
            "command_substitution" => {
                let c = self.with_via(w, ctx, Via::CommandSubstitution);
                w.stack.push(Frame::Restore(Restore::Plain));
                self.push_children(w, n, c);
                w.stack.push(Frame::Save { errexit: false });
            }
            "process_substitution" => {
                let c = self.with_via(w, ctx, Via::ProcessSubstitution);
                w.stack.push(Frame::Restore(Restore::Plain));
                self.push_children(w, n, c);
                w.stack.push(Frame::Save { errexit: false });
            }
            "for_statement" if self.literal_loop(w, n, ctx) => {}
            "for_statement" | "c_style_for_statement" | "while_statement" => self.loop_statement(w, n, ctx),
            "if_statement" | "case_statement" => {
                let c = self.with_via(w, ctx, Via::Branch);
                self.push_children(w, n, c);
            }
            "function_definition" => self.function_definition(w, n, ctx),
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

    /// Walk the substitutions under `n` after the command it belongs to is listed, in the shell
    /// state from before that command (they run first, so its `cd` does not move them).
    fn push_substitutions<'t>(&self, w: &mut Walk<'t, '_>, n: Node<'t>, ctx: usize) {
        let text = node_text(&w.job.text, n);
        if !text.contains(['`', '(']) {
            w.stack.push(Frame::SubstOnly(n, ctx));
            return;
        }
        w.stack.push(Frame::Restore(Restore::Plain));
        w.stack.push(Frame::SubstOnly(n, ctx));
        w.stack.push(Frame::Enter(Box::new(self.state.clone())));
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
            // Each stage runs in a subshell of its own, from where the pipeline starts.
            w.stack.push(Frame::Restore(Restore::Plain));
            w.stack.push(Frame::Node(s, c));
            w.stack.push(Frame::Save { errexit: true });
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
                    self.push_substitutions(w, c, ctx);
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
        groups.retain(
            |g| !matches!(g.as_slice(), [d] if self.descriptor_words.contains(&(d.start_byte(), d.end_byte()))),
        );
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
        self.push_substitutions(w, n, ctx);
        if words.is_empty() {
            if !redirects.is_empty() {
                self.emit_bare_redirect(w, ctx, span, redirects, tails);
            }
            return;
        }
        let mut all_redirects = w.ctxs[ctx].redirects.clone();
        all_redirects.extend(redirects);
        let id = self.emit(w, ctx, span, words, assignments, all_redirects);
        self.note_builtin_effects(id, &w.ctxs[ctx], w.serial, Some(n.id()));
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
        let mut inv = Invocation {
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
            cwd: None,
            cwd_alternatives: Vec::new(),
            cwd_unknown: false,
        };
        self.state.cwd.fill(&mut inv, self.start());
        self.plan.invocations.push(inv);
        self.inv_cwd.push(self.state.cwd.clone());
        if let Some((pid, stage)) = c.pipe {
            if let Some(s) = self.plan.pipelines.get_mut(pid).and_then(|p| p.stages.get_mut(stage)) {
                s.push(id);
            }
        }
        self.unwrap(w, ctx, id);
        self.expand_alias(w, ctx, id);
        // A function of the text that changes directory may have moved the shell.
        if calls_function && self.fn_changes_dir {
            self.state.cwd.mark_unknown();
        }
        id
    }

    /// The directory guard was asked about, when it is an absolute path.
    fn start(&self) -> Option<&'e str> {
        self.env.pwd().filter(|p| p.starts_with('/'))
    }

    /// Where a wrapper's command runs, from where the wrapper runs.
    fn apply_chdir(&self, base: &Cwd, chdir: &Chdir) -> Cwd {
        let target = match chdir {
            Chdir::Stay => return base.clone(),
            Chdir::To(w) => w.as_literal().map(cwd::target).unwrap_or(Target::Unknown),
            Chdir::HomeOf(user) => self.env.user_homes.get(user).map(|h| cwd::target(h)).unwrap_or(Target::Unknown),
            Chdir::OwnHome => self.vars.known("HOME").map(cwd::target).unwrap_or(Target::Unknown),
            Chdir::Unknown => Target::Unknown,
        };
        // A wrapper that cannot enter the directory does not run the command.
        base.change(&[target], false, self.start())
    }

    /// Where invocation `id` runs, for the paths it is given.
    fn here_of(&self, id: usize) -> Here {
        let inv = &self.plan.invocations[id];
        match self.start() {
            Some(start) => Here {
                dirs: inv.directories(start).into_iter().map(str::to_string).collect(),
                unknown: inv.cwd_unknown,
            },
            None => Here { dirs: inv.cwd.iter().chain(inv.cwd_alternatives.iter()).cloned().collect(), unknown: true },
        }
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
            let here = self.here_of(id);
            let derived = programs::derive(&self.plan.invocations[id], &stdin, &here);
            for d in derived {
                match d {
                    Derived::Run { mut argv, via, assignments, chdir } => {
                        if argv.is_empty() {
                            continue;
                        }
                        let program = argv.remove(0);
                        // Only the `time` keyword runs a shell function; other wrappers exec a program.
                        let runs_functions = matches!(&via, Via::Wrapper { program } if program == "time");
                        let calls_function = runs_functions
                            && program.as_literal().is_some_and(|p| self.scope_functions.contains_key(p));
                        let cwd = self.apply_chdir(&self.inv_cwd[id].clone(), &chdir);
                        let new_id = self.derived(id, program, argv, assignments, via, cwd, pipe);
                        self.plan.invocations[new_id].calls_function = calls_function;
                        queue.push(new_id);
                    }
                    Derived::Code { code, parse, chdir } => {
                        if let Some((via, scope)) = parse {
                            let outer = Enclosing { uncertain: w.ctxs[ctx].uncertain, pipe, aliasing: Vec::new() };
                            self.nested(id, &code.text, via, scope, &chdir, outer);
                        } else if matches!(self.plan.invocations[id].program_name(), Some("source" | ".")) {
                            // Code guard cannot read runs in this shell: it may move it anywhere.
                            self.state.cwd.mark_unknown();
                            self.dir_changed = true;
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

    /// A command that invocation `parent` runs (unwrapped from a wrapper, or an alias's text
    /// whose value is unknown): listed right after it, in the same pipeline stage.
    #[allow(clippy::too_many_arguments)]
    fn derived(
        &mut self,
        parent: usize,
        program: Word,
        args: Vec<Word>,
        assignments: Vec<Assignment>,
        via: Via,
        cwd: Cwd,
        pipe: Option<(usize, usize)>,
    ) -> usize {
        let p = &self.plan.invocations[parent];
        let new_id = self.plan.invocations.len();
        let mut via_chain = p.via.clone();
        via_chain.push(via);
        let mut inv = Invocation {
            id: new_id,
            calls_function: false,
            program,
            args,
            assignments,
            redirects: p.redirects.clone(),
            span: p.span,
            via: via_chain,
            depth: p.depth,
            parent: Some(parent),
            pipeline: None,
            code: None,
            cwd: None,
            cwd_alternatives: Vec::new(),
            cwd_unknown: false,
        };
        cwd.fill(&mut inv, self.start());
        self.plan.invocations.push(inv);
        self.inv_cwd.push(cwd);
        if let Some((pid, stage)) = pipe {
            if let Some(s) = self.plan.pipelines.get_mut(pid).and_then(|p| p.stages.get_mut(stage)) {
                s.push(new_id);
            }
        }
        new_id
    }

    /// Read `text`, code invocation `id` runs, now (so what it assigns, `eval 'a=rm'`, is known
    /// to the words after it, and its commands are listed in order), one level deeper.
    fn nested(&mut self, id: usize, text: &Word, via: Via, scope: VarScope, chdir: &Chdir, outer: Enclosing) {
        let Enclosing { uncertain, pipe, aliasing } = outer;
        let inv = &self.plan.invocations[id];
        let (depth, span, mut via_chain) = (inv.depth, inv.span, inv.via.clone());
        let trap = via == Via::Trap;
        let (text, placeholders) = render_code(text);
        via_chain.push(via);
        if depth + 1 > self.limits.max_depth {
            self.issue(
                IssueKind::TooDeep,
                span,
                format!("code nested more than {} levels deep was not read", self.limits.max_depth),
            );
            return;
        }
        if self.jobs_run + self.jobs.len() >= self.limits.max_sources {
            self.issue(IssueKind::TooMany, span, "too many pieces of nested code; the rest were not read".into());
            return;
        }
        if text.trim().is_empty() {
            return;
        }
        // The same shell (`eval`) goes on with its own variables; a new shell starts from what
        // it inherits.
        let mut vars = match scope {
            VarScope::Shared => None,
            VarScope::Fresh => Some(self.child_vars(id)),
            VarScope::Remote => Some(Vars::default()),
        };
        for (name, val) in placeholders {
            vars.as_mut().unwrap_or(&mut self.vars).set(&name, val);
        }
        let ctx = Ctx {
            via: via_chain,
            depth: depth + 1,
            parent: Some(id),
            uncertain: scope == VarScope::Shared && uncertain,
            fresh_shell: scope != VarScope::Shared,
            aliasing,
            // Code the same shell runs (`eval`, an alias) reads the same stdin, in the same
            // pipeline stage.
            pipe: pipe.filter(|_| scope == VarScope::Shared && !trap),
            ..Ctx::default()
        };
        // A new shell starts in the directory it is started in, with no directory stack and
        // no aliases; code on another machine runs somewhere guard cannot know.
        let here = self.apply_chdir(&self.inv_cwd[id].clone(), chdir);
        let fresh_state = match scope {
            VarScope::Shared => None,
            VarScope::Fresh => Some(ShellState { cwd: here.clone(), ..ShellState::default() }),
            VarScope::Remote => Some(ShellState { cwd: Cwd::unknown(), ..ShellState::default() }),
        };
        if let (Some(v), true) = (vars.as_mut(), here != self.state.cwd) {
            // bash sets `$PWD` to the directory it starts in.
            match (scope, here.single()) {
                (VarScope::Fresh, Some(Dir::Path(p))) => v.set("PWD", VarVal::Known(p.clone())),
                _ => v.set("PWD", VarVal::unknown("the directory a wrapper starts the shell in")),
            }
        }
        let saved_state = match &fresh_state {
            Some(_) => Some(self.state.clone()),
            // A trap handler runs later, whenever it is triggered.
            None if trap => Some(self.state.clone()),
            None => None,
        };
        let saved_aliases = fresh_state.as_ref().map(|_| std::mem::take(&mut self.aliases));
        self.jobs_run += 1;
        self.source(Job { text, base: Base::Fixed(span), ctx, vars, join_pipe: None, state: fresh_state });
        if let Some(saved) = saved_state {
            let moved = trap && saved.cwd != self.state.cwd;
            self.state = saved;
            if moved {
                self.state.cwd.mark_unknown();
            }
        }
        if let Some(a) = saved_aliases {
            self.aliases = a;
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

    /// Builtins that change what later words mean: `cd` moves the shell (and `$PWD`), `read`
    /// sets variables, `alias` defines aliases, `set -e` stops at a failed `cd`. `node` is the
    /// simple command's syntax node in text number `walk`.
    fn note_builtin_effects(&mut self, id: usize, ctx: &Ctx, walk: usize, node: Option<usize>) {
        let inv = &self.plan.invocations[id];
        let words = builtin_words(inv);
        let Some(name) = words.first().and_then(|w| w.as_literal()) else { return };
        let args: Vec<Word> = words[1..].iter().map(|w| (*w).clone()).collect();
        match name {
            // `hash -p PATH NAME`: NAME now runs PATH, which guard does not follow.
            "hash"
                if args.iter().any(|a| {
                    a.as_literal().is_some_and(|t| !t.starts_with("--") && t.starts_with('-') && t.contains('p'))
                }) =>
            {
                let span = self.plan.invocations[id].span;
                self.issue(IssueKind::RunTime, span, "hash -p makes a name run another program".into());
            }
            "cd" => {
                let (_, operands) = split_options(&args, "");
                let targets = match operands.as_slice() {
                    [] => vec![self.vars.known("HOME").map(cwd::target).unwrap_or(Target::Unknown)],
                    [w] => match w.as_literal() {
                        // `cd ''` stays where it is.
                        Some("") => return,
                        Some("-") => vec![self.vars.known("OLDPWD").map(cwd::target).unwrap_or(Target::Unknown)],
                        Some(t) => self.cd_targets(t),
                        None => vec![Target::Unknown],
                    },
                    // `cd a b` fails: too many arguments.
                    _ => return,
                };
                let cannot_fail = match operands.first().and_then(|w| w.as_literal()) {
                    Some(t) => cwd::cannot_fail(t),
                    None => false,
                };
                let success = self.state.cwd.change(&targets, false, self.start());
                self.move_to(success, cannot_fail, ctx, walk, node);
            }
            "pushd" => {
                let (flags, operands) = split_options(&args, "n");
                if operands.iter().any(rotates) {
                    self.lost_track(ctx);
                    return;
                }
                let no_cd = flags.contains(&'n');
                match (operands.as_slice(), no_cd) {
                    // `pushd` swaps the top two directories.
                    ([], _) => {
                        if let Some(top) = self.state.stack.pop() {
                            let here = self.state.cwd.clone();
                            self.state.stack.push(here);
                            self.move_to(top, false, ctx, walk, node);
                        }
                    }
                    ([w], no_cd) => {
                        let targets = match w.as_literal() {
                            Some(t) => self.cd_targets(t),
                            None => vec![Target::Unknown],
                        };
                        let success = self.state.cwd.change(&targets, false, self.start());
                        if no_cd {
                            // `pushd -n DIR` only adds DIR under the top of the stack.
                            self.state.stack.push(success);
                        } else {
                            let here = self.state.cwd.clone();
                            self.state.stack.push(here);
                            let cannot_fail = w.as_literal().is_some_and(cwd::cannot_fail);
                            self.move_to(success, cannot_fail, ctx, walk, node);
                        }
                    }
                    _ => {}
                }
            }
            "popd" => {
                let (flags, operands) = split_options(&args, "n");
                if operands.iter().any(rotates) {
                    self.lost_track(ctx);
                    return;
                }
                if flags.contains(&'n') {
                    self.state.stack.pop();
                    return;
                }
                match self.state.stack.pop() {
                    Some(top) => self.move_to(top, false, ctx, walk, node),
                    // Past what the text pushed: the shell's own stack, which guard cannot see.
                    None => {
                        let success = self.state.cwd.change(&[Target::Unknown], false, self.start());
                        self.move_to(success, false, ctx, walk, node);
                    }
                }
            }
            "alias" => self.define_aliases(&args, ctx, inv.span),
            "unalias" if !ctx.uncertain => {
                for a in &args {
                    match a.as_literal() {
                        Some("-a") => self.aliases.clear(),
                        Some(n) => {
                            self.aliases.remove(n);
                        }
                        None => {}
                    }
                }
            }
            "set" if !ctx.uncertain => {
                let mut k = 0;
                while let Some(a) = args.get(k).and_then(|a| a.as_literal()) {
                    let on = a.starts_with('-');
                    if a == "--" || a == "-" || !(on || a.starts_with('+')) {
                        break;
                    }
                    if a[1..].contains('e') {
                        self.state.errexit = on;
                    }
                    if a[1..].contains('o') {
                        k += 1;
                        if args.get(k).and_then(|v| v.as_literal()) == Some("errexit") {
                            self.state.errexit = on;
                        }
                    }
                    k += 1;
                }
            }
            "read" | "mapfile" | "readarray" | "getopts" | "printf" | "let" => {
                let args: Vec<String> = args
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

    /// Where `cd t` may go: `t`, or with `CDPATH` set in the text, each of its directories
    /// first (for a name that does not start with `/`, `.` or `..`).
    fn cd_targets(&self, t: &str) -> Vec<Target> {
        let searched = !t.starts_with('/') && t != "." && t != ".." && !t.starts_with("./") && !t.starts_with("../");
        if !searched || !self.vars.is_set("CDPATH") {
            return vec![cwd::target(t)];
        }
        let mut out: Vec<Target> = match self.vars.known("CDPATH") {
            Some(path) => path
                .split(':')
                .map(|d| if d.is_empty() { cwd::target(t) } else { cwd::target(&format!("{d}/{t}")) })
                .collect(),
            None => vec![Target::Unknown],
        };
        out.push(cwd::target(t));
        out
    }

    /// The shell moves to `success` (where it is if the change succeeds). The change may fail
    /// or not run at all, leaving it where it was, unless it cannot fail (`cd /`, `cd ..`) or
    /// `set -e` stops the shell when it does, and it certainly runs.
    fn move_to(&mut self, success: Cwd, cannot_fail: bool, ctx: &Ctx, walk: usize, node: Option<usize>) {
        let certain = !ctx.uncertain && (cannot_fail || self.state.errexit);
        let mut after = success.clone();
        if !certain {
            after.merge(&self.state.cwd);
        }
        let before = std::mem::replace(&mut self.state.cwd, after);
        self.dir_changed = true;
        if ctx.via.iter().any(|v| matches!(v, Via::FunctionBody { .. })) {
            self.fn_changes_dir = true;
        }
        if let Some(node) = node {
            self.last_cd = Some(LastCd { walk, node, success });
        }
        if ctx.uncertain {
            self.vars.forget("PWD", "changed by cd to a directory guard cannot know");
            self.vars.forget("OLDPWD", "changed by cd to a directory guard cannot know");
            return;
        }
        let path = |c: &Cwd, start: Option<&str>| match &c.main {
            Some(Dir::Path(p)) => Some(p.clone()),
            Some(Dir::Start) => start.map(str::to_string),
            None => None,
        };
        match path(&self.state.cwd, self.start()) {
            Some(p) => self.vars.assign("PWD", Some(p), true),
            None => self.vars.forget("PWD", "changed by cd to a directory guard cannot know"),
        }
        match path(&before, self.start()) {
            Some(p) => self.vars.assign("OLDPWD", Some(p), true),
            None => self.vars.forget("OLDPWD", "changed by cd to a directory guard cannot know"),
        }
    }

    /// `pushd +N`, `popd -N`: the stack turns in ways guard does not follow.
    fn lost_track(&mut self, ctx: &Ctx) {
        self.state.stack.clear();
        let success = self.state.cwd.change(&[Target::Unknown], false, self.start());
        self.move_to(success, false, ctx, 0, None);
    }

    /// Where the shell is if the `cd` at syntax node `node` of text `walk` succeeded, when that
    /// was the last `cd` walked.
    fn cd_succeeded(&self, walk: usize, node: Option<usize>) -> Option<Cwd> {
        let lc = self.last_cd.as_ref()?;
        (lc.walk == walk && Some(lc.node) == node).then(|| lc.success.clone())
    }

    fn restore(&mut self, kind: Restore) {
        let Some(saved) = self.saved.pop() else { return };
        let moved = saved.cwd != self.state.cwd || saved.stack != self.state.stack;
        if moved && kind == Restore::FunctionBody {
            self.fn_changes_dir = true;
        }
        self.state = saved;
    }

    /// Code that may change directory: it names `cd`, `pushd` or `popd`, or calls a function of
    /// the text while one of them changes directory.
    fn may_change_dir(&self, text: &str) -> bool {
        cwd::mentions_dir_change(text)
            || (self.fn_changes_dir && self.scope_functions.keys().any(|f| cwd::mentions_word(text, f)))
    }

    /// `alias NAME=VALUE…`: remember each definition. One made where it may not happen (a
    /// branch, a loop, a subshell, a function) adds a possible value instead of replacing.
    fn define_aliases(&mut self, args: &[Word], ctx: &Ctx, span: Span) {
        for a in args {
            if matches!(a.as_literal(), Some("-p" | "--")) {
                continue;
            }
            match a.known_prefix().split_once('=') {
                Some((name, _)) if alias_name(name) => {
                    let value = a.as_literal().map(|t| t[name.len() + 1..].to_string());
                    let values = self.aliases.entry(name.to_string()).or_default();
                    if !ctx.uncertain {
                        values.clear();
                    }
                    if !values.contains(&value) && values.len() < 8 {
                        values.push(value);
                    }
                }
                Some(_) => {}
                None if a.is_dynamic() => self.issue(
                    IssueKind::RunTime,
                    span,
                    format!(
                        "`alias {}` defines an alias whose name is only known at run time; it may change what later \
                         commands run",
                        a.display()
                    ),
                ),
                None => {}
            }
        }
    }

    /// A command whose first word is an alias defined earlier runs the alias's text followed by
    /// its other words, read again as shell code (bash does this only with `expand_aliases` and
    /// on lines read after the definition; guard assumes it always does).
    fn expand_alias(&mut self, w: &mut Walk, ctx: usize, id: usize) {
        let inv = &self.plan.invocations[id];
        let Some(name) = inv.program.as_literal() else { return };
        if w.ctxs[ctx].aliasing.iter().any(|a| a == name) {
            return;
        }
        let Some(values) = self.aliases.get(name).cloned() else { return };
        let name = name.to_string();
        let rest = inv.args.clone();
        let span = inv.span;
        let uncertain = w.ctxs[ctx].uncertain;
        let pipe = w.ctxs[ctx].pipe;
        let mut aliasing = w.ctxs[ctx].aliasing.clone();
        aliasing.push(name.clone());
        for value in values {
            let via = Via::Alias { name: name.clone() };
            match value {
                Some(v) => {
                    let text = alias_text(&v, &rest, &self.aliases, &aliasing, span);
                    let outer = Enclosing { uncertain, pipe, aliasing: aliasing.clone() };
                    self.nested(id, &text, via, VarScope::Shared, &Chdir::Stay, outer);
                }
                None => {
                    let span = self.plan.invocations[id].program.span;
                    let program =
                        Word::unknown(format!("alias {name}"), "an alias whose value is only known at run time", span);
                    let cwd = self.inv_cwd[id].clone();
                    self.derived(id, program, rest.clone(), Vec::new(), via, cwd, pipe);
                }
            }
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
        self.push_substitutions(w, n, ctx);
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
        // `BASH_ALIASES[x]=…` defines an alias guard does not follow.
        if name == "BASH_ALIASES" || name.starts_with("BASH_ALIASES[") {
            let span = self.map(w.job, n.start_byte(), n.end_byte());
            self.issue(
                IssueKind::RunTime,
                span,
                "an alias set through BASH_ALIASES, which guard does not follow".into(),
            );
        }
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
        let mut fd = n.child_by_field_name("descriptor").and_then(|d| node_text(text, d).parse().ok());
        // Digits right before the operator are its descriptor, though the grammar makes them a
        // word of the command (for `<<<` and some `<`): `bash 0<<<CODE` reads CODE on stdin.
        if fd.is_none() {
            let start = n.start_byte();
            let before = &text.as_bytes()[..start];
            let digits = before.iter().rev().take_while(|b| b.is_ascii_digit()).count();
            let lead = start - digits;
            if digits > 0 && (lead == 0 || matches!(before[lead - 1], b' ' | b'\t' | b'\n' | b';' | b'&' | b'|' | b'('))
            {
                fd = text[lead..start].parse().ok();
                self.descriptor_words.insert((lead, start));
            }
        }
        match n.kind() {
            "heredoc_redirect" => self.heredoc(w, n, fd, span, out, tails),
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
        // The tail is read after the rest of the text, though it runs right here: it starts
        // where the shell is now, and a directory change in it leaves the rest uncertain.
        let state = Some(self.state.clone());
        if cwd::mentions_dir_change(&t.text) {
            self.state.cwd.mark_unknown();
            self.dir_changed = true;
        }
        let Base::Offset(off) = w.job.base else {
            // Nested code has no byte mapping: read the tail as its own text.
            let c = w.ctxs[ctx].clone();
            self.jobs.push_back(Job {
                text: t.text,
                base: w.job.base,
                ctx: Ctx { uncertain: true, ..c },
                vars: None,
                join_pipe: join,
                state,
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
            state,
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
            let id = self.emit(w, ctx, span, words, Vec::new(), redirects);
            // `{cd,/}` still moves the shell.
            self.note_builtin_effects(id, &w.ctxs[ctx], w.serial, None);
        }
    }

    /// Command substitutions the lexer found with no syntax node of their own (backticks in a
    /// heredoc body): each is read as a text of its own, queued after this one.
    fn queue_missed(&mut self, w: &mut Walk, ctx: usize) {
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
                    state: Some(self.state.clone()),
                });
            }
        }
    }

    fn list<'t>(&mut self, w: &mut Walk<'t, '_>, n: Node<'t>, ctx: usize) {
        // `a && b`, `a || b`: the right side may not run.
        let mut kids = Vec::new();
        let mut seen_op = false;
        let mut op = "";
        for i in 0..n.child_count() {
            let Some(c) = n.child(i) else { continue };
            if !c.is_named() {
                if !seen_op {
                    op = c.kind();
                }
                seen_op = true;
                continue;
            }
            if c.kind() == "comment" {
                continue;
            }
            let cctx = if seen_op { self.derive_ctx(w, ctx, |x| x.uncertain = true) } else { ctx };
            kids.push((c, cctx));
        }
        if let [(left, lctx), (right, rctx)] = kids.as_slice() {
            // `cd DIR && cmd` runs cmd in DIR; after `cd DIR || exit` the shell is in DIR.
            let and_tail = if op == "&&" { cd_tail(*left) } else { None };
            let or_exit_tail = if op == "||" && exits(&w.job.text, *right) { cd_tail(*left) } else { None };
            w.stack.push(Frame::RightEnd { or_exit_tail });
            w.stack.push(Frame::Node(*right, *rctx));
            w.stack.push(Frame::RightBegin { and_tail });
            w.stack.push(Frame::Node(*left, *lctx));
        } else {
            for (c, cctx) in kids.into_iter().rev() {
                w.stack.push(Frame::Node(c, cctx));
            }
        }
    }

    fn loop_statement<'t>(&mut self, w: &mut Walk<'t, '_>, n: Node<'t>, ctx: usize) {
        if let Some(var) = n.child_by_field_name("variable") {
            let name = node_text(&w.job.text, var).to_string();
            self.vars.forget(&name, "loop variable");
        }
        // The body is walked once but may run many times: a directory change in it
        // moves every later pass (and what comes before it in the body) somewhere else.
        if self.may_change_dir(node_text(&w.job.text, n)) {
            self.state.cwd.mark_unknown();
        }
        let c = self.with_via(w, ctx, Via::Loop);
        self.push_children(w, n, c);
    }

    fn function_definition<'t>(&mut self, w: &mut Walk<'t, '_>, n: Node<'t>, ctx: usize) {
        let name = n.child_by_field_name("name").map(|x| node_text(&w.job.text, x).to_string()).unwrap_or_default();
        self.functions.insert(name.clone());
        let c = self.with_via(w, ctx, Via::FunctionBody { name });
        if let Some(body) = n.child_by_field_name("body") {
            w.stack.push(Frame::Restore(Restore::FunctionBody));
            w.stack.push(Frame::Node(body, c));
            w.stack.push(Frame::Save { errexit: true });
        }
    }

    /// `<<EOF` (or `<<-EOF`): the body is the command's stdin (expanded unless the delimiter is
    /// quoted); the rest of the first line after the delimiter is a tail, read again on its own.
    fn heredoc<'t>(
        &mut self,
        w: &mut Walk<'t, '_>,
        n: Node<'t>,
        fd: Option<u32>,
        span: Span,
        out: &mut Vec<Redirect>,
        tails: &mut Vec<Tail>,
    ) {
        let text = &w.job.text;
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
            Some(b) if quoted => {
                Word::literal(strip(node_text(text, b), strip_tabs), self.map(w.job, b.start_byte(), b.end_byte()))
            }
            Some(b) => {
                let lexed = lexer::lex(text, b.start_byte(), b.end_byte(), Mode::HeredocBody, &opaque_ranges(text, b));
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
            let only_redirects = tail_nodes.iter().all(|t| matches!(t.kind(), "file_redirect" | "herestring_redirect"));
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
}

/// The words of a builtin run through `builtin`, `command` or `time` (`command cd /x` moves
/// the shell as `cd /x` does); `command -v cd` runs nothing.
fn builtin_words(inv: &Invocation) -> Vec<&Word> {
    let mut words: Vec<&Word> = inv.argv().collect();
    loop {
        match words.first().and_then(|w| w.as_literal()) {
            Some("builtin") => {
                words.remove(0);
            }
            Some("command" | "time") => {
                words.remove(0);
                while matches!(words.first().and_then(|w| w.as_literal()), Some("-p" | "--")) {
                    words.remove(0);
                }
                if words.first().is_some_and(|w| w.known_prefix().starts_with('-')) {
                    return Vec::new();
                }
            }
            _ => return words,
        }
    }
}

/// The flags and the operands of a builtin's arguments (`cd -P dir`, `pushd -n dir`). A word
/// after `--` is an operand; so is `-` alone, and `+N`/`-N` (stack positions).
fn split_options(args: &[Word], known: &str) -> (Vec<char>, Vec<Word>) {
    let mut flags = Vec::new();
    let mut i = 0;
    while let Some(a) = args.get(i) {
        let Some(t) = a.as_literal() else { break };
        if t == "--" {
            i += 1;
            break;
        }
        if t.len() < 2 || !t.starts_with('-') || t[1..].bytes().all(|b| b.is_ascii_digit()) {
            break;
        }
        flags.extend(t[1..].chars().filter(|c| known.contains(*c)));
        i += 1;
    }
    (flags, args[i.min(args.len())..].to_vec())
}

/// `+N` or `-N`: a position in the directory stack.
fn rotates(w: &Word) -> bool {
    w.as_literal().is_some_and(|t| {
        t.len() > 1 && (t.starts_with('+') || t.starts_with('-')) && t[1..].bytes().all(|b| b.is_ascii_digit())
    })
}

/// A name bash accepts for an alias.
fn alias_name(name: &str) -> bool {
    !name.is_empty() && !name.chars().any(|c| "/$`=\\'\" \t\n|&;()<>".contains(c))
}

/// An alias's text followed by the command's other words, as shell text. Words only partly
/// known keep their unknown parts (read back as placeholders); an alias ending in a blank
/// makes the next word an alias too, as in bash.
fn alias_text(
    value: &str,
    rest: &[Word],
    aliases: &HashMap<String, Vec<Option<String>>>,
    used: &[String],
    span: Span,
) -> Word {
    let mut parts = vec![Part::Text(value.to_string())];
    let mut rest = rest;
    let mut last = value.to_string();
    let mut used: Vec<String> = used.to_vec();
    while last.ends_with([' ', '\t']) && used.len() < 16 {
        let Some(next) = rest.first().and_then(|w| w.as_literal()) else { break };
        let Some([Some(v)]) = aliases.get(next).map(Vec::as_slice) else { break };
        if used.iter().any(|u| u == next) {
            break;
        }
        used.push(next.to_string());
        parts.push(Part::Text(v.clone()));
        last = v.clone();
        rest = &rest[1..];
    }
    for w in rest {
        parts.push(Part::Text(" ".into()));
        match &w.value {
            Value::Literal(t)
                if w.glob && !t.contains(|c: char| c.is_whitespace() || "'\"\\$`;&|<>(){}".contains(c)) =>
            {
                parts.push(Part::Text(t.clone()))
            }
            Value::Literal(t) => parts.push(Part::Text(super::shell_quote(t))),
            Value::Dynamic(ps) => {
                parts.push(Part::Text("\"".into()));
                for p in ps {
                    match p {
                        Part::Text(t) => {
                            let mut q = String::new();
                            for c in t.chars() {
                                if matches!(c, '\\' | '"' | '$' | '`') {
                                    q.push('\\');
                                }
                                q.push(c);
                            }
                            parts.push(Part::Text(q));
                        }
                        u => parts.push(u.clone()),
                    }
                }
                parts.push(Part::Text("\"".into()));
            }
        }
    }
    let words: Vec<Word> = parts
        .into_iter()
        .map(|p| match p {
            Part::Text(t) => Word::literal(t, span),
            Part::Unknown { what, why } => Word::unknown(what, why, span),
        })
        .collect();
    programs::join_words(&words, "", span)
}

/// The node of the `cd` whose success the rest of a `&&` chain implies: the statement itself
/// when it is a simple command (possibly redirected), else the last command of a `&&` list.
fn cd_tail(n: Node) -> Option<usize> {
    match n.kind() {
        "command" => Some(n.id()),
        "redirected_statement" => n.child_by_field_name("body").filter(|b| b.kind() == "command").map(|b| b.id()),
        "list" => {
            let and = (0..n.child_count()).filter_map(|i| n.child(i)).any(|c| !c.is_named() && c.kind() == "&&");
            let last =
                (0..n.named_child_count()).filter_map(|i| n.named_child(i as u32)).rfind(|c| c.kind() != "comment")?;
            and.then(|| cd_tail(last)).flatten()
        }
        _ => None,
    }
}

/// A statement that ends the shell (or the function) when it runs: `exit`, `return`, or a
/// group `{ …; exit 1; }` ending in one.
fn exits(text: &str, n: Node) -> bool {
    match n.kind() {
        "command" => n.child_by_field_name("name").is_some_and(|c| matches!(node_text(text, c), "exit" | "return")),
        "redirected_statement" => n.child_by_field_name("body").is_some_and(|b| exits(text, b)),
        "compound_statement" => (0..n.named_child_count())
            .filter_map(|i| n.named_child(i as u32))
            .rfind(|c| c.kind() != "comment")
            .is_some_and(|c| exits(text, c)),
        _ => false,
    }
}

/// What nested code takes from the command that holds it: whether that may not run, its
/// pipeline stage, and the aliases being expanded.
struct Enclosing {
    uncertain: bool,
    pipe: Option<(usize, usize)>,
    aliasing: Vec<String>,
}

struct Walk<'t, 'j> {
    job: &'j Job,
    /// Which text this is (syntax node ids are only unique within one).
    serial: usize,
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
