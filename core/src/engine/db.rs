//! One database: keys with values, and their expiry times.

use bytes::Bytes;

use super::dict::Dict;
use super::smallkey::SmallKey;
use super::value::Value;
use super::Time;
use crate::persist::snapshot::{self, Change, DbWalk};

/// A key's entry.
///
/// Both access trackers are kept whatever `maxmemory-policy` says (Redis
/// keeps only the one its policy needs, in 24 bits); they fit in the
/// padding after the value, so the entry is no bigger for it.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// The value.
    pub value: Value,
    /// Last access, in seconds of the engine clock (OBJECT IDLETIME).
    pub access_secs: u32,
    /// LFU: minutes clock (mod 2^16) of the last counter decrement.
    pub lfu_minutes: u16,
    /// LFU: the logarithmic access counter (OBJECT FREQ).
    pub lfu_counter: u8,
    /// Set while the database's marking snapshot walk has not reached this
    /// entry but already took its state (or the key is newer than the
    /// snapshot): the walk skips it and clears the mark as it passes. It
    /// lives in the entry's padding, so a walk remembers written keys
    /// without a table of their names (see `persist::snapshot`).
    pub(crate) snap_skip: bool,
}

/// Initial LFU counter of a new key (Redis's `LFU_INIT_VAL`), so new keys
/// are not evicted before they had a chance to be used.
pub const LFU_INIT_VAL: u8 = 5;

/// `lfu-log-factor` default: how slowly the counter saturates.
pub const LFU_LOG_FACTOR: u32 = 10;

/// `lfu-decay-time` default: minutes per counter decrement.
pub const LFU_DECAY_MINUTES: u32 = 1;

/// The LFU minutes clock: minutes since the epoch, mod 2^16.
fn lfu_minutes(now: Time) -> u16 {
    ((now.secs() / 60) & 0xffff) as u16
}

impl Entry {
    /// A fresh entry, accessed now.
    pub fn new(value: Value, now: Time) -> Entry {
        Entry {
            value,
            access_secs: now.secs() as u32,
            lfu_minutes: lfu_minutes(now),
            lfu_counter: LFU_INIT_VAL,
            snap_skip: false,
        }
    }

    /// The LFU counter after decaying for the minutes elapsed since its
    /// last update (Redis's `LFUDecrAndReturn`; does not store).
    pub fn lfu_decayed(&self, now: Time) -> u8 {
        let now_min = lfu_minutes(now);
        let elapsed = if now_min >= self.lfu_minutes {
            u32::from(now_min - self.lfu_minutes)
        } else {
            65535 - u32::from(self.lfu_minutes) + u32::from(now_min)
        };
        let periods = elapsed / LFU_DECAY_MINUTES.max(1);
        self.lfu_counter
            .saturating_sub(u8::try_from(periods).unwrap_or(u8::MAX))
    }

    /// Record an access at `now`: refresh the idle clock, decay then
    /// logarithmically increment the LFU counter using `rand01` in [0, 1).
    pub fn touch(&mut self, now: Time, rand01: f64) {
        self.access_secs = now.secs() as u32;
        let mut counter = self.lfu_decayed(now);
        if counter < u8::MAX {
            let base = f64::from(counter.saturating_sub(LFU_INIT_VAL));
            let p = 1.0 / (base * f64::from(LFU_LOG_FACTOR) + 1.0);
            if rand01 < p {
                counter += 1;
            }
        }
        self.lfu_counter = counter;
        self.lfu_minutes = lfu_minutes(now);
    }
}

/// The expires table hashes with the database seed xor this.
const EXPIRES_SEED_XOR: u64 = 0x9e37_79b9_7f4a_7c15;

/// What lazy expiry does with a key whose time has passed (Redis's
/// `expireIfNeeded` by role).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ExpiryMode {
    /// A master: delete the key (the engine propagates a DEL).
    #[default]
    Delete,
    /// A replica serving its own clients: report the key as missing but
    /// keep it. Only the master's DEL removes it, so the keyspace never
    /// runs ahead of the master's (a write the master makes to the key in
    /// its last millisecond must still find it here).
    Hide,
    /// Commands from our master, or an AOF being replayed: nothing is
    /// expired; the stream already says what happened to every key.
    Keep,
}

