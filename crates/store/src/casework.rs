//! Participants, triage at the scene, and psychosocial intake.

use crate::access::Grant;
use crate::db::Conn;
use crate::{Result, StoreError, args, ids::new_id};
use handoff_domain::DataCategory;
use handoff_domain::{
    AgencyId, IntakeId, ParticipantId, PersonId, ReferralId, SiteId, TriageId, UserId,
};
use time::OffsetDateTime;
use uuid::Uuid;

#[derive(Debug, Clone)]
pub struct Participant {
    pub id: ParticipantId,
    pub site_id: SiteId,
    pub person_id: PersonId,
    pub referral_id: Option<ReferralId>,
    pub agency_id: AgencyId,
    pub case_manager_id: Option<UserId>,
    pub intake_at: OffsetDateTime,
    pub enrolled_at: Option<OffsetDateTime>,
}

#[derive(sqlx::FromRow)]
struct ParticipantRow {
    id: Uuid,
    site_id: Uuid,
    person_id: Uuid,
    referral_id: Option<Uuid>,
    agency_id: Uuid,
    case_manager_id: Option<Uuid>,
    intake_at: OffsetDateTime,
    enrolled_at: Option<OffsetDateTime>,
}

impl From<ParticipantRow> for Participant {
    fn from(r: ParticipantRow) -> Self {
        Participant {
            id: r.id.into(),
            site_id: r.site_id.into(),
            person_id: r.person_id.into(),
            referral_id: r.referral_id.map(Into::into),
            agency_id: r.agency_id.into(),
            case_manager_id: r.case_manager_id.map(Into::into),
            intake_at: r.intake_at,
            enrolled_at: r.enrolled_at,
        }
    }
}

const P_COLUMNS: &str =
    "id, site_id, person_id, referral_id, agency_id, case_manager_id, intake_at, enrolled_at";

pub async fn get_participant(
    c: &mut Conn<'_>,
    site: SiteId,
    id: ParticipantId,
) -> Result<Participant> {
    let sql = format!("SELECT {P_COLUMNS} FROM participants WHERE site_id = $1 AND id = $2");
    Ok(c.fetch_one::<ParticipantRow>(&sql, args![site, id])
        .await?
        .into())
}

/// The participants an agency serves (one query), oldest first.
pub async fn participants_of_agency(
    c: &mut Conn<'_>,
    site: SiteId,
    agency: AgencyId,
) -> Result<Vec<Participant>> {
    let sql = format!(
        "SELECT {P_COLUMNS} FROM participants WHERE site_id = $1 AND agency_id = $2 ORDER BY created_at"
    );
    Ok(c.fetch_all::<ParticipantRow>(&sql, args![site, agency])
        .await?
        .into_iter()
        .map(Into::into)
        .collect())
}

/// A list's participants by id (those of the site), in a constant number of
/// queries.
pub async fn participants_by_id(
    c: &mut Conn<'_>,
    site: SiteId,
    ids: &[ParticipantId],
) -> Result<Vec<Participant>> {
    Ok(crate::access::fetch_in::<ParticipantRow, _>(c, site, ids, |list| {
        format!(
            "SELECT {P_COLUMNS} FROM participants WHERE site_id = $1 AND id IN ({list}) ORDER BY created_at"
        )
    })
    .await?
    .into_iter()
    .map(Participant::from)
    .collect())
}

/// The participants of some persons (those of the site), oldest first
/// within each chunk of persons, in a constant number of queries (search's
/// candidates).
pub async fn participants_of_persons(
    c: &mut Conn<'_>,
    site: SiteId,
    persons: &[PersonId],
) -> Result<Vec<Participant>> {
    Ok(crate::access::fetch_in::<ParticipantRow, _>(c, site, persons, |list| {
        format!(
            "SELECT {P_COLUMNS} FROM participants WHERE site_id = $1 AND person_id IN ({list}) ORDER BY created_at"
        )
    })
    .await?
    .into_iter()
    .map(Participant::from)
    .collect())
}

/// When each of a list's participants was last contacted, as logged (the
/// caller counts intake), in a constant number of queries.
pub async fn last_contacts(
    c: &mut Conn<'_>,
    site: SiteId,
    participants: &[ParticipantId],
) -> Result<std::collections::HashMap<ParticipantId, time::OffsetDateTime>> {
    #[derive(sqlx::FromRow)]
    struct Rec {
        id: Uuid,
        last_contact_at: Option<time::OffsetDateTime>,
    }
    Ok(
        crate::access::fetch_in::<Rec, _>(c, site, participants, |list| {
            format!(
                "SELECT id, last_contact_at FROM participants WHERE site_id = $1 AND id IN ({list})"
            )
        })
        .await?
        .into_iter()
        .filter_map(|r| Some((r.id.into(), r.last_contact_at?)))
        .collect(),
    )
}

