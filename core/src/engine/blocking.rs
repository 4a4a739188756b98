//! Blocked clients (BLPOP and friends): who waits on which keys, which keys
//! became ready, and the deadlines.
//!
//! A blocking command that finds nothing calls [`Engine::block_client`]: the
//! client is parked with its command, and the driver stops feeding it input
//! until an [`Effect::Unblocked`] arrives. When a write signals a key ready,
//! the engine (after the command, see [`Engine::serve_blocked`]) re-runs
//! the parked command of each waiter of that key, oldest first; a waiter the
//! re-run serves gets its reply as an [`Effect::Deliver`] and is unblocked, a
//! waiter it cannot serve keeps its place. Re-running the command itself
//! keeps one implementation of each pop, with every side effect (keyspace
//! events, BLMOVE's push) as the non-blocking path.

use std::collections::VecDeque;

use bytes::Bytes;
use hashbrown::{HashMap, HashSet};

use super::commands::stream::read::{blocked_reader_gone, serve_read, ReadRequest};
use super::{Call, ClientId, Effect, Engine, Time};
use crate::resp::Reply;
use crate::util::num::LongDouble;

/// Redis's error for a malformed seconds timeout.
pub const TIMEOUT_NOT_FLOAT: &str = "ERR timeout is not a float or out of range";
/// Redis's error for a malformed milliseconds timeout (XREAD BLOCK).
pub const TIMEOUT_NOT_INTEGER: &str = "ERR timeout is not an integer or out of range";
/// Redis's error for a negative timeout.
pub const TIMEOUT_NEGATIVE: &str = "ERR timeout is negative";
/// The error a client unblocked by `CLIENT UNBLOCK id ERROR` receives.
pub const UNBLOCKED_ERROR: &str = "UNBLOCKED client unblocked via CLIENT UNBLOCK";

/// One parked client.
#[derive(Debug, Clone)]
pub struct Blocked {
    /// The database its keys live in.
    pub db: usize,
    /// The keys it waits on.
    pub keys: Vec<Bytes>,
    /// The command to re-run when a key is ready.
    pub argv: Vec<Bytes>,
    /// Absolute deadline in ms; `None` waits forever.
    pub deadline_ms: Option<u64>,
    /// What it receives when the deadline passes (a null of the command's kind).
    pub timeout_reply: Reply,
    /// XREAD/XREADGROUP: the parsed read (its `$` resolved when it
    /// blocked), served as is instead of re-running the command.
    pub stream: Option<ReadRequest>,
}

/// All parked clients.
#[derive(Debug, Default)]
pub struct Blocking {
    clients: HashMap<ClientId, Blocked>,
    by_key: HashMap<(usize, Bytes), VecDeque<ClientId>>,
    ready: VecDeque<(usize, Bytes)>,
    ready_set: HashSet<(usize, Bytes)>,
    /// The client whose parked command is being re-run.
    serving: Option<ClientId>,
    /// The re-run found nothing to serve.
    still_blocked: bool,
}

impl Blocking {
    /// Is `client` parked?
    pub fn is_blocked(&self, client: ClientId) -> bool {
        self.clients.contains_key(&client)
    }

    /// Number of parked clients (INFO `blocked_clients`).
    pub fn len(&self) -> usize {
        self.clients.len()
    }

    /// Parked clients with a deadline (INFO `clients_in_timeout_table`).
    pub fn with_deadline(&self) -> usize {
        self.clients
            .values()
            .filter(|b| b.deadline_ms.is_some())
            .count()
    }

    /// True when nobody is parked.
    pub fn is_empty(&self) -> bool {
        self.clients.is_empty()
    }

    /// Park `client`.
    pub fn add(&mut self, client: ClientId, b: Blocked) {
        // A client is parked once; a stale record would leave its old keys.
        self.remove(client);
        for k in &b.keys {
            let q = self.by_key.entry((b.db, k.clone())).or_default();
            if !q.contains(&client) {
                q.push_back(client);
            }
        }
        self.clients.insert(client, b);
    }

    /// Unpark `client`; its record.
    pub fn remove(&mut self, client: ClientId) -> Option<Blocked> {
        let b = self.clients.remove(&client)?;
        for k in &b.keys {
            let slot = (b.db, k.clone());
            if let Some(q) = self.by_key.get_mut(&slot) {
                q.retain(|&c| c != client);
                if q.is_empty() {
                    self.by_key.remove(&slot);
                }
            }
        }
        Some(b)
    }

