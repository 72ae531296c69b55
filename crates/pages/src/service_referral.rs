//! A case manager refers a participant to a service provider from the
//! record: provider, what for, when, the goal it serves and what came of
//! it. Every invalid field is listed at once, each beside its input; the
//! form keeps what was typed; saving says so on the record.

use super::flow::Fields;
use super::{PageResult, Signed, csrf_field, see_other};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use handoff_domain::ParticipantId;
use handoff_domain::casework::ReferralOutcome;
use handoff_http::AppState;
use handoff_http::auth::{Auth, Origin};
use handoff_http::casework::plan::ServiceReferralForm;
use handoff_http::error::AppError;
use handoff_http::views::PlanView;
use maud::{Markup, html};

/// What a refused form held and what was wrong with it, field by field.
pub struct Draft<'a> {
    pub fields: &'a Fields,
    pub problems: Vec<(&'static str, String)>,
}

/// Every problem of the form at once, before the service is asked.
fn problems(f: &Fields) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    match f.opt("provider") {
        None => out.push((
            "provider",
            "Name the provider the participant is referred to.".into(),
        )),
        Some(p) if p.chars().count() > 200 => out.push((
            "provider",
            "Shorten the provider's name to 200 characters.".into(),
        )),
        _ => {}
    }
    match f.opt("service") {
        None => out.push((
            "service",
            "Say what the referral is for, e.g. “detox bed”.".into(),
        )),
        Some(s) if s.chars().count() > 300 => out.push((
            "service",
            "Shorten what it is for to 300 characters.".into(),
        )),
        _ => {}
    }
    if let Some(d) = f.opt("referred_on")
        && time::Date::parse(
            &d,
            time::macros::format_description!("[year]-[month]-[day]"),
        )
        .is_err()
    {
        out.push((
            "referred_on",
            "Enter the date as a date, like 2026-12-01.".into(),
        ));
    }
    if let Some(o) = f.opt("outcome")
        && !ReferralOutcome::ALL.iter().any(|x| x.as_str() == o)
    {
        out.push((
            "outcome",
            "Choose what came of the referral from the list.".into(),
        ));
    }
    out
}

fn key_of(field: &str) -> &'static str {
    match field {
        "provider" => "provider",
        "service" => "service",
        "referred_on" => "referred_on",
        "goal_id" => "goal_id",
        "outcome" => "outcome",
        _ => "form",
    }
}

/// The form, folded away unless it was refused.
pub fn form(base: &str, auth: &Auth, plan: Option<&PlanView>, draft: Option<&Draft<'_>>) -> Markup {
    let v = |k: &str| {
        draft
            .map(|d| d.fields.get(k).to_string())
            .unwrap_or_default()
    };
    let bad = |k: &str| {
        draft
            .and_then(|d| d.problems.iter().find(|(f, _)| *f == k))
            .map(|(_, m)| m.clone())
    };
    let field_note = |k: &str| html! { @if let Some(m) = bad(k) { p.field-error id=(format!("sr-{k}-err")) { (m) } } };
    let described = |k: &str| bad(k).map(|_| format!("sr-{k}-err"));
    html! {
        details id="service-referral" open[draft.is_some()] {
            summary { "Add a service referral" }
            @if let Some(d) = draft {
                div.notice role="alert" id="sr-problems" {
                    p { "The referral was not saved. Check:" }
                    ul { @for (_, m) in &d.problems { li { (m) } } }
                }
            }
            form.stack method="post" action=(format!("{base}/service-referrals")) {
                (csrf_field(auth))
                label for="sr-provider" { "Provider" }
                (field_note("provider"))
                input id="sr-provider" name="provider" maxlength="200" value=(v("provider")) aria-invalid=[bad("provider").map(|_| "true")] aria-describedby=[described("provider")];
                label for="sr-service" { "What for" }
                (field_note("service"))
                input id="sr-service" name="service" maxlength="300" value=(v("service")) aria-invalid=[bad("service").map(|_| "true")] aria-describedby=[described("service")];
                label for="sr-on" { "Referred on (leave empty for today)" }
                (field_note("referred_on"))
                input id="sr-on" name="referred_on" type="date" value=(v("referred_on")) aria-invalid=[bad("referred_on").map(|_| "true")] aria-describedby=[described("referred_on")];
                @if let Some(plan) = plan.filter(|p| !p.goal_details.is_empty()) {
                    label for="sr-goal" { "The goal it serves" }
                    (field_note("goal_id"))
                    select id="sr-goal" name="goal_id" {
                        option value="" { "No particular goal" }
                        @for g in &plan.goal_details {
                            option value=(g.id) selected[v("goal_id") == g.id.to_string()] { (g.words) }
                        }
                    }
                }
                label for="sr-outcome" { "What came of it" }
                (field_note("outcome"))
                select id="sr-outcome" name="outcome" {
                    @for o in ReferralOutcome::ALL {
                        option value=(o.as_str()) selected[v("outcome") == o.as_str()] { (o.label()) }
                    }
                }
                button.primary type="submit" { "Save the service referral" }
            }
        }
    }
}

pub async fn submit(
    State(state): State<AppState>,
    Origin(ctx): Origin,
    Signed(auth): Signed,
    Path(id): Path<String>,
    body: String,
) -> PageResult {
    let pid: ParticipantId = id.parse().map_err(|_| AppError::NotFound)?;
    let f = Fields::parse(&body)?;
    let mut found = problems(&f);
    if found.is_empty() {
        let goal_id = match f.opt("goal_id") {
            Some(g) => Some(
                g.parse()
                    .map_err(|_| AppError::field("goal_id", "is not a goal"))?,
            ),
            None => None,
        };
        let form = ServiceReferralForm {
            provider: f.get("provider").to_string(),
            service: f.get("service").to_string(),
            referred_on: f.opt("referred_on"),
            outcome: f.opt("outcome"),
            goal_id,
        };
        match handoff_http::casework::plan::create_service_referral(&state, &auth, &ctx, pid, form)
            .await
        {
            Ok(_) => {
                return Ok(see_other(&format!(
                    "/participants/{pid}?done=service_referral#plan-h"
                )));
            }
            Err(AppError::BadRequest { field, message }) => {
                let field = field.unwrap_or_default();
                found.push((
                    key_of(&field),
                    format!("{}: {message}", super::flow::field_label(&field)),
                ));
            }
            Err(e) => return Err(e.into()),
        }
    }
    let draft = Draft {
        fields: &f,
        problems: found,
    };
    let page =
        super::participant::render(&state, &ctx, &auth, pid, None, None, Some(&draft)).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}
