//! Point-in-time snapshots of the keyspace, taken without fork and without
//! copying it.
//!
//! Redis forks for BGSAVE: the child sees the memory as it was, and the
//! kernel copies every page the parent writes meanwhile (up to twice the
//! memory). Here a snapshot is a cursor walk over each database's key table
//! that yields cheap clones (values are reference-counted and copied on
//! write, see [`crate::engine::shared`]) a chunk at a time, while commands
//! keep running between chunks. Three rules make the walk see one instant:
//!
//! 1. While a snapshot walks a table, the table's bucket layout is frozen
//!    (no resize or rehash step; chains grow instead), so whether the cursor
//!    has passed a key is a pure function of the key and the cursor
//!    ([`Dict::scan_passed`]).
//! 2. Before any modification of a key the cursor has not passed (`Db`'s
//!    `preserve` methods), the walk takes the key's state at that moment —
//!    its value clone and TTL — once, and hands it out with its next chunk
//!    (order within a database does not matter to an RDB file); then it
//!    marks the entry ([`Entry::snap_skip`], a flag in the entry's padding),
//!    so that when the cursor reaches it, it skips it (and clears the mark).
//!    A key created ahead of the cursor (new, or deleted and written again)
//!    is marked the same way. A second walk on the same database, which
//!    cannot share the one flag, keeps the names of the keys it took or saw
//!    absent instead.
//! 3. A flush hands the old tables to the walks that still need them, and
//!    SWAPDB moves walks with their database (they live in [`Db`]).
//!
//! The extra memory is therefore the old states of written keys until the
//! next chunk (containers are copied when written while a chunk still holds
//! them), never a copy of the keyspace nor a table of written keys.

use std::sync::Arc;

use bytes::Bytes;
use hashbrown::HashMap;

use crate::engine::db::{Db, Entry};
use crate::engine::dict::Dict;
use crate::engine::smallkey::SmallKey;
use crate::engine::value::Value;
use crate::engine::Engine;
use crate::repl::active::DbStamps;

/// Names one snapshot (from [`Engine::snapshot_begin`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SnapshotId(pub u64);

/// One key of a snapshot as it was when the snapshot began.
#[derive(Debug, Clone, PartialEq)]
pub struct SnapshotItem {
    /// The database the key was in when the snapshot began.
    pub db: usize,
    /// The key.
    pub key: Bytes,
    /// Its value (a cheap clone, sharing containers with the keyspace).
    pub value: Value,
    /// Its absolute expiry in Unix milliseconds, if it had one.
    pub expire_ms: Option<u64>,
    /// Its active-replication version when the snapshot began (`None`:
    /// active replication off, or the key has none).
    pub version: Option<crate::repl::active::Version>,
}

/// A snapshot's copy of a key name (keys live inline in the table's nodes,
/// so the snapshot owns a copy).
fn take_key(k: &[u8]) -> Bytes {
    Bytes::copy_from_slice(k)
}

/// A snapshot's clone of `v`: string bytes are owned by the keyspace and
/// copied (a chunk's worth at a time, freed once written); containers are
/// shared and copied on write by the keyspace.
fn take_value(v: &Value) -> Value {
    v.clone()
}

/// What a walk must do when its cursor reaches a key recorded before its
/// first modification: never emit the live state.
#[derive(Debug, Clone, Copy)]
enum Saved {
    /// The key did not exist when the snapshot began.
    Absent,
    /// Its state at the start went to `pending` (and out with the next
    /// chunk).
    Taken,
}

/// Tables a flush took away from a database while snapshots still walked
/// them (shared by every such snapshot; never modified again).
type Detached = Arc<(Dict<Entry, SmallKey>, Dict<u64>)>;

/// One snapshot's walk over one database.
#[derive(Debug, Clone)]
pub struct DbWalk {
    /// The snapshot.
    id: u64,
    /// The database index when the snapshot began (SWAPDB may move the
    /// walk to another index; items keep this one).
    origin: usize,
    /// The SCAN cursor: the next bucket to emit (0 before the first).
    cursor: u64,
    /// Keys modified before the cursor reached them. Entries leave as the
    /// cursor passes them.
    saved: HashMap<Bytes, Saved>,
    /// States at the start of keys modified before the cursor reached them,
    /// not yet handed out: the next chunk of this walk emits them first
    /// (order within a database does not matter), so a written key costs
    /// the walk its old value only until then, and a key name after.
    pending: Vec<SnapshotItem>,
    /// The tables to walk instead of the live ones, after a flush.
    detached: Option<Detached>,
    /// This walk marks the entries it has dealt with ahead of its cursor
    /// ([`Entry::snap_skip`]) instead of recording their names in `saved`
    /// (which it then never uses). One walk per database at a time can: the
    /// mark is a single flag.
    marks: bool,
}

