//! What the organisations outside case management may ask: an officer's
//! look-up of participation and a partner's list of what was shared with it.

use axum::Json;
use axum::extract::{Query, State};
use handoff_http::AppState;
use handoff_http::auth::{Origin, Person};
use handoff_http::error::{AppResult, ErrorBody};
use handoff_http::lookup::{self, LookupAnswer, LookupQuery};
use handoff_http::shared::{self, SharedParticipant};

/// Is this person a LEAD participant? (Officers.) One match, naming the
/// case manager and their phone, per participant of that date of birth and
/// a close name whose release in force discloses `enrollment` to the
/// caller's organisation; otherwise `{"matches": []}` — the same answer
/// whether or not the person exists. Audited (`participant.lookup`).
#[utoipa::path(get, path = "/api/v1/lookup", tag = "participants", params(LookupQuery),
    security(("session" = []), ("token" = [])),
    responses((status = 200, body = LookupAnswer), (status = 403, body = ErrorBody), (status = 422, description = "A missing or invalid parameter, named in `field`", body = ErrorBody)))]
pub async fn lookup(
    State(s): State<AppState>,
    Origin(ctx): Origin,
    Person(auth): Person,
    Query(q): Query<LookupQuery>,
) -> AppResult<Json<LookupAnswer>> {
    Ok(Json(lookup::look_up(&s, &auth, &ctx, &q).await?))
}

/// The participants whose release in force names the caller's organisation
/// (partners), with the categories shared and the release's expiry; the
/// name only where `identity` is shared. Audited as one list
/// (`participant.shared.list`).
#[utoipa::path(get, path = "/api/v1/shared", tag = "participants",
    security(("session" = []), ("token" = [])),
    responses((status = 200, body = Vec<SharedParticipant>), (status = 403, body = ErrorBody)))]
pub async fn shared(
    State(s): State<AppState>,
    Origin(ctx): Origin,
    Person(auth): Person,
) -> AppResult<Json<Vec<SharedParticipant>>> {
    Ok(Json(shared::shared_with_us(&s, &auth, &ctx).await?))
}
