//! JUnit XML (`--report-junit`), the format GitHub Actions reporters, GitLab and Jenkins read:
//! one `<testsuite>` per documented operation (doc page), one `<testcase>` per case. A case
//! whose deviations fail the gate has a `<failure>` with every deviation and the diff; a case
//! that could not run has an `<error>`; a skipped case has `<skipped>` with the reason, and so
//! has a case not run because the run stopped early (JUnit has no outcome of its own for it).
//! Deviations excused by a known-deviations entry are listed in `<system-out>` and do not
//! make the case fail, as they do not fail the gate.
//!
//! Written with quick-xml rather than nextest's `quick-junit`: that crate was weighed (issue
//! 13) and would bring a date-time crate (chrono, where the project uses `time`) and others
//! into a build whose time is being cut, for a writer this short whose output the tests parse.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesText, Event};

use super::model::{CaseReport, Outcome, Report};

/// XML 1.0 cannot carry most control characters, even escaped; a body may hold them.
fn clean(text: &str) -> String {
    text.chars().filter(|c| !c.is_control() || matches!(c, '\n' | '\t' | '\r')).collect()
}

fn seconds(ms: u64) -> String {
    format!("{}.{:03}", ms / 1000, ms % 1000)
}

#[derive(Default)]
struct Counts {
    tests: usize,
    failures: usize,
    errors: usize,
    skipped: usize,
    ms: u64,
}

impl Counts {
    fn add(&mut self, c: &CaseReport) {
        self.tests += 1;
        self.ms += c.duration_ms;
        match kind(c) {
            Kind::Failure => self.failures += 1,
            Kind::Error => self.errors += 1,
            Kind::Skipped => self.skipped += 1,
            Kind::Passed => {}
        }
    }

    fn attributes(&self) -> [(&'static str, String); 5] {
        [
            ("tests", self.tests.to_string()),
            ("failures", self.failures.to_string()),
            ("errors", self.errors.to_string()),
            ("skipped", self.skipped.to_string()),
            ("time", seconds(self.ms)),
        ]
    }
}

enum Kind {
    Passed,
    Failure,
    Error,
    Skipped,
}

fn kind(c: &CaseReport) -> Kind {
    match c.status {
        Outcome::Error => Kind::Error,
        Outcome::Skipped | Outcome::NotRun => Kind::Skipped,
        _ if c.failing_deviations().next().is_some() => Kind::Failure,
        _ => Kind::Passed,
    }
}

/// The failure text: where, each deviation, then the diffs.
fn failure_text(c: &CaseReport) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "--> {}", c.location());
    let _ = writeln!(out, "case {}", c.file);
    for d in &c.deviations {
        let note = match &d.known {
            Some(k) if k.expired => format!(" (known entry expired {})", k.expires),
            Some(k) => format!(" (known until {}: {})", k.expires, k.reason),
            None => String::new(),
        };
        let _ = writeln!(out, "{}{note}", d.sentence());
    }
    for diff in &c.diffs {
        out.push_str(&diff.to_plain());
    }
    out
}

fn system_out(c: &CaseReport) -> String {
    let mut out = String::new();
    if let Some(main) = c.main_exchange() {
        let status = main.response.as_ref().map_or("no response".into(), |r| r.status.to_string());
        let _ = writeln!(
            out,
            "sent {} {} -> {status} ({} ms)",
            main.request.method, main.request.url, main.elapsed_ms
        );
    }
    for d in c.deviations.iter().filter(|d| d.known.as_ref().is_some_and(|k| !k.expired)) {
        let reason = d.known.as_ref().map_or("", |k| k.reason.as_str());
        let _ = writeln!(out, "known deviation: {} ({reason})", d.sentence());
    }
    for e in &c.teardown_errors {
        let _ = writeln!(out, "{}", super::phrase::error(e, super::phrase::Style::PLAIN));
    }
    if !c.checks.relaxed.is_empty() {
        let _ = writeln!(out, "relaxed checks: {}", super::phrase::relaxations(&c.checks.relaxed));
    }
    for n in &c.notes {
        let _ = writeln!(out, "note: {}", super::phrase::note(n));
    }
    out
}

