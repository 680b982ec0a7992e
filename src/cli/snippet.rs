//! Errors that point into a file, shown the way rustc shows them: the headline (which names
//! the file, line and column, so it can be found by a search), then the source line with a
//! caret under the column. The file is read again here, at the edge, only to show an error.

use annotate_snippets::{Level, Renderer, Snippet};

use crate::diag::Located;

/// An error as the console shows it: located errors like rustc (see [`located`]), others
/// with their causes (see [`super::error_chain`]).
pub fn shown(error: &dyn std::error::Error, located: Option<&Located>) -> String {
    match located {
        Some(at) => self::located(at),
        None => super::error_chain(error),
    }
}

/// `error: <headline>` and, when the file can be read and has that line, the line with a
/// caret under the column, or under the part of the span on that line.
pub fn located(error: &Located) -> String {
    let headline = error.to_string();
    let text = std::fs::read_to_string(&error.path).ok();
    let source = text
        .as_deref()
        .and_then(|t| t.split('\n').nth(error.line.checked_sub(1)?))
        .map(|l| l.strip_suffix('\r').unwrap_or(l));
    let Some(source) = source else { return format!("error: {headline}\n") };
    let start =
        source.char_indices().nth(error.column.saturating_sub(1)).map_or(source.len(), |(i, _)| i);
    let first = source[start..].chars().next().map_or(start, |c| start + c.len_utf8());
    // A span covers more than one character; the caret runs to its end or the line's.
    let end =
        error.span.as_ref().map_or(first, |span| (start + span.len()).min(source.len()).max(first));
    let end = if source.is_char_boundary(end) { end } else { first };
    let message = Level::Error.title(&headline).snippet(
        Snippet::source(source).line_start(error.line).annotation(Level::Error.span(start..end)),
    );
    format!("{}\n", Renderer::plain().render(message))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use std::path::Path;

    use super::*;

    #[test]
    fn a_located_error_shows_its_line_and_a_caret() {
        let path = std::env::temp_dir().join(format!("exemplar-snippet-{}", std::process::id()));
        std::fs::write(&path, "{\n  \"format\": 1,\n  \"tgas\": []\n}\n").unwrap();
        let error = Located::new(&path, 3, 3, "unknown field `tgas`");
        let headline = error.to_string();
        let shown = located(&error);
        let _ = std::fs::remove_file(&path);
        let lines: Vec<&str> = shown.lines().collect();
        assert_eq!(lines[0], format!("error: {headline}"));
        let source = lines.iter().position(|l| l.ends_with("  \"tgas\": []")).unwrap();
        assert!(lines[source].starts_with("3 |"), "{shown}");
        let caret = lines[source + 1];
        assert_eq!(caret.find('^'), Some("3 |   ".len()), "{shown}");
    }

    #[test]
    fn without_its_file_an_error_is_its_headline() {
        let shown = located(&Located::new(Path::new("/nonexistent/nowhere.json"), 1, 1, "bad"));
        assert_eq!(shown, "error: /nonexistent/nowhere.json:1:1: bad\n");
    }
}
