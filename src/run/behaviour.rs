//! Runs the steps of a behaviour check inside a case's fixtures: each step's request is sent
//! and recorded like any exchange (its role is the step's name), and its answer is held to
//! the step's expectations. What a step fails on is a deviation with the layer's codes; a
//! step that should have succeeded and did not ends the check, since later steps would read
//! nothing it made.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::behaviour::check::Paging;
use crate::behaviour::{Body, Check, Expect};
use crate::check::{Code, Deviation, Finding, TypeRegistry};
use crate::observe::media_type;
use crate::plan::Planned;
use crate::plan::template::Vars;
use crate::pointer::{Pattern, escape};

use super::execute::{Payload, Progress, Runner, apply_set, last_response, undefined};
use super::http::{self, Auth};
use super::result::{ErrorKind, Role, RunError};

/// What the envelope rule needs from the conventions (kept on the check's steps as data).
const ENVELOPE_POINTERS: &[&str] = &["/error/code", "/error/message"];

/// A count in a finding.
fn len<T>(items: &[T]) -> u64 {
    u64::try_from(items.len()).unwrap_or(u64::MAX)
}

/// JSON values equal as a person reads them: numbers by value, objects in any key order.
pub fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(v, w)| same(v, w))
        }
        _ => a == b,
    }
}

struct Found<'a> {
    step: &'a str,
    deviations: Vec<Deviation>,
}

impl Found<'_> {
    fn push(&mut self, code: Code, at: &str, expected: Finding, actual: Finding) {
        self.deviations.push(Deviation::new(code, format!("{}:{at}", self.step), expected, actual));
    }
}

/// Compares what was sent with what was read back, member by member.
struct Holds<'a> {
    types: &'a TypeRegistry,
    ignore: &'a [String],
    item_keys: &'a BTreeMap<String, String>,
    exact: bool,
    from: &'a str,
}

impl Holds<'_> {
    fn compare(
        &self,
        sent: &Value,
        read: Option<&Value>,
        at: &str,
        ty: Option<&str>,
        top: bool,
        out: &mut Found<'_>,
    ) {
        if self.ignore.iter().any(|p| Pattern::new(p).matches(at)) {
            return;
        }
        let Some(read) = read else {
            out.push(
                Code::WriteNotKept,
                at,
                Finding::Sent { value: sent.clone(), by: Some(self.from.to_string()) },
                Finding::Absent,
            );
            return;
        };
        match (sent, read) {
            (Value::Object(s), Value::Object(r)) => {
                for (name, value) in s {
                    let spec = self.types.property(ty, name);
                    if spec.is_some_and(|p| !p.readable) {
                        // Sent, and documented as never read back: it must be absent. Said at
                        // the object that holds it, and without its value: a secret's path is
                        // redacted.
                        if r.contains_key(name) {
                            out.push(
                                Code::UnreadableReturned,
                                at,
                                Finding::Withheld { member: name.clone() },
                                Finding::Shown { member: name.clone() },
                            );
                        }
                        continue;
                    }
                    let child = format!("{at}/{}", escape(name));
                    let child_ty = spec.and_then(|p| p.odata_type.as_deref());
                    let keyed = if top { self.item_keys.get(name) } else { None };
                    match (value, r.get(name), keyed) {
                        (Value::Array(items), Some(Value::Array(held)), Some(key)) => {
                            self.items(items, held, key, &child, child_ty, out)
                        }
                        _ => self.compare(value, r.get(name), &child, child_ty, false, out),
                    }
                }
            }
            (Value::Array(s), Value::Array(r)) => {
                if self.exact && s.len() != r.len() {
                    out.push(
                        Code::WriteNotKept,
                        at,
                        Finding::Items { count: len(s), by: Some(self.from.to_string()) },
                        Finding::Items { count: len(r), by: None },
                    );
                }
                for (i, item) in s.iter().enumerate() {
                    self.compare(item, r.get(i), &format!("{at}/{i}"), ty, false, out);
                }
            }
            _ if same(sent, read) => {}
            _ => out.push(
                Code::WriteNotKept,
                at,
                Finding::Sent { value: sent.clone(), by: Some(self.from.to_string()) },
                Finding::value(read.clone()),
            ),
        }
    }

    /// Items matched by their key: each sent item is held, whatever the order.
    fn items(
        &self,
        sent: &[Value],
        held: &[Value],
        key: &str,
        at: &str,
        ty: Option<&str>,
        out: &mut Found<'_>,
    ) {
        if self.exact && sent.len() != held.len() {
            out.push(
                Code::WriteNotKept,
                at,
                Finding::Items { count: len(sent), by: Some(self.from.to_string()) },
                Finding::Items { count: len(held), by: None },
            );
        }
        for (i, item) in sent.iter().enumerate() {
            let Some(k) = item.get(key) else {
                self.compare(item, held.get(i), &format!("{at}/{i}"), ty, false, out);
                continue;
            };
            match held.iter().position(|h| h.get(key).is_some_and(|v| same(v, k))) {
                Some(j) => self.compare(item, held.get(j), &format!("{at}/{j}"), ty, false, out),
                None => out.push(
                    Code::WriteNotKept,
                    at,
                    Finding::ItemWith {
                        key: key.to_string(),
                        value: k.clone(),
                        by: Some(self.from.to_string()),
                    },
                    Finding::Keys {
                        key: key.to_string(),
                        values: held.iter().filter_map(|h| h.get(key)).cloned().collect(),
                    },
                ),
            }
        }
    }
}

