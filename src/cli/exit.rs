//! The edge where an exit class becomes the process's exit code.

use std::process::ExitCode;

pub use crate::exit::Exit;

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> Self {
        ExitCode::from(exit.code())
    }
}
