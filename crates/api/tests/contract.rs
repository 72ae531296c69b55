//! The API as a contract: `openapi.json` at the root of the repository is
//! the document the code generates (so every change to the API shows up in
//! review), and a change that would break a client of `/api/v1` fails here
//! unless the document's version is raised and CHANGELOG.md lists the
//! change. The baseline is the document of the last released version,
//! `crates/api/contract/<version>.json`.

use serde_json::Value;
use std::collections::BTreeSet;
use std::path::PathBuf;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn generated() -> Value {
    serde_json::to_value(handoff_api::openapi()).unwrap()
}

#[test]
fn the_checked_in_document_is_the_one_the_code_generates() {
    let checked_in: Value =
        serde_json::from_str(&std::fs::read_to_string(root().join("openapi.json")).unwrap())
            .unwrap();
    assert!(
        checked_in == generated(),
        "openapi.json differs from the API the code serves: run \
         `cargo run -p handoff -- openapi > openapi.json` and review the difference"
    );
}

fn version(v: &str) -> (u64, u64, u64) {
    let mut parts = v.split('.').map(|p| p.parse::<u64>().unwrap());
    (
        parts.next().unwrap(),
        parts.next().unwrap_or(0),
        parts.next().unwrap_or(0),
    )
}

/// The released baseline the current document is compared with: the highest
/// version not above the current one.
fn baseline(current: (u64, u64, u64)) -> (String, Value) {
    let mut best: Option<((u64, u64, u64), PathBuf)> = None;
    for entry in std::fs::read_dir(root().join("crates/api/contract")).unwrap() {
        let path = entry.unwrap().path();
        let Some(name) = path.file_stem().and_then(|s| s.to_str()) else {
            continue;
        };
        let v = version(name);
        if v <= current && best.as_ref().is_none_or(|(b, _)| v > *b) {
            best = Some((v, path.clone()));
        }
    }
    let (v, path) = best.expect("a released baseline in crates/api/contract");
    let doc = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    (format!("{}.{}.{}", v.0, v.1, v.2), doc)
}

fn resolve<'a>(doc: &'a Value, v: &'a Value) -> &'a Value {
    match v.get("$ref").and_then(Value::as_str) {
        Some(r) => {
            let target = r
                .trim_start_matches("#/")
                .split('/')
                .fold(doc, |v, key| &v[key]);
            resolve(doc, target)
        }
        None => v,
    }
}

/// What a client relies on, as lines: every operation; every property of a
/// success answer (with its type); every required request property; every
/// enum value.
fn surface(doc: &Value, side: Side) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let at = format!("{} {path}", method.to_uppercase());
            if side == Side::Offered {
                out.insert(at.clone());
            }
            if let Some(params) = op["parameters"].as_array() {
                for p in params {
                    let required = p["required"].as_bool().unwrap_or(false);
                    if (side == Side::Demanded) == required {
                        out.insert(format!("{at} param {} in {}", p["name"], p["in"]));
                    }
                }
            }
            match side {
                Side::Offered => {
                    for (status, r) in op["responses"].as_object().unwrap() {
                        if status.starts_with('2') {
                            let schema = &resolve(doc, r)["content"]["application/json"]["schema"];
                            walk(doc, schema, &format!("{at} {status}"), side, &mut out, 0);
                        }
                    }
                }
                Side::Demanded => {
                    let schema =
                        &resolve(doc, &op["requestBody"])["content"]["application/json"]["schema"];
                    walk(doc, schema, &format!("{at} body"), side, &mut out, 0);
                }
            }
        }
    }
    out
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    /// What the server promises (removing it breaks a client).
    Offered,
    /// What the server demands (adding it breaks a client).
    Demanded,
}

fn walk(doc: &Value, schema: &Value, at: &str, side: Side, out: &mut BTreeSet<String>, depth: u8) {
    if depth > 12 || schema.is_null() {
        return;
    }
    let s = resolve(doc, schema);
    if let Some(values) = s["enum"].as_array()
        && side == Side::Offered
    {
        for v in values {
            out.insert(format!("{at} enum {v}"));
        }
    }
    // The alternatives of a value are all offered at its place: an answer
    // that became "the old shape, or a page" still offers the old shape.
    for key in ["allOf", "oneOf", "anyOf"] {
        if let Some(list) = s[key].as_array() {
            for sub in list {
                walk(doc, sub, at, side, out, depth + 1);
            }
        }
    }
    if let Some(items) = s.get("items") {
        walk(doc, items, &format!("{at}[]"), side, out, depth + 1);
    }
    let required: BTreeSet<&str> = s["required"]
        .as_array()
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    if let Some(props) = s["properties"].as_object() {
        for (name, p) in props {
            let here = format!("{at}.{name}");
            match side {
                Side::Offered => {
                    out.insert(format!("{here}: {}", resolve(doc, p)["type"]));
                }
                Side::Demanded => {
                    if required.contains(name.as_str()) {
                        out.insert(format!("{here} required"));
                    }
                }
            }
            walk(doc, p, &here, side, out, depth + 1);
        }
    }
}

