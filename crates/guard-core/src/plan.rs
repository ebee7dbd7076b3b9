//! The Plan: what a piece of shell text would execute. It is the contract between the parser
//! (`shell/`) and everything that judges or runs a command. Pure data, serialisable for
//! `guard explain --json`.

use serde::Serialize;

/// A byte range in the text guard was given. Commands found inside nested code (`bash -c '…'`,
/// `eval`, a heredoc fed to a shell) carry the span of the outer word that held the code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Default)]
pub struct Span {
    /// Offset of the first byte.
    pub start: usize,
    /// Offset one past the last byte (`start..end`, as a slice range).
    pub end: usize,
}

impl Span {
    /// The bytes `start..end`.
    pub fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }
    pub(crate) fn cover(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }
}

/// One piece of a word whose value is only partly known.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Part {
    /// Text known statically.
    Text(String),
    /// Something only known at run time: `what` is the source text (`$DIR`, `$(date)`),
    /// `why` says why guard cannot know it.
    Unknown {
        /// The source text of the unknown part.
        what: String,
        /// Why guard cannot know its value.
        why: String,
    },
}

/// What a word expands to, as far as guard can tell before it runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Value {
    /// The exact string the program would receive.
    Literal(String),
    /// Only partly known; the known text around the unknown parts is kept (`"$DIR"/*` keeps `/*`).
    Dynamic(Vec<Part>),
}

/// One argv word after bash's expansions, as far as they can be done statically.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Word {
    /// The word's text after expansion, fully or partly known.
    pub value: Value,
    /// Unquoted glob characters (`*`, `?`, `[`) that the shell would expand against the filesystem.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub glob: bool,
    /// Where the word is written (for nested code, the outer word that held it).
    pub span: Span,
}

impl Word {
    pub(crate) fn literal(s: impl Into<String>, span: Span) -> Word {
        Word { value: Value::Literal(s.into()), glob: false, span }
    }

    pub(crate) fn unknown(what: impl Into<String>, why: impl Into<String>, span: Span) -> Word {
        Word { value: Value::Dynamic(vec![Part::Unknown { what: what.into(), why: why.into() }]), glob: false, span }
    }

    /// The value when it is fully known.
    pub fn as_literal(&self) -> Option<&str> {
        match &self.value {
            Value::Literal(s) => Some(s),
            Value::Dynamic(_) => None,
        }
    }

    /// Whether part of the value is only known at run time.
    pub fn is_dynamic(&self) -> bool {
        matches!(self.value, Value::Dynamic(_))
    }

    /// Text known to start the word (all of it when literal).
    pub(crate) fn known_prefix(&self) -> &str {
        match &self.value {
            Value::Literal(s) => s,
            Value::Dynamic(parts) => match parts.first() {
                Some(Part::Text(t)) => t,
                _ => "",
            },
        }
    }

    /// Text known to end the word (all of it when literal).
    pub(crate) fn known_suffix(&self) -> &str {
        match &self.value {
            Value::Literal(s) => s,
            Value::Dynamic(parts) => match parts.last() {
                Some(Part::Text(t)) => t,
                _ => "",
            },
        }
    }

    /// A readable rendering: literal text as is, unknown parts as `‹what›`.
    pub fn display(&self) -> String {
        match &self.value {
            Value::Literal(s) => s.clone(),
            Value::Dynamic(parts) => parts
                .iter()
                .map(|p| match p {
                    Part::Text(t) => t.clone(),
                    Part::Unknown { what, .. } => format!("‹{what}›"),
                })
                .collect(),
        }
    }

    /// The first reason this word is not fully known.
    pub fn unknown_reason(&self) -> Option<(&str, &str)> {
        match &self.value {
            Value::Literal(_) => None,
            Value::Dynamic(parts) => parts.iter().find_map(|p| match p {
                Part::Unknown { what, why } => Some((what.as_str(), why.as_str())),
                Part::Text(_) => None,
            }),
        }
    }
}

/// A `NAME=value` given to one command (`FOO=1 make`) or by `env`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Assignment {
    /// The variable's name.
    pub name: String,
    /// What it is set to.
    pub value: Word,
}

