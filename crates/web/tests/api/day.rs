//! The working day's server-side rules over HTTP: the hand-off tells the
//! case manager where to go and whom to call, and only the case manager who
//! accepted sends the ETA the officer sees live; screening never calls a
//! record rule met without records, and a likely match in the site's court
//! records is a possible exclusion, never a refusal; the prosecutor's queue
//! names a person exactly where the guard discloses `identity` to the
//! prosecutor; a decision is undone only by whoever recorded it, only
//! within five minutes.

use crate::both;
use crate::fixtures::*;
use crate::helpers::*;
use handoff_domain::Role;
use handoff_store::args;
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::time::Duration;

fn date_in(days: i64) -> String {
    let d = (handoff_web::now() + time::Duration::days(days)).date();
    format!("{:04}-{:02}-{:02}", d.year(), d.month() as u8, d.day())
}

/// An arrest diversion located by the officer's phone, no address typed.
fn located(last: &str) -> Value {
    let mut b = arrest(last);
    b["location"] = json!({"lat": 47.6097, "lon": -122.3331});
    b
}

both!(
    the_eta_is_sent_only_by_the_case_manager_who_accepted,
    |db| async move {
        let app = TestApp::spawn(db).await;
        let officer = as_user(&app, "officer@demo.test").await;
        let cm = as_user(&app, "casemanager@demo.test").await;
        colleague(
            &app,
            "casemanager@demo.test",
            "second.cm@demo.test",
            "Second CM",
            Role::CaseManager,
        )
        .await;
        let other_cm = as_user(&app, "second.cm@demo.test").await;
        let rid = refer(&officer, &located("Quintero")).await;
        let path = format!("/api/v1/referrals/{rid}/handoff");
        let eta = format!("/api/v1/referrals/{rid}/eta");

        // Before acceptance case management sees the place and the officer to call.
        let (s, h) = cm.get_json(&path).await;
        assert_eq!(s, StatusCode::OK, "{h}");
        assert_eq!(h["place"]["lat"], 47.6097);
        assert_eq!(
            h["place"]["geo_uri"],
            "geo:47.609700,-122.333100?q=47.609700,-122.333100"
        );
        assert!(
            h["place"]["map_url"]
                .as_str()
                .unwrap()
                .starts_with("https://")
        );
        assert_eq!(h["referred_by"]["name"], "Officer Sam Ortiz");
        assert_eq!(h["referred_by"]["phone"], "(206) 555-0142");
        assert_eq!(h["may_send_eta"], false);
        let (s, e) = cm.post(&eta, &json!({"minutes": 10})).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "no ETA before accepting: {e}");

        steps(&cm, &rid, &["accept"]).await;
        // Another case manager of the same agency, and the officer: refused.
        let (s, e) = other_cm.post(&eta, &json!({"minutes": 10})).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{e}");
        let (s, e) = officer.post(&eta, &json!({"minutes": 10})).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{e}");
        // Minutes out of range name the field.
        for bad in [json!(0), json!(241), json!("soon"), json!(null)] {
            let (s, e) = cm.post(&eta, &json!({"minutes": bad})).await;
            assert_invalid(s, &e, "minutes");
        }

        // The officer, listening, sees the ETA live.
        let stream = officer
            .client
            .get(officer.url("/api/v1/events"))
            .send()
            .await
            .unwrap();
        let mut events = stream.bytes_stream();
        let (s, h) = cm.post(&eta, &json!({"minutes": 12})).await;
        assert_eq!(s, StatusCode::OK, "{h}");
        assert_eq!(h["eta"]["minutes"], 12);
        assert_eq!(h["may_send_eta"], true);
        let (found, seen) =
            await_event(&mut events, "referral.eta", &rid, Duration::from_secs(2)).await;
        assert!(found, "the officer's stream: {seen}");
        let (_, mine) = officer.get_json(&path).await;
        assert_eq!(mine["eta"]["minutes"], 12, "{mine}");
        assert_eq!(mine["case_manager"]["phone"], "(206) 555-0100", "{mine}");
        assert!(
            mine["referred_by"].is_null(),
            "the officer is not told their own contact: {mine}"
        );
        assert_eq!(mine["place"]["lon"], -122.3331);
        assert!(mine["minutes_to_accept"].as_f64().is_some(), "{mine}");
        // Someone who may not read the referral learns nothing.
        let prosecutor = as_user(&app, "prosecutor@demo.test").await;
        let (s, _) = prosecutor.get_json(&path).await;
        assert_eq!(s, StatusCode::NOT_FOUND);

        // After arrival there is no ETA to send; the time to arrive is measured.
        steps(&cm, &rid, &["arrive"]).await;
        let (s, e) = cm.post(&eta, &json!({"minutes": 5})).await;
        assert_eq!(s, StatusCode::CONFLICT, "{e}");
        let (_, after) = cm.get_json(&path).await;
        assert!(after["eta"].is_null(), "{after}");
        assert!(after["minutes_to_arrive"].as_f64().is_some(), "{after}");

        let entries = audited(&app, "referral.eta").await;
        assert_eq!(
            entries.iter().filter(|e| e["outcome"] == "allowed").count(),
            1,
            "{entries:?}"
        );
        assert!(
            entries.iter().any(|e| e["outcome"] == "denied"),
            "{entries:?}"
        );
        assert_audit_chain_intact(&app).await;
    }
);

