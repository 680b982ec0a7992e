//! The behaviour layer end to end: the reference mock passes every behaviour check; a
//! target that misbehaves in one way fails with that way's code; a static mock (every
//! documented request answered with its documented response, nothing stored) fails every
//! operation; and equivalent answers (reworded errors, extra detail and headers, slower
//! writes, another key order) never fail a behaviour check.

#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::Response;
use exemplar::check::{Code, Finding};
use exemplar::cli::Exit;
use exemplar::mock::{self, MockConfig};
use exemplar::run::harness::RunOptions;
use exemplar::run::{CaseResult, Status};
use serde_json::{Value, json};

mod common;

fn repo_cases() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("cases")
}

/// Only the behaviour checks (`behaviour::` ids), quietly, 8 at a time.
fn behaviour_only() -> libtest_mimic::Arguments {
    libtest_mimic::Arguments {
        quiet: true,
        test_threads: Some(8),
        filter: Some("behaviour::".into()),
        ..Default::default()
    }
}

fn failed(results: &[CaseResult]) -> Vec<(&String, String)> {
    results
        .iter()
        .filter(|r| r.status != Status::Passed)
        .map(|r| {
            let what = r
                .deviations
                .iter()
                .map(|d| format!("{} at {}: {:?} / {:?}", d.code, d.path, d.expected, d.actual))
                .collect::<Vec<_>>()
                .join("; ");
            (&r.id, format!("{what} {:?}", r.error))
        })
        .collect()
}

#[test]
fn the_reference_mock_passes_every_behaviour_check() {
    let (exit, results) = common::run_lib(RunOptions::new(repo_cases(), behaviour_only()));
    let failures = failed(&results);
    assert!(failures.is_empty(), "{failures:#?}");
    assert_eq!(exit, Exit::Success);
    assert!(results.len() >= 80, "only {} behaviour checks ran", results.len());
    for r in &results {
        assert!(r.id.starts_with("behaviour::"), "{}", r.id);
        assert!(r.teardown_errors.is_empty(), "{}: {:?}", r.id, r.teardown_errors);
        // Every step was sent and recorded, secrets redacted.
        assert!(
            r.exchanges.iter().any(|e| {
                let role = e.role.to_string();
                !role.contains("setup") && !role.contains("teardown")
            }),
            "{}",
            r.id
        );
        let text = serde_json::to_string(&r.exchanges).unwrap();
        assert!(!text.contains("exemplar-test-secret"), "{}: a secret reached the record", r.id);
    }
    let kinds: std::collections::BTreeSet<&str> =
        results.iter().filter_map(|r| r.id.rsplit("::").next()).collect();
    for behaviour in [
        "create-then-read",
        "create-then-list",
        "create-twice",
        "update-then-read",
        "action-then-read",
        "function-held",
        "navigation-update-then-read",
        "delete-then-read",
        "delete-then-list",
        "no-auth",
        "unknown-id",
        "malformed-json",
        "wrong-type",
        "outside-enum",
    ] {
        assert!(kinds.contains(behaviour), "no {behaviour} check ran: {kinds:?}");
    }
}