/// The item of `collection` in `body` whose `key` is `value`, with its index.
fn item_in<'a>(
    body: Option<&'a Value>,
    collection: &str,
    key: &str,
    value: &Value,
) -> Result<(usize, &'a Value), Finding> {
    let items = body.and_then(|b| b.get(collection)).and_then(Value::as_array);
    let Some(items) = items else { return Err(Finding::Absent) };
    items.iter().enumerate().find(|(_, i)| i.get(key).is_some_and(|v| same(v, value))).ok_or_else(
        || Finding::Keys {
            key: key.to_string(),
            values: items.iter().filter_map(|i| i.get(key)).cloned().collect(),
        },
    )
}

/// The item a list check looks for, and whether it should be there.
struct Wanted<'a> {
    key: &'a str,
    value: &'a Value,
    present: bool,
}

/// The error of a list longer than the conventions let a check read.
fn too_many_pages(step: &str, paging: &Paging, key: &str, value: &Value) -> RunError {
    let kind = ErrorKind::TooManyPages {
        step: step.to_string(),
        max_pages: paging.max_pages.into(),
        item: format!("{key} = {value}"),
    };
    RunError::new(kind, "")
}

/// The next page's URL in a list answer, if it links to one.
fn next_link<'a>(page: Option<&'a Value>, paging: &Paging) -> Option<&'a str> {
    page?.pointer(&paging.next_link)?.as_str().filter(|l| !l.is_empty())
}

impl Runner {
    /// Holds a list to `wanted`, reading its later pages as long as the item is not found:
    /// each page is a recorded exchange of the step (`list page 2`, ...).
    #[allow(clippy::too_many_arguments)]
    async fn listed(
        &self,
        step: &str,
        url: &str,
        first: Option<&Value>,
        wanted: Wanted<'_>,
        paging: &Paging,
        progress: &mut Progress,
        found: &mut Found<'_>,
    ) -> Result<(), RunError> {
        let Wanted { key, value, present } = wanted;
        let mut read = vec![url.to_string()];
        let mut page = first.cloned();
        let mut items: u64 = 0;
        loop {
            let number = read.len();
            let listed = item_in(page.as_ref(), "value", key, value);
            if let Ok((i, _)) = listed {
                if !present {
                    let on_page =
                        if number == 1 { String::new() } else { format!("page {number}: ") };
                    found.push(
                        Code::StaleList,
                        &format!("{on_page}/value/{i}"),
                        Finding::NoItemWith { key: key.to_string(), value: value.clone() },
                        Finding::Present,
                    );
                }
                return Ok(());
            }
            items += page
                .as_ref()
                .and_then(|p| p.get("value"))
                .and_then(Value::as_array)
                .map_or(0, |v| len(v));
            let Some(link) = next_link(page.as_ref(), paging) else {
                if present {
                    let actual = match listed {
                        Err(actual) if number == 1 => actual,
                        _ => Finding::ItemsOnPages {
                            count: items,
                            pages: u64::try_from(number).unwrap_or(u64::MAX),
                            key: key.to_string(),
                        },
                    };
                    let expected =
                        Finding::ItemWith { key: key.to_string(), value: value.clone(), by: None };
                    found.push(Code::StaleList, "/value", expected, actual);
                }
                return Ok(());
            };
            let link = self.target.follow(link);
            if let Some(earlier) = read.iter().position(|u| *u == link) {
                found.push(
                    Code::NextLinkLoop,
                    &format!("page {number}: {}", paging.next_link),
                    Finding::NewPage,
                    Finding::LinkBack {
                        page: u64::try_from(earlier + 1).unwrap_or(u64::MAX),
                        link,
                    },
                );
                return Ok(());
            }
            if number >= paging.max_pages as usize {
                return Err(too_many_pages(step, paging, key, value));
            }
            match self.next_page(step, number + 1, link, progress, found).await? {
                Some(next) => {
                    read.push(next.0);
                    page = next.1;
                }
                None => return Ok(()),
            }
        }
    }

