//! The analyses of SPEC §4–§7 and §11 (in `ipw`) on a loaded [`Dataset`].

use std::time::{Duration, Instant};

use handoff_stats::{
    self as stats, Family, Fit, FitWarning, GeeOptions, GlmOptions, KaplanMeier, ModelData,
    NegBinOptions, StatsError, Wald, Z975,
};
use indexmap::IndexMap;

use crate::data::{COST_ITEMS, Dataset, MONTH_MIN, Person, RACES};
use crate::results::*;

/// The literal z of the RRI interval (SPEC §7.5).
pub const RRI_Z: f64 = 1.96;
const SURV_TIMES: [u64; 4] = [90, 180, 365, 730];
const REFERENCE_RACE: usize = 1; // White

/// Wall time spent in each block of the evaluation.
pub type Timings = Vec<(String, Duration)>;

type Block<T> = (Option<T>, Vec<String>, Duration);

fn timed<T>(f: impl FnOnce(&mut Vec<String>) -> Result<T, StatsError>, label: &str) -> Block<T> {
    let t0 = Instant::now();
    let mut warnings = Vec::new();
    let out = match f(&mut warnings) {
        Ok(v) => Some(v),
        Err(e) => {
            warnings.push(format!("{label}: not estimated: {e}"));
            None
        }
    };
    (out, warnings, t0.elapsed())
}

fn timed_total<T>(f: impl FnOnce(&mut Vec<String>) -> T) -> (T, Vec<String>, Duration) {
    let t0 = Instant::now();
    let mut warnings = Vec::new();
    let out = f(&mut warnings);
    (out, warnings, t0.elapsed())
}

pub(crate) fn warn_all(out: &mut Vec<String>, ws: &[FitWarning]) {
    out.extend(ws.iter().map(ToString::to_string));
}

fn term_map(names: &[&str], values: impl IntoIterator<Item = f64>) -> TermMap {
    names.iter().map(|n| n.to_string()).zip(values).collect()
}

pub(crate) fn table(names: &[&str], w: &[Wald]) -> CoefTable {
    CoefTable {
        terms: names.iter().map(|s| s.to_string()).collect(),
        coef: term_map(names, w.iter().map(|w| w.coef)),
        se: term_map(names, w.iter().map(|w| w.se)),
        z: term_map(names, w.iter().map(|w| w.z)),
        p: term_map(names, w.iter().map(|w| w.p)),
    }
}

pub(crate) fn odds_ratio(w: Wald, pct: bool) -> OddsRatio {
    let (lo, hi) = w.ratio_ci(Z975);
    let or = w.coef.exp();
    OddsRatio {
        coef: w.coef,
        se: w.se,
        z: w.z,
        p: w.p,
        or,
        ci_low: lo,
        ci_high: hi,
        pct_change_odds: pct.then_some((or - 1.0) * 100.0),
    }
}

fn rate_ratio(w: Wald) -> RateRatio {
    let (lo, hi) = w.ratio_ci(Z975);
    RateRatio {
        coef: w.coef,
        se: w.se,
        z: w.z,
        p: w.p,
        irr: w.coef.exp(),
        ci_low: lo,
        ci_high: hi,
    }
}

fn design(persons: &[Person], cols: &[fn(&Person) -> f64]) -> Vec<f64> {
    let mut x = Vec::with_capacity(persons.len() * (cols.len() + 1));
    for p in persons {
        x.push(1.0);
        x.extend(cols.iter().map(|c| c(p)));
    }
    x
}

fn lead(p: &Person) -> f64 {
    f64::from(u8::from(p.lead))
}
fn male(p: &Person) -> f64 {
    f64::from(u8::from(p.male))
}
fn age(p: &Person) -> f64 {
    p.age as f64
}
fn prior_arrests(p: &Person) -> f64 {
    f64::from(p.prior_arrests_2y)
}

