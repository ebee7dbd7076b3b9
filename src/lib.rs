//! guard: parse a shell command, understand what it would do, judge it, then run, ask or refuse.
//!
//! The pure core is [`shell`] (text → [`plan::Plan`]); the rest is the imperative shell.

pub mod approval;
pub mod audit;
pub mod cli;
pub mod context;
pub mod doctor;
pub mod environment;
pub mod explain;
pub mod integrate;
pub mod judge;
pub mod mask;
pub mod plan;
pub mod policy;
pub mod record;
pub mod rules_cmd;
pub mod run;
pub mod shell;
pub mod small_file;
pub mod visible;
