//! One story through the store, run on SQLite and on PostgreSQL: the same
//! queries must behave the same on both.

use handoff_audit::{AuditEvent, Outcome};
use handoff_domain::{AgencyKind, Email, Role};
use handoff_store::{Store, args, audit, orgs, sessions, users};
use time::OffsetDateTime;

async fn story(url: &str) {
    let store = Store::connect(url).await.unwrap();
    store.migrate().await.unwrap();
    store.migrate().await.unwrap(); // idempotent
    let now = OffsetDateTime::now_utc();
    let mut c = store.conn();
    let site = orgs::create_site(&mut c, "Test LEAD", "test", "America/Los_Angeles", now)
        .await
        .unwrap();
    let pd = orgs::create_agency(&mut c, site.id, "Police", AgencyKind::Police, now)
        .await
        .unwrap();
    assert_eq!(
        orgs::list_agencies(&mut c, site.id).await.unwrap(),
        vec![pd.clone()]
    );
    let dup = orgs::create_agency(&mut c, site.id, "Police", AgencyKind::Police, now).await;
    assert!(
        matches!(dup, Err(handoff_store::StoreError::Conflict(_))),
        "{dup:?}"
    );

    let email = Email::parse("a.officer@test.org").unwrap();
    let mut tx = store.begin().await.unwrap();
    let uid = users::create(
        &mut tx.conn(),
        users::NewUser {
            site_id: site.id,
            agency_id: pd.id,
            email: &email,
            display_name: "A. Officer",
            password_hash: "$argon2id$fake",
            roles: &[Role::Officer, Role::Supervisor],
            is_demo: false,
        },
        now,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let u = users::find_by_email(&mut c, &email).await.unwrap().unwrap();
    assert_eq!(u.id, uid);
    assert_eq!(u.roles, vec![Role::Officer, Role::Supervisor]);
    assert!(u.mfa_required());

    // Lockout counter locks at the threshold, atomically.
    let until = now + time::Duration::minutes(15);
    for i in 1..=5 {
        let locked = users::record_failed_login(&mut c, uid, 5, until, now)
            .await
            .unwrap();
        assert_eq!(locked.is_some(), i == 5, "attempt {i}");
    }

    // Sessions: live, idle-expired.
    let sid = sessions::create(
        &mut c,
        sessions::NewSession {
            site_id: site.id,
            user_id: uid,
            token_hash: "h1",
            csrf_token: "c1",
            mfa_passed: false,
            expires_at: now + time::Duration::hours(12),
            client_ip: None,
        },
        now,
    )
    .await
    .unwrap();
    let live = sessions::find_live(&mut c, "h1", now - time::Duration::minutes(30), now)
        .await
        .unwrap();
    assert_eq!(live.map(|s| s.id), Some(sid));
    let later = now + time::Duration::minutes(31);
    let idle = sessions::find_live(&mut c, "h1", later - time::Duration::minutes(30), later)
        .await
        .unwrap();
    assert!(idle.is_none());

    // Audit: append on two chains, verify, then tamper.
    for i in 0..3 {
        let mut tx = store.begin().await.unwrap();
        let mut e = AuditEvent::new(
            "test.event",
            if i == 1 {
                Outcome::Denied
            } else {
                Outcome::Allowed
            },
        );
        e.site_id = Some(site.id);
        audit::append(&mut tx, e, now).await.unwrap();
        tx.commit().await.unwrap();
    }
    let mut tx = store.begin().await.unwrap();
    audit::append(
        &mut tx,
        AuditEvent::new("auth.login_failed", Outcome::Denied),
        now,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let v = audit::verify(&mut c).await.unwrap();
    assert_eq!((v.chains, v.entries), (2, 4));
    c.execute(
        "UPDATE audit_log SET outcome = 'allowed' WHERE seq = 2 AND chain = $1",
        args![site.id],
    )
    .await
    .unwrap();
    let err = audit::verify(&mut c).await.unwrap_err().to_string();
    assert!(err.contains("seq 2"), "{err}");
    store.close().await;
}

handoff_store::on_both_backends!(story_on, story);
