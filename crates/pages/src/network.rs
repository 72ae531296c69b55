//! The network's pages: the Bureau's network view (sites side by side,
//! SVG trend charts drawn here with no external assets, a table, a CSV
//! download, printable), a site's scorecard, starting a site from a
//! template, and the site switch posted from the page header.

use super::{PageResult, Signed, csrf_field, layout, see_other};
use axum::Form;
use axum::extract::{Path, Query};
use axum::http::header;
use axum::response::IntoResponse;
use handoff_domain::rules::Action;
use handoff_http::auth::Visit;
use handoff_http::error::AppError;
use handoff_http::network::figures::{Cell, MonthFigures, NetworkFigures, PeriodQuery};
use handoff_http::network::sites::{NewSite, Template};
use handoff_http::network::{figures, scorecard, sites};
use maud::{Markup, html};
use serde::Deserialize;
use uuid::Uuid;

/// The measures the view shows, in order: key, label, the cell.
type Pick = fn(&MonthFigures) -> Cell;
const MEASURES: &[(&str, &str, Pick)] = &[
    ("referrals", "Referrals", |m| m.referrals),
    (
        "arrest_diversion",
        "Arrest diversion door",
        |m| m.by_door["arrest_diversion"],
    ),
    (
        "social_contact",
        "Social contact door",
        |m| m.by_door["social_contact"],
    ),
    ("community", "Community door", |m| m.by_door["community"]),
    ("eligible", "Eligible", |m| m.eligible),
    ("ineligible", "Ineligible", |m| m.ineligible),
    ("handoffs", "Hand-offs", |m| m.handoffs),
    ("handoffs_within_target", "Hand-offs within target", |m| {
        m.handoffs_within_target
    }),
    ("holds_satisfied", "Holds satisfied", |m| m.holds_satisfied),
    ("holds_lapsed", "Holds lapsed", |m| m.holds_lapsed),
    ("participants_active", "Open cases", |m| {
        m.participants_active
    }),
    ("participants_engaged", "Engaged", |m| {
        m.participants_engaged
    }),
    (
        "participants_not_recently_engaged",
        "Not recently engaged",
        |m| m.participants_not_recently_engaged,
    ),
    ("participants_closed", "Closed", |m| m.participants_closed),
    ("participants_reopened", "Reopened", |m| {
        m.participants_reopened
    }),
    ("contacts", "Contacts", |m| m.contacts),
    ("status_reported", "Monthly status reported", |m| {
        m.status_reported
    }),
    ("housed", "Housed", |m| m.housed),
    ("employed", "Employed", |m| m.employed),
    ("income_or_benefits", "Income or benefits", |m| {
        m.income_or_benefits
    }),
];

fn cell(c: Cell) -> Markup {
    match c.count {
        None => {
            html! { abbr title="Suppressed: fewer than 11, or would let a small count be worked out" { "suppressed" } }
        }
        Some(n) => html! { (n) },
    }
}

fn query_string(q: &PeriodQuery) -> String {
    let mut parts = Vec::new();
    if let Some(f) = q.from.as_deref().filter(|f| !f.is_empty()) {
        parts.push(format!("from={}", f.trim()));
    }
    if let Some(t) = q.to.as_deref().filter(|t| !t.is_empty()) {
        parts.push(format!("to={}", t.trim()));
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!("?{}", parts.join("&"))
    }
}

/// Colours of the chart's lines (by series), dark enough on white.
const COLOURS: &[&str] = &[
    "#1f4e79", "#8a3b12", "#2e6b30", "#6b2e6b", "#7a6a00", "#005f66",
];

