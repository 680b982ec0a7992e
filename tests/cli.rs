//! What a person reads from `exemplar run` (issue 15): help, verbosity, fail-fast, a started
//! target, and the messages that say what went wrong and what to do. Each drives the real
//! binary against real loopback servers; the output is snapshot-tested with insta, its
//! volatile parts (ports, times, ids, dates, temporary paths) redacted.

#![allow(clippy::unwrap_used)]

mod common;

use std::net::TcpListener;
use std::path::Path;
use std::process::{Command, Output};

use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse};

/// The case used where one case is enough: a fixture (create a key set, capture its id), the
/// documented request, the teardown.
const ONE: &str = "trustframeworkkeyset-uploadsecret";

fn exemplar(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_exemplar"))
        .args(args)
        .current_dir(dir)
        .env_remove("CI")
        .env_remove("GITHUB_ACTIONS")
        .env_remove("NO_COLOR")
        .env("EXEMPLAR_TEST_TOKEN", "exemplar-test-token")
        .output()
        .unwrap()
}

/// A run of the repository's cases: the doc contract only, one thread so that libtest's lines
/// come in a fixed order, no colour.
fn run(args: &[&str]) -> Output {
    let mut all = vec!["run", "--checks", "contract", "--test-threads", "1", "--color", "never"];
    all.extend_from_slice(args);
    exemplar(&all, Path::new(env!("CARGO_MANIFEST_DIR")))
}

fn text(out: &Output) -> String {
    redact(&common::output_text(out))
}

