//! Resource pages (`blockType: resource`): the documented property set of a type and the JSON
//! type of each property. Two sources on the page say the same thing in different ways: the
//! JSON representation (`"exp": "Integer"`, `"x5c": ["String"]`) and the Properties table
//! (`exp | Int64 | ...`). The JSON representation decides the property set; the table adds
//! what the JSON leaves out (types of placeholder values, enum values, whether a property can
//! be read back), and disagreements between the two are reported.

use serde_json::Value;

use crate::diag::{Diagnostic, Pos};

use super::annotation::Annotation;
use super::json_repair;
use super::markdown::{Fence, PropertyRow};

/// The JSON type of a property value.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    serde::Serialize,
    serde::Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum JsonType {
    String,
    Integer,
    Number,
    Boolean,
    Object,
    Array,
    Null,
    /// Anything goes (the docs do not say).
    Any,
}

impl JsonType {
    /// The JSON type of a concrete value.
    pub fn of(value: &Value) -> JsonType {
        match value {
            Value::Null => JsonType::Null,
            Value::Bool(_) => JsonType::Boolean,
            Value::Number(n) if n.is_i64() || n.is_u64() => JsonType::Integer,
            Value::Number(_) => JsonType::Number,
            Value::String(_) => JsonType::String,
            Value::Array(_) => JsonType::Array,
            Value::Object(_) => JsonType::Object,
        }
    }

    /// Whether a value of type `actual` is acceptable where `self` is documented.
    pub fn accepts(self, actual: JsonType) -> bool {
        self == actual
            || self == JsonType::Any
            || (self == JsonType::Number && actual == JsonType::Integer)
    }

    /// The type's name, as JSON Schema names it: `string`, `integer`, ...
    pub fn word(self) -> &'static str {
        match self {
            JsonType::String => "string",
            JsonType::Integer => "integer",
            JsonType::Number => "number",
            JsonType::Boolean => "boolean",
            JsonType::Object => "object",
            JsonType::Array => "array",
            JsonType::Null => "null",
            JsonType::Any => "any",
        }
    }

    /// The type in words, for messages: "a string", "an integer", ...
    pub fn phrase(self) -> &'static str {
        match self {
            JsonType::String => "a string",
            JsonType::Integer => "an integer",
            JsonType::Number => "a number",
            JsonType::Boolean => "a boolean",
            JsonType::Object => "an object",
            JsonType::Array => "an array",
            JsonType::Null => "null",
            JsonType::Any => "untyped",
        }
    }
}

/// One documented property of a type.
#[derive(Debug, Clone, PartialEq)]
pub struct Property {
    pub name: String,
    pub json_type: JsonType,
    /// For arrays: the JSON type of the items.
    pub items: Option<JsonType>,
    /// For objects (or arrays of objects): the OData type of the value.
    pub odata_type: Option<String>,
    /// The type as the docs name it (`Int64`, `String collection`, `trustFrameworkKey`).
    pub graph_type: String,
    /// False when the docs say the property is write-only ("not readable").
    pub readable: bool,
    /// Values listed as "possible values" in the description.
    pub enum_values: Vec<String>,
}

/// A documented resource type.
#[derive(Debug, Clone, PartialEq)]
pub struct ResourceType {
    pub name: String,
    pub line: u32,
    pub base_type: Option<String>,
    pub key_property: Option<String>,
    pub open_type: bool,
    pub optional_properties: Vec<String>,
    pub properties: Vec<Property>,
}

/// Builds the type a `resource` block describes. `rows` are the page's Properties table.
pub fn read(
    path: &str,
    annotation: &Annotation,
    fence: &Fence<'_>,
    rows: &[PropertyRow],
    diags: &mut Vec<Diagnostic>,
) -> Option<ResourceType> {
    let mut t = read_json(path, annotation, fence, diags)?;
    apply_table(path, &mut t, rows, diags);
    Some(t)
}

