//! Runs one planned case: fixture setup, the documented request, the contract check, and
//! fixture teardown (always, in reverse order, also when the case failed). The result is
//! redacted before it is returned.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::check::{self, Observed, TypeRegistry};
use crate::plan::template::{Undefined, Vars};
use crate::plan::{Planned, Step};
use crate::redact::Redactor;
use crate::snapshot::{self, CaseRules, Known, Store, Subject};

use super::http::{self, Auth, Outgoing, Received, Retry, Target};
use super::job::Job;
use super::note::Note;
use super::result::{
    CaseResult, ErrorKind, Exchange, FixtureStep, RecordedRequest, RecordedResponse, Role,
    RunError, SkippedTeardown, Status, TimeLimit,
};

/// A fixture whose setup ran (or began): its alias, its definition, its variables, and
/// whether its setup completed.
struct SetUp<'p> {
    alias: &'p str,
    fixture: &'p crate::plan::Fixture,
    scope: Vars,
    complete: bool,
}

/// A fixture's variables: `unique`, its `with` values (expanded in the case's variables) and
/// its own `vars` (expanded in those). Every value is tried; the last that fails is the error.
fn fixture_scope(
    planned: &Planned,
    alias: &str,
    fixture: &crate::plan::Fixture,
    unique: &str,
    vars: &Vars,
) -> Result<Vars, RunError> {
    let mut scope = Vars::new();
    scope.insert("unique", Value::String(unique.to_string()));
    let with = planned
        .case
        .fixtures
        .iter()
        .find(|f| f.alias.as_deref().unwrap_or(&f.fixture) == alias)
        .map(|f| f.with.clone())
        .unwrap_or_default();
    let mut failure = None;
    let fail = |what: String, e: &Undefined| {
        let at = FixtureStep::new(alias, false, None);
        undefined(e, format!("{what}: {e}")).in_fixture(at)
    };
    for (k, v) in &with {
        match vars.expand(v) {
            Ok(v) => scope.insert(k.clone(), v),
            Err(e) => failure = Some(fail(format!("with.{k}"), &e)),
        }
    }
    for (k, v) in &fixture.vars {
        match scope.expand(v) {
            Ok(v) => scope.insert(k.clone(), v),
            Err(e) => failure = Some(fail(format!("vars.{k}"), &e)),
        }
    }
    failure.map_or(Ok(scope), Err)
}

/// How the runner sends and checks, fixed for the whole run.
#[derive(Debug, Clone)]
pub struct Settings {
    pub retry: Retry,
    /// A response slower than this is a `response-slow` deviation.
    pub slow: Option<Duration>,
    /// Whether responses are checked against the documented contract (layer 1).
    pub contract: bool,
    /// Where snapshots are compared and written (layer 2); `None`: no snapshot layer.
    pub snapshots: Option<Store>,
    /// Headers sent with every request (`--header`).
    pub headers: Vec<http::ExtraHeader>,
    /// The proxy every request goes through (`--proxy`), for the note on a case that got no
    /// answer.
    pub proxy: Option<String>,
    /// The client's time limits (connecting, the whole request), for a timed-out request's
    /// error to say which elapsed after how long.
    pub timeouts: Timeouts,
}

/// The client's time limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    pub connect: Duration,
    pub request: Duration,
}

impl Default for Settings {
    fn default() -> Self {
        let client = http::ClientSettings::default();
        Settings {
            retry: Retry::default(),
            slow: None,
            contract: true,
            snapshots: None,
            headers: Vec::new(),
            proxy: None,
            timeouts: Timeouts { connect: client.connect_timeout, request: client.timeout },
        }
    }
}

/// Shared by every case of a run: the session's client, target, credentials and redactor,
/// the resource types, and the settings, all given to [`Runner::new`] at once.
#[derive(Debug)]
pub struct Runner {
    pub(super) client: reqwest::Client,
    pub(super) target: Target,
    pub(super) auth: Auth,
    pub(super) retry: Retry,
    pub(super) slow: Option<Duration>,
    pub(super) types: TypeRegistry,
    pub(super) redactor: Redactor,
    pub(super) contract: bool,
    pub(super) snapshots: Option<Store>,
    pub(super) headers: Vec<http::ExtraHeader>,
    proxy: Option<String>,
    timeouts: Timeouts,
    /// Whether the target refused the run's first requests.
    pub refusals: Refusals,
    run_id: String,
    counter: AtomicU64,
}

