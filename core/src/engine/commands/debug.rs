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
        Value::List(_) => 1,
        Value::Set(_) => 2,
        Value::ZSet(_) => 3,
        Value::Hash(_) => 4,
        Value::Stream(_) => 6,
    }
}

/// Mix a value (and whether its key has a TTL) into `d`, as Redis's
/// `xorObjectDigest`.
fn mix_value(d: &mut Digest20, v: &Value, has_ttl: bool) {
    mix_digest(d, &type_code(v).to_be_bytes());
    match v {
        Value::Str(s) => mix_digest(d, &s.to_bytes()),
        // A list mixes its elements head to tail.
        Value::List(l) => l.iter().for_each(|x| mix_digest(d, x)),
        // A set: every member XORed in (order-independent).
        Value::Set(set) => {
            for m in set.members() {
                xor_digest(d, &m);
            }
        }
        // A hash: per pair, mix field then value into a fresh digest, XOR that in.
        Value::Hash(hash) => {
            for (f, v) in hash.iter() {
                let mut ele = [0u8; 20];
                mix_digest(&mut ele, f);
                mix_digest(&mut ele, v);
                xor_digest(d, &ele);
            }
        }
        // A zset XORs in one digest per element: member, then `%.17g` score.
        Value::ZSet(z) => z.digest_items().for_each(|(m, s)| {
            let mut el = [0u8; 20];
            mix_digest(&mut el, &m);
            mix_digest(&mut el, s.as_bytes());
            xor_digest(d, &el);
        }),
        // A stream: per live entry, its ID as `ms.seq`, then each field
        // and value, all mixed in order (consumer groups are not part of it).
        Value::Stream(s) => {
            use crate::engine::types::stream::StreamId;
            for (id, fields) in s.range(StreamId::MIN, StreamId::MAX, false) {
                mix_digest(d, format!("{}.{}", id.ms, id.seq).as_bytes());
                for (f, v) in fields {
                    mix_digest(d, f);
                    mix_digest(d, v);
                }
            }
        }
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

/// A value's digest alone, independent of its encoding (DEBUG
/// DIGEST-VALUE's, without the TTL): equal values digest equally.
pub fn value_digest(v: &Value) -> Digest20 {
    let mut d = [0u8; 20];
    mix_value(&mut d, v, false);
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
        // Containers report their serialized length once RDB encoding exists.
        Value::List(_) | Value::Set(_) | Value::ZSet(_) | Value::Hash(_) | Value::Stream(_) => {
            (false, 0)
        }
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

/// DEBUG PROTOCOL: one reply of each RESP type, for client test suites.
/// Attribute and push replies, which travel before the real reply in RESP3,
/// are answered with the real reply alone: keyrs sends one reply per command.
fn protocol(e: &mut Engine, call: &Call<'_>) -> Reply {
    let resp3 = e.client_proto(call.client) == crate::resp::Protocol::Resp3;
    let t = call.arg(2);
    let is = |name: &str| t.eq_ignore_ascii_case(name.as_bytes());
    if is("string") {
        Reply::bulk_static(b"Hello World")
    } else if is("integer") {
        Reply::Integer(12345)
    } else if is("double") {
        // Redis's fixed test value, not an approximation of pi.
        #[allow(clippy::approx_constant)]
        Reply::Double(3.141)
    } else if is("bignum") {
        Reply::BigNumber("1234567999999999999999999999999999999".into())
    } else if is("null") {
        Reply::Nil
    } else if is("array") {
        Reply::Array((0..3).map(Reply::Integer).collect())
    } else if is("set") {
        Reply::Set((0..3).map(Reply::Integer).collect())
    } else if is("map") {
        Reply::Map(
            (0..3)
                .map(|i| (Reply::Integer(i), Reply::Bool(i == 1)))
                .collect(),
        )
    } else if is("attrib") {
        Reply::bulk_static(b"Some real reply following the attribute")
    } else if is("push") {
        if !resp3 {
            return Reply::err("RESP2 is not supported by this command");
        }
        Reply::bulk_static(b"Some real reply following the push reply")
    } else if is("verbatim") {
        Reply::Verbatim {
            format: *b"txt",
            text: bytes::Bytes::from_static(b"This is a verbatim\nstring"),
        }
    } else if is("true") {
        Reply::Bool(true)
    } else if is("false") {
        Reply::Bool(false)
    } else {
        Reply::err(
            "Wrong protocol type name. Please use one of the following: \
             string|integer|double|bignum|null|array|set|map|attrib|push|verbatim|true|false",
        )
    }
}

/// DEBUG POPULATE count [prefix] [size]: create `prefix:N` keys holding
/// `value:N` (cut or zero-padded to `size`), skipping keys that exist.
fn populate(e: &mut Engine, call: &Call<'_>) -> Reply {
    const NOT_POSITIVE: &str = "value is out of range, must be positive";
    let Some(count) = crate::resp::parse_i64(call.arg(2)).filter(|&n| n >= 0) else {
        return Reply::err(NOT_POSITIVE);
    };
    let prefix: &[u8] = call.argv.get(3).map_or(b"key", |p| &p[..]);
    let size = match call.argv.get(4) {
        None => 0,
        Some(a) => match crate::resp::parse_i64(a).filter(|&n| n >= 0) {
            Some(n) => n as usize,
            None => return Reply::err(NOT_POSITIVE),
        },
    };
    let db = &mut e.dbs[call.db];
    let mut num = itoa::Buffer::new();
    for j in 0..count {
        let n = num.format(j).as_bytes();
        let mut key = Vec::with_capacity(prefix.len() + 1 + n.len());
        key.extend_from_slice(prefix);
        key.push(b':');
        key.extend_from_slice(n);
        if db.lookup_no_touch(&key, call.now).is_some() {
            continue;
        }
        let mut val = Vec::with_capacity(6 + n.len());
        val.extend_from_slice(b"value:");
        val.extend_from_slice(n);
        if size > 0 {
            val.resize(size, 0);
        }
        db.set(
            bytes::Bytes::from(key),
            Value::string(bytes::Bytes::from(val)),
            call.now,
        );
    }
    Reply::ok()
}

const HELP: &[&str] = &[
    "DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "DIGEST",
    "    Output a hex signature representing the current DB content.",
    "DIGEST-VALUE <key> [<key> ...]",
    "    Output a hex signature of the values of all the specified keys.",
    "ERROR <string>",
    "    Return a Redis protocol error with <string> as message. Useful for clients",
    "    unit tests to simulate Redis errors.",
    "LOG <message>",
    "    Write <message> to the server log.",
    "OBJECT <key>",
    "    Show low level info about `key` and associated value.",
    "POPULATE <count> [<prefix>] [<size>]",
    "    Create <count> string keys named key:<num>. If <prefix> is specified then",
    "    it is used instead of the 'key' prefix. These are not propagated to",
    "    replicas. Cluster slots are not respected so keys not belonging to the",
    "    current node can be created in cluster mode.",
    "PROTOCOL <type>",
    "    Reply with a test value of the specified type. <type> can be: string,",
    "    integer, double, bignum, null, array, set, map, attrib, push, verbatim,",
    "    true, false.",
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
    } else if is("error") && argc == 3 {
        // The argument is the whole error line, code included.
        Reply::Error(String::from_utf8_lossy(call.arg(2)).into_owned().into())
    } else if is("log") && argc == 3 {
        tracing::warn!(message = %String::from_utf8_lossy(call.arg(2)), "DEBUG LOG");
        Reply::ok()
    } else if is("protocol") && argc == 3 {
        protocol(e, call)
    } else if is("populate") && (3..=5).contains(&argc) {
        populate(e, call)
    } else if is("reload") {
        reload(e, call)
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

/// DEBUG RELOAD [MERGE] [NOFLUSH] [NOSAVE]: the driver saves, empties and
/// loads the file back before the reply leaves (replacing it on failure).
fn reload(e: &mut Engine, call: &mut Call<'_>) -> Reply {
    let (mut save, mut flush) = (true, true);
    for opt in &call.argv[2..] {
        if opt.eq_ignore_ascii_case(b"merge") {
            // Duplicate keys replace the loaded ones either way.
        } else if opt.eq_ignore_ascii_case(b"noflush") {
            flush = false;
        } else if opt.eq_ignore_ascii_case(b"nosave") {
            save = false;
        } else {
            return Reply::err("DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.");
        }
    }
    e.request_persist(crate::persist::state::PersistRequest::Reload { save, flush });
    Reply::ok()
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
