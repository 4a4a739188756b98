//! Differential tests: proptest-generated command sequences (valid and
//! invalid) sent to keyrs-server and to a real redis-server, raw reply bytes
//! compared. Nondeterministic replies are never generated (RANDOMKEY, TIME,
//! INFO, CLIENT LIST/ID, OBJECT IDLETIME/FREQ); order-free ones (KEYS, SCAN)
//! are compared sorted; TTLs of keys set moments apart on the two servers
//! are compared within a small bound. Timed expiries are far in the future
//! or already past, so the two servers never race a deadline.
//!
//! Without redis-server on PATH the test is skipped with a note, unless
//! `KEYRS_REQUIRE_REDIS=1`, when it fails.

use bytes::BytesMut;
use keyrs_core::resp::encoder::encode_to_vec;
use keyrs_core::resp::frame::FrameParser;
use keyrs_core::resp::{Protocol, Reply};
use keyrs_tests::{RawClient, Server};
use proptest::strategy::Strategy;
use proptest::test_runner::{Config, TestCaseError, TestRunner};

/// Sequences per run (each 1..=40 commands). `KEYRS_DIFF_CASES` overrides.
const CASES_DEFAULT: u32 = 1000;

/// Both servers, or `None` (after a note) when redis-server is missing and
/// not required.
fn servers() -> Option<(Server, Server)> {
    let redis = Server::start_redis(&[]);
    let Some(redis) = redis else {
        if std::env::var("KEYRS_REQUIRE_REDIS").is_ok_and(|v| v == "1") {
            panic!("redis-server is not on PATH and KEYRS_REQUIRE_REDIS=1");
        }
        println!("note: redis-server not on PATH, skipping the differential tests");
        return None;
    };
    Some((Server::start(&[]), redis))
}

/// A tiny deterministic generator: one proptest-drawn `u64` per command
/// expands into the command, so sequences shrink by dropping commands.
struct Gen(u64);

impl Gen {
    fn next(&mut self) -> u64 {
        // SplitMix64.
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }

    fn chance(&mut self, one_in: usize) -> bool {
        self.below(one_in) == 0
    }
}

const KEYS: &[&str] = &["k0", "k1", "k2", "k3", "num", "{t}a", "{t}b"];

/// Integers at and around every boundary the commands check.
const INTS: &[&str] = &[
    "0",
    "1",
    "-1",
    "2",
    "10",
    "-10",
    "100",
    "3",
    "17",
    "9223372036854775807",
    "9223372036854775808",
    "-9223372036854775808",
    "-9223372036854775809",
    "18446744073709551615",
    "2147483647",
    "4294967296",
    "1.5",
    "abc",
    "",
    " 1",
    "01",
    "+1",
    "-0",
    "1e3",
    "0x10",
];

/// Values: integers (shared/int encoding), floats, text around the 44-byte
/// embstr limit, binary.
fn value(g: &mut Gen) -> Vec<u8> {
    match g.below(9) {
        0..=2 => g.pick(INTS).as_bytes().to_vec(),
        3 => g
            .pick(&[
                "3.14",
                "-0.5",
                "1e10",
                "inf",
                "-inf",
                "nan",
                "0.1",
                "5.0e3",
                "1.23456789012345678",
            ])
            .as_bytes()
            .to_vec(),
        4 => vec![b'x'; 44],
        5 => vec![b'y'; 45],
        6 => vec![0, 255, b'\r', b'\n', b' ', b'"'],
        7 => g
            .pick(&[
                "hello",
                "world",
                "ohmytext",
                "mynewtext",
                "a",
                "",
                "foo bar",
            ])
            .as_bytes()
            .to_vec(),
        _ => format!("{}", g.next() % 1000).into_bytes(),
    }
}

/// Relative TTLs that are invalid, out of range or not positive: never a
/// small positive one, which could expire between the two servers' replies.
const BAD_TTLS: &[&str] = &[
    "0",
    "-1",
    "-10",
    "9223372036854775807",
    "9223372036854775808",
    "-9223372036854775808",
    "18446744073709551615",
    "9223372036854775",
    "9223372036854776",
    "1.5",
    "abc",
    "",
    "01",
    "+1",
    "-0",
    "1e3",
];

/// Seconds / milliseconds that never expire during a run, or are invalid.
fn ttl_arg(g: &mut Gen, ms: bool) -> String {
    match g.below(6) {
        0 => g.pick(BAD_TTLS).to_string(),
        1 => "0".to_string(),
        2 => "-5".to_string(),
        _ => {
            let secs = 1000 + g.below(100_000) as u64;
            if ms {
                (secs * 1000).to_string()
            } else {
                secs.to_string()
            }
        }
    }
}

/// An absolute unix time: long past, far future, or invalid.
fn at_arg(g: &mut Gen, ms: bool) -> String {
    match g.below(4) {
        0 => "1".to_string(),
        1 => g.pick(INTS).to_string(),
        _ => {
            let secs = 4_102_444_800u64 + g.below(1000) as u64; // 2100
            if ms {
                (secs * 1000).to_string()
            } else {
                secs.to_string()
            }
        }
    }
}

/// How a reply must be compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Compare {
    /// Byte for byte.
    Exact,
    /// Integers may differ by this much (remaining TTLs, expiry times of keys
    /// set moments apart); everything else exact.
    Within(i64),
    /// Arrays compared as sorted multisets (KEYS, SCAN's key list, set
    /// members in hashtable order).
    Sorted,
    /// Flat field/value (member/score) arrays or maps compared as sorted
    /// multisets of pairs (HGETALL, HSCAN, ZSCAN in hashtable order).
    Pairs,
    /// Random picks: errors exact, otherwise the same reply type and, for
    /// aggregates, the same length (SRANDMEMBER, HRANDFIELD, ZRANDMEMBER).
    Shape,
}

/// One random command and how to compare its reply: a string/keyspace
/// command half the time, else one of a container type (the same keys, so
/// wrong-type errors across all types come up).
fn command(seed: u64) -> (Vec<Vec<u8>>, Compare) {
    let mut g = Gen(seed);
    let (args, cmp) = match g.below(16) {
        0..=4 => return keyspace_command(g.next()),
        5 | 6 => list_command(&mut g),
        7 | 8 => hash_command(&mut g),
        9 | 10 => set_command(&mut g),
        11 | 12 => zset_command(&mut g),
        13 => bits_command(&mut g),
        14 => {
            if g.chance(2) {
                stream_command(&mut g)
            } else {
                geo_command(&mut g)
            }
        }
        _ => tx_command(&mut g),
    };
    let mut argv = args;
    // Wrong arity sometimes: the command cut short (random picks only to
    // the bare name: without their count they pick one at random, and SPOP
    // would leave the two servers with different sets).
    if g.chance(25) {
        let random = matches!(
            &argv[0][..],
            b"SPOP" | b"SRANDMEMBER" | b"HRANDFIELD" | b"ZRANDMEMBER"
        );
        let keep = if random { 1 } else { 1 + g.below(argv.len()) };
        argv.truncate(keep);
    }
    if g.chance(3) {
        argv[0] = argv[0].to_ascii_lowercase();
    }
    (argv, cmp)
}