both!(
    record_rules_are_never_met_without_records,
    |db| async move {
        let app = TestApp::spawn(db).await;
        let officer = as_user(&app, "officer@demo.test").await;
        let (s, r) = officer
            .post("/api/v1/referrals", &arrest("Unchecked"))
            .await;
        assert_eq!(s, StatusCode::CREATED, "{r}");
        assert_eq!(r["eligibility"]["eligible"], true);
        for rule in [
            "violent_history",
            "treatment_court_pending",
            "no_contact_order",
        ] {
            let reason = r["eligibility"]["reasons"]
                .as_array()
                .unwrap()
                .iter()
                .find(|x| x["rule"] == rule)
                .unwrap_or_else(|| panic!("{rule}: {r}"));
            assert_eq!(reason["check"], "not_checked", "{reason}");
            assert_eq!(reason["decisive"], false, "{reason}");
            assert!(
                reason["text"]
                    .as_str()
                    .unwrap()
                    .starts_with("Not checked — officer to confirm"),
                "{reason}"
            );
        }
    }
);

both!(
    a_likely_match_in_the_court_records_is_a_possible_exclusion,
    |db| async move {
        let app = TestApp::spawn(db).await;
        let token =
            integration_token(&app, "Demo County Police Department", "court", &["imports"]).await;
        let csv = "case_number,count,statute,description,felony,filing_date,disposition,disposition_date,first_name,last_name,dob\n\
               C-901,1,9A.36.021,Assault 2,F,2022-02-01,Guilty,2022-09-01,Dana,Violet,1988-04-02\n";
        let (s, rep) = bearer_post(
            &app,
            &token,
            "/api/v1/imports/charges",
            "text/csv",
            csv.to_string(),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{rep}");
        let officer = as_user(&app, "officer@demo.test").await;
        let (_, r) = officer.post("/api/v1/referrals", &arrest("Violet")).await;
        let reasons = r["eligibility"]["reasons"].as_array().unwrap().clone();
        let check =
            |rule: &str| reasons.iter().find(|x| x["rule"] == rule).unwrap()["check"].clone();
        assert_eq!(check("violent_history"), "possible_exclusion", "{r}");
        assert_eq!(check("treatment_court_pending"), "checked", "{r}");
        // A possible exclusion is the officer's to confirm, never a refusal,
        // and nothing of the record is shown.
        assert_eq!(r["eligibility"]["eligible"], true, "{r}");
        assert!(
            !r.to_string().contains("Assault") && !r.to_string().contains("C-901"),
            "{r}"
        );
        // Someone else is checked against the same records: met.
        let (_, other) = officer
            .post("/api/v1/referrals", &arrest("Clearwater"))
            .await;
        let v = other["eligibility"]["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["rule"] == "violent_history")
            .unwrap()
            .clone();
        assert_eq!(
            (v["check"].as_str(), v["passed"].as_bool()),
            (Some("checked"), Some(true)),
            "{v}"
        );
    }
);

/// The queue item of a referral, as one reader's queue lists it.
fn item<'a>(queue: &'a Value, rid: &str) -> &'a Value {
    queue
        .as_array()
        .unwrap_or_else(|| panic!("not a list: {queue}"))
        .iter()
        .find(|q| q["referral_id"] == rid)
        .unwrap_or_else(|| panic!("{rid} not in {queue}"))
}

