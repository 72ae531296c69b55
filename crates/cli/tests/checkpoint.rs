//! Signed audit checkpoints through the real `handoff` binary: the attack
//! they close (delete the last entries and rewind `audit_heads` in the same
//! database, which the chain alone cannot notice) on SQLite and PostgreSQL,
//! refused checkpoints, and `serve`'s schedule.

mod common;

use common::*;
use handoff_store::{Value, args};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A site with a few audited actions.
fn setup(db: &str) {
    create_site(db);
    for name in ["Agency A", "Agency B", "Agency C", "Agency D"] {
        create_agency(db, name, "housing");
    }
}

/// Runs one statement on the database directly (as the attacker would).
fn exec(db: &str, sql: &str, values: Vec<Value>) -> Result<u64, String> {
    on_store(db, async |store| {
        store
            .conn()
            .execute(sql, values)
            .await
            .map_err(|e| format!("{e:?}"))
    })
}

/// The chain with the most entries in a checkpoint file: (chain, seq).
fn longest_chain(checkpoint: &Path) -> (uuid::Uuid, i64) {
    let text = std::fs::read_to_string(checkpoint).unwrap();
    let v: serde_json::Value = serde_json::from_str(text.trim()).unwrap();
    v["chains"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["chain"].as_str().unwrap().parse().unwrap(),
                c["seq"].as_i64().unwrap(),
            )
        })
        .max_by_key(|(_, seq)| *seq)
        .unwrap()
}

/// The replayed attack. `disable_guard` is what an attacker with full access
/// runs first (drop or disable the trigger that keeps heads from moving back).
fn truncation_below_a_checkpoint_is_caught(db: &str, disable_guard: &str) {
    let dir = temp_dir("checkpoint");
    let key = dir.join("audit.key");
    let cp = dir.join("checkpoint.json");
    setup(db);

    let write_checkpoint = [
        "audit",
        "checkpoint",
        "--out",
        s(&cp),
        "--key-file",
        s(&key),
    ];
    let out = ok(&handoff(db, &write_checkpoint, None));
    assert!(out.contains("written to"), "{out}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "the key file is private");
    }
    // Never overwritten.
    let o = handoff(db, &write_checkpoint, None);
    assert!(failed(&o).contains("never overwritten"));

    let verify = [
        "audit",
        "verify",
        "--checkpoint",
        s(&cp),
        "--key-file",
        s(&key),
    ];
    // Intact: passes, also after the log has grown past the checkpoint.
    let out = ok(&handoff(db, &verify, None));
    assert!(
        out.contains("audit log intact") && out.contains("still in place"),
        "{out}"
    );
    create_agency(db, "Agency E", "housing");
    ok(&handoff(db, &verify, None));

    // A checkpoint with a flipped byte is refused, whichever byte.
    let text = std::fs::read_to_string(&cp).unwrap();
    let (chain, seq) = longest_chain(&cp);
    assert!(seq >= 4, "the site's chain has entries: {seq}");
    let positions = [
        text.find(&chain.to_string()).unwrap() + 3,
        text.find("\"seq\":").unwrap() + 6,
        text.find("\"entry_hash\":\"").unwrap() + 20,
        text.find("\"at\":\"").unwrap() + 8,
        text.find("\"mac\":\"").unwrap() + 10,
        text.find("\"created_at\":\"").unwrap() + 16,
    ];
    for (i, at) in positions.into_iter().enumerate() {
        let mut bytes = text.clone().into_bytes();
        bytes[at] ^= 0x01;
        let bad = dir.join(format!("flipped-{i}.json"));
        std::fs::write(&bad, &bytes).unwrap();
        let err = failed(&handoff(
            db,
            &[
                "audit",
                "verify",
                "--checkpoint",
                s(&bad),
                "--key-file",
                s(&key),
            ],
            None,
        ));
        assert!(err.contains("refused"), "byte {at}: {err}");
    }
    // Signed with another key: refused too.
    let other = dir.join("other.key");
    ok(&handoff(
        db,
        &["audit", "checkpoint", "--key-file", s(&other)],
        None,
    ));
    let err = failed(&handoff(
        db,
        &[
            "audit",
            "verify",
            "--checkpoint",
            s(&cp),
            "--key-file",
            s(&other),
        ],
        None,
    ));
    assert!(err.contains("another key"), "{err}");

    // The attack: remove the last entries (two below the checkpointed head)
    // and rewind the head to what is left.
    let keep = seq - 2;
    let rewind = "UPDATE audit_heads SET seq = $2, entry_hash = \
         (SELECT entry_hash FROM audit_log WHERE chain = $1 AND seq = $2) WHERE chain = $1";
    // With the guard in place, the head cannot be rewound.
    let e = exec(db, rewind, args![chain, keep]).unwrap_err();
    assert!(e.contains("cannot move back"), "{e}");
    exec(db, disable_guard, vec![]).unwrap();
    exec(
        db,
        "DELETE FROM audit_log WHERE chain = $1 AND seq > $2",
        args![chain, keep],
    )
    .unwrap();
    assert_eq!(exec(db, rewind, args![chain, keep]).unwrap(), 1);

    // The chain alone cannot tell…
    let out = ok(&handoff(db, &["audit", "verify"], None));
    assert!(out.contains("audit log intact"), "{out}");
    // …the checkpoint can, naming the chain (and its site) and the entry.
    let err = failed(&handoff(db, &verify, None));
    assert!(err.contains(&chain.to_string()), "{err}");
    assert!(
        err.contains(&format!("entry seq {seq}")) && err.contains("is missing"),
        "{err}"
    );
    assert!(err.contains(&format!("head is now seq {keep}")), "{err}");
    assert!(err.contains("(site test)"), "{err}");
}

