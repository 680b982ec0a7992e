//! What a run observes: the requests it sent and the responses it received, in exchanges.
//! The runner produces these; the checks, the snapshot layer and the reporters consume them.
//! This module sits below all of them and knows none of them, so every stage can hand an
//! exchange on without reaching back up the pipeline.

use serde::Serialize;
use serde_json::Value;

/// The media type of a `Content-Type` value, as the checks and the snapshot compare it:
/// `application/json; charset=utf-8` → `application/json`. Written once for every stage.
pub fn media_type(value: &str) -> String {
    value.split(';').next().unwrap_or("").trim().to_ascii_lowercase()
}

/// What an exchange was for: the documented request itself, a step of a fixture (named by its
/// alias), or a named step of a behaviour check. New kinds of step are added as variants.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Role {
    /// The documented request of the case.
    Main,
    /// A setup request of the fixture with this alias.
    Setup(String),
    /// A teardown request of the fixture with this alias.
    Teardown(String),
    /// A step of a behaviour check, by its name (`read`, `again`, ...).
    Step(String),
}

impl Role {
    /// The name of [`Role::Main`] in reports.
    pub const MAIN: &'static str = "main";
}

/// As reports name it: `main`, or `<alias> setup` / `<alias> teardown`.
impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Role::Main => f.write_str(Role::MAIN),
            Role::Setup(alias) => write!(f, "{alias} setup"),
            Role::Teardown(alias) => write!(f, "{alias} teardown"),
            Role::Step(name) => f.write_str(name),
        }
    }
}

impl Serialize for Role {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// A request as sent (secrets redacted).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RecordedRequest {
    pub method: String,
    pub url: String,
    pub headers: Vec<(String, String)>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<Value>,
}

/// A response as received (secrets redacted).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RecordedResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    /// The body when it was JSON.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<Value>,
    /// The body when it was not JSON (lossily decoded, truncated to 64 KiB).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body_text: Option<String>,
    pub size: usize,
}

/// One request/response exchange.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Exchange {
    /// What the exchange was for.
    pub role: Role,
    pub request: RecordedRequest,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response: Option<RecordedResponse>,
    pub elapsed_ms: u64,
    pub retries: u32,
    pub throttled_ms: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_are_named_as_reports_name_them() {
        assert_eq!(Role::Main.to_string(), "main");
        assert_eq!(Role::Setup("set".into()).to_string(), "set setup");
        assert_eq!(Role::Teardown("set".into()).to_string(), "set teardown");
        assert_eq!(Role::Step("read".into()).to_string(), "read");
        assert_eq!(serde_json::to_value(Role::Setup("k".into())).ok(), Some("k setup".into()));
    }
}
