//! Caseload pages: mine, the team's (with each case manager's load against
//! the limits) and unassigned, the longest without contact first; and the
//! search for case managers and supervisors. Rows come from the disclosure
//! guard.

use super::{PageResult, Signed, layout};
use axum::extract::Query;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use handoff_http::auth::Visit;
use handoff_http::casework::caseload::{self, View};
use handoff_http::disclosure::ParticipantSummary;
use handoff_http::error::AppError;
use handoff_http::list::{self, ListQuery};
use maud::{Markup, html};
use serde::Deserialize;

#[derive(Deserialize)]
pub struct CaseloadQuery {
    view: Option<String>,
}

fn state_label(s: Option<&str>) -> &'static str {
    match s {
        Some("engaged") => "Engaged",
        Some("not_recently_engaged") => "Not recently engaged",
        Some("closed") => "Closed",
        _ => "",
    }
}

fn rows(cases: &[ParticipantSummary], show_manager: bool) -> Markup {
    html! {
        @if cases.is_empty() { p.meta { "No open cases here." } }
        ul.items.caseload {
            @for c in cases {
                li.item {
                    a href=(format!("/participants/{}", c.id)) { (c.name.as_deref().unwrap_or("Participant")) }
                    " "
                    span.role { (state_label(c.state.as_deref())) }
                    br;
                    span.meta {
                        @match c.days_since_contact {
                            Some(0) => "Contact today",
                            Some(1) => "Last contact yesterday",
                            Some(n) => { "Last contact " (n) " days ago" },
                            None => "No contact yet",
                        }
                        @if show_manager { " · " (c.case_manager.as_deref().unwrap_or("unassigned")) }
                    }
                }
            }
        }
    }
}

pub async fn page(
    Visit(state, ctx, Signed(auth)): Visit<Signed>,
    Query(q): Query<CaseloadQuery>,
    Query(lq): Query<ListQuery>,
) -> PageResult {
    let view = View::parse(q.view.as_deref())?;
    let spec = list::specs::caseload(view == View::Team);
    let listing = lq.parse(&spec)?;
    if listing.csv {
        let (st, au, cx) = (&state, &auth, &ctx);
        let all = list::all_pages(&listing, |p| async move {
            let (c, next) = caseload::caseload_page(st, au, cx, view, &p).await?;
            Ok(list::Paged {
                items: c.cases,
                next,
            })
        })
        .await?;
        return cases_csv(&state, &auth, &ctx, "caseload", all).await;
    }
    let (c, next) = caseload::caseload_page(&state, &auth, &ctx, view, &listing.page).await?;
    let managers: Vec<(String, String)> = c
        .loads
        .iter()
        .map(|l| (l.user_id.to_string(), l.name.clone()))
        .collect();
    let base = format!("/caseload?view={}", c.view);
    let tab = |v: &str, label: &str| {
        html! {
            a.button.primary[c.view == v] href=(format!("/caseload?view={v}")) aria-current=[(c.view == v).then_some("page")] { (label) }
        }
    };
    let body = html! {
        h1 { "Caseload" }
        nav.tiles aria-label="Caseload views" {
            (tab("mine", "Mine")) (tab("team", "Team")) (tab("unassigned", "Unassigned"))
        }
        form.stack method="get" action="/search" role="search" {
            label for="q" { "Find a participant (name, alias or date of birth)" }
            input id="q" name="q" type="search" autocomplete="off";
            button type="submit" { "Search" }
        }
        @if !c.loads.is_empty() {
            section.card aria-labelledby="loads-h" {
                h2 id="loads-h" { "Case managers" }
                p.meta { "Standard 15, team average up to 20, never more than 25." }
                div.scroll tabindex="0" role="region" aria-labelledby="loads-h" {
                    table {
                        thead { tr { th scope="col" { "Case manager" } th scope="col" { "Open cases" } } }
                        tbody {
                            @for l in &c.loads {
                                tr {
                                    td { (l.name) }
                                    td { (l.open_cases) @if l.level == "at_ceiling" { " (at the ceiling)" } @else if l.level == "above_standard" { " (above the standard)" } }
                                }
                            }
                        }
                    }
                }
            }
        }
        section.card aria-labelledby="cases-h" {
            h2 id="cases-h" { "Open cases, longest without contact first" }
            (list::filters("/caseload", &spec, &listing, &[("view", c.view.as_str())], &managers))
            (rows(&c.cases, c.view != "mine"))
            (list::pager(&base, &listing, c.cases.len(), "open cases", next.as_ref()))
        }
    };
    Ok(layout("Caseload", Some(&auth), body).into_response())
}

