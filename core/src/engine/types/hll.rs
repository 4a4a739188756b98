//! HyperLogLog, in Redis's exact byte representation, so that the string
//! a client GETs from a HyperLogLog key is byte-identical to redis-server's
//! for the same inputs, and a HyperLogLog created by Redis works here.
//!
//! Layout (all inside a plain string value):
//!
//! ```text
//! +------+---+-----+----------+-----------------------------+
//! | HYLL | E | N/U | Cardin.  | registers (dense or sparse) |
//! +------+---+-----+----------+-----------------------------+
//!   4      1   3     8 (LE)
//! ```
//!
//! `E` is the encoding (0 dense, 1 sparse). The cached cardinality is valid
//! unless the most significant bit of its last byte is set.
//!
//! - Dense: 16384 registers of 6 bits, packed least significant bit first.
//! - Sparse: run-length opcodes: `ZERO` (`00xxxxxx`, 1..64 zero registers),
//!   `XZERO` (`01xxxxxx yyyyyyyy`, 1..16384 zero registers) and `VAL`
//!   (`1vvvvvxx`, 1..4 registers of value 1..32). A sparse HLL is promoted
//!   to dense when a register needs a value above 32 or the string would
//!   outgrow `hll-sparse-max-bytes`.
//!
//! Elements are hashed with MurmurHash64A (seed `0xadc83b19`): the low 14
//! bits pick the register, the position of the first set bit of the rest
//! (plus one) is the candidate value. The cardinality estimator is Ertl's
//! ("New cardinality estimation algorithms for HyperLogLog sketches"), as
//! Redis 7.0 uses. Every operation here is written against that public
//! description of the format, keeping the update order Redis uses where it
//! decides the resulting bytes (splits and the adjacent-VAL merge pass).

/// Registers are addressed by this many hash bits.
pub const P: u32 = 14;
/// Hash bits left to count the run of zeros in.
pub const Q: u32 = 64 - P;
/// Number of registers.
pub const REGISTERS: usize = 1 << P;
/// Bits per dense register.
const BITS: usize = 6;
/// Largest value a dense register holds.
const REGISTER_MAX: u8 = (1 << BITS) - 1;
/// Header length: magic, encoding, 3 unused bytes, cached cardinality.
pub const HDR_SIZE: usize = 16;
/// Total length of a dense HyperLogLog string.
pub const DENSE_SIZE: usize = HDR_SIZE + (REGISTERS * BITS).div_ceil(8);
/// Encoding byte of a dense HLL.
pub const DENSE: u8 = 0;
/// Encoding byte of a sparse HLL.
pub const SPARSE: u8 = 1;

/// Largest value a sparse VAL opcode can hold.
const SPARSE_VAL_MAX_VALUE: u8 = 32;
/// Longest run a VAL opcode can hold.
const SPARSE_VAL_MAX_LEN: usize = 4;
/// Longest run a ZERO opcode can hold.
const SPARSE_ZERO_MAX_LEN: usize = 64;
/// Longest run an XZERO opcode can hold.
const SPARSE_XZERO_MAX_LEN: usize = 16384;

/// Offset of the cardinality cache in the header.
const CARD_OFFSET: usize = 8;

/// The HyperLogLog string is corrupt (Redis's `INVALIDOBJ` condition).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Corrupt;

/// MurmurHash64A, the 64-bit hash Redis applies to HLL elements (blocks
/// read little-endian, as on the x86/ARM hosts Redis runs on).
pub fn murmur64a(key: &[u8], seed: u32) -> u64 {
    const M: u64 = 0xc6a4_a793_5bd1_e995;
    const R: u32 = 47;
    // The reference takes the length as a C int.
    let len = key.len() as i32 as i64 as u64;
    let mut h = u64::from(seed) ^ len.wrapping_mul(M);
    let mut chunks = key.chunks_exact(8);
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let mut k = u64::from_le_bytes(word);
        k = k.wrapping_mul(M);
        k ^= k >> R;
        k = k.wrapping_mul(M);
        h ^= k;
        h = h.wrapping_mul(M);
    }
    let tail = chunks.remainder();
    if !tail.is_empty() {
        for (i, &b) in tail.iter().enumerate() {
            h ^= u64::from(b) << (8 * i);
        }
        h = h.wrapping_mul(M);
    }
    h ^= h >> R;
    h = h.wrapping_mul(M);
    h ^= h >> R;
    h
}