/// One random string or keyspace command and how to compare its reply.
fn keyspace_command(seed: u64) -> (Vec<Vec<u8>>, Compare) {
    let mut g = Gen(seed);
    let g = &mut g;
    let key = |g: &mut Gen| g.pick(KEYS).to_string();
    let k = key(g);
    let mut cmp = Compare::Exact;
    let mut args: Vec<String>;
    let mut raw_value: Option<(usize, Vec<u8>)> = None;
    let words = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    match g.below(44) {
        0..=3 => {
            args = words(&["SET", &k, ""]);
            raw_value = Some((2, value(g)));
            for _ in 0..g.below(3) {
                match g.below(10) {
                    0 => args.extend(words(&["EX", &ttl_arg(g, false)])),
                    1 => args.extend(words(&["PX", &ttl_arg(g, true)])),
                    2 => args.extend(words(&["EXAT", &at_arg(g, false)])),
                    3 => args.extend(words(&["PXAT", &at_arg(g, true)])),
                    4 => args.push("NX".into()),
                    5 => args.push("XX".into()),
                    6 => args.push("GET".into()),
                    7 => args.push("KEEPTTL".into()),
                    8 => args.push("EX".into()),
                    _ => args.push("BOGUS".into()),
                }
            }
        }
        4..=6 => args = words(&["GET", &k]),
        7 => {
            args = words(&["INCR", &k]);
        }
        8 => args = words(&["DECR", &k]),
        9 => args = words(&["INCRBY", &k, g.pick(INTS)]),
        10 => args = words(&["DECRBY", &k, g.pick(INTS)]),
        11 => {
            let inc = g.pick(&[
                "1.5", "-2", "0.1", "1e308", "abc", "inf", "10", "-0.0", "3.0e2", "1e-5",
            ]);
            args = words(&["INCRBYFLOAT", &k, inc]);
        }
        12 => {
            args = words(&["APPEND", &k, ""]);
            raw_value = Some((2, value(g)));
        }
        13 => args = words(&["STRLEN", &k]),
        14 => {
            let a = g.pick(&[
                "0",
                "-1",
                "1",
                "3",
                "-3",
                "100",
                "-100",
                "abc",
                "9223372036854775807",
            ]);
            let b = g.pick(&[
                "0",
                "-1",
                "2",
                "5",
                "-2",
                "100",
                "-100",
                "x",
                "-9223372036854775808",
            ]);
            args = words(&[g.pick(&["GETRANGE", "SUBSTR"]), &k, a, b]);
        }
        15 => {
            let off = g.pick(&["0", "1", "5", "-1", "536870912", "536870911", "abc", "20"]);
            if off == "536870911" {
                // Would make both servers allocate 512 MB; keep it to the error path.
                args = words(&["SETRANGE", &k, off, ""]);
            } else {
                args = words(&["SETRANGE", &k, off, ""]);
                raw_value = Some((3, value(g)));
            }
        }
        16 => {
            args = words(&["GETSET", &k, ""]);
            raw_value = Some((2, value(g)));
        }
        17 => args = words(&["GETDEL", &k]),
        18 => {
            args = words(&["GETEX", &k]);
            match g.below(7) {
                0 => args.extend(words(&["EX", &ttl_arg(g, false)])),
                1 => args.extend(words(&["PX", &ttl_arg(g, true)])),
                2 => args.extend(words(&["EXAT", &at_arg(g, false)])),
                3 => args.extend(words(&["PXAT", &at_arg(g, true)])),
                4 => args.push("PERSIST".into()),
                5 => args.push("EX".into()),
                _ => {}
            }
        }
        19 => {
            let n = 1 + g.below(3);
            args = vec![g.pick(&["MSET", "MSETNX"]).to_string()];
            for _ in 0..n {
                args.push(key(g));
                args.push(g.pick(INTS).to_string());
            }
            if g.chance(5) {
                args.pop();
            }
        }
        20 => {
            args = vec!["MGET".into()];
            for _ in 0..1 + g.below(4) {
                args.push(key(g));
            }
        }
        21 => {
            args = words(&[g.pick(&["SETNX", "SETEX", "PSETEX"]), &k]);
            if args[0] != "SETNX" {
                let ms = args[0] == "PSETEX";
                args.push(ttl_arg(g, ms));
            }
            args.push(String::new());
            raw_value = Some((args.len() - 1, value(g)));
        }
        22 => {
            args = vec![g.pick(&["DEL", "UNLINK", "EXISTS", "TOUCH"]).to_string()];
            for _ in 0..1 + g.below(3) {
                args.push(key(g));
            }
        }
        23 => args = words(&["TYPE", &k]),
        24 => {
            let secs = g.chance(2);
            let cmd = g.pick(if secs {
                &["EXPIRE", "EXPIREAT"]
            } else {
                &["PEXPIRE", "PEXPIREAT"]
            });
            let t = if cmd.ends_with("AT") {
                at_arg(g, !secs)
            } else {
                ttl_arg(g, !secs)
            };
            args = words(&[cmd, &k, &t]);
            if g.chance(2) {
                args.push(g.pick(&["NX", "XX", "GT", "LT", "nx", "BAD"]).into());
            }
            if g.chance(6) {
                args.push(g.pick(&["NX", "XX", "GT", "LT"]).into());
            }
        }
        25 => {
            let cmd = g.pick(&["TTL", "PTTL", "EXPIRETIME", "PEXPIRETIME"]);
            args = words(&[cmd, &k]);
            cmp = Compare::Within(if cmd.starts_with('P') { 1500 } else { 2 });
        }
        26 => args = words(&["PERSIST", &k]),
        27 => args = words(&["DBSIZE"]),
        28 => {
            args = words(&[
                "KEYS",
                g.pick(&["*", "k*", "{t}*", "k[0-1]", "?1", "*[", "\\*", "nomatch"]),
            ]);
            cmp = Compare::Sorted;
        }
        29 => {
            // Only cursor 0 (or junk): which keys a mid-table cursor such as
            // "-1" (read as 2^64-1) returns depends on hash seeds.
            args = words(&["SCAN", g.pick(&["0", "0", "abc", "1.5"]), "COUNT", "1000"]);
            if g.chance(2) {
                args.extend(words(&["MATCH", g.pick(&["*", "k*", "{t}?"])]));
            }
            if g.chance(4) {
                args.extend(words(&[
                    "TYPE",
                    g.pick(&["string", "list", "hash", "set", "zset", "nosuchtype"]),
                ]));
            }
            if g.chance(8) {
                args.push("COUNT".into());
            }
            cmp = Compare::Sorted;
        }
        30 => args = words(&[g.pick(&["RENAME", "RENAMENX"]), &k, &key(g)]),
        31 => {
            args = words(&["COPY", &k, &key(g)]);
            if g.chance(2) {
                args.extend(words(&["DB", g.pick(&["0", "1", "16", "-1", "x"])]));
            }
            if g.chance(2) {
                args.push("REPLACE".into());
            }
        }
        32 => args = words(&["MOVE", &k, g.pick(&["0", "1", "2", "16", "-1", "abc"])]),
        33 => {
            args = words(&[
                "SELECT",
                g.pick(&["0", "1", "0", "1", "15", "16", "-1", "abc"]),
            ])
        }
        34 => {
            args = words(&[
                "SWAPDB",
                g.pick(&["0", "1", "16", "x"]),
                g.pick(&["0", "1", "2"]),
            ])
        }
        35 => args = words(&[g.pick(&["FLUSHDB", "FLUSHALL"])]),
        36 => {
            args = words(&[
                "OBJECT",
                g.pick(&["ENCODING", "encoding", "REFCOUNT", "NOPE"]),
                &k,
            ]);
        }
        37 => {
            args = words(&["LCS", &k, &key(g)]);
            match g.below(4) {
                0 => args.push("LEN".into()),
                1 => args.extend(words(&["IDX", "WITHMATCHLEN"])),
                2 => args.extend(words(&["IDX", "MINMATCHLEN", g.pick(&["0", "2", "x"])])),
                _ => {}
            }
        }
        38 => {
            args = words(&["ECHO", ""]);
            raw_value = Some((1, value(g)));
        }
        39 => args = words(&["PING"]),
        40 => args = words(&["NOSUCHCOMMAND", &k]),
        // Wrong arity: a valid command with its arguments cut short.
        _ => {
            let (full, cmp) = keyspace_command(g.next());
            let keep = g.below(full.len().max(1));
            return (full[..keep.max(1)].to_vec(), cmp);
        }
    }
    let mut argv: Vec<Vec<u8>> = args.into_iter().map(String::into_bytes).collect();
    if let Some((i, v)) = raw_value {
        argv[i] = v;
    }
    // Command names are case-insensitive: vary the case.
    if g.chance(3) {
        argv[0] = argv[0].to_ascii_lowercase();
    }
    (argv, cmp)
}

fn parse(bytes: &[u8]) -> Option<Reply> {
    FrameParser::default()
        .next_frame(&mut BytesMut::from(bytes))
        .ok()
        .flatten()
}

fn sort_arrays(r: Reply) -> Reply {
    match r {
        Reply::Array(items) | Reply::Set(items) => {
            let mut items: Vec<Reply> = items.into_iter().map(sort_arrays).collect();
            items.sort_by_key(|r| format!("{r:?}"));
            Reply::Array(items)
        }
        other => other,
    }
}

