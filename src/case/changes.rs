//! What extraction would change in a cases directory: which files it adds, rewrites or leaves
//! alone, and which existing files no longer match any documented example. `extract` applies
//! the changes; `extract --check` only lists them.
//!
//! Re-extraction keeps what people wrote: the hand-written fields of an existing case file
//! are copied into the regenerated one. A file that cannot be parsed is never overwritten,
//! since that would lose whatever was in it; it is reported instead.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, SyncSender};
use std::thread::JoinHandle;

use crate::diag::{Diagnostic, LineIndex, Located, Pos};
use crate::extract::{Extraction, Page};

use super::build;
use super::file::{self, FileError};
use super::model::{Case, TypeFile};

/// What happens to one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, strum::IntoStaticStr)]
#[strum(serialize_all = "lowercase")]
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
        self.into()
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
/// for [`apply`]. The error is an existing file that could not be walked for staleness.
pub fn plan(extraction: &Extraction, out: &Path) -> std::io::Result<Changes> {
    let mut planner = Planner::new(out, Mode::Collect);
    for page in &extraction.pages {
        planner.page(page)?;
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
    /// Write each added or changed file (without a sync: case files can be regenerated),
    /// keeping no contents: memory stays that of a few pages. The files are written on a
    /// second thread while the next pages are read and planned.
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
    /// In [`Mode::Write`], what writes the files.
    writer: Option<Writer>,
    /// Directories this run created (known once writing is finished): nothing in them can be
    /// stale, so the walk for stale files skips them.
    created: HashSet<PathBuf>,
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
            writer: (mode == Mode::Write).then(Writer::start),
            created: HashSet::new(),
        }
    }

    /// Plans the files of one page; in [`Mode::Write`] hands them to the writer. An error is a
    /// file (of this page or an earlier one) that could not be written.
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
        self.take(rel.clone());
        let contents = match &mut self.writer {
            Some(writer) if kind != ChangeKind::Unchanged => {
                writer.write(self.out.join(&rel), contents)?;
                None
            }
            _ => (self.mode == Mode::Collect).then_some(contents),
        };
        self.changes.files.push(FileChange { rel, kind, contents });
        Ok(())
    }

    /// Waits until every file handed to the writer is written. The error is the first file
    /// that could not be written; the files after it were not written either.
    pub fn finish_writing(&mut self) -> std::io::Result<()> {
        match self.writer.take() {
            Some(writer) => {
                self.created = writer.finish()?;
                Ok(())
            }
            None => Ok(()),
        }
    }

    /// Finishes writing, adds the stale files (existing files from these roots that no example
    /// matches now) and returns the changes, sorted by path.
    pub fn finish(mut self, roots: &[String]) -> std::io::Result<Changes> {
        self.finish_writing()?;
        let found =
            stale_files(roots, self.out, &self.planned, &self.created, &mut self.changes.errors);
        for rel in found {
            self.changes.files.push(FileChange { rel, kind: ChangeKind::Stale, contents: None });
        }
        self.changes.files.sort_by(|a, b| a.rel.cmp(&b.rel));
        Ok(self.changes)
    }
}

/// How many files may wait for the writer: enough to ride out a slow write, few enough that
/// memory stays that of a few pages.
const QUEUE: usize = 64;

/// Writes case files on a thread of its own, in the order they come. Falls back to writing on
/// the caller's thread when no thread can be started.
#[derive(Debug)]
enum Writer {
    Thread {
        jobs: SyncSender<(PathBuf, String)>,
        thread: JoinHandle<std::io::Result<Dirs>>,
    },
    Inline(Dirs),
    /// Stopped on an error, already returned: nothing more is written.
    Stopped,
}

impl Writer {
    fn start() -> Writer {
        let (jobs, queue) = mpsc::sync_channel::<(PathBuf, String)>(QUEUE);
        let spawned = std::thread::Builder::new().name("case-writer".into()).spawn(move || {
            let mut dirs = Dirs::default();
            // Stopping drops the queue, so the next send fails and the error is joined. What
            // was written before the error is published all the same.
            let written =
                queue.iter().try_for_each(|(path, contents)| dirs.write(&path, &contents));
            let published = dirs.publish();
            written.and(published).map(|()| dirs)
        });
        match spawned {
            Ok(thread) => Writer::Thread { jobs, thread },
            Err(_) => Writer::Inline(Dirs::default()),
        }
    }

