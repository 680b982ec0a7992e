//! Secrets never leave the process: credentials in headers, JWK private members and passwords
//! in bodies, and every known secret value (the bearer token, the client secret) wherever it
//! appears in text. The runner passes everything it records through a [`Redactor`] before
//! the record reaches a reporter, a report file or a snapshot.

use serde_json::Value;

/// What a redacted value is replaced with.
pub const REDACTED: &str = "[redacted]";

/// Header names whose values are credentials.
const SECRET_HEADERS: &[&str] =
    &["authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key"];

/// JSON member names whose values are secrets: JWK private members (RFC 7518 §6.2.2, §6.4)
/// and the credentials the Graph and token APIs take.
const SECRET_MEMBERS: &[&str] = &[
    "k",
    "d",
    "p",
    "q",
    "dp",
    "dq",
    "qi",
    "password",
    "client_secret",
    "clientSecret",
    "access_token",
    "refresh_token",
    "id_token",
    "secret",
];

pub fn is_secret_header(name: &str) -> bool {
    SECRET_HEADERS.iter().any(|h| h.eq_ignore_ascii_case(name))
}

pub fn is_secret_member(name: &str) -> bool {
    SECRET_MEMBERS.contains(&name)
}

/// Collects the values of secret members (at any depth) of a JSON document: what a request
/// sent as a key or a password must not come back into a record under another name.
pub fn secret_values(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                match v {
                    Value::String(s) if is_secret_member(k) => out.push(s.clone()),
                    other => secret_values(other, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| secret_values(v, out)),
        _ => {}
    }
}

/// Replaces secrets in what the runner records. Its `Debug` says how many secrets it holds,
/// never what they are.
#[derive(Clone, Default)]
pub struct Redactor {
    /// Secret values that must not appear anywhere, however they got there.
    values: Vec<String>,
}

impl std::fmt::Debug for Redactor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // A leaf module: `words` is not below it, so the noun agrees here.
        let n = self.values.len();
        write!(f, "Redactor {{ {n} secret {} }}", if n == 1 { "value" } else { "values" })
    }
}

impl Redactor {
    pub fn new() -> Self {
        Redactor::default()
    }

    /// Registers a secret value (a token, a password). Short values are ignored: replacing
    /// every "a" in a report would hide more than it protects.
    pub fn add_secret(&mut self, value: &str) {
        if value.len() >= 6 && !self.values.iter().any(|v| v == value) {
            self.values.push(value.to_string());
            // Longest first, so a secret that contains another is replaced whole.
            self.values.sort_by_key(|v| std::cmp::Reverse(v.len()));
        }
    }

    /// Removes known secret values from a text.
    pub fn text(&self, text: &str) -> String {
        let mut out = text.to_string();
        for secret in &self.values {
            if out.contains(secret.as_str()) {
                out = out.replace(secret.as_str(), REDACTED);
            }
        }
        out
    }

    /// The value to record for a header.
    pub fn header(&self, name: &str, value: &str) -> String {
        if is_secret_header(name) {
            // Keep the scheme: "Bearer [redacted]" still says how the request authenticated.
            match value.split_once(' ') {
                Some((scheme, _)) if !scheme.is_empty() => format!("{scheme} {REDACTED}"),
                _ => REDACTED.to_string(),
            }
        } else {
            self.text(value)
        }
    }

    /// [`Redactor::text`] in place: the string is only rebuilt when it holds a secret.
    pub fn text_in_place(&self, text: &mut String) {
        if self.values.iter().any(|s| text.contains(s.as_str())) {
            *text = self.text(text);
        }
    }

    /// [`Redactor::header`] in place.
    pub fn header_in_place(&self, name: &str, value: &mut String) {
        if is_secret_header(name) {
            *value = self.header(name, value);
        } else {
            self.text_in_place(value);
        }
    }

