use super::*;
use proptest::prelude::*;

/// A table with row totals, column totals and the grand total, all
/// published: `(figures, inner cells by row, row totals, column totals, grand)`.
struct Table {
    f: Figures,
    cells: Vec<Vec<CellId>>,
    rows: Vec<CellId>,
    cols: Vec<CellId>,
    grand: CellId,
}

fn table(values: &[Vec<u64>]) -> Table {
    let mut f = Figures::new();
    let cells: Vec<Vec<CellId>> = values
        .iter()
        .map(|r| r.iter().map(|v| f.cell(*v)).collect())
        .collect();
    let width = values.first().map_or(0, Vec::len);
    let rows: Vec<CellId> = values.iter().map(|r| f.cell(r.iter().sum())).collect();
    let cols: Vec<CellId> = (0..width)
        .map(|j| f.cell(values.iter().map(|r| r[j]).sum()))
        .collect();
    let grand = f.cell(values.iter().flatten().sum());
    for (i, r) in cells.iter().enumerate() {
        f.relation(rows[i], r.clone());
    }
    for (j, c) in cols.iter().enumerate() {
        f.relation(*c, cells.iter().map(|r| r[j]).collect());
    }
    f.relation(grand, rows.clone());
    f.relation(grand, cols.clone());
    Table {
        f,
        cells,
        rows,
        cols,
        grand,
    }
}

type Shown = (Vec<Vec<Option<u64>>>, Vec<Option<u64>>, Vec<Option<u64>>);

fn shown(t: &Table, s: &Suppressed) -> Shown {
    let p = |c: &CellId| s.published(&t.f, *c);
    (
        t.cells.iter().map(|r| r.iter().map(p).collect()).collect(),
        t.rows.iter().map(p).collect(),
        t.cols.iter().map(p).collect(),
    )
}

#[test]
fn primary_suppression_is_every_count_from_1_to_10() {
    let mut f = Figures::new();
    let cells: Vec<CellId> = (0..=12).map(|v| f.cell(v)).collect();
    let s = suppress(&f);
    let flags: Vec<bool> = cells.iter().map(|c| s.is_suppressed(*c)).collect();
    assert_eq!(
        flags,
        [
            false, true, true, true, true, true, true, true, true, true, true, false, false
        ]
    );
    assert_eq!(s.published(&f, cells[0]), Some(0), "zeros are published");
}

#[test]
fn a_lone_suppressed_cell_takes_the_next_smallest_with_it() {
    // 20 + 5 + 30 = 55: without more, 5 = 55 - 20 - 30.
    let t = table(&[vec![20, 5, 30]]);
    let s = suppress(&t.f);
    let (cells, rows, _) = shown(&t, &s);
    assert_eq!(cells, vec![vec![None, None, Some(30)]]);
    assert_eq!(rows, vec![Some(55)]);
    assert!(disclosed(&t.f, &s).is_empty());
}

#[test]
fn two_suppressed_cells_summing_to_two_are_protected() {
    // 1 + 1 + 30 = 32: published as they were, each of the two is 1.
    let mut f = Figures::new();
    let parts = vec![f.cell(1), f.cell(1), f.cell(30)];
    let total = f.cell(32);
    f.relation(total, parts.clone());
    let s = suppress(&f);
    assert!(parts.iter().all(|p| s.is_suppressed(*p)));
    assert_eq!(s.published(&f, total), Some(32));
    assert!(disclosed(&f, &s).is_empty());
    // The auditor sees the attack on primary suppression alone.
    let mut naive = Figures::new();
    let a = naive.cell(1);
    let b = naive.cell(1);
    let c = naive.cell(30);
    let t = naive.cell(32);
    naive.relation(t, vec![a, b, c]);
    let primary = Suppressed(vec![true, true, false, false]);
    assert_eq!(disclosed(&naive, &primary), vec![a, b]);
}

#[test]
fn the_single_suppressed_officer_is_not_the_door_total_minus_the_rest() {
    // Arrest 40 + social contact 15 = the officers' referrals, never
    // published itself, = 30 + 20 + 5.
    let mut f = Figures::new();
    let arrest = f.cell(40);
    let social = f.cell(15);
    let by_officers = f.hidden(55);
    let officers = vec![f.cell(30), f.cell(20), f.cell(5)];
    f.relation(by_officers, vec![arrest, social]);
    f.relation(by_officers, officers.clone());
    let s = suppress(&f);
    assert!(s.is_suppressed(officers[2]));
    assert!(s.is_suppressed(officers[1]), "the next smallest officer");
    assert_eq!(s.published(&f, officers[0]), Some(30));
    assert_eq!(s.published(&f, arrest), Some(40));
    assert!(disclosed(&f, &s).is_empty());
}

