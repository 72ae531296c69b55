//! Filing a referral once: the same client token from the same user returns
//! the first referral (201, then 200) and files no second referral or hold;
//! the same token from another user is theirs; a token over 100 characters
//! is refused naming `client_token`; a second referral with an incident
//! number the site already has is filed and flagged as a possible
//! duplicate. The quick form posts, redirects (303) to a result page and
//! re-posting it files nothing.

use crate::both;
use crate::fixtures::*;
use crate::helpers::*;
use handoff_domain::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};

/// An arrest diversion of `last` with this incident number.
fn arrest_at(last: &str, incident: &str) -> Value {
    let mut body = arrest(last);
    body["incident_number"] = json!(incident);
    body
}

/// The referrals in a list with this incident number.
fn with_incident<'a>(list: &'a Value, incident: &str) -> Vec<&'a Value> {
    list.as_array()
        .unwrap_or_else(|| panic!("not a list: {list}"))
        .iter()
        .filter(|r| r["incident_number"] == incident)
        .collect()
}

both!(the_same_token_files_one_referral, |db| async move {
    let app = TestApp::spawn(db).await;
    let officer = as_user(&app, "officer@demo.test").await;
    let mut body = arrest_at("Okonkwo", "26-555001");
    body["client_token"] = json!("form-7f3a");

    let (s, first) = officer.post("/api/v1/referrals", &body).await;
    assert_eq!(s, StatusCode::CREATED, "{first}");
    assert!(first["hold"].is_object(), "{first}");
    let (s, again) = officer.post("/api/v1/referrals", &body).await;
    assert_eq!(s, StatusCode::OK, "{again}");
    assert_eq!(again["id"], first["id"]);
    assert_eq!(again["hold"]["id"], first["hold"]["id"]);
    assert_eq!(again["eligibility"], first["eligibility"]);
    assert_eq!(again["possible_duplicate_of"], json!([]));

    let (_, mine) = officer.get_json("/api/v1/referrals").await;
    assert_eq!(with_incident(&mine, "26-555001").len(), 1, "{mine}");
    let cm = as_user(&app, "casemanager@demo.test").await;
    let (_, inbox) = cm.get_json("/api/v1/referrals/inbox").await;
    assert_eq!(with_incident(&inbox, "26-555001").len(), 1, "{inbox}");
    let (_, holds) = as_user(&app, "prosecutor@demo.test")
        .await
        .get_json("/api/v1/holds")
        .await;
    let held: Vec<&Value> = holds
        .as_array()
        .unwrap()
        .iter()
        .filter(|h| h["referral_id"] == first["id"] || h["incident_number"] == "26-555001")
        .collect();
    assert_eq!(held.len(), 1, "{holds}");
});

both!(another_users_token_is_their_own, |db| async move {
    let app = TestApp::spawn(db).await;
    let officer = as_user(&app, "officer@demo.test").await;
    colleague(
        &app,
        "officer@demo.test",
        "second.officer@demo.test",
        "Officer Two",
        Role::Officer,
    )
    .await;
    let other = as_user(&app, "second.officer@demo.test").await;
    let mut body = arrest("Lindqvist");
    body["client_token"] = json!("shared-token");
    let (s, first) = officer.post("/api/v1/referrals", &body).await;
    assert_eq!(s, StatusCode::CREATED, "{first}");
    let (s, theirs) = other.post("/api/v1/referrals", &body).await;
    assert_eq!(s, StatusCode::CREATED, "{theirs}");
    assert_ne!(theirs["id"], first["id"]);
    // Same incident number from another officer: filed, and flagged.
    assert_eq!(theirs["possible_duplicate_of"], json!([first["id"]]));
});

both!(a_token_over_100_characters_is_refused, |db| async move {
    let app = TestApp::spawn(db).await;
    let officer = as_user(&app, "officer@demo.test").await;
    let mut body = arrest("Abernathy");
    body["client_token"] = json!("t".repeat(100));
    let (s, ok) = officer.post("/api/v1/referrals", &body).await;
    assert_eq!(s, StatusCode::CREATED, "{ok}");
    body["client_token"] = json!("t".repeat(101));
    let (s, answer) = officer.post("/api/v1/referrals", &body).await;
    assert_invalid(s, &answer, "client_token");
});

