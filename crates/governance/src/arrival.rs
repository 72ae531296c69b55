//! The accepted hand-off, where the case manager goes and whom they call
//! (DESIGN.md §2): the place as referred (the typed address and/or the
//! coordinates "Use my location" filled in, each with a map link that opens
//! the phone's map app), the referring officer's name and work phone, the
//! time since the referral, and "on my way, ETA N min" that the officer
//! sees live. Referral → accepted → arrived is measured on the way.
//!
//! Who sees what follows the referral's own readers: the place to those
//! who read what was referred (the referrer and case management), the
//! referring officer's contact to case management working the referral,
//! the case manager's contact and ETA to those who see who accepted. Only
//! the case manager who accepted sends an ETA (rule `AcceptHandoff`, then
//! the record: the one who accepted, before arrival); each ETA is audited
//! (`referral.eta`) and announced as a live event carrying ids only.

use handoff_audit::Outcome;
use handoff_domain::handoff::ReferralStatus;
use handoff_domain::rules::Action;
use handoff_domain::{DataCategory, ReferralId, UserId};
use handoff_services::audit::{self, Ctx};
use handoff_services::auth::Auth;
use handoff_services::error::{AppError, AppResult};
use handoff_services::workflow::events::{Audience, SiteEvent};
use handoff_services::workflow::views::ReferralView;
use handoff_services::workflow::{self, referrals};
use handoff_services::{AppState, now};
use handoff_store::orgs::Agency;
use handoff_store::referrals::ReferralRecord;
use handoff_store::{etas, users};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;

/// The longest ETA a case manager may announce, in minutes.
pub const MAX_ETA_MINUTES: i64 = 240;

/// Where the referral happened, with links for a phone's map app.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Place {
    pub address: Option<String>,
    pub area: Option<String>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    /// `geo:` URI (RFC 5870): opens the phone's map app.
    pub geo_uri: String,
    /// The same place on a web map (OpenStreetMap).
    pub map_url: String,
}

/// Someone to call.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Contact {
    pub name: String,
    /// Work phone, where one is on file.
    pub phone: Option<String>,
}

/// "On my way, ETA N min".
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Eta {
    pub minutes: i64,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub sent_at: OffsetDateTime,
    /// `sent_at` plus the minutes.
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub expected_at: OffsetDateTime,
}

/// The hand-off as one reader may see it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Handoff {
    pub referral_id: uuid::Uuid,
    /// To the referrer and case management.
    pub place: Option<Place>,
    /// The referring officer (case management working the referral).
    pub referred_by: Option<Contact>,
    /// The case manager who accepted (to those who see who accepted).
    pub case_manager: Option<Contact>,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub referred_at: OffsetDateTime,
    /// Whole minutes since the referral, now.
    pub minutes_since_referral: i64,
    /// Referral (or approval) to acceptance, in minutes.
    pub minutes_to_accept: Option<f64>,
    /// Acceptance to arrival, in minutes.
    pub minutes_to_arrive: Option<f64>,
    /// The latest ETA, while the case manager is on the way.
    pub eta: Option<Eta>,
    /// Whether the caller may send an ETA now.
    pub may_send_eta: bool,
}

/// What an ETA message holds.
#[derive(Debug, Deserialize, ToSchema)]
pub struct EtaForm {
    /// Minutes until arrival.
    #[schema(value_type = i64, minimum = 1, maximum = 240)]
    pub minutes: serde_json::Value,
}

/// A percent-encoded query value (RFC 3986 unreserved characters kept).
fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The place of a referral's details (`location`), with its map links.
pub fn place(details: &serde_json::Value) -> Option<Place> {
    let loc = details.get("location")?;
    let text = |k: &str| {
        loc.get(k)
            .and_then(|v| v.as_str())
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(String::from)
    };
    let address = text("address");
    let area = text("area");
    let point = loc
        .get("coordinates")
        .and_then(|c| Some((c.get("lat")?.as_f64()?, c.get("lon")?.as_f64()?)));
    let (geo_uri, map_url) = match (point, &address) {
        (Some((lat, lon)), _) => (
            format!("geo:{lat:.6},{lon:.6}?q={lat:.6},{lon:.6}"),
            format!(
                "https://www.openstreetmap.org/?mlat={lat:.6}&mlon={lon:.6}#map=18/{lat:.6}/{lon:.6}"
            ),
        ),
        (None, Some(a)) => (
            format!("geo:0,0?q={}", encode(a)),
            format!("https://www.openstreetmap.org/search?query={}", encode(a)),
        ),
        (None, None) => return None,
    };
    Some(Place {
        address,
        area,
        lat: point.map(|p| p.0),
        lon: point.map(|p| p.1),
        geo_uri,
        map_url,
    })
}

async fn contact(state: &AppState, auth: &Auth, id: UserId) -> AppResult<Contact> {
    let u = users::get(&mut state.store.conn(), auth.user.site_id, id).await?;
    Ok(Contact {
        name: u.display_name,
        phone: u.phone,
    })
}

