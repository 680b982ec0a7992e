//! What a user sees on the console when a run fails, snapshot-tested through the real binary
//! (insta; the run's volatile parts — loopback ports, timings, the run's id — are redacted).
//! These snapshots were taken before the stages were reshaped (issue 13) and pin the console
//! output byte for byte, so a refactor of the runner or the reporters cannot change it
//! unnoticed.

#![allow(clippy::unwrap_used)]

mod common;

use std::process::Command;

/// Runs the binary in the repository, the doc contract only, one thread so that libtest's
/// lines come in a fixed order, no colour.
fn console(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_exemplar"))
        .args(["run", "--checks", "contract", "--test-threads", "1", "--color", "never"])
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("CI")
        .env_remove("GITHUB_ACTIONS")
        .output()
        .unwrap();
    redact(&common::output_text(&out))
}

/// Replaces what differs from one run to the next.
fn redact(text: &str) -> String {
    let rules = [
        (r"127\.0\.0\.1:\d+", "127.0.0.1:[port]"),
        (r"\(\d+ ms\)", "([n] ms)"),
        (r"finished in \d+\.\d+s", "finished in [t]s"),
        (r" in \d+\.\d+s: ", " in [t]s: "),
        (r"exemplar_[0-9a-f]{8}(\d{4})", "exemplar_[run]$1"),
        (r"exemplar-test-[0-9a-f]{8}(\d{4})", "exemplar-test-[run]$1"),
        // The mock derives a secret key's id from its generated value.
        (r#""kid": "[A-Za-z0-9_-]{43}""#, r#""kid": "[kid]""#),
    ];
    common::redact(text, &rules)
}

#[test]
fn console_of_a_run_with_deviations() {
    let text = console(&["--mock-deviate", "wrong-type", "trustframeworkkeyset-uploadsecret"]);
    insta::assert_snapshot!(text);
}

/// Issue 15: long values that did not change are collapsed, a type the docs give without an
/// example shows as `<integer>` (not as the string `"<integer>"`), types are named one way.
#[test]
fn console_of_a_wrong_type_run_collapses_long_unchanged_values() {
    let text = console(&["--mock-deviate", "wrong-type", "trustframeworkkeyset-getactivekey"]);
    assert!(text.contains("\"MIIDST…(1,128 chars, unchanged)\""), "{text}");
    assert!(text.contains("-  \"nbf\": <integer>,"), "{text}");
    insta::assert_snapshot!(text);
}

/// Issue 15: where the docs show a placeholder for a secret member (`"k": "k-value"`), the
/// expected side shows it, not `[redacted]`; what the target sent stays redacted.
#[test]
fn console_shows_the_documented_placeholder_of_a_secret_member() {
    let text = console(&[
        "--mock-deviate",
        "wrong-type",
        "--exact",
        "docs::graph::beta::api::trustframework-post-keysets::create_trustframeworkkeyset_from_trustframework",
    ]);
    assert!(text.contains("-      \"k\": \"k-value\","), "{text}");
    assert!(!text.contains("-      \"k\": \"[redacted]\""), "{text}");
    insta::assert_snapshot!(text);
}

#[test]
fn console_of_a_run_that_could_not_reach_its_target() {
    let text = console(&["--target", "http://127.0.0.1:1", "trustframeworkkeyset-uploadsecret"]);
    insta::assert_snapshot!(text);
}

#[test]
fn console_of_a_run_with_a_broken_case_file() {
    let dir = std::env::temp_dir().join(format!("exemplar-console-bad-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("x")).unwrap();
    std::fs::write(dir.join("x/y.json"), "{\n  \"id\": \"x::y\",\n  \"unknownField\": 1\n}\n")
        .unwrap();
    let text = console(&["--cases", dir.to_str().unwrap()]);
    let text = text.replace(&dir.display().to_string(), "[cases]");
    let _ = std::fs::remove_dir_all(&dir);
    insta::assert_snapshot!(text);
}
