//! The trust model: what each layer of policy may do. guard never trusts what it guards, so a
//! file the guarded side could have written (a repository's `.guard.yaml`, a `--policy` file
//! named by a command guard did not get from a person) may only make guard stricter.
//!
//! | layer | where | may |
//! |---|---|---|
//! | built-in | in the binary | everything; fixed |
//! | system | `/etc/guard/*.yaml`, root's | add, loosen (allow, disable, override), set any setting, lock |
//! | user | `$XDG_CONFIG_HOME/guard/*.yaml` | add, and loosen what the system layer did not lock |
//! | project | every `.guard.yaml` from the working directory up | tighten only |
//! | `--policy FILE` | the command line | as the user layer when a person at a terminal gave it, else tighten only |
//!
//! "Tighten only" is enforced by construction: such a file's rules must say ask or deny and
//! replace nothing; it cannot disable rules, set settings, add program knowledge (which changes
//! how every rule reads a command line) or add to a list an earlier layer defined (a rule may
//! use a list under `not:`); it may define lists of its own for its own rules. Locking: with
//! `settings.locked: true` in the system layer, the user layer and `--policy` are tighten-only
//! too; a system rule with `locked: true` cannot be disabled, overridden or redefined by any
//! later layer. The breaker (`critical.breaker`) is code, judges with the built-in program
//! knowledge only, and no layer can touch it.

use super::rule::{Decision, PackSpec};

/// Where a piece of policy came from, in load order. What each may do is its [`Trust`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LayerKind {
    /// The packs built into guard.
    Builtin,
    /// The administrator's files, `/etc/guard/*.yaml`.
    System,
    /// The user's own files, `$XDG_CONFIG_HOME/guard/*.yaml`.
    User,
    /// A `.guard.yaml` in the working directory or above: may only tighten.
    Project,
    /// `--policy FILE`.
    CommandLine,
}

impl LayerKind {
    /// The layer's name in messages: `built-in`, `system`, `user`, `project`, `--policy`.
    pub fn name(self) -> &'static str {
        match self {
            LayerKind::Builtin => "built-in",
            LayerKind::System => "system",
            LayerKind::User => "user",
            LayerKind::Project => "project",
            LayerKind::CommandLine => "--policy",
        }
    }
}

/// How far a layer of policy is trusted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Trust {
    /// May only add ask and deny rules (and lists of its own for them).
    TightenOnly,
    /// A user's own files: may add, and loosen what is not locked.
    User,
    /// The system layer: may also lock.
    System,
    /// Built into guard.
    Builtin,
}

/// What decides how far the user's own files and `--policy` are trusted on this run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Standing {
    /// The system layer locked policy (or could not be read).
    pub locked: bool,
    /// A person at their own terminal named the `--policy` files.
    pub extra_from_person: bool,
    /// This guard runs inside a command another guard runs (`GUARD_ACTIVE`): its environment,
    /// and so where its user layer is, may have been chosen by what is guarded.
    pub nested: bool,
}

impl Trust {
    /// The trust of a file of `layer`: the one place this is decided.
    pub fn for_layer(layer: LayerKind, s: Standing) -> Trust {
        use LayerKind as L;
        match layer {
            L::Builtin => Trust::Builtin,
            L::System => Trust::System,
            L::User if !s.locked && !s.nested => Trust::User,
            L::CommandLine if !s.locked && !s.nested && s.extra_from_person => Trust::User,
            L::User | L::CommandLine | L::Project => Trust::TightenOnly,
        }
    }

    /// Whether the layer may loosen: allow rules, disable, override, settings, knowledge.
    pub(crate) fn may_loosen(self) -> bool {
        self >= Trust::User
    }
}

/// Something a layer tried that its trust does not allow; it was left out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The line in the file (from 1); 0 when it concerns the file as a whole.
    pub line: u64,
    /// The column (from 1); 0 with line 0.
    pub column: u64,
    /// What was left out, and why.
    pub message: String,
}

/// What the layers before this one hold, as far as [`restrict`] needs to know.
pub trait Earlier {
    /// A list of this name exists.
    fn has_list(&self, name: &str) -> bool;
    /// A rule of this id exists and is locked.
    fn locked(&self, id: &str) -> bool;
    /// A rule of this id exists.
    fn has_rule(&self, id: &str) -> bool;
}

