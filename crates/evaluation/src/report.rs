//! The HTML report: plain-language findings first, then figures and tables.
//!
//! One self-contained page (inline CSS and SVG, no scripts, no external
//! assets), readable on a phone and printable. [`render_equity_section`] gives
//! the racial-equity part alone, for roles that may see only that.

use std::fmt::Write;

use crate::results::{
    CoefTable, GeeResult, IpwOutcome, IpwResult, LogisticResult, OddsRatio, RaceRow, RateRatio,
    Results,
};
use crate::svg::{self, esc, money};

/// The report's stylesheet (screen, phone and print).
pub const REPORT_CSS: &str = "\
:root{color-scheme:light}\
body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;line-height:1.5;color:#1d1d1d;background:#fff;margin:0}\
main{max-width:52rem;margin:0 auto;padding:1rem 1.1rem 3rem}\
h1{font-size:1.6rem;margin:.6rem 0 .2rem}h2{font-size:1.25rem;margin-top:2.2rem;border-bottom:2px solid #1f5f99;padding-bottom:.2rem}\
h3{font-size:1.05rem;margin-top:1.4rem}\
.lede{color:#444;margin-top:0}\
ul.findings{padding-left:1.1rem}ul.findings li{margin:.55rem 0}\
figure{margin:1.2rem 0;padding:0}figure svg{width:100%;height:auto;display:block}\
figcaption{font-size:.9rem;color:#444;margin-top:.4rem}\
.table-wrap{overflow-x:auto;-webkit-overflow-scrolling:touch}\
table{border-collapse:collapse;font-size:.9rem;margin:.6rem 0;min-width:100%}\
th,td{padding:.3rem .55rem;border-bottom:1px solid #ddd;text-align:right;white-space:nowrap}\
th:first-child,td:first-child{text-align:left}thead th{border-bottom:2px solid #999}\
.note{font-size:.88rem;color:#555}.warn{background:#fff4e5;border-left:4px solid #b8560b;padding:.5rem .8rem}\
@media (max-width:40rem){body{font-size:15px}main{padding:.7rem}}\
@media print{body{font-size:10.5pt}main{max-width:none;padding:0}h2{break-after:avoid}\
figure,table,.finding{break-inside:avoid}a{color:inherit;text-decoration:none}.table-wrap{overflow:visible}}";

fn p_text(p: f64) -> String {
    if p < 0.001 {
        "p < 0.001".into()
    } else {
        format!("p = {:.3}", p)
    }
}

fn significance(p: f64) -> &'static str {
    if p < 0.05 {
        ""
    } else {
        "; not statistically significant at the 5% level"
    }
}

fn ratio(v: f64) -> String {
    format!("{v:.2}")
}

fn pct_words(ratio: f64, more: &str, less: &str) -> String {
    if ratio >= 1.0 {
        format!("{:.0}% {more}", (ratio - 1.0) * 100.0)
    } else {
        format!("{:.0}% {less}", (1.0 - ratio) * 100.0)
    }
}

fn or_ci(b: &OddsRatio) -> String {
    format!(
        "odds ratio {}, 95% CI {}–{}; {}",
        ratio(b.or),
        ratio(b.ci_low),
        ratio(b.ci_high),
        p_text(b.p)
    )
}

/// "N% higher/lower odds" for a finding's headline.
fn odds_words(b: &OddsRatio) -> String {
    pct_words(b.or, "higher odds", "lower odds")
}

/// An odds ratio's interval and p-value, with the caveat when not significant.
fn odds_detail(b: &OddsRatio) -> String {
    format!("{}{}", or_ci(b), significance(b.p))
}

fn irr_ci(b: &RateRatio) -> String {
    format!(
        "rate ratio {}, 95% CI {}–{}; {}",
        ratio(b.irr),
        ratio(b.ci_low),
        ratio(b.ci_high),
        p_text(b.p)
    )
}

