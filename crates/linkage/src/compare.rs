//! Comparison levels and the comparison of two records into a pattern.
//!
//! A field's comparison is a ladder of levels; the first level the pair
//! satisfies is its level. A pattern packs one 4-bit level per field into a
//! `u64` (level [`MISSING`] when either side is empty: weight 0).

use crate::config::{ComparisonKind, Config, FieldSpec};
use crate::data::Value;
use crate::names;
use crate::text::{damerau_levenshtein_capped, jaro_winkler};

/// Level of a field with a missing value on either side.
pub const MISSING: u8 = 15;
/// At most this many fields (4 bits each in a `u64`).
pub const MAX_FIELDS: usize = 16;
/// At most this many levels per field (one code is kept for missing).
pub const MAX_LEVELS: usize = 15;

/// One rung of a comparison ladder.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Rule {
    Exact,
    /// First and last name swapped (needs `swap_with`).
    Swapped,
    /// Swapped, counted as missing here because the given name counts it.
    SwappedNeutral,
    /// Given-name variants (nickname table).
    Variant,
    /// Same NYSIIS code.
    Phonetic,
    /// One side is a single letter equal to the other's first letter.
    Initial,
    /// Same address once the unit (APT, STE …) is dropped.
    Core,
    /// Dates with day and month swapped.
    DateSwap,
    /// Dates one digit (or one adjacent transposition) apart.
    OneDigit,
    /// Dates in the same year.
    SameYear,
    DamerauLevenshtein(usize),
    JaroWinkler(f64),
    Else,
}

impl Rule {
    fn parse(s: &str) -> Option<Rule> {
        Some(match s {
            "exact" => Rule::Exact,
            "swapped" => Rule::Swapped,
            "swapped_neutral" => Rule::SwappedNeutral,
            "variant" => Rule::Variant,
            "phonetic" => Rule::Phonetic,
            "initial" => Rule::Initial,
            "core" => Rule::Core,
            "date_swap" => Rule::DateSwap,
            "one_digit" => Rule::OneDigit,
            "same_year" => Rule::SameYear,
            "else" => Rule::Else,
            _ => {
                if let Some(n) = s.strip_prefix("dl:") {
                    Rule::DamerauLevenshtein(n.parse().ok().filter(|n| (1..=4).contains(n))?)
                } else if let Some(t) = s.strip_prefix("jw:") {
                    Rule::JaroWinkler(t.parse().ok().filter(|t| (0.0..=1.0).contains(t))?)
                } else {
                    return None;
                }
            }
        })
    }
}

/// Parse a field's level ladder (default or override) and check it.
pub fn parse_levels(f: &FieldSpec) -> Result<Vec<(String, Rule)>, String> {
    let names = f
        .levels
        .clone()
        .unwrap_or_else(|| f.comparison.default_levels(f.swap_with.is_some()));
    let mut out = Vec::new();
    for n in names {
        let rule =
            Rule::parse(&n).ok_or_else(|| format!("field `{}`: unknown level `{n}`", f.column))?;
        if matches!(rule, Rule::Swapped | Rule::SwappedNeutral) && f.swap_with.is_none() {
            return Err(format!("field `{}`: level `{n}` needs swap_with", f.column));
        }
        out.push((n, rule));
    }
    if out.last().map(|(_, r)| *r) != Some(Rule::Else) {
        out.push(("else".into(), Rule::Else));
    }
    if out.iter().filter(|(_, r)| *r == Rule::Else).count() != 1 {
        return Err(format!(
            "field `{}`: `else` must be the last level",
            f.column
        ));
    }
    if out.len() > MAX_LEVELS {
        return Err(format!("field `{}`: at most {MAX_LEVELS} levels", f.column));
    }
    Ok(out)
}

