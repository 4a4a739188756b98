//! The hooks every write goes through, as Redis's `signalModifiedKey`,
//! `notifyKeyspaceEvent` and `signalKeyAsReady`. Commands call them after a
//! real modification (not when nothing changed), so that WATCH, keyspace
//! notifications, blocked clients and (later) replication all see the same
//! stream of changes.
//!
//! Keys deleted by expiry (lazily inside `Db`, or by the active cycle) are
//! queued by the database; [`Engine::drain_expired`] turns them into
//! `expired` events and WATCH invalidations. It runs before every other
//! event, so a command that meets an expired key publishes `expired` before
//! its own events, as Redis does.

use bytes::Bytes;

use super::pubsub::Kind;
use super::{ClientId, Db, Effect, Engine};
use crate::config::value::{parse_notify, NOTIFY_KEYEVENT, NOTIFY_KEYSPACE};
use crate::resp::{encoder, Reply};

impl Engine {
    /// `key` in `db` was modified (written, deleted, expired, renamed...):
    /// invalidates WATCHers and counts a change (`dirty`) for persistence.
    pub fn signal_modified(&mut self, db: usize, key: &[u8]) {
        self.drain_expired();
        self.stats.dirty += 1;
        self.touch_watched(db, key);
        // A deleted or overwritten key ends XREADGROUP waits (Redis's
        // signalDeletedKeyAsReady); waiters that still wait stay parked.
        self.blocking.key_ready(db, key);
    }

    /// WATCH invalidation alone (no dirty count).
    fn touch_watched(&mut self, db: usize, key: &[u8]) {
        if self.watches.is_empty() {
            return;
        }
        let exists = self.dbs.get(db).is_some_and(|d| d.keys.get(key).is_some());
        self.watches.touch(db, key, exists);
    }

    /// Every key of `db` is about to be dropped at once (FLUSHDB); `None`:
    /// all databases (FLUSHALL). Call it BEFORE clearing: only watchers of
    /// keys that existed see a change, as in Redis.
    pub fn signal_flushed(&mut self, db: Option<usize>) {
        self.drain_expired();
        self.stats.dirty += 1;
        let range = match db {
            Some(d) => d..d.saturating_add(1).min(self.dbs.len()),
            None => 0..self.dbs.len(),
        };
        for d in range.clone() {
            for k in self.blocking.keys_in(d) {
                self.blocking.key_ready(d, &k);
            }
        }
        if self.watches.is_empty() {
            return;
        }
        for d in range {
            let Some(the_db) = self.dbs.get(d) else {
                continue;
            };
            let the_db = &the_db.keys;
            self.watches
                .touch_db(d, |k| the_db.get(k).is_some().then_some(false));
        }
    }

    /// Databases `a` and `b` are about to swap (SWAPDB; call it BEFORE the
    /// swap): a watched key changed if it exists on either side.
    pub fn signal_swapped(&mut self, a: usize, b: usize) {
        self.drain_expired();
        if self.watches.is_empty() || a >= self.dbs.len() || b >= self.dbs.len() {
            return;
        }
        for (from, to) in [(a, b), (b, a)] {
            let (f, t) = (&self.dbs[from].keys, &self.dbs[to].keys);
            self.watches.touch_db(from, |k| {
                let after = t.get(k).is_some();
                (f.get(k).is_some() || after).then_some(after)
            });
        }
    }

    /// A keyspace event happened: `class` is the notify-keyspace-events class
    /// letter of the event (`g` generic, `$` string, `l` list, `s` set, `h`
    /// hash, `z` zset, `x` expired, `e` evicted, `t` stream, `n` new key, `m`
    /// key miss), `event` its name as Redis publishes it (`set`, `del`,
    /// `lpush`, `expired`, ...).
    pub fn notify_keyspace_event(&mut self, class: char, event: &str, key: &[u8], db: usize) {
        self.drain_expired();
        self.notify_now(class, event, key, db);
    }

