//! The `engine` fuzz target: arbitrary command sequences against one
//! [`Engine`] with three clients (one of them speaking RESP3), in advancing
//! virtual time.
//!
//! The input is decoded into at most [`MAX_COMMANDS`] commands. Each command
//! name comes from the engine's own command table (subcommands of containers
//! included), its arguments from small pools: a handful of keys (so commands
//! meet each other's values, of every type), boundary integers, special
//! floats, keywords of the command's family, raw bytes. Properties checked:
//!
//! - nothing panics;
//! - every reply encodes in both protocols to exactly one well-formed frame,
//!   and every delivery (Pub/Sub, blocked clients' replies) is whole frames;
//! - blocked clients are sent nothing until unblocked (as a driver would),
//!   and sometimes hang up; killed or closed ones are replaced;
//! - after every command the keyspace holds no empty list, hash, set or
//!   zset, and no expiry without its key.
//!
//! Excluded, because they legitimately take unbounded time or memory (see
//! `fuzz/README.md`): DEBUG SLEEP, SHUTDOWN, and integers beyond +-1000 for
//! the commands where an integer is a count or size to produce (SRANDMEMBER,
//! HRANDFIELD, ZRANDMEMBER with negative counts repeat members; SETRANGE,
//! SETBIT, BITFIELD offsets allocate; DEBUG POPULATE creates keys).

use std::sync::OnceLock;

use arbitrary::{Result as ArbResult, Unstructured};
use bytes::{Bytes, BytesMut};
use keyrs_core::config::Config;
use keyrs_core::engine::client::{ClientId, ConnInfo};
use keyrs_core::engine::stats::ServerInfo;
use keyrs_core::engine::table::{all_commands, CommandSpec};
use keyrs_core::engine::value::Value;
use keyrs_core::engine::{Effect, Engine, Time};
use keyrs_core::resp::encoder::encode_to_vec;
use keyrs_core::resp::frame::FrameParser;
use keyrs_core::resp::{Protocol, Reply};

/// Commands per input, at most.
pub const MAX_COMMANDS: usize = 48;

/// Arguments per command, at most (beyond the name and subcommand).
const MAX_ARGS: usize = 10;

/// Largest count/size an argument may ask of the size-sensitive commands.
const COUNT_CAP: i64 = 1000;

/// Keys every command draws from: few, so values meet; one hash-tagged pair.
const KEYS: &[&str] = &["k0", "k1", "k2", "{t}a", "{t}b"];

/// Integers at the boundaries the commands check.
const INTS: &[&str] = &[
    "0",
    "1",
    "-1",
    "2",
    "3",
    "5",
    "10",
    "-10",
    "100",
    "-100",
    "1000",
    "-1000",
    "128",
    "129",
    "512",
    "65",
    "2147483647",
    "-2147483648",
    "4294967295",
    "4294967296",
    "536870912",
    "9223372036854775807",
    "-9223372036854775807",
    "-9223372036854775808",
    "9223372036854775808",
    "-9223372036854775809",
    "18446744073709551615",
    "01",
    "+1",
    "-0",
    " 1",
    "",
];

/// Floats and float-like strings.
const FLOATS: &[&str] = &[
    "inf", "-inf", "+inf", "nan", "1e400", "-1e400", "1.5", "-0.5", "0.1", "1e308", "5e-324",
    "3.0e2", "0x10", "1e", ".5", "-0.0", "infinity", "(1", "(inf", "(-inf", "(nan",
];

/// Keywords of every family (options, range bounds, subcommand words).
const COMMON_WORDS: &[&str] = &["COUNT", "MATCH", "TYPE", "HELP", "*", "NX", "XX"];