/// A database.
#[derive(Debug, Clone)]
pub struct Db {
    /// Key → entry (keys inline in the node when short: see `smallkey.rs`).
    pub keys: Dict<Entry, SmallKey>,
    /// Key → absolute expiry in Unix milliseconds.
    pub expires: Dict<u64>,
    /// Keys deleted by lazy or active expiry, not yet counted in stats.
    expired_pending: u64,
    /// The keys behind `expired_pending`, not yet announced (`expired`
    /// keyspace events, WATCH): the engine drains them.
    expired_keys: Vec<Bytes>,
    /// Where the active-expiry cycle resumes its SCAN over `expires`
    /// (Redis's `expires_cursor`): sampling by cursor rather than at random
    /// visits every volatile key in turn.
    pub expires_cursor: u64,
    /// Seeded generator state for the LFU counter's probabilistic increment.
    lfu_rng: u64,
    /// The seed the tables hash with (a flush during a snapshot starts new
    /// tables with it).
    seed: u64,
    /// Point-in-time snapshots still walking this database. Every
    /// modification calls [`Db::preserve`] first, so a key's state at the
    /// snapshot's start is kept until the walk reaches it. Kept in the
    /// database (not the engine) so SWAPDB carries it along.
    pub(crate) walks: Vec<DbWalk>,
    /// How lazy expiry treats this database's keys (the engine sets it
    /// from its role and the running client).
    pub expiry: ExpiryMode,
    /// Per-key versions and tombstones, only while `active-replica` is on
    /// (`None` otherwise: one pointer per database, nothing per key). Kept
    /// here so SWAPDB carries it with the keys; a flush leaves it to the
    /// engine (the flush tombstone is recorded there).
    pub stamps: Option<Box<crate::repl::active::DbStamps>>,
}

impl Db {
    /// An empty database.
    pub fn new(seed: u64) -> Db {
        Db {
            keys: Dict::new_keyed(seed),
            expires: Dict::new(seed ^ EXPIRES_SEED_XOR),
            expired_pending: 0,
            expired_keys: Vec::new(),
            expires_cursor: 0,
            lfu_rng: seed,
            seed,
            walks: Vec::new(),
            expiry: ExpiryMode::Delete,
            stamps: None,
        }
    }

    /// Allocate the version table (active replication turned on).
    pub fn enable_stamps(&mut self) {
        if self.stamps.is_none() {
            self.stamps = Some(Box::new(crate::repl::active::DbStamps::new(self.seed)));
        }
    }

    /// About to change `key` (`change` says how): a snapshot that has not
    /// reached the key yet keeps its current state first. Every
    /// modification of the keyspace must come through here (the mutating
    /// methods below call it). True when an entry created for `key` must
    /// carry the snapshot mark ([`Entry::snap_skip`]; an entry changed in
    /// place already does).
    #[inline]
    fn preserve(&mut self, key: &[u8], change: Change) -> bool {
        !self.walks.is_empty()
            && snapshot::preserve(
                &mut self.walks,
                &mut self.keys,
                &self.expires,
                self.stamps.as_deref(),
                key,
                change,
            )
    }

    /// The entry of `key` for modification, with no expiry check and no
    /// access tracking (a key the command has just looked up).
    pub fn entry_mut(&mut self, key: &[u8]) -> Option<&mut Entry> {
        self.preserve(key, Change::Modify);
        self.keys.get_mut(key)
    }

    /// Store `entry` under `key` as it is (RENAME, MOVE), replacing any
    /// value but not touching TTLs.
    pub fn insert_entry(&mut self, key: Bytes, mut entry: Entry) {
        // The entry may come marked from another key: the mark is about
        // this key's place in the walk.
        entry.snap_skip = self.preserve(&key, Change::Write);
        self.keys.insert(key, entry);
    }

    /// The tables and the walks, borrowed apart (for the snapshot walker).
    #[allow(clippy::type_complexity)]
    pub(crate) fn walk_parts(
        &mut self,
    ) -> (
        &mut Dict<Entry, SmallKey>,
        &Dict<u64>,
        &mut Vec<DbWalk>,
        Option<&crate::repl::active::DbStamps>,
    ) {
        (
            &mut self.keys,
            &self.expires,
            &mut self.walks,
            self.stamps.as_deref(),
        )
    }

