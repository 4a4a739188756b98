//! The set type. (Placeholder until its commands land: no command creates one yet.)

/// A set value.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Set {}

impl Set {
    /// `OBJECT ENCODING` name.
    pub fn encoding(&self) -> &'static str {
        "intset"
    }
}
