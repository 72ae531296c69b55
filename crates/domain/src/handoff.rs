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
        /// Never taken up, closed by a supervisor with a reason (not a
        /// failure of the person's).
        Closed = "closed",
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
        /// A supervisor closes a stale referral nobody took up.
        Closed = "closed",
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
            ReferralStatus::Closed => "Closed without a hand-off",
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
            (S::AwaitingHandoff | S::AwaitingApproval, T::Closed) => Some(S::Closed),
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

/// Hand-off times over a period (referral to a case manager's acceptance,
/// or to arrival), for the supervisor's weekly figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HandoffSummary {
    pub count: usize,
    pub median: Duration,
    pub p90: Duration,
    /// How many were within the policy's target.
    pub within_target: usize,
}

impl HandoffSummary {
    /// Median and 90th percentile by the nearest-rank method (always an
    /// observed time), or `None` for no hand-offs.
    pub fn of(times: &[Duration], target_minutes: u16) -> Option<Self> {
        if times.is_empty() {
            return None;
        }
        let mut sorted = times.to_vec();
        sorted.sort_unstable();
        let rank = |p: usize| sorted[(p * sorted.len()).div_ceil(100).max(1) - 1];
        let target = Duration::minutes(i64::from(target_minutes));
        Some(Self {
            count: sorted.len(),
            median: rank(50),
            p90: rank(90),
            within_target: sorted.iter().filter(|t| **t <= target).count(),
        })
    }
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
    fn handoff_times_summarise_by_nearest_rank() {
        let m = Duration::minutes;
        let times: Vec<Duration> = [12, 45, 20, 31, 18, 25, 90, 15, 22, 28]
            .into_iter()
            .map(m)
            .collect();
        let s = HandoffSummary::of(&times, 30).unwrap();
        assert_eq!(s.count, 10);
        assert_eq!(s.median, m(22));
        assert_eq!(s.p90, m(45));
        assert_eq!(s.within_target, 7);
        assert_eq!(HandoffSummary::of(&[m(5)], 30).unwrap().p90, m(5));
        assert_eq!(HandoffSummary::of(&[], 30), None);
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
