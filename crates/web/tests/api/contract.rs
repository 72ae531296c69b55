//! The API keeps its document's promises on both databases: text with
//! control characters is refused by field (PostgreSQL used to answer 500 on
//! a NUL, SQLite stored it), unknown fields are refused by name, and every
//! error — from the router, the body limits and the extractors as much as
//! from the handlers — is `{"error": {"code", "message", "field"?}}`.

use crate::both;
use crate::fixtures::*;
use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

fn assert_error(s: StatusCode, e: &Value, status: StatusCode, field: Option<&str>) {
    assert_eq!(s, status, "{e}");
    assert!(e["error"]["code"].is_string(), "{e}");
    assert!(e["error"]["message"].is_string(), "{e}");
    if let Some(f) = field {
        assert_eq!(e["error"]["field"], f, "{e}");
    }
}

both!(
    a_nul_or_other_control_character_in_text_is_refused_by_field,
    |db| async move {
        let app = TestApp::spawn(db).await;
        let officer = as_user(&app, "officer@demo.test").await;
        let mut r = arrest("Nul");
        r["location"]["address"] = json!("2nd Ave\u{0} & Pike");
        let (s, e) = officer.post("/api/v1/referrals", &r).await;
        assert_error(
            s,
            &e,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("location.address"),
        );
        assert!(e["error"]["message"].as_str().unwrap().contains("U+0000"));
        let mut r = arrest("Bell\u{7}");
        r["incident_number"] = json!("26-000001");
        let (s, e) = officer.post("/api/v1/referrals", &r).await;
        assert_error(
            s,
            &e,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("person.last_name"),
        );
        // Tab and newline are text.
        let mut r = arrest("Tabby");
        r["location"]["address"] = json!("2nd Ave\n& Pike\t(north corner)");
        let (s, v) = officer.post("/api/v1/referrals", &r).await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        // A query string and a page's form are checked the same way.
        let cm = as_user(&app, "casemanager@demo.test").await;
        let (s, e) = cm.get_json("/api/v1/search?q=Da%00na").await;
        assert_error(s, &e, StatusCode::UNPROCESSABLE_ENTITY, Some("q"));
        let csrf = officer.csrf.clone().unwrap();
        let page = officer
            .submit_form(
                "/lookup",
                &[
                    ("csrf_token", csrf.as_str()),
                    ("last_name", "Nu\u{0}ll"),
                    ("first_name", "Dana"),
                    ("dob", "1988-04-02"),
                ],
            )
            .await;
        assert_eq!(page.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(page.text().await.unwrap().contains("last_name"));
        // Nothing of the refused referrals was stored.
        let (_, mine) = officer.get_json("/api/v1/referrals?mine=true").await;
        let text = mine.to_string();
        assert!(
            !text.contains("\\u0000") && !text.contains("Bell"),
            "{text}"
        );
    }
);

both!(
    an_unknown_field_is_refused_by_name_not_dropped,
    |db| async move {
        let app = TestApp::spawn(db).await;
        let officer = as_user(&app, "officer@demo.test").await;
        let mut r = arrest("Typo");
        r["incident_numbr"] = json!("26-777");
        let (s, e) = officer.post("/api/v1/referrals", &r).await;
        assert_error(
            s,
            &e,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("incident_numbr"),
        );
        let mut r = arrest("Typo");
        r["person"]["date_of_birth"] = json!("1988-04-02");
        let (s, e) = officer.post("/api/v1/referrals", &r).await;
        assert_error(
            s,
            &e,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("person.date_of_birth"),
        );
    }
);

both!(every_error_of_the_api_is_json, |db| async move {
    let app = TestApp::spawn(db).await;
    let cm = as_user(&app, "casemanager@demo.test").await;
    // The router's own answers.
    let (s, e) = status_and_json(cm.get("/api/v1/no-such-thing").await).await;
    assert_error(s, &e, StatusCode::NOT_FOUND, None);
    let r = cm
        .client
        .get(cm.url(&format!(
            "/api/v1/referrals/{}/accept",
            uuid::Uuid::now_v7()
        )))
        .send()
        .await
        .unwrap();
    let (s, e) = status_and_json(r).await;
    assert_error(s, &e, StatusCode::METHOD_NOT_ALLOWED, None);
    // A missing query parameter names it.
    let (s, e) = cm.get_json("/api/v1/search").await;
    assert!(s.is_client_error(), "{s}");
    assert_error(s, &e, s, Some("q"));
    // Bodies that are not JSON, not JSON at all, or too large.
    let anon = signed_out(&app);
    let r = anon
        .client
        .post(anon.url("/api/v1/session"))
        .header("content-type", "text/plain")
        .body("email=x")
        .send()
        .await
        .unwrap();
    let (s, e) = status_and_json(r).await;
    assert!(s.is_client_error(), "{s}");
    assert_error(s, &e, s, None);
    let r = anon
        .client
        .post(anon.url("/api/v1/session"))
        .header("content-type", "application/json")
        .body("{\"email\": \"a@b.test\",\n \"password\": }")
        .send()
        .await
        .unwrap();
    let (s, e) = status_and_json(r).await;
    assert_error(s, &e, StatusCode::UNPROCESSABLE_ENTITY, Some("body"));
    let message = e["error"]["message"].as_str().unwrap();
    assert!(message.contains("line 2"), "{message}");
    let r = anon
        .client
        .post(anon.url("/api/v1/session"))
        .header("content-type", "application/json")
        .body(vec![b' '; 9 * 1024 * 1024])
        .send()
        .await
        .unwrap();
    let (s, e) = status_and_json(r).await;
    assert!(s.is_client_error(), "{s}");
    assert_error(s, &e, s, None);
});

both!(
    implausible_dates_and_empty_values_are_refused_with_the_range_allowed,
    |db| async move {
        let app = TestApp::spawn(db).await;
        let officer = as_user(&app, "officer@demo.test").await;
        let mut r = arrest("Future");
        r["person"]["dob"] = json!("2090-01-01");
        let (s, e) = officer.post("/api/v1/referrals", &r).await;
        assert_error(s, &e, StatusCode::UNPROCESSABLE_ENTITY, Some("person.dob"));
        assert!(e["error"]["message"].as_str().unwrap().contains("between"));
        let mut r = arrest("Ancient");
        r["occurred_at"] = json!("1900-01-01T10:00:00Z");
        let (s, e) = officer.post("/api/v1/referrals", &r).await;
        assert_error(s, &e, StatusCode::UNPROCESSABLE_ENTITY, Some("occurred_at"));
        let mut r = arrest("Nulls");
        r["prior_involvement"] = json!([null, null]);
        let (s, e) = officer.post("/api/v1/referrals", &r).await;
        assert_error(
            s,
            &e,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("prior_involvement"),
        );
    }
);
