//! Commands built from input items: `xargs` (items from stdin or `-a FILE`, batched or put in
//! place of `-I`'s string) and GNU `parallel` (every combination of its `:::` sources).

use super::getopt::scan_spec;
use super::knowledge::{PARALLEL_VALUED, XARGS};
use super::words::{join_words, replace_in_word, split_args};
use super::{shell_code, Chdir, Derived, Stdin, VarScope};
use crate::plan::{Span, Value, Via, Word};

pub(super) fn xargs(args: &[Word], stdin: &Stdin, span: Span) -> Vec<Derived> {
    let s = scan_spec(args, &XARGS);
    let mut replace: Option<String> = s.value(&["I"]).and_then(|w| w.as_literal()).map(str::to_string);
    for (n, v) in &s.opts {
        if n == "i" || n == "replace" {
            replace = Some(v.as_ref().and_then(|w| w.as_literal()).unwrap_or("{}").to_string());
        }
    }
    let mut template: Vec<Word> = s.operand.map(|i| args[i..].to_vec()).unwrap_or_default();
    if template.is_empty() {
        template.push(Word::literal("echo", span));
    }
    // `-L N` (`-l`, `--max-lines`) runs the command once per N lines, each line's words its
    // arguments; otherwise each item is one argument.
    let by_lines = replace.is_none() && s.has(&["L", "l", "max-lines"]);
    let items: Result<Vec<String>, String> = if let Some(file) = s.value(&["a", "arg-file"]) {
        Err(format!("the file {}", file.display()))
    } else {
        match stdin {
            Stdin::Text { text: Word { value: Value::Literal(t), .. }, .. } => {
                if s.has(&["0", "null"]) {
                    Ok(t.split('\0').filter(|x| !x.is_empty()).map(str::to_string).collect())
                } else if let Some(d) = s.value(&["d", "delimiter"]).and_then(|w| w.as_literal()) {
                    let d = d.chars().next().unwrap_or('\n');
                    Ok(t.split(d).filter(|x| !x.is_empty()).map(str::to_string).collect())
                } else if replace.is_some() || s.has(&["L", "l"]) {
                    Ok(t.lines().map(str::trim).filter(|x| !x.is_empty()).map(str::to_string).collect())
                } else {
                    Ok(split_args(t, span).iter().map(|w| w.display()).collect())
                }
            }
            Stdin::Text { .. } => Err("partly dynamic text".into()),
            Stdin::From(what) => Err(what.clone()),
            Stdin::Inherited => Err("the caller's stdin".into()),
        }
    };
    let mut out = Vec::new();
    match (items, replace) {
        (Ok(items), Some(r)) => {
            for item in items.iter().take(64) {
                let argv =
                    template.iter().map(|w| replace_in_word(w, &r, &Word::literal(item.as_str(), span))).collect();
                out.push(Derived::Run { argv, via: Via::Xargs, assignments: Vec::new(), chdir: Chdir::Stay });
            }
        }
        (Ok(items), None) => {
            // `-n N` / `-L N` run the command once per batch of N items (or lines).
            let names: &[&str] = if by_lines { &["L", "l", "max-lines"] } else { &["n", "max-args"] };
            let batch = s
                .value(names)
                .and_then(|w| w.as_literal())
                .and_then(|n| n.parse::<usize>().ok())
                .filter(|&n| n > 0)
                .unwrap_or(if by_lines { 1 } else { usize::MAX });
            let units: Vec<Vec<Word>> = items
                .into_iter()
                .map(|i| if by_lines { split_args(&i, span) } else { vec![Word::literal(i, span)] })
                .collect();
            let batches: Vec<&[Vec<Word>]> =
                if units.is_empty() { vec![&[]] } else { units.chunks(batch.min(units.len())).collect() };
            for chunk in batches.into_iter().take(64) {
                let mut argv = template.clone();
                argv.extend(chunk.iter().flatten().cloned());
                out.push(Derived::Run { argv, via: Via::Xargs, assignments: Vec::new(), chdir: Chdir::Stay });
            }
        }
        (Err(from), Some(r)) => {
            let unknown = Word::unknown(r.clone(), format!("each item xargs reads from {from}"), span);
            let argv = template.iter().map(|w| replace_in_word(w, &r, &unknown)).collect();
            out.push(Derived::Run { argv, via: Via::Xargs, assignments: Vec::new(), chdir: Chdir::Stay });
        }
        (Err(from), None) => {
            let mut argv = template;
            argv.push(Word::unknown("…", format!("arguments xargs reads from {from}"), span));
            out.push(Derived::Run { argv, via: Via::Xargs, assignments: Vec::new(), chdir: Chdir::Stay });
        }
    }
    out
}

