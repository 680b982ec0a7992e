//! `exemplar schema NAME`: prints the JSON Schema of a file format, generated from the Rust
//! types that read it. The committed copies in `cases/` are checked against these by a test,
//! so editors validate files against exactly what exemplar accepts. The list lives here, at
//! the edge, because it names the formats of several stages (case, plan, report).

use std::io::Write;

use clap::Args;

use super::Exit;

/// The schemas exemplar publishes, by name.
pub const NAMES: &[&str] = &["case", "type", "fixtures", "report", "behaviour"];

/// The schema `name` as pretty JSON with a final newline, or `None` for an unknown name.
pub fn render(name: &str) -> Option<String> {
    let schema = match name {
        "case" => schemars::schema_for!(crate::case::Case),
        "type" => schemars::schema_for!(crate::case::TypeFile),
        "fixtures" => schemars::schema_for!(crate::plan::Catalogue),
        "report" => schemars::schema_for!(crate::report::Report),
        "behaviour" => schemars::schema_for!(crate::behaviour::BehaviourData),
        _ => return None,
    };
    Some(crate::case::file::render(&schema))
}

#[derive(Debug, Args)]
pub struct SchemaArgs {
    /// Which schema: `case` (case files), `type` (resource type files), `fixtures` (the
    /// fixture catalogue), `report` (JSON reports) or `behaviour` (the behaviour data file).
    #[arg(value_parser = clap::builder::PossibleValuesParser::new(NAMES))]
    pub name: String,
}

pub fn run(args: SchemaArgs) -> Exit {
    match render(&args.name) {
        Some(text) => {
            let _ = std::io::stdout().lock().write_all(text.as_bytes());
            Exit::Success
        }
        None => Exit::Usage,
    }
}
