//! The sentences every reporter shares, written once: a deviation ("code at path: expected …,
//! actual …"), an error, the gate's decision ("gate failed: N failing cases") and the unified
//! diff. The console paints them; JUnit, annotations, Markdown and HTML take them plain (and
//! escape them for their format).

use std::fmt::Write;

use serde_json::Value;

use crate::check::Finding;
use crate::exit::Exit;
use crate::extract::JsonType;
use crate::run::result::{ErrorKind, RunError, TimeLimit};

use super::gate::Verdict;
use super::model::{
    DeviationReport, DiffReport, ErrorReport, LineReport, Note, Outcome, Relaxation, count,
};

/// ANSI styling, or none.
#[derive(Debug, Clone, Copy, Default)]
pub struct Style {
    pub color: bool,
}

impl Style {
    /// No colour: the text every file format and every test reads.
    pub const PLAIN: Style = Style { color: false };

    /// `text` in the ANSI style `code` (`1;31`), or as it is without colour.
    pub fn paint(&self, code: &str, text: &str) -> String {
        if self.color { format!("\x1b[{code}m{text}\x1b[0m") } else { text.to_string() }
    }
}

/// `code at path: expected …, actual …`
pub fn deviation(d: &DeviationReport, style: Style) -> String {
    format!(
        "{} at {}: expected {}, actual {}",
        style.paint("1;33", &d.code),
        style.paint("1", &d.path),
        finding(&d.expected),
        actual(d)
    )
}

/// `error[code]: message`
pub fn error(e: &ErrorReport, style: Style) -> String {
    format!("{} {}", style.paint("1;31", &format!("error[{}]:", e.code)), e.message)
}

/// A run error's message (what follows `error[code]: `), from its kind, the fixture step it
/// happened in, its detail and the teardowns it skipped.
pub fn run_error(e: &RunError) -> String {
    let what = error_kind(&e.kind, &e.detail);
    let mut out = match &e.fixture {
        None => what,
        Some(f) => {
            let phase = if f.teardown { "teardown" } else { "setup" };
            match (&f.request, &e.kind) {
                (Some((method, url)), ErrorKind::Rejected { status }) => {
                    format!(
                        "fixture `{}` {phase}: {method} {url} answered {status}: {what}",
                        f.alias
                    )
                }
                // The request is named by the sentence itself.
                (Some(_), ErrorKind::AuthRefused { .. }) | (None, _) => {
                    format!("fixture `{}` {phase}: {what}", f.alias)
                }
                (Some((method, url)), _) => {
                    format!("fixture `{}` {phase}: {method} {url}: {what}", f.alias)
                }
            }
        }
    };
    if !e.skipped().is_empty() {
        let fixtures: Vec<String> = e
            .skipped()
            .iter()
            .map(|s| format!("`{}` (no `{}` captured)", s.alias, s.missing))
            .collect();
        let _ = write!(
            out,
            "; teardown of fixture {} skipped: its setup stopped before creating anything",
            fixtures.join(", ")
        );
    }
    out
}

/// What went wrong, in words: the detail, and what the kind adds to it.
fn error_kind(kind: &ErrorKind, detail: &str) -> String {
    match kind {
        ErrorKind::Timeout { limit, after: Some(after), .. } => {
            let option = match limit {
                TimeLimit::Connect => "--connect-timeout",
                TimeLimit::Request => "--timeout",
            };
            format!("{detail} (no answer within {}, the {option})", seconds(*after))
        }
        ErrorKind::Tls { plain_http: true, .. } => format!(
            "{detail} (the target did not answer in TLS: if this port serves plain HTTP, use http:// in --target)"
        ),
        ErrorKind::AuthFailed { token_url, .. } => {
            format!("token request to {token_url} failed: {detail}")
        }
        ErrorKind::AuthRefused { method, url, status } => format!(
            "{method} {url} not sent: the target answered {status} to the run's first {} requests",
            crate::run::execute::Refusals::FIRST
        ),
        ErrorKind::TooManyPages { step, max_pages, item } => format!(
            "step `{step}`: the list has more than {max_pages} pages (the conventions' paging.max_pages), so whether it lists the item with {item} is not known"
        ),
        ErrorKind::Internal { panicked: true } => {
            "the case stopped unexpectedly (a bug in exemplar; please report it): it panicked"
                .into()
        }
        ErrorKind::Internal { panicked: false } => {
            "the case was cancelled before it finished".into()
        }
        _ => detail.to_string(),
    }
}

