//! One id newtype per entity, so a participant id can never be passed where a
//! user id is expected. Ids are UUID v7 made by the store (this crate has no
//! clock); here they are only carried and parsed.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use uuid::Uuid;

macro_rules! id_type {
    ($($(#[$doc:meta])* $name:ident;)*) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(Uuid);

        impl $name {
            pub const fn from_uuid(uuid: Uuid) -> Self {
                Self(uuid)
            }
            pub const fn as_uuid(&self) -> &Uuid {
                &self.0
            }
        }

        impl From<Uuid> for $name {
            fn from(uuid: Uuid) -> Self {
                Self(uuid)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }
    )*};
}

id_type! {
    /// A LEAD site (a jurisdiction's program). Every row of site data carries one.
    SiteId;
    /// A partner organisation of a site: police, prosecutor, case management, …
    AgencyId;
    /// A person who logs in.
    UserId;
    /// A server-side login session.
    SessionId;
    /// An integration's API token.
    ApiTokenId;
    /// A participant (a person who completed intake and signed a release).
    ParticipantId;
    /// One entry of the append-only audit log.
    AuditEntryId;
    /// A person known to the site: referred, screened, perhaps a participant.
    PersonId;
    /// A referral through one of the three doors.
    ReferralId;
    /// A diversion hold: an arrest case held from filing.
    HoldId;
    /// A release of information (ROI) signed by a participant.
    ReleaseId;
    /// One immutable, dated version of a site's eligibility policy.
    PolicyVersionId;
    /// A stored file: a signed release form, a signature image, an ID scan.
    DocumentId;
    /// A triage at the scene.
    TriageId;
    /// A psychosocial intake.
    IntakeId;
    /// A case manager's on-call shift.
    ShiftId;
    /// Something a user is told (a hand-off, an escalation, a reminder).
    NotificationId;
    /// A prosecutor's decision on a lapsed hold.
    DecisionId;
    /// A contact (encounter) with a participant.
    ContactId;
    /// A goal the participant chose, in their own words.
    GoalId;
    /// A referral of a participant to a service provider.
    ServiceReferralId;
    /// A closing or reopening of a participant's case.
    ParticipationEventId;
    /// A change of a participant's case manager.
    AssignmentId;
}
