//! Monthly per-site rollups: one site's raw counts for one month, computed
//! from the site's rows with the store's aggregate readers and kept in
//! `site_month_figures`. The network's figures and the scorecards read
//! these, never every site's rows per request.
//!
//! **When a rollup is refreshed.** A month is computed the first time it is
//! needed (a request computes only missing months). Data of a month still
//! arrives after it ends (contacts logged late, monthly status filled in
//! afterwards), so the scheduler ([`refresh_recent`], every ten minutes
//! from `serve`) recomputes the last two closed months of every site:
//! figures lag writes by at most ten minutes, and a month is final about
//! two months after it ends.
//!
//! A rollup holds counts and hand-off times only — never a person — and is
//! never published as it is: every answer built from rollups is suppressed
//! as a whole (`crate::figures`).

use handoff_domain::casework::Employment;
use handoff_domain::participation::ParticipationEvent;
use handoff_domain::referral::Door;
use handoff_domain::site_time::SiteTimeZone;
use handoff_figures::Month;
use handoff_services::error::{AppError, AppResult};
use handoff_store::access::{SystemTask, unguarded_persons};
use handoff_store::network as net;
use handoff_store::orgs::Site;
use handoff_store::{Conn, Store, policy};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet};
use time::{Duration, OffsetDateTime};

/// One site's raw counts for one month.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MonthCounts {
    /// Referrals made in the month by door (every door, zeros included).
    pub doors: BTreeMap<String, u64>,
    pub eligible: u64,
    pub ineligible: u64,
    /// Minutes from referral (or approval) to a case manager's acceptance,
    /// for the month's referrals that were accepted.
    pub handoff_minutes: Vec<f64>,
    /// The site's hand-off target when the month was computed.
    pub handoff_target_minutes: u16,
    pub handoffs_within_target: u64,
    /// Holds satisfied and lapsed in the month.
    pub holds_satisfied: u64,
    pub holds_lapsed: u64,
    /// Prosecutors' decisions recorded in the month, by decision.
    pub decisions: BTreeMap<String, u64>,
    /// Holds whose window ended in the month, and of them those whose
    /// intake and release were complete by the deadline.
    pub windows_ended: u64,
    pub intake_within_window: u64,
    /// Open cases at the month's end, and of them those contacted within
    /// the site's "not recently engaged" threshold (engaged) or not.
    pub active: u64,
    pub engaged: u64,
    pub not_recently_engaged: u64,
    /// Cases closed and reopened in the month.
    pub closed: u64,
    pub reopened: u64,
    /// Closings for a reason that is non-compliance: none exists in the
    /// data model (DESIGN.md §2), so this stays zero; counted to show it.
    pub closed_for_noncompliance: u64,
    pub contacts: u64,
    /// Open cases at the month's end contacted in its last 30 days.
    pub contacted_30: u64,
    /// Monthly status reported for the month, and how many were housed,
    /// employed (part- or full-time) or had income or benefits.
    pub status_reported: u64,
    pub housed: u64,
    pub employed: u64,
    pub income: u64,
    /// Arrest-door referrals by race: (screened, diverted).
    pub rri: BTreeMap<String, (u64, u64)>,
}

impl MonthCounts {
    pub fn referrals(&self) -> u64 {
        self.doors.values().sum()
    }
    pub fn door(&self, d: Door) -> u64 {
        self.doors.get(d.as_str()).copied().unwrap_or(0)
    }
}

fn internal(e: impl std::fmt::Display) -> AppError {
    AppError::Internal(anyhow::anyhow!(e.to_string()))
}

fn window(tz: &SiteTimeZone, m: Month) -> AppResult<(OffsetDateTime, OffsetDateTime)> {
    let out = || AppError::field("to", "is out of range");
    let start = tz
        .start_of_day(m.first_day().map_err(|_| out())?)
        .map_err(|_| out())?;
    let end = tz
        .start_of_day(m.next().first_day().map_err(|_| out())?)
        .map_err(|_| out())?;
    Ok((start, end))
}

