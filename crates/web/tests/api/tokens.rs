//! API tokens are integration principals of their own (DESIGN.md §3), on
//! SQLite and PostgreSQL, replayed over HTTP: a site admin cannot mint a
//! token that is someone's identity, no token reads participant content
//! or acts as a person, revocation and expiry stop a token at once,
//! imports and feeds are refused to officers, case managers and tokens
//! without the scope, and the audit log names the token, not a user.
//!
//! Written against HTTP and store calls that existed before tokens became
//! principals, so the same file replays the attacks on the old code.

use crate::both;
use crate::fixtures::*;
use crate::helpers::*;
use handoff_store::{args, audit, tokens, users};
use reqwest::StatusCode;
use serde_json::{Value, json};

const CSV: &str = "booking_number,booked_at,released_at,first_name,middle_name,last_name,dob,sex,race,charges\n\
    T1,2026-03-01T22:15:00-08:00,,Ann,,Doe,1980-02-28,F,White,\n";

fn booking(number: &str) -> Value {
    json!({
        "booking_number": number, "booked_at": "2026-11-30T22:15:00-08:00", "released_at": null,
        "first_name": "Lee", "middle_name": null, "last_name": "Moss", "dob": "1979-05-05",
        "sex": "M", "race": "White", "charges": []
    })
}

async fn agency(app: &TestApp, name: &str) -> String {
    find_agency(app, name).await.unwrap().id.to_string()
}

async fn user_id(app: &TestApp, email: &str) -> String {
    user(app, email).await.id.to_string()
}

/// Posts the admin page's token form as a signed-in admin; the secret, if
/// the page shows one.
async fn mint(admin: &TestApp, fields: &[(&str, &str)]) -> (StatusCode, Option<String>) {
    let csrf = admin.csrf.clone().unwrap();
    let mut form: Vec<(&str, &str)> = fields.to_vec();
    form.push(("csrf_token", &csrf));
    let r = admin.submit_form("/admin/tokens", &form).await;
    let status = r.status();
    let page = r.text().await.unwrap();
    let secret = page
        .split("<code class=\"key\">")
        .nth(1)
        .and_then(|s| s.split('<').next())
        .filter(|s| s.starts_with("hnd_"))
        .map(str::to_string);
    (status, secret)
}

/// Mints a token of the police department with the given scopes.
async fn scoped(admin: &TestApp, police: &str, scopes: &[&str], days: &str) -> String {
    let mut fields = vec![
        ("name", "county jail"),
        ("agency_id", police),
        ("expires_days", days),
    ];
    for s in scopes {
        fields.push(("scope", s));
    }
    let (s, secret) = mint(admin, &fields).await;
    assert_eq!(s, StatusCode::OK);
    secret.expect("the secret is shown once")
}

/// The newest token's id, as listed for the site.
async fn newest_token_id(app: &TestApp) -> String {
    let site = demo_site(app).await;
    tokens::list(&mut app.store.conn(), site)
        .await
        .unwrap()
        .last()
        .unwrap()
        .id
        .to_string()
}

/// The demo site admin, the police agency, and a 90-day bookings-feed token
/// the admin made for it, checked by posting `booking`: (admin, police, token, id).
async fn working_feed_token(app: &TestApp, booking: &str) -> (TestApp, String, String, String) {
    let admin = as_user(app, "admin@demo.test").await;
    let police = agency(app, "Demo County Police Department").await;
    let token = scoped(&admin, &police, &["bookings_feed"], "90").await;
    let id = newest_token_id(app).await;
    assert_eq!(feed(app, &token, booking).await, StatusCode::OK);
    (admin, police, token, id)
}

async fn feed(app: &TestApp, token: &str, number: &str) -> StatusCode {
    bearer_post(
        app,
        token,
        "/api/v1/feeds/bookings",
        "application/json",
        booking(number).to_string(),
    )
    .await
    .0
}

async fn import(app: &TestApp, token: &str) -> StatusCode {
    bearer_post(
        app,
        token,
        "/api/v1/imports/bookings",
        "text/csv",
        CSV.to_string(),
    )
    .await
    .0
}

async fn bearer_get(app: &TestApp, token: &str, path: &str) -> StatusCode {
    app.client
        .get(app.url(path))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .status()
}

/// A session's POST with its CSRF token.
async fn session_post(a: &TestApp, path: &str, content_type: &str, body: String) -> StatusCode {
    a.client
        .post(a.url(path))
        .header("X-CSRF-Token", a.csrf.clone().unwrap_or_default())
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap()
        .status()
}

/// A participant of the demo case manager.
async fn participant(app: &TestApp) -> String {
    demo_participant(app, &arrest("Okafor"), "detox bed")
        .await
        .0
}

