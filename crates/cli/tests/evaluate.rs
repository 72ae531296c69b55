//! The `handoff evaluate` command line: results file, report, exit code on bad input.

use std::path::{Path, PathBuf};
use std::process::Command;

fn public() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../evaluation/tests/fixtures/public")
}

fn scratch(case: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("handoff-cli-eval-{}-{case}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn writes_results_and_report() {
    let out = scratch("ok");
    let status = Command::new(env!("CARGO_BIN_EXE_handoff"))
        .args(["evaluate", "--data"])
        .arg(public())
        .arg("--out")
        .arg(out.join("results.json"))
        .arg("--report")
        .arg(out.join("report.html"))
        .status()
        .unwrap();
    assert!(status.success());
    let json = std::fs::read_to_string(out.join("results.json")).unwrap();
    assert!(json.contains("\"recidivism_6m\""));
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("<svg"));
    let _ = std::fs::remove_dir_all(&out);
}

#[test]
fn bad_input_exits_2_and_writes_nothing() {
    let data = scratch("bad-data");
    for f in [
        "participants.csv",
        "monthly.csv",
        "unit_costs.csv",
        "eligible_arrests.csv",
        "study.csv",
    ] {
        std::fs::copy(public().join(f), data.join(f)).unwrap();
    }
    let events = std::fs::read_to_string(public().join("events.csv"))
        .unwrap()
        .replacen("2008-12-04", "2008-12-4", 1);
    std::fs::write(data.join("events.csv"), events).unwrap();
    let out = scratch("bad-out").join("results.json");
    let output = Command::new(env!("CARGO_BIN_EXE_handoff"))
        .args(["evaluate", "--data"])
        .arg(&data)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("events.csv, line 2, column date"),
        "{stderr}"
    );
    assert!(!out.exists());
    let _ = std::fs::remove_dir_all(&data);
}
