//! Command-line definitions (clap). Dispatch lives in `main.rs`; the man page and shell
//! completions are generated from these definitions.

use std::path::PathBuf;

use clap::{CommandFactory, Parser, Subcommand, ValueEnum};

use crate::integrate::hooks::Host;

/// What `guard --help` leads with: the forms used every day.
const EVERYDAY: &str = "Everyday use:
  guard -c 'CMD'          judge a command, then run it, ask you, or refuse (guard as the shell)
  guard -- PROGRAM ARGS…  the same for an argv, run without a shell
  guard check 'CMD'       judge only: allow, ask or deny, and why (exit 0, 10, 20)
  guard explain 'CMD'     every program the command would run, and the verdict
  guard once 'CMD'        at your own terminal: run a command your policy denies, this once
  guard                   an interactive bash that judges every line you type (exit to leave)";

#[derive(Debug, Parser)]
#[command(
    name = "guard",
    version,
    about = "Stands between a shell command and its execution",
    before_help = EVERYDAY,
    help_template = "{about-with-newline}\n{before-help}{usage-heading} {usage}\n\n{all-args}{after-help}",
    long_about = "guard parses a shell command with a real bash parser, works out every program it would \
run (through quoting, wrappers, nested shells and pipelines), judges that against policy, and then \
runs it, asks a human, or refuses with a reason.",
    after_help = "As a shell: guard [--dry-run] [--mode enforce|observe] [--policy FILE] -c 'CMD' [ARG0 ARGS…]\n\
  takes bash's own options (-c, -lc, -ic, -e, -o pipefail, --login, --noprofile, --norc, -s, SCRIPT),\n\
  judges the command, then hands the same arguments to the real shell ($GUARD_SHELL, default bash).\n\
As a prefix: guard [OPTIONS] -- PROGRAM ARGS…   judges and runs an argv without a shell.\n\
--record (or GUARD_RECORD=1) records what the command shows, for `guard log show`.\n\
--contain runs it in a Landlock scope (as every command run for an agent is), refusing where the kernel cannot.\n\
Plain `guard` at a terminal starts bash with guard's integration loaded.\n\
Refused commands exit with status 126; otherwise the status is the command's (128+N for signal N)."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Show what a command would run: every program, its resolved words, what is only known at
    /// run time and why, and how each command is reached; then the verdict and which rules
    /// were considered and matched.
    Explain {
        /// Print the plan as JSON.
        #[arg(long)]
        json: bool,
        /// Read the command text from this file (a whole script) instead of the arguments.
        #[arg(long, value_name = "SCRIPT", conflicts_with = "command")]
        file: Option<PathBuf>,
        /// The command text; several words are joined with spaces. `-` reads standard input.
        #[arg(
            value_name = "COMMAND",
            trailing_var_arg = true,
            allow_hyphen_values = true,
            required_unless_present = "file"
        )]
        command: Vec<String>,
    },
    /// Judge a command without running it: allow, ask or deny, and why.
    ///
    /// Exit status: 0 allow, 10 ask, 20 deny (the strictest over all inputs in batch mode),
    /// 2 for a usage or input error.
    #[command(after_help = "Exit status: 0 allow, 10 ask, 20 deny, 2 usage or input error.")]
    Check {
        /// Print the verdict as JSON (one JSON object per line in batch mode).
        #[arg(long)]
        json: bool,
        /// In batch mode, commands on standard input are separated by NUL bytes, not newlines.
        #[arg(short = 'z', long = "null")]
        null: bool,
        /// For the shell integrations: a verdict of ask is put to the person at the terminal.
        #[arg(long)]
        interactive: bool,
        /// Judge a whole script file.
        #[arg(long, value_name = "SCRIPT", conflicts_with = "command")]
        file: Option<PathBuf>,
        /// The command text; several words are joined with spaces. Without it, commands are read
        /// from standard input, one per line, and one result is printed per line.
        #[arg(value_name = "COMMAND", trailing_var_arg = true, allow_hyphen_values = true)]
        command: Vec<String>,
    },
    /// Run a command your policy denies, this once, after you confirm it at your terminal.
    ///
    /// `guard once 'COMMAND'` (shell text, run as `guard -c` runs it) or `guard once -- PROGRAM
    /// ARGS…`. The command is judged as usual; a denial is shown with its rules, and typing the
    /// id of the rule that denies it, key by key, then Enter, runs it once. The audit log records
    /// it as `overridden`, before it runs. Refused for what the breaker denies (`critical.*`),
    /// for an agent, inside a command guard runs, without a terminal, and under a locked system
    /// policy.
    #[command(after_help = "Exit status: the command's; 126 when refused or not confirmed, 2 usage error.")]
    Once {
        /// The command text, or `--` and then the program and its arguments.
        #[arg(value_name = "COMMAND", required = true, trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// List, show, lint and test the policy rules.
    Rules {
        #[command(subcommand)]
        action: RulesAction,
    },
    /// Show the audit log of decisions guard made, follow it, or verify its hash chain.
    Log(crate::audit::cli::LogArgs),
    /// Answer an AI agent's hook: read the agent's JSON from standard input, judge the shell
    /// command in it, and reply in that agent's format (allow, ask or deny with the reason).
    ///
    /// Anything guard cannot read or judge is refused in the agent's format; it never exits 1,
    /// which these agents take as "run the command".
    Hook {
        #[arg(value_enum)]
        host: Host,
    },
    /// Add guard's hook to an AI agent's settings, keeping everything else in them.
    ///
    /// Running it twice changes nothing; the file as it was is kept next to it, named with the time.
    Install(InstallArgs),
    /// Print the integration script for an interactive shell, which has guard judge every line
    /// typed at the prompt before the shell runs it.
    ///
    /// bash: `eval "$(guard init bash)"` in ~/.bashrc; zsh: `eval "$(guard init zsh)"` in
    /// ~/.zshrc; fish: `guard init fish | source` in ~/.config/fish/config.fish.
    Init {
        #[arg(value_enum)]
        shell: CompletionShell,
    },
    /// Check that guard is set up: shell and agent integrations, policy files, the audit log
    /// and the guard on PATH. Exit status 0 when healthy, 1 when something needs fixing.
    Doctor,
    /// List the requests waiting for a human's approval: id, age, agent, directory, command and
    /// the rules that asked.
    Pending {
        /// Print the requests as a JSON array.
        #[arg(long)]
        json: bool,
    },
    /// Approve a waiting request, after showing it and asking you to confirm at your terminal.
    ///
    /// The approval lets the command run once, exactly as written, in the directory it was asked
    /// from, within the expiry (10 minutes by default). Answering no denies it. It needs a
    /// terminal and refuses inside a command guard runs.
    #[command(after_help = "Exit status: 0 approved, 1 denied or not answered, 2 no terminal or no such request.")]
    Approve { id: String },
    /// Deny a waiting request, after showing it and asking you to confirm at your terminal.
    #[command(after_help = "Exit status: 0 denied, 1 left waiting, 2 no terminal or no such request.")]
    Deny { id: String },
    /// Print a completion script for a shell.
    Completions {
        #[arg(value_enum)]
        shell: CompletionShell,
    },
}

