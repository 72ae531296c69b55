//! The JSON API under `/api/v1`. Every route is registered together with its
//! OpenAPI description (utoipa-axum), so the document served at
//! `/api/v1/openapi.json` covers the API by construction.

pub mod arrival;
pub mod casework;
pub mod contract;
pub mod court;
pub mod evidence;
pub mod justice;
pub mod lookup;
pub mod me;
pub mod network;
pub mod owg;
pub mod schemas;
pub mod session;
pub mod workflow;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use handoff_domain::integration::{Scope, TokenAction, scopes_for};
use handoff_http::AppState;
use handoff_http::error::ErrorBody;
use std::sync::OnceLock;
use utoipa::openapi::security::{
    ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme,
};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Handoff API",
        version = "1.1.0",
        description = "The JSON API of a Handoff LEAD site. Authenticate with a session (POST /api/v1/session; \
            state-changing requests then carry the session's CSRF token in X-CSRF-Token) or, for the few \
            operations open to integrations, with an integration token (Authorization: Bearer; see the \
            `token` security scheme for its scopes). Errors are {\"error\": {\"code\", \"message\", \"field\"?}}.",
        license(name = "AGPL-3.0-or-later")
    ),
    components(schemas(ErrorBody)),
    modifiers(&SecuritySchemes),
    tags(
        (name = "session", description = "Signing in and out"),
        (name = "site", description = "The caller, their site and its partner agencies"),
        (name = "referrals", description = "Referral through three doors, screening, hand-off, triage and intake"),
        (name = "releases", description = "Releases of information"),
        (name = "participants", description = "Participant data by category, as the disclosure engine allows the caller"),
        (name = "holds", description = "Diversion holds and the prosecutor's queue"),
        (name = "policy", description = "The site's versioned eligibility policy"),
        (name = "roster", description = "The on-call roster"),
        (name = "owg", description = "Operational Work Group meetings, agendas, minutes and action items"),
        (name = "network", description = "The LEAD network: the Bureau's sites, cross-site figures, scorecard targets and site scorecards"),
        (name = "oversight", description = "De-identified figures for civil-rights oversight"),
        (name = "coordination", description = "Prosecutorial coordination on new charges against participants"),
        (name = "notifications", description = "Notifications and live events"),
        (name = "justice", description = "Justice and outcome data: imports, the jail feed and clerical review of links"),
        (name = "evidence", description = "Evidence from the site's own data: the diversion-on/off shift schedule, the eligible-but-booked log, programme costs, evaluation runs and the PCG report"),
        (name = "casework", description = "Contacts, goals, service referrals, monthly status, closing and reopening, assignment, caseloads, search and documents"),
    )
)]
struct ApiDoc;

struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new("handoff_session"))),
        );
        components.add_security_scheme(
            "token",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(token_scheme_description()))
                    .build(),
            ),
        );
    }
}

/// The operations an integration (API token) may call, with the action
/// each one is. Which scope allows which action is the domain's table
/// (`handoff_domain::integration::SCOPE_GRANTS`); every other operation
/// refuses a token with 403.
pub const TOKEN_OPERATIONS: &[(&str, &str, TokenAction)] = &[
    ("post", "/api/v1/imports/{kind}", TokenAction::RunImport),
    (
        "post",
        "/api/v1/feeds/bookings",
        TokenAction::PostBookingsFeed,
    ),
];

fn token_scheme_description() -> String {
    let mut d = String::from(
        "An integration token (Authorization: Bearer hnd_…). A token is an integration of its own — \
         named, owned by an agency, with explicit scopes and an expiry (90 days by default) — never a \
         person: it acts as no one, reads no participant content and can call only the operations its \
         scopes name; every other operation answers 403. Its use is audited under the token's id. Site admins mint \
         and revoke tokens (/admin, `handoff admin create-token`). Scopes:",
    );
    for scope in Scope::ALL {
        let ops: Vec<String> = TOKEN_OPERATIONS
            .iter()
            .filter(|(_, _, a)| scopes_for(*a).contains(scope))
            .map(|(m, p, _)| format!("{} {p}", m.to_uppercase()))
            .collect();
        let what = if ops.is_empty() {
            "the HMIS export for the housing partner (no HTTP operation yet)".to_string()
        } else {
            ops.join(", ")
        };
        d.push_str(&format!(" `{}`: {what}.", scope.as_str()));
    }
    d
}

fn names_token(r: &SecurityRequirement) -> bool {
    serde_json::to_value(r)
        .ok()
        .and_then(|v| v.as_object().map(|o| o.contains_key("token")))
        .unwrap_or(false)
}

/// Makes the document say what the code does: only [`TOKEN_OPERATIONS`]
/// accept the `token` scheme, each with the scopes that allow it.
fn integration_security(doc: &mut utoipa::openapi::OpenApi) {
    for (path, item) in doc.paths.paths.iter_mut() {
        for (method, op) in [
            ("get", &mut item.get),
            ("post", &mut item.post),
            ("put", &mut item.put),
            ("delete", &mut item.delete),
            ("patch", &mut item.patch),
        ] {
            let Some(op) = op.as_mut() else { continue };
            let Some(security) = op.security.as_mut() else {
                continue;
            };
            security.retain(|r| !names_token(r));
            if let Some((_, _, action)) = TOKEN_OPERATIONS
                .iter()
                .find(|(m, p, _)| *m == method && p == path)
            {
                let scopes: Vec<&str> = scopes_for(*action).iter().map(|s| s.as_str()).collect();
                security.insert(0, SecurityRequirement::new("token", scopes));
            }
        }
    }
}

