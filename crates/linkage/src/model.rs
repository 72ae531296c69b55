//! The trained Fellegi–Sunter model: parameters, scoring, explanation, JSON.

use std::path::Path;
use std::time::{Duration, Instant};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::block::Candidates;
use crate::compare::{Comparator, MISSING, Rule, level_of};
use crate::config::Config;
use crate::data::Dataset;
use crate::error::{LinkError, Result};
use crate::train;

/// m and u of one comparison level.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LevelParams {
    pub label: String,
    pub m: f64,
    pub u: f64,
}

/// Parameters of one field.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FieldParams {
    pub column: String,
    pub levels: Vec<LevelParams>,
}

/// How the model was trained (for the record; not used in scoring).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
pub struct TrainingInfo {
    pub candidate_pairs: u64,
    /// Candidate pairs first produced by each blocking rule.
    pub pairs_per_rule: Vec<(String, u64)>,
    pub distinct_patterns: u64,
    pub u_samples: u64,
    /// EM sessions (one per blocking rule) that estimated m.
    pub sessions: Vec<train::Session>,
}

/// A trained model; saved to and loaded from JSON.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Model {
    pub format: u32,
    pub config: Config,
    /// Probability that two random records match (the prior).
    pub lambda: f64,
    pub fields: Vec<FieldParams>,
    pub training: TrainingInfo,
}

/// A scored candidate pair (row indices into the left and right tables).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ScoredPair {
    pub left: u32,
    pub right: u32,
    pub pattern: u64,
    pub match_weight: f64,
    pub match_probability: f64,
}

/// One field's contribution to a pair's match weight.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Contribution {
    pub column: String,
    pub level: String,
    /// log2(m/u) of the level (0 when missing).
    pub weight: f64,
    /// Term-frequency adjustment added to the weight (exact level only).
    #[serde(skip_serializing_if = "is_zero", default)]
    pub tf_adjustment: f64,
}

fn is_zero(x: &f64) -> bool {
    *x == 0.0
}

/// The waterfall of a pair: prior plus per-field contributions.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Explanation {
    pub prior_weight: f64,
    pub fields: Vec<Contribution>,
    pub match_weight: f64,
    pub match_probability: f64,
}

/// Convert a match weight (log2 Bayes factor incl. prior) to a probability.
pub fn probability(weight: f64) -> f64 {
    let p = 1.0 / (1.0 + (-weight).exp2());
    p.clamp(0.0, 1.0)
}

/// Precomputed log2 weights for fast scoring.
#[derive(Clone, Debug)]
pub struct Scorer {
    pub prior: f64,
    pub weights: Vec<Vec<f64>>,
    /// log2(u) of the exact level for fields with a term-frequency adjustment.
    pub tf_log2_u: Vec<Option<f64>>,
    pub comparator: Comparator,
}

impl Scorer {
    /// Weight of a pattern; `tf(f)` gives the term frequency of the left
    /// value of field `f` (only asked for exact, TF-adjusted levels).
    #[inline]
    pub fn weight(&self, pattern: u64, tf: impl Fn(usize) -> f64) -> f64 {
        let mut w = self.prior;
        for (f, wf) in self.weights.iter().enumerate() {
            let l = level_of(pattern, f);
            if l == MISSING {
                continue;
            }
            w += wf[l as usize];
            if l == 0
                && let Some(lu) = self.tf_log2_u[f]
            {
                w += tf_adjustment(lu, tf(f));
            }
        }
        w
    }

    /// The waterfall of a pattern.
    pub fn explain(&self, pattern: u64, tf: impl Fn(usize) -> f64) -> Explanation {
        let fields = self
            .comparator
            .fields
            .iter()
            .enumerate()
            .map(|(f, fc)| {
                let l = level_of(pattern, f);
                if l == MISSING {
                    return Contribution {
                        column: fc.column.clone(),
                        level: "missing".into(),
                        weight: 0.0,
                        tf_adjustment: 0.0,
                    };
                }
                let adj = match (l, self.tf_log2_u[f]) {
                    (0, Some(lu)) => tf_adjustment(lu, tf(f)),
                    _ => 0.0,
                };
                Contribution {
                    column: fc.column.clone(),
                    level: fc.labels[l as usize].clone(),
                    weight: self.weights[f][l as usize],
                    tf_adjustment: adj,
                }
            })
            .collect();
        let w = self.weight(pattern, tf);
        Explanation {
            prior_weight: self.prior,
            fields,
            match_weight: w,
            match_probability: probability(w),
        }
    }
}

/// log2(u_exact / tf(value)), bounded so one value cannot dominate.
fn tf_adjustment(log2_u: f64, tf: f64) -> f64 {
    if tf <= 0.0 {
        return 0.0;
    }
    (log2_u - tf.log2()).clamp(-10.0, 10.0)
}

impl Model {
    /// Train on a loaded data set: u by random sampling, m and λ by EM over
    /// the candidate pairs.
    pub fn train(
        config: &Config,
        ds: &Dataset,
        cands: &Candidates,
        progress: &dyn crate::Progress,
    ) -> Result<Model> {
        Ok(Model::train_timed(config, ds, cands, progress)?.0)
    }

