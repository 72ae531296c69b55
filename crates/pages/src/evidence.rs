//! Evidence pages: the officer's eligible-but-booked log (a phone form,
//! post-redirect-get), the shift schedule on officers' home page, the
//! evaluation in one click with its runs, and the printable PCG report
//! with SVG charts and a CSV for each table.

use super::flow::{Fields, field_label};
use super::{PageResult, Signed, csrf_field, layout, see_other};
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use handoff_domain::referral::{Conduct, Race};
use handoff_domain::rules::Action;
use handoff_http::auth::{Auth, Visit};
use handoff_http::error::AppError;
use handoff_http::evidence::eligible::{
    self, ArrestBody, ArrestOffence, ArrestPlace, PersonBody, REASONS,
};
use handoff_http::evidence::evaluations::{self, RunBody};
use handoff_http::evidence::pcg::{self, ReportQuery, Table};
use handoff_http::evidence::shifts::{self, Current};
use handoff_http::{AppState, now};
use maud::{Markup, PreEscaped, html};
use serde::Deserialize;

async fn allowed(state: &AppState, auth: &Auth, action: Action) -> Result<bool, AppError> {
    let agency = handoff_http::workflow::agency_of(state, auth).await?;
    Ok(handoff_http::workflow::may(auth, &agency, action))
}

/// The shift card on an officer's home page.
pub async fn shift_card(state: &AppState, auth: &Auth) -> Result<Markup, AppError> {
    if !allowed(state, auth, Action::LogEligibleArrest).await? {
        return Ok(html! {});
    }
    let current = shifts::current(state, auth).await?;
    Ok(html! {
        section.card aria-labelledby="shift-h" id="shift" {
            h2 id="shift-h" { "Diversion on this shift" }
            (shift_text(current.as_ref()))
            p.links { a.button href="/eligible-arrests/new" { "Log an eligible arrest booked" } }
        }
    })
}

fn shift_text(current: Option<&Current>) -> Markup {
    html! {
        @match current {
            None => p { "The PCG has not adopted a diversion schedule: offer LEAD to everyone eligible." },
            Some(c) => {
                p.big {
                    strong { @if c.now.diversion_on { "Diversion ON" } @else { "Diversion OFF" } }
                    " — " (c.now.label)
                }
                p.meta {
                    @if c.now.diversion_on {
                        "Offer LEAD to everyone eligible."
                    } @else {
                        "Book as usual, and log each eligible arrest: these people are the comparison group of the evaluation."
                    }
                    " Schedule version " (c.version) ", adopted by the PCG on " (c.adopted_on)
                    @if let Some(seed) = c.seed { " (random assignment, seed " (seed) ")" } @else { " (fixed rota)" }
                    "."
                }
                details {
                    summary { "Coming days and shifts" }
                    ul { @for a in &c.upcoming { li { (a.label) ": " @if a.diversion_on { "on" } @else { "off" } } } }
                }
            }
        }
    }
}

