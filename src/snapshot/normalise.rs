//! From a recorded response to the text a snapshot stores: status, the selected headers, and
//! the body as pretty JSON with sorted keys, with every volatile value replaced by a stable
//! token. Tokens are consistent within a snapshot: the same value gets the same token
//! wherever it appears, so "the id in `Location` is the id in the body" survives.
//!
//! Two kinds of tokens:
//! - `[name]` for a value this run made or captured (`[unique]`, `[set.id]`): the fixture's
//!   variable names are stable, the values are not;
//! - `[label-N]` for values the rules call volatile (`[kid-1]`, `[date-2]`, `[uuid-1]`),
//!   numbered in the order they first appear.
//!
//! The input has already been through the redactor: secrets are `[redacted]` before this
//! module sees them.

use std::collections::{BTreeMap, HashMap};

use serde_json::{Map, Value};

use super::rules::Rules;
use crate::observe::RecordedResponse;
use crate::pointer::Pattern;

/// A normalised response, as a snapshot records it.
#[derive(Debug, Clone, PartialEq)]
pub struct Recording {
    pub status: u16,
    /// Lower-case names, sorted.
    pub headers: BTreeMap<String, String>,
    pub body: Body,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Body {
    Empty,
    Json(Value),
    /// A body that is not JSON, as text.
    Text(String),
}

/// Run-specific values and the names they are recorded under.
#[derive(Debug, Clone, Default)]
pub struct Known {
    /// `(token, value)`, longest value first, so a value containing another is replaced whole.
    pairs: Vec<(String, String)>,
    /// Values only this case run uses (its unique token): an item that mentions one was
    /// created by this case. Captured values do not qualify: two cases uploading the same
    /// certificate capture the same key id.
    owners: Vec<String>,
}

impl Known {
    /// Values shorter than this are not replaced: a short value is likely to occur by chance.
    const MIN_LEN: usize = 4;

    pub fn new() -> Self {
        Known::default()
    }

    pub fn add(&mut self, name: &str, value: &str) {
        if value.len() >= Self::MIN_LEN && !self.pairs.iter().any(|(_, v)| v == value) {
            self.pairs.push((format!("[{name}]"), value.to_string()));
            self.pairs.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then_with(|| a.0.cmp(&b.0)));
        }
    }

    /// The text with each run value replaced by its `[name]`.
    pub fn substitute(&self, text: &str) -> String {
        let mut out = text.to_string();
        for (token, value) in &self.pairs {
            if out.contains(value.as_str()) {
                out = out.replace(value.as_str(), token);
            }
        }
        out
    }

    /// Adds a value only this case run uses, recorded as `[name]`.
    pub fn add_owner(&mut self, name: &str, value: &str) {
        self.add(name, value);
        if value.len() >= Self::MIN_LEN {
            self.owners.push(value.to_string());
        }
    }

    fn mentioned_in(&self, text: &str) -> bool {
        self.owners.iter().any(|v| text.contains(v.as_str()))
    }
}

/// What a case adds to the rules.
#[derive(Debug, Clone, Copy, Default)]
pub struct CaseRules<'a> {
    /// The case's `volatile` list: body pointer patterns, and `header:NAME`.
    pub volatile: &'a [String],
    /// The case's `unordered` arrays: recorded sorted.
    pub unordered: &'a [String],
}

/// Hands out `[label-N]` tokens, one per distinct value.
#[derive(Debug, Default)]
struct Tokens {
    by_value: HashMap<String, String>,
    counters: HashMap<String, usize>,
}

impl Tokens {
    fn token(&mut self, label: &str, value: &str) -> String {
        if let Some(t) = self.by_value.get(value) {
            return t.clone();
        }
        let n = self.counters.entry(label.to_string()).or_insert(0);
        *n += 1;
        let token = format!("[{label}-{n}]");
        self.by_value.insert(value.to_string(), token.clone());
        token
    }
}

struct Normaliser<'a> {
    rules: &'a Rules,
    case: CaseRules<'a>,
    known: &'a Known,
    tokens: Tokens,
}

