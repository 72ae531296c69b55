//! Model inputs, fitted results, warnings and errors shared by the regression models.

use std::fmt;

use crate::dist::normal_two_sided_p;

/// Why a model could not be fitted at all.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StatsError {
    #[error("no observations")]
    Empty,
    #[error("invalid input: {0}")]
    InvalidInput(String),
    #[error("singular design: {0}")]
    Singular(String),
    #[error("not supported: {0}")]
    Unsupported(String),
    /// The analysis is not defined for these data; the message says why in plain words.
    #[error("{0}")]
    NotDefined(String),
}

/// Something noteworthy that happened while fitting; the estimates are still returned.
#[derive(Debug, Clone, PartialEq)]
pub enum FitWarning {
    /// The iteration limit was reached before the convergence criterion held.
    NotConverged {
        model: &'static str,
        iterations: usize,
        criterion: f64,
    },
    /// Fitted probabilities numerically 0 or 1: (quasi-)complete separation.
    Separation {
        model: &'static str,
        observations: usize,
    },
    /// A step had to be shortened to keep a parameter in its domain.
    StepHalved {
        model: &'static str,
        iteration: usize,
    },
    /// The information matrix was not positive definite at the estimate.
    NotPositiveDefinite { model: &'static str },
    /// A dependence parameter left its admissible range and was clamped.
    DependenceClamped { model: &'static str, value: f64 },
}

impl fmt::Display for FitWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FitWarning::NotConverged {
                model,
                iterations,
                criterion,
            } => write!(
                f,
                "{model}: did not converge in {iterations} iterations (last criterion {criterion:e})"
            ),
            FitWarning::Separation {
                model,
                observations,
            } => write!(
                f,
                "{model}: {observations} fitted probabilities are numerically 0 or 1 \
                 (possible separation; estimates may not be identified)"
            ),
            FitWarning::StepHalved { model, iteration } => {
                write!(
                    f,
                    "{model}: step shortened at iteration {iteration} to stay in the parameter space"
                )
            }
            FitWarning::NotPositiveDefinite { model } => {
                write!(
                    f,
                    "{model}: information matrix not positive definite at the estimate"
                )
            }
            FitWarning::DependenceClamped { model, value } => {
                write!(
                    f,
                    "{model}: working correlation {value} out of range, clamped"
                )
            }
        }
    }
}

/// Observations for a regression model: response, a row-major design matrix
/// with `k` columns, and optionally an offset and observation weights.
///
/// Weights multiply each observation's contribution to the estimating
/// equations (frequency-weight semantics), so a propensity-weighted analysis
/// uses the same models without reshaping the API.
#[derive(Debug, Clone, Copy)]
pub struct ModelData<'a> {
    y: &'a [f64],
    x: &'a [f64],
    k: usize,
    offset: Option<&'a [f64]>,
    weights: Option<&'a [f64]>,
}

impl<'a> ModelData<'a> {
    /// `x` holds `y.len()` rows of `k` values each.
    pub fn new(y: &'a [f64], x: &'a [f64], k: usize) -> Result<Self, StatsError> {
        if y.is_empty() {
            return Err(StatsError::Empty);
        }
        if k == 0 || x.len() != y.len() * k {
            return Err(StatsError::InvalidInput(format!(
                "design has {} values, expected {} rows × {} columns",
                x.len(),
                y.len(),
                k
            )));
        }
        if let Some(i) = y.iter().position(|v| !v.is_finite()) {
            return Err(StatsError::InvalidInput(format!(
                "response {i} is not finite"
            )));
        }
        if let Some(i) = x.iter().position(|v| !v.is_finite()) {
            return Err(StatsError::InvalidInput(format!(
                "design value in row {} is not finite",
                i / k
            )));
        }
        Ok(ModelData {
            y,
            x,
            k,
            offset: None,
            weights: None,
        })
    }

    /// Adds a fixed offset to the linear predictor (e.g. `ln exposure`).
    pub fn with_offset(mut self, offset: &'a [f64]) -> Result<Self, StatsError> {
        if offset.len() != self.y.len() || offset.iter().any(|v| !v.is_finite()) {
            return Err(StatsError::InvalidInput(
                "offset length or values invalid".into(),
            ));
        }
        self.offset = Some(offset);
        Ok(self)
    }

    /// Adds non-negative observation weights.
    pub fn with_weights(mut self, weights: &'a [f64]) -> Result<Self, StatsError> {
        if weights.len() != self.y.len() || weights.iter().any(|w| !(w.is_finite() && *w >= 0.0)) {
            return Err(StatsError::InvalidInput(
                "weights must be finite, non-negative, one per row".into(),
            ));
        }
        self.weights = Some(weights);
        Ok(self)
    }

    pub fn n(&self) -> usize {
        self.y.len()
    }
    pub fn k(&self) -> usize {
        self.k
    }
    pub fn y(&self) -> &'a [f64] {
        self.y
    }
    pub fn row(&self, i: usize) -> &'a [f64] {
        &self.x[i * self.k..(i + 1) * self.k]
    }
    pub fn offset(&self, i: usize) -> f64 {
        self.offset.map_or(0.0, |o| o[i])
    }
    pub fn weight(&self, i: usize) -> f64 {
        self.weights.map_or(1.0, |w| w[i])
    }
    pub fn has_weights(&self) -> bool {
        self.weights.is_some()
    }
    /// Linear predictor `xᵢᵀβ + offsetᵢ`.
    pub fn eta(&self, i: usize, beta: &[f64]) -> f64 {
        self.row(i)
            .iter()
            .zip(beta)
            .map(|(a, b)| a * b)
            .sum::<f64>()
            + self.offset(i)
    }
}

/// Estimates and their covariance from a fitted model.
#[derive(Debug, Clone, PartialEq)]
pub struct Fit {
    pub coef: Vec<f64>,
    /// Row-major `k × k` covariance of `coef`.
    pub cov: Vec<f64>,
    pub iterations: usize,
    pub converged: bool,
    pub warnings: Vec<FitWarning>,
}

/// Wald summary of one coefficient.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Wald {
    pub coef: f64,
    pub se: f64,
    pub z: f64,
    pub p: f64,
}

impl Wald {
    pub fn new(coef: f64, se: f64) -> Wald {
        let z = coef / se;
        Wald {
            coef,
            se,
            z,
            p: normal_two_sided_p(z),
        }
    }
    /// `(exp(b − crit·se), exp(b + crit·se))`: interval of an odds / rate ratio.
    pub fn ratio_ci(&self, crit: f64) -> (f64, f64) {
        (
            (self.coef - crit * self.se).exp(),
            (self.coef + crit * self.se).exp(),
        )
    }
}

impl Fit {
    pub fn k(&self) -> usize {
        self.coef.len()
    }
    /// Standard errors: square roots of the covariance diagonal.
    pub fn se(&self) -> Vec<f64> {
        let k = self.k();
        (0..k).map(|j| self.cov[j * k + j].sqrt()).collect()
    }
    pub fn wald(&self, j: usize) -> Wald {
        let k = self.k();
        Wald::new(self.coef[j], self.cov[j * k + j].sqrt())
    }
}
