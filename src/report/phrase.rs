//! The sentences every reporter shares, written once: a deviation ("code at path: expected …,
//! actual …"), an error, the gate's decision ("gate failed: N failing case(s)") and the unified
//! diff. The console paints them; JUnit, annotations, Markdown and HTML take them plain (and
//! escape them for their format).

use std::fmt::Write;

use serde_json::Value;

use crate::check::Finding;
use crate::exit::Exit;
use crate::extract::JsonType;

use super::gate::Verdict;
use super::model::{DeviationReport, DiffReport, ErrorReport, Relaxation, count};

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

/// `N failing case(s)`: what fails the gate.
pub fn failing_cases(n: u32) -> String {
    format!("{n} failing case(s)")
}

/// `N case(s) could not run`
pub fn could_not_run(n: u32) -> String {
    format!("{n} case(s) could not run")
}

/// The gate's decision in words: `gate passed`, or why it failed.
pub fn decision(verdict: &Verdict) -> String {
    match verdict.exit {
        _ if verdict.unwritten > 0 => {
            format!("gate failed: {} report file(s) could not be written", verdict.unwritten)
        }
        Exit::Success => "gate passed".to_string(),
        Exit::Failed => format!("gate failed: {}", failing_cases(verdict.failing)),
        _ => format!("gate failed: {}", could_not_run(verdict.errors)),
    }
}

/// A unified diff with `---`/`+++` headers, colouring removed and added lines and
/// emphasising the words that changed.
pub fn diff(out: &mut String, diff: &DiffReport, style: Style) {
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
    shorten(&super::shorten::collapse_strings(&v.to_string(), super::shorten::Why::Cut))
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

/// `1 item`, `3 items`.
pub fn plural(n: u64, noun: &str) -> String {
    if n == 1 { format!("1 {noun}") } else { format!("{n} {noun}s") }
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
}