    /// Publish a keyspace event if `notify-keyspace-events` enables its class.
    fn notify_now(&mut self, class: char, event: &str, key: &[u8], db: usize) {
        let flags = self.config.notify_keyspace_events();
        if flags == 0 {
            return;
        }
        let mut buf = [0u8; 4];
        let Some(bit) = parse_notify(class.encode_utf8(&mut buf)) else {
            return;
        };
        if flags & bit == 0 {
            return;
        }
        if flags & NOTIFY_KEYSPACE != 0 {
            let mut chan = format!("__keyspace@{db}__:").into_bytes();
            chan.extend_from_slice(key);
            self.publish(
                Kind::Channel,
                &Bytes::from(chan),
                &Bytes::copy_from_slice(event.as_bytes()),
            );
        }
        if flags & NOTIFY_KEYEVENT != 0 {
            let chan = format!("__keyevent@{db}__:{event}");
            self.publish(
                Kind::Channel,
                &Bytes::from(chan),
                &Bytes::copy_from_slice(key),
            );
        }
    }

    /// `key` in `db` may now satisfy clients blocked on it (a list, zset or
    /// stream got elements).
    pub fn signal_key_ready(&mut self, db: usize, key: &[u8]) {
        self.blocking.key_ready(db, key);
    }

    /// Turn keys removed by expiry since the last call into `expired`
    /// events and WATCH invalidations.
    pub fn drain_expired(&mut self) {
        // Called by every write, so the common cases must be O(1): when no
        // one can observe an expiry (no WATCH, no blocked client, keyspace
        // events off, no AOF or replica stream, whose DEL must precede the
        // write that met the key) announcing it now or at the end of the
        // command (the engine's `collect_lazy_expired`) is indistinguishable.
        if !self.prop.collecting()
            && self.watches.is_empty()
            && self.blocking.is_empty()
            && self.config.notify_keyspace_events() == 0
        {
            return;
        }
        self.drain_expired_now();
    }

    /// Announce every expired key not yet announced, whoever observes it.
    pub(crate) fn drain_expired_now(&mut self) {
        if !self.dbs.iter().any(Db::has_expired_keys) {
            return;
        }
        for d in 0..self.dbs.len() {
            if !self.dbs[d].has_expired_keys() {
                continue;
            }
            for key in self.dbs[d].take_expired_keys() {
                self.propagate_expired(d, &key);
                self.notify_now('x', "expired", &key, d);
                if !self.watches.is_empty() {
                    self.watches.touch(d, &key, false);
                }
                self.blocking.key_ready(d, &key);
            }
        }
    }

    /// Send `message` to the subscribers of `channel` (and, for classic
    /// channels, to matching patterns); returns how many received it.
    pub fn publish(&mut self, kind: Kind, channel: &Bytes, message: &Bytes) -> usize {
        let (word, pword) = match kind {
            Kind::Shard => ("smessage", "pmessage"),
            _ => ("message", "pmessage"),
        };
        let subs: Vec<ClientId> = self.pubsub.subscribers(kind, channel).to_vec();
        let mut n = subs.len();
        for c in subs {
            let msg = Reply::Push(vec![
                Reply::bulk_static(word.as_bytes()),
                Reply::Bulk(channel.clone()),
                Reply::Bulk(message.clone()),
            ]);
            self.deliver(c, &msg);
        }
        if kind == Kind::Channel && self.pubsub.pattern_count() > 0 {
            let pats = self.pubsub.pattern_matches(channel);
            n += pats.len();
            for (pat, c) in pats {
                let msg = Reply::Push(vec![
                    Reply::bulk_static(pword.as_bytes()),
                    Reply::Bulk(pat),
                    Reply::Bulk(channel.clone()),
                    Reply::Bulk(message.clone()),
                ]);
                self.deliver(c, &msg);
            }
        }
        n
    }

    /// Queue `reply` for `client`, encoded in its protocol, for the driver
    /// to write to that connection (possibly owned by another thread).
    pub fn deliver(&mut self, client: ClientId, reply: &Reply) {
        let proto = self.client_proto(client);
        let bytes = Bytes::from(encoder::encode_to_vec(reply, proto));
        self.outbox.push(Effect::Deliver { client, bytes });
    }
}
