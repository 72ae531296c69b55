//! Fidelity scorecards: for one site and a period, measurable indicators of
//! LEAD's core principles, each with the site's value, the network's target
//! and a status (met / watch / not met), and the trend by month where the
//! indicator comes from the monthly rollups.
//!
//! Targets are network settings the Bureau changes (`network_targets`,
//! versioned like site policy: a change is a new version, the newest is in
//! force). Each target has a `target` and a `watch` threshold: for
//! indicators where more is better the value is met at or above `target`
//! and watched at or above `watch`; where less is better, at or below.
//! A value that cannot be computed (no hand-offs in the period, …) is
//! `null` and watched.

use crate::figures::{self, PeriodQuery, RRI_REFERENCE};
use crate::rollup::{self, MonthCounts};
use handoff_audit::Outcome;
use handoff_domain::SiteId;
use handoff_domain::referral::Door;
use handoff_domain::rules::Action;
use handoff_domain::site_time::SiteTimeZone;
use handoff_figures::{ClosedPeriod, MIN_CELL};
use handoff_services::audit::{self, Ctx};
use handoff_services::auth::Auth;
use handoff_services::error::{AppError, AppResult};
use handoff_services::{AppState, now, workflow};
use handoff_store::network as net;
use handoff_store::orgs::{self, Site};
use handoff_store::participation;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// Which way an indicator improves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Better {
    Higher,
    Lower,
}

/// An indicator of the scorecard: key, label, direction, default target
/// and watch threshold.
pub const INDICATORS: &[(&str, &str, Better, f64, f64)] = &[
    (
        "handoffs_within_target",
        "Hand-offs within the site's target (share)",
        Better::Higher,
        0.8,
        0.6,
    ),
    (
        "holds_satisfied",
        "Arrest diversions whose hold was satisfied (share of holds ended)",
        Better::Higher,
        0.7,
        0.5,
    ),
    (
        "intake_within_window",
        "Intake and release completed within the hold window (share)",
        Better::Higher,
        0.7,
        0.5,
    ),
    (
        "average_caseload",
        "Average caseload per case manager (now)",
        Better::Lower,
        20.0,
        22.0,
    ),
    (
        "max_caseload",
        "Largest caseload of any case manager (now; never over 25)",
        Better::Lower,
        25.0,
        25.0,
    ),
    (
        "contacted_last_30_days",
        "Open cases contacted in the last 30 days of the period (share)",
        Better::Higher,
        0.8,
        0.6,
    ),
    (
        "owg_longest_gap_days",
        "Longest time without an OWG meeting (days; every two weeks)",
        Better::Lower,
        14.0,
        21.0,
    ),
    (
        "owg_participants_reviewed",
        "OWG meetings that reviewed participants (share)",
        Better::Higher,
        1.0,
        0.75,
    ),
    (
        "community_door_share",
        "Referrals through the community door (share)",
        Better::Higher,
        0.1,
        0.05,
    ),
    (
        "closed_for_noncompliance",
        "Participation ended for non-compliance (the data model allows none)",
        Better::Lower,
        0.0,
        0.0,
    ),
    (
        "diversion_rri",
        "Lowest diversion relative rate index by race (interval should include 1)",
        Better::Higher,
        1.0,
        0.8,
    ),
    (
        "policy_versions_adopted",
        "Policy versions adopted by the PCG in the period",
        Better::Higher,
        1.0,
        0.0,
    ),
];

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Target {
    /// Zero or more.
    #[schema(minimum = 0)]
    pub target: f64,
    /// Zero or more, between the target and worse values.
    #[schema(minimum = 0)]
    pub watch: f64,
}

/// The targets in force, by indicator key.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Targets {
    /// 0 for the defaults (no version saved yet).
    pub version: i64,
    pub note: Option<String>,
    pub targets: BTreeMap<String, Target>,
}

fn defaults() -> BTreeMap<String, Target> {
    INDICATORS
        .iter()
        .map(|(k, _, _, t, w)| {
            (
                k.to_string(),
                Target {
                    target: *t,
                    watch: *w,
                },
            )
        })
        .collect()
}

