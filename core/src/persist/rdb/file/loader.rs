//! Reading an RDB file incrementally: bytes go in with
//! [`RdbLoader::feed`] in any chunking, [`RdbLoader::next_event`] yields
//! one [`LoadEvent`] at a time, or `Ok(None)` when the record it is on has
//! not fully arrived. Call [`RdbLoader::end_of_input`] once the input is
//! complete: a record cut short then becomes a `Truncated` error. Until
//! then, a partly buffered record is retried only once the buffered part
//! has grown by a quarter (which keeps the reparsing of a large value
//! linear overall), so the last record may wait for `end_of_input`.
//!
//! Each record is parsed from the buffer as a whole and only then applied,
//! so a record that is incomplete leaves no state behind. Errors are
//! sticky: once one is returned, every later call returns it again.

use bytes::Bytes;

use crate::engine::value::Value;
use crate::persist::crc64::Crc64Digest;
use crate::persist::rdb::string::Reader;
use crate::persist::rdb::{decode_body, LoadOptions, RdbError as CodecError};

use super::{opcodes, ErrorKind, RdbFileError, MAX_VERSION, MIN_VERSION};

/// One thing read from an RDB file.
#[derive(Debug, Clone, PartialEq)]
pub enum LoadEvent {
    /// An auxiliary field (`redis-ver`, `ctime`, `repl-id`, `lua`, KeyDB's
    /// `repl-masters`, ...). KeyDB's per-key fields are not reported here:
    /// see [`EntryMeta::mvcc`] and [`LoadEvent::SubkeyExpire`].
    Aux {
        /// The field name.
        key: Bytes,
        /// Its value (integers as decimal text).
        value: Bytes,
    },
    /// The following keys belong to this database.
    SelectDb(usize),
    /// Size hints for the current database.
    ResizeDb {
        /// Keys in the database.
        keys: u64,
        /// Keys with an expiry.
        expires: u64,
    },
    /// A key. Its `IDLE`/`FREQ`/`mvcc-tstamp` hints, if any, are in
    /// [`RdbLoader::entry_meta`] until the next entry. Already-expired
    /// keys are reported too: dropping them is the caller's decision (Redis
    /// keeps them when loading as a replica).
    Entry {
        /// The database selected when the key was read.
        db: usize,
        /// The key.
        key: Bytes,
        /// The value, in the encoding Redis would give it on load.
        value: Value,
        /// Absolute expiry in Unix milliseconds.
        expire_ms: Option<u64>,
    },
    /// KeyDB's expiry of one member (`subkey`) of the key read just
    /// before (`EXPIREMEMBER`): keyrs holds no per-member TTL, so the
    /// caller decides (apply, or drop with a warning).
    SubkeyExpire {
        /// The database of the key.
        db: usize,
        /// The key the member belongs to.
        key: Bytes,
        /// The set member, hash field or zset member.
        subkey: Bytes,
        /// When it expires, Unix milliseconds.
        when_ms: i64,
    },
    /// The EOF opcode and checksum were read and verified.
    End,
}

/// Per-key hints that precede a key in the file.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EntryMeta {
    /// LRU idle seconds (`IDLE`).
    pub idle_secs: Option<u64>,
    /// LFU counter (`FREQ`).
    pub freq: Option<u8>,
    /// KeyDB's MVCC timestamp (`mvcc-tstamp` aux), `(ms << 20) | counter`.
    pub mvcc: Option<u64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Header,
    Body,
    Checksum,
    Done,
}

/// A fully parsed record, applied to the loader only once complete.
enum Record {
    Header(u32),
    Aux(Bytes, Bytes),
    SelectDb(u64),
    ResizeDb(u64, u64),
    ExpireMs(i64),
    Idle(u64),
    Freq(u8),
    Entry(Bytes, Value),
    EmptyKey(Bytes),
    Eof,
    Checksum(u64),
}

/// Consumed bytes are dropped from the buffer once this many pile up.
const COMPACT_AFTER: usize = 256 * 1024;

