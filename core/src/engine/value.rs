//! The values a key can hold: strings here, containers in `engine/types/`.

use bytes::{Bytes, BytesMut};

use super::shared::Shared;
use super::types;
use crate::resp::parse_i64;

/// A string value with Redis's encodings (`OBJECT ENCODING`).
///
/// The bytes are owned (`Box<[u8]>` / `Vec<u8>`, not `Bytes`): 24 bytes
/// for the whole enum instead of 40, and no shared header allocated the
/// first time a reply borrows the value. Copying a value (snapshots, DUMP)
/// copies its bytes; GET encodes straight from the borrowed bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StrValue {
    /// A canonical decimal integer (`int`).
    Int(i64),
    /// A short string created whole (`embstr`, at most 44 bytes).
    Emb(Box<[u8]>),
    /// Any other string (`raw`): long ones, and ones modified in place. A
    /// `Vec` so in-place growth (APPEND, SETRANGE) keeps spare capacity.
    Raw(Vec<u8>),
}

/// Longest string Redis stores as `embstr`.
pub const EMBSTR_MAX_BYTES: usize = 44;

impl StrValue {
    /// Encode a freshly written value as Redis's `tryObjectEncoding` would:
    /// `int` for a canonical integer of at most 20 bytes, else `embstr` up to
    /// [`EMBSTR_MAX_BYTES`], else `raw`.
    pub fn new(b: Bytes) -> StrValue {
        if b.len() <= 20 {
            if let Some(n) = parse_i64(&b) {
                return StrValue::Int(n);
            }
        }
        StrValue::created(b)
    }

    /// A value taken from a request argument: the bytes are copied out so
    /// the stored value never pins the connection's whole read buffer.
    pub fn from_arg(arg: &[u8]) -> StrValue {
        if arg.len() <= 20 {
            if let Some(n) = parse_i64(arg) {
                return StrValue::Int(n);
            }
        }
        if arg.len() <= EMBSTR_MAX_BYTES {
            StrValue::Emb(Box::from(arg))
        } else {
            StrValue::Raw(arg.to_vec())
        }
    }

    /// A value built by a command without integer detection (Redis's
    /// `createStringObject`, e.g. INCRBYFLOAT's result): `embstr` when short,
    /// else `raw`.
    pub fn created(b: Bytes) -> StrValue {
        if b.len() <= EMBSTR_MAX_BYTES {
            StrValue::Emb(Vec::from(b).into_boxed_slice())
        } else {
            StrValue::Raw(Vec::from(b))
        }
    }

    /// A value produced by in-place modification (APPEND, SETRANGE): `raw`.
    /// Reuses `b`'s buffer (and spare capacity) when nothing else holds it.
    pub fn raw(b: Bytes) -> StrValue {
        StrValue::Raw(Vec::from(b))
    }

    /// The stored bytes; `None` for the `int` encoding (see [`Self::to_bytes`]).
    pub fn as_slice(&self) -> Option<&[u8]> {
        match self {
            StrValue::Int(_) => None,
            StrValue::Emb(b) => Some(b),
            StrValue::Raw(b) => Some(b),
        }
    }

    /// Call `f` with the value's bytes (integers formatted on the stack):
    /// read the value without copying it.
    pub fn with_bytes<R>(&self, f: impl FnOnce(&[u8]) -> R) -> R {
        match self {
            StrValue::Int(n) => f(itoa::Buffer::new().format(*n).as_bytes()),
            StrValue::Emb(b) => f(b),
            StrValue::Raw(b) => f(b),
        }
    }

    /// The bytes of the value, as a copy (integers are formatted).
    pub fn to_bytes(&self) -> Bytes {
        self.with_bytes(Bytes::copy_from_slice)
    }

    /// Take the bytes out for in-place modification (APPEND, SETRANGE).
    /// Reuses the buffer (and its spare capacity, so repeated APPENDs are
    /// amortised O(1) as in Redis). Leaves an empty value behind.
    pub fn take_mut(&mut self) -> BytesMut {
        match std::mem::replace(self, StrValue::Emb(Box::default())) {
            StrValue::Int(n) => BytesMut::from(itoa::Buffer::new().format(n).as_bytes()),
            StrValue::Emb(b) => BytesMut::from(&b[..]),
            StrValue::Raw(v) => BytesMut::from(Bytes::from(v)),
        }
    }

    /// The value as a 64-bit integer, as Redis's `getLongLongFromObject`:
    /// `int` encoded, or text that is a canonical integer.
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            StrValue::Int(n) => Some(*n),
            StrValue::Emb(b) => parse_i64(b),
            StrValue::Raw(b) => parse_i64(b),
        }
    }

    /// Length in bytes.
    pub fn len(&self) -> usize {
        match self {
            StrValue::Int(n) => itoa::Buffer::new().format(*n).len(),
            StrValue::Emb(b) => b.len(),
            StrValue::Raw(b) => b.len(),
        }
    }

    /// True for the empty string.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// `OBJECT ENCODING` name.
    pub fn encoding(&self) -> &'static str {
        match self {
            StrValue::Int(_) => "int",
            StrValue::Emb(_) => "embstr",
            StrValue::Raw(_) => "raw",
        }
    }
}

/// A key's value. Each container type lives in `engine/types/<type>.rs`,
/// which owns its representation and its compact/full encodings.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// A string (also bitmaps and HyperLogLogs, as in Redis).
    Str(StrValue),
    /// A list.
    List(Shared<types::list::List>),
    /// A hash.
    Hash(Shared<types::hash::Hash>),
    /// A set.
    Set(Shared<types::set::Set>),
    /// A sorted set.
    ZSet(Shared<types::zset::ZSet>),
    /// A stream.
    Stream(Shared<types::stream::Stream>),
}

impl Value {
    /// A string value from bytes, encoded as Redis would.
    pub fn string(b: Bytes) -> Value {
        Value::Str(StrValue::new(b))
    }

    /// `TYPE` name.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Str(_) => "string",
            Value::List(_) => "list",
            Value::Hash(_) => "hash",
            Value::Set(_) => "set",
            Value::ZSet(_) => "zset",
            Value::Stream(_) => "stream",
        }
    }

    /// `OBJECT ENCODING` name.
    pub fn encoding(&self) -> &'static str {
        match self {
            Value::Str(s) => s.encoding(),
            Value::List(v) => v.encoding(),
            Value::Hash(v) => v.encoding(),
            Value::Set(v) => v.encoding(),
            Value::ZSet(v) => v.encoding(),
            Value::Stream(v) => v.encoding(),
        }
    }
}

/// Redis's wrong-type error text.
pub const WRONGTYPE: &str = "WRONGTYPE Operation against a key holding the wrong kind of value";
