//! How the layers of policy combine: built-in packs (embedded by `guard-rules`) < system
//! (`/etc/guard/`) < user (`$XDG_CONFIG_HOME/guard/`) < project (`.guard.yaml` in the
//! repository, tighten-only) < `--policy`. The files arrive as texts (the `guard` binary finds
//! and reads them). Also lint: every problem in every file, with file:line:col.

use std::borrow::Cow;
use std::collections::HashSet;
use std::path::PathBuf;

use serde_saphyr::{Location, Spanned};

use super::embedded::EmbeddedPack;
use super::engine::{BuiltinGate, LazySpec, LoadedPack, Policy, RuleHead};
use super::lists::Lists;
use super::rule::PackSpec;
use super::trust::{LayerKind, Standing, Trust};

/// A problem in a policy file.
#[derive(Debug, Clone)]
pub struct Problem {
    pub(crate) file: String,
    pub(crate) line: u64,
    pub(crate) column: u64,
    pub(crate) message: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}:{}: {}", self.file, self.line, self.column, self.message)
    }
}

/// Parse one file; a YAML or schema error becomes a located problem.
pub fn parse(file: &str, text: &str) -> Result<PackSpec, Problem> {
    serde_saphyr::from_str::<PackSpec>(text).map_err(|e| {
        let (line, column) = e.location().map(|l| (l.line(), l.column())).unwrap_or((0, 0));
        let msg = e.to_string();
        let first = msg.lines().next().unwrap_or("invalid policy").to_string();
        Problem { file: file.into(), line, column, message: first }
    })
}

/// The built-in packs as `guard-rules` embeds them: each pack's text and rules, and the tables
/// they share.
#[derive(Clone, Copy)]
pub struct Builtin {
    /// Each pack, in load order.
    pub packs: &'static [EmbeddedPack],
    /// The lists, program knowledge and rule index the packs share.
    pub tables: &'static super::embedded::Tables,
}

impl Builtin {
    /// The packs from the form parsed at build time; each rule is decoded the first time it is
    /// judged (or looked at).
    pub fn packs(self) -> Vec<LoadedPack> {
        self.packs
            .iter()
            .map(|e| {
                let spec = PackSpec {
                    pack: e.pack.map(str::to_string),
                    description: e.description.map(str::to_string),
                    ..PackSpec::default()
                };
                let embedded = e
                    .rules
                    .iter()
                    .map(|r| {
                        let head = RuleHead {
                            id: Spanned::new(Cow::Borrowed(r.id), Location::UNKNOWN, Location::UNKNOWN),
                            overrides: r.overrides.map(Cow::Borrowed),
                            reason: r.reason.map(Cow::Borrowed),
                            builtin: Some(BuiltinGate { gate: &r.gate, lists: r.lists, yaml: e.yaml }),
                        };
                        LazySpec::embedded(head, r.json)
                    })
                    .collect();
                LoadedPack {
                    file: format!("builtin:{}", e.file),
                    layer: LayerKind::Builtin,
                    trust: Trust::Builtin,
                    spec,
                    embedded,
                    tables: Some(self.tables),
                }
            })
            .collect()
    }

    /// The packs parsed from their YAML text, with source locations (for lint and tests).
    pub fn packs_from_yaml(self) -> Vec<LoadedPack> {
        self.packs
            .iter()
            .map(|e| {
                let spec = parse(e.file, e.yaml).expect("built-in packs are valid (checked when guard was built)");
                LoadedPack::parsed(format!("builtin:{}", e.file), LayerKind::Builtin, spec)
            })
            .collect()
    }

    /// The built-in policy alone.
    pub fn policy(self) -> Policy {
        Policy::from_packs(self.packs())
    }
}

/// One policy file as read, for [`assemble`]: its name, layer, and its text or why it could not
/// be read (a file gone by the time it was read is left out).
pub struct Source {
    /// The file's path, as messages name it.
    pub name: String,
    /// The layer it belongs to.
    pub layer: LayerKind,
    /// Its text, or why it could not be read.
    pub text: Result<String, String>,
    /// Whether it is the user's or the system's own, out of the reach of what guard runs but for
    /// its mode: the system and user layers, and a project file of the user's above the project
    /// a contained command may write. One that cannot be read has every command asked.
    pub own: bool,
}

/// What the files' standing depends on beyond their layer: whether a person named the
/// `--policy` files, whether this guard runs inside a guarded command, and the home directory
/// settings' `~` stands for.
#[derive(Debug, Clone, Default)]
pub struct Circumstances {
    /// A person at their own terminal named the `--policy` files.
    pub extra_trusted: bool,
    /// This guard runs inside a command another guard runs (see [`Standing::nested`]).
    pub nested: bool,
    /// The home directory a leading `~/` in settings stands for; without one such paths are
    /// ignored.
    pub home: Option<PathBuf>,
}