/// Normalises a response for a snapshot.
pub fn normalise(
    response: &RecordedResponse,
    known: &Known,
    rules: &Rules,
    case: CaseRules<'_>,
) -> Recording {
    let mut n = Normaliser { rules, case, known, tokens: Tokens::default() };
    // The body first: its values are what a reader compares, so they get the low numbers.
    let body = match (&response.body, &response.body_text) {
        (Some(json), _) => Body::Json(n.json(json, &mut String::new())),
        (None, Some(text)) => Body::Text(n.text(text)),
        (None, None) => Body::Empty,
    };
    let mut headers: BTreeMap<String, String> = BTreeMap::new();
    for (name, value) in &response.headers {
        if !rules.records_header(name) {
            continue;
        }
        let name = name.to_ascii_lowercase();
        let value = if name == "content-type" {
            value.split(';').next().unwrap_or("").trim().to_ascii_lowercase()
        } else {
            value.trim().to_string()
        };
        let value = if rules.header_is_volatile(&name, case.volatile) {
            n.tokens.token(&name, &value)
        } else {
            n.text(&value)
        };
        headers
            .entry(name)
            .and_modify(|v| {
                v.push_str(", ");
                v.push_str(&value);
            })
            .or_insert(value);
    }
    Recording { status: response.status, headers, body }
}

impl Normaliser<'_> {
    fn is_volatile(&self, ptr: &str) -> bool {
        self.rules.volatile.iter().chain(self.case.volatile).any(|p| Pattern::new(p).matches(ptr))
    }

    /// A string value outside the volatile pointers: run values by name, then date-times and
    /// GUIDs by shape.
    fn text(&mut self, text: &str) -> String {
        let text = self.known.substitute(text);
        if self.rules.datetimes && is_datetime(&text) {
            return self.tokens.token("date", &text);
        }
        if self.rules.uuids { self.uuids(&text) } else { text }
    }

    fn uuids(&mut self, text: &str) -> String {
        let bytes = text.as_bytes();
        let mut out = String::with_capacity(text.len());
        let mut last = 0;
        let mut i = 0;
        while i + 36 <= bytes.len() {
            let at_boundary = i == 0 || !bytes[i - 1].is_ascii_hexdigit();
            let after = bytes.get(i + 36);
            if at_boundary
                && after.is_none_or(|b| !b.is_ascii_hexdigit())
                && is_uuid(&bytes[i..i + 36])
            {
                out.push_str(&text[last..i]);
                let token = self.tokens.token("uuid", &text[i..i + 36].to_ascii_lowercase());
                out.push_str(&token);
                i += 36;
                last = i;
            } else {
                i += 1;
            }
        }
        out.push_str(&text[last..]);
        out
    }

    fn json(&mut self, value: &Value, ptr: &mut String) -> Value {
        if let Value::String(s) = value {
            if let Some(at) = s.find("/$metadata") {
                if self.rules.service_root.iter().any(|p| Pattern::new(p).matches(ptr)) {
                    return Value::String(format!("[service-root]{}", self.text(&s[at..])));
                }
            }
        }
        if self.is_volatile(ptr) && !value.is_null() {
            if let Value::String(s) = value {
                let substituted = self.known.substitute(s);
                // A value made of this run's own names is already stable, and more telling
                // than a token: `B2C_1A_[set.id]` still shows the prefix.
                if substituted != *s {
                    return Value::String(substituted);
                }
            }
            let label = label(ptr);
            return Value::String(match value {
                Value::String(s) => self.tokens.token(&label, s),
                // A token keeps the value's JSON type, so that a number turning into a string
                // is still a change: `[exp-1:number]`.
                other => {
                    let token = self.tokens.token(&label, &crate::diff::normalise(other));
                    let kind = crate::extract::JsonType::of(other).phrase();
                    let kind = kind.rsplit(' ').next().unwrap_or(kind);
                    format!("{}:{kind}]", token.trim_end_matches(']'))
                }
            });
        }
        match value {
            Value::Object(map) => {
                let mut keys: Vec<&String> = map.keys().collect();
                keys.sort();
                let mut out = Map::new();
                for k in keys {
                    let len = ptr.len();
                    crate::pointer::push(ptr, k);
                    out.insert(k.clone(), self.json(&map[k], ptr));
                    ptr.truncate(len);
                }
                Value::Object(out)
            }
            Value::Array(items) => {
                let mut items: Vec<&Value> = items.iter().collect();
                if self.rules.owned.iter().any(|p| Pattern::new(p).matches(ptr)) {
                    items.retain(|item| self.known.mentioned_in(&item.to_string()));
                }
                if self.case.unordered.iter().any(|p| Pattern::new(p).matches(ptr)) {
                    let key = |v: &Value| self.known.substitute(&crate::diff::normalise(v));
                    items.sort_by_cached_key(|v| key(v));
                }
                let mut out = Vec::with_capacity(items.len());
                for (i, item) in items.into_iter().enumerate() {
                    let len = ptr.len();
                    ptr.push('/');
                    ptr.push_str(&i.to_string());
                    out.push(self.json(item, ptr));
                    ptr.truncate(len);
                }
                Value::Array(out)
            }
            Value::String(s) => Value::String(self.text(s)),
            other => other.clone(),
        }
    }
}

