//! Exit codes, one per kind of outcome, so a CI gate can tell "the target broke the contract"
//! from "exemplar could not run". The numbers are a documented contract (README, "Exit codes").

use std::process::ExitCode;

/// How a command ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Everything conformed; nothing to report.
    Success,
    /// The command ran and found problems: deviations from the contract, doc defects under
    /// `--strict`, or case files that `extract --check` would change.
    Failed,
    /// The command line, a configuration file or a case file is invalid.
    Usage,
    /// exemplar could not do its work: a target it could not reach, a fixture that failed,
    /// a file it could not read or write.
    Error,
}

impl Exit {
    /// The process exit code for this outcome.
    pub fn code(self) -> u8 {
        match self {
            Exit::Success => 0,
            Exit::Failed => 1,
            Exit::Usage => 2,
            Exit::Error => 3,
        }
    }
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> Self {
        ExitCode::from(exit.code())
    }
}
