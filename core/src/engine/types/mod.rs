//! The container value types, one module each. A type module owns its
//! representation (compact listpack/intset-like encodings that convert to
//! full structures past the `*-max-listpack-*` thresholds) and the pure
//! operations its commands use; the commands live in `engine/commands/`.

pub mod geohash;
pub mod hash;
pub mod hll;
pub mod list;
pub mod set;
pub mod stream;
pub mod zset;
