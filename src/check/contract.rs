//! The doc contract: the documented example is the expectation.
//!
//! - The status is compared exactly, documented headers must be present, and `Content-Type`
//!   is compared by media type (parameters such as `charset` are ignored).
//! - The body is compared per field. A documented value that the request also sent at the
//!   same place is an echo and is compared by equality with what was actually sent; a value
//!   the case pins is compared by equality; every other documented value is an example
//!   (`"k-value"`, `99`, a date) and only its JSON type is checked.
//! - `truncated` makes the documented properties required and allows others; otherwise the
//!   property set must match. Properties the resource page says cannot be read back, and the
//!   annotation's `optionalProperties`, may be absent. With a documented `@odata.type` the
//!   resource page's property list and types apply too.
//! - Object key order and formatting never matter; array order does unless the case lists
//!   the array as unordered.
//!
//! Besides the deviations, the check builds an *expected view* of the body: the actual body
//! where it conforms, the documented value where it does not. Diffing that view against the
//! actual body shows exactly the deviations, not every placeholder.

use std::time::Duration;

use serde::Serialize;
use serde_json::{Map, Value};

use crate::case::Case;
use crate::case::TypeFile;
use crate::case::model::PropertySpec;
use crate::extract::JsonType;
use crate::plan::template::Vars;
use crate::pointer::Pattern;

use super::deviation::{Code, Deviation, Finding};
use super::types::{TypeRegistry, normalise};

/// What the target sent back.
#[derive(Debug, Clone, Copy)]
pub struct Observed<'a> {
    pub status: u16,
    pub headers: &'a [(String, String)],
    pub body: &'a [u8],
    /// The body read as JSON: `None` when it is empty or only whitespace.
    pub json: Option<Result<&'a Value, &'a serde_json::Error>>,
    pub elapsed: Duration,
}

/// How strict a passing check was: a green result says what it proved.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Strictness {
    /// Values compared by equality (echoes and pins).
    pub by_value: u32,
    /// Documented example values whose JSON type alone was checked.
    pub by_type: u32,
    /// Values not checked because the case ignores them.
    pub ignored: u32,
    /// The body was documented as truncated: extra properties were allowed.
    pub truncated: bool,
    /// A resource type's property list was applied.
    pub typed: bool,
    /// Items of a listed collection that this case's fixtures did not create: other cases (or
    /// other people, on a real tenant) hold them, so they are left out of the check.
    pub others: u32,
}

/// The result of checking one response.
#[derive(Debug, Clone, Default)]
pub struct Checked {
    pub deviations: Vec<Deviation>,
    pub strictness: Strictness,
    /// The expected view of the body (see the module docs), when a body was documented.
    pub expected: Option<Value>,
    /// The actual body, when it was JSON and the check found deviations (for the diff).
    pub actual: Option<Value>,
}

/// Everything the contract check consults.
#[derive(Debug, Clone, Copy)]
pub struct Contract<'a> {
    pub case: &'a Case,
    pub types: &'a TypeRegistry,
    /// The body actually sent (after overrides), for echoes.
    pub sent_body: Option<&'a Value>,
    pub vars: &'a Vars,
    /// A response slower than this is a deviation.
    pub slow: Option<Duration>,
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
}

use crate::observe::media_type;

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// Checks one response against its case.
pub fn check(contract: Contract<'_>, observed: Observed<'_>) -> Checked {
    let mut out = Checked::default();
    let case = contract.case;
    let Some(doc) = &case.response else { return out };
    let expect = case.expect.as_ref();
    let expected_status = expect.and_then(|e| e.status).unwrap_or(doc.status);
    let doc_body = expect.and_then(|e| e.body.as_ref()).or(doc.body.as_ref());

    if observed.status != expected_status {
        out.deviations.push(Deviation::new(
            Code::StatusMismatch,
            "status",
            Finding::value(expected_status),
            Finding::value(observed.status),
        ));
    }
    let same_class = observed.status / 100 == expected_status / 100;
    headers(doc, doc_body.is_some(), &observed, &mut out.deviations);
    if let Some(slow) = contract.slow {
        if observed.elapsed > slow {
            out.deviations.push(Deviation::new(
                Code::ResponseSlow,
                "time",
                Finding::AtMostMs { ms: millis(slow) },
                Finding::TookMs { ms: millis(observed.elapsed) },
            ));
        }
    }
    body(contract, doc, doc_body, &observed, same_class, &mut out);
    // Only a failing check is shown with a diff; a passing one need not copy the body.
    if !out.deviations.is_empty() {
        out.actual = observed.json.and_then(|a| a.ok().cloned());
    }
    out
}

