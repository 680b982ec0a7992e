//! GitHub Actions workflow commands (`::error file=…,line=…::message`), printed after a run
//! when `GITHUB_ACTIONS=true`, so every failing case shows up on the documented example it
//! came from (or its case file), in the job's annotations and a pull request's diff view.
//! Excused deviations and unused known-deviations entries are warnings; an expired entry is
//! an error on its line of the known-deviations file.

use std::fmt::Write;

use super::model::{CaseReport, KnownState, Outcome, Report};

/// Escapes the message of a workflow command.
fn data(text: &str) -> String {
    text.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// Escapes a property value (`file`, `title`) of a workflow command.
fn property(text: &str) -> String {
    data(text).replace(':', "%3A").replace(',', "%2C")
}

/// A file inside the repository, which GitHub can show: the doc page when it lives there,
/// else the case file.
fn place(c: &CaseReport) -> String {
    match (&c.doc_file, &c.source) {
        (Some(doc), Some(s)) => format!("file={},line={}", property(doc), s.line),
        _ => format!("file={}", property(&c.file)),
    }
}

/// The annotations for `report`, one command per line.
pub fn github(report: &Report) -> String {
    let mut out = String::new();
    for c in &report.cases {
        let title = property(&c.id);
        if c.status == Outcome::Error {
            if let Some(e) = &c.error {
                let message = data(&format!(
                    "could not run: {}",
                    super::phrase::error(e, super::phrase::Style::PLAIN)
                ));
                let _ = writeln!(out, "::error {},title={title}::{message}", place(c));
            }
            continue;
        }
        let failing: Vec<String> = c.failing_deviations().map(|d| d.sentence()).collect();
        if !failing.is_empty() {
            let message = data(&format!("{} (case {})", failing.join("\n"), c.file));
            let _ = writeln!(out, "::error {},title={title}::{message}", place(c));
        }
        let known: Vec<String> = c
            .deviations
            .iter()
            .filter_map(|d| d.known.as_ref().filter(|k| !k.expired).map(|k| (d, k)))
            .map(|(d, k)| format!("known until {}: {} ({})", k.expires, d.sentence(), k.reason))
            .collect();
        if !known.is_empty() {
            let _ =
                writeln!(out, "::warning {},title={title}::{}", place(c), data(&known.join("\n")));
        }
    }
    if let Some(k) = &report.known {
        for e in &k.entries {
            let at = format!("file={},line={}", property(&k.file), e.line);
            match e.state {
                KnownState::Expired => {
                    let _ = writeln!(
                        out,
                        "::error {at},title=known deviation expired::{}",
                        data(&format!(
                            "{} {} expired on {}: {}",
                            e.case, e.code, e.expires, e.reason
                        ))
                    );
                }
                KnownState::Unused => {
                    let _ = writeln!(
                        out,
                        "::warning {at},title=known deviation unused::{}",
                        data(&format!("{} ran without {}; the entry can go", e.case, e.code))
                    );
                }
                KnownState::Used | KnownState::NotRun => {}
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_are_escaped() {
        assert_eq!(data("50% a\nb"), "50%25 a%0Ab");
        assert_eq!(property("a::b,c"), "a%3A%3Ab%2Cc");
    }
}
