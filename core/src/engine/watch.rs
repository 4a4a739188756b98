//! WATCH bookkeeping and MULTI state: which clients watch which keys, which
//! of them saw a watched key change (their EXEC fails), and the commands a
//! client queued since MULTI.
//!
//! Everything is keyed by client id and cleaned up when the client leaves,
//! so the per-client state in `ClientState` stays untouched.

use bytes::Bytes;
use hashbrown::{HashMap, HashSet};

use super::ClientId;

/// One watcher of a key.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Watcher {
    client: ClientId,
    /// The key was already logically expired when WATCH ran: its deletion
    /// (by lazy or active expiry, or a flush) is no logical change, so it
    /// does not fail the transaction (Redis 7.0's `watchedKey.expired`).
    expired: bool,
}

/// Watched keys and dirty (CAS-failed) clients.
#[derive(Debug, Default)]
pub struct Watches {
    by_key: HashMap<(usize, Bytes), Vec<Watcher>>,
    by_client: HashMap<ClientId, Vec<(usize, Bytes)>>,
    dirty: HashSet<ClientId>,
}

impl Watches {
    /// True when nobody watches anything (the common case: a cheap exit
    /// for every write).
    pub fn is_empty(&self) -> bool {
        self.by_key.is_empty()
    }

    /// `client` watches `key` of `db`; `expired`: it is logically expired now.
    pub fn watch(&mut self, client: ClientId, db: usize, key: &[u8], expired: bool) {
        let list = self.by_client.entry(client).or_default();
        if list.iter().any(|(d, k)| *d == db && k.as_ref() == key) {
            return;
        }
        let key = Bytes::copy_from_slice(key);
        list.push((db, key.clone()));
        self.by_key
            .entry((db, key))
            .or_default()
            .push(Watcher { client, expired });
    }

    /// Forget every key `client` watches and its dirty flag (EXEC, DISCARD,
    /// UNWATCH, disconnect).
    pub fn unwatch_all(&mut self, client: ClientId) {
        self.dirty.remove(&client);
        let Some(keys) = self.by_client.remove(&client) else {
            return;
        };
        for k in keys {
            if let Some(ws) = self.by_key.get_mut(&k) {
                ws.retain(|w| w.client != client);
                if ws.is_empty() {
                    self.by_key.remove(&k);
                }
            }
        }
    }

    /// A watched key was modified. `exists`: whether it exists now (a
    /// watcher that saw it expired and now sees it gone sees no change).
    pub fn touch(&mut self, db: usize, key: &[u8], exists: bool) {
        if self.by_key.is_empty() {
            return;
        }
        let Some(ws) = self.by_key.get_mut(&(db, Bytes::copy_from_slice(key))) else {
            return;
        };
        for w in ws.iter_mut() {
            if w.expired && !exists {
                w.expired = false;
                continue;
            }
            self.dirty.insert(w.client);
        }
    }

    /// Every watched key of `db` for which `changed(key)` says a flush or
    /// swap changed it: `Some(exists_after)` for changed keys.
    pub fn touch_db(&mut self, db: usize, mut changed: impl FnMut(&[u8]) -> Option<bool>) {
        let keys: Vec<Bytes> = self
            .by_key
            .keys()
            .filter(|(d, _)| *d == db)
            .map(|(_, k)| k.clone())
            .collect();
        for k in keys {
            if let Some(exists) = changed(&k) {
                self.touch(db, &k, exists);
            }
        }
    }

    /// Did a watched key of `client` change since WATCH?
    pub fn is_dirty(&self, client: ClientId) -> bool {
        self.dirty.contains(&client)
    }

    /// Keys `client` watches (CLIENT LIST `watch=`, EXEC's expiry check).
    pub fn keys_of(&self, client: ClientId) -> &[(usize, Bytes)] {
        self.by_client.get(&client).map_or(&[], |v| v.as_slice())
    }

    /// Was `client`'s watch on `key` taken while it was already expired?
    pub fn watched_expired(&self, client: ClientId, db: usize, key: &Bytes) -> bool {
        self.by_key
            .get(&(db, key.clone()))
            .and_then(|ws| ws.iter().find(|w| w.client == client))
            .is_some_and(|w| w.expired)
    }

    /// Mark `client`'s transaction as failed.
    pub fn mark_dirty(&mut self, client: ClientId) {
        self.dirty.insert(client);
    }
}

/// A client inside MULTI.
#[derive(Debug, Default, Clone)]
pub struct MultiState {
    /// Commands queued for EXEC.
    pub queued: Vec<Vec<Bytes>>,
    /// A queued command was refused (unknown, arity...): EXEC aborts.
    pub aborted: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn touch_dirties_only_watchers_of_that_key() {
        let mut w = Watches::default();
        w.watch(1, 0, b"a", false);
        w.watch(2, 0, b"b", false);
        w.watch(3, 1, b"a", false);
        w.touch(0, b"a", true);
        assert!(w.is_dirty(1));
        assert!(!w.is_dirty(2));
        assert!(!w.is_dirty(3));
        w.unwatch_all(1);
        assert!(!w.is_dirty(1));
        w.touch(0, b"a", true);
        assert!(!w.is_dirty(1));
        w.unwatch_all(2);
        w.unwatch_all(3);
        assert!(w.is_empty());
    }

    #[test]
    fn deleting_an_already_expired_watched_key_is_no_change() {
        let mut w = Watches::default();
        w.watch(1, 0, b"k", true);
        w.touch(0, b"k", false);
        assert!(!w.is_dirty(1));
        // Once deleted it is a normal watch: recreating it dirties.
        w.touch(0, b"k", true);
        assert!(w.is_dirty(1));
    }

    #[test]
    fn touch_db_uses_the_predicate() {
        let mut w = Watches::default();
        w.watch(1, 0, b"x", false);
        w.watch(2, 0, b"y", false);
        w.touch_db(0, |k| (k == b"x").then_some(false));
        assert!(w.is_dirty(1));
        assert!(!w.is_dirty(2));
    }
}
