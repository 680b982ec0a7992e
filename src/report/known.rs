//! Known deviations: a committed TOML file (`known-deviations.toml` by default) that lists
//! deviations a team has accepted for now, each with the case id, the deviation code, an
//! optional path, a reason and an expiry date:
//!
//! ```toml
//! [[deviation]]
//! case = "docs::graph::beta::api::trustframeworkkeyset-get::get_trustframeworkkeyset"
//! code = "type-mismatch"
//! path = "/keys"            # optional: only the deviation at this path (`*`, `**` allowed)
//! reason = "the service sends keys as a map; tracked in #123"
//! expires = 2026-12-31      # last day the entry excuses the deviation
//! ```
//!
//! A listed deviation is still reported but does not fail the gate until the entry expires.
//! Every entry is reported with its state: used, unused (its case ran and showed no such
//! deviation, so the entry can go), not run, or expired (which fails the gate).

use std::path::Path;

use serde::Deserialize;

use crate::case::file::FileError;
use crate::check::Code;
use crate::diag::{LineIndex, Located};
use crate::pointer::Pattern;

use super::model::{KnownEntryReport, KnownMark, KnownReport, KnownState, Report};

/// The default file name, looked for in the current directory.
pub const FILE_NAME: &str = "known-deviations.toml";

/// A known-deviations file, read and checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownFile {
    pub path: String,
    pub entries: Vec<KnownEntryReport>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileToml {
    #[serde(default)]
    deviation: Vec<toml::Spanned<EntryToml>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EntryToml {
    case: String,
    code: Code,
    #[serde(default)]
    path: Option<String>,
    reason: String,
    expires: toml::value::Datetime,
}

/// Parses the text of a known-deviations file; errors read `path:line:column: message`.
pub fn parse(path: &str, text: &str) -> Result<KnownFile, Located> {
    let file_path = Path::new(path);
    let file: FileToml = toml::from_str(text).map_err(|e| {
        let message = e.message().trim_end().to_string();
        match e.span() {
            Some(span) => Located::at_span(file_path, text, span, message),
            None => Located::file(file_path, message),
        }
    })?;
    let mut entries = Vec::new();
    let index = LineIndex::new(text);
    for spanned in file.deviation {
        let pos = index.pos(text, spanned.span().start, 1);
        let at = |message: &str| {
            let mut located = Located::new(file_path, pos.line as usize, pos.col as usize, message);
            located.span = Some(spanned.span());
            located
        };
        let expires = match (spanned.get_ref().expires.date, spanned.get_ref().expires.time) {
            (Some(d), None) => format!("{:04}-{:02}-{:02}", d.year, d.month, d.day),
            _ => return Err(at("`expires` must be a date such as 2026-12-31")),
        };
        if spanned.get_ref().reason.trim().is_empty() {
            return Err(at("`reason` must say why the deviation is accepted"));
        }
        if spanned.get_ref().case.trim().is_empty() {
            return Err(at("`case` must be a case id"));
        }
        let entry = spanned.into_inner();
        entries.push(KnownEntryReport {
            case: entry.case,
            code: entry.code.as_str().to_string(),
            path: entry.path,
            reason: entry.reason,
            expires,
            line: pos.line,
            state: KnownState::NotRun,
        });
    }
    Ok(KnownFile { path: path.to_string(), entries })
}

/// Reads a known-deviations file.
pub fn load(path: &Path) -> Result<KnownFile, FileError> {
    let text = std::fs::read_to_string(path)
        .map_err(|source| FileError::Io { path: path.to_path_buf(), source })?;
    Ok(parse(&path.display().to_string(), &text)?)
}

/// Whether an entry's `path` names a deviation's: the same text (also for paths that are not
/// JSON pointers, such as `status`), or a pointer pattern (`/keys/*/kid`) that matches it.
fn path_matches(entry: &str, deviation: &str) -> bool {
    entry == deviation || Pattern::new(entry).matches(deviation)
}

/// Today in UTC as `YYYY-MM-DD`, the form expiry dates are compared in.
pub fn today() -> String {
    let d = time::OffsetDateTime::now_utc().date();
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

/// Marks the deviations of `report` that `file` lists and records each entry's state.
/// `today` is `YYYY-MM-DD`; an entry expires after its date.
pub fn apply(report: &mut Report, file: &KnownFile, today: &str) {
    let mut entries = file.entries.clone();
    let mut used = vec![false; entries.len()];
    for case in &mut report.cases {
        for d in &mut case.deviations {
            d.known = None;
            let found = entries.iter().position(|e| {
                e.case == case.id
                    && e.code == d.code
                    && e.path.as_deref().is_none_or(|p| path_matches(p, &d.path))
            });
            if let Some(i) = found {
                used[i] = true;
                let e = &entries[i];
                d.known = Some(KnownMark {
                    reason: e.reason.clone(),
                    expires: e.expires.clone(),
                    expired: e.expires.as_str() < today,
                });
            }
        }
    }
    for (e, used) in entries.iter_mut().zip(used) {
        e.state = if e.expires.as_str() < today {
            KnownState::Expired
        } else if used {
            KnownState::Used
        } else if report.cases.iter().any(|c| c.id == e.case && c.status.ran()) {
            KnownState::Unused
        } else {
            KnownState::NotRun
        };
    }
    report.known = Some(KnownReport { file: file.path.clone(), entries });
    report.refresh();
}

/// Entries of a known-deviations file that name no case of the cases directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownCases {
    pub file: String,
    pub dir: String,
    /// The line of each entry and the case it names.
    pub entries: Vec<(u32, String)>,
}

impl std::fmt::Display for UnknownCases {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (line, case) in &self.entries {
            writeln!(f, "{}:{line}: `case` names no case in {}: {case}", self.file, self.dir)?;
        }
        f.write_str("hint: `exemplar run --list` shows the case ids; remove or rename the entry")
    }
}

