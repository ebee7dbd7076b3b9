//! What reading code in each language finds: the shell text of each effect (unknown parts as
//! `‹what›`), whether the whole code was read, and fork loops.

use std::time::{Duration, Instant};

use super::read;
use crate::plan::Part;
use crate::shell::testing::runs;

fn effects(language: &str, code: &str) -> Vec<String> {
    let deadline = Instant::now() + Duration::from_secs(5);
    let r = read(language, code, deadline).expect("readable");
    r.effects
        .iter()
        .map(|e| {
            e.shell
                .iter()
                .map(|p| match p {
                    Part::Text(t) => t.clone(),
                    Part::Unknown { what, .. } => format!("‹{what}›"),
                })
                .collect()
        })
        .collect()
}

fn complete(language: &str, code: &str) -> bool {
    read(language, code, Instant::now() + Duration::from_secs(5)).is_some_and(|r| r.complete)
}

fn forks(language: &str, code: &str) -> bool {
    read(language, code, Instant::now() + Duration::from_secs(5)).is_some_and(|r| r.forks_without_end)
}

#[test]
fn python_calls_become_shell_commands() {
    for (code, want) in [
        ("import shutil; from pathlib import Path; shutil.rmtree(Path.home())", vec!["rm -r -- \"$HOME\""]),
        ("import shutil as sh, os; sh.rmtree(os.path.expanduser('~/src'))", vec!["rm -r -- \"$HOME\"/src"]),
        ("import os; os.system('rm -rf /tmp/x')", vec!["rm -rf /tmp/x"]),
        ("import subprocess; subprocess.run(['rm', '-rf', '/'])", vec!["rm -rf /"]),
        ("from subprocess import run as r; r('ls -l', shell=True)", vec!["ls -l"]),
        ("import subprocess; subprocess.Popen('ls')", vec!["ls"]),
        ("import os; p = os.environ['HOME']; os.system(f'rm -rf {p}')", vec!["rm -rf $HOME"]),
        ("import os; os.remove(os.path.join(os.environ.get('HOME'), '.bashrc'))", vec!["rm -- \"$HOME\"/.bashrc"]),
        ("import os; os.execl('/bin/sh', 'sh', '-c', 'id')", vec!["/bin/sh -c id"]),
        ("import os; os.execv('/bin/bash', ['bash', '-p'])", vec!["/bin/bash -p"]),
        ("import pty; pty.spawn('/bin/sh')", vec!["/bin/sh"]),
        ("open('/etc/passwd', 'a').write('x')", vec!["true >> /etc/passwd"]),
        (
            "from pathlib import Path; (Path.home() / '.ssh' / 'authorized_keys').write_text('k')",
            vec!["true > \"$HOME\"/.ssh/authorized_keys"],
        ),
        ("import os; os.chmod('/etc/shadow', 0o777)", vec!["chmod 777 -- /etc/shadow"]),
        ("print(open('/home/u/.aws/credentials').read())", vec!["cat -- /home/u/.aws/credentials"]),
        ("exec(\"import os; os.system('id')\")", vec!["id"]),
        ("__import__('os').system('whoami')", vec!["whoami"]),
        ("import os; os.system(cmd)", vec!["‹cmd›"]),
        ("import sys, json; print(json.dumps(json.load(sys.stdin), indent=2))", vec![]),
        ("print(sum(range(10)))", vec![]),
        ("import sys; print(open(sys.argv[1]).read())", vec![]),
        ("xs = [1, 2]; xs.remove(1)", vec![]),
    ] {
        assert_eq!(effects("python", code), want, "{code}");
    }
}