/// An incremental RDB file reader.
#[derive(Debug)]
pub struct RdbLoader {
    buf: Vec<u8>,
    pos: usize,
    base: u64,
    need: usize,
    ended: bool,
    state: State,
    version: u32,
    opts: LoadOptions,
    max_dbs: Option<usize>,
    digest: Crc64Digest,
    db: usize,
    expire_ms: Option<i64>,
    pending_meta: EntryMeta,
    meta: EntryMeta,
    last_key: Option<Bytes>,
    subexpire_key: Option<Bytes>,
    empty_keys_skipped: u64,
    failed: Option<RdbFileError>,
}

impl Default for RdbLoader {
    fn default() -> Self {
        RdbLoader::new()
    }
}

impl RdbLoader {
    /// A loader with Redis 7.0's default encoding limits.
    pub fn new() -> RdbLoader {
        RdbLoader::with_options(LoadOptions::default())
    }

    /// A loader whose values get encodings by `opts` (the live
    /// `*-max-listpack-*` settings and the hash seed).
    pub fn with_options(opts: LoadOptions) -> RdbLoader {
        RdbLoader {
            buf: Vec::new(),
            pos: 0,
            base: 0,
            need: 0,
            ended: false,
            state: State::Header,
            version: 0,
            opts,
            max_dbs: None,
            digest: Crc64Digest::new(),
            db: 0,
            expire_ms: None,
            pending_meta: EntryMeta::default(),
            meta: EntryMeta::default(),
            last_key: None,
            subexpire_key: None,
            empty_keys_skipped: 0,
            failed: None,
        }
    }

    /// Refuse `SELECTDB` of database `n` or above (the `databases`
    /// setting), as Redis refuses such a file.
    pub fn limit_databases(&mut self, n: usize) {
        self.max_dbs = Some(n);
    }

    /// More input.
    pub fn feed(&mut self, data: &[u8]) {
        self.buf.extend_from_slice(data);
    }

    /// No more input will come: an incomplete record is now an error.
    pub fn end_of_input(&mut self) {
        self.ended = true;
    }

    /// The file's RDB version (0 until the header was read).
    pub fn version(&self) -> u32 {
        self.version
    }

    /// Whether the EOF opcode and checksum were read ([`LoadEvent::End`]).
    pub fn is_done(&self) -> bool {
        self.state == State::Done
    }

    /// Bytes of the file consumed so far (after [`LoadEvent::End`]: the
    /// file's length, where an AOF's command part would start).
    pub fn consumed(&self) -> u64 {
        self.base + self.pos as u64
    }

    /// The bytes fed but not consumed (after [`LoadEvent::End`], whatever
    /// follows the RDB, such as an AOF tail); they are removed.
    pub fn take_remaining(&mut self) -> Vec<u8> {
        let rest = self.buf.split_off(self.pos);
        self.base += self.pos as u64;
        self.buf.clear();
        self.pos = 0;
        rest
    }

    /// The `IDLE`, `FREQ` and `mvcc-tstamp` hints of the last
    /// [`LoadEvent::Entry`] returned.
    pub fn entry_meta(&self) -> EntryMeta {
        self.meta
    }

    /// How many empty containers were skipped (Redis 7.0 skips such keys
    /// with a log line instead of failing).
    pub fn empty_keys_skipped(&self) -> u64 {
        self.empty_keys_skipped
    }

