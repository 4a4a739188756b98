//! A general RESP2/RESP3 frame parser, for replies (tests, replication,
//! the round-trip fuzz target). Nesting is bounded by
//! [`super::limits::FRAME_NESTING_MAX`].
