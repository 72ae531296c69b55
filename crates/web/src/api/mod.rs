//! The JSON API under `/api/v1`. Every route is registered together with its
//! OpenAPI description (utoipa-axum), so the document served at
//! `/api/v1/openapi.json` covers the API by construction.

pub mod body;
pub mod casework;
pub mod justice;
pub mod me;
pub mod owg;
pub mod schemas;
pub mod session;
pub mod workflow;

use crate::AppState;
use crate::error::ErrorBody;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use std::sync::OnceLock;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Handoff API",
        version = "1.0.0",
        description = "The JSON API of a Handoff LEAD site. Authenticate with a session (POST /api/v1/session; \
            state-changing requests then carry the session's CSRF token in X-CSRF-Token) or with an \
            integration token (Authorization: Bearer). Errors are {\"error\": {\"code\", \"message\", \"field\"?}}.",
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
        (name = "oversight", description = "De-identified figures for civil-rights oversight"),
        (name = "coordination", description = "Prosecutorial coordination on new charges against participants"),
        (name = "notifications", description = "Notifications and live events"),
        (name = "justice", description = "Justice and outcome data: imports, the jail feed and clerical review of links"),
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
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The API routes with their documentation.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(session::create_session, session::delete_session))
        .routes(routes!(session::delete_all_sessions))
        .routes(routes!(me::me))
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
        .routes(routes!(workflow::run_sweep))
        .routes(routes!(workflow::get_policy, workflow::put_policy))
        .routes(routes!(workflow::policy_versions))
        .routes(routes!(workflow::roster, workflow::add_shift))
        .routes(routes!(workflow::remove_shift))
        .routes(routes!(workflow::notifications))
        .routes(routes!(workflow::events))
        .routes(routes!(workflow::handoff_stats))
        .routes(routes!(workflow::participants))
        .routes(routes!(workflow::participant_category))
        .routes(routes!(casework::log_contact))
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
        .routes(routes!(owg::oversight))
        .routes(routes!(justice::import))
        .routes(routes!(justice::feed_bookings))
        .routes(routes!(justice::review_queue))
        .routes(routes!(justice::review_decide))
        .routes(routes!(justice::evaluation_export))
}

/// The OpenAPI 3.1 document, generated from the code.
pub fn openapi() -> &'static utoipa::openapi::OpenApi {
    static DOC: OnceLock<utoipa::openapi::OpenApi> = OnceLock::new();
    DOC.get_or_init(|| router().split_for_parts().1)
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
            tracing::warn!(error = %crate::error::error_chain(&e), "readiness check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
        }
    }
}
