//! Containment with real programs: what guard runs for an agent (here: without a terminal, as
//! an agent's shell runs it) cannot write guard's files, start-up files, keys or anything
//! outside the project, the temporary directories and the caches, whatever program does the
//! writing; builds and tests that write where they should work as before.
//!
//! Every run has HOME, the XDG directories and the working directory in a fresh temporary
//! directory. Where the kernel has no Landlock these tests say SKIPPED; under `CI=true` they
//! fail instead, since CI's kernel has it.

#![allow(clippy::unwrap_used)] // a test fails loudly on what it did not expect

mod sandbox;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use sandbox::{describe, text, write_executable, Sandbox};

/// Whether the kernel can contain; prints SKIPPED (or fails under CI) when it cannot.
fn landlock(test: &str) -> bool {
    let abi = guard::contain::kernel::abi();
    if abi >= guard::contain::kernel::MIN_ABI {
        return true;
    }
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!("{test}: this kernel offers Landlock ABI {abi}; CI's kernel must have ABI 3 or later");
    }
    eprintln!("SKIPPED {test}: this kernel offers Landlock ABI {abi}, and containment needs ABI 3 or later");
    false
}

/// Whether `program` is on PATH; says SKIPPED when it is not.
fn have(test: &str, program: &str) -> bool {
    let found =
        Command::new("sh").arg("-c").arg(format!("command -v {program}")).output().is_ok_and(|o| o.status.success());
    if !found {
        eprintln!("SKIPPED {test}: `{program}` is not installed");
    }
    found
}

/// A sandbox with a git work tree as the project (`work`), the protected places filled in, and
/// a place outside the project.
struct Setup {
    sb: Sandbox,
}

impl Setup {
    fn new() -> Setup {
        let sb = Sandbox::new();
        let h = sb.home().to_path_buf();
        for d in ["config/guard", "state/guard/approvals", ".ssh", ".aws", "outside", "cache"] {
            std::fs::create_dir_all(h.join(d)).unwrap();
        }
        let files = [
            ("config/guard/policy.yaml", "rules: []\n"),
            ("state/guard/approvals/a.json", "{}\n"),
            (".bashrc", "# rc\n"),
            (".ssh/authorized_keys", "ssh-ed25519 AAAA me\n"),
            (".ssh/id_ed25519", "-----BEGIN OPENSSH PRIVATE KEY-----\nsecret\n"),
            (".aws/credentials", "[default]\nkey = AKIAEXAMPLESECRET\n"),
            ("outside/kept.txt", "kept\n"),
        ];
        for (f, t) in files {
            std::fs::write(h.join(f), t).unwrap();
        }
        // The temporary directory is the sandbox's own: wherever the checkout is (under /tmp
        // too), the sandbox's home is then inside no writable place.
        std::fs::create_dir_all(h.join("tmp")).unwrap();
        sb.user_policy("temp.yaml", &format!("settings:\n  contain:\n    temp: [{}]\n", h.join("tmp").display()));
        let s = Setup { sb };
        s.git(&["init", "-q"]);
        std::fs::write(s.work().join("src.txt"), "planted\n").unwrap();
        s
    }

    fn home(&self) -> &Path {
        self.sb.home()
    }

    fn work(&self) -> PathBuf {
        self.sb.work()
    }

    fn git(&self, args: &[&str]) -> Output {
        let mut c = self.sb.command("git");
        c.args(["-c", "user.name=t", "-c", "user.email=t@example.com"]).args(args);
        c.output().unwrap()
    }

    /// The protected files, which must come through every attempt unchanged.
    fn protected(&self) -> Vec<PathBuf> {
        let h = self.home();
        // The audit log exists once guard has run.
        let _ = self.run(&["-c", "true"]);
        [
            "config/guard/policy.yaml",
            "state/guard/audit.jsonl",
            "state/guard/approvals/a.json",
            ".bashrc",
            ".ssh/authorized_keys",
            "outside/kept.txt",
        ]
        .iter()
        .map(|f| h.join(f))
        .collect()
    }

    fn snapshot(&self, files: &[PathBuf]) -> Vec<(PathBuf, Option<Vec<u8>>)> {
        files.iter().map(|f| (f.clone(), std::fs::read(f).ok())).collect()
    }

    /// `guard ARGS` as an agent's shell runs it: no terminal, the sandbox's temporary directory.
    fn guard(&self, args: &[&str]) -> Command {
        let mut c = self.sb.guard(args);
        sandbox::without_terminal(&mut c);
        c.env("TMPDIR", self.home().join("tmp"));
        c
    }

    fn run(&self, args: &[&str]) -> Output {
        self.guard(args).output().unwrap()
    }

