//! Hand-off times month by month for supervisors: a chart drawn as inline
//! SVG (no external assets, no script) of each month's median and 90th
//! percentile from referral to acceptance and from referral to arrival,
//! with the policy's target, over a range of months chosen on the page;
//! the same figures as a table below it.

use super::flow::problem;
use super::{PageResult, Signed, layout};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use handoff_http::AppState;
use handoff_http::error::AppError;
use handoff_http::handoff_trend::{MonthTimes, Trend, monthly};
use handoff_http::workflow::stats::Times;
use maud::{Markup, PreEscaped, html};
use serde::Deserialize;

#[derive(Deserialize, Default)]
pub struct TrendQuery {
    from: Option<String>,
    to: Option<String>,
}

const W: f64 = 360.0;
const H: f64 = 220.0;
const LEFT: f64 = 40.0;
const RIGHT: f64 = 10.0;
const TOP: f64 = 12.0;
const BOTTOM: f64 = 30.0;

/// One line of the chart: (name, colour, dashed, the value of each month).
type Series<'a> = (&'a str, &'a str, bool, Vec<Option<f64>>);

fn series(months: &[MonthTimes]) -> Vec<Series<'static>> {
    let pick = |f: fn(&MonthTimes) -> Option<&Times>, median: bool| {
        months
            .iter()
            .map(|m| {
                f(m).map(|t| {
                    if median {
                        t.median_minutes
                    } else {
                        t.p90_minutes
                    }
                })
            })
            .collect()
    };
    vec![
        (
            "Referral to accepted, median",
            "#0b4f9c",
            false,
            pick(|m| m.to_accept.as_ref(), true),
        ),
        (
            "Referral to accepted, 90th percentile",
            "#0b4f9c",
            true,
            pick(|m| m.to_accept.as_ref(), false),
        ),
        (
            "Referral to arrived, median",
            "#b35c00",
            false,
            pick(|m| m.to_arrival.as_ref(), true),
        ),
        (
            "Referral to arrived, 90th percentile",
            "#b35c00",
            true,
            pick(|m| m.to_arrival.as_ref(), false),
        ),
    ]
}

/// A round top for the minutes axis.
fn axis_top(max: f64) -> f64 {
    let steps = [
        10.0, 15.0, 20.0, 30.0, 45.0, 60.0, 90.0, 120.0, 180.0, 240.0, 360.0, 480.0, 720.0, 1440.0,
    ];
    steps
        .iter()
        .copied()
        .find(|s| *s >= max)
        .unwrap_or((max / 1440.0).ceil() * 1440.0)
}

fn chart(t: &Trend) -> Markup {
    let lines = series(&t.months);
    let max = lines
        .iter()
        .flat_map(|(_, _, _, v)| v.iter().flatten().copied())
        .fold(f64::from(t.target_minutes), f64::max);
    let top = axis_top(max);
    let n = t.months.len().max(1);
    let step = (W - LEFT - RIGHT) / n as f64;
    let x = |i: usize| LEFT + step * (i as f64 + 0.5);
    let y = |v: f64| TOP + (H - TOP - BOTTOM) * (1.0 - v / top);
    let mut svg = String::new();
    // Grid and the minutes axis.
    for k in 0..=4 {
        let v = top * f64::from(k) / 4.0;
        svg.push_str(&format!(
            r##"<line x1="{LEFT}" x2="{}" y1="{y:.1}" y2="{y:.1}" stroke="#d5d9e0"/><text x="{}" y="{:.1}" font-size="10" text-anchor="end" fill="#333">{v:.0}</text>"##,
            W - RIGHT,
            LEFT - 4.0,
            y(v) + 3.0,
            y = y(v),
        ));
    }
    // The target.
    let ty = y(f64::from(t.target_minutes));
    svg.push_str(&format!(
        r##"<line x1="{LEFT}" x2="{}" y1="{ty:.1}" y2="{ty:.1}" stroke="#14602b" stroke-width="1.5" stroke-dasharray="2 3"/>"##,
        W - RIGHT
    ));
    // Month labels (every other one when there are many).
    let every = n.div_ceil(8);
    for (i, m) in t.months.iter().enumerate() {
        if i % every == 0 {
            svg.push_str(&format!(
                r##"<text x="{:.1}" y="{}" font-size="10" text-anchor="middle" fill="#333">{}</text>"##,
                x(i),
                H - BOTTOM + 14.0,
                &m.month[2..]
            ));
        }
    }
    // The lines: a path through the months that have a value, a dot on each.
    for (name, colour, dashed, values) in &lines {
        let mut d = String::new();
        let mut pen_up = true;
        for (i, v) in values.iter().enumerate() {
            match v {
                Some(v) => {
                    d.push_str(&format!(
                        "{}{:.1} {:.1} ",
                        if pen_up { "M" } else { "L" },
                        x(i),
                        y(*v)
                    ));
                    pen_up = false;
                }
                None => pen_up = true,
            }
        }
        let dash = if *dashed {
            r#" stroke-dasharray="6 4""#
        } else {
            ""
        };
        svg.push_str(&format!(
            r##"<path d="{}" fill="none" stroke="{colour}" stroke-width="2"{dash} data-series="{name}"/>"##,
            d.trim()
        ));
        for (i, v) in values.iter().enumerate() {
            if let Some(v) = v {
                svg.push_str(&format!(
                    r##"<circle cx="{:.1}" cy="{:.1}" r="3" fill="{colour}"/>"##,
                    x(i),
                    y(*v)
                ));
            }
        }
    }
    html! {
        figure.chart {
            svg viewBox=(format!("0 0 {W} {H}")) width="100%" role="img" aria-labelledby="chart-title chart-desc" xmlns="http://www.w3.org/2000/svg" {
                title id="chart-title" { "Hand-off times by month, in minutes" }
                desc id="chart-desc" { "Median and 90th percentile, referral to accepted and referral to arrived, from " (t.from) " to " (t.to) "; the dotted green line is the target of " (t.target_minutes) " minutes. The table below gives every figure." }
                (PreEscaped(svg))
            }
            figcaption {
                ul.legend {
                    @for (i, (name, _, _, _)) in lines.iter().enumerate() {
                        li { span class=(format!("swatch sw{i}")) {} " " (name) }
                    }
                    li { span.swatch.swt {} " Target (" (t.target_minutes) " min)" }
                }
            }
        }
    }
}