#[test]
fn list_shows_the_behaviour_checks_and_starts_nothing() {
    let out = Command::new(env!("CARGO_BIN_EXE_exemplar"))
        .args(["run", "--list", "--checks", "contract,behaviour"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.lines().any(|l| l == "[behaviour] behaviour::docs::graph::beta::api::trustframeworkkeyset-delete::delete_trustframeworkkeyset::delete-then-read: test"),
        "{stdout}"
    );
    assert!(stdout.lines().any(|l| l.starts_with("[GET] docs::")), "the cases are listed too");
    assert!(out.stderr.is_empty(), "{}", String::from_utf8_lossy(&out.stderr));
    // A filter selects checks like cases.
    let out = Command::new(env!("CARGO_BIN_EXE_exemplar"))
        .args(["run", "--list", "delete-then-list"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(stdout.lines().filter(|l| !l.is_empty()).count(), 1, "{stdout}");
}

/// A malformed `behaviour.json` is shown like every other malformed input file: the file,
/// line and column, the source line and a caret (it was one line of text before).
#[test]
fn malformed_behaviour_data_is_shown_with_its_line() {
    let dir = tempfile::Builder::new().prefix("exemplar-bd-cli-").tempdir().unwrap();
    std::fs::write(dir.path().join("behaviour.json"), "{\n  \"format\": 1,\n  \"typo\": 1\n}\n")
        .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_exemplar"))
        .args(["behaviour", "--cases"])
        .arg(dir.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("behaviour.json:3:"), "{stderr}");
    assert!(stderr.contains("typo"), "{stderr}");
    assert!(stderr.lines().any(|l| l.contains("\"typo\": 1")), "the source line: {stderr}");
    assert!(stderr.lines().any(|l| l.trim_start().starts_with('|') && l.contains('^')), "{stderr}");
}

/// One way a target misbehaves, applied by a proxy in front of the reference mock.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Misbehaviour {
    /// Answers every `PUT` and `PATCH` as if it succeeded, and keeps nothing.
    ForgetsWrites,
    /// Answers every `DELETE` with `204` and deletes nothing.
    IgnoresDeletes,
    /// Lists nothing.
    EmptyLists,
    /// Accepts what it should refuse: a `400` becomes `200`.
    AcceptsGarbage,
    /// Errors as plain text.
    PlainErrors,
    /// Needs no token: adds one when the request has none.
    NoAuth,
    /// A `400` becomes a `500`.
    CrashesOnGarbage,
    /// `getActiveKey` answers a key the set does not hold.
    WrongActiveKey,
    /// Names what it creates its own way, and creates a key set even from a body it cannot
    /// read.
    RenamesCreates,
    /// Shows the secret `k` an upload sent on every later read of the key set.
    EchoesSecrets,
    /// Answers a list with no items and a next link back to the same page.
    LoopingNextLink,
    /// Answers a list with no items and a next link to yet another page, forever.
    EndlessPages,
    /// Rewords every error message, adds detail and headers, answers writes late and
    /// reverses key order: nothing that should fail a check.
    Equivalent,
}

fn reverse_keys(v: &Value) -> Value {
    match v {
        Value::Object(map) => {
            Value::Object(map.iter().rev().map(|(k, v)| (k.clone(), reverse_keys(v))).collect())
        }
        Value::Array(items) => Value::Array(items.iter().map(reverse_keys).collect()),
        other => other.clone(),
    }
}

fn json_response(status: u16, body: &Value) -> Response {
    Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(Body::from(body.to_string()))
        .unwrap()
}

fn proxy(mode: Misbehaviour) -> String {
    proxy_and_mock(mode).0
}

/// The proxy's URL and the mock's behind it.
fn proxy_and_mock(mode: Misbehaviour) -> (String, String) {
    let inner = common::serve_in_background(mock::app(mock::AppState::new(MockConfig::default())));
    let behind = inner.clone();
    let created = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    // What `EchoesSecrets` shows again: the sent secret of each key, by `kid`.
    let secrets = std::sync::Arc::new(std::sync::Mutex::new(std::collections::HashMap::<
        String,
        Value,
    >::new()));
    let client = exemplar::run::http::client_builder().build().expect("client");
    let app = Router::new().fallback(move |method: Method, uri: Uri, headers: HeaderMap, body: Bytes| {
        let client = client.clone();
        let inner = inner.clone();
        let created = created.clone();
        let secrets = secrets.clone();
        async move {
            let path = uri.path().to_string();
            let host = headers.get("host").and_then(|h| h.to_str().ok()).unwrap_or_default().to_string();
            let sent_secret = serde_json::from_slice::<Value>(&body).ok().and_then(|b| b.get("k").cloned());
            let mut body = body;
            if mode == Misbehaviour::RenamesCreates && method == Method::POST && path.ends_with("/keySets") {
                let n = created.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let mut sent: Value = serde_json::from_slice(&body).unwrap_or(json!({}));
                if !sent.is_object() {
                    sent = json!({});
                }
                sent["id"] = json!(format!("renamed_{n}"));
                sent.as_object_mut().unwrap().remove("keys");
                body = Bytes::from(sent.to_string());
            }
            let write = method == Method::PUT || method == Method::PATCH;
            if mode == Misbehaviour::ForgetsWrites && write {
                return if method == Method::PATCH {
                    Response::builder().status(StatusCode::NO_CONTENT).body(Body::empty()).unwrap()
                } else {
                    let mut sent: Value = serde_json::from_slice(&body).unwrap_or(json!({}));
                    sent["id"] = json!(path.rsplit('/').next().unwrap_or_default());
                    json_response(200, &sent)
                };
            }
            if mode == Misbehaviour::IgnoresDeletes && method == Method::DELETE {
                return Response::builder().status(StatusCode::NO_CONTENT).body(Body::empty()).unwrap();
            }
            // The endless pages' tokens are the proxy's own: the mock sees the first page.
            let forwarded = if mode == Misbehaviour::EndlessPages { path.clone() } else { uri.to_string() };
            let mut request = client.request(method.clone(), format!("{inner}{forwarded}")).body(body);
            for name in ["content-type", "authorization"] {
                if let Some(v) = headers.get(name) {
                    request = request.header(name, v);
                }
            }
            if mode == Misbehaviour::NoAuth && !headers.contains_key("authorization") {
                request = request.header("authorization", "Bearer anything");
            }
            if mode == Misbehaviour::Equivalent && method != Method::GET {
                tokio::time::sleep(Duration::from_millis(300)).await;
            }
            let upstream = request.send().await.unwrap();
            let status = upstream.status().as_u16();
            let location = upstream.headers().get("location").cloned();
            let bytes = upstream.bytes().await.unwrap();
            let parsed: Option<Value> = serde_json::from_slice(&bytes).ok();
            let listing = method == Method::GET && path.ends_with("/keySets");
            match (mode, status, parsed) {
                (Misbehaviour::EchoesSecrets, 200, Some(mut v)) => {
                    let mut secrets = secrets.lock().unwrap();
                    if let (Some(k), Some(kid)) = (sent_secret, v.get("kid").and_then(Value::as_str)) {
                        secrets.insert(kid.to_string(), k);
                    }
                    for key in v.get_mut("keys").and_then(Value::as_array_mut).into_iter().flatten() {
                        let kid = key.get("kid").and_then(Value::as_str).unwrap_or_default().to_string();
                        if let Some(k) = secrets.get(&kid) {
                            key["k"] = k.clone();
                        }
                    }
                    json_response(200, &v)
                }
                (Misbehaviour::LoopingNextLink, 200, Some(_)) if listing => json_response(
                    200,
                    &json!({"value": [], "@odata.nextLink": format!("http://{host}{uri}")}),
                ),
                (Misbehaviour::EndlessPages, 200, Some(_)) if listing => {
                    let n = created.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let next = format!("http://{host}{path}?$skiptoken=page{n}");
                    json_response(200, &json!({"value": [], "@odata.nextLink": next}))
                }
                (Misbehaviour::EmptyLists, 200, Some(_)) if listing => {
                    json_response(200, &json!({"@odata.context": "x", "value": []}))
                }
                (Misbehaviour::AcceptsGarbage, 400, _) => json_response(200, &json!({})),
                (Misbehaviour::CrashesOnGarbage, 400, Some(v)) => json_response(500, &v),
                (Misbehaviour::PlainErrors, 400.., _) => Response::builder()
                    .status(status)
                    .header("content-type", "text/plain")
                    .body(Body::from("something went wrong"))
                    .unwrap(),
                (Misbehaviour::WrongActiveKey, 200, Some(mut v)) if path.ends_with("/getActiveKey") => {
                    v["kid"] = json!("a-key-this-set-does-not-hold");
                    json_response(200, &v)
                }
                (Misbehaviour::Equivalent, _, Some(mut v)) => {
                    if let Some(error) = v.get_mut("error").and_then(Value::as_object_mut) {
                        error.insert("message".into(), json!("Reworded: the thing went wrong."));
                        error.insert("details".into(), json!([{"code": "extra", "message": "more"}]));
                        error.insert("innerError".into(), json!({"date": "2026-01-01T00:00:00", "request-id": "r", "extra": 1}));
                    }
                    let mut builder = Response::builder()
                        .status(status)
                        .header("content-type", "application/json; odata.metadata=minimal; charset=utf-8")
                        .header("x-ms-extra", "1")
                        .header("request-id", "00000000-0000-0000-0000-000000000000");
                    if let Some(l) = location {
                        builder = builder.header("location", l);
                    }
                    builder.body(Body::from(serde_json::to_string_pretty(&reverse_keys(&v)).unwrap())).unwrap()
                }
                (_, _, Some(v)) => {
                    let mut builder = Response::builder().status(status).header("content-type", "application/json");
                    if let Some(l) = location {
                        builder = builder.header("location", l);
                    }
                    builder.body(Body::from(v.to_string())).unwrap()
                }
                (_, _, None) => Response::builder().status(status).body(Body::from(bytes)).unwrap(),
            }
        }
    });
    (common::serve_in_background(app), behind)
}

/// The behaviour checks against the proxy in `mode`, with a token as against a real service.
fn against(mode: Misbehaviour) -> Vec<CaseResult> {
    let mut opts = RunOptions::new(repo_cases(), behaviour_only());
    opts.target = Some(proxy(mode));
    opts.auth = exemplar::run::harness::AuthOptions::Bearer("exemplar-test-token".into());
    common::run_lib(opts).1
}

fn assert_caught(mode: Misbehaviour, code: Code, behaviour: &str) {
    let results = against(mode);
    let hit = results
        .iter()
        .filter(|r| r.id.ends_with(&format!("::{behaviour}")))
        .find(|r| r.deviations.iter().any(|d| d.code == code));
    let Some(hit) = hit else {
        panic!("{mode:?}: no `{behaviour}` check failed with {code}: {:#?}", failed(&results));
    };
    assert_eq!(hit.status, Status::Deviated, "{}", hit.id);
    let d = hit.deviations.iter().find(|d| d.code == code).unwrap();
    // Readable: the step and place, what was expected, what the target did.
    let words = |f| exemplar::report::phrase::finding(f);
    assert!(d.path.contains(':') && !words(&d.expected).is_empty(), "{d:?}");
    assert!(!words(&d.actual).is_empty(), "{d:?}");
    assert!(!matches!(d.expected, exemplar::check::Finding::Text { .. }), "typed: {d:?}");
    // The steps' requests and responses are in the record.
    assert!(hit.exchanges.iter().filter(|e| e.response.is_some()).count() >= 1, "{}", hit.id);
}

#[test]
fn a_write_the_target_forgets_is_write_not_kept() {
    assert_caught(Misbehaviour::ForgetsWrites, Code::WriteNotKept, "update-then-read");
}

#[test]
fn a_delete_without_effect_is_caught() {
    assert_caught(Misbehaviour::IgnoresDeletes, Code::DeleteWithoutEffect, "delete-then-read");
}

#[test]
fn a_list_that_misses_what_was_created_is_stale_list() {
    assert_caught(Misbehaviour::EmptyLists, Code::StaleList, "create-then-list");
}

#[test]
fn garbage_accepted_is_an_error_status() {
    assert_caught(Misbehaviour::AcceptsGarbage, Code::ErrorStatus, "malformed-json");
}

#[test]
fn errors_without_the_envelope_are_caught() {
    assert_caught(Misbehaviour::PlainErrors, Code::ErrorEnvelopeMissing, "unknown-id");
}

#[test]
fn a_target_that_needs_no_token_is_auth_not_required() {
    assert_caught(Misbehaviour::NoAuth, Code::AuthNotRequired, "no-auth");
}

#[test]
fn a_crash_on_garbage_is_a_server_error() {
    assert_caught(Misbehaviour::CrashesOnGarbage, Code::ServerError, "wrong-type");
}

#[test]
fn a_function_answering_an_item_not_held_is_inconsistent_read() {
    assert_caught(Misbehaviour::WrongActiveKey, Code::InconsistentRead, "function-held");
}

#[test]
fn a_secret_shown_on_a_read_is_unreadable_returned() {
    let results = against(Misbehaviour::EchoesSecrets);
    assert_caught(Misbehaviour::EchoesSecrets, Code::UnreadableReturned, "action-then-read");
    let hit = results
        .iter()
        .find(|r| r.deviations.iter().any(|d| d.code == Code::UnreadableReturned))
        .unwrap();
    let d = hit.deviations.iter().find(|d| d.code == Code::UnreadableReturned).unwrap();
    assert!(d.path.ends_with("/keys/0"), "{d:?}");
    let k = || "k".to_string();
    assert_eq!(
        (&d.expected, &d.actual),
        (&Finding::Withheld { member: k() }, &Finding::Shown { member: k() })
    );
    // The secret itself is in no deviation and no recorded exchange.
    let text = serde_json::to_string(&results).unwrap();
    assert!(!text.contains("exemplar-test-secret"), "a secret reached the results");
}

/// The list checks alone (`create-then-list`, `delete-then-list`), one at a time: the mock
/// pages by offset, as many services do, so a key set another check deletes meanwhile
/// would shift the later pages by one.
fn list_checks() -> libtest_mimic::Arguments {
    libtest_mimic::Arguments {
        filter: Some("-then-list".into()),
        test_threads: Some(1),
        ..behaviour_only()
    }
}

#[test]
fn list_checks_follow_next_links_to_later_pages() {
    // One key set per page, and three before any a check creates: what a check creates or
    // deletes is never on the first page.
    let config = MockConfig { page_size: 1, ..MockConfig::default() };
    let target = common::serve_in_background(mock::app(mock::AppState::new(config)));
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        let client = exemplar::run::http::client_builder().build().unwrap();
        for n in 0..3 {
            let url = format!("{target}/beta/trustFramework/keySets");
            let body = json!({"id": format!("earlier{n}")});
            let answer = client.post(url).bearer_auth("t").json(&body).send().await.unwrap();
            assert_eq!(answer.status(), 201);
        }
    });
    let mut opts = RunOptions::new(repo_cases(), list_checks());
    opts.target = Some(target);
    opts.auth = exemplar::run::harness::AuthOptions::Bearer("exemplar-test-token".into());
    let (exit, results) = common::run_lib(opts);
    let failures = failed(&results);
    assert!(failures.is_empty(), "{failures:#?}");
    assert_eq!(exit, Exit::Success);
    assert!(results.len() >= 2, "{} list checks ran", results.len());
    for r in &results {
        let roles: Vec<String> = r.exchanges.iter().map(|e| e.role.to_string()).collect();
        assert!(roles.iter().any(|role| role.ends_with("page 4")), "{}: {roles:?}", r.id);
    }
}

