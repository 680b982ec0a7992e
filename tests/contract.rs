//! The committed cases against the reference mock, as a libtest-compatible suite: `cargo test`
//! runs them, `cargo test --test contract -- FILTER` selects, and `cargo nextest run` lists
//! and runs them one by one.

fn main() -> std::process::ExitCode {
    let cases = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("cases");
    exemplar::run::harness::contract_test_main(cases)
}