/// A 0/1 outcome column.
pub(crate) fn indicator(persons: &[Person], outcome: fn(&Person) -> bool) -> Vec<f64> {
    persons
        .iter()
        .map(|p| f64::from(u8::from(outcome(p))))
        .collect()
}

/// Terms of the models adjusted for prior arrests, age and sex (recidivism, arrest rate).
const ARREST_TERMS: [&str; 5] = [
    "intercept",
    "group_lead",
    "prior_arrests_2y",
    "age_at_index",
    "male",
];
/// The design columns of [`ARREST_TERMS`] after the intercept.
const ARREST_COLUMNS: [fn(&Person) -> f64; 4] = [lead, prior_arrests, age, male];

pub(crate) const GLM_REFERENCE: GlmOptions = GlmOptions {
    max_iter: 100,
    tol: 1e-12,
};

/// Fits a logistic regression (SPEC §4.3) and summarises it; the fit, with
/// its warnings, and the Wald rows are returned for the caller to use.
pub(crate) fn logistic_fit(
    names: &[&str],
    y: &[f64],
    x: &[f64],
) -> Result<(LogisticFit, Fit, Vec<Wald>), StatsError> {
    let data = ModelData::new(y, x, names.len())?;
    let f = stats::fit_glm(&data, Family::BinomialLogit, &GLM_REFERENCE)?;
    let w: Vec<Wald> = (0..names.len()).map(|j| f.fit.wald(j)).collect();
    let model = LogisticFit {
        n: y.len() as u64,
        n_events: y.iter().sum::<f64>() as u64,
        table: table(names, &w),
        loglike: f.loglike,
        deviance: f.deviance,
        iterations: f.fit.iterations as u64,
        converged: f.fit.converged,
    };
    Ok((model, f.fit, w))
}

fn logistic(
    names: &[&str],
    y: &[f64],
    x: &[f64],
    warnings: &mut Vec<String>,
) -> Result<LogisticResult, StatsError> {
    let (model, fit, w) = logistic_fit(names, y, x)?;
    warn_all(warnings, &fit.warnings);
    Ok(LogisticResult {
        model,
        group_lead: odds_ratio(w[1], true),
    })
}

fn recidivism(persons: &[Person], w: &mut Vec<String>) -> Result<LogisticResult, StatsError> {
    let y = indicator(persons, |p| p.y_arrest_6m);
    let x = design(persons, &ARREST_COLUMNS);
    logistic(&ARREST_TERMS, &y, &x, w)
}

fn felony(persons: &[Person], w: &mut Vec<String>) -> Result<LogisticResult, StatsError> {
    let names = [
        "intercept",
        "group_lead",
        "prior_felony_2y",
        "log_followup_days",
        "age_at_index",
        "male",
    ];
    let y = indicator(persons, |p| p.y_felony);
    let x = design(
        persons,
        &[
            lead,
            |p| f64::from(p.prior_felony_2y),
            |p| f64::from(p.followup_days).ln(),
            age,
            male,
        ],
    );
    logistic(&names, &y, &x, w)
}