#[test]
fn a_next_link_back_to_a_page_read_is_next_link_loop() {
    let mut opts = RunOptions::new(repo_cases(), list_checks());
    opts.target = Some(proxy(Misbehaviour::LoopingNextLink));
    opts.auth = exemplar::run::harness::AuthOptions::Bearer("exemplar-test-token".into());
    let (_, results) = common::run_lib(opts);
    let hit = results
        .iter()
        .find(|r| r.id.ends_with("::create-then-list"))
        .unwrap_or_else(|| panic!("{:#?}", failed(&results)));
    assert_eq!(hit.status, Status::Deviated, "{:#?}", failed(&results));
    let d = hit.deviations.iter().find(|d| d.code == Code::NextLinkLoop).unwrap();
    assert!(d.path.contains("@odata.nextLink"), "{d:?}");
    assert!(matches!(&d.actual, Finding::LinkBack { page: 1, .. }), "{d:?}");
}

#[test]
fn a_list_with_more_pages_than_the_bound_is_an_error_that_says_so() {
    let mut opts = RunOptions::new(
        repo_cases(),
        libtest_mimic::Arguments { filter: Some("create-then-list".into()), ..behaviour_only() },
    );
    opts.target = Some(proxy(Misbehaviour::EndlessPages));
    opts.auth = exemplar::run::harness::AuthOptions::Bearer("exemplar-test-token".into());
    let (_, results) = common::run_lib(opts);
    assert!(!results.is_empty());
    for r in &results {
        assert_eq!(r.status, Status::Error, "{}", r.id);
        let error = r.error.as_ref().unwrap();
        assert_eq!(error.code(), exemplar::run::ErrorCode::TooManyPages, "{error:?}");
        // The bound and the step are data; the report phrases them.
        assert!(
            matches!(
                &error.kind,
                exemplar::run::result::ErrorKind::TooManyPages { max_pages: 100, step, .. }
                    if step == "list"
            ),
            "{error:?}"
        );
        let message = exemplar::report::phrase::run_error(error);
        assert!(message.contains("more than 100 pages"), "{message}");
        let pages = r.exchanges.iter().filter(|e| e.role.to_string().contains("page")).count();
        assert_eq!(pages, 99, "{}: the first page and 99 more are read", r.id);
    }
}

