//! guard: parse a shell command, understand what it would do, judge it, then run, ask or refuse.
//!
//! This crate is the imperative shell: the CLI, runner, approvals, audit, recordings and
//! integrations. The pure core (parser, Plan, policy engine, masking) is `guard-core`, re-exported
//! here under its own module names; the built-in packs are `guard-rules`.

pub use guard_core::{explain, mask, plan, policy, shell, visible};

pub mod approval;
pub mod audit;
pub mod cli;
pub mod contain;
pub mod context;
pub mod doctor;
pub mod environment;
pub mod host;
pub mod integrate;
pub mod io_advice;
pub mod judge;
pub mod policy_files;
pub mod process_start;
pub mod record;
pub mod rules_cmd;
pub mod run;
pub mod small_file;
