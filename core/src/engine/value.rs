//! The values a key can hold. Issue #3 adds the container types.

use bytes::Bytes;

use crate::resp::parse_i64;

/// A string value with Redis's encodings (`OBJECT ENCODING`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StrValue {
    /// A canonical decimal integer (`int`).
    Int(i64),
    /// A short string created whole (`embstr`, at most 44 bytes).
    Emb(Bytes),
    /// Any other string (`raw`): long ones, and ones modified in place.
    Raw(Bytes),
}

/// Longest string Redis stores as `embstr`.
pub const EMBSTR_MAX_BYTES: usize = 44;

impl StrValue {
    /// Encode a freshly written value as Redis's `tryObjectEncoding` would.
    pub fn new(b: Bytes) -> StrValue {
        if b.len() <= 20 {
            if let Some(n) = parse_i64(&b) {
                return StrValue::Int(n);
            }
        }
        if b.len() <= EMBSTR_MAX_BYTES {
            StrValue::Emb(b)
        } else {
            StrValue::Raw(b)
        }
    }

    /// A value produced by in-place modification (APPEND, SETRANGE): `raw`.
    pub fn raw(b: Bytes) -> StrValue {
        StrValue::Raw(b)
    }

    /// The bytes of the value (integers are formatted).
    pub fn to_bytes(&self) -> Bytes {
        match self {
            StrValue::Int(n) => Bytes::from(itoa::Buffer::new().format(*n).to_owned()),
            StrValue::Emb(b) | StrValue::Raw(b) => b.clone(),
        }
    }

    /// Length in bytes.
    pub fn len(&self) -> usize {
        match self {
            StrValue::Int(n) => itoa::Buffer::new().format(*n).len(),
            StrValue::Emb(b) | StrValue::Raw(b) => b.len(),
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

/// A key's value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// A string.
    Str(StrValue),
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
        }
    }

    /// `OBJECT ENCODING` name.
    pub fn encoding(&self) -> &'static str {
        match self {
            Value::Str(s) => s.encoding(),
        }
    }
}

/// Redis's wrong-type error text.
pub const WRONGTYPE: &str = "WRONGTYPE Operation against a key holding the wrong kind of value";