impl DbWalk {
    fn new(id: u64, origin: usize, marks: bool) -> DbWalk {
        DbWalk {
            id,
            origin,
            cursor: 0,
            saved: HashMap::new(),
            pending: Vec::new(),
            detached: None,
            marks,
        }
    }
}

/// What a keyspace change about to happen does to its key (see
/// [`preserve`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Change {
    /// A write that may create the key or replace its entry.
    Write,
    /// A change to an existing entry in place (value or TTL).
    Modify,
    /// The key is deleted.
    Remove,
}

/// Record `key`'s state in every walk that has not passed it yet (called
/// by [`Db`] before it changes `key`). Returns true when the entry the
/// change creates for `key` must carry the mark ([`Entry::snap_skip`]):
/// the marking walk has not reached the key, so the new entry is newer
/// than its snapshot.
pub(crate) fn preserve(
    walks: &mut [DbWalk],
    keys: &mut Dict<Entry, SmallKey>,
    expires: &Dict<u64>,
    stamps: Option<&DbStamps>,
    key: &[u8],
    change: Change,
) -> bool {
    let mut mark = false;
    for w in walks {
        // After a flush the live tables hold only keys newer than the walk.
        if w.detached.is_some() || keys.scan_passed(w.cursor, key) {
            continue;
        }
        if w.marks {
            if let Some(e) = keys.get_mut(key) {
                if !e.snap_skip {
                    w.pending.push(SnapshotItem {
                        db: w.origin,
                        key: take_key(key),
                        value: take_value(&e.value),
                        expire_ms: expires.get(key).copied(),
                        version: stamps.and_then(|s| s.live(key)),
                    });
                    e.snap_skip = true;
                }
                // A deleted entry takes its mark along; if the key comes
                // back, the write that re-creates it marks the new entry.
                mark = change != Change::Remove;
            } else if change == Change::Write {
                mark = true;
            }
            continue;
        }
        if w.saved.contains_key(key) {
            continue;
        }
        match keys.get_key_value(key) {
            Some((k, e)) => {
                w.pending.push(SnapshotItem {
                    db: w.origin,
                    key: take_key(k),
                    value: take_value(&e.value),
                    expire_ms: expires.get(key).copied(),
                    version: stamps.and_then(|s| s.live(key)),
                });
                w.saved.insert(take_key(k), Saved::Taken);
            }
            None if change == Change::Write => {
                w.saved.insert(Bytes::copy_from_slice(key), Saved::Absent);
            }
            None => {}
        }
    }
    mark
}

/// A database is being flushed: walks on its live tables continue on
/// `keys`/`expires`, the tables taken away from it.
pub(crate) fn detach(walks: &mut [DbWalk], keys: Dict<Entry, SmallKey>, expires: Dict<u64>) {
    let tables: Detached = Arc::new((keys, expires));
    for w in walks {
        if w.detached.is_none() {
            w.detached = Some(Arc::clone(&tables));
        }
    }
}

/// Walk `db.walks[wi]` until `items` holds at least `until` items or the
/// walk ends (true).
fn walk_chunk(db: &mut Db, wi: usize, until: usize, items: &mut Vec<SnapshotItem>) -> bool {
    let (live_keys, live_expires, walks, stamps) = db.walk_parts();
    let Some(w) = walks.get_mut(wi) else {
        return true;
    };
    let origin = w.origin;
    let marks = w.marks;
    items.append(&mut w.pending);
    let detached = w.detached.clone();
    while items.len() < until {
        let saved = &mut w.saved;
        // A marked or recorded key was (or is being) emitted from its
        // record, or is newer than the snapshot: either way not from the
        // table.
        let mut take = |k: &SmallKey, e: &Entry, expires: &Dict<u64>| {
            let recorded = !saved.is_empty() && saved.remove(&k[..]).is_some();
            if recorded || (marks && e.snap_skip) {
                return;
            }
            items.push(SnapshotItem {
                db: origin,
                key: take_key(k),
                value: take_value(&e.value),
                expire_ms: expires.get(k).copied(),
                version: stamps.and_then(|s| s.live(&k[..])),
            });
        };
        let next = match &detached {
            // The old tables after a flush: read-only, dropped with the walk.
            Some(t) => t.0.scan_step(w.cursor, |k, e| take(k, e, &t.1)),
            None => live_keys.scan_step_mut(w.cursor, |k, e| {
                take(k, e, live_expires);
                // Behind the cursor a mark means nothing: the marking walk
                // clears it, so no mark is left once it is over.
                if marks {
                    e.snap_skip = false;
                }
            }),
        };
        w.cursor = next;
        if next == 0 {
            w.saved.clear();
            return true;
        }
    }
    false
}

