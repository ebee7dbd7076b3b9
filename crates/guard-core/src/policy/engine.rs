//! The compiled policy: rules from every layer, indexed by program, evaluated together.
//! Strictest wins (deny > ask > allow); load order never decides. A small breaker in code
//! denies catastrophic deletes whatever the rules say.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, OnceLock};

use serde_saphyr::Spanned;

use super::checks;
use super::cmdline::{Cmdline, ProgramDb};
use super::context::Context;
use super::embedded::Tables;
use super::flow::Flow;
use super::keys;
use super::lists::Lists;
use super::matcher::{self, Subject};
use super::names::{self, Gate};
use super::paths::Classes;
use super::rule::{Decision, PackSpec, RuleSpec, Severity};
pub use super::trust::LayerKind;
use super::trust::{self, Trust};
use super::verdict::{Finding, TraceEntry, Verdict};
use crate::plan::{Invocation, Plan, Word};

/// What loading needs of a rule before it is judged: its id, what it overrides, and (for a
/// built-in rule) its gate, which also indexes it by program.
#[derive(Debug, Clone)]
pub(crate) struct RuleHead {
    /// Borrowed from the embedded packs for a built-in rule, so loading them allocates nothing
    /// per rule.
    pub(crate) id: Spanned<Cow<'static, str>>,
    pub(crate) overrides: Option<Cow<'static, str>>,
    pub(crate) reason: Option<Cow<'static, str>>,
    /// A built-in rule's gate, worked out at build time; `None` when the whole spec is at hand.
    pub(crate) builtin: Option<BuiltinGate>,
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct BuiltinGate {
    pub(crate) gate: &'static Gate,
    /// The lists the gate came through.
    pub(crate) lists: &'static [&'static str],
    /// The text of the pack that defines the rule, to find where.
    pub(crate) yaml: &'static str,
}

/// A rule's spec, decoded from the form embedded at build time the first time it is needed
/// (most commands concern a handful of programs, so most rules are never decoded).
#[derive(Debug, Clone)]
pub struct LazySpec {
    head: RuleHead,
    json: &'static str,
    spec: OnceLock<Box<RuleSpec>>,
}

impl LazySpec {
    pub(crate) fn ready(spec: RuleSpec) -> LazySpec {
        let head = RuleHead {
            id: Spanned::new(Cow::Owned(spec.id.value.clone()), spec.id.referenced, spec.id.defined),
            overrides: spec.overrides.clone().map(Cow::Owned),
            reason: spec.reason.clone().map(Cow::Owned),
            builtin: None,
        };
        LazySpec { head, json: "", spec: OnceLock::from(Box::new(spec)) }
    }

    /// A rule whose whole spec is the JSON `json`, decoded on first use.
    pub(crate) fn embedded(head: RuleHead, json: &'static str) -> LazySpec {
        LazySpec { head, json, spec: OnceLock::new() }
    }

    pub(crate) fn head(&self) -> &RuleHead {
        &self.head
    }

    /// Which invocations the rule can concern. A built-in rule's gate was worked out at build
    /// time, unless a policy file has since extended a list it came through.
    fn gate(&self, lists: &Lists) -> Cow<'static, Gate> {
        if let Some(r) = self.head.builtin {
            if !r.lists.iter().any(|l| lists.extended_by_files(l)) {
                return Cow::Borrowed(r.gate);
            }
        }
        Cow::Owned(Gate::of(&self.matches.value, &|n| lists.get(n), &mut Vec::new()))
    }
}

impl std::ops::Deref for LazySpec {
    type Target = RuleSpec;
    fn deref(&self) -> &RuleSpec {
        self.spec.get_or_init(|| {
            Box::new(serde_json::from_str(self.json).expect("built-in packs were checked when guard was built"))
        })
    }
}

/// A rule as loaded into a [`Policy`]: its spec and where it comes from.
#[derive(Debug, Clone)]
pub struct Rule {
    /// The rule as written; a built-in rule is decoded on first use.
    pub spec: LazySpec,
    /// The name of its pack (the pack's `pack:`, or its file name without the extension);
    /// shared by the pack's rules.
    pub pack: Arc<str>,
    /// The file it comes from, as named in messages (`builtin:git.yaml` for a built-in pack);
    /// shared by the file's rules.
    pub file: Arc<str>,
    /// The layer of that file.
    pub layer: LayerKind,
    /// Switched off by a later layer, with the recorded reason.
    pub disabled: Option<String>,
    /// Cheap tests that rule out invocations before the rule is decoded.
    pub(crate) gate: Cow<'static, Gate>,
    /// Locked by the system layer: no later layer may disable, override or redefine it.
    pub(crate) locked: bool,
}

