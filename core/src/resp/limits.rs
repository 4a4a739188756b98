//! Protocol limits, Redis 7.0's defaults.

/// Redis's `PROTO_INLINE_MAX_SIZE`: the longest inline request, and the longest
/// multibulk/bulk header line we wait for.
pub const INLINE_MAX_BYTES: usize = 64 * 1024;

/// Default `proto-max-bulk-len`: 512 MB.
pub const BULK_MAX_BYTES_DEFAULT: i64 = 512 * 1024 * 1024;

/// How deep nested aggregate replies may go before the frame parser refuses them.
pub const FRAME_NESTING_MAX: usize = 128;

/// The limits a [`super::RequestParser`] enforces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParserLimits {
    /// `proto-max-bulk-len`: the largest bulk argument accepted.
    pub max_bulk_len: i64,
    /// The largest multibulk count accepted (Redis: `INT_MAX`).
    pub max_multibulk_len: i64,
    /// The longest inline request / header line.
    pub max_inline_len: usize,
}

impl Default for ParserLimits {
    fn default() -> Self {
        ParserLimits {
            max_bulk_len: BULK_MAX_BYTES_DEFAULT,
            max_multibulk_len: i64::from(i32::MAX),
            max_inline_len: INLINE_MAX_BYTES,
        }
    }
}