/// The register an element goes to and the value it proposes (1..=Q+1).
pub fn pat_len(element: &[u8]) -> (usize, u8) {
    let hash = murmur64a(element, 0xadc8_3b19);
    let index = (hash & (REGISTERS as u64 - 1)) as usize;
    // The sentinel bit bounds the count at Q + 1.
    let rest = (hash >> P) | (1u64 << Q);
    (index, rest.trailing_zeros() as u8 + 1)
}

/// A fresh, empty HLL: sparse, all registers in XZERO runs, cache valid 0.
pub fn new_sparse() -> Vec<u8> {
    let mut v = Vec::with_capacity(HDR_SIZE + 2);
    v.extend_from_slice(b"HYLL");
    v.push(SPARSE);
    v.extend_from_slice(&[0; 3 + 8]);
    let mut left = REGISTERS;
    while left > 0 {
        let run = left.min(SPARSE_XZERO_MAX_LEN);
        push_xzero(&mut v, run);
        left -= run;
    }
    v
}

/// Does `b` look like a HyperLogLog (Redis's `isHLLObjectOrReply` checks:
/// length, magic, known encoding, exact dense length)?
pub fn is_valid(b: &[u8]) -> bool {
    b.len() >= HDR_SIZE
        && &b[..4] == b"HYLL"
        && b[4] <= SPARSE
        && (b[4] != DENSE || b.len() == DENSE_SIZE)
}

/// The cached cardinality, if valid.
pub fn cached_card(b: &[u8]) -> Option<u64> {
    let mut card = [0u8; 8];
    card.copy_from_slice(b.get(CARD_OFFSET..CARD_OFFSET + 8)?);
    if card[7] & 0x80 != 0 {
        None
    } else {
        Some(u64::from_le_bytes(card))
    }
}

/// Store `card` as the cached cardinality.
pub fn set_cached_card(b: &mut [u8], card: u64) {
    if let Some(slot) = b.get_mut(CARD_OFFSET..CARD_OFFSET + 8) {
        slot.copy_from_slice(&card.to_le_bytes());
    }
}

/// Mark the cached cardinality stale.
pub fn invalidate_cache(b: &mut [u8]) {
    if let Some(x) = b.get_mut(CARD_OFFSET + 7) {
        *x |= 0x80;
    }
}

/// Dense register `i` of the packed register bytes `regs` (bytes past the
/// end read as zero, as the string's terminator does in Redis).
pub fn dense_get(regs: &[u8], i: usize) -> u8 {
    let bit = i * BITS;
    let byte = bit / 8;
    let fb = bit % 8;
    let b0 = u16::from(regs.get(byte).copied().unwrap_or(0));
    let b1 = u16::from(regs.get(byte + 1).copied().unwrap_or(0));
    (((b0 | (b1 << 8)) >> fb) as u8) & REGISTER_MAX
}

/// Set dense register `i` to `val`.
fn dense_put(regs: &mut [u8], i: usize, val: u8) {
    let bit = i * BITS;
    let byte = bit / 8;
    let fb = bit % 8;
    let v = u16::from(val & REGISTER_MAX) << fb;
    let mask = u16::from(REGISTER_MAX) << fb;
    if let Some(b) = regs.get_mut(byte) {
        *b = (*b & !(mask as u8)) | v as u8;
    }
    if mask > 0xff {
        if let Some(b) = regs.get_mut(byte + 1) {
            *b = (*b & !((mask >> 8) as u8)) | (v >> 8) as u8;
        }
    }
}

/// Raise dense register `i` to `count` if lower; true if it changed.
fn dense_set(regs: &mut [u8], i: usize, count: u8) -> bool {
    if count > dense_get(regs, i) {
        dense_put(regs, i, count);
        true
    } else {
        false
    }
}

/// One decoded sparse opcode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    /// `len` zero registers (ZERO when `bytes` is 1, XZERO when 2).
    Zero { len: usize, bytes: usize },
    /// `len` registers of `value`.
    Val { value: u8, len: usize },
}

impl Op {
    fn len(self) -> usize {
        match self {
            Op::Zero { len, .. } | Op::Val { len, .. } => len,
        }
    }

    fn bytes(self) -> usize {
        match self {
            Op::Zero { bytes, .. } => bytes,
            Op::Val { .. } => 1,
        }
    }
}

