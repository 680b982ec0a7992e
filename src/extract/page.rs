//! One documentation page, read into its examples (request/response pairs) and resource types.
//!
//! Both page forms (markdown with annotations, rendered text without) are reduced to the same
//! sequence of request and response messages; pairing, naming, URL templating and hashing
//! then work the same way for both.

use std::collections::{BTreeMap, HashMap, HashSet};

use sha2::{Digest, Sha256};

use crate::diag::{Diagnostic, Pos};

use super::annotation::{Annotation, BlockType};
use super::http::{self, HttpRequest, HttpResponse};
use super::markdown::{self, Line};
use super::rendered;
use super::resource::{self, ResourceType};

/// The two forms a doc page comes in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    Markdown,
    Rendered,
}

impl Form {
    pub fn as_str(self) -> &'static str {
        match self {
            Form::Markdown => "markdown",
            Form::Rendered => "rendered",
        }
    }
}

/// A documented example: a request and the response shown for it.
#[derive(Debug, Clone, PartialEq)]
pub struct Example {
    /// Unique within the page.
    pub name: String,
    pub request: HttpRequest,
    /// Example values found where the page's syntax has a placeholder, by placeholder name.
    pub params: BTreeMap<String, String>,
    pub response: Option<HttpResponse>,
    /// The response block's annotation (default when it had none).
    pub response_annotation: Annotation,
    /// `sha256:<hex>` of the example's text as written in the doc.
    pub hash: String,
}

/// Everything read from one page.
#[derive(Debug, Clone)]
pub struct Page {
    /// The page's path as used in case ids (`docs/graph/beta/api/x.md`).
    pub doc: String,
    /// The file as the user named it; diagnostics point here.
    pub file: String,
    pub form: Form,
    pub examples: Vec<Example>,
    pub types: Vec<ResourceType>,
    pub diagnostics: Vec<Diagnostic>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageKind {
    Request,
    Response,
}

/// A request or response block before it is parsed.
#[derive(Debug, Clone)]
pub struct Message<'a> {
    pub kind: MessageKind,
    pub annotation: Option<Annotation>,
    pub lines: Vec<Line<'a>>,
}

/// What reading a file gave.
#[derive(Debug)]
pub enum Outcome {
    Page(Page),
    /// Not a documentation page; the note says why.
    Skipped(Diagnostic),
}

/// Reads one file. `doc` names it in diagnostics and case ids.
pub fn read(doc: &str, bytes: &[u8]) -> Outcome {
    if bytes.contains(&0) {
        return Outcome::Skipped(Diagnostic::note(
            doc,
            Pos::line(1),
            "not-a-doc-page",
            "binary file, skipped",
        ));
    }
    let mut diagnostics = Vec::new();
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => std::borrow::Cow::Borrowed(t),
        Err(e) => {
            let line = bytes[..e.valid_up_to()].iter().filter(|&&b| b == b'\n').count() as u32 + 1;
            diagnostics.push(Diagnostic::warning(
                doc,
                Pos::line(line),
                "invalid-utf8",
                "page is not valid UTF-8; invalid bytes were replaced",
            ));
            String::from_utf8_lossy(bytes)
        }
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let lines = markdown::lines(text);
    let form = if is_markdown(text) {
        Form::Markdown
    } else if rendered::looks_rendered(&lines) {
        Form::Rendered
    } else {
        return Outcome::Skipped(Diagnostic::note(
            doc,
            Pos::line(1),
            "not-a-doc-page",
            "no front matter, annotations, fences or rendered HTTP examples; skipped",
        ));
    };
    let mut page = Page {
        doc: doc.to_string(),
        file: doc.to_string(),
        form,
        examples: Vec::new(),
        types: Vec::new(),
        diagnostics,
    };
    let (templates, messages) = match form {
        Form::Markdown => markdown_messages(&mut page, text),
        Form::Rendered => rendered::read(&lines),
    };
    assemble(&mut page, &templates, messages);
    if form == Form::Rendered {
        // A rendered page loses the blank line between headers and body; that is how the
        // form looks, not a defect of the page.
        page.diagnostics.retain(|d| d.code != "missing-blank-line");
    }
    page.diagnostics.sort_by_key(|d| d.pos);
    Outcome::Page(page)
}

