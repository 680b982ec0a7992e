//! JSON Web Keys sent in a key set's `keys` (create, `PUT`, `PATCH`): checked member by
//! member and turned into stored [`Key`]s.
//!
//! The rules: `kty` is `RSA` or `oct` and `use` is `sig` or `enc` (any letter case); an
//! `oct` key needs `k`; an `RSA` key needs `n` and `e`; `nbf` and `exp` are integers with
//! `exp` not before `nbf`; binary members are base64url. A key without a `kid` gets one:
//! the RFC 7638 thumbprint for RSA, a random id for a secret.

use serde_json::Value;

use super::GraphError;
use super::b64;
use super::fields::{Fields, json_type};
use super::key::{Key, KeyStatus, KeyType, KeyUse, PrivateParts};
use super::keygen;

/// Every `trustFrameworkKey` property a client may send.
const MEMBERS: [&str; 17] = [
    "k", "x5c", "x5t", "kty", "use", "exp", "nbf", "kid", "e", "n", "d", "p", "q", "dp", "dq",
    "qi", "status",
];

/// Reads the `keys` array of a key set request.
pub fn keys_from_json(items: Vec<Value>) -> Result<Vec<Key>, GraphError> {
    let mut keys: Vec<Key> = Vec::with_capacity(items.len());
    for (index, item) in items.into_iter().enumerate() {
        let key = key_from_json(item, index)?;
        if keys.iter().any(|k| k.kid == key.kid) {
            return Err(GraphError::bad_request(format!(
                "keys[{index}].kid '{}' is used by an earlier key in the same request",
                key.kid
            )));
        }
        keys.push(key);
    }
    Ok(keys)
}

/// Reads one JWK, the `index`th of `keys`.
fn key_from_json(item: Value, index: usize) -> Result<Key, GraphError> {
    let Value::Object(map) = item else {
        return Err(GraphError::bad_request(format!(
            "keys[{index}] must be an object, not {}",
            json_type(&item)
        )));
    };
    let mut f = Fields::new(map, &MEMBERS, format!("keys[{index}]."))?;

    let kty_text = f.required_string("kty")?;
    let kty =
        KeyType::parse(&kty_text).ok_or_else(|| f.not_one_of("kty", &kty_text, &["RSA", "oct"]))?;
    let use_text = f.required_string("use")?;
    let key_use =
        KeyUse::parse(&use_text).ok_or_else(|| f.not_one_of("use", &use_text, &["sig", "enc"]))?;
    let status = match f.string("status")? {
        None => KeyStatus::Enabled,
        Some(text) => KeyStatus::parse(&text)
            .ok_or_else(|| f.not_one_of("status", &text, &KeyStatus::VALUES))?,
    };
    let nbf = f.integer("nbf")?;
    let exp = f.integer("exp")?;
    if nbf.zip(exp).is_some_and(|(nbf, exp)| exp < nbf) {
        return Err(GraphError::bad_request(format!(
            "{} must not be before {}",
            f.name("exp"),
            f.name("nbf")
        )));
    }

    let n = base64url(&mut f, "n")?;
    let e = base64url(&mut f, "e")?;
    let mut private = Vec::new();
    for member in PrivateParts::MEMBERS {
        if let Some(value) = base64url(&mut f, member)? {
            private.push((member, value));
        }
    }
    let x5t = base64url(&mut f, "x5t")?;
    let x5c = certificate_chain(&mut f)?;

    match kty {
        KeyType::Oct if !private.iter().any(|(name, _)| *name == "k") => {
            return Err(GraphError::bad_request(format!(
                "{} is required for an oct key",
                f.name("k")
            )));
        }
        KeyType::Rsa if n.is_none() || e.is_none() => {
            let which = if n.is_none() { "n" } else { "e" };
            return Err(GraphError::bad_request(format!(
                "{} is required for an RSA key",
                f.name(which)
            )));
        }
        _ => {}
    }

    let kid = match f.string("kid")? {
        Some(kid) if kid.is_empty() => {
            return Err(GraphError::bad_request(format!(
                "property '{}' must not be empty",
                f.name("kid")
            )));
        }
        Some(kid) => kid,
        None => match (&n, &e) {
            (Some(n), Some(e)) if kty == KeyType::Rsa => keygen::thumbprint(n, e),
            _ => keygen::random_kid(),
        },
    };

    Ok(Key {
        kid,
        kty,
        key_use,
        nbf,
        exp,
        n,
        e,
        x5c,
        x5t,
        status,
        private: PrivateParts::new(private),
    })
}

