//! `guard init bash|zsh|fish`: the interactive shell integrations kept in `shell-hooks/`, with
//! the path of this guard binary written in, so a later change of PATH does not disconnect
//! them (the scripts still fall back to `guard` on PATH when that file is gone).

use std::path::{Path, PathBuf};

use crate::cli::CompletionShell;

const BASH: &str = include_str!("../../shell-hooks/guard.bash");
const ZSH: &str = include_str!("../../shell-hooks/guard.zsh");
const FISH: &str = include_str!("../../shell-hooks/guard.fish");

/// Where each script names the guard binary.
const BIN_PLACEHOLDER: &str = "@GUARD_BIN@";

/// The script for `shell`, calling `binary` (or `guard` from PATH when there is none).
pub fn script(shell: CompletionShell, binary: Option<&Path>) -> String {
    let text = match shell {
        CompletionShell::Bash => BASH,
        CompletionShell::Zsh => ZSH,
        CompletionShell::Fish => FISH,
    };
    // A path that is not UTF-8 cannot be written into the script; PATH will have to do.
    let bin = binary.and_then(Path::to_str).unwrap_or("guard");
    text.replace(BIN_PLACEHOLDER, &quote(shell, bin))
}

/// The script for `shell`, calling the guard binary that is running now.
pub fn for_this_binary(shell: CompletionShell) -> String {
    script(shell, current_binary().as_deref())
}

/// The running guard binary, if it still exists where it was started from.
pub fn current_binary() -> Option<PathBuf> {
    std::env::current_exe().ok().filter(|p| p.is_file())
}

/// `text` as one single-quoted word of `shell`.
pub fn quote(shell: CompletionShell, text: &str) -> String {
    match shell {
        // POSIX shells: nothing is special inside '…'; a quote is closed, escaped and reopened.
        CompletionShell::Bash | CompletionShell::Zsh => format!("'{}'", text.replace('\'', r"'\''")),
        // fish: inside '…' only \\ and \' are escapes.
        CompletionShell::Fish => format!("'{}'", text.replace('\\', r"\\").replace('\'', r"\'")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_a_path_as_one_word_for_each_shell() {
        let cases: &[(CompletionShell, &str, &str)] = &[
            (CompletionShell::Bash, "/usr/bin/guard", "'/usr/bin/guard'"),
            (CompletionShell::Bash, "/o'neil/guard", r"'/o'\''neil/guard'"),
            (CompletionShell::Zsh, "/a b/$HOME/guard", "'/a b/$HOME/guard'"),
            (CompletionShell::Fish, "/usr/bin/guard", "'/usr/bin/guard'"),
            (CompletionShell::Fish, r"/o'neil\x/guard", r"'/o\'neil\\x/guard'"),
        ];
        for (shell, path, want) in cases {
            assert_eq!(quote(*shell, path), *want, "{shell:?} {path}");
        }
    }

    #[test]
    fn every_script_names_the_binary_and_falls_back_to_path() {
        for shell in [CompletionShell::Bash, CompletionShell::Zsh, CompletionShell::Fish] {
            let with = script(shell, Some(Path::new("/opt/guard/bin/guard")));
            assert!(with.contains("'/opt/guard/bin/guard'"), "{shell:?}");
            assert!(!with.contains(BIN_PLACEHOLDER), "{shell:?}");
            let without = script(shell, None);
            assert!(without.contains("'guard'"), "{shell:?}");
        }
    }
}
