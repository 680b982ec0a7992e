//! Which parts of a response a snapshot records and which of them are volatile. The defaults
//! for Microsoft Graph are data (`graph.toml`, embedded); a case adds its own volatile
//! pointers.

use serde::Deserialize;

/// The embedded defaults for Microsoft Graph.
const GRAPH: &str = include_str!("graph.toml");

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rules {
    /// Response headers recorded (lower case).
    pub headers: Vec<String>,
    /// Recorded headers kept only as tokens.
    pub volatile_headers: Vec<String>,
    /// Body pointer patterns whose values are kept only as tokens.
    pub volatile: Vec<String>,
    /// Arrays of which only the items mentioning this case's own values are recorded.
    pub owned: Vec<String>,
    /// OData URLs (`@odata.context`) whose service root, the part before `/$metadata`, is
    /// recorded as `[service-root]`: it names where the target was reached (a gateway, a copy
    /// of the docs' `https://graph.microsoft.com/beta`), not what it answered.
    #[serde(default)]
    pub service_root: Vec<String>,
    /// GUIDs anywhere in a string are tokens.
    pub uuids: bool,
    /// Whole-string ISO 8601 date-times are tokens.
    pub datetimes: bool,
}

impl Rules {
    /// The defaults for Microsoft Graph.
    pub fn graph() -> Rules {
        // The file is part of the binary and a unit test parses it, so this cannot fail at run
        // time; fall back to recording everything verbatim rather than panic regardless.
        toml::from_str(GRAPH).unwrap_or_else(|_| Rules::verbatim())
    }

    /// Records every header and body value as it is.
    pub fn verbatim() -> Rules {
        Rules {
            headers: Vec::new(),
            volatile_headers: Vec::new(),
            volatile: Vec::new(),
            owned: Vec::new(),
            service_root: Vec::new(),
            uuids: false,
            datetimes: false,
        }
    }

    pub fn records_header(&self, name: &str) -> bool {
        self.headers.iter().any(|h| h.eq_ignore_ascii_case(name))
    }

    pub fn header_is_volatile(&self, name: &str, case_volatile: &[String]) -> bool {
        self.volatile_headers.iter().any(|h| h.eq_ignore_ascii_case(name))
            || case_volatile.iter().any(|v| {
                v.strip_prefix("header:").is_some_and(|h| h.trim().eq_ignore_ascii_case(name))
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn graph_defaults_parse() {
        let rules: Rules = toml::from_str(GRAPH).unwrap();
        assert!(rules.records_header("Content-Type"));
        assert!(rules.header_is_volatile("Request-Id", &[]));
        assert!(rules.volatile.iter().any(|v| v == "/**/kid"));
    }

    #[test]
    fn case_headers_add_to_defaults() {
        let rules = Rules::graph();
        assert!(rules.header_is_volatile("x-ms-trace", &["header:X-MS-Trace".into()]));
        assert!(!rules.header_is_volatile("x-ms-trace", &["/x-ms-trace".into()]));
    }
}
