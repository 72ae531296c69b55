//! Pages for coordination and oversight: the OWG meeting list and each
//! reader's printable agenda (filtered by the disclosure guard through
//! `handoff_http::owg`), and the oversight figures (counts only, small cells
//! suppressed, through `handoff_http::oversight`).

use super::{PageResult, Signed, csrf_field, layout, see_other};
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::IntoResponse;
use handoff_domain::rules::Action;
use handoff_http::AppState;
use handoff_http::auth::Visit;
use handoff_http::error::AppError;
use handoff_http::list::{self, ListQuery};
use handoff_http::oversight::{Cell, PeriodQuery, Row};
use handoff_store::{owg, users};
use maud::{Markup, html};
use serde::Deserialize;
use uuid::Uuid;

fn cell(c: &Cell) -> Markup {
    match (c.count, c.suppressed) {
        (_, true) => {
            html! { abbr title="Suppressed: fewer than 11, or would let a small count be worked out" { "suppressed" } }
        }
        (Some(n), false) => html! { (n) },
        (None, false) => html! { "0" },
    }
}

fn table(caption: &str, rows: &[Row]) -> Markup {
    html! {
        div.scroll {
            table {
                caption { (caption) }
                thead { tr { th scope="col" { "Group" } th scope="col" { "Referrals" } th scope="col" { "Eligible" } th scope="col" { "Diverted" } th scope="col" { "Participants" } } }
                tbody {
                    @for r in rows {
                        tr { th scope="row" { (r.group) } td { (cell(&r.referrals)) } td { (cell(&r.eligible)) } td { (cell(&r.diverted)) } td { (cell(&r.enrolled)) } }
                    }
                }
            }
        }
    }
}

pub async fn oversight(
    State(state): State<AppState>,
    Signed(auth): Signed,
    Query(q): Query<PeriodQuery>,
) -> PageResult {
    let s = handoff_http::oversight::summary(&state, &auth, handoff_http::now(), &q).await?;
    let months = if s.period.from == s.period.to {
        s.period.from.clone()
    } else {
        format!("{} to {}", s.period.from, s.period.to)
    };
    Ok(layout(
        "Oversight",
        Some(&auth),
        html! {
            h1 { "Equity and accountability" }
            p { "De-identified figures for " (s.site) ", covering the months " strong { (months) } " (whole months that have ended; referrals by the month they were made, their outcomes as they stood at the end of " (s.period.to) ")." }
            p { "Counts from 1 to 10 are suppressed, and so is any other count that would let one of them be worked out from the rest; no ratio is built on them. Officers appear under a pseudonym; places are the site's areas." }
            form.stack method="get" action="/oversight" {
                label for="o-from" { "From month" }
                input id="o-from" name="from" type="month" value=(s.period.from);
                label for="o-to" { "To month" }
                input id="o-to" name="to" type="month" value=(s.period.to);
                button type="submit" { "Show" }
            }
            section.card aria-labelledby="rri-h" {
                h2 id="rri-h" { "Diversion by race: relative rate index" }
                p { "Diverted or booked: each group's pool is its arrest-door contacts plus the eligible arrests officers logged as booked instead. The diversion rate of each group relative to " (s.rri_reference) ", with 95% Katz intervals." }
                div.scroll {
                    table {
                        thead { tr { th scope="col" { "Race" } th scope="col" { "Pool" } th scope="col" { "Diverted" } th scope="col" { "Booked" } th scope="col" { "RRI" } th scope="col" { "95% CI" } } }
                        tbody {
                            @for r in &s.rri {
                                tr {
                                    th scope="row" { (r.race) }
                                    td { (cell(&r.contacts)) }
                                    td { (cell(&r.diverted)) }
                                    td { (cell(&r.booked)) }
                                    td { @if let Some(x) = r.rri { (format!("{x:.2}")) } @else { "—" } }
                                    td { @if let (Some(l), Some(h)) = (r.ci_low, r.ci_high) { (format!("{l:.2}–{h:.2}")) } @else { "—" } }
                                }
                            }
                        }
                    }
                }
            }
            section.card { h2 { "Referrals" } (table("All referrals", std::slice::from_ref(&s.totals))) (table("By door", &s.by_door)) (table("By race", &s.by_race)) p.meta { (handoff_http::oversight::RACE_GROUPS_MEAN) } (table("By place", &s.by_place)) (table("By officer (pseudonymised)", &s.by_officer)) }
            section.card {
                h2 { "Diversion holds" }
                p.meta { (handoff_http::oversight::LAPSED_MEANS) }
                ul { @for (k, v) in &s.holds { li { (k.replace("state:", "State: ").replace("decision:", "Decision: ").replace('_', " ")) " — " (cell(v)) } } }
            }
            section.card {
                h2 { "Audit trail summary" }
                div.scroll {
                    table {
                        thead { tr { th scope="col" { "Action" } th scope="col" { "Role" } th scope="col" { "Outcome" } th scope="col" { "Count" } } }
                        tbody { @for a in &s.audit { tr data-action=(a.action) { td { (action_words(&a.action)) } td { (a.role.as_deref().and_then(|r| r.parse::<handoff_domain::Role>().ok()).map(|r| r.label()).unwrap_or("—")) } td { (if a.outcome == "denied" { "Refused" } else { "Allowed" }) } td { (cell(&Cell { count: a.count, suppressed: a.suppressed })) } } } }
                    }
                }
            }
        },
    )
    .into_response())
}

