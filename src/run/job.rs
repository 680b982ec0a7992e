//! What the run runs: a planned case, and, when it is one, the behaviour check whose steps
//! replace its documented request. The run pairs the two, so that planning knows nothing of
//! behaviour checks (they are generated from planned cases, a stage below the run).

use std::sync::Arc;

use crate::behaviour::Check;
use crate::plan::Planned;

/// One trial's work.
#[derive(Debug, Clone)]
pub struct Job {
    pub planned: Planned,
    /// The behaviour check this is, when it is one.
    pub check: Option<Arc<Check>>,
}

impl Job {
    /// A documented case.
    pub fn case(planned: Planned) -> Self {
        Job { planned, check: None }
    }

    /// A behaviour check, planned like the case it derives from.
    pub fn check(planned: Planned, check: Check) -> Self {
        Job { planned, check: Some(Arc::new(check)) }
    }

    pub fn id(&self) -> &str {
        &self.planned.case.id
    }

    /// A trial's kind: the HTTP method of a case, `behaviour` for a behaviour check.
    pub fn kind(&self) -> String {
        match self.check {
            Some(_) => "behaviour".into(),
            None => self.planned.case.request.method.clone(),
        }
    }
}
