//! The engine's active-replication state: whether `active-replica` is on,
//! the node's id, its hybrid clock and its watermark tables.
//!
//! Per-database versions live in each `Db` (`Db::stamps`, allocated only
//! while active), so SWAPDB carries them along with the keys.

use super::node::NodeId;
use super::stamp::Hlc;
use super::watermark::Watermarks;

/// What an engine knows about active replication.
#[derive(Debug, Clone)]
pub struct ActiveState {
    /// `active-replica yes`: writes are stamped and leave as RREPLAY.
    pub enabled: bool,
    /// The node's id (the driver sets it with `Engine::set_node_id`): its
    /// identity in handshakes, INFO and the RDB, the same at every start.
    pub node: NodeId,
    /// This start's writer id (`Engine::set_writer`): the origin of every
    /// version and envelope the node issues until it stops. A new one each
    /// start, so a node that restarted (and may have lost writes it had
    /// sent) never vouches for its earlier writes (see `watermark`).
    pub writer: NodeId,
    /// This start's number (1, 2, ... kept by the driver): which writer of
    /// a node is its current one.
    pub boot: u64,
    /// The hybrid logical clock every local stamp comes from.
    pub hlc: Hlc,
    /// Per-origin dedup and per-peer acks.
    pub marks: Watermarks,
    /// An RREPLAY is running its commands: their versions were decided and
    /// recorded before the run (KEYDB.MVCCRESTORE must not check again).
    pub applying: bool,
    /// When the cron last sent a heartbeat and collected tombstones (ms).
    pub last_collect_ms: Option<u64>,
}

impl ActiveState {
    /// Off, with `node` as the id until the driver sets the real one.
    pub fn new(node: NodeId) -> ActiveState {
        ActiveState {
            enabled: false,
            node,
            writer: node,
            boot: 0,
            hlc: Hlc::new(),
            marks: Watermarks::new(node, node, 0),
            applying: false,
            last_collect_ms: None,
        }
    }
}
