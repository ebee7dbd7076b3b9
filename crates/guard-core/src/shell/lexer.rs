//! Reads the raw text of one shell word the way bash does before expansion: quotes, backslashes,
//! `$'…'`, and where parameter expansions and substitutions sit. The grammar tells us where a
//! word starts and ends; the exact meaning of its characters is decided here, because the
//! grammar's own leaves keep escapes raw and sometimes fold whitespace into the wrong token.

use std::borrow::Cow;

/// One character (or unknowable run) of a word, before brace expansion and field splitting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Piece {
    /// A character. `quoted`: protected from brace/tilde/glob/splitting. `expanded`: came from
    /// a variable's value (so it is split and globbed when unquoted, but never brace-expanded).
    Ch { c: char, quoted: bool, expanded: bool },
    /// `$NAME` or `${NAME}` (or `${NAME` with an operator guard can compute `}`): resolved later
    /// against the variables known at that point.
    Var { name: String, raw: String, quoted: bool, op: Option<Op> },
    /// Only known at run time (`$(…)`, `$1`, `${x:-y}`, arithmetic).
    Unknown { what: String, why: Cow<'static, str>, quoted: bool },
}

/// A parameter expansion operator with literal operands, which can be computed on a known
/// value: `${x/pat/rep}`, `${x//pat/rep}`, `${x/#pat/rep}`, `${x/%pat/rep}`, `${x#pat}`,
/// `${x%pat}`, `${x^^}`, `${x,,}`, `${x:-word}`, `${x:+word}`, `${x:OFFSET:LENGTH}`. Patterns
/// hold no glob characters, so the shortest and longest match are the same.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Op {
    Replace {
        pat: String,
        rep: String,
        all: bool,
        anchor: Option<char>,
    },
    RemovePrefix(String),
    RemoveSuffix(String),
    Case {
        upper: bool,
        all: bool,
    },
    /// `${x:-word}` (`colon`) or `${x-word}`.
    Default {
        word: String,
        colon: bool,
    },
    /// `${x:+word}` (`colon`) or `${x+word}`.
    Alternate {
        word: String,
        colon: bool,
    },
    Substring {
        offset: usize,
        len: Option<usize>,
    },
}

impl Op {
    /// The result on a known value; `None` when it cannot be known (`${x-w}` of an empty `x`,
    /// which may be unset; case changes beyond ASCII, which depend on the locale).
    pub(crate) fn apply(&self, v: &str) -> Option<String> {
        Some(match self {
            Op::Replace { pat, rep, all, anchor } => match anchor {
                _ if pat.is_empty() => v.to_string(),
                Some('#') => match v.strip_prefix(pat.as_str()) {
                    Some(rest) => format!("{rep}{rest}"),
                    None => v.to_string(),
                },
                Some(_) => match v.strip_suffix(pat.as_str()) {
                    Some(rest) => format!("{rest}{rep}"),
                    None => v.to_string(),
                },
                None if *all => v.replace(pat.as_str(), rep),
                None => v.replacen(pat.as_str(), rep, 1),
            },
            Op::RemovePrefix(p) => v.strip_prefix(p.as_str()).unwrap_or(v).to_string(),
            Op::RemoveSuffix(p) => v.strip_suffix(p.as_str()).unwrap_or(v).to_string(),
            Op::Case { .. } if !v.is_ascii() => return None,
            Op::Case { upper, all } => {
                let (first, rest) = v.split_at(v.len().min(1));
                let conv = |t: &str| if *upper { t.to_ascii_uppercase() } else { t.to_ascii_lowercase() };
                if *all {
                    conv(v)
                } else {
                    format!("{}{rest}", conv(first))
                }
            }
            Op::Default { .. } | Op::Alternate { .. } if v.is_empty() && !self.colon() => return None,
            Op::Default { word, .. } => {
                if v.is_empty() {
                    word.clone()
                } else {
                    v.to_string()
                }
            }
            Op::Alternate { word, .. } => {
                if v.is_empty() {
                    String::new()
                } else {
                    word.clone()
                }
            }
            Op::Substring { offset, len } => {
                let rest = v.chars().skip(*offset);
                match len {
                    Some(n) => rest.take(*n).collect(),
                    None => rest.collect(),
                }
            }
        })
    }

