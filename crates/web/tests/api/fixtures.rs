//! Set-up the API tests share: signed-in demo users and their JSON requests,
//! a referral taken through hand-off and intake, the demo site, its agencies
//! and users, an agency of the site's other than the demo ones, integration
//! tokens and the audit chain.

use crate::helpers::TestApp;
use handoff_domain::integration::Scopes;
use handoff_domain::{AgencyId, AgencyKind, Role, SiteId, UserId};
use handoff_store::orgs::Agency;
use handoff_store::users::User;
use handoff_web::accounts::{self, Actor, NewUser};
use reqwest::StatusCode;
use serde_json::{Value, json};

pub const PNG: &str = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";

/// The demo users' password.
pub const DEMO_PASSWORD: &str = "demo-password";

pub fn arrest(last: &str) -> Value {
    json!({
        "door": "arrest_diversion",
        "person": {"first_name": "Dana", "last_name": last, "dob": "1988-04-02", "sex": "F", "race": "Hispanic/Latino"},
        "incident_number": "26-104233",
        "offenses": [{"category": "drug_possession", "substance": "opioid", "quantity_grams": 1.2}],
        "occurred_at": "2026-11-30T14:05:00Z",
        "location": {"address": "2nd Ave & Pike St"}
    })
}

/// A second browser on the same app, signed in as no one.
pub fn signed_out(app: &TestApp) -> TestApp {
    TestApp {
        client: app.new_client(),
        csrf: None,
        base: app.base.clone(),
        store: app.store.clone(),
    }
}

/// A signed-in API client for a demo user.
pub async fn as_user(app: &TestApp, email: &str) -> TestApp {
    let mut a = signed_out(app);
    let (s, b) = a.login(email, DEMO_PASSWORD).await;
    assert_eq!(s, StatusCode::OK, "{email}: {b}");
    a
}

/// A response's status and its JSON body (`null` when it has none).
pub async fn status_and_json(r: reqwest::Response) -> (StatusCode, Value) {
    let s = r.status();
    (s, r.json().await.unwrap_or(Value::Null))
}

impl TestApp {
    /// A state-changing JSON request with the session's CSRF token.
    pub async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: &Value,
    ) -> (StatusCode, Value) {
        let r = self
            .client
            .request(method, self.url(path))
            .header("X-CSRF-Token", self.csrf.clone().unwrap_or_default())
            .json(body)
            .send()
            .await
            .unwrap();
        status_and_json(r).await
    }
    pub async fn post(&self, path: &str, body: &Value) -> (StatusCode, Value) {
        self.send(reqwest::Method::POST, path, body).await
    }
    pub async fn put(&self, path: &str, body: &Value) -> (StatusCode, Value) {
        self.send(reqwest::Method::PUT, path, body).await
    }
    /// Posts a page's form (`fields` carry any CSRF token), as a browser does.
    pub async fn submit_form(&self, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        let r = self.client.post(self.url(path)).form(fields);
        r.send().await.unwrap()
    }
    /// Posts JSON without the session's CSRF header (sign-in, refused requests).
    pub async fn submit_json(&self, path: &str, body: &Value) -> reqwest::Response {
        let r = self.client.post(self.url(path)).json(body);
        r.send().await.unwrap()
    }
    pub async fn get_json(&self, path: &str) -> (StatusCode, Value) {
        status_and_json(self.get(path).await).await
    }
}

/// First names of a crowd of thirty persons (see [`crowd`]).
pub const FIRSTS: [&str; 30] = [
    "Maria",
    "James",
    "Linda",
    "Robert",
    "Patricia",
    "Michael",
    "Jennifer",
    "William",
    "Elizabeth",
    "David",
    "Susan",
    "Joseph",
    "Karen",
    "Thomas",
    "Nancy",
    "Charles",
    "Lisa",
    "Daniel",
    "Betty",
    "Matthew",
    "Sandra",
    "Anthony",
    "Ashley",
    "Mark",
    "Dorothy",
    "Paul",
    "Kimberly",
    "Steven",
    "Emily",
    "Andrew",
];
/// Last names of the crowd.
pub const LASTS: [&str; 30] = [
    "Garcia", "Smith", "Johnson", "Brown", "Jones", "Miller", "Davis", "Wilson", "Anderson",
    "Taylor", "Thomas", "Moore", "Jackson", "Martin", "Lee", "Thompson", "White", "Harris",
    "Clark", "Lewis", "Walker", "Hall", "Allen", "Young", "King", "Wright", "Scott", "Green",
    "Baker", "Adams",
];

/// The date of birth of the `i`th person of the crowd.
pub fn dob(i: usize) -> String {
    format!("19{:02}-{:02}-{:02}", 60 + i, 1 + i % 12, 1 + (i * 7) % 28)
}

/// Posts a referral; its id.
pub async fn refer(officer: &TestApp, body: &Value) -> String {
    let (s, created) = officer.post("/api/v1/referrals", body).await;
    assert_eq!(s, StatusCode::CREATED, "{created}");
    created["id"].as_str().unwrap().to_string()
}

