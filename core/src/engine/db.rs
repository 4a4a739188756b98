//! One database: keys with values, and their expiry times.

use bytes::Bytes;

use super::dict::Dict;
use super::value::Value;
use super::Time;

/// A key's entry.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// The value.
    pub value: Value,
    /// Last access, in seconds of the engine clock (OBJECT IDLETIME).
    pub access_secs: u32,
}

/// A database.
#[derive(Debug, Clone)]
pub struct Db {
    /// Key → entry.
    pub keys: Dict<Entry>,
    /// Key → absolute expiry in Unix milliseconds.
    pub expires: Dict<u64>,
    /// Keys deleted by lazy or active expiry, not yet counted in stats.
    expired_pending: u64,
}

impl Db {
    /// An empty database.
    pub fn new(seed: u64) -> Db {
        Db {
            keys: Dict::new(seed),
            expires: Dict::new(seed ^ 0x9e37_79b9_7f4a_7c15),
            expired_pending: 0,
        }
    }

    /// Number of keys (including not-yet-reclaimed expired ones, as DBSIZE).
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// True when there are no keys.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// Is `key` logically expired at `now`?
    pub fn is_expired(&self, key: &[u8], now: Time) -> bool {
        // As Redis (`keyIsExpired`: now > when): a key is still alive during
        // the very millisecond it expires at.
        matches!(self.expires.get(key), Some(&at) if at < now.ms())
    }

    /// Delete `key` if it is expired; true if it was.
    pub fn expire_if_needed(&mut self, key: &[u8], now: Time) -> bool {
        if self.is_expired(key, now) {
            self.remove(key);
            self.expired_pending += 1;
            true
        } else {
            false
        }
    }

    /// Look up a live key for reading or writing, expiring it lazily and
    /// touching its access time.
    pub fn lookup(&mut self, key: &[u8], now: Time) -> Option<&mut Entry> {
        self.expire_if_needed(key, now);
        let e = self.keys.get_mut(key)?;
        e.access_secs = now.secs() as u32;
        Some(e)
    }

    /// Look up a live key without touching its access time (OBJECT, TYPE-less
    /// peeks). Still expires lazily.
    pub fn lookup_no_touch(&mut self, key: &[u8], now: Time) -> Option<&mut Entry> {
        self.expire_if_needed(key, now);
        self.keys.get_mut(key)
    }

    /// Set `key` to `value`, dropping any TTL (SET without KEEPTTL).
    pub fn set(&mut self, key: Bytes, value: Value, now: Time) {
        self.expires.remove(&key);
        self.set_keep_ttl(key, value, now);
    }

    /// Set `key` to `value`, keeping its TTL if it has one.
    pub fn set_keep_ttl(&mut self, key: Bytes, value: Value, now: Time) {
        let entry = Entry {
            value,
            access_secs: now.secs() as u32,
        };
        self.keys.insert(key, entry);
    }

    /// Delete a key (and its TTL); returns the entry.
    pub fn remove(&mut self, key: &[u8]) -> Option<Entry> {
        self.expires.remove(key);
        self.keys.remove(key).map(|(_, e)| e)
    }

    /// The key's absolute expiry in ms, if any.
    pub fn expire_at(&self, key: &[u8]) -> Option<u64> {
        self.expires.get(key).copied()
    }

    /// Set the key's absolute expiry; false if the key does not exist.
    pub fn set_expire(&mut self, key: &[u8], at_ms: u64) -> bool {
        match self.keys.get_key_value(key) {
            Some((k, _)) => {
                let k = k.clone();
                self.expires.insert(k, at_ms);
                true
            }
            None => false,
        }
    }

    /// Remove the key's TTL; true if it had one.
    pub fn persist(&mut self, key: &[u8]) -> bool {
        self.expires.remove(key).is_some()
    }

    /// Remove every key.
    pub fn clear(&mut self) {
        self.keys.clear();
        self.expires.clear();
    }

    /// Record a key removed by active expiry.
    pub fn note_expired(&mut self) {
        self.expired_pending += 1;
    }

    /// Take the count of keys expired since the last call.
    pub fn take_expired_count(&mut self) -> u64 {
        std::mem::take(&mut self.expired_pending)
    }
}
