//! What the organisations outside case management may ask: an officer's
//! look-up of participation by name and date of birth (answered only where
//! the person's release discloses `enrollment` to the police, and otherwise
//! the same empty answer whether or not the person exists), and a partner's
//! list of the participants whose release names it.

use crate::both;
use crate::fixtures::*;
use crate::helpers::*;
use handoff_domain::{AgencyKind, Role};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::collections::BTreeSet;

/// The raw answer of a look-up: status and body text.
async fn look_up(who: &TestApp, last: &str, first: &str, dob: &str) -> (StatusCode, String) {
    let r = who
        .get(&format!(
            "/api/v1/lookup?last_name={last}&first_name={first}&dob={dob}"
        ))
        .await;
    (r.status(), r.text().await.unwrap())
}

/// A participant of the demo case manager named Dana `last`, born 1988-04-02.
async fn dana(app: &TestApp, last: &str) -> String {
    demo_participant(app, &arrest(last), "a room").await.0
}

/// Dana `last`, with a release signed to `agency` for `categories` (and
/// revoked at once when `revoked`).
async fn released(
    app: &TestApp,
    cm: &TestApp,
    last: &str,
    agency: &str,
    categories: &[&str],
    revoked: bool,
) -> String {
    let pid = dana(app, last).await;
    let rel = sign_release(
        cm,
        &pid,
        &release_to(agency, categories, "care coordination"),
    )
    .await;
    if revoked {
        let path = format!("/api/v1/releases/{}/revoke", rel["id"].as_str().unwrap());
        let (s, v) = cm.post(&path, &json!({})).await;
        assert!(s.is_success(), "{s}: {v}");
    }
    pid
}

both!(
    an_officer_learns_participation_only_where_the_release_discloses_enrollment,
    |db| async move {
        let app = TestApp::spawn(db).await;
        let officer = as_user(&app, "officer@demo.test").await;
        let cm = as_user(&app, "casemanager@demo.test").await;
        let police = agency_of_kind(&cm, "police").await;
        let housing = agency_of_kind(&cm, "housing").await;
        let shared = released(&app, &cm, "Okafor", &police, &["enrollment"], false).await;
        // Released to someone else only, and released to the police then revoked.
        released(&app, &cm, "Lindqvist", &housing, &["enrollment"], false).await;
        released(&app, &cm, "Marchetti", &police, &["enrollment"], true).await;

        let me = user(&app, "casemanager@demo.test").await;
        let (s, body) = look_up(&officer, "Okafor", "Dana", "1988-04-02").await;
        assert_eq!(s, StatusCode::OK, "{body}");
        let v: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(
            v,
            json!({"matches": [{"participant": true, "case_manager": {"name": me.display_name, "phone": "(206) 555-0100"}}]})
        );
        // The phone an administrator set last; a typo in the name still matches.
        handoff_web::accounts::set_phone(
            &app.store,
            handoff_web::accounts::Actor::Cli,
            me.site_id,
            me.id,
            "(206) 555-0142",
        )
        .await
        .unwrap();
        let (_, body) = look_up(&officer, "okafr", "dana", "1988-04-02").await;
        let v: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(
            v["matches"][0]["case_manager"]["phone"], "(206) 555-0142",
            "{v}"
        );

        // Without such a release, the answer is byte for byte that for no one.
        let (_, nobody) = look_up(&officer, "Nobody", "Dana", "1988-04-02").await;
        assert_eq!(nobody, r#"{"matches":[]}"#);
        for (last, dob) in [
            ("Lindqvist", "1988-04-02"),
            ("Marchetti", "1988-04-02"),
            ("Okafor", "1988-04-03"),
            ("Thompson", "1988-04-02"),
        ] {
            let (s, body) = look_up(&officer, last, "Dana", dob).await;
            assert_eq!(
                (s, body.as_str()),
                (StatusCode::OK, nobody.as_str()),
                "{last} {dob}"
            );
        }

        // Audited, every look-up: the one that disclosed names the participant.
        let entries = audited(&app, "participant.lookup").await;
        assert_eq!(entries.len(), 7, "{entries:?}");
        let named: Vec<&Value> = entries
            .iter()
            .filter(|e| e["participants"].as_array().is_some_and(|p| !p.is_empty()))
            .collect();
        assert_eq!(named.len(), 2);
        assert!(named.iter().all(|e| e["participants"] == json!([shared])));
        assert!(
            entries
                .iter()
                .all(|e| e["categories"] == json!(["enrollment"]))
        );
        assert!(entries.iter().all(|e| e["outcome"] == "allowed"));
        assert_audit_chain_intact(&app).await;
    }
);

both!(
    the_look_up_is_for_officers_and_checks_what_is_typed,
    |db| async move {
        let app = TestApp::spawn(db).await;
        let officer = as_user(&app, "officer@demo.test").await;
        for (query, field) in [
            ("last_name=Reyes&first_name=Dana&dob=1988-13-40", "dob"),
            ("last_name=Reyes&first_name=Dana&dob=04/02/1988", "dob"),
            ("last_name=Reyes&first_name=Dana", "dob"),
            ("first_name=Dana&dob=1988-04-02", "last_name"),
            (
                "last_name=Reyes&first_name=%20&dob=1988-04-02",
                "first_name",
            ),
        ] {
            let (s, v) = officer.get_json(&format!("/api/v1/lookup?{query}")).await;
            assert_invalid(s, &v, field);
        }
        for who in [
            "casemanager@demo.test",
            "community@demo.test",
            "evaluator@demo.test",
            "partner@demo.test",
            "prosecutor@demo.test",
        ] {
            let u = as_user(&app, who).await;
            let (s, v) = u
                .get_json("/api/v1/lookup?last_name=Reyes&first_name=Dana&dob=1988-04-02")
                .await;
            assert_eq!(s, StatusCode::FORBIDDEN, "{who}: {v}");
        }
        let denied = audited(&app, "participant.lookup").await;
        assert_eq!(denied.len(), 5);
        assert!(denied.iter().all(|e| e["outcome"] == "denied"));
    }
);

/// The `/api/v1/shared` rows by participant.
fn rows(v: &Value) -> std::collections::BTreeMap<String, Value> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|r| (r["participant_id"].as_str().unwrap().to_string(), r.clone()))
        .collect()
}

