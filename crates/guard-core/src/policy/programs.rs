//! `programs:` in a pack: how each program spells its options and what it does to the files its
//! command line names. Read by the policy's `cmdline` and `effects` modules.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// What a pack knows of one program's command line (an entry of `programs:`).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ProgramSpec {
    /// Other names of the same program (`kubecolor`, `k` for `kubectl`): they share this
    /// knowledge, and rules that name the program match them too.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// For a name given as an alias: the program it is another name of. Set when the aliases
    /// are read, not written in a pack.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub same_as: Option<String>,
    /// Options that take a value: `-n`, `--namespace` (the next word, `-nX` or `--namespace=X`).
    #[serde(default)]
    pub takes_value: Vec<String>,
    /// Named flags and their spellings: `recursive: [-r, -R, --recursive]`.
    #[serde(default)]
    pub(crate) flags: BTreeMap<String, Vec<String>>,
    /// Options are whole words after one dash (`find -delete`, `java -jar`): never split `-abc`.
    #[serde(default)]
    pub(crate) long_single_dash: bool,
    /// What the program does with data: `network` (sends or fetches over the network),
    /// `secret_source` (prints secrets), `sql_client`.
    #[serde(default)]
    pub(crate) roles: Vec<String>,
    /// What the program does to the files its command line names (see [`EffectSpec`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) effects: Vec<EffectSpec>,
    /// The first word may be one-letter options bundled without a dash (`tar xzf a.tgz`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub(crate) bundled_first: bool,
    /// Options read differently after some subcommand words (`docker system prune -f` is
    /// `--force` where `docker ps -f` is `--filter`): `"system prune": {takes_value: [--filter]}`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub(crate) subcommands: BTreeMap<String, SubcommandSpec>,
}

/// A subcommand's own reading of options (an entry of a program's `subcommands:`).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SubcommandSpec {
    /// The options that take a value once these subcommand words are given, in place of the
    /// program's list.
    #[serde(default)]
    pub(crate) takes_value: Vec<String>,
}

/// One thing a program does to files its command line names: `{kind: write, on: last}` (cp's
/// destination), `{kind: write, option: [-o, --output]}`, `{kind: write, prefix: "of="}` (dd),
/// `{kind: write, on: operands, when: [-i, --in-place]}` (sed -i).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct EffectSpec {
    /// `read`, `write` (creates, changes, empties or appends to), `tree` (writes a tree of files
    /// beneath a directory, named by what it unpacks or copies), `delete`, `move` (renames away,
    /// or over), `link` (makes a link, or links to that file), `chmod` (permissions, owner,
    /// attributes).
    pub(crate) kind: String,
    /// Which operands: `operands`, `last`, `all_but_last`, `first`, `after_first`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) on: Option<String>,
    /// The values of these options.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) option: Vec<String>,
    /// Operands starting with this (`of=`), without it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) prefix: Option<String>,
    /// A place no word names: `.` (the directory the command runs in: `tar -x` with no `-C`)
    /// or `/` (`tar -xP`, which writes where the archive says).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) at: Option<String>,
    /// Only when every one of these flags (a spelling, or a flag named under `flags:`) is given.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) when: Vec<String>,
    /// Not when any one of these is given.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) unless: Vec<String>,
}
