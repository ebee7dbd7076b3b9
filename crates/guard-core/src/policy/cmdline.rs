//! An invocation's argv read the way its program reads it: options (short clusters split,
//! `--flag=value`, options that take the next word), subcommand words and operands. What each
//! program's options look like is data (`programs:` in the packs), not code.

use std::collections::HashMap;
use std::sync::OnceLock;

use super::programs::ProgramSpec;
use crate::plan::{Invocation, Word};

/// Name → [`ProgramSpec`]s as JSON, in pack order, sorted by name (see `guard-rules`'s `build.rs`).
pub(crate) type BuiltinPrograms = &'static [(&'static str, &'static [&'static str])];

/// Option knowledge for every program named in the packs. Built-in knowledge stays as the JSON
/// embedded at build time until a command names the program.
#[derive(Debug, Default, Clone)]
pub(crate) struct ProgramDb {
    builtin: BuiltinPrograms,
    /// Decoded built-in knowledge, by position in `builtin`; boxed, so the hundreds of slots a
    /// command never uses cost a pointer each, not a whole spec.
    decoded: Vec<OnceLock<Box<ProgramSpec>>>,
    /// Knowledge from parsed policy files, merged after the built-in knowledge of the name.
    files: HashMap<String, Entry>,
}

#[derive(Debug, Default, Clone)]
struct Entry {
    parts: Vec<ProgramSpec>,
    spec: OnceLock<ProgramSpec>,
}

impl ProgramDb {
    /// Start from the built-in knowledge (once; later calls change nothing).
    pub(crate) fn use_builtin(&mut self, builtin: BuiltinPrograms) {
        if self.builtin.is_empty() {
            self.builtin = builtin;
            self.decoded = (0..builtin.len()).map(|_| OnceLock::new()).collect();
        }
    }

    /// Knowledge of `name` (and of each of its aliases).
    pub(crate) fn insert(&mut self, name: &str, spec: &ProgramSpec) {
        for n in std::iter::once(name).chain(spec.aliases.iter().map(String::as_str)) {
            let e = self.files.entry(n.to_string()).or_default();
            let mut part = spec.clone();
            if n != name {
                part.same_as = Some(name.to_string());
            }
            e.parts.push(part);
            e.spec = OnceLock::new();
        }
    }

    /// The program `name` is another name of, when it is an alias.
    pub(crate) fn same_as(&self, name: &str) -> Option<&str> {
        self.get(name).and_then(|p| p.same_as.as_deref())
    }

    fn builtin_at(&self, name: &str) -> Option<usize> {
        self.builtin.binary_search_by(|(n, _)| (*n).cmp(name)).ok()
    }

    fn merged(&self, at: Option<usize>, files: &[ProgramSpec]) -> ProgramSpec {
        let mut out = ProgramSpec::default();
        for json in at.map(|i| self.builtin[i].1).unwrap_or_default() {
            merge(&mut out, &serde_json::from_str(json).expect("built-in programs were checked when guard was built"));
        }
        files.iter().for_each(|s| merge(&mut out, s));
        out
    }

    fn lookup(&self, name: &str) -> Option<&ProgramSpec> {
        let at = self.builtin_at(name);
        if let Some(e) = self.files.get(name) {
            return Some(e.spec.get_or_init(|| self.merged(at, &e.parts)));
        }
        let i = at?;
        Some(self.decoded[i].get_or_init(|| Box::new(self.merged(Some(i), &[]))))
    }

    /// Whether a policy file added knowledge of `name` (or of the family it falls back to).
    pub(crate) fn changed_by_files(&self, name: &str) -> bool {
        self.files.contains_key(name) || self.files.contains_key(family(name))
    }

    pub(crate) fn get(&self, name: &str) -> Option<&ProgramSpec> {
        self.lookup(name).or_else(|| self.lookup(family(name)))
    }

    pub(crate) fn has_role(&self, name: &str, role: &str) -> bool {
        self.get(name).is_some_and(|s| s.roles.iter().any(|r| r == role))
    }

