//! Redis 7.0's RDB value encoding: one value as a type byte and a body,
//! exactly what DUMP carries (before its version and checksum footer) and
//! what an RDB file stores after each key.
//!
//! [`encode_value`] writes the encodings Redis 7.0 writes, choosing them so
//! the bytes equal redis-server's wherever Redis's choice depends only on
//! the data: strings, hashes and sets in their compact encodings, lists
//! built by appending. [`decode_value`] reads those and the older
//! encodings Redis may still send (plain list, ziplist-based types 10-14,
//! quicklist v1), validating every structure fully: corrupt input is an
//! [`RdbError`], never a panic, and no allocation is sized by an unchecked
//! length.

pub mod file;
pub mod intset;
pub mod listpack;
pub mod stream;
pub mod string;
pub mod ziplist;
pub mod zset;

use crate::engine::shared::Shared;
use std::fmt;

use bytes::Bytes;

use crate::engine::types::hash::{Hash, HashLimits};
use crate::engine::types::list::List;
use crate::engine::types::set::Set;
use crate::engine::types::zset::Limits as ZSetLimits;
use crate::engine::value::{StrValue, Value};
use listpack::Item;
use string::{write_int, write_len, write_lzf_blob, write_string, Reader};

/// RDB format version Redis 7.0 writes (DUMP's footer, RDB file header).
pub const RDB_VERSION: u16 = 10;

/// RDB object type bytes (Redis 7.0's `rdb.h`).
pub mod types {
    /// A string.
    pub const STRING: u8 = 0;
    /// A list as a count and its elements (before quicklists).
    pub const LIST: u8 = 1;
    /// A set as a count and its members.
    pub const SET: u8 = 2;
    /// A sorted set with scores as text.
    pub const ZSET: u8 = 3;
    /// A hash as a count and its field/value pairs.
    pub const HASH: u8 = 4;
    /// A sorted set with binary (8-byte LE) scores.
    pub const ZSET_2: u8 = 5;
    /// A hash as a zipmap (Redis 2.x).
    pub const HASH_ZIPMAP: u8 = 9;
    /// A list as one ziplist.
    pub const LIST_ZIPLIST: u8 = 10;
    /// A set as an intset.
    pub const SET_INTSET: u8 = 11;
    /// A sorted set as a ziplist.
    pub const ZSET_ZIPLIST: u8 = 12;
    /// A hash as a ziplist.
    pub const HASH_ZIPLIST: u8 = 13;
    /// A list as ziplist nodes (Redis 3.2-6.2).
    pub const LIST_QUICKLIST: u8 = 14;
    /// A stream (Redis 5-6.2).
    pub const STREAM_LISTPACKS: u8 = 15;
    /// A hash as a listpack.
    pub const HASH_LISTPACK: u8 = 16;
    /// A sorted set as a listpack.
    pub const ZSET_LISTPACK: u8 = 17;
    /// A list as listpack (or plain) nodes: what 7.0 writes.
    pub const LIST_QUICKLIST_2: u8 = 18;
    /// A stream with 7.0's extra metadata: what 7.0 writes.
    pub const STREAM_LISTPACKS_2: u8 = 19;
}

/// Why a value could not be decoded (RESTORE answers "Bad data format").
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RdbError {
    /// The input ended inside a value.
    Truncated,
    /// The input is not a valid encoding.
    Corrupt(&'static str),
    /// A valid type keyrs cannot (yet) hold or read.
    Unsupported(u8),
    /// A container with no elements: Redis never writes one, and an RDB
    /// file loader skips such keys (as Redis 7.0 does) rather than failing.
    EmptyKey,
}

impl fmt::Display for RdbError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RdbError::Truncated => write!(f, "unexpected end of RDB data"),
            RdbError::Corrupt(why) => write!(f, "corrupt RDB data: {why}"),
            RdbError::Unsupported(t) => write!(f, "unsupported RDB object type {t}"),
            RdbError::EmptyKey => write!(f, "empty container"),
        }
    }
}

