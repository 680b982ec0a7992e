//! Report files and the CI gate, end to end: the real binary runs the committed cases
//! against its embedded reference mock (faithful, or deviating on purpose) and writes report
//! files, which are then read the way their consumers read them.

#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

mod common;

fn temp_dir(name: &str) -> common::Scratch {
    common::Scratch::new(&format!("reports-{name}"))
}

/// Runs the binary in the repository (for its `cases/`), outside GitHub Actions. A `run`
/// checks the cases (doc contract and snapshots): the behaviour checks' reports are tested in
/// `tests/behaviour.rs`.
fn exemplar(args: &[&str]) -> Output {
    exemplar_in(args, None)
}

/// [`exemplar`] with `TMPDIR` set to `tmp` when given.
fn exemplar_in(args: &[&str], tmp: Option<&Path>) -> Output {
    let mut all = args.to_vec();
    if args.first() == Some(&"run") && !args.contains(&"--checks") {
        all.extend(["--checks", "contract,snapshot"]);
    }
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_exemplar"));
    cmd.args(all)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("GITHUB_ACTIONS")
        .env("CI", "true");
    if let Some(tmp) = tmp {
        cmd.env("TMPDIR", tmp);
    }
    cmd.output().unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn read_json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// `exemplar run` with `extra` arguments, writing every report format into `dir` as
/// `<stem>.json`, `.xml`, `.md`, `.html`.
fn run_with_reports(dir: &Path, stem: &str, extra: &[&str]) -> Output {
    let json = dir.join(format!("{stem}.json"));
    let junit = dir.join(format!("{stem}.xml"));
    let mut args = vec!["run", "-q", "--test-threads", "4", "--report-json", s(&json)];
    let md = dir.join(format!("{stem}.md"));
    let html = dir.join(format!("{stem}.html"));
    args.extend_from_slice(&["--report-junit", s(&junit), "--report-md", s(&md)]);
    args.extend_from_slice(&["--report-html", s(&html)]);
    args.extend_from_slice(extra);
    exemplar(&args)
}

fn validate(schema: &Value, report: &Value) {
    let validator = jsonschema::validator_for(schema).unwrap();
    let errors: Vec<String> = validator.iter_errors(report).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "the report does not match its schema:\n{}", errors.join("\n"));
}

fn schema() -> Value {
    read_json(&Path::new(env!("CARGO_MANIFEST_DIR")).join("cases/report.schema.json"))
}

fn case<'a>(report: &'a Value, id_part: &str) -> &'a Value {
    report["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"].as_str().unwrap().contains(id_part))
        .unwrap_or_else(|| panic!("no case {id_part}"))
}