/// A flat `[k1, v1, k2, v2, ...]` array (RESP2), a map (RESP3), or an array
/// of `[k, v]` pairs (RESP3 WITHSCORES/WITHVALUES), as sorted pairs.
fn sorted_pairs(r: Reply) -> Reply {
    let mut pairs: Vec<(Reply, Reply)> = match r {
        Reply::Map(p) => p,
        Reply::Array(items)
            if items
                .iter()
                .all(|i| matches!(i, Reply::Array(p) if p.len() == 2)) =>
        {
            items
                .into_iter()
                .filter_map(|i| match i {
                    Reply::Array(mut p) => {
                        let v = p.pop()?;
                        Some((p.pop()?, v))
                    }
                    _ => None,
                })
                .collect()
        }
        Reply::Array(items) if items.len() % 2 == 0 => {
            let mut it = items.into_iter();
            let mut out = Vec::new();
            while let (Some(k), Some(v)) = (it.next(), it.next()) {
                out.push((k, v));
            }
            out
        }
        other => return other,
    };
    pairs.sort_by_key(|p| format!("{p:?}"));
    Reply::Map(pairs)
}

/// The outline of a reply: its type, and the length of an aggregate.
fn shape(r: &Reply) -> String {
    match r {
        Reply::Array(v) | Reply::Set(v) => format!("array {}", v.len()),
        Reply::Map(p) => format!("map {}", p.len()),
        Reply::Error(e) => format!("error {e}"),
        Reply::Integer(i) => format!("integer {i}"),
        other => format!("{:?}", std::mem::discriminant(other)),
    }
}

/// Do two raw replies agree under `cmp`?
fn agree(cmp: Compare, ours: &[u8], theirs: &[u8]) -> bool {
    if ours == theirs {
        return true;
    }
    // A [cursor, elements] SCAN-family reply: the cursor exact.
    let scan_split = |v: &[Reply]| -> Option<(Reply, Reply)> {
        match v {
            [cursor @ Reply::Bulk(_), list @ Reply::Array(_)] => {
                Some((cursor.clone(), list.clone()))
            }
            _ => None,
        }
    };
    match (cmp, parse(ours), parse(theirs)) {
        (Compare::Within(d), Some(Reply::Integer(a)), Some(Reply::Integer(b))) => {
            a >= 0 && b >= 0 && (a - b).abs() <= d
        }
        (
            Compare::Sorted,
            Some(a @ (Reply::Array(_) | Reply::Set(_))),
            Some(b @ (Reply::Array(_) | Reply::Set(_))),
        ) => {
            // Same aggregate type on the wire, then the same multiset.
            if ours.first() != theirs.first() {
                return false;
            }
            let norm = |r: Reply| -> Reply {
                match r {
                    Reply::Array(v) => match scan_split(&v) {
                        Some((cursor, list)) => Reply::Array(vec![cursor, sort_arrays(list)]),
                        None => sort_arrays(Reply::Array(v)),
                    },
                    other => sort_arrays(other),
                }
            };
            norm(a) == norm(b)
        }
        (Compare::Pairs, Some(a), Some(b)) => {
            if ours.first() != theirs.first() {
                return false;
            }
            let norm = |r: Reply| -> Reply {
                match r {
                    Reply::Array(v) => match scan_split(&v) {
                        Some((cursor, list)) => Reply::Array(vec![cursor, sorted_pairs(list)]),
                        None => sorted_pairs(Reply::Array(v)),
                    },
                    other => sorted_pairs(other),
                }
            };
            norm(a) == norm(b)
        }
        (Compare::Shape, Some(a), Some(b)) => {
            ours.first() == theirs.first()
                && !matches!(a, Reply::Error(_))
                && shape(&a) == shape(&b)
        }
        _ => false,
    }
}

/// Do two EXEC replies agree, each queued command's reply under its own
/// comparison?
fn agree_exec(cmps: &[Compare], resp3: bool, ours: &[u8], theirs: &[u8]) -> bool {
    if ours == theirs {
        return true;
    }
    let proto = if resp3 {
        Protocol::Resp3
    } else {
        Protocol::Resp2
    };
    match (parse(ours), parse(theirs)) {
        (Some(Reply::Array(a)), Some(Reply::Array(b)))
            if a.len() == b.len() && a.len() == cmps.len() =>
        {
            a.iter().zip(&b).zip(cmps).all(|((x, y), cmp)| {
                agree(*cmp, &encode_to_vec(x, proto), &encode_to_vec(y, proto))
            })
        }
        _ => false,
    }
}