/// A line chart of one measure by month: one line per site and the
/// network's; suppressed months leave a gap. Inline SVG, no script.
fn chart(f: &NetworkFigures, label: &str, pick: Pick) -> Markup {
    let (w, h, pad) = (320.0_f64, 140.0_f64, 24.0_f64);
    let months = f.network.months.len().max(1);
    let mut series: Vec<(String, Vec<Option<u64>>)> = f
        .sites
        .iter()
        .map(|s| {
            (
                s.name.clone(),
                s.months.iter().map(|m| pick(m).count).collect(),
            )
        })
        .collect();
    series.push((
        format!("{} (all sites)", f.network.name),
        f.network.months.iter().map(|m| pick(m).count).collect(),
    ));
    let max = series
        .iter()
        .flat_map(|(_, v)| v.iter().flatten())
        .copied()
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let x = |i: usize| {
        pad + (w - 2.0 * pad)
            * if months == 1 {
                0.5
            } else {
                i as f64 / (months - 1) as f64
            }
    };
    let y = |v: u64| h - pad - (h - 2.0 * pad) * (v as f64 / max);
    let title = format!("{label} by month, {} to {}", f.period.from, f.period.to);
    html! {
        figure.chart {
            svg viewBox=(format!("0 0 {w} {h}")) role="img" aria-label=(title) width="100%" {
                title { (title) }
                line x1=(pad) y1=(h - pad) x2=(w - pad) y2=(h - pad) stroke="#555" stroke-width="1" {}
                text x="2" y=(pad) font-size="10" fill="#222" { (max as u64) }
                text x="2" y=(h - pad) font-size="10" fill="#222" { "0" }
                @for (i, (_, values)) in series.iter().enumerate() {
                    @let colour = COLOURS[i % COLOURS.len()];
                    @let points: Vec<String> = values.iter().enumerate().filter_map(|(j, v)| v.map(|v| format!("{:.1},{:.1}", x(j), y(v)))).collect();
                    @if points.len() > 1 {
                        polyline points=(points.join(" ")) fill="none" stroke=(colour) stroke-width="2" {}
                    }
                    @for p in &points {
                        @let (px, py) = p.split_once(',').unwrap_or(("0", "0"));
                        circle cx=(px) cy=(py) r="3" fill=(colour) {}
                    }
                }
            }
            figcaption {
                (label) ": "
                @for (i, (name, _)) in series.iter().enumerate() {
                    span.key { svg width="12" height="12" aria-hidden="true" { rect width="12" height="12" fill=(COLOURS[i % COLOURS.len()]) {} } " " (name) } " "
                }
                "Suppressed months are gaps."
            }
        }
    }
}

/// `GET /network`: the Bureau's network view.
pub async fn view(
    Visit(state, ctx, Signed(auth)): Visit<Signed>,
    Query(q): Query<PeriodQuery>,
) -> PageResult {
    let f = figures::network_figures(&state, &auth, &q, &ctx).await?;
    let (_, all_sites) = sites::list(&state, &auth).await?;
    let csv = format!("/network/figures.csv{}", query_string(&q));
    Ok(layout(
        "The LEAD network",
        Some(&auth),
        html! {
            h1 { (f.network.name) }
            p { "Figures of " (f.sites.len()) " sites, side by side, for the whole months " strong { (f.period.from) " to " (f.period.to) } ". Aggregates only: counts from 1 to " (f.min_cell - 1) " are suppressed, and so is any count that would let one be worked out from the rest." }
            form.stack method="get" action="/network" {
                label for="n-from" { "From month" }
                input id="n-from" name="from" type="month" value=(f.period.from);
                label for="n-to" { "To month" }
                input id="n-to" name="to" type="month" value=(f.period.to);
                button type="submit" { "Show" }
            }
            p { a href=(csv) download { "Download these figures (CSV)" } " · " a href="/network/sites/new" { "Start a site from a template" } }
            section.card aria-labelledby="trends-h" {
                h2 id="trends-h" { "Trends" }
                (chart(&f, "Referrals", |m| m.referrals))
                (chart(&f, "Open cases", |m| m.participants_active))
                (chart(&f, "Hand-offs within target", |m| m.handoffs_within_target))
            }
            section.card aria-labelledby="table-h" {
                h2 id="table-h" { "Sites side by side" }
                @for (i, m) in f.network.months.iter().enumerate() {
                    div.scroll tabindex="0" role="region" aria-label=(format!("Month {}", m.month)) {
                        table {
                            caption { "Month " (m.month) }
                            thead { tr { th scope="col" { "Measure" } @for s in &f.sites { th scope="col" { (s.name) } } th scope="col" { "Network" } } }
                            tbody {
                                @for (_, label, pick) in MEASURES {
                                    tr { th scope="row" { (label) } @for s in &f.sites { td { (cell(pick(&s.months[i]))) } } td { (cell(pick(m))) } }
                                }
                                tr { th scope="row" { "Hand-off median / p90 (minutes)" } @for s in &f.sites { td { (minutes(&s.months[i])) } } td { (minutes(m)) } }
                                tr { th scope="row" { "Contacts per participant-month" } @for s in &f.sites { td { (ratio(s.months[i].contacts_per_participant_month)) } } td { (ratio(m.contacts_per_participant_month)) } }
                            }
                        }
                    }
                }
            }
            section.card aria-labelledby="score-h" {
                h2 id="score-h" { "Fidelity scorecards" }
                p { a href=(format!("/network/scorecards{}", query_string(&q))) { "Every site's scorecard, side by side" } }
                ul { @for s in &all_sites { li { a href=(format!("/network/scorecard/{}", s.id)) { (s.name) } } } }
            }
        },
    )
    .into_response())
}

