//! Pure statistics for LEAD outcome evaluations.
//!
//! Regression models (logistic and Poisson GLM by IRLS, optionally weighted
//! with a robust HC0 sandwich, negative binomial NB2
//! by maximum likelihood, GEE with an exchangeable working correlation),
//! Kaplan–Meier with the log-rank test, Welch's t-test, the relative rate
//! index and the chi-square test of independence.
//!
//! Architecture invariant: this crate does no I/O (no files, no database, no
//! network) and never panics on data: a singular design is an error, while
//! non-convergence or separation is a [`FitWarning`] carried in the result.

mod dist;
pub mod equity;
pub mod gee;
pub mod glm;
mod linalg;
pub mod means;
mod model;
pub mod negbin;
pub mod special;
pub mod survival;

pub use dist::{Z975, chi_square_sf, normal_two_sided_p, student_t_cdf, student_t_quantile};
pub use equity::{ChiSquareTest, RateRatio, chi_square_independence, relative_rate_index};
pub use gee::{GeeFit, GeeOptions, fit_gee_exchangeable_logit};
pub use glm::{Family, GlmFit, GlmOptions, fit_glm, hc0_covariance};
pub use means::{MeanSd, WelchTest, mean_sd, welch_t_test};
pub use model::{Fit, FitWarning, ModelData, StatsError, Wald};
pub use negbin::{NegBinFit, NegBinOptions, fit_negbin2};
pub use survival::{KaplanMeier, LogRank, logrank_test};
