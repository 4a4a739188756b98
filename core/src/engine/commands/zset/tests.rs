//! Sorted-set command tests.
