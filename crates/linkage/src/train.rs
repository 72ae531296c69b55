//! Training: u-probabilities from seeded random pairs, m-probabilities and the
//! match rate λ by expectation–maximisation over the candidate pairs' patterns.
//! Neither step sees any truth.

use std::collections::HashMap;

use rayon::prelude::*;

use crate::block::{Candidates, side};
use crate::compare::{Comparator, MISSING, Rule, level_of};
use crate::data::Dataset;

/// SplitMix64: a small, seeded, platform-independent generator.
#[derive(Clone, Debug)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    pub fn new(seed: u64) -> Self {
        SplitMix64(seed)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }
}

const CHUNK: u64 = 1 << 16;

/// u-probabilities per field and level from `samples` random record pairs
/// (deterministic for a seed, whatever the thread count). The exact level's
/// u is computed from value frequencies instead (exact, not sampled).
pub fn estimate_u(
    ds: &Dataset,
    cmp: &Comparator,
    samples: u64,
    seed: u64,
    progress: &dyn crate::Progress,
) -> Vec<Vec<f64>> {
    let nf = cmp.fields.len();
    let nl = ds.left.len() as u64;
    let right = ds.right_table();
    let nr = right.len() as u64;
    // No point sampling more pairs than there are.
    let all_pairs = if ds.is_dedupe() {
        nl * nl.saturating_sub(1)
    } else {
        nl * nr
    };
    let samples = samples.min(all_pairs);
    let chunks = samples.div_ceil(CHUNK);
    progress.begin(crate::Phase::SampleU, chunks);
    let counts = (0..chunks)
        .into_par_iter()
        .map(|c| {
            let mut rng = SplitMix64::new(seed ^ c.wrapping_mul(0xa076_1d64_78bd_642f));
            let mut counts = vec![[0u64; 16]; nf];
            let n = CHUNK.min(samples - c * CHUNK);
            let mut done = 0;
            while done < n {
                let a = rng.below(nl);
                let b = rng.below(nr);
                if ds.is_dedupe() && a == b {
                    continue;
                }
                let sa = side(ds, &ds.left, a as usize);
                let sb = side(ds, right, b as usize);
                let p = cmp.pattern(&sa, &sb);
                for (f, cf) in counts.iter_mut().enumerate() {
                    cf[level_of(p, f) as usize] += 1;
                }
                done += 1;
            }
            progress.advance(1);
            counts
        })
        .reduce(
            || vec![[0u64; 16]; nf],
            |mut a, b| {
                for (x, y) in a.iter_mut().zip(b) {
                    for (p, q) in x.iter_mut().zip(y) {
                        *p += q;
                    }
                }
                a
            },
        );
    progress.end(crate::Phase::SampleU);
    cmp.fields
        .iter()
        .enumerate()
        .map(|(f, fc)| {
            let levels = fc.rules.len();
            let observed: f64 = counts[f][..levels].iter().sum::<u64>() as f64;
            let floor = 0.5;
            let mut u: Vec<f64> = counts[f][..levels]
                .iter()
                .map(|&c| (c as f64).max(floor))
                .collect();
            if fc.rules[0] == Rule::Exact
                && let Some(exact) = exact_agreement(ds, f)
            {
                let rest: f64 = u[1..].iter().sum();
                let exact = exact.max(floor / observed.max(1.0));
                u[0] = exact;
                for x in &mut u[1..] {
                    *x = *x / rest * (1.0 - exact);
                }
                return u;
            }
            let total: f64 = u.iter().sum();
            u.iter().map(|x| x / total).collect()
        })
        .collect()
}

/// Probability that two random records with the field present agree exactly.
fn exact_agreement(ds: &Dataset, f: usize) -> Option<f64> {
    let d = &ds.dicts[f];
    let (cl, cr) = (&d.counts[0], &d.counts[1]);
    if ds.is_dedupe() {
        let n: f64 = cl.iter().skip(1).map(|&c| f64::from(c)).sum();
        let same: f64 = cl
            .iter()
            .skip(1)
            .map(|&c| f64::from(c) * (f64::from(c) - 1.0))
            .sum();
        (n > 1.0).then(|| same / (n * (n - 1.0)))
    } else {
        let nl: f64 = cl.iter().skip(1).map(|&c| f64::from(c)).sum();
        let nr: f64 = cr.iter().skip(1).map(|&c| f64::from(c)).sum();
        let same: f64 = cl
            .iter()
            .zip(cr)
            .skip(1)
            .map(|(&a, &b)| f64::from(a) * f64::from(b))
            .sum();
        (nl > 0.0 && nr > 0.0).then(|| same / (nl * nr))
    }
}

