//! The transcript replay harness shared by the command groups' tests.
//!
//! A transcript is one `command => expected raw reply` per line, recorded
//! from a real redis-server 7.0.15 (replies escaped as Python prints bytes,
//! see `core/tests/data/README.md`); [`Harness::script`] replays it against
//! an engine byte for byte. `@` pseudo-commands ask facts of the engine
//! directly (`@enc`, `@ttl`, `@pttl`, `@stats`) or drive the test (`@time`,
//! `@sleep`, `@resp3`).

use bytes::Bytes;

use crate::config::Config;
use crate::engine::{ClientId, ConnInfo, Engine, ServerInfo, Time};
use crate::resp::encoder::encode_to_vec;
use crate::resp::Protocol;

/// An engine with one connected client and a clock the test moves.
pub(crate) struct Harness {
    /// The engine under test.
    pub(crate) engine: Engine,
    /// The connected client commands run as.
    pub(crate) client: ClientId,
    /// The clock handed to every command.
    pub(crate) now: Time,
    /// The protocol replies are encoded in (`@resp3` switches).
    pub(crate) proto: Protocol,
}

impl Harness {
    pub(crate) fn new() -> Harness {
        Harness::with_config(Config::default())
    }

    pub(crate) fn with_config(config: Config) -> Harness {
        let now = Time::from_ms(1_700_000_000_000);
        let mut engine = Engine::new(config, ServerInfo::default(), 7);
        let client = engine.connect(ConnInfo::default(), now).expect("connect");
        Harness {
            engine,
            client,
            now,
            proto: Protocol::Resp2,
        }
    }

    /// Run one command and return its reply as escaped RESP text.
    pub(crate) fn run(&mut self, argv: Vec<Bytes>) -> String {
        let out = self.engine.execute(self.client, &argv, self.now);
        let reply = out.reply.expect("a reply");
        escape(&encode_to_vec(&reply, self.proto))
    }

    fn seconds_left(&self, key: &str) -> i64 {
        match self.engine.dbs[0].expire_at(key.as_bytes()) {
            None => -1,
            Some(at) => (at as i64 - self.now.ms() as i64 + 500) / 1000,
        }
    }

    fn ms_left(&self, key: &str) -> i64 {
        match self.engine.dbs[0].expire_at(key.as_bytes()) {
            None => -1,
            Some(at) => at as i64 - self.now.ms() as i64,
        }
    }

    /// Replay a transcript: `command => expected` per line.
    pub(crate) fn script(&mut self, text: &str) {
        for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
            let (cmd, want) = line.split_once(" => ").expect("cmd => reply");
            let args = split(cmd);
            let got = match args[0].as_ref() {
                b"@enc" => {
                    let key = std::str::from_utf8(&args[1]).unwrap();
                    match self.engine.dbs[0].keys.get(key.as_bytes()) {
                        Some(e) => e.value.encoding().to_string(),
                        None => "none".to_string(),
                    }
                }
                b"@ttl" => self
                    .seconds_left(std::str::from_utf8(&args[1]).unwrap())
                    .to_string(),
                b"@pttl" => self
                    .ms_left(std::str::from_utf8(&args[1]).unwrap())
                    .to_string(),
                b"@stats" => format!(
                    "{} {}",
                    self.engine.stats.keyspace_hits, self.engine.stats.keyspace_misses
                ),
                b"@sleep" => {
                    let ms: u64 = std::str::from_utf8(&args[1]).unwrap().parse().unwrap();
                    self.now = Time::from_ms(self.now.ms() + ms);
                    "ok".to_string()
                }
                b"@time" => {
                    let ms: u64 = std::str::from_utf8(&args[1]).unwrap().parse().unwrap();
                    self.now = Time::from_ms(ms);
                    "ok".to_string()
                }
                b"@resp3" => {
                    self.proto = Protocol::Resp3;
                    if let Some(c) = self.engine.clients.get_mut(self.client) {
                        c.proto = Protocol::Resp3;
                    }
                    "ok".to_string()
                }
                _ => self.run(args),
            };
            assert_eq!(got, want, "{cmd} at {}", self.now.ms());
        }
    }
}

/// Bytes as Python's `repr(bytes)[2:-1]` shows them.
pub(crate) fn escape(b: &[u8]) -> String {
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
pub(crate) fn split(cmd: &str) -> Vec<Bytes> {
    let mut args = Vec::new();
    let b = cmd.as_bytes();
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
                    let hex = std::str::from_utf8(&b[i + 2..i + 4]).unwrap();
                    arg.push(u8::from_str_radix(hex, 16).unwrap());
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
