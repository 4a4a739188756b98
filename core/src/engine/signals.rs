//! The hooks every write goes through, as Redis's `signalModifiedKey`,
//! `notifyKeyspaceEvent` and `signalKeyAsReady`. Commands call them after a
//! real modification (not when nothing changed), so that WATCH, keyspace
//! notifications, blocked clients and (later) replication all see the same
//! stream of changes.

use super::Engine;

impl Engine {
    /// `key` in `db` was modified (written, deleted, expired, renamed...):
    /// invalidates WATCHers and counts a change (`dirty`) for persistence.
    pub fn signal_modified(&mut self, db: usize, key: &[u8]) {
        let _ = (db, key);
        self.stats.dirty += 1;
    }

    /// Every key of `db` changed at once (FLUSHDB, SWAPDB); `None`: all dbs (FLUSHALL).
    pub fn signal_flushed(&mut self, db: Option<usize>) {
        let _ = db;
        self.stats.dirty += 1;
    }

    /// A keyspace event happened: `class` is the notify-keyspace-events class
    /// letter of the event (`g` generic, `$` string, `l` list, `s` set, `h`
    /// hash, `z` zset, `x` expired, `e` evicted, `t` stream, `n` new key, `m`
    /// key miss), `event` its name as Redis publishes it (`set`, `del`,
    /// `lpush`, `expired`, ...).
    pub fn notify_keyspace_event(&mut self, class: char, event: &str, key: &[u8], db: usize) {
        let _ = (class, event, key, db);
    }

    /// `key` in `db` may now satisfy clients blocked on it (a list, zset or
    /// stream got elements).
    pub fn signal_key_ready(&mut self, db: usize, key: &[u8]) {
        let _ = (db, key);
    }
}
