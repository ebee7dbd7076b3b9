//! The faces guard shows to the programs that run commands: agent hooks.

pub mod hooks;