fn arrest_rate(
    persons: &[Person],
    warnings: &mut Vec<String>,
) -> Result<ArrestRateResult, StatsError> {
    let names = ARREST_TERMS;
    let y: Vec<f64> = persons.iter().map(|p| f64::from(p.arrests_post)).collect();
    let x = design(persons, &ARREST_COLUMNS);
    let exposure: Vec<f64> = persons
        .iter()
        .map(|p| f64::from(p.followup_days) / 365.25)
        .collect();
    let offset: Vec<f64> = exposure.iter().map(|t| t.ln()).collect();
    let data = ModelData::new(&y, &x, names.len())?.with_offset(&offset)?;
    let nb = stats::fit_negbin2(
        &data,
        &NegBinOptions {
            max_iter: 100,
            tol: 1e-10,
        },
    )?;
    warn_all(warnings, &nb.fit.warnings);
    let w: Vec<Wald> = (0..names.len()).map(|j| nb.fit.wald(j)).collect();
    let t = table(&names, &w);
    let poisson = match stats::fit_glm(&data, Family::PoissonLog, &GLM_REFERENCE) {
        Ok(pf) => {
            warn_all(warnings, &pf.fit.warnings);
            let pw: Vec<Wald> = (0..names.len()).map(|j| pf.fit.wald(j)).collect();
            let pt = table(&names, &pw);
            Some(PoissonResult {
                n: y.len() as u64,
                table: pt,
                loglike: pf.loglike,
                deviance: pf.deviance,
                pearson_chi2: pf.pearson_chi2,
                iterations: pf.fit.iterations as u64,
                converged: pf.fit.converged,
                group_lead: rate_ratio(pw[1]),
            })
        }
        Err(e) => {
            warnings.push(format!("arrest_rate.poisson: not estimated: {e}"));
            None
        }
    };
    Ok(ArrestRateResult {
        n: y.len() as u64,
        total_arrests: y.iter().sum::<f64>() as u64,
        total_exposure_years: exposure.iter().sum(),
        table: t,
        alpha: nb.alpha,
        alpha_se: nb.alpha_se,
        loglike: nb.loglike,
        iterations: nb.fit.iterations as u64,
        converged: nb.fit.converged,
        max_abs_score: nb.max_abs_score,
        group_lead: rate_ratio(w[1]),
        poisson,
    })
}

fn gee(ds: &Dataset, slot: usize, warnings: &mut Vec<String>) -> Result<GeeResult, StatsError> {
    let names = ["intercept", "post"];
    let m = &ds.monthly[slot];
    let x: Vec<f64> = m.post.iter().flat_map(|p| [1.0, *p]).collect();
    let data = ModelData::new(&m.y, &x, 2)?;
    let f = stats::fit_gee_exchangeable_logit(
        &data,
        &m.bounds,
        &GeeOptions {
            max_iter: 60,
            ctol: 1e-6,
        },
    )?;
    warn_all(warnings, &f.warnings);
    let se = f.se_robust();
    let w: Vec<Wald> = (0..2).map(|j| Wald::new(f.coef[j], se[j])).collect();
    let t = table(&names, &w);
    Ok(GeeResult {
        n_obs: f.n_obs as u64,
        n_clusters: f.n_clusters as u64,
        n_events: m.y.iter().sum::<f64>() as u64,
        table: t,
        se_naive: term_map(&names, f.se_naive()),
        exchangeable_corr: f.rho,
        scale: f.scale,
        iterations: f.iterations as u64,
        converged: f.converged,
        score_norm: f.score_norm,
        dep_update_scale: f.dep_update_scale,
        exchangeable_corr_at_final_params: f.rho_at_final,
        group_post: odds_ratio(w[1], false),
        outcome: ["housed", "employed", "income_benefits"][slot].to_string(),
    })
}

struct SurvivalOut {
    result: SurvivalResult,
    km: [KaplanMeier; 2],
}

fn survival(persons: &[Person], _w: &mut Vec<String>) -> Result<SurvivalOut, StatsError> {
    let mut t = [Vec::new(), Vec::new()];
    let mut e = [Vec::new(), Vec::new()];
    for p in persons {
        let (time, event) = p.km();
        let g = usize::from(!p.lead);
        t[g].push(f64::from(time));
        e[g].push(event);
    }
    let km_lead = KaplanMeier::fit(&t[0], &e[0])?;
    let km_control = KaplanMeier::fit(&t[1], &e[1])?;
    let summary = |km: &KaplanMeier| KmSummary {
        n: km.n as u64,
        events: km.total_events as u64,
        surv: SURV_TIMES
            .iter()
            .map(|s| (s.to_string(), km.survival_at(*s as f64)))
            .collect(),
        median: km.median(),
    };
    let lr = stats::logrank_test(&t[0], &e[0], &t[1], &e[1])?;
    Ok(SurvivalOut {
        result: SurvivalResult {
            times: SURV_TIMES.to_vec(),
            lead: summary(&km_lead),
            control: summary(&km_control),
            logrank: Some(LogRankResult {
                statistic: lr.statistic,
                p: lr.p,
                df: u64::from(lr.df),
                observed_lead: lr.observed_a,
                expected_lead: lr.expected_a,
                variance: lr.variance,
            }),
        },
        km: [km_lead, km_control],
    })
}

