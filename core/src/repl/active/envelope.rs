//! The RREPLAY envelope active replicas wrap every propagated command in.
//!
//! KeyDB's exact bytes (keydb.md §2):
//!
//! ```text
//! *5\r\n$7\r\nRREPLAY\r\n$36\r\n<origin-uuid>\r\n$<len>\r\n<command as RESP multibulk>\r\n$<n>\r\n<db>\r\n$<n>\r\n<mvcc>\r\n
//! ```
//!
//! No SELECT travels with it: the database is argument 3. Arguments 3 and 4
//! are optional on receipt (arity -3). The payload is a RESP stream: one
//! command, or several (KeyDB feeds it to a per-origin client's query
//! buffer, so a MULTI ... EXEC may span it).
//!
//! A KeyDB node forwarding an envelope wraps it once more in its own
//! (`RREPLAY <forwarder> <RREPLAY <origin> ...> ...`), up to 64 levels.
//! [`Rreplay::peel`] unwraps such nesting to the innermost origin and keeps
//! the path, so loop breaking can look at every hop. keyrs forwards the
//! original envelope unchanged instead (no growth per hop; dedup by the true
//! origin works on every node).
//!
//! Everything here comes from a peer: bad input is an [`EnvelopeError`],
//! never a panic.

use bytes::Bytes;

use super::node::NodeId;
use super::stamp::Stamp;
use crate::repl::wire;

/// The command name.
pub const NAME: &str = "RREPLAY";

/// KeyDB's nesting cap (`REPLAY_MAX_NESTING`).
pub const MAX_NESTING: usize = 64;

/// A parsed envelope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rreplay {
    /// The node that sent (KeyDB: wrapped) it.
    pub origin: NodeId,
    /// The wrapped command(s), as RESP.
    pub payload: Bytes,
    /// The database (argument 3; absent: the receiver's current one).
    pub db: Option<u32>,
    /// The origin's stamp (argument 4; absent or 0: unstamped).
    pub stamp: Stamp,
}

/// An envelope unwrapped down to the write it carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Peeled {
    /// Every wrapping node, outermost first, ending with the origin.
    pub path: Vec<NodeId>,
    /// The innermost envelope.
    pub inner: Rreplay,
    /// Its commands.
    pub commands: Vec<Vec<Bytes>>,
}

/// Why an envelope was refused. The texts are keyrs's own: KeyDB's
/// exact error strings for these cases are not in keydb.md and must be
/// checked before the command handler replies with them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EnvelopeError {
    /// Not `RREPLAY uuid payload [db [stamp]]`.
    Arity,
    /// The origin is not a 36-character UUID.
    BadUuid,
    /// The database is not a non-negative decimal in `u32`.
    BadDb,
    /// The stamp is not an unsigned 64-bit decimal.
    BadStamp,
    /// The payload is not complete RESP commands.
    BadPayload(String),
    /// Nested deeper than [`MAX_NESTING`].
    TooDeep,
}

impl std::fmt::Display for EnvelopeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            EnvelopeError::Arity => f.write_str("wrong number of arguments for 'rreplay' command"),
            EnvelopeError::BadUuid => f.write_str("RREPLAY origin is not a UUID"),
            EnvelopeError::BadDb => f.write_str("RREPLAY database is not a valid index"),
            EnvelopeError::BadStamp => f.write_str("RREPLAY stamp is not an unsigned integer"),
            EnvelopeError::BadPayload(why) => write!(f, "RREPLAY payload is not RESP: {why}"),
            EnvelopeError::TooDeep => f.write_str("RREPLAY nested too deeply"),
        }
    }
}

/// The envelope's bytes for one already-encoded command (`payload`, RESP).
pub fn encode(origin: NodeId, payload: &[u8], db: u32, stamp: Stamp) -> Vec<u8> {
    let db = db.to_string();
    let stamp = stamp.to_decimal();
    wire::encode(&[
        NAME.as_bytes(),
        &origin.to_text()[..],
        payload,
        db.as_bytes(),
        stamp.as_bytes(),
    ])
}

/// Is `name` RREPLAY (any case)?
pub fn is_rreplay(name: &[u8]) -> bool {
    name.eq_ignore_ascii_case(NAME.as_bytes())
}

