//! The database refuses to cut the audit log short. On PostgreSQL the
//! application role, given exactly the grants ARCHITECTURE.md documents,
//! cannot UPDATE, DELETE or TRUNCATE `audit_log`, nor rewind or delete a
//! chain's head; on both backends a trigger refuses moving a head back, even
//! to the owner.

use handoff_audit::{AuditEvent, Outcome};
use handoff_domain::SiteId;
use handoff_store::{Store, audit, testing};
use sqlx::Connection;

async fn append_n(store: &Store, site: SiteId, n: usize) {
    for _ in 0..n {
        let mut tx = store.begin().await.unwrap();
        let mut ev = AuditEvent::new("test.event", Outcome::Allowed);
        ev.site_id = Some(site);
        audit::append(&mut tx, ev, time::OffsetDateTime::now_utc())
            .await
            .unwrap();
        tx.commit().await.unwrap();
    }
}

/// Runs a statement; returns the error text (with its database cause) if refused.
async fn refused(store: &Store, sql: &str) -> Option<String> {
    store
        .conn()
        .execute(sql, vec![])
        .await
        .err()
        .map(|e| format!("{e:?}"))
}

fn site() -> SiteId {
    SiteId::from_uuid(uuid::Uuid::now_v7())
}

/// The SQL block of ARCHITECTURE.md's "PostgreSQL grants for the audit log".
fn documented_grants() -> String {
    let doc = include_str!("../../../ARCHITECTURE.md");
    let section = doc
        .split("### PostgreSQL grants for the audit log")
        .nth(1)
        .expect("ARCHITECTURE.md has the grants section");
    let block = section
        .split("```sql\n")
        .nth(1)
        .and_then(|s| s.split("```").next())
        .expect("the grants section has an sql block");
    block.to_string()
}

#[tokio::test]
async fn heads_cannot_move_back_on_sqlite() {
    let store = Store::connect(&testing::fresh_sqlite_url()).await.unwrap();
    store.migrate().await.unwrap();
    let s = site();
    append_n(&store, s, 3).await;
    let e = refused(&store, "UPDATE audit_heads SET seq = seq - 1").await;
    assert!(
        e.as_deref().unwrap_or("").contains("cannot move back"),
        "{e:?}"
    );
    let e = refused(&store, "UPDATE audit_heads SET entry_hash = 'x'").await;
    assert!(
        e.as_deref().unwrap_or("").contains("cannot move back"),
        "{e:?}"
    );
    let e = refused(&store, "DELETE FROM audit_heads").await;
    assert!(
        e.as_deref().unwrap_or("").contains("cannot be deleted"),
        "{e:?}"
    );
    // Appends still move the head forward.
    append_n(&store, s, 2).await;
    let v = audit::verify(&mut store.conn()).await.unwrap();
    assert_eq!(v.entries, 5);
    store.close().await;
}

#[tokio::test]
async fn the_documented_application_role_cannot_cut_the_log_on_postgres() {
    let url = testing::fresh_postgres_url().await.unwrap();
    let owner = Store::connect(&url).await.unwrap();
    owner.migrate().await.unwrap();
    let s = site();
    append_n(&owner, s, 3).await;

    // A role with exactly the documented grants.
    let role = format!("handoff_app_{}", uuid::Uuid::now_v7().simple());
    let password = "a-test-password";
    let grants = documented_grants()
        .replace("handoff_app", &role)
        .replace("'…'", &format!("'{password}'"));
    assert!(grants.contains("CREATE ROLE"), "{grants}");
    let mut admin = sqlx::PgConnection::connect(&url).await.unwrap();
    sqlx::raw_sql(sqlx::AssertSqlSafe(grants))
        .execute(&mut admin)
        .await
        .unwrap();
    let rest = &url[url
        .rfind('@')
        .map(|i| i + 1)
        .unwrap_or(url.find("://").unwrap() + 3)..];
    let app_url = format!("postgres://{role}:{password}@{rest}");

    let app = Store::connect(&app_url).await.unwrap();
    let (app2, owner2) = (app.clone(), owner.clone());
    let outcome = async move {
        let (app, owner) = (app2, owner2);
        // Starting up as the role works: the migrations are already applied.
        app.migrate().await.unwrap();
        // Normal appends work.
        append_n(&app, s, 2).await;
        assert_eq!(audit::verify(&mut app.conn()).await.unwrap().entries, 5);

        for sql in [
            "UPDATE audit_log SET action = 'nothing'",
            "DELETE FROM audit_log WHERE seq > 3",
            "TRUNCATE audit_log",
        ] {
            let e = refused(&app, sql).await;
            assert!(
                e.as_deref().unwrap_or("").contains("permission denied"),
                "{sql}: {e:?}"
            );
        }
        let e = refused(&app, "UPDATE audit_heads SET seq = seq - 1").await;
        assert!(
            e.as_deref().unwrap_or("").contains("cannot move back"),
            "{e:?}"
        );
        let e = refused(
            &app,
            "UPDATE audit_heads SET entry_hash = '0000000000000000000000000000000000000000000000000000000000000000'",
        )
        .await;
        assert!(
            e.as_deref().unwrap_or("").contains("cannot move back"),
            "{e:?}"
        );
        for sql in ["DELETE FROM audit_heads", "TRUNCATE audit_heads"] {
            let e = refused(&app, sql).await;
            assert!(
                e.as_deref().unwrap_or("").contains("permission denied"),
                "{sql}: {e:?}"
            );
        }
        // The trigger holds for the owner too (who can only get past it by
        // dropping it, which the role cannot).
        let e = refused(&owner, "UPDATE audit_heads SET seq = seq - 1").await;
        assert!(
            e.as_deref().unwrap_or("").contains("cannot move back"),
            "{e:?}"
        );
        let e = refused(&owner, "DELETE FROM audit_heads").await;
        assert!(
            e.as_deref().unwrap_or("").contains("cannot be deleted"),
            "{e:?}"
        );
        let e = refused(&owner, "TRUNCATE audit_heads").await;
        assert!(
            e.as_deref().unwrap_or("").contains("cannot be deleted"),
            "{e:?}"
        );
        let e = refused(&app, "DROP TRIGGER audit_heads_forward_only ON audit_heads").await;
        assert!(e.is_some(), "the role dropped the trigger");

        // Nothing was lost, and the log still extends.
        append_n(&app, s, 1).await;
        assert_eq!(audit::verify(&mut app.conn()).await.unwrap().entries, 6);
    };
    let result = tokio::spawn(outcome).await;
    app.close().await;
    owner.close().await;
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
        "DROP OWNED BY {role}; DROP ROLE {role}"
    )))
    .execute(&mut admin)
    .await
    .unwrap();
    admin.close().await.ok();
    if let Err(e) = result {
        std::panic::resume_unwind(e.into_panic());
    }
}
