//! Justice and outcome data through the API, on SQLite and PostgreSQL:
//! all-or-nothing imports with the row-level report, idempotent re-imports
//! with provenance, the jail feed's alert to the right case manager within
//! a second (and nothing for the police), the OWG agenda and coordination
//! items, the `justice` category through the guard, and clerical review
//! decisions that are never asked again.

use crate::both;
use crate::fixtures::*;
use crate::helpers::*;
use futures_util::StreamExt;
use handoff_store::justice::{self, Link, LinkStatus};
use handoff_store::owg;
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::time::{Duration, Instant};

const HEADER: &str =
    "booking_number,booked_at,released_at,first_name,middle_name,last_name,dob,sex,race,charges\n";

/// An integration token of the demo police department (the jail's feed),
/// allowed to post the feed and run imports.
async fn token(app: &TestApp) -> String {
    integration_token(
        app,
        "Demo County Police Department",
        "jail feed",
        &["bookings_feed", "imports"],
    )
    .await
}

/// A participant of the demo case manager: (participant id, referral id).
async fn participant(app: &TestApp, last: &str) -> (String, String) {
    demo_participant(app, &arrest(last), "an ID card").await
}

both!(
    a_bad_file_is_rejected_whole_with_its_report,
    |db| async move {
        let app = TestApp::spawn(db).await;
        let token = token(&app).await;
        let body = format!(
            "{HEADER}B1,2026-03-01T22:15:00-08:00,,Ann,,Doe,1980-02-28,F,White,69.50.4013|possession|F\n\
         B2,yesterday,,Bob,,Roe,1975-01-01,Q,,\n\
         B1,2026-03-01T22:15:00-08:00,,Ann,,Doe,1980-02-28,F,White,\n"
        );
        let (s, report) =
            bearer_post(&app, &token, "/api/v1/imports/bookings", "text/csv", body).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{report}");
        let problems: Vec<(u64, String, String)> = report["problems"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                (
                    p["line"].as_u64().unwrap(),
                    p["column"].as_str().unwrap().to_string(),
                    p["code"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        assert_eq!(
            problems,
            vec![
                (3, "booked_at".into(), "bad_timestamp".into()),
                (3, "sex".into(), "unknown_code".into()),
                (4, "booking_number".into(), "duplicate_key".into()),
            ]
        );
        // Nothing was written, not even the good first row.
        let site = demo_site(&app).await;
        assert_eq!(
            justice::count(&mut app.store.conn(), site, "bookings")
                .await
                .unwrap(),
            0
        );
        // A session (not an integration) may not import; an unknown kind is 404.
        let admin = as_user(&app, "admin@demo.test").await;
        let (s, _) = admin.post("/api/v1/imports/bookings", &json!({})).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, _) = bearer_post(
            &app,
            &token,
            "/api/v1/imports/parking",
            "text/csv",
            HEADER.into(),
        )
        .await;
        assert_eq!(s, StatusCode::NOT_FOUND);
    }
);

both!(
    re_imports_are_idempotent_and_keep_provenance,
    |db| async move {
        let app = TestApp::spawn(db).await;
        let token = token(&app).await;
        let body = format!(
            "{HEADER}B1,2026-03-01T22:15:00-08:00,,Ann,,Doe,1980-02-28,F,White,69.50.4013|possession|F\n\
         B2,2026-03-02T10:00:00-08:00,2026-03-03T10:00:00-08:00,Bob,,Roe,1975-01-01,M,,\n"
        );
        let (s, first) = bearer_post(
            &app,
            &token,
            "/api/v1/imports/bookings",
            "text/csv",
            body.clone(),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{first}");
        assert_eq!(
            (first["inserted"].as_u64(), first["unchanged"].as_u64()),
            (Some(2), Some(0))
        );
        assert_eq!(first["unlinked"], 2, "nobody at the site matches: {first}");
        let (s, again) = bearer_post(
            &app,
            &token,
            "/api/v1/imports/bookings",
            "text/csv",
            body.clone(),
        )
        .await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(
            (again["inserted"].as_u64(), again["unchanged"].as_u64()),
            (Some(0), Some(2))
        );
        // An overlapping extract: B2 released later (an update), B3 new.
        let overlap = format!(
            "{HEADER}B2,2026-03-02T10:00:00-08:00,2026-03-05T10:00:00-08:00,Bob,,Roe,1975-01-01,M,,\n\
         B3,2026-03-04T10:00:00-08:00,,Cy,,Poe,1990-05-05,M,,\n"
        );
        let (s, third) = bearer_post(
            &app,
            &token,
            "/api/v1/imports/bookings",
            "text/csv",
            overlap,
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{third}");
        assert_eq!(
            (
                third["inserted"].as_u64(),
                third["updated"].as_u64(),
                third["unchanged"].as_u64()
            ),
            (Some(1), Some(1), Some(0))
        );
        let site = demo_site(&app).await;
        let mut c = app.store.conn();
        assert_eq!(justice::count(&mut c, site, "bookings").await.unwrap(), 3);
        let b1 = justice::by_key(&mut c, site, "bookings", "B1")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(b1.provenance.source, "api:bookings");
        assert_eq!(b1.provenance.line, 2);
        assert_eq!(b1.provenance.file_sha256, first["sha256"].as_str().unwrap());
        assert!(
            b1.provenance.imported_by.starts_with("token:"),
            "provenance names the integration, not a user"
        );
        assert_eq!(b1.event_on.as_deref(), Some("2026-03-01"));
        let b2 = justice::by_key(&mut c, site, "bookings", "B2")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            b2.provenance.line, 2,
            "the update's provenance is the newer file's"
        );
        assert_eq!(b2.provenance.file_sha256, third["sha256"].as_str().unwrap());
        assert!(b2.content.contains("2026-03-05"));
    }
);

both!(
    a_booking_alerts_the_case_manager_within_a_second,
    |db| async move {
        let app = TestApp::spawn(db).await;
        let token = token(&app).await;
        let (pid, rid) = participant(&app, "Quintero").await;
        let cm = as_user(&app, "casemanager@demo.test").await;
        let officer = as_user(&app, "officer@demo.test").await;
        let supervisor = as_user(&app, "supervisor@demo.test").await;
        let site = demo_site(&app).await;
        // A meeting ahead, for the agenda item.
        let (_, me) = supervisor.get_json("/api/v1/me").await;
        let held_on = (handoff_web::now() + time::Duration::days(7)).date();
        let (s, meeting) = supervisor
        .post(
            "/api/v1/owg/meetings",
            &json!({"held_on": handoff_store::referrals::iso(held_on), "title": "OWG", "attendees": [me["user"]["id"]]}),
        )
        .await;
        assert_eq!(s, StatusCode::CREATED, "{meeting}");
        let meeting = meeting["id"].as_str().unwrap().to_string();

        let stream = |a: &TestApp| a.client.get(a.url("/api/v1/events")).send();
        let mut cm_events = stream(&cm).await.unwrap().bytes_stream();
        let mut police_events = stream(&officer).await.unwrap().bytes_stream();
        let booking = json!({
            "booking_number": "J-77", "booked_at": "2026-11-30T22:15:00-08:00", "released_at": null,
            "first_name": "Dana", "middle_name": null, "last_name": "Quintero", "dob": "1988-04-02",
            "sex": "F", "race": "Hispanic/Latino",
            "charges": [{"statute": "9A.56.050", "description": "theft 3", "felony": "M"}]
        });
        let sent = Instant::now();
        let (s, summary) = bearer_post(
            &app,
            &token,
            "/api/v1/feeds/bookings",
            "application/json",
            booking.to_string(),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{summary}");
        assert_eq!(
            (summary["linked"].as_u64(), summary["alerts"].as_u64()),
            (Some(1), Some(1))
        );
        let (found, seen) =
            await_event(&mut cm_events, "booking.new", &rid, Duration::from_secs(1)).await;
        assert!(found, "no live booking event within 1 s: {seen}");
        assert!(sent.elapsed() < Duration::from_secs(2));
        assert!(
            !seen.contains("Quintero") && !seen.contains("J-77"),
            "ids only: {seen}"
        );
        let (_, notes) = cm.get_json("/api/v1/notifications").await;
        assert!(
            notes
                .as_array()
                .unwrap()
                .iter()
                .any(|n| n["kind"] == "booking.new"),
            "{notes}"
        );
        // The police get no alert, no event, and no case content.
        let (_, notes) = officer.get_json("/api/v1/notifications").await;
        assert!(
            !notes.to_string().contains("booking.new"),
            "the police are not alerted: {notes}"
        );
        let police_seen = tokio::time::timeout(Duration::from_millis(300), async {
            let mut s = String::new();
            while let Some(chunk) = police_events.next().await {
                s.push_str(&String::from_utf8_lossy(&chunk.unwrap()));
            }
            s
        })
        .await
        .unwrap_or_default();
        assert!(!police_seen.contains("booking.new"), "{police_seen}");
        let (s, v) = officer
            .get_json(&format!("/api/v1/participants/{pid}/justice"))
            .await;
        assert!(
            s == StatusCode::FORBIDDEN || s == StatusCode::NOT_FOUND,
            "{s}: {v}"
        );
        assert!(!v.to_string().contains("J-77"));
        // The case manager reads the booking through the guard; the evaluator
        // (limited data set) gets it only in the evaluation export, never by
        // the participant's internal id.
        let (s, v) = cm
            .get_json(&format!("/api/v1/participants/{pid}/justice"))
            .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!(v["data"][0]["booking_number"], "J-77", "{v}");
        assert_eq!(v["data"][0]["charges"], json!(["misdemeanor"]));
        let evaluator = as_user(&app, "evaluator@demo.test").await;
        let (s, v) = evaluator
            .get_json(&format!("/api/v1/participants/{pid}/justice"))
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
        assert!(
            !v.to_string().contains("J-77") && !v.to_string().contains("9A.56"),
            "{v}"
        );
        // The OWG's next agenda has it; the liaison prosecutor has a
        // coordination item for the new charge.
        let (_, agenda) = supervisor
            .get_json(&format!("/api/v1/owg/meetings/{meeting}"))
            .await;
        let items = agenda["items"].as_array().unwrap();
        assert!(
            items
                .iter()
                .any(|i| i["source"] == "booking" && i["category"] == "justice"),
            "{agenda}"
        );
        assert!(!agenda.to_string().contains("J-77"));
        let open = owg::list_coordination(&mut app.store.conn(), site)
            .await
            .unwrap();
        assert_eq!(open.len(), 1);
        // The same booking again raises nothing new.
        let (_, again) = bearer_post(
            &app,
            &token,
            "/api/v1/feeds/bookings",
            "application/json",
            booking.to_string(),
        )
        .await;
        assert_eq!(
            (again["unchanged"].as_u64(), again["alerts"].as_u64()),
            (Some(1), Some(0))
        );
        // A bad feed body is reported by position and field.
        let (s, report) = bearer_post(
            &app,
            &token,
            "/api/v1/feeds/bookings",
            "application/json",
            json!([booking, {"booking_number": "J-78"}]).to_string(),
        )
        .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{report}");
        assert_eq!(report["problems"][0]["line"], 2, "{report}");
    }
);

both!(clerical_review_decisions_are_remembered, |db| async move {
    let app = TestApp::spawn(db).await;
    let token = token(&app).await;
    let (_pid, _) = participant(&app, "Marsh").await;
    let site = demo_site(&app).await;
    // A booking for a similar person the exact rule does not link.
    let body = format!("{HEADER}R1,2026-03-01T22:15:00-08:00,,Dana,,Marsch,1988-04-02,F,,\n");
    let (s, v) = bearer_post(&app, &token, "/api/v1/imports/bookings", "text/csv", body).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let mut c = app.store.conn();
    let r = justice::by_key(&mut c, site, "bookings", "R1")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(r.link.status, LinkStatus::Unlinked);
    // The engine proposed the participant's person at 0.8 (as a trained
    // model would).
    let key =
        handoff_store::access::unguarded_persons(site, handoff_store::access::SystemTask::Linkage);
    let person = handoff_store::referrals::all_persons(&mut c, &key)
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.last_name == "Marsh")
        .unwrap();
    let candidate = format!("p:{}", person.id);
    let proposal = Link {
        status: LinkStatus::Review,
        candidate: Some(candidate.clone()),
        probability: Some(0.8),
        explanation: Some(
            r#"{"fields":[{"column":"last_name","level":"fuzzy","weight":3.1}]}"#.into(),
        ),
        ..Link::unlinked()
    };
    justice::set_link(&mut c, site, r.id, &proposal, handoff_web::now())
        .await
        .unwrap();

    let officer = as_user(&app, "officer@demo.test").await;
    let (s, _) = officer.get_json("/api/v1/review").await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let cm = as_user(&app, "casemanager@demo.test").await;
    let (s, queue) = cm.get_json("/api/v1/review").await;
    assert_eq!(s, StatusCode::OK, "{queue}");
    let item = &queue.as_array().unwrap()[0];
    assert_eq!(item["imported"]["last_name"], "Marsch");
    assert_eq!(item["candidate"]["last_name"], "Marsh");
    assert_eq!(item["candidate"]["what"], "participant");
    assert_eq!(item["explanation"]["fields"][0]["column"], "last_name");
    let id = item["id"].as_str().unwrap();
    // The page shows the same pair side by side, with the explanation.
    let page = cm.get("/review").await.text().await.unwrap();
    assert!(
        page.contains("Marsch") && page.contains("Marsh") && page.contains("last_name"),
        "{page}"
    );
    assert!(page.contains(&format!("/review/{id}")));
    let (s, _) = cm
        .post(
            &format!("/api/v1/review/{id}"),
            &json!({"decision": "reject"}),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (_, queue) = cm.get_json("/api/v1/review").await;
    assert!(queue.as_array().unwrap().is_empty(), "{queue}");
    let (s, _) = cm
        .post(
            &format!("/api/v1/review/{id}"),
            &json!({"decision": "accept"}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "a decided pair is not asked again");
    // Linking the record again never proposes the rejected pair.
    let decisions = justice::decisions(&mut c, site, r.id).await.unwrap();
    assert_eq!(decisions.len(), 1);
    let linker = handoff_web::justice::linker(&app_state(&app), site)
        .await
        .unwrap();
    let record: handoff_justice::Record =
        serde_json::from_str(&justice::get(&mut c, site, r.id).await.unwrap().content).unwrap();
    let again = linker.link(&record, &decisions);
    assert_ne!(again.candidate.as_deref(), Some(candidate.as_str()));
    // An accepted pair links, and stays linked through a re-import.
    let r2 = format!("{HEADER}R2,2026-03-02T22:15:00-08:00,,Dana,,Marsch,1988-04-02,F,,\n");
    bearer_post(
        &app,
        &token,
        "/api/v1/imports/bookings",
        "text/csv",
        r2.clone(),
    )
    .await;
    let rec2 = justice::by_key(&mut c, site, "bookings", "R2")
        .await
        .unwrap()
        .unwrap();
    justice::set_link(&mut c, site, rec2.id, &proposal, handoff_web::now())
        .await
        .unwrap();
    let (s, _) = cm
        .post(
            &format!("/api/v1/review/{}", rec2.id),
            &json!({"decision": "accept"}),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let rec2 = justice::get(&mut c, site, rec2.id).await.unwrap();
    assert_eq!(rec2.link.status, LinkStatus::Accepted);
    assert!(rec2.link.participant.is_some());
    let changed = format!(
        "{HEADER}R2,2026-03-02T22:15:00-08:00,2026-03-03T08:00:00-08:00,Dana,,Marsch,1988-04-02,F,,\n"
    );
    let (_, v) = bearer_post(
        &app,
        &token,
        "/api/v1/imports/bookings",
        "text/csv",
        changed,
    )
    .await;
    assert_eq!(
        (v["updated"].as_u64(), v["linked"].as_u64()),
        (Some(1), Some(1)),
        "{v}"
    );
    let rec2 = justice::get(&mut c, site, rec2.id).await.unwrap();
    assert_eq!(rec2.link.status, LinkStatus::Accepted);
    let _ = token;
});

both!(
    only_evaluators_get_the_evaluation_dataset,
    |db| async move {
        let app = TestApp::spawn(db).await;
        let cm = as_user(&app, "casemanager@demo.test").await;
        let (s, _) = cm.get_json("/api/v1/exports/evaluation").await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let officer = as_user(&app, "officer@demo.test").await;
        let (s, _) = officer.get_json("/api/v1/exports/evaluation").await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let evaluator = as_user(&app, "evaluator@demo.test").await;
        let (s, files) = evaluator
            .get_json("/api/v1/exports/evaluation?to=2026-12-31")
            .await;
        assert_eq!(s, StatusCode::OK, "{files}");
        for name in handoff_justice::evaluation::FILES {
            let header = handoff_justice::evaluation::header_of(name).unwrap();
            assert!(
                files[name].as_str().unwrap().starts_with(header),
                "{name}: {files}"
            );
        }
        assert_eq!(files["study.csv"], "study_end\n2026-12-31\n");
        // Unit costs come from the site's policy.
        assert!(
            files["unit_costs.csv"]
                .as_str()
                .unwrap()
                .contains("arrest,850.00"),
            "{files}"
        );
        let admin = as_user(&app, "admin@demo.test").await;
        change_policy(&admin, |p| p["unit_costs"]["arrest_cents"] = json!(120_000)).await;
        let (_, files) = evaluator
            .get_json("/api/v1/exports/evaluation?to=2026-12-31")
            .await;
        assert!(
            files["unit_costs.csv"]
                .as_str()
                .unwrap()
                .contains("arrest,1200.00"),
            "{files}"
        );
        let (s, _) = evaluator
            .get_json("/api/v1/exports/evaluation?to=yesterday")
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    }
);

both!(a_booking_waits_for_the_next_agenda_build, |db| async move {
    let app = TestApp::spawn(db).await;
    let token = token(&app).await;
    let (_pid, _) = participant(&app, "Okonkwo").await;
    // No meeting is planned when the booking arrives.
    let body = format!(
        "{HEADER}K1,2026-11-29T08:00:00-08:00,,Dana,,Okonkwo,1988-04-02,F,,9A.52.070|trespass|M\n"
    );
    let (s, v) = bearer_post(&app, &token, "/api/v1/imports/bookings", "text/csv", body).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["alerts"], 1, "{v}");
    let supervisor = as_user(&app, "supervisor@demo.test").await;
    let (_, me) = supervisor.get_json("/api/v1/me").await;
    let held_on = (handoff_web::now() + time::Duration::days(14)).date();
    let (s, meeting) = supervisor
        .post(
            "/api/v1/owg/meetings",
            &json!({"held_on": handoff_store::referrals::iso(held_on), "title": "OWG", "attendees": [me["user"]["id"]]}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{meeting}");
    let id = meeting["id"].as_str().unwrap();
    let (s, built) = supervisor
        .post(&format!("/api/v1/owg/meetings/{id}/agenda"), &json!({}))
        .await;
    assert_eq!(s, StatusCode::OK, "{built}");
    let (_, agenda) = supervisor
        .get_json(&format!("/api/v1/owg/meetings/{id}"))
        .await;
    let bookings: Vec<&Value> = agenda["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["source"] == "booking")
        .collect();
    assert_eq!(bookings.len(), 1, "{agenda}");
    assert_eq!(bookings[0]["detail"], "Booked into jail on 2026-11-29");
    // Building again adds nothing.
    let (_, again) = supervisor
        .post(&format!("/api/v1/owg/meetings/{id}/agenda"), &json!({}))
        .await;
    assert_eq!(again["added"], 0, "{again}");
});

both!(
    the_hmis_export_shares_what_the_release_allows,
    |db| async move {
        let app = TestApp::spawn(db).await;
        let officer = as_user(&app, "officer@demo.test").await;
        let cm = as_user(&app, "casemanager@demo.test").await;
        let housing = agency_of_kind(&cm, "housing").await;
        let mut pids = Vec::new();
        for (who, cats) in [
            ("Shelter", vec!["enrollment", "identity", "notes"]),
            ("Quiet", vec!["enrollment"]),
        ] {
            let (_, r) = officer.post("/api/v1/referrals", &arrest(who)).await;
            let rid = r["id"].as_str().unwrap().to_string();
            cm.post(
                &format!("/api/v1/referrals/{rid}/accept"),
                &serde_json::json!({}),
            )
            .await;
            let (_, i) = cm
            .post(&format!("/api/v1/referrals/{rid}/intake"), &serde_json::json!({"living_situation": "emergency_shelter", "participant_goals": ["a room"], "monthly_income": 450}))
            .await;
            let pid = i["participant_id"].as_str().unwrap().to_string();
            let roi = release_to(&housing, &cats, "housing");
            sign_release(&cm, &pid, &roi).await;
            pids.push(pid);
        }
        let (s, v) = cm
            .post(
                &format!("/api/v1/participants/{}/close", pids[0]),
                &serde_json::json!({"reason": "moved_away"}),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        let state = app_state(&app);
        let site = demo_site(&app).await;
        let (set, shared) = handoff_web::justice::export::hmis(&state, site, handoff_web::now())
            .await
            .unwrap();
        assert_eq!(
            shared.len(),
            2,
            "both releases name the housing partner for enrollment"
        );
        // PersonalID is the site's keyed pseudonym, not the participant's id.
        let shelter = set
            .clients
            .iter()
            .find(|c| c.last_name.as_deref() == Some("Shelter"))
            .unwrap()
            .personal_id
            .clone();
        for pid in &pids {
            assert!(
                set.clients
                    .iter()
                    .all(|c| c.personal_id != *pid && c.personal_id != pid.replace('-', "")),
                "PersonalID is an internal id"
            );
        }
        assert_eq!(
            set.enrollments
                .iter()
                .find(|e| e.personal_id == shelter)
                .unwrap()
                .living_situation,
            Some(101)
        );
        assert!(
            set.enrollments.iter().any(|e| e.living_situation.is_none()),
            "no notes, no living situation"
        );
        assert_eq!(set.current_living_situations.len(), 1);
        assert_eq!(
            set.current_living_situations[0].current_living_situation,
            101
        );
        assert_eq!(set.income_benefits.len(), 1);
        assert_eq!(set.income_benefits[0].income_from_any_source, 1);
        assert_eq!(
            set.income_benefits[0].total_monthly_income.as_deref(),
            Some("450.00")
        );
        assert_eq!(set.exits.len(), 1, "the closed case exits");
        assert_eq!(set.exits[0].personal_id, shelter);
        assert!(
            set.clients
                .iter()
                .any(|c| c.last_name.as_deref() == Some("Shelter"))
        );
        assert!(
            set.clients
                .iter()
                .all(|c| c.last_name.as_deref() != Some("Quiet")),
            "no identity, no name"
        );
    }
);
