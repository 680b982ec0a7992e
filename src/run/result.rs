//! Results as data: what running one case produced. Reporters (console, JUnit, JSON, HTML)
//! render these; nothing here is formatted for a reader. Everything in a result has passed
//! through the redactor before the result is built.

use serde::Serialize;

use crate::case::model::Source;
use crate::check::{Deviation, Strictness};
use crate::diff::Diff;
use crate::snapshot::SnapshotResult;

pub use crate::observe::{Exchange, RecordedRequest, RecordedResponse, Role};

/// "We could not run" — a different thing from "the target broke the contract".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, strum::IntoStaticStr)]
#[cfg_attr(test, derive(strum::VariantArray))]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum ErrorCode {
    /// The connection was refused or the host could not be resolved.
    ConnectFailed,
    /// No complete response within the timeout.
    Timeout,
    /// The TLS handshake failed (certificate, protocol).
    Tls,
    /// The target reset the connection or sent something that is not HTTP.
    Protocol,
    /// A fixture's setup request failed, so the case could not be set up.
    FixtureFailed,
    /// A fixture's teardown failed: something the run created may be left behind.
    TeardownFailed,
    /// A template or binding could not be resolved at run time.
    BindingFailed,
    /// No access token could be obtained.
    AuthFailed,
    /// Not sent: the target refused the run's first requests (401/403), so the run stopped.
    AuthRefused,
    /// A behaviour check's list had more pages than the conventions' `max_pages`, so it
    /// could not tell whether an item is listed.
    TooManyPages,
    /// The case stopped unexpectedly inside exemplar (its task panicked or was cancelled).
    Internal,
}

impl ErrorCode {
    /// The code's name, as the reports spell it (the same table serde serialises by).
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RunError {
    pub code: ErrorCode,
    pub message: String,
}

impl RunError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        RunError { code, message: message.into() }
    }
}

impl std::fmt::Display for RunError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "error[{}]: {}", self.code.as_str(), self.message)
    }
}

/// How a case ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Passed,
    /// The target broke the contract.
    Deviated,
    /// The case could not be run.
    Error,
    Skipped,
    /// Not started: `--fail-fast`/`--max-fail` stopped the run from starting more cases.
    #[serde(rename = "not-run")]
    NotRun,
}

/// Everything known about one case after it ran.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CaseResult {
    pub id: String,
    pub method: String,
    /// The case file.
    pub file: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<Source>,
    pub status: Status,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skip_reason: Option<String>,
    pub deviations: Vec<Deviation>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<RunError>,
    /// Teardown problems; also reported when the case itself passed.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub teardown_errors: Vec<RunError>,
    /// Expected view against actual body, when they differ.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diff: Option<Diff>,
    /// How the response compared with its recorded snapshot, when snapshots are on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub snapshot: Option<SnapshotResult>,
    pub strictness: Strictness,
    /// Every exchange, fixtures included, in the order they happened.
    pub exchanges: Vec<Exchange>,
    pub duration_ms: u64,
    pub retries: u32,
    pub throttled_ms: u64,
    /// What a reader should know about how the case ran (a wait not made, a proxy).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<super::note::Note>,
}

impl CaseResult {
    /// A result for a case that has not run yet: passed until something says otherwise.
    pub fn of(planned: &crate::plan::Planned) -> Self {
        CaseResult {
            id: planned.case.id.clone(),
            method: planned.case.request.method.clone(),
            file: planned.path.display().to_string(),
            source: planned.case.source.clone(),
            status: Status::Passed,
            skip_reason: None,
            deviations: Vec::new(),
            error: None,
            teardown_errors: Vec::new(),
            diff: None,
            snapshot: None,
            strictness: Default::default(),
            exchanges: Vec::new(),
            duration_ms: 0,
            retries: 0,
            throttled_ms: 0,
            notes: Vec::new(),
        }
    }

    /// The exchange of the documented request itself.
    pub fn main_exchange(&self) -> Option<&Exchange> {
        self.exchanges.iter().find(|e| e.role == Role::Main)
    }
}

#[cfg(test)]
mod tests {
    use strum::VariantArray;

    use super::ErrorCode;

    /// The reports write a code through serde and the console through `as_str`: one name.
    #[test]
    fn every_code_has_one_name() {
        for code in ErrorCode::VARIANTS {
            let serialised = serde_json::to_value(code).unwrap_or_default();
            assert_eq!(serialised, code.as_str(), "{code:?}");
        }
        assert_eq!(ErrorCode::ConnectFailed.as_str(), "connect-failed");
    }
}
