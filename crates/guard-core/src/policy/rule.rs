//! The YAML schema of a rule pack. These structs are exactly what a pack file may contain;
//! unknown keys are errors, so a typo never silently weakens a rule.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_saphyr::Spanned;

/// One file of policy: shared lists, knowledge of programs' options, and rules.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PackSpec {
    /// A short name for the pack (`git`, `filesystem`); defaults to the file name.
    #[serde(default)]
    pub pack: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    /// Named lists of strings, referenced from rules as `$name`.
    #[serde(default)]
    pub lists: BTreeMap<String, Vec<String>>,
    /// How programs spell their options: which take a value, which names mean the same flag.
    #[serde(default)]
    pub programs: BTreeMap<String, ProgramSpec>,
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
    pub mask_output: Option<String>,
    /// Record terminal sessions (asciicast v2, linked from the audit log).
    #[serde(default)]
    pub record: Option<bool>,
    #[serde(default)]
    pub audit: Option<AuditSettingsSpec>,
    #[serde(default)]
    pub approvals: Option<ApprovalSettingsSpec>,
    /// From the system layer only: the user's own files (and `--policy`) may then only tighten,
    /// as a project's may: no allow rules, no disabling or overriding, no settings, no program
    /// knowledge, no extended lists.
    #[serde(default)]
    pub locked: Option<bool>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct AuditSettingsSpec {
    /// The log file (absolute, or starting with `~/`).
    #[serde(default)]
    pub path: Option<String>,
    /// Also send each entry to the system log.
    #[serde(default)]
    pub syslog: Option<bool>,
    /// `authpriv` or `user`.
    #[serde(default)]
    pub syslog_facility: Option<String>,
    /// What to do when the log cannot be written.
    #[serde(default)]
    pub on_failure: Option<OnFailureSpec>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct OnFailureSpec {
    /// For allowed commands: `run` (with a warning) or `refuse`.
    #[serde(default)]
    pub allowed: Option<String>,
    /// For approved commands, and those run only because of observe mode: `refuse` or `run`.
    #[serde(default)]
    pub asked: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ApprovalSettingsSpec {
    /// How long a request waits and an approval stays usable (`10m`, `1h`).
    #[serde(default)]
    pub expiry: Option<String>,
    /// How long the terminal prompt waits for a key before refusing (`60s`).
    #[serde(default)]
    pub prompt_timeout: Option<String>,
    /// A shared approval store (an absolute path); honoured from the system layer only.
    #[serde(default)]
    pub dir: Option<String>,
    /// Whose store `dir` is: a user name or a uid. Required with `dir`; system layer only.
    #[serde(default, deserialize_with = "name_or_number")]
    pub owner: Option<String>,
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

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ProgramSpec {
    /// Other names that share this knowledge (`kubecolor` for `kubectl`).
    #[serde(default)]
    pub aliases: Vec<String>,
    /// Options that take a value: `-n`, `--namespace` (the next word, `-nX` or `--namespace=X`).
    #[serde(default)]
    pub takes_value: Vec<String>,
    /// Named flags and their spellings: `recursive: [-r, -R, --recursive]`.
    #[serde(default)]
    pub flags: BTreeMap<String, Vec<String>>,
    /// Options are whole words after one dash (`find -delete`, `java -jar`): never split `-abc`.
    #[serde(default)]
    pub long_single_dash: bool,
    /// What the program does with data: `network` (sends or fetches over the network),
    /// `secret_source` (prints secrets), `sql_client`.
    #[serde(default)]
    pub roles: Vec<String>,
    /// What the program does to the files its command line names (see [`EffectSpec`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub effects: Vec<EffectSpec>,
    /// The first word may be one-letter options bundled without a dash (`tar xzf a.tgz`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub bundled_first: bool,
}

/// One thing a program does to files its command line names: `{kind: write, on: last}` (cp's
/// destination), `{kind: write, option: [-o, --output]}`, `{kind: write, prefix: "of="}` (dd),
/// `{kind: write, on: operands, when: [-i, --in-place]}` (sed -i).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct EffectSpec {
    /// `read`, `write` (creates, changes, empties or appends to), `tree` (writes a tree of files
    /// beneath a directory, named by what it unpacks or copies), `delete`, `move` (renames away,
    /// or over), `link` (makes a link, or links to that file), `chmod` (permissions, owner,
    /// attributes).
    pub kind: String,
    /// Which operands: `operands`, `last`, `all_but_last`, `first`, `after_first`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on: Option<String>,
    /// The values of these options.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub option: Vec<String>,
    /// Operands starting with this (`of=`), without it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefix: Option<String>,
    /// A place no word names: `.` (the directory the command runs in: `tar -x` with no `-C`)
    /// or `/` (`tar -xP`, which writes where the archive says).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<String>,
    /// Only when every one of these flags (a spelling, or a flag named under `flags:`) is given.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub when: Vec<String>,
    /// Not when any one of these is given.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unless: Vec<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct DisableSpec {
    pub id: String,
    pub reason: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    Allow,
    Ask,
    Deny,
}

impl Decision {
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Allow => "allow",
            Decision::Ask => "ask",
            Decision::Deny => "deny",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Info,
    Low,
    #[default]
    Medium,
    High,
    Critical,
}

/// A string or a list of strings.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

// Written out rather than `#[serde(untagged)]`, which buffers every value first (slow to load,
// and it drops source locations).
impl<'de> Deserialize<'de> for OneOrMany {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = OneOrMany;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a string or a list of strings")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<OneOrMany, E> {
                Ok(OneOrMany::One(v.to_string()))
            }
            fn visit_string<E: serde::de::Error>(self, v: String) -> Result<OneOrMany, E> {
                Ok(OneOrMany::One(v))
            }
            fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<OneOrMany, E> {
                Ok(OneOrMany::One(v.to_string()))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<OneOrMany, E> {
                Ok(OneOrMany::One(v.to_string()))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<OneOrMany, E> {
                Ok(OneOrMany::One(v.to_string()))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<OneOrMany, A::Error> {
                let mut out = Vec::new();
                while let Some(s) = seq.next_element::<String>()? {
                    out.push(s);
                }
                Ok(OneOrMany::Many(out))
            }
        }
        d.deserialize_any(V)
    }
}

impl OneOrMany {
    pub fn items(&self) -> Vec<String> {
        match self {
            OneOrMany::One(s) => vec![s.clone()],
            OneOrMany::Many(v) => v.clone(),
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RuleSpec {
    pub id: Spanned<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(rename = "match")]
    pub matches: Spanned<MatchSpec>,
    pub decision: Decision,
    #[serde(default)]
    pub severity: Severity,
    /// Shown to the person asked; `{match}` is the offending word, `{program}`, `{command}`.
    pub message: String,
    #[serde(default)]
    pub tags: Vec<String>,
    /// Effects applied when the command runs anyway: `mask_output`.
    #[serde(default)]
    pub effects: Vec<String>,
    /// Commands this rule must judge this way (checked by `guard rules test`).
    #[serde(default)]
    pub examples: Examples,
    /// Replaces the rule with this id from an earlier layer, with the reason recorded.
    #[serde(default)]
    pub overrides: Option<String>,
    #[serde(default)]
    pub reason: Option<String>,
    /// In the system layer: no later layer may disable, override or redefine this rule.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub locked: bool,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Examples {
    /// Judge these examples as if this agent (`claude`, …) were calling; a person otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent: Option<String>,
    #[serde(default)]
    pub deny: Vec<String>,
    #[serde(default)]
    pub ask: Vec<String>,
    #[serde(default)]
    pub allow: Vec<String>,
}

/// Conditions on one command. Every condition given must hold; `any` holds when one of its
/// alternatives does; `not` when its condition does not.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct MatchSpec {
    /// The program by name (`rm`, `python*`) or path (`/usr/bin/rm`); `$list` for a list.
    pub program: Option<OneOrMany>,
    /// Program and subcommand words: `git push`, `aws s3 rm`, `kubectl delete`.
    pub command: Option<OneOrMany>,
    pub flags: Option<FlagsSpec>,
    /// An option with a value: `{name: [-n, --namespace], value: {regex: prod}}`.
    pub option: Option<OptionSpec>,
    /// At least one operand (a non-option word past the subcommand) is like this.
    pub operand: Option<ValueSpec>,
    /// The command has no operands past the subcommand.
    pub no_operands: Option<bool>,
    /// The command has at most this many operands past the subcommand.
    pub max_operands: Option<usize>,
    /// At least one argument word, option or operand, is like this.
    pub arg: Option<ValueSpec>,
    pub redirect: Option<RedirectSpec>,
    /// Where standard input comes from: `network`, `secret`, `dynamic`.
    pub stdin: Option<FlowSpec>,
    /// Where standard output goes (later pipeline stages): `network`.
    pub stdout: Option<StdoutSpec>,
    pub code: Option<CodeSpec>,
    /// SQL statement classes found in the command's SQL: `drop`, `truncate`,
    /// `delete_all`, `update_all`, `delete`, `update`, `alter`, `grant`, `write`, `unparsed`.
    pub sql: Option<OneOrMany>,
    /// A file or stream this network command sends: `curl -d @f`, `scp f host:`.
    pub upload: Option<ValueSpec>,
    /// How the command is reached: `remote`, `xargs`, `find_exec`, `substitution`, `wrapper`.
    pub via: Option<OneOrMany>,
    /// Something the command does to a file, by program knowledge or a redirection:
    /// `{kind: [write, delete], target: {path: [guard_state]}}`.
    pub effect: Option<EffectMatchSpec>,
    pub context: Option<ContextSpec>,
    pub any: Option<Vec<MatchSpec>>,
    pub not: Option<Box<MatchSpec>>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FlagsSpec {
    #[serde(default)]
    pub any: Vec<String>,
    #[serde(default)]
    pub all: Vec<String>,
    #[serde(default)]
    pub none: Vec<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct OptionSpec {
    pub name: OneOrMany,
    #[serde(default)]
    pub value: Option<ValueSpec>,
}

/// Tests on one word's value. All given tests must hold; a list holds when one item does.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ValueSpec {
    pub equals: Option<OneOrMany>,
    /// Shell-style patterns: `*.sql`, `release/*`.
    pub glob: Option<OneOrMany>,
    /// Contains one of these substrings (cheap; checked before `regex`).
    pub contains: Option<OneOrMany>,
    pub regex: Option<Spanned<String>>,
    /// Path classes: root, system_top, system, home, home_top, home_dotfile, secret,
    /// shell_rc, cwd, cwd_ancestor, build_output, tmp, block_device, device_special,
    /// net_device, git_dir, public_key, guard_state, project_policy, other.
    pub path: Option<OneOrMany>,
    /// The word is only partly known until run time.
    pub dynamic: Option<bool>,
    /// The word holds an unquoted glob.
    pub glob_chars: Option<bool>,
    /// The word is a URL (or `host:path` remote for scp/rsync).
    pub url: Option<bool>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct EffectMatchSpec {
    /// One of the kinds of [`EffectSpec`].
    pub kind: OneOrMany,
    /// The file it is done to.
    #[serde(default)]
    pub target: Option<ValueSpec>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RedirectSpec {
    /// `write` (opens for writing), `truncate`, `append`, `read`.
    pub op: Option<OneOrMany>,
    pub target: Option<ValueSpec>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FlowSpec {
    /// `network`, `secret`, `dynamic`.
    pub from: OneOrMany,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct StdoutSpec {
    /// `network`.
    pub to: OneOrMany,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CodeSpec {
    /// `sh`, `python`, `javascript`, …; `shell` for any shell, `interpreter` for any other.
    pub language: Option<OneOrMany>,
    /// Where the code comes from: `argument`, `stdin`, `file`, `network`, `dynamic`.
    pub from: Option<OneOrMany>,
    /// Regexes over the code text (the code is a named field, not the raw line).
    pub calls: Option<OneOrMany>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ContextSpec {
    /// Globs over the current git branch: `main`, `release/*`.
    pub git_branch: Option<OneOrMany>,
    /// Regex over the kube context in effect (`--context` on the command, else kubeconfig).
    pub kube_context: Option<String>,
    /// Regex over the namespace in effect (`-n` on the command, else kubeconfig).
    pub kube_namespace: Option<String>,
    /// Regex per environment variable: `{AWS_PROFILE: prod}`.
    pub env: Option<BTreeMap<String, String>>,
    /// Globs over the working directory.
    pub cwd: Option<OneOrMany>,
    /// A human terminal is attached.
    pub tty: Option<bool>,
    /// The calling agent: `claude`, `codex`, `gemini`, `cursor`, `human`.
    pub agent: Option<OneOrMany>,
}
