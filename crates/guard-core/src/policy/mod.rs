//! Policy: YAML rules → an indexed policy → a [`Verdict`] for a [`Plan`](crate::plan::Plan)
//! in a [`Context`]. Policy files arrive as texts ([`layers::assemble`]). What each layer of
//! policy may do (built-in < system < user < project < `--policy`), and how a layer is kept from
//! doing more, is [`trust`].

pub mod checks;
mod cmdline;
mod context;
mod effects;
pub mod embedded;
pub mod engine;
mod flow;
mod items;
pub mod keys;
pub mod layers;
mod lists;
pub(crate) mod matcher;
pub mod names;
pub mod paths;
pub mod programs;
pub mod rule;
pub mod scope;
pub mod settings;
mod sql;
pub mod testing;
pub mod trust;
pub mod verdict;

pub use context::{Context, FakeContext};
pub use engine::Policy;
pub use rule::{Decision, Severity};
pub use trust::LayerKind;
pub use verdict::{Finding, Verdict};
