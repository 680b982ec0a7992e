//! The JSON report file (`--report-json`): the [`Report`] as pretty JSON, and reading one
//! back with errors that name the file, line and column. Format 2 is written; format 1 (the
//! deviations' expected and actual sides in words, relaxed checks in words, no verdicts) is
//! still read, upgraded to format 2 as it is read, so that a baseline or a shard written by an
//! older exemplar keeps working. So is a format-2 report written before cases left out by
//! `--fail-fast` had an outcome of their own (`not-run`): they were `skipped` with the reason
//! `not run: …`, and are read as `not-run`.

use std::path::Path;

use serde_json::{Value, json};

use crate::case::file::{self, FileError};
use crate::diag::Located;

use super::model::{FORMAT, FORMAT_1, Outcome, Report};

/// The report as pretty JSON with a final newline.
pub fn render(report: &Report) -> String {
    file::render(report)
}

/// Reads a report written by `--report-json` (format 2, or format 1 upgraded).
pub fn read(path: &Path) -> Result<Report, FileError> {
    let text = std::fs::read_to_string(path)
        .map_err(|source| FileError::Io { path: path.to_path_buf(), source })?;
    parse(path, &text)
}

/// Parses the text of a report file; `path` names it in errors.
pub fn parse(path: &Path, text: &str) -> Result<Report, FileError> {
    let invalid = |message: String| FileError::Invalid(Located::file(path, message));
    let probe: Value = file::parse_any(path, text)?;
    match probe.get("format").and_then(Value::as_u64) {
        Some(f) if f == u64::from(FORMAT) => {
            let mut report: Report = file::parse_any(path, text)?;
            if not_run_from_skips(&mut report) {
                report.refresh();
                super::gate::judge(&mut report);
            }
            Ok(report)
        }
        Some(f) if f == u64::from(FORMAT_1) => {
            let mut report = serde_json::from_value::<Report>(upgrade(probe)).map_err(|e| {
                // The upgrade keeps every field where it was: an unknown one is named where
                // the file has it.
                match file::parse_any::<Report>(path, text) {
                    Err(located) if located.to_string().contains("unknown field") => located,
                    _ => invalid(format!("format 1 report: {e}")),
                }
            })?;
            not_run_from_skips(&mut report);
            report.refresh();
            Ok(report)
        }
        Some(f) if f > u64::from(FORMAT) => Err(invalid(format!(
            "report format {f} is newer than this exemplar reads (formats {FORMAT_1} and {FORMAT}); upgrade exemplar"
        ))),
        Some(f) => Err(invalid(format!(
            "unsupported report format {f}; this exemplar reads formats {FORMAT_1} and {FORMAT}"
        ))),
        None => Err(invalid(format!(
            "missing field `format` (this exemplar reads report formats {FORMAT_1} and {FORMAT})"
        ))),
    }
}

/// Cases an older exemplar wrote as skipped with the reason it gave cases `--fail-fast` left
/// out become `not-run`, as this one writes them; whether any did.
fn not_run_from_skips(report: &mut Report) -> bool {
    let mut changed = false;
    for c in &mut report.cases {
        if c.status == Outcome::Skipped
            && c.skip_reason.as_deref() == Some(super::phrase::NOT_RUN_REASON)
        {
            c.status = Outcome::NotRun;
            c.skip_reason = None;
            changed = true;
        }
    }
    changed
}

/// A format-1 report as format 2: the words of each deviation's sides become `text`
/// findings, an empty path becomes `snapshot` (a snapshot deviation) or `body`, relaxed
/// checks become data again from the counts beside them, and the verdicts, which format 1
/// did not hold, get a placeholder that [`Report::refresh`] replaces.
fn upgrade(mut report: Value) -> Value {
    report["format"] = json!(FORMAT);
    if let Some(run) = report.get_mut("run").and_then(Value::as_object_mut) {
        run.insert("verdict".into(), json!("passed"));
    }
    let cases = report.get_mut("cases").and_then(Value::as_array_mut);
    for case in cases.into_iter().flatten() {
        case["verdict"] = json!("passed");
        for d in case.get_mut("deviations").and_then(Value::as_array_mut).into_iter().flatten() {
            for side in ["expected", "actual"] {
                let words = d.get(side).and_then(Value::as_str).unwrap_or_default().to_string();
                d[side] = json!({"kind": "text", "text": words});
            }
            if d.get("path").and_then(Value::as_str).is_some_and(str::is_empty) {
                let snapshot = d
                    .get("code")
                    .and_then(Value::as_str)
                    .is_some_and(|c| c.starts_with("snapshot-"));
                let path = if snapshot {
                    crate::snapshot::SNAPSHOT_PATH
                } else {
                    crate::check::deviation::BODY_PATH
                };
                d["path"] = json!(path);
            }
        }
        if let Some(checks) = case.get_mut("checks") {
            upgrade_checks(checks);
        }
    }
    let operations = report.pointer_mut("/coverage/operations").and_then(Value::as_array_mut);
    for op in operations.into_iter().flatten() {
        for ex in op.get_mut("examples").and_then(Value::as_array_mut).into_iter().flatten() {
            if let Some(checks) = ex.get_mut("checks") {
                upgrade_checks(checks);
            }
        }
    }
    report
}