fn is_markdown(text: &str) -> bool {
    text.starts_with("---")
        || text.contains("```")
        || text.contains("<!-- {")
        || text.contains("<!--{")
        || text.lines().any(|l| l.starts_with("# "))
}

fn is_http_info(info: &str) -> bool {
    matches!(info, "http" | "msgraph-interactive" | "")
}

/// Classifies the fenced blocks of a markdown page into syntax templates, messages and types.
fn markdown_messages<'a>(
    page: &mut Page,
    text: &'a str,
) -> (Vec<(String, String)>, Vec<Message<'a>>) {
    let scan = markdown::scan(&page.doc, text);
    page.diagnostics.extend(scan.diagnostics);
    let mut templates = Vec::new();
    let mut messages = Vec::new();
    for block in scan.blocks {
        let fence = block.fence;
        let block_type = block.annotation.as_ref().and_then(|a| a.block_type.clone());
        match block_type {
            Some(BlockType::Request) => {
                messages.push(Message {
                    kind: MessageKind::Request,
                    annotation: block.annotation,
                    lines: fence.lines,
                });
            }
            Some(BlockType::Response) => {
                messages.push(Message {
                    kind: MessageKind::Response,
                    annotation: block.annotation,
                    lines: fence.lines,
                });
            }
            Some(BlockType::Resource) => {
                if let Some(ann) = &block.annotation {
                    if let Some(t) = resource::read(
                        &page.doc,
                        ann,
                        &fence,
                        &scan.property_rows,
                        &mut page.diagnostics,
                    ) {
                        page.types.push(t);
                    }
                }
            }
            Some(BlockType::Ignored) => templates.extend(http::parse_syntax(&fence.lines)),
            Some(BlockType::Example | BlockType::Permissions) => {}
            None if is_http_info(&fence.info) => {
                // No usable annotation: decide from the content, and say so.
                let Some(first) = fence.lines.iter().find(|l| !l.text.trim().is_empty()) else {
                    continue;
                };
                let kind = if http::is_status_line(first.text) {
                    MessageKind::Response
                } else if http::request_line(first.text).is_some_and(|(_, t)| t.starts_with("http"))
                {
                    MessageKind::Request
                } else {
                    templates.extend(http::parse_syntax(&fence.lines));
                    continue;
                };
                let what = if kind == MessageKind::Request { "request" } else { "response" };
                page.diagnostics.push(Diagnostic::warning(
                    &page.doc,
                    Pos::line(fence.open_line),
                    "missing-annotation",
                    format!(
                        "`{}` block has no annotation; read as a {what} from its content",
                        fence.info
                    ),
                ));
                messages.push(Message { kind, annotation: block.annotation, lines: fence.lines });
            }
            None => {}
        }
    }
    (templates, messages)
}

/// A request waiting for its response.
struct Pending<'a> {
    names: Vec<String>,
    request: HttpRequest,
    lines: Vec<Line<'a>>,
    response: Option<(HttpResponse, Annotation, Vec<Line<'a>>)>,
}