/// Remove from `spec` everything a layer of trust `trust` may not do, saying what each removal
/// was and why; `who` names the file for those messages ("a project's policy"). What remains
/// can be loaded as it is.
pub fn restrict(spec: &mut PackSpec, trust: Trust, who: &str, earlier: &dyn Earlier) -> Vec<Refusal> {
    let mut out = Vec::new();
    let mut refuse = |line: u64, column: u64, message: String| out.push(Refusal { line, column, message });
    if !trust.may_loosen() {
        if !spec.programs.is_empty() {
            let names: Vec<&str> = spec.programs.keys().map(String::as_str).collect();
            refuse(
                0,
                0,
                format!(
                    "{who} cannot change what guard knows of programs ({}): it would change how every rule reads \
                     a command; ignored (put program knowledge in your own policy directory)",
                    names.join(", ")
                ),
            );
            spec.programs.clear();
        }
        let extended: Vec<String> = spec.lists.keys().filter(|k| earlier.has_list(k)).cloned().collect();
        for name in extended {
            refuse(
                0,
                0,
                format!(
                    "{who} cannot add to the list `{name}` that other rules use (a rule may use it to make an \
                     exception); ignored (a list of a new name is fine)"
                ),
            );
            spec.lists.remove(&name);
        }
        if let Some(s) = spec.settings.take() {
            refuse(
                s.referenced.line(),
                s.referenced.column(),
                format!(
                    "{who} cannot change guard's settings (where it logs, how long approvals last, which shell \
                     runs); ignored"
                ),
            );
        }
        for d in std::mem::take(&mut spec.disable) {
            refuse(
                d.referenced.line(),
                d.referenced.column(),
                format!("{who} cannot disable rules; ignored `disable: {}`", d.value.id),
            );
        }
    } else if trust == Trust::User {
        if spec.settings.as_ref().is_some_and(|s| s.value.locked.is_some()) {
            let s = spec.settings.as_mut().expect("checked above");
            refuse(
                s.referenced.line(),
                s.referenced.column(),
                "only the system layer (/etc/guard) can lock policy; ignored `settings.locked`".into(),
            );
            s.value.locked = None;
        }
        spec.disable.retain(|d| {
            let keep = !earlier.locked(&d.value.id);
            if !keep {
                refuse(
                    d.referenced.line(),
                    d.referenced.column(),
                    format!("rule `{}` is locked by the system policy and cannot be disabled; ignored", d.value.id),
                );
            }
            keep
        });
    }
    spec.rules.retain_mut(|r| {
        let (line, column) = (r.id.referenced.line(), r.id.referenced.column());
        let id = r.id.value.clone();
        if trust < Trust::System && r.locked {
            refuse(line, column, format!("only the system layer can lock a rule; `locked` ignored on `{id}`"));
            r.locked = false;
        }
        if !trust.may_loosen() && (r.decision == Decision::Allow || r.overrides.is_some()) {
            let what = if r.decision == Decision::Allow { "allow" } else { "override" };
            refuse(line, column, format!("{who} may only tighten: ignored rule `{id}` ({what})"));
            return false;
        }
        if !trust.may_loosen() && r.effects.iter().any(|e| e == super::engine::OPEN_SECRETS) {
            refuse(
                line,
                column,
                format!("{who} may only tighten: the effect `open_secrets` on rule `{id}` is ignored"),
            );
            r.effects.retain(|e| e != super::engine::OPEN_SECRETS);
        }
        if !trust.may_loosen() && earlier.has_rule(&id) {
            refuse(
                line,
                column,
                format!(
                    "{who} may only add rules of new ids: `{id}` is already a rule; ignored (give it an id of its own)"
                ),
            );
            return false;
        }
        if trust < Trust::System {
            if let Some(target) = r.overrides.as_deref().filter(|t| earlier.locked(t)) {
                refuse(
                    line,
                    column,
                    format!("rule `{target}` is locked by the system policy; ignored `{id}`, which overrides it"),
                );
                return false;
            }
            if earlier.locked(&id) {
                refuse(
                    line,
                    column,
                    format!("rule `{id}` is locked by the system policy and cannot be redefined; ignored"),
                );
                return false;
            }
        }
        true
    });
    out
}

