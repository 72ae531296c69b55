//! The results document: the keys and nesting of the reference `golden.json`
//! (SPEC §8), plus figure data for the report that is not serialised.

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

/// Per-term values in design-column order.
pub type TermMap = IndexMap<String, f64>;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Results {
    pub meta: Meta,
    pub derived_sums: DerivedSums,
    /// `None` (JSON `null`) when the model could not be fitted; see `meta.warnings`.
    pub recidivism_6m: Option<LogisticResult>,
    pub felony_followup: Option<LogisticResult>,
    pub arrest_rate: Option<ArrestRateResult>,
    pub housing_gee: Option<GeeResult>,
    pub employment_gee: Option<GeeResult>,
    pub income_gee: Option<GeeResult>,
    pub survival_first_arrest: Option<SurvivalResult>,
    pub cost_change: CostChangeResult,
    pub equity_rri: EquityResult,
    /// Analysis 8 (SPEC §11); `None` when it is not defined for the data (see `meta.warnings`).
    pub ipw: Option<IpwResult>,
    /// Data behind the report's charts (not part of the results file).
    #[serde(skip)]
    pub figures: Figures,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Meta {
    pub spec: String,
    pub study_end: String,
    pub rows: Rows,
    pub n_lead: u64,
    pub n_control: u64,
    pub z975: f64,
    pub rri_z: f64,
    pub settings: Settings,
    /// The software that produced the results.
    pub packages: IndexMap<String, String>,
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rows {
    pub participants: u64,
    pub events: u64,
    pub monthly: u64,
    pub eligible_arrests: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Settings {
    pub glm: GlmSettings,
    pub negbin: NegBinSettings,
    pub gee: GeeSettings,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GlmSettings {
    pub method: String,
    pub maxiter: u64,
    pub tol: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NegBinSettings {
    pub method: String,
    pub maxiter: u64,
    pub tol: f64,
    pub disp: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GeeSettings {
    pub maxiter: u64,
    pub ctol: f64,
    pub params_niter: u64,
    pub first_dep_update: u64,
    pub cov_type: String,
    pub ddof_scale: Option<u64>,
    pub scaling_factor: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ByGroup<T> {
    pub lead: T,
    pub control: T,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DerivedSums {
    pub y_arrest_6m: ByGroup<u64>,
    pub prior_arrests_2y: ByGroup<u64>,
    pub y_felony: ByGroup<u64>,
    pub prior_felony_2y: ByGroup<u64>,
    pub followup_days: ByGroup<u64>,
    pub arrests_post: ByGroup<u64>,
    pub km_time: ByGroup<u64>,
    pub km_event: ByGroup<u64>,
    pub pre_arrests: ByGroup<u64>,
    pub pre_felony_charges: ByGroup<u64>,
    pub pre_misd_charges: ByGroup<u64>,
    pub pre_jail_days: ByGroup<u64>,
    pub pre_prison: ByGroup<u64>,
    pub post_arrests: ByGroup<u64>,
    pub post_felony_charges: ByGroup<u64>,
    pub post_misd_charges: ByGroup<u64>,
    pub post_jail_days: ByGroup<u64>,
    pub post_prison: ByGroup<u64>,
    pub cost_pre: ByGroup<f64>,
    pub cost_post: ByGroup<f64>,
}

/// A regression's Wald table: the terms in design-column order and, per term,
/// coefficient, standard error, z and two-sided p.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CoefTable {
    pub terms: Vec<String>,
    pub coef: TermMap,
    pub se: TermMap,
    pub z: TermMap,
    pub p: TermMap,
}

/// Wald summary of an odds ratio (logistic regression, GEE).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OddsRatio {
    pub coef: f64,
    pub se: f64,
    pub z: f64,
    pub p: f64,
    pub or: f64,
    pub ci_low: f64,
    pub ci_high: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pct_change_odds: Option<f64>,
}

/// Wald summary of an incidence rate ratio.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RateRatio {
    pub coef: f64,
    pub se: f64,
    pub z: f64,
    pub p: f64,
    pub irr: f64,
    pub ci_low: f64,
    pub ci_high: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogisticResult {
    #[serde(flatten)]
    pub model: LogisticFit,
    pub group_lead: OddsRatio,
}

/// A logistic regression fitted by maximum likelihood (SPEC §4.1–§4.3).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogisticFit {
    pub n: u64,
    pub n_events: u64,
    #[serde(flatten)]
    pub table: CoefTable,
    pub loglike: f64,
    pub deviance: f64,
    pub iterations: u64,
    pub converged: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArrestRateResult {
    pub n: u64,
    pub total_arrests: u64,
    pub total_exposure_years: f64,
    #[serde(flatten)]
    pub table: CoefTable,
    pub alpha: f64,
    pub alpha_se: f64,
    pub loglike: f64,
    pub iterations: u64,
    pub converged: bool,
    pub max_abs_score: f64,
    pub group_lead: RateRatio,
    pub poisson: Option<PoissonResult>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PoissonResult {
    pub n: u64,
    #[serde(flatten)]
    pub table: CoefTable,
    pub loglike: f64,
    pub deviance: f64,
    pub pearson_chi2: f64,
    pub iterations: u64,
    pub converged: bool,
    pub group_lead: RateRatio,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GeeResult {
    pub n_obs: u64,
    pub n_clusters: u64,
    pub n_events: u64,
    #[serde(flatten)]
    pub table: CoefTable,
    pub se_naive: TermMap,
    pub exchangeable_corr: f64,
    pub scale: f64,
    pub iterations: u64,
    pub converged: bool,
    pub score_norm: f64,
    pub dep_update_scale: f64,
    pub exchangeable_corr_at_final_params: f64,
    pub group_post: OddsRatio,
    pub outcome: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SurvivalResult {
    pub times: Vec<u64>,
    pub lead: KmSummary,
    pub control: KmSummary,
    pub logrank: Option<LogRankResult>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KmSummary {
    pub n: u64,
    pub events: u64,
    pub surv: IndexMap<String, f64>,
    pub median: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogRankResult {
    pub statistic: f64,
    pub p: f64,
    pub df: u64,
    pub observed_lead: f64,
    pub expected_lead: f64,
    pub variance: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CostChangeResult {
    pub unit_costs: IndexMap<String, f64>,
    pub lead: CostGroup,
    pub control: CostGroup,
    pub did: Option<f64>,
    pub welch: Option<WelchResult>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CostGroup {
    pub n: u64,
    pub mean_pre: Option<f64>,
    pub mean_post: Option<f64>,
    pub mean_change: Option<f64>,
    pub sd_change: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WelchResult {
    pub t: f64,
    pub df: f64,
    pub p: f64,
    pub se: f64,
    pub t_crit: f64,
    pub ci_low: f64,
    pub ci_high: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EquityResult {
    pub reference: String,
    pub races: IndexMap<String, RaceRow>,
    pub n: u64,
    pub overall_rate: Option<f64>,
    pub chi2: Option<ChiSquareResult>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RaceRow {
    pub n: u64,
    pub diverted: u64,
    pub rate: f64,
    pub rri: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub se_log: Option<f64>,
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChiSquareResult {
    pub statistic: f64,
    pub dof: u64,
    pub p: f64,
}

/// Propensity-score weighting (SPEC §11.6).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IpwResult {
    pub settings: IpwSettings,
    pub n: u64,
    pub n_lead: u64,
    pub n_control: u64,
    pub p_treat: f64,
    pub propensity: PropensityResult,
    pub weights: ByGroup<WeightSummary>,
    pub balance: Balance,
    pub recidivism_6m: Option<IpwOutcome>,
    pub felony_followup: Option<IpwOutcome>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IpwSettings {
    pub propensity_glm: GlmSettings,
    pub outcome_glm: WeightedGlmSettings,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WeightedGlmSettings {
    pub method: String,
    pub maxiter: u64,
    pub tol: f64,
    pub cov_type: String,
    pub weights: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PropensityResult {
    #[serde(flatten)]
    pub model: LogisticFit,
    /// Propensity scores per group.
    pub ps: ByGroup<MinMeanMax>,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct MinMeanMax {
    pub min: f64,
    pub mean: f64,
    pub max: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct WeightSummary {
    pub n: u64,
    pub sum: f64,
    pub mean: f64,
    pub min: f64,
    pub max: f64,
    /// Kish effective sample size `(Σw)² / Σw²`.
    pub ess: f64,
}

/// Standardised mean differences before and after weighting (SPEC §11.4).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Balance {
    pub terms: Vec<String>,
    pub mean_lead: TermMap,
    pub mean_control: TermMap,
    pub sd_lead: TermMap,
    pub sd_control: TermMap,
    pub sd_pooled: TermMap,
    pub wmean_lead: TermMap,
    pub wmean_control: TermMap,
    /// `null` for a covariate with pooled SD 0.
    pub smd_before: IndexMap<String, Option<f64>>,
    pub smd_after: IndexMap<String, Option<f64>>,
    pub max_abs_smd_before: Option<f64>,
    pub max_abs_smd_after: Option<f64>,
}

/// A weighted two-group outcome model with its unweighted counterpart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IpwOutcome {
    pub outcome: String,
    pub n: u64,
    pub n_events: u64,
    /// Standard errors are the HC0 sandwich.
    #[serde(flatten)]
    pub table: CoefTable,
    pub iterations: u64,
    pub converged: bool,
    pub risk_lead: f64,
    pub risk_control: f64,
    pub group_lead: OddsRatio,
    pub unweighted: UnweightedOutcome,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnweightedOutcome {
    #[serde(flatten)]
    pub table: CoefTable,
    pub iterations: u64,
    pub converged: bool,
    pub group_lead: OddsRatio,
}

/// Chart data for the report.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Figures {
    /// Kaplan–Meier step points `(day, S)` per group, starting at `(0, 1)`.
    pub km_lead: Vec<(f64, f64)>,
    pub km_control: Vec<(f64, f64)>,
    /// Numbers at risk at `km_risk_times` per group.
    pub km_risk_times: Vec<u64>,
    pub km_risk_lead: Vec<u64>,
    pub km_risk_control: Vec<u64>,
    /// Per outcome (housed, employed, income_benefits): `(month, observed, ones)`, month 0 excluded.
    pub monthly: Vec<MonthlySeries>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct MonthlySeries {
    pub outcome: String,
    pub label: String,
    pub points: Vec<(i32, u64, u64)>,
}
