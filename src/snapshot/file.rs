//! Snapshot files in insta's `.snap` format, so that `cargo insta review`, `accept` and
//! `reject` work on them: a YAML header between two `---` lines (`source`, `description`,
//! `expression`), then the snapshot text. Strings in the header are written plain or double
//! quoted by the same rule insta applies, so a file accepted by cargo-insta is byte for byte
//! the file exemplar would have written.

/// One snapshot file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapFile {
    /// The case file the snapshot belongs to.
    pub source: String,
    /// A sentence for a reviewer: what was recorded, from where.
    pub description: Option<String>,
    /// The request, as cargo-insta shows an assertion's expression.
    pub expression: Option<String>,
    /// The snapshot text, without trailing whitespace.
    pub contents: String,
}

impl SnapFile {
    pub fn render(&self) -> String {
        let mut out = String::from("---\n");
        field(&mut out, "source", &self.source);
        if let Some(d) = &self.description {
            field(&mut out, "description", d);
        }
        if let Some(e) = &self.expression {
            field(&mut out, "expression", e);
        }
        out.push_str("---\n");
        out.push_str(&normalise_contents(&self.contents));
        out.push('\n');
        out
    }

    /// Reads a snapshot file's text. `None` when it has no header: not a snapshot.
    pub fn parse(text: &str) -> Option<SnapFile> {
        let text = text.replace("\r\n", "\n");
        let rest = text.strip_prefix("---\n")?;
        let end = rest.find("\n---\n").map(|i| (i, i + 5)).or_else(|| {
            // An empty header.
            rest.starts_with("---\n").then_some((0, 4))
        })?;
        let (header, contents) = (&rest[..end.0], &rest[end.1..]);
        let mut file = SnapFile {
            source: String::new(),
            description: None,
            expression: None,
            contents: normalise_contents(contents),
        };
        for line in header.lines() {
            let Some((key, value)) = line.split_once(':') else { continue };
            let value = scalar(value.trim());
            match key {
                "source" => file.source = value,
                "description" => file.description = Some(value),
                "expression" => file.expression = Some(value),
                _ => {}
            }
        }
        Some(file)
    }
}

/// What insta compares: the text without trailing whitespace, with `\n` line ends.
pub fn normalise_contents(text: &str) -> String {
    text.trim_end().replace("\r\n", "\n")
}

fn field(out: &mut String, key: &str, value: &str) {
    out.push_str(key);
    out.push_str(": ");
    if needs_quotes(value) {
        quote(out, value);
    } else {
        out.push_str(value);
    }
    out.push('\n');
}

/// A YAML scalar as written by [`field`]: plain, or double quoted.
fn scalar(value: &str) -> String {
    if value.starts_with('"') {
        if let Ok(s) = serde_json::from_str::<String>(value) {
            return s;
        }
    }
    value.to_string()
}

/// Whether a plain YAML scalar would be read as something other than this string.
fn needs_quotes(s: &str) -> bool {
    const SPECIAL_START: &[char] = &['&', '*', '?', '|', '-', '<', '>', '=', '!', '%', '@'];
    const SPECIAL: &[char] =
        &[':', '{', '}', '[', ']', ',', '#', '`', '"', '\'', '\\', '\t', '\n', '\r'];
    const WORDS: &[&str] = &[
        "yes", "Yes", "YES", "no", "No", "NO", "True", "TRUE", "true", "False", "FALSE", "false",
        "on", "On", "ON", "off", "Off", "OFF", "null", "Null", "NULL", "~",
    ];
    s.is_empty()
        || s.starts_with(' ')
        || s.ends_with(' ')
        || s.starts_with(SPECIAL_START)
        || s.contains(SPECIAL)
        || s.chars().any(|c| matches!(c, '\0'..='\x06' | '\x0e'..='\x1a' | '\x1c'..='\x1f'))
        || WORDS.contains(&s)
        || s.starts_with('.')
        || s.starts_with("0x")
        || s.parse::<i64>().is_ok()
        || s.parse::<f64>().is_ok()
}

fn quote(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\x08' => out.push_str("\\b"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\x0c' => out.push_str("\\f"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_quotes_like_yaml_needs() {
        let file = SnapFile {
            source: "cases/docs/graph/beta/api/x/get.json".into(),
            description: Some("Recorded from reference: docs/x.md:12".into()),
            expression: Some("GET /beta/trustFramework/keySets/[set.id]".into()),
            contents: "HTTP 200\n\n{\n  \"a\": 1\n}\n\n".into(),
        };
        let text = file.render();
        assert_eq!(
            text,
            "---\nsource: cases/docs/graph/beta/api/x/get.json\ndescription: \"Recorded from reference: docs/x.md:12\"\nexpression: \"GET /beta/trustFramework/keySets/[set.id]\"\n---\nHTTP 200\n\n{\n  \"a\": 1\n}\n"
        );
        let back = SnapFile::parse(&text).unwrap();
        assert_eq!(back.contents, "HTTP 200\n\n{\n  \"a\": 1\n}");
        assert_eq!(back.description, file.description);
        assert_eq!(back.expression, file.expression);
        assert_eq!(back.source, file.source);
        assert!(SnapFile::parse("HTTP 200\n").is_none());
    }

    #[test]
    fn yaml_lookalikes_are_quoted() {
        for s in ["", "true", "12", "1.5", "- x", "a: b", " lead", "@x", "~", ".x"] {
            assert!(needs_quotes(s), "{s:?}");
        }
        for s in ["GET /beta/x", "cases/a_b.json", "plain words"] {
            assert!(!needs_quotes(s), "{s:?}");
        }
        let mut out = String::new();
        quote(&mut out, "a\"b\\c\nd\u{1}");
        assert_eq!(out, "\"a\\\"b\\\\c\\nd\\u0001\"");
        assert_eq!(scalar(&out), "a\"b\\c\nd\u{1}");
    }
}
