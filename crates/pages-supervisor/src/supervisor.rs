//! The supervisor's view of the site: the hand-off inbox and the hold
//! queue (linked), hand-off times per week (median and 90th percentile),
//! and the on-call roster with its add and remove forms.

use super::flow::{Fields, from_local, local, minutes, problem};
use super::{PageResult, Signed, csrf_field, layout, see_other};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use handoff_domain::handoff::HandoffSummary;
use handoff_domain::rules::Action;
use handoff_domain::{ShiftId, UserId};
use handoff_http::auth::Auth;
use handoff_http::auth::Origin;
use handoff_http::error::AppError;
use handoff_http::workflow::{self, SiteCtx};
use handoff_http::{AppState, now};
use maud::{Markup, html};

async fn may_supervise(state: &AppState, auth: &Auth) -> Result<(), AppError> {
    workflow::require_now(
        state,
        auth,
        Action::KeepRoster,
        "This page is for supervisors.",
    )
    .await?;
    Ok(())
}

pub async fn overview(
    State(state): State<AppState>,
    Origin(ctx): Origin,
    Signed(auth): Signed,
) -> PageResult {
    workflow::require_now(
        &state,
        &auth,
        Action::SeeHandoffStats,
        "This page is for supervisors.",
    )
    .await?;
    let site = SiteCtx::load(&state, auth.user.site_id).await?;
    let all = workflow::referrals::list(&state, &auth, &ctx, false).await?;
    let waiting = workflow::referrals::inbox(&state, &auth, &ctx).await?;
    let target = site.policy.policy.handoff_target_minutes;
    // Weeks start on Monday at the site; the current week first.
    let today = site.tz.local_date(now());
    let monday = today - time::Duration::days(i64::from(today.weekday().number_days_from_monday()));
    let weeks: Vec<(time::Date, Option<HandoffSummary>)> = (0..8)
        .map(|k| {
            let start = monday - time::Duration::weeks(k);
            let end = start + time::Duration::weeks(1);
            let times: Vec<time::Duration> = all
                .iter()
                .filter_map(|v| {
                    let day = site.tz.local_date(v.referred_at);
                    let acc = v.accepted_at?;
                    (day >= start && day < end).then(|| acc - v.referred_at)
                })
                .collect();
            (start, HandoffSummary::of(&times, target))
        })
        .collect();
    let body = html! {
        h1 { "Supervisor" }
        nav.tiles aria-label="Supervisor pages" {
            a.button href="/handoffs" { "Hand-off inbox (" (waiting.len()) " waiting)" }
            a.button href="/referrals" { "All referrals (" (all.len()) ")" }
            a.button href="/holds" { "Diversion holds" }
            a.button href="/roster" { "On-call roster" }
            a.button href="/supervisor/handoff-times" { "Hand-off times by month (chart)" }
        }
        @let approval: Vec<_> = all.iter().filter(|v| v.status == "awaiting_approval").collect();
        @if !approval.is_empty() {
            section.card aria-labelledby="approval-h" {
                h2 id="approval-h" { "Waiting for approval (" (approval.len()) ")" }
                ul.items {
                    @for v in &approval {
                        li.item {
                            a href=(format!("/referrals/{}", v.id)) {
                                @if let Some(p) = &v.person { (p.first_name) " " (p.last_name) } @else { "Referral" }
                            }
                            " · " (local(&site.tz, v.referred_at))
                        }
                    }
                }
            }
        }
        section.card aria-labelledby="times-h" {
            h2 id="times-h" { "Hand-off times" }
            p.meta { "From referral to a case manager's acceptance, by week of referral. Target: " (target) " minutes." }
            div.scroll tabindex="0" role="region" aria-labelledby="times-h" {
                table {
                    thead { tr { th scope="col" { "Week of" } th scope="col" { "Hand-offs" } th scope="col" { "Median" } th scope="col" { "90th percentile" } th scope="col" { "Within target" } } }
                    tbody {
                        @for (start, s) in &weeks {
                            tr {
                                th scope="row" { (start) }
                                @if let Some(s) = s {
                                    td { (s.count) } td { (minutes(s.median)) } td { (minutes(s.p90)) } td { (s.within_target) " of " (s.count) }
                                } @else {
                                    td { "0" } td { "—" } td { "—" } td { "—" }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    Ok(layout("Supervisor", Some(&auth), body).into_response())
}

/// Which roster view: the week (`week=` a date in it) or the list.
#[derive(serde::Deserialize, Default)]
pub struct RosterQuery {
    view: Option<String>,
    week: Option<String>,
}

async fn roster_page(
    state: &AppState,
    auth: &Auth,
    err: Option<&AppError>,
    q: &RosterQuery,
) -> Result<Markup, AppError> {
    may_supervise(state, auth).await?;
    let site = SiteCtx::load(state, auth.user.site_id).await?;
    let list_view = q.view.as_deref() == Some("list");
    let monday = super::roster_week::monday_of(
        q.week
            .as_deref()
            .and_then(|w| {
                time::Date::parse(w, time::macros::format_description!("[year]-[month]-[day]")).ok()
            })
            .unwrap_or_else(|| site.tz.local_date(now())),
    );
    let around = match (
        site.tz.start_of_day(monday - time::Duration::weeks(1)),
        site.tz.start_of_day(monday + time::Duration::weeks(2)),
    ) {
        (Ok(a), Ok(b)) => {
            handoff_store::roster::between(&mut state.store.conn(), site.site.id, a, b).await?
        }
        _ => Vec::new(),
    };
    let shifts = workflow::roster::upcoming(state, auth, 14).await?;
    let people = workflow::roster::candidates(state, auth).await?;
    let name = |id: UserId| {
        people
            .iter()
            .find(|u| u.id == id)
            .map(|u| u.display_name.clone())
            .unwrap_or_else(|| "Former staff".into())
    };
    let t = now();
    Ok(layout(
        "On-call roster",
        Some(auth),
        html! {
            h1 { "On-call roster" }
            @if let Some(e) = err { (problem(e)) }
            nav.views aria-label="Roster views" {
                @if list_view { a.button href="/roster" { "Week" } span.button aria-current="page" { "List" } }
                @else { span.button aria-current="page" { "Week" } a.button href="/roster?view=list" { "List" } }
            }
            @if !list_view {
                section.card aria-labelledby="week-h" {
                    h2 id="week-h" { "Week of " (monday) }
                    nav.views aria-label="Weeks" {
                        a.button href=(format!("/roster?week={}", monday - time::Duration::weeks(1))) { "Previous week" }
                        a.button href="/roster" { "This week" }
                        a.button href=(format!("/roster?week={}", monday + time::Duration::weeks(1))) { "Next week" }
                    }
                    (super::roster_week::calendar(&site.tz, monday, &around, &|u| name(u), t))
                }
            }
            @if list_view {
            section.card aria-labelledby="shifts-h" {
                h2 id="shifts-h" { "The next two weeks" }
                @if shifts.is_empty() { p { "Nobody is on call. New referrals then go to every case manager." } }
                ul.items {
                    @for s in &shifts {
                        li.item {
                            strong { (name(s.user_id)) }
                            @if s.starts_at <= t && t < s.ends_at { " · on call now" }
                            br; (local(&site.tz, s.starts_at)) " to " (local(&site.tz, s.ends_at))
                            form method="post" action=(format!("/roster/{}/remove", s.id)) {
                                (csrf_field(auth))
                                button type="submit" aria-label=(format!("Remove {}'s shift from {}", name(s.user_id), local(&site.tz, s.starts_at))) { "Remove" }
                            }
                        }
                    }
                }
            }
            }
            section.card aria-labelledby="add-h" {
                h2 id="add-h" { "Add a shift" }
                form.stack method="post" action="/roster" {
                    (csrf_field(auth))
                    label for="cm" { "Case manager" }
                    select id="cm" name="user_id" required {
                        @for u in people.iter().filter(|u| u.disabled_at.is_none()) { option value=(u.id) { (u.display_name) } }
                    }
                    label for="starts" { "Starts (site time, " (site.tz.name()) ")" }
                    input id="starts" name="starts_at" type="datetime-local" required;
                    label for="ends" { "Ends" }
                    input id="ends" name="ends_at" type="datetime-local" required;
                    label for="repeat" { "Repeat" }
                    select id="repeat" name="repeat_weeks" {
                        option value="1" { "Only this once" }
                        @for n in [4, 8, 12] { option value=(n) { "Every week for " (n) " weeks" } }
                    }
                    button.primary type="submit" { "Add shift" }
                }
            }
        },
    ))
}

pub async fn roster(
    State(state): State<AppState>,
    Signed(auth): Signed,
    axum::extract::Query(q): axum::extract::Query<RosterQuery>,
) -> PageResult {
    Ok(roster_page(&state, &auth, None, &q).await?.into_response())
}

pub async fn add_shift(
    State(state): State<AppState>,
    Origin(ctx): Origin,
    Signed(auth): Signed,
    body: String,
) -> PageResult {
    let f = Fields::parse(&body)?;
    let site = SiteCtx::load(&state, auth.user.site_id).await?;
    let result = async {
        let user: UserId = f
            .get("user_id")
            .parse()
            .map_err(|_| AppError::field("user_id", "choose a case manager"))?;
        let starts = from_local(&site.tz, f.get("starts_at"), "starts_at")?;
        let ends = from_local(&site.tz, f.get("ends_at"), "ends_at")?;
        let weeks: i64 = match f.get("repeat_weeks") {
            "" => 1,
            w => w
                .parse()
                .ok()
                .filter(|w| (1..=12).contains(w))
                .ok_or_else(|| AppError::field("repeat_weeks", "choose how many weeks"))?,
        };
        // A weekly shift is the same hours each week, one shift a week.
        for k in 0..weeks {
            let w = time::Duration::weeks(k);
            workflow::roster::add(&state, &auth, &ctx, user, starts + w, ends + w).await?;
        }
        Ok(())
    }
    .await;
    match result {
        Ok(()) => Ok(see_other("/roster?view=list")),
        Err(e @ AppError::BadRequest { .. }) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            roster_page(&state, &auth, Some(&e), &RosterQuery::default()).await?,
        )
            .into_response()),
        Err(e) => Err(e.into()),
    }
}

pub async fn remove_shift(
    State(state): State<AppState>,
    Origin(ctx): Origin,
    Signed(auth): Signed,
    Path(id): Path<ShiftId>,
) -> PageResult {
    workflow::roster::remove(&state, &auth, &ctx, id).await?;
    Ok(see_other("/roster"))
}
