//! Transactions that read and then write, many at once, all commit: on
//! SQLite a transaction that began deferred and read a snapshot another
//! writer then moved past could not write ("database is locked", code 517,
//! which no busy timeout waits out) and its request answered 500.

use handoff_audit::{AuditEvent, Outcome};
use handoff_domain::SiteId;
use handoff_store::{Store, audit, orgs, testing};

async fn read_then_write_at_once(url: String) {
    let store = Store::connect(&url).await.unwrap();
    store.migrate().await.unwrap();
    let site = SiteId::from_uuid(uuid::Uuid::now_v7());
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let store = store.clone();
            tokio::spawn(async move {
                let mut tx = store.begin().await?;
                orgs::find_site_by_slug(&mut tx.conn(), "nowhere").await?;
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                let mut ev = AuditEvent::new("test.event", Outcome::Allowed);
                ev.site_id = Some(site);
                audit::append(&mut tx, ev, time::OffsetDateTime::now_utc()).await?;
                tx.commit().await?;
                Ok::<_, handoff_store::StoreError>(())
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap().expect("every transaction commits");
    }
    store.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn transactions_that_read_then_write_all_commit_on_sqlite() {
    read_then_write_at_once(testing::fresh_sqlite_url()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn transactions_that_read_then_write_all_commit_on_postgres() {
    read_then_write_at_once(testing::fresh_postgres_url().await.unwrap()).await;
}