    /// Reads page `number` of a list at `link`; `None` (with the deviation) when it is not
    /// answered with a success.
    async fn next_page(
        &self,
        step: &str,
        number: usize,
        link: String,
        progress: &mut Progress,
        found: &mut Found<'_>,
    ) -> Result<Option<(String, Option<Value>)>, RunError> {
        let role = Role::Step(format!("{step} page {number}"));
        let received =
            self.exchange_as(&self.auth, role, "GET", &link, Vec::new(), None, progress).await?;
        let status = received.status;
        if !(200..300).contains(&status) {
            let code = if status >= 500 { Code::ServerError } else { Code::ErrorStatus };
            found.push(
                code,
                &format!("page {number}: status"),
                Finding::StatusClass { class: 2 },
                Finding::value(status),
            );
            return Ok(None);
        }
        Ok(Some((link, last_response(progress).1.cloned())))
    }

    /// Runs the check's steps with the case's fixture values in `vars`, then its cleanup,
    /// whatever the steps did.
    pub(super) async fn behaviour(
        &self,
        check: &Check,
        planned: &Planned,
        vars: &mut Vars,
        progress: &mut Progress,
    ) -> Result<Vec<Deviation>, RunError> {
        let outcome = self.steps(check, planned, vars, progress).await;
        for step in &check.cleanup {
            let mut url = step.url.clone();
            let mut bound = true;
            for (name, expr) in &step.bind {
                match vars.expand_str(expr) {
                    Ok(value) => url = url.replace(&format!("{{{name}}}"), &http::segment(&value)),
                    Err(_) => bound = false,
                }
            }
            if !bound {
                continue;
            }
            let url = self.target.resolve(&url);
            // What it answers does not matter: a 404 means nothing was left.
            let _ = self
                .exchange_as(
                    &self.auth,
                    Role::Step(step.name.clone()),
                    &step.method,
                    &url,
                    Vec::new(),
                    None,
                    progress,
                )
                .await;
        }
        outcome
    }