fn findings(r: &Results) -> Vec<String> {
    let mut f = Vec::new();
    if let Some(m) = &r.recidivism_6m {
        f.push(format!(
            "LEAD participants had <strong>{} of arrest</strong> in the six months after referral than the comparison group \
             ({}), taking prior arrests, age and sex into account.",
            odds_words(&m.group_lead),
            odds_detail(&m.group_lead)
        ));
    }
    if let Some(m) = &r.felony_followup {
        f.push(format!(
            "They had <strong>{} of a felony charge</strong> during follow-up ({}).",
            odds_words(&m.group_lead),
            odds_detail(&m.group_lead)
        ));
    }
    if let Some(w) = &r.ipw {
        f.push(ipw_finding(w));
    }
    if let Some(m) = &r.arrest_rate {
        let b = &m.group_lead;
        f.push(format!(
            "Their <strong>arrest rate</strong> after the index date was <strong>{}</strong> ({}{}).",
            pct_words(b.irr, "higher", "lower"),
            irr_ci(b),
            significance(b.p)
        ));
    }
    for (g, what) in [
        (&r.housing_gee, "housed"),
        (&r.employment_gee, "employed"),
        (&r.income_gee, "receiving income or benefits"),
    ] {
        if let Some(g) = g {
            f.push(format!(
                "In the months after referral, participants had <strong>{} of being {what}</strong> than in the months before \
                 ({}).",
                odds_words(&g.group_post),
                odds_detail(&g.group_post)
            ));
        }
    }
    if let Some(s) = &r.survival_first_arrest {
        let med = |m: Option<f64>| {
            m.map_or("more than the follow-up".to_string(), |d| {
                format!("{d:.0} days")
            })
        };
        let lr = s
            .logrank
            .as_ref()
            .map(|l| format!(" (log-rank {})", p_text(l.p)))
            .unwrap_or_default();
        f.push(format!(
            "Half of LEAD participants were re-arrested within <strong>{}</strong>, against {} in the comparison group{lr}; \
             after one year {:.0}% of LEAD participants and {:.0}% of the comparison group had not been re-arrested.",
            med(s.lead.median),
            med(s.control.median),
            s.lead.surv.get("365").copied().unwrap_or(f64::NAN) * 100.0,
            s.control.surv.get("365").copied().unwrap_or(f64::NAN) * 100.0
        ));
    }
    let c = &r.cost_change;
    if let (Some(a), Some(b), Some(did)) = (c.lead.mean_change, c.control.mean_change, c.did) {
        let dir = |v: f64| if v < 0.0 { "fell" } else { "rose" };
        let ci = c
            .welch
            .as_ref()
            .map(|w| {
                format!(
                    " (95% CI {} to {}; {})",
                    money(w.ci_low),
                    money(w.ci_high),
                    p_text(w.p)
                )
            })
            .unwrap_or_default();
        f.push(format!(
            "Justice-system costs <strong>{} by {}</strong> per LEAD participant from the year before to the year after, \
             while they {} by {} per comparison-group member: a difference-in-differences of <strong>{}</strong> per person{ci}.",
            dir(a),
            money(a.abs()),
            dir(b),
            money(b.abs()),
            money(did)
        ));
    }
    f
}

/// One race as shown: values hidden by small-cell suppression are `None`.
struct ShownRace {
    race: String,
    is_reference: bool,
    n: Option<u64>,
    diverted: Option<u64>,
    rate: Option<f64>,
    rri: Option<f64>,
    ci: Option<(f64, f64)>,
}

/// The equity rows, with cells (diverted, not diverted) under `min_cell` suppressed
/// together with everything derived from them; a suppressed reference row hides
/// every RRI (each would reveal the reference rate).
fn shown_races(r: &Results, min_cell: Option<u64>) -> Vec<ShownRace> {
    let e = &r.equity_rri;
    let small =
        |row: &RaceRow| min_cell.is_some_and(|m| row.diverted < m || row.n - row.diverted < m);
    let reference_hidden = e.races.get(&e.reference).is_some_and(small);
    e.races
        .iter()
        .map(|(race, row)| {
            let hidden = small(row);
            let ratio_hidden = hidden || reference_hidden;
            ShownRace {
                race: race.clone(),
                is_reference: race == &e.reference,
                n: min_cell.is_none_or(|m| row.n >= m).then_some(row.n),
                diverted: (!hidden).then_some(row.diverted),
                rate: (!hidden).then_some(row.rate),
                rri: if ratio_hidden { None } else { row.rri },
                ci: if ratio_hidden {
                    None
                } else {
                    row.ci_low.zip(row.ci_high)
                },
            }
        })
        .collect()
}