impl std::error::Error for UnknownCases {}

impl KnownFile {
    /// When every one of a case's deviations (`(code, path)`) is excused by an unexpired
    /// entry, the words the console shows for it (`known: type-mismatch at /keys`); `None`
    /// when one is not, or there are none. The gate reaches the same decision from the
    /// report, so the console's `known` and the verdict agree.
    pub fn excuses_all<'a>(
        &self,
        case: &str,
        deviations: impl IntoIterator<Item = (&'a str, &'a str)>,
        today: &str,
    ) -> Option<String> {
        let mut excused = Vec::new();
        for (code, path) in deviations {
            let entry = self.entries.iter().find(|e| {
                e.case == case
                    && e.code == code
                    && e.path.as_deref().is_none_or(|p| path_matches(p, path))
                    && e.expires.as_str() >= today
            })?;
            let _ = entry;
            excused.push(format!("{code} at {path}"));
        }
        (!excused.is_empty()).then(|| format!("known: {}", excused.join(", ")))
    }

    /// Refuses entries whose case is none of `ids` (the cases directory's ids): such an entry
    /// can never excuse anything, and is most often a typo or a case renamed by re-extraction.
    /// The error names the file and line of each.
    pub fn check_cases(
        &self,
        ids: &std::collections::BTreeSet<&str>,
        dir: &str,
    ) -> Result<(), UnknownCases> {
        let entries: Vec<(u32, String)> = self
            .entries
            .iter()
            .filter(|e| !ids.contains(e.case.as_str()))
            .map(|e| (e.line, e.case.clone()))
            .collect();
        if entries.is_empty() {
            return Ok(());
        }
        Err(UnknownCases { file: self.path.clone(), dir: dir.to_string(), entries })
    }

    /// The entries a report carries, to apply them again (after merging shards).
    pub fn from_report(known: &KnownReport) -> Self {
        KnownFile { path: known.file.clone(), entries: known.entries.clone() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = "\
# accepted for now
[[deviation]]
case = \"a::b\"
code = \"type-mismatch\"
reason = \"the service sends a map\"
expires = 2030-01-31

[[deviation]]
case = \"a::c\"
code = \"status-mismatch\"
path = \"status\"
reason = \"old\"
expires = 2020-01-01
";

    #[test]
    fn reads_entries_with_their_lines() {
        let file = parse("k.toml", FILE).unwrap();
        assert_eq!(file.entries.len(), 2);
        assert_eq!(file.entries[0].expires, "2030-01-31");
        assert_eq!(file.entries[0].line, 2);
        assert_eq!(file.entries[1].line, 8);
        assert_eq!(file.entries[1].path.as_deref(), Some("status"));
        assert!(parse("k.toml", "").unwrap().entries.is_empty());
    }

    /// An entry's `path` is a pointer pattern, as the case format's pointer lists are.
    #[test]
    fn an_entry_path_may_be_a_pattern() {
        let text = "[[deviation]]\ncase = \"a::b\"\ncode = \"type-mismatch\"\npath = \"/keys/*/kid\"\nreason = \"r\"\nexpires = 2030-01-31\n";
        let file = parse("k.toml", text).unwrap();
        let today = "2026-06-01";
        let two = [("type-mismatch", "/keys/0/kid"), ("type-mismatch", "/keys/3/kid")];
        assert!(file.excuses_all("a::b", two, today).is_some());
        assert_eq!(file.excuses_all("a::b", [("type-mismatch", "/keys/0/n")], today), None);
    }

    #[test]
    fn a_case_is_known_only_when_every_deviation_is_excused_and_unexpired() {
        let file = parse("k.toml", FILE).unwrap();
        let today = "2026-06-01";
        assert_eq!(
            file.excuses_all("a::b", [("type-mismatch", "/keys")], today).as_deref(),
            Some("known: type-mismatch at /keys")
        );
        let two = [("type-mismatch", "/keys"), ("status-mismatch", "status")];
        assert_eq!(file.excuses_all("a::b", two, today), None, "one is not listed");
        // a::c's entry expired in 2020.
        assert_eq!(file.excuses_all("a::c", [("status-mismatch", "status")], today), None);
        assert_eq!(file.excuses_all("a::b", [], today), None);
    }

    /// An entry whose case did not run (left out by `--fail-fast`) is not "unused": the
    /// case might still show the deviation.
    #[test]
    fn an_entry_of_a_case_not_run_is_not_run_not_unused() {
        use crate::report::model::{Outcome, RunInfo};
        let file = parse("k.toml", FILE).unwrap();
        let mut not_run = crate::report::sample::case("p", "x", Outcome::NotRun);
        not_run.id = "a::b".into();
        let mut passed = crate::report::sample::case("p", "y", Outcome::Passed);
        passed.id = "a::c".into();
        let mut report = Report::from_cases(vec![not_run, passed], RunInfo::new("t", 0));
        apply(&mut report, &file, "2019-01-01");
        let states: Vec<KnownState> =
            report.known.as_ref().unwrap().entries.iter().map(|e| e.state).collect();
        assert_eq!(states, [KnownState::NotRun, KnownState::Unused]);
    }

    #[test]
    fn an_entry_naming_no_case_is_refused_with_its_line() {
        let file = parse("k.toml", FILE).unwrap();
        let ids: std::collections::BTreeSet<&str> = ["a::b", "a::c"].into();
        assert_eq!(file.check_cases(&ids, "cases"), Ok(()));
        let ids: std::collections::BTreeSet<&str> = ["a::b"].into();
        let err = file.check_cases(&ids, "cases").unwrap_err().to_string();
        assert!(err.starts_with("k.toml:8: `case` names no case in cases: a::c\n"), "{err}");
        assert!(!err.contains("a::b"), "{err}");
    }

    #[test]
    fn malformed_files_name_the_line() {
        let cases = [
            (
                "[[deviation]]\ncase = \"a\"\ncode = \"no-such-code\"\nreason = \"r\"\nexpires = 2030-01-01\n",
                "k.toml:3:",
            ),
            (
                "[[deviation]]\ncase = \"a\"\ncode = \"type-mismatch\"\nreason = \"r\"\n",
                "k.toml:1:",
            ),
            (
                "[[deviation]]\ncase = \"a\"\ncode = \"type-mismatch\"\nreason = \"r\"\nexpires = \"soon\"\n",
                "k.toml:5:",
            ),
            (
                "\n[[deviation]]\ncase = \"a\"\ncode = \"type-mismatch\"\nreason = \"\"\nexpires = 2030-01-01\n",
                "k.toml:2:",
            ),
            (
                "[[deviation]]\ncase = \"a\"\ncode = \"type-mismatch\"\nreason = \"r\"\nexpires = 2030-01-01\ncolour = 1\n",
                "k.toml:6:",
            ),
            ("[[deviation]\n", "k.toml:1:"),
        ];
        for (text, prefix) in cases {
            let err = parse("k.toml", text).unwrap_err().to_string();
            assert!(err.starts_with(prefix), "{err} (wanted {prefix})");
        }
    }
}