impl Runner {
    pub fn new(
        client: reqwest::Client,
        target: Target,
        auth: Auth,
        types: TypeRegistry,
        redactor: Redactor,
        settings: Settings,
    ) -> Self {
        // A short id for this run, so that what it creates is recognisable and never collides
        // with another run's (ids end up in key set names, which the service limits in length).
        let run_id = uuid::Uuid::new_v4().simple().to_string()[..8].to_string();
        let Settings { retry, slow, contract, snapshots, headers, timeouts, proxy } = settings;
        Runner {
            client,
            target,
            auth,
            retry,
            slow,
            types,
            redactor,
            contract,
            snapshots,
            headers,
            proxy,
            timeouts,
            refusals: Refusals::default(),
            run_id,
            counter: AtomicU64::new(0),
        }
    }

    fn unique(&self) -> String {
        format!("{}{:04}", self.run_id, self.counter.fetch_add(1, Ordering::Relaxed))
    }
}

/// How many of the run's first requests the target refused with 401 or 403. When all of the
/// first [`Refusals::FIRST`] were refused, the credentials are missing or wrong for the whole
/// run: the run stops sending (each later request is an `auth-refused` error, not sent), and
/// the command line says once what to pass.
#[derive(Debug, Default)]
pub struct Refusals {
    seen: AtomicU64,
    refused: AtomicU64,
    status: std::sync::atomic::AtomicU16,
}

impl Refusals {
    /// The first requests that decide: enough that one odd answer does not stop a run.
    pub const FIRST: u64 = 3;

    fn observe(&self, status: u16) {
        if self.seen.fetch_add(1, Ordering::SeqCst) < Self::FIRST && matches!(status, 401 | 403) {
            self.status.store(status, Ordering::SeqCst);
            self.refused.fetch_add(1, Ordering::SeqCst);
        }
    }

    /// The status the first requests were refused with, once they all were.
    pub fn stopped(&self) -> Option<u16> {
        (self.refused.load(Ordering::SeqCst) >= Self::FIRST)
            .then(|| self.status.load(Ordering::SeqCst))
    }
}

/// What the case has done so far.
pub(super) struct Progress {
    exchanges: Vec<Exchange>,
    retries: u32,
    throttled: Duration,
    /// Values captured from fixture responses, as `alias.name`: what this run created.
    captured: Vec<(String, String)>,
    /// Secret member values this case sent (a key's `k`, a password).
    secrets: Vec<String>,
    notes: Vec<Note>,
}

