//! Deterministic simulation (madsim) of keyrs nodes and clients over the same core code.
