//! RDB's primitive encodings: lengths (6/14/32/64-bit), strings (raw,
//! integer-encoded, LZF-compressed) and doubles, both directions.
//!
//! Length prefix, first byte's top two bits:
//! `00` 6-bit length; `01` 14-bit (big-endian, with the next byte);
//! `10` then `0x80` + 32-bit or `0x81` + 64-bit big-endian length;
//! `11` a special string encoding in the low bits: 0 int8, 1 int16,
//! 2 int32 (little-endian), 3 LZF (`compressed len`, `original len`, data).

use super::RdbError;
use crate::resp::parse_i64;
use crate::util::lzf;

const ENC_INT8: u8 = 0;
const ENC_INT16: u8 = 1;
const ENC_INT32: u8 = 2;
const ENC_LZF: u8 = 3;

/// Append `len` in RDB's length encoding.
pub fn write_len(out: &mut Vec<u8>, len: u64) {
    if len < 1 << 6 {
        out.push(len as u8);
    } else if len < 1 << 14 {
        out.push(0x40 | (len >> 8) as u8);
        out.push(len as u8);
    } else if len <= u64::from(u32::MAX) {
        out.push(0x80);
        out.extend_from_slice(&(len as u32).to_be_bytes());
    } else {
        out.push(0x81);
        out.extend_from_slice(&len.to_be_bytes());
    }
}

/// The special integer encoding of `n` (`0xC0|enc` + little-endian bytes)
/// when it fits in 32 bits, as Redis's `rdbEncodeInteger`.
fn encode_int(n: i64) -> Option<Vec<u8>> {
    if let Ok(v) = i8::try_from(n) {
        Some(vec![0xC0 | ENC_INT8, v as u8])
    } else if let Ok(v) = i16::try_from(n) {
        let mut b = vec![0xC0 | ENC_INT16];
        b.extend_from_slice(&v.to_le_bytes());
        Some(b)
    } else if let Ok(v) = i32::try_from(n) {
        let mut b = vec![0xC0 | ENC_INT32];
        b.extend_from_slice(&v.to_le_bytes());
        Some(b)
    } else {
        None
    }
}

/// Append an integer-valued string (an `int`-encoded string object): the
/// integer encoding when it fits, else its decimal text.
pub fn write_int(out: &mut Vec<u8>, n: i64) {
    match encode_int(n) {
        Some(b) => out.extend_from_slice(&b),
        None => {
            let mut buf = itoa::Buffer::new();
            let s = buf.format(n).as_bytes();
            write_len(out, s.len() as u64);
            out.extend_from_slice(s);
        }
    }
}

/// Append a string as Redis's `rdbSaveRawString`: strings of at most 11
/// bytes that are canonical 32-bit integers are integer-encoded; with
/// `compress` (`rdbcompression`), strings over 20 bytes are LZF-compressed
/// when that saves more than 4 bytes; anything else is stored raw.
pub fn write_string(out: &mut Vec<u8>, s: &[u8], compress: bool) {
    if s.len() <= 11 {
        if let Some(b) = parse_i64(s).and_then(encode_int) {
            out.extend_from_slice(&b);
            return;
        }
    }
    if compress && s.len() > 20 {
        if let Some(c) = lzf::compress(s, s.len() - 4) {
            if !c.is_empty() {
                write_lzf_blob(out, &c, s.len());
                return;
            }
        }
    }
    write_len(out, s.len() as u64);
    out.extend_from_slice(s);
}

/// Append an already compressed blob (`0xC3`, compressed length, original
/// length, data), as quicklist nodes kept compressed in memory are saved.
pub fn write_lzf_blob(out: &mut Vec<u8>, compressed: &[u8], original_len: usize) {
    out.push(0xC0 | ENC_LZF);
    write_len(out, compressed.len() as u64);
    write_len(out, original_len as u64);
    out.extend_from_slice(compressed);
}

/// Append a double as 8 little-endian bytes (`RDB_TYPE_ZSET_2` scores).
pub fn write_binary_double(out: &mut Vec<u8>, d: f64) {
    out.extend_from_slice(&d.to_le_bytes());
}

/// A decoded length prefix: a plain length or a special string encoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Len {
    /// A length.
    Plain(u64),
    /// `11xxxxxx`: the special encoding number in the low six bits.
    Encoded(u8),
}