#[test]
fn what_a_misbehaving_target_created_is_removed() {
    let (proxy, mock) = proxy_and_mock(Misbehaviour::RenamesCreates);
    let mut opts = RunOptions::new(repo_cases(), behaviour_only());
    opts.target = Some(proxy);
    opts.auth = exemplar::run::harness::AuthOptions::Bearer("exemplar-test-token".into());
    let (_, results) = common::run_lib(opts);
    // The creates were answered under names the checks did not choose (and bodies it should
    // have refused were accepted), so checks fail; but nothing is left behind.
    assert!(
        results.iter().any(|r| r.id.ends_with("::malformed-json") && r.status == Status::Deviated)
    );
    let left: Value = tokio::runtime::Runtime::new().unwrap().block_on(async {
        let url = format!("{mock}/beta/trustFramework/keySets");
        let response = exemplar::run::http::client_builder()
            .build()
            .unwrap()
            .get(url)
            .bearer_auth("t")
            .send()
            .await
            .unwrap();
        response.json().await.unwrap()
    });
    assert_eq!(left["value"], json!([]), "left behind: {left}");
}

#[test]
fn equivalent_answers_never_fail_a_behaviour_check() {
    let results = against(Misbehaviour::Equivalent);
    let failures = failed(&results);
    assert!(failures.is_empty(), "{failures:#?}");
    assert!(results.len() >= 80);
}

