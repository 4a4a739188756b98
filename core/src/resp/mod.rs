//! The Redis serialization protocol: the request parser, the reply type and
//! its RESP2/RESP3 encoder, a general frame parser for replies, and limits.

pub mod encoder;
pub mod frame;
pub mod limits;
pub mod parser;
pub mod reply;

pub use encoder::encode;
pub use limits::ParserLimits;
pub use parser::{parse_i64, ProtocolError, RequestParser};
pub use reply::{Protocol, Reply};
