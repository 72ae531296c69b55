//! Persons behind the referral rule and the guard, over HTTP: a second
//! case-management agency sees nothing of a person the first accepted (in
//! the inbox, the lists, the detail, search); an officer's list says
//! `participant` exactly where the disclosure engine gives the officer
//! `enrollment`, and never the participant's id; each list is one audit
//! entry naming the participants it showed.

use crate::both;
use crate::fixtures::*;
use crate::helpers::*;
use handoff_domain::AgencyKind;
use handoff_domain::disclosure::{Answer, Viewer};
use handoff_domain::site_time::SiteTimeZone;
use reqwest::StatusCode;
use serde_json::Value;

/// The demo site with its data, and the demo officer signed in.
async fn populated(db: Db) -> (TestApp, TestApp) {
    let app = TestApp::spawn(db).await;
    handoff_seed::data::populate(&app.store).await.unwrap();
    let officer = as_user(&app, "officer@demo.test").await;
    (app, officer)
}

/// The participants the last of these audit entries names.
fn named_by_last(entries: &[handoff_audit::AuditEntry]) -> Vec<String> {
    let mut named: Vec<String> = entries
        .last()
        .expect("an audit entry")
        .event
        .participants
        .iter()
        .map(|p| p.to_string())
        .collect();
    named.sort();
    named
}

fn rows(v: &Value) -> &Vec<Value> {
    v.as_array().unwrap_or_else(|| panic!("not a list: {v}"))
}

both!(
    a_second_agency_sees_nothing_of_a_person_the_first_accepted,
    |db| async move {
        let app = TestApp::spawn(db).await;
        let (officer, cm, rival) = officer_cm_and_rival(&app, "Second Case Management").await;
        let enrolled = refer(&officer, &arrest("Zanzibar")).await;
        let accepted = refer(&officer, &arrest("Quetzalcoatl")).await;

        // Before acceptance the rival agency sees enough to respond.
        let (s, inbox) = rival.get_json("/api/v1/referrals/inbox").await;
        assert_eq!(s, StatusCode::OK, "{inbox}");
        assert!(inbox.to_string().contains("Zanzibar"), "{inbox}");
        let (s, one) = rival
            .get_json(&format!("/api/v1/referrals/{accepted}"))
            .await;
        assert_eq!(s, StatusCode::OK, "{one}");
        assert_eq!(one["person"]["last_name"], "Quetzalcoatl");

        enroll(&cm, &enrolled, "a place to live").await;
        steps(&cm, &accepted, &["accept"]).await;

        for name in ["Zanzibar", "Quetzalcoatl"] {
            for path in [
                "/api/v1/referrals/inbox",
                "/api/v1/referrals",
                "/api/v1/participants",
            ] {
                let (s, body) = rival.get_json(path).await;
                assert_eq!(s, StatusCode::OK, "{path}: {body}");
                assert!(
                    !body.to_string().contains(name),
                    "{path} shows {name}: {body}"
                );
            }
            let (s, hits) = rival.get_json(&format!("/api/v1/search?q={name}")).await;
            assert_eq!(s, StatusCode::OK, "{hits}");
            assert!(rows(&hits).is_empty(), "search shows {name}: {hits}");
        }
        for id in [&enrolled, &accepted] {
            let (s, body) = rival.get_json(&format!("/api/v1/referrals/{id}")).await;
            assert_eq!(s, StatusCode::NOT_FOUND, "{body}");
        }

        // Not over-hidden: the serving agency finds both, the participant
        // as a participant and the accepted person as a referral.
        let (_, hits) = cm.get_json("/api/v1/search?q=Zanzibar").await;
        assert_eq!(rows(&hits).len(), 1, "{hits}");
        assert_eq!(hits[0]["kind"], "participant");
        assert_eq!(hits[0]["name"], "Dana Zanzibar");
        let (_, hits) = cm.get_json("/api/v1/search?q=Quetzalcoatl").await;
        assert_eq!(rows(&hits).len(), 1, "{hits}");
        assert_eq!(hits[0]["kind"], "referral");
        assert_eq!(hits[0]["referral"]["name"], "Dana Quetzalcoatl");
    }
);