    /// The spellings of a named flag of a program, or the name itself when it is a spelling.
    pub(crate) fn spellings(&self, program: Option<&str>, flag: &str) -> Vec<String> {
        if let Some(v) = program.and_then(|p| self.get(p)).and_then(|s| s.flags.get(flag)) {
            return v.clone();
        }
        vec![flag.to_string()]
    }
}

fn merge(into: &mut ProgramSpec, spec: &ProgramSpec) {
    into.takes_value.extend(spec.takes_value.iter().cloned());
    for (k, v) in &spec.flags {
        into.flags.entry(k.clone()).or_default().extend(v.iter().cloned());
    }
    into.long_single_dash |= spec.long_single_dash;
    into.roles.extend(spec.roles.iter().cloned());
    into.effects.extend(spec.effects.iter().cloned());
    into.bundled_first |= spec.bundled_first;
    if spec.same_as.is_some() {
        into.same_as.clone_from(&spec.same_as);
    }
    for (k, v) in &spec.subcommands {
        into.subcommands.entry(k.clone()).or_default().takes_value.extend(v.takes_value.iter().cloned());
    }
}

/// `python3.12` → `python3` → `python`: versioned names share knowledge.
fn family(name: &str) -> &str {
    name.trim_end_matches(|c: char| c.is_ascii_digit() || c == '.' || c == '-')
}

/// One option as the program reads it.
#[derive(Debug, Clone)]
pub(crate) struct Flag<'a> {
    /// `-r`, `--recursive`, `-delete`.
    pub(crate) spelling: String,
    /// The value, when the option takes one and it is known.
    pub(crate) value: Option<FlagValue<'a>>,
    /// The word the option was written in.
    pub(crate) word: &'a Word,
}

#[derive(Debug, Clone)]
pub(crate) enum FlagValue<'a> {
    /// Text attached to the option: `--ns=prod`, `-nprod`.
    Attached(String),
    /// The next word.
    Word(&'a Word),
}

impl FlagValue<'_> {
    pub(crate) fn word(&self) -> Option<&Word> {
        match self {
            FlagValue::Word(w) => Some(w),
            FlagValue::Attached(_) => None,
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Cmdline<'a> {
    /// Basename of the program, empty when only known at run time.
    pub(crate) name: String,
    pub(crate) flags: Vec<Flag<'a>>,
    /// Non-option words in order (subcommands first).
    pub(crate) positionals: Vec<&'a Word>,
}

/// The subcommand the words read so far name, when the program reads options its own way there.
fn subcommand<'s>(spec: &'s ProgramSpec, positionals: &[&Word]) -> Option<&'s super::programs::SubcommandSpec> {
    if spec.subcommands.is_empty() {
        return None;
    }
    let words: Vec<&str> = positionals.iter().map(|w| w.as_literal().unwrap_or("")).collect();
    spec.subcommands.get(&words.join(" "))
}

/// The long options that, by a convention nearly every tool follows, name a key, certificate,
/// credential or output file the tool uses: for a program guard knows nothing of, the word after
/// one is that option's value, not an operand (`cosign sign --key cosign.key`, `bundletool
/// --ks release.keystore`), so a key a tool only signs with is not read as a key it prints.
fn names_what_it_uses(option: &str) -> bool {
    const NAMES: &[&str] = &[
        "key",
        "keyfile",
        "key-file",
        "private-key",
        "ks",
        "keystore",
        "identity",
        "identity-file",
        "cert",
        "cert-file",
        "certificate",
        "cacert",
        "ca-cert",
        "ca-file",
        "creds",
        "credentials",
        "credentials-file",
        "kubeconfig",
        "kubeconfig-file",
        "privkey",
        "load-privkey",
        "load-ca-privkey",
        "load-certificate",
        "outfile",
        "out-file",
        "output-file",
        "password-file",
        "passfile",
        "secret-file",
        "token-file",
    ];
    option.strip_prefix("--").is_some_and(|n| NAMES.contains(&n))
}