/// Decode the opcode at `p` of `sparse` (an XZERO's second byte past the
/// end reads as zero, as Redis reads the string terminator).
fn decode(sparse: &[u8], p: usize) -> Op {
    let b = sparse.get(p).copied().unwrap_or(0);
    if b & 0xc0 == 0 {
        Op::Zero {
            len: usize::from(b & 0x3f) + 1,
            bytes: 1,
        }
    } else if b & 0xc0 == 0x40 {
        let lo = usize::from(sparse.get(p + 1).copied().unwrap_or(0));
        Op::Zero {
            len: ((usize::from(b & 0x3f) << 8) | lo) + 1,
            bytes: 2,
        }
    } else {
        Op::Val {
            value: ((b >> 2) & 0x1f) + 1,
            len: usize::from(b & 0x3) + 1,
        }
    }
}

fn val_byte(value: u8, len: usize) -> u8 {
    0x80 | ((value - 1) << 2) | (len - 1) as u8
}

fn push_xzero(v: &mut Vec<u8>, len: usize) {
    let l = len - 1;
    v.push(0x40 | (l >> 8) as u8);
    v.push((l & 0xff) as u8);
}

/// A zero run as the shortest opcode: ZERO up to 64, else XZERO.
fn push_zero_run(v: &mut Vec<u8>, len: usize) {
    if len > SPARSE_ZERO_MAX_LEN {
        push_xzero(v, len);
    } else {
        v.push((len - 1) as u8);
    }
}

/// Walk the sparse opcodes, calling `f(first_register, op)`; the total
/// number of registers covered, or `Corrupt` when a VAL would run past the
/// last register.
fn walk_sparse(sparse: &[u8], mut f: impl FnMut(usize, Op)) -> Result<usize, Corrupt> {
    let mut idx = 0usize;
    let mut p = 0;
    while p < sparse.len() {
        let op = decode(sparse, p);
        if let Op::Val { len, .. } = op {
            if idx + len > REGISTERS {
                return Err(Corrupt);
            }
        }
        f(idx, op);
        idx += op.len();
        p += op.bytes();
    }
    Ok(idx)
}

/// Convert a sparse HLL to dense in place (header, cache included, is
/// kept). A no-op for a dense one.
pub fn sparse_to_dense(hll: &mut Vec<u8>) -> Result<(), Corrupt> {
    if hll.get(4) != Some(&SPARSE) {
        return Ok(());
    }
    let mut dense = vec![0u8; DENSE_SIZE];
    dense[..HDR_SIZE].copy_from_slice(&hll[..HDR_SIZE]);
    dense[4] = DENSE;
    let regs = &mut dense[HDR_SIZE..];
    let total = walk_sparse(&hll[HDR_SIZE..], |first, op| {
        if let Op::Val { value, len } = op {
            for i in first..first + len {
                dense_put(regs, i, value);
            }
        }
    })?;
    if total != REGISTERS {
        return Err(Corrupt);
    }
    *hll = dense;
    Ok(())
}

