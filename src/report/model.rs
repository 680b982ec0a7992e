//! The report, format 2: everything a run found, as a versioned document. It is what
//! `--report-json` writes, what `exemplar report` reads back (baselines, merging shards), and
//! what every other file format is rendered from. Its JSON Schema is generated from these
//! types (`exemplar schema report`, committed as `cases/report.schema.json`).
//!
//! The types mirror the run's results but are their own: the report is a contract with the
//! tools that read it, so an internal change to a result must not change it silently. Codes
//! are strings here, so a report from a newer exemplar with a new deviation code still reads.
//! A deviation's expected and actual sides are typed findings ([`Finding`]), phrased by
//! the reporters; `report --baseline` and `report merge` read format 1 too ([`super::json`]
//! upgrades it, keeping its words as `text` findings).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::case::model::Source;
pub use crate::check::Finding;
use crate::diff::Diff;
use crate::observe::{Exchange, Role};
pub use crate::run::note::Note;
use crate::run::result::{CaseResult, ErrorKind, RunError, Status};

/// The report format version this build writes and reads.
pub const FORMAT: u32 = 2;

/// The older format this build still reads.
pub const FORMAT_1: u32 = 1;

/// One run (or several merged shards) as a document: report format 2. `exemplar report`,
/// `report --baseline` and `report merge` also read format 1, whose deviations held
/// `expected`/`actual` as words and `checks.relaxed` as phrases, and which had no verdicts
/// and no start time; it is upgraded as it is read (words become `text` findings).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Report {
    /// Version of the report format: 2 (format 1 is read too, see above).
    pub format: u32,
    /// The exemplar that wrote it.
    pub tool: Tool,
    pub run: RunInfo,
    /// Counts over `cases`.
    pub summary: Summary,
    /// Every case that was selected, sorted by id.
    pub cases: Vec<CaseReport>,
    /// Per documented operation and example: what ran and how strictly it was checked.
    pub coverage: Coverage,
    /// The known-deviations file applied, with the state of each entry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub known: Option<KnownReport>,
    /// The comparison with an earlier report, when one was given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline: Option<BaselineReport>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Tool {
    pub name: String,
    pub version: String,
}

impl Default for Tool {
    fn default() -> Self {
        Tool { name: "exemplar".into(), version: env!("CARGO_PKG_VERSION").into() }
    }
}

/// What was run against what.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RunInfo {
    /// The target's base URL, or `reference mock` for the embedded one.
    pub target: String,
    /// The shard this report covers (`hash:1/3`); absent for a full or merged run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partition: Option<String>,
    /// The whole case set a shard was cut from, so that a merge can tell whether its shards
    /// belong together; written by `run --partition`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub case_set: Option<CaseSet>,
    /// The shards a merge did not have (`report merge --allow-partial`): their cases are
    /// missing from this report.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub missing_shards: Vec<String>,
    /// When the run started, in UTC (RFC 3339, `2026-12-02T00:13:02Z`; for merged shards:
    /// the earliest). Absent in a report upgraded from format 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started: Option<String>,
    /// Wall-clock time of the run (for merged shards: the slowest shard).
    pub duration_ms: u64,
    /// The gate's verdict over the run: `passed`, `failed` (deviations fail the gate, or
    /// cases were not run because the run stopped early) or `error` (a case could not run).
    pub verdict: Verdict,
}

impl RunInfo {
    /// A run against `target` that is neither a shard nor a merge.
    pub fn new(target: impl Into<String>, duration_ms: u64) -> Self {
        RunInfo {
            target: target.into(),
            partition: None,
            case_set: None,
            missing_shards: Vec::new(),
            started: None,
            duration_ms,
            verdict: Verdict::Passed,
        }
    }
}

/// A set of case ids, identified by the SHA-256 of the sorted ids (one per line) and counted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CaseSet {
    /// `sha256:` and the hex digest.
    pub hash: String,
    pub cases: u64,
}