both!(
    the_prosecutor_queue_names_only_whom_the_guard_discloses,
    |db| async move {
        let app = TestApp::spawn(db).await;
        let officer = as_user(&app, "officer@demo.test").await;
        let cm = as_user(&app, "casemanager@demo.test").await;
        let prosecutor = as_user(&app, "prosecutor@demo.test").await;
        // A referred person who never became a participant; a participant with
        // no release; a participant whose release names the prosecutor's office.
        let mut b = arrest("Nameless");
        b["incident_number"] = json!("26-700001");
        let referred = refer(&officer, &b).await;
        let mut b = arrest("Unreleased");
        b["incident_number"] = json!("26-700002");
        let unreleased = refer(&officer, &b).await;
        let unreleased_pid = enroll(&cm, &unreleased, "housing").await;
        let mut b = arrest("Released");
        b["incident_number"] = json!("26-700003");
        let released = refer(&officer, &b).await;
        let released_pid = enroll(&cm, &released, "work").await;
        let office = agency_of_kind(&cm, "prosecutor").await;
        // A release can never give a prosecutor `identity`: it gives enrolment.
        sign_release(
            &cm,
            &released_pid,
            &release_to(&office, &["enrollment"], "court coordination"),
        )
        .await;

        let r = prosecutor.get("/api/v1/holds/queue").await;
        assert_eq!(r.status(), StatusCode::OK);
        let raw = r.text().await.unwrap();
        let queue: Value = serde_json::from_str(&raw).unwrap();
        let q = item(&queue, &referred);
        assert!(q.get("name").is_none(), "{q}");
        assert_eq!(q["incident_number"], "26-700001");
        assert_eq!(q["offences"], json!(["Drug possession"]));
        assert_eq!(q["occurred_on"], "2026-11-30");
        assert!(
            !raw.contains("Nameless"),
            "a referred person's name reached the office"
        );
        // The queue names a participant exactly where the guard gives the
        // prosecutor `identity`.
        let mut named = 0;
        for (rid, pid, last) in [
            (&unreleased, &unreleased_pid, "Unreleased"),
            (&released, &released_pid, "Released"),
        ] {
            let (s, _) = prosecutor
                .get_json(&format!("/api/v1/participants/{pid}/identity"))
                .await;
            let q = item(&queue, rid);
            assert_eq!(
                q["incident_number"]
                    .as_str()
                    .map(|n| n.starts_with("26-70000")),
                Some(true)
            );
            if s == StatusCode::OK {
                named += 1;
                assert_eq!(q["name"], format!("Dana {last}"), "{q}");
                assert_eq!(q["participant_id"], pid.as_str());
            } else {
                assert!(q.get("name").is_none(), "{q}");
                assert!(q.get("participant_id").is_none(), "{q}");
                assert!(!raw.contains(last), "{last} named without identity");
            }
        }
        // Each name shown is audited, in one entry; none, none.
        let entries = audit_entries(&app, "hold.queue.identity").await;
        assert_eq!(entries.len(), usize::from(named > 0), "{named} named");
        // Not for a case manager.
        let (s, _) = cm.get_json("/api/v1/holds/queue").await;
        assert_eq!(s, StatusCode::FORBIDDEN);
    }
);