    fn colon(&self) -> bool {
        matches!(self, Op::Default { colon: true, .. } | Op::Alternate { colon: true, .. })
    }

    /// `NAME` and the operator of the text inside `${…}`, when guard can compute it.
    fn parse(inner: &str) -> Option<(String, Op)> {
        let n = inner.bytes().take_while(|b| *b == b'_' || b.is_ascii_alphanumeric()).count();
        let (name, rest) = inner.split_at(n);
        if !is_name(name) {
            return None;
        }
        // Operands that expansions, quotes, globs, `~` or `&` (bash 5.2's matched text in a
        // replacement) would change are left to run time.
        let plain = |t: &str| !t.contains(|c: char| "$`\\'\"*?[]{}~&".contains(c));
        let replace = |r: &str, all: bool, anchor: Option<char>| {
            let (pat, rep) = r.split_once('/').unwrap_or((r, ""));
            (plain(pat) && plain(rep)).then(|| Op::Replace { pat: pat.into(), rep: rep.into(), all, anchor })
        };
        let word = |w: &str| plain(w).then(|| w.to_string());
        let op = if let Some(r) = rest.strip_prefix("//") {
            replace(r, true, None)
        } else if let Some(r) = rest.strip_prefix("/#") {
            replace(r, false, Some('#'))
        } else if let Some(r) = rest.strip_prefix("/%") {
            replace(r, false, Some('%'))
        } else if let Some(r) = rest.strip_prefix('/') {
            replace(r, false, None)
        } else if let Some(p) = rest.strip_prefix("##").or_else(|| rest.strip_prefix('#')) {
            word(p).map(Op::RemovePrefix)
        } else if let Some(p) = rest.strip_prefix("%%").or_else(|| rest.strip_prefix('%')) {
            word(p).map(Op::RemoveSuffix)
        } else if let Some(w) = rest.strip_prefix(":-") {
            word(w).map(|word| Op::Default { word, colon: true })
        } else if let Some(w) = rest.strip_prefix(":+") {
            word(w).map(|word| Op::Alternate { word, colon: true })
        } else if let Some(w) = rest.strip_prefix('-') {
            word(w).map(|word| Op::Default { word, colon: false })
        } else if let Some(w) = rest.strip_prefix('+') {
            word(w).map(|word| Op::Alternate { word, colon: false })
        } else if let Some(r) = rest.strip_prefix(':') {
            let (off, len) = match r.split_once(':') {
                Some((o, l)) => (o, Some(l)),
                None => (r, None),
            };
            let num =
                |t: &str| (!t.is_empty() && t.bytes().all(|b| b.is_ascii_digit())).then(|| t.parse().ok()).flatten();
            match (num(off), len.map(num)) {
                (Some(offset), None) => Some(Op::Substring { offset, len: None }),
                (Some(offset), Some(Some(n))) => Some(Op::Substring { offset, len: Some(n) }),
                _ => None,
            }
        } else {
            match rest {
                "^^" => Some(Op::Case { upper: true, all: true }),
                "^" => Some(Op::Case { upper: true, all: false }),
                ",," => Some(Op::Case { upper: false, all: true }),
                "," => Some(Op::Case { upper: false, all: false }),
                _ => None,
            }
        }?;
        Some((name.to_string(), op))
    }
}

impl Piece {
    pub(crate) fn ch(c: char, quoted: bool) -> Piece {
        Piece::Ch { c, quoted, expanded: false }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// A command word: all quoting applies.
    Word,
    /// An unquoted heredoc body: like double quotes, but `"` is an ordinary character.
    HeredocBody,
}

pub(crate) struct Lexed {
    pub(crate) pieces: Vec<Piece>,
    /// Any quoting at all (so `""` still makes an empty word).
    pub(crate) had_quotes: bool,
    /// Command substitutions (`$(…)`, backticks) found here that the grammar gave no node for
    /// (it misses backticks in heredoc bodies): `(start, end)` of the code inside.
    pub(crate) missed: Vec<(usize, usize)>,
}

/// Lex `src[start..end]`. `opaque` lists `(start, end)` of substitutions the grammar found
/// (sorted by start), so their ends need not be guessed.
pub(crate) fn lex(src: &str, start: usize, end: usize, mode: Mode, opaque: &[(usize, usize)]) -> Lexed {
    let mut lx = Lexer {
        src,
        bytes: src.as_bytes(),
        pos: start,
        end,
        opaque,
        out: Vec::new(),
        had_quotes: false,
        missed: Vec::new(),
    };
    match mode {
        Mode::Word => lx.word(),
        Mode::HeredocBody => lx.double(true),
    }
    Lexed { pieces: lx.out, had_quotes: lx.had_quotes, missed: lx.missed }
}

struct Lexer<'a> {
    src: &'a str,
    bytes: &'a [u8],
    pos: usize,
    end: usize,
    opaque: &'a [(usize, usize)],
    out: Vec<Piece>,
    had_quotes: bool,
    missed: Vec<(usize, usize)>,
}

