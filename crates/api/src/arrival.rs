//! The accepted hand-off (where to go, whom to call, the ETA the officer
//! sees) and the prosecutor's working hold queue (names only where the
//! disclosure rules allow, ageing, undo within a short window).

use axum::Json;
use axum::extract::{Path, State};
use handoff_domain::{HoldId, ReferralId};
use handoff_http::AppState;
use handoff_http::arrival::{self, EtaForm, Handoff};
use handoff_http::auth::{Origin, Person};
use handoff_http::body::Body;
use handoff_http::error::{AppError, AppResult, ErrorBody};
use handoff_http::hold_queue::{self, QueueItem};
use handoff_http::workflow::views::HoldView;

fn id<T: std::str::FromStr>(raw: &str) -> Result<T, AppError> {
    raw.parse().map_err(|_| AppError::NotFound)
}

/// The hand-off of a referral: the place with map links (`geo:` and a web
/// map), the referring officer's name and work phone (case management),
/// the case manager who accepted and their ETA (while on the way), and
/// the times referral → accepted → arrived.
#[utoipa::path(get, path = "/api/v1/referrals/{id}/handoff", tag = "referrals", params(("id" = Uuid, Path)),
    security(("session" = []), ("token" = [])),
    responses((status = 200, body = Handoff), (status = 404, body = ErrorBody)))]
pub async fn handoff(
    State(s): State<AppState>,
    Origin(ctx): Origin,
    Person(auth): Person,
    Path(rid): Path<String>,
) -> AppResult<Json<Handoff>> {
    Ok(Json(
        arrival::get(&s, &auth, &ctx, id::<ReferralId>(&rid)?).await?,
    ))
}

/// "On my way, ETA N min" (`{"minutes": N}`, 1–240): only the case manager
/// who accepted the hand-off, before arrival. The referring officer sees
/// it live (event `referral.eta`).
#[utoipa::path(post, path = "/api/v1/referrals/{id}/eta", tag = "referrals", params(("id" = Uuid, Path)), request_body = EtaForm,
    security(("session" = []), ("token" = [])),
    responses((status = 200, body = Handoff), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn eta(
    State(s): State<AppState>,
    Origin(ctx): Origin,
    Person(auth): Person,
    Path(rid): Path<String>,
    Body(f): Body<EtaForm>,
) -> AppResult<Json<Handoff>> {
    // The API takes a JSON number (the page's form sends text).
    if !f.minutes.is_i64() {
        return Err(AppError::field(
            "minutes",
            "Give the minutes until you arrive, a whole number from 1 to 240.",
        )
        .into());
    }
    Ok(Json(
        arrival::send_eta(&s, &auth, &ctx, id::<ReferralId>(&rid)?, f).await?,
    ))
}

/// The prosecutor's queue: every hold of the caller's office with the
/// person's name only where `identity` is disclosed to the caller
/// (otherwise the incident, offences and date), ageing, and until when
/// the caller may undo the decision they recorded.
#[utoipa::path(get, path = "/api/v1/holds/queue", tag = "holds",
    security(("session" = []), ("token" = [])),
    responses((status = 200, body = Vec<QueueItem>), (status = 403, body = ErrorBody)))]
pub async fn queue(
    State(s): State<AppState>,
    Origin(ctx): Origin,
    Person(auth): Person,
) -> AppResult<Json<Vec<QueueItem>>> {
    Ok(Json(hold_queue::list(&s, &auth, &ctx).await?))
}

/// Undo the decision the caller recorded on a hold, within 5 minutes of
/// recording it (409 afterwards); audited.
#[utoipa::path(post, path = "/api/v1/holds/{id}/decision/undo", tag = "holds", params(("id" = Uuid, Path)),
    security(("session" = []), ("token" = [])),
    responses((status = 200, body = HoldView), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn undo(
    State(s): State<AppState>,
    Origin(ctx): Origin,
    Person(auth): Person,
    Path(hid): Path<String>,
) -> AppResult<Json<HoldView>> {
    Ok(Json(
        hold_queue::undo(&s, &auth, &ctx, id::<HoldId>(&hid)?).await?,
    ))
}

/// Why a stale referral is closed.
#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
pub struct CloseBody {
    /// not_located | declined | served_elsewhere | duplicate | moved_or_in_custody | other
    #[serde(default)]
    pub reason: String,
}

/// A case-management supervisor closes a referral nobody took up for 3
/// days or more, with a reason: status `closed` ("Closed without a
/// hand-off"), never a failure state. 204; 409 before it is stale.
#[utoipa::path(post, path = "/api/v1/referrals/{id}/close", tag = "referrals", params(("id" = Uuid, Path)), request_body = CloseBody,
    security(("session" = []), ("token" = [])),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn close(
    State(s): State<AppState>,
    Origin(ctx): Origin,
    Person(auth): Person,
    Path(rid): Path<String>,
    Body(b): Body<CloseBody>,
) -> AppResult<axum::http::StatusCode> {
    handoff_http::stale::close(&s, &auth, &ctx, id::<ReferralId>(&rid)?, b.reason.trim()).await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}