    /// [`Redactor::json`] in place: nothing is copied, only secrets are replaced.
    pub fn json_in_place(&self, value: &mut Value) {
        match value {
            Value::Object(map) => {
                for (k, v) in map.iter_mut() {
                    if is_secret_member(k) && !v.is_null() {
                        *v = Value::String(REDACTED.into());
                    } else {
                        self.json_in_place(v);
                    }
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|v| self.json_in_place(v)),
            Value::String(s) => self.text_in_place(s),
            _ => {}
        }
    }

    /// Redacts the expected view of a body (see `check::contract`) against the `actual` body
    /// it is diffed with: a secret member is hidden where it holds what the target sent, and
    /// kept where it holds the documentation's placeholder instead (the docs are public, and
    /// `[redacted]` would hide what was expected). Known secret values are removed everywhere.
    pub fn json_view(&self, view: &Value, actual: Option<&Value>) -> Value {
        match view {
            Value::Object(map) => Value::Object(
                map.iter()
                    .map(|(k, v)| {
                        let got = actual.and_then(|a| a.get(k));
                        let v = if is_secret_member(k) && !v.is_null() && got == Some(v) {
                            Value::String(REDACTED.into())
                        } else {
                            self.json_view(v, got)
                        };
                        (k.clone(), v)
                    })
                    .collect(),
            ),
            Value::Array(items) => Value::Array(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, v)| self.json_view(v, actual.and_then(|a| a.get(i))))
                    .collect(),
            ),
            Value::String(s) => Value::String(self.text(s)),
            other => other.clone(),
        }
    }

    /// Redacts secret members (at any depth) and secret values in a JSON document.
    pub fn json(&self, value: &Value) -> Value {
        match value {
            Value::Object(map) => Value::Object(
                map.iter()
                    .map(|(k, v)| {
                        let v = if is_secret_member(k) && !v.is_null() {
                            Value::String(REDACTED.into())
                        } else {
                            self.json(v)
                        };
                        (k.clone(), v)
                    })
                    .collect(),
            ),
            Value::Array(items) => Value::Array(items.iter().map(|v| self.json(v)).collect()),
            Value::String(s) => Value::String(self.text(s)),
            other => other.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn debug_counts_the_secrets_in_words_that_agree() {
        let mut r = Redactor::new();
        assert_eq!(format!("{r:?}"), "Redactor { 0 secret values }");
        r.add_secret("one-secret-value");
        assert_eq!(format!("{r:?}"), "Redactor { 1 secret value }");
    }

    #[test]
    fn an_expected_view_keeps_the_documented_placeholder_and_hides_what_was_sent() {
        let mut r = Redactor::new();
        r.add_secret("sent-secret-value");
        let actual = json!({"keys": [{"k": "real-key-material", "kty": "oct"}, {"k": 7}]});
        let view = json!({"keys": [{"k": "real-key-material", "kty": "oct"}, {"k": "k-value"}], "echo": "sent-secret-value"});
        assert_eq!(
            r.json_view(&view, Some(&actual)),
            json!({"keys": [{"k": REDACTED, "kty": "oct"}, {"k": "k-value"}], "echo": REDACTED})
        );
    }

    #[test]
    fn redacts_headers_members_and_values() {
        let mut r = Redactor::new();
        r.add_secret("canary-token-123");
        assert_eq!(r.header("Authorization", "Bearer canary-token-123"), "Bearer [redacted]");
        assert_eq!(r.header("X-Other", "has canary-token-123 inside"), "has [redacted] inside");
        let body = json!({"keys": [{"kid": "a", "k": "s3cr3t", "d": "x", "n": "pub"}], "password": "pw", "note": "canary-token-123"});
        assert_eq!(
            r.json(&body),
            json!({"keys": [{"kid": "a", "k": "[redacted]", "d": "[redacted]", "n": "pub"}], "password": "[redacted]", "note": "[redacted]"})
        );
        // A null private member reveals nothing and documents that the member is absent.
        assert_eq!(r.json(&json!({"k": null})), json!({"k": null}));
        // In place, the same.
        let mut in_place = body.clone();
        r.json_in_place(&mut in_place);
        assert_eq!(in_place, r.json(&body));
        let mut header = "Bearer canary-token-123".to_string();
        r.header_in_place("authorization", &mut header);
        assert_eq!(header, "Bearer [redacted]");
    }

    #[test]
    fn short_values_are_not_treated_as_secrets() {
        let mut r = Redactor::new();
        r.add_secret("ab");
        assert_eq!(r.text("ab cd"), "ab cd");
    }
}
