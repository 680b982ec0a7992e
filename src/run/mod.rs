//! Running cases against a target: one tokio runtime and one HTTP client for the whole run,
//! each case a libtest-mimic trial, results collected as data for the reporters.

mod behaviour;
pub mod execute;
pub mod harness;
pub mod http;
pub mod job;
pub mod result;

pub use execute::Runner;
pub use harness::{Excuse, Phrasing, RunOptions, RunOutcome, SnapshotOptions, Stopped, run};
pub use job::Job;
pub use result::{CaseResult, ErrorCode, RunError, Status};
