//! The default policy: every pack parses and lints clean, every rule's inline examples are
//! judged as written, and the labelled corpus under `tests/corpus/` passes.

use guard::policy::layers;
use guard::policy::testing::{self, Report};
use guard::policy::FakeContext;

#[test]
fn builtin_packs_lint_clean() {
    let packs = layers::builtin_packs_from_yaml();
    let mut problems = Vec::new();
    for p in &packs {
        problems.extend(layers::lint_pack(&p.file, &p.spec, &packs).iter().map(|p| p.to_string()));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_rule_example_is_judged_as_written() {
    let policy = guard::policy::Policy::from_packs(layers::builtin_packs_from_yaml());
    let cases = testing::example_cases(&policy);
    assert!(cases.len() > 200, "only {} examples", cases.len());
    let mut report = Report::default();
    report.run(&policy, &FakeContext::default(), &cases);
    assert!(report.failures.is_empty(), "{}", report.render());
}

#[test]
fn labelled_corpus_passes() {
    let policy = layers::builtin();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let mut report = Report::default();
    let mut files: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        let cases = testing::corpus_cases(&f.display().to_string(), &text).unwrap();
        report.run(&policy, &FakeContext::default(), &cases);
    }
    assert!(report.total() >= 300, "corpus has only {} cases", report.total());
    assert!(report.failures.is_empty(), "{}", report.render());
}
