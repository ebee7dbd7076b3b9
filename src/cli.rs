//! Command-line definitions (clap). Dispatch lives in `main.rs`; the man page and shell
//! completions are generated from these definitions.

use std::path::PathBuf;

use clap::{CommandFactory, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "guard",
    version,
    about = "Stands between a shell command and its execution",
    long_about = "guard parses a shell command with a real bash parser, works out every program it would \
run (through quoting, wrappers, nested shells and pipelines), judges that against policy, and then \
runs it, asks a human, or refuses with a reason."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Show what a command would run: every program, its resolved words, what is only known at
    /// run time and why, and how each command is reached.
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
    /// Print a completion script for a shell.
    Completions {
        #[arg(value_enum)]
        shell: CompletionShell,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum CompletionShell {
    Bash,
    Zsh,
    Fish,
}

/// The man page, rendered from the definitions above.
pub fn man_page() -> Vec<u8> {
    let mut out = Vec::new();
    clap_mangen::Man::new(Cli::command()).render(&mut out).expect("rendering into memory cannot fail");
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