fn categories(row: &Value) -> BTreeSet<String> {
    row["categories"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_string())
        .collect()
}

both!(
    a_partner_lists_exactly_what_was_shared_with_it,
    |db| async move {
        let app = TestApp::spawn(db).await;
        let cm = as_user(&app, "casemanager@demo.test").await;
        let partner = as_user(&app, "partner@demo.test").await;
        let housing = agency_of_kind(&cm, "housing").await;
        let police = agency_of_kind(&cm, "police").await;
        let shown = ["identity", "enrollment", "plan"];
        let named = released(&app, &cm, "Okafor", &housing, &shown, false).await;
        let anonymous = dana(&app, "Lindqvist").await;
        let mut rel = release_to(&housing, &["enrollment"], "housing");
        rel["expires_on"] = json!("2098-06-30");
        sign_release(&cm, &anonymous, &rel).await;
        released(&app, &cm, "Marchetti", &housing, &["enrollment"], true).await;
        released(&app, &cm, "Thompson", &police, &["enrollment"], false).await;
        dana(&app, "Nakamura").await;

        let (s, v) = partner.get_json("/api/v1/shared").await;
        assert_eq!(s, StatusCode::OK, "{v}");
        let got = rows(&v);
        assert_eq!(
            got.keys().cloned().collect::<BTreeSet<_>>(),
            BTreeSet::from([named.clone(), anonymous.clone()]),
            "{v}"
        );
        assert_eq!(got[&named]["name"], "Dana Okafor");
        assert_eq!(
            categories(&got[&named]),
            BTreeSet::from(["identity".into(), "enrollment".into(), "plan".into()])
        );
        assert_eq!(got[&named]["expires_on"], "2099-01-01");
        assert!(got[&anonymous].get("name").is_none(), "{v}");
        assert_eq!(
            categories(&got[&anonymous]),
            BTreeSet::from(["enrollment".into()])
        );
        assert_eq!(got[&anonymous]["expires_on"], "2098-06-30");

        // Another partner agency sees none of them; others may not ask.
        let other = outsider(
            &app,
            "Second Step Housing",
            AgencyKind::Housing,
            Role::Partner,
        )
        .await;
        let (s, v) = other.get_json("/api/v1/shared").await;
        assert_eq!((s, v), (StatusCode::OK, json!([])));
        for who in [
            "officer@demo.test",
            "casemanager@demo.test",
            "evaluator@demo.test",
        ] {
            let (s, _) = as_user(&app, who).await.get_json("/api/v1/shared").await;
            assert_eq!(s, StatusCode::FORBIDDEN, "{who}");
        }

        // One list entry per answer, naming the participants shown.
        let entries = audited(&app, "participant.shared.list").await;
        let allowed: Vec<&Value> = entries
            .iter()
            .filter(|e| e["outcome"] == "allowed")
            .collect();
        assert_eq!(allowed.len(), 2);
        let listed: BTreeSet<String> = allowed[0]["participants"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p.as_str().unwrap().to_string())
            .collect();
        assert_eq!(listed, BTreeSet::from([named, anonymous]));
        assert!(
            allowed[1]["participants"]
                .as_array()
                .is_none_or(Vec::is_empty),
            "{entries:?}"
        );
        assert_eq!(entries.len(), 5);
    }
);