/// What a file is, for messages about what it may not do.
pub fn describe(layer: LayerKind, trust: Trust) -> &'static str {
    use LayerKind as L;
    match (layer, trust) {
        (L::Project, _) => "a project's policy",
        (L::User, Trust::TightenOnly) => {
            "a user's policy under a locked system policy (or read by a guard inside a guarded command)"
        }
        (L::CommandLine, Trust::TightenOnly) => {
            "a --policy file not given by a person at a terminal (or under a locked system policy)"
        }
        (L::CommandLine, _) => "a --policy file",
        (L::System, _) => "the system policy",
        _ => "a user's policy",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::layers::parse;

    struct Before;
    impl Earlier for Before {
        fn has_list(&self, name: &str) -> bool {
            name == "shells"
        }
        fn locked(&self, id: &str) -> bool {
            id == "sys.locked"
        }
        fn has_rule(&self, id: &str) -> bool {
            ["sys.locked", "fs.rm-recursive"].contains(&id)
        }
    }

    const FILE: &str = "\
programs:
  rm: {takes_value: [-rf]}
lists:
  shells: [nothing]
  mine: [deploy]
settings:
  record: true
disable:
  - {id: fs.rm-recursive, reason: noisy}
  - {id: sys.locked, reason: noisy}
rules:
  - id: p.allow
    match: {program: rm}
    decision: allow
    message: ok
    examples: {allow: [rm x]}
  - id: p.deny
    match: {program: $mine}
    decision: deny
    message: no
    examples: {deny: [deploy]}
  - id: p.override
    match: {program: rm}
    decision: ask
    overrides: fs.rm-recursive
    reason: quieter
    message: hm
    examples: {ask: [rm x]}
  - id: sys.locked
    match: {program: ls}
    decision: ask
    message: mine now
    examples: {ask: [ls]}
";

    fn restricted(trust: Trust) -> (PackSpec, Vec<Refusal>) {
        let mut spec = parse("f.yaml", FILE).unwrap();
        let refused = restrict(&mut spec, trust, "f.yaml", &Before);
        (spec, refused)
    }

    #[test]
    fn a_tighten_only_file_keeps_only_what_tightens() {
        let (spec, refused) = restricted(Trust::TightenOnly);
        assert!(spec.programs.is_empty() && spec.settings.is_none() && spec.disable.is_empty());
        assert_eq!(spec.lists.keys().collect::<Vec<_>>(), ["mine"], "its own list stays, the extension goes");
        let ids: Vec<&str> = spec.rules.iter().map(|r| r.id.value.as_str()).collect();
        assert_eq!(ids, ["p.deny"]);
        let says = |needle: &str| refused.iter().any(|r| r.message.contains(needle));
        for needle in [
            "programs (rm)",
            "the list `shells`",
            "settings",
            "disable: fs.rm-recursive",
            "ignored rule `p.allow` (allow)",
        ] {
            assert!(says(needle), "{needle}: {refused:#?}");
        }
        assert!(refused.iter().any(|r| r.message.contains("`p.override` (override)")), "{refused:#?}");
        assert!(refused.iter().any(|r| r.message.contains("already a rule") && r.message.contains("sys.locked")));
    }

    #[test]
    fn a_user_file_loosens_only_what_is_not_locked() {
        let (spec, refused) = restricted(Trust::User);
        assert!(!spec.programs.is_empty() && spec.settings.is_some());
        let disabled: Vec<&str> = spec.disable.iter().map(|d| d.value.id.as_str()).collect();
        assert_eq!(disabled, ["fs.rm-recursive"]);
        let ids: Vec<&str> = spec.rules.iter().map(|r| r.id.value.as_str()).collect();
        assert_eq!(ids, ["p.allow", "p.deny", "p.override"]);
        assert_eq!(refused.len(), 2, "{refused:#?}");
    }

    #[test]
    fn the_system_layer_may_do_everything() {
        let (spec, refused) = restricted(Trust::System);
        assert!(refused.is_empty(), "{refused:#?}");
        assert_eq!(spec.rules.len(), 4);
    }

    #[test]
    fn only_the_system_layer_locks() {
        let text = "settings: {locked: true}\nrules:\n  - {id: a.b, match: {program: x}, decision: ask, message: m, locked: true, examples: {ask: [x]}}\n";
        for trust in [Trust::User, Trust::TightenOnly] {
            let mut spec = parse("f.yaml", text).unwrap();
            let refused = restrict(&mut spec, trust, "f.yaml", &Before);
            assert!(!spec.rules.iter().any(|r| r.locked), "{trust:?}");
            assert!(spec.settings.as_ref().is_none_or(|s| s.value.locked.is_none()), "{trust:?}");
            assert_eq!(refused.len(), 2, "{trust:?}: {refused:#?}");
        }
        let mut spec = parse("f.yaml", text).unwrap();
        assert!(restrict(&mut spec, Trust::System, "f.yaml", &Before).is_empty());
        assert!(spec.rules[0].locked);
    }
}
