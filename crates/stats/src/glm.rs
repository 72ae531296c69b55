//! Generalised linear models with canonical links, fitted by IRLS.
//!
//! The iteration follows statsmodels' `GLM.fit(method="IRLS")`: start from
//! the family's starting means, take weighted least-squares steps, stop when
//! two consecutive deviances differ by at most `tol`. The covariance is the
//! model-based inverse information `(XᵀWX)⁻¹` evaluated at the final estimate
//! (dispersion fixed at 1); [`hc0_covariance`] gives the robust sandwich
//! instead, e.g. for inverse-probability-weighted models.

use crate::linalg::{add_outer, par_sum, par_update, sandwich, solve, spd_inverse, sym};
use crate::model::{Fit, FitWarning, ModelData, StatsError};
use crate::special::ln_gamma;

/// Response distribution and (canonical) link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// Binary response, logit link.
    BinomialLogit,
    /// Count response, log link.
    PoissonLog,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GlmOptions {
    pub max_iter: usize,
    /// Absolute tolerance on the change in deviance.
    pub tol: f64,
}

impl Default for GlmOptions {
    fn default() -> Self {
        GlmOptions {
            max_iter: 100,
            tol: 1e-8,
        }
    }
}

/// A fitted GLM.
#[derive(Debug, Clone, PartialEq)]
pub struct GlmFit {
    pub fit: Fit,
    pub loglike: f64,
    pub deviance: f64,
    pub pearson_chi2: f64,
}

/// `ln(1 + eˣ)` without overflow.
fn softplus(x: f64) -> f64 {
    if x > 0.0 {
        x + (-x).exp().ln_1p()
    } else {
        x.exp().ln_1p()
    }
}

impl Family {
    fn name(self) -> &'static str {
        match self {
            Family::BinomialLogit => "logistic regression",
            Family::PoissonLog => "Poisson regression",
        }
    }
    fn mean(self, eta: f64) -> f64 {
        match self {
            Family::BinomialLogit => 1.0 / (1.0 + (-eta).exp()),
            Family::PoissonLog => eta.exp(),
        }
    }
    fn variance(self, mu: f64) -> f64 {
        match self {
            Family::BinomialLogit => mu * (1.0 - mu),
            Family::PoissonLog => mu,
        }
    }
    /// Log-likelihood contribution at linear predictor `eta`.
    fn loglike(self, y: f64, eta: f64) -> f64 {
        match self {
            // y ln μ + (1−y) ln(1−μ), with ln μ = −softplus(−η)
            Family::BinomialLogit => -y * softplus(-eta) - (1.0 - y) * softplus(eta),
            Family::PoissonLog => y * eta - eta.exp() - ln_gamma(y + 1.0),
        }
    }
    /// Unit deviance contribution.
    fn deviance(self, y: f64, mu: f64, eta: f64) -> f64 {
        let xlogx = |a: f64, b: f64| if a > 0.0 { a * (a / b).ln() } else { 0.0 };
        match self {
            Family::BinomialLogit => {
                // 2[y ln(y/μ) + (1−y) ln((1−y)/(1−μ))] evaluated stably
                let t1 = if y > 0.0 {
                    y * (y.ln() + softplus(-eta))
                } else {
                    0.0
                };
                let t2 = if y < 1.0 {
                    (1.0 - y) * ((1.0 - y).ln() + softplus(eta))
                } else {
                    0.0
                };
                2.0 * (t1 + t2)
            }
            Family::PoissonLog => 2.0 * (xlogx(y, mu) - (y - mu)),
        }
    }
    fn check_response(self, y: &[f64]) -> Result<(), StatsError> {
        let bad = match self {
            Family::BinomialLogit => y.iter().position(|v| !(0.0..=1.0).contains(v)),
            Family::PoissonLog => y.iter().position(|v| *v < 0.0),
        };
        match bad {
            Some(i) => Err(StatsError::InvalidInput(format!(
                "{}: response {} of row {i} is outside the family's range",
                self.name(),
                y[i]
            ))),
            None => Ok(()),
        }
    }
}

/// Rows merged into distinct `(x, y, offset)` patterns with summed weights.
struct Collapsed {
    x: Vec<f64>,
    y: Vec<f64>,
    offset: Vec<f64>,
    weight: Vec<f64>,
}

/// Widest pattern (k + 2 values) that is merged.
const MAX_KEY: usize = 8;

