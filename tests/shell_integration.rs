//! The interactive shell integrations in real shells: bash always, zsh and fish when installed,
//! each typed into through tmux, with HOME, ZDOTDIR, the XDG directories and the working
//! directory in a fresh temporary directory and a clean start-up file that loads the
//! integration. A missing shell (or tmux) is reported and skipped, except under `CI=true`,
//! where it fails. Every wait polls for an effect (a file, text on the screen) with a generous
//! time limit; nothing sleeps for a fixed time.

#![allow(clippy::unwrap_used)] // a test fails loudly on what it did not expect

use std::ffi::OsString;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use guard::cli::CompletionShell;
use guard::integrate::shell_init::quote;

const GUARD: &str = env!("CARGO_BIN_EXE_guard");
const PROMPT: &str = "guard-test> ";
/// What guard prints when it refuses the line the sessions try.
const REASON: &str = "deletes the test victim";
const WAIT: Duration = Duration::from_secs(40);

/// The built-in rules allow `rm -rf ./victim` (a directory inside the working directory), so
/// the sessions run with a user policy file that denies it.
const POLICY: &str = include_str!("fixtures/deny-victim.yaml");

fn installed(program: &str) -> bool {
    std::env::var_os("PATH").is_some_and(|p| std::env::split_paths(&p).any(|d| d.join(program).is_file()))
}

/// Whether `program` is there to test with: a missing one fails under CI and is skipped,
/// loudly, elsewhere.
fn available(program: &str) -> bool {
    if installed(program) {
        return true;
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "{program} is not installed and CI must run every shell test: install it (.ci/run does)"
    );
    // Straight to stderr: the test harness would hide an eprintln! of a passing test.
    let _ =
        writeln!(std::io::stderr(), "SKIPPED: {program} is not installed, so its shell integration tests did not run");
    false
}

#[derive(Clone, Copy)]
struct Shell {
    kind: CompletionShell,
    name: &'static str,
    /// Commands that switch checking off and on again.
    disable: &'static str,
    enable: &'static str,
}

const BASH: Shell =
    Shell { kind: CompletionShell::Bash, name: "bash", disable: "GUARD_DISABLE=1", enable: "unset GUARD_DISABLE" };
const ZSH: Shell =
    Shell { kind: CompletionShell::Zsh, name: "zsh", disable: "GUARD_DISABLE=1", enable: "unset GUARD_DISABLE" };
const FISH: Shell = Shell {
    kind: CompletionShell::Fish,
    name: "fish",
    disable: "set -g GUARD_DISABLE 1",
    enable: "set -e GUARD_DISABLE",
};

/// A temporary home with a working directory holding `victim`, and the denying policy.
struct Sandbox {
    _tmp: tempfile::TempDir,
    root: PathBuf,
    home: PathBuf,
    work: PathBuf,
}

impl Sandbox {
    fn new() -> Sandbox {
        let tmp = tempfile::Builder::new().prefix("guard-sh-").tempdir().unwrap();
        let root = tmp.path().to_path_buf();
        let home = root.join("home");
        let work = home.join("work");
        for d in [work.join("victim"), home.join(".config/guard"), root.join("bin"), root.join("zdotdir")] {
            std::fs::create_dir_all(d).unwrap();
        }
        std::fs::write(home.join(".config/guard/test.yaml"), POLICY).unwrap();
        Sandbox { _tmp: tmp, root, home, work }
    }

    /// The whole environment of the shells: nothing leaks in from the one running the tests.
    fn env(&self, path: &str) -> Vec<(&'static str, OsString)> {
        let h = |p: &str| self.home.join(p).into_os_string();
        vec![
            ("HOME", self.home.clone().into_os_string()),
            ("PATH", path.into()),
            ("XDG_CONFIG_HOME", h(".config")),
            ("XDG_STATE_HOME", h(".local/state")),
            ("XDG_DATA_HOME", h(".local/share")),
            ("XDG_CACHE_HOME", h(".cache")),
            ("ZDOTDIR", self.root.join("zdotdir").into_os_string()),
            ("SHELL", "/bin/sh".into()),
            ("TERM", "xterm-256color".into()),
            ("LANG", "C.UTF-8".into()),
        ]
    }

