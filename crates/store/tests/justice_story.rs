//! Justice records on SQLite and PostgreSQL: idempotent upserts by natural
//! key and digest, provenance, links, decisions kept once, saved models.

use handoff_domain::{AgencyKind, Email, Role};
use handoff_store::justice::{self, Decision, Link, LinkStatus, NewRecord, Provenance, Stored};
use handoff_store::{Store, orgs, users};
use time::OffsetDateTime;

async fn story(url: &str) {
    let store = Store::connect(url).await.unwrap();
    store.migrate().await.unwrap();
    let now = OffsetDateTime::now_utc();
    let mut c = store.conn();
    let site = orgs::create_site(&mut c, "Test LEAD", "test", "America/Los_Angeles", now)
        .await
        .unwrap();
    let cm = orgs::create_agency(&mut c, site.id, "CM", AgencyKind::CaseManagement, now)
        .await
        .unwrap();
    let uid = users::create(
        &mut c,
        users::NewUser {
            site_id: site.id,
            agency_id: cm.id,
            email: &Email::parse("cm@test.org").unwrap(),
            display_name: "CM",
            password_hash: "$argon2id$fake",
            roles: &[Role::CaseManager],
            is_demo: false,
        },
        now,
    )
    .await
    .unwrap();
    let prov = Provenance {
        source: "bookings.csv".into(),
        file_sha256: "ab".repeat(32),
        line: 2,
        imported_at: now,
        imported_by: "cli:test".into(),
    };
    let rec = |digest: &'static str| NewRecord {
        site: site.id,
        kind: "bookings",
        natural_key: "B1",
        content: "{}",
        digest,
        event_on: Some("2026-03-01"),
        provenance: &prov,
    };
    let mut tx = store.begin().await.unwrap();
    let first = justice::upsert(&mut tx.conn(), rec("d1")).await.unwrap();
    assert!(matches!(first, Stored::Inserted(_)));
    tx.commit().await.unwrap();
    let again = justice::upsert(&mut c, rec("d1")).await.unwrap();
    assert_eq!(again, Stored::Unchanged(first.id()));
    let changed = justice::upsert(&mut c, rec("d2")).await.unwrap();
    assert_eq!(changed, Stored::Updated(first.id()));
    assert_eq!(
        justice::count(&mut c, site.id, "bookings").await.unwrap(),
        1
    );
    let got = justice::get(&mut c, site.id, first.id()).await.unwrap();
    assert_eq!(got.provenance.source, "bookings.csv");
    assert_eq!(got.provenance.line, 2);
    assert_eq!(got.link.status, LinkStatus::Unlinked);

    let review = Link {
        status: LinkStatus::Review,
        candidate: Some("r:x".into()),
        probability: Some(0.7),
        explanation: Some("{}".into()),
        ..Link::unlinked()
    };
    justice::set_link(&mut c, site.id, first.id(), &review, now)
        .await
        .unwrap();
    let queue = justice::review_queue(&mut c, site.id, 10).await.unwrap();
    assert_eq!(queue.len(), 1);
    assert_eq!(queue[0].link, review);
    assert_eq!(queue[0].linked_at, None);
    let linked = Link {
        status: LinkStatus::Accepted,
        ..review.clone()
    };
    justice::set_link(&mut c, site.id, first.id(), &linked, now)
        .await
        .unwrap();
    let got = justice::get(&mut c, site.id, first.id()).await.unwrap();
    assert!(got.linked_at.is_some());

    assert!(
        justice::decide(
            &mut c,
            site.id,
            first.id(),
            "r:x",
            Decision::Reject,
            uid,
            now
        )
        .await
        .unwrap()
    );
    assert!(
        !justice::decide(
            &mut c,
            site.id,
            first.id(),
            "r:x",
            Decision::Accept,
            uid,
            now
        )
        .await
        .unwrap(),
        "a pair is decided once"
    );
    assert_eq!(
        justice::decisions(&mut c, site.id, first.id())
            .await
            .unwrap(),
        vec![("r:x".to_string(), Decision::Reject)]
    );

    assert!(justice::model(&mut c, site.id).await.unwrap().is_none());
    let m = justice::SavedModel {
        model: "{}".into(),
        auto_threshold: 0.95,
        review_threshold: 0.5,
        trained_on: 3,
        trained_at: now,
    };
    justice::save_model(&mut c, site.id, &m).await.unwrap();
    justice::save_model(&mut c, site.id, &m).await.unwrap();
    assert_eq!(
        justice::model(&mut c, site.id)
            .await
            .unwrap()
            .unwrap()
            .trained_on,
        3
    );
    store.close().await;
}

handoff_store::on_both_backends!(justice_story_on, story);
