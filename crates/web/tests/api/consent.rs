//! Attacks from the outside review, replayed over HTTP: each test is what
//! an attacker did, and what they must now get.

use crate::both;
use crate::fixtures::*;
use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

fn ids(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect()
}

both!(
    another_agencys_case_manager_sees_only_hand_offs_still_waiting,
    |db| async move {
        let app = TestApp::spawn(db).await;
        let (officer, cm, other) =
            officer_cm_and_rival(&app, "Second Case Management Agency").await;

        let (s, served) = officer.post("/api/v1/referrals", &arrest("Served")).await;
        assert_eq!(s, StatusCode::CREATED, "{served}");
        let served = served["id"].as_str().unwrap().to_string();
        let (s, waiting) = officer.post("/api/v1/referrals", &arrest("Waiting")).await;
        assert_eq!(s, StatusCode::CREATED);
        let waiting = waiting["id"].as_str().unwrap().to_string();
        let (s, _) = cm
            .post(&format!("/api/v1/referrals/{served}/accept"), &json!({}))
            .await;
        assert_eq!(s, StatusCode::OK);

        // Before acceptance every case-management agency the site hands off
        // to sees the hand-off, so that someone responds.
        let (_, inbox) = other.get_json("/api/v1/referrals/inbox").await;
        assert!(ids(&inbox).contains(&waiting));
        // After acceptance, only the serving agency sees the person.
        let (s, list) = other.get_json("/api/v1/referrals").await;
        assert_eq!(s, StatusCode::OK);
        assert!(!ids(&list).contains(&served), "{list}");
        assert!(!list.to_string().contains("Served"));
        let (s, _) = other.get_json(&format!("/api/v1/referrals/{served}")).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        let page = other.get("/referrals").await.text().await.unwrap();
        assert!(
            !page.contains("Served"),
            "the page lists the served referral"
        );
        let page = other.get(&format!("/referrals/{served}")).await;
        assert_eq!(page.status(), StatusCode::NOT_FOUND);
        // And cannot act on it.
        let (s, _) = other
            .post(&format!("/api/v1/referrals/{served}/arrive"), &json!({}))
            .await;
        assert!(
            s == StatusCode::NOT_FOUND || s == StatusCode::FORBIDDEN,
            "{s}"
        );
        // The serving agency still sees it.
        let (_, mine) = cm.get_json("/api/v1/referrals").await;
        assert!(ids(&mine).contains(&served));
    }
);

both!(
    those_outside_the_case_learn_only_whether_a_referral_was_accepted,
    |db| async move {
        let app = TestApp::spawn(db).await;
        handoff_seed::data::populate(&app.store).await.unwrap();
        let officer = as_user(&app, "officer@demo.test").await;
        let (s, list) = officer.get_json("/api/v1/referrals").await;
        assert_eq!(s, StatusCode::OK);
        let list = list.as_array().unwrap();
        let mut hidden = 0;
        for r in list {
            let disclosed = r["participant"] == json!(true);
            if !disclosed {
                assert!(
                    !matches!(
                        r["status"].as_str().unwrap(),
                        "enrolled" | "intake_complete" | "triage_started"
                    ),
                    "status beyond acceptance shown without a release: {r}"
                );
                assert!(r["enrolled_at"].is_null(), "{r}");
                assert!(r["intake_completed_at"].is_null(), "{r}");
                if r["status"] == "accepted" {
                    hidden += 1;
                }
            }
        }
        assert!(
            hidden > 0,
            "the demo has referrals whose release says nothing to the police"
        );

        let community = as_user(&app, "community@demo.test").await;
        let (_, list) = community.get_json("/api/v1/referrals").await;
        for r in list.as_array().unwrap() {
            assert!(
                !matches!(
                    r["status"].as_str().unwrap(),
                    "enrolled" | "intake_complete" | "triage_started"
                ),
                "{r}"
            );
            assert!(r["accepted_by"].is_null(), "{r}");
            assert!(r["enrolled_at"].is_null(), "{r}");
        }
    }
);

fn uuids(v: &Value, field: &str) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r[field].as_str().map(str::to_string))
        .collect()
}

both!(
    every_list_names_in_the_audit_log_the_participants_it_showed,
    |db| async move {
        let app = TestApp::spawn(db).await;
        handoff_seed::data::populate(&app.store).await.unwrap();
        let cm = as_user(&app, "casemanager@demo.test").await;
        for (path, action, field) in [
            ("/api/v1/referrals", "referral.list", "participant_id"),
            ("/api/v1/participants", "participant.list", "id"),
            ("/api/v1/caseloads", "caseload.read", "id"),
        ] {
            let (s, body) = cm.get_json(path).await;
            assert_eq!(s, StatusCode::OK, "{path}: {body}");
            let list = if body.is_array() {
                body.clone()
            } else {
                body["cases"].clone()
            };
            let shown = uuids(&list, field);
            assert!(!shown.is_empty(), "{path} shows participants in the demo");
            let entry = audit_entries(&app, action)
                .await
                .pop()
                .unwrap_or_else(|| panic!("{path} leaves no {action} entry"));
            let named: Vec<String> = entry
                .event
                .participants
                .iter()
                .map(|p| p.to_string())
                .collect();
            for id in &shown {
                assert!(named.contains(id), "{path}: {id} shown but not audited");
            }
        }
        // Building an OWG agenda names the participants it put on it.
        let supervisor = as_user(&app, "supervisor@demo.test").await;
        let (s, m) = supervisor
            .post(
                "/api/v1/owg/meetings",
                &json!({"held_on": "2026-12-08", "title": "Audit OWG", "attendees": []}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{m}");
        let mid = m["id"].as_str().unwrap().to_string();
        let (s, built) = supervisor
            .post(&format!("/api/v1/owg/meetings/{mid}/agenda"), &json!({}))
            .await;
        assert_eq!(s, StatusCode::OK, "{built}");
        let (_, meeting) = supervisor
            .get_json(&format!("/api/v1/owg/meetings/{mid}"))
            .await;
        let on_agenda = uuids(&meeting["items"], "participant_id");
        assert!(!on_agenda.is_empty(), "{meeting}");
        let entry = audit_entries(&app, "owg.agenda.build")
            .await
            .pop()
            .expect("building an agenda is audited");
        let named: Vec<String> = entry
            .event
            .participants
            .iter()
            .map(|p| p.to_string())
            .collect();
        for id in &on_agenda {
            assert!(named.contains(id), "{id} put on the agenda but not audited");
        }
        assert_audit_chain_intact(&app).await;
    }
);
