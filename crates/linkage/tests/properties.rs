//! Property tests: comparators, probabilities and EM.

use handoff_linkage::Config;
use handoff_linkage::compare::{Comparator, MISSING};
use handoff_linkage::data::{Value, normalise};
use handoff_linkage::model::probability;
use handoff_linkage::text::{damerau_levenshtein_capped, jaro_winkler};
use handoff_linkage::train::{em, initial_m};
use proptest::prelude::*;

fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        "[A-Z]{0,9}",
        Just("ROBERT".to_owned()),
        Just("BOB".to_owned()),
        Just("ROB".to_owned()),
        Just("B".to_owned()),
        "[a-z ]{0,12}",
    ]
}

fn date() -> impl Strategy<Value = String> {
    prop_oneof![
        (1940u32..2000, 1u32..13, 1u32..29).prop_map(|(y, m, d)| format!("{y}-{m:02}-{d:02}")),
        Just(String::new())
    ]
}

fn person() -> impl Strategy<Value = Vec<String>> {
    (
        name(),
        name(),
        name(),
        date(),
        "[MF]?",
        "[0-9]{1,4} [A-Z]{3,8} (ST|STREET|AVE)( APT [0-9]{2})?",
        "[0-9]{5}",
    )
        .prop_map(|(a, b, c, d, e, f, g)| vec![a, b, c, d, e, f, g])
}

const COLUMNS: [&str; 7] = [
    "first_name",
    "middle_name",
    "last_name",
    "dob",
    "sex",
    "address",
    "zip",
];

fn comparator() -> (Config, Comparator) {
    let cols: Vec<String> = std::iter::once("id")
        .chain(COLUMNS)
        .map(String::from)
        .collect();
    let config = Config::default_for_columns(&cols).unwrap();
    let cmp = Comparator::new(&config).unwrap();
    (config, cmp)
}

fn prepare(config: &Config, raw: &[String]) -> Vec<Option<Value>> {
    config
        .fields
        .iter()
        .map(|f| {
            let i = COLUMNS.iter().position(|c| *c == f.column).unwrap();
            let text = normalise(f.comparison, &raw[i]);
            (!text.is_empty()).then(|| Value::prepare(f.comparison, &text))
        })
        .collect()
}

proptest! {
    #[test]
    fn jaro_winkler_is_symmetric_and_bounded(a in "[A-Z]{0,12}", b in "[A-Z]{0,12}") {
        let x = jaro_winkler(a.as_bytes(), b.as_bytes());
        let y = jaro_winkler(b.as_bytes(), a.as_bytes());
        prop_assert!((x - y).abs() < 1e-12);
        prop_assert!((0.0..=1.0).contains(&x));
        prop_assert_eq!(jaro_winkler(a.as_bytes(), a.as_bytes()), 1.0);
    }

    #[test]
    fn damerau_levenshtein_is_symmetric_and_bounded(a in "[A-D]{0,8}", b in "[A-D]{0,8}") {
        let x = damerau_levenshtein_capped(a.as_bytes(), b.as_bytes(), 8);
        prop_assert_eq!(x, damerau_levenshtein_capped(b.as_bytes(), a.as_bytes(), 8));
        prop_assert!(x <= a.len().max(b.len()));
        prop_assert!(x >= a.len().abs_diff(b.len()));
        prop_assert_eq!(x == 0, a == b);
        // The cap never changes an answer below it.
        prop_assert_eq!(damerau_levenshtein_capped(a.as_bytes(), b.as_bytes(), 2), x.min(3));
    }

    #[test]
    fn comparison_levels_are_symmetric_and_in_range(l in person(), r in person()) {
        let (config, cmp) = comparator();
        let (pl, pr) = (prepare(&config, &l), prepare(&config, &r));
        let sl: Vec<Option<&Value>> = pl.iter().map(Option::as_ref).collect();
        let sr: Vec<Option<&Value>> = pr.iter().map(Option::as_ref).collect();
        for f in 0..cmp.fields.len() {
            let a = cmp.level(f, &sl, &sr);
            prop_assert_eq!(a, cmp.level(f, &sr, &sl), "field {}", &cmp.fields[f].column);
            prop_assert!(a == MISSING || (a as usize) < cmp.fields[f].rules.len());
            prop_assert_eq!(a == MISSING, sl[f].is_none() || sr[f].is_none() || a == MISSING);
        }
        prop_assert_eq!(cmp.pattern(&sl, &sr), cmp.pattern(&sr, &sl));
        // A record agrees exactly with itself wherever it has a value.
        let own = cmp.pattern(&sl, &sl);
        for f in 0..cmp.fields.len() {
            let level = ((own >> (4 * f)) & 0xF) as u8;
            prop_assert!(level == 0 || level == MISSING);
        }
    }

    #[test]
    fn probabilities_are_in_unit_interval(w in -2000.0f64..2000.0, d in 0.0f64..50.0) {
        let p = probability(w);
        prop_assert!((0.0..=1.0).contains(&p));
        prop_assert!(probability(w + d) >= p);
    }
}

#[test]
fn em_log_likelihood_never_decreases() {
    // Two fields of three levels each; u fixed, data from a known mixture.
    let u = vec![vec![0.01, 0.09, 0.90], vec![0.02, 0.08, 0.90]];
    let m = [[0.85, 0.10, 0.05], [0.80, 0.15, 0.05]];
    let lambda: f64 = 0.2;
    let n = 100_000.0;
    let mut patterns = Vec::new();
    for a in 0..3u64 {
        for b in 0..3u64 {
            let p = lambda * m[0][a as usize] * m[1][b as usize]
                + (1.0 - lambda) * u[0][a as usize] * u[1][b as usize];
            patterns.push((a | (b << 4), (p * n).round() as u64));
        }
    }
    let res = em(&patterns, &u, initial_m(&[3, 3]), 0.5, 100, 0.0);
    assert!(res.log_likelihood.len() > 5);
    for w in res.log_likelihood.windows(2) {
        assert!(w[1] >= w[0] - 1e-9 * w[0].abs(), "{} then {}", w[0], w[1]);
    }
    // And it recovers the generating parameters.
    assert!((res.lambda - lambda).abs() < 0.01, "lambda {}", res.lambda);
    for (est, truth) in res.m.iter().zip(&m) {
        for (x, y) in est.iter().zip(truth) {
            assert!((x - y).abs() < 0.02, "m {x} vs {y}");
        }
    }
}