/// The type as a `resource` block's JSON representation gives it, before the Properties table
/// is read into it (see [`apply_table`]); several blocks of one type are [`merge`]d first.
pub fn read_json(
    path: &str,
    annotation: &Annotation,
    fence: &Fence<'_>,
    diags: &mut Vec<Diagnostic>,
) -> Option<ResourceType> {
    let Some(name) = annotation.odata_type.clone() else {
        diags.push(Diagnostic::error(
            path,
            Pos::line(annotation.line),
            "resource-without-type",
            "resource annotation has no `@odata.type`; the type cannot be recorded",
        ));
        return None;
    };
    let text = fence.lines.iter().map(|l| l.text).collect::<Vec<_>>().join("\n");
    let first_line = fence.lines.first().map_or(fence.open_line + 1, |l| l.no);
    let value = match json_repair::parse_located(path, &text, first_line, diags) {
        Ok(value) => value,
        Err((pos, message)) => {
            diags.push(Diagnostic::error(
                path,
                pos,
                "json-invalid",
                format!(
                    "resource JSON could not be repaired ({message}); only the Properties table is used"
                ),
            ));
            Value::Object(Default::default())
        }
    };
    let mut properties = Vec::new();
    if let Value::Object(map) = &value {
        for (key, sample) in map {
            if key.starts_with('@') {
                continue;
            }
            let (json_type, items, odata_type) = from_sample(sample);
            properties.push(Property {
                name: key.clone(),
                json_type,
                items,
                odata_type,
                graph_type: String::new(),
                readable: true,
                enum_values: Vec::new(),
            });
        }
    }
    properties.sort_by(|a, b| a.name.cmp(&b.name));
    Some(ResourceType {
        name,
        line: annotation.line,
        base_type: annotation.base_type.clone(),
        key_property: annotation.key_property.clone(),
        open_type: annotation.open_type,
        optional_properties: annotation.optional_properties.clone(),
        properties,
    })
}

/// Adds what the page's Properties table says to a type read from its JSON representation.
pub fn apply_table(
    path: &str,
    t: &mut ResourceType,
    rows: &[PropertyRow],
    diags: &mut Vec<Diagnostic>,
) {
    let properties = &mut t.properties;
    for row in rows {
        let (mut json_type, mut items, mut odata_type) = from_table_type(&row.type_text);
        let graph_type = plain_type(&row.type_text);
        let enum_values = enum_values(&row.description);
        match properties.iter_mut().find(|p| p.name == row.name) {
            Some(p) => {
                // A named type in the table and a string in the JSON: an enum type (its values
                // travel as strings), not a conflict. So is a type whose values are listed.
                let named = odata_type.is_some();
                let strings = |t: JsonType, items: Option<JsonType>| {
                    t == JsonType::String || items == Some(JsonType::String)
                };
                if named && (strings(p.json_type, p.items) || !enum_values.is_empty()) {
                    (json_type, items) = match json_type {
                        JsonType::Array => (JsonType::Array, Some(JsonType::String)),
                        _ => (JsonType::String, None),
                    };
                    odata_type = None;
                }
                let disagree = json_type != JsonType::Any
                    && p.json_type != JsonType::Any
                    && !p.json_type.accepts(json_type)
                    && !json_type.accepts(p.json_type);
                if disagree {
                    diags.push(Diagnostic::warning(
                        path,
                        Pos::line(row.line),
                        "resource-type-conflict",
                        format!(
                            "property `{}` is {} in the Properties table but {} in the JSON representation; the JSON representation is used",
                            row.name,
                            json_type.phrase(),
                            p.json_type.phrase()
                        ),
                    ));
                }
                if p.json_type == JsonType::Any {
                    p.json_type = json_type;
                }
                if p.items.is_none() || p.items == Some(JsonType::Any) {
                    p.items = items;
                }
                if p.odata_type.is_none() {
                    p.odata_type = odata_type;
                }
                p.graph_type = graph_type;
                p.readable = readable(&row.description);
                p.enum_values = enum_values;
            }
            None => {
                diags.push(Diagnostic::note(
                    path,
                    Pos::line(row.line),
                    "resource-property-not-in-json",
                    format!("property `{}` is in the Properties table but not in the JSON representation; recorded from the table", row.name),
                ));
                properties.push(Property {
                    name: row.name.clone(),
                    json_type,
                    items,
                    odata_type,
                    graph_type,
                    readable: readable(&row.description),
                    enum_values,
                });
            }
        }
    }
    properties.sort_by(|a, b| a.name.cmp(&b.name));
}

