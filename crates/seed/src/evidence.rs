//! The demo site's evidence: the PCG's diversion-on/off schedule (random,
//! seed recorded), a comparison cohort of eligible people booked on
//! diversion-off shifts (the eligible-but-booked log), three years of
//! programme costs, and two years of justice records (arrests, court
//! charges, jail bookings) for participants and cohort alike — returned as
//! CSV files in the import layouts so the caller loads them through the
//! real import and linking path. Deterministic and idempotent: nothing is
//! added when the site's log already holds arrests.

use crate::data::{FIRST, LAST, Lcg, RACES};
use crate::{DEMO_AREAS, DEMO_SITE_SLUG};
use handoff_domain::Email;
use handoff_domain::site_time::SiteTimeZone;
use handoff_justice::Kind;
use handoff_services::error::AppError;
use handoff_store::access::{self, SystemTask};
use handoff_store::evidence::{self as ev, EligibleArrest, NewSchedule};
use handoff_store::{Store, casework, orgs, referrals, users};
use std::collections::{HashMap, HashSet};
use time::{Date, Duration, OffsetDateTime};

/// People in the comparison cohort logged on diversion-off shifts, and
/// others declined or not offered.
pub const COHORT_OFF_SHIFT: usize = 125;
pub const COHORT_OTHER: usize = 15;
/// The schedule's recorded seed.
pub const SCHEDULE_SEED: i64 = 20_160_901;

fn internal(e: impl std::fmt::Display) -> AppError {
    AppError::Internal(anyhow::anyhow!("demo evidence: {e}"))
}

fn iso(d: Date) -> String {
    referrals::iso(d)
}

fn stamp(tz: &SiteTimeZone, d: Date, minutes: i64) -> Result<OffsetDateTime, AppError> {
    Ok(tz.start_of_day(d).map_err(|_| internal("date"))? + Duration::minutes(minutes))
}

fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// Someone whose justice records the demo writes.
struct Subject {
    first: String,
    last: String,
    dob: String,
    sex: String,
    race: String,
    index: Date,
    lead: bool,
}