fn minutes(d: time::Duration) -> f64 {
    (d.as_seconds_f64() / 6.0).round() / 10.0
}

/// The hand-off of a referral the caller has already read (`v`, from
/// `workflow::referrals::get`, which checked and audited the reading).
pub async fn of_view(
    state: &AppState,
    auth: &Auth,
    agency: &Agency,
    r: &ReferralRecord,
    v: &ReferralView,
) -> AppResult<Handoff> {
    let t = now();
    let case_management = referrals::serves(auth, agency, r);
    let referred_by = if case_management {
        Some(contact(state, auth, r.referred_by).await?)
    } else {
        None
    };
    let case_manager = match (&v.accepted_by, r.accepted_by) {
        (Some(_), Some(u)) => Some(contact(state, auth, u).await?),
        _ => None,
    };
    let on_the_way = r.status == ReferralStatus::Accepted && case_manager.is_some();
    let eta = if on_the_way {
        etas::latest(&mut state.store.conn(), r.site_id, &[r.id])
            .await?
            .remove(&r.id)
            .map(|e| Eta {
                minutes: e.minutes,
                sent_at: e.sent_at,
                expected_at: e.sent_at + time::Duration::minutes(e.minutes),
            })
    } else {
        None
    };
    let since = r.approved_at.unwrap_or(r.referred_at);
    Ok(Handoff {
        referral_id: *r.id.as_uuid(),
        place: v.details.as_ref().and_then(place),
        referred_by,
        case_manager,
        referred_at: r.referred_at,
        minutes_since_referral: (t - r.referred_at).whole_minutes(),
        minutes_to_accept: r.accepted_at.map(|a| minutes(a - since)),
        minutes_to_arrive: v
            .triage_started_at
            .zip(r.accepted_at)
            .map(|(b, a)| minutes(b - a)),
        eta,
        may_send_eta: r.status == ReferralStatus::Accepted && r.accepted_by == Some(auth.user.id),
    })
}

/// `GET /api/v1/referrals/{id}/handoff`: the hand-off, for whoever may
/// read the referral (audited as a reading of it).
pub async fn get(state: &AppState, auth: &Auth, actx: &Ctx, id: ReferralId) -> AppResult<Handoff> {
    let v = referrals::get(state, auth, actx, id).await?;
    let (r, agency) = referrals::load(state, auth, id).await?;
    of_view(state, auth, &agency, &r, &v).await
}

/// Parses the minutes of an ETA (a number or a numeric string), naming the
/// field when they are not 1–240.
fn parse_minutes(v: &serde_json::Value) -> AppResult<i64> {
    let n = match v {
        serde_json::Value::Number(n) => n.as_i64(),
        serde_json::Value::String(s) => s.trim().parse().ok(),
        _ => None,
    };
    n.filter(|m| (1..=MAX_ETA_MINUTES).contains(m))
        .ok_or_else(|| {
            AppError::field(
                "minutes",
                format!(
                    "Give the minutes until you arrive, a whole number from 1 to {MAX_ETA_MINUTES}."
                ),
            )
        })
}

/// "On my way, ETA N min": only the case manager who accepted the
/// hand-off, before arriving. The referring officer sees it live.
pub async fn send_eta(
    state: &AppState,
    auth: &Auth,
    actx: &Ctx,
    id: ReferralId,
    form: EtaForm,
) -> AppResult<Handoff> {
    let agency = workflow::agency_of(state, auth).await?;
    workflow::require(
        auth,
        &agency,
        Action::AcceptHandoff,
        "Only the case manager who accepted the hand-off tells the officer when they will arrive.",
    )?;
    let (r, _) = referrals::load(state, auth, id).await?;
    if r.accepted_by != Some(auth.user.id) {
        let mut e = audit::event(auth, "referral.eta", Outcome::Denied, actx);
        e.subject_ref = Some(format!("referral:{id}"));
        audit::record(state, e).await?;
        return Err(AppError::Forbidden(
            "Only the case manager who accepted this hand-off tells the officer when they will arrive.",
        ));
    }
    if r.status != ReferralStatus::Accepted {
        return Err(AppError::Conflict(
            "Arrival is already recorded for this referral, so there is no ETA to send.".into(),
        ));
    }
    let minutes = parse_minutes(&form.minutes)?;
    let t = now();
    let mut tx = state.store.begin().await?;
    etas::record(&mut tx.conn(), r.site_id, r.id, auth.user.id, minutes, t).await?;
    let mut e = audit::event(auth, "referral.eta", Outcome::Allowed, actx);
    e.subject_ref = Some(format!("referral:{id}"));
    e.subject_participant_id = r.participant_id;
    e.categories = vec![DataCategory::Enrollment];
    audit::record_in(&mut tx, e).await?;
    tx.commit().await?;
    state.bus.publish(SiteEvent {
        site: r.site_id,
        audience: Audience::Users(vec![r.referred_by, auth.user.id]),
        kind: "referral.eta",
        referral_id: Some(r.id),
    });
    get(state, auth, actx, id).await
}