/// A redirection's operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RedirectOp {
    /// `<`
    Read,
    /// `>`
    Write,
    /// `>>`
    Append,
    /// `>|`
    Clobber,
    /// `<>`
    ReadWrite,
    /// `&>` (stdout and stderr)
    WriteAll,
    /// `&>>`
    AppendAll,
    /// `>&N`, `N>&M`: duplicate an output descriptor (or write to a file for `>&word`)
    DupOut,
    /// `<&N`
    DupIn,
    /// `<<` / `<<-`
    Heredoc,
    /// `<<<`
    HereString,
}

impl RedirectOp {
    /// The operator as written in shell (`>>`, `<<<`); `<<-` and `N>&M` show as `<<` and `>&`.
    pub fn symbol(self) -> &'static str {
        match self {
            RedirectOp::Read => "<",
            RedirectOp::Write => ">",
            RedirectOp::Append => ">>",
            RedirectOp::Clobber => ">|",
            RedirectOp::ReadWrite => "<>",
            RedirectOp::WriteAll => "&>",
            RedirectOp::AppendAll => "&>>",
            RedirectOp::DupOut => ">&",
            RedirectOp::DupIn => "<&",
            RedirectOp::Heredoc => "<<",
            RedirectOp::HereString => "<<<",
        }
    }

    /// Opens its target for writing (a file, not a descriptor copy).
    pub(crate) fn writes(self) -> bool {
        matches!(
            self,
            RedirectOp::Write
                | RedirectOp::Append
                | RedirectOp::Clobber
                | RedirectOp::ReadWrite
                | RedirectOp::WriteAll
                | RedirectOp::AppendAll
                | RedirectOp::DupOut
        )
    }

    /// Truncates its target.
    pub(crate) fn truncates(self) -> bool {
        matches!(self, RedirectOp::Write | RedirectOp::Clobber | RedirectOp::WriteAll | RedirectOp::DupOut)
    }
}

/// A redirection of one command, e.g. `2>/dev/null`, `>> log`, `<<EOF`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Redirect {
    /// The descriptor written before the operator (`2>`), if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fd: Option<u32>,
    /// The operator.
    pub op: RedirectOp,
    /// The file (or descriptor number) for file redirections; the document text for
    /// heredocs and here-strings (a here-string's value gets the trailing newline bash adds).
    pub target: Word,
    pub(crate) span: Span,
}

impl Redirect {
    /// The text this redirection feeds to stdin, for heredocs and here-strings.
    pub(crate) fn stdin_text(&self) -> Option<&Word> {
        matches!(self.op, RedirectOp::Heredoc | RedirectOp::HereString).then_some(&self.target)
    }
}

/// How an invocation was reached. An invocation's `via` lists these from the outside in;
/// an empty list means it runs at the top level of the text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Via {
    /// `$(…)` or backticks.
    CommandSubstitution,
    /// `<(…)` or `>(…)`.
    ProcessSubstitution,
    /// `( … )`
    Subshell,
    /// `cmd &`
    Background,
    /// The body or condition of `for`, `while`, `until`.
    Loop,
    /// A branch of `if` or `case`.
    Branch,
    /// The body of a function defined in the same text.
    FunctionBody {
        /// The function's name.
        name: String,
    },
    /// A program run by a wrapper (`sudo`, `env`, `timeout`, `nice`, `command`, …).
    Wrapper {
        /// The wrapper's name.
        program: String,
    },
    /// Code given to a shell as a string: `bash -c`, `su -c`, `watch`, `script -c`, …
    ShellString {
        /// The program the string was given to.
        shell: String,
    },
    /// Literal arguments of `eval`.
    Eval,
    /// The text of an alias defined earlier in the same text, in place of the command's
    /// first word (`alias r='rm -rf'; r /` runs `rm -rf /`).
    Alias {
        /// The alias's name.
        name: String,
    },
    /// `source`/`.` of literal code, e.g. `source <(echo …)`.
    Source,
    /// The code of a `trap` handler.
    Trap,
    /// Built by `xargs` from its arguments and stdin.
    Xargs,
    /// Run by `find -exec`, `-execdir`, `-ok`, `-okdir`.
    FindExec,
    /// Run by GNU `parallel`.
    Parallel,
    /// Run on another machine by `ssh`.
    Remote {
        /// The destination as written on `ssh`'s command line (`user@host`).
        host: String,
    },
    /// A heredoc or here-string whose text is code for a shell.
    HeredocToShell {
        /// The shell that reads it.
        shell: String,
    },
    /// Literal text piped into a shell (`echo … | sh`).
    PipeToShell {
        /// The shell that reads it.
        shell: String,
    },
    /// A script file written earlier in the same text and then run or sourced
    /// (`printf 'rm -rf ~' > x.sh; sh x.sh`).
    WrittenScript {
        /// The file, absolute.
        path: String,
    },
    /// Started by code in another language, found by reading that code: `call` is what in
    /// the code does it (`os.system(…)`, `shutil.rmtree(…)`), and the command is the shell
    /// command that does the same.
    Code {
        /// The code's language.
        language: String,
        /// The call in the code, as written (clipped).
        call: String,
    },
    /// Text decoded from a literal on the line before it was read as code
    /// (`echo cm0gLXJmIH4= | base64 -d | sh`), listed after how the code is reached.
    Decoded {
        /// The decoding commands, in order (`base64 -d | rev`).
        decoder: String,
    },
    /// Run by a program because an option or an environment variable given to it holds a
    /// command (`git -c core.pager=…`, `ssh -o ProxyCommand=…`, `PAGER=… git log`).
    Carrier {
        /// The program that runs it.
        program: String,
        /// The option, configuration key or environment variable that holds it.
        carrier: String,
    },
    /// Recovered from a region the grammar could not parse.
    SyntaxErrorRecovery,
}

