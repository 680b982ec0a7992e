//! The behaviour layer: what a target *does*, which no single documented exchange shows.
//!
//! [`model`] derives the resource model from the extracted cases; [`data`] reads what the
//! docs leave unsaid (`cases/behaviour.json`) and the conventions (`conventions.toml`);
//! [`generate`] turns both into [`check::Check`]s, each a sequence of steps with
//! expectations. The checks are generated at load time from committed data, so they are
//! always in step with the cases and need no regeneration.

pub mod check;
pub mod data;
pub mod generate;
pub mod model;

pub use check::{Body, Check, Expect, Step};
pub use data::{BehaviourData, Conventions};
pub use generate::{Generated, Input, Unsupported, generate};
pub use model::{Kind, Model};

use std::path::Path;

use crate::case::{Case, TypeFile};
use crate::check::TypeRegistry;

/// Generates the behaviour checks of a cases directory from its cases, its type files and
/// its `behaviour.json`, with the embedded conventions. Errors name the file.
pub fn load<'a>(
    dir: &Path,
    cases: impl IntoIterator<Item = &'a Case>,
    types: &[TypeFile],
) -> Result<Generated, Vec<String>> {
    let data = BehaviourData::load(dir).map_err(|e| vec![e.to_string()])?;
    let conventions = Conventions::graph().map_err(|e| vec![e])?;
    let registry = TypeRegistry::new(types);
    let generated =
        generate(cases, Input { types: &registry, data: &data, conventions: &conventions });
    if generated.errors.is_empty() {
        Ok(generated)
    } else {
        Err(generated.errors.iter().map(|e| format!("{}/{e}", dir.display())).collect())
    }
}
