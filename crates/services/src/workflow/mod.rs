//! The diversion workflow (DESIGN.md §2): referral through three doors,
//! screening against the site's current policy, approval where required,
//! the warm hand-off to the on-call case manager, triage, intake, the
//! release of information, and the diversion hold with the prosecutor's
//! queue. Pages and the API both call these services; each checks the
//! caller's role, writes through the store in one transaction and audits it
//! there.

pub mod events;
pub mod holds;
pub mod intake;
pub mod policy;
pub mod referrals;
pub mod releases;
pub mod roster;
pub mod stats;
pub mod sweep;
pub mod views;

use crate::AppState;
use crate::auth::Auth;
use crate::error::{AppError, AppResult};
use handoff_domain::disclosure::{Subject, Viewer};
use handoff_domain::rules::{self, Action, Actor};
use handoff_domain::site_time::SiteTimeZone;
use handoff_domain::{AgencyId, SiteId};
use handoff_store::casework::Participant;
use handoff_store::orgs::{self, Agency, Site};
use handoff_store::policy::PolicyVersion;

/// A site with its time zone and the policy version in force.
pub struct SiteCtx {
    pub site: Site,
    pub tz: SiteTimeZone,
    pub policy: PolicyVersion,
}

impl SiteCtx {
    pub async fn load(state: &AppState, site: SiteId) -> AppResult<SiteCtx> {
        let mut c = state.store.conn();
        let site = orgs::get_site(&mut c, site).await?;
        let tz = SiteTimeZone::parse(&site.time_zone)
            .map_err(|e| AppError::Internal(anyhow::anyhow!("site time zone: {e}")))?;
        let policy = handoff_store::policy::current(&mut c, site.id)
            .await?
            .ok_or(AppError::Conflict(
                "the site has no eligibility policy yet; a site admin must save one".into(),
            ))?;
        Ok(SiteCtx { site, tz, policy })
    }
}

/// The caller's agency, needed by the disclosure engine.
pub async fn agency_of(state: &AppState, auth: &Auth) -> AppResult<Agency> {
    Ok(orgs::get_agency(
        &mut state.store.conn(),
        auth.user.site_id,
        auth.user.agency_id,
    )
    .await?)
}

pub fn viewer<'a>(auth: &'a Auth, agency: &Agency) -> Viewer<'a> {
    Viewer {
        user: auth.user.id,
        roles: &auth.user.roles,
        agency: agency.id,
        agency_kind: agency.kind,
        site: auth.user.site_id,
    }
}

/// The disclosure subject of a referral (and its participant, if any).
pub fn subject(
    r: &handoff_store::referrals::ReferralRecord,
    hold_office: Option<handoff_domain::AgencyId>,
    research_use_allowed: bool,
) -> Subject {
    Subject {
        site: r.site_id,
        case_management_agency: r.case_agency_id,
        referred_by: Some(r.referred_by),
        hold_office,
        research_use_allowed,
    }
}

/// The caller as the rules table sees them.
pub fn actor<'a>(auth: &'a Auth, agency: &Agency) -> Actor<'a> {
    user_actor(&auth.user, agency)
}

/// Any user of the site as the rules table sees them.
pub fn user_actor<'a>(u: &'a handoff_store::users::User, agency: &Agency) -> Actor<'a> {
    Actor {
        roles: &u.roles,
        agency_kind: agency.kind,
        designated_approver: u.can_approve,
    }
}

/// Whether the rules table lets a user (not necessarily the caller) take
/// the action: e.g. whether someone may be put on the on-call roster.
pub fn user_may(u: &handoff_store::users::User, agency: &Agency, action: Action) -> bool {
    rules::may(&user_actor(u, agency), action)
}

/// Whether the rules table lets the caller take the action at all.
pub fn may(auth: &Auth, agency: &Agency, action: Action) -> bool {
    rules::may(&actor(auth, agency), action)
}

/// The same, refusing with a message for the person who asked.
pub fn require(
    auth: &Auth,
    agency: &Agency,
    action: Action,
    refusal: &'static str,
) -> AppResult<()> {
    if may(auth, agency, action) {
        Ok(())
    } else {
        Err(AppError::Forbidden(refusal))
    }
}

/// The site's active staff whom the rules table lets take `action`: who is
/// told of a new hand-off, of an escalation, of a lapsing hold; who may go
/// on call.
pub async fn staff_who_may(
    c: &mut handoff_store::Conn<'_>,
    site: SiteId,
    action: Action,
) -> AppResult<Vec<handoff_store::users::User>> {
    let agencies = orgs::list_agencies(c, site).await?;
    Ok(handoff_store::users::list(c, site)
        .await?
        .into_iter()
        .filter(|u| {
            u.disabled_at.is_none()
                && agencies
                    .iter()
                    .find(|a| a.id == u.agency_id)
                    .is_some_and(|a| user_may(u, a, action))
        })
        .collect())
}

/// [`may`], loading the caller's agency first.
pub async fn may_now(state: &AppState, auth: &Auth, action: Action) -> AppResult<bool> {
    let agency = agency_of(state, auth).await?;
    Ok(may(auth, &agency, action))
}

/// [`require`], loading the caller's agency first.
pub async fn require_now(
    state: &AppState,
    auth: &Auth,
    action: Action,
    refusal: &'static str,
) -> AppResult<()> {
    let agency = agency_of(state, auth).await?;
    require(auth, &agency, action, refusal)
}

/// Whether the caller works this participant's case: casework, for the
/// agency that serves the participant.
pub fn works_case_of(auth: &Auth, agency: &Agency, p: &Participant) -> bool {
    works_for_serving_agency(auth, agency, p.agency_id)
}

/// The same rule, given the serving agency's id (e.g. from an enrolment view).
pub fn works_for_serving_agency(auth: &Auth, agency: &Agency, serving: AgencyId) -> bool {
    may(auth, agency, Action::Casework) && serving == agency.id
}
