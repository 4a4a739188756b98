//! keyrs's real runtime: mio event loops, SO_REUSEPORT listeners, wake-ups.
//!
//! Everything here waits (sockets, timers, signals); everything that decides
//! lives in `keyrs-core`. The shape:
//!
//! - [`Runtime`]: binds every listener up front (so start-up errors surface
//!   before anything runs), then runs one [`worker`] per thread.
//! - [`worker`]: one `mio::Poll`, its own listeners (one per bind address,
//!   SO_REUSEPORT so the kernel spreads accepts across threads), its own
//!   connections. Per loop iteration it reads and parses without the engine
//!   lock, takes the lock once to execute the ready commands of all its
//!   sessions as a batch, releases it, then writes.
//! - [`listener`]: socket2-built TCP and Unix listeners.
//! - [`conn`]: one connection: its socket, its core `Session`, its queue of
//!   parsed commands.
//! - [`host`]: RSS and CPU figures for INFO, read from `/proc`.
//! - [`persist`]: RDB files: foreground and background saves (a saver
//!   thread walking a point-in-time snapshot), loading at start.
//! - [`clock`]: wall-clock time as the engine's [`keyrs_core::engine::Time`].
//!
//! The engine is shared as `Arc<parking_lot::Mutex<Engine>>` for now; the fair
//! ticket lock replaces it later without changing the batch structure.
#![warn(missing_docs)]
#![forbid(unsafe_code)]

pub mod clock;
pub mod conn;
pub mod host;
pub mod listener;
pub mod persist;
pub mod runtime;
pub mod worker;

pub use runtime::{Runtime, RuntimeOptions, SharedEngine, ShutdownHandle};
