//! Snapshots, the second layer of checking: what a trusted target actually answered, recorded
//! once and compared on every later run, so that any behavioural change shows.
//!
//! A snapshot is one file per case and snapshot set, `snapshots/<set>/<case path>.snap`, in
//! insta's format ([`file`]), holding the response normalised by [`normalise`]: volatile
//! values as stable tokens, secrets already redacted. The folders follow the cases' doc-page
//! folders, so no folder holds more than a handful of files.
//!
//! What a run writes is decided once per run ([`Update`]), the way insta decides it: pending
//! `.snap.new` files for a reviewer by default, the snapshots themselves with `--accept`,
//! and nothing at all in CI or with `--check`. Every write is atomic.

pub mod file;
pub mod normalise;
pub mod rules;

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::check::{Code, Deviation, Finding};
use crate::diff::Diff;

pub use file::SnapFile;
pub use normalise::{Body, CaseRules, Known, Recording, differences, normalise};
pub use rules::Rules;

/// The snapshot set used when none is named: recordings of the reference mock.
pub const DEFAULT_SET: &str = "reference";

/// How many differing paths a mismatch lists as deviations; the diff shows everything.
const MAX_LISTED: usize = 20;

/// Where a deviation about the snapshot as a whole is: the recording, not a place in it.
pub const SNAPSHOT_PATH: &str = "snapshot";

/// A value as [`differences`] shows it, as a finding: absent, no body, or the value (JSON
/// where it parses, a header's text otherwise).
pub fn finding(text: &str) -> Finding {
    match text {
        "(absent)" => Finding::Absent,
        "no body" => Finding::NoBody,
        _ => serde_json::from_str::<serde_json::Value>(text)
            .map_or_else(|_| Finding::value(text), Finding::value),
    }
}

/// What a run may write, as insta's `INSTA_UPDATE` says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Update {
    /// New and changed snapshots go to `.snap.new` files for review.
    New,
    /// New and changed snapshots are written over the old ones (`--accept`).
    Always,
    /// New snapshots are written directly, changed ones go to `.snap.new`.
    Unseen,
    /// Nothing is written (CI, `--check`).
    No,
    /// Every snapshot is rewritten, also when it matches (to refresh the header).
    Force,
}

/// Whether the environment is a CI job, by the variable CI systems set.
pub fn is_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0")
}

impl Update {
    /// The mode for this run: `--check` and CI never write; then `--accept`; then
    /// `INSTA_UPDATE`; by default, pending files.
    pub fn decide(
        accept: bool,
        check: bool,
        ci: bool,
        insta_update: Option<&str>,
    ) -> Result<Update, String> {
        if check || ci {
            return Ok(Update::No);
        }
        if accept {
            return Ok(Update::Always);
        }
        match insta_update.map(str::trim) {
            None | Some("" | "auto" | "new") => Ok(Update::New),
            Some("always" | "1") => Ok(Update::Always),
            Some("unseen") => Ok(Update::Unseen),
            Some("no" | "0") => Ok(Update::No),
            Some("force") => Ok(Update::Force),
            Some(other) => Err(format!(
                "INSTA_UPDATE={other} is not one of auto, always, unseen, new, no, force"
            )),
        }
    }
}

/// Where and how a run keeps its snapshots.
#[derive(Debug, Clone)]
pub struct Store {
    /// The snapshots directory (`snapshots/`).
    pub dir: PathBuf,
    /// The snapshot set (`reference`).
    pub set: String,
    pub update: Update,
    pub rules: Rules,
    /// The cases directory: snapshot paths mirror case paths below it.
    pub cases: PathBuf,
}

/// How a case's snapshot compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SnapshotState {
    /// The response matched the snapshot.
    Matched,
    /// There was no snapshot yet.
    Missing,
    /// The response differs from the snapshot.
    Changed,
    /// The snapshot was written (new or updated) by this run.
    Written,
    /// Two recordings of the case differed (`--record-twice`).
    Unstable,
}

/// The snapshot part of a case result.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SnapshotResult {
    /// The snapshot file.
    pub file: String,
    pub state: SnapshotState,
    /// The `.snap.new` file this run left for review.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pending: Option<String>,
    /// The old snapshot against the new recording.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diff: Option<Diff>,
    /// Pointers proposed as volatile by `--record-twice`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub proposed_volatile: Vec<String>,
    /// The recorded text (for `--record-twice`; not part of reports).
    #[serde(skip)]
    pub recorded: String,
    /// A problem reading or writing the snapshot files.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub io_error: Option<String>,
}

/// How the snapshots of a run compared, counted for the line the console prints after it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    /// The snapshots directory and set.
    pub dir: PathBuf,
    pub set: String,
    /// What the run was allowed to write.
    pub update: Update,
    pub matched: usize,
    pub written: usize,
    pub missing: usize,
    pub changed: usize,
    pub unstable: usize,
    /// `.snap.new` files left for review.
    pub pending: usize,
}

