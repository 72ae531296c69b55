//! The `handoff` binary end to end: administration, audit verification
//! (intact, altered, deleted), backup and restore.

mod common;

use common::*;
use std::path::Path;

fn setup(db: &str) {
    create_site(db);
    create_agency(db, "Test PD", "police");
    ok(&handoff(
        db,
        &[
            "admin",
            "create-user",
            "--site",
            "test",
            "--agency",
            "Test PD",
            "--email",
            "sgt@test.org",
            "--name",
            "Sgt Test",
            "--role",
            "officer",
            "--role",
            "supervisor",
        ],
        Some("a long enough passphrase\n"),
    ));
}

fn sql(db_path: &Path, statement: &str) {
    on_store(&sqlite(db_path), async |store| {
        store.conn().execute(statement, vec![]).await.unwrap();
    });
}

#[test]
fn admin_commands_and_their_errors() {
    let dir = temp_dir("cli");
    let db = sqlite(&dir.join("h.db"));
    setup(&db);
    let list = ok(&handoff(
        &db,
        &["admin", "list-users", "--site", "test"],
        None,
    ));
    assert!(
        list.contains("sgt@test.org\tofficer,supervisor\tactive"),
        "{list}"
    );

    // A weak password is refused with the reason.
    let o = handoff(
        &db,
        &[
            "admin",
            "create-user",
            "--site",
            "test",
            "--agency",
            "Test PD",
            "--email",
            "x@test.org",
            "--name",
            "X",
            "--role",
            "officer",
        ],
        Some("password1234\n"),
    );
    assert!(!o.status.success());
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("commonly used"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    // An unknown role names the choices.
    let o = handoff(
        &db,
        &[
            "admin",
            "create-user",
            "--site",
            "test",
            "--agency",
            "Test PD",
            "--email",
            "y@test.org",
            "--name",
            "Y",
            "--role",
            "sheriff",
        ],
        Some("a long enough passphrase\n"),
    );
    assert!(String::from_utf8_lossy(&o.stderr).contains("case_manager"));

    // A token names an agency and scopes, never a user.
    let o = handoff(
        &db,
        &[
            "admin",
            "create-token",
            "--site",
            "test",
            "--name",
            "feed",
            "--agency",
            "Test PD",
            "--scope",
            "admin",
        ],
        None,
    );
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("bookings_feed"));
    let token = ok(&handoff(
        &db,
        &[
            "admin",
            "create-token",
            "--site",
            "test",
            "--name",
            "feed",
            "--agency",
            "Test PD",
            "--scope",
            "bookings_feed",
            "--scope",
            "imports",
            "--expires-days",
            "30",
        ],
        None,
    ));
    assert!(token.trim().starts_with("hnd_"));
    let listed = ok(&handoff(
        &db,
        &["admin", "list-tokens", "--site", "test"],
        None,
    ));
    assert!(
        listed.contains("feed\tTest PD\tbookings_feed imports\tactive"),
        "{listed}"
    );
    assert!(!listed.contains(token.trim()), "the secret is never listed");
    let id = listed.split('\t').next().unwrap().to_string();
    ok(&handoff(
        &db,
        &["admin", "revoke-token", "--site", "test", "--id", &id],
        None,
    ));
    let listed = ok(&handoff(
        &db,
        &["admin", "list-tokens", "--site", "test"],
        None,
    ));
    assert!(listed.contains("\trevoked\t"), "{listed}");
    ok(&handoff(
        &db,
        &["admin", "reset-password", "--email", "sgt@test.org"],
        Some("another long passphrase\n"),
    ));
    ok(&handoff(
        &db,
        &["admin", "disable-user", "--email", "sgt@test.org"],
        None,
    ));
    let list = ok(&handoff(
        &db,
        &["admin", "list-users", "--site", "test"],
        None,
    ));
    assert!(list.contains("disabled"), "{list}");
    ok(&handoff(&db, &["audit", "verify"], None));
}

