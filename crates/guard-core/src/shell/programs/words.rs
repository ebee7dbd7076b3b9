//! Words built from words: joined (`eval a b`), split with shell quoting but no expansion
//! (`env -S`), with a known prefix cut off (`-c'code'`), or with a placeholder replaced (`{}`).

use crate::plan::{Part, Span, Value, Word};
use crate::shell::env::Env;
use crate::shell::expand;
use crate::shell::lexer::{self, Mode};
use crate::shell::vars::Vars;

/// A word without its first `n` known bytes (`-c'code'` → `code`).
pub(super) fn strip_word_prefix(w: &Word, n: usize) -> Word {
    match &w.value {
        Value::Literal(s) => Word::literal(s.get(n..).unwrap_or(""), w.span),
        Value::Dynamic(parts) => {
            let mut parts = parts.clone();
            if let Some(Part::Text(t)) = parts.first_mut() {
                *t = t.get(n..).unwrap_or("").to_string();
            }
            Word { value: Value::Dynamic(parts), glob: w.glob, span: w.span }
        }
    }
}

/// Join words with a separator into one word (for `eval a b`, `ssh host a b`, `watch a b`).
pub(crate) fn join_words(words: &[Word], sep: &str, span: Span) -> Word {
    let mut parts: Vec<Part> = Vec::new();
    for (i, w) in words.iter().enumerate() {
        if i > 0 {
            push_text(&mut parts, sep);
        }
        match &w.value {
            Value::Literal(s) => push_text(&mut parts, s),
            Value::Dynamic(ps) => {
                for p in ps {
                    match p {
                        Part::Text(t) => push_text(&mut parts, t),
                        u => parts.push(u.clone()),
                    }
                }
            }
        }
    }
    let value = match parts.as_slice() {
        [] => Value::Literal(String::new()),
        [Part::Text(t)] => Value::Literal(t.clone()),
        _ => Value::Dynamic(parts),
    };
    Word { value, glob: false, span }
}

fn push_text(parts: &mut Vec<Part>, s: &str) {
    match parts.last_mut() {
        Some(Part::Text(t)) => t.push_str(s),
        _ => parts.push(Part::Text(s.to_string())),
    }
}

/// `env -S 'a b c'` splits its string into words (with quotes) itself.
pub(super) fn split_string(w: &Word) -> Vec<Word> {
    let Some(text) = w.as_literal() else { return vec![w.clone()] };
    split_args(text, w.span)
}

/// Split text into words with shell-like quoting, without any expansions.
pub(crate) fn split_args(text: &str, span: Span) -> Vec<Word> {
    // `~` maps to itself: the words are taken as written, not expanded.
    let env = Env::new("~", ".");
    let vars = Vars::default();
    let mut out = Vec::new();
    for cmd in lexer::split_commands(text, 0, text.len()) {
        for (s, e) in cmd {
            let lexed = lexer::lex(text, s, e, Mode::Word, &[]);
            out.extend(expand::expand(lexed, &vars, &env, span, expand::SINGLE));
        }
    }
    out
}

/// Replace every occurrence of `pat` in a word's known text with `with`.
pub(super) fn replace_in_word(w: &Word, pat: &str, with: &Word) -> Word {
    let Some(text) = w.as_literal() else { return w.clone() };
    if pat.is_empty() || !text.contains(pat) {
        return w.clone();
    }
    let pieces: Vec<&str> = text.split(pat).collect();
    let mut words = Vec::new();
    for (i, p) in pieces.iter().enumerate() {
        if i > 0 {
            words.push(with.clone());
        }
        words.push(Word::literal(*p, w.span));
    }
    let mut joined = join_words(&words, "", w.span);
    joined.glob = w.glob;
    joined
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(words: &[Word]) -> Vec<String> {
        words.iter().map(Word::display).collect()
    }

    #[test]
    fn text_is_split_with_quotes_and_no_expansion() {
        for (text, want) in [
            ("a 'b c' \"d\"", vec!["a", "b c", "d"]), // Nothing is expanded: `~` stays a mark of its own, a variable unknown.
            ("~/x $HOME", vec!["‹~›/x", "‹$HOME›"]),
            ("a; b", vec!["a", "b"]),
        ] {
            assert_eq!(shown(&split_args(text, Span::default())), want, "{text}");
        }
    }

    #[test]
    fn words_are_joined_cut_and_replaced() {
        let s = Span::default();
        let dynamic = Word::unknown("$X", "set at run time", s);
        let joined = join_words(&[Word::literal("rm", s), dynamic.clone()], " ", s);
        assert_eq!(joined.display(), "rm ‹$X›");
        assert_eq!(strip_word_prefix(&Word::literal("-cCODE", s), 2).display(), "CODE");
        let replaced = replace_in_word(&Word::literal("{}.bak", s), "{}", &dynamic);
        assert_eq!(replaced.display(), "‹$X›.bak");
        assert_eq!(replace_in_word(&Word::literal("x", s), "{}", &dynamic).display(), "x");
    }
}
