//! The command line: parses arguments with clap and hands each subcommand to the stage that
//! does the work. Nothing here knows how extraction, running or the mock work; it only maps
//! their typed results onto output and exit codes.

mod behaviour;
mod exit;
mod extract;
mod report;
mod run;
mod schema;
mod serve;

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