impl Summary {
    /// Counts the snapshot results of a run; `None` when no case had one.
    pub fn count<'a>(
        dir: &Path,
        set: &str,
        update: Update,
        results: impl Iterator<Item = &'a SnapshotResult>,
    ) -> Option<Summary> {
        let mut summary = Summary {
            dir: dir.to_path_buf(),
            set: set.to_string(),
            update,
            matched: 0,
            written: 0,
            missing: 0,
            changed: 0,
            unstable: 0,
            pending: 0,
        };
        let mut any = false;
        for r in results {
            any = true;
            *match r.state {
                SnapshotState::Matched => &mut summary.matched,
                SnapshotState::Written => &mut summary.written,
                SnapshotState::Missing => &mut summary.missing,
                SnapshotState::Changed => &mut summary.changed,
                SnapshotState::Unstable => &mut summary.unstable,
            } += 1;
            summary.pending += usize::from(r.pending.is_some());
        }
        any.then_some(summary)
    }
}

/// What the store is told about a case.
#[derive(Debug, Clone)]
pub struct Subject<'a> {
    /// The case file.
    pub case_file: &'a Path,
    /// The case id, used for the path when the file is not below the cases directory.
    pub case_id: &'a str,
    pub description: String,
    pub expression: String,
}

impl Store {
    /// The snapshot file of a case.
    pub fn path_of(&self, subject: &Subject<'_>) -> PathBuf {
        let rel = subject
            .case_file
            .strip_prefix(&self.cases)
            .map(Path::to_path_buf)
            .unwrap_or_else(|_| PathBuf::from(subject.case_id.replace("::", "/")));
        self.dir.join(&self.set).join(rel.with_extension("snap"))
    }

    /// The case file as the snapshot header names it: below the cases directory's name, the
    /// same on every machine.
    fn source(&self, subject: &Subject<'_>) -> String {
        let root = self
            .cases
            .file_name()
            .map_or_else(|| "cases".into(), |n| n.to_string_lossy().into_owned());
        match subject.case_file.strip_prefix(&self.cases) {
            Ok(rel) => format!("{root}/{}", rel.to_string_lossy().replace('\\', "/")),
            Err(_) => subject.case_file.to_string_lossy().replace('\\', "/"),
        }
    }

    /// Compares a recording with the case's snapshot, writes what the mode allows, and says
    /// what it found: the result and the deviations it means.
    pub fn check(
        &self,
        subject: &Subject<'_>,
        recording: &Recording,
    ) -> (SnapshotResult, Vec<Deviation>) {
        let path = self.path_of(subject);
        let pending = pending_path(&path);
        let recorded = file::normalise_contents(&recording.render());
        let new_file = SnapFile {
            source: self.source(subject),
            description: Some(subject.description.clone()),
            expression: Some(subject.expression.clone()),
            contents: recorded.clone(),
        };
        let mut result = SnapshotResult {
            file: path.display().to_string(),
            state: SnapshotState::Matched,
            pending: None,
            diff: None,
            proposed_volatile: Vec::new(),
            recorded: recorded.clone(),
            io_error: None,
        };
        let old = read_old(&path, &mut result);
        let files = Files { path: &path, pending: &pending, contents: new_file.render() };
        let mut deviations = Vec::new();
        match old {
            Some((old, old_text)) if old.contents == recorded => {
                if self.update == Update::Force && old_text != files.contents {
                    files.write(&path, &mut result);
                }
                // A pending file from an earlier run is stale now.
                if self.update != Update::No {
                    let _ = std::fs::remove_file(&pending);
                }
            }
            Some((old, _)) => {
                result.state = SnapshotState::Changed;
                result.diff = crate::diff::text_diff(
                    &format!("{}\n", old.contents),
                    &format!("{recorded}\n"),
                );
                let always = matches!(self.update, Update::Always | Update::Force);
                let new = matches!(self.update, Update::New | Update::Unseen);
                files.record(always, new, &mut result);
                if result.state == SnapshotState::Changed {
                    deviations = changed(&old.contents, &recorded);
                }
            }
            None if result.io_error.is_some() => {
                deviations.push(Deviation::new(
                    Code::SnapshotMismatch,
                    SNAPSHOT_PATH,
                    Finding::SnapshotText,
                    Finding::Unreadable { error: result.io_error.clone().unwrap_or_default() },
                ));
                result.state = SnapshotState::Changed;
            }
            None => {
                result.state = SnapshotState::Missing;
                let always = matches!(self.update, Update::Always | Update::Force | Update::Unseen);
                files.record(always, self.update == Update::New, &mut result);
                if result.state == SnapshotState::Missing {
                    deviations.push(Deviation::new(
                        Code::SnapshotMissing,
                        SNAPSHOT_PATH,
                        Finding::Snapshot { set: self.set.clone() },
                        result
                            .pending
                            .clone()
                            .map_or(Finding::Absent, |file| Finding::Recorded { file }),
                    ));
                }
            }
        }
        (result, deviations)
    }
}

