//! guard's built-in knowledge as data: the policy packs and secret detectors of `rules/`, each
//! checked when guard is built (a pack that does not parse fails the build with its file, line
//! and column) and embedded in the form `guard-core` reads fastest (see `build.rs`).

use std::borrow::Cow;
use std::sync::OnceLock;

use guard_core::mask::{mask_str, Detectors};
use guard_core::plan::Plan;
use guard_core::policy::embedded::{EmbeddedPack, EmbeddedRule, Tables};
use guard_core::policy::layers::Builtin;
use guard_core::policy::names::Gate;
use guard_core::policy::rule::Decision;
use guard_core::policy::Policy;
use guard_core::policy::{FakeContext, Verdict};
use guard_core::shell::{analyze, Env};

/// The default packs, one per domain, in load order.
pub const PACKS: &[EmbeddedPack] = include!(concat!(env!("OUT_DIR"), "/builtin.rs"));

/// What the packs together embed: merged lists, program knowledge and the rule index.
pub static TABLES: Tables = include!(concat!(env!("OUT_DIR"), "/builtin_tables.rs"));

/// The built-in packs and their tables, as `guard-core` takes them.
pub const BUILTIN: Builtin = Builtin { packs: PACKS, tables: &TABLES };

/// The built-in policy alone.
pub fn policy() -> Policy {
    BUILTIN.policy()
}

/// `rules/mask/secrets.yaml`, as JSON.
const DETECTORS_JSON: &str = include_str!(concat!(env!("OUT_DIR"), "/mask_detectors.json"));

/// Every trigger of the built-in detectors, sorted.
pub const MASK_TRIGGERS: &[&str] = include!(concat!(env!("OUT_DIR"), "/mask_triggers.rs"));

/// The built-in secret detectors (decoded on the first call).
pub fn detectors() -> &'static Detectors {
    static SET: OnceLock<Detectors> = OnceLock::new();
    SET.get_or_init(|| Detectors::from_json(DETECTORS_JSON).unwrap_or_else(|e| panic!("rules/mask/secrets.yaml: {e}")))
}

/// `text` with the built-in detectors' secrets masked, for text on guard's hot path (the
/// command line of every audit entry): text holding no trigger is returned at once, before the
/// detectors are even decoded.
pub fn mask(text: &str) -> String {
    if !MASK_TRIGGERS.iter().any(|t| text.contains(t)) {
        return text.to_string();
    }
    mask_str(detectors(), text)
}

/// `bytes`, read lossily as a command line, parsed and judged with the built-in policy in a
/// fixed context (home `/home/u`, working directory `/home/u/proj`): the whole pure path from
/// text to verdict, which the fuzz target (`fuzz/`) and the property tests drive with
/// arbitrary input. Panics only where guard has a bug.
pub fn judge_bytes(policy: &Policy, bytes: &[u8]) -> (Plan, Verdict) {
    let text = String::from_utf8_lossy(bytes);
    let ctx = FakeContext::default();
    let plan = analyze(&text, &Env::new(&ctx.home, &ctx.cwd));
    let verdict = policy.judge(&plan, &ctx);
    (plan, verdict)
}

/// [`judge_bytes`], with what must hold of any input beyond not panicking: every span of the
/// Plan and of the verdict lies inside the text, and judging the same input again gives the
/// same decision. The fuzz target and the property tests share it.
pub fn judge_soundly(policy: &Policy, bytes: &[u8]) -> Result<Verdict, String> {
    let (plan, verdict) = judge_bytes(policy, bytes);
    let len = plan.source.len();
    let spans = plan.invocations.iter().map(|i| i.span).chain(verdict.findings.iter().map(|f| f.span));
    for s in spans {
        if s.start > s.end || s.end > len {
            return Err(format!("span {}..{} outside the text of {len} bytes", s.start, s.end));
        }
    }
    let (_, again) = judge_bytes(policy, bytes);
    if again.decision != verdict.decision {
        return Err(format!("judged {:?}, then {:?}", verdict.decision, again.decision));
    }
    Ok(verdict)
}
