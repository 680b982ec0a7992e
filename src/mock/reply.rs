//! A successful answer of a documented operation, before it becomes HTTP.
//!
//! Handlers return a [`Reply`] rather than a finished response so that one place, the
//! response middleware, adds Graph's headers and applies the configured deviations with
//! full knowledge of which operation answered and what shape its body has.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::Value;

/// The documented operations of the keySets API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Operation {
    ListKeySets,
    /// `GET /trustFramework/keySets/$count`.
    CountKeySets,
    CreateKeySet,
    GetKeySet,
    /// `PUT /trustFramework/keySets/{id}`, the current update page.
    ReplaceKeySet,
    /// `PATCH /trustFramework/keySets/{id}`, the older update page.
    UpdateKeySet,
    DeleteKeySet,
    GenerateKey,
    UploadSecret,
    UploadCertificate,
    UploadPkcs12,
    GetActiveKey,
    /// `GET .../keys_v2`, the navigation collection.
    ListKeys,
    /// `GET .../keys_v2/$count`.
    CountKeys,
    /// `GET .../keys_v2/{keyId}`.
    GetKey,
    /// `PATCH .../keys_v2/{keyId}`.
    UpdateKeyStatus,
}

impl Operation {
    /// Operations a harness uses to set up and tear down fixtures: creating the key set and
    /// capturing its `id`, adding a key and capturing its `kid`, deleting the key set.
    pub fn is_fixture(self) -> bool {
        matches!(
            self,
            Operation::CreateKeySet
                | Operation::GenerateKey
                | Operation::UploadSecret
                | Operation::UploadCertificate
                | Operation::UploadPkcs12
                | Operation::DeleteKeySet
        )
    }

    /// The shape of this operation's body, if it has one.
    pub fn shape(self) -> Option<Shape> {
        match self {
            Operation::ListKeySets => Some(Shape::Collection),
            Operation::CreateKeySet
            | Operation::GetKeySet
            | Operation::ReplaceKeySet
            | Operation::UpdateKeySet => Some(Shape::KeySet),
            Operation::GenerateKey
            | Operation::UploadSecret
            | Operation::UploadCertificate
            | Operation::UploadPkcs12
            | Operation::GetActiveKey => Some(Shape::Key),
            Operation::GetKey => Some(Shape::KeyV2),
            Operation::ListKeys => Some(Shape::KeyCollection),
            Operation::DeleteKeySet
            | Operation::UpdateKeyStatus
            | Operation::CountKeySets
            | Operation::CountKeys => None,
        }
    }
}

/// What a successful body holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// `{"@odata.context", "value": [key set, …]}`.
    Collection,
    /// A `trustFrameworkKeySet`.
    KeySet,
    /// A `trustFrameworkKey`.
    Key,
    /// A `trustFrameworkKey_v2`, which adds `status`.
    KeyV2,
    /// `{"@odata.context", "value": [trustFrameworkKey_v2, …]}`.
    KeyCollection,
}

/// A successful answer: status, optional JSON body (or, for `$count`, a plain-text one)
/// and optional `Location`.
#[derive(Debug, Clone)]
pub struct Reply {
    pub operation: Operation,
    pub status: StatusCode,
    pub body: Option<Value>,
    pub text: Option<String>,
    pub location: Option<String>,
}

impl Reply {
    /// `200 OK` with a body.
    pub fn ok(operation: Operation, body: Value) -> Self {
        Self { operation, status: StatusCode::OK, body: Some(body), text: None, location: None }
    }

    /// `200 OK` with a `text/plain` body, as a `$count` segment answers.
    pub fn text(operation: Operation, text: String) -> Self {
        Self { operation, status: StatusCode::OK, body: None, text: Some(text), location: None }
    }

    /// `201 Created` with a body and the new resource's address.
    pub fn created(operation: Operation, body: Value, location: String) -> Self {
        Self {
            operation,
            status: StatusCode::CREATED,
            body: Some(body),
            text: None,
            location: Some(location),
        }
    }

    /// `204 No Content`.
    pub fn no_content(operation: Operation) -> Self {
        Self { operation, status: StatusCode::NO_CONTENT, body: None, text: None, location: None }
    }
}

impl IntoResponse for Reply {
    /// Parks the reply in the response's extensions; the response middleware renders it.
    fn into_response(self) -> Response {
        let mut response = self.status.into_response();
        response.extensions_mut().insert(self);
        response
    }
}