fn write_case(w: &mut Writer<Vec<u8>>, c: &CaseReport) -> std::io::Result<()> {
    let (classname, name) = c.id.rsplit_once("::").unwrap_or(("", c.id.as_str()));
    // A path inside the repository, so CI systems can link it: the doc page when it lives
    // there (with the example's line), else the case file.
    let doc = c.doc_file.as_deref().zip(c.source.as_ref());
    let line = doc.map(|(_, s)| s.line.to_string());
    let mut el = w
        .create_element("testcase")
        .with_attribute(("name", name))
        .with_attribute(("classname", classname))
        .with_attribute(("time", seconds(c.duration_ms).as_str()))
        .with_attribute(("file", doc.map_or(c.file.as_str(), |(f, _)| f)));
    if let Some(line) = &line {
        el = el.with_attribute(("line", line.as_str()));
    }
    el.write_inner_content(|w| {
        match kind(c) {
            Kind::Failure => {
                let failing: Vec<_> = c.failing_deviations().collect();
                let first = failing.first().map(|d| d.sentence()).unwrap_or_default();
                let count = crate::words::count(failing.len(), "deviation", "deviations");
                let message = clean(&format!("{count}: {first}"));
                let code = failing.first().map_or("deviation", |d| d.code.as_str());
                w.create_element("failure")
                    .with_attribute(("message", message.as_str()))
                    .with_attribute(("type", code))
                    .write_text_content(BytesText::new(&clean(&failure_text(c))))?;
            }
            Kind::Error => {
                let (code, message) = c
                    .error
                    .as_ref()
                    .map_or(("error", ""), |e| (e.code.as_str(), e.message.as_str()));
                let text = format!("--> {}\nerror[{code}]: {message}\n", c.location());
                w.create_element("error")
                    .with_attribute(("message", clean(message).as_str()))
                    .with_attribute(("type", code))
                    .write_text_content(BytesText::new(&clean(&text)))?;
            }
            Kind::Skipped => {
                let reason = super::phrase::reason(c.status, c.skip_reason.as_deref());
                let reason = reason.unwrap_or_default();
                w.create_element("skipped")
                    .with_attribute(("message", clean(reason).as_str()))
                    .write_empty()?;
            }
            Kind::Passed => {}
        }
        let out = system_out(c);
        if !out.is_empty() {
            w.create_element("system-out").write_text_content(BytesText::new(&clean(&out)))?;
        }
        Ok(())
    })?;
    Ok(())
}

fn render_xml(report: &Report) -> std::io::Result<Vec<u8>> {
    let mut suites: BTreeMap<&str, Vec<&CaseReport>> = BTreeMap::new();
    for c in &report.cases {
        suites.entry(c.operation()).or_default().push(c);
    }
    let mut total = Counts::default();
    report.cases.iter().for_each(|c| total.add(c));
    let mut w = Writer::new_with_indent(Vec::new(), b' ', 2);
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    let mut root = w.create_element("testsuites").with_attribute(("name", "exemplar"));
    for (k, v) in total.attributes() {
        root = root.with_attribute((k, v.as_str()));
    }
    root.write_inner_content(|w| {
        for (name, cases) in &suites {
            let mut counts = Counts::default();
            cases.iter().for_each(|c| counts.add(c));
            let mut suite = w.create_element("testsuite").with_attribute(("name", *name));
            for (k, v) in counts.attributes() {
                suite = suite.with_attribute((k, v.as_str()));
            }
            suite.write_inner_content(|w| {
                for c in cases {
                    write_case(w, c)?;
                }
                Ok(())
            })?;
        }
        Ok(())
    })?;
    let mut bytes = w.into_inner();
    bytes.push(b'\n');
    Ok(bytes)
}

/// The JUnit XML document of `report`.
pub fn render(report: &Report) -> String {
    // Writing into a Vec cannot fail, and everything written is UTF-8.
    render_xml(report).map(|b| String::from_utf8_lossy(&b).into_owned()).unwrap_or_default()
}