fn equity_finding(r: &Results, min_cell: Option<u64>) -> String {
    let e = &r.equity_rri;
    let parts: Vec<String> = shown_races(r, min_cell)
        .iter()
        .filter(|row| !row.is_reference)
        .filter_map(|row| {
            let (rri, (lo, hi)) = row.rri.zip(row.ci)?;
            Some(format!(
                "{} for {} arrestees (95% CI {}–{})",
                ratio(rri),
                esc(&row.race),
                ratio(lo),
                ratio(hi)
            ))
        })
        .collect();
    let chi = e
        .chi2
        .as_ref()
        .map(|c| {
            format!(
                " A chi-square test of diversion by race gives {}.",
                p_text(c.p)
            )
        })
        .unwrap_or_default();
    format!(
        "Of {} diversion-eligible arrests, {} were diverted to LEAD. Measured against the rate for {} arrestees \
         (relative rate index, 1 = the same rate), diversion was {}.{chi}",
        thousands(e.n),
        e.overall_rate
            .map_or("an unknown share".into(), |v| format!("{:.1}%", v * 100.0)),
        esc(&e.reference),
        if parts.is_empty() {
            "not estimable".to_string()
        } else {
            parts.join(", ")
        }
    )
}

fn thousands(n: u64) -> String {
    money(n as f64).trim_start_matches('$').to_string()
}

fn coef_table(t: &CoefTable, exp_label: &str) -> String {
    let mut s = format!(
        "<div class=\"table-wrap\" tabindex=\"0\"><table><thead><tr><th>Term</th><th>Coefficient</th><th>SE</th><th>{exp_label}</th>\
         <th>p</th></tr></thead><tbody>"
    );
    for term in &t.terms {
        let (b, e, pv) = (t.coef[term], t.se[term], t.p[term]);
        let _ = write!(
            s,
            "<tr><td>{}</td><td>{b:.4}</td><td>{e:.4}</td><td>{:.3}</td><td>{}</td></tr>",
            esc(term),
            b.exp(),
            if pv < 0.001 {
                "&lt; 0.001".into()
            } else {
                format!("{pv:.3}")
            }
        );
    }
    s + "</tbody></table></div>"
}

fn logistic_section(title: &str, m: &LogisticResult) -> String {
    format!(
        "<h3>{}</h3>{}<p class=\"note\">Logistic regression (maximum likelihood), n = {}, {} with the outcome; \
         model-based standard errors; Wald 95% intervals.</p>",
        esc(title),
        coef_table(&m.model.table, "Odds ratio"),
        m.model.n,
        m.model.n_events
    )
}

fn gee_row(label: &str, g: &GeeResult) -> String {
    let b = &g.group_post;
    format!(
        "<tr><td>{label}</td><td>{}</td><td>{}</td><td>{}</td><td>{} ({}–{})</td><td>{:.3}</td><td>{}</td></tr>",
        g.n_clusters,
        g.n_obs,
        g.n_events,
        ratio(b.or),
        ratio(b.ci_low),
        ratio(b.ci_high),
        g.exchangeable_corr,
        p_text(b.p)
    )
}

/// Plain words for a covariate of the propensity model.
fn covariate_label(term: &str) -> String {
    match term {
        "age_at_index" => "Age (years)".into(),
        "male" => "Male".into(),
        "prior_arrests_2y" => "Arrests in the 2 years before".into(),
        "prior_felony_2y" => "Felony charges in the 2 years before".into(),
        t => t
            .strip_prefix("race_")
            .map_or(t.to_string(), |r| format!("Race: {r}")),
    }
}

