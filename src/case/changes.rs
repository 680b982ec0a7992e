//! What extraction would change in a cases directory: which files it adds, rewrites or leaves
//! alone, and which existing files no longer match any documented example. `extract` applies
//! the changes; `extract --check` only lists them.
//!
//! Re-extraction keeps what people wrote: the hand-written fields of an existing case file
//! are copied into the regenerated one. A file that cannot be parsed is never overwritten,
//! since that would lose whatever was in it; it is reported instead.

use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};

use crate::diag::{Diagnostic, LineIndex, Located, Pos};
use crate::extract::{Extraction, Page};

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

/// Computes what writing `extraction` into `out` would change, keeping each file's contents
/// for [`apply`].
pub fn plan(extraction: &Extraction, out: &Path) -> Changes {
    let mut planner = Planner::new(out, Mode::Collect);
    for page in &extraction.pages {
        // Collecting writes nothing, so there is no I/O error to stop at.
        let _ = planner.page(page);
    }
    planner.finish(&extraction.roots)
}

/// What a [`Planner`] does with each file as it goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Keep each file's contents in the [`Changes`], write nothing (for [`apply`]).
    Collect,
    /// Only compare: `extract --check`.
    Check,
    /// Write each added or changed file at once (without a sync: case files can be
    /// regenerated), keeping no contents: memory stays that of one page.
    Write,
}

/// Plans (and in [`Mode::Write`] makes) the changes page by page, so that a doc set of any
/// size is extracted in the memory of one page. Two outputs that would land on one path (a
/// file name made safe, `a.md` beside `a.txt`) never overwrite each other: the later one gets
/// a numbered name and a `duplicate-case-path` diagnostic.
#[derive(Debug)]
pub struct Planner<'a> {
    out: &'a Path,
    mode: Mode,
    changes: Changes,
    /// Paths planned so far, as written and lower-cased (for case-insensitive file systems).
    planned: BTreeSet<String>,
    taken: HashSet<String>,
    /// Diagnostics about the outputs themselves (`duplicate-case-path`).
    pub notes: Vec<Diagnostic>,
}

impl<'a> Planner<'a> {
    pub fn new(out: &'a Path, mode: Mode) -> Self {
        Planner {
            out,
            mode,
            changes: Changes::default(),
            planned: BTreeSet::new(),
            taken: HashSet::new(),
            notes: Vec::new(),
        }
    }

    /// Plans the files of one page; in [`Mode::Write`] writes them. An error is a file that
    /// could not be written.
    pub fn page(&mut self, page: &Page) -> std::io::Result<()> {
        for example in &page.examples {
            let (mut rel, mut case) = build::case(page, example);
            let mut n = 2;
            while self.taken.contains(&rel.to_lowercase()) {
                let mut renamed = example.clone();
                renamed.name = format!("{}-{n}", example.name);
                (rel, case) = build::case(page, &renamed);
                n += 1;
            }
            if n > 2 {
                self.duplicate(page, example.request.line, &example.name, &rel);
            }
            let path = self.out.join(&rel);
            let old = match std::fs::read(&path) {
                Ok(bytes) => {
                    let parsed = std::str::from_utf8(&bytes)
                        .map_err(|e| {
                            let at = LineIndex::of_bytes(&bytes).line(e.valid_up_to());
                            FileError::Invalid(Located::new(&path, at as usize, 1, "not UTF-8"))
                        })
                        .and_then(|text| file::parse::<Case>(&path, text));
                    match parsed {
                        Ok(old) => build::keep_hand_written(&mut case, old),
                        Err(e) => {
                            // Do not overwrite what we cannot read: it may hold hand-written work.
                            self.changes.errors.push(e);
                            self.take(rel);
                            continue;
                        }
                    }
                    Some(bytes)
                }
                Err(_) => None,
            };
            self.push(rel, file::render(&case), old)?;
        }
        for t in &page.types {
            let (mut rel, type_file) = build::type_file(page, t);
            let stem = rel.trim_end_matches(".type.json").to_string();
            let mut n = 2;
            while self.taken.contains(&rel.to_lowercase()) {
                rel = format!("{stem}-{n}.type.json");
                n += 1;
            }
            if n > 2 {
                self.duplicate(page, t.line, &t.name, &rel);
            }
            let old = std::fs::read(self.out.join(&rel)).ok();
            self.push(rel, file::render(&type_file), old)?;
        }
        Ok(())
    }

    fn duplicate(&mut self, page: &Page, line: u32, name: &str, rel: &str) {
        self.notes.push(Diagnostic::warning(
            &page.file,
            Pos::line(line),
            "duplicate-case-path",
            format!(
                "`{name}` would be written where another example or type of these docs already is; written as {rel}"
            ),
        ));
    }

    fn take(&mut self, rel: String) {
        self.taken.insert(rel.to_lowercase());
        self.planned.insert(rel);
    }

    fn push(&mut self, rel: String, contents: String, old: Option<Vec<u8>>) -> std::io::Result<()> {
        let kind = match &old {
            Some(old) if old == contents.as_bytes() => ChangeKind::Unchanged,
            Some(_) => ChangeKind::Changed,
            None => ChangeKind::Added,
        };
        if self.mode == Mode::Write && kind != ChangeKind::Unchanged {
            file::write_replace(&self.out.join(&rel), contents.as_bytes())?;
        }
        let contents = (self.mode == Mode::Collect).then_some(contents);
        self.take(rel.clone());
        self.changes.files.push(FileChange { rel, kind, contents });
        Ok(())
    }

    /// Adds the stale files (existing files from these roots that no example matches now) and
    /// returns the changes, sorted by path.
    pub fn finish(mut self, roots: &[String]) -> Changes {
        for rel in stale_files(roots, self.out, &self.planned, &mut self.changes.errors) {
            self.changes.files.push(FileChange { rel, kind: ChangeKind::Stale, contents: None });
        }
        self.changes.files.sort_by(|a, b| a.rel.cmp(&b.rel));
        self.changes
    }
}

/// Existing files that came from one of the extracted roots but match no example now.
fn stale_files(
    roots: &[String],
    out: &Path,
    planned: &BTreeSet<String>,
    errors: &mut Vec<FileError>,
) -> Vec<String> {
    let mut stale = Vec::new();
    let from_these_roots =
        |doc: &str| roots.iter().any(|r| doc == r || doc.starts_with(&format!("{r}/")));
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
                file::write_replace(&path, contents.as_bytes())?;
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