/// Pairs messages into examples: a response goes with the request of the same name, else with
/// the latest request.
fn assemble(page: &mut Page, templates: &[(String, String)], messages: Vec<Message<'_>>) {
    let doc = page.doc.clone();
    let diags = &mut page.diagnostics;
    let mut pending: Vec<Pending<'_>> = Vec::new();
    for message in messages {
        let names = message.annotation.as_ref().map(|a| a.names.clone()).unwrap_or_default();
        match message.kind {
            MessageKind::Request => {
                if let Some(request) = http::parse_request(&doc, &message.lines, diags) {
                    pending.push(Pending { names, request, lines: message.lines, response: None });
                }
            }
            MessageKind::Response => {
                let Some(response) = http::parse_response(&doc, &message.lines, diags) else {
                    continue;
                };
                let line = response.line;
                let by_name = if names.is_empty() {
                    None
                } else {
                    let found =
                        pending.iter().rposition(|p| p.names.iter().any(|n| names.contains(n)));
                    if found.is_none() {
                        diags.push(Diagnostic::warning(
                            &doc,
                            Pos::line(line),
                            "unknown-request-name",
                            format!("response names {} but no request before it has that name; paired with the latest request", quoted(&names)),
                        ));
                    }
                    found
                };
                let Some(target) = by_name.or_else(|| pending.len().checked_sub(1)) else {
                    diags.push(Diagnostic::error(
                        &doc,
                        Pos::line(line),
                        "orphan-response",
                        "response has no request before it; no example can be made of it",
                    ));
                    continue;
                };
                let slot = &mut pending[target];
                if slot.response.is_some() {
                    diags.push(Diagnostic::error(
                        &doc,
                        Pos::line(line),
                        "extra-response",
                        format!(
                            "the request at line {} already has a response; this one is not used",
                            slot.request.line
                        ),
                    ));
                    continue;
                }
                slot.response =
                    Some((response, message.annotation.unwrap_or_default(), message.lines));
            }
        }
    }

    // Names taken so far, lower-cased (names are unique ignoring ASCII case), and per base name
    // the next suffix to try. Names are only ever added, so every suffix below that one is still
    // taken: a page of thousands of same-named examples stays linear instead of cubic.
    let mut used: HashSet<String> = HashSet::new();
    let mut next_suffix: HashMap<String, usize> = HashMap::new();
    for (index, p) in pending.into_iter().enumerate() {
        let base = p
            .names
            .first()
            .cloned()
            .or_else(|| p.response.as_ref().and_then(|(_, a, _)| a.names.first().cloned()));
        let base = base.unwrap_or_else(|| format!("example-{}", index + 1));
        let mut name = base.clone();
        let n = next_suffix.entry(base.to_ascii_lowercase()).or_insert(2);
        while used.contains(&name.to_ascii_lowercase()) {
            name = format!("{base}-{n}");
            *n += 1;
        }
        if name != base {
            diags.push(Diagnostic::warning(
                &doc,
                Pos::line(p.request.line),
                "duplicate-name",
                format!("another example on this page is already named `{base}`; this one is named `{name}`"),
            ));
        }
        used.insert(name.to_ascii_lowercase());
        if p.response.is_none() {
            diags.push(Diagnostic::warning(
                &doc,
                Pos::line(p.request.line),
                "unpaired-request",
                "request has no documented response; its case has no expectation and will be skipped",
            ));
        }
        let mut request = p.request;
        let params = parameterise(&doc, &mut request, templates, diags);
        let hash = hash(&p.lines, p.response.as_ref().map(|(_, _, l)| l.as_slice()));
        let (response, response_annotation) = match p.response {
            Some((r, a, _)) => (Some(r), a),
            None => (None, Annotation::default()),
        };
        page.examples.push(Example { name, request, params, response, response_annotation, hash });
    }
}

fn quoted(names: &[String]) -> String {
    names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(" or ")
}

fn hash(request: &[Line<'_>], response: Option<&[Line<'_>]>) -> String {
    let mut h = Sha256::new();
    for line in request {
        h.update(line.text.as_bytes());
        h.update(b"\n");
    }
    h.update(b"\0");
    for line in response.unwrap_or_default() {
        h.update(line.text.as_bytes());
        h.update(b"\n");
    }
    format!("sha256:{}", hex::encode(h.finalize()))
}

/// `{name}` that reads as a placeholder name rather than a literal id in braces.
fn is_placeholder_name(name: &str) -> bool {
    let without_version = name.replace("_v2", "").replace("_V2", "");
    !name.is_empty()
        && name.len() <= 48
        && name.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        && !without_version.chars().any(|c| c.is_ascii_digit())
}

/// Splits `https://host/beta/a/b?x` into (`https://host/beta`, [`a`, `b`], `?x`).
fn split_url(url: &str) -> (String, Vec<String>, String) {
    let (before_query, query) = match url.find('?') {
        Some(q) => (&url[..q], &url[q..]),
        None => (url, ""),
    };
    let (origin, path) = match before_query.find("://") {
        Some(s) => match before_query[s + 3..].find('/') {
            Some(p) => before_query.split_at(s + 3 + p),
            None => (before_query, ""),
        },
        None => ("", before_query),
    };
    let mut segments: Vec<String> =
        path.split('/').filter(|s| !s.is_empty()).map(str::to_string).collect();
    let mut prefix = origin.to_string();
    if segments.first().is_some_and(|s| s == "beta" || s == "v1.0") {
        prefix.push('/');
        prefix.push_str(&segments.remove(0));
    }
    (prefix, segments, query.to_string())
}