fn show(argv: &[Vec<u8>]) -> String {
    argv.iter()
        .map(|a| format!("{:?}", String::from_utf8_lossy(a)))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Reset both servers to an empty keyspace with db 0 selected, speaking
/// RESP3 or RESP2, out of any transaction or watch.
fn reset(conns: &mut [&mut RawClient; 2], resp3: bool) -> Result<(), TestCaseError> {
    for c in conns.iter_mut() {
        // Errors when not in MULTI; either way no transaction is left.
        for cmd in [&b"DISCARD"[..], b"UNWATCH"] {
            c.call(&[cmd])
                .map_err(|e| TestCaseError::fail(e.to_string()))?;
        }
        let hello: &[&[u8]] = &[b"HELLO", if resp3 { b"3" } else { b"2" }];
        let r = c
            .call(hello)
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        let want = if resp3 { b'%' } else { b'*' };
        if r.first() != Some(&want) {
            return Err(TestCaseError::fail(format!(
                "HELLO: {:?}",
                String::from_utf8_lossy(&r)
            )));
        }
        for cmd in [&[&b"FLUSHALL"[..]][..], &[b"SELECT", b"0"]] {
            let r = c
                .call(cmd)
                .map_err(|e| TestCaseError::fail(e.to_string()))?;
            if r != b"+OK\r\n" {
                return Err(TestCaseError::fail(format!(
                    "reset: {:?}",
                    String::from_utf8_lossy(&r)
                )));
            }
        }
    }
    Ok(())
}

/// What the run compared, so a run that silently compared nothing fails.
#[derive(Debug, Default)]
struct Tally {
    commands: usize,
    pipelined: usize,
    resp3: usize,
    errors: usize,
    bulks: usize,
    /// Non-empty arrays, maps and sets.
    aggregates: usize,
}

/// Run one sequence on both servers: one command at a time, or (when
/// `pipelined`) all of it in a single write, replies read afterwards, which
/// exercises the server's batching of queued commands.
fn run_sequence(
    ours: &mut RawClient,
    theirs: &mut RawClient,
    seeds: &[u64],
    pipelined: bool,
    resp3: bool,
    tally: &mut Tally,
) -> Result<(), TestCaseError> {
    reset(&mut [&mut *ours, &mut *theirs], resp3)?;
    let commands: Vec<(Vec<Vec<u8>>, Compare)> = seeds.iter().map(|&s| command(s)).collect();
    let io = |who: &str, e: std::io::Error| TestCaseError::fail(format!("{who}: {e}"));
    let (replies_ours, replies_theirs) = if pipelined {
        let mut wire = Vec::new();
        for (argv, _) in &commands {
            let args: Vec<&[u8]> = argv.iter().map(Vec::as_slice).collect();
            wire.extend(keyrs_tests::raw::encode_command(&args));
        }
        ours.send(&wire).map_err(|e| io("keyrs", e))?;
        theirs.send(&wire).map_err(|e| io("redis", e))?;
        (
            ours.read_replies(commands.len())
                .map_err(|e| io("keyrs", e))?,
            theirs
                .read_replies(commands.len())
                .map_err(|e| io("redis", e))?,
        )
    } else {
        let mut a_all = Vec::new();
        let mut b_all = Vec::new();
        for (argv, _) in &commands {
            let args: Vec<&[u8]> = argv.iter().map(Vec::as_slice).collect();
            a_all.push(ours.call(&args).map_err(|e| io("keyrs", e))?);
            b_all.push(theirs.call(&args).map_err(|e| io("redis", e))?);
        }
        (a_all, b_all)
    };
    let mut log = Vec::new();
    // Inside MULTI: how each queued command's reply compares within EXEC's.
    let mut queued: Option<Vec<Compare>> = None;
    for (((argv, cmp), a), b) in commands.iter().zip(&replies_ours).zip(&replies_theirs) {
        log.push(show(argv));
        if std::env::var("KEYRS_DIFF_VERBOSE").is_ok() {
            println!("{} -> {:?}", show(argv), String::from_utf8_lossy(b));
        }
        tally.commands += 1;
        tally.pipelined += usize::from(pipelined);
        tally.resp3 += usize::from(resp3);
        tally.errors += usize::from(b.first() == Some(&b'-'));
        tally.bulks += usize::from(b.first() == Some(&b'$') && b.get(1) != Some(&b'-'));
        tally.aggregates += usize::from(
            matches!(b.first(), Some(b'*' | b'%' | b'~')) && !matches!(b.get(1), Some(b'-' | b'0')),
        );
        let name = argv[0].to_ascii_uppercase();
        let same = match (&name[..], &queued) {
            (b"EXEC", Some(cmps)) => agree_exec(cmps, resp3, a, b),
            _ => agree(*cmp, a, b),
        };
        match &name[..] {
            b"MULTI" if b == b"+OK\r\n" => queued = Some(Vec::new()),
            b"EXEC" | b"DISCARD" => queued = None,
            _ => {
                if let Some(cmps) = &mut queued {
                    if b == b"+QUEUED\r\n" {
                        cmps.push(*cmp);
                    }
                }
            }
        }
        if !same {
            return Err(TestCaseError::fail(format!(
                "replies differ ({}, {}) after:\n  {}\nkeyrs: {:?}\nredis: {:?}",
                if pipelined { "pipelined" } else { "one by one" },
                if resp3 { "RESP3" } else { "RESP2" },
                log.join("\n  "),
                String::from_utf8_lossy(a),
                String::from_utf8_lossy(b)
            )));
        }
    }
    Ok(())
}

#[test]
fn random_command_sequences_match_redis() {
    let Some((keyrs, redis)) = servers() else {
        return;
    };
    // The runner wants an `Fn`: the connections live in RefCells.
    let ours = std::cell::RefCell::new(keyrs.raw());
    let theirs = std::cell::RefCell::new(redis.raw());
    let cases = std::env::var("KEYRS_DIFF_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(CASES_DEFAULT);
    let config = Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    };
    let mut runner = TestRunner::new(config);
    let strategy = (
        proptest::collection::vec(proptest::num::u64::ANY, 1..=40),
        proptest::bool::ANY,
        proptest::bool::weighted(0.3),
    )
        .boxed();
    let tally = std::cell::RefCell::new(Tally::default());
    let result = runner.run(&strategy, |(seeds, pipelined, resp3)| {
        run_sequence(
            &mut ours.borrow_mut(),
            &mut theirs.borrow_mut(),
            &seeds,
            pipelined,
            resp3,
            &mut tally.borrow_mut(),
        )
    });
    if let Err(e) = result {
        panic!("{e}");
    }
    let tally = tally.into_inner();
    println!("differential: {cases} sequences, {tally:?}");
    assert!(tally.commands >= cases as usize * 5, "{tally:?}");
    assert!(
        tally.errors > tally.commands / 20,
        "too few error replies: {tally:?}"
    );
    assert!(
        tally.bulks > tally.commands / 40,
        "too few bulk replies: {tally:?}"
    );
    assert!(
        tally.aggregates > tally.commands / 40,
        "too few non-empty aggregate replies: {tally:?}"
    );
}

#[test]
fn generator_covers_every_command_family() {
    let mut names = std::collections::BTreeSet::new();
    for seed in 0..5000u64 {
        let (argv, _) = command(seed);
        assert!(!argv.is_empty());
        names.insert(String::from_utf8_lossy(&argv[0]).to_ascii_uppercase());
    }
    for want in [
        "SET",
        "GETEX",
        "LCS",
        "SCAN",
        "EXPIRE",
        "SWAPDB",
        "INCRBYFLOAT",
        "NOSUCHCOMMAND",
        "LPUSH",
        "LPOS",
        "LMPOP",
        "HSET",
        "HINCRBYFLOAT",
        "HRANDFIELD",
        "SADD",
        "SINTERCARD",
        "SPOP",
        "ZADD",
        "ZRANGE",
        "ZUNIONSTORE",
        "ZRANDMEMBER",
        "SETBIT",
        "BITFIELD",
        "PFADD",
        "PFMERGE",
        "XADD",
        "XREADGROUP",
        "MULTI",
        "EXEC",
        "WATCH",
        "BLMOVE",
        "BZPOPMIN",
    ] {
        assert!(names.contains(want), "{want} never generated: {names:?}");
    }
}

// ---- container types ---------------------------------------------------

/// Members / fields / list elements: small integers (intset, integer
/// listpack entries), strings, one past the 64-byte listpack value limit,
/// binary, empty.
fn member(g: &mut Gen) -> Vec<u8> {
    match g.below(12) {
        0..=3 => g.pick(&["a", "b", "c", "d", "hello", "x y"]).into(),
        4..=6 => g
            .pick(&["1", "2", "3", "-5", "100", "0", "10", "007", "-0"])
            .into(),
        7 => g
            .pick(&[
                "9223372036854775807",
                "-9223372036854775808",
                "9223372036854775808",
                "4294967296",
                "65536",
                "1.5",
            ])
            .into(),
        8 => vec![b'v'; 64],
        9 => vec![b'w'; 65],
        10 => vec![0, 255, b'\r', b'\n'],
        _ => Vec::new(),
    }
}

/// Counts, indexes and ranks: small, boundary and invalid.
const COUNTS: &[&str] = &[
    "0",
    "1",
    "2",
    "3",
    "-1",
    "-2",
    "-3",
    "5",
    "-5",
    "100",
    "-100",
    "1000",
    "9223372036854775807",
    "-9223372036854775808",
    "9223372036854775808",
    "abc",
    "1.5",
    "",
];

/// Scores and score-like arguments (valid and invalid).
const SCORES: &[&str] = &[
    "0", "1", "-1", "1.5", "2", "3", "-2.5", "100", "1e10", "inf", "-inf", "+inf", "nan", "1e400",
    "abc", "", "0x10", "5e-324", "0.1", "-0",
];

/// ZRANGEBYSCORE-style bounds.
const SCORE_BOUNDS: &[&str] = &[
    "-inf", "+inf", "inf", "0", "1", "(1", "2", "(2", "-1", "1.5", "(", "abc", "nan", "(nan",
    "100", "(-inf", "3",
];

/// ZRANGEBYLEX-style bounds.
const LEX_BOUNDS: &[&str] = &[
    "-", "+", "[a", "(a", "[c", "(c", "[", "(", "a", "[hello", "+inf",
];

fn words(v: &[&str]) -> Vec<Vec<u8>> {
    v.iter().map(|s| s.as_bytes().to_vec()).collect()
}

/// The keys a family's commands prefer (three times in four), so values
/// grow and meet their own kind; any key otherwise, for wrong-type errors.
/// Sets and zsets share some, as ZUNION and friends read plain sets.
#[derive(Clone, Copy)]
enum Family {
    List,
    Hash,
    Set,
    ZSet,
}

fn key_in(g: &mut Gen, family: Family) -> Vec<u8> {
    if g.chance(4) {
        return g.pick(KEYS).into();
    }
    let own: &[&str] = match family {
        Family::List => &["k0", "{t}a"],
        Family::Hash => &["k1", "{t}b"],
        Family::Set => &["k2", "{t}a", "k3"],
        Family::ZSet => &["k3", "{t}b", "k2"],
    };
    g.pick(own).into()
}

/// What a variadic command's members come with.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Members {
    /// Members alone (SADD, LPUSH, SREM).
    Plain,
    /// Field then value (HSET).
    Fields,
    /// Score then member (ZADD).
    Scored,
}

/// Append 1..=max members, or (rarely) enough to pass the listpack /
/// intset limits (129 strings, 513 integers) so conversions are compared.
fn push_members(g: &mut Gen, argv: &mut Vec<Vec<u8>>, max: usize, kind: Members) {
    if g.chance(40) {
        // 513 integers only as plain members: more than 500 pairs would not
        // fit one HSCAN/ZSCAN COUNT 1000 call, and where a partial scan of a
        // hashtable stops depends on hash seeds.
        let ints = kind == Members::Plain && g.chance(2);
        let n = if ints { 513 } else { 129 };
        for i in 0..n {
            let m = if ints {
                i.to_string().into_bytes()
            } else {
                format!("m{i}").into_bytes()
            };
            match kind {
                Members::Plain => argv.push(m),
                Members::Fields => {
                    argv.push(m);
                    argv.push(member(g));
                }
                Members::Scored => {
                    argv.push(score(g));
                    argv.push(m);
                }
            }
        }
        return;
    }
    for _ in 0..1 + g.below(max) {
        match kind {
            Members::Plain => argv.push(member(g)),
            Members::Fields => {
                argv.push(member(g));
                argv.push(member(g));
            }
            Members::Scored => {
                argv.push(score(g));
                argv.push(member(g));
            }
        }
    }
}