/// Folds a second `resource` block of the same type on one page into the first, so that the
/// page gives one type file whatever the number of blocks: the properties of both, the first
/// block's reading where the two disagree (reported), the first key and base type given, and
/// the optional properties of both.
pub fn merge(
    path: &str,
    into: &mut ResourceType,
    other: ResourceType,
    diags: &mut Vec<Diagnostic>,
) {
    diags.push(Diagnostic::note(
        path,
        Pos::line(other.line),
        "resource-merged",
        format!(
            "another resource block for `{}` is at line {}; the two are merged into one type",
            other.name, into.line
        ),
    ));
    for q in other.properties {
        match into.properties.iter_mut().find(|p| p.name == q.name) {
            None => into.properties.push(q),
            Some(p) => {
                let disagree = p.json_type != JsonType::Any
                    && q.json_type != JsonType::Any
                    && !p.json_type.accepts(q.json_type)
                    && !q.json_type.accepts(p.json_type);
                if disagree {
                    diags.push(Diagnostic::warning(
                        path,
                        Pos::line(other.line),
                        "resource-type-conflict",
                        format!(
                            "property `{}` is {} in this resource block but {} in the one at line {}; the first is used",
                            q.name,
                            q.json_type.phrase(),
                            p.json_type.phrase(),
                            into.line
                        ),
                    ));
                }
                if p.json_type == JsonType::Any {
                    p.json_type = q.json_type;
                }
                if p.items.is_none() || p.items == Some(JsonType::Any) {
                    p.items = q.items;
                }
                if p.odata_type.is_none() {
                    p.odata_type = q.odata_type;
                }
                if p.graph_type.is_empty() {
                    p.graph_type = q.graph_type;
                }
                p.readable &= q.readable;
                for v in q.enum_values {
                    if !p.enum_values.contains(&v) {
                        p.enum_values.push(v);
                    }
                }
            }
        }
    }
    into.properties.sort_by(|a, b| a.name.cmp(&b.name));
    if into.base_type.is_none() {
        into.base_type = other.base_type;
    }
    if into.key_property.is_none() {
        into.key_property = other.key_property;
    }
    into.open_type |= other.open_type;
    for o in other.optional_properties {
        if !into.optional_properties.contains(&o) {
            into.optional_properties.push(o);
        }
    }
}

/// The JSON type a placeholder value in a JSON representation stands for.
fn from_sample(sample: &Value) -> (JsonType, Option<JsonType>, Option<String>) {
    match sample {
        Value::String(s) => (scalar_name(s), None, None),
        Value::Array(items) => match items.first() {
            Some(first) => {
                let (t, _, odata) = from_sample(first);
                (JsonType::Array, Some(t), odata)
            }
            None => (JsonType::Array, Some(JsonType::Any), None),
        },
        Value::Object(map) => {
            let odata = map
                .get("@odata.type")
                .and_then(Value::as_str)
                .map(|t| t.trim_start_matches('#').to_string());
            (JsonType::Object, None, odata)
        }
        Value::Null => (JsonType::Any, None, None),
        other => (JsonType::of(other), None, None),
    }
}

/// Maps a Graph/EDM type name (`String`, `Int64`, `Boolean`, ...) to a JSON type.
fn scalar_name(name: &str) -> JsonType {
    let base = name
        .split(['(', ' '])
        .next()
        .unwrap_or("")
        .trim()
        .trim_start_matches("Edm.")
        .to_ascii_lowercase();
    match base.as_str() {
        "string" | "guid" | "datetimeoffset" | "date" | "timeofday" | "duration" | "binary" => {
            JsonType::String
        }
        "int" | "int16" | "int32" | "int64" | "integer" | "byte" | "sbyte" => JsonType::Integer,
        "double" | "single" | "decimal" | "float" | "number" => JsonType::Number,
        "boolean" | "bool" => JsonType::Boolean,
        _ => JsonType::Any,
    }
}

