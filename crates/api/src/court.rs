//! A participant's court dates, warrants and pre-existing cases.

use axum::Json;
use axum::extract::Path;
use axum::http::StatusCode;
use handoff_http::auth::{Person, Visit};
use handoff_http::body::Body;
use handoff_http::court::{self, CourtEntry, CourtView};
use handoff_http::error::{AppError, AppResult, ErrorBody};

fn id<T: std::str::FromStr>(raw: &str) -> Result<T, AppError> {
    raw.parse().map_err(|_| AppError::NotFound)
}

/// Record a court date, an outstanding warrant or a pre-existing case on a
/// participant's record (their case manager or supervisor).
#[utoipa::path(post, path = "/api/v1/participants/{id}/court", tag = "casework", params(("id" = Uuid, Path)), request_body = CourtEntry,
    security(("session" = []), ("token" = [])),
    responses((status = 201, body = CourtView), (status = 404, description = "Not a participant of the caller's agency", body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add(
    Visit(s, ctx, Person(auth)): Visit<Person>,
    Path(pid): Path<String>,
    Body(b): Body<CourtEntry>,
) -> AppResult<(StatusCode, Json<CourtView>)> {
    Ok((
        StatusCode::CREATED,
        Json(court::add(&s, &auth, &ctx, id(&pid)?, b).await?),
    ))
}

/// A participant's court dates, warrants and cases, by day, where the
/// participant's release (or the caller's work on the case) shares
/// `justice` with the caller.
#[utoipa::path(get, path = "/api/v1/participants/{id}/court", tag = "casework", params(("id" = Uuid, Path)),
    security(("session" = []), ("token" = [])),
    responses((status = 200, body = Vec<CourtView>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn list(
    Visit(s, ctx, Person(auth)): Visit<Person>,
    Path(pid): Path<String>,
) -> AppResult<Json<Vec<CourtView>>> {
    Ok(Json(court::list(&s, &auth, &ctx, id(&pid)?).await?))
}

/// The caller's participants' court dates in the next seven days (a
/// supervisor: the agency's), soonest first.
#[utoipa::path(get, path = "/api/v1/court/upcoming", tag = "casework",
    security(("session" = []), ("token" = [])),
    responses((status = 200, body = Vec<CourtView>)))]
pub async fn upcoming(
    Visit(s, ctx, Person(auth)): Visit<Person>,
) -> AppResult<Json<Vec<CourtView>>> {
    Ok(Json(court::upcoming(&s, &auth, &ctx).await?))
}