both!(
    a_decision_is_undone_only_by_who_recorded_it_within_the_window,
    |db| async move {
        let app = TestApp::spawn(db).await;
        let officer = as_user(&app, "officer@demo.test").await;
        let supervisor = as_user(&app, "supervisor@demo.test").await;
        let prosecutor = as_user(&app, "prosecutor@demo.test").await;
        colleague(
            &app,
            "prosecutor@demo.test",
            "second.dpa@demo.test",
            "Second DPA",
            Role::Prosecutor,
        )
        .await;
        let other = as_user(&app, "second.dpa@demo.test").await;
        let (_, created) = officer.post("/api/v1/referrals", &arrest("Undone")).await;
        let hold = created["hold"]["id"].as_str().unwrap().to_string();
        let rid = created["id"].as_str().unwrap().to_string();
        let (s, rep) = supervisor
            .post(
                &format!("/api/v1/holds/sweep?as_of={}", date_in(60)),
                &json!({}),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{rep}");
        let undo = format!("/api/v1/holds/{hold}/decision/undo");
        let (s, e) = prosecutor.post(&undo, &json!({})).await;
        assert_eq!(s, StatusCode::CONFLICT, "nothing to undo yet: {e}");
        let decide = format!("/api/v1/holds/{hold}/decision");
        let (s, d) = prosecutor
            .post(&decide, &json!({"decision": "declined", "note": "first"}))
            .await;
        assert_eq!(s, StatusCode::OK, "{d}");
        let (_, q) = prosecutor.get_json("/api/v1/holds/queue").await;
        assert!(item(&q, &rid)["undo_until"].is_string(), "{q}");
        let (_, q) = other.get_json("/api/v1/holds/queue").await;
        assert!(item(&q, &rid)["undo_until"].is_null(), "{q}");

        // Another prosecutor may not undo it; whoever recorded it may.
        let (s, e) = other.post(&undo, &json!({})).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{e}");
        let (s, h) = prosecutor.post(&undo, &json!({})).await;
        assert_eq!(s, StatusCode::OK, "{h}");
        assert_eq!(h["awaiting_decision"], true, "{h}");
        assert_eq!(h["decisions"], json!([]), "{h}");
        let (s, _) = prosecutor.post(&undo, &json!({})).await;
        assert_eq!(s, StatusCode::CONFLICT, "undone once");

        // Decided again; six minutes later it stands.
        let (s, d) = prosecutor
            .post(&decide, &json!({"decision": "filed", "note": "second"}))
            .await;
        assert_eq!(s, StatusCode::OK, "{d}");
        assert_eq!(
            d["decisions"][0]["note"], "second",
            "the withdrawn decision is no longer the hold's"
        );
        app.store
            .conn()
            .execute(
                "UPDATE hold_decisions SET decided_at = $1 WHERE withdrawn_at IS NULL",
                args![handoff_web::now() - time::Duration::minutes(6)],
            )
            .await
            .unwrap();
        let (s, e) = prosecutor.post(&undo, &json!({})).await;
        assert_eq!(s, StatusCode::CONFLICT, "{e}");
        let (_, lapsed) = prosecutor.get_json("/api/v1/holds?state=lapsed").await;
        let h = lapsed
            .as_array()
            .unwrap()
            .iter()
            .find(|h| h["id"] == hold.as_str())
            .unwrap();
        assert_eq!(h["decisions"][0]["decision"], "filed");
        assert_eq!(h["awaiting_decision"], false);
        let undos = audited(&app, "hold.decision.undo").await;
        assert_eq!(
            undos.iter().filter(|e| e["outcome"] == "allowed").count(),
            1,
            "{undos:?}"
        );
        assert_eq!(
            undos.iter().filter(|e| e["outcome"] == "denied").count(),
            1,
            "{undos:?}"
        );
        assert_audit_chain_intact(&app).await;
    }
);

both!(only_the_owg_members_are_invited, |db| async move {
    let app = TestApp::spawn(db).await;
    let supervisor = as_user(&app, "supervisor@demo.test").await;
    let (_, evaluator) = as_user(&app, "evaluator@demo.test")
        .await
        .get_json("/api/v1/me")
        .await;
    let (_, officer) = as_user(&app, "officer@demo.test")
        .await
        .get_json("/api/v1/me")
        .await;
    let (s, e) = supervisor
        .post(
            "/api/v1/owg/meetings",
            &json!({"held_on": "2026-12-08", "title": "OWG", "attendees": [officer["user"]["id"], evaluator["user"]["id"]]}),
        )
        .await;
    assert_invalid(s, &e, "attendees[1]");
    // The convener's form offers the members only, by organisation.
    let page = supervisor.get("/owg").await.text().await.unwrap();
    assert!(
        page.contains("<legend>Demo County Police Department</legend>"),
        "{page}"
    );
    for absent in ["evaluator", "oversight", "bureau", "admin"] {
        let (_, me) = as_user(&app, &format!("{absent}@demo.test"))
            .await
            .get_json("/api/v1/me")
            .await;
        let id = me["user"]["id"].as_str().unwrap();
        assert!(!page.contains(id), "{absent} offered as an attendee");
    }
    assert!(page.contains(officer["user"]["id"].as_str().unwrap()));
});

both!(
    a_refused_quick_referral_names_every_missing_field_at_once,
    |db| async move {
        let app = TestApp::spawn(db).await;
        let officer = as_user(&app, "officer@demo.test").await;
        let form = officer.get("/referrals/new").await.text().await.unwrap();
        let csrf = hidden_field(&form, "csrf_token").unwrap();
        let r = officer
            .submit_form(
                "/referrals",
                &[
                    ("csrf_token", csrf.as_str()),
                    ("door", "arrest_diversion"),
                    ("first_name", "Kept"),
                    ("category", "drug_possession"),
                ],
            )
            .await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = r.text().await.unwrap();
        for field in [
            "last_name",
            "dob",
            "sex",
            "race",
            "substance",
            "incident_number",
        ] {
            assert!(
                page.contains(&format!("id=\"err-{field}\"")),
                "{field} not named: {page}"
            );
        }
        assert!(!page.contains("id=\"err-first_name\""));
        assert!(page.contains("Check 6 fields"), "{page}");
        assert!(
            page.contains("value=\"Kept\""),
            "the form keeps what was typed"
        );
        // Nothing was filed.
        let (_, mine) = officer.get_json("/api/v1/referrals").await;
        assert!(!mine.to_string().contains("Kept"), "{mine}");
    }
);

both!(
    a_supervisor_closes_a_stale_referral_with_a_reason,
    |db| async move {
        let app = TestApp::spawn(db).await;
        let officer = as_user(&app, "officer@demo.test").await;
        let cm = as_user(&app, "casemanager@demo.test").await;
        let supervisor = as_user(&app, "supervisor@demo.test").await;
        let rid = refer(&officer, &arrest("Stale")).await;
        let close = format!("/api/v1/referrals/{rid}/close");
        let (s, e) = supervisor
            .post(&close, &json!({"reason": "not_located"}))
            .await;
        assert_eq!(s, StatusCode::CONFLICT, "not stale yet: {e}");
        app.store
            .conn()
            .execute(
                "UPDATE referrals SET referred_at = $1 WHERE id = $2",
                args![
                    handoff_web::now() - time::Duration::days(4),
                    uuid::Uuid::parse_str(&rid).unwrap()
                ],
            )
            .await
            .unwrap();
        let (s, e) = cm.post(&close, &json!({"reason": "not_located"})).await;
        assert_eq!(
            s,
            StatusCode::FORBIDDEN,
            "a case manager does not close: {e}"
        );
        let (s, e) = officer
            .post(&close, &json!({"reason": "not_located"}))
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{e}");
        let (s, e) = supervisor.post(&close, &json!({"reason": "gave up"})).await;
        assert_invalid(s, &e, "reason");
        let (s, e) = supervisor
            .post(&close, &json!({"reason": "not_located"}))
            .await;
        assert_eq!(s, StatusCode::NO_CONTENT, "{e}");
        let (_, r) = supervisor
            .get_json(&format!("/api/v1/referrals/{rid}"))
            .await;
        assert_eq!(r["status"], "closed", "{r}");
        assert_eq!(r["status_label"], "Closed without a hand-off");
        let (_, inbox) = cm.get_json("/api/v1/referrals/inbox").await;
        assert!(!inbox.to_string().contains(&rid), "{inbox}");
        let (s, _) = supervisor
            .post(&close, &json!({"reason": "not_located"}))
            .await;
        assert_eq!(s, StatusCode::CONFLICT, "closed once");
        let entries = audited(&app, "referral.close").await;
        assert_eq!(entries.len(), 1, "{entries:?}");
        assert_audit_chain_intact(&app).await;
    }
);
