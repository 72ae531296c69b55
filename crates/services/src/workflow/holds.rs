//! The prosecutor's queue of diversion holds and their decisions.

use super::agency_of;
use super::views::HoldView;
use crate::audit::{self, Ctx};
use crate::auth::Auth;
use crate::error::{AppError, AppResult};
use crate::{AppState, now};
use handoff_audit::Outcome;
use handoff_domain::hold::{HoldState, ProsecutorDecision};
use handoff_domain::rules::Action;
use handoff_domain::{DataCategory, HoldId};
use handoff_store::page::{Page, Paged};
use handoff_store::{holds, referrals};
use serde::Deserialize;
use utoipa::ToSchema;

/// Who sees which holds: prosecutors those their office owns; supervisors all.
async fn office_filter(
    state: &AppState,
    auth: &Auth,
) -> AppResult<Option<handoff_domain::AgencyId>> {
    let agency = agency_of(state, auth).await?;
    if super::may(auth, &agency, Action::DecideHold) {
        Ok(Some(agency.id))
    } else if super::may(auth, &agency, Action::SeeHoldQueue) {
        Ok(None)
    } else {
        Err(AppError::Forbidden(
            "The hold queue is for prosecutors and supervisors.",
        ))
    }
}

pub async fn list(
    state: &AppState,
    auth: &Auth,
    actx: &Ctx,
    filter: Option<HoldState>,
) -> AppResult<Vec<HoldView>> {
    let office = office_filter(state, auth).await?;
    let all = holds::list(&mut state.store.conn(), auth.user.site_id, filter).await?;
    let mine = all
        .into_iter()
        .filter(|h| office.is_none() || h.prosecutor_agency_id == office);
    shown(state, auth, actx, mine).await
}

/// One page of the queue, the latest deadline first (`reverse`: the
/// nearest first).
pub async fn list_page(
    state: &AppState,
    auth: &Auth,
    actx: &Ctx,
    page: &Page,
) -> AppResult<Paged<HoldView>> {
    let office = office_filter(state, auth).await?;
    let got = holds::list_page(&mut state.store.conn(), auth.user.site_id, office, page).await?;
    let items = shown(state, auth, actx, got.items).await?;
    Ok(Paged {
        items,
        next: got.next,
    })
}

/// The holds as the queue shows them, audited as one `hold.list` entry.
async fn shown(
    state: &AppState,
    auth: &Auth,
    actx: &Ctx,
    list: impl IntoIterator<Item = holds::StoredHold>,
) -> AppResult<Vec<HoldView>> {
    let list: Vec<_> = list.into_iter().collect();
    let ids: Vec<_> = list.iter().map(|h| h.hold.referral_id).collect();
    let records = referrals::get_many(&mut state.store.conn(), auth.user.site_id, &ids).await?;
    let mut out = Vec::new();
    let mut participants = Vec::new();
    for h in list {
        let r = records
            .get(&h.hold.referral_id)
            .ok_or(handoff_store::StoreError::NotFound)?;
        participants.extend(r.participant_id);
        out.push(HoldView::of(&h.hold, r.incident_number.clone()));
    }
    let mut e = audit::event(auth, "hold.list", Outcome::Allowed, actx);
    e.categories = vec![DataCategory::Hold];
    e.participants = participants;
    audit::record(state, e).await?;
    Ok(out)
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct DecisionForm {
    /// filed | declined | deferred
    #[serde(default)]
    pub decision: String,
    #[serde(default)]
    pub note: String,
}

pub async fn decide(
    state: &AppState,
    auth: &Auth,
    actx: &Ctx,
    id: HoldId,
    form: DecisionForm,
) -> AppResult<HoldView> {
    let decision: ProsecutorDecision = form
        .decision
        .trim()
        .parse()
        .map_err(|e: handoff_domain::ParseError| AppError::field("decision", e.message))?;
    let agency = agency_of(state, auth).await?;
    super::require(
        auth,
        &agency,
        Action::DecideHold,
        "Only the prosecutor's office records a decision on a hold.",
    )?;
    let mut tx = state.store.begin().await?;
    let mut stored = holds::get(&mut tx.conn(), auth.user.site_id, id).await?;
    if stored.prosecutor_agency_id.is_some_and(|o| o != agency.id) {
        return Err(AppError::NotFound);
    }
    let event = stored
        .hold
        .decide(decision, form.note.trim(), auth.user.id, now())
        .map_err(|e| match e {
            handoff_domain::hold::HoldError::NoteTooLong => AppError::field("note", e.to_string()),
            other => AppError::Conflict(other.to_string()),
        })?;
    stored
        .hold
        .apply(&event)
        .map_err(|e| AppError::Conflict(e.to_string()))?;
    holds::save(&mut tx.conn(), auth.user.site_id, &stored.hold).await?;
    let r = referrals::get(&mut tx.conn(), auth.user.site_id, stored.hold.referral_id).await?;
    let mut e = audit::event(auth, "hold.decision", Outcome::Allowed, actx);
    e.subject_ref = Some(format!("hold:{id}"));
    e.subject_participant_id = r.participant_id;
    e.categories = vec![DataCategory::Hold];
    audit::record_in(&mut tx, e).await?;
    tx.commit().await?;
    Ok(HoldView::of(&stored.hold, r.incident_number))
}
