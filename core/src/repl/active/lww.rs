//! Which effects are whole-value last-writer-wins, and how every other
//! write is shipped so that it converges too.
//!
//! Conflict resolution ([`super::keystamps`]) compares one version per key,
//! so every effect must be the key's **whole state** after the write: then
//! "the highest version wins" is independent of delivery order. Replaying
//! a command whose result depends on the receiver's prior state (INCR,
//! LPUSH, APPEND, EXPIRE on a value the receiver may not have yet) under a
//! version check would not converge, and replaying it blindly is KeyDB's
//! divergence (#366, #111). [`classify`] sorts a *propagated* command (after
//! `Engine::propagate_as` rewrote relative expiries to absolute ones):
//!
//! | Plan | Commands | Shipped as |
//! |---|---|---|
//! | [`Plan::Whole`] | `SET k v` with only `PXAT`/`EXAT`/`GET` options; `MSET`; `RESTORE … REPLACE ABSTTL` (or ttl 0); `KEYDB.MVCCRESTORE` | the command itself, one stamp for all its keys |
//! | [`Plan::Delete`] | `DEL`, `UNLINK`, `KEYRS.MVCCDEL` | the command; each key gets a tombstone |
//! | [`Plan::FlushDb`] / [`Plan::FlushAll`] | `FLUSHDB`, `FLUSHALL` (any `ASYNC`/`SYNC`), `KEYRS.MVCCFLUSHDB` | the command; a database-wide tombstone |
//! | [`Plan::Control`] | `SELECT`, `MULTI`, `EXEC`, `PING`, `REPLCONF`, `PUBLISH`, `SCRIPT`, `FUNCTION` | forwarded as they are, no version check |
//! | [`Plan::State`] | every other write: `SET` with `NX`/`XX`/`KEEPTTL`/`EX`/`PX`, `SETEX`, `PSETEX`, `MSETNX`, `APPEND`, `INCR`-family, `SETRANGE`, `EXPIRE`-family, `PERSIST`, `RENAME`, `MOVE`, `COPY`, all list, hash, set, sorted-set, stream, bitmap and HyperLogLog writes | per key the command wrote: `KEYDB.MVCCRESTORE key stamp pexpire-at <DUMP payload>` when the key exists after it, `DEL key` when it does not, all under the command's one stamp |
//!
//! Consequences, documented for users: concurrent writes to one key resolve
//! to one of them as a whole. Two concurrent `INCR`s converge to the same
//! value everywhere, but one increment is lost (a counter CRDT is out of
//! scope); two concurrent `LPUSH`es keep one side's list. A TTL change ships
//! the whole value, so `EXPIRE` on a large collection costs its DUMP size
//! on the link (a per-field expiry register would avoid it; not done).

use bytes::Bytes;

use super::node::NodeId;
use super::stamp::{Stamp, Version};

/// The command that ships a key's whole state with its own version.
pub const MVCCRESTORE: &str = "KEYDB.MVCCRESTORE";

/// keyrs's versioned delete, `KEYRS.MVCCDEL key stamp origin`: a tombstone
/// relayed at its own version (a full-sync merge relays the deletes it
/// took, as KeyDB relays keys with MVCCRESTORE; KeyDB has no equivalent).
pub const MVCCDEL: &str = "KEYRS.MVCCDEL";

/// keyrs's versioned flush of the envelope's database,
/// `KEYRS.MVCCFLUSHDB stamp origin` (a merged flush tombstone, relayed).
pub const MVCCFLUSHDB: &str = "KEYRS.MVCCFLUSHDB";

/// Is `argv` a `KEYDB.MVCCRESTORE`?
pub fn is_mvccrestore(argv: &[Bytes]) -> bool {
    argv.first()
        .is_some_and(|n| n.eq_ignore_ascii_case(MVCCRESTORE.as_bytes()))
}

/// The version a `KEYDB.MVCCRESTORE key stamp expire payload [origin]`
/// carries for its key: its own stamp (not the envelope's: a full-sync
/// merge relays keys written long before), and its origin argument, else
/// `origin` (the envelope's). `None` for another command, a stamp that
/// does not parse, or stamp 0 (unstamped: the envelope's version then).
pub fn mvcc_version(argv: &[Bytes], origin: NodeId) -> Option<Version> {
    let name = argv.first()?;
    // (stamp index, origin index) of the versioned commands.
    let (s, o) = if is_mvccrestore(argv) && argv.len() >= 5 {
        (2, 5)
    } else if name.eq_ignore_ascii_case(MVCCDEL.as_bytes()) && argv.len() == 4 {
        (2, 3)
    } else if name.eq_ignore_ascii_case(MVCCFLUSHDB.as_bytes()) && argv.len() == 3 {
        (1, 2)
    } else {
        return None;
    };
    let stamp = Stamp::parse(&argv[s]).filter(|s| *s != Stamp::ZERO)?;
    let origin = match argv.get(o) {
        Some(o) => NodeId::parse(o).ok()?,
        None => origin,
    };
    Some(Version::new(stamp, origin))
}