both!(
    the_pages_answer_as_the_api_does_and_the_admin_keeps_the_phone,
    |db| async move {
        let app = TestApp::spawn(db).await;
        let officer = as_user(&app, "officer@demo.test").await;
        let cm = as_user(&app, "casemanager@demo.test").await;
        let admin = as_user(&app, "admin@demo.test").await;
        let partner = as_user(&app, "partner@demo.test").await;
        let police = agency_of_kind(&cm, "police").await;
        let housing = agency_of_kind(&cm, "housing").await;
        let pid = dana(&app, "Okafor").await;
        sign_release(&cm, &pid, &release_to(&police, &["enrollment"], "care")).await;
        sign_release(
            &cm,
            &pid,
            &release_to(&housing, &["enrollment", "plan"], "housing"),
        )
        .await;

        // The administrator changes the case manager's phone; a bad one is refused.
        let me = user(&app, "casemanager@demo.test").await;
        let csrf = admin.csrf.clone().unwrap();
        let path = format!("/admin/users/{}/phone", me.id);
        let r = admin
            .submit_form(&path, &[("csrf_token", &csrf), ("phone", "call me maybe")])
            .await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let r = admin
            .submit_form(&path, &[("csrf_token", &csrf), ("phone", "206-555-0199")])
            .await;
        assert_eq!(r.status(), StatusCode::OK);
        assert!(r.text().await.unwrap().contains("206-555-0199"));
        assert_eq!(audited(&app, "admin.user.phone").await.len(), 1);

        // The officer's page: the answer in place, nothing in the URL.
        let csrf = officer.csrf.clone().unwrap();
        let form = |last: &'static str| {
            vec![
                ("csrf_token", csrf.clone()),
                ("last_name", last.to_string()),
                ("first_name", "Dana".to_string()),
                ("dob", "1988-04-02".to_string()),
            ]
        };
        let ask = async |last: &'static str| {
            let f = form(last);
            let fields: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let r = officer.submit_form("/lookup", &fields).await;
            (r.status(), r.text().await.unwrap())
        };
        let (s, page) = ask("Okafor").await;
        assert_eq!(s, StatusCode::OK);
        assert!(
            page.contains("LEAD participant")
                && page.contains("Alex Rivera")
                && page.contains("206-555-0199"),
            "{page}"
        );
        let (s, page) = ask("Nobody").await;
        assert_eq!(s, StatusCode::OK);
        assert!(page.contains("No LEAD participant found that you may be told about."));
        assert!(!page.contains("Alex Rivera"));
        assert_eq!(cm.get("/lookup").await.status(), StatusCode::FORBIDDEN);

        // The partner's page lists the participant; the record's title says
        // what is shared and by whom.
        let page = partner.get("/shared").await.text().await.unwrap();
        assert!(page.contains(&format!("/participants/{pid}")), "{page}");
        let page = partner
            .get(&format!("/participants/{pid}"))
            .await
            .text()
            .await
            .unwrap();
        let cm_agency =
            handoff_store::orgs::get_agency(&mut app.store.conn(), me.site_id, me.agency_id)
                .await
                .unwrap();
        assert!(
            page.contains(&format!(
                "<h1>Participant shared by {} — enrolment, plan</h1>",
                cm_agency.name
            )),
            "{page}"
        );
        let home = partner.get("/").await.text().await.unwrap();
        assert!(home.contains("href=\"/shared\""));
        let home = officer.get("/").await.text().await.unwrap();
        assert!(home.contains("href=\"/lookup\""));
    }
);