impl CaseSet {
    pub fn of<'a>(ids: impl IntoIterator<Item = &'a str>) -> Self {
        use sha2::{Digest, Sha256};
        let mut ids: Vec<&str> = ids.into_iter().collect();
        ids.sort_unstable();
        ids.dedup();
        let mut hasher = Sha256::new();
        for id in &ids {
            hasher.update(id.as_bytes());
            hasher.update(b"\n");
        }
        CaseSet {
            hash: format!("sha256:{}", hex::encode(hasher.finalize())),
            cases: u64::try_from(ids.len()).unwrap_or(u64::MAX),
        }
    }
}

/// How a case ended.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Passed,
    /// The target broke the contract.
    Deviated,
    /// The case could not be run.
    Error,
    Skipped,
    /// Not started: `--fail-fast` or `--max-fail` stopped the run from starting more cases.
    /// Nothing is known of the case, so the run cannot pass. (Reports written before this
    /// outcome existed said `skipped` with the reason `not run: …`; they are read as this.)
    #[serde(rename = "not-run")]
    NotRun,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Passed => "passed",
            Outcome::Deviated => "deviated",
            Outcome::Error => "error",
            Outcome::Skipped => "skipped",
            Outcome::NotRun => "not-run",
        }
    }

    /// Whether the case was run at all (it may still have failed or been skipped while it
    /// ran: a case without a documented response).
    pub fn ran(self) -> bool {
        !matches!(self, Outcome::Skipped | Outcome::NotRun)
    }
}

impl From<Status> for Outcome {
    fn from(s: Status) -> Self {
        match s {
            Status::Passed => Outcome::Passed,
            Status::Deviated => Outcome::Deviated,
            Status::Error => Outcome::Error,
            Status::Skipped => Outcome::Skipped,
            Status::NotRun => Outcome::NotRun,
        }
    }
}

/// What a case, or the whole run, counts as in the gate.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// Nothing fails the gate: it conformed, or its deviations are excused (a known entry) or
    /// were there before (the baseline).
    Passed,
    /// Its deviations fail the gate.
    Failed,
    /// It could not be run.
    Error,
    /// It was not run (a case only; a run is never skipped).
    Skipped,
    /// It was not started because the run stopped early (a case only): it never passes, and
    /// a run with such a case fails.
    #[serde(rename = "not-run")]
    NotRun,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Passed => "passed",
            Verdict::Failed => "failed",
            Verdict::Error => "error",
            Verdict::Skipped => "skipped",
            Verdict::NotRun => "not-run",
        }
    }
}

/// Counts over the cases.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Summary {
    pub total: u32,
    pub passed: u32,
    pub deviated: u32,
    pub errors: u32,
    pub skipped: u32,
    /// Cases not started because the run stopped early (`--fail-fast`, `--max-fail`);
    /// absent when there are none.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub not_run: u32,
    /// Deviations over all cases.
    pub deviations: u32,
    /// Of those, covered by an unexpired known-deviations entry.
    pub known_deviations: u32,
    /// Retries over all requests.
    pub retries: u32,
    /// Time spent waiting as `Retry-After` asked.
    pub throttled_ms: u64,
}

/// One case after it ran.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct CaseReport {
    /// The stable case id.
    pub id: String,
    pub method: String,
    /// The case file.
    pub file: String,
    /// Where the example is documented.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<Source>,
    /// The doc page as a path relative to the repository root, when the docs live in it (what
    /// JUnit's `file` and annotations link; otherwise they link the case file).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doc_file: Option<String>,
    pub status: Outcome,
    /// What the case counts as in the gate (after known deviations and the baseline).
    pub verdict: Verdict,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skip_reason: Option<String>,
    pub deviations: Vec<DeviationReport>,
    /// Why the case could not be run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorReport>,
    /// Teardown problems; also reported when the case itself passed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub teardown_errors: Vec<ErrorReport>,
    /// Diffs that show the deviations (expected view against actual body).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub diffs: Vec<DiffReport>,
    /// How strictly the response was checked.
    pub checks: Checks,
    /// How the response compared with its recorded snapshot, when snapshots were on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snapshot: Option<SnapshotReport>,
    /// Every exchange, fixtures included, in the order they happened (secrets redacted).
    pub exchanges: Vec<ExchangeReport>,
    pub duration_ms: u64,
    pub retries: u32,
    pub throttled_ms: u64,
    /// What a reader should know about how the case ran that is neither a deviation nor an
    /// error: a `Retry-After` not waited for, the proxy of a request that got no answer.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<Note>,
}