    async fn steps(
        &self,
        check: &Check,
        planned: &Planned,
        vars: &mut Vars,
        progress: &mut Progress,
    ) -> Result<Vec<Deviation>, RunError> {
        let case = &planned.case;
        let mut documented = case.request.body.clone();
        for (pointer, value) in &case.set {
            let value =
                vars.expand(value).map_err(|e| undefined(&e, format!("set {pointer}: {e}")))?;
            apply_set(
                documented.get_or_insert_with(|| Value::Object(Default::default())),
                pointer,
                value,
            )?;
        }
        let mut seen = Seen::default();
        let mut deviations = Vec::new();
        for step in &check.steps {
            let (body, status, url) =
                self.send(step, planned, documented.as_ref(), vars, progress).await?;
            let (resp_headers, json) = last_response(progress);
            let json = json.cloned();
            let content_type = resp_headers
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case("content-type"))
                .map(|(_, v)| media_type(v));
            let answer = Answer { status, json: json.as_ref(), content_type };
            let mut found = Found { step: &step.name, deviations: Vec::new() };
            let mut stop = false;
            if status >= 500 {
                found.push(
                    Code::ServerError,
                    "status",
                    Finding::NotStatusClass { class: 5 },
                    Finding::value(status),
                );
                stop = true;
            } else {
                for expect in &step.expect {
                    if let Expect::Listed { key, value, present, paging } = expect {
                        // A list is read to its last page, so it is judged here, where the
                        // later pages can be fetched.
                        let value = vars
                            .expand(&Value::String(value.clone()))
                            .map_err(|e| undefined(&e, format!("step `{}`: {e}", step.name)))?;
                        let wanted = Wanted { key, value: &value, present: *present };
                        let first = answer.json;
                        self.listed(&step.name, &url, first, wanted, paging, progress, &mut found)
                            .await?;
                        continue;
                    }
                    stop |= self.judge(expect, &answer, &seen, vars, &step.name, &mut found)?;
                }
            }
            stop |= keep(step, &answer, vars, stop, &mut found);
            deviations.extend(found.deviations);
            if stop {
                break;
            }
            if let Some(b) = body {
                seen.sent.insert(&step.name, b);
            }
            if let Some(j) = json {
                seen.answered.insert(&step.name, j);
            }
        }
        Ok(deviations)
    }

    /// Sends one step: its URL bound, its body (none, the documented one, altered, or raw
    /// text) and headers. Returns the JSON body it sent and the status it was answered.
    async fn send(
        &self,
        step: &crate::behaviour::Step,
        planned: &Planned,
        documented: Option<&Value>,
        vars: &Vars,
        progress: &mut Progress,
    ) -> Result<(Option<Value>, u16, String), RunError> {
        let case = &planned.case;
        let mut url = step.url.clone();
        for (name, expr) in &step.bind {
            let value = vars
                .expand_str(expr)
                .map_err(|e| undefined(&e, format!("step `{}` bind.{name}: {e}", step.name)))?;
            url = url.replace(&format!("{{{name}}}"), &http::segment(&value));
        }
        let url = self.target.resolve(&url);
        let documented_headers = || -> Vec<(String, String)> {
            case.request.headers.iter().map(|h| (h.name.clone(), h.value.clone())).collect()
        };
        let json_header = vec![("Content-Type".to_string(), "application/json".to_string())];
        let (body, headers): (Option<Value>, Vec<(String, String)>) = match &step.body {
            Body::None => (None, Vec::new()),
            Body::Documented => (documented.cloned(), documented_headers()),
            Body::Altered { pointer, value } => {
                let mut b = documented.cloned().unwrap_or(Value::Object(Default::default()));
                apply_set(&mut b, pointer, value.clone())?;
                (Some(b), documented_headers())
            }
            Body::Raw { .. } => (None, json_header),
        };
        let payload = match (&step.body, &body) {
            (Body::Raw { text }, _) => Some(Payload::Text(text)),
            (Body::Documented, None) => case.request.body_text.as_deref().map(Payload::Text),
            (_, Some(b)) => Some(Payload::Json(b)),
            _ => None,
        };
        let auth = if step.auth { &self.auth } else { &Auth::None };
        let role = Role::Step(step.name.clone());
        let received =
            self.exchange_as(auth, role, &step.method, &url, headers, payload, progress).await?;
        Ok((body, received.status, url))
    }

    /// Judges one expectation of a step against its answer; true when the steps after it
    /// cannot run.
    fn judge(
        &self,
        expect: &Expect,
        answer: &Answer<'_>,
        seen: &Seen<'_>,
        vars: &Vars,
        step: &str,
        found: &mut Found<'_>,
    ) -> Result<bool, RunError> {
        let status = answer.status;
        let json = answer.json;
        let expand = |value: &str| {
            vars.expand(&Value::String(value.to_string()))
                .map_err(|e| undefined(&e, format!("step `{step}`: {e}")))
        };
        match expect {
            Expect::Success { otherwise } => {
                if !(200..300).contains(&status) {
                    found.push(
                        *otherwise,
                        "status",
                        Finding::StatusClass { class: 2 },
                        Finding::value(status),
                    );
                    return Ok(true);
                }
            }
            Expect::Error { status: wanted, accepted } => error(answer, *wanted, *accepted, found),
            Expect::Holds { step: from, exact, type_name, ignore, item_keys } => {
                if let Some(what) = seen.sent.get(from.as_str()) {
                    let holds =
                        Holds { types: &self.types, ignore, item_keys, exact: *exact, from };
                    holds.compare(what, json, "", type_name.as_deref(), true, found);
                }
            }
            Expect::Kept { step: from, except, ignore } => {
                if let Some(Value::Object(before)) = seen.answered.get(from.as_str()) {
                    kept(before, json, from, except, ignore, found);
                }
            }
            Expect::Equals { pointer, value, code } => {
                let value = expand(value)?;
                let now = json.and_then(|j| j.pointer(pointer));
                if !now.is_some_and(|n| same(n, &value)) {
                    found.push(
                        *code,
                        pointer,
                        Finding::value(value.clone()),
                        now.map_or(Finding::Absent, |n| Finding::value(n.clone())),
                    );
                }
            }
            // Judged with its later pages in `steps`.
            Expect::Listed { .. } => {}
            Expect::HoldsItem { collection, key, step: from, code, withheld } => {
                if let Some(item) = seen.answered.get(from.as_str()) {
                    let item_of = ItemOf { collection, key, from, code: *code, withheld };
                    holds_item(json, &item_of, item, found);
                }
            }
            Expect::ItemHolds { collection, key, value, step: from } => {
                if let Some(Value::Object(what)) = seen.sent.get(from.as_str()) {
                    item_holds(json, collection, key, &expand(value)?, from, what, found);
                }
            }
        }
        Ok(false)
    }
}

