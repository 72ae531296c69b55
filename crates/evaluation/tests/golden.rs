//! The engine against reference results produced by the reference script
//! (statsmodels / scipy / lifelines), compared with the SPEC §9 tolerance.

mod common;

use std::path::{Path, PathBuf};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn check(name: &str) {
    let dir = fixture(name);
    let results = handoff_evaluation::evaluate_dir(&dir).expect("fixture loads");
    let ours: serde_json::Value =
        serde_json::from_str(&handoff_evaluation::results_json(&results)).unwrap();
    let golden: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("golden.json")).unwrap()).unwrap();
    let diffs = common::compare(&golden, &ours);
    assert!(
        diffs.is_empty(),
        "{} differences from {name}/golden.json:\n{}",
        diffs.len(),
        diffs.join("\n")
    );
}

/// The public dataset (seed 1, small) and the shipped golden.json.
#[test]
fn public_dataset_matches_golden() {
    check("public");
}

/// A dataset generated with `gen_eval.py --seed 7 --scale small`, with the
/// reference output of `reference.py` run on it (see fixtures/README.md).
#[test]
fn generated_seed7_matches_reference() {
    check("seed7");
}

#[test]
fn comparison_walks_every_leaf() {
    let g = serde_json::json!({"a": {"b": 1.0, "c": [1, 2], "iterations": 5}, "d": null});
    let o =
        serde_json::json!({"a": {"b": 1.0 + 2e-6, "c": [1, 3], "iterations": 9}, "d": 0.0, "e": 1});
    let d = common::compare(&g, &o);
    assert_eq!(d.len(), 4, "{d:?}");
}
