//! The CI gate: from a report to an exit code. Errors (could not run) come first; then a
//! report with a baseline fails only on new deviations, one without on any deviation; a
//! deviation listed in an unexpired known-deviations entry never fails, and an expired
//! entry always does. A case not run because the run stopped early (`--fail-fast`) always
//! fails: nothing is known of it.

use crate::exit::Exit;

use super::model::{BaselineReport, CaseReport, Class, KnownState, Outcome, Report};

/// What the gate decided, with the numbers behind it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Verdict {
    pub exit: Exit,
    /// Cases that could not be run.
    pub errors: u32,
    /// Cases whose deviations fail the gate.
    pub failing: u32,
    /// Cases not started because the run stopped early.
    pub not_run: u32,
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

/// Whether the deviations of `c` fail the gate: any unexcused one without a baseline; with
/// one, only those the baseline did not have (or all, for a case it did not hold).
fn fails(baseline: Option<&BaselineReport>, c: &CaseReport) -> bool {
    if c.failing_deviations().next().is_none() {
        return false;
    }
    let Some(baseline) = baseline else { return true };
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
}

/// Sets the verdict of each case and of the run in `report`, once known deviations and the
/// baseline are applied, so that the JSON report holds them as fields.
pub fn judge(report: &mut Report) {
    let baseline = report.baseline.take();
    report.judge(|c| fails(baseline.as_ref(), c));
    report.baseline = baseline;
}

/// Decides the exit code of `report`.
pub fn verdict(report: &Report) -> Verdict {
    let errors = report.cases.iter().filter(|c| c.status == Outcome::Error).count();
    let not_run = report.cases.iter().filter(|c| c.status == Outcome::NotRun).count();
    let failing = report.cases.iter().filter(|c| fails(report.baseline.as_ref(), c)).count();
    let expired = report
        .known
        .as_ref()
        .map_or(0, |k| k.entries.iter().filter(|e| e.state == KnownState::Expired).count());
    let exit = if errors > 0 {
        Exit::Error
    } else if failing > 0 || expired > 0 || not_run > 0 {
        Exit::Failed
    } else {
        Exit::Success
    };
    Verdict {
        exit,
        errors: super::model::count(errors),
        failing: super::model::count(failing),
        not_run: super::model::count(not_run),
        known: report.summary.known_deviations,
        expired: super::model::count(expired),
        unwritten: 0,
    }
}
