//! The contract suite as a libtest-mimic harness: each case is a `Trial` named by its id, with
//! its HTTP method as the kind, so libtest's flags (`FILTER`, `--exact`, `--skip`, `--list`,
//! `--ignored`, `--include-ignored`, `--test-threads`, `-q`, `--format`) and nextest work.
//!
//! `--list` loads the cases and prints the list, and nothing else: no runtime, no server, no
//! other output on stdout. `--exact NAME` loads only that case file when its id says where it
//! is. Otherwise one tokio runtime and one HTTP client serve every trial; trials run on
//! libtest's worker threads and `block_on` the shared runtime.
//!
//! The run prints nothing of its own: libtest-mimic writes the trial lines; while the run goes
//! on, each case's end is handed to the edge as an [`Event`] (for a progress bar, or `-vv`'s
//! exchanges); everything else (problems that stopped the run, the snapshot summary,
//! orphaned snapshots) comes back in the [`RunOutcome`] for the command line to phrase.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use libtest_mimic::{Arguments, Completion, Failed, Trial};
use secrecy::{ExposeSecret, SecretString};

use crate::check::TypeRegistry;
use crate::exit::Exit;
use crate::mock::{self, MockConfig};
use crate::plan::{self, Partition, Planned};
use crate::redact::Redactor;
use crate::snapshot::{Rules, Store, Update};

use super::execute::{Runner, Settings};
use super::http::{self, Auth, ClientSettings, Retry, Target, TokenSource};
use super::job::Job;
use super::result::{CaseResult, ErrorKind, RunError, Status};

/// Concurrency when `--test-threads` is not given: requests wait on the network, not the CPU,
/// so the core count is the wrong measure; 8 keeps a real service well below throttling.
pub const DEFAULT_THREADS: usize = 8;

/// How to authenticate against the target. The token and the client secret are held as
/// [`SecretString`]s: their `Debug` output shows neither.
#[derive(Debug, Clone, Default)]
pub enum AuthOptions {
    #[default]
    None,
    Bearer(SecretString),
    ClientCredentials {
        authority: String,
        tenant: String,
        client_id: String,
        client_secret: SecretString,
        scope: String,
    },
}

/// Everything a run needs.
#[derive(Debug, Clone)]
pub struct RunOptions {
    pub cases: PathBuf,
    /// `None`: start the reference mock and run against it.
    pub target: Option<String>,
    pub auth: AuthOptions,
    pub client: ClientSettings,
    pub retry: Retry,
    pub slow: Option<Duration>,
    /// Deviations the embedded mock should make (for exemplar's own tests).
    pub mock_deviations: Vec<mock::Deviation>,
    /// Check responses against the documented contract (on unless only snapshots are wanted).
    pub contract: bool,
    /// Run the behaviour checks beside the cases.
    pub behaviour: bool,
    /// The snapshot layer; `None`: off.
    pub snapshots: Option<SnapshotOptions>,
    /// Run each case twice and report values that differ as unstable (`--record-twice`).
    pub record_twice: bool,
    pub libtest: Arguments,
    /// Run only this CI shard of the cases (`--partition`).
    pub partition: Option<Partition>,
    /// Told of each case as it ends; the edge shows what it wants of it.
    pub events: Events,
    /// Stop starting cases after this many failing ones (`--fail-fast`, `--max-fail`).
    pub max_fail: Option<u64>,
    /// Headers sent with every request (`--header`); credential values are redacted.
    pub headers: Vec<http::ExtraHeader>,
    /// Known deviations: a case whose deviations are all excused shows as `known` (an
    /// ignored trial with the reason), not `FAILED`, as the gate treats it. The edge decides
    /// what is excused (from the known-deviations file); the run only asks.
    pub excuse: Excuse,
    /// How a failed case is phrased under libtest's `FAILED` line (the edge gives the
    /// console reporter's phrasing; without one the line stands alone).
    pub phrasing: Phrasing,
}

/// Where a run keeps snapshots and what it may write.
#[derive(Debug, Clone)]
pub struct SnapshotOptions {
    /// The snapshots directory.
    pub dir: PathBuf,
    /// The snapshot set.
    pub set: String,
    pub update: Update,
}

