//! The API keeps its document: schemathesis (pinned in
//! `tests/contract/requirements.txt`, installed by `scripts/test.sh` into
//! `tests/contract/.venv`) runs against the real binary, signed in as a case
//! manager, an officer and an admin, on SQLite and on PostgreSQL, with every
//! check on except the few `tests/contract/schemathesis.toml` names with
//! their reasons. Any 5xx, answer outside the document, undocumented status,
//! schema-valid request refused or schema-breaking request accepted fails.

mod common;

use common::*;
use std::path::PathBuf;
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn schemathesis() -> PathBuf {
    let st = root().join("tests/contract/.venv/bin/st");
    assert!(
        st.is_file(),
        "schemathesis is not installed: run `bash scripts/test.sh`, or \
         `python3 -m venv tests/contract/.venv && tests/contract/.venv/bin/pip install -r tests/contract/requirements.txt`"
    );
    st
}

/// Signs in; the session cookie's value and the CSRF token.
async fn sign_in(base: &str, email: &str) -> (String, String) {
    let r = reqwest::Client::new()
        .post(format!("{base}/api/v1/session"))
        .json(&serde_json::json!({"email": email, "password": "demo-password"}))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{email}: {}", r.status());
    let cookie = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|c| c.strip_prefix("handoff_session="))
        .and_then(|c| c.split(';').next())
        .expect("a session cookie")
        .to_string();
    let body: serde_json::Value = r.json().await.unwrap();
    (cookie, body["csrf_token"].as_str().unwrap().to_string())
}

async fn conforms(db: String, backend: &str) {
    let st = schemathesis();
    let server = Server::start(&db).await;
    let mut failures = Vec::new();
    for role in ["casemanager", "officer", "admin"] {
        let (session, csrf) = sign_in(&server.base, &format!("{role}@demo.test")).await;
        let out = Command::new(&st)
            .arg("--config-file")
            .arg(root().join("tests/contract/schemathesis.toml"))
            .arg("--no-color")
            .args(["run", &format!("{}/api/v1/openapi.json", server.base)])
            .args(["--phases", "examples,coverage,fuzzing"])
            .args(["--max-examples", "10", "--workers", "2", "--seed", "1"])
            // Signing out (one session or all) would end the run's session.
            .args(["--exclude-path", "/api/v1/session"])
            .args(["--exclude-path", "/api/v1/sessions"])
            .env("HANDOFF_SESSION", &session)
            .env("HANDOFF_CSRF", &csrf)
            .output()
            .expect("run schemathesis");
        let text = String::from_utf8_lossy(&out.stdout).to_string();
        let summary: Vec<&str> = text
            .lines()
            .skip_while(|l| !l.contains("SUMMARY"))
            .collect();
        eprintln!("schemathesis, {backend}, {role}:\n{}", summary.join("\n"));
        if !out.status.success() {
            failures.push(format!(
                "--- {role} ---\n{text}\n{}",
                String::from_utf8_lossy(&out.stderr)
            ));
        }
    }
    server.kill();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_api_keeps_its_document_on_sqlite() {
    conforms(handoff_store::testing::fresh_sqlite_url(), "SQLite").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_api_keeps_its_document_on_postgres() {
    let db = handoff_store::testing::fresh_postgres_url().await.unwrap();
    conforms(db, "PostgreSQL").await;
}