/// A token's label: the nearest member name of the pointer (`/keys/0/kid` → `kid`).
fn label(ptr: &str) -> String {
    ptr.rsplit('/')
        .find(|s| !s.is_empty() && !s.bytes().all(|b| b.is_ascii_digit()))
        .map(|s| crate::pointer::unescape(s).into_owned())
        .unwrap_or_else(|| "value".into())
}

fn is_uuid(b: &[u8]) -> bool {
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

/// `YYYY-MM-DDTHH:MM` at the start, as ISO 8601 date-times are written in JSON.
fn is_datetime(s: &str) -> bool {
    let b = s.as_bytes();
    let digits = |r: std::ops::Range<usize>| r.into_iter().all(|i| b[i].is_ascii_digit());
    b.len() >= 16
        && digits(0..4)
        && b[4] == b'-'
        && digits(5..7)
        && b[7] == b'-'
        && digits(8..10)
        && (b[10] == b'T' || b[10] == b' ')
        && digits(11..13)
        && b[13] == b':'
        && digits(14..16)
}

impl Recording {
    /// The snapshot text: status line, headers, a blank line, the body.
    pub fn render(&self) -> String {
        let mut out = format!("HTTP {}\n", self.status);
        for (name, value) in &self.headers {
            out.push_str(name);
            out.push_str(": ");
            out.push_str(value);
            out.push('\n');
        }
        match &self.body {
            Body::Empty => {}
            Body::Json(v) => {
                out.push('\n');
                out.push_str(&serde_json::to_string_pretty(v).unwrap_or_default());
                out.push('\n');
            }
            Body::Text(t) => {
                out.push('\n');
                out.push_str(t);
                out.push('\n');
            }
        }
        out
    }

    /// Reads a snapshot text back, for a structural comparison. Anything unexpected is kept
    /// as text, so two different texts never compare equal here.
    pub fn parse(text: &str) -> Recording {
        let text = text.replace("\r\n", "\n");
        let (head, body) = text.split_once("\n\n").unwrap_or((text.as_str(), ""));
        let mut lines = head.lines();
        let status = lines
            .next()
            .and_then(|l| l.strip_prefix("HTTP "))
            .and_then(|s| s.trim().parse().ok())
            .unwrap_or(0);
        let headers = lines
            .filter_map(|l| l.split_once(": "))
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect();
        let body = body.trim_end();
        let body = if body.is_empty() {
            Body::Empty
        } else {
            match serde_json::from_str(body) {
                Ok(v) => Body::Json(v),
                Err(_) => Body::Text(body.to_string()),
            }
        };
        Recording { status, headers, body }
    }
}

/// One place where two recordings differ.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    /// `status`, `header:<name>`, or a JSON pointer into the body.
    pub path: String,
    pub old: String,
    pub new: String,
}

const ABSENT: &str = "(absent)";

/// Every place where `new` differs from `old`.
pub fn differences(old: &Recording, new: &Recording) -> Vec<Difference> {
    let mut out = Vec::new();
    if old.status != new.status {
        out.push(Difference {
            path: "status".into(),
            old: old.status.to_string(),
            new: new.status.to_string(),
        });
    }
    let names: std::collections::BTreeSet<&String> =
        old.headers.keys().chain(new.headers.keys()).collect();
    for name in names {
        let (a, b) = (old.headers.get(name), new.headers.get(name));
        if a != b {
            out.push(Difference {
                path: format!("header:{name}"),
                old: a.map_or(ABSENT.into(), |s| s.clone()),
                new: b.map_or(ABSENT.into(), |s| s.clone()),
            });
        }
    }
    match (&old.body, &new.body) {
        (Body::Json(a), Body::Json(b)) => json_differences(a, b, &mut String::new(), &mut out),
        (a, b) if a != b => {
            out.push(Difference { path: "body".into(), old: body_summary(a), new: body_summary(b) })
        }
        _ => {}
    }
    out
}

