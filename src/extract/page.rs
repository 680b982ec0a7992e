//! One documentation page, read into its examples (request/response pairs) and resource types.
//!
//! Both page forms (markdown with annotations, rendered text without) are reduced to the same
//! sequence of request and response messages; pairing, naming, URL templating and hashing
//! then work the same way for both.

use std::collections::{BTreeMap, HashMap, HashSet};

use sha2::{Digest, Sha256};

use crate::diag::{Diagnostic, LineIndex, Pos};

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
    /// Whether the page gave no name and `name` was made up (`example-1`): such a name says
    /// nothing about which operation the example shows.
    pub auto_named: bool,
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
    /// A request the page marks `ignored` (a documented callback, say): never an example, but
    /// the response after it is its own and must not be paired with an earlier request.
    IgnoredRequest,
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
            let line = LineIndex::of_bytes(bytes).line(e.valid_up_to());
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
    // Only the rendered form needs the lines here; the markdown scan splits the page itself.
    let markdown = is_markdown(text);
    let lines = if markdown { Vec::new() } else { markdown::lines(text) };
    let form = if markdown {
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
    matches!(info, "http" | "msgraph-interactive")
}

/// What the first line of a block's content says it is, if it is an HTTP message: a status
/// line, or a request line (`GET https://…`, or `POST /me/events` with a relative URL).
fn content_kind(lines: &[Line<'_>]) -> Option<MessageKind> {
    let first = lines.iter().find(|l| !l.text.trim().is_empty())?;
    if http::is_status_line(first.text) {
        Some(MessageKind::Response)
    } else if http::request_line(first.text).is_some() {
        Some(MessageKind::Request)
    } else {
        None
    }
}

/// Whether an unannotated block whose content starts with a request line is a request rather
/// than URL syntax: its URL is absolute, or it carries headers or a body (a line that is not a
/// request line), or the block right after it is a response. A bare `GET /me/events` with no
/// response after it stays syntax.
fn is_request_block(lines: &[Line<'_>], response_follows: bool) -> bool {
    let mut content = lines.iter().filter(|l| !l.text.trim().is_empty());
    let Some((_, target)) = content.next().and_then(|l| http::request_line(l.text)) else {
        return false;
    };
    target.starts_with("http")
        || response_follows
        || content.any(|l| http::request_line(l.text).is_none())
}

fn what(kind: MessageKind) -> &'static str {
    match kind {
        MessageKind::Response => "response",
        MessageKind::Request | MessageKind::IgnoredRequest => "request",
    }
}

/// The fence's language in a message: "`json` block", "block without a language".
fn fence_phrase(info: &str) -> String {
    if info.is_empty() { "fence without a language".to_string() } else { format!("`{info}` fence") }
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
    // Whether the block after each one is a response (by annotation, else by content).
    let response_next: Vec<bool> = scan
        .blocks
        .iter()
        .skip(1)
        .map(|b| match b.annotation.as_ref().and_then(|a| a.block_type.as_ref()) {
            Some(t) => *t == BlockType::Response,
            None => content_kind(&b.fence.lines) == Some(MessageKind::Response),
        })
        .chain([false])
        .collect();
    for (block, response_follows) in scan.blocks.into_iter().zip(response_next) {
        let fence = block.fence;
        let block_type = block.annotation.as_ref().and_then(|a| a.block_type.clone());
        if block.in_syntax && block_type != Some(BlockType::Resource) {
            // Under "HTTP request" a block is the URL syntax, even with an absolute URL.
            if let Some(t @ (BlockType::Request | BlockType::Response)) = &block_type {
                let t = if *t == BlockType::Request { "request" } else { "response" };
                page.diagnostics.push(Diagnostic::warning(
                    &page.doc,
                    Pos::line(fence.open_line),
                    "syntax-block-annotated",
                    format!(
                        "block under the \"HTTP request\" heading is the URL syntax; its `{t}` annotation is ignored and no example is made of it"
                    ),
                ));
            }
            templates.extend(http::parse_syntax(&fence.lines));
            continue;
        }
        match block_type {
            Some(t @ (BlockType::Request | BlockType::Response)) => {
                let kind = if t == BlockType::Request {
                    MessageKind::Request
                } else {
                    MessageKind::Response
                };
                if !is_http_info(&fence.info) && content_kind(&fence.lines) == Some(kind) {
                    page.diagnostics.push(Diagnostic::warning(
                        &page.doc,
                        Pos::line(fence.open_line),
                        "fence-language",
                        format!(
                            "{} holds an HTTP {}; read as HTTP (write ```http)",
                            fence_phrase(&fence.info),
                            what(kind)
                        ),
                    ));
                }
                messages.push(Message { kind, annotation: block.annotation, lines: fence.lines });
            }
            Some(BlockType::Resource) => {
                if let Some(ann) = &block.annotation {
                    if let Some(t) =
                        resource::read_json(&page.doc, ann, &fence, &mut page.diagnostics)
                    {
                        match page.types.iter_mut().find(|u| u.name == t.name) {
                            Some(first) => {
                                resource::merge(&page.doc, first, t, &mut page.diagnostics)
                            }
                            None => page.types.push(t),
                        }
                    }
                }
            }
            Some(BlockType::Ignored) => {
                templates.extend(http::parse_syntax(&fence.lines));
                if content_kind(&fence.lines) == Some(MessageKind::Request) {
                    messages.push(Message {
                        kind: MessageKind::IgnoredRequest,
                        annotation: block.annotation,
                        lines: fence.lines,
                    });
                }
            }
            Some(BlockType::Example | BlockType::Permissions) => {}
            None => {
                // No usable annotation: decide from the content, and say so.
                let http_fence = is_http_info(&fence.info) || fence.info.is_empty();
                let kind = content_kind(&fence.lines).filter(|k| {
                    *k == MessageKind::Response || is_request_block(&fence.lines, response_follows)
                });
                let Some(kind) = kind else {
                    if http_fence {
                        templates.extend(http::parse_syntax(&fence.lines));
                    }
                    continue;
                };
                let message = if http_fence {
                    format!(
                        "`{}` block has no annotation; read as a {} from its content",
                        fence.info,
                        what(kind)
                    )
                } else {
                    format!(
                        "`{}` block has no annotation but holds an HTTP {}; read as HTTP from its content",
                        fence.info,
                        what(kind)
                    )
                };
                page.diagnostics.push(Diagnostic::warning(
                    &page.doc,
                    Pos::line(fence.open_line),
                    "missing-annotation",
                    message,
                ));
                messages.push(Message { kind, annotation: block.annotation, lines: fence.lines });
            }
        }
    }
    for t in &mut page.types {
        resource::apply_table(&page.doc, t, &scan.property_rows, &mut page.diagnostics);
    }
    (templates, messages)
}

/// What stands before a response: an example's request, or a block that no response after it
/// may be paired across.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Slot {
    Example,
    /// A request marked `ignored`.
    Ignored,
    /// A request block that could not be read (already reported).
    Unreadable,
}

