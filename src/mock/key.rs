//! A policy key as the mock stores it, and its public shape. `trustFrameworkKey` (in key
//! sets and action answers) and `trustFrameworkKey_v2` (the `keys_v2` navigation) document
//! the same members, `status` included, so both render alike.
//!
//! The private members of a JSON Web Key (`k`, `d`, `p`, `q`, `dp`, `dq`, `qi`) live in
//! [`PrivateParts`], which can be neither serialised nor printed: the rendering code below
//! has no way to reach them, so they cannot leak into a response or a log.

use std::fmt;

use serde_json::{Map, Value};

/// The `kty` of a key. Graph documents `rsa` and `oct`; the mock answers with the RFC 7517
/// spellings `RSA` and `oct` and accepts any letter case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyType {
    Rsa,
    Oct,
}

impl KeyType {
    pub fn as_str(self) -> &'static str {
        match self {
            KeyType::Rsa => "RSA",
            KeyType::Oct => "oct",
        }
    }

    /// Parses a `kty` value, ignoring letter case.
    pub fn parse(text: &str) -> Option<Self> {
        if text.eq_ignore_ascii_case("rsa") {
            Some(KeyType::Rsa)
        } else if text.eq_ignore_ascii_case("oct") {
            Some(KeyType::Oct)
        } else {
            None
        }
    }
}

/// The `use` of a key: signature or encryption.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyUse {
    Sig,
    Enc,
}

impl KeyUse {
    pub fn as_str(self) -> &'static str {
        match self {
            KeyUse::Sig => "sig",
            KeyUse::Enc => "enc",
        }
    }

    /// Parses a `use` value, ignoring letter case.
    pub fn parse(text: &str) -> Option<Self> {
        if text.eq_ignore_ascii_case("sig") {
            Some(KeyUse::Sig)
        } else if text.eq_ignore_ascii_case("enc") {
            Some(KeyUse::Enc)
        } else {
            None
        }
    }
}

/// The `trustFrameworkKeyStatus` enumeration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyStatus {
    Enabled,
    Disabled,
    UnknownFutureValue,
}

impl KeyStatus {
    /// The documented values, in the documented order.
    pub const VALUES: [&'static str; 3] = ["enabled", "disabled", "unknownFutureValue"];

    pub fn as_str(self) -> &'static str {
        match self {
            KeyStatus::Enabled => "enabled",
            KeyStatus::Disabled => "disabled",
            KeyStatus::UnknownFutureValue => "unknownFutureValue",
        }
    }

    /// Parses a status; OData enumeration members are case-sensitive.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "enabled" => Some(KeyStatus::Enabled),
            "disabled" => Some(KeyStatus::Disabled),
            "unknownFutureValue" => Some(KeyStatus::UnknownFutureValue),
            _ => None,
        }
    }
}

/// The write-only members of a key, by JWK member name, base64url-encoded as sent.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct PrivateParts(Vec<(&'static str, String)>);

impl PrivateParts {
    /// The JWK members that are never read back.
    pub const MEMBERS: [&'static str; 7] = ["k", "d", "p", "q", "dp", "dq", "qi"];

    pub fn new(members: Vec<(&'static str, String)>) -> Self {
        Self(members)
    }

    /// Whether `member` was stored.
    pub fn has(&self, member: &str) -> bool {
        self.0.iter().any(|(name, _)| *name == member)
    }

    /// The bytes the values take.
    pub fn stored_bytes(&self) -> usize {
        self.0.iter().map(|(_, value)| value.len()).sum()
    }
}

impl fmt::Debug for PrivateParts {
    /// Lists which members are held, never their values.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.0.iter().map(|(name, _)| *name).collect();
        write!(f, "PrivateParts({names:?}, values redacted)")
    }
}

/// What a key costs beyond its strings (the struct itself, allocation headers), counted so
/// that a flood of tiny keys is bounded too.
const KEY_OVERHEAD: usize = 256;

/// A stored key. Members that do not apply to a key (`n`/`e` for a secret, `x5t` without a
/// certificate, dates that were never given) are absent from its JSON rather than `null`;
/// `x5c` is an empty array when there is no certificate, as Graph shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Key {
    pub kid: String,
    pub kty: KeyType,
    pub key_use: KeyUse,
    pub nbf: Option<i64>,
    pub exp: Option<i64>,
    pub n: Option<String>,
    pub e: Option<String>,
    pub x5c: Vec<String>,
    pub x5t: Option<String>,
    pub status: KeyStatus,
    pub private: PrivateParts,
}

