//! Graph's URL conventions, applied before routing so the router sees one canonical form:
//!
//! - the version segment is optional: `/beta/…`, `/v1.0/…` and `/…` are the same resource;
//! - an entity can be addressed with OData key syntax, `keySets('B2C_1A_x')` (quotes
//!   literal or percent-encoded), as well as with a path segment, `keySets/B2C_1A_x`;
//! - the names in a path (`trustFramework`, `keySets`, `generateKey`, …) ignore letter
//!   case, as Graph's do;
//! - a bound function may be called with empty parentheses, `getActiveKey()`, and a bound
//!   action or function may be qualified with its namespace, `microsoft.graph.generateKey`,
//!   the forms OData allows and the Graph SDKs (kiota) send;
//! - the `$count` segment may arrive percent-encoded (`%24count`).
//!
//! The version is remembered in the request so answers can point back at the same root.

use std::convert::Infallible;

use axum::extract::{FromRequestParts, Request};
use axum::http::header::HOST;
use axum::http::request::Parts;
use axum::http::uri::PathAndQuery;
use axum::http::{Uri, uri};

/// The version segment a request came in under: `/beta`, `/v1.0`, or empty.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ApiVersion(pub &'static str);

const VERSIONS: [&str; 2] = ["/beta", "/v1.0"];

/// The names that appear in the API's paths, in their documented spelling.
const NAMES: [&str; 9] = [
    "$count",
    "trustFramework",
    "keySets",
    "generateKey",
    "uploadSecret",
    "uploadCertificate",
    "uploadPkcs12",
    "getActiveKey",
    "keys_v2",
];

/// The bound actions and functions, which may be namespace-qualified.
const OPERATIONS: [&str; 5] =
    ["generateKey", "uploadSecret", "uploadCertificate", "uploadPkcs12", "getActiveKey"];

/// The namespace of every Graph type and bound operation.
const NAMESPACE: &str = "microsoft.graph.";

/// Rewrites a request's path to the canonical form the router knows and records its
/// [`ApiVersion`].
pub fn normalize(mut request: Request) -> Request {
    let path = request.uri().path();
    let (version, rest) = split_version(path);
    let canonical = canonical_path(rest);
    if !version.is_empty() || canonical.is_some() {
        let new_path = canonical.unwrap_or_else(|| rest.to_owned());
        if let Some(uri) = with_path(request.uri(), &new_path) {
            *request.uri_mut() = uri;
        }
    }
    request.extensions_mut().insert(ApiVersion(version));
    request
}

/// Splits off a leading version segment, ignoring letter case.
fn split_version(path: &str) -> (&'static str, &str) {
    for version in VERSIONS {
        let Some(head) = path.get(..version.len()) else { continue };
        let rest = &path[version.len()..];
        if head.eq_ignore_ascii_case(version) && (rest.is_empty() || rest.starts_with('/')) {
            return (version, if rest.is_empty() { "/" } else { rest });
        }
    }
    ("", path)
}

/// The canonical spelling of `path`, or `None` when it already is canonical.
fn canonical_path(path: &str) -> Option<String> {
    let needs_work = path.contains('(')
        || path.contains("//")
        || (path.len() > 1 && path.ends_with('/'))
        || path.split('/').any(|segment| canonical_name(segment) != segment);
    // A function call's `()` is also caught by the `(` test above.
    if !needs_work {
        return None;
    }
    let mut out = String::with_capacity(path.len());
    for segment in path.split('/').filter(|s| !s.is_empty()) {
        // `getActiveKey()`: a call without parameters is the function itself.
        // Only operations are called; `keySets()` stays unknown.
        let segment = match segment.strip_suffix("()") {
            Some(name) if OPERATIONS.contains(&canonical_name(name)) || has_namespace(name) => name,
            _ => segment,
        };
        match key_syntax(segment) {
            Some((name, key)) => {
                out.push('/');
                out.push_str(canonical_name(name));
                out.push('/');
                out.push_str(key);
            }
            None => {
                out.push('/');
                out.push_str(canonical_name(segment));
            }
        }
    }
    if out.is_empty() {
        out.push('/');
    }
    Some(out)
}

/// Splits `name('key')` (or `name(%27key%27)`, or `name(key)`) into name and key.
fn key_syntax(segment: &str) -> Option<(&str, &str)> {
    let inner_start = segment.find('(')?;
    let inner = segment.strip_suffix(')')?.get(inner_start + 1..)?;
    let key = ["'", "%27"]
        .iter()
        .find_map(|quote| inner.strip_prefix(quote).and_then(|k| k.strip_suffix(quote)))
        .unwrap_or(inner);
    (!key.is_empty() && inner_start > 0).then(|| (&segment[..inner_start], key))
}