/// A cursor over RDB bytes. Every read is bounds-checked; lengths are
/// checked against the remaining input before anything is allocated.
#[derive(Debug, Clone)]
pub struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    /// Read from the start of `buf`.
    pub fn new(buf: &'a [u8]) -> Reader<'a> {
        Reader { buf, pos: 0 }
    }

    /// Bytes consumed so far.
    pub fn position(&self) -> usize {
        self.pos
    }

    /// Bytes left.
    pub fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }

    /// One byte.
    pub fn u8(&mut self) -> Result<u8, RdbError> {
        let b = *self.buf.get(self.pos).ok_or(RdbError::Truncated)?;
        self.pos += 1;
        Ok(b)
    }

    /// The next `n` bytes.
    pub fn bytes(&mut self, n: usize) -> Result<&'a [u8], RdbError> {
        let end = self.pos.checked_add(n).ok_or(RdbError::Truncated)?;
        let s = self.buf.get(self.pos..end).ok_or(RdbError::Truncated)?;
        self.pos = end;
        Ok(s)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], RdbError> {
        let mut a = [0u8; N];
        a.copy_from_slice(self.bytes(N)?);
        Ok(a)
    }

    /// A length prefix, or a special encoding marker.
    pub fn len_or_enc(&mut self) -> Result<Len, RdbError> {
        let b = self.u8()?;
        Ok(match b >> 6 {
            0 => Len::Plain(u64::from(b & 0x3f)),
            1 => Len::Plain((u64::from(b & 0x3f) << 8) | u64::from(self.u8()?)),
            2 => match b {
                0x80 => Len::Plain(u64::from(u32::from_be_bytes(self.array()?))),
                0x81 => Len::Plain(u64::from_be_bytes(self.array()?)),
                _ => return Err(RdbError::Corrupt("unknown length encoding")),
            },
            _ => Len::Encoded(b & 0x3f),
        })
    }

    /// A plain length (a count of things to follow).
    pub fn length(&mut self) -> Result<u64, RdbError> {
        match self.len_or_enc()? {
            Len::Plain(n) => Ok(n),
            Len::Encoded(_) => Err(RdbError::Corrupt("encoded value where a length belongs")),
        }
    }

    /// A count of items that each take at least `min_item_bytes` more
    /// input: rejected when the input cannot hold that many, so callers may
    /// reserve capacity for it.
    pub fn count(&mut self, min_item_bytes: usize) -> Result<usize, RdbError> {
        let n = self.length()?;
        let n = usize::try_from(n).map_err(|_| RdbError::Truncated)?;
        if n.saturating_mul(min_item_bytes.max(1)) > self.remaining() {
            return Err(RdbError::Truncated);
        }
        Ok(n)
    }

    /// A string in any of its encodings, decoded (integers as decimal
    /// text, LZF decompressed).
    pub fn string(&mut self) -> Result<Vec<u8>, RdbError> {
        match self.len_or_enc()? {
            Len::Plain(n) => {
                let n = usize::try_from(n).map_err(|_| RdbError::Truncated)?;
                Ok(self.bytes(n)?.to_vec())
            }
            Len::Encoded(ENC_INT8) => Ok(decimal(i64::from(self.u8()? as i8))),
            Len::Encoded(ENC_INT16) => Ok(decimal(i64::from(i16::from_le_bytes(self.array()?)))),
            Len::Encoded(ENC_INT32) => Ok(decimal(i64::from(i32::from_le_bytes(self.array()?)))),
            Len::Encoded(ENC_LZF) => {
                let clen = usize::try_from(self.length()?).map_err(|_| RdbError::Truncated)?;
                let len = self.length()?;
                let data = self.bytes(clen)?;
                // LZF expands by at most ~255/3 per input byte... but a
                // back-reference copies up to 264 bytes from 3 input bytes:
                // refuse lengths the compressed data cannot produce.
                let max = (clen as u64).saturating_mul(88).saturating_add(32);
                if len == 0 || len > max {
                    return Err(RdbError::Corrupt("bad LZF lengths"));
                }
                let out =
                    lzf::decompress(data, len as usize).ok_or(RdbError::Corrupt("bad LZF data"))?;
                if out.len() != len as usize {
                    return Err(RdbError::Corrupt("LZF length mismatch"));
                }
                Ok(out)
            }
            Len::Encoded(_) => Err(RdbError::Corrupt("unknown string encoding")),
        }
    }

    /// A double as 8 little-endian bytes.
    pub fn binary_double(&mut self) -> Result<f64, RdbError> {
        Ok(f64::from_le_bytes(self.array()?))
    }

    /// A double in the old text form (`RDB_TYPE_ZSET`): a length byte
    /// (253 NaN, 254 +inf, 255 -inf) then that many bytes of `%.17g`.
    pub fn text_double(&mut self) -> Result<f64, RdbError> {
        match self.u8()? {
            253 => Ok(f64::NAN),
            254 => Ok(f64::INFINITY),
            255 => Ok(f64::NEG_INFINITY),
            n => {
                let s = self.bytes(usize::from(n))?;
                std::str::from_utf8(s)
                    .ok()
                    .and_then(|s| s.parse::<f64>().ok())
                    .ok_or(RdbError::Corrupt("bad double"))
            }
        }
    }
}

