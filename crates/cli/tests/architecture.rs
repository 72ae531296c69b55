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

/// The crates a crate depends on (its `handoff-*` dependencies).
fn handoff_deps(manifest: &str) -> Vec<String> {
    let deps = manifest
        .split("[dependencies]")
        .nth(1)
        .unwrap_or("")
        .split("\n[")
        .next()
        .unwrap_or("");
    deps.lines()
        .filter_map(|l| l.trim().strip_prefix("handoff-"))
        .filter_map(|l| l.split([' ', '=']).next())
        .map(str::to_string)
        .collect()
}

/// The layers, lowest first: a crate may depend only on crates of lower
/// layers (crates in one layer are siblings and never depend on each
/// other). The engines (linkage, stats, evaluation, justice) and the CLI are
/// outside the layering.
const LAYERS: &[&[&str]] = &[
    &["domain"],
    &["audit", "figures"],
    &["db"],
    &["audit-log"],
    &["store"],
    &["services"],
    &["governance", "evidence", "network"],
    &["exchange", "seed"],
    &["http"],
    &["pages", "pages-supervisor", "api"],
    &["web"],
];

fn layer_of(name: &str) -> Option<usize> {
    LAYERS.iter().position(|l| l.contains(&name))
}

#[test]
fn dependencies_point_one_way() {
    for (name, manifest) in crates() {
        let Some(mine) = layer_of(&name) else {
            continue;
        };
        for dep in handoff_deps(&manifest) {
            if let Some(theirs) = layer_of(&dep) {
                assert!(
                    theirs < mine,
                    "crates/{name} must not depend on handoff-{dep}: dependencies point one way"
                );
            }
        }
    }
}

#[test]
fn the_services_speak_no_http_and_write_no_html() {
    for name in ["services", "governance", "network", "exchange", "seed"] {
        let (_, manifest) = crates().into_iter().find(|(n, _)| n == name).unwrap();
        for dep in ["axum", "maud", "tower", "hyper"] {
            assert!(
                !manifest.lines().any(|l| l.starts_with(dep)),
                "handoff-{name} must not depend on {dep}"
            );
        }
    }
}