#[derive(Debug, clap::Args)]
pub struct InstallArgs {
    #[arg(value_enum)]
    pub host: Host,
    /// Edit the settings of the project in the current directory (shared through the
    /// repository; the hook then runs `guard` from PATH).
    #[arg(long, conflicts_with = "user")]
    pub project: bool,
    /// Edit your own settings, for every project (the default; the hook runs this guard binary).
    #[arg(long)]
    pub user: bool,
    /// Show the change as a diff and write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Print the settings entry to add by hand and change nothing.
    #[arg(long, conflicts_with = "dry_run")]
    pub print: bool,
}

#[derive(Debug, Subcommand)]
pub enum RulesAction {
    /// List every rule in effect: id, decision, severity, pack, and whether it is disabled.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Show one rule: where it is defined, what it matches, its message and examples.
    Show { id: String },
    /// Check policy files and report every problem with file:line:column (the policy in
    /// effect when no file is given).
    Lint { files: Vec<PathBuf> },
    /// Run every rule's inline examples, plus corpus files (`.tsv`: `expect<TAB>command`;
    /// `.sh`: commands under `# expect: deny|ask|allow` lines), and print a confusion matrix.
    Test { files: Vec<PathBuf> },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum CompletionShell {
    Bash,
    Zsh,
    Fish,
}

/// The name of every subcommand, `help` among them. Telling `guard SCRIPT` from
/// `guard SUBCOMMAND` needs only the names, and building the clap command to list them costs
/// more than the rest of a `guard check`. A test checks this against the definitions above.
pub use crate::shell::programs::GUARD_SUBCOMMANDS as SUBCOMMANDS;

/// The subcommands guard runs before every command (`check` from the shell integrations, `hook`
/// from the agents), read without building the clap command, which costs about a third of
/// such a call. Only the plain spellings are read here; anything else (`--help`, an unknown or
/// repeated option, `--opt=value` where clap would refuse it, arguments that are not UTF-8) gives
/// `None`, and clap reads the command line with its usual messages. A test checks that every
/// command line read here reads the same with clap.
pub fn parse_hot(args: &[std::ffi::OsString]) -> Option<Command> {
    let words: Vec<&str> = args.iter().map(|a| a.to_str()).collect::<Option<_>>()?;
    match words.split_first()? {
        (&"check", rest) => parse_check(rest),
        (&"hook", [host]) if !host.starts_with('-') => Some(Command::Hook { host: Host::from_str(host, false).ok()? }),
        _ => None,
    }
}

/// `guard check`'s arguments: its options, then the command's words (the first word that is
/// not an option, or `--`, starts them; everything after it is the command's).
fn parse_check(args: &[&str]) -> Option<Command> {
    let (mut json, mut null, mut interactive, mut file) = (false, false, false, None);
    let set = |flag: &mut bool| (!std::mem::replace(flag, true)).then_some(());
    let mut i = 0;
    while let Some(&a) = args.get(i) {
        match a {
            "--json" => set(&mut json)?,
            "-z" | "--null" => set(&mut null)?,
            "--interactive" => set(&mut interactive)?,
            "--file" => {
                i += 1;
                let path = args.get(i).filter(|p| !p.is_empty() && !p.starts_with('-'))?;
                file.replace(PathBuf::from(path)).is_none().then_some(())?;
            }
            "--" => {
                i += 1;
                break;
            }
            "-" => break,
            a if a.starts_with('-') => return None,
            _ => break,
        }
        i += 1;
    }
    let command: Vec<String> = args[i.min(args.len())..].iter().map(|w| w.to_string()).collect();
    if file.is_some() && !command.is_empty() {
        return None;
    }
    Some(Command::Check { json, null, file, command, interactive })
}

/// The man pages, rendered from the definitions above, as (file name, text): `guard.1` and one
/// per subcommand (`guard-check.1`, `guard-rules-lint.1`…), which the pages above them name.
/// No page for `help`, which clap adds and which has none to name.
pub fn man_pages() -> Vec<(String, Vec<u8>)> {
    fn pages(cmd: clap::Command, out: &mut Vec<(String, Vec<u8>)>) {
        for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()).cloned() {
            pages(sub, out);
        }
        let man = clap_mangen::Man::new(cmd);
        let mut text = Vec::new();
        man.render(&mut text).expect("rendering into memory cannot fail");
        out.push((man.get_filename(), text));
    }
    let mut cmd = Cli::command().disable_help_subcommand(true);
    cmd.build();
    let mut out = Vec::new();
    pages(cmd, &mut out);
    out.sort();
    out
}