/// The network's targets in force (defaults filled in for any key a
/// version does not name).
pub async fn targets_of(state: &AppState, network: net::NetworkId) -> AppResult<Targets> {
    let mut targets = defaults();
    match net::current_targets(&mut state.store.conn(), network).await? {
        None => Ok(Targets {
            version: 0,
            note: None,
            targets,
        }),
        Some(v) => {
            let saved: BTreeMap<String, Target> =
                serde_json::from_str(&v.content).map_err(|e| {
                    AppError::Internal(anyhow::anyhow!("targets version {}: {e}", v.version))
                })?;
            targets.extend(saved);
            Ok(Targets {
                version: v.version,
                note: v.note,
                targets,
            })
        }
    }
}

/// `PUT /api/v1/network/targets` body.
#[derive(Debug, Deserialize, ToSchema)]
pub struct TargetsChange {
    pub targets: BTreeMap<String, Target>,
    #[serde(default)]
    pub note: Option<String>,
}

/// The network's targets (network staff).
pub async fn get_targets(state: &AppState, auth: &Auth) -> AppResult<Targets> {
    let staff = crate::require_staff(
        state,
        auth,
        Action::SeeNetworkFigures,
        "The scorecard targets are the network staff's settings.",
    )
    .await?;
    targets_of(state, staff.network.id).await
}

/// Saves a new version of the targets (network staff who manage the
/// network); audited as `network.targets.change`.
pub async fn set_targets(
    state: &AppState,
    auth: &Auth,
    change: &TargetsChange,
    ctx: &Ctx,
) -> AppResult<Targets> {
    let staff = crate::require_staff(
        state,
        auth,
        Action::ManageNetwork,
        "Only the network's staff change the scorecard targets.",
    )
    .await?;
    for (k, t) in &change.targets {
        let field = format!("targets.{k}");
        let Some((_, _, better, _, _)) = INDICATORS.iter().find(|(key, ..)| key == k) else {
            return Err(AppError::field(
                field,
                "is not an indicator of the scorecard",
            ));
        };
        if !(t.target.is_finite() && t.watch.is_finite()) || t.target < 0.0 || t.watch < 0.0 {
            return Err(AppError::field(field, "use numbers zero or more"));
        }
        let ordered = match better {
            Better::Higher => t.watch <= t.target,
            Better::Lower => t.watch >= t.target,
        };
        if !ordered {
            return Err(AppError::field(
                format!("{field}.watch"),
                "must lie between the target and worse values",
            ));
        }
    }
    let mut all = targets_of(state, staff.network.id).await?.targets;
    all.extend(change.targets.clone());
    let content = serde_json::to_string(&all).map_err(|e| AppError::Internal(e.into()))?;
    let mut tx = state.store.begin().await?;
    let note = change
        .note
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty());
    let v = net::save_targets(
        &mut tx.conn(),
        staff.network.id,
        &content,
        note,
        Some(auth.user.id),
        now(),
    )
    .await?;
    let mut e = audit::event(auth, "network.targets.change", Outcome::Allowed, ctx);
    e.subject_ref = Some(format!("network:{}:targets:{v}", staff.network.id));
    audit::record_in(&mut tx, e).await?;
    tx.commit().await?;
    targets_of(state, staff.network.id).await
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TrendPoint {
    pub month: String,
    pub value: Option<f64>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Indicator {
    pub key: String,
    pub label: String,
    pub value: Option<f64>,
    pub target: f64,
    /// `met`, `watch` or `not_met`.
    pub status: String,
    /// By month, where the indicator comes from the monthly figures.
    pub trend: Vec<TrendPoint>,
}

/// `GET /api/v1/sites/{id}/scorecard`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Scorecard {
    #[schema(value_type = String, format = Uuid)]
    pub site_id: SiteId,
    pub site: String,
    pub period: figures::Period,
    pub targets_version: i64,
    pub indicators: Vec<Indicator>,
}

fn ratio(n: u64, d: u64) -> Option<f64> {
    (d > 0).then(|| ((n as f64 / d as f64) * 1000.0).round() / 1000.0)
}

/// The value of a rollup-based indicator over some months' pooled counts
/// (`last`: the counts of the period's last month).
fn from_counts(key: &str, m: &MonthCounts, last: &MonthCounts) -> Option<Option<f64>> {
    Some(match key {
        "handoffs_within_target" => ratio(m.handoffs_within_target, m.handoff_minutes.len() as u64),
        "holds_satisfied" => ratio(m.holds_satisfied, m.holds_satisfied + m.holds_lapsed),
        "intake_within_window" => ratio(m.intake_within_window, m.windows_ended),
        "contacted_last_30_days" => ratio(last.contacted_30, last.active),
        "community_door_share" => ratio(m.door(Door::Community), m.referrals()),
        "closed_for_noncompliance" => Some(m.closed_for_noncompliance as f64),
        "diversion_rri" => lowest_rri(m).map(|(r, _)| r),
        _ => return None,
    })
}