impl<'a> Cmdline<'a> {
    pub(crate) fn parse(inv: &'a Invocation, db: &ProgramDb) -> Cmdline<'a> {
        let name = inv.program_name().unwrap_or("").to_string();
        let spec = db.get(&name);
        // The options that take a value: the program's, or a subcommand's once its words are read.
        let mut valued: &[String] = spec.map_or(&[][..], |p| &p.takes_value[..]);
        let known = |s: &str| spec.is_some_and(|p| p.flags.values().any(|v| v.iter().any(|t| t == s)));
        let single_dash = spec.is_some_and(|p| p.long_single_dash);
        let mut flags = Vec::new();
        let mut positionals = Vec::new();
        let mut i = 0;
        let args = &inv.args;
        let mut only_operands = false;
        // `tar xzf a.tgz`: the first word, one-letter options without their dash.
        let bundled = spec.is_some_and(|p| p.bundled_first)
            && args
                .first()
                .and_then(|w| w.as_literal())
                .is_some_and(|t| !t.is_empty() && t.bytes().all(|b| b.is_ascii_alphabetic()));
        while i < args.len() {
            let w = &args[i];
            i += 1;
            let dashed;
            let text = if bundled && i == 1 {
                dashed = format!("-{}", w.known_prefix());
                dashed.as_str()
            } else {
                w.known_prefix()
            };
            if only_operands || !text.starts_with('-') || text == "-" {
                positionals.push(w);
                if let Some(sub) = spec.and_then(|p| subcommand(p, &positionals)) {
                    valued = &sub.takes_value;
                }
                continue;
            }
            let takes = |s: &str| valued.iter().any(|t| t == s);
            if text == "--" && !w.is_dynamic() {
                only_operands = true;
                continue;
            }
            if let Some(long) = text.strip_prefix("--") {
                if let Some((n, v)) = long.split_once('=') {
                    flags.push(Flag {
                        spelling: unabbreviate(spec, &format!("--{n}")),
                        value: Some(FlagValue::Attached(v.into())),
                        word: w,
                    });
                    continue;
                }
                let spelling = unabbreviate(spec, text);
                // Only for a program guard knows nothing of: the text tools that print what they
                // read are known (rules/programs.yaml), so `grep --key FILE`, where a POSIX parse
                // reads FILE as a file to print, is not read this way.
                let uses = spec.is_none() && names_what_it_uses(&spelling);
                if (takes(&spelling) || uses) && i < args.len() {
                    flags.push(Flag { spelling, value: Some(FlagValue::Word(&args[i])), word: w });
                    i += 1;
                } else {
                    flags.push(Flag { spelling, value: None, word: w });
                }
                continue;
            }
            // One dash.
            if single_dash || takes(text) || known(text) || text[1..].starts_with(|c: char| c.is_ascii_digit()) {
                if let Some((n, v)) = text.split_once('=').filter(|_| single_dash) {
                    flags.push(Flag { spelling: n.into(), value: Some(FlagValue::Attached(v.into())), word: w });
                } else if takes(text) && i < args.len() {
                    flags.push(Flag { spelling: text.into(), value: Some(FlagValue::Word(&args[i])), word: w });
                    i += 1;
                } else {
                    flags.push(Flag { spelling: text.into(), value: None, word: w });
                }
                continue;
            }
            let chars: Vec<char> = text[1..].chars().collect();
            for (k, c) in chars.iter().enumerate() {
                let spelling = format!("-{c}");
                if takes(&spelling) {
                    let rest: String = chars[k + 1..].iter().collect();
                    let value = if !rest.is_empty() {
                        Some(FlagValue::Attached(rest))
                    } else if i < args.len() {
                        i += 1;
                        Some(FlagValue::Word(&args[i - 1]))
                    } else {
                        None
                    };
                    flags.push(Flag { spelling, value, word: w });
                    break;
                }
                flags.push(Flag { spelling, value: None, word: w });
            }
        }
        Cmdline { name, flags, positionals }
    }

    /// The flag given in one of these spellings, unless it is switched off where it is given
    /// (`--force=false`, `--recursive=0`: programs that take a boolean that way read it so).
    pub(crate) fn has_flag(&self, spellings: &[String]) -> Option<&Flag<'a>> {
        self.flags.iter().find(|f| {
            spellings.contains(&f.spelling)
                && !matches!(&f.value, Some(FlagValue::Attached(v)) if matches!(v.to_ascii_lowercase().as_str(), "false" | "0" | "no" | "off"))
        })
    }
}

