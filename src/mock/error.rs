//! Graph's error answers. Every failure the mock reports, whether found by a handler, an
//! extractor or the router itself, becomes a [`GraphError`] and leaves the server in Graph's
//! envelope: `{"error": {"code", "message", "innerError": {"date", "request-id",
//! "client-request-id"}}}`.
//!
//! Messages name the offending property but never repeat the value of a private key
//! member, so they are safe to log.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// An error with its HTTP status, a stable Graph-style code and a human message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GraphError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
}

impl GraphError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self { status, code, message: message.into() }
    }

    /// `400 BadRequest`: the request is malformed or fails validation.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "BadRequest", message)
    }

    /// `401 InvalidAuthenticationToken`: no usable bearer token.
    pub fn unauthorized() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "InvalidAuthenticationToken",
            "Access token is empty: send Authorization: Bearer <token>",
        )
    }

    /// `404 ResourceNotFound`: no such key set, key, or route.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "ResourceNotFound", message)
    }

    /// `404 NoActiveKey`: the key set exists but none of its keys is active now.
    pub fn no_active_key(id: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "NoActiveKey",
            format!("key set '{id}' has no enabled key with nbf <= now < exp"),
        )
    }

    /// `409 Conflict`: the id (or kid) is taken.
    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, "Conflict", message)
    }

    /// `507 quotaLimitReached` (the code Graph uses for a full drive): storing what the
    /// request sends would go beyond one of the mock's memory bounds.
    pub fn insufficient_storage(message: impl Into<String>) -> Self {
        Self::new(StatusCode::INSUFFICIENT_STORAGE, "quotaLimitReached", message)
    }

    /// `408 RequestTimeout`: the request body did not arrive in time.
    pub fn request_timeout(message: impl Into<String>) -> Self {
        Self::new(StatusCode::REQUEST_TIMEOUT, "RequestTimeout", message)
    }

    /// `431 RequestHeaderFieldsTooLarge`: more header fields than the mock accepts.
    pub fn too_many_headers(count: usize, limit: usize) -> Self {
        Self::new(
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            "RequestHeaderFieldsTooLarge",
            format!(
                "the request has {count} header fields; the mock accepts at most {limit} (--max-headers)"
            ),
        )
    }

    /// `413 RequestEntityTooLarge`.
    pub fn payload_too_large(limit: usize) -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "RequestEntityTooLarge",
            format!("the request body is larger than the limit of {limit} bytes"),
        )
    }

    /// `415 UnsupportedMediaType`.
    pub fn unsupported_media_type(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNSUPPORTED_MEDIA_TYPE, "UnsupportedMediaType", message)
    }

    /// `500 generalException`, Graph's code for a failure on its side.
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "generalException", message)
    }

    /// An error for a response that left a layer below the handlers without one: the
    /// router's `405`, an extractor's rejection, a caught panic. `detail` is the text body
    /// that layer wrote, if any.
    pub fn from_status(status: StatusCode, detail: &str) -> Self {
        let detail = detail.trim();
        let code = match status {
            StatusCode::BAD_REQUEST => "BadRequest",
            StatusCode::UNAUTHORIZED => "InvalidAuthenticationToken",
            StatusCode::NOT_FOUND => "ResourceNotFound",
            StatusCode::METHOD_NOT_ALLOWED => "MethodNotAllowed",
            StatusCode::PAYLOAD_TOO_LARGE => "RequestEntityTooLarge",
            StatusCode::UNSUPPORTED_MEDIA_TYPE => "UnsupportedMediaType",
            StatusCode::REQUEST_TIMEOUT => "RequestTimeout",
            StatusCode::URI_TOO_LONG => "RequestUriTooLong",
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE => "RequestHeaderFieldsTooLarge",
            StatusCode::INSUFFICIENT_STORAGE => "quotaLimitReached",
            s if s.is_server_error() => "generalException",
            _ => "BadRequest",
        };
        let message = if detail.is_empty() {
            match status {
                StatusCode::METHOD_NOT_ALLOWED => {
                    "this method is not supported on this resource; see the Allow header".into()
                }
                _ => status.canonical_reason().unwrap_or("request failed").to_owned(),
            }
        } else {
            detail.to_owned()
        };
        Self::new(status, code, message)
    }

    /// The envelope body, with the request's identifiers and the time it was answered.
    pub fn envelope(&self, date: &str, request_id: &str, client_request_id: &str) -> Value {
        json!({
            "error": {
                "code": self.code,
                "message": self.message,
                "innerError": {
                    "date": date,
                    "request-id": request_id,
                    "client-request-id": client_request_id,
                }
            }
        })
    }
}

impl IntoResponse for GraphError {
    /// Parks the error in the response's extensions; the response middleware renders the
    /// envelope, because only it knows the request identifiers.
    fn into_response(self) -> Response {
        let mut response = self.status.into_response();
        response.extensions_mut().insert(self);
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelope_has_graph_shape() {
        let body = GraphError::bad_request("bad").envelope("2024-01-01T00:00:00", "r", "c");
        assert_eq!(body["error"]["code"], "BadRequest");
        assert_eq!(body["error"]["message"], "bad");
        assert_eq!(body["error"]["innerError"]["request-id"], "r");
        assert_eq!(body["error"]["innerError"]["client-request-id"], "c");
        assert_eq!(body["error"]["innerError"]["date"], "2024-01-01T00:00:00");
    }

    #[test]
    fn a_bare_405_gets_a_helpful_message() {
        let error = GraphError::from_status(StatusCode::METHOD_NOT_ALLOWED, "");
        assert_eq!(error.code, "MethodNotAllowed");
        assert!(error.message.contains("Allow"));
        let error = GraphError::from_status(StatusCode::BAD_REQUEST, "Invalid URL\n");
        assert_eq!(error.message, "Invalid URL");
    }
}
