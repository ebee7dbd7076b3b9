//! Shell text → [`Plan`]. Pure: no I/O and no reads of the process environment; what the
//! parser may know of the environment comes in as an [`Env`].

mod continuation;
mod cwd;
pub mod env;
pub mod expand;
pub mod lexer;
pub mod programs;
mod vars;
mod walk;

use std::cell::RefCell;
use std::time::Duration;

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
    pub max_invocations: usize,
    /// Pieces of text parsed at most (the input and every nested piece of code).
    pub max_sources: usize,
    /// Wall-clock budget for parsing.
    pub timeout: Duration,
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
    pub fn new(limits: Limits) -> Analyzer {
        let mut parser = tree_sitter::Parser::new();
        parser
            .set_language(&tree_sitter_bash::LANGUAGE.into())
            .expect("the bundled tree-sitter-bash grammar matches the tree-sitter library's ABI");
        Analyzer { parser, limits }
    }

    pub fn analyze(&mut self, text: &str, env: &Env) -> Plan {
        walk::Builder::new(env, self.limits, &mut self.parser).run(text)
    }
}

thread_local! {
    static ANALYZER: RefCell<Analyzer> = RefCell::new(Analyzer::default());
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
pub fn normalize_path(path: &str) -> String {
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
