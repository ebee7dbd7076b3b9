//! What the build embeds is what `rules/` says.

#![allow(clippy::unwrap_used)] // a test fails loudly on what it did not expect

use guard_core::mask::Detectors;

/// The detectors decoded from the embedded JSON are those of `rules/mask/secrets.yaml`.
#[test]
fn the_embedded_detectors_are_the_yaml_file() {
    let from_yaml = Detectors::from_yaml(include_str!("../../../rules/mask/secrets.yaml")).unwrap();
    let embedded = guard_rules::detectors();
    assert_eq!(
        format!("{:?}", from_yaml.iter().collect::<Vec<_>>()),
        format!("{:?}", embedded.iter().collect::<Vec<_>>())
    );
    assert!(from_yaml.iter().count() > 20);
}

#[test]
fn the_triggers_embedded_at_build_time_are_the_detectors_triggers() {
    assert_eq!(guard_rules::detectors().triggers(), guard_rules::MASK_TRIGGERS);
}

/// Masking with the embedded set hides a secret and leaves text with no trigger alone.
#[test]
fn mask_hides_a_secret_and_passes_plain_text_through() {
    let token = format!("ghp_{}", "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8");
    let masked = guard_rules::mask(&format!("curl -H 'Authorization: token {token}' x"));
    assert!(!masked.contains(&token), "{masked}");
    assert!(masked.contains("[masked:"), "{masked}");
    assert_eq!(guard_rules::mask("git status"), "git status");
}

/// Every built-in pack parses from its text, and the embedded form holds the same rules in the
/// same order.
#[test]
fn the_embedded_packs_are_the_yaml_files() {
    let embedded = guard_rules::policy();
    let parsed = guard_core::policy::Policy::from_packs(guard_rules::BUILTIN.packs_from_yaml());
    let ids = |p: &guard_core::policy::Policy| p.rules.iter().map(|r| r.id().to_string()).collect::<Vec<_>>();
    assert_eq!(ids(&embedded), ids(&parsed));
    assert!(embedded.rules.len() > 50, "{} rules", embedded.rules.len());
    for r in &embedded.rules {
        assert_ne!(r.line_col().0, 0, "{}: no location found in its pack", r.id());
    }
}
