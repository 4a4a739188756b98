//! Hash and set commands replayed against transcripts recorded from
//! redis-server 7.0.15 (`core/tests/data/hashset_*_redis7.txt`, see the
//! data README), every reply byte for byte through the shared replay
//! harness.
//!
//! Where Redis's reply order depends on its own hash table layout, or a
//! random pick decides it, the recorder (`record/hashset_session.py`)
//! prefixed the line with a canonicalisation mode, applied here to our
//! reply exactly as the recorder applied it to Redis's: `@E` sort the
//! elements, `@P` sort field/value pairs, `@SE`/`@SP` the same inside a
//! SCAN reply, `@L` keep only the first line, `@T` only the type byte.

use crate::engine::commands::replay::{escape, split, Harness};
use crate::resp::encoder::encode_to_vec;
use crate::resp::Reply;

/// The canonicalisation modes a line may carry.
const MODES: &[&str] = &["E", "P", "SE", "SP", "L", "T"];

/// Encode a reply in the harness's protocol.
fn enc(h: &Harness, r: &Reply) -> Vec<u8> {
    encode_to_vec(r, h.proto)
}

/// Sort an aggregate's elements by their encoding.
fn sort_elems(h: &Harness, r: &mut Reply) {
    match r {
        Reply::Array(v) | Reply::Set(v) => v.sort_by_cached_key(|x| enc(h, x)),
        Reply::Map(p) => p.sort_by_cached_key(|(k, v)| [enc(h, k), enc(h, v)].concat()),
        _ => {}
    }
}

/// Sort an aggregate's field/value pairs (a flat array or a map).
fn sort_pairs(h: &Harness, r: &mut Reply) {
    match r {
        Reply::Array(v) | Reply::Set(v) => {
            let mut pairs: Vec<Vec<Reply>> = v.chunks(2).map(<[Reply]>::to_vec).collect();
            pairs.sort_by_cached_key(|p| p.iter().flat_map(|x| enc(h, x)).collect::<Vec<u8>>());
            *v = pairs.into_iter().flatten().collect();
        }
        Reply::Map(_) => sort_elems(h, r),
        _ => {}
    }
}

/// Our reply to `cmd` under canonicalisation `mode`, escaped.
fn canonical(h: &mut Harness, mode: &str, cmd: &str) -> String {
    let out = h.engine.execute(h.client, &split(cmd), h.now);
    let mut r = out.reply.expect("a reply");
    match mode {
        "E" => sort_elems(h, &mut r),
        "P" => sort_pairs(h, &mut r),
        "SE" | "SP" => {
            if let Reply::Array(v) = &mut r {
                if let Some(items) = v.get_mut(1) {
                    if mode == "SE" {
                        sort_elems(h, items)
                    } else {
                        sort_pairs(h, items)
                    }
                }
            }
        }
        "L" => {
            let b = enc(h, &r);
            let end = b
                .windows(2)
                .position(|w| w == b"\r\n")
                .map_or(b.len(), |i| i + 2);
            return escape(&b[..end]);
        }
        _ => return escape(&enc(h, &r)[..1]),
    }
    escape(&enc(h, &r))
}

/// Replay a transcript: canonicalised lines here, the rest through the
/// shared harness.
fn replay(name: &str, text: &str) {
    let mut h = Harness::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let mode = line
            .strip_prefix('@')
            .and_then(|rest| rest.split_once(' '))
            .filter(|(m, _)| MODES.contains(m));
        match mode {
            Some((mode, rest)) => {
                let (cmd, want) = rest.split_once(" => ").expect("cmd => reply");
                let got = canonical(&mut h, mode, cmd);
                assert_eq!(got, want, "{name}:{}: {cmd}", n + 1);
            }
            None => h.script(line),
        }
    }
}

macro_rules! session {
    ($test:ident, $file:literal) => {
        #[test]
        fn $test() {
            replay(
                $file,
                include_str!(concat!("../../../../tests/data/", $file)),
            );
        }
    };
}

session!(seed1_small_limits_resp3, "hashset_redis7_seed1.txt");
session!(seed2_small_limits_resp2, "hashset_redis7_seed2.txt");
session!(seed3_default_limits_resp3, "hashset_redis7_seed3.txt");
session!(seed4_default_limits_resp2, "hashset_redis7_seed4.txt");
session!(seed5_integers_resp2, "hashset_redis7_seed5.txt");
session!(seed6_integers_resp3, "hashset_redis7_seed6.txt");
session!(hand_picked_cases, "hashset_cases_redis7.txt");
session!(debug_digests, "hashset_digest_redis7.txt");
session!(keyspace_hits_and_misses, "hashset_stats_redis7.txt");

/// The canonicalisation must not hide differences it is not meant to: a
/// reply with a wrong element still fails after sorting.
#[test]
fn canonical_sorting_keeps_elements() {
    let mut h = Harness::new();
    h.script("sadd s a b c => :3\\r\\n");
    assert_eq!(
        canonical(&mut h, "E", "smembers s"),
        "*3\\r\\n$1\\r\\na\\r\\n$1\\r\\nb\\r\\n$1\\r\\nc\\r\\n"
    );
    h.script("hset h x 1 y 2 => :2\\r\\n");
    assert_eq!(
        canonical(&mut h, "SP", "hscan h 0"),
        "*2\\r\\n$1\\r\\n0\\r\\n*4\\r\\n$1\\r\\nx\\r\\n$1\\r\\n1\\r\\n$1\\r\\ny\\r\\n$1\\r\\n2\\r\\n"
    );
    assert_eq!(canonical(&mut h, "T", "hrandfield h"), "$");
    assert_eq!(canonical(&mut h, "L", "hrandfield h -5"), "*5\\r\\n");
}
session!(extra_seed7, "hashset_redis7_seed7.txt");
session!(extra_seed8, "hashset_redis7_seed8.txt");
session!(extra_seed9, "hashset_redis7_seed9.txt");
session!(extra_seed10, "hashset_redis7_seed10.txt");
