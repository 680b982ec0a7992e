//! The console report of one case: what libtest prints under a failed test. It says where
//! the example is documented (like rustc's `-->`), what was sent and received, each deviation
//! with its code and JSON path, and the diff of the expected view against the actual body.
//! Colour is decided by the caller; with it off the text is plain.

use std::fmt::Write;

use crate::snapshot::{Summary, Update};

use std::time::Duration;

use super::gate::Verdict;
use super::model::{BaselineReport, CaseReport, KnownReport, KnownState, Outcome, Report};
use super::phrase;

pub use super::phrase::Style;

/// The message shown for a case that did not pass.
pub fn failure(case: &CaseReport, style: Style) -> String {
    let mut out = String::new();
    if let Some(src) = &case.source {
        let response =
            src.response_line.map(|l| format!(", response at line {l}")).unwrap_or_default();
        let _ = writeln!(out, "  {} {}:{}{response}", style.paint("34", "-->"), src.doc, src.line);
    }
    let _ = writeln!(out, "  {} {}", style.paint("34", "case"), case.file);
    if let Some(main) = case.main_exchange() {
        let status = main
            .response
            .as_ref()
            .map_or_else(|| "no response".to_string(), |r| r.status.to_string());
        let _ = writeln!(
            out,
            "  {} {} {} -> {status} ({} ms)",
            style.paint("34", "sent"),
            main.request.method,
            main.request.url,
            main.elapsed_ms
        );
    }
    if case.status == Outcome::Error {
        if let Some(e) = &case.error {
            let _ = writeln!(out, "{}", phrase::error(e, style));
        }
    }
    for d in &case.deviations {
        let _ = writeln!(out, "{}", phrase::deviation(d, style));
    }
    let shown =
        usize::from(case.error.is_some() && case.error.as_ref() == case.teardown_errors.first());
    for e in case.teardown_errors.iter().skip(shown) {
        let _ = writeln!(out, "{}", phrase::error(e, style));
    }
    let echoed = snapshot_echoes_contract(case);
    for d in &case.diffs {
        if echoed && d.title == SNAPSHOT_DIFF {
            let file = case.snapshot.as_ref().map_or("", |s| s.file.as_str());
            let _ = writeln!(
                out,
                "  {} {file} differs only where the contract check found deviations (its diff is in the report files)",
                style.paint("34", "snapshot")
            );
            continue;
        }
        phrase::console_diff(&mut out, d, style);
    }
    if let Some(snap) = &case.snapshot {
        if let Some(p) = &snap.pending {
            let _ = writeln!(
                out,
                "  {} {p} (review with `cargo insta review`, or run again with --accept)",
                style.paint("34", "pending")
            );
        }
        if !snap.proposed_volatile.is_empty() {
            let _ = writeln!(
                out,
                "  {} add to the case's \"volatile\" list: {}",
                style.paint("34", "proposal"),
                serde_json::to_string(&snap.proposed_volatile).unwrap_or_default()
            );
        }
        if let Some(e) = &snap.io_error {
            let _ = writeln!(out, "{} {e}", style.paint("1;31", "error[snapshot]:"));
        }
    }
    for n in &case.notes {
        let _ = writeln!(out, "{} {}", style.paint("1", "note:"), phrase::note(n));
    }
    out
}

/// A case's exchanges as `-vv` shows them the moment the case ends: a line naming the case
/// and how it ended, then each exchange (redacted, as in the reports).
pub fn finished_exchanges(case: &CaseReport) -> String {
    let ended = match case.status {
        // Shown here only when every deviation is excused, as libtest's line says.
        Outcome::Deviated => "deviated, all known",
        other => other.as_str(),
    };
    format!(
        "\n---- {} ({ended}) ----\n{}",
        case.id,
        super::exchanges::render(&case.exchanges, &case.notes)
    )
}

/// The title of the snapshot's diff in a case report.
const SNAPSHOT_DIFF: &str = "snapshot";

/// Whether every place the snapshot differs at is one the contract check already shows a
/// deviation at (or below): the snapshot's diff would then show the same lines again.
fn snapshot_echoes_contract(case: &CaseReport) -> bool {
    let contract: Vec<&str> = case
        .deviations
        .iter()
        .filter(|d| !d.code.starts_with("snapshot-"))
        .map(|d| d.path.as_str())
        .collect();
    let snapshot: Vec<&str> = case
        .deviations
        .iter()
        .filter(|d| d.code == "snapshot-mismatch")
        .map(|d| d.path.as_str())
        .collect();
    !contract.is_empty()
        && !snapshot.is_empty()
        && snapshot.iter().all(|s| {
            contract.iter().any(|c| s == c || s.strip_prefix(c).is_some_and(|r| r.starts_with('/')))
        })
}

/// Slowest cases the summary names.
const SLOWEST: usize = 3;

