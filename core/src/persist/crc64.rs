//! Redis's CRC-64 (Jones polynomial `0xad93d23594c935a9`, reflected, zero
//! initial value and final xor), via the `crc` crate's catalogued
//! `CRC-64/REDIS` algorithm rather than a hand-written table.

use crc::{Crc, Digest, CRC_64_REDIS};

static REDIS: Crc<u64> = Crc::<u64>::new(&CRC_64_REDIS);

/// The checksum of `data` as Redis's `crc64(0, data, len)` computes it.
pub fn crc64(data: &[u8]) -> u64 {
    REDIS.checksum(data)
}

/// A running checksum over data that arrives in pieces (an RDB file is
/// written and read in chunks; its footer covers all of them).
#[derive(Clone)]
pub struct Crc64Digest(Digest<'static, u64>);

impl Crc64Digest {
    /// The checksum of nothing yet.
    pub fn new() -> Crc64Digest {
        Crc64Digest(REDIS.digest())
    }

    /// Add `data` to the checksummed bytes.
    pub fn update(&mut self, data: &[u8]) {
        self.0.update(data);
    }

    /// The checksum of everything added so far (more may still be added).
    pub fn value(&self) -> u64 {
        self.0.clone().finalize()
    }
}

impl Default for Crc64Digest {
    fn default() -> Self {
        Crc64Digest::new()
    }
}

impl std::fmt::Debug for Crc64Digest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Crc64Digest({:#018x})", self.value())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redis_test_vectors() {
        // The vectors of Redis's own crc64 self-test.
        assert_eq!(crc64(b"123456789"), 0xe9c6_d914_c4b8_d9ca);
        // redis-server 7.0.15's DUMP of the string "hello": the last
        // eight bytes are the checksum of the rest, little-endian.
        let payload = b"\x00\x05hello\n\x00cr\xdfve4 \n";
        let (body, sum) = payload.split_at(payload.len() - 8);
        assert_eq!(crc64(body).to_le_bytes(), sum);
    }

    #[test]
    fn digest_in_pieces_equals_whole() {
        let data = b"the quick brown fox jumps over the lazy dog";
        for cut in 0..data.len() {
            let mut d = Crc64Digest::new();
            d.update(&data[..cut]);
            let _ = d.value();
            d.update(&data[cut..]);
            assert_eq!(d.value(), crc64(data), "cut {cut}");
        }
    }
}
