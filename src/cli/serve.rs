//! `exemplar serve`: runs the reference mock until Ctrl-C or SIGTERM.

use clap::Args;

use super::Exit;

#[derive(Debug, Args)]
pub struct ServeArgs {}

pub fn run(_args: ServeArgs) -> Exit {
    Exit::Usage
}