/// Keywords by command family (`doc.group`).
fn family_words(group: &str) -> &'static [&'static str] {
    match group {
        "string" => &[
            "EX",
            "PX",
            "EXAT",
            "PXAT",
            "KEEPTTL",
            "GET",
            "PERSIST",
            "LEN",
            "IDX",
            "MINMATCHLEN",
            "WITHMATCHLEN",
        ],
        "generic" => &[
            "GT", "LT", "DB", "REPLACE", "ABSTTL", "IDLETIME", "FREQ", "ENCODING", "REFCOUNT",
            "string", "list", "hash", "set", "zset", "stream", "BY", "LIMIT", "ASC", "DESC",
            "ALPHA", "STORE",
        ],
        "list" => &["LEFT", "RIGHT", "BEFORE", "AFTER", "RANK", "MAXLEN"],
        "hash" => &["WITHVALUES", "NOVALUES"],
        "set" => &["LIMIT"],
        "sorted-set" => &[
            "GT",
            "LT",
            "CH",
            "INCR",
            "WITHSCORES",
            "WITHSCORE",
            "LIMIT",
            "BYSCORE",
            "BYLEX",
            "REV",
            "WEIGHTS",
            "AGGREGATE",
            "SUM",
            "MIN",
            "MAX",
            "-",
            "+",
            "[a",
            "(a",
            "[",
            "(",
            "+inf",
            "-inf",
        ],
        "bitmap" => &[
            "BIT", "BYTE", "AND", "OR", "XOR", "NOT", "GET", "SET", "INCRBY", "OVERFLOW", "WRAP",
            "SAT", "FAIL", "u8", "i8", "i64", "u63", "u64", "#1", "i1",
        ],
        "stream" => &[
            "MAXLEN",
            "MINID",
            "~",
            "=",
            "$",
            ">",
            "0-0",
            "1-1",
            "0-1",
            "18446744073709551615-18446744073709551615",
            "STREAMS",
            "NOMKSTREAM",
            "LIMIT",
            "BLOCK",
            "GROUP",
            "CREATE",
            "MKSTREAM",
            "ENTRIESREAD",
            "JUSTID",
            "IDLE",
            "TIME",
            "RETRYCOUNT",
            "FORCE",
            "FULL",
            "-",
            "+",
            "g1",
            "c1",
        ],
        "geo" => &[
            "m",
            "km",
            "mi",
            "ft",
            "FROMMEMBER",
            "FROMLONLAT",
            "BYRADIUS",
            "BYBOX",
            "ASC",
            "DESC",
            "WITHCOORD",
            "WITHDIST",
            "WITHHASH",
            "ANY",
            "STORE",
            "STOREDIST",
            "13.361389",
            "38.115556",
            "180",
            "-180",
            "85.05112878",
            "-85.05112879",
        ],
        "pubsub" => &[
            "ch",
            "news.*",
            "__keyspace@0__:k0",
            "NUMSUB",
            "CHANNELS",
            "NUMPAT",
        ],
        "connection" | "server" => &["3", "2", "ON", "OFF", "SKIP", "SETNAME", "ID", "INFO"],
        _ => &[],
    }
}

/// Commands whose integer arguments are counts or sizes to produce.
const SIZE_SENSITIVE: &[&str] = &[
    "srandmember",
    "hrandfield",
    "zrandmember",
    "setrange",
    "setbit",
    "bitfield",
    "bitfield_ro",
    "debug",
    "lpos",
    "spop",
];

/// (command, subcommand) pairs never generated: they block or stop the
/// server by design, or only slow the fuzzer down.
fn excluded(name: &str, sub: Option<&str>) -> bool {
    matches!(
        (name, sub),
        ("shutdown", _)
            | ("debug", Some("sleep"))
            | ("monitor", _)
            | ("sync" | "psync", _)
            // A fixed, slow self-test of the HLL code: no input reaches it.
            | ("pfselftest", _)
            // Static metadata of every command: big replies, no engine state.
            | ("command", Some("docs" | "info" | "list"))
    )
}

/// One generatable command: its spec and (for containers) subcommand spec.
struct Choice {
    spec: &'static CommandSpec,
    sub: Option<&'static CommandSpec>,
}

/// The command table, flattened to every (command, subcommand) pair.
fn choices() -> &'static [Choice] {
    static CHOICES: OnceLock<Vec<Choice>> = OnceLock::new();
    CHOICES.get_or_init(|| {
        let mut out = Vec::new();
        for spec in all_commands() {
            if spec.subcommands.is_empty() {
                if !excluded(spec.name, None) {
                    out.push(Choice { spec, sub: None });
                }
                continue;
            }
            for sub in spec.subcommands {
                // A subcommand's name may be "parent|sub"; keep the last part.
                let short = sub.name.rsplit('|').next().unwrap_or(sub.name);
                if !excluded(spec.name, Some(short)) {
                    out.push(Choice {
                        spec,
                        sub: Some(sub),
                    });
                }
            }
        }
        out
    })
}

