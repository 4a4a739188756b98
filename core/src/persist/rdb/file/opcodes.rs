//! The record bytes of an RDB file that are not value types (Redis 7.0's
//! `rdb.h`), plus the value types no keyrs type maps to.

/// A function library (Redis 7.0 GA): its code as a string.
pub const FUNCTION2: u8 = 245;
/// A function library in the 7.0 release candidates' format.
pub const FUNCTION_PRE_GA: u8 = 246;
/// Module auxiliary data.
pub const MODULE_AUX: u8 = 247;
/// The next key's LRU idle time in seconds (a length).
pub const IDLE: u8 = 248;
/// The next key's LFU counter (one byte).
pub const FREQ: u8 = 249;
/// An auxiliary field: two strings.
pub const AUX: u8 = 250;
/// Sizes of the current database: keys, then keys with an expiry.
pub const RESIZEDB: u8 = 251;
/// The next key's expiry: Unix milliseconds, 8 bytes little-endian.
pub const EXPIRETIME_MS: u8 = 252;
/// The next key's expiry: Unix seconds, 4 bytes little-endian.
pub const EXPIRETIME: u8 = 253;
/// Switch database (a length).
pub const SELECTDB: u8 = 254;
/// End of the data; a CRC-64 follows (RDB 5 and later).
pub const EOF: u8 = 255;

/// Value type: module value (pre-GA format).
pub const TYPE_MODULE_PRE_GA: u8 = 6;
/// Value type: module value.
pub const TYPE_MODULE_2: u8 = 7;
/// Value type: KeyDB's `KEYDB.CRON` job.
pub const TYPE_KEYDB_CRON: u8 = 64;

/// KeyDB's per-key MVCC timestamp aux field, written before a key.
pub const AUX_MVCC_TSTAMP: &[u8] = b"mvcc-tstamp";
/// KeyDB's member-expiry aux pair, written after the key: the member...
pub const AUX_SUBEXPIRE_KEY: &[u8] = b"keydb-subexpire-key";
/// ...then its expiry time (Unix ms as decimal text).
pub const AUX_SUBEXPIRE_WHEN: &[u8] = b"keydb-subexpire-when";

/// First RDB version with the CRC-64 footer.
pub const CHECKSUM_SINCE: u32 = 5;