    fn write(&mut self, path: PathBuf, contents: String) -> std::io::Result<()> {
        match self {
            Writer::Thread { jobs, .. } => {
                if jobs.send((path, contents)).is_ok() {
                    return Ok(());
                }
                // The thread stopped on an error: return that one.
                match std::mem::replace(self, Writer::Stopped).finish() {
                    Err(e) => Err(e),
                    Ok(_) => Err(std::io::Error::other("the case writer stopped")),
                }
            }
            Writer::Inline(dirs) => dirs.write(&path, &contents),
            Writer::Stopped => Err(std::io::Error::other("the case writer stopped on an error")),
        }
    }

    /// Waits for every queued file; returns the directories created.
    fn finish(self) -> std::io::Result<HashSet<PathBuf>> {
        let dirs = match self {
            Writer::Thread { jobs, thread } => {
                drop(jobs);
                thread.join().map_err(|_| std::io::Error::other("the case writer panicked"))??
            }
            Writer::Inline(mut dirs) => {
                dirs.publish()?;
                dirs
            }
            Writer::Stopped => {
                return Err(std::io::Error::other("the case writer stopped on an error"));
            }
        };
        Ok(dirs.created)
    }
}

/// Where a writer puts the files, directory by directory.
///
/// A file in a directory that already exists replaces its old version through a temporary
/// file and a rename ([`file::write_replace`]). A directory that does not exist yet is made
/// under a hidden staging name beside it (`.NAME.PID.tmp`); everything below it is written
/// there directly, and [`Dirs::publish`] renames it to its name once writing is finished. A
/// killed run thus leaves no partial file where case files are read (readers skip hidden
/// directories), the promise of a rename per file, at one rename per new directory: a first
/// extraction into an empty directory renames once in all.
#[derive(Debug, Default)]
struct Dirs {
    /// The directory of the last file written and where its files go: files come page by
    /// page, so most go where the one before went.
    last: Option<(PathBuf, Place)>,
    /// Directories being made, not yet renamed: name to staging name. None is inside another.
    staged: BTreeMap<PathBuf, PathBuf>,
    /// The directories made and renamed: everything in them was written by this run.
    created: HashSet<PathBuf>,
}

#[derive(Debug, Clone)]
struct Place {
    at: PathBuf,
    staged: bool,
}

impl Dirs {
    fn write(&mut self, path: &Path, contents: &str) -> std::io::Result<()> {
        let dir = path.parent().filter(|d| !d.as_os_str().is_empty());
        let (Some(dir), Some(name)) = (dir, path.file_name()) else {
            return file::write_replace(path, contents.as_bytes());
        };
        let place = match &self.last {
            Some((last, place)) if last == dir => place.clone(),
            _ => {
                let place = self.place(dir)?;
                self.last = Some((dir.to_path_buf(), place.clone()));
                place
            }
        };
        if place.staged {
            // Nobody reads a staging directory: a partial file there is never seen.
            std::fs::write(place.at.join(name), contents)
        } else {
            file::write_replace(path, contents.as_bytes())
        }
    }

