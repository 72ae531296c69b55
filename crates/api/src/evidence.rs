//! Evidence from the site's own data: the diversion-on/off shift schedule,
//! the eligible-but-booked log, programme costs, evaluation runs and the
//! PCG report (`handoff-evidence`).

use axum::Json;
use axum::extract::{Path, Query};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use handoff_http::auth::{Person, Visit};
use handoff_http::body::Body;
use handoff_http::error::{AppError, AppResult, ErrorBody};
use handoff_http::evidence::costs::{CostBody, CostRow, CostSummary};
use handoff_http::evidence::eligible::{ArrestBody, Logged};
use handoff_http::evidence::evaluations::{RunAnswer, RunBody, Started};
use handoff_http::evidence::pcg::{Report, ReportQuery};
use handoff_http::evidence::shifts::{Current, ScheduleBody};
use handoff_http::evidence::{self, costs, eligible, evaluations, pcg, shifts};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// Log an eligible arrest that was booked, not diverted (officers): the
/// comparison cohort and the booked side of the oversight RRI. Not a
/// referral: it never reaches the hand-off inbox or case management. A
/// 422 names the first invalid field; its message lists every one.
#[utoipa::path(post, path = "/api/v1/eligible-arrests", tag = "evidence", request_body = ArrestBody,
    security(("session" = [])),
    responses((status = 201, body = Logged), (status = 403, body = ErrorBody),
        (status = 422, description = "A field is invalid; `field` names the first", body = ErrorBody)))]
pub async fn log_eligible_arrest(
    Visit(s, ctx, Person(auth)): Visit<Person>,
    Body(b): Body<ArrestBody>,
) -> AppResult<(StatusCode, Json<Logged>)> {
    match eligible::log(&s, &auth, &ctx, &b).await {
        Ok(l) => Ok((StatusCode::CREATED, Json(l))),
        Err((_, bad)) if !bad.is_empty() => Err(AppError::BadRequest {
            field: Some(bad[0].0.clone()),
            message: bad
                .iter()
                .map(|(f, m)| format!("{f}: {m}"))
                .collect::<Vec<_>>()
                .join("; "),
        }
        .into()),
        Err((e, _)) => Err(e.into()),
    }
}

/// The diversion-on/off schedule in force and the coming days or shifts
/// (`null` when the PCG has adopted none).
#[utoipa::path(get, path = "/api/v1/shift-schedule", tag = "evidence",
    security(("session" = [])),
    responses((status = 200, body = Option<Current>)))]
pub async fn shift_schedule(
    Visit(s, _ctx, Person(auth)): Visit<Person>,
) -> AppResult<Json<Option<Current>>> {
    Ok(Json(shifts::current(&s, &auth).await?))
}

