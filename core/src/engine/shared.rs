//! `Shared<T>`: a container value behind a reference count, copied on write.
//!
//! Why: a point-in-time snapshot (BGSAVE, AOF rewrite, a replica's initial
//! sync) takes cheap clones of values and serializes them on another thread
//! while commands keep modifying the keyspace. A modification through
//! [`Shared`]'s `DerefMut` copies the container first only when a snapshot
//! still holds it (`Arc::make_mut`), so without a snapshot it costs nothing
//! but one pointer, and with one only the values actually written are
//! duplicated.
//!
//! Boxing the containers also keeps [`super::value::Value`] small, which is
//! most of a keyspace entry's size.

use std::ops::{Deref, DerefMut};
use std::sync::Arc;

/// A reference-counted value that is copied on write when shared.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Shared<T>(Arc<T>);

impl<T> Shared<T> {
    /// Wrap a value.
    pub fn new(value: T) -> Self {
        Shared(Arc::new(value))
    }

    /// True when another holder (a snapshot) still references this value,
    /// so the next mutable access will copy it.
    pub fn is_shared(&self) -> bool {
        Arc::strong_count(&self.0) > 1
    }
}

impl<T> Clone for Shared<T> {
    /// A cheap clone: one more reference to the same value.
    fn clone(&self) -> Self {
        Shared(Arc::clone(&self.0))
    }
}

impl<T> From<T> for Shared<T> {
    fn from(value: T) -> Self {
        Shared::new(value)
    }
}

impl<T: FromIterator<A>, A> FromIterator<A> for Shared<T> {
    fn from_iter<I: IntoIterator<Item = A>>(iter: I) -> Self {
        Shared::new(iter.into_iter().collect())
    }
}

impl<T> Deref for Shared<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: Clone> DerefMut for Shared<T> {
    /// Mutable access: copies the value first if a snapshot shares it.
    fn deref_mut(&mut self) -> &mut T {
        Arc::make_mut(&mut self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_copies_only_when_shared() {
        let mut a = Shared::new(vec![1, 2, 3]);
        a.push(4);
        assert!(!a.is_shared());
        let snapshot = a.clone();
        assert!(a.is_shared());
        a.push(5);
        assert_eq!(*snapshot, vec![1, 2, 3, 4]);
        assert_eq!(*a, vec![1, 2, 3, 4, 5]);
        assert!(!a.is_shared());
    }
}
