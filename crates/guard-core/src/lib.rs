//! guard's pure core: shell text → [`plan::Plan`] → a [`policy::Verdict`], and the masking
//! engine. Values in, values out: nothing here reads the environment, a file, the clock's wall
//! time or the terminal. Every fact about the world (working directory, home, calling agent,
//! which paths exist, policy texts) arrives as a value, through [`policy::Context`] and the
//! loaders' arguments. The built-in packs are data in `guard-rules`; the `guard` binary holds
//! the imperative shell (CLI, runner, approvals, audit, integrations).

#![deny(clippy::disallowed_methods, clippy::disallowed_types)]
#![warn(missing_docs)]

pub(crate) mod code;
pub mod explain;
pub mod mask;
pub mod plan;
pub mod policy;
pub mod shell;
pub mod visible;

/// The repository's own data, compiled into the core's tests (the packs and detectors are
/// `guard-rules`'s to embed; a test here cannot use that crate's types).
#[cfg(test)]
pub(crate) mod testdata {
    use std::sync::OnceLock;

    use crate::mask::Detectors;
    use crate::policy::engine::{LayerKind, LoadedPack, Policy};
    use crate::policy::layers;
    use crate::policy::rule::{PackSpec, ProgramSpec};

    /// `rules/mask/secrets.yaml`.
    pub fn detectors() -> &'static Detectors {
        static SET: OnceLock<Detectors> = OnceLock::new();
        SET.get_or_init(|| Detectors::from_yaml(include_str!("../../../rules/mask/secrets.yaml")).unwrap())
    }

    /// The program knowledge of `rules/programs.yaml`, after the parser's own (as `guard-rules`
    /// builds it in), as a policy.
    pub fn policy() -> Policy {
        let mut parser = PackSpec::default();
        for (name, items) in crate::shell::programs::rules_lists() {
            parser.lists.insert(name.to_string(), items);
        }
        for p in crate::shell::programs::rules_programs() {
            let spec =
                ProgramSpec { takes_value: p.takes_value, long_single_dash: p.long_single_dash, ..Default::default() };
            parser.programs.insert(p.name.to_string(), spec);
        }
        let spec = layers::parse("programs.yaml", include_str!("../../../rules/programs.yaml")).unwrap();
        Policy::from_packs(vec![
            LoadedPack::parsed("builtin:parser".into(), LayerKind::Builtin, parser),
            LoadedPack::parsed("builtin:programs.yaml".into(), LayerKind::Builtin, spec),
        ])
    }
}
