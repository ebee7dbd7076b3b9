//! Recordings of what a command showed, for `guard log show` to print or replay later.
//! Whatever goes in has already been masked by the caller.

pub mod asciicast;
