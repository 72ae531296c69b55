use crate::both;
use crate::fixtures::*;
use crate::helpers::*;
use handoff_domain::Role;
use handoff_store::{args, audit, users};
use handoff_web::accounts::{self, Actor, NewUser};
use reqwest::StatusCode;
use serde_json::{Value, json};

both!(every_demo_login_works, |db| async move {
    let app = TestApp::spawn(db).await;
    for (login, _, role, _) in handoff_seed::USERS {
        let mut a = signed_out(&app);
        let (status, body) = a.login(login, "demo-password").await;
        assert_eq!(status, StatusCode::OK, "{login}: {body}");
        assert!(body["csrf_token"].as_str().is_some_and(|t| t.len() >= 24));
        let me: Value = a.get("/api/v1/me").await.json().await.unwrap();
        assert_eq!(me["roles"], json!([role.as_str()]), "{login}");
        assert_eq!(me["site"]["name"], "Demo County LEAD");
        assert_eq!(me["csrf_token"], body["csrf_token"]);
    }
});

both!(login_errors_are_uniform, |db| async move {
    let mut app = TestApp::spawn(db).await;
    let (s1, b1) = app.login("nobody@demo.test", "demo-password").await;
    let (s2, b2) = app.login("officer@demo.test", "wrong-password").await;
    let (s3, b3) = app.login("not an email", "demo-password").await;
    assert_eq!(s1, StatusCode::UNAUTHORIZED);
    assert_eq!((s1, &b1), (s2, &b2));
    assert_eq!((s1, &b1), (s3, &b3));
    assert_eq!(b1["error"]["code"], "login_failed");
});

both!(five_failures_lock_the_account, |db| async move {
    let mut app = TestApp::spawn(db).await;
    for i in 1..=4 {
        let (s, _) = app.login("officer@demo.test", "wrong-password").await;
        assert_eq!(s, StatusCode::UNAUTHORIZED, "attempt {i}");
    }
    let (s, b) = app.login("officer@demo.test", "wrong-password").await;
    assert_eq!(s, StatusCode::LOCKED, "{b}");
    let (s, _) = app.login("officer@demo.test", "demo-password").await;
    assert_eq!(
        s,
        StatusCode::LOCKED,
        "the right password does not open a locked account"
    );
    // Other accounts are unaffected.
    let (s, _) = app.login("casemanager@demo.test", "demo-password").await;
    assert_eq!(s, StatusCode::OK);
    // An address without an account locks the same way, so a lock reveals nothing.
    for _ in 1..=4 {
        app.login("ghost@demo.test", "x").await;
    }
    let (s, _) = app.login("ghost@demo.test", "x").await;
    assert_eq!(s, StatusCode::LOCKED);
    // The lock ends after its time: move it into the past.
    app.store
        .conn()
        .execute(
            "UPDATE users SET locked_until = $1 WHERE email = $2",
            args![
                handoff_web::now() - time::Duration::seconds(1),
                "officer@demo.test"
            ],
        )
        .await
        .unwrap();
    let (s, _) = app.login("officer@demo.test", "demo-password").await;
    assert_eq!(s, StatusCode::OK);
});

both!(rate_limit_per_address, |db| async move {
    let mut app = TestApp::spawn_with(db, |c| c.login_rate_per_ip = 3).await;
    for _ in 0..3 {
        app.login("officer@demo.test", "wrong-password").await;
    }
    let (s, b) = app.login("officer@demo.test", "demo-password").await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS, "{b}");
});

