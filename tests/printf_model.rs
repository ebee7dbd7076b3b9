//! guard's model of what `echo` and `printf` print (used when their output is piped into a
//! shell) against bash's own, form by form: where guard gives an answer it must be bash's
//! answer, byte for byte; where it is not sure it must say unknown, never guess.

#![allow(clippy::unwrap_used)] // a test fails loudly on what it did not expect

use guard::plan::Value;
use guard::shell::{analyze, programs, Env};

fn model(cmd: &str) -> Option<String> {
    let plan = analyze(cmd, &Env::default());
    programs::literal_output(&plan.invocations[0], None).and_then(|w| match w.value {
        Value::Literal(s) => Some(s),
        Value::Dynamic(_) => None,
    })
}

fn bash(cmd: &str) -> String {
    let o = std::process::Command::new("bash").args(["-c", cmd]).output().expect("bash runs");
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn echo_and_printf_are_modelled_as_bash_runs_them_or_not_at_all() {
    let cases = [
        r"printf 'rm x'",
        r"printf '%s %s\n' rm x",
        r"printf '%s\n' a b c",
        r"printf 'rm -rf \176'",
        r"printf 'rm -rf \0176'",
        r"printf '\x72m'",
        r"printf '\162\155 x'",
        r"printf '%b' 'rm\040x'",
        r"printf '%b' 'rm\0040x'",
        r"printf '%.0srm x' junk",
        r"printf '%cm x' rZZZ",
        r"printf '%5s' rm",
        r"printf '%d %i' 3 -4",
        r"printf '%q' 'a b'",
        r"printf '\u0072m x'",
        r"printf '%%s'",
        r"printf 'a\cb'",
        r"printf '%b' 'a\cb' c",
        r"echo rm x",
        r"echo -n rm x",
        r"echo -e 'rm\tx'",
        r"echo -e 'rm \0176'",
        r"echo -e 'rm \176'",
        r"echo -e '\x72m'",
        r"echo -e '\u0072m'",
        r"echo 'rm \0176'",
        r"echo -E 'a\nb'",
        r"echo -e 'a\cb'",
    ];
    let mut wrong = Vec::new();
    let mut known = 0;
    for c in cases {
        if let Some(m) = model(c) {
            known += 1;
            let b = bash(c);
            if m != b {
                wrong.push(format!("{c}: guard says {m:?}, bash printed {b:?}"));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    assert!(known >= 18, "only {known} forms modelled");
}