    /// The next event, `Ok(None)` when more input is needed (or, after
    /// [`LoadEvent::End`], always), or the error that stops the load.
    pub fn next_event(&mut self) -> Result<Option<LoadEvent>, RdbFileError> {
        loop {
            if let Some(e) = &self.failed {
                return Err(e.clone());
            }
            if self.state == State::Done {
                return Ok(None);
            }
            let avail = self.buf.len() - self.pos;
            if avail < self.need && !self.ended {
                return Ok(None);
            }
            let start = self.consumed();
            let mut r = Reader::new(&self.buf[self.pos..]);
            let parsed = parse_record(&mut r, self.state, self.version, &self.opts);
            let used = r.position();
            match parsed {
                Ok(record) => {
                    let end = self.pos + used;
                    if record_is_checksummed(&record) {
                        self.digest.update(&self.buf[self.pos..end]);
                    }
                    self.pos = end;
                    self.need = 0;
                    self.compact();
                    match self.apply(record, start) {
                        Ok(Some(ev)) => return Ok(Some(ev)),
                        Ok(None) => continue,
                        Err(kind) => return Err(self.fail(start, kind)),
                    }
                }
                Err(Fault::Truncated) if !self.ended => {
                    // Retry once a quarter more has arrived: a record is
                    // then reparsed a bounded number of times overall.
                    self.need = avail.saturating_add(avail / 4).saturating_add(1);
                    return Ok(None);
                }
                Err(Fault::Truncated) => {
                    return Err(self.fail(start + avail as u64, ErrorKind::Truncated))
                }
                Err(Fault::At(off, kind)) => return Err(self.fail(start + off as u64, kind)),
            }
        }
    }

    fn fail(&mut self, offset: u64, kind: ErrorKind) -> RdbFileError {
        let e = RdbFileError::new(offset, kind);
        self.failed = Some(e.clone());
        e
    }

    fn compact(&mut self) {
        if self.pos >= COMPACT_AFTER && self.pos * 2 >= self.buf.len() {
            self.buf.drain(..self.pos);
            self.base += self.pos as u64;
            self.pos = 0;
        }
    }

    /// Apply a complete record: `Ok(None)` for records that only set state
    /// for the next key.
    fn apply(&mut self, record: Record, start: u64) -> Result<Option<LoadEvent>, ErrorKind> {
        Ok(match record {
            Record::Header(v) => {
                self.version = v;
                self.state = State::Body;
                None
            }
            Record::Aux(key, value) => return self.apply_aux(key, value),
            Record::SelectDb(n) => {
                let db = usize::try_from(n).map_err(|_| ErrorKind::DbOutOfRange(n))?;
                if self.max_dbs.is_some_and(|max| db >= max) {
                    return Err(ErrorKind::DbOutOfRange(n));
                }
                self.db = db;
                self.last_key = None;
                Some(LoadEvent::SelectDb(db))
            }
            Record::ResizeDb(keys, expires) => Some(LoadEvent::ResizeDb { keys, expires }),
            Record::ExpireMs(ms) => {
                self.expire_ms = Some(ms);
                None
            }
            Record::Idle(s) => {
                self.pending_meta.idle_secs = Some(s);
                None
            }
            Record::Freq(f) => {
                self.pending_meta.freq = Some(f);
                None
            }
            Record::Entry(key, value) => {
                // A negative expiry is a time long past.
                let expire_ms = self.expire_ms.take().map(|ms| ms.max(0) as u64);
                self.meta = std::mem::take(&mut self.pending_meta);
                self.last_key = Some(key.clone());
                self.subexpire_key = None;
                Some(LoadEvent::Entry {
                    db: self.db,
                    key,
                    value,
                    expire_ms,
                })
            }
            Record::EmptyKey(key) => {
                self.expire_ms = None;
                self.pending_meta = EntryMeta::default();
                self.last_key = None;
                self.empty_keys_skipped += 1;
                tracing::warn!(
                    offset = start,
                    key = %String::from_utf8_lossy(&key),
                    "RDB load: skipping empty key"
                );
                None
            }
            Record::Eof => {
                self.state = if self.version >= opcodes::CHECKSUM_SINCE {
                    State::Checksum
                } else {
                    State::Done
                };
                if self.state == State::Done {
                    Some(LoadEvent::End)
                } else {
                    None
                }
            }
            Record::Checksum(stored) => {
                let computed = self.digest.value();
                if stored != 0 && stored != computed {
                    return Err(ErrorKind::BadChecksum { stored, computed });
                }
                self.state = State::Done;
                Some(LoadEvent::End)
            }
        })
    }

