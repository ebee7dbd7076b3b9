use std::io::{Read, Write};
use std::process::ExitCode;

use clap::Parser;
use guard::cli::{Cli, Command};
use guard::{environment, explain, shell};

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Explain { json, file, command } => {
            let text = match read_command(file, &command) {
                Ok(t) => t,
                Err(e) => {
                    eprintln!("guard explain: {e}");
                    return ExitCode::from(2);
                }
            };
            let env = environment::from_process(&text);
            let plan = shell::analyze(&text, &env);
            let out = if json {
                serde_json::to_string_pretty(&plan).expect("a Plan always serialises") + "\n"
            } else {
                explain::render_plan(&plan)
            };
            write_stdout(out.as_bytes())
        }
        Command::Completions { shell } => write_stdout(&guard::cli::completions(shell)),
    }
}

fn read_command(file: Option<std::path::PathBuf>, words: &[String]) -> Result<String, String> {
    if let Some(path) = file {
        return std::fs::read(&path)
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .map_err(|e| format!("cannot read {}: {e}; check the path and permissions", path.display()));
    }
    if words.len() == 1 && words[0] == "-" {
        let mut buf = Vec::new();
        std::io::stdin().read_to_end(&mut buf).map_err(|e| format!("cannot read standard input: {e}"))?;
        return Ok(String::from_utf8_lossy(&buf).into_owned());
    }
    Ok(words.join(" "))
}

fn write_stdout(bytes: &[u8]) -> ExitCode {
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|_| out.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        // A closed pipe (`guard explain … | head`) is not an error worth reporting.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("guard: cannot write output: {e}");
            ExitCode::from(2)
        }
    }
}
