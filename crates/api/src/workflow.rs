//! The diversion workflow's API: referrals, hand-off, triage, intake,
//! releases of information, holds, policy, roster, notifications and the
//! live event stream.

use super::schemas::{ReferralBody, ReleaseBody};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures_util::stream::Stream;
use handoff_domain::hold::HoldState;
use handoff_domain::referral::ReferralForm;
use handoff_domain::release::ReleaseForm;
use handoff_domain::{HoldId, ParticipantId, ReferralId, ReleaseId, ShiftId, UserId};
use handoff_http::AppState;
use handoff_http::auth::{Origin, Person};
use handoff_http::body::Body;
use handoff_http::error::{AppError, AppResult, ErrorBody};
use handoff_http::list;
use handoff_http::workflow::holds::DecisionForm;
use handoff_http::workflow::intake::IntakeForm;
use handoff_http::workflow::policy::{PolicyUpdate, PolicyView};
use handoff_http::workflow::referrals::TriageForm;
use handoff_http::workflow::views::{CreatedReferral, HoldView, ReferralView, ReleaseView};
use handoff_http::workflow::{self, sweep};
use serde::{Deserialize, Serialize};
use std::convert::Infallible;
use time::OffsetDateTime;
use tokio_stream::StreamExt;
use tokio_stream::wrappers::BroadcastStream;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

fn id<T: std::str::FromStr>(raw: &str) -> Result<T, AppError> {
    raw.parse().map_err(|_| AppError::NotFound)
}

/// Refer a person through one of the three doors. Screening runs at once
/// against the site's current policy. With a `client_token`, idempotent:
/// the same user sending the same token again gets the first referral back
/// (200) and nothing new is filed. A referral whose incident number the
/// site already has is filed and flagged (`possible_duplicate_of`).
#[utoipa::path(post, path = "/api/v1/referrals", tag = "referrals", request_body = ReferralBody,
    security(("session" = []), ("token" = [])),
    responses(
        (status = 201, description = "Recorded and screened (eligible or not: ineligible referrals are kept)", body = CreatedReferral),
        (status = 200, description = "Already recorded: the referral this user filed earlier with the same `client_token`", body = CreatedReferral),
        (status = 403, body = ErrorBody), (status = 422, description = "A field is invalid; `field` names it", body = ErrorBody)))]
pub async fn create_referral(
    State(s): State<AppState>,
    Origin(ctx): Origin,
    Person(auth): Person,
    Body(form): Body<ReferralForm>,
) -> AppResult<(StatusCode, Json<CreatedReferral>)> {
    let done = workflow::referrals::submit(&s, &auth, &ctx, form).await?;
    let status = if done.replayed {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok((status, Json(done.referral)))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Officers and community referrers always see their own; case
    /// managers with `mine=true` see the referrals they accepted.
    #[serde(default)]
    mine: Option<bool>,
}

/// The referrals the caller may see, newest first. With `limit` or
/// `cursor`: one page, `{"items": [...], "next_cursor": "..." | null}`
/// (keyset paging; filters `state`, `door`, `from`, `to`, `case_manager`).
/// Without either: the bare array of old, at most 500 referrals; when there
/// are more, a `Link: <…?cursor=…>; rel="next"` header says where the rest
/// begins.
#[utoipa::path(get, path = "/api/v1/referrals", tag = "referrals", params(ListQuery, list::params::Referrals),
    security(("session" = []), ("token" = [])),
    responses((status = 200, description = "A page (with `limit` or `cursor`), else a bare array of `ReferralView`", body = list::Listed<ReferralView>),
        (status = 403, body = ErrorBody), (status = 422, description = "A paging or filter parameter is invalid; `field` names it (`cursor`, `limit`, `state`, …)", body = ErrorBody)))]
pub async fn list_referrals(
    State(s): State<AppState>,
    Origin(ctx): Origin,
    Person(auth): Person,
    Query(q): Query<ListQuery>,
    Query(lq): Query<list::ListQuery>,
) -> AppResult<Response> {
    // Every caller may filter by the accepting case manager: the answer
    // shows it (`accepted_by`) to everyone who sees the referral.
    let mut listing = lq.parse_api(&list::specs::referrals(true))?;
    if !listing.paged {
        listing.page.limit = 500;
    }
    let mine = q.mine.unwrap_or(false);
    let got = workflow::referrals::list_page(&s, &auth, &ctx, mine, &listing.page).await?;
    let base = if mine {
        "/api/v1/referrals?mine=true"
    } else {
        "/api/v1/referrals"
    };
    Ok(list::answer(&listing, base, got))
}