impl Via {
    pub(crate) fn describe(&self) -> String {
        match self {
            Via::CommandSubstitution => "$(…)".into(),
            Via::ProcessSubstitution => "<(…)".into(),
            Via::Subshell => "subshell".into(),
            Via::Background => "background &".into(),
            Via::Loop => "loop".into(),
            Via::Branch => "if/case branch".into(),
            Via::FunctionBody { name } => format!("function {name}"),
            Via::Wrapper { program } => format!("run by {program}"),
            Via::ShellString { shell } => format!("{shell} -c"),
            Via::Eval => "eval".into(),
            Via::Alias { name } => format!("alias {name}"),
            Via::Source => "source".into(),
            Via::Trap => "trap handler".into(),
            Via::Xargs => "xargs".into(),
            Via::FindExec => "find -exec".into(),
            Via::Parallel => "parallel".into(),
            Via::Remote { host } => format!("ssh {host}"),
            Via::HeredocToShell { shell } => format!("heredoc to {shell}"),
            Via::PipeToShell { shell } => format!("piped into {shell}"),
            Via::WrittenScript { path } => format!("script {path} written earlier in this text"),
            Via::Code { language, call } => format!("{language} code {call}"),
            Via::Decoded { decoder } => format!("decoded by {decoder}"),
            // An environment variable is given to the program; an option or key is its own.
            Via::Carrier { program, carrier } if is_variable_name(carrier) => format!("{carrier} given to {program}"),
            Via::Carrier { program, carrier } => format!("{carrier} of {program}"),
            Via::SyntaxErrorRecovery => "recovered from syntax error".into(),
        }
    }
}

/// `PAGER`, `LD_PRELOAD`: an environment variable's name as written in capitals.
fn is_variable_name(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_uppercase())
        && s.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

/// Where an invocation sits in a pipeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PipePos {
    /// The pipeline's index in [`Plan::pipelines`].
    pub pipeline: usize,
    /// The stage this invocation is in, from 0 at the left.
    pub stage: usize,
    /// How many stages the pipeline has.
    pub stages: usize,
}

/// Where a program's code comes from, for shells and interpreters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CodeSource {
    /// An argument (`-c`, `-e`, `eval`, an awk program).
    Argument,
    /// Standard input: a pipe, heredoc or here-string.
    Stdin,
    /// A script file or `<(…)` named on the command line.
    File,
}

/// Code handed to a shell or interpreter. For shells, the commands in literal code are also
/// in the Plan as their own invocations.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Code {
    /// `sh`, `bash`, `python`, `perl`, `ruby`, `node`, `php`, `awk`, `lua`, …
    pub language: String,
    /// How the code reaches the program.
    pub source: CodeSource,
    /// The code itself, or what is known of it (`output of curl …` for a download piped in).
    pub text: Word,
    /// What reading the code with its language's grammar found; `None` when it was not read
    /// (a shell's code is read as shell, into invocations of its own).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub read: Option<CodeRead>,
}

