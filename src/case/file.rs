//! Reading and writing case and type files.
//!
//! Reading checks the format version before anything else, so a file from a newer exemplar
//! gets "format 2 is newer than this build reads" rather than a confusing unknown-field
//! error, and every error names the file, line and column. Writing is deterministic (pretty
//! JSON, two-space indent, a final newline) and atomic.

use std::path::{Path, PathBuf};

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::model::{Case, FORMAT, TypeFile};
use crate::diag::Located;

/// A case or type file that could not be read.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error("cannot read {}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    Invalid(#[from] Located),
}

impl FileError {
    pub fn path(&self) -> &Path {
        match self {
            FileError::Io { path, .. } => path,
            FileError::Invalid(located) => &located.path,
        }
    }

    /// Where in the file the error is, when it is about the file's contents.
    pub fn located(&self) -> Option<&Located> {
        match self {
            FileError::Invalid(located) => Some(located),
            FileError::Io { .. } => None,
        }
    }
}

#[derive(serde::Deserialize)]
struct Probe {
    format: Option<serde_json::Value>,
}

/// Parses `text` (the contents of `path`) as a file of the current format.
pub fn parse<T: DeserializeOwned>(path: &Path, text: &str) -> Result<T, FileError> {
    let invalid = |e: serde_json::Error| located(path, text, e);
    let probe: Probe = serde_json::from_str(text).map_err(invalid)?;
    let refused = |message: String| FileError::Invalid(Located::file(path, message));
    match probe.format {
        Some(serde_json::Value::Number(n)) if n.as_u64() == Some(u64::from(FORMAT)) => {}
        Some(serde_json::Value::Number(n)) if n.as_u64().is_some_and(|v| v > u64::from(FORMAT)) => {
            return Err(refused(format!(
                "format {n} is newer than this exemplar reads (format {FORMAT}); upgrade exemplar"
            )));
        }
        Some(other) => {
            return Err(refused(format!(
                "unsupported format {other}; this exemplar reads format {FORMAT}"
            )));
        }
        None => {
            return Err(refused(format!(
                "missing field `format` (this exemplar reads format {FORMAT})"
            )));
        }
    }
    parse_any(path, text)
}

/// Parses `text` (the contents of `path`) whatever its `format`: for a caller that has
/// checked the format itself (the report reads two).
pub fn parse_any<T: DeserializeOwned>(path: &Path, text: &str) -> Result<T, FileError> {
    serde_json::from_str(text).map_err(|e| located(path, text, e))
}

/// A serde_json error as an error naming the file, line and column.
fn located(path: &Path, text: &str, e: serde_json::Error) -> FileError {
    let message = e
        .to_string()
        .rsplit_once(" at line ")
        .map_or_else(|| e.to_string(), |(m, _)| m.to_string());
    let column = if message.starts_with("unknown field") {
        key_start(text, e.line(), e.column())
    } else {
        e.column()
    };
    FileError::Invalid(Located::at_byte_column(path, text, e.line(), column.max(1), message))
}

/// serde_json reports an unknown field at the closing quote of its key; a person looks for
/// the start of the key, so this moves `column` (in bytes) back to the key's opening quote.
fn key_start(text: &str, line: usize, column: usize) -> usize {
    let Some(line) = text.split('\n').nth(line.wrapping_sub(1)) else { return column };
    // `column` is the closing quote, so look before it.
    let before = line.as_bytes().get(..column.saturating_sub(1)).unwrap_or_default();
    let opening =
        (0..before.len()).rev().find(|&i| before[i] == b'"' && (i == 0 || before[i - 1] != b'\\'));
    opening.map_or(column, |i| i + 1)
}

/// Reads and parses a file.
pub fn read<T: DeserializeOwned>(path: &Path) -> Result<T, FileError> {
    let text = std::fs::read_to_string(path)
        .map_err(|source| FileError::Io { path: path.to_path_buf(), source })?;
    parse(path, &text)
}