/// One argument for a command of family `group`.
fn argument(u: &mut Unstructured<'_>, group: &str) -> ArbResult<Bytes> {
    let s: &str = match u.int_in_range(0..=9)? {
        0..=2 => u.choose(KEYS)?,
        3 | 4 => u.choose(INTS)?,
        5 => u.choose(FLOATS)?,
        6 | 7 => {
            let words = family_words(group);
            if words.is_empty() {
                u.choose(COMMON_WORDS)?
            } else {
                u.choose(words)?
            }
        }
        8 => u.choose(COMMON_WORDS)?,
        _ => {
            let len = u.int_in_range(0..=70)?;
            return Ok(Bytes::copy_from_slice(u.bytes(len)?));
        }
    };
    Ok(Bytes::copy_from_slice(s.as_bytes()))
}

/// Replace integers the size-sensitive commands would take as huge counts
/// (within i64, beyond the cap; `i64::MIN` stays: it is an error path).
fn cap_counts(argv: &mut [Bytes]) {
    let Some(name) = argv.first() else {
        return;
    };
    let name = String::from_utf8_lossy(name).to_ascii_lowercase();
    if !SIZE_SENSITIVE.contains(&name.as_str()) {
        return;
    }
    for arg in argv.iter_mut().skip(1) {
        let parsed = std::str::from_utf8(arg)
            .ok()
            .and_then(|s| s.parse::<i64>().ok());
        if let Some(v) = parsed {
            if v != i64::MIN && v.unsigned_abs() > COUNT_CAP as u64 {
                let capped = if v < 0 { -COUNT_CAP } else { COUNT_CAP };
                *arg = Bytes::from(capped.to_string());
            }
        }
    }
}

/// Decode one command from `u`.
pub fn decode_command(u: &mut Unstructured<'_>) -> ArbResult<Vec<Bytes>> {
    let choice = u.choose(choices())?;
    let spec = choice.sub.unwrap_or(choice.spec);
    let mut argv = vec![Bytes::from_static(choice.spec.name.as_bytes())];
    if let Some(sub) = choice.sub {
        let short = sub.name.rsplit('|').next().unwrap_or(sub.name);
        argv.push(Bytes::from_static(short.as_bytes()));
    }
    // Mostly the arity's count (or a little over for variadic commands),
    // sometimes anything: arity errors are worth reaching too.
    let base = spec.arity.unsigned_abs() as usize;
    let total = if u.ratio(7u8, 8u8)? {
        let extra = if spec.arity < 0 {
            u.int_in_range(0..=MAX_ARGS)?
        } else {
            0
        };
        base + extra
    } else {
        argv.len() + u.int_in_range(0..=MAX_ARGS)?
    };
    let group = spec.doc.group;
    while argv.len() < total.min(MAX_ARGS + 2) {
        argv.push(argument(u, group)?);
    }
    // Keys where the spec says keys go, most of the time.
    if spec.first_key > 0 && u.ratio(3u8, 4u8)? {
        for pos in spec.key_positions(argv.len()).collect::<Vec<_>>() {
            if let Some(slot) = argv.get_mut(pos) {
                *slot = Bytes::from_static(u.choose(KEYS)?.as_bytes());
            }
        }
    }
    cap_counts(&mut argv);
    Ok(argv)
}

/// Encode `reply` in `proto` and check it parses back as exactly one frame.
fn check_encoding(reply: &Reply, proto: Protocol, argv: &[Bytes]) {
    let wire = encode_to_vec(reply, proto);
    let mut parser = FrameParser::default();
    let mut buf = BytesMut::from(&wire[..]);
    match parser.next_frame(&mut buf) {
        Ok(Some(_)) if buf.is_empty() => {}
        other => panic!(
            "{proto:?} reply to {:?} does not parse as one frame ({other:?}): {:?}",
            show(argv),
            String::from_utf8_lossy(&wire)
        ),
    }
}