impl Rule {
    /// Its id (`fs.rm-recursive`).
    pub fn id(&self) -> &str {
        &self.spec.head().id.value
    }
    /// `file:line:column` of the rule's id.
    pub fn location(&self) -> String {
        let (line, col) = self.line_col();
        format!("{}:{line}:{col}", self.file)
    }

    /// Line and column (from 1) of the rule's id in its file, found in the pack's text for a
    /// built-in rule; `(0, 0)` when unknown.
    pub fn line_col(&self) -> (u64, u64) {
        let (line, col) = (self.spec.id.referenced.line(), self.spec.id.referenced.column());
        if line == 0 {
            if let Some(lc) = self.spec.head().builtin.and_then(|b| super::embedded::location_in(b.yaml, self.id())) {
                return lc;
            }
        }
        (line, col)
    }
}

/// Every layer's rules, lists, program knowledge and settings, loaded and indexed by program:
/// what judges a [`Plan`].
#[derive(Debug, Default)]
pub struct Policy {
    /// Every rule in load order, those switched off included (see [`Rule::disabled`]).
    pub rules: Vec<Rule>,
    pub(crate) db: ProgramDb,
    /// The built-in program knowledge alone, for the breaker: no policy file can change how it
    /// reads a command line.
    builtin_db: ProgramDb,
    pub(crate) lists: Lists,
    /// The built-in packs' tables while their ready-made index holds for the leading rules.
    builtin_index: Option<&'static Tables>,
    /// Rules by exact program name, past those `builtin_index` covers.
    index: HashMap<String, Vec<usize>>,
    /// Rules not indexed by exact program name, past those `builtin_index` covers.
    generic: Vec<usize>,
    /// What was wrong in the policy files and left out, one message each (`file:line:column: …`
    /// where known).
    pub warnings: Vec<String>,
    /// guard's own settings from the system and user layers.
    pub settings: super::settings::Settings,
    /// System and user policy files (or their directories) that are there and could not be
    /// read: every command is asked while there are any.
    pub unread: Vec<String>,
}

/// One parsed file of policy.
pub struct LoadedPack {
    /// The file's name as shown in messages (`builtin:git.yaml` for a built-in pack).
    pub file: String,
    pub(crate) layer: LayerKind,
    /// What the file may do; what it may not is left out when it is loaded.
    pub(crate) trust: Trust,
    /// What the file holds. For a built-in pack as embedded, only its name and description:
    /// its rules come decoded on demand.
    pub spec: PackSpec,
    /// Rules embedded at build time, decoded when judged (after those of `spec`).
    pub(crate) embedded: Vec<LazySpec>,
    /// Set on the built-in packs as embedded: their lists, program knowledge and rule index.
    pub(crate) tables: Option<&'static Tables>,
}

impl LoadedPack {
    /// A pack parsed from a policy file, trusted as its layer is when nothing is locked and a
    /// person named any `--policy` file.
    pub(crate) fn parsed(file: String, layer: LayerKind, spec: PackSpec) -> LoadedPack {
        let standing = trust::Standing { extra_from_person: true, ..Default::default() };
        let trust = Trust::for_layer(layer, standing);
        LoadedPack { file, layer, trust, spec, embedded: Vec::new(), tables: None }
    }

    /// The same pack, trusted only as far as `trust` (never more than its layer).
    pub(crate) fn trusted(mut self, trust: Trust) -> LoadedPack {
        self.trust = self.trust.min(trust);
        self
    }

    /// Add the pack's lists to `lists`.
    pub(crate) fn add_lists(&self, lists: &mut Lists) {
        if let Some(t) = self.tables {
            lists.use_builtin(t.lists);
        }
        for (k, v) in &self.spec.lists {
            lists.add(k.clone(), v.clone(), self.layer != LayerKind::Builtin);
        }
    }
}

