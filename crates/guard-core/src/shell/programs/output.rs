//! What `echo`, `printf` and `cat` of a heredoc print, when it is known exactly (for the next
//! pipeline stage's stdin and for `<(…)` scripts): bash's own escapes and a small printf,
//! anything else unknown rather than guessed.

use crate::plan::{Invocation, Word};

/// The exact stdout of a command that only prints its literal arguments: `echo`, `printf`,
/// and `cat` of a heredoc or here-string.
pub fn literal_output(inv: &Invocation, stdin: Option<&Word>) -> Option<Word> {
    let name = inv.program_name()?;
    let args: Option<Vec<&str>> = inv.args.iter().map(|a| a.as_literal()).collect();
    match name {
        "echo" => {
            let args = args?;
            let mut newline = true;
            let mut escapes = false;
            let mut k = 0;
            while k < args.len() {
                let a = args[k];
                if a.len() > 1 && a.starts_with('-') && a[1..].chars().all(|c| "neE".contains(c)) {
                    for c in a[1..].chars() {
                        match c {
                            'n' => newline = false,
                            'e' => escapes = true,
                            _ => escapes = false,
                        }
                    }
                    k += 1;
                } else {
                    break;
                }
            }
            let mut text = args[k..].join(" ");
            if escapes {
                let (t, stop) = backslash_escapes(&text)?;
                text = t;
                if stop {
                    newline = false;
                }
            } else if text.contains('\\') {
                // With `shopt -s xpg_echo` echo reads escapes unasked: which it is, is unknown.
                return None;
            }
            if newline {
                text.push('\n');
            }
            Some(Word::literal(text, inv.span))
        }
        "printf" => {
            let args = args?;
            let (fmt, rest) = args.split_first()?;
            if fmt.starts_with('-') {
                return None;
            }
            Some(Word::literal(printf(fmt, rest)?, inv.span))
        }
        "cat" => {
            if inv.args.iter().all(|a| a.as_literal() == Some("-")) {
                stdin.cloned()
            } else {
                None
            }
        }
        _ => None,
    }
}

/// `echo -e` / `printf %b` escapes (octal as `\0NNN`). Returns the text and whether `\c`
/// stopped output; `None` for what is not modelled here (`\u`, `\U`), rather than a guess.
fn backslash_escapes(s: &str) -> Option<(String, bool)> {
    escapes(s, false)
}

/// The escapes of printf's own format: octal as `\NNN` (one to three digits), not `\0NNN`.
fn format_escapes(s: &str) -> Option<String> {
    escapes(s, true).map(|(t, _)| t)
}

fn escapes(s: &str, format: bool) -> Option<(String, bool)> {
    let mut out = String::new();
    let mut chars = s.chars().peekable();
    let digits = |chars: &mut std::iter::Peekable<std::str::Chars>, radix: u32, max: usize| {
        let mut v = 0u32;
        let mut n = 0;
        while n < max {
            match chars.peek().and_then(|d| d.to_digit(radix)) {
                Some(d) => {
                    v = v * radix + d;
                    chars.next();
                    n += 1;
                }
                None => break,
            }
        }
        (v, n)
    };
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('a') => out.push('\x07'),
            Some('b') => out.push('\x08'),
            Some('e') | Some('E') => out.push('\x1b'),
            Some('f') => out.push('\x0c'),
            Some('v') => out.push('\x0b'),
            Some('\\') => out.push('\\'),
            Some('c') if !format => return Some((out, true)),
            Some('0') if !format => {
                let (v, _) = digits(&mut chars, 8, 3);
                out.push(char::from_u32(v).unwrap_or('\u{FFFD}'));
            }
            Some(d) if format && d.is_digit(8) => {
                let (rest, n) = digits(&mut chars, 8, 2);
                let v = d.to_digit(8).unwrap_or(0) * 8u32.pow(n as u32) + rest;
                out.push(char::from_u32(v).unwrap_or('\u{FFFD}'));
            }
            Some('x') => {
                let (v, n) = digits(&mut chars, 16, 2);
                if n == 0 {
                    out.push_str("\\x");
                } else {
                    out.push(char::from_u32(v).unwrap_or('\u{FFFD}'));
                }
            }
            // Unicode escapes and anything else bash might read its own way: not guessed at.
            Some('u') | Some('U') => return None,
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    Some((out, false))
}

/// A small printf: `%s`, `%b`, `%c`, `%d`/`%i` of a plain number and `%%`, with the format
/// reused while arguments remain. Anything else (widths, precisions, flags, other
/// conversions) gives `None`: output guard cannot be sure of is unknown, never a guess.
pub(super) fn printf(fmt: &str, args: &[&str]) -> Option<String> {
    let fmt = format_escapes(fmt)?;
    let mut out = String::new();
    let mut idx = 0;
    loop {
        let mut consumed = false;
        let mut chars = fmt.chars();
        while let Some(c) = chars.next() {
            if c != '%' {
                out.push(c);
                continue;
            }
            match chars.next()? {
                '%' => out.push('%'),
                conv => {
                    let arg = args.get(idx).copied().unwrap_or("");
                    idx += 1;
                    consumed = true;
                    match conv {
                        's' => out.push_str(arg),
                        'b' => {
                            let (t, stop) = backslash_escapes(arg)?;
                            out.push_str(&t);
                            if stop {
                                return Some(out);
                            }
                        }
                        'c' => out.extend(arg.chars().next()),
                        'd' | 'i' if arg.is_empty() => out.push('0'),
                        'd' | 'i' => out.push_str(&arg.parse::<i64>().ok()?.to_string()),
                        _ => return None,
                    }
                }
            }
        }
        if !consumed || idx >= args.len() {
            break;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use crate::shell::testing::code;

    /// Output guard cannot be sure of is left unknown, never guessed.
    #[test]
    fn what_echo_printf_and_cat_print_is_the_next_stages_stdin() {
        for (text, want) in [
            (
                "echo hi | sh",
                vec![
                    "sh sh Stdin hi
",
                ],
            ),
            (
                r#"printf 'rm %s\n' x | sh"#,
                vec![
                    "sh sh Stdin rm x
",
                ],
            ),
            ("echo -n 'rm x' | sh", vec!["sh sh Stdin rm x"]),
            ("printf '%5s' x | sh", vec!["sh sh Stdin ‹the output of `printf %5s x`›"]),
            (
                "cat <<< 'rm x' | sh",
                vec![
                    "sh sh Stdin rm x
",
                ],
            ),
        ] {
            assert_eq!(code(text), want, "{text}");
        }
    }
}
