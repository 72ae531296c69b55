//! Digamma and trigamma for the negative binomial likelihood.

/// Digamma ψ(x) for x > 0 (recurrence up to x ≥ 10, then the asymptotic series).
pub fn digamma(mut x: f64) -> f64 {
    if x.is_nan() || x <= 0.0 || x.is_infinite() {
        return f64::NAN;
    }
    let mut acc = 0.0;
    while x < 10.0 {
        acc -= 1.0 / x;
        x += 1.0;
    }
    let x2 = 1.0 / (x * x);
    // Bernoulli terms B2k/(2k x^2k), k = 1..7
    let series = x2
        * (1.0 / 12.0
            - x2 * (1.0 / 120.0
                - x2 * (1.0 / 252.0
                    - x2 * (1.0 / 240.0
                        - x2 * (1.0 / 132.0 - x2 * (691.0 / 32760.0 - x2 / 12.0))))));
    acc + x.ln() - 0.5 / x - series
}

/// Trigamma ψ₁(x) for x > 0 (recurrence up to x ≥ 10, then the asymptotic series).
pub fn trigamma(mut x: f64) -> f64 {
    if x.is_nan() || x <= 0.0 || x.is_infinite() {
        return f64::NAN;
    }
    let mut acc = 0.0;
    while x < 10.0 {
        acc += 1.0 / (x * x);
        x += 1.0;
    }
    let ix = 1.0 / x;
    let x2 = ix * ix;
    // 1/x + 1/(2x²) + Σ B2k / x^(2k+1)
    let series = ix
        + 0.5 * x2
        + ix * x2
            * (1.0 / 6.0
                - x2 * (1.0 / 30.0
                    - x2 * (1.0 / 42.0
                        - x2 * (1.0 / 30.0
                            - x2 * (5.0 / 66.0 - x2 * (691.0 / 2730.0 - x2 * 7.0 / 6.0))))));
    acc + series
}

/// ln Γ(x) for x > 0.
pub fn ln_gamma(x: f64) -> f64 {
    libm::lgamma(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digamma_known_values() {
        // ψ(1) = −γ, ψ(0.5) = −γ − 2 ln 2
        let gamma = 0.577_215_664_901_532_9;
        assert!((digamma(1.0) + gamma).abs() < 1e-14);
        assert!((digamma(0.5) + gamma + 2.0 * 2f64.ln()).abs() < 1e-14);
        assert!((digamma(7.25) - digamma(6.25) - 1.0 / 6.25).abs() < 1e-15);
    }

    #[test]
    fn trigamma_known_values() {
        let pi2 = std::f64::consts::PI.powi(2);
        assert!((trigamma(1.0) - pi2 / 6.0).abs() < 1e-14);
        assert!((trigamma(0.5) - pi2 / 2.0).abs() < 1e-13);
        // ψ₁(x) − ψ₁(x+1) = 1/x²
        assert!((trigamma(3.3) - trigamma(4.3) - 1.0 / (3.3f64 * 3.3)).abs() < 1e-15);
    }
}

/// Regularised upper incomplete gamma `Q(a, x) = Γ(a, x)/Γ(a)` for a > 0, x ≥ 0
/// (series below `a + 1`, Lentz continued fraction above), to ~1e-15 relative.
pub fn gamma_q(a: f64, x: f64) -> f64 {
    if a.is_nan() || a <= 0.0 || x.is_nan() || x < 0.0 {
        return f64::NAN;
    }
    if x == 0.0 {
        return 1.0;
    }
    if x.is_infinite() {
        return 0.0;
    }
    let log_prefix = a * x.ln() - x - ln_gamma(a);
    if x < a + 1.0 {
        // P(a, x) = e^{-x} x^a / Γ(a+1) · Σ x^n / ((a+1)…(a+n))
        let mut term = 1.0 / a;
        let mut sum = term;
        let mut ap = a;
        for _ in 0..10_000 {
            ap += 1.0;
            term *= x / ap;
            sum += term;
            if term.abs() < sum.abs() * 1e-17 {
                break;
            }
        }
        1.0 - sum * log_prefix.exp()
    } else {
        let tiny = 1e-300;
        let mut b = x + 1.0 - a;
        let mut c = 1.0 / tiny;
        let mut d = 1.0 / b;
        let mut h = d;
        for i in 1..10_000 {
            let an = -(i as f64) * (i as f64 - a);
            b += 2.0;
            d = an * d + b;
            if d.abs() < tiny {
                d = tiny;
            }
            c = b + an / c;
            if c.abs() < tiny {
                c = tiny;
            }
            d = 1.0 / d;
            let delta = d * c;
            h *= delta;
            if (delta - 1.0).abs() < 1e-17 {
                break;
            }
        }
        (log_prefix.exp()) * h
    }
}

#[cfg(test)]
mod gamma_tests {
    use super::*;

    #[test]
    fn gamma_q_against_closed_forms() {
        // Q(1, x) = e^{-x}; Q(1/2, x) = erfc(√x)
        for x in [0.1, 0.7, 1.5, 3.0, 20.0, 200.0] {
            assert!(
                (gamma_q(1.0, x) / (-x).exp() - 1.0).abs() < 1e-13,
                "{x}: {}",
                gamma_q(1.0, x)
            );
            let e = libm::erfc(f64::sqrt(x));
            assert!(
                (gamma_q(0.5, x) / e - 1.0).abs() < 1e-12,
                "{x}: {} vs {e}",
                gamma_q(0.5, x)
            );
        }
    }
}
