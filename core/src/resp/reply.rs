//! The reply a command produces, independent of the wire protocol version.
//!
//! Commands build a [`Reply`]; the encoder renders it as RESP2 or RESP3 for
//! the connection. Types that RESP2 lacks (maps, sets, doubles, booleans,
//! pushes) degrade exactly as Redis 7 degrades them.

use std::borrow::Cow;

use bytes::{Bytes, BytesMut};

/// The protocol version a connection speaks (HELLO 2 | HELLO 3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Protocol {
    /// RESP2, the default.
    #[default]
    Resp2,
    /// RESP3.
    Resp3,
}

impl Protocol {
    /// The number HELLO reports (`proto` field).
    pub fn number(self) -> i64 {
        match self {
            Protocol::Resp2 => 2,
            Protocol::Resp3 => 3,
        }
    }
}

/// One reply, possibly nested.
#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    /// `+text`: a status reply. CR/LF are replaced by spaces on encode.
    Status(Cow<'static, str>),
    /// `-text`: an error; `text` includes its code (`ERR ...`, `WRONGTYPE ...`).
    Error(Cow<'static, str>),
    /// `:n`.
    Integer(i64),
    /// `$len\r\nbytes`.
    Bulk(Bytes),
    /// The null bulk string (`$-1` / `_`).
    Nil,
    /// The null array (`*-1` / `_`).
    NilArray,
    /// `*n` of replies.
    Array(Vec<Reply>),
    /// `%n` of pairs; a flat array of 2n in RESP2.
    Map(Vec<(Reply, Reply)>),
    /// `~n`; an array in RESP2.
    Set(Vec<Reply>),
    /// `,d`; a bulk string of `%.17g` in RESP2.
    Double(f64),
    /// A double whose text is already formatted (Redis's long-double "human"
    /// form, e.g. GEOPOS coordinates): `,text` in RESP3, a bulk string of
    /// `text` in RESP2. The text must be a valid RESP3 double.
    DoubleText(Cow<'static, str>),
    /// `#t`/`#f`; `:1`/`:0` in RESP2.
    Bool(bool),
    /// `=len\r\nfmt:text`; a bulk string of `text` in RESP2.
    Verbatim {
        /// The three-letter format, `txt` or `mkd`.
        format: [u8; 3],
        /// The text.
        text: Bytes,
    },
    /// `(digits`; a bulk string in RESP2.
    BigNumber(String),
    /// `>n` out-of-band push; an array in RESP2.
    Push(Vec<Reply>),
}

impl Reply {
    /// `+OK`.
    pub const fn ok() -> Reply {
        Reply::Status(Cow::Borrowed("OK"))
    }

    /// A status reply from static text.
    pub const fn status(s: &'static str) -> Reply {
        Reply::Status(Cow::Borrowed(s))
    }

    /// An error reply; `msg` must carry its code (`ERR ...`).
    pub fn error(msg: impl Into<Cow<'static, str>>) -> Reply {
        Reply::Error(msg.into())
    }

    /// An `ERR`-prefixed error.
    pub fn err(msg: impl AsRef<str>) -> Reply {
        Reply::Error(Cow::Owned(format!("ERR {}", msg.as_ref())))
    }

    /// A bulk string copied from bytes.
    pub fn bulk(b: impl AsRef<[u8]>) -> Reply {
        Reply::Bulk(Bytes::copy_from_slice(b.as_ref()))
    }

    /// A bulk string holding a copy of `data`, carved from `arena`: the
    /// arena's buffer is reused once the replies carved from it were
    /// encoded and dropped, so a read command allocates nothing per call.
    /// Large values get their own allocation.
    pub fn bulk_in(arena: &mut BytesMut, data: &[u8]) -> Reply {
        const CHUNK: usize = 16 * 1024;
        if data.len() > CHUNK / 4 {
            return Reply::Bulk(Bytes::copy_from_slice(data));
        }
        if arena.capacity() - arena.len() < data.len() {
            arena.reserve(CHUNK);
        }
        arena.extend_from_slice(data);
        Reply::Bulk(arena.split().freeze())
    }

    /// A bulk string from static bytes.
    pub const fn bulk_static(b: &'static [u8]) -> Reply {
        Reply::Bulk(Bytes::from_static(b))
    }

    /// True for error replies.
    pub fn is_error(&self) -> bool {
        matches!(self, Reply::Error(_))
    }
}

impl From<i64> for Reply {
    fn from(n: i64) -> Self {
        Reply::Integer(n)
    }
}

impl From<Bytes> for Reply {
    fn from(b: Bytes) -> Self {
        Reply::Bulk(b)
    }
}
