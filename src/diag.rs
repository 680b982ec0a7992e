//! Diagnostics: a defect found in an input (a doc page, a case file), with the place it was
//! found. Every stage that reads files reports problems as values of this type so the command
//! line can print them the same way (`path:line:col: code: message`) and decide the exit code.

use std::fmt;

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

/// Maps byte offsets in a text to line and column positions.
#[derive(Debug, Clone)]
pub struct LineIndex {
    /// Byte offset at which each line starts.
    starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(newline_offsets(text).map(|i| i + 1));
        LineIndex { starts }
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

fn newline_offsets(text: &str) -> impl Iterator<Item = usize> + '_ {
    text.bytes().enumerate().filter(|&(_, b)| b == b'\n').map(|(i, _)| i)
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
