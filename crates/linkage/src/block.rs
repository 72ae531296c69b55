//! Blocking: candidate pairs from a union of rules on derived keys.
//!
//! Each rule derives one 64-bit key per record (0 when a part is missing).
//! Pairs with equal keys under a rule are candidates; a pair is produced only
//! by the first rule that blocks it, so each pair is compared once.

use rayon::prelude::*;

use crate::compare::{Comparator, MAX_FIELDS};
use crate::config::{Config, Transform};
use crate::data::{Dataset, Table, Value};
use crate::text::{combine, hash_bytes};

/// A compiled blocking rule.
#[derive(Clone, Debug)]
pub struct KeyFn {
    pub name: String,
    parts: Vec<(usize, Transform, Option<usize>)>,
}

impl KeyFn {
    pub fn compile(config: &Config) -> Vec<KeyFn> {
        let index = |c: &str| {
            config
                .fields
                .iter()
                .position(|f| f.column == c)
                .unwrap_or(0)
        };
        config
            .blocking
            .iter()
            .map(|r| KeyFn {
                name: r.name.clone(),
                parts: r
                    .keys
                    .iter()
                    .map(|k| (index(&k.column), k.transform, k.with.as_deref().map(index)))
                    .collect(),
            })
            .collect()
    }

    /// Fields the key reads.
    pub fn fields(&self) -> Vec<usize> {
        let mut v: Vec<usize> = self
            .parts
            .iter()
            .flat_map(|&(f, _, w)| std::iter::once(f).chain(w))
            .collect();
        v.sort_unstable();
        v.dedup();
        v
    }

    /// The key of one record, 0 if any part is missing.
    pub fn key(&self, side: &[Option<&Value>]) -> u64 {
        let mut h = 0x1234_5678_9abc_def1u64;
        for &(f, t, with) in &self.parts {
            let Some(v) = side[f] else { return 0 };
            let part = match t {
                Transform::Exact => v.h_text,
                Transform::Soundex => v.h_soundex,
                Transform::Nysiis => v.h_nysiis,
                Transform::GivenName => v.h_given,
                Transform::Year => v.date_digits().map_or(0, |d| hash_bytes(&d[..4])),
                Transform::DateUnordered => v.date_digits().map_or(0, |d| {
                    let (m, dd) = (&d[4..6], &d[6..8]);
                    let (a, b) = if m <= dd { (m, dd) } else { (dd, m) };
                    hash_bytes(&[&d[..4], a, b].concat())
                }),
                Transform::UnorderedPair => {
                    let Some(o) = with.and_then(|w| side[w]) else {
                        return 0;
                    };
                    let (a, b) = (v.h_text.min(o.h_text), v.h_text.max(o.h_text));
                    combine(a, b)
                }
            };
            h = combine(h, part);
            if h == 0 {
                return 0;
            }
        }
        h
    }
}

/// The prepared values of one row, indexed by field.
#[inline]
pub fn side<'a>(ds: &'a Dataset, table: &Table, row: usize) -> [Option<&'a Value>; MAX_FIELDS] {
    let mut out = [None; MAX_FIELDS];
    for (f, slot) in out.iter_mut().enumerate().take(ds.dicts.len()) {
        *slot = ds.value(table, f, row);
    }
    out
}

/// A compared candidate pair (row indices into the left and right tables).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Candidate {
    pub left: u32,
    pub right: u32,
    pub pattern: u64,
    /// Bit `i` set when the pair agrees on blocking rule `i`.
    pub rules: u16,
}

/// The candidate pairs of a data set with their comparison patterns.
#[derive(Debug, Default)]
pub struct Candidates {
    pub pairs: Vec<Candidate>,
    /// Pairs produced per rule (after removing pairs of earlier rules).
    pub per_rule: Vec<(String, u64)>,
    /// Blocks skipped for exceeding `max_block_pairs`, and their pairs.
    pub skipped_blocks: u64,
    pub skipped_pairs: u64,
}

fn table_keys(ds: &Dataset, table: &Table, rules: &[KeyFn]) -> Vec<u64> {
    let r = rules.len();
    let mut keys = vec![0u64; table.len() * r];
    keys.par_chunks_mut(r).enumerate().for_each(|(row, out)| {
        let s = side(ds, table, row);
        for (k, rule) in out.iter_mut().zip(rules) {
            *k = rule.key(&s);
        }
    });
    keys
}

