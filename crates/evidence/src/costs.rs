//! Programme cost: what the site spends by period and category (recorded
//! by site admins, versioned — recording a period and category again
//! supersedes the earlier figure, which is kept — and attributed), cost per
//! participant-month and per participant-year, and the cost–benefit
//! comparison of the UW evaluation: the change in justice-system cost per
//! person, LEAD against the comparison group (difference in differences,
//! SPEC §7.4), set against the programme's cost per participant-year.

use crate::{iso, parse_date, require};
use handoff_audit::Outcome;
use handoff_domain::participation::ParticipationEvent;
use handoff_domain::rules::Action;
use handoff_domain::{ParticipantId, SiteId};
use handoff_services::AppState;
use handoff_services::audit::{self, Ctx};
use handoff_services::auth::Auth;
use handoff_services::error::{AppError, AppResult};
use handoff_store::evidence::{self as store, ProgramCost};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use time::Date;
use utoipa::ToSchema;

/// The spending categories, with their labels.
pub const CATEGORIES: &[(&str, &str)] = &[
    ("case_management", "Case-management contracts"),
    ("staff", "Staff"),
    ("housing_assistance", "Housing assistance"),
    ("other", "Other"),
];

/// Days in a year and in a month, for participant-years and -months.
const YEAR_DAYS: f64 = 365.25;
const MONTH_DAYS: f64 = YEAR_DAYS / 12.0;

/// `POST /api/v1/program-costs`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct CostBody {
    /// The first day (YYYY-MM-DD).
    #[serde(default)]
    #[schema(format = Date)]
    pub period_start: String,
    /// The last day (YYYY-MM-DD, inclusive), not before `period_start`.
    #[serde(default)]
    #[schema(format = Date)]
    pub period_end: String,
    /// `case_management`, `staff`, `housing_assistance` or `other`.
    #[serde(default)]
    pub category: String,
    /// Dollars (cents allowed).
    #[serde(default)]
    #[schema(value_type = f64, minimum = 0, exclusive_maximum = 1e12)]
    pub amount_usd: serde_json::Value,
    /// At most 500 characters.
    #[serde(default)]
    #[schema(max_length = 500)]
    pub note: Option<String>,
}

/// One recorded cost (a version).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CostRow {
    pub id: uuid::Uuid,
    pub period_start: String,
    pub period_end: String,
    pub category: String,
    pub amount_usd: f64,
    pub note: Option<String>,
    pub version: i64,
    /// Whether a later version of the same period and category replaced it.
    pub superseded: bool,
    pub recorded_by: uuid::Uuid,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String)]
    pub recorded_at: time::OffsetDateTime,
}

/// Cost per participant over a period.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct CostSummary {
    pub from: String,
    pub to: String,
    /// Spending in force over the period (each cost prorated by the days it shares with the period).
    pub total_usd: f64,
    pub by_category: BTreeMap<String, f64>,
    /// Participants active on at least one day of the period.
    pub participants: u64,
    pub participant_months: f64,
    pub cost_per_participant_month: Option<f64>,
    pub cost_per_participant_year: Option<f64>,
}

/// The cost–benefit comparison.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct CostBenefit {
    /// Mean change in justice-system cost per person (post − pre), LEAD.
    pub lead_change_usd: Option<f64>,
    /// The same for the comparison group.
    pub control_change_usd: Option<f64>,
    /// LEAD's change minus the comparison group's (SPEC §7.4).
    pub difference_in_differences_usd: Option<f64>,
    /// Justice-system cost avoided per person (−DiD).
    pub justice_savings_per_person_usd: Option<f64>,
    pub program_cost_per_participant_year_usd: Option<f64>,
    /// Savings per person minus the programme's cost per participant-year.
    pub net_per_person_usd: Option<f64>,
}

fn cents(v: &serde_json::Value) -> Option<i64> {
    let x = match v {
        serde_json::Value::Number(n) => n.as_f64()?,
        serde_json::Value::String(s) => s
            .trim()
            .trim_start_matches('$')
            .replace(',', "")
            .parse()
            .ok()?,
        _ => return None,
    };
    (x.is_finite() && (0.0..1e12).contains(&x)).then(|| (x * 100.0).round() as i64)
}

/// Records a cost (site admins): the next version of its period and category.
pub async fn record(state: &AppState, auth: &Auth, actx: &Ctx, b: &CostBody) -> AppResult<CostRow> {
    require(
        state,
        auth,
        Action::KeepProgramRecords,
        "programme costs are recorded by a site admin",
    )
    .await?;
    let start = parse_date("period_start", &b.period_start)?;
    let end = parse_date("period_end", &b.period_end)?;
    if end < start {
        return Err(AppError::field("period_end", "is before period_start"));
    }
    let category = b.category.trim();
    if !CATEGORIES.iter().any(|(c, _)| *c == category) {
        return Err(AppError::field(
            "category",
            "expected case_management, staff, housing_assistance or other",
        ));
    }
    let amount = cents(&b.amount_usd).ok_or_else(|| {
        AppError::field("amount_usd", "give the amount in dollars, like 12500.00")
    })?;
    let note = b.note.as_deref().map(str::trim).filter(|n| !n.is_empty());
    if note.is_some_and(|n| n.chars().count() > 500) {
        return Err(AppError::field("note", "is longer than 500 characters"));
    }
    let mut tx = state.store.begin().await?;
    let saved = store::record_cost(
        &mut tx.conn(),
        auth.user.site_id,
        &iso(start),
        &iso(end),
        category,
        amount,
        note,
        auth.user.id,
        handoff_services::now(),
    )
    .await?;
    let mut e = audit::event(auth, "program_cost.record", Outcome::Allowed, actx);
    e.subject_ref = Some(format!("program_cost:{}", saved.id));
    audit::record_in(&mut tx, e).await?;
    tx.commit().await?;
    Ok(row(&saved, false))
}

