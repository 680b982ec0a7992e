//! The contract suite as a libtest-mimic harness: each case is a `Trial` named by its id, with
//! its HTTP method as the kind, so libtest's flags (`FILTER`, `--exact`, `--skip`, `--list`,
//! `--ignored`, `--include-ignored`, `--test-threads`, `-q`, `--format`) and nextest work.
//!
//! `--list` loads the cases and prints the list, and nothing else: no runtime, no server, no
//! other output on stdout. `--exact NAME` loads only that case file when its id says where it
//! is. Otherwise one tokio runtime and one HTTP client serve every trial; trials run on
//! libtest's worker threads and `block_on` the shared runtime.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use libtest_mimic::{Arguments, Completion, Failed, Trial};

use crate::check::TypeRegistry;
use crate::cli::Exit;
use crate::mock::{self, MockConfig};
use crate::plan::{self, Partition, Planned};
use crate::redact::Redactor;
use crate::report::console::{self, Style};
use crate::snapshot::{Rules, Store, Update};

use super::execute::Runner;
use super::http::{self, Auth, ClientSettings, Retry, Target, TokenSource};
use super::result::{CaseResult, Status};

/// Concurrency when `--test-threads` is not given: requests wait on the network, not the CPU,
/// so the core count is the wrong measure; 8 keeps a real service well below throttling.
pub const DEFAULT_THREADS: usize = 8;

/// How to authenticate against the target.
#[derive(Debug, Clone, Default)]
pub enum AuthOptions {
    #[default]
    None,
    Bearer(String),
    ClientCredentials {
        authority: String,
        tenant: String,
        client_id: String,
        client_secret: String,
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
    /// Show a progress bar on stderr.
    pub progress: bool,
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
            progress: false,
        }
    }
}

/// The outcome of a run: its exit code and every result, for the report files.
#[derive(Debug)]
pub struct RunOutcome {
    pub exit: Exit,
    pub results: Vec<CaseResult>,
}

fn color(args: &Arguments) -> bool {
    match args.color {
        Some(libtest_mimic::ColorSetting::Always) => true,
        Some(libtest_mimic::ColorSetting::Never) => false,
        _ => std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
    }
}

