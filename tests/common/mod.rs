//! Compact, deterministic renderings of a [`Plan`] for table-driven tests.
//!
//! An invocation renders as its argv (each word via [`Word::display`], so unknown parts show
//! as `‹what›`), then ` @` and how it was reached (`via` names joined by `>`), then ` d=N`
//! when it sits inside re-read code, then ` #fn` when it calls a function defined in the text,
//! then ` cwd=…` when it runs somewhere other than the directory guard was asked about.
//! Words that are empty or hold blanks, quotes, backslashes or control characters are wrapped
//! in single quotes with C-style escapes, so word boundaries stay visible:
//!
//! ```text
//! sudo -u bob rm -rf /
//! rm -rf / @wrap:sudo
//! bash -c 'rm -rf /'
//! rm -rf / @sh:bash d=1
//! ```

use guard::plan::{CodeSource, Invocation, Plan, Redirect, Via, Word};
use guard::shell::{analyze, Env};

/// The environment every table uses: `~` and `$HOME` are `/home/u`, `$PWD` is `/work/proj`,
/// `~root` is `/root` and `~bob` is `/srv/bob`.
pub fn env() -> Env {
    Env::new("/home/u", "/work/proj").with_user_home("bob", "/srv/bob")
}

pub fn plan(text: &str) -> Plan {
    analyze(text, &env())
}

/// One word, quoted only when its boundaries would otherwise be unclear.
pub fn word(w: &Word) -> String {
    quote(&w.display())
}

pub fn quote(s: &str) -> String {
    let plain =
        !s.is_empty() && s.chars().all(|c| !c.is_whitespace() && !c.is_control() && !matches!(c, '\'' | '"' | '\\'));
    if plain {
        return s.to_string();
    }
    let mut out = String::from("'");
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\x{:02x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

/// Short name of one step in `via`.
pub fn via(v: &Via) -> String {
    match v {
        Via::CommandSubstitution => "sub".into(),
        Via::ProcessSubstitution => "proc".into(),
        Via::Subshell => "subshell".into(),
        Via::Background => "bg".into(),
        Via::Loop => "loop".into(),
        Via::Branch => "branch".into(),
        Via::FunctionBody { name } => format!("fn:{name}"),
        Via::Wrapper { program } => format!("wrap:{program}"),
        Via::ShellString { shell } => format!("sh:{shell}"),
        Via::Eval => "eval".into(),
        Via::Alias { name } => format!("alias:{name}"),
        Via::Source => "source".into(),
        Via::Trap => "trap".into(),
        Via::Xargs => "xargs".into(),
        Via::FindExec => "find".into(),
        Via::Parallel => "parallel".into(),
        Via::Remote { host } => format!("ssh:{host}"),
        Via::HeredocToShell { shell } => format!("heredoc:{shell}"),
        Via::PipeToShell { shell } => format!("pipe:{shell}"),
        Via::WrittenScript { path } => format!("script:{path}"),
        Via::Code { language, .. } => format!("code:{language}"),
        Via::Decoded { decoder } => format!("decoded:{decoder}"),
        Via::Carrier { program, carrier } => format!("carrier:{program}:{carrier}"),
        Via::SyntaxErrorRecovery => "err".into(),
    }
}

pub fn argv(inv: &Invocation) -> String {
    inv.argv().map(word).collect::<Vec<_>>().join(" ")
}

/// argv, then ` @via>via`, ` d=N`, ` #fn` and ` cwd=…` when they apply.
pub fn invocation(inv: &Invocation) -> String {
    let mut out = argv(inv);
    if !inv.via.is_empty() {
        out.push_str(" @");
        out.push_str(&inv.via.iter().map(via).collect::<Vec<_>>().join(">"));
    }
    if inv.depth > 0 {
        out.push_str(&format!(" d={}", inv.depth));
    }
    if inv.calls_function {
        out.push_str(" #fn");
    }
    if let Some(c) = cwd(inv) {
        out.push_str(&format!(" cwd={c}"));
    }
    out
}

/// Where an invocation runs, when that is not simply the directory guard was asked about:
/// `cwd` (`.` for that directory), then each alternative, then `?` when it may run somewhere
/// guard cannot name, joined by `|` (`/usr`, `/x|/work/proj`, `.|?`).
pub fn cwd(inv: &Invocation) -> Option<String> {
    if inv.cwd.is_none() && inv.cwd_alternatives.is_empty() && !inv.cwd_unknown {
        return None;
    }
    let mut parts = inv.directories(".");
    if inv.cwd_unknown {
        parts.push("?");
    }
    Some(parts.join("|"))
}

/// Every invocation of the plan, in plan order.
pub fn invocations(plan: &Plan) -> Vec<String> {
    plan.invocations.iter().map(invocation).collect()
}

/// `[FD]OP TARGET`, e.g. `2>&1`, `>> /tmp/log`, `<< 'hello\n'`.
pub fn redirect(r: &Redirect) -> String {
    let fd = r.fd.map(|f| f.to_string()).unwrap_or_default();
    format!("{fd}{} {}", r.op.symbol(), word(&r.target))
}

pub fn code_source(s: CodeSource) -> &'static str {
    match s {
        CodeSource::Argument => "arg",
        CodeSource::Stdin => "stdin",
        CodeSource::File => "file",
    }
}

/// `LANGUAGE SOURCE TEXT` of an invocation's code.
pub fn code(inv: &Invocation) -> Option<String> {
    inv.code.as_ref().map(|c| format!("{} {} {}", c.language, code_source(c.source), word(&c.text)))
}

/// Everything about a plan, for failure messages and probing.
pub fn dump(plan: &Plan) -> String {
    let mut out = String::new();
    for inv in &plan.invocations {
        out.push_str(&format!("  #{} {}", inv.id, invocation(inv)));
        if let Some(p) = inv.parent {
            out.push_str(&format!(" ^{p}"));
        }
        if let Some(p) = inv.pipeline {
            out.push_str(&format!(" |{}:{}/{}", p.pipeline, p.stage, p.stages));
        }
        for r in &inv.redirects {
            out.push_str(&format!(" [{}]", redirect(r)));
        }
        for a in &inv.assignments {
            out.push_str(&format!(" {{{}={}}}", a.name, word(&a.value)));
        }
        if let Some(c) = code(inv) {
            out.push_str(&format!(" <code {c}>"));
        }
        for (i, w) in inv.argv().enumerate() {
            if w.glob {
                out.push_str(&format!(" glob[{i}]"));
            }
        }
        out.push('\n');
    }
    for p in &plan.pipelines {
        out.push_str(&format!("  pipeline {} {:?} stderr={:?}\n", p.id, p.stages, p.stderr_piped));
    }
    for i in &plan.issues {
        out.push_str(&format!("  issue {:?} {}..{}: {}\n", i.kind, i.span.start, i.span.end, i.message));
    }
    out
}
