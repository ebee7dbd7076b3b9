//! The faces guard shows to the programs that run commands: agent hooks and their installation.

pub mod hooks;
pub mod install;
