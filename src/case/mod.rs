//! The case file format and the cases directory: [`model`] defines the versioned format,
//! [`build`] makes cases from extracted examples, [`file`] reads and writes them, and
//! [`changes`] works out what re-extraction would change on disk.

pub mod build;
pub mod changes;
pub mod file;
pub mod model;

pub use changes::{ChangeKind, Changes};
pub use file::{CaseDir, FileError, LoadedCase, load_dir, load_dir_types};
pub use model::{Case, FORMAT, TypeFile};