/// Participants' rows as CSV (what the list showed), audited as an export.
async fn cases_csv(
    state: &handoff_http::AppState,
    auth: &handoff_http::auth::Auth,
    ctx: &handoff_http::audit::Ctx,
    name: &str,
    cases: Vec<ParticipantSummary>,
) -> PageResult {
    let participants = cases.iter().map(|c| c.id.into()).collect();
    let rows = cases
        .into_iter()
        .map(|c| {
            vec![
                c.id.to_string(),
                c.name.unwrap_or_default(),
                state_label(c.state.as_deref()).to_string(),
                c.days_since_contact
                    .map(|d| d.to_string())
                    .unwrap_or_default(),
                c.case_manager.unwrap_or_default(),
            ]
        })
        .collect();
    const HEADER: [&str; 5] = [
        "participant_id",
        "name",
        "state",
        "days_since_contact",
        "case_manager",
    ];
    Ok(list::csv(state, auth, ctx, name, &HEADER, rows, participants).await?)
}

#[derive(Deserialize)]
pub struct SearchQuery {
    q: Option<String>,
}

pub async fn search(
    Visit(state, ctx, Signed(auth)): Visit<Signed>,
    Query(q): Query<SearchQuery>,
    Query(lq): Query<ListQuery>,
) -> PageResult {
    let query = q.q.unwrap_or_default();
    let listing = lq.parse(&list::specs::plain())?;
    let (status, result) =
        match handoff_http::casework::search::search(&state, &auth, &ctx, &query).await {
            Ok(h) if listing.csv => {
                let rows = h.iter().map(|h| {
                    let (id, name, kind) = match (&h.participant, &h.referral) {
                        (Some(p), _) => (p.id, p.name.clone().unwrap_or_default(), "participant"),
                        (None, Some(r)) => (r.id, r.name.clone(), "referral"),
                        _ => (uuid::Uuid::nil(), String::new(), ""),
                    };
                    vec![
                        id.to_string(),
                        kind.to_string(),
                        name,
                        format!("{:.3}", h.score),
                    ]
                });
                let participants = h
                    .iter()
                    .filter_map(|h| h.participant.as_ref().map(|p| p.id.into()))
                    .collect();
                let header = ["id", "kind", "name", "score"];
                let rows = rows.collect();
                return Ok(
                    list::csv(&state, &auth, &ctx, "search", &header, rows, participants).await?,
                );
            }
            Ok(h) => (
                StatusCode::OK,
                Ok(list::in_memory(h, &listing.page, list::search_cursor)),
            ),
            Err(e @ AppError::BadRequest { .. }) => (StatusCode::UNPROCESSABLE_ENTITY, Err(e)),
            Err(e) => return Err(e.into()),
        };
    let body = html! {
        h1 { "Search" }
        form.stack method="get" action="/search" role="search" {
            label for="q" { "Name, alias or date of birth" }
            input id="q" name="q" type="search" value=(query) autocomplete="off";
            button type="submit" { "Search" }
        }
        @match &result {
            Err(e) => { (super::flow::problem(e)) },
            Ok(got) => {
                @let hits = &got.items;
                @let people: Vec<ParticipantSummary> = hits.iter().filter_map(|h| h.participant.clone()).collect();
                (rows(&people, true))
                @let referred: Vec<_> = hits.iter().filter_map(|h| h.referral.as_ref()).collect();
                @if !referred.is_empty() {
                    h2 { "Referred, not yet participants" }
                    ul.items {
                        @for r in referred {
                            li.item {
                                a href=(format!("/referrals/{}", r.id)) { (r.name) }
                                " " span.meta { "referred " (r.referred_on) " · " (r.status.replace('_', " ")) }
                            }
                        }
                    }
                }
                @let base = format!("/search?{}", serde_urlencoded::to_string([("q", &query)]).unwrap_or_default());
                (list::pager(&base, &listing, hits.len(), "matches", got.next.as_ref()))
            },
        }
    };
    Ok((status, layout("Search", Some(&auth), body)).into_response())
}