impl Policy {
    /// The policy of `packs`, given in load order (built-in first). What a pack's trust does not
    /// allow is left out of it, with a warning in [`Policy::warnings`].
    pub fn from_packs(packs: Vec<LoadedPack>) -> Policy {
        let mut p = Policy::default();
        // Every rule of every pack, in one allocation rather than a vector doubled six times.
        p.rules.reserve(packs.iter().map(|pack| pack.spec.rules.len() + pack.embedded.len()).sum());
        let mut tables = None;
        for mut pack in packs {
            let pack_name: Arc<str> = match &pack.spec.pack {
                Some(name) => name.as_str().into(),
                None => std::path::Path::new(&pack.file)
                    .file_stem()
                    .map(|s| s.to_string_lossy().into())
                    .unwrap_or_else(|| "".into()),
            };
            let file: Arc<str> = pack.file.as_str().into();
            // Whatever the file's trust does not allow goes here, before any of it is used.
            for r in trust::restrict(&mut pack.spec, pack.trust, trust::describe(pack.layer, pack.trust), &p) {
                let at = if r.line == 0 { pack.file.clone() } else { format!("{}:{}:{}", pack.file, r.line, r.column) };
                p.warnings.push(format!("{at}: {}", r.message));
            }
            pack.add_lists(&mut p.lists);
            if let Some(t) = pack.tables {
                p.db.use_builtin(t.programs);
                p.builtin_db.use_builtin(t.programs);
                tables = Some(t);
            }
            for (name, spec) in &pack.spec.programs {
                p.db.insert(name, spec);
                if pack.trust == Trust::Builtin {
                    p.builtin_db.insert(name, spec);
                }
            }
            for d in &pack.spec.disable {
                let loc = format!("{}:{}:{}", pack.file, d.referenced.line(), d.referenced.column());
                match p.rules.iter_mut().find(|r| r.id() == d.value.id) {
                    Some(r) => r.disabled = Some(format!("{} ({loc})", d.value.reason)),
                    None => p.warnings.push(format!("{loc}: disable names no known rule `{}`", d.value.id)),
                }
            }
            for spec in pack.spec.rules.into_iter().map(LazySpec::ready).chain(pack.embedded) {
                let head = spec.head();
                let loc = || format!("{}:{}:{}", pack.file, head.id.referenced.line(), head.id.referenced.column());
                if let Some(target) = &head.overrides {
                    let reason = head.reason.clone().unwrap_or_else(|| "no reason given".into());
                    match p.rules.iter_mut().find(|r| r.id() == target) {
                        Some(r) => r.disabled = Some(format!("overridden by {} at {}: {reason}", head.id.value, loc())),
                        None => p.warnings.push(format!("{}: overrides names no known rule `{target}`", loc())),
                    }
                }
                // A rule of the same id from a later layer that may loosen replaces the earlier
                // one; from a tighten-only layer it is one more rule beside it. Built-in ids are
                // unique (the build checks), so a built-in rule replaces none.
                if pack.trust.may_loosen() && pack.trust != Trust::Builtin {
                    if let Some(prev) = p.rules.iter_mut().find(|r| r.id() == head.id.value && r.disabled.is_none()) {
                        if pack.layer > prev.layer {
                            prev.disabled = Some(format!("redefined at {}", loc()));
                        }
                    }
                }
                // Only the system layer locks (built-in rules are never decoded for this).
                let locked = pack.trust == Trust::System && spec.locked;
                p.rules.push(Rule {
                    spec,
                    pack: pack_name.clone(),
                    file: file.clone(),
                    layer: pack.layer,
                    disabled: None,
                    gate: Cow::Owned(Gate::default()),
                    locked,
                });
            }
        }
        p.build_index(tables);
        p
    }

    fn build_index(&mut self, tables: Option<&'static Tables>) {
        self.index.clear();
        self.generic.clear();
        // The built-in index holds while the built-in rules lead in order and no policy file
        // has extended a list their gates came through.
        self.builtin_index = tables.filter(|t| {
            self.rules.len() >= t.rules
                && self.rules[..t.rules].iter().all(|r| {
                    r.layer == LayerKind::Builtin
                        && r.spec
                            .head()
                            .builtin
                            .is_some_and(|n| !n.lists.iter().any(|l| self.lists.extended_by_files(l)))
                })
        });
        let covered = self.builtin_index.map_or(0, |t| t.rules);
        for i in 0..self.rules.len() {
            let gate = self.rules[i].spec.gate(&self.lists);
            if i >= covered {
                let mut names = gate.program_names();
                if names::indexable(&names) {
                    names.sort();
                    names.dedup();
                    for n in names {
                        self.index.entry(n).or_default().push(i);
                    }
                } else {
                    self.generic.push(i);
                }
            }
            self.rules[i].gate = gate;
        }
    }