/// A field's compiled comparison.
#[derive(Clone, Debug)]
pub struct FieldComparison {
    pub column: String,
    pub kind: ComparisonKind,
    pub labels: Vec<String>,
    pub rules: Vec<Rule>,
    pub swap_with: Option<usize>,
    pub term_frequency: bool,
    /// Field whose strong agreement makes this one neutral.
    pub within: Option<usize>,
    /// Largest edit distance any level asks about.
    pub dl_cap: usize,
}

/// Compiled comparisons for all fields of a configuration.
#[derive(Clone, Debug)]
pub struct Comparator {
    pub fields: Vec<FieldComparison>,
}

/// One side of a comparison: the prepared value of each field.
pub type Side<'a> = [Option<&'a Value>];

impl Comparator {
    pub fn new(config: &Config) -> Result<Comparator, String> {
        config.check()?;
        let index = |c: &str| config.fields.iter().position(|f| f.column == c);
        let fields = config
            .fields
            .iter()
            .map(|f| {
                let levels = parse_levels(f)?;
                Ok(FieldComparison {
                    column: f.column.clone(),
                    kind: f.comparison,
                    labels: levels.iter().map(|(n, _)| n.clone()).collect(),
                    rules: levels.iter().map(|(_, r)| *r).collect(),
                    swap_with: f.swap_with.as_deref().and_then(index),
                    within: f.within.as_deref().and_then(index),
                    term_frequency: f.term_frequency,
                    dl_cap: levels
                        .iter()
                        .filter_map(|(_, r)| match r {
                            Rule::DamerauLevenshtein(k) => Some(*k),
                            _ => None,
                        })
                        .max()
                        .unwrap_or(0),
                })
            })
            .collect::<Result<_, String>>()?;
        Ok(Comparator { fields })
    }

    /// The level of field `f` for a pair of records.
    pub fn level(&self, f: usize, l: &Side, r: &Side) -> u8 {
        let fc = &self.fields[f];
        let (Some(a), Some(b)) = (l[f], r[f]) else {
            return MISSING;
        };
        let same = std::ptr::eq(a, b) || (a.h_text == b.h_text && a.text == b.text);
        let mut jw: Option<f64> = None;
        let mut dl: Option<usize> = None;
        let (la, lb) = (a.text.len(), b.text.len());
        let mut common: Option<usize> = None;
        for (i, rule) in fc.rules.iter().enumerate() {
            let hit = match *rule {
                Rule::Exact => same,
                Rule::Swapped | Rule::SwappedNeutral => {
                    let swapped = !same
                        && fc.swap_with.is_some_and(|o| match (l[o], r[o]) {
                            (Some(lo), Some(ro)) => {
                                a.h_text == ro.h_text
                                    && lo.h_text == b.h_text
                                    && a.text == ro.text
                                    && lo.text == b.text
                            }
                            _ => false,
                        });
                    if swapped && *rule == Rule::SwappedNeutral {
                        return MISSING;
                    }
                    swapped
                }
                Rule::Variant => names::are_variants(a.groups, b.groups),
                Rule::Phonetic => a.h_nysiis != 0 && a.h_nysiis == b.h_nysiis,
                Rule::Initial => {
                    let (x, y) = (a.text.as_bytes(), b.text.as_bytes());
                    (x.len() == 1 || y.len() == 1) && x[0] == y[0]
                }
                Rule::Core => a.h_core != 0 && a.h_core == b.h_core && a.core == b.core,
                Rule::DateSwap => match (a.date, b.date) {
                    (Some(x), Some(y)) => {
                        x >> 32 == y >> 32
                            && (x >> 16) & 0xFFFF == y & 0xFFFF
                            && x & 0xFFFF == (y >> 16) & 0xFFFF
                    }
                    _ => false,
                },
                Rule::OneDigit => match (a.date, b.date) {
                    (Some(x), Some(y)) => one_digit_apart(x, y),
                    _ => false,
                },
                Rule::SameYear => match (a.date, b.date) {
                    (Some(x), Some(y)) => x >> 32 == y >> 32,
                    _ => false,
                },
                Rule::DamerauLevenshtein(k) => {
                    // Each edit fixes at most one character not in common.
                    let c = *common.get_or_insert_with(|| a.common_bound(b));
                    la.max(lb) - c.min(la.max(lb)) <= k
                        && *dl.get_or_insert_with(|| {
                            damerau_levenshtein_capped(
                                a.text.as_bytes(),
                                b.text.as_bytes(),
                                fc.dl_cap,
                            )
                        }) <= k
                }
                Rule::JaroWinkler(t) => match jw {
                    Some(v) => v >= t,
                    None => {
                        let c = *common.get_or_insert_with(|| a.common_bound(b));
                        jaro_winkler_bound(a.text.as_bytes(), b.text.as_bytes(), c) >= t
                            && *jw.get_or_insert_with(|| {
                                jaro_winkler(a.text.as_bytes(), b.text.as_bytes())
                            }) >= t
                    }
                },
                Rule::Else => true,
            };
            if hit {
                return i as u8;
            }
        }
        (fc.rules.len() - 1) as u8
    }

