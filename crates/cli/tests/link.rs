//! `handoff link` / `handoff dedupe` through the built binary.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../linkage/tests/fixtures")
        .join(name)
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("handoff-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn handoff(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_handoff"))
        .args(args)
        .output()
        .unwrap()
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn rows(p: &Path) -> Vec<Vec<String>> {
    let mut r = csv::Reader::from_path(p).unwrap();
    let header: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    std::iter::once(header)
        .chain(
            r.records()
                .map(|x| x.unwrap().iter().map(String::from).collect()),
        )
        .collect()
}

#[test]
fn link_writes_pairs_with_explanations_and_a_reusable_model() {
    let dir = scratch("link");
    let (out, model, again) = (
        dir.join("pairs.csv"),
        dir.join("model.json"),
        dir.join("again.csv"),
    );
    let a = fixture("febrl4_a.csv");
    let b = fixture("febrl4_b.csv");
    let link_ab = ["link", "--left", s(&a), "--right", s(&b)];
    let o = handoff(
        &[
            &link_ab[..],
            &["--out", s(&out), "--save-model", s(&model), "--explain"],
        ]
        .concat(),
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        stderr.contains("candidate pairs") && stderr.contains("peak memory"),
        "{stderr}"
    );
    let r = rows(&out);
    assert_eq!(
        r[0],
        [
            "left_id",
            "right_id",
            "match_weight",
            "match_probability",
            "explanation"
        ]
    );
    assert!(r.len() > 240, "{} pairs", r.len() - 1);
    for row in &r[1..] {
        let p: f64 = row[3].parse().unwrap();
        assert!((0.5..=1.0).contains(&p));
        let e: serde_json::Value = serde_json::from_str(&row[4]).unwrap();
        assert!(
            e["fields"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f["column"] == "first_name")
        );
    }
    // Scoring with the saved model gives the same pairs.
    let o = handoff(
        &[
            &link_ab[..],
            &["--out", s(&again), "--model", s(&model), "-q"],
        ]
        .concat(),
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let first: Vec<Vec<String>> = r.iter().map(|x| x[..4].to_vec()).collect();
    assert_eq!(rows(&again), first);
}

#[test]
fn dedupe_writes_ordered_pairs_and_clusters() {
    let dir = scratch("dedupe");
    let (out, clusters) = (dir.join("pairs.csv"), dir.join("clusters.csv"));
    let input = fixture("febrl3.csv");
    let o = handoff(&[
        "dedupe",
        "--input",
        s(&input),
        "--out",
        s(&out),
        "--clusters",
        s(&clusters),
        "-q",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let pairs = rows(&out);
    assert!(pairs.len() > 100);
    assert!(pairs[1..].iter().all(|p| p[0] < p[1]));
    let c = rows(&clusters);
    assert_eq!(c[0], ["id", "cluster_id"]);
    assert_eq!(c.len() - 1, rows(&input).len() - 1);
    let distinct: std::collections::HashSet<&String> = c[1..].iter().map(|x| &x[1]).collect();
    assert!(distinct.len() < c.len() - 1);
}

fn assert_bad_input(dir: &Path, input: &Path, expect: &[&str]) {
    let out = dir.join("pairs.csv");
    let o = handoff(&[
        "dedupe",
        "--input",
        s(input),
        "--out",
        s(&out),
        "--clusters",
        s(&dir.join("c.csv")),
    ]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    for e in expect {
        assert!(stderr.contains(e), "`{e}` not in: {stderr}");
    }
    let left: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert!(
        !out.exists() && !left.iter().any(|n| n.to_string_lossy().ends_with(".tmp")),
        "{left:?}"
    );
}

#[test]
fn bad_input_exits_2_naming_file_line_and_column() {
    let dir = scratch("bad");
    let write = |name: &str, bytes: &[u8]| {
        let p = dir.join(name);
        std::fs::write(&p, bytes).unwrap();
        p
    };
    let head = "id,first_name,last_name,dob\n";
    assert_bad_input(&dir, &dir.join("absent.csv"), &["absent.csv"]);
    assert_bad_input(
        &dir,
        &write("empty.csv", b""),
        &["empty.csv", "line 1", "empty"],
    );
    assert_bad_input(
        &dir,
        &write("no_id.csv", b"first_name,last_name\nA,B\n"),
        &["no_id.csv", "line 1", "`id`"],
    );
    let dup = format!("{head}1,ANN,LEE,1990-01-01\n1,BO,LI,1991-01-01\n");
    assert_bad_input(
        &dir,
        &write("dup.csv", dup.as_bytes()),
        &["dup.csv", "line 3", "column `id`", "duplicate"],
    );
    let ragged = format!("{head}1,ANN,LEE,1990-01-01\n2,BO\n");
    assert_bad_input(
        &dir,
        &write("ragged.csv", ragged.as_bytes()),
        &["ragged.csv", "line 3", "column 3"],
    );
    let mut bad = format!("{head}1,ANN,LEE,1990-01-01\n2,BO,L").into_bytes();
    bad.extend_from_slice(&[0xc3, 0x28]);
    bad.extend_from_slice(b",1991-01-01\n");
    assert_bad_input(
        &dir,
        &write("utf8.csv", &bad),
        &["utf8.csv", "line 3", "column `last_name`", "UTF-8"],
    );
}

#[test]
fn threshold_out_of_range_is_refused() {
    let dir = scratch("threshold");
    let o = handoff(&[
        "dedupe",
        "--input",
        s(&fixture("febrl3.csv")),
        "--out",
        s(&dir.join("p.csv")),
        "--threshold",
        "1.5",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(!dir.join("p.csv").exists());
}
