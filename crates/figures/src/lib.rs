//! Small-cell suppression for published figures (DESIGN.md §3: oversight and
//! the bureau see aggregates only, cells under 11 suppressed), and the closed
//! periods those figures cover.
//!
//! Suppressing each cell on its own is not enough: a suppressed count comes
//! back by subtraction from a total, two suppressed cells known to sum to 2
//! are each 1, and a figure asked for twice an hour apart gives away the one
//! referral made in between. So one answer is described as a set of
//! [`Figures`] — its counts and the additive relations that hold among them
//! (a total and its parts) — and [`suppress`] decides, for the whole answer
//! at once:
//!
//! 1. **primary** suppression of every count from 1 to 10;
//! 2. **secondary** suppression until stable: wherever the published values
//!    would let a reader solve for a suppressed count — a relation with
//!    exactly one unknown, or any linear combination of the relations that
//!    isolates one unknown (found by exact row reduction) — or narrow it
//!    below the whole 1–10 range (unknowns of one sign whose sum is small:
//!    two suppressed cells summing to 2), the smallest published non-zero
//!    member of a relation through that count is suppressed too.
//!
//! A reader is assumed to know every relation, that zeros are published and
//! so a suppressed count is at least 1, and nothing else. Cells can be
//! *hidden* (never published: an intermediate total such as "referrals by
//! officers"), which only ever adds unknowns.
//!
//! [`ClosedPeriod`] bounds figures to whole months that have ended in the
//! site's time zone, so that an answer does not change when one more
//! referral is made today.

use handoff_domain::ParseError;
use handoff_domain::site_time::{OutOfRange, SiteTimeZone};
use serde::Serialize;
use std::fmt;
use time::{Date, OffsetDateTime};

/// The smallest count shown: counts from 1 to `MIN_CELL - 1` are suppressed.
pub const MIN_CELL: u64 = 11;

/// A cell of [`Figures`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CellId(usize);

impl CellId {
    /// The cell's index, in the order cells were added.
    pub fn index(self) -> usize {
        self.0
    }
}

/// `total = Σ parts`, known to every reader.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Relation {
    pub total: CellId,
    pub parts: Vec<CellId>,
}

/// The counts of one answer and the additive relations among them.
#[derive(Debug, Clone, Default)]
pub struct Figures {
    values: Vec<u64>,
    hidden: Vec<bool>,
    relations: Vec<Relation>,
}

impl Figures {
    pub fn new() -> Self {
        Self::default()
    }

    /// A published count.
    pub fn cell(&mut self, value: u64) -> CellId {
        self.values.push(value);
        self.hidden.push(false);
        CellId(self.values.len() - 1)
    }

    /// A count that takes part in relations but is never published.
    pub fn hidden(&mut self, value: u64) -> CellId {
        let id = self.cell(value);
        self.hidden[id.0] = true;
        id
    }

    /// Records that `total` is the sum of `parts` (the caller's values must
    /// agree; a relation that does not hold only makes suppression more
    /// cautious).
    pub fn relation(&mut self, total: CellId, parts: Vec<CellId>) {
        self.relations.push(Relation { total, parts });
    }

    pub fn value(&self, c: CellId) -> u64 {
        self.values[c.0]
    }

    pub fn len(&self) -> usize {
        self.values.len()
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    pub fn relations(&self) -> &[Relation] {
        &self.relations
    }
}

/// Which cells of [`Figures`] are withheld (hidden or suppressed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suppressed(Vec<bool>);

impl Suppressed {
    pub fn is_suppressed(&self, c: CellId) -> bool {
        self.0[c.0]
    }

