//! The diversion journey through the API alone, on SQLite and PostgreSQL:
//! refer → hand-off → accept → arrive → triage → intake → release → the
//! hold satisfied; an excluded referral; a hold that lapses and the
//! prosecutor's decision; validation, authorisation, policy versions and
//! the live event stream.

use crate::both;
use crate::fixtures::*;
use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

fn date_in(days: i64) -> String {
    let d = (handoff_web::now() + time::Duration::days(days)).date();
    format!("{:04}-{:02}-{:02}", d.year(), d.month() as u8, d.day())
}

both!(the_journey_through_the_api, |db| async move {
    let app = TestApp::spawn(db).await;
    let officer = as_user(&app, "officer@demo.test").await;
    let cm = as_user(&app, "casemanager@demo.test").await;
    let prosecutor = as_user(&app, "prosecutor@demo.test").await;
    let supervisor = as_user(&app, "supervisor@demo.test").await;

    // The officer refers; screening runs against the current policy.
    let (s, created) = officer.post("/api/v1/referrals", &arrest("Reyes")).await;
    assert_eq!(s, StatusCode::CREATED, "{created}");
    assert_eq!(created["door"], "arrest_diversion");
    assert_eq!(created["eligibility"]["eligible"], true, "{created}");
    assert!(
        created["eligibility"]["policy_version"]
            .as_str()
            .unwrap()
            .len()
            == 36
    );
    assert!(created["eligibility"]["reasons"].as_array().unwrap().len() >= 3);
    assert_eq!(created["hold"]["state"], "pending");
    assert!(
        created["hold"]["deadline"]
            .as_str()
            .unwrap()
            .starts_with("2026-12-")
            || created["hold"]["deadline"]
                .as_str()
                .unwrap()
                .starts_with("2027-")
    );
    let rid = created["id"].as_str().unwrap().to_string();
    let hold_id = created["hold"]["id"].as_str().unwrap().to_string();

    // The on-call case manager has it in the inbox, and accepts.
    let (_, inbox) = cm.get_json("/api/v1/referrals/inbox").await;
    assert!(
        inbox
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["id"] == rid.as_str()),
        "{inbox}"
    );
    let (s, _) = officer
        .post(&format!("/api/v1/referrals/{rid}/accept"), &json!({}))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "an officer cannot accept");
    let (s, accepted) = cm
        .post(&format!("/api/v1/referrals/{rid}/accept"), &json!({}))
        .await;
    assert_eq!(s, StatusCode::OK, "{accepted}");
    assert_eq!(accepted["status"], "accepted");
    let (s, _) = cm
        .post(&format!("/api/v1/referrals/{rid}/accept"), &json!({}))
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "accepting twice");

    // The officer sees who is coming, and nothing about participation yet.
    let (_, mine) = officer.get_json("/api/v1/referrals?mine=true").await;
    let r = mine
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == rid.as_str())
        .unwrap()
        .clone();
    assert_eq!(r["accepted_by"]["name"], "Alex Rivera");
    assert_eq!(r["participant"], Value::Null);

    // Arrival, triage, intake.
    let (s, v) = cm
        .post(&format!("/api/v1/referrals/{rid}/arrive"), &json!({}))
        .await;
    assert_eq!(
        (s, v["status"].as_str()),
        (StatusCode::OK, Some("triage_started"))
    );
    let (s, _) = cm
        .post(
            &format!("/api/v1/referrals/{rid}/triage"),
            &json!({"immediate_needs": ["food", "shelter tonight"], "safety_concerns": ""}),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, e) = cm
        .post(
            &format!("/api/v1/referrals/{rid}/intake"),
            &json!({"living_situation": "nowhere", "participant_goals": ["x"]}),
        )
        .await;
    assert_invalid(s, &e, "living_situation");
    let (s, intake) = cm
        .post(
            &format!("/api/v1/referrals/{rid}/intake"),
            &json!({"living_situation": "unsheltered", "participant_goals": ["get an ID card"]}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{intake}");
    let pid = intake["participant_id"].as_str().unwrap().to_string();

    // The release of information, with a drawn signature.
    let police = agency_of_kind(&cm, "police").await;
    let roi = json!({
        "recipients": [{"agency_id": police, "categories": ["enrollment", "engagement"]}],
        "purpose": "care coordination",
        "expires_on": date_in(365),
        "signature": {"method": "drawn", "image_base64": PNG}
    });
    let mut bad = roi.clone();
    bad["signature"]["image_base64"] = json!("bm90IGEgcG5n");
    let (s, e) = cm
        .post(&format!("/api/v1/participants/{pid}/releases"), &bad)
        .await;
    assert_invalid(s, &e, "signature.image_base64");
    let rel = sign_release(&cm, &pid, &roi).await;
    let release_id = rel["id"].as_str().unwrap().to_string();

    // The hold is satisfied: the prosecutor's queue says do not file.
    let (s, sat) = prosecutor.get_json("/api/v1/holds?state=satisfied").await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        sat.as_array()
            .unwrap()
            .iter()
            .any(|h| h["id"] == hold_id.as_str() && h["state"] == "satisfied"),
        "{sat}"
    );
    let (_, v) = cm.get_json(&format!("/api/v1/referrals/{rid}")).await;
    assert_eq!(v["status"], "enrolled");

    // The release lets the police know the person is a participant …
    let (_, v) = officer.get_json(&format!("/api/v1/referrals/{rid}")).await;
    assert_eq!(v["participant"], true, "{v}");
    let (_, list) = cm
        .get_json(&format!("/api/v1/participants/{pid}/releases"))
        .await;
    assert_eq!(list[0]["categories"], json!(["engagement", "enrollment"]));
    assert_eq!(list[0]["status"], "in_force");
    assert_eq!(list[0]["revoked_at"], Value::Null);
    // … until it is revoked, at once.
    let (s, _) = cm
        .post(&format!("/api/v1/releases/{release_id}/revoke"), &json!({}))
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (_, v) = officer.get_json(&format!("/api/v1/referrals/{rid}")).await;
    assert_eq!(v["participant"], Value::Null);
    let (_, list) = cm
        .get_json(&format!("/api/v1/participants/{pid}/releases"))
        .await;
    assert!(list[0]["revoked_at"].is_string());
    // Only the participant's case management reads the releases.
    let (s, _) = officer
        .get_json(&format!("/api/v1/participants/{pid}/releases"))
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // An excluded offence is ineligible, with the rule named; it is kept.
    let mut excluded = arrest("Stone");
    excluded["offenses"] = json!([{"category": "promoting_prostitution"}]);
    let (s, x) = officer.post("/api/v1/referrals", &excluded).await;
    assert_eq!(s, StatusCode::CREATED, "{x}");
    assert_eq!(x["eligibility"]["eligible"], false);
    assert_eq!(x["status"], "ineligible");
    assert_eq!(x["hold"], Value::Null);
    let decisive: Vec<&Value> = x["eligibility"]["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["decisive"] == true)
        .collect();
    assert!(
        decisive
            .iter()
            .any(|r| r["rule"] == "promoting_prostitution" && r["passed"] == false),
        "{x}"
    );

    // A third referral is never taken up: its hold lapses in the sweep.
    let (_, third) = officer.post("/api/v1/referrals", &arrest("Moss")).await;
    let third_hold = third["hold"]["id"].as_str().unwrap().to_string();
    let as_of = date_in(60);
    let (s, rep) = supervisor
        .post(&format!("/api/v1/holds/sweep?as_of={as_of}"), &json!({}))
        .await;
    assert_eq!(s, StatusCode::OK, "{rep}");
    assert_eq!(rep["lapsed"], 1, "{rep}");
    let (_, again) = supervisor
        .post(&format!("/api/v1/holds/sweep?as_of={as_of}"), &json!({}))
        .await;
    assert_eq!(again["lapsed"], 0, "the sweep is idempotent");
    let (_, lapsed) = prosecutor.get_json("/api/v1/holds?state=lapsed").await;
    let h = lapsed
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["id"] == third_hold.as_str())
        .unwrap()
        .clone();
    assert_eq!(h["awaiting_decision"], true);
    let (s, e) = prosecutor
        .post(
            &format!("/api/v1/holds/{third_hold}/decision"),
            &json!({"decision": "dismissed", "note": ""}),
        )
        .await;
    assert_invalid(s, &e, "decision");
    let (s, d) = prosecutor
        .post(
            &format!("/api/v1/holds/{third_hold}/decision"),
            &json!({"decision": "declined", "note": "LEAD contact continuing"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{d}");
    assert_eq!(d["decisions"][0]["decision"], "declined");
    assert_eq!(d["awaiting_decision"], false);
    let (s, _) = prosecutor
        .post(
            &format!("/api/v1/holds/{third_hold}/decision"),
            &json!({"decision": "filed", "note": ""}),
        )
        .await;
    assert_eq!(
        s,
        StatusCode::CONFLICT,
        "nothing follows a decision to decline"
    );
    let (s, _) = prosecutor
        .post(
            &format!("/api/v1/holds/{hold_id}/decision"),
            &json!({"decision": "filed", "note": ""}),
        )
        .await;
    assert_eq!(
        s,
        StatusCode::CONFLICT,
        "a satisfied hold takes no decision"
    );

    // Every step was audited and the chain holds.
    assert_audit_chain_intact(&app).await;
    for action in [
        "referral.create",
        "referral.accept",
        "intake.create",
        "release.create",
        "hold.satisfy",
        "release.revoke",
        "hold.lapse",
        "hold.decision",
    ] {
        let n = audit_entries(&app, action).await.len();
        assert!(n >= 1, "{action} audited");
    }
});

both!(referral_validation_names_the_field, |db| async move {
    let app = TestApp::spawn(db).await;
    let officer = as_user(&app, "officer@demo.test").await;
    let cases: Vec<(Value, &str)> = vec![
        (
            {
                let mut b = arrest("A");
                b.as_object_mut().unwrap().remove("incident_number");
                b
            },
            "incident_number",
        ),
        (
            {
                let mut b = arrest("A");
                b["offenses"][0]["quantity_grams"] = json!("lots");
                b
            },
            "offenses[0].quantity_grams",
        ),
        (
            {
                let mut b = arrest("A");
                b["person"]["dob"] = json!("1988-02-30");
                b
            },
            "person.dob",
        ),
        (
            {
                let mut b = arrest("A");
                b["door"] = json!("back_door");
                b
            },
            "door",
        ),
        (
            {
                let mut b = arrest("A");
                b["occurred_at"] = json!("yesterday");
                b
            },
            "occurred_at",
        ),
    ];
    for (body, field) in cases {
        let (s, e) = officer.post("/api/v1/referrals", &body).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{field}: {e}");
        assert_eq!(e["error"]["field"], field, "{e}");
    }
    let r = officer
        .client
        .post(officer.url("/api/v1/referrals"))
        .header("X-CSRF-Token", officer.csrf.clone().unwrap())
        .header("content-type", "application/json")
        .body("{\"door\": 5}")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let e: Value = r.json().await.unwrap();
    assert_eq!(e["error"]["field"], "door");
});

both!(who_may_do_what_in_the_workflow, |db| async move {
    let app = TestApp::spawn(db).await;
    let officer = as_user(&app, "officer@demo.test").await;
    let partner = as_user(&app, "partner@demo.test").await;
    let community = as_user(&app, "community@demo.test").await;
    let cm = as_user(&app, "casemanager@demo.test").await;
    let (_, created) = officer.post("/api/v1/referrals", &arrest("Reyes")).await;
    let rid = created["id"].as_str().unwrap();
    // A partner agency sees no referrals, and this one does not exist for them.
    assert_eq!(
        partner.get_json("/api/v1/referrals").await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        partner
            .get_json(&format!("/api/v1/referrals/{rid}"))
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        community
            .get_json(&format!("/api/v1/referrals/{rid}"))
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    // The community door is for community referrers; the arrest door for officers.
    let mut c = arrest("Lane");
    c["door"] = json!("community");
    c.as_object_mut().unwrap().remove("incident_number");
    c["offenses"] = json!([]);
    let (s, v) = community.post("/api/v1/referrals", &c).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(
        v["hold"],
        Value::Null,
        "only arrest diversions carry a hold"
    );
    let (s, _) = community.post("/api/v1/referrals", &arrest("Lane")).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    // The prosecutor sees no referral content, only the hold queue.
    let prosecutor = as_user(&app, "prosecutor@demo.test").await;
    assert_eq!(
        prosecutor
            .get_json(&format!("/api/v1/referrals/{rid}"))
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    let (_, holds) = prosecutor.get_json("/api/v1/holds?state=pending").await;
    let h = &holds.as_array().unwrap()[0];
    assert_eq!(h["incident_number"], "26-104233");
    assert!(h.get("person").is_none());
    // Case management sees the person; the officer who referred does too.
    let (_, v) = cm.get_json(&format!("/api/v1/referrals/{rid}")).await;
    assert_eq!(v["person"]["last_name"], "Reyes");
    let (_, v) = officer.get_json(&format!("/api/v1/referrals/{rid}")).await;
    assert_eq!(v["person"]["last_name"], "Reyes");
    // Reads and denials are audited.
    let reads = audit_entries(&app, "referral.read").await;
    assert!(
        reads
            .iter()
            .any(|e| e.event.outcome == handoff_audit::Outcome::Denied)
    );
    assert!(
        reads
            .iter()
            .any(|e| e.event.outcome == handoff_audit::Outcome::Allowed)
    );
});

both!(policy_versions_are_immutable_and_stamped, |db| async move {
    let app = TestApp::spawn(db).await;
    let admin = as_user(&app, "admin@demo.test").await;
    let officer = as_user(&app, "officer@demo.test").await;
    let (s, v1) = admin.get_json("/api/v1/policy").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v1["version"], 1);
    let mut p = v1["policy"].clone();
    p["hold_window_days"] = json!(14);
    let (s, _) = officer.put("/api/v1/policy", &json!({"policy": p})).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let mut bad = p.clone();
    bad["hold_window_days"] = json!(0);
    let (s, e) = admin.put("/api/v1/policy", &json!({"policy": bad})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert!(
        e["error"]["field"].as_str().unwrap().starts_with("policy."),
        "{e}"
    );
    let (s, v2) = admin
        .put(
            "/api/v1/policy",
            &json!({"policy": p, "note": "PCG: Clackamas-style 14-day window"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v2}");
    assert_eq!(v2["version"], 2);
    let (_, versions) = admin.get_json("/api/v1/policy/versions").await;
    assert_eq!(versions.as_array().unwrap().len(), 2);
    assert_eq!(
        versions[1]["policy"]["hold_window_days"], v1["policy"]["hold_window_days"],
        "old versions unchanged"
    );
    let (_, r) = officer.post("/api/v1/referrals", &arrest("Reyes")).await;
    assert_eq!(r["eligibility"]["policy_version"], v2["id"]);
    assert_eq!(r["eligibility"]["policy_version_number"], 2);
    let deadline = time::OffsetDateTime::parse(
        r["hold"]["deadline"].as_str().unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    let days = (deadline - handoff_web::now()).whole_days();
    assert!((13..=15).contains(&days), "a 14-day window: {days}");
});

both!(
    new_referrals_reach_the_on_call_case_manager_live,
    |db| async move {
        let app = TestApp::spawn(db).await;
        let officer = as_user(&app, "officer@demo.test").await;
        let cm = as_user(&app, "casemanager@demo.test").await;
        let stream = cm
            .client
            .get(cm.url("/api/v1/events"))
            .send()
            .await
            .unwrap();
        assert_eq!(stream.status(), StatusCode::OK);
        assert!(
            stream.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/event-stream")
        );
        let mut body = stream.bytes_stream();
        let (_, created) = officer.post("/api/v1/referrals", &arrest("Reyes")).await;
        let rid = created["id"].as_str().unwrap().to_string();
        let (found, seen) = await_event(
            &mut body,
            "referral.new",
            &rid,
            std::time::Duration::from_secs(5),
        )
        .await;
        assert!(found, "no live event: {seen}");
        assert!(!seen.contains("Reyes"), "events carry ids only");
        let (_, notes) = cm.get_json("/api/v1/notifications").await;
        assert!(
            notes
                .as_array()
                .unwrap()
                .iter()
                .any(|n| n["kind"] == "handoff.new" && n["referral_id"] == rid.as_str())
        );
    }
);

both!(reminders_escalations_and_handoff_times, |db| async move {
    let app = TestApp::spawn(db).await;
    let officer = as_user(&app, "officer@demo.test").await;
    let cm = as_user(&app, "casemanager@demo.test").await;
    let supervisor = as_user(&app, "supervisor@demo.test").await;
    let (_, a) = officer.post("/api/v1/referrals", &arrest("One")).await;
    let (_, b) = officer.post("/api/v1/referrals", &arrest("Two")).await;
    let a_id = a["id"].as_str().unwrap().to_string();
    cm.post(&format!("/api/v1/referrals/{a_id}/accept"), &json!({}))
        .await;
    // 25 days on: the 7-day reminder reaches the case manager on the case;
    // the unaccepted referral escalates to the supervisors.
    let (_, rep) = supervisor
        .post(
            &format!("/api/v1/holds/sweep?as_of={}", date_in(25)),
            &json!({}),
        )
        .await;
    assert_eq!(rep["reminders"], 2, "{rep}");
    assert_eq!(rep["escalated"], 1, "{rep}");
    let (_, again) = supervisor
        .post(
            &format!("/api/v1/holds/sweep?as_of={}", date_in(25)),
            &json!({}),
        )
        .await;
    assert_eq!(
        (again["reminders"].as_i64(), again["escalated"].as_i64()),
        (Some(0), Some(0)),
        "{again}"
    );
    let (_, notes) = cm.get_json("/api/v1/notifications").await;
    assert!(
        notes
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["kind"] == "hold.reminder_7_days" && n["referral_id"] == a_id.as_str()),
        "{notes}"
    );
    let (_, snotes) = supervisor.get_json("/api/v1/notifications").await;
    assert!(
        snotes
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["kind"] == "handoff.escalated" && n["referral_id"] == b["id"]),
        "{snotes}"
    );
    assert!(
        snotes
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["kind"] == "hold.reminder_7_days" && n["referral_id"] == b["id"]),
        "unassigned reminders go to supervisors"
    );
    // 29 days on: the 2-day reminder.
    let (_, rep) = supervisor
        .post(
            &format!("/api/v1/holds/sweep?as_of={}", date_in(29)),
            &json!({}),
        )
        .await;
    assert_eq!(rep["reminders"], 2, "{rep}");
    // Hand-off times per week.
    let (s, stats) = supervisor.get_json("/api/v1/handoffs/stats").await;
    assert_eq!(s, StatusCode::OK, "{stats}");
    let weeks = stats.as_array().unwrap();
    assert_eq!(weeks.len(), 8);
    let this_week = weeks.last().unwrap();
    assert_eq!(this_week["referrals"], 2);
    assert_eq!(this_week["to_accept"]["count"], 1);
    assert!(this_week["to_accept"]["median_minutes"].as_f64().unwrap() < 5.0);
    assert_eq!(
        officer.get_json("/api/v1/handoffs/stats").await.0,
        StatusCode::FORBIDDEN
    );
});

both!(
    already_known_shows_likely_matches_to_case_management_only,
    |db| async move {
        let app = TestApp::spawn(db).await;
        let officer = as_user(&app, "officer@demo.test").await;
        let cm = as_user(&app, "casemanager@demo.test").await;
        crowd(&officer).await;
        // Robert Brown again, as "Bob Brwon", same date of birth.
        let mut again = arrest("Brwon");
        again["person"]["first_name"] = json!("Bob");
        again["person"]["dob"] = json!("1963-04-22");
        let (_, created) = officer.post("/api/v1/referrals", &again).await;
        let rid = created["id"].as_str().unwrap();
        let (_, v) = cm.get_json(&format!("/api/v1/referrals/{rid}")).await;
        let matches = v["likely_matches"]
            .as_array()
            .unwrap_or_else(|| panic!("{v}"));
        assert!(!matches.is_empty(), "{v}");
        assert_eq!(matches[0]["name"], "Robert Brown", "{matches:?}");
        assert!(matches[0]["match_probability"].as_f64().unwrap() >= 0.5);
        let (_, v) = officer.get_json(&format!("/api/v1/referrals/{rid}")).await;
        assert!(
            v.get("likely_matches").is_none(),
            "never shown to the referrer"
        );
    }
);

both!(
    a_new_hand_off_calls_the_site_webhook_with_ids_only,
    |db| async move {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let app = TestApp::spawn(db).await;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/page", listener.local_addr().unwrap());
        let site = demo_site(&app).await;
        handoff_web::accounts::set_webhook(
            &app.store,
            handoff_web::accounts::Actor::Cli,
            site,
            Some("http://example.org/x"),
        )
        .await
        .unwrap_err();
        handoff_web::accounts::set_webhook(
            &app.store,
            handoff_web::accounts::Actor::Cli,
            site,
            Some(&url),
        )
        .await
        .unwrap();
        let officer = as_user(&app, "officer@demo.test").await;
        let (_, created) = officer.post("/api/v1/referrals", &arrest("Reyes")).await;
        let rid = created["id"].as_str().unwrap().to_string();
        let received = tokio::time::timeout(std::time::Duration::from_secs(5), async {
            let (mut sock, _) = listener.accept().await.unwrap();
            let mut buf = vec![0u8; 8192];
            let mut got = Vec::new();
            loop {
                let n = sock.read(&mut buf).await.unwrap();
                got.extend_from_slice(&buf[..n]);
                let text = String::from_utf8_lossy(&got);
                if n == 0 || text.contains("}") {
                    break;
                }
            }
            sock.write_all(b"HTTP/1.1 204 No Content\r\ncontent-length: 0\r\n\r\n")
                .await
                .unwrap();
            String::from_utf8_lossy(&got).to_string()
        })
        .await
        .expect("webhook called within 5 s");
        assert!(received.starts_with("POST /page"), "{received}");
        assert!(
            received.contains("\"event\":\"referral.new\"") && received.contains(&rid),
            "{received}"
        );
        assert!(
            !received.contains("Reyes") && !received.contains("Dana"),
            "ids only: {received}"
        );
    }
);

both!(
    designated_police_staff_approve_where_the_policy_asks,
    |db| async move {
        let app = TestApp::spawn(db).await;
        let admin = as_user(&app, "admin@demo.test").await;
        change_policy(&admin, |p| p["approval"] = json!("police")).await;
        // A sergeant designated to approve.
        let sgt = colleague(
            &app,
            "officer@demo.test",
            "sgt@demo.test",
            "Sgt Park",
            handoff_domain::Role::Officer,
        )
        .await;
        handoff_store::users::set_can_approve(
            &mut app.store.conn(),
            demo_site(&app).await,
            sgt,
            true,
        )
        .await
        .unwrap();
        let officer = as_user(&app, "officer@demo.test").await;
        let sergeant = as_user(&app, "sgt@demo.test").await;
        let (_, r) = officer.post("/api/v1/referrals", &arrest("Reyes")).await;
        assert_eq!(r["status"], "awaiting_approval", "{r}");
        let rid = r["id"].as_str().unwrap().to_string();
        assert_eq!(
            officer.get_json("/api/v1/referrals/approvals").await.0,
            StatusCode::FORBIDDEN
        );
        let (s, list) = sergeant.get_json("/api/v1/referrals/approvals").await;
        assert_eq!(s, StatusCode::OK, "{list}");
        assert!(
            list.as_array()
                .unwrap()
                .iter()
                .any(|x| x["id"] == rid.as_str())
        );
        let page = sergeant.get("/approvals").await.text().await.unwrap();
        assert!(
            page.contains("Do not approve") && page.contains("Reyes"),
            "{page}"
        );
        let (s, _) = officer
            .post(
                &format!("/api/v1/referrals/{rid}/approval"),
                &json!({"approved": true}),
            )
            .await;
        assert_eq!(
            s,
            StatusCode::FORBIDDEN,
            "the referring officer is not designated"
        );
        let (s, v) = sergeant
            .post(
                &format!("/api/v1/referrals/{rid}/approval"),
                &json!({"approved": true}),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!(v["status"], "awaiting_handoff");
        // Community referrals need no police sign-off.
        let community = as_user(&app, "community@demo.test").await;
        let mut c = arrest("Lane");
        c["door"] = json!("community");
        c.as_object_mut().unwrap().remove("incident_number");
        c["offenses"] = json!([]);
        let (_, v) = community.post("/api/v1/referrals", &c).await;
        assert_eq!(v["status"], "awaiting_handoff", "{v}");
        // Notifications can be marked read.
        let cm = as_user(&app, "casemanager@demo.test").await;
        assert_eq!(
            cm.post("/api/v1/notifications/read", &json!({})).await.0,
            StatusCode::NO_CONTENT
        );
        let (_, notes) = cm.get_json("/api/v1/notifications").await;
        assert!(notes.as_array().unwrap().iter().all(|n| n["read"] == true));
    }
);