    /// Keep `key`'s current state (and version) in every snapshot walk
    /// that has not reached it, before its version changes ahead of the
    /// change itself (an applied RREPLAY records versions first).
    pub(crate) fn preserve_key(&mut self, key: &[u8]) {
        // Modify marks nothing new: the entry's own mark is set if taken.
        self.preserve(key, Change::Modify);
    }

    /// Is a snapshot walking this database?
    pub(crate) fn has_walks(&self) -> bool {
        !self.walks.is_empty()
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
        self.expiry != ExpiryMode::Keep
            && matches!(self.expires.get(key), Some(&at) if at < now.ms())
    }

    /// Delete `key` if it is expired; true if it was expired. Under
    /// [`ExpiryMode::Hide`] the key stays (the caller must treat it as
    /// missing).
    pub fn expire_if_needed(&mut self, key: &[u8], now: Time) -> bool {
        if self.expiry == ExpiryMode::Hide {
            return self.is_expired(key, now);
        }
        self.expire_now_if_needed(key, now)
    }

    /// [`Db::expire_if_needed`] for a write by a replica's own client
    /// (`replica-read-only no`): an expired key goes even there, as
    /// Redis's lookups for writing force it, so the write starts afresh.
    pub fn expire_for_write(&mut self, key: &[u8], now: Time) -> bool {
        self.expire_now_if_needed(key, now)
    }

    fn expire_now_if_needed(&mut self, key: &[u8], now: Time) -> bool {
        if self.is_expired(key, now) {
            self.preserve(key, Change::Remove);
            self.expires.remove(key);
            if let Some((k, _)) = self.keys.remove(key) {
                self.expired_keys.push(k.into_bytes());
            }
            self.expired_pending += 1;
            true
        } else {
            false
        }
    }

    /// Look up a live key for reading or writing, expiring it lazily and
    /// touching its access time.
    pub fn lookup(&mut self, key: &[u8], now: Time) -> Option<&mut Entry> {
        if self.expire_if_needed(key, now) && self.expiry == ExpiryMode::Hide {
            return None;
        }
        // The caller may write through the reference.
        self.preserve(key, Change::Modify);
        let rand01 = self.next_rand01();
        let e = self.keys.get_mut(key)?;
        e.touch(now, rand01);
        Some(e)
    }

    /// Look up a live key without touching its access time (OBJECT, TYPE-less
    /// peeks). Still expires lazily.
    pub fn lookup_no_touch(&mut self, key: &[u8], now: Time) -> Option<&mut Entry> {
        if self.expire_if_needed(key, now) && self.expiry == ExpiryMode::Hide {
            return None;
        }
        self.preserve(key, Change::Modify);
        self.keys.get_mut(key)
    }

    /// Set `key` to `value`, dropping any TTL (SET without KEEPTTL).
    pub fn set(&mut self, key: Bytes, value: Value, now: Time) {
        let mark = self.preserve(&key, Change::Write);
        self.expires.remove(&key);
        self.replace(key, value, now, mark);
    }

    /// Set `key` to `value`, keeping its TTL if it has one. An overwritten
    /// key keeps its LFU counter (as Redis's `dbSetValue` does), so
    /// rewriting a hot key does not make it look cold.
    pub fn set_keep_ttl(&mut self, key: Bytes, value: Value, now: Time) {
        let mark = self.preserve(&key, Change::Write);
        self.replace(key, value, now, mark);
    }

    /// The value part of [`Db::set_keep_ttl`], once preserved: a new entry
    /// carries `mark` (see [`Db::preserve`]).
    fn replace(&mut self, key: Bytes, value: Value, now: Time, mark: bool) {
        if let Some(e) = self.keys.get_mut(&key) {
            e.value = value;
            e.access_secs = now.secs() as u32;
            return;
        }
        let mut entry = Entry::new(value, now);
        entry.snap_skip = mark;
        self.keys.insert(key, entry);
    }

