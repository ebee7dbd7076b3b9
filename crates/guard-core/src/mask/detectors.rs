//! What a secret looks like: detectors as data (`rules/mask/secrets.yaml`, embedded by
//! `guard-rules`) plus those a policy adds. Compiling the regexes waits until masking is used.
//!
//! Why our own data and not a secret-scanning crate: the crates on crates.io either scan whole
//! files or repositories (secret scanners, made to report findings, not to rewrite a stream),
//! redact a whole buffer at once with numbered tokens, or carry a handful of hard-coded patterns.
//! None masks a byte stream line by line with a bounded holdback, keeps the key of a
//! `KEY=value`, or says which kind of secret it hid. The patterns are the knowledge; keeping
//! them as checked data next to the policy packs lets users read, test and extend them.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::Deserialize;

use super::detector::Detector;
#[cfg(test)]
use super::detector::MaskError;
use super::engine::Engine;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DetectorFile {
    #[serde(default)]
    vars: BTreeMap<String, String>,
    detectors: Vec<Detector>,
}

/// A set of detectors, compiled on first use.
#[derive(Debug)]
pub struct Detectors {
    list: Vec<Detector>,
    engine: OnceLock<Engine>,
}

impl Clone for Detectors {
    fn clone(&self) -> Self {
        Detectors { list: self.list.clone(), engine: OnceLock::new() }
    }
}

impl Detectors {
    /// Detectors from their file as JSON (`guard-rules` embeds `rules/mask/secrets.yaml` so);
    /// `{{name}}` variables resolved, each checked for shape.
    pub fn from_json(json: &str) -> Result<Detectors, String> {
        let list = serde_json::from_str(json).map_err(|e| e.to_string()).and_then(resolve)?;
        Ok(Detectors { list, engine: OnceLock::new() })
    }

    /// Detectors from their YAML file (the form of `rules/mask/secrets.yaml`).
    pub fn from_yaml(yaml: &str) -> Result<Detectors, String> {
        let list = serde_saphyr::from_str(yaml).map_err(|e| e.to_string()).and_then(resolve)?;
        Ok(Detectors { list, engine: OnceLock::new() })
    }

    /// Every trigger of these detectors, sorted, once each.
    pub fn triggers(&self) -> Vec<&str> {
        let mut all: Vec<&str> = self.list.iter().flat_map(|d| d.triggers.iter().map(String::as_str)).collect();
        all.sort_unstable();
        all.dedup();
        all
    }

    /// Whether any detector could match somewhere in `text`: a line a detector matches holds one
    /// of its triggers, so text holding none needs no regex — and none get compiled. Short texts
    /// (a command line for the audit log) mostly end here.
    pub(crate) fn may_match(&self, text: &str) -> bool {
        self.list.iter().any(|d| d.triggers.is_empty() || d.triggers.iter().any(|t| text.contains(t.as_str())))
    }

    /// These detectors followed by `extra` (which lose to the built-in ones where both find the
    /// same text). Fails on a duplicate id or an unusable detector.
    #[cfg(test)]
    pub(crate) fn with(&self, extra: impl IntoIterator<Item = Detector>) -> Result<Detectors, MaskError> {
        let mut list = self.list.clone();
        for d in extra {
            d.validate()?;
            if list.iter().any(|have| have.id == d.id) {
                return Err(MaskError {
                    id: d.id,
                    message: "another detector has this id; choose a different one".into(),
                });
            }
            list.push(d);
        }
        Ok(Detectors { list, engine: OnceLock::new() })
    }

    /// The detectors, in precedence order.
    pub fn iter(&self) -> impl Iterator<Item = &Detector> {
        self.list.iter()
    }

    pub(crate) fn engine(&self) -> &Engine {
        self.engine.get_or_init(|| {
            Engine::compile(&self.list).unwrap_or_else(|e| panic!("{e} (detectors are validated when added)"))
        })
    }

    /// Runs every detector's examples against the whole set: each `mask` example must be
    /// changed by that detector alone and come out with its `[masked:KIND]`; each `keep`
    /// example must come out unchanged. Returns one message per failure.
    #[cfg(test)]
    pub(crate) fn check_examples(&self) -> Vec<String> {
        let mut failures = Vec::new();
        for d in &self.list {
            let alone = Detectors { list: vec![d.clone()], engine: OnceLock::new() };
            let placeholder = format!("[masked:{}]", d.kind);
            for text in &d.examples.mask {
                let by_itself = super::mask_str(&alone, text);
                let together = super::mask_str(self, text);
                if by_itself == *text {
                    failures.push(format!("{}: does not mask {text:?}", d.id));
                } else if !together.contains(&placeholder) {
                    failures.push(format!("{}: {text:?} comes out as {together:?}, without {placeholder}", d.id));
                }
            }
            for text in &d.examples.keep {
                let together = super::mask_str(self, text);
                if together != *text {
                    failures.push(format!("{}: should keep {text:?} but gives {together:?}", d.id));
                }
            }
        }
        failures
    }
}

