//! RDB files: the `REDIS0010` header, auxiliary fields, database
//! selectors, keys with their expiry and LRU/LFU hints, the EOF opcode and
//! the CRC-64 footer, on top of the per-value codec in [`super`].
//!
//! Pure byte transforms, like the rest of `persist`: [`RdbWriter`] appends
//! to an in-memory buffer the caller drains ([`RdbWriter::take_output`])
//! into a file or socket; [`RdbLoader`] takes bytes in any chunking
//! ([`RdbLoader::feed`]) and yields [`LoadEvent`]s, saying "need more"
//! (`Ok(None)`) instead of blocking.
//!
//! What is read beyond what Redis 7.0 writes:
//! - versions 1 to 10 (Redis 6.2 and KeyDB write 9), with every encoding
//!   the value codec reads (ziplists, quicklist v1, v1 streams, ...);
//! - `EXPIRETIME` (seconds, RDB < 3 style) besides `EXPIRETIME_MS`;
//! - KeyDB's `mvcc-tstamp` aux field before a key (kept as that key's
//!   [`EntryMeta::mvcc`], not reported as an aux field) and its
//!   `keydb-subexpire-key` / `keydb-subexpire-when` aux pairs after a key
//!   (a member's own expiry: reported as [`LoadEvent::SubkeyExpire`],
//!   since keyrs has no per-member TTL and the caller decides what to do).
//!
//! What is refused with a clear [`RdbFileError`] (never skipped silently,
//! which would lose data): module types and `MODULE_AUX` (keyrs has no
//! modules), functions (`FUNCTION2` and the 7.0-rc `FUNCTION` opcode: Redis
//! 7.0 writes none when no library is loaded, and keyrs has none to load),
//! KeyDB's `KEYDB.CRON` type 64, versions above 10, and any checksum
//! mismatch (a stored checksum of 0 means "not computed", as in Redis).

pub mod loader;
pub mod opcodes;
pub mod writer;

use std::fmt;

use bytes::Bytes;

pub use loader::{load_all, EntryMeta, LoadEvent, RdbLoader};
pub use writer::{ObjectMeta, RdbOptions, RdbWriter, ReplAux, StandardAux};

use super::RdbError as CodecError;

/// The file magic before the four version digits.
pub const MAGIC: &[u8; 5] = b"REDIS";

/// Oldest RDB version read.
pub const MIN_VERSION: u32 = 1;

/// Newest RDB version read (and the one written): Redis 7.0's.
pub const MAX_VERSION: u32 = super::RDB_VERSION as u32;

/// The error type of the file codec, under the contract's name.
pub type RdbError = RdbFileError;

/// Why an RDB file could not be read: what went wrong and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RdbFileError {
    /// Byte offset in the file (from the `R` of `REDIS`) of the fault:
    /// where the record that failed starts, or for a bad value, about
    /// where inside it decoding stopped.
    pub offset: u64,
    /// What went wrong.
    pub kind: ErrorKind,
}

/// The kinds of [`RdbFileError`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ErrorKind {
    /// The input ended before the EOF opcode and checksum.
    Truncated,
    /// The file does not start with `REDIS` and four digits.
    BadMagic,
    /// A version this loader cannot read (Redis: "Can't handle RDB format
    /// version N").
    UnsupportedVersion(u32),
    /// An opcode or object type byte nobody defines.
    UnknownType(u8),
    /// Something keyrs has no way to hold (modules, functions, KeyDB cron).
    Unsupported(&'static str),
    /// A malformed record outside any value.
    Corrupt(&'static str),
    /// A value that failed to decode, with its key when known.
    Value {
        /// The key the value belongs to.
        key: Bytes,
        /// The value codec's reason.
        error: CodecError,
    },
    /// The CRC-64 footer does not match the bytes before it.
    BadChecksum {
        /// The checksum stored in the file.
        stored: u64,
        /// The checksum of the bytes read.
        computed: u64,
    },
    /// `SELECTDB` names a database past the configured count.
    DbOutOfRange(u64),
}

impl RdbFileError {
    /// An error of `kind` at `offset`.
    pub fn new(offset: u64, kind: ErrorKind) -> RdbFileError {
        RdbFileError { offset, kind }
    }
}

impl fmt::Display for RdbFileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "bad RDB file at offset {}: ", self.offset)?;
        match &self.kind {
            ErrorKind::Truncated => write!(f, "unexpected end of file"),
            ErrorKind::BadMagic => write!(f, "wrong signature trying to load DB from file"),
            ErrorKind::UnsupportedVersion(v) => write!(f, "Can't handle RDB format version {v}"),
            ErrorKind::UnknownType(t) => write!(f, "unknown RDB opcode or object type {t}"),
            ErrorKind::Unsupported(what) => write!(f, "{what} not supported by keyrs"),
            ErrorKind::Corrupt(why) => write!(f, "{why}"),
            ErrorKind::Value { key, error } => write!(
                f,
                "value of key '{}': {error}",
                String::from_utf8_lossy(&key[..key.len().min(128)])
            ),
            ErrorKind::BadChecksum { stored, computed } => write!(
                f,
                "wrong RDB checksum: file says {stored:#018x}, data gives {computed:#018x}"
            ),
            ErrorKind::DbOutOfRange(n) => write!(
                f,
                "database {n} is beyond the configured number of databases"
            ),
        }
    }
}

impl std::error::Error for RdbFileError {}