/// The documented headers are there, and the documented media type when there is a body.
fn headers(
    doc: &crate::case::model::Response,
    doc_has_body: bool,
    observed: &Observed<'_>,
    deviations: &mut Vec<Deviation>,
) {
    for h in &doc.headers {
        let name = h.name.to_ascii_lowercase();
        if name == "content-type" || name == "content-length" {
            continue;
        }
        if header(observed.headers, &h.name).is_none() {
            deviations.push(Deviation::new(
                Code::HeaderMissing,
                format!("header:{}", h.name),
                Finding::Present,
                Finding::Absent,
            ));
        }
    }
    let has_body = observed.json.is_some();
    if let Some(doc_ct) = doc.headers.iter().find(|h| h.name.eq_ignore_ascii_case("content-type")) {
        if has_body || doc_has_body {
            let want = media_type(&doc_ct.value);
            let got = header(observed.headers, "content-type").map(media_type);
            if got.as_deref() != Some(want.as_str()) && (has_body || got.is_some()) {
                deviations.push(Deviation::new(
                    Code::ContentTypeMismatch,
                    "header:Content-Type",
                    Finding::MediaType { media_type: want },
                    got.map_or(Finding::Absent, |media_type| Finding::MediaType { media_type }),
                ));
            }
        }
    }
}

/// The body against the documented one: there when documented, JSON, and member by member
/// as strict as the case says (see the module docs); `out.expected` gets the expected view.
fn body(
    contract: Contract<'_>,
    doc: &crate::case::model::Response,
    doc_body: Option<&Value>,
    observed: &Observed<'_>,
    same_class: bool,
    out: &mut Checked,
) {
    match (doc_body, observed.json) {
        (None, Some(_)) if matches!(doc.status, 204 | 304) && same_class => {
            out.deviations.push(Deviation::new(
                Code::BodyUnexpected,
                "body",
                Finding::NoBody,
                Finding::Bytes { count: u64::try_from(observed.body.len()).unwrap_or(u64::MAX) },
            ));
        }
        (None, _) => {}
        (Some(d), None) => {
            if same_class && !doc.is_empty {
                out.deviations.push(Deviation::new(
                    Code::BodyMissing,
                    "body",
                    Finding::Body { json_type: JsonType::of(d) },
                    Finding::NoBody,
                ));
            }
            out.expected = Some(d.clone());
        }
        (Some(d), Some(Err(e))) => {
            let snippet: String = String::from_utf8_lossy(observed.body).chars().take(80).collect();
            out.deviations.push(Deviation::new(
                Code::BodyInvalidJson,
                "body",
                Finding::Json,
                Finding::InvalidJson { error: e.to_string(), start: snippet },
            ));
            out.expected = Some(d.clone());
        }
        (Some(d), Some(Ok(a))) if same_class => {
            let mut walker = Walker {
                contract,
                deviations: Vec::new(),
                strictness: Strictness { truncated: doc.truncated, ..Strictness::default() },
            };
            let root_type = if doc.is_collection { None } else { doc.odata_type.as_deref() };
            if doc.is_collection {
                walker.collection(a);
            }
            let mut view = walker.value(d, a, String::new(), root_type, true);
            walker.pins(a, &mut view);
            out.deviations.extend(walker.deviations);
            out.strictness = walker.strictness;
            out.expected = Some(view);
        }
        (Some(d), Some(Ok(_))) => out.expected = Some(d.clone()),
    }
}

struct Walker<'a> {
    contract: Contract<'a>,
    deviations: Vec<Deviation>,
    strictness: Strictness,
}

