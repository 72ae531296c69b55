//! In-memory index of a site's persons for scoring one incoming record (intake
//! "already known?", booking-feed matching) without retraining.

use std::collections::HashMap;

use crate::block::KeyFn;
use crate::compare::MAX_FIELDS;
use crate::config::ComparisonKind;
use crate::data::{FxMap, Value, normalise};
use crate::error::{LinkError, Result};
use crate::model::{Explanation, Model, Scorer, probability};

/// A person record: an id and column values (missing columns are empty).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Record {
    pub id: String,
    pub values: HashMap<String, String>,
}

impl Record {
    pub fn new(id: impl Into<String>) -> Record {
        Record {
            id: id.into(),
            values: HashMap::new(),
        }
    }
    /// Builder: set one column.
    pub fn with(mut self, column: &str, value: impl Into<String>) -> Record {
        self.values.insert(column.to_owned(), value.into());
        self
    }
}

/// A scored candidate from the index.
#[derive(Clone, Debug, PartialEq)]
pub struct Match {
    pub id: String,
    pub match_weight: f64,
    pub match_probability: f64,
    pub explanation: Explanation,
}

/// A trained model plus a site's persons, indexed by every blocking rule.
#[derive(Debug)]
pub struct PersonIndex {
    scorer: Scorer,
    kinds: Vec<ComparisonKind>,
    keys: Vec<KeyFn>,
    ids: Vec<String>,
    /// Distinct values per field (index 0 unused) and their counts.
    values: Vec<Vec<Value>>,
    counts: Vec<Vec<u32>>,
    totals: Vec<u64>,
    lookup: Vec<FxMap<Box<str>, u32>>,
    /// `codes[row * fields + field]`.
    codes: Vec<u32>,
    buckets: Vec<FxMap<u64, Vec<u32>>>,
}

impl PersonIndex {
    /// Build the index from a trained model and the site's persons.
    pub fn build(model: &Model, records: impl IntoIterator<Item = Record>) -> Result<PersonIndex> {
        let scorer = model.scorer()?;
        let kinds: Vec<ComparisonKind> = model.config.fields.iter().map(|f| f.comparison).collect();
        let nf = kinds.len();
        let keys = KeyFn::compile(&model.config);
        let mut idx = PersonIndex {
            scorer,
            keys,
            ids: Vec::new(),
            values: kinds.iter().map(|&k| vec![Value::prepare(k, "")]).collect(),
            counts: vec![vec![0]; nf],
            totals: vec![0; nf],
            lookup: vec![FxMap::default(); nf],
            codes: Vec::new(),
            buckets: Vec::new(),
            kinds,
        };
        idx.buckets = vec![FxMap::default(); idx.keys.len()];
        // Ids seen so far, by hash (row of the first holder).
        let mut seen: FxMap<u64, u32> = FxMap::default();
        for rec in records {
            let h = crate::text::hash_bytes(rec.id.as_bytes());
            if let Some(&first) = seen.get(&h)
                && idx.ids[first as usize] == rec.id
            {
                return Err(LinkError::Spec(format!("duplicate person id `{}`", rec.id)));
            }
            let row = idx.ids.len() as u32;
            seen.entry(h).or_insert(row);
            for (f, field) in model.config.fields.iter().enumerate() {
                let raw = rec.values.get(&field.column).map_or("", String::as_str);
                let text = normalise(idx.kinds[f], raw);
                let code = if text.is_empty() {
                    0
                } else if let Some(&c) = idx.lookup[f].get(text.as_str()) {
                    c
                } else {
                    let c = idx.values[f].len() as u32;
                    idx.values[f].push(Value::prepare(idx.kinds[f], &text));
                    idx.counts[f].push(0);
                    idx.lookup[f].insert(text.into_boxed_str(), c);
                    c
                };
                if code != 0 {
                    idx.counts[f][code as usize] += 1;
                    idx.totals[f] += 1;
                }
                idx.codes.push(code);
            }
            idx.ids.push(rec.id);
            let side = idx.side(row as usize);
            let ks: Vec<u64> = idx.keys.iter().map(|k| k.key(&side)).collect();
            for (b, k) in idx.buckets.iter_mut().zip(ks) {
                if k != 0 {
                    b.entry(k).or_default().push(row);
                }
            }
        }
        Ok(idx)
    }

    /// Number of indexed persons.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    fn side(&self, row: usize) -> [Option<&Value>; MAX_FIELDS] {
        let nf = self.kinds.len();
        let mut out = [None; MAX_FIELDS];
        for (f, slot) in out.iter_mut().enumerate().take(nf) {
            let c = self.codes[row * nf + f];
            *slot = (c != 0).then(|| &self.values[f][c as usize]);
        }
        out
    }

    /// The `k` best-scoring indexed persons for `record`, best first, with
    /// their waterfall. Only persons sharing a blocking key are considered.
    pub fn best_matches(&self, record: &Record, k: usize) -> Vec<Match> {
        let nf = self.kinds.len();
        let prepared: Vec<Option<Value>> = (0..nf)
            .map(|f| {
                let column = &self.scorer.comparator.fields[f].column;
                let text = normalise(
                    self.kinds[f],
                    record.values.get(column).map_or("", String::as_str),
                );
                (!text.is_empty()).then(|| Value::prepare(self.kinds[f], &text))
            })
            .collect();
        let mut q: [Option<&Value>; MAX_FIELDS] = [None; MAX_FIELDS];
        for (slot, v) in q.iter_mut().zip(&prepared) {
            *slot = v.as_ref();
        }
        let mut rows: Vec<u32> = Vec::new();
        for (key, bucket) in self.keys.iter().zip(&self.buckets) {
            let kq = key.key(&q);
            if kq != 0
                && let Some(b) = bucket.get(&kq)
            {
                rows.extend_from_slice(b);
            }
        }
        rows.sort_unstable();
        rows.dedup();
        let tf = |row: usize, f: usize| {
            let c = self.codes[row * nf + f] as usize;
            if self.totals[f] == 0 {
                0.0
            } else {
                f64::from(self.counts[f][c]) / self.totals[f] as f64
            }
        };
        let mut scored: Vec<(f64, u32, u64)> = rows
            .iter()
            .map(|&r| {
                let side = self.side(r as usize);
                let pattern = self.scorer.comparator.pattern(&side, &q);
                (
                    self.scorer.weight(pattern, |f| tf(r as usize, f)),
                    r,
                    pattern,
                )
            })
            .collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        scored.truncate(k);
        scored
            .into_iter()
            .map(|(w, r, pattern)| Match {
                id: self.ids[r as usize].clone(),
                match_weight: w,
                match_probability: probability(w),
                explanation: self.scorer.explain(pattern, |f| tf(r as usize, f)),
            })
            .collect()
    }
}
