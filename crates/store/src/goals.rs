//! The participant's own goals, in their words, with steps and status; and
//! referrals to service providers with their outcome.

use crate::access::Grant;
use crate::db::Conn;
use crate::{Result, StoreError, args, ids::new_id};
use handoff_domain::DataCategory;
use handoff_domain::casework::{GoalStatus, ReferralOutcome};
use handoff_domain::{GoalId, ParticipantId, ServiceReferralId, SiteId, UserId};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    pub text: String,
    #[serde(default)]
    pub done: bool,
}

#[derive(Debug, Clone)]
pub struct Goal {
    pub id: GoalId,
    pub participant_id: ParticipantId,
    pub words: String,
    pub status: GoalStatus,
    pub steps: Vec<Step>,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

#[derive(sqlx::FromRow)]
struct GoalRow {
    id: Uuid,
    participant_id: Uuid,
    words: String,
    status: String,
    steps: String,
    created_at: OffsetDateTime,
    updated_at: OffsetDateTime,
}

impl TryFrom<GoalRow> for Goal {
    type Error = StoreError;
    fn try_from(r: GoalRow) -> Result<Self> {
        Ok(Goal {
            id: r.id.into(),
            participant_id: r.participant_id.into(),
            words: r.words,
            status: crate::stored(&r.status, "goal status")?,
            steps: serde_json::from_str(&r.steps)
                .map_err(|e| StoreError::Corrupt(format!("goal steps: {e}")))?,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

fn json<T: Serialize>(v: &T) -> Result<String> {
    serde_json::to_string(v).map_err(|e| StoreError::Corrupt(e.to_string()))
}

#[allow(clippy::too_many_arguments)]
pub async fn create(
    c: &mut Conn<'_>,
    site: SiteId,
    participant: ParticipantId,
    words: &str,
    status: GoalStatus,
    steps: &[Step],
    by: UserId,
    at: OffsetDateTime,
) -> Result<GoalId> {
    let id: GoalId = new_id();
    c.execute(
        "INSERT INTO goals (id, site_id, participant_id, words, status, steps, created_by, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
        args![id, site, participant, words, status.as_str(), json(&steps)?, by, at],
    )
    .await?;
    Ok(id)
}

/// Rewrites a goal's words, status and steps.
pub async fn update(
    c: &mut Conn<'_>,
    site: SiteId,
    id: GoalId,
    words: &str,
    status: GoalStatus,
    steps: &[Step],
    at: OffsetDateTime,
) -> Result<()> {
    c.execute_found(
        "UPDATE goals SET words = $3, status = $4, steps = $5, updated_at = $6 WHERE site_id = $1 AND id = $2",
        args![site, id, words, status.as_str(), json(&steps)?, at],
    )
    .await
}

pub async fn get(c: &mut Conn<'_>, site: SiteId, id: GoalId) -> Result<Goal> {
    c.fetch_one::<GoalRow>(
        "SELECT id, participant_id, words, status, steps, created_at, updated_at FROM goals WHERE site_id = $1 AND id = $2",
        args![site, id],
    )
    .await?
    .try_into()
}

pub async fn for_participant(c: &mut Conn<'_>, g: &Grant) -> Result<Vec<Goal>> {
    let (site, participant) = g.open(&[DataCategory::Plan])?;
    c.fetch_all::<GoalRow>(
        "SELECT id, participant_id, words, status, steps, created_at, updated_at FROM goals \
         WHERE site_id = $1 AND participant_id = $2 ORDER BY created_at",
        args![site, participant],
    )
    .await?
    .into_iter()
    .map(Goal::try_from)
    .collect()
}

#[derive(Debug, Clone)]
pub struct ServiceReferral {
    pub id: ServiceReferralId,
    pub goal_id: Option<GoalId>,
    pub provider: String,
    pub service: String,
    pub referred_on: String,
    pub outcome: ReferralOutcome,
}

pub struct NewServiceReferral<'a> {
    pub site: SiteId,
    pub participant: ParticipantId,
    pub goal: Option<GoalId>,
    pub provider: &'a str,
    pub service: &'a str,
    pub referred_on: &'a str,
    pub outcome: ReferralOutcome,
    pub by: UserId,
    pub at: OffsetDateTime,
}

pub async fn create_service_referral(
    c: &mut Conn<'_>,
    n: NewServiceReferral<'_>,
) -> Result<ServiceReferralId> {
    let id: ServiceReferralId = new_id();
    c.execute(
        "INSERT INTO service_referrals (id, site_id, participant_id, goal_id, provider, service, referred_on, outcome, created_by, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)",
        args![id, n.site, n.participant, n.goal, n.provider, n.service, n.referred_on, n.outcome.as_str(), n.by, n.at],
    )
    .await?;
    Ok(id)
}

/// Records the outcome of a service referral of this participant.
pub async fn set_outcome(
    c: &mut Conn<'_>,
    site: SiteId,
    participant: ParticipantId,
    id: ServiceReferralId,
    outcome: ReferralOutcome,
    at: OffsetDateTime,
) -> Result<()> {
    c.execute_found(
        "UPDATE service_referrals SET outcome = $4, updated_at = $5 WHERE site_id = $1 AND participant_id = $2 AND id = $3",
        args![site, participant, id, outcome.as_str(), at],
    )
    .await
}

pub async fn service_referrals(c: &mut Conn<'_>, g: &Grant) -> Result<Vec<ServiceReferral>> {
    let (site, participant) = g.open(&[DataCategory::Plan])?;
    #[derive(sqlx::FromRow)]
    struct Rec {
        id: Uuid,
        goal_id: Option<Uuid>,
        provider: String,
        service: String,
        referred_on: String,
        outcome: String,
    }
    c.fetch_all::<Rec>(
        "SELECT id, goal_id, provider, service, referred_on, outcome FROM service_referrals \
         WHERE site_id = $1 AND participant_id = $2 ORDER BY referred_on, created_at",
        args![site, participant],
    )
    .await?
    .into_iter()
    .map(|r| {
        Ok(ServiceReferral {
            id: r.id.into(),
            goal_id: r.goal_id.map(Into::into),
            outcome: crate::stored(&r.outcome, "service referral outcome")?,
            provider: r.provider,
            service: r.service,
            referred_on: r.referred_on,
        })
    })
    .collect()
}