    fn targets(&self, files: &[PathBuf]) {
        let list: String = files.iter().map(|f| format!("{}\n", f.display())).collect();
        std::fs::write(self.work().join("targets.txt"), list).unwrap();
    }

    fn last_entry(&self) -> serde_json::Value {
        let log = std::fs::read_to_string(self.sb.log()).unwrap();
        serde_json::from_str(log.lines().last().unwrap()).unwrap()
    }
}

/// Writes through each way a program can (each program given the path only at run time, from
/// a file, so judging the command cannot see where it writes): the protected files stay as
/// they were, and the command still runs.
#[test]
fn real_programs_cannot_write_guards_files_start_up_files_keys_or_outside_the_project() {
    if !landlock("real_programs_cannot_write…") {
        return;
    }
    let s = Setup::new();
    let files = s.protected();
    // Beside each file, a new one in the same directory (the directory is protected too).
    let mut all = files.clone();
    all.extend(files.iter().map(|f| f.with_file_name("planted-by-agent")));
    s.targets(&all);
    let before = s.snapshot(&all);
    let w = s.work();
    std::fs::write(
        w.join("w.py"),
        "import os, subprocess\n\
         for t in [l.strip() for l in open('targets.txt')]:\n\
         \x20   for how in (lambda: open(t, 'a').write('py\\n'), lambda: open(t, 'w').close()):\n\
         \x20       try: how()\n\
         \x20       except OSError: pass\n\
         \x20   subprocess.run(['sh', '-c', 'echo sh >> \"$0\"', t])\n\
         \x20   subprocess.run(['cp', 'src.txt', t])\n\
         \x20   subprocess.run(['mv', '-f', 'src.txt', t]); open('src.txt', 'w').write('planted\\n')\n\
         \x20   subprocess.run(['ln', '-sf', '/dev/null', t])\n\
         \x20   subprocess.run(['truncate', '-s', '0', t])\n\
         \x20   subprocess.run(['rm', '-f', t])\n\
         open('done-by-python.txt', 'w').write('ok')\n",
    )
    .unwrap();
    let o = s.run(&["-c", "python3 w.py 2>/dev/null"]);
    assert_eq!(o.status.code(), Some(0), "{}", describe(&o));
    assert_eq!(std::fs::read_to_string(w.join("done-by-python.txt")).unwrap(), "ok", "writing in the project works");
    unchanged(&s, &before);
    assert_eq!(s.last_entry()["contained"].as_str().map(|c| c.starts_with("landlock ABI")), Some(true));

    if have("compiled helper", "cc") {
        let c = w.join("helper.c");
        std::fs::write(
            &c,
            "#include <stdio.h>\n#include <string.h>\n#include <fcntl.h>\n#include <unistd.h>\n\
             int main(void) { FILE *l = fopen(\"targets.txt\", \"r\"); char t[4096]; int wrote = 0;\n\
             while (fgets(t, sizeof t, l)) { t[strcspn(t, \"\\n\")] = 0;\n\
             int fd = open(t, O_WRONLY | O_CREAT | O_APPEND, 0644); if (fd >= 0) { write(fd, \"c\\n\", 2); close(fd); wrote++; }\n\
             truncate(t, 0); unlink(t); rename(\"src.txt\", t); symlink(\"/dev/null\", t); }\n\
             printf(\"wrote %d\\n\", wrote); return 0; }\n",
        )
        .unwrap();
        let built = s.sb.command("cc").args(["-o", "helper", "helper.c"]).output().unwrap();
        assert!(built.status.success(), "{}", describe(&built));
        let o = s.run(&["-c", "./helper"]);
        assert_eq!(text(&o.stdout), "wrote 0\n", "{}", describe(&o));
        unchanged(&s, &before);
    }
}

/// Every file as it was, but the audit log, to which guard itself only appended whole entries.
fn unchanged(s: &Setup, before: &[(PathBuf, Option<Vec<u8>>)]) {
    for (path, was) in before {
        let now = std::fs::read(path).ok();
        if path.ends_with("audit.jsonl") {
            let (was, now) = (was.clone().unwrap(), now.unwrap());
            assert!(now.starts_with(&was), "the audit log was only appended to");
            for line in text(&now[was.len()..]).lines() {
                let e: serde_json::Value = serde_json::from_str(line).expect("an entry guard wrote");
                assert!(e["hash"].is_string(), "{line}");
            }
        } else {
            assert_eq!(&now, was, "{} is unchanged", path.display());
        }
    }
    let _ = s;
}