/// `30 s`, `1.5 s`, `250 ms`
fn seconds(d: std::time::Duration) -> String {
    match d.as_millis() {
        ms if ms % 1000 == 0 => format!("{} s", ms / 1000),
        ms if ms > 1000 => format!("{} s", d.as_secs_f64()),
        ms => format!("{ms} ms"),
    }
}

/// `1 failing case`, `N failing cases`: what fails the gate.
pub fn failing_cases(n: u32) -> String {
    crate::words::plural(n, "failing case", "failing cases")
}

/// `1 case could not run`, `N cases could not run`
pub fn could_not_run(n: u32) -> String {
    format!("{} could not run", crate::words::plural(n, "case", "cases"))
}

/// `1 case not run`, `N cases not run`: cases the run stopped before starting.
pub fn not_run(n: u32) -> String {
    format!("{} not run", crate::words::plural(n, "case", "cases"))
}

/// Why a case was not run, as its reason (the words libtest's line shows).
pub const NOT_RUN_REASON: &str = crate::run::harness::NOT_RUN;

/// The reason a case or example shows after its outcome: its skip reason, or why it was not
/// run; `None` for an outcome that has none.
pub fn reason(status: Outcome, skip_reason: Option<&str>) -> Option<&str> {
    match status {
        Outcome::NotRun => Some(skip_reason.unwrap_or(NOT_RUN_REASON)),
        _ => skip_reason,
    }
}

/// What fails the gate when no case errored: `1 failing case`, `3 cases not run`, or both.
pub fn failed_because(verdict: &Verdict) -> String {
    match (verdict.failing, verdict.not_run) {
        (_, 0) => failing_cases(verdict.failing),
        (0, n) => not_run(n),
        (f, n) => format!("{}, {}", failing_cases(f), not_run(n)),
    }
}

/// The gate's decision in words: `gate passed`, or why it failed.
pub fn decision(verdict: &Verdict) -> String {
    match verdict.exit {
        _ if verdict.unwritten > 0 => {
            format!(
                "gate failed: {} could not be written",
                crate::words::plural(verdict.unwritten, "report file", "report files")
            )
        }
        Exit::Success => "gate passed".to_string(),
        Exit::Failed => format!("gate failed: {}", failed_because(verdict)),
        _ => format!("gate failed: {}", could_not_run(verdict.errors)),
    }
}

/// String values longer than this are collapsed on the unchanged lines of a console diff.
const COLLAPSE_OVER: usize = 80;

/// An unchanged line of a diff with each long string value cut to its first characters and
/// its length (`"MIIDSz…(1,204 chars, unchanged)"`): a certificate or a modulus said once in
/// full is noise when it did not change.
pub fn collapse_unchanged(line: &str) -> String {
    collapse(line, |_| false, ", unchanged")
}

/// A removed or added line with its long string values cut as on unchanged lines, without
/// the word "unchanged" (`"MIIDSz…(1,204 chars)"`), except a value only part of which
/// changed (`changed` holds the byte ranges of the changed words; less than half of the value
/// changed): there the reader needs to see where.
pub fn collapse_changed(line: &str, changed: &[std::ops::Range<usize>]) -> String {
    let partly = |r: &std::ops::Range<usize>| {
        let inside: usize =
            changed.iter().map(|c| c.end.min(r.end).saturating_sub(c.start.max(r.start))).sum();
        // Words of a long value can match by chance (`-` in a base64url value); a value is
        // changed in part when most of it stayed.
        inside > 0 && inside * 2 < r.len()
    };
    collapse(line, partly, "")
}