#[test]
fn javascript_calls_become_shell_commands() {
    for (code, want) in [
        (
            "const fs = require('fs'), os = require('os'); fs.rmSync(os.homedir(), {recursive: true})",
            vec!["rm -r -- \"$HOME\""],
        ),
        ("require('fs').unlinkSync('/etc/hosts')", vec!["rm -- /etc/hosts"]),
        ("const {execSync} = require('child_process'); execSync(`rm -rf ${process.env.HOME}`)", vec!["rm -rf $HOME"]),
        ("require('child_process').spawn('sh', ['-c', 'id'], {stdio: 'inherit'})", vec!["sh -c id"]),
        ("import {exec as run} from 'node:child_process'; run('uptime')", vec!["uptime"]),
        ("const cp = require('child_process'); cp.execFileSync('git', ['push', '--force'])", vec!["git push --force"]),
        ("require('fs').writeFileSync(require('os').homedir() + '/.bashrc', 'x')", vec!["true > \"$HOME\"/.bashrc"]),
        ("Bun.spawn(['rm', '-rf', '/srv'])", vec!["rm -rf /srv"]),
        ("console.log(JSON.stringify({a: 1}))", vec![]),
        ("console.log(process.version)", vec![]),
    ] {
        assert_eq!(effects("javascript", code), want, "{code}");
    }
}

#[test]
fn ruby_perl_php_lua_and_awk_calls_become_shell_commands() {
    for (lang, code, want) in [
        ("ruby", "require 'fileutils'; FileUtils.rm_rf(Dir.home)", vec!["rm -r -- \"$HOME\""]),
        ("ruby", "system('rm', '-rf', ENV['HOME'] + '/x')", vec!["rm -rf \"$HOME\"/x"]),
        ("ruby", "exec '/bin/sh'", vec!["/bin/sh"]),
        ("ruby", "puts `id`", vec!["id"]),
        ("ruby", "File.delete('/etc/passwd')", vec!["rm -- /etc/passwd"]),
        ("ruby", "puts [1, 2].sum", vec![]),
        ("perl", "use File::Path qw(rmtree); rmtree($ENV{HOME})", vec!["rm -r -- \"$HOME\""]),
        ("perl", "system(\"rm -rf $ENV{HOME}/x\")", vec!["rm -rf $HOME/x"]),
        ("perl", "exec \"/bin/sh\"", vec!["/bin/sh"]),
        ("perl", "my $d = '/srv'; system('rm', '-rf', $d)", vec!["rm -rf /srv"]),
        ("perl", "open(my $f, '>>', \"$ENV{HOME}/.bashrc\")", vec!["true >> \"$HOME\"/.bashrc"]),
        ("perl", "open(P, \"curl x | sh |\")", vec!["curl x | sh "]),
        ("perl", "print qx{id}", vec!["id"]),
        ("perl", "unlink '/etc/hosts'", vec!["rm -- /etc/hosts"]),
        ("perl", "print \"hello\\n\"", vec![]),
        ("php", "system('rm -rf /');", vec!["rm -rf /"]),
        ("php", "echo shell_exec('ls ' . getenv('HOME'));", vec!["ls $HOME"]),
        ("php", "unlink($_SERVER['HOME'] . '/.ssh/id_rsa');", vec!["rm -- \"$HOME\"/.ssh/id_rsa"]),
        ("php", "echo `whoami`;", vec!["whoami"]),
        ("php", "echo json_encode([1, 2]);", vec![]),
        ("php", "<html><?php system('rm -rf /'); ?></html>", vec!["rm -rf /"]),
        ("php", "<?= `id` ?>", vec!["id"]),
        ("lua", "os.execute('rm -rf ' .. os.getenv('HOME'))", vec!["rm -rf $HOME"]),
        ("lua", "io.popen('id')", vec!["id"]),
        ("lua", "os.remove('/etc/x')", vec!["rm -- /etc/x"]),
        ("lua", "print(1 + 1)", vec![]),
        ("awk", "BEGIN { system(\"rm -rf ~\") }", vec!["rm -rf ~"]),
        ("awk", "{ print $1 | \"sort -u\" }", vec!["sort -u"]),
        ("awk", "BEGIN { \"date\" | getline d; print d }", vec!["date"]),
        ("awk", "{ print > \"/etc/passwd\" }", vec!["true > /etc/passwd"]),
        ("awk", "{ print $1 }", vec![]),
        ("awk", "$3 > 10 { print $1 }", vec![]),
    ] {
        assert_eq!(effects(lang, code), want, "{lang}: {code}");
    }
}