#[test]
fn device_nodes_cannot_be_made_even_in_the_project() {
    if !landlock("device_nodes_cannot_be_made…") {
        return;
    }
    let s = Setup::new();
    std::fs::write(
        s.work().join("n.py"),
        "import os, stat\ntry:\n    os.mknod('null2', stat.S_IFCHR | 0o666, os.makedev(1, 3))\n    print('made')\nexcept OSError as e:\n    print('refused', e.errno)\n",
    )
    .unwrap();
    let o = s.run(&["-c", "python3 n.py"]);
    assert_eq!(text(&o.stdout), "refused 13\n", "{}", describe(&o));
    assert!(!s.work().join("null2").exists());
}

#[test]
fn a_secret_store_cannot_be_read_unless_every_program_is_one_a_rule_opens_it_for() {
    if !landlock("a_secret_store_cannot_be_read…") {
        return;
    }
    let s = Setup::new();
    s.targets(&[s.home().join(".ssh/id_ed25519")]);
    std::fs::write(s.work().join("r.py"), "t = open('targets.txt').read().strip()\nprint(open(t).read())\n").unwrap();
    let o = s.run(&["-c", "python3 r.py"]);
    assert_ne!(o.status.code(), Some(0), "{}", describe(&o));
    assert!(!text(&o.stdout).contains("secret"), "{}", describe(&o));
    assert!(text(&o.stderr).contains("Permission denied"), "{}", describe(&o));
    assert!(
        text(&o.stderr).contains("a secret store") && text(&o.stderr).contains("open_secrets"),
        "the refusal is explained: {}",
        describe(&o)
    );
    let e = s.last_entry();
    assert!(e["out_of_scope"][0].as_str().unwrap().contains(".ssh/id_ed25519"), "{e}");
    // aws reads its own credentials: a command that runs only such clients may read the stores.
    // A stand-in `aws` that reads them as the real one does, in a directory contained commands
    // cannot write.
    let bin = s.home().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    write_executable(&bin.join("aws"), "#!/bin/sh\nexec cat \"$HOME/.aws/credentials\"\n");
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap());
    let run = |args: &[&str], path: &str| s.guard(args).env("PATH", path).output().unwrap();
    let o = run(&["-c", "aws configure list"], &path);
    assert!(text(&o.stdout).contains("AKIAEXAMPLESECRET"), "{}", describe(&o));
    // One other program in the command, and the stores are closed to all of it.
    let o = run(&["-c", "aws configure list; python3 -c 'print(1)'"], &path);
    assert!(!text(&o.stdout).contains("AKIA"), "{}", describe(&o));
    assert!(text(&o.stderr).contains("Permission denied"), "{}", describe(&o));
    // An `aws` the agent could have written (here, in the project) does not get them either.
    let planted = s.work().join("bin");
    std::fs::create_dir_all(&planted).unwrap();
    write_executable(&planted.join("aws"), "#!/bin/sh\nexec cat \"$HOME/.aws/credentials\"\n");
    let o = run(&["-c", "aws configure list"], &format!("{}:{path}", planted.display()));
    assert!(!text(&o.stdout).contains("AKIA"), "{}", describe(&o));
    // Nor one named by its path, though its name is a client's; nor a client the shell runs
    // beside anything else (an `export`, a command substitution that reads a store itself).
    for command in [
        "./bin/aws configure list",
        "export AWS_CONFIG_FILE=./c; aws configure list",
        "aws configure list \"$(cat ~/.aws/credentials)\"",
    ] {
        let o = run(&["-c", command], &path);
        assert!(!text(&o.stdout).contains("AKIA"), "{command}: {}", describe(&o));
    }
}

#[test]
fn a_refusal_outside_the_scope_names_the_class_and_the_setting_that_opens_it() {
    if !landlock("a_refusal_outside_the_scope…") {
        return;
    }
    let s = Setup::new();
    let outside = s.home().join("outside/new.txt");
    s.targets(std::slice::from_ref(&outside));
    std::fs::write(s.work().join("o.sh"), "read t < targets.txt\ntouch \"$t\"\n").unwrap();
    let o = s.run(&["-c", "sh o.sh"]);
    assert_ne!(o.status.code(), Some(0), "{}", describe(&o));
    assert!(!outside.exists());
    let err = text(&o.stderr);
    assert!(err.contains("outside the places a contained command may write"), "{err}");
    assert!(err.contains("settings.contain.writable"), "{err}");
    assert!(err.contains("containment refusing, not a fault"), "{err}");

    // The setting opens it.
    s.sb.user_policy(
        "contain.yaml",
        &format!("settings:\n  contain:\n    writable: [{}]\n", s.home().join("outside").display()),
    );
    let o = s.run(&["-c", "sh o.sh"]);
    assert_eq!(o.status.code(), Some(0), "{}", describe(&o));
    assert!(outside.exists());
}

