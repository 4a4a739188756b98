//! Redis's CRC-64 (Jones polynomial `0xad93d23594c935a9`, reflected, zero
//! initial value and final xor), via the `crc` crate's catalogued
//! `CRC-64/REDIS` algorithm rather than a hand-written table.

use crc::{Crc, CRC_64_REDIS};

const REDIS: Crc<u64> = Crc::<u64>::new(&CRC_64_REDIS);

/// The checksum of `data` as Redis's `crc64(0, data, len)` computes it.
pub fn crc64(data: &[u8]) -> u64 {
    REDIS.checksum(data)
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
}
