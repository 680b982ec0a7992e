//! The case file format, version 1: one JSON file per documented example.
//!
//! A case has two kinds of content. Extraction owns `format`, `id`, `source`, `request` and
//! `response` and rewrites them whenever the docs change. Everything else (`tags`, `skip`,
//! `fixtures`, `bind`, `set`, `pin`, `ignore`, `optional`, `volatile`, `unordered`, `expect`) is written
//! by people and kept verbatim by re-extraction. Unknown fields are errors, so a typo in a
//! hand-written field is caught instead of silently ignored.
//!
//! The JSON Schema in `cases/case.schema.json` is generated from these types (`exemplar
//! schema case`), so the schema and the reader cannot drift apart.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::extract::JsonType;

/// The case format version this build reads and writes.
pub const FORMAT: u32 = 1;

fn is_false(b: &bool) -> bool {
    !*b
}

/// One contract test, derived from one documented example.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Case {
    /// Path of the JSON Schema of this format, for editors.
    #[serde(rename = "$schema", default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// Version of the case format.
    pub format: u32,
    /// Stable `::`-separated id: the doc path without extension, then the example name.
    pub id: String,
    /// Where the example was documented. Absent in hand-written cases.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<Source>,
    /// The documented request.
    pub request: Request,
    /// The documented response; absent when the doc shows none (the case is then skipped).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response: Option<Response>,

    /// Labels for selecting cases. Hand-written.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// When set, the case is not run and this reason is reported. Hand-written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skip: Option<String>,
    /// Setup steps this case needs, from the fixture catalogue. Hand-written.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fixtures: Vec<FixtureUse>,
    /// Values for the URL placeholders, e.g. `{"id": "{{set.id}}"}`. Hand-written.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub bind: BTreeMap<String, String>,
    /// Request body overrides by JSON pointer, e.g. `{"/id": "exemplar_{{unique}}"}`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub set: BTreeMap<String, Value>,
    /// Response values checked by equality, by JSON pointer. Hand-written.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub pin: BTreeMap<String, Value>,
    /// Response body JSON pointers (`*` matches any key or index) that are not checked at
    /// all. Hand-written.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ignore: Vec<String>,
    /// Response body JSON pointers (`*` matches any key or index) that may be absent, for
    /// examples that show every property of every variant. Hand-written.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub optional: Vec<String>,
    /// Response body JSON pointers redacted in snapshots, on top of the defaults.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub volatile: Vec<String>,
    /// Arrays (by JSON pointer) whose order does not matter. Hand-written.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unordered: Vec<String>,
    /// Deliberate departures from the documented response, each with its reason.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expect: Option<Expect>,
}

/// Where an example came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Source {
    /// The doc page, as `<root name>/<path inside the root>`.
    pub doc: String,
    /// `markdown` or `rendered`.
    pub form: String,
    /// The example's name on the page.
    pub example: String,
    /// Line of the request line.
    pub line: u32,
    /// Line of the status line of the documented response.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_line: Option<u32>,
    /// `sha256:<hex>` of the example's text in the doc.
    pub hash: String,
}

/// An HTTP header as documented.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Header {
    pub name: String,
    pub value: String,
}

/// The documented request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Request {
    pub method: String,
    /// URL as documented, with `{placeholders}`.
    pub url: String,
    /// Example values the doc shows for placeholders, by placeholder name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub params: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub headers: Vec<Header>,
    /// JSON body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<Value>,
    /// Body that is not JSON, verbatim.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body_text: Option<String>,
}

/// The documented response and how strictly to read it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Response {
    pub status: u16,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub reason: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub headers: Vec<Header>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body_text: Option<String>,
    /// The doc shortened the body: documented properties are required, others allowed.
    #[serde(default)]
    pub truncated: bool,
    /// OData type of the body (of its items, for collections).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub odata_type: Option<String>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub is_collection: bool,
    #[serde(default, skip_serializing_if = "is_false")]
    pub is_empty: bool,
    #[serde(default, skip_serializing_if = "is_false")]
    pub expect_error: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub optional_properties: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub nullable_properties: Vec<String>,
}

/// A fixture from the catalogue, instantiated for one case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FixtureUse {
    /// Name of the fixture in the catalogue.
    #[serde(rename = "use")]
    pub fixture: String,
    /// Name its captures are known by in this case (`{{as.capture}}`); defaults to `use`.
    #[serde(rename = "as", default, skip_serializing_if = "Option::is_none")]
    pub alias: Option<String>,
    /// Arguments of the fixture.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub with: BTreeMap<String, Value>,
}

/// Departures from the documented response that a person decided on, with a reason.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Expect {
    /// Why the documented example is not the expectation here.
    pub reason: String,
    /// Expected status instead of the documented one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// Expected body instead of the documented one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<Value>,
}

/// A documented resource type: its properties and their JSON types.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct TypeFile {
    #[serde(rename = "$schema", default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    pub format: u32,
    /// OData type name, e.g. `microsoft.graph.trustFrameworkKeySet`.
    #[serde(rename = "type")]
    pub name: String,
    pub source: TypeSource,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_property: Option<String>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub open_type: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub optional_properties: Vec<String>,
    pub properties: BTreeMap<String, PropertySpec>,
}

/// Where a type was documented.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TypeSource {
    pub doc: String,
    pub line: u32,
}

fn is_true(b: &bool) -> bool {
    *b
}

fn yes() -> bool {
    true
}

/// One property of a documented type.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PropertySpec {
    #[serde(rename = "type")]
    pub json_type: JsonType,
    /// JSON type of array items.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub items: Option<JsonType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub odata_type: Option<String>,
    /// The type as the docs name it.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub graph_type: String,
    /// False for write-only properties, which a response need not (and should not) contain.
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub readable: bool,
    #[serde(rename = "enum", default, skip_serializing_if = "Vec::is_empty")]
    pub enum_values: Vec<String>,
}
