//! Interpreters given code: `python -c`, `perl -e`, `node -e`, `awk '…'`, a script file or
//! stdin. The code is recorded with its language; guard does not parse it.

use super::getopt::scan_spec;
use super::knowledge::{interpreter_options, Interpreter, INTERPRETERS};
use super::shells::{descriptor_code, names_descriptor, stdin_code, Here};
use super::words::join_words;
use super::{Chdir, Derived, Stdin, VarScope};
use crate::plan::{Code, CodeSource, Invocation, Word};

/// The interpreter language a program name stands for, if any (`python3.12` → python).
pub fn interpreter_language(name: &str) -> Option<&'static str> {
    let base = name.trim_end_matches(|c: char| c.is_ascii_digit() || c == '.');
    INTERPRETERS.iter().find(|(n, _)| *n == base).map(|(_, language)| *language)
}

pub(super) fn interpreter(
    name: &str,
    lang: &str,
    args: &[Word],
    stdin: &Stdin,
    inv: &Invocation,
    here: &Here,
) -> Vec<Derived> {
    let code_arg = |text: Word| {
        vec![Derived::Code {
            code: Code { language: lang.into(), source: CodeSource::Argument, text, read: None },
            parse: None,
            chdir: Chdir::Stay,
            decoded: None,
        }]
    };
    let file_arg = |text: Word| {
        vec![Derived::Code {
            code: Code { language: lang.into(), source: CodeSource::File, text, read: None },
            parse: None,
            chdir: Chdir::Stay,
            decoded: None,
        }]
    };
    let base = name.trim_end_matches(|c: char| c.is_ascii_digit() || c == '.');
    let Interpreter { options, code: code_opts } = interpreter_options(name, lang);
    if lang == "javascript" && base == "deno" {
        if args.first().and_then(|w| w.as_literal()) == Some("eval") {
            if let Some(code) = args.iter().skip(1).find(|a| !a.known_prefix().starts_with('-')) {
                return code_arg(code.clone());
            }
        }
        return Vec::new();
    }
    if lang == "go" {
        // Only `go run` runs code, the `.go` files it is given; other subcommands build or test.
        if args.first().and_then(|w| w.as_literal()) != Some("run") {
            return Vec::new();
        }
        return args[1..].iter().filter(|a| a.known_suffix().ends_with(".go")).cloned().flat_map(file_arg).collect();
    }
    // node's `-pe CODE` (and `-ep`, `-p -e CODE`) is print and eval of the one CODE.
    let joined: Vec<Word>;
    let args = if lang == "javascript" {
        let cluster = |t: &str| {
            t.len() > 2 && t.starts_with('-') && !t.starts_with("--") && t[1..].chars().all(|c| c == 'p' || c == 'e')
        };
        let mut out: Vec<Word> = Vec::with_capacity(args.len());
        for (i, a) in args.iter().enumerate() {
            let t = a.as_literal().unwrap_or("");
            let next = args.get(i + 1).and_then(|n| n.as_literal()).unwrap_or("");
            if matches!(t, "-p" | "--print") && (matches!(next, "-e" | "--eval") || cluster(next)) {
                continue;
            }
            out.push(if cluster(t) { Word::literal("-e", a.span) } else { a.clone() });
        }
        joined = out;
        joined.as_slice()
    } else {
        args
    };
    let s = scan_spec(args, options);
    let codes: Vec<Word> =
        s.opts.iter().filter(|(n, _)| code_opts.contains(&n.as_str())).filter_map(|(_, v)| v.clone()).collect();
    if !codes.is_empty() {
        return code_arg(join_words(&codes, "\n", codes[0].span));
    }
    if base == "R" {
        // R runs `-f FILE` or what it reads on stdin; `R CMD BATCH FILE` runs FILE, and other
        // `R CMD` tools run no script of their own.
        let mut files: Vec<Word> =
            s.opts.iter().filter(|(n, _)| n == "f" || n == "file").filter_map(|(_, v)| v.clone()).collect();
        match s.operand.map(|i| &args[i..]) {
            Some([cmd, batch, rest @ ..]) if cmd.as_literal() == Some("CMD") && batch.as_literal() == Some("BATCH") => {
                files.extend(rest.iter().find(|a| !a.known_prefix().starts_with('-')).cloned());
            }
            Some(_) => {}
            None if files.is_empty() => return stdin_code(lang, stdin, None),
            None => {}
        }
        return files.into_iter().flat_map(file_arg).collect();
    }
    if lang == "python" && s.has(&["m"]) {
        return Vec::new();
    }
    if lang == "awk" {
        if s.has(&["f", "file"]) {
            return s
                .opts
                .iter()
                .filter(|(n, _)| n == "f" || n == "file")
                .filter_map(|(_, v)| v.clone())
                .flat_map(file_arg)
                .collect();
        }
        return s.operand.map(|i| code_arg(args[i].clone())).unwrap_or_default();
    }
    match s.operand {
        // A script path naming a descriptor (`python3 /dev/stdin <<EOF`) is the code it holds.
        Some(i) if args[i].as_literal() == Some("-") => stdin_code(lang, stdin, None),
        Some(i) => match names_descriptor(&args[i], here) {
            Some(fd) => {
                let mut out = descriptor_code(name, lang, inv, fd, stdin, VarScope::Fresh);
                for d in &mut out {
                    if let Derived::Code { parse, .. } = d {
                        *parse = None;
                    }
                }
                out
            }
            None => file_arg(args[i].clone()),
        },
        None => stdin_code(lang, stdin, None),
    }
}

#[cfg(test)]
mod tests {
    use crate::shell::testing::code;

    #[test]
    fn code_is_recorded_with_its_language() {
        for (text, want) in [
            ("python3 -c 'import os'", vec!["python3 python Argument import os"]),
            ("python -m http.server", vec![]),
            ("perl -e 'unlink 1'", vec!["perl perl Argument unlink 1"]),
            ("awk -f prog.awk data", vec!["awk awk File prog.awk"]),
            ("awk '{print}' f", vec!["awk awk Argument {print}"]),
            ("node -e 'x()'", vec!["node javascript Argument x()"]),
            ("node -pe 'x()'", vec!["node javascript Argument x()"]),
            ("node -p -e 'x()'", vec!["node javascript Argument x()"]),
            ("deno eval 'x()'", vec!["deno javascript Argument x()"]),
            ("ruby script.rb", vec!["ruby ruby File script.rb"]),
            (
                "python3 - <<< 'print(1)'",
                vec![
                    "python3 python Stdin print(1)
",
                ],
            ),
            ("R -e 'unlink(1)'", vec!["R r Argument unlink(1)"]),
            ("R CMD build pkg", vec![]),
            ("go run main.go util.go", vec!["go go File main.go"]),
            ("go build ./...", vec![]),
            ("go run ./cmd/x", vec![]),
        ] {
            assert_eq!(code(text), want, "{text}");
        }
    }
}