    /// A key got elements: queue it if somebody waits on it.
    pub fn key_ready(&mut self, db: usize, key: &[u8]) {
        if self.by_key.is_empty() {
            return;
        }
        let slot = (db, Bytes::copy_from_slice(key));
        if self.by_key.contains_key(&slot) && self.ready_set.insert(slot.clone()) {
            self.ready.push_back(slot);
        }
    }

    /// The next ready key.
    fn pop_ready(&mut self) -> Option<(usize, Bytes)> {
        let slot = self.ready.pop_front()?;
        self.ready_set.remove(&slot);
        Some(slot)
    }

    /// Waiters of a key, oldest first.
    fn waiters(&self, slot: &(usize, Bytes)) -> Vec<ClientId> {
        self.by_key
            .get(slot)
            .map(|q| q.iter().copied().collect())
            .unwrap_or_default()
    }

    /// Keys of `db` somebody waits on.
    pub fn keys_in(&self, db: usize) -> Vec<Bytes> {
        self.by_key
            .keys()
            .filter(|(d, _)| *d == db)
            .map(|(_, k)| k.clone())
            .collect()
    }

    /// Clients whose deadline passed at `now_ms`.
    fn timed_out(&self, now_ms: u64) -> Vec<ClientId> {
        let mut v: Vec<ClientId> = self
            .clients
            .iter()
            // As Redis: answered once the deadline is behind us.
            .filter(|(_, b)| b.deadline_ms.is_some_and(|d| d < now_ms))
            .map(|(&c, _)| c)
            .collect();
        v.sort_unstable();
        v
    }
}

/// Parse a blocking timeout in seconds (a float; 0 = forever) into an
/// absolute deadline in ms, as Redis's `getTimeoutFromObjectOrReply`.
pub fn parse_timeout_secs(arg: &[u8], now: Time) -> Result<Option<u64>, Reply> {
    // Redis reads the timeout as a `long double` (strtold): 1e400 parses
    // (and then overflows the millisecond cast: "negative"), 1e5000 does not.
    let secs = LongDouble::parse(arg).ok_or_else(|| Reply::error(TIMEOUT_NOT_FLOAT))?;
    let narrow = secs.to_f64();
    let ms = if narrow == 0.0 && secs.is_positive() {
        // Below a double's range but above zero: the smallest wait.
        1.0
    } else {
        (narrow * 1000.0).ceil()
    };
    // Redis casts to a 64-bit integer: an infinite or huge timeout wraps
    // negative there, hence its "negative" error for `inf` or 1e300.
    if ms >= 9_223_372_036_854_775_807.0 {
        return Err(Reply::error(TIMEOUT_NEGATIVE));
    }
    deadline(ms as i64, now)
}

/// Parse a blocking timeout in milliseconds (an integer; 0 = forever).
pub fn parse_timeout_ms(arg: &[u8], now: Time) -> Result<Option<u64>, Reply> {
    let ms = crate::resp::parse_i64(arg).ok_or_else(|| Reply::error(TIMEOUT_NOT_INTEGER))?;
    deadline(ms, now)
}

fn deadline(ms: i64, now: Time) -> Result<Option<u64>, Reply> {
    if ms < 0 {
        return Err(Reply::error(TIMEOUT_NEGATIVE));
    }
    if ms == 0 {
        return Ok(None);
    }
    // A deadline past the end of time is as good as none.
    Ok(Some((ms as u64).saturating_add(now.ms())))
}

impl Engine {
    /// A blocking command found nothing to serve: park the caller on `keys`
    /// until one is ready or `deadline_ms` passes (then it gets a null
    /// array, as Redis 7.0 answers every timed-out list, zset and stream
    /// command). Returns what the handler should return: inside MULTI/EXEC
    /// the command must not block and `nonblocking_reply` (the command's
    /// own empty answer) is the reply at once; otherwise a placeholder the
    /// engine does not send.
    pub fn block_client(
        &mut self,
        call: &Call<'_>,
        keys: Vec<Bytes>,
        deadline_ms: Option<u64>,
        nonblocking_reply: Reply,
    ) -> Reply {
        if self.in_exec {
            return nonblocking_reply;
        }
        if self.blocking.serving == Some(call.client) {
            self.blocking.still_blocked = true;
            return Reply::Nil;
        }
        if let Some(c) = self.clients.get_mut(call.client) {
            c.blocked = true;
        }
        self.blocking.add(
            call.client,
            Blocked {
                db: call.db,
                keys,
                argv: call.argv.to_vec(),
                deadline_ms,
                timeout_reply: Reply::NilArray,
                stream: None,
            },
        );
        Reply::Nil
    }