/// Adds the schedule, the cohort and the costs, and returns the justice
/// files to import (kind, CSV), or nothing when already done.
pub async fn populate(store: &Store) -> Result<Vec<(Kind, String)>, AppError> {
    let mut c = store.conn();
    let Some(site) = orgs::find_site_by_slug(&mut c, DEMO_SITE_SLUG).await? else {
        return Ok(Vec::new());
    };
    if ev::arrest_count(&mut c, site.id).await? > 0 {
        return Ok(Vec::new());
    }
    let tz = SiteTimeZone::parse(&site.time_zone)?;
    let now = handoff_services::now();
    let today = tz.local_date(now);
    let find = |email: &str| Email::parse(email);
    let admin = users::find_by_email(&mut c, &find("admin@demo.test")?)
        .await?
        .ok_or_else(|| internal("no admin"))?;
    let officer = users::find_by_email(&mut c, &find("officer@demo.test")?)
        .await?
        .ok_or_else(|| internal("no officer"))?;
    let mut rng = Lcg(0xC0_4047_2016);
    let mut tx = store.begin().await?;

    // The schedule: shifts drawn at random, half diversion-on, from three
    // years back.
    let starts = today - Duration::days(3 * 365 + 30);
    let schedule = ev::save_schedule(
        &mut tx.conn(),
        site.id,
        NewSchedule {
            method: "random",
            unit: "shift",
            seed: Some(SCHEDULE_SEED),
            on_percent: Some(50),
            rota: None,
            starts_on: &iso(starts),
            adopted_on: &iso(starts - Duration::days(14)),
            note: Some("Adopted by the PCG: shifts drawn at random, half diversion-on, for the outcome evaluation"),
        },
        admin.id,
        now,
    )
    .await?;

    // The cohort.
    let mut subjects: Vec<Subject> = Vec::new();
    let mut used: HashSet<String> = HashSet::new();
    let categories = [
        "drug_possession",
        "drug_possession",
        "theft",
        "trespass",
        "sex_work",
        "drug_sales",
    ];
    for k in 0..COHORT_OFF_SHIFT + COHORT_OTHER {
        let off = k < COHORT_OFF_SHIFT;
        // Index dates over three years, most with a year of follow-up.
        let mut day = today - Duration::days(40 + rng.below(1000) as i64);
        let mut slot = rng.below(2) as u8;
        // Move to the next shift whose assignment fits (off for the
        // cohort logged on diversion-off shifts).
        for _ in 0..20 {
            if handoff_evidence::shifts::decide(&schedule, day, slot) == Some(!off) {
                if slot == 0 {
                    slot = 1;
                } else {
                    slot = 0;
                    day = day.next_day().unwrap_or(day);
                }
            } else {
                break;
            }
        }
        let minute = if slot == 0 { 8 * 60 } else { 20 * 60 } + rng.below(9 * 60) as i64;
        let at = stamp(&tz, day, minute)?;
        let (first, last) = loop {
            let f = rng.pick(FIRST).to_string();
            let l = rng.pick(LAST).to_string();
            if used.insert(format!("{f} {l} c")) {
                break (f, l);
            }
        };
        let dob = format!(
            "{}-{:02}-{:02}",
            1962 + rng.below(40),
            1 + rng.below(12),
            1 + rng.below(28)
        );
        let sex = if rng.chance(70) { "M" } else { "F" };
        let race = if rng.chance(42) {
            RACES[0]
        } else {
            *rng.pick(RACES)
        };
        let reason = if off {
            "diversion_off_shift"
        } else if k.is_multiple_of(2) {
            "declined"
        } else {
            "not_offered"
        };
        let area = *rng.pick(DEMO_AREAS);
        let category = *rng.pick(&categories);
        let id = ev::log_arrest(
            &mut tx.conn(),
            site.id,
            &EligibleArrest {
                id: uuid::Uuid::nil(),
                incident_number: format!("{}-{:06}", day.year() % 100, 500_000 + k * 41),
                occurred_at: at,
                offenses: serde_json::json!([{"category": category}]).to_string(),
                location: serde_json::json!({"area": area}).to_string(),
                area: Some(area.to_string()),
                race: race.to_string(),
                sex: sex.to_string(),
                approx_age: None,
                dob: Some(dob.clone()),
                first_name: Some(first.clone()),
                last_name: Some(last.clone()),
                reason: reason.to_string(),
                diversion_on: Some(!off),
                schedule_version: Some(schedule.version),
                logged_by: *officer.id.as_uuid(),
                agency_id: *officer.agency_id.as_uuid(),
                logged_at: at + Duration::minutes(20),
            },
        )
        .await?;
        let _ = id;
        subjects.push(Subject {
            first,
            last,
            dob,
            sex: sex.to_string(),
            race: race.to_string(),
            index: day,
            lead: false,
        });
    }

    // Programme costs by quarter for three years.
    let mut q = today - Duration::days(3 * 365);
    while q < today {
        let end = (q + Duration::days(90)).min(today);
        for (cat, usd) in [
            ("case_management", 88_000_i64),
            ("staff", 34_000),
            ("housing_assistance", 27_000),
            ("other", 5_000),
        ] {
            ev::record_cost(
                &mut tx.conn(),
                site.id,
                &iso(q),
                &iso(end),
                cat,
                usd * 100,
                Some("Quarterly actuals (demo)"),
                admin.id,
                now,
            )
            .await?;
        }
        q = end + Duration::days(1);
    }
    let mut e = handoff_audit::AuditEvent::new("demo.seed", handoff_audit::Outcome::Allowed);
    e.site_id = Some(site.id);
    e.subject_ref = Some(format!("evidence:cohort:{}", subjects.len()));
    handoff_store::audit::append(&mut tx, e, now).await?;
    tx.commit().await?;

    // The participants, as the justice agencies know them.
    let key = access::unguarded_persons(site.id, SystemTask::Linkage);
    let persons: HashMap<_, _> = referrals::all_persons(&mut c, &key)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    for p in casework::list_participants(&mut c, site.id).await? {
        let Some(rid) = p.referral_id else { continue };
        let r = referrals::get(&mut c, site.id, rid).await?;
        let Some(person) = persons.get(&p.person_id) else {
            continue;
        };
        let Some(dob) = person.dob.clone() else {
            continue;
        };
        subjects.push(Subject {
            first: person.first_name.clone(),
            last: person.last_name.clone(),
            dob,
            sex: person.sex.clone(),
            race: person.race.clone(),
            index: tz.local_date(r.referred_at),
            lead: true,
        });
    }
    files(&tz, today, &mut rng, &subjects)
}

