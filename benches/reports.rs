//! Writing the report files of a large run: 10,000 cases (set `EXEMPLAR_BENCH_CASES` for
//! another number), one in four deviating with three deviations and a diff of its body, every
//! case with a fixture setup, the main exchange and a teardown carrying JSON bodies of about
//! 1 KB. It times building the report (summary, coverage, known deviations, a baseline
//! comparison) and then rendering and atomically writing each format — JSON, JUnit XML,
//! Markdown and HTML — as `exemplar run` does after the run. The issue asks for all four
//! files of 10,000 cases in under 2 seconds. Each figure is the best of three runs.

#![allow(clippy::print_stdout, clippy::unwrap_used)]

use std::time::{Duration, Instant};

use exemplar::case::model::Source;
use exemplar::check::Finding;
use exemplar::extract::JsonType;
use exemplar::report::model::{
    CaseReport, Checks, DeviationReport, DiffReport, ExchangeReport, HeaderReport, Outcome,
    RequestReport, ResponseReport, Verdict, relaxations,
};
use exemplar::report::{Outputs, Report, RunInfo, baseline, known};
use serde_json::{Value, json};

fn key(i: usize, k: usize) -> Value {
    json!({
        "kid": format!("kid-{i}-{k}"), "use": "sig", "kty": "RSA",
        "n": "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc",
        "e": "AQAB", "nbf": 1_508_969_811, "exp": 1_908_969_811, "x5c": []
    })
}

fn body(i: usize) -> Value {
    json!({
        "@odata.context": "https://graph.microsoft.com/beta/$metadata#trustFramework/keySets/$entity",
        "id": format!("B2C_1A_set{i}"),
        "keys": [key(i, 0), key(i, 1), key(i, 2)]
    })
}

fn headers() -> Vec<HeaderReport> {
    [("content-type", "application/json"), ("request-id", "2b5c6e1a-0000-4000-8000-000000000000")]
        .iter()
        .map(|(n, v)| HeaderReport { name: (*n).into(), value: (*v).into() })
        .collect()
}

fn exchange(role: &str, method: &str, i: usize, status: u16) -> ExchangeReport {
    let url = format!("http://127.0.0.1:8080/beta/trustFramework/keySets/B2C_1A_set{i}");
    ExchangeReport {
        role: role.into(),
        request: RequestReport { method: method.into(), url, headers: headers(), body: None },
        response: Some(ResponseReport {
            status,
            headers: headers(),
            body: Some(body(i)),
            body_text: None,
            size: 1024,
        }),
        elapsed_ms: 3,
        retries: 0,
        throttled_ms: 0,
    }
}

fn case(i: usize) -> CaseReport {
    let page = i / 3;
    let deviated = i % 4 == 0;
    let (deviations, diffs) = if deviated {
        let mut actual = body(i);
        actual["keys"][0]["nbf"] = json!("1508969811");
        actual["keys"][1]["use"] = json!(["sig"]);
        actual["keys"][2].as_object_mut().unwrap().remove("kid");
        let diff = exemplar::diff::json_diff(&body(i), &actual).unwrap();
        let d = |code: &str, path: &str, expected: Finding, actual: Finding| DeviationReport {
            code: code.into(),
            path: path.into(),
            expected,
            actual,
            known: None,
        };
        (
            vec![
                d(
                    "type-mismatch",
                    "/keys/0/nbf",
                    Finding::of_type(JsonType::Integer),
                    Finding::value("1508969811"),
                ),
                d(
                    "type-mismatch",
                    "/keys/1/use",
                    Finding::of_type(JsonType::String),
                    Finding::value(json!(["sig"])),
                ),
                d("property-missing", "/keys/2/kid", Finding::Present, Finding::Absent),
            ],
            vec![DiffReport::from_diff("response body", "expected (documented)", "actual", &diff)],
        )
    } else {
        (Vec::new(), Vec::new())
    };
    CaseReport {
        id: format!("docs::graph::beta::api::page{page:05}::example{i}"),
        method: "GET".into(),
        file: format!("cases/docs/graph/beta/api/page{page:05}/example{i}.json"),
        source: Some(Source {
            doc: format!("docs/graph/beta/api/page{page:05}.md"),
            form: "markdown".into(),
            example: format!("example{i}"),
            line: 60 + (i % 3) as u32 * 40,
            response_line: Some(100),
            hash: "sha256:0000000000000000000000000000000000000000000000000000000000000000".into(),
        }),
        doc_file: None,
        status: if deviated { Outcome::Deviated } else { Outcome::Passed },
        verdict: if deviated { Verdict::Failed } else { Verdict::Passed },
        skip_reason: None,
        deviations,
        error: None,
        teardown_errors: Vec::new(),
        diffs,
        checks: Checks {
            by_value: 2,
            by_type: 9,
            ignored: 0,
            truncated: true,
            typed: true,
            relaxed: relaxations(9, 0, true),
        },
        snapshot: None,
        exchanges: vec![
            exchange("set setup", "POST", i, 201),
            exchange("main", "GET", i, 200),
            exchange("set teardown", "DELETE", i, 204),
        ],
        duration_ms: 12,
        retries: 0,
        throttled_ms: 0,
        notes: Vec::new(),
    }
}

