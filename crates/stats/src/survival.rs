//! Kaplan–Meier estimator and the two-sample log-rank test.

use crate::dist::chi_square_sf;
use crate::model::StatsError;

/// Kaplan–Meier survival curve of one sample.
#[derive(Debug, Clone, PartialEq)]
pub struct KaplanMeier {
    /// Distinct observed times (events or censorings), ascending.
    pub times: Vec<f64>,
    /// Number at risk just before each time.
    pub at_risk: Vec<usize>,
    /// Events at each time.
    pub events: Vec<usize>,
    /// S(t) at each time (right-continuous, includes events at t).
    pub survival: Vec<f64>,
    pub n: usize,
    pub total_events: usize,
}

fn check(time: &[f64], event: &[bool]) -> Result<(), StatsError> {
    if time.len() != event.len() {
        return Err(StatsError::InvalidInput(
            "time and event lengths differ".into(),
        ));
    }
    if time.iter().any(|t| !t.is_finite() || *t < 0.0) {
        return Err(StatsError::InvalidInput(
            "survival times must be finite and non-negative".into(),
        ));
    }
    Ok(())
}

impl KaplanMeier {
    pub fn fit(time: &[f64], event: &[bool]) -> Result<KaplanMeier, StatsError> {
        check(time, event)?;
        if time.is_empty() {
            return Err(StatsError::Empty);
        }
        let mut order: Vec<(f64, bool)> = time.iter().copied().zip(event.iter().copied()).collect();
        order.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
        let n = order.len();
        let mut km = KaplanMeier {
            times: Vec::new(),
            at_risk: Vec::new(),
            events: Vec::new(),
            survival: Vec::new(),
            n,
            total_events: 0,
        };
        // lifelines evaluates the product as exp(Σ ln(1 − d/n))
        let mut log_s = 0.0;
        let mut i = 0;
        while i < n {
            let t = order[i].0;
            let mut j = i;
            let mut d = 0;
            while j < n && order[j].0 == t {
                d += usize::from(order[j].1);
                j += 1;
            }
            let r = n - i;
            if d > 0 {
                log_s += (-(d as f64) / r as f64).ln_1p();
            }
            km.times.push(t);
            km.at_risk.push(r);
            km.events.push(d);
            km.survival.push(log_s.exp());
            km.total_events += d;
            i = j;
        }
        Ok(km)
    }

    /// S(t): 1 before the first time, a step function after.
    pub fn survival_at(&self, t: f64) -> f64 {
        let idx = self.times.partition_point(|x| *x <= t);
        if idx == 0 {
            1.0
        } else {
            self.survival[idx - 1]
        }
    }

    /// Number still at risk at time `t` (observed time ≥ t).
    pub fn at_risk_at(&self, t: f64) -> usize {
        let idx = self.times.partition_point(|x| *x < t);
        self.at_risk.get(idx).copied().unwrap_or(0)
    }

    /// Smallest event time with S ≤ 0.5; `None` when the curve never reaches it.
    pub fn median(&self) -> Option<f64> {
        self.times
            .iter()
            .zip(&self.survival)
            .zip(&self.events)
            .find(|((_, s), d)| **d > 0 && **s <= 0.5)
            .map(|((t, _), _)| *t)
    }
}

/// Log-rank test of sample A against sample B (df = 1).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LogRank {
    pub statistic: f64,
    pub p: f64,
    pub df: u32,
    pub observed_a: f64,
    pub expected_a: f64,
    pub variance: f64,
}

/// Two-sample log-rank test (hypergeometric variance, ties handled exactly).
pub fn logrank_test(
    time_a: &[f64],
    event_a: &[bool],
    time_b: &[f64],
    event_b: &[bool],
) -> Result<LogRank, StatsError> {
    check(time_a, event_a)?;
    check(time_b, event_b)?;
    // (time, is_a, event)
    let mut all: Vec<(f64, bool, bool)> = time_a
        .iter()
        .zip(event_a)
        .map(|(t, e)| (*t, true, *e))
        .chain(time_b.iter().zip(event_b).map(|(t, e)| (*t, false, *e)))
        .collect();
    if all.is_empty() {
        return Err(StatsError::Empty);
    }
    all.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
    let n_total = all.len();
    let mut at_risk = n_total as f64;
    let mut at_risk_a = time_a.len() as f64;
    let (mut o, mut e, mut v) = (0.0, 0.0, 0.0);
    let mut i = 0;
    while i < n_total {
        let t = all[i].0;
        let (mut d, mut da, mut leave, mut leave_a) = (0.0, 0.0, 0.0, 0.0);
        while i < n_total && all[i].0 == t {
            let (_, is_a, ev) = all[i];
            if ev {
                d += 1.0;
                if is_a {
                    da += 1.0;
                }
            }
            leave += 1.0;
            if is_a {
                leave_a += 1.0;
            }
            i += 1;
        }
        if d > 0.0 {
            o += da;
            e += at_risk_a * d / at_risk;
            if at_risk > 1.0 {
                v += at_risk_a * (at_risk - at_risk_a) * d * (at_risk - d)
                    / (at_risk * at_risk * (at_risk - 1.0));
            }
        }
        at_risk -= leave;
        at_risk_a -= leave_a;
    }
    let statistic = (o - e) * (o - e) / v;
    if !statistic.is_finite() {
        return Err(StatsError::InvalidInput(
            "log-rank variance is zero (no comparable events)".into(),
        ));
    }
    Ok(LogRank {
        statistic,
        p: chi_square_sf(statistic, 1.0),
        df: 1,
        observed_a: o,
        expected_a: e,
        variance: v,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kaplan_meier_textbook_example() {
        // times 1,2,2+,3,4+ (+ = censored)
        let t = [1.0, 2.0, 2.0, 3.0, 4.0];
        let e = [true, true, false, true, false];
        let km = KaplanMeier::fit(&t, &e).unwrap();
        assert!((km.survival_at(0.5) - 1.0).abs() < 1e-15);
        assert!((km.survival_at(1.0) - 0.8).abs() < 1e-15);
        assert!((km.survival_at(2.5) - 0.8 * 0.75).abs() < 1e-15);
        assert!((km.survival_at(3.0) - 0.8 * 0.75 * 0.5).abs() < 1e-15);
        assert_eq!(km.median(), Some(3.0));
        assert_eq!(km.at_risk_at(2.0), 4);
        assert_eq!(km.at_risk_at(5.0), 0);
    }

    #[test]
    fn logrank_identical_samples_is_zero() {
        let t = [1.0, 2.0, 3.0, 4.0];
        let e = [true, true, false, true];
        let lr = logrank_test(&t, &e, &t, &e).unwrap();
        assert!(lr.statistic.abs() < 1e-15);
        assert!((lr.p - 1.0).abs() < 1e-12);
    }

    #[test]
    fn logrank_two_point_example() {
        // A: events at 1 and 2; B: events at 3 and 4 (no censoring)
        let lr = logrank_test(&[1.0, 2.0], &[true, true], &[3.0, 4.0], &[true, true]).unwrap();
        // E_A = 2/4 + 1/3; V = 1·... computed by hand
        let e = 0.5 + 1.0 / 3.0;
        let v = 2.0 * 2.0 * 1.0 * 3.0 / (16.0 * 3.0) + 1.0 * 2.0 * 1.0 * 2.0 / (9.0 * 2.0);
        assert!((lr.expected_a - e).abs() < 1e-15);
        assert!((lr.variance - v).abs() < 1e-15);
        assert!((lr.statistic - (2.0 - e).powi(2) / v).abs() < 1e-14);
    }
}