/// The lowest RRI over the races with enough referrals, and whether every
/// computed interval includes 1.
fn lowest_rri(m: &MonthCounts) -> Option<(f64, bool)> {
    let &(rn, ra) = m.rri.get(RRI_REFERENCE)?;
    let mut lowest: Option<(f64, bool)> = None;
    let mut all_include = true;
    for (race, &(n, a)) in &m.rri {
        if race == RRI_REFERENCE || [n, a, rn, ra].iter().any(|x| *x < MIN_CELL) {
            continue;
        }
        let rr = handoff_stats::equity::relative_rate_index(a, n, ra, rn, 1.96);
        if let (Some(r), Some(l), Some(h)) = (rr.rri, rr.ci_low, rr.ci_high) {
            all_include &= l <= 1.0 && 1.0 <= h;
            if lowest.is_none_or(|(x, _)| r < x) {
                lowest = Some((r, true));
            }
        }
    }
    lowest.map(|(r, _)| (r, all_include))
}

fn status(better: Better, value: Option<f64>, t: &Target) -> &'static str {
    let Some(v) = value else {
        return "watch";
    };
    let (met, watch) = match better {
        Better::Higher => (v >= t.target, v >= t.watch),
        Better::Lower => (v <= t.target, v <= t.watch),
    };
    if met {
        "met"
    } else if watch {
        "watch"
    } else {
        "not_met"
    }
}

/// Whether the caller may read this site's scorecard: network staff for
/// any site of their network, a supervisor for the site they act in.
async fn allowed(state: &AppState, auth: &Auth, site: &Site) -> AppResult<bool> {
    if let Some(staff) = crate::staff(state, auth).await?
        && staff.may(Action::SeeScorecard)
        && net::network_of_site(&mut state.store.conn(), site.id).await? == Some(staff.network.id)
    {
        return Ok(true);
    }
    if auth.user.site_id != site.id {
        return Ok(false);
    }
    let agency = workflow::agency_of(state, auth).await?;
    Ok(workflow::may(auth, &agency, Action::SeeScorecard))
}

/// The scorecard of `site_id` over the period asked for; audited as
/// `network.scorecard.read` (refusals too).
pub async fn scorecard(
    state: &AppState,
    auth: &Auth,
    site_id: SiteId,
    q: &PeriodQuery,
    ctx: &Ctx,
) -> AppResult<Scorecard> {
    let mut c = state.store.conn();
    let site = match orgs::get_site(&mut c, site_id).await {
        Ok(s) => Some(s),
        Err(handoff_store::StoreError::NotFound) => None,
        Err(e) => return Err(e.into()),
    };
    let ok = match &site {
        Some(s) => allowed(state, auth, s).await?,
        None => false,
    };
    if !ok {
        let mut e = audit::event(auth, "network.scorecard.read", Outcome::Denied, ctx);
        e.subject_ref = Some(format!("site:{site_id}"));
        audit::record(state, e).await?;
        return Err(AppError::Forbidden(
            "A site's scorecard is for its supervisors and project manager, and the network's staff.",
        ));
    }
    let Some(site) = site else {
        return Err(AppError::NotFound);
    };
    let period = figures::resolve_period(std::slice::from_ref(&site), now(), q)?;
    let card = build(state, &site, period).await?;
    let mut e = audit::event(auth, "network.scorecard.read", Outcome::Allowed, ctx);
    e.subject_ref = Some(format!("site:{site_id}"));
    audit::record(state, e).await?;
    Ok(card)
}

