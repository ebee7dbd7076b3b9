//! What a command runs in turn: wrappers unwrapped into the commands they run (listed right
//! after them, where they run), and code they are given (`bash -c`, `eval`, a heredoc fed to
//! a shell) read now, one level deeper, with the variables and directory it starts with.

use super::{Base, Builder, Ctx, Job, ShellState, Walk};
use crate::plan::*;
use crate::shell::cwd::{self, Cwd, Dir, Target};
use crate::shell::programs::{self, Chdir, Derived, Here, Stdin, VarScope};
use crate::shell::vars::{VarVal, Vars};

/// The most text of one file written in the text that guard keeps, to read if it is run.
const MAX_WRITTEN: usize = 64 * 1024;

/// The most pipeline stages guard follows back to find a known text (`echo … | base64 -d |
/// rev | sh`).
const MAX_CHAIN: usize = 16;

/// What nested code takes from the command that holds it: whether that may not run, its
/// pipeline stage, and the aliases being expanded.
pub(super) struct Enclosing {
    pub(super) uncertain: bool,
    pub(super) pipe: Option<(usize, usize)>,
    pub(super) aliasing: Vec<String>,
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

impl Builder<'_, '_> {
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
    pub(super) fn unwrap(&mut self, w: &mut Walk, ctx: usize, first: usize) {
        let pipe = w.ctxs[ctx].pipe;
        let stdin = self.stdin_of(first, pipe);
        self.note_writes(first, &stdin);
        let mut queue = vec![first];
        let mut steps = 0;
        while let Some(id) = queue.pop() {
            steps += 1;
            if steps > 64 {
                // Wrappers nested past the limit hide what they run: never allow it unread.
                let span = self.plan.invocations[id].span;
                self.issue(
                    IssueKind::TooDeep,
                    span,
                    "more than 64 wrappers in a row; what they run was not read".into(),
                );
                break;
            }
            if self.plan.invocations[id].calls_function {
                break;
            }
            let here = self.here_of(id);
            self.project_code(w, ctx, id);
            let mut derived = programs::derive(&self.plan.invocations[id], &stdin, &here);
            // A script written earlier in the text and run by its path (`./x.sh`): its code.
            let program = &self.plan.invocations[id].program;
            if derived.is_empty() && program.as_literal().is_some_and(|p| p.contains('/')) {
                let code = Code { language: "sh".into(), source: CodeSource::File, text: program.clone(), read: None };
                if let Some((text, parse)) = self.written_script(id, &code) {
                    derived.push(Derived::Code {
                        code: Code { text, ..code },
                        parse: Some(parse),
                        chdir: Chdir::Stay,
                        decoded: None,
                    });
                }
            }
            // Variables given to it that hold commands (`PAGER=… git log`).
            derived.extend(self.env_carriers(id));
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
                    Derived::Code { mut code, parse, chdir, decoded } => {
                        // Text an option or variable holds is what the program runs, not code
                        // the program itself is (its commands are listed on their own).
                        let carried = matches!(parse, Some((Via::Carrier { .. }, _)));
                        // A script written earlier in the text is read as the code it holds.
                        let (text, parse) = match parse {
                            Some(p) => (code.text.clone(), Some(p)),
                            None => match self.written_script(id, &code) {
                                Some((text, p)) => (text, Some(p)),
                                None => (code.text.clone(), None),
                            },
                        };
                        if let Some((via, scope)) = parse {
                            let outer = Enclosing { uncertain: w.ctxs[ctx].uncertain, pipe, aliasing: Vec::new() };
                            let mut vias = vec![via];
                            vias.extend(decoded.map(|decoder| Via::Decoded { decoder }));
                            self.nested_through(id, &text, vias, scope, &chdir, outer);
                        } else if matches!(self.plan.invocations[id].program_name(), Some("source" | ".")) {
                            // Code guard cannot read runs in this shell: it may move it anywhere.
                            self.state.cwd.mark_unknown();
                            self.dir_changed = true;
                        } else {
                            self.read_code(w, ctx, id, &mut code, &chdir);
                        }
                        let inv = &mut self.plan.invocations[id];
                        if inv.code.is_none() && !carried {
                            inv.code = Some(code);
                        }
                    }
                }
            }
        }
    }

    /// Code in another language, read with its grammar when its text is known: what it runs,
    /// deletes, writes, moves or reads is listed one level deeper, as the shell command that
    /// does the same, reached through [`Via::Code`].
    fn read_code(&mut self, w: &mut Walk, ctx: usize, id: usize, code: &mut Code, chdir: &Chdir) {
        // A script written earlier in the text and run by its path is the code it holds.
        if let Some((_, text)) = self.written_file(id, code) {
            code.text = Word::literal(text, code.text.span);
        }
        if !crate::code::readable(&code.language) {
            return;
        }
        let reading = match &code.text.value {
            Value::Literal(text) => crate::code::read(&code.language, text, self.deadline),
            Value::Dynamic(parts) => crate::code::read_parts(&code.language, parts, self.deadline),
        };
        let Some(reading) = reading else { return };
        if reading.truncated {
            self.issue(
                IssueKind::TooMany,
                code.text.span,
                format!("{} code doing more than guard lists; the rest was not read", code.language),
            );
        }
        code.read = Some(CodeRead {
            complete: reading.complete,
            forks_without_end: reading.forks_without_end,
            chooses_calls: reading.chooses,
        });
        let pipe = w.ctxs[ctx].pipe;
        for effect in reading.effects {
            let value = match effect.shell.as_slice() {
                [Part::Text(t)] => Value::Literal(t.clone()),
                _ => Value::Dynamic(effect.shell),
            };
            let word = Word { value, glob: false, span: code.text.span };
            let via = Via::Code { language: code.language.clone(), call: effect.call };
            let outer = Enclosing { uncertain: w.ctxs[ctx].uncertain, pipe, aliasing: Vec::new() };
            self.nested(id, &word, via, VarScope::Fresh, chdir, outer);
        }
    }

    /// Code in files the text wrote earlier that command `id` runs: package.json's scripts
    /// for `npm install`, a Makefile's recipes for `make`, a Gemfile for `bundle`, a unit's
    /// ExecStart for `systemctl enable`.
    fn project_code(&mut self, w: &mut Walk, ctx: usize, id: usize) {
        let span = self.plan.invocations[id].span;
        for f in programs::project_files(&self.plan.invocations[id]) {
            // A `*` in the last part of the name matches any file written there.
            let found: Vec<(String, String)> = match f.path.rsplit_once("/*") {
                Some((dir, suffix)) => self
                    .paths_for(id, dir)
                    .into_iter()
                    .flat_map(|d| {
                        let mut hits: Vec<(String, String)> = self
                            .written
                            .iter()
                            .filter(|(p, _)| {
                                p.strip_prefix(&format!("{d}/"))
                                    .is_some_and(|n| !n.contains('/') && n.ends_with(suffix))
                            })
                            .filter_map(|(p, t)| Some((p.clone(), t.clone()?)))
                            .collect();
                        hits.sort();
                        hits
                    })
                    .collect(),
                None => self
                    .paths_for(id, &f.path)
                    .into_iter()
                    .find_map(|p| {
                        let text = self.written.get(&p)?.clone()?;
                        Some((p, text))
                    })
                    .into_iter()
                    .collect(),
            };
            for (path, text) in found {
                for (language, code) in programs::code_in(&f.holds, &text) {
                    let word = Word::literal(code, span);
                    if language == "sh" {
                        let outer = Enclosing { uncertain: w.ctxs[ctx].uncertain, pipe: None, aliasing: Vec::new() };
                        let via = Via::WrittenScript { path: path.clone() };
                        self.nested(id, &word, via, VarScope::Fresh, &Chdir::Stay, outer);
                    } else {
                        let mut code =
                            Code { language: language.into(), source: CodeSource::Argument, text: word, read: None };
                        self.read_code(w, ctx, id, &mut code, &Chdir::Stay);
                    }
                }
            }
        }
    }

    /// What the variables that hold commands, given to invocation `id`, run: assigned in front
    /// of it, in front of the wrappers that run it, or exported earlier in the text. What such
    /// a variable itself runs is not given them again.
    fn env_carriers(&self, id: usize) -> Vec<Derived> {
        let inv = &self.plan.invocations[id];
        if matches!(inv.via.last(), Some(Via::Carrier { .. })) {
            return Vec::new();
        }
        let mut given: Vec<programs::Given> = Vec::new();
        let mut add = |name: &str, value: Word, from| {
            if programs::is_env_carrier(name) && !given.iter().any(|g| g.name == name) {
                given.push(programs::Given { name: name.to_string(), value, from });
            }
        };
        for a in inv.assignments.iter().rev() {
            add(&a.name, a.value.clone(), programs::GivenFrom::Own);
        }
        let mut cur = inv.parent;
        let mut steps = 0;
        while let Some(p) = cur.map(|p| &self.plan.invocations[p]) {
            steps += 1;
            if p.span != inv.span || steps > 64 {
                break;
            }
            for a in p.assignments.iter().rev() {
                add(&a.name, a.value.clone(), programs::GivenFrom::Wrapper);
            }
            cur = p.parent;
        }
        // Few variables are exported in a text: look at those, not at every carrier's name.
        let mut exported: Vec<&str> = self.vars.exported_names().filter(|n| programs::is_env_carrier(n)).collect();
        exported.sort_unstable();
        for name in exported {
            if let Some(v) = self.vars.exported(name) {
                let value = match v {
                    VarVal::Known(s) => Word::literal(s, inv.span),
                    VarVal::Unknown { what, why } => {
                        Word::unknown(what.clone().unwrap_or_else(|| format!("${name}")), why.to_string(), inv.span)
                    }
                };
                add(name, value, programs::GivenFrom::Exported);
            }
        }
        if given.is_empty() {
            return Vec::new();
        }
        programs::env_carriers(inv, &given)
    }

    /// The absolute paths a path given to invocation `id` may name: one per directory it may
    /// run in.
    fn paths_for(&self, id: usize, path: &str) -> Vec<String> {
        if path.starts_with('/') {
            return vec![crate::shell::normalize_path(path)];
        }
        self.here_of(id).dirs.iter().map(|d| crate::shell::normalize_path(&format!("{d}/{path}"))).collect()
    }

    /// The code of a script file written earlier in the text, when `code` runs or sources one
    /// and everything written to it is known: the text to read, and how.
    fn written_script(&self, id: usize, code: &Code) -> Option<(Word, (Via, VarScope))> {
        if !programs::is_shell(&code.language) {
            return None;
        }
        let (abs, text) = self.written_file(id, code)?;
        // Shells read a NUL each their own way.
        if text.contains('\0') {
            return None;
        }
        let scope = match self.plan.invocations[id].program_name() {
            Some("source" | ".") => VarScope::Shared,
            _ => VarScope::Fresh,
        };
        Some((Word::literal(&text, code.text.span), (Via::WrittenScript { path: abs }, scope)))
    }

    /// The path and text of the file `code` is read from, when it was written earlier in the
    /// text and everything written to it is known.
    fn written_file(&self, id: usize, code: &Code) -> Option<(String, String)> {
        if code.source != CodeSource::File {
            return None;
        }
        let path = code.text.as_literal()?;
        self.paths_for(id, path).into_iter().find_map(|p| {
            let text = self.written.get(&p)?.clone()?;
            Some((p, text))
        })
    }

    /// Remember what invocation `id` writes to files by redirection, when its output is known
    /// text (`printf '…' > x.sh`, `cat > x.sh <<EOF`), for a later `sh x.sh` to read.
    pub(super) fn note_writes(&mut self, id: usize, stdin: &Stdin) {
        self.note_copies(id, stdin);
        let inv = &self.plan.invocations[id];
        let outputs: Vec<(String, bool)> = inv
            .redirects
            .iter()
            .filter(|r| r.fd.is_none_or(|fd| fd == 1))
            .filter_map(|r| {
                let append = match r.op {
                    RedirectOp::Write | RedirectOp::Clobber | RedirectOp::WriteAll => false,
                    RedirectOp::Append | RedirectOp::AppendAll => true,
                    _ => return None,
                };
                Some((r.target.as_literal()?.to_string(), append))
            })
            .collect();
        if outputs.is_empty() {
            return;
        }
        let input = match stdin {
            Stdin::Text { text, .. } => Some(text),
            _ => None,
        };
        let text = programs::literal_output(inv, input).and_then(|w| w.as_literal().map(str::to_string));
        for (target, append) in outputs {
            let paths = self.paths_for(id, &target);
            // Where the file is depends on a directory guard cannot name: nothing is known of it.
            let certain = paths.len() == 1;
            for p in paths {
                let slot = self.written.entry(p).or_insert(None);
                match (&text, certain) {
                    (Some(t), true) if !append => *slot = Some(t.clone()),
                    // Appended to in place; a script past this size is not one guard reads whole.
                    (Some(t), true) => match slot {
                        Some(b) if b.len() + t.len() <= MAX_WRITTEN => b.push_str(t),
                        _ => *slot = None,
                    },
                    _ => *slot = None,
                }
            }
        }
    }

    /// Files written by a program rather than a redirection: `tee FILE…` writes what it reads;
    /// `cp`, `mv`, `install` and `ln` give a file written earlier another name.
    fn note_copies(&mut self, id: usize, stdin: &Stdin) {
        let inv = &self.plan.invocations[id];
        let Some(name) = inv.program_name() else { return };
        let words: Vec<Option<&str>> = inv.args.iter().map(|w| w.as_literal()).collect();
        // Every operand must be known: a file guard cannot name makes what it holds unknown.
        if words.iter().any(Option::is_none) {
            return;
        }
        let words: Vec<&str> = words.into_iter().flatten().collect();
        let (flags, operands): (Vec<&str>, Vec<&str>) = words.iter().partition(|w| w.starts_with('-') && w.len() > 1);
        let (from, to, append): (Option<String>, Vec<&str>, bool) = match name {
            "tee" => {
                let append = flags.iter().any(|f| *f == "--append" || (!f.starts_with("--") && f.contains('a')));
                (None, operands, append)
            }
            "cp" | "mv" | "install" | "ln"
                if operands.len() == 2 && !flags.iter().any(|f| f.starts_with("-t") || f.starts_with("--target")) =>
            {
                (Some(operands[0].to_string()), vec![operands[1]], false)
            }
            _ => return,
        };
        let text = match from {
            None => match stdin {
                Stdin::Text { text, .. } => text.as_literal().map(str::to_string),
                _ => None,
            },
            Some(src) => {
                let paths = self.paths_for(id, &src);
                match paths.as_slice() {
                    [one] => match self.written.get(one) {
                        Some(t) => t.clone(),
                        // A file the text did not write: nothing is known of it.
                        None => return,
                    },
                    _ => None,
                }
            }
        };
        for target in to {
            let paths = self.paths_for(id, target);
            let certain = paths.len() == 1;
            for p in paths {
                let slot = self.written.entry(p).or_insert(None);
                match (&text, certain, append) {
                    (Some(t), true, false) => *slot = Some(t.clone()),
                    (Some(t), true, true) => match slot {
                        Some(b) if b.len() + t.len() <= MAX_WRITTEN => b.push_str(t),
                        _ => *slot = None,
                    },
                    _ => *slot = None,
                }
            }
        }
    }

    /// A command that invocation `parent` runs (unwrapped from a wrapper, or an alias's text
    /// whose value is unknown): listed right after it, in the same pipeline stage.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn derived(
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
    pub(super) fn nested(
        &mut self,
        id: usize,
        text: &Word,
        via: Via,
        scope: VarScope,
        chdir: &Chdir,
        outer: Enclosing,
    ) {
        self.nested_through(id, text, vec![via], scope, chdir, outer)
    }

    /// [`Self::nested`], reached through several steps at once (piped into a shell, decoded).
    fn nested_through(
        &mut self,
        id: usize,
        text: &Word,
        vias: Vec<Via>,
        scope: VarScope,
        chdir: &Chdir,
        outer: Enclosing,
    ) {
        let Enclosing { uncertain, pipe, aliasing } = outer;
        let inv = &self.plan.invocations[id];
        let (depth, span, mut via_chain) = (inv.depth, inv.span, inv.via.clone());
        let trap = vias.first() == Some(&Via::Trap);
        let (text, placeholders) = render_code(text);
        via_chain.extend(vias);
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
                    return Stdin::Text { text: r.target.clone(), piped: false, decoded: None }
                }
                RedirectOp::Read | RedirectOp::ReadWrite => {
                    return Stdin::From(format!("the file {}", r.target.display()))
                }
                RedirectOp::DupIn => return Stdin::From(format!("descriptor {}", r.target.display())),
                _ => {}
            }
        }
        match pipe {
            Some((pid, stage)) if stage > 0 => self.piped_in(pid, stage, 0),
            _ => Stdin::Inherited,
        }
    }

    /// What stage `stage` of pipeline `pid` reads from the stage before it: its one command's
    /// output when that is known, through any chain of printers and decoders before it
    /// (`echo … | base64 -d | rev`).
    fn piped_in(&self, pid: usize, stage: usize, hops: usize) -> Stdin {
        let Some(prev) = self.plan.pipelines.get(pid).and_then(|p| p.stages.get(stage - 1)) else {
            return Stdin::From("the output of the previous pipeline stage".into());
        };
        let leaves: Vec<&Invocation> = prev
            .iter()
            .filter(|&&i| !prev.iter().any(|&j| self.plan.invocations[j].parent == Some(i)))
            .map(|&i| &self.plan.invocations[i])
            .collect();
        let [leaf] = leaves.as_slice() else {
            return Stdin::From("the output of the previous pipeline stage".into());
        };
        // The leaf's own stdin: its heredoc or here-string, or (unless a file or descriptor
        // is redirected in) the stage before it.
        let (leaf_stdin, upstream) = match leaf.redirects.iter().rev().find(|r| {
            r.fd.is_none_or(|fd| fd == 0)
                && matches!(
                    r.op,
                    RedirectOp::Read
                        | RedirectOp::ReadWrite
                        | RedirectOp::DupIn
                        | RedirectOp::Heredoc
                        | RedirectOp::HereString
                )
        }) {
            Some(r) => (r.stdin_text().cloned(), None),
            None if stage > 1 && hops < MAX_CHAIN => match self.piped_in(pid, stage - 1, hops + 1) {
                Stdin::Text { text, decoded, .. } => (Some(text), decoded),
                _ => (None, None),
            },
            None => (None, None),
        };
        match programs::literal_output(leaf, leaf_stdin.as_ref()) {
            Some(text) => {
                let decoded = match (programs::decodes(leaf), upstream) {
                    (true, Some(up)) => Some(format!("{up} | {}", leaf.display())),
                    (true, None) => Some(leaf.display()),
                    (false, up) => up,
                };
                Stdin::Text { text, piped: true, decoded }
            }
            None => Stdin::From(format!("the output of `{}`", leaf.display())),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::shell::testing::{cwds, plan, runs};

    /// A script the text writes with known content and then runs, sources or executes is read
    /// as that code; one whose content is not all known, or written elsewhere, is not.
    #[test]
    fn a_script_written_earlier_in_the_text_is_read_when_it_runs() {
        let at = "@script /work/proj/x.sh written earlier in this text";
        for (text, want) in [
            (
                "printf 'rm -rf /\\n' > x.sh; sh x.sh",
                vec!["printf 'rm -rf /\\n'".to_string(), "sh x.sh".into(), format!("rm -rf / {at}")],
            ),
            (
                "echo 'rm a' > x.sh; echo 'rm b' >> x.sh; . ./x.sh",
                vec![
                    "echo 'rm a'".into(),
                    "echo 'rm b'".into(),
                    ". ./x.sh".into(),
                    format!("rm a {at}"),
                    format!("rm b {at}"),
                ],
            ),
            (
                "cat > x.sh <<'EOF'\nrm c\nEOF\nchmod +x x.sh; ./x.sh",
                vec!["cat".into(), "chmod +x x.sh".into(), "./x.sh".into(), format!("rm c {at}")],
            ),
            (
                "echo 'rm a' > x.sh; echo \"$V\" >> x.sh; sh x.sh",
                vec!["echo 'rm a'".into(), "echo ‹$V›".into(), "sh x.sh".into()],
            ),
            ("echo 'rm a' > /tmp/y.sh; sh x.sh", vec!["echo 'rm a'".into(), "sh x.sh".into()]),
        ] {
            assert_eq!(runs(text), want, "{text}");
        }
    }

    #[test]
    fn code_given_to_a_shell_is_read_one_level_deeper() {
        for (text, want) in [
            (
                "bash -c \"bash -c 'rm x'\"",
                vec!["bash -c 'bash -c 'rm x''", "bash -c 'rm x' @bash -c", "rm x @bash -c > bash -c"],
            ),
            ("echo 'rm x' | sh", vec!["echo 'rm x'", "sh", "rm x @piped into sh"]),
            ("A=1 bash -c 'echo $A'", vec!["bash -c 'echo $A'", "echo 1 @bash -c"]),
            (
                "sudo env A=1 sh -c 'echo $A'",
                vec![
                    "sudo env A=1 sh -c 'echo $A'",
                    "env A=1 sh -c 'echo $A' @run by sudo",
                    "sh -c 'echo $A' @run by sudo > run by env",
                    "echo 1 @run by sudo > run by env > sh -c",
                ],
            ),
        ] {
            assert_eq!(runs(text), want, "{text}");
        }
        let depths: Vec<u32> = plan("bash -c \"bash -c 'rm x'\"").invocations.iter().map(|i| i.depth).collect();
        assert_eq!(depths, [0, 1, 2]);
    }

    /// A new shell starts where its wrapper puts it, and its `cd` stays inside.
    #[test]
    fn nested_code_runs_where_it_is_started() {
        for (text, want) in [
            ("sudo -D /srv bash -c 'rm x'", vec!["sudo /work/proj", "bash /srv", "rm /srv"]),
            (
                "bash -c 'cd /tmp; rm x'; rm y",
                vec!["bash /work/proj", "cd /work/proj", "rm /tmp|/work/proj", "rm /work/proj"],
            ),
            ("eval 'cd /tmp'; rm y", vec!["eval /work/proj", "cd /work/proj", "rm /tmp|/work/proj"]),
        ] {
            assert_eq!(cwds(text), want, "{text}");
        }
    }
}