fn cost_change(ds: &Dataset, warnings: &mut Vec<String>) -> CostChangeResult {
    let unit = &ds.unit_costs;
    // one pass: (pre, post) costs per group
    let mut costs: [Vec<(f64, f64)>; 2] = [Vec::new(), Vec::new()];
    for p in &ds.persons {
        costs[usize::from(!p.lead)].push((p.pre.cost(unit), p.post.cost(unit)));
    }
    let group = |g: &[(f64, f64)]| {
        let n = g.len();
        let change: Vec<f64> = g.iter().map(|(a, b)| b - a).collect();
        let mean =
            |f: fn(&(f64, f64)) -> f64| (n > 0).then(|| g.iter().map(f).sum::<f64>() / n as f64);
        let ms = stats::mean_sd(&change);
        let g = CostGroup {
            n: n as u64,
            mean_pre: mean(|c| c.0),
            mean_post: mean(|c| c.1),
            mean_change: (n > 0).then_some(ms.mean),
            sd_change: ms.sd,
        };
        (g, change)
    };
    let (lead, a) = group(&costs[0]);
    let (control, b) = group(&costs[1]);
    let did = lead
        .mean_change
        .zip(control.mean_change)
        .map(|(x, y)| x - y);
    let welch = match stats::welch_t_test(&a, &b, 0.95) {
        Ok(w) => Some(WelchResult {
            t: w.t,
            df: w.df,
            p: w.p,
            se: w.se,
            t_crit: w.t_crit,
            ci_low: w.ci_low,
            ci_high: w.ci_high,
        }),
        Err(e) => {
            warnings.push(format!("cost_change: Welch test not computed: {e}"));
            None
        }
    };
    CostChangeResult {
        unit_costs: COST_ITEMS
            .iter()
            .map(|s| s.to_string())
            .zip(unit.iter().copied())
            .collect(),
        lead,
        control,
        did,
        welch,
    }
}

fn equity(ds: &Dataset, warnings: &mut Vec<String>) -> EquityResult {
    let (n0, c) = ds.eligible[REFERENCE_RACE];
    let mut races = IndexMap::new();
    let mut table = Vec::new();
    for (i, name) in RACES.iter().enumerate() {
        let (n, a) = ds.eligible[i];
        if n == 0 {
            continue;
        }
        table.push(vec![a, n - a]);
        let rate = a as f64 / n as f64;
        let row = if i == REFERENCE_RACE {
            RaceRow {
                n,
                diverted: a,
                rate,
                rri: Some(1.0),
                se_log: None,
                ci_low: None,
                ci_high: None,
            }
        } else {
            let r = stats::relative_rate_index(a, n, c, n0, RRI_Z);
            RaceRow {
                n,
                diverted: a,
                rate,
                rri: r.rri,
                se_log: r.se_log,
                ci_low: r.ci_low,
                ci_high: r.ci_high,
            }
        };
        races.insert(name.to_string(), row);
    }
    let total: u64 = ds.eligible.iter().map(|r| r.0).sum();
    let diverted: u64 = ds.eligible.iter().map(|r| r.1).sum();
    if n0 == 0 || c == 0 {
        warnings
            .push("equity_rri: the reference race White has no diverted eligible arrests".into());
    }
    let chi2 = match stats::chi_square_independence(&table) {
        Ok(t) => Some(ChiSquareResult {
            statistic: t.statistic,
            dof: t.dof,
            p: t.p,
        }),
        Err(e) => {
            warnings.push(format!("equity_rri: chi-square test not computed: {e}"));
            None
        }
    };
    EquityResult {
        reference: RACES[REFERENCE_RACE].to_string(),
        races,
        n: total,
        overall_rate: (total > 0).then(|| diverted as f64 / total as f64),
        chi2,
    }
}

