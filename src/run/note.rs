//! Notes: what a reader should know about how a case ran that is neither a deviation nor an
//! error — a wait the target asked for that exemplar did not make, a proxy between exemplar
//! and a target that did not answer. The run records them as data where it learns them; the
//! reporters phrase them (`report::phrase::note`). They are part of the report's format
//! (format 2, `notes` of a case), tagged by `kind`.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
pub enum Note {
    /// A 429 or 503 asked with `Retry-After` for a longer wait than exemplar makes, so it was
    /// not waited for and not retried: the status that was checked is the target's answer.
    #[serde(rename_all = "camelCase")]
    RetryAfterNotWaited {
        /// The exchange, by its index in the case's `exchanges` (from 0).
        exchange: u32,
        /// The wait `Retry-After` asked for, in milliseconds.
        asked_ms: u64,
        /// The longest wait exemplar makes, in milliseconds.
        max_wait_ms: u64,
    },
    /// The case could not run and a request got no answer, and every request went through
    /// this proxy (`--proxy`; a password in it redacted): the proxy may be what failed.
    Proxy { proxy: String },
}

/// `url` as a note shows it: a password in it redacted (`http://me:[redacted]@proxy:3128`).
pub fn without_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else { return url.to_string() };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let Some((userinfo, host)) = rest[..end].rsplit_once('@') else { return url.to_string() };
    let Some((user, _)) = userinfo.split_once(':') else { return url.to_string() };
    format!("{scheme}://{user}:{}@{host}{}", crate::redact::REDACTED, &rest[end..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_proxy_password_is_not_repeated() {
        assert_eq!(
            without_password("http://me:secret@proxy.example:3128"),
            "http://me:[redacted]@proxy.example:3128"
        );
        assert_eq!(without_password("http://me@proxy.example/x"), "http://me@proxy.example/x");
        assert_eq!(without_password("http://127.0.0.1:3128"), "http://127.0.0.1:3128");
    }

    #[test]
    fn notes_are_tagged_by_kind_with_camel_case_fields() {
        let note =
            Note::RetryAfterNotWaited { exchange: 1, asked_ms: 3_600_000, max_wait_ms: 60_000 };
        assert_eq!(
            serde_json::to_value(&note).unwrap_or_default(),
            serde_json::json!({"kind": "retry-after-not-waited", "exchange": 1, "askedMs": 3_600_000, "maxWaitMs": 60_000})
        );
    }
}
