//! What an invocation does to files: from program knowledge (`effects:` in `programs:`, data,
//! not code) and from its redirections. Rules match these (`effect:`) instead of naming each
//! program that can write, delete or move a file.

use super::cmdline::{Cmdline, FlagValue, ProgramDb};
use super::programs::EffectSpec;
use crate::plan::{Invocation, RedirectOp, Word};

/// The kinds of effect, as rules and program knowledge spell them.
pub(crate) const KINDS: &[&str] = &["read", "write", "tree", "delete", "move", "link", "chmod"];
/// Which operands an effect concerns.
pub(crate) const ON: &[&str] = &["operands", "last", "all_but_last", "first", "after_first"];

/// One thing done to one file.
#[derive(Debug, Clone)]
pub(crate) struct Effect<'a> {
    pub(crate) kind: &'a str,
    /// The word naming the file.
    pub(crate) word: &'a Word,
    /// The file's name when it is only part of the word (`of=FILE`, `--output=FILE`).
    pub(crate) text: Option<String>,
}

/// Every effect of `inv` read as `cmd`.
pub(crate) fn of<'a>(inv: &'a Invocation, cmd: &Cmdline<'a>, db: &'a ProgramDb) -> Vec<Effect<'a>> {
    let mut out = Vec::new();
    for r in &inv.redirects {
        let kind = match r.op {
            RedirectOp::Heredoc | RedirectOp::HereString => continue,
            RedirectOp::DupOut | RedirectOp::DupIn
                if r.target.as_literal().is_some_and(|t| t.chars().all(|c| c.is_ascii_digit() || c == '-')) =>
            {
                continue
            }
            op if op.writes() => "write",
            _ => "read",
        };
        out.push(Effect { kind, word: &r.target, text: None });
    }
    let Some(spec) = db.get(&cmd.name) else { return out };
    let program = Some(cmd.name.as_str());
    let given = |name: &String| cmd.has_flag(&db.spellings(program, name)).is_some();
    let operands: Vec<&Word> = cmd.positionals.to_vec();
    for e in spec.effects.iter().filter(|e| applies(e, &given)) {
        let kind = KINDS.iter().find(|k| **k == e.kind).copied().unwrap_or("write");
        let n = operands.len();
        let picked: &[&Word] = match e.on.as_deref() {
            Some("operands") => &operands,
            Some("last") => operands.get(n.saturating_sub(1)..).unwrap_or(&[]),
            Some("all_but_last") => &operands[..n.saturating_sub(1)],
            Some("first") => operands.get(..1.min(n)).unwrap_or(&[]),
            Some("after_first") => operands.get(1..).unwrap_or(&[]),
            _ => &[],
        };
        out.extend(picked.iter().map(|w| Effect { kind, word: w, text: None }));
        if !e.option.is_empty() {
            for f in
                cmd.flags.iter().filter(|f| e.option.iter().any(|o| db.spellings(program, o).contains(&f.spelling)))
            {
                match &f.value {
                    Some(FlagValue::Word(w)) => out.push(Effect { kind, word: w, text: None }),
                    Some(FlagValue::Attached(t)) => out.push(Effect { kind, word: f.word, text: Some(t.clone()) }),
                    None => {}
                }
            }
        }
        if let Some(place) = &e.at {
            out.push(Effect { kind, word: &inv.program, text: Some(place.clone()) });
        }
        if let Some(prefix) = &e.prefix {
            // Any word, option or operand: `of=FILE` (dd), `-oDIR` (7z).
            for w in &inv.args {
                if let Some(rest) = w.as_literal().and_then(|t| t.strip_prefix(prefix.as_str())) {
                    out.push(Effect { kind, word: w, text: Some(rest.to_string()) });
                }
            }
        }
    }
    out
}

/// Every flag in `when` is given and none in `unless` (each a spelling or a named flag).
fn applies(e: &EffectSpec, given: &dyn Fn(&String) -> bool) -> bool {
    e.when.iter().all(given) && !e.unless.iter().any(given)
}

