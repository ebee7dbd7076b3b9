//! What `echo`, `printf` and `cat` of a heredoc print, when it is known exactly (for the next
//! pipeline stage's stdin and for `<(…)` scripts): bash's own escapes and a small printf,
//! anything else unknown rather than guessed. Output is built as bytes, the way the builtins
//! write it; output that is not text (invalid UTF-8, a NUL) is unknown.

use super::decoders;
use super::words::split_args;
use crate::plan::{Invocation, Span, Word};
use crate::shell::lexer;

/// The output of `body`, the code of a substitution (`<(…)`, `$(…)`), when it is one simple
/// command or a pipeline of them that print literal text and decode it (`echo … | base64
/// -d`), with the decoding commands when there are any (`base64 -d`). Anything else (other
/// operators, redirections, expansions, nested substitutions) is unknown.
pub(crate) fn pipeline_text(body: &str, span: Span) -> Option<(Word, Option<String>)> {
    if body.contains(['>', '<', '`']) || body.contains("$(") {
        return None;
    }
    let commands = lexer::split_commands(body, 0, body.len());
    // Only `|` may stand between the commands, and nothing around them.
    let mut at = 0;
    for (k, cmd) in commands.iter().enumerate() {
        let (start, end) = (cmd.first()?.0, cmd.last()?.1);
        let gap = body[at..start].trim();
        if gap != if k == 0 { "" } else { "|" } {
            return None;
        }
        at = end;
    }
    if !body[at..].trim().is_empty() || commands.len() > 16 {
        return None;
    }
    let mut text: Option<Word> = None;
    let mut decoded: Option<String> = None;
    for cmd in &commands {
        let (start, end) = (cmd.first()?.0, cmd.last()?.1);
        let words = split_args(&body[start..end], span);
        let (program, args) = words.split_first()?;
        let inv = Invocation {
            id: 0,
            program: program.clone(),
            args: args.to_vec(),
            assignments: Vec::new(),
            redirects: Vec::new(),
            span,
            via: Vec::new(),
            depth: 0,
            parent: None,
            pipeline: None,
            code: None,
            calls_function: false,
            cwd: None,
            cwd_alternatives: Vec::new(),
            cwd_unknown: false,
        };
        text = Some(literal_output(&inv, text.as_ref())?);
        if decodes(&inv) {
            let d = inv.display();
            decoded = Some(match decoded {
                Some(up) => format!("{up} | {d}"),
                None => d,
            });
        }
    }
    let text = text?;
    shell_text(&text).then_some((text, decoded))
}

/// The exact stdout of a command that only prints its literal arguments (`echo`, `printf`,
/// `cat` of a heredoc or here-string), or decodes its known stdin (`base64 -d`, `xxd -r -p`,
/// `rev`, `tr`, …; see [`decoders`]).
pub fn literal_output(inv: &Invocation, stdin: Option<&Word>) -> Option<Word> {
    let name = inv.program_name()?;
    let args: Option<Vec<&str>> = inv.args.iter().map(|a| a.as_literal()).collect();
    let bytes = match name {
        "echo" => echo(&args?)?,
        "printf" => {
            let args = args?;
            let args = match args.first() {
                Some(&"--") => &args[1..],
                _ => &args[..],
            };
            let (fmt, rest) = args.split_first()?;
            if fmt.starts_with('-') {
                return None;
            }
            printf_bytes(fmt, rest)?
        }
        "cat" if inv.args.iter().all(|a| a.as_literal() == Some("-")) => stdin?.as_literal()?.as_bytes().to_vec(),
        _ => {
            let step = decoders::step(name, &args?)?;
            decoders::run(&step, stdin?.as_literal()?.as_bytes())?
        }
    };
    Some(Word::literal(text(bytes)?, inv.span))
}

/// Whether `inv` decodes its stdin (so text it passes on was decoded on the line).
pub(crate) fn decodes(inv: &Invocation) -> bool {
    let args: Option<Vec<&str>> = inv.args.iter().map(|a| a.as_literal()).collect();
    matches!((inv.program_name(), args), (Some(name), Some(args)) if decoders::step(name, &args).is_some())
}

/// Bytes that are text: valid UTF-8. (A NUL is kept for `xargs -0`; a shell is not given
/// text with one, see [`shell_text`].)
fn text(bytes: Vec<u8>) -> Option<String> {
    String::from_utf8(bytes).ok()
}

/// Text a shell reads as guard reads it: shells drop or stop at a NUL, each its own way.
pub(crate) fn shell_text(w: &Word) -> bool {
    !w.display().contains('\0')
}

