//! The on-call roster, kept by supervisors.

use crate::audit::{self, Ctx};
use crate::auth::Auth;
use crate::error::{AppError, AppResult};
use crate::{AppState, now};
use handoff_audit::Outcome;
use handoff_domain::rules::Action;
use handoff_domain::{ShiftId, UserId};
use handoff_store::roster::{self, Shift};
use handoff_store::users;
use time::OffsetDateTime;

async fn may_edit(state: &AppState, auth: &Auth) -> AppResult<()> {
    let agency = super::agency_of(state, auth).await?;
    super::require(
        auth,
        &agency,
        Action::KeepRoster,
        "The on-call roster is kept by supervisors and site admins.",
    )
}

/// The site's staff who may go on call (the rules table's `GoOnCall`).
pub async fn candidates(state: &AppState, auth: &Auth) -> AppResult<Vec<users::User>> {
    may_edit(state, auth).await?;
    super::staff_who_may(&mut state.store.conn(), auth.user.site_id, Action::GoOnCall).await
}

pub async fn add(
    state: &AppState,
    auth: &Auth,
    actx: &Ctx,
    user: UserId,
    starts_at: OffsetDateTime,
    ends_at: OffsetDateTime,
) -> AppResult<ShiftId> {
    may_edit(state, auth).await?;
    if ends_at <= starts_at {
        return Err(AppError::field("ends_at", "must be after starts_at"));
    }
    if ends_at - starts_at > time::Duration::days(7) {
        return Err(AppError::field("ends_at", "a shift lasts at most 7 days"));
    }
    let u = users::get(&mut state.store.conn(), auth.user.site_id, user)
        .await
        .map_err(|_| AppError::field("user_id", "no such user at this site"))?;
    let theirs =
        handoff_store::orgs::get_agency(&mut state.store.conn(), u.site_id, u.agency_id).await?;
    if !super::user_may(&u, &theirs, Action::GoOnCall) {
        return Err(AppError::field(
            "user_id",
            "only case managers go on the on-call roster",
        ));
    }
    let mut tx = state.store.begin().await?;
    let id = roster::add(
        &mut tx.conn(),
        auth.user.site_id,
        user,
        starts_at,
        ends_at,
        Some(auth.user.id),
        now(),
    )
    .await?;
    let mut e = audit::event(auth, "roster.add", Outcome::Allowed, actx);
    e.subject_ref = Some(format!("shift:{id}"));
    audit::record_in(&mut tx, e).await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn remove(state: &AppState, auth: &Auth, actx: &Ctx, id: ShiftId) -> AppResult<()> {
    may_edit(state, auth).await?;
    let mut tx = state.store.begin().await?;
    roster::remove(&mut tx.conn(), auth.user.site_id, id).await?;
    let mut e = audit::event(auth, "roster.remove", Outcome::Allowed, actx);
    e.subject_ref = Some(format!("shift:{id}"));
    audit::record_in(&mut tx, e).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn upcoming(state: &AppState, auth: &Auth, days: i64) -> AppResult<Vec<Shift>> {
    let t = now();
    Ok(roster::between(
        &mut state.store.conn(),
        auth.user.site_id,
        t - time::Duration::hours(12),
        t + time::Duration::days(days),
    )
    .await?)
}
