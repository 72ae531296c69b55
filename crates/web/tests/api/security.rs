use crate::both;
use crate::fixtures::*;
use crate::helpers::*;
use reqwest::StatusCode;

fn assert_security_headers(r: &reqwest::Response, what: &str) {
    let h = r.headers();
    let csp = h
        .get("content-security-policy")
        .unwrap_or_else(|| panic!("{what}: CSP"))
        .to_str()
        .unwrap();
    assert!(csp.contains("frame-ancestors 'none'"), "{what}: {csp}");
    assert!(
        csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
        "{what}: {csp}"
    );
    assert_eq!(h["x-content-type-options"], "nosniff", "{what}");
    assert_eq!(h["referrer-policy"], "no-referrer", "{what}");
    assert!(h.get("x-request-id").is_some(), "{what}: request id");
}

both!(security_headers_on_every_response, |db| async move {
    let mut app = TestApp::spawn(db).await;
    for path in [
        "/login",
        "/healthz",
        "/readyz",
        "/api/v1/me",
        "/api/v1/openapi.json",
        "/assets/app.css",
        "/no-such-page",
    ] {
        let r = app.get(path).await;
        assert_security_headers(&r, path);
        assert!(
            r.headers().get("strict-transport-security").is_none(),
            "no HSTS over plain HTTP"
        );
    }
    app.login("officer@demo.test", "demo-password").await;
    let r = app.get("/").await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_security_headers(&r, "/ signed in");
    assert_eq!(r.headers()["cache-control"], "no-store");
});

/// An officer's sign-in through the API, and the session cookie it sets.
async fn officer_sign_in(app: &TestApp) -> (reqwest::Response, String) {
    let body = serde_json::json!({"email": "officer@demo.test", "password": "demo-password"});
    let r = app.submit_json("/api/v1/session", &body).await;
    let cookie = r.headers()["set-cookie"].to_str().unwrap().to_string();
    (r, cookie)
}

both!(session_cookie_flags, |db| async move {
    let app = TestApp::spawn(db).await;
    let (_, cookie) = officer_sign_in(&app).await;
    assert!(cookie.starts_with("handoff_session="), "{cookie}");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && cookie.contains("Path=/"),
        "{cookie}"
    );

    let tls = TestApp::spawn_with(db, |c| c.https = true).await;
    let (r, cookie) = officer_sign_in(&tls).await;
    assert!(
        cookie.starts_with("__Host-handoff_session=") && cookie.contains("Secure"),
        "{cookie}"
    );
    assert!(
        r.headers()["strict-transport-security"]
            .to_str()
            .unwrap()
            .contains("max-age=")
    );
});

both!(errors_are_json_without_internals, |db| async move {
    let app = TestApp::spawn(db).await;
    let r = app
        .client
        .post(app.url("/api/v1/session"))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert!(r.status().is_client_error());
    let r = app.get("/api/v1/me").await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let b: serde_json::Value = r.json().await.unwrap();
    assert_eq!(b["error"]["code"], "unauthenticated");
    assert!(b["error"]["message"].is_string());
});

both!(pages_are_small_and_health_checks_answer, |db| async move {
    let app = TestApp::spawn(db).await;
    let login = app.get("/login").await.bytes().await.unwrap().len();
    let css = app
        .get("/assets/app.css")
        .await
        .bytes()
        .await
        .unwrap()
        .len();
    assert!(
        login + css < 30 * 1024,
        "login page {login} B + css {css} B"
    );
    assert_eq!(app.get("/healthz").await.text().await.unwrap(), "ok");
    assert_eq!(app.get("/readyz").await.status(), StatusCode::OK);
});

// Finding: "Names accept Unicode bidirectional override characters
// (displayed names can be spoofed)." Every name and identity field refuses
// them with a 422 naming the field, and nothing is stored.
both!(names_refuse_bidi_controls, |db| async move {
    use crate::casework::enrol;
    use serde_json::json;

    let app = TestApp::spawn(db).await;
    let officer = as_user(&app, "officer@demo.test").await;
    let cm = as_user(&app, "casemanager@demo.test").await;
    // "Dana <RLO>seyeR" displays as "Dana Reyes" reversed into another name.
    let spoof = "Dana\u{202E}seyeR";

    // Referral creation: the person's names, aliases and description.
    for (pointer, value, field) in [
        ("/person/first_name", json!(spoof), "person.first_name"),
        (
            "/person/last_name",
            json!("\u{2067}Reyes\u{2069}"),
            "person.last_name",
        ),
        (
            "/person/aliases",
            json!(["Dee", "D\u{200F}J"]),
            "person.aliases[1]",
        ),
        (
            "/person/description",
            json!("green jacket\u{202D}"),
            "person.description",
        ),
    ] {
        let mut body = arrest("Bidi");
        let (parent, key) = pointer.rsplit_once('/').unwrap();
        body.pointer_mut(parent).unwrap()[key] = value;
        let (s, e) = officer.post("/api/v1/referrals", &body).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{pointer}: {e}");
        assert_eq!(e["error"]["field"], field, "{e}");
        assert!(
            e["error"]["message"]
                .as_str()
                .unwrap()
                .contains("direction"),
            "{e}"
        );
    }
    let (_, mine) = officer.get_json("/api/v1/referrals").await;
    assert!(!mine.to_string().contains("Bidi"), "nothing stored: {mine}");

    // Profile update: aliases, identifiers, where to find, e-mail.
    let pid = enrol(&officer, &cm, "Reyes", json!([])).await;
    for (profile, field) in [
        (json!({"aliases": [spoof]}), "aliases[0]"),
        (
            json!({"identifiers": [{"kind": "state_id", "value": "WA\u{202E}123"}]}),
            "identifiers[0].value",
        ),
        (
            json!({"where_to_find": [{"place": "Westlake\u{2066} Park", "times": "am"}]}),
            "where_to_find[0].place",
        ),
        (
            json!({"where_to_find": [{"place": "Westlake Park", "times": "\u{061C}am"}]}),
            "where_to_find[0].times",
        ),
        (json!({"email": "dana\u{202E}@example.org"}), "email"),
    ] {
        let (s, e) = cm
            .put(&format!("/api/v1/participants/{pid}/profile"), &profile)
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{profile}: {e}");
        assert_eq!(e["error"]["field"], field, "{e}");
    }
    let (_, idn) = cm
        .get_json(&format!("/api/v1/participants/{pid}/identity"))
        .await;
    for c in ['\u{202E}', '\u{2066}', '\u{061C}'] {
        assert!(!idn.to_string().contains(c), "nothing stored: {idn}");
    }

    // User creation by a site admin: the display name.
    let admin = as_user(&app, "admin@demo.test").await;
    let me = user(&app, "admin@demo.test").await;
    let page = admin.get("/admin").await.text().await.unwrap();
    let csrf = hidden_field(&page, "csrf_token").unwrap();
    let agency = me.agency_id.to_string();
    let r = admin
        .submit_form(
            "/admin/users",
            &[
                ("csrf_token", csrf.as_str()),
                ("display_name", "Officer \u{202E}ztrO maS"),
                ("email", "spoof@demo.test"),
                ("agency_id", agency.as_str()),
                ("password", "tulips under the viaduct"),
                ("roles", "officer"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = r.text().await.unwrap();
    assert!(
        page.contains("display_name") && page.contains("U+202E"),
        "{page}"
    );
    assert!(
        handoff_store::users::find_by_email(
            &mut app.store.conn(),
            &"spoof@demo.test".parse().unwrap()
        )
        .await
        .unwrap()
        .is_none(),
        "no user created"
    );
});
