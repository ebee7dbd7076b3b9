//! Reading a program's options the way getopt and getopt_long read them, from a [`Spec`] of
//! which options take a value: where the operands (the wrapped command) start, and each option
//! with its value.

use super::words::strip_word_prefix;
use crate::plan::Word;

/// Options scanned from an argv: `(name, value)` pairs and the index of the first operand.
pub(super) struct Scanned {
    pub(super) opts: Vec<(String, Option<Word>)>,
    pub(super) operand: Option<usize>,
}

impl Scanned {
    pub(super) fn has(&self, names: &[&str]) -> bool {
        self.opts.iter().any(|(n, _)| names.contains(&n.as_str()))
    }
    pub(super) fn value(&self, names: &[&str]) -> Option<&Word> {
        self.opts.iter().rev().find(|(n, _)| names.contains(&n.as_str())).and_then(|(_, v)| v.as_ref())
    }
}

/// What a program's options look like, for a getopt-style reading.
#[derive(Debug, Clone, Copy)]
pub(super) struct Spec<'a> {
    /// Short options that take a value, attached (`-uBOB`) or as the next word (`-u BOB`).
    pub(super) short_val: &'a str,
    /// Short options whose value is optional: only an attached one is theirs (`-w/dir`).
    pub(super) short_opt: &'a str,
    /// Long options that take a value (`--user=BOB`, `--user BOB`).
    pub(super) long_val: &'a [&'a str],
    /// Long options known to take no separate value (flags, and `--name[=VALUE]`). Needed only
    /// where one is also the start of a valued name (`--wd` and `--wdns`).
    pub(super) long_flag: &'a [&'a str],
}

impl Spec<'static> {
    /// No option takes a value.
    pub(super) const NONE: Spec<'static> = Spec { short_val: "", short_opt: "", long_val: &[], long_flag: &[] };
}

/// One step of a getopt-style reading.
pub(super) enum Step {
    /// The options in the word at the index (several in a cluster) and the index after them.
    Opts(Vec<(String, Option<Word>)>, usize),
    /// The first operand.
    Operand(usize),
    /// `--` at the index before this one; operands start here.
    DashDash(usize),
    End,
}

/// A long option as getopt_long reads it: an exact name, else an unambiguous start of a known
/// one (`--spl` is `--split-string`). A start of a valued name is taken as valued even when it
/// is ambiguous (the program then refuses to run, so nothing is hidden). Returns the name and
/// whether it takes a value.
fn long_name(spec: &Spec, given: &str) -> (String, bool) {
    if spec.long_val.contains(&given) {
        return (given.to_string(), true);
    }
    if spec.long_flag.contains(&given) {
        return (given.to_string(), false);
    }
    let vals: Vec<&&str> = spec.long_val.iter().filter(|n| !given.is_empty() && n.starts_with(given)).collect();
    let flags: Vec<&&str> = spec.long_flag.iter().filter(|n| !given.is_empty() && n.starts_with(given)).collect();
    match (vals.as_slice(), flags.as_slice()) {
        ([one], []) => (one.to_string(), true),
        ([_, ..], _) => (given.to_string(), true),
        ([], [one]) => (one.to_string(), false),
        _ => (given.to_string(), false),
    }
}

pub(super) fn step(args: &[Word], i: usize, spec: &Spec) -> Step {
    let Some(a) = args.get(i) else { return Step::End };
    let text = a.known_prefix();
    if a.as_literal() == Some("--") {
        return Step::DashDash(i + 1);
    }
    if let Some(long) = text.strip_prefix("--") {
        if let Some((name, _)) = long.split_once('=') {
            let (full, _) = long_name(spec, name);
            return Step::Opts(vec![(full, Some(strip_word_prefix(a, 2 + name.len() + 1)))], i + 1);
        }
        if a.is_dynamic() {
            // `--$X`: an option guard cannot name; its value, if any, is not taken.
            return Step::Opts(vec![(long.to_string(), None)], i + 1);
        }
        let (full, valued) = long_name(spec, long);
        return if valued {
            Step::Opts(vec![(full, args.get(i + 1).cloned())], i + 2)
        } else {
            Step::Opts(vec![(full, None)], i + 1)
        };
    }
    if text.len() > 1 && text.starts_with('-') {
        let cluster = &text[1..];
        let mut opts = Vec::new();
        let mut next = i + 1;
        for (k, ch) in cluster.char_indices() {
            let valued = spec.short_val.contains(ch);
            if valued || spec.short_opt.contains(ch) {
                let at = 1 + k + ch.len_utf8();
                let rest_empty = at >= text.len() && a.as_literal().is_some();
                let value = if rest_empty && valued {
                    next = i + 2;
                    args.get(i + 1).cloned()
                } else if rest_empty {
                    None
                } else if a.as_literal().is_some() {
                    Some(Word::literal(&text[at..], a.span))
                } else {
                    Some(strip_word_prefix(a, at))
                };
                opts.push((ch.to_string(), value));
                return Step::Opts(opts, next);
            }
            opts.push((ch.to_string(), None));
        }
        return Step::Opts(opts, next);
    }
    Step::Operand(i)
}

