//! Planning: from the case files on disk to the list of cases to run, each with its fixtures
//! resolved and every URL placeholder bound. Everything that can be wrong with the files is
//! found here, before any request is sent, and reported with the file and line.

pub mod fixture;
mod partition;
mod planner;
pub mod template;

pub use fixture::{Catalogue, Fixture, Step};
pub use partition::{Partition, PartitionKind};
pub use planner::{Plan, PlanError, Planned, load_catalogue, placeholders, plan_case, plan_dir};
