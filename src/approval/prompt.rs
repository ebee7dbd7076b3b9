//! The approval prompt on the controlling terminal.
//!
//! It talks to `/dev/tty` only: standard input may be the requester's pipe (`yes | guard -c …`
//! must not approve itself) and standard output may be the command's. It does not appear inside
//! a command guard runs (`GUARD_ACTIVE`), nor for a background job. Keys typed before the
//! question was on screen are thrown away, and no answer within the timeout is a refusal.
//!
//! Raw mode is set with termios on that `/dev/tty` descriptor rather than with crossterm's
//! `enable_raw_mode`, which switches standard input instead whenever that is a terminal, and
//! standard input may be a different terminal than the controlling one.

use std::fs::{File, OpenOptions};
use std::io::{IsTerminal, Read, Write};
use std::os::fd::AsFd;
use std::time::{Duration, Instant};

use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
use nix::sys::signal::{pthread_sigmask, SigSet, SigmaskHow, Signal};
use nix::sys::signalfd::{SfdFlags, SignalFd};
use nix::sys::termios::{self, FlushArg, InputFlags, LocalFlags, SetArg, SpecialCharacterIndices, Termios};

use super::question::{Answer, PromptInfo, Question};
use super::render::{self, Look};
use super::ApprovalConfig;
use crate::host::Host;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PromptOptions {
    /// Unanswered after this long is a refusal.
    pub timeout: Duration,
}

impl Default for PromptOptions {
    fn default() -> Self {
        PromptOptions { timeout: Duration::from_secs(60) }
    }
}

impl From<&ApprovalConfig> for PromptOptions {
    fn from(cfg: &ApprovalConfig) -> Self {
        PromptOptions { timeout: cfg.prompt_timeout }
    }
}

/// Ask the human at the controlling terminal.
pub fn ask(host: &Host, info: &PromptInfo, opts: &PromptOptions) -> Answer {
    if host.nested() {
        return Answer::NoTerminal;
    }
    let Ok(tty) = OpenOptions::new().read(true).write(true).open("/dev/tty") else { return Answer::NoTerminal };
    if !tty.is_terminal() || !in_foreground(&tty) {
        return Answer::NoTerminal;
    }
    let look = Look::from_env(host.var("TERM"), host.var_os("NO_COLOR").map(Into::into));
    let width = crossterm::terminal::size().map(|(w, _)| w as usize).unwrap_or(80);
    converse(&tty, info, opts, look, width).unwrap_or(Answer::NoTerminal)
}

/// A background job must not take the terminal from the one in front (and would be stopped
/// by SIGTTIN or SIGTTOU if it tried).
fn in_foreground(tty: &File) -> bool {
    nix::unistd::tcgetpgrp(tty.as_fd()).is_ok_and(|pg| pg == nix::unistd::getpgrp())
}

fn converse(tty: &File, info: &PromptInfo, opts: &PromptOptions, look: Look, width: usize) -> std::io::Result<Answer> {
    let mut out = tty;
    out.write_all(render::screen(info, look, width).as_bytes())?;
    out.flush()?;
    let session = RawSession::enter(tty)?;
    // Keys typed ahead were meant for something else; only keys typed after the question
    // is on screen answer it.
    let read = termios::tcflush(tty.as_fd(), FlushArg::TCIFLUSH)
        .map_err(std::io::Error::from)
        .and_then(|()| out.write_all(render::question(info, look, opts.timeout).as_bytes()))
        .and_then(|()| out.flush())
        .and_then(|()| read_answer(tty, &session, &info.question, opts.timeout));
    let answer = read.as_ref().copied().unwrap_or(Answer::NoTerminal);
    session.finish(&render::outcome(&info.question, answer, opts.timeout));
    read
}

fn read_answer(
    mut tty: &File,
    session: &RawSession,
    question: &Question,
    timeout: Duration,
) -> std::io::Result<Answer> {
    let remembering = matches!(question, Question::Run { remember: Some(_) });
    let mut typed = match question {
        Question::Override { word } => Some(Typing::new(word)),
        _ => None,
    };
    let deadline = Instant::now() + timeout;
    let mut buf = [0u8; 64];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Ok(Answer::TimedOut);
        }
        let wait = PollTimeout::try_from(left.max(Duration::from_millis(1))).unwrap_or(PollTimeout::MAX);
        let mut fds =
            [PollFd::new(tty.as_fd(), PollFlags::POLLIN), PollFd::new(session.signals.as_fd(), PollFlags::POLLIN)];
        match poll(&mut fds, wait) {
            Ok(0) | Err(nix::errno::Errno::EINTR) => continue,
            Ok(_) => {}
            Err(e) => return Err(e.into()),
        }
        if fds[1].any().unwrap_or(false) {
            // Someone asked guard to stop: that is no approval. The signal itself is delivered
            // once the terminal is restored.
            return Ok(Answer::Interrupted);
        }
        let ready = fds[0].revents().unwrap_or(PollFlags::empty());
        if ready.intersects(PollFlags::POLLHUP | PollFlags::POLLERR | PollFlags::POLLNVAL) {
            return Err(std::io::ErrorKind::BrokenPipe.into());
        }
        let n = match tty.read(&mut buf) {
            Ok(0) => return Err(std::io::ErrorKind::UnexpectedEof.into()),
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if let Some(t) = typed.as_mut() {
            let (answer, echo) = t.read(&buf[..n]);
            tty.write_all(&echo)?;
            tty.flush()?;
            match answer {
                Some(a) => return Ok(a),
                None => continue,
            }
        }
        if let Some(a) = buf[..n].iter().find_map(|&b| key(b, remembering)) {
            return Ok(a);
        }
    }
}