/// bash's `echo`: options while every word is `-` and only `n`, `e`, `E`; `-e` escapes.
fn echo(args: &[&str]) -> Option<Vec<u8>> {
    let mut newline = true;
    // `None`: neither `-e` nor `-E` was given, so `shopt -s xpg_echo` decides.
    let mut escapes: Option<bool> = None;
    let mut k = 0;
    while let Some(a) = args.get(k) {
        if a.len() > 1 && a.starts_with('-') && a[1..].chars().all(|c| "neE".contains(c)) {
            for c in a[1..].chars() {
                match c {
                    'n' => newline = false,
                    'e' => escapes = Some(true),
                    _ => escapes = Some(false),
                }
            }
            k += 1;
        } else {
            break;
        }
    }
    let joined = args[k..].join(" ");
    let mut out = Vec::new();
    match escapes {
        Some(true) => {
            if expand(joined.as_bytes(), Escapes::Echo, &mut out)? {
                return Some(out);
            }
        }
        // With `shopt -s xpg_echo` echo reads escapes unasked: which it is, is unknown.
        None if joined.contains('\\') => return None,
        _ => out.extend_from_slice(joined.as_bytes()),
    }
    if newline {
        out.push(b'\n');
    }
    Some(out)
}

/// Which of bash's three readings of backslash escapes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Escapes {
    /// printf's format: `\NNN` (one to three octal digits), `\'` `\"` `\?` lose the backslash,
    /// `\c` is not an escape.
    Format,
    /// printf's `%b` argument: `\0NNN` or `\NNN`, `\c` stops all output.
    B,
    /// `echo -e`: like `%b`, but octal only as `\0NNN`.
    Echo,
}

/// The escape at `s[0]` (just after a backslash): appends what it prints and returns how many
/// bytes it used, or `Err(())` for `\c` (stop). `None` when the result depends on something
/// guard cannot see (a `\u` past ASCII depends on the locale). An escape bash does not know
/// prints the backslash and uses nothing, so the next byte is read as usual.
fn escape(s: &[u8], mode: Escapes, out: &mut Vec<u8>) -> Option<Result<usize, ()>> {
    let Some(&c) = s.first() else {
        out.push(b'\\');
        return Some(Ok(0));
    };
    let simple = match c {
        b'a' => Some(0x07),
        b'b' => Some(0x08),
        b'e' | b'E' => Some(0x1b),
        b'f' => Some(0x0c),
        b'n' => Some(b'\n'),
        b'r' => Some(b'\r'),
        b't' => Some(b'\t'),
        b'v' => Some(0x0b),
        b'\\' => Some(b'\\'),
        b'\'' | b'"' | b'?' if mode == Escapes::Format => Some(c),
        _ => None,
    };
    if let Some(b) = simple {
        out.push(b);
        return Some(Ok(1));
    }
    let digits = |radix: u32, max: usize| {
        let mut v = 0u32;
        let mut n = 0;
        while n < max {
            match s.get(1 + n).and_then(|d| (*d as char).to_digit(radix)) {
                Some(d) => {
                    v = v * radix + d;
                    n += 1;
                }
                None => break,
            }
        }
        (v, n)
    };
    match c {
        // `echo -e` takes octal only as `\0NNN`.
        b'1'..=b'7' if mode == Escapes::Echo => {
            out.push(b'\\');
            Some(Ok(0))
        }
        b'0'..=b'7' => {
            // After a leading 0, `%b` and `echo -e` take up to three more digits (`\0NNN`).
            let more = if c == b'0' && mode != Escapes::Format { 3 } else { 2 };
            let mut v = u32::from(c - b'0');
            let mut n = 0;
            while n < more {
                match s.get(1 + n) {
                    Some(d @ b'0'..=b'7') => {
                        v = v * 8 + u32::from(d - b'0');
                        n += 1;
                    }
                    _ => break,
                }
            }
            out.push((v & 0xff) as u8);
            Some(Ok(1 + n))
        }
        b'x' => {
            let (v, n) = digits(16, 2);
            if n == 0 {
                out.push(b'\\');
                return Some(Ok(0));
            }
            out.push(v as u8);
            Some(Ok(1 + n))
        }
        b'u' | b'U' => {
            let (v, n) = digits(16, if c == b'u' { 4 } else { 8 });
            if n == 0 {
                out.push(b'\\');
                return Some(Ok(0));
            }
            // Past ASCII the character is written in the locale's encoding.
            if v > 0x7f {
                return None;
            }
            out.push(v as u8);
            Some(Ok(1 + n))
        }
        b'c' if mode != Escapes::Format => Some(Err(())),
        _ => {
            out.push(b'\\');
            Some(Ok(0))
        }
    }
}

/// Expand the escapes of `s` (for `%b` or `echo -e`) into `out`; `true` when `\c` stopped it.
fn expand(s: &[u8], mode: Escapes, out: &mut Vec<u8>) -> Option<bool> {
    let mut i = 0;
    while i < s.len() {
        if s[i] != b'\\' {
            out.push(s[i]);
            i += 1;
            continue;
        }
        match escape(&s[i + 1..], mode, out)? {
            Ok(n) => i += 1 + n,
            Err(()) => return Some(true),
        }
    }
    Some(false)
}

