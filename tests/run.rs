//! `exemplar run` end to end: real servers on loopback (the reference mock, a rewriting proxy,
//! a throttling server, a token endpoint, broken servers), the real binary for what users see,
//! and the library for results as data.

#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::Response;
use exemplar::check::Code;
use exemplar::cli::Exit;
use exemplar::mock::{self, Deviation, MockConfig};
use exemplar::run::harness::{AuthOptions, RunOptions};
use exemplar::run::result::{ErrorKind, SkippedTeardown, TimeLimit};
use exemplar::run::{CaseResult, ErrorCode, Status};
use serde_json::{Value, json};

mod common;

fn repo_cases() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("cases")
}

fn quiet_args() -> libtest_mimic::Arguments {
    libtest_mimic::Arguments { quiet: true, test_threads: Some(4), ..Default::default() }
}

fn temp_dir(name: &str) -> common::Scratch {
    common::Scratch::new(&format!("run-{name}"))
}

/// Runs the library harness (see `common::run_nested`) on the cases alone: these tests are
/// about running cases, and the behaviour checks that the same run would add have their own
/// tests in `tests/behaviour.rs`.
fn run_lib(mut opts: RunOptions) -> (Exit, Vec<CaseResult>) {
    opts.behaviour = false;
    common::run_lib(opts)
}

fn codes(results: &[CaseResult]) -> Vec<Code> {
    results.iter().flat_map(|r| r.deviations.iter().map(|d| d.code)).collect()
}

/// The binary, in the repository. A `run` checks the doc contract only: these tests are about
/// that layer, and must not leave pending snapshots in the repository's `snapshots/`.
fn exemplar(args: &[&str]) -> std::process::Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_exemplar"));
    cmd.args(args).current_dir(env!("CARGO_MANIFEST_DIR"));
    if args.first() == Some(&"run") {
        cmd.args(["--checks", "contract"]);
    }
    cmd.output().unwrap()
}

/// Serves a reference mock on a runtime of its own; returns its base URL.
fn mock_in_background(config: MockConfig) -> String {
    common::serve_in_background(mock::app(mock::AppState::new(config)))
}

#[test]
fn every_committed_case_passes_against_the_reference_mock() {
    let (exit, results) = run_lib(RunOptions::new(repo_cases(), quiet_args()));
    let failed: Vec<_> = results
        .iter()
        .filter(|r| r.status != Status::Passed)
        .map(|r| (&r.id, &r.deviations, &r.error))
        .collect();
    assert!(failed.is_empty(), "{failed:#?}");
    assert_eq!(exit, Exit::Success);
    assert!(results.len() >= 19);
    // Every case sent its documented request and tore down what it set up.
    for r in &results {
        assert!(r.main_exchange().is_some(), "{}", r.id);
        assert!(r.teardown_errors.is_empty(), "{}", r.id);
    }
}

/// For every kind of deliberate deviation of the mock, the run fails with the matching code.
#[test]
fn every_mock_deviation_is_caught_with_its_code() {
    let expected = [
        (Deviation::Status, Code::StatusMismatch),
        (Deviation::MissingProperty, Code::PropertyMissing),
        (Deviation::WrongType, Code::TypeMismatch),
        (Deviation::ExtraProperty, Code::PropertyUndocumented),
        (Deviation::ContentType, Code::ContentTypeMismatch),
        (Deviation::OdataType, Code::OdataTypeMismatch),
        (Deviation::EmptyBody, Code::BodyMissing),
        (Deviation::InvalidJson, Code::BodyInvalidJson),
        (Deviation::Slow, Code::ResponseSlow),
        (Deviation::ServerError, Code::StatusMismatch),
    ];
    assert_eq!(expected.len(), Deviation::ALL.len());
    for (kind, code) in expected {
        let mut opts = RunOptions::new(
            repo_cases(),
            libtest_mimic::Arguments { quiet: true, test_threads: Some(19), ..Default::default() },
        );
        opts.mock_deviations = vec![kind];
        opts.slow = Some(Duration::from_millis(1500));
        let (exit, results) = run_lib(opts);
        let found = codes(&results);
        assert!(found.contains(&code), "{kind:?}: expected {code}, found {found:?}");
        assert_eq!(exit, Exit::Failed, "{kind:?}");
        let failing = results.iter().find(|r| r.deviations.iter().any(|d| d.code == code)).unwrap();
        assert!(failing.source.is_some(), "deviations carry the doc location");
    }
}