/// Cuts each string value of `line` longer than [`COLLAPSE_OVER`] characters, unless `keep`
/// says so for its byte range (quotes excluded); keys are never cut.
fn collapse(line: &str, keep: impl Fn(&std::ops::Range<usize>) -> bool, note: &str) -> String {
    let mut out = String::with_capacity(line.len().min(200));
    let mut at = 0;
    while let Some(open) = line[at..].find('"').map(|i| at + i) {
        out.push_str(&line[at..open]);
        let body = &line[open + 1..];
        // The closing quote: the first one not escaped by a backslash.
        let mut escaped = false;
        let close = body.char_indices().find_map(|(i, c)| {
            let end = c == '"' && !escaped;
            escaped = c == '\\' && !escaped;
            end.then_some(i)
        });
        let Some(close) = close else {
            out.push_str(&line[open..]);
            return out;
        };
        let range = open + 1..open + 1 + close;
        let literal = &line[range.clone()];
        let is_key = line[range.end + 1..].trim_start().starts_with(':');
        let chars = literal.chars().count();
        if !is_key && chars > COLLAPSE_OVER && !keep(&range) {
            let start: String = literal.chars().take(6).collect();
            out.push_str(&format!("\"{start}…({} chars{note})\"", thousands(chars)));
        } else {
            out.push_str(&line[open..=range.end]);
        }
        at = range.end + 1;
    }
    out.push_str(&line[at..]);
    out
}

/// `1204` → `1,204`.
pub fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A diff line's text as every reader-facing diff shows it: long string values collapsed, on
/// an unchanged line as [`collapse_unchanged`], on a removed or added one as
/// [`collapse_changed`] with the line's changed words.
pub fn collapse_line(line: &LineReport) -> String {
    let text = line.text();
    if line.tag == " " {
        return collapse_unchanged(&text);
    }
    let mut changed = Vec::new();
    let mut offset = 0;
    for segment in &line.segments {
        if segment.changed {
            changed.push(offset..offset + segment.text.len());
        }
        offset += segment.text.len();
    }
    collapse_changed(&text, &changed)
}

/// A diff as the console shows it: [`diff`], with long unchanged values collapsed.
pub fn console_diff(out: &mut String, diff: &DiffReport, style: Style) {
    write_diff(out, diff, style, true);
}

/// A unified diff with `---`/`+++` headers, colouring removed and added lines and
/// emphasising the words that changed; every line in full.
pub fn diff(out: &mut String, diff: &DiffReport, style: Style) {
    write_diff(out, diff, style, false);
}

fn write_diff(out: &mut String, diff: &DiffReport, style: Style, collapse: bool) {
    let _ = writeln!(out, "{}", style.paint("31", &format!("--- {}", diff.old_label)));
    let _ = writeln!(out, "{}", style.paint("32", &format!("+++ {}", diff.new_label)));
    for hunk in &diff.hunks {
        let _ = writeln!(out, "{}", style.paint("36", &hunk.header));
        for line in &hunk.lines {
            let (base, emph) = match line.tag.as_str() {
                "-" => ("31", "1;4;31"),
                "+" => ("32", "1;4;32"),
                _ => ("", ""),
            };
            out.push_str(&style.paint(base, &line.tag));
            if collapse {
                let collapsed = collapse_line(line);
                if collapsed != line.text() || base.is_empty() {
                    out.push_str(&style.paint(base, &collapsed));
                    out.push('\n');
                    continue;
                }
            }
            for segment in &line.segments {
                if !style.color || base.is_empty() {
                    out.push_str(&segment.text);
                } else {
                    let code = if segment.changed { emph } else { base };
                    out.push_str(&style.paint(code, &segment.text));
                }
            }
            out.push('\n');
        }
    }
}

/// A JSON value as a sentence shows it, cut to a readable length (after redaction, which has
/// run on the data long before a reporter sees it).
pub fn value(v: &Value) -> String {
    // Encoded data (a certificate, a modulus) collapsed first, so the cut keeps the structure.
    shorten(&collapse_changed(&v.to_string(), &[]))
}

/// `text` cut to 120 characters, with `…` where it was cut.
pub fn shorten(text: &str) -> String {
    if text.chars().count() > 120 {
        format!("{}…", text.chars().take(120).collect::<String>())
    } else {
        text.to_string()
    }
}

