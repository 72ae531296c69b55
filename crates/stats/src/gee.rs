//! Generalised estimating equations: binomial variance, logit link,
//! exchangeable working correlation, robust (sandwich) covariance.
//!
//! The iteration reproduces statsmodels' `GEE.fit()` defaults exactly (one
//! mean update per dependence update, stop on the score norm once the
//! dependence has been updated at least once), see SPEC §6.3.

use rayon::prelude::*;

use crate::glm::{Family, GlmOptions, fit_glm};
use crate::linalg::{sandwich, solve, spd_inverse, sym};
use crate::model::{FitWarning, ModelData, StatsError};

const MODEL: &str = "GEE (exchangeable)";

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GeeOptions {
    pub max_iter: usize,
    /// Convergence tolerance on the L2 norm of the score.
    pub ctol: f64,
}

impl Default for GeeOptions {
    fn default() -> Self {
        GeeOptions {
            max_iter: 60,
            ctol: 1e-6,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct GeeFit {
    pub coef: Vec<f64>,
    /// Robust (sandwich) covariance, row-major.
    pub cov_robust: Vec<f64>,
    /// Model-based covariance `B⁻¹ · scale`, row-major.
    pub cov_naive: Vec<f64>,
    /// Exchangeable correlation ρ used in the final mean update.
    pub rho: f64,
    /// Dispersion reported for the binomial family (fixed at 1).
    pub scale: f64,
    pub iterations: usize,
    pub converged: bool,
    /// ‖U‖₂ of the last iteration.
    pub score_norm: f64,
    /// Moment scale inside the last dependence update.
    pub dep_update_scale: f64,
    /// ρ̂ re-evaluated at the final coefficients.
    pub rho_at_final: f64,
    pub n_obs: usize,
    pub n_clusters: usize,
    pub warnings: Vec<FitWarning>,
}

impl GeeFit {
    pub fn se_robust(&self) -> Vec<f64> {
        diag_sqrt(&self.cov_robust, self.coef.len())
    }
    pub fn se_naive(&self) -> Vec<f64> {
        diag_sqrt(&self.cov_naive, self.coef.len())
    }
}

fn diag_sqrt(cov: &[f64], k: usize) -> Vec<f64> {
    (0..k).map(|j| cov[j * k + j].sqrt()).collect()
}

/// The rows of each cluster reduced to distinct `(x, y, offset)` patterns with
/// their multiplicities: every sum of the estimating equations is a sum over
/// patterns weighted by count, so each iteration touches far fewer rows when the
/// design is discrete (as the pre/post design is).
struct Patterns {
    k: usize,
    x: Vec<f64>,
    y: Vec<f64>,
    offset: Vec<f64>,
    count: Vec<f64>,
    /// Pattern range of each cluster.
    bounds: Vec<usize>,
    /// Number of rows of each cluster.
    sizes: Vec<f64>,
}

/// Within-cluster search for an equal pattern is skipped past this many patterns.
const MAX_SEARCH: usize = 32;

impl Patterns {
    fn new(data: &ModelData, bounds: &[usize]) -> Patterns {
        let k = data.k();
        let mut p = Patterns {
            k,
            x: Vec::new(),
            y: Vec::new(),
            offset: Vec::new(),
            count: Vec::new(),
            bounds: vec![0],
            sizes: Vec::with_capacity(bounds.len() - 1),
        };
        for c in 0..bounds.len() - 1 {
            let first = p.y.len();
            for i in bounds[c]..bounds[c + 1] {
                let (row, yi, oi) = (data.row(i), data.y()[i], data.offset(i));
                let found = if p.y.len() - first <= MAX_SEARCH {
                    (first..p.y.len()).find(|&j| {
                        p.y[j] == yi && p.offset[j] == oi && p.x[j * k..(j + 1) * k] == *row
                    })
                } else {
                    None
                };
                match found {
                    Some(j) => p.count[j] += 1.0,
                    None => {
                        p.x.extend_from_slice(row);
                        p.y.push(yi);
                        p.offset.push(oi);
                        p.count.push(1.0);
                    }
                }
            }
            p.bounds.push(p.y.len());
            p.sizes.push((bounds[c + 1] - bounds[c]) as f64);
        }
        p
    }

    fn eta(&self, j: usize, beta: &[f64]) -> f64 {
        self.x[j * self.k..(j + 1) * self.k]
            .iter()
            .zip(beta)
            .map(|(a, b)| a * b)
            .sum::<f64>()
            + self.offset[j]
    }

    /// All patterns merged across clusters (for the independence start).
    fn pooled(&self) -> (Vec<f64>, Vec<f64>, Vec<f64>, Vec<f64>) {
        let k = self.k;
        let mut index: std::collections::HashMap<Vec<u64>, usize> =
            std::collections::HashMap::new();
        let (mut x, mut y, mut off, mut w) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for j in 0..self.y.len() {
            let mut key: Vec<u64> = self.x[j * k..(j + 1) * k]
                .iter()
                .map(|v| v.to_bits())
                .collect();
            key.push(self.y[j].to_bits());
            key.push(self.offset[j].to_bits());
            let at = *index.entry(key).or_insert_with(|| {
                x.extend_from_slice(&self.x[j * k..(j + 1) * k]);
                y.push(self.y[j]);
                off.push(self.offset[j]);
                w.push(0.0);
                y.len() - 1
            });
            w[at] += self.count[j];
        }
        (x, y, off, w)
    }
}

/// Per-cluster sums at a given β that do not depend on ρ:
/// `A = Σ v x xᵀ` (lower triangle), `S = Σ √v x`, `Q = Σ x r`, `Σe`, `Σe²`.
struct ClusterSums {
    k: usize,
    width: usize,
    data: Vec<f64>,
}

impl ClusterSums {
    fn new(k: usize, clusters: usize) -> Self {
        let width = k * k + 3 * k + 2;
        ClusterSums {
            k,
            width,
            data: vec![0.0; width * clusters],
        }
    }

    fn compute(&mut self, pat: &Patterns, beta: &[f64]) {
        let k = self.k;
        self.data
            .par_chunks_mut(self.width)
            .enumerate()
            .with_min_len(256)
            .for_each(|(c, out)| {
                out.iter_mut().for_each(|v| *v = 0.0);
                let (a, rest) = out.split_at_mut(k * k);
                let (s, rest) = rest.split_at_mut(k);
                let (q, rest) = rest.split_at_mut(k);
                let (_, e) = rest.split_at_mut(k);
                for j in pat.bounds[c]..pat.bounds[c + 1] {
                    let x = &pat.x[j * k..(j + 1) * k];
                    let m = pat.count[j];
                    let mu = 1.0 / (1.0 + (-pat.eta(j, beta)).exp());
                    let v = mu * (1.0 - mu);
                    let sd = v.sqrt();
                    let r = pat.y[j] - mu;
                    let ei = r / sd;
                    for p in 0..k {
                        let vp = m * v * x[p];
                        for t in 0..=p {
                            a[p * k + t] += vp * x[t];
                        }
                        s[p] += m * sd * x[p];
                        q[p] += m * r * x[p];
                    }
                    e[0] += m * ei;
                    e[1] += m * ei * ei;
                }
            });
    }

    fn cluster(&self, c: usize) -> (&[f64], &[f64], &[f64], f64, f64) {
        let k = self.k;
        let o = &self.data[c * self.width..(c + 1) * self.width];
        (
            &o[..k * k],
            &o[k * k..k * k + k],
            &o[k * k + k..k * k + 2 * k],
            o[k * k + 3 * k],
            o[k * k + 3 * k + 1],
        )
    }

    /// Exchangeable moment estimate (ρ̂, φ) with p = k subtracted from N and Npair.
    fn rho_hat(&self, sizes: &[f64]) -> (f64, f64) {
        let (mut ssr, mut pairs, mut npair) = (0.0, 0.0, 0.0);
        for (c, &ni) in sizes.iter().enumerate() {
            let (_, _, _, es, e2) = self.cluster(c);
            ssr += e2;
            pairs += (es * es - e2) / 2.0;
            npair += 0.5 * ni * (ni - 1.0);
        }
        let p = self.k as f64;
        let nobs: f64 = sizes.iter().sum();
        let phi = ssr / (nobs - p);
        ((pairs / phi) / (npair - p), phi)
    }

    /// `B = Σ DᵀV⁻¹D`, `U = Σ DᵀV⁻¹r` and, if asked, `C = Σ UᵢUᵢᵀ` at ρ.
    fn assemble(&self, sizes: &[f64], rho: f64, with_meat: bool) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
        let k = self.k;
        let mut b = vec![0.0; k * k];
        let mut u = vec![0.0; k];
        let mut meat = vec![0.0; k * k];
        let mut ui = vec![0.0; k];
        let inv1 = 1.0 / (1.0 - rho);
        for (c, &ni) in sizes.iter().enumerate() {
            let (a, s, q, es, _) = self.cluster(c);
            let cc = rho / ((1.0 - rho) * (1.0 + rho * (ni - 1.0)));
            for p in 0..k {
                for t in 0..=p {
                    b[p * k + t] += a[p * k + t] * inv1 - cc * s[p] * s[t];
                }
                ui[p] = q[p] * inv1 - cc * s[p] * es;
                u[p] += ui[p];
            }
            if with_meat {
                for p in 0..k {
                    for t in 0..=p {
                        meat[p * k + t] += ui[p] * ui[t];
                    }
                }
            }
        }
        (b, u, meat)
    }
}

/// Fits a logistic GEE with exchangeable working correlation.
///
/// `bounds` are the cluster boundaries in row order: cluster `c` is rows
/// `bounds[c]..bounds[c+1]` (rows of one cluster must be contiguous), with
/// `bounds[0] = 0` and the last entry `n`.
pub fn fit_gee_exchangeable_logit(
    data: &ModelData,
    bounds: &[usize],
    opts: &GeeOptions,
) -> Result<GeeFit, StatsError> {
    let (n, k) = (data.n(), data.k());
    if data.has_weights() {
        return Err(StatsError::Unsupported(format!(
            "{MODEL}: observation weights"
        )));
    }
    if bounds.len() < 2
        || bounds[0] != 0
        || bounds[bounds.len() - 1] != n
        || bounds.windows(2).any(|w| w[0] >= w[1])
    {
        return Err(StatsError::InvalidInput(format!(
            "{MODEL}: cluster boundaries must increase from 0 to n"
        )));
    }
    if data.y().iter().any(|v| *v != 0.0 && *v != 1.0) {
        return Err(StatsError::InvalidInput(format!(
            "{MODEL}: response must be 0 or 1"
        )));
    }
    let n_clusters = bounds.len() - 1;
    let pat = Patterns::new(data, bounds);
    // independence (GLM) start on the pooled patterns, weighted by their counts:
    // the same estimate as on the full rows
    let (px, py, poff, pw) = pat.pooled();
    let pooled = ModelData::new(&py, &px, k)?
        .with_offset(&poff)?
        .with_weights(&pw)?;
    let start = fit_glm(&pooled, Family::BinomialLogit, &GlmOptions::default())?;
    let mut warnings = start.fit.warnings.clone();
    let mut beta = start.fit.coef;
    let mut rho = 0.0;
    let mut sums = ClusterSums::new(k, n_clusters);
    sums.compute(&pat, &beta);
    let mut converged = false;
    let mut iterations = 0;
    let mut score_norm = f64::INFINITY;
    let mut dep_update_scale = f64::NAN;

    for it in 1..=opts.max_iter {
        iterations = it;
        let (b, u, _) = sums.assemble(&pat.sizes, rho, false);
        let step = solve(&sym(k, &b), &u)
            .ok_or_else(|| StatsError::Singular(format!("{MODEL}: B is singular")))?;
        beta.iter_mut().zip(&step).for_each(|(x, s)| *x += s);
        score_norm = u.iter().map(|v| v * v).sum::<f64>().sqrt();
        sums.compute(&pat, &beta);
        // the dependence has been updated at least once from the second iteration on
        if score_norm < opts.ctol && it > 1 {
            converged = true;
            break;
        }
        let (r, phi) = sums.rho_hat(&pat.sizes);
        dep_update_scale = phi;
        rho = r;
        if !rho.is_finite() || rho >= 1.0 || rho <= -1.0 {
            warnings.push(FitWarning::DependenceClamped {
                model: MODEL,
                value: rho,
            });
            rho = if rho.is_finite() {
                rho.clamp(-0.99, 0.99)
            } else {
                0.0
            };
        }
    }
    if !converged {
        warnings.push(FitWarning::NotConverged {
            model: MODEL,
            iterations,
            criterion: score_norm,
        });
    }
    // `sums` now holds the final β
    let rho_at_final = sums.rho_hat(&pat.sizes).0;
    let (b, _, meat) = sums.assemble(&pat.sizes, rho, true);
    let (binv, pd) = spd_inverse(&sym(k, &b))
        .ok_or_else(|| StatsError::Singular(format!("{MODEL}: B is singular")))?;
    if !pd {
        warnings.push(FitWarning::NotPositiveDefinite { model: MODEL });
    }
    let cov_robust = sandwich(k, &binv, &meat);
    Ok(GeeFit {
        coef: beta,
        cov_robust,
        cov_naive: binv,
        rho,
        scale: 1.0,
        iterations,
        converged,
        score_norm,
        dep_update_scale,
        rho_at_final,
        n_obs: n,
        n_clusters,
        warnings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn independent_clusters_of_one_reduce_to_logistic_regression() {
        // with clusters of size one ρ plays no role: estimates equal the GLM's and
        // the sandwich is the usual heteroskedasticity-robust one
        let y = [1.0, 0.0, 1.0, 1.0, 0.0, 0.0, 1.0, 0.0, 1.0, 1.0];
        let x: Vec<f64> = (0..10).flat_map(|i| [1.0, (i % 2) as f64]).collect();
        let data = ModelData::new(&y, &x, 2).unwrap();
        let bounds: Vec<usize> = (0..=10).collect();
        let gee = fit_gee_exchangeable_logit(&data, &bounds, &GeeOptions::default()).unwrap();
        let glm = fit_glm(
            &data,
            Family::BinomialLogit,
            &GlmOptions {
                max_iter: 100,
                tol: 1e-14,
            },
        )
        .unwrap();
        for j in 0..2 {
            assert!((gee.coef[j] - glm.fit.coef[j]).abs() < 1e-8);
            assert!((gee.se_naive()[j] - glm.fit.se()[j]).abs() < 1e-8);
        }
    }

    /// Expected values from statsmodels 0.15.0 `GEE(..., Binomial(), Exchangeable()).fit()`
    /// with the SPEC §6.2 settings, on eight clusters of one to five rows.
    #[test]
    fn matches_statsmodels_on_unequal_clusters() {
        let g = [
            1, 1, 1, 2, 2, 3, 3, 3, 3, 4, 5, 5, 5, 6, 6, 6, 6, 6, 7, 7, 8, 8, 8,
        ];
        let post = [
            0, 1, 1, 0, 1, 0, 0, 1, 1, 1, 0, 1, 1, 0, 0, 1, 1, 1, 0, 1, 0, 0, 1,
        ];
        let y = [
            0, 1, 1, 0, 0, 1, 0, 1, 1, 1, 0, 0, 1, 0, 1, 1, 1, 0, 1, 1, 0, 0, 0,
        ];
        let y: Vec<f64> = y.iter().map(|v| f64::from(*v)).collect();
        let x: Vec<f64> = post.iter().flat_map(|p| [1.0, f64::from(*p)]).collect();
        let mut bounds = vec![0];
        bounds.extend((1..g.len()).filter(|i| g[*i] != g[i - 1]));
        bounds.push(g.len());
        let data = ModelData::new(&y, &x, 2).unwrap();
        let f = fit_gee_exchangeable_logit(&data, &bounds, &GeeOptions::default()).unwrap();
        let close = |a: f64, b: f64| (a - b).abs() <= 1e-7 * b.abs();
        assert!(
            close(f.coef[0], -0.8392753226012486) && close(f.coef[1], 1.6290005587316088),
            "{:?}",
            f.coef
        );
        let (se, naive) = (f.se_robust(), f.se_naive());
        assert!(
            close(se[0], 0.5684129824455724) && close(se[1], 0.5026919145400254),
            "{se:?}"
        );
        assert!(
            close(naive[0], 0.6991544473462521) && close(naive[1], 0.8919958245062434),
            "{naive:?}"
        );
        assert!(close(f.rho, 0.05286222527176551), "{}", f.rho);
        assert_eq!(f.iterations, 5);
    }

    #[test]
    fn bad_bounds_are_rejected() {
        let y = [1.0, 0.0];
        let x = [1.0, 0.0, 1.0, 1.0];
        let data = ModelData::new(&y, &x, 2).unwrap();
        assert!(fit_gee_exchangeable_logit(&data, &[0, 3], &GeeOptions::default()).is_err());
    }
}