    /// The rules that may concern a program named `name` (by exact name, then the rest).
    /// The rules that may concern a program called `name`, which may be another name of the
    /// program `same_as` (whose rules then count too).
    fn candidates(&self, name: Option<&str>, same_as: Option<&str>) -> Vec<usize> {
        let mut out = Vec::new();
        let tables = self.builtin_index;
        let names = name.into_iter().chain(same_as);
        for n in names {
            if let Some(t) = tables {
                if let Ok(i) = t.index.binary_search_by(|(k, _)| (*k).cmp(n)) {
                    out.extend(t.index[i].1.iter().map(|&r| r as usize));
                }
            }
            if let Some(v) = self.index.get(n) {
                out.extend_from_slice(v);
            }
        }
        if let Some(t) = tables {
            out.extend(t.generic.iter().map(|&r| r as usize));
        }
        out.extend_from_slice(&self.generic);
        if same_as.is_some() {
            // A rule indexed under both names is judged once.
            out.sort_unstable();
            out.dedup();
        }
        out
    }

    /// `eval "$(ssh-agent -s)"`: the unknown command is the output of a tool in the
    /// `shell_init_tools` list, whose whole purpose is printing shell setup code.
    fn init_tool_code(&self, plan: &Plan, inv: &Invocation) -> bool {
        let Some(parent) = inv.parent.and_then(|p| plan.invocations.get(p)) else { return false };
        let Some(code) = &parent.code else { return false };
        if !code.text.is_dynamic() || !inv.program.is_dynamic() {
            return false;
        }
        let tools = self.lists.get("shell_init_tools").unwrap_or(&[]);
        let subs: Vec<&Invocation> = plan
            .invocations
            .iter()
            .filter(|o| {
                matches!(o.via.last(), Some(crate::plan::Via::CommandSubstitution))
                    && o.span.start >= code.text.span.start
                    && o.span.end <= code.text.span.end
            })
            .collect();
        !subs.is_empty()
            && subs.iter().all(|o| {
                o.program.as_literal().is_some_and(|p| tools.iter().any(|t| t == p || t == crate::plan::basename(p)))
            })
    }

    /// guard's own places: where the context says, and where the settings put the audit log
    /// and the approval store.
    pub fn own_paths(&self, ctx: &dyn Context) -> super::paths::OwnPaths {
        let mut own = ctx.own_paths();
        if let Some(p) = &self.settings.audit_path {
            own.files.push(p.to_string_lossy().into_owned());
        }
        if let Some(d) = &self.settings.approvals_dir {
            own.dirs.push(d.to_string_lossy().into_owned());
        }
        own
    }

    /// The rule of this id loaded last (it may be switched off); `None` when there is none.
    pub fn rule(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().rev().find(|r| r.id() == id)
    }

    /// Judge a Plan.
    pub fn judge(&self, plan: &Plan, ctx: &dyn Context) -> Verdict {
        self.judge_traced(plan, ctx, false)
    }

