//! The annotation grammar of the Graph docs: the JSON inside `<!-- { ... } -->` comments that
//! says what the next fenced block is (`blockType`) and how to read it (`name`, `truncated`,
//! `@odata.type`, `isCollection`, `isEmpty`, `expectError`, `optionalProperties`,
//! `nullableProperties`, and for resources `keyProperty`, `baseType`, `openType`).
//!
//! Authors write these by hand, so values come in more than one spelling (`true` and `"true"`,
//! a name or a list of names, `Collection(microsoft.graph.x)`); every spelling the docs use is
//! accepted, and anything else is reported rather than guessed.

use serde_json::{Map, Value};

use crate::diag::{Diagnostic, Pos};

/// What kind of block an annotation introduces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BlockType {
    Request,
    Response,
    Resource,
    /// A syntax block (`GET /me`) or anything else the doc tooling must not test.
    Ignored,
    /// A JSON example of a resource, outside any request.
    Example,
    /// Names the permissions table that follows (an `[!INCLUDE]`), no fenced block.
    Permissions,
}

impl BlockType {
    fn parse(s: &str) -> Option<Self> {
        Some(match s.to_ascii_lowercase().as_str() {
            "request" => BlockType::Request,
            "response" => BlockType::Response,
            "resource" => BlockType::Resource,
            "ignored" => BlockType::Ignored,
            "example" => BlockType::Example,
            "permissions" => BlockType::Permissions,
            _ => return None,
        })
    }

    /// Whether this kind of annotation describes the fenced block right after it.
    pub fn wants_fence(&self) -> bool {
        !matches!(self, BlockType::Permissions)
    }
}

/// A parsed block annotation.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Annotation {
    pub block_type: Option<BlockType>,
    /// `name` may be one string or a list; a response names the request(s) it answers.
    pub names: Vec<String>,
    pub truncated: bool,
    /// The OData type without a `Collection(...)` wrapper or a leading `#`.
    pub odata_type: Option<String>,
    pub is_collection: bool,
    pub is_empty: bool,
    pub expect_error: bool,
    pub optional_properties: Vec<String>,
    pub nullable_properties: Vec<String>,
    pub key_property: Option<String>,
    pub base_type: Option<String>,
    pub open_type: bool,
    /// Line of the `<!--` that opened the comment.
    pub line: u32,
}

/// Keys of the grammar that exemplar knows and deliberately does not use.
const KNOWN_UNUSED: &[&str] = &[
    "sampleKeys",
    "scopes",
    "tags",
    "target",
    "idempotent",
    "disableIdCheck",
    "section",
    "keywords",
    "description",
    "tocPath",
    "suppressions",
    "type",
    "isPageAnnotation",
];

/// What a comment's JSON turned out to be.
#[derive(Debug)]
pub enum Parsed {
    Block(Annotation),
    /// The `#page.annotation` comment at the end of a page: metadata, not a block.
    Page,
}

/// Interprets the JSON of an annotation comment that starts at `pos`. Problems are pushed
/// onto `diags`; the returned annotation holds what could be understood.
pub fn interpret(
    value: &Value,
    path: &str,
    pos: Pos,
    diags: &mut Vec<Diagnostic>,
) -> Option<Parsed> {
    let Some(obj) = value.as_object() else {
        diags.push(Diagnostic::warning(
            path,
            pos,
            "annotation-not-object",
            "annotation JSON is not an object; ignored",
        ));
        return None;
    };
    if obj.get("type").and_then(Value::as_str) == Some("#page.annotation") {
        return Some(Parsed::Page);
    }
    let mut ann = Annotation { line: pos.line, ..Annotation::default() };
    let mut reader = Fields { obj, path, pos, diags };
    match obj.get("blockType") {
        Some(Value::String(s)) => match BlockType::parse(s) {
            Some(t) => ann.block_type = Some(t),
            None => reader.warn(
                "annotation-block-type",
                format!("unknown blockType \"{s}\"; the block is treated as unannotated"),
            ),
        },
        Some(other) => reader
            .warn("annotation-block-type", format!("blockType must be a string, found {other}")),
        None => reader.warn(
            "annotation-block-type",
            "annotation has no blockType; the block is treated as unannotated",
        ),
    }
    ann.names = reader.names();
    ann.truncated = reader.flag("truncated");
    ann.is_collection = reader.flag("isCollection");
    ann.is_empty = reader.flag("isEmpty");
    ann.expect_error = reader.flag("expectError");
    ann.open_type = reader.flag("openType");
    ann.optional_properties = reader.strings("optionalProperties");
    ann.nullable_properties = reader.strings("nullableProperties");
    ann.key_property = reader.string("keyProperty");
    ann.base_type = reader.string("baseType");
    if let Some(t) = reader.string("@odata.type") {
        let t = t.trim().trim_start_matches('#');
        match t.strip_prefix("Collection(").and_then(|r| r.strip_suffix(')')) {
            Some(inner) => {
                ann.odata_type = Some(inner.trim().to_string());
                ann.is_collection = true;
            }
            None => ann.odata_type = Some(t.to_string()),
        }
    }
    for key in obj.keys() {
        let known = matches!(
            key.as_str(),
            "blockType"
                | "name"
                | "truncated"
                | "isCollection"
                | "isEmpty"
                | "expectError"
                | "openType"
                | "optionalProperties"
                | "nullableProperties"
                | "keyProperty"
                | "baseType"
                | "@odata.type"
        ) || KNOWN_UNUSED.contains(&key.as_str());
        if !known {
            reader.note(
                "annotation-unknown-key",
                format!(
                    "annotation key \"{key}\" is not part of the grammar exemplar knows; ignored"
                ),
            );
        }
    }
    Some(Parsed::Block(ann))
}

