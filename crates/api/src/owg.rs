//! The Operational Work Group and prosecutorial coordination API.

use super::workflow::Created;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use handoff_http::AppState;
use handoff_http::auth::{Person, Visit};
use handoff_http::body::Body;
use handoff_http::error::{AppError, AppResult, ErrorBody};
use handoff_http::owg::{
    self, AgendaView, ChargeDecision, CoordinationView, Message, Minutes, NewAction, NewCharge,
    NewMeeting, RaisedItem,
};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

fn uuid(s: &str) -> Result<Uuid, AppError> {
    s.parse().map_err(|_| AppError::NotFound)
}

/// Convene an OWG meeting (project manager).
#[utoipa::path(post, path = "/api/v1/owg/meetings", tag = "owg", request_body = NewMeeting,
    security(("session" = []), ("token" = [])),
    responses((status = 201, body = Created), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_meeting(
    Visit(s, ctx, Person(auth)): Visit<Person>,
    Body(m): Body<NewMeeting>,
) -> AppResult<(StatusCode, Json<Created>)> {
    let id = owg::create_meeting(&s, &auth, &ctx, m).await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

#[derive(Serialize, ToSchema)]
pub struct Built {
    /// Items added by this build.
    pub added: usize,
}

/// Build the agenda from events (idempotent).
#[utoipa::path(post, path = "/api/v1/owg/meetings/{id}/agenda", tag = "owg", params(("id" = Uuid, Path)),
    security(("session" = []), ("token" = [])),
    responses((status = 200, body = Built), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn build_agenda(
    Visit(s, ctx, Person(auth)): Visit<Person>,
    Path(id): Path<String>,
) -> AppResult<Json<Built>> {
    Ok(Json(Built {
        added: owg::build_agenda(&s, &auth, &ctx, uuid(&id)?).await?,
    }))
}

/// The meeting's agenda as the caller may see it.
#[utoipa::path(get, path = "/api/v1/owg/meetings/{id}", tag = "owg", params(("id" = Uuid, Path)),
    security(("session" = []), ("token" = [])),
    responses((status = 200, body = AgendaView), (status = 404, body = ErrorBody)))]
pub async fn agenda(
    Visit(s, ctx, Person(auth)): Visit<Person>,
    Path(id): Path<String>,
) -> AppResult<Json<AgendaView>> {
    Ok(Json(owg::agenda(&s, &auth, &ctx, uuid(&id)?).await?))
}

/// Raise an item for the agenda (any attendee).
#[utoipa::path(post, path = "/api/v1/owg/meetings/{id}/items", tag = "owg", params(("id" = Uuid, Path)), request_body = RaisedItem,
    security(("session" = []), ("token" = [])),
    responses((status = 204, description = "Added"), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn raise_item(
    Visit(s, ctx, Person(auth)): Visit<Person>,
    Path(id): Path<String>,
    Body(b): Body<RaisedItem>,
) -> AppResult<StatusCode> {
    owg::raise_item(&s, &auth, &ctx, uuid(&id)?, b).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Record the minutes of an item.
#[utoipa::path(put, path = "/api/v1/owg/items/{id}/minutes", tag = "owg", params(("id" = Uuid, Path)), request_body = Minutes,
    security(("session" = []), ("token" = [])),
    responses((status = 204, description = "Saved"), (status = 403, body = ErrorBody)))]
pub async fn minutes(
    Visit(s, ctx, Person(auth)): Visit<Person>,
    Path(id): Path<String>,
    Body(b): Body<Minutes>,
) -> AppResult<StatusCode> {
    owg::set_minutes(&s, &auth, &ctx, uuid(&id)?, b).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Add an action item with an owner and a due date.
#[utoipa::path(post, path = "/api/v1/owg/items/{id}/actions", tag = "owg", params(("id" = Uuid, Path)), request_body = NewAction,
    security(("session" = []), ("token" = [])),
    responses((status = 201, body = Created), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add_action(
    Visit(s, ctx, Person(auth)): Visit<Person>,
    Path(id): Path<String>,
    Body(b): Body<NewAction>,
) -> AppResult<(StatusCode, Json<Created>)> {
    let id = owg::add_action(&s, &auth, &ctx, uuid(&id)?, b).await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

/// The caller's open action items.
#[utoipa::path(get, path = "/api/v1/owg/actions", tag = "owg",
    security(("session" = []), ("token" = [])),
    responses((status = 200, body = Vec<owg::ActionView>)))]
pub async fn my_actions(
    State(s): State<AppState>,
    Person(auth): Person,
) -> AppResult<Json<Vec<owg::ActionView>>> {
    Ok(Json(owg::my_actions(&s, &auth).await?))
}

/// A new charge against a participant: opens a coordination item between
/// the liaison prosecutor and case management.
#[utoipa::path(post, path = "/api/v1/coordination", tag = "coordination", request_body = NewCharge,
    security(("session" = []), ("token" = [])),
    responses((status = 201, body = Created), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn open_charge(
    Visit(s, ctx, Person(auth)): Visit<Person>,
    Body(b): Body<NewCharge>,
) -> AppResult<(StatusCode, Json<Created>)> {
    let id = owg::open_charge(&s, &auth, &ctx, b).await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

/// A coordination item with its thread, and what the release lets the reader know.
#[utoipa::path(get, path = "/api/v1/coordination/{id}", tag = "coordination", params(("id" = Uuid, Path)),
    security(("session" = []), ("token" = [])),
    responses((status = 200, body = CoordinationView), (status = 404, body = ErrorBody)))]
pub async fn view_charge(
    Visit(s, ctx, Person(auth)): Visit<Person>,
    Path(id): Path<String>,
) -> AppResult<Json<CoordinationView>> {
    Ok(Json(owg::view_charge(&s, &auth, &ctx, uuid(&id)?).await?))
}

/// Add to the thread (the prosecutor, or case management adding context).
#[utoipa::path(post, path = "/api/v1/coordination/{id}/messages", tag = "coordination", params(("id" = Uuid, Path)), request_body = Message,
    security(("session" = []), ("token" = [])),
    responses((status = 204, description = "Added"), (status = 404, body = ErrorBody)))]