/// What a command prints is its own word: a command that succeeds has nothing explained, and
/// one that fails is reported as saying so.
#[test]
fn a_refusal_is_told_as_what_the_command_reported() {
    if !landlock("a_refusal_is_told_as…") {
        return;
    }
    let s = Setup::new();
    std::fs::write(
        s.work().join("m.sh"),
        "echo \"cp: cannot create regular file '/usr/local/bin/git': Permission denied\" >&2\n",
    )
    .unwrap();
    let o = s.run(&["-c", "sh m.sh"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(!text(&o.stderr).contains("guard: contained"), "{}", describe(&o));
    assert!(s.last_entry().get("out_of_scope").is_none(), "{}", s.last_entry());
    let o = s.run(&["-c", "sh m.sh; exit 1"]);
    assert!(text(&o.stderr).contains("guard: contained: the command reported a refusal"), "{}", describe(&o));
}

#[test]
fn builds_and_tests_that_write_in_the_project_the_temp_dir_and_the_caches_work() {
    if !landlock("builds_and_tests…") {
        return;
    }
    let s = Setup::new();
    let w = s.work();
    // git commit: the work tree and .git.
    std::fs::write(w.join("a.txt"), "a\n").unwrap();
    let o = s.run(&[
        "-c",
        "git add a.txt && git -c user.name=t -c user.email=t@example.com commit -qm first && git log --oneline | wc -l",
    ]);
    assert_eq!(text(&o.stdout).trim(), "1", "{}", describe(&o));

    // The temporary directory.
    let o = s.run(&["-c", "f=$(mktemp) && echo t > \"$f\" && cat \"$f\" && rm \"$f\""]);
    assert_eq!(text(&o.stdout), "t\n", "{}", describe(&o));

    // pip install --target of a local package (no network, no build isolation).
    if have("pip install --target", "python3") {
        // A wheel made here (pip installs it without building anything).
        let made = s
            .sb
            .command("python3")
            .arg("-c")
            .arg(
                "import zipfile\n\
                 z = zipfile.ZipFile('hello-1.0-py3-none-any.whl', 'w')\n\
                 z.writestr('hello/__init__.py', 'X = 1\\n')\n\
                 z.writestr('hello-1.0.dist-info/METADATA', 'Metadata-Version: 2.1\\nName: hello\\nVersion: 1.0\\n')\n\
                 z.writestr('hello-1.0.dist-info/WHEEL', 'Wheel-Version: 1.0\\nGenerator: t\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n')\n\
                 z.writestr('hello-1.0.dist-info/RECORD', '')\n\
                 z.close()\n",
            )
            .output()
            .unwrap();
        assert!(made.status.success(), "{}", describe(&made));
        // The interpreter itself, not a version manager's shim (which writes its own home).
        let python = s.sb.command("python3").args(["-c", "import sys; print(sys.executable)"]).output().unwrap();
        let python = text(&python.stdout).trim().to_string();
        let o = s.run(&[
            "-c",
            &format!(
                "{python} -m pip install -q --no-index --disable-pip-version-check --root-user-action=ignore \
                 --target ./vendor ./hello-1.0-py3-none-any.whl && ls vendor"
            ),
        ]);
        assert!(text(&o.stdout).contains("hello"), "{}", describe(&o));
    }

    // npm install of a local package: node_modules in the project, npm's cache under home.
    if have("npm install", "npm") {
        let dep = w.join("dep");
        std::fs::create_dir_all(&dep).unwrap();
        std::fs::write(dep.join("package.json"), r#"{"name":"dep","version":"1.0.0","main":"index.js"}"#).unwrap();
        std::fs::write(dep.join("index.js"), "module.exports = 42;\n").unwrap();
        std::fs::write(w.join("package.json"), r#"{"name":"app","version":"1.0.0"}"#).unwrap();
        let o = s.run(&[
            "-c",
            "npm install --offline --no-audit --no-fund --silent ./dep && node -e 'console.log(require(\"dep\"))'",
        ]);
        assert_eq!(text(&o.stdout).trim(), "42", "{}", describe(&o));
    }

    // cargo build of a small crate: target/ in the project, the cargo home a cache.
    if have("cargo build", "cargo") {
        let c = w.join("hello");
        std::fs::create_dir_all(c.join("src")).unwrap();
        std::fs::write(
            c.join("Cargo.toml"),
            "[package]\nname = \"hello\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[workspace]\n",
        )
        .unwrap();
        std::fs::write(c.join("src/main.rs"), "fn main() { println!(\"built\"); }\n").unwrap();
        let mut cmd = s.guard(&["-c", "cd hello && cargo run -q --offline"]);
        // The toolchain rustup installed stays where it is (read and run, never written).
        for v in ["RUSTUP_HOME", "CARGO_HOME", "RUSTUP_TOOLCHAIN"] {
            if let Some(val) = std::env::var_os(v) {
                cmd.env(v, val);
            }
        }
        if std::env::var_os("RUSTUP_HOME").is_none() {
            if let Some(h) = std::env::var_os("HOME") {
                cmd.env("RUSTUP_HOME", PathBuf::from(h).join(".rustup"));
            }
        }
        cmd.env("CARGO_HOME", s.home().join("cache/cargo")).env("CARGO_TARGET_DIR", c.join("target"));
        let o = cmd.output().unwrap();
        assert_eq!(text(&o.stdout).trim(), "built", "{}", describe(&o));
    }
}

#[test]
fn containment_required_on_a_kernel_without_it_refuses_and_contain_off_runs_judged_only() {
    let s = Setup::new();
    // Whatever this kernel offers, `off` runs uncontained and says so in the log.
    s.sb.user_policy("contain.yaml", "settings:\n  contain: off\n");
    let o = s.run(&["-c", "echo hi"]);
    assert_eq!(text(&o.stdout), "hi\n", "{}", describe(&o));
    assert!(s.last_entry().get("contained").is_none(), "{}", s.last_entry());
    if guard::contain::kernel::abi() >= guard::contain::kernel::MIN_ABI {
        // --contain always contains, whatever the settings say.
        let o = s.run(&["--contain", "-c", "echo hi"]);
        assert_eq!(text(&o.stdout), "hi\n", "{}", describe(&o));
        assert!(s.last_entry()["contained"].is_string());
    } else {
        let o = s.run(&["--contain", "-c", "echo hi"]);
        assert_eq!(o.status.code(), Some(126), "{}", describe(&o));
        assert!(text(&o.stderr).contains("cannot be"), "{}", describe(&o));
    }
}

#[test]
fn the_scope_is_shown_by_explain_and_doctor() {
    let s = Setup::new();
    let o = s.run(&["explain", "ls"]);
    let out = text(&o.stdout);
    assert!(out.contains("Containment (when run for an agent):"), "{out}");
    assert!(out.contains(&format!("kernel: Landlock ABI {}", guard::contain::kernel::abi())), "{out}");
    if guard::contain::kernel::abi() >= guard::contain::kernel::MIN_ABI {
        let work = std::fs::canonicalize(s.work()).unwrap();
        assert!(out.contains(&format!("writable: {} (the project)", work.display())), "{out}");
        assert!(out.contains("unreadable: secret stores"), "{out}");
    }
    let o = s.run(&["doctor"]);
    assert!(text(&o.stdout).contains("containment"), "{}", describe(&o));
}

/// An agent working in its home directory: the home is granted entry by entry, so its files
/// can be written where they are, and nothing protected can be, nor anything new made beside.
#[test]
fn working_in_the_home_directory_grants_its_entries_around_what_is_protected() {
    if !landlock("working_in_the_home_directory…") {
        return;
    }
    let s = Setup::new();
    let h = s.home().to_path_buf();
    // The home is itself the project: a dotfiles repository.
    let init = s.sb.command("git").args(["init", "-q"]).current_dir(&h).output().unwrap();
    assert!(init.status.success(), "{}", describe(&init));
    std::fs::write(h.join("notes.txt"), "n\n").unwrap();
    write_executable(&h.join("edit.sh"), "#!/bin/sh\nfor t in \"$@\"; do echo more >> \"$t\"; done\n");
    let mut c = s.guard(&["-c", "./edit.sh notes.txt work/src.txt .bashrc new-file 2>/dev/null; true"]);
    c.current_dir(&h);
    let o = c.output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", describe(&o));
    assert_eq!(std::fs::read_to_string(h.join("notes.txt")).unwrap(), "n\nmore\n");
    assert_eq!(std::fs::read_to_string(h.join("work/src.txt")).unwrap(), "planted\nmore\n");
    assert_eq!(std::fs::read_to_string(h.join(".bashrc")).unwrap(), "# rc\n");
    assert!(!h.join("new-file").exists());
}

/// What guard protects may really lie in the project: a start-up file linked into a dotfiles
/// repository the agent works in, or guard's configuration named (by a variable the caller
/// sets) through an odd spelling of a directory in the project, before it is made. Neither
/// can be written from inside the scope; the rest of the project still can.
#[test]
fn protected_places_reached_through_links_or_odd_spellings_stay_unwritable() {
    if !landlock("protected_places_reached_through_links…") {
        return;
    }
    let s = Setup::new();
    let (h, w) = (s.home().to_path_buf(), s.work());
    std::fs::create_dir_all(w.join("dot")).unwrap();
    std::fs::rename(h.join(".bashrc"), w.join("dot/bashrc")).unwrap();
    std::os::unix::fs::symlink(w.join("dot/bashrc"), h.join(".bashrc")).unwrap();
    std::fs::create_dir_all(w.join("cfg")).unwrap();
    write_executable(
        &w.join("edit.sh"),
        "#!/bin/sh\nfor t in \"$@\"; do mkdir -p \"$(dirname \"$t\")\"; echo more >> \"$t\"; done\n",
    );
    for odd in ["{w}/./cfg", "{w}//cfg", "{w}/dot/../cfg"] {
        let mut c = s.guard(&["-c", "./edit.sh dot/bashrc cfg/guard/policy.yaml src.txt 2>/dev/null; true"]);
        c.env("XDG_CONFIG_HOME", odd.replace("{w}", &w.display().to_string()));
        let o = c.output().unwrap();
        assert_eq!(o.status.code(), Some(0), "{odd}: {}", describe(&o));
        assert_eq!(std::fs::read_to_string(w.join("dot/bashrc")).unwrap(), "# rc\n", "{odd}");
        assert!(!w.join("cfg/guard").exists(), "{odd}: guard's configuration could be made");
    }
    assert_eq!(std::fs::read_to_string(w.join("src.txt")).unwrap(), "planted\nmore\nmore\nmore\n");

    // A chain of links through the project: no link on the way can be replaced either.
    std::fs::create_dir_all(w.join("links")).unwrap();
    std::fs::remove_file(h.join(".bashrc")).unwrap();
    std::os::unix::fs::symlink(w.join("dot/bashrc"), w.join("links/bashrc")).unwrap();
    std::os::unix::fs::symlink(w.join("links/bashrc"), h.join(".bashrc")).unwrap();
    // And far below a link, where nothing is yet.
    std::fs::create_dir_all(w.join("deep")).unwrap();
    std::os::unix::fs::symlink(w.join("deep"), w.join("L")).unwrap();
    let far: String = (0..45).map(|i| format!("/d{i}")).collect();
    std::fs::create_dir_all(h.join(".config")).unwrap();
    std::fs::remove_dir_all(h.join(".config")).unwrap();
    std::os::unix::fs::symlink(format!("{}{far}", w.join("L").display()), h.join(".config")).unwrap();
    write_executable(
        &w.join("swap.sh"),
        &format!(
            "#!/bin/sh\nrm -f links/bashrc && echo 'echo swapped' > links/bashrc\nmkdir -p deep{far}/systemd/user && \
             echo unit > deep{far}/systemd/user/evil.service\ntrue\n"
        ),
    );
    let o = s.run(&["-c", "./swap.sh 2>/dev/null; true"]);
    assert_eq!(o.status.code(), Some(0), "{}", describe(&o));
    assert_eq!(std::fs::read_to_string(h.join(".bashrc")).unwrap(), "# rc\n", "a link on the way was replaced");
    assert!(!w.join(format!("deep{far}/systemd/user/evil.service")).exists(), "made far below a link");
}

/// What a command leaves running (`server &`) may hold the pipes guard copies the command's
/// output through (a contained command's stderr, masked output) for as long as it runs, and
/// write to them all the while: guard still reports the command's end and its status when the
/// command ends, with all the command wrote (an unfinished last line too), and what is left
/// running still writes to guard's caller, through the same filters (masked), until it ends.
#[test]
fn what_a_command_leaves_running_does_not_keep_guard_from_reporting_its_end() {
    if !landlock("what_a_command_leaves_running…") {
        return;
    }
    let s = Setup::new();
    let secret = "AKIAIOSFODNN7EXAMPLE";
    let script = format!(
        "sleep 120 & echo $! > left.pid\n\
         (while :; do echo tick >&2; sleep 0.01; done) & echo $! > ticker.pid\n\
         (while [ ! -e go ]; do sleep 0.05; done; echo later >&2; echo; echo {secret}; echo done) &\n\
         echo now; printf unfinished\nexit 3\n"
    );
    std::fs::write(s.work().join("bg.sh"), script).unwrap();
    let mut c = s.guard(&["-c", "sh bg.sh"]);
    c.env("GUARD_MASK", "always").stdin(std::process::Stdio::null());
    c.stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::piped());
    let mut child = c.spawn().unwrap();
    let pids = || {
        ["left.pid", "ticker.pid"]
            .iter()
            .filter_map(|f| std::fs::read_to_string(s.work().join(f)).ok()?.trim().parse::<i32>().ok())
            .collect::<Vec<_>>()
    };
    let kill = |pids: &[i32]| {
        for pid in pids {
            // SAFETY: kill(2) on a process the script left running.
            unsafe { libc::kill(*pid, libc::SIGKILL) };
        }
    };
    // Not `wait_with_output`: the pipes stay open while what was left runs; the status does not
    // wait for them. A minute is far longer than guard ever takes here; past it, guard waited.
    let mut status = None;
    for _ in 0..600 {
        status = child.try_wait().unwrap();
        if status.is_some() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    if status.is_none() {
        kill(&pids());
        let _ = child.kill();
        panic!("guard waited for what the command left running");
    }
    assert_eq!(status.unwrap().code(), Some(3));
    assert_eq!(s.last_entry()["exit"], 3, "{}", s.last_entry());
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    // All the command wrote, its unfinished line too, has come before anything later is
    // written (the writer waits for `go`).
    let mut out = read_until(&mut stdout, "unfinished");
    assert_eq!(out, "now\nunfinished");
    std::fs::write(s.work().join("go"), "").unwrap();
    out.push_str(&read_until(&mut stdout, "done"));
    kill(&pids());
    let mut err = String::new();
    std::io::Read::read_to_string(&mut stdout, &mut out).unwrap();
    std::io::Read::read_to_string(&mut stderr, &mut err).unwrap();
    assert!(!out.contains(secret), "masked after guard ended too: {out:?}");
    assert!(err.contains("tick") && err.contains("later"), "{err:?}");
}

/// What comes from `from` until `want` is in it; fails after a minute without it.
fn read_until(from: &mut (impl std::io::Read + std::os::fd::AsRawFd), want: &str) -> String {
    let mut seen = String::new();
    let mut buf = [0u8; 4096];
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while !seen.contains(want) {
        assert!(std::time::Instant::now() < deadline, "{want:?} did not come: {seen:?}");
        let mut fd = libc::pollfd { fd: from.as_raw_fd(), events: libc::POLLIN, revents: 0 };
        // SAFETY: poll(2) on one descriptor the test holds.
        if unsafe { libc::poll(&mut fd, 1, 100) } <= 0 {
            continue;
        }
        let n = from.read(&mut buf).unwrap();
        assert!(n > 0, "closed before {want:?} came: {seen:?}");
        seen.push_str(&String::from_utf8_lossy(&buf[..n]));
    }
    seen
}

/// A command guard allowed, hiding from judging what it changes (the path read from a file),
/// makes guard's own policy unreadable: `chmod` is not a right Landlock controls, and the
/// directory and file are the user's own. guard must not then run as if the user had no
/// policy (the user's deny rule gone): every command is asked until the policy can be read,
/// and `guard doctor` names it. Run as a user other than root where the test runs as root
/// (root reads whatever the permissions say).
#[test]
fn a_policy_made_unreadable_from_inside_leaves_every_command_asked_not_unguarded() {
    use std::os::unix::fs::PermissionsExt;
    use std::os::unix::process::CommandExt;
    let s = Setup::new();
    let policy = s.home().join("config/guard/policy.yaml");
    std::fs::write(
        &policy,
        "rules:\n  - {id: me.marker, match: {program: touch, operand: {equals: [marker]}}, decision: deny, message: no \
         markers, examples: {deny: [touch marker]}}\n",
    )
    .unwrap();
    // Root reads what it likes: the guards here run as another user, from a copy of guard that
    // user can run wherever the checkout is.
    let uid = nix::unistd::geteuid().as_raw();
    let (run_as, guard) = if uid == 0 {
        let copy = s.home().join("guard");
        std::fs::copy(sandbox::GUARD, &copy).unwrap();
        let other = 54_321;
        chown_all(s.home(), other);
        (Some(other), copy)
    } else {
        (None, PathBuf::from(sandbox::GUARD))
    };
    let guard_as = |args: &[&str]| -> Output {
        let mut c = rebase(s.guard(args), &guard);
        if let Some(id) = run_as {
            // SAFETY: setgroups(2), setresgid(2) and setresuid(2) are async-signal-safe.
            unsafe {
                c.pre_exec(move || {
                    let ok = libc::setgroups(0, std::ptr::null()) == 0
                        && libc::setresgid(id, id, id) == 0
                        && libc::setresuid(id, id, id) == 0;
                    if ok {
                        Ok(())
                    } else {
                        Err(std::io::Error::last_os_error())
                    }
                });
            }
        }
        c.output().unwrap()
    };
    let o = guard_as(&["-c", "touch marker"]);
    assert_eq!(o.status.code(), Some(126), "the user's rule holds: {}", describe(&o));
    for target in [policy.clone(), policy.parent().unwrap().to_path_buf()] {
        std::fs::write(s.work().join("t.txt"), format!("{}\n", target.display())).unwrap();
        std::fs::write(s.work().join("c.sh"), "read t < t.txt\nchmod 000 \"$t\"\n").unwrap();
        if let Some(id) = run_as {
            chown_all(&s.work(), id);
        }
        let o = guard_as(&["-c", "sh c.sh"]);
        assert_eq!(o.status.code(), Some(0), "{}", describe(&o));
        assert!(std::fs::metadata(&target).unwrap().permissions().mode() & 0o777 == 0, "{}", target.display());
        for command in ["touch marker", "ls"] {
            let o = guard_as(&["-c", command]);
            assert_eq!(o.status.code(), Some(126), "{command} after chmod 000 {}: {}", target.display(), describe(&o));
            assert!(text(&o.stderr).contains("guard.policy-unreadable"), "{}", describe(&o));
        }
        assert!(!s.work().join("marker").exists());
        let o = guard_as(&["doctor"]);
        assert!(text(&o.stdout).contains("guard cannot read its own policy"), "{}", describe(&o));
        std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o700)).unwrap();
        let o = guard_as(&["-c", "ls"]);
        assert_eq!(o.status.code(), Some(0), "readable again: {}", describe(&o));
    }
    let o = guard_as(&["-c", "touch marker"]);
    assert_eq!(o.status.code(), Some(126), "the user's rule holds again: {}", describe(&o));
}

/// `c` with `guard` as its program (the same arguments, environment and directory).
fn rebase(c: Command, guard: &Path) -> Command {
    let mut out = Command::new(guard);
    out.args(c.get_args());
    out.env_clear();
    for (k, v) in c.get_envs() {
        if let Some(v) = v {
            out.env(k, v);
        }
    }
    if let Some(d) = c.get_current_dir() {
        out.current_dir(d);
    }
    out.stdin(std::process::Stdio::null());
    sandbox::without_terminal(&mut out);
    out
}

/// `path` and everything beneath it given to user and group `id`.
fn chown_all(path: &Path, id: u32) {
    std::os::unix::fs::lchown(path, Some(id), Some(id)).unwrap();
    if path.is_dir() && !path.is_symlink() {
        for e in std::fs::read_dir(path).unwrap() {
            chown_all(&e.unwrap().path(), id);
        }
    }
}

/// A policy file kept in a dotfiles repository, linked into guard's directory (`stow`), while
/// the agent works in that repository: the file it leads to cannot be changed, emptied or
/// removed from inside the scope (the path hidden from judging), and the user's rule holds;
/// one removed from outside leaves a link to nothing, which has every command asked.
#[test]
fn a_policy_file_linked_from_the_project_stays_out_of_reach() {
    if !landlock("a_policy_file_linked_from_the_project…") {
        return;
    }
    let s = Setup::new();
    let w = s.work();
    std::fs::create_dir_all(w.join("guard")).unwrap();
    let rule = "rules:\n  - {id: me.marker, match: {program: touch, operand: {equals: [marker]}}, decision: deny, \
                message: no markers, examples: {deny: [touch marker]}}\n";
    std::fs::write(w.join("guard/mine.yaml"), rule).unwrap();
    let link = s.home().join("config/guard/mine.yaml");
    std::os::unix::fs::symlink(w.join("guard/mine.yaml"), &link).unwrap();
    assert_eq!(s.run(&["-c", "touch marker"]).status.code(), Some(126));
    std::fs::write(w.join("t.txt"), "guard/mine.yaml\n").unwrap();
    for change in ["echo 'rules: []' > \"$t\"", ": > \"$t\"", "rm -f \"$t\"", "mv \"$t\" off.yaml", "chmod 000 \"$t\""]
    {
        std::fs::write(w.join("c.sh"), format!("read t < t.txt\n( {change} ) 2>/dev/null\ntrue\n")).unwrap();
        let o = s.run(&["-c", "sh c.sh"]);
        assert_eq!(o.status.code(), Some(0), "{change}: {}", describe(&o));
        if change.starts_with("chmod") {
            // Not a Landlock right: guard then asks (or, as root, reads it anyway).
            std::fs::set_permissions(w.join("guard/mine.yaml"), std::os::unix::fs::PermissionsExt::from_mode(0o644))
                .unwrap();
        }
        assert_eq!(std::fs::read_to_string(w.join("guard/mine.yaml")).unwrap(), rule, "{change}");
        let o = s.run(&["-c", "touch marker"]);
        assert_eq!(o.status.code(), Some(126), "{change}: {}", describe(&o));
        assert!(!w.join("marker").exists(), "{change}");
    }
    // Removed from outside every scope: a link to nothing is not an empty policy.
    std::fs::remove_file(w.join("guard/mine.yaml")).unwrap();
    let o = s.run(&["-c", "ls"]);
    assert_eq!(o.status.code(), Some(126), "{}", describe(&o));
    assert!(text(&o.stderr).contains("guard.policy-unreadable"), "{}", describe(&o));
}