fn arrest_form(
    auth: &Auth,
    categories: &[String],
    areas: &[String],
    current: Option<&Current>,
    prev: Option<&Fields>,
    errors: &[(String, String)],
    logged: bool,
) -> Markup {
    let v = |k: &str| prev.map(|p| p.get(k).to_string()).unwrap_or_default();
    let bad = |name: &str| {
        errors
            .iter()
            .any(|(f, _)| field_label(f) == field_label(name) || f.ends_with(name))
    };
    let reason_now = prev.and_then(|p| p.opt("reason")).unwrap_or_else(|| {
        if current.is_some_and(|c| !c.now.diversion_on) {
            "diversion_off_shift".into()
        } else {
            "not_offered".into()
        }
    });
    let label_of = |c: &str| {
        c.parse::<Conduct>()
            .map_or_else(|_| c.replace('_', " "), |x| x.label().to_string())
    };
    html! {
        h1 { "Eligible, booked" }
        (shift_text(current))
        @if logged { p.notice.ok role="status" id="logged" { "Logged. Thank you: this arrest is now part of the comparison group." } }
        @if !errors.is_empty() {
            div.notice role="alert" id="problem" {
                p { "Check these and send again:" }
                ul { @for (f, m) in errors { li { (field_label(f)) ": " (m) } } }
            }
        }
        p.meta { "For an arrest of someone eligible for LEAD who was booked, not diverted. This is not a referral: no case manager is called." }
        form.stack.quick method="post" action="/eligible-arrests" {
            (csrf_field(auth))
            label for="incident_number" { "Incident number" }
            input id="incident_number" name="incident_number" required autocomplete="off" autocapitalize="characters" value=(v("incident_number")) aria-invalid=[bad("incident_number").then_some("true")];
            label for="category" { "Offence" }
            select id="category" name="category" required aria-invalid=[bad("category").then_some("true")] {
                option value="" { "Choose…" }
                @for c in categories { option value=(c) selected[v("category") == *c] { (label_of(c)) } }
            }
            label for="area" { "Where (area)" }
            select id="area" name="area" required aria-invalid=[bad("area").then_some("true")] {
                option value="" { "Choose…" }
                @for a in areas { option value=(a) selected[v("area") == *a] { (a) } }
            }
            fieldset {
                legend { "The person, as observed" }
                label for="race" { "Race" }
                select id="race" name="race" required aria-invalid=[bad("race").then_some("true")] {
                    option value="" { "Choose…" }
                    @for r in Race::ALL { option value=(r.label()) selected[v("race") == r.label()] { (r.label()) } }
                }
                fieldset.seg {
                    legend { "Sex" }
                    div.segs {
                        @for (s, l) in [("F", "Female"), ("M", "Male"), ("X", "Another"), ("U", "Unknown")] {
                            input type="radio" name="sex" id=(format!("ea-sex-{s}")) value=(s) required checked[v("sex") == s];
                            label for=(format!("ea-sex-{s}")) { (l) }
                        }
                    }
                }
                label for="approx_age" { "Age (about)" }
                input id="approx_age" name="approx_age" type="number" inputmode="numeric" min="10" max="110" value=(v("approx_age")) aria-invalid=[bad("approx_age").then_some("true")];
            }
            fieldset.seg {
                legend { "Why booked" }
                div.segs {
                    @for (r, l) in REASONS {
                        input type="radio" name="reason" id=(format!("ea-r-{r}")) value=(r) checked[reason_now == *r];
                        label for=(format!("ea-r-{r}")) { (l) }
                    }
                }
            }
            details {
                summary { "When, name and date of birth (optional)" }
                div.stack {
                    label for="minutes_ago" { "Happened how many minutes ago? (default: now)" }
                    input id="minutes_ago" name="minutes_ago" type="number" inputmode="numeric" min="0" max="1440" value=(v("minutes_ago")) aria-invalid=[bad("occurred_at").then_some("true")];
                    label for="first_name" { "First name, if known" }
                    input id="first_name" name="first_name" autocomplete="off" value=(v("first_name"));
                    label for="last_name" { "Last name, if known" }
                    input id="last_name" name="last_name" autocomplete="off" value=(v("last_name"));
                    label for="dob" { "Date of birth, if known" }
                    input id="dob" name="dob" type="date" value=(v("dob")) aria-invalid=[bad("dob").then_some("true")];
                }
            }
            button.primary.big type="submit" { "Log it" }
        }
    }
}

#[derive(Deserialize)]
pub struct LoggedQuery {
    logged: Option<String>,
}

/// The empty form (with "Logged" after a successful post).
pub async fn arrest_new(
    Visit(state, _ctx, Signed(auth)): Visit<Signed>,
    Query(q): Query<LoggedQuery>,
) -> PageResult {
    if !allowed(&state, &auth, Action::LogEligibleArrest).await? {
        return Err(
            AppError::Forbidden("the eligible-but-booked log is kept by police officers").into(),
        );
    }
    let site = auth.user.site_id;
    let categories = eligible::categories(&state, site).await?;
    let areas = eligible::area_names(&state, site).await?;
    let current = shifts::current(&state, &auth).await?;
    Ok(layout(
        "Eligible, booked",
        Some(&auth),
        arrest_form(
            &auth,
            &categories,
            &areas,
            current.as_ref(),
            None,
            &[],
            q.logged.is_some(),
        ),
    )
    .into_response())
}

