//! The response middleware: the one place where an answer becomes Graph-shaped HTTP.
//!
//! For every request it checks the bearer token, then turns whatever came back into the
//! final response: a [`Reply`] is serialised (with the configured deviations applied), a
//! [`GraphError`] or any bare error status from the layers below is wrapped in Graph's
//! envelope, and every response gets `request-id`, `client-request-id` and `Date`, and is
//! held back for the configured latency.

use std::time::SystemTime;

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::header::{
    AUTHORIZATION, CONNECTION, CONTENT_TYPE, DATE, LOCATION, WWW_AUTHENTICATE,
};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use time::OffsetDateTime;
use uuid::Uuid;

use super::reply::Reply;
use super::{AppState, Deviation, GraphError, MockConfig};

/// The media type Graph labels its JSON answers with.
pub const GRAPH_JSON: &str = "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8";

/// The media type of error envelopes, as Graph sends them.
const ERROR_JSON: &str = "application/json";

/// The media type of a `$count` answer, as Graph sends it.
const PLAIN_TEXT: &str = "text/plain";

/// What [`Deviation::ContentType`] labels JSON bodies with.
const WRONG_CONTENT_TYPE: &str = "text/plain; charset=utf-8";

static REQUEST_ID: HeaderName = HeaderName::from_static("request-id");
static CLIENT_REQUEST_ID: HeaderName = HeaderName::from_static("client-request-id");
static ODATA_VERSION: HeaderName = HeaderName::from_static("odata-version");

/// How much of a bare error body from a lower layer is kept as the message.
const DETAIL_LIMIT: usize = 4096;

/// The identifiers of one exchange, for headers and error envelopes.
struct Ids {
    request: HeaderValue,
    client: HeaderValue,
}

/// The middleware itself; see the module documentation.
pub async fn graph_response(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let request_id =
        HeaderValue::try_from(Uuid::new_v4().to_string()).unwrap_or(HeaderValue::from_static("0"));
    // Graph echoes the client's id; without one, the request id stands in for it.
    let client =
        request.headers().get(&CLIENT_REQUEST_ID).cloned().unwrap_or_else(|| request_id.clone());
    let ids = Ids { request: request_id, client };
    let config = &state.config;

    let header_count = request.headers().len();
    let response = if header_count > config.max_headers {
        GraphError::too_many_headers(header_count, config.max_headers).into_response()
    } else if config.auth && !has_bearer_token(request.headers()) {
        GraphError::unauthorized().into_response()
    } else {
        next.run(request).await
    };
    let mut response = finish(response, config, &ids).await;

    let headers = response.headers_mut();
    headers.insert(REQUEST_ID.clone(), ids.request);
    headers.insert(CLIENT_REQUEST_ID.clone(), ids.client);
    if let Ok(date) = HeaderValue::try_from(httpdate::fmt_http_date(SystemTime::now())) {
        headers.insert(DATE, date);
    }
    if !config.latency.is_zero() {
        tokio::time::sleep(config.latency).await;
    }
    response
}

/// `Authorization: Bearer <token>` with a non-empty token; the scheme ignores case.
fn has_bearer_token(headers: &HeaderMap) -> bool {
    headers
        .get(AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.trim().split_once(' '))
        .is_some_and(|(scheme, token)| {
            scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty()
        })
}

async fn finish(mut response: Response, config: &MockConfig, ids: &Ids) -> Response {
    if let Some(reply) = response.extensions_mut().remove::<Reply>() {
        return render_reply(reply, config, ids).await;
    }
    if let Some(error) = response.extensions_mut().remove::<GraphError>() {
        let (parts, _) = response.into_parts();
        return render_error(&error, parts.headers, ids);
    }
    let status = response.status();
    if status.is_client_error() || status.is_server_error() {
        // A layer below the handlers answered on its own (the router's 405, an extractor's
        // rejection, a caught panic): keep its headers (Allow) and its text as the message.
        let (parts, body) = response.into_parts();
        let detail = to_bytes(body, DETAIL_LIMIT).await.unwrap_or_default();
        let error = GraphError::from_status(status, &String::from_utf8_lossy(&detail));
        return render_error(&error, parts.headers, ids);
    }
    response
}

fn render_error(error: &GraphError, mut headers: HeaderMap, ids: &Ids) -> Response {
    let date = inner_error_date(OffsetDateTime::now_utc());
    let envelope = error.envelope(
        &date,
        ids.request.to_str().unwrap_or_default(),
        ids.client.to_str().unwrap_or_default(),
    );
    headers.remove(axum::http::header::CONTENT_LENGTH);
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(ERROR_JSON));
    if error.status == StatusCode::UNAUTHORIZED {
        headers.insert(WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    }
    if error.status == StatusCode::REQUEST_TIMEOUT {
        // The rest of the body may still come; the connection cannot be reused.
        headers.insert(CONNECTION, HeaderValue::from_static("close"));
    }
    let mut response = Response::new(Body::from(envelope.to_string()));
    *response.status_mut() = error.status;
    *response.headers_mut() = headers;
    response
}

