//! Relative rate index with Katz intervals, and the chi-square test of independence.

use crate::dist::chi_square_sf;
use crate::model::StatsError;

/// Rate of a group relative to a reference group, with its log-scale interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RateRatio {
    /// `None` when the reference rate is zero.
    pub rri: Option<f64>,
    /// `None` when either count is zero.
    pub se_log: Option<f64>,
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
}

/// `(a/n) / (c/n0)` with the Katz log interval `exp(ln rri ∓ z·√(1/a − 1/n + 1/c − 1/n0))`.
pub fn relative_rate_index(a: u64, n: u64, c: u64, n0: u64, z: f64) -> RateRatio {
    let none = RateRatio {
        rri: None,
        se_log: None,
        ci_low: None,
        ci_high: None,
    };
    if n == 0 || n0 == 0 || c == 0 {
        return none;
    }
    let rri = (a as f64 / n as f64) / (c as f64 / n0 as f64);
    if a == 0 {
        return RateRatio {
            rri: Some(rri),
            ..none
        };
    }
    let se = (1.0 / a as f64 - 1.0 / n as f64 + 1.0 / c as f64 - 1.0 / n0 as f64).sqrt();
    RateRatio {
        rri: Some(rri),
        se_log: Some(se),
        ci_low: Some((rri.ln() - z * se).exp()),
        ci_high: Some((rri.ln() + z * se).exp()),
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ChiSquareTest {
    pub statistic: f64,
    pub dof: u64,
    pub p: f64,
}

/// Pearson chi-square test of independence on an R×C table, no continuity correction.
pub fn chi_square_independence(table: &[Vec<u64>]) -> Result<ChiSquareTest, StatsError> {
    let r = table.len();
    let c = table.first().map_or(0, Vec::len);
    if r < 2 || c < 2 || table.iter().any(|row| row.len() != c) {
        return Err(StatsError::InvalidInput(
            "chi-square test needs a rectangular table of at least 2×2".into(),
        ));
    }
    let rows: Vec<f64> = table
        .iter()
        .map(|row| row.iter().sum::<u64>() as f64)
        .collect();
    let cols: Vec<f64> = (0..c)
        .map(|j| table.iter().map(|row| row[j]).sum::<u64>() as f64)
        .collect();
    let total: f64 = rows.iter().sum();
    if rows.iter().chain(&cols).any(|m| *m == 0.0) {
        return Err(StatsError::InvalidInput(
            "chi-square test: a row or column total is zero".into(),
        ));
    }
    let mut stat = 0.0;
    for (i, row) in table.iter().enumerate() {
        for (j, o) in row.iter().enumerate() {
            let e = rows[i] * cols[j] / total;
            stat += (*o as f64 - e).powi(2) / e;
        }
    }
    let dof = ((r - 1) * (c - 1)) as u64;
    Ok(ChiSquareTest {
        statistic: stat,
        dof,
        p: chi_square_sf(stat, dof as f64),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rri_and_katz_interval() {
        let r = relative_rate_index(65, 736, 95, 839, 1.96);
        let rri = (65.0 / 736.0) / (95.0 / 839.0);
        assert!((r.rri.unwrap() - rri).abs() < 1e-15);
        let se = (1.0 / 65.0 - 1.0 / 736.0 + 1.0 / 95.0 - 1.0 / 839.0f64).sqrt();
        assert!((r.se_log.unwrap() - se).abs() < 1e-15);
        assert!(relative_rate_index(0, 10, 5, 10, 1.96).ci_low.is_none());
        assert!(relative_rate_index(3, 10, 0, 10, 1.96).rri.is_none());
    }

    #[test]
    fn chi_square_two_by_two() {
        // [[10, 20], [30, 40]]: expected [[12, 18], [28, 42]]
        let t = chi_square_independence(&[vec![10, 20], vec![30, 40]]).unwrap();
        let stat = 4.0 / 12.0 + 4.0 / 18.0 + 4.0 / 28.0 + 4.0 / 42.0;
        assert!((t.statistic - stat).abs() < 1e-14);
        assert_eq!(t.dof, 1);
        // χ²₁ tail = erfc(√(x/2))
        let p = libm::erfc((stat / 2.0).sqrt());
        assert!((t.p - p).abs() < 1e-14, "{} vs {p}", t.p);
    }
}
