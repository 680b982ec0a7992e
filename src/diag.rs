//! Diagnostics: a defect found in an input (a doc page, a case file), with the place it was
//! found. Every stage that reads files reports problems as values of this type so the command
//! line can print them the same way (`path:line:col: code: message`) and decide the exit code.

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::Serialize;

/// How serious a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Information that needs no action (a file that is not a doc page was skipped).
    Note,
    /// A defect that was repaired; the example is still extracted.
    Warning,
    /// A defect that could not be repaired; something is missing from the output.
    Error,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Note => "note",
            Severity::Warning => "warning",
            Severity::Error => "error",
        })
    }
}

/// A 1-based line and column in a file. Columns count characters, not bytes, as editors do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Pos {
    pub line: u32,
    pub col: u32,
}

impl Pos {
    pub fn new(line: u32, col: u32) -> Self {
        Pos { line, col }
    }

    /// The first column of a line.
    pub fn line(line: u32) -> Self {
        Pos { line, col: 1 }
    }
}

/// One finding, tied to a place in a file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// The file as the user named it (or as it is named in case ids).
    pub path: String,
    pub pos: Pos,
    pub severity: Severity,
    /// A stable kebab-case code, e.g. `unclosed-fence`. Codes are a documented contract.
    pub code: &'static str,
    pub message: String,
}

impl Diagnostic {
    pub fn new(
        path: impl Into<String>,
        pos: Pos,
        severity: Severity,
        code: &'static str,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic { path: path.into(), pos, severity, code, message: message.into() }
    }

    pub fn warning(path: &str, pos: Pos, code: &'static str, message: impl Into<String>) -> Self {
        Self::new(path, pos, Severity::Warning, code, message)
    }

    pub fn error(path: &str, pos: Pos, code: &'static str, message: impl Into<String>) -> Self {
        Self::new(path, pos, Severity::Error, code, message)
    }

    pub fn note(path: &str, pos: Pos, code: &'static str, message: impl Into<String>) -> Self {
        Self::new(path, pos, Severity::Note, code, message)
    }

    /// Whether `--strict` should fail because of this diagnostic.
    pub fn is_defect(&self) -> bool {
        self.severity >= Severity::Warning
    }
}

/// Renders `path:line:col: code: message`, the form editors and CI annotators understand.
impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}: {}",
            self.path, self.pos.line, self.pos.col, self.code, self.message
        )
    }
}

/// An error at a place in a file: what every stage that reads a file (case files, the fixture
/// catalogue, `exemplar.toml`, the known-deviations file, behaviour data) reports when the
/// file is malformed. The command line shows it like rustc: the headline, then the source line
/// with a caret under the column (or under the span, when there is one).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}:{line}:{column}: {message}", path.display())]
pub struct Located {
    pub path: PathBuf,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// The bytes of the file the error is about, when the parser said (TOML does).
    pub span: Option<Range<usize>>,
    /// A lowercase fragment, e.g. "unknown field `tgas`".
    pub message: String,
}

impl Located {
    /// An error at `line` and `column` (both 1-based, the column in characters).
    pub fn new(path: &Path, line: usize, column: usize, message: impl Into<String>) -> Self {
        Located { path: path.to_path_buf(), line, column, span: None, message: message.into() }
    }

    /// An error about the file as a whole, shown at its first line.
    pub fn file(path: &Path, message: impl Into<String>) -> Self {
        Self::new(path, 1, 1, message)
    }

    /// An error at byte `offset` of `text` (the contents of `path`).
    pub fn at_offset(path: &Path, text: &str, offset: usize, message: impl Into<String>) -> Self {
        let pos = LineIndex::new(text).pos(text, offset, 1);
        Self::new(path, pos.line as usize, pos.col as usize, message)
    }

    /// An error about bytes `span` of `text`: located at the span's start.
    pub fn at_span(
        path: &Path,
        text: &str,
        span: Range<usize>,
        message: impl Into<String>,
    ) -> Self {
        let mut located = Self::at_offset(path, text, span.start, message);
        located.span = Some(span);
        located
    }

    /// An error at a line and a column counted in bytes, as serde_json counts them.
    pub fn at_byte_column(
        path: &Path,
        text: &str,
        line: usize,
        byte_column: usize,
        message: impl Into<String>,
    ) -> Self {
        let index = LineIndex::new(text);
        let offset = index.offset(line, byte_column);
        let pos = index.pos(text, offset, 1);
        Self::new(path, pos.line as usize, pos.col as usize, message)
    }
}

/// Maps byte offsets in a text to line and column positions: the one place the project turns
/// an offset into a line and a column.
#[derive(Debug, Clone)]
pub struct LineIndex {
    /// Byte offset at which each line starts.
    starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        Self::of_bytes(text.as_bytes())
    }

    /// The index of text that may not be valid UTF-8 (lines are still found by `\n`).
    pub fn of_bytes(bytes: &[u8]) -> Self {
        let mut starts = vec![0];
        starts.extend(newline_offsets(bytes).map(|i| i + 1));
        LineIndex { starts }
    }

    /// The 1-based line that byte `offset` is on.
    pub fn line(&self, offset: usize) -> u32 {
        self.starts.partition_point(|&s| s <= offset) as u32
    }

    /// The byte offset of 1-based `line` and 1-based byte column `column`.
    pub fn offset(&self, line: usize, column: usize) -> usize {
        let start = self.starts.get(line.saturating_sub(1)).or(self.starts.last()).copied();
        start.unwrap_or(0) + column.saturating_sub(1)
    }

    /// The position of byte `offset` in `text` (the same text the index was built from),
    /// shifted so that the text's first line is `first_line`.
    pub fn pos(&self, text: &str, offset: usize, first_line: u32) -> Pos {
        let offset = offset.min(text.len());
        let line = self.starts.partition_point(|&s| s <= offset) - 1;
        let start = self.starts[line];
        let col = text.get(start..offset).map_or(offset - start, |s| s.chars().count());
        Pos::new(first_line + line as u32, col as u32 + 1)
    }
}

fn newline_offsets(bytes: &[u8]) -> impl Iterator<Item = usize> + '_ {
    bytes.iter().copied().enumerate().filter(|&(_, b)| b == b'\n').map(|(i, _)| i)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_like_a_compiler() {
        let d = Diagnostic::warning("docs/a.md", Pos::new(3, 7), "trailing-comma", "removed");
        assert_eq!(d.to_string(), "docs/a.md:3:7: trailing-comma: removed");
        assert!(d.is_defect());
        assert!(!Diagnostic::note("x", Pos::line(1), "skipped", "").is_defect());
    }

    #[test]
    fn line_index_counts_characters() {
        let text = "ab\nçd e\n\nx";
        let index = LineIndex::new(text);
        assert_eq!(index.pos(text, 0, 1), Pos::new(1, 1));
        assert_eq!(index.pos(text, 3, 1), Pos::new(2, 1));
        // 'ç' is two bytes; the space after 'd' is the third character.
        assert_eq!(index.pos(text, 6, 10), Pos::new(11, 3));
        assert_eq!(index.pos(text, text.len(), 1), Pos::new(4, 2));
        assert_eq!(index.pos(text, 999, 1), Pos::new(4, 2));
    }
}