/// Merges identical rows when the data are large and at most half the rows are
/// distinct: the weighted likelihood of the patterns is the likelihood of the
/// rows, so estimates, covariance and deviance are unchanged.
fn collapse(data: &ModelData) -> Option<Collapsed> {
    let (n, k) = (data.n(), data.k());
    if n < 20_000 || k + 2 > MAX_KEY {
        return None;
    }
    let mut index: std::collections::HashMap<[u64; MAX_KEY], usize> =
        std::collections::HashMap::new();
    let mut c = Collapsed {
        x: Vec::new(),
        y: Vec::new(),
        offset: Vec::new(),
        weight: Vec::new(),
    };
    for i in 0..n {
        let mut key = [0u64; MAX_KEY];
        let row = data.row(i);
        for (slot, v) in key.iter_mut().zip(row) {
            *slot = v.to_bits();
        }
        key[k] = data.y()[i].to_bits();
        key[k + 1] = data.offset(i).to_bits();
        let next = c.y.len();
        let at = *index.entry(key).or_insert(next);
        if at == next {
            if next >= n / 2 {
                return None;
            }
            c.x.extend_from_slice(row);
            c.y.push(data.y()[i]);
            c.offset.push(data.offset(i));
            c.weight.push(0.0);
        }
        c.weight[at] += data.weight(i);
    }
    Some(c)
}

/// Fits a GLM by iteratively reweighted least squares.
pub fn fit_glm(data: &ModelData, family: Family, opts: &GlmOptions) -> Result<GlmFit, StatsError> {
    if let Some(c) = collapse(data) {
        let merged = ModelData::new(&c.y, &c.x, data.k())?
            .with_offset(&c.offset)?
            .with_weights(&c.weight)?;
        return fit_glm_rows(&merged, family, opts);
    }
    fit_glm_rows(data, family, opts)
}

fn fit_glm_rows(data: &ModelData, family: Family, opts: &GlmOptions) -> Result<GlmFit, StatsError> {
    let (n, k) = (data.n(), data.k());
    let y = data.y();
    family.check_response(y)?;
    let wsum: f64 = (0..n).map(|i| data.weight(i)).sum();
    let ybar = (0..n).map(|i| data.weight(i) * y[i]).sum::<f64>() / wsum;

    // starting means and linear predictor (statsmodels `starting_mu`)
    let mut mu: Vec<f64> = match family {
        Family::BinomialLogit => y.iter().map(|v| (v + 0.5) / 2.0).collect(),
        Family::PoissonLog => y.iter().map(|v| (v + ybar) / 2.0).collect(),
    };
    let mut eta: Vec<f64> = match family {
        Family::BinomialLogit => mu.iter().map(|m| (m / (1.0 - m)).ln()).collect(),
        Family::PoissonLog => mu.iter().map(|m| m.ln()).collect(),
    };
    let deviance_of = |mu: &[f64], eta: &[f64]| -> f64 {
        par_sum(n, 1, |acc, i| {
            acc[0] += data.weight(i) * family.deviance(y[i], mu[i], eta[i])
        })[0]
    };
    let mut dev = deviance_of(&mu, &eta);
    let mut beta = vec![0.0; k];
    let mut converged = false;
    let mut iterations = 0;
    let mut last_change = f64::INFINITY;

    for it in 0..opts.max_iter {
        iterations = it + 1;
        // canonical link: W·(z − offset) = W·(η − offset) + (y − μ); after the
        // first step η − offset = Xβ, so only the score part is accumulated and
        // the step is solved as an increment (better conditioned).
        let sums = par_sum(n, k * k + k, |acc, i| {
            let w = data.weight(i) * family.variance(mu[i]);
            let x = data.row(i);
            let (xtwx, rhs) = acc.split_at_mut(k * k);
            add_outer(xtwx, x, w);
            let r = data.weight(i) * (y[i] - mu[i]);
            let t = if it == 0 {
                w * (eta[i] - data.offset(i)) + r
            } else {
                r
            };
            rhs.iter_mut().zip(x).for_each(|(s, xj)| *s += xj * t);
        });
        let (xtwx, rhs) = sums.split_at(k * k);
        let step = solve(&sym(k, xtwx), rhs)
            .ok_or_else(|| StatsError::Singular(format!("{}: XᵀWX is singular", family.name())))?;
        if it == 0 {
            beta = step;
        } else {
            beta.iter_mut().zip(&step).for_each(|(b, s)| *b += s);
        }
        par_update(&mut eta, &mut mu, |i, e, m| {
            *e = data.eta(i, &beta);
            *m = family.mean(*e);
        });
        let new_dev = deviance_of(&mu, &eta);
        last_change = (new_dev - dev).abs();
        dev = new_dev;
        if last_change <= opts.tol {
            converged = true;
            break;
        }
    }

    let mut warnings = Vec::new();
    if !converged {
        warnings.push(FitWarning::NotConverged {
            model: family.name(),
            iterations,
            criterion: last_change,
        });
    }
    if family == Family::BinomialLogit {
        let extreme = mu
            .iter()
            .filter(|m| **m < 1e-10 || **m > 1.0 - 1e-10)
            .count();
        if extreme > 0 {
            warnings.push(FitWarning::Separation {
                model: family.name(),
                observations: extreme,
            });
        }
    }

    // model-based covariance at the final estimate
    let sums = par_sum(n, k * k + 2, |acc, i| {
        let w = data.weight(i);
        let v = family.variance(mu[i]);
        add_outer(&mut acc[..k * k], data.row(i), w * v);
        acc[k * k] += w * family.loglike(y[i], eta[i]);
        acc[k * k + 1] += w * (y[i] - mu[i]).powi(2) / v;
    });
    let (loglike, pearson) = (sums[k * k], sums[k * k + 1]);
    let (cov, pd) = spd_inverse(&sym(k, &sums[..k * k])).ok_or_else(|| {
        StatsError::Singular(format!("{}: information matrix is singular", family.name()))
    })?;
    if !pd {
        warnings.push(FitWarning::NotPositiveDefinite {
            model: family.name(),
        });
    }
    Ok(GlmFit {
        fit: Fit {
            coef: beta,
            cov,
            iterations,
            converged,
            warnings,
        },
        loglike,
        deviance: dev,
        pearson_chi2: pearson,
    })
}

