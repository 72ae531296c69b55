//! The case manager's hand-off inbox: referrals waiting for a case manager
//! (each with "Accept"), the caller's intake tasks with their hold
//! deadlines, and notifications. `live.js` refreshes the lists when the
//! event stream announces a new or accepted referral.

use super::flow::{ago, local};
use super::{PageResult, Signed, csrf_field, layout};
use axum::extract::Query;
use axum::response::IntoResponse;
use handoff_domain::referral::Door;
use handoff_http::auth::Visit;
use handoff_http::list::{self, ListQuery};
use handoff_http::now;
use handoff_http::stale;
use handoff_http::workflow::{self, SiteCtx};
use handoff_store::notifications;
use maud::{Markup, html};

fn notification_label(kind: &str) -> &'static str {
    match kind {
        "handoff.new" => "New hand-off",
        "handoff.escalated" | "referral.escalated" => "Hand-off not yet accepted",
        "hold.reminder_7_days" => "Hold deadline in 7 days",
        "hold.reminder_2_days" => "Hold deadline in 2 days",
        "hold.lapsed" => "Hold lapsed",
        "booking.new" => "New jail booking of your participant",
        "charge.new" => "New charge against your participant",
        _ => "Notice",
    }
}

/// A card of the page: a heading, then the items or a line saying there are none.
fn list_card(id: &str, heading: &str, none: &str, empty: bool, items: Markup) -> Markup {
    html! {
        section.card aria-labelledby=(format!("{id}-h")) {
            h2 id=(format!("{id}-h")) { (heading) }
            @if empty {
                p { (none) }
            } @else {
                ul.items { (items) }
            }
        }
    }
}

#[derive(serde::Deserialize, Default)]
pub struct InboxQuery {
    done: Option<String>,
}

/// A waiting referral's age, marked when stale; for supervisors, the form
/// that closes it with a reason.
fn ageing(
    auth: &handoff_http::auth::Auth,
    id: uuid::Uuid,
    since: time::OffsetDateTime,
    closes: bool,
) -> Markup {
    let t = now();
    let days = stale::days_waiting(since, t);
    html! {
        @if stale::stale(since, t) {
            br; span.age.ageing data-days=(days) { "Ageing: waiting " (days) " days" }
            @if closes {
                form.close-stale method="post" action=(format!("/referrals/{id}/close")) {
                    (csrf_field(auth))
                    label for=(format!("reason-{id}")) { "Close because" }
                    select id=(format!("reason-{id}")) name="reason" required {
                        option value="" { "Choose…" }
                        @for (code, words) in stale::REASONS { option value=(code) { (words) } }
                    }
                    button type="submit" { "Close as not taken up" }
                }
            }
        }
    }
}

/// A supervisor closes a stale referral with a reason.
/// How many of the case manager's intake tasks the hand-off page lists.
const TASKS_SHOWN: usize = 50;

pub async fn close(
    Visit(state, ctx, Signed(auth)): Visit<Signed>,
    axum::extract::Path(id): axum::extract::Path<handoff_domain::ReferralId>,
    body: String,
) -> PageResult {
    let f = super::flow::Fields::parse(&body)?;
    stale::close(&state, &auth, &ctx, id, f.get("reason")).await?;
    Ok(super::see_other("/handoffs?done=closed"))
}