/// The detectors of a file, with its `vars` substituted for `{{name}}` in every regex.
fn resolve(file: DetectorFile) -> Result<Vec<Detector>, String> {
    let subst = |re: &mut String| {
        for (name, value) in &file.vars {
            *re = re.replace(&format!("{{{{{name}}}}}"), value);
        }
    };
    let mut list = file.detectors;
    for d in &mut list {
        d.pattern.iter_mut().chain(d.allow.iter_mut()).chain(d.requires.iter_mut()).for_each(subst);
        if let Some(s) = &mut d.section {
            [&mut s.start, &mut s.entry].into_iter().for_each(subst);
        }
        if let Some(b) = &mut d.block {
            [&mut b.begin, &mut b.end, &mut b.body].into_iter().for_each(subst);
        }
        d.validate_shape().map_err(|e| e.to_string())?;
    }
    Ok(list)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_regexes_compile() {
        for d in crate::testdata::detectors().iter() {
            d.validate().unwrap_or_else(|e| panic!("{e}"));
        }
    }

    #[test]
    fn builtin_examples_hold() {
        let failures = crate::testdata::detectors().check_examples();
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    #[test]
    fn builtin_ids_are_unique_and_every_detector_has_examples() {
        let mut seen = std::collections::HashSet::new();
        for d in crate::testdata::detectors().iter() {
            assert!(seen.insert(d.id.as_str()), "duplicate id {}", d.id);
            assert!(!d.examples.mask.is_empty() && !d.examples.keep.is_empty(), "{} needs examples", d.id);
            assert!(!d.regexes().iter().any(|r| r.contains("{{")), "{}: unknown {{{{var}}}}", d.id);
        }
    }

    /// The prefilter is only sound if every line a detector can match holds one of its triggers.
    #[test]
    fn every_mask_example_holds_a_trigger_of_its_detector() {
        for d in crate::testdata::detectors().iter() {
            assert!(!d.triggers.is_empty(), "{}: built-in detectors need triggers", d.id);
            assert!(
                d.triggers.iter().all(|t| t.len() >= 3),
                "{}: triggers shorter than 3 bytes slow the prefilter",
                d.id
            );
            for text in &d.examples.mask {
                assert!(d.triggers.iter().any(|t| text.contains(t.as_str())), "{}: no trigger in {text:?}", d.id);
            }
        }
    }

    /// `requires` may only skip lines the pattern cannot match.
    #[test]
    fn requires_holds_wherever_the_pattern_matches() {
        for d in crate::testdata::detectors().iter() {
            let (Some(req), Some(pat)) = (&d.requires, &d.pattern) else { continue };
            let (req, pat) =
                (super::super::detector::compile(req).unwrap(), super::super::detector::compile(pat).unwrap());
            for line in d.examples.mask.iter().chain(&d.examples.keep).flat_map(|t| t.lines()) {
                if pat.is_match(line.as_bytes()) {
                    assert!(req.is_match(line.as_bytes()), "{}: requires skips {line:?}", d.id);
                }
            }
        }
    }

    #[test]
    fn custom_detectors_join_the_set() {
        let d = Detector::custom("acme-key", r"\bacme_(?P<secret>[0-9a-f]{24})\b")
            .unwrap()
            .with_triggers(&["acme_"])
            .with_examples(&["key acme_0123456789abcdef01234567 ok"], &["acme_corp"]);
        let set = crate::testdata::detectors().with([d]).unwrap();
        assert!(set.check_examples().is_empty(), "{:?}", set.check_examples());
        assert_eq!(super::super::mask_str(&set, "acme_0123456789abcdef01234567"), "acme_[masked:acme_key]");
    }

    #[test]
    fn custom_detector_failures_say_what_to_fix() {
        let table: &[(Result<Detector, MaskError>, &str)] = &[
            (Detector::custom("bad", "(unclosed"), "invalid regex"),
            (Detector::custom("", "x"), "id is empty"),
            (Detector::custom("Has Space", "x"), "kind"),
        ];
        for (got, want) in table {
            let e = got.as_ref().unwrap_err();
            assert!(e.to_string().contains(want), "{e} should mention {want}");
        }
        let dup = Detector::custom("jwt", "x").unwrap();
        assert!(crate::testdata::detectors().with([dup]).unwrap_err().message.contains("another detector"));
        let wrong = Detector::custom("x", "abc").unwrap().with_examples(&["xyz"], &["abc"]);
        let set = crate::testdata::detectors().with([wrong]).unwrap();
        assert_eq!(set.check_examples().len(), 2);
    }
}
