//! The README's hard boundary with two real users: a person who owns a shared approval store,
//! and an agent that runs as a user of its own and tries every way it has to get a command
//! judged `ask` run without the person. It is the README's recipe exactly — the same owners,
//! modes and settings — except that temporary directories stand in for `/etc/guard`, for
//! `/srv/guard-approvals` and for the users' homes: every guard command runs in a private mount
//! namespace where the stand-in is bind-mounted over `/etc/guard`, so the machine's own
//! `/etc/guard` (which every other test reads) is never written. Each command runs as its user
//! through `setpriv`; the person answers on a real pseudo-terminal.
//!
//! The command asked about is `bump approved-marker`, a program made here that appends a line
//! to the marker: that the marker is missing after each refused attempt, and holds one line
//! after the approved one, is what happened, on disk. The system policy is locked and denies
//! `shred`: the agent's own policy files, `--policy`, a nested guard, observe mode, another
//! shell and a request of its own making each try to get `shred -u victim` run, and the victim
//! must keep its content. What the agent writes in its request about why it asks, escape
//! sequences and all, is never what the person is shown.
//!
//! Creating users needs root. Run as anyone else the test says SKIPPED, and fails when CI=true.

#![allow(clippy::unwrap_used)] // a test fails loudly on what it did not expect

mod sandbox;

use std::fs::{self};
use std::io::Write;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use sandbox::{describe, in_terminal, text, write_executable};

/// Refused: exit status of a command guard did not run.
const REFUSED: i32 = 126;

/// Switches to the user in the mount namespace `unshare` made, after putting the stand-in over
/// `/etc/guard`: `sh -c SWITCH sh ETC USER PROGRAM ARGS…`.
const SWITCH: &str = concat!(
    r#"etc=$1 user=$2; shift 2; mount --bind "$etc" /etc/guard && "#,
    r#"exec setpriv --reuid="$user" --regid="$user" --init-groups -- "$@""#
);

struct User {
    name: String,
    uid: u32,
    home: PathBuf,
}

impl User {
    fn work(&self) -> PathBuf {
        self.home.join("work")
    }

    fn state(&self) -> PathBuf {
        self.home.join(".local/state")
    }

    fn config(&self) -> PathBuf {
        self.home.join(".config")
    }
}

/// Accounts made for the test, removed with their homes and groups however the test ends.
struct Accounts(Vec<String>);

impl Drop for Accounts {
    fn drop(&mut self) {
        for name in &self.0 {
            let _ = Command::new("userdel").args(["-f", "-r", name]).output();
            let _ = Command::new("groupdel").arg(name).output();
        }
    }
}

/// `/etc/guard` must exist to be mounted over; made empty when missing, and removed again.
struct EtcGuard {
    made: bool,
}

impl EtcGuard {
    fn ensure() -> EtcGuard {
        let path = Path::new("/etc/guard");
        if path.exists() {
            return EtcGuard { made: false };
        }
        fs::create_dir(path).expect("/etc/guard is made");
        fs::set_permissions(path, fs::Permissions::from_mode(0o755)).unwrap();
        EtcGuard { made: true }
    }
}

impl Drop for EtcGuard {
    fn drop(&mut self) {
        if self.made {
            // Only an empty directory is removed: nothing was written into it.
            let _ = fs::remove_dir("/etc/guard");
        }
    }
}

/// The machine as the README sets it up, in temporary directories.
struct World {
    person: User,
    agent: User,
    /// Stands in for `/srv/guard-approvals`.
    store: PathBuf,
    /// Stands in for `/etc/guard`.
    etc: PathBuf,
    bin: PathBuf,
    // Dropped in this order: the accounts (and homes), the stand-ins, then `/etc/guard`.
    _accounts: Accounts,
    _base: tempfile::TempDir,
    _etc_guard: EtcGuard,
}

fn run(program: &str, args: &[&str]) {
    let o = Command::new(program).args(args).output().unwrap_or_else(|e| panic!("{program}: {e}"));
    assert!(o.status.success(), "{program} {args:?}: {}", describe(&o));
}

fn chown(path: &Path, owner: &str, group: &str) {
    run("chown", &[&format!("{owner}:{group}"), path.to_str().unwrap()]);
}

fn chmod(path: &Path, mode: u32) {
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).unwrap();
}

