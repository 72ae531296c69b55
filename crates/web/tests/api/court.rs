//! Court dates, warrants and pre-existing cases over HTTP: structured
//! entries the case manager makes on the participant record; every invalid
//! field named; read through the guard as `justice` (the release decides
//! for anyone outside the case); the next week's court dates reach the case
//! manager; the OWG agenda lists them.

use crate::both;
use crate::fixtures::*;
use crate::helpers::*;
use handoff_domain::{AgencyKind, Role};
use reqwest::StatusCode;
use serde_json::{Value, json};

fn day_in(days: i64) -> String {
    let d = (handoff_web::now() + time::Duration::days(days)).date();
    format!("{:04}-{:02}-{:02}", d.year(), d.month() as u8, d.day())
}

fn entry(kind: &str, on: &str, case: &str) -> Value {
    json!({"kind": kind, "on": on, "court": "Seattle Municipal Court", "case_number": case})
}

both!(
    the_case_manager_records_court_dates_and_is_reminded,
    |db| async move {
        let app = TestApp::spawn(db).await;
        let (pid, _) = demo_participant(&app, &arrest("Court"), "housing").await;
        let cm = as_user(&app, "casemanager@demo.test").await;
        let path = format!("/api/v1/participants/{pid}/court");

        let (s, e) = cm
            .post(&path, &json!({"kind": "hearing", "on": "soon"}))
            .await;
        assert_invalid(s, &e, "kind");
        let (s, e) = cm
            .post(
                &path,
                &json!({"kind": "warrant", "on": "2026-13-01", "court": "x", "case_number": "1"}),
            )
            .await;
        assert_invalid(s, &e, "on");
        let (s, e) = cm
            .post(
                &path,
                &json!({"kind": "case", "on": "2026-01-05", "court": " ", "case_number": "1"}),
            )
            .await;
        assert_invalid(s, &e, "court");

        let soon = day_in(3);
        let later = day_in(20);
        for (kind, on, case) in [
            ("court_date", soon.as_str(), "26-CR-0101"),
            ("court_date", later.as_str(), "26-CR-0102"),
            ("warrant", "2026-02-11", "W-7781"),
        ] {
            let (s, v) = cm.post(&path, &entry(kind, on, case)).await;
            assert_eq!(s, StatusCode::CREATED, "{v}");
            assert_eq!(v["on"], on);
        }
        let (s, list) = cm.get_json(&path).await;
        assert_eq!(s, StatusCode::OK, "{list}");
        let cases: Vec<_> = list
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["case_number"].clone())
            .collect();
        assert_eq!(
            cases,
            vec![json!("W-7781"), json!("26-CR-0101"), json!("26-CR-0102")],
            "by day"
        );
        assert_eq!(list[0]["kind_label"], "Outstanding warrant");

        // The next seven days reach the case manager (and the supervisor), not
        // the hearing three weeks away.
        let (_, up) = cm.get_json("/api/v1/court/upcoming").await;
        let cases: Vec<_> = up
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["case_number"].clone())
            .collect();
        assert_eq!(cases, vec![json!("26-CR-0101")], "{up}");
        let (_, up) = as_user(&app, "supervisor@demo.test")
            .await
            .get_json("/api/v1/court/upcoming")
            .await;
        assert_eq!(up.as_array().unwrap().len(), 1, "{up}");
        let home = cm.get("/").await.text().await.unwrap();
        assert!(
            home.contains("Court dates this week") && home.contains("26-CR-0101"),
            "on the home page"
        );
        assert!(!home.contains("26-CR-0102"));

        // Nobody outside the case writes, or reads without a release.
        let rival = outsider(
            &app,
            "Other Outreach",
            AgencyKind::CaseManagement,
            Role::CaseManager,
        )
        .await;
        let (s, _) = rival.post(&path, &entry("case", "2026-01-05", "X-1")).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        assert_eq!(rival.get_json(&path).await.0, StatusCode::NOT_FOUND);
        let (_, up) = rival.get_json("/api/v1/court/upcoming").await;
        assert_eq!(up, json!([]));
        let (s, _) = as_user(&app, "officer@demo.test")
            .await
            .get_json(&path)
            .await;
        assert_eq!(
            s,
            StatusCode::FORBIDDEN,
            "the referring officer may know of the person, not the court records"
        );
        let logged = audited(&app, "court.read").await;
        assert!(
            logged.iter().any(|e| e["outcome"] == "denied"),
            "denials audited"
        );
        let created = audited(&app, "court.create").await;
        let allowed = created.iter().filter(|e| e["outcome"] == "allowed").count();
        assert_eq!(
            (allowed, created.len()),
            (3, 4),
            "three entries and the rival's attempt"
        );
    }
);

both!(
    a_release_naming_justice_shares_court_dates,
    |db| async move {
        let app = TestApp::spawn(db).await;
        let (pid, _) = demo_participant(&app, &arrest("Shared"), "housing").await;
        let cm = as_user(&app, "casemanager@demo.test").await;
        let path = format!("/api/v1/participants/{pid}/court");
        let (s, _) = cm
            .post(&path, &entry("court_date", &day_in(5), "26-CR-0200"))
            .await;
        assert_eq!(s, StatusCode::CREATED);
        let defender = outsider(&app, "Public Defender", AgencyKind::Defender, Role::Partner).await;
        let def_id = agency_named(&app, "Public Defender", AgencyKind::Defender)
            .await
            .id
            .to_string();
        assert_eq!(
            defender.get_json(&path).await.0,
            StatusCode::NOT_FOUND,
            "no release: unknown"
        );
        sign_release(&cm, &pid, &release_to(&def_id, &["enrollment"], "defence")).await;
        assert_eq!(
            defender.get_json(&path).await.0,
            StatusCode::FORBIDDEN,
            "known, not shared"
        );
        sign_release(
            &cm,
            &pid,
            &release_to(&def_id, &["enrollment", "justice"], "defence"),
        )
        .await;
        let (s, list) = defender.get_json(&path).await;
        assert_eq!(s, StatusCode::OK, "{list}");
        assert_eq!(list[0]["case_number"], "26-CR-0200");
    }
);

