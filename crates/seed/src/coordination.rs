//! The demo site's coordination, so a newcomer's pages are not empty:
//! court dates, warrants and pre-existing cases on the demo case manager's
//! participants (relative to today: the next weeks' hearings reach the home
//! page), OWG meetings every two weeks (the last three with minutes, one
//! today with its agenda built from the site's events — bookings linked
//! through the import, court dates), and coordination threads on new charges
//! between the prosecutor and case management. Deterministic (no randomness;
//! days relative to today) and idempotent: each part is skipped where the
//! site already has some.

use handoff_domain::{DataCategory, UserId};
use handoff_services::error::AppError;
use handoff_store::court::{self, NewCourtEvent};
use handoff_store::owg::{self, NewCoordination, NewItem};
use handoff_store::{Store, casework, orgs, users};
use time::Duration;

/// What was added.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Report {
    pub court_events: usize,
    pub meetings: usize,
    pub threads: usize,
}

/// (kind, days from today, court, case number) for the demo case manager's
/// first participants, one row each.
const COURT: &[(&str, i64, &str, &str)] = &[
    ("court_date", 2, "Demo County District Court", "26-CR-01184"),
    ("court_date", 5, "Demo City Municipal Court", "26-MC-04410"),
    (
        "court_date",
        12,
        "Demo County District Court",
        "26-CR-01302",
    ),
    ("warrant", -40, "Demo City Municipal Court", "W-26-0771"),
    ("case", -210, "Demo County Superior Court", "25-1-09921-3"),
    ("court_date", 19, "Demo City Municipal Court", "26-MC-04588"),
];

/// New charges the prosecutor raised: (charge, case number, the
/// prosecutor's message, case management's answer).
const THREADS: &[(&str, &str, &str, &str)] = &[
    (
        "RCW 9A.56.050 Theft 3",
        "26-MC-04702",
        "New theft charge from last weekend. Can case management tell us how engagement is going before we decide?",
        "Engaged weekly; housing application pending. We would ask that it be held while housing completes.",
    ),
    (
        "RCW 9A.52.080 Criminal trespass 2",
        "26-MC-04731",
        "Trespass at the transit centre. Is this connected to the shelter move?",
        "Yes: the shelter closed for two nights. Back in shelter since Monday; we are working on a bed hold.",
    ),
];

const MINUTES: &[&str] = &[
    "Discussed; the case manager follows up with the person this week.",
    "Shelter bed confirmed; no further action from police.",
    "Prosecutor holds the case while the plan is followed; review at the next meeting.",
    "Outreach will look for the person at the usual places before the next meeting.",
];

async fn user(c: &mut handoff_store::Conn<'_>, email: &str) -> Result<UserId, AppError> {
    let e = handoff_domain::Email::parse(email)?;
    users::find_by_email(c, &e)
        .await?
        .map(|u| u.id)
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("demo user {email} missing")))
}

pub async fn populate(store: &Store) -> Result<Report, AppError> {
    let mut report = Report::default();
    let mut c = store.conn();
    let Some(site) = orgs::find_site_by_slug(&mut c, crate::DEMO_SITE_SLUG).await? else {
        return Ok(report);
    };
    let tz = handoff_domain::site_time::SiteTimeZone::parse(&site.time_zone)?;
    let now = handoff_services::now();
    let today = tz.local_date(now);
    let cm = user(&mut c, "casemanager@demo.test").await?;
    let supervisor = user(&mut c, "supervisor@demo.test").await?;
    let prosecutor = user(&mut c, "prosecutor@demo.test").await?;
    let officer = user(&mut c, "officer@demo.test").await?;
    let mine: Vec<_> = casework::list_participants(&mut c, site.id)
        .await?
        .into_iter()
        .filter(|p| p.case_manager_id == Some(cm))
        .collect();
    if mine.is_empty() {
        return Ok(report);
    }

    let mut tx = store.begin().await?;
    let has_court =
        !court::entered_since(&mut tx.conn(), site.id, time::OffsetDateTime::UNIX_EPOCH)
            .await?
            .is_empty();
    if !has_court {
        for (p, (kind, days, court_name, case)) in mine.iter().zip(COURT) {
            court::add(
                &mut tx.conn(),
                NewCourtEvent {
                    site: site.id,
                    participant: p.id,
                    kind,
                    on_day: &handoff_store::referrals::iso(today + Duration::days(*days)),
                    court: court_name,
                    case_number: case,
                    by: Some(cm),
                    at: now,
                },
            )
            .await?;
            report.court_events += 1;
        }
    }

    if owg::list_meetings(&mut tx.conn(), site.id)
        .await?
        .is_empty()
    {
        let attendees = [supervisor, cm, prosecutor, officer];
        for (n, weeks_ago) in [6i64, 4, 2, 0].into_iter().enumerate() {
            let held = today - Duration::weeks(weeks_ago);
            let id = owg::create_meeting(
                &mut tx.conn(),
                site.id,
                &handoff_store::referrals::iso(held),
                "Operational Work Group",
                &attendees,
                supervisor,
                now,
            )
            .await?;
            report.meetings += 1;
            handoff_governance::owg::justice_agenda_items(&mut tx.conn(), site.id, id).await?;
            // Two participants the team talks about at each meeting.
            for p in mine.iter().skip(n * 2).take(2) {
                let key = format!("demo:{}", p.id);
                owg::add_item(
                    &mut tx.conn(),
                    site.id,
                    id,
                    NewItem {
                        source: "raised",
                        participant: Some(p.id),
                        referral: p.referral_id,
                        category: Some(DataCategory::Engagement),
                        detail: None,
                        body: Some("How is engagement going since the last meeting?"),
                        raised_by: Some(cm),
                        dedupe_key: Some(&key),
                    },
                    now,
                )
                .await?;
            }
            if weeks_ago > 0 {
                let items = owg::items(&mut tx.conn(), site.id, id).await?;
                for (i, item) in items.iter().enumerate() {
                    let text = MINUTES[(i + n) % MINUTES.len()];
                    owg::set_minutes(&mut tx.conn(), site.id, item.id, text, supervisor, now)
                        .await?;
                }
            }
        }
    }

    let prosecutor_agency = users::get(&mut tx.conn(), site.id, prosecutor)
        .await?
        .agency_id;
    if owg::list_coordination(&mut tx.conn(), site.id)
        .await?
        .is_empty()
    {
        for (p, (charge, case, asked, answered)) in mine.iter().rev().zip(THREADS) {
            let id = owg::open_coordination(
                &mut tx.conn(),
                site.id,
                NewCoordination {
                    participant: p.id,
                    prosecutor_agency,
                    charge,
                    case_number: Some(case),
                    opened_by: Some(prosecutor),
                },
                now - Duration::days(3),
            )
            .await?;
            owg::add_message(
                &mut tx.conn(),
                site.id,
                id,
                prosecutor,
                asked,
                now - Duration::days(3),
            )
            .await?;
            owg::add_message(
                &mut tx.conn(),
                site.id,
                id,
                cm,
                answered,
                now - Duration::days(2),
            )
            .await?;
            report.threads += 1;
        }
    }
    tx.commit().await?;
    Ok(report)
}