pub async fn meetings(State(state): State<AppState>, Signed(auth): Signed) -> PageResult {
    let mut c = state.store.conn();
    let all = owg::list_meetings(&mut c, auth.user.site_id).await?;
    let convener = handoff_http::workflow::may_now(&state, &auth, Action::ConveneOwg).await?;
    let mine: Vec<_> = all
        .into_iter()
        .filter(|m| convener || m.attendees.contains(&auth.user.id))
        .collect();
    // The people who may attend, grouped by organisation.
    let mut groups: Vec<(String, Vec<users::User>)> = Vec::new();
    if convener {
        let agencies = handoff_store::orgs::list_agencies(&mut c, auth.user.site_id).await?;
        for a in &agencies {
            let mut people: Vec<users::User> = users::list(&mut c, auth.user.site_id)
                .await?
                .into_iter()
                .filter(|u| u.agency_id == a.id && u.disabled_at.is_none())
                .filter(|u| {
                    handoff_domain::rules::may(
                        &handoff_http::workflow::user_actor(u, a),
                        Action::AttendOwg,
                    )
                })
                .collect();
            people.sort_by(|x, y| x.display_name.cmp(&y.display_name));
            if !people.is_empty() {
                groups.push((a.name.clone(), people));
            }
        }
    }
    let actions = handoff_http::owg::my_actions(&state, &auth).await?;
    Ok(layout(
        "Operational Work Group",
        Some(&auth),
        html! {
            h1 { "Operational Work Group" }
            @if !actions.is_empty() {
                section.card aria-labelledby="act-h" {
                    h2 id="act-h" { "My action items" }
                    ul { @for a in &actions { li { (a.description) " — due " (a.due_on) } } }
                }
            }
            section.card aria-labelledby="m-h" {
                h2 id="m-h" { "Meetings" }
                @if mine.is_empty() { p { "No meetings yet." } }
                ul { @for m in &mine { li { a href=(format!("/owg/{}", m.id)) { (m.held_on) " — " (m.title) } } } }
            }
            @if convener {
                section.card aria-labelledby="new-h" {
                    h2 id="new-h" { "Convene a meeting" }
                    form.stack method="post" action="/owg" {
                        (csrf_field(&auth))
                        label for="m-date" { "Date" }
                        input id="m-date" name="held_on" type="date" required;
                        label for="m-title" { "Title" }
                        input id="m-title" name="title" required value="Operational Work Group";
                        p.meta { "Only the OWG's members are offered: police, prosecutors, case management and partner agencies." }
                        @for (agency, people) in &groups {
                            fieldset.attendees {
                                legend { (agency) }
                                @for u in people {
                                    label.check { input type="checkbox" name="attendees" value=(u.id); " " (u.display_name) " " span.meta { "(" (u.roles.iter().map(|r| r.label()).collect::<Vec<_>>().join(", ")) ")" } }
                                }
                            }
                        }
                        button.primary type="submit" { "Convene" }
                    }
                }
            }
        },
    )
    .into_response())
}

pub async fn create_meeting(
    Visit(state, ctx, Signed(auth)): Visit<Signed>,
    body: String,
) -> PageResult {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(&body)
        .map_err(|_| AppError::field("body", "unreadable form"))?;
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let attendees = pairs
        .iter()
        .filter(|(k, _)| k == "attendees")
        .map(|(_, v)| v.clone())
        .collect();
    let id = handoff_http::owg::create_meeting(
        &state,
        &auth,
        &ctx,
        handoff_http::owg::NewMeeting {
            held_on: get("held_on"),
            title: get("title"),
            attendees,
        },
    )
    .await?;
    handoff_http::owg::build_agenda(&state, &auth, &ctx, id).await?;
    Ok(see_other(&format!("/owg/{id}")))
}

