//! One piece of text, from its own syntax tree: parse it within the time left, report what
//! the grammar could not read or silently skipped (and read skipped text with the plain
//! splitter), then run its frames until the stack is empty.

use std::collections::HashMap;

use std::time::Instant;

use tree_sitter::{Node, Tree};

use super::tree::{node_text, preorder};
use super::{Base, Builder, Frame, Job, Walk};
use crate::plan::*;
use crate::shell::continuation;
use crate::shell::lexer;

/// What one pass over a tree finds: skipped byte ranges, and functions with where each is defined.
type TreeScan = (Vec<Gap>, Vec<(String, usize)>);

/// Text no syntax node covers. `in_command`: it lies inside a simple command's statement, so
/// bash reads it as more words of that command (`python3 - <<EOF` loses its `-`).
#[derive(Debug, Clone, Copy)]
struct Gap {
    start: usize,
    end: usize,
    in_command: bool,
}

/// One pass over the tree: byte ranges holding more than blanks and line continuations that no
/// syntax node covers, and the names of the functions the text defines.
fn scan_tree(root: Node, text: &str) -> TreeScan {
    let mut gaps = Vec::new();
    let mut functions = Vec::new();
    let mut covered = 0usize;
    let check = |from: usize, to: usize, gaps: &mut Vec<Gap>| {
        if to > from {
            let gap = text.get(from..to).unwrap_or_default();
            if !gap.replace("\\\n", "").trim().is_empty() {
                let mut node = root.descendant_for_byte_range(from, to);
                let mut in_command = false;
                while let Some(n) = node {
                    if matches!(n.kind(), "command" | "redirected_statement") {
                        in_command = true;
                        break;
                    }
                    node = n.parent();
                }
                gaps.push(Gap { start: from, end: to, in_command });
            }
        }
    };
    preorder(root, |n| {
        if n.kind() == "function_definition" {
            if let Some(name) = n.child_by_field_name("name") {
                functions.push((node_text(text, name).to_string(), n.start_byte()));
            }
        }
        // Inside these only `$(…)` can run anything, and those are parsed nodes of their own.
        let opaque = matches!(
            n.kind(),
            "heredoc_body"
                | "string_content"
                | "comment"
                | "string"
                | "raw_string"
                | "ansi_c_string"
                | "translated_string"
                | "expansion"
                | "arithmetic_expansion"
                | "regex"
                | "test_command"
        );
        if n.child_count() == 0 || opaque {
            if n.start_byte() > covered {
                check(covered, n.start_byte(), &mut gaps);
            }
            covered = covered.max(n.end_byte());
            return false;
        }
        true
    });
    check(covered, text.len(), &mut gaps);
    gaps.truncate(20);
    (gaps, functions)
}

/// The text tree-sitter parses: the same bytes, offsets unchanged, with two repairs.
/// - Every non-ASCII byte becomes `a`. Bash treats any non-ASCII character as an ordinary word
///   character, and this keeps multi-byte code points away from the grammar's C scanner, which
///   passes them to `isdigit`/`iswspace` (undefined behaviour for values above 255 — it crashes).
/// - A reserved word glued to a quote or an expansion (`if'A'`, `for"x"`) loses its first
///   letter. Bash reads a reserved word only when the whole word is one, unquoted, so that is
///   the single word `ifA`; the grammar would take `if` for the keyword and misread the rest.
///   The words themselves are read from the original text, so nothing else changes.
fn for_parsing(text: &str) -> std::borrow::Cow<'_, str> {
    let glued = glued_reserved_words(text);
    let coprocs = compound_coprocs(text);
    if text.is_ascii() && glued.is_empty() && coprocs.is_empty() {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut bytes: Vec<u8> = text.bytes().map(|b| if b.is_ascii() { b } else { b'a' }).collect();
    for at in glued {
        bytes[at] = b'x';
    }
    // The grammar has no `coproc` with a compound command: the compound is read on its own
    // (it runs the same commands, in the background).
    for (start, end) in coprocs {
        bytes[start..end].fill(b' ');
    }
    std::borrow::Cow::Owned(String::from_utf8(bytes).expect("ASCII bytes are UTF-8"))
}

