//! exemplar turns the HTTP examples in API documentation into contract tests and runs them
//! against any target. The crate is laid out by pipeline stage:
//!
//! - [`extract`] reads documentation pages and finds their examples;
//! - [`case`] is the case file format those examples are written to;
//! - [`plan`] resolves fixtures and bindings before anything runs;
//! - [`run`] sends the requests, [`check`] compares the responses with the contract and
//!   [`snapshot`] with what a trusted target answered before;
//! - [`report`] renders results, [`diff`] compares documents, [`redact`] removes secrets;
//! - [`mock`] is the reference mock of the trustFramework keySets API;
//! - [`cli`] maps the command line onto the stages;
//! - [`config`] reads `exemplar.toml`;
//! - [`diag`] is how every stage reports a defect in its input.

pub mod behaviour;
pub mod case;
pub mod check;
pub mod cli;
pub mod config;
pub mod diag;
pub mod diff;
pub mod extract;
pub mod mock;
pub mod plan;
pub mod redact;
pub mod report;
pub mod run;
pub mod snapshot;