impl<'a> Lexer<'a> {
    fn peek(&self) -> Option<char> {
        if self.pos >= self.end {
            return None;
        }
        self.src[self.pos..self.end].chars().next()
    }

    fn peek_at(&self, off: usize) -> Option<u8> {
        let p = self.pos + off;
        (p < self.end).then(|| self.bytes[p])
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    fn word(&mut self) {
        while let Some(c) = self.peek() {
            match c {
                '\\' => {
                    self.pos += 1;
                    match self.bump() {
                        Some('\n') => {}
                        Some(n) => self.out.push(Piece::ch(n, true)),
                        None => self.out.push(Piece::ch('\\', false)),
                    }
                }
                '\'' => {
                    self.had_quotes = true;
                    self.pos += 1;
                    while let Some(n) = self.bump() {
                        if n == '\'' {
                            break;
                        }
                        self.out.push(Piece::ch(n, true));
                    }
                }
                '"' => {
                    self.had_quotes = true;
                    self.pos += 1;
                    self.double(false);
                }
                '$' if self.peek_at(1) == Some(b'\'') => {
                    self.had_quotes = true;
                    self.pos += 2;
                    self.ansi_c();
                }
                '$' if self.peek_at(1) == Some(b'"') => {
                    self.had_quotes = true;
                    self.pos += 2;
                    self.double(false);
                }
                '$' => self.dollar(false),
                '`' => self.backtick(false),
                '<' | '>' if self.peek_at(1) == Some(b'(') => {
                    let start = self.pos;
                    let end = self.substitution_end(start, start + 2);
                    self.unknown(
                        start,
                        end,
                        "process substitution: a file whose contents are produced at run time",
                        false,
                    );
                }
                _ => {
                    self.pos += c.len_utf8();
                    self.out.push(Piece::ch(c, false));
                }
            }
        }
    }

    /// Inside `"…"` (or a heredoc body when `heredoc`), up to the closing quote.
    fn double(&mut self, heredoc: bool) {
        while let Some(c) = self.peek() {
            match c {
                '"' if !heredoc => {
                    self.pos += 1;
                    return;
                }
                '\\' => {
                    self.pos += 1;
                    match self.peek() {
                        Some('\n') => self.pos += 1,
                        Some(n @ ('$' | '`' | '\\')) => {
                            self.pos += 1;
                            self.out.push(Piece::ch(n, true));
                        }
                        Some('"') if !heredoc => {
                            self.pos += 1;
                            self.out.push(Piece::ch('"', true));
                        }
                        _ => self.out.push(Piece::ch('\\', true)),
                    }
                }
                '$' => self.dollar(true),
                '`' => self.backtick(true),
                _ => {
                    self.pos += c.len_utf8();
                    self.out.push(Piece::ch(c, true));
                }
            }
        }
    }

    /// `$'…'`: ANSI-C escapes, read as bytes the way bash does. The value ends at the first
    /// NUL; a value that is not text (a lone `\xff`) or depends on the locale (`\u00e9`) is
    /// unknown.
    fn ansi_c(&mut self) {
        let start = self.pos - 2;
        let mut buf: Vec<u8> = Vec::new();
        let mut sure = true;
        while let Some(c) = self.bump() {
            match c {
                '\'' => break,
                '\\' => {
                    let Some(e) = self.bump() else {
                        buf.push(b'\\');
                        break;
                    };
                    let simple = match e {
                        'a' => Some(0x07),
                        'b' => Some(0x08),
                        'e' | 'E' => Some(0x1b),
                        'f' => Some(0x0c),
                        'n' => Some(b'\n'),
                        'r' => Some(b'\r'),
                        't' => Some(b'\t'),
                        'v' => Some(0x0b),
                        '\\' | '\'' | '"' | '?' => Some(e as u8),
                        _ => None,
                    };
                    if let Some(b) = simple {
                        buf.push(b);
                        continue;
                    }
                    match e {
                        '0'..='7' => {
                            let mut v = e.to_digit(8).unwrap_or(0);
                            for _ in 0..2 {
                                match self.peek().and_then(|d| d.to_digit(8)) {
                                    Some(d) => {
                                        v = v * 8 + d;
                                        self.pos += 1;
                                    }
                                    None => break,
                                }
                            }
                            buf.push((v & 0xff) as u8);
                        }
                        'x' if self.peek() == Some('{') => {
                            // `\x{H…}`: every hex digit up to the `}`.
                            self.pos += 1;
                            let (v, n) = self.hex_digits(usize::MAX);
                            if self.peek() == Some('}') {
                                self.pos += 1;
                            }
                            sure &= n <= 6;
                            buf.push((v & 0xff) as u8);
                        }
                        'x' => match self.hex_digits(2) {
                            (_, 0) => buf.extend_from_slice(b"\\x"),
                            (v, _) => buf.push(v as u8),
                        },
                        'u' | 'U' => match self.hex_digits(if e == 'u' { 4 } else { 8 }) {
                            (_, 0) => {
                                buf.push(b'\\');
                                buf.push(e as u8);
                            }
                            (v, _) if v <= 0x7f => buf.push(v as u8),
                            // Written in the locale's encoding.
                            _ => sure = false,
                        },
                        'c' => match self.peek() {
                            None | Some('\'') => buf.extend_from_slice(b"\\c"),
                            Some(k) if k.is_ascii() => {
                                self.pos += 1;
                                if k == '\\' && self.peek() == Some('\\') {
                                    self.pos += 1;
                                }
                                buf.push(if k == '?' { 0x7f } else { (k.to_ascii_uppercase() as u8) & 0x1f });
                            }
                            Some(_) => sure = false,
                        },
                        other => {
                            buf.push(b'\\');
                            let mut tmp = [0u8; 4];
                            buf.extend_from_slice(other.encode_utf8(&mut tmp).as_bytes());
                        }
                    }
                }
                other => {
                    let mut tmp = [0u8; 4];
                    buf.extend_from_slice(other.encode_utf8(&mut tmp).as_bytes());
                }
            }
        }
        // bash's value is a C string: it ends at the first NUL.
        if let Some(nul) = buf.iter().position(|&b| b == 0) {
            buf.truncate(nul);
        }
        match String::from_utf8(buf) {
            Ok(text) if sure => self.out.extend(text.chars().map(|c| Piece::ch(c, true))),
            _ => self.out.push(Piece::Unknown {
                what: self.src[start..self.pos].to_string(),
                why: Cow::Borrowed("$'…' bytes that are not text, or a character written in the locale's encoding"),
                quoted: true,
            }),
        }
    }

    /// The value of a quoted `"$(…)"` (at `start..end`) that decodes a literal on the line
    /// (`"$(echo cm0gLXJmIH4= | base64 -d)"`): its output less trailing newlines. Other
    /// substitutions stay unknown.
    fn decoded_substitution(&self, start: usize, end: usize) -> Option<String> {
        let body = self.src.get(start + 2..end)?.strip_suffix(')')?;
        let (text, decoded) = crate::shell::programs::pipeline_text(body, crate::plan::Span::default())?;
        decoded?;
        Some(text.as_literal()?.trim_end_matches('\n').to_string())
    }

    /// Up to `max` hex digits: their value (saturating) and how many there were.
    fn hex_digits(&mut self, max: usize) -> (u32, usize) {
        let mut v: u32 = 0;
        let mut n = 0;
        while n < max {
            match self.peek().and_then(|d| d.to_digit(16)) {
                Some(d) => {
                    v = v.saturating_mul(16).saturating_add(d);
                    self.pos += 1;
                    n += 1;
                }
                None => break,
            }
        }
        (v, n)
    }

    fn dollar(&mut self, quoted: bool) {
        let start = self.pos;
        match self.peek_at(1) {
            Some(b'(') => {
                let arith = self.peek_at(2) == Some(b'(');
                let end = self.substitution_end(start, start + 2);
                if !arith && self.opaque_end(start).is_none() && end > start + 3 {
                    self.missed.push((start + 2, end - 1));
                }
                if quoted && !arith {
                    if let Some(text) = self.decoded_substitution(start, end) {
                        self.pos = end;
                        self.out.extend(text.chars().map(|c| Piece::ch(c, true)));
                        return;
                    }
                }
                let why = if arith {
                    "arithmetic result is computed at run time"
                } else {
                    "command substitution: output of a command run at run time"
                };
                self.unknown(start, end, why, quoted);
            }
            Some(b'{') => {
                let end = self.brace_end(start + 2);
                let closed = end > start + 2 && self.bytes[end - 1] == b'}';
                let inner = &self.src[start + 2..if closed { end - 1 } else { end }];
                if is_name(inner) {
                    self.pos = end;
                    self.out.push(Piece::Var {
                        name: inner.to_string(),
                        raw: self.src[start..end].to_string(),
                        quoted,
                        op: None,
                    });
                } else if let Some((name, op)) = Op::parse(inner).filter(|_| closed) {
                    self.pos = end;
                    self.out.push(Piece::Var { name, raw: self.src[start..end].to_string(), quoted, op: Some(op) });
                } else {
                    let why = if inner.chars().next().is_some_and(|c| c.is_ascii_digit() || "@*#?$!-".contains(c))
                        && inner.len() <= 2
                    {
                        "positional or special parameter, set at run time"
                    } else {
                        "parameter expansion with an operator is evaluated at run time"
                    };
                    self.unknown(start, end, why, quoted);
                }
            }
            Some(b) if b == b'_' || b.is_ascii_alphabetic() => {
                let mut p = start + 1;
                while p < self.end && (self.bytes[p] == b'_' || self.bytes[p].is_ascii_alphanumeric()) {
                    p += 1;
                }
                self.pos = p;
                self.out.push(Piece::Var {
                    name: self.src[start + 1..p].to_string(),
                    raw: self.src[start..p].to_string(),
                    quoted,
                    op: None,
                });
            }
            Some(b) if b.is_ascii_digit() || b"@*#?$!-".contains(&b) => {
                self.unknown(start, start + 2, "positional or special parameter, set at run time", quoted);
            }
            _ => {
                self.pos += 1;
                self.out.push(Piece::ch('$', quoted));
            }
        }
    }

    fn backtick(&mut self, quoted: bool) {
        let start = self.pos;
        let end = match self.opaque_end(start) {
            Some(e) => e,
            None => {
                let mut p = start + 1;
                while p < self.end && self.bytes[p] != b'`' {
                    p += if self.bytes[p] == b'\\' { 2 } else { 1 };
                }
                let end = (p + 1).min(self.end);
                if end > start + 2 {
                    self.missed.push((start + 1, end - 1));
                }
                end
            }
        };
        self.unknown(start, end, "command substitution: output of a command run at run time", quoted);
    }

    fn unknown(&mut self, start: usize, end: usize, why: &'static str, quoted: bool) {
        let end = end.clamp(start + 1, self.end);
        self.pos = end;
        self.out.push(Piece::Unknown { what: self.src[start..end].to_string(), why: Cow::Borrowed(why), quoted });
    }

    fn opaque_end(&self, start: usize) -> Option<usize> {
        let i = self.opaque.partition_point(|&(s, _)| s < start);
        self.opaque.get(i).filter(|&&(s, _)| s == start).map(|&(_, e)| e)
    }

    /// End (exclusive) of a `$(`/`<(` construct starting at `start`, whose body starts at `body`.
    fn substitution_end(&self, start: usize, body: usize) -> usize {
        self.opaque_end(start).unwrap_or_else(|| self.closing(body, b'(', b')'))
    }

    /// End (exclusive) of `${…}` whose body starts at `body`.
    fn brace_end(&self, body: usize) -> usize {
        self.closing(body, b'{', b'}')
    }

    /// Just past the `close` that balances an already-open `open`, skipping quoted text; the end
    /// of the word when there is none.
    fn closing(&self, body: usize, open: u8, close: u8) -> usize {
        let mut depth = 1usize;
        let mut p = body;
        while p < self.end {
            match self.bytes[p] {
                b'\\' => p += 1,
                b'\'' => p = skip_until(self.bytes, p + 1, self.end, b'\''),
                b'"' => p = skip_double(self.bytes, p + 1, self.end),
                b if b == open => depth += 1,
                b if b == close => {
                    depth -= 1;
                    if depth == 0 {
                        return p + 1;
                    }
                }
                _ => {}
            }
            p += 1;
        }
        self.end
    }
}

/// Index of the closing `quote` at or after `p` (or `end`).
fn skip_until(b: &[u8], mut p: usize, end: usize, quote: u8) -> usize {
    while p < end && b[p] != quote {
        p += 1;
    }
    p
}

fn skip_double(b: &[u8], mut p: usize, end: usize) -> usize {
    while p < end && b[p] != b'"' {
        if b[p] == b'\\' {
            p += 1;
        }
        p += 1;
    }
    p.min(end)
}

pub(crate) fn is_name(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c == '_' || c.is_ascii_alphabetic())
        && chars.all(|c| c == '_' || c.is_ascii_alphanumeric())
}

