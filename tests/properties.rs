//! Property tests: no input makes the parser panic, and spellings bash treats as the same
//! command resolve to the same argv.

#![allow(clippy::unwrap_used)] // a test fails loudly on what it did not expect

use guard::plan::{Plan, Value};
use guard::shell::{analyze, Env};
use proptest::prelude::*;

/// Words bash reads as syntax (or a keyword-like builtin) in command position.
const KEYWORDS: &[&str] = &[
    "if", "then", "fi", "do", "done", "case", "esac", "for", "while", "until", "function", "time", "in", "elif",
    "else", "select", "coproc",
];

fn env() -> Env {
    Env::new("/home/u", "/work")
}

fn argv_of_first(plan: &Plan) -> Vec<String> {
    plan.invocations
        .first()
        .map(|inv| {
            inv.argv()
                .map(|w| match &w.value {
                    Value::Literal(s) => s.clone(),
                    Value::Dynamic(_) => format!("DYN:{}", w.display()),
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Spell one literal word in a random but bash-equivalent way.
fn spell(word: &str, style: &[u8]) -> String {
    let mut out = String::new();
    for (i, c) in word.chars().enumerate() {
        let s = style.get(i).copied().unwrap_or(0) % 6;
        match (s, c) {
            (_, '\'') => out.push_str("\\'"),
            (1, _) => {
                out.push('\'');
                out.push(c);
                out.push('\'');
            }
            (2, c) if !"\"\\$`".contains(c) => {
                out.push('"');
                out.push(c);
                out.push('"');
            }
            (3, c) if c.is_ascii() => out.push_str(&format!("$'\\x{:02x}'", c as u32)),
            (4, _) => {
                out.push('\\');
                out.push(c);
            }
            (5, _) if i > 0 => {
                out.push_str("''");
                out.push(c);
            }
            _ => {
                if c.is_ascii_alphanumeric() || "-_./=,:@%+".contains(c) {
                    out.push(c);
                } else {
                    out.push('\\');
                    out.push(c);
                }
            }
        }
    }
    if out.is_empty() {
        out.push_str("''");
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_text_never_panics(s in "\\PC{0,200}") {
        let _ = analyze(&s, &env());
    }

    #[test]
    fn shell_flavoured_text_never_panics(s in "([a-z$'\"\\\\(){}<>|&;`~=*#\n -]|<<|<<<|\\$\\(|EOF|bash -c |eval |sudo |xargs |find -exec ){0,60}") {
        let plan = analyze(&s, &env());
        for inv in &plan.invocations {
            prop_assert!(inv.span.start <= inv.span.end);
            prop_assert!(inv.span.end <= plan.source.len());
        }
    }

    #[test]
    fn quoting_does_not_change_the_argv(
        first in "[a-zA-Z0-9_./,:@%+][a-zA-Z0-9_./,:@%+-]{0,7}",
        rest in proptest::collection::vec("[a-zA-Z0-9_./=,:@%+-]{1,8}", 0..4),
        styles in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 8), 5),
    ) {
        // A leading word that bash would read as an assignment or keyword is not a command name.
        prop_assume!(!first.contains('=') && !KEYWORDS.contains(&first.as_str()));
        let mut words = vec![first];
        words.extend(rest);
        let plain: Vec<String> = words.iter().map(|w| spell(w, &[])).collect();
        let fancy: Vec<String> = words.iter().zip(styles.iter()).map(|(w, s)| spell(w, s)).collect();
        let a = argv_of_first(&analyze(&plain.join(" "), &env()));
        let b = argv_of_first(&analyze(&fancy.join(" "), &env()));
        prop_assert_eq!(&a, &words);
        prop_assert_eq!(a, b, "spelled as {}", fancy.join(" "));
    }

    #[test]
    fn nesting_in_bash_c_finds_the_same_argv(words in proptest::collection::vec("[a-z0-9_./][a-z0-9_./-]{0,7}", 1..4)) {
        prop_assume!(!KEYWORDS.contains(&words[0].as_str()));
        let inner = words.join(" ");
        let plan = analyze(&format!("bash -c '{inner}'"), &env());
        let nested: Vec<String> = plan.invocations.iter().find(|i| i.depth == 1).map(|i| i.argv().map(|w| w.display()).collect()).unwrap_or_default();
        prop_assert_eq!(nested, words);
    }
}

/// Programs, options and variables that hold commands, in front of a payload (issue 15).
const CARRIERS: &[&str] = &[
    "git -c core.pager=",
    "git -c alias.x=!",
    "git -c credential.helper=",
    "git --config-env=core.pager=",
    "git config --global alias.x ",
    "git rebase --exec ",
    "git submodule foreach ",
    "git clone ext::",
    "git --exec-path=",
    "ssh -o ProxyCommand=",
    "ssh -o 'ProxyCommand ",
    "ssh host -o LocalCommand=",
    "sshfs -o reconnect,ssh_command=",
    "scp -S ",
    "rsync -e ",
    "rsync --rsync-path=",
    "tar --checkpoint-action=exec=",
    "tar cIf ",
    "tar --to-command=",
    "zip x.zip f -TT ",
    "vim -c ",
    "vi +",
    "sed -n ",
    "sed ",
    "m4 <<< ",
    "expect -c ",
    "apt-get -o APT::Update::Pre-Invoke::=",
    "sysctl kernel.core_pattern=",
    "man -H",
    "certbot renew --pre-hook ",
    "capsh -- ",
    "run-parts ",
    "PAGER=",
    "LESSOPEN=",
    "LD_PRELOAD=",
    "env GIT_SSH_COMMAND=",
    "GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=core.pager GIT_CONFIG_VALUE_0=",
    "GIT_CONFIG_PARAMETERS=",
    "PERL5OPT=-d PERL5DB=",
    "export GIT_PAGER=",
    "kubectl debug node/x -- ",
    "docker compose exec web ",
    "lxc exec c -- ",
    "machinectl shell m ",
    "vagrant ssh -c ",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]

    /// A carrier given any payload (quoted or not, with separators, expansions, `!`, `|`,
    /// `%`, `=` and `:`) neither panics nor makes an invocation outside the text.
    #[test]
    fn carriers_never_panic(
        carrier in proptest::sample::select(CARRIERS),
        payload in "([a-z/ $'\"\\(){}|&;:!%=,.`~*#\n-]|sh|rm -rf|exec=|e |s/a/b/e|:!|syscmd\\(|spawn ){0,24}",
        after in proptest::sample::select(&["", " log", " x", " host", " f", " backup"][..]),
    ) {
        let text = format!("{carrier}{payload}{after}");
        let plan = analyze(&text, &env());
        for inv in &plan.invocations {
            prop_assert!(inv.span.start <= inv.span.end && inv.span.end <= plan.source.len());
        }
        let _ = guard::policy::testing::judge_with(policy(), &guard::policy::FakeContext::default(), &text);
    }
}

/// The built-in policy, built once.
fn policy() -> &'static guard::policy::Policy {
    static POLICY: std::sync::OnceLock<guard::policy::Policy> = std::sync::OnceLock::new();
    POLICY.get_or_init(guard_rules::policy)
}

/// tree-sitter-bash's C scanner passes code points to `isdigit` after `{`, which crashes on
/// large values; guard parses an ASCII stand-in of the text instead.
#[test]
fn non_ascii_after_a_brace_does_not_crash_the_grammar() {
    for text in ["x {𞀀", "echo {é..ü}", "{🕴", "cat <<E\n{𝞩\nE", "a=$'\\u1F574'; echo {$a}", "echo「{１..３}」"]
    {
        let plan = analyze(text, &env());
        assert!(!plan.invocations.is_empty(), "{text:?}");
    }
    let plan = analyze("echo é{a,b}ü", &env());
    let argv: Vec<String> = plan.invocations[0].argv().map(|w| w.display()).collect();
    assert_eq!(argv, ["echo", "éaü", "ébü"]);
}
