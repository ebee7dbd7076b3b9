//! What an expression in the code evaluates to, as far as guard can tell without running it:
//! known text, the home directory, an environment variable, or something only known at run
//! time. And how such a value is written as shell text.

use crate::plan::Part;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Piece {
    Text(String),
    /// The home directory of the user running the code (`Path.home()`, `os.homedir()`).
    Home,
    /// An environment variable's value.
    Env(String),
    /// Only known at run time; the expression as written.
    Unknown(String),
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct Val(pub(super) Vec<Piece>);

impl Val {
    pub(super) fn text(s: impl Into<String>) -> Val {
        Val(vec![Piece::Text(s.into())])
    }

    pub(super) fn unknown(what: &str) -> Val {
        Val(vec![Piece::Unknown(super::reader::clip(what))])
    }

    pub(super) fn env(name: &str) -> Val {
        if name == "HOME" {
            Val(vec![Piece::Home])
        } else {
            Val(vec![Piece::Env(name.to_string())])
        }
    }

    pub(super) fn push(&mut self, other: Val) {
        for p in other.0 {
            match (self.0.last_mut(), p) {
                (Some(Piece::Text(a)), Piece::Text(b)) => a.push_str(&b),
                (_, p) => self.0.push(p),
            }
        }
    }

    /// The value when it is all known text.
    pub(super) fn as_text(&self) -> Option<&str> {
        match self.0.as_slice() {
            [] => Some(""),
            [Piece::Text(t)] => Some(t),
            _ => None,
        }
    }

    /// How much text it holds.
    pub(super) fn size(&self) -> usize {
        self.0
            .iter()
            .map(|p| match p {
                Piece::Text(t) | Piece::Env(t) | Piece::Unknown(t) => t.len(),
                Piece::Home => 5,
            })
            .sum()
    }

    /// Nothing in it is only known at run time.
    pub(super) fn is_known(&self) -> bool {
        !self.0.iter().any(|p| matches!(p, Piece::Unknown(_)))
    }

    /// A path with `~` at its start taken as the home directory (`expanduser`, `glob`).
    pub(super) fn expand_tilde(self) -> Val {
        match self.0.first() {
            Some(Piece::Text(t)) if t == "~" || t.starts_with("~/") => {
                let mut out = Val(vec![Piece::Home]);
                let rest =
                    Val(std::iter::once(Piece::Text(t[1..].to_string())).chain(self.0[1..].iter().cloned()).collect());
                out.push(rest);
                out.0.retain(|p| !matches!(p, Piece::Text(t) if t.is_empty()));
                out
            }
            _ => self,
        }
    }

    /// Path components joined the way `os.path.join` does: an absolute component starts over.
    pub(super) fn join(parts: Vec<Val>) -> Val {
        let mut out = Val::default();
        for p in parts {
            let absolute = matches!(p.0.first(), Some(Piece::Home))
                || matches!(p.0.first(), Some(Piece::Text(t)) if t.starts_with('/'));
            if absolute {
                out = p;
                continue;
            }
            if !out.0.is_empty() && !matches!(out.0.last(), Some(Piece::Text(t)) if t.ends_with('/')) {
                out.push(Val::text("/"));
            }
            out.push(p);
        }
        out
    }

    /// As one shell word with exactly this value.
    pub(super) fn word(&self, why: &str, out: &mut Vec<Part>) {
        if self.0.is_empty() {
            push_text(out, "''");
        }
        for p in &self.0 {
            match p {
                Piece::Text(t) if t.is_empty() => push_text(out, "''"),
                Piece::Text(t) => quote_around_placeholders(t, out),
                Piece::Home => push_text(out, "\"$HOME\""),
                Piece::Env(name) => push_text(out, &format!("\"${{{name}}}\"")),
                Piece::Unknown(what) => {
                    push_text(out, "\"");
                    out.push(Part::Unknown { what: what.clone(), why: why.to_string() });
                    push_text(out, "\"");
                }
            }
        }
    }

    /// As shell text spliced in as is (a command string the code hands a shell).
    pub(super) fn raw(&self, why: &str, out: &mut Vec<Part>) {
        for p in &self.0 {
            match p {
                Piece::Text(t) => push_text(out, t),
                Piece::Home => push_text(out, "$HOME"),
                Piece::Env(name) => push_text(out, &format!("${{{name}}}")),
                Piece::Unknown(what) => out.push(Part::Unknown { what: what.clone(), why: why.to_string() }),
            }
        }
    }
}

/// Text as shell-quoted words, with the placeholders of unknown parts (see `read_parts`)
/// left outside the quotes, to be put back as the unknown parts they stand for.
fn quote_around_placeholders(t: &str, out: &mut Vec<Part>) {
    let mut rest = t;
    while let Some(at) = rest.find(super::PLACEHOLDER) {
        let after = &rest[at + super::PLACEHOLDER.len()..];
        let digits = after.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 || !after[digits..].starts_with("__") {
            break;
        }
        let end = at + super::PLACEHOLDER.len() + digits + 2;
        if at > 0 {
            push_text(out, &crate::shell::shell_quote(&rest[..at]));
        }
        push_text(out, &format!("\"{}\"", &rest[at..end]));
        rest = &rest[end..];
    }
    if !rest.is_empty() || t.is_empty() {
        push_text(out, &crate::shell::shell_quote(rest));
    }
}

pub(super) fn push_text(out: &mut Vec<Part>, s: &str) {
    match out.last_mut() {
        Some(Part::Text(t)) => t.push_str(s),
        _ => out.push(Part::Text(s.to_string())),
    }
}

/// Shell text: words separated by spaces.
pub(super) fn command(words: &[Val], why: &str) -> Vec<Part> {
    let mut out = Vec::new();
    for (i, w) in words.iter().enumerate() {
        if i > 0 {
            push_text(&mut out, " ");
        }
        w.word(why, &mut out);
    }
    out
}