/// The answer a key press gives, if any: other keys are ignored.
fn key(b: u8, remembering: bool) -> Option<Answer> {
    match b {
        b'y' | b'Y' => Some(Answer::Yes),
        // n, Enter, Esc (also the start of arrow keys), Ctrl-C, Ctrl-D, Ctrl-\, Ctrl-Z
        b'n' | b'N' | b'\r' | b'\n' | 0x1b | 0x03 | 0x04 | 0x1c | 0x1a => Some(Answer::No),
        b's' | b'S' if remembering => Some(Answer::Session),
        b'a' | b'A' if remembering => Some(Answer::Always),
        _ => None,
    }
}

/// A confirmation typed key by key, read from what each `read` of the terminal brings. A person
/// types one key per read; a read that brings more than one (a paste, a program writing the
/// whole word at once) is not a person typing, and refuses. That is a sign, not a boundary: a
/// program that owns the terminal can still send one key at a time.
struct Typing {
    word: Vec<u8>,
    line: Vec<u8>,
}

impl Typing {
    fn new(word: &str) -> Typing {
        Typing { word: word.as_bytes().to_vec(), line: Vec::new() }
    }

    /// The answer once there is one, and what to echo for these bytes.
    fn read(&mut self, bytes: &[u8]) -> (Option<Answer>, Vec<u8>) {
        let mut echo = Vec::new();
        // One key: a byte, or the bytes of one UTF-8 character. Enter alone ends a line.
        let one_key = bytes.len() == 1 || std::str::from_utf8(bytes).is_ok_and(|t| t.chars().count() == 1);
        if !one_key {
            return (Some(Answer::NotTyped), echo);
        }
        match bytes[0] {
            b'\r' | b'\n' => {
                let yes = !self.line.is_empty() && self.line == self.word;
                echo.extend_from_slice(b"  ");
                return (Some(if yes { Answer::Yes } else { Answer::No }), echo);
            }
            // Esc, Ctrl-C, Ctrl-D, Ctrl-\, Ctrl-Z
            0x1b | 0x03 | 0x04 | 0x1c | 0x1a => return (Some(Answer::No), echo),
            // Backspace and Delete take back a character.
            0x7f | 0x08 => {
                if let Some(last) = std::str::from_utf8(&self.line).ok().and_then(|t| t.chars().last()) {
                    self.line.truncate(self.line.len() - last.len_utf8());
                    echo.extend_from_slice(b"\x08 \x08");
                }
            }
            b if b < 0x20 => {}
            _ => {
                self.line.extend_from_slice(bytes);
                // Shown as typed, written out where a terminal would act on it.
                echo.extend_from_slice(super::render::shown(&String::from_utf8_lossy(bytes), 8).as_bytes());
            }
        }
        (None, echo)
    }
}

/// The terminal in raw mode and the stop signals held back, both undone together: on
/// [`RawSession::finish`] or, on any other way out, on drop.
struct RawSession {
    /// Its own descriptor for the terminal, so that restoring never depends on the caller's.
    tty: File,
    saved: Option<Termios>,
    old_mask: Option<SigSet>,
    signals: SignalFd,
}

impl RawSession {
    fn enter(tty: &File) -> std::io::Result<RawSession> {
        let mut stop = SigSet::empty();
        for s in [Signal::SIGINT, Signal::SIGTERM, Signal::SIGHUP, Signal::SIGQUIT] {
            stop.add(s);
        }
        // Held back so that a kill cannot leave the terminal raw: the prompt sees the signal
        // on a descriptor, restores the terminal, and only then lets it through.
        let mut old = SigSet::empty();
        pthread_sigmask(SigmaskHow::SIG_BLOCK, Some(&stop), Some(&mut old))?;
        let signals = match SignalFd::with_flags(&stop, SfdFlags::SFD_NONBLOCK | SfdFlags::SFD_CLOEXEC) {
            Ok(s) => s,
            Err(e) => {
                let _ = pthread_sigmask(SigmaskHow::SIG_SETMASK, Some(&old), None);
                return Err(e.into());
            }
        };
        let mut session = RawSession { tty: tty.try_clone()?, saved: None, old_mask: Some(old), signals };
        let saved = termios::tcgetattr(tty.as_fd())?;
        let mut raw = saved.clone();
        // Key by key, no echo, and Ctrl-C as a key rather than a signal. Output processing
        // stays on, so line ends still work.
        raw.local_flags.remove(LocalFlags::ICANON | LocalFlags::ECHO | LocalFlags::ISIG | LocalFlags::IEXTEN);
        raw.input_flags.remove(InputFlags::IXON | InputFlags::ICRNL | InputFlags::INLCR | InputFlags::IGNCR);
        raw.control_chars[SpecialCharacterIndices::VMIN as usize] = 1;
        raw.control_chars[SpecialCharacterIndices::VTIME as usize] = 0;
        termios::tcsetattr(tty.as_fd(), SetArg::TCSANOW, &raw)?;
        session.saved = Some(saved);
        Ok(session)
    }