/// Computes one site's counts for one month from its rows.
pub async fn compute(c: &mut Conn<'_>, site: &Site, month: Month) -> AppResult<MonthCounts> {
    let tz = SiteTimeZone::parse(&site.time_zone)?;
    let (start, end) = window(&tz, month)?;
    let p = policy::current(c, site.id).await?.map(|v| v.policy);
    let target = p.as_ref().map_or(
        handoff_domain::eligibility::DEFAULT_HANDOFF_TARGET_MINUTES,
        |p| p.handoff_target_minutes,
    );
    let engaged_days = i64::from(p.as_ref().map_or(
        handoff_domain::participation::DEFAULT_NOT_RECENTLY_ENGAGED_DAYS,
        |p| p.not_recently_engaged_days,
    ));
    let mut m = MonthCounts {
        doors: Door::ALL
            .iter()
            .map(|d| (d.as_str().to_string(), 0))
            .collect(),
        handoff_target_minutes: target,
        ..MonthCounts::default()
    };

    for r in net::referral_facts(c, site.id, start, end).await? {
        *m.doors.entry(r.door.clone()).or_default() += 1;
        if r.eligible {
            m.eligible += 1;
        } else {
            m.ineligible += 1;
        }
        if let Some(a) = r.accepted_at {
            let mins = (a - r.approved_at.unwrap_or(r.referred_at)).as_seconds_f64() / 60.0;
            m.handoff_minutes.push(mins.max(0.0));
            if mins <= f64::from(target) {
                m.handoffs_within_target += 1;
            }
        }
    }
    m.handoff_minutes.sort_by(f64::total_cmp);

    let within = |t: OffsetDateTime| start <= t && t < end;
    for h in net::hold_facts(c, site.id, end).await? {
        m.holds_satisfied += u64::from(h.satisfied_at.is_some_and(within));
        m.holds_lapsed += u64::from(h.lapsed_at.is_some_and(within));
        if within(h.deadline_at) {
            m.windows_ended += 1;
            m.intake_within_window += u64::from(h.enrolled_at.is_some_and(|e| e <= h.deadline_at));
        }
    }
    for d in net::decisions(c, site.id, start, end).await? {
        m.decisions.insert(d.key, u64::try_from(d.n).unwrap_or(0));
    }

    // Cases: open at the month's end, closed and reopened within it.
    let (first_day, next_first) = (
        month.first_day().map_err(internal)?,
        month.next().first_day().map_err(internal)?,
    );
    let mut closed_at_end: HashMap<uuid::Uuid, bool> = HashMap::new();
    for (pid, event) in net::participation_facts(c, site.id).await? {
        let e: ParticipationEvent = serde_json::from_str(&event).map_err(internal)?;
        let (on, closes) = match &e {
            ParticipationEvent::Closed { on, .. } => (*on, true),
            ParticipationEvent::Reopened { on } => (*on, false),
        };
        if on < next_first {
            closed_at_end.insert(pid, closes);
        }
        if first_day <= on && on < next_first {
            if closes {
                m.closed += 1;
            } else {
                m.reopened += 1;
            }
        }
    }
    let open: HashSet<uuid::Uuid> = net::participant_facts(c, site.id)
        .await?
        .into_iter()
        .filter(|p| p.enrolled_at.unwrap_or(p.intake_at) < end)
        .filter(|p| !closed_at_end.get(&p.id).copied().unwrap_or(false))
        .map(|p| p.id)
        .collect();
    m.active = open.len() as u64;
    let look_back = engaged_days.max(30);
    let mut last: HashMap<uuid::Uuid, OffsetDateTime> = HashMap::new();
    for (pid, at) in
        net::contact_facts(c, site.id, start.min(end - Duration::days(look_back)), end).await?
    {
        if within(at) {
            m.contacts += 1;
        }
        let e = last.entry(pid).or_insert(at);
        *e = (*e).max(at);
    }
    for pid in &open {
        let seen = last.get(pid).copied();
        let engaged = seen.is_some_and(|t| t >= end - Duration::days(engaged_days));
        m.engaged += u64::from(engaged);
        m.not_recently_engaged += u64::from(!engaged);
        m.contacted_30 += u64::from(seen.is_some_and(|t| t >= end - Duration::days(30)));
    }

    for (housing, employment, income) in net::monthly_facts(c, site.id, &month.to_string()).await? {
        m.status_reported += 1;
        m.housed += u64::from(housing.as_deref() == Some("housed"));
        m.employed += u64::from(
            employment
                .as_deref()
                .and_then(|e| e.parse::<Employment>().ok())
                .is_some_and(|e| e.employed()),
        );
        m.income += u64::from(income == Some(true));
    }

    // Race, nothing else, counted (the figures' key, as oversight's).
    let key = unguarded_persons(site.id, SystemTask::Figures);
    for (race, n, diverted) in net::arrest_door_by_race(c, &key, start, end).await? {
        m.rri.insert(
            race,
            (
                u64::try_from(n).unwrap_or(0),
                u64::try_from(diverted).unwrap_or(0),
            ),
        );
    }
    Ok(m)
}