fn body_summary(body: &Body) -> String {
    match body {
        Body::Empty => "no body".into(),
        Body::Json(v) => crate::diff::normalise(v).trim_end().chars().take(200).collect(),
        Body::Text(t) => t.chars().take(200).collect(),
    }
}

fn json_differences(a: &Value, b: &Value, ptr: &mut String, out: &mut Vec<Difference>) {
    let show = |v: Option<&Value>| v.map_or(ABSENT.to_string(), |v| v.to_string());
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let keys: std::collections::BTreeSet<&String> = x.keys().chain(y.keys()).collect();
            for k in keys {
                let len = ptr.len();
                crate::pointer::push(ptr, k);
                match (x.get(k), y.get(k)) {
                    (Some(p), Some(q)) => json_differences(p, q, ptr, out),
                    (p, q) => {
                        out.push(Difference { path: ptr.clone(), old: show(p), new: show(q) })
                    }
                }
                ptr.truncate(len);
            }
        }
        (Value::Array(x), Value::Array(y)) => {
            for i in 0..x.len().max(y.len()) {
                let len = ptr.len();
                ptr.push('/');
                ptr.push_str(&i.to_string());
                match (x.get(i), y.get(i)) {
                    (Some(p), Some(q)) => json_differences(p, q, ptr, out),
                    (p, q) => {
                        out.push(Difference { path: ptr.clone(), old: show(p), new: show(q) })
                    }
                }
                ptr.truncate(len);
            }
        }
        (x, y) if x != y => {
            out.push(Difference { path: ptr.clone(), old: x.to_string(), new: y.to_string() });
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn response(headers: &[(&str, &str)], body: Value) -> RecordedResponse {
        RecordedResponse {
            status: 201,
            headers: headers.iter().map(|(n, v)| (n.to_string(), v.to_string())).collect(),
            body: Some(body),
            body_text: None,
            size: 0,
        }
    }

    /// A target that names another service root than the URL it was reached at (a copy of the
    /// docs' `https://graph.microsoft.com/beta`, a gateway) records the same `@odata.context`;
    /// a different resource path after `$metadata#` still differs.
    #[test]
    fn the_service_root_of_odata_context_is_normalised() {
        let mut known = Known::new();
        known.add("target", "http://127.0.0.1:4321");
        let context = |c: &str| {
            let r = response(&[], json!({"@odata.context": c, "value": [{"@odata.context": c}]}));
            normalise(&r, &known, &Rules::graph(), CaseRules::default()).render()
        };
        let ours = context("http://127.0.0.1:4321/beta/$metadata#trustFramework/keySets/$entity");
        assert!(
            ours.contains("\"[service-root]/$metadata#trustFramework/keySets/$entity\""),
            "{ours}"
        );
        assert_eq!(
            context("https://graph.microsoft.com/beta/$metadata#trustFramework/keySets/$entity"),
            ours
        );
        assert_eq!(
            context("https://gw.example/graph/v1.0/$metadata#trustFramework/keySets/$entity"),
            ours
        );
        assert_ne!(
            context("https://graph.microsoft.com/beta/$metadata#trustFramework/keySets"),
            ours
        );
        // Only the pointers the rules name: the same text elsewhere is recorded as it is.
        let r = response(&[], json!({"note": "https://graph.microsoft.com/beta/$metadata#x"}));
        let other = normalise(&r, &known, &Rules::graph(), CaseRules::default()).render();
        assert!(other.contains("https://graph.microsoft.com/beta/$metadata#x"), "{other}");
    }

    #[test]
    fn volatile_values_become_consistent_tokens() {
        let mut known = Known::new();
        known.add("set.id", "B2C_1A_exemplar_ab12cd340001");
        known.add("target", "http://127.0.0.1:4321");
        let r = response(
            &[
                ("Content-Type", "application/json; charset=utf-8"),
                (
                    "Location",
                    "http://127.0.0.1:4321/beta/trustFramework/keySets/B2C_1A_exemplar_ab12cd340001",
                ),
                ("request-id", "7f0c2a4e-0000-4000-8000-000000000001"),
                ("Date", "Mon, 23 Nov 2026 10:00:00 GMT"),
                ("X-Unrecorded", "whatever"),
            ],
            json!({
                "id": "B2C_1A_exemplar_ab12cd340001",
                "keys": [
                    {"kid": "k-one", "nbf": 1700000000, "kty": "RSA", "k": "[redacted]"},
                    {"kid": "k-two", "nbf": 1700000000, "kty": "RSA", "k": null},
                ],
                "note": "trace 7f0c2a4e-0000-4000-8000-000000000001 at",
                "when": "2026-11-23T10:00:00Z",
            }),
        );
        let rec = normalise(&r, &known, &Rules::graph(), CaseRules::default());
        let text = rec.render();
        assert_eq!(
            text,
            r#"HTTP 201
content-type: application/json
date: [date-2]
location: [target]/beta/trustFramework/keySets/[set.id]
request-id: [uuid-1]

{
  "id": "[set.id]",
  "keys": [
    {
      "k": "[redacted]",
      "kid": "[kid-1]",
      "kty": "RSA",
      "nbf": "[nbf-1:integer]"
    },
    {
      "k": null,
      "kid": "[kid-2]",
      "kty": "RSA",
      "nbf": "[nbf-1:integer]"
    }
  ],
  "note": "trace [uuid-1] at",
  "when": "[date-1]"
}
"#
        );
        assert_eq!(Recording::parse(&text), rec);
    }

    #[test]
    fn same_input_same_snapshot_and_case_additions_apply() {
        let r = response(&[], json!({"keys": [{"n": "modulus-1", "e": "AQAB"}]}));
        let volatile = vec!["/keys/*/n".to_string()];
        let case = CaseRules { volatile: &volatile, unordered: &[] };
        let a = normalise(&r, &Known::new(), &Rules::graph(), case).render();
        let mut other = r.clone();
        other.body = Some(json!({"keys": [{"e": "AQAB", "n": "modulus-2"}]}));
        let b = normalise(&other, &Known::new(), &Rules::graph(), case).render();
        assert_eq!(a, b);
        assert!(a.contains("\"n\": \"[n-1]\""), "{a}");
    }

    #[test]
    fn owned_collections_keep_only_this_cases_items() {
        let mut known = Known::new();
        known.add_owner("unique", "mine_0001");
        known.add("set.id", "B2C_1A_mine_0001");
        known.add("key.kid", "shared-thumbprint");
        let r = response(
            &[],
            json!({"value": [
                {"id": "B2C_1A_other", "keys": [{"kid": "shared-thumbprint"}]},
                {"id": "B2C_1A_mine_0001"},
                {"id": "B2C_1A_x"}
            ]}),
        );
        let rec = normalise(&r, &known, &Rules::graph(), CaseRules::default());
        assert_eq!(rec.body, Body::Json(json!({"value": [{"id": "[set.id]"}]})));
    }

    #[test]
    fn differences_name_paths() {
        let old = Recording::parse(
            "HTTP 200\ncontent-type: application/json\n\n{\"a\": 1, \"b\": [1]}\n",
        );
        let new = Recording::parse("HTTP 201\n\n{\"a\": 2, \"b\": [1, 2], \"c\": true}\n");
        let paths: Vec<String> = differences(&old, &new).into_iter().map(|d| d.path).collect();
        assert_eq!(paths, ["status", "header:content-type", "/a", "/b/1", "/c"]);
        assert!(differences(&old, &old).is_empty());
    }

    #[test]
    fn uuid_and_datetime_shapes() {
        assert!(is_uuid(b"7F0C2A4E-0000-4000-8000-000000000001"));
        assert!(!is_uuid(b"7F0C2A4E-0000-4000-8000-00000000000g"));
        assert!(is_datetime("2026-11-23T10:00:00.123Z"));
        assert!(!is_datetime("2026-11-23"));
        assert!(!is_datetime("é"));
        assert_eq!(label("/keys/0/kid"), "kid");
        assert_eq!(label("/0"), "value");
    }
}