pub async fn agenda(
    Visit(state, ctx, Signed(auth)): Visit<Signed>,
    Path(id): Path<Uuid>,
) -> PageResult {
    let a = handoff_http::owg::agenda(&state, &auth, &ctx, id).await?;
    let convener = handoff_http::workflow::may_now(&state, &auth, Action::ConveneOwg).await?;
    Ok(layout(
        &a.title,
        Some(&auth),
        html! {
            h1 { (a.title) " — " (a.held_on) }
            p.meta { "This copy shows what your role and each participant's release of information allow you to see. Print it for the meeting." }
            @if convener {
                form method="post" action=(format!("/owg/{id}/build")) { (csrf_field(&auth)) button type="submit" { "Add new items from events" } }
            }
            ol.agenda {
                @for i in &a.items {
                    li.card {
                        h2 {
                            @match i.source.as_str() {
                                "handoff_pending" => "Hand-off pending",
                                "hold_lapsing" => "Hold lapsing",
                                "not_contacted" => "Not contacted lately",
                                "booking" => "New booking",
                                "charge" => "New charge",
                                _ => "Raised by a member",
                            }
                            @if let Some(n) = &i.participant_name { " — " (n) }
                        }
                        @if let Some(d) = &i.detail { p { (d) } }
                        @if let Some(t) = &i.text { p { (t) } }
                        @if let Some(m) = &i.minutes { p.minutes { strong { "Minutes: " } (m) } }
                        @for act in &i.actions { p { "Action: " (act.description) " (due " (act.due_on) ")" } }
                    }
                }
            }
            section.card aria-labelledby="raise-h" {
                h2 id="raise-h" { "Raise an item" }
                form.stack method="post" action=(format!("/owg/{id}/items")) {
                    (csrf_field(&auth))
                    label for="r-title" { "Item" }
                    textarea id="r-title" name="title" rows="3" required {}
                    button type="submit" { "Add to the agenda" }
                }
            }
        },
    )
    .into_response())
}

pub async fn build(
    Visit(state, ctx, Signed(auth)): Visit<Signed>,
    Path(id): Path<Uuid>,
) -> PageResult {
    handoff_http::owg::build_agenda(&state, &auth, &ctx, id).await?;
    Ok(see_other(&format!("/owg/{id}")))
}

#[derive(Deserialize)]
pub struct RaiseForm {
    title: String,
}

pub async fn raise(
    Visit(state, ctx, Signed(auth)): Visit<Signed>,
    Path(id): Path<Uuid>,
    Form(f): Form<RaiseForm>,
) -> PageResult {
    handoff_http::owg::raise_item(
        &state,
        &auth,
        &ctx,
        id,
        handoff_http::owg::RaisedItem {
            title: f.title,
            participant_id: None,
            category: None,
        },
    )
    .await?;
    Ok(see_other(&format!("/owg/{id}")))
}

/// Referrals waiting for the caller's approval.
pub async fn approvals(
    Visit(state, ctx, Signed(auth)): Visit<Signed>,
    axum::extract::Query(q): axum::extract::Query<ListQuery>,
) -> PageResult {
    use handoff_http::workflow::referrals::awaiting_approval_page;
    let spec = list::specs::inbox();
    let listing = q.parse(&spec)?;
    if listing.csv {
        let (st, au, cx) = (&state, &auth, &ctx);
        let all = list::all_pages(&listing, |p| async move {
            awaiting_approval_page(st, au, cx, &p).await
        })
        .await?;
        return super::referral::referrals_csv(&state, &auth, &ctx, "approvals", all).await;
    }
    let got = awaiting_approval_page(&state, &auth, &ctx, &listing.page).await?;
    let list = &got.items;
    Ok(layout(
        "Approvals",
        Some(&auth),
        html! {
            h1 { "Referrals waiting for approval" }
            (list::filters("/approvals", &spec, &listing, &[], &[]))
            @if list.is_empty() { p { "Nothing is waiting." } }
            @for r in list {
                section.card {
                    h2 {
                        @if let Some(p) = &r.person { (p.first_name) " " (p.last_name) } @else { "Referral" }
                        " — " (r.door.replace('_', " "))
                    }
                    p { "Referred " (r.referred_at.date()) @if let Some(n) = &r.incident_number { ", incident " (n) } }
                    ul { @for reason in &r.eligibility.reasons { li { (reason.text) } } }
                    form.inline method="post" action=(format!("/referrals/{}/approval", r.id)) {
                        (csrf_field(&auth))
                        input type="hidden" name="approved" value="yes";
                        button.primary type="submit" { "Approve" }
                    }
                    " "
                    form.inline method="post" action=(format!("/referrals/{}/approval", r.id)) {
                        (csrf_field(&auth))
                        input type="hidden" name="approved" value="no";
                        button type="submit" { "Do not approve" }
                    }
                }
            }
            (list::pager("/approvals", &listing, list.len(), "referrals", got.next.as_ref()))
        },
    )
    .into_response())
}

