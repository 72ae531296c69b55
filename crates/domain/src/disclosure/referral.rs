//! Who may see a referral's person and details: the referral stage, before
//! (and beside) the participant the disclosure engine speaks of. One table,
//! [`REFERRAL_RULES`], read in order; the first row that admits the viewer
//! gives their [`ReferralStanding`].
//!
//! - case management working it: before acceptance the case managers and
//!   supervisors of every case-management agency the site hands off to
//!   (they must see enough to respond), after acceptance the serving
//!   agency alone;
//! - the referrer, for their own referral;
//! - police staff designated to approve, while it awaits approval.
//!
//! Everyone else sees nothing of the referral's person. What the referrer
//! learns of the case beyond that (status, `participant`) is `enrollment`,
//! which the disclosure engine decides.

use super::Viewer;
use crate::handoff::ReferralStatus;
use crate::rules::{self, Action, Actor};
use crate::{AgencyId, SiteId, UserId};

/// What the rule needs to know about one referral.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReferralSubject {
    pub site: SiteId,
    /// The user who made the referral.
    pub referred_by: UserId,
    pub status: ReferralStatus,
    /// The case-management agency that accepted it, once accepted.
    pub case_agency: Option<AgencyId>,
}

/// What a viewer is to a referral, the most telling first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ReferralStanding {
    /// Case management working it: the person, the details, the status and
    /// whether the person became a participant.
    CaseManagement,
    /// The referrer: the person and the details they gave.
    Referrer,
    /// Designated police staff reviewing it for approval: the same.
    Approver,
}

/// Who a row admits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Party {
    /// The user who made the referral.
    TheReferrer,
    /// Whoever the rules table lets take the action.
    MayAct(Action),
}

/// When a row applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Whatever the referral's status.
    Always,
    /// While the referral awaits approval.
    AwaitingApproval,
    /// Before acceptance (no serving agency yet), or for the serving agency.
    UnacceptedOrServing,
}

/// One row of the rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReferralRule {
    pub standing: ReferralStanding,
    pub party: Party,
    pub stage: Stage,
}

/// The rule, most telling standing first.
pub const REFERRAL_RULES: &[ReferralRule] = &[
    ReferralRule {
        standing: ReferralStanding::CaseManagement,
        party: Party::MayAct(Action::RespondToHandoff),
        stage: Stage::UnacceptedOrServing,
    },
    ReferralRule {
        standing: ReferralStanding::Referrer,
        party: Party::TheReferrer,
        stage: Stage::Always,
    },
    ReferralRule {
        standing: ReferralStanding::Approver,
        party: Party::MayAct(Action::ApproveAsPolice),
        stage: Stage::AwaitingApproval,
    },
];

/// The viewer's standing towards a referral; `None`: they see nothing of
/// its person or details (to them it does not exist).
pub fn standing(
    viewer: &Viewer<'_>,
    designated_approver: bool,
    subject: &ReferralSubject,
) -> Option<ReferralStanding> {
    if viewer.site != subject.site {
        return None;
    }
    let actor = Actor {
        roles: viewer.roles,
        agency_kind: viewer.agency_kind,
        designated_approver,
    };
    REFERRAL_RULES
        .iter()
        .find(|rule| {
            let party = match rule.party {
                Party::TheReferrer => subject.referred_by == viewer.user,
                Party::MayAct(action) => rules::may(&actor, action),
            };
            let stage = match rule.stage {
                Stage::Always => true,
                Stage::AwaitingApproval => subject.status == ReferralStatus::AwaitingApproval,
                Stage::UnacceptedOrServing => subject
                    .case_agency
                    .is_none_or(|serving| serving == viewer.agency),
            };
            party && stage
        })
        .map(|rule| rule.standing)
}