/// Problems in one program's effects, for lint.
pub(crate) fn problems(program: &str, effects: &[EffectSpec]) -> Vec<String> {
    let mut out = Vec::new();
    for e in effects {
        if !KINDS.contains(&e.kind.as_str()) {
            out.push(format!("{program}: unknown effect kind `{}` (known: {})", e.kind, KINDS.join(", ")));
        }
        if let Some(on) = e.on.as_deref().filter(|o| !ON.contains(o)) {
            out.push(format!("{program}: unknown `on: {on}` (known: {})", ON.join(", ")));
        }
        if e.on.is_none() && e.option.is_empty() && e.prefix.is_none() && e.at.is_none() {
            out.push(format!("{program}: an effect of kind `{}` needs `on`, `option`, `prefix` or `at`", e.kind));
        }
        if let Some(at) = e.at.as_deref().filter(|a| !matches!(*a, "." | "/")) {
            out.push(format!("{program}: `at: {at}` is not `.` or `/`"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shell::{analyze, Env};

    fn effects(cmd: &str) -> Vec<String> {
        let policy = crate::testdata::policy();
        let plan = analyze(cmd, &Env::new("/home/u", "/w"));
        let inv = &plan.invocations[0];
        let line = Cmdline::parse(inv, &policy.db);
        of(inv, &line, &policy.db)
            .iter()
            .map(|e| format!("{} {}", e.kind, e.text.clone().unwrap_or_else(|| e.word.display())))
            .collect()
    }

    #[test]
    fn programs_and_redirections_say_what_they_do_to_which_file() {
        let table: &[(&str, &[&str])] = &[
            ("rm -rf a b", &["delete a", "delete b"]),
            ("cp -r src dst", &["read src", "write dst", "tree dst"]),
            ("cp -l a b", &["read a", "write b", "link a", "link b"]),
            ("cp -t dir a b", &["read a", "read b", "write dir"]),
            ("cp --target-directory=dir a", &["read a", "write dir"]),
            ("mv a b", &["move a", "move b"]),
            ("ln -sf /dev/null log", &["link /dev/null", "link log"]),
            ("tee -a x y", &["write x", "write y"]),
            ("sed -i 's/a/b/' f g", &["write f", "write g"]),
            ("sed -i.bak -e 's/a/b/' f", &["write f"]),
            ("sed --in-place=.bak -f script.sed f", &["write f"]),
            ("sed 's/a/b/' f", &[]),
            ("sed -e 's/a/b/' f", &[]),
            ("perl -pi -e 's/a/b/' f", &["write f"]),
            ("perl -e 'print 1' f", &[]),
            ("chmod -R 700 d", &["chmod 700", "chmod d"]),
            ("chmod -x f", &["chmod f"]),
            ("chown --reference=r a", &["chmod a"]),
            ("dd if=/dev/zero of=disk.img", &["read /dev/zero", "write disk.img"]),
            ("curl -o out.html https://x", &["write out.html"]),
            ("tar -xzf a.tgz -C dest", &["tree dest", "read a.tgz"]),
            ("tar xzf a.tgz -C dest", &["tree dest", "read a.tgz"]),
            ("gzip log", &["delete log"]),
            ("gzip -c log", &[]),
            ("find d -name x -delete", &["delete d"]),
            ("sort -o out in", &["write out"]),
            ("tar xf a.tar", &["tree .", "read a.tar"]),
            ("tar -xPf a.tar", &["tree .", "tree /", "read a.tar"]),
            ("unzip a.zip", &["tree .", "read a.zip"]),
            ("curl --output-dir d -o f https://x", &["write f", "tree d"]),
            ("7z x a.7z -oout", &["tree out"]),
            ("tar -czf out.tgz src", &["write out.tgz"]),
            ("truncate -s 0 log", &["write log"]),
            ("echo x > a 2>&1 >> b < c", &["write a", "write b", "read c"]),
            ("git status", &[]),
        ];
        for (cmd, want) in table {
            assert_eq!(effects(cmd), *want, "{cmd}");
        }
    }
}