impl RunOptions {
    pub fn new(cases: PathBuf, libtest: Arguments) -> Self {
        RunOptions {
            cases,
            target: None,
            auth: AuthOptions::None,
            client: ClientSettings::default(),
            retry: Retry::default(),
            // A timing bound is opt-in: the machine's load must not decide a verdict.
            slow: None,
            mock_deviations: Vec::new(),
            contract: true,
            behaviour: true,
            snapshots: None,
            record_twice: false,
            libtest,
            partition: None,
            events: Events::default(),
            max_fail: None,
            headers: Vec::new(),
            excuse: Excuse::default(),
            phrasing: Phrasing::default(),
        }
    }
}

/// How a failed case is phrased under libtest's `FAILED` line. The run does not phrase
/// results itself; the edge hands it the console reporter's phrasing.
#[derive(Clone, Default)]
pub struct Phrasing(Option<Arc<PhraseFn>>);

type PhraseFn = dyn Fn(&CaseResult) -> String + Send + Sync;

impl Phrasing {
    pub fn new(phrase: impl Fn(&CaseResult) -> String + Send + Sync + 'static) -> Self {
        Phrasing(Some(Arc::new(phrase)))
    }

    fn phrase(&self, result: &CaseResult) -> String {
        self.0.as_ref().map(|f| f(result)).unwrap_or_default()
    }
}

impl std::fmt::Debug for Phrasing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() { "Phrasing(given)" } else { "Phrasing(none)" })
    }
}

/// What the run tells the edge while it goes on, as data: the edge decides what, if
/// anything, to show of it (a progress bar, `-vv`'s exchanges of each case as it ends).
#[derive(Debug)]
pub enum Event<'a> {
    /// The trials start; this many will run (neither filtered out nor ignored).
    Started { cases: u64 },
    /// A case ended, or was not started (`--fail-fast`): its result, and whether libtest
    /// shows it as failed (a case whose deviations are all known is not).
    Finished { result: &'a CaseResult, failed: bool },
    /// Every trial is done (libtest has printed its summary).
    Done,
}

/// Where a run's [`Event`]s go. Called from the trials' threads, one event at a time per
/// thread: a receiver that prints locks what it prints to.
#[derive(Clone, Default)]
pub struct Events(Option<Arc<EventFn>>);

type EventFn = dyn Fn(Event<'_>) + Send + Sync;

impl Events {
    pub fn new(receive: impl Fn(Event<'_>) + Send + Sync + 'static) -> Self {
        Events(Some(Arc::new(receive)))
    }

    fn send(&self, event: Event<'_>) {
        if let Some(f) = &self.0 {
            f(event);
        }
    }
}

impl std::fmt::Debug for Events {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() { "Events(given)" } else { "Events(none)" })
    }
}

/// Whether every deviation of a deviating case is excused, and in what words (`known: …`).
/// The gate decides from the same entries, so the console's `known` and the verdict agree;
/// the run does not read known-deviations files itself, the edge hands it this.
#[derive(Clone, Default)]
pub struct Excuse(Option<Arc<ExcuseFn>>);

type ExcuseFn = dyn Fn(&CaseResult) -> Option<String> + Send + Sync;

impl Excuse {
    pub fn new(excuse: impl Fn(&CaseResult) -> Option<String> + Send + Sync + 'static) -> Self {
        Excuse(Some(Arc::new(excuse)))
    }

    fn of(&self, result: &CaseResult) -> Option<String> {
        self.0.as_ref().and_then(|f| f(result))
    }
}

impl std::fmt::Debug for Excuse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() { "Excuse(given)" } else { "Excuse(none)" })
    }
}