/// An optional base64url member. The message on failure names the member, not its value.
fn base64url(f: &mut Fields, member: &str) -> Result<Option<String>, GraphError> {
    match f.string(member)? {
        Some(text) if text.is_empty() || b64::decode_url(&text).is_none() => {
            Err(GraphError::bad_request(format!(
                "property '{}' must be a non-empty base64url string",
                f.name(member)
            )))
        }
        other => Ok(other),
    }
}

/// The optional `x5c` member: an array of base64 DER certificates.
fn certificate_chain(f: &mut Fields) -> Result<Vec<String>, GraphError> {
    let Some(items) = f.array("x5c")? else { return Ok(Vec::new()) };
    items
        .into_iter()
        .enumerate()
        .map(|(i, item)| match item {
            Value::String(text) if b64::decode_upload(&text).is_some_and(|der| !der.is_empty()) => {
                Ok(text)
            }
            _ => Err(GraphError::bad_request(format!(
                "property '{}[{i}]' must be a base64 certificate",
                f.name("x5c")
            ))),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn one(key: Value) -> Result<Key, GraphError> {
        keys_from_json(vec![key]).map(|mut keys| keys.remove(0))
    }

    #[test]
    fn an_oct_key_needs_k_and_keeps_it_private() {
        let key =
            one(json!({"kty": "OCT", "use": "SIG", "k": "c2VjcmV0", "nbf": 1, "exp": 2})).unwrap();
        assert_eq!((key.kty, key.key_use), (KeyType::Oct, KeyUse::Sig));
        assert!(key.private.has("k"));
        assert_eq!(key.kid.len(), 43);
        let error = one(json!({"kty": "oct", "use": "sig"})).unwrap_err();
        assert_eq!(error.message, "keys[0].k is required for an oct key");
    }

    #[test]
    fn an_rsa_key_needs_n_and_e_and_gets_a_thumbprint_kid() {
        let key = one(json!({"kty": "rsa", "use": "enc", "n": "AQAB", "e": "AQAB"})).unwrap();
        assert_eq!(key.kid, keygen::thumbprint("AQAB", "AQAB"));
        let error = one(json!({"kty": "RSA", "use": "sig", "n": "AQAB"})).unwrap_err();
        assert!(error.message.contains("keys[0].e"), "{}", error.message);
    }

    #[test]
    fn each_bad_member_is_named() {
        let cases = [
            (json!({"kty": "kty-value", "use": "sig"}), "keys[0].kty"),
            (json!({"kty": "oct", "use": "use-value", "k": "AA"}), "keys[0].use"),
            (json!({"kty": "oct", "use": "sig", "k": "AA", "nbf": "99"}), "keys[0].nbf"),
            (json!({"kty": "oct", "use": "sig", "k": "AA", "nbf": 5, "exp": 4}), "keys[0].exp"),
            (json!({"kty": "oct", "use": "sig", "k": "AA", "x5c": ["%%"]}), "keys[0].x5c[0]"),
            (json!({"kty": "oct", "use": "sig", "k": "AA", "status": "on"}), "keys[0].status"),
            (json!({"kty": "oct", "use": "sig", "k": "AA", "kid": ""}), "keys[0].kid"),
            (json!({"use": "sig"}), "keys[0].kty"),
            (json!("key"), "keys[0]"),
        ];
        for (key, named) in cases {
            let error = one(key.clone()).unwrap_err();
            assert!(error.message.contains(named), "{key}: {}", error.message);
        }
    }

    #[test]
    fn private_values_are_never_quoted() {
        let error = one(json!({"kty": "oct", "use": "sig", "k": "not base64url!"})).unwrap_err();
        assert!(!error.message.contains("not base64url!"), "{}", error.message);
    }

    #[test]
    fn duplicate_kids_in_one_request_are_refused() {
        let key = json!({"kty": "oct", "use": "sig", "k": "AA", "kid": "same"});
        let error = keys_from_json(vec![key.clone(), key]).unwrap_err();
        assert!(error.message.contains("keys[1].kid"), "{}", error.message);
    }
}
