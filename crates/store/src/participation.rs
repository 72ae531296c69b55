//! A participant's case over time: closings and reopenings (replayed through
//! the domain's `Participation` rules by the caller), changes of case
//! manager, and the caseload queries.

use crate::db::Conn;
use crate::{Result, StoreError, args, ids::new_id};
use handoff_domain::participation::ParticipationEvent;
use handoff_domain::{AgencyId, AssignmentId, ParticipantId, ParticipationEventId, SiteId, UserId};
use std::collections::HashMap;
use time::OffsetDateTime;
use uuid::Uuid;

/// Every closing and reopening of a participant's case, oldest first.
pub async fn events(
    c: &mut Conn<'_>,
    site: SiteId,
    participant: ParticipantId,
) -> Result<Vec<ParticipationEvent>> {
    #[derive(sqlx::FromRow)]
    struct Rec {
        event: String,
    }
    c.fetch_all::<Rec>(
        "SELECT event FROM participation_events WHERE site_id = $1 AND participant_id = $2 ORDER BY seq",
        args![site, participant],
    )
    .await?
    .into_iter()
    .map(|r| {
        serde_json::from_str(&r.event)
            .map_err(|e| StoreError::Corrupt(format!("participation event: {e}")))
    })
    .collect()
}

/// Appends an event (checked by the caller against the history) and keeps
/// the participant's `closed` flag in step. Call inside a transaction.
pub async fn append(
    c: &mut Conn<'_>,
    site: SiteId,
    participant: ParticipantId,
    event: &ParticipationEvent,
    by: UserId,
    at: OffsetDateTime,
) -> Result<ParticipationEventId> {
    #[derive(sqlx::FromRow)]
    struct N {
        n: i64,
    }
    let seq = c
        .fetch_one::<N>(
            "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM participation_events WHERE site_id = $1 AND participant_id = $2",
            args![site, participant],
        )
        .await?
        .n;
    let id: ParticipationEventId = new_id();
    let json = serde_json::to_string(event).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    c.execute(
        "INSERT INTO participation_events (id, site_id, participant_id, seq, event, recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        args![id, site, participant, seq, json, by, at],
    )
    .await?;
    let closed = matches!(event, ParticipationEvent::Closed { .. });
    c.execute(
        "UPDATE participants SET closed = $3 WHERE site_id = $1 AND id = $2",
        args![site, participant, closed],
    )
    .await?;
    Ok(id)
}

/// Moves a participant to another case manager (or none) and keeps the change.
#[allow(clippy::too_many_arguments)]
pub async fn assign(
    c: &mut Conn<'_>,
    site: SiteId,
    participant: ParticipantId,
    from: Option<UserId>,
    to: Option<UserId>,
    warnings: &serde_json::Value,
    by: UserId,
    at: OffsetDateTime,
) -> Result<AssignmentId> {
    let id: AssignmentId = new_id();
    c.execute(
        "INSERT INTO assignments (id, site_id, participant_id, from_user_id, to_user_id, warnings, assigned_by, assigned_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        args![id, site, participant, from, to, warnings.to_string(), by, at],
    )
    .await?;
    c.execute(
        "UPDATE participants SET case_manager_id = $3 WHERE site_id = $1 AND id = $2",
        args![site, participant, to],
    )
    .await?;
    Ok(id)
}

/// One open case on a caseload list.
#[derive(Debug, Clone)]
pub struct CaseRow {
    pub participant_id: ParticipantId,
    pub agency_id: AgencyId,
    pub case_manager_id: Option<UserId>,
    pub intake_at: OffsetDateTime,
    pub last_contact_at: Option<OffsetDateTime>,
    pub closed: bool,
}

#[derive(sqlx::FromRow)]
struct CaseDb {
    id: Uuid,
    agency_id: Uuid,
    case_manager_id: Option<Uuid>,
    intake_at: OffsetDateTime,
    last_contact_at: Option<OffsetDateTime>,
    closed: bool,
}

impl From<CaseDb> for CaseRow {
    fn from(r: CaseDb) -> Self {
        CaseRow {
            participant_id: r.id.into(),
            agency_id: r.agency_id.into(),
            case_manager_id: r.case_manager_id.map(Into::into),
            intake_at: r.intake_at,
            last_contact_at: r.last_contact_at,
            closed: r.closed,
        }
    }
}