/// `%q` of words bash prints unquoted: letters, digits and `_./:=@%+-`; `''` for empty.
/// Anything else bash quotes its own way, which is not modelled.
fn shell_quote(arg: &str) -> Option<String> {
    if arg.is_empty() {
        return Some("''".into());
    }
    arg.bytes().all(|b| b.is_ascii_alphanumeric() || b"_./:=@%+-".contains(&b)).then(|| arg.to_string())
}

/// A `%d` argument bash reads as this decimal number: an optional sign and digits with no
/// leading zero (`010` is octal, `0x10` hex, `'a` a character code: not modelled); empty is 0.
fn integer(arg: &str) -> Option<i64> {
    if arg.is_empty() {
        return Some(0);
    }
    let digits = arg.strip_prefix(['-', '+']).unwrap_or(arg);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) || (digits.len() > 1 && digits.starts_with('0'))
    {
        return None;
    }
    arg.parse().ok()
}

/// A small printf: `%s`, `%b`, `%c`, `%q` of plain words, `%d`/`%i` of a plain number and
/// `%%`, with the format's escapes read where they stand and the format reused while
/// arguments remain. Anything else (widths, precisions, flags, other conversions) gives
/// `None`: output guard cannot be sure of is unknown, never a guess.
fn printf_bytes(fmt: &str, args: &[&str]) -> Option<Vec<u8>> {
    let fmt = fmt.as_bytes();
    let mut out = Vec::new();
    let mut idx = 0;
    loop {
        let mut consumed = false;
        let mut i = 0;
        while i < fmt.len() {
            match fmt[i] {
                b'\\' => match escape(&fmt[i + 1..], Escapes::Format, &mut out)? {
                    Ok(n) => i += 1 + n,
                    Err(()) => return None,
                },
                b'%' => {
                    let conv = *fmt.get(i + 1)?;
                    i += 2;
                    if conv == b'%' {
                        out.push(b'%');
                        continue;
                    }
                    let arg = args.get(idx).copied();
                    idx += 1;
                    consumed = true;
                    let a = arg.unwrap_or("");
                    match conv {
                        b's' => out.extend_from_slice(a.as_bytes()),
                        b'b' => {
                            if expand(a.as_bytes(), Escapes::B, &mut out)? {
                                return Some(out);
                            }
                        }
                        // The first byte; an empty or missing argument prints a NUL.
                        b'c' if a.is_ascii() => out.push(a.bytes().next().unwrap_or(0)),
                        b'd' | b'i' => out.extend_from_slice(integer(a)?.to_string().as_bytes()),
                        b'q' if arg.is_some() => out.extend_from_slice(shell_quote(a)?.as_bytes()),
                        _ => return None,
                    }
                }
                b => {
                    out.push(b);
                    i += 1;
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

#[cfg(test)]
mod decoded {
    use crate::shell::testing::{plan, runs};

    /// A literal decoded on the line and read by a shell is read as the code it decodes to,
    /// one level deeper, reached through the decoding; what is not literal, not text, or not
    /// read by a shell stays as it was.
    #[test]
    fn decoded_literals_are_read_as_the_code_they_decode_to() {
        let rm = "rm -rf /home/u";
        for (text, want, depths) in [
            (
                "echo cm0gLXJmIH4= | base64 -d | sh",
                vec!["echo cm0gLXJmIH4=", "base64 -d", "sh", &format!("{rm} @piped into sh > decoded by base64 -d")],
                vec![0, 0, 0, 1],
            ),
            (
                "echo ZWNobyBoaQ== | base64 -d | sh",
                vec!["echo ZWNobyBoaQ==", "base64 -d", "sh", "echo hi @piped into sh > decoded by base64 -d"],
                vec![0, 0, 0, 1],
            ),
            (
                "base64 -d <<< cm0gLXJmIH4= | bash",
                vec!["base64 -d", "bash", &format!("{rm} @piped into bash > decoded by base64 -d")],
                vec![0, 0, 1],
            ),
            (
                "echo 726d202d7266207e | xxd -r -p | bash -s",
                vec![
                    "echo 726d202d7266207e",
                    "xxd -r -p",
                    "bash -s",
                    &format!("{rm} @piped into bash > decoded by xxd -r -p"),
                ],
                vec![0, 0, 0, 1],
            ),
            (
                "echo '~ fr- mr' | rev | sh",
                vec!["echo '~ fr- mr'", "rev", "sh", &format!("{rm} @piped into sh > decoded by rev")],
                vec![0, 0, 0, 1],
            ),
            (
                "echo 'ez -es ~' | tr A-Za-z N-ZA-Mn-za-m | sh",
                vec![
                    "echo 'ez -es ~'",
                    "tr A-Za-z N-ZA-Mn-za-m",
                    "sh",
                    &format!("{rm} @piped into sh > decoded by tr A-Za-z N-ZA-Mn-za-m"),
                ],
                vec![0, 0, 0, 1],
            ),
            (
                "echo =4HImJXLg0mc | rev | base64 -d | sh",
                vec![
                    "echo =4HImJXLg0mc",
                    "rev",
                    "base64 -d",
                    "sh",
                    &format!("{rm} @piped into sh > decoded by rev | base64 -d"),
                ],
                vec![0, 0, 0, 0, 1],
            ),
            (
                "echo cm0gLXJmIH4= | openssl enc -d -base64 | sh",
                vec![
                    "echo cm0gLXJmIH4=",
                    "openssl enc -d -base64",
                    "sh",
                    &format!("{rm} @piped into sh > decoded by openssl enc -d -base64"),
                ],
                vec![0, 0, 0, 1],
            ),
            (
                "echo cm0gLXJmIH4 | base64 -d | sh",
                vec!["echo cm0gLXJmIH4", "base64 -d", "sh", &format!("{rm} @piped into sh > decoded by base64 -d")],
                vec![0, 0, 0, 1],
            ),
            // printf's own octal is not a decoder, but is read as bash reads it.
            (
                "printf '%b' '\\162\\155 -rf \\176' | sh",
                vec!["printf %b '\\162\\155 -rf \\176'", "sh", &format!("{rm} @piped into sh")],
                vec![0, 0, 1],
            ),
            (
                "bash -c \"$(echo cm0gLXJmIH4= | base64 -d)\"",
                vec!["bash -c 'rm -rf ~'", &format!("{rm} @bash -c"), "echo cm0gLXJmIH4= @$(…)", "base64 -d @$(…)"],
                vec![0, 1, 0, 0],
            ),
            (
                "eval \"$(echo cm0gLXJmIH4= | base64 -d)\"",
                vec!["eval 'rm -rf ~'", &format!("{rm} @eval"), "echo cm0gLXJmIH4= @$(…)", "base64 -d @$(…)"],
                vec![0, 1, 0, 0],
            ),
            (
                "sh <(echo cm0gLXJmIH4= | base64 -d)",
                vec![
                    "sh '‹<(echo cm0gLXJmIH4= | base64 -d)›'",
                    &format!("{rm} @sh -c > decoded by base64 -d"),
                    "echo cm0gLXJmIH4= @<(…)",
                    "base64 -d @<(…)",
                ],
                vec![0, 1, 0, 0],
            ),
            (
                ". <(echo cm0gLXJmIH4= | base64 -d)",
                vec![
                    ". '‹<(echo cm0gLXJmIH4= | base64 -d)›'",
                    &format!("{rm} @source > decoded by base64 -d"),
                    "echo cm0gLXJmIH4= @<(…)",
                    "base64 -d @<(…)",
                ],
                vec![0, 1, 0, 0],
            ),
            // Not text (a byte that is not UTF-8, a NUL), not literal, not on the line, or
            // not read by a shell: nothing more is read.
            ("echo '//8=' | base64 -d | sh", vec!["echo //8=", "base64 -d", "sh"], vec![0, 0, 0]),
            ("echo AA== | base64 -d | sh", vec!["echo AA==", "base64 -d", "sh"], vec![0, 0, 0]),
            ("echo \"$P\" | base64 -d | sh", vec!["echo ‹$P›", "base64 -d", "sh"], vec![0, 0, 0]),
            ("base64 -d payload.b64 | sh", vec!["base64 -d payload.b64", "sh"], vec![0, 0]),
            // Unquoted, the output is split into words: not the code decoded.
            (
                "bash -c $(echo cm0gLXJmIH4= | base64 -d)",
                vec![
                    "bash -c '‹$(echo cm0gLXJmIH4= | base64 -d)›'",
                    "'‹$(echo cm0gLXJmIH4= | base64 -d)›' @bash -c",
                    "echo cm0gLXJmIH4= @$(…)",
                    "base64 -d @$(…)",
                ],
                vec![0, 1, 0, 0],
            ),
            ("echo aGVsbG8= | base64 -d", vec!["echo aGVsbG8=", "base64 -d"], vec![0, 0]),
            ("base64 -d f.b64 > out.bin", vec!["base64 -d f.b64"], vec![0]),
        ] {
            assert_eq!(runs(text), want, "{text}");
            let got: Vec<u32> = plan(text).invocations.iter().map(|i| i.depth).collect();
            assert_eq!(got, depths, "{text}");
        }
    }
}
