//! Checking: what a target did, compared with what the documentation promises. [`contract`]
//! holds the doc-contract rules, [`types`] the documented resource types they consult, and
//! [`deviation`] the typed findings with their stable codes.

pub mod contract;
pub mod deviation;
pub mod types;

pub use contract::{Checked, Observed, Strictness, check};
pub use deviation::{Code, Deviation, Finding};
pub use types::TypeRegistry;