/// The changes from `old` to `new` that would break a client.
fn breaking(old: &Value, new: &Value) -> Vec<String> {
    let mut out = Vec::new();
    let (old_offered, new_offered) = (surface(old, Side::Offered), surface(new, Side::Offered));
    out.extend(
        old_offered
            .difference(&new_offered)
            .map(|l| format!("no longer offered: {l}")),
    );
    // A new operation may demand what it likes; an existing one may not
    // demand more.
    let (old_demanded, new_demanded) = (surface(old, Side::Demanded), surface(new, Side::Demanded));
    let existed = |line: &&String| {
        let mut words = line.split(' ');
        let op = format!(
            "{} {}",
            words.next().unwrap_or(""),
            words.next().unwrap_or("")
        );
        old_offered.contains(&op)
    };
    out.extend(
        new_demanded
            .difference(&old_demanded)
            .filter(existed)
            .map(|l| format!("newly demanded: {l}")),
    );
    out
}

#[test]
fn a_breaking_change_raises_the_version_and_is_listed_in_the_changelog() {
    let doc = generated();
    let current_text = doc["info"]["version"].as_str().unwrap().to_string();
    let current = version(&current_text);
    let (base_version, base) = baseline(current);
    let breaks = breaking(&base, &doc);
    if breaks.is_empty() {
        return;
    }
    let changelog = std::fs::read_to_string(root().join("CHANGELOG.md")).unwrap();
    assert!(
        version(&base_version) < current && changelog.contains(&format!("## API {current_text}")),
        "these changes break clients of /api/v1 {base_version}; raise the document's version \
         (crates/api/src/lib.rs), list them under `## API <version>` in CHANGELOG.md and add \
         the new baseline to crates/api/contract:\n{}",
        breaks.join("\n")
    );
}

#[test]
fn the_check_sees_a_removed_operation_a_removed_field_and_a_new_requirement() {
    let doc = generated();
    assert!(breaking(&doc, &doc).is_empty());
    let mut fewer = doc.clone();
    fewer["paths"]
        .as_object_mut()
        .unwrap()
        .remove("/api/v1/me")
        .unwrap();
    assert!(
        breaking(&doc, &fewer)
            .iter()
            .any(|b| b.contains("GET /api/v1/me"))
    );
    let mut stricter = doc.clone();
    let op = &mut stricter["paths"]["/api/v1/search"]["get"]["parameters"];
    op.as_array_mut().unwrap().push(serde_json::json!({
        "name": "shoe_size", "in": "query", "required": true, "schema": {"type": "string"}
    }));
    assert!(
        breaking(&doc, &stricter)
            .iter()
            .any(|b| b.contains("shoe_size"))
    );
    let mut leaner = doc.clone();
    let schemas = leaner["components"]["schemas"].as_object_mut().unwrap();
    let (name, schema) = schemas
        .iter_mut()
        .find(|(_, s)| s["properties"].as_object().is_some_and(|p| p.len() > 1))
        .unwrap();
    let name = name.clone();
    let first = schema["properties"]
        .as_object()
        .unwrap()
        .keys()
        .next()
        .unwrap()
        .clone();
    schema["properties"].as_object_mut().unwrap().remove(&first);
    let lost = breaking(&doc, &leaner);
    assert!(
        lost.iter().any(|b| b.contains(&format!(".{first}"))),
        "removing {name}.{first} must count as breaking (when an answer uses it): {lost:?}"
    );
}

#[test]
fn every_value_set_is_in_the_document() {
    let doc = generated();
    for (schema, property) in handoff_api::contract::value_set_places() {
        let p = &doc["components"]["schemas"][schema]["properties"][property];
        let values = p["enum"].as_array().or(p["items"]["enum"].as_array());
        assert!(
            values.is_some_and(|v| !v.is_empty()),
            "{schema}.{property} has no enum in the document"
        );
    }
}

#[test]
fn every_operation_documents_the_answers_of_the_layers() {
    let doc = generated();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let responses = op["responses"].as_object().unwrap();
            for status in ["401", "403"] {
                assert!(responses.contains_key(status), "{method} {path}: {status}");
            }
            if op.get("requestBody").is_some() {
                for status in ["413", "415", "422"] {
                    assert!(responses.contains_key(status), "{method} {path}: {status}");
                }
            }
        }
    }
}
