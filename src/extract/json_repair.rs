//! A forgiving JSON reader for the bodies and annotations of doc pages.
//!
//! Documentation JSON is written by hand and often almost valid: a trailing comma before a
//! closing brace, a comma forgotten between two members, a closing bracket lost when an
//! example was cut short. A strict parser would drop the whole example; this one repairs what
//! it can, records each repair with its byte offset so the caller can report it as a
//! diagnostic, and gives up (with an offset) only where the intent is not clear. Strings and
//! numbers are still decoded by serde_json, so accepted values mean what JSON says they mean.

use serde_json::{Map, Number, Value};

use crate::diag::{Diagnostic, LineIndex, Pos};

/// Nesting deeper than this is refused rather than risking the stack on hostile input.
const MAX_DEPTH: usize = 200;

/// One change the reader made to the text to make sense of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Repair {
    /// Byte offset in the input where the defect is.
    pub offset: usize,
    /// Stable diagnostic code.
    pub code: &'static str,
    pub message: String,
}

/// A value read from possibly defective JSON, with the repairs it needed.
#[derive(Debug, Clone, PartialEq)]
pub struct Repaired {
    pub value: Value,
    pub repairs: Vec<Repair>,
}

/// JSON that could not be repaired.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonError {
    pub offset: usize,
    pub message: String,
}

/// Reads one JSON value from `text`, repairing the defects hand-written examples have.
pub fn parse(text: &str) -> Result<Repaired, JsonError> {
    let mut reader = Reader { text, bytes: text.as_bytes(), at: 0, repairs: Vec::new() };
    reader.skip_ws();
    if reader.at == reader.bytes.len() {
        return Err(reader.error("expected a JSON value, found nothing"));
    }
    let value = reader.value(0)?;
    reader.skip_ws();
    if reader.at < reader.bytes.len() {
        let at = reader.at;
        reader.repair(at, "trailing-content", "ignored text after the end of the JSON value");
    }
    Ok(Repaired { value, repairs: reader.repairs })
}

/// Parses JSON that starts on line `first_line` of the doc `path`, pushing a warning for each
/// repair at its place in the doc. On failure, returns where and why.
pub fn parse_located(
    path: &str,
    text: &str,
    first_line: u32,
    diags: &mut Vec<Diagnostic>,
) -> Result<Value, (Pos, String)> {
    let index = LineIndex::new(text);
    match parse(text) {
        Ok(parsed) => {
            for r in parsed.repairs {
                let pos = index.pos(text, r.offset, first_line);
                diags.push(Diagnostic::warning(path, pos, r.code, r.message));
            }
            Ok(parsed.value)
        }
        Err(e) => Err((index.pos(text, e.offset, first_line), e.message)),
    }
}

struct Reader<'a> {
    text: &'a str,
    bytes: &'a [u8],
    at: usize,
    repairs: Vec<Repair>,
}