    /// [`Db::set`] with the key as a slice, copied only when the key is new
    /// (SET's hot path: no allocation when overwriting). True if created.
    pub fn set_slice(&mut self, key: &[u8], value: Value, now: Time) -> bool {
        let mark = self.preserve(key, Change::Write);
        self.expires.remove(key);
        self.replace_slice(key, value, now, mark)
    }

    /// [`Db::set_slice`] for a key not looked up before: an existing key's
    /// access is recorded ([`Entry::touch`], as [`Db::lookup`] does) before
    /// its value is replaced, with one lookup for both. True if created.
    pub fn set_slice_touching(&mut self, key: &[u8], value: Value, now: Time) -> bool {
        let mark = self.preserve(key, Change::Write);
        self.expires.remove(key);
        let rand01 = self.next_rand01();
        if let Some(e) = self.keys.get_mut(key) {
            e.touch(now, rand01);
            e.value = value;
            return false;
        }
        let mut entry = Entry::new(value, now);
        entry.snap_skip = mark;
        self.keys.insert_slice(key, entry);
        true
    }

    /// Record an access to `key` if it exists (what [`Db::lookup`] does
    /// besides lazy expiry).
    pub fn touch(&mut self, key: &[u8], now: Time) {
        let rand01 = self.next_rand01();
        if let Some(e) = self.keys.get_mut(key) {
            e.touch(now, rand01);
        }
    }

    /// [`Db::set_keep_ttl`] with the key as a slice. True if created.
    pub fn set_keep_ttl_slice(&mut self, key: &[u8], value: Value, now: Time) -> bool {
        let mark = self.preserve(key, Change::Write);
        self.replace_slice(key, value, now, mark)
    }

    /// [`Db::replace`] with the key as a slice. True if created.
    fn replace_slice(&mut self, key: &[u8], value: Value, now: Time, mark: bool) -> bool {
        if let Some(e) = self.keys.get_mut(key) {
            e.value = value;
            e.access_secs = now.secs() as u32;
            return false;
        }
        let mut entry = Entry::new(value, now);
        entry.snap_skip = mark;
        self.keys.insert_slice(key, entry);
        true
    }