pub(super) fn parallel(args: &[Word], stdin: &Stdin, span: Span) -> Vec<Derived> {
    let mut i = 0;
    while i < args.len() {
        let t = args[i].known_prefix();
        if t.starts_with(":::") || !t.starts_with('-') || t == "-" {
            break;
        }
        i += if PARALLEL_VALUED.contains(&t) { 2 } else { 1 };
    }
    let mut template = Vec::new();
    while i < args.len() && !args[i].known_prefix().starts_with(":::") {
        template.push(args[i].clone());
        i += 1;
    }
    // Each `:::` starts an input source; parallel runs every combination of their values.
    let mut sources: Vec<Vec<Word>> = Vec::new();
    let mut dynamic_source: Option<String> = None;
    while i < args.len() {
        let sep = args[i].known_prefix().to_string();
        i += 1;
        let mut values = Vec::new();
        while i < args.len() && !args[i].known_prefix().starts_with(":::") {
            if sep.starts_with("::::") {
                dynamic_source = Some(format!("the file {}", args[i].display()));
            } else {
                values.push(args[i].clone());
            }
            i += 1;
        }
        if !values.is_empty() {
            sources.push(values);
        }
    }
    if sources.is_empty() && dynamic_source.is_none() {
        match stdin {
            Stdin::Text { text: Word { value: Value::Literal(t), .. }, .. } => {
                sources.push(t.lines().filter(|l| !l.is_empty()).map(|l| Word::literal(l, span)).collect())
            }
            Stdin::Text { .. } => dynamic_source = Some("partly dynamic text".into()),
            Stdin::From(w) => dynamic_source = Some(w.clone()),
            Stdin::Inherited => dynamic_source = Some("the caller's stdin".into()),
        }
    }
    if let Some(from) = dynamic_source {
        sources.push(vec![Word::unknown("{}", format!("each input parallel reads from {from}"), span)]);
    }
    let mut combos: Vec<Vec<Word>> = vec![Vec::new()];
    for source in &sources {
        let mut next = Vec::new();
        for c in &combos {
            for v in source {
                if next.len() >= 64 {
                    break;
                }
                let mut c = c.clone();
                c.push(v.clone());
                next.push(c);
            }
        }
        combos = next;
    }
    let mut out = Vec::new();
    for combo in combos.iter().filter(|c| !c.is_empty()) {
        let all = join_words(combo, " ", span);
        let line = if template.is_empty() {
            all
        } else {
            let mut positional = false;
            let mut words: Vec<Word> = template
                .iter()
                .map(|w| {
                    let mut w = w.clone();
                    for (k, v) in combo.iter().enumerate() {
                        let pat = format!("{{{}}}", k + 1);
                        if w.known_prefix().contains(&pat) {
                            positional = true;
                            w = replace_in_word(&w, &pat, v);
                        }
                    }
                    w
                })
                .collect();
            if words.iter().any(|w| w.known_prefix().contains("{}") || w.known_suffix().contains("{}")) {
                words = words.iter().map(|w| replace_in_word(w, "{}", &all)).collect();
            } else if !positional {
                words.push(all);
            }
            join_words(&words, " ", span)
        };
        out.extend(shell_code("sh", line, Via::Parallel, VarScope::Fresh));
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::shell::testing::runs;

    /// Items known from the previous stage are filled in; others are unknown.
    #[test]
    fn commands_are_built_from_input_items() {
        for (text, want) in [
            (r#"printf 'a\nb\n' | xargs rm"#, vec![r#"printf a\nb\n"#, "xargs rm", "rm a b @xargs"]),
            ("echo a b | xargs -n 1 rm", vec!["echo a b", "xargs -n 1 rm", "rm a @xargs", "rm b @xargs"]),
            (
                r#"printf 'a\n' | xargs -I{} rm {}.bak"#,
                vec![r#"printf a\n"#, "xargs -I{} rm {}.bak", "rm a.bak @xargs"],
            ),
            ("xargs -a list rm", vec!["xargs -a list rm", "rm ‹…› @xargs"]),
            ("echo a | xargs", vec!["echo a", "xargs", "echo a @xargs"]),
            ("parallel rm ::: a b", vec!["parallel rm ::: a b", "rm a @parallel", "rm b @parallel"]),
            (
                "parallel 'rm {1}{2}' ::: a b ::: x",
                vec!["parallel 'rm {1}{2}' ::: a b ::: x", "rm ax @parallel", "rm bx @parallel"],
            ),
            (r#"printf 'a\n' | parallel rm"#, vec![r#"printf a\n"#, "parallel rm", "rm a @parallel"]),
        ] {
            assert_eq!(runs(text), want, "{text}");
        }
    }
}
