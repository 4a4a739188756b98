//! End-to-end and differential tests against the real keyrs-server binary.
