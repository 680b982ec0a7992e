//! A key set (a B2C "policy key") and the rules for its id.
//!
//! B2C prefixes every key set id with `B2C_1A_` and adds the prefix when the caller leaves
//! it out, so `keyset1` is created as `B2C_1A_keyset1`. Ids compare without regard to
//! letter case, as they do in the service.

use serde_json::{Map, Value};

use super::GraphError;
use super::key::Key;

/// The prefix B2C puts on every key set id.
pub const ID_PREFIX: &str = "B2C_1A_";

/// What a key set costs beyond its strings, counted so that a flood of empty key sets is
/// bounded too.
const SET_OVERHEAD: usize = 256;

/// The longest id accepted, prefix included.
const MAX_ID_LEN: usize = 128;

/// A key set: an id and its keys, oldest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeySet {
    pub id: String,
    pub keys: Vec<Key>,
}

impl KeySet {
    /// The `trustFrameworkKeySet` shape.
    pub fn to_json(&self) -> Map<String, Value> {
        let mut object = Map::new();
        object.insert("id".into(), self.id.clone().into());
        let keys = self.keys.iter().map(|key| Value::Object(key.to_json())).collect();
        object.insert("keys".into(), Value::Array(keys));
        object
    }

    /// How many bytes the key set holds, for the store's memory bound.
    pub fn stored_bytes(&self) -> usize {
        SET_OVERHEAD + self.id.len() + self.keys.iter().map(Key::stored_bytes).sum::<usize>()
    }

    /// The string members a `$filter` may test, by name.
    pub fn filter_property(&self, name: &str) -> Option<&str> {
        (name == "id").then_some(self.id.as_str())
    }

    /// The key with this `kid`, compared exactly.
    pub fn key(&self, kid: &str) -> Option<&Key> {
        self.keys.iter().find(|key| key.kid == kid)
    }

    /// The key that is active at `now`: among enabled keys with `nbf <= now < exp`, the one
    /// with the latest `nbf`, and of those the one added last.
    pub fn active_key(&self, now: i64) -> Option<&Key> {
        self.keys
            .iter()
            .enumerate()
            .filter(|(_, key)| key.is_active_at(now))
            .max_by_key(|(index, key)| (key.nbf.unwrap_or(i64::MIN), *index))
            .map(|(_, key)| key)
    }

    /// Adds a key, refusing a `kid` the set already holds.
    pub fn add_key(&mut self, key: Key) -> Result<&Key, GraphError> {
        if self.key(&key.kid).is_some() {
            return Err(GraphError::conflict(format!(
                "key set '{}' already holds a key with kid '{}'",
                self.id, key.kid
            )));
        }
        self.keys.push(key);
        Ok(&self.keys[self.keys.len() - 1])
    }
}

/// Checks a requested id and returns it with the `B2C_1A_` prefix, added when missing.
pub fn normalize_id(requested: &str) -> Result<String, GraphError> {
    if requested.is_empty() {
        return Err(GraphError::bad_request("property 'id' must not be empty"));
    }
    if let Some(bad) =
        requested.chars().find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.')))
    {
        return Err(GraphError::bad_request(format!(
            "property 'id' may only hold letters, digits, '_', '-' and '.', not {bad:?}"
        )));
    }
    let has_prefix =
        requested.get(..ID_PREFIX.len()).is_some_and(|p| p.eq_ignore_ascii_case(ID_PREFIX));
    let id = if has_prefix { requested.to_owned() } else { format!("{ID_PREFIX}{requested}") };
    if id.len() > MAX_ID_LEN {
        return Err(GraphError::bad_request(format!(
            "property 'id' must be at most {MAX_ID_LEN} characters with the {ID_PREFIX} prefix"
        )));
    }
    if id.len() == ID_PREFIX.len() {
        return Err(GraphError::bad_request("property 'id' needs a name after the B2C_1A_ prefix"));
    }
    Ok(id)
}

/// The lookup key of an id: ids are case-insensitive.
pub fn id_key(id: &str) -> String {
    id.to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mock::key::{KeyStatus, KeyType, KeyUse, PrivateParts};

    fn key(kid: &str, nbf: Option<i64>) -> Key {
        Key {
            kid: kid.into(),
            kty: KeyType::Oct,
            key_use: KeyUse::Enc,
            nbf,
            exp: None,
            n: None,
            e: None,
            x5c: Vec::new(),
            x5t: None,
            status: KeyStatus::Enabled,
            private: PrivateParts::default(),
        }
    }

    #[test]
    fn the_prefix_is_added_once() {
        assert_eq!(normalize_id("keyset1").unwrap(), "B2C_1A_keyset1");
        assert_eq!(normalize_id("B2C_1A_keyset1").unwrap(), "B2C_1A_keyset1");
        assert_eq!(normalize_id("b2c_1a_Keyset1").unwrap(), "b2c_1a_Keyset1");
    }

    #[test]
    fn bad_ids_are_refused_with_a_reason() {
        assert!(normalize_id("").unwrap_err().message.contains("empty"));
        assert!(normalize_id("a b").unwrap_err().message.contains("' '"));
        assert!(normalize_id("B2C_1A_").unwrap_err().message.contains("name after"));
        assert!(normalize_id(&"x".repeat(200)).unwrap_err().message.contains("at most"));
    }

    #[test]
    fn the_latest_active_key_wins() {
        let mut set = KeySet { id: "B2C_1A_x".into(), keys: vec![] };
        set.add_key(key("old", Some(1))).unwrap();
        set.add_key(key("new", Some(5))).unwrap();
        set.add_key(key("future", Some(1_000))).unwrap();
        set.add_key(key("unbounded", None)).unwrap();
        assert_eq!(set.active_key(10).unwrap().kid, "new");
        set.keys[1].status = KeyStatus::Disabled;
        assert_eq!(set.active_key(10).unwrap().kid, "old");
        assert_eq!(set.add_key(key("old", None)).unwrap_err().status, 409);
    }
}
