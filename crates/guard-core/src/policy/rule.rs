//! The YAML schema of a rule pack. These structs are exactly what a pack file may contain;
//! unknown keys are errors, so a typo never silently weakens a rule. What a rule's `match:` may
//! hold is in [`keys`](super::keys), a file per key; `programs:` is in
//! [`programs`](super::programs).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_saphyr::Spanned;

pub(crate) use super::keys::MatchSpec;
pub(crate) use super::programs::ProgramSpec;

/// One file of policy: shared lists, knowledge of programs' options, and rules.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PackSpec {
    /// A short name for the pack (`git`, `filesystem`); defaults to the file name.
    #[serde(default)]
    pub pack: Option<String>,
    /// What the pack is about, for `guard rules` listings.
    #[serde(default)]
    pub description: Option<String>,
    /// Named lists of strings, referenced from rules as `$name`.
    #[serde(default)]
    pub lists: BTreeMap<String, Vec<String>>,
    /// How programs spell their options: which take a value, which names mean the same flag.
    #[serde(default)]
    pub programs: BTreeMap<String, ProgramSpec>,
    /// The pack's rules, in the order they are listed.
    #[serde(default)]
    pub rules: Vec<RuleSpec>,
    /// Rules switched off by id, each with the reason recorded.
    #[serde(default)]
    pub disable: Vec<Spanned<DisableSpec>>,
    /// How guard itself behaves (read from the system and user layers only).
    #[serde(default)]
    pub settings: Option<Spanned<SettingsSpec>>,
}

/// `settings:` in a policy file. Values are checked when the file is loaded.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SettingsSpec {
    /// The real shell that runs what is allowed (`GUARD_SHELL` still wins).
    #[serde(default)]
    pub shell: Option<String>,
    /// Where secrets in output are masked: `agents` (and where a rule says so), `rules`,
    /// `always`, `never`.
    #[serde(default)]
    pub(crate) mask_output: Option<String>,
    /// Record terminal sessions (asciicast v2, linked from the audit log).
    #[serde(default)]
    pub(crate) record: Option<bool>,
    #[serde(default)]
    pub(crate) audit: Option<AuditSettingsSpec>,
    #[serde(default)]
    pub(crate) approvals: Option<ApprovalSettingsSpec>,
    /// Containment: a word (`agents`, `always`, `off`, `required`) or a mapping.
    #[serde(default)]
    pub(crate) contain: Option<ContainSpec>,
    /// From the system layer only: the user's own files (and `--policy`) may then only tighten,
    /// as a project's may: no allow rules, no disabling or overriding, no settings, no program
    /// knowledge, no extended lists.
    #[serde(default)]
    pub(crate) locked: Option<bool>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct AuditSettingsSpec {
    /// The log file (absolute, or starting with `~/`).
    #[serde(default)]
    pub(crate) path: Option<String>,
    /// Also send each entry to the system log.
    #[serde(default)]
    pub(crate) syslog: Option<bool>,
    /// `authpriv` or `user`.
    #[serde(default)]
    pub(crate) syslog_facility: Option<String>,
    /// What to do when the log cannot be written.
    #[serde(default)]
    pub(crate) on_failure: Option<OnFailureSpec>,
}

/// `settings.contain`: `contain: required`, or `contain: {when: always, network: [443]}`.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub(crate) enum ContainSpec {
    Word(String),
    Map(ContainMapSpec),
}