/// Rewrites the example URL so that every place the page's syntax has a `{placeholder}` holds
/// one: a literal id there becomes the placeholder and its value goes into the returned params.
/// A literal wrapped in braces (`{aTREvwojOB9...}`) is a doc defect and is reported.
fn parameterise(
    doc: &str,
    request: &mut HttpRequest,
    templates: &[(String, String)],
    diags: &mut Vec<Diagnostic>,
) -> BTreeMap<String, String> {
    let mut params = BTreeMap::new();
    let original_url = request.url.clone();
    let (prefix, mut segments, query) = split_url(&request.url);
    let template =
        templates.iter().map(|(_, t)| split_url(t).1).filter(|t| t.len() == segments.len()).find(
            |t| {
                t.iter().zip(&segments).all(|(ts, es)| is_braced(ts) || ts.eq_ignore_ascii_case(es))
            },
        );
    let mut changed = false;
    for (i, segment) in segments.iter_mut().enumerate() {
        let slot = template.as_ref().map(|t| t[i].as_str()).filter(|t| is_braced(t));
        let braced_literal =
            is_braced(segment) && !is_placeholder_name(&segment[1..segment.len() - 1]);
        if braced_literal {
            let literal = segment[1..segment.len() - 1].to_string();
            let fix = match slot {
                Some(t) => format!("replaced by the syntax's placeholder `{t}`"),
                None => "read as the literal value".to_string(),
            };
            // Point at the `{` of the literal in the request line, not at the line's start.
            let col = original_url
                .find(segment.as_str())
                .map_or(0, |at| original_url[..at].chars().count() as u32);
            diags.push(Diagnostic::warning(
                doc,
                Pos::new(request.line, request.url_col + col),
                "literal-in-braces",
                format!("URL has the literal id `{literal}` wrapped in braces as if it were a placeholder; {fix}"),
            ));
            match slot {
                Some(t) => {
                    params.insert(t[1..t.len() - 1].to_string(), literal);
                    *segment = t.to_string();
                }
                None => *segment = literal,
            }
            changed = true;
        } else if let Some(t) = slot.filter(|_| !is_braced(segment)) {
            params.insert(t[1..t.len() - 1].to_string(), segment.clone());
            *segment = t.to_string();
            changed = true;
        }
    }
    if changed {
        let mut url = prefix;
        for s in &segments {
            url.push('/');
            url.push_str(s);
        }
        url.push_str(&query);
        request.url = url;
    }
    params
}

