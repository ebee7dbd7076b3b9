//! Where a verdict becomes action — the only part of guard with side effects on the world:
//! guard as a bash-compatible shell (`guard -c …`) and as a prefix (`guard -- prog args`),
//! running what is allowed (on a pty when a person is at the terminal, otherwise with the
//! caller's own stdio), asking a human, or refusing with a reason, and recording each decision
//! in the audit trail.

pub mod approve;
pub mod args;
pub mod claude_wrapper;
pub mod direct;
pub mod error;
pub mod once;
pub mod outcome;
pub mod pty;
pub mod recording;
pub mod session;
pub mod shell;
pub mod spawn;

/// What stands between the child's output and the terminal (secret masking plugs in here).
pub trait OutputFilter {
    /// Take `input`; append what may be shown now to `out`.
    fn feed(&mut self, input: &[u8], out: &mut Vec<u8>);
    /// Let out whatever is held back.
    fn flush(&mut self, out: &mut Vec<u8>);
    /// Whether anything is held back (then the runner flushes when output goes quiet).
    fn holding(&self) -> bool {
        false
    }
    /// The terminal the output goes to is now `cols`×`rows` (a recording notes it).
    fn resized(&mut self, _cols: u16, _rows: u16) {}
}

/// Output shown as it is.
pub struct Passthrough;

impl OutputFilter for Passthrough {
    fn feed(&mut self, input: &[u8], out: &mut Vec<u8>) {
        out.extend_from_slice(input);
    }
    fn flush(&mut self, _out: &mut Vec<u8>) {}
}

/// The status guard exits with for a child's: N for exit N, 128+S for death by signal S.
pub fn exit_code(status: std::process::ExitStatus) -> i32 {
    use std::os::unix::process::ExitStatusExt;
    status.code().or_else(|| status.signal().map(|s| 128 + s)).unwrap_or(1)
}

/// Exit status when guard refuses to run a command.
pub const REFUSED: u8 = 126;

/// Secrets in the output become `[masked:KIND]` on their way to the terminal or pipe.
pub struct Masking(pub crate::mask::Masker<'static>);

impl OutputFilter for Masking {
    fn feed(&mut self, input: &[u8], out: &mut Vec<u8>) {
        self.0.feed(input, out);
    }
    fn flush(&mut self, out: &mut Vec<u8>) {
        self.0.flush(out);
    }
    fn holding(&self) -> bool {
        self.0.held() > 0
    }
}