pub async fn post_message(
    Visit(s, ctx, Person(auth)): Visit<Person>,
    Path(id): Path<String>,
    Body(b): Body<Message>,
) -> AppResult<StatusCode> {
    owg::post_message(&s, &auth, &ctx, uuid(&id)?, b).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The prosecutor's decision on the charge.
#[utoipa::path(post, path = "/api/v1/coordination/{id}/decision", tag = "coordination", params(("id" = Uuid, Path)), request_body = ChargeDecision,
    security(("session" = []), ("token" = [])),
    responses((status = 204, description = "Recorded"), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn decide_charge(
    Visit(s, ctx, Person(auth)): Visit<Person>,
    Path(id): Path<String>,
    Body(b): Body<ChargeDecision>,
) -> AppResult<StatusCode> {
    owg::decide_charge(&s, &auth, &ctx, uuid(&id)?, b).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// De-identified figures for oversight: referrals and eligibility by door,
/// race, place (the site's areas) and pseudonymised officer; diversion by
/// race with the relative rate index; hold outcomes; the audit summary. Whole
/// months that have ended only (`to` is clamped to the last one). Counts
/// from 1 to 10 are suppressed, and so is whatever would let one be worked
/// out from the rest of the answer; a suppressed count is `null` with
/// `"suppressed": true`.
#[utoipa::path(get, path = "/api/v1/oversight/summary", tag = "oversight",
    params(handoff_http::oversight::PeriodQuery),
    security(("session" = []), ("token" = [])),
    responses((status = 200, body = handoff_http::oversight::Summary), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn oversight(
    Visit(s, ctx, Person(auth)): Visit<Person>,
    Query(q): Query<handoff_http::oversight::PeriodQuery>,
) -> AppResult<Json<handoff_http::oversight::Summary>> {
    let summary = handoff_http::oversight::summary(&s, &auth, handoff_http::now(), &q).await?;
    let e = handoff_http::audit::event(
        &auth,
        "oversight.read",
        handoff_audit::Outcome::Allowed,
        &ctx,
    );
    handoff_http::audit::record(&s, e).await?;
    Ok(Json(summary))
}