/// A request waiting for its response.
struct Pending<'a> {
    slot: Slot,
    names: Vec<String>,
    /// Line of the request line (or of the block's first line when it could not be read).
    line: u32,
    request: Option<HttpRequest>,
    lines: Vec<Line<'a>>,
    response: Option<(HttpResponse, Annotation, Vec<Line<'a>>)>,
}

/// Pairs messages into examples: a response goes with the request (or requests) of its name,
/// else with the nearest request block before it — never across another request block to an
/// earlier one. A response that follows an `ignored` request belongs to it and is left out too.
fn assemble(page: &mut Page, templates: &[(String, String)], messages: Vec<Message<'_>>) {
    let doc = page.doc.clone();
    let diags = &mut page.diagnostics;
    let mut pending: Vec<Pending<'_>> = Vec::new();
    for message in messages {
        let names = message.annotation.as_ref().map(|a| a.names.clone()).unwrap_or_default();
        let block_line = message
            .lines
            .iter()
            .find(|l| !l.text.trim().is_empty())
            .map_or(message.annotation.as_ref().map_or(1, |a| a.line), |l| l.no);
        match message.kind {
            MessageKind::Request => {
                let request = http::parse_request(&doc, &message.lines, diags);
                let slot = if request.is_some() { Slot::Example } else { Slot::Unreadable };
                let line = request.as_ref().map_or(block_line, |r| r.line);
                pending.push(Pending {
                    slot,
                    names,
                    line,
                    request,
                    lines: message.lines,
                    response: None,
                });
            }
            MessageKind::IgnoredRequest => pending.push(Pending {
                slot: Slot::Ignored,
                names,
                line: block_line,
                request: None,
                lines: message.lines,
                response: None,
            }),
            MessageKind::Response => {
                let Some(response) = http::parse_response(&doc, &message.lines, diags) else {
                    continue;
                };
                let line = response.line;
                let mut targets: Vec<usize> = Vec::new();
                for name in &names {
                    let found = pending
                        .iter()
                        .rposition(|p| p.slot == Slot::Example && p.names.contains(name));
                    if let Some(t) = found.filter(|t| !targets.contains(t)) {
                        targets.push(t);
                    }
                }
                if !names.is_empty() && targets.is_empty() {
                    diags.push(Diagnostic::warning(
                        &doc,
                        Pos::line(line),
                        "unknown-request-name",
                        format!("response names {} but no request before it has that name; paired with the latest request", quoted(&names)),
                    ));
                }
                if targets.is_empty() {
                    let Some(nearest) = pending.len().checked_sub(1) else {
                        diags.push(Diagnostic::error(
                            &doc,
                            Pos::line(line),
                            "orphan-response",
                            "response has no request before it; no example can be made of it",
                        ));
                        continue;
                    };
                    match pending[nearest].slot {
                        Slot::Example => targets.push(nearest),
                        Slot::Ignored => {
                            diags.push(Diagnostic::note(
                                &doc,
                                Pos::line(line),
                                "ignored-response",
                                format!(
                                    "response answers the request at line {}, which is marked `ignored`; it is not extracted either",
                                    pending[nearest].line
                                ),
                            ));
                            continue;
                        }
                        Slot::Unreadable => {
                            diags.push(Diagnostic::error(
                                &doc,
                                Pos::line(line),
                                "orphan-response",
                                format!(
                                    "response answers the request block at line {}, which could not be read; no example can be made of it",
                                    pending[nearest].line
                                ),
                            ));
                            continue;
                        }
                    }
                }
                let annotation = message.annotation.unwrap_or_default();
                for target in targets {
                    let slot = &mut pending[target];
                    if slot.response.is_some() {
                        diags.push(Diagnostic::error(
                            &doc,
                            Pos::line(line),
                            "extra-response",
                            format!(
                                "the request at line {} already has a response; this one is not used",
                                slot.line
                            ),
                        ));
                        continue;
                    }
                    slot.response =
                        Some((response.clone(), annotation.clone(), message.lines.clone()));
                }
            }
        }
    }
    let pending: Vec<Pending<'_>> =
        pending.into_iter().filter(|p| p.slot == Slot::Example).collect();

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
        let auto_named = base.is_none();
        let base = base.unwrap_or_else(|| format!("example-{}", index + 1));
        let mut name = base.clone();
        let n = next_suffix.entry(base.to_ascii_lowercase()).or_insert(2);
        while used.contains(&name.to_ascii_lowercase()) {
            name = format!("{base}-{n}");
            *n += 1;
        }
        let Some(mut request) = p.request else { continue };
        if name != base {
            diags.push(Diagnostic::warning(
                &doc,
                Pos::line(request.line),
                "duplicate-name",
                format!("another example on this page is already named `{base}`; this one is named `{name}`"),
            ));
        }
        used.insert(name.to_ascii_lowercase());
        if p.response.is_none() {
            diags.push(Diagnostic::warning(
                &doc,
                Pos::line(request.line),
                "unpaired-request",
                "request has no documented response; its case has no expectation and will be skipped",
            ));
        }
        let params = parameterise(&doc, &mut request, templates, diags);
        let hash = hash(&p.lines, p.response.as_ref().map(|(_, _, l)| l.as_slice()));
        let (response, response_annotation) = match p.response {
            Some((r, a, _)) => (Some(r), a),
            None => (None, Annotation::default()),
        };
        page.examples.push(Example {
            name,
            auto_named,
            request,
            params,
            response,
            response_annotation,
            hash,
        });
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

/// The canonical name of what is inside `{...}` when it reads as a placeholder rather than as
/// a literal id in braces: a name (`id`, `user-id`, `oauth2PermissionGrantId`), or names with
/// alternatives (`id|name`, `id | userPrincipalName`, written `id|userPrincipalName`).
fn placeholder_name(inner: &str) -> Option<String> {
    let alternatives: Vec<String> =
        inner.split('|').map(|a| a.split_whitespace().collect::<Vec<_>>().join(" ")).collect();
    alternatives.iter().all(|a| is_name(a)).then(|| alternatives.join("|"))
}

/// One placeholder name: letters first, then letters, digits, `_`, `-`, `.` or single spaces,
/// and not shaped like an id (a GUID, many digits, digits scattered through the letters, a
/// host name, capitals no name has). Long names are fine: Intune's run past 60 characters
/// (`windowsDefenderApplicationControlSupplementalPolicyAssignment-id`).
fn is_name(name: &str) -> bool {
    let digits = name.chars().filter(char::is_ascii_digit).count();
    let digit_runs = name
        .as_bytes()
        .windows(2)
        .filter(|w| !w[0].is_ascii_digit() && w[1].is_ascii_digit())
        .count();
    !name.is_empty()
        && name.len() <= 128
        && name.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | ' '))
        && digits < 5
        && digit_runs < 3
        && !is_guid(name)
        && !is_host_name(name)
        && !has_id_capitals(name)
}