    /// A uniform draw in [0, 1) from the database's seeded generator.
    fn next_rand01(&mut self) -> f64 {
        self.lfu_rng = self.lfu_rng.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.lfu_rng;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^= z >> 31;
        (z >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Delete a key (and its TTL); returns the entry.
    pub fn remove(&mut self, key: &[u8]) -> Option<Entry> {
        self.preserve(key, Change::Remove);
        self.expires.remove(key);
        self.keys.remove(key).map(|(_, e)| e)
    }

    /// The key's absolute expiry in ms, if any.
    pub fn expire_at(&self, key: &[u8]) -> Option<u64> {
        self.expires.get(key).copied()
    }

    /// Set the key's absolute expiry; false if the key does not exist.
    pub fn set_expire(&mut self, key: &[u8], at_ms: u64) -> bool {
        self.preserve(key, Change::Modify);
        if self.keys.contains_key(key) {
            self.expires.insert(Bytes::copy_from_slice(key), at_ms);
            true
        } else {
            false
        }
    }

    /// Remove the key's TTL; true if it had one.
    pub fn persist(&mut self, key: &[u8]) -> bool {
        self.preserve(key, Change::Modify);
        self.expires.remove(key).is_some()
    }

    /// Remove every key.
    pub fn clear(&mut self) {
        if !self.walks.is_empty() {
            // Snapshots still walking the old content keep it whole; the
            // database starts over with new tables.
            let keys = std::mem::replace(&mut self.keys, Dict::new_keyed(self.seed));
            let expires =
                std::mem::replace(&mut self.expires, Dict::new(self.seed ^ EXPIRES_SEED_XOR));
            snapshot::detach(&mut self.walks, keys, expires);
        }
        self.keys.clear();
        self.expires.clear();
        self.expires_cursor = 0;
    }

    /// Advance ongoing resizes of both tables by up to `buckets` buckets
    /// each (Redis's cron `incrementallyRehash`); true if work remains.
    pub fn rehash_steps(&mut self, buckets: usize) -> bool {
        let a = self.keys.rehash_steps(buckets);
        let b = self.expires.rehash_steps(buckets);
        a || b
    }

    /// Record a key removed by active expiry.
    pub fn note_expired(&mut self) {
        self.expired_pending += 1;
    }

    /// Record `key`, just removed by active expiry.
    pub fn note_expired_key(&mut self, key: Bytes) {
        self.expired_pending += 1;
        self.expired_keys.push(key);
    }

    /// Are there expired keys not yet announced?
    pub fn has_expired_keys(&self) -> bool {
        !self.expired_keys.is_empty()
    }

    /// Were keys expired (lazily or actively) since the engine last
    /// collected them?
    pub fn has_expired(&self) -> bool {
        self.expired_pending != 0 || !self.expired_keys.is_empty()
    }

    /// Take the keys expired since the last call (for their events).
    pub fn take_expired_keys(&mut self) -> Vec<Bytes> {
        std::mem::take(&mut self.expired_keys)
    }

    /// Take the count of keys expired since the last call.
    pub fn take_expired_count(&mut self) -> u64 {
        std::mem::take(&mut self.expired_pending)
    }
}

/// Buckets one cron call moves for a resizing database (Redis spends a
/// millisecond; a hundred-bucket step is about that much work).
pub const CRON_REHASH_BUCKETS: usize = 1000;

/// The cron's share of rehashing (Redis's `incrementallyRehash` from
/// `databasesCron`): advance the first database that is resizing, so an
/// idle server still finishes a resize and frees the old table.
pub fn rehash_cron(dbs: &mut [Db]) {
    for db in dbs.iter_mut().take(super::expire::DBS_PER_CALL) {
        if db.keys.is_rehashing() || db.expires.is_rehashing() {
            db.rehash_steps(CRON_REHASH_BUCKETS);
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entry_trackers_fit_in_padding() {
        assert!(std::mem::size_of::<Entry>() <= std::mem::size_of::<Value>() + 8);
    }

    #[test]
    fn lfu_counter_grows_logarithmically_and_decays() {
        let t0 = Time::from_ms(1_700_000_000_000);
        let mut e = Entry::new(Value::string(Bytes::from_static(b"v")), t0);
        assert_eq!(e.lfu_counter, LFU_INIT_VAL);
        // At the initial value every access counts.
        e.touch(t0, 0.999);
        assert_eq!(e.lfu_counter, 6);
        // Above it, an access counts with probability 1/(base*10+1).
        e.touch(t0, 0.5);
        assert_eq!(e.lfu_counter, 6);
        e.touch(t0, 0.05);
        assert_eq!(e.lfu_counter, 7);
        // One decrement per idle minute, not below zero.
        let later = Time::from_ms(t0.ms() + 5 * 60_000);
        assert_eq!(e.lfu_decayed(later), 2);
        let much_later = Time::from_ms(t0.ms() + 500 * 60_000);
        assert_eq!(e.lfu_decayed(much_later), 0);
        e.touch(much_later, 0.0);
        assert_eq!(e.lfu_counter, 1);
    }

    #[test]
    fn overwrite_keeps_lfu_but_refreshes_idle_clock() {
        let t0 = Time::from_ms(1_700_000_000_000);
        let mut db = Db::new(1);
        let k = Bytes::from_static(b"k");
        db.set(k.clone(), Value::string(Bytes::from_static(b"1")), t0);
        db.lookup(b"k", t0);
        let t1 = Time::from_ms(t0.ms() + 10_000);
        db.set_keep_ttl(k, Value::string(Bytes::from_static(b"2")), t1);
        let e = db.keys.get(b"k").unwrap();
        assert_eq!(e.lfu_counter, LFU_INIT_VAL + 1);
        assert_eq!(e.access_secs, t1.secs() as u32);
    }
}

#[cfg(test)]
mod layout_tests {
    #[test]
    fn keyspace_entry_layout() {
        use super::*;
        assert_eq!(std::mem::size_of::<Value>(), 24);
        assert_eq!(std::mem::size_of::<Entry>(), 32);
        assert_eq!(std::mem::size_of::<SmallKey>(), 24);
    }
}
