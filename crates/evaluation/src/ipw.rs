//! Analysis 8 (SPEC §11): propensity-score inverse-probability weighting of
//! the two binary outcomes, with stabilised ATE weights and no trimming.
//!
//! Data for which the analysis is not defined (a group with fewer than two
//! persons, a covariate that never varies, a race seen in one group only, an
//! outcome that nobody or everybody in a group had) are refused with a
//! sentence saying why before any model is fitted; a propensity model that is
//! collinear or has no finite estimate is refused the same way instead of
//! passing its optimiser warnings on.

use handoff_stats::{self as stats, Family, Fit, ModelData, StatsError, Wald};
use indexmap::IndexMap;

use crate::analyses::{GLM_REFERENCE, indicator, logistic_fit, odds_ratio, table, warn_all};
use crate::data::{Person, RACES};
use crate::results::*;

const REFERENCE_RACE: usize = 1; // White
/// Result block, response column and response of an outcome model.
type Outcome = (&'static str, &'static str, fn(&Person) -> bool);
const OUTCOMES: [Outcome; 2] = [
    ("recidivism_6m", "y_arrest_6m", |p| p.y_arrest_6m),
    ("felony_followup", "y_felony", |p| p.y_felony),
];

fn refuse<T>(why: String) -> Result<T, StatsError> {
    Err(StatsError::NotDefined(why))
}

fn group_name(lead: bool) -> &'static str {
    if lead { "LEAD" } else { "comparison" }
}

/// The covariates of SPEC §11.1: names and a row-major `n × k` matrix.
fn covariates(persons: &[Person]) -> Result<(Vec<String>, Vec<f64>), StatsError> {
    let mut by_race = [[0u64; 2]; RACES.len()];
    for p in persons {
        by_race[p.race][usize::from(p.lead)] += 1;
    }
    if by_race[REFERENCE_RACE] == [0, 0] {
        return refuse(format!(
            "no participant is {}, the reference race of the propensity model",
            RACES[REFERENCE_RACE]
        ));
    }
    for (r, counts) in by_race.iter().enumerate() {
        if let Some(only) = match counts {
            [0, n] if *n > 0 => Some(true),
            [n, 0] if *n > 0 => Some(false),
            _ => None,
        } {
            return refuse(format!(
                "every {} participant is in the {} group, so the propensity model has no finite estimate",
                RACES[r],
                group_name(only)
            ));
        }
    }
    let races: Vec<usize> = (0..RACES.len())
        .filter(|r| *r != REFERENCE_RACE && by_race[*r] != [0, 0])
        .collect();
    let mut names = vec!["age_at_index".to_string(), "male".to_string()];
    names.extend(races.iter().map(|r| format!("race_{}", RACES[*r])));
    names.extend([
        "prior_arrests_2y".to_string(),
        "prior_felony_2y".to_string(),
    ]);
    let mut x = Vec::with_capacity(persons.len() * names.len());
    for p in persons {
        x.push(p.age as f64);
        x.push(f64::from(u8::from(p.male)));
        x.extend(races.iter().map(|r| f64::from(u8::from(p.race == *r))));
        x.push(f64::from(p.prior_arrests_2y));
        x.push(f64::from(p.prior_felony_2y));
    }
    let k = names.len();
    for (j, name) in names.iter().enumerate() {
        let first = x[j];
        if x.iter().skip(j).step_by(k).all(|v| *v == first) {
            return refuse(format!(
                "the covariate {name} is {first} for every participant, so the propensity model \
                 cannot tell its effect from the intercept"
            ));
        }
    }
    Ok((names, x))
}

/// Mean and sample SD (ddof 1) of column `j` over the rows in `rows`, and the
/// weighted mean with weights `w`.
fn column_moments(x: &[f64], k: usize, j: usize, rows: &[usize], w: &[f64]) -> (f64, f64, f64) {
    let n = rows.len() as f64;
    let mean = rows.iter().map(|i| x[i * k + j]).sum::<f64>() / n;
    let ss = rows
        .iter()
        .map(|i| (x[i * k + j] - mean).powi(2))
        .sum::<f64>();
    let sw: f64 = rows.iter().map(|i| w[*i]).sum();
    let wmean = rows.iter().map(|i| w[*i] * x[i * k + j]).sum::<f64>() / sw;
    (mean, (ss / (n - 1.0)).sqrt(), wmean)
}

