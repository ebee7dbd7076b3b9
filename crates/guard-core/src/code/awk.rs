//! awk programs, scanned from their own text: `system(…)`, `"cmd" | getline`, `print … | "cmd"`
//! and `|&` hand commands to `/bin/sh`; `print … > "file"` writes a file.

use super::value::{command, Val};
use super::{Effect, Reading};

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Str(String),
    Word(String),
    Punct(String),
}

fn tokens(text: &str) -> Vec<(Tok, usize, usize)> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let start = i;
        if c.is_ascii_whitespace() {
            i += 1;
        } else if c == b'#' {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
        } else if c == b'"' {
            i += 1;
            let mut s = String::new();
            while i < b.len() && b[i] != b'"' {
                if b[i] == b'\\' && i + 1 < b.len() {
                    match b[i + 1] {
                        b'n' => s.push('\n'),
                        b't' => s.push('\t'),
                        b'"' => s.push('"'),
                        b'\\' => s.push('\\'),
                        b'/' => s.push('/'),
                        b'0'..=b'7' => {
                            let d: String =
                                text[i + 1..].chars().take(3).take_while(|c| ('0'..='7').contains(c)).collect();
                            if let Some(ch) = u32::from_str_radix(&d, 8).ok().and_then(char::from_u32) {
                                s.push(ch);
                            }
                            i += 1 + d.len();
                            continue;
                        }
                        b'x' => {
                            let d: String = text[i + 2..].chars().take(2).take_while(char::is_ascii_hexdigit).collect();
                            match u32::from_str_radix(&d, 16).ok().and_then(char::from_u32) {
                                Some(ch) => s.push(ch),
                                None => s.push_str("\\x"),
                            }
                            i += 2 + d.len();
                            continue;
                        }
                        _ => {
                            let next = text[i + 1..].chars().next().unwrap_or('\\');
                            s.push('\\');
                            s.push(next);
                            i += 1 + next.len_utf8();
                            continue;
                        }
                    }
                    i += 2;
                    continue;
                }
                let ch = text[i..].chars().next().unwrap_or(' ');
                s.push(ch);
                i += ch.len_utf8();
            }
            i = (i + 1).min(b.len());
            out.push((Tok::Str(s), start, i));
        } else if c.is_ascii_alphanumeric() || c == b'_' || c == b'$' {
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_' || b[i] == b'$') {
                i += 1;
            }
            out.push((Tok::Word(text[start..i].to_string()), start, i));
        } else {
            let two = text.get(i..i + 2).unwrap_or("");
            let one = text[i..].chars().next().map_or(1, char::len_utf8);
            let p = if matches!(two, "|&" | "||" | ">>" | "&&" | "==" | "!=" | ">=" | "<=") {
                two
            } else {
                &text[i..i + one]
            };
            i += p.len();
            out.push((Tok::Punct(p.to_string()), start, i));
        }
    }
    out
}

/// An expression of string literals and other terms, concatenated (awk has no operator for it).
fn expr(toks: &[(Tok, usize, usize)], text: &str) -> Val {
    let mut v = Val::default();
    let mut i = 0;
    while i < toks.len() {
        let (t, s, e) = &toks[i];
        match (t, toks.get(i + 1).map(|x| &x.0), toks.get(i + 2).map(|x| &x.0), toks.get(i + 3).map(|x| &x.0)) {
            // `ENVIRON["HOME"]`.
            (Tok::Word(w), Some(Tok::Punct(o)), Some(Tok::Str(name)), Some(Tok::Punct(c)))
                if w == "ENVIRON" && o == "[" && c == "]" =>
            {
                v.push(Val::env(name));
                i += 4;
                continue;
            }
            (Tok::Str(s), ..) => v.push(Val::text(s.clone())),
            _ => v.push(Val::unknown(&text[*s..*e])),
        }
        i += 1;
    }
    v
}

pub(super) fn read(text: &str) -> Reading {
    let toks = tokens(text);
    let mut reading = Reading { complete: true, ..Reading::default() };
    let why = "computed by the awk program";
    let shell = |v: Val, call: &str, reading: &mut Reading| {
        if !v.is_known() && v.0.iter().all(|p| matches!(p, super::value::Piece::Unknown(_))) {
            reading.complete = false;
        }
        let mut out = Vec::new();
        v.raw(why, &mut out);
        reading.effects.push(Effect { shell: out, call: super::reader::clip(call) });
    };
    let mut in_print = false;
    let mut i = 0;
    while i < toks.len() {
        let (t, s, _) = &toks[i];
        match t {
            Tok::Word(w) if w == "print" || w == "printf" => in_print = true,
            Tok::Punct(p) if p == ";" || p == "}" || p == "{" || p == "\n" => in_print = false,
            Tok::Word(w) if w == "system" && matches!(toks.get(i + 1), Some((Tok::Punct(p), _, _)) if p == "(") => {
                // The argument runs to the matching `)`.
                let mut depth = 0;
                let mut j = i + 1;
                while j < toks.len() {
                    match &toks[j].0 {
                        Tok::Punct(p) if p == "(" => depth += 1,
                        Tok::Punct(p) if p == ")" => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                    j += 1;
                }
                let inner = &toks[i + 2..j.min(toks.len())];
                let end = toks.get(j).map(|t| t.2).unwrap_or(text.len());
                shell(expr(inner, text), &text[*s..end], &mut reading);
                i = j;
            }
            Tok::Punct(p) if p == "|" || p == "|&" => {
                // `"cmd" | getline`: the command is what comes before; `print … | "cmd"`: after.
                if matches!(toks.get(i + 1), Some((Tok::Word(w), _, _)) if w == "getline") {
                    let mut j = i;
                    while j > 0
                        && matches!(toks[j - 1].0, Tok::Str(_) | Tok::Word(_))
                        && !matches!(&toks[j - 1].0, Tok::Word(w) if w == "print" || w == "printf")
                    {
                        j -= 1;
                    }
                    if j < i {
                        let start = toks[j].1;
                        shell(expr(&toks[j..i], text), &text[start..toks[i + 1].2], &mut reading);
                    }
                } else if in_print || p == "|&" {
                    let mut j = i + 1;
                    while j < toks.len() && matches!(toks[j].0, Tok::Str(_) | Tok::Word(_)) {
                        j += 1;
                    }
                    if j > i + 1 {
                        let end = toks[j - 1].2;
                        shell(expr(&toks[i + 1..j], text), &text[*s..end], &mut reading);
                    }
                }
            }
            Tok::Punct(p) if in_print && (p == ">" || p == ">>") => {
                // The file is the expression up to the end of the statement (or a pipe).
                let mut j = i + 1;
                while j < toks.len()
                    && !matches!(&toks[j].0, Tok::Punct(q) if matches!(q.as_str(), ";" | "}" | "|" | "|&"))
                {
                    j += 1;
                }
                if j > i + 1 {
                    // Written as the shell writes a file: `true > PATH`.
                    let path = expr(&toks[i + 1..j], text);
                    let mut out = command(&[Val::text("true")], why);
                    super::value::push_text(&mut out, if p == ">>" { " >> " } else { " > " });
                    path.word(why, &mut out);
                    let end = toks[j - 1].2;
                    reading.effects.push(Effect { shell: out, call: super::reader::clip(&text[*s..end]) });
                }
            }
            _ => {}
        }
        i += 1;
    }
    reading
}
