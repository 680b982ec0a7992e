//! Results as data: what running one case produced. Reporters (console, JUnit, JSON, HTML)
//! render these; nothing here is formatted for a reader. Everything in a result has passed
//! through the redactor before the result is built.

use std::time::Duration;

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

/// Which of the client's time limits elapsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, strum::IntoStaticStr)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum TimeLimit {
    /// `--connect-timeout`: no connection.
    Connect,
    /// `--timeout`: no complete response.
    Request,
}

impl TimeLimit {
    /// Its name in reports: `connect`, `request`.
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// What went wrong, with what the runner knows about it as typed data. Reporters phrase it
/// (`report::phrase::run_error`); the report carries the data beside the sentence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ErrorKind {
    /// No connection to the URL (refused, or its host did not resolve).
    ConnectFailed { method: String, url: String },
    /// The time limit that elapsed, and how long it was (`after`: filled in by the runner,
    /// which knows the client's settings).
    Timeout { method: String, url: String, limit: TimeLimit, after: Option<Duration> },
    /// The TLS handshake with the URL failed; `plain_http` when the answer was not TLS at all
    /// (the port serves plain HTTP).
    Tls { method: String, url: String, plain_http: bool },
    /// The request could not be made or its answer was not usable HTTP.
    Protocol { method: String, url: String },
    /// A fixture's request was answered with a status its step does not accept.
    Rejected { status: u16 },
    /// A fixture's capture found nothing to capture.
    NotCaptured { capture: String },
    /// A template or override could not be applied; `binding` is the variable it named that
    /// nothing defined.
    BindingFailed { binding: Option<String> },
    /// The token request to `token_url` failed (`status`: what it was answered, if it was).
    AuthFailed { token_url: String, status: Option<u16> },
    /// Not sent: the run's first requests were all answered `status` (401 or 403).
    AuthRefused { method: String, url: String, status: u16 },
    /// A behaviour step's list had more than `max_pages` pages, so whether it lists `item`
    /// (`key = value`) is not known.
    TooManyPages { step: String, max_pages: u64, item: String },
    /// The case's task panicked (`panicked`) or was cancelled.
    Internal { panicked: bool },
}

impl ErrorKind {
    /// The code of this kind of error where no fixture step frames it.
    fn code(&self) -> ErrorCode {
        match self {
            ErrorKind::ConnectFailed { .. } => ErrorCode::ConnectFailed,
            ErrorKind::Timeout { .. } => ErrorCode::Timeout,
            ErrorKind::Tls { .. } => ErrorCode::Tls,
            ErrorKind::Protocol { .. } => ErrorCode::Protocol,
            ErrorKind::Rejected { .. } | ErrorKind::NotCaptured { .. } => ErrorCode::FixtureFailed,
            ErrorKind::BindingFailed { .. } => ErrorCode::BindingFailed,
            ErrorKind::AuthFailed { .. } => ErrorCode::AuthFailed,
            ErrorKind::AuthRefused { .. } => ErrorCode::AuthRefused,
            ErrorKind::TooManyPages { .. } => ErrorCode::TooManyPages,
            ErrorKind::Internal { .. } => ErrorCode::Internal,
        }
    }

    /// The text fields (URLs, methods, names), for the redactor.
    fn texts_mut(&mut self) -> Vec<&mut String> {
        match self {
            ErrorKind::ConnectFailed { method, url }
            | ErrorKind::Timeout { method, url, .. }
            | ErrorKind::Tls { method, url, .. }
            | ErrorKind::Protocol { method, url }
            | ErrorKind::AuthRefused { method, url, .. } => vec![method, url],
            ErrorKind::NotCaptured { capture } => vec![capture],
            ErrorKind::BindingFailed { binding } => binding.iter_mut().collect(),
            ErrorKind::AuthFailed { token_url, .. } => vec![token_url],
            ErrorKind::TooManyPages { step, item, .. } => vec![step, item],
            ErrorKind::Rejected { .. } | ErrorKind::Internal { .. } => Vec::new(),
        }
    }
}

/// The fixture step an error happened in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FixtureStep {
    /// The fixture's alias in the case.
    pub alias: String,
    /// Its teardown (else its setup).
    pub teardown: bool,
    /// The step's request (method, URL), once it was made.
    pub request: Option<(String, String)>,
    /// The teardowns skipped because this setup stopped before they could address anything.
    pub skipped: Vec<SkippedTeardown>,
}

impl FixtureStep {
    /// A step of the fixture `alias`: its teardown or its setup, with the request it made.
    pub fn new(alias: &str, teardown: bool, request: Option<(String, String)>) -> Self {
        FixtureStep { alias: alias.to_string(), teardown, request, skipped: Vec::new() }
    }
}

/// A fixture whose teardown was skipped because its setup stopped before capturing what
/// the teardown addresses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SkippedTeardown {
    pub alias: String,
    /// The capture the teardown needed (`id`).
    pub missing: String,
}

/// "We could not run" one case: what went wrong ([`ErrorKind`]), in which fixture step, and
/// what only words can say (`detail`: the transport's own error chain, the start of an
/// answer's body), all redacted before a result holds it. The fixture step is boxed: most
/// errors have none, and every `Result` of the runner carries this type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RunError {
    pub kind: ErrorKind,
    pub fixture: Option<Box<FixtureStep>>,
    pub detail: String,
}

impl RunError {
    pub fn new(kind: ErrorKind, detail: impl Into<String>) -> Self {
        RunError { kind, fixture: None, detail: detail.into() }
    }

    /// The teardowns this (setup) error skipped.
    pub fn skipped(&self) -> &[SkippedTeardown] {
        self.fixture.as_ref().map_or(&[], |f| &f.skipped)
    }

    /// The stable code the reports name it by: a failure inside a fixture step is that
    /// fixture's (`fixture-failed`, `teardown-failed`), except a request the run did not send,
    /// whose code says why.
    pub fn code(&self) -> ErrorCode {
        match (&self.fixture, &self.kind) {
            (_, ErrorKind::AuthRefused { .. }) | (None, _) => self.kind.code(),
            (Some(f), _) if f.teardown => ErrorCode::TeardownFailed,
            (Some(_), _) => ErrorCode::FixtureFailed,
        }
    }

    /// The code of the failure inside a fixture step, when the error's own code is the
    /// fixture's and says less (a `tls` failure of a setup request).
    pub fn cause(&self) -> Option<ErrorCode> {
        let own = self.kind.code();
        let framed =
            !matches!(self.kind, ErrorKind::Rejected { .. } | ErrorKind::NotCaptured { .. });
        (framed && own != self.code()).then_some(own)
    }

    /// The same error, as it happened in a fixture step.
    pub fn in_fixture(mut self, step: FixtureStep) -> Self {
        self.fixture = Some(Box::new(step));
        self
    }

    /// Rewrites every text the error holds (the redactor removing secrets).
    pub fn rewrite(&mut self, mut f: impl FnMut(&mut String)) {
        for text in self.kind.texts_mut() {
            f(text);
        }
        if let Some(step) = &mut self.fixture {
            if let Some((method, url)) = &mut step.request {
                f(method);
                f(url);
            }
        }
        f(&mut self.detail);
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