    /// Restore the terminal, say what was decided, then let held-back signals through.
    fn finish(mut self, outcome: &str) {
        self.restore_terminal();
        let _ = self.tty.write_all(outcome.as_bytes());
        let _ = self.tty.flush();
        self.restore_signals();
    }

    fn restore_terminal(&mut self) {
        if let Some(saved) = self.saved.take() {
            let _ = termios::tcsetattr(self.tty.as_fd(), SetArg::TCSADRAIN, &saved);
        }
    }

    fn restore_signals(&mut self) {
        if let Some(old) = self.old_mask.take() {
            let _ = pthread_sigmask(SigmaskHow::SIG_SETMASK, Some(&old), None);
        }
    }
}

impl Drop for RawSession {
    fn drop(&mut self) {
        self.restore_terminal();
        self.restore_signals();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys() {
        for (b, remembering, want) in [
            (b'y', false, Some(Answer::Yes)),
            (b'Y', true, Some(Answer::Yes)),
            (b'n', false, Some(Answer::No)),
            (b'\r', true, Some(Answer::No)),
            (b'\n', false, Some(Answer::No)),
            (0x1b, false, Some(Answer::No)),
            (0x03, false, Some(Answer::No)),
            (0x04, true, Some(Answer::No)),
            (b's', true, Some(Answer::Session)),
            (b's', false, None),
            (b'a', true, Some(Answer::Always)),
            (b'a', false, None),
            (b'x', true, None),
            (b' ', true, None),
        ] {
            assert_eq!(key(b, remembering), want, "{:?}", b as char);
        }
    }

    /// Feeds `reads` (each one read of the terminal) to a confirmation of `word`.
    fn typed(word: &str, reads: &[&[u8]]) -> Option<Answer> {
        let mut t = Typing::new(word);
        reads.iter().find_map(|r| t.read(r).0)
    }

    #[test]
    fn a_confirmation_must_be_the_word_typed_key_by_key() {
        let keys = |s: &'static str| -> Vec<&'static [u8]> { (0..s.len()).map(|i| &s.as_bytes()[i..i + 1]).collect() };
        type Case = (&'static str, Vec<&'static [u8]>, Option<Answer>);
        let table: &[Case] = &[
            ("git.x", keys("git.x\r"), Some(Answer::Yes)),
            ("git.x", keys("git.x\n"), Some(Answer::Yes)),
            ("git.x", keys("git.y\r"), Some(Answer::No)),
            ("git.x", keys("git.\r"), Some(Answer::No)),
            ("git.x", keys("\r"), Some(Answer::No)),
            ("git.x", keys("y\r"), Some(Answer::No)),
            ("git.x", keys("git.xy\x7f\r"), Some(Answer::Yes)),
            ("git.x", keys("gi\x1b"), Some(Answer::No)),
            ("git.x", keys("gi\x03"), Some(Answer::No)),
            ("git.x", keys("git.x"), None),
            // Pasted, or written by a program in one go.
            ("git.x", vec![b"git.x\r"], Some(Answer::NotTyped)),
            ("git.x", vec![b"g", b"it.x", b"\r"], Some(Answer::NotTyped)),
            ("git.x", vec![b"\x1b[200~git.x\x1b[201~", b"\r"], Some(Answer::NotTyped)),
            // One character of several bytes is one key.
            ("é", vec!["é".as_bytes(), b"\r"], Some(Answer::Yes)),
        ];
        for (word, reads, want) in table {
            assert_eq!(typed(word, reads), *want, "{word} {reads:?}");
        }
    }

    #[test]
    fn only_yes_in_its_forms_approves() {
        for (a, approved) in [
            (Answer::Yes, true),
            (Answer::Session, true),
            (Answer::Always, true),
            (Answer::No, false),
            (Answer::TimedOut, false),
            (Answer::Interrupted, false),
            (Answer::NoTerminal, false),
            (Answer::NotTyped, false),
        ] {
            assert_eq!(a.approved(), approved, "{a:?}");
        }
    }
}