fn balance(names: &[String], x: &[f64], groups: &[Vec<usize>; 2], w: &[f64]) -> Balance {
    let k = names.len();
    let mut b = Balance {
        terms: names.to_vec(),
        mean_lead: TermMap::new(),
        mean_control: TermMap::new(),
        sd_lead: TermMap::new(),
        sd_control: TermMap::new(),
        sd_pooled: TermMap::new(),
        wmean_lead: TermMap::new(),
        wmean_control: TermMap::new(),
        smd_before: IndexMap::new(),
        smd_after: IndexMap::new(),
        max_abs_smd_before: None,
        max_abs_smd_after: None,
    };
    for (j, name) in names.iter().enumerate() {
        let (m1, s1, wm1) = column_moments(x, k, j, &groups[1], w);
        let (m0, s0, wm0) = column_moments(x, k, j, &groups[0], w);
        let sp = ((s1 * s1 + s0 * s0) / 2.0).sqrt();
        let smd = |d: f64| (sp > 0.0).then(|| d / sp);
        let (before, after) = (smd(m1 - m0), smd(wm1 - wm0));
        let max = |m: Option<f64>, v: Option<f64>| match (m, v) {
            (Some(m), Some(v)) => Some(m.max(v.abs())),
            (m, v) => m.or(v.map(f64::abs)),
        };
        b.max_abs_smd_before = max(b.max_abs_smd_before, before);
        b.max_abs_smd_after = max(b.max_abs_smd_after, after);
        for (map, v) in [
            (&mut b.mean_lead, m1),
            (&mut b.mean_control, m0),
            (&mut b.sd_lead, s1),
            (&mut b.sd_control, s0),
            (&mut b.sd_pooled, sp),
            (&mut b.wmean_lead, wm1),
            (&mut b.wmean_control, wm0),
        ] {
            map.insert(name.clone(), v);
        }
        b.smd_before.insert(name.clone(), before);
        b.smd_after.insert(name.clone(), after);
    }
    b
}

fn weight_summary(rows: &[usize], w: &[f64]) -> WeightSummary {
    let ws = rows.iter().map(|i| w[*i]);
    let sum: f64 = ws.clone().sum();
    let sq: f64 = ws.clone().map(|v| v * v).sum();
    WeightSummary {
        n: rows.len() as u64,
        sum,
        mean: sum / rows.len() as f64,
        min: ws.clone().fold(f64::INFINITY, f64::min),
        max: ws.fold(f64::NEG_INFINITY, f64::max),
        ess: sum * sum / sq,
    }
}

fn min_mean_max(rows: &[usize], e: &[f64]) -> MinMeanMax {
    let v = rows.iter().map(|i| e[*i]);
    MinMeanMax {
        min: v.clone().fold(f64::INFINITY, f64::min),
        mean: v.clone().sum::<f64>() / rows.len() as f64,
        max: v.fold(f64::NEG_INFINITY, f64::max),
    }
}

fn propensity(
    names: &[String],
    cov: &[f64],
    t: &[f64],
) -> Result<(PropensityResult, Vec<f64>), StatsError> {
    let k = names.len() + 1;
    let mut x = Vec::with_capacity(t.len() * k);
    for row in cov.chunks(k - 1) {
        x.push(1.0);
        x.extend_from_slice(row);
    }
    let mut terms = vec!["intercept"];
    terms.extend(names.iter().map(String::as_str));
    let (model, fit) = match logistic_fit(&terms, t, &x) {
        Ok((m, f, _)) if f.converged && f.warnings.is_empty() => (m, f),
        Ok(_) => {
            return refuse(
                "the propensity model has no finite estimate (some combination of covariates \
                 occurs in one group only), so the weights are not defined"
                    .into(),
            );
        }
        Err(StatsError::Singular(_)) => {
            return refuse(
                "the propensity covariates are collinear (one is determined by the others), \
                 so the propensity model cannot be fitted"
                    .into(),
            );
        }
        Err(e) => return Err(e),
    };
    let e: Vec<f64> = x
        .chunks(k)
        .map(|row| {
            let eta: f64 = row.iter().zip(&fit.coef).map(|(a, b)| a * b).sum();
            1.0 / (1.0 + (-eta).exp())
        })
        .collect();
    let rows =
        |lead: bool| -> Vec<usize> { (0..t.len()).filter(|i| (t[*i] == 1.0) == lead).collect() };
    let result = PropensityResult {
        model,
        ps: ByGroup {
            lead: min_mean_max(&rows(true), &e),
            control: min_mean_max(&rows(false), &e),
        },
    };
    Ok((result, e))
}

