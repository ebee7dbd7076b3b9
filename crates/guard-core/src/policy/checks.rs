//! The checks written in code rather than in a pack: the breaker, the fork-bomb check and
//! guard's fail-safes. Their findings carry these ids, so `guard rules list` and `guard rules
//! show ID` can say what each covers; no policy file can disable, override or redefine them.

use super::rule::Decision;

/// One check written in code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Check {
    /// The rule id its findings carry.
    pub id: &'static str,
    /// What it decides when it matches.
    pub decision: Decision,
    /// One line: what it is.
    pub summary: &'static str,
    /// What it covers, in detail, for `guard rules show`.
    pub covers: &'static str,
}

/// The breaker: a recursive delete or wipe of what no one recovers from.
pub const BREAKER: &str = "critical.breaker";
/// A function or program that starts copies of itself without end.
pub const FORK_BOMB: &str = "critical.fork-bomb";
/// Text holding a NUL byte, which no shell is handed.
pub const NUL_BYTE: &str = "guard.nul-byte";
/// Something in the text guard could not read in full.
pub const INCOMPLETE: &str = "guard.incomplete";
/// A system or user policy file (or their directory) that is there and cannot be read.
pub const POLICY_UNREAD: &str = "guard.policy-unreadable";
/// What to do about [`POLICY_UNREAD`].
pub const POLICY_UNREAD_FIX: &str = "make it readable again: its mode or a directory's above it (`chmod u+rwX`), \
                                     or what stands in its place (a link to nothing, a FIFO, a directory)";
/// A program only known at run time.
pub const DYNAMIC_PROGRAM: &str = "guard.dynamic-program";
/// guard itself failed while judging.
pub const INTERNAL_ERROR: &str = "guard.internal-error";

/// Every check written in code, in the order `guard rules list` shows them.
pub const CHECKS: &[Check] = &[
    Check {
        id: BREAKER,
        decision: Decision::Deny,
        summary: "recursive delete or wipe of /, a home directory, a top-level system directory or a disk",
        covers: "Denies, whatever any policy file says:\n\
                 - rm -r/-R/--recursive (or --no-preserve-root) of /, a home directory (~, /home/NAME, /root), a \
                 top-level system directory (/etc, /usr, /var…) or a disk, or a pattern that could name one (/*, \
                 /[e]tc);\n\
                 - chmod, chown or chgrp -R/--recursive of /, a home directory or a top-level system directory;\n\
                 - find … -delete over one of those with no test that narrows it (-name, -type, -mtime…);\n\
                 - shred, wipefs -a, blkdiscard, sgdisk/sfdisk --zap-all, mkfs*, mke2fs, mkswap or dd of=… on a \
                 disk (/dev/sdX, /dev/nvme…), and any redirection that writes straight to one.\n\
                 It reads command lines with guard's built-in program knowledge only, in every directory the \
                 command may run in, and judges a program named by a pattern (/bin/r?) as each program it could be. \
                 `guard once` cannot run what it denies.",
    },
    Check {
        id: FORK_BOMB,
        decision: Decision::Deny,
        summary: "a fork bomb: code that starts copies of itself without end",
        covers: "Denies a shell function that starts two or more copies of itself at the same time (:(){ :|:& };:), \
                 and code in another language that forks in a loop that never ends and never waits. The machine \
                 runs out of processes. `guard once` cannot run what it denies.",
    },
    Check {
        id: NUL_BYTE,
        decision: Decision::Deny,
        summary: "a command holding a NUL byte",
        covers: "Denies text that holds a NUL byte: no shell is handed one (bash stops reading a script at one), \
                 so what would run is not what guard sees. Remove the byte.",
    },
    Check {
        id: POLICY_UNREAD,
        decision: Decision::Ask,
        summary: "guard's own policy is there and cannot be read",
        covers: "Asks about every command while a system or user policy file, or their directory, is there and \
                 cannot be read (its mode or a directory's above it was changed; a link to nothing, a FIFO, a \
                 directory or a file over 1 MiB stands in its place): the rules and settings in it cannot be \
                 applied, and treating it as empty would let whatever changed it loosen guard. An approved \
                 command runs with guard's default settings. `guard doctor` names it; make it readable again \
                 (its mode or a directory's above it, or what stands in its place).",
    },
    Check {
        id: INCOMPLETE,
        decision: Decision::Ask,
        summary: "text guard could not read in full",
        covers: "Asks about text guard did not fully understand: a syntax error, a construct its parser misreads, \
                 input past its limits (size, depth, number of commands, time). Each finding says what; \
                 `guard explain` shows where.",
    },
    Check {
        id: DYNAMIC_PROGRAM,
        decision: Decision::Ask,
        summary: "a program only known at run time",
        covers: "Asks when the program to run is only known at run time ($cmd args, $(which x)) or is a pattern \
                 the shell expands (/bin/r?); such a pattern also meets the breaker as each program it could be.",
    },
    Check {
        id: INTERNAL_ERROR,
        decision: Decision::Deny,
        summary: "guard failed while judging",
        covers: "Denies a command guard could not judge because guard itself failed; report it, with the \
                 command, and `guard check` it to see the failure.",
    },
];

/// The check written in code with this id.
pub fn check(id: &str) -> Option<&'static Check> {
    CHECKS.iter().find(|c| c.id == id)
}

/// Whether a finding with this id comes from the breaker or the fork-bomb check, which nothing
/// may run: not a policy, an approval or `guard once`.
pub fn is_critical(id: &str) -> bool {
    id.starts_with("critical.")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_check_has_a_distinct_id_and_says_what_it_covers() {
        for (i, c) in CHECKS.iter().enumerate() {
            assert!(CHECKS[..i].iter().all(|d| d.id != c.id), "{} twice", c.id);
            assert!(!c.summary.is_empty() && c.covers.len() > c.summary.len(), "{}", c.id);
            assert_eq!(check(c.id), Some(c));
        }
        assert_eq!(check("critical.nothing"), None);
    }

    #[test]
    fn only_the_critical_checks_are_critical() {
        for (id, want) in [(BREAKER, true), (FORK_BOMB, true), (NUL_BYTE, false), ("git.force-push", false)] {
            assert_eq!(is_critical(id), want, "{id}");
        }
    }
}