/// A mock built from the case files alone, as the popular doc-derived mocks are: each
/// request is answered with the documented response of the documented request of the same
/// method and URL shape, and nothing is stored.
fn static_mock() -> String {
    let loaded = exemplar::case::load_dir(&repo_cases());
    let examples: Vec<(String, Vec<String>, u16, Option<Value>)> = loaded
        .cases
        .into_iter()
        .filter_map(|lc| {
            let response = lc.case.response?;
            let (_, segments) = exemplar::behaviour::model::split(&lc.case.request.url);
            Some((
                lc.case.request.method.to_ascii_uppercase(),
                segments,
                response.status,
                response.body,
            ))
        })
        .collect();
    let app = Router::new().fallback(move |method: Method, uri: Uri| {
        let examples = examples.clone();
        async move {
            let path: Vec<&str> = uri.path().split('/').filter(|s| !s.is_empty()).collect();
            // The documented URL of the same shape with the most literal segments.
            let best = examples
                .iter()
                .filter(|(m, segments, ..)| {
                    m == method.as_str()
                        && segments.len() == path.len()
                        && segments.iter().zip(&path).all(|(s, p)| s.starts_with('{') || s == p)
                })
                .max_by_key(|(_, segments, ..)| segments.iter().filter(|s| !s.starts_with('{')).count());
            match best {
                Some((_, _, status, Some(body))) => json_response(*status, body),
                Some((_, _, status, None)) => Response::builder().status(*status).body(Body::empty()).unwrap(),
                None => json_response(405, &json!({"error": {"code": "notDocumented", "message": "no documented example"}})),
            }
        }
    });
    common::serve_in_background(app)
}

