//! The command line: parses arguments with clap and hands each subcommand to the stage that
//! does the work. Nothing here knows how extraction, running or the mock work; it only maps
//! their typed results onto output and exit codes.
//!
//! It is the only module that writes to the console: `clippy.toml` disallows
//! `std::io::stdout`/`stderr` everywhere else, and this module allows them for itself.
#![allow(clippy::disallowed_methods)]

mod behaviour;
mod exit;
mod extract;
mod report;
mod run;
mod schema;
mod serve;
mod server;
mod snippet;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

pub use exit::Exit;

/// Turns the HTTP examples in API documentation into contract tests and runs them.
#[derive(Debug, Parser)]
#[command(name = "exemplar", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// List the behaviour checks generated from the cases, and what the docs could not
    /// support.
    Behaviour(behaviour::BehaviourArgs),
    /// Extract the HTTP examples of documentation pages into case files.
    Extract(extract::ExtractArgs),
    /// Run the cases against a target (the reference mock by default).
    Run(Box<run::RunArgs>),
    /// Serve the reference mock of the trustFramework keySets API.
    Serve(serve::ServeArgs),
    /// Read JSON reports: compare with a baseline, apply known deviations, merge shards,
    /// write other formats.
    Report(Box<report::ReportArgs>),
    /// Print the JSON Schema of a file format.
    Schema(schema::SchemaArgs),
}

/// Entry point of the `exemplar` binary.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let exit = match cli.command {
        Command::Behaviour(args) => behaviour::run(args),
        Command::Extract(args) => extract::run(args),
        Command::Run(args) => run::run(*args),
        Command::Serve(args) => serve::run(args),
        Command::Schema(args) => schema::run(args),
        Command::Report(args) => report::run(*args),
    };
    exit.into()
}

/// An error as the console shows it: `error: ` and its message, then each cause on a line of
/// its own, as nextest and cargo print them. Messages do not repeat their cause, so nothing
/// is said twice.
pub fn error_chain(error: &dyn std::error::Error) -> String {
    let mut out = format!("error: {error}\n");
    let mut source = error.source();
    while let Some(cause) = source {
        out.push_str(&format!("  caused by: {cause}\n"));
        source = cause.source();
    }
    out
}

/// Entry point of `tests/contract.rs`: the committed cases against the reference mock, with
/// the test binary's own libtest arguments, so `cargo test` and `cargo nextest run` run them.
pub fn contract_test_main(cases: std::path::PathBuf, snapshots: std::path::PathBuf) -> ExitCode {
    use crate::run::harness::{RunOptions, SnapshotOptions};
    use crate::snapshot::{DEFAULT_SET, Update, is_ci};

    let mut opts = RunOptions::new(cases, libtest_mimic::Arguments::from_args());
    let insta = std::env::var("INSTA_UPDATE").ok();
    let update = match Update::decide(false, false, is_ci(), insta.as_deref()) {
        Ok(u) => u,
        Err(e) => {
            use std::io::Write;
            let _ = writeln!(std::io::stderr(), "error: {e}");
            return Exit::Usage.into();
        }
    };
    opts.snapshots = Some(SnapshotOptions { dir: snapshots, set: DEFAULT_SET.into(), update });
    opts.phrasing = run::phrasing(&opts.libtest, 0);
    let outcome = crate::run::run(opts);
    run::tell(&outcome);
    outcome.exit.into()
}

#[cfg(test)]
mod tests {
    #[derive(Debug, thiserror::Error)]
    #[error("cannot start the reference mock")]
    struct Outer(#[source] std::io::Error);

    #[test]
    fn errors_are_printed_with_their_causes_once() {
        let e = Outer(std::io::Error::other("address in use"));
        assert_eq!(
            super::error_chain(&e),
            "error: cannot start the reference mock\n  caused by: address in use\n"
        );
    }
}