fn derived_sums(ds: &Dataset) -> DerivedSums {
    let sum = |f: &dyn Fn(&Person) -> u64| ByGroup {
        lead: ds.persons.iter().filter(|p| p.lead).map(f).sum(),
        control: ds.persons.iter().filter(|p| !p.lead).map(f).sum(),
    };
    let fsum = |f: &dyn Fn(&Person) -> f64| ByGroup {
        lead: ds.persons.iter().filter(|p| p.lead).map(f).sum(),
        control: ds.persons.iter().filter(|p| !p.lead).map(f).sum(),
    };
    let u = &ds.unit_costs;
    DerivedSums {
        y_arrest_6m: sum(&|p| u64::from(p.y_arrest_6m)),
        prior_arrests_2y: sum(&|p| u64::from(p.prior_arrests_2y)),
        y_felony: sum(&|p| u64::from(p.y_felony)),
        prior_felony_2y: sum(&|p| u64::from(p.prior_felony_2y)),
        followup_days: sum(&|p| p.followup_days as u64),
        arrests_post: sum(&|p| u64::from(p.arrests_post)),
        km_time: sum(&|p| p.km().0 as u64),
        km_event: sum(&|p| u64::from(p.km().1)),
        pre_arrests: sum(&|p| u64::from(p.pre.arrests)),
        pre_felony_charges: sum(&|p| u64::from(p.pre.felony_charges)),
        pre_misd_charges: sum(&|p| u64::from(p.pre.misd_charges)),
        pre_jail_days: sum(&|p| p.pre.jail_days),
        pre_prison: sum(&|p| u64::from(p.pre.prison)),
        post_arrests: sum(&|p| u64::from(p.post.arrests)),
        post_felony_charges: sum(&|p| u64::from(p.post.felony_charges)),
        post_misd_charges: sum(&|p| u64::from(p.post.misd_charges)),
        post_jail_days: sum(&|p| p.post.jail_days),
        post_prison: sum(&|p| u64::from(p.post.prison)),
        cost_pre: fsum(&|p| p.pre.cost(u)),
        cost_post: fsum(&|p| p.post.cost(u)),
    }
}

fn figures(ds: &Dataset, km: Option<&[KaplanMeier; 2]>) -> Figures {
    let steps = |k: &KaplanMeier| {
        let mut v = vec![(0.0, 1.0)];
        v.extend(
            k.times
                .iter()
                .zip(&k.survival)
                .zip(&k.events)
                .filter(|(_, d)| **d > 0)
                .map(|((t, s), _)| (*t, *s)),
        );
        v
    };
    let risk_times = vec![0, 90, 180, 365, 730];
    let risk = |k: &KaplanMeier| {
        risk_times
            .iter()
            .map(|t| k.at_risk_at(*t as f64) as u64)
            .collect::<Vec<_>>()
    };
    let labels = ["Housed", "Employed", "With income or benefits"];
    let outcomes = ["housed", "employed", "income_benefits"];
    Figures {
        km_lead: km.map(|k| steps(&k[0])).unwrap_or_default(),
        km_control: km.map(|k| steps(&k[1])).unwrap_or_default(),
        km_risk_lead: km.map(|k| risk(&k[0])).unwrap_or_default(),
        km_risk_control: km.map(|k| risk(&k[1])).unwrap_or_default(),
        km_risk_times: risk_times.clone(),
        monthly: (0..3)
            .map(|s| MonthlySeries {
                outcome: outcomes[s].into(),
                label: labels[s].into(),
                points: ds.monthly[s]
                    .by_month
                    .iter()
                    .enumerate()
                    .map(|(m, (n, k))| (m as i32 + MONTH_MIN, *n, *k))
                    .filter(|(m, n, _)| *m != 0 && *n > 0)
                    .collect(),
            })
            .collect(),
    }
}