both!(court_dates_feed_the_owg_agenda, |db| async move {
    let app = TestApp::spawn(db).await;
    let (pid, _) = demo_participant(&app, &arrest("Agenda"), "housing").await;
    let cm = as_user(&app, "casemanager@demo.test").await;
    let supervisor = as_user(&app, "supervisor@demo.test").await;
    let path = format!("/api/v1/participants/{pid}/court");
    for (kind, on, case) in [
        ("court_date", day_in(4), "26-CR-0301"),
        ("court_date", day_in(40), "26-CR-0302"),
        ("warrant", day_in(-30), "W-0303"),
    ] {
        assert_eq!(
            cm.post(&path, &entry(kind, &on, case)).await.0,
            StatusCode::CREATED
        );
    }
    let (_, me) = cm.get_json("/api/v1/me").await;
    let (s, m) = supervisor
        .post(
            "/api/v1/owg/meetings",
            &json!({"held_on": day_in(0), "title": "OWG", "attendees": [me["user"]["id"]]}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{m}");
    let mid = m["id"].as_str().unwrap();
    let agenda = format!("/api/v1/owg/meetings/{mid}/agenda");
    let (s, built) = supervisor.post(&agenda, &json!({})).await;
    assert_eq!(s, StatusCode::OK, "{built}");
    let (_, again) = supervisor.post(&agenda, &json!({})).await;
    assert_eq!(again["added"], 0, "once per meeting");
    let (_, view) = cm.get_json(&format!("/api/v1/owg/meetings/{mid}")).await;
    let court: Vec<String> = view["items"]
        .as_array()
        .unwrap_or_else(|| panic!("{view}"))
        .iter()
        .filter(|i| i["source"] == "court")
        .map(|i| i["detail"].as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(
        court,
        vec![
            format!("Court date on {}", day_in(4)),
            format!("Outstanding warrant on {}", day_in(-30))
        ],
        "{view}"
    );
});

both!(
    the_demo_site_has_court_dates_meetings_and_threads,
    |db| async move {
        let app = TestApp::spawn(db).await;
        handoff_web::seed_demo(&app_state(&app)).await.unwrap();
        let cm = as_user(&app, "casemanager@demo.test").await;
        // The next week's hearings are relative to today: two of them.
        let (_, up) = cm.get_json("/api/v1/court/upcoming").await;
        let cases: Vec<_> = up
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["case_number"].clone())
            .collect();
        assert_eq!(
            cases,
            vec![json!("26-CR-01184"), json!("26-MC-04410")],
            "{up}"
        );
        // Meetings every two weeks, the past ones with minutes; today's agenda
        // lists the fortnight's court dates.
        let site = demo_site(&app).await;
        let meetings = handoff_store::owg::list_meetings(&mut app.store.conn(), site)
            .await
            .unwrap();
        let days: Vec<_> = meetings.iter().map(|m| m.held_on.clone()).collect();
        // Today at the site (Los Angeles), then every two weeks back.
        let local = |d: i64| {
            let t = handoff_web::now() + time::Duration::days(d);
            let l = t.to_offset(time::macros::offset!(-8)).date();
            format!("{:04}-{:02}-{:02}", l.year(), l.month() as u8, l.day())
        };
        assert!(
            days == vec![local(0), local(-14), local(-28), local(-42)]
                || days == vec![day_in(0), day_in(-14), day_in(-28), day_in(-42)],
            "{days:?}"
        );
        let past = handoff_store::owg::items(&mut app.store.conn(), site, meetings[1].id)
            .await
            .unwrap();
        assert!(
            !past.is_empty() && past.iter().all(|i| i.minutes.is_some()),
            "minutes kept"
        );
        let (_, today) = cm
            .get_json(&format!("/api/v1/owg/meetings/{}", meetings[0].id))
            .await;
        let court = today["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|i| i["source"] == "court")
            .count();
        assert!(court >= 3, "{today}");
        let threads = handoff_store::owg::list_coordination(&mut app.store.conn(), site)
            .await
            .unwrap();
        assert_eq!(threads.len(), 2);
        let (s, t) = as_user(&app, "prosecutor@demo.test")
            .await
            .get_json(&format!("/api/v1/coordination/{}", threads[0]))
            .await;
        assert_eq!(s, StatusCode::OK, "{t}");
        assert_eq!(t["messages"].as_array().unwrap().len(), 2);
        // Idempotent.
        handoff_web::seed_demo(&app_state(&app)).await.unwrap();
        let again = handoff_store::owg::list_meetings(&mut app.store.conn(), site)
            .await
            .unwrap();
        assert_eq!(again.len(), 4);
        let (_, up2) = cm.get_json("/api/v1/court/upcoming").await;
        assert_eq!(up2, up);
    }
);
