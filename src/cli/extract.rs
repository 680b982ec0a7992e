//! `exemplar extract`: docs in, case files out; `--check` lists what is out of date instead.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::Args;

use crate::case::changes::{Mode, Planner};
use crate::case::{self, ChangeKind};
use crate::config;
use crate::diag::Severity;
use crate::extract;

use super::{Exit, snippet};

#[derive(Debug, Args)]
pub struct ExtractArgs {
    /// Doc files or directories (walked recursively). Default: `[extract] docs` in
    /// exemplar.toml.
    pub paths: Vec<PathBuf>,
    /// The cases directory. Default: `[extract] cases` in exemplar.toml, else `cases`.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Write nothing; exit 1 listing every case file that extraction would add, change or
    /// find stale.
    #[arg(long)]
    pub check: bool,
    /// Exit 1 when any page has a defect (a repaired or unrepairable problem).
    #[arg(long)]
    pub strict: bool,
    /// Delete case files whose example is no longer in the docs.
    #[arg(long)]
    pub prune: bool,
    /// Do not print notes (skipped files) or the summary.
    #[arg(long, short)]
    pub quiet: bool,
}

pub fn run(args: ExtractArgs) -> Exit {
    let mut err = std::io::stderr().lock();
    let mut out = std::io::stdout().lock();
    let config = match config::load(Path::new(config::FILE_NAME)) {
        Ok(c) => c.unwrap_or_default(),
        Err(e) => {
            let shown = match &e {
                config::ConfigError::Invalid(at) => snippet::located(at),
                config::ConfigError::Io { .. } => super::error_chain(&e),
            };
            let _ = write!(err, "{shown}");
            return Exit::Usage;
        }
    };
    let paths = if args.paths.is_empty() { config.extract.docs } else { args.paths };
    if paths.is_empty() {
        let _ = writeln!(
            err,
            "error: no doc paths: pass them as arguments or list them as `[extract] docs` in {}",
            config::FILE_NAME
        );
        return Exit::Usage;
    }
    let cases_dir = args.out.or(config.extract.cases).unwrap_or_else(|| PathBuf::from("cases"));

    // Page by page: each page is planned as soon as it is read and then dropped (its files
    // written on a second thread meanwhile), so memory stays that of a few pages whatever the
    // size of the docs.
    let mode = if args.check { Mode::Check } else { Mode::Write };
    let mut planner = Planner::new(&cases_dir, mode);
    let mut write_error = None;
    let (mut examples, mut types) = (0, 0);
    let walked = extract::for_each_page(&paths, |page| {
        examples += page.examples.len();
        types += page.types.len();
        if write_error.is_none() {
            write_error = planner.page(&page).err();
        }
    });
    if write_error.is_none() {
        write_error = planner.finish_writing().err();
    }
    let extraction = match walked {
        Ok(x) => x,
        Err(e) => {
            let _ = write!(err, "{}", super::error_chain(&e));
            return Exit::Usage;
        }
    };
    let mut defects = 0;
    {
        // A corpus can have thousands of diagnostics, and stderr is unbuffered: unbuffered,
        // each one costs a dozen system calls (one per formatted piece).
        let mut shown = std::io::BufWriter::new(&mut err);
        for d in extraction.diagnostics().chain(planner.notes.iter()) {
            if d.is_defect() {
                defects += 1;
            }
            if !(args.quiet && d.severity == Severity::Note) {
                let _ = writeln!(shown, "{d}");
            }
        }
        let _ = shown.flush();
    }
    if let Some(e) = write_error {
        let _ = writeln!(err, "error: cannot write to {}: {e}", cases_dir.display());
        return Exit::Error;
    }

    if extraction.page_count() == 0 {
        let listed: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
        let _ = writeln!(
            err,
            "error: no doc page under {}: nothing to extract, and no case file was written or \
             checked (a doc page is a Markdown page with annotated HTTP examples, or the text of \
             a rendered one)",
            listed.join(", ")
        );
        return Exit::Usage;
    }
    let changes = match planner.finish(&extraction.roots) {
        Ok(changes) => changes,
        Err(e) => {
            let _ = writeln!(err, "error: cannot write to {}: {e}", cases_dir.display());
            return Exit::Error;
        }
    };
    for e in &changes.errors {
        let shown = snippet::shown(e, e.located());
        let _ = write!(err, "{}", shown.replacen('\n', " (file left untouched)\n", 1));
    }

    let mut exit = Exit::Success;
    if args.check {
        for change in changes.out_of_date() {
            let _ = writeln!(
                out,
                "{}: {}",
                change.kind.as_str(),
                cases_dir.join(&change.rel).display()
            );
        }
        if changes.out_of_date().next().is_some() {
            let _ = writeln!(
                err,
                "error: {} is out of date with the docs; run `exemplar extract` and commit the result",
                cases_dir.display()
            );
            exit = Exit::Failed;
        }
    } else if let Err(e) = case::changes::apply(&changes, &cases_dir, args.prune) {
        // The added and changed files are written already; this only removes stale ones.
        let _ = writeln!(err, "error: cannot write to {}: {e}", cases_dir.display());
        return Exit::Error;
    } else {
        for change in changes.files.iter().filter(|c| c.kind == ChangeKind::Stale && !args.prune) {
            let _ = writeln!(
                err,
                "{}: stale: no documented example matches it any more (remove it with --prune)",
                cases_dir.join(&change.rel).display()
            );
        }
    }
    if !args.quiet {
        let stale_word = if args.prune && !args.check { "removed" } else { "stale" };
        let _ = writeln!(
            out,
            "{} pages, {examples} examples, {types} types, {defects} defects: {} added, {} changed, {} unchanged, {} {stale_word}",
            extraction.page_count(),
            changes.count(ChangeKind::Added),
            changes.count(ChangeKind::Changed),
            changes.count(ChangeKind::Unchanged),
            changes.count(ChangeKind::Stale),
        );
    }
    if !changes.errors.is_empty() {
        return Exit::Usage;
    }
    if args.strict && defects > 0 {
        let _ = writeln!(err, "error: {defects} defects in the docs (--strict)");
        exit = Exit::Failed;
    }
    exit
}