/// The weighted two-group model (HC0 sandwich) and the unweighted one (SPEC §11.5).
fn outcome(
    column: &str,
    response: fn(&Person) -> bool,
    persons: &[Person],
    w: &[f64],
    warnings: &mut Vec<String>,
) -> Result<IpwOutcome, StatsError> {
    let y = indicator(persons, response);
    let mut sums = [[0.0f64; 4]; 2]; // per group: Σw, Σwy, n, Σy
    for (i, p) in persons.iter().enumerate() {
        let s = &mut sums[usize::from(p.lead)];
        s[0] += w[i];
        s[1] += w[i] * y[i];
        s[2] += 1.0;
        s[3] += y[i];
    }
    for (g, s) in sums.iter().enumerate() {
        if s[3] == 0.0 || s[3] == s[2] {
            return refuse(format!(
                "{} of the {} group had the outcome {column}, so its odds are not defined",
                if s[3] == 0.0 { "nobody" } else { "everybody" },
                group_name(g == 1)
            ));
        }
    }
    let x: Vec<f64> = persons
        .iter()
        .flat_map(|p| [1.0, f64::from(u8::from(p.lead))])
        .collect();
    let terms = ["intercept", "group_lead"];
    let unweighted = ModelData::new(&y, &x, 2)?;
    let weighted = unweighted.with_weights(w)?;
    let fw = stats::fit_glm(&weighted, Family::BinomialLogit, &GLM_REFERENCE)?;
    warn_all(warnings, &fw.fit.warnings);
    let robust = Fit {
        cov: stats::hc0_covariance(&weighted, Family::BinomialLogit, &fw.fit.coef)?,
        ..fw.fit
    };
    let wald: Vec<Wald> = (0..2).map(|j| robust.wald(j)).collect();
    let t = table(&terms, &wald);
    let f0 = stats::fit_glm(&unweighted, Family::BinomialLogit, &GLM_REFERENCE)?;
    warn_all(warnings, &f0.fit.warnings);
    let wald0: Vec<Wald> = (0..2).map(|j| f0.fit.wald(j)).collect();
    let t0 = table(&terms, &wald0);
    Ok(IpwOutcome {
        outcome: column.to_string(),
        n: y.len() as u64,
        n_events: y.iter().sum::<f64>() as u64,
        table: t,
        iterations: robust.iterations as u64,
        converged: robust.converged,
        risk_lead: sums[1][1] / sums[1][0],
        risk_control: sums[0][1] / sums[0][0],
        group_lead: odds_ratio(wald[1], true),
        unweighted: UnweightedOutcome {
            table: t0,
            iterations: f0.fit.iterations as u64,
            converged: f0.fit.converged,
            group_lead: odds_ratio(wald0[1], true),
        },
    })
}

fn settings() -> IpwSettings {
    IpwSettings {
        propensity_glm: GlmSettings {
            method: "IRLS".into(),
            maxiter: GLM_REFERENCE.max_iter as u64,
            tol: GLM_REFERENCE.tol,
        },
        outcome_glm: WeightedGlmSettings {
            method: "IRLS".into(),
            maxiter: GLM_REFERENCE.max_iter as u64,
            tol: GLM_REFERENCE.tol,
            cov_type: "HC0".into(),
            weights: "var_weights".into(),
        },
    }
}

