//! Report models for the renderers' tests: a run as large and as varied as a person may
//! meet — every deviation code, cases that could not run, were skipped or were not run, long
//! base64 values in the diffs, notes, known deviations and a baseline comparison.

use serde_json::json;

use super::model::{
    BaselineCase, BaselineCounts, BaselineReport, CaseReport, Checks, Class, DeviationReport,
    DiffReport, ErrorReport, KnownEntryReport, KnownMark, KnownReport, KnownState, Note, Outcome,
    Report, RunInfo, Verdict,
};
use crate::case::model::Source;
use crate::check::deviation::{Code, Finding};
use crate::extract::resource::JsonType;

/// A base64-looking value of `n` characters.
pub fn base64(n: usize, seed: usize) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    (0..n).map(|i| char::from(ALPHABET[(i * 7 + seed * 13) % ALPHABET.len()])).collect()
}

pub fn deviation(code: &str, path: &str, expected: Finding, actual: Finding) -> DeviationReport {
    DeviationReport { code: code.into(), path: path.into(), expected, actual, known: None }
}

/// A case of id `id` (in `<id>.json`, from no doc page) with `status` and nothing else: no
/// deviation, error or check counted, no time taken; tests set what they are about.
pub fn bare(id: &str, status: Outcome) -> CaseReport {
    CaseReport {
        id: id.into(),
        method: "GET".into(),
        file: format!("{id}.json"),
        source: None,
        doc_file: None,
        status,
        verdict: Verdict::Passed,
        skip_reason: None,
        deviations: Vec::new(),
        error: None,
        teardown_errors: Vec::new(),
        diffs: Vec::new(),
        checks: Checks::default(),
        snapshot: None,
        exchanges: Vec::new(),
        duration_ms: 0,
        retries: 0,
        throttled_ms: 0,
        notes: Vec::new(),
    }
}

/// Where example `example` of the markdown page `doc` starts: at `line`, with no response.
pub fn source(doc: &str, example: &str, line: u32) -> Source {
    Source {
        doc: doc.into(),
        form: "markdown".into(),
        example: example.into(),
        line,
        response_line: None,
        hash: "sha256:0".into(),
    }
}

/// A case `docs::graph::beta::api::<page>::<example>` documented at `docs/graph/beta/api/<page>.md`.
pub fn case(page: &str, example: &str, status: Outcome) -> CaseReport {
    CaseReport {
        file: format!("cases/docs/graph/beta/api/{page}/{example}.json"),
        source: Some(Source {
            response_line: Some(80),
            ..source(&format!("docs/graph/beta/api/{page}.md"), example, 63)
        }),
        skip_reason: (status == Outcome::Skipped).then(|| "needs a tenant with B2C".into()),
        error: (status == Outcome::Error).then(|| ErrorReport {
            code: "connect-failed".into(),
            message: "cannot connect to http://127.0.0.1:9/ (connection refused)".into(),
            data: Default::default(),
        }),
        checks: Checks { by_value: 2, by_type: 5, ..Checks::default() },
        duration_ms: 12,
        ..bare(&format!("docs::graph::beta::api::{page}::{example}"), status)
    }
}

/// The diff of a documented key set against one whose keys came back as a map, with
/// certificate and modulus values of a real key's length.
pub fn key_diff(seed: usize) -> DiffReport {
    let cert = base64(1_204, seed);
    let modulus = base64(342, seed + 1);
    let expected =
        json!({"id": "B2C_1A_set", "keys": [{"kid": "kid-value", "n": "n-value", "x5c": [cert]}]});
    let actual =
        json!({"id": "B2C_1A_set", "keys": {"k1": {"kid": "k1", "n": modulus, "x5c": [cert]}}});
    let diff = crate::diff::json_diff(&expected, &actual)
        .unwrap_or_else(|| crate::diff::Diff { hunks: Vec::new() });
    DiffReport::from_diff("response body", "expected (documented)", "actual", &diff)
}

/// The notes of the `i`-th case of [`big_report`]: the proxy of each that could not run, a
/// `Retry-After` not waited for on every tenth.
fn notes(i: usize, status: Outcome) -> Vec<Note> {
    match status {
        Outcome::Error => vec![Note::Proxy { proxy: "http://127.0.0.1:3128".into() }],
        Outcome::Deviated if i % 10 == 0 => vec![Note::RetryAfterNotWaited {
            exchange: 0,
            asked_ms: 3_600_000,
            max_wait_ms: 60_000,
        }],
        _ => Vec::new(),
    }
}

/// A report of `n` cases: most deviate (each with three deviations, every code in turn, and
/// a diff), some could not run (with a note on the proxy), some were skipped, some were not
/// run (after `--fail-fast`), some passed; with notes, known deviations and a baseline.
pub fn big_report(n: usize) -> Report {
    let codes: Vec<&str> = Code::ALL.iter().map(|c| c.as_str()).collect();
    let mut cases = Vec::new();
    // Each deviation takes the next code, so every code appears whatever their number.
    let mut next_code = 0;
    for i in 0..n {
        let page = format!("trustframeworkkey_v2-page{}", i / 4);
        let example = format!("get_trustframeworkkey_v2_{i}");
        let status = match i % 10 {
            7 => Outcome::Error,
            8 => Outcome::Skipped,
            9 if i % 20 == 19 => Outcome::NotRun,
            9 => Outcome::Passed,
            _ => Outcome::Deviated,
        };
        let mut c = case(&page, &example, status);
        c.notes = notes(i, status);
        if status == Outcome::Deviated {
            for j in 0..3 {
                let code = codes[next_code % codes.len()];
                next_code += 1;
                let mut d = deviation(
                    code,
                    &format!("/value/{j}/keys"),
                    Finding::Type { json_type: JsonType::Array },
                    Finding::Value { value: json!({"k1": {"n": base64(400, i)}}) },
                );
                if j == 2 && i % 3 == 0 {
                    d.known = Some(KnownMark {
                        reason: "tracked in #123 | the service sends a map".into(),
                        expires: "2099-12-31".into(),
                        expired: false,
                    });
                }
                c.deviations.push(d);
            }
            c.diffs.push(key_diff(i));
        }
        cases.push(c);
    }
    let mut report = Report::from_cases(cases, RunInfo::new("http://127.0.0.1:8081/", 1_000));
    let entries = report
        .cases
        .iter()
        .filter(|c| c.deviations.iter().any(|d| d.known.is_some()))
        .enumerate()
        .map(|(i, c)| KnownEntryReport {
            case: c.id.clone(),
            code: c.deviations[2].code.clone(),
            path: Some("/value/2/keys".into()),
            reason: "tracked in #123 | the service sends a map".into(),
            expires: "2099-12-31".into(),
            line: u32::try_from(i * 6 + 1).unwrap_or(u32::MAX),
            state: KnownState::Used,
        })
        .collect();
    report.known = Some(KnownReport { file: "known-deviations.toml".into(), entries });
    let mut counts = BaselineCounts::default();
    let cases = report
        .cases
        .iter()
        .map(|c| {
            let class =
                if c.status == Outcome::Deviated { Class::NewDeviation } else { Class::Unchanged };
            counts.add(class);
            BaselineCase {
                id: c.id.clone(),
                class,
                new: c.deviations.iter().map(|d| format!("{} at {}", d.code, d.path)).collect(),
                fixed: Vec::new(),
            }
        })
        .collect();
    report.baseline = Some(BaselineReport { file: "old/report.json".into(), cases, counts });
    report.refresh();
    report
}