fn sorted_keys(keys: &[u64], rules: usize, rule: usize) -> Vec<(u64, u32)> {
    let mut v: Vec<(u64, u32)> = keys
        .chunks(rules)
        .enumerate()
        .filter_map(|(row, k)| (k[rule] != 0).then_some((k[rule], row as u32)))
        .collect();
    v.par_sort_unstable();
    v
}

/// Generate and compare all candidate pairs.
pub fn candidates(
    ds: &Dataset,
    cmp: &Comparator,
    rules: &[KeyFn],
    max_block_pairs: u64,
    progress: &dyn crate::Progress,
) -> Candidates {
    let nr = rules.len();
    let right = ds.right_table();
    let keys_l = table_keys(ds, &ds.left, rules);
    let keys_r = if ds.is_dedupe() {
        Vec::new()
    } else {
        table_keys(ds, right, rules)
    };
    let keys_r = if ds.is_dedupe() { &keys_l } else { &keys_r };
    progress.begin(crate::Phase::Block, nr as u64);
    let mut out = Candidates::default();
    for (ri, rule) in rules.iter().enumerate() {
        let sl = sorted_keys(&keys_l, nr, ri);
        // (left range, right range) of each shared key.
        let mut groups: Vec<(usize, usize, usize, usize)> = Vec::new();
        let sr_owned;
        let sr: &[(u64, u32)] = if ds.is_dedupe() {
            &sl
        } else {
            sr_owned = sorted_keys(keys_r, nr, ri);
            &sr_owned
        };
        let (mut i, mut j) = (0, 0);
        while i < sl.len() && j < sr.len() {
            let (ki, kj) = (sl[i].0, sr[j].0);
            if ki < kj {
                i += 1;
            } else if kj < ki {
                j += 1;
            } else {
                let ie = i + sl[i..].iter().take_while(|x| x.0 == ki).count();
                let je = j + sr[j..].iter().take_while(|x| x.0 == ki).count();
                let n = if ds.is_dedupe() {
                    let m = (ie - i) as u64;
                    m * m.saturating_sub(1) / 2
                } else {
                    ((ie - i) * (je - j)) as u64
                };
                if n > max_block_pairs {
                    out.skipped_blocks += 1;
                    out.skipped_pairs += n;
                } else if n > 0 {
                    groups.push((i, ie, j, je));
                }
                i = ie;
                j = je;
            }
        }
        let earlier_match = |a: u32, b: u32| {
            let ka = &keys_l[a as usize * nr..a as usize * nr + ri];
            let kb = &keys_r[b as usize * nr..b as usize * nr + ri];
            ka.iter().zip(kb).any(|(x, y)| *x != 0 && x == y)
        };
        let dedupe = ds.is_dedupe();
        let pairs: Vec<Candidate> = groups
            .par_iter()
            .flat_map_iter(|&(i0, i1, j0, j1)| {
                let mut local = Vec::new();
                for a in i0..i1 {
                    let la = sl[a].1;
                    let rows: &[(u64, u32)] = if dedupe { &sl[a + 1..i1] } else { &sr[j0..j1] };
                    for &(_, rb) in rows {
                        let (l, r) = if dedupe {
                            (la.min(rb), la.max(rb))
                        } else {
                            (la, rb)
                        };
                        if earlier_match(l, r) {
                            continue;
                        }
                        let sa = side(ds, &ds.left, l as usize);
                        let sb = side(ds, right, r as usize);
                        let (ka, kb) = (
                            &keys_l[l as usize * nr..(l as usize + 1) * nr],
                            &keys_r[r as usize * nr..(r as usize + 1) * nr],
                        );
                        let rules = ka
                            .iter()
                            .zip(kb)
                            .enumerate()
                            .filter(|(_, (x, y))| **x != 0 && x == y)
                            .fold(0u16, |m, (i, _)| m | (1 << i));
                        local.push(Candidate {
                            left: l,
                            right: r,
                            pattern: cmp.pattern(&sa, &sb),
                            rules,
                        });
                    }
                }
                local
            })
            .collect();
        out.per_rule.push((rule.name.clone(), pairs.len() as u64));
        out.pairs.extend(pairs);
        progress.advance(1);
    }
    progress.end(crate::Phase::Block);
    out
}
