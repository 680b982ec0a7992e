//! Scans a Graph markdown page into the pieces extraction needs: fenced blocks with the
//! annotation that precedes them, and the rows of the page's "Properties" table.
//!
//! The scan is line based and never backtracks, so its cost is linear in the page and no input
//! can make it loop. It understands just enough markdown for the Graph docs: YAML front matter,
//! HTML comments (annotations among them), fences, headings, tab markers
//! (`# [HTTP](#tab/http)`) and `[!INCLUDE ...]` lines, which may sit between an annotation and
//! its block without breaking the pairing.

use crate::diag::{Diagnostic, LineIndex, Pos};

use super::annotation::{self, Annotation, BlockType};
use super::json_repair;

/// One line of the page, with its 1-based number and without its line ending.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Line<'a> {
    pub no: u32,
    pub text: &'a str,
}

/// A fenced code block.
#[derive(Debug, Clone)]
pub struct Fence<'a> {
    /// The info string, lower-cased (`http`, `msgraph-interactive`, `json`, ...).
    pub info: String,
    pub open_line: u32,
    pub lines: Vec<Line<'a>>,
}

/// A fenced block and the annotation written for it, if any.
#[derive(Debug, Clone)]
pub struct Block<'a> {
    pub annotation: Option<Annotation>,
    pub fence: Fence<'a>,
    /// Whether the block sits under an "HTTP request" heading: the URL syntax of the page,
    /// never an example, whatever its annotation or content.
    pub in_syntax: bool,
}

/// A row of a "Properties" table: `|name|type|description|`.
#[derive(Debug, Clone)]
pub struct PropertyRow {
    pub line: u32,
    pub name: String,
    pub type_text: String,
    pub description: String,
}

/// Everything the scan found on one page.
#[derive(Debug, Default)]
pub struct Scan<'a> {
    pub blocks: Vec<Block<'a>>,
    pub property_rows: Vec<PropertyRow>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Splits text into numbered lines, dropping `\r\n` and `\n` endings.
pub fn lines(text: &str) -> Vec<Line<'_>> {
    text.split('\n')
        .enumerate()
        .map(|(i, l)| Line { no: i as u32 + 1, text: l.strip_suffix('\r').unwrap_or(l) })
        .collect()
}

fn fence_marker(text: &str) -> Option<(char, usize, &str)> {
    let trimmed = text.trim_start();
    let c = trimmed.chars().next()?;
    if c != '`' && c != '~' {
        return None;
    }
    let n = trimmed.chars().take_while(|&x| x == c).count();
    (n >= 3).then(|| (c, n, trimmed[n..].trim()))
}

fn is_heading(text: &str) -> bool {
    let t = text.trim_start();
    let hashes = t.chars().take_while(|&c| c == '#').count();
    (1..=6).contains(&hashes) && t[hashes..].starts_with(' ')
}

/// `# [HTTP](#tab/http)`: a tab marker, which looks like a heading but is not one.
pub fn is_tab_marker(text: &str) -> bool {
    let t = text.trim();
    t.starts_with("# [") && t.contains("](#tab/")
}

/// "HTTP request" (also "HTTP requests"): the heading of a page's URL syntax.
pub fn is_syntax_title(title: &str) -> bool {
    title.eq_ignore_ascii_case("http request") || title.eq_ignore_ascii_case("http requests")
}

pub fn is_include(text: &str) -> bool {
    text.trim_start().starts_with("[!INCLUDE")
}

