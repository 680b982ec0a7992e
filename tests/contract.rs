//! The committed cases against the reference mock, as a libtest-compatible suite: `cargo test`
//! runs them, `cargo test --test contract -- FILTER` selects, and `cargo nextest run` lists
//! and runs them one by one. Each response is also compared with the committed `reference`
//! snapshot, so a change in the mock's behaviour fails here until its snapshots are reviewed
//! (`cargo insta review`); with `CI=true` nothing is written.

fn main() -> std::process::ExitCode {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    exemplar::cli::contract_test_main(root.join("cases"), root.join("snapshots"))
}