/// A request body to send.
#[derive(Debug, Clone, Copy)]
pub(super) enum Payload<'a> {
    Json(&'a Value),
    /// A documented body that is not JSON, sent verbatim.
    Text(&'a str),
}

/// A template that names a variable nothing defined; `detail` says where.
pub(super) fn undefined(e: &Undefined, detail: String) -> RunError {
    RunError::new(ErrorKind::BindingFailed { binding: Some(e.name.clone()) }, detail)
}

/// Applies a JSON-pointer override to a request body.
pub(super) fn apply_set(body: &mut Value, pointer: &str, value: Value) -> Result<(), RunError> {
    use crate::pointer::SetError;
    crate::pointer::set(body, pointer, value).map_err(|e| {
        let kind = ErrorKind::BindingFailed { binding: None };
        RunError::new(kind, match e {
            SetError::NotAPointer => format!("`{pointer}` is not a JSON pointer"),
            SetError::NoItem { index } => format!("`set` pointer `{pointer}`: no item {index}"),
            SetError::NotAContainer { parent } => format!(
                "`set` pointer `{pointer}`: `{parent}` is not an object or array in the request body"
            ),
        })
    })
}

impl Runner {
    async fn exchange(
        &self,
        role: Role,
        method: &str,
        url: &str,
        headers: Vec<(String, String)>,
        body: Option<Payload<'_>>,
        progress: &mut Progress,
    ) -> Result<Received, RunError> {
        self.exchange_as(&self.auth, role, method, url, headers, body, progress).await
    }

    /// One recorded exchange with the given credentials (`Auth::None`: none at all).
    #[allow(clippy::too_many_arguments)]
    pub(super) async fn exchange_as(
        &self,
        auth: &Auth,
        role: Role,
        method: &str,
        url: &str,
        headers: Vec<(String, String)>,
        body: Option<Payload<'_>>,
        progress: &mut Progress,
    ) -> Result<Received, RunError> {
        if let Some(status) = self.refusals.stopped() {
            let (method, url) = (method.to_string(), url.to_string());
            return Err(RunError::new(ErrorKind::AuthRefused { method, url, status }, ""));
        }
        // Requests made without the run's credentials on purpose (a behaviour check's "no
        // credentials") get no credential headers either, and do not count as refusals.
        let as_run = std::ptr::eq(auth, &self.auth);
        if let Some(Payload::Json(v)) = body {
            crate::redact::secret_values(v, &mut progress.secrets);
        }
        let bytes = match body {
            Some(Payload::Json(v)) => Some(serde_json::to_vec(v).unwrap_or_default()),
            Some(Payload::Text(t)) => Some(t.as_bytes().to_vec()),
            None => None,
        };
        let headers =
            self.outgoing_headers(headers, as_run, matches!(body, Some(Payload::Json(_))));
        let result = http::send(
            &self.client,
            auth,
            self.retry,
            Outgoing { method, url, headers: &headers, body: bytes.as_deref() },
        )
        .await;
        let request = recorded_request(method, url, headers, auth, body);
        match result {
            Ok(mut received) => {
                if as_run {
                    self.refusals.observe(received.status);
                }
                progress.retries += received.retries;
                progress.throttled += received.throttled;
                if let Some(asked) = received.not_waited {
                    progress.notes.push(Note::RetryAfterNotWaited {
                        exchange: u32::try_from(progress.exchanges.len()).unwrap_or(u32::MAX),
                        asked_ms: millis(asked),
                        max_wait_ms: millis(self.retry.max_wait),
                    });
                }
                progress.exchanges.push(exchange_of(role, request, &mut received));
                Ok(received)
            }
            Err(mut e) => {
                if let ErrorKind::Timeout { limit, after, .. } = &mut e.kind {
                    *after = Some(match limit {
                        TimeLimit::Connect => self.timeouts.connect,
                        TimeLimit::Request => self.timeouts.request,
                    });
                }
                progress.exchanges.push(Exchange {
                    role,
                    request,
                    response: None,
                    elapsed_ms: 0,
                    retries: 0,
                    throttled_ms: 0,
                });
                Err(e)
            }
        }
    }

    /// The headers a request goes with: its own, the run's `--header`s it does not set itself
    /// (secret ones only with the run's credentials), a JSON content type for a JSON body,
    /// and a fresh `client-request-id`.
    fn outgoing_headers(
        &self,
        mut headers: Vec<(String, String)>,
        as_run: bool,
        json: bool,
    ) -> Vec<(String, String)> {
        for extra in &self.headers {
            let given = headers.iter().any(|(n, _)| n.eq_ignore_ascii_case(&extra.name));
            if !given && (as_run || !extra.is_secret()) {
                headers.push((extra.name.clone(), extra.value.clone()));
            }
        }
        if json && !headers.iter().any(|(n, _)| n.eq_ignore_ascii_case("content-type")) {
            headers.push(("Content-Type".into(), "application/json".into()));
        }
        headers.push(("client-request-id".into(), uuid::Uuid::new_v4().to_string()));
        headers
    }

    /// Runs one fixture step with the fixture's variables; captures into `scope`.
    async fn step(
        &self,
        alias: &str,
        step: &Step,
        scope: &mut Vars,
        teardown: bool,
        progress: &mut Progress,
    ) -> Result<(), RunError> {
        let at = |request: Option<(String, String)>| FixtureStep::new(alias, teardown, request);
        let unbound = |e: Undefined| undefined(&e, e.to_string()).in_fixture(at(None));
        let url = self.target.resolve(&scope.expand_str(&step.url).map_err(unbound)?);
        let body = step.body.as_ref().map(|b| scope.expand(b)).transpose().map_err(unbound)?;
        let headers = step
            .headers
            .iter()
            .map(|(n, v)| (n.clone(), scope.expand_str(v).unwrap_or_else(|_| v.clone())))
            .collect();
        let request = || Some((step.method.clone(), url.clone()));
        let received = self
            .exchange(
                if teardown { Role::Teardown(alias.into()) } else { Role::Setup(alias.into()) },
                &step.method,
                &url,
                headers,
                body.as_ref().map(Payload::Json),
                progress,
            )
            .await
            .map_err(|e| e.in_fixture(at(request())))?;
        if !step.accepts(received.status, teardown) {
            // Redacted before it is cut short, so that no part of a secret survives the cut.
            let body = self
                .case_redactor(&progress.secrets)
                .text(&String::from_utf8_lossy(&received.body));
            let kind = ErrorKind::Rejected { status: received.status };
            return Err(RunError::new(kind, cut(&body, 200)).in_fixture(at(request())));
        }
        if step.capture.is_empty() {
            return Ok(());
        }
        let fail = |capture: &str, detail: String| {
            let kind = ErrorKind::NotCaptured { capture: capture.to_string() };
            RunError::new(kind, detail).in_fixture(at(None))
        };
        let captured = capture(alias, step, &url, progress, scope, fail)?;
        progress.captured.extend(captured);
        Ok(())
    }

    /// Runs one case once, without the snapshot layer: the redacted result (status not yet
    /// decided) and the run's own values, for the snapshot's tokens.
    async fn run_once(&self, job: &Job) -> (CaseResult, Known) {
        let started = Instant::now();
        let planned = &job.planned;
        let mut result = CaseResult::of(planned);
        if planned.case.response.is_none() {
            result.status = Status::Skipped;
            result.skip_reason = planned.skip.clone();
            return (result, Known::new());
        }
        let mut progress = Progress {
            exchanges: Vec::new(),
            retries: 0,
            throttled: Duration::ZERO,
            captured: Vec::new(),
            secrets: Vec::new(),
            notes: Vec::new(),
        };
        let mut vars = Vars::new();
        let unique = self.unique();
        vars.insert("unique", Value::String(unique.clone()));

        let (set_up, mut failure) = self.set_up(planned, &unique, &mut vars, &mut progress).await;
        if failure.is_none() {
            failure = self.the_request(job, &mut vars, &mut progress, &mut result).await.err();
        }
        let skipped = self.tear_down(set_up, &mut progress, &mut result).await;
        // Teardowns are skipped only when a setup stopped, so the failure is that setup's.
        if let Some(step) = failure.as_mut().and_then(|f| f.fixture.as_mut()) {
            step.skipped = skipped;
        }

        result.error = failure.or_else(|| result.teardown_errors.first().cloned());
        // A request that got no answer at all failed on the way: through the proxy, if any.
        let unanswered = progress.exchanges.iter().any(|e| e.response.is_none());
        if let (Some(proxy), true, true) = (&self.proxy, result.error.is_some(), unanswered) {
            progress.notes.push(Note::Proxy { proxy: super::note::without_password(proxy) });
        }
        result.notes = progress.notes;
        result.exchanges = progress.exchanges;
        result.retries = progress.retries;
        result.throttled_ms = progress.throttled.as_millis() as u64;
        self.redact(&mut result, &progress.secrets);
        result.duration_ms = started.elapsed().as_millis() as u64;
        let known = self.known(&unique, &progress.captured);
        (result, known)
    }

    /// Setup: the case's fixtures in order. Each is registered before its setup runs, so a
    /// half-done setup still gets its teardown; the flag says whether its setup completed.
    async fn set_up<'p>(
        &self,
        planned: &'p Planned,
        unique: &str,
        vars: &mut Vars,
        progress: &mut Progress,
    ) -> (Vec<SetUp<'p>>, Option<RunError>) {
        let mut set_up = Vec::new();
        for (alias, fixture) in &planned.fixtures {
            let mut scope = match fixture_scope(planned, alias, fixture, unique, vars) {
                Ok(scope) => scope,
                Err(e) => return (set_up, Some(e)),
            };
            let mut failure = None;
            for step in &fixture.setup {
                if let Err(e) = self.step(alias, step, &mut scope, false, progress).await {
                    failure = Some(e);
                    break;
                }
            }
            vars.insert_scoped(alias, &scope);
            set_up.push(SetUp { alias, fixture, scope, complete: failure.is_none() });
            if failure.is_some() {
                return (set_up, failure);
            }
        }
        (set_up, None)
    }

    /// The documented request and its contract check, or the behaviour check's steps.
    async fn the_request(
        &self,
        job: &Job,
        vars: &mut Vars,
        progress: &mut Progress,
        result: &mut CaseResult,
    ) -> Result<(), RunError> {
        if let Some(check) = &job.check {
            result.deviations = self.behaviour(check, &job.planned, vars, progress).await?;
        } else {
            let (deviations, strictness, diff) = self.main(&job.planned, vars, progress).await?;
            result.deviations = deviations;
            result.strictness = strictness;
            result.diff = diff;
        }
        Ok(())
    }

    /// Teardown: always, newest first. A setup that failed before capturing what its
    /// teardown addresses (`{{id}}` of a key set never created) has nothing to undo: that
    /// teardown is skipped and said once with the setup's error (the fixtures returned here),
    /// not reported as a second failure.
    async fn tear_down(
        &self,
        set_up: Vec<SetUp<'_>>,
        progress: &mut Progress,
        result: &mut CaseResult,
    ) -> Vec<SkippedTeardown> {
        let mut skipped = Vec::new();
        for SetUp { alias, fixture, mut scope, complete } in set_up.into_iter().rev() {
            for step in &fixture.teardown {
                if !complete {
                    if let Some(missing) = missing_input(step, &scope) {
                        skipped.push(SkippedTeardown { alias: alias.to_string(), missing });
                        break;
                    }
                }
                if let Err(e) = self.step(alias, step, &mut scope, true, progress).await {
                    result.teardown_errors.push(e);
                    break;
                }
            }
        }
        skipped
    }

    /// The run's own values, which name the snapshot's tokens; without snapshots, none are
    /// needed.
    fn known(&self, unique: &str, captured: &[(String, String)]) -> Known {
        let mut known = Known::new();
        if self.snapshots.is_some() {
            known.add("target", self.target.base().trim_end_matches('/'));
            known.add_owner("unique", unique);
            for (name, value) in captured {
                known.add(name, &self.redactor.text(value));
            }
        }
        known
    }

    /// Runs one case to a result: fixtures, the request, the contract check, and the
    /// snapshot check when snapshots are on.
    pub async fn execute(&self, job: &Job) -> CaseResult {
        let (mut result, known) = self.run_once(job).await;
        // A refused run records no snapshots: they would be snapshots of the 401s.
        let refused = self.refusals.stopped().is_some();
        if let (Some(store), None, false) = (&self.snapshots, &job.check, refused) {
            let recording = self.recording(store, &job.planned, &result, &known);
            if let Some((recording, subject)) = recording {
                let (outcome, deviations) = store.check(&subject, &recording);
                result.deviations.extend(deviations);
                result.snapshot = Some(outcome);
            }
        }
        finish(&mut result);
        result
    }

    /// Runs a case twice and compares the two recordings: whatever differs is volatile and
    /// not yet listed as such, and is proposed for the case's `volatile` list. Only a stable
    /// recording is compared with (and written to) the snapshot.
    pub async fn execute_twice(&self, job: &Job) -> CaseResult {
        let Some(store) = self.snapshots.as_ref().filter(|_| job.check.is_none()) else {
            return self.execute(job).await;
        };
        let planned = &job.planned;
        let (first, known_first) = self.run_once(job).await;
        let (mut second, known) = self.run_once(job).await;
        second.duration_ms += first.duration_ms;
        let a = self.recording(store, planned, &first, &known_first);
        let b = self.recording(store, planned, &second, &known);
        if let (Some((a, _)), Some((b, subject))) = (a, b) {
            let unstable = snapshot::differences(&a, &b);
            if unstable.is_empty() {
                let (outcome, deviations) = store.check(&subject, &b);
                second.deviations.extend(deviations);
                second.snapshot = Some(outcome);
            } else {
                let path = store.path_of(&subject);
                let proposed: Vec<String> = unstable.iter().map(|d| d.path.clone()).collect();
                for d in unstable {
                    second.deviations.push(check::Deviation::new(
                        check::Code::SnapshotUnstable,
                        d.path,
                        snapshot::finding(&d.old),
                        snapshot::finding(&d.new),
                    ));
                }
                second.snapshot = Some(snapshot::SnapshotResult {
                    file: path.display().to_string(),
                    state: snapshot::SnapshotState::Unstable,
                    pending: None,
                    diff: crate::diff::text_diff(
                        &format!("{}\n", a.render()),
                        &format!("{}\n", b.render()),
                    ),
                    proposed_volatile: proposed,
                    recorded: b.render(),
                    io_error: None,
                });
            }
        }
        finish(&mut second);
        second
    }

    /// The normalised response of the documented request, and what the store needs to know
    /// about it. `None` when no response came back.
    fn recording<'p>(
        &self,
        store: &Store,
        planned: &'p Planned,
        result: &CaseResult,
        known: &Known,
    ) -> Option<(snapshot::Recording, Subject<'p>)> {
        let main = result.main_exchange()?;
        let response = main.response.as_ref()?;
        let case = &planned.case;
        let rules = CaseRules { volatile: &case.volatile, unordered: &case.unordered };
        let recording = snapshot::normalise(response, known, &store.rules, rules);
        let expression = format!("{} {}", main.request.method, known.substitute(&main.request.url));
        let description = match &case.source {
            Some(src) => format!(
                "Response recorded in set `{}` for example `{}` of {}:{}",
                store.set, src.example, src.doc, src.line
            ),
            None => format!("Response recorded in set `{}`", store.set),
        };
        Some((
            recording,
            Subject { case_file: &planned.path, case_id: &case.id, description, expression },
        ))
    }

    /// Sends the documented request and checks the response.
    async fn main(
        &self,
        planned: &Planned,
        vars: &Vars,
        progress: &mut Progress,
    ) -> Result<(Vec<check::Deviation>, check::Strictness, Option<crate::diff::Diff>), RunError>
    {
        let case = &planned.case;
        let (url, body) = self.documented_request(case, vars)?;
        let headers: Vec<(String, String)> =
            case.request.headers.iter().map(|h| (h.name.clone(), h.value.clone())).collect();
        let payload = match (&body, &case.request.body_text) {
            (Some(b), _) => Some(Payload::Json(b)),
            (None, Some(text)) => Some(Payload::Text(text)),
            (None, None) => None,
        };
        let received = self
            .exchange(Role::Main, &case.request.method, &url, headers, payload, progress)
            .await?;
        let contract = check::contract::Contract {
            case,
            types: &self.types,
            sent_body: body.as_ref(),
            vars,
            slow: self.slow,
        };
        let (recorded_headers, recorded_json) = last_response(progress);
        // A listed collection holds whatever the target holds at that moment; like the
        // snapshot layer, the contract checks only the items this case's fixtures created
        // (they carry its unique value), so the result does not depend on what ran beside it.
        let (owned, others) = match (recorded_json, vars.expand_str("{{unique}}")) {
            (Some(v), Ok(unique)) if listed(case) && !planned.fixtures.is_empty() => {
                own_items(v, &unique)
            }
            _ => (None, 0),
        };
        let json = match (&received.json, owned.as_ref().or(recorded_json)) {
            (Some(Err(e)), _) => Some(Err(e)),
            (_, Some(v)) => Some(Ok(v)),
            _ => None,
        };
        let observed = Observed {
            status: received.status,
            headers: recorded_headers,
            body: &received.body,
            json,
            elapsed: received.elapsed,
        };
        if !self.contract {
            return Ok((Vec::new(), check::Strictness::default(), None));
        }
        let mut checked = check::check(contract, observed);
        checked.strictness.others = others;
        let diff = self.diff(&checked, &received.body, progress);
        Ok((checked.deviations, checked.strictness, diff))
    }

    /// The documented request's URL with its bindings and its body with the case's `set`
    /// overrides.
    fn documented_request(
        &self,
        case: &crate::case::Case,
        vars: &Vars,
    ) -> Result<(String, Option<Value>), RunError> {
        let mut url = case.request.url.clone();
        for (name, expr) in &case.bind {
            let value =
                vars.expand_str(expr).map_err(|e| undefined(&e, format!("bind.{name}: {e}")))?;
            url = url.replace(&format!("{{{name}}}"), &http::segment(&value));
        }
        let url = self.target.resolve(&url);
        let mut body = case.request.body.clone();
        for (pointer, value) in &case.set {
            let value =
                vars.expand(value).map_err(|e| undefined(&e, format!("set {pointer}: {e}")))?;
            let b = body.get_or_insert_with(|| Value::Object(Default::default()));
            apply_set(b, pointer, value)?;
        }
        Ok((url, body))
    }

    /// The redacted diff of a failed check's expected view and the actual body.
    fn diff(
        &self,
        checked: &check::Checked,
        body: &[u8],
        progress: &Progress,
    ) -> Option<crate::diff::Diff> {
        if checked.deviations.is_empty() {
            return None;
        }
        let r = self.case_redactor(&progress.secrets);
        let expected = checked
            .expected
            .as_ref()
            .map(|v| r.json_view(v, checked.actual.as_ref()))
            .unwrap_or(Value::Null);
        let actual = match &checked.actual {
            Some(v) => r.json(v),
            None => Value::String(r.text(&String::from_utf8_lossy(body))),
        };
        crate::diff::json_diff(&expected, &actual)
    }

    /// The run's redactor, extended with the secret values this case sent, so that they are
    /// removed wherever they come back (echoed in a body, a header, an error message).
    fn case_redactor(&self, sent: &[String]) -> std::borrow::Cow<'_, Redactor> {
        if sent.is_empty() {
            return std::borrow::Cow::Borrowed(&self.redactor);
        }
        let mut extended = self.redactor.clone();
        for secret in sent {
            extended.add_secret(secret);
        }
        std::borrow::Cow::Owned(extended)
    }

    /// Removes secrets from everything the result records.
    fn redact(&self, result: &mut CaseResult, sent: &[String]) {
        let r = self.case_redactor(sent);
        let r = r.as_ref();
        for e in &mut result.exchanges {
            r.text_in_place(&mut e.request.url);
            for (n, v) in &mut e.request.headers {
                r.header_in_place(n, v);
            }
            if let Some(b) = &mut e.request.body {
                r.json_in_place(b);
            }
            if let Some(resp) = &mut e.response {
                for (n, v) in &mut resp.headers {
                    r.header_in_place(n, v);
                }
                if let Some(b) = &mut resp.body {
                    r.json_in_place(b);
                }
                if let Some(t) = &mut resp.body_text {
                    r.text_in_place(t);
                }
            }
        }
        for d in &mut result.deviations {
            let secret = d.path.rsplit('/').next().is_some_and(crate::redact::is_secret_member);
            if secret {
                d.expected = d.expected.secret();
                d.actual = d.actual.secret();
            } else {
                for finding in [&mut d.expected, &mut d.actual] {
                    finding.rewrite(|t| r.text_in_place(t), |v| r.json_in_place(v));
                }
            }
        }
        for e in result.error.iter_mut().chain(&mut result.teardown_errors) {
            e.rewrite(|t| r.text_in_place(t));
        }
    }
}