/// Distinct patterns of the candidate pairs with their counts, sorted.
pub fn pattern_counts(c: &Candidates) -> Vec<(u64, u64)> {
    let mut map: HashMap<u64, u64> = HashMap::new();
    for p in &c.pairs {
        *map.entry(p.pattern).or_default() += 1;
    }
    let mut v: Vec<(u64, u64)> = map.into_iter().collect();
    v.sort_unstable();
    v
}

/// The result of EM.
#[derive(Clone, Debug)]
pub struct EmResult {
    pub m: Vec<Vec<f64>>,
    pub lambda: f64,
    pub iterations: usize,
    /// Log-likelihood of the data before each M-step.
    pub log_likelihood: Vec<f64>,
}

/// Starting m-probabilities: most mass on the better levels.
pub fn initial_m(levels: &[usize]) -> Vec<Vec<f64>> {
    levels
        .iter()
        .map(|&n| {
            let mut m: Vec<f64> = (0..n)
                .map(|l| {
                    if l + 1 == n {
                        0.05
                    } else {
                        0.5f64.powi(l as i32 + 1)
                    }
                })
                .collect();
            let s: f64 = m.iter().sum();
            m.iter_mut().for_each(|x| *x /= s);
            m
        })
        .collect()
}

/// EM for m and λ with u fixed; missing levels contribute nothing.
pub fn em(
    patterns: &[(u64, u64)],
    u: &[Vec<f64>],
    m0: Vec<Vec<f64>>,
    lambda0: f64,
    max_iter: usize,
    tol: f64,
) -> EmResult {
    const FLOOR: f64 = 1e-6;
    let nf = u.len();
    let mut m = m0;
    let mut lambda = lambda0;
    let mut history = Vec::new();
    let mut iterations = 0;
    for _ in 0..max_iter {
        iterations += 1;
        let mut acc: Vec<Vec<f64>> = m.iter().map(|x| vec![0.0; x.len()]).collect();
        let mut matched = 0.0;
        let mut total = 0.0;
        let mut ll = 0.0;
        for &(p, count) in patterns {
            let c = count as f64;
            let (mut pm, mut pu) = (lambda, 1.0 - lambda);
            for f in 0..nf {
                let l = level_of(p, f);
                if l != MISSING {
                    pm *= m[f][l as usize];
                    pu *= u[f][l as usize];
                }
            }
            let z = pm + pu;
            ll += c * z.ln();
            let post = pm / z;
            matched += c * post;
            total += c;
            for (f, a) in acc.iter_mut().enumerate() {
                let l = level_of(p, f);
                if l != MISSING {
                    a[l as usize] += c * post;
                }
            }
        }
        history.push(ll);
        let new_lambda = (matched / total).clamp(FLOOR, 1.0 - FLOOR);
        let mut delta = (new_lambda - lambda).abs();
        for (mf, af) in m.iter_mut().zip(&acc) {
            let s: f64 = af.iter().sum();
            if s <= 0.0 {
                continue;
            }
            for (x, a) in mf.iter_mut().zip(af) {
                let nx = (a / s).max(FLOOR);
                delta = delta.max((nx - *x).abs());
                *x = nx;
            }
        }
        lambda = new_lambda;
        if delta < tol {
            break;
        }
    }
    EmResult {
        m,
        lambda,
        iterations,
        log_likelihood: history,
    }
}

/// One EM session: the candidate pairs agreeing on one blocking rule, with
/// that rule's fields left out (their agreement is forced by the blocking).
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Session {
    pub rule: String,
    pub pairs: u64,
    /// Share of matches among the session's pairs.
    pub lambda: f64,
    pub iterations: usize,
}

/// Sessions with fewer pairs than this are not used.
const MIN_SESSION_PAIRS: u64 = 20;