/// Logs it; back to the empty form (post-redirect-get), or the form with
/// every problem listed and what was typed kept.
pub async fn arrest_submit(
    Visit(state, ctx, Signed(auth)): Visit<Signed>,
    body: String,
) -> PageResult {
    let f = Fields::parse(&body)?;
    let minutes: i64 = f
        .opt("minutes_ago")
        .and_then(|m| m.parse().ok())
        .unwrap_or(0)
        .clamp(0, 1440);
    let at = now() - time::Duration::minutes(minutes);
    let b = ArrestBody {
        incident_number: f.get("incident_number").to_string(),
        occurred_at: at
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default(),
        offenses: vec![ArrestOffence {
            category: f.get("category").to_string(),
            ..Default::default()
        }],
        location: ArrestPlace {
            area: f.opt("area"),
            ..Default::default()
        },
        person: PersonBody {
            race: f.get("race").to_string(),
            sex: f.get("sex").to_string(),
            approx_age: f.opt("approx_age").map(serde_json::Value::String),
            dob: f.opt("dob"),
            first_name: f.opt("first_name"),
            last_name: f.opt("last_name"),
        },
        reason: f.get("reason").to_string(),
    };
    match eligible::log(&state, &auth, &ctx, &b).await {
        Ok(_) => Ok(see_other("/eligible-arrests/new?logged=1")),
        Err((e, bad)) => {
            let bad = if bad.is_empty() {
                match &e {
                    AppError::BadRequest {
                        field: Some(f),
                        message,
                    } => vec![(f.clone(), message.clone())],
                    _ => return Err(e.into()),
                }
            } else {
                bad
            };
            let site = auth.user.site_id;
            let categories = eligible::categories(&state, site).await?;
            let areas = eligible::area_names(&state, site).await?;
            let current = shifts::current(&state, &auth).await?;
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                layout(
                    "Eligible, booked",
                    Some(&auth),
                    arrest_form(
                        &auth,
                        &categories,
                        &areas,
                        current.as_ref(),
                        Some(&f),
                        &bad,
                        false,
                    ),
                ),
            )
                .into_response())
        }
    }
}

/// The one-click evaluation form and the runs kept, for the evaluation page.
pub async fn runs_section(state: &AppState, auth: &Auth) -> Result<Markup, AppError> {
    if !allowed(state, auth, Action::RunEvaluation).await? {
        return Ok(html! {});
    }
    let ctx = handoff_http::workflow::SiteCtx::load(state, auth.user.site_id).await?;
    let research = handoff_http::research::allowed(&ctx);
    let today = ctx.tz.local_date(now());
    let from = today - time::Duration::days(4 * 365);
    let runs = evaluations::list(state, auth, 20).await?;
    Ok(html! {
        section.card aria-labelledby="run-h" id="one-click" {
            h2 id="run-h" { "Run the evaluation on this site's data" }
            @if research {
                p { "Handoff exports the site's data (the limited data set, person ids pseudonymised for this run) and runs every analysis: no files to handle." }
                form.stack method="post" action="/evaluation/runs" {
                    (csrf_field(auth))
                    div.two {
                        div { label for="run-from" { "From" } input id="run-from" name="from" type="date" required value=(iso(from)); }
                        div { label for="run-to" { "To (study end)" } input id="run-to" name="to" type="date" required value=(iso(today)); }
                    }
                    button.primary.big type="submit" id="run-evaluation" { "Run the evaluation" }
                }
            } @else {
                p.notice { "The site's policy does not allow research use: the evaluation cannot be run on its data." }
            }
            @if !runs.is_empty() {
                h3 { "Earlier runs" }
                ul.items {
                    @for r in &runs {
                        li.item {
                            a href=(format!("/evaluation/runs/{}", r.id)) { (r.from_on) " to " (r.to_on) }
                            " · " (r.status)
                            @if let (Some(l), Some(c)) = (r.n_lead, r.n_control) { " · " (l) " LEAD, " (c) " comparison" }
                        }
                    }
                }
            }
        }
    })
}

