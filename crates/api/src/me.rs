//! `GET /api/v1/me` and `GET /api/v1/agencies`.

use axum::Json;
use axum::extract::State;
use handoff_domain::{AgencyKind, Role};
use handoff_http::AppState;
use handoff_http::auth::Person;
use handoff_http::error::{AppResult, ErrorBody};
use handoff_store::orgs;
use handoff_store::users::User;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Serialize, ToSchema)]
pub struct UserView {
    pub id: Uuid,
    pub email: String,
    pub display_name: String,
    pub site_id: Uuid,
    pub agency_id: Uuid,
    #[schema(value_type = Vec<String>, example = json!(["officer"]))]
    pub roles: Vec<Role>,
    pub mfa_enabled: bool,
}

impl UserView {
    pub fn of(u: &User) -> Self {
        Self {
            id: *u.id.as_uuid(),
            email: u.email.to_string(),
            display_name: u.display_name.clone(),
            site_id: *u.site_id.as_uuid(),
            agency_id: *u.agency_id.as_uuid(),
            roles: u.roles.clone(),
            mfa_enabled: u.totp_enabled,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct SiteView {
    pub id: Uuid,
    pub name: String,
    /// IANA time zone used for display and deadlines.
    pub time_zone: String,
}

#[derive(Serialize, ToSchema)]
pub struct AgencyView {
    pub id: Uuid,
    pub name: String,
    /// One of police, prosecutor, case_management, defender, housing, health,
    /// civil_rights, community, bureau, research, program_office.
    #[schema(value_type = String, example = "police")]
    pub kind: AgencyKind,
}

impl AgencyView {
    fn of(a: &orgs::Agency) -> Self {
        Self {
            id: *a.id.as_uuid(),
            name: a.name.clone(),
            kind: a.kind,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct MeResponse {
    pub user: UserView,
    pub site: SiteView,
    pub agency: AgencyView,
    #[schema(value_type = Vec<String>)]
    pub roles: Vec<Role>,
    /// The session's CSRF token; null for integration tokens, which need none.
    pub csrf_token: Option<String>,
}

/// The caller: user, site, agency, roles and the current CSRF token.
#[utoipa::path(
    get,
    path = "/api/v1/me",
    tag = "site",
    security(("session" = []), ("token" = [])),
    responses((status = 200, body = MeResponse), (status = 401, body = ErrorBody))
)]
pub async fn me(
    State(state): State<AppState>,
    Person(auth): Person,
) -> AppResult<Json<MeResponse>> {
    let mut c = state.store.conn();
    let site = orgs::get_site(&mut c, auth.user.site_id).await?;
    let agency = orgs::get_agency(&mut c, auth.user.site_id, auth.user.agency_id).await?;
    Ok(Json(MeResponse {
        user: UserView::of(&auth.user),
        site: SiteView {
            id: *site.id.as_uuid(),
            name: site.name,
            time_zone: site.time_zone,
        },
        agency: AgencyView::of(&agency),
        roles: auth.user.roles.clone(),
        csrf_token: auth.csrf_token().map(str::to_string),
    }))
}

/// The partner agencies of the caller's site.
#[utoipa::path(
    get,
    path = "/api/v1/agencies",
    tag = "site",
    security(("session" = []), ("token" = [])),
    responses((status = 200, body = Vec<AgencyView>), (status = 401, body = ErrorBody))
)]
pub async fn agencies(
    State(state): State<AppState>,
    Person(auth): Person,
) -> AppResult<Json<Vec<AgencyView>>> {
    let list = orgs::list_agencies(&mut state.store.conn(), auth.user.site_id).await?;
    Ok(Json(list.iter().map(AgencyView::of).collect()))
}