/// The cases of an agency (open and closed), longest without contact first.
pub async fn cases_of_agency(
    c: &mut Conn<'_>,
    site: SiteId,
    agency: AgencyId,
) -> Result<Vec<CaseRow>> {
    Ok(c.fetch_all::<CaseDb>(
        "SELECT id, agency_id, case_manager_id, intake_at, last_contact_at, closed FROM participants \
         WHERE site_id = $1 AND agency_id = $2 ORDER BY COALESCE(last_contact_at, intake_at), id",
        args![site, agency],
    )
    .await?
    .into_iter()
    .map(Into::into)
    .collect())
}

/// Whose open cases a caseload page lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cases {
    Of(UserId),
    Assigned,
    Unassigned,
}

/// One page of an agency's open cases, the longest without contact first
/// (keyset on the last contact, or intake before any, and the id).
pub async fn cases_page(
    c: &mut Conn<'_>,
    site: SiteId,
    agency: AgencyId,
    which: Cases,
    page: &crate::page::Page,
) -> Result<crate::page::Paged<CaseRow>> {
    use crate::page::{Columns, Cursor, Dir, fetch};
    const PAGED: Columns = Columns {
        case_manager: Some("case_manager_id"),
        ..Columns::new("COALESCE(last_contact_at, intake_at)", "id", Dir::Asc)
    };
    const SELECT: &str = "SELECT id, agency_id, case_manager_id, intake_at, last_contact_at, closed \
        FROM participants WHERE site_id = $1 AND agency_id = $2 AND closed = FALSE";
    let (sql, args) = match which {
        Cases::Of(u) => (
            format!("{SELECT} AND case_manager_id = $3"),
            args![site, agency, u],
        ),
        Cases::Assigned => (
            format!("{SELECT} AND case_manager_id IS NOT NULL"),
            args![site, agency],
        ),
        Cases::Unassigned => (
            format!("{SELECT} AND case_manager_id IS NULL"),
            args![site, agency],
        ),
    };
    fetch(
        c,
        &sql,
        args,
        PAGED,
        page,
        |r: CaseDb| Ok(CaseRow::from(r)),
        |r: &CaseRow| {
            Cursor::time(
                r.last_contact_at.unwrap_or(r.intake_at),
                *r.participant_id.as_uuid(),
            )
        },
    )
    .await
}

/// Open cases per case manager of a site: (case manager, count).
pub async fn open_caseloads(c: &mut Conn<'_>, site: SiteId) -> Result<Vec<(UserId, i64)>> {
    #[derive(sqlx::FromRow)]
    struct Rec {
        case_manager_id: Uuid,
        n: i64,
    }
    Ok(c.fetch_all::<Rec>(
        "SELECT case_manager_id, CAST(COUNT(*) AS BIGINT) AS n FROM participants \
         WHERE site_id = $1 AND case_manager_id IS NOT NULL AND closed = FALSE GROUP BY case_manager_id",
        args![site],
    )
    .await?
    .into_iter()
    .map(|r| (r.case_manager_id.into(), r.n))
    .collect())
}

/// When the participant was last contacted (intake counts as a contact).
pub async fn last_contact(
    c: &mut Conn<'_>,
    site: SiteId,
    participant: ParticipantId,
) -> Result<Option<OffsetDateTime>> {
    #[derive(sqlx::FromRow)]
    struct Rec {
        last_contact_at: Option<OffsetDateTime>,
    }
    Ok(c.fetch_one::<Rec>(
        "SELECT last_contact_at FROM participants WHERE site_id = $1 AND id = $2",
        args![site, participant],
    )
    .await?
    .last_contact_at)
}

/// The closings and reopenings of a list's participants, oldest first
/// each, in a constant number of queries.
pub async fn events_of(
    c: &mut Conn<'_>,
    site: SiteId,
    participants: &[ParticipantId],
) -> Result<HashMap<ParticipantId, Vec<ParticipationEvent>>> {
    #[derive(sqlx::FromRow)]
    struct Rec {
        participant_id: Uuid,
        event: String,
    }
    let rows = crate::access::fetch_in::<Rec, _>(c, site, participants, |list| {
        format!(
            "SELECT participant_id, event FROM participation_events WHERE site_id = $1 AND participant_id IN ({list}) ORDER BY seq"
        )
    })
    .await?;
    let mut out: HashMap<ParticipantId, Vec<ParticipationEvent>> = HashMap::new();
    for r in rows {
        let event = serde_json::from_str(&r.event)
            .map_err(|e| StoreError::Corrupt(format!("participation event: {e}")))?;
        out.entry(r.participant_id.into()).or_default().push(event);
    }
    Ok(out)
}