/// The policy of the built-in packs `builtin` and the files `sources` over them, in order
/// (system, user, project, `--policy`). A file that cannot be read, does not parse or lint is
/// left out with a warning; the built-in packs always stay, so a broken file never means
/// allow-all.
pub fn assemble(builtin: Vec<LoadedPack>, sources: Vec<Source>, how: &Circumstances) -> Policy {
    let mut packs = builtin;
    let mut warnings = Vec::new();
    let mut unread = Vec::new();
    let mut settings = super::settings::Settings::default();
    for Source { name, layer, text, own } in sources {
        let text = match text {
            // Policy of the user's or the system's own, there and unreadable: whatever made it
            // so (`chmod 000`, which no scope stops) must not have its rules and settings go
            // with it. Every command is asked, and a system file's lock is kept, until it can be
            // read.
            Err(why) if own => {
                warnings.push(format!("{name}: {why}; every command is asked until it can be read"));
                settings.locked |= layer == LayerKind::System;
                unread.push(name);
                continue;
            }
            Ok(t) => t,
            Err(why) => {
                warnings.push(format!("{name}: {why}; using the other policy files"));
                continue;
            }
        };
        let mut spec = match parse(&name, &text) {
            Ok(spec) => spec,
            Err(p) if layer == LayerKind::System => {
                // What the administrator meant cannot be read, so it may have been a lock:
                // the user's own files may then only tighten until it is fixed.
                warnings.push(format!(
                    "{p} (file ignored; until it is fixed, the user's policy files may only tighten, as if the \
                     system policy were locked)"
                ));
                settings.locked = true;
                continue;
            }
            Err(p) => {
                warnings.push(format!("{p} (file ignored; built-in policy still applies)"));
                continue;
            }
        };
        // The system layer can lock the user's own files (and `--policy`) down to tightening.
        let standing = Standing { locked: settings.locked, extra_from_person: how.extra_trusted, nested: how.nested };
        let trust = Trust::for_layer(layer, standing);
        // A bad setting costs the file that value only; the rest of its settings and its rules
        // apply (a system file's `locked` above all).
        for p in settings_problems(&name, &spec) {
            warnings.push(format!("{p} (that value is ignored)"));
        }
        let problems = lint_pack(&name, &spec, &packs);
        if !problems.is_empty() {
            for p in problems {
                warnings.push(format!("{p} (its rules are ignored; built-in policy still applies)"));
            }
            spec.rules.clear();
            spec.disable.clear();
            spec.programs.clear();
            spec.lists.clear();
        }
        if let Some(s) = spec.settings.as_ref().filter(|_| trust.may_loosen()) {
            for w in settings.apply(&s.value, how.home.as_deref(), layer) {
                warnings.push(format!("{name}: {w}"));
            }
            settings.locked |= layer == LayerKind::System && s.value.locked == Some(true);
        }
        packs.push(LoadedPack::parsed(name, layer, spec).trusted(trust));
    }
    let mut policy = Policy::from_packs(packs);
    warnings.append(&mut policy.warnings);
    policy.warnings = warnings;
    policy.settings = settings;
    policy.unread = unread;
    policy
}

/// Every problem in a `settings:` section, located at the section.
pub fn settings_problems(file: &str, spec: &PackSpec) -> Vec<Problem> {
    let Some(settings) = &spec.settings else { return Vec::new() };
    let (line, column) = (settings.referenced.line(), settings.referenced.column());
    super::settings::check(&settings.value)
        .into_iter()
        .map(|message| Problem { file: file.into(), line, column, message })
        .collect()
}

const EFFECTS: &[&str] = &["mask_output", super::engine::OPEN_SECRETS];

/// Every problem in a parsed pack, checked against the packs loaded before it.
pub fn lint_pack(file: &str, spec: &PackSpec, earlier: &[LoadedPack]) -> Vec<Problem> {
    let mut out = Vec::new();
    let mut lists = Lists::default();
    for p in earlier {
        p.add_lists(&mut lists);
    }
    for (k, v) in &spec.lists {
        lists.add(k.clone(), v.clone(), true);
    }
    let mut ids = HashSet::new();
    for r in &spec.rules {
        let (line, column) = (r.id.referenced.line(), r.id.referenced.column());
        let (mline, mcol) = (r.matches.referenced.line(), r.matches.referenced.column());
        let mut problem =
            |l: u64, c: u64, m: String| out.push(Problem { file: file.into(), line: l, column: c, message: m });
        if !ids.insert(r.id.value.clone()) {
            problem(line, column, format!("duplicate rule id `{}`", r.id.value));
        }
        if r.id.value.is_empty() || r.id.value.contains(char::is_whitespace) {
            problem(line, column, "a rule id must be a non-empty word".into());
        }
        if r.examples.deny.is_empty() && r.examples.ask.is_empty() && r.examples.allow.is_empty() {
            problem(line, column, format!("rule `{}` has no examples", r.id.value));
        }
        if r.overrides.is_some() && r.reason.is_none() {
            problem(line, column, format!("rule `{}` overrides another without a `reason`", r.id.value));
        }
        for e in &r.effects {
            if !EFFECTS.contains(&e.as_str()) {
                problem(line, column, format!("unknown effect `{e}` (known: {})", EFFECTS.join(", ")));
            }
        }
        let mut msgs = Vec::new();
        super::keys::lint(&r.matches.value, &lists, &mut msgs);
        for (l, c, m) in msgs {
            if l == 0 {
                problem(mline, mcol, m);
            } else {
                problem(l, c, m);
            }
        }
    }
    for (name, program) in &spec.programs {
        for message in super::effects::problems(name, &program.effects) {
            out.push(Problem { file: file.into(), line: 0, column: 0, message });
        }
    }
    for d in &spec.disable {
        if d.value.reason.trim().is_empty() {
            out.push(Problem {
                file: file.into(),
                line: d.referenced.line(),
                column: d.referenced.column(),
                message: format!("disabling `{}` needs a reason", d.value.id),
            });
        }
    }
    out
}
