//! The prosecutor's queue of diversion holds: lapsed awaiting a decision,
//! pending (with the days left), satisfied ("do not file") and decided.
//! Each hold names the person only where the disclosure rules let the
//! prosecutor see `identity`; otherwise its incident, offences and date.
//! A decision is confirmed before it is recorded and may be undone for a
//! few minutes after (the governance's `hold_queue`). Supervisors see every
//! hold of the site.

use super::flow::{Fields, hold_label, local, problem};
use super::{PageResult, Signed, csrf_field, layout, see_other};
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use handoff_domain::HoldId;
use handoff_domain::site_time::SiteTimeZone;
use handoff_http::AppState;
use handoff_http::audit::Ctx;
use handoff_http::auth::Auth;
use handoff_http::auth::Visit;
use handoff_http::error::AppError;
use handoff_http::hold_queue::{self, QueueItem, UNDO_MINUTES};
use handoff_http::list::{self, ListQuery, Listing, csv_time};
use handoff_http::workflow::holds::DecisionForm;
use handoff_http::workflow::views::HoldView;
use handoff_http::workflow::{self, SiteCtx};
use maud::{Markup, html};
use serde::Deserialize;

/// A lapsed hold this many days old is marked as ageing.
const AGEING_DAYS: i64 = 14;

fn decision_label(d: &str) -> &'static str {
    match d {
        "filed" => "Filed",
        "declined" => "Declined",
        "deferred" => "Deferred",
        _ => "Decision",
    }
}

/// Who or what a hold is about, as the prosecutor may see it.
fn about(q: &QueueItem) -> Markup {
    let incident = q.hold.incident_number.as_deref().unwrap_or("no number");
    html! {
        @if let Some(n) = &q.name {
            strong.who { (n) } " · Incident " (incident)
        } @else {
            strong { "Incident " (incident) }
        }
        br;
        span.meta {
            @if q.offences.is_empty() { "Offence not recorded" } @else { (q.offences.join(", ")) }
            " · " (q.occurred_on)
        }
    }
}

fn ageing(q: &QueueItem) -> Markup {
    html! {
        @if let Some(d) = q.days_left {
            " " span.age data-days=(d) { @if d <= 0 { "last day" } @else if d == 1 { "1 day left" } @else { (d) " days left" } }
        }
        @if let Some(d) = q.days_since_lapse {
            @if d >= AGEING_DAYS {
                " " span.age.ageing data-days=(d) { "Ageing: lapsed " (d) " days ago" }
            } @else {
                " " span.age data-days=(d) { "lapsed " @if d == 0 { "today" } @else if d == 1 { "1 day ago" } @else { (d) " days ago" } }
            }
        }
    }
}

fn undo_form(auth: &Auth, q: &QueueItem, tz: &SiteTimeZone) -> Markup {
    html! {
        @if let Some(until) = q.undo_until {
            form.undo method="post" action=(format!("/holds/{}/undo", q.hold.id)) {
                (csrf_field(auth))
                button type="submit" { "Undo this decision" }
                " " span.meta { "until " (local(tz, until).split(' ').nth(1).unwrap_or("")) }
            }
        }
    }
}

fn decision_form(auth: &Auth, q: &QueueItem) -> Markup {
    let id = q.hold.id;
    html! {
        form.stack method="post" action=(format!("/holds/{id}/decision")) {
            (csrf_field(auth))
            fieldset {
                legend { "Decision for incident " (q.hold.incident_number.as_deref().unwrap_or("—")) }
                @for d in ["filed", "declined", "deferred"] {
                    label.check { input type="radio" name="decision" value=(d) required[d == "filed"]; " " (decision_label(d)) }
                }
            }
            label for=(format!("note-{id}")) { "Note" }
            textarea id=(format!("note-{id}")) name="note" rows="2" {}
            button.primary type="submit" { "Record decision" }
        }
    }
}

#[derive(Deserialize, Default)]
pub struct QueueQuery {
    done: Option<String>,
}