fn best_of_three(mut f: impl FnMut()) -> Duration {
    (0..3)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .min()
        .unwrap()
}

fn main() {
    let n: usize =
        std::env::var("EXEMPLAR_BENCH_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(10_000);
    let cases: Vec<CaseReport> = (0..n).map(case).collect();
    let run = RunInfo::new("reference mock", 1);
    let mut text = String::new();
    for i in (0..n).step_by(n.max(20) / 20) {
        text.push_str(&format!(
            "[[deviation]]\ncase = \"docs::graph::beta::api::page{:05}::example{i}\"\ncode = \"type-mismatch\"\nreason = \"bench\"\nexpires = 2999-01-01\n\n",
            i / 3
        ));
    }
    let known_file = known::parse("known-deviations.toml", &text).unwrap();

    let mut report = None;
    let build = best_of_three(|| {
        let mut r = Report::from_cases(cases.clone(), run.clone());
        known::apply(&mut r, &known_file, "2026-01-01");
        let old = r.clone();
        r.baseline = Some(baseline::compare(&old, &r, "old.json"));
        report = Some(r);
    });
    let report = report.unwrap();

    let dir = std::env::temp_dir().join(format!("exemplar-bench-reports-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = |name: &str| Some(dir.join(name));
    let one = |o: Outputs| best_of_three(|| assert!(o.write(&report).is_empty()));
    let none = Outputs::default();
    let json = one(Outputs { json: file("r.json"), ..none.clone() });
    let junit = one(Outputs { junit: file("r.xml"), ..none.clone() });
    let md = one(Outputs { markdown: file("r.md"), ..none.clone() });
    let html = one(Outputs { html: file("r.html"), ..none.clone() });
    let all = Outputs {
        json: file("r.json"),
        junit: file("r.xml"),
        markdown: file("r.md"),
        html: file("r.html"),
    };
    let together = one(all);
    let size = |name: &str| std::fs::metadata(dir.join(name)).map(|m| m.len()).unwrap_or(0);
    let deviated = report.summary.deviated;
    println!("{n} cases ({deviated} deviated), best of 3:");
    println!("  build report (summary, coverage, known, baseline): {:>7.1} ms", ms(build));
    println!("  JSON     {:>7.1} ms  {:>6.1} MB", ms(json), mb(size("r.json")));
    println!("  JUnit    {:>7.1} ms  {:>6.1} MB", ms(junit), mb(size("r.xml")));
    println!("  Markdown {:>7.1} ms  {:>6.1} MB", ms(md), mb(size("r.md")));
    println!("  HTML     {:>7.1} ms  {:>6.1} MB", ms(html), mb(size("r.html")));
    let total = build + together;
    println!(
        "  all four files: {:.1} ms; with building the report: {:.1} ms",
        ms(together),
        ms(total)
    );
    println!(
        "  requirement: under 2000 ms -> {}",
        if total.as_millis() < 2000 { "met" } else { "NOT met" }
    );
    let _ = std::fs::remove_dir_all(&dir);
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn mb(bytes: u64) -> f64 {
    bytes as f64 / 1_000_000.0
}
