//! The Bureau's cross-site figures: per site and for the network, by month,
//! built from the monthly rollups and suppressed as oversight's are.
//!
//! **One suppression per month over every site and the network.** Each
//! month's counts of every site go into one `handoff_figures::Figures`
//! with the sums that tie them — doors and eligibility to referrals,
//! hand-offs within the target to hand-offs, engaged and not recently
//! engaged to the open cases, the race rows to the arrest door, and every
//! network count to the sum of the sites' — and `handoff_figures::suppress`
//! withholds every count from 1 to 10 and whatever would let one be
//! solved for or narrowed. No total over several months is published, so
//! months are independent. A suppressed count is `null` with
//! `"suppressed": true`; hand-off medians, ratios and RRIs are published
//! only where the counts they come from are.

use crate::Staff;
use crate::rollup::{self, MonthCounts};
use handoff_audit::Outcome;
use handoff_domain::referral::Door;
use handoff_domain::rules::Action;
use handoff_domain::site_time::SiteTimeZone;
use handoff_figures::{CellId, ClosedPeriod, Figures, MIN_CELL, Month, Suppressed};
use handoff_services::audit::{self, Ctx};
use handoff_services::auth::Auth;
use handoff_services::error::{AppError, AppResult};
use handoff_services::{AppState, now};
use handoff_store::orgs::Site;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};

/// The most months one answer covers.
pub const MAX_MONTHS: usize = 36;
/// The reference group of the relative rate index.
pub const RRI_REFERENCE: &str = "White";

/// `?from=YYYY-MM&to=YYYY-MM`; `to` is clamped to the last closed month.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PeriodQuery {
    /// First month (default: eleven months before `to`).
    pub from: Option<String>,
    /// Last month (default and latest: the last month ended at every site).
    pub to: Option<String>,
}