#[test]
fn json_report_matches_its_schema_and_says_what_happened() {
    let dir = temp_dir("json");
    let out = run_with_reports(&dir, "ok", &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = run_with_reports(&dir, "bad", &["--mock-deviate", "wrong-type"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let schema = schema();
    let ok = read_json(&dir.join("ok.json"));
    let bad = read_json(&dir.join("bad.json"));
    validate(&schema, &ok);
    validate(&schema, &bad);

    assert_eq!(ok["format"], 2);
    // The run's start time and verdict, and each case's verdict, are fields.
    let started = ok["run"]["started"].as_str().unwrap();
    assert!(
        started.len() == 20 && started.ends_with('Z') && started.as_bytes()[10] == b'T',
        "{started}"
    );
    assert_eq!(ok["run"]["verdict"], "passed");
    assert!(ok["cases"].as_array().unwrap().iter().all(|c| c["verdict"] == "passed"));
    assert_eq!(ok["run"]["target"], "reference mock");
    assert_eq!(ok["summary"]["total"], ok["cases"].as_array().unwrap().len());
    assert_eq!(ok["summary"]["passed"], ok["summary"]["total"]);
    let get = case(&ok, "trustframeworkkeyset-get::");
    assert_eq!(get["status"], "passed");
    assert_eq!(get["source"]["doc"], "docs/graph/beta/api/trustframeworkkeyset-get.md");
    assert!(get["source"]["line"].as_u64().unwrap() > 0);
    let main = get["exchanges"].as_array().unwrap().iter().find(|e| e["role"] == "main").unwrap();
    assert_eq!(main["request"]["method"], "GET");
    assert_eq!(main["response"]["status"], 200);
    assert!(main["response"]["body"]["keys"].is_array());
    for key in ["elapsedMs", "retries", "throttledMs"] {
        assert!(main[key].is_u64(), "{key}");
    }
    assert!(get["durationMs"].is_u64());
    // The bearer token the run used never reaches the report.
    let auth = main["request"]["headers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["name"].as_str().unwrap().eq_ignore_ascii_case("authorization"))
        .unwrap();
    assert!(!auth["value"].as_str().unwrap().contains("exemplar-"), "{auth}");

    assert_eq!(bad["run"]["target"], "reference mock (deviating: wrong-type)");
    assert!(bad["summary"]["deviated"].as_u64().unwrap() > 0);
    let get = case(&bad, "trustframeworkkeyset-get::");
    assert_eq!(get["status"], "deviated");
    let d = &get["deviations"][0];
    assert_eq!(d["code"], "type-mismatch");
    assert_eq!(d["path"], "/keys");
    // Expected and actual are typed findings, not words.
    assert_eq!(d["expected"], serde_json::json!({"kind": "type", "type": "array"}));
    assert_eq!(d["actual"]["kind"], "value");
    assert!(d["actual"]["value"].is_object(), "{}", d["actual"]);
    assert_eq!(get["verdict"], "failed");
    assert_eq!(bad["run"]["verdict"], "failed");
    for c in bad["cases"].as_array().unwrap() {
        for d in c["deviations"].as_array().unwrap() {
            assert!(!d["path"].as_str().unwrap().is_empty(), "{d}");
        }
    }
    assert!(!get["diffs"][0]["hunks"].as_array().unwrap().is_empty());
}

#[test]
fn a_report_that_does_not_match_the_format_is_refused_with_its_line() {
    let dir = temp_dir("badjson");
    let path = dir.join("r.json");
    std::fs::write(&path, "{\n  \"format\": 1,\n  \"colour\": 1\n}\n").unwrap();
    let out = exemplar(&["report", s(&path)]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains(&format!("{}:3:", path.display())), "{}", stderr(&out));
    std::fs::write(&path, "{\"format\": 3}").unwrap();
    let out = exemplar(&["report", s(&path)]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("newer"), "{}", stderr(&out));
}

#[test]
fn an_unwritable_report_is_an_error_naming_it_and_the_console_report_still_appears() {
    let dir = temp_dir("unwritable");
    // A regular file where a directory should be: no report can be created beneath it.
    let blocker = dir.join("file");
    std::fs::write(&blocker, "x").unwrap();
    let target = blocker.join("report.json");
    let out = exemplar(&["run", "--test-threads", "4", "--report-json", s(&target)]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains(&format!("error: cannot write report {}", target.display())), "{err}");
    let console = stdout(&out);
    assert!(console.contains("test result: ok."), "{console}");
    assert!(console.contains("trustframeworkkeyset-get::get_trustframeworkkeyset"), "{console}");
    // The verdict agrees with the exit code: the gate's evidence is missing.
    let last = err.lines().last().unwrap_or_default();
    assert!(last.ends_with("gate failed: 1 report file could not be written"), "{err}");
}

#[test]
fn a_baseline_comparison_lists_the_new_deviations_and_gates_only_on_them() {
    let dir = temp_dir("baseline");
    assert_eq!(run_with_reports(&dir, "ok", &[]).status.code(), Some(0));
    assert_eq!(
        run_with_reports(&dir, "bad", &["--mock-deviate", "wrong-type"]).status.code(),
        Some(1)
    );
    let (ok, bad) = (dir.join("ok.json"), dir.join("bad.json"));
    let compared = dir.join("compared.json");

    let out = exemplar(&["report", "--baseline", s(&ok), s(&bad), "--report-json", s(&compared)]);
    assert_eq!(out.status.code(), Some(1), "new deviations fail the gate: {}", stderr(&out));
    assert!(stderr(&out).contains("new deviation"), "{}", stderr(&out));
    let report = read_json(&compared);
    validate(&schema(), &report);
    let baseline = &report["baseline"];
    let new: Vec<&Value> = baseline["cases"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["class"] == "new-deviation")
        .collect();
    assert_eq!(baseline["counts"]["newDeviation"], new.len());
    assert_eq!(new.len() as u64, report["summary"]["deviated"].as_u64().unwrap());
    let get = new
        .iter()
        .find(|c| c["id"].as_str().unwrap().ends_with("::get_trustframeworkkeyset"))
        .unwrap();
    assert!(
        get["new"].as_array().unwrap().contains(&Value::from("type-mismatch at /keys")),
        "{get}"
    );

    // The same deviations again are not new: the gate passes.
    let out = exemplar(&["report", "--baseline", s(&bad), s(&bad)]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).contains("still deviating"), "{}", stderr(&out));
    // Going back to the faithful mock fixes them.
    let out = exemplar(&["report", "--baseline", s(&bad), s(&ok), "--report-json", s(&compared)]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(read_json(&compared)["baseline"]["counts"]["fixed"].as_u64().unwrap() > 0);

    // `run --baseline` does the same in one step.
    let out =
        run_with_reports(&dir, "again", &["--mock-deviate", "wrong-type", "--baseline", s(&bad)]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out =
        run_with_reports(&dir, "again", &["--mock-deviate", "wrong-type", "--baseline", s(&ok)]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
}

/// What CI systems read from JUnit XML: the suite tree, counts, names and failure messages.
#[test]
fn junit_report_reads_as_ci_systems_read_it() {
    let dir = temp_dir("junit");
    assert_eq!(run_with_reports(&dir, "ok", &[]).status.code(), Some(0));
    assert_eq!(
        run_with_reports(&dir, "bad", &["--mock-deviate", "wrong-type"]).status.code(),
        Some(1)
    );
    for (stem, failing) in [("ok", false), ("bad", true)] {
        let text = std::fs::read_to_string(dir.join(format!("{stem}.xml"))).unwrap();
        let report = read_json(&dir.join(format!("{stem}.json")));
        let doc = roxmltree::Document::parse(&text).unwrap();
        let root = doc.root_element();
        assert_eq!(root.tag_name().name(), "testsuites");
        let attr = |n: roxmltree::Node<'_, '_>, a: &str| -> u64 {
            n.attribute(a).unwrap().parse().unwrap()
        };
        assert_eq!(attr(root, "tests"), report["summary"]["total"].as_u64().unwrap());
        assert_eq!(attr(root, "failures"), report["summary"]["deviated"].as_u64().unwrap());
        assert_eq!(attr(root, "errors"), 0);
        let suites: Vec<_> = root.children().filter(|n| n.has_tag_name("testsuite")).collect();
        assert_eq!(
            suites.len() as u64,
            report["coverage"]["totals"]["operations"].as_u64().unwrap()
        );
        let mut cases = 0;
        for suite in &suites {
            let testcases: Vec<_> =
                suite.children().filter(|n| n.has_tag_name("testcase")).collect();
            assert_eq!(attr(*suite, "tests"), testcases.len() as u64);
            let failures = testcases
                .iter()
                .filter(|t| t.children().any(|n| n.has_tag_name("failure")))
                .count();
            assert_eq!(attr(*suite, "failures"), failures as u64);
            cases += testcases.len();
        }
        assert_eq!(cases as u64, attr(root, "tests"));

        let get = doc
            .descendants()
            .find(|n| {
                n.has_tag_name("testcase")
                    && n.attribute("name") == Some("get_trustframeworkkeyset")
            })
            .unwrap();
        assert_eq!(
            get.attribute("classname"),
            Some("docs::graph::beta::api::trustframeworkkeyset-get")
        );
        // The docs of this repository's cases live outside it (exemplar.toml), so the link
        // is the case file, a path inside the repository that a CI system can open.
        let file = get.attribute("file").unwrap();
        assert_eq!(file, GET_CASE_FILE);
        assert!(Path::new(env!("CARGO_MANIFEST_DIR")).join(file).is_file(), "{file}");
        assert_eq!(get.attribute("line"), None, "a line of the doc page is not a line of {file}");
        let failure = get.children().find(|n| n.has_tag_name("failure"));
        assert_eq!(failure.is_some(), failing, "{stem}");
        if let Some(failure) = failure {
            assert_eq!(failure.attribute("type"), Some("type-mismatch"));
            let message = failure.attribute("message").unwrap();
            // The count agrees with its noun (issue 15): `1 deviation`, `3 deviations`.
            let n = report["cases"]
                .as_array()
                .unwrap()
                .iter()
                .find(|c| c["id"].as_str().unwrap().ends_with("::get_trustframeworkkeyset"))
                .unwrap()["deviations"]
                .as_array()
                .unwrap()
                .len();
            let noun = if n == 1 { "deviation" } else { "deviations" };
            assert!(
                message
                    .starts_with(&format!("{n} {noun}: type-mismatch at /keys: expected an array")),
                "{message}"
            );
            let body = failure.text().unwrap();
            assert!(
                body.contains("--> docs/graph/beta/api/trustframeworkkeyset-get.md:"),
                "{body}"
            );
            assert!(body.contains("+++ actual"), "the diff is in the failure: {body}");
        }
    }
}

/// Cells of a Markdown table row, split on pipes that are not escaped.
fn cells(row: &str) -> usize {
    let mut count = 0;
    let mut escaped = false;
    for c in row.chars() {
        match c {
            '\\' if !escaped => escaped = true,
            '|' if !escaped => count += 1,
            _ => escaped = false,
        }
    }
    count - 1
}

#[test]
fn markdown_summary_has_counts_a_deviation_table_and_collapsed_diffs() {
    let dir = temp_dir("md");
    assert_eq!(run_with_reports(&dir, "ok", &[]).status.code(), Some(0));
    assert_eq!(
        run_with_reports(&dir, "bad", &["--mock-deviate", "wrong-type"]).status.code(),
        Some(1)
    );
    let ok = std::fs::read_to_string(dir.join("ok.md")).unwrap();
    assert!(ok.contains("**Gate:** ✅ passed"), "{ok}");
    assert!(!ok.contains("### Deviations"), "{ok}");
    assert!(ok.contains("### Coverage"), "{ok}");
    assert!(ok.contains("checked by type only"), "a green run says how strict it was: {ok}");

    let md = std::fs::read_to_string(dir.join("bad.md")).unwrap();
    let report = read_json(&dir.join("bad.json"));
    let deviated = report["summary"]["deviated"].as_u64().unwrap();
    assert!(md.contains(&format!("❌ {deviated} deviated")), "{md}");
    assert!(md.contains("**Gate:** ❌ failed"), "{md}");
    // Every table is well formed: the separator and each row have the header's columns.
    let lines: Vec<&str> = md.lines().collect();
    let mut i = 0;
    let mut tables = 0;
    while i < lines.len() {
        if lines[i].starts_with('|') {
            let width = cells(lines[i]);
            assert!(lines[i + 1].starts_with("| ---"), "{}", lines[i + 1]);
            while i < lines.len() && lines[i].starts_with('|') {
                assert_eq!(cells(lines[i]), width, "{}", lines[i]);
                i += 1;
            }
            tables += 1;
        }
        i += 1;
    }
    assert!(tables >= 2, "{md}");
    let row = lines
        .iter()
        .find(|l| {
            l.contains("trustframeworkkeyset-get::get_trustframeworkkeyset") && l.contains("/keys`")
        })
        .unwrap();
    assert!(row.contains("`type-mismatch`") && row.contains("an array"), "{row}");
    assert!(md.contains("<details><summary>"), "{md}");
    assert!(md.contains("```diff\n--- expected (documented)\n+++ actual\n"), "{md}");
    // Fits a pull-request comment whole (issue 15): long values collapsed, nothing left out.
    assert!(md.len() <= 65_536, "{} bytes", md.len());
    assert!(!md.contains("left out"), "{md}");
    assert!(md.contains(" chars, unchanged)\""), "{md}");
    // GitHub reads no Markdown inside `<summary>`: an escape there would show.
    for line in md.lines().filter(|l| l.starts_with("<details><summary>")) {
        assert!(!line.contains('\\'), "{line}");
    }
    assert!(
        md.contains(
            "<summary><code>docs::graph::beta::api::trustframework-list-keysets::get_keysets</code>"
        ),
        "{md}"
    );
}

/// The HTML report needs nothing from the network: no external resource is referenced and
/// its Content-Security-Policy forbids loading any. (`tests/html_browser.rs` opens it in
/// Chromium.)
#[test]
fn html_report_is_self_contained() {
    let dir = temp_dir("html");
    assert_eq!(
        run_with_reports(&dir, "bad", &["--mock-deviate", "wrong-type"]).status.code(),
        Some(1)
    );
    let html = std::fs::read_to_string(dir.join("bad.html")).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("Content-Security-Policy\" content=\"default-src 'none'"), "{html}");
    for forbidden in [" src=", "url(", "@import", "<link", "fetch(", "XMLHttpRequest"] {
        assert!(!html.contains(forbidden), "the report references {forbidden}");
    }
    // Links only jump within the page (the index of failing cases).
    assert_eq!(html.matches(" href=").count(), html.matches(" href=\"#case-").count(), "{html}");
    assert!(html.contains(" href=\"#case-"), "{html}");
    let report = read_json(&dir.join("bad.json"));
    let total = report["summary"]["total"].as_u64().unwrap() as usize;
    assert_eq!(html.matches("<details class=\"case\"").count(), total);
    assert!(html.contains("<table class=\"sbs diff\">"));
}

/// The case file of [`GET`], relative to the repository.
const GET_CASE_FILE: &str =
    "cases/docs/graph/beta/api/trustframeworkkeyset-get/get_trustframeworkkeyset.json";

const GET: &str = "docs::graph::beta::api::trustframeworkkeyset-get::get_trustframeworkkeyset";

#[test]
fn known_deviations_are_reported_but_do_not_fail_the_gate_until_they_expire() {
    let dir = temp_dir("known");
    let known = dir.join("known.toml");
    let bad = dir.join("bad.json");
    assert_eq!(
        run_with_reports(&dir, "bad", &["--mock-deviate", "wrong-type"]).status.code(),
        Some(1)
    );
    let report = read_json(&bad);
    // One entry per deviating case and code: the whole run is known.
    let mut entries = std::collections::BTreeSet::new();
    for c in report["cases"].as_array().unwrap() {
        for d in c["deviations"].as_array().unwrap() {
            entries.insert((
                c["id"].as_str().unwrap().to_string(),
                d["code"].as_str().unwrap().to_string(),
            ));
        }
    }
    let mut text = String::new();
    for (case, code) in &entries {
        text.push_str(&format!(
            "[[deviation]]\ncase = \"{case}\"\ncode = \"{code}\"\nreason = \"accepted\"\nexpires = 2999-12-31\n\n"
        ));
    }
    // `report` reads a report of any subset of the cases: an entry for a case it does not
    // hold is `not-run` there (`run` refuses it, below).
    let gone = "[[deviation]]\ncase = \"no::such::case\"\ncode = \"status-mismatch\"\nreason = \"gone\"\nexpires = 2999-12-31\n";
    std::fs::write(&known, format!("{text}{gone}")).unwrap();
    let out = exemplar(&[
        "report",
        "--known",
        s(&known),
        s(&bad),
        "--report-json",
        s(&dir.join("k.json")),
    ]);
    assert_eq!(out.status.code(), Some(0), "every deviation is known: {}", stderr(&out));
    let k = read_json(&dir.join("k.json"));
    validate(&schema(), &k);
    assert_eq!(k["summary"]["knownDeviations"], k["summary"]["deviations"]);
    let get = case(&k, "trustframeworkkeyset-get::");
    assert_eq!(get["deviations"][0]["known"]["reason"], "accepted");
    let states: Vec<&str> = k["known"]["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["state"].as_str().unwrap())
        .collect();
    assert_eq!(states.last(), Some(&"not-run"));
    assert!(states[..states.len() - 1].iter().all(|s| *s == "used"), "{states:?}");

    // The same entries against a faithful run: every entry is unused, and the gate passes.
    std::fs::write(&known, &text).unwrap();
    // The console agrees with the gate: a case whose deviations are all known is shown as
    // known and counted apart (an ignored trial with the reason), not FAILED.
    let out = exemplar(&[
        "run",
        "--check",
        "--mock-deviate",
        "wrong-type",
        "--known",
        s(&known),
        "--exact",
        GET,
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let console = stdout(&out);
    assert!(console.contains("ignored (known: type-mismatch at /keys"), "{console}");
    assert!(console.contains(" 0 failed; 1 ignored;"), "{console}");
    assert!(!console.contains("FAILED"), "{console}");
    let out = run_with_reports(&dir, "ok", &["--known", s(&known)]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let ok = read_json(&dir.join("ok.json"));
    assert!(ok["known"]["entries"].as_array().unwrap().iter().any(|e| e["state"] == "unused"));
    assert!(stderr(&out).contains("unused"), "{}", stderr(&out));

    // An expired entry excuses nothing and fails the gate by itself.
    let expired = text.replacen("expires = 2999-12-31", "expires = 2001-01-01", 1);
    std::fs::write(&known, expired).unwrap();
    let out = exemplar(&[
        "report",
        "--known",
        s(&known),
        s(&bad),
        "--report-json",
        s(&dir.join("k.json")),
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let k = read_json(&dir.join("k.json"));
    assert_eq!(k["known"]["entries"][0]["state"], "expired");
    let out = run_with_reports(&dir, "ok", &["--known", s(&known)]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "an expired entry fails even a green run: {}",
        stderr(&out)
    );

    // A malformed file is a usage error naming the file and line, before anything runs.
    std::fs::write(&known, format!("[[deviation]]\ncase = \"{GET}\"\ncode = \"type-mismatch\"\nreason = \"r\"\nexpires = \"soon\"\n")).unwrap();
    let out = run_with_reports(&dir, "never", &["--known", s(&known)]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains(&format!("{}:5:", known.display())), "{}", stderr(&out));
    assert!(!stdout(&out).contains("running"), "nothing ran: {}", stdout(&out));

    // An entry whose case does not exist (a typo, a case renamed) is a usage error naming its
    // line, not an entry that stays `not-run` for ever.
    let typo = format!("{GET}x");
    std::fs::write(&known, format!("# accepted\n\n[[deviation]]\ncase = \"{typo}\"\ncode = \"type-mismatch\"\nreason = \"r\"\nexpires = 2999-01-01\n")).unwrap();
    let out = run_with_reports(&dir, "never", &["--known", s(&known)]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let expected = format!("{}:3: `case` names no case in cases: {typo}", known.display());
    assert!(stderr(&out).contains(&expected), "{}", stderr(&out));
    assert!(!stdout(&out).contains("running"), "nothing ran: {}", stdout(&out));
}

/// Strips what may differ between two runs of the same cases: timings, and the values each run
/// makes up (ids with `{{unique}}`, request ids, dates, ports, generated keys) inside the
/// recorded exchanges and diffs.
fn stable(mut report: Value) -> Value {
    report["run"]["durationMs"] = Value::Null;
    report["run"]["started"] = Value::Null;
    // Shards record the case set they were cut from; the merge keeps it, a full run has none.
    report["run"]["caseSet"] = Value::Null;
    for c in report["cases"].as_array_mut().unwrap() {
        c["durationMs"] = Value::Null;
        for e in c["exchanges"].as_array_mut().unwrap() {
            let status = e["response"]["status"].clone();
            *e = serde_json::json!({"role": e["role"], "method": e["request"]["method"], "status": status});
        }
        for d in c["deviations"].as_array_mut().unwrap() {
            d["actual"] = Value::Null;
            d["expected"] = Value::Null;
        }
        c["diffs"] = Value::Null;
    }
    report
}

/// The listing case sees every key set the other cases have created at that moment, so its
/// body depends on what ran beside it; the comparison leaves it out of every run.
const SHARED_LISTING: &str = "trustframework-list-keysets";

#[test]
fn shards_cover_every_case_once_and_merge_into_the_full_report() {
    let dir = temp_dir("shards");
    for kind in ["hash", "count"] {
        let full = dir.join(format!("{kind}-full.json"));
        let out = exemplar(&[
            "run",
            "-q",
            "--mock-deviate",
            "wrong-type",
            "--skip",
            SHARED_LISTING,
            "--report-json",
            s(&full),
        ]);
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
        let mut shards = Vec::new();
        let mut ids = Vec::new();
        for k in 1..=3 {
            let shard = dir.join(format!("{kind}-{k}.json"));
            let partition = format!("{kind}:{k}/3");
            let out = exemplar(&[
                "run",
                "-q",
                "--mock-deviate",
                "wrong-type",
                "--partition",
                &partition,
                "--skip",
                SHARED_LISTING,
                "--report-json",
                s(&shard),
            ]);
            assert!(matches!(out.status.code(), Some(0 | 1)), "{}", stderr(&out));
            let report = read_json(&shard);
            assert_eq!(report["run"]["partition"], partition.as_str());
            for c in report["cases"].as_array().unwrap() {
                ids.push(c["id"].as_str().unwrap().to_string());
            }
            shards.push(shard);
        }
        let total = ids.len();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), total, "{kind}: no case runs in two shards");
        assert_eq!(
            total,
            read_json(&full)["cases"].as_array().unwrap().len(),
            "{kind}: none is lost"
        );

        let merged = dir.join(format!("{kind}-merged.json"));
        let md = dir.join(format!("{kind}-merged.md"));
        let mut args = vec!["report", "merge"];
        args.extend(shards.iter().map(|p| s(p)));
        args.extend(["--out", s(&merged), "--report-md", s(&md)]);
        let out = exemplar(&args);
        assert_eq!(out.status.code(), Some(1), "the merged report deviates: {}", stderr(&out));
        let merged = read_json(&merged);
        validate(&schema(), &merged);
        let (merged, full) = (stable(merged), stable(read_json(&full)));
        if merged != full {
            panic!(
                "{kind}: the merged report differs from the full run:\n{}",
                first_difference(&merged, &full, String::new())
            );
        }
        assert!(std::fs::read_to_string(&md).unwrap().contains("### Deviations"));
    }
    // A lost shard or one given twice is refused: the gate must not turn green on part of
    // the suite.
    let (one, two) = (dir.join("count-1.json"), dir.join("count-2.json"));
    let out = exemplar(&["report", "merge", s(&one), s(&two)]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("shard count:3/3 of 3 is missing"), "{}", stderr(&out));
    assert!(!stderr(&out).contains("gate passed"), "{}", stderr(&out));
    let out = exemplar(&["report", "merge", s(&one), s(&one), s(&two)]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("shard count:1/3 is given twice"), "{}", stderr(&out));
    let hash = dir.join("hash-3.json");
    let out = exemplar(&["report", "merge", s(&one), s(&two), s(&hash)]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("is shard hash:3/3 but"), "{}", stderr(&out));
    // With --allow-partial the merge goes ahead, and the report and the verdict say what is
    // missing.
    let partial = dir.join("partial.json");
    let out =
        exemplar(&["report", "merge", s(&one), s(&two), "--allow-partial", "--out", s(&partial)]);
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", stderr(&out));
    assert!(stderr(&out).contains("partial merge: shard count:3/3 missing"), "{}", stderr(&out));
    assert_eq!(read_json(&partial)["run"]["missingShards"], serde_json::json!(["count:3/3"]));
}

#[test]
fn partition_with_list_shows_only_the_shard() {
    let all = stdout(&exemplar(&["run", "--list"]));
    let mut seen = 0;
    for k in 1..=2 {
        let part = stdout(&exemplar(&["run", "--list", "--partition", &format!("count:{k}/2")]));
        let lines: Vec<_> = part.lines().filter(|l| l.ends_with(": test")).collect();
        assert!(!lines.is_empty());
        assert!(lines.iter().all(|l| all.contains(*l)));
        seen += lines.len();
    }
    assert_eq!(seen, all.lines().filter(|l| l.ends_with(": test")).count());
    let out = exemplar(&["run", "--partition", "count:3/2"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("K must be between 1 and N"), "{}", stderr(&out));
}

/// Where two JSON documents first differ, for a readable failure.
fn first_difference(a: &Value, b: &Value, at: String) -> String {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for k in x.keys().chain(y.keys()) {
                let (p, q) = (x.get(k).unwrap_or(&Value::Null), y.get(k).unwrap_or(&Value::Null));
                if p != q {
                    return first_difference(p, q, format!("{at}/{k}"));
                }
            }
            String::new()
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (i, (p, q)) in x.iter().zip(y).enumerate() {
                if p != q {
                    return first_difference(p, q, format!("{at}/{i}"));
                }
            }
            String::new()
        }
        _ => format!("{at}: {a} != {b}"),
    }
}

#[test]
fn github_actions_annotations_point_at_the_documented_example() {
    let run = |actions: bool| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_exemplar"));
        // CI=true: the snapshot layer compares but leaves no pending files in the repository.
        cmd.args(["run", "-q", "--mock-deviate", "wrong-type", "--checks", "contract,snapshot"])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .env("CI", "true");
        if actions {
            cmd.env("GITHUB_ACTIONS", "true");
        } else {
            cmd.env_remove("GITHUB_ACTIONS");
        }
        cmd.output().unwrap()
    };
    let out = run(true);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    let line = text
        .lines()
        .find(|l| l.starts_with(&format!("::error file={GET_CASE_FILE},title=")))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(line.contains(",title=docs%3A%3Agraph%3A%3Abeta"), "{line}");
    assert!(line.contains("::type-mismatch at /keys: expected an array"), "{line}");
    assert!(!line.contains('\r'), "{line}");
    // Outside GitHub Actions nothing of the kind is printed.
    assert!(!stdout(&run(false)).contains("::error"));
}

#[test]
fn report_help_lists_the_formats() {
    let out = exemplar(&["report", "--help"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let help = stdout(&out);
    for flag in [
        "--baseline",
        "--known",
        "--report-json",
        "--report-junit",
        "--report-md",
        "--report-html",
        "merge",
    ] {
        assert!(help.contains(flag), "{flag}: {help}");
    }
    let out = exemplar(&["report", "merge", "--help"]);
    assert!(stdout(&out).contains("--out"), "{}", stdout(&out));
}

/// Regression test (issue 13): a case whose task panics used to print FAILED, go missing from
/// every report, and let the run exit 0. It is now an `internal` error, exit 3, everywhere.
#[test]
fn a_case_that_panics_is_an_internal_error_in_every_report() {
    const ID: &str = "docs::graph::beta::api::trustframeworkkeyset-get::get_trustframeworkkeyset";
    let dir = temp_dir("panic");
    let (json, junit, md, html) =
        (dir.join("r.json"), dir.join("r.xml"), dir.join("r.md"), dir.join("r.html"));
    let out = Command::new(env!("CARGO_BIN_EXE_exemplar"))
        .args(["run", "-q", "--test-threads", "4", "--checks", "contract"])
        .args(["--report-json", s(&json), "--report-junit", s(&junit)])
        .args(["--report-md", s(&md), "--report-html", s(&html)])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("GITHUB_ACTIONS")
        .env("CI", "true")
        .env("EXEMPLAR_FAULT_PANIC_CASE", ID)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{}{}", stdout(&out), stderr(&out));
    assert!(stderr(&out).contains("1 case could not run"), "{}", stderr(&out));

    let report = read_json(&json);
    validate(&schema(), &report);
    let panicked = case(&report, "trustframeworkkeyset-get::");
    assert_eq!(panicked["id"], ID);
    assert_eq!(panicked["status"], "error");
    assert_eq!(panicked["error"]["code"], "internal");
    assert_eq!(report["summary"]["errors"], 1);
    // The other cases ran as usual (a deviation would be the machine's load: response-slow).
    let cases = report["cases"].as_array().unwrap();
    assert_eq!(report["summary"]["total"], cases.len());
    assert!(cases.len() > 10);
    for other in cases.iter().filter(|c| c["id"] != ID) {
        assert_ne!(other["status"], "error", "{other}");
        assert_ne!(other["status"], "skipped", "{other}");
    }

    let text = std::fs::read_to_string(&junit).unwrap();
    let doc = roxmltree::Document::parse(&text).unwrap();
    let testcase = doc
        .descendants()
        .find(|n| {
            n.has_tag_name("testcase") && n.attribute("name") == Some("get_trustframeworkkeyset")
        })
        .unwrap();
    assert!(testcase.children().any(|n| n.has_tag_name("error")), "{text}");
    for path in [&md, &html] {
        let text = std::fs::read_to_string(path).unwrap();
        assert!(text.contains("get_trustframeworkkeyset"), "{}", path.display());
        assert!(text.contains("internal"), "{}", path.display());
    }
}

/// When the docs live in the repository (a docs repository running its own gate), JUnit's
/// `file` is the doc page by its path in the repository, with the example's line.
#[test]
fn junit_links_doc_pages_that_live_in_the_repository() {
    let dir = temp_dir("doc-links");
    let json = dir.join("run.json");
    let out = exemplar(&["run", "-q", "--mock-deviate", "wrong-type", "--report-json", s(&json)]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    // A repository whose exemplar.toml names its own docs directory, holding the page.
    let repo = dir.join("repo");
    let page = repo.join("site/docs/graph/beta/api/trustframeworkkeyset-get.md");
    std::fs::create_dir_all(page.parent().unwrap()).unwrap();
    std::fs::write(&page, "# Get trustFrameworkKeySet\n").unwrap();
    std::fs::write(repo.join("exemplar.toml"), "[extract]\ndocs = [\"site/docs\"]\n").unwrap();
    let junit = dir.join("junit.xml");
    let out = Command::new(env!("CARGO_BIN_EXE_exemplar"))
        .args(["report", s(&json), "--report-junit", s(&junit)])
        .current_dir(&repo)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let xml = std::fs::read_to_string(&junit).unwrap();
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let get = doc
        .descendants()
        .find(|n| {
            n.has_tag_name("testcase") && n.attribute("name") == Some("get_trustframeworkkeyset")
        })
        .unwrap();
    assert_eq!(get.attribute("file"), Some("site/docs/graph/beta/api/trustframeworkkeyset-get.md"));
    assert!(get.attribute("line").is_some_and(|l| l.parse::<u32>().is_ok_and(|n| n > 1)));
    // A page the repository does not hold links its case file.
    let other = doc
        .descendants()
        .find(|n| n.has_tag_name("testcase") && n.attribute("name") == Some("get_keysets"))
        .unwrap();
    assert!(
        other.attribute("file").unwrap().starts_with("cases/"),
        "{:?}",
        other.attribute("file")
    );
}

/// Reports written by an exemplar before findings were typed (format 1, committed under
/// `tests/fixtures/reports/`, their exchanges left out) still serve as a baseline and still
/// merge; what is read back is format 2, with the old words kept as `text` findings.
#[test]
fn format_1_reports_still_read_as_a_report_a_baseline_and_shards() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/reports");
    let old = fixtures.join("format1.json");
    assert_eq!(read_json(&old)["format"], 1);
    let dir = temp_dir("format1");

    // Read back and written again: format 2, words kept, the snapshot deviation given a path.
    let again = dir.join("again.json");
    let out = exemplar(&["report", s(&old), "--report-json", s(&again)]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let report = read_json(&again);
    validate(&schema(), &report);
    assert_eq!(report["format"], 2);
    assert_eq!(report["run"]["verdict"], "failed");
    let get = case(&report, "trustframeworkkeyset-get::");
    assert_eq!(get["verdict"], "failed");
    let d = &get["deviations"][0];
    assert_eq!(d["expected"], serde_json::json!({"kind": "text", "text": "an array"}));
    let missing =
        get["deviations"].as_array().unwrap().iter().find(|d| d["code"] == "snapshot-missing");
    assert_eq!(missing.unwrap()["path"], "snapshot");
    let relaxed = &case(&report, "trustframework-list-keysets::")["checks"]["relaxed"];
    assert!(relaxed.as_array().unwrap().iter().all(|r| r["kind"].is_string()), "{relaxed}");

    // As the baseline of a run with the same deviations (and no snapshot layer): nothing new.
    let out = exemplar(&[
        "run",
        "--checks",
        "contract",
        "--mock-deviate",
        "wrong-type",
        "--test-threads",
        "4",
        "--baseline",
        s(&old),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).contains("0 new deviation"), "{}", stderr(&out));

    // Two format-1 shards merge into one format-2 report of every case.
    let merged = dir.join("merged.json");
    let out = exemplar(&[
        "report",
        "merge",
        s(&fixtures.join("format1-shard1.json")),
        s(&fixtures.join("format1-shard2.json")),
        "--out",
        s(&merged),
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let merged = read_json(&merged);
    validate(&schema(), &merged);
    assert_eq!(merged["format"], 2);
    assert_eq!(merged["cases"].as_array().unwrap().len(), 19);
    assert_eq!(merged["run"]["verdict"], "failed");
}

/// Regression (issue 13): a malformed known-deviations file is shown like rustc, with the
/// source line and a caret under the bad value, as case files and `exemplar.toml` are.
#[test]
fn a_malformed_known_deviations_file_is_shown_with_its_line_and_a_caret() {
    let dir = temp_dir("known-snippet");
    let known = dir.join("known.toml");
    std::fs::write(
        &known,
        "[[deviation]]\ncase = \"a\"\ncode = \"no-such-code\"\nreason = \"r\"\nexpires = 2030-01-01\n",
    )
    .unwrap();
    let out = exemplar(&["report", "--known", s(&known), s(&dir.join("never.json"))]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    let lines: Vec<&str> = err.lines().collect();
    assert!(lines[0].starts_with(&format!("error: {}:3:8: ", known.display())), "{err}");
    let source = lines.iter().position(|l| l.ends_with("code = \"no-such-code\"")).unwrap();
    assert!(lines[source].trim_start().starts_with("3 |"), "{err}");
    let caret = lines[source + 1];
    let at = lines[source].find("\"no-such-code\"").unwrap();
    assert_eq!(caret.find('^'), Some(at), "{err}");
    assert_eq!(caret.matches('^').count(), "\"no-such-code\"".len(), "{err}");
}

/// Issue 14, item 13: exemplar leaves nothing in the temporary directory. Its main paths run
/// with `TMPDIR` set to a directory of their own: the committed cases against the embedded
/// mock deviating on purpose (every layer, in two shards, every report format), `report merge`
/// and `report` of the merged file, `extract` of the fixture docs, and `serve` answering a
/// request until SIGTERM. The directory is as empty afterwards as it was before.
#[test]
fn nothing_is_left_in_the_temporary_directory() {
    use std::io::{BufRead, BufReader, Read, Write};
    let dir = temp_dir("tmpdir");
    let tmp = dir.join("tmp");
    std::fs::create_dir(&tmp).unwrap();
    let in_tmp = |args: &[&str]| exemplar_in(args, Some(tmp.as_path()));

    for k in [1, 2] {
        let partition = format!("count:{k}/2");
        let file = |ext: &str| dir.join(format!("shard-{k}.{ext}"));
        let (json, xml, md, html) = (file("json"), file("xml"), file("md"), file("html"));
        let out = in_tmp(&[
            "run",
            "-q",
            "--test-threads",
            "4",
            "--mock-deviate",
            "wrong-type",
            "--checks",
            "contract,snapshot,behaviour",
            "--partition",
            &partition,
            "--report-json",
            s(&json),
            "--report-junit",
            s(&xml),
            "--report-md",
            s(&md),
            "--report-html",
            s(&html),
        ]);
        assert_eq!(out.status.code(), Some(1), "{}", common::output_text(&out));
    }
    let (one, two) = (dir.join("shard-1.json"), dir.join("shard-2.json"));
    let merged = dir.join("merged.json");
    let html = dir.join("merged.html");
    let out = in_tmp(&["report", "merge", s(&one), s(&two), "--out", s(&merged)]);
    assert_eq!(out.status.code(), Some(1), "{}", common::output_text(&out));
    let out = in_tmp(&["report", s(&merged), "--report-html", s(&html)]);
    assert_eq!(out.status.code(), Some(1), "{}", common::output_text(&out));
    assert!(html.is_file());
    let cases = dir.join("cases");
    let out = in_tmp(&["extract", "tests/fixtures/docs", "--out", s(&cases)]);
    assert_eq!(out.status.code(), Some(0), "{}", common::output_text(&out));
    assert!(cases.is_dir());

    let mut serve = Command::new(env!("CARGO_BIN_EXE_exemplar"))
        .args(["serve", "--bind", "127.0.0.1:0", "--no-auth"])
        .env("TMPDIR", &tmp)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(serve.stderr.take().unwrap()).read_line(&mut first).unwrap();
    let addr =
        first.trim().strip_prefix("exemplar mock listening on http://").unwrap_or_else(|| {
            let _ = serve.kill();
            panic!("first line: {first}")
        });
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    write!(
        stream,
        "GET /beta/trustFramework/keySets HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    let pid = nix::unistd::Pid::from_raw(serve.id() as i32);
    nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM).unwrap();
    assert!(serve.wait().unwrap().success());

    let left: Vec<_> = std::fs::read_dir(&tmp).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert!(left.is_empty(), "exemplar left these in its temporary directory: {left:?}");
}