    /// A PATH holding the system's tools and, first, this sandbox's `bin`.
    fn path(&self) -> String {
        format!("{}:/usr/local/bin:/usr/bin:/bin", self.root.join("bin").display())
    }

    /// `guard init SHELL` as run by a guard binary at `at`, which the script then names.
    fn hook(&self, shell: Shell, at: &Path) -> PathBuf {
        std::fs::create_dir_all(at.parent().unwrap()).unwrap();
        std::fs::hard_link(GUARD, at).or_else(|_| std::fs::copy(GUARD, at).map(drop)).unwrap();
        let out = Command::new(at).args(["init", shell.name]).output().unwrap();
        assert!(out.status.success(), "guard init {}: {}", shell.name, String::from_utf8_lossy(&out.stderr));
        let script = String::from_utf8(out.stdout).unwrap();
        assert!(script.contains(&quote(shell.kind, at.to_str().unwrap())), "the script does not name {}", at.display());
        let path = self.root.join(format!("guard.{}", shell.name));
        std::fs::write(&path, script).unwrap();
        path
    }

    /// A `guard` on PATH that records each call, then runs the real one.
    fn logging_guard_on_path(&self) {
        let wrapper = self.root.join("bin/guard");
        let log = self.home.join("calls.log");
        let text = format!("#!/bin/sh\necho call >> '{}'\nexec '{GUARD}' \"$@\"\n", log.display());
        write_executable(&wrapper, &text);
    }

    /// Write the start-up file that loads `hook` (twice: loading must be idempotent) next to
    /// hooks of the kind other tools install, and return the command that starts the shell.
    fn start_up(&self, shell: Shell, hook: &Path) -> Vec<String> {
        let hook = hook.display();
        match shell.kind {
            CompletionShell::Bash => {
                let rc = self.root.join("bashrc");
                let text = format!(
                    "PS1='{PROMPT}'\n\
                     PROMPT_COMMAND='echo prompt >> \"$HOME/prompt.log\"'\n\
                     trap 'echo \"$BASH_COMMAND\" >> \"$HOME/ran.log\"' DEBUG\n\
                     source '{hook}'\nsource '{hook}'\n"
                );
                std::fs::write(&rc, text).unwrap();
                vec!["bash".into(), "--noprofile".into(), "--rcfile".into(), rc.display().to_string(), "-i".into()]
            }
            CompletionShell::Zsh => {
                let text = format!(
                    "PS1='{PROMPT}'\n\
                     bindkey -e\n\
                     logged-accept-line() {{ echo accepted >> \"$HOME/wrapper.log\"; zle .accept-line }}\n\
                     zle -N accept-line logged-accept-line\n\
                     log-preexec() {{ print -r -- \"$1\" >> \"$HOME/ran.log\" }}\n\
                     preexec_functions+=(log-preexec)\n\
                     source '{hook}'\nsource '{hook}'\n\
                     zle -N copy-of-accept-line ${{widgets[accept-line]#*:}}\n\
                     later-accept-line() {{ echo accepted >> \"$HOME/later.log\"; zle copy-of-accept-line -- \"$@\" }}\n\
                     zle -N accept-line later-accept-line\n"
                );
                std::fs::write(self.root.join("zdotdir/.zshrc"), text).unwrap();
                vec!["zsh".into(), "-i".into()]
            }
            CompletionShell::Fish => {
                let dir = self.home.join(".config/fish");
                std::fs::create_dir_all(&dir).unwrap();
                let text = format!(
                    "function fish_prompt; echo -n '{PROMPT}'; end\n\
                     function fish_greeting; end\n\
                     function log_preexec --on-event fish_preexec; echo $argv >> $HOME/ran.log; end\n\
                     source '{hook}'\nsource '{hook}'\n"
                );
                std::fs::write(dir.join("config.fish"), text).unwrap();
                vec!["fish".into(), "-i".into()]
            }
        }
    }

    fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.home.join(name)).unwrap_or_default()
    }
}

