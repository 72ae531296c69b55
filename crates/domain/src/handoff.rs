//! A referral's way from the street to intake: screening, approval where the
//! site requires it, the warm hand-off to the on-call case manager, triage,
//! intake and the release of information (DESIGN.md §2).
//!
//! ```text
//! screened ─ ineligible                       (kept for the equity figures)
//!    └─ eligible ─▶ awaiting_approval ─▶ not_approved
//!                         │
//!                         ▼
//!               awaiting_handoff ─▶ accepted ─▶ triage_started ─▶ intake_complete ─▶ enrolled
//!                                      └────────────────────────────▲
//! ```
//!
//! Nobody leaves this path for not showing up: a person accepted but not yet
//! through intake stays where they are, and the outreach team looks for them.

use crate::org::string_enum;
use time::{Duration, OffsetDateTime};

string_enum! {
    /// Where a referral stands.
    ReferralStatus {
        /// Screened out by the site's policy; the officer proceeds as usual.
        Ineligible = "ineligible",
        /// Eligible; waiting for designated police or project-management staff.
        AwaitingApproval = "awaiting_approval",
        /// The approver did not approve; the officer proceeds as usual.
        NotApproved = "not_approved",
        /// Waiting for an on-call case manager to accept.
        AwaitingHandoff = "awaiting_handoff",
        /// A case manager accepted and is on the way.
        Accepted = "accepted",
        /// The case manager arrived; triage at the scene began.
        TriageStarted = "triage_started",
        /// Psychosocial intake done; the release of information follows.
        IntakeComplete = "intake_complete",
        /// Intake and a release of information: the person is a participant.
        Enrolled = "enrolled",
    }
}

string_enum! {
    /// A step on the way, each timestamped by the store.
    ReferralStep {
        Approved = "approved",
        NotApproved = "not_approved",
        Accepted = "accepted",
        TriageStarted = "triage_started",
        IntakeCompleted = "intake_completed",
        ReleaseSigned = "release_signed",
    }
}

impl ReferralStatus {
    pub const fn label(&self) -> &'static str {
        match self {
            ReferralStatus::Ineligible => "Not eligible under the site's policy",
            ReferralStatus::AwaitingApproval => "Awaiting approval",
            ReferralStatus::NotApproved => "Not approved",
            ReferralStatus::AwaitingHandoff => "Waiting for a case manager",
            ReferralStatus::Accepted => "Case manager on the way",
            ReferralStatus::TriageStarted => "Triage started",
            ReferralStatus::IntakeComplete => "Intake complete",
            ReferralStatus::Enrolled => "Participant",
        }
    }

    /// The status right after screening.
    pub const fn after_screening(eligible: bool, needs_approval: bool) -> Self {
        match (eligible, needs_approval) {
            (false, _) => ReferralStatus::Ineligible,
            (true, true) => ReferralStatus::AwaitingApproval,
            (true, false) => ReferralStatus::AwaitingHandoff,
        }
    }

    /// The status after `step`, or `None` when the step does not apply.
    pub const fn after(self, step: ReferralStep) -> Option<Self> {
        use ReferralStatus as S;
        use ReferralStep as T;
        match (self, step) {
            (S::AwaitingApproval, T::Approved) => Some(S::AwaitingHandoff),
            (S::AwaitingApproval, T::NotApproved) => Some(S::NotApproved),
            (S::AwaitingHandoff, T::Accepted) => Some(S::Accepted),
            (S::Accepted, T::TriageStarted) => Some(S::TriageStarted),
            (S::Accepted | S::TriageStarted, T::IntakeCompleted) => Some(S::IntakeComplete),
            (S::IntakeComplete, T::ReleaseSigned) => Some(S::Enrolled),
            _ => None,
        }
    }

    /// Whether the referral waits on a case manager (the hand-off inbox).
    pub const fn awaiting_case_manager(&self) -> bool {
        matches!(self, ReferralStatus::AwaitingHandoff)
    }
}

/// Whether an unaccepted referral should escalate to the supervisor: it has
/// waited `target_minutes` or more since it reached the on-call roster.
pub fn escalation_due(
    status: ReferralStatus,
    handoff_requested_at: OffsetDateTime,
    target_minutes: u16,
    now: OffsetDateTime,
) -> bool {
    status == ReferralStatus::AwaitingHandoff
        && now - handoff_requested_at >= Duration::minutes(i64::from(target_minutes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn the_warm_handoff_path() {
        let mut s = ReferralStatus::after_screening(true, true);
        for step in [
            ReferralStep::Approved,
            ReferralStep::Accepted,
            ReferralStep::TriageStarted,
            ReferralStep::IntakeCompleted,
            ReferralStep::ReleaseSigned,
        ] {
            s = s.after(step).unwrap();
        }
        assert_eq!(s, ReferralStatus::Enrolled);
        assert_eq!(
            ReferralStatus::after_screening(false, true),
            ReferralStatus::Ineligible
        );
        assert_eq!(
            ReferralStatus::Accepted.after(ReferralStep::IntakeCompleted),
            Some(ReferralStatus::IntakeComplete)
        );
    }

    #[test]
    fn steps_out_of_order_do_not_apply() {
        for status in ReferralStatus::ALL {
            for step in ReferralStep::ALL {
                if let Some(next) = status.after(*step) {
                    assert_ne!(next, *status);
                    assert!(!matches!(
                        status,
                        ReferralStatus::Ineligible
                            | ReferralStatus::NotApproved
                            | ReferralStatus::Enrolled
                    ));
                }
            }
        }
        assert_eq!(
            ReferralStatus::AwaitingHandoff.after(ReferralStep::ReleaseSigned),
            None
        );
    }

    #[test]
    fn escalation_after_the_target() {
        let t = datetime!(2026-11-30 14:05 UTC);
        let s = ReferralStatus::AwaitingHandoff;
        assert!(!escalation_due(s, t, 30, t + Duration::minutes(29)));
        assert!(escalation_due(s, t, 30, t + Duration::minutes(30)));
        assert!(!escalation_due(
            ReferralStatus::Accepted,
            t,
            30,
            t + Duration::hours(2)
        ));
    }
}