/// Raise register `index` of a sparse HLL to `count`, as Redis's
/// `hllSparseSet`: split the opcode covering it, merge adjacent equal VALs
/// around the change, promote to dense when the value does not fit a VAL or
/// the string would exceed `sparse_max_bytes`. True if a register changed.
fn sparse_set(
    hll: &mut Vec<u8>,
    index: usize,
    count: u8,
    sparse_max_bytes: usize,
) -> Result<bool, Corrupt> {
    if count > SPARSE_VAL_MAX_VALUE {
        return promote(hll, index, count);
    }
    // Step 1: find the opcode covering `index`.
    let end = hll.len();
    let mut p = HDR_SIZE;
    let mut first = 0usize;
    let mut prev: Option<usize> = None;
    let mut found = None;
    while p < end {
        let op = decode(hll, p);
        if index < first + op.len() {
            found = Some(op);
            break;
        }
        prev = Some(p);
        p += op.bytes();
        first += op.len();
    }
    let Some(op) = found else {
        return Err(Corrupt);
    };
    let last = first + op.len() - 1;

    // Step 2: the trivial in-place updates, else the split sequence.
    let mut seq: Vec<u8> = Vec::with_capacity(5);
    match op {
        Op::Val { value, .. } if value >= count => return Ok(false),
        Op::Val { len: 1, .. } | Op::Zero { len: 1, bytes: 1 } => {
            hll[p] = val_byte(count, 1);
        }
        Op::Zero { bytes, .. } => {
            if index != first {
                push_zero_run(&mut seq, index - first);
            }
            seq.push(val_byte(count, 1));
            if index != last {
                push_zero_run(&mut seq, last - index);
            }
            if splice(hll, p, bytes, &seq, sparse_max_bytes)? {
                dense_set(&mut hll[HDR_SIZE..], index, count);
                return Ok(true);
            }
        }
        Op::Val { value, .. } => {
            if index != first {
                seq.push(val_byte(value, index - first));
            }
            seq.push(val_byte(count, 1));
            if index != last {
                seq.push(val_byte(value, last - index));
            }
            if splice(hll, p, 1, &seq, sparse_max_bytes)? {
                dense_set(&mut hll[HDR_SIZE..], index, count);
                return Ok(true);
            }
        }
    }

    // Step 4: merge adjacent VALs of equal value, scanning up to five
    // opcodes from the one before the change.
    let mut p = prev.unwrap_or(HDR_SIZE);
    let mut scan = 5;
    while p < hll.len() && scan > 0 {
        scan -= 1;
        let b = hll[p];
        if b & 0xc0 == 0x40 {
            p += 2;
            continue;
        }
        if b & 0xc0 == 0 {
            p += 1;
            continue;
        }
        if let (Op::Val { value: v1, len: l1 }, Some(&next)) = (decode(hll, p), hll.get(p + 1)) {
            if next & 0x80 != 0 {
                if let Op::Val { value: v2, len: l2 } = decode(hll, p + 1) {
                    if v1 == v2 && l1 + l2 <= SPARSE_VAL_MAX_LEN {
                        hll[p + 1] = val_byte(v1, l1 + l2);
                        hll.remove(p);
                        continue;
                    }
                }
            }
        }
        p += 1;
    }
    invalidate_cache(hll);
    Ok(true)
}

/// Replace the `old_len`-byte opcode at `p` with `seq`, or promote the HLL
/// to dense when growing would exceed `sparse_max_bytes`. True when it
/// promoted (the caller then sets the register on the dense form).
fn splice(
    hll: &mut Vec<u8>,
    p: usize,
    old_len: usize,
    seq: &[u8],
    sparse_max_bytes: usize,
) -> Result<bool, Corrupt> {
    let old_end = (p + old_len).min(hll.len());
    if seq.len() > old_len && hll.len() + (seq.len() - old_len) > sparse_max_bytes {
        sparse_to_dense(hll)?;
        return Ok(true);
    }
    hll.splice(p..old_end, seq.iter().copied());
    Ok(false)
}

/// Promote to dense and set the register there (always a change: a
/// promotion only happens when a register must grow).
fn promote(hll: &mut Vec<u8>, index: usize, count: u8) -> Result<bool, Corrupt> {
    sparse_to_dense(hll)?;
    dense_set(&mut hll[HDR_SIZE..], index, count);
    Ok(true)
}

/// Raise register `index` to `count` in either encoding; true if changed.
pub fn set_register(
    hll: &mut Vec<u8>,
    index: usize,
    count: u8,
    sparse_max_bytes: usize,
) -> Result<bool, Corrupt> {
    if count == 0 || index >= REGISTERS {
        // Registers start at zero, and there are only REGISTERS of them.
        return Ok(false);
    }
    match hll.get(4) {
        Some(&DENSE) => Ok(dense_set(&mut hll[HDR_SIZE..], index, count)),
        Some(&SPARSE) => sparse_set(hll, index, count, sparse_max_bytes),
        _ => Err(Corrupt),
    }
}

/// PFADD one element: true if a register changed.
pub fn add(hll: &mut Vec<u8>, element: &[u8], sparse_max_bytes: usize) -> Result<bool, Corrupt> {
    let (index, count) = pat_len(element);
    set_register(hll, index, count, sparse_max_bytes)
}

/// Fold `hll`'s registers into `max` (one byte per register), keeping the
/// larger value per register.
pub fn merge_into(max: &mut [u8], hll: &[u8]) -> Result<(), Corrupt> {
    match hll.get(4) {
        Some(&DENSE) => {
            let regs = &hll[HDR_SIZE..];
            for (i, m) in max.iter_mut().enumerate().take(REGISTERS) {
                *m = (*m).max(dense_get(regs, i));
            }
            Ok(())
        }
        Some(&SPARSE) => {
            let total = walk_sparse(&hll[HDR_SIZE..], |first, op| {
                if let Op::Val { value, len } = op {
                    for m in max.iter_mut().skip(first).take(len) {
                        *m = (*m).max(value);
                    }
                }
            })?;
            if total == REGISTERS {
                Ok(())
            } else {
                Err(Corrupt)
            }
        }
        _ => Err(Corrupt),
    }
}

