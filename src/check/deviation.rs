//! Deviations: the ways a response can differ from its contract, each with a stable code that
//! reports, baselines and known-deviation files refer to. The codes are a documented contract:
//! a code is never renamed or reused for something else.

use std::fmt;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::extract::JsonType;

/// Stable deviation codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Code {
    /// The status code differs from the documented one.
    StatusMismatch,
    /// A documented header is absent.
    HeaderMissing,
    /// The media type of `Content-Type` differs (parameters such as `charset` are ignored).
    ContentTypeMismatch,
    /// A body was documented and none came back.
    BodyMissing,
    /// No body was documented (e.g. `204`) and one came back.
    BodyUnexpected,
    /// The body is not valid JSON.
    BodyInvalidJson,
    /// A documented property is absent.
    PropertyMissing,
    /// A property that the (untruncated) example does not show.
    PropertyUnexpected,
    /// A property that the resource type does not document.
    PropertyUndocumented,
    /// A value of the wrong JSON type.
    TypeMismatch,
    /// A value checked by equality (echoed from the request, or pinned) differs.
    ValueMismatch,
    /// A value outside the documented set of possible values.
    EnumMismatch,
    /// `@odata.type` names another type than the documented one.
    OdataTypeMismatch,
    /// A collection response without a `value` array.
    CollectionMismatch,
    /// `isEmpty` was documented and the collection has items.
    NotEmpty,
    /// An item of a documented array is absent.
    ItemMissing,
    /// The response took longer than the slow threshold.
    ResponseSlow,
    /// The normalised response differs from the recorded snapshot.
    SnapshotMismatch,
    /// There is no recorded snapshot for this case yet.
    SnapshotMissing,
    /// A value differed between two recordings of the same case (`--record-twice`): it
    /// should be listed as volatile.
    SnapshotUnstable,
    /// Behaviour: what a create, update or action sent is not what the target holds after.
    WriteNotKept,
    /// Behaviour: a deleted entity can still be read.
    DeleteWithoutEffect,
    /// Behaviour: a list misses what was created, or still shows what was deleted.
    StaleList,
    /// Behaviour: a request answered with another status than the convention's (a negative
    /// request accepted, a step that should succeed refused).
    ErrorStatus,
    /// Behaviour: an error answer without the error envelope or a JSON content type.
    ErrorEnvelopeMissing,
    /// Behaviour: a request without credentials was not refused with `401`.
    AuthNotRequired,
    /// Behaviour: the target answered with a `5xx`.
    ServerError,
    /// Behaviour: a function selected an item the entity does not hold, or one that differs
    /// from what it holds.
    InconsistentRead,
}

