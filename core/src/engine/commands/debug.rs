//! DEBUG: the test-suite's hooks (SLEEP, SET-ACTIVE-EXPIRE, OBJECT) and the
//! dataset digests (DIGEST, DIGEST-VALUE).
//!
//! The digests follow Redis's construction exactly, so a keyrs digest equals
//! redis-server's for the same data (the differential tests and the
//! simulator's convergence checker compare them):
//! - `xor(d, bytes)`: `d ^= SHA1(bytes)`;
//! - `mix(d, bytes)`: `xor(d, bytes)` then `d = SHA1(d)`;
//! - per key: `d = 0; mix(d, key)`, then the value digest: `mix(d, type as
//!   big-endian u32)`, the type's own mixing (a string: `mix(d, bytes)`), and
//!   `xor(d, "!!expire!!")` when the key has a TTL;
//! - the dataset: `f = 0`; for each non-empty db `i`, `mix(f, i as big-endian
//!   u32)` then `xor(f, d)` for every key (XOR: order-independent).

use sha1::{Digest as _, Sha1};

use super::client::help_reply;
use super::info::lru_clock;
use crate::engine::db::Db;
use crate::engine::table::{acl, flags, CommandDoc, CommandSpec};
use crate::engine::value::{StrValue, Value};
use crate::engine::{Call, Effect, Engine, Time};
use crate::resp::Reply;

/// A 20-byte SHA1-mixed digest.
pub type Digest20 = [u8; 20];

fn xor_digest(d: &mut Digest20, bytes: &[u8]) {
    let h = Sha1::digest(bytes);
    for (a, b) in d.iter_mut().zip(h.iter()) {
        *a ^= b;
    }
}

fn mix_digest(d: &mut Digest20, bytes: &[u8]) {
    xor_digest(d, bytes);
    let h = Sha1::digest(&d[..]);
    d.copy_from_slice(&h);
}

/// Redis's object type numbers, mixed into the digest.
fn type_code(v: &Value) -> u32 {
    match v {
        Value::Str(_) => 0,
    }
}

/// Mix a value (and whether its key has a TTL) into `d`, as Redis's
/// `xorObjectDigest`.
fn mix_value(d: &mut Digest20, v: &Value, has_ttl: bool) {
    mix_digest(d, &type_code(v).to_be_bytes());
    match v {
        Value::Str(s) => mix_digest(d, &s.to_bytes()),
    }
    if has_ttl {
        xor_digest(d, b"!!expire!!");
    }
}

/// The digest of one database's keys (without the db number).
fn key_digest(db: &Db, key: &[u8], v: &Value) -> Digest20 {
    let mut d = [0u8; 20];
    mix_digest(&mut d, key);
    mix_value(&mut d, v, db.expires.contains_key(key));
    d
}

/// DEBUG DIGEST of the whole dataset: all zeros when it is empty.
pub fn dataset_digest(e: &Engine) -> Digest20 {
    let mut f = [0u8; 20];
    for (i, db) in e.dbs.iter().enumerate() {
        if db.is_empty() {
            continue;
        }
        mix_digest(&mut f, &(i as u32).to_be_bytes());
        for (k, entry) in db.keys.iter() {
            xor_digest(&mut f, &key_digest(db, k, &entry.value));
        }
    }
    f
}

fn hex(d: &Digest20) -> String {
    d.iter().map(|b| format!("{b:02x}")).collect()
}

/// The longest prefix of `b` C's `strtod` would read, as f64 (0 if none).
fn strtod_prefix(b: &[u8]) -> f64 {
    let s = String::from_utf8_lossy(&b[..b.len().min(64)]);
    let s = s.trim_start();
    (1..=s.len())
        .rev()
        .filter(|&i| s.is_char_boundary(i))
        .find_map(|i| s[..i].parse::<f64>().ok())
        .unwrap_or(0.0)
}

/// C's `atoi`: optional sign and leading digits, 0 if none.
fn atoi(b: &[u8]) -> i64 {
    let s = String::from_utf8_lossy(b);
    let s = s.trim_start();
    let (neg, rest) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let mut n: i64 = 0;
    for c in rest.bytes().take_while(u8::is_ascii_digit) {
        n = n.saturating_mul(10).saturating_add(i64::from(c - b'0'));
    }
    if neg {
        -n
    } else {
        n
    }
}

/// Bytes of an RDB length prefix.
fn rdb_len_bytes(len: usize) -> usize {
    if len < 64 {
        1
    } else if len < 16384 {
        2
    } else if len <= u32::MAX as usize {
        5
    } else {
        9
    }
}