impl CaseReport {
    /// The exchange of the documented request itself.
    pub fn main_exchange(&self) -> Option<&ExchangeReport> {
        self.exchanges.iter().find(|e| e.role == Role::MAIN)
    }

    /// Deviations that count against the gate: those no unexpired known entry covers.
    pub fn failing_deviations(&self) -> impl Iterator<Item = &DeviationReport> {
        self.deviations.iter().filter(|d| d.known.as_ref().is_none_or(|k| k.expired))
    }

    /// `path:line` of the documented example, or the case file.
    pub fn location(&self) -> String {
        match &self.source {
            Some(s) => format!("{}:{}", s.doc, s.line),
            None => self.file.clone(),
        }
    }

    /// The documented operation (doc page) this case belongs to, or its file.
    pub fn operation(&self) -> &str {
        self.source.as_ref().map_or(self.file.as_str(), |s| s.doc.as_str())
    }

    /// The example's name on its page, or the last part of the id.
    pub fn example(&self) -> &str {
        match &self.source {
            Some(s) => &s.example,
            None => self.id.rsplit("::").next().unwrap_or(&self.id),
        }
    }
}

/// One way the response broke the contract.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DeviationReport {
    /// The stable deviation code (`type-mismatch`, ...).
    pub code: String,
    /// A JSON pointer into the body, `status`, `header:<name>`, `time`, `body` or
    /// `snapshot`; never empty.
    pub path: String,
    /// What the contract says.
    pub expected: Finding,
    /// What the target did.
    pub actual: Finding,
    /// The known-deviations entry that lists it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub known: Option<KnownMark>,
}

impl DeviationReport {
    /// `code at path: expected …, actual …`
    pub fn sentence(&self) -> String {
        super::phrase::deviation(self, super::phrase::Style::PLAIN)
    }

    /// The expected side in words.
    pub fn expected_text(&self) -> String {
        super::phrase::finding(&self.expected)
    }

    /// The actual side in words.
    pub fn actual_text(&self) -> String {
        super::phrase::actual(self)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct KnownMark {
    pub reason: String,
    /// `YYYY-MM-DD`; the entry stops excusing the deviation after this day.
    pub expires: String,
    pub expired: bool,
}

/// A case that could not run (or a teardown that failed): its code, the sentence that says
/// it, and what the runner knew about it as data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ErrorReport {
    /// The stable error code (`connect-failed`, ...).
    pub code: String,
    pub message: String,
    /// The error's facts, each there when the error has it (absent in reports written before
    /// this field was).
    #[serde(default, skip_serializing_if = "ErrorData::is_empty")]
    pub data: ErrorData,
}

/// What the runner knew about an error, as data; every field optional.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ErrorData {
    /// The fixture (its alias in the case) whose setup or teardown failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fixture: Option<String>,
    /// The code of what failed inside the fixture's step, when the error's own code is the
    /// fixture's (`tls` under `fixture-failed`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cause: Option<String>,
    /// The request that failed or was not sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The status the request was answered (a fixture's step, the token request) or the
    /// run's first requests were refused with (`auth-refused`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// The time limit that elapsed: `connect` (`--connect-timeout`) or `request`
    /// (`--timeout`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout: Option<String>,
    /// How long that limit was, in milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_ms: Option<u64>,
    /// The TLS handshake got an answer that is not TLS: the port serves plain HTTP.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plain_http: Option<bool>,
    /// The variable a template named that nothing defined.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub binding: Option<String>,
    /// The fixture capture that found nothing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capture: Option<String>,
    /// Where the token was requested.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_url: Option<String>,
    /// The behaviour step whose list was too long, the item it looked for (`key = value`),
    /// and the conventions' bound on pages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_pages: Option<u64>,
    /// Whether the case's task panicked (else it was cancelled).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub panicked: Option<bool>,
    /// Fixtures whose teardown was skipped because this setup error came before they
    /// captured what it needs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub teardown_skipped: Vec<SkippedTeardownReport>,
}