/// Format 1's `relaxed` words as format 2's data: the counts beside them say the same, and
/// the one phrase without a count beside it carries its number first.
fn upgrade_checks(checks: &mut Value) {
    let count = |key: &str| checks.get(key).and_then(Value::as_u64).unwrap_or(0);
    let (by_type, ignored) = (count("byType"), count("ignored"));
    let truncated = checks.get("truncated").and_then(Value::as_bool).unwrap_or(false);
    let words: Vec<String> = checks
        .get("relaxed")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).map(str::to_string).collect())
        .unwrap_or_default();
    let mut relaxed = Vec::new();
    for w in &words {
        if w.contains("checked by type only") {
            relaxed.push(json!({"kind": "by-type", "count": by_type}));
        } else if w.starts_with("truncated body") && truncated {
            relaxed.push(json!({"kind": "truncated"}));
        } else if w.ends_with("ignored") {
            relaxed.push(json!({"kind": "ignored", "count": ignored}));
        } else if w.contains("did not create") {
            let n = w.split_whitespace().next().and_then(|n| n.parse::<u64>().ok()).unwrap_or(0);
            relaxed.push(json!({"kind": "others-unchecked", "count": n}));
        }
    }
    checks["relaxed"] = Value::Array(relaxed);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_1_relaxed_words_become_data() {
        let mut checks = json!({
            "byValue": 1, "byType": 3, "ignored": 2, "truncated": true, "typed": false,
            "relaxed": [
                "3 values checked by type only",
                "truncated body checked as a subset",
                "2 fields ignored",
                "4 listed item(s) this case did not create left unchecked"
            ]
        });
        upgrade_checks(&mut checks);
        assert_eq!(
            checks["relaxed"],
            json!([
                {"kind": "by-type", "count": 3},
                {"kind": "truncated"},
                {"kind": "ignored", "count": 2},
                {"kind": "others-unchecked", "count": 4}
            ])
        );
    }

    /// Regression test (issue 15): a report written while cases `--fail-fast` left out were
    /// `skipped` reads with them as `not-run`, so that the gate fails on them as it does now.
    #[test]
    fn an_older_report_with_not_run_skips_reads_them_as_not_run() {
        use crate::report::model::{RunInfo, Verdict};
        use crate::report::sample;
        let mut old = sample::case("p", "left_out", Outcome::Skipped);
        old.skip_reason = Some(super::super::phrase::NOT_RUN_REASON.into());
        let skipped = sample::case("p", "skipped", Outcome::Skipped);
        let written = Report::from_cases(vec![old, skipped], RunInfo::new("t", 0));
        assert_eq!(written.run.verdict, Verdict::Passed, "how the older exemplar judged it");
        let read = parse(Path::new("r.json"), &render(&written)).unwrap();
        let left_out = &read.cases[0];
        assert_eq!((left_out.status, left_out.verdict), (Outcome::NotRun, Verdict::NotRun));
        assert_eq!(left_out.skip_reason, None);
        assert_eq!(read.cases[1].status, Outcome::Skipped, "other skips stay skips");
        assert_eq!((read.summary.not_run, read.summary.skipped), (1, 1));
        assert_eq!(read.run.verdict, Verdict::Failed);
        assert_eq!(crate::report::gate::verdict(&read).exit, crate::exit::Exit::Failed);
    }

    /// A report with no case left out is what this exemplar wrote before `not-run` existed,
    /// field for field: older readers of format 2 read it still.
    #[test]
    fn a_report_without_not_run_cases_has_no_new_fields() {
        let report = crate::report::sample::big_report(10);
        let text = render(&report);
        assert!(!text.contains("\"notRun\"") && !text.contains("\"not-run\""), "{text}");
    }

    /// A run error's facts are data in the report, and read back; an error without them (a
    /// report written before they were, or format 1) reads as before.
    #[test]
    fn run_error_data_is_written_and_read_back_and_optional() {
        use crate::report::model::{ErrorData, ErrorReport};
        use crate::run::result::{ErrorKind, FixtureStep, RunError, SkippedTeardown};
        let e = RunError::new(
            ErrorKind::Tls { method: "POST".into(), url: "https://t/x".into(), plain_http: true },
            "handshake",
        )
        .in_fixture(FixtureStep {
            skipped: vec![SkippedTeardown { alias: "set".into(), missing: "id".into() }],
            ..FixtureStep::new("set", false, Some(("POST".into(), "https://t/x".into())))
        });
        let report = ErrorReport::from(&e);
        let value = serde_json::to_value(&report).unwrap();
        assert_eq!(value["code"], "fixture-failed");
        assert_eq!(
            value["data"],
            json!({
                "fixture": "set", "cause": "tls", "method": "POST", "url": "https://t/x",
                "plainHttp": true, "teardownSkipped": [{"fixture": "set", "missing": "id"}]
            })
        );
        let back: ErrorReport = serde_json::from_value(value).unwrap();
        assert_eq!(back, report);
        let old: ErrorReport =
            serde_json::from_value(json!({"code": "timeout", "message": "timed out"})).unwrap();
        assert_eq!(old.data, ErrorData::default());
        assert!(serde_json::to_value(&old).unwrap().get("data").is_none());
    }

    #[test]
    fn a_newer_or_unknown_report_format_is_refused_naming_the_file() {
        let path = Path::new("r.json");
        let err = parse(path, "{\"format\": 3}").unwrap_err().to_string();
        assert!(err.starts_with("r.json:1:1: report format 3 is newer"), "{err}");
        let err = parse(path, "{\"format\": 0}").unwrap_err().to_string();
        assert!(err.contains("unsupported report format 0"), "{err}");
        let err = parse(path, "{}").unwrap_err().to_string();
        assert!(err.contains("missing field `format`"), "{err}");
    }
}
