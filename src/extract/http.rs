//! Reads the HTTP messages written in doc examples: a request line or status line, headers,
//! a blank line and a body. Doc authors bend the syntax (two spaces in a status line, no
//! blank line before the body, JSON with a stray comma); each bend is repaired and reported
//! at its line and column.

use serde_json::Value;

use crate::diag::{Diagnostic, Pos};

use super::json_repair;
use super::markdown::Line;

/// HTTP methods a doc example may use.
pub const METHODS: &[&str] = &["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];

/// The body of a documented message.
#[derive(Debug, Clone, PartialEq)]
pub enum Body {
    None,
    Json(Value),
    /// A body that is not JSON, or JSON beyond repair, kept verbatim.
    Text(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct HttpRequest {
    pub method: String,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Body,
    /// Line of the request line in the doc.
    pub line: u32,
    /// Column (in characters) where the URL starts on the request line, so that a defect
    /// inside the URL can be reported where it is rather than at the start of the line.
    pub url_col: u32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct HttpResponse {
    pub status: u16,
    pub reason: String,
    pub headers: Vec<(String, String)>,
    pub body: Body,
    /// Line of the status line in the doc (or of the first line, when it is missing).
    pub line: u32,
}

/// `GET https://...` or `GET /path`: the method and the target. The target is the rest of the
/// line up to an optional trailing `HTTP/x.y`, spaces included: doc authors write OData query
/// options as they read (`?$filter=membershipType eq 'private'`), and cutting at the first
/// space would send another request. The runner percent-encodes the URL when it sends it.
pub fn request_line(text: &str) -> Option<(&str, &str)> {
    let trimmed = text.trim();
    let (method, rest) = trimmed.split_once(|c: char| c.is_whitespace())?;
    let known = METHODS.iter().any(|m| m.eq_ignore_ascii_case(method));
    let target = strip_version(rest.trim_start()).0;
    (known
        && (target.starts_with('/')
            || target.starts_with("http://")
            || target.starts_with("https://")))
    .then_some((method, target))
}

/// Splits a trailing ` HTTP/x.y` off a request target: (target, the whitespace and version).
fn strip_version(rest: &str) -> (&str, &str) {
    let rest = rest.trim_end();
    if let Some((before, last)) = rest.rsplit_once(|c: char| c.is_whitespace()) {
        let b = last.as_bytes();
        if b.len() > 5 && b[..5].eq_ignore_ascii_case(b"HTTP/") && b[5].is_ascii_digit() {
            let target = before.trim_end();
            return (target, &rest[target.len()..]);
        }
    }
    (rest, "")
}

/// A status line: `HTTP/1.1 200 OK`, or `HTTP 201 Created` with the version left out.
pub fn is_status_line(text: &str) -> bool {
    // Compare bytes: slicing the str at 5 panics when byte 5 is inside a character (`HTTPé`).
    let t = text.trim_start().as_bytes();
    t.get(..5).is_some_and(|p| p.eq_ignore_ascii_case(b"HTTP/")) || versionless_status(t)
}

/// `HTTP 201 Created`: `HTTP`, blanks, then three digits (so that prose such as "HTTP request"
/// is not a status line).
fn versionless_status(t: &[u8]) -> bool {
    if !t.get(..4).is_some_and(|p| p.eq_ignore_ascii_case(b"HTTP")) {
        return false;
    }
    let rest = &t[4..];
    let digits_at = rest.iter().position(|b| !matches!(b, b' ' | b'\t'));
    match digits_at {
        Some(at) if at > 0 => {
            let d = &rest[at..];
            d.len() >= 3
                && d[..3].iter().all(u8::is_ascii_digit)
                && d.get(3).is_none_or(|b| !b.is_ascii_alphanumeric())
        }
        _ => false,
    }
}

fn first_content(lines: &[Line<'_>]) -> usize {
    lines.iter().position(|l| !l.text.trim().is_empty()).unwrap_or(lines.len())
}

/// Reads a request from the lines of a block. Returns `None` (with an error diagnostic) when
/// there is no request line to be found.
pub fn parse_request(
    path: &str,
    lines: &[Line<'_>],
    diags: &mut Vec<Diagnostic>,
) -> Option<HttpRequest> {
    let start = first_content(lines);
    let Some(first) = lines.get(start) else {
        let line = lines.first().map_or(1, |l| l.no);
        diags.push(Diagnostic::error(
            path,
            Pos::line(line),
            "empty-request",
            "request block is empty",
        ));
        return None;
    };
    let Some((method, url)) = request_line(first.text) else {
        diags.push(Diagnostic::error(
            path,
            Pos::line(first.no),
            "bad-request-line",
            format!(
                "expected `METHOD URL` as the first line of the request, found `{}`",
                first.text.trim()
            ),
        ));
        return None;
    };
    check_request_spacing(path, *first, method, url, diags);
    if method != method.to_ascii_uppercase() {
        diags.push(Diagnostic::warning(
            path,
            Pos::line(first.no),
            "method-case",
            format!(
                "method `{method}` is not upper case; read as `{}`",
                method.to_ascii_uppercase()
            ),
        ));
    }
    // `url` is a slice of `first.text`, so its offset is where the URL starts.
    let url_at = (url.as_ptr() as usize).saturating_sub(first.text.as_ptr() as usize);
    let url_at = if first.text.get(url_at..).is_some() { url_at } else { 0 };
    let url_col = first.text[..url_at].chars().count() as u32 + 1;
    let (headers, body) = headers_and_body(path, &lines[start + 1..], diags);
    Some(HttpRequest {
        method: method.to_ascii_uppercase(),
        url: url.to_string(),
        headers,
        body,
        line: first.no,
        url_col,
    })
}

/// Reads a response from the lines of a block.
pub fn parse_response(
    path: &str,
    lines: &[Line<'_>],
    diags: &mut Vec<Diagnostic>,
) -> Option<HttpResponse> {
    let start = first_content(lines);
    let Some(first) = lines.get(start) else {
        let line = lines.first().map_or(1, |l| l.no);
        diags.push(Diagnostic::error(
            path,
            Pos::line(line),
            "empty-response",
            "response block is empty",
        ));
        return None;
    };
    if !is_status_line(first.text) {
        // Some pages show only the body. The example is still useful; assume success.
        diags.push(Diagnostic::warning(
            path,
            Pos::line(first.no),
            "missing-status-line",
            "response has no `HTTP/1.1 <status>` line; assumed `200 OK`",
        ));
        let (headers, body) = headers_and_body(path, &lines[start..], diags);
        return Some(HttpResponse {
            status: 200,
            reason: "OK".into(),
            headers,
            body,
            line: first.no,
        });
    }
    let mut parts = first.text.split_whitespace();
    let version = parts.next().unwrap_or_default();
    let Some(status) =
        parts.next().and_then(|s| s.parse::<u16>().ok()).filter(|s| (100..=599).contains(s))
    else {
        diags.push(Diagnostic::error(
            path,
            Pos::line(first.no),
            "bad-status-line",
            format!("expected `HTTP/1.1 <3-digit status> <reason>`, found `{}`", first.text.trim()),
        ));
        return None;
    };
    let reason = parts.collect::<Vec<_>>().join(" ");
    if !version.contains('/') {
        let read_as = format!("HTTP/1.1 {status} {reason}");
        diags.push(Diagnostic::warning(
            path,
            Pos::line(first.no),
            "status-line-version",
            format!("status line has no HTTP version; read as `{}`", read_as.trim_end()),
        ));
    }
    check_spacing(path, *first, "status-line-spacing", "status line", diags);
    let (headers, body) = headers_and_body(path, &lines[start + 1..], diags);
    Some(HttpResponse { status, reason, headers, body, line: first.no })
}

/// Reports more than one space between the method and the URL, or between the URL and the
/// version; spaces inside the URL belong to it.
fn check_request_spacing(
    path: &str,
    line: Line<'_>,
    method: &str,
    url: &str,
    diags: &mut Vec<Diagnostic>,
) {
    let text = line.text.trim_end();
    let offset = |s: &str| (s.as_ptr() as usize).saturating_sub(text.as_ptr() as usize);
    let method_end = offset(method) + method.len();
    let url_start = offset(url);
    let url_end = url_start + url.len();
    let gaps = [(method_end, url_start), (url_end, text.len())];
    for (from, to) in gaps {
        let Some(gap) = text.get(from..to) else { continue };
        let gap = &gap[..gap.len() - gap.trim_start().len()];
        if gap.len() > 1 || gap.contains('\t') {
            let col = text[..from].chars().count() + 2;
            let version = strip_version(&text[url_start..]).1.trim();
            let read_as = if version.is_empty() {
                format!("{} {url}", method.to_ascii_uppercase())
            } else {
                format!("{} {url} {version}", method.to_ascii_uppercase())
            };
            diags.push(Diagnostic::warning(
                path,
                Pos::new(line.no, col as u32),
                "request-line-spacing",
                format!(
                    "request line has more than one space between its parts; read as `{read_as}`"
                ),
            ));
            return;
        }
    }
}

/// Reports runs of more than one space between the parts of a start line.
fn check_spacing(
    path: &str,
    line: Line<'_>,
    code: &'static str,
    what: &str,
    diags: &mut Vec<Diagnostic>,
) {
    let text = line.text.trim();
    let indent = line.text.len() - line.text.trim_start().len();
    if let Some(at) = text.find("  ").or_else(|| text.find('\t')) {
        let col = text[..at].chars().count() + indent + 2;
        diags.push(Diagnostic::warning(
            path,
            Pos::new(line.no, col as u32),
            code,
            format!(
                "{what} has more than one space between its parts; read as `{}`",
                text.split_whitespace().collect::<Vec<_>>().join(" ")
            ),
        ));
    }
}

fn looks_like_body(text: &str) -> bool {
    matches!(text.trim_start().chars().next(), Some('{' | '[' | '"'))
}

fn headers_and_body(
    path: &str,
    lines: &[Line<'_>],
    diags: &mut Vec<Diagnostic>,
) -> (Vec<(String, String)>, Body) {
    let mut headers = Vec::new();
    let mut i = header_paragraph_after_blank(path, lines, diags);
    while i < lines.len() {
        let line = lines[i];
        let text = line.text.trim();
        if text.is_empty() {
            i += 1;
            break;
        }
        if looks_like_body(text) {
            diags.push(Diagnostic::warning(
                path,
                Pos::line(line.no),
                "missing-blank-line",
                "no blank line between the headers and the body; the body starts here",
            ));
            break;
        }
        match text.split_once(':') {
            Some((name, value)) if is_token(name) => {
                headers.push((name.to_string(), value.trim().to_string()))
            }
            _ => {
                diags.push(Diagnostic::warning(
                    path,
                    Pos::line(line.no),
                    "malformed-header",
                    format!("expected `Name: value`, found `{text}`; ignored"),
                ));
            }
        }
        i += 1;
    }
    let body_lines = &lines[i.min(lines.len())..];
    let body = body(path, body_lines, &headers, diags);
    (headers, body)
}

/// Header names common enough in the Graph docs that a paragraph starting with one is taken for
/// the headers even when a blank line separates it from the start line.
const KNOWN_HEADERS: &[&str] = &[
    "accept",
    "accept-language",
    "authorization",
    "cache-control",
    "client-request-id",
    "consistencylevel",
    "content-disposition",
    "content-encoding",
    "content-language",
    "content-length",
    "content-location",
    "content-range",
    "content-type",
    "date",
    "etag",
    "host",
    "if-match",
    "if-none-match",
    "location",
    "odata-maxversion",
    "odata-version",
    "prefer",
    "preference-applied",
    "request-id",
    "retry-after",
    "www-authenticate",
];

fn header_line(text: &str) -> Option<(&str, &str)> {
    text.split_once(':').filter(|(name, _)| is_token(name))
}

/// When the start line is followed by a blank line and then a paragraph made only of header
/// lines, the first of a known header name, that paragraph is the headers (the author put a
/// blank line in the wrong place): returns the index where header reading starts, and says so.
/// Otherwise returns 0, and the blank line ends the (empty) headers as usual.
fn header_paragraph_after_blank(
    path: &str,
    lines: &[Line<'_>],
    diags: &mut Vec<Diagnostic>,
) -> usize {
    let Some(first) = lines.first() else { return 0 };
    if !first.text.trim().is_empty() {
        return 0;
    }
    let start = first_content(lines);
    let Some(head) = lines.get(start) else { return 0 };
    let known = header_line(head.text.trim())
        .is_some_and(|(name, _)| KNOWN_HEADERS.iter().any(|k| k.eq_ignore_ascii_case(name)));
    if !known {
        return 0;
    }
    let paragraph = lines[start..]
        .iter()
        .take_while(|l| !l.text.trim().is_empty() && !looks_like_body(l.text))
        .all(|l| header_line(l.text.trim()).is_some());
    if !paragraph {
        return 0;
    }
    diags.push(Diagnostic::warning(
        path,
        Pos::line(first.no),
        "blank-line-before-headers",
        format!(
            "blank line between the start line and its headers; the lines from line {} on are read as headers",
            head.no
        ),
    ));
    start
}

fn is_token(name: &str) -> bool {
    !name.is_empty()
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

fn body(
    path: &str,
    lines: &[Line<'_>],
    headers: &[(String, String)],
    diags: &mut Vec<Diagnostic>,
) -> Body {
    let start = first_content(lines);
    let end = lines.iter().rposition(|l| !l.text.trim().is_empty()).map_or(start, |p| p + 1);
    if start >= end {
        return Body::None;
    }
    let lines = &lines[start..end];
    let text = lines.iter().map(|l| l.text).collect::<Vec<_>>().join("\n");
    let json_type = headers.iter().any(|(n, v)| {
        n.eq_ignore_ascii_case("content-type") && v.to_ascii_lowercase().contains("json")
    });
    if !json_type && !looks_like_body(&text) {
        return Body::Text(text);
    }
    match json_repair::parse_located(path, &text, lines[0].no, diags) {
        Ok(value) => Body::Json(value),
        Err((pos, message)) => {
            diags.push(Diagnostic::error(
                path,
                pos,
                "json-invalid",
                format!("body is not JSON and could not be repaired ({message}); kept as text"),
            ));
            Body::Text(text)
        }
    }
}

/// Reads the syntax lines of an `ignored` block (`GET /users/{id}`): method and path template.
pub fn parse_syntax(lines: &[Line<'_>]) -> Vec<(String, String)> {
    lines
        .iter()
        .filter_map(|l| request_line(l.text))
        .map(|(m, p)| (m.to_ascii_uppercase(), p.to_string()))
        .collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::markdown::lines;
    use super::*;

    fn request(text: &str) -> (Option<HttpRequest>, Vec<Diagnostic>) {
        let mut diags = Vec::new();
        let r = parse_request("p.md", &lines(text), &mut diags);
        (r, diags)
    }

    fn response(text: &str) -> (Option<HttpResponse>, Vec<Diagnostic>) {
        let mut diags = Vec::new();
        let r = parse_response("p.md", &lines(text), &mut diags);
        (r, diags)
    }

    #[test]
    fn reads_a_well_formed_request() {
        let (r, diags) = request(
            "POST https://h/beta/x\nContent-type: application/json\n\n{\n  \"id\": \"a\"\n}\n",
        );
        let r = r.unwrap();
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!((r.method.as_str(), r.url.as_str(), r.line), ("POST", "https://h/beta/x", 1));
        assert_eq!(r.headers, [("Content-type".to_string(), "application/json".to_string())]);
        assert_eq!(r.body, Body::Json(json!({"id": "a"})));
    }

    #[test]
    fn body_without_blank_line_is_repaired() {
        let (r, diags) = request(
            "PATCH https://h/x\nContent-type: application/json\n{\n    \"status\": \"disabled\"\n}",
        );
        assert_eq!(r.unwrap().body, Body::Json(json!({"status": "disabled"})));
        assert_eq!(diags.len(), 1);
        assert_eq!(
            diags[0].to_string(),
            "p.md:3:1: missing-blank-line: no blank line between the headers and the body; the body starts here"
        );
    }

    #[test]
    fn status_line_with_two_spaces() {
        let (r, diags) = response("HTTP/1.1 204  No Content\nContent-type: application/json\n\n");
        let r = r.unwrap();
        assert_eq!((r.status, r.reason.as_str(), &r.body), (204, "No Content", &Body::None));
        assert_eq!(diags[0].code, "status-line-spacing");
        assert_eq!(diags[0].pos, Pos::new(1, 14));
    }

    #[test]
    fn json_repairs_point_at_doc_lines() {
        let (r, diags) = response(
            "HTTP/1.1 200 OK\nContent-type: application/json\n\n{\n    \"e\": \"AQAB\",\n    \"n\": \"rd54s6\",\n}\n",
        );
        assert_eq!(r.unwrap().body, Body::Json(json!({"e": "AQAB", "n": "rd54s6"})));
        assert_eq!(
            diags[0].to_string(),
            "p.md:6:18: json-trailing-comma: removed a comma before `}`"
        );
    }

    #[test]
    fn unrepairable_body_is_kept_as_text() {
        let (r, diags) = response("HTTP/1.1 200 OK\n\n{\"a\" 1}");
        assert_eq!(r.unwrap().body, Body::Text("{\"a\" 1}".into()));
        assert_eq!(diags[0].code, "json-invalid");
    }

    #[test]
    fn bad_start_lines_are_errors() {
        assert_eq!(request("hello").1[0].code, "bad-request-line");
        assert_eq!(response("HTTP/1.1 abc").1[0].code, "bad-status-line");
        assert_eq!(response("{}").1[0].code, "missing-status-line");
        assert_eq!(request("\n\n").1[0].code, "empty-request");
    }

    /// Regression (found by `tests/fuzz.rs`): a line starting with four ASCII bytes and then a
    /// multi-byte character made `is_status_line` slice inside the character and panic.
    #[test]
    fn status_line_check_does_not_split_characters() {
        assert!(!is_status_line("HTTPé 200"));
        assert!(!is_status_line("abcd\u{1F600}"));
        assert!(is_status_line("  http/1.1 200 OK"));
        assert_eq!(response("HTTPé").1[0].code, "missing-status-line");
    }

    #[test]
    fn syntax_lines() {
        let syntax = parse_syntax(&lines("GET /a/{id}\nprose\npatch /b"));
        assert_eq!(syntax, [("GET".into(), "/a/{id}".into()), ("PATCH".into(), "/b".into())]);
    }
}
