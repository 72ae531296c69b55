//! Booking and charge alerts: when a record newly links to a participant,
//! the assigned case manager is notified (a stored notification and a live
//! `booking.new`/`charge.new` event with ids only), the site's webhook is
//! called, the next OWG meeting gets an item (category `justice`; with no
//! meeting ahead, the next agenda build picks it up), and new charges open
//! a prosecutorial coordination item with the participant's hold office
//! (or the site's prosecutor's office).
//!
//! Nothing here carries case content: notifications, events and webhooks
//! hold ids; what a reader then sees of the participant comes through the
//! disclosure guard.

use crate::SiteZone;
use crate::import::Alert;
use handoff_audit::{AuditEvent, Outcome};
use handoff_domain::{AgencyKind, DataCategory};
use handoff_justice::{Kind, Record};
use handoff_services::AppState;
use handoff_services::workflow::events::{Audience, SiteEvent};
use handoff_store::notifications::{self, NewNotification};
use handoff_store::owg;
use handoff_store::{StoreError, casework, holds, justice, orgs};
use time::OffsetDateTime;

const BOOKING_EVENT: &str = "booking.new";
const CHARGE_EVENT: &str = "charge.new";

fn event_kind(kind: Kind) -> &'static str {
    if kind == Kind::Bookings {
        BOOKING_EVENT
    } else {
        CHARGE_EVENT
    }
}

/// The charges a record brings: (charge text, case number).
fn charges(record: &Record) -> Option<(String, Option<String>)> {
    let text = |statute: &str, description: &str, felony: bool| {
        format!(
            "{statute} {description} ({})",
            if felony { "felony" } else { "misdemeanor" }
        )
        .trim()
        .to_string()
    };
    match record {
        Record::Charge(c) => Some((
            text(&c.statute, &c.description, c.felony),
            Some(format!("{} count {}", c.case_number, c.count)),
        )),
        Record::Booking(b) if !b.charges.is_empty() => Some((
            b.charges
                .iter()
                .map(|c| text(&c.statute, &c.description, c.felony))
                .collect::<Vec<_>>()
                .join("; "),
            None,
        )),
        _ => None,
    }
}

/// Raises the alerts of a committed import. Returns how many were raised.
pub async fn raise(
    state: &AppState,
    ctx: &SiteZone,
    alerts: &[Alert],
    actor: impl Into<crate::audit::By>,
    at: OffsetDateTime,
) -> Result<u64, StoreError> {
    let actor: crate::audit::By = actor.into();
    if alerts.is_empty() {
        return Ok(0);
    }
    let site = ctx.site.id;
    let mut c = state.store.conn();
    let today = handoff_store::referrals::iso(ctx.tz.local_date(at));
    // The next meeting on or after today, if one is planned.
    let next_meeting = owg::list_meetings(&mut c, site)
        .await?
        .into_iter()
        .filter(|m| m.held_on >= today)
        .min_by(|a, b| a.held_on.cmp(&b.held_on))
        .map(|m| m.id);
    let prosecutor_office = orgs::list_agencies(&mut c, site)
        .await?
        .into_iter()
        .find(|a| a.kind == AgencyKind::Prosecutor)
        .map(|a| a.id);
    let mut raised = 0;
    for a in alerts {
        // The notification, the agenda item, the coordination item and the
        // audit entry commit together; the live event and the webhook go out
        // after the commit.
        let mut tx = state.store.begin().await?;
        let mut c = tx.conn();
        let p = casework::get_participant(&mut c, site, a.participant).await?;
        let kind = event_kind(a.kind);
        let dedupe = format!("justice:{}", a.record);
        // 1. The case manager, at once.
        if let Some(cm) = p.case_manager_id {
            notifications::notify(
                &mut c,
                NewNotification {
                    site,
                    user: cm,
                    kind,
                    referral: p.referral_id,
                    hold: None,
                    dedupe_key: &dedupe,
                    at,
                },
            )
            .await?;
        }
        let r = justice::get(&mut c, site, a.record).await?;
        let record: Option<Record> = serde_json::from_str(&r.content).ok();
        // 2. The OWG's next agenda.
        if let Some(meeting) = next_meeting {
            handoff_governance::owg::add_agenda_item(&mut c, site, meeting, &r, p.referral_id, at)
                .await?;
        }
        // 3. Prosecutorial coordination on new charges.
        let office = match p.referral_id {
            Some(rid) => holds::for_referral(&mut c, site, rid)
                .await?
                .and_then(|h| h.prosecutor_agency_id)
                .or(prosecutor_office),
            None => prosecutor_office,
        };
        if let (Some(office), Some((charge, case_number))) =
            (office, record.as_ref().and_then(charges))
        {
            owg::open_coordination(
                &mut c,
                site,
                owg::NewCoordination {
                    participant: p.id,
                    prosecutor_agency: office,
                    charge: &charge,
                    case_number: case_number.as_deref(),
                    opened_by: None,
                },
                at,
            )
            .await?;
        }
        let mut e = AuditEvent::new("justice.alert", Outcome::Allowed);
        e.site_id = Some(site);
        actor.stamp(&mut e);
        e.subject_participant_id = Some(p.id);
        e.subject_ref = Some(format!("justice_record:{}", a.record));
        e.categories = vec![DataCategory::Justice];
        handoff_store::audit::append(&mut tx, e, at).await?;
        tx.commit().await?;
        if let Some(cm) = p.case_manager_id {
            state.bus.publish(SiteEvent {
                site,
                audience: Audience::Users(vec![cm]),
                kind,
                referral_id: p.referral_id,
            });
        }
        handoff_services::workflow::events::webhook(
            state,
            ctx.site.webhook_url.clone(),
            serde_json::json!({"event": kind, "site_id": site, "participant_id": p.id, "record_id": a.record, "at": at.unix_timestamp()}),
        );
        raised += 1;
    }
    Ok(raised)
}