/// Behaviour checks a replaying mock can pass because its recorded examples happen to agree
/// with each other; each with why.
const FAKEABLE: &[(&str, &str)] = &[
    (
        "behaviour::docs::graph::beta::api::trustframeworkkey_v2-update::update_trustframeworkkey_v2::navigation-update-then-read",
        "the documented update sets `status` to `enabled`, which a new key already is, and the documented read shows `enabled` too",
    ),
    (
        "behaviour::seeds::001_cc8e7eaa0057f576::update_trustframeworkkey_v2::navigation-update-then-read",
        "the same update as the documented one, from a seed",
    ),
    (
        "behaviour::seeds::002_3c935dc491a4f7d4::example-1::navigation-update-then-read",
        "the same update as the documented one, from a seed",
    ),
];

#[test]
fn a_static_mock_fails_every_behaviour_it_cannot_fake() {
    let mut opts = RunOptions::new(
        repo_cases(),
        libtest_mimic::Arguments { quiet: true, test_threads: Some(8), ..Default::default() },
    );
    opts.target = Some(static_mock());
    opts.auth = exemplar::run::harness::AuthOptions::Bearer("exemplar-test-token".into());
    let (exit, results) = common::run_lib(opts);
    assert_eq!(exit, Exit::Failed);
    let snapshot = |c: Code| {
        matches!(c, Code::SnapshotMismatch | Code::SnapshotMissing | Code::SnapshotUnstable)
    };
    let failed_for_real = |r: &CaseResult| {
        r.status == Status::Deviated && r.deviations.iter().any(|d| !snapshot(d.code))
    };
    let passing: Vec<&str> = results
        .iter()
        .filter(|r| r.id.starts_with("behaviour::") && !failed_for_real(r))
        .map(|r| r.id.as_str())
        .collect();
    let fakeable: Vec<&str> = FAKEABLE.iter().map(|(id, _)| *id).collect();
    assert_eq!(passing, fakeable, "behaviour checks a static mock passes");
    // Every documented operation is caught by its case or by a check derived from it.
    for case in
        results.iter().filter(|r| !r.id.starts_with("behaviour::") && r.status != Status::Skipped)
    {
        let caught = failed_for_real(case)
            || results.iter().any(|r| {
                r.id.starts_with(&format!("behaviour::{}::", case.id)) && failed_for_real(r)
            });
        assert!(caught, "{}: nothing fails against a static mock", case.id);
    }
}