fn minutes(m: &MonthFigures) -> Markup {
    match (m.handoff_median_minutes, m.handoff_p90_minutes) {
        (Some(a), Some(b)) => html! { (format!("{a:.0} / {b:.0}")) },
        _ => html! { "—" },
    }
}

fn ratio(v: Option<f64>) -> Markup {
    match v {
        Some(x) => html! { (format!("{x:.2}")) },
        None => html! { "—" },
    }
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// `GET /network/figures.csv`: the same figures, one row per site (and the
/// network), month and measure; suppressed counts are empty with
/// `suppressed` true.
pub async fn csv(
    Visit(state, ctx, Signed(auth)): Visit<Signed>,
    Query(q): Query<PeriodQuery>,
) -> PageResult {
    let f = figures::network_figures(&state, &auth, &q, &ctx).await?;
    let mut out = String::from("site,month,measure,count,suppressed\n");
    let rows = f
        .sites
        .iter()
        .map(|s| (s.slug.as_str(), &s.months))
        .chain([("network", &f.network.months)]);
    for (slug, months) in rows {
        for m in months {
            for (key, _, pick) in MEASURES {
                let c = pick(m);
                out.push_str(&format!(
                    "{},{},{key},{},{}\n",
                    csv_field(slug),
                    m.month,
                    c.count.map(|n| n.to_string()).unwrap_or_default(),
                    c.suppressed
                ));
            }
        }
    }
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"network-figures.csv\"",
            ),
        ],
        out,
    )
        .into_response())
}