/// Reads typed fields out of an annotation object, reporting wrong types.
struct Fields<'a> {
    obj: &'a Map<String, Value>,
    path: &'a str,
    pos: Pos,
    diags: &'a mut Vec<Diagnostic>,
}

impl Fields<'_> {
    fn warn(&mut self, code: &'static str, message: impl Into<String>) {
        self.diags.push(Diagnostic::warning(self.path, self.pos, code, message));
    }

    fn note(&mut self, code: &'static str, message: impl Into<String>) {
        self.diags.push(Diagnostic::note(self.path, self.pos, code, message));
    }

    /// A boolean written as `true`, `"true"`, `false` or `"false"` (any case).
    fn flag(&mut self, key: &str) -> bool {
        match self.obj.get(key) {
            None | Some(Value::Null) => false,
            Some(Value::Bool(b)) => *b,
            Some(Value::String(s)) if s.eq_ignore_ascii_case("true") => true,
            Some(Value::String(s)) if s.eq_ignore_ascii_case("false") => false,
            Some(other) => {
                self.warn(
                    "annotation-value",
                    format!("`{key}` should be true or false, found {other}; read as false"),
                );
                false
            }
        }
    }

    fn string(&mut self, key: &str) -> Option<String> {
        match self.obj.get(key) {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(other) => {
                self.warn(
                    "annotation-value",
                    format!("`{key}` should be a string, found {other}; ignored"),
                );
                None
            }
        }
    }

    fn strings(&mut self, key: &str) -> Vec<String> {
        match self.obj.get(key) {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::String(s)) => vec![s.clone()],
            Some(Value::Array(items)) => {
                let mut out = Vec::new();
                for item in items {
                    match item {
                        Value::String(s) => out.push(s.clone()),
                        other => self.warn(
                            "annotation-value",
                            format!("`{key}` should list strings, found {other}; ignored"),
                        ),
                    }
                }
                out
            }
            Some(other) => {
                self.warn(
                    "annotation-value",
                    format!("`{key}` should be a list of strings, found {other}; ignored"),
                );
                Vec::new()
            }
        }
    }

    fn names(&mut self) -> Vec<String> {
        self.strings("name")
            .into_iter()
            .map(|n| n.trim().to_string())
            .filter(|n| !n.is_empty())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn parse(value: Value) -> (Option<Annotation>, Vec<Diagnostic>) {
        let mut diags = Vec::new();
        let parsed = interpret(&value, "p.md", Pos::line(4), &mut diags);
        let ann = match parsed {
            Some(Parsed::Block(a)) => Some(a),
            _ => None,
        };
        (ann, diags)
    }

    #[test]
    fn reads_every_key_of_the_grammar() {
        let (ann, diags) = parse(json!({
            "blockType": "response", "name": ["a", "b"], "truncated": "true",
            "@odata.type": "Collection(microsoft.graph.user)", "isEmpty": false,
            "expectError": true, "optionalProperties": ["x"], "nullableProperties": "y",
        }));
        let ann = ann.unwrap();
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!(ann.block_type, Some(BlockType::Response));
        assert_eq!(ann.names, ["a", "b"]);
        assert!(ann.truncated && ann.is_collection && ann.expect_error && !ann.is_empty);
        assert_eq!(ann.odata_type.as_deref(), Some("microsoft.graph.user"));
        assert_eq!(ann.optional_properties, ["x"]);
        assert_eq!(ann.nullable_properties, ["y"]);
        assert_eq!(ann.line, 4);
    }

    #[test]
    fn page_annotations_are_not_blocks() {
        let mut diags = Vec::new();
        let v = json!({"type": "#page.annotation", "description": "x"});
        assert!(matches!(interpret(&v, "p", Pos::line(1), &mut diags), Some(Parsed::Page)));
    }

    #[test]
    fn wrong_types_are_reported() {
        let (ann, diags) = parse(json!({"blockType": "request", "truncated": 3, "name": 5}));
        assert!(!ann.unwrap().truncated);
        let codes: Vec<_> = diags.iter().map(|d| d.code).collect();
        assert_eq!(codes, ["annotation-value", "annotation-value"]);
        let (ann, diags) = parse(json!({"blockType": "sample"}));
        assert_eq!(ann.unwrap().block_type, None);
        assert_eq!(diags[0].code, "annotation-block-type");
    }
}
