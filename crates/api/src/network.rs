//! The network: the sites a person acts in and the switch between them
//! (`/api/v1/session/sites`, `/api/v1/session/site`), the Bureau's sites and
//! cross-site figures (`/api/v1/network/…`), scorecard targets, and a
//! site's fidelity scorecard (`/api/v1/sites/{id}/scorecard`).

use axum::Json;
use axum::extract::{Path, Query};
use handoff_http::auth::{Person, Visit};
use handoff_http::body::Body;
use handoff_http::error::{AppError, AppResult, ErrorBody};
use handoff_http::network::figures::{NetworkFigures, PeriodQuery};
use handoff_http::network::scorecard::{Scorecard, Targets, TargetsChange};
use handoff_http::network::sites::SiteRef;
use handoff_http::network::{figures, scorecard, sites};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// A site the caller holds roles in.
#[derive(Serialize, ToSchema)]
pub struct SiteChoiceView {
    pub id: Uuid,
    pub name: String,
    pub slug: String,
    /// Whether the session acts in this site now.
    pub current: bool,
}

/// The sites the caller holds roles in; the session acts in the one marked
/// `current`, and in no other.
#[utoipa::path(get, path = "/api/v1/session/sites", tag = "session",
    security(("session" = [])),
    responses((status = 200, body = Vec<SiteChoiceView>), (status = 401, body = ErrorBody)))]
pub async fn my_sites(
    Visit(s, _ctx, Person(auth)): Visit<Person>,
) -> AppResult<Json<Vec<SiteChoiceView>>> {
    let v = sites::mine(&s, &auth).await?;
    Ok(Json(
        v.into_iter()
            .map(|c| SiteChoiceView {
                current: c.id == auth.user.site_id,
                id: *c.id.as_uuid(),
                name: c.name,
                slug: c.slug,
            })
            .collect(),
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct SiteSwitch {
    /// One of the sites of `GET /api/v1/session/sites`.
    pub site_id: String,
}

/// Switch the session to another site the caller holds roles in. Every
/// request after it acts in that site alone, with the organisation and
/// roles held there. Audited (`auth.site.switch`), refusals too.
#[utoipa::path(post, path = "/api/v1/session/site", tag = "session", request_body = SiteSwitch,
    security(("session" = [])),
    responses((status = 200, body = SiteChoiceView), (status = 401, body = ErrorBody), (status = 422, description = "No role in that site", body = ErrorBody)))]
pub async fn switch_site(
    Visit(s, ctx, Person(auth)): Visit<Person>,
    Body(b): Body<SiteSwitch>,
) -> AppResult<Json<SiteChoiceView>> {
    let id: Uuid = b
        .site_id
        .trim()
        .parse()
        .map_err(|_| AppError::field("site_id", "is not a site id"))?;
    let c = sites::switch(&s, &auth, id.into(), &ctx).await?;
    Ok(Json(SiteChoiceView {
        id: *c.id.as_uuid(),
        name: c.name,
        slug: c.slug,
        current: true,
    }))
}

/// The network's sites (the Bureau, network staff).
#[utoipa::path(get, path = "/api/v1/network/sites", tag = "network",
    security(("session" = [])),
    responses((status = 200, body = Vec<SiteRef>), (status = 403, body = ErrorBody)))]
pub async fn network_sites(
    Visit(s, _ctx, Person(auth)): Visit<Person>,
) -> AppResult<Json<Vec<SiteRef>>> {
    let (_, v) = sites::list(&s, &auth).await?;
    Ok(Json(v.into_iter().map(SiteRef::from).collect()))
}

/// The Bureau's cross-site figures: per site and for the network, by
/// month — referrals by door, eligible and ineligible, hand-offs within the
/// target with median and 90th percentile, holds satisfied and lapsed and
/// prosecutors' decisions, open, engaged, not recently engaged, closed and
/// reopened cases, contacts per participant-month, housing, employment and
/// income from monthly status, diversion by race with the RRI and its
/// interval. Whole months that have ended at every site (`to` clamped; at
/// most 36 months). Aggregates only, from monthly rollups: counts from 1
/// to 10 are suppressed, and so is whatever would let one be worked out
/// (across sites and the network's totals); a suppressed count is `null`
/// with `"suppressed": true`.
#[utoipa::path(get, path = "/api/v1/network/figures", tag = "network",
    params(PeriodQuery),
    security(("session" = [])),
    responses((status = 200, body = NetworkFigures), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn network_figures(
    Visit(s, ctx, Person(auth)): Visit<Person>,
    Query(q): Query<PeriodQuery>,
) -> AppResult<Json<NetworkFigures>> {
    Ok(Json(figures::network_figures(&s, &auth, &q, &ctx).await?))
}

/// The scorecard targets in force (network staff).
#[utoipa::path(get, path = "/api/v1/network/targets", tag = "network",
    security(("session" = [])),
    responses((status = 200, body = Targets), (status = 403, body = ErrorBody)))]
pub async fn get_targets(Visit(s, _ctx, Person(auth)): Visit<Person>) -> AppResult<Json<Targets>> {
    Ok(Json(scorecard::get_targets(&s, &auth).await?))
}

/// Change scorecard targets: saves a new version (the Bureau). Each target
/// has `target` and `watch` thresholds; errors name the field.
#[utoipa::path(put, path = "/api/v1/network/targets", tag = "network", request_body = TargetsChange,
    security(("session" = [])),
    responses((status = 200, body = Targets), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn put_targets(
    Visit(s, ctx, Person(auth)): Visit<Person>,
    Body(b): Body<TargetsChange>,
) -> AppResult<Json<Targets>> {
    Ok(Json(scorecard::set_targets(&s, &auth, &b, &ctx).await?))
}

/// A site's fidelity scorecard over whole months: each indicator's value,
/// the network's target, a status (`met`, `watch`, `not_met`) and the
/// trend by month. The Bureau for any site of its network; the site's
/// supervisors and project manager for the site they act in.
#[utoipa::path(get, path = "/api/v1/sites/{id}/scorecard", tag = "network",
    params(("id" = Uuid, Path), PeriodQuery),
    security(("session" = [])),
    responses((status = 200, body = Scorecard), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn site_scorecard(
    Visit(s, ctx, Person(auth)): Visit<Person>,
    Path(id): Path<String>,
    Query(q): Query<PeriodQuery>,
) -> AppResult<Json<Scorecard>> {
    let id: Uuid = id.parse().map_err(|_| AppError::NotFound)?;
    Ok(Json(
        scorecard::scorecard(&s, &auth, id.into(), &q, &ctx).await?,
    ))
}