/// One list command. Lists are ordered: every reply compares exactly.
fn list_command(g: &mut Gen) -> (Vec<Vec<u8>>, Compare) {
    let k = key_in(g, Family::List);
    let mut argv: Vec<Vec<u8>>;
    match g.below(22) {
        0..=3 => {
            argv = words(&[g.pick(&["LPUSH", "RPUSH", "LPUSHX", "RPUSHX"])]);
            argv.push(k);
            push_members(g, &mut argv, 4, Members::Plain);
        }
        4 | 5 => {
            argv = words(&[g.pick(&["LPOP", "RPOP"])]);
            argv.push(k);
            if g.chance(2) {
                argv.push(g.pick(COUNTS).into());
            }
        }
        6 => argv = vec![b"LLEN".to_vec(), k],
        7 | 8 => {
            argv = vec![b"LRANGE".to_vec(), k];
            argv.push(g.pick(COUNTS).into());
            argv.push(g.pick(COUNTS).into());
        }
        9 => argv = vec![b"LINDEX".to_vec(), k, g.pick(COUNTS).into()],
        10 => argv = vec![b"LSET".to_vec(), k, g.pick(COUNTS).into(), member(g)],
        11 => {
            argv = vec![b"LINSERT".to_vec(), k];
            argv.push(g.pick(&["BEFORE", "AFTER", "before", "MIDDLE"]).into());
            argv.push(member(g));
            argv.push(member(g));
        }
        12 => argv = vec![b"LREM".to_vec(), k, g.pick(COUNTS).into(), member(g)],
        13 => {
            argv = vec![b"LTRIM".to_vec(), k];
            argv.push(g.pick(COUNTS).into());
            argv.push(g.pick(COUNTS).into());
        }
        14 | 15 => {
            argv = vec![b"LPOS".to_vec(), k, member(g)];
            for _ in 0..g.below(4) {
                argv.push(g.pick(&["RANK", "COUNT", "MAXLEN", "BOGUS"]).into());
                argv.push(g.pick(COUNTS).into());
            }
        }
        16 => {
            argv = vec![b"LMOVE".to_vec(), k, key_in(g, Family::List)];
            argv.push(g.pick(&["LEFT", "RIGHT", "left", "UP"]).into());
            argv.push(g.pick(&["LEFT", "RIGHT", "right"]).into());
        }
        17 => argv = vec![b"RPOPLPUSH".to_vec(), k, key_in(g, Family::List)],
        18 => {
            let n = 1 + g.below(3);
            argv = vec![b"LMPOP".to_vec()];
            argv.push(
                g.pick(&["1", "2", "3", "0", "-1", "abc"])
                    .replace('1', &n.to_string())
                    .into(),
            );
            argv.push(k);
            for _ in 1..n {
                argv.push(key_in(g, Family::List));
            }
            argv.push(g.pick(&["LEFT", "RIGHT", "MIDDLE"]).into());
            if g.chance(2) {
                argv.push(b"COUNT".to_vec());
                argv.push(g.pick(COUNTS).into());
            }
        }
        19 | 20 => {
            // Blocking forms: served at once when there is data, otherwise
            // both servers time out after 10 ms (or refuse a bad timeout).
            argv = vec![g
                .pick(&["BLPOP", "BRPOP", "BRPOPLPUSH", "BLMOVE", "BLMPOP"])
                .into()];
            let timeout = g.pick(&[
                "0.01", "0.01", "0.01", "-1", "abc", "inf", "nan", "1e400", "1e5000",
            ]);
            match &argv[0][..] {
                b"BLPOP" | b"BRPOP" => {
                    argv.push(k);
                    if g.chance(2) {
                        argv.push(key_in(g, Family::List));
                    }
                    argv.push(timeout.into());
                }
                b"BRPOPLPUSH" => {
                    argv.push(k);
                    argv.push(key_in(g, Family::List));
                    argv.push(timeout.into());
                }
                b"BLMOVE" => {
                    argv.push(k);
                    argv.push(key_in(g, Family::List));
                    argv.push(g.pick(&["LEFT", "RIGHT"]).into());
                    argv.push(g.pick(&["LEFT", "RIGHT", "UP"]).into());
                    argv.push(timeout.into());
                }
                _ => {
                    argv.push(timeout.into());
                    argv.push(b"1".to_vec());
                    argv.push(k);
                    argv.push(g.pick(&["LEFT", "RIGHT"]).into());
                }
            }
        }
        _ => {
            argv = vec![g.pick(&["TYPE", "OBJECT", "EXISTS"]).into(), k.clone()];
            if argv[0] == b"OBJECT" {
                argv.insert(1, b"ENCODING".to_vec());
            }
        }
    }
    (argv, Compare::Exact)
}

/// One hash command. Listing replies are compared as multisets of pairs:
/// their order in a hashtable encoding depends on hash seeds.
fn hash_command(g: &mut Gen) -> (Vec<Vec<u8>>, Compare) {
    let k = key_in(g, Family::Hash);
    let mut cmp = Compare::Exact;
    let mut argv: Vec<Vec<u8>>;
    match g.below(20) {
        0..=3 => {
            argv = words(&[g.pick(&["HSET", "HMSET", "HSET"])]);
            argv.push(k);
            push_members(g, &mut argv, 3, Members::Fields);
            if g.chance(10) {
                argv.pop();
            }
        }
        4 => argv = vec![b"HSETNX".to_vec(), k, member(g), member(g)],
        5 | 6 => argv = vec![b"HGET".to_vec(), k, member(g)],
        7 => {
            argv = vec![b"HMGET".to_vec(), k];
            for _ in 0..1 + g.below(3) {
                argv.push(member(g));
            }
        }
        8 => {
            argv = vec![b"HDEL".to_vec(), k];
            for _ in 0..1 + g.below(3) {
                argv.push(member(g));
            }
        }
        9 => argv = vec![g.pick(&["HLEN", "HKEYS", "HVALS", "HGETALL"]).into(), k],
        10 => argv = vec![g.pick(&["HSTRLEN", "HEXISTS"]).into(), k, member(g)],
        11 => argv = vec![b"HINCRBY".to_vec(), k, member(g), g.pick(INTS).into()],
        12 => {
            argv = vec![b"HINCRBYFLOAT".to_vec(), k, member(g)];
            argv.push(g.pick(SCORES).into());
        }
        13 | 14 => {
            argv = vec![b"HRANDFIELD".to_vec(), k];
            if g.chance(4) {
                // One random field: only its presence is comparable.
                cmp = Compare::Shape;
            } else {
                let count = g.pick(&["1000", "0", "-3", "2", "abc", "-9223372036854775808"]);
                argv.push(count.into());
                let withvalues = g.chance(2);
                if withvalues {
                    argv.push(b"WITHVALUES".to_vec());
                }
                cmp = match count {
                    "1000" if withvalues => Compare::Pairs,
                    "1000" => Compare::Sorted,
                    _ => Compare::Shape,
                };
            }
        }
        15 => {
            argv = words(&["HSCAN", "", "0"]);
            argv[1] = k;
            argv[2] = g.pick(&["0", "0", "abc", "-1x"]).into();
            argv.extend(words(&["COUNT", "1000"]));
            if g.chance(3) {
                argv.push(b"MATCH".to_vec());
                argv.push(g.pick(&["*", "a*", "?", "[0-9]*"]).into());
            }
            if g.chance(6) {
                argv.extend(words(&["COUNT", g.pick(&["0", "-1", "x"])]));
            }
            cmp = Compare::Pairs;
        }
        _ => {
            argv = vec![b"HGETALL".to_vec(), k];
            cmp = Compare::Pairs;
        }
    }
    if matches!(&argv[0][..], b"HKEYS" | b"HVALS") {
        cmp = Compare::Sorted;
    } else if argv[0] == b"HGETALL" {
        cmp = Compare::Pairs;
    }
    (argv, cmp)
}