/// `coproc [NAME]` in front of a compound command (`{ …; }`, `( … )`, a loop): the byte range
/// of the keyword and the name.
fn compound_coprocs(text: &str) -> Vec<(usize, usize)> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    for (i, _) in text.match_indices("coproc") {
        let starts_word = i == 0 || matches!(b[i - 1], b' ' | b'\t' | b'\n' | b';' | b'&' | b'|' | b'(' | b'{');
        if !starts_word || !matches!(b.get(i + 6), Some(b' ' | b'\t')) {
            continue;
        }
        let rest = &text[i + 6..];
        let after_ws = |s: &str| s.len() - s.trim_start_matches([' ', '\t']).len();
        let mut at = i + 6 + after_ws(rest);
        let compound = |s: &str| {
            s.starts_with('{')
                || s.starts_with('(')
                || ["while ", "until ", "for ", "if ", "case ", "select "].iter().any(|k| s.starts_with(k))
        };
        if !compound(&text[at..]) {
            // `coproc NAME compound`: the name is a plain word.
            let name_len = text[at..].bytes().take_while(|c| c.is_ascii_alphanumeric() || *c == b'_').count();
            if name_len == 0 {
                continue;
            }
            let next = at + name_len;
            let next = next + after_ws(&text[next..]);
            if !compound(&text[next..]) {
                continue;
            }
            at = next;
        }
        out.push((i, at));
    }
    out
}

/// Where reserved words start that are glued to a quote or an expansion, making one word with
/// it.
fn glued_reserved_words(text: &str) -> Vec<usize> {
    const RESERVED: &[&str] = &[
        "if", "then", "else", "elif", "fi", "do", "done", "while", "until", "for", "in", "case", "esac", "function",
        "select", "time", "coproc",
    ];
    let b = text.as_bytes();
    let mut out = Vec::new();
    for (i, _) in text.match_indices(|c: char| c.is_ascii_lowercase()) {
        let starts_word = i == 0 || matches!(b[i - 1], b' ' | b'\t' | b'\n' | b';' | b'&' | b'|' | b'(' | b')' | b'`');
        if !starts_word {
            continue;
        }
        let glued = RESERVED.iter().any(|w| {
            text[i..].starts_with(w) && matches!(b.get(i + w.len()), Some(b'\'' | b'"' | b'$' | b'\\' | b'`'))
        });
        if glued {
            out.push(i);
        }
    }
    out
}