/// Whether the case documents a listing: a `GET` whose documented response is a collection.
fn listed(case: &crate::case::Case) -> bool {
    case.request.method.eq_ignore_ascii_case("GET")
        && case.response.as_ref().is_some_and(|r| r.is_collection)
}

/// The body with its `value` array cut to the items that mention `unique`, and how many were
/// left out; `None` when there is no such array or nothing is left out.
fn own_items(body: &Value, unique: &str) -> (Option<Value>, u32) {
    let Some(items) = body.get("value").and_then(Value::as_array) else { return (None, 0) };
    let mine: Vec<Value> =
        items.iter().filter(|item| item.to_string().contains(unique)).cloned().collect();
    let others = u32::try_from(items.len() - mine.len()).unwrap_or(u32::MAX);
    if others == 0 {
        return (None, 0);
    }
    let mut cut = body.clone();
    cut["value"] = Value::Array(mine);
    (Some(cut), others)
}

/// Whether a teardown step's URL and body can be written out with the captures at hand; the
/// first value that is missing otherwise.
fn missing_input(step: &Step, scope: &Vars) -> Option<String> {
    if let Err(e) = scope.expand_str(&step.url) {
        return Some(e.name);
    }
    step.body.as_ref().and_then(|body| scope.expand(body).err()).map(|e| e.name)
}

