//! A copy of each entry for the local syslog socket (`/dev/log`, where journald and rsyslog
//! listen). Lines shipped off the machine, or merely out of the user's reach, are what reveal a
//! log cut short; see [`super`].
//!
//! Messages use the traditional local format (RFC 3164 as `syslog(3)` sends it):
//! `<PRI>Mmm dd hh:mm:ss guard[PID]: MESSAGE`, the message being the entry's JSON line.

use std::os::unix::net::UnixDatagram;
use std::path::Path;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::policy::Decision;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Facility {
    /// Security messages, kept from ordinary users (`/var/log/auth.log`, `/var/log/secure`).
    #[default]
    Authpriv,
    User,
}

impl Facility {
    fn code(self) -> u8 {
        match self {
            Facility::User => 1,
            Facility::Authpriv => 10,
        }
    }
}

/// How urgent an entry is to whoever watches the system log.
fn severity(decision: Decision) -> u8 {
    match decision {
        Decision::Allow => 6, // info
        Decision::Ask => 5,   // notice
        Decision::Deny => 4,  // warning
    }
}

/// One syslog datagram.
pub fn message(facility: Facility, decision: Decision, local_time: &str, pid: u32, line: &str) -> Vec<u8> {
    datagram(facility, severity(decision), local_time, pid, line)
}

/// The datagram for a recovery line: a warning, as a record was damaged.
pub fn recovery_message(facility: Facility, local_time: &str, pid: u32, line: &str) -> Vec<u8> {
    datagram(facility, 4, local_time, pid, line)
}

fn datagram(facility: Facility, severity: u8, local_time: &str, pid: u32, line: &str) -> Vec<u8> {
    let pri = facility.code() as u32 * 8 + severity as u32;
    format!("<{pri}>{local_time} guard[{pid}]: {line}").into_bytes()
}

/// Send one message; the error says what to do about it. A stalled reader costs at most a
/// quarter of a second.
pub fn send(socket: &Path, message: &[u8]) -> Result<(), String> {
    let fail = |e: std::io::Error| {
        format!(
            "could not send the audit entry to syslog at {}: {e}; the entry is in the audit file \
             (check that journald or rsyslog is running, or turn the syslog copy off)",
            socket.display()
        )
    };
    let sock = UnixDatagram::unbound().map_err(fail)?;
    sock.set_write_timeout(Some(Duration::from_millis(250))).map_err(fail)?;
    sock.send_to(message, socket).map(|_| ()).map_err(fail)
}

/// The local time as syslog writes it: `Apr  5 09:03:12`.
pub fn local_time() -> String {
    jiff::Timestamp::now().to_zoned_datetime(jiff::tz::TimeZone::system()).strftime("%b %e %H:%M:%S").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn priorities_combine_facility_and_severity() {
        for (facility, decision, pri) in [
            (Facility::Authpriv, Decision::Allow, "<86>"),
            (Facility::Authpriv, Decision::Ask, "<85>"),
            (Facility::Authpriv, Decision::Deny, "<84>"),
            (Facility::User, Decision::Allow, "<14>"),
            (Facility::User, Decision::Deny, "<12>"),
        ] {
            let m = message(facility, decision, "Jan  2 03:04:05", 7, "{}");
            assert_eq!(String::from_utf8(m).unwrap(), format!("{pri}Jan  2 03:04:05 guard[7]: {{}}"));
        }
        let m = recovery_message(Facility::Authpriv, "Jan  2 03:04:05", 7, "{}");
        assert_eq!(String::from_utf8(m).unwrap(), "<84>Jan  2 03:04:05 guard[7]: {}");
    }

    #[test]
    fn local_time_has_the_syslog_shape() {
        let re = regex_lite::Regex::new(r"^[A-Z][a-z]{2} [ 1-3]\d \d\d:\d\d:\d\d$").unwrap();
        let t = local_time();
        assert!(re.is_match(&t), "{t}");
    }

    #[test]
    fn a_missing_socket_is_an_error_that_says_what_to_do() {
        let dir = tempfile::tempdir().unwrap();
        let err = send(&dir.path().join("nothing"), b"x").unwrap_err();
        assert!(err.contains("the entry is in the audit file"), "{err}");
    }
}