/// Referrals waiting for a case manager: the hand-off inbox, newest
/// first. With `limit` or `cursor`: one page (`{"items", "next_cursor"}`;
/// filters `door`, `from`, `to`); without: the bare array of old (at most
/// 200, with a `Link` rel="next" header when there are more).
#[utoipa::path(get, path = "/api/v1/referrals/inbox", tag = "referrals", params(list::params::Inbox),
    security(("session" = []), ("token" = [])),
    responses((status = 200, description = "A page (with `limit` or `cursor`), else a bare array of `ReferralView`", body = list::Listed<ReferralView>),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn inbox(
    State(s): State<AppState>,
    Origin(ctx): Origin,
    Person(auth): Person,
    Query(lq): Query<list::ListQuery>,
) -> AppResult<Response> {
    let mut listing = lq.parse_api(&list::specs::inbox())?;
    if !listing.paged {
        listing.page.limit = 200;
    }
    let got = workflow::referrals::inbox_page(&s, &auth, &ctx, &listing.page).await?;
    Ok(list::answer(&listing, "/api/v1/referrals/inbox", got))
}

/// One referral, as the caller may see it.
#[utoipa::path(get, path = "/api/v1/referrals/{id}", tag = "referrals", params(("id" = Uuid, Path)),
    security(("session" = []), ("token" = [])),
    responses((status = 200, body = ReferralView), (status = 404, body = ErrorBody)))]
pub async fn get_referral(
    State(s): State<AppState>,
    Origin(ctx): Origin,
    Person(auth): Person,
    Path(rid): Path<String>,
) -> AppResult<Json<ReferralView>> {
    Ok(Json(
        workflow::referrals::get(&s, &auth, &ctx, id::<ReferralId>(&rid)?).await?,
    ))
}

/// A case manager accepts the hand-off; the officer sees who is coming.
#[utoipa::path(post, path = "/api/v1/referrals/{id}/accept", tag = "referrals", params(("id" = Uuid, Path)),
    security(("session" = []), ("token" = [])),
    responses((status = 200, body = ReferralView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, description = "Already accepted or not waiting", body = ErrorBody)))]
