//! Shell text → [`Plan`]. Pure: no I/O and no reads of the process environment; what the
//! parser may know of the environment comes in as an [`Env`].

mod continuation;
mod cwd;
mod env;
mod expand;
mod lexer;
pub mod programs;
mod vars;
mod walk;

use std::cell::RefCell;
use std::time::{Duration, Instant};

pub use env::Env;

use crate::plan::Plan;

/// Bounds that keep analysis fast and safe on hostile input. Hitting one is recorded in the
/// Plan as an issue (and so is never silently allowed).
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Input beyond this many bytes is not read.
    pub max_bytes: usize,
    /// How deep code inside code is followed (`bash -c "eval '…'"` is depth 2).
    pub max_depth: u32,
    /// Commands listed at most.
    pub(crate) max_invocations: usize,
    /// Pieces of text parsed at most (the input and every nested piece of code).
    pub(crate) max_sources: usize,
    /// Wall-clock budget for parsing.
    pub(crate) timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_bytes: 1 << 20,
            max_depth: 8,
            max_invocations: 20_000,
            max_sources: 512,
            timeout: Duration::from_millis(2_000),
        }
    }
}

/// Holds a tree-sitter parser so repeated analyses don't rebuild it.
pub struct Analyzer {
    parser: tree_sitter::Parser,
    limits: Limits,
}

impl Default for Analyzer {
    fn default() -> Self {
        Analyzer::new(Limits::default())
    }
}

impl Analyzer {
    pub(crate) fn new(limits: Limits) -> Analyzer {
        let mut parser = tree_sitter::Parser::new();
        parser
            .set_language(&tree_sitter_bash::LANGUAGE.into())
            .expect("the bundled tree-sitter-bash grammar matches the tree-sitter library's ABI");
        Analyzer { parser, limits }
    }

    /// The Plan of `text`, with what the parser may assume of the environment in `env`.
    pub fn analyze(&mut self, text: &str, env: &Env) -> Plan {
        walk::Builder::new(env, self.limits, &mut self.parser).run(text)
    }
}

thread_local! {
    static ANALYZER: RefCell<Analyzer> = RefCell::new(Analyzer::default());
}

/// Parse `bytes` with `parser`, giving up at `deadline`: `None` then, with the parser reset for
/// its next use. Shared by the bash parser and the grammars of other languages.
pub(crate) fn parse_until(
    parser: &mut tree_sitter::Parser,
    bytes: &[u8],
    deadline: Instant,
) -> Option<tree_sitter::Tree> {
    let mut progress = |_: &tree_sitter::ParseState| {
        if Instant::now() > deadline {
            std::ops::ControlFlow::Break(())
        } else {
            std::ops::ControlFlow::Continue(())
        }
    };
    let options = tree_sitter::ParseOptions::new().progress_callback(&mut progress);
    let tree =
        parser.parse_with_options(&mut |i, _| if i < bytes.len() { &bytes[i..] } else { &[] }, None, Some(options));
    if tree.is_none() {
        parser.reset();
    }
    tree
}

/// Analyse shell text with default limits.
pub fn analyze(text: &str, env: &Env) -> Plan {
    ANALYZER.with(|a| a.borrow_mut().analyze(text, env))
}

/// An argv as bash text that bash reads back as the same argv run as one command. The first
/// word is quoted whenever bash would read it otherwise (`A=1` as an assignment, `!` or `if`
/// as syntax).
pub fn shell_quote_argv(argv: &[String]) -> String {
    const RESERVED: &[&str] = &[
        "!", "[[", "]]", "{", "}", "case", "coproc", "do", "done", "elif", "else", "esac", "fi", "for", "function",
        "if", "in", "select", "then", "time", "until", "while",
    ];
    let mut words: Vec<String> = argv.iter().map(|a| shell_quote(a)).collect();
    if let Some(first) = argv.first() {
        if first.contains('=') || RESERVED.contains(&first.as_str()) {
            words[0] = format!("'{}'", first.replace('\'', "'\\''"));
        }
    }
    words.join(" ")
}

/// Resolve `.`, `..` and repeated `/` in an absolute path lexically, the way `cd` does in
/// bash's default (logical) mode.
pub(crate) fn normalize_path(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    format!("/{}", parts.join("/"))
}

/// Quote a string so bash reads it back as exactly one word with this value.
pub fn shell_quote(s: &str) -> String {
    if !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_./:=@%+,".contains(&b)) {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

/// Short renderings of a Plan for the parser's own table-driven tests.
#[cfg(test)]
pub(crate) mod testing {
    use super::{analyze, Env};
    use crate::plan::{Invocation, IssueKind, Plan};

    /// `~` and `$HOME` are `/home/u`, the directory guard is asked about is `/work/proj`, and
    /// `~bob` is `/srv/bob`.
    pub fn plan(text: &str) -> Plan {
        analyze(text, &Env::new("/home/u", "/work/proj").with_user_home("bob", "/srv/bob"))
    }

    /// Each invocation of `text`, as [`show`] renders it.
    pub fn runs(text: &str) -> Vec<String> {
        plan(text).invocations.iter().map(show).collect()
    }

    /// An invocation's words (one that is empty or holds a blank in `'…'`), then ` @` and how
    /// it is reached, outermost first.
    pub fn show(inv: &Invocation) -> String {
        let words: Vec<String> = inv
            .argv()
            .map(|w| match w.display() {
                t if t.is_empty() || t.contains(char::is_whitespace) => format!("'{t}'"),
                t => t,
            })
            .collect();
        let mut out = words.join(" ");
        if !inv.via.is_empty() {
            let via: Vec<String> = inv.via.iter().map(|v| v.describe()).collect();
            out.push_str(" @");
            out.push_str(&via.join(" > "));
        }
        out
    }

    /// Where each invocation of `text` runs: `program dir`, every directory it may run in
    /// joined by `|`, `?` when it may run somewhere guard cannot name.
    pub fn cwds(text: &str) -> Vec<String> {
        plan(text)
            .invocations
            .iter()
            .map(|inv| {
                let mut dirs = inv.directories("/work/proj").join("|");
                if inv.cwd_unknown {
                    dirs.push_str("|?");
                }
                format!("{} {dirs}", inv.program.display())
            })
            .collect()
    }

    /// The kinds of the issues the plan of `text` reports.
    pub fn issues(text: &str) -> Vec<IssueKind> {
        plan(text).issues.iter().map(|i| i.kind).collect()
    }

    /// Every redirection of every invocation: `program fd op target` (`-` for no descriptor).
    pub fn redirects(text: &str) -> Vec<String> {
        let plan = plan(text);
        let mut out = Vec::new();
        for inv in &plan.invocations {
            for r in &inv.redirects {
                let fd = r.fd.map_or("-".to_string(), |fd| fd.to_string());
                out.push(format!("{} {fd} {} {}", inv.program.display(), r.op.symbol(), r.target.display()));
            }
        }
        out
    }

    /// The code each invocation is given: `program language source text`.
    pub fn code(text: &str) -> Vec<String> {
        plan(text)
            .invocations
            .iter()
            .filter_map(|inv| {
                let c = inv.code.as_ref()?;
                Some(format!("{} {} {:?} {}", inv.program.display(), c.language, c.source, c.text.display()))
            })
            .collect()
    }
}
