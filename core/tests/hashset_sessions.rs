//! Hash and set commands replayed against transcripts recorded from
//! redis-server 7.0.15 (`tests/data/hashset_redis7_seed*.txt`, made by
//! `tests/data/record/hashset_session.py`): every reply byte for byte.
//!
//! Where Redis's order depends on its own hash table layout the recorder
//! marked the line with a canonicalisation mode (see the recorder's doc):
//! both replies are then compared after the same sorting.

use bytes::Bytes;

use keyrs_core::config::Config;
use keyrs_core::engine::{ClientId, ConnInfo, Engine, ServerInfo, Time};
use keyrs_core::resp::encoder::encode_to_vec;
use keyrs_core::resp::{Protocol, Reply};

/// An engine with one client whose protocol the transcript may switch.
struct Replay {
    engine: Engine,
    client: ClientId,
    proto: Protocol,
}

impl Replay {
    fn new() -> Replay {
        let now = Time::from_ms(1_700_000_000_000);
        let mut engine = Engine::new(Config::default(), ServerInfo::default(), 11);
        let client = engine.connect(ConnInfo::default(), now).expect("connect");
        Replay {
            engine,
            client,
            proto: Protocol::Resp2,
        }
    }

    fn run(&mut self, argv: &[Bytes]) -> Reply {
        let now = Time::from_ms(1_700_000_000_000);
        self.engine
            .execute(self.client, argv, now)
            .reply
            .expect("a reply")
    }

    fn enc(&self, r: &Reply) -> Vec<u8> {
        encode_to_vec(r, self.proto)
    }

    /// Sort an aggregate's elements by their encoding.
    fn sort_elems(&self, r: &mut Reply) {
        match r {
            Reply::Array(v) | Reply::Set(v) => v.sort_by_cached_key(|x| self.enc(x)),
            Reply::Map(p) => p.sort_by_cached_key(|(k, v)| [self.enc(k), self.enc(v)].concat()),
            _ => {}
        }
    }

    /// Sort an aggregate's field/value pairs (flat array or map).
    fn sort_pairs(&self, r: &mut Reply) {
        match r {
            Reply::Array(v) | Reply::Set(v) => {
                let mut pairs: Vec<Vec<Reply>> = v.chunks(2).map(<[Reply]>::to_vec).collect();
                pairs.sort_by_cached_key(|p| {
                    p.iter().flat_map(|x| self.enc(x)).collect::<Vec<u8>>()
                });
                *v = pairs.into_iter().flatten().collect();
            }
            Reply::Map(_) => self.sort_elems(r),
            _ => {}
        }
    }

    /// Apply a recorder's canonicalisation mode, return the escaped bytes.
    fn canon(&self, mode: &str, mut r: Reply) -> String {
        match mode {
            "E" => self.sort_elems(&mut r),
            "P" => self.sort_pairs(&mut r),
            "SE" | "SP" => {
                if let Reply::Array(v) = &mut r {
                    if let Some(items) = v.get_mut(1) {
                        if mode == "SE" {
                            self.sort_elems(items)
                        } else {
                            self.sort_pairs(items)
                        }
                    }
                }
            }
            "L" => {
                let b = self.enc(&r);
                let end = b
                    .windows(2)
                    .position(|w| w == b"\r\n")
                    .map_or(b.len(), |i| i + 2);
                return escape(&b[..end]);
            }
            "T" => return escape(&self.enc(&r)[..1]),
            other => panic!("unknown mode {other}"),
        }
        escape(&self.enc(&r))
    }

    fn script(&mut self, name: &str, text: &str) {
        for (n, line) in text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
        {
            let (cmd, want) = line.split_once(" => ").expect("cmd => reply");
            let (mode, cmd) = match cmd.strip_prefix('@') {
                Some(rest) => rest.split_once(' ').unwrap_or((rest, "")),
                None => ("", cmd),
            };
            let got = if mode == "stats" {
                format!(
                    "{} {}",
                    self.engine.stats.keyspace_hits, self.engine.stats.keyspace_misses
                )
            } else if mode == "resp3" {
                self.proto = Protocol::Resp3;
                if let Some(c) = self.engine.clients.get_mut(self.client) {
                    c.proto = Protocol::Resp3;
                }
                "ok".to_string()
            } else {
                let reply = self.run(&split(cmd));
                if mode.is_empty() {
                    escape(&self.enc(&reply))
                } else {
                    self.canon(mode, reply)
                }
            };
            assert_eq!(got, want, "{name}:{}: {cmd}", n + 1);
        }
    }
}

/// Bytes as Python's `repr(bytes)[2:-1]` shows them.
fn escape(b: &[u8]) -> String {
    let mut s = String::new();
    for &c in b {
        match c {
            b'\r' => s.push_str("\\r"),
            b'\n' => s.push_str("\\n"),
            b'\t' => s.push_str("\\t"),
            b'\\' => s.push_str("\\\\"),
            0x20..=0x7e => s.push(c as char),
            _ => s.push_str(&format!("\\x{c:02x}")),
        }
    }
    s
}

/// Split a transcript command: spaces separate arguments, double quotes
/// group, `\xNN` inside quotes is a byte.
fn split(cmd: &str) -> Vec<Bytes> {
    let b = cmd.as_bytes();
    let mut args = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b' ' {
            i += 1;
            continue;
        }
        let mut arg = Vec::new();
        if b[i] == b'"' {
            i += 1;
            while i < b.len() && b[i] != b'"' {
                if b[i] == b'\\' && b.get(i + 1) == Some(&b'x') {
                    let hex = std::str::from_utf8(&b[i + 2..i + 4]).expect("hex");
                    arg.push(u8::from_str_radix(hex, 16).expect("hex"));
                    i += 4;
                } else {
                    arg.push(b[i]);
                    i += 1;
                }
            }
            i += 1;
        } else {
            while i < b.len() && b[i] != b' ' {
                arg.push(b[i]);
                i += 1;
            }
        }
        args.push(Bytes::from(arg));
    }
    args
}

macro_rules! session {
    ($test:ident, $file:literal) => {
        #[test]
        fn $test() {
            Replay::new().script($file, include_str!(concat!("data/", $file)));
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
