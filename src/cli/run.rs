//! `exemplar run`: the cases against a target (the embedded reference mock by default), as a
//! libtest-style suite.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::Duration;

use clap::Args;

use crate::mock;
use crate::run::harness::{AuthOptions, RunOptions, SnapshotOptions};
use crate::run::http::{ClientSettings, Retry};
use crate::snapshot;

use super::Exit;

/// The Microsoft identity platform, where client credentials are exchanged for tokens.
const AUTHORITY: &str = "https://login.microsoftonline.com";

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
    /// Environment variable holding the client secret.
    #[arg(long, value_name = "VAR", requires = "tenant")]
    pub client_secret_env: Option<String>,
    /// Token authority (default: the Microsoft identity platform).
    #[arg(long, value_name = "URL", default_value = AUTHORITY)]
    pub authority: String,
    /// OAuth2 scope to request.
    #[arg(long, value_name = "SCOPE", default_value = "https://graph.microsoft.com/.default")]
    pub scope: String,
    /// Total time allowed for one request, in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 30)]
    pub timeout: u64,
    /// Time allowed to connect, in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 10)]
    pub connect_timeout: u64,
    /// How often a 429 or 503 is retried (honouring Retry-After).
    #[arg(long, value_name = "N", default_value_t = 3)]
    pub retries: u32,
    /// A response slower than this many milliseconds is a `response-slow` deviation (0: off).
    #[arg(long, value_name = "MS", default_value_t = 2000)]
    pub slow: u64,
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

pub fn run(args: RunArgs) -> Exit {
    let auth = match (&args.token_env, &args.tenant) {
        (Some(var), _) => match env(var) {
            Ok(token) => AuthOptions::Bearer(token),
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
                client_secret: secret,
                scope: args.scope.clone(),
            }
        }
        (None, None) => AuthOptions::None,
    };
    // Reports and the CI gate: the files the gate compares with are read before the run.
    let gate = match args.gate.load() {
        Ok(g) => g,
        Err(e) => return usage(&e),
    };
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
        None => crate::report::model::reference_mock_name(&args.mock_deviate),
    };

    let mut opts = RunOptions::new(args.cases, args.libtest);
    opts.target = args.target;
    opts.auth = auth;
    opts.client = ClientSettings {
        connect_timeout: Duration::from_secs(args.connect_timeout),
        timeout: Duration::from_secs(args.timeout),
        proxy: args.proxy,
        ca_certs: args.cacert,
        insecure: args.insecure,
    };
    opts.retry = Retry { max_retries: args.retries, ..Retry::default() };
    opts.slow = (args.slow > 0).then(|| Duration::from_millis(args.slow));
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

    let started = std::time::Instant::now();
    let outcome = crate::run::run(opts);
    // Reports and the CI gate: written after the run from the collected results.
    let not_started = outcome.exit == Exit::Error && outcome.results.is_empty();
    if listing || outcome.exit == Exit::Usage || not_started {
        return outcome.exit;
    }
    let info = crate::report::RunInfo {
        target: target_name,
        partition: args.partition.map(|p| p.to_string()),
        duration_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
    };
    let outputs = args.reports.outputs();
    let report = if outputs.any() || console.annotations {
        crate::report::Report::new(&outcome.results, info)
    } else {
        crate::report::Report::verdicts_only(&outcome.results, info)
    };
    super::report::finish(report, &gate, &outputs, console)
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