/// Runs the cases of `opts.cases` and prints the libtest-style report.
pub fn run(mut opts: RunOptions) -> RunOutcome {
    let mut err = std::io::stderr().lock();
    let only = opts.libtest.exact.then_some(opts.libtest.filter.as_deref()).flatten();
    let mut plan = plan::plan_dir(&opts.cases, only);
    if !plan.errors.is_empty() {
        for e in &plan.errors {
            let _ = writeln!(err, "error: {e}");
        }
        let _ = writeln!(
            err,
            "error: {} case file problem(s) in {}; nothing was run",
            plan.errors.len(),
            opts.cases.display()
        );
        return RunOutcome { exit: Exit::Usage, results: Vec::new() };
    }
    if opts.behaviour {
        match crate::behaviour::plan(&opts.cases, &plan) {
            Ok(checks) => plan.cases.extend(checks),
            Err(errors) => {
                for e in &errors {
                    let _ = writeln!(err, "error: {e}");
                }
                return RunOutcome { exit: Exit::Usage, results: Vec::new() };
            }
        }
    }
    if let Some(partition) = &opts.partition {
        plan.cases = partition.select(std::mem::take(&mut plan.cases), |p| &p.case.id);
    }
    if opts.libtest.list {
        let trials = plan
            .cases
            .iter()
            .map(|p| trial_shape(p, Trial::test(p.case.id.clone(), || Ok(()))))
            .collect();
        let _ = libtest_mimic::run(&opts.libtest, trials);
        return RunOutcome { exit: Exit::Success, results: Vec::new() };
    }
    opts.libtest.test_threads.get_or_insert(DEFAULT_THREADS);
    drop(err);

    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => return fail(format!("cannot start the async runtime: {e}")),
    };
    let mut redactor = Redactor::new();
    let (target, auth, server) = match &opts.target {
        Some(t) => {
            let target = match Target::parse(t) {
                Ok(t) => t,
                Err(e) => return usage(e),
            };
            let auth = match &opts.auth {
                AuthOptions::None => Auth::None,
                AuthOptions::Bearer(token) => {
                    redactor.add_secret(token);
                    Auth::Bearer(token.clone())
                }
                AuthOptions::ClientCredentials {
                    authority,
                    tenant,
                    client_id,
                    client_secret,
                    scope,
                } => {
                    redactor.add_secret(client_secret);
                    Auth::ClientCredentials(Arc::new(TokenSource::new(
                        authority,
                        tenant,
                        client_id,
                        client_secret,
                        scope,
                    )))
                }
            };
            (target, auth, None)
        }
        None => {
            let config =
                MockConfig { deviations: opts.mock_deviations.clone(), ..MockConfig::default() };
            let server = match runtime.block_on(mock::spawn(config)) {
                Ok(s) => s,
                Err(e) => return fail(format!("cannot start the reference mock: {e}")),
            };
            // The embedded mock wants a bearer token like the real service; any will do, and
            // a fresh one per run keeps the redaction honest.
            let token = format!("exemplar-{}", uuid::Uuid::new_v4().simple());
            redactor.add_secret(&token);
            let target = match Target::parse(&server.base_url()) {
                Ok(t) => t,
                Err(e) => return fail(e),
            };
            (target, Auth::Bearer(token), Some(server))
        }
    };
    let client = match http::client(&opts.client) {
        Ok(c) => c,
        Err(e) => return usage(e),
    };
    let mut runner =
        Runner::new(client, target, auth, TypeRegistry::new(plan.types.iter()), redactor);
    runner.retry = opts.retry;
    runner.slow = opts.slow;
    runner.contract = opts.contract;
    runner.snapshots = opts.snapshots.as_ref().map(|s| Store {
        dir: s.dir.clone(),
        set: s.set.clone(),
        update: s.update,
        rules: Rules::graph(),
        cases: opts.cases.clone(),
    });
    let twice = opts.record_twice;
    // Every snapshot the cases can have, to find the ones left behind by removed cases.
    let expected: Option<std::collections::BTreeSet<PathBuf>> =
        runner.snapshots.as_ref().map(|store| {
            plan.cases
                .iter()
                .map(|p| {
                    store.path_of(&crate::snapshot::Subject {
                        case_file: &p.path,
                        case_id: &p.case.id,
                        description: String::new(),
                        expression: String::new(),
                    })
                })
                .collect()
        });
    let whole_suite =
        opts.libtest.filter.is_none() && opts.libtest.skip.is_empty() && opts.partition.is_none();
    let runner = Arc::new(runner);
    let results: Arc<Mutex<Vec<CaseResult>>> = Arc::default();
    let style = Style { color: color(&opts.libtest) };

    // Cases skipped before the run never reach a trial's closure; the reports still list them
    // with their reason, unless libtest's filters leave them out.
    let skipped: Vec<CaseResult> = plan
        .cases
        .iter()
        .filter(|p| p.skip.is_some())
        .filter(|p| {
            let trial = trial_shape(p, Trial::test(p.case.id.clone(), || Ok(())));
            !opts.libtest.is_filtered_out(&trial) && opts.libtest.is_ignored(&trial)
        })
        .map(skipped_result)
        .collect();

    // A progress bar over the trials that will run.
    let bar = opts.progress.then(|| {
        let runs = plan
            .cases
            .iter()
            .map(|p| trial_shape(p, Trial::test(p.case.id.clone(), || Ok(()))))
            .filter(|t| !opts.libtest.is_filtered_out(t) && !opts.libtest.is_ignored(t))
            .count();
        progress_bar(runs as u64)
    });

    let handle = runtime.handle().clone();
    let trials = plan
        .cases
        .into_iter()
        .map(|planned| {
            let runner = Arc::clone(&runner);
            let results = Arc::clone(&results);
            let handle = handle.clone();
            let id = planned.case.id.clone();
            let kind = kind_of(&planned);
            let skipped = planned.skip.is_some();
            let bar = bar.clone();
            let trial = Trial::ignorable_test(id, move || {
                // The case runs on the runtime's workers, which own the sockets: its I/O
                // wakes no other thread, and this one is woken once, when the case is done.
                let case = Arc::clone(&runner);
                let task = handle.spawn(async move {
                    if twice {
                        case.execute_twice(&planned).await
                    } else {
                        case.execute(&planned).await
                    }
                });
                let result = match handle.block_on(task) {
                    Ok(r) => r,
                    Err(e) => return Err(Failed::from(format!("the case stopped: {e}"))),
                };
                if let Some(bar) = &bar {
                    bar.inc(1);
                }
                let message = console::failure(&result, style);
                let status = result.status;
                let reason = result.skip_reason.clone();
                if let Ok(mut all) = results.lock() {
                    all.push(result);
                }
                match status {
                    Status::Passed => Ok(Completion::Completed),
                    Status::Skipped => Ok(Completion::Ignored { reason }),
                    Status::Deviated | Status::Error => Err(Failed::from(message)),
                }
            });
            trial.with_kind(kind).with_ignored_flag(skipped)
        })
        .collect();
    let _conclusion = libtest_mimic::run(&opts.libtest, trials);
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    if let Some(server) = server {
        runtime.block_on(server.shutdown());
    }
    let mut results = match Arc::try_unwrap(results) {
        Ok(m) => m.into_inner().unwrap_or_default(),
        Err(shared) => shared.lock().map(|r| r.clone()).unwrap_or_default(),
    };
    results.extend(skipped);
    results.sort_by(|a, b| a.id.cmp(&b.id));
    if let Some(snapshots) = &opts.snapshots {
        summarise_snapshots(&results, snapshots);
        if let (Some(expected), true) = (&expected, whole_suite) {
            report_orphans(&snapshots.dir.join(&snapshots.set), expected);
        }
    }
    let exit = if results.iter().any(|r| r.status == Status::Error) {
        Exit::Error
    } else if results.iter().any(|r| r.status == Status::Deviated) {
        Exit::Failed
    } else {
        Exit::Success
    };
    RunOutcome { exit, results }
}