/// Lower-case letters, and capitals in a number no name's words and acronyms hold: six or
/// more that begin no word (no lower-case letter follows them), as in the Outlook id
/// `AAMkAGI2THVSAAA`. A camelCase name has one capital a word (`userPrincipalName`) and few
/// acronyms (`iOSManagedAppProtectionId`, `ODataType`, `appleVPPTokenId`); a name without
/// lower-case letters (`TENANT_ID`) is written in capitals on purpose.
fn has_id_capitals(name: &str) -> bool {
    let bytes = name.as_bytes();
    let loose = (0..bytes.len())
        .filter(|&i| {
            bytes[i].is_ascii_uppercase() && !bytes.get(i + 1).is_some_and(u8::is_ascii_lowercase)
        })
        .count();
    loose >= 6 && bytes.iter().any(u8::is_ascii_lowercase)
}

/// `contoso.sharepoint.com`, `contoso.com`: three dot-separated labels or more, or two ending
/// in a common top-level domain. (`item.name` is a name.)
fn is_host_name(s: &str) -> bool {
    let labels: Vec<&str> = s.split('.').collect();
    let last = labels.last().copied().unwrap_or_default();
    labels.len() >= 2
        && !s.contains(' ')
        && labels.iter().all(|l| !l.is_empty())
        && (labels.len() >= 3
            || matches!(last.to_ascii_lowercase().as_str(), "com" | "net" | "org"))
}