both!(
    an_admin_cannot_mint_a_token_that_reads_part_2_records,
    |db| async move {
        let app = TestApp::spawn(db).await;
        let pid = participant(&app).await;
        let admin = as_user(&app, "admin@demo.test").await;

        // The mint form offers no user identity, only an agency and scopes.
        let page = admin.get("/admin").await.text().await.unwrap();
        assert!(!page.contains("name=\"user_id\""), "no 'acts as user'");
        assert!(page.contains("name=\"scope\""));
        assert!(page.contains("name=\"agency_id\""));

        // The attack: mint a token "as" the case manager. Whatever the
        // server answers, any token it hands out reads nothing.
        let cm = user_id(&app, "casemanager@demo.test").await;
        let (_, as_cm) = mint(&admin, &[("name", "x"), ("user_id", &cm)]).await;
        // A token with every scope, owned by the case manager's own agency.
        let agency = agency(&app, "Evergreen Harm Reduction Services").await;
        let (s, all) = mint(
            &admin,
            &[
                ("name", "everything"),
                ("agency_id", &agency),
                ("scope", "bookings_feed"),
                ("scope", "imports"),
                ("scope", "hmis_export"),
                ("expires_days", "90"),
            ],
        )
        .await;
        for token in as_cm.iter().chain(all.iter()) {
            for cat in [
                "sud",
                "health",
                "notes",
                "identity",
                "enrollment",
                "justice",
            ] {
                let s = bearer_get(&app, token, &format!("/api/v1/participants/{pid}/{cat}")).await;
                assert!(
                    s == StatusCode::FORBIDDEN || s == StatusCode::NOT_FOUND,
                    "a token read {cat}: {s}"
                );
            }
            for path in [
                "/api/v1/participants",
                "/api/v1/me",
                "/api/v1/review",
                "/api/v1/caseloads",
            ] {
                let s = bearer_get(&app, token, path).await;
                assert_eq!(s, StatusCode::FORBIDDEN, "{path}");
            }
            // No referral, no casework, no page: a token acts as no one.
            let (s, _) = bearer_post(
                &app,
                token,
                "/api/v1/referrals",
                "application/json",
                arrest("Okafor").to_string(),
            )
            .await;
            assert_eq!(s, StatusCode::FORBIDDEN, "a token made a referral");
            let (s, _) = bearer_post(
                &app,
                token,
                &format!("/api/v1/participants/{pid}/contacts"),
                "application/json",
                json!({"summary": "x"}).to_string(),
            )
            .await;
            assert_eq!(s, StatusCode::FORBIDDEN, "a token did casework");
            let s = bearer_get(&app, token, "/").await;
            assert_ne!(s, StatusCode::OK, "a token opened a page");
        }
        assert_eq!(as_cm, None, "no token is minted as a person");
        assert_eq!(s, StatusCode::OK);
        let all = all.expect("a scoped token is minted");

        // The refusals are audited under the token, not a user.
        let id = newest_token_id(&app).await;
        let refused = audited(&app, "auth.token_refused").await;
        assert!(refused.len() >= 10, "{refused:?}");
        for e in &refused {
            assert_eq!(e["actor_token_id"], json!(id), "{e}");
            assert_eq!(e["actor_user_id"], Value::Null, "{e}");
            assert_eq!(e["actor_role"], Value::Null, "{e}");
            assert_eq!(e["outcome"], "denied");
        }
        // Minting is a site admin's audited action.
        let minted = audited(&app, "admin.token.create").await;
        assert_eq!(minted.len(), 1);
        assert_eq!(minted[0]["subject_ref"], json!(format!("token:{id}")));
        assert_eq!(
            minted[0]["actor_user_id"],
            json!(user_id(&app, "admin@demo.test").await)
        );
        let _ = all;
    }
);