/// The histogram of register values (index: value, 0..64).
fn histogram(hll: &[u8]) -> Result<[u32; 64], Corrupt> {
    let mut histo = [0u32; 64];
    match hll.get(4) {
        Some(&DENSE) => {
            let regs = &hll[HDR_SIZE..];
            for i in 0..REGISTERS {
                histo[usize::from(dense_get(regs, i))] += 1;
            }
        }
        Some(&SPARSE) => {
            // Unlike merging, counting tolerates VAL runs past the end and
            // only checks the total afterwards (as Redis does).
            let sparse = &hll[HDR_SIZE..];
            let mut idx = 0usize;
            let mut p = 0;
            while p < sparse.len() {
                let op = decode(sparse, p);
                match op {
                    Op::Zero { len, .. } => histo[0] += len as u32,
                    Op::Val { value, len } => histo[usize::from(value)] += len as u32,
                }
                idx += op.len();
                p += op.bytes();
            }
            if idx != REGISTERS {
                return Err(Corrupt);
            }
        }
        _ => return Err(Corrupt),
    }
    Ok(histo)
}

/// Ertl's sigma function.
fn sigma(mut x: f64) -> f64 {
    if x == 1.0 {
        return f64::INFINITY;
    }
    let mut y = 1.0;
    let mut z = x;
    loop {
        x *= x;
        let z_prev = z;
        z += x * y;
        y += y;
        if z_prev == z {
            return z;
        }
    }
}

/// Ertl's tau function.
fn tau(mut x: f64) -> f64 {
    if x == 0.0 || x == 1.0 {
        return 0.0;
    }
    let mut y = 1.0;
    let mut z = 1.0 - x;
    loop {
        x = x.sqrt();
        let z_prev = z;
        y *= 0.5;
        let d = 1.0 - x;
        z -= d * d * y;
        if z_prev == z {
            return z / 3.0;
        }
    }
}

/// The cardinality estimate of a register histogram.
fn estimate(histo: &[u32; 64]) -> u64 {
    const ALPHA_INF: f64 = 0.721_347_520_444_481_7;
    let m = REGISTERS as f64;
    let q = Q as usize;
    let mut z = m * tau((m - f64::from(histo[q + 1])) / m);
    for j in (1..=q).rev() {
        z += f64::from(histo[j]);
        z *= 0.5;
    }
    z += m * sigma(f64::from(histo[0]) / m);
    let e = (ALPHA_INF * m * m / z).round();
    // `(uint64_t)` of a non-negative finite double, as Redis.
    e as u64
}

/// The estimated cardinality of a HyperLogLog string (ignoring the cache).
pub fn count(hll: &[u8]) -> Result<u64, Corrupt> {
    Ok(estimate(&histogram(hll)?))
}

/// The estimated cardinality of registers given one byte per register (the
/// union PFCOUNT computes over several keys).
pub fn count_registers(regs: &[u8]) -> u64 {
    let mut histo = [0u32; 64];
    for &r in regs.iter().take(REGISTERS) {
        histo[usize::from(r & 63)] += 1;
    }
    estimate(&histo)
}

/// The opcodes of a sparse HLL as PFDEBUG DECODE prints them: `z:N`
/// (ZERO), `Z:N` (XZERO), `v:value,len` (VAL); `None` if dense.
pub fn decode_sparse(hll: &[u8]) -> Option<String> {
    if hll.get(4) != Some(&SPARSE) {
        return None;
    }
    let sparse = &hll[HDR_SIZE..];
    let mut out = Vec::new();
    let mut p = 0;
    while p < sparse.len() {
        let op = decode(sparse, p);
        out.push(match op {
            Op::Zero { len, bytes: 1 } => format!("z:{len}"),
            Op::Zero { len, .. } => format!("Z:{len}"),
            Op::Val { value, len } => format!("v:{value},{len}"),
        });
        p += op.bytes();
    }
    Some(out.join(" "))
}

/// The value of every register (one byte each), for tests and PFDEBUG.
pub fn registers(hll: &[u8]) -> Result<Vec<u8>, Corrupt> {
    let mut regs = vec![0u8; REGISTERS];
    merge_into(&mut regs, hll)?;
    Ok(regs)
}

#[cfg(test)]
mod tests;
