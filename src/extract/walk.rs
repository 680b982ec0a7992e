//! Walks the paths given on the command line and reads every file under them as a doc page.
//!
//! Each page is named by the path that case ids are built from: a directory argument `D`
//! names its files `basename(D)/relative/path`, a file argument names itself by its file
//! name. The names do not depend on the current directory, so the same docs give the same
//! cases wherever exemplar runs. Files are read in sorted order so output is deterministic.

use std::path::{Path, PathBuf};

use crate::diag::{Diagnostic, Pos};

use super::lint;
use super::page::{self, Outcome, Page};

/// The result of reading a set of doc roots.
#[derive(Debug, Default)]
pub struct Extraction {
    /// The roots' names (the first component of every page's doc path).
    pub roots: Vec<String>,
    pub pages: Vec<Page>,
    /// Files that were not doc pages, and files that could not be read.
    pub skipped: Vec<Diagnostic>,
    /// Findings across pages (see [`lint`]).
    pub lints: Vec<Diagnostic>,
    /// Pages handed to the visitor of [`for_each_page`] instead of kept in `pages`.
    pub visited: usize,
    /// The diagnostics of those pages, in reading order.
    pub visited_diagnostics: Vec<Diagnostic>,
}

impl Extraction {
    /// Every diagnostic, page by page in reading order, then the cross-page lints.
    pub fn diagnostics(&self) -> impl Iterator<Item = &Diagnostic> {
        self.skipped
            .iter()
            .chain(self.pages.iter().flat_map(|p| p.diagnostics.iter()))
            .chain(self.visited_diagnostics.iter())
            .chain(self.lints.iter())
    }

    /// The number of doc pages read.
    pub fn page_count(&self) -> usize {
        self.pages.len() + self.visited
    }
}

/// Roots that cannot be read as one doc set.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// A root that could not be read at all.
    #[error("cannot read {}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// Two roots whose pages would be named alike, so their case ids would collide.
    #[error(
        "doc paths {first} and {second} both name their pages `{name}/...`, so their examples \
         would get the same case ids; pass only one, or a directory that holds both"
    )]
    SameName { first: PathBuf, second: PathBuf, name: String },
}

fn root_name(path: &Path) -> String {
    path.canonicalize()
        .ok()
        .as_deref()
        .and_then(Path::file_name)
        .or_else(|| path.file_name())
        .map_or_else(|| "docs".to_string(), |n| n.to_string_lossy().into_owned())
}

/// Reads every file under `roots`, keeping every page in memory.
pub fn read_roots(roots: &[PathBuf]) -> Result<Extraction, ReadError> {
    let mut pages = Vec::new();
    let mut out = for_each_page(roots, |page| pages.push(page))?;
    out.visited = 0;
    out.visited_diagnostics.clear();
    out.pages = pages;
    Ok(out)
}

/// Reads every file under `roots` and hands each page to `visit` as soon as it is read, so
/// that a large doc set never has to be held in memory at once. The pages' diagnostics (and
/// the cross-page lints) come back in the returned [`Extraction`], whose `pages` is empty.
pub fn for_each_page(
    roots: &[PathBuf],
    mut visit: impl FnMut(Page),
) -> Result<Extraction, ReadError> {
    let mut out = Extraction::default();
    let mut methods = lint::Methods::default();
    let mut visit = |page: Page, out: &mut Extraction| {
        methods.add(&page);
        out.visited += 1;
        out.visited_diagnostics.extend(page.diagnostics.iter().cloned());
        visit(page);
    };
    let mut named: Vec<(&PathBuf, String)> = Vec::new();
    for root in roots {
        std::fs::metadata(root).map_err(|source| ReadError::Io { path: root.clone(), source })?;
        let name = root_name(root);
        if let Some((first, _)) = named.iter().find(|(_, n)| *n == name) {
            return Err(ReadError::SameName {
                first: (*first).clone(),
                second: root.clone(),
                name,
            });
        }
        named.push((root, name.clone()));
    }
    for (root, name) in named {
        let meta = std::fs::metadata(root)
            .map_err(|source| ReadError::Io { path: root.clone(), source })?;
        out.roots.push(name.clone());
        if meta.is_file() {
            read_file(root, &name, &mut out, &mut visit);
            continue;
        }
        let walker = walkdir::WalkDir::new(root)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
        for entry in walker {
            match entry {
                Ok(e) if e.file_type().is_file() => {
                    let rel = e.path().strip_prefix(root).unwrap_or(e.path());
                    let mut doc = name.clone();
                    for part in rel.components() {
                        doc.push('/');
                        doc.push_str(&part.as_os_str().to_string_lossy());
                    }
                    read_file(e.path(), &doc, &mut out, &mut visit);
                }
                Ok(_) => {}
                Err(e) => {
                    let path = e
                        .path()
                        .map_or_else(|| root.display().to_string(), |p| p.display().to_string());
                    out.skipped.push(Diagnostic::error(
                        &path,
                        Pos::line(1),
                        "unreadable",
                        format!("cannot read: {e}"),
                    ));
                }
            }
        }
    }
    out.lints = methods.finish();
    Ok(out)
}

fn read_file(
    path: &Path,
    doc: &str,
    out: &mut Extraction,
    visit: &mut impl FnMut(Page, &mut Extraction),
) {
    let file = path.display().to_string();
    match std::fs::read(path) {
        Ok(bytes) => match page::read(&file, &bytes) {
            Outcome::Page(mut p) => {
                p.doc = doc.to_string();
                visit(p, out);
            }
            Outcome::Skipped(note) => out.skipped.push(note),
        },
        Err(e) => out.skipped.push(Diagnostic::error(
            doc,
            Pos::line(1),
            "unreadable",
            format!("cannot read: {e}"),
        )),
    }
}