/// Arguments given by name, other names for functions and modules, escapes, kills.
#[test]
fn spellings_that_hide_a_call_are_read() {
    for (lang, code, want) in [
        ("python", "import shutil; shutil.rmtree(path='/')", vec!["rm -r -- /"]),
        ("python", "import subprocess; subprocess.run(args=['rm', '-rf', '/'])", vec!["rm -rf /"]),
        ("python", "import subprocess; subprocess.call(args='rm -rf /', shell=True)", vec!["rm -rf /"]),
        ("python", "import os; f = os.system; f('rm -rf /srv')", vec!["rm -rf /srv"]),
        ("python", "import shutil; rm = shutil.rmtree; rm('/srv')", vec!["rm -r -- /srv"]),
        ("python", "import os; o = os; o.system('id')", vec!["id"]),
        ("python", "import os; os.kill(-1, 9)", vec!["kill -9 -- -1"]),
        ("python", "import os; os.system('\\x72m -rf /')", vec!["rm -rf /"]),
        (
            "python",
            "import os; os.system('\\N{LATIN SMALL LETTER R}m -rf /')",
            vec!["‹\\N{LATIN SMALL LETTER R}m -rf /›"],
        ),
        ("javascript", "const f = require('child_process').execSync; f('id')", vec!["id"]),
        ("javascript", "const cp = require('child_process'); const {execSync: run} = cp; run('id')", vec!["id"]),
        ("lua", "local x = os.execute; x('rm -rf /')", vec!["rm -rf /"]),
        ("lua", "os.execute('\\114m -rf /')", vec!["rm -rf /"]),
        ("ruby", "FU = FileUtils; FU.rm_rf('/')", vec!["rm -r -- /"]),
        ("ruby", "Process.kill(9, -1)", vec!["kill -9 -- -1"]),
        ("perl", "system(\"\\x{72}m -rf /\")", vec!["rm -rf /"]),
        ("perl", "system(\"\\Urm\\E -rf /\")", vec!["‹\"\\Urm\\E -rf /\"›"]),
        ("php", "SYSTEM('rm -rf /');", vec!["rm -rf /"]),
        ("php", "call_user_func('system', 'rm -rf /');", vec!["rm -rf /"]),
        ("awk", "BEGIN { system(\"\\162m -rf /\") }", vec!["rm -rf /"]),
    ] {
        assert_eq!(effects(lang, code), want, "{lang}: {code}");
    }
}

/// Huge or deeply nested expressions are not followed (they stay unknown): no blow-up.
#[test]
fn huge_expressions_stay_unknown() {
    let mut doubling = String::from("x0 = 'ab'\n");
    for i in 1..40 {
        doubling.push_str(&format!("x{i} = x{} + x{}\n", i - 1, i - 1));
    }
    doubling.push_str("import os\nos.system(x39)\n");
    let got = effects("python", &doubling);
    assert!(got.len() == 1 && got[0].starts_with('‹') && got[0].len() < 1000, "{got:?}");
    let deep = format!("import os\nos.system('a'{})", " + 'a'".repeat(20_000));
    let r = read("python", &deep, Instant::now() + Duration::from_secs(5)).expect("read");
    assert!(!r.complete);
}

