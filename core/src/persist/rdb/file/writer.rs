//! Writing an RDB file the way Redis 7.0's `rdbSaveRio` lays it out:
//! header, aux fields, then per non-empty database `SELECTDB` and
//! `RESIZEDB` followed by its keys (`EXPIRETIME_MS`, `IDLE`/`FREQ` when
//! the eviction policy tracks them, type, key, value), then `EOF` and the
//! CRC-64 of everything before it (zero with `rdbchecksum no`).
//!
//! The caller owns the order (it walks the keyspace) and the I/O: every
//! method appends to a buffer that [`RdbWriter::take_output`] drains.

use crate::engine::value::Value;
use crate::persist::crc64::Crc64Digest;
use crate::persist::rdb::string::{write_len, write_string};
use crate::persist::rdb::{encode_value, SaveOptions, RDB_VERSION};

use super::opcodes;

/// File-level settings (`rdbcompression`, `rdbchecksum`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RdbOptions {
    /// LZF-compress strings over 20 bytes where that saves space.
    pub compression: bool,
    /// Compute the CRC-64 footer (otherwise it is written as zero, which
    /// loaders take as "not computed").
    pub checksum: bool,
}

impl Default for RdbOptions {
    /// Redis 7.0's defaults: both on.
    fn default() -> Self {
        RdbOptions {
            compression: true,
            checksum: true,
        }
    }
}

/// Per-key eviction hints Redis saves when `maxmemory-policy` uses them:
/// the LRU idle time for `*-lru` policies, the LFU counter for `*-lfu`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ObjectMeta {
    /// Seconds since the key was last accessed (`IDLE` opcode).
    pub idle_secs: Option<u64>,
    /// The logarithmic access counter (`FREQ` opcode).
    pub freq: Option<u8>,
}

/// The replication aux fields Redis adds when saving for a replica or
/// with replication info (`repl-stream-db`, `repl-id`, `repl-offset`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReplAux<'a> {
    /// The database the replication stream has selected.
    pub stream_db: i64,
    /// The 40-character replication ID.
    pub repl_id: &'a str,
    /// The replication offset.
    pub offset: i64,
}

/// The aux fields Redis 7.0 writes at the start of every RDB file, in its
/// order; the caller supplies the values (no clock or allocator here).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StandardAux<'a> {
    /// `redis-ver`: the version string the server reports.
    pub redis_ver: &'a str,
    /// `redis-bits`: 64 or 32.
    pub redis_bits: u32,
    /// `ctime`: Unix seconds at save time.
    pub ctime: i64,
    /// `used-mem`: bytes in use at save time.
    pub used_mem: u64,
    /// Replication fields, when saving with replication info.
    pub repl: Option<ReplAux<'a>>,
    /// `aof-base`: whether this RDB is the base (preamble) of an AOF.
    pub aof_base: bool,
}

/// Writes one RDB file into memory, piece by piece.
#[derive(Debug)]
pub struct RdbWriter {
    out: Vec<u8>,
    digest: Crc64Digest,
    checksum: bool,
    save: SaveOptions,
    written: u64,
}

impl RdbWriter {
    /// Start a file: the `REDIS0010` header is written at once.
    pub fn new(opts: RdbOptions) -> RdbWriter {
        let save = SaveOptions {
            compression: opts.compression,
            ..SaveOptions::default()
        };
        RdbWriter::with_save_options(save, opts.checksum)
    }

    /// Start a file with the full value settings (quicklist node size and
    /// compression depth as the live `list-max-listpack-size` and
    /// `list-compress-depth`), so lists are saved as Redis would.
    pub fn with_save_options(save: SaveOptions, checksum: bool) -> RdbWriter {
        let mut w = RdbWriter {
            out: Vec::with_capacity(64),
            digest: Crc64Digest::new(),
            checksum,
            save,
            written: 0,
        };
        w.out.extend_from_slice(super::MAGIC);
        w.out
            .extend_from_slice(format!("{RDB_VERSION:04}").as_bytes());
        w
    }

    /// An aux field: `AUX`, key and value as strings (integers in their
    /// integer encoding, as Redis's `rdbSaveAuxFieldStrInt` produces).
    pub fn aux(&mut self, key: &[u8], value: &[u8]) {
        self.out.push(opcodes::AUX);
        write_string(&mut self.out, key, self.save.compression);
        write_string(&mut self.out, value, self.save.compression);
    }

