//! The diversion-on/off schedule (the University of Washington design): the
//! PCG adopts a schedule marking each day or shift diversion-on or
//! diversion-off; eligible people arrested on an off shift are booked and
//! logged as the comparison cohort. Versioned: each adoption is a new,
//! immutable version, in force from its `starts_on`. Random assignment
//! draws each day or shift from the recorded seed (anyone can recompute
//! it); a rota repeats a fixed pattern from `starts_on`.

use crate::{iso, parse_date, require};
use handoff_audit::Outcome;
use handoff_domain::rules::Action;
use handoff_domain::site_time::SiteTimeZone;
use handoff_services::AppState;
use handoff_services::audit::{self, Ctx};
use handoff_services::auth::Auth;
use handoff_services::error::{AppError, AppResult};
use handoff_store::evidence::{self as store, NewSchedule, Schedule};
use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};
use utoipa::ToSchema;

/// A schedule as the PCG adopted it.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct ScheduleBody {
    /// `random` (each day or shift drawn from `seed`) or `rota` (a fixed pattern).
    pub method: String,
    /// `day` or `shift` (two shifts a day: 07:00–19:00 and 19:00–07:00).
    #[serde(default)]
    pub unit: Option<String>,
    /// Random: the recorded seed (drawn when missing).
    #[serde(default)]
    pub seed: Option<i64>,
    /// Random: the share of days or shifts with diversion on, in percent (default 50).
    #[serde(default)]
    #[schema(minimum = 1, maximum = 99)]
    pub on_percent: Option<i64>,
    /// Rota: on/off for each day or shift in turn, repeating from
    /// `starts_on`; with both on and off values.
    #[serde(default)]
    #[schema(min_items = 1, max_items = 366)]
    pub rota: Option<Vec<bool>>,
    /// First day the schedule applies (YYYY-MM-DD).
    #[schema(format = Date)]
    pub starts_on: String,
    /// The day the PCG adopted it (YYYY-MM-DD).
    #[schema(format = Date)]
    pub adopted_on: String,
    #[serde(default)]
    pub note: Option<String>,
}

/// Whether diversion is on for one day or shift.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Assignment {
    /// `2026-12-07` or `2026-12-07 day shift` / `night shift`.
    pub label: String,
    pub date: String,
    pub diversion_on: bool,
    /// The schedule version that decided it.
    pub version: i64,
}

/// The schedule in force and the coming days or shifts.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Current {
    pub version: i64,
    pub method: String,
    pub unit: String,
    pub seed: Option<i64>,
    pub adopted_on: String,
    pub now: Assignment,
    pub upcoming: Vec<Assignment>,
}