/// The whole HTTP/1.1 answer to a request that hyper refused before the mock saw it (a
/// malformed request line, a head too large): the same status, with `request-id` and the
/// envelope like every other answer, and `Connection: close`, since hyper closes it.
pub fn protocol_rejection(status: StatusCode) -> Vec<u8> {
    let detail = match status {
        StatusCode::BAD_REQUEST => "the request line or a header field could not be parsed",
        StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE => "the request head is too large",
        StatusCode::URI_TOO_LONG => "the request URL is too long",
        StatusCode::HTTP_VERSION_NOT_SUPPORTED => "only HTTP/1.0 and HTTP/1.1 are served",
        _ => "the request could not be read",
    };
    let error = GraphError::from_status(status, detail);
    let id = Uuid::new_v4().to_string();
    let date = inner_error_date(OffsetDateTime::now_utc());
    let body = error.envelope(&date, &id, &id).to_string();
    let reason = status.canonical_reason().unwrap_or("Error");
    format!(
        "HTTP/1.1 {} {reason}\r\ncontent-type: {ERROR_JSON}\r\ncontent-length: {}\r\n{}: {id}\r\n{}: {id}\r\ndate: {}\r\nconnection: close\r\n\r\n{body}",
        status.as_u16(),
        body.len(),
        REQUEST_ID.as_str(),
        CLIENT_REQUEST_ID.as_str(),
        httpdate::fmt_http_date(SystemTime::now()),
    )
    .into_bytes()
}

/// Graph's `innerError.date`: UTC, to the second, without a zone designator.
fn inner_error_date(now: OffsetDateTime) -> String {
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
        now.year(),
        u8::from(now.month()),
        now.day(),
        now.hour(),
        now.minute(),
        now.second()
    )
}

async fn render_reply(reply: Reply, config: &MockConfig, ids: &Ids) -> Response {
    let active =
        |deviation: Deviation| config.deviates(deviation) && deviation.applies_to(reply.operation);

    if active(Deviation::Slow) {
        tokio::time::sleep(config.slow_delay).await;
    }
    if active(Deviation::ServerError) {
        let error =
            GraphError::internal("the mock was told to fail this request (deviation server-error)");
        return render_error(&error, HeaderMap::new(), ids);
    }

    let status = if active(Deviation::Status) {
        match reply.status {
            StatusCode::OK => StatusCode::ACCEPTED,
            StatusCode::CREATED | StatusCode::NO_CONTENT => StatusCode::OK,
            other => other,
        }
    } else {
        reply.status
    };

    let mut response = match reply.body {
        None => match reply.text {
            None => Response::new(Body::empty()),
            Some(text) => {
                let mut response = Response::new(Body::from(text));
                response.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static(PLAIN_TEXT));
                response
            }
        },
        Some(mut body) => {
            if let Some(shape) = reply.operation.shape() {
                for &deviation in config.deviations.iter().filter(|&&d| active(d)) {
                    deviation.edit_body(shape, &mut body);
                }
            }
            // Serialising a `Value` cannot fail: its map keys are always strings.
            let mut bytes = serde_json::to_vec(&body).unwrap_or_default();
            if active(Deviation::InvalidJson) {
                bytes.truncate(bytes.len() / 2);
            }
            if active(Deviation::EmptyBody) {
                bytes.clear();
            }
            let media_type =
                if active(Deviation::ContentType) { WRONG_CONTENT_TYPE } else { GRAPH_JSON };
            let mut response = Response::new(Body::from(bytes));
            let headers = response.headers_mut();
            headers.insert(CONTENT_TYPE, HeaderValue::from_static(media_type));
            headers.insert(ODATA_VERSION.clone(), HeaderValue::from_static("4.0"));
            response
        }
    };
    *response.status_mut() = status;
    if let Some(location) = reply.location.and_then(|l| HeaderValue::try_from(l).ok()) {
        response.headers_mut().insert(LOCATION, location);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_tokens_are_recognised() {
        let with = |value: &str| {
            let mut headers = HeaderMap::new();
            headers.insert(AUTHORIZATION, HeaderValue::try_from(value).unwrap());
            has_bearer_token(&headers)
        };
        assert!(with("Bearer abc"));
        assert!(with("bearer abc"));
        assert!(!with("Bearer "));
        assert!(!with("Bearer"));
        assert!(!with("Basic abc"));
        assert!(!has_bearer_token(&HeaderMap::new()));
    }

    #[test]
    fn inner_error_dates_have_graph_form() {
        assert_eq!(
            inner_error_date(OffsetDateTime::from_unix_timestamp(1_709_622_489).unwrap()),
            "2024-03-05T07:08:09"
        );
    }
}
