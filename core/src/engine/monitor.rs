//! MONITOR: clients that see every command the server runs, as Redis 7.0
//! shows them.
//!
//! After a command runs (directly or inside EXEC), every monitor receives
//! one status line `+<secs>.<usecs> [<db> <addr>] "arg" "arg"...`, the
//! arguments quoted as Redis's `sdscatrepr` does. Administrative and
//! `skip_monitor` commands are not shown, commands refused before running
//! (unknown, arity, NOAUTH) neither, and passwords are shown as
//! `(redacted)`. The line is encoded once and handed to the driver as
//! [`Effect::Deliver`](super::Effect::Deliver)s, which it routes to whichever
//! thread owns each monitor.

use bytes::Bytes;

use super::client::ClientId;
use super::Time;

/// The clients in MONITOR mode, in the order they started.
#[derive(Debug, Default, Clone)]
pub struct Monitors {
    ids: Vec<ClientId>,
    /// Lines about a monitor's own commands: Redis writes them after that
    /// command's reply, so they travel as further replies, not deliveries.
    echo: Vec<String>,
}

impl Monitors {
    /// Start monitoring for `id`; false when it already was a monitor.
    pub fn add(&mut self, id: ClientId) -> bool {
        if self.ids.contains(&id) {
            return false;
        }
        self.ids.push(id);
        true
    }

    /// Stop monitoring for `id` (RESET, disconnect).
    pub fn remove(&mut self, id: ClientId) {
        self.ids.retain(|&m| m != id);
    }

    /// Nobody monitors: the common case, checked before building a line.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// The monitors, in the order they started.
    pub fn ids(&self) -> &[ClientId] {
        &self.ids
    }

    /// Keep a line about a monitor's own command (the encoded line).
    pub fn push_echo(&mut self, line: &[u8]) {
        // The line is ASCII (every other byte is escaped); drop the `+` and
        // the line end, the reply encoder adds them back.
        let text = line
            .strip_prefix(b"+")
            .and_then(|l| l.strip_suffix(b"\r\n"))
            .unwrap_or(line);
        self.echo.push(String::from_utf8_lossy(text).into_owned());
    }

    /// The lines about the caller's own commands, as status replies.
    pub fn take_echo(&mut self) -> Vec<String> {
        std::mem::take(&mut self.echo)
    }
}

/// The value Redis shows instead of a password.
const REDACTED: &[u8] = b"(redacted)";

/// Which arguments of `argv` Redis 7.0 hides from MONITOR: everything after
/// AUTH, and the user name and password of HELLO's AUTH option.
fn redacted(argv: &[Bytes]) -> Vec<bool> {
    let mut hide = vec![false; argv.len()];
    let Some(name) = argv.first() else {
        return hide;
    };
    if name.eq_ignore_ascii_case(b"auth") {
        for h in hide.iter_mut().skip(1) {
            *h = true;
        }
    } else if name.eq_ignore_ascii_case(b"hello") {
        let mut i = 2;
        while i < argv.len() {
            if argv[i].eq_ignore_ascii_case(b"auth") {
                for h in hide.iter_mut().skip(i + 1).take(2) {
                    *h = true;
                }
                i += 3;
            } else if argv[i].eq_ignore_ascii_case(b"setname") {
                i += 2;
            } else {
                i += 1;
            }
        }
    }
    hide
}

/// Append `arg` quoted as Redis's `sdscatrepr`: in double quotes, with
/// `\\`, `\"`, `\n`, `\r`, `\t`, `\a`, `\b` escaped, other printable ASCII
/// as is and every other byte as `\xhh`.
pub fn push_repr(out: &mut Vec<u8>, arg: &[u8]) {
    out.push(b'"');
    for &b in arg {
        match b {
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'"' => out.extend_from_slice(b"\\\""),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            0x07 => out.extend_from_slice(b"\\a"),
            0x08 => out.extend_from_slice(b"\\b"),
            0x20..=0x7e => out.push(b),
            _ => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.extend_from_slice(b"\\x");
                out.push(HEX[usize::from(b >> 4)]);
                out.push(HEX[usize::from(b & 0x0f)]);
            }
        }
    }
    out.push(b'"');
}

/// The peer as MONITOR names it: `ip:port`, or `unix:<path>` for a Unix
/// socket (whose peer keyrs records as `<path>:0`).
fn peer_name(addr: &str) -> String {
    if addr.starts_with('/') {
        format!("unix:{}", addr.strip_suffix(":0").unwrap_or(addr))
    } else {
        addr.to_string()
    }
}

/// The encoded status line for one command run by a client at `addr` with
/// `db` selected (after the command: SELECT shows its new db, as Redis).
pub fn line(now: Time, db: usize, addr: &str, argv: &[Bytes]) -> Bytes {
    let hide = redacted(argv);
    let head = format!(
        "+{}.{:06} [{} {}]",
        now.unix_us / 1_000_000,
        now.unix_us % 1_000_000,
        db,
        peer_name(addr)
    );
    let mut out =
        Vec::with_capacity(head.len() + argv.iter().map(|a| a.len() + 3).sum::<usize>() + 2);
    out.extend_from_slice(head.as_bytes());
    for (arg, &h) in argv.iter().zip(&hide) {
        out.push(b' ');
        push_repr(&mut out, if h { REDACTED } else { arg });
    }
    out.extend_from_slice(b"\r\n");
    Bytes::from(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(words: &[&[u8]]) -> Vec<Bytes> {
        words.iter().map(|w| Bytes::copy_from_slice(w)).collect()
    }

    #[test]
    fn quotes_like_sdscatrepr() {
        let mut out = Vec::new();
        push_repr(&mut out, b"x\ny\x01\"q\\\t\r\x07\x08\xff ok");
        assert_eq!(out, b"\"x\\ny\\x01\\\"q\\\\\\t\\r\\a\\b\\xff ok\"".to_vec());
    }

    #[test]
    fn formats_the_line_with_time_db_and_peer() {
        let l = line(
            Time {
                unix_us: 1_795_289_855_000_042,
            },
            3,
            "127.0.0.1:50036",
            &argv(&[b"SET", b"a", b"1"]),
        );
        assert_eq!(
            &l[..],
            b"+1795289855.000042 [3 127.0.0.1:50036] \"SET\" \"a\" \"1\"\r\n"
        );
        let l = line(Time::default(), 0, "/tmp/k.sock:0", &argv(&[b"PING"]));
        assert_eq!(&l[..], b"+0.000000 [0 unix:/tmp/k.sock] \"PING\"\r\n");
    }

    #[test]
    fn redacts_passwords() {
        let l = line(Time::default(), 0, "a:1", &argv(&[b"auth", b"u", b"pw"]));
        assert!(l.ends_with(b"\"auth\" \"(redacted)\" \"(redacted)\"\r\n"));
        let l = line(
            Time::default(),
            0,
            "a:1",
            &argv(&[
                b"HELLO", b"3", b"SETNAME", b"auth", b"AUTH", b"default", b"pw",
            ]),
        );
        assert!(l.ends_with(
            b"\"HELLO\" \"3\" \"SETNAME\" \"auth\" \"AUTH\" \"(redacted)\" \"(redacted)\"\r\n"
        ));
    }

    #[test]
    fn monitors_are_a_set_in_start_order() {
        let mut m = Monitors::default();
        assert!(m.is_empty());
        assert!(m.add(4) && m.add(2) && !m.add(4));
        assert_eq!(m.ids(), &[4, 2]);
        m.remove(4);
        assert_eq!(m.ids(), &[2]);
    }
}