    /// Judge a Plan; with `trace`, also record in [`Verdict::trace`] which rules each invocation
    /// was tried against.
    pub fn judge_traced(&self, plan: &Plan, ctx: &dyn Context, trace: bool) -> Verdict {
        let mut v = Verdict::allow();
        // bash cannot receive a NUL byte in an argument, and reads a script only up to one:
        // text that holds one was cut or hidden somewhere guard does not see.
        if let Some(at) = plan.source.find('\0') {
            v.add(Finding {
                rule: checks::NUL_BYTE.into(),
                decision: Decision::Deny,
                severity: Severity::High,
                message: format!(
                    "the command holds a NUL byte (at byte {at}); no shell is handed one, so what would run is not \
                     what guard sees: remove it"
                ),
                span: crate::plan::Span::new(at, at + 1),
                text: "\\0".into(),
                invocation: None,
                tags: vec!["fail-safe".into()],
            });
        }
        if !self.unread.is_empty() {
            v.add(Finding {
                rule: checks::POLICY_UNREAD.into(),
                decision: Decision::Ask,
                severity: Severity::High,
                message: format!(
                    "guard cannot read its policy ({}): its rules and settings (containment's among them) cannot be \
                     applied, so every command is asked until it can be read, and one approved runs with guard's \
                     defaults; {}",
                    self.unread.join(", "),
                    checks::POLICY_UNREAD_FIX
                ),
                span: crate::plan::Span::new(0, plan.source.len()),
                text: String::new(),
                invocation: None,
                tags: vec!["fail-safe".into()],
            });
        }
        for issue in &plan.issues {
            v.add(Finding {
                rule: checks::INCOMPLETE.into(),
                decision: Decision::Ask,
                severity: Severity::Medium,
                message: format!("not fully understood: {}", issue.message),
                span: issue.span,
                text: plan.text(issue.span).to_string(),
                invocation: None,
                tags: vec!["fail-safe".into()],
            });
        }
        let paths = super::paths::Classifier::new(ctx.home());
        let flow = Flow::new(plan, &self.db, &paths, ctx.cwd());
        let own = std::cell::OnceCell::new();
        let own_init = || self.own_paths(ctx);
        let bombs = fork_bombs(plan);
        // Invocations a rule opens the secret stores for.
        let mut opened = std::collections::HashSet::new();
        for inv in &plan.invocations {
            if let Some(name) = bombs.get(&inv.id) {
                v.add(Finding {
                    rule: checks::FORK_BOMB.into(),
                    decision: Decision::Deny,
                    severity: Severity::Critical,
                    message: format!(
                        "the function {name} starts two or more copies of itself that run at the same time, each \
                         starting more without end (a fork bomb): the machine runs out of processes"
                    ),
                    span: inv.span,
                    text: plan.text(inv.span).to_string(),
                    invocation: Some(inv.id),
                    tags: vec!["critical".into()],
                });
            }
            if inv.code.as_ref().and_then(|c| c.read).is_some_and(|r| r.forks_without_end) {
                let language = inv.code.as_ref().map(|c| c.language.as_str()).unwrap_or("");
                v.add(Finding {
                    rule: checks::FORK_BOMB.into(),
                    decision: Decision::Deny,
                    severity: Severity::Critical,
                    message: format!(
                        "the {language} code forks copies of itself in a loop that never ends and never waits for \
                         them (a fork bomb): the machine runs out of processes"
                    ),
                    span: inv.span,
                    text: plan.text(inv.span).to_string(),
                    invocation: Some(inv.id),
                    tags: vec!["critical".into()],
                });
            }
            if inv.calls_function {
                continue;
            }
            let name = inv.program_name();
            if name.is_none() && !self.init_tool_code(plan, inv) {
                v.add(Finding {
                    rule: checks::DYNAMIC_PROGRAM.into(),
                    decision: Decision::Ask,
                    severity: Severity::Medium,
                    message: format!("the program to run is only known at run time: {}", inv.program.display()),
                    span: inv.program.span,
                    text: inv.program.display(),
                    invocation: Some(inv.id),
                    tags: vec!["fail-safe".into()],
                });
            }
            let cmd = Cmdline::parse(inv, &self.db);
            // The breaker reads the command line with built-in knowledge only; for most programs
            // no policy file added any, and the line read for the rules is the same.
            let builtin_cmd =
                name.filter(|n| self.db.changed_by_files(n)).map(|_| Cmdline::parse(inv, &self.builtin_db));
            let dirs = inv.directories(ctx.cwd());
            for f in critical(inv, builtin_cmd.as_ref().unwrap_or(&cmd), &paths, &dirs) {
                v.add(f);
            }
            // A program named by a pattern (`/bin/r?`, `r[m]`) is whatever the shell expands
            // it to: not known until then, and the breaker judges it as each program it could be.
            if inv.program.glob && name.is_some_and(super::paths::is_pattern) {
                let base = name.unwrap_or("");
                v.add(Finding {
                    rule: checks::DYNAMIC_PROGRAM.into(),
                    decision: Decision::Ask,
                    severity: Severity::Medium,
                    message: format!("the program is a pattern the shell expands: {}", inv.program.display()),
                    span: inv.program.span,
                    text: inv.program.display(),
                    invocation: Some(inv.id),
                    tags: vec!["fail-safe".into()],
                });
                for candidate in BREAKER_PROGRAMS.iter().filter(|p| super::paths::pattern_match(base, p)) {
                    let as_it = Cmdline { name: candidate.to_string(), ..Cmdline::parse(inv, &self.builtin_db) };
                    for f in critical(inv, &as_it, &paths, &dirs) {
                        v.add(f);
                    }
                }
            }
            // `prog --help` or `prog --version`, nothing else: nearly every program prints and
            // exits. The breaker above has judged it; no rule has more to find.
            if only_asks_what_it_is(inv) {
                continue;
            }
            let same_as = name.and_then(|n| self.db.same_as(n));
            let subject = Subject {
                plan,
                inv,
                cmd,
                flow: &flow,
                ctx,
                db: &self.db,
                same_as,
                lists: &self.lists,
                paths: &paths,
                dirs,
                negated: Default::default(),
                own: &own,
                own_init: &own_init,
            };
            let dry = dry_run(inv, &subject.cmd);
            let candidates = self.candidates(name, same_as);
            let mut considered = Vec::new();
            let mut matched = Vec::new();
            for i in candidates {
                let rule = &self.rules[i];
                if rule.disabled.is_some() || !matcher::admits(&subject, &rule.gate) {
                    continue;
                }
                if trace {
                    considered.push(rule.id().to_string());
                }
                if let Some(c) = keys::eval(&subject, &rule.spec.matches.value) {
                    if trace {
                        matched.push(rule.id().to_string());
                    }
                    for e in &rule.spec.effects {
                        if e == OPEN_SECRETS {
                            opened.insert(inv.id);
                        } else if !v.effects.contains(e) {
                            v.effects.push(e.clone());
                        }
                    }
                    // An allow rule that carries effects is there for them (they are in the
                    // verdict, and `explain` shows the match): it adds no finding to show.
                    if rule.spec.decision == Decision::Allow && !rule.spec.effects.is_empty() {
                        continue;
                    }
                    let mut message = rule
                        .spec
                        .message
                        .replace("{match}", &c.text)
                        .replace("{program}", name.unwrap_or("?"))
                        .replace("{command}", &inv.display());
                    let mut decision = rule.spec.decision;
                    if let Some(flag) = dry {
                        decision = match decision {
                            Decision::Deny => Decision::Ask,
                            _ => Decision::Allow,
                        };
                        message.push_str(&format!(" (a dry run, {flag}: one tier lower)"));
                    }
                    v.add(Finding {
                        rule: rule.id().to_string(),
                        decision,
                        severity: rule.spec.severity,
                        message,
                        span: c.span,
                        text: c.text,
                        invocation: Some(inv.id),
                        tags: rule.spec.tags.clone(),
                    });
                }
            }
            if trace {
                v.trace.push(TraceEntry { invocation: inv.id, command: inv.display(), considered, matched });
            }
        }
        if secrets_open_for_all(plan, &opened) {
            v.effects.push(OPEN_SECRETS.to_string());
        }
        v.sort();
        v
    }
}

