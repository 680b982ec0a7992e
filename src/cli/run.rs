//! `exemplar run`: the cases against a target (the embedded reference mock by default), as a
//! libtest-style suite.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::Duration;

use clap::Args;

use crate::mock;
use crate::report::console;
use crate::run::harness::{
    AuthOptions, Event, Events, Phrasing, RunOptions, RunOutcome, SnapshotOptions, Stopped,
};
use crate::run::http::{ClientSettings, Retry};
use crate::snapshot;

use super::Exit;

/// The Microsoft identity platform, where client credentials are exchanged for tokens.
const AUTHORITY: &str = "https://login.microsoftonline.com";

/// The `response-slow` bound against a real target, in milliseconds.
pub const DEFAULT_SLOW_MS: u64 = 2000;

/// The options of `exemplar run`. libtest's own flags are flattened in at the end (so filters,
/// `--exact`, `--skip`, `--list`, `--format` work as under `cargo test`); the ones that do
/// nothing here are hidden, and the ones people ask about are explained in our words.
#[derive(Debug, Args)]
#[command(
    help_template = "{about-with-newline}\n{usage-heading} {usage}\n\n{all-args}{after-help}",
    after_help = RUN_AFTER_HELP,
    after_long_help = RUN_AFTER_HELP,
    mut_arg("filter", |a| a.value_name("FILTER")
        .help("Run only the cases whose id contains FILTER (with --exact: whose id is FILTER)")),
    mut_arg("ignored", |a| a.help("Run only the ignored cases: those skipped by a `skip` reason in their case file")),
    mut_arg("include_ignored", |a| a.help("Run the ignored cases too, beside all the others")),
    mut_arg("list", |a| a.help("List the case ids (with their kind) and exit; starts nothing")),
    mut_arg("exact", |a| a.help("Match FILTER against whole case ids, not substrings")),
    mut_arg("skip", |a| a.help("Leave out the cases whose id contains FILTER (repeatable)")),
    mut_arg("test_threads", |a| a.value_name("N")
        .help(format!("How many cases run at once [default: {}]", crate::run::harness::DEFAULT_THREADS))),
    mut_arg("quiet", |a| a.help("One character per case instead of one line (`--format terse`)").long_help(None)),
    mut_arg("color", |a| a.help("Colour the output: auto (when on a terminal), always, never").long_help(None).hide_possible_values(true)),
    mut_arg("format", |a| a.help("How cases are listed: pretty (a line each), terse (a character each), json (libtest events)").long_help(None).hide_possible_values(true)),
    mut_arg("test", |a| a.hide(true)),
    mut_arg("bench", |a| a.hide(true)),
    mut_arg("nocapture", |a| a.hide(true)),
    mut_arg("show_output", |a| a.hide(true)),
    mut_arg("unstable_flags", |a| a.hide(true)),
    mut_arg("logfile", |a| a.hide(true)),
)]
pub struct RunArgs {
    /// The cases directory.
    #[arg(long, value_name = "DIR", default_value = "cases")]
    pub cases: PathBuf,
    /// Base URL of the target. Documented URLs keep their path (`/beta/...`) and get this
    /// scheme, host and path prefix. Default: start the reference mock on loopback.
    #[arg(long, value_name = "URL")]
    pub target: Option<String>,
    /// Send `Authorization: Bearer <token>` with the token read from this environment variable.
    #[arg(long, value_name = "VAR", conflicts_with = "client_id")]
    pub token_env: Option<String>,
    /// Tenant for the OAuth2 client-credentials flow.
    #[arg(long, value_name = "TENANT", requires_all = ["client_id", "client_secret_env"])]
    pub tenant: Option<String>,
    /// Application (client) id for the client-credentials flow.
    #[arg(long, value_name = "ID", requires = "tenant")]
    pub client_id: Option<String>,
    /// Send this header with every request: `--header 'Name: value'`, repeatable. Values of
    /// credential headers (`Authorization`, `Cookie`, API keys) are redacted like tokens.
    #[arg(long = "header", short = 'H', value_name = "'NAME: VALUE'")]
    pub headers: Vec<crate::run::http::ExtraHeader>,
    /// Environment variable holding the client secret.
    #[arg(long, value_name = "VAR", requires = "tenant")]
    pub client_secret_env: Option<String>,
    /// Token authority (default: the Microsoft identity platform).
    #[arg(long, value_name = "URL", default_value = AUTHORITY)]
    pub authority: String,
    /// OAuth2 scope to request.
    #[arg(long, value_name = "SCOPE", default_value = "https://graph.microsoft.com/.default")]
    pub scope: String,
    /// Total time allowed for one request, in seconds (at least 1).
    #[arg(long, value_name = "SECS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..))]
    pub timeout: u64,
    /// Time allowed to connect, in seconds (at least 1).
    #[arg(long, value_name = "SECS", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..))]
    pub connect_timeout: u64,
    /// How often a 429 or 503 is retried (honouring Retry-After).
    #[arg(long, value_name = "N", default_value_t = 3)]
    pub retries: u32,
    /// A response slower than this many milliseconds is a `response-slow` deviation (0: off).
    /// Default: 2000 against a `--target`; off against the embedded mock (whose speed is the
    /// machine's, not a target's), unless `--mock-deviate slow` asks to see it caught.
    #[arg(long, value_name = "MS")]
    pub slow: Option<u64>,
    /// Send every request through this proxy (otherwise the usual proxy variables apply).
    #[arg(long, value_name = "URL")]
    pub proxy: Option<String>,
    /// Trust this PEM CA certificate (bundle) too; may be repeated.
    #[arg(long, value_name = "FILE")]
    pub cacert: Vec<PathBuf>,
    /// Accept any TLS certificate. Never on unless asked.
    #[arg(long)]
    pub insecure: bool,
    /// Make the embedded reference mock deviate (for demonstrations and exemplar's own tests).
    #[arg(long, value_name = "KIND", value_delimiter = ',', conflicts_with = "target")]
    pub mock_deviate: Vec<mock::Deviation>,
    /// The snapshots directory.
    #[arg(long, value_name = "DIR", default_value = "snapshots")]
    pub snapshots: PathBuf,
    /// The snapshot set to compare with: recordings of one target, kept side by side with
    /// others (e.g. `graph-beta` recorded from the real service).
    #[arg(long, value_name = "NAME", default_value = snapshot::DEFAULT_SET)]
    pub snapshot_set: String,
    /// Which checks to make: `contract` (the documentation's promises), `snapshot` (what
    /// the snapshot set recorded) and `behaviour` (what the target does: reads after writes,
    /// deletes, negative requests), comma-separated.
    #[arg(
        long,
        value_name = "LAYER,...",
        value_delimiter = ',',
        default_value = "contract,snapshot,behaviour"
    )]
    pub checks: Vec<Layer>,
    /// Write new and changed snapshots in place (instead of `.snap.new` files for review).
    #[arg(long, conflicts_with = "check")]
    pub accept: bool,
    /// Never write a snapshot or a pending file, as when `CI` is set.
    #[arg(long)]
    pub check: bool,
    /// Run every case twice and report values that differ between the two recordings,
    /// proposing them for the case's `volatile` list.
    #[arg(long)]
    pub record_twice: bool,
    /// Let a run that selects no case pass (by default it is a usage error: a filter with a
    /// typo, an empty cases directory or an empty shard would otherwise pass the gate).
    #[arg(long)]
    pub allow_empty: bool,
    // Reports and the CI gate.
    #[command(flatten)]
    pub reports: super::report::ReportFiles,
    #[command(flatten)]
    pub gate: super::report::GateArgs,
    /// Run only one CI shard: `hash:K/N` or `count:K/N` (K-th of N parts of the cases).
    #[arg(long, value_name = "hash:K/N|count:K/N")]
    pub partition: Option<crate::plan::Partition>,

    /// Print the requests and responses of failing cases (headers and bodies, redacted as in
    /// the reports); `-vv`: of every case, each as it ends.
    #[arg(short, long, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// Stop starting new cases after the first failing one (as `--max-fail 1`).
    #[arg(long, conflicts_with = "max_fail")]
    pub fail_fast: bool,
    /// Stop starting new cases after N failing ones. Cases already running finish and tear
    /// down their fixtures; the cases not started are reported as not run; the reports are
    /// written and the run fails.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub max_fail: Option<u64>,
    /// Start the target with this shell command before the run, wait until `--target`
    /// accepts connections, and stop it (its whole process group) when the run ends.
    #[arg(long, value_name = "CMD", requires = "target")]
    pub server: Option<String>,
    /// How long `--server` may take to accept connections, in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 10, requires = "server",
          value_parser = clap::value_parser!(u64).range(1..))]
    pub server_wait: u64,

    #[command(flatten)]
    pub libtest: libtest_mimic::Arguments,
}