fn ipw_outcomes(w: &IpwResult) -> [(&'static str, Option<&IpwOutcome>); 2] {
    [
        ("arrest within six months", w.recidivism_6m.as_ref()),
        (
            "a felony charge during follow-up",
            w.felony_followup.as_ref(),
        ),
    ]
}

fn ipw_finding(w: &IpwResult) -> String {
    let parts: Vec<String> = ipw_outcomes(w)
        .into_iter()
        .filter_map(|(what, m)| {
            let b = &m?.group_lead;
            Some(format!(
                "<strong>{} of {what}</strong> ({})",
                odds_words(b),
                odds_detail(b)
            ))
        })
        .collect();
    if parts.is_empty() {
        return "The propensity-weighted comparison could not be estimated for these data (see the warnings)."
            .into();
    }
    format!(
        "When the comparison group is weighted to resemble LEAD participants in age, sex, race and prior \
         arrests and felony charges (propensity-score weighting), LEAD participants had {}.",
        parts.join(" and ")
    )
}

/// A standardised difference to three decimals ("0.000", never "-0.000").
fn smd(v: Option<f64>) -> String {
    v.map_or("—".into(), |v| {
        format!("{:.3}", if v.abs() < 5e-4 { 0.0 } else { v })
    })
}

fn ipw_section(r: &Results) -> String {
    let mut s = String::from(
        "<section id=\"weighting\"><h2>Comparing like with like: propensity-score weighting</h2>",
    );
    let Some(w) = &r.ipw else {
        let why = r
            .meta
            .warnings
            .iter()
            .find_map(|m| m.strip_prefix("ipw: not estimated: "))
            .unwrap_or("see the warnings above");
        let _ = write!(
            s,
            "<p class=\"finding\">This comparison was not estimated for these data: {}.</p></section>",
            esc(why)
        );
        return s;
    };
    let b = &w.balance;
    let _ = write!(
        s,
        "<p class=\"finding\">{} Each person is weighted by how unlikely their group was given their \
         characteristics, so that the two groups look alike before their outcomes are compared. The largest \
         standardised difference between the groups in these characteristics was {} before weighting and {} \
         after (differences below 0.1 are usually taken as balanced).</p>",
        ipw_finding(w),
        smd(b.max_abs_smd_before),
        smd(b.max_abs_smd_after)
    );
    s += "<h3>Balance of the groups before and after weighting</h3><div class=\"table-wrap\" tabindex=\"0\"><table><thead><tr>\
          <th>Characteristic</th><th>LEAD mean</th><th>Comparison mean</th><th>Standardised difference</th>\
          <th>LEAD mean, weighted</th><th>Comparison mean, weighted</th><th>Standardised difference, weighted</th>\
          </tr></thead><tbody>";
    for t in &b.terms {
        let _ = write!(
            s,
            "<tr><td>{}</td><td>{:.3}</td><td>{:.3}</td><td>{}</td><td>{:.3}</td><td>{:.3}</td><td>{}</td></tr>",
            esc(&covariate_label(t)),
            b.mean_lead[t],
            b.mean_control[t],
            smd(b.smd_before[t]),
            b.wmean_lead[t],
            b.wmean_control[t],
            smd(b.smd_after[t])
        );
    }
    s += "</tbody></table></div>";
    s += "<h3>Outcomes before and after weighting</h3><div class=\"table-wrap\" tabindex=\"0\"><table><thead><tr><th>Outcome</th>\
          <th>Odds ratio, unweighted (95% CI)</th><th>Odds ratio, weighted (95% CI)</th><th>p, weighted</th>\
          <th>Weighted risk, LEAD</th><th>Weighted risk, comparison</th></tr></thead><tbody>";
    for (what, m) in ipw_outcomes(w) {
        let Some(m) = m else {
            let _ = write!(
                s,
                "<tr><td>{}</td><td colspan=\"5\">not estimated (see the warnings)</td></tr>",
                esc(what)
            );
            continue;
        };
        let (u, g) = (&m.unweighted.group_lead, &m.group_lead);
        let _ = write!(
            s,
            "<tr><td>{}</td><td>{} ({}–{})</td><td>{} ({}–{})</td><td>{}</td><td>{:.1}%</td><td>{:.1}%</td></tr>",
            esc(what),
            ratio(u.or),
            ratio(u.ci_low),
            ratio(u.ci_high),
            ratio(g.or),
            ratio(g.ci_low),
            ratio(g.ci_high),
            p_text(g.p),
            m.risk_lead * 100.0,
            m.risk_control * 100.0
        );
    }
    let (wl, wc) = (&w.weights.lead, &w.weights.control);
    let _ = write!(
        s,
        "</tbody></table></div><p class=\"note\">Propensity score: logistic regression of being in LEAD on age, sex, \
         race (reference White) and prior arrests and felony charges, n = {} ({} LEAD, {} comparison). Stabilised \
         inverse-probability weights, not trimmed: LEAD {:.2}–{:.2} (effective sample size {:.1} of {}), comparison \
         {:.2}–{:.2} ({:.1} of {}). Weighted logistic regressions of each outcome on group, with robust (HC0 \
         sandwich) standard errors that treat the weights as known; Wald 95% intervals. Standardised differences \
         use the unweighted pooled standard deviation before and after weighting.</p></section>",
        thousands(w.n),
        thousands(w.n_lead),
        thousands(w.n_control),
        wl.min,
        wl.max,
        wl.ess,
        thousands(wl.n),
        wc.min,
        wc.max,
        wc.ess,
        thousands(wc.n)
    );
    s
}

/// The racial-equity section alone (an HTML fragment), with every count.
pub fn render_equity_section(r: &Results) -> String {
    equity_section(r, None)
}

/// The racial-equity section for roles that see aggregates only (oversight):
/// cells (diverted or not diverted, per race) under `min_cell` are suppressed
/// with everything derived from them.
pub fn render_equity_section_suppressed(r: &Results, min_cell: u64) -> String {
    equity_section(r, Some(min_cell))
}

fn equity_section(r: &Results, min_cell: Option<u64>) -> String {
    let e = &r.equity_rri;
    let shown = shown_races(r, min_cell);
    let rows: Vec<svg::ForestRow> = shown
        .iter()
        .map(|row| svg::ForestRow {
            label: row.race.clone(),
            estimate: row.rri,
            low: row.ci.map(|c| c.0),
            high: row.ci.map(|c| c.1),
        })
        .collect();
    let mut s = String::from("<section id=\"equity\"><h2>Racial equity of diversion</h2>");
    let _ = write!(
        s,
        "<p class=\"finding\">{}</p>",
        equity_finding(r, min_cell)
    );
    let suppression = min_cell
        .map(|m| {
            format!(
                " Counts under {m}, and the rates and indices derived from them, are suppressed."
            )
        })
        .unwrap_or_default();
    let _ = write!(
        s,
        "<figure>{}<figcaption>Relative rate index (RRI) of diversion by race: each group's share of eligible arrests \
         diverted, divided by the share for {} arrestees (squares), with 95% intervals on the log scale (Katz method, \
         z = 1.96). n = {} eligible arrests.{suppression}</figcaption></figure>",
        svg::forest_plot(&rows),
        esc(&e.reference),
        thousands(e.n)
    );
    s += "<div class=\"table-wrap\" tabindex=\"0\"><table><thead><tr><th>Race</th><th>Eligible arrests</th><th>Diverted</th>\
          <th>Rate</th><th>RRI</th><th>95% CI</th></tr></thead><tbody>";
    let hidden = "<span title=\"suppressed: small cell\">—</span>";
    for row in &shown {
        let ci = match row.ci {
            Some((a, b)) => format!("{}–{}", ratio(a), ratio(b)),
            None if row.is_reference => "reference".into(),
            None => hidden.into(),
        };
        let _ = write!(
            s,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{ci}</td></tr>",
            esc(&row.race),
            row.n.map_or(hidden.to_string(), thousands),
            row.diverted.map_or(hidden.to_string(), thousands),
            row.rate
                .map_or(hidden.to_string(), |v| format!("{:.1}%", v * 100.0)),
            row.rri.map_or(hidden.to_string(), ratio)
        );
    }
    s += "</tbody></table></div>";
    if let Some(c) = &e.chi2 {
        let _ = write!(
            s,
            "<p class=\"note\">Chi-square test of independence of race and diversion (no continuity correction): \
             χ² = {:.2}, {} degrees of freedom, {}.</p>",
            c.statistic,
            c.dof,
            p_text(c.p)
        );
    }
    s + "</section>"
}

/// The whole report as one HTML page.
pub fn render_report(r: &Results) -> String {
    format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>LEAD outcome evaluation</title><style>{REPORT_CSS}</style></head><body><main>{}</main></body></html>",
        render_report_body(r)
    )
}