/// A proxy in front of the mock that changes nothing that matters: key order, whitespace,
/// `charset`, extra headers. Ids, dates and request ids differ between runs by nature.
#[test]
fn equivalent_responses_are_not_deviations() {
    let inner = mock_in_background(MockConfig { auth: false, ..MockConfig::default() });
    let client = exemplar::run::http::client_builder().build().expect("client");
    let app =
        Router::new().fallback(move |method: Method, uri: Uri, headers: HeaderMap, body: Bytes| {
            let client = client.clone();
            let inner = inner.clone();
            async move {
                let mut request = client.request(method, format!("{inner}{uri}")).body(body);
                if let Some(ct) = headers.get("content-type") {
                    request = request.header("content-type", ct);
                }
                let upstream = request.send().await.unwrap();
                let status = upstream.status();
                let location = upstream.headers().get("location").cloned();
                let bytes = upstream.bytes().await.unwrap();
                let mut builder = Response::builder().status(status).header("x-variant", "1");
                if let Some(l) = location {
                    builder = builder.header("location", l);
                }
                let body = match serde_json::from_slice::<Value>(&bytes) {
                    Ok(v) => {
                        builder = builder.header("content-type", "application/json; charset=utf-8");
                        // Reversed key order and tab indentation.
                        let text = serde_json::to_string_pretty(&reverse_keys(&v))
                            .unwrap()
                            .replace("  ", "\t");
                        Body::from(text)
                    }
                    Err(_) => Body::from(bytes),
                };
                builder.body(body).unwrap()
            }
        });
    let proxy = common::serve_in_background(app);
    let mut opts = RunOptions::new(repo_cases(), quiet_args());
    opts.target = Some(proxy);
    let (exit, results) = run_lib(opts);
    let failed: Vec<_> = results
        .iter()
        .filter(|r| r.status != Status::Passed)
        .map(|r| (&r.id, &r.deviations, &r.error))
        .collect();
    assert!(failed.is_empty(), "{failed:#?}");
    assert_eq!(exit, Exit::Success);
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

fn write_case(dir: &Path, rel: &str, case: &Value) -> PathBuf {
    let path = dir.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, serde_json::to_string_pretty(case).unwrap()).unwrap();
    path
}

fn simple_case(id: &str, url: &str) -> Value {
    json!({
        "format": 1,
        "id": id,
        "request": {"method": "GET", "url": url},
        "response": {"status": 200, "headers": [{"name": "Content-Type", "value": "application/json"}], "body": {"ok": true}, "truncated": true}
    })
}

