//! Deviations: the ways a response can differ from its contract, each with a stable code that
//! reports, baselines and known-deviation files refer to. The codes are a documented contract:
//! a code is never renamed or reused for something else.

use std::fmt;

use serde::{Deserialize, Serialize};

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
    /// Behaviour: a member the resource page says cannot be read back (a secret such as a
    /// key's `k`) was sent and is shown on a read.
    UnreadableReturned,
    /// Behaviour: a list's `@odata.nextLink` leads back to a page already read.
    NextLinkLoop,
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
        Code::UnreadableReturned,
        Code::NextLinkLoop,
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
            Code::UnreadableReturned => "unreadable-returned",
            Code::NextLinkLoop => "next-link-loop",
        }
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One way the response broke the contract.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deviation {
    pub code: Code,
    /// Where: a JSON pointer into the body (`/keys/0/kty`), `status`, or `header:<name>`.
    pub path: String,
    /// What the contract says, in words or as JSON text.
    pub expected: String,
    /// What the target did.
    pub actual: String,
}

impl Deviation {
    pub fn new(
        code: Code,
        path: impl Into<String>,
        expected: impl Into<String>,
        actual: impl Into<String>,
    ) -> Self {
        Deviation { code, path: path.into(), expected: expected.into(), actual: actual.into() }
    }
}

impl fmt::Display for Deviation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} at {}: expected {}, actual {}",
            self.code, self.path, self.expected, self.actual
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