/// A completion script for `shell`.
pub fn completions(shell: CompletionShell) -> Vec<u8> {
    let mut cmd = Cli::command();
    let mut out = Vec::new();
    let generator = match shell {
        CompletionShell::Bash => clap_complete::Shell::Bash,
        CompletionShell::Zsh => clap_complete::Shell::Zsh,
        CompletionShell::Fish => clap_complete::Shell::Fish,
    };
    clap_complete::generate(generator, &mut cmd, "guard", &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::FromArgMatches;

    fn os(words: &[&str]) -> Vec<std::ffi::OsString> {
        words.iter().map(|w| w.into()).collect()
    }

    /// What clap makes of `words` (without the program name), as text to compare.
    fn by_clap(cmd: &mut clap::Command, words: &[&str]) -> Result<String, String> {
        let matches = cmd.try_get_matches_from_mut(std::iter::once("guard").chain(words.iter().copied()));
        let cli = matches.and_then(|m| Cli::from_arg_matches(&m)).map_err(|e| e.kind().to_string())?;
        Ok(format!("{:?}", cli.command))
    }

    #[test]
    fn the_subcommand_names_are_claps() {
        let cmd = Cli::command();
        let mut names: Vec<&str> =
            cmd.get_subcommands().flat_map(|c| c.get_all_aliases().chain([c.get_name()])).collect();
        names.push("help");
        names.sort_unstable();
        let mut listed = SUBCOMMANDS.to_vec();
        listed.sort_unstable();
        assert_eq!(listed, names, "SUBCOMMANDS must list every subcommand clap knows, and only those");
    }

    #[test]
    fn what_the_hot_path_reads_clap_reads_the_same() {
        let mut cmd = Cli::command();
        let names: Vec<String> = cmd.get_subcommands().map(|c| c.get_name().to_string()).collect();
        // Every spelling here in every order, up to three words after the subcommand's name.
        let tokens = [
            "--json",
            "-z",
            "--null",
            "--interactive",
            "--file",
            "--file=s.sh",
            "s.sh",
            "--",
            "-",
            "-zj",
            "--help",
            "git",
            "claude",
            "Claude",
            "",
        ];
        let mut tails: Vec<Vec<&str>> = vec![vec![]];
        for _ in 0..3 {
            let longer: Vec<Vec<&str>> =
                tails.iter().flat_map(|t| tokens.iter().map(move |w| [t.as_slice(), &[*w]].concat())).collect();
            tails.extend(longer);
        }
        tails.dedup();
        let mut read = 0;
        for name in &names {
            for tail in &tails {
                let words: Vec<&str> = std::iter::once(name.as_str()).chain(tail.iter().copied()).collect();
                let Some(hot) = parse_hot(&os(&words)) else { continue };
                read += 1;
                assert_eq!(by_clap(&mut cmd, &words), Ok(format!("{hot:?}")), "guard {words:?}");
            }
        }
        assert!(read > 1000, "the hot path read only {read} command lines");
        // What the shell integrations and agent hooks send is read on the hot path.
        for words in [
            &["check", "git status"][..],
            &["check", "--json", "git", "status"],
            &["check", "--interactive", "--", "rm -rf /"],
            &["check", "-z", "--json"],
            &["check", "--file", "s.sh"],
            &["check", "-"],
            &["check"],
            &["hook", "claude"],
            &["hook", "codex"],
            &["hook", "gemini"],
            &["hook", "cursor"],
        ] {
            let hot = parse_hot(&os(words)).unwrap_or_else(|| panic!("guard {words:?} is not read on the hot path"));
            assert_eq!(by_clap(&mut cmd, words), Ok(format!("{hot:?}")), "guard {words:?}");
        }
        // Left to clap, for its messages.
        for words in [
            &["check", "--help"][..],
            &["check", "--file", "s.sh", "ls"],
            &["check", "--json", "--json", "ls"],
            &["check", "--jsn", "ls"],
            &["hook"],
            &["hook", "bogus"],
            &["hook", "claude", "extra"],
            &["doctor"],
        ] {
            assert!(parse_hot(&os(words)).is_none(), "guard {words:?} should be left to clap");
        }
    }

    #[test]
    fn arguments_that_are_not_utf8_are_left_to_clap() {
        use std::os::unix::ffi::OsStringExt;
        let args = vec!["check".into(), std::ffi::OsString::from_vec(b"ls \xff".to_vec())];
        assert!(parse_hot(&args).is_none());
    }
}