fn canonical_name(segment: &str) -> &str {
    if segment.eq_ignore_ascii_case("%24count") {
        return "$count";
    }
    if has_namespace(segment) {
        let name = &segment[NAMESPACE.len()..];
        let name = name.strip_suffix("()").unwrap_or(name);
        if let Some(operation) = OPERATIONS.iter().find(|op| op.eq_ignore_ascii_case(name)) {
            return operation;
        }
    }
    NAMES.iter().find(|name| name.eq_ignore_ascii_case(segment)).copied().unwrap_or(segment)
}

fn has_namespace(segment: &str) -> bool {
    segment.get(..NAMESPACE.len()).is_some_and(|head| head.eq_ignore_ascii_case(NAMESPACE))
}

fn with_path(original: &Uri, path: &str) -> Option<Uri> {
    let path_and_query = match original.query() {
        Some(query) => format!("{path}?{query}"),
        None => path.to_owned(),
    };
    let mut parts = uri::Parts::from(original.clone());
    parts.path_and_query = Some(PathAndQuery::try_from(path_and_query).ok()?);
    Uri::from_parts(parts).ok()
}

/// The root URL answers point back at: `http://host[/beta|/v1.0]`, used for `Location`
/// and `@odata.context`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceRoot(pub String);

impl<S: Send + Sync> FromRequestParts<S> for ServiceRoot {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let host = parts
            .headers
            .get(HOST)
            .and_then(|h| h.to_str().ok())
            .or_else(|| parts.uri.authority().map(|a| a.as_str()))
            .unwrap_or("localhost");
        let version = parts.extensions.get::<ApiVersion>().map_or("", |v| v.0);
        Ok(ServiceRoot(format!("http://{host}{version}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rewrite(path: &str) -> (String, &'static str) {
        let request = Request::builder().uri(path).body(axum::body::Body::empty()).unwrap();
        let request = normalize(request);
        let version = request.extensions().get::<ApiVersion>().unwrap().0;
        (request.uri().to_string(), version)
    }

    #[test]
    fn versions_are_stripped_and_remembered() {
        assert_eq!(
            rewrite("/beta/trustFramework/keySets"),
            ("/trustFramework/keySets".into(), "/beta")
        );
        assert_eq!(
            rewrite("/v1.0/trustFramework/keySets?$top=1"),
            ("/trustFramework/keySets?$top=1".into(), "/v1.0")
        );
        assert_eq!(rewrite("/trustFramework/keySets"), ("/trustFramework/keySets".into(), ""));
        assert_eq!(rewrite("/betamax/x"), ("/betamax/x".into(), ""));
        assert_eq!(rewrite("/beta"), ("/".into(), "/beta"));
    }

    #[test]
    fn key_syntax_becomes_a_segment() {
        assert_eq!(
            rewrite("/beta/trustFramework/keySets('B2C_1A_x')").0,
            "/trustFramework/keySets/B2C_1A_x"
        );
        assert_eq!(
            rewrite("/trustFramework/keySets(%27B2C_1A_x%27)/keys_v2('kid')").0,
            "/trustFramework/keySets/B2C_1A_x/keys_v2/kid"
        );
        assert_eq!(rewrite("/trustFramework/keySets()").0, "/trustFramework/keySets()");
    }

    #[test]
    fn function_calls_and_namespaces_name_the_operation() {
        let set = "/trustFramework/keySets/B2C_1A_x";
        for (sent, canonical) in [
            ("getActiveKey()", "getActiveKey"),
            ("microsoft.graph.getActiveKey()", "getActiveKey"),
            ("Microsoft.Graph.getactivekey", "getActiveKey"),
            ("microsoft.graph.generateKey", "generateKey"),
            ("microsoft.graph.uploadPkcs12", "uploadPkcs12"),
            ("microsoft.graph.keys_v2", "microsoft.graph.keys_v2"),
            ("microsoft.graph.rotate()", "microsoft.graph.rotate"),
        ] {
            assert_eq!(rewrite(&format!("/beta{set}/{sent}")).0, format!("{set}/{canonical}"));
        }
        assert_eq!(
            rewrite("/beta/trustFramework/keySets('B2C_1A_x')/getActiveKey()").0,
            "/trustFramework/keySets/B2C_1A_x/getActiveKey"
        );
        assert_eq!(rewrite("/trustFramework/keySets/%24count").0, "/trustFramework/keySets/$count");
        assert_eq!(rewrite("/trustFramework/keySets/$COUNT").0, "/trustFramework/keySets/$count");
        // An id with a dot is an id, not a namespace.
        assert_eq!(
            rewrite("/trustFramework/keySets/B2C_1A_a.b").0,
            "/trustFramework/keySets/B2C_1A_a.b"
        );
    }

    #[test]
    fn names_ignore_case_and_trailing_slashes_go() {
        assert_eq!(
            rewrite("/BETA/trustframework/KEYSETS/B2C_1A_x/generatekey/").0,
            "/trustFramework/keySets/B2C_1A_x/generateKey"
        );
    }
}
