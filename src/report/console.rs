//! The console report of one case: what libtest prints under a failed test. It says where
//! the example is documented (like rustc's `-->`), what was sent and received, each deviation
//! with its code and JSON path, and the diff of the expected view against the actual body.
//! Colour is decided by the caller; with it off the text is plain.

use std::fmt::Write;

use crate::diff::Diff;
use crate::run::result::{CaseResult, Status};
use crate::snapshot::{SnapshotState, Summary, Update};

/// ANSI styling, or none.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    pub color: bool,
}

impl Style {
    fn paint(&self, code: &str, text: &str) -> String {
        if self.color { format!("\x1b[{code}m{text}\x1b[0m") } else { text.to_string() }
    }
}

/// Renders a diff, colouring removed and added lines and emphasising the words that changed.
pub fn diff(out: &mut String, diff: &Diff, labels: (&str, &str), style: Style) {
    let _ = writeln!(out, "{}", style.paint("31", &format!("--- {}", labels.0)));
    let _ = writeln!(out, "{}", style.paint("32", &format!("+++ {}", labels.1)));
    for hunk in &diff.hunks {
        let _ = writeln!(out, "{}", style.paint("36", &hunk.header));
        for line in &hunk.lines {
            let (base, emph) = match line.tag {
                '-' => ("31", "1;4;31"),
                '+' => ("32", "1;4;32"),
                _ => ("", ""),
            };
            out.push_str(&style.paint(base, &line.tag.to_string()));
            for (emphasised, text) in &line.segments {
                if !style.color || base.is_empty() {
                    out.push_str(text);
                } else {
                    out.push_str(&style.paint(if *emphasised { emph } else { base }, text));
                }
            }
            out.push('\n');
        }
    }
}

/// The message shown for a case that did not pass.
pub fn failure(result: &CaseResult, style: Style) -> String {
    let mut out = String::new();
    if let Some(src) = &result.source {
        let response =
            src.response_line.map(|l| format!(", response at line {l}")).unwrap_or_default();
        let _ = writeln!(out, "  {} {}:{}{response}", style.paint("34", "-->"), src.doc, src.line);
    }
    let _ = writeln!(out, "  {} {}", style.paint("34", "case"), result.file);
    if let Some(main) = result.main_exchange() {
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
    if result.status == Status::Error {
        if let Some(e) = &result.error {
            let _ = writeln!(
                out,
                "{} {}",
                style.paint("1;31", &format!("error[{}]:", e.code.as_str())),
                e.message
            );
        }
    }
    for d in &result.deviations {
        let _ = writeln!(
            out,
            "{} at {}: expected {}, actual {}",
            style.paint("1;33", d.code.as_str()),
            style.paint("1", &d.path),
            d.expected,
            d.actual
        );
    }
    for e in result
        .teardown_errors
        .iter()
        .skip(usize::from(result.error.as_ref() == result.teardown_errors.first()))
    {
        let _ = writeln!(
            out,
            "{} {}",
            style.paint("1;31", &format!("error[{}]:", e.code.as_str())),
            e.message
        );
    }
    if let Some(d) = &result.diff {
        diff(&mut out, d, ("expected (documented)", "actual"), style);
    }
    if let Some(snap) = &result.snapshot {
        if let Some(d) = &snap.diff {
            let old = if snap.state == SnapshotState::Unstable {
                "first recording".to_string()
            } else {
                format!("snapshot {}", snap.file)
            };
            let new = if snap.state == SnapshotState::Unstable {
                "second recording"
            } else {
                "actual (normalised)"
            };
            diff(&mut out, d, (&old, new), style);
        }
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
                serde_json::to_string(&crate::snapshot::generalise(&snap.proposed_volatile))
                    .unwrap_or_default()
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