impl Rreplay {
    /// Parse a received `RREPLAY` command (`argv[0]` is the name).
    pub fn parse(argv: &[Bytes]) -> Result<Rreplay, EnvelopeError> {
        if !(3..=5).contains(&argv.len()) || !is_rreplay(&argv[0]) {
            return Err(EnvelopeError::Arity);
        }
        let origin = NodeId::parse(&argv[1]).map_err(|_| EnvelopeError::BadUuid)?;
        let payload = argv[2].clone();
        let db = match argv.get(3) {
            None => None,
            Some(t) => Some(parse_u32(t).ok_or(EnvelopeError::BadDb)?),
        };
        let stamp = match argv.get(4) {
            None => Stamp::ZERO,
            Some(t) => Stamp::parse(t).ok_or(EnvelopeError::BadStamp)?,
        };
        Ok(Rreplay {
            origin,
            payload,
            db,
            stamp,
        })
    }

    /// The payload's commands (lone newlines skipped; incomplete or
    /// malformed RESP is an error).
    pub fn commands(&self) -> Result<Vec<Vec<Bytes>>, EnvelopeError> {
        let mut out = Vec::new();
        let mut rest: &[u8] = &self.payload;
        while !rest.is_empty() {
            match wire::command(rest) {
                Ok(Some((args, used))) => {
                    if !args.is_empty() {
                        out.push(args);
                    }
                    rest = &rest[used..];
                }
                Ok(None) => return Err(EnvelopeError::BadPayload("incomplete command".into())),
                Err(e) => return Err(EnvelopeError::BadPayload(e.0)),
            }
        }
        if out.is_empty() {
            return Err(EnvelopeError::BadPayload("no command".into()));
        }
        Ok(out)
    }

    /// Unwrap KeyDB's forwarding nesting: while the payload is exactly one
    /// RREPLAY, descend into it (at most [`MAX_NESTING`] levels).
    pub fn peel(self) -> Result<Peeled, EnvelopeError> {
        let mut path = vec![self.origin];
        let mut env = self;
        loop {
            let commands = env.commands()?;
            let nested = commands.len() == 1 && is_rreplay(&commands[0][0]);
            if !nested {
                return Ok(Peeled {
                    path,
                    inner: env,
                    commands,
                });
            }
            if path.len() >= MAX_NESTING {
                return Err(EnvelopeError::TooDeep);
            }
            env = Rreplay::parse(&commands[0])?;
            path.push(env.origin);
        }
    }
}

impl Peeled {
    /// Did this envelope pass through `node` (as origin or forwarder)?
    /// The loop breaker: such an envelope is acknowledged, not applied.
    pub fn visited(&self, node: NodeId) -> bool {
        self.path.contains(&node)
    }

    /// The write's origin.
    pub fn origin(&self) -> NodeId {
        self.inner.origin
    }
}