pub async fn inbox(
    Visit(state, ctx, Signed(auth)): Visit<Signed>,
    Query(lq): Query<ListQuery>,
    axum::extract::Query(q): axum::extract::Query<InboxQuery>,
) -> PageResult {
    let spec = list::specs::inbox();
    let listing = lq.parse(&spec)?;
    if listing.csv {
        let (st, au, cx) = (&state, &auth, &ctx);
        let all = list::all_pages(&listing, |p| async move {
            workflow::referrals::inbox_page(st, au, cx, &p).await
        })
        .await?;
        return super::referral::referrals_csv(&state, &auth, &ctx, "handoffs", all).await;
    }
    let got = workflow::referrals::inbox_page(&state, &auth, &ctx, &listing.page).await?;
    let waiting = &got.items;
    let agency = workflow::agency_of(&state, &auth).await?;
    let may_accept = workflow::may(&auth, &agency, handoff_domain::rules::Action::AcceptHandoff);
    let closes = workflow::may(
        &auth,
        &agency,
        handoff_domain::rules::Action::SuperviseCaseloads,
    );
    let mine = if may_accept {
        workflow::referrals::list(&state, &auth, &ctx, true).await?
    } else {
        Vec::new()
    };
    let tasks: Vec<_> = mine
        .iter()
        .filter(|v| {
            matches!(
                v.status.as_str(),
                "accepted" | "triage_started" | "intake_complete"
            )
        })
        .collect();
    // The tasks whose hold ends soonest first; the page shows at most
    // TASKS_SHOWN of them (the rest are counted).
    let task_total = tasks.len();
    let mut tasks = tasks;
    tasks.sort_by(|a, b| {
        let day = |v: &&workflow::views::ReferralView| {
            v.hold
                .as_ref()
                .filter(|h| h.state == "pending")
                .map(|h| h.last_day.clone())
        };
        (day(a).is_none(), day(a)).cmp(&(day(b).is_none(), day(b)))
    });
    tasks.truncate(TASKS_SHOWN);
    let site = SiteCtx::load(&state, auth.user.site_id).await?;
    let notes =
        notifications::for_user(&mut state.store.conn(), auth.user.site_id, auth.user.id, 10)
            .await?;
    let t = now();
    let body = html! {
        h1 { "Hand-offs" }
        @if q.done.as_deref() == Some("closed") {
            p.notice.ok role="status" { "The referral was closed as not taken up. It stays in the records with your reason." }
        }
        p.meta { "This page updates by itself when a referral arrives or is accepted, or a participant of yours is booked." }
        (list::filters("/handoffs", &spec, &listing, &[], &[]))
        div id="live" data-live="referral.new referral.accepted referral.escalated booking.new charge.new" {
            (list_card("waiting", &format!("Waiting for a case manager ({}{})", waiting.len(), if got.next.is_some() { "+" } else { "" }), "Nobody is waiting.", waiting.is_empty(), html! {
                @for v in waiting {
                    li.item data-referral=(v.id) {
                        strong { @if let Some(p) = &v.person { (p.first_name) " " (p.last_name) } @else { "Referral" } }
                        " · " (v.door.parse::<Door>().map(|d| d.label()).unwrap_or(""))
                        @if let Some(n) = &v.incident_number { " · " (n) }
                        br;
                        span.meta { "Referred " (ago(t, v.referred_at)) " (" (local(&site.tz, v.referred_at)) ")" }
                        (ageing(&auth, v.id, v.referred_at, closes))
                        @if let Some(addr) = v.details.as_ref().and_then(|d| d.pointer("/location/address")).and_then(|a| a.as_str()) {
                            br; span { "At " (addr) }
                        } @else if v.details.as_ref().and_then(|d| d.pointer("/location/coordinates")).is_some_and(|c| !c.is_null()) {
                            br; span { "At the officer's location (map on the referral once accepted)" }
                        }
                        @if may_accept {
                            form method="post" action=(format!("/referrals/{}/accept", v.id)) {
                                (csrf_field(&auth))
                                button.primary type="submit" aria-label=(format!("Accept {}", v.person.as_ref().map(|p| format!("{} {}", p.first_name, p.last_name)).unwrap_or_else(|| "referral".into()))) { "Accept" }
                            }
                        } @else {
                            " " a href=(format!("/referrals/{}", v.id)) { "Open" }
                        }
                    }
                }
            }))
            (list::pager("/handoffs", &listing, waiting.len(), "waiting", got.next.as_ref()))
            @if may_accept {
                @if task_total > tasks.len() {
                    p.meta { "My intake tasks: the " (tasks.len()) " whose hold ends soonest are listed below; " (task_total - tasks.len()) " more are in " a href="/referrals" { "the referrals list" } "." }
                }
                (list_card("tasks", &format!("My intake tasks ({task_total})"), "No one accepted is waiting for intake.", tasks.is_empty(), html! {
                    @for v in &tasks {
                        li.item {
                            a href=(format!("/referrals/{}", v.id)) {
                                @if let Some(p) = &v.person { (p.first_name) " " (p.last_name) } @else { "Referral" }
                            }
                            " · " (v.status_label)
                            @if let Some(h) = &v.hold {
                                br;
                                @if h.state == "lapsed" {
                                    span.age.ageing data-state="lapsed" { "The hold lapsed on " (h.last_day) ": the case is back with the prosecutor" }
                                } @else {
                                    span.hold data-state=(h.state) { "Hold deadline: end of " (h.last_day) }
                                }
                            }
                        }
                    }
                }))
            }
            (list_card("notes", "Notifications", "None.", notes.is_empty(), html! {
                @for n in &notes {
                    li {
                        (notification_label(&n.kind)) " · " (ago(t, n.created_at))
                        @if let Some(r) = n.referral_id { " · " a href=(format!("/referrals/{r}")) { "open" } }
                    }
                }
            }))
        }
        script src="/assets/live.js" defer {}
    };
    Ok(layout("Hand-offs", Some(&auth), body).into_response())
}