/// Runs analysis 8 on all participants.
pub(crate) fn ipw(persons: &[Person], warnings: &mut Vec<String>) -> Result<IpwResult, StatsError> {
    let n = persons.len();
    let groups: [Vec<usize>; 2] = [false, true].map(|lead| {
        (0..n)
            .filter(|i| persons[*i].lead == lead)
            .collect::<Vec<_>>()
    });
    for lead in [false, true] {
        let size = groups[usize::from(lead)].len();
        if size < 2 {
            return refuse(format!(
                "the {} group has {size} participant{}; weighting needs at least two in each group",
                group_name(lead),
                if size == 1 { "" } else { "s" }
            ));
        }
    }
    let (names, x) = covariates(persons)?;
    let t = indicator(persons, |p| p.lead);
    let (prop, e) = propensity(&names, &x, &t)?;
    let p_treat = groups[1].len() as f64 / n as f64;
    let w: Vec<f64> = persons
        .iter()
        .zip(&e)
        .map(|(p, e)| {
            if p.lead {
                p_treat / e
            } else {
                (1.0 - p_treat) / (1.0 - e)
            }
        })
        .collect();
    let mut models = OUTCOMES.map(|(block, column, response)| {
        match outcome(column, response, persons, &w, warnings) {
            Ok(m) => Some(m),
            Err(err) => {
                warnings.push(format!("ipw.{block}: not estimated: {err}"));
                None
            }
        }
    });
    Ok(IpwResult {
        settings: settings(),
        n: n as u64,
        n_lead: groups[1].len() as u64,
        n_control: groups[0].len() as u64,
        p_treat,
        propensity: prop,
        weights: ByGroup {
            lead: weight_summary(&groups[1], &w),
            control: weight_summary(&groups[0], &w),
        },
        balance: balance(&names, &x, &groups, &w),
        recidivism_6m: models[0].take(),
        felony_followup: models[1].take(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 40 persons: both groups, every race of the covariates, varied covariates and outcomes.
    fn persons() -> Vec<Person> {
        (0..40u32)
            .map(|i| Person {
                lead: i % 2 == 0,
                race: [1, 0, 1, 2][(i / 2 % 4) as usize],
                age: 20 + i64::from(i * 7 % 31),
                male: i % 3 != 0,
                prior_arrests_2y: i * 5 % 7,
                prior_felony_2y: i % 5 / 3,
                y_arrest_6m: i * 11 % 5 < 2,
                y_felony: i % 7 < 3,
                ..Person::default()
            })
            .collect()
    }

    #[test]
    fn scaling_one_groups_weights_changes_no_estimate() {
        // SPEC §11.5: only ratios of weights within a group matter
        let p = persons();
        let w: Vec<f64> = (0..p.len()).map(|i| 0.5 + (i % 9) as f64 / 7.0).collect();
        let scaled: Vec<f64> = w
            .iter()
            .zip(&p)
            .map(|(w, p)| if p.lead { w * 3.5 } else { *w })
            .collect();
        let mut warnings = Vec::new();
        let a = outcome(OUTCOMES[0].1, OUTCOMES[0].2, &p, &w, &mut warnings).unwrap();
        let b = outcome(OUTCOMES[0].1, OUTCOMES[0].2, &p, &scaled, &mut warnings).unwrap();
        for t in ["intercept", "group_lead"] {
            for (x, y) in [
                (a.table.coef[t], b.table.coef[t]),
                (a.table.se[t], b.table.se[t]),
            ] {
                assert!((x - y).abs() <= 1e-10 * x.abs(), "{t}: {x} vs {y}");
            }
        }
        assert!((a.risk_lead - b.risk_lead).abs() < 1e-14 && warnings.is_empty());
        assert_eq!(a.unweighted, b.unweighted);
    }

    #[test]
    fn an_outcome_nobody_in_a_group_had_is_refused_in_words() {
        let mut p = persons();
        p.iter_mut()
            .filter(|p| !p.lead)
            .for_each(|p| p.y_felony = false);
        let mut warnings = Vec::new();
        let r = ipw(&p, &mut warnings).expect("the rest is estimated");
        assert!(r.felony_followup.is_none() && r.recidivism_6m.is_some());
        assert_eq!(
            warnings,
            [
                "ipw.felony_followup: not estimated: nobody of the comparison group had the \
              outcome y_felony, so its odds are not defined"
            ]
        );
    }

    #[test]
    fn collinear_covariates_are_refused_in_words() {
        // prior felonies equal to "Black or Hispanic/Latino" for everyone
        let mut p = persons();
        p.iter_mut()
            .for_each(|p| p.prior_felony_2y = u32::from(p.race == 0 || p.race == 2));
        let err = ipw(&p, &mut Vec::new()).unwrap_err().to_string();
        assert!(
            err.starts_with("the propensity covariates are collinear"),
            "{err}"
        );
    }
}
