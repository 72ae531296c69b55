//! The prosecutor's queue of diversion holds: pending (with the deadline),
//! satisfied ("do not file"), and lapsed awaiting a decision, with the
//! decision form. Supervisors see every hold of the site.

use super::flow::{Fields, local, problem};
use super::{PageResult, Signed, csrf_field, done_or_again, layout};
use axum::extract::{Path, Query};
use axum::response::IntoResponse;
use handoff_domain::HoldId;
use handoff_http::AppState;
use handoff_http::audit::Ctx;
use handoff_http::auth::Auth;
use handoff_http::auth::Visit;
use handoff_http::error::AppError;
use handoff_http::list::{self, ListQuery, Listing, csv_time};
use handoff_http::workflow::holds::DecisionForm;
use handoff_http::workflow::views::HoldView;
use handoff_http::workflow::{self, SiteCtx};
use maud::{Markup, html};

fn incident(h: &HoldView) -> Markup {
    html! { strong { "Incident " (h.incident_number.as_deref().unwrap_or("—")) } }
}

async fn page(
    state: &AppState,
    ctx: &Ctx,
    auth: &Auth,
    err: Option<&AppError>,
    listing: &Listing,
) -> Result<Markup, AppError> {
    let got = workflow::holds::list_page(state, auth, ctx, &listing.page).await?;
    let all = &got.items;
    let site = SiteCtx::load(state, auth.user.site_id).await?;
    let pending: Vec<_> = all.iter().filter(|h| h.state == "pending").collect();
    let satisfied: Vec<_> = all.iter().filter(|h| h.state == "satisfied").collect();
    let awaiting: Vec<_> = all.iter().filter(|h| h.awaiting_decision).collect();
    let decided: Vec<_> = all
        .iter()
        .filter(|h| h.state == "lapsed" && !h.awaiting_decision)
        .collect();
    let agency = handoff_http::workflow::agency_of(state, auth).await?;
    let decides =
        handoff_http::workflow::may(auth, &agency, handoff_domain::rules::Action::DecideHold);
    Ok(layout(
        "Diversion holds",
        Some(auth),
        html! {
            h1 { "Diversion holds" }
            @if let Some(e) = err { (problem(e)) }
            (list::filters("/holds", &list::specs::holds(), listing, &[], &[]))
            nav.tabs aria-label="Hold states" {
                a href="#lapsed" { "Lapsed (" (awaiting.len()) ")" }
                a href="#pending" { "Pending (" (pending.len()) ")" }
                a href="#satisfied" { "Do not file (" (satisfied.len()) ")" }
            }
            @if got.next.is_some() { p.meta { "This page shows " (all.len()) " holds; the next page has more." } }
            section.card id="lapsed" aria-labelledby="lapsed-h" {
                h2 id="lapsed-h" { "Lapsed, awaiting your decision" }
                @if awaiting.is_empty() { p { "None." } }
                ul.items {
                    @for h in &awaiting {
                        li.item data-state="lapsed" data-hold=(h.id) {
                            (incident(h))
                            br; "Window ended " (h.last_day)
                            @if let Some(t) = h.lapsed_at { " · lapsed " (local(&site.tz, t)) }
                            @for d in &h.decisions { br; "Earlier: " (d.decision) " — " (d.note) }
                            @if decides {
                                form.stack method="post" action=(format!("/holds/{}/decision", h.id)) {
                                    (csrf_field(auth))
                                    fieldset {
                                        legend { "Decision for incident " (h.incident_number.as_deref().unwrap_or("—")) }
                                        label.check { input type="radio" name="decision" value="filed" required; " Filed" }
                                        label.check { input type="radio" name="decision" value="declined"; " Declined" }
                                        label.check { input type="radio" name="decision" value="deferred"; " Deferred" }
                                    }
                                    label for=(format!("note-{}", h.id)) { "Note" }
                                    textarea id=(format!("note-{}", h.id)) name="note" rows="2" {}
                                    button.primary type="submit" { "Record decision" }
                                }
                            }
                        }
                    }
                }
            }
            section.card id="pending" aria-labelledby="pending-h" {
                h2 id="pending-h" { "Pending: held from filing" }
                @if pending.is_empty() { p { "None." } }
                ul.items {
                    @for h in &pending {
                        li.item data-state="pending" data-hold=(h.id) {
                            (incident(h)) br; "Deadline: end of " (h.last_day)
                        }
                    }
                }
            }
            section.card id="satisfied" aria-labelledby="satisfied-h" {
                h2 id="satisfied-h" { "Satisfied: do not file" }
                @if satisfied.is_empty() { p { "None." } }
                ul.items {
                    @for h in &satisfied {
                        li.item data-state="satisfied" data-hold=(h.id) {
                            (incident(h)) " · " span.ok { "satisfied — do not file" }
                            @if let Some(t) = h.satisfied_at { br; "Since " (local(&site.tz, t)) }
                        }
                    }
                }
            }
            (list::pager("/holds", listing, all.len(), "holds", got.next.as_ref()))
            @if !decided.is_empty() {
                section.card aria-labelledby="decided-h" {
                    h2 id="decided-h" { "Lapsed and decided" }
                    ul.items {
                        @for h in &decided {
                            li.item data-state="decided" data-hold=(h.id) {
                                (incident(h))
                                @for d in &h.decisions { br; (d.decision) " — " (d.note) " (" (local(&site.tz, d.at)) ")" }
                            }
                        }
                    }
                }
            }
        },
    ))
}

pub async fn queue(
    Visit(state, ctx, Signed(auth)): Visit<Signed>,
    Query(q): Query<ListQuery>,
) -> PageResult {
    let listing = q.parse(&list::specs::holds())?;
    if listing.csv {
        let (st, au, cx) = (&state, &auth, &ctx);
        let all = list::all_pages(&listing, |p| async move {
            workflow::holds::list_page(st, au, cx, &p).await
        })
        .await?;
        return holds_csv(&state, &auth, &ctx, all).await;
    }
    Ok(page(&state, &ctx, &auth, None, &listing)
        .await?
        .into_response())
}

/// The hold queue as CSV, audited as an export.
async fn holds_csv(state: &AppState, auth: &Auth, ctx: &Ctx, holds: Vec<HoldView>) -> PageResult {
    let rows = holds
        .into_iter()
        .map(|h| {
            vec![
                h.id.to_string(),
                h.incident_number.unwrap_or_default(),
                h.state,
                h.last_day,
                csv_time(Some(h.deadline)),
                csv_time(h.satisfied_at),
                csv_time(h.lapsed_at),
                h.decisions
                    .last()
                    .map(|d| d.decision.clone())
                    .unwrap_or_default(),
            ]
        })
        .collect();
    const HEADER: [&str; 8] = [
        "hold_id",
        "incident_number",
        "state",
        "last_day",
        "deadline",
        "satisfied_at",
        "lapsed_at",
        "decision",
    ];
    Ok(list::csv(state, auth, ctx, "holds", &HEADER, rows, Vec::new()).await?)
}

pub async fn decide(
    Visit(state, ctx, Signed(auth)): Visit<Signed>,
    Path(id): Path<HoldId>,
    body: String,
) -> PageResult {
    let f = Fields::parse(&body)?;
    let form = DecisionForm {
        decision: f.get("decision").to_string(),
        note: f.get("note").to_string(),
    };
    let outcome = workflow::holds::decide(&state, &auth, &ctx, id, form).await;
    let listing = ListQuery::default().parse(&list::specs::holds())?;
    let again = async |e: &AppError| page(&state, &ctx, &auth, Some(e), &listing).await;
    done_or_again(outcome, "/holds#lapsed", again).await
}
