//! LZF compression with the exact choices of the liblzf build Redis ships
//! (16-bit shift-and-subtract hash, "very fast" re-hashing after a match,
//! references never to offset 0), so compressed sizes equal Redis's: DEBUG
//! OBJECT's `serializedlength` and RDB string sizes depend on them (checked
//! against redis-server 7.0.15 on 89 strings of 21 to 20000 bytes).
//!
//! Format: a literal run is a byte `n-1` (n ≤ 32) then n bytes; a
//! back-reference is `len<<5 | off>>8` (with an extra length byte when
//! `len` is 7) then `off & 0xff`, copying `len+2` bytes from `off+1` back.

const HLOG: u32 = 16;
const HSIZE: usize = 1 << HLOG;
const MAX_LIT: usize = 1 << 5;
const MAX_OFF: usize = 1 << 13;
const MAX_REF: usize = (1 << 8) + (1 << 3);

fn first(data: &[u8], i: usize) -> u32 {
    (u32::from(data[i]) << 8) | u32::from(data[i + 1])
}

fn next(h: u32, data: &[u8], i: usize) -> u32 {
    (h << 8) | u32::from(data[i + 2])
}

/// liblzf's hash of three bytes into the table.
fn idx(h: u32) -> usize {
    (((h >> (3 * 8 - HLOG)).wrapping_sub(h.wrapping_mul(5))) as usize) & (HSIZE - 1)
}

/// Inputs up to this long use the small slot map (see [`SlotTable`]).
const SMALL_INPUT: usize = 4096;

/// The compressor's hash table: slot → the last position hashed there (0:
/// none; position 0 is never referenced). liblzf's is 64K slots, but an
/// input of n bytes writes at most n of them, so short inputs (most RDB
/// strings) use a small open-addressing map instead of zeroing 512 KB per
/// call; it answers exactly as the full table would, so the output is
/// byte-identical.
enum SlotTable {
    Full(Vec<usize>),
    Small {
        /// `slot + 1` per cell, 0 for an empty cell.
        slots: Vec<u32>,
        positions: Vec<usize>,
        mask: usize,
    },
}

impl SlotTable {
    fn new(in_len: usize) -> SlotTable {
        if in_len <= SMALL_INPUT {
            // At most half full: probing always ends at an empty cell.
            let cap = (in_len * 2).next_power_of_two().max(16);
            SlotTable::Small {
                slots: vec![0; cap],
                positions: vec![0; cap],
                mask: cap - 1,
            }
        } else {
            SlotTable::Full(vec![0; HSIZE])
        }
    }

    /// The cell holding `slot`, or the empty cell where it would go.
    fn cell(slots: &[u32], mask: usize, slot: usize) -> usize {
        let mut i = slot.wrapping_mul(0x9e37_79b9) & mask;
        while slots[i] != 0 && slots[i] as usize != slot + 1 {
            i = (i + 1) & mask;
        }
        i
    }

    fn get(&self, slot: usize) -> usize {
        match self {
            SlotTable::Full(t) => t[slot],
            SlotTable::Small {
                slots,
                positions,
                mask,
            } => positions[Self::cell(slots, *mask, slot)],
        }
    }

    fn set(&mut self, slot: usize, pos: usize) {
        match self {
            SlotTable::Full(t) => t[slot] = pos,
            SlotTable::Small {
                slots,
                positions,
                mask,
            } => {
                let i = Self::cell(slots, *mask, slot);
                // Slots are below 2^16, so `slot + 1` fits.
                slots[i] = (slot + 1) as u32;
                positions[i] = pos;
            }
        }
    }
}

/// Compress `input` into at most `out_max` bytes; `None` when the output
/// would not fit (Redis then stores the string uncompressed).
pub fn compress(input: &[u8], out_max: usize) -> Option<Vec<u8>> {
    compress_with(input, out_max, SlotTable::new(input.len()))
}