impl std::error::Error for RdbError {}

/// The settings that shape what is written (live config values).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SaveOptions {
    /// `rdbcompression`: LZF-compress strings over 20 bytes.
    pub compression: bool,
    /// `list-max-listpack-size`: quicklist node limit (negative: bytes
    /// level, positive: entry count).
    pub list_fill: i64,
    /// `list-compress-depth`: nodes this far from both ends stay raw,
    /// inner ones are saved LZF-compressed as Redis keeps them.
    pub list_compress_depth: i64,
}

impl Default for SaveOptions {
    /// Redis 7.0's defaults.
    fn default() -> Self {
        SaveOptions {
            compression: true,
            list_fill: -2,
            list_compress_depth: 0,
        }
    }
}

/// The settings that decide the encodings of loaded values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoadOptions {
    /// `hash-max-listpack-entries` / `-value`.
    pub hash: HashLimits,
    /// `set-max-intset-entries`.
    pub set_max_intset: usize,
    /// `zset-max-listpack-entries` / `-value`.
    pub zset: ZSetLimits,
    /// Seed for any hash table created.
    pub seed: u64,
}

impl Default for LoadOptions {
    /// Redis 7.0's defaults.
    fn default() -> Self {
        LoadOptions {
            hash: HashLimits::default(),
            set_max_intset: 512,
            zset: ZSetLimits::default(),
            seed: 0,
        }
    }
}

/// Encode `value` as its RDB type byte and body.
pub fn encode_value(value: &Value, opts: &SaveOptions) -> Vec<u8> {
    let mut out = Vec::new();
    match value {
        Value::Str(s) => {
            out.push(types::STRING);
            match s {
                StrValue::Int(n) => write_int(&mut out, *n),
                StrValue::Emb(b) => write_string(&mut out, b, opts.compression),
                StrValue::Raw(b) => write_string(&mut out, b, opts.compression),
            }
        }
        Value::List(l) => {
            out.push(types::LIST_QUICKLIST_2);
            encode_quicklist(&mut out, l, opts);
        }
        Value::Hash(h) => match &**h {
            Hash::Listpack(pairs) => {
                out.push(types::HASH_LISTPACK);
                let lp = listpack::encode(pairs.iter().flat_map(|(f, v)| [&f[..], &v[..]]));
                write_string(&mut out, &lp, opts.compression);
            }
            Hash::Table(_) => {
                out.push(types::HASH);
                write_len(&mut out, h.len() as u64);
                for (f, v) in h.iter() {
                    write_string(&mut out, f, opts.compression);
                    write_string(&mut out, v, opts.compression);
                }
            }
        },
        Value::Set(s) => match &**s {
            Set::Intset(members) => {
                out.push(types::SET_INTSET);
                write_string(&mut out, &intset::encode(members), opts.compression);
            }
            Set::Table(_) => {
                out.push(types::SET);
                write_len(&mut out, s.len() as u64);
                for m in s.members() {
                    write_string(&mut out, &m, opts.compression);
                }
            }
        },
        Value::ZSet(z) => zset::encode(&mut out, z, opts),
        Value::Stream(s) => stream::encode(&mut out, s, opts),
    }
    out
}

/// Size limits of Redis 7.0's quicklist nodes for negative fill values.
const NODE_SIZE_LEVELS: [usize; 5] = [4096, 8192, 16384, 32768, 65536];
/// Largest node a positive (count) fill may build.
const NODE_SAFETY_LIMIT: usize = 8192;
/// Nodes smaller than this are never compressed.
const MIN_COMPRESS_BYTES: usize = 48;
/// Compression must save more than this many bytes to be kept.
const MIN_COMPRESS_IMPROVE: usize = 8;