both!(
    a_second_referral_with_the_same_incident_number_is_flagged,
    |db| async move {
        let app = TestApp::spawn(db).await;
        let officer = as_user(&app, "officer@demo.test").await;
        let body = arrest_at("Nakamura", "26-777002");
        let (s, first) = officer.post("/api/v1/referrals", &body).await;
        assert_eq!(s, StatusCode::CREATED, "{first}");
        assert_eq!(first["possible_duplicate_of"], json!([]));
        let (s, second) = officer.post("/api/v1/referrals", &body).await;
        assert_eq!(s, StatusCode::CREATED, "{second}");
        assert_ne!(second["id"], first["id"]);
        assert_eq!(second["possible_duplicate_of"], json!([first["id"]]));

        // Case management sees the flag on the referral and on its page.
        let cm = as_user(&app, "casemanager@demo.test").await;
        let id = second["id"].as_str().unwrap();
        let (s, view) = cm.get_json(&format!("/api/v1/referrals/{id}")).await;
        assert_eq!(s, StatusCode::OK, "{view}");
        assert_eq!(view["possible_duplicate_of"], json!([first["id"]]));
        let page = cm
            .get(&format!("/referrals/{id}"))
            .await
            .text()
            .await
            .unwrap();
        assert!(page.contains("Possible duplicate of referral"), "{page}");
        let first_id = first["id"].as_str().unwrap();
        assert!(page.contains(&format!("href=\"/referrals/{first_id}\"")));
    }
);

both!(the_quick_form_redirects_and_files_once, |db| async move {
    let app = TestApp::spawn(db).await;
    let officer = as_user(&app, "officer@demo.test").await;
    let form = officer.get("/referrals/new").await.text().await.unwrap();
    let csrf = hidden_field(&form, "csrf_token").unwrap();
    let token = hidden_field(&form, "client_token").expect("a client token");
    assert!(token.len() >= 16, "{token}");
    let fields = [
        ("csrf_token", csrf.as_str()),
        ("client_token", token.as_str()),
        ("door", "arrest_diversion"),
        ("first_name", "Dana"),
        ("last_name", "Whitfield"),
        ("dob", "1988-04-02"),
        ("sex", "F"),
        ("race", "White"),
        ("incident_number", "26-888003"),
        ("category", "drug_possession"),
        ("substance", "opioid"),
        ("grams", "0.5"),
        ("address", "2nd Ave & Pike St"),
    ];
    let r = officer.submit_form("/referrals", &fields).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let to = r.headers()["location"].to_str().unwrap().to_string();
    assert!(
        to.starts_with("/referrals/") && to.ends_with("/result"),
        "{to}"
    );
    let result = officer.get(&to).await;
    assert_eq!(result.status(), StatusCode::OK);
    let result = result.text().await.unwrap();
    assert!(result.contains("Eligible for LEAD"), "{result}");
    // Reloading the result page, and posting the same form again, file
    // nothing new.
    assert_eq!(officer.get(&to).await.status(), StatusCode::OK);
    let r = officer.submit_form("/referrals", &fields).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], format!("{to}?again=1").as_str());
    let (_, mine) = officer.get_json("/api/v1/referrals").await;
    assert_eq!(with_incident(&mine, "26-888003").len(), 1, "{mine}");

    // Only those who may read the referral see its result page.
    let stranger = outsider(
        &app,
        "Other Police",
        handoff_domain::AgencyKind::Police,
        Role::Officer,
    )
    .await;
    assert_eq!(stranger.get(&to).await.status(), StatusCode::NOT_FOUND);
});

both!(
    racing_submissions_with_one_token_file_one_referral,
    |db| async move {
        let app = TestApp::spawn(db).await;
        let officer = as_user(&app, "officer@demo.test").await;
        let mut body = arrest_at("Fairweather", "26-999004");
        body["client_token"] = json!("raced");
        let answers = futures_util::future::join_all(
            (0..4).map(|_| officer.post("/api/v1/referrals", &body)),
        )
        .await;
        let created = answers
            .iter()
            .filter(|(s, _)| *s == StatusCode::CREATED)
            .count();
        assert_eq!(created, 1, "{answers:?}");
        assert!(
            answers
                .iter()
                .all(|(s, a)| s.is_success() && a["id"] == answers[0].1["id"]),
            "{answers:?}"
        );
        let (_, mine) = officer.get_json("/api/v1/referrals").await;
        assert_eq!(with_incident(&mine, "26-999004").len(), 1, "{mine}");
    }
);
