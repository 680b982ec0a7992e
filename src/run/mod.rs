//! Running cases against a target: one tokio runtime and one HTTP client for the whole run,
//! each case a libtest-mimic trial, results collected as data for the reporters.

mod behaviour;
pub mod execute;
pub mod harness;
pub mod http;
pub mod job;
pub mod note;
pub mod result;

pub use execute::Runner;
pub use harness::{
    Event, Events, Excuse, Phrasing, RunOptions, RunOutcome, SnapshotOptions, Stopped, run,
};
pub use job::Job;
pub use note::Note;
pub use result::{CaseResult, ErrorCode, RunError, Status};