/// The exact bytes written for a value: pretty JSON and a final newline.
pub fn render<T: Serialize>(value: &T) -> String {
    // Serialising these types to a String cannot fail: every key is a string and no value
    // holds a non-finite float.
    let mut text = serde_json::to_string_pretty(value).unwrap_or_default();
    text.push('\n');
    text
}

/// The hidden name in `dir` under which this process writes what becomes `path` (a file or
/// a directory) before renaming it into place: `.NAME.PID.tmp`. Readers of a cases directory
/// skip names that start with a dot, so what a killed process leaves there is never read.
pub fn temp_beside(dir: &Path, path: &Path) -> PathBuf {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    dir.join(format!(".{name}.{}.tmp", std::process::id()))
}

/// Writes `contents` to `path` so that a reader (or a crash) sees the old file or the new
/// one, never a partial file: the bytes go to a temporary file in the same directory, are
/// synced, and the temporary file is renamed over the target.
pub fn write_atomic(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let tmp = temp_beside(dir, path);
    let result = (|| {
        let mut file = std::fs::File::create(&tmp)?;
        file.write_all(contents)?;
        file.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Replaces `path` with `contents` through a temporary file and a rename, without syncing:
/// after a crash or a killed process the file is the old one or the new one, never a partial
/// file, but a power loss may lose the new one. That is the right trade for files that can be
/// regenerated (case and type files come from the docs again with `exemplar extract`); a
/// sync per file made writing a corpus's cases several times slower than reading it. Files
/// that cannot be regenerated (accepted snapshots, reports) use [`write_atomic`].
pub fn write_replace(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let tmp = temp_beside(dir, path);
    // Create the directory only when it is missing, not once per file.
    let mut file = match std::fs::File::create(&tmp) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            std::fs::create_dir_all(dir)?;
            std::fs::File::create(&tmp)?
        }
        other => other?,
    };
    let written = file.write_all(contents);
    drop(file);
    let result = written.and_then(|()| std::fs::rename(&tmp, path));
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// A case file and where it was read from.
#[derive(Debug, Clone)]
pub struct LoadedCase {
    pub path: PathBuf,
    pub case: Case,
}

/// Everything in a cases directory.
#[derive(Debug, Default)]
pub struct CaseDir {
    pub cases: Vec<LoadedCase>,
    pub types: Vec<(PathBuf, TypeFile)>,
    /// Files that could not be read; the rest of the directory is still loaded.
    pub errors: Vec<FileError>,
}

/// Whether a file under the cases directory is a case file (rather than a schema, a type, the
/// fixture catalogue or anything else).
pub fn is_case_file(rel: &Path) -> bool {
    let name = rel.file_name().map(|n| n.to_string_lossy()).unwrap_or_default();
    name.ends_with(".json")
        && !name.ends_with(".schema.json")
        && !name.ends_with(".type.json")
        && !name.starts_with('.')
        && rel.components().count() > 1
}

/// A directory below the walk's root whose name starts with a dot: never read as part of a
/// cases directory (the root itself may have any name).
pub fn is_hidden_dir(entry: &walkdir::DirEntry) -> bool {
    entry.depth() > 0
        && entry.file_type().is_dir()
        && entry.file_name().to_string_lossy().starts_with('.')
}

pub fn is_type_file(rel: &Path) -> bool {
    rel.file_name().is_some_and(|n| n.to_string_lossy().ends_with(".type.json"))
}

/// Loads every case and type file under `dir` (sorted, so the order is stable).
pub fn load_dir(dir: &Path) -> CaseDir {
    load(dir, true)
}

/// Loads only the type files under `dir`.
pub fn load_dir_types(dir: &Path) -> CaseDir {
    load(dir, false)
}

fn load(dir: &Path, with_cases: bool) -> CaseDir {
    let mut out = CaseDir::default();
    let walker = walkdir::WalkDir::new(dir).sort_by_file_name().into_iter();
    // Hidden directories are not read: a killed `extract` leaves its unfinished new
    // directories there under hidden staging names.
    for entry in walker.filter_entry(|e| !is_hidden_dir(e)) {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                let path = e.path().unwrap_or(dir).to_path_buf();
                out.errors.push(FileError::Io { path, source: e.into() });
                continue;
            }
        };
        if !entry.file_type().is_file() {
            continue;
        }
        let rel = entry.path().strip_prefix(dir).unwrap_or(entry.path());
        if is_type_file(rel) {
            match read::<TypeFile>(entry.path()) {
                Ok(t) => out.types.push((entry.path().to_path_buf(), t)),
                Err(e) => out.errors.push(e),
            }
        } else if with_cases && is_case_file(rel) {
            match read::<Case>(entry.path()) {
                Ok(case) => out.cases.push(LoadedCase { path: entry.path().to_path_buf(), case }),
                Err(e) => out.errors.push(e),
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_case(text: &str) -> Result<Case, FileError> {
        parse(Path::new("cases/a/b.json"), text)
    }

    const MINIMAL: &str = "{\n  \"format\": 1,\n  \"id\": \"a::b\",\n  \"request\": {\"method\": \"GET\", \"url\": \"https://h/x\"}\n}\n";

    #[test]
    fn reads_a_minimal_case() {
        let case = parse_case(MINIMAL).unwrap();
        assert_eq!(case.id, "a::b");
        assert!(case.response.is_none());
    }

    #[test]
    fn unknown_fields_name_file_line_and_column() {
        let text = MINIMAL.replace("\"id\": \"a::b\",", "\"id\": \"a::b\",\n  \"tgas\": [],");
        let err = parse_case(&text).unwrap_err().to_string();
        assert!(err.starts_with("cases/a/b.json:4:3: unknown field `tgas`"), "{err}");
    }

    /// Regression: an unknown field was reported at the closing quote of its key (serde_json's
    /// position), not where the key starts; columns are characters, not bytes.
    #[test]
    fn unknown_field_points_at_the_start_of_its_key() {
        let text = MINIMAL.replace("\"id\": \"a::b\",", "\"id\": \"é\", \"ta\\\"gs\": [],");
        let err = parse_case(&text).unwrap_err().to_string();
        assert!(err.starts_with("cases/a/b.json:3:14: unknown field `ta\"gs`"), "{err}");
    }

    #[test]
    fn newer_formats_are_refused_clearly() {
        let err =
            parse_case(&MINIMAL.replace("\"format\": 1", "\"format\": 7")).unwrap_err().to_string();
        assert!(err.contains("format 7 is newer"), "{err}");
        let err = parse_case("{\"id\": 1}").unwrap_err().to_string();
        assert!(err.contains("missing field `format`"), "{err}");
        let err = parse_case("{\"format\": 1,").unwrap_err().to_string();
        assert!(err.starts_with("cases/a/b.json:1:"), "{err}");
    }

    #[test]
    fn render_round_trips() {
        let case = parse_case(MINIMAL).unwrap();
        let text = render(&case);
        assert_eq!(parse_case(&text).unwrap(), case);
        assert!(text.ends_with("}\n"));
    }

    #[test]
    fn atomic_write_replaces_and_leaves_no_temp_file() {
        let scratch = tempfile::tempdir().unwrap();
        let dir = scratch.path();
        let path = dir.join("sub/file.json");
        write_atomic(&path, b"one").unwrap();
        write_atomic(&path, b"two").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"two");
        let names: Vec<_> =
            std::fs::read_dir(dir.join("sub")).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names.len(), 1);
    }

    #[test]
    fn replace_write_creates_directories_replaces_and_leaves_no_temp_file() {
        let scratch = tempfile::tempdir().unwrap();
        let path = scratch.path().join("a/b/file.json");
        write_replace(&path, b"one").unwrap();
        write_replace(&path, b"two").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"two");
        let names: Vec<_> = std::fs::read_dir(scratch.path().join("a/b"))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["file.json"]);
    }

    #[test]
    fn classifies_files() {
        assert!(is_case_file(Path::new("docs/x/a.json")));
        assert!(!is_case_file(Path::new("case.schema.json")));
        assert!(!is_case_file(Path::new("fixtures.json")));
        assert!(!is_case_file(Path::new("docs/x/t.type.json")));
        assert!(is_type_file(Path::new("docs/x/t.type.json")));
    }
}