pub async fn list_participants(c: &mut Conn<'_>, site: SiteId) -> Result<Vec<Participant>> {
    let sql =
        format!("SELECT {P_COLUMNS} FROM participants WHERE site_id = $1 ORDER BY created_at");
    Ok(c.fetch_all::<ParticipantRow>(&sql, args![site])
        .await?
        .into_iter()
        .map(Into::into)
        .collect())
}

pub async fn mark_enrolled(
    c: &mut Conn<'_>,
    site: SiteId,
    id: ParticipantId,
    at: OffsetDateTime,
) -> Result<()> {
    c.execute(
        "UPDATE participants SET enrolled_at = $3 WHERE site_id = $1 AND id = $2 AND enrolled_at IS NULL",
        args![site, id, at],
    )
    .await?;
    Ok(())
}

pub async fn record_triage(
    c: &mut Conn<'_>,
    site: SiteId,
    referral: ReferralId,
    content: &serde_json::Value,
    by: UserId,
    at: OffsetDateTime,
) -> Result<TriageId> {
    let id: TriageId = new_id();
    c.execute(
        "INSERT INTO triages (id, site_id, referral_id, content, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
        args![id, site, referral, content.to_string(), by, at],
    )
    .await?;
    Ok(id)
}

/// The latest triage of a referral.
pub async fn triage_of(c: &mut Conn<'_>, g: &Grant) -> Result<Option<serde_json::Value>> {
    let (site, _) = g.open(&[DataCategory::Notes])?;
    let Some(referral) = g.referral() else {
        return Ok(None);
    };
    #[derive(sqlx::FromRow)]
    struct ContentRow {
        content: String,
    }
    Ok(c
        .fetch_optional::<ContentRow>(
            "SELECT content FROM triages WHERE site_id = $1 AND referral_id = $2 ORDER BY created_at DESC LIMIT 1",
            args![site, referral],
        )
        .await?
        .and_then(|r| serde_json::from_str(&r.content).ok()))
}

/// Intake content split by data category.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct IntakeContent {
    pub living_situation: String,
    /// Housing detail, income and benefits, legal obligations, documents (`notes`).
    pub general: serde_json::Value,
    /// Physical and mental health (`health`).
    pub health: serde_json::Value,
    /// Substance use and treatment (`sud`, 42 CFR Part 2).
    pub sud: serde_json::Value,
    /// The participant's own goals, in their words (`plan`).
    pub goals: Vec<String>,
}

pub struct NewIntake<'a> {
    pub site: SiteId,
    pub referral: ReferralId,
    pub person: PersonId,
    pub agency: AgencyId,
    pub case_manager: UserId,
    pub content: &'a IntakeContent,
    pub at: OffsetDateTime,
}

/// Records an intake and creates the participant. Call inside a transaction.
pub async fn record_intake(c: &mut Conn<'_>, n: NewIntake<'_>) -> Result<ParticipantId> {
    let pid: ParticipantId = new_id();
    c.execute(
        "INSERT INTO participants (id, site_id, person_id, referral_id, agency_id, case_manager_id, intake_at, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7)",
        args![pid, n.site, n.person, n.referral, n.agency, n.case_manager, n.at],
    )
    .await?;
    let json = |v: &serde_json::Value| v.to_string();
    c.execute(
        "INSERT INTO intakes (id, site_id, referral_id, participant_id, living_situation, general, health, sud, goals, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        args![
            new_id::<IntakeId>(),
            n.site,
            n.referral,
            pid,
            n.content.living_situation.as_str(),
            json(&n.content.general),
            json(&n.content.health),
            json(&n.content.sud),
            serde_json::to_string(&n.content.goals).map_err(|e| StoreError::Corrupt(e.to_string()))?,
            n.case_manager,
            n.at
        ],
    )
    .await?;
    Ok(pid)
}

pub async fn intake_of(c: &mut Conn<'_>, g: &Grant) -> Result<Option<IntakeContent>> {
    let (site, participant) = g.open(&[
        DataCategory::Plan,
        DataCategory::Notes,
        DataCategory::Health,
        DataCategory::Sud,
    ])?;
    #[derive(sqlx::FromRow)]
    struct ContentRow {
        living_situation: String,
        general: String,
        health: String,
        sud: String,
        goals: String,
    }
    let Some(r) = c
        .fetch_optional::<ContentRow>(
            "SELECT living_situation, general, health, sud, goals FROM intakes WHERE site_id = $1 AND participant_id = $2",
            args![site, participant],
        )
        .await?
    else {
        return Ok(None);
    };
    let parse =
        |s: &str| serde_json::from_str(s).map_err(|e| StoreError::Corrupt(format!("intake: {e}")));
    Ok(Some(IntakeContent {
        living_situation: r.living_situation,
        general: parse(&r.general)?,
        health: parse(&r.health)?,
        sud: parse(&r.sud)?,
        goals: serde_json::from_str(&r.goals)
            .map_err(|e| StoreError::Corrupt(format!("intake goals: {e}")))?,
    }))
}
