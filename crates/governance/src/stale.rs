//! Stale referrals: a referral nobody took up is marked as ageing after
//! [`STALE_DAYS`], and a case-management supervisor (rule
//! `SuperviseCaseloads`) may close it with one of [`REASONS`] — status
//! `closed`, "Closed without a hand-off", never a failure of the person's.
//! Audited (`referral.close`, the reason in the subject).

use handoff_audit::Outcome;
use handoff_domain::handoff::{ReferralStatus, ReferralStep};
use handoff_domain::rules::Action;
use handoff_domain::{DataCategory, ReferralId};
use handoff_services::audit::{self, Ctx};
use handoff_services::auth::Auth;
use handoff_services::error::{AppError, AppResult};
use handoff_services::workflow::{self, referrals as flow};
use handoff_services::{AppState, now};
use handoff_store::referrals;
use time::OffsetDateTime;

/// A referral waiting this many days or more is stale.
pub const STALE_DAYS: i64 = 3;

/// Why a referral is closed, as stored and as read.
pub const REASONS: &[(&str, &str)] = &[
    ("not_located", "The person could not be found"),
    ("declined", "The person did not want LEAD"),
    (
        "served_elsewhere",
        "Served elsewhere (another program or agency)",
    ),
    ("duplicate", "A duplicate of another referral"),
    ("moved_or_in_custody", "Moved away or in custody"),
    ("other", "Another reason"),
];

/// Whether a referral waiting since `since` is stale now.
pub fn stale(since: OffsetDateTime, at: OffsetDateTime) -> bool {
    (at - since).whole_days() >= STALE_DAYS
}

/// Days a referral has waited.
pub fn days_waiting(since: OffsetDateTime, at: OffsetDateTime) -> i64 {
    (at - since).whole_days().max(0)
}

/// Closes a stale referral nobody took up, with a reason.
pub async fn close(
    state: &AppState,
    auth: &Auth,
    actx: &Ctx,
    id: ReferralId,
    reason: &str,
) -> AppResult<()> {
    let agency = workflow::agency_of(state, auth).await?;
    workflow::require(
        auth,
        &agency,
        Action::SuperviseCaseloads,
        "Only a case-management supervisor closes a referral nobody took up.",
    )?;
    if !REASONS.iter().any(|(code, _)| *code == reason) {
        return Err(AppError::field(
            "reason",
            "Choose why the referral is being closed.",
        ));
    }
    let (r, _) = flow::load(state, auth, id).await?;
    if !matches!(
        r.status,
        ReferralStatus::AwaitingHandoff | ReferralStatus::AwaitingApproval
    ) {
        return Err(AppError::Conflict(format!(
            "This referral is {}: only one nobody took up can be closed.",
            r.status.label().to_lowercase()
        )));
    }
    let t = now();
    if !stale(r.approved_at.unwrap_or(r.referred_at), t) {
        return Err(AppError::Conflict(format!(
            "This referral is not stale yet: it can be closed after {STALE_DAYS} days without a hand-off."
        )));
    }
    let mut tx = state.store.begin().await?;
    let moved = referrals::record_step(
        &mut tx.conn(),
        r.site_id,
        r.id,
        r.status,
        ReferralStep::Closed,
        Some(auth.user.id),
        t,
    )
    .await?;
    if !moved {
        return Err(AppError::Conflict(
            "The referral changed meanwhile; look at it again.".into(),
        ));
    }
    referrals::set_closed_reason(&mut tx.conn(), r.site_id, r.id, reason).await?;
    let mut e = audit::event(auth, "referral.close", Outcome::Allowed, actx);
    e.subject_ref = Some(format!("referral:{id}:{reason}"));
    e.categories = vec![DataCategory::Enrollment];
    audit::record_in(&mut tx, e).await?;
    tx.commit().await?;
    Ok(())
}