/// Redis's overestimate of the bytes one more element adds to a node
/// beyond its own length (encoding and backlen headers).
const NODE_ENTRY_OVERHEAD: usize = 8;

/// May a node of `node_bytes` bytes and `count` entries take one more
/// element of `len` bytes? Redis 7.0.15's rule: the estimated new size
/// against the byte level of a negative fill, or against the safety limit
/// and the entry count of a positive one.
fn node_allows(node_bytes: usize, count: usize, fill: i64, len: usize) -> bool {
    let new_size = node_bytes
        .saturating_add(len)
        .saturating_add(NODE_ENTRY_OVERHEAD);
    if fill < 0 {
        let level = usize::try_from(-(fill + 1))
            .unwrap_or(usize::MAX)
            .min(NODE_SIZE_LEVELS.len() - 1);
        return new_size <= NODE_SIZE_LEVELS[level];
    }
    new_size <= NODE_SAFETY_LIMIT && i64::try_from(count + 1).is_ok_and(|c| c <= fill)
}

/// Write a list as RDB_TYPE_LIST_QUICKLIST_2: the nodes Redis builds when
/// the elements are appended in order (each node filled until the next
/// element would exceed `list-max-listpack-size`).
fn encode_quicklist(out: &mut Vec<u8>, list: &List, opts: &SaveOptions) {
    let mut nodes: Vec<Vec<&[u8]>> = Vec::new();
    let mut node_bytes = 0usize;
    for item in list.iter() {
        let fits = nodes
            .last()
            .is_some_and(|n| node_allows(node_bytes, n.len(), opts.list_fill, item.len()));
        if !fits {
            nodes.push(Vec::new());
            node_bytes = 7;
        }
        node_bytes += listpack::entry_size(item);
        if let Some(n) = nodes.last_mut() {
            n.push(&item[..]);
        }
    }
    write_len(out, nodes.len() as u64);
    let depth = usize::try_from(opts.list_compress_depth).unwrap_or(0);
    let n = nodes.len();
    for (i, node) in nodes.into_iter().enumerate() {
        // Container kind 2: a packed (listpack) node.
        write_len(out, 2);
        let lp = listpack::encode(node);
        let inner = depth > 0 && n > depth * 2 && i >= depth && i < n - depth;
        if inner && lp.len() >= MIN_COMPRESS_BYTES {
            if let Some(c) = crate::util::lzf::compress(&lp, lp.len()) {
                if !c.is_empty() && c.len() + MIN_COMPRESS_IMPROVE < lp.len() {
                    write_lzf_blob(out, &c, lp.len());
                    continue;
                }
            }
        }
        write_string(out, &lp, opts.compression);
    }
}

/// Decode one value (type byte and body) from the start of `input`;
/// trailing bytes are left alone (RESTORE reads from the whole payload).
pub fn decode_value(input: &[u8], opts: &LoadOptions) -> Result<Value, RdbError> {
    decode_value_from(&mut Reader::new(input), opts)
}

/// Decode one value (type byte and body) at `r`'s position, leaving `r`
/// just past it (an RDB file holds values back to back); on an error `r`
/// stops near the fault, which is how the file loader reports offsets.
pub fn decode_value_from(r: &mut Reader<'_>, opts: &LoadOptions) -> Result<Value, RdbError> {
    let t = r.u8()?;
    decode_body(r, t, opts)
}