/// The effect that opens the secret stores to a contained command.
pub const OPEN_SECRETS: &str = "open_secrets";

/// Whether a contained run may read the secret stores: only when a rule opened them for every
/// program the command runs (the shell's own builtins aside), so appending `git status` to a
/// script does not open the keys to the script.
fn secrets_open_for_all(plan: &Plan, opened: &std::collections::HashSet<usize>) -> bool {
    !opened.is_empty()
        && plan.issues.is_empty()
        && plan.invocations.iter().all(|inv| {
            // What runs on another machine reads nothing here.
            opened.contains(&inv.id)
                || inv.is_remote()
                || (!inv.calls_function
                    && inv.code.is_none()
                    && inv.program_name().is_some_and(crate::shell::programs::runs_in_shell))
        })
}

/// The programs the breaker knows.
const BREAKER_PROGRAMS: &[&str] = &[
    "rm",
    "chmod",
    "chown",
    "chgrp",
    "find",
    "shred",
    "wipefs",
    "blkdiscard",
    "sgdisk",
    "sfdisk",
    "dd",
    "mkfs",
    "mke2fs",
    "mkswap",
    "mkfs.ext4",
    "mkfs.xfs",
    "mkfs.btrfs",
    "mkfs.vfat",
];

/// The breaker: wiping the filesystem root, a home directory, a top-level system directory or
/// a disk. It lives in code so no policy layer can loosen it.
fn critical(inv: &Invocation, cmd: &Cmdline, paths: &super::paths::Classifier, dirs: &[&str]) -> Vec<Finding> {
    let mut out = Vec::new();
    let name = cmd.name.as_str();
    let catastrophic = Classes(Classes::ROOT.0 | Classes::HOME.0 | Classes::SYSTEM_TOP.0 | Classes::BLOCK_DEVICE.0);
    // In any directory the command may run in.
    let in_dirs = |t: &str, glob: bool| dirs.iter().fold(Classes::default(), |c, d| c.union(paths.word(t, glob, d)));
    let classes = |w: &Word| w.as_literal().map(|t| in_dirs(t, w.glob)).unwrap_or_default();
    let mut hit = |w: &Word, what: &str| {
        out.push(Finding {
            rule: checks::BREAKER.into(),
            decision: Decision::Deny,
            severity: Severity::Critical,
            message: format!("{what} {} (never allowed)", w.display()),
            span: w.span,
            text: w.display(),
            invocation: Some(inv.id),
            tags: vec!["critical".into()],
        });
    };
    let has = |s: &[&str]| cmd.flags.iter().any(|f| s.contains(&f.spelling.as_str()));
    match name {
        "rm" if has(&["-r", "-R", "--recursive", "--no-preserve-root"]) => {
            if let Some(w) = cmd.positionals.iter().find(|w| classes(w).has(catastrophic)) {
                hit(w, "recursive delete of");
            }
        }
        "chmod" | "chown" | "chgrp" if has(&["-R", "--recursive"]) => {
            if let Some(w) = cmd
                .positionals
                .iter()
                .skip(1)
                .find(|w| classes(w).has(Classes(Classes::ROOT.0 | Classes::SYSTEM_TOP.0 | Classes::HOME.0)))
            {
                hit(w, "recursive permission change of");
            }
        }
        "find"
            if inv.args.iter().any(|a| a.as_literal() == Some("-delete"))
                && !inv.args.iter().any(|a| {
                    a.as_literal().is_some_and(|t| {
                        matches!(
                            t,
                            "-name"
                                | "-iname"
                                | "-path"
                                | "-ipath"
                                | "-regex"
                                | "-iregex"
                                | "-type"
                                | "-mtime"
                                | "-mmin"
                                | "-newer"
                                | "-size"
                                | "-empty"
                                | "-user"
                                | "-wholename"
                                | "-atime"
                                | "-ctime"
                        )
                    })
                }) =>
        {
            if let Some(w) = inv
                .args
                .iter()
                .take_while(|a| !a.known_prefix().starts_with('-'))
                .find(|w| classes(w).has(catastrophic))
            {
                hit(w, "find -delete over");
            }
        }
        "wipefs" if !has(&["-a", "--all", "-o", "--offset"]) || has(&["-n", "--no-act"]) => {}
        "sgdisk" | "sfdisk" if !has(&["-Z", "--zap-all", "-z", "--zap", "-o", "--clear", "--delete"]) => {}
        "shred" | "wipefs" | "blkdiscard" | "sgdisk" | "sfdisk" => {
            if let Some(w) = cmd.positionals.iter().find(|w| classes(w).has(Classes::BLOCK_DEVICE)) {
                hit(w, "wiping the disk");
            }
        }
        n if n.starts_with("mkfs") || n == "mke2fs" || n == "mkswap" => {
            if let Some(w) = cmd.positionals.iter().find(|w| classes(w).has(Classes::BLOCK_DEVICE)) {
                hit(w, "formatting the disk");
            }
        }
        "dd" => {
            if let Some(w) = inv.args.iter().find(|w| {
                w.as_literal()
                    .and_then(|t| t.strip_prefix("of="))
                    .is_some_and(|t| in_dirs(t, false).has(Classes::BLOCK_DEVICE))
            }) {
                hit(w, "overwriting the disk with");
            }
        }
        _ => {}
    }
    for r in &inv.redirects {
        if r.op.writes() && classes(&r.target).has(Classes::BLOCK_DEVICE) {
            let t = r.target.clone();
            hit(&t, "writing straight to the disk");
        }
    }
    out
}

