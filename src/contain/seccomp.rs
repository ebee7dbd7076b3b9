//! What Landlock leaves open and a contained command must not do: push keystrokes into the
//! terminal it was started from (`TIOCSTI`, and `TIOCLINUX`'s paste), which the shell of the
//! person at that terminal then reads and runs outside every scope. A seccomp filter refuses
//! those two ioctls, on the machine's own system calls and, on x86-64, the 32-bit ones too.

/// `seccomp_data` offsets: the system call number, the architecture, the second argument's low
/// 32 bits (the ioctl request; arguments are 64-bit little-endian words from offset 16).
const NR: u32 = 0;
const ARCH: u32 = 4;
const ARG1: u32 = 24;

#[cfg(target_arch = "x86_64")]
const NATIVE: u32 = 0xc000_003e; // AUDIT_ARCH_X86_64
#[cfg(target_arch = "aarch64")]
const NATIVE: u32 = 0xc000_00b7; // AUDIT_ARCH_AARCH64
#[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
const NATIVE: u32 = 0;

/// The 32-bit x86 architecture and its ioctl number, which an x86-64 program can reach.
#[cfg(target_arch = "x86_64")]
const COMPAT: (u32, u32) = (0x4000_0003, 54);
#[cfg(not(target_arch = "x86_64"))]
const COMPAT: (u32, u32) = (u32::MAX, u32::MAX);

const LD_ABS: u16 = (libc::BPF_LD | libc::BPF_W | libc::BPF_ABS) as u16;
const JEQ: u16 = (libc::BPF_JMP | libc::BPF_JEQ | libc::BPF_K) as u16;
const RET: u16 = (libc::BPF_RET | libc::BPF_K) as u16;
const ALLOW: u32 = 0x7fff_0000; // SECCOMP_RET_ALLOW
const REFUSE: u32 = 0x0005_0000 | libc::EPERM as u32; // SECCOMP_RET_ERRNO | EPERM

const fn op(code: u16, jt: u8, jf: u8, k: u32) -> libc::sock_filter {
    libc::sock_filter { code, jt, jf, k }
}

static FILTER: [libc::sock_filter; 12] = [
    op(LD_ABS, 0, 0, ARCH),
    op(JEQ, 1, 0, NATIVE),                 // native: to 3
    op(JEQ, 2, 7, COMPAT.0),               // 32-bit x86: to 5; else allow
    op(LD_ABS, 0, 0, NR),                  // 3
    op(JEQ, 2, 5, libc::SYS_ioctl as u32), // ioctl: to 7; else allow
    op(LD_ABS, 0, 0, NR),                  // 5
    op(JEQ, 0, 3, COMPAT.1),               // ioctl: to 7; else allow
    op(LD_ABS, 0, 0, ARG1),                // 7
    op(JEQ, 2, 0, libc::TIOCSTI as u32),   // refuse
    op(JEQ, 1, 0, libc::TIOCLINUX as u32), // refuse
    op(RET, 0, 0, ALLOW),                  // 10
    op(RET, 0, 0, REFUSE),                 // 11
];

/// Installs the filter on the calling thread (and what it starts). Async-signal-safe: two
/// system calls on static data, for use between fork and exec. `no_new_privs` must be set
/// (containment sets it first).
pub fn install() -> std::io::Result<()> {
    let prog = libc::sock_fprog { len: FILTER.len() as u16, filter: FILTER.as_ptr().cast_mut() };
    // SAFETY: prctl(PR_SET_SECCOMP) reads the static program; nothing else is touched.
    let r = unsafe { libc::prctl(libc::PR_SET_SECCOMP, libc::SECCOMP_MODE_FILTER, &prog as *const libc::sock_fprog) };
    if r == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

#[cfg(test)]
mod tests {
    /// In a child process: after `install`, TIOCSTI on a terminal is refused while other
    /// ioctls on it still work.
    #[test]
    fn pushing_keystrokes_into_a_terminal_is_refused_and_other_ioctls_work() {
        let pty = nix::pty::openpty(None, None).expect("a pseudo-terminal");
        // SAFETY: the child only makes system calls and exits.
        match unsafe { libc::fork() } {
            0 => {
                use std::os::fd::AsRawFd;
                let fd = pty.slave.as_raw_fd();
                // SAFETY: plain system calls on a descriptor this process holds.
                let code = unsafe {
                    libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
                    if super::install().is_err() {
                        libc::_exit(3);
                    }
                    let c: u8 = b'x';
                    let sti = libc::ioctl(fd, libc::TIOCSTI, &c);
                    let errno = *libc::__errno_location();
                    let mut ws: libc::winsize = std::mem::zeroed();
                    let size = libc::ioctl(fd, libc::TIOCGWINSZ, &mut ws);
                    if sti == -1 && errno == libc::EPERM && size == 0 {
                        0
                    } else {
                        1
                    }
                };
                // SAFETY: ends the child.
                unsafe { libc::_exit(code) }
            }
            pid => {
                let mut status = 0;
                // SAFETY: waits for the child just forked.
                unsafe { libc::waitpid(pid, &mut status, 0) };
                assert!(libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0, "status {status:#x}");
            }
        }
    }
}