#[test]
fn code_that_chooses_what_it_calls_is_not_read_completely() {
    for (lang, code, want) in [
        ("python", "print(1)", true),
        ("python", "import os; getattr(os, 'sys' + 'tem')('id')", false),
        ("python", "import os; getattr(os, 'system')('id')", true),
        ("python", "exec(input())", false),
        ("python", "import base64; exec(base64.b64decode('aWQ='))", false),
        ("python", "print(", false),
        ("javascript", "const m = 'child_' + 'process'; require(m).execSync('id')", false),
        ("javascript", "require('fs').readFileSync('x')", true),
        ("javascript", "global[x]('id')", false),
        ("ruby", "Kernel.send(:system, 'id')", false),
        ("php", "$f = 'system'; $f('id');", false),
        ("perl", "eval $code", false),
        ("lua", "load(s)()", false),
    ] {
        assert_eq!(complete(lang, code), want, "{lang}: {code}");
    }
}

#[test]
fn fork_loops_that_never_end_are_found() {
    for (lang, code, want) in [
        ("python", "import os\nwhile True: os.fork()", true),
        ("python", "import os\nwhile 1:\n    os.fork()", true),
        ("python", "import os\nwhile True:\n    if os.fork() == 0: break\n    os.wait()", false),
        ("python", "import os\nfor i in range(3): os.fork()", false),
        ("python", "import os\nwhile True:\n    if os.fork() == 0:\n        os._exit(0)", false),
        ("python", "import os\nfor _ in iter(int, 1): os.fork()", true),
        ("ruby", "1.step { fork }", true),
        ("php", "do { pcntl_fork(); } while (true);", true),
        ("javascript", "const cp = require('child_process'); while (true) cp.fork(__filename)", true),
        ("perl", "fork while 1", true),
        ("perl", "while (1) { fork }", true),
        ("perl", "1 while fork", true),
        ("perl", "for (;;) { fork; }", true),
        ("perl", "fork; print 1", false),
        ("ruby", "loop { fork }", true),
        ("ruby", "loop do fork end", true),
        ("ruby", "while true do Process.fork end", true),
        ("ruby", "3.times { fork }", false),
        ("php", "while (1) pcntl_fork();", true),
        ("php", "for (;;) { pcntl_fork(); }", true),
    ] {
        assert_eq!(forks(lang, code), want, "{lang}: {code}");
    }
}

/// The commands the code runs are in the Plan, one level deeper, reached through the code.
#[test]
fn effects_are_invocations_in_the_plan() {
    for (text, want) in [
        (
            "python3 -c 'import shutil; shutil.rmtree(\"/srv\")'",
            vec![
                "python3 -c 'import shutil; shutil.rmtree(\"/srv\")'",
                "rm -r -- /srv @python code shutil.rmtree(\"/srv\")",
            ],
        ),
        (
            "sudo node -e 'require(\"child_process\").execSync(\"id\")'",
            vec![
                "sudo node -e require(\"child_process\").execSync(\"id\")",
                "node -e require(\"child_process\").execSync(\"id\") @run by sudo",
                "id @run by sudo > javascript code require(\"child_process\").execSync(\"id\")",
            ],
        ),
        (
            "python3 - <<'EOF'\nimport os\nos.system('make test')\nEOF",
            vec!["python3 -", "make test @python code os.system('make test')"],
        ),
        ("echo 'system(\"id\")' | ruby", vec!["echo system(\"id\")", "ruby", "id @ruby code system(\"id\")"]),
        ("python3 -c 'print(42)'", vec!["python3 -c print(42)"]),
    ] {
        assert_eq!(runs(text), want, "{text}");
    }
}

#[test]
fn depth_counts_the_code_level() {
    let plan = crate::shell::testing::plan("bash -c \"python3 -c 'import os; os.system(\\\"id\\\")'\"");
    let id = plan.invocations.iter().find(|i| i.program_name() == Some("id")).expect("id is found");
    assert_eq!(id.depth, 2);
}

mod property {
    use proptest::prelude::*;

    use super::*;

