//! BGREWRITEAOF and the AOF figures of INFO persistence.
//!
//! The engine writes no file: the driver (keyrs-io's `aof` module) owns
//! the append-only files and keeps [`AofStatus`] up to date under the
//! engine lock; BGREWRITEAOF only records the request, which the driver
//! picks up at the end of the batch, as Redis's cron starts a scheduled
//! rewrite.

use crate::engine::table::{acl, flags, CommandDoc, CommandSpec};
use crate::engine::{Call, Engine, Time};
use crate::resp::Reply;

/// What the driver reports of the AOF, and what commands ask of it.
#[derive(Debug, Clone, Default)]
pub struct AofStatus {
    /// `aof_enabled`: the AOF is on (and loaded).
    pub enabled: bool,
    /// A rewrite is running.
    pub rewrite_in_progress: bool,
    /// A rewrite was asked for (BGREWRITEAOF, auto rewrite, `CONFIG SET
    /// appendonly yes`) and the driver has not started it yet.
    pub rewrite_requested: bool,
    /// When the running rewrite started.
    pub rewrite_started: Option<Time>,
    /// `aof_last_rewrite_time_sec` (-1: never).
    pub last_rewrite_time_sec: i64,
    /// `aof_last_bgrewrite_status` is ok.
    pub last_rewrite_ok: bool,
    /// `aof_rewrites`.
    pub rewrites: u64,
    /// `aof_rewrites_consecutive_failures`.
    pub rewrites_consecutive_failures: u64,
    /// `aof_last_write_status` is ok (false after a failed write or fsync).
    pub last_write_failed: bool,
    /// `aof_current_size`: bytes of the base and incr files.
    pub current_size: u64,
    /// `aof_base_size`: the size at the last rewrite (or load).
    pub base_size: u64,
    /// `aof_buffer_length`: bytes not yet written.
    pub buffer_length: u64,
    /// `aof_delayed_fsync`.
    pub delayed_fsync: u64,
}

impl AofStatus {
    /// A fresh status (`last_rewrite_time_sec` starts at -1, statuses ok).
    pub fn new() -> AofStatus {
        AofStatus {
            last_rewrite_time_sec: -1,
            last_rewrite_ok: true,
            ..AofStatus::default()
        }
    }
}

/// BGREWRITEAOF
fn bgrewriteaof(e: &mut Engine, _call: &mut Call<'_>) -> Reply {
    if e.aof.rewrite_in_progress {
        return Reply::err("Background append only file rewriting already in progress");
    }
    e.aof.rewrite_requested = true;
    Reply::status("Background append only file rewriting started")
}

/// The `aof_*` fields of INFO persistence before `module_fork_*`, as
/// Redis 7.0 lists them.
pub fn info_fields(e: &Engine, now: Time) -> Vec<(&'static str, String)> {
    let a = &e.aof;
    let current = match (a.rewrite_in_progress, a.rewrite_started) {
        (true, Some(t)) => (now.secs().saturating_sub(t.secs())) as i64,
        _ => -1,
    };
    let ok = |good: bool| if good { "ok" } else { "err" }.to_string();
    vec![
        ("aof_enabled", u8::from(a.enabled).to_string()),
        (
            "aof_rewrite_in_progress",
            u8::from(a.rewrite_in_progress).to_string(),
        ),
        (
            "aof_rewrite_scheduled",
            u8::from(a.rewrite_requested && !a.rewrite_in_progress).to_string(),
        ),
        (
            "aof_last_rewrite_time_sec",
            a.last_rewrite_time_sec.to_string(),
        ),
        ("aof_current_rewrite_time_sec", current.to_string()),
        ("aof_last_bgrewrite_status", ok(a.last_rewrite_ok)),
        ("aof_rewrites", a.rewrites.to_string()),
        (
            "aof_rewrites_consecutive_failures",
            a.rewrites_consecutive_failures.to_string(),
        ),
        ("aof_last_write_status", ok(!a.last_write_failed)),
        ("aof_last_cow_size", "0".to_string()),
    ]
}

/// The fields Redis 7.0 adds after `module_fork_last_cow_size` while the
/// AOF is on (empty otherwise).
pub fn info_enabled_fields(e: &Engine) -> Vec<(&'static str, String)> {
    let a = &e.aof;
    if !a.enabled {
        return Vec::new();
    }
    vec![
        ("aof_current_size", a.current_size.to_string()),
        ("aof_base_size", a.base_size.to_string()),
        ("aof_pending_rewrite", "0".to_string()),
        ("aof_buffer_length", a.buffer_length.to_string()),
        ("aof_pending_bio_fsync", "0".to_string()),
        ("aof_delayed_fsync", a.delayed_fsync.to_string()),
    ]
}

/// The group's table.
pub const COMMANDS: &[CommandSpec] = &[CommandSpec {
    name: "bgrewriteaof",
    arity: 1,
    flags: flags::ADMIN | flags::NOSCRIPT | flags::NO_ASYNC_LOADING,
    acl: acl::ADMIN | acl::SLOW | acl::DANGEROUS,
    first_key: 0,
    last_key: 0,
    key_step: 0,
    handler: bgrewriteaof,
    subcommands: &[],
    doc: CommandDoc {
        summary: "Asynchronously rewrite the append-only file",
        since: "1.0.0",
        group: "server",
        complexity: "O(1)",
    },
}];

#[cfg(test)]
mod tests {
    use crate::engine::commands::replay::Harness;

    #[test]
    fn bgrewriteaof_requests_once() {
        let mut h = Harness::new();
        let argv = vec![bytes::Bytes::from_static(b"bgrewriteaof")];
        assert_eq!(
            h.run(argv.clone()),
            "+Background append only file rewriting started\\r\\n"
        );
        assert!(h.engine.aof.rewrite_requested);
        h.engine.aof.rewrite_in_progress = true;
        assert_eq!(
            h.run(argv),
            "-ERR Background append only file rewriting already in progress\\r\\n"
        );
    }
}