/// Why a run stopped before its cases ran.
#[derive(Debug, thiserror::Error)]
pub enum Stopped {
    /// Case or fixture files are invalid: nothing was run.
    #[error("{} in {}; nothing was run", crate::words::count(errors.len(), "case file problem", "case file problems"), dir.display())]
    CaseFiles { dir: PathBuf, errors: Vec<plan::PlanError> },
    #[error("cannot start the async runtime")]
    Runtime(#[source] std::io::Error),
    #[error("cannot start the reference mock")]
    Mock(#[source] std::io::Error),
    /// The behaviour data or conventions are invalid (each error names its file).
    #[error("{}; nothing was run", crate::words::count(.0.len(), "behaviour data problem", "behaviour data problems"))]
    Behaviour(Vec<crate::behaviour::BehaviourError>),
    /// The `--target` URL is not usable.
    #[error(transparent)]
    Target(http::TargetError),
    /// The embedded mock's own URL could not be used (a bug if it happens).
    #[error("the reference mock's own URL is not usable")]
    MockTarget(#[source] http::TargetError),
    /// The HTTP client could not be built from the settings (a CA file, a proxy).
    #[error(transparent)]
    Client(http::ClientError),
}

impl Stopped {
    /// What to do about it, when there is something to say (the edge prints it after the
    /// error and its causes).
    pub fn hint(&self) -> Option<String> {
        match self {
            Stopped::Target(e) => e.hint(),
            _ => None,
        }
    }

    /// The exit class: bad input is a usage problem, the rest an error.
    pub fn exit(&self) -> Exit {
        match self {
            Stopped::CaseFiles { .. }
            | Stopped::Behaviour(_)
            | Stopped::Target(_)
            | Stopped::Client(_) => Exit::Usage,
            Stopped::Runtime(_) | Stopped::Mock(_) | Stopped::MockTarget(_) => Exit::Error,
        }
    }
}

/// The outcome of a run, as data: its exit class, every result (for the report files), and
/// what the edge should tell the user besides the trial lines.
#[derive(Debug)]
pub struct RunOutcome {
    pub exit: Exit,
    pub results: Vec<CaseResult>,
    /// Why nothing was run, when nothing was.
    pub stopped: Option<Stopped>,
    /// How the snapshots compared, when snapshots were on and any case has one.
    pub snapshots: Option<crate::snapshot::Summary>,
    /// Snapshots of the set that no case can have (after a whole-suite run only).
    pub orphans: Vec<PathBuf>,
    /// Set when `max_fail` failing cases stopped the run from starting the rest.
    pub cut_short: Option<CutShort>,
}

/// A run that stopped starting cases after `max_fail` failing ones: how many it left out.
/// Those cases are in the results as [`Status::NotRun`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CutShort {
    pub max_fail: u64,
    pub not_run: usize,
}

/// Why a case that `--fail-fast`/`--max-fail` kept from starting was not run: libtest's line
/// shows it as the reason it was ignored, and the reporters as its reason.
pub const NOT_RUN: &str = "not run: the run stopped starting cases after too many failing ones";

impl RunOutcome {
    fn stopped(stopped: Stopped) -> Self {
        RunOutcome {
            exit: stopped.exit(),
            results: Vec::new(),
            stopped: Some(stopped),
            snapshots: None,
            orphans: Vec::new(),
            cut_short: None,
        }
    }

    fn empty(exit: Exit) -> Self {
        RunOutcome {
            exit,
            results: Vec::new(),
            stopped: None,
            snapshots: None,
            orphans: Vec::new(),
            cut_short: None,
        }
    }
}

/// Fault injection for exemplar's own tests: the case with this id panics inside its task, so
/// a test can check that such a case is still recorded, reported and fails the run.
const PANIC_CASE_VAR: &str = "EXEMPLAR_FAULT_PANIC_CASE";

/// Runs the cases of `opts.cases`; libtest-mimic prints its report of the trials.
pub fn run(mut opts: RunOptions) -> RunOutcome {
    let (jobs, types) = match plan_jobs(&opts) {
        Ok(planned) => planned,
        Err(stopped) => return RunOutcome::stopped(stopped),
    };
    if opts.libtest.list {
        let trials = jobs.iter().map(|j| trial_shape(j, Trial::test(j.id(), || Ok(())))).collect();
        let _ = libtest_mimic::run(&opts.libtest, trials);
        return RunOutcome::empty(Exit::Success);
    }
    opts.libtest.test_threads.get_or_insert(DEFAULT_THREADS);

    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => return RunOutcome::stopped(Stopped::Runtime(e)),
    };
    let session = match Session::start(&opts, &runtime) {
        Ok(s) => s,
        Err(stopped) => return RunOutcome::stopped(stopped),
    };
    let client = match http::client(&opts.client) {
        Ok(c) => c,
        Err(e) => return RunOutcome::stopped(Stopped::Client(e)),
    };
    let settings = settings(&opts);
    // Every snapshot the cases can have, to find the ones left behind by removed cases.
    let expected = settings.snapshots.as_ref().map(|store| expected_snapshots(store, &jobs));
    let runner = Runner::new(
        client,
        session.target.clone(),
        session.auth.clone(),
        TypeRegistry::new(types.iter()),
        session.redactor_with(&opts.headers),
        settings,
    );
    let skipped = skipped_results(&jobs, &opts.libtest);
    let trials = Trials {
        runner: Arc::new(runner),
        handle: runtime.handle().clone(),
        results: Arc::default(),
        twice: opts.record_twice,
        phrasing: opts.phrasing.clone(),
        panic_case: std::env::var(PANIC_CASE_VAR).ok().map(Arc::from),
        excuse: opts.excuse.clone(),
        fail: FailLimit { max: opts.max_fail, failed: Arc::default() },
        events: opts.events.clone(),
    };
    opts.events.send(Event::Started { cases: runnable(&jobs, &opts.libtest) });
    let conclusion = libtest_mimic::run(&opts.libtest, trials.make(jobs));
    opts.events.send(Event::Done);
    if let Some(server) = session.server {
        runtime.block_on(server.shutdown());
    }
    let mut results = trials.into_results();
    results.extend(skipped);
    results.sort_by(|a, b| a.id.cmp(&b.id));
    conclude(&opts, results, &conclusion, expected.as_ref())
}

/// The jobs of the run (the planned cases, then the behaviour checks when they are on, in
/// this shard when the run is one) and the resource types; or why nothing can run.
fn plan_jobs(opts: &RunOptions) -> Result<(Vec<Job>, Vec<crate::case::TypeFile>), Stopped> {
    let only = opts.libtest.exact.then_some(opts.libtest.filter.as_deref()).flatten();
    let mut plan = plan::plan_dir(&opts.cases, only);
    if !plan.errors.is_empty() {
        let errors = std::mem::take(&mut plan.errors);
        return Err(Stopped::CaseFiles { dir: opts.cases.clone(), errors });
    }
    let checks = if opts.behaviour {
        crate::behaviour::plan(&opts.cases, &plan).map_err(Stopped::Behaviour)?
    } else {
        Vec::new()
    };
    let mut jobs: Vec<Job> = std::mem::take(&mut plan.cases).into_iter().map(Job::case).collect();
    jobs.extend(checks.into_iter().map(|(planned, check)| Job::check(planned, check)));
    if let Some(partition) = &opts.partition {
        jobs = partition.select(jobs, |j| &j.planned.case.id);
    }
    Ok((jobs, plan.types))
}

/// How the runner sends and checks, from the options.
fn settings(opts: &RunOptions) -> Settings {
    Settings {
        retry: opts.retry,
        slow: opts.slow,
        contract: opts.contract,
        snapshots: opts.snapshots.as_ref().map(|s| Store {
            dir: s.dir.clone(),
            set: s.set.clone(),
            update: s.update,
            rules: Rules::graph(),
            cases: opts.cases.clone(),
        }),
        headers: opts.headers.clone(),
        proxy: opts.client.proxy.clone(),
        timeouts: super::execute::Timeouts {
            connect: opts.client.connect_timeout,
            request: opts.client.timeout,
        },
    }
}

/// The snapshot file of every job.
fn expected_snapshots(store: &Store, jobs: &[Job]) -> BTreeSet<PathBuf> {
    jobs.iter()
        .map(|j| {
            store.path_of(&crate::snapshot::Subject {
                case_file: &j.planned.path,
                case_id: j.id(),
                description: String::new(),
                expression: String::new(),
            })
        })
        .collect()
}

/// Cases skipped before the run never reach a trial's closure; the reports still list them
/// with their reason, unless libtest's filters leave them out.
fn skipped_results(jobs: &[Job], args: &Arguments) -> Vec<CaseResult> {
    jobs.iter()
        .filter(|j| j.planned.skip.is_some())
        .filter(|j| {
            let trial = trial_shape(j, Trial::test(j.id(), || Ok(())));
            !args.is_filtered_out(&trial) && args.is_ignored(&trial)
        })
        .map(|j| skipped_result(&j.planned))
        .collect()
}

/// The outcome of a run whose trials ran: the exit class, the snapshot summary and, after a
/// whole-suite run, the orphaned snapshots.
fn conclude(
    opts: &RunOptions,
    results: Vec<CaseResult>,
    conclusion: &libtest_mimic::Conclusion,
    expected: Option<&BTreeSet<PathBuf>>,
) -> RunOutcome {
    let whole_suite =
        opts.libtest.filter.is_none() && opts.libtest.skip.is_empty() && opts.partition.is_none();
    let mut outcome = RunOutcome::empty(exit_of(&results, conclusion));
    let not_run = results.iter().filter(|r| r.status == Status::NotRun).count();
    if let (Some(max_fail), true) = (opts.max_fail, not_run > 0) {
        outcome.cut_short = Some(CutShort { max_fail, not_run });
        // Cases that were never checked: the run cannot pass, whatever the others did.
        outcome.exit = outcome.exit.worst(Exit::Failed);
    }
    if let Some(snapshots) = &opts.snapshots {
        outcome.snapshots = crate::snapshot::Summary::count(
            &snapshots.dir,
            &snapshots.set,
            snapshots.update,
            results.iter().filter_map(|r| r.snapshot.as_ref()),
        );
        if let (Some(expected), true) = (expected, whole_suite) {
            outcome.orphans = orphans(&snapshots.dir.join(&snapshots.set), expected);
        }
    }
    outcome.results = results;
    outcome
}

/// The exit class of a finished run. libtest's own count has the last word: a trial that
/// failed without a recorded result (it cannot happen by design, but a bug might make it)
/// makes the run an error rather than letting it pass on the results it has.
fn exit_of(results: &[CaseResult], conclusion: &libtest_mimic::Conclusion) -> Exit {
    let failing = results.iter().filter(|r| matches!(r.status, Status::Deviated | Status::Error));
    let exit = if results.iter().any(|r| r.status == Status::Error) {
        Exit::Error
    } else if results.iter().any(|r| matches!(r.status, Status::Deviated | Status::NotRun)) {
        // A case never checked: the run cannot pass, whatever the others did.
        Exit::Failed
    } else {
        Exit::Success
    };
    if conclusion.num_failed > failing.count() as u64 { Exit::Error } else { exit }
}

/// What the run talks to and as whom: the target (the embedded mock unless one is given),
/// its credentials, and the redactor that knows them.
struct Session {
    target: Target,
    auth: Auth,
    redactor: Redactor,
    server: Option<mock::MockServer>,
}

impl Session {
    /// The session's redactor, also knowing the secret `--header` values: `Basic xyz`,
    /// `Bearer xyz`, where the credential may also appear alone.
    fn redactor_with(&self, headers: &[http::ExtraHeader]) -> Redactor {
        let mut redactor = self.redactor.clone();
        for h in headers.iter().filter(|h| h.is_secret()) {
            redactor.add_secret(&h.value);
            if let Some((_, credential)) = h.value.split_once(' ') {
                redactor.add_secret(credential.trim());
            }
        }
        redactor
    }