fn cell(t: Option<&Times>, median: bool) -> Markup {
    html! {
        td { @match t { Some(t) => { (format!("{:.0}", if median { t.median_minutes } else { t.p90_minutes })) " min" } None => { "—" } } }
    }
}

fn range_form(from: &str, to: &str) -> Markup {
    html! {
        form.filters method="get" action="/supervisor/handoff-times" {
            div.two {
                div { label for="from" { "From (month)" } input id="from" name="from" type="month" value=(from); }
                div { label for="to" { "To (month)" } input id="to" name="to" type="month" value=(to); }
            }
            button type="submit" { "Show" }
        }
    }
}

pub async fn page(
    State(state): State<AppState>,
    Signed(auth): Signed,
    Query(q): Query<TrendQuery>,
) -> PageResult {
    let trend = monthly(&state, &auth, q.from.as_deref(), q.to.as_deref()).await;
    let (trend, err) = match trend {
        Ok(t) => (t, None),
        Err(e @ AppError::BadRequest { .. }) => {
            (monthly(&state, &auth, None, None).await?, Some(e))
        }
        Err(e) => return Err(e.into()),
    };
    let status = if err.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let body = html! {
        h1 { "Hand-off times" }
        p.meta { "Each month's referrals: how long until a case manager accepted, and until they arrived. The median is the middle hand-off; the 90th percentile is the time nine in ten hand-offs beat." }
        @if let Some(e) = &err { (problem(e)) }
        (range_form(q.from.as_deref().filter(|_| err.is_none()).unwrap_or(&trend.from), q.to.as_deref().filter(|_| err.is_none()).unwrap_or(&trend.to)))
        section.card aria-labelledby="chart-h" {
            h2 id="chart-h" { "Trend, " (trend.from) " to " (trend.to) }
            (chart(&trend))
        }
        section.card aria-labelledby="table-h" {
            h2 id="table-h" { "Table" }
            div.scroll tabindex="0" role="region" aria-labelledby="table-h" {
                table {
                    thead {
                        tr { th scope="col" rowspan="2" { "Month" } th scope="col" rowspan="2" { "Referrals" } th scope="colgroup" colspan="2" { "Referral to accepted" } th scope="colgroup" colspan="2" { "Accepted to arrived" } th scope="colgroup" colspan="2" { "Referral to arrived" } }
                        tr { th scope="col" { "Median" } th scope="col" { "90th" } th scope="col" { "Median" } th scope="col" { "90th" } th scope="col" { "Median" } th scope="col" { "90th" } }
                    }
                    tbody {
                        @for m in &trend.months {
                            tr {
                                th scope="row" { (m.month) } td { (m.referrals) }
                                (cell(m.to_accept.as_ref(), true)) (cell(m.to_accept.as_ref(), false))
                                (cell(m.accept_to_arrival.as_ref(), true)) (cell(m.accept_to_arrival.as_ref(), false))
                                (cell(m.to_arrival.as_ref(), true)) (cell(m.to_arrival.as_ref(), false))
                            }
                        }
                    }
                }
            }
        }
        p { a href="/supervisor" { "Back to the supervisor's page" } }
    };
    Ok((status, layout("Hand-off times", Some(&auth), body)).into_response())
}
