//! Where a case is, as a path a CI system can link: JUnit's `file` attribute and GitHub's
//! annotations name files relative to the repository root (the directory exemplar runs in).
//! A case's doc location (`docs/graph/beta/api/x.md`) is named by its doc root's name, not
//! by a path; when that root is one of the configured doc paths and lies inside the
//! repository, the page gets its repository path. Otherwise the link goes to the case file,
//! which is in the repository by construction.

use std::path::{Path, PathBuf};

use super::model::Report;

/// Sets each case's `doc_file` (the doc page relative to `repo`, when `doc_roots` hold it
/// inside `repo`) and makes its `file` relative to `repo` where it lies inside.
pub fn locate(report: &mut Report, doc_roots: &[PathBuf], repo: &Path) {
    let Ok(repo) = repo.canonicalize() else { return };
    // Each root by the name case ids use for it (its directory's name), canonicalised.
    let roots: Vec<(String, PathBuf)> = doc_roots
        .iter()
        .filter_map(|r| r.canonicalize().ok())
        .filter_map(|r| Some((r.file_name()?.to_string_lossy().into_owned(), r)))
        .collect();
    for case in &mut report.cases {
        if let Some(rel) = inside(Path::new(&case.file), &repo) {
            case.file = rel;
        }
        case.doc_file = case.source.as_ref().and_then(|s| {
            let (name, rest) = s.doc.split_once('/')?;
            let (_, root) = roots.iter().find(|(n, _)| n == name)?;
            let page = root.join(rest);
            page.is_file().then(|| inside(&page, &repo)).flatten()
        });
    }
}

/// `path` relative to `repo` with `/` separators, when it lies inside it.
fn inside(path: &Path, repo: &Path) -> Option<String> {
    let full = path.canonicalize().ok()?;
    let rel = full.strip_prefix(repo).ok()?;
    let parts: Vec<String> =
        rel.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
    (!parts.is_empty()).then(|| parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::super::model::{Checks, Outcome};
    use super::*;
    use crate::case::model::Source;

    fn report_with(file: &str, doc: &str) -> Report {
        let case = super::super::model::CaseReport {
            id: "docs::x::get".into(),
            method: "GET".into(),
            file: file.into(),
            source: Some(Source {
                doc: doc.into(),
                form: "markdown".into(),
                example: "get".into(),
                line: 7,
                response_line: None,
                hash: "sha256:0".into(),
            }),
            doc_file: None,
            status: Outcome::Passed,
            verdict: super::super::model::Verdict::Passed,
            skip_reason: None,
            deviations: Vec::new(),
            error: None,
            teardown_errors: Vec::new(),
            diffs: Vec::new(),
            checks: Checks::default(),
            snapshot: None,
            exchanges: Vec::new(),
            duration_ms: 1,
            retries: 0,
            throttled_ms: 0,
            notes: Vec::new(),
        };
        Report::from_cases(vec![case], super::super::model::RunInfo::new("t", 0))
    }

    #[test]
    fn doc_pages_inside_the_repository_get_their_repository_path() {
        let repo = tempfile::tempdir().unwrap();
        let page = repo.path().join("site/docs/api/x.md");
        std::fs::create_dir_all(page.parent().unwrap()).unwrap();
        std::fs::write(&page, "# x\n").unwrap();
        let case = repo.path().join("cases/x/get.json");
        std::fs::create_dir_all(case.parent().unwrap()).unwrap();
        std::fs::write(&case, "{}").unwrap();

        let mut report = report_with(case.to_str().unwrap(), "docs/api/x.md");
        locate(&mut report, &[repo.path().join("site/docs")], repo.path());
        assert_eq!(report.cases[0].doc_file.as_deref(), Some("site/docs/api/x.md"));
        assert_eq!(report.cases[0].file, "cases/x/get.json");

        // Docs outside the repository (or not configured): the case file is the link.
        let elsewhere = tempfile::tempdir().unwrap();
        let outside = elsewhere.path().join("docs");
        std::fs::create_dir_all(outside.join("api")).unwrap();
        std::fs::write(outside.join("api/x.md"), "# x\n").unwrap();
        let mut report = report_with(case.to_str().unwrap(), "docs/api/x.md");
        locate(&mut report, &[outside], repo.path());
        assert_eq!(report.cases[0].doc_file, None);
        let mut report = report_with(case.to_str().unwrap(), "docs/api/x.md");
        locate(&mut report, &[], repo.path());
        assert_eq!(report.cases[0].doc_file, None);
        assert_eq!(report.cases[0].file, "cases/x/get.json");
    }
}
