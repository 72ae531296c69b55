//! Research use, replayed from the outside review: an evaluator's answers
//! must carry no internal participant, person, referral or hold id (they
//! defeat the per-export pseudonyms), and two exports must not be joinable
//! on their person ids.

use crate::both;
use crate::fixtures::*;
use crate::helpers::*;
use handoff_store::referrals::Filter;
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::collections::BTreeSet;

/// A participant through the API (referral, hand-off, intake), born in
/// `born`; returns the participant's and the referral's ids.
async fn participant(app: &TestApp, last: &str, born: i32) -> (String, String) {
    let mut body = arrest(last);
    body["person"]["dob"] = json!(format!("{born}-04-02"));
    demo_participant(app, &body, "an ID card").await
}

/// The evaluation export's URL, with a study end that gives today's
/// referrals their year of follow-up.
fn export_url() -> String {
    let end = (handoff_web::now() + time::Duration::days(400)).date();
    format!(
        "/api/v1/exports/evaluation?to={}",
        handoff_store::referrals::iso(end)
    )
}

/// Every internal id of the site's participants, persons, referrals and
/// holds, hyphenated and simple.
async fn internal_ids(app: &TestApp) -> BTreeSet<String> {
    let site = demo_site(app).await;
    let mut c = app.store.conn();
    let mut uuids: Vec<uuid::Uuid> = Vec::new();
    for p in handoff_store::casework::list_participants(&mut c, site)
        .await
        .unwrap()
    {
        uuids.push(*p.id.as_uuid());
        uuids.push(*p.person_id.as_uuid());
    }
    for r in handoff_store::referrals::list(&mut c, site, Filter::All, i64::MAX)
        .await
        .unwrap()
    {
        uuids.push(*r.id.as_uuid());
        uuids.push(*r.person_id.as_uuid());
        if let Some(h) = handoff_store::holds::for_referral(&mut c, site, r.id)
            .await
            .unwrap()
        {
            uuids.push(*h.hold.id.as_uuid());
        }
    }
    uuids
        .iter()
        .flat_map(|u| [u.hyphenated().to_string(), u.simple().to_string()])
        .collect()
}

fn leaks<'a>(body: &str, ids: &'a BTreeSet<String>) -> Vec<&'a String> {
    let body = body.to_ascii_lowercase();
    ids.iter().filter(|id| body.contains(id.as_str())).collect()
}

/// The paths an evaluator might try: every documented GET (ids and
/// categories filled in with the site's own) and the pages.
async fn evaluator_paths(app: &TestApp, ids: &[String]) -> Vec<String> {
    let doc: Value = app.get("/api/v1/openapi.json").await.json().await.unwrap();
    let mut paths = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        if item.get("get").is_none() || path == "/api/v1/events" {
            // The live stream is probed on its own below.
            continue;
        }
        if !path.contains('{') {
            paths.push(path.clone());
            continue;
        }
        for id in ids {
            let p = path.replace("{id}", id);
            if p.contains("{category}") {
                for c in handoff_domain::DataCategory::ALL {
                    paths.push(p.replace("{category}", c.as_str()));
                }
            } else if !p.contains('{') {
                paths.push(p);
            }
        }
    }
    for page in [
        "/",
        "/evaluation",
        "/referrals",
        "/handoffs",
        "/holds",
        "/caseload",
        "/search?q=Okonkwo",
        "/owg",
        "/coordination",
        "/approvals",
        "/oversight",
        "/supervisor",
        "/review",
    ] {
        paths.push(page.to_string());
    }
    for id in ids {
        paths.push(format!("/referrals/{id}"));
        paths.push(format!("/participants/{id}"));
        paths.push(format!("/coordination/{id}"));
        paths.push(format!("/owg/{id}"));
    }
    paths
}