/// Is `argv` one of the versioned commands (KEYDB.MVCCRESTORE,
/// KEYRS.MVCCDEL, KEYRS.MVCCFLUSHDB), which run whole when they win?
pub fn is_versioned(argv: &[Bytes]) -> bool {
    argv.first().is_some_and(|n| {
        [MVCCRESTORE, MVCCDEL, MVCCFLUSHDB]
            .iter()
            .any(|c| n.eq_ignore_ascii_case(c.as_bytes()))
    })
}

/// How a propagated command is shipped and resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Plan {
    /// The command is the whole new state of these keys.
    Whole(Vec<Bytes>),
    /// The command deletes these keys.
    Delete(Vec<Bytes>),
    /// Flushes the command's database.
    FlushDb,
    /// Flushes every database.
    FlushAll,
    /// Not a keyspace change: forwarded as is.
    Control,
    /// Depends on prior state: ship each written key's resulting state.
    State,
}

/// Sort one propagated command (`argv[0]` is its name).
pub fn classify(argv: &[Bytes]) -> Plan {
    let Some(name) = argv.first() else {
        return Plan::Control;
    };
    let name = name.to_ascii_uppercase();
    let args = &argv[1..];
    match name.as_slice() {
        b"SET" => set_plan(args),
        b"MSET" if !args.is_empty() && args.len().is_multiple_of(2) => {
            Plan::Whole(args.iter().step_by(2).cloned().collect())
        }
        b"RESTORE" => restore_plan(args),
        b"KEYDB.MVCCRESTORE" if args.len() >= 4 => Plan::Whole(vec![args[0].clone()]),
        b"KEYRS.MVCCDEL" if args.len() == 3 => Plan::Delete(vec![args[0].clone()]),
        b"KEYRS.MVCCFLUSHDB" if args.len() == 2 => Plan::FlushDb,
        b"DEL" | b"UNLINK" if !args.is_empty() => Plan::Delete(args.to_vec()),
        b"FLUSHDB" if flush_args_ok(args) => Plan::FlushDb,
        b"FLUSHALL" if flush_args_ok(args) => Plan::FlushAll,
        b"SELECT" | b"MULTI" | b"EXEC" | b"PING" | b"REPLCONF" | b"PUBLISH" | b"SCRIPT"
        | b"FUNCTION" => Plan::Control,
        _ => Plan::State,
    }
}

/// `SET key value [options]`: whole only with absolute expiry or none,
/// and no condition or TTL keeping.
fn set_plan(args: &[Bytes]) -> Plan {
    if args.len() < 2 {
        return Plan::State;
    }
    let mut i = 2;
    while i < args.len() {
        let opt = args[i].to_ascii_uppercase();
        match opt.as_slice() {
            b"GET" => i += 1,
            b"PXAT" | b"EXAT" if i + 1 < args.len() => i += 2,
            _ => return Plan::State,
        }
    }
    Plan::Whole(vec![args[0].clone()])
}

/// `RESTORE key ttl payload [REPLACE] [ABSTTL] [IDLETIME s] [FREQ f]`:
/// whole when it replaces and its TTL is absolute (or none).
fn restore_plan(args: &[Bytes]) -> Plan {
    if args.len() < 3 {
        return Plan::State;
    }
    let opts: Vec<Vec<u8>> = args[3..].iter().map(|a| a.to_ascii_uppercase()).collect();
    let replace = opts.iter().any(|o| o == b"REPLACE");
    let absttl = opts.iter().any(|o| o == b"ABSTTL") || &args[1][..] == b"0";
    if replace && absttl {
        Plan::Whole(vec![args[0].clone()])
    } else {
        Plan::State
    }
}