    /// The published value of `c`: `None` when withheld.
    pub fn published(&self, f: &Figures, c: CellId) -> Option<u64> {
        (!self.0[c.0]).then(|| f.values[c.0])
    }
}

/// Decides which cells to withhold: primary suppression of every count from
/// 1 to 10, then secondary suppression until no withheld count can be solved
/// for or narrowed from the published ones (see the module documentation).
pub fn suppress(f: &Figures) -> Suppressed {
    let mut s: Vec<bool> = (0..f.len())
        .map(|i| f.hidden[i] || (1..MIN_CELL).contains(&f.values[i]))
        .collect();
    loop {
        let exposed = exposures(f, &s);
        if exposed.is_empty() {
            break;
        }
        // One more cell per exposing relation in a pass (the relation may
        // then be safe for all its members); an exposure through a
        // combination of relations one at a time.
        let direct: Vec<&Exposure> = exposed.iter().filter(|e| e.relation.is_some()).collect();
        let todo: Vec<&Exposure> = if direct.is_empty() {
            exposed.iter().take(1).collect()
        } else {
            direct
        };
        let mut widened: Vec<usize> = Vec::new();
        let mut progressed = false;
        for e in todo {
            if e.relation.is_some_and(|r| widened.contains(&r)) {
                continue;
            }
            if let Some(c) = widen(f, &s, e) {
                s[c] = true;
                progressed = true;
                widened.extend(e.relation);
            }
        }
        if !progressed {
            // Nothing near the exposed cells is left to suppress (every
            // member of their relations is withheld already). Suppress the
            // smallest published cell of any relation with an unknown.
            match fallback(f, &s) {
                Some(c) => s[c] = true,
                None => break,
            }
        }
    }
    Suppressed(s)
}

/// A published cell whose suppression protects `e`: the smallest published
/// non-zero member of the relations through the exposed cell (the exposing
/// relation's own members first), then a published zero.
fn widen(f: &Figures, s: &[bool], e: &Exposure) -> Option<usize> {
    let members = |r: &Relation| {
        std::iter::once(r.total.0)
            .chain(r.parts.iter().map(|p| p.0))
            .collect::<Vec<_>>()
    };
    let mut pools: Vec<Vec<usize>> = Vec::new();
    if let Some(r) = e.relation {
        pools.push(members(&f.relations[r]));
    }
    pools.push(
        f.relations
            .iter()
            .filter(|r| members(r).contains(&e.cell))
            .flat_map(members)
            .collect(),
    );
    for pool in &pools {
        let pick = |nonzero: bool| {
            pool.iter()
                .copied()
                .filter(|&i| !s[i] && (f.values[i] > 0) == nonzero)
                .min_by_key(|&i| (f.values[i], i))
        };
        if let Some(c) = pick(true).or_else(|| pick(false)) {
            return Some(c);
        }
    }
    None
}

fn fallback(f: &Figures, s: &[bool]) -> Option<usize> {
    f.relations
        .iter()
        .filter(|r| s[r.total.0] || r.parts.iter().any(|p| s[p.0]))
        .flat_map(|r| std::iter::once(r.total.0).chain(r.parts.iter().map(|p| p.0)))
        .filter(|&i| !s[i])
        .min_by_key(|&i| (f.values[i] > 0, f.values[i], i))
}

/// A withheld, non-hidden cell a reader could solve for or narrow.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Exposure {
    cell: usize,
    /// The relation that exposes it, when a single one does.
    relation: Option<usize>,
}

/// One linear equation over the unknowns: `Σ coef·x = rhs`.
type Row = Vec<(usize, i128)>;

fn relation_row(r: &Relation, s: &[bool]) -> Row {
    let mut row: Vec<(usize, i128)> = Vec::new();
    let mut add = |i: usize, c: i128| {
        if s[i] {
            match row.iter_mut().find(|(j, _)| *j == i) {
                Some(e) => e.1 += c,
                None => row.push((i, c)),
            }
        }
    };
    add(r.total.0, 1);
    for p in &r.parts {
        add(p.0, -1);
    }
    row.retain(|(_, c)| *c != 0);
    row.sort_unstable();
    row
}

/// Every withheld, non-hidden cell that the published values determine or
/// narrow: the auditor [`suppress`] iterates against, public through
/// [`disclosed`] for tests.
fn exposures(f: &Figures, s: &[bool]) -> Vec<Exposure> {
    let mut out: Vec<Exposure> = Vec::new();
    let mut push = |e: Exposure| {
        if !out.iter().any(|o| o.cell == e.cell) {
            out.push(e);
        }
    };
    // Each relation on its own.
    let rows: Vec<Row> = f.relations.iter().map(|r| relation_row(r, s)).collect();
    for (k, row) in rows.iter().enumerate() {
        for cell in narrowed(f, s, row) {
            push(Exposure {
                cell,
                relation: Some(k),
            });
        }
    }
    // Any combination of them: the reduced row echelon form of the system
    // over the unknowns has a row with a single unknown exactly when that
    // unknown is determined; rows of one sign bound their unknowns.
    for row in rref(rows) {
        for cell in narrowed(f, s, &row) {
            push(Exposure {
                cell,
                relation: None,
            });
        }
    }
    out
}

