//! HTML escaping, for the two reporters that write HTML: the HTML report (a whole document)
//! and the raw-HTML lines of the Markdown report (`<details><summary>`, which GitHub reads as
//! HTML, not Markdown). They differ only in what [`Context`] says.

/// Where escaped text goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    /// Text and quoted attribute values of an HTML document: `&`, `<`, `>` and both quotes
    /// are escaped, line breaks kept.
    Document,
    /// A raw-HTML line inside Markdown: a line break would end the HTML block, so it becomes
    /// a space; apostrophes stay as they are (no attribute there is quoted with them).
    MarkdownLine,
}

/// `text` with the characters HTML gives a meaning escaped for `context`.
pub fn html(text: &str, context: Context) -> String {
    let line = context == Context::MarkdownLine;
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' if !line => out.push_str("&#39;"),
            '\n' | '\r' if line => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{Context, html};

    #[test]
    fn a_document_escapes_both_quotes_and_keeps_line_breaks() {
        assert_eq!(
            html("<a href=\"x\">&'\n</a>", Context::Document),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;\n&lt;/a&gt;"
        );
    }

    #[test]
    fn a_markdown_line_stays_one_line_and_keeps_apostrophes() {
        assert_eq!(
            html("it's <b>\r\n\"a\" & b", Context::MarkdownLine),
            "it's &lt;b&gt;  &quot;a&quot; &amp; b"
        );
    }
}
