//! Fault tests of the real binary: nothing acknowledged is lost.
//!
//! - `kill -9` under concurrent writes, then a restart: every referral the
//!   server acknowledged (201) is there, and `handoff audit verify` passes.
//! - A backup taken while writes go on (`handoff backup` on SQLite, the
//!   documented `pg_dump` on PostgreSQL), restored into a new database: the
//!   chain verifies, and every referral acknowledged before the backup began
//!   is in it.
//!
//! Both on SQLite and on PostgreSQL.

mod common;

use common::*;
use serde_json::{Value, json};
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

/// A signed-in officer: a cookie jar and the session's CSRF token.
struct Officer {
    client: reqwest::Client,
    csrf: String,
    base: String,
}

impl Officer {
    async fn sign_in(base: &str) -> Officer {
        let client = reqwest::Client::builder()
            .cookie_store(true)
            .build()
            .unwrap();
        let r = client
            .post(format!("{base}/api/v1/session"))
            .json(&json!({"email": "officer@demo.test", "password": "demo-password"}))
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success(), "sign in: {}", r.status());
        let body: Value = r.json().await.unwrap();
        Officer {
            client,
            csrf: body["csrf_token"].as_str().unwrap().to_string(),
            base: base.to_string(),
        }
    }

    /// Files a referral; its id when the server acknowledged it.
    async fn refer(&self, n: usize) -> Option<String> {
        let occurred = time::OffsetDateTime::now_utc() - time::Duration::hours(1);
        let body = json!({
            "door": "arrest_diversion",
            "person": {"first_name": "Fault", "last_name": format!("Writer{n}"), "dob": "1985-06-01", "sex": "M", "race": "White"},
            "incident_number": format!("F-{n:06}"),
            "offenses": [{"category": "drug_possession", "substance": "opioid", "quantity_grams": 1.0}],
            "occurred_at": occurred.format(&time::format_description::well_known::Rfc3339).unwrap(),
            "location": {"address": "3rd Ave & Pine St"}
        });
        let r = self
            .client
            .post(format!("{}/api/v1/referrals", self.base))
            .header("X-CSRF-Token", &self.csrf)
            .json(&body)
            .timeout(Duration::from_secs(30))
            .send()
            .await
            .ok()?;
        if r.status() != reqwest::StatusCode::CREATED {
            return None;
        }
        let v: Value = r.json().await.ok()?;
        v["id"].as_str().map(str::to_string)
    }

    async fn can_read(&self, id: &str) -> bool {
        self.client
            .get(format!("{}/api/v1/referrals/{id}", self.base))
            .send()
            .await
            .is_ok_and(|r| r.status().is_success())
    }
}

/// Writers filing referrals until `stop`; the acknowledged ids, in order.
fn writers(
    officer: Arc<Officer>,
    n: usize,
    stop: Arc<AtomicBool>,
    acked: Arc<Mutex<Vec<String>>>,
) -> Vec<tokio::task::JoinHandle<()>> {
    (0..n)
        .map(|w| {
            let (officer, stop, acked) = (officer.clone(), stop.clone(), acked.clone());
            tokio::spawn(async move {
                let mut i = 0;
                while !stop.load(Ordering::SeqCst) {
                    if let Some(id) = officer.refer(w * 100_000 + i).await {
                        acked.lock().await.push(id);
                    }
                    i += 1;
                }
            })
        })
        .collect()
}