both!(
    revocation_and_expiry_stop_a_token_at_once,
    |db| async move {
        let app = TestApp::spawn(db).await;
        let (admin, police, token, id) = working_feed_token(&app, "R-1").await;
        // Revocation from the admin page.
        let csrf = admin.csrf.clone().unwrap();
        let r = admin
            .submit_form(
                &format!("/admin/tokens/{id}/revoke"),
                &[("csrf_token", csrf.as_str())],
            )
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert_eq!(feed(&app, &token, "R-2").await, StatusCode::UNAUTHORIZED);
        assert_eq!(
            bearer_get(&app, &token, "/api/v1/me").await,
            StatusCode::UNAUTHORIZED
        );

        // Expiry: a token past its expiry stops at once.
        let token = scoped(&admin, &police, &["bookings_feed"], "1").await;
        let id2 = newest_token_id(&app).await;
        assert_eq!(feed(&app, &token, "E-1").await, StatusCode::OK);
        let past = handoff_web::now() - time::Duration::seconds(1);
        let uuid: uuid::Uuid = id2.parse().unwrap();
        let n = app
            .store
            .conn()
            .execute(
                "UPDATE api_tokens SET expires_at = $1 WHERE id = $2",
                args![past, uuid],
            )
            .await
            .unwrap();
        assert_eq!(n, 1);
        assert_eq!(feed(&app, &token, "E-2").await, StatusCode::UNAUTHORIZED);

        // Expiry is settable within bounds; the default is 90 days.
        let (s, none) = mint(
            &admin,
            &[
                ("name", "forever"),
                ("agency_id", &police),
                ("scope", "bookings_feed"),
                ("expires_days", "5000"),
            ],
        )
        .await;
        assert_eq!(
            (s, none),
            (StatusCode::UNPROCESSABLE_ENTITY, None),
            "no token beyond the longest expiry"
        );
        let (s, _) = mint(
            &admin,
            &[
                ("name", "default"),
                ("agency_id", &police),
                ("scope", "imports"),
            ],
        )
        .await;
        assert_eq!(s, StatusCode::OK);
        let newest: uuid::Uuid = newest_token_id(&app).await.parse().unwrap();
        let (created, expires): (time::OffsetDateTime, time::OffsetDateTime) = app
            .store
            .conn()
            .fetch_one(
                "SELECT created_at, expires_at FROM api_tokens WHERE id = $1",
                args![newest],
            )
            .await
            .unwrap();
        assert_eq!((expires - created).whole_days(), 90);

        // The admin page lists them with their state; revocation was audited.
        let page = admin.get("/admin").await.text().await.unwrap();
        assert!(page.contains("revoked") && page.contains("expired"));
        assert!(page.contains(&id) && page.contains(&id2));
        let revoked = audited(&app, "admin.token.revoke").await;
        assert_eq!(revoked.len(), 1);
        assert_eq!(revoked[0]["subject_ref"], json!(format!("token:{id}")));
    }
);

both!(
    imports_and_feeds_refuse_officers_case_managers_and_unscoped_tokens,
    |db| async move {
        let app = TestApp::spawn(db).await;
        let admin = as_user(&app, "admin@demo.test").await;

        // The attack: officers' and case managers' bearer tokens posted
        // justice data. Any token minted "as" them is refused.
        for email in ["officer@demo.test", "casemanager@demo.test"] {
            let uid = user_id(&app, email).await;
            let (_, token) = mint(&admin, &[("name", "mine"), ("user_id", &uid)]).await;
            if let Some(token) = &token {
                assert_eq!(import(&app, token).await, StatusCode::FORBIDDEN, "{email}");
                assert_eq!(
                    feed(&app, token, "U-1").await,
                    StatusCode::FORBIDDEN,
                    "{email}"
                );
            }
            assert_eq!(token, None, "no token is minted as {email}");
        }

        // Their sessions, and a site admin's without a second factor.
        for email in [
            "officer@demo.test",
            "casemanager@demo.test",
            "supervisor@demo.test",
            "admin@demo.test",
        ] {
            let a = as_user(&app, email).await;
            let s = session_post(&a, "/api/v1/imports/bookings", "text/csv", CSV.into()).await;
            assert_eq!(s, StatusCode::FORBIDDEN, "{email} imported");
            let s = session_post(
                &a,
                "/api/v1/feeds/bookings",
                "application/json",
                booking("S-1").to_string(),
            )
            .await;
            assert_eq!(s, StatusCode::FORBIDDEN, "{email} fed bookings");
        }

        // A token whose scopes do not name the action.
        let police = agency(&app, "Demo County Police Department").await;
        let hmis = scoped(&admin, &police, &["hmis_export"], "30").await;
        let id = newest_token_id(&app).await;
        assert_eq!(import(&app, &hmis).await, StatusCode::FORBIDDEN);
        assert_eq!(feed(&app, &hmis, "H-1").await, StatusCode::FORBIDDEN);
        let denied = audited(&app, "justice.import").await;
        assert!(
            denied.iter().all(|e| e["outcome"] == "denied"),
            "{denied:?}"
        );
        assert!(
            denied
                .iter()
                .any(|e| e["actor_token_id"] == json!(id) && e["actor_user_id"].is_null()),
            "{denied:?}"
        );
        // Nothing was stored.
        let site = demo_site(&app).await;
        let n: (i64,) = app
            .store
            .conn()
            .fetch_one(
                "SELECT COUNT(*) AS n FROM justice_records WHERE site_id = $1",
                args![site],
            )
            .await
            .unwrap();
        assert_eq!(n.0, 0);
    }
);