#[test]
fn audit_verify_detects_alteration_and_deletion() {
    let dir = temp_dir("cli");
    let path = dir.join("h.db");
    let db = sqlite(&path);
    setup(&db);
    let out = ok(&handoff(&db, &["audit", "verify"], None));
    assert!(out.contains("audit log intact: 3 entries"), "{out}");

    // Altered in place.
    sql(
        &path,
        "UPDATE audit_log SET action = 'admin.nothing' WHERE seq = 2",
    );
    let o = handoff(&db, &["audit", "verify"], None);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("seq 2") && err.contains("altered"), "{err}");

    // Deleted, on a fresh database.
    let path2 = dir.join("h2.db");
    let db2 = sqlite(&path2);
    setup(&db2);
    sql(&path2, "DELETE FROM audit_log WHERE seq = 2");
    let o = handoff(&db2, &["audit", "verify"], None);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("seq 2 is missing"));

    // The last entry deleted: caught by the recorded head.
    let path3 = dir.join("h3.db");
    let db3 = sqlite(&path3);
    setup(&db3);
    sql(&path3, "DELETE FROM audit_log WHERE seq = 3");
    let o = handoff(&db3, &["audit", "verify"], None);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("removed"));
}

#[test]
fn backup_and_restore_round_trip() {
    let dir = temp_dir("cli");
    let path = dir.join("h.db");
    let db = sqlite(&path);
    setup(&db);
    let backup = dir.join("backup.db");
    ok(&handoff(
        &db,
        &["backup", "--out", backup.to_str().unwrap()],
        None,
    ));
    assert!(backup.is_file());
    // Writing over an existing file is refused.
    assert!(
        !handoff(&db, &["backup", "--out", backup.to_str().unwrap()], None)
            .status
            .success()
    );

    // A change after the backup disappears on restore.
    create_agency(&db, "Later Agency", "housing");
    ok(&handoff(&db, &["restore", backup.to_str().unwrap()], None));
    let agencies: Vec<(String,)> = on_store(&db, async |store| {
        store
            .conn()
            .fetch_all("SELECT name FROM agencies ORDER BY name", vec![])
            .await
            .unwrap()
    });
    assert_eq!(agencies, vec![("Test PD".to_string(),)]);
    ok(&handoff(&db, &["audit", "verify"], None));

    // Something that is not a backup is refused, and the database is untouched.
    let junk = dir.join("junk.db");
    std::fs::write(&junk, b"not a database").unwrap();
    let o = handoff(&db, &["restore", junk.to_str().unwrap()], None);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("not a usable Handoff backup"));
    ok(&handoff(&db, &["audit", "verify"], None));
}

#[test]
fn holds_sweep_as_of_a_date_is_idempotent() {
    use handoff_web::auth::{Auth, AuthVia};
    let dir = temp_dir("cli");
    let db = sqlite(&dir.join("h.db"));
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let store = handoff_store::Store::connect(&db).await.unwrap();
        store.migrate().await.unwrap();
        handoff_seed::demo(&store).await.unwrap();
        let user = handoff_store::users::find_by_email(&mut store.conn(), &"officer@demo.test".parse().unwrap())
            .await
            .unwrap()
            .unwrap();
        let state = handoff_web::AppState::new(store.clone(), handoff_web::Config::new("127.0.0.1:0".parse().unwrap(), db.clone()));
        let auth = Auth { user, via: AuthVia::Internal };
        let form: handoff_domain::referral::ReferralForm = serde_json::from_value(serde_json::json!({
            "door": "arrest_diversion",
            "person": {"first_name": "Dana", "last_name": "Reyes", "dob": "1988-04-02", "sex": "F", "race": "Hispanic/Latino"},
            "incident_number": "26-104233",
            "offenses": [{"category": "drug_possession", "substance": "opioid", "quantity_grams": 1.2}],
            "occurred_at": "2026-11-30T14:05:00Z",
            "location": {"address": "2nd Ave & Pike St"}
        }))
        .unwrap();
        let created = handoff_web::workflow::referrals::submit(&state, &auth, &Default::default(), form).await.unwrap().referral;
        assert!(created.hold.is_some());
        store.close().await;
    });
    let far = (time::OffsetDateTime::now_utc() + time::Duration::days(90)).date();
    let as_of = format!(
        "{:04}-{:02}-{:02}",
        far.year(),
        far.month() as u8,
        far.day()
    );
    let out = ok(&handoff(&db, &["holds", "sweep", "--as-of", &as_of], None));
    assert!(out.contains("demo: 1 lapsed"), "{out}");
    let out = ok(&handoff(
        &db,
        &["holds", "sweep", "--as-of", &as_of, "--site", "demo"],
        None,
    ));
    assert!(
        out.contains("demo: 0 lapsed, 0 reminders, 0 escalated"),
        "{out}"
    );
    let o = handoff(&db, &["holds", "sweep", "--as-of", "2026-02-30"], None);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("--as-of"));
    ok(&handoff(&db, &["audit", "verify"], None));
}
