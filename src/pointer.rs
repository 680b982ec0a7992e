//! JSON pointers (RFC 6901), written once: escaping a member name into a reference token and
//! back, building a pointer as a walk goes down a document, and setting the value a pointer
//! addresses. The checks, the snapshot layer and the runner's `set` overrides all use these.

use std::borrow::Cow;

use serde_json::Value;

/// A member name as a reference token: `~` → `~0`, `/` → `~1`. Borrowed when nothing needs
/// escaping, which is nearly always.
pub fn escape(name: &str) -> Cow<'_, str> {
    if name.contains(['~', '/']) {
        Cow::Owned(name.replace('~', "~0").replace('/', "~1"))
    } else {
        Cow::Borrowed(name)
    }
}

/// A reference token as the member name it stands for.
pub fn unescape(token: &str) -> Cow<'_, str> {
    if token.contains('~') {
        Cow::Owned(token.replace("~1", "/").replace("~0", "~"))
    } else {
        Cow::Borrowed(token)
    }
}

/// Appends `/name` (escaped) to a pointer being built.
pub fn push(pointer: &mut String, name: &str) {
    pointer.push('/');
    pointer.push_str(&escape(name));
}

/// The pointer of member or item `name` below `pointer`.
pub fn child(pointer: &str, name: &str) -> String {
    format!("{pointer}/{}", escape(name))
}

/// Why [`set`] could not place a value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SetError {
    #[error("not a JSON pointer")]
    NotAPointer,
    /// The parent is an array without that item.
    #[error("no item {index}")]
    NoItem { index: String },
    /// The parent is missing, or neither an object nor an array.
    #[error("`{parent}` is not an object or array")]
    NotAContainer { parent: String },
}

/// Sets the value at `pointer` in `doc`: a member of an object is added or replaced, an item
/// of an array replaced; the empty pointer replaces the whole document.
pub fn set(doc: &mut Value, pointer: &str, value: Value) -> Result<(), SetError> {
    if pointer.is_empty() {
        *doc = value;
        return Ok(());
    }
    let (parent, token) = pointer.rsplit_once('/').ok_or(SetError::NotAPointer)?;
    let name = unescape(token);
    match doc.pointer_mut(parent) {
        Some(Value::Object(map)) => {
            map.insert(name.into_owned(), value);
            Ok(())
        }
        Some(Value::Array(items)) => match name.parse::<usize>() {
            Ok(i) if i < items.len() => {
                items[i] = value;
                Ok(())
            }
            _ => Err(SetError::NoItem { index: name.into_owned() }),
        },
        _ => Err(SetError::NotAContainer { parent: parent.to_string() }),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn escaping_round_trips() {
        for name in ["plain", "a/b", "~x", "~1/~0"] {
            assert_eq!(unescape(&escape(name)), name);
        }
        assert_eq!(escape("a/b~c"), "a~1b~0c");
        let mut p = String::new();
        push(&mut p, "keys");
        push(&mut p, "0");
        assert_eq!(p, "/keys/0");
        assert_eq!(child(&p, "a/b"), "/keys/0/a~1b");
    }

    #[test]
    fn set_adds_members_and_replaces_items() {
        let mut doc = json!({"id": "keyset1", "keys": [{"kty": "x"}]});
        set(&mut doc, "/id", json!("exemplar_1")).unwrap();
        set(&mut doc, "/keys/0/kty", json!("oct")).unwrap();
        set(&mut doc, "/keys/0/a~1b", json!(1)).unwrap();
        assert_eq!(doc, json!({"id": "exemplar_1", "keys": [{"kty": "oct", "a/b": 1}]}));
        assert_eq!(set(&mut doc, "/keys/5", json!(1)), Err(SetError::NoItem { index: "5".into() }));
        assert_eq!(
            set(&mut doc, "/missing/x", json!(1)),
            Err(SetError::NotAContainer { parent: "/missing".into() })
        );
        assert_eq!(set(&mut doc, "x", json!(1)), Err(SetError::NotAPointer));
        set(&mut doc, "", json!(null)).unwrap();
        assert_eq!(doc, Value::Null);
    }
}
