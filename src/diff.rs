//! The one diff module: JSON documents are normalised (keys sorted, pretty printed) and
//! compared line by line with `similar`'s Patience algorithm under a deadline, so a huge body
//! cannot stall a run; changed lines carry word-level emphasis. The result is data (hunks of
//! tagged lines); reporters decide whether to colour it.

use std::time::Duration;

use serde::Serialize;
use serde_json::{Map, Value};
use similar::{Algorithm, ChangeTag, TextDiff};

/// How long a diff may take before similar falls back to a coarser result.
const DEADLINE: Duration = Duration::from_millis(500);

/// One line of a diff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DiffLine {
    /// `-` (expected only), `+` (actual only) or ` ` (both).
    pub tag: char,
    /// The line's text in pieces; `true` marks the words that changed.
    pub segments: Vec<(bool, String)>,
}

impl DiffLine {
    pub fn text(&self) -> String {
        self.segments.iter().map(|(_, s)| s.as_str()).collect()
    }
}

/// A unified diff of two documents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diff {
    pub hunks: Vec<Hunk>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Hunk {
    /// `@@ -a,b +c,d @@`
    pub header: String,
    pub lines: Vec<DiffLine>,
}

impl Diff {
    /// Plain text in unified diff form, with `--- expected` / `+++ actual` headers.
    pub fn to_plain(&self, old_label: &str, new_label: &str) -> String {
        let mut out = format!("--- {old_label}\n+++ {new_label}\n");
        for hunk in &self.hunks {
            out.push_str(&hunk.header);
            out.push('\n');
            for line in &hunk.lines {
                out.push(line.tag);
                out.push_str(&line.text());
                out.push('\n');
            }
        }
        out
    }
}

/// A copy of `value` with the keys of every object sorted.
pub fn sorted(value: &Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            let mut out = Map::new();
            for k in keys {
                out.insert(k.clone(), sorted(&map[k]));
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.iter().map(sorted).collect()),
        other => other.clone(),
    }
}

/// Marks a [`type_placeholder`]: a control character no documented or received string holds
/// unescaped, so the text of a placeholder cannot be mistaken for a value.
const PLACEHOLDER: char = '\u{1}';

/// A stand-in for "a value of this JSON type" (`integer`) in an expected view, where the docs
/// give a type and no example value: [`normalise`] writes it `<integer>`, not as a string.
pub fn type_placeholder(word: &str) -> Value {
    Value::String(format!("{PLACEHOLDER}{word}{PLACEHOLDER}"))
}

/// The normalised text of a JSON document: sorted keys, two-space indent, final newline;
/// type placeholders are written `<type>`.
pub fn normalise(value: &Value) -> String {
    let mut text = serde_json::to_string_pretty(&sorted(value)).unwrap_or_default();
    text.push('\n');
    let marker = "\"\\u0001";
    if !text.contains(marker) {
        return text;
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text.as_str();
    while let Some(start) = rest.find(marker) {
        let after = &rest[start + marker.len()..];
        match after.find("\\u0001\"") {
            Some(end) if after[..end].chars().all(|c| c.is_ascii_alphabetic()) => {
                out.push_str(&rest[..start]);
                out.push('<');
                out.push_str(&after[..end]);
                out.push('>');
                rest = &after[end + "\\u0001\"".len()..];
            }
            _ => {
                out.push_str(&rest[..start + marker.len()]);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Diffs two texts; `None` when they are equal.
pub fn text_diff(old: &str, new: &str) -> Option<Diff> {
    if old == new {
        return None;
    }
    let diff =
        TextDiff::configure().algorithm(Algorithm::Patience).timeout(DEADLINE).diff_lines(old, new);
    let mut hunks = Vec::new();
    for group in diff.grouped_ops(3) {
        let (Some(first), Some(last)) = (group.first(), group.last()) else { continue };
        let old_start = first.old_range().start;
        let new_start = first.new_range().start;
        let old_len = last.old_range().end - old_start;
        let new_len = last.new_range().end - new_start;
        let header = format!("@@ -{},{} +{},{} @@", old_start + 1, old_len, new_start + 1, new_len);
        let mut lines = Vec::new();
        for op in &group {
            for change in diff.iter_inline_changes(op) {
                let tag = match change.tag() {
                    ChangeTag::Delete => '-',
                    ChangeTag::Insert => '+',
                    ChangeTag::Equal => ' ',
                };
                let segments = change
                    .iter_strings_lossy()
                    .map(|(emph, s)| (emph && tag != ' ', s.trim_end_matches('\n').to_string()))
                    .filter(|(_, s)| !s.is_empty())
                    .collect();
                lines.push(DiffLine { tag, segments });
            }
        }
        hunks.push(Hunk { header, lines });
    }
    Some(Diff { hunks })
}

/// Diffs two JSON documents after normalising both.
pub fn json_diff(expected: &Value, actual: &Value) -> Option<Diff> {
    text_diff(&normalise(expected), &normalise(actual))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_type_placeholder_is_written_as_a_type_not_a_string() {
        let view = json!({"nbf": type_placeholder("integer"), "use": "<integer>"});
        assert_eq!(normalise(&view), "{\n  \"nbf\": <integer>,\n  \"use\": \"<integer>\"\n}\n");
    }

    #[test]
    fn key_order_and_formatting_do_not_matter() {
        let a: Value = serde_json::from_str("{\"b\": 1, \"a\": [1,2]}").unwrap();
        let b: Value = serde_json::from_str("{\n  \"a\": [1, 2],\n  \"b\": 1\n}").unwrap();
        assert!(json_diff(&a, &b).is_none());
    }

    #[test]
    fn changed_lines_are_marked_with_emphasis() {
        let diff = json_diff(&json!({"id": "x", "n": 1}), &json!({"id": "x", "n": "1"})).unwrap();
        let plain = diff.to_plain("expected", "actual");
        assert_eq!(
            plain,
            "--- expected\n+++ actual\n@@ -1,4 +1,4 @@\n {\n   \"id\": \"x\",\n-  \"n\": 1\n+  \"n\": \"1\"\n }\n"
        );
        // Only the quotes were added; the digit is common to both lines.
        let added = diff.hunks[0].lines.iter().find(|l| l.tag == '+').unwrap();
        assert!(added.segments.iter().any(|(emph, s)| *emph && s.contains('"')), "{added:?}");
        let diff = json_diff(&json!({"kty": "RSA"}), &json!({"kty": "oct"})).unwrap();
        let removed = diff.hunks[0].lines.iter().find(|l| l.tag == '-').unwrap();
        let emphasised: Vec<_> =
            removed.segments.iter().filter(|(e, _)| *e).map(|(_, s)| s.as_str()).collect();
        assert_eq!(emphasised, ["RSA"], "{removed:?}");
    }

    #[test]
    fn huge_documents_finish() {
        let big: Vec<Value> = (0..20_000).map(|i| json!({"i": i})).collect();
        let mut other = big.clone();
        other.reverse();
        assert!(json_diff(&Value::Array(big), &Value::Array(other)).is_some());
    }
}
