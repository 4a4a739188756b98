//! The replication backlog: the last `repl-backlog-size` bytes of the
//! replication stream, addressed by replication offset, so a replica that
//! lost its link can continue from where it stopped (partial resync).
//!
//! Offsets follow Redis: the stream's bytes are numbered from 1, the
//! master's `master_repl_offset` is the number of the last byte fed, and the
//! backlog holds `histlen` bytes ending there, the first of them numbered
//! `first_byte_offset`.

use std::collections::VecDeque;

/// A circular buffer of the most recent stream bytes.
#[derive(Debug, Clone)]
pub struct Backlog {
    /// The bytes held, oldest first (never more than `size`).
    buf: VecDeque<u8>,
    /// `repl-backlog-size`.
    size: usize,
    /// The offset of the last byte fed (`master_repl_offset`).
    end: u64,
}

impl Backlog {
    /// An empty backlog of `size` bytes whose next byte is `offset + 1`.
    pub fn new(size: usize, offset: u64) -> Backlog {
        Backlog {
            buf: VecDeque::new(),
            size: size.max(1),
            end: offset,
        }
    }

    /// Append stream bytes, forgetting the oldest beyond the size.
    pub fn feed(&mut self, bytes: &[u8]) {
        self.end = self.end.saturating_add(bytes.len() as u64);
        if bytes.len() >= self.size {
            self.buf.clear();
            self.buf.extend(&bytes[bytes.len() - self.size..]);
            return;
        }
        let over = (self.buf.len() + bytes.len()).saturating_sub(self.size);
        self.buf.drain(..over);
        self.buf.extend(bytes);
    }

    /// `repl-backlog-size` changed: keep the newest bytes that still fit.
    pub fn resize(&mut self, size: usize) {
        self.size = size.max(1);
        let over = self.buf.len().saturating_sub(self.size);
        self.buf.drain(..over);
    }

    /// The configured size.
    pub fn size(&self) -> usize {
        self.size
    }

    /// Bytes held (`repl_backlog_histlen`).
    pub fn histlen(&self) -> u64 {
        self.buf.len() as u64
    }

    /// The offset of the oldest byte held (`repl_backlog_first_byte_offset`).
    pub fn first_byte_offset(&self) -> u64 {
        self.end - self.histlen() + 1
    }

    /// The offset of the last byte fed.
    pub fn end_offset(&self) -> u64 {
        self.end
    }

    /// Can a replica continue from `offset` (the first byte it lacks)?
    pub fn covers(&self, offset: u64) -> bool {
        offset >= self.first_byte_offset() && offset <= self.end + 1
    }

    /// Up to `max` bytes starting at `offset`; `None` when they are no
    /// longer (or not yet) held.
    pub fn read_from(&self, offset: u64, max: usize) -> Option<Vec<u8>> {
        if !self.covers(offset) {
            return None;
        }
        let start = usize::try_from(offset - self.first_byte_offset()).ok()?;
        let n = (self.buf.len() - start).min(max);
        Some(self.buf.range(start..start + n).copied().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_follow_redis_numbering() {
        let mut b = Backlog::new(8, 0);
        assert_eq!((b.first_byte_offset(), b.histlen()), (1, 0));
        b.feed(b"abc");
        assert_eq!(
            (b.first_byte_offset(), b.histlen(), b.end_offset()),
            (1, 3, 3)
        );
        assert_eq!(b.read_from(2, 10).unwrap(), b"bc");
        assert_eq!(b.read_from(4, 10).unwrap(), b"");
        assert!(b.read_from(5, 10).is_none(), "beyond the end");
    }

    #[test]
    fn old_bytes_fall_out() {
        let mut b = Backlog::new(4, 100);
        b.feed(b"abcdef");
        assert_eq!(b.first_byte_offset(), 103);
        assert_eq!(b.read_from(103, 2).unwrap(), b"cd");
        assert!(b.read_from(102, 1).is_none());
        b.feed(b"g");
        assert_eq!(b.read_from(104, 10).unwrap(), b"defg");
        assert!(!b.covers(103));
        b.resize(2);
        assert_eq!(b.read_from(106, 10).unwrap(), b"fg");
    }

    #[test]
    fn matches_a_model_for_random_feeds() {
        let mut all = Vec::new();
        let mut b = Backlog::new(37, 0);
        let mut x = 7u32;
        for round in 0..200u32 {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
            let n = (x >> 16) as usize % 20;
            let chunk: Vec<u8> = (0..n).map(|i| (round as usize + i) as u8).collect();
            all.extend_from_slice(&chunk);
            b.feed(&chunk);
            let first = b.first_byte_offset();
            let got = b.read_from(first, usize::MAX).unwrap();
            assert_eq!(got, all[(first - 1) as usize..]);
            assert_eq!(b.end_offset(), all.len() as u64);
        }
    }
}