impl Reader<'_> {
    fn error(&self, message: impl Into<String>) -> JsonError {
        JsonError { offset: self.at, message: message.into() }
    }

    fn repair(&mut self, offset: usize, code: &'static str, message: impl Into<String>) {
        self.repairs.push(Repair { offset, code, message: message.into() });
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn skip_ws(&mut self) {
        while let Some(b) = self.peek() {
            match b {
                b' ' | b'\t' | b'\r' | b'\n' => self.at += 1,
                // A byte-order mark or a non-breaking space pasted from a web page.
                0xEF if self.bytes[self.at..].starts_with("\u{feff}".as_bytes()) => self.at += 3,
                0xC2 if self.bytes[self.at..].starts_with("\u{a0}".as_bytes()) => self.at += 2,
                _ => break,
            }
        }
    }

    fn starts_value(b: u8) -> bool {
        matches!(b, b'{' | b'[' | b'"' | b'-' | b'0'..=b'9' | b't' | b'f' | b'n')
    }

    fn value(&mut self, depth: usize) -> Result<Value, JsonError> {
        if depth > MAX_DEPTH {
            return Err(self.error(format!("JSON nested deeper than {MAX_DEPTH} levels")));
        }
        match self.peek() {
            Some(b'{') => self.object(depth),
            Some(b'[') => self.array(depth),
            Some(b'"') => self.string().map(Value::String),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(b't') => self.literal("true", Value::Bool(true)),
            Some(b'f') => self.literal("false", Value::Bool(false)),
            Some(b'n') => self.literal("null", Value::Null),
            Some(_) => Err(self.error(format!("expected a JSON value, found {}", self.found()))),
            None => Err(self.error("expected a JSON value, found the end of the text")),
        }
    }

    /// Describes the character at the cursor for an error message.
    fn found(&self) -> String {
        match self.text.get(self.at..).and_then(|s| s.chars().next()) {
            Some(c) => format!("`{}`", c.escape_debug()),
            None => "the end of the text".to_string(),
        }
    }

    /// Skips a `...` that an author wrote to say "more items here".
    fn skip_ellipsis(&mut self) -> bool {
        if self.bytes[self.at..].starts_with(b"...") {
            let at = self.at;
            self.at += 3;
            while self.peek() == Some(b'.') {
                self.at += 1;
            }
            self.repair(at, "json-ellipsis", "ignored `...` standing for omitted content");
            true
        } else {
            false
        }
    }

    fn object(&mut self, depth: usize) -> Result<Value, JsonError> {
        let open = self.at;
        self.at += 1;
        let mut map = Map::new();
        let mut expect_member = true;
        loop {
            self.skip_ws();
            match self.peek() {
                Some(b'}') => {
                    self.at += 1;
                    return Ok(Value::Object(map));
                }
                None => {
                    let at = self.at;
                    self.repair(
                        at,
                        "json-unclosed",
                        format!("closed the object opened at byte {open}"),
                    );
                    return Ok(Value::Object(map));
                }
                Some(b',') => {
                    let at = self.at;
                    self.at += 1;
                    if expect_member {
                        self.repair(
                            at,
                            "json-extra-comma",
                            "removed a comma with no member before it",
                        );
                    } else {
                        expect_member = true;
                        self.skip_ws();
                        if self.peek() == Some(b'}') {
                            self.repair(at, "json-trailing-comma", "removed a comma before `}`");
                        }
                    }
                }
                Some(b'.') if self.skip_ellipsis() => expect_member = false,
                Some(b'"') => {
                    if !expect_member {
                        let at = self.at;
                        self.repair(
                            at,
                            "json-missing-comma",
                            "inserted a missing comma between members",
                        );
                    }
                    let key_at = self.at;
                    let key = self.string()?;
                    self.skip_ws();
                    if self.peek() != Some(b':') {
                        return Err(self.error(format!(
                            "expected `:` after the key \"{key}\", found {}",
                            self.found()
                        )));
                    }
                    self.at += 1;
                    self.skip_ws();
                    let value = self.value(depth + 1)?;
                    if map.insert(key.clone(), value).is_some() {
                        self.repair(
                            key_at,
                            "json-duplicate-key",
                            format!("the key \"{key}\" appears twice; the last value is kept"),
                        );
                    }
                    expect_member = false;
                }
                Some(_) => {
                    return Err(
                        self.error(format!("expected a key or `}}`, found {}", self.found()))
                    );
                }
            }
        }
    }

    fn array(&mut self, depth: usize) -> Result<Value, JsonError> {
        let open = self.at;
        self.at += 1;
        let mut items = Vec::new();
        let mut expect_item = true;
        loop {
            self.skip_ws();
            match self.peek() {
                Some(b']') => {
                    self.at += 1;
                    return Ok(Value::Array(items));
                }
                None => {
                    let at = self.at;
                    self.repair(
                        at,
                        "json-unclosed",
                        format!("closed the array opened at byte {open}"),
                    );
                    return Ok(Value::Array(items));
                }
                Some(b',') => {
                    let at = self.at;
                    self.at += 1;
                    if expect_item {
                        self.repair(
                            at,
                            "json-extra-comma",
                            "removed a comma with no item before it",
                        );
                    } else {
                        expect_item = true;
                        self.skip_ws();
                        if self.peek() == Some(b']') {
                            self.repair(at, "json-trailing-comma", "removed a comma before `]`");
                        }
                    }
                }
                Some(b'.') if self.skip_ellipsis() => expect_item = false,
                Some(b) if Self::starts_value(b) => {
                    if !expect_item {
                        let at = self.at;
                        self.repair(
                            at,
                            "json-missing-comma",
                            "inserted a missing comma between items",
                        );
                    }
                    items.push(self.value(depth + 1)?);
                    expect_item = false;
                }
                Some(_) => {
                    return Err(
                        self.error(format!("expected a value or `]`, found {}", self.found()))
                    );
                }
            }
        }
    }

    fn string(&mut self) -> Result<String, JsonError> {
        let start = self.at;
        let mut i = start + 1;
        while i < self.bytes.len() {
            match self.bytes[i] {
                b'\\' => i += 2,
                b'"' => {
                    let raw = &self.text[start..=i];
                    self.at = i + 1;
                    return serde_json::from_str::<String>(raw).map_err(|e| JsonError {
                        offset: start,
                        message: format!("invalid string: {e}"),
                    });
                }
                b'\n' => break,
                _ => i += 1,
            }
        }
        Err(JsonError { offset: start, message: "string is never closed".to_string() })
    }

    fn number(&mut self) -> Result<Value, JsonError> {
        let start = self.at;
        while let Some(b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9') = self.peek() {
            self.at += 1;
        }
        let raw = &self.text[start..self.at];
        serde_json::from_str::<Number>(raw)
            .map(Value::Number)
            .map_err(|_| JsonError { offset: start, message: format!("invalid number `{raw}`") })
    }

    fn literal(&mut self, word: &str, value: Value) -> Result<Value, JsonError> {
        if self.bytes[self.at..].starts_with(word.as_bytes()) {
            self.at += word.len();
            Ok(value)
        } else {
            Err(self.error(format!("expected a JSON value, found {}", self.found())))
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn codes(text: &str) -> Vec<&'static str> {
        parse(text).unwrap().repairs.iter().map(|r| r.code).collect()
    }

    #[test]
    fn valid_json_needs_no_repair() {
        let text = r#"{"a": [1, 2.5, -3e2, "x\"y", true, false, null], "b": {}}"#;
        let parsed = parse(text).unwrap();
        assert!(parsed.repairs.is_empty());
        assert_eq!(parsed.value, serde_json::from_str::<Value>(text).unwrap());
    }

    #[test]
    fn trailing_comma_is_removed_and_located() {
        let text = "{\n  \"n\": \"rd54s6\",\n}";
        let parsed = parse(text).unwrap();
        assert_eq!(parsed.value, json!({"n": "rd54s6"}));
        assert_eq!(parsed.repairs.len(), 1);
        assert_eq!(parsed.repairs[0].code, "json-trailing-comma");
        assert_eq!(&text[parsed.repairs[0].offset..][..1], ",");
    }

    #[test]
    fn missing_comma_is_inserted() {
        let text = "{\n \"status\": \"String\"\n \"n\": \"String\"\n}";
        let parsed = parse(text).unwrap();
        assert_eq!(parsed.value, json!({"status": "String", "n": "String"}));
        assert_eq!(codes(text), ["json-missing-comma"]);
        assert_eq!(&text[parsed.repairs[0].offset..][..3], "\"n\"");
        assert_eq!(codes("[1 2]"), ["json-missing-comma"]);
    }

    #[test]
    fn key_order_is_kept() {
        let parsed = parse(r#"{"z": 1, "a": 2, "m": 3}"#).unwrap();
        let keys: Vec<_> = parsed.value.as_object().unwrap().keys().cloned().collect();
        assert_eq!(keys, ["z", "a", "m"]);
    }

    #[test]
    fn other_repairs() {
        assert_eq!(codes("[1,,2]"), ["json-extra-comma"]);
        assert_eq!(codes("{\"a\": [1, 2"), ["json-unclosed", "json-unclosed"]);
        assert_eq!(codes("[1, ...]"), ["json-ellipsis"]);
        assert_eq!(codes("{\"a\": 1, \"a\": 2}"), ["json-duplicate-key"]);
        assert_eq!(codes("{} }"), ["trailing-content"]);
    }

    #[test]
    fn unrepairable_input_is_an_error_with_an_offset() {
        let err = parse("{\"a\" 1}").unwrap_err();
        assert_eq!(err.offset, 5);
        assert!(err.message.contains("expected `:`"), "{}", err.message);
        assert_eq!(parse("{\"a\": \"open").unwrap_err().offset, 6);
        assert!(parse("").is_err());
        assert!(parse("{\"a\": 01x}").is_err());
        assert!(parse("@").is_err());
    }

    #[test]
    fn deep_nesting_is_refused_not_a_stack_overflow() {
        let text = "[".repeat(100_000);
        assert!(parse(&text).unwrap_err().message.contains("nested deeper"));
    }
}