/// Arrests, charges and bookings over the year before each index date and
/// up to two years after it (never after today): participants are
/// arrested less often after referral, the comparison group about as often.
fn files(
    tz: &SiteTimeZone,
    today: Date,
    rng: &mut Lcg,
    subjects: &[Subject],
) -> Result<Vec<(Kind, String)>, AppError> {
    let mut arrests = Kind::Arrests.default_header();
    let mut charges = Kind::Charges.default_header();
    let mut bookings = Kind::Bookings.default_header();
    arrests.push('\n');
    charges.push('\n');
    bookings.push('\n');
    let offences = [
        ("69.50.4013", "possession of a controlled substance", "F"),
        ("9A.56.050", "theft in the third degree", "M"),
        ("9A.52.080", "criminal trespass in the second degree", "M"),
        ("9A.88.030", "prostitution", "M"),
        ("9A.56.040", "theft in the second degree", "F"),
        ("9A.36.041", "assault in the fourth degree", "M"),
    ];
    let mut n = 0usize;
    for s in subjects {
        // Each person's own propensity (people differ: overdispersion).
        let frailty = [35, 60, 85, 100, 120, 160, 240][rng.below(7)];
        let start = s.index - Duration::days(365);
        let end = (s.index + Duration::days(730)).min(today);
        let mut day = start;
        while day < end {
            let post = day > s.index;
            // Chance per 30 days, in tenths of a percent.
            let per_mille = match (s.lead, post) {
                (_, false) => 115,
                (true, true) => 55,
                (false, true) => 125,
            };
            if rng.below(100_000) < per_mille * frailty {
                n += 1;
                let at = stamp(
                    tz,
                    day + Duration::days(rng.below(30) as i64),
                    9 * 60 + rng.below(12 * 60) as i64,
                )?;
                if tz.local_date(at) >= end {
                    break;
                }
                let felony_bias = if s.lead && post { 2 } else { 0 };
                let (statute, what, mut felony) = offences[rng.below(offences.len())];
                if felony == "F" && rng.below(4) < felony_bias {
                    felony = "M";
                }
                let number = format!("DA{n:07}");
                let line_person = format!("{},,{},{},{},{}", s.first, s.last, s.dob, s.sex, s.race);
                arrests.push_str(&format!(
                    "{number},{},{},,{},{},{},{},{statute}|{what}|{felony},{},\n",
                    rfc3339(at),
                    s.first,
                    s.last,
                    s.dob,
                    s.sex,
                    s.race,
                    DEMO_AREAS[n % DEMO_AREAS.len()]
                ));
                let filed = tz.local_date(at) + Duration::days(1 + rng.below(20) as i64);
                if filed <= today && rng.chance(70) {
                    charges.push_str(&format!(
                        "DC{n:07},1,{statute},{what},{felony},{},,,{number},,{},,{},{},{},{}\n",
                        iso(filed),
                        s.first,
                        s.last,
                        s.dob,
                        s.sex,
                        s.race
                    ));
                }
                if rng.chance(60) {
                    let released = at + Duration::hours(6 + rng.below(24 * 12) as i64);
                    let released = if tz.local_date(released) <= today {
                        rfc3339(released)
                    } else {
                        String::new()
                    };
                    bookings.push_str(&format!(
                        "DB{n:07},{},{released},{line_person},{statute}|{what}|{felony},\n",
                        rfc3339(at + Duration::hours(1)),
                    ));
                }
            }
            day += Duration::days(30);
        }
    }
    Ok(vec![
        (Kind::Arrests, arrests),
        (Kind::Charges, charges),
        (Kind::Bookings, bookings),
    ])
}
