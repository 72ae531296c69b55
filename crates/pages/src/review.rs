//! Clerical review of proposed links (case managers and supervisors): the
//! imported record and the site's person side by side, the per-field
//! explanation of the match, and accept or reject. A decided pair is never
//! shown again.

use super::flow::{Fields, problem};
use super::{PageResult, Signed, csrf_field, done_or_again, layout};
use axum::extract::{Path, Query};
use axum::response::IntoResponse;
use handoff_http::AppState;
use handoff_http::audit::Ctx;
use handoff_http::auth::Auth;
use handoff_http::auth::Visit;
use handoff_http::error::AppError;
use handoff_http::justice::review::{self, PersonSide, ReviewItem, ReviewVerdict};
use handoff_http::list::{self, ListQuery, Listing};
use maud::{Markup, html};
use uuid::Uuid;

fn side(title: &str, s: &PersonSide) -> Markup {
    html! {
        div.side {
            h3 { (title) ": " (s.what) }
            dl {
                dt { "Name" }
                dd { (s.first_name) " " @if let Some(m) = &s.middle_name { (m) " " } (s.last_name) }
                dt { "Date of birth" } dd { (s.dob.as_deref().unwrap_or("—")) }
                dt { "Sex" } dd { (s.sex.as_deref().unwrap_or("—")) }
                @if let Some(on) = &s.on { dt { "Date" } dd { (on) } }
            }
        }
    }
}

fn explanation(item: &ReviewItem) -> Markup {
    let fields = item.explanation["fields"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    html! {
        table {
            caption { "Why the engine proposed this match" }
            thead { tr { th scope="col" { "Field" } th scope="col" { "Agreement" } th scope="col" { "Weight" } } }
            tbody {
                @for f in &fields {
                    tr {
                        td { (f["column"].as_str().unwrap_or("")) }
                        td { (f["level"].as_str().unwrap_or("")) }
                        td { (format!("{:+.2}", f["weight"].as_f64().unwrap_or(0.0) + f["tf_adjustment"].as_f64().unwrap_or(0.0))) }
                    }
                }
            }
        }
    }
}

async fn page(
    state: &AppState,
    ctx: &Ctx,
    auth: &Auth,
    err: Option<&AppError>,
    listing: &Listing,
) -> Result<Markup, AppError> {
    let got = review::queue_page(state, auth, ctx, &listing.page).await?;
    let items = &got.items;
    Ok(layout(
        "Clerical review",
        Some(auth),
        html! {
            h1 { "Clerical review" }
            p { "Records from other agencies that may be about someone the site knows. Accept only when you are sure; a decision is kept and never asked again." }
            @if let Some(e) = err { (problem(e)) }
            (list::filters("/review", &list::specs::review(), listing, &[], &[]))
            @if items.is_empty() { p { "Nothing waits for review." } }
            ul.items {
                @for item in items {
                    li.item data-record=(item.id) {
                        p { strong { (format!("{:.0}%", item.match_probability * 100.0)) } " match probability" }
                        div.pair {
                            (side("Imported", &item.imported))
                            (side("Known to the site", &item.candidate))
                        }
                        (explanation(item))
                        form.stack method="post" action=(format!("/review/{}", item.id)) {
                            (csrf_field(auth))
                            fieldset {
                                legend { "Is this the same person?" }
                                label.check { input type="radio" name="decision" value="accept" required; " Yes, link them" }
                                label.check { input type="radio" name="decision" value="reject"; " No, not the same person" }
                            }
                            button.primary type="submit" { "Record decision" }
                        }
                    }
                }
            }
            (list::pager("/review", listing, items.len(), "records", got.next.as_ref()))
        },
    ))
}

pub async fn queue(
    Visit(state, ctx, Signed(auth)): Visit<Signed>,
    Query(q): Query<ListQuery>,
) -> PageResult {
    let listing = q.parse(&list::specs::review())?;
    if listing.csv {
        let (st, au, cx) = (&state, &auth, &ctx);
        let all = list::all_pages(&listing, |p| async move {
            review::queue_page(st, au, cx, &p).await
        })
        .await?;
        let person = |s: &PersonSide| {
            [
                s.what.clone(),
                s.first_name.clone(),
                s.last_name.clone(),
                s.dob.clone().unwrap_or_default(),
            ]
        };
        let rows = all
            .iter()
            .map(|i| {
                let mut row = vec![
                    i.id.to_string(),
                    i.kind.clone(),
                    format!("{:.3}", i.match_probability),
                ];
                row.extend(person(&i.imported));
                row.extend(person(&i.candidate));
                row
            })
            .collect();
        const HEADER: [&str; 11] = [
            "record_id",
            "kind",
            "match_probability",
            "imported_what",
            "imported_first_name",
            "imported_last_name",
            "imported_dob",
            "candidate_what",
            "candidate_first_name",
            "candidate_last_name",
            "candidate_dob",
        ];
        return Ok(list::csv(&state, &auth, &ctx, "review", &HEADER, rows, Vec::new()).await?);
    }
    Ok(page(&state, &ctx, &auth, None, &listing)
        .await?
        .into_response())
}

pub async fn decide(
    Visit(state, ctx, Signed(auth)): Visit<Signed>,
    Path(id): Path<Uuid>,
    body: String,
) -> PageResult {
    let f = Fields::parse(&body)?;
    let verdict = ReviewVerdict {
        decision: f.get("decision").to_string(),
    };
    let outcome = review::decide(&state, &auth, &ctx, id, verdict).await;
    let listing = ListQuery::default().parse(&list::specs::review())?;
    let again = async |e: &AppError| page(&state, &ctx, &auth, Some(e), &listing).await;
    done_or_again(outcome, "/review", again).await
}