fn meta(ds: &Dataset, warnings: Vec<String>) -> Meta {
    let n_lead = ds.persons.iter().filter(|p| p.lead).count() as u64;
    Meta {
        spec: "SPEC.md".into(),
        study_end: crate::data::study_end_string(ds),
        rows: Rows {
            participants: ds.rows_participants,
            events: ds.rows_events,
            monthly: ds.rows_monthly,
            eligible_arrests: ds.rows_eligible,
        },
        n_lead,
        n_control: ds.persons.len() as u64 - n_lead,
        z975: Z975,
        rri_z: RRI_Z,
        settings: Settings {
            glm: GlmSettings {
                method: "IRLS".into(),
                maxiter: 100,
                tol: 1e-12,
            },
            negbin: NegBinSettings {
                method: "newton".into(),
                maxiter: 100,
                tol: 1e-10,
                disp: 0,
            },
            gee: GeeSettings {
                maxiter: 60,
                ctol: 1e-6,
                params_niter: 1,
                first_dep_update: 0,
                cov_type: "robust".into(),
                ddof_scale: None,
                scaling_factor: 1.0,
            },
        },
        packages: [("handoff-evaluation", env!("CARGO_PKG_VERSION"))]
            .into_iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect(),
        warnings,
    }
}

/// Runs every analysis and assembles the results. The analyses run one after
/// another, each parallel inside (row chunks, clusters), so each block's wall
/// time is its own.
pub fn analyse(ds: &Dataset) -> (Results, Timings) {
    let p = &ds.persons;
    let rec = timed(|w| recidivism(p, w), "recidivism_6m");
    let fel = timed(|w| felony(p, w), "felony_followup");
    let rate = timed(|w| arrest_rate(p, w), "arrest_rate");
    let h = timed(|w| gee(ds, 0, w), "housing_gee");
    let e = timed(|w| gee(ds, 1, w), "employment_gee");
    let i = timed(|w| gee(ds, 2, w), "income_gee");
    let surv = timed(|w| survival(p, w), "survival_first_arrest");
    let cost = timed_total(|w| cost_change(ds, w));
    let eq = timed_total(|w| equity(ds, w));
    let ipw = timed(|w| crate::ipw::ipw(p, w), "ipw");
    let mut warnings = Vec::new();
    let mut timings = Timings::new();
    let mut take = |name: &str, ws: Vec<String>, d: Duration| {
        warnings.extend(ws);
        timings.push((name.to_string(), d));
    };
    take("recidivism_6m", rec.1, rec.2);
    take("felony_followup", fel.1, fel.2);
    take("arrest_rate", rate.1, rate.2);
    take("housing_gee", h.1, h.2);
    take("employment_gee", e.1, e.2);
    take("income_gee", i.1, i.2);
    take("survival_first_arrest", surv.1, surv.2);
    take("cost_change", cost.1, cost.2);
    take("equity_rri", eq.1, eq.2);
    take("ipw", ipw.1, ipw.2);
    let (surv_result, km) = match surv.0 {
        Some(s) => (Some(s.result), Some(s.km)),
        None => (None, None),
    };
    let results = Results {
        meta: meta(ds, warnings),
        derived_sums: derived_sums(ds),
        recidivism_6m: rec.0,
        felony_followup: fel.0,
        arrest_rate: rate.0,
        housing_gee: h.0,
        employment_gee: e.0,
        income_gee: i.0,
        survival_first_arrest: surv_result,
        figures: figures(ds, km.as_ref()),
        cost_change: cost.0,
        equity_rri: eq.0,
        ipw: ipw.0,
    };
    (results, timings)
}