impl Key {
    /// Whether the key may be used at `now` (seconds since the epoch): enabled, and
    /// `nbf <= now < exp` where a missing bound does not restrict.
    pub fn is_active_at(&self, now: i64) -> bool {
        self.status == KeyStatus::Enabled
            && self.nbf.is_none_or(|nbf| nbf <= now)
            && self.exp.is_none_or(|exp| now < exp)
    }

    /// The `trustFrameworkKey` shape.
    pub fn to_json(&self) -> Map<String, Value> {
        let mut object = Map::new();
        object.insert("kid".into(), self.kid.clone().into());
        object.insert("use".into(), self.key_use.as_str().into());
        object.insert("kty".into(), self.kty.as_str().into());
        if let Some(nbf) = self.nbf {
            object.insert("nbf".into(), nbf.into());
        }
        if let Some(exp) = self.exp {
            object.insert("exp".into(), exp.into());
        }
        if let Some(n) = &self.n {
            object.insert("n".into(), n.clone().into());
        }
        if let Some(e) = &self.e {
            object.insert("e".into(), e.clone().into());
        }
        // Graph answers `"x5c": []` for a key without a certificate (see the generateKey
        // example), so the member is always there.
        object.insert("x5c".into(), self.x5c.clone().into());
        if let Some(x5t) = &self.x5t {
            object.insert("x5t".into(), x5t.clone().into());
        }
        // Both resource pages document `status`; the service's own answers to key set
        // requests carry it too.
        object.insert("status".into(), self.status.as_str().into());
        object
    }

    /// The string members a `$filter` may test, by name.
    pub fn filter_property(&self, name: &str) -> Option<&str> {
        match name {
            "kid" => Some(&self.kid),
            "kty" => Some(self.kty.as_str()),
            "use" => Some(self.key_use.as_str()),
            "status" => Some(self.status.as_str()),
            _ => None,
        }
    }

    /// How many bytes of key material the key holds, for the store's memory bound.
    pub fn stored_bytes(&self) -> usize {
        let optional = |s: &Option<String>| s.as_ref().map_or(0, String::len);
        self.kid.len()
            + optional(&self.n)
            + optional(&self.e)
            + optional(&self.x5t)
            + self.x5c.iter().map(String::len).sum::<usize>()
            + self.private.stored_bytes()
            + KEY_OVERHEAD
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> Key {
        Key {
            kid: "kid-1".into(),
            kty: KeyType::Oct,
            key_use: KeyUse::Sig,
            nbf: Some(10),
            exp: Some(20),
            n: None,
            e: None,
            x5c: Vec::new(),
            x5t: None,
            status: KeyStatus::Enabled,
            private: PrivateParts::new(vec![("k", "c2VjcmV0".into())]),
        }
    }

    #[test]
    fn private_members_never_reach_json_or_debug() {
        let key = key();
        let text = format!("{:?} {}", key, Value::Object(key.to_json()));
        assert!(!text.contains("c2VjcmV0"), "{text}");
        assert!(key.private.has("k"));
        assert!(!key.to_json().contains_key("k"));
    }

    #[test]
    fn activity_honours_bounds_and_status() {
        let mut key = key();
        assert!(!key.is_active_at(9));
        assert!(key.is_active_at(10));
        assert!(key.is_active_at(19));
        assert!(!key.is_active_at(20));
        key.nbf = None;
        key.exp = None;
        assert!(key.is_active_at(i64::MIN));
        key.status = KeyStatus::Disabled;
        assert!(!key.is_active_at(0));
    }

    #[test]
    fn status_is_part_of_every_key_answer() {
        let json = key().to_json();
        assert_eq!(json["status"], "enabled");
        assert_eq!(json["kty"], "oct");
        assert!(!json.contains_key("n"));
    }

    #[test]
    fn enumerations_parse_as_documented() {
        assert_eq!(KeyType::parse("rSa"), Some(KeyType::Rsa));
        assert_eq!(KeyType::parse("OCT"), Some(KeyType::Oct));
        assert_eq!(KeyType::parse("EC"), None);
        assert_eq!(KeyUse::parse("ENC"), Some(KeyUse::Enc));
        assert_eq!(KeyStatus::parse("unknownFutureValue"), Some(KeyStatus::UnknownFutureValue));
        assert_eq!(KeyStatus::parse("Enabled"), None);
    }
}
