//! The CI gate: from a report to an exit code. Errors (could not run) come first; then a
//! report with a baseline fails only on new deviations, one without on any deviation; a
//! deviation listed in an unexpired known-deviations entry never fails, and an expired
//! entry always does.

use crate::exit::Exit;

use super::model::{Class, KnownState, Outcome, Report};

/// What the gate decided, with the numbers behind it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Verdict {
    pub exit: Exit,
    /// Cases that could not be run.
    pub errors: u32,
    /// Cases whose deviations fail the gate.
    pub failing: u32,
    /// Deviations excused by known-deviations entries.
    pub known: u32,
    /// Known-deviations entries past their expiry date.
    pub expired: u32,
    /// Report files that could not be written: the gate's evidence is missing, so it fails
    /// (as "could not run") whatever the cases said.
    pub unwritten: u32,
}

impl Verdict {
    /// The verdict once `count` report files could not be written.
    pub fn with_unwritten(mut self, count: usize) -> Self {
        if count > 0 {
            self.unwritten = super::model::count(count);
            self.exit = Exit::Error;
        }
        self
    }
}

/// Decides the exit code of `report`.
pub fn verdict(report: &Report) -> Verdict {
    let errors = report.cases.iter().filter(|c| c.status == Outcome::Error).count();
    let failing = match &report.baseline {
        Some(baseline) => report
            .failing_cases()
            .filter(|c| {
                baseline.cases.iter().any(|b| {
                    b.id == c.id
                        && match b.class {
                            Class::Added => true,
                            Class::NewDeviation => c
                                .failing_deviations()
                                .any(|d| b.new.iter().any(|n| *n == super::baseline::key(d))),
                            _ => false,
                        }
                })
            })
            .count(),
        None => report.failing_cases().count(),
    };
    let expired = report
        .known
        .as_ref()
        .map_or(0, |k| k.entries.iter().filter(|e| e.state == KnownState::Expired).count());
    let exit = if errors > 0 {
        Exit::Error
    } else if failing > 0 || expired > 0 {
        Exit::Failed
    } else {
        Exit::Success
    };
    Verdict {
        exit,
        errors: super::model::count(errors),
        failing: super::model::count(failing),
        known: report.summary.known_deviations,
        expired: super::model::count(expired),
        unwritten: 0,
    }
}

/// The one-line verdict printed after the run: what the gate counted and decided.
pub fn describe(report: &Report, verdict: &Verdict) -> String {
    let s = &report.summary;
    let mut parts = vec![format!(
        "{} case(s): {} passed, {} deviated, {} error(s), {} skipped",
        s.total, s.passed, s.deviated, s.errors, s.skipped
    )];
    if let Some(b) = &report.baseline {
        let c = &b.counts;
        parts.push(format!(
            "against {}: {} new deviation, {} fixed, {} still deviating, {} unchanged, {} added, {} removed",
            b.file, c.new_deviation, c.fixed, c.still_deviating, c.unchanged, c.added, c.removed
        ));
    }
    if let Some(k) = &report.known {
        let unused = k.entries.iter().filter(|e| e.state == KnownState::Unused).count();
        parts.push(format!(
            "{} known deviation(s) excused by {}; entries: {} expired, {unused} unused",
            verdict.known, k.file, verdict.expired
        ));
    }
    if !report.run.missing_shards.is_empty() {
        parts.push(format!(
            "partial merge: shard(s) {} missing, their cases were not checked",
            report.run.missing_shards.join(", ")
        ));
    }
    parts.push(super::phrase::decision(verdict));
    format!("exemplar: {}", parts.join("; "))
}