fn flush_args_ok(args: &[Bytes]) -> bool {
    match args {
        [] => true,
        [mode] => mode.eq_ignore_ascii_case(b"ASYNC") || mode.eq_ignore_ascii_case(b"SYNC"),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(words: &str) -> Plan {
        let argv: Vec<Bytes> = words
            .split(' ')
            .map(|w| Bytes::copy_from_slice(w.as_bytes()))
            .collect();
        classify(&argv)
    }

    fn keys(ks: &[&'static str]) -> Vec<Bytes> {
        ks.iter()
            .map(|k| Bytes::from_static(k.as_bytes()))
            .collect()
    }

    #[test]
    fn whole_value_commands() {
        assert_eq!(c("SET k v"), Plan::Whole(keys(&["k"])));
        assert_eq!(c("set k v pxat 100 get"), Plan::Whole(keys(&["k"])));
        assert_eq!(c("SET k v EXAT 100"), Plan::Whole(keys(&["k"])));
        assert_eq!(c("MSET a 1 b 2"), Plan::Whole(keys(&["a", "b"])));
        assert_eq!(c("RESTORE k 0 payload REPLACE"), Plan::Whole(keys(&["k"])));
        assert_eq!(
            c("RESTORE k 99 payload ABSTTL REPLACE"),
            Plan::Whole(keys(&["k"]))
        );
        assert_eq!(
            c("KEYDB.MVCCRESTORE k 5 -1 payload"),
            Plan::Whole(keys(&["k"]))
        );
    }

    #[test]
    fn state_dependent_commands_ship_state() {
        for w in [
            "SET k v NX",
            "SET k v XX",
            "SET k v KEEPTTL",
            "SET k v PX 100",
            "SET k v EX 1",
            "SET k v PXAT",
            "SET k",
            "SETEX k 1 v",
            "MSET a 1 b",
            "MSETNX a 1",
            "RESTORE k 99 payload REPLACE",
            "RESTORE k 0 payload",
            "INCR k",
            "APPEND k v",
            "LPUSH l a",
            "HSET h f v",
            "PEXPIREAT k 100",
            "PERSIST k",
            "RENAME a b",
            "XADD s * f v",
        ] {
            assert_eq!(c(w), Plan::State, "{w}");
        }
    }

    #[test]
    fn mvccrestore_carries_its_own_version() {
        let o = NodeId::from_bytes([3; 16]);
        let other = NodeId::from_random([9; 16]);
        let argv = |s: &str| -> Vec<Bytes> {
            s.split(' ')
                .map(|w| Bytes::copy_from_slice(w.as_bytes()))
                .collect()
        };
        assert_eq!(
            mvcc_version(&argv("KEYDB.MVCCRESTORE k 77 -1 payload"), o),
            Some(Version::new(Stamp(77), o))
        );
        let with = format!("keydb.mvccrestore k 78 -1 payload {other}");
        assert_eq!(
            mvcc_version(&argv(&with), o),
            Some(Version::new(Stamp(78), other))
        );
        assert_eq!(mvcc_version(&argv("KEYDB.MVCCRESTORE k 0 -1 p"), o), None);
        assert_eq!(mvcc_version(&argv("KEYDB.MVCCRESTORE k x -1 p"), o), None);
        assert_eq!(
            mvcc_version(&argv("KEYDB.MVCCRESTORE k 5 -1 p bad"), o),
            None
        );
        assert_eq!(mvcc_version(&argv("SET k 5 -1 p"), o), None);
        let del = format!("KEYRS.MVCCDEL k 79 {other}");
        assert_eq!(
            mvcc_version(&argv(&del), o),
            Some(Version::new(Stamp(79), other))
        );
        assert_eq!(
            classify(&argv(&del)),
            Plan::Delete(vec![Bytes::from_static(b"k")])
        );
        let flush = format!("keyrs.mvccflushdb 80 {other}");
        assert_eq!(
            mvcc_version(&argv(&flush), o),
            Some(Version::new(Stamp(80), other))
        );
        assert_eq!(classify(&argv(&flush)), Plan::FlushDb);
        assert!(is_versioned(&argv(&flush)) && !is_versioned(&argv("DEL k")));
    }

    #[test]
    fn deletes_flushes_and_control() {
        assert_eq!(c("DEL a b"), Plan::Delete(keys(&["a", "b"])));
        assert_eq!(c("unlink a"), Plan::Delete(keys(&["a"])));
        assert_eq!(c("FLUSHDB"), Plan::FlushDb);
        assert_eq!(c("FLUSHALL async"), Plan::FlushAll);
        assert_eq!(
            c("FLUSHALL LATER"),
            Plan::State,
            "not a valid flush: not resolved as one"
        );
        assert_eq!(c("SELECT 1"), Plan::Control);
        assert_eq!(c("MULTI"), Plan::Control);
        assert_eq!(classify(&[]), Plan::Control);
    }
}
