//! Bash's word expansions, in bash's order, for what can be known statically: brace expansion,
//! tilde expansion, parameter expansion of known variables, field splitting of unquoted
//! expansion results, and noting (not performing) pathname globbing.

use super::env::Env;
use super::lexer::{Lexed, Piece};
use super::vars::{VarVal, Vars};
use crate::plan::{Part, Span, Value, Word};

/// Brace expansion may not produce more words than this from one word.
pub(crate) const MAX_BRACE_WORDS: usize = 4096;

#[derive(Debug, Clone, Copy)]
pub(crate) struct Opts {
    /// Command words get brace expansion and field splitting; assignment values do not.
    pub(crate) command_word: bool,
    /// Assignment values also expand `~` after each `:` (`PATH=~/bin:~/x`).
    pub(crate) assignment: bool,
}

pub(crate) const WORD: Opts = Opts { command_word: true, assignment: false };
pub(crate) const ASSIGNMENT: Opts = Opts { command_word: false, assignment: true };
pub(crate) const SINGLE: Opts = Opts { command_word: false, assignment: false };

/// Expand one lexed word into the argv words it produces.
pub(crate) fn expand(lexed: Lexed, vars: &Vars, env: &Env, span: Span, opts: Opts) -> Vec<Word> {
    let had_quotes = lexed.had_quotes;
    let alternatives = if opts.command_word { brace_expand(lexed.pieces) } else { vec![lexed.pieces] };
    let mut words = Vec::new();
    for pieces in alternatives {
        // Bash also expands `~` after `=` in arguments that look like assignments (`PREFIX=~/x`).
        let assignment_like = opts.command_word && looks_like_assignment(&pieces);
        let pieces = if assignment_like {
            tilde_after_equals(pieces, vars, env)
        } else {
            tilde_expand(pieces, vars, env, opts.assignment)
        };
        let pieces = resolve_vars(pieces, vars);
        if opts.command_word {
            for field in split_fields(pieces, vars.ifs()) {
                if field.is_empty() && !had_quotes {
                    continue;
                }
                words.push(build_word(&field, span));
            }
        } else {
            words.push(build_word(&pieces, span));
        }
    }
    if words.is_empty() && had_quotes {
        words.push(Word::literal("", span));
    }
    words
}

/// Expand a word that must stay one word (assignment values, redirect targets, heredoc text).
pub(crate) fn expand_single(lexed: Lexed, vars: &Vars, env: &Env, span: Span, opts: Opts) -> Word {
    let pieces = tilde_expand(lexed.pieces, vars, env, opts.assignment);
    build_word(&resolve_vars(pieces, vars), span)
}

fn is_active(p: &Piece, c: char) -> bool {
    matches!(p, Piece::Ch { c: x, quoted: false, expanded: false } if *x == c)
}

/// Bash brace expansion: `{a,b}`, nested braces, `{1..10..2}`, `{a..e}`, `{01..10}`.
pub(crate) fn brace_expand(pieces: Vec<Piece>) -> Vec<Vec<Piece>> {
    if !pieces.iter().any(|p| is_active(p, '{')) {
        return vec![pieces];
    }
    let mut out = Vec::new();
    let mut stack = vec![pieces];
    while let Some(cur) = stack.pop() {
        if out.len() + stack.len() >= MAX_BRACE_WORDS {
            out.push(cur);
            continue;
        }
        match find_brace(&cur) {
            Some((open, close, alts)) => {
                for alt in alts.into_iter().rev() {
                    let mut next = Vec::with_capacity(cur.len());
                    next.extend_from_slice(&cur[..open]);
                    next.extend(alt);
                    next.extend_from_slice(&cur[close + 1..]);
                    stack.push(next);
                }
            }
            None => out.push(cur),
        }
    }
    out
}

/// The first expandable brace group: its open and close index and the alternatives.
fn find_brace(p: &[Piece]) -> Option<(usize, usize, Vec<Vec<Piece>>)> {
    let mut i = 0;
    while i < p.len() {
        if !is_active(&p[i], '{') {
            i += 1;
            continue;
        }
        let mut depth = 0usize;
        let mut commas = Vec::new();
        let mut close = None;
        for (j, piece) in p.iter().enumerate().skip(i + 1) {
            if is_active(piece, '{') {
                depth += 1;
            } else if is_active(piece, '}') {
                if depth == 0 {
                    close = Some(j);
                    break;
                }
                depth -= 1;
            } else if depth == 0 && is_active(piece, ',') {
                commas.push(j);
            }
        }
        let close = close?;
        if !commas.is_empty() {
            let mut alts = Vec::new();
            let mut from = i + 1;
            for &c in commas.iter().chain(std::iter::once(&close)) {
                alts.push(p[from..c].to_vec());
                from = c + 1;
            }
            return Some((i, close, alts));
        }
        let inner: Option<String> = p[i + 1..close]
            .iter()
            .map(|x| match x {
                Piece::Ch { c, quoted: false, expanded: false } => Some(*c),
                _ => None,
            })
            .collect();
        if let Some(seq) = inner.as_deref().and_then(sequence) {
            let alts = seq.into_iter().map(|s| s.chars().map(|c| Piece::ch(c, true)).collect()).collect();
            return Some((i, close, alts));
        }
        i += 1;
    }
    None
}

