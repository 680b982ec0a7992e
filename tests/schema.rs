//! The JSON Schemas of the case and type formats: the committed copies in `cases/` are exactly
//! what `exemplar schema` prints (so they cannot drift from the reader), and every committed
//! case and type file validates against them.

// `clippy.toml` allows unwrap in `#[test]` functions only; the helpers here are test code too.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{Value, json};

const CASES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/cases");

fn schema_output(name: &str) -> String {
    let output =
        Command::new(env!("CARGO_BIN_EXE_exemplar")).args(["schema", name]).output().unwrap();
    assert!(output.status.success(), "exemplar schema {name}: {output:?}");
    String::from_utf8(output.stdout).unwrap()
}

fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn validator(name: &str) -> jsonschema::Validator {
    let schema = read_json(&Path::new(CASES).join(format!("{name}.schema.json")));
    jsonschema::validator_for(&schema).unwrap_or_else(|e| panic!("{name}.schema.json: {e}"))
}

/// Every file under `dir`, sorted.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(files(&path));
        } else {
            out.push(path);
        }
    }
    out.sort();
    out
}

fn is_schema(p: &Path) -> bool {
    p.to_string_lossy().ends_with(".schema.json")
}

fn is_type(p: &Path) -> bool {
    p.to_string_lossy().ends_with(".type.json")
}

/// Validates every case and type file under `dir`; returns how many of each were checked.
fn validate_dir(dir: &Path) -> (usize, usize) {
    let (case_schema, type_schema) = (validator("case"), validator("type"));
    let fixtures_schema = validator("fixtures");
    let behaviour_schema = validator("behaviour");
    let (mut cases, mut types) = (0, 0);
    for path in files(dir) {
        let name = path.to_string_lossy();
        if !name.ends_with(".json") || is_schema(&path) {
            continue;
        }
        let data_schema = match path.file_name().and_then(|n| n.to_str()) {
            Some("fixtures.json") => Some(&fixtures_schema),
            Some("behaviour.json") => Some(&behaviour_schema),
            _ => None,
        };
        if let Some(data_schema) = data_schema {
            let value = read_json(&path);
            let errors: Vec<String> =
                data_schema.iter_errors(&value).map(|e| e.to_string()).collect();
            assert!(errors.is_empty(), "{name} does not match its schema:\n{}", errors.join("\n"));
            continue;
        }
        let (schema, count) =
            if is_type(&path) { (&type_schema, &mut types) } else { (&case_schema, &mut cases) };
        let value = read_json(&path);
        let errors: Vec<String> = schema.iter_errors(&value).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{name} does not match its schema:\n{}", errors.join("\n"));
        *count += 1;
    }
    (cases, types)
}

#[test]
fn committed_schemas_are_what_exemplar_prints() {
    for name in ["case", "type", "fixtures", "report", "behaviour"] {
        let committed =
            std::fs::read_to_string(Path::new(CASES).join(format!("{name}.schema.json"))).unwrap();
        assert!(
            committed == schema_output(name),
            "cases/{name}.schema.json is out of date: run `exemplar schema {name} > cases/{name}.schema.json`"
        );
    }
}

#[test]
fn every_committed_case_and_type_file_validates() {
    let (cases, types) = validate_dir(Path::new(CASES));
    // The committed set: at least the examples and types of the trustFramework pages.
    assert!(cases >= 19, "only {cases} case files found under cases/");
    assert!(types >= 4, "only {types} type files found under cases/");
}

#[test]
fn extracted_fixture_cases_validate() {
    let scratch = tempfile::Builder::new().prefix("exemplar-schema-").tempdir().unwrap();
    let out = scratch.path().join("cases");
    let docs = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/docs");
    let output = Command::new(env!("CARGO_BIN_EXE_exemplar"))
        .args(["extract", docs, "--out"])
        .arg(&out)
        .current_dir(scratch.path())
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let counted = validate_dir(&out);
    assert_eq!(counted, (12, 1));
}

/// The schemas reject what the reader rejects, so a passing validation means something.
#[test]
fn schemas_reject_unknown_and_missing_fields() {
    let case = validator("case");
    let minimal =
        json!({"format": 1, "id": "a::b", "request": {"method": "GET", "url": "https://h/x"}});
    assert!(case.is_valid(&minimal));
    let mut typo = minimal.clone();
    typo["tgas"] = json!(["x"]);
    assert!(!case.is_valid(&typo), "unknown top-level field accepted");
    let mut nested = minimal.clone();
    nested["request"]["bdoy"] = json!({});
    assert!(!case.is_valid(&nested), "unknown request field accepted");
    assert!(!case.is_valid(&json!({"format": 1, "id": "a::b"})), "missing request accepted");
    let mut status = minimal;
    status["response"] = json!({"status": "200"});
    assert!(!case.is_valid(&status), "string status accepted");

    let types = validator("type");
    let t = json!({"format": 1, "type": "microsoft.graph.x", "source": {"doc": "d", "line": 1},
        "properties": {"id": {"type": "string"}}});
    assert!(types.is_valid(&t));
    let mut bad = t;
    bad["properties"]["id"]["type"] = json!("text");
    assert!(!types.is_valid(&bad), "unknown JSON type accepted");
}