/// What the steps so far sent and were answered, by step name.
#[derive(Default)]
struct Seen<'a> {
    sent: BTreeMap<&'a str, Value>,
    answered: BTreeMap<&'a str, Value>,
}

/// A step's answer as the expectations read it.
struct Answer<'a> {
    status: u16,
    json: Option<&'a Value>,
    content_type: Option<String>,
}

/// Keeps what a successful step names (`keep`) and captures what the next steps need
/// (`capture`, unless the steps already stop); true when a capture is missing, so the steps
/// after it cannot run.
fn keep(
    step: &crate::behaviour::Step,
    answer: &Answer<'_>,
    vars: &mut Vars,
    stop: bool,
    found: &mut Found<'_>,
) -> bool {
    let json = answer.json;
    if (200..300).contains(&answer.status) {
        for (name, pointer) in &step.keep {
            if let Some(v) = json.and_then(|j| j.pointer(pointer)) {
                vars.insert(format!("{}.{name}", step.name), v.clone());
            }
        }
    }
    if stop {
        return false;
    }
    let mut missing = false;
    for (name, pointer) in &step.capture {
        match json.and_then(|j| j.pointer(pointer)) {
            Some(v) => vars.insert(format!("{}.{name}", step.name), v.clone()),
            None => {
                found.push(
                    Code::WriteNotKept,
                    pointer,
                    Finding::CreatedKey { by: step.name.clone() },
                    Finding::Absent,
                );
                missing = true;
            }
        }
    }
    missing
}

/// An error answer: not a success, the wanted status, JSON, and Graph's error envelope.
fn error(answer: &Answer<'_>, wanted: u16, accepted: Code, found: &mut Found<'_>) {
    let status = answer.status;
    if (200..300).contains(&status) {
        found.push(
            accepted,
            "status",
            Finding::ErrorAnswer { status: wanted },
            Finding::value(status),
        );
        return;
    }
    if status != wanted {
        found.push(Code::ErrorStatus, "status", Finding::value(wanted), Finding::value(status));
    }
    let content_type = &answer.content_type;
    let json_type =
        content_type.as_deref().is_some_and(|t| t == "application/json" || t.ends_with("+json"));
    if !json_type {
        found.push(
            Code::ErrorEnvelopeMissing,
            "header:content-type",
            Finding::MediaType { media_type: "application/json".into() },
            content_type
                .clone()
                .map_or(Finding::Absent, |media_type| Finding::MediaType { media_type }),
        );
    }
    for pointer in ENVELOPE_POINTERS {
        let member = answer.json.and_then(|j| j.pointer(pointer));
        if !member.is_some_and(Value::is_string) {
            let actual = member.map_or(Finding::Absent, |v| Finding::value(v.clone()));
            found.push(
                Code::ErrorEnvelopeMissing,
                pointer,
                Finding::of_type(crate::extract::JsonType::String),
                actual,
            );
        }
    }
}

