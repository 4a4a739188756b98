//! Deterministic simulation (madsim) of keyrs nodes and clients over the same core code.
//!
//! Everything is compiled only with `--cfg madsim` (run `cargo sim`); without
//! it this crate is empty, so ordinary workspace builds stay fast.
//!
//! - [`node`]: a simulated keyrs node: a madsim TCP listener whose
//!   connections each own a core `Session`, all sharing one `Engine`, with
//!   `hz` ticks in virtual time.
//! - [`client`]: simulated clients that send random command sequences and
//!   record every reply byte they receive (the trace two runs compare).
//! - [`repl`]: replication between nodes (the master's side of a replica
//!   connection, the replica's link) over the core's `ReplicaLink`.
//! - [`workload`]: the random commands.
//! - [`chunker`]: splits writes at random points, because madsim delivers
//!   each `flush()` as one chunk and real networks do not.
//!
//! Determinism rules (learned the hard way): all randomness comes from
//! madsim's seeded `madsim::rand`, never `rand::thread_rng`; no statics
//! (they survive across seeds); only `madsim::net` / `madsim::time`
//! (`tokio::net` / `tokio::time` panic inside madsim).

#[cfg(madsim)]
pub mod chunker;
#[cfg(madsim)]
pub mod client;
#[cfg(madsim)]
pub mod node;
#[cfg(madsim)]
pub mod repl;
#[cfg(madsim)]
pub mod workload;

/// The port simulated nodes listen on.
pub const NODE_PORT: u16 = 6379;