impl Builder<'_, '_> {
    pub(super) fn source(&mut self, mut job: Job) {
        let job_vars = job.vars.take();
        if let Some(state) = job.state.take() {
            self.state = state;
        }
        self.walks += 1;
        let serial = self.walks;
        // A walk cut short (out of time, too many commands) leaves no saved state behind.
        let (saved_len, pending_len) = (self.saved.len(), self.pending.len());
        if let Base::Fixed(_) = job.base {
            if let Some((joined, _)) = continuation::join(&job.text) {
                job.text = joined;
            }
        }
        let text = job.text.as_str();
        let parse_text = for_parsing(text);
        let tree: Option<Tree> = crate::shell::parse_until(self.parser, parse_text.as_bytes(), self.deadline);
        let span_all = self.map(&job, 0, text.len());
        let Some(tree) = tree else {
            self.issue(IssueKind::Timeout, span_all, "parsing took too long; the text was not analysed".into());
            return;
        };
        let saved_vars = job_vars.map(|v| std::mem::replace(&mut self.vars, v));
        let root = tree.root_node();
        if root.has_error() {
            self.collect_errors(&job, root);
        }
        let mut w = Walk {
            job: &job,
            serial,
            ctxs: vec![job.ctx.clone()],
            stack: Vec::new(),
            recovered: Vec::new(),
            missed: Vec::new(),
            gaps: Vec::new(),
        };
        if let Some(pid) = job.join_pipe {
            self.join_pipeline(&mut w, root, pid);
        } else {
            self.push_children(&mut w, root, 0);
        }
        // Text the grammar silently skipped (it drops a leading `-` before `a=1`, for one) is
        // still something bash would run: flag it and read it with the plain splitter.
        let (skipped, defined) = scan_tree(root, &parse_text);
        self.functions.extend(defined.iter().map(|(name, _)| name.clone()));
        let defined: HashMap<String, usize> =
            defined.into_iter().rev().map(|(name, at)| (name, self.map(&job, at, at).start)).collect();
        let saved_functions = if job.ctx.fresh_shell {
            Some(std::mem::replace(&mut self.scope_functions, defined))
        } else {
            for (name, at) in defined {
                self.scope_functions.entry(name).or_insert(at);
            }
            None
        };
        for gap in skipped {
            let (start, end) = (gap.start, gap.end);
            // Plain words the grammar dropped inside a command are read as bash would read them;
            // anything with operators in it is flagged too.
            let plain = !text[start..end].contains(['<', '>', '|', '&', ';', '(', ')', '`', '$']);
            if gap.in_command {
                w.gaps.push((start, end));
                if plain {
                    continue;
                }
            }
            let span = self.map(&job, start, end);
            self.issue(
                IssueKind::SyntaxError,
                span,
                format!("text the parser skipped: `{}`", crate::explain::clip(&text[start..end], 40)),
            );
            if gap.in_command {
                continue;
            }
            let line_end = text[start..].find('\n').map(|p| start + p).unwrap_or(text.len());
            if let Some(first) = lexer::split_commands(text, start, line_end).into_iter().next() {
                let rec = self.derive_ctx(&mut w, 0, |x| x.via.push(Via::SyntaxErrorRecovery));
                w.stack.push(Frame::Recovered { start: first[0].0, end: first[first.len() - 1].1, ctx: rec });
            }
        }
        let mut steps = 0u32;
        while let Some(frame) = w.stack.pop() {
            steps = steps.wrapping_add(1);
            if steps.is_multiple_of(1024) && Instant::now() > self.deadline {
                self.issue(IssueKind::Timeout, span_all, "analysis ran out of time; the rest was not read".into());
                break;
            }
            if self.plan.invocations.len() >= self.limits.max_invocations {
                if !self.too_many {
                    self.too_many = true;
                    self.issue(
                        IssueKind::TooMany,
                        span_all,
                        format!("more than {} commands; the rest were not listed", self.limits.max_invocations),
                    );
                }
                break;
            }
            match frame {
                Frame::Node(n, c) => self.node(&mut w, n, c),
                Frame::SubstOnly(n, c) => self.subst_only(&mut w, n, c),
                Frame::Recovered { start, end, ctx } => self.recovered(&mut w, start, end, ctx),
                Frame::LoopVar(name, Some(value)) => self.vars.assign(&name, Some(value), true),
                Frame::LoopVar(name, None) => self.vars.forget(&name, "loop variable"),
                Frame::Save { errexit } => {
                    self.saved.push(self.state.clone());
                    self.state.errexit &= errexit;
                }
                Frame::Enter(state) => {
                    self.saved.push(std::mem::replace(&mut self.state, *state));
                }
                Frame::Restore(kind) => self.restore(kind),
                // Where the shell is when a `cd` succeeded has the same main directory as where
                // it may be after it: only the alternatives differ, so `$PWD` stays as it is.
                Frame::RightBegin { and_tail } => {
                    self.pending.push(self.state.cwd.clone());
                    if let Some(success) = self.cd_succeeded(w.serial, and_tail) {
                        self.state.cwd = success;
                    }
                }
                Frame::RightEnd { or_exit_tail } => {
                    if let Some(before) = self.pending.pop() {
                        self.state.cwd.merge(&before);
                    }
                    if let Some(success) = self.cd_succeeded(w.serial, or_exit_tail) {
                        self.state.cwd = success;
                    }
                }
            }
        }
        for (start, end) in std::mem::take(&mut w.gaps) {
            let span = self.map(&job, start, end);
            self.issue(
                IssueKind::SyntaxError,
                span,
                format!("text the parser skipped: `{}`", crate::explain::clip(&text[start..end], 40)),
            );
        }
        if let Some(saved) = saved_vars {
            self.vars = saved;
        }
        if let Some(saved) = saved_functions {
            self.scope_functions = saved;
        }
        self.saved.truncate(saved_len);
        self.pending.truncate(pending_len);
    }