#[test]
fn a_two_way_table_with_margins() {
    let t = table(&[vec![3, 40, 25], vec![30, 12, 50], vec![22, 18, 0]]);
    let s = suppress(&t.f);
    let (cells, rows, cols) = shown(&t, &s);
    // 3 is primary; its row and column each take a second cell (25 and 22),
    // which leaves row 3 and column 3 with one unknown each, and so on
    // until every line has two or none.
    for line in cells.iter() {
        assert_ne!(line.iter().filter(|c| c.is_none()).count(), 1);
    }
    for j in 0..3 {
        assert_ne!(cells.iter().filter(|r| r[j].is_none()).count(), 1);
    }
    assert_eq!(cells[0][0], None);
    assert_eq!(cells[2][2], Some(0), "a zero stays");
    assert!(
        rows.iter().chain(&cols).all(Option::is_some),
        "{rows:?} {cols:?}"
    );
    assert_eq!(s.published(&t.f, t.grand), Some(200));
    assert!(disclosed(&t.f, &s).is_empty());
}

#[test]
fn a_small_margin_is_suppressed_with_a_partner() {
    // Row 2 sums to 4: its total is primary-suppressed, and then so is
    // another row total (otherwise 4 = grand − row 1).
    let t = table(&[vec![30, 20], vec![2, 2]]);
    let s = suppress(&t.f);
    let (_, rows, _) = shown(&t, &s);
    assert_eq!(rows, vec![None, None]);
    assert!(disclosed(&t.f, &s).is_empty());
}

#[test]
fn a_bridge_between_two_protected_blocks_is_found() {
    // Every line has two or more unknowns, yet the 3 joining the two blocks
    // is row 2's total minus (columns 1 and 2 minus row 1): row reduction
    // finds it, and suppression protects it.
    let t = table(&[
        vec![5, 5, 40, 40],
        vec![5, 5, 3, 40],
        vec![40, 40, 5, 5],
        vec![40, 40, 5, 5],
    ]);
    let primary = Suppressed(
        (0..t.f.len())
            .map(|i| (1..MIN_CELL).contains(&t.f.values[i]))
            .collect(),
    );
    let bridge = t.cells[1][2];
    assert!(determined(&t.f, &primary).contains(&bridge.index()));
    assert!(disclosed(&t.f, &primary).contains(&bridge));
    let s = suppress(&t.f);
    assert!(s.is_suppressed(bridge));
    assert!(determined(&t.f, &s).is_empty());
    assert!(disclosed(&t.f, &s).is_empty());
}

#[test]
fn hidden_cells_are_never_published_and_never_exposures() {
    let mut f = Figures::new();
    let a = f.cell(30);
    let b = f.cell(40);
    let h = f.hidden(70);
    f.relation(h, vec![a, b]);
    let s = suppress(&f);
    assert_eq!(s.published(&f, h), None);
    assert_eq!(s.published(&f, a), Some(30));
    assert!(disclosed(&f, &s).is_empty());
}

// ---- Property: no suppressed cell is determined ---------------------------

/// The rank of a small matrix (f64 elimination; entries are small integers).
fn rank(mut m: Vec<Vec<f64>>) -> usize {
    let width = m.first().map_or(0, Vec::len);
    let mut r = 0;
    for c in 0..width {
        let Some(p) = (r..m.len()).max_by(|&a, &b| m[a][c].abs().total_cmp(&m[b][c].abs())) else {
            break;
        };
        if m[p][c].abs() < 1e-9 {
            continue;
        }
        m.swap(r, p);
        for i in 0..m.len() {
            if i != r {
                let k = m[i][c] / m[r][c];
                let pivot = m[r].clone();
                for (x, p) in m[i].iter_mut().zip(pivot) {
                    *x -= k * p;
                }
            }
        }
        r += 1;
    }
    r
}

/// An independent solver: the unknowns (withheld cells) of the linear
/// system `total − Σ parts = 0`; unknown j is determined by the published
/// values exactly when dropping its column lowers the system's rank.
fn determined(f: &Figures, s: &Suppressed) -> Vec<usize> {
    let unknown: Vec<usize> = (0..f.len()).filter(|&i| s.0[i]).collect();
    let matrix = |skip: Option<usize>| -> Vec<Vec<f64>> {
        f.relations()
            .iter()
            .map(|r| {
                unknown
                    .iter()
                    .filter(|&&u| Some(u) != skip)
                    .map(|&u| {
                        let mut c = 0.0;
                        if r.total.0 == u {
                            c += 1.0;
                        }
                        c -= r.parts.iter().filter(|p| p.0 == u).count() as f64;
                        c
                    })
                    .collect()
            })
            .collect()
    };
    let full = rank(matrix(None));
    unknown
        .iter()
        .copied()
        .filter(|&u| !f.hidden[u] && rank(matrix(Some(u))) < full)
        .collect()
}

