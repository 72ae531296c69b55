//! Correcting a contact (issue 11): the author — working the case — or a
//! supervisor of the serving agency (rule `CorrectAnyContact`) adds a new
//! version of what the contact says: place, minutes, services and the
//! note, with the reason. Nothing is overwritten: the contact as written
//! and every earlier version stay in its history, and the audit trail has
//! one `contact.correct` entry per version (the reason and the version in
//! its reference, never the text).

use handoff_audit::Outcome;
use handoff_domain::rules::Action;
use handoff_domain::{ContactId, DataCategory, ParticipantId};
use handoff_services::audit::{self, Ctx};
use handoff_services::auth::Auth;
use handoff_services::casework::{Place, Service, case_for_work, text};
use handoff_services::error::{AppError, AppResult};
use handoff_services::workflow::{self, agency_of};
use handoff_services::{AppState, now};
use handoff_store::StoreError;
use handoff_store::contacts::{self, NewVersion};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// `POST /api/v1/participants/{id}/contacts/{contact_id}/corrections`.
/// What is left out keeps the value of the version before.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct CorrectionForm {
    /// Why the contact is corrected (required, up to 500 characters).
    #[serde(default)]
    pub reason: String,
    /// street | shelter | office | phone | jail | hospital | court
    #[serde(default)]
    pub place: Option<String>,
    /// Minutes, 1 to 720.
    #[serde(default)]
    pub duration_minutes: Option<i64>,
    /// The services delivered, in full (replaces the list before).
    #[serde(default)]
    pub services: Option<Vec<String>>,
    /// The corrected note (`notes` category), up to 4000 characters.
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Corrected {
    pub contact_id: Uuid,
    /// The new version's number (the contact as written is version 1).
    pub version: i64,
}

/// Every problem of a correction at once, each naming its field.
pub fn problems(f: &CorrectionForm) -> Vec<AppError> {
    let mut out = Vec::new();
    match text(Some(f.reason.as_str()), "reason", 500) {
        Ok(Some(_)) => {}
        Ok(None) => out.push(AppError::field(
            "reason",
            "say why the contact is corrected",
        )),
        Err(e) => out.push(e),
    }
    if let Some(p) = f.place.as_deref().filter(|p| !p.trim().is_empty())
        && let Err(e) = Place::parse(p.trim(), "place")
    {
        out.push(e.into());
    }
    if let Some(m) = f.duration_minutes
        && !(1..=720).contains(&m)
    {
        out.push(AppError::field(
            "duration_minutes",
            "must be between 1 and 720 minutes",
        ));
    }
    for (i, s) in f.services.iter().flatten().enumerate() {
        if let Err(e) = Service::parse(s, &format!("services[{i}]")) {
            out.push(e.into());
        }
    }
    if let Err(e) = text(f.note.as_deref(), "note", 4000) {
        out.push(e);
    }
    out
}

/// Adds the correction as a new version of the contact.
pub async fn correct(
    state: &AppState,
    auth: &Auth,
    actx: &Ctx,
    pid: ParticipantId,
    contact: ContactId,
    form: CorrectionForm,
) -> AppResult<Corrected> {
    let p = case_for_work(state, auth, actx, pid, "contact.correct").await?;
    let k = match contacts::get(&mut state.store.conn(), p.site_id, contact).await {
        Ok(k) if k.participant_id == p.id => k,
        Ok(_) | Err(StoreError::NotFound) => return Err(AppError::NotFound),
        Err(e) => return Err(e.into()),
    };
    let agency = agency_of(state, auth).await?;
    if k.created_by != auth.user.id && !workflow::may(auth, &agency, Action::CorrectAnyContact) {
        let mut e = audit::event(auth, "contact.correct", Outcome::Denied, actx);
        e.subject_participant_id = Some(p.id);
        e.subject_ref = Some(format!("contact:{contact}"));
        audit::record(state, e).await?;
        return Err(AppError::Forbidden(
            "Only the person who wrote a contact, or a supervisor, may correct it.",
        ));
    }
    if let Some(first) = problems(&form).into_iter().next() {
        return Err(first);
    }
    // What the version before said, for what the correction leaves out.
    let mut tx = state.store.begin().await?;
    let before = {
        let mut c = tx.conn();
        let all: Vec<_> = contacts::versions_of(&mut c, p.site_id, contact).await?;
        all.into_iter().last()
    };
    let place = match form
        .place
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        Some(s) => Place::parse(s, "place")?,
        None => before.as_ref().map_or(k.place, |v| v.place),
    };
    let duration = form
        .duration_minutes
        .or(before.as_ref().map(|v| v.duration_minutes))
        .unwrap_or(k.duration_minutes);
    let services: Vec<Service> = match &form.services {
        Some(list) => {
            let mut out = Vec::new();
            for (i, s) in list.iter().enumerate() {
                let s = Service::parse(s, &format!("services[{i}]"))?;
                if !out.contains(&s) {
                    out.push(s);
                }
            }
            out
        }
        None => before
            .as_ref()
            .map_or(k.services.clone(), |v| v.services.clone()),
    };
    let note = text(form.note.as_deref(), "note", 4000)?;
    let reason = text(Some(form.reason.as_str()), "reason", 500)?.unwrap_or_default();
    let version = contacts::add_version(
        &mut tx.conn(),
        NewVersion {
            site: p.site_id,
            participant: p.id,
            contact,
            duration_minutes: duration,
            place,
            services: &services,
            note: note.as_deref(),
            reason: &reason,
            by: auth.user.id,
            at: now(),
        },
    )
    .await?;
    let mut e = audit::event(auth, "contact.correct", Outcome::Allowed, actx);
    e.subject_participant_id = Some(p.id);
    e.subject_ref = Some(format!("contact:{contact}:v{version}"));
    e.categories = vec![DataCategory::Notes];
    audit::record_in(&mut tx, e).await?;
    tx.commit().await?;
    Ok(Corrected {
        contact_id: *contact.as_uuid(),
        version,
    })
}
