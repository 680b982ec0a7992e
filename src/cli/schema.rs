//! `exemplar schema NAME`: prints the JSON Schema of a file format.

use std::io::Write;

use clap::Args;

use crate::case::schema;

use super::Exit;

#[derive(Debug, Args)]
pub struct SchemaArgs {
    /// Which schema: `case` (case files), `type` (resource type files), `fixtures` (the
    /// fixture catalogue) or `report` (JSON reports).
    #[arg(value_parser = clap::builder::PossibleValuesParser::new(schema::NAMES))]
    pub name: String,
}

pub fn run(args: SchemaArgs) -> Exit {
    match schema::render(&args.name) {
        Some(text) => {
            let _ = std::io::stdout().lock().write_all(text.as_bytes());
            Exit::Success
        }
        None => Exit::Usage,
    }
}
