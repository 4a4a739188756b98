//! The keyrs-server daemon.