fn small_count() -> impl Strategy<Value = u64> {
    prop_oneof![Just(0u64), 1u64..=10, 11u64..=60]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn no_suppressed_cell_of_a_table_can_be_solved_for(
        values in (1usize..=5, 1usize..=5).prop_flat_map(|(r, c)| {
            proptest::collection::vec(proptest::collection::vec(small_count(), c), r)
        })
    ) {
        let t = table(&values);
        let s = suppress(&t.f);
        // Primary: every count from 1 to 10 is withheld.
        for i in 0..t.f.len() {
            if (1..MIN_CELL).contains(&t.f.values[i]) {
                prop_assert!(s.0[i]);
            }
        }
        // No relation (row, column, margin) has exactly one unknown.
        for r in t.f.relations() {
            let unknowns = std::iter::once(r.total).chain(r.parts.iter().copied())
                .filter(|c| s.is_suppressed(*c)).count();
            prop_assert_ne!(unknowns, 1, "{:?}", r);
            // Where the total is published, the unknown parts are not small
            // enough together to pin any of them down.
            if !s.is_suppressed(r.total) && unknowns >= 2 {
                let mass: u64 = r.parts.iter().filter(|p| s.is_suppressed(**p)).map(|p| t.f.value(*p)).sum();
                prop_assert!(mass - (unknowns as u64 - 1) >= MIN_CELL - 1, "{:?} mass {}", r, mass);
            }
        }
        // No combination of them determines one.
        prop_assert_eq!(determined(&t.f, &s), Vec::<usize>::new());
        prop_assert!(disclosed(&t.f, &s).is_empty());
    }

    #[test]
    fn no_suppressed_officer_comes_back_from_the_door_totals(
        arrest in small_count(),
        social in small_count(),
        officers in proptest::collection::vec(small_count(), 1..8),
    ) {
        // Spread the doors' referrals over the officers as given, and put
        // the rest on the last officer so that the relation holds.
        let doors = arrest + social;
        let mut officers = officers;
        let listed: u64 = officers.iter().sum();
        let last = officers.len() - 1;
        if listed > doors {
            officers = vec![doors];
        } else {
            officers[last] += doors - listed;
        }
        let mut f = Figures::new();
        let a = f.cell(arrest);
        let b = f.cell(social);
        let h = f.hidden(doors);
        let cells: Vec<CellId> = officers.iter().map(|v| f.cell(*v)).collect();
        f.relation(h, vec![a, b]);
        f.relation(h, cells);
        let s = suppress(&f);
        prop_assert_eq!(determined(&f, &s), Vec::<usize>::new());
        prop_assert!(disclosed(&f, &s).is_empty());
    }
}

// ---- Closed periods ---------------------------------------------------------

fn at(s: &str) -> OffsetDateTime {
    OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).unwrap()
}

fn month(s: &str) -> Month {
    Month::parse(s, "m").unwrap()
}

#[test]
fn months_parse_and_name_their_field() {
    assert_eq!(month("2026-03").to_string(), "2026-03");
    for bad in ["2026-3", "2026-13", "26-03", "march", "2026-00", ""] {
        assert_eq!(
            Month::parse(bad, "from").unwrap_err().field,
            "from",
            "{bad}"
        );
    }
    assert_eq!(month("2026-12").next(), month("2027-01"));
    assert_eq!(month("2026-01").previous(), month("2025-12"));
}

#[test]
fn the_period_ends_with_the_last_month_that_has_ended_at_the_site() {
    let la = SiteTimeZone::parse("America/Los_Angeles").unwrap();
    // 1 April 05:00 UTC is still 31 March in Los Angeles: March is open.
    let now = at("2026-04-01T05:00:00Z");
    assert_eq!(ClosedPeriod::last_closed(&la, now), month("2026-02"));
    let p = ClosedPeriod::resolve(&la, now, None, Some(month("2026-06")), None).unwrap();
    assert_eq!(
        (p.from, p.to),
        (month("2026-02"), month("2026-02")),
        "to is clamped"
    );
    let p = ClosedPeriod::resolve(&la, now, None, None, Some(month("2025-11"))).unwrap();
    assert_eq!((p.from, p.to), (month("2025-11"), month("2026-02")));
    let p = ClosedPeriod::resolve(&la, now, Some(month("2026-01")), None, None).unwrap();
    assert_eq!(p.start(&la).unwrap(), at("2026-01-01T08:00:00Z"));
    // March begins in PST and ends in PDT.
    assert_eq!(p.end(&la).unwrap(), at("2026-03-01T08:00:00Z"));
    let e = ClosedPeriod::resolve(&la, now, Some(month("2026-03")), None, None).unwrap_err();
    assert_eq!(e.field, "from");
    // Later in the day it is April at the site, and March has closed.
    let later = at("2026-04-01T08:00:00Z");
    assert_eq!(ClosedPeriod::last_closed(&la, later), month("2026-03"));
}
