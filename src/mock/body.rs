//! The request body of the operations that take one: a JSON object, sent as
//! `application/json`, no larger than the configured limit.
//!
//! Every way a body can be wrong maps to the status a client expects — `415` for another
//! media type, `413` for a body over the limit, `408` for a body that does not arrive in
//! time, `400` for an empty body, malformed JSON or JSON that is not an object — each in
//! Graph's error envelope.

use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use serde_json::{Map, Value};

use super::GraphError;
use super::fields::json_type;

/// The JSON object a client sent.
#[derive(Debug, Clone, PartialEq)]
pub struct JsonBody(pub Map<String, Value>);

/// The body limit in force, put in the request extensions by the router so that the `413`
/// message can say what it is.
#[derive(Debug, Clone, Copy)]
pub struct BodyLimit(pub usize);

/// How long the body may take to arrive, put in the request extensions by the router.
#[derive(Debug, Clone, Copy)]
pub struct BodyTimeout(pub Duration);

impl<S: Send + Sync> FromRequest<S> for JsonBody {
    type Rejection = GraphError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let content_type =
            request.headers().get(CONTENT_TYPE).map(|v| v.to_str().map(str::to_owned));
        if let Some(media_type) = &content_type {
            let media_type = media_type.as_deref().unwrap_or("?");
            if !is_json(media_type) {
                return Err(GraphError::unsupported_media_type(format!(
                    "Content-Type '{}' is not supported; send application/json",
                    media_type.chars().take(80).collect::<String>()
                )));
            }
        }
        let limit = request.extensions().get::<BodyLimit>().map_or(0, |l| l.0);
        let timeout = request.extensions().get::<BodyTimeout>().map_or(Duration::MAX, |t| t.0);
        let read = tokio::time::timeout(timeout, Bytes::from_request(request, state));
        let bytes = read
            .await
            .map_err(|_| {
                GraphError::request_timeout(format!(
                    "the request body did not arrive within {} ms",
                    timeout.as_millis()
                ))
            })?
            .map_err(|rejection| {
                if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    GraphError::payload_too_large(limit)
                } else {
                    GraphError::bad_request(format!(
                        "the request body could not be read: {rejection}"
                    ))
                }
            })?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Err(GraphError::bad_request(
                "the request body is empty; this operation needs a JSON object",
            ));
        }
        if content_type.is_none() {
            return Err(GraphError::unsupported_media_type(
                "the request has a body but no Content-Type; send Content-Type: application/json",
            ));
        }
        match serde_json::from_slice::<Value>(&bytes) {
            Ok(Value::Object(map)) => Ok(JsonBody(map)),
            Ok(other) => Err(GraphError::bad_request(format!(
                "the request body must be a JSON object, not {}",
                json_type(&other)
            ))),
            // serde_json's syntax errors give a position, never the input text.
            Err(error) => {
                Err(GraphError::bad_request(format!("the request body is not valid JSON: {error}")))
            }
        }
    }
}

/// Whether a Content-Type names JSON: `application/json` or a `+json` type, parameters and
/// letter case ignored.
fn is_json(content_type: &str) -> bool {
    let essence = content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_media_types_are_recognised() {
        assert!(is_json("application/json"));
        assert!(is_json("Application/JSON; charset=utf-8"));
        assert!(is_json("application/json;odata.metadata=minimal"));
        assert!(is_json("application/merge-patch+json"));
        assert!(!is_json("text/plain"));
        assert!(!is_json("application/x-www-form-urlencoded"));
        assert!(!is_json(""));
    }
}
