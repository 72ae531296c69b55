//! The casework API: contacts, goals and service referrals, monthly status,
//! closing and reopening, assignment, caseloads, search and documents.
//! Reads of participant data answer through the disclosure guard.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use handoff_domain::{DataCategory, ParticipantId};
use handoff_http::AppState;
use handoff_http::auth::{Origin, Person};
use handoff_http::body::Body;
use handoff_http::casework::caseload::{AssignForm, AssignResult, Caseload, View};
use handoff_http::casework::contacts::{ContactCreated, ContactForm};
use handoff_http::casework::documents::DocumentCreated;
use handoff_http::casework::plan::{GoalForm, ServiceReferralForm};
use handoff_http::casework::profile::ProfileForm;
use handoff_http::casework::search::SearchHit;
use handoff_http::casework::status::{CloseForm, MonthForm, ParticipationView, ReopenForm};
use handoff_http::casework::{self, documents};
use handoff_http::disclosure::{CategoryData, Guard};
use handoff_http::error::{AppError, AppResult, ErrorBody};
use handoff_http::list;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

fn id<T: std::str::FromStr>(raw: &str) -> Result<T, AppError> {
    raw.parse().map_err(|_| AppError::NotFound)
}

/// Log a contact with a participant, in the field. The text comes in
/// pieces, each tagged `notes`, `health` or `sud`.
#[utoipa::path(post, path = "/api/v1/participants/{id}/contacts", tag = "casework", params(("id" = Uuid, Path)), request_body = ContactForm,
    security(("session" = []), ("token" = [])),
    responses((status = 201, body = ContactCreated), (status = 404, description = "Not a participant of the caller's agency", body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn log_contact(
    State(s): State<AppState>,
    Origin(ctx): Origin,
    Person(auth): Person,
    Path(pid): Path<String>,
    Body(f): Body<ContactForm>,
) -> AppResult<(StatusCode, Json<ContactCreated>)> {
    Ok((
        StatusCode::CREATED,
        Json(casework::contacts::log(&s, &auth, &ctx, id(&pid)?, f).await?),
    ))
}

/// Correct a contact: a new version (the author, or a supervisor). The
/// contact as written and every earlier version stay in its history.
#[utoipa::path(post, path = "/api/v1/participants/{id}/contacts/{contact_id}/corrections", tag = "casework", params(("id" = Uuid, Path), ("contact_id" = Uuid, Path)), request_body = handoff_http::corrections::CorrectionForm,
    security(("session" = []), ("token" = [])),
    responses((status = 201, body = handoff_http::corrections::Corrected), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn correct_contact(
    State(s): State<AppState>,
    Origin(ctx): Origin,
    Person(auth): Person,
    Path((pid, cid)): Path<(String, String)>,
    Body(f): Body<handoff_http::corrections::CorrectionForm>,
) -> AppResult<(StatusCode, Json<handoff_http::corrections::Corrected>)> {
    let done = handoff_http::corrections::correct(&s, &auth, &ctx, id(&pid)?, id(&cid)?, f).await?;
    Ok((StatusCode::CREATED, Json(done)))
}

#[derive(Serialize, ToSchema)]
pub struct Created {
    pub id: Uuid,
}

/// The participant's plan (goals with steps, service referrals), as the
/// disclosure engine allows the caller: the same as `/plan`.
#[utoipa::path(get, path = "/api/v1/participants/{id}/goals", tag = "casework", params(("id" = Uuid, Path)),
    security(("session" = []), ("token" = [])),
    responses((status = 200, body = CategoryData), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn list_goals(
    State(s): State<AppState>,
    Origin(ctx): Origin,
    Person(auth): Person,
    Path(pid): Path<String>,
) -> AppResult<Json<CategoryData>> {
    let guard = Guard::new(&s, &auth).await?;
    Ok(Json(
        guard
            .read(&ctx, id::<ParticipantId>(&pid)?, DataCategory::Plan)
            .await?,
    ))
}

/// Add a goal in the participant's own words, with steps.
#[utoipa::path(post, path = "/api/v1/participants/{id}/goals", tag = "casework", params(("id" = Uuid, Path)), request_body = GoalForm,
    security(("session" = []), ("token" = [])),
    responses((status = 201, body = Created), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_goal(
    State(s): State<AppState>,
    Origin(ctx): Origin,
    Person(auth): Person,
    Path(pid): Path<String>,
    Body(f): Body<GoalForm>,
) -> AppResult<(StatusCode, Json<Created>)> {
    let gid = casework::plan::create_goal(&s, &auth, &ctx, id(&pid)?, f).await?;
    Ok((StatusCode::CREATED, Json(Created { id: gid })))
}

/// Rewrite a goal: words, status (active, achieved, set_aside) and steps.
#[utoipa::path(put, path = "/api/v1/participants/{id}/goals/{goal}", tag = "casework", params(("id" = Uuid, Path), ("goal" = Uuid, Path)), request_body = GoalForm,
    security(("session" = []), ("token" = [])),
    responses((status = 204, description = "Saved"), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_goal(
    State(s): State<AppState>,
    Origin(ctx): Origin,
    Person(auth): Person,
    Path((pid, gid)): Path<(String, String)>,
    Body(f): Body<GoalForm>,
) -> AppResult<StatusCode> {
    casework::plan::update_goal(&s, &auth, &ctx, id(&pid)?, id(&gid)?, f).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Refer the participant to a service provider.
#[utoipa::path(post, path = "/api/v1/participants/{id}/service-referrals", tag = "casework", params(("id" = Uuid, Path)), request_body = ServiceReferralForm,
    security(("session" = []), ("token" = [])),
    responses((status = 201, body = Created), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_service_referral(
    State(s): State<AppState>,
    Origin(ctx): Origin,
    Person(auth): Person,
    Path(pid): Path<String>,
    Body(f): Body<ServiceReferralForm>,
) -> AppResult<(StatusCode, Json<Created>)> {
    let rid = casework::plan::create_service_referral(&s, &auth, &ctx, id(&pid)?, f).await?;
    Ok((StatusCode::CREATED, Json(Created { id: rid })))
}

#[derive(Deserialize, ToSchema)]
pub struct OutcomeBody {
    /// pending | connected | not_connected | declined
    pub outcome: String,
}

/// Record what came of a service referral.
#[utoipa::path(put, path = "/api/v1/participants/{id}/service-referrals/{referral}", tag = "casework", params(("id" = Uuid, Path), ("referral" = Uuid, Path)), request_body = OutcomeBody,
    security(("session" = []), ("token" = [])),
    responses((status = 204, description = "Saved"), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn service_referral_outcome(
    State(s): State<AppState>,
    Origin(ctx): Origin,
    Person(auth): Person,
    Path((pid, rid)): Path<(String, String)>,
    Body(b): Body<OutcomeBody>,
) -> AppResult<StatusCode> {
    casework::plan::set_service_referral_outcome(&s, &auth, &ctx, id(&pid)?, id(&rid)?, &b.outcome)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// An explicit update of one month's status (housing, employment,
/// income/benefits); contacts never overwrite it.
#[utoipa::path(put, path = "/api/v1/participants/{id}/monthly/{month}", tag = "casework", params(("id" = Uuid, Path), ("month" = String, Path, description = "YYYY-MM")), request_body = MonthForm,
    security(("session" = []), ("token" = [])),
    responses((status = 204, description = "Saved"), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn put_month(
    State(s): State<AppState>,
    Origin(ctx): Origin,
    Person(auth): Person,
    Path((pid, month)): Path<(String, String)>,
    Body(f): Body<MonthForm>,
) -> AppResult<StatusCode> {
    casework::status::put_month(&s, &auth, &ctx, id(&pid)?, &month, f).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Close a case for one of the participant's reasons (their choice, moved
/// away, deceased, long incarceration, other). Never for conduct.
#[utoipa::path(post, path = "/api/v1/participants/{id}/close", tag = "casework", params(("id" = Uuid, Path)), request_body = CloseForm,
    security(("session" = []), ("token" = [])),
    responses((status = 200, body = ParticipationView), (status = 404, body = ErrorBody), (status = 409, description = "Already closed", body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn close(
    State(s): State<AppState>,
    Origin(ctx): Origin,
    Person(auth): Person,
    Path(pid): Path<String>,
    Body(f): Body<CloseForm>,
) -> AppResult<Json<ParticipationView>> {
    Ok(Json(
        casework::status::close(&s, &auth, &ctx, id(&pid)?, f).await?,
    ))
}

/// Reopen a closed case, at any time, for any reason.
#[utoipa::path(post, path = "/api/v1/participants/{id}/reopen", tag = "casework", params(("id" = Uuid, Path)), request_body = ReopenForm,
    security(("session" = []), ("token" = [])),
    responses((status = 200, body = ParticipationView), (status = 404, body = ErrorBody), (status = 409, description = "The case is open", body = ErrorBody)))]
pub async fn reopen(
    State(s): State<AppState>,
    Origin(ctx): Origin,
    Person(auth): Person,
    Path(pid): Path<String>,
    Body(f): Body<ReopenForm>,
) -> AppResult<Json<ParticipationView>> {
    Ok(Json(
        casework::status::reopen(&s, &auth, &ctx, id(&pid)?, f).await?,
    ))
}

/// Give the case to a case manager of the agency. Above the standard (15)
/// or the tolerated team average (20) the answer carries warnings and the
/// case moves only with `confirm: true`; above 25 it is refused (409).
#[utoipa::path(post, path = "/api/v1/participants/{id}/assign", tag = "casework", params(("id" = Uuid, Path)), request_body = AssignForm,
    security(("session" = []), ("token" = [])),
    responses((status = 200, body = AssignResult), (status = 404, body = ErrorBody), (status = 409, description = "Above the ceiling", body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn assign(
    State(s): State<AppState>,
    Origin(ctx): Origin,
    Person(auth): Person,
    Path(pid): Path<String>,
    Body(f): Body<AssignForm>,
) -> AppResult<Json<AssignResult>> {
    Ok(Json(
        casework::caseload::assign(&s, &auth, &ctx, id(&pid)?, f).await?,
    ))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CaseloadQuery {
    /// mine (default) | team | unassigned
    view: Option<String>,
}

/// Open cases, the longest without contact first. With `limit` or
/// `cursor`: one page of the cases, `{"items", "next_cursor"}` (the team
/// view filters by `case_manager`); without: the whole caseload object.
#[utoipa::path(get, path = "/api/v1/caseloads", tag = "casework", params(CaseloadQuery, list::params::Caseload),
    security(("session" = []), ("token" = [])),
    responses((status = 200, description = "A page of cases (with `limit` or `cursor`: `{items, next_cursor}`), else the `Caseload`", body = Caseload),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn caseloads(
    State(s): State<AppState>,
    Origin(ctx): Origin,
    Person(auth): Person,
    Query(q): Query<CaseloadQuery>,
    Query(lq): Query<list::ListQuery>,
) -> AppResult<Response> {
    let view = View::parse(q.view.as_deref())?;
    let listing = lq.parse_api(&list::specs::caseload(true))?;
    if !listing.paged {
        let whole = casework::caseload::caseload(&s, &auth, &ctx, view).await?;
        return Ok(Json(whole).into_response());
    }
    let (c, next) = casework::caseload::caseload_page(&s, &auth, &ctx, view, &listing.page).await?;
    let got = list::Paged {
        items: c.cases,
        next,
    };
    Ok(list::answer(&listing, "/api/v1/caseloads", got))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchQuery {
    /// A name, an alias or a date of birth (typos tolerated).
    q: String,
}

/// Search participants by name, alias or date of birth (case managers and
/// supervisors only).
///
/// With `limit` or `cursor`: one page of the (at most 50) best matches,
/// `{"items", "next_cursor"}`; without: the bare array.
#[utoipa::path(get, path = "/api/v1/search", tag = "casework", params(SearchQuery, list::params::Plain),
    security(("session" = []), ("token" = [])),
    responses((status = 200, description = "A page (with `limit` or `cursor`), else a bare array of `SearchHit`", body = list::Listed<SearchHit>),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn search(
    State(s): State<AppState>,
    Origin(ctx): Origin,
    Person(auth): Person,
    Query(q): Query<SearchQuery>,
    Query(lq): Query<list::ListQuery>,
) -> AppResult<Response> {
    let listing = lq.parse_api(&list::specs::plain())?;
    let hits = casework::search::search(&s, &auth, &ctx, &q.q).await?;
    if !listing.paged {
        return Ok(Json(hits).into_response());
    }
    let got = list::in_memory(hits, &listing.page, list::search_cursor);
    Ok(list::answer(&listing, "/api/v1/search", got))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DocumentQuery {
    /// roi_form | id | letter | other
    kind: Option<String>,
    filename: Option<String>,
}

/// Upload a document (the raw file as the body; PDF, PNG or JPEG, at most
/// 5 MB; the type is read from the file's first bytes).
#[utoipa::path(post, path = "/api/v1/participants/{id}/documents", tag = "casework", params(("id" = Uuid, Path), DocumentQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    security(("session" = []), ("token" = [])),
    responses((status = 201, body = DocumentCreated), (status = 404, body = ErrorBody), (status = 422, description = "Too large, empty or not a PDF, PNG or JPEG", body = ErrorBody)))]
pub async fn upload_document(
    State(s): State<AppState>,
    Origin(ctx): Origin,
    Person(auth): Person,
    Path(pid): Path<String>,
    Query(q): Query<DocumentQuery>,
    body: axum::body::Body,
) -> AppResult<(StatusCode, Json<DocumentCreated>)> {
    let bytes = axum::body::to_bytes(body, documents::MAX_DOCUMENT_BYTES + 1)
        .await
        .map_err(|_| AppError::field("file", "is larger than 5 MB"))?;
    let created = documents::upload(
        &s,
        &auth,
        &ctx,
        id(&pid)?,
        q.kind.as_deref().unwrap_or("other"),
        q.filename.as_deref().unwrap_or("document"),
        bytes.to_vec(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// Replace the profile extras: aliases, identifiers (booking numbers, state
/// id), phone, e-mail and where to find the person. Read back as part of
/// `identity`.
#[utoipa::path(put, path = "/api/v1/participants/{id}/profile", tag = "casework", params(("id" = Uuid, Path)), request_body = ProfileForm,
    security(("session" = []), ("token" = [])),
    responses((status = 204, description = "Saved"), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn put_profile(
    State(s): State<AppState>,
    Origin(ctx): Origin,
    Person(auth): Person,
    Path(pid): Path<String>,
    Body(f): Body<ProfileForm>,
) -> AppResult<StatusCode> {
    casework::profile::put(&s, &auth, &ctx, id(&pid)?, f).await?;
    Ok(StatusCode::NO_CONTENT)
}