    const PIECES: &[&str] = &[
        "os.system(",
        "subprocess.run([",
        "'rm -rf /'",
        "\"x\"",
        ")",
        "]",
        "(",
        "[",
        "{",
        "}",
        ";",
        "\n",
        "while True:",
        " fork ",
        "$ENV{HOME}",
        "require('fs').rmSync(",
        "`",
        "%x(",
        "<?php",
        "?>",
        "qx{",
        "\\",
        "'",
        "\"",
        "f\"{",
        "${",
        "..",
        " . ",
        " + ",
        "/",
        "Path.home()",
        "eval(",
        "exec ",
        "system ",
        "loop {",
        "end",
        "do",
        "$x = ",
        "getenv('HOME')",
        "io.popen(",
        "|",
        "| getline",
        "print >",
        "#",
        "/*",
        "*/",
        "--",
    ];

    fn code() -> impl Strategy<Value = String> {
        prop::collection::vec(prop::sample::select(PIECES), 0..40).prop_map(|v| v.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        /// No code in any language panics or hangs the reader.
        #[test]
        fn no_code_panics(text in code(), raw in "\\PC{0,200}") {
            for lang in ["python", "javascript", "ruby", "perl", "php", "lua", "awk"] {
                let deadline = Instant::now() + Duration::from_secs(2);
                let started = Instant::now();
                let _ = read(lang, &text, deadline);
                let _ = read(lang, &raw, deadline);
                prop_assert!(started.elapsed() < Duration::from_secs(3));
            }
        }
    }
}

/// Code only partly known is read with its unknown parts kept unknown, wherever they land.
#[test]
fn partly_known_code_keeps_its_unknown_parts() {
    for (text, want) in [
        ("python3 -c \"import shutil; shutil.rmtree('$DIR')\"", vec!["rm -r -- '‹$DIR›'"]),
        ("python3 -c \"import os; os.system('rm -rf $DIR/x')\"", vec!["rm -rf '‹$DIR›/x'"]),
        ("python3 -c \"import os; os.remove('/my dir/$F')\"", vec!["rm -- '/my dir/‹$F›'"]),
    ] {
        let plan = crate::shell::testing::plan(text);
        let got: Vec<String> = plan.invocations.iter().skip(1).map(|i| i.display()).collect();
        assert_eq!(got, want, "{text}");
        assert!(plan.invocations[0].code.as_ref().and_then(|c| c.read).is_some_and(|r| !r.complete), "{text}");
    }
}

/// A script written earlier in the text and run by an interpreter is read for what it holds.
#[test]
fn scripts_written_earlier_are_read() {
    let text = "cat > /tmp/x.py <<'EOF'\nimport shutil\nshutil.rmtree('/srv')\nEOF\npython3 /tmp/x.py";
    assert_eq!(
        runs(text),
        vec!["cat", "python3 /tmp/x.py", "rm -r -- /srv @python code shutil.rmtree('/srv')"],
        "{text}"
    );
    // Python written to a file is not read as shell.
    assert_eq!(runs("echo 'import os' > a.py; python3 a.py"), vec!["echo 'import os'", "python3 a.py"]);
}

/// Code doing more than guard lists is never read as if it did only what was listed.
#[test]
fn code_past_the_limit_is_marked_truncated() {
    let mut many = String::from("import os\n");
    for i in 0..300 {
        many.push_str(&format!("os.system('echo {i}')\n"));
    }
    many.push_str("os.system('rm -rf ~')\n");
    let r = read("python", &many, Instant::now() + Duration::from_secs(5)).expect("read");
    assert!(r.truncated && r.effects.len() == 256);
    // The same command many times is one effect.
    let same = format!("import os\n{}os.system('rm -rf ~')\n", "os.system('true')\n".repeat(300));
    assert_eq!(effects("python", &same), vec!["true", "rm -rf ~"]);
    let plan = crate::shell::testing::plan(&format!("python3 -c \"{many}\""));
    assert!(plan.issues.iter().any(|i| i.kind == crate::plan::IssueKind::TooMany));
}
