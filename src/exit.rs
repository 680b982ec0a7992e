//! Exit classes, one per kind of outcome, so a CI gate can tell "the target broke the
//! contract" from "exemplar could not run". Every stage may name them (the run and the gate
//! decide one); only the command line turns one into a process exit code. The numbers are a
//! documented contract (README, "Exit codes").

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
    /// a file it could not read or write, a case that stopped unexpectedly.
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

    /// The graver of two outcomes: an error outranks a usage problem, which outranks
    /// deviations, which outrank success (the codes grow with the gravity).
    pub fn worst(self, other: Exit) -> Exit {
        if other.code() > self.code() { other } else { self }
    }
}
