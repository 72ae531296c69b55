//! What a partner agency was given: the participants whose release in
//! force names the caller's organisation, each with the categories the
//! guard allows the caller now and the release's expiry (the name only
//! where `identity` is among them). A list through the guard: the facts of
//! every participant in a constant number of queries, one assessment per
//! row, the names in one query, and one audit entry naming the
//! participants shown (`participant.shared.list`).

use handoff_audit::Outcome;
use handoff_domain::DataCategory;
use handoff_domain::release::ReleaseStatus;
use handoff_domain::rules::Action;
use handoff_services::AppState;
use handoff_services::audit::{self, Ctx};
use handoff_services::auth::Auth;
use handoff_services::disclosure::Guard;
use handoff_services::error::AppResult;
use handoff_store::casework;
use handoff_store::referrals::iso;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

/// One participant whose release names the caller's organisation.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SharedParticipant {
    pub participant_id: Uuid,
    /// The categories the caller may read now.
    pub categories: Vec<String>,
    /// The last day of the latest release in force naming the caller's
    /// organisation (YYYY-MM-DD).
    pub expires_on: String,
    /// The name, only where `identity` is shared.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// The participants shared with the caller's organisation.
pub async fn shared_with_us(
    state: &AppState,
    auth: &Auth,
    actx: &Ctx,
) -> AppResult<Vec<SharedParticipant>> {
    let guard = Guard::new(state, auth).await?;
    guard
        .require(
            actx,
            Action::SeeSharedWithUs,
            "participant.shared.list",
            vec![DataCategory::Enrollment],
            "the list of what was shared is for partner agencies",
        )
        .await?;
    let (agency, now) = (guard.agency().id, guard.now());
    let all = casework::list_participants(&mut state.store.conn(), auth.user.site_id).await?;
    let (rows, expiries): (Vec<_>, Vec<_>) = guard
        .assess_many(all)
        .await?
        .into_iter()
        .filter_map(|a| {
            let expires = a
                .facts()
                .releases()
                .iter()
                .filter(|r| r.recipient(agency).is_some())
                .filter(|r| r.status(now) == ReleaseStatus::InForce)
                .map(|r| r.expires_on())
                .max()?;
            Some((a, expires))
        })
        .unzip();
    let out: Vec<SharedParticipant> = guard
        .visible_rows(&rows)
        .await?
        .into_iter()
        .zip(expiries)
        .map(|(v, expires)| SharedParticipant {
            participant_id: v.id,
            categories: v.categories,
            expires_on: iso(expires),
            name: v.name,
        })
        .collect();
    let mut e = audit::event(auth, "participant.shared.list", Outcome::Allowed, actx);
    e.categories = vec![DataCategory::Enrollment, DataCategory::Identity];
    e.participants = out.iter().map(|v| v.participant_id.into()).collect();
    audit::record(state, e).await?;
    Ok(out)
}
