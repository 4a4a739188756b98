//! Small helpers shared by the engine: Redis-exact number parsing and formatting.

pub mod glob;
pub mod lzf;
pub mod num;