fn row(c: &ProgramCost, superseded: bool) -> CostRow {
    CostRow {
        id: c.id,
        period_start: c.period_start.clone(),
        period_end: c.period_end.clone(),
        category: c.category.clone(),
        amount_usd: c.amount_cents as f64 / 100.0,
        note: c.note.clone(),
        version: c.version,
        superseded,
        recorded_by: c.recorded_by,
        recorded_at: c.recorded_at,
    }
}

/// Every version, marking the superseded ones.
pub fn rows(all: &[ProgramCost]) -> Vec<CostRow> {
    all.iter()
        .map(|c| {
            let later = all.iter().any(|o| {
                o.period_start == c.period_start
                    && o.period_end == c.period_end
                    && o.category == c.category
                    && o.version > c.version
            });
            row(c, later)
        })
        .collect()
}

/// Days a participant was active within `[from, to]`: from enrolment, less
/// the spans their case was closed.
pub fn active_days(enrolled: Date, history: &[ParticipationEvent], from: Date, to: Date) -> i64 {
    let mut spans: Vec<(Date, Option<Date>)> = vec![(enrolled, None)];
    for e in history {
        match e {
            ParticipationEvent::Closed { on, .. } => {
                if let Some(last) = spans.last_mut()
                    && last.1.is_none()
                {
                    last.1 = Some(*on);
                }
            }
            ParticipationEvent::Reopened { on } => spans.push((*on, None)),
        }
    }
    spans
        .iter()
        .map(|(s, e)| {
            let a = (*s).max(from);
            // A case closed on day d was active until the day before.
            let b = e.map_or(to, |e| e.previous_day().unwrap_or(e).min(to));
            ((b - a).whole_days() + 1).max(0)
        })
        .sum()
}

/// The summary from the costs in force and each participant's active days.
pub fn summarize(all: &[ProgramCost], active: &[i64], from: Date, to: Date) -> CostSummary {
    let mut by_category: BTreeMap<String, f64> = BTreeMap::new();
    for c in rows(all).iter().filter(|c| !c.superseded) {
        let (Ok(s), Ok(e)) = (
            parse_date("period_start", &c.period_start),
            parse_date("period_end", &c.period_end),
        ) else {
            continue;
        };
        let days = (e - s).whole_days() + 1;
        let shared = ((e.min(to) - s.max(from)).whole_days() + 1).max(0);
        if days > 0 && shared > 0 {
            *by_category.entry(c.category.clone()).or_default() +=
                c.amount_usd * shared as f64 / days as f64;
        }
    }
    let total: f64 = by_category.values().sum();
    let days: i64 = active.iter().sum();
    let months = days as f64 / MONTH_DAYS;
    let round = |x: f64| (x * 100.0).round() / 100.0;
    CostSummary {
        from: iso(from),
        to: iso(to),
        total_usd: round(total),
        by_category: by_category
            .into_iter()
            .map(|(k, v)| (k, round(v)))
            .collect(),
        participants: active.iter().filter(|d| **d > 0).count() as u64,
        participant_months: round(months),
        cost_per_participant_month: (days > 0).then(|| round(total / months)),
        cost_per_participant_year: (days > 0).then(|| round(total / (days as f64 / YEAR_DAYS))),
    }
}

/// The site's cost summary over `[from, to]`.
pub async fn summary(
    state: &AppState,
    site: SiteId,
    from: Date,
    to: Date,
) -> AppResult<CostSummary> {
    let ctx = handoff_services::workflow::SiteCtx::load(state, site).await?;
    let mut c = state.store.conn();
    let all = store::costs(&mut c, site).await?;
    let participants = handoff_store::casework::list_participants(&mut c, site).await?;
    let ids: Vec<ParticipantId> = participants.iter().map(|p| p.id).collect();
    let events = handoff_store::participation::events_of(&mut c, site, &ids).await?;
    let active: Vec<i64> = participants
        .iter()
        .filter_map(|p| {
            let enrolled = ctx.tz.local_date(p.enrolled_at?);
            Some(active_days(
                enrolled,
                events.get(&p.id).map_or(&[][..], Vec::as_slice),
                from,
                to,
            ))
        })
        .collect();
    Ok(summarize(&all, &active, from, to))
}

/// The cost–benefit comparison from an evaluation's results.
pub fn cost_benefit(r: &handoff_evaluation::Results, cost: Option<&CostSummary>) -> CostBenefit {
    let cc = &r.cost_change;
    let did = cc.did;
    let savings = did.map(|d| -d);
    let per_year = cost.and_then(|c| c.cost_per_participant_year);
    CostBenefit {
        lead_change_usd: cc.lead.mean_change,
        control_change_usd: cc.control.mean_change,
        difference_in_differences_usd: did,
        justice_savings_per_person_usd: savings,
        program_cost_per_participant_year_usd: per_year,
        net_per_person_usd: savings.zip(per_year).map(|(s, p)| s - p),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn a_closed_span_is_left_out() {
        let h = [
            ParticipationEvent::Closed {
                reason: handoff_domain::participation::ClosureReason::MovedAway,
                on: date!(2026 - 02 - 01),
                note: String::new(),
            },
            ParticipationEvent::Reopened {
                on: date!(2026 - 03 - 01),
            },
        ];
        // January (31) + March 1–10 (10).
        let d = active_days(
            date!(2026 - 01 - 01),
            &h,
            date!(2026 - 01 - 01),
            date!(2026 - 03 - 10),
        );
        assert_eq!(d, 41);
    }
}
