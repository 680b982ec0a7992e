//! Reporters: the only code that turns results into text. The run collects results (data);
//! afterwards they become a [`Report`], and each module here renders it in one format or
//! works on reports (baselines, known deviations, merging shards).

pub mod annotations;
pub mod baseline;
pub mod console;
pub mod coverage;
pub mod escape;
pub mod exchanges;
pub mod gate;
pub mod html;
pub mod json;
pub mod junit;
pub mod known;
pub mod location;
pub mod markdown;
pub mod merge;
pub mod model;
pub mod output;
pub mod phrase;
#[cfg(test)]
pub(crate) mod sample;

pub use model::{Outcome, Report, RunInfo};
pub use output::Outputs;