/// Removes markdown links: `[trustFrameworkKey](../x.md) collection` → `trustFrameworkKey collection`.
fn plain_type(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(open) = rest.find('[') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after
            .find("](")
            .and_then(|close| after[close..].find(')').map(|end| (close, close + end)))
        {
            Some((close, end)) => {
                out.push_str(&after[..close]);
                rest = &after[end + 1..];
            }
            None => {
                out.push('[');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The JSON type a Properties-table type denotes.
fn from_table_type(text: &str) -> (JsonType, Option<JsonType>, Option<String>) {
    let plain = plain_type(text);
    let (base, collection) = match plain.strip_suffix(" collection") {
        Some(b) => (b.trim(), true),
        None => (plain.as_str(), false),
    };
    let scalar = scalar_name(base);
    // A named type that is not a primitive is an object (a complex or entity type) unless it
    // is an enum, which the table cannot tell apart; leave it untyped rather than guess.
    let linked = text.contains("](");
    let (t, odata) = match scalar {
        JsonType::Any if linked => (JsonType::Object, Some(format!("microsoft.graph.{base}"))),
        other => (other, None),
    };
    if collection { (JsonType::Array, Some(t), odata) } else { (t, None, odata) }
}

fn readable(description: &str) -> bool {
    let d = description.to_ascii_lowercase();
    ![
        "not readable",
        "can't be read",
        "cannot be read",
        "can not be read",
        "write-only",
        "write only",
    ]
    .iter()
    .any(|p| d.contains(p))
}

/// Values listed after "possible values are" / "valid values are", in backticks.
fn enum_values(description: &str) -> Vec<String> {
    let lower = description.to_ascii_lowercase();
    let Some(at) = ["possible values are", "valid values are", "the possible values are"]
        .iter()
        .filter_map(|p| lower.find(p))
        .min()
    else {
        return Vec::new();
    };
    let tail = &description[at..];
    let tail = &tail[..tail.find(". ").map_or(tail.len(), |p| p + 1)];
    let mut values = Vec::new();
    let mut parts = tail.split('`');
    parts.next();
    while let Some(v) = parts.next() {
        if !v.is_empty() {
            values.push(v.to_string());
        }
        parts.next();
    }
    values
}

#[cfg(test)]
mod tests {
    use super::super::markdown::scan;
    use super::*;

    const PAGE: &str = "## Properties\n|Property|Type|Description|\n|:---|:---|:---|\n|exp|Int64|Expiry.|\n|k|String|Key. The field is not readable.|\n|status|keyStatus|Status. The possible values are: `enabled`, `disabled`.|\n|use|String|Use.|\n|keys|[key](key.md) collection|Keys.|\n\n<!-- {\n  \"blockType\": \"resource\",\n  \"@odata.type\": \"microsoft.graph.thing\",\n  \"keyProperty\": \"id\"\n}-->\n```json\n{\n  \"@odata.type\": \"#microsoft.graph.thing\",\n  \"exp\": \"Integer\",\n  \"k\": \"String\",\n  \"status\": \"String\"\n  \"use\": 5,\n  \"keys\": [{\"@odata.type\": \"microsoft.graph.key\"}]\n}\n```\n";

    fn resource() -> (ResourceType, Vec<Diagnostic>) {
        let scan = scan("r.md", PAGE);
        let block = &scan.blocks[0];
        let mut diags = scan.diagnostics.clone();
        let t = read(
            "r.md",
            block.annotation.as_ref().unwrap(),
            &block.fence,
            &scan.property_rows,
            &mut diags,
        )
        .unwrap();
        (t, diags)
    }

    #[test]
    fn combines_json_and_table() {
        let (t, _) = resource();
        assert_eq!(t.name, "microsoft.graph.thing");
        assert_eq!(t.key_property.as_deref(), Some("id"));
        let get = |n: &str| t.properties.iter().find(|p| p.name == n).unwrap().clone();
        assert_eq!(get("exp").json_type, JsonType::Integer);
        assert_eq!(get("exp").graph_type, "Int64");
        assert!(!get("k").readable);
        assert_eq!(get("status").enum_values, ["enabled", "disabled"]);
        assert_eq!(get("status").json_type, JsonType::String);
        let keys = get("keys");
        assert_eq!(
            (keys.json_type, keys.items, keys.odata_type.as_deref()),
            (JsonType::Array, Some(JsonType::Object), Some("microsoft.graph.key"))
        );
    }

    #[test]
    fn reports_repairs_and_conflicts() {
        let (_, diags) = resource();
        let codes: Vec<_> = diags.iter().map(|d| (d.code, d.pos.line)).collect();
        assert!(codes.contains(&("json-missing-comma", 21)), "{codes:?}");
        assert!(codes.contains(&("resource-type-conflict", 7)), "{codes:?}");
    }

    #[test]
    fn plain_type_strips_links() {
        assert_eq!(
            plain_type("[trustFrameworkKey](../x.md) collection"),
            "trustFrameworkKey collection"
        );
        assert_eq!(plain_type("[broken"), "[broken");
    }
}
