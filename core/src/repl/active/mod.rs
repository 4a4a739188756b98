//! Active-active replication (KeyDB's `active-replica` / `multi-master`),
//! the pure groundwork: how writes are stamped, how a node decides whether
//! a replicated write applies, and the wire pieces. Nothing here is wired
//! into the engine's command path yet; with `active-replica` off none of it
//! is allocated (see [`keystamps`] for the memory trade-off).
//!
//! - [`stamp`]: KeyDB's 64-bit `(ms << 20) | counter` stamps from a hybrid
//!   logical clock, and [`Version`] = (stamp, origin) as the total order.
//! - [`node`]: the node's UUID, its text, RDB aux and id-file forms.
//! - [`keystamps`]: per-key versions and tombstones of one database, the
//!   apply/skip rule, flush tombstones, tombstone collection.
//! - [`watermark`]: per-origin dedup and loop breaking, per-peer acks and
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
//! # Wiring still to do (issue 7)
//!
//! - Engine: an `Option<Box<DbStamps>>` per `Db` (allocated by
//!   `active-replica yes`, kept through SWAPDB/FLUSH/snapshots), an [`Hlc`]
//!   and [`Watermarks`] on the engine, the node id; every local write ticks
//!   the clock and records its version via the `Db` methods that already
//!   call `preserve`; local expiry calls [`DbStamps::expired`]. Every
//!   stamp the node takes in (applied envelopes, loaded RDB versions) goes
//!   through [`Hlc::observe`], so a local write always beats what the node
//!   holds.
//! - Propagation: in active mode each unit leaves as an RREPLAY envelope
//!   ([`envelope::encode`]); [`lww::Plan::State`] writes are re-encoded as
//!   `KEYDB.MVCCRESTORE key stamp pexpire-at <DUMP>` (or DEL) per key.
//! - RREPLAY and KEYDB.MVCCRESTORE commands: [`envelope::Rreplay::parse`],
//!   `peel`, [`Watermarks::admit`], [`resolve::resolve`], run, `record`,
//!   forward unchanged (unless `multi-master-no-forward`).
//! - RDB: write and read [`rdbaux`] fields; merge-load for full sync;
//!   persist the id ([`node`]) and the clock (`Hlc::resume`).
//! - Config (`active-replica`, `multi-master`, several masters, REPLICAOF
//!   REMOVE, `replica-quorum`, ...), INFO/ROLE, OBJECT LASTMODIFIED, the
//!   io links, acks for the collection floor, the sim swarm and e2e tests.

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
mod engine_tests;

pub use keystamps::{DbStamps, Decision};
pub use node::NodeId;
pub use stamp::{Hlc, Stamp, Version};
pub use state::ActiveState;
pub use watermark::{Admit, Watermarks};
