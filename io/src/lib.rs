//! keyrs's real runtime: mio event loops, SO_REUSEPORT listeners, wake-ups.
//!
//! Everything here waits (sockets, timers, signals); everything that decides
//! lives in `keyrs-core`. The shape:
//!
//! - [`Runtime`]: binds every listener up front (so start-up errors surface
//!   before anything runs), then runs one [`worker`] per thread.
//! - [`worker`]: one `mio::Poll`, its own listeners (one per bind address,
//!   SO_REUSEPORT so the kernel spreads accepts across threads), its own
//!   connections. With `active-client-balancing` an accepted socket is
//!   handed to the least loaded worker (KeyDB's rule, `runtime::Balancing`). Per loop iteration it reads and parses without the engine
//!   lock, takes the lock once to execute the ready commands of all its
//!   sessions as a batch, releases it, then writes.
//! - [`listener`]: socket2-built TCP and Unix listeners.
//! - [`conn`]: one connection: its socket, its core `Session`, its queue of
//!   parsed commands.
//! - [`host`]: RSS and CPU figures for INFO, read from `/proc`.
//! - [`persist`]: RDB files: foreground and background saves (a saver
//!   thread walking a point-in-time snapshot), loading at start.
//! - [`repl`]: replication's threads (replica connections after PSYNC,
//!   the link to our master).
//! - [`clock`]: wall-clock time as the engine's [`keyrs_core::engine::Time`].
//! - [`fastlock`]: KeyDB's fair FIFO ticket lock, which the engine is shared
//!   behind (`Arc<FastLock<Engine>>`).
#![warn(missing_docs)]
// `unsafe` only in the lock (`fastlock`, `sync`) and the CPU's prefetch
// instruction (`prefetch`), each use with a SAFETY note.
#![deny(unsafe_code)]

pub mod aof;
pub mod atomic_file;
pub mod clock;
pub mod coalesce;
pub mod conn;
#[allow(unsafe_code)]
pub mod fastlock;
pub mod host;
pub mod listener;
pub mod persist;
#[allow(unsafe_code)]
pub mod prefetch;
pub mod repl;
pub mod runtime;
#[allow(unsafe_code)]
mod sync;
pub mod worker;

pub use fastlock::FastLock;
pub use runtime::{Runtime, RuntimeOptions, SharedEngine, ShutdownHandle};