impl<'a> Walker<'a> {
    fn case(&self) -> &'a Case {
        self.contract.case
    }

    fn truncated(&self) -> bool {
        self.case().response.as_ref().is_some_and(|r| r.truncated)
    }

    /// Whether a pin stands for `ptr` (pins are checked on their own).
    fn pinned(&self, ptr: &str) -> bool {
        self.case().pin.keys().any(|p| Pattern::new(p).matches(ptr))
    }

    fn ignored(&self, ptr: &str) -> bool {
        self.case().ignore.iter().any(|i| Pattern::new(i).covers(ptr))
    }

    fn optional(&self, key: &str, ptr: &str, parent_type: Option<&str>) -> bool {
        let doc = self.case().response.as_ref();
        let listed = doc.is_some_and(|r| r.optional_properties.iter().any(|p| p == key))
            || self.case().optional.iter().any(|o| Pattern::new(o).matches(ptr));
        let unreadable =
            self.contract.types.property(parent_type, key).is_some_and(|p| !p.readable);
        let annotation = key.starts_with('@') || key.contains("@odata.");
        listed || unreadable || annotation
    }

    fn nullable(&self, key: &str) -> bool {
        self.case()
            .response
            .as_ref()
            .is_some_and(|r| r.nullable_properties.iter().any(|p| p == key))
    }

    /// Graph collections are `{"value": [...]}`.
    fn collection(&mut self, actual: &Value) {
        let value = actual.get("value");
        match value {
            Some(Value::Array(items)) => {
                if self.case().response.as_ref().is_some_and(|r| r.is_empty) && !items.is_empty() {
                    self.deviations.push(Deviation::new(
                        Code::NotEmpty,
                        "/value",
                        Finding::EmptyCollection,
                        Finding::Items {
                            count: u64::try_from(items.len()).unwrap_or(u64::MAX),
                            by: None,
                        },
                    ));
                }
            }
            _ => self.deviations.push(Deviation::new(
                Code::CollectionMismatch,
                "/value",
                Finding::ValueArray,
                value.map_or(Finding::Absent, |v| Finding::of_type(JsonType::of(v))),
            )),
        }
    }

    /// Checks `actual` against the documented `doc` at `ptr`; returns the expected view.
    fn value(
        &mut self,
        doc: &Value,
        actual: &Value,
        ptr: String,
        type_name: Option<&str>,
        root: bool,
    ) -> Value {
        if self.ignored(&ptr) {
            self.strictness.ignored += 1;
            return actual.clone();
        }
        if self.pinned(&ptr) {
            // Pins are checked on their own (see `pins`).
            return actual.clone();
        }
        match (doc, actual) {
            (Value::Object(d), Value::Object(a)) => {
                Value::Object(self.object(d, a, &ptr, type_name, root))
            }
            (Value::Array(d), Value::Array(a)) => Value::Array(self.array(d, a, &ptr, type_name)),
            (Value::Null, _) => {
                // A documented null says nothing about the type.
                self.strictness.by_type += 1;
                actual.clone()
            }
            (d, a) if !d.is_object() && !d.is_array() && !a.is_object() && !a.is_array() => {
                self.leaf(d, a, &ptr)
            }
            (d, a) => {
                self.deviations.push(Deviation::new(
                    Code::TypeMismatch,
                    ptr,
                    Finding::of_type(JsonType::of(d)),
                    Finding::value(a.clone()),
                ));
                d.clone()
            }
        }
    }

    fn leaf(&mut self, doc: &Value, actual: &Value, ptr: &str) -> Value {
        let documented_request = self.case().request.body.as_ref().and_then(|b| b.pointer(ptr));
        if documented_request == Some(doc) {
            // The example echoes the request: compare with what was actually sent.
            self.strictness.by_value += 1;
            let sent = self.contract.sent_body.and_then(|b| b.pointer(ptr)).unwrap_or(doc);
            if !same_value(sent, actual) {
                self.deviations.push(Deviation::new(
                    Code::ValueMismatch,
                    ptr,
                    Finding::Sent { value: sent.clone(), by: None },
                    Finding::value(actual.clone()),
                ));
                return sent.clone();
            }
            return actual.clone();
        }
        self.strictness.by_type += 1;
        let key = ptr.rsplit('/').next().unwrap_or("");
        if actual.is_null() && self.nullable(key) {
            return actual.clone();
        }
        if !JsonType::of(doc).accepts(JsonType::of(actual)) {
            self.deviations.push(Deviation::new(
                Code::TypeMismatch,
                ptr,
                Finding::of_type(JsonType::of(doc)),
                Finding::value(actual.clone()),
            ));
            return doc.clone();
        }
        actual.clone()
    }

    fn object(
        &mut self,
        doc: &Map<String, Value>,
        actual: &Map<String, Value>,
        ptr: &str,
        type_name: Option<&str>,
        root: bool,
    ) -> Map<String, Value> {
        let types = self.contract.types;
        let known_type = type_name.and_then(|t| types.get(t));
        if known_type.is_some() {
            self.strictness.typed = true;
        }
        let mut view = Map::new();
        for (key, dv) in doc {
            let child = crate::pointer::child(ptr, key);
            match actual.get(key) {
                Some(av) => {
                    let child_type = self.child_type(type_name, key, root);
                    let v = if key == "@odata.type" {
                        self.odata_type(dv.as_str(), av, &child)
                    } else {
                        self.value(dv, av, child, child_type.as_deref(), false)
                    };
                    view.insert(key.clone(), v);
                }
                None if self.optional(key, &child, type_name)
                    || self.ignored(&child)
                    || self.pinned(&child) => {}
                None => {
                    self.deviations.push(Deviation::new(
                        Code::PropertyMissing,
                        child,
                        Finding::of_type(JsonType::of(dv)),
                        Finding::Absent,
                    ));
                    view.insert(key.clone(), dv.clone());
                }
            }
        }
        for (key, av) in actual {
            if !doc.contains_key(key) {
                self.undocumented(key, av, ptr, type_name, known_type, &mut view);
            }
        }
        view
    }

    /// A member the documentation does not show: ignored, an annotation, a property of the
    /// type (checked against its spec), or unexpected (undocumented when the example is
    /// truncated).
    fn undocumented(
        &mut self,
        key: &str,
        av: &Value,
        ptr: &str,
        type_name: Option<&str>,
        known_type: Option<&TypeFile>,
        view: &mut Map<String, Value>,
    ) {
        let child = crate::pointer::child(ptr, key);
        if self.ignored(&child) {
            self.strictness.ignored += 1;
            view.insert(key.to_string(), av.clone());
            return;
        }
        if key == "@odata.type" {
            let v = self.odata_type(type_name, av, &child);
            view.insert(key.to_string(), v);
            return;
        }
        if key.starts_with('@') || key.contains("@odata.") {
            view.insert(key.to_string(), av.clone());
            return;
        }
        match (known_type, known_type.and_then(|t| t.properties.get(key))) {
            (Some(_), Some(spec)) => {
                let v = self.spec(spec, av, &child);
                view.insert(key.to_string(), v);
            }
            (Some(t), None) if !t.open_type => {
                let code = if self.truncated() {
                    Code::PropertyUndocumented
                } else {
                    Code::PropertyUnexpected
                };
                let expected = if self.truncated() {
                    Finding::PropertiesOf { type_name: t.name.clone() }
                } else {
                    Finding::NoSuchProperty
                };
                self.deviations.push(Deviation::new(
                    code,
                    child,
                    expected,
                    Finding::value(av.clone()),
                ));
            }
            _ if !self.truncated() => {
                self.deviations.push(Deviation::new(
                    Code::PropertyUnexpected,
                    child,
                    Finding::NoSuchProperty,
                    Finding::value(av.clone()),
                ));
            }
            _ => {
                view.insert(key.to_string(), av.clone());
            }
        }
    }

    /// The type of the value of property `key` of an object of type `parent`.
    fn child_type(&self, parent: Option<&str>, key: &str, root: bool) -> Option<String> {
        let doc = self.case().response.as_ref()?;
        if root && doc.is_collection && key == "value" {
            return doc.odata_type.clone();
        }
        self.contract.types.property(parent, key).and_then(|p| p.odata_type.clone())
    }

    /// Checks an undocumented-in-the-example property against its resource type.
    fn spec(&mut self, spec: &PropertySpec, actual: &Value, ptr: &str) -> Value {
        self.strictness.by_type += 1;
        let t = JsonType::of(actual);
        if actual.is_null() || spec.json_type.accepts(t) {
            if let (Value::String(s), false) = (actual, spec.enum_values.is_empty()) {
                if !spec.enum_values.iter().any(|e| e.eq_ignore_ascii_case(s)) {
                    self.deviations.push(Deviation::new(
                        Code::EnumMismatch,
                        ptr,
                        Finding::OneOf { values: spec.enum_values.clone() },
                        Finding::value(actual.clone()),
                    ));
                }
            }
            if let (Value::Array(items), Some(item_type)) = (actual, spec.items) {
                for (i, item) in items.iter().enumerate() {
                    if !item_type.accepts(JsonType::of(item)) && !item.is_null() {
                        self.deviations.push(Deviation::new(
                            Code::TypeMismatch,
                            format!("{ptr}/{i}"),
                            Finding::of_type(item_type),
                            Finding::value(item.clone()),
                        ));
                    }
                }
            }
            actual.clone()
        } else {
            self.deviations.push(Deviation::new(
                Code::TypeMismatch,
                ptr,
                Finding::of_type(spec.json_type),
                Finding::value(actual.clone()),
            ));
            crate::diff::type_placeholder(spec.json_type.word())
        }
    }

    /// `@odata.type` must name the documented type (a leading `#` and case do not matter).
    fn odata_type(&mut self, expected: Option<&str>, actual: &Value, ptr: &str) -> Value {
        let Some(want) = expected else { return actual.clone() };
        match actual.as_str() {
            Some(got) if normalise(got) == normalise(want) => actual.clone(),
            _ => {
                self.deviations.push(Deviation::new(
                    Code::OdataTypeMismatch,
                    ptr,
                    Finding::value(format!("#{}", want.trim_start_matches('#'))),
                    Finding::value(actual.clone()),
                ));
                Value::String(format!("#{}", want.trim_start_matches('#')))
            }
        }
    }

    fn array(
        &mut self,
        doc: &[Value],
        actual: &[Value],
        ptr: &str,
        item_type: Option<&str>,
    ) -> Vec<Value> {
        match doc {
            // An empty documented array shows no item shape; the type was checked.
            [] => {
                self.strictness.by_type += 1;
                actual.to_vec()
            }
            // One documented item is a sample: every actual item must have its shape.
            [sample] => actual
                .iter()
                .enumerate()
                .map(|(i, a)| self.value(sample, a, format!("{ptr}/{i}"), item_type, false))
                .collect(),
            _ => {
                let unordered = self.case().unordered.iter().any(|u| u == ptr);
                let (doc, actual): (Vec<Value>, Vec<Value>) = if unordered {
                    let mut d = doc.to_vec();
                    let mut a = actual.to_vec();
                    d.sort_by_key(crate::diff::normalise);
                    a.sort_by_key(crate::diff::normalise);
                    (d, a)
                } else {
                    (doc.to_vec(), actual.to_vec())
                };
                let mut view = Vec::new();
                for (i, d) in doc.iter().enumerate() {
                    match actual.get(i) {
                        Some(a) => {
                            view.push(self.value(d, a, format!("{ptr}/{i}"), item_type, false))
                        }
                        None if self.truncated() => {}
                        None => {
                            self.deviations.push(Deviation::new(
                                Code::ItemMissing,
                                format!("{ptr}/{i}"),
                                Finding::value(d.clone()),
                                Finding::Absent,
                            ));
                            view.push(d.clone());
                        }
                    }
                }
                view.extend(actual.iter().skip(doc.len()).cloned());
                view
            }
        }
    }

    /// Pinned values: equality with the (expanded) pinned value, at every pointer the pin's
    /// pattern stands for (`/keys/*/kty` pins each key's); a pin that finds none is missing.
    fn pins(&mut self, actual: &Value, view: &mut Value) {
        for (pattern, pinned) in &self.case().pin {
            self.strictness.by_value += 1;
            let want = self.contract.vars.expand(pinned).unwrap_or_else(|_| pinned.clone());
            let mut found: Vec<(String, Option<&Value>)> =
                Pattern::new(pattern).find(actual).into_iter().map(|(p, v)| (p, Some(v))).collect();
            if found.is_empty() {
                found.push((pattern.clone(), None));
            }
            for (ptr, got) in found {
                self.pin(&ptr, &want, got, view);
            }
        }
    }

    fn pin(&mut self, ptr: &str, want: &Value, got: Option<&Value>, view: &mut Value) {
        match got {
            Some(got) if same_value(want, got) => {}
            Some(got) => {
                self.deviations.push(Deviation::new(
                    Code::ValueMismatch,
                    ptr,
                    Finding::Pinned { value: want.clone() },
                    Finding::value(got.clone()),
                ));
                if let Some(slot) = view.pointer_mut(ptr) {
                    *slot = want.clone();
                }
            }
            None => self.deviations.push(Deviation::new(
                Code::PropertyMissing,
                ptr,
                Finding::Pinned { value: want.clone() },
                Finding::Absent,
            )),
        }
    }
}