async fn wait_for(acked: &Mutex<Vec<String>>, n: usize) {
    let started = Instant::now();
    while acked.lock().await.len() < n {
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "writes too slow"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn audit_verifies(db: &str) {
    let out = ok(&handoff(db, &["audit", "verify"], None));
    assert!(out.contains("audit log intact"), "{out}");
}

async fn killed_under_writes(db: String) {
    let server = Server::start(&db).await;
    let officer = Arc::new(Officer::sign_in(&server.base).await);
    let stop = Arc::new(AtomicBool::new(false));
    let acked = Arc::new(Mutex::new(Vec::new()));
    let tasks = writers(officer, 6, stop.clone(), acked.clone());
    wait_for(&acked, 60).await;
    server.kill();
    stop.store(true, Ordering::SeqCst);
    for t in tasks {
        let _ = t.await;
    }
    let acked = acked.lock().await.clone();

    let server = Server::start(&db).await;
    let officer = Officer::sign_in(&server.base).await;
    let mut missing = Vec::new();
    for id in &acked {
        if !officer.can_read(id).await {
            missing.push(id.clone());
        }
    }
    server.kill();
    assert!(
        missing.is_empty(),
        "{} of {} acknowledged referrals lost: {missing:?}",
        missing.len(),
        acked.len()
    );
    eprintln!(
        "kill -9 under writes: {} acknowledged, {} found",
        acked.len(),
        acked.len() - missing.len()
    );
    audit_verifies(&db);
}

/// Takes a backup of `db` into a new database while writes go on; returns
/// the restored database's URL and the referrals acknowledged before the
/// backup began.
async fn backup_under_writes(db: &str, backup: impl FnOnce() -> String) -> (String, Vec<String>) {
    let server = Server::start(db).await;
    let officer = Arc::new(Officer::sign_in(&server.base).await);
    let stop = Arc::new(AtomicBool::new(false));
    let acked = Arc::new(Mutex::new(Vec::new()));
    let tasks = writers(officer, 4, stop.clone(), acked.clone());
    wait_for(&acked, 30).await;
    let before = acked.lock().await.clone();
    let restored = tokio::task::block_in_place(backup);
    wait_for(&acked, before.len() + 10).await;
    stop.store(true, Ordering::SeqCst);
    for t in tasks {
        let _ = t.await;
    }
    server.kill();
    (restored, before)
}

async fn restored_holds(restored: &str, before: &[String]) {
    audit_verifies(restored);
    let server = Server::start(restored).await;
    let officer = Officer::sign_in(&server.base).await;
    for id in before {
        assert!(
            officer.can_read(id).await,
            "referral {id} acknowledged before the backup is missing from it"
        );
    }
    server.kill();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn kill_9_under_writes_loses_nothing_on_sqlite() {
    killed_under_writes(handoff_store::testing::fresh_sqlite_url()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn kill_9_under_writes_loses_nothing_on_postgres() {
    let db = handoff_store::testing::fresh_postgres_url().await.unwrap();
    killed_under_writes(db).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_backup_taken_under_writes_restores_whole_on_sqlite() {
    let dir = temp_dir("fault-backup");
    let db = sqlite(&dir.join("live.db"));
    let file = dir.join("snapshot.db");
    let target = dir.join("restored.db");
    let (restored, before) = backup_under_writes(&db, || {
        ok(&handoff(&db, &["backup", "--out", s(&file)], None));
        let restored = sqlite(&target);
        ok(&handoff(&restored, &["restore", s(&file)], None));
        restored
    })
    .await;
    restored_holds(&restored, &before).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_pg_dump_taken_under_writes_restores_whole_on_postgres() {
    let db = handoff_store::testing::fresh_postgres_url().await.unwrap();
    let target = handoff_store::testing::fresh_postgres_url().await.unwrap();
    let dir = temp_dir("fault-pgdump");
    let file = dir.join("handoff.dump");
    let (restored, before) = backup_under_writes(&db, || {
        let dump = Command::new("pg_dump")
            .args(["--format=custom", "--file", s(&file), &db])
            .output()
            .expect("run pg_dump");
        assert!(
            dump.status.success(),
            "{}",
            String::from_utf8_lossy(&dump.stderr)
        );
        let restore = Command::new("pg_restore")
            .args(["--clean", "--if-exists", "--no-owner", "--dbname", &target])
            .arg(&file)
            .output()
            .expect("run pg_restore");
        assert!(
            restore.status.success(),
            "{}",
            String::from_utf8_lossy(&restore.stderr)
        );
        target.clone()
    })
    .await;
    restored_holds(&restored, &before).await;
}
