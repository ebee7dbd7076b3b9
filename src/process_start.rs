//! What std's runtime does when a program starts and guard still needs, done by hand because
//! `main.rs` starts without it (see there why).

/// Standard input, output and error open (on `/dev/null` when the caller closed one, so the
/// audit log or a policy file opened next cannot take the place of fd 1), and SIGPIPE ignored,
/// so a closed pipe is an error guard reports rather than a death. Commands guard starts get
/// SIGPIPE back at its default, as std's `Command` does for every child.
pub fn as_std_would() {
    let mut fds = [0, 1, 2].map(|fd| libc::pollfd { fd, events: 0, revents: 0 });
    // SAFETY: `fds` is a valid array of three pollfd for the call's duration.
    let polled = unsafe { libc::poll(fds.as_mut_ptr(), 3, 0) };
    for (fd, p) in fds.iter().enumerate() {
        let closed = if polled < 0 {
            // SAFETY: F_GETFD on any number is harmless; it only reports whether it is open.
            let flags = unsafe { libc::fcntl(fd as libc::c_int, libc::F_GETFD) };
            flags < 0
        } else {
            p.revents & libc::POLLNVAL != 0
        };
        // SAFETY: a NUL-terminated path; the lowest free descriptor is the closed one.
        if closed && unsafe { libc::open(c"/dev/null".as_ptr(), libc::O_RDWR) } < 0 {
            // Without its standard streams guard could write where it must not.
            std::process::abort();
        }
    }
    // SAFETY: setting a signal's disposition to ignore touches no memory of ours.
    unsafe { libc::signal(libc::SIGPIPE, libc::SIG_IGN) };
}