fn iso(d: time::Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

/// Starts a run and goes to its page.
pub async fn run_start(Visit(state, ctx, Signed(auth)): Visit<Signed>, body: String) -> PageResult {
    let f = Fields::parse(&body)?;
    let b = RunBody {
        from: f.get("from").to_string(),
        to: f.get("to").to_string(),
    };
    let id = handoff_http::runs::start_evaluation(&state, &auth, &ctx, &b).await?;
    Ok(see_other(&format!("/evaluation/runs/{id}")))
}

/// A run: progress while it runs (the page refreshes itself), the
/// refusal in plain words, or the report.
pub async fn run_page(
    Visit(state, _ctx, Signed(auth)): Visit<Signed>,
    Path(id): Path<String>,
) -> PageResult {
    let id: uuid::Uuid = id.parse().map_err(|_| AppError::NotFound)?;
    let (run, report) = evaluations::get(&state, &auth, id).await?;
    let body = html! {
        @if run.status == "running" {
            h1 { "Running the evaluation" }
            div data-run=(run.id) {
                p role="status" id="progress" { "In progress: " (run.progress) "…" }
                progress aria-label="Evaluation progress" {}
                p { "This page shows the report when it is ready. " a href=(format!("/evaluation/runs/{}", run.id)) { "Look again" } }
            }
            script src="/assets/progress.js" defer {}
        } @else if run.status == "refused" {
            h1 { "The evaluation could not be run" }
            p.notice role="alert" id="refusal" { (run.refusal.clone().unwrap_or_default()) }
            p { a href="/evaluation" { "Back to the evaluation" } }
        } @else {
            link rel="stylesheet" href="/assets/report.css";
            p.meta.noprint {
                "Run of " (run.from) " to " (run.to) ". "
                a href=(format!("/api/v1/evaluations/{}", run.id)) download="results.json" { "results.json" }
                @if allowed(&state, &auth, Action::ExportEvaluation).await? {
                    " · " a href=(format!("/api/v1/exports/evaluation?from={}&to={}", run.from, run.to)) download="evaluation-dataset.json" { "the dataset (fresh pseudonyms)" }
                }
                " · " a href="/evaluation" { "All runs" }
            }
            div.report id="report" { (PreEscaped(report.unwrap_or_default())) }
        }
    };
    Ok(layout("Evaluation run", Some(&auth), body).into_response())
}

/// A horizontal bar chart of a table's first count column (suppressed
/// bars left out and said so).
fn bars(t: &Table) -> Markup {
    let rows: Vec<(String, Option<f64>)> = t
        .rows
        .iter()
        .filter(|r| r.first().and_then(|v| v.as_str()) != Some("Total"))
        .map(|r| {
            let label = r
                .iter()
                .take_while(|v| v.is_string())
                .filter_map(|v| v.as_str())
                .collect::<Vec<_>>()
                .join(" · ");
            let value = r.iter().find(|v| !v.is_string()).and_then(|v| v.as_f64());
            (label, value)
        })
        .collect();
    let shown: Vec<&(String, Option<f64>)> = rows.iter().filter(|(_, v)| v.is_some()).collect();
    let hidden = rows.len() - shown.len();
    let max = shown
        .iter()
        .filter_map(|(_, v)| *v)
        .fold(0.0_f64, f64::max)
        .max(1.0);
    let h = 22 * shown.len() + 10;
    let col = t
        .columns
        .get(t.columns.len().min(rows.first().map_or(1, |_| 1)))
        .cloned()
        .unwrap_or_default();
    html! {
        @if !shown.is_empty() {
            figure {
                svg width="100%" height=(h) viewBox=(format!("0 0 600 {h}")) role="img" aria-label=(format!("{}: bar chart", t.title)) {
                    @for (i, (l, v)) in shown.iter().enumerate() {
                        @let y = 5 + i * 22;
                        @let w = (v.unwrap_or(0.0) / max * 330.0).round();
                        text x="0" y=(y + 14) font-size="12" { (truncate(l, 38)) }
                        rect x="250" y=(y) width=(w) height="16" fill="#123a63" {}
                        text x=(255.0 + w) y=(y + 13) font-size="12" { (v.unwrap_or(0.0)) }
                    }
                }
                figcaption {
                    (t.title) ": " (shown.len()) " bar" @if shown.len() != 1 { "s" } " of " (col.replace('_', " "))
                    @if hidden > 0 { "; " (hidden) " suppressed (small counts) and not drawn" }
                    "."
                }
            }
        }
    }
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(n - 1).collect::<String>())
    }
}