/// The report's content without the page around it, for embedding in another
/// page that includes [`REPORT_CSS`].
pub fn render_report_body(r: &Results) -> String {
    let m = &r.meta;
    let mut s = String::new();
    let _ = write!(
        s,
        "<h1>LEAD outcome evaluation</h1>\
         <p class=\"lede\">{} LEAD participants and {} people in the comparison group; study end {}.</p>",
        m.n_lead,
        m.n_control,
        esc(&m.study_end)
    );
    s += "<section id=\"findings\"><h2>What we found</h2><ul class=\"findings\">";
    for f in findings(r) {
        let _ = write!(s, "<li class=\"finding\">{f}</li>");
    }
    let _ = write!(
        s,
        "<li class=\"finding\">{}</li></ul>",
        equity_finding(r, None)
    );
    s += "<p class=\"note\">Odds and rate ratios below 1 mean fewer arrests or charges for LEAD participants. \
          A 95% confidence interval that contains 1 means the data are also consistent with no difference.</p>";
    if !m.warnings.is_empty() {
        s += "<div class=\"warn\"><strong>Warnings from the analysis</strong><ul>";
        for w in &m.warnings {
            let _ = write!(s, "<li>{}</li>", esc(w));
        }
        s += "</ul></div>";
    }
    s += "</section>";

    // re-arrest
    s += "<section id=\"rearrest\"><h2>Re-arrest and charges</h2>";
    if let Some(sv) = &r.survival_first_arrest {
        let fig = &r.figures;
        let _ = write!(
            s,
            "<figure>{}<figcaption>Share not yet re-arrested by days since the index date (Kaplan–Meier; follow-up \
             censored at two years or the study end). LEAD: n = {}, {} re-arrested; comparison: n = {}, {} re-arrested. \
             Numbers at risk below the axis.{}</figcaption></figure>",
            svg::km_chart(
                &fig.km_lead,
                &fig.km_control,
                &fig.km_risk_times,
                &fig.km_risk_lead,
                &fig.km_risk_control
            ),
            sv.lead.n,
            sv.lead.events,
            sv.control.n,
            sv.control.events,
            sv.logrank
                .as_ref()
                .map(|l| format!(" Log-rank test: χ² = {:.2}, {}.", l.statistic, p_text(l.p)))
                .unwrap_or_default()
        );
    }
    if let Some(mm) = &r.recidivism_6m {
        s += &logistic_section("Any arrest within six months", mm);
    }
    if let Some(mm) = &r.felony_followup {
        s += &logistic_section("Any felony charge during follow-up", mm);
    }
    if let Some(a) = &r.arrest_rate {
        let _ = write!(
            s,
            "<h3>Arrests per year of follow-up</h3>{}<p class=\"note\">Negative binomial regression (NB2, maximum \
             likelihood, observed-information standard errors), exposure = follow-up years, n = {}, {} arrests over {:.0} \
             person-years; dispersion α = {:.3} (SE {:.3}).{}</p>",
            coef_table(&a.table, "Rate ratio"),
            a.n,
            a.total_arrests,
            a.total_exposure_years,
            a.alpha,
            a.alpha_se,
            a.poisson
                .as_ref()
                .map(|p| format!(
                    " A Poisson model gives a LEAD rate ratio of {}.",
                    irr_ci(&p.group_lead)
                ))
                .unwrap_or_default()
        );
    }
    s += "</section>";
    s += &ipw_section(r);

    // monthly outcomes
    s += "<section id=\"stability\"><h2>Housing, employment and income</h2>";
    for (series, g) in
        r.figures
            .monthly
            .iter()
            .zip([&r.housing_gee, &r.employment_gee, &r.income_gee])
    {
        // The caption counts what is plotted: the person-months of the
        // series (the model's people only when it was estimated).
        let plotted: u64 = series.points.iter().map(|(_, _, n)| *n).sum();
        let counts = match g {
            Some(g) => format!(
                "{} participants, {} person-months with a recorded status (referral month left out)",
                g.n_clusters, g.n_obs
            ),
            None => format!(
                "{plotted} person-months with a recorded status (referral month left out); the before–after model could not be estimated from them"
            ),
        };
        let _ = write!(
            s,
            "<figure>{}<figcaption>Share of LEAD participants {} in each month before (grey) and after (blue) referral; \
             {counts}.</figcaption></figure>",
            svg::monthly_chart(&series.label, &series.points),
            esc(&series.label.to_lowercase())
        );
    }
    s += "<div class=\"table-wrap\" tabindex=\"0\"><table><thead><tr><th>Outcome</th><th>Participants</th><th>Person-months</th>\
          <th>With outcome</th><th>Odds ratio after vs before (95% CI)</th><th>Within-person correlation</th><th>p</th>\
          </tr></thead><tbody>";
    for (label, g) in [
        ("Housed", &r.housing_gee),
        ("Employed", &r.employment_gee),
        ("Income or benefits", &r.income_gee),
    ] {
        if let Some(g) = g {
            s += &gee_row(label, g);
        }
    }
    s += "</tbody></table></div><p class=\"note\">Generalised estimating equations (logistic, exchangeable working \
          correlation within person, robust sandwich standard errors), LEAD group only, each person compared with \
          themselves before and after referral.</p></section>";

    // costs
    let c = &r.cost_change;
    s += "<section id=\"costs\"><h2>Justice-system costs</h2>";
    if let (Some(lp), Some(la), Some(cp), Some(ca)) = (
        c.lead.mean_pre,
        c.lead.mean_post,
        c.control.mean_pre,
        c.control.mean_post,
    ) {
        let _ = write!(
            s,
            "<figure>{}<figcaption>Mean cost per person of arrests, charges, jail days and prison admissions in the year \
             before and the year after the index date. LEAD n = {}, comparison n = {}. Difference-in-differences \
             (LEAD change minus comparison change): {}{}.</figcaption></figure>",
            svg::cost_chart((lp, la), (cp, ca), c.did),
            c.lead.n,
            c.control.n,
            c.did.map(money).unwrap_or_default(),
            c.welch
                .as_ref()
                .map(|w| format!(
                    ", 95% CI {} to {} (Welch t-test, t = {:.2}, df = {:.1}, {})",
                    money(w.ci_low),
                    money(w.ci_high),
                    w.t,
                    w.df,
                    p_text(w.p)
                ))
                .unwrap_or_default()
        );
    }
    s += "<div class=\"table-wrap\" tabindex=\"0\"><table><thead><tr><th>Unit cost</th><th>USD</th></tr></thead><tbody>";
    for (item, v) in &c.unit_costs {
        let _ = write!(
            s,
            "<tr><td>{}</td><td>{v:.2}</td></tr>",
            esc(&item.replace('_', " "))
        );
    }
    s += "</tbody></table></div></section>";

    s += &render_equity_section(r);
    let _ = write!(
        s,
        "<section id=\"method\"><h2>About these figures</h2><p class=\"note\">Computed by Handoff from the site's own \
         records ({} participants, {} justice events, {} person-months, {} eligible arrests) following the LEAD evaluation \
         specification (modelled on the University of Washington LEAD evaluations). Wald intervals use z = 1.96 \
         (Φ⁻¹(0.975)).</p></section>",
        m.rows.participants, m.rows.events, m.rows.monthly, m.rows.eligible_arrests
    );
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_words() {
        assert_eq!(
            pct_words(0.42, "higher odds", "lower odds"),
            "58% lower odds"
        );
        assert_eq!(
            pct_words(1.91, "higher odds", "lower odds"),
            "91% higher odds"
        );
    }
}