/// One line about the snapshots after the run, on stderr: what was written and what waits for
/// review.
fn summarise_snapshots(results: &[CaseResult], opts: &SnapshotOptions) {
    use crate::snapshot::SnapshotState as S;
    let mut counts = [0usize; 5];
    let mut pending = 0;
    for r in results {
        if let Some(s) = &r.snapshot {
            counts[match s.state {
                S::Matched => 0,
                S::Written => 1,
                S::Missing => 2,
                S::Changed => 3,
                S::Unstable => 4,
            }] += 1;
            pending += usize::from(s.pending.is_some());
        }
    }
    if counts.iter().sum::<usize>() == 0 {
        return;
    }
    let mut line = format!(
        "snapshots ({}/{}): {} matched, {} written, {} missing, {} changed",
        opts.dir.display(),
        opts.set,
        counts[0],
        counts[1],
        counts[2],
        counts[3]
    );
    if counts[4] > 0 {
        line.push_str(&format!(", {} unstable", counts[4]));
    }
    if pending > 0 {
        line.push_str(&format!(
            "; {pending} pending .snap.new file(s): review with `cargo insta review` or run again with --accept"
        ));
    } else if opts.update == Update::No && counts[2] + counts[3] > 0 {
        line.push_str("; nothing written (CI or --check)");
    }
    let _ = writeln!(std::io::stderr(), "{line}");
}

/// Lists the snapshots of the set that no case can have (their case was removed or renamed):
/// they are never compared, so they are reported rather than silently kept.
fn report_orphans(set_dir: &std::path::Path, expected: &std::collections::BTreeSet<PathBuf>) {
    let orphans: Vec<PathBuf> = walkdir::WalkDir::new(set_dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file() && e.path().extension().is_some_and(|x| x == "snap"))
        .map(|e| e.into_path())
        .filter(|p| !expected.contains(p))
        .collect();
    if orphans.is_empty() {
        return;
    }
    let mut err = std::io::stderr().lock();
    let _ = writeln!(
        err,
        "{} snapshot(s) belong to no case; delete them if the case is gone:",
        orphans.len()
    );
    for p in orphans {
        let _ = writeln!(err, "  {}", p.display());
    }
}

/// Name-independent trial settings: the HTTP method as kind, skips decided before the run.
fn trial_shape(planned: &Planned, trial: Trial) -> Trial {
    trial.with_kind(kind_of(planned)).with_ignored_flag(planned.skip.is_some())
}

/// A trial's kind: the HTTP method of a case, `behaviour` for a behaviour check.
fn kind_of(planned: &Planned) -> String {
    match planned.behaviour {
        Some(_) => "behaviour".into(),
        None => planned.case.request.method.clone(),
    }
}

fn progress_bar(len: u64) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::with_draw_target(
        Some(len),
        indicatif::ProgressDrawTarget::stderr(),
    );
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{spinner} [{elapsed_precise}] {bar:40} {pos}/{len} cases",
    ) {
        bar.set_style(style);
    }
    bar
}

/// The result of a case skipped before the run (its `skip`, or no documented response).
fn skipped_result(planned: &Planned) -> CaseResult {
    CaseResult {
        status: Status::Skipped,
        skip_reason: planned.skip.clone(),
        ..CaseResult::of(planned)
    }
}

fn fail(message: String) -> RunOutcome {
    let _ = writeln!(std::io::stderr(), "error: {message}");
    RunOutcome { exit: Exit::Error, results: Vec::new() }
}

fn usage(message: String) -> RunOutcome {
    let _ = writeln!(std::io::stderr(), "error: {message}");
    RunOutcome { exit: Exit::Usage, results: Vec::new() }
}

/// Entry point of `tests/contract.rs`: the committed cases against the reference mock, with
/// the test binary's own libtest arguments, so `cargo test` and `cargo nextest run` run them.
pub fn contract_test_main(cases: PathBuf, snapshots: PathBuf) -> std::process::ExitCode {
    let mut opts = RunOptions::new(cases, Arguments::from_args());
    let update = match Update::decide(
        false,
        false,
        crate::snapshot::is_ci(),
        std::env::var("INSTA_UPDATE").ok().as_deref(),
    ) {
        Ok(u) => u,
        Err(e) => return usage(e).exit.into(),
    };
    opts.snapshots =
        Some(SnapshotOptions { dir: snapshots, set: crate::snapshot::DEFAULT_SET.into(), update });
    run(opts).exit.into()
}
