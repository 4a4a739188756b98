//! A byte string that keeps short keys inside the keyspace's dict node.
//!
//! Why: a keyspace entry used to hold its key as a `Bytes` (32 bytes in the
//! node plus a separate heap allocation for the bytes). Nearly every real key
//! is short, so [`SmallKey`] keeps up to [`INLINE_MAX`] bytes inline in 24
//! bytes and only spills longer keys to one exact-size `Box<[u8]>`: one
//! allocation per key fewer, and a 64-byte node (see `dict.rs`).

use std::fmt;
use std::ops::Deref;

use bytes::Bytes;

/// Longest key stored inline (the enum is 24 bytes: a length byte, the
/// bytes, and the discriminant).
pub const INLINE_MAX: usize = 22;

/// A key: inline when short, boxed otherwise.
#[derive(Clone, PartialEq, Eq, Hash)]
pub enum SmallKey {
    /// Up to [`INLINE_MAX`] bytes; `len` of `buf` are used.
    Inline {
        /// Bytes used in `buf`.
        len: u8,
        /// The bytes, zero-padded.
        buf: [u8; INLINE_MAX],
    },
    /// A longer key, in an exact-size allocation.
    Heap(Box<[u8]>),
}

impl SmallKey {
    /// A copy of `b`.
    pub fn from_slice(b: &[u8]) -> SmallKey {
        if b.len() <= INLINE_MAX {
            let mut buf = [0u8; INLINE_MAX];
            buf[..b.len()].copy_from_slice(b);
            SmallKey::Inline {
                // INLINE_MAX < 256, checked just above.
                len: b.len() as u8,
                buf,
            }
        } else {
            SmallKey::Heap(Box::from(b))
        }
    }

    /// The bytes.
    pub fn as_slice(&self) -> &[u8] {
        match self {
            SmallKey::Inline { len, buf } => &buf[..usize::from(*len).min(INLINE_MAX)],
            SmallKey::Heap(b) => b,
        }
    }

    /// The bytes as a `Bytes` (a copy: keys handed out of the keyspace, e.g.
    /// by SCAN or expiry events, are short-lived).
    pub fn to_bytes(&self) -> Bytes {
        match self {
            SmallKey::Inline { .. } => Bytes::copy_from_slice(self.as_slice()),
            SmallKey::Heap(b) => Bytes::copy_from_slice(b),
        }
    }

    /// Into a `Bytes`, reusing a spilled key's allocation.
    pub fn into_bytes(self) -> Bytes {
        match self {
            SmallKey::Inline { .. } => Bytes::copy_from_slice(self.as_slice()),
            SmallKey::Heap(b) => Bytes::from(b),
        }
    }
}

impl Deref for SmallKey {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        self.as_slice()
    }
}

impl AsRef<[u8]> for SmallKey {
    fn as_ref(&self) -> &[u8] {
        self.as_slice()
    }
}

impl From<&[u8]> for SmallKey {
    fn from(b: &[u8]) -> Self {
        SmallKey::from_slice(b)
    }
}

impl From<Bytes> for SmallKey {
    fn from(b: Bytes) -> Self {
        if b.len() <= INLINE_MAX {
            SmallKey::from_slice(&b)
        } else {
            SmallKey::Heap(Vec::from(b).into_boxed_slice())
        }
    }
}

impl From<SmallKey> for Bytes {
    fn from(k: SmallKey) -> Self {
        k.into_bytes()
    }
}

impl PartialEq<[u8]> for SmallKey {
    fn eq(&self, other: &[u8]) -> bool {
        self.as_slice() == other
    }
}

impl fmt::Debug for SmallKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&Bytes::copy_from_slice(self.as_slice()), f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_key_is_three_words() {
        assert_eq!(std::mem::size_of::<SmallKey>(), 24);
    }

    #[test]
    fn round_trips_every_length_around_the_inline_limit() {
        for n in [
            0,
            1,
            15,
            16,
            INLINE_MAX - 1,
            INLINE_MAX,
            INLINE_MAX + 1,
            100,
        ] {
            let b: Vec<u8> = (0..n).map(|i| (i * 7 + 1) as u8).collect();
            let k = SmallKey::from_slice(&b);
            assert_eq!(k.as_slice(), &b[..]);
            assert_eq!(&k.to_bytes()[..], &b[..]);
            assert_eq!(matches!(k, SmallKey::Inline { .. }), n <= INLINE_MAX);
            let k2 = SmallKey::from(Bytes::from(b.clone()));
            assert_eq!(k, k2);
            assert_eq!(&k2.into_bytes()[..], &b[..]);
        }
    }
}
