//! A participant's court dates, warrants and pre-existing cases (category
//! `justice`): the participant's list opens with the guard's grant; the
//! site-wide readers (reminders, the OWG agenda) return ids and days for
//! the services to pass through the guard.

use crate::access::Grant;
use crate::db::Conn;
use crate::{Result, args, ids::new_id};
use handoff_domain::{DataCategory, ParticipantId, SiteId, UserId};
use time::OffsetDateTime;
use uuid::Uuid;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CourtEvent {
    pub id: Uuid,
    pub participant_id: Uuid,
    /// court_date | warrant | case
    pub kind: String,
    /// The day (ISO): of the hearing, the warrant's issue, the case's filing.
    pub on_day: String,
    pub court: String,
    pub case_number: String,
    pub created_at: OffsetDateTime,
}

pub struct NewCourtEvent<'a> {
    pub site: SiteId,
    pub participant: ParticipantId,
    pub kind: &'a str,
    pub on_day: &'a str,
    pub court: &'a str,
    pub case_number: &'a str,
    pub by: Option<UserId>,
    pub at: OffsetDateTime,
}

const COLUMNS: &str = "id, participant_id, kind, on_day, court, case_number, created_at";

pub async fn add(c: &mut Conn<'_>, n: NewCourtEvent<'_>) -> Result<Uuid> {
    let id: Uuid = new_id();
    c.execute(
        "INSERT INTO court_events (id, site_id, participant_id, kind, on_day, court, case_number, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        args![id, n.site, n.participant, n.kind, n.on_day, n.court, n.case_number, n.by, n.at],
    )
    .await?;
    Ok(id)
}

/// The participant's entries, by day.
pub async fn for_participant(c: &mut Conn<'_>, g: &Grant) -> Result<Vec<CourtEvent>> {
    let (site, participant) = g.open(&[DataCategory::Justice])?;
    let sql = format!(
        "SELECT {COLUMNS} FROM court_events WHERE site_id = $1 AND participant_id = $2 ORDER BY on_day, created_at"
    );
    c.fetch_all::<CourtEvent>(&sql, args![site, participant])
        .await
}

/// The site's entries of `kind` on days from `from` to `to` (ISO, both
/// included), by day.
pub async fn of_kind_between(
    c: &mut Conn<'_>,
    site: SiteId,
    kind: &str,
    from: &str,
    to: &str,
) -> Result<Vec<CourtEvent>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM court_events WHERE site_id = $1 AND kind = $2 AND on_day >= $3 AND on_day <= $4 ORDER BY on_day, created_at"
    );
    c.fetch_all::<CourtEvent>(&sql, args![site, kind, from, to])
        .await
}

/// The site's entries made since `since` (any kind).
pub async fn entered_since(
    c: &mut Conn<'_>,
    site: SiteId,
    since: OffsetDateTime,
) -> Result<Vec<CourtEvent>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM court_events WHERE site_id = $1 AND created_at >= $2 ORDER BY on_day, created_at"
    );
    c.fetch_all::<CourtEvent>(&sql, args![site, since]).await
}