both!(
    a_feed_token_posts_bookings_but_cannot_import,
    |db| async move {
        let app = TestApp::spawn(db).await;
        let (admin, police, feed_token, feed_id) = working_feed_token(&app, "F-1").await;
        assert_eq!(import(&app, &feed_token).await, StatusCode::FORBIDDEN);
        let (s, _) = bearer_post(
            &app,
            &feed_token,
            "/api/v1/imports/arrests",
            "text/csv",
            "arrest_number\n".into(),
        )
        .await;
        assert_eq!(s, StatusCode::FORBIDDEN);

        let import_token = scoped(&admin, &police, &["imports"], "90").await;
        let import_id = newest_token_id(&app).await;
        assert_eq!(import(&app, &import_token).await, StatusCode::OK);
        assert_eq!(
            feed(&app, &import_token, "F-2").await,
            StatusCode::FORBIDDEN
        );

        // Each use is audited under its token: no user, no role; the token's
        // agency.
        let entries = audited(&app, "justice.import").await;
        let allowed: Vec<&Value> = entries
            .iter()
            .filter(|e| e["outcome"] == "allowed")
            .collect();
        assert_eq!(allowed.len(), 2, "{entries:?}");
        assert_eq!(allowed[0]["actor_token_id"], json!(feed_id));
        assert_eq!(allowed[1]["actor_token_id"], json!(import_id));
        for e in &allowed {
            assert_eq!(e["actor_user_id"], Value::Null);
            assert_eq!(e["actor_role"], Value::Null);
            assert_eq!(e["actor_agency_id"], json!(police));
        }
        let denied: Vec<&Value> = entries
            .iter()
            .filter(|e| e["outcome"] == "denied")
            .collect();
        assert_eq!(denied.len(), 3, "{entries:?}");
        assert!(
            denied
                .iter()
                .take(2)
                .all(|e| e["actor_token_id"] == json!(feed_id))
        );
        assert_eq!(denied[2]["actor_token_id"], json!(import_id));
        // The chain still verifies with token actors in it.
        audit::verify(&mut app.store.conn()).await.unwrap();
    }
);

both!(
    a_site_admin_with_a_second_factor_may_import,
    |db| async move {
        let app = TestApp::spawn(db).await;
        let admin = user(&app, "admin@demo.test").await;
        // Without a second factor the admin's session is refused.
        let plain = as_user(&app, "admin@demo.test").await;
        let s = session_post(&plain, "/api/v1/imports/bookings", "text/csv", CSV.into()).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        // With one, the same import is accepted.
        let secret = handoff_web::auth::totp::new_secret();
        users::set_totp(
            &mut app.store.conn(),
            admin.site_id,
            admin.id,
            Some(&secret),
            true,
        )
        .await
        .unwrap();
        let mut a = signed_out(&app);
        let code =
            handoff_web::auth::totp::code_at(&secret, handoff_web::now().unix_timestamp() as u64)
                .unwrap();
        let r = a
            .submit_json(
                "/api/v1/session",
                &json!({"email": "admin@demo.test", "password": "demo-password", "totp": code}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::OK);
        let body: Value = r.json().await.unwrap();
        a.csrf = body["csrf_token"].as_str().map(str::to_string);
        let s = session_post(&a, "/api/v1/imports/bookings", "text/csv", CSV.into()).await;
        assert_eq!(s, StatusCode::OK);
        let s = session_post(
            &a,
            "/api/v1/feeds/bookings",
            "application/json",
            booking("A-1").to_string(),
        )
        .await;
        assert_eq!(s, StatusCode::OK);
    }
);

both!(the_openapi_document_names_the_scopes, |db| async move {
    let app = TestApp::spawn(db).await;
    let doc: Value = app.get("/api/v1/openapi.json").await.json().await.unwrap();
    let scheme = &doc["components"]["securitySchemes"]["token"];
    let desc = scheme["description"].as_str().unwrap();
    for s in [
        "`bookings_feed`",
        "`imports`",
        "`hmis_export`",
        "acts as no one",
    ] {
        assert!(desc.contains(s), "{s}: {desc}");
    }
    // Only the operations open to integrations accept a token, each with
    // the scope that allows it.
    let mut with_token = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            for req in op["security"].as_array().into_iter().flatten() {
                if let Some(scopes) = req.get("token") {
                    with_token.push((method.clone(), path.clone(), scopes.clone()));
                }
            }
        }
    }
    with_token.sort_by(|a, b| a.1.cmp(&b.1));
    assert_eq!(
        with_token,
        vec![
            (
                "post".to_string(),
                "/api/v1/feeds/bookings".to_string(),
                json!(["bookings_feed"])
            ),
            (
                "post".to_string(),
                "/api/v1/imports/{kind}".to_string(),
                json!(["imports"])
            ),
        ]
    );
});
