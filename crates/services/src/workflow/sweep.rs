//! The sweep: lapses holds whose window closed, sends the 7- and 2-day
//! reminders, and escalates hand-offs nobody accepted in time. It runs every
//! minute inside `handoff serve` and on demand as `handoff holds sweep
//! --as-of DATE`. It is idempotent: what it did is recorded, so running it
//! again (or after a restart) does nothing more.

use super::events::{Audience, SiteEvent};
use crate::AppState;
use crate::error::AppResult;
use handoff_audit::{AuditEvent, Outcome};
use handoff_domain::handoff::{self, ReferralStatus};
use handoff_domain::hold::{self, HoldEvent, HoldState};
use handoff_domain::rules::Action;
use handoff_domain::site_time::SiteTimeZone;
use handoff_domain::{DataCategory, Role, SiteId};
use handoff_store::notifications::{self, NewNotification};
use handoff_store::referrals::Filter;
use handoff_store::{holds, orgs, policy, referrals};
use time::OffsetDateTime;

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct SweepReport {
    pub lapsed: usize,
    pub reminders: usize,
    pub escalated: usize,
}

/// Sweeps one site as of an instant.
pub async fn site(state: &AppState, site: SiteId, as_of: OffsetDateTime) -> AppResult<SweepReport> {
    let mut report = SweepReport::default();
    let mut c = state.store.conn();
    let Some(pv) = policy::current(&mut c, site).await? else {
        return Ok(report);
    };
    let pending = holds::list(&mut c, site, Some(HoldState::Pending)).await?;
    let hold_list: Vec<_> = pending.iter().map(|h| h.hold.clone()).collect();
    for (id, event) in hold::sweep(&hold_list, as_of) {
        let mut tx = state.store.begin().await?;
        // Re-read under the transaction so two sweeps cannot both apply it.
        let mut stored = holds::get(&mut tx.conn(), site, id).await?;
        if stored.hold.apply(&event).is_err() {
            continue;
        }
        holds::save(&mut tx.conn(), site, &stored.hold).await?;
        let r = referrals::get(&mut tx.conn(), site, stored.hold.referral_id).await?;
        let action = match &event {
            HoldEvent::Lapsed { .. } => {
                report.lapsed += 1;
                "hold.lapse"
            }
            HoldEvent::ReminderDue { reminder, .. } => {
                report.reminders += 1;
                let mut to: Vec<_> = r.accepted_by.into_iter().collect();
                if to.is_empty() {
                    to = super::staff_who_may(&mut tx.conn(), site, Action::SuperviseCaseloads)
                        .await?
                        .into_iter()
                        .map(|u| u.id)
                        .collect();
                }
                for u in to {
                    notifications::notify(
                        &mut tx.conn(),
                        NewNotification {
                            site,
                            user: u,
                            kind: match reminder {
                                hold::Reminder::SevenDays => "hold.reminder_7_days",
                                hold::Reminder::TwoDays => "hold.reminder_2_days",
                            },
                            referral: Some(r.id),
                            hold: Some(id),
                            dedupe_key: &format!("hold:{id}:{}", reminder.as_str()),
                            at: as_of,
                        },
                    )
                    .await?;
                }
                "hold.reminder"
            }
            _ => "hold.sweep",
        };
        let mut e = AuditEvent::new(action, Outcome::Allowed);
        e.site_id = Some(site);
        e.request_id = Some("sweep".into());
        e.subject_ref = Some(format!("hold:{id}"));
        e.subject_participant_id = r.participant_id;
        e.categories = vec![DataCategory::Hold];
        crate::audit::record_in(&mut tx, e).await?;
        tx.commit().await?;
    }

    // Hand-offs nobody accepted within the target go to the supervisors.
    let waiting = referrals::list(
        &mut c,
        site,
        Filter::Status(ReferralStatus::AwaitingHandoff),
        1000,
    )
    .await?;
    let target = pv.policy.handoff_target_minutes;
    // The supervisors to tell, loaded once when the first escalation is due.
    let mut supervisors = None;
    for r in waiting.iter().filter(|r| r.escalated_at.is_none()) {
        let since = r.approved_at.unwrap_or(r.referred_at);
        if !handoff::escalation_due(r.status, since, target, as_of) {
            continue;
        }
        if !referrals::mark_escalated(&mut c, site, r.id, as_of).await? {
            continue;
        }
        report.escalated += 1;
        if supervisors.is_none() {
            supervisors =
                Some(super::staff_who_may(&mut c, site, Action::SuperviseCaseloads).await?);
        }
        for u in supervisors.iter().flatten() {
            notifications::notify(
                &mut c,
                NewNotification {
                    site,
                    user: u.id,
                    kind: "handoff.escalated",
                    referral: Some(r.id),
                    hold: None,
                    dedupe_key: &format!("escalated:{}", r.id),
                    at: as_of,
                },
            )
            .await?;
        }
        state.bus.publish(SiteEvent {
            site,
            audience: Audience::Role(Role::Supervisor),
            kind: "referral.escalated",
            referral_id: Some(r.id),
        });
    }
    Ok(report)
}

/// Sweeps every site as of now (the scheduler).
pub async fn all_sites(state: &AppState, as_of: OffsetDateTime) -> AppResult<SweepReport> {
    let mut total = SweepReport::default();
    for s in orgs::list_sites(&mut state.store.conn()).await? {
        let r = site(state, s.id, as_of).await?;
        total.lapsed += r.lapsed;
        total.reminders += r.reminders;
        total.escalated += r.escalated;
    }
    Ok(total)
}

/// The instant `--as-of DATE` means at a site: the start of that local day.
pub fn as_of_date(tz_name: &str, date: time::Date) -> AppResult<OffsetDateTime> {
    let tz = SiteTimeZone::parse(tz_name)?;
    hold::sweep_instant(date, &tz)
        .map_err(|_| crate::error::AppError::field("as_of", "is out of range"))
}

/// Runs the sweep every minute until the task is dropped.
pub async fn scheduler(state: AppState) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(60));
    loop {
        tick.tick().await;
        if let Err(e) = all_sites(&state, crate::now()).await {
            tracing::warn!(error = %e, "sweep failed");
        }
    }
}