#[test]
fn bad_case_files_are_clear_errors_naming_file_and_line() {
    let dir = temp_dir("bad");
    std::fs::write(
        dir.join("fixtures.json"),
        r#"{"format": 1, "fixtures": {"thing": {"setup": []}}}"#,
    )
    .unwrap();
    let broken = dir.join("a/broken.json");
    std::fs::create_dir_all(broken.parent().unwrap()).unwrap();
    std::fs::write(
        &broken,
        "{\n  \"format\": 1,\n  \"id\": \"a::broken\",\n  \"request\": {\"method\": \"GET\",\n",
    )
    .unwrap();
    let mut unknown_field = simple_case("a::unknown_field", "https://h/beta/x");
    unknown_field["tgas"] = json!([]);
    write_case(&dir, "a/unknown_field.json", &unknown_field);
    let mut unknown_fixture = simple_case("a::unknown_fixture", "https://h/beta/x");
    unknown_fixture["fixtures"] = json!([{"use": "nope"}]);
    write_case(&dir, "a/unknown_fixture.json", &unknown_fixture);
    write_case(&dir, "a/unbound.json", &simple_case("a::unbound", "https://h/beta/x/{id}"));

    let out = exemplar(&["run", "--cases", dir.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    let p = |name: &str| dir.join("a").join(name).display().to_string();
    assert!(stderr.contains(&format!("{}:5:1: EOF while parsing", p("broken.json"))), "{stderr}");
    assert!(
        stderr.contains(&format!("{}:", p("unknown_field.json")))
            && stderr.contains("unknown field `tgas`"),
        "{stderr}"
    );
    let text = std::fs::read_to_string(dir.join("a/unknown_fixture.json")).unwrap();
    let line = text.lines().position(|l| l.contains("\"nope\"")).unwrap() + 1;
    assert!(
        stderr.contains(&format!("{}:{line}:", p("unknown_fixture.json")))
            && stderr.contains("unknown fixture `nope` (the catalogue has `thing`)"),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!("{}:6:", p("unbound.json")))
            && stderr.contains("`{id}` has no binding"),
        "{stderr}"
    );
    assert!(out.stdout.is_empty(), "nothing runs: {}", String::from_utf8_lossy(&out.stdout));
}

#[test]
fn list_prints_only_the_cases_and_starts_nothing() {
    let out = exemplar(&["run", "--list"]);
    assert_eq!(out.status.code(), Some(0));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<_> = stdout.lines().filter(|l| !l.is_empty()).collect();
    // `[METHOD] id: test`, the form libtest-mimic gives trials with a kind; nextest passes
    // the part before `: test` back to `--exact`.
    assert!(
        lines.iter().all(|l| l.starts_with('[')
            && l.ends_with(": test")
            && l.contains("] ")
            && l.contains("::")),
        "{stdout}"
    );
    assert!(lines.contains(&"[GET] docs::graph::beta::api::trustframeworkkeyset-get::get_trustframeworkkeyset: test"), "{stdout}");
    assert!(out.stderr.is_empty(), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn exact_filter_runs_one_case() {
    let id = "docs::graph::beta::api::trustframeworkkeyset-get::get_trustframeworkkeyset";
    let out = exemplar(&["run", "--exact", &format!("[GET] {id}")]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains("running 1 test"), "{stdout}");
    assert!(stdout.contains(&format!("test [GET] {id} ... ok")), "{stdout}");
}

#[test]
fn deviations_are_shown_with_diff_and_doc_location() {
    let target = mock_in_background(MockConfig {
        auth: false,
        deviations: vec![Deviation::Status],
        ..MockConfig::default()
    });
    let out =
        exemplar(&["run", "--target", &target, "--color", "never", "trustframeworkkeyset-get::"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("--> docs/graph/beta/api/trustframeworkkeyset-get.md:"), "{stdout}");
    assert!(stdout.contains("status-mismatch at status: expected 200, actual 202"), "{stdout}");
    assert!(!stdout.contains('\u{1b}'), "no colour when asked for none");
}

/// A server that throttles the first request with `Retry-After: 1` and then answers.
#[test]
fn throttled_requests_are_retried_after_the_time_asked() {
    let hits = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&hits);
    let app = Router::new().fallback(move || {
        let n = counter.fetch_add(1, Ordering::SeqCst);
        async move {
            if n == 0 {
                Response::builder()
                    .status(StatusCode::TOO_MANY_REQUESTS)
                    .header("retry-after", "1")
                    .body(Body::empty())
                    .unwrap()
            } else {
                Response::builder()
                    .header("content-type", "application/json")
                    .body(Body::from(r#"{"ok": true}"#))
                    .unwrap()
            }
        }
    });
    let target = common::serve_in_background(app);
    let dir = temp_dir("throttle");
    write_case(&dir, "a/one.json", &simple_case("a::one", "https://graph.microsoft.com/beta/x"));
    let mut opts = RunOptions::new(dir.to_path_buf(), quiet_args());
    opts.target = Some(target);
    let (exit, results) = run_lib(opts);
    assert_eq!(exit, Exit::Success, "{results:#?}");
    assert_eq!(results[0].retries, 1);
    assert!(results[0].throttled_ms >= 1000, "{}", results[0].throttled_ms);
    assert_eq!(hits.load(Ordering::SeqCst), 2);
}

/// Client credentials against a token endpoint on loopback; the target accepts only the
/// issued token; the secret and the token appear in no output.
#[test]
fn client_credentials_flow_gets_caches_and_hides_the_token() {
    const TOKEN: &str = "canary-access-token-6f1e2d";
    const SECRET: &str = "canary-client-secret-9a8b7c";
    let token_calls = Arc::new(AtomicUsize::new(0));
    let calls = Arc::clone(&token_calls);
    let app = Router::new()
        .route(
            "/tenant-x/oauth2/v2.0/token",
            axum::routing::post(move |body: String| {
                calls.fetch_add(1, Ordering::SeqCst);
                async move {
                    let ok = body.contains("grant_type=client_credentials") && body.contains("client_id=app-1") && body.contains(&format!("client_secret={SECRET}"));
                    if ok {
                        (StatusCode::OK, axum::Json(json!({"access_token": TOKEN, "expires_in": 3600, "token_type": "Bearer"})))
                    } else {
                        (StatusCode::UNAUTHORIZED, axum::Json(json!({"error": "invalid_client"})))
                    }
                }
            }),
        )
        .fallback(|headers: HeaderMap| async move {
            let authorized = headers.get("authorization").and_then(|v| v.to_str().ok()) == Some(&format!("Bearer {TOKEN}"));
            if authorized {
                Response::builder().header("content-type", "application/json").body(Body::from(format!(r#"{{"ok": true, "echo": "{TOKEN}"}}"#))).unwrap()
            } else {
                Response::builder().status(401).body(Body::empty()).unwrap()
            }
        });
    let base = common::serve_in_background(app);
    let dir = temp_dir("oauth");
    for i in 0..3 {
        write_case(
            &dir,
            &format!("a/c{i}.json"),
            &simple_case(&format!("a::c{i}"), "https://graph.microsoft.com/beta/x"),
        );
    }
    let out = Command::new(env!("CARGO_BIN_EXE_exemplar"))
        .args([
            "run",
            "--checks",
            "contract",
            "--cases",
            dir.to_str().unwrap(),
            "--target",
            &base,
            "--authority",
            &base,
            "--tenant",
            "tenant-x",
            "--client-id",
            "app-1",
            "--client-secret-env",
            "EXEMPLAR_TEST_SECRET",
        ])
        .env("EXEMPLAR_TEST_SECRET", SECRET)
        .output()
        .unwrap();
    let all =
        format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert_eq!(out.status.code(), Some(0), "{all}");
    assert_eq!(token_calls.load(Ordering::SeqCst), 1, "the token is cached");
    assert!(!all.contains(TOKEN) && !all.contains(SECRET), "{all}");

    // And in results as data: the echoed token in a body is redacted too.
    let mut opts = RunOptions::new(dir.to_path_buf(), quiet_args());
    opts.target = Some(base.clone());
    opts.auth = AuthOptions::ClientCredentials {
        authority: base,
        tenant: "tenant-x".into(),
        client_id: "app-1".into(),
        client_secret: SECRET.into(),
        scope: "s".into(),
    };
    let (_, results) = run_lib(opts);
    let text =
        serde_json::to_string(&results.iter().map(|r| &r.exchanges).collect::<Vec<_>>()).unwrap();
    assert!(!text.contains(SECRET), "{text}");
    assert!(results.iter().all(|r| r.status == Status::Passed), "{results:#?}");
}

#[test]
fn unreachable_targets_are_errors_not_deviations() {
    // A port that was free a moment ago: connection refused.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let dir = temp_dir("refused");
    write_case(&dir, "a/one.json", &simple_case("a::one", "https://graph.microsoft.com/beta/x"));
    let mut opts = RunOptions::new(dir.to_path_buf(), quiet_args());
    opts.target = Some(format!("http://127.0.0.1:{port}"));
    let (exit, results) = run_lib(opts);
    assert_eq!(exit, Exit::Error);
    assert_eq!(results[0].status, Status::Error);
    let error = results[0].error.as_ref().unwrap();
    assert_eq!(error.code(), ErrorCode::ConnectFailed);
    // Where the connection went is data.
    assert!(
        matches!(&error.kind, ErrorKind::ConnectFailed { method, url }
            if method == "GET" && url == &format!("http://127.0.0.1:{port}/beta/x")),
        "{error:?}"
    );
    assert!(results[0].deviations.is_empty());

    let out = exemplar(&[
        "run",
        "--cases",
        dir.to_str().unwrap(),
        "--target",
        &format!("http://127.0.0.1:{port}"),
    ]);
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stdout).contains("error[connect-failed]"));
}

/// Servers that stall, send garbage or reset: each is an error with its own code.
#[test]
fn stalling_lying_and_resetting_servers() {
    use std::io::{Read, Write};
    let garbage = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let stall = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let reset = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let (g, s, r) =
        (garbage.local_addr().unwrap(), stall.local_addr().unwrap(), reset.local_addr().unwrap());
    std::thread::spawn(move || {
        for mut conn in garbage.incoming().flatten() {
            let mut buf = [0; 1024];
            let _ = conn.read(&mut buf);
            let _ = conn.write_all(b"\x00\x01 this is not HTTP at all\r\n\r\n");
        }
    });
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for conn in stall.incoming().flatten() {
            held.push(conn);
        }
    });
    std::thread::spawn(move || {
        for mut conn in reset.incoming().flatten() {
            let mut buf = [0; 1024];
            let _ = conn.read(&mut buf);
            drop(conn);
        }
    });
    let dir = temp_dir("broken-servers");
    write_case(&dir, "a/one.json", &simple_case("a::one", "https://graph.microsoft.com/beta/x"));
    for (addr, want) in
        [(g, ErrorCode::Protocol), (s, ErrorCode::Timeout), (r, ErrorCode::Protocol)]
    {
        let mut opts = RunOptions::new(dir.to_path_buf(), quiet_args());
        opts.target = Some(format!("http://{addr}"));
        opts.client.timeout = Duration::from_secs(1);
        let (exit, results) = run_lib(opts);
        assert_eq!(exit, Exit::Error, "{addr}");
        let error = results[0].error.as_ref();
        assert_eq!(error.map(|e| e.code()), Some(want), "{addr}: {error:?}");
        if want == ErrorCode::Timeout {
            // Which limit elapsed, after how long: data, and said in the message.
            let error = error.unwrap();
            assert!(
                matches!(
                    error.kind,
                    ErrorKind::Timeout {
                        limit: TimeLimit::Request,
                        after: Some(after),
                        ..
                    } if after == Duration::from_secs(1)
                ),
                "{error:?}"
            );
            let message = exemplar::report::phrase::run_error(error);
            assert!(message.ends_with("(no answer within 1 s, the --timeout)"), "{message}");
        }
    }
}

#[test]
fn a_fixture_that_fails_is_an_error_and_teardown_still_runs() {
    let deletes = Arc::new(AtomicUsize::new(0));
    let d = Arc::clone(&deletes);
    let app = Router::new().fallback(move |method: Method, uri: Uri| {
        let d = Arc::clone(&d);
        async move {
            match (method.as_str(), uri.path()) {
                ("POST", "/beta/things") => Response::builder()
                    .status(201)
                    .header("content-type", "application/json")
                    .body(Body::from(r#"{"id": "t1"}"#))
                    .unwrap(),
                ("POST", "/beta/things/t1/parts") => {
                    Response::builder().status(500).body(Body::from("boom")).unwrap()
                }
                ("DELETE", "/beta/things/t1") => {
                    d.fetch_add(1, Ordering::SeqCst);
                    Response::builder().status(204).body(Body::empty()).unwrap()
                }
                _ => Response::builder().status(404).body(Body::empty()).unwrap(),
            }
        }
    });
    let target = common::serve_in_background(app);
    let dir = temp_dir("fixture-fails");
    std::fs::write(
        dir.join("fixtures.json"),
        serde_json::to_string(&json!({"format": 1, "fixtures": {
            "thing": {"setup": [{"method": "POST", "url": "/beta/things", "capture": {"id": "/id"}}], "teardown": [{"method": "DELETE", "url": "/beta/things/{{id}}"}]},
            "part": {"params": ["thing"], "setup": [{"method": "POST", "url": "/beta/things/{{thing}}/parts", "capture": {"id": "/id"}}]}
        }}))
        .unwrap(),
    )
    .unwrap();
    let mut case = simple_case("a::one", "https://graph.microsoft.com/beta/things/{id}");
    case["fixtures"] =
        json!([{"use": "thing", "as": "t"}, {"use": "part", "with": {"thing": "{{t.id}}"}}]);
    case["bind"] = json!({"id": "{{t.id}}"});
    write_case(&dir, "a/one.json", &case);
    let mut opts = RunOptions::new(dir.to_path_buf(), quiet_args());
    opts.target = Some(target);
    let (exit, results) = run_lib(opts);
    assert_eq!(exit, Exit::Error);
    let error = results[0].error.as_ref().unwrap();
    assert_eq!(error.code(), ErrorCode::FixtureFailed);
    assert_eq!(error.kind, ErrorKind::Rejected { status: 500 });
    let message = exemplar::report::phrase::run_error(error);
    assert!(message.contains("answered 500: boom"), "{message}");
    assert_eq!(deletes.load(Ordering::SeqCst), 1, "the thing that was created is deleted");
}

#[test]
fn changing_requests_may_only_address_what_fixtures_created() {
    let dir = temp_dir("unsafe");
    let mut case = simple_case("a::del", "https://graph.microsoft.com/beta/things/{id}");
    case["request"]["method"] = json!("DELETE");
    case["bind"] = json!({"id": "production-thing"});
    write_case(&dir, "a/del.json", &case);
    let out =
        exemplar(&["run", "--cases", dir.to_str().unwrap(), "--target", "http://127.0.0.1:9"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("a DELETE may only address what a fixture of this case created"),
        "{stderr}"
    );
}

const GET_SET: &str = "docs::graph::beta::api::trustframeworkkeyset-get::get_trustframeworkkeyset";

/// Option values that would make a run meaningless or hang are refused before anything runs,
/// each with a message that names the option.
#[test]
fn meaningless_option_values_are_refused_naming_the_option() {
    let dir = temp_dir("options");
    let der = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/cert.der");
    let pem = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/cert.pem");
    let empty = dir.join("empty.pem");
    std::fs::write(&empty, "").unwrap();
    let same = dir.join("r.json");
    let same_other = format!("{}/./r.json", dir.display());
    let refused: [(Vec<&str>, &str); 6] = [
        (vec!["--timeout", "0"], "--timeout"),
        (vec!["--connect-timeout", "0"], "--connect-timeout"),
        (vec!["--test-threads", "0"], "--test-threads"),
        (vec!["--cacert", der], "--cacert"),
        (vec!["--cacert", empty.to_str().unwrap()], "--cacert"),
        (vec!["--report-json", same.to_str().unwrap(), "--report-md", &same_other], "--report-md"),
    ];
    for (args, option) in refused {
        let mut all = vec!["run"];
        all.extend(&args);
        let out = exemplar(&all);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(option), "{args:?} names {option}: {stderr}");
        assert!(out.stdout.is_empty(), "{args:?}: nothing ran");
        assert!(!same.exists(), "{args:?}: no report was written");
    }
    // A PEM bundle is accepted.
    let out = exemplar(&["run", "-q", "--cacert", pem, "--exact", GET_SET]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
}

/// A run that selects no case checked nothing: a usage error with a hint, unless
/// `--allow-empty` says an empty run is expected.
#[test]
fn a_run_that_selects_no_case_is_a_usage_error_unless_allowed() {
    let empty = temp_dir("no-cases");
    let empty_dir = empty.to_str().unwrap();
    let runs: [(Vec<&str>, &str); 4] = [
        (
            vec!["--exact", "docs::no::such::case"],
            "the filter `docs::no::such::case` selects no case",
        ),
        (vec!["no-such-filter"], "the filter `no-such-filter` selects no case"),
        (vec!["--skip", "docs", "--skip", "seeds"], "the --skip patterns leave out every case"),
        (vec!["--cases", empty_dir], "holds no case file"),
    ];
    for (args, why) in runs {
        let mut all = vec!["run", "-q"];
        all.extend(&args);
        let out = exemplar(&all);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(why), "{args:?}: {stderr}");
        assert!(stderr.contains("hint: `exemplar run --list`"), "{args:?}: {stderr}");
        assert!(!stderr.contains("gate passed"), "{args:?}: {stderr}");
        all.push("--allow-empty");
        let out = exemplar(&all);
        assert_eq!(out.status.code(), Some(0), "{args:?} --allow-empty");
    }
}

/// A setup that fails before capturing the id its teardown deletes has created nothing: its
/// teardown is skipped and said once with the setup's error, not reported as
/// `teardown-failed: {{id}} is not defined`.
#[test]
fn a_teardown_whose_setup_captured_nothing_is_skipped_and_said_once() {
    let deletes = Arc::new(AtomicUsize::new(0));
    let d = Arc::clone(&deletes);
    let app = Router::new().fallback(move |method: Method| {
        let d = Arc::clone(&d);
        async move {
            if method == Method::DELETE {
                d.fetch_add(1, Ordering::SeqCst);
            }
            Response::builder().status(500).body(Body::from("down")).unwrap()
        }
    });
    let target = common::serve_in_background(app);
    let dir = temp_dir("setup-fails");
    std::fs::write(
        dir.join("fixtures.json"),
        serde_json::to_string(&json!({"format": 1, "fixtures": {
            "thing": {"setup": [{"method": "POST", "url": "/beta/things", "capture": {"id": "/id"}}], "teardown": [{"method": "DELETE", "url": "/beta/things/{{id}}"}]}
        }}))
        .unwrap(),
    )
    .unwrap();
    let mut case = simple_case("a::one", "https://graph.microsoft.com/beta/things/{id}");
    case["fixtures"] = json!([{"use": "thing", "as": "t"}]);
    case["bind"] = json!({"id": "{{t.id}}"});
    write_case(&dir, "a/one.json", &case);
    let mut opts = RunOptions::new(dir.to_path_buf(), quiet_args());
    opts.target = Some(target);
    let (exit, results) = run_lib(opts);
    assert_eq!(exit, Exit::Error);
    let r = &results[0];
    assert!(r.teardown_errors.is_empty(), "{:?}", r.teardown_errors);
    let error = r.error.as_ref().unwrap();
    assert_eq!(error.code(), ErrorCode::FixtureFailed);
    // What the setup got and which teardown it skipped are data, phrased by the report.
    assert_eq!(error.kind, ErrorKind::Rejected { status: 500 });
    assert_eq!(error.fixture.as_ref().map(|f| f.alias.as_str()), Some("t"));
    assert_eq!(error.skipped(), [SkippedTeardown { alias: "t".into(), missing: "id".into() }]);
    let message = exemplar::report::phrase::run_error(error);
    assert!(message.contains("answered 500: down"), "{message}");
    assert_eq!(
        message.matches("; teardown of fixture `t` (no `id` captured) skipped").count(),
        1,
        "{message}"
    );
    assert_eq!(deletes.load(Ordering::SeqCst), 0, "nothing was created, nothing is deleted");
}

/// Someone's mock that wants credentials, run without any: the first requests answer 401, the
/// run stops sending and says once what to pass. `--header 'Authorization: ...'` is such a
/// credential, and its value is redacted like a token.
#[test]
fn a_target_that_refuses_the_first_requests_stops_the_run_with_one_hint() {
    let target = mock_in_background(MockConfig::default());
    let dir = temp_dir("refused");
    let json = dir.join("r.json");
    let out =
        exemplar(&["run", "-q", "--target", &target, "--report-json", json.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert_eq!(stderr.matches("hint: pass a bearer token with --token-env").count(), 1, "{stderr}");
    assert!(stderr.contains("--header 'Authorization: ...'"), "{stderr}");
    assert!(
        stderr.contains(
            "the target answered 401 to the run's first requests, so the run stopped sending"
        ),
        "{stderr}"
    );
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let cases = report["cases"].as_array().unwrap();
    let not_sent = cases.iter().filter(|c| c["error"]["code"] == "auth-refused").count();
    assert!(not_sent > 0, "later cases were not sent");
    let sent: usize = cases.iter().map(|c| c["exchanges"].as_array().map_or(0, Vec::len)).sum();
    assert!(sent < cases.len(), "stopped early: {sent} requests for {} cases", cases.len());

    let secret = "exemplar-header-secret-7f3a";
    let authorization = format!("Authorization: Bearer {secret}");
    let out = exemplar(&[
        "run",
        "-q",
        "--target",
        &target,
        "--header",
        &authorization,
        "--header",
        "X-Exemplar-Trace: on",
        "--report-json",
        json.to_str().unwrap(),
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(matches!(out.status.code(), Some(0 | 1)), "{stderr}");
    assert!(!stderr.contains("hint: pass a bearer token"), "{stderr}");
    let text = std::fs::read_to_string(&json).unwrap();
    assert!(!text.contains(secret), "the header's credential reached the report");
    assert!(!String::from_utf8_lossy(&out.stdout).contains(secret));
    assert!(text.contains("X-Exemplar-Trace"), "the other header was sent and recorded");
    // Refused before anything runs: a malformed header, and two sources of credentials.
    let out = exemplar(&["run", "--target", &target, "--header", "no colon"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--header"));
    let out =
        exemplar(&["run", "--target", &target, "--header", &authorization, "--token-env", "X"]);
    assert_eq!(out.status.code(), Some(2));
}

/// The list case checks the items its own fixtures created, not the whole tenant: a key set
/// someone else holds, however it looks, neither fails it nor changes its result; the case
/// notes how many items it left unchecked.
#[test]
fn the_list_case_checks_only_the_items_its_fixtures_created() {
    let inner = mock_in_background(MockConfig { auth: false, ..MockConfig::default() });
    let client = exemplar::run::http::client_builder().build().expect("client");
    let app =
        Router::new().fallback(move |method: Method, uri: Uri, headers: HeaderMap, body: Bytes| {
            let client = client.clone();
            let inner = inner.clone();
            async move {
                let listing = method == Method::GET && uri.path() == "/beta/trustFramework/keySets";
                let mut request = client.request(method, format!("{inner}{uri}")).body(body);
                if let Some(ct) = headers.get("content-type") {
                    request = request.header("content-type", ct);
                }
                let upstream = request.send().await.unwrap();
                let status = upstream.status();
                let mut builder = Response::builder().status(status);
                for name in ["content-type", "location"] {
                    if let Some(v) = upstream.headers().get(name) {
                        builder = builder.header(name, v.clone());
                    }
                }
                let bytes = upstream.bytes().await.unwrap();
                let body = match serde_json::from_slice::<Value>(&bytes) {
                    // Someone else's key set, in a shape no documented one has.
                    Ok(mut v) if listing => {
                        v["value"].as_array_mut().unwrap().push(json!({"id": 7, "keys": "none"}));
                        Body::from(v.to_string())
                    }
                    _ => Body::from(bytes),
                };
                builder.body(body).unwrap()
            }
        });
    let proxy = common::serve_in_background(app);
    let mut opts = RunOptions::new(
        repo_cases(),
        libtest_mimic::Arguments {
            exact: true,
            filter: Some("docs::graph::beta::api::trustframework-list-keysets::get_keysets".into()),
            ..quiet_args()
        },
    );
    opts.target = Some(proxy);
    let (exit, results) = run_lib(opts);
    assert_eq!(results.len(), 1);
    let r = &results[0];
    assert!(r.deviations.is_empty(), "{:#?}", r.deviations);
    assert_eq!(exit, Exit::Success);
    assert!(r.strictness.others >= 1, "{:?}", r.strictness);
}

/// Runs made to fail on purpose, the two ways these tests make them: the library harness in
/// process, whose libtest lines go to the run's log, and the binary, whose output is captured.
/// Each did fail and said so, where the test can read it.
#[test]
fn runs_made_to_fail_keep_their_failed_lines() {
    let mut opts = RunOptions::new(
        repo_cases(),
        libtest_mimic::Arguments { exact: true, filter: Some(GET_SET.into()), ..quiet_args() },
    );
    opts.behaviour = false;
    opts.mock_deviations = vec![Deviation::WrongType];
    let nested = common::run_nested(opts);
    assert_eq!(nested.exit, Exit::Failed);
    assert_eq!(nested.results.len(), 1);
    assert!(!common::failed_lines(&nested.log).is_empty(), "{}", nested.log);

    let out = exemplar(&["run", "--mock-deviate", "wrong-type", "--exact", GET_SET]);
    assert_eq!(out.status.code(), Some(1), "{}", common::output_text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let failed = common::failed_lines(&stdout);
    assert!(failed.iter().any(|l| l.contains(GET_SET)), "{stdout}");
}

/// Issue 14, item 12: a passing `cargo test` prints no `FAILED` lines. The test above, run
/// again in a process of its own with libtest's capture off, passes and prints none of the
/// lines `.ci/run` refuses: the failures it makes stay where the test reads them.
#[test]
fn runs_made_to_fail_print_nothing_to_the_test_output() {
    let out = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "runs_made_to_fail_keep_their_failed_lines", "--nocapture"])
        .output()
        .unwrap();
    let shown = common::output_text(&out);
    assert_eq!(out.status.code(), Some(0), "{shown}");
    assert!(shown.contains("test result: ok. 1 passed"), "{shown}");
    assert_eq!(common::failed_lines(&shown), Vec::<&str>::new(), "{shown}");
}
