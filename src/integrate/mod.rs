//! The faces guard shows to the programs that run commands: agent hooks and their
//! installation, and the interactive shells' integration scripts.

pub mod claude_matchers;
pub mod codex_trust;
pub mod gemini_timeouts;
pub mod hooks;
pub mod install;
pub mod shell_init;
