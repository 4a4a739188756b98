//! keyrs-server.
fn main() {}
