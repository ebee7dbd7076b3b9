//! Code in other languages read for what it would do to the machine. Python, JavaScript,
//! Ruby, Perl, PHP and Lua are parsed with their tree-sitter grammars (each loaded only when
//! code in that language is met); awk programs are scanned from their own text. What the code
//! does (the commands it starts, the files it deletes, writes, moves, opens to others or reads,
//! copies of itself forked without end) is rendered as the shell command that does the same,
//! so the whole policy judges it as if it had been typed.

mod awk;
mod calls;
mod grammar;
mod reader;
mod value;

use std::time::Instant;

use crate::plan::Part;

/// What a piece of code was found to do.
#[derive(Debug, Default)]
pub(crate) struct Reading {
    /// Its effects, in the order they appear in the code.
    pub(crate) effects: Vec<Effect>,
    /// The whole code was read: it parsed, and nothing in it decides at run time what is
    /// called (`getattr`, `eval` of a computed string, `send`, a function held in a variable).
    pub(crate) complete: bool,
    /// It forks copies of itself in a loop that never ends, and never waits for them.
    pub(crate) forks_without_end: bool,
    /// It chooses at run time what it calls, or hands a function that runs commands or
    /// deletes files to other code (`getattr(os, name)`, `map(os.system, …)`, `send(:system)`).
    pub(crate) chooses: bool,
    /// More was found than is listed (effects past the limit, a syntax tree too big or too
    /// deep, the deadline): what the code does is not all known.
    pub(crate) truncated: bool,
}

/// One thing the code does, as shell text that does the same.
#[derive(Debug)]
pub(crate) struct Effect {
    /// The shell text: known text is shell syntax, unknown parts are values computed by the code.
    pub(crate) shell: Vec<Part>,
    /// The call in the code that does it, as written (clipped).
    pub(crate) call: String,
}

/// The most code read in one piece; longer code is not read (and so stays unknown).
const MAX_CODE: usize = 256 * 1024;
/// The most effects listed for one piece of code.
const MAX_EFFECTS: usize = 256;

/// Whether guard can read code in `language`.
pub(crate) fn readable(language: &str) -> bool {
    language == "awk" || grammar::Lang::of(language).is_some()
}

/// Read `text`, code in `language`, until `deadline`. `None` when guard cannot read that
/// language or the text is too long or took too long to parse.
pub(crate) fn read(language: &str, text: &str, deadline: Instant) -> Option<Reading> {
    if text.len() > MAX_CODE {
        return None;
    }
    let mut reading = if language == "awk" {
        awk::read(text)
    } else {
        let lang = grammar::Lang::of(language)?;
        reader::read(lang, text, deadline, 0)?
    };
    // The same command found twice is listed once (`for …: os.system("true")`).
    let mut seen = std::collections::HashSet::new();
    reading.effects.retain(|e| seen.insert(format!("{:?}", e.shell)));
    if reading.effects.len() > MAX_EFFECTS {
        reading.effects.truncate(MAX_EFFECTS);
        reading.truncated = true;
    }
    Some(reading)
}

/// Read code only partly known (`python3 -c "…$DIR…"`): each unknown part stands in the text
/// as a placeholder name, which comes back out of the effects as the unknown part it was. The
/// reading is never complete.
pub(crate) fn read_parts(language: &str, parts: &[Part], deadline: Instant) -> Option<Reading> {
    let mut text = String::new();
    let mut unknown = Vec::new();
    for p in parts {
        match p {
            Part::Text(t) => text.push_str(t),
            Part::Unknown { .. } => {
                let name = format!("{PLACEHOLDER}{}__", unknown.len());
                text.push_str(&name);
                unknown.push((name, p.clone()));
            }
        }
    }
    let mut reading = read(language, &text, deadline)?;
    reading.complete = false;
    for e in &mut reading.effects {
        e.shell = restore(std::mem::take(&mut e.shell), &unknown);
    }
    Some(reading)
}

pub(crate) const PLACEHOLDER: &str = "__guard_unknown_";

fn restore(parts: Vec<Part>, unknown: &[(String, Part)]) -> Vec<Part> {
    let mut out = Vec::new();
    for p in parts {
        let Part::Text(mut t) = p else {
            out.push(p);
            continue;
        };
        while let Some(at) = t.find(PLACEHOLDER) {
            let Some((name, part)) = unknown.iter().find(|(n, _)| t[at..].starts_with(n.as_str())) else { break };
            value::push_text(&mut out, &t[..at]);
            out.push(part.clone());
            t = t[at + name.len()..].to_string();
        }
        value::push_text(&mut out, &t);
    }
    out.retain(|p| !matches!(p, Part::Text(t) if t.is_empty()));
    out
}

#[cfg(test)]
mod tests;