/// m-probabilities by EM sessions, one per blocking rule; each field's m is
/// the average over the sessions that estimate it, weighted by their expected
/// number of matches.
pub fn estimate_m(
    cands: &Candidates,
    rule_names: &[String],
    rule_fields: &[Option<Vec<usize>>],
    u: &[Vec<f64>],
    max_iter: usize,
) -> (Vec<Vec<f64>>, Vec<Session>) {
    let nf = u.len();
    let levels: Vec<usize> = u.iter().map(Vec::len).collect();
    let masks: Vec<Option<u64>> = rule_fields
        .iter()
        .map(|fs| {
            fs.as_ref()
                .map(|fs| fs.iter().fold(0u64, |m, &f| m | (0xF << (4 * f))))
        })
        .collect();
    let nr = masks.len();
    let maps = cands
        .pairs
        .par_iter()
        .fold(
            || vec![HashMap::<u64, u64>::new(); nr],
            |mut maps, c| {
                for (r, mask) in masks.iter().enumerate() {
                    let Some(mask) = mask else { continue };
                    if c.rules & (1 << r) != 0 {
                        *maps[r].entry(c.pattern | mask).or_default() += 1;
                    }
                }
                maps
            },
        )
        .reduce(
            || vec![HashMap::new(); nr],
            |mut a, b| {
                for (x, y) in a.iter_mut().zip(b) {
                    for (k, v) in y {
                        *x.entry(k).or_default() += v;
                    }
                }
                a
            },
        );
    let mut sum: Vec<Vec<f64>> = levels.iter().map(|&n| vec![0.0; n]).collect();
    let mut weight = vec![0.0; nf];
    let mut sessions = Vec::new();
    for (r, map) in maps.into_iter().enumerate() {
        let Some(fields) = &rule_fields[r] else {
            continue;
        };
        let mut patterns: Vec<(u64, u64)> = map.into_iter().collect();
        patterns.sort_unstable();
        let pairs: u64 = patterns.iter().map(|p| p.1).sum();
        if pairs < MIN_SESSION_PAIRS {
            continue;
        }
        let res = em(&patterns, u, initial_m(&levels), 0.3, max_iter, 1e-7);
        let matches = res.lambda * pairs as f64;
        for f in (0..nf).filter(|f| !fields.contains(f)) {
            for (s, m) in sum[f].iter_mut().zip(&res.m[f]) {
                *s += matches * m;
            }
            weight[f] += matches;
        }
        sessions.push(Session {
            rule: rule_names[r].clone(),
            pairs,
            lambda: res.lambda,
            iterations: res.iterations,
        });
    }
    // Fields no session could estimate: one session over all candidates.
    if weight.iter().any(|&w| w <= 0.0) {
        let patterns = pattern_counts(cands);
        let res = em(&patterns, u, initial_m(&levels), 0.3, max_iter, 1e-7);
        for f in 0..nf {
            if weight[f] <= 0.0 {
                sum[f].clone_from(&res.m[f]);
                weight[f] = 1.0;
            }
        }
        sessions.push(Session {
            rule: "all candidates".into(),
            pairs: cands.pairs.len() as u64,
            lambda: res.lambda,
            iterations: res.iterations,
        });
    }
    let m = sum
        .into_iter()
        .zip(weight)
        .map(|(s, w)| s.into_iter().map(|x| (x / w).max(1e-6)).collect())
        .collect();
    (m, sessions)
}

/// λ, the probability that two random records match, by EM over all record
/// pairs with m and u fixed: pairs outside the candidates count as
/// non-matches, so λ = expected matches among candidates / all pairs.
pub fn estimate_lambda(
    patterns: &[(u64, u64)],
    m: &[Vec<f64>],
    u: &[Vec<f64>],
    total_pairs: f64,
) -> f64 {
    let bf: Vec<(f64, f64)> = patterns
        .iter()
        .map(|&(p, c)| {
            let mut b = 1.0;
            for f in 0..m.len() {
                let l = level_of(p, f);
                if l != MISSING {
                    b *= m[f][l as usize] / u[f][l as usize];
                }
            }
            (b, c as f64)
        })
        .collect();
    let candidates: f64 = bf.iter().map(|x| x.1).sum();
    let mut lambda =
        (bf.iter().filter(|x| x.0 > 1.0).map(|x| x.1).sum::<f64>() / total_pairs).clamp(1e-12, 0.5);
    for _ in 0..200 {
        let odds = lambda / (1.0 - lambda);
        let matches: f64 = bf
            .iter()
            .map(|&(b, c)| c * odds * b / (1.0 + odds * b))
            .sum();
        // With no candidate pairs at all the upper bound falls below the
        // lower one (and `clamp` would panic).
        let next = (matches / total_pairs).clamp(1e-12, (candidates / total_pairs).max(1e-12));
        if (next - lambda).abs() <= 1e-9 * lambda {
            lambda = next;
            break;
        }
        lambda = next;
    }
    lambda
}