fn decimal(n: i64) -> Vec<u8> {
    itoa::Buffer::new().format(n).as_bytes().to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn enc_len(n: u64) -> Vec<u8> {
        let mut v = Vec::new();
        write_len(&mut v, n);
        v
    }

    #[test]
    fn lengths_at_every_width() {
        assert_eq!(enc_len(0), [0]);
        assert_eq!(enc_len(63), [63]);
        assert_eq!(enc_len(64), [0x40, 64]);
        assert_eq!(enc_len(16383), [0x7f, 0xff]);
        assert_eq!(enc_len(16384), [0x80, 0, 0, 0x40, 0]);
        assert_eq!(enc_len(1 << 32), [0x81, 0, 0, 0, 1, 0, 0, 0, 0]);
        for n in [0, 1, 63, 64, 300, 16383, 16384, 1 << 31, u64::MAX] {
            assert_eq!(Reader::new(&enc_len(n)).length(), Ok(n));
        }
        assert!(Reader::new(&[0x82]).length().is_err());
        assert!(Reader::new(&[0x80, 1]).length().is_err());
        assert!(Reader::new(&[0xC0]).length().is_err());
    }

    fn enc_str(s: &[u8]) -> Vec<u8> {
        let mut v = Vec::new();
        write_string(&mut v, s, true);
        v
    }

    #[test]
    fn strings_as_redis_writes_them() {
        // Bytes from redis-server 7.0.15's DUMP of the same strings.
        assert_eq!(enc_str(b"hello"), b"\x05hello");
        assert_eq!(enc_str(b"12345"), b"\xc1\x39\x30");
        assert_eq!(enc_str(b"-1"), b"\xc0\xff");
        assert_eq!(enc_str(b"01"), b"\x0201");
        assert_eq!(enc_str(b"2147483648"), b"\x0a2147483648");
        assert_eq!(
            enc_str(&[b'a'; 40]),
            b"\xc3\x09\x28\x01aa\xe0\x1b\x00\x01aa"
        );
        let mut v = Vec::new();
        write_int(&mut v, 1 << 40);
        assert_eq!(v, b"\x0d1099511627776");
    }

    #[test]
    fn strings_round_trip() {
        for s in [
            &b""[..],
            b"0",
            b"-2147483648",
            b"x",
            &[b'z'; 100],
            b"abcabcabcabcabcabcabcabc",
        ] {
            assert_eq!(Reader::new(&enc_str(s)).string().as_deref(), Ok(s));
        }
    }

    #[test]
    fn corrupt_strings_are_errors() {
        assert!(Reader::new(b"\x05hel").string().is_err());
        assert!(Reader::new(b"\xc1\x01").string().is_err());
        assert!(Reader::new(b"\xc4").string().is_err());
        // LZF claiming a huge original length.
        assert!(
            Reader::new(b"\xc3\x02\x81\x00\x00\x00\x10\x00\x00\x00\x00\x00ab")
                .string()
                .is_err()
        );
        assert!(Reader::new(b"\xc3\x02\x05\x07a").string().is_err());
    }
}