/// Arguments as a readable string, for panic messages.
pub fn show(argv: &[Bytes]) -> String {
    argv.iter()
        .map(|a| format!("{:?}", String::from_utf8_lossy(a)))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The keyspace invariants: no empty container, no orphan expiry.
pub fn check_keyspace(e: &Engine, after: &[Bytes]) {
    for (i, db) in e.dbs.iter().enumerate() {
        for (key, entry) in db.keys.iter() {
            let empty = match &entry.value {
                Value::List(l) => l.is_empty(),
                Value::Hash(h) => h.is_empty(),
                Value::Set(s) => s.is_empty(),
                Value::ZSet(z) => z.is_empty(),
                // Strings and streams may legitimately be empty.
                Value::Str(_) | Value::Stream(_) => false,
            };
            assert!(
                !empty,
                "db {i}: empty {} at key {:?} after {}",
                entry.value.type_name(),
                String::from_utf8_lossy(key),
                show(after)
            );
        }
        for key in db.expires.keys() {
            assert!(
                db.keys.contains_key(key),
                "db {i}: expiry without key {:?} after {}",
                String::from_utf8_lossy(key),
                show(after)
            );
        }
    }
}

/// One connection as the fuzz driver sees it.
#[derive(Debug, Clone, Copy)]
struct Conn {
    id: ClientId,
    /// Blocked (BLPOP and friends): a driver sends it nothing until an
    /// `Effect::Unblocked` arrives.
    blocked: bool,
}

/// A fresh RESP2 connection.
fn connect(e: &mut Engine, now: Time) -> Option<Conn> {
    e.connect(ConnInfo::default(), now)
        .ok()
        .map(|id| Conn { id, blocked: false })
}

/// Fuzz target: see the module documentation.
pub fn engine(data: &[u8]) {
    let mut e = Engine::new(Config::default(), ServerInfo::default(), 7);
    let mut now = Time::from_ms(1_700_000_000_000);
    let mut conns: Vec<Conn> = (0..3).filter_map(|_| connect(&mut e, now)).collect();
    // The last client speaks RESP3 from the start.
    if let Some(c) = conns.last() {
        let hello = [Bytes::from_static(b"HELLO"), Bytes::from_static(b"3")];
        let out = e.execute(c.id, &hello, now);
        assert_eq!(out.proto, Protocol::Resp3, "HELLO 3 did not switch");
    }
    let mut u = Unstructured::new(data);
    let _ = drive(&mut e, &mut u, &mut conns, &mut now);
    check_keyspace(&e, &[]);
    // Closing every connection (blocked, subscribed, in MULTI) is clean too.
    for c in conns {
        e.disconnect(c.id);
    }
    let _ = e.tick(now);
    check_keyspace(&e, &[]);
}

/// Bytes the engine asks to deliver (Pub/Sub messages, keyspace events,
/// blocked clients' replies) must be whole, well-formed frames.
fn check_delivery(bytes: &[u8], argv: &[Bytes]) {
    match crate::parse_frames(bytes, bytes.len().max(1)) {
        Ok((replies, false)) if !replies.is_empty() => {}
        other => panic!(
            "delivery after {} is not whole frames ({other:?}): {:?}",
            show(argv),
            String::from_utf8_lossy(bytes)
        ),
    }
}

/// Act on effects as a driver would: deliveries checked, unblocked clients
/// freed, killed or closed ones replaced by fresh connections.
fn apply_effects(
    e: &mut Engine,
    effects: &[Effect],
    caller: Option<ClientId>,
    conns: &mut [Conn],
    now: Time,
    argv: &[Bytes],
) {
    let mut gone = Vec::new();
    for effect in effects {
        match effect {
            Effect::Deliver { bytes, .. } => check_delivery(bytes, argv),
            Effect::Unblocked(id) => {
                for c in conns.iter_mut().filter(|c| c.id == *id) {
                    c.blocked = false;
                }
            }
            Effect::KillClient(id) => gone.push(*id),
            Effect::CloseAfterReply => gone.extend(caller),
            Effect::Sleep { .. } | Effect::Shutdown => {}
        }
    }
    for id in gone {
        e.disconnect(id);
        for slot in conns.iter_mut().filter(|c| c.id == id) {
            if let Some(fresh) = connect(e, now) {
                *slot = fresh;
            }
        }
    }
}

/// Run the decoded commands; stops early when the input runs out.
fn drive(
    e: &mut Engine,
    u: &mut Unstructured<'_>,
    conns: &mut [Conn],
    now: &mut Time,
) -> ArbResult<()> {
    let n = u.int_in_range(1..=MAX_COMMANDS)?;
    for _ in 0..n {
        if u.is_empty() || conns.is_empty() {
            break;
        }
        let i = u.choose_index(conns.len())?;
        let conn = conns[i];
        let argv = decode_command(u)?;
        if conn.blocked {
            // A blocked client sends nothing; sometimes it hangs up instead.
            if u.ratio(1u8, 4u8)? {
                e.disconnect(conn.id);
                if let Some(fresh) = connect(e, *now) {
                    conns[i] = fresh;
                }
            }
        } else {
            let out = e.execute(conn.id, &argv, *now);
            for reply in out.reply.iter().chain(&out.more) {
                check_encoding(reply, Protocol::Resp2, &argv);
                check_encoding(reply, Protocol::Resp3, &argv);
            }
            if out.blocked {
                conns[i].blocked = true;
            }
            apply_effects(e, &out.effects, Some(conn.id), conns, *now, &argv);
        }
        check_keyspace(e, &argv);
        // Virtual time moves on: not at all, a little, or past expiries
        // and blocking timeouts.
        let step_ms: u64 = *u.choose(&[0, 0, 1, 10, 100, 1_000, 60_000, 3_600_000])?;
        now.unix_us = now.unix_us.saturating_add(step_ms.saturating_mul(1000));
        if u.ratio(1u8, 8u8)? {
            let effects = e.tick(*now);
            apply_effects(e, &effects, None, conns, *now, &argv);
            check_keyspace(e, &argv);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_yields_commands_of_every_family() {
        let groups: std::collections::BTreeSet<&str> = choices()
            .iter()
            .map(|c| c.sub.unwrap_or(c.spec).doc.group)
            .collect();
        for want in ["string", "generic", "list", "hash", "set", "sorted-set"] {
            assert!(groups.contains(want), "{want} missing: {groups:?}");
        }
        assert!(
            !choices()
                .iter()
                .any(|c| c.spec.name == "shutdown"
                    || c.sub.is_some_and(|s| s.name.ends_with("sleep")))
        );
    }

    #[test]
    fn counts_are_capped_for_size_sensitive_commands_only() {
        let mut argv = vec![
            Bytes::from_static(b"SRANDMEMBER"),
            Bytes::from_static(b"k"),
            Bytes::from_static(b"-9223372036854775807"),
        ];
        cap_counts(&mut argv);
        assert_eq!(argv[2], "-1000");
        let mut argv = vec![
            Bytes::from_static(b"srandmember"),
            Bytes::from_static(b"k"),
            Bytes::from_static(b"-9223372036854775808"),
        ];
        cap_counts(&mut argv);
        assert_eq!(argv[2], "-9223372036854775808");
        let mut argv = vec![Bytes::from_static(b"INCRBY"), Bytes::from_static(b"5000")];
        cap_counts(&mut argv);
        assert_eq!(argv[1], "5000");
    }

    #[test]
    #[should_panic(expected = "empty list at key \"k0\"")]
    fn an_empty_container_is_caught() {
        let mut e = Engine::new(Config::default(), ServerInfo::default(), 1);
        let now = Time::from_ms(1_000);
        e.dbs[3].set(
            Bytes::from_static(b"k0"),
            Value::List(Default::default()),
            now,
        );
        check_keyspace(&e, &[]);
    }

    #[test]
    fn a_plain_session_passes_the_checks() {
        let mut e = Engine::new(Config::default(), ServerInfo::default(), 1);
        let now = Time::from_ms(1_000);
        let id = e.connect(ConnInfo::default(), now).expect("client");
        for cmd in [
            &["RPUSH", "k0", "a", "b"][..],
            &["LPOP", "k0", "5"],
            &["HSET", "k1", "f", "v"],
            &["HDEL", "k1", "f"],
        ] {
            let argv: Vec<Bytes> = cmd.iter().map(|a| Bytes::from(a.to_string())).collect();
            let out = e.execute(id, &argv, now);
            let reply = out.reply.expect("reply");
            check_encoding(&reply, Protocol::Resp2, &argv);
            check_encoding(&reply, Protocol::Resp3, &argv);
            check_keyspace(&e, &argv);
        }
        assert!(e.dbs[0].is_empty());
    }

    #[test]
    fn decoded_commands_name_real_commands() {
        let data: Vec<u8> = (0..4096u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        let mut u = Unstructured::new(&data);
        for _ in 0..50 {
            let argv = decode_command(&mut u).expect("enough input");
            let name = String::from_utf8_lossy(&argv[0]).to_string();
            assert!(all_commands().any(|s| s.name == name), "{name}");
            assert!(argv.len() <= MAX_ARGS + 2);
        }
    }
}