impl trust::Earlier for Policy {
    fn has_list(&self, name: &str) -> bool {
        self.lists.contains(name)
    }
    fn locked(&self, id: &str) -> bool {
        self.rules.iter().any(|r| r.locked && r.id() == id)
    }
    fn has_rule(&self, id: &str) -> bool {
        checks::check(id).is_some() || id.starts_with("guard.") || self.rules.iter().any(|r| r.id() == id)
    }
}

/// Whether the invocation's only argument asks the program for its help or version, and
/// nothing else could make it do more: no redirection, no variables set for it, no input from
/// a pipe, and not a shell or interpreter (`tclsh --help` still runs a script piped to it).
fn only_asks_what_it_is(inv: &Invocation) -> bool {
    let Some(name) = inv.program_name() else { return false };
    matches!(&inv.args[..], [w] if matches!(w.as_literal(), Some("--help" | "--version")))
        && inv.redirects.is_empty()
        && inv.assignments.is_empty()
        && inv.pipeline.is_none_or(|p| p.stage == 0)
        && !runs_code_it_is_given(inv, name)
}

/// Whether the program runs code it is given (a shell or interpreter, or code is given to
/// it): its other arguments may go to that code, which need not read them as options.
fn runs_code_it_is_given(inv: &Invocation, name: &str) -> bool {
    inv.code.is_some()
        || crate::shell::programs::is_shell(name)
        || crate::shell::programs::interpreter_language(name).is_some()
}

