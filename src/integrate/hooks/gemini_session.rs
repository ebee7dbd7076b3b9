//! Whether a person can answer Gemini CLI's confirmation prompt, so that guard's `ask` is one.
//!
//! Gemini CLI's hook input does not say. Its own rule (`isHeadlessMode`, Gemini CLI 0.61) is:
//! headless when `CI` or `GITHUB_ACTIONS` is `true` (unless `GEMINI_CLI_INTEGRATION_TEST` is),
//! when its standard input or output is not a terminal, or when it was given a prompt (`-p`,
//! `--prompt`, or a positional query); `-i`/`--prompt-interactive` keeps it interactive. guard
//! reads the same facts from the environment the hook inherits and from Gemini CLI's process
//! (the nearest ancestor that is not a shell, whose command line names gemini): its descriptors 0
//! and 1 and its arguments. A positional query cannot be told from an option's value, so such a
//! headless run is taken for interactive: Gemini CLI then ends the run at the ask, and the
//! command still does not run. Anything guard cannot read is headless, and an ask is a deny.

/// What guard could read of the process that runs it as a hook.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HostProcess {
    pub argv: Vec<String>,
    pub stdin_tty: bool,
    pub stdout_tty: bool,
}

/// Whether Gemini CLI is interactive, from its environment (`var`) and its process.
pub fn interactive(var: impl Fn(&str) -> Option<String>, process: Option<&HostProcess>) -> bool {
    let is_true = |n: &str| var(n).as_deref() == Some("true");
    if !is_true("GEMINI_CLI_INTEGRATION_TEST") && (is_true("CI") || is_true("GITHUB_ACTIONS")) {
        return false;
    }
    let Some(p) = process else { return false };
    // The program (a single binary), or the script node runs after its own options
    // (`node --max-old-space-size=… …/@google/gemini-cli/bundle/gemini.js`, as Gemini CLI
    // relaunches itself).
    let script = p.argv.iter().skip(1).find(|a| !a.starts_with('-'));
    let names_gemini = p.argv.first().into_iter().chain(script).any(|a| a.to_ascii_lowercase().contains("gemini"));
    let given = |short: &str, long: &str| {
        p.argv
            .iter()
            .skip(1)
            .any(|a| a == short || a == long || a.strip_prefix(long).is_some_and(|r| r.starts_with('=')))
    };
    let prompt = given("-p", "--prompt") && !given("-i", "--prompt-interactive");
    names_gemini && p.stdin_tty && p.stdout_tty && !prompt
}

/// The process that started this hook: the nearest ancestor that is not a shell (Gemini CLI
/// runs hooks with `bash -c`), within a few steps.
pub fn host_process() -> Option<HostProcess> {
    let mut pid = std::os::unix::process::parent_id();
    for _ in 0..4 {
        let comm = std::fs::read_to_string(format!("/proc/{pid}/comm")).ok()?;
        if !matches!(comm.trim_end(), "bash" | "sh" | "dash" | "zsh") {
            let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).ok()?;
            let argv = cmdline
                .split(|b| *b == 0)
                .filter(|a| !a.is_empty())
                .map(|a| String::from_utf8_lossy(a).into_owned())
                .collect();
            let tty = |fd: u8| {
                std::fs::read_link(format!("/proc/{pid}/fd/{fd}"))
                    .is_ok_and(|t| t.starts_with("/dev/pts/") || t.to_string_lossy().starts_with("/dev/tty"))
            };
            return Some(HostProcess { argv, stdin_tty: tty(0), stdout_tty: tty(1) });
        }
        pid = parent_of(pid)?;
    }
    None
}

/// The parent of `pid`, from `/proc/PID/stat` (after the command name, which may hold spaces).
fn parent_of(pid: u32) -> Option<u32> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    stat.rsplit_once(')')?.1.split_whitespace().nth(1)?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gemini(args: &[&str], tty: bool) -> HostProcess {
        let mut argv =
            vec!["/usr/bin/node".to_string(), "/usr/lib/node_modules/@google/gemini-cli/dist/index.js".into()];
        argv.extend(args.iter().map(|a| a.to_string()));
        HostProcess { argv, stdin_tty: tty, stdout_tty: tty }
    }

    #[test]
    fn asks_only_where_gemini_cli_itself_would_prompt() {
        let none = |_: &str| None;
        let table: &[(&str, HostProcess, bool)] = &[
            ("a session at a terminal", gemini(&[], true), true),
            ("with options that are not a prompt", gemini(&["-m", "gemini-2.5-pro", "--yolo"], true), true),
            ("-i keeps it interactive", gemini(&["-i", "fix the tests"], true), true),
            ("-p", gemini(&["-p", "fix the tests"], true), false),
            ("--prompt", gemini(&["--prompt", "x"], true), false),
            ("--prompt=", gemini(&["--prompt=x"], true), false),
            ("no terminal", gemini(&[], false), false),
            ("only stdout a terminal", HostProcess { stdin_tty: false, ..gemini(&[], true) }, false),
            (
                "a prompt that names gemini",
                HostProcess {
                    argv: vec!["python3".into(), "agent.py".into(), "gemini".into()],
                    stdin_tty: true,
                    stdout_tty: true,
                },
                false,
            ),
            (
                "a process that is not Gemini CLI",
                HostProcess {
                    argv: vec!["/usr/bin/python3".into(), "agent.py".into()],
                    stdin_tty: true,
                    stdout_tty: true,
                },
                false,
            ),
            (
                "Gemini CLI relaunched with more memory",
                HostProcess {
                    argv: ["/usr/bin/node", "--max-old-space-size=8192", "/usr/local/bin/gemini"]
                        .map(String::from)
                        .to_vec(),
                    stdin_tty: true,
                    stdout_tty: true,
                },
                true,
            ),
            (
                "Gemini CLI as one binary",
                HostProcess { argv: vec!["gemini".into()], stdin_tty: true, stdout_tty: true },
                true,
            ),
        ];
        for (what, process, want) in table {
            assert_eq!(interactive(none, Some(process)), *want, "{what}");
        }
        assert!(!interactive(none, None), "nothing read: headless");
    }

    #[test]
    fn ci_is_headless_unless_gemini_clis_own_tests_say_otherwise() {
        let p = gemini(&[], true);
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |n: &str| pairs.iter().find(|(k, _)| *k == n).map(|(_, v)| v.to_string())
        };
        assert!(!interactive(env(&[("CI", "true")]), Some(&p)));
        assert!(!interactive(env(&[("GITHUB_ACTIONS", "true")]), Some(&p)));
        assert!(interactive(env(&[("CI", "1")]), Some(&p)), "only `true` counts, as in Gemini CLI");
        assert!(interactive(env(&[("CI", "true"), ("GEMINI_CLI_INTEGRATION_TEST", "true")]), Some(&p)));
    }

    #[test]
    fn reads_the_parent_of_a_process() {
        let me = std::process::id();
        assert_eq!(parent_of(me), Some(std::os::unix::process::parent_id()));
        assert_eq!(parent_of(u32::MAX), None);
    }
}