/// Decode the body of a value whose type byte `t` was already read.
pub fn decode_body(r: &mut Reader<'_>, t: u8, opts: &LoadOptions) -> Result<Value, RdbError> {
    let value = match t {
        types::STRING => Value::Str(StrValue::new(Bytes::from(r.string()?))),
        types::LIST => {
            let n = r.count(1)?;
            let mut items = Vec::with_capacity(n);
            for _ in 0..n {
                items.push(Bytes::from(r.string()?));
            }
            Value::List(items.into_iter().collect())
        }
        types::LIST_ZIPLIST => {
            let items = ziplist::decode(&r.string()?)?;
            Value::List(items.into_iter().map(item_bytes).collect())
        }
        types::LIST_QUICKLIST | types::LIST_QUICKLIST_2 => Value::List(Shared::new(
            decode_quicklist(r, t == types::LIST_QUICKLIST_2)?,
        )),
        types::SET => {
            let n = r.count(1)?;
            let mut set = Set::new();
            for _ in 0..n {
                let m = r.string()?;
                if !set.add(&m, opts.set_max_intset, opts.seed) {
                    return Err(RdbError::Corrupt("duplicate set member"));
                }
            }
            Value::Set(Shared::new(set))
        }
        types::SET_INTSET => {
            let members = intset::decode(&r.string()?)?;
            let too_many = members.len() > opts.set_max_intset;
            let mut set = Set::Intset(members);
            if too_many {
                set.convert_to_table(opts.seed);
            }
            Value::Set(Shared::new(set))
        }
        types::HASH => {
            let n = r.count(2)?;
            let mut pairs = Vec::with_capacity(n);
            for _ in 0..n {
                let f = r.string()?;
                let v = r.string()?;
                pairs.push((Bytes::from(f), Bytes::from(v)));
            }
            Value::Hash(Shared::new(build_hash(pairs, opts)?))
        }
        types::HASH_ZIPLIST | types::HASH_LISTPACK => {
            let blob = r.string()?;
            let items = if t == types::HASH_LISTPACK {
                listpack::decode(&blob)?
            } else {
                ziplist::decode(&blob)?
            };
            if items.len() % 2 != 0 {
                return Err(RdbError::Corrupt("odd hash listpack"));
            }
            let mut it = items.into_iter().map(item_bytes);
            let mut pairs = Vec::new();
            while let (Some(f), Some(v)) = (it.next(), it.next()) {
                pairs.push((f, v));
            }
            Value::Hash(Shared::new(build_hash(pairs, opts)?))
        }
        types::ZSET | types::ZSET_2 | types::ZSET_ZIPLIST | types::ZSET_LISTPACK => {
            Value::ZSet(Shared::new(zset::decode(r, t, opts)?))
        }
        types::STREAM_LISTPACKS | types::STREAM_LISTPACKS_2 => Value::Stream(Shared::new(
            stream::decode(r, t == types::STREAM_LISTPACKS)?,
        )),
        other => return Err(RdbError::Unsupported(other)),
    };
    let empty = match &value {
        Value::Str(_) => false,
        Value::List(l) => l.is_empty(),
        Value::Hash(h) => h.is_empty(),
        Value::Set(s) => s.is_empty(),
        Value::ZSet(z) => z.is_empty(),
        // An empty stream is a valid value (entries deleted, groups kept).
        Value::Stream(_) => false,
    };
    if empty {
        // Redis refuses empty containers ("empty keys").
        return Err(RdbError::EmptyKey);
    }
    Ok(value)
}

fn item_bytes(i: Item) -> Bytes {
    Bytes::from(i.into_bytes())
}

/// Build a hash as Redis loads one: compact while within the limits,
/// converting otherwise; a repeated field is corrupt input.
fn build_hash(pairs: Vec<(Bytes, Bytes)>, opts: &LoadOptions) -> Result<Hash, RdbError> {
    let mut h = Hash::new();
    if pairs.len() > opts.hash.max_entries {
        h.convert_to_table(opts.seed);
    }
    for (f, v) in pairs {
        if !h.set(f, v, opts.hash, opts.seed) {
            return Err(RdbError::Corrupt("duplicate hash field"));
        }
    }
    Ok(h)
}