/// What guard found reading code in another language. What the code runs, deletes, writes,
/// moves or reads is in the Plan as invocations reached through [`Via::Code`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CodeRead {
    /// The whole code parsed, and nothing in it chooses at run time what is called
    /// (`getattr`, `eval` of a computed string, `send`, a function held in a variable).
    pub complete: bool,
    /// It forks copies of itself in a loop that never ends and never waits for them.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub forks_without_end: bool,
    /// It chooses at run time what it calls (`getattr(os, name)`, `send(:system)`, `$f(…)`,
    /// `exec(input())`) or hands a function that runs commands or deletes files to other code
    /// (`map(os.system, …)`).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub chooses_calls: bool,
}

/// One command the text would run: a program with its arguments, and how and where it is
/// reached.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Invocation {
    /// Its index in [`Plan::invocations`].
    pub id: usize,
    /// `argv[0]` as bash would resolve it (not looked up on `PATH`).
    pub program: Word,
    /// The arguments after the program.
    pub args: Vec<Word>,
    /// Variables set for this command only (`FOO=1 make`, `env FOO=1 make`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub assignments: Vec<Assignment>,
    /// Its redirections, including those of an enclosing compound command (`{ …; } > f`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub redirects: Vec<Redirect>,
    /// The command's text (for nested code, the outer word that held it).
    pub span: Span,
    /// How it is reached, from the outside in; empty at the top level of the text.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub via: Vec<Via>,
    /// How many times text was re-read as code to reach this (`bash -c` inside `eval` is 2).
    pub depth: u32,
    /// The invocation this one was unwrapped from or nested in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent: Option<usize>,
    /// Its place in a pipeline; `None` when it is not in one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pipeline: Option<PipePos>,
    /// Code this program is given, when it is a shell or interpreter.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<Code>,
    /// The program names a function defined in the same text (its body is in the Plan).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub calls_function: bool,
    /// The directory the command runs in, absolute and normalised, when guard knows it and it
    /// is not the directory guard was asked about (`Env`'s `PWD`): after `cd /usr && …`, or
    /// set by a wrapper (`env -C DIR`, `sudo -D DIR`, `systemd-run` (`/` for a service)). It
    /// is the directory when every `cd` before the command succeeded; `None` means the
    /// directory guard was asked about (unless `cwd_unknown` says guard cannot name it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cwd: Option<String>,
    /// Other directories the command may run in, absolute: a `cd` before it may fail or may not
    /// run (`cd /x; rm y` runs `rm` in /x, or where the shell was if /x cannot be entered;
    /// `if …; then cd /x; fi`). The directory guard was asked about is named here when it is
    /// one of them. Empty when the directory is certain.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub cwd_alternatives: Vec<String>,
    /// The command may run in a directory guard cannot name (`cd "$X"`, `cd -` with no known
    /// previous directory, `popd` past what the text pushed, a `cd` in a loop or a function, a
    /// sourced file, a command run on another machine). `cwd` and `cwd_alternatives` still
    /// list what is known; relative paths cannot be placed with certainty.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub cwd_unknown: bool,
}

impl Invocation {
    /// The full argv: program then arguments.
    pub fn argv(&self) -> impl Iterator<Item = &Word> {
        std::iter::once(&self.program).chain(self.args.iter())
    }

    /// The program's name without its directory, when known (`/usr/bin/rm` → `rm`).
    pub fn program_name(&self) -> Option<&str> {
        self.program.as_literal().map(basename)
    }

    /// A one-line rendering of the argv.
    pub(crate) fn display(&self) -> String {
        let mut out = String::new();
        for (i, w) in self.argv().enumerate() {
            if i > 0 {
                out.push(' ');
            }
            out.push_str(&quote_for_display(&w.display()));
        }
        out
    }

    /// Every directory guard can name that the command may run in, given `start`, the
    /// directory guard was asked about: `cwd` (or `start`), then `cwd_alternatives`. When
    /// `cwd_unknown` is set it may also run somewhere else.
    pub fn directories<'a>(&'a self, start: &'a str) -> Vec<&'a str> {
        let mut out = vec![self.cwd.as_deref().unwrap_or(start)];
        for d in &self.cwd_alternatives {
            if !out.contains(&d.as_str()) {
                out.push(d);
            }
        }
        out
    }

    pub(crate) fn has_via(&self, pred: impl Fn(&Via) -> bool) -> bool {
        self.via.iter().any(pred)
    }