both!(
    an_evaluator_never_receives_internal_participant_ids,
    |db| async move {
        let app = TestApp::spawn(db).await;
        let (p1, r1) = participant(&app, "Okonkwo", 1980).await;
        let (p2, r2) = participant(&app, "Quintero", 1990).await;
        let ids = internal_ids(&app).await;
        assert!(ids.contains(&p1) && ids.contains(&r2), "{ids:?}");
        let site = demo_site(&app).await;
        let mut probe_ids = vec![p1.clone(), p2.clone(), r1.clone(), r2.clone()];
        for r in [&r1, &r2] {
            let rid = handoff_domain::ReferralId::from(uuid::Uuid::parse_str(r).unwrap());
            if let Some(h) = handoff_store::holds::for_referral(&mut app.store.conn(), site, rid)
                .await
                .unwrap()
            {
                probe_ids.push(h.hold.id.as_uuid().to_string());
            }
        }
        let evaluator = as_user(&app, "evaluator@demo.test").await;
        let mut leaked = Vec::new();
        for path in evaluator_paths(&app, &probe_ids).await {
            let r = evaluator.get(&path).await;
            let status = r.status();
            let body = r.text().await.unwrap();
            // A refusal may name the path it was asked about; an answer may not
            // carry any other internal id.
            let found: Vec<&String> = leaks(&body, &ids)
                .into_iter()
                .filter(|id| {
                    !path.to_ascii_lowercase().contains(id.as_str()) || status.is_success()
                })
                .collect();
            if !found.is_empty() {
                leaked.push(format!("GET {path} ({status}): {found:?}"));
            }
        }
        assert!(
            leaked.is_empty(),
            "internal ids reach the evaluator:\n{}",
            leaked.join("\n")
        );
        // Where the limited data set is addressed by internal id, the evaluator
        // is refused and pointed to the export.
        let (s, v) = evaluator
            .get_json(&format!("/api/v1/participants/{p1}/demographics"))
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
        assert!(
            v["error"]["message"]
                .as_str()
                .unwrap_or_default()
                .contains("/api/v1/exports/evaluation"),
            "{v}"
        );
        // The export itself still works.
        let (s, files) = evaluator.get_json(&export_url()).await;
        assert_eq!(s, StatusCode::OK, "{files}");
        assert!(
            files["participants.csv"].as_str().unwrap().lines().count() == 3,
            "{files}"
        );
        assert!(leaks(&files.to_string(), &ids).is_empty());
    }
);

/// The person ids of one export, in the order of `participants.csv`
/// (index date, group, sex, race — everything but the id), so two exports
/// can be compared person by person.
fn ids_by_person(files: &Value) -> Vec<(String, String)> {
    let mut rows: Vec<(String, String)> = files["participants.csv"]
        .as_str()
        .unwrap()
        .lines()
        .skip(1)
        .map(|l| {
            let (id, rest) = l.split_once(',').unwrap();
            (rest.to_string(), id.to_string())
        })
        .collect();
    rows.sort();
    rows
}

both!(
    two_evaluation_exports_give_different_pseudonyms,
    |db| async move {
        let app = TestApp::spawn(db).await;
        // Enough people that a chance match of every number is negligible.
        for (i, last) in [
            "Okonkwo",
            "Quintero",
            "Abara",
            "Lindqvist",
            "Moreau",
            "Tanaka",
            "Silva",
            "Haddad",
        ]
        .iter()
        .enumerate()
        {
            participant(&app, last, 1960 + 3 * i as i32).await;
        }
        let evaluator = as_user(&app, "evaluator@demo.test").await;
        let url = export_url();
        let (s, a) = evaluator.get_json(&url).await;
        assert_eq!(s, StatusCode::OK, "{a}");
        let (_, b) = evaluator.get_json(&url).await;
        let (a, b) = (ids_by_person(&a), ids_by_person(&b));
        assert_eq!(a.len(), 8, "{a:?}");
        let numbers = |x: &[(String, String)]| -> BTreeSet<String> {
            x.iter().map(|(_, id)| id.clone()).collect()
        };
        assert_eq!(numbers(&a), (1..=8).map(|i| i.to_string()).collect());
        assert_eq!(numbers(&a), numbers(&b), "numbered 1..n each time");
        // The same people, in the same order by their data; if the numbers
        // were stable the two lists would match.
        assert_eq!(
            a.iter().map(|x| &x.0).collect::<Vec<_>>(),
            b.iter().map(|x| &x.0).collect::<Vec<_>>()
        );
        assert_ne!(a, b, "two exports give the same pseudonyms");
    }
);

both!(
    without_research_use_the_web_paths_refuse_and_say_so,
    |db| async move {
        let app = TestApp::spawn(db).await;
        let evaluator = as_user(&app, "evaluator@demo.test").await;
        let page = evaluator.get("/evaluation").await.text().await.unwrap();
        assert!(page.contains("/api/v1/exports/evaluation"), "{page}");
        let admin = as_user(&app, "admin@demo.test").await;
        change_policy(&admin, |p| p["research_use_allowed"] = json!(false)).await;
        let (s, v) = evaluator.get_json(&export_url()).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
        assert!(v.to_string().contains("does not allow research use"), "{v}");
        let page = evaluator.get("/evaluation").await.text().await.unwrap();
        assert!(page.contains("does not allow research use"), "{page}");
        let site = demo_site(&app).await;
        let audits =
            handoff_store::audit::by_action(&mut app.store.conn(), Some(site), "export.evaluation")
                .await
                .unwrap();
        assert!(
            audits
                .iter()
                .any(|e| e.event.outcome == handoff_audit::Outcome::Denied
                    && e.event.subject_ref.as_deref()
                        == Some("export:evaluation:refused:research_use")),
            "the refusal is audited"
        );
    }
);
