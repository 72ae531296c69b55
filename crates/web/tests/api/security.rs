use crate::both;
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

both!(session_cookie_flags, |db| async move {
    let app = TestApp::spawn(db).await;
    let r = app
        .client
        .post(app.url("/api/v1/session"))
        .json(&serde_json::json!({"email": "officer@demo.test", "password": "demo-password"}))
        .send()
        .await
        .unwrap();
    let cookie = r.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(cookie.starts_with("handoff_session="), "{cookie}");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && cookie.contains("Path=/"),
        "{cookie}"
    );

    let tls = TestApp::spawn_with(db, |c| c.https = true).await;
    let r = tls
        .client
        .post(tls.url("/api/v1/session"))
        .json(&serde_json::json!({"email": "officer@demo.test", "password": "demo-password"}))
        .send()
        .await
        .unwrap();
    let cookie = r.headers()["set-cookie"].to_str().unwrap().to_string();
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