    /// XREAD/XREADGROUP BLOCK found nothing: park the caller with its parsed
    /// request (served as is when a stream key is signalled). Inside MULTI
    /// the answer is the null array at once.
    pub fn block_client_stream(&mut self, call: &Call<'_>, req: ReadRequest) -> Reply {
        if self.in_exec {
            return Reply::NilArray;
        }
        // BLOCK 0 waits forever.
        let deadline_ms = req.block_deadline_ms.filter(|&d| d != 0);
        if let Some(c) = self.clients.get_mut(call.client) {
            c.blocked = true;
        }
        self.blocking.add(
            call.client,
            Blocked {
                db: call.db,
                keys: req.keys.clone(),
                argv: call.argv.to_vec(),
                deadline_ms,
                timeout_reply: Reply::NilArray,
                stream: Some(req),
            },
        );
        Reply::Nil
    }

    /// Serve a parked stream reader if it can be: its reply, or `None`
    /// while it keeps waiting.
    fn serve_stream_reader(
        &mut self,
        client: ClientId,
        db: usize,
        req: &ReadRequest,
        now: Time,
    ) -> Option<Reply> {
        if let Some(err) = blocked_reader_gone(self, db, req) {
            return Some(err);
        }
        let proto = self.client_proto(client);
        serve_read(self, db, now, proto, req)
    }

    /// Unpark `client` (served, timed out, unblocked, gone).
    fn unpark(&mut self, client: ClientId) -> Option<Blocked> {
        if let Some(c) = self.clients.get_mut(client) {
            c.blocked = false;
        }
        self.blocking.remove(client)
    }

    /// Keys of `db` that blocked clients wait on (SWAPDB re-checks them).
    pub fn blocking_keys(&self, db: usize) -> Vec<Bytes> {
        self.blocking.keys_in(db)
    }

    /// Serve parked clients whose keys became ready, oldest waiter first,
    /// until no ready key remains (a served BLMOVE may ready another key).
    pub fn serve_blocked(&mut self, now: Time) {
        while let Some(slot) = self.blocking.pop_ready() {
            for client in self.blocking.waiters(&slot) {
                let Some(b) = self.blocking.clients.get(&client).cloned() else {
                    continue;
                };
                if let Some(req) = &b.stream {
                    let frame = self.prop_enter();
                    let served = self.serve_stream_reader(client, b.db, req, now);
                    self.prop_leave(frame, b.db, &b.argv, false);
                    if let Some(reply) = served {
                        self.unpark(client);
                        self.deliver(client, &reply);
                        self.outbox.push(Effect::Unblocked(client));
                    }
                    continue;
                }
                let Some(spec) = self.table.get(b.argv.first().map_or(&[][..], |a| a)) else {
                    continue;
                };
                self.blocking.serving = Some(client);
                self.blocking.still_blocked = false;
                let mut call = Call {
                    client,
                    argv: &b.argv,
                    db: b.db,
                    now,
                    effects: Vec::new(),
                    spec,
                    more: Vec::new(),
                };
                let frame = self.prop_enter();
                let reply = (spec.handler)(self, &mut call);
                self.drain_expired();
                self.prop_leave(frame, b.db, &b.argv, false);
                self.blocking.serving = None;
                // Nothing to serve, or the key now holds another type: Redis
                // leaves the client waiting (the re-run changed nothing).
                let wrong_type = matches!(&reply, Reply::Error(t) if t.starts_with("WRONGTYPE"));
                if self.blocking.still_blocked || wrong_type {
                    continue;
                }
                self.unpark(client);
                self.deliver(client, &reply);
                self.outbox.push(Effect::Unblocked(client));
            }
        }
    }

    /// Answer parked clients whose deadline passed (from the cron tick).
    pub fn expire_blocked(&mut self, now: Time) {
        if self.blocking.is_empty() {
            return;
        }
        for client in self.blocking.timed_out(now.ms()) {
            if let Some(b) = self.unpark(client) {
                self.deliver(client, &b.timeout_reply);
                self.outbox.push(Effect::Unblocked(client));
            }
        }
    }

