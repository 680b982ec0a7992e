//! Shortening what a person does not need to read in full: a long JSON string of encoded
//! data (a base64 certificate, an RSA modulus; not words, not a URL) in a diff line becomes its first few characters and a count,
//! `"MIIDSTCC…(1,204 chars, unchanged)"`. Every renderer that shows diffs to people uses it, so
//! the console, Markdown and HTML read the same; the JSON report keeps every value whole.

/// Strings longer than this many characters are collapsed.
pub const LONG: usize = 64;
/// Characters kept of a collapsed string.
const KEEP: usize = 8;

/// Why a string was collapsed, said in its count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Why {
    /// A context line: the same on both sides (`…(1,204 chars, unchanged)`).
    Unchanged,
    /// A changed line cut for room (`…(1,204 chars)`); the full value is in the JSON report.
    Cut,
}

/// `1204` as `1,204`.
pub fn grouped(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `line` with every JSON string literal of encoded data longer than [`LONG`] characters
/// collapsed. Text
/// outside string literals is kept as it is; an unterminated literal (a line cut elsewhere) is
/// kept whole.
pub fn collapse_strings(line: &str, why: Why) -> String {
    let mut out = String::with_capacity(line.len().min(256));
    let mut rest = line;
    while let Some(start) = rest.find('"') {
        out.push_str(&rest[..=start]);
        let body = &rest[start + 1..];
        let Some(end) = literal_end(body) else {
            out.push_str(body);
            return out;
        };
        let content = &body[..end];
        let chars = content.chars().count();
        if chars > LONG && opaque(content) {
            // Opaque text is ASCII: the first KEEP bytes are whole characters.
            out.push_str(&content[..KEEP]);
            out.push_str(&format!("…({} chars", grouped(chars)));
            out.push_str(match why {
                Why::Unchanged => ", unchanged)",
                Why::Cut => ")",
            });
        } else {
            out.push_str(content);
        }
        out.push('"');
        rest = &body[end + 1..];
    }
    out.push_str(rest);
    out
}

/// Whether `text` reads as encoded data (base64, base64url, hex, a JWT) rather than words or
/// a URL, which a reader wants to see whole.
fn opaque(text: &str) -> bool {
    text.chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '=' | '-' | '_' | '.'))
}

/// The byte offset of the quote that closes a string literal whose text starts `body`.
fn literal_end(body: &str) -> Option<usize> {
    let mut escaped = false;
    for (i, c) in body.char_indices() {
        match c {
            '\\' if !escaped => escaped = true,
            '"' if !escaped => return Some(i),
            _ => escaped = false,
        }
    }
    None
}

/// `text` cut to `max` characters, ending in `…` when it was cut.
pub fn cut(text: &str, max: usize) -> std::borrow::Cow<'_, str> {
    match text.char_indices().nth(max) {
        None => text.into(),
        Some((at, _)) => format!("{}…", &text[..at]).into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_strings_are_collapsed_with_their_length() {
        let cert = "MIIDSTCCAjGgAwIBAgIU".repeat(60);
        let line = format!("            \"{cert}\",");
        assert_eq!(
            collapse_strings(&line, Why::Unchanged),
            "            \"MIIDSTCC…(1,200 chars, unchanged)\","
        );
        let pair = format!("  \"n\": \"{cert}\"");
        assert_eq!(collapse_strings(&pair, Why::Cut), "  \"n\": \"MIIDSTCC…(1,200 chars)\"");
    }

    #[test]
    fn short_strings_escapes_and_unterminated_literals_are_kept() {
        let line = r#"  "kid": "fe0Wkzn", "say": "a \"quoted\" word""#;
        assert_eq!(collapse_strings(line, Why::Unchanged), line);
        let open = format!("  \"x\": \"{}", "y".repeat(100));
        assert_eq!(collapse_strings(&open, Why::Unchanged), open);
        let words = format!("\"{}\"", "a few words ".repeat(10));
        assert_eq!(collapse_strings(&words, Why::Cut), words);
        let url = format!("\"http://127.0.0.1:8081/{}\"", "x".repeat(80));
        assert_eq!(collapse_strings(&url, Why::Unchanged), url);
    }

    #[test]
    fn numbers_are_grouped_and_text_is_cut_on_a_char_boundary() {
        assert_eq!(grouped(7), "7");
        assert_eq!(grouped(1204), "1,204");
        assert_eq!(grouped(1_234_567), "1,234,567");
        assert_eq!(cut("ééé", 2), "éé…");
        assert_eq!(cut("ab", 2), "ab");
    }
}