/// A count, or null when suppressed.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
pub struct Cell {
    #[schema(value_type = Option<u64>)]
    pub count: Option<u64>,
    pub suppressed: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RriRow {
    pub race: String,
    /// Arrest-door referrals screened (the pool).
    pub contacts: Cell,
    /// Of them diverted (eligible).
    pub diverted: Cell,
    pub rri: Option<f64>,
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
    /// Whether the 95% interval includes 1 (null when not computed).
    pub interval_includes_one: Option<bool>,
}

/// One month's figures of a site or of the network.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct MonthFigures {
    pub month: String,
    pub referrals: Cell,
    /// Referrals by door: `arrest_diversion`, `social_contact`, `community`.
    pub by_door: BTreeMap<String, Cell>,
    pub eligible: Cell,
    pub ineligible: Cell,
    /// Referrals of the month accepted by a case manager.
    pub handoffs: Cell,
    /// Of them within the site's hand-off target.
    pub handoffs_within_target: Cell,
    pub handoff_median_minutes: Option<f64>,
    pub handoff_p90_minutes: Option<f64>,
    pub holds_satisfied: Cell,
    pub holds_lapsed: Cell,
    /// Prosecutors' decisions recorded in the month, by decision.
    pub decisions: BTreeMap<String, Cell>,
    /// Open cases at the month's end.
    pub participants_active: Cell,
    pub participants_engaged: Cell,
    pub participants_not_recently_engaged: Cell,
    pub participants_closed: Cell,
    pub participants_reopened: Cell,
    pub contacts: Cell,
    /// Contacts per open case in the month.
    pub contacts_per_participant_month: Option<f64>,
    /// Monthly status reported, and of it housed, employed, with income or benefits.
    pub status_reported: Cell,
    pub housed: Cell,
    pub employed: Cell,
    pub income_or_benefits: Cell,
    /// Diversion by race with the relative rate index (reference `White`).
    pub rri: Vec<RriRow>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SiteFigures {
    #[schema(value_type = String, format = Uuid)]
    pub id: handoff_domain::SiteId,
    pub name: String,
    pub slug: String,
    pub months: Vec<MonthFigures>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NetworkTotals {
    pub name: String,
    pub months: Vec<MonthFigures>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Period {
    pub from: String,
    pub to: String,
}

/// `GET /api/v1/network/figures`.
#[derive(Debug, Serialize, ToSchema)]
pub struct NetworkFigures {
    pub period: Period,
    pub min_cell: u64,
    pub rri_reference: String,
    pub sites: Vec<SiteFigures>,
    pub network: NetworkTotals,
}

fn month_of(v: &Option<String>, field: &'static str) -> AppResult<Option<Month>> {
    match v.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => Ok(Some(Month::parse(v, field)?)),
    }
}

/// The months asked for, clamped to the last month closed at every site.
pub fn resolve_period(
    sites: &[Site],
    now: OffsetDateTime,
    q: &PeriodQuery,
) -> AppResult<ClosedPeriod> {
    let (from, to) = (month_of(&q.from, "from")?, month_of(&q.to, "to")?);
    let mut last = ClosedPeriod::last_closed(&SiteTimeZone::parse("UTC")?, now);
    for s in sites {
        if let Ok(tz) = SiteTimeZone::parse(&s.time_zone) {
            last = last.min(ClosedPeriod::last_closed(&tz, now));
        }
    }
    let to = to.map_or(last, |t| t.min(last));
    let mut earliest = to;
    for _ in 1..12 {
        earliest = earliest.previous();
    }
    let from = match from {
        Some(f) if f > to => {
            return Err(AppError::field(
                "from",
                format!("is after {to}, the last closed month asked for"),
            ));
        }
        Some(f) => f,
        None => earliest,
    };
    let mut n = 1;
    let mut m = from;
    while m < to {
        m = m.next();
        n += 1;
        if n > MAX_MONTHS {
            return Err(AppError::field(
                "from",
                format!("ask for at most {MAX_MONTHS} months at a time"),
            ));
        }
    }
    Ok(ClosedPeriod { from, to })
}

/// The cells of one month of one site (or the network).
struct Cells {
    referrals: CellId,
    doors: Vec<(String, CellId)>,
    eligible: CellId,
    ineligible: CellId,
    handoffs: CellId,
    within: CellId,
    outside: CellId,
    satisfied: CellId,
    lapsed: CellId,
    decisions: Vec<(String, CellId)>,
    active: CellId,
    engaged: CellId,
    not_engaged: CellId,
    closed: CellId,
    reopened: CellId,
    contacts: CellId,
    reported: CellId,
    housed: CellId,
    employed: CellId,
    income: CellId,
    diversions: CellId,
    rri: Vec<(String, CellId, CellId)>,
    minutes: Vec<f64>,
}

fn add(f: &mut Figures, m: &MonthCounts, decisions: &[String], races: &[String]) -> Cells {
    let doors: Vec<(String, CellId)> = Door::ALL
        .iter()
        .map(|d| (d.as_str().to_string(), f.cell(m.door(*d))))
        .collect();
    let handoffs = m.handoff_minutes.len() as u64;
    let c = Cells {
        referrals: f.cell(m.referrals()),
        eligible: f.cell(m.eligible),
        ineligible: f.cell(m.ineligible),
        handoffs: f.cell(handoffs),
        within: f.cell(m.handoffs_within_target),
        outside: f.hidden(handoffs.saturating_sub(m.handoffs_within_target)),
        satisfied: f.cell(m.holds_satisfied),
        lapsed: f.cell(m.holds_lapsed),
        decisions: decisions
            .iter()
            .map(|d| (d.clone(), f.cell(m.decisions.get(d).copied().unwrap_or(0))))
            .collect(),
        active: f.cell(m.active),
        engaged: f.cell(m.engaged),
        not_engaged: f.cell(m.not_recently_engaged),
        closed: f.cell(m.closed),
        reopened: f.cell(m.reopened),
        contacts: f.cell(m.contacts),
        reported: f.cell(m.status_reported),
        housed: f.cell(m.housed),
        employed: f.cell(m.employed),
        income: f.cell(m.income),
        diversions: f.hidden(m.rri.values().map(|(_, d)| d).sum()),
        rri: races
            .iter()
            .map(|r| {
                let (n, d) = m.rri.get(r).copied().unwrap_or((0, 0));
                (r.clone(), f.cell(n), f.cell(d))
            })
            .collect(),
        doors,
        minutes: m.handoff_minutes.clone(),
    };
    f.relation(c.referrals, c.doors.iter().map(|(_, d)| *d).collect());
    f.relation(c.referrals, vec![c.eligible, c.ineligible]);
    f.relation(c.handoffs, vec![c.within, c.outside]);
    f.relation(c.active, vec![c.engaged, c.not_engaged]);
    if let Some((_, arrest)) = c
        .doors
        .iter()
        .find(|(d, _)| d == Door::ArrestDiversion.as_str())
    {
        f.relation(*arrest, c.rri.iter().map(|(_, n, _)| *n).collect());
    }
    f.relation(c.diversions, c.rri.iter().map(|(_, _, d)| *d).collect());
    c
}

/// `network = Σ sites` for every cell of the month.
fn tie(f: &mut Figures, total: &Cells, sites: &[Cells]) {
    let mut sum = |t: CellId, pick: &dyn Fn(&Cells) -> CellId| {
        f.relation(t, sites.iter().map(pick).collect());
    };
    sum(total.referrals, &|c| c.referrals);
    sum(total.eligible, &|c| c.eligible);
    sum(total.ineligible, &|c| c.ineligible);
    sum(total.handoffs, &|c| c.handoffs);
    sum(total.within, &|c| c.within);
    sum(total.outside, &|c| c.outside);
    sum(total.satisfied, &|c| c.satisfied);
    sum(total.lapsed, &|c| c.lapsed);
    sum(total.active, &|c| c.active);
    sum(total.engaged, &|c| c.engaged);
    sum(total.not_engaged, &|c| c.not_engaged);
    sum(total.closed, &|c| c.closed);
    sum(total.reopened, &|c| c.reopened);
    sum(total.contacts, &|c| c.contacts);
    sum(total.reported, &|c| c.reported);
    sum(total.housed, &|c| c.housed);
    sum(total.employed, &|c| c.employed);
    sum(total.income, &|c| c.income);
    sum(total.diversions, &|c| c.diversions);
    for (i, (_, d)) in total.doors.iter().enumerate() {
        f.relation(*d, sites.iter().map(|c| c.doors[i].1).collect());
    }
    for (i, (_, d)) in total.decisions.iter().enumerate() {
        f.relation(*d, sites.iter().map(|c| c.decisions[i].1).collect());
    }
    for (i, (_, n, d)) in total.rri.iter().enumerate() {
        f.relation(*n, sites.iter().map(|c| c.rri[i].1).collect());
        f.relation(*d, sites.iter().map(|c| c.rri[i].2).collect());
    }
}

fn cell(f: &Figures, s: &Suppressed, c: CellId) -> Cell {
    let count = s.published(f, c);
    Cell {
        count,
        suppressed: count.is_none(),
    }
}

/// Nearest-rank percentile of sorted minutes.
pub fn percentile(sorted: &[f64], p: usize) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    Some(sorted[(p * sorted.len()).div_ceil(100).max(1) - 1])
}

fn render(f: &Figures, s: &Suppressed, month: Month, c: &Cells) -> MonthFigures {
    let published = |id: CellId| s.published(f, id);
    let handoffs_shown = published(c.handoffs).is_some_and(|n| n >= MIN_CELL);
    let mut sorted = c.minutes.clone();
    sorted.sort_by(f64::total_cmp);
    let reference = c
        .rri
        .iter()
        .find(|(r, _, _)| r == RRI_REFERENCE)
        .map(|(_, n, d)| (published(*n), published(*d)));
    let rri = c
        .rri
        .iter()
        .map(|(race, n, d)| {
            let mut row = RriRow {
                race: race.clone(),
                contacts: cell(f, s, *n),
                diverted: cell(f, s, *d),
                rri: None,
                ci_low: None,
                ci_high: None,
                interval_includes_one: None,
            };
            if let (Some(n), Some(a), Some((Some(rn), Some(ra)))) =
                (published(*n), published(*d), reference)
                && [n, a, rn, ra].iter().all(|x| *x >= MIN_CELL)
            {
                let rr = handoff_stats::equity::relative_rate_index(a, n, ra, rn, 1.96);
                (row.rri, row.ci_low, row.ci_high) = (rr.rri, rr.ci_low, rr.ci_high);
                row.interval_includes_one = match (rr.ci_low, rr.ci_high) {
                    (Some(l), Some(h)) => Some(l <= 1.0 && 1.0 <= h),
                    _ => None,
                };
            }
            row
        })
        .collect();
    MonthFigures {
        month: month.to_string(),
        referrals: cell(f, s, c.referrals),
        by_door: c
            .doors
            .iter()
            .map(|(d, id)| (d.clone(), cell(f, s, *id)))
            .collect(),
        eligible: cell(f, s, c.eligible),
        ineligible: cell(f, s, c.ineligible),
        handoffs: cell(f, s, c.handoffs),
        handoffs_within_target: cell(f, s, c.within),
        handoff_median_minutes: handoffs_shown.then(|| percentile(&sorted, 50)).flatten(),
        handoff_p90_minutes: handoffs_shown.then(|| percentile(&sorted, 90)).flatten(),
        holds_satisfied: cell(f, s, c.satisfied),
        holds_lapsed: cell(f, s, c.lapsed),
        decisions: c
            .decisions
            .iter()
            .map(|(d, id)| (d.clone(), cell(f, s, *id)))
            .collect(),
        participants_active: cell(f, s, c.active),
        participants_engaged: cell(f, s, c.engaged),
        participants_not_recently_engaged: cell(f, s, c.not_engaged),
        participants_closed: cell(f, s, c.closed),
        participants_reopened: cell(f, s, c.reopened),
        contacts: cell(f, s, c.contacts),
        contacts_per_participant_month: match (published(c.contacts), published(c.active)) {
            (Some(n), Some(a)) if a > 0 => Some(((n as f64 / a as f64) * 100.0).round() / 100.0),
            _ => None,
        },
        status_reported: cell(f, s, c.reported),
        housed: cell(f, s, c.housed),
        employed: cell(f, s, c.employed),
        income_or_benefits: cell(f, s, c.income),
        rri,
    }
}

/// Sums months of several sites into the network's (times pooled).
pub(crate) fn pooled(months: &[&MonthCounts]) -> MonthCounts {
    let mut t = MonthCounts::default();
    for m in months {
        for (d, n) in &m.doors {
            *t.doors.entry(d.clone()).or_default() += n;
        }
        t.eligible += m.eligible;
        t.ineligible += m.ineligible;
        t.handoff_minutes.extend(&m.handoff_minutes);
        t.handoffs_within_target += m.handoffs_within_target;
        t.holds_satisfied += m.holds_satisfied;
        t.holds_lapsed += m.holds_lapsed;
        for (d, n) in &m.decisions {
            *t.decisions.entry(d.clone()).or_default() += n;
        }
        t.windows_ended += m.windows_ended;
        t.intake_within_window += m.intake_within_window;
        t.active += m.active;
        t.engaged += m.engaged;
        t.not_recently_engaged += m.not_recently_engaged;
        t.closed += m.closed;
        t.reopened += m.reopened;
        t.closed_for_noncompliance += m.closed_for_noncompliance;
        t.contacts += m.contacts;
        t.contacted_30 += m.contacted_30;
        t.status_reported += m.status_reported;
        t.housed += m.housed;
        t.employed += m.employed;
        t.income += m.income;
        for (r, (n, d)) in &m.rri {
            let e = t.rri.entry(r.clone()).or_default();
            e.0 += n;
            e.1 += d;
        }
    }
    t.handoff_minutes.sort_by(f64::total_cmp);
    t
}

/// One month of the answer: every site's figures (in the order of the
/// network's sites) and the network's, as stored in `network_month_figures`.
#[derive(Serialize, Deserialize)]
struct MonthAnswer {
    sites: Vec<MonthFigures>,
    network: MonthFigures,
}

/// Suppresses one month over every site and the network.
fn suppress_month(month: Month, counts: &[MonthCounts]) -> MonthAnswer {
    let refs: Vec<&MonthCounts> = counts.iter().collect();
    let total = pooled(&refs);
    let decisions: Vec<String> = total.decisions.keys().cloned().collect();
    let races: Vec<String> = total.rri.keys().cloned().collect();
    let mut f = Figures::new();
    let site_cells: Vec<Cells> = counts
        .iter()
        .map(|m| add(&mut f, m, &decisions, &races))
        .collect();
    let total_cells = add(&mut f, &total, &decisions, &races);
    tie(&mut f, &total_cells, &site_cells);
    let s = handoff_figures::suppress(&f);
    MonthAnswer {
        sites: site_cells
            .iter()
            .map(|c| render(&f, &s, month, c))
            .collect(),
        network: render(&f, &s, month, &total_cells),
    }
}

/// The figures of the network's `sites` over `period`, suppressed month by
/// month. A month whose sites and rollups are those its stored answer was
/// built from is not suppressed again.
pub async fn build(
    store: &handoff_store::Store,
    network: &handoff_store::network::Network,
    sites: &[Site],
    period: ClosedPeriod,
) -> AppResult<NetworkFigures> {
    let t = now();
    let per_site =
        rollup::network_months(store, network.id, sites, period.from, period.to, t).await?;
    let mut stored: std::collections::HashMap<String, (String, String)> =
        handoff_store::network::month_answers(
            &mut store.conn(),
            network.id,
            &period.from.to_string(),
            &period.to.to_string(),
        )
        .await?
        .into_iter()
        .map(|(m, key, answer)| (m, (key, answer)))
        .collect();
    let mut site_months: Vec<Vec<MonthFigures>> = vec![Vec::new(); sites.len()];
    let mut network_months = Vec::new();
    for (i, month) in months_of(period).into_iter().enumerate() {
        let key: String = sites
            .iter()
            .zip(&per_site)
            .map(|(s, v)| format!("{}@{};", s.id, v[i].1.refreshed_at.unix_timestamp_nanos()))
            .collect();
        let kept = stored
            .remove(&month.to_string())
            .filter(|(k, _)| *k == key)
            .and_then(|(_, a)| serde_json::from_str::<MonthAnswer>(&a).ok())
            .filter(|a| a.sites.len() == sites.len());
        let answer = match kept {
            Some(a) => a,
            None => {
                let counts = per_site
                    .iter()
                    .map(|v| v[i].1.counts())
                    .collect::<AppResult<Vec<_>>>()?;
                let a = suppress_month(month, &counts);
                let json = serde_json::to_string(&a)
                    .map_err(|e| AppError::Internal(anyhow::anyhow!(e.to_string())))?;
                handoff_store::network::put_month_answer(
                    &mut store.conn(),
                    network.id,
                    &month.to_string(),
                    &key,
                    &json,
                )
                .await?;
                a
            }
        };
        for (j, m) in answer.sites.into_iter().enumerate() {
            site_months[j].push(m);
        }
        network_months.push(answer.network);
    }
    Ok(NetworkFigures {
        period: Period {
            from: period.from.to_string(),
            to: period.to.to_string(),
        },
        min_cell: MIN_CELL,
        rri_reference: RRI_REFERENCE.into(),
        sites: sites
            .iter()
            .zip(site_months)
            .map(|(s, months)| SiteFigures {
                id: s.id,
                name: s.name.clone(),
                slug: s.slug.clone(),
                months,
            })
            .collect(),
        network: NetworkTotals {
            name: network.name.clone(),
            months: network_months,
        },
    })
}

pub fn months_of(p: ClosedPeriod) -> Vec<Month> {
    let mut v = vec![p.from];
    while *v.last().unwrap_or(&p.to) < p.to {
        let next = v[v.len() - 1].next();
        v.push(next);
    }
    v
}

/// `GET /api/v1/network/figures`: network staff only; audited as
/// `network.figures.read` (aggregates: no participant is named).
pub async fn network_figures(
    state: &AppState,
    auth: &Auth,
    q: &PeriodQuery,
    ctx: &Ctx,
) -> AppResult<NetworkFigures> {
    let staff: Staff = match crate::require_staff(
        state,
        auth,
        Action::SeeNetworkFigures,
        "The network's figures are for the network's staff (the Bureau).",
    )
    .await
    {
        Ok(s) => s,
        Err(e) => {
            audit::record(
                state,
                audit::event(auth, "network.figures.read", Outcome::Denied, ctx),
            )
            .await?;
            return Err(e);
        }
    };
    let sites = handoff_store::network::sites(&mut state.store.conn(), staff.network.id).await?;
    let period = resolve_period(&sites, now(), q)?;
    let answer = build(&state.store, &staff.network, &sites, period).await?;
    let mut e = audit::event(auth, "network.figures.read", Outcome::Allowed, ctx);
    e.subject_ref = Some(format!("network:{}", staff.network.id));
    audit::record(state, e).await?;
    Ok(answer)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A month of `n` sites with counts of every size, small ones included.
    fn month(n: u64) -> Vec<MonthCounts> {
        (0..n)
            .map(|i| {
                let k = |a: u64| (i * 7 + a * 13) % 40;
                let mut m = MonthCounts::default();
                for (j, d) in Door::ALL.iter().enumerate() {
                    m.doors.insert(d.as_str().to_string(), k(j as u64));
                }
                let r = m.referrals();
                m.eligible = r * 3 / 4;
                m.ineligible = r - m.eligible;
                m.handoff_minutes = (0..k(5)).map(|x| x as f64).collect();
                m.handoffs_within_target = k(5) / 2;
                m.holds_satisfied = k(6);
                m.holds_lapsed = k(7);
                m.decisions.insert("declined".into(), k(8));
                m.active = k(9) + 20;
                m.engaged = k(9);
                m.not_recently_engaged = 20;
                m.contacts = k(10) * 3;
                m.status_reported = k(11);
                m.housed = k(11) / 3;
                let a = m.door(Door::ArrestDiversion);
                m.rri.insert("White".into(), (a / 2, a / 3));
                m.rri.insert("Black".into(), (a - a / 2, (a - a / 2) / 2));
                m
            })
            .collect()
    }

    fn figures(counts: &[MonthCounts]) -> (Figures, Vec<Cells>, Cells) {
        let refs: Vec<&MonthCounts> = counts.iter().collect();
        let total = pooled(&refs);
        let decisions: Vec<String> = total.decisions.keys().cloned().collect();
        let races: Vec<String> = total.rri.keys().cloned().collect();
        let mut f = Figures::new();
        let sites: Vec<Cells> = counts
            .iter()
            .map(|m| add(&mut f, m, &decisions, &races))
            .collect();
        let t = add(&mut f, &total, &decisions, &races);
        tie(&mut f, &t, &sites);
        (f, sites, t)
    }

    #[test]
    fn nothing_suppressed_can_be_worked_out_across_sites_and_the_network() {
        let counts = month(12);
        let (f, sites, total) = figures(&counts);
        let s = handoff_figures::suppress(&f);
        assert!(handoff_figures::disclosed(&f, &s).is_empty());
        // Small counts are withheld wherever they are.
        let mut small = 0;
        for c in sites.iter().chain([&total]) {
            let ids = [
                c.referrals,
                c.eligible,
                c.handoffs,
                c.within,
                c.active,
                c.housed,
            ]
            .into_iter()
            .chain(c.doors.iter().map(|(_, d)| *d))
            .chain(c.rri.iter().flat_map(|(_, n, d)| [*n, *d]));
            for id in ids {
                if (1..MIN_CELL).contains(&f.value(id)) {
                    assert!(s.is_suppressed(id));
                    small += 1;
                }
            }
        }
        assert!(small > 0);
    }

    #[test]
    #[ignore = "a measurement: cargo test -p handoff-network --release -- --ignored --nocapture"]
    fn suppression_of_a_national_month() {
        for n in [10, 50, 100] {
            let counts = month(n);
            let (f, _, _) = figures(&counts);
            let t = std::time::Instant::now();
            let s = handoff_figures::suppress(&f);
            println!("{n} sites: {} cells, {:?}", f.len(), t.elapsed());
            drop(s);
        }
    }
}