/// Scans a markdown page. `path` is only used to label diagnostics.
pub fn scan<'a>(path: &str, text: &'a str) -> Scan<'a> {
    let lines = lines(text);
    let mut scan = Scan::default();
    let mut i = skip_front_matter(path, &lines, &mut scan.diagnostics);
    let mut pending: Option<Annotation> = None;
    let mut unclosed = Unclosed::default();
    let mut in_properties = false;
    // The level of the "HTTP request" heading the scan is under, if any; a heading of that
    // level or above ends the section.
    let mut syntax_level: Option<usize> = None;

    while i < lines.len() {
        let line = lines[i];
        let trimmed = line.text.trim();

        if trimmed.starts_with("<!--") {
            let (end, comment) =
                read_comment(path, &lines, i, &mut unclosed, &mut scan.diagnostics);
            if let Some(ann) = parse_annotation(path, line.no, &comment, &mut scan.diagnostics) {
                if let Some(old) = pending.take() {
                    orphaned(path, &old, &mut scan.diagnostics);
                }
                pending = Some(ann);
            }
            i = end + 1;
            continue;
        }

        if let Some((c, n, info)) = fence_marker(line.text) {
            let (fence, next) =
                read_fence(path, &lines, i, (c, n, info), &mut unclosed, &mut scan.diagnostics);
            let in_syntax = syntax_level.is_some();
            scan.blocks.push(Block { annotation: pending.take(), fence, in_syntax });
            i = next;
            continue;
        }

        if is_heading(line.text) && !is_tab_marker(line.text) {
            let level = trimmed.chars().take_while(|&c| c == '#').count();
            let title = trimmed.trim_start_matches('#').trim().trim_end_matches('#').trim();
            in_properties = title.eq_ignore_ascii_case("properties");
            if syntax_level.is_some_and(|l| level <= l) {
                syntax_level = None;
            }
            if is_syntax_title(title) {
                syntax_level = Some(level);
            }
        } else if in_properties && trimmed.starts_with('|') {
            if let Some(row) = property_row(line) {
                scan.property_rows.push(row);
            }
        }

        if !trimmed.is_empty() && !is_tab_marker(line.text) {
            if let Some(ann) = pending.take() {
                // A permissions annotation names the `[!INCLUDE]` right after it; any other
                // annotation must be followed by its fenced block.
                if !(ann.block_type == Some(BlockType::Permissions) && is_include(line.text)) {
                    orphaned(path, &ann, &mut scan.diagnostics);
                }
            }
        }
        i += 1;
    }
    if let Some(ann) = pending {
        orphaned(path, &ann, &mut scan.diagnostics);
    }
    scan
}

fn orphaned(path: &str, ann: &Annotation, diags: &mut Vec<Diagnostic>) {
    if ann.block_type.as_ref().is_some_and(BlockType::wants_fence) {
        diags.push(Diagnostic::warning(
            path,
            Pos::line(ann.line),
            "annotation-without-block",
            "annotation is not followed by a fenced block; it applies to nothing",
        ));
    }
}