/// Refers a person of that name and date of birth; the referral's id.
pub async fn refer_person(officer: &TestApp, first: &str, last: &str, dob: &str) -> String {
    let mut b = arrest(last);
    b["person"]["first_name"] = json!(first);
    b["person"]["dob"] = json!(dob);
    refer(officer, &b).await
}

/// Thirty persons referred (enough to train a model on); their referral ids.
pub async fn crowd(officer: &TestApp) -> Vec<String> {
    let mut ids = Vec::new();
    for i in 0..30 {
        ids.push(refer_person(officer, FIRSTS[i], LASTS[i], &dob(i)).await);
    }
    ids
}

/// Takes steps of the hand-off as the case manager.
pub async fn steps(cm: &TestApp, rid: &str, steps: &[&str]) {
    for step in steps {
        let (s, v) = cm
            .post(&format!("/api/v1/referrals/{rid}/{step}"), &json!({}))
            .await;
        assert_eq!(s, StatusCode::OK, "{step}: {v}");
    }
}

/// Makes the person of a referral a participant of the case manager's
/// agency (accept, arrive, triage, intake with one goal); the participant
/// id.
pub async fn enroll(cm: &TestApp, rid: &str, goal: &str) -> String {
    steps(cm, rid, &["accept", "arrive"]).await;
    let (s, _) = cm
        .post(
            &format!("/api/v1/referrals/{rid}/triage"),
            &json!({"immediate_needs": ["food"], "safety_concerns": ""}),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, intake) = cm
        .post(
            &format!("/api/v1/referrals/{rid}/intake"),
            &json!({"living_situation": "unsheltered", "participant_goals": [goal]}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{intake}");
    intake["participant_id"].as_str().unwrap().to_string()
}

/// A participant of the demo case manager, referred by the demo officer
/// with `referral` and enrolled with one goal: (participant id, referral id).
pub async fn demo_participant(app: &TestApp, referral: &Value, goal: &str) -> (String, String) {
    let officer = as_user(app, "officer@demo.test").await;
    let cm = as_user(app, "casemanager@demo.test").await;
    let rid = refer(&officer, referral).await;
    (enroll(&cm, &rid, goal).await, rid)
}

/// The id of the first agency of a kind, as the agency list shows it.
pub async fn agency_of_kind(reader: &TestApp, kind: &str) -> String {
    let (_, agencies) = reader.get_json("/api/v1/agencies").await;
    agencies
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["kind"] == kind)
        .unwrap_or_else(|| panic!("no {kind} agency"))["id"]
        .as_str()
        .unwrap()
        .to_string()
}

/// The demo site's id.
pub async fn demo_site(app: &TestApp) -> SiteId {
    handoff_store::orgs::find_site_by_slug(&mut app.store.conn(), "demo")
        .await
        .unwrap()
        .unwrap()
        .id
}

/// A user, by e-mail address.
pub async fn user(app: &TestApp, email: &str) -> User {
    handoff_store::users::find_by_email(&mut app.store.conn(), &email.parse().unwrap())
        .await
        .unwrap()
        .unwrap()
}

/// The demo site's agency of that name, if there is one.
pub async fn find_agency(app: &TestApp, name: &str) -> Option<Agency> {
    let site = demo_site(app).await;
    handoff_store::orgs::find_agency_by_name(&mut app.store.conn(), site, name)
        .await
        .unwrap()
}

/// The demo site's agency of that name, made of `kind` if there is none.
pub async fn agency_named(app: &TestApp, name: &str, kind: AgencyKind) -> Agency {
    match find_agency(app, name).await {
        Some(a) => a,
        None => accounts::create_agency(&app.store, Actor::Cli, demo_site(app).await, name, kind)
            .await
            .unwrap(),
    }
}

/// A demo user (the demo password, no second factor) with one role, made
/// in an agency of a site.
pub async fn demo_user(
    app: &TestApp,
    (site, agency): (SiteId, AgencyId),
    email: &str,
    display_name: &str,
    role: Role,
) -> UserId {
    accounts::create_user(
        &app.store,
        Actor::Cli,
        NewUser {
            site,
            agency,
            email,
            display_name,
            password: DEMO_PASSWORD,
            roles: &[role],
            is_demo: true,
        },
    )
    .await
    .unwrap()
}

/// A demo user made in the agency of the user `of`, with one role.
pub async fn colleague(
    app: &TestApp,
    of: &str,
    email: &str,
    display_name: &str,
    role: Role,
) -> UserId {
    let of = user(app, of).await;
    demo_user(app, (of.site_id, of.agency_id), email, display_name, role).await
}

/// A user of a new agency of the demo site, signed in.
pub async fn outsider(app: &TestApp, agency: &str, kind: AgencyKind, role: Role) -> TestApp {
    let a = agency_named(app, agency, kind).await;
    let email = format!("{}.{}@demo.test", role.as_str(), a.id);
    demo_user(app, (a.site_id, a.id), &email, "Outsider", role).await;
    as_user(app, &email).await
}

/// The demo officer and case manager, and a case manager of a second
/// case-management agency named `agency`, each signed in.
pub async fn officer_cm_and_rival(app: &TestApp, agency: &str) -> (TestApp, TestApp, TestApp) {
    let officer = as_user(app, "officer@demo.test").await;
    let cm = as_user(app, "casemanager@demo.test").await;
    let rival = outsider(app, agency, AgencyKind::CaseManagement, Role::CaseManager).await;
    (officer, cm, rival)
}

/// An integration token (its secret) of the demo site's agency of that
/// name, made from the command line with `scopes` and no expiry.
pub async fn integration_token(app: &TestApp, agency: &str, name: &str, scopes: &[&str]) -> String {
    let agency = find_agency(app, agency).await.unwrap();
    accounts::create_token(
        &app.store,
        Actor::Cli,
        accounts::NewToken {
            site: agency.site_id,
            agency: agency.id,
            name,
            scopes: Scopes::parse(scopes.iter().copied()).unwrap(),
            expires_days: None,
        },
    )
    .await
    .unwrap()
    .1
}

/// A POST of a raw body with an integration token: the status and the JSON
/// answer (null if none).
pub async fn bearer_post(
    app: &TestApp,
    token: &str,
    path: &str,
    content_type: &str,
    body: String,
) -> (StatusCode, Value) {
    let r = app
        .client
        .post(app.url(path))
        .bearer_auth(token)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    status_and_json(r).await
}

/// Verifies the whole audit chain (hashes and sequence), failing the test if broken.
pub async fn assert_audit_chain_intact(app: &TestApp) {
    handoff_store::audit::verify(&mut app.store.conn())
        .await
        .unwrap();
}

/// Signs a release for the participant (`body` as the API takes it); returns it as stored.
pub async fn sign_release(cm: &TestApp, pid: &str, body: &Value) -> Value {
    let (s, rel) = cm
        .post(&format!("/api/v1/participants/{pid}/releases"), body)
        .await;
    assert_eq!(s, StatusCode::CREATED, "{rel}");
    rel
}

/// A drawn-signature release to one agency for `categories`, in force until 2099.
pub fn release_to(agency: &str, categories: &[&str], purpose: &str) -> Value {
    json!({
        "recipients": [{"agency_id": agency, "categories": categories}],
        "purpose": purpose,
        "expires_on": "2099-01-01",
        "signature": {"method": "drawn", "image_base64": PNG}
    })
}

/// The audit entries of one action in the demo site's chain.
pub async fn audit_entries(app: &TestApp, action: &str) -> Vec<handoff_audit::AuditEntry> {
    let site = demo_site(app).await;
    handoff_store::audit::by_action(&mut app.store.conn(), Some(site), action)
        .await
        .unwrap()
}

/// The audit entries of one action in the demo site's chain, as JSON events.
pub async fn audited(app: &TestApp, action: &str) -> Vec<Value> {
    audit_entries(app, action)
        .await
        .into_iter()
        .map(|e| serde_json::to_value(&e.event).unwrap())
        .collect()
}

/// The application state over the test's store (for calling services).
pub fn app_state(app: &TestApp) -> handoff_web::AppState {
    handoff_web::AppState::new(
        app.store.clone(),
        handoff_web::Config::new("127.0.0.1:0".parse().unwrap(), "sqlite::memory:"),
    )
}

/// Changes the site's policy as its admin: `change` edits the current
/// policy, which is then saved as a new version.
pub async fn change_policy(admin: &TestApp, change: impl FnOnce(&mut Value)) {
    let (_, p) = admin.get_json("/api/v1/policy").await;
    let mut policy = p["policy"].clone();
    change(&mut policy);
    let (s, v) = admin
        .put("/api/v1/policy", &json!({"policy": policy}))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
}

/// Reads a live event stream until an `event` naming `id` arrives or
/// `within` passes: whether it came, and all that was read.
pub async fn await_event<B: AsRef<[u8]>>(
    stream: &mut (impl futures_util::Stream<Item = reqwest::Result<B>> + Unpin),
    event: &str,
    id: &str,
    within: std::time::Duration,
) -> (bool, String) {
    use futures_util::StreamExt;
    let mut seen = String::new();
    let found = tokio::time::timeout(within, async {
        while let Some(chunk) = stream.next().await {
            seen.push_str(&String::from_utf8_lossy(chunk.unwrap().as_ref()));
            if seen.contains(&format!("event: {event}")) && seen.contains(id) {
                return true;
            }
        }
        false
    })
    .await
    .unwrap_or(false);
    (found, seen)
}

/// Asserts an answer refused as invalid (422) naming `field`.
#[track_caller]
pub fn assert_invalid(status: StatusCode, answer: &Value, field: &str) {
    assert_eq!(
        (status, answer["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some(field)),
        "{answer}"
    );
}
