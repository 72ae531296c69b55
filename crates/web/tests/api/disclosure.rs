//! The authorisation matrix through the HTTP API: every role × every
//! category × release state (none, granted, granted to another
//! organisation, expired, revoked) × own / other agency, against the matrix
//! of DESIGN.md §3 written out by hand below — allowed cells answer 200,
//! denied cells 403 (the caller may know the participant exists) or 404.
//! Changing any single cell of the policy fails this test.

use crate::both;
use crate::fixtures::*;
use crate::helpers::*;
use handoff_domain::{AgencyKind, DataCategory, Role};
use handoff_web::accounts::{self, Actor};
use reqwest::StatusCode;
use serde_json::{Value, json};

const ALL: &str = "IDEHGPNMSJ";

/// Edits a stored release's content in place, behind the services' checks.
async fn rewrite_release(app: &TestApp, rel_id: &str, edit: impl FnOnce(&mut Value)) {
    let rid: uuid::Uuid = rel_id.parse().unwrap();
    let mut c = app.store.conn();
    let (content,): (String,) = c
        .fetch_one(
            "SELECT content FROM releases WHERE id = $1",
            handoff_store::args![rid],
        )
        .await
        .unwrap();
    let mut v: Value = serde_json::from_str(&content).unwrap();
    edit(&mut v);
    c.execute(
        "UPDATE releases SET content = $2 WHERE id = $1",
        handoff_store::args![rid, v.to_string()],
    )
    .await
    .unwrap();
}