/// Returns the index of the first line after YAML front matter (0 when there is none).
fn skip_front_matter(path: &str, lines: &[Line<'_>], diags: &mut Vec<Diagnostic>) -> usize {
    if lines.first().is_none_or(|l| l.text.trim_end() != "---") {
        return 0;
    }
    match lines.iter().skip(1).position(|l| l.text.trim_end() == "---") {
        Some(p) => p + 2,
        None => {
            diags.push(Diagnostic::warning(
                path,
                Pos::line(1),
                "unclosed-front-matter",
                "front matter opened here is never closed; read the page as markdown from line 2",
            ));
            1
        }
    }
}

/// What earlier searches for a closing line found missing. A comment or fence that is never
/// closed makes the scan search the rest of the page; remembering that the search failed
/// keeps a page of many unclosed blocks linear instead of quadratic in its length.
#[derive(Debug, Default)]
struct Unclosed {
    /// No line after this index contains `-->`.
    comment_from: Option<usize>,
    /// `(c, n, start)`: no line after index `start` closes a fence of `n` or more `c`s, nor
    /// therefore a fence of more.
    fences: Vec<(char, usize, usize)>,
}

/// Reads an HTML comment starting at line `start`; returns the index of its last line and its
/// inner text.
fn read_comment(
    path: &str,
    lines: &[Line<'_>],
    start: usize,
    unclosed: &mut Unclosed,
    diags: &mut Vec<Diagnostic>,
) -> (usize, String) {
    let first = lines[start].text.trim_start();
    let first = &first[4..];
    if let Some(end) = first.find("-->") {
        return (start, first[..end].to_string());
    }
    if unclosed.comment_from.is_none_or(|from| start < from) {
        let mut inner = String::from(first);
        for (j, line) in lines.iter().enumerate().skip(start + 1) {
            inner.push('\n');
            if let Some(end) = line.text.find("-->") {
                inner.push_str(&line.text[..end]);
                return (j, inner);
            }
            inner.push_str(line.text);
        }
        unclosed.comment_from = Some(start);
    }
    // Never closed: HTML would swallow the rest of the page. End it at the first blank line
    // instead, so one broken comment cannot hide every example after it.
    let end = lines[start + 1..]
        .iter()
        .position(|l| l.text.trim().is_empty())
        .map_or(lines.len() - 1, |p| start + p);
    diags.push(Diagnostic::warning(
        path,
        Pos::line(lines[start].no),
        "unclosed-comment",
        format!("HTML comment opened here is never closed; ended it at line {}", lines[end].no),
    ));
    let inner = lines[start..=end].iter().map(|l| l.text).collect::<Vec<_>>().join("\n");
    (end, inner.trim_start().trim_start_matches("<!--").to_string())
}

/// Parses the comment body as an annotation when it looks like one (starts with `{`).
fn parse_annotation(
    path: &str,
    line: u32,
    comment: &str,
    diags: &mut Vec<Diagnostic>,
) -> Option<Annotation> {
    let json = comment.trim();
    if !json.starts_with('{') {
        return None;
    }
    // Positions inside the comment: the JSON starts on the comment's first line at some column.
    let offset_in_comment = comment.find('{').unwrap_or(0);
    let index = LineIndex::new(comment);
    let pos_of = |offset: usize| {
        let p = index.pos(comment, offset_in_comment + offset, line);
        // The first line of the comment starts after `<!--`.
        if p.line == line { Pos::new(p.line, p.col + 4) } else { p }
    };
    let value = match json_repair::parse(json) {
        Ok(parsed) => {
            for r in parsed.repairs {
                diags.push(Diagnostic::warning(
                    path,
                    pos_of(r.offset),
                    r.code,
                    format!("in annotation: {}", r.message),
                ));
            }
            parsed.value
        }
        Err(e) => {
            diags.push(Diagnostic::warning(
                path,
                pos_of(e.offset),
                "annotation-json",
                format!(
                    "annotation is not valid JSON ({}); the next block is read without it",
                    e.message
                ),
            ));
            return None;
        }
    };
    match annotation::interpret(&value, path, Pos::line(line), diags)? {
        annotation::Parsed::Block(ann) => Some(ann),
        annotation::Parsed::Page => None,
    }
}

/// Reads a fence opened at line `start`; returns it and the index of the line after it.
fn read_fence<'a>(
    path: &str,
    lines: &[Line<'a>],
    start: usize,
    (c, n, info): (char, usize, &str),
    unclosed: &mut Unclosed,
    diags: &mut Vec<Diagnostic>,
) -> (Fence<'a>, usize) {
    let info = info.split_whitespace().next().unwrap_or("").to_ascii_lowercase();
    let closes = |text: &str| {
        let t = text.trim();
        t.len() >= n && t.chars().all(|x| x == c)
    };
    let open_line = lines[start].no;
    let known_unclosed =
        unclosed.fences.iter().any(|&(c2, n2, s2)| c2 == c && n2 <= n && s2 <= start);
    let close = if known_unclosed {
        None
    } else {
        let found = lines[start + 1..].iter().position(|l| closes(l.text));
        if found.is_none() {
            unclosed.fences.push((c, n, start));
        }
        found
    };
    match close {
        Some(p) => {
            let end = start + 1 + p;
            (Fence { info, open_line, lines: lines[start + 1..end].to_vec() }, end + 1)
        }
        None => {
            // Never closed: CommonMark runs it to the end of the page. End it where the page
            // visibly moves on (a comment, a heading or another fence) instead.
            let end = lines[start + 1..]
                .iter()
                .position(|l| {
                    let t = l.text.trim_start();
                    t.starts_with("<!--")
                        || (is_heading(l.text) && !is_tab_marker(l.text))
                        || fence_marker(l.text).is_some()
                })
                .map_or(lines.len(), |p| start + 1 + p);
            let ended = match lines.get(end) {
                Some(l) => format!("ended it before line {}", l.no),
                None => "ended it at the end of the page".to_string(),
            };
            diags.push(Diagnostic::warning(
                path,
                Pos::line(open_line),
                "unclosed-fence",
                format!("code fence opened here is never closed; {ended}"),
            ));
            (Fence { info, open_line, lines: lines[start + 1..end].to_vec() }, end)
        }
    }
}

fn property_row(line: Line<'_>) -> Option<PropertyRow> {
    let cells: Vec<&str> = line.text.trim().trim_matches('|').split('|').map(str::trim).collect();
    if cells.len() < 2 {
        return None;
    }
    let name = cells[0];
    let is_separator = cells.iter().all(|c| c.chars().all(|x| matches!(x, '-' | ':' | ' ')));
    if is_separator || name.eq_ignore_ascii_case("property") || name.is_empty() {
        return None;
    }
    Some(PropertyRow {
        line: line.no,
        name: name.to_string(),
        type_text: cells[1].to_string(),
        description: cells.get(2..).map(|rest| rest.join("|")).unwrap_or_default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = "---\ntitle: x\n---\n\n# Title\n\n<!-- { \"blockType\": \"ignored\" } -->\n\n```http\nGET /things/{id}\n```\n\n# [HTTP](#tab/http)\n<!-- {\n  \"blockType\": \"request\",\n  \"name\": \"get_thing\"\n}-->\n``` msgraph-interactive\nGET https://graph.microsoft.com/beta/things/1\n```\n\n# [C#](#tab/csharp)\n[!INCLUDE [sample-code](x.md)]\n\n---\n\n<!-- {\n  \"blockType\": \"response\",\n  \"truncated\": true\n} -->\n```http\nHTTP/1.1 200 OK\n```\n";

    #[test]
    fn finds_blocks_with_their_annotations() {
        let scan = scan("p.md", PAGE);
        assert!(scan.diagnostics.is_empty(), "{:?}", scan.diagnostics);
        let kinds: Vec<_> = scan
            .blocks
            .iter()
            .map(|b| b.annotation.as_ref().and_then(|a| a.block_type.clone()))
            .collect();
        assert_eq!(
            kinds,
            [Some(BlockType::Ignored), Some(BlockType::Request), Some(BlockType::Response)]
        );
        let request = &scan.blocks[1];
        assert_eq!(request.fence.info, "msgraph-interactive");
        assert_eq!(request.fence.lines[0].no, 19);
        assert_eq!(request.annotation.as_ref().unwrap().line, 14);
    }

    #[test]
    fn unclosed_fence_ends_at_the_next_comment() {
        let text = "```http\nHTTP/1.1 204 No Content\n\n<!-- uuid: x -->\ntext\n";
        let scan = scan("p.md", text);
        assert_eq!(scan.blocks.len(), 1);
        assert_eq!(scan.blocks[0].fence.lines.len(), 2);
        assert_eq!(scan.diagnostics[0].code, "unclosed-fence");
        assert_eq!(
            scan.diagnostics[0].to_string(),
            "p.md:1:1: unclosed-fence: code fence opened here is never closed; ended it before line 4"
        );
    }

    #[test]
    fn annotation_without_block_is_reported() {
        let scan = scan("p.md", "<!-- { \"blockType\": \"request\" } -->\nSome prose.\n");
        assert_eq!(scan.diagnostics[0].code, "annotation-without-block");
        assert!(scan.blocks.is_empty());
    }

    #[test]
    fn permissions_annotation_before_include_is_fine() {
        let text = "<!-- { \"blockType\": \"permissions\", \"name\": \"p\" } -->\n[!INCLUDE [permissions-table](x.md)]\n";
        assert!(scan("p.md", text).diagnostics.is_empty());
    }

    #[test]
    fn broken_annotation_json_is_repaired_and_located() {
        let text = "<!-- {\n  \"blockType\": \"request\",\n  \"name\": \"x\",\n} -->\n```http\nGET https://h/x\n```\n";
        let scan = scan("p.md", text);
        assert_eq!(scan.diagnostics.len(), 1);
        assert_eq!(scan.diagnostics[0].code, "json-trailing-comma");
        assert_eq!(scan.diagnostics[0].pos, Pos::new(3, 14));
        assert!(scan.blocks[0].annotation.is_some());
    }

    #[test]
    fn properties_table_rows() {
        let text = "## Properties\n|Property|Type|Description|\n|:---|:---|:---|\n|id|String|The id.|\n|keys|[k](k.md) collection|Keys.|\n\n## Relationships\n|keys_v2|x|y|\n";
        let rows = scan("p.md", text).property_rows;
        let names: Vec<_> = rows.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["id", "keys"]);
        assert_eq!(rows[1].type_text, "[k](k.md) collection");
        assert_eq!(rows[0].line, 4);
    }
}