impl Code {
    pub const ALL: &[Code] = &[
        Code::StatusMismatch,
        Code::HeaderMissing,
        Code::ContentTypeMismatch,
        Code::BodyMissing,
        Code::BodyUnexpected,
        Code::BodyInvalidJson,
        Code::PropertyMissing,
        Code::PropertyUnexpected,
        Code::PropertyUndocumented,
        Code::TypeMismatch,
        Code::ValueMismatch,
        Code::EnumMismatch,
        Code::OdataTypeMismatch,
        Code::CollectionMismatch,
        Code::NotEmpty,
        Code::ItemMissing,
        Code::ResponseSlow,
        Code::SnapshotMismatch,
        Code::SnapshotMissing,
        Code::SnapshotUnstable,
        Code::WriteNotKept,
        Code::DeleteWithoutEffect,
        Code::StaleList,
        Code::ErrorStatus,
        Code::ErrorEnvelopeMissing,
        Code::AuthNotRequired,
        Code::ServerError,
        Code::InconsistentRead,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Code::StatusMismatch => "status-mismatch",
            Code::HeaderMissing => "header-missing",
            Code::ContentTypeMismatch => "content-type-mismatch",
            Code::BodyMissing => "body-missing",
            Code::BodyUnexpected => "body-unexpected",
            Code::BodyInvalidJson => "body-invalid-json",
            Code::PropertyMissing => "property-missing",
            Code::PropertyUnexpected => "property-unexpected",
            Code::PropertyUndocumented => "property-undocumented",
            Code::TypeMismatch => "type-mismatch",
            Code::ValueMismatch => "value-mismatch",
            Code::EnumMismatch => "enum-mismatch",
            Code::OdataTypeMismatch => "odata-type-mismatch",
            Code::CollectionMismatch => "collection-mismatch",
            Code::NotEmpty => "not-empty",
            Code::ItemMissing => "item-missing",
            Code::ResponseSlow => "response-slow",
            Code::SnapshotMismatch => "snapshot-mismatch",
            Code::SnapshotMissing => "snapshot-missing",
            Code::SnapshotUnstable => "snapshot-unstable",
            Code::WriteNotKept => "write-not-kept",
            Code::DeleteWithoutEffect => "delete-without-effect",
            Code::StaleList => "stale-list",
            Code::ErrorStatus => "error-status",
            Code::ErrorEnvelopeMissing => "error-envelope-missing",
            Code::AuthNotRequired => "auth-not-required",
            Code::ServerError => "server-error",
            Code::InconsistentRead => "inconsistent-read",
        }
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a deviation says the contract expected, or what the target did: typed data, phrased
/// by the reporters (`report::phrase`). It is part of the report's format (from format 2),
/// tagged by `kind`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
pub enum Finding {
    /// This JSON value (a status code, a header value, a documented item, what came back).
    Value {
        value: Value,
    },
    /// This value, as the request sent it (an echo), or as the behaviour step `by` sent it.
    Sent {
        value: Value,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        by: Option<String>,
    },
    /// This value, as the case pins it.
    Pinned {
        value: Value,
    },
    /// This value, as the step `by` read it before (and the request did not change it).
    Read {
        value: Value,
        by: String,
    },
    /// This value, as the step `by` answered it.
    Answered {
        value: Value,
        by: String,
    },
    /// A value of this JSON type.
    Type {
        #[serde(rename = "type")]
        json_type: JsonType,
    },
    Present,
    Absent,
    /// A body (of this JSON type).
    Body {
        #[serde(rename = "type")]
        json_type: JsonType,
    },
    NoBody,
    /// A body of this many bytes.
    Bytes {
        count: u64,
    },
    /// A body that parses as JSON.
    Json,
    /// A body that does not parse: the parser's error and the body's first characters.
    InvalidJson {
        error: String,
        start: String,
    },
    /// This media type (`application/json`).
    MediaType {
        media_type: String,
    },
    /// A response within this many milliseconds.
    AtMostMs {
        ms: u64,
    },
    /// A response that took this many milliseconds.
    TookMs {
        ms: u64,
    },
    /// One of these documented values.
    OneOf {
        values: Vec<String>,
    },
    /// No property that the example does not show.
    NoSuchProperty,
    /// Only the properties the resource type documents.
    PropertiesOf {
        #[serde(rename = "type")]
        type_name: String,
    },
    /// A collection with a `value` array.
    ValueArray,
    /// An empty collection.
    EmptyCollection,
    /// This many items (as the step `by` sent them).
    Items {
        count: u64,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        by: Option<String>,
    },
    /// An item whose `key` is `value` (as the step `by` sent or answered it).
    ItemWith {
        key: String,
        value: Value,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        by: Option<String>,
    },
    /// No item whose `key` is `value`.
    NoItemWith {
        key: String,
        value: Value,
    },
    /// These items' values of `key`, none of them the one looked for.
    Keys {
        key: String,
        values: Vec<Value>,
    },
    /// An item the step `by` answered, found by its `key`.
    ItemAnsweredBy {
        key: String,
        by: String,
    },
    /// The step `by` answered nothing at `key`.
    NoneAnswered {
        key: String,
        by: String,
    },
    /// The key of what the step `by` created.
    CreatedKey {
        by: String,
    },
    /// An answer of this status class (`2` for a `2xx`).
    StatusClass {
        class: u16,
    },
    /// No answer of this status class (`5` for a `5xx`).
    NotStatusClass {
        class: u16,
    },
    /// An error answer with this status and the error envelope.
    ErrorAnswer {
        status: u16,
    },
    /// A recorded snapshot in this set.
    Snapshot {
        set: String,
    },
    /// None yet; this response was recorded to `file` for review.
    Recorded {
        file: String,
    },
    /// The snapshot's text; a different text.
    SnapshotText,
    /// This many more differences than listed (the diff shows them all).
    More {
        count: u64,
    },
    /// The snapshot could not be read, for this reason.
    Unreadable {
        error: String,
    },
    /// Hidden: the member holds a secret.
    Redacted,
    /// Words a format-1 report held (before findings were data).
    Text {
        text: String,
    },
}

impl Finding {
    pub fn value(value: impl Into<Value>) -> Self {
        Finding::Value { value: value.into() }
    }

    pub fn of_type(json_type: JsonType) -> Self {
        Finding::Type { json_type }
    }