    fn apply_aux(&mut self, key: Bytes, value: Bytes) -> Result<Option<LoadEvent>, ErrorKind> {
        if key[..] == *opcodes::AUX_MVCC_TSTAMP {
            let stamp = std::str::from_utf8(&value)
                .ok()
                .and_then(|s| s.parse::<u64>().ok())
                .ok_or(ErrorKind::Corrupt("mvcc-tstamp is not a number"))?;
            self.pending_meta.mvcc = Some(stamp);
            return Ok(None);
        }
        if key[..] == *opcodes::AUX_SUBEXPIRE_KEY {
            if self.last_key.is_none() {
                return Err(ErrorKind::Corrupt(
                    "keydb-subexpire-key with no key before it",
                ));
            }
            self.subexpire_key = Some(value);
            return Ok(None);
        }
        if key[..] == *opcodes::AUX_SUBEXPIRE_WHEN {
            let subkey = self.subexpire_key.take().ok_or(ErrorKind::Corrupt(
                "keydb-subexpire-when without keydb-subexpire-key",
            ))?;
            let key = self.last_key.clone().ok_or(ErrorKind::Corrupt(
                "keydb-subexpire-when with no key before it",
            ))?;
            let when_ms = std::str::from_utf8(&value)
                .ok()
                .and_then(|s| s.parse::<i64>().ok())
                .ok_or(ErrorKind::Corrupt("keydb-subexpire-when is not a number"))?;
            return Ok(Some(LoadEvent::SubkeyExpire {
                db: self.db,
                key,
                subkey,
                when_ms,
            }));
        }
        Ok(Some(LoadEvent::Aux { key, value }))
    }
}

/// Whether the record's bytes are covered by the CRC-64 footer (all but
/// the footer itself).
fn record_is_checksummed(r: &Record) -> bool {
    !matches!(r, Record::Checksum(_))
}

/// Why a record could not be parsed: it has not fully arrived, or it is
/// bad at this offset (relative to the record's start).
enum Fault {
    Truncated,
    At(usize, ErrorKind),
}

fn codec_fault(r: &Reader<'_>, e: CodecError) -> Fault {
    match e {
        CodecError::Truncated => Fault::Truncated,
        CodecError::Corrupt(why) => Fault::At(r.position(), ErrorKind::Corrupt(why)),
        other => Fault::At(
            r.position(),
            ErrorKind::Value {
                key: Bytes::new(),
                error: other,
            },
        ),
    }
}

/// Map a codec error in the value of `key` (a value cut short is still
/// "need more input").
fn value_fault(r: &Reader<'_>, key: &Bytes, e: CodecError) -> Fault {
    match e {
        CodecError::Truncated => Fault::Truncated,
        error => Fault::At(
            r.position(),
            ErrorKind::Value {
                key: key.clone(),
                error,
            },
        ),
    }
}

fn parse_record(
    r: &mut Reader<'_>,
    state: State,
    version: u32,
    opts: &LoadOptions,
) -> Result<Record, Fault> {
    match state {
        State::Header => parse_header(r),
        State::Checksum => {
            let b = r.bytes(8).map_err(|e| codec_fault(r, e))?;
            let mut a = [0u8; 8];
            a.copy_from_slice(b);
            Ok(Record::Checksum(u64::from_le_bytes(a)))
        }
        // Never parsed: next_event returns before.
        State::Done => Err(Fault::At(0, ErrorKind::Corrupt("data after the end"))),
        State::Body => parse_body_record(r, version, opts),
    }
}

fn parse_header(r: &mut Reader<'_>) -> Result<Record, Fault> {
    let head = r.bytes(9).map_err(|e| codec_fault(r, e))?;
    if &head[..5] != super::MAGIC {
        return Err(Fault::At(0, ErrorKind::BadMagic));
    }
    let digits = &head[5..];
    if !digits.iter().all(u8::is_ascii_digit) {
        return Err(Fault::At(0, ErrorKind::BadMagic));
    }
    let v = digits
        .iter()
        .fold(0u32, |v, d| v * 10 + u32::from(d - b'0'));
    if !(MIN_VERSION..=MAX_VERSION).contains(&v) {
        return Err(Fault::At(5, ErrorKind::UnsupportedVersion(v)));
    }
    Ok(Record::Header(v))
}