/// Heteroskedasticity-robust (HC0) covariance of a GLM estimate `coef`:
/// `B⁻¹ M B⁻¹` with the bread `B = Σ wᵢ V(μᵢ) xᵢxᵢᵀ` (the information of the
/// weighted log-likelihood) and the meat `M = Σ wᵢ² (yᵢ − μᵢ)² xᵢxᵢᵀ` built
/// from the per-row scores `wᵢ(yᵢ − μᵢ)xᵢ`. The weights are taken as fixed
/// (statsmodels `var_weights` with `cov_type="HC0"`; not `freq_weights`, whose
/// meat has `wᵢ` in place of `wᵢ²`), with no small-sample factor.
///
/// Computed over the rows of `data` as given, so call it with the original
/// rows (not merged patterns): every row is its own score.
pub fn hc0_covariance(
    data: &ModelData,
    family: Family,
    coef: &[f64],
) -> Result<Vec<f64>, StatsError> {
    let (n, k) = (data.n(), data.k());
    if coef.len() != k {
        return Err(StatsError::InvalidInput(format!(
            "{} coefficients for {k} design columns",
            coef.len()
        )));
    }
    let y = data.y();
    let sums = par_sum(n, 2 * k * k, |acc, i| {
        let w = data.weight(i);
        let mu = family.mean(data.eta(i, coef));
        let (bread, meat) = acc.split_at_mut(k * k);
        add_outer(bread, data.row(i), w * family.variance(mu));
        let score = w * (y[i] - mu);
        add_outer(meat, data.row(i), score * score);
    });
    let (bread, meat) = sums.split_at(k * k);
    let (binv, _) = spd_inverse(&sym(k, bread)).ok_or_else(|| {
        StatsError::Singular(format!("{}: information matrix is singular", family.name()))
    })?;
    Ok(sandwich(k, &binv, meat))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A logistic fit to a tight tolerance, for comparing against closed forms.
    fn fit_logit_tight(data: &ModelData) -> GlmFit {
        let opts = GlmOptions {
            max_iter: 100,
            tol: 1e-12,
        };
        fit_glm(data, Family::BinomialLogit, &opts).unwrap()
    }

    #[test]
    fn logistic_two_by_two_table_has_closed_form() {
        // group 0: 3/10 events, group 1: 6/10 events → log OR = ln((6/4)/(3/7))
        let mut y = Vec::new();
        let mut x = Vec::new();
        for (g, events) in [(0.0, 3), (1.0, 6)] {
            for i in 0..10 {
                y.push(if i < events { 1.0 } else { 0.0 });
                x.extend_from_slice(&[1.0, g]);
            }
        }
        let data = ModelData::new(&y, &x, 2).unwrap();
        let f = fit_logit_tight(&data);
        let lor = ((6.0 / 4.0) / (3.0 / 7.0f64)).ln();
        assert!((f.fit.coef[1] - lor).abs() < 1e-10);
        // Woolf standard error √(1/a + 1/b + 1/c + 1/d)
        let se = (1.0 / 6.0 + 1.0 / 4.0 + 1.0 / 3.0 + 1.0 / 7.0f64).sqrt();
        assert!((f.fit.se()[1] - se).abs() < 1e-10);
        assert!(f.fit.converged && f.fit.warnings.is_empty());
    }

    #[test]
    fn poisson_rate_ratio_with_exposure() {
        // two groups, 10 events over 5 years vs 30 events over 5 years
        let y = [4.0, 6.0, 14.0, 16.0];
        let x = [1.0, 0.0, 1.0, 0.0, 1.0, 1.0, 1.0, 1.0];
        let off = [2f64.ln(), 3f64.ln(), 2f64.ln(), 3f64.ln()];
        let data = ModelData::new(&y, &x, 2)
            .unwrap()
            .with_offset(&off)
            .unwrap();
        let f = fit_glm(&data, Family::PoissonLog, &GlmOptions::default()).unwrap();
        assert!((f.fit.coef[0] - 2f64.ln()).abs() < 1e-9);
        assert!((f.fit.coef[1] - 3f64.ln()).abs() < 1e-9);
        assert!((f.fit.se()[1] - (1.0 / 10.0 + 1.0 / 30.0f64).sqrt()).abs() < 1e-9);
    }

    #[test]
    fn frequency_weights_equal_replicated_rows() {
        let y = [1.0, 0.0, 1.0, 0.0];
        let x = [1.0, 0.0, 1.0, 0.0, 1.0, 1.0, 1.0, 1.0];
        let w = [3.0, 7.0, 6.0, 4.0];
        let data = ModelData::new(&y, &x, 2).unwrap().with_weights(&w).unwrap();
        let f = fit_logit_tight(&data);
        let lor = ((6.0 / 4.0) / (3.0 / 7.0f64)).ln();
        assert!((f.fit.coef[1] - lor).abs() < 1e-10);
    }

    #[test]
    fn separation_is_a_warning_not_a_panic() {
        let y = [0.0, 0.0, 0.0, 1.0, 1.0, 1.0];
        let x = [1.0, 1.0, 1.0, 2.0, 1.0, 3.0, 1.0, 4.0, 1.0, 5.0, 1.0, 6.0];
        let data = ModelData::new(&y, &x, 2).unwrap();
        let f = fit_glm(&data, Family::BinomialLogit, &GlmOptions::default()).unwrap();
        assert!(!f.fit.warnings.is_empty());
    }

    #[test]
    fn collinear_design_is_an_error() {
        let y = [0.0, 1.0, 0.0, 1.0];
        let x = [1.0, 2.0, 1.0, 2.0, 1.0, 2.0, 1.0, 2.0];
        let data = ModelData::new(&y, &x, 2).unwrap();
        assert!(matches!(
            fit_glm(&data, Family::BinomialLogit, &GlmOptions::default()),
            Err(StatsError::Singular(_))
        ));
    }

    #[test]
    fn weighted_hc0_matches_the_two_group_closed_form() {
        // saturated two-group logistic model with unequal weights: the IPW
        // closed forms r_g = Σwy/Σw, V_g = Σw²(y−r_g)² / (r_g(1−r_g)Σw)²
        let y = [1.0, 0.0, 0.0, 1.0, 1.0, 0.0, 1.0, 0.0, 0.0, 1.0];
        let g = [0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 1.0, 1.0];
        let w = [0.7, 1.3, 2.1, 0.9, 1.6, 1.1, 0.5, 2.4, 0.8, 1.9];
        let x: Vec<f64> = g.iter().flat_map(|g| [1.0, *g]).collect();
        let data = ModelData::new(&y, &x, 2).unwrap().with_weights(&w).unwrap();
        let f = fit_logit_tight(&data);
        let cov = hc0_covariance(&data, Family::BinomialLogit, &f.fit.coef).unwrap();
        let group = |gv: f64| {
            let idx: Vec<usize> = (0..10).filter(|i| g[*i] == gv).collect();
            let sw: f64 = idx.iter().map(|i| w[*i]).sum();
            let r = idx.iter().map(|i| w[*i] * y[*i]).sum::<f64>() / sw;
            let v = idx
                .iter()
                .map(|i| (w[*i] * (y[*i] - r)).powi(2))
                .sum::<f64>()
                / (r * (1.0 - r) * sw).powi(2);
            (r, v)
        };
        let logit = |p: f64| (p / (1.0 - p)).ln();
        let ((r0, v0), (r1, v1)) = (group(0.0), group(1.0));
        assert!((f.fit.coef[0] - logit(r0)).abs() < 1e-10);
        assert!((f.fit.coef[1] - (logit(r1) - logit(r0))).abs() < 1e-10);
        assert!((cov[0] - v0).abs() < 1e-10 * v0);
        assert!((cov[3] - (v0 + v1)).abs() < 1e-10 * (v0 + v1));
        // the meat differs from the model-based covariance of the weighted fit
        assert!((cov[3] - f.fit.cov[3]).abs() > 1e-3);
    }
}