/// The dry-run option the program is given, when it is one that reads its own options: then
/// it only shows what it would do, and a rule's finding is one tier lower. Not for a shell or
/// interpreter (`bash -c CODE --dry-run` hands the word to the code, which need not care), nor
/// a wrapper (the command it runs is judged on its own).
fn dry_run<'c>(inv: &Invocation, cmd: &'c Cmdline) -> Option<&'c str> {
    let name = inv.program_name()?;
    if inv.calls_function || runs_code_it_is_given(inv, name) {
        return None;
    }
    cmd.flags.iter().find_map(|f| {
        let on = match (f.spelling.as_str(), &f.value) {
            ("--dry-run" | "--dryrun" | "--dry_run" | "--no-act" | "--simulate" | "--noop", None) => true,
            ("--dry-run" | "--dryrun", Some(super::cmdline::FlagValue::Attached(v))) => {
                matches!(v.as_str(), "true" | "client" | "server" | "1" | "yes")
            }
            _ => false,
        };
        on.then_some(f.spelling.as_str())
    })
}

/// The calls that make a fork bomb, with the function they come back to: a function whose
/// body makes two or more calls that lead back to it (directly or through other functions
/// defined in the text) and that run at the same time: one started in the background or as a
/// process substitution while the body goes on to another, or two stages of one pipeline.
/// Each copy then starts two more, without end. A recursion whose calls run one after
/// another (`walk "$d" | sort; walk "$e"`) is not one.
fn fork_bombs(plan: &Plan) -> HashMap<usize, String> {
    use crate::plan::Via;
    // For each call of a function inside a function body: (caller, callee, id, detached, pipeline).
    let mut calls: Vec<(&str, &str, usize, bool, Option<usize>)> = Vec::new();
    for inv in plan.invocations.iter().filter(|i| i.calls_function) {
        let Some(callee) = inv.program.as_literal() else { continue };
        let Some(body) = inv.via.iter().rposition(|v| matches!(v, Via::FunctionBody { .. })) else { continue };
        let Via::FunctionBody { name: caller } = &inv.via[body] else { continue };
        let detached = inv.via[body..].iter().any(|v| matches!(v, Via::Background | Via::ProcessSubstitution));
        calls.push((caller.as_str(), callee, inv.id, detached, inv.pipeline.map(|p| p.pipeline)));
    }
    // Calls between functions, by caller; then, for each function with two or more calls that
    // could run at once, the functions that lead back to it (a walk backwards from it).
    let mut callers_of: HashMap<&str, Vec<&str>> = HashMap::new();
    let mut by_caller: HashMap<&str, Vec<usize>> = HashMap::new();
    for (k, c) in calls.iter().enumerate() {
        callers_of.entry(c.1).or_default().push(c.0);
        by_caller.entry(c.0).or_default().push(k);
    }
    let mut out = HashMap::new();
    for (f, mine) in by_caller {
        let at_once = |k: &usize| calls[*k].3 || calls[*k].4.is_some();
        if mine.len() < 2 || !mine.iter().any(at_once) {
            continue;
        }
        let mut back_to_f: HashSet<&str> = HashSet::from([f]);
        let mut stack = vec![f];
        while let Some(g) = stack.pop() {
            for &h in callers_of.get(g).into_iter().flatten() {
                if back_to_f.insert(h) {
                    stack.push(h);
                }
            }
        }
        let back: Vec<_> = mine.iter().map(|&k| &calls[k]).filter(|c| back_to_f.contains(c.1)).collect();
        let detached = back.iter().any(|c| c.3);
        let together = back.iter().any(|c| c.4.is_some() && back.iter().filter(|d| d.4 == c.4).count() >= 2);
        if back.len() >= 2 && (detached || together) {
            for c in back {
                out.insert(c.2, f.to_string());
            }
        }
    }
    out
}