/// Every member an earlier step read (annotations and `except` aside) still holds its value.
fn kept(
    before: &serde_json::Map<String, Value>,
    json: Option<&Value>,
    from: &str,
    except: &[String],
    ignore: &[String],
    found: &mut Found<'_>,
) {
    for (name, value) in before {
        if name.starts_with('@') || except.contains(name) {
            continue;
        }
        let at = format!("/{}", escape(name));
        if ignore.iter().any(|p| Pattern::new(p).matches(&at)) {
            continue;
        }
        let now = json.and_then(|j| j.get(name));
        if !now.is_some_and(|n| same(n, value)) {
            found.push(
                Code::WriteNotKept,
                &at,
                Finding::Read { value: value.clone(), by: from.to_string() },
                now.map_or(Finding::Absent, |n| Finding::value(n.clone())),
            );
        }
    }
}

/// The collection holds the item an earlier step answered, with the values it answered.
/// Which item of which collection `holds_item` looks for, as step `from` answered it.
struct ItemOf<'a> {
    collection: &'a str,
    key: &'a str,
    from: &'a str,
    code: Code,
    /// Members the step sent that must not be read back.
    withheld: &'a [String],
}

fn holds_item(json: Option<&Value>, of: &ItemOf<'_>, item: &Value, found: &mut Found<'_>) {
    let ItemOf { collection, key, from, code, withheld } = *of;
    let Some(k) = item.get(key) else {
        found.push(
            code,
            &format!("/{collection}"),
            Finding::ItemAnsweredBy { key: key.to_string(), by: from.to_string() },
            Finding::NoneAnswered { key: key.to_string(), by: from.to_string() },
        );
        return;
    };
    match item_in(json, collection, key, k) {
        Err(actual) => found.push(
            code,
            &format!("/{collection}"),
            Finding::ItemWith {
                key: key.to_string(),
                value: k.clone(),
                by: Some(from.to_string()),
            },
            actual,
        ),
        Ok((i, held)) => {
            for name in withheld.iter().filter(|n| held.get(n).is_some()) {
                found.push(
                    Code::UnreadableReturned,
                    &format!("/{collection}/{i}"),
                    Finding::Withheld { member: name.clone() },
                    Finding::Shown { member: name.clone() },
                );
            }
            let Value::Object(members) = item else { return };
            for (name, value) in members.iter().filter(|(n, _)| !n.starts_with('@')) {
                if let Some(h) = held.get(name)
                    && !same(h, value)
                {
                    found.push(
                        code,
                        &format!("/{collection}/{i}/{}", escape(name)),
                        Finding::Answered { value: value.clone(), by: from.to_string() },
                        Finding::value(h.clone()),
                    );
                }
            }
        }
    }
}