impl<'de> Deserialize<'de> for ContainSpec {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = ContainSpec;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str(
                    "agents, always, off, required, or a mapping with when, required, writable, caches, network, hooks",
                )
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<ContainSpec, E> {
                Ok(ContainSpec::Word(v.to_string()))
            }
            // YAML reads a bare `off` as false (and `on` as true).
            fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<ContainSpec, E> {
                Ok(ContainSpec::Word(if v { "always" } else { "off" }.to_string()))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, m: A) -> Result<ContainSpec, A::Error> {
                ContainMapSpec::deserialize(serde::de::value::MapAccessDeserializer::new(m)).map(ContainSpec::Map)
            }
        }
        d.deserialize_any(V)
    }
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ContainMapSpec {
    /// `agents` (commands guard runs for anyone but a person at their own terminal), `always`,
    /// or `off`.
    #[serde(default, deserialize_with = "when_word")]
    pub(crate) when: Option<String>,
    /// Refuse to run what should be contained when the kernel cannot contain it.
    #[serde(default)]
    pub(crate) required: Option<bool>,
    /// More places contained commands may write (absolute, or starting with `~/`).
    #[serde(default)]
    pub(crate) writable: Option<Vec<String>>,
    /// The caches and tool homes contained commands may write; replaces the default list.
    #[serde(default)]
    pub(crate) caches: Option<Vec<String>>,
    /// The temporary directories contained commands may write (absolute); replaces `$TMPDIR`,
    /// `/tmp`, `/var/tmp` and `/dev/shm`.
    #[serde(default)]
    pub(crate) temp: Option<Vec<String>>,
    /// The TCP ports contained commands may connect to; absent means any.
    #[serde(default)]
    pub(crate) network: Option<Vec<u16>>,
    /// `guard hook claude|codex` rewrite allowed commands to run under `guard --contain -c`.
    #[serde(default)]
    pub(crate) hooks: Option<bool>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct OnFailureSpec {
    /// For allowed commands: `run` (with a warning) or `refuse`.
    #[serde(default)]
    pub(crate) allowed: Option<String>,
    /// For approved commands, and those run only because of observe mode: `refuse` or `run`.
    #[serde(default)]
    pub(crate) asked: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ApprovalSettingsSpec {
    /// How long a request waits and an approval stays usable (`10m`, `1h`).
    #[serde(default)]
    pub(crate) expiry: Option<String>,
    /// How long the terminal prompt waits for a key before refusing (`60s`).
    #[serde(default)]
    pub(crate) prompt_timeout: Option<String>,
    /// A shared approval store (an absolute path); honoured from the system layer only.
    #[serde(default)]
    pub(crate) dir: Option<String>,
    /// Whose store `dir` is: a user name or a uid. Required with `dir`; system layer only.
    #[serde(default, deserialize_with = "name_or_number")]
    pub(crate) owner: Option<String>,
}

/// `settings.contain.when`: a word, where YAML reads a bare `off` as false.
fn when_word<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    match ContainSpec::deserialize(d)? {
        ContainSpec::Word(w) => Ok(Some(w)),
        ContainSpec::Map(_) => Err(serde::de::Error::custom("settings.contain.when is one of agents, always, off")),
    }
}

/// A user name or a number: YAML reads `owner: 1000` as an integer, and either is meant.
fn name_or_number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    struct V;
    impl serde::de::Visitor<'_> for V {
        type Value = Option<String>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a user name or a uid")
        }
        fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Self::Value, E> {
            Ok(Some(v.to_string()))
        }
        fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Self::Value, E> {
            Ok(Some(v.to_string()))
        }
        fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Self::Value, E> {
            Ok(Some(v.to_string()))
        }
    }
    d.deserialize_any(V)
}

/// One entry of `disable:`: the id of a rule from an earlier layer to switch off, and why.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct DisableSpec {
    pub(crate) id: String,
    pub(crate) reason: String,
}

/// What to do with a command. Ordered by strictness (`Allow < Ask < Deny`): where several
/// rules match, the strictest decision stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// Run it.
    Allow,
    /// Run it only once a person approves.
    Ask,
    /// Refuse to run it.
    Deny,
}

impl Decision {
    /// The name as written in YAML and shown to people: `allow`, `ask`, `deny`.
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Allow => "allow",
            Decision::Ask => "ask",
            Decision::Deny => "deny",
        }
    }
}

/// How serious a finding is, lowest first. It is shown to people, and orders the findings of
/// one decision (the more severe first); `medium` when a rule does not say.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// The lowest: for information.
    Info,
    /// Below the default.
    Low,
    /// The default.
    #[default]
    Medium,
    /// Above the default.
    High,
    /// The highest; the breaker's findings are critical.
    Critical,
}

/// One rule: the commands it matches and what to do with them.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RuleSpec {
    /// Unique within its layer (`fs.rm-recursive`); a later layer's rule of the same id replaces
    /// it when that layer may loosen. Spanned for the location in error messages.
    pub id: Spanned<String>,
    /// What the rule guards against, for `guard rules show`.
    #[serde(default)]
    pub description: Option<String>,
    /// `match:`: the conditions on one command, all of which must hold.
    #[serde(rename = "match")]
    pub matches: Spanned<MatchSpec>,
    /// What to do with a command it matches.
    pub decision: Decision,
    /// How serious a match is; `medium` when not given.
    #[serde(default)]
    pub severity: Severity,
    /// Shown to the person asked; `{match}` is the offending word, `{program}`, `{command}`.
    pub message: String,
    /// Free-form labels, carried into findings and shown by `guard rules`.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Effects applied when the command runs anyway: `mask_output`.
    #[serde(default)]
    pub effects: Vec<String>,
    /// Commands this rule must judge this way (checked by `guard rules test`).
    #[serde(default)]
    pub(crate) examples: Examples,
    /// Replaces the rule with this id from an earlier layer, with the reason recorded.
    #[serde(default)]
    pub overrides: Option<String>,
    /// Why it overrides; required with `overrides`.
    #[serde(default)]
    pub reason: Option<String>,
    /// In the system layer: no later layer may disable, override or redefine this rule.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub(crate) locked: bool,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Examples {
    /// Judge these examples as if this agent (`claude`, …) were calling; a person otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) agent: Option<String>,
    #[serde(default)]
    pub(crate) deny: Vec<String>,
    #[serde(default)]
    pub(crate) ask: Vec<String>,
    #[serde(default)]
    pub(crate) allow: Vec<String>,
}
