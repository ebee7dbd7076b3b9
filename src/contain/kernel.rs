//! The kernel's side of containment: which Landlock ABI it offers, and a ruleset built from a
//! scope's grants, applied to the command between fork and exec.

use landlock::{
    AccessFs, AccessNet, BitFlags, CompatLevel, Compatible, NetPort, Ruleset, RulesetAttr, RulesetCreatedAttr, ABI,
};

use guard_core::policy::scope::{Grant, Kind};

/// The lowest ABI guard contains with: before it (Linux 6.2), `truncate(2)` was not a right
/// Landlock controls, so a protected file could be emptied from inside any scope.
pub const MIN_ABI: u32 = 3;
/// The ABI that can limit TCP connections (Linux 6.7).
pub const NET_ABI: u32 = 4;

/// The Landlock ABI version the running kernel offers; 0 when it has none (not built in, or
/// not enabled at boot).
pub fn abi() -> u32 {
    static ABI_VERSION: std::sync::OnceLock<u32> = std::sync::OnceLock::new();
    *ABI_VERSION.get_or_init(|| {
        // SAFETY: landlock_create_ruleset(NULL, 0, LANDLOCK_CREATE_RULESET_VERSION) only
        // returns a number (or -1 with errno).
        let v = unsafe {
            libc::syscall(libc::SYS_landlock_create_ruleset, std::ptr::null::<u8>(), 0usize, 1u32 /* VERSION */)
        };
        u32::try_from(v).unwrap_or(0)
    })
}

/// What contained commands may not do, as the kernel controls it: write, create, remove,
/// rename, link and truncate. Device ioctls and connecting to named sockets are left alone
/// (terminals and local daemons keep working).
fn write_rights() -> BitFlags<AccessFs> {
    AccessFs::from_write(ABI::V4)
}

/// What is handled and granted nowhere: making device nodes (a block device node for a disk
/// is raw access to it).
fn never_granted() -> BitFlags<AccessFs> {
    AccessFs::MakeChar | AccessFs::MakeBlock
}

fn read_rights() -> BitFlags<AccessFs> {
    AccessFs::ReadFile | AccessFs::ReadDir
}

/// What to build a ruleset from.
pub struct Rules<'a> {
    /// Where writing is granted.
    pub write: &'a [Grant],
    /// Where reading is granted; `None` leaves reading alone.
    pub read: Option<&'a [Grant]>,
    /// TCP ports connections are granted to; `None` leaves the network alone.
    pub ports: Option<&'a [u16]>,
}

/// A ruleset ready to be applied to a child process: the kernel's handle on it.
pub struct Prepared(std::os::fd::OwnedFd);

/// Build the ruleset: every grant opened now (in guard), so the child only has to apply it. A
/// grant whose path is gone by now is skipped (it grants nothing).
pub fn prepare(rules: &Rules) -> Result<Prepared, String> {
    let mut ruleset =
        Ruleset::default().set_compatibility(CompatLevel::BestEffort).handle_access(write_rights()).map_err(fail)?;
    if rules.read.is_some() {
        ruleset = ruleset.handle_access(read_rights()).map_err(fail)?;
    }
    if rules.ports.is_some() {
        ruleset = ruleset.handle_access(AccessNet::ConnectTcp).map_err(fail)?;
    }
    let mut created = ruleset.create().map_err(fail)?;
    for port in rules.ports.unwrap_or_default() {
        (&mut created).add_rule(NetPort::new(*port, AccessNet::ConnectTcp)).map_err(fail)?;
    }
    let fd: Option<std::os::fd::OwnedFd> = created.into();
    let ruleset = fd.ok_or_else(|| "cannot set up containment: the kernel gave no ruleset".to_string())?;
    add(&ruleset, rules.write, write_rights() & !never_granted())?;
    if let Some(read) = rules.read {
        // Listing stays open everywhere (`ls ~`, `find /`): names are not what is kept safe,
        // the contents of the secret stores are.
        add(&ruleset, &[Grant { path: "/".into(), kind: Kind::Dir }], AccessFs::ReadDir.into())?;
        add(&ruleset, read, AccessFs::ReadFile.into())?;
    }
    Ok(Prepared(ruleset))
}

fn fail(e: landlock::RulesetError) -> String {
    format!("cannot set up containment: {e}")
}