both!(cookie_requests_need_the_csrf_token, |db| async move {
    let mut app = TestApp::spawn(db).await;
    app.login("officer@demo.test", "demo-password").await;
    let r = app
        .client
        .delete(app.url("/api/v1/session"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let b: Value = r.json().await.unwrap();
    assert_eq!(b["error"]["code"], "csrf");
    let r = app
        .client
        .delete(app.url("/api/v1/session"))
        .header("X-CSRF-Token", "forged")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // A page form without its token is refused too.
    let r = app.submit_form("/logout/everywhere", &[("x", "1")]).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        app.get("/api/v1/me").await.status(),
        StatusCode::OK,
        "still signed in"
    );
    let r = app
        .client
        .delete(app.url("/api/v1/session"))
        .header("X-CSRF-Token", app.csrf.clone().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        app.get("/api/v1/me").await.status(),
        StatusCode::UNAUTHORIZED
    );
});

both!(login_form_is_csrf_protected, |db| async move {
    let app = TestApp::spawn(db).await;
    // Without the login page's cookie and token: refused.
    let r = app
        .submit_form(
            "/login",
            &[
                ("email", "officer@demo.test"),
                ("password", "demo-password"),
                ("csrf_token", "x"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let page = app.get("/login").await.text().await.unwrap();
    let token = hidden_field(&page, "csrf_token").unwrap();
    let r = app
        .submit_form(
            "/login",
            &[
                ("email", "officer@demo.test"),
                ("password", "demo-password"),
                ("csrf_token", token.as_str()),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], "/");
    let home = app.get("/").await.text().await.unwrap();
    assert!(home.contains("Welcome, Officer Sam Ortiz"), "{home}");
    assert!(home.contains("Offer LEAD instead of booking"));
});

both!(idle_and_absolute_expiry, |db| async move {
    let mut app = TestApp::spawn(db).await;
    app.login("officer@demo.test", "demo-password").await;
    assert_eq!(app.get("/api/v1/me").await.status(), StatusCode::OK);
    let past = handoff_web::now() - time::Duration::minutes(31);
    app.store
        .conn()
        .execute("UPDATE sessions SET last_seen_at = $1", args![past])
        .await
        .unwrap();
    assert_eq!(
        app.get("/api/v1/me").await.status(),
        StatusCode::UNAUTHORIZED,
        "idle for 31 minutes"
    );
    // Page requests go to the login page.
    let r = app.get("/").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], "/login");

    app.login("officer@demo.test", "demo-password").await;
    assert_eq!(app.get("/api/v1/me").await.status(), StatusCode::OK);
    app.store
        .conn()
        .execute(
            "UPDATE sessions SET expires_at = $1",
            args![handoff_web::now() - time::Duration::seconds(1)],
        )
        .await
        .unwrap();
    assert_eq!(
        app.get("/api/v1/me").await.status(),
        StatusCode::UNAUTHORIZED,
        "past the absolute deadline"
    );
});

both!(disabling_a_user_ends_their_sessions, |db| async move {
    let mut app = TestApp::spawn(db).await;
    app.login("officer@demo.test", "demo-password").await;
    let mut other = signed_out(&app);
    other.login("officer@demo.test", "demo-password").await;
    let u = user(&app, "officer@demo.test").await;
    accounts::disable_user(&app.store, Actor::Cli, u.site_id, u.id)
        .await
        .unwrap();
    assert_eq!(
        app.get("/api/v1/me").await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        other.get("/api/v1/me").await.status(),
        StatusCode::UNAUTHORIZED
    );
    let (s, _) = app.login("officer@demo.test", "demo-password").await;
    assert_eq!(
        s,
        StatusCode::UNAUTHORIZED,
        "disabled accounts cannot sign in"
    );
});

both!(second_factor_enrolment_and_challenge, |db| async move {
    let mut app = TestApp::spawn(db).await;
    let officer = user(&app, "officer@demo.test").await;
    let email = "new.casemanager@demo.test";
    let password = "tulips under the viaduct";
    accounts::create_user(
        &app.store,
        Actor::Cli,
        NewUser {
            site: officer.site_id,
            agency: officer.agency_id,
            email,
            display_name: "New CM",
            password,
            roles: &[Role::CaseManager],
            is_demo: false,
        },
    )
    .await
    .unwrap();
    // The API refuses until a second factor is enrolled.
    let (s, b) = app.login(email, password).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{b}");
    // The web login sends the user to enrolment, and nothing else opens.
    let page = app.get("/login").await.text().await.unwrap();
    let token = hidden_field(&page, "csrf_token").unwrap();
    let r = app
        .submit_form(
            "/login",
            &[
                ("email", email),
                ("password", password),
                ("csrf_token", token.as_str()),
            ],
        )
        .await;
    assert_eq!(r.headers()["location"], "/account/mfa");
    let r = app.get("/").await;
    assert_eq!(r.headers()["location"], "/account/mfa");
    assert_eq!(
        app.get("/api/v1/me").await.status(),
        StatusCode::UNAUTHORIZED
    );
    let page = app.get("/account/mfa").await.text().await.unwrap();
    assert!(page.contains("<svg"), "QR code shown");
    let secret = page
        .split("<code class=\"key\">")
        .nth(1)
        .unwrap()
        .split('<')
        .next()
        .unwrap()
        .to_string();
    let csrf = hidden_field(&page, "csrf_token").unwrap();
    let r = app
        .submit_form(
            "/account/mfa",
            &[("code", "000000"), ("csrf_token", csrf.as_str())],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let now = handoff_web::now().unix_timestamp() as u64;
    let code = handoff_web::auth::totp::code_at(&secret, now).unwrap();
    let r = app
        .submit_form(
            "/account/mfa",
            &[("code", code.as_str()), ("csrf_token", csrf.as_str())],
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let page = r.text().await.unwrap();
    let recovery: Vec<String> = page
        .split("<li><code>")
        .skip(1)
        .map(|s| s.split('<').next().unwrap().to_string())
        .collect();
    assert_eq!(recovery.len(), 10);
    assert_eq!(
        app.get("/").await.status(),
        StatusCode::OK,
        "enrolment completes the sign-in"
    );

    // API: the code is required now, and a used step cannot be replayed.
    let mut api = signed_out(&app);
    let (s, _) = api.login(email, password).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "password alone is not enough");
    let r = api
        .submit_json(
            "/api/v1/session",
            &json!({"email": email, "password": password, "totp": code}),
        )
        .await;
    assert_eq!(
        r.status(),
        StatusCode::UNAUTHORIZED,
        "the step used at enrolment cannot be replayed"
    );
    let next = handoff_web::auth::totp::code_at(&secret, now + 30).unwrap();
    let r = api
        .submit_json(
            "/api/v1/session",
            &json!({"email": email, "password": password, "totp": next}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);

    // Web: the challenge accepts a recovery code once.
    let web = app.new_client();
    let page = web
        .get(app.url("/login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let token = hidden_field(&page, "csrf_token").unwrap();
    let r = web
        .post(app.url("/login"))
        .form(&[
            ("email", email),
            ("password", password),
            ("csrf_token", token.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["location"], "/login/mfa");
    let page = web
        .get(app.url("/login/mfa"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = hidden_field(&page, "csrf_token").unwrap();
    let r = web
        .post(app.url("/login/mfa"))
        .form(&[
            ("code", recovery[0].as_str()),
            ("csrf_token", csrf.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], "/");
    let used = users::use_recovery_code(
        &mut app.store.conn(),
        officer.site_id,
        users::find_by_email(&mut app.store.conn(), &email.parse().unwrap())
            .await
            .unwrap()
            .unwrap()
            .id,
        &handoff_web::auth::secret::digest(&recovery[0]),
        handoff_web::now(),
    )
    .await
    .unwrap();
    assert!(!used, "a recovery code works once");
});

both!(logins_are_audited_and_the_chain_verifies, |db| async move {
    let mut app = TestApp::spawn(db).await;
    app.login("officer@demo.test", "demo-password").await;
    app.login("officer@demo.test", "wrong-password").await;
    app.login("ghost@demo.test", "wrong-password").await;
    let site = user(&app, "officer@demo.test").await.site_id;
    let mut c = app.store.conn();
    let logins = audit::by_action(&mut c, Some(site), "auth.login")
        .await
        .unwrap();
    assert_eq!(logins.len(), 1);
    assert_eq!(logins[0].event.actor_role, Some(Role::Officer));
    assert!(logins[0].event.request_id.is_some());
    assert_eq!(logins[0].event.client_ip.as_deref(), Some("127.0.0.1"));
    let failed = audit::by_action(&mut c, Some(site), "auth.login_failed")
        .await
        .unwrap();
    assert_eq!(failed.len(), 1);
    let unknown = audit::by_action(&mut c, None, "auth.login_failed")
        .await
        .unwrap();
    assert_eq!(
        unknown.len(),
        1,
        "failures for unknown addresses go to the system chain"
    );
    let v = audit::verify(&mut c).await.unwrap();
    assert!(v.entries >= 3);
});

both!(no_personal_data_in_logs, |db| async move {
    let mut app = TestApp::spawn(db).await;
    let canary_email = format!("canary.{}@demo.test", uuid::Uuid::now_v7().simple());
    let canary_password = "canary-password-7d1f";
    app.login(&canary_email, canary_password).await;
    app.login("supervisor@demo.test", canary_password).await;
    app.login("supervisor@demo.test", "demo-password").await;
    app.get("/api/v1/me").await;
    let logs = captured_logs();
    assert!(logs.contains("request"), "logs were captured");
    for secret in [
        canary_email.as_str(),
        canary_password,
        "supervisor@demo.test",
        "demo-password",
        app.csrf.as_deref().unwrap(),
    ] {
        assert!(!logs.contains(secret), "{secret} appeared in the logs");
    }
});

both!(
    site_admin_changes_roles_and_the_change_applies_at_once,
    |db| async move {
        let mut admin = TestApp::spawn(db).await;
        admin.login("admin@demo.test", "demo-password").await;
        let mut officer = signed_out(&admin);
        officer.login("officer@demo.test", "demo-password").await;
        let u = user(&admin, "officer@demo.test").await;
        let page = admin.get("/admin").await.text().await.unwrap();
        let csrf = hidden_field(&page, "csrf_token").unwrap();
        let r = admin
            .submit_form(
                &format!("/admin/users/{}/roles", u.id),
                &[
                    ("csrf_token", csrf.as_str()),
                    ("roles", "officer"),
                    ("can_approve", "yes"),
                ],
            )
            .await;
        assert_eq!(r.status(), StatusCode::OK);
        let u2 = user(&admin, "officer@demo.test").await;
        assert!(u2.can_approve);
        assert_eq!(
            officer.get("/api/v1/me").await.status(),
            StatusCode::UNAUTHORIZED,
            "sessions end on a role change"
        );
        // An admin cannot remove their own admin role.
        let me = user(&admin, "admin@demo.test").await;
        let r = admin
            .submit_form(
                &format!("/admin/users/{}/roles", me.id),
                &[("csrf_token", csrf.as_str()), ("roles", "officer")],
            )
            .await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(admin.get("/admin").await.status().is_success());
    }
);

// Finding: "Site admin, oversight and bureau accounts sign in with a password
// alone." Every account that is not a seeded demo account needs a second
// factor, whatever its role.
both!(
    every_non_demo_account_needs_a_second_factor,
    |db| async move {
        let app = TestApp::spawn(db).await;
        let admin = user(&app, "admin@demo.test").await;
        let password = "tulips under the viaduct";
        for role in Role::ALL {
            let email = format!("real.{}@demo.test", role.as_str().replace('_', "-"));
            accounts::create_user(
                &app.store,
                Actor::Cli,
                NewUser {
                    site: admin.site_id,
                    agency: admin.agency_id,
                    email: &email,
                    display_name: role.label(),
                    password,
                    roles: &[*role],
                    is_demo: false,
                },
            )
            .await
            .unwrap();
            let mut a = signed_out(&app);
            // The API refuses a password alone and opens nothing.
            let (s, b) = a.login(&email, password).await;
            assert_eq!(s, StatusCode::FORBIDDEN, "{role}: {b}");
            assert_eq!(
                a.get("/api/v1/me").await.status(),
                StatusCode::UNAUTHORIZED,
                "{role}"
            );
            // The web login sends the user to enrolment, and nothing else opens.
            let page = a.get("/login").await.text().await.unwrap();
            let token = hidden_field(&page, "csrf_token").unwrap();
            let r = a
                .submit_form(
                    "/login",
                    &[
                        ("email", email.as_str()),
                        ("password", password),
                        ("csrf_token", token.as_str()),
                    ],
                )
                .await;
            assert_eq!(r.headers()["location"], "/account/mfa", "{role}");
            let r = a.get("/").await;
            assert_eq!(r.headers()["location"], "/account/mfa", "{role}");
            assert_ne!(a.get("/admin").await.status(), StatusCode::OK, "{role}");
        }
        // Demo accounts keep signing in with the password alone.
        let mut demo = signed_out(&app);
        let (s, b) = demo.login("admin@demo.test", "demo-password").await;
        assert_eq!(s, StatusCode::OK, "{b}");
    }
);

/// Signs in through the API with an `X-Forwarded-For` header (or none), from
/// a fresh cookie jar; returns the status.
async fn login_via(app: &TestApp, email: &str, password: &str, xff: Option<&str>) -> StatusCode {
    let mut r = app
        .new_client()
        .post(app.url("/api/v1/session"))
        .json(&json!({"email": email, "password": password}));
    if let Some(xff) = xff {
        r = r.header("X-Forwarded-For", xff);
    }
    r.send().await.unwrap().status()
}

// Finding: "The login rate limit counts successful sign-ins and one socket
// address (a precinct behind one address at shift change locks itself
// out)." Only failures count; failures still lock the address.
both!(
    successful_logins_never_use_up_the_address_limit,
    |db| async move {
        let app = TestApp::spawn_with(db, |c| c.login_rate_per_ip = 3).await;
        // A shift signs in from one address: far more sign-ins than the limit.
        for round in 0..3 {
            for login in [
                "officer@demo.test",
                "casemanager@demo.test",
                "supervisor@demo.test",
            ] {
                assert_eq!(
                    login_via(&app, login, "demo-password", None).await,
                    StatusCode::OK,
                    "{login}, round {round}"
                );
            }
        }
        // Failures still count, against the address whatever the account.
        for login in [
            "officer@demo.test",
            "casemanager@demo.test",
            "ghost@demo.test",
        ] {
            assert_eq!(
                login_via(&app, login, "wrong-password", None).await,
                StatusCode::UNAUTHORIZED
            );
        }
        assert_eq!(
            login_via(&app, "supervisor@demo.test", "demo-password", None).await,
            StatusCode::TOO_MANY_REQUESTS,
            "the address is limited after three failures"
        );
    }
);

both!(
    forwarded_for_is_ignored_from_an_untrusted_peer,
    |db| async move {
        // No trusted proxy (the default): a client cannot pick its own address.
        let app = TestApp::spawn_with(db, |c| c.login_rate_per_ip = 3).await;
        for i in 1..=3 {
            let xff = format!("198.51.100.{i}");
            assert_eq!(
                login_via(&app, "officer@demo.test", "wrong-password", Some(&xff)).await,
                StatusCode::UNAUTHORIZED
            );
        }
        assert_eq!(
            login_via(
                &app,
                "officer@demo.test",
                "demo-password",
                Some("198.51.100.99")
            )
            .await,
            StatusCode::TOO_MANY_REQUESTS,
            "every attempt counted against the real peer"
        );
    }
);

both!(
    forwarded_for_is_honoured_from_a_trusted_proxy,
    |db| async move {
        // The test client connects from loopback: make loopback the proxy.
        let app = TestApp::spawn_with(db, |c| {
            c.login_rate_per_ip = 3;
            c.trusted_proxies = vec![
                handoff_web::config::parse_trusted_proxy("127.0.0.0/8").unwrap(),
                handoff_web::config::parse_trusted_proxy("::1").unwrap(),
            ];
        })
        .await;
        for _ in 0..3 {
            assert_eq!(
                login_via(
                    &app,
                    "officer@demo.test",
                    "wrong-password",
                    Some("203.0.113.5")
                )
                .await,
                StatusCode::UNAUTHORIZED
            );
        }
        // The client behind the proxy is limited ...
        assert_eq!(
            login_via(
                &app,
                "officer@demo.test",
                "demo-password",
                Some("203.0.113.5")
            )
            .await,
            StatusCode::TOO_MANY_REQUESTS
        );
        // ... even if it prepends a forged address: the right-most untrusted
        // address is the one the proxy saw.
        assert_eq!(
            login_via(
                &app,
                "officer@demo.test",
                "demo-password",
                Some("203.0.113.77, 203.0.113.5")
            )
            .await,
            StatusCode::TOO_MANY_REQUESTS
        );
        // Other clients behind the same proxy, and the proxy itself, are not.
        assert_eq!(
            login_via(
                &app,
                "officer@demo.test",
                "demo-password",
                Some("203.0.113.6")
            )
            .await,
            StatusCode::OK
        );
        assert_eq!(
            login_via(&app, "officer@demo.test", "demo-password", None).await,
            StatusCode::OK
        );
    }
);