/// One set command. Member listings compare as multisets; random picks
/// only by shape (SPOP only pops everything, so both servers stay equal).
fn set_command(g: &mut Gen) -> (Vec<Vec<u8>>, Compare) {
    let k = key_in(g, Family::Set);
    let mut cmp = Compare::Exact;
    let mut argv: Vec<Vec<u8>>;
    let several_keys = |g: &mut Gen, argv: &mut Vec<Vec<u8>>| {
        for _ in 0..1 + g.below(3) {
            argv.push(key_in(g, Family::Set));
        }
    };
    match g.below(20) {
        0..=4 => {
            argv = vec![b"SADD".to_vec(), k];
            push_members(g, &mut argv, 4, Members::Plain);
        }
        5 => {
            argv = vec![b"SREM".to_vec(), k];
            push_members(g, &mut argv, 3, Members::Plain);
        }
        6 => argv = vec![b"SCARD".to_vec(), k],
        7 => argv = vec![b"SISMEMBER".to_vec(), k, member(g)],
        8 => {
            argv = vec![b"SMISMEMBER".to_vec(), k];
            push_members(g, &mut argv, 3, Members::Plain);
        }
        9 | 10 => {
            argv = vec![g.pick(&["SMEMBERS", "SINTER", "SUNION", "SDIFF"]).into(), k];
            if argv[0] != b"SMEMBERS" {
                several_keys(g, &mut argv);
            }
            cmp = Compare::Sorted;
        }
        11 | 12 => {
            argv = vec![
                g.pick(&["SINTERSTORE", "SUNIONSTORE", "SDIFFSTORE"]).into(),
                key_in(g, Family::Set),
                k,
            ];
            several_keys(g, &mut argv);
        }
        13 => {
            let n = 1 + g.below(3);
            argv = vec![b"SINTERCARD".to_vec()];
            argv.push(
                g.pick(&["1", "0", "-1", "abc", "5"])
                    .replace('1', &n.to_string())
                    .into(),
            );
            argv.push(k);
            for _ in 1..n {
                argv.push(key_in(g, Family::Set));
            }
            if g.chance(2) {
                argv.push(b"LIMIT".to_vec());
                argv.push(g.pick(&["0", "1", "2", "-1", "x"]).into());
            }
        }
        14 => argv = vec![b"SMOVE".to_vec(), k, key_in(g, Family::Set), member(g)],
        15 => {
            argv = vec![b"SPOP".to_vec(), k];
            argv.push(
                g.pick(&["1000", "0", "-1", "abc", "-9223372036854775808"])
                    .into(),
            );
            cmp = Compare::Sorted;
        }
        16 | 17 => {
            argv = vec![b"SRANDMEMBER".to_vec(), k];
            if g.chance(4) {
                cmp = Compare::Shape;
            } else {
                let count = g.pick(&["1000", "0", "-3", "2", "abc", "-9223372036854775808"]);
                argv.push(count.into());
                cmp = if count == "1000" {
                    Compare::Sorted
                } else {
                    Compare::Shape
                };
            }
        }
        18 => {
            argv = vec![b"SSCAN".to_vec(), k, g.pick(&["0", "0", "x"]).into()];
            argv.extend(words(&["COUNT", "1000"]));
            if g.chance(3) {
                argv.push(b"MATCH".to_vec());
                argv.push(g.pick(&["*", "1*", "?", "[a-c]"]).into());
            }
            cmp = Compare::Sorted;
        }
        _ => {
            argv = vec![b"OBJECT".to_vec(), b"ENCODING".to_vec(), k];
        }
    }
    (argv, cmp)
}

/// ZADD-style score/member pairs: a score then a member.
fn score(g: &mut Gen) -> Vec<u8> {
    if g.chance(6) {
        g.pick(SCORES).into()
    } else {
        g.pick(&["0", "1", "2", "1.5", "-1", "3", "10", "inf", "-inf"])
            .into()
    }
}

/// One sorted-set command. Ordered by score and member, so compared
/// exactly, except random picks (shape) and ZSCAN (pairs: a skiplist
/// encoding scans its hashtable).
fn zset_command(g: &mut Gen) -> (Vec<Vec<u8>>, Compare) {
    let k = key_in(g, Family::ZSet);
    let mut cmp = Compare::Exact;
    let mut argv: Vec<Vec<u8>>;
    let range_opts = |g: &mut Gen, argv: &mut Vec<Vec<u8>>| {
        if g.chance(3) {
            argv.push(b"WITHSCORES".to_vec());
        }
        if g.chance(4) {
            argv.push(b"LIMIT".to_vec());
            argv.push(g.pick(&["0", "1", "-1", "x"]).into());
            argv.push(g.pick(&["1", "2", "-1", "0", "y"]).into());
        }
    };
    match g.below(30) {
        0..=5 => {
            argv = vec![b"ZADD".to_vec(), k];
            for _ in 0..g.below(3) {
                argv.push(g.pick(&["NX", "XX", "GT", "LT", "CH", "INCR", "nx"]).into());
            }
            push_members(g, &mut argv, 3, Members::Scored);
            if g.chance(12) {
                argv.pop();
            }
        }
        6 => argv = vec![b"ZINCRBY".to_vec(), k, score(g), member(g)],
        7 => {
            argv = vec![b"ZREM".to_vec(), k];
            push_members(g, &mut argv, 3, Members::Plain);
        }
        8 => argv = vec![b"ZCARD".to_vec(), k],
        9 => argv = vec![b"ZSCORE".to_vec(), k, member(g)],
        10 => {
            argv = vec![b"ZMSCORE".to_vec(), k];
            push_members(g, &mut argv, 3, Members::Plain);
        }
        11 => {
            argv = vec![g.pick(&["ZRANK", "ZREVRANK"]).into(), k, member(g)];
        }
        12 => {
            argv = vec![
                b"ZCOUNT".to_vec(),
                k,
                g.pick(SCORE_BOUNDS).into(),
                g.pick(SCORE_BOUNDS).into(),
            ]
        }
        13 => {
            argv = vec![
                b"ZLEXCOUNT".to_vec(),
                k,
                g.pick(LEX_BOUNDS).into(),
                g.pick(LEX_BOUNDS).into(),
            ]
        }
        14..=16 => {
            let store = g.chance(5);
            argv = if store {
                vec![b"ZRANGESTORE".to_vec(), key_in(g, Family::ZSet), k]
            } else {
                vec![b"ZRANGE".to_vec(), k]
            };
            match g.below(3) {
                0 => {
                    argv.push(g.pick(COUNTS).into());
                    argv.push(g.pick(COUNTS).into());
                }
                1 => {
                    argv.push(g.pick(SCORE_BOUNDS).into());
                    argv.push(g.pick(SCORE_BOUNDS).into());
                    argv.push(b"BYSCORE".to_vec());
                }
                _ => {
                    argv.push(g.pick(LEX_BOUNDS).into());
                    argv.push(g.pick(LEX_BOUNDS).into());
                    argv.push(b"BYLEX".to_vec());
                }
            }
            if g.chance(3) {
                argv.push(b"REV".to_vec());
            }
            range_opts(g, &mut argv);
        }
        17 => {
            argv = vec![g.pick(&["ZREVRANGE", "ZRANGE"]).into(), k];
            argv.push(g.pick(COUNTS).into());
            argv.push(g.pick(COUNTS).into());
            if g.chance(2) {
                argv.push(b"WITHSCORES".to_vec());
            }
        }
        18 | 19 => {
            argv = vec![g.pick(&["ZRANGEBYSCORE", "ZREVRANGEBYSCORE"]).into(), k];
            argv.push(g.pick(SCORE_BOUNDS).into());
            argv.push(g.pick(SCORE_BOUNDS).into());
            range_opts(g, &mut argv);
        }
        20 => {
            argv = vec![g.pick(&["ZRANGEBYLEX", "ZREVRANGEBYLEX"]).into(), k];
            argv.push(g.pick(LEX_BOUNDS).into());
            argv.push(g.pick(LEX_BOUNDS).into());
            range_opts(g, &mut argv);
        }
        21 => {
            argv = vec![
                g.pick(&["ZREMRANGEBYRANK", "ZREMRANGEBYSCORE", "ZREMRANGEBYLEX"])
                    .into(),
                k,
            ];
            let pool = match &argv[0][..] {
                b"ZREMRANGEBYRANK" => COUNTS,
                b"ZREMRANGEBYSCORE" => SCORE_BOUNDS,
                _ => LEX_BOUNDS,
            };
            argv.push(g.pick(pool).into());
            argv.push(g.pick(pool).into());
        }
        22 => {
            if g.chance(4) {
                argv = vec![g.pick(&["BZPOPMIN", "BZPOPMAX"]).into(), k];
                argv.push(g.pick(&["0.01", "0.01", "-1", "x"]).into());
            } else {
                argv = vec![g.pick(&["ZPOPMIN", "ZPOPMAX"]).into(), k];
                if g.chance(2) {
                    argv.push(g.pick(COUNTS).into());
                }
            }
        }
        23 => {
            let n = 1 + g.below(3);
            argv = vec![b"ZMPOP".to_vec()];
            argv.push(
                g.pick(&["1", "0", "-1", "abc"])
                    .replace('1', &n.to_string())
                    .into(),
            );
            argv.push(k);
            for _ in 1..n {
                argv.push(key_in(g, Family::ZSet));
            }
            argv.push(g.pick(&["MIN", "MAX", "MID"]).into());
            if g.chance(2) {
                argv.push(b"COUNT".to_vec());
                argv.push(g.pick(COUNTS).into());
            }
        }
        24..=26 => {
            let store = g.chance(3);
            let op = g.pick(&["ZUNION", "ZINTER", "ZDIFF"]);
            argv = Vec::new();
            if store {
                argv.push(format!("{op}STORE").into_bytes());
                argv.push(key_in(g, Family::ZSet));
            } else {
                argv.push(op.into());
            }
            let n = 1 + g.below(3);
            argv.push(
                g.pick(&["1", "1", "0", "-1", "x"])
                    .replace('1', &n.to_string())
                    .into(),
            );
            argv.push(k);
            for _ in 1..n {
                argv.push(key_in(g, Family::ZSet));
            }
            if op != "ZDIFF" {
                if g.chance(3) {
                    argv.push(b"WEIGHTS".to_vec());
                    for _ in 0..n {
                        argv.push(
                            g.pick(&["1", "2", "-1", "0", "inf", "nan", "x", "0.5"])
                                .into(),
                        );
                    }
                }
                if g.chance(3) {
                    argv.push(b"AGGREGATE".to_vec());
                    argv.push(g.pick(&["SUM", "MIN", "MAX", "AVG"]).into());
                }
            }
            if !store && g.chance(2) {
                argv.push(b"WITHSCORES".to_vec());
            }
        }
        27 => {
            let n = 1 + g.below(3);
            argv = vec![b"ZINTERCARD".to_vec()];
            argv.push(
                g.pick(&["1", "0", "-1", "abc"])
                    .replace('1', &n.to_string())
                    .into(),
            );
            argv.push(k);
            for _ in 1..n {
                argv.push(key_in(g, Family::ZSet));
            }
            if g.chance(2) {
                argv.push(b"LIMIT".to_vec());
                argv.push(g.pick(&["0", "1", "-1", "x"]).into());
            }
        }
        28 => {
            argv = vec![b"ZRANDMEMBER".to_vec(), k];
            if g.chance(4) {
                cmp = Compare::Shape;
            } else {
                let count = g.pick(&["1000", "0", "-3", "2", "abc", "-9223372036854775808"]);
                argv.push(count.into());
                let withscores = g.chance(2);
                if withscores {
                    argv.push(b"WITHSCORES".to_vec());
                }
                cmp = match count {
                    // Every member, in a layout-dependent order.
                    "1000" if withscores => Compare::Pairs,
                    "1000" => Compare::Sorted,
                    _ => Compare::Shape,
                };
            }
        }
        _ => {
            argv = vec![b"ZSCAN".to_vec(), k, g.pick(&["0", "0", "x"]).into()];
            argv.extend(words(&["COUNT", "1000"]));
            if g.chance(3) {
                argv.push(b"MATCH".to_vec());
                argv.push(g.pick(&["*", "m1*", "?", "[a-c]"]).into());
            }
            cmp = Compare::Pairs;
        }
    }
    // Lex ranges are specified only when all scores are equal (Redis's
    // answer otherwise depends on its traversal): they read "zl", which
    // only gets members at score 0.
    let lex = matches!(
        &argv[0][..],
        b"ZRANGEBYLEX" | b"ZREVRANGEBYLEX" | b"ZLEXCOUNT" | b"ZREMRANGEBYLEX"
    ) || argv.iter().any(|a| a == b"BYLEX");
    if lex {
        let pos = if argv[0] == b"ZRANGESTORE" { 2 } else { 1 };
        argv[pos] = b"zl".to_vec();
    } else if argv[0] == b"ZADD" && g.chance(4) {
        argv = vec![b"ZADD".to_vec(), b"zl".to_vec()];
        for _ in 0..1 + g.below(3) {
            argv.push(b"0".to_vec());
            argv.push(member(g));
        }
    }
    (argv, cmp)
}

