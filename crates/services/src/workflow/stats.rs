//! Hand-off times for supervisors: per week, the median and 90th percentile
//! of the time from referral (or approval) to a case manager's acceptance,
//! and to arrival at the scene.

use super::{SiteCtx, agency_of};
use crate::auth::Auth;
use crate::error::AppResult;
use crate::{AppState, now};
use handoff_domain::rules::Action;

use handoff_domain::handoff::HandoffSummary;
use handoff_store::referrals::{self, Filter};
use serde::Serialize;
use time::{Date, Duration};
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema)]
pub struct Times {
    pub count: usize,
    pub median_minutes: f64,
    pub p90_minutes: f64,
    /// How many were within the policy's hand-off target.
    pub within_target: usize,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WeekStats {
    /// The Monday that starts the week, at the site.
    pub week_of: String,
    /// Referrals made that week.
    pub referrals: usize,
    /// Referral to acceptance.
    pub to_accept: Option<Times>,
    /// Referral to arrival (triage started).
    pub to_arrival: Option<Times>,
}

fn times(v: &[Duration], target: u16) -> Option<Times> {
    HandoffSummary::of(v, target).map(|s| Times {
        count: s.count,
        median_minutes: s.median.as_seconds_f64() / 60.0,
        p90_minutes: s.p90.as_seconds_f64() / 60.0,
        within_target: s.within_target,
    })
}

pub async fn weekly(state: &AppState, auth: &Auth, weeks: u8) -> AppResult<Vec<WeekStats>> {
    let agency = agency_of(state, auth).await?;
    super::require(
        auth,
        &agency,
        Action::SeeHandoffStats,
        "Hand-off times are for supervisors and site admins.",
    )?;
    let ctx = SiteCtx::load(state, auth.user.site_id).await?;
    let target = ctx.policy.policy.handoff_target_minutes;
    let today = ctx.tz.local_date(now());
    let monday = today - Duration::days(i64::from(today.weekday().number_days_from_monday()));
    let all = referrals::list(&mut state.store.conn(), ctx.site.id, Filter::All, 100_000).await?;
    let mut out = Vec::new();
    for w in (0..i64::from(weeks)).rev() {
        let start: Date = monday - Duration::weeks(w);
        let end = start + Duration::weeks(1);
        let in_week: Vec<_> = all
            .iter()
            .filter(|r| {
                let d = ctx.tz.local_date(r.referred_at);
                d >= start && d < end
            })
            .collect();
        let since =
            |r: &&handoff_store::referrals::ReferralRecord| r.approved_at.unwrap_or(r.referred_at);
        let accept: Vec<Duration> = in_week
            .iter()
            .filter_map(|r| r.accepted_at.map(|a| a - since(r)))
            .collect();
        let arrive: Vec<Duration> = in_week
            .iter()
            .filter_map(|r| r.triage_started_at.map(|a| a - since(r)))
            .collect();
        out.push(WeekStats {
            week_of: handoff_store::referrals::iso(start),
            referrals: in_week.len(),
            to_accept: times(&accept, target),
            to_arrival: times(&arrive, target),
        });
    }
    Ok(out)
}
