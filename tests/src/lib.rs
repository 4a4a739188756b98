//! End-to-end test harness: spawn the real `keyrs-server` (or a real
//! `redis-server`, for differential tests) on a free port, wait until it
//! answers PING, talk to it with raw bytes or the `redis` crate, kill it on drop.
//!
//! - [`binary`]: where the keyrs-server binary is (built on first use).
//! - [`ports`]: free ports from the range this suite may use.
//! - [`server`]: [`Server`], one spawned server process.
//! - [`raw`]: [`RawClient`], bytes in and whole RESP replies out.
//! - [`proxy`]: [`Proxy`], a TCP proxy the test can cut and heal (partitions).
//! - [`moto`]: [`moto::Moto`], a local S3 server (moto) for the S3 backup tests.
//!
//! Environment knobs: `KEYRS_SERVER_BIN` (use this binary, build nothing),
//! `KEYRS_TESTS_NO_BUILD=1` (use the existing binary as is),
//! `KEYRS_TEST_PORTS=7400-7489` (the port range to draw from).

pub mod binary;
pub mod moto;
pub mod ports;
pub mod proxy;
pub mod raw;
pub mod server;

pub use proxy::Proxy;
pub use raw::{frame_len, RawClient};
pub use server::{Flavor, Server};

/// Is `program` on PATH? (redis-server, redis-cli, redis-benchmark.)
pub fn on_path(program: &str) -> Option<std::path::PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|p| p.is_file())
}