fn mix(mut z: u64) -> u64 {
    // splitmix64: a fixed, documented mixing function.
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The day or shift `slot` (0 day, 1 night) of `date` under `s`, or `None`
/// before the schedule starts.
pub fn decide(s: &Schedule, date: Date, slot: u8) -> Option<bool> {
    let start = parse_date("starts_on", &s.starts_on).ok()?;
    if date < start {
        return None;
    }
    let per_day = if s.unit == "shift" { 2 } else { 1 };
    let slot = i64::from(slot.min(per_day - 1));
    let index = (date - start).whole_days() * i64::from(per_day) + slot;
    match s.method.as_str() {
        "rota" => {
            let rota: Vec<bool> = serde_json::from_str(s.rota.as_deref()?).ok()?;
            if rota.is_empty() {
                return None;
            }
            Some(rota[usize::try_from(index).ok()? % rota.len()])
        }
        _ => {
            let seed = s.seed.unwrap_or(0) as u64;
            let draw = mix(seed ^ mix(u64::try_from(index).ok()?)) % 100;
            Some(draw < u64::try_from(s.on_percent.unwrap_or(50)).unwrap_or(50))
        }
    }
}

/// The slot of an instant: 0 for 07:00–19:00, 1 for the night (which
/// belongs to the day it started on).
pub fn slot_of(tz: &SiteTimeZone, at: OffsetDateTime) -> (Date, u8) {
    let date = tz.local_date(at);
    let hour = tz
        .start_of_day(date)
        .map(|start| (at - start).whole_hours())
        .unwrap_or(12);
    if hour < 7 {
        (date.previous_day().unwrap_or(date), 1)
    } else if hour < 19 {
        (date, 0)
    } else {
        (date, 1)
    }
}

fn assignment(s: &Schedule, date: Date, slot: u8) -> Option<Assignment> {
    let on = decide(s, date, slot)?;
    let label = if s.unit == "shift" {
        format!(
            "{} {}",
            iso(date),
            if slot == 0 {
                "day shift (07:00–19:00)"
            } else {
                "night shift (19:00–07:00)"
            }
        )
    } else {
        iso(date)
    };
    Some(Assignment {
        label,
        date: iso(date),
        diversion_on: on,
        version: s.version,
    })
}

/// The version in force on `date` (the latest adopted whose start is not after it).
pub fn in_force(all: &[Schedule], date: Date) -> Option<&Schedule> {
    all.iter()
        .filter(|s| parse_date("starts_on", &s.starts_on).is_ok_and(|d| d <= date))
        .max_by_key(|s| s.version)
}

/// Whether diversion was on at `at` under the site's schedules.
pub fn at(all: &[Schedule], tz: &SiteTimeZone, at: OffsetDateTime) -> Option<Assignment> {
    let (date, slot) = slot_of(tz, at);
    let s = in_force(all, date)?;
    assignment(s, date, slot)
}

/// The schedule in force now and the next week, for officers' home page.
pub async fn current(state: &AppState, auth: &Auth) -> AppResult<Option<Current>> {
    let site = auth.user.site_id;
    let mut c = state.store.conn();
    let all = store::schedules(&mut c, site).await?;
    if all.is_empty() {
        return Ok(None);
    }
    // The site's zone only: a site without an eligibility policy yet has
    // a schedule page all the same.
    let tz = SiteTimeZone::parse(&handoff_store::orgs::get_site(&mut c, site).await?.time_zone)?;
    let now = handoff_services::now();
    let (date, slot) = slot_of(&tz, now);
    let Some(s) = in_force(&all, date) else {
        return Ok(None);
    };
    let Some(now_a) = assignment(s, date, slot) else {
        return Ok(None);
    };
    let mut upcoming = Vec::new();
    let mut d = date;
    let mut sl = slot;
    while upcoming.len() < if s.unit == "shift" { 14 } else { 7 } {
        if s.unit == "shift" && sl == 0 {
            sl = 1;
        } else {
            sl = 0;
            d = d.next_day().unwrap_or(d);
        }
        if let Some(s2) = in_force(&all, d)
            && let Some(a) = assignment(s2, d, sl)
        {
            upcoming.push(a);
        } else {
            break;
        }
    }
    Ok(Some(Current {
        version: s.version,
        method: s.method.clone(),
        unit: s.unit.clone(),
        seed: s.seed,
        adopted_on: s.adopted_on.clone(),
        now: now_a,
        upcoming,
    }))
}

/// Records a schedule the PCG adopted (site admin).
pub async fn adopt(
    state: &AppState,
    auth: &Auth,
    actx: &Ctx,
    b: ScheduleBody,
) -> AppResult<Schedule> {
    require(
        state,
        auth,
        Action::KeepProgramRecords,
        "the shift schedule is recorded by a site admin",
    )
    .await?;
    let unit = b.unit.as_deref().unwrap_or("day").trim().to_string();
    if !matches!(unit.as_str(), "day" | "shift") {
        return Err(AppError::field("unit", "expected day or shift"));
    }
    let starts = parse_date("starts_on", &b.starts_on)?;
    parse_date("adopted_on", &b.adopted_on)?;
    // The document's bounds hold whichever method is chosen.
    if b.on_percent.is_some_and(|p| !(1..=99).contains(&p)) {
        return Err(AppError::field("on_percent", "must be between 1 and 99"));
    }
    if b.rota
        .as_ref()
        .is_some_and(|r| r.is_empty() || r.len() > 366)
    {
        return Err(AppError::field("rota", "list 1 to 366 on/off values"));
    }
    let (seed, on_percent, rota) = match b.method.trim() {
        "random" => {
            let pct = b.on_percent.unwrap_or(50);
            if !(1..=99).contains(&pct) {
                return Err(AppError::field("on_percent", "must be between 1 and 99"));
            }
            let seed = match b.seed {
                Some(s) => s,
                // A v4 UUID is 122 random bits from the operating system.
                None => (uuid::Uuid::new_v4().as_u128() as i64) & i64::MAX,
            };
            (Some(seed), Some(pct), None)
        }
        "rota" => {
            let rota = b
                .rota
                .filter(|r| !r.is_empty() && r.len() <= 366)
                .ok_or_else(|| AppError::field("rota", "list 1 to 366 on/off values"))?;
            if !rota.iter().any(|x| *x) || rota.iter().all(|x| *x) {
                return Err(AppError::field(
                    "rota",
                    "needs both diversion-on and diversion-off days or shifts",
                ));
            }
            (
                None,
                None,
                Some(serde_json::to_string(&rota).unwrap_or_default()),
            )
        }
        _ => return Err(AppError::field("method", "expected random or rota")),
    };
    let note = b.note.as_deref().map(str::trim).filter(|n| !n.is_empty());
    let mut tx = state.store.begin().await?;
    let saved = store::save_schedule(
        &mut tx.conn(),
        auth.user.site_id,
        NewSchedule {
            method: b.method.trim(),
            unit: &unit,
            seed,
            on_percent,
            rota,
            starts_on: &iso(starts),
            adopted_on: b.adopted_on.trim(),
            note,
        },
        auth.user.id,
        handoff_services::now(),
    )
    .await?;
    let mut e = audit::event(auth, "shift_schedule.adopt", Outcome::Allowed, actx);
    e.subject_ref = Some(format!("shift_schedule:{}", saved.version));
    audit::record_in(&mut tx, e).await?;
    tx.commit().await?;
    Ok(saved)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schedule(method: &str, unit: &str, rota: Option<&str>) -> Schedule {
        Schedule {
            id: uuid::Uuid::nil(),
            version: 1,
            method: method.into(),
            unit: unit.into(),
            seed: Some(42),
            on_percent: Some(50),
            rota: rota.map(String::from),
            starts_on: "2026-01-01".into(),
            adopted_on: "2025-12-15".into(),
            note: None,
            recorded_by: uuid::Uuid::nil(),
            recorded_at: OffsetDateTime::UNIX_EPOCH,
        }
    }

    #[test]
    fn a_rota_repeats_from_its_start() {
        let s = schedule("rota", "day", Some("[true,false,false]"));
        let d = time::macros::date!(2026 - 01 - 01);
        let got: Vec<Option<bool>> = (0..6)
            .map(|i| decide(&s, d + time::Duration::days(i), 0))
            .collect();
        assert_eq!(
            got,
            [true, false, false, true, false, false].map(Some).to_vec()
        );
        assert_eq!(decide(&s, d.previous_day().unwrap(), 0), None);
    }

    #[test]
    fn random_assignment_is_reproducible_and_near_its_share() {
        let s = schedule("random", "shift", None);
        let d = time::macros::date!(2026 - 01 - 01);
        let draws: Vec<bool> = (0..400)
            .map(|i| decide(&s, d + time::Duration::days(i / 2), (i % 2) as u8).unwrap())
            .collect();
        let again: Vec<bool> = (0..400)
            .map(|i| decide(&s, d + time::Duration::days(i / 2), (i % 2) as u8).unwrap())
            .collect();
        assert_eq!(draws, again);
        let on = draws.iter().filter(|x| **x).count();
        assert!((150..250).contains(&on), "{on} of 400 on");
    }
}