/// The withheld, non-hidden cells of one equation a reader can solve for, or
/// bound above by less than `MIN_CELL - 1` (unknowns all of one sign, each
/// suppressed one at least 1, hidden ones at least 0).
fn narrowed(f: &Figures, s: &[bool], row: &Row) -> Vec<usize> {
    let visible = |i: usize| s[i] && !f.hidden[i];
    if row.len() == 1 {
        return row
            .iter()
            .map(|(i, _)| *i)
            .filter(|&i| visible(i))
            .collect();
    }
    let positive = row.iter().all(|(_, c)| *c > 0);
    let negative = row.iter().all(|(_, c)| *c < 0);
    if !(positive || negative) {
        return Vec::new();
    }
    let sign = if positive { 1 } else { -1 };
    let coef = |c: i128| c * sign;
    let rhs: i128 = row
        .iter()
        .map(|(i, c)| coef(*c) * i128::from(f.values[*i]))
        .sum();
    let lower = |i: usize| i128::from(!f.hidden[i]);
    let floor: i128 = row.iter().map(|(i, c)| coef(*c) * lower(*i)).sum();
    row.iter()
        .filter(|(i, _)| visible(*i))
        .filter(|(i, c)| {
            // The largest value the equation allows for x_i.
            let slack = rhs - floor + coef(*c) * lower(*i);
            slack < coef(*c) * i128::from(MIN_CELL - 1)
        })
        .map(|(i, _)| *i)
        .collect()
}

fn gcd(a: i128, b: i128) -> i128 {
    let (mut a, mut b) = (a.abs(), b.abs());
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// Reduced row echelon form over the integers (each row divided by the gcd
/// of its coefficients). Should a row overflow i128, its unknowns are
/// reported one by one as if determined, which only suppresses more.
fn rref(rows: Vec<Row>) -> Vec<Row> {
    let mut cols: Vec<usize> = rows.iter().flatten().map(|(i, _)| *i).collect();
    cols.sort_unstable();
    cols.dedup();
    let index = |i: usize| cols.binary_search(&i).unwrap_or(0);
    let width = cols.len();
    let mut m: Vec<Vec<i128>> = rows
        .iter()
        .filter(|r| !r.is_empty())
        .map(|r| {
            let mut v = vec![0i128; width];
            for (i, c) in r {
                v[index(*i)] = *c;
            }
            v
        })
        .collect();
    let mut overflowed: Vec<usize> = Vec::new();
    let mut pivot_row = 0;
    for col in 0..width {
        let Some(p) = (pivot_row..m.len()).find(|&r| m[r][col] != 0) else {
            continue;
        };
        m.swap(pivot_row, p);
        for r in 0..m.len() {
            if r == pivot_row || m[r][col] == 0 {
                continue;
            }
            let (a, b) = (m[pivot_row][col], m[r][col]);
            let g = gcd(a, b);
            let (ka, kb) = (a / g, b / g);
            let mut next = vec![0i128; width];
            let mut ok = true;
            for (j, slot) in next.iter_mut().enumerate() {
                match m[r][j]
                    .checked_mul(ka)
                    .zip(m[pivot_row][j].checked_mul(kb))
                    .and_then(|(x, y)| x.checked_sub(y))
                {
                    Some(v) => *slot = v,
                    None => ok = false,
                }
            }
            if !ok {
                overflowed.extend((0..width).filter(|&j| m[r][j] != 0));
                next = vec![0; width];
            }
            let g = next.iter().fold(0, |g, &v| gcd(g, v));
            if g > 1 {
                next.iter_mut().for_each(|v| *v /= g);
            }
            m[r] = next;
        }
        pivot_row += 1;
        if pivot_row == m.len() {
            break;
        }
    }
    let mut out: Vec<Row> = m
        .into_iter()
        .map(|v| {
            v.into_iter()
                .enumerate()
                .filter(|(_, c)| *c != 0)
                .map(|(j, c)| (cols[j], c))
                .collect::<Row>()
        })
        .filter(|r| !r.is_empty())
        .collect();
    out.extend(overflowed.into_iter().map(|j| vec![(cols[j], 1)]));
    out
}

/// The withheld, non-hidden cells that the published values of `f` under `s`
/// would determine or narrow below the full suppressed range: empty for every
/// result of [`suppress`]. For tests and audits.
pub fn disclosed(f: &Figures, s: &Suppressed) -> Vec<CellId> {
    let mut v: Vec<CellId> = exposures(f, &s.0)
        .into_iter()
        .map(|e| CellId(e.cell))
        .collect();
    v.sort_unstable();
    v
}

// ---- Closed periods ---------------------------------------------------------

/// A calendar month, `YYYY-MM`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Month {
    year: i32,
    month: u8,
}

