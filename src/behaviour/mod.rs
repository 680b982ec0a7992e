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
pub use generate::{Generated, Input, Unsupportable, Unsupported, generate};
pub use model::{Kind, Model};

use std::path::{Path, PathBuf};

use crate::case::{Case, FileError, TypeFile};
use crate::check::TypeRegistry;

/// Why the behaviour checks of a cases directory cannot be generated or planned; each names
/// its file or its check.
#[derive(Debug, thiserror::Error)]
pub enum BehaviourError {
    /// `behaviour.json` does not read.
    #[error(transparent)]
    Data(#[from] FileError),
    #[error(transparent)]
    Conventions(#[from] data::ConventionsError),
    /// An adjustment in `behaviour.json` that cannot apply.
    #[error("{}/{problem}", .dir.display())]
    Adjustment { dir: PathBuf, problem: generate::AdjustmentError },
    /// The fixture catalogue the checks' fixtures come from does not read.
    #[error(transparent)]
    Catalogue(crate::plan::PlanError),
    /// A check that cannot be planned like a case (an unknown fixture).
    #[error("behaviour check `{check}`")]
    Plan {
        check: String,
        #[source]
        source: crate::plan::PlanError,
    },
}

impl BehaviourError {
    /// Where in a file the error is, when it is in one.
    pub fn located(&self) -> Option<&crate::diag::Located> {
        match self {
            BehaviourError::Data(e) => e.located(),
            BehaviourError::Catalogue(e) => e.located(),
            _ => None,
        }
    }
}

/// Generates the behaviour checks of a cases directory from its cases, its type files and
/// its `behaviour.json`, with the embedded conventions. Errors name the file.
pub fn load<'a>(
    dir: &Path,
    cases: impl IntoIterator<Item = &'a Case>,
    types: &[TypeFile],
) -> Result<Generated, Vec<BehaviourError>> {
    let data = BehaviourData::load(dir).map_err(|e| vec![e.into()])?;
    let conventions = Conventions::graph().map_err(|e| vec![e.into()])?;
    let registry = TypeRegistry::new(types);
    let generated =
        generate(cases, Input { types: &registry, data: &data, conventions: &conventions });
    if generated.errors.is_empty() {
        Ok(generated)
    } else {
        Err(generated
            .errors
            .iter()
            .map(|e| BehaviourError::Adjustment { dir: dir.to_path_buf(), problem: e.clone() })
            .collect())
    }
}

/// The behaviour checks of a planned cases directory, each planned like a case: the case it
/// derives from, under the check's id, with the check's extra fixtures; the run sends the
/// check's steps in place of the documented request. A check switched off is planned as
/// skipped.
pub fn plan(
    dir: &Path,
    plan: &crate::plan::Plan,
) -> Result<Vec<(crate::plan::Planned, Check)>, Vec<BehaviourError>> {
    let generated = load(dir, plan.cases.iter().map(|p| &p.case), &plan.types)?;
    if generated.checks.is_empty() {
        return Ok(Vec::new());
    }
    let catalogue =
        crate::plan::load_catalogue(dir).map_err(|e| vec![BehaviourError::Catalogue(e)])?;
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
            Err(source) => errors.push(BehaviourError::Plan { check: check.id.clone(), source }),
        }
    }
    if errors.is_empty() { Ok(planned) } else { Err(errors) }
}