impl ErrorData {
    pub fn is_empty(&self) -> bool {
        *self == ErrorData::default()
    }
}

/// A fixture whose teardown was skipped, and the capture it needed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SkippedTeardownReport {
    pub fixture: String,
    pub missing: String,
}

impl From<&RunError> for ErrorData {
    fn from(e: &RunError) -> Self {
        let mut data = ErrorData {
            cause: e.cause().map(|c| c.as_str().to_string()),
            teardown_skipped: e
                .skipped()
                .iter()
                .map(|s| SkippedTeardownReport {
                    fixture: s.alias.clone(),
                    missing: s.missing.clone(),
                })
                .collect(),
            ..ErrorData::default()
        };
        if let Some(f) = &e.fixture {
            data.fixture = Some(f.alias.clone());
            if let Some((method, url)) = &f.request {
                (data.method, data.url) = (Some(method.clone()), Some(url.clone()));
            }
        }
        data.add_kind(&e.kind);
        data
    }
}

impl ErrorData {
    fn add_kind(&mut self, kind: &ErrorKind) {
        let request = |method: &String, url: &String| (Some(method.clone()), Some(url.clone()));
        match kind {
            ErrorKind::ConnectFailed { method, url } | ErrorKind::Protocol { method, url } => {
                (self.method, self.url) = request(method, url);
            }
            ErrorKind::Timeout { method, url, limit, after } => {
                (self.method, self.url) = request(method, url);
                self.timeout = Some(limit.as_str().to_string());
                self.timeout_ms = after.map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX));
            }
            ErrorKind::Tls { method, url, plain_http } => {
                (self.method, self.url) = request(method, url);
                self.plain_http = plain_http.then_some(true);
            }
            ErrorKind::Rejected { status } => self.status = Some(*status),
            ErrorKind::NotCaptured { capture } => self.capture = Some(capture.clone()),
            ErrorKind::BindingFailed { binding } => self.binding = binding.clone(),
            ErrorKind::AuthFailed { token_url, status } => {
                self.token_url = Some(token_url.clone());
                self.status = *status;
            }
            ErrorKind::AuthRefused { method, url, status } => {
                (self.method, self.url) = request(method, url);
                self.status = Some(*status);
            }
            ErrorKind::TooManyPages { step, max_pages, item } => {
                self.step = Some(step.clone());
                self.item = Some(item.clone());
                self.max_pages = Some(*max_pages);
            }
            ErrorKind::Internal { panicked } => self.panicked = Some(*panicked),
        }
    }
}

impl From<&RunError> for ErrorReport {
    fn from(e: &RunError) -> Self {
        ErrorReport {
            code: e.code().as_str().into(),
            message: super::phrase::run_error(e),
            data: ErrorData::from(e),
        }
    }
}

/// The snapshot layer's verdict on one case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SnapshotReport {
    /// The snapshot file.
    pub file: String,
    /// `matched`, `missing`, `changed`, `written` or `unstable`.
    pub state: String,
    /// The `.snap.new` file the run left for review.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending: Option<String>,
    /// Pointers `--record-twice` proposes for the case's `volatile` list.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub proposed_volatile: Vec<String>,
    /// A problem reading or writing the snapshot files.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub io_error: Option<String>,
}

/// A unified diff, as data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct DiffReport {
    /// What is compared.
    pub title: String,
    pub old_label: String,
    pub new_label: String,
    pub hunks: Vec<HunkReport>,
}

impl DiffReport {
    pub fn from_diff(title: &str, old_label: &str, new_label: &str, diff: &Diff) -> Self {
        DiffReport {
            title: title.into(),
            old_label: old_label.into(),
            new_label: new_label.into(),
            hunks: diff
                .hunks
                .iter()
                .map(|h| HunkReport {
                    header: h.header.clone(),
                    lines: h
                        .lines
                        .iter()
                        .map(|l| LineReport {
                            tag: l.tag.to_string(),
                            segments: l
                                .segments
                                .iter()
                                .map(|(changed, text)| Segment {
                                    changed: *changed,
                                    text: text.clone(),
                                })
                                .collect(),
                        })
                        .collect(),
                })
                .collect(),
        }
    }