/// The files a snapshot check may write: the snapshot, its pending file, and what goes in.
struct Files<'a> {
    path: &'a Path,
    pending: &'a Path,
    contents: String,
}

impl Files<'_> {
    /// Writes `target`; a failure is said in `result`.
    fn write(&self, target: &Path, result: &mut SnapshotResult) -> bool {
        match crate::case::file::write_atomic(target, self.contents.as_bytes()) {
            Ok(()) => true,
            Err(e) => {
                result.io_error = Some(format!("{}: cannot write: {e}", target.display()));
                false
            }
        }
    }

    /// Writes the snapshot itself (then it is `written` and no pending file is left), or
    /// else its pending file, as the mode says.
    fn record(&self, to_snapshot: bool, to_pending: bool, result: &mut SnapshotResult) {
        if to_snapshot {
            if self.write(self.path, result) {
                result.state = SnapshotState::Written;
                let _ = std::fs::remove_file(self.pending);
            }
        } else if to_pending && self.write(self.pending, result) {
            result.pending = Some(self.pending.display().to_string());
        }
    }
}

/// The snapshot file at `path` and its text; `None` when there is none, or when it cannot be
/// read or parsed (then said in `result`).
fn read_old(path: &Path, result: &mut SnapshotResult) -> Option<(SnapFile, String)> {
    match std::fs::read_to_string(path) {
        Ok(text) => match SnapFile::parse(&text) {
            Some(f) => Some((f, text)),
            None => {
                result.io_error =
                    Some(format!("{}: not a snapshot file (no `---` header)", path.display()));
                None
            }
        },
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => {
            result.io_error = Some(format!("{}: cannot read: {e}", path.display()));
            None
        }
    }
}

/// The deviations of a changed snapshot: each difference (the first [`MAX_LISTED`], then how
/// many more), or one for a change of the text alone.
fn changed(old: &str, recorded: &str) -> Vec<Deviation> {
    let found = differences(&Recording::parse(old), &Recording::parse(recorded));
    let total = found.len();
    let mut deviations = Vec::new();
    for d in found.into_iter().take(MAX_LISTED) {
        deviations.push(Deviation::new(
            Code::SnapshotMismatch,
            d.path,
            finding(&d.old),
            finding(&d.new),
        ));
    }
    if total > MAX_LISTED {
        deviations.push(Deviation::new(
            Code::SnapshotMismatch,
            SNAPSHOT_PATH,
            Finding::SnapshotText,
            Finding::More { count: u64::try_from(total - MAX_LISTED).unwrap_or(u64::MAX) },
        ));
    }
    if total == 0 {
        // Texts differ where the structure does not (a formatting change).
        deviations.push(Deviation::new(
            Code::SnapshotMismatch,
            SNAPSHOT_PATH,
            Finding::SnapshotText,
            Finding::SnapshotText,
        ));
    }
    deviations
}

/// The pending file next to a snapshot: `x.snap` → `x.snap.new`.
pub fn pending_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".new");
    path.with_file_name(name)
}

/// The pointers (and `header:` names) where two recordings of one case differ: proposals
/// for the case's `volatile` list.
pub fn unstable(first: &str, second: &str) -> Vec<String> {
    differences(&Recording::parse(first), &Recording::parse(second))
        .into_iter()
        .map(|d| d.path)
        .collect()
}

/// Proposals in the form a case's `volatile` list takes: array indexes become `*`, headers
/// become `header:NAME`, duplicates go.
pub fn generalise(paths: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for p in paths {
        let g =
            if p.starts_with('/') {
                p.split('/')
                    .map(|s| {
                        if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) { "*" } else { s }
                    })
                    .collect::<Vec<_>>()
                    .join("/")
            } else {
                p.clone()
            };
        if !out.contains(&g) {
            out.push(g);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proposals_generalise_indexes() {
        let paths =
            ["/keys/0/n".to_string(), "/keys/1/n".into(), "header:x-trace".into(), "status".into()];
        assert_eq!(generalise(&paths), ["/keys/*/n", "header:x-trace", "status"]);
    }

    #[test]
    fn update_modes_follow_insta() {
        let d = |accept, check, ci, env| Update::decide(accept, check, ci, env).unwrap();
        assert_eq!(d(false, false, false, None), Update::New);
        assert_eq!(d(true, false, false, None), Update::Always);
        assert_eq!(d(true, false, true, None), Update::No);
        assert_eq!(d(false, true, false, Some("always")), Update::No);
        assert_eq!(d(false, false, false, Some("unseen")), Update::Unseen);
        assert_eq!(d(false, false, false, Some("force")), Update::Force);
        assert_eq!(d(false, false, false, Some("no")), Update::No);
        assert!(Update::decide(false, false, false, Some("sometimes")).is_err());
    }

    #[test]
    fn pending_is_next_to_the_snapshot() {
        assert_eq!(pending_path(Path::new("s/r/a/b.snap")), Path::new("s/r/a/b.snap.new"));
    }
}