    fn collect_errors(&mut self, job: &Job, root: Node) {
        let mut found = Vec::new();
        preorder(root, |n| {
            if (n.is_error() || n.is_missing()) && found.len() <= 100 {
                found.push(n);
            }
            n.has_error() && !n.is_error()
        });
        for n in found {
            let span = self.map(job, n.start_byte(), n.end_byte());
            if n.is_missing() {
                self.issue(IssueKind::Missing, span, format!("the shell would expect `{}` here", n.kind()));
            } else {
                let snippet: String = node_text(&job.text, n).chars().take(40).collect();
                self.issue(
                    IssueKind::SyntaxError,
                    span,
                    format!("bash syntax the parser could not read: `{}`", snippet.replace('\n', "⏎")),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::plan::IssueKind;
    use crate::shell::testing::{issues, plan, runs};
    use crate::shell::{Analyzer, Env, Limits};

    /// A reserved word is one only as a whole unquoted word: glued to a quote or an expansion it
    /// is part of an ordinary word, the program bash runs.
    #[test]
    fn a_reserved_word_glued_to_a_quote_is_an_ordinary_word() {
        for (text, want) in [
            ("if'A'", vec!["ifA"]),
            ("if'con'fig eth0 down", vec!["ifconfig eth0 down"]),
            ("echo x;fo\"r\" y", vec!["echo x", "for y"]),
            ("time'' rm -rf /", vec!["time rm -rf /", "rm -rf / @run by time"]),
            ("if true; then rm x; fi", vec!["true @if/case branch", "rm x @if/case branch"]),
            ("echo if'x'", vec!["echo ifx"]),
        ] {
            assert_eq!(runs(text), want, "{text}");
            assert!(issues(text).is_empty(), "{text}: {:?}", issues(text));
        }
    }

    #[test]
    fn what_the_grammar_cannot_read_is_reported_and_still_read() {
        for (text, want_runs, want_issues) in [
            ("echo ) ; rm x", vec!["echo @recovered from syntax error", "rm x"], vec![IssueKind::SyntaxError]),
            ("if true; then rm x", vec!["true", "rm x"], vec![IssueKind::SyntaxError]),
            ("rm x", vec!["rm x"], vec![]),
        ] {
            assert_eq!(runs(text), want_runs, "{text}");
            assert_eq!(issues(text), want_issues, "{text}");
        }
    }

    #[test]
    fn functions_the_text_defines_are_listed() {
        assert_eq!(plan("f() { rm x; }; g() { :; }; f").functions, ["f", "g"]);
        assert_eq!(runs("f() { rm x; }; f"), ["rm x @function f", "f"]);
    }

    #[test]
    fn input_past_the_byte_limit_is_cut_and_reported() {
        let limits = Limits { max_bytes: 8, ..Limits::default() };
        let plan = Analyzer::new(limits).analyze("echo abc; rm -rf /", &Env::default());
        assert_eq!(plan.source, "echo abc");
        assert_eq!(plan.invocations.len(), 1);
        assert_eq!(plan.issues[0].kind, IssueKind::TooLarge);
    }

    /// Non-ASCII characters are word characters to bash; the grammar is given ASCII in their place.
    #[test]
    fn non_ascii_text_keeps_its_words() {
        assert_eq!(runs("echo héllo wörld | grep ö"), ["echo héllo wörld", "grep ö"]);
    }
}
