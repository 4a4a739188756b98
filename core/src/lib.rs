//! keyrs-core: every decision keyrs makes, as pure state machines.
//!
//! - [`resp`]: the request parser, the reply type and its RESP2/RESP3 encoder.
//! - [`engine`]: the keyspace, the command table and every command.
//! - [`dispatch`]: what a driver does with a command's outcome.
//! - [`session`]: one connection's protocol state (buffers, parser).
//! - [`config`]: configuration values and the config-file parser.
//! - [`util`]: Redis-exact number formatting.
//!
//! Invariants: no I/O, no threads, no clock reads, no global randomness.
//! Time, bytes and seeds come in as inputs; replies and effects go out.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod config;
pub mod dispatch;
pub mod engine;
pub mod lock;
pub mod persist;
pub mod repl;
pub mod resp;
pub mod session;
pub mod util;