/// Computes and stores one site-month (what the scheduler does for the
/// last two closed months).
pub async fn compute_and_store(
    store: &Store,
    site: &Site,
    m: Month,
    now: OffsetDateTime,
) -> AppResult<MonthCounts> {
    let counts = compute(&mut store.conn(), site, m).await?;
    let json = serde_json::to_string(&counts).map_err(internal)?;
    net::put_rollup(&mut store.conn(), site.id, &m.to_string(), &json, now).await?;
    Ok(counts)
}

/// The site's counts for every month `from..=to`, from its rollups,
/// computing (and storing) those missing. Stored ones are kept fresh by
/// the scheduler, not on a request's time.
pub async fn months(
    store: &Store,
    site: &Site,
    from: Month,
    to: Month,
    now: OffsetDateTime,
) -> AppResult<Vec<(Month, MonthCounts)>> {
    let stored: HashMap<String, net::Rollup> = net::rollups(
        &mut store.conn(),
        site.id,
        &from.to_string(),
        &to.to_string(),
    )
    .await?
    .into_iter()
    .map(|r| (r.month.clone(), r))
    .collect();
    let mut out = Vec::new();
    let mut m = from;
    while m <= to {
        let good = stored
            .get(&m.to_string())
            .and_then(|r| serde_json::from_str::<MonthCounts>(&r.figures).ok());
        let counts = match good {
            Some(counts) => counts,
            None => compute_and_store(store, site, m, now).await?,
        };
        out.push((m, counts));
        m = m.next();
    }
    Ok(out)
}

/// One site-month's rollup as stored: its counts (JSON, parsed only when
/// needed) and when it was refreshed.
#[derive(Debug, Clone)]
pub struct Stored {
    pub figures: String,
    pub refreshed_at: OffsetDateTime,
}

impl Stored {
    pub fn counts(&self) -> AppResult<MonthCounts> {
        serde_json::from_str(&self.figures).map_err(internal)
    }
}

