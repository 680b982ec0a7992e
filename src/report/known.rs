//! Known deviations: a committed TOML file (`known-deviations.toml` by default) that lists
//! deviations a team has accepted for now, each with the case id, the deviation code, an
//! optional path, a reason and an expiry date:
//!
//! ```toml
//! [[deviation]]
//! case = "docs::graph::beta::api::trustframeworkkeyset-get::get_trustframeworkkeyset"
//! code = "type-mismatch"
//! path = "/keys"            # optional: only the deviation at this path
//! reason = "the service sends keys as a map; tracked in #123"
//! expires = 2026-12-31      # last day the entry excuses the deviation
//! ```
//!
//! A listed deviation is still reported but does not fail the gate until the entry expires.
//! Every entry is reported with its state: used, unused (its case ran and showed no such
//! deviation, so the entry can go), not run, or expired (which fails the gate).

use std::path::Path;

use serde::Deserialize;

use crate::check::Code;

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

/// 1-based line and column of byte `offset` in `text`.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// Parses the text of a known-deviations file; errors read `path:line:column: message`.
pub fn parse(path: &str, text: &str) -> Result<KnownFile, String> {
    let file: FileToml = toml::from_str(text).map_err(|e| {
        let (line, column) = e.span().map_or((1, 1), |s| line_col(text, s.start));
        format!("{path}:{line}:{column}: {}", e.message().trim_end())
    })?;
    let mut entries = Vec::new();
    for spanned in file.deviation {
        let (line, column) = line_col(text, spanned.span().start);
        let at = |message: &str| format!("{path}:{line}:{column}: {message}");
        let entry = spanned.into_inner();
        let expires = match (entry.expires.date, entry.expires.time) {
            (Some(d), None) => format!("{:04}-{:02}-{:02}", d.year, d.month, d.day),
            _ => return Err(at("`expires` must be a date such as 2026-12-31")),
        };
        if entry.reason.trim().is_empty() {
            return Err(at("`reason` must say why the deviation is accepted"));
        }
        if entry.case.trim().is_empty() {
            return Err(at("`case` must be a case id"));
        }
        entries.push(KnownEntryReport {
            case: entry.case,
            code: entry.code.as_str().to_string(),
            path: entry.path,
            reason: entry.reason,
            expires,
            line: u32::try_from(line).unwrap_or(u32::MAX),
            state: KnownState::NotRun,
        });
    }
    Ok(KnownFile { path: path.to_string(), entries })
}

/// Reads a known-deviations file.
pub fn load(path: &Path) -> Result<KnownFile, String> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| format!("{name}: cannot read: {e}"))?;
    parse(&name, &text)
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
                    && e.path.as_ref().is_none_or(|p| *p == d.path)
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
        } else if report.cases.iter().any(|c| c.id == e.case) {
            KnownState::Unused
        } else {
            KnownState::NotRun
        };
    }
    report.known = Some(KnownReport { file: file.path.clone(), entries });
    report.refresh();
}

impl KnownFile {
    /// Refuses entries whose case is none of `ids` (the cases directory's ids): such an entry
    /// can never excuse anything, and is most often a typo or a case renamed by re-extraction.
    /// The error names the file and line of each.
    pub fn check_cases(
        &self,
        ids: &std::collections::BTreeSet<&str>,
        dir: &str,
    ) -> Result<(), String> {
        let unknown: Vec<String> = self
            .entries
            .iter()
            .filter(|e| !ids.contains(e.case.as_str()))
            .map(|e| format!("{}:{}: `case` names no case in {dir}: {}", self.path, e.line, e.case))
            .collect();
        if unknown.is_empty() {
            return Ok(());
        }
        Err(format!(
            "{}\nhint: `exemplar run --list` shows the case ids; remove or rename the entry",
            unknown.join("\n")
        ))
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

    #[test]
    fn an_entry_naming_no_case_is_refused_with_its_line() {
        let file = parse("k.toml", FILE).unwrap();
        let ids: std::collections::BTreeSet<&str> = ["a::b", "a::c"].into();
        assert_eq!(file.check_cases(&ids, "cases"), Ok(()));
        let ids: std::collections::BTreeSet<&str> = ["a::b"].into();
        let err = file.check_cases(&ids, "cases").unwrap_err();
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
            let err = parse("k.toml", text).unwrap_err();
            assert!(err.starts_with(prefix), "{err} (wanted {prefix})");
        }
    }
}
