//! Walks the syntax tree (iteratively: an explicit stack, never the Rust call stack) and
//! builds the Plan. Nested code found along the way (`bash -c '…'`, `eval`, heredocs fed to
//! a shell) is queued as a new source and parsed in turn, up to the depth limit.

mod aliases;
mod assignments;
mod builtins;
mod command;
mod compound;
mod directory;
mod heredoc;
mod nested;
mod pipelines;
mod recovery;
mod redirects;
mod source;
mod substitutions;
mod tree;

use std::collections::{HashMap, HashSet, VecDeque};
use std::time::Instant;

use tree_sitter::{Node, Parser};

use super::continuation::{self, OffsetMap};
use super::cwd::Cwd;
use super::env::Env;
use super::vars::Vars;
use super::Limits;
use crate::plan::*;
use recovery::has_statement_error;
use tree::node_text;

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

pub(crate) struct Builder<'e, 'p> {
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
    /// Files the text has written so far, by absolute path: their whole content when every
    /// write was of known text, `None` once any part of it is not known.
    written: HashMap<String, Option<String>>,
}

/// Subshells, substitutions, loops and branches nested deeper than this are not walked (and
/// the plan says so): real scripts stay far below it, and it bounds the work on hostile input.
const MAX_NESTING: usize = 100;

impl<'e, 'p> Builder<'e, 'p> {
    pub(crate) fn new(env: &'e Env, limits: Limits, parser: &'p mut Parser) -> Self {
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
            written: HashMap::new(),
        }
    }

    pub(crate) fn run(mut self, text: &str) -> Plan {
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

    fn map(&self, job: &Job, start: usize, end: usize) -> Span {
        match job.base {
            Base::Offset(o) => Span::new(self.cont.original(start + o), self.cont.original(end + o)),
            Base::Fixed(s) => s,
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
        let count = n.child_count();
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

    /// The directory guard was asked about, when it is an absolute path.
    fn start(&self) -> Option<&'e str> {
        self.env.pwd().filter(|p| p.starts_with('/'))
    }
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

#[cfg(test)]
mod tests {
    use crate::plan::IssueKind;
    use crate::shell::testing::{issues, plan, runs};

    /// What a command runs is listed right after it, whatever order the texts were read in.
    #[test]
    fn what_a_command_runs_follows_it() {
        for (text, want) in [
            (
                "sudo bash -c 'rm a'; ls",
                vec!["sudo bash -c 'rm a'", "bash -c 'rm a' @run by sudo", "rm a @run by sudo > bash -c", "ls"],
            ),
            ("eval 'a; b'; c", vec!["eval 'a; b'", "a @eval", "b @eval", "c"]),
            ("a & b", vec!["a @background &", "b"]),
        ] {
            assert_eq!(runs(text), want, "{text}");
        }
        let parents: Vec<Option<usize>> = plan("sudo bash -c 'rm a'").invocations.iter().map(|i| i.parent).collect();
        assert_eq!(parents, [None, Some(0), Some(1)]);
    }

    #[test]
    fn constructs_nested_past_the_limit_are_reported_not_walked() {
        let text = format!("{}rm x{}", "( ".repeat(120), " )".repeat(120));
        assert!(runs(&text).is_empty());
        assert!(issues(&text).contains(&IssueKind::TooDeep));
    }
}