/// What a request was, as recorded: the credential itself never (only that there was one).
fn recorded_request(
    method: &str,
    url: &str,
    mut headers: Vec<(String, String)>,
    auth: &Auth,
    body: Option<Payload<'_>>,
) -> RecordedRequest {
    if !matches!(auth, Auth::None) {
        headers.push(("Authorization".into(), "Bearer".into()));
    }
    let body = match body {
        Some(Payload::Json(v)) => Some(v.clone()),
        Some(Payload::Text(t)) => Some(Value::String(t.to_string())),
        None => None,
    };
    RecordedRequest { method: method.to_string(), url: url.to_string(), headers, body }
}

/// The exchange of a request that was answered. The record owns the headers and the parsed
/// body; the captures and the check read them from there (see [`last_response`]), so nothing
/// is copied.
fn exchange_of(role: Role, request: RecordedRequest, received: &mut Received) -> Exchange {
    let json = match received.json.take() {
        Some(Ok(v)) => Some(v),
        other => {
            received.json = other;
            None
        }
    };
    let text = if json.is_none() && !received.body.is_empty() {
        let t = String::from_utf8_lossy(&received.body);
        Some(cut(&t, 64 * 1024))
    } else {
        None
    };
    Exchange {
        role,
        request,
        response: Some(RecordedResponse {
            status: received.status,
            headers: std::mem::take(&mut received.headers),
            body: json,
            body_text: text,
            size: received.body.len(),
        }),
        elapsed_ms: received.elapsed.as_millis() as u64,
        retries: received.retries,
        throttled_ms: received.throttled.as_millis() as u64,
    }
}