#[test]
fn truncation_below_a_checkpoint_is_caught_on_sqlite() {
    let db = sqlite(&temp_dir("checkpoint").join("h.db"));
    truncation_below_a_checkpoint_is_caught(&db, "DROP TRIGGER audit_heads_forward_only");
}

#[test]
fn truncation_below_a_checkpoint_is_caught_on_postgres() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let db = rt
        .block_on(handoff_store::testing::fresh_postgres_url())
        .unwrap();
    // The test server's admin URL: a superuser, as the attacker.
    truncation_below_a_checkpoint_is_caught(
        &db,
        "ALTER TABLE audit_heads DISABLE TRIGGER audit_heads_forward_only",
    );
}

fn checkpoint_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| {
                    let n = p.file_name().unwrap().to_string_lossy();
                    n.starts_with("audit-checkpoint-") && n.ends_with(".json")
                })
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

/// Starts `serve` and waits until `n` checkpoint files exist (or 90 s pass).
fn serve_until(db: &str, extra: &[&str], dir: &Path, n: usize) -> Vec<PathBuf> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_handoff"))
        .args(["serve", "--bind", "127.0.0.1:0"])
        .args(extra)
        .env("HANDOFF_DATABASE_URL", db)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while checkpoint_files(dir).len() < n && start.elapsed() < Duration::from_secs(90) {
        if let Ok(Some(status)) = child.try_wait() {
            panic!("serve exited: {status}");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    checkpoint_files(dir)
}

#[test]
fn serve_writes_checkpoints_on_its_schedule() {
    let dir = temp_dir("checkpoint");
    let db = sqlite(&dir.join("h.db"));
    setup(&db);
    let cps = dir.join("checkpoints");
    let key = dir.join("keys").join("audit.key");
    std::fs::create_dir_all(key.parent().unwrap()).unwrap();
    let common = [
        "--audit-checkpoint-dir",
        s(&cps),
        "--audit-key-file",
        s(&key),
    ];

    // Every second (tests only): a new file each time, none overwritten.
    let mut args = common.to_vec();
    args.extend(["--audit-checkpoint-seconds", "1"]);
    let files = serve_until(&db, &args, &cps, 3);
    assert!(files.len() >= 3, "{files:?}");
    assert!(key.is_file());

    // Minutes 0: only the checkpoint at start.
    let mut args = common.to_vec();
    args.extend(["--audit-checkpoint-minutes", "0"]);
    let before = files.len();
    let files = serve_until(&db, &args, &cps, before + 1);
    assert_eq!(files.len(), before + 1, "{files:?}");

    // Each file is a checkpoint that verifies under the key.
    for f in &files {
        let out = ok(&handoff(
            &db,
            &[
                "audit",
                "verify",
                "--checkpoint",
                s(f),
                "--key-file",
                s(&key),
            ],
            None,
        ));
        assert!(out.contains("1 checkpoint(s)"), "{out}");
    }
    // No temporary files are left behind.
    let leftovers: Vec<_> = std::fs::read_dir(&cps)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}
