//! The group-commit audit writer (`audit_writer`): many requests' entries
//! commit in fewer transactions than entries, each request is answered only
//! once its entry is in the log, the chains verify with their heads exactly
//! where one append per entry would have put them, a failing entry fails
//! only its own request, and shutdown commits what is queued.

use handoff_audit::{AuditEntry, AuditEvent, Outcome};
use handoff_domain::SiteId;
use handoff_store::audit_writer::AuditWriter;
use handoff_store::{Backend, Store, StoreError, audit, testing};

fn site() -> SiteId {
    SiteId::from_uuid(uuid::Uuid::now_v7())
}

fn event(site: SiteId, action: &str) -> AuditEvent {
    let mut e = AuditEvent::new(action, Outcome::Allowed);
    e.site_id = Some(site);
    e
}

async fn stored(store: &Store, entry: &AuditEntry) -> bool {
    let (n,): (i64,) = store
        .conn()
        .fetch_one(
            "SELECT COUNT(*) FROM audit_log WHERE id = $1 AND seq = $2 AND entry_hash = $3",
            handoff_store::args![*entry.id.as_uuid(), entry.seq, entry.entry_hash.as_str()],
        )
        .await
        .unwrap();
    n == 1
}

async fn count(store: &Store) -> i64 {
    let (n,): (i64,) = store
        .conn()
        .fetch_one("SELECT COUNT(*) FROM audit_log", vec![])
        .await
        .unwrap();
    n
}

async fn open(url: String) -> Store {
    let store = Store::connect(&url).await.unwrap();
    store.migrate().await.unwrap();
    store
}

/// 200 concurrent reads over two sites, with changes auditing in their own
/// transactions between them.
async fn two_hundred_at_once(store: Store) {
    let writer = AuditWriter::new(store.clone(), time::OffsetDateTime::now_utc);
    let (a, b) = (site(), site());
    let reads: Vec<_> = (0..200)
        .map(|i| {
            let (store, writer) = (store.clone(), writer.clone());
            let s = if i % 3 == 0 { b } else { a };
            tokio::spawn(async move {
                let entry = writer.append(event(s, "test.read")).await.unwrap();
                // The entry is durable when the request is answered.
                assert!(
                    stored(&store, &entry).await,
                    "entry {} not yet in the log",
                    entry.seq
                );
                entry
            })
        })
        .collect();
    let changes: Vec<_> = (0..10)
        .map(|_| {
            let store = store.clone();
            tokio::spawn(async move {
                let mut tx = store.begin().await?;
                audit::append(
                    &mut tx,
                    event(a, "test.change"),
                    time::OffsetDateTime::now_utc(),
                )
                .await?;
                tx.commit().await
            })
        })
        .collect();
    let mut entries = Vec::new();
    for r in reads {
        entries.push(r.await.unwrap());
    }
    for c in changes {
        c.await.unwrap().unwrap();
    }
    assert_eq!(writer.entries(), 200);
    assert!(
        writer.batches() < 200,
        "200 entries took {} commits",
        writer.batches()
    );
    assert!(writer.batches() >= 1);
    assert_eq!(count(&store).await, 210);
    // Every chain holds consecutive sequence numbers and its head is its last entry.
    let v = audit::verify(&mut store.conn()).await.unwrap();
    assert_eq!((v.chains, v.entries), (2, 210));
    let heads = audit::heads(&mut store.conn()).await.unwrap();
    let head_a = heads.iter().find(|h| h.chain == a).unwrap();
    assert_eq!(head_a.seq, 200 - 67 + 10);
    // A request's entries keep its order: one after the other in the chain.
    let first = writer.append(event(a, "test.read")).await.unwrap();
    let second = writer.append(event(a, "test.read")).await.unwrap();
    assert_eq!(second.seq, first.seq + 1);
    assert_eq!(second.prev_hash, first.entry_hash);
    writer.shutdown().await;
    store.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_hundred_concurrent_reads_commit_in_fewer_batches_on_sqlite() {
    two_hundred_at_once(open(testing::fresh_sqlite_url()).await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_hundred_concurrent_reads_commit_in_fewer_batches_on_postgres() {
    two_hundred_at_once(open(testing::fresh_postgres_url().await.unwrap()).await).await;
}

/// A trigger refuses entries whose action is `test.refused`.
async fn refuse_some(store: &Store) {
    let sql: &[&str] = match store.backend() {
        Backend::Sqlite => &[
            "CREATE TRIGGER refuse_test BEFORE INSERT ON audit_log WHEN NEW.action = 'test.refused' \
             BEGIN SELECT RAISE(ABORT, 'refused by the test'); END",
        ],
        Backend::Postgres => &[
            "CREATE FUNCTION refuse_test() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN \
             IF NEW.action = 'test.refused' THEN RAISE EXCEPTION 'refused by the test'; END IF; \
             RETURN NEW; END $$",
            "CREATE TRIGGER refuse_test BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION refuse_test()",
        ],
    };
    for s in sql {
        store.conn().execute(s, vec![]).await.unwrap();
    }
}

/// One entry that cannot be written fails its own request only; the others
/// of its batch commit, and the chain still verifies.
async fn a_failing_entry_fails_alone(store: Store) {
    refuse_some(&store).await;
    let writer = AuditWriter::new(store.clone(), time::OffsetDateTime::now_utc);
    let s = site();
    let tasks: Vec<_> = (0..60)
        .map(|i| {
            let writer = writer.clone();
            let action = if i == 30 { "test.refused" } else { "test.read" };
            tokio::spawn(async move { writer.append(event(s, action)).await })
        })
        .collect();
    let mut failed = 0;
    for (i, t) in tasks.into_iter().enumerate() {
        match t.await.unwrap() {
            Ok(e) => assert!(stored(&store, &e).await),
            Err(e) => {
                assert_eq!(i, 30, "only the refused entry fails: {e:?}");
                assert!(matches!(e, StoreError::Db(_)));
                failed += 1;
            }
        }
    }
    assert_eq!(failed, 1);
    assert_eq!(count(&store).await, 59);
    audit::verify(&mut store.conn()).await.unwrap();
    writer.shutdown().await;
    store.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_failing_entry_fails_only_its_request_on_sqlite() {
    a_failing_entry_fails_alone(open(testing::fresh_sqlite_url()).await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_failing_entry_fails_only_its_request_on_postgres() {
    a_failing_entry_fails_alone(open(testing::fresh_postgres_url().await.unwrap()).await).await;
}

/// Shutdown commits every queued entry; an entry offered afterwards is
/// still written, in its own transaction.
async fn shutdown_drains(store: Store) {
    let writer = AuditWriter::new(store.clone(), time::OffsetDateTime::now_utc);
    let s = site();
    let tasks: Vec<_> = (0..100)
        .map(|_| {
            let writer = writer.clone();
            tokio::spawn(async move { writer.append(event(s, "test.read")).await })
        })
        .collect();
    tokio::task::yield_now().await;
    writer.shutdown().await;
    for t in tasks {
        t.await.unwrap().expect("queued entries commit");
    }
    let late = writer.append(event(s, "test.read")).await.unwrap();
    assert!(stored(&store, &late).await);
    assert_eq!(count(&store).await, 101);
    audit::verify(&mut store.conn()).await.unwrap();
    store.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn shutdown_commits_the_queue_on_sqlite() {
    shutdown_drains(open(testing::fresh_sqlite_url()).await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn shutdown_commits_the_queue_on_postgres() {
    shutdown_drains(open(testing::fresh_postgres_url().await.unwrap()).await).await;
}