/// The collection holds an item with `key` = `value` that keeps what an earlier step sent.
/// A member this read does not show is not compared: the item is there, and the type only
/// says the member may be shown.
fn item_holds(
    json: Option<&Value>,
    collection: &str,
    key: &str,
    value: &Value,
    from: &str,
    what: &serde_json::Map<String, Value>,
    found: &mut Found<'_>,
) {
    match item_in(json, collection, key, value) {
        Err(actual) => found.push(
            Code::WriteNotKept,
            &format!("/{collection}"),
            Finding::ItemWith { key: key.to_string(), value: value.clone(), by: None },
            actual,
        ),
        Ok((i, held)) => {
            for (name, v) in what {
                if let Some(now) = held.get(name)
                    && !same(now, v)
                {
                    found.push(
                        Code::WriteNotKept,
                        &format!("/{collection}/{i}/{}", escape(name)),
                        Finding::Sent { value: v.clone(), by: Some(from.to_string()) },
                        Finding::value(now.clone()),
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::case::TypeFile;

    fn registry() -> TypeRegistry {
        let t: TypeFile = serde_json::from_value(json!({
            "format": 1, "type": "ns.set", "source": {"doc": "d", "line": 1},
            "properties": {
                "id": {"type": "string"},
                "keys": {"type": "array", "items": "object", "odataType": "ns.key"}
            }
        }))
        .unwrap();
        let k: TypeFile = serde_json::from_value(json!({
            "format": 1, "type": "ns.key", "source": {"doc": "d", "line": 1},
            "properties": {"kid": {"type": "string"}, "k": {"type": "string", "readable": false}, "use": {"type": "string"}}
        }))
        .unwrap();
        TypeRegistry::new([&t, &k])
    }

    fn compare(sent: Value, read: Value, exact: bool) -> Vec<Deviation> {
        let types = registry();
        let item_keys: BTreeMap<String, String> = [("keys".to_string(), "kid".to_string())].into();
        let holds = Holds {
            types: &types,
            ignore: &["/id".to_string()],
            item_keys: &item_keys,
            exact,
            from: "update",
        };
        let mut found = Found { step: "read", deviations: Vec::new() };
        holds.compare(&sent, Some(&read), "", Some("ns.set"), true, &mut found);
        found.deviations
    }

    #[test]
    fn values_compare_by_value_whatever_the_key_order_and_number_form() {
        assert!(same(&json!({"a": 1, "b": [1.0, "x"]}), &json!({"b": [1, "x"], "a": 1.0})));
        assert!(!same(&json!({"a": 1}), &json!({"a": 1, "b": 2})));
        assert!(!same(&json!([1, 2]), &json!([2, 1])));
    }

    #[test]
    fn items_are_matched_by_their_key_and_unreadable_members_must_be_absent() {
        let sent = json!({"id": "x", "keys": [{"kid": "a", "use": "sig", "k": "secret"}, {"kid": "b", "use": "enc"}]});
        let read = json!({"id": "B2C_1A_x", "keys": [{"kid": "b", "use": "enc"}, {"kid": "a", "use": "sig"}]});
        assert!(compare(sent.clone(), read, true).is_empty());
        // A sent member the type says cannot be read back must be absent, and its value
        // (a secret) is never shown.
        let read = json!({"keys": [{"kid": "b", "use": "enc"}, {"kid": "a", "use": "sig", "k": "secret"}]});
        let d = compare(sent.clone(), read, true);
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!((d[0].code, d[0].path.as_str()), (Code::UnreadableReturned, "read:/keys/1"));
        let k = || "k".to_string();
        assert_eq!(
            (&d[0].expected, &d[0].actual),
            (&Finding::Withheld { member: k() }, &Finding::Shown { member: k() })
        );
        // A changed member names the step, the place, what was sent and what was read.
        let read = json!({"keys": [{"kid": "b", "use": "enc"}, {"kid": "a", "use": "enc"}]});
        let d = compare(sent.clone(), read, false);
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!((d[0].code, d[0].path.as_str()), (Code::WriteNotKept, "read:/keys/1/use"));
        assert_eq!(
            (&d[0].expected, &d[0].actual),
            (
                &Finding::Sent { value: json!("sig"), by: Some("update".into()) },
                &Finding::value("enc")
            )
        );
        // A missing item, and with `exact` an extra one, are writes not kept.
        let read =
            json!({"keys": [{"kid": "a", "use": "sig"}, {"kid": "c", "use": "enc"}, {"kid": "d"}]});
        let d = compare(sent, read, true);
        let paths: Vec<&str> = d.iter().map(|d| d.path.as_str()).collect();
        assert_eq!(paths, ["read:/keys", "read:/keys"], "{d:?}");
        assert_eq!(d[0].expected, Finding::Items { count: 2, by: Some("update".into()) });
        assert_eq!(
            d[1].expected,
            Finding::ItemWith { key: "kid".into(), value: json!("b"), by: Some("update".into()) }
        );
    }
}