fn is_guid(s: &str) -> bool {
    let groups: Vec<&str> = s.split('-').collect();
    groups.iter().map(|g| g.len()).eq([8, 4, 4, 4, 12])
        && groups.iter().all(|g| g.chars().all(|c| c.is_ascii_hexdigit()))
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
/// Each occurrence of a placeholder gets its own parameter: `/classes/{id}/assignments/{id}`
/// becomes `{id}` and `{id-2}`, so that two example values are two parameters. A literal
/// wrapped in braces (`{aTREvwojOB9...}`) is a doc defect and is reported.
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
    // Placeholders in the order they appear: (segment index, name, the example's value).
    let mut slots: Vec<(usize, String, Option<String>)> = Vec::new();
    let mut changed = false;
    for (i, segment) in segments.iter_mut().enumerate() {
        let slot = template.as_ref().map(|t| t[i].as_str()).filter(|t| is_braced(t)).map(|t| {
            let inner = &t[1..t.len() - 1];
            placeholder_name(inner).unwrap_or_else(|| inner.to_string())
        });
        if !is_braced(segment) {
            if let Some(name) = slot {
                slots.push((i, name, Some(segment.clone())));
                changed = true;
            }
            continue;
        }
        let inner = segment[1..segment.len() - 1].to_string();
        if let Some(name) = placeholder_name(&inner) {
            slots.push((i, name, None));
            continue;
        }
        let fix = match &slot {
            Some(t) => format!("replaced by the syntax's placeholder `{{{t}}}`"),
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
            format!("URL has the literal id `{inner}` wrapped in braces as if it were a placeholder; {fix}"),
        ));
        match slot {
            Some(name) => slots.push((i, name, Some(inner))),
            None => *segment = inner,
        }
        changed = true;
    }
    let mut taken: HashSet<String> = HashSet::new();
    for (i, name, value) in slots {
        let mut unique = name.clone();
        let mut n = 2;
        while taken.contains(&unique) {
            unique = format!("{name}-{n}");
            n += 1;
        }
        taken.insert(unique.clone());
        let braced = format!("{{{unique}}}");
        if segments[i] != braced {
            segments[i] = braced;
            changed = true;
        }
        if let Some(value) = value {
            params.insert(unique, value);
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

/// A segment that is one `{...}` group; `{hostname},{site-id}` (several groups) is not.
fn is_braced(s: &str) -> bool {
    s.len() >= 2
        && s.starts_with('{')
        && s.ends_with('}')
        && !s[1..s.len() - 1].contains(['{', '}'])
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
        let name = |s: &str| placeholder_name(s);
        assert_eq!(name("id").as_deref(), Some("id"));
        assert_eq!(name("trustFrameworkKey_v2Id").as_deref(), Some("trustFrameworkKey_v2Id"));
        assert_eq!(name("oauth2PermissionGrantId").as_deref(), Some("oauth2PermissionGrantId"));
        assert_eq!(
            name("x509CertificateConfiguration-id").as_deref(),
            Some("x509CertificateConfiguration-id")
        );
        assert_eq!(name("id | userPrincipalName").as_deref(), Some("id|userPrincipalName"));
        assert_eq!(name("id|name").as_deref(), Some("id|name"));
        assert_eq!(name("aTREvwojOB9ph3fr2r6eTf_5eD5fmQsfsapVMwYI3o"), None);
        assert_eq!(name("0a1b-2c"), None);
        assert_eq!(name("8a1c4e1e-4b6d-4f0e-9a3e-2c5f0b7d9e11"), None);
        assert_eq!(name("user@contoso.com"), None);
        assert_eq!(name("12345"), None);
        let intune = "windowsDefenderApplicationControlSupplementalPolicyAssignment-id";
        assert_eq!(name(intune).as_deref(), Some(intune));
        assert_eq!(name("channel id").as_deref(), Some("channel id"));
        assert_eq!(name("item.name").as_deref(), Some("item.name"));
        assert_eq!(name("contoso.sharepoint.com"), None);
        assert_eq!(name("contoso.com"), None);
        assert_eq!(name("B5E0E4B3-6F2A-4D3C-9E7B-1A2B3C4D5E6F"), None);
        // Outlook ids with few digits; names with capitals of words and acronyms.
        assert_eq!(name("AAMkAGI2THVSAAA"), None);
        assert_eq!(name("AQMkADAwATNiZmYAZS05YjQAAC4AAAA"), None);
        for kept in [
            "user-id",
            "group-id",
            "userPrincipalName",
            "keySetId",
            "iOSManagedAppProtectionId",
            "ODataType",
            "appleVPPTokenId",
            "macOSLOBAppId",
            "TENANT_ID",
            "ID",
        ] {
            assert_eq!(name(kept).as_deref(), Some(kept));
        }
    }

    #[test]
    fn only_one_group_in_braces_is_braced() {
        assert!(is_braced("{id}"));
        assert!(is_braced("{id|name}"));
        assert!(!is_braced("{hostname},{spsite-id}"));
        assert!(!is_braced("{hostname}:{path}"));
        assert!(!is_braced("{{id}}"));
        assert!(!is_braced("{}x"));
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