/// Equality where `1` and `1.0` are the same number.
fn same_value(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        _ => a == b,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use serde_json::json;

    use super::*;

    fn checked(case: Value, actual: &Value) -> Checked {
        let case: Case = serde_json::from_value(case).unwrap();
        let types = TypeRegistry::new(&[]);
        let vars = Vars::new();
        let body = serde_json::to_vec(actual).unwrap();
        let contract =
            Contract { case: &case, types: &types, sent_body: None, vars: &vars, slow: None };
        let observed = Observed {
            status: 200,
            headers: &[],
            body: &body,
            json: Some(Ok(actual)),
            elapsed: Duration::ZERO,
        };
        check(contract, observed)
    }

    fn case_with_pin(pin: Value) -> Value {
        json!({
            "format": 1,
            "id": "a::b",
            "request": {"method": "GET", "url": "https://h/x"},
            "response": {"status": 200, "body": {"keys": [{"kty": "RSA"}, {"kty": "RSA"}]}},
            "pin": pin
        })
    }

    /// A pin is a pointer pattern like every other pointer list of the case format: `*`
    /// pins the member of every item.
    #[test]
    fn a_wildcard_pin_pins_every_match() {
        let case = case_with_pin(json!({"/keys/*/kty": "RSA"}));
        let actual = json!({"keys": [{"kty": "RSA"}, {"kty": "oct"}]});
        let found: Vec<(Code, String)> =
            checked(case, &actual).deviations.into_iter().map(|d| (d.code, d.path)).collect();
        assert_eq!(found, [(Code::ValueMismatch, "/keys/1/kty".to_string())]);
        let case = case_with_pin(json!({"/keys/*/kty": "RSA"}));
        let fine = json!({"keys": [{"kty": "RSA"}, {"kty": "RSA"}]});
        assert!(checked(case, &fine).deviations.is_empty());
        let case = case_with_pin(json!({"/keys/*/use": "sig"}));
        let found: Vec<(Code, String)> =
            checked(case, &fine).deviations.into_iter().map(|d| (d.code, d.path)).collect();
        assert_eq!(found, [(Code::PropertyMissing, "/keys/*/use".to_string())]);
    }

    #[test]
    fn a_plain_pin_is_checked_as_before() {
        let case = case_with_pin(json!({"/keys/0/kty": "oct"}));
        let actual = json!({"keys": [{"kty": "RSA"}, {"kty": "RSA"}]});
        let found: Vec<(Code, String)> =
            checked(case, &actual).deviations.into_iter().map(|d| (d.code, d.path)).collect();
        assert_eq!(found, [(Code::ValueMismatch, "/keys/0/kty".to_string())]);
    }
}
