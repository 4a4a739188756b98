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
use keyrs_core::resp::frame::FrameParser;
use keyrs_core::resp::Reply;
use keyrs_tests::{RawClient, Server};
use proptest::strategy::Strategy;
use proptest::test_runner::{Config, TestCaseError, TestRunner};

/// Sequences per run (each 1..=30 commands). `KEYRS_DIFF_CASES` overrides.
const CASES_DEFAULT: u32 = 500;

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
    /// Arrays compared as sorted multisets (KEYS, SCAN's key list).
    Sorted,
}

/// One random command and how to compare its reply.
fn command(seed: u64) -> (Vec<Vec<u8>>, Compare) {
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
                args.extend(words(&["TYPE", g.pick(&["string", "list", "nosuchtype"])]));
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
            let (full, cmp) = command(g.next());
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
        Reply::Array(items) => {
            let mut items: Vec<Reply> = items.into_iter().map(sort_arrays).collect();
            items.sort_by_key(|r| format!("{r:?}"));
            Reply::Array(items)
        }
        other => other,
    }
}

/// Do two raw replies agree under `cmp`?
fn agree(cmp: Compare, ours: &[u8], theirs: &[u8]) -> bool {
    if ours == theirs {
        return true;
    }
    match (cmp, parse(ours), parse(theirs)) {
        (Compare::Within(d), Some(Reply::Integer(a)), Some(Reply::Integer(b))) => {
            a >= 0 && b >= 0 && (a - b).abs() <= d
        }
        (Compare::Sorted, Some(Reply::Array(a)), Some(Reply::Array(b))) => {
            // SCAN: [cursor, [keys]] — the cursor exact, the keys as a set.
            let norm = |v: Vec<Reply>| -> Vec<Reply> {
                match v.as_slice() {
                    [cursor @ Reply::Bulk(_), Reply::Array(_)] => {
                        vec![cursor.clone(), sort_arrays(v[1].clone())]
                    }
                    _ => match sort_arrays(Reply::Array(v)) {
                        Reply::Array(v) => v,
                        _ => Vec::new(),
                    },
                }
            };
            norm(a) == norm(b)
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

/// Reset both servers to an empty keyspace with db 0 selected.
fn reset(conns: &mut [&mut RawClient; 2]) -> Result<(), TestCaseError> {
    for c in conns.iter_mut() {
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
    errors: usize,
    bulks: usize,
}

/// Run one sequence on both servers: one command at a time, or (when
/// `pipelined`) all of it in a single write, replies read afterwards, which
/// exercises the server's batching of queued commands.
fn run_sequence(
    ours: &mut RawClient,
    theirs: &mut RawClient,
    seeds: &[u64],
    pipelined: bool,
    tally: &mut Tally,
) -> Result<(), TestCaseError> {
    reset(&mut [&mut *ours, &mut *theirs])?;
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
    for (((argv, cmp), a), b) in commands.iter().zip(&replies_ours).zip(&replies_theirs) {
        log.push(show(argv));
        tally.commands += 1;
        tally.pipelined += usize::from(pipelined);
        tally.errors += usize::from(b.first() == Some(&b'-'));
        tally.bulks += usize::from(b.first() == Some(&b'$') && b.get(1) != Some(&b'-'));
        if !agree(*cmp, a, b) {
            return Err(TestCaseError::fail(format!(
                "replies differ ({}) after:\n  {}\nkeyrs: {:?}\nredis: {:?}",
                if pipelined { "pipelined" } else { "one by one" },
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
        proptest::collection::vec(proptest::num::u64::ANY, 1..=30),
        proptest::bool::ANY,
    )
        .boxed();
    let tally = std::cell::RefCell::new(Tally::default());
    let result = runner.run(&strategy, |(seeds, pipelined)| {
        run_sequence(
            &mut ours.borrow_mut(),
            &mut theirs.borrow_mut(),
            &seeds,
            pipelined,
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
        tally.bulks > tally.commands / 20,
        "too few bulk replies: {tally:?}"
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
    ] {
        assert!(names.contains(want), "{want} never generated: {names:?}");
    }
}
