//! Justice and outcome data: CSV imports, the jail feed, and clerical
//! review of proposed links.

use axum::Json;
use axum::extract::{Path, Query, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use handoff_http::AppState;
use handoff_http::auth::{AnyCaller, Origin, Person, Visit};
use handoff_http::error::{AppError, AppResult, ErrorBody, WebError};
use handoff_http::justice::import::Summary;
use handoff_http::justice::review::{ReviewItem, ReviewVerdict};
use handoff_http::justice::{self, Refused};
use handoff_http::list;
use handoff_justice::Kind;

/// The largest import or feed body (a few hundred thousand rows; larger
/// files go through `handoff import`, which streams).
const LIMIT: usize = 256 * 1024 * 1024;

async fn bytes(req: Request) -> Result<axum::body::Bytes, AppError> {
    axum::body::to_bytes(req.into_body(), LIMIT)
        .await
        .map_err(|_| AppError::field("body", "is larger than 256 MB; use `handoff import`"))
}

fn answer(r: Result<Summary, Refused>) -> Response {
    match r {
        Ok(s) => (StatusCode::OK, Json(s)).into_response(),
        Err(Refused::Rejected(report)) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            [(header::CONTENT_TYPE, "application/json")],
            report.to_json(),
        )
            .into_response(),
        Err(Refused::Other(e)) => WebError(e).into_response(),
    }
}

/// Import a CSV file of `kind` (arrests, charges, bookings,
/// prison_admissions, persons) under the kind's default columns, all or
/// nothing: an integration token with scope `imports`, or a site admin's
/// session with a second factor. A rejected file answers 422 with the
/// row-level report (line, column, code, reason) and writes nothing.
#[utoipa::path(post, path = "/api/v1/imports/{kind}", tag = "justice", params(("kind" = String, Path)),
    request_body(content = String, content_type = "text/csv"),
    security(("token" = ["imports"]), ("session" = [])),
    responses((status = 200, body = Summary), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, description = "The row-level report of a rejected file")))]
pub async fn import(
    State(s): State<AppState>,
    Origin(ctx): Origin,
    AnyCaller(caller): AnyCaller,
    Path(kind): Path<String>,
    req: Request,
) -> Response {
    let Ok(kind) = kind.parse::<Kind>() else {
        return WebError(AppError::NotFound).into_response();
    };
    let body = match bytes(req).await {
        Ok(b) => b,
        Err(e) => return WebError(e).into_response(),
    };
    answer(justice::import_csv(&s, &caller, &ctx, kind, &body).await)
}

/// The jail feed: one booking or a batch (JSON, the bookings contract),
/// all or nothing: an integration token with scope `bookings_feed`, or a
/// site admin's session with a second factor. A booking that links to a
/// participant alerts their case manager at once.
#[utoipa::path(post, path = "/api/v1/feeds/bookings", tag = "justice",
    request_body(content = Object, content_type = "application/json"),
    security(("token" = ["bookings_feed"]), ("session" = [])),
    responses((status = 200, body = Summary), (status = 403, body = ErrorBody),
        (status = 422, description = "The report of the bad bookings (line = position in the batch)")))]
pub async fn feed_bookings(
    State(s): State<AppState>,
    Origin(ctx): Origin,
    AnyCaller(caller): AnyCaller,
    req: Request,
) -> Response {
    let body = match bytes(req).await {
        Ok(b) => b,
        Err(e) => return WebError(e).into_response(),
    };
    answer(justice::feed_bookings(&s, &caller, &ctx, &body).await)
}

/// Proposed links waiting for clerical review (case managers and
/// supervisors): both records side by side with the per-field explanation,
/// oldest first. With `limit` or `cursor`: one page, `{"items",
/// "next_cursor"}` (filters `from`, `to` on the import date); without: the
/// bare array of old (at most 200, `Link` rel="next" when there are more).
#[utoipa::path(get, path = "/api/v1/review", tag = "justice", params(list::params::Review),
    security(("session" = []), ("token" = [])),
    responses((status = 200, description = "A page (with `limit` or `cursor`), else a bare array of `ReviewItem`", body = list::Listed<ReviewItem>),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn review_queue(
    Visit(s, ctx, Person(auth)): Visit<Person>,
    Query(lq): Query<list::ListQuery>,
) -> AppResult<axum::response::Response> {
    let mut listing = lq.parse_api(&list::specs::review())?;
    if !listing.paged {
        listing.page.limit = 200;
    }
    let got = justice::review::queue_page(&s, &auth, &ctx, &listing.page).await?;
    Ok(list::answer(&listing, "/api/v1/review", got))
}

/// Accept or reject a proposed link. The decision is kept: the same pair
/// is never asked again.
#[utoipa::path(post, path = "/api/v1/review/{id}", tag = "justice", params(("id" = Uuid, Path)),
    request_body = ReviewVerdict,
    security(("session" = []), ("token" = [])),
    responses((status = 204, description = "Decided"), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn review_decide(
    Visit(s, ctx, Person(auth)): Visit<Person>,
    Path(id): Path<String>,
    handoff_http::body::Body(v): handoff_http::body::Body<ReviewVerdict>,
) -> AppResult<StatusCode> {
    let id = id.parse().map_err(|_| AppError::NotFound)?;
    justice::review::decide(&s, &auth, &ctx, id, v).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportQuery {
    /// First index date (YYYY-MM-DD).
    pub from: Option<String>,
    /// The study end and last index date bound (YYYY-MM-DD; default today).
    pub to: Option<String>,
}

fn date(field: &str, s: Option<&str>) -> Result<Option<time::Date>, AppError> {
    s.map(|s| {
        time::Date::parse(
            s.trim(),
            time::macros::format_description!("[year]-[month]-[day]"),
        )
        .map_err(|_| AppError::field(field, "is not a date like 2026-12-31"))
    })
    .transpose()
}

/// The outcome-evaluation dataset (six CSV files by name, person ids
/// pseudonymised per export) for evaluators, where the site allows
/// research use. Audited.
#[utoipa::path(get, path = "/api/v1/exports/evaluation", tag = "justice", params(ExportQuery),
    security(("session" = []), ("token" = [])),
    responses((status = 200, body = std::collections::BTreeMap<String, String>), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn evaluation_export(
    Visit(s, ctx, Person(auth)): Visit<Person>,
    axum::extract::Query(q): axum::extract::Query<ExportQuery>,
) -> AppResult<Json<std::collections::BTreeMap<String, String>>> {
    let from = date("from", q.from.as_deref())?;
    let to = date("to", q.to.as_deref())?;
    Ok(Json(
        justice::evaluation_files(&s, &auth, &ctx, from, to).await?,
    ))
}