impl World {
    fn new() -> World {
        let etc_guard = EtcGuard::ensure();
        let base = tempfile::Builder::new().prefix("guard-two-users").tempdir().unwrap();
        chmod(base.path(), 0o755);
        let pid = std::process::id();
        let mut accounts = Accounts(Vec::new());
        let mut user = |prefix: &str| {
            let name = format!("{prefix}{pid}");
            let home = base.path().join(&name);
            fs::create_dir(&home).unwrap();
            accounts.0.push(name.clone());
            run("useradd", &["-M", "-U", "-d", home.to_str().unwrap(), "-s", "/bin/sh", &name]);
            for d in ["work", ".config", ".local/state"] {
                fs::create_dir_all(home.join(d)).unwrap();
            }
            run("chown", &["-R", &format!("{name}:{name}"), home.to_str().unwrap()]);
            chmod(&home, 0o700);
            let uid = guard::environment::uid_of(&name).expect("the new account is in /etc/passwd");
            User { name, uid, home }
        };
        let person = user("gtp");
        let agent = user("gta");

        // The programs, where both users can run them.
        let bin = base.path().join("bin");
        fs::create_dir(&bin).unwrap();
        fs::copy(env!("CARGO_BIN_EXE_guard"), bin.join("guard")).unwrap();
        chmod(&bin.join("guard"), 0o755);
        write_executable(&bin.join("bump"), "#!/bin/sh\necho ran >> \"$1\"\n");

        // README step 3: the store, owned by the person, shared with the agent's group.
        let srv = base.path().join("srv");
        fs::create_dir(&srv).unwrap();
        chmod(&srv, 0o755);
        let store = srv.join("guard-approvals");
        let owner = &person.name;
        run("install", &["-d", "-o", owner, "-g", &agent.name, "-m", "0750", store.to_str().unwrap()]);
        run("install", &["-d", "-o", owner, "-g", &agent.name, "-m", "3770", store.join("requests").to_str().unwrap()]);

        // README step 2 and 4: the system policy, root's, naming the store and its owner.
        let etc = base.path().join("etc-guard");
        fs::create_dir(&etc).unwrap();
        chmod(&etc, 0o755);
        let policy = format!(
            "settings:\n  locked: true\n  approvals:\n    dir: {}\n    owner: {}\n\
             rules:\n  - id: local.bump\n    match: {{ program: bump }}\n    decision: ask\n    \
             message: bump changes the marker\n    examples: {{ ask: [bump approved-marker], allow: [ls] }}\n  \
             - id: local.no-shred\n    match: {{ program: shred }}\n    decision: deny\n    \
             message: shred destroys files\n    examples: {{ deny: [shred x], allow: [ls] }}\n",
            store.display(),
            person.name
        );
        fs::write(etc.join("approvals.yaml"), policy).unwrap();
        chmod(&etc.join("approvals.yaml"), 0o644);

        World { person, agent, store, etc, bin, _accounts: accounts, _base: base, _etc_guard: etc_guard }
    }

    /// `args` as `who`, in `cwd`, with the system policy in place, an environment of its own
    /// (HOME and XDG directories in its home) and `env` on top.
    fn command(&self, who: &User, cwd: &Path, args: &[&str], env: &[(&str, &str)]) -> Command {
        let mut c = Command::new("unshare");
        c.args(["-m", "--propagation", "private", "--", "sh", "-c", SWITCH, "sh"])
            .arg(&self.etc)
            .arg(&who.name)
            .args(args)
            .env_clear()
            .env("PATH", format!("{}:/usr/sbin:/usr/bin:/sbin:/bin", self.bin.display()))
            .env("HOME", &who.home)
            .env("XDG_CONFIG_HOME", who.config())
            .env("XDG_STATE_HOME", who.state())
            .env("LC_ALL", "C")
            .env("TERM", "dumb")
            .current_dir(cwd);
        for (k, v) in env {
            c.env(k, v);
        }
        c
    }

    /// Run without a controlling terminal (an agent's hook, a pipeline), `input` on stdin.
    fn unattended(&self, who: &User, cwd: &Path, args: &[&str], env: &[(&str, &str)], input: &[u8]) -> Output {
        let mut c = self.command(who, cwd, args, env);
        unsafe {
            c.pre_exec(|| nix::unistd::setsid().map(|_| ()).map_err(std::io::Error::from));
        }
        let mut child = c.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
        child.stdin.take().unwrap().write_all(input).unwrap();
        child.wait_with_output().unwrap()
    }

