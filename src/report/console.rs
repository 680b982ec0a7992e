//! The console report of one case: what libtest prints under a failed test. It says where
//! the example is documented (like rustc's `-->`), what was sent and received, each deviation
//! with its code and JSON path, and the diff of the expected view against the actual body.
//! Colour is decided by the caller; with it off the text is plain.

use std::fmt::Write;

use crate::snapshot::{Summary, Update};

use super::model::{CaseReport, Outcome};
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
    for d in &case.diffs {
        phrase::diff(&mut out, d, style);
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
    out
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
            "; {} pending .snap.new file(s): review with `cargo insta review` or run again with --accept",
            s.pending
        );
    } else if s.update == Update::No && s.missing + s.changed > 0 {
        line.push_str("; nothing written (CI or --check)");
    }
    line
}

/// The snapshots that belong to no case, one per line after a heading.
pub fn orphans(paths: &[std::path::PathBuf]) -> String {
    let mut out = format!(
        "{} snapshot(s) belong to no case; delete them if the case is gone:\n",
        paths.len()
    );
    for p in paths {
        let _ = writeln!(out, "  {}", p.display());
    }
    out
}
