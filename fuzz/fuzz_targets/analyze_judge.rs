//! Arbitrary bytes as a command line, parsed and judged with the built-in policy: it must never
//! panic, and what `guard_rules::judge_soundly` checks must hold.

#![no_main]

use std::sync::OnceLock;

use guard_core::policy::Policy;

fn policy() -> &'static Policy {
    static POLICY: OnceLock<Policy> = OnceLock::new();
    POLICY.get_or_init(guard_rules::policy)
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Err(e) = guard_rules::judge_soundly(policy(), data) {
        panic!("{e}");
    }
});
