//! What a person reads from `exemplar run` (issue 15): help, verbosity, fail-fast, a started
//! target, and the messages that say what went wrong and what to do. Each drives the real
//! binary against real loopback servers; the output is snapshot-tested with insta, its
//! volatile parts (ports, times, ids, dates, temporary paths) redacted.
//!
//! The snapshots issue 15 asks for, and where each is: a passing run (`a_passing_run`); a run
//! with each class of deviation — contract (`tests/console.rs`,
//! `console_of_a_run_with_deviations`), snapshot (`a_run_with_snapshot_deviations`),
//! behaviour (`a_run_with_behaviour_deviations`), transport error (`tests/console.rs`,
//! `console_of_a_run_that_could_not_reach_its_target`, which is also the fixture error
//! prefixed once), known (`a_run_whose_deviations_are_all_known`), not run
//! (`fail_fast_…`) and skipped (`a_skipped_case_…`); `-v`, `-vv`, `--fail-fast`; every
//! message of the issue's item 5 (`messages_that_help`, `a_cut_body_…`, `a_retry_after_…`,
//! `counts_agree_with_their_nouns`);
//! `run --help`.

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

/// A run whose behaviour checks deviate against the embedded mock: its deviation and the
/// filter that selects the checks.
const BEHAVIOUR_DEVIATION: &[&str] = &[
    "--mock-deviate",
    "server-error",
    "--exact",
    "behaviour::docs::graph::beta::api::trustframeworkkeyset-uploadsecret::trustframeworkkeyset_uploadsecret::action-then-read",
];

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

/// A run whose stdout and stderr go to one file in the order they were written, as a
/// terminal shows them: what is printed while the run goes on lands between libtest's lines.
fn run_interleaved(args: &[&str]) -> (Option<i32>, String) {
    let log = tempfile::NamedTempFile::new().unwrap();
    let file = std::fs::OpenOptions::new().append(true).open(log.path()).unwrap();
    let status = Command::new(env!("CARGO_BIN_EXE_exemplar"))
        .args(["run", "--checks", "contract", "--test-threads", "1", "--color", "never"])
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("CI")
        .env_remove("GITHUB_ACTIONS")
        .stdout(file.try_clone().unwrap())
        .stderr(file)
        .status()
        .unwrap();
    (status.code(), redact(&std::fs::read_to_string(log.path()).unwrap()))
}

/// A copy of the repository's cases directory, to change a case in.
fn copy_cases(to: &Path) -> std::path::PathBuf {
    fn copy(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).unwrap();
        for entry in std::fs::read_dir(from).unwrap() {
            let entry = entry.unwrap();
            let target = to.join(entry.file_name());
            if entry.file_type().unwrap().is_dir() {
                copy(&entry.path(), &target);
            } else {
                std::fs::copy(entry.path(), &target).unwrap();
            }
        }
    }
    let cases = to.join("cases");
    copy(&Path::new(env!("CARGO_MANIFEST_DIR")).join("cases"), &cases);
    cases
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

/// `-vv` shows the exchanges of every case that did not fail (a failing case's are under its
/// failure, as with `-v`) the moment the case ends: between libtest's lines, not after them.
#[test]
fn very_verbose_shows_the_exchanges_of_each_passing_case_as_it_ends() {
    let quiet = text(&run(&["-v", ONE]));
    assert!(!quiet.contains("* exchange"), "-v shows no exchange of a passing case:\n{quiet}");
    let (code, shown) = run_interleaved(&["-vv", ONE]);
    assert_eq!(code, Some(0), "{shown}");
    let passed = format!(
        "---- docs::graph::beta::api::{ONE}::trustframeworkkeyset_uploadsecret (passed) ----"
    );
    assert!(shown.contains(&passed), "{shown}");
    for line in ["* exchange 1 of 3: set setup", "* exchange 2 of 3: main", "< 200", "> DELETE "] {
        assert!(shown.contains(line), "{line} missing:\n{shown}");
    }
    assert!(shown.contains("> Authorization: [redacted]"), "{shown}");
    insta::assert_snapshot!(shown);

    // Three cases one after the other: each case's exchanges come before the next case's
    // line, and the last ones before libtest's result line.
    let (code, shown) = run_interleaved(&["-vv", "trustframeworkkeyset-get"]);
    assert_eq!(code, Some(0), "{shown}");
    let at = |text: &str| shown.find(text).unwrap_or_else(|| panic!("{text} missing:\n{shown}"));
    let ids = [
        "trustframeworkkeyset-get::get_trustframeworkkeyset",
        "trustframeworkkeyset-getactivekey::trustframeworkkeyset_getactivekey",
        "trustframeworkkeyset-getkey::trustframeworkkeyset_getkey",
    ];
    let block = |id: &str| at(&format!("---- docs::graph::beta::api::{id} (passed) ----"));
    let line = |id: &str| at(&format!("docs::graph::beta::api::{id} "));
    assert!(block(ids[0]) < line(ids[1]), "{shown}");
    assert!(block(ids[1]) < line(ids[2]), "{shown}");
    assert!(block(ids[2]) < at("test result: ok."), "{shown}");
}