/// A new version of the schedule as the PCG adopted it (site admins).
#[utoipa::path(post, path = "/api/v1/shift-schedule", tag = "evidence", request_body = ScheduleBody,
    security(("session" = [])),
    responses((status = 201, description = "The version recorded"), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn adopt_shift_schedule(
    Visit(s, ctx, Person(auth)): Visit<Person>,
    Body(b): Body<ScheduleBody>,
) -> AppResult<(StatusCode, Json<handoff_store::evidence::Schedule>)> {
    Ok((
        StatusCode::CREATED,
        Json(shifts::adopt(&s, &auth, &ctx, b).await?),
    ))
}

/// Record programme spending for a period (site admins). Recording the
/// same period and category again is a new version that supersedes it.
#[utoipa::path(post, path = "/api/v1/program-costs", tag = "evidence", request_body = CostBody,
    security(("session" = [])),
    responses((status = 201, body = CostRow), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn record_program_cost(
    Visit(s, ctx, Person(auth)): Visit<Person>,
    Body(b): Body<CostBody>,
) -> AppResult<(StatusCode, Json<CostRow>)> {
    Ok((
        StatusCode::CREATED,
        Json(costs::record(&s, &auth, &ctx, &b).await?),
    ))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PeriodQuery {
    /// First day (default a year before `to`); not after `to`.
    #[param(value_type = Option<String>, format = Date)]
    pub from: Option<String>,
    /// Last day (default today).
    #[param(value_type = Option<String>, format = Date)]
    pub to: Option<String>,
}

/// Every recorded cost (all versions) and the cost per participant.
#[derive(Serialize, ToSchema)]
pub struct CostsAnswer {
    pub costs: Vec<CostRow>,
    pub summary: CostSummary,
}

/// Programme costs and cost per participant-month and -year (site admins
/// and those who see the PCG report).
#[utoipa::path(get, path = "/api/v1/program-costs", tag = "evidence", params(PeriodQuery),
    security(("session" = [])),
    responses((status = 200, body = CostsAnswer), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn program_costs(
    Visit(s, _ctx, Person(auth)): Visit<Person>,
    Query(q): Query<PeriodQuery>,
) -> AppResult<Json<CostsAnswer>> {
    evidence::require(
        &s,
        &auth,
        handoff_domain::rules::Action::SeePcgReport,
        "programme costs are for site admins, supervisors and the bureau",
    )
    .await?;
    let ctx = handoff_http::workflow::SiteCtx::load(&s, auth.user.site_id).await?;
    let today = ctx.tz.local_date(handoff_http::now());
    let (from, to) = pcg::period(
        &ReportQuery {
            from: q.from.clone(),
            to: q.to.clone(),
            ..Default::default()
        },
        today,
    )?;
    let from = if q.from.is_none() {
        to - time::Duration::days(364)
    } else {
        from
    };
    let all = handoff_store::evidence::costs(&mut s.store.conn(), auth.user.site_id).await?;
    Ok(Json(CostsAnswer {
        costs: costs::rows(&all),
        summary: costs::summary(&s, auth.user.site_id, from, to).await?,
    }))
}

/// Run the evaluation on the site's own data (evaluators, and site admins
/// where the site allows research use): the evaluation export and the
/// engine in one step, in the background. Poll `GET /api/v1/evaluations/{id}`.
#[utoipa::path(post, path = "/api/v1/evaluations", tag = "evidence", request_body = RunBody,
    security(("session" = [])),
    responses((status = 201, body = Started), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn start_evaluation(
    Visit(s, ctx, Person(auth)): Visit<Person>,
    Body(b): Body<RunBody>,
) -> AppResult<(StatusCode, Json<Started>)> {
    let id = handoff_http::runs::start_evaluation(&s, &auth, &ctx, &b).await?;
    Ok((
        StatusCode::CREATED,
        Json(Started {
            id,
            status: "running".into(),
        }),
    ))
}

/// One evaluation run: its status, results.json (SPEC §8, with `ipw`)
/// when done, the plain-language refusal when refused, and the report.
#[utoipa::path(get, path = "/api/v1/evaluations/{id}", tag = "evidence", params(("id" = Uuid, Path)),
    security(("session" = [])),
    responses((status = 200, body = RunAnswer), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_evaluation(
    Visit(s, _ctx, Person(auth)): Visit<Person>,
    Path(id): Path<String>,
) -> AppResult<Json<RunAnswer>> {
    let id: Uuid = id.parse().map_err(|_| AppError::NotFound)?;
    Ok(Json(evaluations::get(&s, &auth, id).await?.0))
}

/// A run in the list (no results).
#[derive(Serialize, ToSchema)]
pub struct RunRow {
    pub id: Uuid,
    pub status: String,
    pub from: String,
    pub to: String,
    pub n_lead: Option<i64>,
    pub n_control: Option<i64>,
    pub refusal: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String)]
    pub created_at: time::OffsetDateTime,
}

/// The site's evaluation runs with their parameters, newest first (50).
#[utoipa::path(get, path = "/api/v1/evaluations", tag = "evidence",
    security(("session" = [])),
    responses((status = 200, body = Vec<RunRow>), (status = 403, body = ErrorBody)))]
pub async fn list_evaluations(
    Visit(s, _ctx, Person(auth)): Visit<Person>,
) -> AppResult<Json<Vec<RunRow>>> {
    Ok(Json(
        evaluations::list(&s, &auth, 50)
            .await?
            .into_iter()
            .map(|r| RunRow {
                id: r.id,
                status: r.status,
                from: r.from_on,
                to: r.to_on,
                n_lead: r.n_lead,
                n_control: r.n_control,
                refusal: r.refusal,
                created_at: r.created_at,
            })
            .collect(),
    ))
}

/// The PCG and funders' report for a date range: every table as JSON, or
/// one table as CSV (`format=csv&table=NAME`). Counts are suppressed
/// (null) for every reader who is not case management.
#[utoipa::path(get, path = "/api/v1/reports/pcg", tag = "evidence", params(ReportQuery),
    security(("session" = [])),
    responses((status = 200, body = Report), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn pcg_report(
    Visit(s, ctx, Person(auth)): Visit<Person>,
    Query(q): Query<ReportQuery>,
) -> AppResult<Response> {
    let r = pcg::report(&s, &auth, &ctx, &q).await?;
    // An empty value (a form's empty field) means not given.
    match q
        .format
        .as_deref()
        .map(str::trim)
        .filter(|f| !f.is_empty())
        .unwrap_or("json")
    {
        "json" => Ok(Json(r).into_response()),
        "csv" => {
            let name = q
                .table
                .as_deref()
                .ok_or_else(|| AppError::field("table", "name the table to download"))?;
            let t = r
                .tables
                .iter()
                .find(|t| t.name == name)
                .ok_or_else(|| AppError::field("table", "no table of that name"))?;
            Ok((
                [
                    (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
                    (
                        header::CONTENT_DISPOSITION,
                        format!(
                            "attachment; filename=\"pcg-{}-{}-{}.csv\"",
                            t.name, r.from, r.to
                        ),
                    ),
                ],
                pcg::csv(t),
            )
                .into_response())
        }
        _ => Err(AppError::field("format", "expected json or csv").into()),
    }
}