/// Bytes of an integer in RDB's compact integer encoding, if it fits.
fn rdb_int_bytes(n: i64) -> Option<usize> {
    if (-128..=127).contains(&n) {
        Some(2)
    } else if (-32768..=32767).contains(&n) {
        Some(3)
    } else if (i64::from(i32::MIN)..=i64::from(i32::MAX)).contains(&n) {
        Some(5)
    } else {
        None
    }
}

/// The RDB-serialized length of a string (DEBUG OBJECT serializedlength):
/// a compact integer when it is one, else LZF-compressed when longer than
/// 20 bytes and compression saves at least 4 bytes, else length + bytes.
fn serialized_len(s: &StrValue) -> usize {
    let b = s.to_bytes();
    if b.len() <= 11 {
        if let Some(n) = crate::resp::parse_i64(&b) {
            if let Some(len) = rdb_int_bytes(n) {
                return len;
            }
        }
    }
    if b.len() > 20 {
        if let Some(c) = crate::util::lzf::compress(&b, b.len() - 4) {
            return 1 + rdb_len_bytes(c.len()) + rdb_len_bytes(b.len()) + c.len();
        }
    }
    rdb_len_bytes(b.len()) + b.len()
}

/// Redis shares the integer objects 0..10000 (refcount INT_MAX, never
/// touched, so their LRU is the server start).
const SHARED_INTEGERS: i64 = 10000;

/// A stable stand-in for Redis's object address, derived from the key.
fn fake_address(key: &[u8]) -> u64 {
    // FNV-1a: only needs to be stable and look like a heap pointer.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in key {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    0x7f00_0000_0000 | (h & 0x00ff_ffff_fff0)
}

fn debug_object(e: &mut Engine, call: &Call<'_>, now: Time) -> Reply {
    let key = call.arg(2);
    let start = e.start_time.unwrap_or(now);
    let Some(entry) = e.dbs[call.db].lookup_no_touch(key, now) else {
        return Reply::err("no such key");
    };
    let (shared, ser) = match &entry.value {
        Value::Str(s) => (
            matches!(s, StrValue::Int(n) if (0..SHARED_INTEGERS).contains(n)),
            serialized_len(s),
        ),
    };
    let (refcount, lru) = if shared {
        (i32::MAX as i64, lru_clock(start))
    } else {
        (1, u64::from(entry.access_secs) & ((1 << 24) - 1))
    };
    // Idle time with the 24-bit clock's wrap-around, as Redis estimates it.
    let now_lru = lru_clock(now);
    let idle = if now_lru >= lru {
        now_lru - lru
    } else {
        now_lru + (1 << 24) - lru
    };
    Reply::Status(
        format!(
            "Value at:0x{:x} refcount:{} encoding:{} serializedlength:{} lru:{} lru_seconds_idle:{}",
            fake_address(key),
            refcount,
            entry.value.encoding(),
            ser,
            lru,
            idle
        )
        .into(),
    )
}

const HELP: &[&str] = &[
    "DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "DIGEST",
    "    Output a hex signature representing the current DB content.",
    "DIGEST-VALUE <key> [<key> ...]",
    "    Output a hex signature of the values of all the specified keys.",
    "OBJECT <key>",
    "    Show low level info about `key` and associated value.",
    "SET-ACTIVE-EXPIRE <0|1>",
    "    Setting it to 0 disables expiring keys in background when they are not",
    "    accessed (otherwise the Redis behavior). Setting it to 1 reenables back the",
    "    default.",
    "SLEEP <seconds>",
    "    Stop the server for <seconds>. Decimals allowed.",
    "HELP",
    "    Prints this help.",
];

fn debug(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    let sub = call.arg(1);
    let argc = call.argv.len();
    let is = |name: &str| sub.eq_ignore_ascii_case(name.as_bytes());
    if is("help") && argc == 2 {
        help_reply(HELP)
    } else if is("digest") && argc == 2 {
        Reply::Status(hex(&dataset_digest(e)).into())
    } else if is("digest-value") {
        let mut out = Vec::with_capacity(argc - 2);
        for key in &call.argv[2..] {
            let mut d = [0u8; 20];
            let db = &mut e.dbs[call.db];
            if db.lookup_no_touch(key, call.now).is_some() {
                let has_ttl = db.expires.contains_key(key);
                if let Some(entry) = db.keys.get(key) {
                    mix_value(&mut d, &entry.value, has_ttl);
                }
            }
            out.push(Reply::Status(hex(&d).into()));
        }
        Reply::Array(out)
    } else if is("object") && argc == 3 {
        let now = call.now;
        debug_object(e, call, now)
    } else if is("sleep") && argc == 3 {
        let secs = strtod_prefix(call.arg(2));
        let us = secs * 1_000_000.0;
        // Negative, NaN or infinite durations sleep not at all (Redis's
        // nanosleep fails on them the same way).
        if us.is_finite() && us >= 1.0 {
            call.effects.push(Effect::Sleep {
                duration_us: us.min(u64::MAX as f64) as u64,
            });
        }
        Reply::ok()
    } else if is("set-active-expire") && argc == 3 {
        e.active_expire_enabled = atoi(call.arg(2)) != 0;
        Reply::ok()
    } else {
        Reply::err(format!(
            "unknown subcommand or wrong number of arguments for '{}'. Try DEBUG HELP.",
            crate::engine::truncate_lossy(sub, 128)
        ))
    }
}