/// The summary after a run (or a report read back), to be read at a glance, as nextest and
/// Hurl end theirs: the counts per outcome, the deviations, the slowest cases, retries and
/// time throttled, skipped cases with their reasons, known deviations and the baseline, and
/// last the verdict.
pub fn summary(report: &Report, verdict: &Verdict, style: Style) -> String {
    let mut rows: Vec<(&str, String)> = Vec::new();
    rows.extend(count_rows(report, style));
    rows.extend(slowest_rows(report));
    rows.push(retries_row(report));
    rows.extend(skipped_rows(report));
    rows.extend(report.known.as_ref().map(|k| known_row(k, verdict)));
    rows.extend(report.baseline.as_ref().map(baseline_row));
    rows.extend(shards_row(&report.run.missing_shards));
    let code = if verdict.exit == crate::exit::Exit::Success { "1;32" } else { "1;31" };
    rows.push(("verdict", style.paint(code, &phrase::decision(verdict))));
    let width = rows.iter().map(|(label, _)| label.len()).max().unwrap_or(0);
    let mut out = format!("{}\n", style.paint("1", "exemplar summary"));
    for (label, text) in rows {
        let _ = writeln!(out, "  {} {text}", style.paint("1", &format!("{label:>width$}")));
    }
    out
}

/// A summary row: its label and its text.
type Row = (&'static str, String);

/// The counts per outcome, and the deviations when there are any.
fn count_rows(report: &Report, style: Style) -> Vec<Row> {
    let s = &report.summary;
    let count = |n: u32, word: &str, code: &str| {
        let text = format!("{n} {word}");
        if n > 0 { style.paint(code, &text) } else { text }
    };
    let mut rows = vec![(
        "cases",
        format!(
            "{} in {:.2}s: {}, {}, {}, {}{}",
            phrase::plural(s.total.into(), "case"),
            Duration::from_millis(report.run.duration_ms).as_secs_f64(),
            count(s.passed, "passed", "32"),
            count(s.deviated, "deviated", "33"),
            count(s.errors, if s.errors == 1 { "error" } else { "errors" }, "31"),
            count(s.skipped, "skipped", "2"),
            // Only a run cut short has them; then they are never passed over in silence.
            if s.not_run > 0 {
                format!(", {}", count(s.not_run, "not run", "1;31"))
            } else {
                String::new()
            },
        ),
    )];
    if s.deviations > 0 {
        rows.push((
            "deviations",
            format!(
                "{} ({} known)",
                phrase::plural(s.deviations.into(), "deviation"),
                s.known_deviations
            ),
        ));
    }
    rows
}

/// The [`SLOWEST`] cases that ran, slowest first, the first row labelled.
fn slowest_rows(report: &Report) -> Vec<Row> {
    let mut ran: Vec<&CaseReport> = report.cases.iter().filter(|c| c.status.ran()).collect();
    ran.sort_by(|a, b| b.duration_ms.cmp(&a.duration_ms).then_with(|| a.id.cmp(&b.id)));
    ran.iter()
        .take(SLOWEST)
        .enumerate()
        .map(|(i, c)| {
            let label = if i == 0 { "slowest" } else { "" };
            (label, format!("{} ({} ms)", short_id(&c.id), c.duration_ms))
        })
        .collect()
}

fn retries_row(report: &Report) -> Row {
    let s = &report.summary;
    (
        "retries",
        format!(
            "{} {}, {} ms throttled",
            s.retries,
            if s.retries == 1 { "retry" } else { "retries" },
            s.throttled_ms
        ),
    )
}

/// One row per skipped case, with its reason.
fn skipped_rows(report: &Report) -> Vec<Row> {
    report
        .cases
        .iter()
        .filter(|c| c.status == Outcome::Skipped)
        .map(|c| {
            let reason = c.skip_reason.as_deref().unwrap_or("no reason given");
            ("skipped", format!("{} ({reason})", short_id(&c.id)))
        })
        .collect()
}

fn known_row(k: &KnownReport, verdict: &Verdict) -> Row {
    let unused = k.entries.iter().filter(|e| e.state == KnownState::Unused).count();
    (
        "known",
        format!(
            "{} excused by {}; entries: {} expired, {unused} unused",
            phrase::plural(verdict.known.into(), "known deviation"),
            k.file,
            verdict.expired
        ),
    )
}

fn baseline_row(b: &BaselineReport) -> Row {
    let c = &b.counts;
    (
        "baseline",
        format!(
            "against {}: {}, {} fixed, {} still deviating, {} unchanged, {} added, {} removed",
            b.file,
            phrase::plural(c.new_deviation.into(), "new deviation"),
            c.fixed,
            c.still_deviating,
            c.unchanged,
            c.added,
            c.removed
        ),
    )
}

/// The shards a partial merge did not have, when it had not all.
fn shards_row(missing: &[String]) -> Option<Row> {
    (!missing.is_empty()).then(|| {
        (
            "shards",
            format!(
                "partial merge: {} {} missing, their cases were not checked",
                if missing.len() == 1 { "shard" } else { "shards" },
                missing.join(", ")
            ),
        )
    })
}

/// A case id without the folders every id of a doc set shares: its page and example.
fn short_id(id: &str) -> &str {
    let mut cut = id.rmatch_indices("::").map(|(i, _)| i);
    match (cut.next(), cut.next()) {
        (Some(_), Some(i)) => &id[i + 2..],
        _ => id,
    }
}

/// The line about the snapshots after a run: what was written and what waits for review.
pub fn snapshot_summary(s: &Summary) -> String {
    let mut line = format!(
        "snapshots ({}/{}): {} matched, {} written, {} missing, {} changed",
        s.dir.display(),
        s.set,
        s.matched,
        s.written,
        s.missing,
        s.changed
    );
    if s.unstable > 0 {
        let _ = write!(line, ", {} unstable", s.unstable);
    }
    if s.pending > 0 {
        let _ = write!(
            line,
            "; {}: review with `cargo insta review` or run again with --accept",
            crate::words::count(s.pending, "pending .snap.new file", "pending .snap.new files")
        );
    } else if s.update == Update::No && s.missing + s.changed > 0 {
        line.push_str("; nothing written (CI or --check)");
    }
    line
}

/// The snapshots that belong to no case, one per line after a heading.
pub fn orphans(paths: &[std::path::PathBuf]) -> String {
    let mut out = if paths.len() == 1 {
        "1 snapshot belongs to no case; delete it if the case is gone:\n".to_string()
    } else {
        format!("{} snapshots belong to no case; delete them if the case is gone:\n", paths.len())
    };
    for p in paths {
        let _ = writeln!(out, "  {}", p.display());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::model::RunInfo;

    fn case(id: &str, status: Outcome, ms: u64, skip: Option<&str>) -> CaseReport {
        CaseReport {
            skip_reason: skip.map(str::to_string),
            duration_ms: ms,
            retries: 1,
            throttled_ms: 250,
            ..crate::report::sample::bare(id, status)
        }
    }

    /// Issue 15: counts agree with their nouns, also in the snapshot lines.
    #[test]
    fn snapshot_lines_count_in_words_that_agree() {
        let summary = |pending| Summary {
            dir: "snapshots".into(),
            set: "reference".into(),
            update: Update::New,
            matched: 1,
            written: 0,
            missing: 1,
            changed: 0,
            unstable: 0,
            pending,
        };
        assert!(
            snapshot_summary(&summary(1)).ends_with("; 1 pending .snap.new file: review with `cargo insta review` or run again with --accept"),
            "{}",
            snapshot_summary(&summary(1))
        );
        assert!(snapshot_summary(&summary(2)).contains("; 2 pending .snap.new files: review"));
        let one = orphans(&["a.snap".into()]);
        assert_eq!(
            one,
            "1 snapshot belongs to no case; delete it if the case is gone:\n  a.snap\n"
        );
        let two = orphans(&["a.snap".into(), "b.snap".into()]);
        assert!(two.starts_with("2 snapshots belong to no case; delete them if"), "{two}");
    }

    /// A run cut short says how many cases it did not run, and never counts them as passed
    /// or skipped; the slowest cases are among those that ran.
    #[test]
    fn the_summary_counts_cases_not_run_apart() {
        let cases = vec![
            case("docs::a::page::failed", Outcome::Deviated, 5, None),
            case("docs::a::page::left", Outcome::NotRun, 0, None),
            case("docs::a::page::out", Outcome::NotRun, 0, None),
        ];
        let report = Report::from_cases(cases, RunInfo::new("reference mock", 10));
        let verdict = crate::report::gate::verdict(&report);
        let text = summary(&report, &verdict, Style::PLAIN);
        assert!(
            text.contains(
                "3 cases in 0.01s: 0 passed, 1 deviated, 0 errors, 0 skipped, 2 not run\n"
            ),
            "{text}"
        );
        assert!(text.contains("slowest page::failed (5 ms)\n  retries"), "{text}");
        assert!(text.ends_with("verdict gate failed: 2 cases not run\n"), "{text}");
    }

    #[test]
    fn the_summary_counts_names_the_slowest_and_the_skipped_and_ends_with_the_verdict() {
        let cases = vec![
            case("docs::a::page::fast", Outcome::Passed, 5, None),
            case("docs::a::page::slow", Outcome::Passed, 900, None),
            case("docs::a::other::mid", Outcome::Passed, 40, None),
            case("docs::a::other::later", Outcome::Passed, 30, None),
            case("docs::a::other::gone", Outcome::Skipped, 0, Some("no documented response")),
        ];
        let report = Report::from_cases(cases, RunInfo::new("reference mock", 1234));
        let verdict = crate::report::gate::verdict(&report);
        let text = summary(&report, &verdict, Style::PLAIN);
        assert_eq!(
            text,
            "exemplar summary\n\
             \x20   cases 5 cases in 1.23s: 4 passed, 0 deviated, 0 errors, 1 skipped\n\
             \x20 slowest page::slow (900 ms)\n\
             \x20         other::mid (40 ms)\n\
             \x20         other::later (30 ms)\n\
             \x20 retries 5 retries, 1250 ms throttled\n\
             \x20 skipped other::gone (no documented response)\n\
             \x20 verdict gate passed\n"
        );
    }
}
