//! Writing the report files a run or `exemplar report` was asked for. Every file is written
//! atomically (temporary file, then rename), so a reader never sees half a report; a file
//! that cannot be written is an error naming its path, and the others are still written.

use std::path::PathBuf;

use crate::case::file::write_atomic;

use super::model::Report;

/// A renderer: the whole report as the text of one file.
type Render = fn(&Report) -> String;

/// Which report files to write.
#[derive(Debug, Clone, Default)]
pub struct Outputs {
    pub json: Option<PathBuf>,
    pub junit: Option<PathBuf>,
    pub markdown: Option<PathBuf>,
    pub html: Option<PathBuf>,
}

impl Outputs {
    /// Whether any report file is asked for.
    pub fn any(&self) -> bool {
        self.json.is_some()
            || self.junit.is_some()
            || self.markdown.is_some()
            || self.html.is_some()
    }
}

/// A report file that could not be written.
#[derive(Debug, thiserror::Error)]
#[error("cannot write report {}: {source}", path.display())]
pub struct WriteError {
    pub path: PathBuf,
    #[source]
    pub source: std::io::Error,
}

impl Outputs {
    pub fn is_empty(&self) -> bool {
        [&self.json, &self.junit, &self.markdown, &self.html].iter().all(|p| p.is_none())
    }

    /// Renders and writes every requested file; returns the ones that failed.
    pub fn write(&self, report: &Report) -> Vec<WriteError> {
        let mut errors = Vec::new();
        let jobs: [(&Option<PathBuf>, Render); 4] = [
            (&self.json, super::json::render),
            (&self.junit, super::junit::render),
            (&self.markdown, super::markdown::render),
            (&self.html, super::html::render),
        ];
        for (path, render) in jobs {
            let Some(path) = path else { continue };
            if let Err(source) = write_atomic(path, render(report).as_bytes()) {
                errors.push(WriteError { path: path.clone(), source });
            }
        }
        errors
    }
}