/// `GET /network/scorecard/{id}`: a site's scorecard.
pub async fn scorecard_page(
    Visit(state, ctx, Signed(auth)): Visit<Signed>,
    Path(id): Path<String>,
    Query(q): Query<PeriodQuery>,
) -> PageResult {
    let id: Uuid = id.parse().map_err(|_| AppError::NotFound)?;
    let card = scorecard::scorecard(&state, &auth, id.into(), &q, &ctx).await?;
    Ok(layout(
        "Scorecard",
        Some(&auth),
        html! {
            h1 { "Fidelity scorecard: " (card.site) }
            p { "Whole months " strong { (card.period.from) " to " (card.period.to) } ", against the network's targets (version " (card.targets_version) ")." }
            form.stack method="get" action=(format!("/network/scorecard/{id}")) {
                label for="s-from" { "From month" }
                input id="s-from" name="from" type="month" value=(card.period.from);
                label for="s-to" { "To month" }
                input id="s-to" name="to" type="month" value=(card.period.to);
                button type="submit" { "Show" }
            }
            div.scroll tabindex="0" role="region" aria-label="Indicators" {
                table {
                    caption { "Indicators" }
                    thead { tr { th scope="col" { "Indicator" } th scope="col" { "Value" } th scope="col" { "Target" } th scope="col" { "Status" } th scope="col" { "By month" } } }
                    tbody {
                        @for i in &card.indicators {
                            tr {
                                th scope="row" { (i.label) }
                                td { (ratio(i.value)) }
                                td { (format!("{:.2}", i.target)) }
                                td { (status_label(&i.status)) }
                                td { @for p in &i.trend { (p.month) ": " (ratio(p.value)) " " } }
                            }
                        }
                    }
                }
            }
        },
    )
    .into_response())
}

/// `GET /network/sites/new`: start a site from a template (the Bureau).
pub async fn new_site_form(Visit(state, _ctx, Signed(auth)): Visit<Signed>) -> PageResult {
    handoff_http::network::require_staff(
        &state,
        &auth,
        Action::ManageNetwork,
        "Only the network's staff start sites.",
    )
    .await?;
    Ok(site_form(&auth, &NewSiteForm::default(), &[]).into_response())
}

#[derive(Debug, Default, Deserialize)]
pub struct NewSiteForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    slug: String,
    #[serde(default)]
    time_zone: String,
    #[serde(default)]
    template: String,
}

fn site_form(
    auth: &handoff_http::auth::Auth,
    f: &NewSiteForm,
    errors: &[(String, String)],
) -> Markup {
    let err = |field: &str| {
        errors
            .iter()
            .find(|(k, _)| k == field)
            .map(|(_, m)| m.clone())
    };
    layout(
        "Start a site",
        Some(auth),
        html! {
            h1 { "Start a site from a template" }
            @if !errors.is_empty() {
                div.errors role="alert" { p { "Please correct:" } ul { @for (k, m) in errors { li { a href=(format!("#f-{k}")) { (k.replace('_', " ")) ": " (m) } } } } }
            }
            form.stack method="post" action="/network/sites" {
                (csrf_field(auth))
                label for="f-name" { "Site name" }
                input id="f-name" name="name" value=(f.name) required aria-invalid=[err("name").map(|_| "true")];
                label for="f-slug" { "Short name (lower-case letters, digits, hyphens)" }
                input id="f-slug" name="slug" value=(f.slug) required aria-invalid=[err("slug").map(|_| "true")];
                label for="f-time_zone" { "Time zone (e.g. America/Los_Angeles)" }
                input id="f-time_zone" name="time_zone" value=(if f.time_zone.is_empty() { "America/Los_Angeles" } else { &f.time_zone }) required aria-invalid=[err("time_zone").map(|_| "true")];
                fieldset id="f-template" {
                    legend { "Policy template" }
                    @for t in Template::ALL {
                        label.check { input type="radio" name="template" value=(t.as_str()) checked[f.template == t.as_str() || (f.template.is_empty() && *t == Template::Seattle)]; " " (t.label()) }
                    }
                }
                button type="submit" { "Start the site" }
            }
        },
    )
}