    fn start(opts: &RunOptions, runtime: &tokio::runtime::Runtime) -> Result<Session, Stopped> {
        let mut redactor = Redactor::new();
        let Some(t) = &opts.target else {
            let config =
                MockConfig { deviations: opts.mock_deviations.clone(), ..MockConfig::default() };
            let server = runtime.block_on(mock::spawn(config)).map_err(Stopped::Mock)?;
            // The embedded mock wants a bearer token like the real service; any will do, and
            // a fresh one per run keeps the redaction honest.
            let token = format!("exemplar-{}", uuid::Uuid::new_v4().simple());
            redactor.add_secret(&token);
            let target = Target::parse(&server.base_url()).map_err(Stopped::MockTarget)?;
            return Ok(Session {
                target,
                auth: Auth::Bearer(token.into()),
                redactor,
                server: Some(server),
            });
        };
        let target = Target::parse(t).map_err(Stopped::Target)?;
        let auth = match &opts.auth {
            AuthOptions::None => Auth::None,
            AuthOptions::Bearer(token) => {
                redactor.add_secret(token.expose_secret());
                Auth::Bearer(token.clone())
            }
            AuthOptions::ClientCredentials {
                authority,
                tenant,
                client_id,
                client_secret,
                scope,
            } => {
                redactor.add_secret(client_secret.expose_secret());
                Auth::ClientCredentials(Arc::new(TokenSource::new(
                    authority,
                    tenant,
                    client_id,
                    client_secret,
                    scope,
                )))
            }
        };
        Ok(Session { target, auth, redactor, server: None })
    }
}

/// The trials of a run: each case a libtest trial that runs on the shared runtime and records
/// its result, whatever happens to the case's task.
struct Trials {
    runner: Arc<Runner>,
    handle: tokio::runtime::Handle,
    results: Arc<Mutex<Vec<CaseResult>>>,
    twice: bool,
    phrasing: Phrasing,
    panic_case: Option<Arc<str>>,
    /// Known deviations: a case whose deviations are all excused is shown as known.
    excuse: Excuse,
    fail: FailLimit,
    events: Events,
}

/// `--fail-fast`/`--max-fail`: the failing cases so far, shared by the trials, and the count
/// at which no further case starts.
#[derive(Clone)]
struct FailLimit {
    max: Option<u64>,
    failed: Arc<AtomicU64>,
}

impl FailLimit {
    fn reached(&self) -> bool {
        self.max.is_some_and(|max| self.failed.load(Ordering::SeqCst) >= max)
    }