/// Captures what a fixture step names from the response just recorded into `scope`; the
/// values as `alias.name` text, for the snapshot's tokens. `fail` makes the error of one
/// that finds nothing.
fn capture(
    alias: &str,
    step: &Step,
    url: &str,
    progress: &Progress,
    scope: &mut Vars,
    fail: impl Fn(&str, String) -> RunError,
) -> Result<Vec<(String, String)>, RunError> {
    let (headers, json) = last_response(progress);
    let mut captured = Vec::new();
    for (name, source) in &step.capture {
        let value = match source.strip_prefix("header:") {
            Some(h) => headers
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(h))
                .map(|(_, v)| Value::String(v.clone())),
            None => json.and_then(|j| j.pointer(source)).cloned(),
        };
        let Some(v) = value else {
            let response = progress.exchanges.last().and_then(|e| e.response.as_ref());
            let why = match not_json(response).filter(|_| !source.starts_with("header:")) {
                Some(media_type) => {
                    format!("capture `{name}` (`{source}`): expected JSON, got {media_type}")
                }
                None => format!("capture `{name}` found nothing at `{source}`"),
            };
            return Err(fail(name, format!("{why} in the response of {} {url}", step.method)));
        };
        let text = match &v {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        captured.push((format!("{alias}.{name}"), text));
        scope.insert(name.clone(), v);
    }
    Ok(captured)
}

