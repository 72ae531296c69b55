//! The officer's look-up (is this person a LEAD participant?) and the
//! partner's list of what was shared with it. The look-up is a POST form
//! whose answer is rendered directly: no name or date of birth in a URL.

use super::flow::problem;
use super::{PageResult, Signed, csrf_field, layout};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use handoff_domain::DataCategory;
use handoff_domain::rules::Action;
use handoff_http::auth::Visit;
use handoff_http::error::AppError;
use handoff_http::lookup::{LookupAnswer, LookupQuery};
use handoff_http::workflow::{agency_of, may};
use handoff_http::{AppState, auth::Auth};
use maud::{Markup, html};
use serde::Deserialize;

async fn require(state: &AppState, auth: &Auth, action: Action) -> Result<(), AppError> {
    let agency = agency_of(state, auth).await?;
    if may(auth, &agency, action) {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "This page is not part of your role. The bar at the top shows the pages that are.",
        ))
    }
}

fn lookup_page(
    auth: &Auth,
    typed: &LookupQuery,
    answer: Option<Result<&LookupAnswer, &AppError>>,
) -> Markup {
    let value = |v: &Option<String>| v.clone().unwrap_or_default();
    let body = html! {
        h1 { "Is this person in LEAD?" }
        p { "Type the person's name and date of birth. You are told only about participants whose release of information lets your department know they are enrolled." }
        form.stack method="post" action="/lookup" {
            (csrf_field(auth))
            label for="lu-last" { "Last name" }
            input id="lu-last" name="last_name" autocomplete="off" autocapitalize="words" required value=(value(&typed.last_name));
            label for="lu-first" { "First name" }
            input id="lu-first" name="first_name" autocomplete="off" autocapitalize="words" required value=(value(&typed.first_name));
            label for="lu-dob" { "Date of birth" }
            input id="lu-dob" name="dob" type="date" required value=(value(&typed.dob));
            button.primary.big type="submit" { "Look up" }
        }
        @match answer {
            None => {},
            Some(Err(e)) => { (problem(e)) },
            Some(Ok(a)) if a.matches.is_empty() => {
                p.notice role="status" id="answer" { "No LEAD participant found that you may be told about." }
            },
            Some(Ok(a)) => {
                section.card role="status" id="answer" aria-labelledby="answer-h" {
                    h2 id="answer-h" { "LEAD participant" }
                    @for m in &a.matches {
                        p {
                            "Case manager: "
                            strong { (m.case_manager.name.as_deref().unwrap_or("not yet assigned")) }
                            @if let Some(phone) = &m.case_manager.phone {
                                " · " a href=(format!("tel:{}", phone.chars().filter(|c| c.is_ascii_digit() || *c == '+').collect::<String>())) { (phone) }
                            }
                        }
                    }
                    p { "Call the case manager before deciding what to do." }
                }
            },
        }
    };
    layout("Look up a person", Some(auth), body)
}

/// The empty look-up form.
pub async fn lookup_form(Visit(state, _ctx, Signed(auth)): Visit<Signed>) -> PageResult {
    require(&state, &auth, Action::LookUpParticipation).await?;
    Ok(lookup_page(&auth, &LookupQuery::default(), None).into_response())
}

#[derive(Deserialize)]
pub struct LookupForm {
    last_name: Option<String>,
    first_name: Option<String>,
    dob: Option<String>,
}

/// The answer, rendered directly (a read, not a change).
pub async fn lookup(
    Visit(state, ctx, Signed(auth)): Visit<Signed>,
    axum::Form(f): axum::Form<LookupForm>,
) -> PageResult {
    let typed = LookupQuery {
        last_name: f.last_name,
        first_name: f.first_name,
        dob: f.dob,
    };
    match handoff_http::lookup::look_up(&state, &auth, &ctx, &typed).await {
        Ok(a) => Ok(lookup_page(&auth, &typed, Some(Ok(&a))).into_response()),
        Err(e @ AppError::BadRequest { .. }) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            lookup_page(&auth, &typed, Some(Err(&e))),
        )
            .into_response()),
        Err(e) => Err(e.into()),
    }
}

/// The participants whose release names the caller's organisation.
pub async fn shared(Visit(state, ctx, Signed(auth)): Visit<Signed>) -> PageResult {
    let rows = handoff_http::shared::shared_with_us(&state, &auth, &ctx).await?;
    let label = |c: &String| {
        c.parse::<DataCategory>()
            .map_or_else(|_| c.clone(), |c| c.label().to_string())
    };
    let body = html! {
        h1 { "Shared with us" }
        p { "Participants whose release of information names your agency, with what it shares and until when." }
        @if rows.is_empty() {
            p.notice role="status" { "No participant's release names your agency at present." }
        } @else {
            ul.items {
                @for r in &rows {
                    li.item {
                        a href=(format!("/participants/{}", r.participant_id)) {
                            (r.name.as_deref().unwrap_or("Participant (name not shared)"))
                        }
                        br;
                        span.meta {
                            (r.categories.iter().map(label).collect::<Vec<_>>().join(", "))
                            " · until " (r.expires_on)
                        }
                    }
                }
            }
        }
    };
    Ok(layout("Shared with us", Some(&auth), body).into_response())
}