    /// The finding as it may be shown for a secret member: a value only by its JSON type
    /// (`an integer` says what went wrong and nothing of the secret), a value the request
    /// sent or the case pins not at all, a finding without a value as it is.
    pub fn secret(&self) -> Finding {
        match self {
            Finding::Value { value } => Finding::of_type(JsonType::of(value)),
            Finding::Sent { .. }
            | Finding::Pinned { .. }
            | Finding::Read { .. }
            | Finding::Answered { .. }
            | Finding::ItemWith { .. }
            | Finding::NoItemWith { .. }
            | Finding::Keys { .. }
            | Finding::InvalidJson { .. }
            | Finding::Text { .. } => Finding::Redacted,
            other => other.clone(),
        }
    }

    /// Applies `text` to every text it holds and `json` to every JSON value: how the redactor
    /// removes secrets from a finding.
    pub fn rewrite(&mut self, text: impl Fn(&mut String), json: impl Fn(&mut Value)) {
        match self {
            Finding::Value { value }
            | Finding::Sent { value, .. }
            | Finding::Pinned { value }
            | Finding::Read { value, .. }
            | Finding::Answered { value, .. }
            | Finding::ItemWith { value, .. }
            | Finding::NoItemWith { value, .. } => json(value),
            Finding::Keys { values, .. } => values.iter_mut().for_each(json),
            Finding::OneOf { values } => values.iter_mut().for_each(text),
            Finding::InvalidJson { error, start } => {
                text(error);
                text(start);
            }
            Finding::MediaType { media_type: t }
            | Finding::Unreadable { error: t }
            | Finding::Text { text: t } => text(t),
            _ => {}
        }
    }
}

/// One way the response broke the contract.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deviation {
    pub code: Code,
    /// Where: a JSON pointer into the body (`/keys/0/kty`), `status`, `header:<name>`,
    /// `time`, `body` or `snapshot`.
    pub path: String,
    /// What the contract says.
    pub expected: Finding,
    /// What the target did.
    pub actual: Finding,
}

/// The path of a deviation about the whole body: the JSON pointer of the document is empty,
/// and a report's path never is.
pub const BODY_PATH: &str = "body";

impl Deviation {
    /// A deviation at `path`; an empty path (the JSON pointer of the whole body) is written
    /// [`BODY_PATH`].
    pub fn new(code: Code, path: impl Into<String>, expected: Finding, actual: Finding) -> Self {
        let mut path = path.into();
        if path.is_empty() {
            path = BODY_PATH.to_string();
        }
        Deviation { code, path, expected, actual }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_deviation_about_the_whole_body_has_a_path() {
        let d = Deviation::new(Code::TypeMismatch, "", Finding::Present, Finding::Absent);
        assert_eq!(d.path, "body");
        let d = Deviation::new(Code::TypeMismatch, "/a", Finding::Present, Finding::Absent);
        assert_eq!(d.path, "/a");
    }

    #[test]
    fn findings_are_data_tagged_by_kind() {
        let type_of = Finding::of_type(JsonType::Integer);
        assert_eq!(
            serde_json::to_value(&type_of).unwrap(),
            serde_json::json!({"kind": "type", "type": "integer"})
        );
        let sent = Finding::Sent { value: serde_json::json!(1), by: None };
        assert_eq!(
            serde_json::to_value(&sent).unwrap(),
            serde_json::json!({"kind": "sent", "value": 1})
        );
        for f in [type_of, sent, Finding::Absent, Finding::AtMostMs { ms: 5 }] {
            let back: Finding = serde_json::from_value(serde_json::to_value(&f).unwrap()).unwrap();
            assert_eq!(back, f);
        }
    }

    #[test]
    fn rewriting_a_finding_reaches_its_values_and_texts() {
        let mut f =
            Finding::ItemWith { key: "kid".into(), value: serde_json::json!("s3cret"), by: None };
        f.rewrite(|t| *t = t.replace("s3cret", "x"), |v| *v = serde_json::json!("x"));
        assert_eq!(
            f,
            Finding::ItemWith { key: "kid".into(), value: serde_json::json!("x"), by: None }
        );
        let mut f = Finding::InvalidJson { error: "s3cret".into(), start: "s3cret".into() };
        f.rewrite(|t| *t = t.replace("s3cret", "x"), |_| {});
        assert_eq!(f, Finding::InvalidJson { error: "x".into(), start: "x".into() });
    }

    #[test]
    fn codes_serialise_as_their_names() {
        for code in Code::ALL {
            assert_eq!(
                serde_json::to_value(code).unwrap(),
                serde_json::Value::String(code.as_str().into())
            );
        }
    }
}