/// [`compress`] with the given (empty) slot table.
fn compress_with(input: &[u8], out_max: usize, mut htab: SlotTable) -> Option<Vec<u8>> {
    let in_len = input.len();
    if in_len < 2 {
        // Too short for the hashing loop: one literal run.
        if in_len == 0 || in_len + 1 > out_max {
            return if in_len == 0 { Some(Vec::new()) } else { None };
        }
        return Some(vec![0, input[0]]);
    }
    // Slot values are positions + 1 so that 0 means "empty"; like liblzf,
    // a reference to position 0 is never used.
    let mut out: Vec<u8> = Vec::with_capacity(out_max.min(in_len + in_len / 16 + 64));
    let mut lit: usize = 0;
    // The run header slot of the current literal run.
    out.push(0);
    let mut ip: usize = 0;
    let mut hval = first(input, ip);
    while ip + 2 < in_len {
        hval = next(hval, input, ip);
        let slot = idx(hval);
        let r = htab.get(slot);
        htab.set(slot, ip);
        let matched = r > 0
            && r < ip
            && ip - r - 1 < MAX_OFF
            && input[r + 2] == input[ip + 2]
            && input[r] == input[ip]
            && input[r + 1] == input[ip + 1];
        if matched {
            let off = ip - r - 1;
            let mut len = 2;
            let maxlen = (in_len - ip - len).min(MAX_REF);
            let op = out.len();
            // Room for the reference (3 bytes) and the next run header.
            if op + 3 + 1 >= out_max && op - usize::from(lit == 0) + 3 + 1 >= out_max {
                return None;
            }
            // Close the literal run (or drop its empty header).
            let hdr = op - lit - 1;
            out[hdr] = lit.wrapping_sub(1) as u8;
            if lit == 0 {
                out.pop();
            }
            // liblzf first compares up to 16 bytes unconditionally when more
            // than 16 may match (so a match can run up to 2 bytes past
            // `maxlen` at the very end of the input), then one at a time.
            let mut done = false;
            if maxlen > 16 {
                for _ in 0..16 {
                    len += 1;
                    if input[r + len] != input[ip + len] {
                        done = true;
                        break;
                    }
                }
            }
            if !done {
                loop {
                    len += 1;
                    if !(len < maxlen && input[r + len] == input[ip + len]) {
                        break;
                    }
                }
            }
            len -= 2;
            ip += 1;
            if len < 7 {
                out.push(((off >> 8) + (len << 5)) as u8);
            } else {
                out.push(((off >> 8) + (7 << 5)) as u8);
                out.push((len - 7) as u8);
            }
            out.push(off as u8);
            lit = 0;
            out.push(0);
            ip += len + 1;
            if ip + 2 >= in_len {
                break;
            }
            // Hash the two positions just before the new ip, as liblzf's
            // VERY_FAST mode does.
            ip -= 2;
            hval = first(input, ip);
            hval = next(hval, input, ip);
            htab.set(idx(hval), ip);
            ip += 1;
            hval = next(hval, input, ip);
            htab.set(idx(hval), ip);
            ip += 1;
        } else {
            if out.len() >= out_max {
                return None;
            }
            lit += 1;
            out.push(input[ip]);
            ip += 1;
            if lit == MAX_LIT {
                let hdr = out.len() - lit - 1;
                out[hdr] = (lit - 1) as u8;
                lit = 0;
                out.push(0);
            }
        }
    }
    if out.len() + 3 > out_max {
        return None;
    }
    while ip < in_len {
        lit += 1;
        out.push(input[ip]);
        ip += 1;
        if lit == MAX_LIT {
            let hdr = out.len() - lit - 1;
            out[hdr] = (lit - 1) as u8;
            lit = 0;
            out.push(0);
        }
    }
    let hdr = out.len() - lit - 1;
    out[hdr] = lit.wrapping_sub(1) as u8;
    if lit == 0 {
        out.pop();
    }
    Some(out)
}

/// Decompress LZF `input` whose decompressed size is `out_len`; `None` on
/// malformed input.
pub fn decompress(input: &[u8], out_len: usize) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(out_len);
    let mut i = 0;
    while i < input.len() {
        let ctrl = usize::from(input[i]);
        i += 1;
        if ctrl < 32 {
            let n = ctrl + 1;
            let lits = input.get(i..i + n)?;
            if out.len() + n > out_len {
                return None;
            }
            out.extend_from_slice(lits);
            i += n;
        } else {
            let mut len = ctrl >> 5;
            if len == 7 {
                len += usize::from(*input.get(i)?);
                i += 1;
            }
            let off = ((ctrl & 0x1f) << 8) + usize::from(*input.get(i)?) + 1;
            i += 1;
            let n = len + 2;
            if off > out.len() || out.len() + n > out_len {
                return None;
            }
            let start = out.len() - off;
            for k in 0..n {
                let b = out[start + k];
                out.push(b);
            }
        }
    }
    (out.len() == out_len).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        let samples: Vec<Vec<u8>> = vec![
            b"12345678901234567890123".to_vec(),
            vec![b'x'; 65],
            b"abcabcabcabcabcabcabcabcabcabcabcabcabc".to_vec(),
            (0..5000u32).map(|i| (i % 7 + i % 13) as u8).collect(),
        ];
        for s in samples {
            let c = compress(&s, s.len() - 4).expect("compressible");
            assert_eq!(decompress(&c, s.len()).expect("valid"), s);
        }
    }

    /// The small slot map must choose exactly the references the full
    /// table chooses (the output is compared with Redis's elsewhere).
    #[test]
    fn small_slot_map_gives_the_full_tables_output() {
        let mut state = 0x1234_5678_u64;
        for len in [2usize, 3, 21, 64, 100, 1000, 4096] {
            for alphabet in [2u64, 4, 26, 256] {
                let input: Vec<u8> = (0..len)
                    .map(|_| {
                        state = state
                            .wrapping_mul(6364136223846793005)
                            .wrapping_add(1442695040888963407);
                        ((state >> 33) % alphabet) as u8
                    })
                    .collect();
                let small = compress_with(&input, len + 64, SlotTable::new(len));
                let full = compress_with(&input, len + 64, SlotTable::Full(vec![0; HSIZE]));
                assert_eq!(small, full, "len {len} alphabet {alphabet}");
            }
        }
    }

    #[test]
    fn incompressible_does_not_fit() {
        let s = b"abcdefghijklmnopqrstuvwxyz";
        assert!(compress(s, s.len() - 4).is_none());
    }
}