    /// Plain unified diff text with `---`/`+++` headers.
    pub fn to_plain(&self) -> String {
        let mut out = String::new();
        super::phrase::diff(&mut out, self, super::phrase::Style::PLAIN);
        out
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HunkReport {
    /// `@@ -a,b +c,d @@`
    pub header: String,
    pub lines: Vec<LineReport>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LineReport {
    /// `-` (old only), `+` (new only) or a space (both).
    pub tag: String,
    /// The line's text in pieces; `changed` marks the words that differ.
    pub segments: Vec<Segment>,
}

impl LineReport {
    pub fn text(&self) -> String {
        self.segments.iter().map(|s| s.text.as_str()).collect()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Segment {
    pub changed: bool,
    pub text: String,
}

/// How strict a check was: a green result says what it proved.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Checks {
    /// Values compared by equality (echoes and pins).
    pub by_value: u32,
    /// Documented example values whose JSON type alone was checked.
    pub by_type: u32,
    /// Values not checked because the case ignores them.
    pub ignored: u32,
    /// The body was documented as truncated: checked as a subset, extra properties allowed.
    pub truncated: bool,
    /// The resource type's property list was applied.
    pub typed: bool,
    /// The relaxations, empty when nothing was relaxed.
    pub relaxed: Vec<Relaxation>,
}

/// One way a check was less strict than comparing every value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
pub enum Relaxation {
    /// Documented example values whose JSON type alone was checked.
    ByType { count: u32 },
    /// A truncated body, checked as a subset.
    Truncated,
    /// Values the case ignores.
    Ignored { count: u32 },
    /// Items of a listed collection that this case's fixtures did not create.
    OthersUnchecked { count: u32 },
}

/// One request/response exchange.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ExchangeReport {
    /// `main`, or `<fixture alias> setup` / `<fixture alias> teardown`.
    pub role: String,
    pub request: RequestReport,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response: Option<ResponseReport>,
    pub elapsed_ms: u64,
    pub retries: u32,
    pub throttled_ms: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HeaderReport {
    pub name: String,
    pub value: String,
}

/// A request as sent (secrets redacted).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RequestReport {
    pub method: String,
    pub url: String,
    pub headers: Vec<HeaderReport>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<Value>,
}

/// A response as received (secrets redacted).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ResponseReport {
    pub status: u16,
    pub headers: Vec<HeaderReport>,
    /// The body when it was JSON.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<Value>,
    /// The body when it was not JSON (lossily decoded, truncated).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body_text: Option<String>,
    pub size: usize,
}

fn headers(list: &[(String, String)]) -> Vec<HeaderReport> {
    list.iter().map(|(n, v)| HeaderReport { name: n.clone(), value: v.clone() }).collect()
}

impl From<&Exchange> for ExchangeReport {
    fn from(e: &Exchange) -> Self {
        ExchangeReport {
            role: e.role.to_string(),
            request: RequestReport {
                method: e.request.method.clone(),
                url: e.request.url.clone(),
                headers: headers(&e.request.headers),
                body: e.request.body.clone(),
            },
            response: e.response.as_ref().map(|r| ResponseReport {
                status: r.status,
                headers: headers(&r.headers),
                body: r.body.clone(),
                body_text: r.body_text.clone(),
                size: r.size,
            }),
            elapsed_ms: e.elapsed_ms,
            retries: e.retries,
            throttled_ms: e.throttled_ms,
        }
    }
}

/// Per documented operation (doc page) and example.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Coverage {
    pub operations: Vec<OperationCoverage>,
    pub totals: CoverageTotals,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OperationCoverage {
    /// The doc page (or the case file of a hand-written case).
    pub doc: String,
    pub examples: Vec<ExampleCoverage>,
    /// The behaviour checks run for the operation's examples.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub behaviours: Vec<BehaviourCoverage>,
}

/// One behaviour check of an operation and how it ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BehaviourCoverage {
    /// The behaviour (`create-then-read`, `no-auth`, ...).
    pub behaviour: String,
    /// The example it derives from.
    pub example: String,
    /// The check id.
    pub check: String,
    pub status: Outcome,
    /// Why it was skipped (switched off).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skip_reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ExampleCoverage {
    /// The example's name on the page.
    pub example: String,
    /// The case id.
    pub case: String,
    /// Line of the example's request in the doc.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    pub status: Outcome,
    /// Why it was skipped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skip_reason: Option<String>,
    pub checks: Checks,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct CoverageTotals {
    pub operations: u32,
    pub examples: u32,
    /// Examples that were run (not skipped).
    pub ran: u32,
    pub passed: u32,
    pub deviated: u32,
    pub errors: u32,
    pub skipped: u32,
    /// Examples not started because the run stopped early; absent when there are none.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub not_run: u32,
    pub by_value: u32,
    pub by_type: u32,
    pub ignored: u32,
    /// Examples whose body was checked as a subset.
    pub truncated: u32,
    /// Examples that passed with at least one relaxation.
    pub relaxed: u32,
    /// Behaviour checks reported, and how many of them passed.
    #[serde(default)]
    pub behaviours: u32,
    #[serde(default)]
    pub behaviours_passed: u32,
}

impl CoverageTotals {
    /// The totals in one paragraph of plain words, as the Markdown and HTML reports show them.
    pub fn sentence(&self) -> String {
        let t = self;
        format!(
            "{} documented operations, {} examples: {} ran ({} passed, {} deviated, {} errors), {} skipped{}. \
             Checks: {} values compared by value, {} checked by type only, {} ignored, {} truncated bodies checked as a subset; \
             {} passing examples relied on a relaxed check.{}",
            t.operations,
            t.examples,
            t.ran,
            t.passed,
            t.deviated,
            t.errors,
            t.skipped,
            if t.not_run > 0 { format!(", {} not run", t.not_run) } else { String::new() },
            t.by_value,
            t.by_type,
            t.ignored,
            t.truncated,
            t.relaxed,
            if t.behaviours > 0 {
                format!(" Behaviour: {} checks, {} passed.", t.behaviours, t.behaviours_passed)
            } else {
                String::new()
            }
        )
    }
}

/// The known-deviations file and the state of each entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct KnownReport {
    pub file: String,
    pub entries: Vec<KnownEntryReport>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct KnownEntryReport {
    pub case: String,
    pub code: String,
    /// Only the deviation at this path, when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    pub reason: String,
    /// `YYYY-MM-DD`
    pub expires: String,
    /// Line of the entry in the file.
    pub line: u32,
    pub state: KnownState,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum KnownState {
    /// It excused at least one deviation.
    Used,
    /// Its case ran and showed no such deviation: the entry can go.
    Unused,
    /// Its case was not in this run (filtered out or in another shard), or was not run in
    /// it (skipped, or left out when the run stopped early).
    NotRun,
    /// Past its expiry date: it excuses nothing and fails the gate.
    Expired,
}

impl KnownState {
    pub fn as_str(self) -> &'static str {
        match self {
            KnownState::Used => "used",
            KnownState::Unused => "unused",
            KnownState::NotRun => "not-run",
            KnownState::Expired => "expired",
        }
    }
}

/// The comparison with an earlier report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BaselineReport {
    /// The earlier report.
    pub file: String,
    /// Every case of either report, sorted by id.
    pub cases: Vec<BaselineCase>,
    pub counts: BaselineCounts,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BaselineCase {
    pub id: String,
    pub class: Class,
    /// Deviations (`code at path`) the earlier report did not have.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub new: Vec<String>,
    /// Deviations the earlier report had and this one does not.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fixed: Vec<String>,
}

/// How a case changed since the baseline.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Class {
    /// It deviates in a way it did not before.
    NewDeviation,
    /// It deviated before and conforms now.
    Fixed,
    /// It deviates as before (or less).
    StillDeviating,
    /// It conformed (or was skipped) before and still does.
    Unchanged,
    /// Not in the baseline.
    Added,
    /// Only in the baseline.
    Removed,
}

impl Class {
    pub const ALL: &[Class] = &[
        Class::NewDeviation,
        Class::Fixed,
        Class::StillDeviating,
        Class::Unchanged,
        Class::Added,
        Class::Removed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Class::NewDeviation => "new-deviation",
            Class::Fixed => "fixed",
            Class::StillDeviating => "still-deviating",
            Class::Unchanged => "unchanged",
            Class::Added => "added",
            Class::Removed => "removed",
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct BaselineCounts {
    pub new_deviation: u32,
    pub fixed: u32,
    pub still_deviating: u32,
    pub unchanged: u32,
    pub added: u32,
    pub removed: u32,
}

impl BaselineCounts {
    pub fn get(&self, class: Class) -> u32 {
        match class {
            Class::NewDeviation => self.new_deviation,
            Class::Fixed => self.fixed,
            Class::StillDeviating => self.still_deviating,
            Class::Unchanged => self.unchanged,
            Class::Added => self.added,
            Class::Removed => self.removed,
        }
    }

    pub fn add(&mut self, class: Class) {
        let slot = match class {
            Class::NewDeviation => &mut self.new_deviation,
            Class::Fixed => &mut self.fixed,
            Class::StillDeviating => &mut self.still_deviating,
            Class::Unchanged => &mut self.unchanged,
            Class::Added => &mut self.added,
            Class::Removed => &mut self.removed,
        };
        *slot += 1;
    }
}

/// The relaxations of a check.
pub fn relaxations(by_type: u32, ignored: u32, truncated: bool) -> Vec<Relaxation> {
    let mut out = Vec::new();
    if by_type > 0 {
        out.push(Relaxation::ByType { count: by_type });
    }
    if truncated {
        out.push(Relaxation::Truncated);
    }
    if ignored > 0 {
        out.push(Relaxation::Ignored { count: ignored });
    }
    out
}

impl From<&CaseResult> for CaseReport {
    fn from(r: &CaseResult) -> Self {
        CaseReport::convert(r, true)
    }
}

impl CaseReport {
    /// The report of one case as the console shows it while the run goes on: the verdict,
    /// the deviations and diffs, and of the exchanges only the documented request's.
    pub fn for_console(r: &CaseResult) -> Self {
        let mut case = CaseReport::convert(r, false);
        case.exchanges = r.main_exchange().map(ExchangeReport::from).into_iter().collect();
        case
    }

    /// The report of one case; without `exchanges`, the recorded requests and responses are
    /// left out (the gate and the console need only the verdicts).
    pub fn convert(r: &CaseResult, exchanges: bool) -> Self {
        let s = &r.strictness;
        let mut diffs = Vec::new();
        if let Some(d) = &r.diff {
            diffs.push(DiffReport::from_diff(
                "response body",
                "expected (documented)",
                "actual",
                d,
            ));
        }
        if let Some(snap) = &r.snapshot {
            if let Some(d) = &snap.diff {
                let (old, new) = if snap.state == crate::snapshot::SnapshotState::Unstable {
                    ("first recording".to_string(), "second recording")
                } else {
                    (format!("snapshot {}", snap.file), "actual (normalised)")
                };
                diffs.push(DiffReport::from_diff("snapshot", &old, new, d));
            }
        }
        let snapshot = r.snapshot.as_ref().map(|s| SnapshotReport {
            file: s.file.clone(),
            state: serde_json::to_value(s.state)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default(),
            pending: s.pending.clone(),
            proposed_volatile: crate::snapshot::generalise(&s.proposed_volatile),
            io_error: s.io_error.clone(),
        });
        CaseReport {
            id: r.id.clone(),
            method: r.method.clone(),
            file: r.file.clone(),
            source: r.source.clone(),
            doc_file: None,
            status: r.status.into(),
            verdict: Verdict::Passed,
            skip_reason: r.skip_reason.clone(),
            deviations: r
                .deviations
                .iter()
                .map(|d| DeviationReport {
                    code: d.code.as_str().into(),
                    path: d.path.clone(),
                    expected: d.expected.clone(),
                    actual: d.actual.clone(),
                    known: None,
                })
                .collect(),
            error: r.error.as_ref().map(ErrorReport::from),
            teardown_errors: r.teardown_errors.iter().map(ErrorReport::from).collect(),
            diffs,
            checks: Checks {
                by_value: s.by_value,
                by_type: s.by_type,
                ignored: s.ignored,
                truncated: s.truncated,
                typed: s.typed,
                relaxed: {
                    let mut words = relaxations(s.by_type, s.ignored, s.truncated);
                    if s.others > 0 {
                        words.push(Relaxation::OthersUnchecked { count: s.others });
                    }
                    words
                },
            },
            snapshot,
            exchanges: if exchanges {
                r.exchanges.iter().map(ExchangeReport::from).collect()
            } else {
                Vec::new()
            },
            duration_ms: r.duration_ms,
            retries: r.retries,
            throttled_ms: r.throttled_ms,
            notes: r.notes.clone(),
        }
    }
}

impl Report {
    /// A report of `results` (in any order) from a run.
    pub fn new(results: &[CaseResult], run: RunInfo) -> Self {
        Report::from_cases(results.iter().map(CaseReport::from).collect(), run)
    }

    /// A report for the gate and the console only, when no report file is written: the
    /// exchanges, which are most of a report's size, are not copied.
    pub fn verdicts_only(results: &[CaseResult], run: RunInfo) -> Self {
        Report::from_cases(results.iter().map(|r| CaseReport::convert(r, false)).collect(), run)
    }

    /// A report of already converted cases; sorts them and computes summary and coverage.
    pub fn from_cases(cases: Vec<CaseReport>, run: RunInfo) -> Self {
        let mut report = Report {
            format: FORMAT,
            tool: Tool::default(),
            run,
            summary: Summary::default(),
            cases,
            coverage: Coverage::default(),
            known: None,
            baseline: None,
        };
        report.refresh();
        report
    }

    /// Recomputes everything derived from the cases: order, summary and coverage.
    pub fn refresh(&mut self) {
        self.cases.sort_by(|a, b| a.id.cmp(&b.id));
        let mut s = Summary::default();
        for c in &self.cases {
            s.total += 1;
            match c.status {
                Outcome::Passed => s.passed += 1,
                Outcome::Deviated => s.deviated += 1,
                Outcome::Error => s.errors += 1,
                Outcome::Skipped => s.skipped += 1,
                Outcome::NotRun => s.not_run += 1,
            }
            s.deviations += count(c.deviations.len());
            s.known_deviations += count(c.deviations.len() - c.failing_deviations().count());
            s.retries += c.retries;
            s.throttled_ms += c.throttled_ms;
        }
        self.summary = s;
        self.coverage = super::coverage::coverage(&self.cases);
        self.judge(|c| c.failing_deviations().next().is_some());
    }

    /// Sets each case's verdict and the run's, with `fails` saying whether a case's
    /// deviations fail the gate (the gate's rule, which knows the baseline).
    pub fn judge(&mut self, fails: impl Fn(&CaseReport) -> bool) {
        for c in &mut self.cases {
            c.verdict = match c.status {
                Outcome::Error => Verdict::Error,
                Outcome::Skipped => Verdict::Skipped,
                Outcome::NotRun => Verdict::NotRun,
                _ if fails(c) => Verdict::Failed,
                _ => Verdict::Passed,
            };
        }
        let any = |v: Verdict| self.cases.iter().any(|c| c.verdict == v);
        let expired = self
            .known
            .as_ref()
            .is_some_and(|k| k.entries.iter().any(|e| e.state == KnownState::Expired));
        self.run.verdict = if any(Verdict::Error) {
            Verdict::Error
        } else if any(Verdict::Failed) || any(Verdict::NotRun) || expired {
            Verdict::Failed
        } else {
            Verdict::Passed
        };
    }

    /// Cases with deviations that count against the gate.
    pub fn failing_cases(&self) -> impl Iterator<Item = &CaseReport> {
        self.cases.iter().filter(|c| c.failing_deviations().next().is_some())
    }
}

/// A time as the report writes it: RFC 3339 in UTC to the second (`2026-12-02T00:13:02Z`).
pub fn timestamp(t: time::OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// Counts that are left out of a report when they are zero.
fn is_zero(n: &u32) -> bool {
    *n == 0
}

/// Counts in reports are `u32`; a run never has four billion of anything.
pub fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}