/// `POST /network/sites`: starts the site, then shows the network view.
pub async fn create_site(
    Visit(state, _ctx, Signed(auth)): Visit<Signed>,
    Form(f): Form<NewSiteForm>,
) -> PageResult {
    let staff = handoff_http::network::require_staff(
        &state,
        &auth,
        Action::ManageNetwork,
        "Only the network's staff start sites.",
    )
    .await?;
    let mut errors = Vec::new();
    if f.name.trim().is_empty() {
        errors.push(("name".to_string(), "is required".to_string()));
    }
    if f.slug.trim().is_empty() {
        errors.push(("slug".to_string(), "is required".to_string()));
    }
    if f.time_zone.trim().is_empty() {
        errors.push(("time_zone".to_string(), "is required".to_string()));
    }
    let template = f.template.parse::<Template>();
    if template.is_err() {
        errors.push(("template".to_string(), "choose a template".to_string()));
    }
    if let (true, Ok(template)) = (errors.is_empty(), template) {
        match sites::create(
            &state.store,
            &staff.network,
            NewSite {
                name: f.name.trim(),
                slug: f.slug.trim(),
                time_zone: f.time_zone.trim(),
                template,
                demo_password: None,
            },
        )
        .await
        {
            Ok(_) => return Ok(see_other("/network")),
            Err(AppError::BadRequest { field, message }) => {
                errors.push((field.unwrap_or_else(|| "name".into()), message));
            }
            Err(e) => return Err(e.into()),
        }
    }
    Ok((
        axum::http::StatusCode::UNPROCESSABLE_ENTITY,
        site_form(&auth, &f, &errors),
    )
        .into_response())
}

#[derive(Debug, Deserialize)]
pub struct SwitchForm {
    site_id: String,
}

/// `POST /session/site`: the header's site switcher.
pub async fn switch(
    Visit(state, ctx, Signed(auth)): Visit<Signed>,
    Form(f): Form<SwitchForm>,
) -> PageResult {
    let id: Uuid = f
        .site_id
        .parse()
        .map_err(|_| AppError::field("site_id", "is not a site id"))?;
    sites::switch(&state, &auth, id.into(), &ctx).await?;
    Ok(see_other("/"))
}

/// `GET /scorecard`: the scorecard of the site the caller acts in.
pub async fn own_scorecard(Signed(auth): Signed) -> PageResult {
    Ok(see_other(&format!(
        "/network/scorecard/{}",
        auth.user.site_id
    )))
}

fn status_label(s: &str) -> &'static str {
    match s {
        "met" => "Met",
        "not_met" => "Not met",
        _ => "Watch",
    }
}

/// `GET /network/scorecards`: every site's scorecard side by side.
pub async fn scorecards(
    Visit(state, ctx, Signed(auth)): Visit<Signed>,
    Query(q): Query<PeriodQuery>,
) -> PageResult {
    let cards = scorecard::all(&state, &auth, &q, &ctx).await?;
    let Some(first) = cards.first() else {
        return Ok(layout(
            "Scorecards",
            Some(&auth),
            html! { h1 { "Fidelity scorecards" } p { "The network has no sites yet." } },
        )
        .into_response());
    };
    Ok(layout(
        "Scorecards",
        Some(&auth),
        html! {
            h1 { "Fidelity scorecards, side by side" }
            p { "Whole months " strong { (first.period.from) " to " (first.period.to) } ", against the network's targets (version " (first.targets_version) "). Each cell is the site's value and its status." }
            form.stack method="get" action="/network/scorecards" {
                label for="c-from" { "From month" }
                input id="c-from" name="from" type="month" value=(first.period.from);
                label for="c-to" { "To month" }
                input id="c-to" name="to" type="month" value=(first.period.to);
                button type="submit" { "Show" }
            }
            div.scroll tabindex="0" role="region" aria-label="Scorecards" {
                table {
                    caption { "Indicators by site" }
                    thead { tr { th scope="col" { "Indicator (target)" } @for c in &cards { th scope="col" { a href=(format!("/network/scorecard/{}", c.site_id)) { (c.site) } } } } }
                    tbody {
                        @for (i, ind) in first.indicators.iter().enumerate() {
                            tr {
                                th scope="row" { (ind.label) " (" (format!("{:.2}", ind.target)) ")" }
                                @for c in &cards {
                                    @let x = &c.indicators[i];
                                    td { (ratio(x.value)) " · " (status_label(&x.status)) }
                                }
                            }
                        }
                    }
                }
            }
        },
    )
    .into_response())
}
