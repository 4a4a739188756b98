//! The stream type. (Placeholder until its commands land: no command creates one yet.)

/// A stream value.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Stream {}

impl Stream {
    /// `OBJECT ENCODING` name.
    pub fn encoding(&self) -> &'static str {
        "stream"
    }
}
