//! The mock's in-memory state: every key set, in the order it was created.
//!
//! One lock guards the whole map and every change happens inside a single critical section
//! (read, modify, write back), so concurrent requests on the same key set never lose an
//! update. Slow work such as RSA key generation happens before the lock is taken. A
//! poisoned lock is taken over rather than propagated: the data is plain values, and a
//! panic elsewhere must not turn every later request into an error.

use std::sync::{PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};

use indexmap::IndexMap;
use indexmap::map::Entry;

use super::GraphError;
use super::keyset::{KeySet, id_key};

/// All key sets, keyed by their lower-cased id.
#[derive(Debug, Default)]
pub struct Store {
    sets: RwLock<IndexMap<String, KeySet>>,
}

impl Store {
    pub fn new() -> Self {
        Self::default()
    }

    fn read(&self) -> RwLockReadGuard<'_, IndexMap<String, KeySet>> {
        self.sets.read().unwrap_or_else(PoisonError::into_inner)
    }

    fn write(&self) -> RwLockWriteGuard<'_, IndexMap<String, KeySet>> {
        self.sets.write().unwrap_or_else(PoisonError::into_inner)
    }

    /// Applies `f` to every key set, in creation order.
    pub fn list<R>(&self, f: impl FnMut(&KeySet) -> R) -> Vec<R> {
        self.read().values().map(f).collect()
    }

    /// One page of the key sets that `keep` accepts, in creation order: `render` applied to
    /// at most `take` of them after skipping `start`, and how many `keep` accepts in all.
    pub fn page<R>(
        &self,
        keep: impl Fn(&KeySet) -> bool,
        start: usize,
        take: usize,
        render: impl FnMut(&KeySet) -> R,
    ) -> (Vec<R>, usize) {
        page(self.read().values(), keep, start, take, render)
    }

    /// Adds a new key set; `409` if the id is taken (ignoring letter case).
    pub fn insert(&self, set: KeySet) -> Result<(), GraphError> {
        match self.write().entry(id_key(&set.id)) {
            Entry::Occupied(existing) => Err(GraphError::conflict(format!(
                "a key set with id '{}' already exists",
                existing.get().id
            ))),
            Entry::Vacant(slot) => {
                slot.insert(set);
                Ok(())
            }
        }
    }

    /// Reads one key set; `404` if there is none.
    pub fn read_set<R>(&self, id: &str, f: impl FnOnce(&KeySet) -> R) -> Result<R, GraphError> {
        self.read().get(&id_key(id)).map(f).ok_or_else(|| missing(id))
    }

    /// Changes one key set under the lock; `404` if there is none.
    pub fn update_set<R>(
        &self,
        id: &str,
        f: impl FnOnce(&mut KeySet) -> Result<R, GraphError>,
    ) -> Result<R, GraphError> {
        self.write().get_mut(&id_key(id)).ok_or_else(|| missing(id)).and_then(f)
    }

    /// Removes one key set; `404` if there is none.
    pub fn remove(&self, id: &str) -> Result<KeySet, GraphError> {
        self.write().shift_remove(&id_key(id)).ok_or_else(|| missing(id))
    }
}

/// One page of `items`: see [`Store::page`].
pub fn page<'a, T: 'a, R>(
    items: impl Iterator<Item = &'a T>,
    keep: impl Fn(&T) -> bool,
    start: usize,
    take: usize,
    mut render: impl FnMut(&T) -> R,
) -> (Vec<R>, usize) {
    let mut total = 0;
    let mut page = Vec::new();
    for item in items.filter(|item| keep(item)) {
        if total >= start && page.len() < take {
            page.push(render(item));
        }
        total += 1;
    }
    (page, total)
}

/// The `404` for an id that names no key set.
pub fn missing(id: &str) -> GraphError {
    GraphError::not_found(format!("no key set with id '{id}'"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(id: &str) -> KeySet {
        KeySet { id: id.into(), keys: Vec::new() }
    }

    #[test]
    fn ids_are_unique_without_regard_to_case() {
        let store = Store::new();
        store.insert(set("B2C_1A_one")).unwrap();
        assert_eq!(store.insert(set("b2c_1a_ONE")).unwrap_err().status, 409);
        assert_eq!(store.read_set("B2C_1A_One", |s| s.id.clone()).unwrap(), "B2C_1A_one");
    }

    #[test]
    fn removal_keeps_creation_order_of_the_rest() {
        let store = Store::new();
        for id in ["a", "b", "c"] {
            store.insert(set(id)).unwrap();
        }
        store.remove("b").unwrap();
        assert_eq!(store.list(|s| s.id.clone()), ["a", "c"]);
        assert_eq!(store.remove("b").unwrap_err().status, 404);
        assert_eq!(store.update_set("b", |_| Ok(())).unwrap_err().status, 404);
    }
}