    fn count(&self) {
        self.failed.fetch_add(1, Ordering::SeqCst);
    }
}

impl Trials {
    fn make(&self, jobs: Vec<Job>) -> Vec<Trial> {
        jobs.into_iter().map(|job| self.trial(job)).collect()
    }

    fn trial(&self, job: Job) -> Trial {
        let kind = job.kind();
        let skipped = job.planned.skip.is_some();
        let id = job.id().to_string();
        let planned = Arc::new(job);
        let runner = Arc::clone(&self.runner);
        let results = Arc::clone(&self.results);
        let handle = self.handle.clone();
        let twice = self.twice;
        let phrasing = self.phrasing.clone();
        let events = self.events.clone();
        let panic = self.panic_case.as_deref().is_some_and(|p| p == id);
        let excuse = self.excuse.clone();
        let fail = self.fail.clone();
        Trial::ignorable_test(id, move || {
            if fail.reached() {
                return Ok(not_run(&planned.planned, &results, &events));
            }
            // The case runs on the runtime's workers, which own the sockets: its I/O wakes
            // no other thread, and this one is woken once, when the case is done.
            let case = Arc::clone(&planned);
            let task = handle.spawn(async move {
                if panic {
                    panic!("{PANIC_CASE_VAR} names this case");
                }
                if twice { runner.execute_twice(&case).await } else { runner.execute(&case).await }
            });
            let result = match handle.block_on(task) {
                Ok(r) => r,
                Err(e) => stopped_result(&planned.planned, &e),
            };
            let status = result.status;
            // A case whose deviations are all known is shown as known (an ignored trial with
            // the reason), as the gate counts it, not as FAILED.
            let excused = (status == Status::Deviated).then(|| excuse.of(&result)).flatten();
            let is_known = excused.is_some();
            let reason = excused.or_else(|| result.skip_reason.clone());
            let message = match status {
                Status::Deviated if is_known => None,
                Status::Deviated | Status::Error => Some(phrasing.phrase(&result)),
                Status::Passed | Status::Skipped | Status::NotRun => None,
            };
            if message.is_some() {
                fail.count();
            }
            events.send(Event::Finished { result: &result, failed: message.is_some() });
            // A trial that panicked while holding the lock leaves it poisoned; the results
            // in it are still whole (each push is one step), so they are kept.
            results.lock().unwrap_or_else(PoisonError::into_inner).push(result);
            match message {
                None if status == Status::Skipped || is_known => Ok(Completion::Ignored { reason }),
                None => Ok(Completion::Completed),
                Some(message) => Err(Failed::from(message)),
            }
        })
        .with_kind(kind)
        .with_ignored_flag(skipped)
    }