/// `a..e`, `1..10`, `10..1..2`, `01..10`. None when not a valid sequence expression.
fn sequence(s: &str) -> Option<Vec<String>> {
    let parts: Vec<&str> = s.split("..").collect();
    if !(parts.len() == 2 || parts.len() == 3) {
        return None;
    }
    let step: i64 = match parts.get(2) {
        Some(x) => x.parse::<i64>().ok()?.checked_abs()?.max(1),
        None => 1,
    };
    if let (Ok(a), Ok(b)) = (parts[0].parse::<i64>(), parts[1].parse::<i64>()) {
        let width = if [parts[0], parts[1]]
            .iter()
            .any(|x| x.trim_start_matches('-').starts_with('0') && x.trim_start_matches('-').len() > 1)
        {
            parts[0].len().max(parts[1].len())
        } else {
            0
        };
        let count = (a.abs_diff(b) / step as u64) as usize + 1;
        if count > MAX_BRACE_WORDS {
            return None;
        }
        let mut v = Vec::with_capacity(count);
        let mut x = a;
        for _ in 0..count {
            v.push(if width > 0 { format!("{x:0width$}") } else { x.to_string() });
            x = if a <= b { x + step } else { x - step };
        }
        return Some(v);
    }
    let (mut ca, mut cb) = (parts[0].chars(), parts[1].chars());
    match (ca.next(), ca.next(), cb.next(), cb.next()) {
        (Some(a), None, Some(b), None) if a.is_ascii_alphabetic() && b.is_ascii_alphabetic() => {
            let (a, b) = (a as u8, b as u8);
            let mut v = Vec::new();
            let mut x = a as i64;
            let count = (a.abs_diff(b) as i64 / step) + 1;
            for _ in 0..count {
                v.push((x as u8 as char).to_string());
                x = if a <= b { x + step } else { x - step };
            }
            Some(v)
        }
        _ => None,
    }
}

/// `~`, `~/x`, `~user`, `~+`, `~-` at the start of a word (and after `:` in assignments).
fn tilde_expand(pieces: Vec<Piece>, vars: &Vars, env: &Env, after_colons: bool) -> Vec<Piece> {
    let has_tilde = pieces.iter().any(|p| is_active(p, '~'));
    if !has_tilde {
        return pieces;
    }
    let mut out = Vec::with_capacity(pieces.len() + 16);
    let mut i = 0;
    let mut at_start = true;
    while i < pieces.len() {
        if at_start && is_active(&pieces[i], '~') {
            // The prefix runs to the first unquoted `/` (or `:` in assignments).
            let mut j = i + 1;
            let mut name = String::new();
            let mut plain = true;
            while j < pieces.len() {
                match &pieces[j] {
                    Piece::Ch { c: '/', quoted: false, .. } => break,
                    Piece::Ch { c: ':', quoted: false, .. } if after_colons => break,
                    Piece::Ch { c, quoted: false, expanded: false } => name.push(*c),
                    _ => {
                        plain = false;
                        break;
                    }
                }
                j += 1;
            }
            let replacement: Option<Result<String, String>> = if !plain {
                None
            } else if name.is_empty() {
                Some(match vars.get("HOME") {
                    VarVal::Known(h) => Ok(h),
                    VarVal::Unknown { .. } => Err("~".to_string()),
                })
            } else if name == "+" {
                Some(vars.known("PWD").map(str::to_string).ok_or_else(|| "~+".to_string()))
            } else if name == "-" {
                Some(vars.known("OLDPWD").map(str::to_string).ok_or_else(|| "~-".to_string()))
            } else if super::lexer::is_name(&name) || name.chars().all(|c| c.is_alphanumeric() || "._-".contains(c)) {
                Some(env.user_homes.get(&name).cloned().ok_or_else(|| format!("~{name}")))
            } else {
                None
            };
            match replacement {
                Some(Ok(dir)) => {
                    // The result of tilde expansion is not split or globbed.
                    out.extend(dir.chars().map(|c| Piece::ch(c, true)));
                    i = j;
                }
                Some(Err(what)) => {
                    out.push(Piece::Unknown { what, why: "home directory not known to guard".into(), quoted: true });
                    i = j;
                }
                None => {
                    out.push(pieces[i].clone());
                    i += 1;
                }
            }
            at_start = false;
            continue;
        }
        at_start = after_colons && is_active(&pieces[i], ':');
        out.push(pieces[i].clone());
        i += 1;
    }
    out
}

