//! What extraction would change in a cases directory: which files it adds, rewrites or leaves
//! alone, and which existing files no longer match any documented example. `extract` applies
//! the changes; `extract --check` only lists them.
//!
//! Re-extraction keeps what people wrote: the hand-written fields of an existing case file
//! are copied into the regenerated one. A file that cannot be parsed is never overwritten,
//! since that would lose whatever was in it; it is reported instead.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::extract::Extraction;

use super::build;
use super::file::{self, FileError};
use super::model::{Case, TypeFile};

/// What happens to one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ChangeKind {
    /// A new example: the file does not exist yet.
    Added,
    /// The docs changed (or the file was edited): the file would be rewritten.
    Changed,
    Unchanged,
    /// The file was extracted from a doc that no longer has this example.
    Stale,
}

impl ChangeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::Added => "added",
            ChangeKind::Changed => "changed",
            ChangeKind::Unchanged => "unchanged",
            ChangeKind::Stale => "stale",
        }
    }
}

/// One file under the cases directory.
#[derive(Debug, Clone)]
pub struct FileChange {
    /// Path relative to the cases directory, `/`-separated.
    pub rel: String,
    pub kind: ChangeKind,
    /// What the file should contain (none for stale files).
    pub contents: Option<String>,
}

/// All changes extraction implies for one cases directory.
#[derive(Debug, Default)]
pub struct Changes {
    pub files: Vec<FileChange>,
    /// Existing files that could not be read; they are left untouched.
    pub errors: Vec<FileError>,
}

impl Changes {
    pub fn count(&self, kind: ChangeKind) -> usize {
        self.files.iter().filter(|f| f.kind == kind).count()
    }

    /// Files that differ from what extraction would write.
    pub fn out_of_date(&self) -> impl Iterator<Item = &FileChange> {
        self.files.iter().filter(|f| f.kind != ChangeKind::Unchanged)
    }
}

/// Computes what writing `extraction` into `out` would change.
pub fn plan(extraction: &Extraction, out: &Path) -> Changes {
    let mut changes = Changes::default();
    let mut planned = BTreeSet::new();
    for page in &extraction.pages {
        for example in &page.examples {
            let (rel, mut case) = build::case(page, example);
            let path = out.join(&rel);
            if path.exists() {
                match file::read::<Case>(&path) {
                    Ok(old) => build::keep_hand_written(&mut case, old),
                    Err(e) => {
                        // Do not overwrite what we cannot read: it may hold hand-written work.
                        changes.errors.push(e);
                        planned.insert(rel);
                        continue;
                    }
                }
            }
            push(&mut changes, &mut planned, out, rel, file::render(&case));
        }
        for t in &page.types {
            let (rel, type_file) = build::type_file(page, t);
            push(&mut changes, &mut planned, out, rel, file::render(&type_file));
        }
    }
    for rel in stale_files(extraction, out, &planned, &mut changes.errors) {
        changes.files.push(FileChange { rel, kind: ChangeKind::Stale, contents: None });
    }
    changes.files.sort_by(|a, b| a.rel.cmp(&b.rel));
    changes
}

fn push(
    changes: &mut Changes,
    planned: &mut BTreeSet<String>,
    out: &Path,
    rel: String,
    contents: String,
) {
    let kind = match std::fs::read(out.join(&rel)) {
        Ok(old) if old == contents.as_bytes() => ChangeKind::Unchanged,
        Ok(_) => ChangeKind::Changed,
        Err(_) => ChangeKind::Added,
    };
    planned.insert(rel.clone());
    changes.files.push(FileChange { rel, kind, contents: Some(contents) });
}

/// Existing files that came from one of the extracted roots but match no example now.
fn stale_files(
    extraction: &Extraction,
    out: &Path,
    planned: &BTreeSet<String>,
    errors: &mut Vec<FileError>,
) -> Vec<String> {
    let mut stale = Vec::new();
    let from_these_roots =
        |doc: &str| extraction.roots.iter().any(|r| doc == r || doc.starts_with(&format!("{r}/")));
    for entry in walkdir::WalkDir::new(out).sort_by_file_name().into_iter().flatten() {
        if !entry.file_type().is_file() {
            continue;
        }
        let Ok(rel_path) = entry.path().strip_prefix(out) else { continue };
        let rel = rel_path
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/");
        if planned.contains(&rel) {
            continue;
        }
        let doc = if file::is_type_file(rel_path) {
            file::read::<TypeFile>(entry.path()).map(|t| Some(t.source.doc))
        } else if file::is_case_file(rel_path) {
            file::read::<Case>(entry.path()).map(|c| c.source.map(|s| s.doc))
        } else {
            continue;
        };
        match doc {
            Ok(Some(doc)) if from_these_roots(&doc) => stale.push(rel),
            Ok(_) => {}
            Err(e) => errors.push(e),
        }
    }
    stale
}

/// Writes added and changed files; deletes stale ones when `prune` is set. Returns the
/// paths written or removed.
pub fn apply(changes: &Changes, out: &Path, prune: bool) -> std::io::Result<Vec<PathBuf>> {
    let mut touched = Vec::new();
    for change in &changes.files {
        let path = out.join(&change.rel);
        match (change.kind, &change.contents) {
            (ChangeKind::Added | ChangeKind::Changed, Some(contents)) => {
                file::write_atomic(&path, contents.as_bytes())?;
                touched.push(path);
            }
            (ChangeKind::Stale, _) if prune => {
                std::fs::remove_file(&path)?;
                touched.push(path);
            }
            _ => {}
        }
    }
    Ok(touched)
}