    /// Where the files of `dir` go, making what is missing.
    fn place(&mut self, dir: &Path) -> std::io::Result<Place> {
        for ancestor in dir.ancestors() {
            if let Some(staging) = self.staged.get(ancestor) {
                let at = staging.join(dir.strip_prefix(ancestor).unwrap_or(Path::new("")));
                std::fs::create_dir_all(&at)?;
                return Ok(Place { at, staged: true });
            }
        }
        // The highest missing directory is made under a staging name, the rest inside it.
        let mut root = None;
        for probe in dir.ancestors().take_while(|p| !p.as_os_str().is_empty()) {
            match std::fs::metadata(probe) {
                Ok(_) => break,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => root = Some(probe),
                Err(e) => return Err(e),
            }
        }
        let in_place = Place { at: dir.to_path_buf(), staged: false };
        // `dir` exists (if not as a directory, writing into it fails and says so).
        let Some(root) = root else { return Ok(in_place) };
        if root.file_name().is_none() {
            // A path ending in `..`: nothing to stage it under.
            std::fs::create_dir_all(dir)?;
            return Ok(in_place);
        }
        let staging = file::temp_beside(root.parent().unwrap_or(Path::new("")), root);
        if let Err(e) = std::fs::create_dir(&staging) {
            if e.kind() != std::io::ErrorKind::AlreadyExists {
                return Err(e);
            }
            // Left by a killed run that had this process id: it was never renamed.
            std::fs::remove_dir_all(&staging)?;
            std::fs::create_dir(&staging)?;
        }
        let at = staging.join(dir.strip_prefix(root).unwrap_or(Path::new("")));
        self.staged.insert(root.to_path_buf(), staging);
        std::fs::create_dir_all(&at)?;
        Ok(Place { at, staged: true })
    }

    /// Renames every staging directory to its name. All are tried; the error is the first
    /// that could not be, whose files stay in its staging directory (named in the error).
    fn publish(&mut self) -> std::io::Result<()> {
        let mut first = None;
        for (dir, staging) in std::mem::take(&mut self.staged) {
            match std::fs::rename(&staging, &dir) {
                Ok(()) => {
                    self.created.insert(dir);
                }
                Err(e) => {
                    let shown = format!(
                        "cannot rename {} to {}: {e} (the files written there stay in it)",
                        staging.display(),
                        dir.display()
                    );
                    first.get_or_insert(std::io::Error::new(e.kind(), shown));
                }
            }
        }
        self.last = None;
        first.map_or(Ok(()), Err)
    }
}