fn cell(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Null => "suppressed".into(),
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The printable PCG report.
pub async fn pcg_page(
    Visit(state, ctx, Signed(auth)): Visit<Signed>,
    Query(q): Query<ReportQuery>,
) -> PageResult {
    let r = pcg::report(&state, &auth, &ctx, &q).await?;
    let charted = [
        "referrals_by_door",
        "referrals_by_agency",
        "referrals_by_offense",
        "ineligible_by_rule",
        "holds",
        "participants",
        "equity",
        "proviso_listing",
    ];
    let body = html! {
        link rel="stylesheet" href="/assets/report.css";
        div.report {
            h1 { "LEAD report for the Policy Coordinating Group" }
            p { (r.site) ", " (r.from) " to " (r.to) "." }
            @if r.suppressed { p.meta { "Counts from 1 to " (r.min_cell - 1) " are suppressed, with any count that would reveal one." } }
            form.noprint method="get" action="/reports/pcg" {
                label for="pcg-from" { "From" } input id="pcg-from" name="from" type="date" value=(r.from);
                label for="pcg-to" { "To" } input id="pcg-to" name="to" type="date" value=(r.to);
                button type="submit" { "Show" }
            }
            @for t in &r.tables {
                section id=(t.name) aria-labelledby=(format!("{}-h", t.name)) {
                    h2 id=(format!("{}-h", t.name)) { (t.title) }
                    @if charted.contains(&t.name.as_str()) { (bars(t)) }
                    div.scroll tabindex="0" {
                        table {
                            thead { tr { @for c in &t.columns { th scope="col" { (c.replace('_', " ")) } } } }
                            tbody { @for row in &t.rows { tr { @for v in row { td { (cell(v)) } } } } }
                        }
                    }
                    @if let Some(n) = &t.note { p.meta { (n) } }
                    p.noprint { a href=(format!("/api/v1/reports/pcg?from={}&to={}&format=csv&table={}", r.from, r.to, t.name)) { "Download " (t.name) ".csv" } }
                }
            }
        }
    };
    Ok(layout("PCG report", Some(&auth), body).into_response())
}

#[derive(Deserialize)]
pub struct AdminQuery {
    saved: Option<String>,
    page: Option<usize>,
}

/// Rows of the costs list per page.
const COSTS_PER_PAGE: usize = 25;

async fn admin_page(
    state: &AppState,
    auth: &Auth,
    q: &AdminQuery,
    prev: Option<(&str, &Fields, &AppError)>,
) -> Result<Markup, AppError> {
    let site = auth.user.site_id;
    let all = handoff_store::evidence::costs(&mut state.store.conn(), site).await?;
    let mut rows = handoff_http::evidence::costs::rows(&all);
    rows.reverse();
    let page = q.page.unwrap_or(0);
    let pages = rows.len().div_ceil(COSTS_PER_PAGE).max(1);
    let shown: Vec<_> = rows
        .iter()
        .skip(page * COSTS_PER_PAGE)
        .take(COSTS_PER_PAGE)
        .collect();
    let schedules = handoff_store::evidence::schedules(&mut state.store.conn(), site).await?;
    let v = |form: &str, k: &str| match prev {
        Some((f, fields, _)) if f == form => fields.get(k).to_string(),
        _ => String::new(),
    };
    let problem = |form: &str| match prev {
        Some((f, _, e)) if f == form => Some(super::flow::problem(e)),
        _ => None,
    };
    Ok(html! {
        h1 { "Programme records" }
        @if let Some(s) = &q.saved { p.notice.ok role="status" { "Saved: " (s) "." } }
        section.card aria-labelledby="sched-h" id="schedule" {
            h2 id="sched-h" { "Diversion-on/off schedule" }
            @match schedules.first() {
                None => p { "No schedule adopted: officers offer LEAD on every shift." },
                Some(s) => p {
                    "In force: version " (s.version) ", " (s.method) " by " (s.unit)
                    @if let Some(seed) = s.seed { " (seed " (seed) ", " (s.on_percent.unwrap_or(50)) "% on)" }
                    ", from " (s.starts_on) ", adopted by the PCG on " (s.adopted_on) "."
                },
            }
            @if let Some(p) = problem("schedule") { (p) }
            form.stack method="post" action="/admin/evidence/schedule" {
                (csrf_field(auth))
                fieldset.seg {
                    legend { "Assignment" }
                    div.segs {
                        input type="radio" name="method" id="m-random" value="random" checked[v("schedule", "method") != "rota"];
                        label for="m-random" { "Random (seed recorded)" }
                        input type="radio" name="method" id="m-rota" value="rota" checked[v("schedule", "method") == "rota"];
                        label for="m-rota" { "Fixed rota" }
                    }
                }
                label for="unit" { "Unit" }
                select id="unit" name="unit" {
                    option value="shift" selected[v("schedule", "unit") != "day"] { "Shift (07:00–19:00, 19:00–07:00)" }
                    option value="day" selected[v("schedule", "unit") == "day"] { "Day" }
                }
                label for="on_percent" { "Random: share diversion-on (%)" }
                input id="on_percent" name="on_percent" type="number" min="1" max="99" value=(v("schedule", "on_percent"));
                label for="seed" { "Random: seed (blank to draw one)" }
                input id="seed" name="seed" type="number" inputmode="numeric" value=(v("schedule", "seed"));
                label for="rota" { "Rota: on/off in turn, like on,off,off" }
                input id="rota" name="rota" autocomplete="off" value=(v("schedule", "rota"));
                div.two {
                    div { label for="starts_on" { "Applies from" } input id="starts_on" name="starts_on" type="date" required value=(v("schedule", "starts_on")); }
                    div { label for="adopted_on" { "Adopted by the PCG on" } input id="adopted_on" name="adopted_on" type="date" required value=(v("schedule", "adopted_on")); }
                }
                label for="s-note" { "Note" }
                input id="s-note" name="note" autocomplete="off" value=(v("schedule", "note"));
                button.primary type="submit" { "Record the schedule" }
            }
        }
        section.card aria-labelledby="costs-h" id="costs" {
            h2 id="costs-h" { "Programme costs" }
            @if let Some(p) = problem("cost") { (p) }
            form.stack method="post" action="/admin/evidence/costs" {
                (csrf_field(auth))
                div.two {
                    div { label for="period_start" { "From" } input id="period_start" name="period_start" type="date" required value=(v("cost", "period_start")); }
                    div { label for="period_end" { "To" } input id="period_end" name="period_end" type="date" required value=(v("cost", "period_end")); }
                }
                label for="category" { "Category" }
                select id="category" name="category" required {
                    @for (c, l) in handoff_http::evidence::costs::CATEGORIES {
                        option value=(c) selected[v("cost", "category") == *c] { (l) }
                    }
                }
                label for="amount_usd" { "Amount (USD)" }
                input id="amount_usd" name="amount_usd" type="number" min="0" step="0.01" inputmode="decimal" required value=(v("cost", "amount_usd"));
                label for="c-note" { "Note" }
                input id="c-note" name="note" autocomplete="off" value=(v("cost", "note"));
                button.primary type="submit" { "Record the cost" }
            }
            @if !shown.is_empty() {
                div.scroll tabindex="0" {
                    table {
                        thead { tr { th scope="col" { "Period" } th scope="col" { "Category" } th scope="col" { "USD" } th scope="col" { "Version" } } }
                        tbody {
                            @for r in &shown {
                                tr {
                                    td { (r.period_start) " – " (r.period_end) }
                                    td { (r.category.replace('_', " ")) }
                                    td { (format!("{:.2}", r.amount_usd)) }
                                    td { (r.version) @if r.superseded { " (superseded)" } }
                                }
                            }
                        }
                    }
                }
                nav aria-label="Pages of costs" {
                    @if page > 0 { a href=(format!("/admin/evidence?page={}#costs", page - 1)) { "Newer" } " " }
                    "Page " (page + 1) " of " (pages)
                    @if page + 1 < pages { " " a href=(format!("/admin/evidence?page={}#costs", page + 1)) { "Older" } }
                }
            }
        }
    })
}

async fn require_admin(state: &AppState, auth: &Auth) -> Result<(), AppError> {
    if allowed(state, auth, Action::KeepProgramRecords).await? {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "programme records are kept by site admins",
        ))
    }
}

