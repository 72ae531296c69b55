//! Casework through the API on SQLite and PostgreSQL: contacts and their
//! audit; each piece's category reaching exactly whom the disclosure engine
//! allows; participation derived, closed and reopened, never "failed";
//! caseload limits; search; documents; and the realistic demo site.

use crate::both;
use crate::fixtures::*;
use crate::helpers::*;
use handoff_audit::Outcome;
use reqwest::StatusCode;
use serde_json::{Value, json};

/// Refers, accepts, takes intake and signs a release naming `recipients`
/// (`[{"agency_id", "categories"}]`); returns the participant id.
pub(crate) async fn enrol(
    officer: &TestApp,
    cm: &TestApp,
    last: &str,
    recipients: Value,
) -> String {
    let (s, r) = officer.post("/api/v1/referrals", &arrest(last)).await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    let rid = r["id"].as_str().unwrap();
    let (s, v) = cm
        .post(&format!("/api/v1/referrals/{rid}/accept"), &json!({}))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (s, i) = cm
        .post(
            &format!("/api/v1/referrals/{rid}/intake"),
            &json!({"living_situation": "unsheltered", "participant_goals": ["get an ID card"], "employment": "none", "benefits": []}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{i}");
    let pid = i["participant_id"].as_str().unwrap().to_string();
    let recipients = if recipients.as_array().is_some_and(|r| r.is_empty()) {
        json!([{"agency_id": agency_of_kind(cm, "housing").await, "categories": ["enrollment"]}])
    } else {
        recipients
    };
    let mut roi = json!({
        "recipients": recipients,
        "purpose": "care coordination",
        "expires_on": "2099-01-01",
        "signature": {"method": "drawn", "image_base64": PNG}
    });
    if roi.to_string().contains("\"sud\"") {
        roi["part2"] = json!({"discloser": "Evergreen Harm Reduction Services", "information": "SUD treatment status", "right_to_revoke_acknowledged": true});
    }
    sign_release(cm, &pid, &roi).await;
    pid
}

fn contact() -> Value {
    json!({
        "place": "street",
        "duration_minutes": 10,
        "services": ["naloxone", "food_clothing"],
        "pieces": [
            {"category": "notes", "text": "Met under the bridge; wants help with an ID"},
            {"category": "health", "text": "Foot wound healing, saw the nurse"},
            {"category": "sud", "text": "Using less, interested in methadone"}
        ],
        "living_situation": "emergency_shelter",
        "employment": "seeking",
        "income_benefits": true
    })
}

both!(
    contacts_are_logged_audited_and_disclosed_by_category,
    |db| async move {
        let app = TestApp::spawn(db).await;
        let officer = as_user(&app, "officer@demo.test").await;
        let cm = as_user(&app, "casemanager@demo.test").await;
        let partner = as_user(&app, "partner@demo.test").await;
        let police = agency_of_kind(&cm, "police").await;
        let housing = agency_of_kind(&cm, "housing").await;
        let pid = enrol(
        &officer,
        &cm,
        "Reyes",
        json!([
            {"agency_id": police, "categories": ["enrollment", "engagement"]},
            {"agency_id": housing, "categories": ["enrollment", "engagement", "notes", "health", "sud"]}
        ]),
    )
    .await;

        // Validation names the field; an officer cannot log a contact.
        let mut bad = contact();
        bad["place"] = json!("parking lot");
        let (s, e) = cm
            .post(&format!("/api/v1/participants/{pid}/contacts"), &bad)
            .await;
        assert_invalid(s, &e, "place");
        let mut bad = contact();
        bad["pieces"][1]["category"] = json!("justice");
        let (s, e) = cm
            .post(&format!("/api/v1/participants/{pid}/contacts"), &bad)
            .await;
        assert_eq!(e["error"]["field"], "pieces[1].category", "{s} {e}");
        let mut bad = contact();
        bad["services"] = json!(["naloxone", "a sandwich"]);
        let (_, e) = cm
            .post(&format!("/api/v1/participants/{pid}/contacts"), &bad)
            .await;
        assert_eq!(e["error"]["field"], "services[1]");
        let (s, _) = officer
            .post(&format!("/api/v1/participants/{pid}/contacts"), &contact())
            .await;
        assert_eq!(s, StatusCode::NOT_FOUND);

        let (s, c) = cm
            .post(&format!("/api/v1/participants/{pid}/contacts"), &contact())
            .await;
        assert_eq!(s, StatusCode::CREATED, "{c}");
        assert_eq!(
            c["categories"],
            json!(["engagement", "notes", "health", "sud"])
        );

        // Audited in the same transaction, with its categories.
        let logged = audit_entries(&app, "contact.create").await;
        let allowed: Vec<_> = logged
            .iter()
            .filter(|e| e.event.outcome == Outcome::Allowed)
            .collect();
        assert_eq!(allowed.len(), 1);
        assert_eq!(
            allowed[0]
                .event
                .subject_participant_id
                .map(|p| p.to_string()),
            Some(pid.clone())
        );
        assert_eq!(allowed[0].event.categories.len(), 4);
        assert!(
            logged.iter().any(|e| e.event.outcome == Outcome::Denied),
            "the officer's attempt"
        );

        // The officer (release grants engagement; no release may grant
        // notes) sees the last contact, and never the note: enforcement
        // never reads notes.
        let (s, eng) = officer
            .get_json(&format!("/api/v1/participants/{pid}/engagement"))
            .await;
        assert_eq!(s, StatusCode::OK, "{eng}");
        assert_eq!(eng["data"]["state"], "engaged");
        assert_eq!(eng["data"]["days_since_contact"], 0);
        for c in ["notes", "health", "sud"] {
            let (s, body) = officer
                .get_json(&format!("/api/v1/participants/{pid}/{c}"))
                .await;
            assert_eq!(s, StatusCode::FORBIDDEN, "{c}: {body}");
            assert!(!body.to_string().contains("bridge"));
        }

        // The housing partner reads each piece under its own category only;
        // the sud piece carries the redisclosure notice.
        let (s, notes) = partner
            .get_json(&format!("/api/v1/participants/{pid}/notes"))
            .await;
        assert_eq!(s, StatusCode::OK);
        let text = notes.to_string();
        assert!(text.contains("under the bridge"), "{text}");
        assert!(
            !text.contains("Foot wound") && !text.contains("methadone"),
            "{text}"
        );
        assert_eq!(
            notes["data"]["contacts"][0]["services"],
            json!(["naloxone", "food_clothing"])
        );
        let (_, health) = partner
            .get_json(&format!("/api/v1/participants/{pid}/health"))
            .await;
        assert_eq!(
            health["data"]["contacts"][0]["text"],
            "Foot wound healing, saw the nurse"
        );
        assert!(!health.to_string().contains("methadone"));
        assert!(health.get("redisclosure_notice").is_none());
        let (_, sud) = partner
            .get_json(&format!("/api/v1/participants/{pid}/sud"))
            .await;
        assert_eq!(
            sud["data"]["contacts"][0]["text"],
            "Using less, interested in methadone"
        );
        assert!(
            sud["redisclosure_notice"].as_str().unwrap().len() > 40,
            "{sud}"
        );

        // Profile extras: validated, and read back under identity.
        let (s, e) = cm
            .put(
                &format!("/api/v1/participants/{pid}/profile"),
                &json!({"identifiers": [{"kind": "passport", "value": "x"}]}),
            )
            .await;
        assert_invalid(s, &e, "identifiers[0].kind");
        let (s, _) = cm
        .put(
            &format!("/api/v1/participants/{pid}/profile"),
            &json!({"aliases": ["Dee"], "identifiers": [{"kind": "booking_number", "value": "B2611042"}], "phone": "206-555-0199", "where_to_find": [{"place": "Westlake Park", "times": "mornings"}]}),
        )
        .await;
        assert_eq!(s, StatusCode::NO_CONTENT);
        let (_, idn) = cm
            .get_json(&format!("/api/v1/participants/{pid}/identity"))
            .await;
        assert_eq!(
            idn["data"]["profile"]["identifiers"][0]["value"],
            "B2611042"
        );
        assert_eq!(
            idn["data"]["profile"]["where_to_find"][0]["times"],
            "mornings"
        );
        let (_, hits) = cm.get_json("/api/v1/search?q=dee").await;
        assert_eq!(
            hits[0]["id"],
            pid.as_str(),
            "found by the profile's alias: {hits}"
        );
        let (s, _) = officer
            .get_json(&format!("/api/v1/participants/{pid}/identity"))
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN);

        // The contact fed the month's status.
        let (_, notes) = cm
            .get_json(&format!("/api/v1/participants/{pid}/notes"))
            .await;
        let months = notes["data"]["monthly"].as_array().unwrap();
        let last = months.last().unwrap();
        assert_eq!(last["housing"], "sheltered", "{last}");
        assert_eq!(last["housed"], 0);
        assert_eq!(last["employment"], "seeking");
        assert_eq!(last["income_benefits"], true);
        assert_eq!(last["source"], "contact");
        // An explicit update wins, and a later contact does not overwrite it.
        let month = last["month"].as_str().unwrap().to_string();
        let (s, e) = cm
        .put(&format!("/api/v1/participants/{pid}/monthly/{month}"), &json!({"living_situation": "rental_with_subsidy", "employment": "part_time", "income_benefits": true}))
        .await;
        assert_eq!(s, StatusCode::NO_CONTENT, "{e}");
        cm.post(&format!("/api/v1/participants/{pid}/contacts"), &contact())
            .await;
        let (_, notes) = cm
            .get_json(&format!("/api/v1/participants/{pid}/notes"))
            .await;
        let last = notes["data"]["monthly"]
            .as_array()
            .unwrap()
            .last()
            .unwrap()
            .clone();
        assert_eq!(
            (
                last["housed"].clone(),
                last["employed"].clone(),
                last["source"].clone()
            ),
            (json!(1), json!(1), json!("explicit"))
        );
        let (s, e) = cm
            .put(
                &format!("/api/v1/participants/{pid}/monthly/2026-13"),
                &json!({}),
            )
            .await;
        assert_invalid(s, &e, "month");

        assert_audit_chain_intact(&app).await;
    }
);

both!(goals_and_the_prosecutors_plan_summary, |db| async move {
    let app = TestApp::spawn(db).await;
    let officer = as_user(&app, "officer@demo.test").await;
    let cm = as_user(&app, "casemanager@demo.test").await;
    let prosecutor = as_user(&app, "prosecutor@demo.test").await;
    let pros = agency_of_kind(&cm, "prosecutor").await;
    let pid = enrol(
        &officer,
        &cm,
        "Moss",
        json!([{"agency_id": pros, "categories": ["enrollment", "plan"]}]),
    )
    .await;
    let (s, e) = cm
        .post(
            &format!("/api/v1/participants/{pid}/goals"),
            &json!({"words": "  "}),
        )
        .await;
    assert_invalid(s, &e, "words");
    let (s, g) = cm
        .post(
            &format!("/api/v1/participants/{pid}/goals"),
            &json!({"words": "see my daughter on her birthday", "steps": [{"text": "call the family worker"}, {"text": "bus pass", "done": true}]}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{g}");
    let gid = g["id"].as_str().unwrap();
    let (s, _) = cm
        .put(
            &format!("/api/v1/participants/{pid}/goals/{gid}"),
            &json!({"words": "see my daughter on her birthday", "status": "achieved", "steps": []}),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, e) = cm
        .put(
            &format!("/api/v1/participants/{pid}/goals/{gid}"),
            &json!({"words": "x", "status": "failed"}),
        )
        .await;
    assert_invalid(s, &e, "status");
    let (s, r) = cm
        .post(
            &format!("/api/v1/participants/{pid}/service-referrals"),
            &json!({"provider": "Downtown Clinic", "service": "wound care", "goal_id": gid}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    let (s, _) = cm
        .put(
            &format!(
                "/api/v1/participants/{pid}/service-referrals/{}",
                r["id"].as_str().unwrap()
            ),
            &json!({"outcome": "connected"}),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);

    let (_, plan) = cm
        .get_json(&format!("/api/v1/participants/{pid}/goals"))
        .await;
    assert_eq!(
        plan["data"]["goals"],
        json!(["get an ID card", "see my daughter on her birthday"])
    );
    assert_eq!(plan["data"]["goal_details"][0]["status"], "achieved");
    assert_eq!(plan["data"]["service_referrals"][0]["outcome"], "connected");
    // The prosecutor's extent is a summary: counts and statuses only.
    let (s, plan) = prosecutor
        .get_json(&format!("/api/v1/participants/{pid}/goals"))
        .await;
    assert_eq!(s, StatusCode::OK, "{plan}");
    assert_eq!(plan["extent"], "summary");
    assert_eq!(plan["data"]["goals"], 2);
    assert_eq!(plan["data"]["goal_statuses"]["achieved"], 1);
    assert_eq!(plan["data"]["referral_outcomes"]["connected"], 1);
    let text = plan.to_string();
    assert!(
        !text.contains("daughter") && !text.contains("Clinic") && !text.contains("ID card"),
        "{text}"
    );
    let (s, _) = prosecutor
        .post(
            &format!("/api/v1/participants/{pid}/goals"),
            &json!({"words": "x"}),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
});

both!(
    participation_is_derived_closed_and_reopened_never_failed,
    |db| async move {
        let app = TestApp::spawn(db).await;
        let officer = as_user(&app, "officer@demo.test").await;
        let cm = as_user(&app, "casemanager@demo.test").await;
        let pid = enrol(&officer, &cm, "Lane", json!([])).await;
        let (_, eng) = cm
            .get_json(&format!("/api/v1/participants/{pid}/engagement"))
            .await;
        assert_eq!(eng["data"]["state"], "engaged");
        let (s, e) = cm
            .post(
                &format!("/api/v1/participants/{pid}/close"),
                &json!({"reason": "non_compliance"}),
            )
            .await;
        assert_invalid(s, &e, "reason");
        let (s, e) = cm
            .post(&format!("/api/v1/participants/{pid}/reopen"), &json!({}))
            .await;
        assert_eq!(s, StatusCode::CONFLICT, "{e}");
        let (s, v) = cm
            .post(
                &format!("/api/v1/participants/{pid}/close"),
                &json!({"reason": "moved_away", "note": "to her sister's in Spokane"}),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!(v["state"], "closed");
        let (s, _) = cm
            .post(
                &format!("/api/v1/participants/{pid}/close"),
                &json!({"reason": "other"}),
            )
            .await;
        assert_eq!(s, StatusCode::CONFLICT, "already closed");
        let (_, eng) = cm
            .get_json(&format!("/api/v1/participants/{pid}/engagement"))
            .await;
        assert_eq!(eng["data"]["state"], "closed");
        let (s, v) = cm
            .post(&format!("/api/v1/participants/{pid}/reopen"), &json!({}))
            .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!(v["state"], "engaged");
        assert_eq!(v["participation"]["history"].as_array().unwrap().len(), 2);
        // Nothing anywhere says failed or non-compliant.
        for c in ["engagement", "enrollment", "notes", "plan"] {
            let (_, body) = cm
                .get_json(&format!("/api/v1/participants/{pid}/{c}"))
                .await;
            let t = body.to_string().to_lowercase();
            assert!(
                !t.contains("fail") && !t.contains("complian") && !t.contains("terminat"),
                "{c}: {t}"
            );
        }
    }
);

both!(caseload_limits_warn_and_refuse, |db| async move {
    let app = TestApp::spawn(db).await;
    let officer = as_user(&app, "officer@demo.test").await;
    let cm = as_user(&app, "casemanager@demo.test").await;
    let supervisor = as_user(&app, "supervisor@demo.test").await;
    let me = cm.get_json("/api/v1/me").await.1["user"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    // One participant, then the case manager's caseload raised in the
    // store to 14 more open cases (the workflow makes each the same way).
    let pid = enrol(&officer, &cm, "Park", json!([])).await;
    let (_, first) = cm.get_json("/api/v1/caseloads?view=mine").await;
    assert_eq!(first["cases"].as_array().unwrap().len(), 1, "{first}");
    let extra = |n: usize| {
        let store = app.store.clone();
        let pid = pid.clone();
        async move {
            for _ in 0..n {
                store
                    .conn()
                    .execute(
                        "INSERT INTO participants (id, site_id, person_id, referral_id, agency_id, case_manager_id, intake_at, created_at) \
                         SELECT $1, site_id, person_id, NULL, agency_id, case_manager_id, intake_at, created_at FROM participants WHERE id = $2",
                        handoff_store::args![uuid::Uuid::now_v7(), pid.parse::<uuid::Uuid>().unwrap()],
                    )
                    .await
                    .unwrap();
            }
        }
    };
    extra(14).await; // 15 open cases: at the standard
    let unassign = json!({"case_manager_id": null});
    let other = enrol(&officer, &cm, "Quinn", json!([])).await;
    let (_, v) = supervisor
        .post(&format!("/api/v1/participants/{other}/assign"), &unassign)
        .await;
    assert_eq!(v["assigned"], true, "{v}");
    let (_, un) = supervisor
        .get_json("/api/v1/caseloads?view=unassigned")
        .await;
    assert_eq!(un["cases"][0]["id"], other.as_str(), "{un}");
    let body = json!({"case_manager_id": me});
    let (s, v) = supervisor
        .post(&format!("/api/v1/participants/{other}/assign"), &body)
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(
        v["assigned"], false,
        "above the standard needs confirming: {v}"
    );
    assert_eq!(v["assignment"]["verdict"], "warn");
    assert_eq!(v["assignment"]["warnings"][0]["warning"], "above_standard");
    let (_, v) = supervisor
        .post(
            &format!("/api/v1/participants/{other}/assign"),
            &json!({"case_manager_id": me, "confirm": true}),
        )
        .await;
    assert_eq!(v["assigned"], true, "{v}");
    // 16 now; with 9 more the case manager carries 25: the next is refused.
    extra(9).await;
    let third = enrol(&officer, &cm, "Rowe", json!([])).await;
    supervisor
        .post(&format!("/api/v1/participants/{third}/assign"), &unassign)
        .await;
    let (s, e) = supervisor
        .post(
            &format!("/api/v1/participants/{third}/assign"),
            &json!({"case_manager_id": me, "confirm": true}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{e}");
    assert!(
        e["error"]["message"].as_str().unwrap().contains("26"),
        "{e}"
    );
    let (_, mine) = cm.get_json("/api/v1/caseloads?view=mine").await;
    assert_eq!(mine["cases"].as_array().unwrap().len(), 25);
    // The team view shows the loads; the average across the team of two.
    let (s, team) = supervisor.get_json("/api/v1/caseloads?view=team").await;
    assert_eq!(s, StatusCode::OK, "{team}");
    let load = team["loads"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["user_id"] == me.as_str())
        .unwrap()
        .clone();
    assert_eq!(
        (load["open_cases"].clone(), load["level"].clone()),
        (json!(25), json!("at_ceiling"))
    );
    let (s, _) = officer.get_json("/api/v1/caseloads?view=team").await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (_, e) = cm.get_json("/api/v1/caseloads?view=everyone").await;
    assert_eq!(e["error"]["field"], "view");
});

both!(
    search_tolerates_typos_and_is_for_case_management,
    |db| async move {
        let app = TestApp::spawn(db).await;
        let officer = as_user(&app, "officer@demo.test").await;
        let cm = as_user(&app, "casemanager@demo.test").await;
        let pid = enrol(&officer, &cm, "Castellanos", json!([])).await;
        enrol(&officer, &cm, "Whitfield", json!([])).await;
        let (s, hits) = cm.get_json("/api/v1/search?q=dana%20castelanos").await;
        assert_eq!(s, StatusCode::OK, "{hits}");
        let hits = hits.as_array().unwrap();
        assert_eq!(hits.len(), 1, "{hits:?}");
        assert_eq!(hits[0]["id"], pid.as_str());
        assert_eq!(hits[0]["name"], "Dana Castellanos");
        let (_, by_dob) = cm.get_json("/api/v1/search?q=1988-04-02").await;
        assert_eq!(by_dob.as_array().unwrap().len(), 2);
        // A person referred and not yet a participant is found as a referral.
        let (_, r) = officer.post("/api/v1/referrals", &arrest("Montoya")).await;
        let (_, hits) = cm.get_json("/api/v1/search?q=montoyo").await;
        assert_eq!(hits[0]["kind"], "referral", "{hits}");
        assert_eq!(hits[0]["referral"]["id"], r["id"]);
        assert_eq!(hits[0]["referral"]["status"], "awaiting_handoff");
        let (_, none) = cm.get_json("/api/v1/search?q=Fitzgerald").await;
        assert_eq!(none.as_array().unwrap().len(), 0);
        for who in [
            "officer@demo.test",
            "prosecutor@demo.test",
            "partner@demo.test",
            "admin@demo.test",
        ] {
            let u = as_user(&app, who).await;
            let (s, body) = u.get_json("/api/v1/search?q=castelanos").await;
            assert_eq!(s, StatusCode::FORBIDDEN, "{who}");
            assert!(!body.to_string().contains("Castellanos"));
        }
    }
);

both!(
    documents_are_size_limited_and_type_checked,
    |db| async move {
        let app = TestApp::spawn(db).await;
        let officer = as_user(&app, "officer@demo.test").await;
        let cm = as_user(&app, "casemanager@demo.test").await;
        let pid = enrol(&officer, &cm, "Ng", json!([])).await;
        let upload = |who: &TestApp, bytes: Vec<u8>, ct: &str| {
            who.client
                .post(who.url(&format!(
                    "/api/v1/participants/{pid}/documents?kind=roi_form&filename=roi.pdf"
                )))
                .header("X-CSRF-Token", who.csrf.clone().unwrap_or_default())
                .header("Content-Type", ct.to_string())
                .body(bytes)
                .send()
        };
        let pdf = b"%PDF-1.4\n% a signed release\n".to_vec();
        let r = upload(&cm, pdf.clone(), "application/pdf").await.unwrap();
        assert_eq!(r.status(), StatusCode::CREATED);
        let v: Value = r.json().await.unwrap();
        assert_eq!(v["content_type"], "application/pdf");
        // A script claiming to be a PDF is refused by its bytes.
        let r = upload(
            &cm,
            b"<script>alert(1)</script>".to_vec(),
            "application/pdf",
        )
        .await
        .unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let v: Value = r.json().await.unwrap();
        assert_eq!(v["error"]["field"], "file");
        let mut big = b"%PDF-1.4\n".to_vec();
        big.resize(5 * 1024 * 1024 + 10, b'x');
        let r = upload(&cm, big, "application/pdf").await.unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let r = upload(&officer, pdf, "application/pdf").await.unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
    }
);

both!(pages_show_only_what_the_guard_allows, |db| async move {
    let app = TestApp::spawn(db).await;
    let officer = as_user(&app, "officer@demo.test").await;
    let cm = as_user(&app, "casemanager@demo.test").await;
    let police = agency_of_kind(&cm, "police").await;
    let pid = enrol(
        &officer,
        &cm,
        "Reyes",
        json!([{"agency_id": police, "categories": ["enrollment", "engagement"]}]),
    )
    .await;
    let form = cm.get(&format!("/participants/{pid}/contacts/new")).await;
    assert_eq!(form.status(), StatusCode::OK);
    let html = form.text().await.unwrap();
    assert!(html.contains("Contact with Dana Reyes") && html.contains("name=\"services\""));
    let csrf = hidden_field(&html, "csrf_token").unwrap();
    let r = cm
        .client
        .post(cm.url(&format!("/participants/{pid}/contacts")))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(format!("csrf_token={csrf}&place=shelter&services=naloxone&services=transport&note=Rode+to+the+clinic&sud=Asked+about+buprenorphine"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = cm
        .client
        .post(cm.url(&format!("/participants/{pid}/contacts")))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(format!("csrf_token={csrf}&place=moon"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = cm
        .get(&format!("/participants/{pid}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("Rode to the clinic")
            && page.contains("buprenorphine")
            && page.contains("Naloxone"),
        "{page}"
    );
    assert!(
        page.contains("Alex Rivera (1)"),
        "the assignment list shows loads"
    );
    // The officer's copy: engagement and enrolment only.
    let r = officer.get(&format!("/participants/{pid}")).await;
    assert_eq!(r.status(), StatusCode::OK);
    let page = r.text().await.unwrap();
    assert!(page.contains("Engagement") && page.contains("Last contact"));
    assert!(
        !page.contains("Rode to the clinic")
            && !page.contains("buprenorphine")
            && !page.contains("Log a contact"),
        "{page}"
    );
    assert_eq!(
        officer
            .get(&format!("/participants/{pid}/contacts/new"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    // The caseload and the search.
    let page = cm.get("/caseload").await.text().await.unwrap();
    assert!(
        page.contains("Dana Reyes") && page.contains("Contact today"),
        "{page}"
    );
    let page = cm.get("/search?q=dana+reyse").await.text().await.unwrap();
    assert!(page.contains("Dana Reyes"));
    assert_eq!(
        officer.get("/caseload").await.status(),
        StatusCode::FORBIDDEN
    );
});
both!(the_demo_site_is_realistic, |db| async move {
    let app = TestApp::spawn(db).await;
    let started = std::time::Instant::now();
    let report = handoff_seed::data::populate(&app.store).await.unwrap();
    eprintln!("demo data: {report:?} in {:?}", started.elapsed());
    assert!(report.participants >= 200, "{report:?}");
    assert!(report.contacts >= 2000, "{report:?}");
    // Idempotent: a second run adds nothing.
    let again = handoff_seed::data::populate(&app.store).await.unwrap();
    assert_eq!(again.participants, 0);
    let supervisor = as_user(&app, "supervisor@demo.test").await;
    let (_, team) = supervisor.get_json("/api/v1/caseloads?view=team").await;
    let loads: Vec<i64> = team["loads"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["open_cases"].as_i64().unwrap())
        .collect();
    assert!(loads.len() >= 5, "{loads:?}");
    assert!(loads.iter().all(|n| *n <= 25), "{loads:?}");
    assert!(loads.iter().any(|n| *n > 15), "{loads:?}");
    let (_, mine) = supervisor
        .get_json("/api/v1/caseloads?view=unassigned")
        .await;
    assert!(!mine["cases"].as_array().unwrap().is_empty());
    let (_, holds) = as_user(&app, "prosecutor@demo.test")
        .await
        .get_json("/api/v1/holds")
        .await;
    let states: std::collections::BTreeSet<String> = holds
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["state"].as_str().unwrap().to_string())
        .collect();
    assert!(
        states.contains("pending") && states.contains("satisfied") && states.contains("lapsed"),
        "{states:?}"
    );
    assert_audit_chain_intact(&app).await;
});