    /// CLIENT UNBLOCK: answer a parked client with its timeout reply, or
    /// with the UNBLOCKED error when `error`. False if it was not blocked.
    pub fn unblock_client(&mut self, client: ClientId, error: bool) -> bool {
        let Some(b) = self.unpark(client) else {
            return false;
        };
        let reply = if error {
            Reply::error(UNBLOCKED_ERROR)
        } else {
            b.timeout_reply
        };
        self.deliver(client, &reply);
        self.outbox.push(Effect::Unblocked(client));
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(ms: u64) -> Time {
        Time::from_ms(ms)
    }

    #[test]
    fn timeouts_parse_as_redis() {
        assert_eq!(parse_timeout_secs(b"0", t(1000)), Ok(None));
        assert_eq!(parse_timeout_secs(b"1.5", t(1000)), Ok(Some(2500)));
        assert_eq!(parse_timeout_secs(b"0.0001", t(1000)), Ok(Some(1001)));
        assert_eq!(
            parse_timeout_secs(b"-1", t(0)),
            Err(Reply::error(TIMEOUT_NEGATIVE))
        );
        assert_eq!(
            parse_timeout_secs(b"abc", t(0)),
            Err(Reply::error(TIMEOUT_NOT_FLOAT))
        );
        assert_eq!(
            parse_timeout_secs(b"nan", t(0)),
            Err(Reply::error(TIMEOUT_NOT_FLOAT))
        );
        assert_eq!(
            parse_timeout_secs(b"inf", t(0)),
            Err(Reply::error(TIMEOUT_NEGATIVE))
        );
        assert_eq!(
            parse_timeout_secs(b"1e300", t(0)),
            Err(Reply::error(TIMEOUT_NEGATIVE))
        );
        // Long-double range, as redis-server 7.0.15 answers BRPOP k <timeout>.
        for huge in [&b"1e400"[..], b"-1e400", b"-0.5"] {
            assert_eq!(
                parse_timeout_secs(huge, t(0)),
                Err(Reply::error(TIMEOUT_NEGATIVE))
            );
        }
        assert_eq!(
            parse_timeout_secs(b"1e5000", t(0)),
            Err(Reply::error(TIMEOUT_NOT_FLOAT))
        );
        assert_eq!(parse_timeout_secs(b"1e-400", t(7)), Ok(Some(8)));
        assert_eq!(parse_timeout_secs(b"0x10", t(0)), Ok(Some(16_000)));
        assert_eq!(parse_timeout_ms(b"10", t(5)), Ok(Some(15)));
        assert_eq!(
            parse_timeout_ms(b"1.5", t(5)),
            Err(Reply::error(TIMEOUT_NOT_INTEGER))
        );
        assert_eq!(
            parse_timeout_ms(b"9223372036854775807", t(5)),
            Ok(Some(9_223_372_036_854_775_812))
        );
    }

    #[test]
    fn waiters_are_fifo_and_ready_keys_deduplicate() {
        let mut b = Blocking::default();
        let rec = |keys: &[&str]| Blocked {
            db: 0,
            keys: keys
                .iter()
                .map(|k| Bytes::copy_from_slice(k.as_bytes()))
                .collect(),
            argv: Vec::new(),
            deadline_ms: Some(100),
            timeout_reply: Reply::NilArray,
            stream: None,
        };
        b.add(7, rec(&["a", "b"]));
        b.add(3, rec(&["a"]));
        let slot = (0, Bytes::from_static(b"a"));
        assert_eq!(b.waiters(&slot), vec![7, 3]);
        b.key_ready(0, b"a");
        b.key_ready(0, b"a");
        b.key_ready(0, b"zzz");
        assert_eq!(b.pop_ready(), Some(slot.clone()));
        assert_eq!(b.pop_ready(), None);
        assert_eq!(b.timed_out(100), Vec::<ClientId>::new());
        assert_eq!(b.timed_out(101), vec![3, 7]);
        assert!(b.remove(7).is_some());
        assert_eq!(b.waiters(&slot), vec![3]);
        assert!(b.waiters(&(0, Bytes::from_static(b"b"))).is_empty());
        b.remove(3);
        assert!(b.is_empty());
        assert!(b.by_key.is_empty());
    }
}