/// The behaviour checks in every report: their deviations with the layer's codes, each
/// step's exchange, and coverage per operation saying which behaviours were checked.
#[test]
fn every_report_shows_behaviour_deviations_steps_and_coverage() {
    // Removed however the test ends: `cargo test` leaves nothing in the temporary directory.
    let scratch = tempfile::Builder::new().prefix("exemplar-behaviour-reports-").tempdir().unwrap();
    let dir = scratch.path();
    let (json, md, junit, html) =
        (dir.join("r.json"), dir.join("r.md"), dir.join("r.xml"), dir.join("r.html"));
    let out = Command::new(env!("CARGO_BIN_EXE_exemplar"))
        .args(["run", "-q", "--checks", "contract,behaviour", "--color", "never", "delete"])
        .args([
            "--target",
            &proxy(Misbehaviour::IgnoresDeletes),
            "--token-env",
            "EXEMPLAR_TEST_TOKEN",
        ])
        .arg("--report-json")
        .arg(&json)
        .arg("--report-md")
        .arg(&md)
        .arg("--report-junit")
        .arg(&junit)
        .arg("--report-html")
        .arg(&html)
        .env("EXEMPLAR_TEST_TOKEN", "exemplar-test-token")
        .env_remove("GITHUB_ACTIONS")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let id = "behaviour::docs::graph::beta::api::trustframeworkkeyset-delete::delete_trustframeworkkeyset::delete-then-read";
    assert!(
        stdout.contains(
            "delete-without-effect at read:status: expected 404 with the error envelope, actual 200"
        ),
        "{stdout}"
    );
    assert!(!stdout.contains("exemplar-test-token"), "the token reached the console");

    let report: Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let case = report["cases"].as_array().unwrap().iter().find(|c| c["id"] == id).unwrap();
    assert_eq!(case["status"], "deviated");
    assert!(
        case["deviations"].as_array().unwrap().iter().any(|d| d["code"] == "delete-without-effect"),
        "{case}"
    );
    let roles: Vec<&str> =
        case["exchanges"].as_array().unwrap().iter().map(|e| e["role"].as_str().unwrap()).collect();
    assert!(roles.contains(&"delete") && roles.contains(&"read"), "{roles:?}");
    let op = report["coverage"]["operations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["doc"] == "docs/graph/beta/api/trustframeworkkeyset-delete.md")
        .unwrap();
    let checked: Vec<&str> = op["behaviours"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["behaviour"].as_str().unwrap())
        .collect();
    assert!(checked.contains(&"delete-then-read") && checked.contains(&"no-auth"), "{checked:?}");
    assert_eq!(op["examples"].as_array().unwrap().len(), 1, "behaviour checks are not examples");
    assert!(report["coverage"]["totals"]["behaviours"].as_u64().unwrap() >= 4);
    let text = std::fs::read_to_string(&json).unwrap();
    assert!(!text.contains("exemplar-test-token"), "the token reached the report");

    let md = std::fs::read_to_string(&md).unwrap();
    assert!(
        md.contains("Behaviours checked per operation") && md.contains("| delete-then-read |"),
        "{md}"
    );
    assert!(md.contains("delete-without-effect"), "{md}");
    let junit = std::fs::read_to_string(&junit).unwrap();
    assert!(
        junit.contains("name=\"delete-then-read\"")
            && junit.contains("type=\"delete-without-effect\""),
        "{junit}"
    );
    let html = std::fs::read_to_string(&html).unwrap();
    assert!(html.contains("id=\"behaviours\"") && html.contains("delete-then-read"));
}
