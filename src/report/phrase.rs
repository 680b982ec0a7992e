//! The sentences every reporter shares, written once: a deviation ("code at path: expected …,
//! actual …"), an error, the gate's decision ("gate failed: N failing case(s)") and the unified
//! diff. The console paints them; JUnit, annotations, Markdown and HTML take them plain (and
//! escape them for their format).

use std::fmt::Write;

use crate::exit::Exit;

use super::gate::Verdict;
use super::model::{DeviationReport, DiffReport, ErrorReport};

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
        d.expected,
        d.actual
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