/// Existing files that came from one of the extracted roots but match no example now.
fn stale_files(
    roots: &[String],
    out: &Path,
    planned: &BTreeSet<String>,
    created: &HashSet<PathBuf>,
    errors: &mut Vec<FileError>,
) -> Vec<String> {
    let mut stale = Vec::new();
    let from_these_roots =
        |doc: &str| roots.iter().any(|r| doc == r || doc.starts_with(&format!("{r}/")));
    // A directory this run created holds only files it wrote.
    let walk = walkdir::WalkDir::new(out).sort_by_file_name().into_iter();
    let read = |e: &walkdir::DirEntry| !created.contains(e.path()) && !file::is_hidden_dir(e);
    for entry in walk.filter_entry(read).flatten() {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn a_new_directory_is_written_under_a_hidden_name_and_appears_whole() {
        let scratch = tempfile::tempdir().unwrap();
        let out = scratch.path().join("cases");
        let mut dirs = Dirs::default();
        dirs.write(&out.join("api/widget/get.json"), "{}\n").unwrap();
        dirs.write(&out.join("api/widget/list.json"), "[]\n").unwrap();
        dirs.write(&out.join("api/gadget/get.json"), "{\"g\":1}\n").unwrap();

        // Until it is published nothing is where cases are read; the files wait in one
        // staging directory beside it.
        assert!(!out.exists());
        let staging = format!(".cases.{}.tmp", std::process::id());
        assert_eq!(names(scratch.path()), [staging.as_str()]);
        let staged = scratch.path().join(&staging);
        assert_eq!(names(&staged.join("api/widget")), ["get.json", "list.json"]);

        dirs.publish().unwrap();
        assert_eq!(names(scratch.path()), ["cases"]);
        assert_eq!(std::fs::read_to_string(out.join("api/widget/list.json")).unwrap(), "[]\n");
        assert_eq!(
            std::fs::read_to_string(out.join("api/gadget/get.json")).unwrap(),
            "{\"g\":1}\n"
        );
        assert_eq!(dirs.created, HashSet::from([out]));
    }

    #[test]
    fn files_of_existing_directories_are_replaced_in_place_and_new_ones_beside_them_staged() {
        let scratch = tempfile::tempdir().unwrap();
        let out = scratch.path().join("cases");
        std::fs::create_dir_all(out.join("api/widget")).unwrap();
        std::fs::write(out.join("api/widget/get.json"), "old\n").unwrap();
        let mut dirs = Dirs::default();
        dirs.write(&out.join("api/widget/get.json"), "new\n").unwrap();
        dirs.write(&out.join("api/gadget/get.json"), "{}\n").unwrap();

        // The existing directory is written at once; the new one beside it is staged.
        assert_eq!(std::fs::read_to_string(out.join("api/widget/get.json")).unwrap(), "new\n");
        assert_eq!(names(&out.join("api/widget")), ["get.json"]);
        let staging = format!(".gadget.{}.tmp", std::process::id());
        assert_eq!(names(&out.join("api")), [staging, "widget".to_string()]);

        dirs.publish().unwrap();
        assert_eq!(names(&out.join("api")), ["gadget", "widget"]);
        assert_eq!(dirs.created, HashSet::from([out.join("api/gadget")]));
    }

    #[test]
    fn a_directory_that_appears_meanwhile_is_an_error_and_the_staged_files_are_kept() {
        let scratch = tempfile::tempdir().unwrap();
        let out = scratch.path().join("cases");
        let mut dirs = Dirs::default();
        dirs.write(&out.join("a/b.json"), "{}\n").unwrap();
        // Someone else makes the directory, with a file in it, before this run is done.
        std::fs::create_dir_all(&out).unwrap();
        std::fs::write(out.join("theirs.json"), "{}\n").unwrap();

        let e = dirs.publish().unwrap_err().to_string();
        let staging = scratch.path().join(format!(".cases.{}.tmp", std::process::id()));
        assert!(
            e.starts_with(&format!("cannot rename {} to {}: ", staging.display(), out.display())),
            "{e}"
        );
        assert!(e.ends_with("(the files written there stay in it)"), "{e}");
        assert_eq!(std::fs::read_to_string(staging.join("a/b.json")).unwrap(), "{}\n");
        assert_eq!(names(&out), ["theirs.json"]);
    }

    #[test]
    fn a_file_where_a_directory_would_go_is_an_error() {
        let scratch = tempfile::tempdir().unwrap();
        std::fs::write(scratch.path().join("blocker"), "x").unwrap();
        let mut dirs = Dirs::default();
        assert!(dirs.write(&scratch.path().join("blocker/cases/a.json"), "{}\n").is_err());
        dirs.publish().unwrap();
        assert_eq!(names(scratch.path()), ["blocker"]);
    }

    #[test]
    fn a_staging_directory_left_by_a_killed_run_is_neither_loaded_nor_stale() {
        let scratch = tempfile::tempdir().unwrap();
        let out = scratch.path().join("cases");
        let case = "{\n  \"format\": 1,\n  \"id\": \"a::b\",\n  \"source\": {\"doc\": \"docs/a.md\", \"form\": \"markdown\", \"example\": \"b\", \"line\": 1, \"hash\": \"sha256:00\"},\n  \"request\": {\"method\": \"GET\", \"url\": \"https://h/x\"}\n}\n";
        std::fs::create_dir_all(out.join(".a.999.tmp")).unwrap();
        std::fs::write(out.join(".a.999.tmp/b.json"), case).unwrap();
        let loaded = file::load_dir(&out);
        assert!(loaded.cases.is_empty() && loaded.errors.is_empty(), "{loaded:?}");
        let mut errors = Vec::new();
        let stale =
            stale_files(&["docs".into()], &out, &BTreeSet::new(), &HashSet::new(), &mut errors);
        assert!(stale.is_empty() && errors.is_empty(), "{stale:?} {errors:?}");
        // The same file outside a hidden directory is both.
        std::fs::create_dir_all(out.join("a")).unwrap();
        std::fs::write(out.join("a/b.json"), case).unwrap();
        let loaded = file::load_dir(&out);
        assert_eq!(loaded.cases.len(), 1, "{:?}", loaded.errors);
        let stale =
            stale_files(&["docs".into()], &out, &BTreeSet::new(), &HashSet::new(), &mut errors);
        assert_eq!(stale, ["a/b.json"], "{errors:?}");
    }
}