/// Bit offsets: small, at byte boundaries, and the out-of-range ones (never
/// 2^32-1 and its neighbours, which would make both servers allocate 512 MB).
const BIT_OFFSETS: &[&str] = &[
    "0",
    "1",
    "7",
    "8",
    "9",
    "15",
    "16",
    "31",
    "63",
    "64",
    "100",
    "-1",
    "4294967296",
    "abc",
    "1.5",
];

/// One bitmap or HyperLogLog command. Both act on strings, so they share
/// keys with the string commands; HLL bytes are compared through GET.
fn bits_command(g: &mut Gen) -> (Vec<Vec<u8>>, Compare) {
    let bkey = |g: &mut Gen| -> Vec<u8> {
        if g.chance(4) {
            g.pick(KEYS).into()
        } else {
            g.pick(&["b0", "b1", "k0"]).into()
        }
    };
    let hkey = |g: &mut Gen| -> Vec<u8> {
        if g.chance(5) {
            g.pick(KEYS).into()
        } else {
            g.pick(&["h0", "h1", "h2"]).into()
        }
    };
    let range = |g: &mut Gen, argv: &mut Vec<Vec<u8>>| {
        argv.push(g.pick(COUNTS).into());
        argv.push(g.pick(COUNTS).into());
        if g.chance(2) {
            argv.push(g.pick(&["BIT", "BYTE", "bit", "WORD"]).into());
        }
    };
    let mut argv: Vec<Vec<u8>>;
    match g.below(16) {
        0..=2 => {
            argv = vec![b"SETBIT".to_vec(), bkey(g), g.pick(BIT_OFFSETS).into()];
            argv.push(g.pick(&["1", "1", "0", "2", "-1", "x"]).into());
        }
        3 => argv = vec![b"GETBIT".to_vec(), bkey(g), g.pick(BIT_OFFSETS).into()],
        4 => {
            argv = vec![b"BITCOUNT".to_vec(), bkey(g)];
            if g.chance(2) {
                range(g, &mut argv);
            }
        }
        5 => {
            argv = vec![b"BITPOS".to_vec(), bkey(g), g.pick(&["0", "1", "2"]).into()];
            if g.chance(2) {
                argv.push(g.pick(COUNTS).into());
                if g.chance(2) {
                    range(g, &mut argv);
                    argv.remove(4);
                }
            }
        }
        6 => {
            let op = g.pick(&["AND", "OR", "XOR", "NOT", "and", "NAND"]);
            argv = vec![b"BITOP".to_vec(), op.into(), bkey(g)];
            for _ in 0..1 + g.below(3) {
                argv.push(bkey(g));
            }
        }
        7 | 8 => {
            let ro = g.chance(4);
            argv = vec![
                if ro {
                    b"BITFIELD_RO".to_vec()
                } else {
                    b"BITFIELD".to_vec()
                },
                bkey(g),
            ];
            for _ in 0..1 + g.below(3) {
                let ty = g.pick(&["u8", "i8", "u1", "i64", "u63", "u64", "i5", "x8", "u0"]);
                let off = g.pick(&["0", "1", "#1", "#2", "7", "100", "-1", "x"]);
                match g.below(if ro { 1 } else { 4 }) {
                    0 => argv.extend(words(&["GET", ty, off])),
                    1 => argv.extend(words(&["SET", ty, off, g.pick(INTS)])),
                    2 => argv.extend(words(&["INCRBY", ty, off, g.pick(INTS)])),
                    _ => argv.extend(words(&["OVERFLOW", g.pick(&["WRAP", "SAT", "FAIL", "NO"])])),
                }
            }
        }
        9..=11 => {
            argv = vec![b"PFADD".to_vec(), hkey(g)];
            if g.chance(15) {
                // Enough distinct elements to leave the sparse encoding.
                let base = g.below(1000);
                for i in 0..3000 {
                    argv.push(format!("e{}", base + i).into_bytes());
                }
            } else {
                for _ in 0..g.below(4) {
                    argv.push(member(g));
                }
            }
        }
        12 => {
            argv = vec![b"PFCOUNT".to_vec(), hkey(g)];
            for _ in 0..g.below(3) {
                argv.push(hkey(g));
            }
        }
        13 => {
            argv = vec![b"PFMERGE".to_vec(), hkey(g)];
            for _ in 0..g.below(3) {
                argv.push(hkey(g));
            }
        }
        14 => argv = vec![b"GET".to_vec(), hkey(g)],
        _ => argv = vec![b"GET".to_vec(), bkey(g)],
    }
    (argv, Compare::Exact)
}

