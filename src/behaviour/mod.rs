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

/// The behaviour checks of a planned cases directory, each planned like a case: the case it
/// derives from, under the check's id, with the check's extra fixtures; the run sends the
/// check's steps in place of the documented request. A check switched off is planned as
/// skipped.
pub fn plan(
    dir: &Path,
    plan: &crate::plan::Plan,
) -> Result<Vec<(crate::plan::Planned, Check)>, Vec<String>> {
    let generated = load(dir, plan.cases.iter().map(|p| &p.case), &plan.types)?;
    if generated.checks.is_empty() {
        return Ok(Vec::new());
    }
    let catalogue = crate::plan::load_catalogue(dir).map_err(|e| vec![e.to_string()])?;
    let by_id: std::collections::HashMap<&str, &crate::plan::Planned> =
        plan.cases.iter().map(|p| (p.case.id.as_str(), p)).collect();
    let mut planned = Vec::new();
    let mut errors = Vec::new();
    for check in generated.checks {
        let Some(base) = by_id.get(check.operation.as_str()) else { continue };
        let mut case = base.case.clone();
        case.id = check.id.clone();
        case.fixtures.extend(check.fixtures.iter().cloned());
        match crate::plan::plan_case(case, base.path.clone(), &catalogue) {
            Ok(mut p) => {
                if let Some(reason) = &check.off {
                    p.skip = Some(format!("switched off in {}: {reason}", data::FILE));
                }
                planned.push((p, check));
            }
            Err(e) => errors.push(format!("behaviour check `{}`: {e}", check.id)),
        }
    }
    if errors.is_empty() { Ok(planned) } else { Err(errors) }
}
