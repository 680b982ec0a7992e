//! exemplar turns the HTTP examples in API documentation into contract tests and runs them
//! against any target. The crate is laid out by pipeline stage:
//!
//! - [`extract`] reads documentation pages and finds their examples;
//! - [`case`] is the case file format those examples are written to;
//! - [`plan`] resolves fixtures and bindings before anything runs;
//! - [`run`] sends the requests and records what it [`observe`]s; [`check`] compares the
//!   responses with the contract and [`snapshot`] with what a trusted target answered before;
//! - [`report`] renders results, [`diff`] compares documents, [`redact`] removes secrets;
//! - [`exit`] names how a command ended, which only [`cli`] turns into a process exit code;
//! - [`mock`] is the reference mock of the trustFramework keySets API;
//! - [`cli`] maps the command line onto the stages;
//! - [`config`] reads `exemplar.toml`;
//! - [`diag`] is how every stage reports a defect in its input; [`pointer`] is JSON pointers.
//!
//! No module imports one above it in that order (`tests/layers.rs` checks it), and only
//! [`cli`] writes to the console (`clippy.toml`).

pub mod behaviour;
pub mod case;
pub mod check;
pub mod cli;
pub mod config;
pub mod diag;
pub mod diff;
pub mod exit;
pub mod extract;
pub mod mock;
pub mod observe;
pub mod plan;
pub mod pointer;
pub mod redact;
pub mod report;
pub mod run;
pub mod snapshot;
pub mod words;
