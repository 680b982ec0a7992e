//! The mock's in-memory state: every key set, in the order it was created, within the
//! configured bounds (number of key sets, keys per set, bytes of key material).
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

/// How much the store may hold. A change that would go beyond a bound is refused with
/// `507` and changes nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub key_sets: usize,
    pub keys_per_set: usize,
    pub bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self { key_sets: usize::MAX, keys_per_set: usize::MAX, bytes: usize::MAX }
    }
}

/// All key sets, keyed by their lower-cased id.
#[derive(Debug, Default)]
pub struct Store {
    inner: RwLock<Inner>,
    limits: Limits,
}

#[derive(Debug, Default)]
struct Inner {
    sets: IndexMap<String, KeySet>,
    /// The sum of [`KeySet::stored_bytes`] over `sets`.
    bytes: usize,
}

impl Store {
    /// An empty store without bounds.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty store within `limits`.
    pub fn with_limits(limits: Limits) -> Self {
        Self { inner: RwLock::default(), limits }
    }

    fn read(&self) -> RwLockReadGuard<'_, Inner> {
        self.inner.read().unwrap_or_else(PoisonError::into_inner)
    }

    fn write(&self) -> RwLockWriteGuard<'_, Inner> {
        self.inner.write().unwrap_or_else(PoisonError::into_inner)
    }

    /// Applies `f` to every key set, in creation order.
    pub fn list<R>(&self, f: impl FnMut(&KeySet) -> R) -> Vec<R> {
        self.read().sets.values().map(f).collect()
    }

    /// How many bytes of key material the store holds.
    pub fn stored_bytes(&self) -> usize {
        self.read().bytes
    }

    /// Refuses a key set with too many keys, or a total beyond the byte bound.
    fn check(&self, set: &KeySet, total_bytes: usize) -> Result<(), GraphError> {
        if set.keys.len() > self.limits.keys_per_set {
            return Err(GraphError::insufficient_storage(format!(
                "key set '{}' would hold {} keys; the mock holds at most {} per key set (--max-keys-per-set)",
                set.id,
                set.keys.len(),
                self.limits.keys_per_set
            )));
        }
        if total_bytes > self.limits.bytes {
            return Err(GraphError::insufficient_storage(format!(
                "storing this would take the mock's key material to {total_bytes} bytes, over its limit of {} (--max-stored-bytes)",
                self.limits.bytes
            )));
        }
        Ok(())
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
        page(self.read().sets.values(), keep, start, take, render)
    }

    /// Adds a new key set; `409` if the id is taken (ignoring letter case), `507` if it
    /// would exceed a bound.
    pub fn insert(&self, set: KeySet) -> Result<(), GraphError> {
        let mut inner = self.write();
        let Inner { sets, bytes } = &mut *inner;
        let count = sets.len();
        match sets.entry(id_key(&set.id)) {
            Entry::Occupied(existing) => Err(GraphError::conflict(format!(
                "a key set with id '{}' already exists",
                existing.get().id
            ))),
            Entry::Vacant(slot) => {
                if count >= self.limits.key_sets {
                    return Err(GraphError::insufficient_storage(format!(
                        "the mock holds {count} key sets, its limit (--max-key-sets); delete one first"
                    )));
                }
                let total = bytes.saturating_add(set.stored_bytes());
                self.check(&set, total)?;
                slot.insert(set);
                *bytes = total;
                Ok(())
            }
        }
    }

    /// Reads one key set; `404` if there is none.
    pub fn read_set<R>(&self, id: &str, f: impl FnOnce(&KeySet) -> R) -> Result<R, GraphError> {
        self.read().sets.get(&id_key(id)).map(f).ok_or_else(|| missing(id))
    }

    /// Changes one key set under the lock; `404` if there is none. `f` works on a copy,
    /// which replaces the stored set only if `f` succeeds and the result is within the
    /// bounds, so a refused change leaves nothing behind.
    pub fn update_set<R>(
        &self,
        id: &str,
        f: impl FnOnce(&mut KeySet) -> Result<R, GraphError>,
    ) -> Result<R, GraphError> {
        let mut inner = self.write();
        let Inner { sets, bytes } = &mut *inner;
        let stored = sets.get_mut(&id_key(id)).ok_or_else(|| missing(id))?;
        let mut changed = stored.clone();
        let result = f(&mut changed)?;
        let total =
            bytes.saturating_sub(stored.stored_bytes()).saturating_add(changed.stored_bytes());
        self.check(&changed, total)?;
        *stored = changed;
        *bytes = total;
        Ok(result)
    }

    /// Removes one key set; `404` if there is none.
    pub fn remove(&self, id: &str) -> Result<KeySet, GraphError> {
        let mut inner = self.write();
        let set = inner.sets.shift_remove(&id_key(id)).ok_or_else(|| missing(id))?;
        inner.bytes = inner.bytes.saturating_sub(set.stored_bytes());
        Ok(set)
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
    fn limits_refuse_with_507_and_change_nothing() {
        use crate::mock::key::{Key, KeyStatus, KeyType, KeyUse, PrivateParts};
        let key = |kid: &str, bytes: usize| Key {
            kid: kid.into(),
            kty: KeyType::Oct,
            key_use: KeyUse::Sig,
            nbf: None,
            exp: None,
            n: None,
            e: None,
            x5c: Vec::new(),
            x5t: None,
            status: KeyStatus::Enabled,
            private: PrivateParts::new(vec![("k", "x".repeat(bytes))]),
        };
        let store = Store::with_limits(Limits { key_sets: 2, keys_per_set: 2, bytes: 10_000 });
        store.insert(set("a")).unwrap();
        store.insert(set("b")).unwrap();
        assert_eq!(store.insert(set("c")).unwrap_err().status, 507);
        let empty = store.stored_bytes();

        store.update_set("a", |s| s.add_key(key("1", 10)).map(|_| ())).unwrap();
        store.update_set("a", |s| s.add_key(key("2", 10)).map(|_| ())).unwrap();
        let two = store.stored_bytes();
        let error = store.update_set("a", |s| s.add_key(key("3", 10)).map(|_| ())).unwrap_err();
        assert_eq!((error.status.as_u16(), error.code), (507, "quotaLimitReached"));
        assert_eq!(store.read_set("a", |s| s.keys.len()).unwrap(), 2);
        assert_eq!(store.stored_bytes(), two);

        let error =
            store.update_set("b", |s| s.add_key(key("big", 20_000)).map(|_| ())).unwrap_err();
        assert!(error.message.contains("--max-stored-bytes"), "{}", error.message);
        assert_eq!(store.read_set("b", |s| s.keys.len()).unwrap(), 0);

        store.remove("a").unwrap();
        assert!(store.stored_bytes() < empty);
        store.insert(set("c")).unwrap();
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
