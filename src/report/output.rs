//! Writing the report files a run or `exemplar report` was asked for. Every file is written
//! atomically (temporary file, then rename), so a reader never sees half a report; a file
//! that cannot be written is an error naming its path, and the others are still written.

use std::path::{Path, PathBuf};

use crate::case::file::write_atomic;

use super::model::Report;

/// A renderer: the whole report as the text of one file.
type Render<'a> = dyn Fn(&Report) -> String + 'a;

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
#[error("cannot write report {}", path.display())]
pub struct WriteError {
    pub path: PathBuf,
    #[source]
    pub source: std::io::Error,
}

/// Two report formats asked to be written to one file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{first} and {second} name the same file {}: give each report format its own file", .path.display())]
pub struct SameFile {
    /// The options, in the order of the formats (`--report-json`, `--report-md`).
    pub first: &'static str,
    pub second: &'static str,
    pub path: PathBuf,
}

impl Outputs {
    /// Refuses two formats written to one file (the second would overwrite the first, and
    /// the gate would still pass): the error names both options and the file.
    pub fn check_distinct(&self) -> Result<(), SameFile> {
        // The same file however it is spelled: `r.json`, `./r.json`, `sub/../r.json`.
        fn key(path: &std::path::Path) -> PathBuf {
            use std::path::Component;
            let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
            let mut lexical = PathBuf::new();
            for part in abs.components() {
                match part {
                    Component::ParentDir => {
                        lexical.pop();
                    }
                    Component::CurDir => {}
                    other => lexical.push(other),
                }
            }
            match (lexical.parent().and_then(|d| d.canonicalize().ok()), lexical.file_name()) {
                (Some(dir), Some(name)) => dir.join(name),
                _ => lexical,
            }
        }
        let named: [(&'static str, &Option<PathBuf>); 4] = [
            ("--report-json", &self.json),
            ("--report-junit", &self.junit),
            ("--report-md", &self.markdown),
            ("--report-html", &self.html),
        ];
        let given: Vec<(&'static str, &PathBuf, PathBuf)> =
            named.iter().filter_map(|(o, p)| p.as_ref().map(|p| (*o, p, key(p)))).collect();
        for (i, (option, path, k)) in given.iter().enumerate() {
            if let Some((first, _, _)) = given[..i].iter().find(|(_, _, other)| other == k) {
                return Err(SameFile { first, second: option, path: path.to_path_buf() });
            }
        }
        Ok(())
    }

    pub fn is_empty(&self) -> bool {
        [&self.json, &self.junit, &self.markdown, &self.html].iter().all(|p| p.is_none())
    }

    /// Renders and writes every requested file; returns the ones that failed.
    pub fn write(&self, report: &Report) -> Vec<WriteError> {
        let mut errors = Vec::new();
        // A Markdown summary too long for a comment points at the whole report.
        let full = self.html.as_ref().or(self.json.as_ref()).map(|p| p.display().to_string());
        let markdown = |r: &Report| super::markdown::render_for(r, full.as_deref());
        let jobs: [(&Option<PathBuf>, &Render<'_>); 4] = [
            (&self.json, &super::json::render),
            (&self.junit, &super::junit::render),
            (&self.markdown, &markdown),
            (&self.html, &super::html::render),
        ];
        for (path, render) in jobs {
            let Some(path) = path else { continue };
            if let Err(source) = write_atomic(path, render(report).as_bytes()) {
                let source = match blocking_file(path) {
                    Some(file) => std::io::Error::new(
                        source.kind(),
                        format!("`{}` is a file, not a directory", file.display()),
                    ),
                    None => source,
                };
                errors.push(WriteError { path: path.clone(), source });
            }
        }
        errors
    }
}

/// The file that stands where a folder of `path` should be, if one does: the reason the
/// report cannot be written, in words the OS error (`File exists`, `Not a directory`) lacks.
fn blocking_file(path: &Path) -> Option<&Path> {
    path.ancestors().skip(1).filter(|a| !a.as_os_str().is_empty()).find(|a| a.is_file())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_report_under_a_file_says_which_file_is_in_the_way() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("plain");
        std::fs::write(&file, "x").unwrap();
        let path = file.join("sub/r.json");
        let outputs = Outputs { json: Some(path.clone()), ..Outputs::default() };
        let report = Report::verdicts_only(&[], crate::report::RunInfo::new("t", 0));
        let errors = outputs.write(&report);
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].to_string(), format!("cannot write report {}", path.display()));
        // The cause is said by the cause, once.
        assert_eq!(
            errors[0].source.to_string(),
            format!("`{}` is a file, not a directory", file.display())
        );
        assert_eq!(blocking_file(&dir.path().join("new/r.json")), None);
    }

    #[test]
    fn two_formats_in_one_file_are_refused_naming_both_options() {
        let outputs = Outputs {
            json: Some("r.json".into()),
            markdown: Some("./sub/../r.json".into()),
            ..Outputs::default()
        };
        let err = outputs.check_distinct().unwrap_err();
        assert_eq!((err.first, err.second), ("--report-json", "--report-md"));
        assert!(
            err.to_string().starts_with("--report-json and --report-md name the same file"),
            "{err}"
        );
        let outputs = Outputs {
            json: Some("r.json".into()),
            junit: Some("r.xml".into()),
            ..Outputs::default()
        };
        assert_eq!(outputs.check_distinct(), Ok(()));
    }
}