async fn page(
    state: &AppState,
    ctx: &Ctx,
    auth: &Auth,
    done: Option<&str>,
    err: Option<&AppError>,
    listing: &Listing,
) -> Result<Markup, AppError> {
    let got = hold_queue::list_page(state, auth, ctx, &listing.page).await?;
    let all = &got.items;
    let lapsed = hold_queue::lapsed(state, auth, ctx).await?;
    let site = SiteCtx::load(state, auth.user.site_id).await?;
    let tz = &site.tz;
    let pending: Vec<_> = all.iter().filter(|h| h.hold.state == "pending").collect();
    let satisfied: Vec<_> = all.iter().filter(|h| h.hold.state == "satisfied").collect();
    let awaiting = &lapsed.awaiting;
    let decided = &lapsed.decided;
    let more = |shown: usize, total: usize| {
        (total > shown).then(|| {
            html! { p.meta { "Showing " (shown) " of " (total) ". " a href="/holds?state=lapsed" { "Page through every lapsed hold" } "." } }
        })
    };
    let agency = workflow::agency_of(state, auth).await?;
    let decides = workflow::may(auth, &agency, handoff_domain::rules::Action::DecideHold);
    let notice = match done {
        Some("decided") => Some(format!(
            "Decision recorded. You can undo it for {UNDO_MINUTES} minutes from the decided list."
        )),
        Some("undone") => Some(
            "Decision undone: the hold is back with the lapsed holds awaiting a decision.".into(),
        ),
        _ => None,
    };
    Ok(layout(
        "Diversion holds",
        Some(auth),
        html! {
            h1 { "Diversion holds" }
            @if let Some(n) = notice { p.notice.ok role="status" { (n) } }
            @if let Some(e) = err { (problem(e)) }
            nav.tabs aria-label="Hold states" {
                a href="#lapsed" { "Awaiting decision (" (lapsed.awaiting_total) ")" }
                a href="#pending" { "Pending (" (pending.len()) ")" }
                a href="#decided" { "Decided (" (lapsed.decided_total) ")" }
                a href="#satisfied" { "Do not file (" (satisfied.len()) ")" }
            }
            p.meta { "A hold lapses when its window ends without the person engaging; it then waits for your decision. Lapsed holds older than " (AGEING_DAYS) " days are marked as ageing. " (handoff_http::oversight::LAPSED_MEANS) }
            (list::filters("/holds", &list::specs::holds(), listing, &[], &[]))
            section.card id="lapsed" aria-labelledby="lapsed-h" {
                h2 id="lapsed-h" { "Lapsed, awaiting your decision" }
                @if awaiting.is_empty() { p { "No lapsed hold is waiting for a decision." } }
                (more(awaiting.len(), lapsed.awaiting_total).unwrap_or_default())
                ul.items {
                    @for h in awaiting {
                        li.item data-state="lapsed" data-hold=(h.hold.id) {
                            (about(h)) (ageing(h))
                            br; "Window ended " (h.hold.last_day)
                            " · " a href=(format!("/holds/{}", h.hold.id)) { "Open" }
                            @for d in &h.hold.decisions { br; "Earlier: " (decision_label(&d.decision)) " — " (d.note) }
                            @if decides { (decision_form(auth, h)) }
                        }
                    }
                }
            }
            section.card id="pending" aria-labelledby="pending-h" {
                h2 id="pending-h" { "Pending: held from filing" }
                @if pending.is_empty() { p { "No hold is pending." } }
                ul.items {
                    @for h in &pending {
                        li.item data-state="pending" data-hold=(h.hold.id) {
                            (about(h)) (ageing(h))
                            br; "Deadline: end of " (h.hold.last_day)
                            " · " a href=(format!("/holds/{}", h.hold.id)) { "Open" }
                        }
                    }
                }
            }
            section.card id="decided" aria-labelledby="decided-h" {
                h2 id="decided-h" { "Lapsed and decided" }
                @if decided.is_empty() { p { "No decision recorded yet." } }
                (more(decided.len(), lapsed.decided_total).unwrap_or_default())
                ul.items {
                    @for h in decided {
                        li.item data-state="decided" data-hold=(h.hold.id) {
                            (about(h))
                            @for d in &h.hold.decisions { br; span.decision { (d.decision) " — " (d.note) } " (" (local(tz, d.at)) ")" }
                            " · " a href=(format!("/holds/{}", h.hold.id)) { "Open" }
                            (undo_form(auth, h, tz))
                        }
                    }
                }
            }
            section.card id="satisfied" aria-labelledby="satisfied-h" {
                h2 id="satisfied-h" { "Satisfied: do not file" }
                @if satisfied.is_empty() { p { "No hold is satisfied yet." } }
                ul.items {
                    @for h in &satisfied {
                        li.item data-state="satisfied" data-hold=(h.hold.id) {
                            (about(h)) " · " span.ok { "satisfied — do not file" }
                            @if let Some(t) = h.hold.satisfied_at { br; "Since " (local(tz, t)) }
                        }
                    }
                }
            }
            p.meta { "Pending and satisfied holds are listed " (all.len()) " at a time, the latest deadline first." }
            (list::pager("/holds", listing, all.len(), "holds", got.next.as_ref()))
        },
    ))
}

/// The queue's first page, for answers that redraw it (a refused decision).
fn first_page() -> Result<Listing, AppError> {
    ListQuery::default().parse(&list::specs::holds())
}

