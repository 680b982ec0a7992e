//! JSON Schemas of the file formats, generated from the Rust types that read them. The
//! committed copies in `cases/` are checked against these by a test, so editors validate
//! case files against exactly what exemplar accepts.

use super::model::{Case, TypeFile};

/// The schemas exemplar publishes, by name.
pub const NAMES: &[&str] = &["case", "type", "fixtures", "report", "behaviour"];

/// The schema `name` as pretty JSON with a final newline, or `None` for an unknown name.
pub fn render(name: &str) -> Option<String> {
    let schema = match name {
        "case" => schemars::schema_for!(Case),
        "type" => schemars::schema_for!(TypeFile),
        "fixtures" => schemars::schema_for!(crate::plan::Catalogue),
        "report" => schemars::schema_for!(crate::report::Report),
        "behaviour" => schemars::schema_for!(crate::behaviour::BehaviourData),
        _ => return None,
    };
    Some(super::file::render(&schema))
}

/// File name of the committed copy of schema `name` in the cases directory.
pub fn file_name(name: &str) -> String {
    format!("{name}.schema.json")
}
