//! Two-sample comparisons of means.

use crate::dist::{student_t_cdf, student_t_quantile};
use crate::model::StatsError;

/// Mean and sample standard deviation (ddof = 1).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MeanSd {
    pub n: usize,
    pub mean: f64,
    /// `None` when fewer than two values.
    pub sd: Option<f64>,
}

pub fn mean_sd(x: &[f64]) -> MeanSd {
    let n = x.len();
    let mean = x.iter().sum::<f64>() / n as f64;
    let sd = (n > 1)
        .then(|| (x.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1) as f64).sqrt());
    MeanSd { n, mean, sd }
}

/// Welch's unequal-variance t-test of `mean(a) − mean(b)` with its interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WelchTest {
    pub diff: f64,
    pub se: f64,
    pub t: f64,
    pub df: f64,
    pub p: f64,
    pub t_crit: f64,
    pub ci_low: f64,
    pub ci_high: f64,
}

/// Welch two-sample t-test; `level` is the confidence level (e.g. 0.95).
pub fn welch_t_test(a: &[f64], b: &[f64], level: f64) -> Result<WelchTest, StatsError> {
    let (ma, mb) = (mean_sd(a), mean_sd(b));
    let (Some(sa), Some(sb)) = (ma.sd, mb.sd) else {
        return Err(StatsError::InvalidInput(
            "Welch test needs at least two values per group".into(),
        ));
    };
    let va = sa * sa / a.len() as f64;
    let vb = sb * sb / b.len() as f64;
    let se = (va + vb).sqrt();
    if se.is_nan() || se <= 0.0 {
        return Err(StatsError::InvalidInput(
            "Welch test: both groups have zero variance".into(),
        ));
    }
    let diff = ma.mean - mb.mean;
    let t = diff / se;
    let df = (va + vb).powi(2) / (va * va / (a.len() - 1) as f64 + vb * vb / (b.len() - 1) as f64);
    let p = 2.0 * student_t_cdf(-t.abs(), df);
    let t_crit = student_t_quantile(0.5 + level / 2.0, df);
    Ok(WelchTest {
        diff,
        se,
        t,
        df,
        p,
        t_crit,
        ci_low: diff - t_crit * se,
        ci_high: diff + t_crit * se,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn welch_known_example() {
        // scipy.stats.ttest_ind([1,2,3,4,5],[2,4,6,8,10,12], equal_var=False)
        let w = welch_t_test(
            &[1.0, 2.0, 3.0, 4.0, 5.0],
            &[2.0, 4.0, 6.0, 8.0, 10.0, 12.0],
            0.95,
        )
        .unwrap();
        assert!((w.diff - (3.0 - 7.0)).abs() < 1e-14);
        let (va, vb) = (2.5 / 5.0, 14.0 / 6.0);
        assert!((w.se - f64::sqrt(va + vb)).abs() < 1e-14);
        let df = (va + vb) * (va + vb) / (va * va / 4.0 + vb * vb / 5.0);
        assert!((w.df - df).abs() < 1e-12);
        // t quantile round-trips through the CDF
        assert!((student_t_cdf(w.t_crit, w.df) - 0.975).abs() < 1e-14);
        assert!(w.p > 0.0 && w.p < 1.0);
    }

    #[test]
    fn t_quantile_matches_normal_for_large_df() {
        assert!((student_t_quantile(0.975, 1e7) - crate::Z975).abs() < 1e-6);
        // t with 1 df is Cauchy: quantile tan(π(p − ½))
        let q = student_t_quantile(0.975, 1.0);
        assert!((q - (std::f64::consts::PI * 0.475).tan()).abs() < 1e-10);
    }
}