/// The API routes with their documentation.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(session::create_session, session::delete_session))
        .routes(routes!(session::delete_all_sessions))
        .routes(routes!(me::me))
        .routes(routes!(network::my_sites))
        .routes(routes!(network::switch_site))
        .routes(routes!(network::network_sites))
        .routes(routes!(network::network_figures))
        .routes(routes!(network::get_targets, network::put_targets))
        .routes(routes!(network::site_scorecard))
        .routes(routes!(me::agencies))
        .routes(routes!(workflow::create_referral, workflow::list_referrals))
        .routes(routes!(workflow::inbox))
        .routes(routes!(workflow::approvals))
        .routes(routes!(workflow::notifications_read))
        .routes(routes!(workflow::get_referral))
        .routes(routes!(workflow::accept))
        .routes(routes!(workflow::approval))
        .routes(routes!(workflow::arrive))
        .routes(routes!(workflow::triage))
        .routes(routes!(workflow::intake))
        .routes(routes!(workflow::create_release, workflow::list_releases))
        .routes(routes!(workflow::revoke_release))
        .routes(routes!(workflow::list_holds))
        .routes(routes!(workflow::decide_hold))
        .routes(routes!(arrival::queue))
        .routes(routes!(arrival::undo))
        .routes(routes!(arrival::handoff))
        .routes(routes!(arrival::eta))
        .routes(routes!(arrival::close))
        .routes(routes!(workflow::run_sweep))
        .routes(routes!(workflow::get_policy, workflow::put_policy))
        .routes(routes!(workflow::policy_versions))
        .routes(routes!(workflow::roster, workflow::add_shift))
        .routes(routes!(workflow::remove_shift))
        .routes(routes!(workflow::notifications))
        .routes(routes!(workflow::events))
        .routes(routes!(workflow::handoff_stats))
        .routes(routes!(workflow::handoff_trend))
        .routes(routes!(workflow::participants))
        .routes(routes!(workflow::participant_category))
        .routes(routes!(lookup::lookup))
        .routes(routes!(lookup::shared))
        .routes(routes!(casework::log_contact))
        .routes(routes!(casework::correct_contact))
        .routes(routes!(casework::list_goals, casework::create_goal))
        .routes(routes!(casework::update_goal))
        .routes(routes!(casework::create_service_referral))
        .routes(routes!(casework::service_referral_outcome))
        .routes(routes!(casework::put_month))
        .routes(routes!(casework::close))
        .routes(routes!(casework::reopen))
        .routes(routes!(casework::assign))
        .routes(routes!(casework::caseloads))
        .routes(routes!(casework::search))
        .routes(routes!(casework::upload_document))
        .routes(routes!(casework::put_profile))
        .routes(routes!(owg::create_meeting))
        .routes(routes!(owg::build_agenda))
        .routes(routes!(owg::agenda))
        .routes(routes!(owg::raise_item))
        .routes(routes!(owg::minutes))
        .routes(routes!(owg::add_action))
        .routes(routes!(owg::my_actions))
        .routes(routes!(owg::open_charge))
        .routes(routes!(owg::view_charge))
        .routes(routes!(owg::post_message))
        .routes(routes!(owg::decide_charge))
        .routes(routes!(court::add, court::list))
        .routes(routes!(court::upcoming))
        .routes(routes!(owg::oversight))
        .routes(routes!(justice::import))
        .routes(routes!(justice::feed_bookings))
        .routes(routes!(justice::review_queue))
        .routes(routes!(justice::review_decide))
        .routes(routes!(justice::evaluation_export))
        .routes(routes!(evidence::log_eligible_arrest))
        .routes(routes!(
            evidence::shift_schedule,
            evidence::adopt_shift_schedule
        ))
        .routes(routes!(
            evidence::program_costs,
            evidence::record_program_cost
        ))
        .routes(routes!(
            evidence::list_evaluations,
            evidence::start_evaluation
        ))
        .routes(routes!(evidence::get_evaluation))
        .routes(routes!(evidence::pcg_report))
}

/// The OpenAPI 3.1 document, generated from the code (as JSON: the last
/// step, [`contract::complete`], works on the document's JSON).
pub fn openapi() -> &'static serde_json::Value {
    static DOC: OnceLock<serde_json::Value> = OnceLock::new();
    DOC.get_or_init(|| {
        let mut doc = router().split_for_parts().1;
        integration_security(&mut doc);
        let mut doc = serde_json::to_value(&doc).expect("the document serializes");
        contract::complete(&mut doc);
        doc
    })
}

pub async fn openapi_json() -> impl IntoResponse {
    Json(openapi())
}

/// The process is up.
pub async fn healthz() -> &'static str {
    "ok"
}

/// The database answers.
pub async fn readyz(State(state): State<AppState>) -> impl IntoResponse {
    match state.store.ping().await {
        Ok(()) => (StatusCode::OK, "ready"),
        Err(e) => {
            tracing::warn!(error = %handoff_http::error::error_chain(&e), "readiness check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
        }
    }
}
