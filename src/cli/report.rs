//! The report options of `exemplar run` and the `exemplar report` command: reading JSON
//! reports back, comparing with a baseline, applying known deviations, merging CI shards,
//! writing the report files and deciding the gate's exit code.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};

use crate::report::model::Report;
use crate::report::{Outputs, baseline, gate, json, known, merge};

use super::Exit;

/// Report files to write after the run.
#[derive(Debug, Clone, Default, Args)]
pub struct ReportFiles {
    /// Write the JSON report (format 2; schema: `exemplar schema report`) to FILE.
    #[arg(long, value_name = "FILE")]
    pub report_json: Option<PathBuf>,
    /// Write a JUnit XML report (for GitHub Actions, GitLab, Jenkins) to FILE.
    #[arg(long, value_name = "FILE")]
    pub report_junit: Option<PathBuf>,
    /// Write a Markdown summary (for a pull-request comment or `$GITHUB_STEP_SUMMARY`) to FILE.
    #[arg(long, value_name = "FILE")]
    pub report_md: Option<PathBuf>,
    /// Write a self-contained HTML report (filterable cases, side-by-side diffs) to FILE.
    #[arg(long, value_name = "FILE")]
    pub report_html: Option<PathBuf>,
}

impl ReportFiles {
    pub fn outputs(&self) -> Outputs {
        Outputs {
            json: self.report_json.clone(),
            junit: self.report_junit.clone(),
            markdown: self.report_md.clone(),
            html: self.report_html.clone(),
        }
    }
}

/// What the gate compares the results with.
#[derive(Debug, Clone, Default, Args)]
pub struct GateArgs {
    /// An earlier JSON report: cases are classified against it and the gate fails only on
    /// new deviations.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Known-deviations file (default: `[report] known` in exemplar.toml, else
    /// `known-deviations.toml` when it exists).
    #[arg(long, value_name = "FILE")]
    pub known: Option<PathBuf>,
}

/// The baseline and known deviations, read before anything runs.
#[derive(Debug, Default)]
pub struct Gate {
    known: Option<known::KnownFile>,
    baseline: Option<(String, Report)>,
}

impl Gate {
    /// The known-deviations file, when there is one.
    pub fn known(&self) -> Option<&known::KnownFile> {
        self.known.as_ref()
    }
}

/// A file the gate needs that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum GateError {
    #[error(transparent)]
    Config(#[from] crate::config::ConfigError),
    /// The known-deviations file or the baseline report.
    #[error(transparent)]
    File(#[from] crate::case::FileError),
}

impl GateError {
    /// Prints the error (with the source line, when it points into a file): a usage error.
    pub fn usage(&self) -> Exit {
        let located = match self {
            GateError::Config(crate::config::ConfigError::Invalid(at)) => Some(at),
            GateError::Config(_) => None,
            GateError::File(e) => e.located(),
        };
        let _ = write!(std::io::stderr(), "{}", super::snippet::shown(self, located));
        Exit::Usage
    }
}

impl GateArgs {
    /// Reads the files the gate needs; an error is a usage error.
    pub fn load(&self) -> Result<Gate, GateError> {
        let known_path = match &self.known {
            Some(p) => Some(p.clone()),
            None => {
                let config = crate::config::load(Path::new(crate::config::FILE_NAME))?;
                match config.and_then(|c| c.report.known) {
                    Some(p) => Some(p),
                    None => Some(PathBuf::from(known::FILE_NAME)).filter(|p| p.exists()),
                }
            }
        };
        let known = known_path.map(|p| known::load(&p)).transpose()?;
        let baseline = match &self.baseline {
            Some(p) => Some((p.display().to_string(), json::read(p)?)),
            None => None,
        };
        Ok(Gate { known, baseline })
    }
}

/// How the verdict is shown on the console.
#[derive(Debug, Clone, Copy, Default)]
pub struct Console {
    /// Colour the verdict (`--color`).
    pub color: bool,
    /// Print GitHub Actions annotations on stdout (`GITHUB_ACTIONS=true`).
    pub annotations: bool,
}

/// Whether GitHub Actions runs us, so annotations are read.
pub fn in_github_actions() -> bool {
    std::env::var("GITHUB_ACTIONS").is_ok_and(|v| v == "true")
}

/// Applies the gate to `report`, writes the files, prints the verdict and returns the exit
/// code. A report file that cannot be written makes the exit code 3 (could not run).
pub fn finish(mut report: Report, gate: &Gate, outputs: &Outputs, console: Console) -> Exit {
    // Links into the repository (the current directory) for JUnit and annotations.
    let doc_roots = crate::config::load(Path::new(crate::config::FILE_NAME))
        .ok()
        .flatten()
        .map(|c| c.extract.docs)
        .unwrap_or_default();
    crate::report::location::locate(&mut report, &doc_roots, Path::new("."));
    if let Some(k) = &gate.known {
        known::apply(&mut report, k, &known::today());
    }
    if let Some((file, old)) = &gate.baseline {
        report.baseline = Some(baseline::compare(old, &report, file));
    }
    gate::judge(&mut report);
    let verdict = gate::verdict(&report);
    if console.annotations {
        let _ = std::io::stdout()
            .lock()
            .write_all(crate::report::annotations::github(&report).as_bytes());
    }
    let mut err = std::io::stderr().lock();
    let write_errors = outputs.write(&report);
    for e in &write_errors {
        let _ = write!(err, "{}", super::error_chain(e));
    }
    let verdict = verdict.with_unwritten(write_errors.len());
    let style = crate::report::phrase::Style { color: console.color };
    let _ = write!(err, "{}", crate::report::console::summary(&report, &verdict, style));
    verdict.exit
}

/// `exemplar report`: work on JSON reports after the fact.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct ReportArgs {
    #[command(subcommand)]
    pub command: Option<ReportCommand>,
    /// The JSON report to read (written by `run --report-json`).
    #[arg(value_name = "REPORT", required = true)]
    pub report: Option<PathBuf>,
    #[command(flatten)]
    pub gate: GateArgs,
    #[command(flatten)]
    pub files: ReportFiles,
    #[command(flatten)]
    pub color: ColorArg,
}

