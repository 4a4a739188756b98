//! A node's identity: a random (version 4) UUID, and how it is written.
//!
//! KeyDB draws a new UUID at every start and never stores it, so a restarted
//! node looks like a stranger to its peers: its own writes come back to it
//! as foreign ones and per-origin state is lost. keyrs keeps the id in two
//! places, both produced here and read back here:
//!
//! - the RDB, as the aux field [`RDB_AUX_FIELD`] (`keyrs-uuid`; KeyDB has
//!   none, and Redis and KeyDB loaders skip aux fields they do not know);
//! - a small file in the data dir, [`ID_FILE`], so a node without an RDB
//!   (persistence off, or before its first save) keeps it too.
//!
//! Generation needs randomness, which keyrs-core does not own: the caller
//! passes 16 random bytes ([`NodeId::from_random`]).

use std::fmt;

use uuid::Uuid;

/// The RDB aux field carrying the node id (36-character hyphenated form).
pub const RDB_AUX_FIELD: &str = "keyrs-uuid";

/// The file in `dir` holding the node id.
pub const ID_FILE: &str = "keyrs-node.id";

/// The id's text length on the wire (`REPLCONF uuid`, RREPLAY): 36.
pub const TEXT_LEN: usize = 36;

/// A node's id.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NodeId(Uuid);

/// Why an id could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadNodeId;

impl fmt::Display for BadNodeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("not a 36-character UUID")
    }
}

impl NodeId {
    /// The all-zero id: the origin of unstamped state, never a real node.
    pub const NIL: NodeId = NodeId(Uuid::nil());

    /// A fresh id from 16 random bytes (version and variant bits are set,
    /// so this is a valid version 4 UUID).
    pub fn from_random(bytes: [u8; 16]) -> NodeId {
        NodeId(uuid::Builder::from_random_bytes(bytes).into_uuid())
    }

    /// An id from its raw bytes (tests, RDB).
    pub const fn from_bytes(bytes: [u8; 16]) -> NodeId {
        NodeId(Uuid::from_bytes(bytes))
    }

    /// The raw bytes (the tie-break order is the order of these).
    pub fn as_bytes(&self) -> &[u8; 16] {
        self.0.as_bytes()
    }

    /// Parse the 36-character hyphenated form, as `REPLCONF uuid` and
    /// RREPLAY carry it (either case). Anything else is an error.
    pub fn parse(text: &[u8]) -> Result<NodeId, BadNodeId> {
        if text.len() != TEXT_LEN {
            return Err(BadNodeId);
        }
        Uuid::try_parse_ascii(text)
            .map(NodeId)
            .map_err(|_| BadNodeId)
    }

    /// The 36-character lowercase hyphenated form.
    pub fn to_text(&self) -> [u8; TEXT_LEN] {
        let mut out = [0u8; TEXT_LEN];
        self.0.hyphenated().encode_lower(&mut out);
        out
    }

    /// The id file's contents: the text form and a newline.
    pub fn encode_file(&self) -> Vec<u8> {
        let mut v = self.to_text().to_vec();
        v.push(b'\n');
        v
    }

    /// Read the id file's contents (surrounding whitespace allowed, the
    /// nil id refused: a file of zeros is damage, not an identity).
    pub fn decode_file(contents: &[u8]) -> Result<NodeId, BadNodeId> {
        let text = contents.trim_ascii();
        let id = NodeId::parse(text)?;
        if id == NodeId::NIL {
            return Err(BadNodeId);
        }
        Ok(id)
    }
}

impl fmt::Display for NodeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.hyphenated())
    }
}

impl fmt::Debug for NodeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "NodeId({})", self.0.hyphenated())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn random_ids_are_v4_and_text_is_36_lowercase() {
        let id = NodeId::from_random([0xAB; 16]);
        let t = id.to_text();
        assert_eq!(t.len(), 36);
        assert_eq!(t[14], b'4', "version nibble");
        assert!(t
            .iter()
            .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(c) || *c == b'-'));
        assert_eq!(format!("{id}").as_bytes(), &t[..]);
    }

    #[test]
    fn only_the_hyphenated_form_parses() {
        let id = NodeId::from_random([7; 16]);
        let t = id.to_text();
        assert_eq!(NodeId::parse(&t), Ok(id));
        assert_eq!(NodeId::parse(&t.to_ascii_uppercase()), Ok(id));
        assert_eq!(NodeId::parse(&t[..35]), Err(BadNodeId));
        let simple: Vec<u8> = t.iter().copied().filter(|&c| c != b'-').collect();
        assert_eq!(NodeId::parse(&simple), Err(BadNodeId));
        let mut bad = t;
        bad[0] = b'g';
        assert_eq!(NodeId::parse(&bad), Err(BadNodeId));
        assert_eq!(NodeId::parse(b""), Err(BadNodeId));
    }

    #[test]
    fn id_file_round_trips_and_refuses_damage() {
        let id = NodeId::from_random([1; 16]);
        assert_eq!(NodeId::decode_file(&id.encode_file()), Ok(id));
        assert_eq!(NodeId::decode_file(b"  \n"), Err(BadNodeId));
        assert_eq!(
            NodeId::decode_file(&NodeId::NIL.encode_file()),
            Err(BadNodeId)
        );
        assert_eq!(NodeId::decode_file(b"garbage\n"), Err(BadNodeId));
    }

    proptest! {
        #[test]
        fn text_round_trips(b in any::<[u8; 16]>()) {
            let id = NodeId::from_bytes(b);
            prop_assert_eq!(NodeId::parse(&id.to_text()), Ok(id));
        }

        #[test]
        fn parse_never_panics(text in prop::collection::vec(any::<u8>(), 0..48)) {
            let _ = NodeId::parse(&text);
            let _ = NodeId::decode_file(&text);
        }
    }
}