/// A finding in words: `a string`, `absent`, `1508969811 (sent in the request)`, ...
pub fn finding(f: &Finding) -> String {
    let by = |by: &Option<String>| by.as_ref().map(|s| format!(" (from {s})")).unwrap_or_default();
    match f {
        Finding::Value { value: v } => value(v),
        Finding::Sent { value: v, by: None } => format!("{} (sent in the request)", value(v)),
        Finding::Sent { value: v, by: Some(step) } => format!("{} (sent by {step})", value(v)),
        Finding::Pinned { value: v } => format!("{} (pinned)", value(v)),
        Finding::Read { value: v, by } => format!("{} (read by {by}, not sent)", value(v)),
        Finding::Answered { value: v, by } => format!("{} (answered by {by})", value(v)),
        Finding::Type { json_type } => json_type.phrase().to_string(),
        Finding::Present => "present".into(),
        Finding::Absent => "absent".into(),
        Finding::Body { json_type } => format!("{} body", json_type.phrase()),
        Finding::NoBody => "no body".into(),
        Finding::Bytes { count } => format!("{count} bytes"),
        Finding::Json => "JSON".into(),
        Finding::InvalidJson { error, start } => format!("{error}: {}", shorten(start)),
        Finding::MediaType { media_type } => media_type.clone(),
        Finding::AtMostMs { ms } => format!("at most {ms} ms"),
        Finding::TookMs { ms } => format!("{ms} ms"),
        Finding::OneOf { values } => format!("one of {}", values.join(", ")),
        Finding::NoSuchProperty => "no such property".into(),
        Finding::PropertiesOf { type_name } => format!("only properties of {type_name}"),
        Finding::ValueArray => "a `value` array".into(),
        Finding::EmptyCollection => "an empty collection".into(),
        Finding::Items { count, by: None } => plural(*count, "item"),
        Finding::Items { count, by: Some(step) } => {
            format!("{}, as sent by {step}", plural(*count, "item"))
        }
        Finding::ItemWith { key, value: v, by: b } => {
            format!("an item with {key} = {}{}", value(v), by(b))
        }
        Finding::NoItemWith { key, value: v } => format!("no item with {key} = {}", value(v)),
        Finding::Keys { key, values } => {
            let keys: Vec<String> = values.iter().map(value).collect();
            format!(
                "{} with {key} [{}]",
                plural(count(values.len()).into(), "item"),
                keys.join(", ")
            )
        }
        Finding::ItemAnsweredBy { key, by } => format!("the item {by} answered, by its {key}"),
        Finding::NoneAnswered { key, by } => format!("{by} answered no {key}"),
        Finding::CreatedKey { by } => format!("the key of what {by} made"),
        Finding::StatusClass { class } => format!("a {class}xx answer"),
        Finding::NotStatusClass { class } => format!("no {class}xx answer"),
        Finding::ErrorAnswer { status } => format!("{status} with the error envelope"),
        Finding::Snapshot { set } => format!("a snapshot in set `{set}`"),
        Finding::Recorded { file } => format!("none; recorded to {file} for review"),
        Finding::SnapshotText => "the snapshot's text".into(),
        Finding::More { count } => format!("{count} more differences (see the diff)"),
        Finding::Unreadable { error } => format!("an unreadable snapshot: {error}"),
        Finding::Withheld { member } => {
            format!("no `{member}` (sent, and the resource page says it cannot be read back)")
        }
        Finding::Shown { member } => format!("`{member}` shown (its value is not reported)"),
        Finding::NewPage => "a link to a page not read yet".into(),
        Finding::LinkBack { page, link } => format!("a link back to page {page}: {link}"),
        Finding::ItemsOnPages { count, pages, key } => {
            format!("{} on {pages} pages, none with that {key}", plural(*count, "item"))
        }
        Finding::Redacted => crate::redact::REDACTED.into(),
        Finding::Text { text } => text.clone(),
    }
}

/// What the target did, in words; a value of the wrong type is shown with its type
/// (`an array ["sig"]`).
pub fn actual(d: &DeviationReport) -> String {
    match &d.actual {
        Finding::Value { value: v } if d.code == "type-mismatch" => {
            format!("{} {}", JsonType::of(v).phrase(), value(v))
        }
        other => finding(other),
    }
}

/// `1 item`, `3 items` (a noun whose plural takes an `s`; others: [`crate::words::plural`]).
pub fn plural(n: u64, noun: &str) -> String {
    crate::words::plural(n, noun, &format!("{noun}s"))
}

/// A note in words (`Retry-After asked for 3600 s, …`), as every reporter shows it after
/// `note: `.
pub fn note(n: &Note) -> String {
    match n {
        Note::RetryAfterNotWaited { asked_ms, max_wait_ms, .. } => format!(
            "Retry-After asked for {} s, longer than the {} s exemplar waits, so it was not waited for",
            asked_ms / 1000,
            max_wait_ms / 1000
        ),
        Note::Proxy { proxy } => format!(
            "every request goes through the proxy {proxy} (--proxy): check that it runs and can reach the target"
        ),
    }
}