    /// The standard aux fields, in Redis 7.0's order: `redis-ver`,
    /// `redis-bits`, `ctime`, `used-mem`, the replication trio when given,
    /// `aof-base`.
    pub fn standard_aux(&mut self, aux: &StandardAux<'_>) {
        let mut num = itoa::Buffer::new();
        self.aux(b"redis-ver", aux.redis_ver.as_bytes());
        self.aux(b"redis-bits", num.format(aux.redis_bits).as_bytes());
        self.aux(b"ctime", num.format(aux.ctime).as_bytes());
        self.aux(b"used-mem", num.format(aux.used_mem).as_bytes());
        if let Some(r) = aux.repl {
            self.aux(b"repl-stream-db", num.format(r.stream_db).as_bytes());
            self.aux(b"repl-id", r.repl_id.as_bytes());
            self.aux(b"repl-offset", num.format(r.offset).as_bytes());
        }
        self.aux(b"aof-base", if aux.aof_base { b"1" } else { b"0" });
    }

    /// Start database `db`: `SELECTDB`, then `RESIZEDB` with its key count
    /// and the number of keys with an expiry (size hints for the loader).
    /// Redis skips empty databases entirely; so should the caller.
    pub fn select_db(&mut self, db: usize, keys: u64, expires: u64) {
        self.out.push(opcodes::SELECTDB);
        write_len(&mut self.out, db as u64);
        self.out.push(opcodes::RESIZEDB);
        write_len(&mut self.out, keys);
        write_len(&mut self.out, expires);
    }

    /// One key of the current database, with its absolute expiry in Unix
    /// milliseconds.
    pub fn entry(&mut self, key: &[u8], value: &Value, expire_ms: Option<u64>) {
        self.entry_with_meta(key, value, expire_ms, ObjectMeta::default());
    }

    /// One key with eviction hints, written in Redis's order: expiry,
    /// idle time, frequency, then type, key and value.
    pub fn entry_with_meta(
        &mut self,
        key: &[u8],
        value: &Value,
        expire_ms: Option<u64>,
        meta: ObjectMeta,
    ) {
        if let Some(at) = expire_ms {
            self.out.push(opcodes::EXPIRETIME_MS);
            self.out.extend_from_slice(&at.to_le_bytes());
        }
        if let Some(idle) = meta.idle_secs {
            self.out.push(opcodes::IDLE);
            write_len(&mut self.out, idle);
        }
        if let Some(freq) = meta.freq {
            self.out.push(opcodes::FREQ);
            self.out.push(freq);
        }
        let encoded = encode_value(value, &self.save);
        // The value codec starts with the type byte; the key goes between
        // it and the body.
        let (ty, body) = encoded.split_first().map_or((0, &[][..]), |(t, b)| (*t, b));
        self.out.push(ty);
        write_string(&mut self.out, key, self.save.compression);
        self.out.extend_from_slice(body);
    }

    /// Bytes produced since the last call (the caller writes them out);
    /// the checksum keeps covering them.
    pub fn take_output(&mut self) -> Vec<u8> {
        let out = std::mem::take(&mut self.out);
        self.digest.update(&out);
        self.written += out.len() as u64;
        out
    }

    /// Bytes handed out or buffered so far: the file size once finished
    /// minus the footer.
    pub fn len(&self) -> u64 {
        self.written + self.out.len() as u64
    }

    /// Whether nothing at all was produced (never: the header is written
    /// at creation; here for API completeness next to [`RdbWriter::len`]).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Bytes waiting in the buffer (a caller may drain past a threshold).
    pub fn buffered(&self) -> usize {
        self.out.len()
    }

    /// End the file: `EOF` and the CRC-64 footer (zero when checksums are
    /// off); returns the bytes not yet taken.
    pub fn finish(mut self) -> Vec<u8> {
        self.out.push(opcodes::EOF);
        let mut out = self.take_output();
        let sum = if self.checksum {
            self.digest.value()
        } else {
            0
        };
        out.extend_from_slice(&sum.to_le_bytes());
        out
    }
}
