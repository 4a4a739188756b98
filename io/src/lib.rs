//! keyrs's real runtime: mio event loops, SO_REUSEPORT listeners, the atomic ticket lock.
