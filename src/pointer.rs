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

/// A JSON pointer in which a `*` token stands for any one member or item and a `**` token for
/// any number of them (also none): `/keys/*/kid`, `/**/kid`, `/value/**`. The one pattern the
/// case format has, used by pins, ignores, optional members, volatiles, unordered arrays,
/// service-root values and known deviations. Tokens are compared escaped, so `a~1b` matches
/// the member `a/b` only. A pattern that is neither empty nor starts with `/` is not a
/// pointer and matches nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pattern<'a>(&'a str);

impl<'a> Pattern<'a> {
    pub fn new(pattern: &'a str) -> Self {
        Pattern(pattern)
    }

    /// Whether the pattern has a `*` or `**` token (else it is a plain pointer).
    pub fn is_wild(&self) -> bool {
        self.0.split('/').any(|t| t == "*" || t == "**")
    }

    /// Whether `pointer` is one the pattern stands for.
    pub fn matches(&self, pointer: &str) -> bool {
        self.walk(pointer, false)
    }

    /// Whether `pointer` is one the pattern stands for or lies below one (an ignored member
    /// ignores everything inside it).
    pub fn covers(&self, pointer: &str) -> bool {
        self.walk(pointer, true)
    }

    fn walk(&self, pointer: &str, below: bool) -> bool {
        let (Some(want), Some(got)) = (tokens(self.0), tokens(pointer)) else { return false };
        tokens_match(want, got, below)
    }

    /// The pointers in `doc` that the pattern stands for, with their values, in document
    /// order. A plain pointer gives itself when it is in `doc`.
    pub fn find<'d>(&self, doc: &'d Value) -> Vec<(String, &'d Value)> {
        let mut found = Vec::new();
        if !self.is_wild() {
            if let Some(v) = doc.pointer(self.0) {
                found.push((self.0.to_string(), v));
            }
            return found;
        }
        if let Some(want) = tokens(self.0) {
            collect(want, doc, &mut String::new(), &mut found);
        }
        found
    }
}

/// The tokens after the root, as the text after its first `/`: `Some(None)` for the root
/// itself (the empty pointer), `None` for text that is not a pointer.
fn tokens(pointer: &str) -> Option<Option<&str>> {
    if pointer.is_empty() { Some(None) } else { pointer.strip_prefix('/').map(Some) }
}

/// The first token and the rest (`None` when it was the last).
fn first(tokens: &str) -> (&str, Option<&str>) {
    match tokens.split_once('/') {
        Some((head, rest)) => (head, Some(rest)),
        None => (tokens, None),
    }
}

fn tokens_match(want: Option<&str>, got: Option<&str>, below: bool) -> bool {
    let Some(want) = want else { return got.is_none() || below };
    let (w, want_rest) = first(want);
    if w == "**" {
        return tokens_match(want_rest, got, below)
            || got.is_some_and(|g| tokens_match(Some(want), first(g).1, below));
    }
    match got {
        Some(got) => {
            let (g, got_rest) = first(got);
            (w == "*" || w == g) && tokens_match(want_rest, got_rest, below)
        }
        None => false,
    }
}

fn collect<'d>(
    want: Option<&str>,
    value: &'d Value,
    at: &mut String,
    found: &mut Vec<(String, &'d Value)>,
) {
    let Some(want) = want else {
        if !found.iter().any(|(p, _)| p == at) {
            found.push((at.clone(), value));
        }
        return;
    };
    let (w, rest) = first(want);
    let children: Vec<(Cow<'_, str>, &'d Value)> = match value {
        Value::Object(map) => map.iter().map(|(k, v)| (escape(k), v)).collect(),
        Value::Array(items) => {
            items.iter().enumerate().map(|(i, v)| (Cow::Owned(i.to_string()), v)).collect()
        }
        _ => Vec::new(),
    };
    if w == "**" {
        collect(rest, value, at, found);
    }
    for (token, child) in children {
        if w == "**" || w == "*" || w == token {
            let len = at.len();
            at.push('/');
            at.push_str(&token);
            collect(if w == "**" { Some(want) } else { rest }, child, at, found);
            at.truncate(len);
        }
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

    #[test]
    fn patterns_match_one_or_any_number_of_tokens() {
        let m = |p: &str, ptr: &str| Pattern::new(p).matches(ptr);
        assert!(m("/**/kid", "/kid"));
        assert!(m("/**/kid", "/keys/0/kid"));
        assert!(!m("/**/kid", "/keys/0/kids"));
        assert!(m("/keys/*/n", "/keys/3/n"));
        assert!(!m("/keys/*/n", "/keys/n"));
        assert!(m("/value/**", "/value/1/keys/0"));
        assert!(m("/value/**", "/value"));
        assert!(!m("kid", "/kid"));
        assert!(!m("**/kid", "/kid"));
        assert!(m("", ""));
        assert!(!m("", "/a"));
        assert!(m("/a~1b", "/a~1b"));
    }

    #[test]
    fn a_pattern_covers_what_lies_below_its_matches() {
        let c = |p: &str, ptr: &str| Pattern::new(p).covers(ptr);
        assert!(c("/keys/*", "/keys/0/kid"));
        assert!(c("/keys/*", "/keys/0"));
        assert!(!c("/keys/*", "/keys"));
        assert!(c("", "/anything"));
        assert!(!c("/id", "/identity"));
        assert!(!Pattern::new("/keys/*").matches("/keys/0/kid"));
    }

    #[test]
    fn find_lists_the_pointers_a_pattern_stands_for() {
        let doc = json!({"keys": [{"kid": "a", "x": {"kid": "b"}}, {"kid": "c"}], "kid": "d"});
        let found = |p: &str| -> Vec<String> {
            Pattern::new(p).find(&doc).into_iter().map(|(ptr, _)| ptr).collect()
        };
        assert_eq!(found("/keys/*/kid"), ["/keys/0/kid", "/keys/1/kid"]);
        assert_eq!(found("/**/kid"), ["/kid", "/keys/0/kid", "/keys/0/x/kid", "/keys/1/kid"]);
        assert_eq!(found("/keys/1/kid"), ["/keys/1/kid"]);
        assert!(found("/keys/5/kid").is_empty());
        for (ptr, value) in Pattern::new("/**/kid").find(&doc) {
            assert_eq!(doc.pointer(&ptr), Some(value));
        }
    }
}