/// The long option `--abbr` names: programs that parse with getopt_long (and git) take any
/// unambiguous start of a long option (`rm --rec`, `git push --forc`). An abbreviation of one
/// known spelling, or of several spellings of one named flag, is read as that spelling;
/// anything else stays as written.
fn unabbreviate(spec: Option<&ProgramSpec>, text: &str) -> String {
    let Some(spec) = spec.filter(|_| text.len() >= 3) else { return text.to_string() };
    let known = |s: &String| s == text;
    if spec.takes_value.iter().any(known) || spec.flags.values().flatten().any(known) {
        return text.to_string();
    }
    let starts = |s: &&String| s.starts_with("--") && s.starts_with(text);
    let mut candidates: Vec<&String> =
        spec.takes_value.iter().chain(spec.flags.values().flatten()).filter(starts).collect();
    candidates.sort();
    candidates.dedup();
    let one_flag = spec.flags.values().any(|group| candidates.iter().all(|c| group.contains(c)));
    match candidates.as_slice() {
        [one] => one.to_string(),
        [first, ..] if one_flag => first.to_string(),
        _ => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shell::{analyze, Env};

    fn db() -> ProgramDb {
        let mut db = ProgramDb::default();
        let kubectl = ProgramSpec { takes_value: vec!["-n".into(), "--namespace".into()], ..Default::default() };
        db.insert("kubectl", &kubectl);
        let tar = ProgramSpec { takes_value: vec!["-f".into()], ..Default::default() };
        db.insert("tar", &tar);
        db
    }

    #[test]
    fn splits_clusters_and_finds_subcommands_past_valued_options() {
        let plan = analyze("kubectl -n prod delete ns foo", &Env::default());
        let db = db();
        let c = Cmdline::parse(&plan.invocations[0], &db);
        let pos: Vec<String> = c.positionals.iter().map(|w| w.display()).collect();
        assert_eq!(pos, ["delete", "ns", "foo"]);
        let plan = analyze("tar -xzvf a.tgz -C out", &Env::default());
        let c = Cmdline::parse(&plan.invocations[0], &db);
        let f: Vec<&str> = c.flags.iter().map(|f| f.spelling.as_str()).collect();
        assert_eq!(f, ["-x", "-z", "-v", "-f", "-C"]);
        let pos: Vec<String> = c.positionals.iter().map(|w| w.display()).collect();
        assert_eq!(pos, ["out"]);
    }

    #[test]
    fn an_unambiguous_start_of_a_long_option_is_that_option() {
        let mut db = ProgramDb::default();
        let rm = ProgramSpec {
            flags: [
                ("recursive".into(), vec!["-r".into(), "--recursive".into()]),
                ("force".into(), vec!["--force".into()]),
            ]
            .into(),
            ..Default::default()
        };
        db.insert("rm", &rm);
        let git = ProgramSpec {
            takes_value: vec!["--message".into(), "--merge-base".into()],
            flags: [("force".into(), vec!["--force".into(), "--force-with-lease".into()])].into(),
            ..Default::default()
        };
        db.insert("git", &git);
        for (cmd, want) in [
            ("rm --rec --for /", vec!["--recursive", "--force"]),
            ("rm --recursive=x", vec!["--recursive"]),
            ("git push --forc", vec!["--force"]),
            ("git commit --mess hi", vec!["--message"]),
            ("git commit --me x", vec!["--me"]),
            ("git log --oneline", vec!["--oneline"]),
        ] {
            let plan = analyze(cmd, &Env::default());
            let c = Cmdline::parse(&plan.invocations[0], &db);
            let got: Vec<&str> = c.flags.iter().map(|f| f.spelling.as_str()).collect();
            assert_eq!(got, want, "{cmd}");
        }
    }
}
