//! Random chunking of writes. madsim sends bytes only on `flush()` and
//! delivers each flush as one chunk; to exercise the parsers' resumability
//! the drivers write through [`write_chunked`], which splits the bytes at
//! random points and flushes each piece, sometimes pausing in between so
//! other connections' traffic interleaves.

use std::io;
use std::time::Duration;

use madsim::rand::{thread_rng, Rng};
use tokio::io::{AsyncWrite, AsyncWriteExt};

/// Split `len` bytes into random piece lengths (each >= 1, summing to `len`).
/// Mostly small pieces, sometimes the whole remainder, so both byte-at-a-time
/// and bulk delivery happen.
pub fn random_pieces(len: usize) -> Vec<usize> {
    let mut rng = thread_rng();
    let mut pieces = Vec::new();
    let mut left = len;
    while left > 0 {
        let n = match rng.gen_range(0..4) {
            0 => 1,
            1 => rng.gen_range(1..=left.min(8)),
            2 => rng.gen_range(1..=left),
            _ => left,
        };
        pieces.push(n);
        left -= n;
    }
    pieces
}

/// Write `bytes` to `w` in random pieces, flushing each one.
pub async fn write_chunked<W: AsyncWrite + Unpin>(w: &mut W, bytes: &[u8]) -> io::Result<()> {
    let mut rest = bytes;
    for n in random_pieces(bytes.len()) {
        let (piece, tail) = rest.split_at(n);
        w.write_all(piece).await?;
        w.flush().await?;
        rest = tail;
        if thread_rng().gen_ratio(1, 4) {
            madsim::time::sleep(Duration::from_micros(thread_rng().gen_range(1..2000))).await;
        }
    }
    Ok(())
}