/// The DEBUG group's table.
pub const COMMANDS: &[CommandSpec] = &[CommandSpec {
    name: "debug",
    arity: -2,
    flags: flags::ADMIN | flags::NOSCRIPT | flags::LOADING | flags::STALE,
    acl: acl::ADMIN | acl::SLOW | acl::DANGEROUS,
    first_key: 0,
    last_key: 0,
    key_step: 0,
    handler: debug,
    subcommands: &[],
    doc: CommandDoc {
        summary: "A container for debugging commands",
        since: "1.0.0",
        group: "server",
        complexity: "Depends on subcommand.",
    },
}];

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;

    #[test]
    fn c_number_prefixes() {
        assert_eq!(strtod_prefix(b"0.5abc"), 0.5);
        assert_eq!(strtod_prefix(b"abc"), 0.0);
        assert_eq!(strtod_prefix(b"1e-3"), 0.001);
        assert_eq!(atoi(b"2"), 2);
        assert_eq!(atoi(b"x"), 0);
        assert_eq!(atoi(b" -7z"), -7);
    }

    #[test]
    fn serialized_lengths_match_redis() {
        // Verified with DEBUG OBJECT on redis-server 7.0.15.
        assert_eq!(serialized_len(&StrValue::new(Bytes::from_static(b"1"))), 2);
        assert_eq!(
            serialized_len(&StrValue::new(Bytes::from_static(b"200"))),
            3
        );
        assert_eq!(
            serialized_len(&StrValue::new(Bytes::from_static(b"70000"))),
            5
        );
        assert_eq!(
            serialized_len(&StrValue::new(Bytes::from_static(b"7000000000"))),
            11
        );
        assert_eq!(serialized_len(&StrValue::new(Bytes::from_static(b""))), 1);
        assert_eq!(serialized_len(&StrValue::new(Bytes::from_static(b"01"))), 3);
        assert_eq!(
            serialized_len(&StrValue::raw(Bytes::from_static(b"hellox"))),
            7
        );
    }

    /// The deterministic strings of the redis-server session: an LCG picks
    /// each byte from `alphabet`.
    fn lcg_string(seed: u64, len: usize, alphabet: &[u8]) -> Bytes {
        let mut x = seed;
        let mut out = Vec::with_capacity(len);
        for _ in 0..len {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            out.push(alphabet[((x >> 33) % alphabet.len() as u64) as usize]);
        }
        Bytes::from(out)
    }

    #[test]
    fn compressed_lengths_match_redis() {
        // (seed, length, alphabet, DEBUG OBJECT serializedlength on
        // redis-server 7.0.15).
        let cases: &[(u64, usize, &[u8], usize)] = &[
            (1, 21, b"ab", 22),
            (2, 40, b"abc", 36),
            (3, 100, b"abcdefgh", 102),
            (4, 300, b"0123456789", 299),
            (5, 1000, b"xyz ", 641),
            (6, 5000, b"abcdefghijklmnopqrstuvwxyz", 4940),
            (7, 20000, b"abcdefghijklmnopqrstuvwxyz", 18715),
            (8, 20000, b"ab", 10145),
            (9, 70000, b"abcdefghijklmnop", 50826),
        ];
        for &(seed, len, alphabet, want) in cases {
            let s = StrValue::raw(lcg_string(seed, len, alphabet));
            assert_eq!(serialized_len(&s), want, "seed {seed}");
        }
        let s = |b: Vec<u8>| StrValue::raw(Bytes::from(b));
        assert_eq!(serialized_len(&s(b"ab".repeat(5000))), 126);
        assert_eq!(serialized_len(&s(b"hello world ".repeat(100))), 36);
        assert_eq!(serialized_len(&s(b"x".repeat(65))), 13);
        assert_eq!(serialized_len(&s(b"12345678901234567890123".to_vec())), 21);
    }
}