/// Getopt-style scan (options first, as with `+` in getopt's option string): every option
/// with its value, and the index of the first operand (after `--` if there is one).
pub(super) fn scan_spec(args: &[Word], spec: &Spec) -> Scanned {
    let mut opts = Vec::new();
    let mut i = 0;
    loop {
        match step(args, i, spec) {
            Step::Opts(o, next) => {
                opts.extend(o);
                i = next;
            }
            Step::Operand(k) => return Scanned { opts, operand: Some(k) },
            Step::DashDash(k) => return Scanned { opts, operand: (k < args.len()).then_some(k) },
            Step::End => return Scanned { opts, operand: None },
        }
    }
}

/// A GNU getopt reading that permutes (options may follow operands, up to `--`): every option,
/// and the index of every operand in order.
pub(super) fn permuted(args: &[Word], spec: &Spec) -> (Scanned, Vec<usize>) {
    let mut opts = Vec::new();
    let mut operands = Vec::new();
    let mut i = 0;
    loop {
        match step(args, i, spec) {
            Step::Opts(o, next) => {
                opts.extend(o);
                i = next;
            }
            Step::Operand(k) => {
                operands.push(k);
                i = k + 1;
            }
            Step::DashDash(k) => {
                operands.extend(k..args.len());
                break;
            }
            Step::End => break,
        }
    }
    (Scanned { opts, operand: None }, operands)
}

/// Options anywhere among the arguments (GNU getopt permutes): every `(name, value)` found.
pub(super) fn scan_all(args: &[Word], spec: &Spec) -> Scanned {
    permuted(args, spec).0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::Span;

    fn words(text: &str) -> Vec<Word> {
        text.split(' ').map(|w| Word::literal(w, Span::default())).collect()
    }

    /// Each option with its value, then where the operands start.
    fn read(text: &str, spec: &Spec, anywhere: bool) -> (Vec<String>, Option<usize>) {
        let args = words(text);
        let (s, operands) = if anywhere { permuted(&args, spec) } else { (scan_spec(&args, spec), Vec::new()) };
        let opts =
            s.opts.iter().map(|(n, v)| v.as_ref().map_or(n.clone(), |v| format!("{n}={}", v.display()))).collect();
        (opts, if anywhere { operands.first().copied() } else { s.operand })
    }

    #[test]
    fn options_are_read_as_getopt_reads_them() {
        const SPEC: Spec =
            Spec { short_val: "u", short_opt: "w", long_val: &["user", "wdns"], long_flag: &["wd", "login"] };
        for (text, opts, operand) in [
            ("-u bob rm x", vec!["u=bob"], Some(2)),
            ("-ubob rm", vec!["u=bob"], Some(1)),
            ("-iu bob rm", vec!["i", "u=bob"], Some(2)),
            ("--user=bob rm", vec!["user=bob"], Some(1)),
            ("--user bob rm", vec!["user=bob"], Some(2)),
            // An unambiguous start of a long option is that option.
            ("--us bob rm", vec!["user=bob"], Some(2)),
            ("--log rm", vec!["login"], Some(1)),
            // `--wd` is a flag of its own, not the start of `--wdns`.
            ("--wd rm", vec!["wd"], Some(1)),
            // A value that can only be attached is not the next word.
            ("-w rm", vec!["w"], Some(1)),
            ("-w/srv rm", vec!["w=/srv"], Some(1)),
            ("-- -u x", vec![], Some(1)),
            ("-u", vec!["u"], None),
        ] {
            assert_eq!(read(text, &SPEC, false), (opts.iter().map(|s| s.to_string()).collect(), operand), "{text}");
        }
    }

    #[test]
    fn a_permuting_reading_finds_options_after_operands() {
        const SPEC: Spec = Spec { short_val: "c", ..Spec::NONE };
        assert_eq!(read("bob -c x", &SPEC, true), (vec!["c=x".to_string()], Some(0)));
        assert_eq!(read("bob -c x", &SPEC, false), (vec![], Some(0)));
    }
}