    /// The pattern (one level per field) of a pair of records.
    pub fn pattern(&self, l: &Side, r: &Side) -> u64 {
        let mut levels = [MISSING; MAX_FIELDS];
        for (f, x) in levels.iter_mut().enumerate().take(self.fields.len()) {
            *x = self.level(f, l, r);
        }
        let mut p = 0u64;
        for (f, fc) in self.fields.iter().enumerate() {
            let mut level = levels[f];
            if let Some(w) = fc.within {
                let parent = levels[w];
                if parent != MISSING
                    && matches!(
                        self.fields[w].rules[parent as usize],
                        Rule::Exact | Rule::Core
                    )
                {
                    level = MISSING;
                }
            }
            p |= u64::from(level) << (4 * f);
        }
        p
    }
}

/// Upper bound of Jaro–Winkler from the number of characters in common.
fn jaro_winkler_bound(a: &[u8], b: &[u8], common: usize) -> f64 {
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let c = common.min(a.len()).min(b.len()) as f64;
    if c == 0.0 {
        return 0.0;
    }
    let j = (c / a.len() as f64 + c / b.len() as f64 + 1.0) / 3.0;
    let prefix = a.iter().zip(b).take(4).take_while(|(x, y)| x == y).count();
    if j <= 0.7 {
        j
    } else {
        j + prefix as f64 * 0.1 * (1.0 - j)
    }
}

/// Two 8-digit dates (packed big-endian) one substitution or one adjacent
/// transposition apart.
fn one_digit_apart(x: u64, y: u64) -> bool {
    let diff = x ^ y;
    let (xb, yb) = (x.to_be_bytes(), y.to_be_bytes());
    match diff.to_be_bytes().iter().filter(|b| **b != 0).count() {
        1 => true,
        2 => (0..7).any(|i| xb[i] == yb[i + 1] && xb[i + 1] == yb[i] && xb[i] != yb[i]),
        _ => false,
    }
}

/// The level of field `f` in a pattern.
#[inline]
pub fn level_of(pattern: u64, f: usize) -> u8 {
    ((pattern >> (4 * f)) & 0xF) as u8
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn one_digit_matches_edit_distance(x in "[0-9]{8}", y in "[0-9]{8}", swap in 0usize..7, sub in 0usize..8) {
            let pack = |s: &str| u64::from_be_bytes(s.as_bytes().try_into().unwrap());
            // Random pairs are rarely close; also derive close pairs from x.
            let mut near = x.clone().into_bytes();
            near.swap(swap, swap + 1);
            let mut one = x.clone().into_bytes();
            one[sub] = if one[sub] == b'9' { b'0' } else { one[sub] + 1 };
            for y in [y.into_bytes(), near, one] {
                let y = String::from_utf8(y).unwrap();
                let dl = damerau_levenshtein_capped(x.as_bytes(), y.as_bytes(), 2);
                prop_assert_eq!(one_digit_apart(pack(&x), pack(&y)), dl == 1, "{} {}", x, y);
            }
        }
    }
}