fn write_executable(path: &Path, text: &str) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::write(path, text).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// One interactive shell in a private tmux server.
struct Session {
    socket: PathBuf,
    env: Vec<(&'static str, OsString)>,
    name: &'static str,
}

impl Session {
    fn start(sb: &Sandbox, shell: Shell, env: Vec<(&'static str, OsString)>, argv: &[String]) -> Session {
        let s = Session { socket: sb.root.join("tmux.sock"), env, name: shell.name };
        let mut args: Vec<String> =
            ["-f", "/dev/null", "new-session", "-d", "-x", "200", "-y", "50", "-c"].map(String::from).to_vec();
        args.push(sb.work.display().to_string());
        args.extend(argv.iter().cloned());
        s.tmux(&args.iter().map(String::as_str).collect::<Vec<_>>());
        s.wait("the first prompt", || s.screen().contains(PROMPT));
        s
    }

    fn tmux(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .env_clear()
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .arg("-S")
            .arg(&self.socket)
            .args(args)
            .output()
            .unwrap();
        assert!(out.status.success(), "tmux {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Type `text` and press Enter.
    fn enter(&self, text: &str) {
        self.tmux(&["send-keys", "-l", text]);
        self.tmux(&["send-keys", "Enter"]);
    }

    fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys"];
        args.extend_from_slice(keys);
        self.tmux(&args);
    }

    /// Everything the terminal has shown, scrollback included.
    fn screen(&self) -> String {
        self.tmux(&["capture-pane", "-p", "-J", "-S", "-"])
    }

    fn count(&self, needle: &str) -> usize {
        self.screen().matches(needle).count()
    }

    fn wait(&self, what: &str, done: impl Fn() -> bool) {
        let start = Instant::now();
        while !done() {
            assert!(
                start.elapsed() < WAIT,
                "{}: gave up waiting for {what}; the terminal shows:\n{}",
                self.name,
                self.screen()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Wait until guard has refused a line once more than `seen` times and the shell is back
    /// at its prompt (drawn again below the reason).
    fn wait_refused(&self, seen: usize) {
        self.wait("a refusal and the prompt after it", || {
            let screen = self.screen();
            screen.matches(REASON).count() > seen && screen.rfind(PROMPT) > screen.rfind(REASON)
        });
    }

    /// The refused line, brought back from the history with Up, as [`Session::buffer_into`]
    /// finds it; `None` where the shell cannot add to its history (fish 3), which then shows
    /// the line instead.
    fn recalled(&self, sb: &Sandbox, file: &str) -> Option<String> {
        let screen = self.screen();
        let said = screen.rfind("guard: the line was not run").expect("guard says the line was set aside");
        if screen[said..].starts_with("guard: the line was not run; it is shown above") {
            return None;
        }
        self.keys(&["Up"]);
        Some(self.buffer_into(sb, file))
    }

    /// Type `text` one key at a time, as a person does.
    fn type_slowly(&self, text: &str) {
        for c in text.chars() {
            self.tmux(&["send-keys", "-l", &c.to_string()]);
            std::thread::sleep(Duration::from_millis(40));
        }
    }

    /// Prove what is in the editing buffer by turning it into `echo 'LINE' > FILE` and running
    /// that: FILE then holds the line.
    fn buffer_into(&self, sb: &Sandbox, file: &str) -> String {
        self.keys(&["C-a"]);
        self.tmux(&["send-keys", "-l", "echo '"]);
        self.keys(&["C-e"]);
        self.enter(&format!("' > {file}"));
        let path = sb.work.join(file);
        self.wait(&format!("{file} to be written"), || std::fs::read_to_string(&path).is_ok_and(|t| t.ends_with('\n')));
        std::fs::read_to_string(path).unwrap()
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        let _ = Command::new("tmux").env_clear().arg("-S").arg(&self.socket).arg("kill-server").output();
    }
}

/// Allowed lines run, refused ones stay in the buffer and run nothing (a compound line and a
/// multi-line one included), other hooks keep firing, loading twice changes nothing, and
/// GUARD_DISABLE=1 lets lines through for as long as it is set.
fn judges_typed_lines(shell: Shell) {
    if !available("tmux") || !available(shell.name) {
        return;
    }
    let sb = Sandbox::new();
    // The path the script names is gone; the guard on PATH (which logs its calls) stands in.
    let gone = sb.root.join("gone/guard");
    let hook = sb.hook(shell, &gone);
    std::fs::remove_file(&gone).unwrap();
    sb.logging_guard_on_path();
    let argv = sb.start_up(shell, &hook);
    let s = Session::start(&sb, shell, sb.env(&sb.path()), &argv);
    let victim = sb.work.join("victim");

    s.enter("touch ok");
    s.wait("`touch ok` to run", || sb.work.join("ok").exists());
    assert_eq!(sb.read("calls.log").lines().count(), 1, "{}: one line, one check", shell.name);
    assert!(sb.read("ran.log").lines().any(|l| l.contains("touch ok")), "{}: preexec-style hook", shell.name);

    s.enter("rm -rf ./victim");
    s.wait_refused(0);
    if let Some(line) = s.recalled(&sb, "buffer1.txt") {
        assert_eq!(line, "rm -rf ./victim\n", "{}", shell.name);
    }
    assert!(victim.is_dir(), "{}: victim was deleted", shell.name);

    let seen = s.count(REASON);
    s.enter("touch a; rm -rf ./victim");
    s.wait_refused(seen);
    if let Some(line) = s.recalled(&sb, "buffer2.txt") {
        assert_eq!(line, "touch a; rm -rf ./victim\n", "{}", shell.name);
    }
    assert!(!sb.work.join("a").exists() && victim.is_dir(), "{}: part of a refused line ran", shell.name);

    // A line that is not finished is not judged yet; the finished whole is.
    s.enter("echo piped |");
    s.enter("cat > piped.txt");
    s.wait("the two-line pipeline to run", || {
        std::fs::read_to_string(sb.work.join("piped.txt")).is_ok_and(|t| t == "piped\n")
    });
    let seen = s.count(REASON);
    s.enter("true &&");
    s.enter("rm -rf ./victim");
    s.wait_refused(seen);
    if !matches!(shell.kind, CompletionShell::Fish) {
        // guard reads bash syntax, so loops are for the shells that share it.
        s.enter("for f in x y; do");
        s.enter("touch \"loop-$f\"");
        s.enter("done");
        s.wait("the loop to run", || sb.work.join("loop-y").exists());
    }
    assert!(victim.is_dir(), "{}: victim was deleted", shell.name);

    let ran = sb.read("ran.log");
    assert!(
        !ran.lines().any(|l| l.starts_with("rm -rf") || l.starts_with("touch a") || l.starts_with("true")),
        "{}: a refused line reached the shell:\n{ran}",
        shell.name
    );
    match shell.kind {
        CompletionShell::Bash => {
            assert!(sb.read("prompt.log").lines().count() >= 5, "{}: PROMPT_COMMAND stopped", shell.name)
        }
        CompletionShell::Zsh => {
            // Wrappers installed before the integration (called by it) and after (calling it).
            assert!(sb.read("wrapper.log").lines().count() >= 4, "{}: the earlier wrapper stopped", shell.name);
            assert!(sb.read("later.log").lines().count() >= 6, "{}: the later wrapper stopped", shell.name);
        }
        CompletionShell::Fish => {}
    }

    s.enter(shell.disable);
    s.enter("rm -rf ./victim");
    s.wait("the line to run with GUARD_DISABLE=1", || !victim.exists());
    std::fs::create_dir(&victim).unwrap();
    s.enter(shell.enable);
    let seen = s.count(REASON);
    s.enter("rm -rf ./victim");
    s.wait_refused(seen);
    assert!(victim.is_dir(), "{}: checking did not resume after GUARD_DISABLE", shell.name);
}

/// Without a working guard the shell still runs every line, and says why once per problem.
fn keeps_working_without_guard(shell: Shell) {
    if !available("tmux") || !available(shell.name) {
        return;
    }
    let sb = Sandbox::new();
    let named = sb.root.join("named/guard");
    let hook = sb.hook(shell, &named);
    std::fs::remove_file(&named).unwrap();
    write_executable(&named, "#!/bin/sh\necho 'broken on purpose' >&2\nexit 3\n");
    let argv = sb.start_up(shell, &hook);
    // No guard on PATH at all.
    let s = Session::start(&sb, shell, sb.env("/usr/local/bin:/usr/bin:/bin"), &argv);

    let failed = "failed (exit 3)";
    s.enter("touch one");
    s.wait("`touch one` to run", || sb.work.join("one").exists());
    s.enter("touch two");
    s.wait("`touch two` to run", || sb.work.join("two").exists());
    assert_eq!(s.count(failed), 1, "{}: notice once per session:\n{}", shell.name, s.screen());
    assert!(s.screen().contains("broken on purpose"), "{}: the notice says why", shell.name);

    std::fs::remove_file(&named).unwrap();
    let gone = "guard binary is gone";
    s.enter("touch three");
    s.wait("`touch three` to run", || sb.work.join("three").exists());
    s.enter("touch four");
    s.wait("`touch four` to run", || sb.work.join("four").exists());
    assert_eq!(s.count(gone), 1, "{}: notice once per session:\n{}", shell.name, s.screen());
}

#[test]
fn bash_judges_typed_lines() {
    judges_typed_lines(BASH);
}

#[test]
fn zsh_judges_typed_lines() {
    judges_typed_lines(ZSH);
}

#[test]
fn fish_judges_typed_lines() {
    judges_typed_lines(FISH);
}

#[test]
fn bash_keeps_working_without_guard() {
    keeps_working_without_guard(BASH);
}

#[test]
fn zsh_keeps_working_without_guard() {
    keeps_working_without_guard(ZSH);
}

#[test]
fn fish_keeps_working_without_guard() {
    keeps_working_without_guard(FISH);
}

/// Loaded by a shell that is not interactive (a script, `bash -c`), the integration does nothing.
#[test]
fn does_nothing_in_a_non_interactive_shell() {
    for (shell, load_and_report) in [
        (BASH, r#"eval "$(@BIN@ init bash)"; echo "[${GUARD_SHELL_INTEGRATION-}]""#),
        (ZSH, r#"eval "$(@BIN@ init zsh)"; print -r -- "[${GUARD_SHELL_INTEGRATION-}]""#),
        (FISH, r#"@BIN@ init fish | source; echo "[$GUARD_SHELL_INTEGRATION]""#),
    ] {
        if !available(shell.name) {
            continue;
        }
        let sb = Sandbox::new();
        let script = load_and_report.replace("@BIN@", &quote(shell.kind, GUARD));
        let out = Command::new(shell.name)
            .arg("-c")
            .arg(&script)
            .env_clear()
            .envs(sb.env("/usr/bin:/bin"))
            .current_dir(&sb.work)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}: {}", shell.name, String::from_utf8_lossy(&out.stderr));
        assert_eq!(String::from_utf8_lossy(&out.stdout), "[]\n", "{}", shell.name);
        assert_eq!(String::from_utf8_lossy(&out.stderr), "", "{}", shell.name);
    }
}

/// The binary's path is written into the scripts as one word, whatever it contains.
#[test]
fn each_shell_reads_back_an_awkward_binary_path() {
    let path = "/opt/it's here/$HOME/back\\slash/guard";
    for shell in [BASH, ZSH, FISH] {
        if !available(shell.name) {
            continue;
        }
        let out =
            Command::new(shell.name).arg("-c").arg(format!("printf %s {}", quote(shell.kind, path))).output().unwrap();
        assert_eq!(String::from_utf8_lossy(&out.stdout), path, "{}", shell.name);
    }
}

/// At a person's own prompt: a refusal speaks to the person (what they can do, not "ask the
/// user"), a refused line is set aside so that what a program types next is judged on its own,
/// and `guard once` runs the denied line once after the rule's id is typed key by key — not
/// when it is pasted in one go, and never for the breaker. Each override is in the audit log.
fn a_person_at_the_prompt(shell: Shell) {
    if !available("tmux") || !available(shell.name) {
        return;
    }
    let sb = Sandbox::new();
    let hook = sb.hook(shell, &sb.root.join("bin/guard"));
    let argv = sb.start_up(shell, &hook);
    let s = Session::start(&sb, shell, sb.env(&sb.path()), &argv);
    let victim = sb.work.join("victim");

    s.enter("rm -rf ./victim");
    s.wait_refused(0);
    let screen = s.screen();
    assert!(screen.contains("your policy denies this"), "{}: {screen}", shell.name);
    assert!(screen.contains("guard once 'rm -rf ./victim'"), "{}: {screen}", shell.name);
    assert!(!screen.contains("ask the user"), "{}: worded for an agent: {screen}", shell.name);

    // A program types on at once: its line runs as itself, not appended to the refused one.
    s.enter("touch typed-after");
    s.wait("the next line to run on its own", || sb.work.join("typed-after").exists());
    assert!(victim.is_dir(), "{}", shell.name);

    // Pasted in one go, the confirmation does not count.
    s.enter("guard once 'rm -rf ./victim'");
    s.wait("the confirmation prompt", || s.screen().contains("Type test.rm-victim to run it once"));
    s.enter("test.rm-victim");
    s.wait("the pasted confirmation to be refused", || s.screen().contains("faster than anyone types"));
    assert!(victim.is_dir(), "{}: a pasted confirmation ran it", shell.name);

    // Typed key by key, it runs the line once.
    let prompts = s.count("Type test.rm-victim to run it once");
    s.enter("guard once 'rm -rf ./victim'");
    s.wait("the confirmation prompt again", || s.count("Type test.rm-victim to run it once") > prompts);
    s.type_slowly("test.rm-victim");
    s.keys(&["Enter"]);
    s.wait("the confirmed line to run", || !victim.exists());
    let log = std::fs::read_to_string(sb.home.join(".local/state/guard/audit.jsonl")).unwrap();
    let overridden: Vec<&str> = log.lines().filter(|l| l.contains(r#""action":"overridden""#)).collect();
    assert_eq!(overridden.len(), 1, "{}: {log}", shell.name);
    assert!(overridden[0].contains("rm -rf ./victim") && overridden[0].contains(r#""face":"once""#), "{}", shell.name);
    assert!(log.lines().any(|l| l.contains(r#""action":"denied-by-human""#)), "{}: the pasted try", shell.name);

    // The breaker: refused at the prompt, and by `guard once` itself when the prompt lets it by.
    std::fs::create_dir(&victim).unwrap();
    s.enter("guard once 'rm -rf ~'");
    s.wait("the breaker's refusal", || s.screen().contains("It is never run"));
    s.enter(shell.disable);
    s.enter("guard once 'rm -rf ~'");
    s.wait("guard once to refuse the breaker", || s.screen().contains("critical.breaker denies it"));
    assert!(sb.home.join(".config/guard/test.yaml").exists(), "{}: the home was touched", shell.name);
    assert!(!s.screen().contains("Type critical.breaker"), "{}: the breaker was offered", shell.name);
}

#[test]
fn bash_speaks_to_the_person_at_the_prompt() {
    a_person_at_the_prompt(BASH);
}

#[test]
fn zsh_speaks_to_the_person_at_the_prompt() {
    a_person_at_the_prompt(ZSH);
}

#[test]
fn fish_speaks_to_the_person_at_the_prompt() {
    a_person_at_the_prompt(FISH);
}

/// Plain `guard` at a terminal is bash with the integration loaded, and says so in one line,
/// with how to leave.
#[test]
fn plain_guard_says_it_is_active_and_how_to_leave() {
    if !available("tmux") || !available("bash") {
        return;
    }
    let sb = Sandbox::new();
    std::fs::write(sb.home.join(".bashrc"), format!("PS1='{PROMPT}'\n")).unwrap();
    let s = Session::start(&sb, BASH, sb.env(&sb.path()), &[GUARD.to_string()]);
    s.wait("the banner", || s.screen().contains("guard: active: every line you type is judged"));
    assert!(s.screen().contains("type exit (or Ctrl-D) to leave"), "{}", s.screen());
    s.enter("rm -rf ./victim");
    s.wait_refused(0);
    assert!(sb.work.join("victim").is_dir());
}