/// Clear the marks a walk that stops early leaves ahead of its cursor (the
/// next marking walk must start with none).
fn clear_marks(db: &mut Db, w: &DbWalk) {
    if !w.marks || w.detached.is_some() {
        return;
    }
    let mut cursor = w.cursor;
    loop {
        cursor = db.keys.scan_step_mut(cursor, |_, e| e.snap_skip = false);
        if cursor == 0 {
            break;
        }
    }
}

/// The snapshots in progress (part of the engine's persistence state).
#[derive(Debug, Default)]
pub struct Snapshots {
    next_id: u64,
    /// Each active snapshot and the origin database it walks next.
    active: Vec<(u64, usize)>,
}

impl Snapshots {
    /// How many snapshots are in progress.
    pub fn active(&self) -> usize {
        self.active.len()
    }
}

/// Thaw `db`'s key table once no walk needs its layout any more.
fn release_layout(db: &mut Db) {
    if db.walks.is_empty() {
        db.keys.set_layout_frozen(false);
    }
}

impl Engine {
    /// Start a point-in-time snapshot of every database. Walk it with
    /// [`Engine::snapshot_next`]; always finish with [`Engine::snapshot_end`]
    /// (until then, key tables do not resize and modified keys keep their
    /// old state aside).
    pub fn snapshot_begin(&mut self) -> SnapshotId {
        let snaps = &mut self.persist.snapshots;
        snaps.next_id = snaps.next_id.wrapping_add(1);
        let id = snaps.next_id;
        for (i, db) in self.dbs.iter_mut().enumerate() {
            // An empty database has nothing to walk; keys it gets later are
            // newer than the snapshot.
            if db.is_empty() {
                continue;
            }
            db.keys.set_layout_frozen(true);
            let marks = !db.walks.iter().any(|w| w.marks);
            db.walks.push(DbWalk::new(id, i, marks));
        }
        snaps.active.push((id, 0));
        SnapshotId(id)
    }

    /// The next keys of snapshot `id` (about `max_keys`; one bucket's chain
    /// is never split), as they were when it began; `None` once every key
    /// was returned (or for an unknown id). Cheap: clones share the values.
    pub fn snapshot_next(&mut self, id: SnapshotId, max_keys: usize) -> Option<Vec<SnapshotItem>> {
        let ndb = self.dbs.len();
        let pos = self
            .persist
            .snapshots
            .active
            .iter()
            .position(|&(sid, _)| sid == id.0)?;
        let mut items = Vec::new();
        let want = max_keys.max(1);
        loop {
            let origin = self.persist.snapshots.active[pos].1;
            if origin >= ndb || items.len() >= want {
                break;
            }
            let found = self.dbs.iter().enumerate().find_map(|(d, db)| {
                db.walks
                    .iter()
                    .position(|w| w.id == id.0 && w.origin == origin)
                    .map(|wi| (d, wi))
            });
            let Some((d, wi)) = found else {
                self.persist.snapshots.active[pos].1 = origin + 1;
                continue;
            };
            let db = &mut self.dbs[d];
            if walk_chunk(db, wi, want, &mut items) {
                db.walks.remove(wi);
                release_layout(db);
                self.persist.snapshots.active[pos].1 = origin + 1;
            }
        }
        let finished = self.persist.snapshots.active[pos].1 >= ndb;
        if items.is_empty() && finished {
            None
        } else {
            Some(items)
        }
    }

    /// Finish (or abandon) snapshot `id`: drop what it kept and let the
    /// tables resize again.
    pub fn snapshot_end(&mut self, id: SnapshotId) {
        self.persist
            .snapshots
            .active
            .retain(|&(sid, _)| sid != id.0);
        for db in &mut self.dbs {
            let mut found = false;
            while let Some(wi) = db.walks.iter().position(|w| w.id == id.0) {
                let w = db.walks.remove(wi);
                clear_marks(db, &w);
                found = true;
            }
            if found {
                release_layout(db);
            }
        }
    }
}

#[cfg(test)]
#[path = "snapshot_tests.rs"]
mod tests;