    /// The agent, without a terminal, tries the command.
    fn agent_tries(&self, env: &[(&str, &str)]) -> Output {
        self.unattended(&self.agent, &self.agent.work(), &["guard", "-c", "bump approved-marker"], env, b"")
    }

    /// The agent runs a shell command of its own (no guard), to write what it can.
    fn agent_sh(&self, script: &str, input: &[u8]) -> Output {
        self.unattended(&self.agent, &self.agent.home, &["sh", "-c", script], &[], input)
    }

    fn marker(&self) -> PathBuf {
        self.agent.work().join("approved-marker")
    }

    /// The requests waiting, as the person sees them.
    fn pending(&self) -> Vec<serde_json::Value> {
        let o = self.unattended(&self.person, &self.person.work(), &["guard", "pending", "--json"], &[], b"");
        assert!(o.status.success(), "{}", describe(&o));
        serde_json::from_slice::<serde_json::Value>(&o.stdout).unwrap().as_array().unwrap().clone()
    }

    /// Shell text for a command line: each word single-quoted.
    fn shell_line(&self, who: &User, cwd: &Path, args: &[&str], env: &[(&str, &str)]) -> String {
        let c = self.command(who, cwd, args, env);
        let q = |s: &str| format!("'{}'", s.replace('\'', r"'\''"));
        let mut line = format!("cd {} && env -i", q(&cwd.to_string_lossy()));
        for (k, v) in c.get_envs() {
            if let Some(v) = v {
                line.push_str(&format!(" {}={}", k.to_string_lossy(), q(&v.to_string_lossy())));
            }
        }
        line.push(' ');
        line.push_str(&q(&c.get_program().to_string_lossy()));
        for a in c.get_args() {
            line.push(' ');
            line.push_str(&q(&a.to_string_lossy()));
        }
        line
    }
}

/// An approval as the person's guard would write it, of the request `r`, for the agent.
fn forged_approval(r: &serde_json::Value, person: &str) -> Vec<u8> {
    let mut d = r.clone();
    d["state"] = "approved".into();
    d["decided"] = r["created"].clone();
    d["approver"] = person.into();
    serde_json::to_vec_pretty(&d).unwrap()
}

