//! The evaluation report in the web app, for the roles allowed it (site
//! admin, evaluator, bureau); oversight sees the equity section only, with
//! cells under 11 suppressed. The six input files of the evaluation
//! specification are uploaded as a folder; the report is computed by the
//! evaluation engine and rendered with its own stylesheet.

use super::{PageResult, Signed, csrf_field, layout};
use axum::extract::{Multipart, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use handoff_audit::Outcome;
use handoff_domain::rules::Action;
use handoff_http::AppState;
use handoff_http::audit::{self};
use handoff_http::auth::Origin;
use handoff_http::error::AppError;
use maud::{PreEscaped, html};

/// The six files, in the specification's order.
pub const FILES: [&str; 6] = [
    "participants",
    "events",
    "monthly",
    "unit_costs",
    "eligible_arrests",
    "study",
];

async fn full_report(state: &AppState, auth: &handoff_http::auth::Auth) -> Result<bool, AppError> {
    let agency = handoff_http::workflow::agency_of(state, auth).await?;
    if handoff_http::workflow::may(auth, &agency, Action::SeeEvaluation) {
        Ok(true)
    } else if handoff_http::workflow::may(auth, &agency, Action::SeeEquity) {
        Ok(false)
    } else {
        Err(AppError::Forbidden(
            "the evaluation is for evaluators, site admins, the bureau and oversight",
        ))
    }
}

pub async fn report_css() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        handoff_evaluation::REPORT_CSS,
    )
}

pub async fn form(State(state): State<AppState>, Signed(auth): Signed) -> PageResult {
    let full = full_report(&state, &auth).await?;
    // Evaluators learn whether they may take the site's own dataset: the
    // site's research-use policy, asked where every export asks it.
    let dataset =
        if handoff_http::workflow::may_now(&state, &auth, Action::ExportEvaluation).await? {
            let ctx = handoff_http::workflow::SiteCtx::load(&state, auth.user.site_id).await?;
            Some(handoff_http::research::allowed(&ctx))
        } else {
            None
        };
    let runs = super::evidence::runs_section(&state, &auth).await?;
    Ok(layout(
        "Evaluation",
        Some(&auth),
        html! {
            h1 { "Outcome evaluation" }
            p {
                "The University of Washington LEAD analyses: re-arrest and felony charges against the comparison group, "
                "time to first re-arrest, monthly housing, employment and income before and after referral, justice-system cost, "
                "and the relative rate index of diversion by race."
            }
            @if !full { p.notice { "Oversight sees the equity section, with counts under 11 suppressed." } }
            (runs)
            @match dataset {
                Some(true) => p {
                    "The site's own dataset (the limited data set, person ids pseudonymised anew for each export) is at "
                    code { "GET /api/v1/exports/evaluation" } "."
                },
                Some(false) => p.notice { "The site's policy does not allow research use: its own dataset is not available." },
                None => {},
            }
            h2 { "Or upload the six files" }
            form.stack method="post" action="/evaluation" enctype="multipart/form-data" {
                (csrf_field(&auth))
                @for f in FILES {
                    label for=(format!("f-{f}")) { (f) ".csv" }
                    input id=(format!("f-{f}")) name=(f) type="file" accept=".csv,text/csv" required;
                }
                button type="submit" { "Run on the uploaded files" }
            }
        },
    )
    .into_response())
}

pub async fn run(
    State(state): State<AppState>,
    Origin(ctx): Origin,
    Signed(auth): Signed,
    mut multipart: Multipart,
) -> PageResult {
    let full = full_report(&state, &auth).await?;
    let dir = std::env::temp_dir().join(format!(
        "handoff-evaluation-{}",
        uuid::Uuid::now_v7().simple()
    ));
    std::fs::create_dir_all(&dir).map_err(|e| AppError::Internal(e.into()))?;
    let mut seen = Vec::new();
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|e| AppError::field("upload", e.body_text()))?
    {
        let Some(name) = field.name().map(str::to_string) else {
            continue;
        };
        if !FILES.contains(&name.as_str()) {
            continue;
        }
        let bytes = field
            .bytes()
            .await
            .map_err(|e| AppError::field(name.clone(), e.body_text()))?;
        std::fs::write(dir.join(format!("{name}.csv")), &bytes)
            .map_err(|e| AppError::Internal(e.into()))?;
        seen.push(name);
    }
    let missing: Vec<&str> = FILES
        .iter()
        .copied()
        .filter(|f| !seen.iter().any(|s| s == f))
        .collect();
    if !missing.is_empty() {
        let _ = std::fs::remove_dir_all(&dir);
        return Err(AppError::field(missing[0], "choose this file").into());
    }
    let d = dir.clone();
    let result = tokio::task::spawn_blocking(move || handoff_evaluation::evaluate_dir(&d))
        .await
        .map_err(|e| AppError::Internal(e.into()))?;
    let _ = std::fs::remove_dir_all(&dir);
    let mut e = audit::event(
        &auth,
        "evaluation.run",
        if result.is_ok() {
            Outcome::Allowed
        } else {
            Outcome::Denied
        },
        &ctx,
    );
    e.subject_ref = Some(if full {
        "evaluation:full".into()
    } else {
        "evaluation:equity".into()
    });
    audit::record(&state, e).await?;
    let results = match result {
        Ok(r) => r,
        Err(err) => {
            return Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                layout(
                    "Evaluation",
                    Some(&auth),
                    html! {
                        h1 { "The data could not be used" }
                        p.notice role="alert" { (err.to_string()) }
                        p { a href="/evaluation" { "Choose the files again" } }
                    },
                ),
            )
                .into_response());
        }
    };
    let body = if full {
        handoff_evaluation::render_report_body(&results)
    } else {
        handoff_evaluation::render_equity_section_suppressed(
            &results,
            handoff_http::oversight::MIN_CELL,
        )
    };
    Ok(layout(
        "Evaluation report",
        Some(&auth),
        html! {
            link rel="stylesheet" href="/assets/report.css";
            div.report { (PreEscaped(body)) }
        },
    )
    .into_response())
}
