//! The hand-off's times month by month for supervisors (issue 11): from
//! referral (or approval, where the policy asks one) to a case manager's
//! acceptance, from acceptance to arrival at the scene, and from referral
//! to arrival — each month's median and 90th percentile (nearest rank,
//! `HandoffSummary`, the same measure as the weekly figures) over a range
//! of months at the site. Rule `SeeHandoffStats`.

use handoff_domain::handoff::HandoffSummary;
use handoff_domain::rules::Action;
use handoff_services::auth::Auth;
use handoff_services::error::{AppError, AppResult};
use handoff_services::workflow::stats::Times;
use handoff_services::workflow::{self, SiteCtx, agency_of};
use handoff_services::{AppState, now};
use handoff_store::referrals::{self, Filter};
use serde::Serialize;
use time::{Date, Duration, Month};
use utoipa::ToSchema;

/// The longest range one answer covers, in months.
pub const MAX_MONTHS: i32 = 36;

#[derive(Debug, Serialize, ToSchema)]
pub struct MonthTimes {
    /// `YYYY-MM`, the month of referral at the site.
    pub month: String,
    /// Referrals made that month.
    pub referrals: usize,
    /// Referral (or approval) to acceptance.
    pub to_accept: Option<Times>,
    /// Acceptance to arrival.
    pub accept_to_arrival: Option<Times>,
    /// Referral (or approval) to arrival.
    pub to_arrival: Option<Times>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Trend {
    pub from: String,
    pub to: String,
    /// The policy's hand-off target.
    pub target_minutes: u16,
    pub months: Vec<MonthTimes>,
}

fn times(v: &[Duration], target: u16) -> Option<Times> {
    HandoffSummary::of(v, target).map(|s| Times {
        count: s.count,
        median_minutes: s.median.as_seconds_f64() / 60.0,
        p90_minutes: s.p90.as_seconds_f64() / 60.0,
        within_target: s.within_target,
    })
}

/// `YYYY-MM` as (year, month), the field named when it is not one.
pub fn parse_month(s: &str, field: &str) -> AppResult<(i32, Month)> {
    let bad = || AppError::field(field, "is not a month like 2026-11");
    let (y, m) = s.trim().split_once('-').ok_or_else(bad)?;
    let y: i32 = y.parse().map_err(|_| bad())?;
    let m: u8 = m.parse().map_err(|_| bad())?;
    if !(2000..=2100).contains(&y) {
        return Err(bad());
    }
    Ok((y, Month::try_from(m).map_err(|_| bad())?))
}

fn index((y, m): (i32, Month)) -> i32 {
    y * 12 + i32::from(u8::from(m)) - 1
}

fn of_index(i: i32) -> (i32, Month) {
    let m = u8::try_from(i.rem_euclid(12) + 1).unwrap_or(1);
    (
        i.div_euclid(12),
        Month::try_from(m).unwrap_or(Month::January),
    )
}

fn label((y, m): (i32, Month)) -> String {
    format!("{y:04}-{:02}", u8::from(m))
}

/// The months `from`..=`to` (default: the last six, this one included).
pub async fn monthly(
    state: &AppState,
    auth: &Auth,
    from: Option<&str>,
    to: Option<&str>,
) -> AppResult<Trend> {
    let agency = agency_of(state, auth).await?;
    workflow::require(
        auth,
        &agency,
        Action::SeeHandoffStats,
        "Hand-off times are for supervisors and site admins.",
    )?;
    let ctx = SiteCtx::load(state, auth.user.site_id).await?;
    let today = ctx.tz.local_date(now());
    let this = index((today.year(), today.month()));
    let to_i = match to.map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => index(parse_month(s, "to")?),
        None => this,
    };
    let from_i = match from.map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => index(parse_month(s, "from")?),
        None => to_i - 5,
    };
    if from_i > to_i {
        return Err(AppError::field("to", "comes before the first month"));
    }
    if to_i - from_i >= MAX_MONTHS {
        return Err(AppError::field(
            "from",
            "the range is longer than 36 months",
        ));
    }
    let target = ctx.policy.policy.handoff_target_minutes;
    let all = referrals::list(&mut state.store.conn(), ctx.site.id, Filter::All, 100_000).await?;
    let month_of = |d: Date| index((d.year(), d.month()));
    let mut months = Vec::new();
    for i in from_i..=to_i {
        let here: Vec<_> = all
            .iter()
            .filter(|r| month_of(ctx.tz.local_date(r.referred_at)) == i)
            .collect();
        let since =
            |r: &handoff_store::referrals::ReferralRecord| r.approved_at.unwrap_or(r.referred_at);
        let accept: Vec<Duration> = here
            .iter()
            .filter_map(|r| r.accepted_at.map(|a| a - since(r)))
            .collect();
        let arrive_after: Vec<Duration> = here
            .iter()
            .filter_map(|r| Some(r.triage_started_at? - r.accepted_at?))
            .collect();
        let arrive: Vec<Duration> = here
            .iter()
            .filter_map(|r| r.triage_started_at.map(|a| a - since(r)))
            .collect();
        months.push(MonthTimes {
            month: label(of_index(i)),
            referrals: here.len(),
            to_accept: times(&accept, target),
            accept_to_arrival: times(&arrive_after, target),
            to_arrival: times(&arrive, target),
        });
    }
    Ok(Trend {
        from: label(of_index(from_i)),
        to: label(of_index(to_i)),
        target_minutes: target,
        months,
    })
}
