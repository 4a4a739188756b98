//! How versions and tombstones travel in an RDB (persistence and full
//! sync), as aux fields: encode and decode (`persist::dataset` writes and
//! reads them).
//!
//! A full sync between two nodes that both hold data is a per-key merge
//! (each incoming key goes through [`super::keystamps::DbStamps::put`]),
//! never a flush. For the merge to respect deletes, the RDB must carry the
//! tombstones too, or a key deleted on one side comes back from the other
//! (KeyDB #83). The fields:
//!
//! | Aux field | Where | Value |
//! |---|---|---|
//! | `mvcc-tstamp` | before every stamped key (KeyDB's field, so KeyDB reads our stamps and we read its) | the stamp in decimal |
//! | `keyrs-origin` | after `mvcc-tstamp`, before the key | the origin's 36-character UUID (the tie-break; absent from a KeyDB RDB: the origin is then taken as the sending peer) |
//! | `keyrs-tomb` | anywhere in the database's section (after its SELECTDB) | `<stamp> <uuid> <key bytes>` |
//! | `keyrs-flushed` | same | `<stamp> <uuid>` |
//! | `keyrs-uuid` | once, in the header (see [`super::node`]) | the node's id |
//!
//! Redis and KeyDB loaders skip aux fields they do not know, so an RDB
//! with these still loads there (without the conflict metadata).

use bytes::Bytes;

use super::node::{NodeId, TEXT_LEN};
use super::stamp::{Stamp, Version};

/// KeyDB's per-key stamp field.
pub const MVCC_TSTAMP: &str = "mvcc-tstamp";
/// The origin of the following key's version.
pub const ORIGIN: &str = "keyrs-origin";
/// A tombstone of the current database.
pub const TOMB: &str = "keyrs-tomb";
/// The current database's flush tombstone.
pub const FLUSHED: &str = "keyrs-flushed";

/// The collection horizon (one stamp, every database's).
pub const HORIZON: &str = "keyrs-horizon";
/// The writer marks: `<stamp> <uuid>` pairs, comma-separated.
pub const MARKS: &str = "keyrs-marks";

/// Why a record could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadRecord(pub &'static str);

/// `<stamp> <uuid>`.
pub fn encode_version(v: Version) -> Vec<u8> {
    let mut out = v.stamp.to_decimal().into_bytes();
    out.push(b' ');
    out.extend_from_slice(&v.origin.to_text());
    out
}

/// Read `<stamp> <uuid>` at the start of `text`; the rest after one
/// space (or nothing) is returned too.
fn split_version(text: &[u8]) -> Result<(Version, Option<&[u8]>), BadRecord> {
    let sp = text
        .iter()
        .position(|&b| b == b' ')
        .ok_or(BadRecord("missing origin"))?;
    let stamp = Stamp::parse(&text[..sp]).ok_or(BadRecord("bad stamp"))?;
    let rest = &text[sp + 1..];
    let id = rest.get(..TEXT_LEN).ok_or(BadRecord("bad origin"))?;
    let origin = NodeId::parse(id).map_err(|_| BadRecord("bad origin"))?;
    let tail = match rest.get(TEXT_LEN..) {
        None | Some([]) => None,
        Some([b' ', key @ ..]) => Some(key),
        Some(_) => return Err(BadRecord("bad separator")),
    };
    Ok((Version::new(stamp, origin), tail))
}

/// Parse `<stamp> <uuid>` (a `keyrs-flushed` value).
pub fn parse_version(text: &[u8]) -> Result<Version, BadRecord> {
    match split_version(text)? {
        (v, None) => Ok(v),
        (_, Some(_)) => Err(BadRecord("trailing bytes")),
    }
}

/// A `keyrs-tomb` value: `<stamp> <uuid> <key>` (the key is the rest,
/// binary-safe, possibly empty).
pub fn encode_tombstone(key: &[u8], v: Version) -> Vec<u8> {
    let mut out = encode_version(v);
    out.push(b' ');
    out.extend_from_slice(key);
    out
}

/// Parse a `keyrs-tomb` value.
pub fn parse_tombstone(text: &[u8]) -> Result<(Bytes, Version), BadRecord> {
    match split_version(text)? {
        (v, Some(key)) => Ok((Bytes::copy_from_slice(key), v)),
        (_, None) => Err(BadRecord("missing key")),
    }
}

/// A `keyrs-marks` value: each writer's mark, as `<stamp> <uuid>` joined
/// by commas (empty: none).
pub fn encode_marks(marks: impl IntoIterator<Item = (NodeId, Stamp)>) -> Vec<u8> {
    let mut out = Vec::new();
    for (w, s) in marks {
        if !out.is_empty() {
            out.push(b',');
        }
        out.extend_from_slice(&encode_version(Version::new(s, w)));
    }
    out
}

/// Parse a `keyrs-marks` value.
pub fn parse_marks(text: &[u8]) -> Result<Vec<(NodeId, Stamp)>, BadRecord> {
    if text.is_empty() {
        return Ok(Vec::new());
    }
    text.split(|&b| b == b',')
        .map(|one| parse_version(one).map(|v| (v.origin, v.stamp)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn records_round_trip_and_refuse_damage() {
        let v = Version::new(Stamp(123 << 20), NodeId::from_random([3; 16]));
        assert_eq!(parse_version(&encode_version(v)), Ok(v));
        let t = encode_tombstone(b"a key with spaces", v);
        assert_eq!(
            parse_tombstone(&t),
            Ok((Bytes::from_static(b"a key with spaces"), v))
        );
        assert_eq!(
            parse_tombstone(&encode_tombstone(b"", v)),
            Ok((Bytes::new(), v))
        );
        assert!(
            parse_version(&t).is_err(),
            "a tombstone is not a flush record"
        );
        assert!(parse_tombstone(&encode_version(v)).is_err(), "no key");
        for bad in [
            &b""[..],
            b"12",
            b"x 00000000-0000-0000-0000-000000000000",
            b"12 not-a-uuid",
        ] {
            assert!(parse_version(bad).is_err(), "{bad:?}");
            assert!(parse_tombstone(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn marks_round_trip() {
        let m = vec![
            (NodeId::from_random([1; 16]), Stamp(5)),
            (NodeId::from_random([2; 16]), Stamp(u64::MAX)),
        ];
        assert_eq!(parse_marks(&encode_marks(m.clone())), Ok(m));
        assert_eq!(parse_marks(b""), Ok(Vec::new()));
        assert!(parse_marks(b"5 x,").is_err());
    }

    proptest! {
        #[test]
        fn tombstones_round_trip(key in prop::collection::vec(any::<u8>(), 0..40), s in any::<u64>(), o in any::<[u8; 16]>()) {
            let v = Version::new(Stamp(s), NodeId::from_bytes(o));
            prop_assert_eq!(parse_tombstone(&encode_tombstone(&key, v)), Ok((Bytes::from(key), v)));
        }

        #[test]
        fn never_panics(text in prop::collection::vec(any::<u8>(), 0..80)) {
            let _ = parse_version(&text);
            let _ = parse_tombstone(&text);
            let _ = parse_marks(&text);
        }
    }
}