/// `--color` for `exemplar report`, with the values libtest's `--color` of `run` takes.
#[derive(Debug, Clone, Args)]
pub struct ColorArg {
    /// Colour the verdict: auto, always or never.
    #[arg(long, value_name = "WHEN", default_value = "auto", value_parser = ["auto", "always", "never"])]
    pub color: String,
}

impl ColorArg {
    fn console(&self) -> Console {
        let color = match self.color.as_str() {
            "always" => true,
            "never" => false,
            _ => std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
        };
        Console { color, annotations: false }
    }
}

#[derive(Debug, Subcommand)]
pub enum ReportCommand {
    /// Join the JSON reports of CI shards (`run --partition`) into one report.
    Merge(MergeArgs),
}

#[derive(Debug, Args)]
pub struct MergeArgs {
    /// The shard reports.
    #[arg(value_name = "REPORT", required = true)]
    pub reports: Vec<PathBuf>,
    /// Merge even when some shards of the partition are missing; the report and the verdict
    /// name them. Without it, a missing shard is an error: its cases would go unchecked.
    #[arg(long)]
    pub allow_partial: bool,
    /// Write the merged JSON report here (the same as `--report-json`).
    #[arg(long, value_name = "FILE", conflicts_with = "report_json")]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub gate: GateArgs,
    #[command(flatten)]
    pub files: ReportFiles,
    #[command(flatten)]
    pub color: ColorArg,
}

/// A report that cannot be read: a usage error, shown with its place or its causes.
fn unreadable(e: &crate::case::FileError) -> Exit {
    let _ = write!(std::io::stderr(), "{}", super::snippet::shown(e, e.located()));
    Exit::Usage
}

fn usage(message: &str) -> Exit {
    let _ = writeln!(std::io::stderr(), "error: {message}");
    Exit::Usage
}

pub fn run(args: ReportArgs) -> Exit {
    match args.command {
        Some(ReportCommand::Merge(m)) => run_merge(m),
        None => {
            let Some(path) = args.report else { return usage("no report given") };
            let gate = match args.gate.load() {
                Ok(g) => g,
                Err(e) => return e.usage(),
            };
            let outputs = args.files.outputs();
            if let Err(e) = outputs.check_distinct() {
                return usage(&e.to_string());
            }
            let report = match json::read(&path) {
                Ok(r) => r,
                Err(e) => return unreadable(&e),
            };
            finish(report, &gate, &outputs, args.color.console())
        }
    }
}

fn run_merge(args: MergeArgs) -> Exit {
    let mut outputs = args.files.outputs();
    if args.out.is_some() {
        outputs.json = args.out;
    }
    if let Err(mut e) = outputs.check_distinct() {
        // `--out` is `--report-json` under another name.
        for option in [&mut e.first, &mut e.second] {
            if *option == "--report-json" {
                *option = "--out/--report-json";
            }
        }
        return usage(&e.to_string());
    }
    let gate = match args.gate.load() {
        Ok(g) => g,
        Err(e) => return e.usage(),
    };
    let mut shards = Vec::new();
    for path in &args.reports {
        match json::read(path) {
            Ok(r) => shards.push((path.display().to_string(), r)),
            Err(e) => return unreadable(&e),
        }
    }
    let merged = match merge::merge(shards, args.allow_partial) {
        Ok(m) => m,
        Err(e) => return usage(&e.to_string()),
    };
    finish(merged, &gate, &outputs, args.color.console())
}