fn resolve_vars(pieces: Vec<Piece>, vars: &Vars) -> Vec<Piece> {
    if !pieces.iter().any(|p| matches!(p, Piece::Var { .. })) {
        return pieces;
    }
    let mut out = Vec::with_capacity(pieces.len());
    for p in pieces {
        match p {
            Piece::Var { name, raw, quoted, op } => match (vars.get(&name), op) {
                (VarVal::Known(v), None) => out.extend(v.chars().map(|c| Piece::Ch { c, quoted, expanded: true })),
                (VarVal::Known(v), Some(op)) => match op.apply(&v) {
                    Some(r) => out.extend(r.chars().map(|c| Piece::Ch { c, quoted, expanded: true })),
                    None => out.push(Piece::Unknown {
                        what: raw,
                        why: "parameter expansion whose result depends on run time".into(),
                        quoted,
                    }),
                },
                (VarVal::Unknown { why, what }, None) => {
                    out.push(Piece::Unknown { what: what.unwrap_or(raw), why, quoted })
                }
                (VarVal::Unknown { why, .. }, Some(_)) => out.push(Piece::Unknown { what: raw, why, quoted }),
            },
            other => out.push(other),
        }
    }
    out
}

/// Split unquoted expansion results on IFS: runs of IFS whitespace separate fields, and each
/// other IFS character ends one (so `a,,b` with `IFS=,` gives `a`, ``, `b`).
fn split_fields(pieces: Vec<Piece>, ifs: &str) -> Vec<Vec<Piece>> {
    let is_ifs = |p: &Piece| matches!(p, Piece::Ch { c, quoted: false, expanded: true } if ifs.contains(*c));
    if !pieces.iter().any(is_ifs) {
        return vec![pieces];
    }
    let mut fields = Vec::new();
    let mut cur = Vec::new();
    let mut began = false;
    for p in pieces {
        match &p {
            Piece::Ch { c, .. } if is_ifs(&p) => {
                if c.is_whitespace() {
                    if began {
                        fields.push(std::mem::take(&mut cur));
                        began = false;
                    }
                } else {
                    fields.push(std::mem::take(&mut cur));
                    began = false;
                }
            }
            _ => {
                cur.push(p);
                began = true;
            }
        }
    }
    if began {
        fields.push(cur);
    }
    fields
}

fn looks_like_assignment(pieces: &[Piece]) -> bool {
    let mut name = String::new();
    for p in pieces {
        match p {
            Piece::Ch { c: '=', quoted: false, expanded: false } => return super::lexer::is_name(&name),
            Piece::Ch { c, quoted: false, expanded: false } if c.is_ascii_alphanumeric() || *c == '_' => name.push(*c),
            _ => return false,
        }
    }
    false
}

/// `NAME=~/x:~/y` as a command argument: expand each `~` after the `=` and after `:`.
fn tilde_after_equals(pieces: Vec<Piece>, vars: &Vars, env: &Env) -> Vec<Piece> {
    let eq = pieces.iter().position(|p| is_active(p, '=')).unwrap_or(0);
    let mut out: Vec<Piece> = pieces[..=eq].to_vec();
    out.extend(tilde_expand(pieces[eq + 1..].to_vec(), vars, env, true));
    out
}

fn build_word(pieces: &[Piece], span: Span) -> Word {
    let mut parts: Vec<Part> = Vec::new();
    let mut glob = false;
    for p in pieces {
        match p {
            Piece::Ch { c, quoted, .. } => {
                if !quoted && matches!(c, '*' | '?' | '[') {
                    glob = true;
                }
                match parts.last_mut() {
                    Some(Part::Text(t)) => t.push(*c),
                    _ => parts.push(Part::Text(c.to_string())),
                }
            }
            Piece::Unknown { what, why, .. } => {
                parts.push(Part::Unknown { what: what.clone(), why: (*why).to_string() })
            }
            Piece::Var { raw, .. } => {
                parts.push(Part::Unknown { what: raw.clone(), why: "unresolved variable".into() })
            }
        }
    }
    let value = match parts.as_slice() {
        [] => Value::Literal(String::new()),
        [Part::Text(t)] => Value::Literal(t.clone()),
        _ => Value::Dynamic(parts),
    };
    Word { value, glob, span }
}
