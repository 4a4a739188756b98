//! Active-active replication (KeyDB's `active-replica` / `multi-master`),
//! the pure parts: how writes are stamped, how a node decides whether a
//! replicated write applies, the wire pieces and the watermarks (the
//! engine's use of them is listed below). With `active-replica` off none of
//! it is allocated (see [`keystamps`] for the memory trade-off).
//!
//! - [`stamp`]: KeyDB's 64-bit `(ms << 20) | counter` stamps from a hybrid
//!   logical clock, and [`Version`] = (stamp, origin) as the total order.
//! - [`node`]: the node's UUID, its text, RDB aux and id-file forms.
//! - [`keystamps`]: per-key versions and tombstones of one database, the
//!   apply/skip rule, flush tombstones, tombstone collection.
//! - [`watermark`]: per-writer dedup and loop breaking, heartbeats, and
//!   the floor below which tombstones may go.
//! - [`envelope`]: the RREPLAY envelope, encode and parse.
//! - [`rdbaux`]: versions and tombstones as RDB aux fields (persistence and
//!   full sync), encode and decode.
//! - [`resolve`]: a received command against the versions: run it (reduced
//!   to the keys that won), skip it, or flush all but the survivors.
//! - [`lww`]: which commands are whole-value last-writer-wins and how all
//!   the others are shipped (as the key's whole state).
//!
//! Convergence: each node applies an effect iff its version beats the
//! key's version, tombstone and flush tombstone. Because every effect is a
//! whole-key state and versions are totally ordered, the result per key is
//! "the highest-versioned effect, deletes and flushes included" whatever
//! the delivery order or duplication. `converge_tests` checks it with
//! simulated nodes against that oracle, with local expiry and tombstone
//! collection at the watermark floor.
//!
//! # Wired into the engine
//!
//! - [`state`]: `Engine::active` (on/off, node id, [`Hlc`], [`Watermarks`]);
//!   each `Db` holds an `Option<Box<DbStamps>>`, allocated by
//!   `active-replica yes` (`Engine::set_active`), carried by SWAPDB, kept
//!   through FLUSH (which leaves a flush tombstone) and snapshots (a
//!   snapshot item carries the version the key had when it was taken).
//! - [`local`]: every propagated command of the node's own writes gets its
//!   own stamp and leaves as one RREPLAY envelope; state-dependent writes
//!   as `KEYDB.MVCCRESTORE`/`DEL` of each written key; expiry is local and
//!   leaves a tombstone; heartbeats and tombstone collection run in the
//!   cron.
//! - `engine::commands::active`: RREPLAY, KEYDB.MVCCRESTORE, OBJECT
//!   LASTMODIFIED, and keyrs's versioned KEYRS.MVCCDEL / KEYRS.MVCCFLUSHDB
//!   (how a merge relays the tombstones it took).
//! - `persist::dataset`: versions (`mvcc-tstamp` + [`rdbaux`] records) in
//!   every RDB an active node writes and reads; `DatasetLoader::new_merge`
//!   for an active full sync (no flush, per-key merge, relayed to our own
//!   replicas).
//!
//! # Tombstone collection
//!
//! [`watermark`]: one writer id per start of a node, per-writer marks,
//! heartbeats carrying every node's marks, the collection floor; the cron
//! (`Engine::active_cron`) collects at the floor less
//! `active-tombstone-grace`, and [`DbStamps`]'s horizon refuses late copies
//! on keys without a version.

pub mod envelope;
pub mod keystamps;
pub mod local;
pub mod lww;
pub mod node;
pub mod rdbaux;
pub mod resolve;
pub mod stamp;
pub mod state;
pub mod watermark;

#[cfg(test)]
mod converge_tests;
#[cfg(test)]
mod engine_props;
#[cfg(test)]
mod engine_tests;

pub use keystamps::{DbStamps, Decision};
pub use node::NodeId;
pub use stamp::{Hlc, Stamp, Version};
pub use state::ActiveState;
pub use watermark::{Admit, Watermarks};