/// Computes a site's scorecard (no permission check: callers check).
pub async fn build(state: &AppState, site: &Site, period: ClosedPeriod) -> AppResult<Scorecard> {
    let network = net::network_of_site(&mut state.store.conn(), site.id).await?;
    let targets = match network {
        Some(n) => targets_of(state, n).await?,
        None => Targets {
            version: 0,
            note: None,
            targets: defaults(),
        },
    };
    let months = rollup::months(&state.store, site, period.from, period.to, now()).await?;
    let counts: Vec<&MonthCounts> = months.iter().map(|(_, m)| m).collect();
    let pooled = figures::pooled(&counts);
    let empty = MonthCounts::default();
    let last = months.last().map_or(&empty, |(_, m)| m);

    let mut c = state.store.conn();
    let tz = SiteTimeZone::parse(&site.time_zone)?;
    let out = || AppError::field("to", "is out of range");
    let (start, end) = (
        period.start(&tz).map_err(|_| out())?,
        period.end(&tz).map_err(|_| out())?,
    );
    let loads: Vec<i64> = participation::open_caseloads(&mut c, site.id)
        .await?
        .into_iter()
        .map(|(_, n)| n)
        .collect();
    let first = period.from.first_day().map_err(|_| out())?;
    let after = period.to.next().first_day().map_err(|_| out())?;
    let meetings = net::owg_meetings(
        &mut c,
        site.id,
        &handoff_store::referrals::iso(first),
        &handoff_store::referrals::iso(after - time::Duration::days(1)),
    )
    .await?;
    let mut gap = 0i64;
    let mut prev = first;
    for (held, _) in &meetings {
        if let Ok(d) = time::Date::parse(held, &time::format_description::well_known::Iso8601::DATE)
        {
            gap = gap.max((d - prev).whole_days());
            prev = d;
        }
    }
    gap = gap.max((after - prev).whole_days());
    let reviewed = meetings.iter().filter(|(_, n)| *n > 0).count() as u64;
    let versions = net::policy_versions_between(&mut c, site.id, start, end).await?;

    let indicators = INDICATORS
        .iter()
        .map(|(key, label, better, t, w)| {
            let target = targets.targets.get(*key).copied().unwrap_or(Target {
                target: *t,
                watch: *w,
            });
            let (value, trend) = match from_counts(key, &pooled, last) {
                Some(v) => (
                    v,
                    months
                        .iter()
                        .map(|(m, counts)| TrendPoint {
                            month: m.to_string(),
                            value: from_counts(key, counts, counts).flatten(),
                        })
                        .collect(),
                ),
                None => (
                    match *key {
                        "average_caseload" => (!loads.is_empty()).then(|| {
                            ((loads.iter().sum::<i64>() as f64 / loads.len() as f64) * 10.0).round()
                                / 10.0
                        }),
                        "max_caseload" => Some(loads.iter().copied().max().unwrap_or(0) as f64),
                        "owg_longest_gap_days" => Some(gap as f64),
                        "owg_participants_reviewed" => ratio(reviewed, meetings.len() as u64),
                        "policy_versions_adopted" => Some(versions as f64),
                        _ => None,
                    },
                    Vec::new(),
                ),
            };
            let mut st = status(*better, value, &target);
            if *key == "diversion_rri" {
                st = match lowest_rri(&pooled) {
                    None => "watch",
                    Some((_, true)) => "met",
                    Some((r, false)) if r < 1.0 => "not_met",
                    Some(_) => "watch",
                };
            }
            Indicator {
                key: key.to_string(),
                label: label.to_string(),
                value,
                target: target.target,
                status: st.to_string(),
                trend,
            }
        })
        .collect();
    Ok(Scorecard {
        site_id: site.id,
        site: site.name.clone(),
        period: figures::Period {
            from: period.from.to_string(),
            to: period.to.to_string(),
        },
        targets_version: targets.version,
        indicators,
    })
}

/// Every site's scorecard of the caller's network, side by side (network
/// staff); audited as one `network.scorecard.read` naming the network.
pub async fn all(
    state: &AppState,
    auth: &Auth,
    q: &PeriodQuery,
    ctx: &Ctx,
) -> AppResult<Vec<Scorecard>> {
    let staff = crate::require_staff(
        state,
        auth,
        Action::SeeScorecard,
        "Every site's scorecard is for the network's staff.",
    )
    .await?;
    let sites = net::sites(&mut state.store.conn(), staff.network.id).await?;
    let period = figures::resolve_period(&sites, now(), q)?;
    let mut out = Vec::with_capacity(sites.len());
    for s in &sites {
        out.push(build(state, s, period).await?);
    }
    let mut e = audit::event(auth, "network.scorecard.read", Outcome::Allowed, ctx);
    e.subject_ref = Some(format!("network:{}", staff.network.id));
    audit::record(state, e).await?;
    Ok(out)
}