/// The headers and JSON body of the response just recorded.
pub(super) fn last_response(progress: &Progress) -> (&[(String, String)], Option<&Value>) {
    match progress.exchanges.last().and_then(|e| e.response.as_ref()) {
        Some(r) => (&r.headers, r.body.as_ref()),
        None => (&[], None),
    }
}

/// `text` with at most `max` characters; a cut one ends with `…`, so no reader takes it for
/// the whole.
fn cut(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        None => text.to_string(),
        Some((at, _)) => format!("{}…", &text[..at]),
    }
}

/// When a capture from the body finds no JSON to read, the media type that came instead
/// (`text/html`: the target is a web server, not the API), or `no body`.
fn not_json(response: Option<&RecordedResponse>) -> Option<String> {
    let r = response?;
    if r.body.is_some() {
        return None;
    }
    if r.size == 0 {
        return Some("an empty body".into());
    }
    let content_type = r
        .headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-type"))
        .map(|(_, v)| v.split(';').next().unwrap_or(v).trim().to_ascii_lowercase());
    Some(match content_type {
        Some(t) if t.contains("json") => format!("{t} that does not parse"),
        Some(t) if !t.is_empty() => t,
        _ => "a body that is not JSON".to_string(),
    })
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// Decides how the case ended, from its error and deviations.
fn finish(result: &mut CaseResult) {
    if result.status == Status::Skipped {
        return;
    }
    result.status = if result.error.is_some() {
        Status::Error
    } else if !result.deviations.is_empty() {
        Status::Deviated
    } else {
        Status::Passed
    };
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn set_overrides_by_pointer() {
        let mut body = json!({"id": "keyset1", "keys": [{"kty": "x"}]});
        apply_set(&mut body, "/id", json!("exemplar_1")).unwrap();
        apply_set(&mut body, "/keys/0/kty", json!("oct")).unwrap();
        apply_set(&mut body, "/keys/0/a~1b", json!(1)).unwrap();
        assert_eq!(body, json!({"id": "exemplar_1", "keys": [{"kty": "oct", "a/b": 1}]}));
        assert!(apply_set(&mut body, "/keys/5", json!(1)).is_err());
        assert!(apply_set(&mut body, "/missing/x", json!(1)).is_err());
    }
}