both!(
    an_officer_sees_participant_exactly_where_enrollment_is_disclosed,
    |db| async move {
        let (app, officer) = populated(db).await;
        let me = user(&app, "officer@demo.test").await;
        let site = handoff_store::orgs::get_site(&mut app.store.conn(), me.site_id)
            .await
            .unwrap();
        let now = SiteTimeZone::parse(&site.time_zone)
            .unwrap()
            .at(handoff_web::now());
        let viewer = Viewer {
            user: me.id,
            roles: &me.roles,
            agency: me.agency_id,
            agency_kind: AgencyKind::Police,
            site: me.site_id,
        };
        let (s, list) = officer.get_json("/api/v1/referrals").await;
        assert_eq!(s, StatusCode::OK, "{list}");
        let mut participants = 0;
        for r in rows(&list) {
            // Their own referral: the person and the details they gave; the
            // participant's id never.
            assert!(r["person"]["last_name"].is_string(), "{r}");
            assert!(r["details"].is_object(), "{r}");
            assert!(r["participant_id"].is_null(), "{r}");
            let id: handoff_domain::ReferralId = r["id"].as_str().unwrap().parse().unwrap();
            let mut c = app.store.conn();
            let record = handoff_store::referrals::get(&mut c, me.site_id, id)
                .await
                .unwrap();
            let disclosed = match record.participant_id {
                None => false,
                Some(pid) => {
                    participants += 1;
                    let p = handoff_store::casework::get_participant(&mut c, me.site_id, pid)
                        .await
                        .unwrap();
                    let facts = handoff_store::access::facts(&mut c, p, false)
                        .await
                        .unwrap();
                    let a = handoff_store::access::assess(&viewer, facts, now);
                    matches!(
                        a.assessment()
                            .answer(handoff_domain::DataCategory::Enrollment),
                        Answer::Allowed(_)
                    )
                }
            };
            // (The status is coarse where it is not: `consent.rs`.)
            assert_eq!(r["participant"] == true, disclosed, "{r}");
        }
        assert!(participants > 0, "the demo's officer referred participants");

        // A community referrer never learns of a participant: accepted or
        // not yet accepted, nothing more.
        let community = as_user(&app, "community@demo.test").await;
        let (_, list) = community.get_json("/api/v1/referrals").await;
        assert!(!rows(&list).is_empty());
        for r in rows(&list) {
            assert!(r["participant"].is_null(), "{r}");
            assert!(r["participant_id"].is_null(), "{r}");
            assert!(r["triage_started_at"].is_null(), "{r}");
        }
    }
);

both!(
    each_list_is_one_audit_entry_naming_those_shown,
    |db| async move {
        let (app, officer) = populated(db).await;
        let cm = as_user(&app, "casemanager@demo.test").await;
        refer(&officer, &arrest("Waiting")).await;
        let (_, all) = cm.get_json("/api/v1/participants").await;
        let someone = rows(&all)
            .iter()
            .find_map(|p| p["name"].as_str())
            .expect("the demo case manager sees named participants")
            .to_string();
        let search = format!("/api/v1/search?q={}", someone.replace(' ', "%20"));
        for (who, path, action, field) in [
            (&cm, "/api/v1/referrals", "referral.list", "participant_id"),
            (
                &cm,
                "/api/v1/referrals/inbox",
                "referral.inbox",
                "participant_id",
            ),
            (&officer, "/api/v1/referrals", "referral.list", ""),
            (&cm, "/api/v1/participants", "participant.list", "id"),
            (&cm, "/api/v1/caseloads?view=team", "caseload.read", "id"),
            (&cm, &search, "participant.search", "id"),
        ] {
            let before = audit_entries(&app, action).await.len();
            let (s, body) = who.get_json(path).await;
            assert_eq!(s, StatusCode::OK, "{path}: {body}");
            let after = audit_entries(&app, action).await;
            assert_eq!(after.len(), before + 1, "{path}: one entry for the list");
            let named = named_by_last(&after);
            let list = if body.is_array() {
                &body
            } else {
                &body["cases"]
            };
            let shown: Vec<String> = rows(list)
                .iter()
                .filter_map(|r| r.get(field).and_then(Value::as_str))
                .map(str::to_string)
                .collect();
            for id in &shown {
                assert!(named.contains(id), "{path}: {id} shown but not named");
            }
            if field == "id" {
                assert!(!shown.is_empty(), "{path} shows participants in the demo");
                assert_eq!(
                    named.len(),
                    shown.len(),
                    "{path}: only those shown are named"
                );
            }
        }

        // An OWG agenda read is one entry too, naming its participants.
        let supervisor = as_user(&app, "supervisor@demo.test").await;
        let (s, m) = supervisor
            .post(
                "/api/v1/owg/meetings",
                &serde_json::json!({"held_on": "2026-12-08", "title": "Lists", "attendees": []}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{m}");
        let mid = m["id"].as_str().unwrap().to_string();
        let path = format!("/api/v1/owg/meetings/{mid}");
        let (s, _) = supervisor
            .post(&format!("{path}/agenda"), &serde_json::json!({}))
            .await;
        assert_eq!(s, StatusCode::OK);
        let allowed = |entries: Vec<handoff_audit::AuditEntry>| -> Vec<_> {
            entries
                .into_iter()
                .filter(|e| e.event.outcome == handoff_audit::Outcome::Allowed)
                .collect()
        };
        let before = allowed(audit_entries(&app, "owg.agenda.read").await).len();
        let (_, meeting) = supervisor.get_json(&path).await;
        let after = allowed(audit_entries(&app, "owg.agenda.read").await);
        assert_eq!(after.len(), before + 1, "one entry for the agenda");
        let mut shown: Vec<String> = rows(&meeting["items"])
            .iter()
            .filter_map(|i| i["participant_id"].as_str().map(str::to_string))
            .collect();
        shown.sort();
        shown.dedup();
        assert!(!shown.is_empty(), "{meeting}");
        assert_eq!(named_by_last(&after), shown);
    }
);