/// Read quicklist nodes: v2 nodes are a container kind (1 plain, 2
/// listpack) then a string; v1 nodes are ziplists. Empty nodes are
/// skipped, as Redis does.
fn decode_quicklist(r: &mut Reader<'_>, v2: bool) -> Result<List, RdbError> {
    let n = r.count(2)?;
    let mut list = List::new();
    for _ in 0..n {
        let container = if v2 { r.length()? } else { 2 };
        let blob = r.string()?;
        match container {
            1 => list.push(crate::engine::types::list::Where::Tail, Bytes::from(blob)),
            2 => {
                let items = if v2 {
                    listpack::decode(&blob)?
                } else {
                    ziplist::decode(&blob)?
                };
                for i in items {
                    list.push(crate::engine::types::list::Where::Tail, item_bytes(i));
                }
            }
            _ => return Err(RdbError::Corrupt("unknown quicklist container")),
        }
    }
    Ok(list)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::types::stream::{NewId, NodeLimits};
    use crate::engine::types::zset::ZSet;
    use proptest::prelude::*;

    /// A value of some type built from `items`.
    fn value(kind: u8, items: &[Vec<u8>]) -> Value {
        let b = |v: &Vec<u8>| Bytes::from(v.clone());
        let hl = HashLimits {
            max_entries: 4,
            max_value: 8,
        };
        match kind % 6 {
            0 => Value::Str(StrValue::new(Bytes::from(items.concat()))),
            1 => Value::List(items.iter().map(b).collect()),
            2 => {
                let mut h = Hash::new();
                for it in items {
                    h.set(b(it), b(it), hl, 1);
                }
                Value::Hash(Shared::new(h))
            }
            3 => {
                let mut s = Set::new();
                for it in items {
                    s.add(it, 4, 1);
                }
                Value::Set(Shared::new(s))
            }
            4 => {
                let mut z = ZSet::new();
                let lim = ZSetLimits {
                    max_entries: 4,
                    max_value: 8,
                };
                for (i, it) in items.iter().enumerate() {
                    if z.score(it).is_none() {
                        z.insert_new(i as f64 / 3.0, b(it), lim);
                    }
                }
                Value::ZSet(Shared::new(z))
            }
            _ => {
                let mut s = crate::engine::types::stream::Stream::new();
                let lim = NodeLimits {
                    max_bytes: 100,
                    max_entries: 3,
                };
                for (i, it) in items.iter().enumerate() {
                    let _ = s.append(NewId::Ms(i as u64 + 1), vec![(b(it), b(it))], lim);
                }
                Value::Stream(Shared::new(s))
            }
        }
    }

    fn items() -> impl Strategy<Value = Vec<Vec<u8>>> {
        proptest::collection::vec(
            prop_oneof![
                any::<i64>().prop_map(|n| n.to_string().into_bytes()),
                proptest::collection::vec(any::<u8>(), 0..12),
            ],
            1..12,
        )
    }

    proptest! {
        /// Every type round-trips through the codec, and any single-byte
        /// change, truncation or insertion is decoded or refused, never
        /// a panic.
        #[test]
        fn round_trip_and_mutations(
            kind in 0u8..6,
            items in items(),
            at in any::<prop::sample::Index>(),
            byte in any::<u8>(),
        ) {
            let v = value(kind, &items);
            if matches!(&v, Value::List(l) if l.is_empty()) {
                return Ok(());
            }
            let opts = LoadOptions::default();
            let enc = encode_value(&v, &SaveOptions::default());
            let back = decode_value(&enc, &opts);
            prop_assert!(back.is_ok(), "{:?}", back);
            let back = back.unwrap();
            let same = match (&v, &back) {
                (Value::Str(a), Value::Str(b)) => a.to_bytes() == b.to_bytes(),
                _ => v == back,
            };
            prop_assert!(same);
            let i = at.index(enc.len());
            let mut m = enc.clone();
            m[i] = byte;
            let _ = decode_value(&m, &opts);
            let _ = decode_value(&enc[..i], &opts);
            let mut ins = enc.clone();
            ins.insert(i, byte);
            let _ = decode_value(&ins, &opts);
        }
    }
}