/// Stream IDs given explicitly (an automatic `*` ID is the clock's, which
/// differs between the servers); `N-*` takes the next sequence number.
const STREAM_IDS: &[&str] = &[
    "1-1",
    "1-2",
    "2-0",
    "5-*",
    "5-1",
    "10",
    "0-0",
    "0-1",
    "3-18446744073709551615",
    "18446744073709551615-18446744073709551615",
    "abc",
    "1-",
    "-",
    "+",
];

/// One stream command, with deterministic replies only (no `*` IDs, no
/// consumer idle times, no XINFO radix-tree internals).
fn stream_command(g: &mut Gen) -> (Vec<Vec<u8>>, Compare) {
    let skey = |g: &mut Gen| -> Vec<u8> {
        if g.chance(5) {
            g.pick(KEYS).into()
        } else {
            g.pick(&["s0", "s1"]).into()
        }
    };
    let id = |g: &mut Gen| -> Vec<u8> { g.pick(STREAM_IDS).into() };
    let mut argv: Vec<Vec<u8>>;
    match g.below(14) {
        0..=3 => {
            argv = vec![b"XADD".to_vec(), skey(g)];
            if g.chance(6) {
                argv.push(b"NOMKSTREAM".to_vec());
            }
            if g.chance(5) {
                argv.extend(words(&["MAXLEN", g.pick(&["=", "2", "0"])]));
                if argv.last().is_some_and(|a| a == b"=") {
                    argv.push(g.pick(&["1", "3", "-1", "x"]).into());
                }
            }
            // Ascending IDs most of the time, so entries accumulate.
            let next = format!("{}-{}", 1 + g.below(50), g.below(3));
            argv.push(if g.chance(3) {
                id(g)
            } else {
                next.into_bytes()
            });
            for _ in 0..1 + g.below(2) {
                argv.push(member(g));
                argv.push(member(g));
            }
            if g.chance(12) {
                argv.pop();
            }
        }
        4 => argv = vec![b"XLEN".to_vec(), skey(g)],
        5 | 6 => {
            let rev = g.chance(3);
            argv = vec![
                if rev {
                    b"XREVRANGE".to_vec()
                } else {
                    b"XRANGE".to_vec()
                },
                skey(g),
            ];
            let (a, b) = if rev { ("+", "-") } else { ("-", "+") };
            argv.push(if g.chance(2) { a.into() } else { id(g) });
            argv.push(if g.chance(2) { b.into() } else { id(g) });
            if g.chance(3) {
                argv.extend(words(&["COUNT", g.pick(COUNTS)]));
            }
        }
        7 => {
            argv = vec![b"XDEL".to_vec(), skey(g)];
            for _ in 0..1 + g.below(2) {
                argv.push(id(g));
            }
        }
        8 => {
            argv = vec![b"XTRIM".to_vec(), skey(g)];
            if g.chance(2) {
                argv.extend(words(&["MAXLEN", g.pick(&["=", "0", "1"])]));
                argv.push(g.pick(&["0", "1", "2", "-1", "x"]).into());
            } else {
                argv.extend(words(&["MINID", "="]));
                argv.push(id(g));
            }
        }
        9 => {
            argv = words(&[
                "XREAD",
                "COUNT",
                g.pick(&["1", "2", "10", "0", "x"]),
                "STREAMS",
            ]);
            let n = 1 + g.below(2);
            for _ in 0..n {
                argv.push(skey(g));
            }
            for _ in 0..n {
                argv.push(if g.chance(3) { b"0".to_vec() } else { id(g) });
            }
        }
        10 => {
            argv = vec![b"XGROUP".to_vec(), b"CREATE".to_vec(), skey(g)];
            argv.push(g.pick(&["g1", "g2"]).into());
            argv.push(g.pick(&["0", "$", "1-1", "x"]).into());
            if g.chance(2) {
                argv.push(b"MKSTREAM".to_vec());
            }
        }
        11 => {
            argv = vec![
                b"XGROUP".to_vec(),
                g.pick(&["DESTROY", "SETID", "CREATECONSUMER", "DELCONSUMER"])
                    .into(),
                skey(g),
                g.pick(&["g1", "g2"]).into(),
            ];
            match &argv[1][..] {
                b"SETID" => argv.push(g.pick(&["0", "$", "2-0"]).into()),
                b"DESTROY" => {}
                _ => argv.push(g.pick(&["c1", "c2"]).into()),
            }
        }
        12 => {
            argv = words(&["XREADGROUP", "GROUP", g.pick(&["g1", "g2"]), "c1", "COUNT"]);
            argv.push(g.pick(&["1", "2", "10"]).into());
            argv.push(b"STREAMS".to_vec());
            argv.push(skey(g));
            argv.push(g.pick(&[">", ">", "0", "1-1"]).into());
        }
        _ => {
            argv = vec![b"XACK".to_vec(), skey(g), g.pick(&["g1", "g2"]).into()];
            argv.push(id(g));
        }
    }
    (argv, Compare::Exact)
}

/// One transaction command: MULTI/EXEC/DISCARD/WATCH/UNWATCH. What runs
/// between MULTI and EXEC is whatever the sequence generates next.
fn tx_command(g: &mut Gen) -> (Vec<Vec<u8>>, Compare) {
    let argv = match g.below(8) {
        0 | 1 => words(&["MULTI"]),
        2 | 3 => words(&["EXEC"]),
        4 => words(&["DISCARD"]),
        5 | 6 => {
            let mut v = words(&["WATCH"]);
            for _ in 0..1 + g.below(2) {
                v.push(g.pick(KEYS).into());
            }
            v
        }
        _ => words(&["UNWATCH"]),
    };
    (argv, Compare::Exact)
}

/// One geo command (geo sets are zsets). Searches always sort (ASC/DESC):
/// unsorted results come in the order of Redis's grid walk.
fn geo_command(g: &mut Gen) -> (Vec<Vec<u8>>, Compare) {
    let gkey = |g: &mut Gen| -> Vec<u8> {
        if g.chance(5) {
            g.pick(KEYS).into()
        } else {
            b"g0".to_vec()
        }
    };
    let lon = |g: &mut Gen| -> Vec<u8> {
        g.pick(&[
            "13.361389",
            "15.087269",
            "2.35",
            "-180",
            "180",
            "181",
            "0",
            "x",
            "13.5",
        ])
        .into()
    };
    let lat = |g: &mut Gen| -> Vec<u8> {
        g.pick(&[
            "38.115556",
            "37.502669",
            "48.85",
            "85.05112878",
            "85.06",
            "0",
            "-1",
            "37.9",
        ])
        .into()
    };
    let place =
        |g: &mut Gen| -> Vec<u8> { g.pick(&["Palermo", "Catania", "Paris", "a", "b"]).into() };
    let mut argv: Vec<Vec<u8>>;
    match g.below(6) {
        0 | 1 => {
            argv = vec![b"GEOADD".to_vec(), gkey(g)];
            if g.chance(5) {
                argv.push(g.pick(&["NX", "XX", "CH"]).into());
            }
            for _ in 0..1 + g.below(2) {
                argv.push(lon(g));
                argv.push(lat(g));
                argv.push(place(g));
            }
        }
        2 => {
            argv = vec![b"GEODIST".to_vec(), gkey(g), place(g), place(g)];
            if g.chance(2) {
                argv.push(g.pick(&["m", "km", "mi", "ft", "yd"]).into());
            }
        }
        3 => {
            argv = vec![g.pick(&["GEOPOS", "GEOHASH"]).into(), gkey(g)];
            for _ in 0..1 + g.below(2) {
                argv.push(place(g));
            }
        }
        _ => {
            argv = vec![b"GEOSEARCH".to_vec(), gkey(g)];
            if g.chance(2) {
                argv.push(b"FROMMEMBER".to_vec());
                argv.push(place(g));
            } else {
                argv.push(b"FROMLONLAT".to_vec());
                argv.push(lon(g));
                argv.push(lat(g));
            }
            if g.chance(2) {
                argv.extend(words(&[
                    "BYRADIUS",
                    g.pick(&["200", "10", "0", "-1"]),
                    "km",
                ]));
            } else {
                argv.extend(words(&["BYBOX", "400", g.pick(&["400", "10"]), "km"]));
            }
            argv.push(g.pick(&["ASC", "DESC"]).into());
            for opt in ["WITHDIST", "WITHCOORD", "WITHHASH"] {
                if g.chance(3) {
                    argv.push(opt.into());
                }
            }
        }
    }
    (argv, Compare::Exact)
}