/// Replaces what differs from one run to the next.
fn redact(text: &str) -> String {
    let rules = [
        (r"127\.0\.0\.1:\d+", "127.0.0.1:[port]"),
        (r"\(\d+ ms\)", "([n] ms)"),
        (r"in \d+\.\d+s\b", "in [t]s"),
        (r"exemplar_[0-9a-f]{8}(\d{4})", "exemplar_[run]$1"),
        (r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "[uuid]"),
        (r"(?m)^< date: .*$", "< date: [date]"),
        (r#""kid": "[A-Za-z0-9_-]{43}""#, r#""kid": "[kid]""#),
        (r"\(os error \d+\)", "(os error [n])"),
    ];
    common::redact(text, &rules)
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

#[test]
fn run_help_reads_like_the_tool() {
    let out = exemplar(&["run", "--help"], Path::new(env!("CARGO_MANIFEST_DIR")));
    assert_eq!(out.status.code(), Some(0));
    let help = String::from_utf8(out.stdout).unwrap();
    assert!(help.starts_with("Run the cases against a target"), "{help}");
    assert!(help.contains("Usage: exemplar run [OPTIONS] [FILTER]"), "{help}");
    for hidden in ["--bench", "--test ", "-Z", "--nocapture", "--show-output", "--logfile"] {
        assert!(!help.contains(hidden), "{hidden} is a libtest no-op and is shown:\n{help}");
    }
    // Hidden, not gone: a libtest runner that passes them still works.
    let out = run(&["--list", "--nocapture", "--show-output", ONE]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    insta::assert_snapshot!(help);
}

#[test]
fn a_passing_run() {
    let out = run(&[ONE]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    insta::assert_snapshot!(text(&out));
}

#[test]
fn verbose_shows_the_exchanges_of_failing_cases() {
    let out = run(&["-v", "--mock-deviate", "status", ONE]);
    assert_eq!(out.status.code(), Some(1));
    let shown = text(&out);
    // The embedded mock's token is the run's secret: shown as redacted, never as itself.
    assert!(shown.contains("> Authorization: [redacted]"), "{shown}");
    assert!(!shown.contains("Bearer exemplar-"), "{shown}");
    insta::assert_snapshot!(shown);
}

#[test]
fn very_verbose_shows_the_exchanges_of_passing_cases_too() {
    let quiet = text(&run(&["-v", ONE]));
    assert!(!quiet.contains("* exchange"), "-v shows no exchange of a passing case:\n{quiet}");
    let out = run(&["-vv", ONE]);
    assert_eq!(out.status.code(), Some(0));
    let shown = text(&out);
    let passed = format!(
        "---- docs::graph::beta::api::{ONE}::trustframeworkkeyset_uploadsecret (passed) ----"
    );
    assert!(shown.contains(&passed), "{shown}");
    for line in ["* exchange 1 of 3: set setup", "* exchange 2 of 3: main", "< 200", "> DELETE "] {
        assert!(shown.contains(line), "{line} missing:\n{shown}");
    }
}

/// `--fail-fast`: the first failing case stops the start of the others; they are reported as
/// not run, never as passed, and the run fails; the reports are written.
#[test]
fn fail_fast_stops_starting_cases_and_reports_the_rest_as_not_run() {
    let dir = common::Scratch::new("fail-fast");
    let json = dir.join("report.json");
    let out = run(&[
        "--fail-fast",
        "--mock-deviate",
        "status",
        "--report-json",
        json.to_str().unwrap(),
        "trustframeworkkeyset-",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    let cases = report["cases"].as_array().unwrap();
    let outcome = |c: &serde_json::Value| c["status"].as_str().unwrap().to_string();
    assert_eq!(cases.iter().filter(|c| outcome(c) == "deviated").count(), 1, "{report}");
    assert!(cases.iter().all(|c| outcome(c) != "passed"), "{report}");
    let not_run: Vec<_> = cases.iter().filter(|c| outcome(c) == "skipped").collect();
    assert_eq!(not_run.len(), cases.len() - 1);
    assert!(not_run.iter().all(|c| c["skipReason"].as_str().unwrap().starts_with("not run:")));
    insta::assert_snapshot!(text(&out).replace(&json.display().to_string(), "[report]"));

    // `--max-fail 2`: two failing cases, then none starts.
    let out = run(&["--max-fail", "2", "--mock-deviate", "status", "trustframeworkkeyset-"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--max-fail 2 stopped the run after 2 failing cases"), "{err}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(stdout.matches("... FAILED").count(), 2, "{stdout}");
}

#[test]
fn server_starts_the_target_and_stops_it_with_its_process_group() {
    let port = free_port();
    let target = format!("http://127.0.0.1:{port}");
    // The server is the shell's child, not the shell: only a stop of the whole group stops
    // it. Its pid goes to a file, so the test can tell it is gone (its port could be taken
    // by another test's server the moment it is free).
    let dir = common::Scratch::new("server");
    let pid_file = dir.join("pid");
    let command = background_server(port, &[], &pid_file);
    let out = run(&[
        "--target",
        &target,
        "--token-env",
        "EXEMPLAR_TEST_TOKEN",
        "--server",
        &command,
        // A debug build on a busy machine may take a while to listen; the test waits for
        // readiness, it does not time it.
        "--server-wait",
        "120",
        ONE,
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(!alive(&pid_file), "the server outlived the run");
}

/// A `--server` command that starts `exemplar serve` in the background of a shell and writes
/// its pid to `pid_file`.
fn background_server(port: u16, serve_args: &[&str], pid_file: &Path) -> String {
    format!(
        "{} serve --bind 127.0.0.1:{port} {} & echo $! > '{}'; wait",
        env!("CARGO_BIN_EXE_exemplar"),
        serve_args.join(" "),
        pid_file.display()
    )
}

/// Whether the process whose pid is in `pid_file` still exists.
fn alive(pid_file: &Path) -> bool {
    let pid: i32 = std::fs::read_to_string(pid_file).unwrap().trim().parse().unwrap();
    nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), None).is_ok()
}

#[test]
fn server_errors_name_the_option_and_quote_the_servers_stderr() {
    let target = format!("http://127.0.0.1:{}", free_port());
    let out = run(&["--target", &target, "--server", "echo listening soon >&2; exit 7", ONE]);
    assert_eq!(out.status.code(), Some(3));
    insta::assert_snapshot!("server_exits_early", text(&out));
    let out = run(&[
        "--target",
        &target,
        "--server",
        "echo never listens >&2; exec sleep 30",
        "--server-wait",
        "1",
        ONE,
    ]);
    assert_eq!(out.status.code(), Some(3));
    insta::assert_snapshot!("server_never_ready", text(&out));
}

/// A target that answers everything with a web page.
fn html_target() -> String {
    common::serve_in_background(
        axum::Router::new().fallback(|| async { Html("<!doctype html><title>Welcome</title>") }),
    )
}

#[test]
fn messages_that_help() {
    // A host and port without a scheme.
    let out = run(&["--target", "127.0.0.1:8081", ONE]);
    assert_eq!(out.status.code(), Some(2));
    insta::assert_snapshot!("target_without_scheme", text(&out));

    // A target that answers HTML: a web server, not the API.
    let out = run(&["--target", &html_target(), ONE]);
    assert_eq!(out.status.code(), Some(3));
    let shown = text(&out);
    assert!(shown.contains("expected JSON, got text/html"), "{shown}");
    insta::assert_snapshot!("target_answers_html", shown);

    // https:// to a port that speaks plain HTTP.
    let plain = html_target().replace("http://", "https://");
    let out = run(&["--target", &plain, ONE]);
    assert_eq!(out.status.code(), Some(3));
    let shown = text(&out);
    assert!(shown.contains("error[fixture-failed]"), "{shown}");
    insta::assert_snapshot!("https_to_plain_http", shown);

    // A proxy that is not there, and one that is not a URL.
    let proxy = format!("http://127.0.0.1:{}", free_port());
    let out = run(&["--target", "http://127.0.0.1:9", "--proxy", &proxy, ONE]);
    assert_eq!(out.status.code(), Some(3));
    insta::assert_snapshot!("proxy_unreachable", text(&out));
    let out = run(&["--target", "http://127.0.0.1:9", "--proxy", "127.0.0.1:3128", ONE]);
    assert_eq!(out.status.code(), Some(2));
    insta::assert_snapshot!("proxy_not_a_url", text(&out));

    // Outside a project.
    let empty = common::Scratch::new("no-project");
    let out = exemplar(&["run"], &empty);
    assert_eq!(out.status.code(), Some(2));
    insta::assert_snapshot!(
        "outside_a_project",
        text(&out).replace(&empty.display().to_string(), "[dir]")
    );

    // A report path under a file: the run runs, then says which file is in the way.
    let out = run(&["--report-html", "Cargo.toml/report.html", ONE]);
    assert_eq!(out.status.code(), Some(3));
    let shown = text(&out);
    assert!(shown.contains("`Cargo.toml` is a file, not a directory"), "{shown}");
    insta::assert_snapshot!("report_under_a_file", shown);
}

#[test]
fn a_fixture_error_is_not_prefixed_twice() {
    let out = run(&["--target", "http://127.0.0.1:1", ONE]);
    assert_eq!(out.status.code(), Some(3));
    let shown = text(&out);
    let line = shown.lines().find(|l| l.starts_with("error[")).unwrap();
    assert_eq!(line.matches("error[").count(), 1, "{line}");
    assert!(line.starts_with("error[fixture-failed]: fixture `set` setup: POST "), "{line}");
}

#[test]
fn a_cut_body_ends_with_an_ellipsis() {
    let target = common::serve_in_background(axum::Router::new().fallback(|| async {
        (StatusCode::INTERNAL_SERVER_ERROR, "x".repeat(1000)).into_response()
    }));
    let out = run(&["--target", &target, ONE]);
    assert_eq!(out.status.code(), Some(3));
    let shown = text(&out);
    assert!(shown.contains(&format!("answered 500: {}…", "x".repeat(200))), "{shown}");
    assert!(!shown.contains(&"x".repeat(201)), "{shown}");
    insta::assert_snapshot!(shown);
}

#[test]
fn a_retry_after_too_long_to_honour_says_it_was_not_waited_for() {
    let target = common::serve_in_background(axum::Router::new().fallback(|| async {
        let mut headers = HeaderMap::new();
        headers.insert("retry-after", "3600".parse().unwrap());
        (StatusCode::TOO_MANY_REQUESTS, headers, "slow down").into_response()
    }));
    let out = run(&["--target", &target, ONE]);
    assert_eq!(out.status.code(), Some(3));
    let shown = text(&out);
    assert!(
        shown.contains("note: Retry-After asked for 3600 s, longer than the 60 s exemplar waits, so it was not waited for"),
        "{shown}"
    );
    insta::assert_snapshot!(shown);
}

/// Ctrl-C during a run with `--server`: the server's process group is stopped too (it is in a
/// group of its own, so the terminal's signal would not reach it), and the run ends as
/// interrupted (130).
#[test]
fn ctrl_c_stops_the_started_server_too() {
    use nix::sys::signal::{Signal, kill};
    use nix::unistd::Pid;
    let port = free_port();
    let target = format!("http://127.0.0.1:{port}");
    // Every answer takes a minute: the run is still waiting when the signal comes.
    let dir = common::Scratch::new("ctrl-c");
    let pid_file = dir.join("pid");
    let command = background_server(port, &["--latency", "60000"], &pid_file);
    let mut child = Command::new(env!("CARGO_BIN_EXE_exemplar"))
        .args(["run", "--checks", "contract", "--target", &target, "--server", &command])
        .args(["--server-wait", "120", "--token-env", "EXEMPLAR_TEST_TOKEN", ONE])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("EXEMPLAR_TEST_TOKEN", "exemplar-test-token")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    while !pid_file.exists() || std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(child.try_wait().unwrap().is_none(), "the run ended before its server listened");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    kill(Pid::from_raw(child.id() as i32), Signal::SIGINT).unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130));
    // The run ends the moment it has sent SIGKILL to the group; the kernel takes it from
    // there. Waited for (not timed): a server that outlived the run would stay.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while alive(&pid_file) {
        assert!(std::time::Instant::now() < deadline, "the server outlived the interrupted run");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}