/// `--fail-fast`: the first failing case stops the start of the others; they are reported as
/// not run, never as passed, and the run fails; the reports are written.
#[test]
fn fail_fast_stops_starting_cases_and_reports_the_rest_as_not_run() {
    let dir = common::Scratch::new("fail-fast");
    let (json, junit, md, html) =
        (dir.join("report.json"), dir.join("junit.xml"), dir.join("r.md"), dir.join("r.html"));
    let out = run(&[
        "--fail-fast",
        "--mock-deviate",
        "status",
        "--report-json",
        json.to_str().unwrap(),
        "--report-junit",
        junit.to_str().unwrap(),
        "--report-md",
        md.to_str().unwrap(),
        "--report-html",
        html.to_str().unwrap(),
        "trustframeworkkeyset-",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    let cases = report["cases"].as_array().unwrap();
    let outcome = |c: &serde_json::Value| c["status"].as_str().unwrap().to_string();
    assert_eq!(cases.iter().filter(|c| outcome(c) == "deviated").count(), 1, "{report}");
    assert!(cases.iter().all(|c| outcome(c) != "passed" && outcome(c) != "skipped"), "{report}");
    let not_run: Vec<_> = cases.iter().filter(|c| outcome(c) == "not-run").collect();
    assert_eq!(not_run.len(), cases.len() - 1);
    // Its own outcome, never a passing verdict; the run fails.
    assert!(not_run.iter().all(|c| c["verdict"] == "not-run" && c.get("skipReason").is_none()));
    assert_eq!(report["summary"]["notRun"], 9, "{}", report["summary"]);
    assert_eq!(report["summary"]["skipped"], 0);
    assert_eq!(report["run"]["verdict"], "failed");
    // JUnit has no such outcome: skipped, with the reason.
    let xml = std::fs::read_to_string(&junit).unwrap();
    let skipped = "<skipped message=\"not run: the run stopped starting cases after too many failing ones\"/>";
    assert_eq!(xml.matches(skipped).count(), 9, "{xml}");
    let md = std::fs::read_to_string(&md).unwrap();
    assert!(md.contains("⏭️ 0 skipped · ⏹️ 9 not run —"), "{md}");
    assert!(md.contains("**Gate:** ❌ failed: 1 failing case, 9 cases not run"), "{md}");
    assert!(md.contains("⏹️ not run (not run: the run stopped"), "{md}");
    let html = std::fs::read_to_string(&html).unwrap();
    assert!(html.contains("<span class=\"not-run\">9 not run</span>"), "{html}");
    assert!(html.contains("data-status=\"not-run\""), "{html}");
    assert!(html.contains("<input type=\"checkbox\" value=\"not-run\" checked>"), "{html}");
    // Read back, the report still fails the gate.
    let again =
        exemplar(&["report", json.to_str().unwrap()], Path::new(env!("CARGO_MANIFEST_DIR")));
    assert_eq!(again.status.code(), Some(1), "{}", text(&again));
    let again = String::from_utf8_lossy(&again.stderr);
    assert!(again.contains("0 skipped, 9 not run"), "{again}");
    insta::assert_snapshot!(text(&out).replace(&dir.display().to_string(), "[dir]"));

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
    let note = "Retry-After asked for 3600 s, longer than the 60 s exemplar waits, so it was not waited for";
    assert!(shown.contains(&format!("note: {note}")), "{shown}");
    insta::assert_snapshot!(shown);

    // The note is data in the JSON report, and the Markdown and HTML reports show it.
    let dir = common::Scratch::new("retry-after");
    let (json, md, html) = (dir.join("r.json"), dir.join("r.md"), dir.join("r.html"));
    let (j, m, h) = (json.to_str().unwrap(), md.to_str().unwrap(), html.to_str().unwrap());
    let out =
        run(&["--target", &target, "--report-json", j, "--report-md", m, "--report-html", h, ONE]);
    assert_eq!(out.status.code(), Some(3));
    let report: serde_json::Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    assert_eq!(
        report["cases"][0]["notes"],
        serde_json::json!([{"kind": "retry-after-not-waited", "exchange": 0, "askedMs": 3_600_000, "maxWaitMs": 60_000}])
    );
    let md = std::fs::read_to_string(&md).unwrap();
    assert!(md.contains(&format!("### Notes\n\n| Case | Note |\n| --- | --- |\n| `docs::graph::beta::api::{ONE}::trustframeworkkeyset_uploadsecret` | {note} |")), "{md}");
    let html = std::fs::read_to_string(&html).unwrap();
    assert!(html.contains(&format!("<div class=\"note\">note: {note}</div>")), "{html}");
}

/// The note on a proxy is data too, and a password in the proxy's URL is not repeated.
#[test]
fn a_proxy_that_does_not_answer_is_noted_without_its_password() {
    let dir = common::Scratch::new("proxy-note");
    let json = dir.join("r.json");
    let proxy = format!("http://me:proxy-password@127.0.0.1:{}", free_port());
    let out = run(&[
        "--target",
        "http://127.0.0.1:9",
        "--proxy",
        &proxy,
        "--report-json",
        json.to_str().unwrap(),
        ONE,
    ]);
    assert_eq!(out.status.code(), Some(3));
    let shown = text(&out);
    let redacted = proxy.replace("proxy-password", "[redacted]");
    assert!(
        shown.contains(&format!(
            "note: every request goes through the proxy {} (--proxy)",
            redact(&redacted)
        )),
        "{shown}"
    );
    let written = std::fs::read_to_string(&json).unwrap();
    assert!(!shown.contains("proxy-password") && !written.contains("proxy-password"), "{shown}");
    let report: serde_json::Value = serde_json::from_str(&written).unwrap();
    assert_eq!(
        report["cases"][0]["notes"],
        serde_json::json!([{"kind": "proxy", "proxy": redacted}])
    );
}

/// Grammar (issue 15, item 5): counts agree with their nouns — `1 case`, `1 deviation`,
/// `1 new deviation`, `1 failing case` — here against a baseline, whose line has the most
/// counts.
#[test]
fn counts_agree_with_their_nouns() {
    let dir = common::Scratch::new("nouns");
    let before = dir.join("before.json");
    let out = run(&["--report-json", before.to_str().unwrap(), ONE]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let out = run(&["--baseline", before.to_str().unwrap(), "--mock-deviate", "status", ONE]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let shown = text(&out).replace(&before.display().to_string(), "[before]");
    for words in
        ["1 case in", "1 deviation (0 known)", "1 new deviation,", "gate failed: 1 failing case\n"]
    {
        assert!(shown.contains(words), "{words} missing:\n{shown}");
    }
    insta::assert_snapshot!(shown);
}

/// Deviations of the snapshot layer: the response differs from the committed recording.
#[test]
fn a_run_with_snapshot_deviations() {
    let args =
        ["run", "--checks", "snapshot", "--check", "--test-threads", "1", "--color", "never"];
    let args = [&args[..], &["--mock-deviate", "wrong-type", ONE][..]].concat();
    let out = exemplar(&args, Path::new(env!("CARGO_MANIFEST_DIR")));
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let shown = text(&out);
    assert!(shown.contains("snapshot-mismatch at "), "{shown}");
    insta::assert_snapshot!(shown);
}

/// Deviations of the behaviour layer: what the target does after a request.
#[test]
fn a_run_with_behaviour_deviations() {
    let args = ["run", "--checks", "behaviour", "--test-threads", "1", "--color", "never"];
    let args = [&args[..], BEHAVIOUR_DEVIATION].concat();
    let out = exemplar(&args, Path::new(env!("CARGO_MANIFEST_DIR")));
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    insta::assert_snapshot!(text(&out));
}

/// A run whose only deviation a known-deviations entry excuses: libtest's line says `known`
/// with the deviation, the summary counts it, and the gate passes.
#[test]
fn a_run_whose_deviations_are_all_known() {
    let dir = common::Scratch::new("known");
    let known = dir.join("known-deviations.toml");
    std::fs::write(
        &known,
        format!(
            "[[deviation]]\ncase = \"docs::graph::beta::api::{ONE}::trustframeworkkeyset_uploadsecret\"\n\
             code = \"status-mismatch\"\npath = \"status\"\nreason = \"the mock answers 202 on purpose\"\n\
             expires = 2099-12-31\n"
        ),
    )
    .unwrap();
    let out = run(&["--known", known.to_str().unwrap(), "--mock-deviate", "status", ONE]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let shown = text(&out).replace(&known.display().to_string(), "[known]");
    assert!(shown.contains("... ignored (known: status-mismatch at status)"), "{shown}");
    insta::assert_snapshot!(shown);
}

/// libtest-mimic 0.8 gives a trial skipped before the run (`with_ignored_flag`) no reason:
/// its line says only `ignored`. The summary names the case with its reason.
#[test]
fn a_skipped_case_shows_its_reason_in_the_summary() {
    let dir = common::Scratch::new("skipped");
    let cases = copy_cases(&dir);
    let file =
        cases.join("docs/graph/beta/api/trustframeworkkeyset-get/get_trustframeworkkeyset.json");
    let text_of = std::fs::read_to_string(&file).unwrap();
    let skipping = text_of.replacen(
        "\"format\": 1,",
        "\"format\": 1,\n  \"skip\": \"needs a tenant with B2C\",",
        1,
    );
    assert_ne!(skipping, text_of);
    std::fs::write(&file, skipping).unwrap();
    let out = run(&["--cases", cases.to_str().unwrap(), "trustframeworkkeyset-get::"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let shown = text(&out);
    assert!(
        shown.contains("trustframeworkkeyset-get::get_trustframeworkkeyset ... ignored\n"),
        "{shown}"
    );
    assert!(
        shown.contains(
            "skipped trustframeworkkeyset-get::get_trustframeworkkeyset (needs a tenant with B2C)"
        ),
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
