//! [`Related`]: the value of an expanded navigation property in a generated read model.
//!
//! # Why navigation values are type-erased
//!
//! `Send`, `Sync` and the other auto traits are proved structurally: `Order: Send` holds when
//! every field type is `Send`, which for a field `Option<Vec<Customer>>` means proving
//! `Customer: Send`, then the types of `Customer`'s fields, and so on. Cycles end the search (a
//! goal already being proved counts as proved), but the search goes as deep as the longest
//! chain of *distinct* types it walks before it meets one again. In a densely connected
//! navigation graph (Dataverse, Microsoft Graph, a large F&O selection) such chains run through
//! hundreds of entity types, each adding a few levels (`Option`, `Vec`, `RawVec`, `PhantomData`,
//! the struct), and the solver stops at its recursion limit (128) with `error[E0275]: overflow
//! evaluating the requirement …: Send` on every `impl Entity` (which requires `Send`).
//!
//! A `Related<T>` holds its value behind `Arc<dyn Any + Send + Sync>` and names `T` only
//! in `PhantomData<fn() -> T>`, which is `Send` and `Sync` whatever `T` is. Proving a read
//! model's auto traits then stops at its own fields: the depth no longer depends on the graph.
//! It stays sound because the only way to build one, [`Related::new`], requires `T` to have
//! those traits itself.

use std::any::Any;
use std::fmt;
use std::marker::PhantomData;
use std::ops::Deref;
use std::sync::Arc;

use serde::{Deserialize, Deserializer};

/// What a [`Related`] stores its value as.
type Erased = dyn Any + Send + Sync;

/// An expanded navigation value: the related entity (`Related<Customer>`) or entities
/// (`Related<Vec<SalesOrderLine>>`) of a row read with `$expand`. Dereferences to `T`; cheap
/// to clone (the value is shared). Always `Send` and `Sync` (the constructor demands it of
/// `T`); not `UnwindSafe`.
pub struct Related<T> {
    value: Arc<Erased>,
    ty: PhantomData<fn() -> T>,
}

impl<T: Send + Sync + 'static> Related<T> {
    /// Wraps a value.
    pub fn new(value: T) -> Self {
        Related {
            value: Arc::new(value),
            ty: PhantomData,
        }
    }
}

impl<T: 'static> Related<T> {
    /// The value.
    pub fn get(&self) -> &T {
        match self.value.downcast_ref::<T>() {
            Some(value) => value,
            // `new` is the only constructor and stores a `T`.
            None => unreachable!("a Related<T> always holds a T"),
        }
    }
}

impl<T: Clone + Send + Sync + 'static> Related<T> {
    /// The value itself: moved out when this is its only holder, cloned otherwise.
    pub fn into_inner(self) -> T {
        match self.value.downcast::<T>() {
            Ok(value) => Arc::try_unwrap(value).unwrap_or_else(|shared| (*shared).clone()),
            // `new` is the only constructor and stores a `T`.
            Err(_) => unreachable!("a Related<T> always holds a T"),
        }
    }
}

/// An empty value (an expanded collection with no rows, say).
impl<T: Default + Send + Sync + 'static> Default for Related<T> {
    fn default() -> Self {
        Related::new(T::default())
    }
}

/// Iterates an expanded collection: `for line in &order.lines.unwrap_or_default() { … }`.
impl<'a, T: 'static> IntoIterator for &'a Related<Vec<T>> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;

    fn into_iter(self) -> Self::IntoIter {
        self.get().iter()
    }
}

impl<T: 'static> Deref for Related<T> {
    type Target = T;

    fn deref(&self) -> &T {
        self.get()
    }
}

impl<T> Clone for Related<T> {
    fn clone(&self) -> Self {
        Related {
            value: Arc::clone(&self.value),
            ty: PhantomData,
        }
    }
}

impl<T: fmt::Debug + 'static> fmt::Debug for Related<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.get().fmt(f)
    }
}

impl<T: PartialEq + 'static> PartialEq for Related<T> {
    fn eq(&self, other: &Self) -> bool {
        self.get() == other.get()
    }
}

impl<'de, T> Deserialize<'de> for Related<T>
where
    T: Deserialize<'de> + Send + Sync + 'static,
{
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        T::deserialize(deserializer).map(Related::new)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq, Deserialize)]
    struct Node {
        name: String,
        next: Option<Related<Vec<Node>>>,
    }

    fn assert_send_sync<T: Send + Sync>() {}

    #[test]
    fn decodes_derefs_clones_and_compares_a_recursive_value() {
        assert_send_sync::<Node>();
        let node: Node =
            serde_json::from_str(r#"{"name":"a","next":[{"name":"b","next":null}]}"#).unwrap();
        let next = node.next.as_ref().unwrap();
        assert_eq!(next.len(), 1);
        assert_eq!(next[0].name, "b");
        assert_eq!(next.clone(), *next);
        assert_eq!(format!("{next:?}"), r#"[Node { name: "b", next: None }]"#);
    }

    #[test]
    fn iterates_defaults_and_gives_the_value_back() {
        let lines = Related::new(vec![1, 2, 3]);
        assert_eq!((&lines).into_iter().sum::<i32>(), 6);
        let shared = lines.clone();
        assert_eq!(lines.into_inner(), vec![1, 2, 3], "cloned while shared");
        assert_eq!(shared.into_inner(), vec![1, 2, 3], "moved when alone");
        let empty: Related<Vec<i32>> = Related::default();
        assert!(empty.is_empty() && (&empty).into_iter().next().is_none());
    }
}