fn is_braced(s: &str) -> bool {
    s.len() >= 2 && s.starts_with('{') && s.ends_with('}')
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::http::Body;
    use super::*;

    fn page(text: &str) -> Page {
        match read("p.md", text.as_bytes()) {
            Outcome::Page(p) => p,
            Outcome::Skipped(d) => panic!("skipped: {d}"),
        }
    }

    fn codes(page: &Page) -> Vec<&'static str> {
        page.diagnostics.iter().map(|d| d.code).collect()
    }

    const REQ: &str = "<!-- { \"blockType\": \"request\", \"name\": \"NAME\" } -->\n```http\nGET https://graph.microsoft.com/beta/things/{id}\n```\n";
    const RESP: &str = "<!-- { \"blockType\": \"response\", \"truncated\": true } -->\n```http\nHTTP/1.1 200 OK\nContent-type: application/json\n\n{\"id\": \"x\"}\n```\n";

    #[test]
    fn pairs_by_name_then_by_order() {
        let named_resp = RESP.replace("\"truncated\"", "\"name\": \"a\", \"truncated\"");
        let text = format!(
            "# T\n{}{}{}{}",
            REQ.replace("NAME", "a"),
            REQ.replace("NAME", "b"),
            named_resp,
            RESP
        );
        let page = page(&text);
        // The named response goes to `a`; the unnamed one to the latest request, `b`.
        assert_eq!(page.examples.len(), 2);
        assert!(page.examples.iter().all(|e| e.response.is_some()), "{:?}", page.diagnostics);
        assert!(codes(&page).is_empty(), "{:?}", page.diagnostics);
    }

    #[test]
    fn unpaired_and_orphans_are_reported() {
        let text = format!("# T\n{}{}", RESP, REQ.replace("NAME", "a"));
        let page = page(&text);
        assert_eq!(codes(&page), ["orphan-response", "unpaired-request"]);
        assert_eq!(page.examples.len(), 1);
        assert!(page.examples[0].response.is_none());
    }

    #[test]
    fn duplicate_names_get_suffixes() {
        let text = format!(
            "# T\n{}{}{}{}",
            REQ.replace("NAME", "a"),
            RESP,
            REQ.replace("NAME", "a"),
            RESP
        );
        let page = page(&text);
        let names: Vec<_> = page.examples.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(names, ["a", "a-2"]);
        assert_eq!(codes(&page), ["duplicate-name"]);
    }

    #[test]
    fn literal_ids_become_placeholders() {
        let text = "# T\n<!-- { \"blockType\": \"ignored\" } -->\n```http\nGET /sets/{setId}/keys/{keyId}\n```\n<!-- { \"blockType\": \"request\", \"name\": \"a\" } -->\n```http\nGET https://graph.microsoft.com/beta/sets/{id}/keys/{aTREvwojOB9ph3fr2r6e}\n```\n<!-- { \"blockType\": \"request\", \"name\": \"b\" } -->\n```http\nGET https://graph.microsoft.com/beta/sets/{id}/keys/abc123?$top=1\n```\n";
        let page = page(text);
        let a = &page.examples[0];
        assert_eq!(a.request.url, "https://graph.microsoft.com/beta/sets/{id}/keys/{keyId}");
        assert_eq!(a.params.get("keyId").map(String::as_str), Some("aTREvwojOB9ph3fr2r6e"));
        let b = &page.examples[1];
        assert_eq!(b.request.url, "https://graph.microsoft.com/beta/sets/{id}/keys/{keyId}?$top=1");
        assert_eq!(b.params.get("keyId").map(String::as_str), Some("abc123"));
        let d: Vec<_> = page.diagnostics.iter().filter(|d| d.code == "literal-in-braces").collect();
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].pos.line, 8);
    }

    /// Regression: `literal-in-braces` pointed at column 1 of the request line instead of at
    /// the braced literal, so the diagnostic did not show where the defect is.
    #[test]
    fn literal_in_braces_points_at_the_brace() {
        let line = "  GET https://graph.microsoft.com/beta/sets/{id}/keys/{aTREvwojOB9ph3fr2r6e}";
        let text = format!(
            "# T\n<!-- {{ \"blockType\": \"ignored\" }} -->\n```http\nGET /sets/{{setId}}/keys/{{keyId}}\n```\n<!-- {{ \"blockType\": \"request\", \"name\": \"a\" }} -->\n```http\n{line}\n```\n"
        );
        let page = page(&text);
        let d: Vec<_> = page.diagnostics.iter().filter(|d| d.code == "literal-in-braces").collect();
        assert_eq!(d.len(), 1, "{:?}", page.diagnostics);
        let expected_col = line.find("{aTRE").unwrap() as u32 + 1;
        assert_eq!(d[0].pos, Pos::new(8, expected_col));
    }

    #[test]
    fn placeholder_names() {
        assert!(is_placeholder_name("id"));
        assert!(is_placeholder_name("trustFrameworkKey_v2Id"));
        assert!(!is_placeholder_name("aTREvwojOB9ph3fr2r6eTf_5eD5fmQsfsapVMwYI3o"));
        assert!(!is_placeholder_name("0a1b-2c"));
    }

    #[test]
    fn unannotated_blocks_are_read_from_content() {
        let text = "# T\n```http\nGET https://h/beta/x\n```\n```http\nHTTP/1.1 200 OK\n\n{\"a\": 1}\n```\n";
        let page = page(text);
        assert_eq!(codes(&page), ["missing-annotation", "missing-annotation"]);
        assert_eq!(page.examples[0].response.as_ref().unwrap().body, Body::Json(json!({"a": 1})));
        assert_eq!(page.examples[0].name, "example-1");
    }

    #[test]
    fn non_pages_are_skipped() {
        assert!(matches!(read("a.bin", b"\x00\x01"), Outcome::Skipped(_)));
        assert!(matches!(read("a.txt", b"hello\nworld"), Outcome::Skipped(_)));
    }

    #[test]
    fn hash_changes_with_the_example() {
        let a = page(&format!("# T\n{}{}", REQ.replace("NAME", "a"), RESP));
        let b = page(&format!(
            "# T\n{}{}",
            REQ.replace("NAME", "a"),
            RESP.replace("200 OK", "201 Created")
        ));
        assert_ne!(a.examples[0].hash, b.examples[0].hash);
        assert!(a.examples[0].hash.starts_with("sha256:"));
    }
}
