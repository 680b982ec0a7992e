//! `exemplar extract`: docs in, case files out.

use clap::Args;

use super::Exit;

#[derive(Debug, Args)]
pub struct ExtractArgs {}

pub fn run(_args: ExtractArgs) -> Exit {
    Exit::Usage
}