    fn into_results(self) -> Vec<CaseResult> {
        let results = self.results;
        match Arc::try_unwrap(results) {
            Ok(m) => m.into_inner().unwrap_or_else(PoisonError::into_inner),
            Err(shared) => shared.lock().unwrap_or_else(PoisonError::into_inner).clone(),
        }
    }
}

/// A case that `--fail-fast`/`--max-fail` keeps from starting: recorded as not run, and
/// shown by libtest as ignored with the reason.
fn not_run(planned: &Planned, results: &Mutex<Vec<CaseResult>>, events: &Events) -> Completion {
    let result = CaseResult { status: Status::NotRun, ..CaseResult::of(planned) };
    events.send(Event::Finished { result: &result, failed: false });
    results.lock().unwrap_or_else(PoisonError::into_inner).push(result);
    Completion::Ignored { reason: Some(NOT_RUN.to_string()) }
}

/// The result of a case whose task panicked or was cancelled: an `internal` error, so that
/// the case is in every report and the run cannot pass.
fn stopped_result(planned: &Planned, e: &tokio::task::JoinError) -> CaseResult {
    let kind = ErrorKind::Internal { panicked: e.is_panic() };
    CaseResult {
        status: Status::Error,
        error: Some(RunError::new(kind, "")),
        ..CaseResult::of(planned)
    }
}

/// How many trials will run (neither filtered out nor ignored), for [`Event::Started`].
fn runnable(jobs: &[Job], args: &Arguments) -> u64 {
    let n = jobs
        .iter()
        .map(|j| trial_shape(j, Trial::test(j.id(), || Ok(()))))
        .filter(|t| !args.is_filtered_out(t) && !args.is_ignored(t))
        .count();
    n as u64
}

/// The snapshots of the set that no case can have (their case was removed or renamed): they
/// are never compared, so they are reported rather than silently kept.
fn orphans(set_dir: &std::path::Path, expected: &BTreeSet<PathBuf>) -> Vec<PathBuf> {
    walkdir::WalkDir::new(set_dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file() && e.path().extension().is_some_and(|x| x == "snap"))
        .map(|e| e.into_path())
        .filter(|p| !expected.contains(p))
        .collect()
}

/// Name-independent trial settings: the HTTP method as kind, skips decided before the run.
fn trial_shape(job: &Job, trial: Trial) -> Trial {
    trial.with_kind(job.kind()).with_ignored_flag(job.planned.skip.is_some())
}

/// The result of a case skipped before the run (its `skip`, or no documented response).
fn skipped_result(planned: &Planned) -> CaseResult {
    CaseResult {
        status: Status::Skipped,
        skip_reason: planned.skip.clone(),
        ..CaseResult::of(planned)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stopped_run_counts_its_problems_in_words_that_agree() {
        let problem = || {
            crate::behaviour::BehaviourError::Data(crate::case::FileError::Io {
                path: "cases/behaviour.json".into(),
                source: std::io::Error::other("gone"),
            })
        };
        let one = Stopped::Behaviour(vec![problem()]);
        assert_eq!(one.to_string(), "1 behaviour data problem; nothing was run");
        let two = Stopped::Behaviour(vec![problem(), problem()]);
        assert_eq!(two.to_string(), "2 behaviour data problems; nothing was run");
    }
}