/// Split plain shell text into simple commands and their words, for text the grammar could not
/// structure (syntax-error regions) and for argument lists such as `xargs` input. Quotes and
/// substitutions are respected; control operators end a command. Returns byte ranges.
pub(crate) fn split_commands(src: &str, start: usize, end: usize) -> Vec<Vec<(usize, usize)>> {
    let b = src.as_bytes();
    let mut cmds: Vec<Vec<(usize, usize)>> = Vec::new();
    let mut cur: Vec<(usize, usize)> = Vec::new();
    let mut p = start;
    let flush = |cur: &mut Vec<(usize, usize)>, cmds: &mut Vec<Vec<(usize, usize)>>| {
        if !cur.is_empty() {
            cmds.push(std::mem::take(cur));
        }
    };
    while p < end {
        let c = b[p];
        match c {
            b' ' | b'\t' => p += 1,
            b'\n' | b';' | b'&' | b'|' | b'(' | b')' => {
                flush(&mut cur, &mut cmds);
                p += 1;
            }
            b'#' => {
                while p < end && b[p] != b'\n' {
                    p += 1;
                }
            }
            b'<' | b'>' if !(p + 1 < end && b[p + 1] == b'(') => {
                // A redirection: skip the operator and its target word.
                while p < end && matches!(b[p], b'<' | b'>' | b'&' | b'|') {
                    p += 1;
                }
                while p < end && matches!(b[p], b' ' | b'\t') {
                    p += 1;
                }
                p = word_end(b, p, end);
            }
            _ => {
                let s = p;
                p = word_end(b, p, end).max(s + 1);
                // A leading descriptor number belongs to a redirection (`2>file`).
                if p < end && matches!(b[p], b'<' | b'>') && b[s..p].iter().all(u8::is_ascii_digit) {
                    continue;
                }
                cur.push((s, p.max(s + 1).min(end)));
            }
        }
    }
    flush(&mut cur, &mut cmds);
    cmds
}

