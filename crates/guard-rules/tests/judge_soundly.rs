//! The fuzz target's checks (`fuzz/fuzz_targets/analyze_judge.rs`), run on its seed corpus and
//! on random input, so `cargo test` exercises the whole pure path from bytes to verdict on a
//! stable compiler.

#![allow(clippy::unwrap_used)] // a test fails loudly on what it did not expect

use std::sync::OnceLock;

use guard_core::policy::{Decision, Policy};
use proptest::prelude::*;

fn policy() -> &'static Policy {
    static POLICY: OnceLock<Policy> = OnceLock::new();
    POLICY.get_or_init(guard_rules::policy)
}

#[test]
fn every_seed_of_the_fuzz_corpus_is_judged_soundly() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fuzz/corpus/analyze_judge");
    let mut seen = 0;
    let mut denied = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        let verdict =
            guard_rules::judge_soundly(policy(), &bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        seen += 1;
        denied += usize::from(verdict.decision == Decision::Deny);
    }
    assert!(seen >= 50, "{seen} seeds");
    assert!(denied > 0, "the seeds hold destructive commands, and some must be denied");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn random_bytes_are_judged_soundly(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
        prop_assert!(guard_rules::judge_soundly(policy(), &bytes).is_ok());
    }

    #[test]
    fn shell_shaped_text_is_judged_soundly(text in "([a-z]{1,6}|[ ;|&<>()$`'\"\\\\{}*~=-]|\\n){0,60}") {
        prop_assert!(guard_rules::judge_soundly(policy(), text.as_bytes()).is_ok());
    }
}