impl Month {
    /// Parses `YYYY-MM`; errors name `field`.
    pub fn parse(s: &str, field: &'static str) -> Result<Self, ParseError> {
        let bad = || ParseError::new(field, "is not a month like 2026-03");
        let (y, m) = s.trim().split_once('-').ok_or_else(bad)?;
        if y.len() != 4 || m.len() != 2 {
            return Err(bad());
        }
        let year: i32 = y.parse().map_err(|_| bad())?;
        let month: u8 = m.parse().map_err(|_| bad())?;
        if !(1..=12).contains(&month) || year < 1 {
            return Err(bad());
        }
        Ok(Self { year, month })
    }

    /// The month a local day falls in.
    pub fn of(d: Date) -> Self {
        Self {
            year: d.year(),
            month: d.month() as u8,
        }
    }

    pub fn previous(self) -> Self {
        if self.month == 1 {
            Self {
                year: self.year - 1,
                month: 12,
            }
        } else {
            Self {
                year: self.year,
                month: self.month - 1,
            }
        }
    }

    pub fn next(self) -> Self {
        if self.month == 12 {
            Self {
                year: self.year + 1,
                month: 1,
            }
        } else {
            Self {
                year: self.year,
                month: self.month + 1,
            }
        }
    }

    /// The month's first day.
    pub fn first_day(self) -> Result<Date, OutOfRange> {
        let m = time::Month::try_from(self.month).map_err(|_| OutOfRange)?;
        Date::from_calendar_date(self.year, m, 1).map_err(|_| OutOfRange)
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl Serialize for Month {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// Whole months that have ended at the site, `from` through `to`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ClosedPeriod {
    pub from: Month,
    pub to: Month,
}

impl ClosedPeriod {
    /// The last month that has ended at the site at `now`.
    pub fn last_closed(tz: &SiteTimeZone, now: OffsetDateTime) -> Month {
        Month::of(tz.local_date(now)).previous()
    }

    /// The months asked for, with `to` clamped to the last closed month.
    /// Without `from`, the period starts at `earliest` (the first month with
    /// data), or is the last closed month alone.
    pub fn resolve(
        tz: &SiteTimeZone,
        now: OffsetDateTime,
        from: Option<Month>,
        to: Option<Month>,
        earliest: Option<Month>,
    ) -> Result<Self, ParseError> {
        let last = Self::last_closed(tz, now);
        let to = to.map_or(last, |t| t.min(last));
        let from = match from {
            Some(f) if f > to => {
                return Err(ParseError::new(
                    "from",
                    format!("is after {to}, the last closed month asked for"),
                ));
            }
            Some(f) => f,
            None => earliest.map_or(to, |e| e.min(to)),
        };
        Ok(Self { from, to })
    }

    /// The first instant of the period at the site (inclusive).
    pub fn start(&self, tz: &SiteTimeZone) -> Result<OffsetDateTime, OutOfRange> {
        tz.start_of_day(self.from.first_day()?)
    }

    /// The first instant after the period at the site (exclusive).
    pub fn end(&self, tz: &SiteTimeZone) -> Result<OffsetDateTime, OutOfRange> {
        tz.start_of_day(self.to.next().first_day()?)
    }
}

#[cfg(test)]
mod tests;