    /// [`Model::train`], also returning the time spent sampling u and in EM.
    pub fn train_timed(
        config: &Config,
        ds: &Dataset,
        cands: &Candidates,
        progress: &dyn crate::Progress,
    ) -> Result<(Model, Duration, Duration)> {
        let cmp = Comparator::new(config).map_err(LinkError::Spec)?;
        let t = Instant::now();
        let u = train::estimate_u(ds, &cmp, config.u_samples, config.seed, progress);
        let u_time = t.elapsed();
        let t = Instant::now();
        progress.begin(crate::Phase::Em, 1);
        let keys = crate::block::KeyFn::compile(config);
        let identity = |k: &crate::block::KeyFn| {
            k.fields().iter().all(|&f| {
                use crate::config::ComparisonKind as K;
                matches!(
                    cmp.fields[f].kind,
                    K::GivenName | K::Surname | K::MiddleName | K::Date | K::Identifier
                )
            })
        };
        let chosen: Vec<&crate::block::KeyFn> = match &config.em_rules {
            Some(names) => keys.iter().filter(|k| names.contains(&k.name)).collect(),
            None if keys.iter().any(identity) => keys.iter().filter(|k| identity(k)).collect(),
            None => keys.iter().collect(),
        };
        // Sessions are indexed by blocking rule; unchosen rules get no session.
        let names: Vec<String> = keys.iter().map(|k| k.name.clone()).collect();
        let rule_fields: Vec<Option<Vec<usize>>> = keys
            .iter()
            .map(|k| chosen.iter().any(|c| c.name == k.name).then(|| k.fields()))
            .collect();
        let (m, sessions) =
            train::estimate_m(cands, &names, &rule_fields, &u, config.em_max_iterations);
        let patterns = train::pattern_counts(cands);
        let (nl, nr) = (ds.left.len() as f64, ds.right_table().len() as f64);
        let total_pairs = if ds.is_dedupe() {
            nl * (nl - 1.0) / 2.0
        } else {
            nl * nr
        };
        let lambda = train::estimate_lambda(&patterns, &m, &u, total_pairs);
        progress.advance(1);
        progress.end(crate::Phase::Em);
        let em_time = t.elapsed();
        let fields = cmp
            .fields
            .iter()
            .enumerate()
            .map(|(f, fc)| FieldParams {
                column: fc.column.clone(),
                levels: fc
                    .labels
                    .iter()
                    .enumerate()
                    .map(|(l, label)| LevelParams {
                        label: label.clone(),
                        m: m[f][l],
                        u: u[f][l],
                    })
                    .collect(),
            })
            .collect();
        let model = Model {
            format: 1,
            config: config.clone(),
            lambda,
            fields,
            training: TrainingInfo {
                candidate_pairs: cands.pairs.len() as u64,
                pairs_per_rule: cands.per_rule.clone(),
                distinct_patterns: patterns.len() as u64,
                u_samples: config.u_samples,
                sessions,
            },
        };
        Ok((model, u_time, em_time))
    }

    /// Check the parameters against the configuration.
    pub fn check(&self) -> std::result::Result<Comparator, String> {
        let cmp = Comparator::new(&self.config)?;
        if self.fields.len() != cmp.fields.len() {
            return Err("fields do not match the configuration".into());
        }
        for (fp, fc) in self.fields.iter().zip(&cmp.fields) {
            if fp.column != fc.column || fp.levels.len() != fc.labels.len() {
                return Err(format!(
                    "field `{}` does not match the configuration",
                    fp.column
                ));
            }
            if fp
                .levels
                .iter()
                .any(|l| !(l.m > 0.0 && l.m <= 1.0 && l.u > 0.0 && l.u <= 1.0))
            {
                return Err(format!("field `{}`: m and u must be in (0, 1]", fp.column));
            }
        }
        if !(self.lambda > 0.0 && self.lambda < 1.0) {
            return Err("lambda must be in (0, 1)".into());
        }
        Ok(cmp)
    }

    /// Fast scorer for this model.
    pub fn scorer(&self) -> Result<Scorer> {
        let comparator = self.check().map_err(LinkError::Spec)?;
        let weights = self
            .fields
            .iter()
            .map(|f| f.levels.iter().map(|l| (l.m / l.u).log2()).collect())
            .collect();
        let tf_log2_u = comparator
            .fields
            .iter()
            .zip(&self.fields)
            .map(|(fc, fp)| {
                (fc.term_frequency && fc.rules[0] == Rule::Exact).then(|| fp.levels[0].u.log2())
            })
            .collect();
        Ok(Scorer {
            prior: (self.lambda / (1.0 - self.lambda)).log2(),
            weights,
            tf_log2_u,
            comparator,
        })
    }

    /// Score all candidate pairs; keep those with probability ≥ `threshold`.
    pub fn score(
        &self,
        ds: &Dataset,
        cands: &Candidates,
        threshold: f64,
    ) -> Result<Vec<ScoredPair>> {
        let scorer = self.scorer()?;
        Ok(cands
            .pairs
            .par_iter()
            .filter_map(|c| {
                let w = scorer.weight(c.pattern, |f| {
                    ds.tf[f][ds.left.codes[f][c.left as usize] as usize]
                });
                let p = probability(w);
                (p >= threshold).then_some(ScoredPair {
                    left: c.left,
                    right: c.right,
                    pattern: c.pattern,
                    match_weight: w,
                    match_probability: p,
                })
            })
            .collect())
    }

    /// The waterfall of a scored pair of `ds`.
    pub fn explain(&self, scorer: &Scorer, ds: &Dataset, pair: &ScoredPair) -> Explanation {
        scorer.explain(pair.pattern, |f| {
            ds.tf[f][ds.left.codes[f][pair.left as usize] as usize]
        })
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    pub fn save(&self, path: &Path) -> Result<()> {
        std::fs::write(path, self.to_json()).map_err(LinkError::io(path))
    }

    pub fn load(path: &Path) -> Result<Model> {
        let invalid = |path, message| LinkError::Model { path, message };
        crate::error::read_parsed(path, invalid, |text| {
            let model: Model = serde_json::from_str(text).map_err(|e| e.to_string())?;
            model.config.check()?;
            model.check()?;
            Ok(model)
        })
    }
}