fn letter(c: DataCategory) -> char {
    match c {
        DataCategory::Identity => 'I',
        DataCategory::Demographics => 'D',
        DataCategory::Enrollment => 'E',
        DataCategory::Hold => 'H',
        DataCategory::Engagement => 'G',
        DataCategory::Plan => 'P',
        DataCategory::Notes => 'N',
        DataCategory::Health => 'M',
        DataCategory::Sud => 'S',
        DataCategory::Justice => 'J',
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Rel {
    Own,
    Other,
}

/// Release states, in this order: none, granted, granted to another
/// organisation, expired, revoked.
const STATES: [&str; 5] = ["none", "granted", "granted_to_other", "expired", "revoked"];

#[rustfmt::skip]
const EXPECTED: &[(Role, Rel, [&str; 5])] = &[
    // role                 relation    none      granted   to other  expired   revoked
    (Role::CaseManager,       Rel::Own,   [ALL,      ALL,      ALL,      ALL,      ALL     ]),
    (Role::CaseManager,       Rel::Other, ["",       "",       "",       "",       ""      ]),
    (Role::Supervisor,        Rel::Own,   [ALL,      ALL,      ALL,      ALL,      ALL     ]),
    (Role::Supervisor,        Rel::Other, ["",       "",       "",       "",       ""      ]),
    (Role::Officer,           Rel::Own,   ["H",      "EHG",    "H",      "H",      "H"     ]),
    (Role::Officer,           Rel::Other, ["",       "EG",     "",       "",       ""      ]),
    (Role::Prosecutor,        Rel::Own,   ["H",      "EHGP",   "H",      "H",      "H"     ]),
    (Role::Prosecutor,        Rel::Other, ["",       "EGP",    "",       "",       ""      ]),
    (Role::Partner,           Rel::Own,   ["",       ALL,      "",       "",       ""      ]),
    (Role::Partner,           Rel::Other, ["",       ALL,      "",       "",       ""      ]),
    (Role::CommunityReferrer, Rel::Own,   ["",       "",       "",       "",       ""      ]),
    (Role::CommunityReferrer, Rel::Other, ["",       "",       "",       "",       ""      ]),
    (Role::Oversight,         Rel::Own,   ["",       "",       "",       "",       ""      ]),
    (Role::Oversight,         Rel::Other, ["",       "",       "",       "",       ""      ]),
    (Role::Evaluator,         Rel::Own,   ["DEHGPJ", "DEHGPJ", "DEHGPJ", "DEHGPJ", "DEHGPJ"]),
    (Role::Evaluator,         Rel::Other, ["DEHGPJ", "DEHGPJ", "DEHGPJ", "DEHGPJ", "DEHGPJ"]),
    (Role::SiteAdmin,         Rel::Own,   ["",       "",       "",       "",       ""      ]),
    (Role::SiteAdmin,         Rel::Other, ["",       "",       "",       "",       ""      ]),
    (Role::Bureau,            Rel::Own,   ["",       "",       "",       "",       ""      ]),
    (Role::Bureau,            Rel::Other, ["",       "",       "",       "",       ""      ]),
];

fn demo_login(role: Role) -> &'static str {
    handoff_seed::USERS.iter().find(|u| u.2 == role).unwrap().0
}

fn kind_of(role: Role) -> AgencyKind {
    handoff_seed::USERS.iter().find(|u| u.2 == role).unwrap().3
}

/// A release naming `agencies` for every category, with Part 2 elements.
fn roi(agencies: &[String], expires_on: &str) -> Value {
    let cats: Vec<&str> = DataCategory::ALL.iter().map(|c| c.as_str()).collect();
    json!({
        "recipients": agencies.iter().map(|a| json!({"agency_id": a, "categories": cats})).collect::<Vec<_>>(),
        "purpose": "case conferencing",
        "expires_on": expires_on,
        "signature": {"method": "drawn", "image_base64": PNG},
        "part2": {"discloser": "Evergreen Harm Reduction Services", "information": "SUD treatment status", "right_to_revoke_acknowledged": true}
    })
}

both!(
    every_role_category_release_state_and_agency,
    |db| async move {
        let app = TestApp::spawn(db).await;
        let site = demo_site(&app).await;

        // A second agency of every kind, with a user of each role in it.
        let mut others = Vec::new();
        for (_, _, role, kind) in handoff_seed::USERS {
            let name = format!("Other {}", kind.label());
            let agency = agency_named(&app, &name, *kind).await;
            let email = format!("other.{}@demo.test", role.as_str());
            demo_user(&app, (agency.site_id, agency.id), &email, "Other", *role).await;
            others.push((*role, email));
        }
        let unrelated = accounts::create_agency(
            &app.store,
            Actor::Cli,
            site,
            "Unrelated Agency",
            AgencyKind::Health,
        )
        .await
        .unwrap();
        let all_agencies: Vec<String> =
            handoff_store::orgs::list_agencies(&mut app.store.conn(), site)
                .await
                .unwrap()
                .into_iter()
                .filter(|a| a.id != unrelated.id)
                .map(|a| a.id.to_string())
                .collect();

        // Five participants, referred by the demo officer, served by the demo
        // case-management agency, one per release state.
        let officer = as_user(&app, "officer@demo.test").await;
        let cm = as_user(&app, "casemanager@demo.test").await;
        let mut participants = Vec::new();
        for state in STATES {
            let (_, r) = officer.post("/api/v1/referrals", &arrest(state)).await;
            let rid = r["id"].as_str().unwrap().to_string();
            cm.post(&format!("/api/v1/referrals/{rid}/accept"), &json!({}))
                .await;
            let (s, i) = cm.post(&format!("/api/v1/referrals/{rid}/intake"), &json!({"living_situation": "emergency_shelter", "participant_goals": ["see my kids"], "substance_use": "opioid use disorder, on buprenorphine", "mental_health": "depression"})).await;
            assert_eq!(s, StatusCode::CREATED, "{i}");
            let pid = i["participant_id"].as_str().unwrap().to_string();
            let release = match state {
                "none" => None,
                "granted_to_other" => Some(roi(&[unrelated.id.to_string()], "2099-12-31")),
                _ => Some(roi(&all_agencies, "2099-12-31")),
            };
            if let Some(body) = release {
                // The services refuse a release naming what the rules never
                // deliver; one that does anyway (signed before that rule, or
                // written around it) is put in the store, and the engine
                // must still cap it.
                let narrow = json!({
                    "recipients": [{"agency_id": unrelated.id.to_string(), "categories": ["enrollment"]}],
                    "purpose": "case conferencing",
                    "expires_on": "2099-12-31",
                    "signature": {"method": "drawn", "image_base64": PNG}
                });
                let rel = sign_release(&cm, &pid, &narrow).await;
                let rel_id = rel["id"].as_str().unwrap().to_string();
                rewrite_release(&app, &rel_id, |v| {
                    v["form"]["recipients"] = body["recipients"].clone();
                    v["form"]["part2"] = body["part2"].clone();
                })
                .await;
                match state {
                    "revoked" => {
                        assert_eq!(
                            cm.post(&format!("/api/v1/releases/{rel_id}/revoke"), &json!({}))
                                .await
                                .0,
                            StatusCode::NO_CONTENT
                        );
                    }
                    "expired" => {
                        // A release cannot be signed already expired: age this one in the database.
                        rewrite_release(&app, &rel_id, |v| {
                            v["form"]["effective_on"] = json!("2025-01-01");
                            v["form"]["expires_on"] = json!("2025-12-31");
                            v["effective_on"] = json!("2025-01-01");
                        })
                        .await;
                        let rid: uuid::Uuid = rel_id.parse().unwrap();
                        app.store
                            .conn()
                            .execute(
                                "UPDATE releases SET effective_on = $2, expires_on = $3 WHERE id = $1",
                                handoff_store::args![rid, "2025-01-01", "2025-12-31"],
                            )
                            .await
                            .unwrap();
                    }
                    _ => {}
                }
            }
            participants.push((state, pid));
        }

        // Walk the matrix.
        let mut cells = 0;
        let mut allowed_cells = 0;
        let mut export_only_cells = 0;
        for (role, rel, row) in EXPECTED {
            let login = match rel {
                Rel::Own => demo_login(*role).to_string(),
                Rel::Other => others.iter().find(|(r, _)| r == role).unwrap().1.clone(),
            };
            let viewer = as_user(&app, &login).await;
            for (i, (state, pid)) in participants.iter().enumerate() {
                let expected = row[i];
                for c in DataCategory::ALL {
                    cells += 1;
                    let allowed = expected.contains(letter(*c));
                    let (status, body) = viewer
                        .get_json(&format!("/api/v1/participants/{pid}/{}", c.as_str()))
                        .await;
                    // The evaluator's limited data set is given only in the
                    // evaluation export, under per-export pseudonyms: a read by
                    // internal id is refused and points there.
                    let export_only = allowed && *role == Role::Evaluator;
                    let want = if allowed && !export_only {
                        StatusCode::OK
                    } else if !expected.is_empty() {
                        StatusCode::FORBIDDEN
                    } else {
                        StatusCode::NOT_FOUND
                    };
                    assert_eq!(
                        status,
                        want,
                        "{role} ({rel:?}, {:?}) reading {c} under release {state}: {body}",
                        kind_of(*role)
                    );
                    if export_only {
                        export_only_cells += 1;
                        assert!(
                            body.to_string().contains("/api/v1/exports/evaluation"),
                            "{body}"
                        );
                    } else if allowed {
                        allowed_cells += 1;
                        assert_eq!(body["category"], c.as_str());
                        assert_eq!(
                            body["redisclosure_notice"].is_string(),
                            *c == DataCategory::Sud,
                            "{role} {c}: Part 2 notice on sud only"
                        );
                    }
                }
            }
            // The list shows exactly the participants with any allowed category
            // (none to the evaluator: the list is by internal id).
            let (_, list) = viewer.get_json("/api/v1/participants").await;
            let listed = list.as_array().unwrap().len();
            let expected_listed = if *role == Role::Evaluator {
                0
            } else {
                row.iter().filter(|s| !s.is_empty()).count()
            };
            assert_eq!(listed, expected_listed, "{role} ({rel:?}) participant list");
        }
        assert_eq!(cells, 1000);
        assert_eq!(
            (allowed_cells, export_only_cells),
            (140, 60),
            "allowed cells in the matrix"
        );

        // Every read and denial was audited with its category; the chain holds.
        let reads = audit_entries(&app, "participant.read").await;
        assert_eq!(reads.len(), 1000);
        assert_eq!(
            reads
                .iter()
                .filter(|e| e.event.outcome == handoff_audit::Outcome::Allowed)
                .count(),
            140
        );
        assert!(
            reads
                .iter()
                .all(|e| e.event.categories.len() == 1 && e.event.subject_participant_id.is_some())
        );
        assert_audit_chain_intact(&app).await;
    }
);

both!(extents_trim_what_a_role_receives, |db| async move {
    let app = TestApp::spawn(db).await;
    let officer = as_user(&app, "officer@demo.test").await;
    let cm = as_user(&app, "casemanager@demo.test").await;
    let (_, r) = officer.post("/api/v1/referrals", &arrest("Reyes")).await;
    let rid = r["id"].as_str().unwrap();
    cm.post(&format!("/api/v1/referrals/{rid}/accept"), &json!({}))
        .await;
    let (_, i) = cm.post(&format!("/api/v1/referrals/{rid}/intake"), &json!({"living_situation": "unsheltered", "participant_goals": ["get an ID card", "reconnect with my sister"]})).await;
    let pid = i["participant_id"].as_str().unwrap();
    let pros = agency_of_kind(&cm, "prosecutor").await;
    let mut body = json!({"recipients": [{"agency_id": pros, "categories": ["enrollment", "plan", "notes"]}], "purpose": "coordination", "expires_on": "2099-01-01", "signature": {"method": "drawn", "image_base64": PNG}});
    // A release may not name notes for the prosecutor at all …
    let (s, e) = cm
        .post(&format!("/api/v1/participants/{pid}/releases"), &body)
        .await;
    assert_invalid(s, &e, "recipients[0].categories[2]");
    body["recipients"][0]["categories"] = json!(["enrollment", "plan"]);
    sign_release(&cm, pid, &body).await;
    // The prosecutor's plan is a summary: no goals in the participant's words.
    let prosecutor = as_user(&app, "prosecutor@demo.test").await;
    let (s, plan) = prosecutor
        .get_json(&format!("/api/v1/participants/{pid}/plan"))
        .await;
    assert_eq!(s, StatusCode::OK, "{plan}");
    assert_eq!(plan["extent"], "summary");
    assert_eq!(plan["data"]["goals"], 2);
    assert!(!plan.to_string().contains("sister"));
    // … and notes never reach enforcement.
    assert_eq!(
        prosecutor
            .get_json(&format!("/api/v1/participants/{pid}/notes"))
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    // The evaluator's demographics are a limited data set: no date of birth
    // (the content the evaluation export draws on), and never by internal id.
    let state = app_state(&app);
    let site = demo_site(&app).await;
    let ctx = handoff_web::workflow::SiteCtx::load(&state, site)
        .await
        .unwrap();
    let p = handoff_store::casework::get_participant(
        &mut app.store.conn(),
        site,
        uuid::Uuid::parse_str(pid).unwrap().into(),
    )
    .await
    .unwrap();
    // The export's grant: a system task, at the limited data set.
    let grant = handoff_store::access::unguarded(
        &p,
        DataCategory::Demographics,
        handoff_store::access::SystemTask::EvaluationExport,
    );
    let d = handoff_web::views::CategoryView::load(
        &state,
        &ctx,
        &p,
        &grant,
        ctx.tz.at(handoff_web::now()),
    )
    .await
    .unwrap();
    let d = serde_json::to_value(&d).unwrap();
    assert_eq!(d["birth_year"], "1988");
    assert!(d.get("dob").is_none(), "{d}");
    let evaluator = as_user(&app, "evaluator@demo.test").await;
    let (s, d) = evaluator
        .get_json(&format!("/api/v1/participants/{pid}/demographics"))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{d}");
    // Case management sees it all, and an empty category is an empty value.
    let (s, j) = cm
        .get_json(&format!("/api/v1/participants/{pid}/justice"))
        .await;
    assert_eq!((s, j["data"].clone()), (StatusCode::OK, json!([])));
    let (_, g) = cm
        .get_json(&format!("/api/v1/participants/{pid}/plan"))
        .await;
    assert_eq!(
        g["data"]["goals"],
        json!(["get an ID card", "reconnect with my sister"])
    );
    // Unknown categories and ids look like nothing.
    assert_eq!(
        cm.get_json(&format!("/api/v1/participants/{pid}/everything"))
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        cm.get_json("/api/v1/participants/0190a000-0000-7000-8000-000000000001/identity")
            .await
            .0,
        StatusCode::NOT_FOUND
    );
});