/// The end of `run --help`: what the libtest-style flags mean for cases.
const RUN_AFTER_HELP: &str = "\
Cases run in parallel (--test-threads). A case is ignored when its case file gives a `skip`
reason: --ignored runs only those, --include-ignored runs them with the rest. A case whose
deviations are all listed in the known-deviations file shows as `ignored (known: ...)`.

Exit codes: 0 every case conformed, 1 deviations (the gate failed), 2 a usage or case-file
problem, 3 exemplar could not run (a target it could not reach, a fixture that failed).";

/// A layer of checking.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Layer {
    /// The documented contract: status, headers, body per field, resource types.
    Contract,
    /// The recorded snapshot of the chosen set.
    Snapshot,
    /// The behaviour checks generated from the cases and `cases/behaviour.json`.
    Behaviour,
}

/// An option value `run` refuses before anything runs.
#[derive(Debug, thiserror::Error)]
enum OptionError {
    #[error("environment variable `{0}` is not set")]
    Unset(String),
    #[error("environment variable `{0}` is not valid Unicode")]
    NotUnicode(String),
    #[error("--header Authorization and --token-env/--tenant both set the credentials; give one")]
    TwoCredentials,
    #[error(
        "--header Authorization: the embedded mock gets a token of its own; use it with --target"
    )]
    AuthorizationForTheMock,
    #[error("--test-threads 0: at least one thread is needed to run a case")]
    NoThreads,
    #[error("--proxy `{0}`: not an http:// or https:// URL")]
    Proxy(String),
    #[error("there is no `cases/` directory here ({here}), so there is nothing to run")]
    NoProject { here: String },
    #[error("--cases {}: not a directory", .0.display())]
    CasesNotADirectory(PathBuf),
    #[error("--cases {}: no such directory (in {here})", .cases.display())]
    NoCases { cases: PathBuf, here: String },
    #[error(transparent)]
    CaCert(#[from] crate::run::http::CaCertError),
    #[error(transparent)]
    SameFile(#[from] crate::report::output::SameFile),
}

impl OptionError {
    /// What to do instead, when there is something to say.
    fn hint(&self) -> Option<String> {
        match self {
            OptionError::Proxy(proxy) => {
                let example = if proxy.contains("://") {
                    "http://proxy.example:3128".to_string()
                } else {
                    format!("http://{proxy}")
                };
                Some(format!("give the proxy with its scheme: --proxy {example}"))
            }
            OptionError::NoProject { .. } => Some(
                "run exemplar in a project's directory, point at its cases with --cases DIR, \
                 or write cases from documentation pages with `exemplar extract`"
                    .into(),
            ),
            _ => None,
        }
    }

    /// Says the error, its causes and its hint on stderr: a usage error.
    fn usage(&self) -> Exit {
        use std::io::Write;
        let mut text = super::error_chain(self);
        if let Some(hint) = self.hint() {
            text.push_str(&format!("hint: {hint}\n"));
        }
        let _ = write!(std::io::stderr(), "{text}");
        Exit::Usage
    }
}

fn env(var: &str) -> Result<String, OptionError> {
    std::env::var(var).map_err(|e| match e {
        std::env::VarError::NotPresent => OptionError::Unset(var.to_string()),
        std::env::VarError::NotUnicode(_) => OptionError::NotUnicode(var.to_string()),
    })
}

/// Refuses option values that would make the run meaningless or hang, before anything runs.
fn check_options(args: &RunArgs) -> Result<(), OptionError> {
    let authorization = args.headers.iter().any(|h| h.name.eq_ignore_ascii_case("authorization"));
    if authorization && (args.token_env.is_some() || args.tenant.is_some()) {
        return Err(OptionError::TwoCredentials);
    }
    if authorization && args.target.is_none() {
        return Err(OptionError::AuthorizationForTheMock);
    }
    if args.libtest.test_threads == Some(0) {
        return Err(OptionError::NoThreads);
    }
    if let Some(proxy) = &args.proxy {
        let url = reqwest::Url::parse(proxy);
        if !url.as_ref().is_ok_and(|u| matches!(u.scheme(), "http" | "https")) {
            return Err(OptionError::Proxy(proxy.clone()));
        }
    }
    if !args.cases.is_dir() {
        return Err(no_cases(&args.cases));
    }
    crate::run::http::ca_certificates(&args.cacert)?;
    Ok(args.reports.outputs().check_distinct()?)
}

/// `exemplar run` where there are no cases: outside a project, or a `--cases` that names
/// nothing.
fn no_cases(cases: &std::path::Path) -> OptionError {
    let here = std::env::current_dir().map(|d| d.display().to_string()).unwrap_or_default();
    if cases == std::path::Path::new("cases") {
        OptionError::NoProject { here }
    } else if cases.exists() {
        OptionError::CasesNotADirectory(cases.to_path_buf())
    } else {
        OptionError::NoCases { cases: cases.to_path_buf(), here }
    }
}

pub fn run(args: RunArgs) -> Exit {
    if let Err(e) = check_options(&args) {
        return e.usage();
    }
    let auth = match (&args.token_env, &args.tenant) {
        (Some(var), _) => match env(var) {
            Ok(token) => AuthOptions::Bearer(token.into()),
            Err(e) => return e.usage(),
        },
        (None, Some(tenant)) => {
            let secret_var = args.client_secret_env.clone().unwrap_or_default();
            let secret = match env(&secret_var) {
                Ok(s) => s,
                Err(e) => return e.usage(),
            };
            AuthOptions::ClientCredentials {
                authority: args.authority.clone(),
                tenant: tenant.clone(),
                client_id: args.client_id.clone().unwrap_or_default(),
                client_secret: secret.into(),
                scope: args.scope.clone(),
            }
        }
        (None, None) => AuthOptions::None,
    };
    // Reports and the CI gate: the files the gate compares with are read before the run.
    let gate = match args.gate.load() {
        Ok(g) => g,
        Err(e) => return e.usage(),
    };
    // The ids of the whole cases directory: a known-deviations entry must name one of them,
    // and a shard records them so that `report merge` can tell its shards belong together.
    // Case files that do not load are the runner's to report, with their lines.
    let mut case_set = None;
    if gate.known().is_some() || args.partition.is_some() {
        let dir = crate::case::load_dir(&args.cases);
        if dir.errors.is_empty() {
            let ids: std::collections::BTreeSet<&str> =
                dir.cases.iter().map(|c| c.case.id.as_str()).collect();
            if let Some(known) = gate.known() {
                if let Err(e) = known.check_cases(&ids, &args.cases.display().to_string()) {
                    return usage(&e.to_string());
                }
            }
            case_set = args.partition.map(|_| crate::report::model::CaseSet::of(ids));
        }
    }
    let listing = args.libtest.list;
    // Started last among the checks, so that a usage error starts nothing; `--list` starts
    // nothing either. Stopped when this function returns, however it returns.
    let _server = match (&args.server, &args.target, listing) {
        (Some(command), Some(target), false) => {
            let wait = Duration::from_secs(args.server_wait);
            match super::server::Server::start(command, target, wait) {
                Ok(server) => Some(server),
                Err(e) => {
                    use std::io::Write;
                    let _ = write!(std::io::stderr(), "{}", super::error_chain(&e));
                    return Exit::Error;
                }
            }
        }
        _ => None,
    };
    let console = super::report::Console {
        color: match args.libtest.color {
            Some(libtest_mimic::ColorSetting::Always) => true,
            Some(libtest_mimic::ColorSetting::Never) => false,
            _ => std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
        },
        annotations: super::report::in_github_actions(),
    };
    // The bar shares no terminal with libtest's lines, and stays out of CI logs.
    let progress = std::io::stderr().is_terminal()
        && !std::io::stdout().is_terminal()
        && std::env::var_os("CI").is_none();
    let target_name = match &args.target {
        Some(t) => t.clone(),
        None => reference_mock_name(&args.mock_deviate),
    };

    let slow = slow_bound(args.slow, args.target.is_some(), &args.mock_deviate);
    let filter = args.libtest.filter.clone();
    let skips = !args.libtest.skip.is_empty();
    let cases_dir = args.cases.display().to_string();
    let mut opts = RunOptions::new(args.cases, args.libtest);
    opts.target = args.target;
    opts.auth = auth;
    opts.headers = args.headers.clone();
    if let Some(known) = gate.known().cloned() {
        let today = crate::report::known::today();
        opts.excuse = crate::run::Excuse::new(move |result| {
            known.excuses_all(
                &result.id,
                result.deviations.iter().map(|d| (d.code.as_str(), d.path.as_str())),
                &today,
            )
        });
    }
    opts.client = ClientSettings {
        connect_timeout: Duration::from_secs(args.connect_timeout),
        timeout: Duration::from_secs(args.timeout),
        proxy: args.proxy,
        ca_certs: args.cacert,
        insecure: args.insecure,
    };
    opts.retry = Retry { max_retries: args.retries, ..Retry::default() };
    opts.slow = slow;
    opts.mock_deviations = args.mock_deviate;
    if args.checks.is_empty() {
        return usage("--checks needs at least one of contract, snapshot, behaviour");
    }
    opts.contract = args.checks.contains(&Layer::Contract);
    opts.behaviour = args.checks.contains(&Layer::Behaviour);
    if args.checks.contains(&Layer::Snapshot) {
        let ci = snapshot::is_ci();
        let insta = std::env::var("INSTA_UPDATE").ok();
        let update = match snapshot::Update::decide(args.accept, args.check, ci, insta.as_deref()) {
            Ok(u) => u,
            Err(e) => return usage(&e.to_string()),
        };
        if ci && args.accept {
            use std::io::Write;
            let _ = writeln!(
                std::io::stderr(),
                "note: CI is set, so --accept writes nothing; run without CI to record snapshots"
            );
        }
        if !valid_set_name(&args.snapshot_set) {
            return usage(&format!(
                "snapshot set `{}`: use letters, digits, `-`, `_` and `.` only",
                args.snapshot_set
            ));
        }
        opts.snapshots =
            Some(SnapshotOptions { dir: args.snapshots, set: args.snapshot_set, update });
    }
    opts.record_twice = args.record_twice;
    opts.partition = args.partition;
    opts.events = events(progress, args.verbose);
    opts.max_fail = args.max_fail.or(args.fail_fast.then_some(1));
    opts.phrasing = phrasing(&opts.libtest, args.verbose);

    let started = std::time::Instant::now();
    let started_at = crate::report::model::timestamp(time::OffsetDateTime::now_utc());
    let outcome = crate::run::run(opts);
    tell(&outcome);
    // Reports and the CI gate: written after the run from the collected results.
    if listing || outcome.stopped.is_some() {
        return outcome.exit;
    }
    if let Some(e) = refused(&outcome.results) {
        use std::io::Write;
        let _ = writeln!(std::io::stderr(), "error: {e}");
    }
    if outcome.results.is_empty() && !args.allow_empty {
        return usage(&nothing_ran(filter.as_deref(), skips, &cases_dir, args.partition.as_ref()));
    }
    let info = crate::report::RunInfo {
        partition: args.partition.map(|p| p.to_string()),
        case_set,
        started: Some(started_at),
        ..crate::report::RunInfo::new(
            target_name,
            u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
        )
    };
    let outputs = args.reports.outputs();
    let report = if outputs.any() || console.annotations {
        crate::report::Report::new(&outcome.results, info)
    } else {
        crate::report::Report::verdicts_only(&outcome.results, info)
    };
    let exit = super::report::finish(report, &gate, &outputs, console);
    match outcome.cut_short {
        Some(cut) => {
            use std::io::Write;
            let _ = writeln!(std::io::stderr(), "{}", cut_short(cut, args.fail_fast));
            // Cases that were never checked: the run cannot pass, whatever the gate says.
            exit.worst(Exit::Failed)
        }
        None => exit,
    }
}

/// What `--fail-fast`/`--max-fail` left out, after the verdict.
fn cut_short(cut: crate::run::harness::CutShort, fail_fast: bool) -> String {
    use crate::words::plural;
    let after = if fail_fast {
        "--fail-fast stopped the run after the first failing case".to_string()
    } else {
        format!(
            "--max-fail {} stopped the run after {}",
            cut.max_fail,
            plural(cut.max_fail, "failing case", "failing cases")
        )
    };
    format!(
        "exemplar: {after}; {} (reported as `not-run`), so the run fails",
        crate::report::phrase::not_run(crate::report::model::count(cut.not_run))
    )
}

/// What the edge shows while the run goes on, from the run's events: a progress bar on a
/// terminal, and with `-vv` the exchanges of each case that did not fail, on stderr the
/// moment it ends (a failing case's are under its failure, as with `-v`).
fn events(progress: bool, verbose: u8) -> Events {
    use std::sync::{Mutex, PoisonError};
    if !progress && verbose < 2 {
        return Events::default();
    }
    let bar: Mutex<Option<indicatif::ProgressBar>> = Mutex::new(None);
    Events::new(move |event| {
        // The bar's lock also keeps two cases' exchanges from interleaving.
        let mut bar = bar.lock().unwrap_or_else(PoisonError::into_inner);
        match event {
            Event::Started { cases } => {
                *bar = progress.then(|| progress_bar(cases));
            }
            Event::Finished { result, failed } => {
                if verbose >= 2 && !failed && !result.exchanges.is_empty() {
                    let case = crate::report::model::CaseReport::from(result);
                    let text = console::finished_exchanges(&case);
                    let print = || {
                        use std::io::Write;
                        let _ = std::io::stderr().lock().write_all(text.as_bytes());
                    };
                    match bar.as_ref() {
                        Some(b) => b.suspend(print),
                        None => print(),
                    }
                }
                if let Some(b) = bar.as_ref() {
                    b.inc(1);
                }
            }
            Event::Done => {
                if let Some(b) = bar.take() {
                    b.finish_and_clear();
                }
            }
        }
    })
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

/// The one error of a run whose first requests the target refused (401/403): what to pass.
fn refused(results: &[crate::run::result::CaseResult]) -> Option<String> {
    use crate::run::result::ErrorCode;
    let first_status = |r: &crate::run::result::CaseResult| {
        r.exchanges.first()?.response.as_ref().map(|x| x.status)
    };
    let stopped = results
        .iter()
        .any(|r| r.error.as_ref().is_some_and(|e| e.code() == ErrorCode::AuthRefused));
    let sent: Vec<u16> = results.iter().filter_map(first_status).collect();
    let all_refused = !sent.is_empty() && sent.iter().all(|s| matches!(s, 401 | 403));
    if !stopped && !all_refused {
        return None;
    }
    let status = sent.iter().find(|s| matches!(s, 401 | 403)).copied().unwrap_or(401);
    Some(format!(
        "the target answered {status} to the run's first requests{}: it wants credentials this run \
         did not send, or refused the ones it sent\n\
         hint: pass a bearer token with --token-env VAR, the client-credentials flow with --tenant, \
         --client-id and --client-secret-env, or a header with --header 'Authorization: ...'",
        if stopped { ", so the run stopped sending" } else { "" }
    ))
}

/// The console reporter's phrasing of a failed case, coloured when libtest's output is; with
/// `-v` or more, followed by the case's exchanges.
pub(super) fn phrasing(args: &libtest_mimic::Arguments, verbose: u8) -> Phrasing {
    let color = match args.color {
        Some(libtest_mimic::ColorSetting::Always) => true,
        Some(libtest_mimic::ColorSetting::Never) => false,
        _ => std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
    };
    let style = console::Style { color };
    Phrasing::new(move |result| {
        use crate::report::exchanges;
        use crate::report::model::ExchangeReport;
        let mut text =
            console::failure(&crate::report::model::CaseReport::for_console(result), style);
        if verbose > 0 {
            let list: Vec<ExchangeReport> =
                result.exchanges.iter().map(ExchangeReport::from).collect();
            text.push('\n');
            text.push_str(&exchanges::render(&list, &result.notes));
        }
        text
    })
}

/// Prints what the run has to say besides libtest's lines, on stderr: why it stopped, or how
/// the snapshots compared and which belong to no case.
pub(super) fn tell(outcome: &RunOutcome) {
    use std::io::Write;
    let mut err = std::io::stderr().lock();
    match &outcome.stopped {
        Some(Stopped::CaseFiles { errors, .. }) => {
            for e in errors {
                let shown = super::snippet::shown(e, e.located());
                let _ = write!(err, "{shown}");
            }
        }
        // Each names its file; there is nothing to add.
        Some(Stopped::Behaviour(errors)) => {
            for e in errors {
                let _ = write!(err, "{}", super::snippet::shown(e, e.located()));
            }
        }
        _ => {}
    }
    if let Some(stopped) = outcome.stopped.as_ref().filter(|s| !matches!(s, Stopped::Behaviour(_)))
    {
        let _ = write!(err, "{}", super::error_chain(stopped));
        if let Some(hint) = stopped.hint() {
            let _ = writeln!(err, "hint: {hint}");
        }
    }
    if let Some(summary) = &outcome.snapshots {
        let _ = writeln!(err, "{}", console::snapshot_summary(summary));
    }
    if !outcome.orphans.is_empty() {
        let _ = write!(err, "{}", console::orphans(&outcome.orphans));
    }
}

/// How a report names the embedded reference mock as its target (with its deliberate
/// deviations, which change what a run means).
fn reference_mock_name(deviations: &[mock::Deviation]) -> String {
    if deviations.is_empty() {
        return "reference mock".to_string();
    }
    let kinds: Vec<String> = deviations.iter().map(|d| d.to_string()).collect();
    format!("reference mock (deviating: {})", kinds.join(", "))
}

/// Why a run that selected no case is refused, with what to do about it.
fn nothing_ran(
    filter: Option<&str>,
    skips: bool,
    cases: &str,
    partition: Option<&crate::plan::Partition>,
) -> String {
    let why = match (filter, partition) {
        (Some(f), _) => format!("the filter `{f}` selects no case"),
        (None, _) if skips => "the --skip patterns leave out every case".to_string(),
        (None, Some(p)) => format!("shard {p} of the cases in {cases} holds no case"),
        (None, None) => format!("{cases} holds no case file"),
    };
    format!(
        "no case ran: {why}, so nothing was checked\n\
         hint: `exemplar run --list` shows the case ids; pass --allow-empty if an empty run is expected"
    )
}

/// The `response-slow` bound: `--slow MS` (0: off) if given; else the default against a real
/// target, and none against the embedded mock, whose speed is the machine's (a busy CI runner
/// must not fail the gate), unless its `slow` deviation is asked for.
fn slow_bound(
    slow: Option<u64>,
    real_target: bool,
    deviations: &[mock::Deviation],
) -> Option<Duration> {
    let default = real_target || deviations.contains(&mock::Deviation::Slow);
    let ms = slow.unwrap_or(if default { DEFAULT_SLOW_MS } else { 0 });
    (ms > 0).then(|| Duration::from_millis(ms))
}

/// A set name is a folder name: no separators, nothing that climbs out of the directory.
fn valid_set_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('.')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

fn usage(message: &str) -> Exit {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "error: {message}");
    Exit::Usage
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn response_slow_is_opt_in_for_the_embedded_mock() {
        let default = Some(Duration::from_millis(DEFAULT_SLOW_MS));
        assert_eq!(slow_bound(None, false, &[]), None);
        assert_eq!(slow_bound(None, false, &[mock::Deviation::WrongType]), None);
        assert_eq!(slow_bound(None, false, &[mock::Deviation::Slow]), default);
        assert_eq!(slow_bound(None, true, &[]), default);
        assert_eq!(slow_bound(Some(500), false, &[]), Some(Duration::from_millis(500)));
        assert_eq!(slow_bound(Some(0), true, &[]), None);
    }
}