/// End of the unquoted word starting at `p`.
fn word_end(b: &[u8], mut p: usize, end: usize) -> usize {
    while p < end {
        match b[p] {
            b' ' | b'\t' | b'\n' | b';' | b'&' | b'|' | b')' => break,
            b'(' if p > 0 && matches!(b[p - 1], b'$' | b'<' | b'>') => {
                let mut depth = 1;
                p += 1;
                while p < end && depth > 0 {
                    match b[p] {
                        b'(' => depth += 1,
                        b')' => depth -= 1,
                        b'\\' => p += 1,
                        b'\'' => p = skip_until(b, p + 1, end, b'\''),
                        b'"' => p = skip_double(b, p + 1, end),
                        _ => {}
                    }
                    p += 1;
                }
                continue;
            }
            b'(' => break,
            b'<' | b'>' if !(p + 1 < end && b[p + 1] == b'(') => break,
            b'\\' => p += 1,
            b'\'' => p = skip_until(b, p + 1, end, b'\''),
            b'"' => p = skip_double(b, p + 1, end),
            b'`' => {
                p += 1;
                while p < end && b[p] != b'`' {
                    p += if b[p] == b'\\' { 2 } else { 1 };
                }
            }
            _ => {}
        }
        p += 1;
    }
    p.min(end)
}
