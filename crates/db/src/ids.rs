//! Ids are UUID v7 (time-ordered, so indexes stay compact) made here, where
//! the clock may be read; the domain only carries them.

use crate::Value;
use handoff_domain::*;
use uuid::Uuid;

/// A new time-ordered id.
pub fn new_id<T: From<Uuid>>() -> T {
    T::from(Uuid::now_v7())
}

macro_rules! id_value {
    ($($t:ty),*) => {$(
        impl From<$t> for Value {
            fn from(v: $t) -> Self { Value::Uuid(Some(*v.as_uuid())) }
        }
        impl From<&$t> for Value {
            fn from(v: &$t) -> Self { Value::Uuid(Some(*v.as_uuid())) }
        }
        impl From<Option<$t>> for Value {
            fn from(v: Option<$t>) -> Self { Value::Uuid(v.map(|v| *v.as_uuid())) }
        }
    )*};
}

id_value!(
    SiteId,
    AgencyId,
    UserId,
    SessionId,
    ApiTokenId,
    ParticipantId,
    AuditEntryId,
    PersonId,
    ReferralId,
    HoldId,
    ReleaseId,
    PolicyVersionId,
    DocumentId,
    TriageId,
    IntakeId,
    ShiftId,
    NotificationId,
    DecisionId,
    ContactId,
    GoalId,
    ServiceReferralId,
    ParticipationEventId,
    AssignmentId
);