/// Every site's rollup of every month `from..=to` (sites in the order
/// given), in one query, computing and storing those missing.
pub async fn network_months(
    store: &Store,
    network: net::NetworkId,
    sites: &[Site],
    from: Month,
    to: Month,
    now: OffsetDateTime,
) -> AppResult<Vec<Vec<(Month, Stored)>>> {
    let mut stored: HashMap<(handoff_domain::SiteId, String), Stored> = net::network_rollups(
        &mut store.conn(),
        network,
        &from.to_string(),
        &to.to_string(),
    )
    .await?
    .into_iter()
    .map(|(site, r)| {
        (
            (site, r.month),
            Stored {
                figures: r.figures,
                refreshed_at: r.refreshed_at,
            },
        )
    })
    .collect();
    let mut out = Vec::with_capacity(sites.len());
    for site in sites {
        let mut v = Vec::new();
        let mut m = from;
        while m <= to {
            let s = match stored.remove(&(site.id, m.to_string())) {
                Some(s) => s,
                None => {
                    let counts = compute_and_store(store, site, m, now).await?;
                    Stored {
                        figures: serde_json::to_string(&counts).map_err(internal)?,
                        refreshed_at: now,
                    }
                }
            };
            v.push((m, s));
            m = m.next();
        }
        out.push(v);
    }
    Ok(out)
}

/// Recomputes the last two closed months of every site (the scheduler's
/// job; a site that fails is logged and the others go on).
pub async fn refresh_recent(store: &Store, now: OffsetDateTime) -> AppResult<usize> {
    let sites = handoff_store::orgs::list_sites(&mut store.conn()).await?;
    let mut done = 0;
    for site in sites {
        let Ok(tz) = SiteTimeZone::parse(&site.time_zone) else {
            continue;
        };
        let last = handoff_figures::ClosedPeriod::last_closed(&tz, now);
        for m in [last.previous(), last] {
            let r = async {
                let counts = compute(&mut store.conn(), &site, m).await?;
                let json = serde_json::to_string(&counts).map_err(internal)?;
                net::put_rollup(&mut store.conn(), site.id, &m.to_string(), &json, now).await?;
                AppResult::Ok(())
            }
            .await;
            match r {
                Ok(()) => done += 1,
                Err(e) => tracing::warn!(site = %site.id, error = %e, "rollup refresh failed"),
            }
        }
    }
    Ok(done)
}

/// Builds (and keeps) every network's answer for the last two closed
/// months — the months [`refresh_recent`] moves — so that requests find
/// them suppressed and ready. (Older months are built on first request
/// and stay valid: their rollups no longer change.)
pub async fn warm_networks(store: &Store, now: OffsetDateTime) -> AppResult<()> {
    for site in handoff_store::orgs::list_sites(&mut store.conn()).await? {
        let Some(network) = net::network_of_site(&mut store.conn(), site.id).await? else {
            continue;
        };
        // One network at a time: the first of its sites stands for it.
        let sites = net::sites(&mut store.conn(), network).await?;
        if sites.first().map(|s| s.id) != Some(site.id) {
            continue;
        }
        let mut period = crate::figures::resolve_period(&sites, now, &Default::default())?;
        period.from = period.to.previous();
        let n = net::get(&mut store.conn(), network).await?;
        crate::figures::build(store, &n, &sites, period).await?;
    }
    Ok(())
}

/// Every ten minutes (the first time 30 seconds after start),
/// [`refresh_recent`], then [`warm_networks`].
pub async fn scheduler(store: Store) {
    let mut tick = tokio_interval();
    loop {
        tick.tick().await;
        let now = handoff_services::now();
        if let Err(e) = refresh_recent(&store, now).await {
            tracing::warn!(error = %e, "rollup refresh failed");
        }
        if let Err(e) = warm_networks(&store, now).await {
            tracing::warn!(error = %e, "network figures failed");
        }
    }
}

/// Every ten minutes, the first time 30 seconds after start: out of the
/// way of start-up (and of tests, which refresh by hand). On SQLite a
/// deferred transaction that reads and then writes fails with
/// `SQLITE_BUSY_SNAPSHOT` when another connection committed in between,
/// so the refresh's writes are kept away from the busiest moment.
fn tokio_interval() -> tokio::time::Interval {
    let every = std::time::Duration::from_secs(600);
    tokio::time::interval_at(
        tokio::time::Instant::now() + std::time::Duration::from_secs(30),
        every,
    )
}
