//! guard's model of what `echo` and `printf` print (used when their output is piped into a
//! shell), of `$'…'` words, and of what decoders (`base64 -d`, `xxd -r`, `rev`, `tr`, …) write,
//! against bash and the real tools, form by form: where guard gives an answer it must be the
//! real answer, byte for byte; where it is not sure it must say unknown, never guess.

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

/// What bash prints for `cmd`, or `None` (said loudly) when there is no bash to ask.
fn bash(cmd: &str) -> Option<Vec<u8>> {
    match std::process::Command::new("bash").args(["-c", cmd]).env("LC_ALL", "C.UTF-8").output() {
        Ok(o) => Some(o.stdout),
        Err(e) => {
            eprintln!("SKIPPED: no bash to compare with ({e})");
            None
        }
    }
}

/// Compare guard's answer with bash's for each case; returns how many guard answered.
fn compare(cases: &[&str], ours: impl Fn(&str) -> Option<String>, theirs: impl Fn(&str) -> String) -> usize {
    let mut wrong = Vec::new();
    let mut known = 0;
    for c in cases {
        if let Some(m) = ours(c) {
            known += 1;
            let Some(b) = bash(&theirs(c)) else { return usize::MAX };
            if m.as_bytes() != b {
                wrong.push(format!("{c}: guard says {m:?}, bash printed {:?}", String::from_utf8_lossy(&b)));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    known
}

#[test]
fn echo_and_printf_are_modelled_as_bash_runs_them_or_not_at_all() {
    let cases = [
        r"printf 'rm x'",
        r"printf -- 'rm x'",
        r"printf '%s %s\n' rm x",
        r"printf '%s\n' a b c",
        r"printf '%s %s\n' a",
        r"printf 'x\n' a b",
        r"printf 'rm -rf \176'",
        r"printf 'rm -rf \0176'",
        r"printf 'rm -rf \1766'",
        r"printf '\62\63'",
        r"printf '\x72m'",
        r"printf '\x7'",
        r"printf '\x'",
        r"printf '\xZ'",
        r"printf '\xc3\xa9'",
        r"printf '\xff'",
        r"printf '\377'",
        r"printf '\162\155 x'",
        r"printf '\045s' x",
        r"printf '\%s' x",
        r"printf '%b' 'rm\040x'",
        r"printf '%b' 'rm\0040x'",
        r"printf '%b' '\162\155 -rf \176'",
        r"printf '%b' '\0162\0155'",
        r"printf '%b' 'a\x41\u0042'",
        r#"printf '%b' 'a\'\''b\\"c\?d'"#,
        r"printf '%b' 'trailing\\'",
        r"printf '%b\n' 'a\cb' c",
        r"printf '%s-%b|' a 'x\ty' b",
        r"printf '%.0srm x' junk",
        r"printf '%cm x' rZZZ",
        r"printf '%c' ''",
        r"printf '%5s' rm",
        r"printf '%-5s|' rm",
        r"printf '%d %i' 3 -4",
        r"printf '%d' 010",
        r"printf '%d' 0x10",
        r"printf '%d' +5",
        r"printf '%d' ''",
        r"printf '%d|' 0 -0",
        r"printf '%x' 255",
        r"printf '%q' 'a b'",
        r"printf '%q ' a=b:c@d%e+f-g. '' 'a,b' '~x' '#a' 'a#b'",
        r"printf '\u0072m x'",
        r"printf '\U00000072m x'",
        r"printf '\u00e9'",
        r"printf '\u'",
        r"printf '%%s'",
        r"printf '%'",
        r"printf 'a\cb'",
        r"printf '\a\b\e\E\f\n\r\t\v\\'",
        r#"printf '\'\''\"\?'"#,
        r"printf '%b' '\a\b\e\E\f\n\r\t\v\\'",
        r"printf 'a\0b'",
        r"printf 'a\q'",
        r"printf 'trailing\'",
        r"echo rm x",
        r"echo -n rm x",
        r"echo -e 'rm\tx'",
        r"echo -e 'rm \0176'",
        r"echo -e 'rm \176'",
        r"echo -e 'rm \1766'",
        r"echo -e '\0162\0155'",
        r"echo -e '\x72m'",
        r"echo -e '\x'",
        r"echo -e '\u0072m'",
        r"echo -e '\u00e9'",
        r#"echo -e 'a\'\''b\\"c\?d'"#,
        r"echo -e '\a\b\e\E\f\n\r\t\v\\'",
        r"echo -e 'a\q'",
        r"echo -e 'trailing\\'",
        r"echo 'rm \0176'",
        r"echo -E 'a\nb'",
        r"echo -e 'a\cb' c",
        r"echo -ne 'a\nb'",
        r"echo -en 'a'",
        r"echo -eE 'a\nb'",
        r"echo -Ee 'a\nb'",
        r"echo -e -n 'x'",
        r"echo -n -- x",
        r"echo - x",
        r"echo -x y",
        r"echo",
        r"echo -e",
    ];
    let known = compare(&cases, model, |c| c.to_string());
    assert!(known >= 60, "only {known} forms modelled");
}

/// `$'…'` words as bash reads them: the value the command is given.
#[test]
fn ansi_c_quoting_is_read_as_bash_reads_it_or_not_at_all() {
    let cases = [
        r"$'rm -rf \176'",
        r"$'\162\155'",
        r"$'\0162'",
        r"$'\x72\x6d'",
        r"$'\x{72}m'",
        r"$'\u0072m'",
        r"$'\U00000072m'",
        r"$'\u'",
        r"$'\x'",
        r"$'\u00e9'",
        r"$'\xc3\xa9'",
        r"$'\xff'",
        r"$'\377'",
        r"$'a\0b'c",
        r"$'a\x00b'c",
        r"$'\cA\c?\c\\'",
        r"$'\ca'",
        r#"$'\'\"\?\\'"#,
        r"$'\a\b\e\E\f\n\r\t\v'",
        r"$'a\qb'",
        r"$'rm' -rf",
    ];
    let ours = |c: &str| {
        let plan = analyze(&format!("printf %s {c}"), &Env::default());
        let words: Option<Vec<&str>> = plan.invocations[0].args[1..].iter().map(|w| w.as_literal()).collect();
        words.map(|w| w.join(" "))
    };
    let known = compare(&cases, ours, |c| format!("x=({c}); printf %s \"${{x[*]}}\""));
    assert!(known >= 15, "only {known} forms modelled");
}

/// Decoders fed a literal, as the pipeline's last stage: guard's text for the shell reading
/// it must be what the tool writes.
#[test]
fn decoders_are_modelled_as_the_tools_run_them_or_not_at_all() {
    let cases = [
        "echo cm0gLXJmIH4= | base64 -d",
        "echo cm0gLXJmIH4 | base64 -d",
        "echo 'cm0g!LXJmIH4=' | base64 -di",
        "printf 'cm0gLXJm\\nIH4=\\n' | base64 --decode",
        "base64 -d <<< ZWNobyBoaQ==",
        "echo ZWNobyBoaQ== | base64 -d -",
        "echo MVWCA3DP | base32 -d",
        "echo ZWNobyBoaQ== | basenc --base64 -d",
        "echo 726D | basenc --base16 -d",
        "echo 'Pz8_' | basenc --base64url -d",
        "echo cm0gLXJmIH4= | openssl enc -d -base64",
        "echo cm0gLXJmIH4= | openssl base64 -d",
        "echo cm0gLXJmIH4= | openssl enc -d -a -A",
        "echo 726d202d7266207e | xxd -r -p",
        "echo '72 6d 20 2d 72 66' | xxd -r -ps",
        "echo rm -rf ~/x | xxd | xxd -r",
        "echo '~ fr- mr' | rev",
        "printf 'ab\\ncd' | rev",
        "echo 'ez -es ~' | tr 'A-Za-z' 'N-ZA-Mn-za-m'",
        "echo hello | tr a-z A-Z",
        "echo 'r_m' | tr -d _",
        "echo 'r-m' | tr 'a\\-z' 'xyz'",
        "echo '~ sf- ze' | rev | tr 'A-Za-z' 'N-ZA-Mn-za-m'",
        "echo 'fwJHShhsMkYuMXRM' | rev | base64 -d",
        "echo cm0gLXJmIH4= | base64 -d | cat",
    ];
    let ours = |c: &str| {
        let plan = analyze(&format!("{c} | sh"), &Env::default());
        let code = plan.invocations.iter().find(|i| i.program.as_literal() == Some("sh"))?.code.clone()?;
        code.text.as_literal().map(str::to_string)
    };
    let known = compare(&cases, ours, |c| c.to_string());
    assert!(known >= 20, "only {known} decodings modelled");
}