pub async fn accept(
    State(s): State<AppState>,
    Origin(ctx): Origin,
    Person(auth): Person,
    Path(rid): Path<String>,
) -> AppResult<Json<ReferralView>> {
    Ok(Json(
        workflow::referrals::accept(&s, &auth, &ctx, id(&rid)?).await?,
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct ApprovalBody {
    approved: bool,
}

/// Designated police or project-management staff approve (or not) an
/// eligible referral where the site's policy requires approval.
#[utoipa::path(post, path = "/api/v1/referrals/{id}/approval", tag = "referrals", params(("id" = Uuid, Path)), request_body = ApprovalBody,
    security(("session" = []), ("token" = [])),
    responses((status = 200, body = ReferralView), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn approval(
    State(s): State<AppState>,
    Origin(ctx): Origin,
    Person(auth): Person,
    Path(rid): Path<String>,
    Body(b): Body<ApprovalBody>,
) -> AppResult<Json<ReferralView>> {
    Ok(Json(
        workflow::referrals::approve(&s, &auth, &ctx, id(&rid)?, b.approved).await?,
    ))
}

/// The case manager arrived: triage at the scene begins (timestamped).
#[utoipa::path(post, path = "/api/v1/referrals/{id}/arrive", tag = "referrals", params(("id" = Uuid, Path)),
    security(("session" = []), ("token" = [])),
    responses((status = 200, body = ReferralView), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn arrive(
    State(s): State<AppState>,
    Origin(ctx): Origin,
    Person(auth): Person,
    Path(rid): Path<String>,
) -> AppResult<Json<ReferralView>> {
    Ok(Json(
        workflow::referrals::arrive(&s, &auth, &ctx, id(&rid)?).await?,
    ))
}

/// Triage at the scene: immediate needs and safety.
#[utoipa::path(post, path = "/api/v1/referrals/{id}/triage", tag = "referrals", params(("id" = Uuid, Path)), request_body = TriageForm,
    security(("session" = []), ("token" = [])),
    responses((status = 204, description = "Recorded"), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn triage(
    State(s): State<AppState>,
    Origin(ctx): Origin,
    Person(auth): Person,
    Path(rid): Path<String>,
    Body(f): Body<TriageForm>,
) -> AppResult<StatusCode> {
    workflow::referrals::triage(&s, &auth, &ctx, id(&rid)?, f).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
pub struct IntakeCreated {
    pub participant_id: Uuid,
}

/// Psychosocial intake. Creates the participant; a release of information
/// then completes enrolment.
#[utoipa::path(post, path = "/api/v1/referrals/{id}/intake", tag = "referrals", params(("id" = Uuid, Path)), request_body = IntakeForm,
    security(("session" = []), ("token" = [])),
    responses((status = 201, body = IntakeCreated), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn intake(
    State(s): State<AppState>,
    Origin(ctx): Origin,
    Person(auth): Person,
    Path(rid): Path<String>,
    Body(f): Body<IntakeForm>,
) -> AppResult<(StatusCode, Json<IntakeCreated>)> {
    let pid = workflow::intake::complete(&s, &auth, &ctx, id(&rid)?, f).await?;
    Ok((
        StatusCode::CREATED,
        Json(IntakeCreated {
            participant_id: *pid.as_uuid(),
        }),
    ))
}

#[derive(Serialize, ToSchema)]
pub struct Created {
    pub id: Uuid,
}

/// Record a signed release of information. With intake complete and the
/// release in force, the diversion hold is satisfied.
#[utoipa::path(post, path = "/api/v1/participants/{id}/releases", tag = "releases", params(("id" = Uuid, Path)), request_body = ReleaseBody,
    security(("session" = []), ("token" = [])),
    responses((status = 201, body = Created), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_release(
    State(s): State<AppState>,
    Origin(ctx): Origin,
    Person(auth): Person,
    Path(pid): Path<String>,
    Body(f): Body<ReleaseForm>,
) -> AppResult<(StatusCode, Json<Created>)> {
    let rid = workflow::releases::create(&s, &auth, &ctx, id::<ParticipantId>(&pid)?, f).await?;
    Ok((StatusCode::CREATED, Json(Created { id: *rid.as_uuid() })))
}

/// A participant's releases of information.
#[utoipa::path(get, path = "/api/v1/participants/{id}/releases", tag = "releases", params(("id" = Uuid, Path)),
    security(("session" = []), ("token" = [])),
    responses((status = 200, body = Vec<ReleaseView>), (status = 404, body = ErrorBody)))]
pub async fn list_releases(
    State(s): State<AppState>,
    Origin(ctx): Origin,
    Person(auth): Person,
    Path(pid): Path<String>,
) -> AppResult<Json<Vec<ReleaseView>>> {
    Ok(Json(
        workflow::releases::list(&s, &auth, &ctx, id(&pid)?).await?,
    ))
}

/// Revoke a release: effective immediately.
#[utoipa::path(post, path = "/api/v1/releases/{id}/revoke", tag = "releases", params(("id" = Uuid, Path)),
    security(("session" = []), ("token" = [])),
    responses((status = 204, description = "Revoked"), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn revoke_release(
    State(s): State<AppState>,
    Origin(ctx): Origin,
    Person(auth): Person,
    Path(rid): Path<String>,
) -> AppResult<StatusCode> {
    workflow::releases::revoke(&s, &auth, &ctx, id::<ReleaseId>(&rid)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The prosecutor's queue (holds their office owns; supervisors see all),
/// With `limit` or `cursor`: one page, `{"items", "next_cursor"}`, the
/// latest deadline first (`order=reverse`: the nearest first; filters
/// `state`, `from`, `to` on the deadline); without: every hold as a bare
/// array, the nearest deadline first (`state` filters).
#[utoipa::path(get, path = "/api/v1/holds", tag = "holds", params(list::params::Holds),
    security(("session" = []), ("token" = [])),
    responses((status = 200, description = "A page (with `limit` or `cursor`), else a bare array of `HoldView`", body = list::Listed<HoldView>),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list_holds(
    State(s): State<AppState>,
    Origin(ctx): Origin,
    Person(auth): Person,
    Query(lq): Query<list::ListQuery>,
) -> AppResult<Response> {
    let mut listing = lq.parse_api(&list::specs::holds())?;
    // Dates are new with paging: asking for them asks for a page.
    listing.paged |= listing.page.filters.from.is_some()
        || listing.page.filters.to.is_some()
        || listing.page.reverse;
    if listing.paged {
        let got = workflow::holds::list_page(&s, &auth, &ctx, &listing.page).await?;
        return Ok(list::answer(&listing, "/api/v1/holds", got));
    }
    let state = match listing.page.filters.state.as_deref() {
        Some(x) => Some(
            x.parse::<HoldState>()
                .map_err(|e| AppError::field("state", e.message))?,
        ),
        None => None,
    };
    Ok(Json(workflow::holds::list(&s, &auth, &ctx, state).await?).into_response())
}

/// The prosecutor's decision on a lapsed hold.
#[utoipa::path(post, path = "/api/v1/holds/{id}/decision", tag = "holds", params(("id" = Uuid, Path)), request_body = DecisionForm,
    security(("session" = []), ("token" = [])),
    responses((status = 200, body = HoldView), (status = 403, body = ErrorBody), (status = 409, description = "The hold is not lapsed, or already decided", body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn decide_hold(
    State(s): State<AppState>,
    Origin(ctx): Origin,
    Person(auth): Person,
    Path(hid): Path<String>,
    Body(f): Body<DecisionForm>,
) -> AppResult<Json<HoldView>> {
    Ok(Json(
        workflow::holds::decide(&s, &auth, &ctx, id::<HoldId>(&hid)?, f).await?,
    ))
}

/// The eligibility policy in force at the caller's site.
#[utoipa::path(get, path = "/api/v1/policy", tag = "policy",
    security(("session" = []), ("token" = [])),
    responses((status = 200, body = PolicyView), (status = 404, body = ErrorBody)))]
pub async fn get_policy(
    State(s): State<AppState>,
    Person(auth): Person,
) -> AppResult<Json<PolicyView>> {
    Ok(Json(
        workflow::policy::current(&s, auth.user.site_id).await?,
    ))
}

/// Save a new version of the policy (site admin). Versions are immutable.
#[utoipa::path(put, path = "/api/v1/policy", tag = "policy", request_body = PolicyUpdate,
    security(("session" = []), ("token" = [])),
    responses((status = 200, body = PolicyView), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn put_policy(
    State(s): State<AppState>,
    Origin(ctx): Origin,
    Person(auth): Person,
    Body(b): Body<PolicyUpdate>,
) -> AppResult<Json<PolicyView>> {
    Ok(Json(workflow::policy::update(&s, &auth, &ctx, b).await?))
}

/// Every version of the policy, newest first.
#[utoipa::path(get, path = "/api/v1/policy/versions", tag = "policy",
    security(("session" = []), ("token" = [])),
    responses((status = 200, body = Vec<PolicyView>)))]
pub async fn policy_versions(
    State(s): State<AppState>,
    Person(auth): Person,
) -> AppResult<Json<Vec<PolicyView>>> {
    Ok(Json(
        workflow::policy::history(&s, auth.user.site_id).await?,
    ))
}

#[derive(Serialize, ToSchema)]
pub struct ShiftView {
    pub id: Uuid,
    pub user_id: Uuid,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub starts_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub ends_at: OffsetDateTime,
}

/// The on-call roster for the next two weeks.
#[utoipa::path(get, path = "/api/v1/roster", tag = "roster",
    security(("session" = []), ("token" = [])),
    responses((status = 200, body = Vec<ShiftView>)))]
pub async fn roster(
    State(s): State<AppState>,
    Person(auth): Person,
) -> AppResult<Json<Vec<ShiftView>>> {
    let shifts = workflow::roster::upcoming(&s, &auth, 14).await?;
    Ok(Json(
        shifts
            .into_iter()
            .map(|x| ShiftView {
                id: *x.id.as_uuid(),
                user_id: *x.user_id.as_uuid(),
                starts_at: x.starts_at,
                ends_at: x.ends_at,
            })
            .collect(),
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct NewShift {
    user_id: String,
    /// RFC 3339.
    starts_at: String,
    /// RFC 3339.
    ends_at: String,
}

fn instant(s: &str, field: &'static str) -> Result<OffsetDateTime, AppError> {
    OffsetDateTime::parse(s.trim(), &time::format_description::well_known::Rfc3339).map_err(|_| {
        AppError::field(
            field,
            "is not an RFC 3339 time like 2026-11-30T08:00:00-08:00",
        )
    })
}

/// Put a case manager on call (supervisor).
#[utoipa::path(post, path = "/api/v1/roster", tag = "roster", request_body = NewShift,
    security(("session" = []), ("token" = [])),
    responses((status = 201, body = Created), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add_shift(
    State(s): State<AppState>,
    Origin(ctx): Origin,
    Person(auth): Person,
    Body(b): Body<NewShift>,
) -> AppResult<(StatusCode, Json<Created>)> {
    let user: UserId = b
        .user_id
        .parse()
        .map_err(|_| AppError::field("user_id", "is not a user id"))?;
    let id = workflow::roster::add(
        &s,
        &auth,
        &ctx,
        user,
        instant(&b.starts_at, "starts_at")?,
        instant(&b.ends_at, "ends_at")?,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(Created { id: *id.as_uuid() })))
}

/// Remove a shift from the roster (supervisor).
#[utoipa::path(delete, path = "/api/v1/roster/{id}", tag = "roster", params(("id" = Uuid, Path)),
    security(("session" = []), ("token" = [])),
    responses((status = 204, description = "Removed"), (status = 403, body = ErrorBody)))]
pub async fn remove_shift(
    State(s): State<AppState>,
    Origin(ctx): Origin,
    Person(auth): Person,
    Path(sid): Path<String>,
) -> AppResult<StatusCode> {
    workflow::roster::remove(&s, &auth, &ctx, id::<ShiftId>(&sid)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The caller's notifications (hand-offs, escalations, hold reminders).
#[utoipa::path(get, path = "/api/v1/notifications", tag = "notifications",
    security(("session" = []), ("token" = [])),
    responses((status = 200, body = Vec<Object>)))]
pub async fn notifications(
    State(s): State<AppState>,
    Person(auth): Person,
) -> AppResult<Json<Vec<handoff_store::notifications::Notification>>> {
    Ok(Json(
        handoff_store::notifications::for_user(
            &mut s.store.conn(),
            auth.user.site_id,
            auth.user.id,
            100,
        )
        .await?,
    ))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SweepQuery {
    /// YYYY-MM-DD at the site; today when absent.
    as_of: Option<String>,
}

/// Run the hold sweep now (supervisor): lapses, reminders, escalations.
#[utoipa::path(post, path = "/api/v1/holds/sweep", tag = "holds", params(SweepQuery),
    security(("session" = []), ("token" = [])),
    responses((status = 200, body = Object), (status = 403, body = ErrorBody)))]
pub async fn run_sweep(
    State(s): State<AppState>,
    Person(auth): Person,
    Query(q): Query<SweepQuery>,
) -> AppResult<Json<sweep::SweepReport>> {
    handoff_http::workflow::require_now(
        &s,
        &auth,
        handoff_domain::rules::Action::RunHoldSweep,
        "The hold sweep is run by supervisors.",
    )
    .await?;
    let as_of = match q.as_of {
        Some(d) => {
            let date = time::Date::parse(
                d.trim(),
                time::macros::format_description!("[year]-[month]-[day]"),
            )
            .map_err(|_| AppError::field("as_of", "is not a date like 2026-12-31"))?;
            let site =
                handoff_store::orgs::get_site(&mut s.store.conn(), auth.user.site_id).await?;
            sweep::as_of_date(&site.time_zone, date)?
        }
        None => handoff_http::now(),
    };
    Ok(Json(sweep::site(&s, auth.user.site_id, as_of).await?))
}

/// Live events for the caller (server-sent events): `referral.new`,
/// `referral.accepted`, `referral.arrived`, `referral.escalated`, … Each
/// carries ids only; fetch the referral to see what you may.
#[utoipa::path(get, path = "/api/v1/events", tag = "notifications",
    security(("session" = []), ("token" = [])),
    responses((status = 200, description = "text/event-stream", content_type = "text/event-stream")))]
pub async fn events(
    State(s): State<AppState>,
    Person(auth): Person,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let site = auth.user.site_id;
    let user = auth.user.id;
    let roles = auth.user.roles.clone();
    let stream = BroadcastStream::new(s.bus.subscribe()).filter_map(move |e| {
        let e = e.ok()?;
        if !e.reaches(site, user, &roles) {
            return None;
        }
        Some(Ok(Event::default()
            .event(e.kind)
            .json_data(&e)
            .unwrap_or_default()))
    });
    Sse::new(stream).keep_alive(KeepAlive::new().interval(std::time::Duration::from_secs(15)))
}

/// Hand-off times per week (supervisor): median and 90th percentile from
/// referral to acceptance and to arrival, over the last 8 weeks.
#[utoipa::path(get, path = "/api/v1/handoffs/stats", tag = "referrals",
    security(("session" = []), ("token" = [])),
    responses((status = 200, body = Vec<handoff_http::workflow::stats::WeekStats>), (status = 403, body = ErrorBody)))]
pub async fn handoff_stats(
    State(s): State<AppState>,
    Person(auth): Person,
) -> AppResult<Json<Vec<handoff_http::workflow::stats::WeekStats>>> {
    Ok(Json(workflow::stats::weekly(&s, &auth, 8).await?))
}

/// The months of the hand-off-time trend.
#[derive(Deserialize, IntoParams)]
pub struct TrendQuery {
    /// First month, `YYYY-MM` (default: five months before `to`).
    pub from: Option<String>,
    /// Last month, `YYYY-MM` (default: this month).
    pub to: Option<String>,
}

/// Hand-off times per month (supervisor): median and 90th percentile from
/// referral to acceptance, acceptance to arrival and referral to arrival.
#[utoipa::path(get, path = "/api/v1/handoffs/trend", tag = "referrals", params(TrendQuery),
    security(("session" = []), ("token" = [])),
    responses((status = 200, body = handoff_http::handoff_trend::Trend), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn handoff_trend(
    State(s): State<AppState>,
    Person(auth): Person,
    Query(q): Query<TrendQuery>,
) -> AppResult<Json<handoff_http::handoff_trend::Trend>> {
    let t = handoff_http::handoff_trend::monthly(&s, &auth, q.from.as_deref(), q.to.as_deref());
    Ok(Json(t.await?))
}

/// The participants the caller may see in any category.
#[utoipa::path(get, path = "/api/v1/participants", tag = "participants",
    security(("session" = []), ("token" = [])),
    responses((status = 200, body = Vec<handoff_http::disclosure::VisibleParticipant>)))]
pub async fn participants(
    State(s): State<AppState>,
    Origin(ctx): Origin,
    Person(auth): Person,
) -> AppResult<Json<Vec<handoff_http::disclosure::VisibleParticipant>>> {
    let guard = handoff_http::disclosure::Guard::new(&s, &auth).await?;
    Ok(Json(guard.visible(&ctx).await?))
}

/// One category of a participant's data, as the disclosure engine allows
/// the caller: 200 with the data (empty when there is nothing in it), 403
/// when the caller may know the participant exists but not this category,
/// 404 otherwise. Category: identity | demographics | enrollment | hold |
/// engagement | plan | notes | health | sud | justice.
#[utoipa::path(get, path = "/api/v1/participants/{id}/{category}", tag = "participants",
    params(("id" = Uuid, Path), ("category" = String, Path)),
    security(("session" = []), ("token" = [])),
    responses((status = 200, body = handoff_http::disclosure::CategoryData), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn participant_category(
    State(s): State<AppState>,
    Origin(ctx): Origin,
    Person(auth): Person,
    Path((pid, category)): Path<(String, String)>,
) -> AppResult<Json<handoff_http::disclosure::CategoryData>> {
    let category: handoff_domain::DataCategory =
        category.parse().map_err(|_| AppError::NotFound)?;
    let guard = handoff_http::disclosure::Guard::new(&s, &auth).await?;
    Ok(Json(guard.read(&ctx, id(&pid)?, category).await?))
}

/// Referrals waiting for approval, for the staff the policy designates,
/// newest first. With `limit` or `cursor`: one page, `{"items",
/// "next_cursor"}` (filters `door`, `from`, `to`); without: the bare array
/// of old (at most 200, `Link` rel="next" when there are more).
#[utoipa::path(get, path = "/api/v1/referrals/approvals", tag = "referrals", params(list::params::Inbox),
    security(("session" = []), ("token" = [])),
    responses((status = 200, description = "A page (with `limit` or `cursor`), else a bare array of `ReferralView`", body = list::Listed<ReferralView>),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn approvals(
    State(s): State<AppState>,
    Origin(ctx): Origin,
    Person(auth): Person,
    Query(lq): Query<list::ListQuery>,
) -> AppResult<Response> {
    let mut listing = lq.parse_api(&list::specs::inbox())?;
    if !listing.paged {
        listing.page.limit = 200;
    }
    let got = workflow::referrals::awaiting_approval_page(&s, &auth, &ctx, &listing.page).await?;
    Ok(list::answer(&listing, "/api/v1/referrals/approvals", got))
}

/// Mark all the caller's notifications read.
#[utoipa::path(post, path = "/api/v1/notifications/read", tag = "notifications",
    security(("session" = []), ("token" = [])),
    responses((status = 204, description = "Marked read")))]
pub async fn notifications_read(
    State(s): State<AppState>,
    Person(auth): Person,
) -> AppResult<StatusCode> {
    handoff_store::notifications::mark_read(
        &mut s.store.conn(),
        auth.user.site_id,
        auth.user.id,
        handoff_http::now(),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}
