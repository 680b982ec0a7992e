//! The JSON report file (`--report-json`): the [`Report`] as pretty JSON, and reading one
//! back with errors that name the file, line and column.

use std::path::Path;

use crate::case::file::{self, FileError};

use super::model::Report;

/// The report as pretty JSON with a final newline.
pub fn render(report: &Report) -> String {
    file::render(report)
}

/// Reads a report written by `--report-json` (format 1).
pub fn read(path: &Path) -> Result<Report, FileError> {
    file::read(path)
}
