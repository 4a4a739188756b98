//! Persistence formats as pure byte transforms: no files, no clocks.
//!
//! - [`rdb`]: Redis 7.0's RDB value encoding (what DUMP/RESTORE carry and
//!   what an RDB file holds per key), every keyrs type both ways.
//! - [`crc64`]: the CRC-64 Redis appends to DUMP payloads and RDB files.
//! - [`dataset`]: the whole keyspace to and from RDB bytes, chunk by chunk.
//! - [`snapshot`]: point-in-time views of the keyspace while writes go on.
//! - [`state`]: the engine's saving/loading state (INFO persistence).

pub mod crc64;
pub mod dataset;
pub mod rdb;
pub mod snapshot;
pub mod state;

pub use snapshot::{SnapshotId, SnapshotItem};
pub use state::PersistState;