#[test]
fn an_agent_of_its_own_user_cannot_get_past_the_person_who_owns_the_store() {
    if !nix::unistd::geteuid().is_root() {
        assert!(std::env::var("CI").as_deref() != Ok("true"), "this test needs root in CI to create users");
        // Straight to the standard error, which the test harness does not capture.
        let _ = writeln!(std::io::stderr(), "SKIPPED: needs root to create users (tests/two_users.rs)");
        return;
    }
    let w = World::new();
    let (person, agent) = (&w.person, &w.agent);
    let refused = |o: &Output, what: &str| {
        assert_eq!(o.status.code(), Some(REFUSED), "{what}: {}", describe(o));
        assert!(!w.marker().exists(), "{what}: the marker was made: {}", describe(o));
    };

    // The system policy is read, whole, by the agent's guard.
    let o = w.unattended(agent, &agent.work(), &["guard", "check", "shred x"], &[], b"");
    assert_eq!(o.status.code(), Some(20), "{}", describe(&o));
    assert!(!text(&o.stderr).contains("warning"), "{}", describe(&o));

    // The agent asks, and is refused; the request waits in the shared store, filed as the agent.
    let o = w.agent_tries(&[]);
    refused(&o, "the first attempt");
    let pending = w.pending();
    assert_eq!(pending.len(), 1, "{pending:?}");
    let request = pending[0].clone();
    let id = request["id"].as_str().unwrap().to_string();
    assert!(text(&o.stderr).contains(&format!("guard approve {id}")), "{}", describe(&o));
    assert_eq!(request["command"], "bump approved-marker");
    assert_eq!(request["requester_uid"], agent.uid);
    let filed = fs::metadata(w.store.join(format!("requests/{id}.json"))).unwrap();
    assert_eq!((filed.uid(), filed.mode() & 0o7777), (agent.uid, 0o644));
    let forged = forged_approval(&request, &person.name);

    // 1. Its own request file, rewritten to say it was approved.
    let o = w.agent_sh(&format!("cat > '{}/requests/{id}.json'", w.store.display()), &forged);
    assert!(o.status.success(), "the agent can write its own request: {}", describe(&o));
    refused(&w.agent_tries(&[]), "a request file that says approved");

    // 2. A decision written into the store's root, directly or as a link: not allowed at all.
    let o = w.agent_sh(&format!("cat > '{}/{id}.json'", w.store.display()), &forged);
    assert!(!o.status.success(), "the agent wrote into the store's root: {}", describe(&o));
    fs::write(agent.home.join("decision.json"), &forged).unwrap();
    chown(&agent.home.join("decision.json"), &agent.name, &agent.name);
    let o = w.agent_sh(&format!("ln -s \"$HOME/decision.json\" '{}/{id}.json'", w.store.display()), b"");
    assert!(!o.status.success(), "the agent linked into the store's root: {}", describe(&o));
    assert!(fs::symlink_metadata(w.store.join(format!("{id}.json"))).is_err());

    // 3. A link among the requests, to a decision of its own.
    let o = w.agent_sh(&format!("ln -s \"$HOME/decision.json\" '{}/requests/0000abcd.json'", w.store.display()), b"");
    assert!(o.status.success(), "{}", describe(&o));
    refused(&w.agent_tries(&[]), "a link among the requests");

    // 4. A store, remembered answers and settings of its own, through XDG_STATE_HOME and
    //    XDG_CONFIG_HOME: a private store holding an approval, "always" for the command, and
    //    settings moving the store to that one and giving it to the agent.
    let fake = agent.home.join("fake");
    let script = format!(
        "set -e; mkdir -p fake/state/guard/approvals/requests fake/config/guard; chmod -R go-w fake; \
         cat > fake/state/guard/approvals/{id}.json; \
         printf '%s\\n' '- command: bump *' '  rules: [local.bump]' '  added: 2026-01-01' \
           > fake/config/guard/remembered.yaml; \
         printf 'settings:\\n  approvals:\\n    dir: %s\\n    owner: %s\\n' \"$HOME/fake/state/guard/approvals\" {} \
           > fake/config/guard/settings.yaml; chmod 600 fake/config/guard/*",
        agent.name
    );
    let o = w.agent_sh(&script, &forged);
    assert!(o.status.success(), "{}", describe(&o));
    let state = fake.join("state").to_string_lossy().into_owned();
    let config = fake.join("config").to_string_lossy().into_owned();
    let o = w.agent_tries(&[("XDG_STATE_HOME", &state), ("XDG_CONFIG_HOME", &config)]);
    refused(&o, "a store, remembered answers and settings of its own");
    assert!(
        text(&o.stderr).contains("a user's policy under a locked system policy")
            && text(&o.stderr).contains("cannot change guard's settings"),
        "{}",
        describe(&o)
    );

    // 4b. Its own policy files (its XDG_CONFIG_HOME, or --policy) switching off the system's deny
    //     rule: disabling it, redefining it, overriding it with an allow. The system policy is
    //     locked, so the agent's files may only tighten.
    let victim = agent.work().join("victim");
    let loosen = "disable:\n  - {id: local.no-shred, reason: mine}\nrules:\n  \
                  - {id: local.no-shred, match: {program: nothing}, decision: ask, message: m, examples: {ask: [nothing]}}\n  \
                  - {id: mine.shred, match: {program: shred}, decision: allow, overrides: local.no-shred, reason: r, \
                  message: m, examples: {allow: [shred x]}}\n";
    let o = w.agent_sh(
        &format!(
            "set -e; echo keep > '{}'; mkdir -p .config/guard; cat > .config/guard/mine.yaml; cp .config/guard/mine.yaml loose.yaml",
            victim.display()
        ),
        loosen.as_bytes(),
    );
    assert!(o.status.success(), "{}", describe(&o));
    let shred = |args: &[&str], env: &[(&str, &str)], what: &str| {
        let o = w.unattended(agent, &agent.work(), args, env, b"");
        assert!(matches!(o.status.code(), Some(REFUSED) | Some(20)), "{what}: {}", describe(&o));
        assert_eq!(fs::read_to_string(&victim).ok().as_deref(), Some("keep\n"), "{what}: {}", describe(&o));
    };
    shred(&["guard", "-c", "shred -u victim"], &[], "its own config disables the system rule");
    shred(&["guard", "check", "shred -u victim"], &[], "its own config, through check");
    let loose = agent.home.join("loose.yaml").to_string_lossy().into_owned();
    shred(&["guard", "--policy", &loose, "-c", "shred -u victim"], &[], "--policy");

    // 4c. A guard nested in the command, asking for observe mode, extra policy or another
    //     shell; and the same asked of guard directly, without a terminal.
    let nested = format!("guard --mode observe --policy {loose} -c 'shred -u victim'");
    shred(&["guard", "-c", &nested], &[], "a nested guard in observe mode");
    shred(&["guard", "--mode", "observe", "-c", "shred -u victim"], &[], "observe mode");
    fs::write(agent.home.join("fake-shell"), "#!/bin/sh\nexec shred -u victim\n").unwrap();
    chown(&agent.home.join("fake-shell"), &agent.name, &agent.name);
    chmod(&agent.home.join("fake-shell"), 0o755);
    let fake_shell = agent.home.join("fake-shell").to_string_lossy().into_owned();
    shred(&["guard", "-c", "true"], &[("GUARD_SHELL", &fake_shell)], "another shell");

    // 5. The person's "this session" answer. In one terminal session, with the same
    //    GUARD_SESSION: the person answers "s"; the person's next attempt runs without a
    //    question; the agent's, in the very same session, is asked about (and refused).
    let session = [("GUARD_SESSION", "shared")];
    let line = |who: &User| w.shell_line(who, &who.work(), &["guard", "-c", "bump approved-marker"], &session);
    let script = format!("{}; {}; {} </dev/null; echo SESSION-DONE", line(person), line(person), line(agent));
    let mut leader = Command::new("sh");
    leader.args(["-c", &script]).env_clear().env("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
    let (_, screen) = in_terminal(leader, b"", &[("Run it? [y/N/s/a]", b"s"), ("Run it? [y/N]", b"n")]);
    assert!(screen.contains("SESSION-DONE"), "{screen}");
    assert_eq!(screen.matches("Run it?").count(), 2, "asked once each, the person's second run was not: {screen}");
    assert_eq!(fs::read_to_string(person.work().join("approved-marker")).unwrap(), "ran\nran\n", "{screen}");
    assert!(!w.marker().exists(), "the agent's run in the person's session: {screen}");
    let sessions: Vec<PathBuf> = fs::read_dir(&w.store)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with("session-"))
        .collect();
    assert_eq!(sessions.len(), 1, "{sessions:?}");
    let meta = fs::metadata(&sessions[0]).unwrap();
    assert_eq!((meta.uid(), meta.mode() & 0o7777), (person.uid, 0o600));

    // 6. That session file, copied, linked or made again in a store of the agent's own, with
    //    the person's GUARD_SESSION: it cannot read it, and nothing it makes counts.
    let name = sessions[0].file_name().unwrap().to_string_lossy().into_owned();
    let o = w.agent_sh(&format!("cat '{}'", sessions[0].display()), b"");
    assert!(!o.status.success(), "the agent read the person's session answers: {}", describe(&o));
    let own = fake.join("state/guard/approvals").join(&name);
    // A hard link is refused where the kernel protects links (fs.protected_hardlinks); where it
    // is made, it is still the person's file, in a store guard does not read for the agent.
    w.agent_sh(&format!("ln '{}' '{}.link'", sessions[0].display(), own.display()), b"");
    let claimed = serde_json::json!({
        "uid": person.uid,
        "session": name.trim_start_matches("session-").trim_end_matches(".json"),
        "entries": [{"command": "bump *", "rules": ["local.bump"], "added": "t"}],
    });
    let claimed = serde_json::to_vec(&claimed).unwrap();
    let o = w.agent_sh(
        &format!(
            "cat > '{}'; chmod 600 '{}'; ln -s '{}' '{}/requests/{name}'",
            own.display(),
            own.display(),
            own.display(),
            w.store.display()
        ),
        &claimed,
    );
    assert!(o.status.success(), "{}", describe(&o));
    let o = w.agent_tries(&[("XDG_STATE_HOME", &state), ("GUARD_SESSION", "shared")]);
    refused(&o, "the person's session answers, claimed");

    // The agent cannot decide its own request, even at a terminal.
    let approve = w.command(agent, &agent.work(), &["guard", "approve", &id], &[]);
    let (code, screen) = in_terminal(approve, b"", &[]);
    assert_eq!(code, 2, "{screen}");
    assert!(screen.contains("only the owner of the approval store") && !screen.contains("Approve it?"), "{screen}");

    // Through all of that the request still waits, as the agent filed it.
    let pending = w.pending();
    assert_eq!(pending.len(), 1, "{pending:?}");
    assert_eq!(pending[0]["id"], id.as_str());

    // 7. A request of its own making for a command the system policy denies, saying it only
    //    asks: the person's guard judges the command itself, and a deny is never approvable.
    let mut shred_request = request.clone();
    shred_request["id"] = "0000dead".into();
    shred_request["command"] = "shred -u victim".into();
    shred_request["rules"] = serde_json::json!(["local.bump"]);
    let o = w.agent_sh(
        &format!("cat > '{}/requests/0000dead.json'", w.store.display()),
        &serde_json::to_vec(&shred_request).unwrap(),
    );
    assert!(o.status.success(), "{}", describe(&o));
    let approve = w.command(person, &person.work(), &["guard", "approve", "0000dead"], &[]);
    let (code, screen) = in_terminal(approve, b"", &[]);
    assert_eq!(code, 2, "{screen}");
    assert!(screen.contains("local.no-shred") && screen.contains("cannot be approved"), "{screen}");
    assert!(!screen.contains("Approve it?") && !w.store.join("0000dead.json").exists(), "{screen}");
    assert_eq!(fs::read_to_string(&victim).ok().as_deref(), Some("keep\n"));
    let o = w.agent_sh(&format!("rm '{}/requests/0000dead.json'", w.store.display()), b"");
    assert!(o.status.success(), "{}", describe(&o));

    // 8. Its own request, rewritten to say why it asks: something harmless, with escape sequences
    //    to move up and erase what is shown above. The person is shown their guard's findings,
    //    and the request's words, if at all, written out.
    let mut claimed = request.clone();
    claimed["rules"] = serde_json::json!(["note.harmless"]);
    claimed["messages"] = serde_json::json!(["only reads\x1b[3A\x1b[2K"]);
    claimed["agent"] = "claude\x1b[2K\r".into();
    let o = w
        .agent_sh(&format!("cat > '{}/requests/{id}.json'", w.store.display()), &serde_json::to_vec(&claimed).unwrap());
    assert!(o.status.success(), "{}", describe(&o));

    // The person approves it at their terminal, seeing which account asked.
    let approve = w.command(person, &person.work(), &["guard", "approve", &id], &[]);
    let (code, screen) = in_terminal(approve, b"", &[("Approve it? [y/N]", b"y")]);
    assert_eq!(code, 0, "{screen}");
    assert!(screen.contains(&format!("(user {})", agent.name)), "{screen}");
    assert!(screen.contains("local.bump") && screen.contains("bump changes the marker"), "{screen}");
    assert!(!screen.contains("note.harmless") && !screen.contains("only reads"), "{screen}");
    assert!(!screen.contains('\x1b') && screen.contains(r"claude\x1b[2K\r"), "{screen:?}");
    let decision = fs::metadata(w.store.join(format!("{id}.json"))).unwrap();
    assert_eq!((decision.uid(), decision.mode() & 0o7777), (person.uid, 0o644));
    let decided: serde_json::Value =
        serde_json::from_slice(&fs::read(w.store.join(format!("{id}.json"))).unwrap()).unwrap();
    assert_eq!(decided["rules"], serde_json::json!(["local.bump"]), "{decided}");
    let (given, ends) = (decided["decided"].as_str().unwrap(), decided["expires"].as_str().unwrap());
    let lasts = ends.parse::<jiff::Timestamp>().unwrap().duration_since(given.parse().unwrap());
    assert_eq!(lasts, jiff::SignedDuration::from_mins(10), "the person's expiry: {decided}");

    // The agent's retry runs, once.
    let o = w.agent_tries(&[]);
    assert_eq!(o.status.code(), Some(0), "{}", describe(&o));
    assert_eq!(fs::read_to_string(w.marker()).unwrap(), "ran\n");
    let used = fs::metadata(w.store.join(format!("requests/{id}.used"))).unwrap();
    assert_eq!(used.uid(), agent.uid);

    // A second retry is refused and asks again, with a new request.
    let o = w.agent_tries(&[]);
    assert_eq!(o.status.code(), Some(REFUSED), "{}", describe(&o));
    assert_eq!(fs::read_to_string(w.marker()).unwrap(), "ran\n", "the approval ran once");
    let pending = w.pending();
    assert_eq!(pending.len(), 1, "{pending:?}");
    assert_ne!(pending[0]["id"], id.as_str());
    assert!(text(&o.stderr).contains(&format!("guard approve {}", pending[0]["id"].as_str().unwrap())));
}
