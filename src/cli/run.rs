//! `exemplar run`: the cases against a target (the embedded reference mock by default), as a
//! libtest-style suite.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::Duration;

use clap::Args;

use crate::mock;
use crate::report::console;
use crate::run::harness::{
    AuthOptions, Phrasing, RunOptions, RunOutcome, SnapshotOptions, Stopped,
};
use crate::run::http::{ClientSettings, Retry};
use crate::snapshot;

use super::Exit;

/// The Microsoft identity platform, where client credentials are exchanged for tokens.
const AUTHORITY: &str = "https://login.microsoftonline.com";

/// The `response-slow` bound against a real target, in milliseconds.
pub const DEFAULT_SLOW_MS: u64 = 2000;

#[derive(Debug, Args)]
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

    #[command(flatten)]
    pub libtest: libtest_mimic::Arguments,
}

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

fn env(var: &str) -> Result<String, String> {
    std::env::var(var).map_err(|_| format!("environment variable `{var}` is not set"))
}

/// Refuses option values that would make the run meaningless or hang, before anything runs.
fn check_options(args: &RunArgs) -> Result<(), String> {
    let authorization = args.headers.iter().any(|h| h.name.eq_ignore_ascii_case("authorization"));
    if authorization && (args.token_env.is_some() || args.tenant.is_some()) {
        return Err(
            "--header Authorization and --token-env/--tenant both set the credentials; give one"
                .into(),
        );
    }
    if authorization && args.target.is_none() {
        return Err("--header Authorization: the embedded mock gets a token of its own; use it with --target".into());
    }
    if args.libtest.test_threads == Some(0) {
        return Err("--test-threads 0: at least one thread is needed to run a case".into());
    }
    crate::run::http::ca_certificates(&args.cacert)?;
    args.reports.outputs().check_distinct()
}

pub fn run(args: RunArgs) -> Exit {
    if let Err(e) = check_options(&args) {
        return usage(&e);
    }
    let auth = match (&args.token_env, &args.tenant) {
        (Some(var), _) => match env(var) {
            Ok(token) => AuthOptions::Bearer(token.into()),
            Err(e) => return usage(&e),
        },
        (None, Some(tenant)) => {
            let secret_var = args.client_secret_env.clone().unwrap_or_default();
            let secret = match env(&secret_var) {
                Ok(s) => s,
                Err(e) => return usage(&e),
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
            Err(e) => return usage(&e),
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
    opts.progress = progress;
    opts.phrasing = phrasing(&opts.libtest);

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
    super::report::finish(report, &gate, &outputs, console)
}

/// The one error of a run whose first requests the target refused (401/403): what to pass.
fn refused(results: &[crate::run::result::CaseResult]) -> Option<String> {
    use crate::run::result::ErrorCode;
    let first_status = |r: &crate::run::result::CaseResult| {
        r.exchanges.first()?.response.as_ref().map(|x| x.status)
    };
    let stopped =
        results.iter().any(|r| r.error.as_ref().is_some_and(|e| e.code == ErrorCode::AuthRefused));
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

/// The console reporter's phrasing of a failed case, coloured when libtest's output is.
pub(super) fn phrasing(args: &libtest_mimic::Arguments) -> Phrasing {
    let color = match args.color {
        Some(libtest_mimic::ColorSetting::Always) => true,
        Some(libtest_mimic::ColorSetting::Never) => false,
        _ => std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
    };
    let style = console::Style { color };
    Phrasing::new(move |result| {
        console::failure(&crate::report::model::CaseReport::for_console(result), style)
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
                let _ = writeln!(err, "error: {e}");
            }
        }
        _ => {}
    }
    if let Some(stopped) = outcome.stopped.as_ref().filter(|s| !matches!(s, Stopped::Behaviour(_)))
    {
        let _ = write!(err, "{}", super::error_chain(stopped));
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