/// Grant `rights` on each of `grants` (a file only the rights a file can have). Each is opened
/// without following a link and granted only if it is still what the scope was worked out on:
/// the object at that very path, of that kind. Between the working out and the opening, a
/// directory on the way could have been swapped for a link into a protected place.
///
/// The rule is added with `landlock_add_rule(2)` itself: the crate's `add_rule` looks up the
/// kind of each path again (a `fstat` per rule, a quarter of the time a scope of fifty rules
/// takes), which is known here already. Every right given is one the ruleset handles (the
/// kernel refuses a rule with any other), as `prepare` made it.
fn add(ruleset: &std::os::fd::OwnedFd, grants: &[Grant], rights: BitFlags<AccessFs>) -> Result<(), String> {
    use std::os::fd::AsRawFd;
    /// `struct landlock_path_beneath_attr`, packed as the kernel declares it.
    #[repr(C, packed)]
    struct PathBeneathAttr {
        allowed_access: u64,
        parent_fd: i32,
    }
    for g in grants {
        let Some(fd) = open_exactly(g) else { continue };
        let access = match g.kind {
            Kind::File => rights & AccessFs::from_file(ABI::V4),
            _ => rights,
        };
        let attr = PathBeneathAttr { allowed_access: access.bits(), parent_fd: fd.as_raw_fd() };
        // SAFETY: the attribute is a valid, live `landlock_path_beneath_attr`; the kernel only
        // reads it, and both descriptors are open for the call.
        let r = unsafe {
            libc::syscall(
                libc::SYS_landlock_add_rule,
                ruleset.as_raw_fd(),
                1u32, /* LANDLOCK_RULE_PATH_BENEATH */
                &attr as *const PathBeneathAttr,
                0u32,
            )
        };
        if r != 0 {
            return Err(format!("cannot set up containment: granting {}: {}", g.path, std::io::Error::last_os_error()));
        }
    }
    Ok(())
}

/// `g.path` opened as a path only, when no component of it is a symbolic link (`openat2` with
/// `RESOLVE_NO_SYMLINKS`: the paths are canonical, so a link anywhere on the way means one was
/// put there since) and it is of `g.kind` (a directory is opened as one; a file is checked).
fn open_exactly(g: &Grant) -> Option<std::os::fd::OwnedFd> {
    use nix::fcntl::{OFlag, OpenHow, ResolveFlag};
    let mut flags = OFlag::O_PATH | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC;
    match g.kind {
        Kind::Dir => flags |= OFlag::O_DIRECTORY,
        Kind::File => {}
        Kind::Other => return None,
    }
    let how = OpenHow::new().flags(flags).resolve(ResolveFlag::RESOLVE_NO_SYMLINKS);
    let fd = nix::fcntl::openat2(nix::fcntl::AT_FDCWD, g.path.as_str(), how).ok()?;
    if g.kind == Kind::File {
        // Devices are granted as files: a character device is what they are.
        let kind = nix::sys::stat::fstat(&fd).ok()?.st_mode & libc::S_IFMT;
        if kind != libc::S_IFREG && kind != libc::S_IFCHR {
            return None;
        }
    }
    Some(fd)
}

impl Prepared {
    /// Enters the scope: restricts the calling thread (and what it starts from now on) to the
    /// ruleset, then adds the seccomp filter. Landlock, `no_new_privs` and seccomp are a
    /// thread's own: the child that starts the command enters, guard does not. Nothing is
    /// allocated or dropped, on success or failure (the error is a raw errno): this runs in a
    /// child between its start and exec, sharing guard's memory or a copy of it.
    pub fn enter(&self) -> std::io::Result<()> {
        use std::os::fd::AsRawFd;
        // SAFETY: prctl(2) and landlock_restrict_self(2) take plain numbers; the ruleset's
        // descriptor is open (`self` owns it).
        let entered = unsafe {
            libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0
                && libc::syscall(libc::SYS_landlock_restrict_self, self.0.as_raw_fd(), 0u32) == 0
        };
        if !entered {
            return Err(std::io::Error::last_os_error());
        }
        super::seccomp::install()
    }

    /// Has `cmd` apply the ruleset to itself after fork, before exec: the command and
    /// everything it starts run inside it, and guard itself does not.
    pub fn apply_to(self, cmd: &mut std::process::Command) {
        use std::os::unix::process::CommandExt;
        // SAFETY: between fork and exec only prctl(2), landlock_restrict_self(2) and the
        // seccomp filter's prctl run, allocating nothing (see `enter`).
        unsafe {
            cmd.pre_exec(move || self.enter());
        }
    }
}