pub async fn charges(State(state): State<AppState>, Signed(auth): Signed) -> PageResult {
    let list = handoff_http::owg::my_charges(&state, &auth).await?;
    Ok(layout(
        "Coordination",
        Some(&auth),
        html! {
            h1 { "Prosecutorial coordination" }
            p { "New charges against participants, coordinated between the liaison prosecutor and case management. LEAD confers no immunity; the aim is a resolution that does not destabilise the person." }
            @if list.is_empty() { p { "No coordination items." } }
            ul { @for c in &list {
                li { a href=(format!("/coordination/{}", c.id)) { (c.charge) @if let Some(n) = &c.case_number { " (" (n) ")" } }
                     " — " (c.decision.as_deref().unwrap_or("open").replace('_', " ")) }
            } }
        },
    )
    .into_response())
}

pub async fn charge(
    Visit(state, ctx, Signed(auth)): Visit<Signed>,
    Path(id): Path<Uuid>,
) -> PageResult {
    let v = handoff_http::owg::view_charge(&state, &auth, &ctx, id).await?;
    let prosecutor =
        handoff_http::workflow::may_now(&state, &auth, Action::CoordinateAsProsecutor).await?;
    Ok(layout(
        "Coordination",
        Some(&auth),
        html! {
            h1 { (v.charge) @if let Some(n) = &v.case_number { " — " (n) } }
            @if let Some(d) = &v.decision { p.notice { "Decision: " (d.replace('_', " ")) @if let Some(n) = &v.decision_note { " — " (n) } } }
            section.card aria-labelledby="what-h" {
                h2 id="what-h" { "What the participant's release lets you know" }
                @if v.disclosed.is_empty() { p { "Nothing beyond this item." } }
                @else { pre { (serde_json::to_string_pretty(&v.disclosed).unwrap_or_default()) } }
            }
            section.card aria-labelledby="thread-h" {
                h2 id="thread-h" { "Thread" }
                @for m in &v.messages { p { strong { (m.author) ": " } (m.body) } }
                form.stack method="post" action=(format!("/coordination/{id}/messages")) {
                    (csrf_field(&auth))
                    label for="msg" { "Add to the thread" }
                    textarea id="msg" name="body" rows="3" required {}
                    @if !prosecutor { p.meta { "Share only what helps coordination: no clinical, mental-health or substance-use details." } }
                    button type="submit" { "Send" }
                }
            }
            @if prosecutor && v.decision.is_none() {
                section.card aria-labelledby="dec-h" {
                    h2 id="dec-h" { "Record the decision" }
                    form.stack method="post" action=(format!("/coordination/{id}/decision")) {
                        (csrf_field(&auth))
                        label for="dec" { "Decision" }
                        select id="dec" name="decision" {
                            option value="resolved_with_plan" { "Resolved with the service plan" }
                            option value="declined" { "Declined to file" }
                            option value="deferred" { "Deferred" }
                            option value="filed" { "Filed" }
                        }
                        label for="note" { "Note" }
                        input id="note" name="note";
                        button.primary type="submit" { "Record" }
                    }
                }
            }
        },
    )
    .into_response())
}

#[derive(Deserialize)]
pub struct MessageForm {
    body: String,
}

pub async fn message(
    Visit(state, ctx, Signed(auth)): Visit<Signed>,
    Path(id): Path<Uuid>,
    Form(f): Form<MessageForm>,
) -> PageResult {
    handoff_http::owg::post_message(
        &state,
        &auth,
        &ctx,
        id,
        handoff_http::owg::Message { body: f.body },
    )
    .await?;
    Ok(see_other(&format!("/coordination/{id}")))
}

#[derive(Deserialize)]
pub struct DecisionForm {
    decision: String,
    #[serde(default)]
    note: String,
}

