//! Keeps ARCHITECTURE.md and the workspace honest: every crate is on the map,
//! inherits the workspace lints (which forbid `unsafe`), and the domain
//! crate depends on nothing that does I/O.

use std::path::PathBuf;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn crates() -> Vec<(String, String)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(root().join("crates")).unwrap() {
        let dir = entry.unwrap().path();
        let manifest = dir.join("Cargo.toml");
        if manifest.is_file() {
            let name = dir.file_name().unwrap().to_string_lossy().to_string();
            out.push((name, std::fs::read_to_string(manifest).unwrap()));
        }
    }
    out.sort();
    out
}

#[test]
fn every_crate_is_on_the_architecture_map() {
    let map = std::fs::read_to_string(root().join("ARCHITECTURE.md")).unwrap();
    for (name, _) in crates() {
        assert!(
            map.contains(&format!("`crates/{name}`")),
            "crates/{name} is missing from ARCHITECTURE.md's code map"
        );
    }
}

#[test]
fn every_crate_inherits_the_workspace_lints() {
    let workspace = std::fs::read_to_string(root().join("Cargo.toml")).unwrap();
    assert!(workspace.contains("unsafe_code = \"forbid\""));
    for (name, manifest) in crates() {
        assert!(
            manifest.contains("[lints]\nworkspace = true"),
            "crates/{name} must inherit [workspace.lints]"
        );
    }
}

#[test]
fn the_domain_crate_does_no_io() {
    let (_, manifest) = crates().into_iter().find(|(n, _)| n == "domain").unwrap();
    for io in ["sqlx", "tokio", "axum", "reqwest", "hyper", "std-fs"] {
        assert!(
            !manifest.contains(io),
            "handoff-domain must not depend on {io}"
        );
    }
}
