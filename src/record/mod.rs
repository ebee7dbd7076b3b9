//! Recordings of what a command showed, for `guard log show` to print or replay later.
//! Whatever goes in has already been masked by the caller.

pub mod asciicast;
pub mod recorder;
pub mod replay;
pub mod store;

pub use recorder::{Finished, LineEnds, Recorder};
pub use store::requested;