/// One relaxation of a check in words.
pub fn relaxation(r: &Relaxation) -> String {
    match r {
        Relaxation::ByType { count } => {
            format!("{} checked by type only", plural((*count).into(), "value"))
        }
        Relaxation::Truncated => "truncated body checked as a subset".into(),
        Relaxation::Ignored { count } => format!("{} ignored", plural((*count).into(), "field")),
        Relaxation::OthersUnchecked { count } => {
            format!(
                "{} this case did not create left unchecked",
                plural((*count).into(), "listed item")
            )
        }
    }
}

/// The relaxations of a check, comma-separated (empty when nothing was relaxed).
pub fn relaxations(relaxed: &[Relaxation]) -> String {
    relaxed.iter().map(relaxation).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::model::{HunkReport, LineReport, Segment};

    fn sample() -> DiffReport {
        let line = |tag: &str, parts: &[(bool, &str)]| LineReport {
            tag: tag.into(),
            segments: parts
                .iter()
                .map(|(c, t)| Segment { changed: *c, text: (*t).into() })
                .collect(),
        };
        DiffReport {
            title: "response body".into(),
            old_label: "expected".into(),
            new_label: "actual".into(),
            hunks: vec![HunkReport {
                header: "@@ -1,2 +1,2 @@".into(),
                lines: vec![
                    line(" ", &[(false, "{")]),
                    line("-", &[(false, "  \"a\": "), (true, "1")]),
                    line("+", &[(false, "  \"a\": "), (true, "\"1\"")]),
                ],
            }],
        }
    }

    fn report(code: &str, expected: Finding, actual: Finding) -> DeviationReport {
        DeviationReport { code: code.into(), path: "/a".into(), expected, actual, known: None }
    }

    /// The words the reporters print for typed findings are the ones the console printed when
    /// findings were words, so a reader sees no change.
    #[test]
    fn findings_read_as_the_sentences_people_know() {
        use serde_json::json;
        let cases = [
            (
                report(
                    "type-mismatch",
                    Finding::of_type(JsonType::String),
                    Finding::value(json!(["sig"])),
                ),
                "type-mismatch at /a: expected a string, actual an array [\"sig\"]",
            ),
            (
                report(
                    "value-mismatch",
                    Finding::Sent { value: json!(1508969811), by: None },
                    Finding::value("1508969811"),
                ),
                "value-mismatch at /a: expected 1508969811 (sent in the request), actual \"1508969811\"",
            ),
            (
                report("header-missing", Finding::Present, Finding::Absent),
                "header-missing at /a: expected present, actual absent",
            ),
            (
                report(
                    "response-slow",
                    Finding::AtMostMs { ms: 2000 },
                    Finding::TookMs { ms: 2500 },
                ),
                "response-slow at /a: expected at most 2000 ms, actual 2500 ms",
            ),
            (
                report(
                    "enum-mismatch",
                    Finding::OneOf { values: vec!["enabled".into(), "disabled".into()] },
                    Finding::value("on"),
                ),
                "enum-mismatch at /a: expected one of enabled, disabled, actual \"on\"",
            ),
            (
                report(
                    "write-not-kept",
                    Finding::Items { count: 2, by: Some("update".into()) },
                    Finding::Items { count: 1, by: None },
                ),
                "write-not-kept at /a: expected 2 items, as sent by update, actual 1 item",
            ),
            (
                report("server-error", Finding::NotStatusClass { class: 5 }, Finding::value(503)),
                "server-error at /a: expected no 5xx answer, actual 503",
            ),
            (
                report("type-mismatch", Finding::Redacted, Finding::of_type(JsonType::Integer)),
                "type-mismatch at /a: expected [redacted], actual an integer",
            ),
        ];
        for (d, sentence) in cases {
            assert_eq!(deviation(&d, Style::PLAIN), sentence);
        }
        let long = Finding::value(vec!["x"; 100]);
        assert_eq!(finding(&long).chars().count(), 121, "cut with an ellipsis");
        // A long string is collapsed before the cut, so its end stays readable.
        let cert = Finding::value("x".repeat(300));
        assert_eq!(finding(&cert), "\"xxxxxx…(300 chars)\"");
        assert_eq!(
            relaxations(&[
                Relaxation::ByType { count: 1 },
                Relaxation::Truncated,
                Relaxation::Ignored { count: 2 }
            ]),
            "1 value checked by type only, truncated body checked as a subset, 2 fields ignored"
        );
    }

    #[test]
    fn notes_and_cases_not_run_read_as_sentences() {
        let wait =
            Note::RetryAfterNotWaited { exchange: 0, asked_ms: 3_600_000, max_wait_ms: 60_000 };
        assert_eq!(
            note(&wait),
            "Retry-After asked for 3600 s, longer than the 60 s exemplar waits, so it was not waited for"
        );
        let proxy = Note::Proxy { proxy: "http://127.0.0.1:3128".into() };
        assert_eq!(
            note(&proxy),
            "every request goes through the proxy http://127.0.0.1:3128 (--proxy): check that it runs and can reach the target"
        );
        let verdict = |failing, not_run| Verdict {
            exit: Exit::Failed,
            errors: 0,
            failing,
            not_run,
            known: 0,
            expired: 0,
            unwritten: 0,
        };
        assert_eq!(decision(&verdict(1, 0)), "gate failed: 1 failing case");
        assert_eq!(decision(&verdict(0, 1)), "gate failed: 1 case not run");
        assert_eq!(decision(&verdict(2, 9)), "gate failed: 2 failing cases, 9 cases not run");
        assert_eq!(reason(Outcome::NotRun, None), Some(NOT_RUN_REASON));
        assert_eq!(reason(Outcome::Skipped, Some("why")), Some("why"));
        assert_eq!(reason(Outcome::Passed, None), None);
    }

    #[test]
    fn long_unchanged_values_are_collapsed_and_keys_and_short_values_kept() {
        let cert = "MIIDSz".to_string() + &"A".repeat(1198);
        let line = format!("  \"x5c\": [\"{cert}\", \"short\"],");
        assert_eq!(
            collapse_unchanged(&line),
            "  \"x5c\": [\"MIIDSz…(1,204 chars, unchanged)\", \"short\"],"
        );
        let escaped = format!("    \"a\\\"{}\"", "b".repeat(100));
        assert!(collapse_unchanged(&escaped).starts_with("    \"a\\\"bbb…(103 chars"), "{escaped}");
        assert_eq!(collapse_unchanged("  \"kty\": \"RSA\","), "  \"kty\": \"RSA\",");
        assert_eq!(
            collapse_changed(&line, &[]),
            "  \"x5c\": [\"MIIDSz…(1,204 chars)\", \"short\"],"
        );
        // Wholly changed: cut; changed in part: kept, so the change shows.
        let whole = std::iter::once(11..1215).collect::<Vec<_>>();
        assert_eq!(collapse_changed(&line, &whole), collapse_changed(&line, &[]));
        let one_char = std::iter::once(20..21).collect::<Vec<_>>();
        assert_eq!(collapse_changed(&line, &one_char), line);
        assert_eq!(thousands(1204), "1,204");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000_000), "1,000,000");
    }

    #[test]
    fn a_plain_diff_is_the_unified_text() {
        let mut out = String::new();
        diff(&mut out, &sample(), Style::PLAIN);
        assert_eq!(
            out,
            "--- expected\n+++ actual\n@@ -1,2 +1,2 @@\n {\n-  \"a\": 1\n+  \"a\": \"1\"\n"
        );
    }

    #[test]
    fn a_coloured_diff_emphasises_the_changed_words() {
        let mut out = String::new();
        diff(&mut out, &sample(), Style { color: true });
        assert!(out.contains("\x1b[1;4;31m1\x1b[0m"), "{out:?}");
        assert!(out.contains("\x1b[32m  \"a\": \x1b[0m"), "{out:?}");
    }

    fn in_setup(e: RunError, request: bool) -> RunError {
        let request = request.then(|| ("POST".to_string(), "http://t/beta/keySets".to_string()));
        e.in_fixture(crate::run::result::FixtureStep {
            skipped: Vec::new(),
            alias: "set".into(),
            teardown: false,
            request,
        })
    }

    /// The runner hands on what it knows as data; the sentences people read are written here.
    #[test]
    fn run_errors_read_as_their_sentences() {
        use crate::run::result::SkippedTeardown;
        let (method, url) = ("POST".to_string(), "http://t/beta/keySets".to_string());
        let rejected =
            in_setup(RunError::new(ErrorKind::Rejected { status: 400 }, "{\"error\"}"), true);
        assert_eq!(
            run_error(&rejected),
            "fixture `set` setup: POST http://t/beta/keySets answered 400: {\"error\"}"
        );
        let mut tls = in_setup(
            RunError::new(
                ErrorKind::Tls { method: method.clone(), url: url.clone(), plain_http: true },
                "error sending request",
            ),
            true,
        );
        tls.fixture.as_mut().unwrap().skipped =
            vec![SkippedTeardown { alias: "set".into(), missing: "id".into() }];
        assert_eq!(
            run_error(&tls),
            "fixture `set` setup: POST http://t/beta/keySets: error sending request (the target did not answer in TLS: if this port serves plain HTTP, use http:// in --target); teardown of fixture `set` (no `id` captured) skipped: its setup stopped before creating anything"
        );
        // A request the run did not send is named once, not twice.
        let refused = in_setup(
            RunError::new(ErrorKind::AuthRefused { method, url: url.clone(), status: 401 }, ""),
            true,
        );
        assert_eq!(
            run_error(&refused),
            "fixture `set` setup: POST http://t/beta/keySets not sent: the target answered 401 to the run's first 3 requests"
        );
        let timeout = RunError::new(
            ErrorKind::Timeout {
                method: "GET".into(),
                url: url.clone(),
                limit: TimeLimit::Connect,
                after: Some(std::time::Duration::from_millis(1500)),
            },
            "operation timed out",
        );
        assert_eq!(
            run_error(&timeout),
            "operation timed out (no answer within 1.5 s, the --connect-timeout)"
        );
        let pages = RunError::new(
            ErrorKind::TooManyPages {
                step: "list".into(),
                max_pages: 100,
                item: "id = \"a\"".into(),
            },
            "",
        );
        assert_eq!(
            run_error(&pages),
            "step `list`: the list has more than 100 pages (the conventions' paging.max_pages), so whether it lists the item with id = \"a\" is not known"
        );
        let unbound = in_setup(
            RunError::new(
                ErrorKind::BindingFailed { binding: Some("x".into()) },
                "with.a: `{{x}}` is not defined (known: none)",
            ),
            false,
        );
        assert_eq!(
            run_error(&unbound),
            "fixture `set` setup: with.a: `{{x}}` is not defined (known: none)"
        );
        assert_eq!(
            run_error(&RunError::new(ErrorKind::Internal { panicked: true }, "")),
            "the case stopped unexpectedly (a bug in exemplar; please report it): it panicked"
        );
    }

    /// The code a report names a fixture's failure by stays the fixture's; what failed inside
    /// it is its cause.
    #[test]
    fn a_failure_inside_a_fixture_has_the_fixtures_code_and_its_own_as_cause() {
        use crate::run::ErrorCode;
        let kind = ErrorKind::ConnectFailed { method: "POST".into(), url: "http://t/".into() };
        let bare = RunError::new(kind, "refused");
        assert_eq!((bare.code(), bare.cause()), (ErrorCode::ConnectFailed, None));
        let framed = in_setup(bare, true);
        assert_eq!(
            (framed.code(), framed.cause()),
            (ErrorCode::FixtureFailed, Some(ErrorCode::ConnectFailed))
        );
        let mut teardown = framed.clone();
        teardown.fixture.as_mut().unwrap().teardown = true;
        assert_eq!(teardown.code(), ErrorCode::TeardownFailed);
        let rejected = in_setup(RunError::new(ErrorKind::Rejected { status: 500 }, ""), true);
        assert_eq!((rejected.code(), rejected.cause()), (ErrorCode::FixtureFailed, None));
        let refused = in_setup(
            RunError::new(
                ErrorKind::AuthRefused {
                    method: "POST".into(),
                    url: "http://t/".into(),
                    status: 403,
                },
                "",
            ),
            true,
        );
        assert_eq!((refused.code(), refused.cause()), (ErrorCode::AuthRefused, None));
    }
}