pub async fn decide(
    Visit(state, ctx, Signed(auth)): Visit<Signed>,
    Path(id): Path<Uuid>,
    Form(f): Form<DecisionForm>,
) -> PageResult {
    handoff_http::owg::decide_charge(
        &state,
        &auth,
        &ctx,
        id,
        handoff_http::owg::ChargeDecision {
            decision: f.decision,
            note: f.note,
        },
    )
    .await?;
    Ok(see_other(&format!("/coordination/{id}")))
}

/// An audit action in words for the reader of the summary (the stored code
/// is kept in the row's `data-action`).
pub fn action_words(code: &str) -> String {
    let known = match code {
        "admin.agency.create" => "An agency was added",
        "admin.site.create" => "A site was created",
        "admin.site.webhook" => "The site's webhook was changed",
        "admin.token.create" => "An integration token was made",
        "admin.token.revoke" => "An integration token was revoked",
        "admin.user.create" => "A user was added",
        "admin.user.disable" => "A user was disabled",
        "admin.user.phone" => "A user's work phone was set",
        "admin.user.reset_password" => "A user's password was reset",
        "admin.user.roles" => "A user's roles were changed",
        "auth.login" => "Signed in",
        "auth.login_failed" => "A sign-in failed",
        "auth.login_locked" => "A sign-in was refused: account locked",
        "auth.login_rate_limited" => "A sign-in was refused: too many attempts",
        "auth.logout" => "Signed out",
        "auth.logout_everywhere" => "Signed out on every device",
        "auth.mfa.enrolled" => "Two-step verification turned on",
        "auth.mfa.enrol_failed" => "Turning on two-step verification failed",
        "auth.mfa.passed" => "Second step passed",
        "auth.mfa.failed" => "Second step failed",
        "auth.mfa.recovery_code_used" => "A recovery code was used",
        "auth.token_refused" => "An API token was refused",
        "caseload.read" => "A caseload was read",
        "contact.create" => "A contact was logged",
        "coordination.open" => "Coordination on a new charge was opened",
        "coordination.message" => "A coordination message was sent",
        "coordination.decision" => "A coordination decision was recorded",
        "document.create" => "A document was added",
        "export.evaluation" => "The evaluation dataset was exported",
        "goal.create" => "A goal was added",
        "goal.update" => "A goal was updated",
        "hold.decision" => "A prosecutor's decision on a hold",
        "hold.decision.undo" => "A hold decision was undone",
        "hold.list" => "The hold queue was read",
        "hold.queue.identity" => "Names were shown in the hold queue",
        "hold.satisfy" => "A hold was satisfied",
        "intake.create" => "An intake was completed",
        "justice.alert" => "A booking alert was raised",
        "justice.import" => "Justice records were imported",
        "justice.review.list" => "Record matches were listed for review",
        "justice.review.accept" => "A record match was accepted",
        "justice.review.reject" => "A record match was rejected",
        "monthly.update" => "A monthly status was recorded",
        "owg.meeting.create" => "An OWG meeting was scheduled",
        "owg.agenda.build" => "An OWG agenda was built",
        "owg.agenda.read" => "An OWG agenda was read",
        "owg.item.raise" => "An item was raised for the OWG",
        "owg.minutes" => "OWG minutes were recorded",
        "owg.action.add" => "An OWG action item was added",
        "participant.assign" => "A participant was assigned",
        "participant.list" => "Participants were listed",
        "participant.lookup" => "An officer's look-up",
        "participant.read" => "A participant's record was read",
        "participant.search" => "Participants were searched",
        "participant.shared.list" => "The list shared with a partner was read",
        "participant.write" => "A participant's record was changed",
        "policy.update" => "The eligibility policy was changed",
        "profile.update" => "A participant's profile was updated",
        "referral.create" => "A referral was made",
        "referral.read" => "A referral was read",
        "referral.list" => "Referrals were listed",
        "referral.inbox" => "The hand-off inbox was read",
        "referral.accept" => "A hand-off was accepted",
        "referral.approve" => "A referral was approved",
        "referral.not_approve" => "A referral was not approved",
        "referral.arrive" => "A case manager arrived",
        "referral.eta" => "A case manager sent an ETA",
        "referral.triage" => "Triage was recorded",
        "referral.likely_match.read" => "Likely earlier records were shown",
        "release.create" => "A release of information was signed",
        "release.read" => "Releases of information were read",
        "release.revoke" => "A release of information was revoked",
        "roster.add" => "An on-call shift was added",
        "roster.remove" => "An on-call shift was removed",
        _ => "",
    };
    if !known.is_empty() {
        return known.to_string();
    }
    let words = code.replace(['.', '_'], " ");
    let mut c = words.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}