    /// The commands ran on another machine (`ssh host cmd`).
    pub fn is_remote(&self) -> bool {
        self.has_via(|v| matches!(v, Via::Remote { .. }))
    }
}

pub(crate) fn basename(path: &str) -> &str {
    let trimmed = path.trim_end_matches('/');
    match trimmed.rfind('/') {
        Some(i) => &trimmed[i + 1..],
        None => trimmed,
    }
}

/// Quote a word for display only when it would otherwise be misread.
pub(crate) fn quote_for_display(s: &str) -> String {
    if s.is_empty() {
        return "''".into();
    }
    let plain = s.chars().all(|c| c.is_alphanumeric() || "-_./:=@%+,~*?[]‹›{}^".contains(c) || !c.is_ascii());
    if plain {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

/// A pipeline (`a | b | c`): which invocations make each stage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Pipeline {
    /// Its index in [`Plan::pipelines`].
    pub id: usize,
    pub(crate) span: Span,
    /// Invocation ids in each stage (a stage may hold several: a wrapper and what it runs,
    /// or the commands of a `{ …; }` group).
    pub stages: Vec<Vec<usize>>,
    /// `|&` between stage i and i+1 (stderr is piped too).
    pub stderr_piped: Vec<bool>,
}

/// What kept part of the text from being read completely.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IssueKind {
    /// The grammar found text it could not parse; commands inside were still extracted.
    SyntaxError,
    /// The grammar had to assume a missing token (an unclosed quote, `fi`, `)`…).
    Missing,
    /// Input longer than the size limit; only the start was read.
    TooLarge,
    /// Code nested deeper than the limit (`bash -c "bash -c …"`); the inner code is unread.
    TooDeep,
    /// Parsing ran out of time.
    Timeout,
    /// Too many commands or expansions; the rest were not listed.
    TooMany,
    /// Something that changes what later commands run is only known at run time (an alias
    /// whose name is computed).
    RunTime,
}

/// A part of the text guard could not read completely; its commands may be missing from the
/// Plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Issue {
    /// What went wrong.
    pub kind: IssueKind,
    /// Where in the text.
    pub span: Span,
    /// What went wrong, for people.
    pub message: String,
}

/// Everything a piece of shell text would execute, as the parser found it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct Plan {
    /// The text that was analysed.
    pub source: String,
    /// Every command found, nested ones included, each at the index of its `id`.
    pub invocations: Vec<Invocation>,
    /// The pipelines, each at the index of its `id`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub pipelines: Vec<Pipeline>,
    /// Functions defined in the text.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub functions: Vec<String>,
    /// What could not be read completely; empty when the whole text was.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub issues: Vec<Issue>,
}

impl Plan {
    /// The text a span covers in the analysed source.
    pub fn text(&self, span: Span) -> &str {
        self.source.get(span.start..span.end).unwrap_or("")
    }

    /// True when part of the text could not be read completely (syntax error, a limit).
    pub fn incomplete(&self) -> bool {
        !self.issues.is_empty()
    }

    /// The invocations in the stage before this one's in its pipeline (what feeds its stdin).
    pub fn upstream(&self, inv: &Invocation) -> Vec<&Invocation> {
        self.neighbour_stage(inv, -1)
    }

    /// The invocations in the stage after this one's (what reads its stdout).
    pub fn downstream(&self, inv: &Invocation) -> Vec<&Invocation> {
        self.neighbour_stage(inv, 1)
    }

    fn neighbour_stage(&self, inv: &Invocation, delta: isize) -> Vec<&Invocation> {
        let Some(pos) = inv.pipeline else { return Vec::new() };
        let stage = pos.stage as isize + delta;
        if stage < 0 {
            return Vec::new();
        }
        self.pipelines
            .get(pos.pipeline)
            .and_then(|p| p.stages.get(stage as usize))
            .map(|ids| ids.iter().filter_map(|&i| self.invocations.get(i)).collect())
            .unwrap_or_default()
    }

    /// The chain of invocations this one was unwrapped or nested from, innermost first.
    pub fn ancestors(&self, inv: &Invocation) -> Vec<&Invocation> {
        let mut out = Vec::new();
        let mut cur = inv.parent;
        while let Some(id) = cur {
            match self.invocations.get(id) {
                Some(p) if out.len() < self.invocations.len() => {
                    out.push(p);
                    cur = p.parent;
                }
                _ => break,
            }
        }
        out
    }
}
