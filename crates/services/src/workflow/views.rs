//! What the API returns for referrals, holds and releases. Each view is
//! built for one reader: fields that reader may not see are left out.

use handoff_domain::eligibility::{Reason, Screening};
use handoff_domain::hold::Hold;
use serde::Serialize;
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Serialize, ToSchema)]
pub struct EligibilityView {
    pub eligible: bool,
    /// The id of the policy version the screening used.
    pub policy_version: Uuid,
    /// Its number (1, 2, …), for people.
    pub policy_version_number: i64,
    /// Every rule applied, in plain language.
    #[schema(value_type = Vec<Object>)]
    pub reasons: Vec<Reason>,
}

impl EligibilityView {
    pub fn of(s: &Screening, version: Uuid, number: i64) -> Self {
        Self {
            eligible: s.eligible,
            policy_version: version,
            policy_version_number: number,
            reasons: s.reasons.clone(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DecisionView {
    /// filed | declined | deferred
    pub decision: String,
    pub note: String,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub at: OffsetDateTime,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct HoldView {
    pub id: Uuid,
    pub referral_id: Uuid,
    /// pending | satisfied | lapsed
    pub state: String,
    /// The first instant after the window (UTC): the hold lapses then.
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub deadline: OffsetDateTime,
    /// The last local day of the window at the site.
    pub last_day: String,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub satisfied_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub lapsed_at: Option<OffsetDateTime>,
    /// Lapsed and waiting for the prosecutor (no decision yet, or deferred).
    pub awaiting_decision: bool,
    pub decisions: Vec<DecisionView>,
    /// The case's incident number, for the prosecutor's queue.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub incident_number: Option<String>,
}

impl HoldView {
    pub fn of(h: &Hold, incident_number: Option<String>) -> Self {
        Self {
            id: *h.id.as_uuid(),
            referral_id: *h.referral_id.as_uuid(),
            state: h.state().as_str().to_string(),
            deadline: h.deadline.at,
            last_day: handoff_store::referrals::iso(h.deadline.last_day),
            satisfied_at: h.satisfied_at(),
            lapsed_at: h.lapsed_at(),
            awaiting_decision: h.awaiting_decision(),
            decisions: h
                .decisions()
                .iter()
                .map(|d| DecisionView {
                    decision: d.decision.as_str().to_string(),
                    note: d.note.clone(),
                    at: d.at,
                })
                .collect(),
            incident_number,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedReferral {
    pub id: Uuid,
    /// arrest_diversion | social_contact | community
    pub door: String,
    pub status: String,
    pub eligibility: EligibilityView,
    pub hold: Option<HoldView>,
    /// The site's earlier referrals with the same incident number: a
    /// possible duplicate, flagged for case management, never refused.
    pub possible_duplicate_of: Vec<Uuid>,
}

impl From<ReferralView> for CreatedReferral {
    /// The screening result of a referral already filed, as its reader sees it.
    fn from(v: ReferralView) -> Self {
        CreatedReferral {
            id: v.id,
            door: v.door,
            status: v.status,
            eligibility: v.eligibility,
            hold: v.hold,
            possible_duplicate_of: v.possible_duplicate_of,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PersonView {
    pub first_name: String,
    pub last_name: String,
    pub aliases: Vec<String>,
    pub dob: Option<String>,
    pub approx_age: Option<i64>,
    pub sex: String,
    pub race: String,
    pub description: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StaffView {
    pub id: Uuid,
    pub name: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReferralView {
    pub id: Uuid,
    pub door: String,
    pub status: String,
    pub status_label: String,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub referred_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub occurred_at: OffsetDateTime,
    pub incident_number: Option<String>,
    pub eligibility: EligibilityView,
    pub hold: Option<HoldView>,
    /// Shown to the referrer and to case management only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub person: Option<PersonView>,
    /// Offences, location and notes as referred (referrer and case management).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub details: Option<serde_json::Value>,
    /// The case manager who accepted: the officer sees who is coming.
    pub accepted_by: Option<StaffView>,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub accepted_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub triage_started_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub intake_completed_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub enrolled_at: Option<OffsetDateTime>,
    /// Whether the person is a participant — for enforcement readers only
    /// where the participant's release allows `enrollment`; null otherwise.
    pub participant: Option<bool>,
    /// The participant's id (case management only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub participant_id: Option<Uuid>,
    /// The site's earlier referrals with the same incident number when
    /// this one was filed (a possible duplicate).
    pub possible_duplicate_of: Vec<Uuid>,
    /// "Already known?": likely earlier records of this person at the site
    /// (case management only; never shown to the referrer).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub likely_matches: Option<Vec<crate::known::LikelyMatch>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RecipientView {
    pub agency_id: Uuid,
    pub agency_name: String,
    pub categories: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReleaseView {
    pub id: Uuid,
    pub participant_id: Uuid,
    pub recipients: Vec<RecipientView>,
    /// Every category named for any recipient.
    pub categories: Vec<String>,
    pub purpose: String,
    pub effective_on: String,
    pub expires_on: String,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub revoked_at: Option<OffsetDateTime>,
    /// not_yet_effective | in_force | expired | revoked
    pub status: String,
    /// drawn | uploaded_pdf
    pub signature_method: String,
    pub part2: bool,
}