fn parse_u32(t: &[u8]) -> Option<u32> {
    if t.is_empty() || t.len() > 10 || !t.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(t).ok()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn id(b: u8) -> NodeId {
        NodeId::from_random([b; 16])
    }

    fn argv(bytes: &[u8]) -> Vec<Bytes> {
        let (args, used) = wire::command(bytes).unwrap().unwrap();
        assert_eq!(used, bytes.len());
        args
    }

    #[test]
    fn bytes_are_keydbs() {
        let o = id(1);
        let inner = wire::encode(&["SET", "k", "v"]);
        let got = encode(o, &inner, 3, Stamp(1234));
        let mut want = Vec::new();
        want.extend_from_slice(b"*5\r\n$7\r\nRREPLAY\r\n$36\r\n");
        want.extend_from_slice(&o.to_text());
        want.extend_from_slice(format!("\r\n${}\r\n", inner.len()).as_bytes());
        want.extend_from_slice(&inner);
        want.extend_from_slice(b"\r\n$1\r\n3\r\n$4\r\n1234\r\n");
        assert_eq!(got, want);
    }

    #[test]
    fn round_trip() {
        let o = id(2);
        let inner = wire::encode(&["DEL", "a", "b"]);
        let env = Rreplay::parse(&argv(&encode(o, &inner, 15, Stamp(u64::MAX)))).unwrap();
        assert_eq!(env.origin, o);
        assert_eq!(env.db, Some(15));
        assert_eq!(env.stamp, Stamp(u64::MAX));
        assert_eq!(
            env.commands().unwrap(),
            vec![vec![
                Bytes::from_static(b"DEL"),
                Bytes::from_static(b"a"),
                Bytes::from_static(b"b")
            ]]
        );
    }

    #[test]
    fn optional_arguments_and_several_commands() {
        let o = id(3);
        let mut payload = wire::encode(&["MULTI"]);
        payload.extend_from_slice(b"\r\n");
        payload.extend(wire::encode(&["INCR", "x"]));
        payload.extend(wire::encode(&["EXEC"]));
        let env = Rreplay::parse(&[
            Bytes::from_static(b"rreplay"),
            Bytes::copy_from_slice(&o.to_text()),
            Bytes::from(payload),
        ])
        .unwrap();
        assert_eq!(env.db, None);
        assert_eq!(env.stamp, Stamp::ZERO);
        assert_eq!(env.commands().unwrap().len(), 3);
    }

    #[test]
    fn bad_input_is_an_error() {
        let o = Bytes::copy_from_slice(&id(4).to_text());
        let p = Bytes::from(wire::encode(&["PING"]));
        let b = |s: &'static str| Bytes::from_static(s.as_bytes());
        let cases: Vec<(Vec<Bytes>, EnvelopeError)> = vec![
            (vec![b("RREPLAY"), o.clone()], EnvelopeError::Arity),
            (vec![b("GET"), o.clone(), p.clone()], EnvelopeError::Arity),
            (
                vec![b("RREPLAY"), o.clone(), p.clone(), b("0"), b("1"), b("x")],
                EnvelopeError::Arity,
            ),
            (
                vec![b("RREPLAY"), b("not-a-uuid"), p.clone()],
                EnvelopeError::BadUuid,
            ),
            (
                vec![b("RREPLAY"), o.clone(), p.clone(), b("-1")],
                EnvelopeError::BadDb,
            ),
            (
                vec![b("RREPLAY"), o.clone(), p.clone(), b("4294967296")],
                EnvelopeError::BadDb,
            ),
            (
                vec![b("RREPLAY"), o.clone(), p.clone(), b("0"), b("1x")],
                EnvelopeError::BadStamp,
            ),
        ];
        for (args, want) in cases {
            assert_eq!(Rreplay::parse(&args), Err(want), "{args:?}");
        }
        for payload in [
            &b""[..],
            b"*2\r\n$3\r\nGET\r\n",
            b"*1\r\n+PING\r\n",
            b"\r\n",
        ] {
            let env = Rreplay::parse(&[b("RREPLAY"), o.clone(), Bytes::copy_from_slice(payload)])
                .unwrap();
            assert!(
                matches!(env.commands(), Err(EnvelopeError::BadPayload(_))),
                "{payload:?}"
            );
        }
    }

    #[test]
    fn keydb_nesting_peels_to_the_origin() {
        let (a, b, c) = (id(10), id(11), id(12));
        let inner = wire::encode(&["SET", "k", "v"]);
        let e1 = encode(a, &inner, 0, Stamp(7));
        let e2 = encode(b, &e1, 0, Stamp(9));
        let e3 = encode(c, &e2, 0, Stamp(11));
        let p = Rreplay::parse(&argv(&e3)).unwrap().peel().unwrap();
        assert_eq!(p.path, vec![c, b, a]);
        assert_eq!(p.origin(), a);
        assert_eq!(p.inner.stamp, Stamp(7));
        assert_eq!(p.commands[0][0], Bytes::from_static(b"SET"));
        assert!(p.visited(b) && !p.visited(id(13)));
    }

    #[test]
    fn nesting_is_capped() {
        let o = id(20);
        let mut env = wire::encode(&["PING"]);
        for _ in 0..MAX_NESTING {
            env = encode(o, &env, 0, Stamp(1));
        }
        assert!(
            Rreplay::parse(&argv(&env)).unwrap().peel().is_ok(),
            "64 levels are fine"
        );
        let env = encode(o, &env, 0, Stamp(1));
        assert_eq!(
            Rreplay::parse(&argv(&env)).unwrap().peel(),
            Err(EnvelopeError::TooDeep)
        );
    }

    proptest! {
        #[test]
        fn never_panics(args in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..80), 0..6)) {
            let mut argv: Vec<Bytes> = args.into_iter().map(Bytes::from).collect();
            if let Some(first) = argv.first_mut() {
                *first = Bytes::from_static(b"RREPLAY");
            }
            if let Ok(env) = Rreplay::parse(&argv) {
                let _ = env.peel();
            }
        }

        #[test]
        fn encode_parse_round_trips(
            o in any::<[u8; 16]>(),
            args in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..20), 1..5),
            db in any::<u32>(),
            stamp in any::<u64>(),
        ) {
            let origin = NodeId::from_bytes(o);
            let inner = wire::encode(&args);
            let env = Rreplay::parse(&argv(&encode(origin, &inner, db, Stamp(stamp)))).unwrap();
            prop_assert_eq!(env.origin, origin);
            prop_assert_eq!(env.db, Some(db));
            prop_assert_eq!(env.stamp, Stamp(stamp));
            let want: Vec<Bytes> = args.into_iter().map(Bytes::from).collect();
            prop_assert_eq!(env.commands().unwrap(), vec![want]);
        }
    }
}
