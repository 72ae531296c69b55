//! The engine against reference results produced by the reference script
//! (statsmodels / scipy / lifelines), compared with the SPEC §9 tolerance.

mod common;

use std::path::{Path, PathBuf};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn load(name: &str) -> (serde_json::Value, serde_json::Value) {
    let dir = fixture(name);
    let results = handoff_evaluation::evaluate_dir(&dir).expect("fixture loads");
    let ours: serde_json::Value =
        serde_json::from_str(&handoff_evaluation::results_json(&results)).unwrap();
    let golden: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("golden.json")).unwrap()).unwrap();
    (golden, ours)
}

fn check(name: &str) {
    let (golden, ours) = load(name);
    // analysis 8 must be present in the reference, and every one of its
    // numbers compared (SPEC §11.7: 212 real numbers besides the counts)
    let (count, max_abs, max_rel) = common::deviations(&golden["ipw"], &ours["ipw"]);
    println!(
        "{name}: ipw: {count} real numbers, max abs deviation {max_abs:e}, max rel {max_rel:e}"
    );
    assert!(count >= 212, "{name}: only {count} ipw numbers compared");
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

/// A results document without analysis 8, or with a key of it missing or
/// null, fails the comparison: the `ipw` section cannot be skipped silently.
#[test]
fn missing_ipw_values_fail_the_comparison() {
    let (golden, ours) = load("public");
    let mut without = ours.clone();
    without.as_object_mut().unwrap().remove("ipw");
    assert_eq!(common::compare(&golden, &without), vec![".ipw: missing"]);
    let mut null = ours.clone();
    null["ipw"] = serde_json::Value::Null;
    assert_eq!(common::compare(&golden, &null).len(), 1);
    let mut partial = ours.clone();
    partial["ipw"]["balance"]["smd_after"]
        .as_object_mut()
        .unwrap()
        .remove("male");
    partial["ipw"]["felony_followup"]["unweighted"]["group_lead"]["or"] = 0.0.into();
    let d = common::compare(&golden, &partial);
    assert_eq!(d.len(), 2, "{d:?}");
    assert!(
        d[0].starts_with(".ipw.balance.smd_after.male: missing"),
        "{d:?}"
    );
}

#[test]
fn comparison_walks_every_leaf() {
    let g = serde_json::json!({"a": {"b": 1.0, "c": [1, 2], "iterations": 5}, "d": null});
    let o =
        serde_json::json!({"a": {"b": 1.0 + 2e-6, "c": [1, 3], "iterations": 9}, "d": 0.0, "e": 1});
    let d = common::compare(&g, &o);
    assert_eq!(d.len(), 4, "{d:?}");
}