fn string(r: &mut Reader<'_>) -> Result<Bytes, Fault> {
    r.string().map(Bytes::from).map_err(|e| codec_fault(r, e))
}

fn length(r: &mut Reader<'_>) -> Result<u64, Fault> {
    r.length().map_err(|e| codec_fault(r, e))
}

fn parse_body_record(
    r: &mut Reader<'_>,
    _version: u32,
    opts: &LoadOptions,
) -> Result<Record, Fault> {
    let op = r.u8().map_err(|e| codec_fault(r, e))?;
    match op {
        opcodes::EOF => Ok(Record::Eof),
        opcodes::SELECTDB => Ok(Record::SelectDb(length(r)?)),
        opcodes::RESIZEDB => {
            let keys = length(r)?;
            let expires = length(r)?;
            Ok(Record::ResizeDb(keys, expires))
        }
        opcodes::AUX => {
            let key = string(r)?;
            let value = string(r)?;
            Ok(Record::Aux(key, value))
        }
        opcodes::EXPIRETIME_MS => {
            let b = r.bytes(8).map_err(|e| codec_fault(r, e))?;
            let mut a = [0u8; 8];
            a.copy_from_slice(b);
            Ok(Record::ExpireMs(i64::from_le_bytes(a)))
        }
        opcodes::EXPIRETIME => {
            let b = r.bytes(4).map_err(|e| codec_fault(r, e))?;
            let mut a = [0u8; 4];
            a.copy_from_slice(b);
            Ok(Record::ExpireMs(i64::from(i32::from_le_bytes(a)) * 1000))
        }
        opcodes::IDLE => Ok(Record::Idle(length(r)?)),
        opcodes::FREQ => Ok(Record::Freq(r.u8().map_err(|e| codec_fault(r, e))?)),
        opcodes::MODULE_AUX => Err(Fault::At(0, ErrorKind::Unsupported("module aux data"))),
        opcodes::FUNCTION2 | opcodes::FUNCTION_PRE_GA => Err(Fault::At(
            0,
            ErrorKind::Unsupported("functions (FUNCTION LOAD libraries)"),
        )),
        opcodes::TYPE_MODULE_PRE_GA | opcodes::TYPE_MODULE_2 => {
            Err(Fault::At(0, ErrorKind::Unsupported("module data types")))
        }
        opcodes::TYPE_KEYDB_CRON => Err(Fault::At(
            0,
            ErrorKind::Unsupported("KeyDB cron jobs (KEYDB.CRON, RDB type 64)"),
        )),
        t if is_value_type(t) => {
            let key = string(r)?;
            match decode_body(r, t, opts) {
                Ok(value) => Ok(Record::Entry(key, value)),
                Err(CodecError::EmptyKey) => Ok(Record::EmptyKey(key)),
                Err(e) => Err(value_fault(r, &key, e)),
            }
        }
        other => Err(Fault::At(0, ErrorKind::UnknownType(other))),
    }
}

/// Value types the codec may read (it refuses the ones keyrs cannot hold,
/// such as the Redis 2.x zipmap, with its own error).
fn is_value_type(t: u8) -> bool {
    t <= 5 || (9..=19).contains(&t)
}

/// Read a whole file held in memory: every event up to and including
/// [`LoadEvent::End`] (for tests, tools and small inputs).
pub fn load_all(data: &[u8], opts: LoadOptions) -> Result<Vec<LoadEvent>, RdbFileError> {
    let mut l = RdbLoader::with_options(opts);
    l.feed(data);
    l.end_of_input();
    let mut events = Vec::new();
    while let Some(ev) = l.next_event()? {
        let end = ev == LoadEvent::End;
        events.push(ev);
        if end {
            break;
        }
    }
    Ok(events)
}