pub async fn queue(
    Visit(state, ctx, Signed(auth)): Visit<Signed>,
    Query(q): Query<QueueQuery>,
    Query(lq): Query<ListQuery>,
) -> PageResult {
    let listing = lq.parse(&list::specs::holds())?;
    if listing.csv {
        let (st, au, cx) = (&state, &auth, &ctx);
        let all = list::all_pages(&listing, |p| async move {
            workflow::holds::list_page(st, au, cx, &p).await
        })
        .await?;
        return holds_csv(&state, &auth, &ctx, all).await;
    }
    Ok(page(&state, &ctx, &auth, q.done.as_deref(), None, &listing)
        .await?
        .into_response())
}

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

/// One hold: what it is about, its state and decisions, the decision form.
pub async fn hold(
    Visit(state, ctx, Signed(auth)): Visit<Signed>,
    Path(id): Path<HoldId>,
) -> PageResult {
    let q = hold_queue::one(&state, &auth, &ctx, id).await?;
    let site = SiteCtx::load(&state, auth.user.site_id).await?;
    let agency = workflow::agency_of(&state, &auth).await?;
    let decides = workflow::may(&auth, &agency, handoff_domain::rules::Action::DecideHold);
    let title = match (&q.name, &q.hold.incident_number) {
        (Some(n), _) => n.clone(),
        (None, Some(i)) => format!("Incident {i}"),
        (None, None) => "Diversion hold".into(),
    };
    Ok(layout(
        &title,
        Some(&auth),
        html! {
            h1 { (title) }
            section.card aria-labelledby="hold-h" {
                h2 id="hold-h" { "The hold" }
                p { (about(&q)) (ageing(&q)) }
                dl.facts {
                    dt { "State" } dd { (hold_label(&q.hold.state)) }
                    dt { "Window ends" } dd { "End of " (q.hold.last_day) }
                    @for d in &q.hold.decisions {
                        dt { "Decision" } dd { (decision_label(&d.decision)) " — " (d.note) " (" (local(&site.tz, d.at)) ")" }
                    }
                }
                (undo_form(&auth, &q, &site.tz))
            }
            @if decides && q.hold.awaiting_decision { section.card aria-label="Decision" { (decision_form(&auth, &q)) } }
            p { a href="/holds" { "Back to the holds" } }
        },
    )
    .into_response())
}

/// The decision: first a confirmation, then (with `confirm`) recorded.
pub async fn decide(
    Visit(state, ctx, Signed(auth)): Visit<Signed>,
    Path(id): Path<HoldId>,
    body: String,
) -> PageResult {
    let f = Fields::parse(&body)?;
    let decision = f.get("decision").to_string();
    let note = f.get("note").to_string();
    if !f.checked("confirm") {
        if !matches!(decision.as_str(), "filed" | "declined" | "deferred") {
            let e = AppError::field("decision", "Choose Filed, Declined or Deferred.");
            let again = page(&state, &ctx, &auth, None, Some(&e), &first_page()?).await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, again).into_response());
        }
        let q = hold_queue::one(&state, &auth, &ctx, id).await?;
        return Ok(layout(
            "Confirm the decision",
            Some(&auth),
            html! {
                h1 { "Confirm the decision" }
                section.card aria-labelledby="confirm-h" {
                    h2 id="confirm-h" { "Record “" (decision_label(&decision)) "”?" }
                    p { (about(&q)) }
                    @if !note.trim().is_empty() { p { "Note: " (note) } }
                    p.meta { "You can undo it for " (UNDO_MINUTES) " minutes after recording it." }
                    form method="post" action=(format!("/holds/{id}/decision")) {
                        (csrf_field(&auth))
                        input type="hidden" name="decision" value=(decision);
                        input type="hidden" name="note" value=(note);
                        input type="hidden" name="confirm" value="1";
                        button.primary type="submit" { "Confirm decision" }
                    }
                    p { a href=(format!("/holds/{id}")) { "Change it" } " · " a href="/holds" { "Cancel" } }
                }
            },
        )
        .into_response());
    }
    let form = DecisionForm { decision, note };
    match workflow::holds::decide(&state, &auth, &ctx, id, form).await {
        Ok(_) => Ok(see_other("/holds?done=decided#decided")),
        Err(e @ (AppError::BadRequest { .. } | AppError::Conflict(_))) => {
            let again = page(&state, &ctx, &auth, None, Some(&e), &first_page()?).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, again).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn undo(
    Visit(state, ctx, Signed(auth)): Visit<Signed>,
    Path(id): Path<HoldId>,
) -> PageResult {
    match hold_queue::undo(&state, &auth, &ctx, id).await {
        Ok(_) => Ok(see_other("/holds?done=undone#lapsed")),
        Err(e @ AppError::Conflict(_)) => {
            let again = page(&state, &ctx, &auth, None, Some(&e), &first_page()?).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, again).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
