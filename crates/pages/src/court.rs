//! A participant's court dates, warrants and pre-existing cases: the list
//! (as the guard shows `justice`) and, for the case manager, the form that
//! adds one. Every invalid field is listed at once, next to its input, and
//! the form keeps what was typed. POST-redirect-GET.

use super::flow::{Fields, problem};
use super::{PageResult, Signed, csrf_field, layout, see_other};
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use handoff_domain::ParticipantId;
use handoff_http::auth::{Auth, Visit};
use handoff_http::court::{self, CourtEntry, KINDS};
use handoff_http::error::AppError;
use maud::{Markup, html};
use serde::Deserialize;

#[derive(Deserialize)]
pub struct Saved {
    saved: Option<String>,
}

fn form(base: &str, auth: &Auth, e: &CourtEntry, bad: &[(&str, &str)]) -> Markup {
    let err = |f: &str| bad.iter().find(|(x, _)| *x == f).map(|(_, m)| *m);
    let field = |name: &str, label: &str, kind: &str, value: &str, hint: Option<&str>| {
        let msg = err(name);
        let id = format!("court-{name}");
        html! {
            label for=(id) { (label) }
            @if let Some(h) = hint { span.hint id=(format!("{id}-hint")) { (h) } }
            @if let Some(m) = msg { span.error id=(format!("{id}-error")) { (m) } }
            input id=(id) name=(name) type=(kind) value=(value) required
                aria-invalid=[msg.map(|_| "true")]
                aria-describedby=[msg.map(|_| format!("{id}-error"))];
        }
    };
    html! {
        form.stack method="post" action=(format!("{base}/court")) novalidate {
            (csrf_field(auth))
            @if !bad.is_empty() {
                div.notice role="alert" id="problem" {
                    p { "Please check " (bad.len()) @if bad.len() == 1 { " field:" } @else { " fields:" } }
                    ul { @for (f, m) in bad { li { a href=(format!("#court-{f}")) { (m) } } } }
                }
            }
            fieldset {
                legend { "Kind" }
                @if let Some(m) = err("kind") { span.error id="court-kind-error" { (m) } }
                @for (i, (k, l)) in KINDS.iter().enumerate() {
                    div.choice {
                        input id=(if i == 0 { "court-kind".to_string() } else { format!("court-kind-{k}") })
                            type="radio" name="kind" value=(k) checked[e.kind == *k];
                        label for=(if i == 0 { "court-kind".to_string() } else { format!("court-kind-{k}") }) { (l) }
                    }
                }
            }
            (field("on", "Day", "date", &e.on, Some("Of the hearing, the warrant's issue or the case's filing.")))
            (field("court", "Court", "text", &e.court, None))
            (field("case_number", "Case number", "text", &e.case_number, None))
            button.primary type="submit" { "Add to the record" }
        }
    }
}

async fn page(
    state: &handoff_http::AppState,
    ctx: &handoff_http::audit::Ctx,
    auth: &Auth,
    pid: ParticipantId,
    attempt: Option<(&CourtEntry, &[(&str, &str)])>,
    saved: bool,
) -> Result<Markup, AppError> {
    let base = format!("/participants/{pid}");
    let (list, refusal) = match court::list(state, auth, ctx, pid).await {
        Ok(l) => (l, None),
        Err(AppError::Forbidden(m)) => (Vec::new(), Some(m)),
        Err(e) => return Err(e),
    };
    let agency = handoff_http::workflow::agency_of(state, auth).await?;
    let works =
        handoff_store::casework::get_participant(&mut state.store.conn(), auth.user.site_id, pid)
            .await
            .is_ok_and(|p| handoff_http::workflow::works_case_of(auth, &agency, &p));
    let blank = CourtEntry::default();
    let (entry, bad) = attempt.unwrap_or((&blank, &[]));
    let body = html! {
        h1 { "Court dates, warrants and cases" }
        p { a href=(base) { "Back to the participant record" } }
        @if saved { p.notice role="status" { "Saved to the record." } }
        @if let Some(m) = refusal { p.notice { (m) } }
        section.card aria-labelledby="court-list-h" {
            h2 id="court-list-h" { "On the record (" (list.len()) ")" }
            @if list.is_empty() { p { "Nothing recorded." } }
            ul { @for d in &list { li { strong { (d.kind_label) } " — " (d.on) " · " (d.court) " · case " (d.case_number) } } }
        }
        @if works {
            section.card aria-labelledby="court-add-h" {
                h2 id="court-add-h" { "Add a court date, warrant or case" }
                (form(&base, auth, entry, bad))
            }
        }
    };
    Ok(layout("Court dates", Some(auth), body))
}

pub async fn view(
    Visit(state, ctx, Signed(auth)): Visit<Signed>,
    Path(id): Path<String>,
    Query(q): Query<Saved>,
) -> PageResult {
    let pid: ParticipantId = id.parse().map_err(|_| AppError::NotFound)?;
    Ok(page(&state, &ctx, &auth, pid, None, q.saved.is_some())
        .await?
        .into_response())
}

pub async fn add(
    Visit(state, ctx, Signed(auth)): Visit<Signed>,
    Path(id): Path<String>,
    body: String,
) -> PageResult {
    let pid: ParticipantId = id.parse().map_err(|_| AppError::NotFound)?;
    let f = Fields::parse(&body)?;
    let entry = CourtEntry {
        kind: f.get("kind").to_string(),
        on: f.get("on").to_string(),
        court: f.get("court").to_string(),
        case_number: f.get("case_number").to_string(),
    };
    let bad = court::problems(&entry);
    let r = if bad.is_empty() {
        court::add(&state, &auth, &ctx, pid, entry.clone())
            .await
            .map(|_| ())
    } else {
        Err(AppError::field(bad[0].0, bad[0].1))
    };
    match r {
        Ok(()) => Ok(see_other(&format!("/participants/{pid}/court?saved=1"))),
        Err(AppError::BadRequest { .. }) if !bad.is_empty() => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            page(&state, &ctx, &auth, pid, Some((&entry, &bad)), false).await?,
        )
            .into_response()),
        Err(e @ AppError::BadRequest { .. }) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            html! { (page(&state, &ctx, &auth, pid, Some((&entry, &[])), false).await?) (problem(&e)) },
        )
            .into_response()),
        Err(e) => Err(e.into()),
    }
}