/// The shift schedule and programme costs, for site admins.
pub async fn admin(
    Visit(state, _ctx, Signed(auth)): Visit<Signed>,
    Query(q): Query<AdminQuery>,
) -> PageResult {
    require_admin(&state, &auth).await?;
    let body = admin_page(&state, &auth, &q, None).await?;
    Ok(layout("Programme records", Some(&auth), body).into_response())
}

async fn refused(state: &AppState, auth: &Auth, form: &str, f: &Fields, e: AppError) -> PageResult {
    if !matches!(e, AppError::BadRequest { .. }) {
        return Err(e.into());
    }
    let q = AdminQuery {
        saved: None,
        page: None,
    };
    let body = admin_page(state, auth, &q, Some((form, f, &e))).await?;
    Ok((
        StatusCode::UNPROCESSABLE_ENTITY,
        layout("Programme records", Some(auth), body),
    )
        .into_response())
}

/// Records a schedule version (post-redirect-get).
pub async fn admin_schedule(
    Visit(state, ctx, Signed(auth)): Visit<Signed>,
    body: String,
) -> PageResult {
    let f = Fields::parse(&body)?;
    let rota = f.opt("rota").map(|r| {
        r.split([',', ' '])
            .filter(|x| !x.is_empty())
            .map(|x| {
                matches!(
                    x.trim().to_lowercase().as_str(),
                    "on" | "1" | "yes" | "true"
                )
            })
            .collect::<Vec<bool>>()
    });
    let seed = match f.opt("seed").map(|s| s.parse::<i64>()) {
        Some(Err(_)) => {
            return refused(
                &state,
                &auth,
                "schedule",
                &f,
                AppError::field("seed", "is not a whole number"),
            )
            .await;
        }
        Some(Ok(s)) => Some(s),
        None => None,
    };
    let b = shifts::ScheduleBody {
        method: f.get("method").to_string(),
        unit: f.opt("unit"),
        seed,
        on_percent: f.opt("on_percent").and_then(|p| p.parse().ok()),
        rota,
        starts_on: f.get("starts_on").to_string(),
        adopted_on: f.get("adopted_on").to_string(),
        note: f.opt("note"),
    };
    match shifts::adopt(&state, &auth, &ctx, b).await {
        Ok(_) => Ok(see_other("/admin/evidence?saved=schedule")),
        Err(e) => refused(&state, &auth, "schedule", &f, e).await,
    }
}

/// Records a programme cost (post-redirect-get).
pub async fn admin_cost(
    Visit(state, ctx, Signed(auth)): Visit<Signed>,
    body: String,
) -> PageResult {
    let f = Fields::parse(&body)?;
    let b = handoff_http::evidence::costs::CostBody {
        period_start: f.get("period_start").to_string(),
        period_end: f.get("period_end").to_string(),
        category: f.get("category").to_string(),
        amount_usd: serde_json::Value::String(f.get("amount_usd").to_string()),
        note: f.opt("note"),
    };
    match handoff_http::evidence::costs::record(&state, &auth, &ctx, &b).await {
        Ok(_) => Ok(see_other("/admin/evidence?saved=cost")),
        Err(e) => refused(&state, &auth, "cost", &f, e).await,
    }
}
