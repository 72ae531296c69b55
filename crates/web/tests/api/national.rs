//! The national network generator (`handoff seed --sites …`,
//! crates/seed/src/national.rs) at a small size: the counts asked for,
//! idempotent, deterministic, its accounts sign in and see their site's
//! data, and the audit chain verifies.

use crate::both;
use crate::fixtures::*;
use crate::helpers::*;
use handoff_seed::national::{self, Args, Report, Tick};
use handoff_store::access::{SystemTask, unguarded_persons};
use handoff_store::{Store, bulk, orgs, referrals};
use reqwest::StatusCode;

fn args() -> Args {
    Args {
        sites: 3,
        participants: 60,
        contacts: 600,
        seed: 7,
        now: handoff_services::now().replace_time(time::Time::MIDNIGHT),
    }
}

async fn seed(store: &Store, a: &Args) -> Report {
    let hash = handoff_services::auth::password::hash(handoff_seed::DEMO_PASSWORD).unwrap();
    let mut ticks = 0usize;
    let mut count = |t: Tick<'_>| {
        if let Tick::Participants(n) | Tick::Contacts(n) = t {
            ticks += n;
        }
    };
    let report = national::national(store, a, &hash, &mut count)
        .await
        .unwrap();
    assert_eq!(
        ticks,
        a.participants + a.contacts,
        "the progress covers the work"
    );
    report
}

/// Per site: (participants, contacts, referrals, holds by state).
async fn counts(store: &Store, sites: usize) -> Vec<(i64, i64, i64, Vec<String>)> {
    let mut c = store.conn();
    let mut out = Vec::new();
    for k in 0..sites {
        let site = orgs::find_site_by_slug(&mut c, &national::slug(k))
            .await
            .unwrap()
            .unwrap_or_else(|| panic!("site {} missing", national::slug(k)));
        let mut states: Vec<String> = handoff_store::holds::list(&mut c, site.id, None)
            .await
            .unwrap()
            .iter()
            .map(|h| h.hold.state().as_str().to_string())
            .collect();
        states.sort();
        states.dedup();
        out.push((
            bulk::count(&mut c, &bulk::PARTICIPANTS, site.id)
                .await
                .unwrap(),
            bulk::count(&mut c, &bulk::CONTACTS, site.id).await.unwrap(),
            bulk::count(&mut c, &bulk::REFERRALS, site.id)
                .await
                .unwrap(),
            states,
        ));
    }
    out
}

/// Every site's persons (id, first and last name), in id order.
async fn persons(store: &Store, sites: usize) -> Vec<(String, String, String)> {
    let mut c = store.conn();
    let mut out = Vec::new();
    for k in 0..sites {
        let site = orgs::find_site_by_slug(&mut c, &national::slug(k))
            .await
            .unwrap()
            .unwrap();
        let key = unguarded_persons(site.id, SystemTask::Linkage);
        for p in referrals::all_persons(&mut c, &key).await.unwrap() {
            out.push((p.id.to_string(), p.first_name, p.last_name));
        }
    }
    out.sort();
    out
}

both!(
    the_national_seed_writes_what_was_asked_once,
    |db| async move {
        let app = TestApp::spawn(db).await;
        let a = args();
        let report = seed(&app.store, &a).await;
        assert_eq!(report.sites_added, 3, "{report:?}");
        assert_eq!(report.participants, 60);
        assert_eq!(report.contacts, 600);
        let first = counts(&app.store, 3).await;
        assert_eq!(first.iter().map(|c| c.0).sum::<i64>(), 60, "{first:?}");
        assert_eq!(first.iter().map(|c| c.1).sum::<i64>(), 600, "{first:?}");
        for (participants, _, referrals, states) in &first {
            assert!(
                referrals > participants,
                "referrals that never became cases too"
            );
            for s in ["lapsed", "pending", "satisfied"] {
                assert!(states.iter().any(|x| x == s), "{s} missing: {states:?}");
            }
        }

        // A second run with the same arguments adds nothing.
        let again = seed(&app.store, &a).await;
        assert_eq!(again.sites_added, 0);
        assert_eq!(again.sites_present, 3);
        assert_eq!(again.rows, 0);
        assert_eq!(counts(&app.store, 3).await, first);

        // Deterministic: the same arguments on another database give the same
        // persons under the same ids.
        let other = Store::connect(&fresh_url(db).await).await.unwrap();
        other.migrate().await.unwrap();
        seed(&other, &a).await;
        let mine = persons(&app.store, 3).await;
        assert!(mine.len() > 60);
        assert_eq!(persons(&other, 3).await, mine);
        other.close().await;

        // The second site's case manager signs in (no second factor) and sees
        // their caseload, all of it from their site.
        let cm = as_user(&app, "casemanager@site-002.test").await;
        let (s, load) = cm.get_json("/api/v1/caseloads").await;
        assert_eq!(s, StatusCode::OK, "{load}");
        let cases = load["cases"].as_array().unwrap();
        assert!(!cases.is_empty(), "{load}");
        let site2 = orgs::find_site_by_slug(&mut app.store.conn(), "site-002")
            .await
            .unwrap()
            .unwrap();
        let theirs: Vec<String> =
            handoff_store::casework::list_participants(&mut app.store.conn(), site2.id)
                .await
                .unwrap()
                .iter()
                .map(|p| p.id.to_string())
                .collect();
        for case in cases {
            let id = case["id"].as_str().unwrap();
            assert!(theirs.iter().any(|t| t == id), "{case}");
        }
        // The network's account signs in too.
        as_user(&app, national::BUREAU_LOGIN).await;
        assert_audit_chain_intact(&app).await;
    }
);
