//! Text from outside guard made safe to put in front of a person: a command an agent sent, a
//! request file, a name. A terminal acts on some characters (escape sequences move the cursor
//! and rewrite lines, `CR` returns to the line's start, bidirectional overrides reorder what is
//! shown), so text could show one thing and be another; here every such character is written
//! out instead.

/// Characters a terminal acts on, or that change how the text around them looks, rather than
/// being shown as themselves: C0 and C1 control characters and DEL (`ESC` starts the sequences
/// that move the cursor, erase lines and set titles; `CR` goes back to the start of the line;
/// `U+009B` is a one-character `ESC [`), bidirectional embeddings, overrides and isolates,
/// zero-width and other invisible characters, and line and paragraph separators.
pub fn terminal_acts_on(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{ad}'
                | '\u{34f}'
                | '\u{61c}'
                | '\u{115f}'
                | '\u{1160}'
                | '\u{17b4}'
                | '\u{17b5}'
                | '\u{180b}'..='\u{180f}'
                | '\u{200b}'..='\u{200f}'
                | '\u{2028}'..='\u{202e}'
                | '\u{2060}'..='\u{206f}'
                | '\u{3164}'
                | '\u{feff}'
                | '\u{ffa0}'
                | '\u{fff9}'..='\u{fffb}'
                | '\u{1d173}'..='\u{1d17a}'
                | '\u{e0000}'..='\u{e0fff}'
        )
}

/// `c` as the prompt and the approval commands show it: itself, unless a terminal would act on
/// it (see [`terminal_acts_on`]); then written out, `\r`, `\t`, `\x1b`, `\u{202e}`, and a line break as `⏎`.
pub fn push_visible(out: &mut String, c: char) {
    use std::fmt::Write as _;
    match c {
        '\n' => out.push('⏎'),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        c if !terminal_acts_on(c) => out.push(c),
        c if (c as u32) < 0x80 => {
            let _ = write!(out, "\\x{:02x}", c as u32);
        }
        c => {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        }
    }
}

/// Text from outside guard — a request file, a command to judge, a name — as it may be put in
/// front of a person: on one line, every character a terminal would act on written out (see
/// [`push_visible`]), and at most `max` characters, with a note of how many more there were.
/// Every field of a request is shown through this, wherever it is shown.
pub fn shown(text: &str, max: usize) -> String {
    let mut out = String::new();
    let mut count = 0;
    let mut piece = String::new();
    for (i, c) in text.char_indices() {
        piece.clear();
        push_visible(&mut piece, c);
        let n = piece.chars().count();
        if count + n > max {
            let left = text[i..].chars().count();
            out.push_str(&format!("… ({left} more character{})", if left == 1 { "" } else { "s" }));
            return out;
        }
        count += n;
        out.push_str(&piece);
    }
    out
}

/// JSON text with every character a terminal would act on (see [`terminal_acts_on`]) written as a `\u`
/// escape, which JSON parsers read back as the same character: `serde_json` escapes C0 controls
/// only, and leaves DEL, C1 controls and bidirectional overrides raw. Such characters can only
/// be inside strings, so escaping them keeps the JSON valid and its values the same.
pub fn inert_json(json: &str) -> String {
    use std::fmt::Write as _;
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        if terminal_acts_on(c) && !matches!(c, '\n' | '\r' | '\t') {
            for unit in c.encode_utf16(&mut [0; 2]) {
                let _ = write!(out, "\\u{unit:04x}");
            }
        } else {
            out.push(c);
        }
    }
    out
}
