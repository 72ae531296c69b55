//! Distribution functions used for p-values and critical values.

use libm::erfc;
use statrs::distribution::{ContinuousCDF, StudentsT};

/// `Φ⁻¹(0.975)` at full double precision (Wald intervals of coefficients).
pub const Z975: f64 = 1.959_963_984_540_054;

/// Two-sided normal p-value `2·Φ(−|z|)`, computed as `erfc(|z|/√2)` so tiny
/// p-values keep their relative precision (NaN for a NaN `z`).
pub fn normal_two_sided_p(z: f64) -> f64 {
    erfc(z.abs() / std::f64::consts::SQRT_2)
}

/// Upper tail `P(χ²_df > x)`; NaN when `df` is not positive.
pub fn chi_square_sf(x: f64, df: f64) -> f64 {
    if df.is_nan() || df <= 0.0 || !x.is_finite() {
        return f64::NAN;
    }
    if df == 1.0 {
        // exact for one degree of freedom, full relative precision in the tail
        return erfc((x.max(0.0) / 2.0).sqrt());
    }
    crate::special::gamma_q(df / 2.0, x.max(0.0) / 2.0)
}

/// Student t cumulative distribution with real degrees of freedom.
pub fn student_t_cdf(t: f64, df: f64) -> f64 {
    match StudentsT::new(0.0, 1.0, df) {
        Ok(d) => d.cdf(t),
        Err(_) => f64::NAN,
    }
}

/// Student t quantile by safeguarded Newton iteration on the CDF (full precision).
pub fn student_t_quantile(p: f64, df: f64) -> f64 {
    let Ok(d) = StudentsT::new(0.0, 1.0, df) else {
        return f64::NAN;
    };
    if p.is_nan() || p <= 0.0 || p >= 1.0 {
        return f64::NAN;
    }
    // bracket the root
    let (mut lo, mut hi) = (-1.0, 1.0);
    while d.cdf(lo) > p && lo > -1e300 {
        lo *= 2.0;
    }
    while d.cdf(hi) < p && hi < 1e300 {
        hi *= 2.0;
    }
    let mut x = 0.5 * (lo + hi);
    for _ in 0..200 {
        let f = d.cdf(x) - p;
        if f == 0.0 {
            break;
        }
        if f < 0.0 {
            lo = x;
        } else {
            hi = x;
        }
        let dens = statrs::distribution::Continuous::pdf(&d, x);
        let newton = x - f / dens;
        let next = if dens > 0.0 && newton > lo && newton < hi {
            newton
        } else {
            0.5 * (lo + hi)
        };
        if (next - x).abs() <= 1e-15 * x.abs().max(1e-300) {
            x = next;
            break;
        }
        x = next;
    }
    x
}
